"""Layers that carry their own table of contents, written by the reference writers:
- eStargz (and the legacy 47-byte-footer stargz) by github.com/containerd/stargz-snapshotter/estargz, through
  tests/support/estargz-writer (Go, built here in GOPATH mode from Debian's packaged sources, cached);
- zstd:chunked by skopeo (containers/storage's compressor) and by the estargz package's zstdchunked writer.
Each fixture's entries are read back from the blob's own uncompressed tar (the writers reorder and add
entries), so tests compare with what the blob really holds."""
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import zlib

from . import common, content, layers
from .layers import Layer

GO = "/usr/lib/go-1.19/bin/go"
GOPATH = "/usr/share/gocode"
WRITER_SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "estargz-writer")
ESTARGZ_PKG = os.path.join(GOPATH, "src/github.com/containerd/stargz-snapshotter/estargz")
TOC_DIGEST = "containerd.io/snapshot/stargz/toc.digest"
UNCOMPRESSED_SIZE = "io.containers.estargz.uncompressed-size"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
CHUNK = 65536  # small chunks, so a few files span several


def writer_unavailable():
    """Why the eStargz writer cannot be built here, or None."""
    if not os.access(GO, os.X_OK):
        return "Go 1.19 is not installed (apt-get install golang-1.19-go)"
    if not os.path.isdir(ESTARGZ_PKG):
        return "the estargz Go package is not installed (apt-get install golang-github-containerd-stargz-snapshotter-dev)"
    return None


