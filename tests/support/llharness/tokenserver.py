"""A token server that behaves like auth.docker.io for the token-auth docker-registry.

GET /token?service=S&scope=repository:NAME:pull[,push] (scope may repeat), optional Basic auth
  -> {"token", "access_token", "expires_in", "issued_at"}; JWT signed ES256 with the harness key, the
     certificate in the x5c header (docker distribution checks it against rootcertbundle).
POST /token (OAuth2 form: grant_type=password|refresh_token) like auth.docker.io, for identity tokens.
Policy: anonymous pull for public/*; bob/builder pull+push everywhere; anyone else nothing.
Control: POST /control {"expires_in": N} (default lifetime of new tokens), {"fail_next": N, "status": 503},
  {"oversize_next": N, "bytes": B, "length": true} (the next N answers: a B-byte body that never becomes JSON;
  "length": false: no Content-Length, ended by closing; "rate": bytes/s paces it), {"reset": true};
  GET /control/stats -> counts of token requests (oversize_answers: such answers ended, oversize_sent: their
  body bytes written before the client hung up).
"""
import base64
import datetime
import json
import socket
import math
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

SERVICE = "registry.test"
ISSUER = "ll-test-issuer"
USERS = {"bob": "builder"}
REFRESH_TOKENS = {"ll-refresh-token-bob": "bob"}
DEFAULT_EXPIRES_IN = 300
# docker distribution 2.8 accepts a token up to 60 s past its exp claim (clock-skew leeway); exp is moved back by
# that much so the registry really rejects a token expires_in seconds after it was issued.
REGISTRY_LEEWAY = 60


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def generate_key_and_cert(key_path, cert_path):
    """Self-signed P-256 certificate for the registry's rootcertbundle."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ll-test-token-signer")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                          key_encipherment=False, data_encipherment=False, key_agreement=False,
                          encipher_only=False, decipher_only=False),
            critical=True)
        .sign(key, hashes.SHA256())
    )
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


class Signer:
    def __init__(self, key_path, cert_path):
        with open(key_path, "rb") as f:
            self.key = serialization.load_pem_private_key(f.read(), password=None)
        with open(cert_path, "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
        self.x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")

    def sign(self, claims):
        header = {"typ": "JWT", "alg": "ES256", "x5c": [self.x5c]}
        signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                         b64url(json.dumps(claims, separators=(",", ":")).encode()))
        der = self.key.sign(signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return signing_input + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def parse_scope(scope):
    """'repository:lab/app:pull,push' -> ('repository', 'lab/app', ['pull', 'push']); names may hold ':'."""
    parts = scope.split(":")
    if len(parts) < 3:
        return None
    return parts[0], ":".join(parts[1:-1]), [a for a in parts[-1].split(",") if a]


def allowed_actions(user, rtype, name, actions):
    if rtype != "repository":
        # registry:catalog:* for bob only
        return list(actions) if user == "bob" else []
    if user == "bob":
        return [a for a in actions if a in ("pull", "push", "delete", "*")]
    if name.startswith("public/"):
        return [a for a in actions if a == "pull"]
    return []


class TokenState:
    def __init__(self, signer):
        self.signer = signer
        self.lock = threading.Lock()
        self.expires_in = DEFAULT_EXPIRES_IN
        self.fail_next = 0
        self.fail_status = 503
        self.oversize_next = 0
        self.oversize_bytes = 0
        self.oversize_length = True
        self.oversize_rate = 0
        self.reset_stats()

    def reset_stats(self):
        self.stats = {"requests": 0, "token_requests": 0, "issued": 0, "denied": 0, "anonymous": 0,
                      "authenticated": 0, "failed_injected": 0, "oversize_answers": 0, "oversize_sent": 0,
                      "by_scope": {}, "by_user": {},
                      "last": []}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ll-token-server/1"

    def log_message(self, fmt, *args):
        self.server.logfile.write("%s token %s\n" % (time.strftime("%H:%M:%S"), fmt % args))
        self.server.logfile.flush()

    def _send_json(self, status, obj, headers=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_oversize(self, total, with_length, rate=0):
        """A token answer of `total` bytes that starts like one: written until done or the client hangs up."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if with_length:
            self.send_header("Content-Length", str(total))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        head = b'{"token": "'
        filler = b"t" * 65536
        sent = 0
        start = time.monotonic()
        try:
            while sent < total:
                data = head if sent == 0 else filler[:min(len(filler), total - sent)]
                self.wfile.write(data)
                sent += len(data)
                ahead = sent / rate - (time.monotonic() - start) if rate > 0 else 0
                if ahead > 0:
                    time.sleep(ahead)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout):
            pass
        self.close_connection = True
        with self.server.state.lock:
            self.server.state.stats["oversize_sent"] += sent
            self.server.state.stats["oversize_answers"] += 1

    def _read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _basic_user(self):
        """Returns (user or None, bad_credentials: bool)."""
        auth = self.headers.get("Authorization")
        if not auth:
            return None, False
        if not auth.lower().startswith("basic "):
            return None, True
        try:
            user, _, pw = base64.b64decode(auth[6:].strip()).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return None, True
        if USERS.get(user) == pw:
            return user, False
        return None, True

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/control/stats":
            st = self.server.state
            with st.lock:
                obj = json.loads(json.dumps(st.stats))
                obj["expires_in"] = st.expires_in
            return self._send_json(200, obj)
        if url.path == "/token":
            q = urllib.parse.parse_qs(url.query)
            user, bad = self._basic_user()
            return self._issue(q.get("service", [""])[0], q.get("scope", []), user, bad,
                               q.get("ll_expires_in", [None])[0], offline=q.get("offline_token", [""])[0] == "true")
        self._send_json(404, {"error": "not found"})

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        body = self._read_body()
        if url.path == "/control":
            try:
                req = json.loads(body or b"{}")
            except ValueError:
                return self._send_json(400, {"error": "bad json"})
            st = self.server.state
            with st.lock:
                if req.get("reset"):
                    st.expires_in = DEFAULT_EXPIRES_IN
                    st.fail_next = 0
                    st.oversize_next = 0
                    st.reset_stats()
                if "expires_in" in req:
                    st.expires_in = int(req["expires_in"])
                if "fail_next" in req:
                    st.fail_next = int(req["fail_next"])
                    st.fail_status = int(req.get("status", 503))
                if "oversize_next" in req:
                    st.oversize_next = int(req["oversize_next"])
                    st.oversize_bytes = int(req.get("bytes", 1 << 30))
                    st.oversize_length = bool(req.get("length", True))
                    st.oversize_rate = int(req.get("rate", 0))
                return self._send_json(200, {"expires_in": st.expires_in, "fail_next": st.fail_next})
        if url.path == "/token":
            # OAuth2 form, as docker login/identity tokens use it.
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            grant = form.get("grant_type", [""])[0]
            user, bad = None, False
            if grant == "password":
                u, p = form.get("username", [""])[0], form.get("password", [""])[0]
                if USERS.get(u) == p:
                    user = u
                else:
                    bad = True
            elif grant == "refresh_token":
                user = REFRESH_TOKENS.get(form.get("refresh_token", [""])[0])
                bad = user is None
            else:
                return self._send_json(400, {"error": "unsupported_grant_type"})
            scopes = []
            for s in form.get("scope", []):
                scopes.extend(s.split(" "))
            return self._issue(form.get("service", [""])[0], scopes, user, bad, None,
                               offline=form.get("access_type", [""])[0] == "offline", oauth=True)
        self._send_json(404, {"error": "not found"})

    def _issue(self, service, scopes, user, bad_credentials, expires_override, offline=False, oauth=False):
        st = self.server.state
        with st.lock:
            st.stats["requests"] += 1
            st.stats["token_requests"] += 1
            st.stats["authenticated" if user else "anonymous"] += 1
            key = user or "<anonymous>"
            st.stats["by_user"][key] = st.stats["by_user"].get(key, 0) + 1
            for s in scopes:
                st.stats["by_scope"][s] = st.stats["by_scope"].get(s, 0) + 1
            st.stats["last"] = (st.stats["last"] + [{"user": user, "scopes": scopes, "service": service,
                                                     "oauth": oauth, "time": time.time()}])[-50:]
            oversize = st.oversize_next > 0
            if oversize:
                st.oversize_next -= 1
            if st.fail_next > 0:
                st.fail_next -= 1
                st.stats["failed_injected"] += 1
                status = st.fail_status
                fail = True
            else:
                fail = False
            expires_in = int(expires_override) if expires_override else st.expires_in
        if oversize:
            return self._send_oversize(st.oversize_bytes, st.oversize_length, st.oversize_rate)
        if fail:
            return self._send_json(status, {"errors": [{"code": "UNAVAILABLE", "message": "injected failure"}]})
        if bad_credentials:
            with st.lock:
                st.stats["denied"] += 1
            return self._send_json(401, {"details": "incorrect username or password"},
                                   {"WWW-Authenticate": 'Basic realm="ll-token-server"'})
        if service and service != SERVICE:
            return self._send_json(400, {"details": "unknown service"})
        access = []
        for s in scopes:
            parsed = parse_scope(s)
            if not parsed:
                continue
            rtype, name, actions = parsed
            granted = allowed_actions(user, rtype, name, actions)
            # auth.docker.io lists the resource with the actions it grants (possibly none).
            access.append({"type": rtype, "name": name, "actions": granted})
        # Rounded up: the token lives at least expires_in seconds (the registry compares whole seconds).
        now = math.ceil(time.time())
        claims = {"iss": ISSUER, "sub": user or "", "aud": service or SERVICE, "exp": now + expires_in - REGISTRY_LEEWAY,
                  "nbf": now - 1, "iat": now - REGISTRY_LEEWAY, "jti": uuid.uuid4().hex, "access": access}
        token = st.signer.sign(claims)
        issued = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        with st.lock:
            st.stats["issued"] += 1
        out = {"token": token, "access_token": token, "expires_in": expires_in, "issued_at": issued}
        if oauth:
            out = {"access_token": token, "expires_in": expires_in, "issued_at": issued, "scope": " ".join(scopes)}
            if offline and user:
                out["refresh_token"] = next(k for k, v in REFRESH_TOKENS.items() if v == user)
        self._send_json(200, out)


def make_server(host, port, key_path, cert_path, logfile):
    srv = ThreadingHTTPServer((host, port), Handler)
    srv.daemon_threads = True
    srv.state = TokenState(Signer(key_path, cert_path))
    srv.logfile = logfile
    return srv
