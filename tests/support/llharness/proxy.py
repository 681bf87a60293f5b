"""Fault-injecting HTTP/1.1 proxy in front of the registries, plus a "second host" (a CDN stand-in).

Listeners: "anon" (fronts the anonymous registry), "token" (fronts the token registry), "second" (serves
blobs redirected to it, on 127.0.0.2 when bindable). Control on any listener:
  POST /__control {"clear": true, "clear_stats": true, "faults": [rule, ...]}   (rules are appended)
  GET  /__control -> active rules;  GET /__stats -> counters.
A rule: {"type": T, "count": N (default 1; 0 = unlimited), "window_ms": W (instead of a count: every matching
request for W ms from the first one, as a rate limiter's window), "path": regex (re.search on the request path),
         "method": "GET", "listener": "front" (default: anon+token) | "anon" | "token" | "second" | "any", ...}
  status        {"status": 503, "retry_after": "1" (429 default), "headers": {...}, "body": "..."}
  reset         {"after_bytes": K}  close abruptly (RST) before anything (K absent/-1) or after K body bytes;
                "graceful": true closes with FIN instead after K bytes (a body shorter than its Content-Length)
  slow          {"latency_ms": L, "rate": bytes_per_s}   (combines with one other rule)
  redirect_blobs{"status": 307}  blob GET/HEAD -> Location on the second host (after an auth check upstream)
  ignore_range  Range dropped: 200 + the whole blob
  corrupt       {"at_byte": K}  flips (xor 0xff) the body byte at offset K of this response (blobs by default);
                {"blob_offset": B} flips blob byte B in whichever response (Range) carries it
  paginate_tags {"page_size": 10}  tags/list paginated even without ?n= (as Docker Hub does);
                "link_loop": true: every next link points back to the first page; "repeat_page": true: the
                next link moves on (a new URL each time) but the next page is the same page again
  oversize      {"bytes": B, "status": 200, "length": true}  answers with a B-byte JSON-looking body (never
                complete JSON); "length": false sends no Content-Length (the body ends when the connection
                closes). Stats count the body bytes actually sent before the client hung up. "rate": bytes/s
                paces it like a fast real link (unpaced, a loopback sender can starve Qt's network thread in
                one read loop before the reply's read buffer limit reaches it, see RegistryClient::startReply).
docker-registry 2.8 ignores n/last on tags/list; the proxy's front listeners always paginate tags/list when the
client sends n (sorted, Link: <...?last=X&n=N>; rel="next", as distribution 3 and Docker Hub do).
"""
import base64
import http.client
import json
import re
import socket
import struct
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te",
       "trailer", "trailers", "transfer-encoding", "upgrade"}
BLOB_RE = r"^/v2/.+/blobs/sha256:[0-9a-f]{64}"
CHUNK = 1 << 16


class Pacer:
    """Keeps a writer at `rate` bytes/s on average (0: as fast as the socket takes it)."""

    def __init__(self, rate):
        self.rate = rate
        self.start = time.monotonic()

    def sent(self, total):
        if self.rate > 0:
            ahead = total / self.rate - (time.monotonic() - self.start)
            if ahead > 0:
                time.sleep(ahead)


