"""Fixture images: built deterministically at harness start, pushed through the registry API, described
in fixtures.json (references, digests, per-layer entries, expected merged view) for tests to assert on."""
import json
import os
import shutil
import tarfile

from . import content, huntfleet, layers, toc
from .layers import Layer

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
INTOTO = "application/vnd.in-toto+json"

FIXTURES_VERSION = 1
CREATED = "2023-11-14T22:13:20Z"


def dumps(obj):
    return json.dumps(obj, indent=3).encode()


class Builder:
    def __init__(self, blob_dir, zstd=True):
        self.blob_dir = blob_dir
        self.zstd = zstd and layers.zstd_available()

    # -- images ---------------------------------------------------------------------------------------
    def image(self, built_layers, config_extra, history, oci=False, platform=None):
        """One single-platform image. built_layers: Layer.build() dicts. Returns the fixture record plus the
        blobs to push under '_blobs' and the manifest bytes under '_manifest'."""
        platform = platform or {"os": "linux", "architecture": "amd64"}
        cfg = {"architecture": platform["architecture"], "os": platform["os"]}
        if platform.get("variant"):
            cfg["variant"] = platform["variant"]
        cfg["created"] = CREATED
        cfg["config"] = config_extra
        cfg["rootfs"] = {"type": "layers", "diff_ids": [l["diff_id"] for l in built_layers]}
        cfg["history"] = history
        cfg_bytes = dumps(cfg)
        cdig, csize, cpath = layers.put_blob(self.blob_dir, cfg_bytes)
        layer_descs = []
        for l in built_layers:
            if oci:
                mt = OCI_LAYER + {"gzip": "+gzip", "zstd": "+zstd", "none": ""}[l["compression"]]
            else:
                mt = DOCKER_LAYER
            layer_descs.append({"mediaType": mt, "size": l["size"], "digest": l["digest"]})
            if l.get("annotations"):
                layer_descs[-1]["annotations"] = l["annotations"]
        manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST if oci else DOCKER_MANIFEST,
                    "config": {"mediaType": OCI_CONFIG if oci else DOCKER_CONFIG, "size": csize, "digest": cdig},
                    "layers": layer_descs}
        mbytes = dumps(manifest)
        mdig, msize, _ = layers.put_blob(self.blob_dir, mbytes)
        deleted = []
        # history index -> layer index, as the client must derive it
        li = 0
        hist = []
        for h in history:
            e = dict(h)
            if h.get("empty_layer"):
                e["layer"] = None
            else:
                e["layer"] = li
                li += 1
            hist.append(e)
        assert li == len(built_layers), "history must have one non-empty entry per layer"
        rec = {
            "mediaType": manifest["mediaType"], "digest": mdig, "size": msize, "platform": platform,
            "config": {"digest": cdig, "size": csize, "mediaType": manifest["config"]["mediaType"], "content": cfg,
                       "path": cpath},
            "layers": [dict(index=i, mediaType=d["mediaType"], **{k: v for k, v in l.items()})
                       for i, (d, l) in enumerate(zip(layer_descs, built_layers))],
            "history": hist,
            "merged": merged_view(built_layers, deleted),
            "deleted": deleted,
            "_blobs": [(cdig, csize, cpath)] + [(l["digest"], l["size"], l["path"]) for l in built_layers],
            "_manifest": mbytes,
        }
        return rec

    def index(self, children, oci=False, extra=None):
        """children: list of (image record, descriptor extras: platform/annotations)."""
        manifests = []
        for rec, extra_desc in children:
            d = {"mediaType": rec["mediaType"], "size": rec["size"], "digest": rec["digest"]}
            d.update(extra_desc)
            manifests.append(d)
        idx = {"schemaVersion": 2, "mediaType": OCI_INDEX if oci else DOCKER_LIST, "manifests": manifests}
        if extra:
            idx.update(extra)
        ibytes = dumps(idx)
        dig, size, _ = layers.put_blob(self.blob_dir, ibytes)
        return {
            "mediaType": idx["mediaType"], "digest": dig, "size": size,
            "manifests": [dict(desc, image=strip_private(rec)) for desc, (rec, _) in zip(manifests, children)],
            "_children": [rec for rec, _ in children],
            "_manifest": ibytes,
        }


