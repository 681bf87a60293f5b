#!/usr/bin/env python3
"""ctest demo_registry_seed: scripts/demo-registry.py start into a temporary cache dir, then layerslayer-cli
($LL_CLI) sees the demo images as seeded (layers, history with metadata-only steps, the edited passwd, the
whiteout and the opaque directory applied, the multi-arch index with its attestation), a second start reuses
the running registry without reseeding, and stop really stops it."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

SRC = os.environ.get("LL_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(SRC, "scripts", "demo-registry.py")
CLI = os.environ.get("LL_CLI")
failures = []
passes = []


def check(cond, what):
    print("%s: %s" % ("ok" if cond else "FAIL", what))
    (passes if cond else failures).append(what)
    return cond


def demo(*args, cache):
    return subprocess.run([sys.executable, SCRIPT] + list(args) + ["--cache-dir", cache], capture_output=True,
                          text=True, timeout=180)


def cli(*args, cwd=None):
    p = subprocess.run([CLI, "-q"] + list(args), capture_output=True, text=True, timeout=120, cwd=cwd)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
    return p


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(hostport):
    try:
        with urllib.request.urlopen("http://%s/v2/" % hostport, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def main():
    if not CLI or not os.path.exists(CLI):
        print("LL_CLI is not set to a built layerslayer-cli: skipped")
        return 77
    cache = tempfile.mkdtemp(prefix="ll-demo-test-")
    hostport = None
    try:
        t0 = time.monotonic()
        p = demo("start", "--port", str(free_port()), cache=cache)
        seed_s = time.monotonic() - t0
        sys.stderr.write(p.stderr)
        if not check(p.returncode == 0, "demo-registry.py start exits 0"):
            return 1
        hostport = p.stdout.strip()
        check(hostport.startswith("127.0.0.1:"), "start prints 127.0.0.1:PORT (%s)" % hostport)
        print("seeding took %.1f s" % seed_s)
        seeded = json.load(open(os.path.join(cache, "seeded.json")))
        state = json.load(open(os.path.join(cache, "state.json")))
        check(state.get("hostport") == hostport and state.get("pid", 0) > 0, "state.json records pid and port")
        facts = seeded["facts"]["demo/debian-base:12"]

        ref = hostport + "/demo/debian-base:12"
        p = cli("-t", ref, "--inspect", "--json")
        check(p.returncode == 0, "inspect %s exits 0" % ref)
        info = json.loads(p.stdout)
        check(len(info["layers"]) >= 3 and len(info["layers"]) == facts["layers"],
              "debian-base has %d layers (>= 3)" % len(info["layers"]))
        check(len(info["history"]) == facts["history"], "history has %d steps" % len(info["history"]))
        check(any(h["empty_layer"] for h in info["history"]), "history has metadata-only steps")
        check(sum(1 for h in info["history"] if not h["empty_layer"]) == len(info["layers"]),
              "one non-empty step per layer")
        check(info["digest"] == facts["digest"], "manifest digest matches the seeded one")
        check(info["config"]["user"] == "demo" and info["config"]["workingDir"] == "/home/demo", "config read")

        p = cli("-t", ref, "--bulk-peek", "--json")
        check(p.returncode == 0, "bulk-peek exits 0")
        merged = {}
        for line in p.stdout.splitlines():
            if line.strip():
                e = json.loads(line)
                merged[e["path"]] = e
        check(len(merged) > 300, "merged tree has %d entries (a few hundred files)" % len(merged))
        check(facts["deleted"] not in merged, "%s deleted by a whiteout is gone" % facts["deleted"])
        check(not any(k.rsplit("/", 1)[-1].startswith(".wh.") for k in merged), "no .wh. entries in the merged view")
        opaque = facts["opaque"]
        check(merged.get(opaque, {}).get("layer") == 2, "%s recreated by layer 2 (opaque)" % opaque)
        check(merged.get(opaque + "/lock", {}).get("layer") == 2, "%s/lock comes from layer 2" % opaque)
        hidden = facts["opaque_hidden"]
        check(bool(hidden) and not any(h in merged for h in hidden),
              "%d files of layer 1 below the opaque dir are hidden" % len(hidden))
        check(merged.get("etc/passwd", {}).get("layer") == 1, "etc/passwd comes from layer 1")
        check(merged.get("usr/local/bin/hello", {}).get("layer") == 3, "usr/local/bin/hello from layer 3")

        out = tempfile.mkdtemp(prefix="carve-", dir=cache)
        p = cli("-t", ref, "-f", "etc/passwd", "-o", out)
        passwd = open(os.path.join(out, "etc", "passwd"), "rb").read() if p.returncode == 0 else b""
        check(b"\ndemo:x:1000:1000:" in passwd and passwd.startswith(b"root:"),
              "carved etc/passwd is layer 1's edited copy")

        p = cli("-t", hostport + "/demo/multi:1.0", "--inspect", "--json")
        plats = json.loads(p.stdout)["platforms"] if p.returncode == 0 else []
        check(len(plats) == 3 and sum(1 for x in plats if x["attestation"]) == 1,
              "demo/multi:1.0 lists 2 platforms and 1 attestation")
        p = cli("-t", hostport + "/demo/python:3.11", "--inspect", "--json")
        py = json.loads(p.stdout) if p.returncode == 0 else {"layers": []}
        check(len(py["layers"]) == 4 and py["layers"][0]["digest"] == info["layers"][0]["digest"],
              "demo/python:3.11 has 4 layers and shares debian-base's first layer")
        check(seeded["facts"]["demo/python:3.11"]["files"] >= 1000,
              "demo/python:3.11 holds %d files" % seeded["facts"]["demo/python:3.11"]["files"])

        t1 = time.monotonic()
        p = demo("start", cache=cache)
        check(p.returncode == 0 and p.stdout.strip() == hostport and "reusing" in p.stderr
              and "seeded" not in p.stderr, "a second start reuses the running, seeded registry")
        check(time.monotonic() - t1 < 15, "and is quick (%.1f s)" % (time.monotonic() - t1))

        p = demo("stop", cache=cache)
        check(p.returncode == 0 and not answers(hostport), "stop stops the registry")
        p = demo("status", cache=cache)
        check(p.returncode == 3 and "not running" in p.stdout, "status says not running (exit 3)")
        hostport = None
    finally:
        if hostport:
            demo("stop", cache=cache)
        shutil.rmtree(cache, ignore_errors=True)
    print("demo checks: %d ok, %d failing" % (len(passes), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
