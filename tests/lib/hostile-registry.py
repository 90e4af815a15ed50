#!/usr/bin/env python3
"""A registry that misbehaves on purpose, for ferry's bad-input tests.

A real registry (docker-registry) never serves these, so this small
http.server does.  Plain HTTP on a free port of 127.0.0.1; the port is
written to --port-file once it accepts connections.  Every request is logged
as one line "METHOD PATH STATUS" to --log (default stderr), followed by
" authorization" when the request carried an Authorization header.

Repositories:
  unknown-type  any tag or digest: a manifest whose media type
                (application/vnd.ferry.test.unknown.v1+json) no client knows,
                with a correct Docker-Content-Digest and Content-Type.
  truncated     any tag or digest: the manifest of the OCI layout given with
                --layout (the test image, unpacked); its config blob whole,
                but every other blob (the layers) announces its full
                Content-Length, sends half of it and closes the connection.
  elsewhere     takes pushes, behind Basic authentication (any user and
                password), but answers the POST that starts a blob upload
                with a Location on another host (http://localhost:PORT/
                elsewhere-upload/N, this same server under another name),
                where the PUT of the data is taken without authentication.
  twice         any tag: the --layout image with its first layer blob
                listed twice, once for each of the config's diff_ids (a blob
                can unpack to one of them only); its config and layer blobs.
  stale         takes pushes (no authentication), but the first PUT of each
                blob upload that comes on a connection used before gets no
                answer: the connection closes, as a keep-alive connection
                the server timed out would.
  scoped        the --layout image, whole, behind Bearer tokens from /token
                (anonymous); but a token must also grant
                repository:scoped-extra:pull, which only the 401 challenge's
                scope names.
  endless-headers  any manifest: 200 and then headers without end.
  many-layers   any tag: the --layout image's first layer 501 times over
                (and its diff_id as many times in the config).
  rude          any manifest: 404 with an error message of several lines
                holding terminal escapes, and 400 lines of filler.
  bad-CASE      the --layout image with one JSON member of the wrong type or
                out of range (see BAD below: its index, manifest or config),
                with every digest and size made to match, so that only a
                check of that member can refuse it.  An index case serves a
                manifest list (by tag) naming the real manifest (by digest).
  token-number, token-crlf
                the --layout image behind Bearer tokens (any token will do)
                from /token-number, whose "token" is a number, or from
                /token-crlf, whose "token" holds CR LF and a header of its
                own (X-Ferry-Injected); a request carrying that header is
                logged with " injected".
  /v1/search    (Docker Hub's search endpoint) three results, whatever the
                term but one starting "page" (404): one whose description
                runs over several lines, holds terminal escapes and is long,
                one whose name is a number, and one official.
  /v2/_catalog  one repository a page ("page-N"), each page linking to the
                next, without end.
  anything else 404 with a distribution-style JSON error body
                ({"errors":[{"code":"NAME_UNKNOWN",...}]}), for the manifest
                and for any blob.
  /v2/          200 {} (no authentication).

Usage: hostile-registry.py --port-file FILE [--layout DIR] [--log FILE]
"""

import argparse
import hashlib
import json
import os
import re
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UNKNOWN_TYPE = "application/vnd.ferry.test.unknown.v1+json"
UNKNOWN_MANIFEST = json.dumps({
    "schemaVersion": 2,
    "mediaType": UNKNOWN_TYPE,
    "payload": "nothing a container engine can use",
}, separators=(",", ":")).encode()

DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"

