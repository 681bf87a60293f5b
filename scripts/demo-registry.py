#!/usr/bin/env python3
"""Offline demo registry for Layerslayer: a local Debian docker-registry on 127.0.0.1 seeded with sample
multi-layer images built from files on this machine, so `./scripts/run.sh` shows real content without internet.

    scripts/demo-registry.py start  [--cache-dir DIR] [--port N] [--reseed]   # prints 127.0.0.1:PORT
    scripts/demo-registry.py status [--cache-dir DIR] [--json]
    scripts/demo-registry.py stop   [--cache-dir DIR]

The store lives in ${XDG_CACHE_HOME:-~/.cache}/layerslayer/demo (registry storage, config, log, state.json with
the PID and port, seeded.json describing the images). `start` is idempotent: a running demo registry is reused,
an already-seeded store is served again without rebuilding anything. Images (see seeded.json):
  demo/debian-base:12 (also :latest)  Docker schema2, 4 layers, history with metadata-only steps; layer 1 edits
                                      etc/passwd, layer 2 deletes etc/motd (whiteout) and recreates
                                      var/lib/apt/lists (opaque directory)
  demo/python:3.11                    OCI manifest sharing debian-base's first layer, + python3.11's library and a
                                      few thousand files of /usr/share/doc (+ a zstd layer when zstd is installed)
  demo/multi:1.0                      OCI index: linux/amd64, linux/arm64/v8 and an attestation manifest
The layers are built with the test harness's modules (tests/support/llharness) and pushed through the Registry
HTTP API.
"""
import argparse
import fcntl
import http.client
import json
import os
import platform
import shutil
import socket
import stat
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))

from llharness import common, fixtures, layers, pusher, registry  # noqa: E402
from llharness.layers import Layer  # noqa: E402

SEED_VERSION = 1
DEFAULT_PORT = 5077
NAME = "demo"  # registry-demo.yml, storage-demo/, registry-demo.log in the cache dir
DEBIAN_BASE = "demo/debian-base"
PYTHON = "demo/python"
MULTI = "demo/multi"
DEFAULT_IMAGE = DEBIAN_BASE + ":12"

ARCHES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm",
          "i686": "386", "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}
# Never copied into a demo layer, even when world-readable.
SECRET_HINTS = ("shadow", "gshadow", "ssh_host_", "private", "secret", "token", "credential", ".key", "sudoers")


def log(msg):
    sys.stderr.write("demo-registry: %s\n" % msg)
    sys.stderr.flush()


def default_cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "layerslayer", "demo")


def host_platform():
    p = {"os": "linux", "architecture": ARCHES.get(platform.machine(), platform.machine() or "amd64")}
    if p["architecture"] == "arm64":
        p["variant"] = "v8"
    return p


# -- layers from files on this machine ---------------------------------------------------------------------

