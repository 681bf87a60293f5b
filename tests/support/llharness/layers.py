"""Deterministic tar layers (fixed mtimes, owners, order), compressed gzip / zstd / not at all, written
to a content-addressed blob directory while listing each entry (what tests assert against)."""
import hashlib
import io
import os
import shutil
import subprocess
import tarfile
import zlib

MTIME = 1700000000  # 2023-11-14T22:13:20Z: every entry carries it unless told otherwise

TYPE_NAMES = {
    tarfile.REGTYPE: "file", tarfile.AREGTYPE: "file", tarfile.DIRTYPE: "dir", tarfile.SYMTYPE: "symlink",
    tarfile.LNKTYPE: "hardlink", tarfile.CHRTYPE: "char", tarfile.BLKTYPE: "block", tarfile.FIFOTYPE: "fifo",
}


class _Counter:
    """File-like sink: hashes the uncompressed tar (diff_id), counts it, and feeds the compressor."""

    def __init__(self, sink):
        self.sink = sink
        self.sha = hashlib.sha256()
        self.size = 0

    def write(self, data):
        self.sha.update(data)
        self.size += len(data)
        self.sink.write(data)
        return len(data)


class _BlobFile:
    """Compressed output: hashes (digest), counts and writes to a temp file in the blob dir."""

    def __init__(self, path):
        self.f = open(path, "wb")
        self.sha = hashlib.sha256()
        self.size = 0

    def write(self, data):
        if data:
            self.sha.update(data)
            self.size += len(data)
            self.f.write(data)

    def close(self):
        self.f.close()


class _Gzip:
    def __init__(self, out, level):
        # wbits 31: gzip wrapper with mtime 0 and no name, so the output is reproducible.
        self.z = zlib.compressobj(level, zlib.DEFLATED, 31)
        self.out = out

    def write(self, data):
        self.out.write(self.z.compress(data))

    def finish(self):
        self.out.write(self.z.flush())


class _Plain:
    def __init__(self, out):
        self.out = out

    def write(self, data):
        self.out.write(data)

    def finish(self):
        pass


class _Zstd:
    def __init__(self, out, tmp_path, cmd=None):
        self.out = out
        self.tmp_path = tmp_path
        self.cmd = cmd or ["zstd", "-q", "-c", "-3", "--no-progress"]
        self.f = open(tmp_path, "wb")

    def write(self, data):
        self.f.write(data)

    def finish(self):
        self.f.close()
        with subprocess.Popen(self.cmd + [self.tmp_path],
                              stdout=subprocess.PIPE) as p:
            while True:
                chunk = p.stdout.read(1 << 16)
                if not chunk:
                    break
                self.out.write(chunk)
        os.unlink(self.tmp_path)
        if p.returncode != 0:
            raise RuntimeError("zstd failed")


def zstd_available():
    return shutil.which("zstd") is not None