# The bad-CASE repositories: what each one changes, in which document.
BAD = {
    "index-manifests-object": ("index", lambda i: i.update(manifests={"0": i["manifests"][0]})),
    "index-platform-string": ("index", lambda i: i["manifests"][0].update(platform="linux/" + HOST_ARCH)),
    "index-size-negative": ("index", lambda i: i["manifests"][0].update(size=-1)),
    "manifest-layers-string": ("manifest", lambda m: m.update(layers=m["layers"][0]["digest"])),
    "manifest-schema-1": ("manifest", lambda m: m.update(schemaVersion=1)),
    "manifest-media-type-number": ("manifest", lambda m: m.update(mediaType=5)),
    "manifest-layer-size-string": ("manifest", lambda m: m["layers"][0].update(size=str(m["layers"][0]["size"]))),
    "config-env-string": ("config", lambda c: c["config"].update(Env="PATH=/bin")),
    "config-cmd-null": ("config", lambda c: c["config"].update(Cmd=[None])),
    "config-diff-ids-number": ("config", lambda c: c["rootfs"]["diff_ids"].__setitem__(0, 5)),
    "config-history-number": ("config", lambda c: c.update(history=[5])),
}

TOKENS = {
    "token-number": 5,
    "token-crlf": "ferry\r\nX-Ferry-Injected: 1",
}

PATH_RE = re.compile(r"^/v2/(?P<name>.+)/(?P<kind>manifests|blobs)/(?P<ref>[^/]+)$")


HOST_ARCH = {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine)


