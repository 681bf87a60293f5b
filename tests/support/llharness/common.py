"""Small helpers shared by the harness modules: ports, waiting, process bookkeeping, logging."""
import http.client
import json
import os
import signal
import socket
import sys
import time


def log(msg):
    sys.stderr.write("harness: %s\n" % msg)
    sys.stderr.flush()


def free_port(host="127.0.0.1"):
    """A port that was free a moment ago (the registry binds it itself)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def can_bind(host):
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((host, 0))
        return True
    except OSError:
        return False


def http_status(hostport, path="/v2/", timeout=2.0):
    host, port = hostport.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def wait_http(hostport, path="/v2/", timeout=20.0, proc=None, what=""):
    """Polls until hostport answers path with any HTTP status; returns that status."""
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        try:
            return http_status(hostport, path)
        except OSError:
            pass
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("%s exited with status %s before answering" % (what or hostport, proc.returncode))
        if time.monotonic() > deadline:
            raise RuntimeError("%s did not answer %s within %.0f s" % (what or hostport, path, timeout))
        time.sleep(delay)
        delay = min(delay * 1.5, 0.2)


def read_json(path, default=None):
    try:
        with open(path, "r", encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def pid_cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def stop_pids(entries, timeout=5.0):
    """entries: [{"pid": int, "marker": str}]. Only kills a pid whose command line still holds its marker
    (the pid may have been reused since)."""
    live = []
    for e in entries:
        pid = int(e.get("pid", 0))
        marker = e.get("marker", "")
        if pid <= 0 or not pid_alive(pid):
            continue
        if marker and marker not in pid_cmdline(pid):
            continue
        try:
            os.kill(pid, signal.SIGTERM)
            live.append(pid)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while live and time.monotonic() < deadline:
        # Reap our own children if they are ours (start and stop in one process); ignore otherwise.
        for pid in list(live):
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
            if not pid_alive(pid) or pid_cmdline(pid) == "":
                live.remove(pid)
        time.sleep(0.05)
    for pid in live:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def orphans(state_dir):
    """Processes of an earlier run in this exact state dir whose pids.json is gone: docker-registry serving
    one of its configs, or the services daemon for it. Matched on exact arguments, never by prefix."""
    configs = {os.path.join(state_dir, "registry-%s.yml" % n) for n in ("anon", "token", "basic")}
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % name, "rb") as f:
                args = f.read().decode("utf-8", "replace").split("\0")
        except OSError:
            continue
        if len(args) >= 3 and args[0].endswith("docker-registry") and args[1] == "serve" and args[2] in configs:
            found.append({"pid": int(name), "marker": args[2]})
        elif "serve" in args and "--state-dir" in args and any(a.endswith("harness.py") for a in args):
            i = args.index("--state-dir")
            if i + 1 < len(args) and args[i + 1] == state_dir:
                found.append({"pid": int(name), "marker": "harness.py serve --state-dir " + state_dir})
    return found
