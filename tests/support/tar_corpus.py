#!/usr/bin/env python3
"""The archive corpus: the same features written by every real tar writer, with the writers' own answers.

    tar_corpus.py build OUT            build OUT/corpus.json, OUT/archives/*, OUT/ref/<case>/ (extracted by tar -x)
    tar_corpus.py push OUT HOSTPORT    push each case as corpus/<case>:1 (one layer, the archive as written)
    tar_corpus.py compare OUT CASE DIR compare an extraction in DIR with the case's reference; exit 1 on a difference

Each case is a writer (GNU tar in gnu/posix/ustar/v7 with and without -S, bsdtar, busybox tar, Python's tarfile)
and a compressor (none, pigz, zstd, pzstd) over a tree with the features the format can hold: sparse files with
more than 4 data regions, Latin-1 names, a sticky directory, a negative mtime, symlinks and hard links, a path
written twice (tar -r), PAX records with leading zeros (tarfile), a GNU dumpdir (--listed-incremental).
A writer that is not installed is left out and named in corpus.json's "missing".
The reference of a case is what `tar -x` (GNU tar) extracts from it, described entry by entry (names as hex bytes).
"""
import hashlib
import json
import math
import os
import shutil
import stat
import subprocess
import sys
import tarfile

ENV = dict(os.environ, LC_ALL="C", TZ="UTC")
MB = 1 << 20
OLD = -400 * 86400  # 1968-11-27: a negative mtime


def have(tool):
    return shutil.which(tool) is not None


def write(path, data, mode=0o644, mtime=1700000000):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)
    os.utime(path, (mtime, mtime))


def sparse(path, size, regions, mtime=1700000000):
    with open(path, "wb") as f:
        f.truncate(size)
        for i, off in enumerate(regions):
            f.seek(off)
            f.write(bytes([65 + i]) * (5000 + 97 * i))
    os.utime(path, (mtime, mtime))


def make_tree(root, features):
    """root/t with the features asked for; directory mtimes set last."""
    t = os.path.join(root, b"t")
    os.makedirs(os.path.join(t, b"sub"))
    write(os.path.join(t, b"sub", b"plain.txt"), b"plain text\n" * 100)
    write(os.path.join(t, b"exec.sh"), b"#!/bin/sh\necho hi\n", 0o755)
    write(os.path.join(t, b"dup.txt"), b"first copy\n")
    os.symlink(b"sub/plain.txt", os.path.join(t, b"link"))
    os.link(os.path.join(t, b"sub", b"plain.txt"), os.path.join(t, b"hard"))
    if "latin1" in features:
        write(os.path.join(t, b"caf\xe9.txt"), b"latin-1 e acute\n")
        write(os.path.join(t, b"caf\xef.txt"), b"latin-1 i diaeresis\n")
    if "sparse" in features:
        sparse(os.path.join(t, b"sparse.img"), 9 * MB, [i * MB + 4096 * i for i in range(7)])
        sparse(os.path.join(t, b"holes.img"), 3 * MB, [])
    if "negative-mtime" in features:
        write(os.path.join(t, b"old.txt"), b"from 1968\n", mtime=OLD)
    if "sticky" in features:
        os.mkdir(os.path.join(t, b"tmp"))
        os.chmod(os.path.join(t, b"tmp"), 0o1777)
        os.utime(os.path.join(t, b"tmp"), (1600000000, 1600000000))
    os.utime(os.path.join(t, b"sub"), (1500000000, 1500000000))
    os.utime(t, (1500000000, 1500000000))


def run(cmd, cwd, ok=(0,)):
    p = subprocess.run(cmd, cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode not in ok:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(map(str, cmd)), p.returncode, p.stderr.decode(errors="replace")))
    return p.stdout


def tarfile_writer(fmt, leading_zeros):
    def write_archive(src, out):
        with tarfile.open(out, "w", format=fmt) as tf:
            names = []
            for dirpath, dirnames, filenames in os.walk(os.path.join(src, b"t")):
                dirnames.sort()
                names.append(dirpath)
                names += [os.path.join(dirpath, f) for f in sorted(filenames)]
            for n in names:
                info = tf.gettarinfo(n.decode("utf-8", "surrogateescape"),
                                     os.path.relpath(n, src).decode("utf-8", "surrogateescape"))
                if leading_zeros and info.name.endswith("plain.txt"):
                    info.pax_headers = {"uid": "0000000000000000000000000042", "mtime": "00001700000000.5"}
                    info.uid = 42
                if info.isreg():
                    with open(n, "rb") as f:
                        tf.addfile(info, f)
                else:
                    tf.addfile(info)
    return write_archive