class ProxyState:
    def __init__(self, upstreams, token_url=None, token_user=None, logfile=None):
        self.upstreams = upstreams  # {"anon": "127.0.0.1:P", "token": "127.0.0.1:P"}
        self.token_url = token_url
        self.token_user = token_user
        self.logfile = logfile
        self.second_base = None  # "http://127.0.0.2:P"
        self.lock = threading.Lock()
        self.rules = []
        self.reset_stats()

    def reset_stats(self):
        self.stats = {"requests": 0, "bytes": 0, "faults": {}, "paths": {}, "last": [],
                      "listeners": {k: {"requests": 0, "bytes": 0} for k in ("anon", "token", "second")},
                      "second_host": {"requests": 0, "auth_seen": False, "auth_requests": 0, "rejected": 0}}

    def record(self, listener, method, path, status, nbytes, req_range, auth, fault):
        with self.lock:
            s = self.stats
            s["requests"] += 1
            s["bytes"] += nbytes
            s["listeners"][listener]["requests"] += 1
            s["listeners"][listener]["bytes"] += nbytes
            p = s["paths"].setdefault(path.split("?")[0], {"requests": 0, "bytes": 0})
            p["requests"] += 1
            p["bytes"] += nbytes
            if fault:
                s["faults"][fault] = s["faults"].get(fault, 0) + 1
            s["last"] = (s["last"] + [{"listener": listener, "method": method, "path": path, "status": status,
                                       "bytes": nbytes, "range": req_range, "auth": auth, "fault": fault}])[-200:]

    def take_rules(self, listener, method, path):
        """Returns (response rule or None, slow rule or None), consuming their counts."""
        main = slow = None
        expired = []
        with self.lock:
            for r in self.rules:
                want = r.get("listener", "front")
                if want == "front":
                    if listener not in ("anon", "token"):
                        continue
                elif want != "any" and want != listener:
                    continue
                if r.get("method") and r["method"].upper() != method:
                    continue
                default_path = {"redirect_blobs": BLOB_RE, "ignore_range": BLOB_RE, "corrupt": BLOB_RE,
                                "paginate_tags": r"/tags/list"}.get(r["type"], "")
                if not re.search(r.get("path", default_path), path):
                    continue
                if r["type"] == "redirect_blobs" and not (method in ("GET", "HEAD") and re.search(BLOB_RE, path)):
                    continue
                if r.get("window_ms"):
                    # A rate limiter's window: from the first request it applies to, every matching request
                    # for window_ms gets it; then it is gone.
                    now = time.monotonic()
                    r.setdefault("t0", now)
                    if (now - r["t0"]) * 1000.0 >= float(r["window_ms"]):
                        expired.append(r)
                        continue
                if r["type"] == "slow":
                    if slow is None:
                        slow = r
                elif main is None:
                    main = r
            for r in expired:
                self.rules.remove(r)
            for r in (main, slow):
                if r is not None and r.get("window_ms"):
                    r["used"] = r.get("used", 0) + 1
                elif r is not None and not r.get("unlimited"):
                    r["count"] = r["count"] - 1
                    r["used"] = r.get("used", 0) + 1
                    if r["count"] == 0:
                        self.rules.remove(r)
                elif r is not None:
                    r["used"] = r.get("used", 0) + 1
        return main, slow

    def refund(self, rule):
        """Gives a consumed use back (a redirect rule hit by an unauthorized request stays armed)."""
        with self.lock:
            rule["used"] = rule.get("used", 1) - 1
            if rule.get("unlimited"):
                return
            if rule in self.rules:
                rule["count"] += 1
            else:
                rule["count"] = 1
                self.rules.insert(0, rule)

    def bearer_for(self, repo):
        """The second host fetches from the token registry with its own credentials (a CDN has access)."""
        u = urllib.parse.urlsplit(self.token_url)
        q = urllib.parse.urlencode({"service": "registry.test", "scope": "repository:%s:pull" % repo})
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        raw = ("%s:%s" % self.token_user).encode()
        c.request("GET", "%s?%s" % (u.path, q), headers={"Authorization": "Basic " + base64.b64encode(raw).decode()})
        r = c.getresponse()
        body = r.read()
        c.close()
        return json.loads(body)["token"] if r.status == 200 else None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ll-fault-proxy/1"

    def log_message(self, fmt, *args):
        st = self.server.state
        if st.logfile:
            st.logfile.write("%s %s %s\n" % (time.strftime("%H:%M:%S"), self.server.role, fmt % args))
            st.logfile.flush()

    def setup(self):
        super().setup()
        self.upstream = None
        self.upstream_addr = None

    def finish(self):
        try:
            super().finish()
        except (OSError, ValueError):
            pass
        if self.upstream is not None:
            self.upstream.close()

    # -- plumbing -----------------------------------------------------------------------------------------
    def do_GET(self):
        self.dispatch()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def read_request_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            out = bytearray()
            while True:
                line = self.rfile.readline()
                n = int(line.split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(out)
                out += self.rfile.read(n)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def send_simple(self, status, body=b"", headers=None, content_type="application/json"):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)
        return len(body)

    def rst(self):
        """Abrupt close: RST instead of FIN, as a dropped connection looks to the client."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            # rfile holds a reference to the socket: close it too, or the fd stays open.
            self.rfile.close()
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True

    def fin(self):
        """Orderly close (FIN) in the middle of a body: looks like a wrong Content-Length to the client."""
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.close_connection = True

    def upstream_conn(self, addr):
        if self.upstream is None or self.upstream_addr != addr:
            if self.upstream is not None:
                self.upstream.close()
            host, port = addr.rsplit(":", 1)
            self.upstream = http.client.HTTPConnection(host, int(port), timeout=300)
            self.upstream_addr = addr
        return self.upstream

    def drop_upstream(self):
        if self.upstream is not None:
            self.upstream.close()
            self.upstream = None

    def dispatch(self):
        st = self.server.state
        path = self.path
        if path.startswith("/__control") or path.startswith("/__stats"):
            return self.control()
        role = self.server.role
        auth = "Authorization" in self.headers
        req_range = self.headers.get("Range")
        if role == "second":
            with st.lock:
                sh = st.stats["second_host"]
                sh["requests"] += 1
                if auth:
                    sh["auth_seen"] = True
                    sh["auth_requests"] += 1
        main, slow = st.take_rules(role, self.command, path)
        fault = main["type"] if main else ("slow" if slow else None)
        if slow and slow.get("latency_ms"):
            time.sleep(slow["latency_ms"] / 1000.0)
        rate = slow.get("rate") if slow else None
        status, nbytes = 0, 0
        self.body_sent = 0
        try:
            if main and main["type"] == "status":
                self.read_request_body()
                code = int(main.get("status", 503))
                headers = dict(main.get("headers") or {})
                if code == 429:
                    headers.setdefault("Retry-After", main.get("retry_after", "1"))
                    headers.setdefault("RateLimit-Limit", "100;w=21600")
                    headers.setdefault("RateLimit-Remaining", "0;w=21600")
                    headers.setdefault("Docker-RateLimit-Source", "127.0.0.1")
                elif main.get("retry_after") is not None:
                    headers.setdefault("Retry-After", main["retry_after"])
                body = main.get("body") or json.dumps({"errors": [{"code": "TOOMANYREQUESTS" if code == 429 else
                                                                   "UNAVAILABLE", "message": "injected %d" % code}]})
                status = code
                nbytes = self.send_simple(code, body, headers)
            elif main and main["type"] == "reset" and main.get("after_bytes", -1) < 0:
                self.read_request_body()
                status = -1
                self.rst()
            elif main and main["type"] == "oversize":
                self.read_request_body()
                status, nbytes = self.serve_oversize(main)
            elif role == "second":
                status, nbytes = self.serve_second(main, rate)
            elif main and main["type"] == "redirect_blobs":
                status, nbytes = self.redirect(main)
            elif self.command == "GET" and re.match(r"^/v2/.+/tags/list(\?|$)", path) and (
                    "n=" in path or (main and main["type"] == "paginate_tags")):
                status, nbytes = self.tags_page(st.upstreams[role], main)
            else:
                status, nbytes = self.forward(st.upstreams[role], main, rate)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout):
            self.drop_upstream()
            self.close_connection = True
            nbytes = self.body_sent  # the client closed mid-body: what was written into the socket by then
        finally:
            st.record(role, self.command, path, status, nbytes, req_range, auth, fault)

    # -- behaviours -----------------------------------------------------------------------------------------
    def forward(self, addr, rule, rate, path=None, extra_headers=None, drop_auth=False):
        body = self.read_request_body()
        headers = {}
        for k, v in self.headers.items():
            lk = k.lower()
            if lk in HOP or lk == "content-length":
                continue
            if drop_auth and lk == "authorization":
                continue
            if rule and rule["type"] == "ignore_range" and lk in ("range", "if-range"):
                continue
            headers[k] = v
        headers.update(extra_headers or {})
        if body or self.command in ("POST", "PUT", "PATCH"):
            headers["Content-Length"] = str(len(body))
        resp = None
        for attempt in range(2):
            conn = self.upstream_conn(addr)
            try:
                conn.request(self.command, path or self.path, body=body or None, headers=headers)
                resp = conn.getresponse()
                break
            except (http.client.HTTPException, OSError):
                self.drop_upstream()
                if attempt == 1:
                    raise
        return self.relay(resp, rule, rate)

    def relay(self, resp, rule, rate):
        after = rule.get("after_bytes", -1) if rule and rule["type"] == "reset" else -1
        corrupt = int(rule.get("at_byte", 0)) if rule and rule["type"] == "corrupt" else -1
        if rule and rule["type"] == "corrupt" and "blob_offset" in rule:
            # An offset in the blob, whatever Range this response answers (no flip when outside it).
            first = 0
            content_range = resp.getheader("Content-Range") or ""
            if resp.status == 206 and content_range.startswith("bytes "):
                first = int(content_range[6:].split("-")[0])
            corrupt = int(rule["blob_offset"]) - first
        length = resp.getheader("Content-Length")
        no_body = self.command == "HEAD" or resp.status in (204, 304) or 100 <= resp.status < 200
        body = None
        if length is None and not no_body:
            body = resp.read()  # small (error JSON); chunked upstream
            length = str(len(body))
        self.send_response_only(resp.status)
        for k, v in resp.getheaders():
            if k.lower() in HOP or k.lower() == "content-length":
                continue
            self.send_header(k, v)
        if length is not None:
            self.send_header("Content-Length", length)
        self.end_headers()
        sent = 0
        if no_body:
            resp.read()
            return resp.status, 0
        if body is not None:
            chunks = iter([body])
            remaining = len(body)
        else:
            remaining = int(length)
            chunks = None
        step = CHUNK if not rate else max(1024, min(CHUNK, int(rate) // 50))
        t0 = time.monotonic()
        while remaining > 0:
            if chunks is not None:
                data = next(chunks, b"")
            else:
                data = resp.read(min(step, remaining))
            if not data:
                break
            if sent <= corrupt < sent + len(data):
                flipped = bytearray(data)
                flipped[corrupt - sent] ^= 0xFF
                data = bytes(flipped)
            if after >= 0 and sent + len(data) >= after:
                self.wfile.write(data[:after - sent])
                sent = after
                self.drop_upstream()
                if rule.get("graceful"):
                    self.fin()  # a clean close: the body is shorter than its Content-Length
                else:
                    self.rst()
                return resp.status, sent
            self.wfile.write(data)
            sent += len(data)
            self.body_sent = sent
            remaining -= len(data)
            if rate:
                ahead = sent / float(rate) - (time.monotonic() - t0)
                if ahead > 0:
                    time.sleep(ahead)
        if after >= 0:
            # reset asked for beyond the end: still drop the connection after the body
            self.drop_upstream()
            self.rst()
        return resp.status, sent

    def tags_page(self, addr, rule):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        n = int(q.get("n", [0])[0] or 0) or int((rule or {}).get("page_size", 10))
        last = q.get("last", [None])[0]
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "accept", "user-agent")}
        conn = self.upstream_conn(addr)
        conn.request("GET", u.path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            hdrs = {k: v for k, v in resp.getheaders() if k.lower() not in HOP and k.lower() not in
                    ("content-length", "content-type")}
            return resp.status, self.send_simple(resp.status, body, hdrs)
        obj = json.loads(body)
        tags = sorted(obj.get("tags") or [])
        if last is not None:
            tags = [t for t in tags if t > last]
        page, more = tags[:n], len(tags) > n
        hdrs = {"Docker-Distribution-Api-Version": "registry/2.0"}
        if more and page:
            nxt = {"last": page[-1], "n": n}
            if rule and rule.get("link_loop"):
                nxt = {"n": n}  # back to the first page
            elif rule and rule.get("repeat_page"):
                nxt = {"last": last or "", "n": n, "again": int(q.get("again", [0])[0] or 0) + 1}
            hdrs["Link"] = '<%s?%s>; rel="next"' % (u.path, urllib.parse.urlencode(nxt))
        return 200, self.send_simple(200, json.dumps({"name": obj.get("name"), "tags": page}), hdrs)

    def redirect(self, rule):
        st = self.server.state
        role = self.server.role
        self.read_request_body()
        # The registry checks authorization before it redirects (Docker Hub does): ask upstream with HEAD.
        conn = self.upstream_conn(st.upstreams[role])
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "accept", "user-agent")}
        conn.request("HEAD", self.path, headers=headers)
        resp = conn.getresponse()
        resp.read()
        if resp.status != 200:
            st.refund(rule)
            hdrs = {k: v for k, v in resp.getheaders() if k.lower() in ("www-authenticate", "docker-distribution-api-version")}
            return resp.status, self.send_simple(resp.status, json.dumps(
                {"errors": [{"code": "UNAUTHORIZED" if resp.status == 401 else "BLOB_UNKNOWN", "message": "from upstream HEAD"}]}),
                hdrs)
        sig = base64.urlsafe_b64encode(str(time.time()).encode()).decode().rstrip("=")
        location = "%s/__blob/%s%s?X-LL-Signature=%s&X-LL-Expires=600" % (st.second_base, role, self.path.split("?")[0], sig)
        code = int(rule.get("status", 307))
        return code, self.send_simple(code, b"", {"Location": location}, content_type="text/plain")

    def serve_second(self, rule, rate):
        st = self.server.state
        u = urllib.parse.urlsplit(self.path)
        m = re.match(r"^/__blob/(anon|token)(/v2/(.+)/blobs/sha256:[0-9a-f]{64})$", u.path)
        if not m or self.command not in ("GET", "HEAD"):
            self.read_request_body()
            return 404, self.send_simple(404, b"not a blob URL of this CDN", content_type="text/plain")
        if "Authorization" in self.headers and st.stats.get("reject_auth", True):
            # Like Cloudflare R2 behind Docker Hub: a request carrying Authorization is refused.
            with st.lock:
                st.stats["second_host"]["rejected"] += 1
            return 400, self.send_simple(400, b"<Error><Code>InvalidArgument</Code><Message>Authorization header "
                                              b"not allowed on a presigned URL</Message></Error>",
                                         content_type="application/xml")
        upstream, vpath, repo = m.group(1), m.group(2), m.group(3)
        extra = {}
        if upstream == "token":
            token = st.bearer_for(repo)
            if token:
                extra["Authorization"] = "Bearer " + token
        return self.forward(st.upstreams[upstream], rule, rate, path=vpath, extra_headers=extra, drop_auth=True)

    def serve_oversize(self, rule):
        """A huge answer, written until done or until the client closes: how much it read before giving up."""
        code = int(rule.get("status", 200))
        total = int(rule.get("bytes", 1 << 30))
        self.send_response(code)
        self.send_header("Content-Type", rule.get("content_type", "application/json"))
        if rule.get("length", True):
            self.send_header("Content-Length", str(total))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        sent = 0
        if self.command == "HEAD":
            return code, 0
        head = b'{"schemaVersion": 2, "padding": "'
        filler = b"x" * CHUNK
        pace = Pacer(int(rule.get("rate", 0)))
        try:
            while sent < total:
                data = head if sent == 0 else filler[:min(CHUNK, total - sent)]
                self.wfile.write(data)
                sent += len(data)
                pace.sent(sent)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout):
            pass
        self.close_connection = True
        return code, sent

    def control(self):
        st = self.server.state
        body = self.read_request_body()
        if self.path.startswith("/__stats"):
            with st.lock:
                out = json.loads(json.dumps(st.stats))
            return self.send_simple(200, json.dumps(out))
        if self.command == "POST":
            try:
                req = json.loads(body or b"{}")
            except ValueError:
                return self.send_simple(400, json.dumps({"error": "bad json"}))
            with st.lock:
                if req.get("clear"):
                    st.rules = []
                if req.get("clear_stats"):
                    reject = st.stats.get("reject_auth", True)
                    st.reset_stats()
                    st.stats["reject_auth"] = reject
                if "reject_auth" in req:
                    st.stats["reject_auth"] = bool(req["reject_auth"])
                for r in req.get("faults", []):
                    if r.get("type") not in ("status", "reset", "slow", "redirect_blobs", "ignore_range",
                                             "paginate_tags", "corrupt", "oversize"):
                        return self.send_simple(400, json.dumps({"error": "unknown fault type %r" % r.get("type")}))
                    r = dict(r)
                    r["unlimited"] = int(r.get("count", 1)) <= 0
                    r["count"] = int(r.get("count", 1))
                    st.rules.append(r)
        with st.lock:
            out = {"rules": st.rules, "second_host": st.second_base}
            out = json.loads(json.dumps(out))
        return self.send_simple(200, json.dumps(out))


class Listener(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64


def make_listener(role, host, port, state):
    srv = Listener((host, port), Handler)
    srv.role = role
    srv.state = state
    return srv