def strip_private(rec):
    return {k: v for k, v in rec.items() if not k.startswith("_")}


def merged_view(built_layers, deleted=None):
    """Applies layers bottom-up with OCI whiteouts; returns the visible entries with their origin layer.
    deleted (a list) receives {"path", "layer" (where it was), "deleted_by"} for entries removed by upper layers."""
    view = {}

    def remove(k, li):
        if deleted is not None:
            deleted.append({"path": k, "type": view[k]["type"], "layer": view[k]["layer"], "deleted_by": li})
        del view[k]

    for li, l in enumerate(built_layers):
        for e in l["entries"]:
            p = e["path"].lstrip("./") if e["path"].startswith("./") else e["path"]
            base = p.rsplit("/", 1)
            parent, name = (base[0], base[1]) if len(base) == 2 else ("", base[0])
            if name == ".wh..wh..opq":
                prefix = parent + "/"
                for k in [k for k in view if k.startswith(prefix) and view[k]["layer"] < li]:
                    remove(k, li)
                continue
            if name.startswith(".wh."):
                victim = (parent + "/" if parent else "") + name[4:]
                for k in [k for k in view if k == victim or k.startswith(victim + "/")]:
                    remove(k, li)
                continue
            if e["type"] != "dir" and p in view and view[p]["type"] == "dir":
                for k in [k for k in view if k.startswith(p + "/")]:
                    del view[k]
            m = {"path": p, "type": e["type"], "layer": li, "size": e["size"]}
            for k in ("sha256", "link", "mode"):
                if k in e:
                    m[k] = e[k]
            view[p] = m
    return [view[k] for k in sorted(view)]


# -- layer contents ---------------------------------------------------------------------------------------

