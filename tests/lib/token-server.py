#!/usr/bin/env python3
"""A small Bearer token server for ferry's registry tests.

The registry in the tests is the real one (Debian's docker-registry,
distribution 2.8) configured with `auth: token`; only the token issuer is
ours.  It implements the token protocol that registry clients speak
(distribution's docs/spec/auth/token.md):

  GET  /token?service=S&scope=repository:NAME:pull,push[&scope=...]
       with HTTP Basic credentials (or none, for an anonymous token)
  POST /token  (OAuth2 form: grant_type=password, username, password,
       service, scope), which some clients use instead; with
       access_type=offline the answer also carries a "refresh_token"
  POST /token  (OAuth2 form: grant_type=refresh_token, refresh_token,
       client_id, service, scope): the "identitytoken" of an auth file;
       the refresh token is the one this server gives (--refresh-token)

and answers {"token": JWT, "access_token": JWT, "expires_in", "issued_at"}.

The JWT is RS256, signed with `openssl dgst -sha256 -sign KEY` (python's
standard library has no RSA).  Distribution 2.8 finds the verification key
from the JWT header in one of three ways; this server uses either:
  kid  (default) the libtrust fingerprint of the public key, which the
       registry looks up among the keys of the certificates in its
       `rootcertbundle`: base32 of the first 30 bytes of the SHA-256 of the
       DER SubjectPublicKeyInfo, '=' stripped, in groups of 4 joined by ':';
  x5c  the signing certificate itself (base64 DER), which the registry
       verifies against `rootcertbundle` as a CA pool.
The claims carry iss (--issuer), aud (--service), sub, iat, nbf, exp, jti
and `access`: valid credentials get every action they asked for, anonymous
requests get a token with no access at all (the registry then answers 401,
as Docker Hub does for a private repository), wrong credentials get 401.

Each request is logged as one line to --log (default stderr):
  token GET user=NAME scope=repository:x:pull,push granted=1
so tests can prove a client really went through the token server, and
before it one line with the request as it came, its query and form as
sent (so tests can compare two clients' requests):
  request GET /token?account=NAME&scope=...&service=S
  request POST /token form=client_id=...&grant_type=refresh_token&...

Usage:
  token-server.py --key KEY.pem --cert CERT.pem --issuer ISS --service SVC
                  --user USER --password PASS --port-file FILE
                  [--addr 127.0.0.1] [--header kid|x5c] [--log FILE]
                  [--refresh-token TOKEN]
It listens on a free port of --addr and writes the port to --port-file
(atomically) once it accepts connections.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TOKEN_LIFETIME = 300


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def libtrust_key_id(cert_path):
    """The key ID libtrust (and so distribution 2.8) gives the cert's key."""
    pub = subprocess.run(
        ["openssl", "x509", "-in", cert_path, "-noout", "-pubkey"],
        check=True, capture_output=True).stdout
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-outform", "DER"],
        input=pub, check=True, capture_output=True).stdout
    b32 = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(b32[i:i + 4] for i in range(0, len(b32), 4))


def cert_der_b64(cert_path):
    der = subprocess.run(
        ["openssl", "x509", "-in", cert_path, "-outform", "DER"],
        check=True, capture_output=True).stdout
    return base64.b64encode(der).decode()


def parse_scope(scope):
    """'repository:NAME:pull,push' -> (type, name, [actions]) or None."""
    first = scope.find(":")
    last = scope.rfind(":")
    if first <= 0 or last == first:
        return None
    actions = [a for a in scope[last + 1:].split(",") if a]
    return scope[:first], scope[first + 1:last], actions


class TokenIssuer:
    def __init__(self, args):
        self.args = args
        if args.header == "x5c":
            self.header = {"typ": "JWT", "alg": "RS256", "x5c": [cert_der_b64(args.cert)]}
        else:
            self.header = {"typ": "JWT", "alg": "RS256", "kid": libtrust_key_id(args.cert)}

    def sign(self, data):
        return subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", self.args.key],
            input=data, check=True, capture_output=True).stdout

    def issue(self, subject, access):
        now = int(time.time())
        claims = {
            "iss": self.args.issuer,
            "sub": subject,
            "aud": self.args.service,
            "exp": now + TOKEN_LIFETIME,
            "nbf": now - 1,
            "iat": now,
            "jti": str(uuid.uuid4()),
            "access": access,
        }
        signing_input = (b64url(json.dumps(self.header, separators=(",", ":")).encode()) + "." +
                         b64url(json.dumps(claims, separators=(",", ":")).encode()))
        signature = self.sign(signing_input.encode())
        return signing_input + "." + b64url(signature)