class HostLayer:
    """A Layer filled from host files: real modes, owners, mtimes and symlinks; parents added once (Layer.dirs
    scans every item, too slow for thousands of files); big files read only when the layer is built."""

    def __init__(self, **kw):
        self.layer = Layer(**kw)
        self.seen = set()
        self.files = 0
        self.bytes = 0

    def ensure_dir(self, arc, host=None):
        arc = arc.strip("/")
        if not arc or arc in self.seen:
            return
        parent = arc.rsplit("/", 1)[0] if "/" in arc else ""
        self.ensure_dir(parent, os.path.dirname(host) if host else None)
        mode, mtime = 0o755, layers.MTIME
        if host:
            try:
                st = os.stat(host)
                mode, mtime = stat.S_IMODE(st.st_mode), int(st.st_mtime)
            except OSError:
                pass
        self.layer.dir(arc, mode=mode, mtime=mtime)
        self.seen.add(arc)

    def add_bytes(self, arc, data, mode=0o644, **kw):
        arc = arc.strip("/")
        parent = arc.rsplit("/", 1)[0] if "/" in arc else ""
        self.ensure_dir(parent)
        self.layer.file(arc, data, mode=mode, **kw)
        self.seen.add(arc)
        self.files += 1
        self.bytes += len(data)

    def add_symlink(self, arc, target):
        arc = arc.strip("/")
        self.ensure_dir(arc.rsplit("/", 1)[0] if "/" in arc else "")
        self.layer.symlink(arc, target)
        self.seen.add(arc)

    def add(self, host, arc=None, max_file=None):
        """One host path (file, symlink or directory entry itself). The archive path is the host path with its
        parent resolved (/bin/sh becomes usr/bin/sh on a merged-/usr system). Returns the bytes added or None."""
        try:
            st = os.lstat(host)
        except OSError:
            return None
        if arc is None:
            arc = os.path.join(os.path.realpath(os.path.dirname(host)), os.path.basename(host))
        arc = arc.strip("/")
        if arc in self.seen or any(h in os.path.basename(arc).lower() for h in SECRET_HINTS):
            return None
        kw = {"mode": stat.S_IMODE(st.st_mode), "uid": st.st_uid, "gid": st.st_gid, "mtime": int(st.st_mtime)}
        parent = arc.rsplit("/", 1)[0] if "/" in arc else ""
        if stat.S_ISLNK(st.st_mode):
            self.ensure_dir(parent, os.path.dirname(host))
            self.layer.symlink(arc, os.readlink(host), uid=st.st_uid, gid=st.st_gid, mtime=kw["mtime"])
            self.seen.add(arc)
            return 0
        if stat.S_ISDIR(st.st_mode):
            self.ensure_dir(arc, host)
            return 0
        if not stat.S_ISREG(st.st_mode) or not st.st_mode & stat.S_IROTH:
            return None
        if max_file is not None and st.st_size > max_file:
            return None
        self.ensure_dir(parent, os.path.dirname(host))
        size = st.st_size

        def produce(write, host=host, size=size):
            # Exactly size bytes even if the file changed since it was listed.
            try:
                with open(host, "rb") as f:
                    data = f.read(size)
            except OSError:
                data = b""
            write(data + b"\0" * (size - len(data)))

        self.layer.file(arc, (size, produce), **kw)
        self.seen.add(arc)
        self.files += 1
        self.bytes += size
        return size

    def add_tree(self, host_dir, max_files=None, max_bytes=None, max_file=None, skip_dirs=()):
        """Walks host_dir in sorted order (directories, files, symlinks) until a cap is reached."""
        if not os.path.isdir(host_dir):
            return
        start_files, start_bytes = self.files, self.bytes
        for dirpath, dirnames, filenames in os.walk(host_dir):
            dirnames[:] = sorted(d for d in dirnames if d not in skip_dirs)
            self.add(dirpath)
            for name in sorted(filenames) + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
                if max_files is not None and self.files - start_files >= max_files:
                    return
                if max_bytes is not None and self.bytes - start_bytes >= max_bytes:
                    return
                self.add(os.path.join(dirpath, name), max_file=max_file)

    def build(self, blob_dir):
        return self.layer.build(blob_dir)


def read_host(path, default=b"", limit=1 << 20):
    try:
        with open(path, "rb") as f:
            return f.read(limit)
    except OSError:
        return default


def base_layer(blob_dir):
    """A Debian-like root: top-level dirs, merged-/usr symlinks, /etc, licenses, some docs and coreutils."""
    h = HostLayer()
    for d, mode in (("boot", 0o755), ("dev", 0o755), ("home", 0o755), ("media", 0o755), ("mnt", 0o755),
                    ("opt", 0o755), ("proc", 0o555), ("root", 0o700), ("run", 0o755), ("srv", 0o755),
                    ("sys", 0o555), ("tmp", 0o1777), ("usr", 0o755), ("var", 0o755), ("var/tmp", 0o1777)):
        h.layer.dir(d, mode=mode)
        h.seen.add(d)
    for link in ("bin", "lib", "lib64", "sbin"):
        if os.path.islink("/" + link):
            h.add_symlink(link, os.readlink("/" + link))
    h.add_tree("/etc", max_files=350, max_bytes=4 << 20, max_file=512 << 10,
               skip_dirs=("ssl", "ssh", "docker", "containerd", "sudoers.d", "polkit-1"))
    if "etc/passwd" not in h.seen:
        h.add_bytes("etc/passwd", fixtures.PASSWD0)
    if "etc/group" not in h.seen:
        h.add_bytes("etc/group", fixtures.GROUP0)
    if "etc/motd" not in h.seen:  # layer 2 deletes it: it must be there
        h.add_bytes("etc/motd", b"\nThe programs included with the Debian GNU/Linux system are free software.\n")
    h.add_tree("/usr/share/common-licenses")
    for pkg in ("base-files", "base-passwd", "bash", "coreutils", "dash", "debianutils", "diffutils", "findutils",
                "grep", "gzip", "hostname", "libc6", "login", "mawk", "ncurses-base", "sed", "tar", "tzdata",
                "util-linux", "apt", "dpkg", "gpgv", "perl-base", "zlib1g"):
        h.add_tree("/usr/share/doc/" + pkg, max_files=12, max_file=256 << 10)
    for tool in ("dash", "sh", "bash", "ls", "cat", "cp", "mv", "rm", "ln", "mkdir", "chmod", "echo", "env",
                 "true", "false", "sed", "grep", "head", "tail", "sort", "uname", "id"):
        h.add("/usr/bin/" + tool, max_file=2 << 20)
    return h.build(blob_dir)


