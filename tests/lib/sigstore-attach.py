#!/usr/bin/env python3
"""Writes a sigstore attachment to a plain-HTTP registry, as cosign and
containers/image lay one out: an OCI manifest tagged sha256-HEX.sig in the
image's repository, whose layers are signature payloads (media type
application/vnd.dev.cosign.simplesigning.v1+json) carrying their base64
signature in the annotation dev.cosignproject.cosign/signature.

The tests make signatures Podman would not: a payload for another digest
or identity, a signature that does not match its payload.

    sigstore-attach.py REGISTRY REPO DIGEST [--key PEM] [--payload FILE]
                       [--identity REF] [--signed-digest D] [--type T]
                       [--tamper] [--no-signature] [--lookaside DIR]

--key signs the payload (ECDSA or RSA, SHA-256) with openssl; the payload
is FILE or one made from --identity, --signed-digest (default DIGEST) and
--type.  --tamper changes the payload after signing it.  --lookaside
writes the signature to DIR/REPO@sha256=HEX/signature-1 instead, as
containers/image keeps a sigstore signature in a lookaside store
("\\0sigstore-json\\n" and its JSON)."""
import argparse
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import urllib.request

COSIGN_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json"


def request(method, url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    with urllib.request.urlopen(req) as resp:
        return resp.status, dict(resp.headers), resp.read()


def put_blob(base, repo, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    _, headers, _ = request("POST", f"{base}/v2/{repo}/blobs/uploads/")
    location = headers["Location"]
    if location.startswith("/"):
        location = base + location
    sep = "&" if "?" in location else "?"
    request("PUT", f"{location}{sep}digest={digest}", data,
            {"Content-Type": "application/octet-stream"})
    return digest


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("registry")
    ap.add_argument("repo")
    ap.add_argument("digest")
    ap.add_argument("--key")
    ap.add_argument("--payload")
    ap.add_argument("--identity")
    ap.add_argument("--signed-digest")
    ap.add_argument("--type", default="cosign container image signature")
    ap.add_argument("--tamper", action="store_true")
    ap.add_argument("--no-signature", action="store_true")
    ap.add_argument("--lookaside")
    a = ap.parse_args()
    base = f"http://{a.registry}"

    if a.payload:
        payload = open(a.payload, "rb").read()
    else:
        payload = json.dumps({
            "critical": {
                "identity": {"docker-reference": a.identity},
                "image": {"docker-manifest-digest": a.signed_digest or a.digest},
                "type": a.type,
            },
            "optional": {"creator": "ferry tests"},
        }, separators=(",", ":")).encode()
    annotations = {}
    if a.key and not a.no_signature:
        kind = subprocess.run(["openssl", "pkey", "-in", a.key, "-noout", "-text"],
                              stdout=subprocess.PIPE, check=True).stdout
        if kind.startswith(b"ED25519"):
            # Ed25519 signs the message itself, no digest first.
            with tempfile.NamedTemporaryFile() as f:
                f.write(payload)
                f.flush()
                sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", a.key, "-in", f.name],
                                     stdout=subprocess.PIPE, check=True).stdout
        else:
            sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", a.key],
                                 input=payload, stdout=subprocess.PIPE, check=True).stdout
        annotations["dev.cosignproject.cosign/signature"] = base64.b64encode(sig).decode()
    if a.tamper:
        payload = payload.replace(b"critical", b"Critical", 1) if b'"optional"' not in payload \
            else payload.replace(b"ferry tests", b"ferry Tests", 1)
    if a.lookaside:
        d = os.path.join(a.lookaside, a.repo + "@" + a.digest.replace(":", "="))
        os.makedirs(d, exist_ok=True)
        doc = json.dumps({"mimeType": COSIGN_TYPE, "payload": base64.b64encode(payload).decode(),
                          "annotations": annotations}, separators=(",", ":")).encode()
        with open(os.path.join(d, "signature-1"), "wb") as f:
            f.write(b"\0sigstore-json\n" + doc)
        return 0
    layer_digest = put_blob(base, a.repo, payload)
    config = json.dumps({"architecture": "", "os": "", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": [layer_digest]}},
                        separators=(",", ":")).encode()
    config_digest = put_blob(base, a.repo, config)
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": config_digest, "size": len(config)},
        "layers": [{"mediaType": COSIGN_TYPE, "digest": layer_digest, "size": len(payload),
                    "annotations": annotations}],
    }, separators=(",", ":")).encode()
    tag = a.digest.replace(":", "-") + ".sig"
    request("PUT", f"{base}/v2/{a.repo}/manifests/{tag}", manifest,
            {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
