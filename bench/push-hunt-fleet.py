#!/usr/bin/python3
"""Pushes the hunt benchmark's fleet (issue 10) to a registry on 127.0.0.1: >= 40 images fleet/appNN:1.0 over a
few shared base layers of realistic size (incompressible library files after an early etc/shadow), small
unique app layers (every third with a .env), some images with a base of their own, and every fourth deleting
etc/shadow with a whiteout (deleted, still recoverable from its base). Prints one reference per line with the
registry host replaced by --as HOST:PORT (e.g. the harness's latency proxy in front of that registry).

  bench/push-hunt-fleet.py HOST:PORT [--as HOST:PORT] [--images 40] [--bases 3] [--base-mb 8] [--cache DIR]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "support"))

from llharness import fixtures, huntfleet, pusher  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("registry")
    ap.add_argument("--as", dest="shown", default=None)
    ap.add_argument("--images", type=int, default=40)
    ap.add_argument("--bases", type=int, default=3)
    ap.add_argument("--base-mb", type=int, default=8)
    ap.add_argument("--unique-bases", type=int, default=4)
    ap.add_argument("--cache", default=os.path.expanduser("~/.cache/layerslayer/bench-fleet"))
    a = ap.parse_args()
    os.makedirs(a.cache, exist_ok=True)
    b = fixtures.Builder(a.cache)
    fleet = huntfleet.fleet(b, images=a.images, bases=a.bases, base_mb=a.base_mb, unique_bases=a.unique_bases)
    p = pusher.Pusher(a.registry)
    for repo, tag, rec in fleet:
        fixtures.push(p, repo, [tag], rec)
        print("%s/%s:%s" % (a.shown or a.registry, repo, tag))
    p.close()


if __name__ == "__main__":
    main()
