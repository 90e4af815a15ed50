#!/usr/bin/env bats
# Input from outside that must neither harm the host nor hang or crash
# ferry, second part (see also the unit tests of util/decompress.c and
# runtime/cdi.c for crafted gzip members and CDI specs): a lookaside
# signature store that never runs out of signatures, an OCI archive whose
# few nested indexes name each other thousands of times over.

load helpers
load ../lib/registry
load podman-helpers
load trust-helpers

bats_require_minimum_version 1.5.0

eval "untrusted2_$(declare -f setup)"
setup() {
	untrusted2_setup
	trust_env
	ENDLESS_PID=
}

eval "untrusted2_$(declare -f teardown)"
teardown() {
	if [ -n "${ENDLESS_PID:-}" ]; then
		kill "$ENDLESS_PID" 2>/dev/null || true
		wait "$ENDLESS_PID" 2>/dev/null || true
	fi
	podman_teardown
	untrusted2_teardown
}

# endless_start: a web server on 127.0.0.1:$ENDLESS_PORT that answers every
# GET with 200 and a few bytes: signature-1, -2, ... never end.  Each
# request is one line of $TEST_TMP/endless.log.
endless_start() {
	python3 - "$TEST_TMP/endless.port" "$TEST_TMP/endless.log" <<-'EOF' &
		import http.server, sys
		class H(http.server.BaseHTTPRequestHandler):
		    protocol_version = 'HTTP/1.1'
		    def do_GET(self):
		        # An OpenPGP packet's first byte: a signature's format, to Podman.
		        body = b'\xa3\x01 not a signature'
		        # Logged before the answer: the client's last request is in
		        # the log by the time it is done.
		        with open(sys.argv[2], 'a') as log:
		            log.write(self.path + '\n')
		        self.send_response(200)
		        self.send_header('Content-Length', str(len(body)))
		        self.end_headers()
		        self.wfile.write(body)
		    def log_message(self, *args):
		        pass
		s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
		with open(sys.argv[1] + '.tmp', 'w') as f:
		    f.write(str(s.server_address[1]))
		import os
		os.rename(sys.argv[1] + '.tmp', sys.argv[1])
		s.serve_forever()
	EOF
	ENDLESS_PID=$!
	_registry_wait_port_file "$TEST_TMP/endless.port" "$ENDLESS_PID"
	ENDLESS_PORT=$(cat "$TEST_TMP/endless.port")
}

@test "a lookaside store that never answers 404 is given up after 128 signatures, as Podman does, not read until memory runs out" {
	registry_start
	registry_seed ferry/test:v1
	printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REGISTRY" >"$CONTAINERS_REGISTRIES_CONF"
	endless_start
	printf 'docker:\n  %s:\n    lookaside: http://127.0.0.1:%s/sigs\n' "$REGISTRY" "$ENDLESS_PORT" \
		>"$HOME/.config/containers/registries.d/test.yaml"
	printf '{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/dev/null"}]}\n' >"$TEST_TMP/signed.json"
	local img=$REGISTRY/ferry/test:v1 digest
	digest=$(registry_tag_digest ferry/test v1)

	# Before, ferry asked for signature-N for ever (each up to 4 MiB, kept).
	export -f f
	export FERRY_BIN
	run -125 timeout 60 bash -c 'f "$@"' f pull -q --tls-verify=false --signature-policy "$TEST_TMP/signed.json" "$img"
	echo "$output"
	[ "$output" = "Error: Source image rejected: server provided 128 signatures, assuming that's unreasonable and a server error" ]
	# signature-1 to -128 were asked for, and no more.
	[ "$(wc -l <"$TEST_TMP/endless.log")" = 128 ]
	[ "$(tail -n 1 "$TEST_TMP/endless.log")" = "/sigs/ferry/test@sha256=${digest#sha256:}/signature-128" ]
	[ "$(f images -q | wc -l)" = 0 ]

	if command -v podman >/dev/null; then
		: >"$TEST_TMP/endless.log"
		run -125 podman_t pull -q --tls-verify=false --signature-policy "$TEST_TMP/signed.json" "$img"
		echo "podman: $output"
		[[ $output == *"server provided 128 signatures, assuming that's unreasonable and a server error"* ]]
		[ "$(wc -l <"$TEST_TMP/endless.log")" = 128 ]
	fi
}