def writers():
    """name -> (tool, features, function(src, out))"""
    full = ["latin1", "sparse", "negative-mtime", "sticky"]
    out = {}

    def gnu(fmt, extra, feats):
        return ("tar", feats, lambda src, o: run(["tar", "--format=" + fmt] + extra + ["-cf", o, "t"], src))
    out["gnu-S"] = gnu("gnu", ["-S"], full)
    out["gnu"] = gnu("gnu", [], full)
    for v in ("0.0", "0.1", "1.0"):
        out["posix-S-" + v] = gnu("posix", ["-S", "--sparse-version=" + v], full)
    out["posix"] = gnu("posix", [], full)
    out["ustar"] = gnu("ustar", [], ["latin1", "sticky", "sparse"])
    out["v7"] = gnu("v7", [], ["latin1", "sparse"])
    out["bsdtar"] = ("bsdtar", full, lambda src, o: run(["bsdtar", "-cf", o, "t"], src))
    out["busybox"] = ("busybox", ["latin1", "sticky"], lambda src, o: run(["busybox", "tar", "-cf", o, "t"], src))
    out["python-pax"] = ("python3", ["latin1", "negative-mtime", "sticky"], tarfile_writer(tarfile.PAX_FORMAT, True))
    out["python-gnu"] = ("python3", ["latin1", "negative-mtime", "sticky"], tarfile_writer(tarfile.GNU_FORMAT, False))
    return out


COMPRESSORS = {
    "": None,
    "pigz": ("pigz", ["pigz", "-c", "-6"]),
    "zstd": ("zstd", ["zstd", "-c", "-q", "-3"]),
    "pzstd": ("pzstd", ["pzstd", "-c", "-q", "-p", "2"]),
}
# Which writers get which compressors (every compressor at least once, the rest plain).
COMPRESSED = {"gnu-S": ["pigz"], "posix-S-1.0": ["zstd"], "bsdtar": ["pzstd", "pigz"], "python-pax": ["zstd"]}