PASSWD0 = (b"root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
           b"bin:x:2:2:bin:/bin:/usr/sbin/nologin\nsys:x:3:3:sys:/dev:/usr/sbin/nologin\n"
           b"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
PASSWD1 = PASSWD0 + b"app:x:1000:1000:Layerslayer app:/opt/app:/bin/sh\n"
GROUP0 = b"root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nshadow:x:42:\nnogroup:x:65534:\n"
GROUP1 = GROUP0 + b"app:x:1000:\n"
OS_RELEASE = (b'PRETTY_NAME="Layerslayer Test OS 1.0"\nNAME="Layerslayer Test OS"\nVERSION_ID="1.0"\n'
              b'ID=lltest\nHOME_URL="https://example.invalid/"\n')
LONG_DIR = ("usr/lib/x86_64-linux-gnu/perl5/5.36/unicore/lib/a-directory-name-long-enough-that-the-whole-path-"
            "exceeds-the-ustar-one-hundred-character-limit")


def app_layers(b):
    l0 = Layer(fmt=tarfile.PAX_FORMAT)
    for d in ("bin", "etc", "opt", "root", "tmp", "usr", "usr/bin", "usr/lib", "usr/share", "usr/share/doc",
              "usr/share/zoneinfo", "var", "var/cache", "var/cache/apt", "var/cache/apt/archives",
              "var/cache/apt/archives/partial"):
        l0.dir(d, mode={"root": 0o700, "tmp": 0o1777}.get(d, 0o755))
    l0.file("bin/sh", content.binary(101, 65536), mode=0o755)
    l0.symlink("bin/rbash", "sh")
    l0.file("etc/passwd", PASSWD0)
    l0.file("etc/group", GROUP0)
    l0.file("etc/shadow", b"root:*:19000:0:99999:7:::\n", mode=0o640, gid=42)
    l0.file("etc/os-release", OS_RELEASE)
    l0.file("etc/hostname", b"lltest\n")
    l0.file("etc/motd", b"Welcome to the Layerslayer test OS.\n")
    l0.symlink("etc/localtime", "/usr/share/zoneinfo/UTC")
    l0.file("usr/share/zoneinfo/UTC", b"TZif2\0UTC\n")
    l0.file("usr/bin/perl", content.binary(102, 20000), mode=0o755)
    l0.hardlink("usr/bin/perl5.36.0", "usr/bin/perl", mode=0o755)
    for i in range(80):
        d = "usr/share/doc/pkg-%02d" % i
        l0.dir(d)
        l0.file(d + "/copyright", b"Copyright: pkg-%02d authors\nLicense: MIT\n" % i)
        l0.file(d + "/changelog", content.text(1000 + i, 200 + 37 * i))
        l0.file(d + "/README", b"pkg-%02d readme\n" % i)
    l0.dirs(LONG_DIR)
    l0.file(LONG_DIR + "/file.txt", b"a file below a long directory\n")
    l0.file("var/cache/apt/pkgcache.bin", content.binary(103, 30000))
    l0.file("var/cache/apt/srcpkgcache.bin", content.binary(104, 20000))
    l0.file("var/cache/apt/archives/lock", b"")

    l1 = Layer()
    l1.dir("etc")
    l1.file("etc/passwd", PASSWD1)
    l1.file("etc/group", GROUP1)
    l1.dir("opt")
    l1.dir("opt/app", uid=1000, gid=1000)
    l1.file("opt/app/config.yaml", b"listen: 0.0.0.0:8080\nlog_level: info\nfeatures:\n  - carve\n  - peek\n",
            uid=1000, gid=1000)

    l2 = Layer()
    l2.dir("etc")
    l2.file("etc/.wh.motd", b"")
    l2.dir("var")
    l2.dir("var/cache")
    l2.dir("var/cache/apt")
    l2.file("var/cache/apt/.wh..wh..opq", b"")
    l2.file("var/cache/apt/fresh.bin", b"fresh apt cache after the opaque directory\n")

    l3 = Layer()
    l3.dir("usr")
    l3.dir("usr/local")
    l3.dir("usr/local/bin")
    l3.file("usr/local/bin/app", content.binary(105, 262144), mode=0o755)
    l3.file("etc/app.conf", b"mode=production\n", mode=0o600, uid=1000, gid=1000)
    return [l.build(b.blob_dir) for l in (l0, l1, l2, l3)]


def app11_top_layer(b):
    """lab/app:1.1 = lab/app:1.0's first three layers (shared) and this one in place of its top layer: etc/hostname
    whited out, etc/app.conf re-written (another size), opt/app made opaque with a new file in it, the same
    usr/local/bin/app, a new usr/local/bin/tool (for --diff and the compare view)."""
    l = Layer()
    l.dir("etc")
    l.file("etc/.wh.hostname", b"")
    l.file("etc/app.conf", b"mode=production\nworkers=4\n", mode=0o600, uid=1000, gid=1000)
    l.dir("opt")
    l.dir("opt/app", uid=1000, gid=1000)
    l.file("opt/app/.wh..wh..opq", b"")
    l.file("opt/app/settings.toml", b"[server]\nport = 8080\n", uid=1000, gid=1000)
    l.dir("usr")
    l.dir("usr/local")
    l.dir("usr/local/bin")
    l.file("usr/local/bin/app", content.binary(105, 262144), mode=0o755)
    l.file("usr/local/bin/tool", content.binary(106, 5000), mode=0o755)
    return l.build(b.blob_dir)


APP_HISTORY = [
    {"created": CREATED, "created_by": "/bin/sh -c #(nop) ADD file:0123456789abcdef in / "},
    {"created": CREATED, "created_by": '/bin/sh -c #(nop)  CMD ["sh"]', "empty_layer": True},
    {"created": CREATED, "created_by": "/bin/sh -c #(nop)  ENV APP_HOME=/opt/app", "empty_layer": True},
    {"created": CREATED, "created_by": "/bin/sh -c useradd -u 1000 app && mkdir -p /opt/app && cp config.yaml /opt/app/"},
    {"created": CREATED, "created_by": "/bin/sh -c #(nop)  LABEL org.opencontainers.image.title=lab-app",
     "empty_layer": True},
    {"created": CREATED, "created_by": "/bin/sh -c #(nop)  EXPOSE 8080/tcp", "empty_layer": True},
    {"created": CREATED, "created_by": "/bin/sh -c rm /etc/motd && rm -rf /var/cache/apt/* && touch /var/cache/apt/fresh.bin",
     "comment": "cleanup"},
    {"created": CREATED, "created_by": "/bin/sh -c #(nop) WORKDIR /opt/app", "empty_layer": True},
    {"created": CREATED, "created_by": "/bin/sh -c #(nop) COPY file:fedcba9876543210 in /usr/local/bin/app "},
    {"created": CREATED, "created_by": "/bin/sh -c #(nop)  USER app", "empty_layer": True},
    {"created": CREATED, "created_by": '/bin/sh -c #(nop)  ENTRYPOINT ["/usr/local/bin/app"]', "empty_layer": True},
    {"created": CREATED, "created_by": '/bin/sh -c #(nop)  CMD ["--serve"]', "empty_layer": True},
]
APP_CONFIG = {
    "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "APP_HOME=/opt/app"],
    "Cmd": ["--serve"], "Entrypoint": ["/usr/local/bin/app"], "WorkingDir": "/opt/app", "User": "app",
    "Labels": {"org.opencontainers.image.title": "lab-app", "org.opencontainers.image.version": "1.0"},
    "ExposedPorts": {"8080/tcp": {}},
}


def small_image(b, files, tag_text, oci=False, platform=None, compression="gzip"):
    l = Layer(compression=compression)
    for path, data in files:
        parent = path.rsplit("/", 1)[0] if "/" in path else None
        if parent:
            l.dirs(parent)
        l.file(path, data)
    history = [{"created": CREATED, "created_by": "/bin/sh -c #(nop) ADD %s" % tag_text},
               {"created": CREATED, "created_by": '/bin/sh -c #(nop)  CMD ["sh"]', "empty_layer": True}]
    return b.image([l.build(b.blob_dir)], {"Cmd": ["sh"], "Env": ["PATH=/usr/bin:/bin"]}, history, oci=oci,
                   platform=platform)


ARCH_NAMES = {"amd64": "x86_64", "arm64": "aarch64", "arm": "armv7l", "386": "i686"}


def oci_platform_image(b, platform):
    arch = platform["architecture"]
    l0 = Layer()
    l0.dir("etc")
    l0.file("etc/arch", (ARCH_NAMES.get(arch, arch) + "\n").encode())
    l0.file("etc/os-release", OS_RELEASE)
    l0.dir("bin")
    l0.file("bin/hello", content.binary(200 + sum(arch.encode()), 4096) + arch.encode(),
            mode=0o755)
    l1 = Layer(fmt=tarfile.GNU_FORMAT, compression="none")
    l1.dir("usr")
    l1.dir("usr/share")
    l1.dir("usr/share/oci")
    l1.file("usr/share/oci/readme.txt", b"uncompressed layer for %s\n" % arch.encode())
    longdir = "usr/share/oci/" + "gnu-long-name-" * 8
    l1.dirs(longdir)
    l1.file(longdir + "/long.txt", b"GNU long name entry\n")
    l2 = Layer(compression="zstd" if b.zstd else "gzip")
    l2.dir("opt")
    l2.dir("opt/zstd")
    l2.file("opt/zstd/data.txt", content.text(300 + sum(arch.encode()), 200000))
    l2.file("opt/zstd/arch.txt", arch.encode() + b"\n")
    history = [
        {"created": CREATED, "created_by": "ADD rootfs.tar.gz / # buildkit", "comment": "buildkit.dockerfile.v0"},
        {"created": CREATED, "created_by": "ENV LANG=C.UTF-8", "comment": "buildkit.dockerfile.v0", "empty_layer": True},
        {"created": CREATED, "created_by": "COPY readme.txt /usr/share/oci/ # buildkit", "comment": "buildkit.dockerfile.v0"},
        {"created": CREATED, "created_by": "RUN generate-data # buildkit", "comment": "buildkit.dockerfile.v0"},
        {"created": CREATED, "created_by": 'CMD ["/bin/hello"]', "comment": "buildkit.dockerfile.v0", "empty_layer": True},
    ]
    cfg = {"Env": ["PATH=/usr/bin:/bin", "LANG=C.UTF-8"], "Cmd": ["/bin/hello"],
           "Labels": {"org.opencontainers.image.source": "https://example.invalid/lab/oci"}}
    return b.image([l.build(b.blob_dir) for l in (l0, l1, l2)], cfg, history, oci=True, platform=platform)


def attestation(b, subject_digest, name="lab/oci"):
    stmt = json.dumps({"_type": "https://in-toto.io/Statement/v0.1", "predicateType": "https://spdx.dev/Document",
                       "subject": [{"name": name, "digest": {"sha256": subject_digest[7:]}}],
                       "predicate": {"spdxVersion": "SPDX-2.3"}}).encode()
    sdig, ssize, spath = layers.put_blob(b.blob_dir, stmt)
    cfg = dumps({"architecture": "unknown", "os": "unknown", "config": {}, "rootfs": {"type": "layers", "diff_ids": [sdig]}})
    cdig, csize, cpath = layers.put_blob(b.blob_dir, cfg)
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": {"mediaType": OCI_CONFIG, "digest": cdig, "size": csize},
                "layers": [{"mediaType": INTOTO, "digest": sdig, "size": ssize,
                            "annotations": {"in-toto.io/predicate-type": "https://spdx.dev/Document"}}]}
    mbytes = dumps(manifest)
    mdig, msize, _ = layers.put_blob(b.blob_dir, mbytes)
    return {"mediaType": OCI_MANIFEST, "digest": mdig, "size": msize,
            "platform": {"os": "unknown", "architecture": "unknown"},
            "config": {"digest": cdig, "size": csize, "mediaType": OCI_CONFIG},
            "layers": [{"index": 0, "digest": sdig, "size": ssize, "mediaType": INTOTO}],
            "_blobs": [(cdig, csize, cpath), (sdig, ssize, spath)], "_manifest": mbytes}


