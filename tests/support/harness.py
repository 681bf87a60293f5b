#!/usr/bin/python3
"""Layerslayer registry test harness (127.0.0.1 only).

  harness.py start --state-dir DIR   start 3 docker-registry instances (anonymous, token, htpasswd), the token
                                     server and the fault proxy, build and push the fixture images, write
                                     DIR/state.json and DIR/fixtures.json, and return leaving them running
  harness.py stop  --state-dir DIR   stop everything listed in DIR/pids.json
  harness.py status --state-dir DIR  print state.json if everything is alive (exit 1 otherwise)
  harness.py serve --state-dir DIR   (internal) the token server + proxy daemon

Environment: LL_BIG_LAYER_MB (default 24) size of lab/big's layer, LL_BIG_LAYER_LEVEL (default 6) its gzip level.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from llharness import common, fixtures, proxy, pusher, registry, tokenserver  # noqa: E402

USERS = {
    "token": {"username": "bob", "password": "builder", "identitytoken": "ll-refresh-token-bob"},
    "basic": {"username": "alice", "password": "wonderland"},
}


def paths(state_dir):
    return {
        "state": os.path.join(state_dir, "state.json"),
        "pids": os.path.join(state_dir, "pids.json"),
        "services": os.path.join(state_dir, "services.json"),
        "ports": os.path.join(state_dir, "services-ports.json"),
        "fixtures": os.path.join(state_dir, "fixtures.json"),
        "key": os.path.join(state_dir, "token-signer.key"),
        "cert": os.path.join(state_dir, "token-signer.crt"),
        "htpasswd": os.path.join(state_dir, "htpasswd"),
        "blobs": os.path.join(state_dir, "blobs"),
    }


def cmd_stop(state_dir, quiet=False):
    p = paths(state_dir)
    entries = common.read_json(p["pids"], [])
    listed = {e["pid"] for e in entries}
    entries += [e for e in common.orphans(state_dir) if e["pid"] not in listed]
    if entries:
        common.stop_pids(entries)
        if not quiet:
            common.log("stopped %d processes" % len(entries))
    for k in ("pids", "state", "ports"):
        try:
            os.unlink(p[k])
        except FileNotFoundError:
            pass
    return 0


def cmd_status(state_dir):
    p = paths(state_dir)
    entries = common.read_json(p["pids"], [])
    state = common.read_json(p["state"])
    alive = [e for e in entries if common.pid_alive(e["pid"]) and e["marker"] in common.pid_cmdline(e["pid"])]
    if not state or len(alive) != len(entries) or not entries:
        print("harness not running in %s" % state_dir)
        return 1
    print(json.dumps(state, indent=2))
    return 0


def cmd_start(state_dir, clean):
    t0 = time.monotonic()
    state_dir = os.path.abspath(state_dir)
    os.makedirs(state_dir, exist_ok=True)
    p = paths(state_dir)
    cmd_stop(state_dir, quiet=True)  # a stale run listed in the state dir
    if clean:
        for name in os.listdir(state_dir):
            full = os.path.join(state_dir, name)
            shutil.rmtree(full) if os.path.isdir(full) else os.unlink(full)
    pids = []

    def save_pids():
        common.write_json(p["pids"], pids)

    try:
        tokenserver.generate_key_and_cert(p["key"], p["cert"])
        registry.write_htpasswd(p["htpasswd"], USERS["basic"]["username"], USERS["basic"]["password"])
        reg = {k: "127.0.0.1:%d" % common.free_port() for k in ("anon", "token", "basic")}
        second_host = "127.0.0.2" if common.can_bind("127.0.0.2") else "127.0.0.1"

        # Token server + proxy daemon first: the token registry's config needs the realm URL.
        common.write_json(p["services"], {"upstreams": {"anon": reg["anon"], "token": reg["token"]},
                                          "second_host": second_host, "key": p["key"], "cert": p["cert"],
                                          "token_user": [USERS["token"]["username"], USERS["token"]["password"]]})
        logf = open(os.path.join(state_dir, "services.log"), "ab")
        svc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "serve", "--state-dir", state_dir],
                               stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                               start_new_session=True, close_fds=True)
        logf.close()
        pids.append({"pid": svc.pid, "marker": "harness.py serve --state-dir " + state_dir, "name": "services"})
        save_pids()

        token_auth = None
        procs = {}
        for name in ("anon", "token", "basic"):
            auth = None
            if name == "token":
                ports = wait_ports(p["ports"], svc)
                token_auth = "http://127.0.0.1:%d/token" % ports["token_server"]
                auth = {"token": {"realm": token_auth, "service": tokenserver.SERVICE, "issuer": tokenserver.ISSUER,
                                  "rootcertbundle": p["cert"], "autoredirect": False}}
            elif name == "basic":
                auth = {"htpasswd": {"realm": "ll-basic", "path": p["htpasswd"]}}
            proc, entry = registry.start(state_dir, name, reg[name], auth)
            procs[name] = proc
            pids.append(entry)
            save_pids()
        expected = {"anon": 200, "token": 401, "basic": 401}
        for name, proc in procs.items():
            st = common.wait_http(reg[name], proc=proc, what="registry-" + name)
            if st != expected[name]:
                raise RuntimeError("registry-%s answered /v2/ with %d, expected %d" % (name, st, expected[name]))
        ports = wait_ports(p["ports"], svc)
        t_up = time.monotonic() - t0

        big_mb = int(os.environ.get("LL_BIG_LAYER_MB", "24"))
        big_level = int(os.environ.get("LL_BIG_LAYER_LEVEL", "6"))
        plan = fixtures.build_all(p["blobs"], big_mb=big_mb, big_level=big_level)
        t_built = time.monotonic() - t0
        pushers = {
            "anon": pusher.Pusher(reg["anon"]),
            "token": pusher.Pusher(reg["token"], token_url=token_auth,
                                   token_user=(USERS["token"]["username"], USERS["token"]["password"])),
            "basic": pusher.Pusher(reg["basic"], basic=(USERS["basic"]["username"], USERS["basic"]["password"])),
        }
        described = {}
        for regname, repo, tags, rec in plan:
            fixtures.push(pushers[regname], repo, tags, rec)
            for t in tags[:1]:
                described["%s:%s" % (repo, t)] = describe(rec, regname, reg[regname], repo, tags)
        for ps in pushers.values():
            ps.close()
        # Reset the token server's counters: tests count their own token fetches.
        reset_token_stats(ports["token_server"])

        state = {
            "version": 1,
            "state_dir": state_dir,
            "anon": reg["anon"], "token": reg["token"], "basic": reg["basic"],
            "token_server": "http://127.0.0.1:%d" % ports["token_server"],
            "token_realm": token_auth,
            "token_service": tokenserver.SERVICE,
            "token_control": "http://127.0.0.1:%d/control" % ports["token_server"],
            "proxy": "127.0.0.1:%d" % ports["proxy_anon"],
            "proxy_token": "127.0.0.1:%d" % ports["proxy_token"],
            "proxy_control": "http://127.0.0.1:%d/__control" % ports["proxy_anon"],
            "proxy_stats": "http://127.0.0.1:%d/__stats" % ports["proxy_anon"],
            "second_host": "%s:%d" % (second_host, ports["second"]),
            "users": USERS,
            "fixtures": p["fixtures"],
            "blobs": p["blobs"],
            "zstd": bool(described["lab/oci:1.0"].get("zstd")),
            "pids": p["pids"],
        }
        common.write_json(p["fixtures"], {"version": fixtures.FIXTURES_VERSION, "fixtures": described})
        common.write_json(p["state"], state)
        common.log("up in %.1f s (registries %.1f s, fixtures built %.1f s): %s" %
                   (time.monotonic() - t0, t_up, t_built - t_up, p["state"]))
        print(p["state"])
        return 0
    except Exception as e:  # noqa: BLE001 - leave nothing running on any failure
        common.log("start failed: %s" % e)
        for f in ("registry-anon.log", "registry-token.log", "registry-basic.log", "services.log"):
            fp = os.path.join(state_dir, f)
            if os.path.exists(fp):
                with open(fp, "rb") as fh:
                    tail = fh.read()[-1500:].decode("utf-8", "replace")
                if tail.strip():
                    common.log("--- %s (tail) ---\n%s" % (f, tail))
        common.stop_pids(pids)
        try:
            os.unlink(p["pids"])
        except FileNotFoundError:
            pass
        raise


def wait_ports(path, proc, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        ports = common.read_json(path)
        if ports:
            return ports
        if proc.poll() is not None:
            raise RuntimeError("services daemon exited with %s" % proc.returncode)
        if time.monotonic() > deadline:
            raise RuntimeError("services daemon did not report its ports")
        time.sleep(0.02)


def reset_token_stats(port):
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("POST", "/control", body=b'{"reset": true}', headers={"Content-Type": "application/json"})
    c.getresponse().read()
    c.close()


def describe(rec, regname, hostport, repo, tags):
    out = fixtures.strip_private(rec)
    out.update({"registry": regname, "host": hostport, "repository": repo, "tag": tags[0], "tags": tags,
                "reference": "%s/%s:%s" % (hostport, repo, tags[0])})
    return out


def cmd_serve(state_dir):
    p = paths(state_dir)
    cfg = common.read_json(p["services"])
    logfile = open(os.path.join(state_dir, "services-access.log"), "a", buffering=1)
    tok = tokenserver.make_server("127.0.0.1", 0, cfg["key"], cfg["cert"], logfile)
    token_port = tok.server_address[1]
    st = proxy.ProxyState(cfg["upstreams"], token_url="http://127.0.0.1:%d/token" % token_port,
                          token_user=tuple(cfg["token_user"]), logfile=logfile)
    anon = proxy.make_listener("anon", "127.0.0.1", 0, st)
    token = proxy.make_listener("token", "127.0.0.1", 0, st)
    second = proxy.make_listener("second", cfg["second_host"], 0, st)
    st.second_base = "http://%s:%d" % (cfg["second_host"], second.server_address[1])
    servers = [tok, anon, token, second]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    common.write_json(p["ports"], {"token_server": token_port, "proxy_anon": anon.server_address[1],
                                   "proxy_token": token.server_address[1], "second": second.server_address[1]})
    import signal
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(1.0):
        pass
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=("start", "stop", "status", "serve"))
    ap.add_argument("--state-dir", required=True)
    ap.add_argument("--clean", action="store_true", help="start: wipe the state dir (storage, blob cache) first")
    a = ap.parse_args()
    if a.command == "start":
        # Ports are picked free then bound by the children: another process may win the race; try again.
        for attempt in range(3):
            try:
                return cmd_start(a.state_dir, a.clean and attempt == 0)
            except Exception as e:  # noqa: BLE001
                if attempt == 2:
                    common.log("giving up: %s" % e)
                    return 1
                common.log("retrying start")
    if a.command == "stop":
        return cmd_stop(os.path.abspath(a.state_dir))
    if a.command == "status":
        return cmd_status(os.path.abspath(a.state_dir))
    return cmd_serve(os.path.abspath(a.state_dir))


if __name__ == "__main__":
    sys.exit(main())