class Handler(BaseHTTPRequestHandler):
    server_version = "ferry-test-token-server/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # the access log is our own lines
        pass

    def note(self, line):
        log = self.server.log
        log.write(line + "\n")
        log.flush()

    def reply(self, status, body, extra_headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra_headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def basic_credentials(self):
        auth = self.headers.get("Authorization", "")
        if not auth.lower().startswith("basic "):
            return None
        try:
            user, _, password = base64.b64decode(auth[6:].strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return ("", "")
        return (user, password)

    def do_GET(self):
        self.note("request GET %s" % self.path)
        url = urlsplit(self.path)
        if url.path != "/token":
            self.reply(404, {"errors": [{"code": "NOT_FOUND", "message": "no such endpoint"}]})
            return
        q = parse_qs(url.query)
        self.grant("GET", self.basic_credentials(), q.get("service", [""])[0], q.get("scope", []))

    def read_body(self):
        """The request body, sized or chunked (Go sends a form of unknown
        length chunked)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_POST(self):
        url = urlsplit(self.path)
        body = self.read_body().decode()
        self.note("request POST %s form=%s" % (self.path, body))
        form = parse_qs(body)
        if url.path != "/token":
            self.reply(404, {"errors": [{"code": "NOT_FOUND", "message": "no such endpoint"}]})
            return
        grant_type = form.get("grant_type", [""])[0]
        scopes = []
        for s in form.get("scope", []):
            scopes.extend(s.split(" "))
        if grant_type == "refresh_token":
            given = form.get("refresh_token", [""])[0]
            client = form.get("client_id", [""])[0]
            if not client or not hmac.compare_digest(given, self.server.args.refresh_token):
                self.note("token POST refresh client_id=%s scope=%s refused: bad refresh token" %
                          (client or "-", " ".join(scopes) or "-"))
                self.reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad refresh token"}]})
                return
            self.note("token POST refresh client_id=%s" % client)
            creds = (self.server.args.user, self.server.args.password)
            self.grant("POST", creds, form.get("service", [""])[0], scopes)
            return
        if grant_type != "password":
            self.note("token POST unsupported grant_type=%s" % grant_type)
            self.reply(400, {"error": "unsupported_grant_type"})
            return
        creds = (form.get("username", [""])[0], form.get("password", [""])[0])
        offline = form.get("access_type", [""])[0] == "offline"
        self.grant("POST", creds, form.get("service", [""])[0], scopes, offline)

    def grant(self, method, creds, service, scopes, offline=False):
        args = self.server.args
        scope_text = " ".join(scopes) or "-"
        if service != args.service:
            self.note("token %s service=%s refused: unknown service" % (method, service))
            self.reply(400, {"errors": [{"code": "DENIED", "message": "unknown service %r" % service}]})
            return
        if creds is None:
            subject = ""
            access = []
        else:
            user, password = creds
            if not (hmac.compare_digest(user, args.user) and hmac.compare_digest(password, args.password)):
                self.note("token %s user=%s scope=%s refused: bad credentials" % (method, user, scope_text))
                self.reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]},
                           [("WWW-Authenticate", 'Basic realm="ferry-test-token-server"')])
                return
            subject = user
            access = []
            for s in scopes:
                parsed = parse_scope(s)
                if parsed:
                    access.append({"type": parsed[0], "name": parsed[1], "actions": parsed[2]})
        token = self.server.issuer.issue(subject, access)
        self.note("token %s user=%s scope=%s granted=%d" % (method, subject or "(anonymous)", scope_text, len(access)))
        body = {
            "token": token,
            "access_token": token,
            "expires_in": TOKEN_LIFETIME,
            "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        if offline and creds is not None:
            body["refresh_token"] = args.refresh_token
        self.reply(200, body)


def main():
    p = argparse.ArgumentParser(description="Bearer token server for ferry's registry tests")
    p.add_argument("--key", required=True, help="PEM RSA private key that signs the tokens")
    p.add_argument("--cert", required=True, help="PEM certificate of that key (the registry's rootcertbundle)")
    p.add_argument("--issuer", required=True)
    p.add_argument("--service", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--refresh-token", default="ferry-test-refresh-token",
                   help="the refresh token given for access_type=offline, and taken back")
    p.add_argument("--port-file", required=True)
    p.add_argument("--addr", default="127.0.0.1")
    p.add_argument("--header", choices=("kid", "x5c"), default="kid")
    p.add_argument("--log")
    args = p.parse_args()

    server = ThreadingHTTPServer((args.addr, 0), Handler)
    server.daemon_threads = True
    server.args = args
    server.issuer = TokenIssuer(args)
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