def apt_layer(blob_dir):
    """apt-get update && install ca-certificates && useradd demo: package lists, certificates, an edited
    etc/passwd and etc/group (copies of layer 0's with a new user), a home directory."""
    h = HostLayer()
    passwd = read_host("/etc/passwd", fixtures.PASSWD0)
    group = read_host("/etc/group", fixtures.GROUP0)
    h.ensure_dir("etc", "/etc")
    h.add_bytes("etc/passwd", passwd.rstrip(b"\n") + b"\ndemo:x:1000:1000:Layerslayer demo:/home/demo:/bin/sh\n")
    h.add_bytes("etc/group", group.rstrip(b"\n") + b"\ndemo:x:1000:\n")
    h.ensure_dir("home")
    h.layer.dir("home/demo", mode=0o750, uid=1000, gid=1000)
    h.seen.add("home/demo")
    h.add_bytes("home/demo/.profile", read_host("/etc/skel/.profile", b"# ~/.profile\n"), uid=1000, gid=1000)
    h.add_bytes("home/demo/.bashrc", read_host("/etc/skel/.bashrc", b"# ~/.bashrc\n"), uid=1000, gid=1000)
    h.ensure_dir("var/lib/apt/lists/partial")
    lists = sorted(os.listdir("/var/lib/apt/lists")) if os.path.isdir("/var/lib/apt/lists") else []
    added = 0
    for name in lists:
        p = os.path.join("/var/lib/apt/lists", name)
        if added < 8 and os.path.isfile(p) and h.add(p, max_file=1 << 20):
            added += 1
    if not added:
        h.add_bytes("var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease",
                    b"Origin: Debian\nLabel: Debian\nSuite: stable\nCodename: bookworm\n")
    h.add_bytes("var/lib/apt/lists/lock", b"", mode=0o640)
    h.add_tree("/usr/share/ca-certificates", max_files=150, max_bytes=1 << 20)
    h.add_tree("/usr/share/doc/ca-certificates", max_files=10)
    h.add("/usr/sbin/update-ca-certificates")
    return h.build(blob_dir)


def cleanup_layer(blob_dir):
    """rm /etc/motd && rm -rf /var/lib/apt/lists && mkdir -p /var/lib/apt/lists/partial: a whiteout and an
    opaque directory, as overlayfs-based builders write them."""
    h = HostLayer()
    h.ensure_dir("etc", "/etc")
    h.add_bytes("etc/.wh.motd", b"")
    h.ensure_dir("var/lib/apt/lists")
    h.add_bytes("var/lib/apt/lists/.wh..wh..opq", b"")
    h.ensure_dir("var/lib/apt/lists/partial")
    h.add_bytes("var/lib/apt/lists/lock", b"", mode=0o640)
    return h.build(blob_dir)


def app_layer(blob_dir):
    h = HostLayer()
    h.add_bytes("usr/local/bin/hello", b"#!/bin/sh\n# Layerslayer demo: greets from inside the image\n"
                b"echo \"Hello from $(hostname) ($(uname -m)) as $(id -un)\"\n", mode=0o755)
    h.add_bytes("etc/demo/app.conf", b"# demo/debian-base application settings\nlisten = 0.0.0.0:8080\n"
                b"log_level = info\ngreeting = Hello from Layerslayer\n", mode=0o640, uid=0, gid=1000)
    h.add_symlink("usr/local/bin/greet", "hello")
    return h.build(blob_dir)