def build_writer(blob_dir):
    """Builds estargz-writer once per source version; returns its path."""
    h = hashlib.sha256(open(os.path.join(WRITER_SRC, "main.go"), "rb").read()).hexdigest()[:16]
    tools = os.path.join(blob_dir, "tools")
    exe = os.path.join(tools, "estargz-writer-" + h)
    if os.path.exists(exe):
        return exe
    os.makedirs(tools, exist_ok=True)
    env = dict(os.environ, GO111MODULE="off", GOPATH=GOPATH, GOCACHE=os.path.join(tools, "gocache"),
               CGO_ENABLED="0")
    tmp = exe + ".tmp"
    subprocess.run([GO, "build", "-o", tmp, "."], cwd=WRITER_SRC, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    os.replace(tmp, exe)
    return exe


def tar_entries(raw):
    """Entries of an uncompressed tar (bytes) in the shape layers.Layer.build() records."""
    out = []
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tf:
        for ti in tf:
            e = {"path": ti.name.rstrip("/") if ti.name != "/" else ti.name,
                 "type": layers.TYPE_NAMES.get(ti.type, "other"), "size": ti.size if ti.isreg() else 0,
                 "mode": "%04o" % ti.mode, "uid": ti.uid, "gid": ti.gid, "mtime": ti.mtime,
                 "offset": ti.offset_data, "header_offset": ti.offset}
            if ti.issym() or ti.islnk():
                e["link"] = ti.linkname
            if ti.ischr() or ti.isblk():
                e["devmajor"], e["devminor"] = ti.devmajor, ti.devminor
            if ti.isreg():
                e["sha256"] = hashlib.sha256(tf.extractfile(ti).read()).hexdigest()
            out.append(e)
    return out


def describe_blob(path, compression, fmt, annotations):
    """A layer dict (as Layer.build() returns) for a blob written by another tool."""
    data = open(path, "rb").read()
    if compression == "gzip":
        raw = gzip.decompress(data)
    else:
        raw = subprocess.run(["zstd", "-q", "-d", "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout
    hexd = hashlib.sha256(data).hexdigest()
    return {"digest": "sha256:" + hexd, "size": len(data), "diff_id": "sha256:" + hashlib.sha256(raw).hexdigest(),
            "uncompressed_size": len(raw), "compression": compression, "path": path, "entries": tar_entries(raw),
            "annotations": annotations, "toc_format": fmt}


def store(blob_dir, src):
    hexd = hashlib.sha256(open(src, "rb").read()).hexdigest()
    dst = os.path.join(blob_dir, "sha256", hexd)
    os.replace(src, dst)
    return dst


def estargz_layer(b, writer, plain, fmt, annotate=True):
    """plain: a Layer.build() of compression "none". fmt: estargz, legacy or zstdchunked."""
    tmp = os.path.join(b.blob_dir, "toc-%d.tmp" % os.getpid())
    res = subprocess.run([writer, "-format", fmt, "-chunk-size", str(CHUNK), plain["path"], tmp],
                         stdout=subprocess.PIPE, check=True)
    info = json.loads(res.stdout)
    path = store(b.blob_dir, tmp)
    ann = dict(info["annotations"]) if annotate else {}
    compression = "zstd" if fmt == "zstdchunked" else "gzip"
    d = describe_blob(path, compression, fmt, ann)
    if annotate and fmt != "zstdchunked":
        ann[UNCOMPRESSED_SIZE] = str(d["uncompressed_size"])
    d["toc_digest"] = info["tocDigest"]
    return d


def skopeo_zstd_chunked(b, plains):
    """Converts plain tar layers to zstd:chunked with skopeo (oci: layout to oci: layout, offline)."""
    work = os.path.join(b.blob_dir, "skopeo-%d" % os.getpid())
    shutil.rmtree(work, ignore_errors=True)
    src = os.path.join(work, "src")
    os.makedirs(os.path.join(src, "blobs", "sha256"))

    def put(data):
        hexd = hashlib.sha256(data).hexdigest()
        with open(os.path.join(src, "blobs", "sha256", hexd), "wb") as f:
            f.write(data)
        return {"digest": "sha256:" + hexd, "size": len(data)}

    cfg = put(json.dumps({"architecture": "amd64", "os": "linux",
                          "rootfs": {"type": "layers", "diff_ids": [p["diff_id"] for p in plains]}}).encode())
    lds = [dict(mediaType="application/vnd.oci.image.layer.v1.tar", **put(open(p["path"], "rb").read()))
           for p in plains]
    man = put(json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                          "config": dict(mediaType=OCI_CONFIG, **cfg), "layers": lds}).encode())
    with open(os.path.join(src, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [
            dict(mediaType=OCI_MANIFEST, annotations={"org.opencontainers.image.ref.name": "x"}, **man)]}, f)
    with open(os.path.join(src, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    dst = os.path.join(work, "dst")
    subprocess.run(["skopeo", "copy", "-q", "--dest-compress-format", "zstd:chunked", "oci:%s:x" % src,
                    "oci:%s:x" % dst], check=True, stdout=subprocess.DEVNULL)
    idx = json.load(open(os.path.join(dst, "index.json")))
    mhex = idx["manifests"][0]["digest"].split(":", 1)[1]
    manifest = json.load(open(os.path.join(dst, "blobs", "sha256", mhex)))
    out = []
    for ld in manifest["layers"]:
        hexd = ld["digest"].split(":", 1)[1]
        path = os.path.join(b.blob_dir, "sha256", hexd)
        shutil.copyfile(os.path.join(dst, "blobs", "sha256", hexd), path)
        out.append(describe_blob(path, "zstd", "zstdchunked", dict(ld.get("annotations", {}))))
    shutil.rmtree(work, ignore_errors=True)
    return out


def base_layer():
    l = Layer(compression="none")
    for d in ("bin", "etc", "usr", "usr/bin", "usr/share", "usr/share/doc", "var", "var/lib", "opt", "dev"):
        l.dir(d)
    l.file("bin/sh", content.binary(201, 70000), mode=0o755)
    l.symlink("bin/rbash", "sh")
    l.file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/opt/app:/bin/sh\n")
    l.file("etc/motd", b"eStargz test image\n")
    l.file("etc/empty", b"")
    l.file("etc/shadow", b"root:*:19000:0:99999:7:::\n", mode=0o640, gid=42)
    l.file("usr/bin/setuid-tool", content.binary(202, 3000), mode=0o4755)
    l.hardlink("usr/bin/sh-link", "bin/sh", mode=0o755)
    # several chunks (CHUNK = 64 KiB): 300,000 bytes of text and of random data
    l.file("usr/share/doc/big.txt", content.text(203, 300000))
    l.file("var/lib/blob.bin", content.binary(204, 300001))
    for i in range(40):
        l.file("usr/share/doc/pkg-%02d.txt" % i, content.text(300 + i, 100 + 97 * i))
    long_dir = "opt/" + "a-directory-name-long-enough-for-pax/" * 3
    l.dirs(long_dir.rstrip("/"))
    l.file(long_dir + "file.txt", b"below a long directory\n", uid=1000, gid=1000)
    l.fifo("dev/fifo")
    l.device("dev/null", char=True, major=1, minor=3)
    return l


def upper_layer():
    l = Layer(compression="none")
    l.dir("etc")
    l.file("etc/.wh.motd", b"")
    l.file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/opt/app:/bin/bash\n")
    l.dir("var")
    l.dir("var/lib")
    l.file("var/lib/.wh..wh..opq", b"")
    l.file("var/lib/fresh.txt", b"after the opaque directory\n")
    l.dir("opt")
    l.dir("opt/app", uid=1000, gid=1000)
    l.file("opt/app/app.bin", content.binary(205, 150000), mode=0o755, uid=1000, gid=1000)
    return l


def estargz_footer(toc_offset):
    """The 51-byte eStargz footer: an empty gzip member whose extra subfield SG holds "%016xSTARGZ"."""
    sub = b"%016xSTARGZ" % toc_offset
    extra = b"SG" + len(sub).to_bytes(2, "little") + sub
    return (b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff" + len(extra).to_bytes(2, "little") + extra
            + b"\x01\x00\x00\xff\xff" + b"\x00" * 8)


def split_estargz(path):
    """(data before the TOC, TOC JSON object) of an eStargz blob."""
    data = open(path, "rb").read()
    footer = data[-51:]
    off = int(footer[16:32], 16)
    raw = gzip.decompress(data[off:-51])
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tf:
        toc = json.load(tf.extractfile("stargz.index.json"))
    return data[:off], toc


def rebuild_estargz(b, head, toc, footer_offset=None):
    """A new eStargz blob from the data part and a (possibly edited) TOC; returns (path, toc digest)."""
    tj = json.dumps(toc, indent="\t").encode()
    tarbuf = io.BytesIO()
    with tarfile.open(fileobj=tarbuf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        ti = tarfile.TarInfo("stargz.index.json")
        ti.size = len(tj)
        tf.addfile(ti, io.BytesIO(tj))
    z = zlib.compressobj(6, zlib.DEFLATED, 31)
    member = z.compress(tarbuf.getvalue()) + z.flush()
    blob = head + member + estargz_footer(len(head) if footer_offset is None else footer_offset)
    tmp = os.path.join(b.blob_dir, "toc-bad-%d.tmp" % os.getpid())
    with open(tmp, "wb") as f:
        f.write(blob)
    return store(b.blob_dir, tmp), "sha256:" + hashlib.sha256(tj).hexdigest()


def bad_images(b, est, zc):
    """Layers whose TOC or annotations lie (one base layer each), for the fallback tests:
    lab/toc-bad:digest (toc.digest annotation of another TOC), :offset (big.txt's 2nd chunk offset moved
    into the previous member; TOC digest matches), :size (etc/passwd's size one byte larger; digest matches),
    :footer (footer offset past the end), :position (zstd:chunked manifest-position past the blob end),
    :checksum (zstd:chunked manifest-checksum of other bytes). record["lie"] says which."""
    out = []
    hist = [{"created": "2023-11-14T22:13:20Z", "created_by": "ADD base / # toc lie"}]
    base = est[0]
    head, toc = split_estargz(base["path"])

    def image(layer, tag, lie):
        rec = b.image([layer], {"Cmd": ["sh"]}, hist, oci=True)
        rec["lie"] = lie
        out.append(("anon", "lab/toc-bad", [tag], rec))

    lay = dict(base, annotations=dict(base["annotations"]))
    lay["annotations"][TOC_DIGEST] = "sha256:" + "0" * 64
    image(lay, "digest", "toc.digest annotation of another TOC")

    edited = json.loads(json.dumps(toc))
    chunks = [e for e in edited["entries"] if e["name"] == "usr/share/doc/big.txt"]
    chunks[1]["offset"] -= 7
    path, dig = rebuild_estargz(b, head, edited)
    image(dict(describe_blob(path, "gzip", "estargz", {TOC_DIGEST: dig}), toc_digest=dig), "offset",
          "usr/share/doc/big.txt chunk 1 offset moved 7 bytes back")

    edited = json.loads(json.dumps(toc))
    next(e for e in edited["entries"] if e["name"] == "etc/passwd")["size"] += 1
    path, dig = rebuild_estargz(b, head, edited)
    image(dict(describe_blob(path, "gzip", "estargz", {TOC_DIGEST: dig}), toc_digest=dig), "size",
          "etc/passwd one byte larger in the TOC")

    path, dig = rebuild_estargz(b, head, toc, footer_offset=10 << 30)
    image(dict(describe_blob(path, "gzip", "estargz", {TOC_DIGEST: dig}), toc_digest=dig), "footer",
          "footer TOC offset 10 GiB, past the end")

    if zc:
        z = zc[0]
        key = next(k for k in z["annotations"] if k.endswith("manifest-position"))
        off, length, raw, typ = z["annotations"][key].split(":")
        lay = dict(z, annotations=dict(z["annotations"]))
        lay["annotations"][key] = "%d:%s:%s:%s" % (z["size"] - int(length) + 100, length, raw, typ)
        image(lay, "position", "manifest-position past the blob end")
        lay = dict(z, annotations=dict(z["annotations"]))
        lay["annotations"][key.replace("position", "checksum")] = "sha256:" + "1" * 64
        image(lay, "checksum", "manifest-checksum of other bytes")
    return out


def build_images(b):
    """Returns [(registry key, repository, [tags], record)] or [] with the reason logged (writer missing)."""
    why = writer_unavailable()
    if why:
        common.log("eStargz/zstd:chunked fixtures skipped: " + why)
        return []
    writer = build_writer(b.blob_dir)
    plains = [base_layer().build(b.blob_dir), upper_layer().build(b.blob_dir)]
    hist = [{"created": "2023-11-14T22:13:20Z", "created_by": "ADD base / # toc"},
            {"created": "2023-11-14T22:13:20Z", "created_by": "ADD upper / # toc"}]
    cfg = {"Cmd": ["sh"]}
    out = []

    est = [estargz_layer(b, writer, p, "estargz") for p in plains]
    rec = b.image(est, cfg, hist, oci=True)
    out.append(("anon", "lab/estargz", ["1.0"], rec))
    # the same blobs without annotations: found by the footer probe
    bare = [dict(l, annotations={}) for l in est]
    out.append(("anon", "lab/estargz-bare", ["1.0"], b.image(bare, cfg, hist, oci=True)))
    legacy = [estargz_layer(b, writer, p, "legacy", annotate=False) for p in plains]
    out.append(("anon", "lab/stargz-legacy", ["1.0"], b.image(legacy, cfg, hist, oci=True)))
    szc = [estargz_layer(b, writer, p, "zstdchunked") for p in plains]
    out.append(("anon", "lab/zstdchunked-stargz", ["1.0"], b.image(szc, cfg, hist, oci=True)))
    zc = []
    if shutil.which("skopeo") and layers.zstd_available():
        zc = skopeo_zstd_chunked(b, plains)
        out.append(("anon", "lab/zstdchunked", ["1.0"], b.image(zc, cfg, hist, oci=True)))
    out.extend(bad_images(b, est, zc))
    return out