def describe(root):
    """Every entry below root as tar -x left it: names as hex bytes."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            rel = os.path.relpath(full, root)
            e = {"path": rel.hex(), "display": rel.decode("utf-8", "backslashreplace"), "mode": st.st_mode & 0o7777,
                 "mtime": math.floor(st.st_mtime)}
            if stat.S_ISDIR(st.st_mode):
                e["type"] = "dir"
            elif stat.S_ISLNK(st.st_mode):
                e["type"] = "symlink"
                e["link"] = os.readlink(full).hex()
            elif stat.S_ISREG(st.st_mode):
                e["type"] = "file"
                e["size"] = st.st_size
                h = hashlib.sha256()
                with open(full, "rb") as f:
                    for chunk in iter(lambda: f.read(MB), b""):
                        h.update(chunk)
                e["sha256"] = h.hexdigest()
            else:
                e["type"] = "other"
            out.append(e)
    return out


def build(out_dir):
    out_dir = os.path.abspath(out_dir).encode()
    archives = os.path.join(out_dir, b"archives")
    os.makedirs(archives, exist_ok=True)
    cases, missing = [], []
    for wname, (tool, feats, fn) in writers().items():
        if not have(tool):
            missing.append(wname)
            continue
        src = os.path.join(out_dir, b"src", wname.encode())
        make_tree(src, feats)
        tar_path = os.path.join(archives, wname.encode() + b".tar")
        fn(src, tar_path)
        variants = [("", tar_path)]
        for comp in COMPRESSED.get(wname, []):
            ctool, cmd = COMPRESSORS[comp]
            if not have(ctool):
                missing.append(wname + "+" + comp)
                continue
            with open(tar_path, "rb") as f:
                data = subprocess.run(cmd, input=f.read(), stdout=subprocess.PIPE, check=True).stdout
            cpath = tar_path + b"." + comp.encode()
            with open(cpath, "wb") as f:
                f.write(data)
            variants.append((comp, cpath))
        for comp, path in variants:
            cases.append({"name": wname + ("+" + comp if comp else ""), "writer": wname, "compression": comp or "none",
                          "features": feats, "archive": path.decode(), "tar": tar_path.decode()})
    # A path written twice: tar -r appends a second copy; the last one wins.
    if have("tar"):
        src = os.path.join(out_dir, b"src", b"dup")
        make_tree(src, [])
        path = os.path.join(archives, b"gnu-append.tar")
        run(["tar", "--format=gnu", "-cf", path, "t"], src)
        write(os.path.join(src, b"t", b"dup.txt"), b"second copy, the one that wins\n", mtime=1700000100)
        run(["tar", "--format=gnu", "-rf", path, "t/dup.txt"], src)
        cases.append({"name": "gnu-append", "writer": "gnu", "compression": "none", "features": ["duplicate"],
                      "archive": path.decode(), "tar": path.decode()})
        # The same with 6 MiB appended between the two copies: a carve that stops at the first copy misses the
        # second unless it reads the layer to its end.
        src = os.path.join(out_dir, b"src", b"dup-far")
        make_tree(src, [])
        path = os.path.join(archives, b"gnu-append-far.tar")
        run(["tar", "--format=gnu", "-cf", path, "t"], src)
        with open(os.path.join(src, b"t", b"far.bin"), "wb") as f:
            f.write(hashlib.shake_256(b"layerslayer far").digest(6 * MB))  # incompressible, deterministic
        os.utime(os.path.join(src, b"t", b"far.bin"), (1700000050, 1700000050))
        run(["tar", "--format=gnu", "-rf", path, "t/far.bin"], src)
        write(os.path.join(src, b"t", b"dup.txt"), b"second copy, the one that wins\n", mtime=1700000100)
        run(["tar", "--format=gnu", "-rf", path, "t/dup.txt"], src)
        cases.append({"name": "gnu-append-far", "writer": "gnu", "compression": "none", "features": ["duplicate"],
                      "archive": path.decode(), "tar": path.decode()})
        # GNU dumpdir: --listed-incremental writes 'D' members for directories.
        src = os.path.join(out_dir, b"src", b"incremental")
        make_tree(src, [])
        path = os.path.join(archives, b"gnu-incremental.tar")
        run(["tar", "--format=gnu", "--listed-incremental=" + os.path.join(src, b"snar").decode(), "-cf", path, "t"], src)
        cases.append({"name": "gnu-incremental", "writer": "gnu", "compression": "none", "features": ["dumpdir"],
                      "archive": path.decode(), "tar": path.decode()})
    for c in cases:
        ref = os.path.join(out_dir, b"ref", c["name"].encode())
        os.makedirs(ref)
        # The writer's own extraction where it has one (bsdtar), else GNU tar's (as root: modes with the sticky
        # bit, numeric owners, mtimes). GNU tar sets a directory's mtime before bsdtar's late hard link into it.
        if c["writer"] == "bsdtar":
            run(["bsdtar", "-x", "-p", "--numeric-owner", "-f", c["tar"], "-C", ref], out_dir)
        else:
            run(["tar", "-x", "-p", "--numeric-owner", "-f", c["tar"], "-C", ref], out_dir, ok=(0, 2))
        c["reference"] = describe(ref)
    with open(os.path.join(out_dir, b"corpus.json"), "w") as f:
        json.dump({"cases": cases, "missing": missing}, f, indent=1)
    print(os.path.join(out_dir, b"corpus.json").decode())


def load(out_dir):
    with open(os.path.join(out_dir, "corpus.json")) as f:
        return json.load(f)


def push(out_dir, hostport):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from llharness.pusher import Pusher
    p = Pusher(hostport)
    for c in load(out_dir)["cases"]:
        repo = "corpus/" + c["name"].replace("+", "-").replace(".", "-").lower()
        with open(c["archive"], "rb") as f:
            blob = f.read()
        ldig = "sha256:" + hashlib.sha256(blob).hexdigest()
        with open(c["tar"], "rb") as f:
            diff = "sha256:" + hashlib.sha256(f.read()).hexdigest()
        config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [diff]},
                             "config": {}}).encode()
        cdig = "sha256:" + hashlib.sha256(config).hexdigest()
        media = {"none": "application/vnd.oci.image.layer.v1.tar", "pigz": "application/vnd.oci.image.layer.v1.tar+gzip",
                 "zstd": "application/vnd.oci.image.layer.v1.tar+zstd", "pzstd": "application/vnd.oci.image.layer.v1.tar+zstd"}
        manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                               "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cdig,
                                          "size": len(config)},
                               "layers": [{"mediaType": media[c["compression"]], "digest": ldig, "size": len(blob)}]}).encode()
        p.push_blob(repo, ldig, len(blob), data=blob)
        p.push_blob(repo, cdig, len(config), data=config)
        p.push_manifest(repo, "1", "application/vnd.oci.image.manifest.v1+json", manifest)
        print("%s/%s:1 %s" % (hostport, repo, c["name"]))
    p.close()


def compare(out_dir, name, ours):
    case = next(c for c in load(out_dir)["cases"] if c["name"] == name)
    want = {e["path"]: e for e in case["reference"]}
    got = {e["path"]: e for e in describe(ours.encode())}
    problems = []
    for path in sorted(set(want) | set(got)):
        w, g = want.get(path), got.get(path)
        shown = bytes.fromhex(path).decode("utf-8", "backslashreplace")
        if not w or not g:
            problems.append("%s: %s" % (shown, "missing" if w else "extra"))
            continue
        for key in ("type", "size", "sha256", "link"):
            if w.get(key) != g.get(key):
                problems.append("%s: %s %r, tar -x %r" % (shown, key, g.get(key), w.get(key)))
        if w["type"] != "symlink":
            # setuid/setgid are dropped unless asked (tar -x as root keeps them); the sticky bit is kept on dirs
            if (w["mode"] & 0o1777) != (g["mode"] & 0o1777):
                problems.append("%s: mode %o, tar -x %o" % (shown, g["mode"], w["mode"]))
            if w["mtime"] != g["mtime"]:
                problems.append("%s: mtime %d, tar -x %d" % (shown, g["mtime"], w["mtime"]))
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "build":
        build(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "push":
        push(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 5 and sys.argv[1] == "compare":
        sys.exit(compare(sys.argv[2], sys.argv[3], sys.argv[4]))
    else:
        sys.exit(__doc__)
