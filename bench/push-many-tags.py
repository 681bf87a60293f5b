#!/usr/bin/python3
"""Pushes one small image under many tags to a registry on 127.0.0.1 (the navigator bench: a repository with
thousands of tags). Tags are versions "M.m.p" in an order unrelated to version order. Skips the push when the
repository already has that many tags.

  bench/push-many-tags.py HOST:PORT [--repo bench/many-tags] [--tags 5000]
"""
import argparse
import hashlib
import json
import os
import sys
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "support"))

from llharness import pusher  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("registry")
    ap.add_argument("--repo", default="bench/many-tags")
    ap.add_argument("--tags", type=int, default=5000)
    a = ap.parse_args()
    try:
        with urllib.request.urlopen("http://%s/v2/%s/tags/list" % (a.registry, a.repo)) as r:
            if len(json.load(r).get("tags") or []) >= a.tags:
                return
    except Exception:
        pass
    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}},
                        separators=(",", ":")).encode()
    cdigest = "sha256:" + hashlib.sha256(config).hexdigest()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cdigest,
                                      "size": len(config)}, "layers": []}, separators=(",", ":")).encode()
    p = pusher.Pusher(a.registry)
    p.push_blob(a.repo, cdigest, len(config), data=config)
    for i in range(a.tags):
        k = (i * 7919) % a.tags
        p.push_manifest(a.repo, "%d.%d.%d" % (k // 1000, (k // 10) % 100, k % 10),
                        "application/vnd.oci.image.manifest.v1+json", manifest)
    p.close()


if __name__ == "__main__":
    main()