def hostile_layers(b):
    l0 = Layer()
    l0.dir("etc")
    l0.file("etc/passwd", PASSWD0)
    l0.dir("safe")
    l0.file("safe/readme.txt", b"the only safe file\n")
    l1 = Layer()
    l1.file("../../evil", b"written outside by ..\n")
    l1.file("/abs/path", b"absolute path entry\n")
    l1.file("safe/../../dotdot-inside", b"traversal through a safe dir\n")
    l1.symlink("escape", "/etc")
    l1.file("escape/passwd", b"pwned through a symlink\n")
    l1.symlink("relescape", "../../../../../tmp")
    l1.file("relescape/ll-hostile-rel", b"pwned through a relative symlink\n")
    l1.hardlink("link-out", "../../outside")
    l1.hardlink("abs-hardlink", "/etc/shadow")
    l1.dir("dev")
    l1.device("dev/evil-null", char=True, major=1, minor=3)
    l1.device("dev/evil-sda", char=False, major=8, minor=0, mode=0o660)
    l1.fifo("dev/evil-fifo")
    l1.dir("bin")
    l1.file("bin/suid", b"#!/bin/sh\necho suid\n", mode=0o4755)
    l1.file("bin/sgid", b"#!/bin/sh\necho sgid\n", mode=0o2755)
    l1.file("bin/world-writable", b"chmod 777\n", mode=0o777)
    return [l.build(b.blob_dir) for l in (l0, l1)]


