#!/usr/bin/python3
"""Pushes bench/estargz:<N> — one eStargz layer of N files (~700 MB of tar, ~560 MB compressed: mostly random, some text files, a few
of several MB) written by the estargz Go package (tests/support/estargz-writer) with its toc.digest annotation —
to a registry on 127.0.0.1, for bench_toc. The tar and the blob are cached in CACHE_DIR (default
/tmp/ll-bench-estargz).

  bench/push-estargz-image.py HOST:PORT [N] [CACHE_DIR]      (default N = 76000)
"""
import hashlib
import io
import http.client
import json
import os
import random
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "support"))
from llharness import toc  # noqa: E402


def push_blob(conn, repo, path=None, data=None):
    h = hashlib.sha256()
    size = 0
    if path:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
                size += len(chunk)
    else:
        h.update(data)
        size = len(data)
    digest = "sha256:" + h.hexdigest()
    conn.request("HEAD", "/v2/%s/blobs/%s" % (repo, digest))
    resp = conn.getresponse()
    resp.read()
    if resp.status == 200:
        return digest, size
    conn.request("POST", "/v2/%s/blobs/uploads/" % repo)
    resp = conn.getresponse()
    resp.read()
    location = resp.getheader("Location")
    sep = "&" if "?" in location else "?"
    upath = location.split("//", 1)[-1]
    upath = upath[upath.index("/"):] if not location.startswith("/") else location
    body = open(path, "rb") if path else data
    conn.request("PUT", "%s%sdigest=%s" % (upath, sep, digest), body=body,
                 headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)})
    resp = conn.getresponse()
    resp.read()
    if resp.status != 201:
        sys.exit("blob upload failed: %d" % resp.status)
    return digest, size


def write_tar(path, n):
    r = random.Random(4747)
    text = (b"The quick brown fox jumps over the lazy dog; layerslayer lists layers without pulling them.\n" * 800)
    rnd = os.urandom(8 << 20)
    with tarfile.open(path, mode="w", format=tarfile.PAX_FORMAT) as tf:
        dirs = set()
        for i in range(n):
            d = "data/d%03d" % (i // 500)
            if d not in dirs:
                for p in ("data", d):
                    if p not in dirs:
                        ti = tarfile.TarInfo(p)
                        ti.type = tarfile.DIRTYPE
                        ti.mode = 0o755
                        ti.mtime = 1700000000
                        tf.addfile(ti)
                        dirs.add(p)
            size = 3 << 20 if i % 2000 == 1999 else r.choice((512, 2048, 4096, 6144, 8192, 12288, 16384))
            random_kind = r.random() < 0.8  # random data stays ~its size: a >= 500 MB blob
            off = r.randrange(len(rnd) - size)
            data = rnd[off:off + size] if random_kind else (text * (size // len(text) + 1))[:size]
            ti = tarfile.TarInfo("%s/f%06d.%s" % (d, i, "bin" if random_kind else "txt"))
            ti.size = size
            ti.mode = 0o644
            ti.mtime = 1700000000
            tf.addfile(ti, io.BytesIO(data))


def main():
    host = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 76000
    cache = sys.argv[3] if len(sys.argv) > 3 else "/tmp/ll-bench-estargz"
    os.makedirs(cache, exist_ok=True)
    tar_path = os.path.join(cache, "layer-%d-v2.tar" % n)
    blob_path = os.path.join(cache, "layer-%d-v2.estargz" % n)
    info_path = blob_path + ".json"
    if not os.path.exists(info_path):
        if not os.path.exists(tar_path):
            write_tar(tar_path + ".tmp", n)
            os.replace(tar_path + ".tmp", tar_path)
        why = toc.writer_unavailable()
        if why:
            sys.exit(why)
        writer = toc.build_writer(cache)
        res = subprocess.run([writer, "-level", "1", tar_path, blob_path], stdout=subprocess.PIPE, check=True)
        with open(info_path, "wb") as f:
            f.write(res.stdout)
        os.unlink(tar_path)
    info = json.load(open(info_path))
    conn = http.client.HTTPConnection(host, timeout=600)
    repo = "bench/estargz"
    layer_digest, layer_size = push_blob(conn, repo, path=blob_path)
    config = json.dumps({
        "architecture": "amd64", "os": "linux", "created": "2023-11-14T22:13:20Z", "config": {"Cmd": ["sh"]},
        "rootfs": {"type": "layers", "diff_ids": [info["diffID"]]},
        "history": [{"created": "2023-11-14T22:13:20Z", "created_by": "ADD data/ /data # %d files, eStargz" % n}],
    }).encode()
    config_digest, config_size = push_blob(conn, repo, data=config)
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": config_size,
                   "digest": config_digest},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "size": layer_size,
                    "digest": layer_digest, "annotations": info["annotations"]}],
    }).encode()
    conn.request("PUT", "/v2/%s/manifests/%d" % (repo, n), body=manifest,
                 headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    resp = conn.getresponse()
    resp.read()
    if resp.status != 201:
        sys.exit("manifest upload failed: %d" % resp.status)
    print("%s/%s:%d  (%d files, %d bytes compressed)" % (host, repo, n, n, layer_size))


if __name__ == "__main__":
    main()
