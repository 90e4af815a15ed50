# Registries for ferry's pull/push system tests.  Load after helpers:
#
#   load helpers
#   load ../lib/registry
#
# registry_start runs the real thing, Debian's docker-registry (distribution
# 2.8), on 127.0.0.1 with its storage, config, keys and log under $TEST_TMP,
# anonymous or behind htpasswd (Basic), a Bearer token server
# (tests/lib/token-server.py) or self-signed TLS.  hostile_start runs
# tests/lib/hostile-registry.py, which serves what no real registry would.
#
# Loading this file wraps helpers.bash's setup and teardown:
#   - setup also points REGISTRY_AUTH_FILE at $TEST_TMP/auth.json, so neither
#     ferry nor skopeo ever reads or writes the host's credentials;
#   - teardown stops every server this file started before the usual cleanup
#     (which would kill them anyway: each one's command line names $TEST_TMP).

REGISTRY_LIB_DIR=${REGISTRY_LIB_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}

# The token server's fixed identity; the registry's config names the same.
REGISTRY_TOKEN_SERVICE=ferry-test-registry
REGISTRY_TOKEN_ISSUER=ferry-test-token-server
REGISTRY_TOKEN_USER=ferry-token-user
REGISTRY_TOKEN_PASS=ferry-token-pass

if ! declare -F _registry_helpers_setup >/dev/null; then
	eval "_registry_helpers_$(declare -f setup)"
	eval "_registry_helpers_$(declare -f teardown)"
fi

setup() {
	_registry_helpers_setup
	export REGISTRY_AUTH_FILE=$TEST_TMP/auth.json
	unset REGISTRY REGISTRY_DIR REGISTRY_LOG REGISTRY_PID REGISTRY_USER REGISTRY_PASS
	unset REGISTRY_TOKEN_PID REGISTRY_TOKEN_LOG REGISTRY_TOKEN_REALM_QUERY REGISTRY_CA
	unset HOSTILE HOSTILE_PID HOSTILE_LOG
}

teardown() {
	registry_stop
	hostile_stop
	_registry_helpers_teardown
}

# Prints a TCP port of 127.0.0.1 that nobody listens on (now).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# _registry_wait_port_file FILE PID: waits (10 s) for a python server to
# write its port.
_registry_wait_port_file() {
	for _ in $(seq 1 100); do
		[ -s "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	echo "registry: server $2 did not write $1" >&2
	return 1
}

# _registry_make_cert DIR NAME CN: a self-signed RSA key and certificate
# NAME.key/NAME.crt for CN, valid for 127.0.0.1 and localhost.
_registry_make_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$3" \
		-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		-keyout "$1/$2.key" -out "$1/$2.crt" 2>"$1/$2.openssl.log" || {
		cat "$1/$2.openssl.log" >&2
		return 1
	}
}