def big_layer(b, mb, level, compression="gzip", zstd_cmd=None):
    """One large gzip layer: ~4 MiB of mixed files, data/needle.bin, more files up to mb MiB, data/needle-end.bin.
    compression="zstd" with zstd_cmd: the same files through that zstd writer (e.g. pzstd: several frames)."""
    pool = content.Pool()
    l = Layer(level=level, compression=compression, zstd_cmd=zstd_cmd)
    l.dir("data")
    l.dir("data/bin")
    l.dir("data/txt")
    r = content.rng(4242)
    total = mb << 20
    pos = 0
    i = 0
    needle_done = False

    def add(name, kind, size):
        off = r.randrange(1 << 22)
        l.file(name, (size, lambda w, kind=kind, off=off, size=size: w(pool.chunk(kind, off, size))))

    while pos < total:
        if not needle_done and pos >= (4 << 20) - (256 << 10):
            needle = b"NEEDLE-START\n" + content.binary(4343, 65536 - 26) + b"\nNEEDLE-END\n"
            l.file("data/needle.bin", needle)
            pos += len(needle) + 512
            needle_done = True
            continue
        size = r.choice((4096, 16384, 65536, 131072, 262144, 524288, 1048576))
        kind = "random" if r.random() < 0.5 else "text"
        add("data/%s/file-%05d.%s" % ("bin" if kind == "random" else "txt", i, "bin" if kind == "random" else "txt"),
            kind, size)
        pos += size + 512
        i += 1
    end_needle = b"END-NEEDLE-START\n" + content.binary(4444, 32768) + b"\nEND-NEEDLE-END\n"
    l.file("data/needle-end.bin", end_needle)
    built = l.build(b.blob_dir)
    needle = next(e for e in built["entries"] if e["path"] == "data/needle.bin")
    if compression == "zstd":
        built["frames"] = layers.zstd_frames(built["path"])
        built["needle"] = {"path": needle["path"], "offset": needle["offset"], "size": needle["size"],
                           "end": needle["offset"] + needle["size"]}
        return built
    built["needle"] = {"path": needle["path"], "offset": needle["offset"], "size": needle["size"],
                       "end": needle["offset"] + needle["size"],
                       "compressed_bound": layers.compressed_bound(built["path"], needle["offset"] + needle["size"])}
    return built


