"""Starts Debian's docker-registry (docker distribution 2.8) in the three harness modes."""
import os
import secrets
import subprocess

from . import common

REGISTRY_BIN = "/usr/bin/docker-registry"


def write_htpasswd(path, user, password):
    out = subprocess.run(["htpasswd", "-Bbn", user, password], check=True, capture_output=True, text=True).stdout
    with open(path, "w", encoding="utf-8") as f:
        f.write(out.strip() + "\n")


def config(state_dir, name, addr, auth=None):
    """YAML is a superset of JSON: the config is written as JSON."""
    cfg = {
        "version": 0.1,
        "log": {"level": "info", "formatter": "text", "fields": {"service": "registry-" + name}},
        "storage": {
            "filesystem": {"rootdirectory": os.path.join(state_dir, "storage-" + name)},
            "delete": {"enabled": True},
            "cache": {"blobdescriptor": "inmemory"},
            "maintenance": {"uploadpurging": {"enabled": False}},
        },
        "http": {"addr": addr, "secret": secrets.token_hex(16), "headers": {"X-Content-Type-Options": ["nosniff"]}},
    }
    if auth:
        cfg["auth"] = auth
    return cfg


def start(state_dir, name, addr, auth=None):
    """Starts one registry in its own session; returns (Popen, pid entry)."""
    path = os.path.join(state_dir, "registry-%s.yml" % name)
    common.write_json(path, config(state_dir, name, addr, auth))
    logf = open(os.path.join(state_dir, "registry-%s.log" % name), "ab")
    proc = subprocess.Popen([REGISTRY_BIN, "serve", path], stdin=subprocess.DEVNULL, stdout=logf,
                            stderr=subprocess.STDOUT, start_new_session=True, close_fds=True)
    logf.close()
    return proc, {"pid": proc.pid, "marker": path, "name": "registry-" + name}
