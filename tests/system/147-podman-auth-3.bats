#!/usr/bin/env bats
# Registry credentials as Podman 5 (containers/image) uses them, part 3:
# the token requests it sends (account=, the realm's own query, its
# OAuth2 form), logout --all with an auth file's credHelpers, the words
# for a registries.conf value of the wrong type, and documents that are
# a bare JSON null or number.  Each test runs both tools.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers
load ../lib/registry

podman_file_locks_for_every_test
eval "auth3_$(declare -f setup)"
setup() {
	auth3_setup
	# Neither tool may read the host's own files.
	export HOME=$TEST_TMP/home XDG_RUNTIME_DIR=$TEST_TMP/xdg
	mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$TEST_TMP/bin"
	unset XDG_CONFIG_HOME DOCKER_CONFIG REGISTRY_TOKEN_REALM_QUERY
	export CONTAINERS_REGISTRIES_CONF=$TEST_TMP/registries.conf
	: >"$CONTAINERS_REGISTRIES_CONF"
	export PATH=$TEST_TMP/bin:$PATH
}

teardown() {
	podman_teardown
	registry_stop
	_registry_helpers_teardown
}

b64() {
	printf '%s' "$1" | base64 -w0
}

# t TOOL ARGS...: runs Podman or ferry.
t() {
	local tool=$1
	shift
	if [ "$tool" = podman ]; then podman_t "$@"; else f "$@"; fi
}

# requests TOOL IMAGE: the token requests TOOL sends to pull IMAGE, one
# of each, sorted.
requests() {
	: >"$REGISTRY_TOKEN_LOG"
	t "$1" pull -q --tls-verify=false "$2" >/dev/null 2>&1 || {
		echo "$1 could not pull $2:" >&2
		cat "$REGISTRY_TOKEN_LOG" >&2
		return 1
	}
	t "$1" rmi -f "$2" >/dev/null 2>&1 || true
	grep '^request ' "$REGISTRY_TOKEN_LOG" | sort -u
}

# A refresh token the token server gives for access_type=offline.
refresh_token() {
	curl -sf --data-urlencode grant_type=password --data-urlencode "username=$REGISTRY_TOKEN_USER" \
		--data-urlencode "password=$REGISTRY_TOKEN_PASS" --data-urlencode access_type=offline \
		--data-urlencode "service=$REGISTRY_TOKEN_SERVICE" --data-urlencode client_id=test \
		"http://127.0.0.1:$(cat "$REGISTRY_DIR/../token.port")/token" | jq -r .refresh_token
}

@test "token requests carry account=USER and the realm's own query, as containers/image sends them" {
	need_podman
	# A realm with a query of its own (the token servers of some
	# registries route by it): kept, read and written as Go writes it.
	export REGISTRY_TOKEN_REALM_QUERY='tenant=t1&zone=a+b&x=%2F'
	registry_start --token
	registry_seed x/img:v1
	local img=$REGISTRY/x/img:v1 p fe rt
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$REGISTRY" "$(b64 "$REGISTRY_TOKEN_USER:$REGISTRY_TOKEN_PASS")" \
		>"$REGISTRY_AUTH_FILE"
	p=$(requests podman "$img")
	fe=$(requests ferry "$img")
	[ "$p" = "$fe" ] || { printf 'podman:\n%s\nferry:\n%s\n' "$p" "$fe" >&2; return 1; }
	# What that is: the user's name as account, the realm's pairs sorted in.
	[[ "$fe" == *"request GET /token?account=$REGISTRY_TOKEN_USER&scope=repository%3Ax%2Fimg%3Apull&service=$REGISTRY_TOKEN_SERVICE&tenant=t1&x=%2F&zone=a+b"* ]] || {
		echo "$fe" >&2
		return 1
	}

	# An identity token: POSTed as a form that holds the realm's pairs
	# too, to the realm with its query; ferry names itself as the client.
	rt=$(refresh_token)
	[ -n "$rt" ] && [ "$rt" != null ]
	printf '{"auths":{"%s":{"auth":"%s","identitytoken":"%s"}}}' "$REGISTRY" "$(b64 "$REGISTRY_TOKEN_USER:")" "$rt" \
		>"$REGISTRY_AUTH_FILE"
	p=$(requests podman "$img")
	fe=$(requests ferry "$img")
	[ "${p//client_id=containers%2Fimage/client_id=ferry}" = "$fe" ] || {
		printf 'podman:\n%s\nferry:\n%s\n' "$p" "$fe" >&2
		return 1
	}
	[[ "$fe" == *"request POST /token?$REGISTRY_TOKEN_REALM_QUERY form=client_id=ferry&grant_type=refresh_token&refresh_token=$rt&scope=repository%3Ax%2Fimg%3Apull&service=$REGISTRY_TOKEN_SERVICE&tenant=t1&x=%2F&zone=a+b"* ]] || {
		echo "$fe" >&2
		return 1
	}
}