# -- the fixture set -----------------------------------------------------------------------------------------

def build_all(blob_dir, big_mb=24, big_level=6, cache=None):
    """Returns [(registry key, repository, [tags], record)]; records keep '_'-keys for the pusher."""
    b = Builder(blob_dir)
    out = []
    app_built = app_layers(b)
    app = b.image(app_built, APP_CONFIG, APP_HISTORY)
    out.append(("anon", "lab/app", ["1.0"], app))
    out.append(("anon", "lab/app", ["1.1"], b.image(app_built[:3] + [app11_top_layer(b)], APP_CONFIG, APP_HISTORY)))

    plats = [{"os": "linux", "architecture": "amd64"}, {"os": "linux", "architecture": "arm64", "variant": "v8"}]
    imgs = [oci_platform_image(b, p) for p in plats]
    att = attestation(b, imgs[0]["digest"])
    children = [(img, {"platform": p}) for img, p in zip(imgs, plats)]
    children.append((att, {"platform": {"os": "unknown", "architecture": "unknown"},
                           "annotations": {"vnd.docker.reference.digest": imgs[0]["digest"],
                                           "vnd.docker.reference.type": "attestation-manifest"}}))
    oci = b.index(children, oci=True)
    oci["zstd"] = b.zstd
    out.append(("anon", "lab/oci", ["1.0"], oci))

    mplats = [{"os": "linux", "architecture": "amd64"}, {"os": "linux", "architecture": "arm", "variant": "v6"},
              {"os": "linux", "architecture": "arm", "variant": "v7"},
              {"os": "linux", "architecture": "arm64", "variant": "v8"}]
    mimgs = []
    for p in mplats:
        label = "/".join(v for v in (p["os"], p["architecture"], p.get("variant")) if v)
        mimgs.append(small_image(b, [("etc/arch", (label + "\n").encode()),
                                     ("etc/os-release", OS_RELEASE)], "multi " + label, platform=p))
    out.append(("anon", "lab/multi", ["1.0"], b.index([(img, {"platform": p}) for img, p in zip(mimgs, mplats)])))

    big = None
    key = "big-%d-%d-v%d.json" % (big_mb, big_level, FIXTURES_VERSION)
    cached = os.path.join(blob_dir, key)
    if os.path.exists(cached):
        big = json.load(open(cached))
        if not os.path.exists(big["path"]):
            big = None
    if big is None:
        big = big_layer(b, big_mb, big_level)
        with open(cached, "w") as f:
            json.dump(big, f)
    bigimg = b.image([big], {"Cmd": ["sh"]}, [{"created": CREATED, "created_by": "ADD big-data / # big"}])
    bigimg["needle"] = big["needle"]
    bigimg["big_layer_mb"] = big_mb
    out.append(("anon", "lab/big", ["1.0"], bigimg))

    if b.zstd and shutil.which("pzstd"):
        out += big_zstd_images(b, big_mb)

    tagged = small_image(b, [("etc/tagged", b"tag fixture\n")], "tags")
    out.append(("anon", "lab/tags", ["t%02d" % i for i in range(1, 26)], tagged))

    out.append(("anon", "lab/hostile", ["1.0"], b.image(hostile_layers(b), {"Cmd": ["sh"]}, [
        {"created": CREATED, "created_by": "ADD base / # hostile base"},
        {"created": CREATED, "created_by": "ADD evil.tar / # hostile entries"}])))

    for i in range(1, 7):
        out.append(("anon", "catalog/repo%02d" % i, ["1.0"],
                    small_image(b, [("etc/repo", b"catalog repo %02d\n" % i)], "catalog %02d" % i)))

    out.append(("token", "public/hello", ["1.0"],
                small_image(b, [("hello.txt", b"Hello from public/hello\n")], "hello")))
    out.append(("token", "private/secret", ["1.0"],
                small_image(b, [("secret.txt", b"The secret of private/secret\n")], "secret")))
    out += huntfleet.test_set(b)
    out.append(("basic", "private/basic", ["1.0"],
                small_image(b, [("basic.txt", b"Behind htpasswd basic auth\n")], "basic")))
    # A multi-arch index behind htpasswd (lab/multi's images): a hunt of every platform after a sign-in.
    out.append(("basic", "private/multi", ["1.0"], b.index([(img, {"platform": p}) for img, p in zip(mimgs, mplats)])))
    out.extend(toc.build_images(b))
    return out