def python_layer(blob_dir):
    """apt-get install python3.11-minimal: the interpreter and its standard library (sources only)."""
    h = HostLayer()
    h.add("/usr/bin/python3.11", max_file=16 << 20)
    h.add("/usr/bin/python3")
    libdirs = sorted(d for d in os.listdir("/usr/lib") if d.startswith("python3.")) if os.path.isdir(
        "/usr/lib") else []
    for d in libdirs[-1:]:
        h.add_tree("/usr/lib/" + d, max_files=1500, max_bytes=30 << 20, max_file=2 << 20,
                   skip_dirs=("__pycache__", "test", "tests", "idlelib", "config-3.11-x86_64-linux-gnu"))
    for pkg in ("python3", "python3.11", "python3-minimal", "python3.11-minimal", "libpython3.11-stdlib"):
        h.add_tree("/usr/share/doc/" + pkg, max_files=20)
    if not h.files:
        h.add_bytes("usr/lib/python3/README", b"python3 is not installed on the machine that built this demo\n")
    return h.build(blob_dir)


def docs_layer(blob_dir):
    """A few thousand documentation files (size-capped so seeding stays fast)."""
    h = HostLayer()
    h.add_tree("/usr/share/doc", max_files=3500, max_bytes=28 << 20, max_file=1 << 20)
    h.add_tree("/usr/share/common-licenses")
    return h.build(blob_dir)