# registry_start [--htpasswd USER PASS] [--token] [--tls]
# Starts a registry and exports:
#   REGISTRY       127.0.0.1:PORT
#   REGISTRY_DIR   its storage root (docker/registry/v2/... below it)
#   REGISTRY_LOG   its log: application lines and one access-log line per
#                  request ("GET /v2/NAME/blobs/sha256:... HTTP/1.1" 200 ...)
#   REGISTRY_USER, REGISTRY_PASS  the credentials it wants (--htpasswd, --token)
#   REGISTRY_TOKEN_LOG  the token server's log (--token): one line a request
#   REGISTRY_CA    the self-signed certificate it serves (--tls)
#   --htpasswd  Basic authentication (bcrypt htpasswd file, the only kind
#               distribution accepts)
#   --token     Bearer tokens from tests/lib/token-server.py, which takes
#               $REGISTRY_TOKEN_USER / $REGISTRY_TOKEN_PASS; its realm
#               ends in ?$REGISTRY_TOKEN_REALM_QUERY when that is set
#   --tls       https with a self-signed certificate
registry_start() {
	local user='' pass='' token=0 tls=0 dir scheme=http auth_yaml='' tls_yaml='' port code
	while [ $# -gt 0 ]; do
		case "$1" in
		--htpasswd)
			[ $# -ge 3 ] || { echo "registry_start: --htpasswd USER PASS" >&2; return 1; }
			user=$2 pass=$3
			shift 3
			;;
		--token) token=1; shift ;;
		--tls) tls=1; shift ;;
		*) echo "registry_start: unknown option '$1'" >&2; return 1 ;;
		esac
	done
	if [ -n "$user" ] && [ "$token" = 1 ]; then
		echo "registry_start: distribution takes one auth method: --htpasswd or --token" >&2
		return 1
	fi
	[ -z "${REGISTRY_PID:-}" ] || { echo "registry_start: a registry is already running ($REGISTRY)" >&2; return 1; }
	command -v docker-registry >/dev/null || { echo "registry_start: docker-registry is not installed (scripts/install-deps.sh)" >&2; return 1; }

	dir=$TEST_TMP/registry
	mkdir -p "$dir/data"
	REGISTRY_DIR=$dir/data
	REGISTRY_LOG=$dir/registry.log

	if [ -n "$user" ]; then
		command -v htpasswd >/dev/null || { echo "registry_start: htpasswd is not installed (apache2-utils)" >&2; return 1; }
		htpasswd -Bbc "$dir/htpasswd" "$user" "$pass" 2>/dev/null
		REGISTRY_USER=$user REGISTRY_PASS=$pass
		auth_yaml="auth:
  htpasswd:
    realm: ferry-test-registry
    path: $dir/htpasswd"
	fi

	if [ "$token" = 1 ]; then
		_registry_make_cert "$dir" token "$REGISTRY_TOKEN_ISSUER" || return 1
		REGISTRY_TOKEN_LOG=$dir/token.log
		# Its own lines and any Python traceback end up in one file.
		# shellcheck disable=SC2094
		python3 "$REGISTRY_LIB_DIR/token-server.py" \
			--key "$dir/token.key" --cert "$dir/token.crt" \
			--issuer "$REGISTRY_TOKEN_ISSUER" --service "$REGISTRY_TOKEN_SERVICE" \
			--user "$REGISTRY_TOKEN_USER" --password "$REGISTRY_TOKEN_PASS" \
			--port-file "$dir/token.port" --log "$REGISTRY_TOKEN_LOG" \
			</dev/null >>"$REGISTRY_TOKEN_LOG" 2>&1 3>&- &
		REGISTRY_TOKEN_PID=$!
		_registry_wait_port_file "$dir/token.port" "$REGISTRY_TOKEN_PID" || { cat "$REGISTRY_TOKEN_LOG" >&2; return 1; }
		REGISTRY_USER=$REGISTRY_TOKEN_USER REGISTRY_PASS=$REGISTRY_TOKEN_PASS
		auth_yaml="auth:
  token:
    realm: http://127.0.0.1:$(cat "$dir/token.port")/token${REGISTRY_TOKEN_REALM_QUERY:+?$REGISTRY_TOKEN_REALM_QUERY}
    service: $REGISTRY_TOKEN_SERVICE
    issuer: $REGISTRY_TOKEN_ISSUER
    rootcertbundle: $dir/token.crt"
	fi

	if [ "$tls" = 1 ]; then
		_registry_make_cert "$dir" tls 127.0.0.1 || return 1
		REGISTRY_CA=$dir/tls.crt
		scheme=https
		tls_yaml="  tls:
    certificate: $dir/tls.crt
    key: $dir/tls.key"
	fi

	# The port is free when picked but could be taken before the registry
	# binds it: then the registry exits and another port is tried.
	for _ in 1 2 3; do
		port=$(free_port)
		cat >"$dir/config.yml" <<-EOF
			version: 0.1
			log:
			  level: info
			  accesslog:
			    disabled: false
			storage:
			  filesystem:
			    rootdirectory: $REGISTRY_DIR
			  delete:
			    enabled: true
			  maintenance:
			    uploadpurging:
			      enabled: false
			http:
			  addr: 127.0.0.1:$port
			  secret: ferry-test-registry-secret
			$tls_yaml
			$auth_yaml
		EOF
		# distribution reads REGISTRY_<SECTION>_<KEY> variables as config
		# overrides: REGISTRY_AUTH_FILE, REGISTRY_LOG and the like would
		# replace whole sections, so it gets an environment of its own.
		env -i PATH="$PATH" docker-registry serve "$dir/config.yml" </dev/null >>"$REGISTRY_LOG" 2>&1 3>&- &
		REGISTRY_PID=$!
		for _ in $(seq 1 100); do
			kill -0 "$REGISTRY_PID" 2>/dev/null || break
			code=$(curl -s -k -o /dev/null -w '%{http_code}' --max-time 2 "$scheme://127.0.0.1:$port/v2/" || true)
			if [ "$code" = 200 ] || [ "$code" = 401 ]; then
				export REGISTRY=127.0.0.1:$port REGISTRY_DIR REGISTRY_LOG REGISTRY_PID
				export REGISTRY_USER REGISTRY_PASS REGISTRY_TOKEN_PID REGISTRY_TOKEN_LOG REGISTRY_CA
				return 0
			fi
			sleep 0.1
		done
		kill "$REGISTRY_PID" 2>/dev/null || true
		wait "$REGISTRY_PID" 2>/dev/null || true
		REGISTRY_PID=
	done
	echo "registry_start: docker-registry did not come up; its log:" >&2
	tail -n 20 "$REGISTRY_LOG" >&2
	return 1
}