@test "a FIFO in a file:// lookaside store is refused as no regular file, not waited on" {
	registry_start
	registry_seed ferry/test:v1
	printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REGISTRY" >"$CONTAINERS_REGISTRIES_CONF"
	local img=$REGISTRY/ferry/test:v1 digest dir
	digest=$(registry_tag_digest ferry/test v1)
	dir=$TEST_TMP/sigs/ferry/test@sha256=${digest#sha256:}
	mkdir -p "$dir"
	mkfifo "$dir/signature-1"
	printf 'docker:\n  %s:\n    lookaside: file://%s/sigs\n' "$REGISTRY" "$TEST_TMP" \
		>"$HOME/.config/containers/registries.d/test.yaml"
	printf '{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/dev/null"}]}\n' >"$TEST_TMP/signed.json"
	export -f f
	export FERRY_BIN
	# Before, the open of the FIFO waited for a writer that never came.
	run -125 timeout 60 bash -c 'f "$@"' f pull -q --tls-verify=false --signature-policy "$TEST_TMP/signed.json" "$img"
	echo "$output"
	[[ $output == *"signature \`$dir/signature-1\` is not a regular file"* ]]
	[ "$(f images -q | wc -l)" = 0 ]
}

# nested_archive K OUT: an oci-archive of a few kilobytes whose index.json
# names an index K times, which names another K times, and so on four
# levels deep; the last lists K manifests for platforms no host has.
# Walked whole, that is K^4 descriptors and K^3 index reads.
nested_archive() {
	python3 - "$1" "$2" <<-'EOF'
		import hashlib, io, json, sys, tarfile
		k, out = int(sys.argv[1]), sys.argv[2]
		blobs = {}
		def index(manifests):
		    return {'schemaVersion': 2, 'mediaType': 'application/vnd.oci.image.index.v1+json', 'manifests': manifests}
		def add(obj):
		    data = json.dumps(obj).encode()
		    digest = 'sha256:' + hashlib.sha256(data).hexdigest()
		    blobs[digest] = data
		    return {'mediaType': 'application/vnd.oci.image.index.v1+json', 'digest': digest, 'size': len(data)}
		desc = add(index([{'mediaType': 'application/vnd.oci.image.manifest.v1+json', 'digest': 'sha256:' + '0' * 64,
		                   'size': 1, 'platform': {'architecture': 'none%d' % i, 'os': 'none'}} for i in range(k)]))
		for _ in range(3):
		    desc = add(index([desc] * k))
		with tarfile.open(out, 'w') as t:
		    def put(name, data):
		        info = tarfile.TarInfo(name)
		        info.size = len(data)
		        t.addfile(info, io.BytesIO(data))
		    put('oci-layout', b'{"imageLayoutVersion":"1.0.0"}')
		    put('index.json', json.dumps(index([desc] * k)).encode())
		    for digest, data in blobs.items():
		        put('blobs/sha256/' + digest[7:], data)
	EOF
}

@test "an oci-archive whose nested indexes name each other over and over is refused at once, not walked for hours" {
	nested_archive 40 "$TEST_TMP/nested.tar"
	[ "$(stat -c %s "$TEST_TMP/nested.tar")" -lt 65536 ]
	# Before, ferry walked 2.5 million descriptors, parsing an index for
	# each of 65 thousand, for minutes, holding the store.
	export -f f
	export FERRY_BIN
	run -125 timeout 30 bash -c 'f "$@"' f load -i "$TEST_TMP/nested.tar"
	echo "$output"
	[ "$output" = "Error: image archive \`$TEST_TMP/nested.tar\` names more than 65536 image descriptors, nested indexes counted each time they are named: it is no image layout ferry loads" ]
	assert_store_empty
	# A few levels named a few times each are an image layout still: the
	# refusal is the one for no image of this platform.
	nested_archive 3 "$TEST_TMP/small.tar"
	run -125 f load -i "$TEST_TMP/small.tar"
	[[ $output == "Error: image archive \`$TEST_TMP/small.tar\` holds no image for linux/"* ]]
	if command -v podman >/dev/null; then
		# Podman takes one image from index.json only: it refuses both.
		run -125 podman_t load -i "$TEST_TMP/nested.tar"
		[[ $output == *"more than one image in oci, choose an image"* ]]
	fi
}