def site_layer(blob_dir, compression):
    h = HostLayer(compression=compression)
    h.ensure_dir("usr/local/lib/python3.11/site-packages/demo")
    h.add_bytes("usr/local/lib/python3.11/site-packages/demo/__init__.py",
                b'"""A package installed by the demo image\'s last step."""\n__version__ = "1.0"\n')
    h.add_bytes("usr/local/lib/python3.11/site-packages/demo/hello.py",
                b"import platform\n\n\ndef main():\n    print('hello from', platform.python_version())\n")
    h.add_bytes("usr/local/lib/python3.11/site-packages/demo-1.0.dist-info/METADATA",
                b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nSummary: Layerslayer demo package\n")
    h.add_bytes("usr/local/bin/demo-hello", b"#!/usr/bin/python3\nfrom demo.hello import main\nmain()\n", mode=0o755)
    return h.build(blob_dir)


def platform_layer(blob_dir, plat, native):
    h = HostLayer()
    label = "/".join(v for v in (plat["os"], plat["architecture"], plat.get("variant")) if v)
    h.add_bytes("etc/arch", (label + "\n").encode())
    h.add_bytes("etc/os-release", read_host("/etc/os-release", fixtures.OS_RELEASE))
    if native and os.path.isfile("/usr/bin/true"):
        h.add("/usr/bin/true", arc="usr/bin/true")
    else:
        h.add_bytes("usr/bin/true", b"#!/bin/sh\n# stand-in for the %s binary\nexit 0\n" % label.encode(), mode=0o755)
    return h.build(blob_dir)


def licenses_layer(blob_dir):
    h = HostLayer()
    h.add_tree("/usr/share/common-licenses")
    if not h.files:
        h.add_bytes("usr/share/common-licenses/README", b"no licenses on the machine that built this demo\n")
    return h.build(blob_dir)


def step(created_by, empty=False, comment=None):
    e = {"created": fixtures.CREATED, "created_by": created_by}
    if empty:
        e["empty_layer"] = True
    if comment:
        e["comment"] = comment
    return e


def build_images(blob_dir):
    """Returns [(repository, tags, record)] ready for fixtures.push, and the facts tests can check."""
    b = fixtures.Builder(blob_dir)
    plat = host_platform()
    base = base_layer(blob_dir)
    apt = apt_layer(blob_dir)
    cleanup = cleanup_layer(blob_dir)
    app = app_layer(blob_dir)
    history = [
        step("/bin/sh -c #(nop) ADD file:demo-rootfs-bookworm in / "),
        step('/bin/sh -c #(nop)  CMD ["bash"]', empty=True),
        step("/bin/sh -c #(nop)  ENV DEBIAN_FRONTEND=noninteractive", empty=True),
        step("/bin/sh -c apt-get update && apt-get install -y --no-install-recommends ca-certificates "
             "&& useradd -m -u 1000 demo"),
        step("/bin/sh -c #(nop)  LABEL org.opencontainers.image.title=debian-base", empty=True),
        step("/bin/sh -c rm /etc/motd && rm -rf /var/lib/apt/lists && mkdir -p /var/lib/apt/lists/partial "
             "&& touch /var/lib/apt/lists/lock", comment="cleanup"),
        step("/bin/sh -c #(nop) WORKDIR /home/demo", empty=True),
        step("/bin/sh -c #(nop) COPY multi:demo-app in / "),
        step("/bin/sh -c #(nop)  EXPOSE 8080/tcp", empty=True),
        step("/bin/sh -c #(nop)  USER demo", empty=True),
        step('/bin/sh -c #(nop)  ENTRYPOINT ["/usr/local/bin/hello"]', empty=True),
    ]
    cfg = {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                   "DEBIAN_FRONTEND=noninteractive"],
           "Entrypoint": ["/usr/local/bin/hello"], "Cmd": ["bash"], "WorkingDir": "/home/demo", "User": "demo",
           "ExposedPorts": {"8080/tcp": {}},
           "Labels": {"org.opencontainers.image.title": "debian-base",
                      "org.opencontainers.image.description": "Layerslayer offline demo built from this machine's files",
                      "org.opencontainers.image.version": "12"}}
    debian = b.image([base, apt, cleanup, app], cfg, history, platform=plat)

    compression = "zstd" if layers.zstd_available() else "gzip"
    py = python_layer(blob_dir)
    docs = docs_layer(blob_dir)
    site = site_layer(blob_dir, compression)
    py_history = [
        step("ADD rootfs.tar / # buildkit", comment="buildkit.dockerfile.v0"),
        step("ENV LANG=C.UTF-8", empty=True, comment="buildkit.dockerfile.v0"),
        step("RUN apt-get install -y python3.11-minimal # buildkit", comment="buildkit.dockerfile.v0"),
        step("RUN apt-get install -y --no-install-recommends python3-doc # buildkit",
             comment="buildkit.dockerfile.v0"),
        step("COPY demo/ /usr/local/lib/python3.11/site-packages/ # buildkit", comment="buildkit.dockerfile.v0"),
        step('CMD ["python3"]', empty=True, comment="buildkit.dockerfile.v0"),
    ]
    py_cfg = {"Env": ["PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"], "Cmd": ["python3"],
              "Labels": {"org.opencontainers.image.title": "python", "org.opencontainers.image.version": "3.11"}}
    python = b.image([base, py, docs, site], py_cfg, py_history, oci=True, platform=plat)

    plats = [{"os": "linux", "architecture": "amd64"}, {"os": "linux", "architecture": "arm64", "variant": "v8"}]
    lic = licenses_layer(blob_dir)
    imgs = []
    for p in plats:
        native = p["architecture"] == plat["architecture"]
        imgs.append(b.image([platform_layer(blob_dir, p, native), lic], {"Cmd": ["/usr/bin/true"]},
                            [step("ADD rootfs.tar / # buildkit", comment="buildkit.dockerfile.v0"),
                             step("COPY common-licenses /usr/share/common-licenses # buildkit",
                                  comment="buildkit.dockerfile.v0"),
                             step('CMD ["/usr/bin/true"]', empty=True, comment="buildkit.dockerfile.v0")],
                            oci=True, platform=p))
    att = fixtures.attestation(b, imgs[0]["digest"], name=MULTI)
    children = [(img, {"platform": p}) for img, p in zip(imgs, plats)]
    children.append((att, {"platform": {"os": "unknown", "architecture": "unknown"},
                           "annotations": {"vnd.docker.reference.digest": imgs[0]["digest"],
                                           "vnd.docker.reference.type": "attestation-manifest"}}))
    multi = b.index(children, oci=True)

    facts = {
        DEBIAN_BASE + ":12": {"layers": 4, "history": len(history), "deleted": "etc/motd",
                              "opaque": "var/lib/apt/lists", "opaque_hidden": [
                                  e["path"] for e in apt["entries"]
                                  if e["path"].startswith("var/lib/apt/lists/") and e["type"] == "file"
                                  and e["path"] != "var/lib/apt/lists/lock"],
                              "edited": "etc/passwd", "digest": debian["digest"]},
        PYTHON + ":3.11": {"layers": 4, "history": len(py_history), "digest": python["digest"],
                           "files": sum(1 for l in (base, py, docs, site) for e in l["entries"] if e["type"] == "file"),
                           "compression": compression},
        MULTI + ":1.0": {"platforms": ["linux/amd64", "linux/arm64/v8"], "attestation": True, "digest": multi["digest"]},
    }
    images = [(DEBIAN_BASE, ["12", "latest"], debian), (PYTHON, ["3.11"], python), (MULTI, ["1.0"], multi)]
    sizes = {"uncompressed": sum(l["uncompressed_size"] for l in (base, apt, cleanup, app, py, docs, site, lic)),
             "compressed": sum(l["size"] for l in (base, apt, cleanup, app, py, docs, site, lic))}
    return images, facts, sizes


