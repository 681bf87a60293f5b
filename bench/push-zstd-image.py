#!/usr/bin/python3
"""Pushes bench/zstd:frames — one multi-frame zstd layer (pzstd -1: a frame per 2 MiB of tar, each after a
skippable frame) of ~MB MiB of tar (default 780, ~615 MB of pzstd: 4 of 5 files random, the rest text; files at depth, a few of
several MB; data/zz-last.bin is the deepest) — and bench/zstd:single (the same tar through plain zstd -3: one frame)
to a registry on 127.0.0.1, for bench_carve --second-look. Blobs are cached in CACHE_DIR (default /tmp/ll-bench-zstd).

  bench/push-zstd-image.py HOST:PORT [MB] [CACHE_DIR]
"""
import hashlib
import http.client
import io
import json
import os
import random
import subprocess
import sys
import tarfile


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


def write_tar(path, mb):
    r = random.Random(5151)
    text = (b"The quick brown fox jumps over the lazy dog; layerslayer lists layers without pulling them.\n" * 800)
    rnd = os.urandom(8 << 20)
    total = mb << 20
    pos = 0
    i = 0
    with tarfile.open(path, mode="w", format=tarfile.PAX_FORMAT) as tf:
        dirs = set()

        def add(name, data):
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mode = 0o644
            ti.mtime = 1700000000
            tf.addfile(ti, io.BytesIO(data))

        while pos < total:
            d = "data/d%02d/e%03d" % (i // 2000, (i // 100) % 20)
            for p in ("data", d.rsplit("/", 1)[0], d):
                if p not in dirs:
                    ti = tarfile.TarInfo(p)
                    ti.type = tarfile.DIRTYPE
                    ti.mode = 0o755
                    ti.mtime = 1700000000
                    tf.addfile(ti)
                    dirs.add(p)
            size = 3 << 20 if i % 500 == 499 else r.choice((4096, 16384, 65536, 131072, 262144, 524288))
            random_kind = r.random() < 0.8
            off = r.randrange(len(rnd) - size)
            data = rnd[off:off + size] if random_kind else (text * (size // len(text) + 1))[:size]
            add("%s/f%06d.%s" % (d, i, "bin" if random_kind else "txt"), data)
            pos += size + 512
            i += 1
        add("data/zz-last.bin", rnd[:98765])


def diff_id(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


def main():
    host = sys.argv[1]
    mb = int(sys.argv[2]) if len(sys.argv) > 2 else 780
    cache = sys.argv[3] if len(sys.argv) > 3 else "/tmp/ll-bench-zstd"
    os.makedirs(cache, exist_ok=True)
    tar_path = os.path.join(cache, "layer-%d.tar" % mb)
    blobs = {"frames": (tar_path + ".pzst", ["pzstd", "-q", "-1", "-p", "2", "-c"]),
             "single": (tar_path + ".zst", ["zstd", "-q", "-3", "-T2", "-c"])}
    info_path = tar_path + ".json"
    if not os.path.exists(info_path):
        if not os.path.exists(tar_path):
            write_tar(tar_path + ".tmp", mb)
            os.replace(tar_path + ".tmp", tar_path)
        for blob, cmd in blobs.values():
            with open(blob + ".tmp", "wb") as out:
                subprocess.run(cmd + [tar_path], stdout=out, check=True)
            os.replace(blob + ".tmp", blob)
        with open(info_path, "w") as f:
            json.dump({"diff_id": diff_id(tar_path), "tar_size": os.path.getsize(tar_path)}, f)
        os.unlink(tar_path)
    info = json.load(open(info_path))
    conn = http.client.HTTPConnection(host, timeout=600)
    repo = "bench/zstd"
    for tag, (blob, cmd) in blobs.items():
        layer_digest, layer_size = push_blob(conn, repo, path=blob)
        config = json.dumps({
            "architecture": "amd64", "os": "linux", "created": "2023-11-14T22:13:20Z", "config": {"Cmd": ["sh"]},
            "rootfs": {"type": "layers", "diff_ids": [info["diff_id"]]},
            "history": [{"created": "2023-11-14T22:13:20Z", "created_by": "ADD data/ /data # %s" % cmd[0]}],
        }).encode()
        config_digest, config_size = push_blob(conn, repo, data=config)
        manifest = json.dumps({
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": config_size,
                       "digest": config_digest},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+zstd", "size": layer_size,
                        "digest": layer_digest}],
        }).encode()
        conn.request("PUT", "/v2/%s/manifests/%s" % (repo, tag), body=manifest,
                     headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
        resp = conn.getresponse()
        resp.read()
        if resp.status != 201:
            sys.exit("manifest upload failed: %d" % resp.status)
        print("%s/%s:%s  (%s, %d bytes compressed, %d bytes of tar; deepest file data/zz-last.bin)"
              % (host, repo, tag, cmd[0], layer_size, info["tar_size"]))


if __name__ == "__main__":
    main()