def digest_of(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Layout:
    """The first manifest of an OCI image layout and its blobs."""

    def __init__(self, path):
        self.path = path
        with open(os.path.join(path, "index.json"), "rb") as f:
            desc = json.load(f)["manifests"][0]
        self.manifest_type = desc["mediaType"]
        self.manifest = self.blob(desc["digest"])
        self.config_digest = json.loads(self.manifest)["config"]["digest"]
        # "twice": the first layer blob once for each diff_id.
        manifest = json.loads(self.manifest)
        config = json.loads(self.blob(self.config_digest))
        first = manifest["layers"][0]
        manifest["layers"] = [first] * len(config["rootfs"]["diff_ids"])
        self.twice_config = json.dumps(config).encode()
        manifest["config"]["digest"] = digest_of(self.twice_config)
        manifest["config"]["size"] = len(self.twice_config)
        self.twice_manifest = json.dumps(manifest).encode()
        # "many-layers": the first layer 501 times.
        manifest = json.loads(self.manifest)
        config = json.loads(self.blob(self.config_digest))
        manifest["layers"] = [first] * 501
        config["rootfs"]["diff_ids"] = [config["rootfs"]["diff_ids"][0]] * 501
        self.many_config = json.dumps(config).encode()
        manifest["config"]["digest"] = digest_of(self.many_config)
        manifest["config"]["size"] = len(self.many_config)
        self.many_manifest = json.dumps(manifest).encode()
        self.bad = {case: self.make_bad(where, change) for case, (where, change) in BAD.items()}
        # Not even JSON to the end: a manifest with trailing garbage.
        self.bad["manifest-trailing-garbage"] = (self.manifest + b" garbage", self.manifest_type, {})

    def make_bad(self, where, change):
        """(manifest or index, its content type, {digest: blob}) for a BAD case."""
        manifest = json.loads(self.manifest)
        config = json.loads(self.blob(self.config_digest))
        blobs = {}
        if where == "index":
            index = {"schemaVersion": 2, "mediaType": DOCKER_LIST, "manifests": [{
                "mediaType": self.manifest_type, "digest": digest_of(self.manifest), "size": len(self.manifest),
                "platform": {"os": "linux", "architecture": HOST_ARCH}}]}
            change(index)
            return json.dumps(index).encode(), DOCKER_LIST, blobs
        if where == "config":
            change(config)
            data = json.dumps(config).encode()
            blobs[digest_of(data)] = data
            manifest["config"]["digest"] = digest_of(data)
            manifest["config"]["size"] = len(data)
        else:
            change(manifest)
        return json.dumps(manifest).encode(), self.manifest_type, blobs

    def blob(self, digest):
        algo, _, hexpart = digest.partition(":")
        if algo != "sha256" or not re.fullmatch(r"[0-9a-f]{64}", hexpart):
            return None
        try:
            with open(os.path.join(self.path, "blobs", "sha256", hexpart), "rb") as f:
                return f.read()
        except FileNotFoundError:
            return None


class Handler(BaseHTTPRequestHandler):
    server_version = "ferry-test-hostile-registry/1"
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, each
    # answer waits for the client's delayed ACK (40 ms).
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    def note(self, status):
        auth = " authorization" if self.headers.get("Authorization") else ""
        if self.headers.get("X-Ferry-Injected"):
            auth += " injected"
        self.server.log.write("%s %s %d%s\n" % (self.command, self.path, status, auth))
        self.server.log.flush()

    def read_body(self):
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def challenge(self):
        self.read_body()
        body = json.dumps({"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]}).encode()
        self.send(401, body, "application/json; charset=utf-8",
                  [("WWW-Authenticate", 'Basic realm="ferry-test-hostile"')])

    def send(self, status, body, content_type, headers=(), send_bytes=None):
        """Answers with Content-Length len(body) but only send_bytes of it."""
        self.note(status)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command == "HEAD":
            return
        if send_bytes is None:
            self.wfile.write(body)
            return
        self.wfile.write(body[:send_bytes])
        self.wfile.flush()
        # Cut the connection mid-body: the client sees fewer bytes than
        # Content-Length promised.
        self.close_connection = True
        self.connection.shutdown(2)

    def error(self, status, code, message, detail):
        body = json.dumps({"errors": [{"code": code, "message": message, "detail": detail}]}).encode()
        self.send(status, body, "application/json; charset=utf-8")

    SCOPED_NEEDS = ("repository:scoped:pull", "repository:scoped-extra:pull")

    def serve_token(self):
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        scopes = query.get("scope", [])
        token = "|".join(scopes).encode().hex()
        self.send(200, json.dumps({"token": token}).encode(), "application/json")

    def serve_scoped(self, kind, ref):
        layout = self.server.layout
        auth = self.headers.get("Authorization") or ""
        granted = []
        if auth.startswith("Bearer "):
            try:
                granted = bytes.fromhex(auth[7:]).decode().split("|")
            except ValueError:
                pass
        if not all(s in granted for s in self.SCOPED_NEEDS):
            realm = "http://127.0.0.1:%d/token" % self.server.server_address[1]
            self.send(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"token needed"}]}', "application/json",
                      [("WWW-Authenticate", 'Bearer realm="%s",service="hostile",scope="%s"'
                        % (realm, " ".join(self.SCOPED_NEEDS)))])
        elif kind == "manifests":
            self.send(200, layout.manifest, layout.manifest_type,
                      [("Docker-Content-Digest", digest_of(layout.manifest))])
        elif layout.blob(ref) is not None:
            self.send(200, layout.blob(ref), "application/octet-stream", [("Docker-Content-Digest", ref)])
        else:
            self.error(404, "BLOB_UNKNOWN", "blob unknown to registry", ref)

    def serve_bad(self, case, kind, ref):
        layout = self.server.layout
        body, content_type, blobs = layout.bad[case]
        if kind == "manifests" and ref == digest_of(layout.manifest):
            self.send(200, layout.manifest, layout.manifest_type, [("Docker-Content-Digest", ref)])
        elif kind == "manifests":
            self.send(200, body, content_type, [("Docker-Content-Digest", digest_of(body))])
        elif ref in blobs:
            self.send(200, blobs[ref], "application/octet-stream", [("Docker-Content-Digest", ref)])
        elif layout.blob(ref) is not None:
            self.send(200, layout.blob(ref), "application/octet-stream", [("Docker-Content-Digest", ref)])
        else:
            self.error(404, "BLOB_UNKNOWN", "blob unknown to registry", ref)

    def serve_bad_token(self, name, kind, ref):
        layout = self.server.layout
        if not (self.headers.get("Authorization") or "").startswith("Bearer "):
            realm = "http://127.0.0.1:%d/%s" % (self.server.server_address[1], name)
            self.send(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"token needed"}]}', "application/json",
                      [("WWW-Authenticate", 'Bearer realm="%s",service="hostile"' % realm)])
        elif kind == "manifests":
            self.send(200, layout.manifest, layout.manifest_type,
                      [("Docker-Content-Digest", digest_of(layout.manifest))])
        elif layout.blob(ref) is not None:
            self.send(200, layout.blob(ref), "application/octet-stream", [("Docker-Content-Digest", ref)])
        else:
            self.error(404, "BLOB_UNKNOWN", "blob unknown to registry", ref)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        if self.path.startswith("/token?"):
            self.serve_token()
            return
        token_endpoint = self.path.split("?", 1)[0].lstrip("/")
        if token_endpoint in TOKENS:
            self.send(200, json.dumps({"token": TOKENS[token_endpoint]}).encode(), "application/json")
            return
        if self.path in ("/v2", "/v2/"):
            self.send(200, b"{}", "application/json; charset=utf-8")
            return
        if self.path.startswith("/v1/search?") and "q=page" not in self.path:
            results = [
                {"name": "hostile/escapes", "star_count": 42, "is_official": False, "is_automated": True,
                 "description": "line one\nline two\x1b[2J\x1b[H and then a great deal more text than fits"},
                {"name": 7, "description": "a number for a name"},
                {"name": "official", "star_count": 3, "is_official": True, "description": "short"},
            ]
            self.send(200, json.dumps({"results": results}).encode(), "application/json")
            return
        if self.path.split("?", 1)[0] == "/v2/_catalog":
            page = int(self.path.split("last=page-", 1)[1].split("&", 1)[0]) + 1 if "last=" in self.path else 0
            body = json.dumps({"repositories": ["page-%d" % page]}).encode()
            self.send(200, body, "application/json",
                      [("Link", '</v2/_catalog?last=page-%d&n=1>; rel="next"' % page)])
            return
        m = PATH_RE.match(self.path.split("?", 1)[0])
        if not m:
            self.error(404, "NOT_FOUND", "no such endpoint", self.path)
            return
        name, kind, ref = m.group("name"), m.group("kind"), m.group("ref")
        layout = self.server.layout
        if name == "scoped" and layout:
            self.serve_scoped(kind, ref)
            return
        if name.startswith("bad-") and layout and name[4:] in layout.bad:
            self.serve_bad(name[4:], kind, ref)
            return
        if name in TOKENS and layout:
            self.serve_bad_token(name, kind, ref)
            return
        if name == "endless-headers" and kind == "manifests":
            self.note(200)
            filler = b"x" * 1000
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            try:
                for i in range(1 << 20):
                    self.wfile.write(b"X-Filler-%d: %s\r\n" % (i, filler))
            except OSError:
                pass
            self.close_connection = True
        elif name == "rude" and kind == "manifests":
            self.error(404, "MANIFEST_UNKNOWN",
                       "manifest unknown\n\x1b[2J\x1b[HError: everything is fine\r\n" + "filler\n" * 400,
                       {"Tag": ref})
        elif name == "many-layers" and layout and kind == "manifests":
            self.send(200, layout.many_manifest, layout.manifest_type,
                      [("Docker-Content-Digest", digest_of(layout.many_manifest))])
        elif name == "many-layers" and layout and kind == "blobs" and ref == digest_of(layout.many_config):
            self.send(200, layout.many_config, "application/octet-stream", [("Docker-Content-Digest", ref)])
        elif name == "many-layers" and layout and kind == "blobs" and layout.blob(ref) is not None:
            self.send(200, layout.blob(ref), "application/octet-stream", [("Docker-Content-Digest", ref)])
        elif name == "twice" and layout and kind == "manifests":
            self.send(200, layout.twice_manifest, layout.manifest_type,
                      [("Docker-Content-Digest", digest_of(layout.twice_manifest))])
        elif name == "twice" and layout and kind == "blobs" and ref == digest_of(layout.twice_config):
            self.send(200, layout.twice_config, "application/octet-stream", [("Docker-Content-Digest", ref)])
        elif name == "twice" and layout and kind == "blobs" and layout.blob(ref) is not None:
            self.send(200, layout.blob(ref), "application/octet-stream", [("Docker-Content-Digest", ref)])
        elif name == "unknown-type" and kind == "manifests":
            self.send(200, UNKNOWN_MANIFEST, UNKNOWN_TYPE,
                      [("Docker-Content-Digest", digest_of(UNKNOWN_MANIFEST))])
        elif name == "truncated" and layout and kind == "manifests":
            self.send(200, layout.manifest, layout.manifest_type,
                      [("Docker-Content-Digest", digest_of(layout.manifest))])
        elif name == "truncated" and layout and kind == "blobs" and layout.blob(ref) is not None:
            data = layout.blob(ref)
            headers = [("Docker-Content-Digest", ref)]
            if ref == layout.config_digest:
                self.send(200, data, "application/octet-stream", headers)
            else:
                self.send(200, data, "application/octet-stream", headers, send_bytes=len(data) // 2)
        elif kind == "manifests" and name in ("unknown-type", "truncated"):
            self.error(404, "MANIFEST_UNKNOWN", "manifest unknown", {"Tag": ref})
        elif kind == "blobs" and name in ("unknown-type", "truncated"):
            self.error(404, "BLOB_UNKNOWN", "blob unknown to registry", ref)
        else:
            self.error(404, "NAME_UNKNOWN", "repository name not known to registry", {"name": name})

    def handle_one_request(self):
        super().handle_one_request()
        self.served = getattr(self, "served", 0) + 1

    def do_POST(self):
        if self.path.startswith("/v2/stale/blobs/uploads/"):
            self.read_body()
            self.server.uploads += 1
            self.send(202, b"", "text/plain", [("Location", "/stale-upload/%d" % self.server.uploads)])
            return
        if self.path.startswith("/v2/elsewhere/blobs/uploads/"):
            if not self.headers.get("Authorization"):
                self.challenge()
                return
            self.read_body()
            self.server.uploads += 1
            where = "http://localhost:%d/elsewhere-upload/%d" % (self.server.server_address[1],
                                                                  self.server.uploads)
            self.send(202, b"", "text/plain", [("Location", where)])
            return
        self.error(405, "UNSUPPORTED", "this registry is read-only", self.path)

    def do_PUT(self):
        if self.path.startswith("/stale-upload/"):
            self.read_body()
            upload = self.path.split("?", 1)[0]
            if getattr(self, "served", 0) > 0 and upload not in self.server.dropped:
                self.server.dropped.add(upload)
                self.note(0)
                self.close_connection = True
                self.connection.shutdown(2)
                return
            digest = self.path.partition("digest=")[2]
            self.send(201, b"", "text/plain", [("Docker-Content-Digest", digest)])
            return
        if self.path.startswith("/v2/stale/manifests/"):
            body = self.read_body()
            self.send(201, b"", "text/plain", [("Docker-Content-Digest", digest_of(body))])
            return
        if self.path.startswith("/elsewhere-upload/"):
            self.read_body()
            digest = self.path.partition("digest=")[2]
            self.send(201, b"", "text/plain", [("Docker-Content-Digest", digest)])
            return
        if self.path.startswith("/v2/elsewhere/manifests/"):
            if not self.headers.get("Authorization"):
                self.challenge()
                return
            body = self.read_body()
            self.send(201, b"", "text/plain", [("Docker-Content-Digest", digest_of(body))])
            return
        self.do_POST()

    do_PATCH = do_DELETE = do_POST


def main():
    p = argparse.ArgumentParser(description="A misbehaving registry for ferry's bad-input tests")
    p.add_argument("--port-file", required=True)
    p.add_argument("--layout", help="OCI image layout whose image the 'truncated' repository serves")
    p.add_argument("--log")
    args = p.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.uploads = 0
    server.dropped = set()
    server.layout = Layout(args.layout) if args.layout else None
    server.log = open(args.log, "a", buffering=1) if args.log else sys.stderr
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