# Stops the registry and its token server (nothing if none runs).
registry_stop() {
	local pid
	for pid in ${REGISTRY_PID:-} ${REGISTRY_TOKEN_PID:-}; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	REGISTRY_PID='' REGISTRY_TOKEN_PID=''
}

# registry_seed REF [ARCHIVE]: copies an OCI archive (default the test image)
# to $REGISTRY/REF with skopeo, independently of ferry, keeping its digests;
# uses $REGISTRY_USER/$REGISTRY_PASS when the registry wants them.
registry_seed() {
	local -a creds=()
	if [ -n "${REGISTRY_USER:-}" ]; then creds=(--dest-creds "$REGISTRY_USER:$REGISTRY_PASS"); fi
	skopeo copy --quiet --preserve-digests --dest-tls-verify=false "${creds[@]}" \
		"oci-archive:${2:-$(ferry_test_image)}" "docker://$REGISTRY/$1" >&2
}

# registry_tag_digest REPO TAG: the manifest digest the registry stores for
# REPO:TAG (read from its storage: no request, no auth).
registry_tag_digest() {
	cat "$REGISTRY_DIR/docker/registry/v2/repositories/$1/_manifests/tags/$2/current/link"
}

# registry_blob_path DIGEST: the file holding a blob in the registry's storage.
registry_blob_path() {
	local hex=${1#sha256:}
	echo "$REGISTRY_DIR/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
}

# registry_corrupt_blob DIGEST: flips bytes in the middle of a stored blob,
# keeping its size, so the registry serves it with the right length and its
# old digest, and only a client that checks the digest notices.
registry_corrupt_blob() {
	local path size
	path=$(registry_blob_path "$1")
	[ -f "$path" ] || { echo "registry_corrupt_blob: no blob $1 at $path" >&2; return 1; }
	size=$(stat -c %s "$path")
	printf '\xde\xad\xbe\xef' | dd of="$path" bs=1 seek=$((size / 2)) conv=notrunc status=none
}

# registry_log_mark: the registry log's current length, to pass to the
# counting helpers below so that they count only what came after.
registry_log_mark() {
	wc -l <"$REGISTRY_LOG"
}

# registry_requests [MARK]: the access-log lines (one a request) after MARK.
registry_requests() {
	tail -n "+$((${1:-0} + 1))" "$REGISTRY_LOG" | grep -E '"(GET|HEAD|POST|PUT|PATCH|DELETE) /v2/' || true
}

# registry_blob_gets DIGEST [MARK]: how many times a blob was downloaded
# (GET, any repository, any status) after MARK.
registry_blob_gets() {
	registry_requests "${2:-0}" | grep -c "\"GET /v2/[^ ]*/blobs/$1 HTTP" || true
}

# assert_blob_gets N DIGEST [MARK]: asserts the blob was downloaded N times
# after MARK, and says which blob when it was not.
assert_blob_gets() {
	local n
	n=$(registry_blob_gets "$2" "${3:-0}")
	if [ "$n" != "$1" ]; then
		echo "blob $2 was downloaded $n time(s) after log line ${3:-0}, expected $1:" >&2
		registry_requests "${3:-0}" | grep -F "/blobs/$2 " >&2 || true
		return 1
	fi
}

# registry_manifest_gets [MARK]: manifest downloads (GET) after MARK.
registry_manifest_gets() {
	registry_requests "${1:-0}" | grep -c '"GET /v2/[^ ]*/manifests/' || true
}

# registry_blob_uploads [MARK]: requests that carried blob data (PATCH or PUT
# to a blob upload) after MARK.
registry_blob_uploads() {
	registry_requests "${1:-0}" | grep -cE '"(PATCH|PUT) /v2/[^ ]*/blobs/uploads/' || true
}

# registry_mounts [MARK]: cross-repository mounts the registry carried out
# (POST .../blobs/uploads/?mount=... answered 201 Created) after MARK.
registry_mounts() {
	registry_requests "${1:-0}" | grep -E '"POST /v2/[^ ]*/blobs/uploads/\?[^ ]*mount=' | grep -c '" 201 ' || true
}

# hostile_start: runs tests/lib/hostile-registry.py serving the test image
# (for its "truncated" repository) and exports HOSTILE=127.0.0.1:PORT and
# HOSTILE_LOG (one "METHOD PATH STATUS" line a request).
hostile_start() {
	local dir=$TEST_TMP/hostile
	[ -z "${HOSTILE_PID:-}" ] || { echo "hostile_start: already running ($HOSTILE)" >&2; return 1; }
	mkdir -p "$dir/layout"
	tar -xf "$(ferry_test_image)" -C "$dir/layout"
	HOSTILE_LOG=$dir/hostile.log
	# shellcheck disable=SC2094
	python3 "$REGISTRY_LIB_DIR/hostile-registry.py" --port-file "$dir/port" \
		--layout "$dir/layout" --log "$HOSTILE_LOG" </dev/null >>"$HOSTILE_LOG" 2>&1 3>&- &
	HOSTILE_PID=$!
	_registry_wait_port_file "$dir/port" "$HOSTILE_PID" || { cat "$HOSTILE_LOG" >&2; return 1; }
	HOSTILE=127.0.0.1:$(cat "$dir/port")
	export HOSTILE HOSTILE_LOG HOSTILE_PID
}

hostile_stop() {
	if [ -n "${HOSTILE_PID:-}" ]; then
		kill "$HOSTILE_PID" 2>/dev/null || true
		wait "$HOSTILE_PID" 2>/dev/null || true
	fi
	HOSTILE_PID=
}

# archive_manifest_digest ARCHIVE: the manifest digest of an OCI archive's
# (first) image: what a registry holds it under after a push that keeps it.
archive_manifest_digest() {
	tar -xOf "$1" index.json | jq -r '.manifests[0].digest'
}

# archive_manifest ARCHIVE: that manifest's JSON.
archive_manifest() {
	local d
	d=$(archive_manifest_digest "$1")
	tar -xOf "$1" "blobs/sha256/${d#sha256:}"
}

# archive_image_id ARCHIVE: the image ID (config digest, 64 hex) of that image.
archive_image_id() {
	archive_manifest "$1" | jq -r '.config.digest | sub("^sha256:"; "")'
}

# archive_layer_digests ARCHIVE: its layer blob digests, one a line.
archive_layer_digests() {
	archive_manifest "$1" | jq -r '.layers[].digest'
}

# archive_config ARCHIVE: the image's config JSON.
archive_config() {
	tar -xOf "$1" "blobs/sha256/$(archive_image_id "$1")"
}
