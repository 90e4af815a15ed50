#!/usr/bin/env bats
# Input from outside that must neither harm the host nor hang or crash
# ferry, second part (see also the unit tests of util/decompress.c and
# runtime/cdi.c for crafted gzip members and CDI specs): a lookaside
# signature store that never runs out of signatures.

load helpers
load ../lib/registry
load podman-helpers

bats_require_minimum_version 1.5.0

eval "untrusted2_$(declare -f setup)"
setup() {
	untrusted2_setup
	printf '[engine]\nlock_type = "file"\n' >>"$CONTAINERS_CONF"
	export HOME=$TEST_TMP/home
	mkdir -p "$HOME/.config/containers/registries.d"
	export CONTAINERS_REGISTRIES_CONF=$TEST_TMP/registries.conf
	: >"$CONTAINERS_REGISTRIES_CONF"
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
		        self.send_response(200)
		        self.send_header('Content-Length', str(len(body)))
		        self.end_headers()
		        self.wfile.write(body)
		        with open(sys.argv[2], 'a') as log:
		            log.write(self.path + '\n')
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
