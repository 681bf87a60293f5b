"""Images for the hunt (issue 10): many images over a few shared base layers, small app layers, secrets
planted, some of them deleted by whiteouts or opaque dirs. fixtures.py pushes the small set (hunt/*) every
harness start; bench/push-hunt-fleet.py pushes a fleet of >= 40 images with bases of realistic size."""
from . import content
from .layers import Layer

HISTORY_STEP = "/bin/sh -c #(nop) ADD %s"


def base_layer(b, name, seed, filler_kb, shadow=True):
    """A base OS layer: etc/passwd, etc/shadow (a planted secret) early, then filler_kb of incompressible
    library files (what an early stop saves)."""
    l = Layer()
    for d in ("bin", "etc", "root", "srv", "usr", "usr/lib", "usr/lib/" + name, "usr/share"):
        l.dir(d, mode=0o700 if d == "root" else 0o755)
    l.file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/sbin/nologin\n")
    if shadow:
        l.file("etc/shadow", b"root:$6$%s$planted:19000:0:99999:7:::\n" % name.encode(), mode=0o640, gid=42)
    l.file("etc/os-release", b'NAME="%s"\nID=%s\n' % (name.encode(), name.encode()))
    l.file("bin/sh", content.binary(seed, 32768), mode=0o755)
    chunk = 64
    for i in range(max(1, filler_kb // chunk)):
        l.file("usr/lib/%s/lib%03d.so" % (name, i), content.binary(seed * 1000 + i, chunk * 1024), mode=0o755)
    return l.build(b.blob_dir)


def app_layer(b, files, whiteouts=(), opaque=()):
    """files: [(path, bytes)]; whiteouts: paths deleted (".wh.NAME"); opaque: dirs made opaque."""
    l = Layer()
    for d in opaque:
        l.dirs(d)
        l.file(d + "/.wh..wh..opq", b"")
    for p in whiteouts:
        parent, name = p.rsplit("/", 1) if "/" in p else ("", p)
        if parent:
            l.dirs(parent)
        l.file((parent + "/" if parent else "") + ".wh." + name, b"")
    for path, data in files:
        if "/" in path:
            l.dirs(path.rsplit("/", 1)[0])
        l.file(path, data, mode=0o600 if "id_rsa" in path or ".env" in path else 0o644)
    return l.build(b.blob_dir)


def image(b, built, label):
    history = [{"created": "2023-11-14T22:13:20Z", "created_by": HISTORY_STEP % ("%s layer %d" % (label, i))}
               for i in range(len(built))]
    return b.image(built, {"Cmd": ["sh"], "Env": ["PATH=/usr/bin:/bin"]}, history)


def env_file(name, version=1):
    return b"DATABASE_URL=postgres://%s:s3cret-%d@db/%s\n" % (name.encode(), version, name.encode())


def test_set(b):
    """The small set the tests hunt in: [(registry key, repository, [tags], record)]."""
    base = base_layer(b, "huntos", 11, 256)
    solo = base_layer(b, "soloos", 12, 64, shadow=False)
    key = b"-----BEGIN OPENSSH PRIVATE KEY-----\nplanted-test-key\n-----END OPENSSH PRIVATE KEY-----\n"
    web1 = app_layer(b, [("srv/web/.env", env_file("web")), ("srv/web/app.py", b"print('web')\n")])
    web2 = app_layer(b, [("srv/web/.env", env_file("web", 2)), ("srv/web/app.py", b"print('web 2')\n")])
    drop_shadow = app_layer(b, [("etc/motd", b"shadow removed\n")], whiteouts=["etc/shadow"])
    worker = app_layer(b, [("root/.ssh/id_rsa", key), ("srv/worker/run.sh", b"#!/bin/sh\n")])
    drop_key = app_layer(b, [("srv/worker/done", b"key removed\n")], whiteouts=["root/.ssh/id_rsa"])
    api = app_layer(b, [("srv/api/.env", env_file("api")), ("srv/api/main.go", b"package main\n")])
    api_opq = app_layer(b, [("srv/api/README", b"configuration moved to the vault\n")], opaque=["srv/api"])
    solo_app = app_layer(b, [("etc/app.conf", b"mode=solo\n")])
    return [
        ("anon", "hunt/web", ["1.0"], image(b, [base, web1], "web 1.0")),
        ("anon", "hunt/web", ["2.0"], image(b, [base, web2, drop_shadow], "web 2.0")),
        ("anon", "hunt/worker", ["1.0"], image(b, [base, worker, drop_key], "worker")),
        ("anon", "hunt/api", ["1.0"], image(b, [base, api, api_opq], "api")),
        ("anon", "hunt/solo", ["1.0"], image(b, [solo, solo_app], "solo")),
        ("token", "private/hunt", ["1.0"], image(b, [app_layer(b, [("srv/.env", env_file("private"))])], "private")),
    ]


def fleet(b, images=40, bases=3, base_mb=8, unique_bases=4, unique_mb=2):
    """The benchmark fleet: `images` images over `bases` shared bases (base_mb each) and `unique_bases`
    images with a base of their own; each has a small app layer (some with .env), a quarter delete their
    etc/shadow with a whiteout. Returns [(repository, tag, record)]."""
    shared = [base_layer(b, "fleetos%d" % i, 100 + i, base_mb * 1024) for i in range(bases)]
    out = []
    for i in range(images):
        if i < unique_bases:
            first = base_layer(b, "unique%02d" % i, 200 + i, unique_mb * 1024, shadow=i % 2 == 0)
        else:
            first = shared[i % bases]
        files = [("srv/app%02d/main.py" % i, b"print(%d)\n" % i)]
        if i % 3 == 0:
            files.append(("srv/app%02d/.env" % i, env_file("app%02d" % i)))
        layers_ = [first, app_layer(b, files)]
        if i % 4 == 1:
            layers_.append(app_layer(b, [("etc/motd", b"hardened %d\n" % i)], whiteouts=["etc/shadow"]))
        out.append(("fleet/app%02d" % i, "1.0", image(b, layers_, "fleet %d" % i)))
    return out