# -- the registry process ------------------------------------------------------------------------------------

class Demo:
    def __init__(self, cache_dir):
        self.dir = os.path.abspath(cache_dir)
        self.state_path = os.path.join(self.dir, "state.json")
        self.seeded_path = os.path.join(self.dir, "seeded.json")
        self.config_path = os.path.join(self.dir, "registry-%s.yml" % NAME)
        self.storage = os.path.join(self.dir, "storage-%s" % NAME)
        self.log_path = os.path.join(self.dir, "registry-%s.log" % NAME)

    def lock(self):
        os.makedirs(self.dir, exist_ok=True)
        f = open(os.path.join(self.dir, "lock"), "w")
        fcntl.flock(f, fcntl.LOCK_EX)
        return f

    def state(self):
        return common.read_json(self.state_path, {}) or {}

    def running(self):
        """The recorded registry when its PID still serves our config and answers /v2/; else None."""
        st = self.state()
        pid, hostport = int(st.get("pid", 0) or 0), st.get("hostport")
        if pid <= 0 or not hostport or not common.pid_alive(pid):
            return None
        if self.config_path not in common.pid_cmdline(pid):
            return None
        try:
            if common.http_status(hostport) != 200:
                return None
        except OSError:
            return None
        return st

    def orphans(self):
        found = []
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % name, "rb") as f:
                    args = f.read().decode("utf-8", "replace").split("\0")
            except OSError:
                continue
            if len(args) >= 3 and args[0].endswith("docker-registry") and args[1] == "serve" \
                    and args[2] == self.config_path:
                found.append({"pid": int(name), "marker": self.config_path})
        return found

    def pick_port(self, wanted):
        if wanted:
            return wanted
        previous = self.state().get("port")
        for port in (previous, DEFAULT_PORT):
            if port and port_free(port):
                return port
        return common.free_port()

    def start_registry(self, port):
        if not os.path.exists(registry.REGISTRY_BIN):
            raise RuntimeError("%s is missing: install the Debian package docker-registry "
                               "(scripts/setup.sh does)" % registry.REGISTRY_BIN)
        common.stop_pids(self.orphans())
        if os.path.exists(self.log_path) and os.path.getsize(self.log_path) > (8 << 20):
            os.replace(self.log_path, self.log_path + ".old")
        hostport = "127.0.0.1:%d" % port
        proc, entry = registry.start(self.dir, NAME, hostport)
        common.wait_http(hostport, proc=proc, what="docker-registry on %s (log: %s)" % (hostport, self.log_path))
        st = {"pid": proc.pid, "port": port, "hostport": hostport, "marker": entry["marker"],
              "config": self.config_path, "storage": self.storage, "log": self.log_path,
              "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        common.write_json(self.state_path, st)
        return st

    def seeded(self, hostport):
        s = common.read_json(self.seeded_path, {}) or {}
        if s.get("version") != SEED_VERSION:
            return None
        try:
            for ref in s.get("images", []):
                repo, tag = ref.rsplit(":", 1)
                if manifest_status(hostport, repo, tag) != 200:
                    return None
        except OSError:
            return None
        return s

    def seed(self, hostport):
        t0 = time.monotonic()
        blob_dir = os.path.join(self.dir, "build-blobs")
        shutil.rmtree(blob_dir, ignore_errors=True)
        log("building sample images from this machine's files ...")
        images, facts, sizes = build_images(blob_dir)
        t1 = time.monotonic()
        p = pusher.Pusher(hostport)
        try:
            for repo, tags, rec in images:
                fixtures.push(p, repo, tags, rec)
        finally:
            p.close()
        shutil.rmtree(blob_dir, ignore_errors=True)
        t2 = time.monotonic()
        refs = ["%s:%s" % (repo, t) for repo, tags, _ in images for t in tags]
        s = {"version": SEED_VERSION, "images": refs, "default": DEFAULT_IMAGE, "facts": facts, "sizes": sizes,
             "seconds": {"build": round(t1 - t0, 2), "push": round(t2 - t1, 2), "total": round(t2 - t0, 2)}}
        common.write_json(self.seeded_path, s)
        log("seeded %d tags (%.1f MB of layers, %.1f MB compressed) in %.1f s (build %.1f s, push %.1f s)" % (
            len(refs), sizes["uncompressed"] / 1e6, sizes["compressed"] / 1e6, t2 - t0, t1 - t0, t2 - t1))
        return s

    def start(self, port=None, reseed=False):
        st = self.running()
        if st and port and st["port"] != port:
            log("the demo registry runs on %s; restarting it on port %d" % (st["hostport"], port))
            self.stop()
            st = None
        if reseed:
            self.stop()
            st = None
            shutil.rmtree(self.storage, ignore_errors=True)
            if os.path.exists(self.seeded_path):
                os.unlink(self.seeded_path)
        if st:
            log("reusing the demo registry on %s (pid %d)" % (st["hostport"], st["pid"]))
        else:
            s = common.read_json(self.seeded_path, {}) or {}
            if s and s.get("version") != SEED_VERSION:
                log("the store was seeded by an older version: wiping it")
                shutil.rmtree(self.storage, ignore_errors=True)
                os.unlink(self.seeded_path)
            st = self.start_registry(self.pick_port(port))
            log("started docker-registry on %s (pid %d, storage %s)" % (st["hostport"], st["pid"], self.storage))
        if self.seeded(st["hostport"]) is None:
            self.seed(st["hostport"])
        return st

    def stop(self):
        st = self.state()
        entries = self.orphans()
        if st.get("pid") and all(e["pid"] != int(st["pid"]) for e in entries):
            entries.append({"pid": int(st["pid"]), "marker": self.config_path})
        was = [e["pid"] for e in entries if common.pid_alive(e["pid"]) and self.config_path in common.pid_cmdline(e["pid"])]
        common.stop_pids(entries)
        if st:
            # Keep the port: the next start prefers it, so references in the GUI's history stay valid.
            common.write_json(self.state_path, {"pid": 0, "port": st.get("port"), "stopped": True})
        return was


def manifest_status(hostport, repo, ref):
    """HEAD of a manifest with every media type accepted (registry 2.8 answers 404 to a GET of an OCI manifest
    without an Accept header naming it)."""
    host, port = hostport.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        conn.request("HEAD", "/v2/%s/manifests/%s" % (repo, ref), headers={"Accept": ", ".join(
            (fixtures.OCI_INDEX, fixtures.OCI_MANIFEST, fixtures.DOCKER_LIST, fixtures.DOCKER_MANIFEST))})
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def port_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("command", choices=("start", "stop", "status"))
    ap.add_argument("--cache-dir", default=default_cache_dir(),
                    help="store and state (default: ${XDG_CACHE_HOME:-~/.cache}/layerslayer/demo)")
    ap.add_argument("--port", type=int, default=None,
                    help="port on 127.0.0.1 (default: the last one, else %d when free, else any)" % DEFAULT_PORT)
    ap.add_argument("--reseed", action="store_true", help="start: wipe the store and build the images again")
    ap.add_argument("--json", action="store_true", help="print the state as JSON")
    args = ap.parse_args()
    demo = Demo(args.cache_dir)

    if args.command == "start":
        with demo.lock():
            try:
                st = demo.start(args.port, args.reseed)
            except (RuntimeError, OSError, pusher.PushError) as e:
                log("failed: %s" % e)
                return 1
        s = common.read_json(demo.seeded_path, {}) or {}
        if args.json:
            print(json.dumps(dict(st, images=s.get("images", []), default=DEFAULT_IMAGE, seed=s)))
        else:
            print(st["hostport"])
        return 0
    if args.command == "stop":
        with demo.lock():
            was = demo.stop()
        log("stopped the demo registry (pid %s)" % ", ".join(map(str, was)) if was else "no demo registry was running")
        return 0
    st = demo.running()
    s = common.read_json(demo.seeded_path, {}) or {}
    if args.json:
        print(json.dumps({"running": bool(st), "state": st or {}, "seed": s, "cache_dir": demo.dir}))
    elif st:
        print("running on %s (pid %d), cache %s" % (st["hostport"], st["pid"], demo.dir))
        for ref in s.get("images", []):
            print("  %s/%s" % (st["hostport"], ref))
    else:
        print("not running (cache %s%s)" % (demo.dir, ", seeded" if s else ""))
    return 0 if st else 3


if __name__ == "__main__":
    sys.exit(main())