def big_zstd_images(b, mb):
    """lab/bigzstd:1.0 and :single, OCI, one +zstd layer each with lab/big's files (mb MiB): pzstd -1 -p 2 (a frame
    per 2 MiB of tar, each after a skippable frame) and plain zstd -3 (one frame). record.frames (per layer too):
    the pzstd blob's frames as the format gives them."""
    result = []
    for tag, cmd in (("1.0", ["pzstd", "-q", "-1", "-p", "2", "-c"]), ("single", None)):
        key = "bigzstd-%s-%d-v%d.json" % (tag, mb, FIXTURES_VERSION)
        cached = os.path.join(b.blob_dir, key)
        built = None
        if os.path.exists(cached):
            built = json.load(open(cached))
            if not os.path.exists(built["path"]):
                built = None
        if built is None:
            built = big_layer(b, mb, 6, compression="zstd", zstd_cmd=cmd)
            with open(cached, "w") as f:
                json.dump(built, f)
        img = b.image([built], {"Cmd": ["sh"]}, [{"created": CREATED, "created_by": "ADD big-data / # zstd"}],
                      oci=True)
        img["needle"] = built["needle"]
        img["frames"] = built["frames"]
        result.append(("anon", "lab/bigzstd", [tag], img))
    return result


def push(pusher, repo, tags, rec):
    def push_image(r, ref):
        for dig, size, path in r["_blobs"]:
            pusher.push_blob(repo, dig, size, path=path)
        pusher.push_manifest(repo, ref, r["mediaType"], r["_manifest"])

    if "_children" in rec:
        for child in rec["_children"]:
            push_image(child, child["digest"])
        for t in tags:
            pusher.push_manifest(repo, t, rec["mediaType"], rec["_manifest"])
    else:
        push_image(rec, tags[0])
        for t in tags[1:]:
            pusher.push_manifest(repo, t, rec["mediaType"], rec["_manifest"])
