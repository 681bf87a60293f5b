#!/usr/bin/python3
"""Pushes bench/wide:<N> — one gzip layer with N small files in nested directories — to a registry on
127.0.0.1, for bench_gui_open and bench_peek at 200,000 entries.

  bench/push-wide-image.py HOST:PORT [N]      (default N = 200000)
"""
import gzip
import hashlib
import http.client
import io
import json
import sys
import tarfile


def push_blob(conn, repo, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    conn.request("POST", "/v2/%s/blobs/uploads/" % repo)
    resp = conn.getresponse()
    resp.read()
    location = resp.getheader("Location")
    sep = "&" if "?" in location else "?"
    path = location.split("//", 1)[-1]
    path = path[path.index("/"):] if not location.startswith("/") else location
    conn.request("PUT", "%s%sdigest=%s" % (path, sep, digest), body=data,
                 headers={"Content-Type": "application/octet-stream", "Content-Length": str(len(data))})
    resp = conn.getresponse()
    resp.read()
    if resp.status != 201:
        sys.exit("blob upload failed: %d" % resp.status)
    return digest


def main():
    host = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200000
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        dirs = set()
        for i in range(n):
            d = "wide/d%03d/e%02d" % (i // 1000, (i // 50) % 20)
            for parent in ("wide", "wide/d%03d" % (i // 1000), d):
                if parent not in dirs:
                    info = tarfile.TarInfo(parent)
                    info.type = tarfile.DIRTYPE
                    info.mode = 0o755
                    info.mtime = 1700000000
                    tar.addfile(info)
                    dirs.add(parent)
            body = b"file %d\n" % i
            info = tarfile.TarInfo("%s/f%06d.txt" % (d, i))
            info.size = len(body)
            info.mode = 0o644
            info.mtime = 1700000000
            tar.addfile(info, io.BytesIO(body))
    tar_bytes = raw.getvalue()
    layer = gzip.compress(tar_bytes, 6, mtime=0)
    diff_id = "sha256:" + hashlib.sha256(tar_bytes).hexdigest()
    config = json.dumps({
        "architecture": "amd64", "os": "linux", "created": "2023-11-14T22:13:20Z",
        "config": {"Cmd": ["sh"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": "2023-11-14T22:13:20Z", "created_by": "ADD wide/ /wide # %d files" % n}],
    }).encode()
    conn = http.client.HTTPConnection(host)
    repo = "bench/wide"
    layer_digest = push_blob(conn, repo, layer)
    config_digest = push_blob(conn, repo, config)
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": len(config),
                   "digest": config_digest},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": len(layer),
                    "digest": layer_digest}],
    }).encode()
    conn.request("PUT", "/v2/%s/manifests/%d" % (repo, n), body=manifest,
                 headers={"Content-Type": "application/vnd.docker.distribution.manifest.v2+json"})
    resp = conn.getresponse()
    resp.read()
    if resp.status != 201:
        sys.exit("manifest upload failed: %d" % resp.status)
    print("%s/%s:%d  (%d entries, %d bytes compressed)" % (host, repo, n, n + len(dirs), len(layer)))


if __name__ == "__main__":
    main()