class Layer:
    """Collects entries in order; build() writes the blob and returns its description."""

    def __init__(self, fmt=tarfile.PAX_FORMAT, compression="gzip", level=6, zstd_cmd=None):
        """zstd_cmd: the zstd writer's command line without its input file (default: zstd -3, one frame)."""
        self.fmt = fmt
        self.compression = compression
        self.level = level
        self.zstd_cmd = zstd_cmd
        self.items = []  # (TarInfo, data producer or None)

    def _info(self, path, ttype, mode, uid=0, gid=0, mtime=MTIME):
        ti = tarfile.TarInfo(path)
        ti.type = ttype
        ti.mode = mode
        ti.uid, ti.gid = uid, gid
        ti.uname, ti.gname = ("root", "root") if uid == 0 else ("", "")
        ti.mtime = mtime
        return ti

    def dir(self, path, mode=0o755, **kw):
        self.items.append((self._info(path, tarfile.DIRTYPE, mode, **kw), None))

    def dirs(self, path, **kw):
        """path and each missing parent, parents first (as docker writes them)."""
        parts = path.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            p = "/".join(parts[:i])
            if not any(ti.name == p and ti.type == tarfile.DIRTYPE for ti, _ in self.items):
                self.dir(p, **kw)

    def file(self, path, data, mode=0o644, **kw):
        """data: bytes, or (size, producer) where producer(out_write) writes exactly size bytes."""
        ti = self._info(path, tarfile.REGTYPE, mode, **kw)
        if isinstance(data, (bytes, bytearray)):
            ti.size = len(data)
            self.items.append((ti, bytes(data)))
        else:
            ti.size = data[0]
            self.items.append((ti, data[1]))

    def symlink(self, path, target, **kw):
        ti = self._info(path, tarfile.SYMTYPE, 0o777, **kw)
        ti.linkname = target
        self.items.append((ti, None))

    def hardlink(self, path, target, mode=0o644, **kw):
        ti = self._info(path, tarfile.LNKTYPE, mode, **kw)
        ti.linkname = target
        self.items.append((ti, None))

    def device(self, path, char=True, major=1, minor=3, mode=0o666, **kw):
        ti = self._info(path, tarfile.CHRTYPE if char else tarfile.BLKTYPE, mode, **kw)
        ti.devmajor, ti.devminor = major, minor
        self.items.append((ti, None))

    def fifo(self, path, mode=0o644, **kw):
        self.items.append((self._info(path, tarfile.FIFOTYPE, mode, **kw), None))

    def media_suffix(self):
        return {"gzip": "+gzip", "zstd": "+zstd", "none": ""}[self.compression]

    def build(self, blob_dir):
        """Writes the compressed blob as blob_dir/sha256/<hex>; returns a dict with digest, size, diff_id,
        uncompressed_size, compression, path and entries."""
        os.makedirs(os.path.join(blob_dir, "sha256"), exist_ok=True)
        tmp = os.path.join(blob_dir, "building-%d.tmp" % os.getpid())
        out = _BlobFile(tmp)
        if self.compression == "gzip":
            comp = _Gzip(out, self.level)
        elif self.compression == "zstd":
            comp = _Zstd(out, tmp + ".tar", self.zstd_cmd)
        else:
            comp = _Plain(out)
        counter = _Counter(comp)
        entries = []
        with tarfile.open(fileobj=counter, mode="w|", format=self.fmt, bufsize=1 << 16) as tf:
            for ti, data in self.items:
                header_offset = tf.offset
                entry = {
                    "path": ti.name.rstrip("/") if ti.name not in ("/",) else ti.name,
                    "type": TYPE_NAMES[ti.type], "size": ti.size if ti.isreg() else 0,
                    "mode": "%04o" % ti.mode, "uid": ti.uid, "gid": ti.gid, "mtime": ti.mtime,
                }
                if ti.issym() or ti.islnk():
                    entry["link"] = ti.linkname
                if ti.ischr() or ti.isblk():
                    entry["devmajor"], entry["devminor"] = ti.devmajor, ti.devminor
                if ti.isreg():
                    h = hashlib.sha256()
                    if isinstance(data, bytes):
                        h.update(data)
                        tf.addfile(ti, io.BytesIO(data))
                    else:
                        buf = io.BytesIO()
                        data(buf.write)
                        raw = buf.getvalue()
                        assert len(raw) == ti.size, ti.name
                        h.update(raw)
                        tf.addfile(ti, io.BytesIO(raw))
                    entry["sha256"] = h.hexdigest()
                    entry["offset"] = tf.offset - ((ti.size + 511) // 512) * 512
                else:
                    tf.addfile(ti)
                    entry["offset"] = tf.offset
                entry["header_offset"] = header_offset
                entries.append(entry)
        comp.finish()
        out.close()
        digest = "sha256:" + out.sha.hexdigest()
        final = os.path.join(blob_dir, "sha256", out.sha.hexdigest())
        os.replace(tmp, final)
        return {
            "digest": digest, "size": out.size, "diff_id": "sha256:" + counter.sha.hexdigest(),
            "uncompressed_size": counter.size, "compression": self.compression, "path": final,
            "entries": entries,
        }


def put_blob(blob_dir, data):
    """Stores bytes (configs, manifests) content-addressed; returns (digest, size, path)."""
    os.makedirs(os.path.join(blob_dir, "sha256"), exist_ok=True)
    hexd = hashlib.sha256(data).hexdigest()
    path = os.path.join(blob_dir, "sha256", hexd)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
    return "sha256:" + hexd, len(data), path


def compressed_bound(blob_path, end_offset, step=512):
    """Compressed offset (to step bytes) at which uncompressed byte end_offset-1 has come out of a zlib
    inflater fed in step-byte pieces: the physical bound for carving a file ending there."""
    d = zlib.decompressobj(47)
    produced = 0
    consumed = 0
    with open(blob_path, "rb") as f:
        while True:
            chunk = f.read(step)
            if not chunk:
                return consumed
            consumed += len(chunk)
            produced += len(d.decompress(chunk))
            if produced >= end_offset:
                return consumed


def zstd_frames(blob_path):
    """The frames of a zstd blob, read from the format itself (RFC 8878), not from libzstd's streaming decoder:
    [{"compressed": offset, "uncompressed": offset of its first output byte, "skippable": bool, "size": bytes,
    "dict_id": n}]. Each frame's output size comes from decompressing that frame alone with the zstd CLI."""
    with open(blob_path, "rb") as f:
        data = f.read()
    frames = []
    pos = 0
    out = 0
    while pos < len(data):
        magic = int.from_bytes(data[pos:pos + 4], "little")
        if magic & 0xFFFFFFF0 == 0x184D2A50:
            size = 8 + int.from_bytes(data[pos + 4:pos + 8], "little")
            frames.append({"compressed": pos, "uncompressed": out, "skippable": True, "size": size, "dict_id": 0})
            pos += size
            continue
        if magic != 0xFD2FB528:
            raise RuntimeError("not a zstd frame at %d" % pos)
        fhd = data[pos + 4]
        single = (fhd >> 5) & 1
        did_bytes = (0, 1, 2, 4)[fhd & 3]
        fcs_bytes = (1 if single else 0, 2, 4, 8)[fhd >> 6]
        at = pos + 5 + (0 if single else 1)
        dict_id = int.from_bytes(data[at:at + did_bytes], "little") if did_bytes else 0
        p = at + did_bytes + fcs_bytes
        while True:
            header = int.from_bytes(data[p:p + 3], "little")
            block_type = (header >> 1) & 3
            p += 3 + (1 if block_type == 1 else header >> 3)
            if header & 1:
                break
        if (fhd >> 2) & 1:
            p += 4  # content checksum
        produced = subprocess.run(["zstd", "-d", "-q", "-c"], input=data[pos:p], stdout=subprocess.PIPE,
                                  check=True).stdout
        frames.append({"compressed": pos, "uncompressed": out, "skippable": False, "size": p - pos,
                       "dict_id": dict_id})
        out += len(produced)
        pos = p
    return frames
