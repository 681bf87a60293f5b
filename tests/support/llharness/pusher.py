"""A small Docker Registry HTTP API v2 pusher: HEAD, POST + monolithic PUT uploads, manifest PUT."""
import base64
import http.client
import json
import os
import urllib.parse


class PushError(RuntimeError):
    pass


class Pusher:
    def __init__(self, hostport, basic=None, token_url=None, token_user=None):
        """basic: (user, password) for htpasswd; token_url + token_user (user, password) for bearer."""
        self.hostport = hostport
        host, port = hostport.rsplit(":", 1)
        self.host, self.port = host, int(port)
        self.basic = basic
        self.token_url = token_url
        self.token_user = token_user
        self.tokens = {}
        self.conn = None
        self.uploaded = 0

    def _connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        return self.conn

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _auth(self, repo):
        if self.basic:
            raw = ("%s:%s" % self.basic).encode()
            return "Basic " + base64.b64encode(raw).decode()
        if self.token_url:
            if repo not in self.tokens:
                u = urllib.parse.urlsplit(self.token_url)
                q = urllib.parse.urlencode({"service": "registry.test", "scope": "repository:%s:pull,push" % repo})
                c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
                raw = ("%s:%s" % self.token_user).encode()
                c.request("GET", "%s?%s" % (u.path, q), headers={"Authorization": "Basic " + base64.b64encode(raw).decode()})
                r = c.getresponse()
                body = r.read()
                c.close()
                if r.status != 200:
                    raise PushError("token request for %s failed: %d" % (repo, r.status))
                self.tokens[repo] = json.loads(body)["token"]
            return "Bearer " + self.tokens[repo]
        return None

    def _request(self, method, path, repo, body=None, headers=None):
        headers = dict(headers or {})
        auth = self._auth(repo)
        if auth:
            headers["Authorization"] = auth
        for attempt in range(2):
            conn = self._connection()
            try:
                if hasattr(body, "seek"):
                    body.seek(0)
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                return resp, data
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def blob_exists(self, repo, digest):
        resp, _ = self._request("HEAD", "/v2/%s/blobs/%s" % (repo, digest), repo)
        return resp.status == 200

    def push_blob(self, repo, digest, size, path=None, data=None):
        if self.blob_exists(repo, digest):
            return
        resp, body = self._request("POST", "/v2/%s/blobs/uploads/" % repo, repo, body=b"",
                                   headers={"Content-Length": "0"})
        if resp.status != 202:
            raise PushError("upload start %s: %d %s" % (repo, resp.status, body[:200]))
        loc = urllib.parse.urlsplit(resp.getheader("Location"))
        query = loc.query + ("&" if loc.query else "") + urllib.parse.urlencode({"digest": digest})
        target = loc.path + "?" + query
        headers = {"Content-Type": "application/octet-stream", "Content-Length": str(size)}
        if data is not None:
            resp, body = self._request("PUT", target, repo, body=data, headers=headers)
        else:
            with open(path, "rb") as f:
                resp, body = self._request("PUT", target, repo, body=f, headers=headers)
        if resp.status != 201:
            raise PushError("upload %s %s: %d %s" % (repo, digest, resp.status, body[:200]))
        self.uploaded += size

    def push_manifest(self, repo, ref, media_type, data):
        resp, body = self._request("PUT", "/v2/%s/manifests/%s" % (repo, ref), repo, body=data,
                                   headers={"Content-Type": media_type, "Content-Length": str(len(data))})
        if resp.status != 201:
            raise PushError("manifest %s:%s: %d %s" % (repo, ref, resp.status, body[:300]))
        return resp.getheader("Docker-Content-Digest")
