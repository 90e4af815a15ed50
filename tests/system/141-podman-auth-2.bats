#!/usr/bin/env bats
# Registry credentials as Podman 5 (containers/image) reads them, part 2:
# auth.json entries it passes over (with its warning) or refuses (with its
# words), an "identitytoken" that is an OAuth2 refresh token for the token
# server, and the files login writes.  Each test runs both tools against
# one docker-registry behind htpasswd or a token server.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers
load ../lib/registry

auth_hooks_for_every_test

# The lines a tool printed, its warnings without their time.
said() {
	printf '%s\n' "$1" | sed -e 's/^time="[^"]*" level=/level=/' | grep -E '^(level=warning|Error: )' || true
}

# same_pull IMAGE: ferry pulls IMAGE as Podman does: the same exit code,
# the same warnings, and an error that starts with Podman's.
same_pull() {
	local img=$1 pstatus pout fout
	run podman_t pull -q --tls-verify=false "$img"
	pstatus=$status pout=$(said "$output")
	podman_t rmi -f "$img" >/dev/null 2>&1 || true
	run_ferry pull -q --tls-verify=false "$img"
	fout=$(said "$output")
	f rmi -f "$img" >/dev/null 2>&1 || true
	if [ "$status" != "$pstatus" ] ||
		[ "$(printf '%s\n' "$fout" | grep -v '^Error: ')" != "$(printf '%s\n' "$pout" | grep -v '^Error: ')" ] ||
		[[ "$(printf '%s\n' "$fout" | grep '^Error: ')" != "$(printf '%s\n' "$pout" | grep '^Error: ')"* ]]; then
		printf 'auth file: %s\npodman (%s):\n%s\nferry (%s):\n%s\n' "$(cat "$REGISTRY_AUTH_FILE")" \
			"$pstatus" "$pout" "$status" "$fout" >&2
		return 1
	fi
	if [ "$status" != 0 ]; then
		[ "$(printf '%s\n' "$fout" | grep -c '^Error: ')" = 1 ]
	fi
}

@test "auth.json entries Podman passes over or refuses: the same outcome, in its words" {
	need_podman
	registry_start --htpasswd alice s3cret
	registry_seed x/img:v1
	local img=$REGISTRY/x/img:v1 good entry file
	good=$(b64 alice:s3cret)

	# The image's own entry: bad base64 (at Go's offsets), no colon (a
	# warning, then no credentials), an empty password, a wrong type; and
	# what Go reads all the same: newlines in the base64, NULs around the
	# password, a field name in another case.
	for entry in '{"auth":"!!!"}' '{"auth":"YWxpY2U6czNjcmV0="}' '{"auth":"YWxpY2U6czNjcmV0 "}' \
		"{\"auth\":\"$(b64 alice)\"}" "{\"auth\":\"$(b64 alice:)\"}" '{"auth":5}' '"x"' 'null' '{}' \
		'{"auth":"YWxp\nY2U6czNjcmV0\n"}' "{\"auth\":\"$(printf 'alice:s3cret\0' | base64 -w0)\"}" \
		"{\"AUTH\":\"$good\"}"; do
		printf '{"auths":{"%s":%s}}' "$REGISTRY" "$entry" >"$REGISTRY_AUTH_FILE"
		same_pull "$img"
	done
	# Another registry's entry: a wrong type stops both, bad base64 or
	# none at all does not.
	for entry in '{"auth":"!!!"}' "{\"auth\":\"$(b64 alice)\"}" '{"auth":5}' '[]' 'null' \
		"{\"auth\":\"$good\",\"identitytoken\":5}"; do
		printf '{"auths":{"other.example":%s,"%s":{"auth":"%s"}}}' "$entry" "$REGISTRY" "$good" >"$REGISTRY_AUTH_FILE"
		same_pull "$img"
	done
	# The file itself.
	for file in '' ' ' '[]' '5' 'null' '{"auths":null}' '{"auths":[]}' '{"credHelpers":{"other":5}}' \
		"{\"Auths\":{\"$REGISTRY\":{\"auth\":\"$good\"}}}"; do
		printf '%s' "$file" >"$REGISTRY_AUTH_FILE"
		same_pull "$img"
	done
	rm "$REGISTRY_AUTH_FILE"
	mkdir "$REGISTRY_AUTH_FILE"
	same_pull "$img"
	rmdir "$REGISTRY_AUTH_FILE"

	# An entry passed over sends the lookup on to the next file.
	unset REGISTRY_AUTH_FILE
	mkdir -p "$XDG_RUNTIME_DIR/containers" "$HOME/.docker"
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$REGISTRY" "$(b64 alice)" >"$XDG_RUNTIME_DIR/containers/auth.json"
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$REGISTRY" "$good" >"$HOME/.docker/config.json"
	same_pull "$img"
	run_ferry pull -q --tls-verify=false "$img"
	assert_status 0
	assert_output_contains "level=warning msg=\"Error parsing the \\\"auth\\\" field of a credential entry \\\"$REGISTRY\\\" in \\\"$XDG_RUNTIME_DIR/containers/auth.json\\\", missing semicolon\""
}

@test "logout --all, login and logout leave an auth file Podman cannot read as it was, as Podman does" {
	need_podman
	local tool file
	for file in '{"auths":[]}' '{"auths":{"x":{"auth":5}}}' ''; do
		for tool in podman ferry; do
			t() { if [ $tool = podman ]; then podman_t "$@"; else f "$@"; fi; }
			printf '%s' "$file" >"$REGISTRY_AUTH_FILE"
			run t logout -a
			[ "$status" = 125 ] && [[ "$output" == *"Error: reading JSON file \"$REGISTRY_AUTH_FILE\": unmarshaling JSON at \"$REGISTRY_AUTH_FILE\": "* ]] || {
				echo "$tool: $status $output" >&2
				return 1
			}
			[ "$(cat "$REGISTRY_AUTH_FILE")" = "$file" ]
		done
	done
	# An auth file that is a directory: login and logout stop at it.
	rm "$REGISTRY_AUTH_FILE"
	mkdir "$REGISTRY_AUTH_FILE"
	for tool in podman ferry; do
		t() { if [ $tool = podman ]; then podman_t "$@"; else f "$@"; fi; }
		run t login --tls-verify=false -u alice -p s3cret 127.0.0.1:1
		[ "$status" = 125 ] && [[ "$output" == "Error: get credentials: reading JSON file \"$REGISTRY_AUTH_FILE\": read $REGISTRY_AUTH_FILE: is a directory"* ]] || {
			echo "$tool: $status $output" >&2
			return 1
		}
		run t logout 127.0.0.1:1
		[ "$status" = 125 ] && [[ "$output" == "Error: logging out of \"127.0.0.1:1\": reading JSON file \"$REGISTRY_AUTH_FILE\": read $REGISTRY_AUTH_FILE: is a directory"* ]] || {
			echo "$tool: $status $output" >&2
			return 1
		}
		[ -z "$(ls -A "$REGISTRY_AUTH_FILE")" ]
	done
}

# A refresh token the token server gives for access_type=offline.
refresh_token() {
	curl -sf --data-urlencode grant_type=password --data-urlencode "username=$REGISTRY_TOKEN_USER" \
		--data-urlencode "password=$REGISTRY_TOKEN_PASS" --data-urlencode access_type=offline \
		--data-urlencode "service=$REGISTRY_TOKEN_SERVICE" --data-urlencode client_id=test \
		"$(sed -n 's/^ *realm: //p' "$REGISTRY_DIR/../config.yml")" | jq -r .refresh_token
}

@test "an identitytoken is a refresh token for the token server, as containers/image sends it" {
	need_podman
	registry_start --token
	registry_seed x/img:v1
	local img=$REGISTRY/x/img:v1 rt tool
	rt=$(refresh_token)
	[ -n "$rt" ] && [ "$rt" != null ]

	# As docker login writes it: the user name with an empty password,
	# and the token beside it.  The password alone would not do.
	printf '{"auths":{"%s":{"auth":"%s","identitytoken":"%s"}}}' "$REGISTRY" "$(b64 "$REGISTRY_TOKEN_USER:")" "$rt" \
		>"$REGISTRY_AUTH_FILE"
	: >"$REGISTRY_TOKEN_LOG"
	same_pull "$img"
	grep -q "^token POST refresh client_id=containers/image$" "$REGISTRY_TOKEN_LOG"
	grep -q "^token POST refresh client_id=ferry$" "$REGISTRY_TOKEN_LOG"
	# No GET with the user's name alone: every token came by refresh.
	! grep -q "^token GET" "$REGISTRY_TOKEN_LOG" || { cat "$REGISTRY_TOKEN_LOG" >&2; return 1; }
	run_ferry pull -q --tls-verify=false "$img"
	assert_status 0

	# A refresh token the server does not know: Podman's words for it.
	printf '{"auths":{"%s":{"auth":"%s","identitytoken":"wrong"}}}' "$REGISTRY" "$(b64 "$REGISTRY_TOKEN_USER:")" \
		>"$REGISTRY_AUTH_FILE"
	same_pull "$img"
	run_ferry pull -q --tls-verify=false "$img"
	assert_status 125
	assert_output_contains "unable to retrieve auth token: invalid username/password: unauthorized: bad refresh token"
	assert_output_contains "refused the identity token (from auth file $REGISTRY_AUTH_FILE)"

	# A credential helper's "<token>" user: its secret is an identity token.
	cat >"$TEST_TMP/bin/docker-credential-idtok" <<-EOS
		#!/bin/sh
		[ "\$1" = get ] || exit 1
		printf '{"ServerURL":"%s","Username":"<token>","Secret":"%s"}\n' "$REGISTRY" "$rt"
	EOS
	chmod +x "$TEST_TMP/bin/docker-credential-idtok"
	printf 'credential-helpers = ["idtok"]\n' >"$CONTAINERS_REGISTRIES_CONF"
	: >"$REGISTRY_TOKEN_LOG"
	same_pull "$img"
	[ "$(grep -c "^token POST refresh client_id=" "$REGISTRY_TOKEN_LOG")" -ge 2 ]
	# A login does not replace a kept identity token, with or without
	# a user name and password.
	for tool in podman ferry; do
		t() { if [ $tool = podman ]; then podman_t "$@"; else f "$@"; fi; }
		run t login --tls-verify=false "$REGISTRY"
		[ "$status" = 125 ] && [[ "$output" == "Error: currently logged in, auth file contains an Identity token"* ]] || {
			echo "$tool: $status $output" >&2
			return 1
		}
		run t login --tls-verify=false -u "$REGISTRY_TOKEN_USER" -p "$REGISTRY_TOKEN_PASS" "$REGISTRY"
		[ "$status" = 125 ] && [[ "$output" == "Error: currently logged in, auth file contains an Identity token"* ]] || {
			echo "$tool: $status $output" >&2
			return 1
		}
	done
	[ ! -e "$REGISTRY_AUTH_FILE" ] || [ "$(jq -c '.auths | keys' "$REGISTRY_AUTH_FILE")" = "[\"$REGISTRY\"]" ]
}

@test "registries.conf: a quoted alias name with dots is one key, a dotted one makes tables, as in Podman" {
	need_podman
	registry_start --htpasswd alice s3cret
	registry_seed x/img:latest
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$REGISTRY" "$(b64 alice:s3cret)" >"$REGISTRY_AUTH_FILE"
	local head tool
	head=$(printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REGISTRY")

	# "my.app" = ... is the alias my.app.
	printf '%s\n[aliases]\n"my.app" = "%s/x/img"\n' "$head" "$REGISTRY" >"$CONTAINERS_REGISTRIES_CONF"
	same_pull my.app
	run_ferry pull -q my.app
	assert_status 0
	# my.app = ... is the table aliases.my: Podman's type error.
	printf '%s\n[aliases]\nmy.app = "%s/x/img"\n' "$head" "$REGISTRY" >"$CONTAINERS_REGISTRIES_CONF"
	same_pull my.app
	run_ferry pull -q my.app
	assert_status 125
	assert_output_contains "Error: loading registries configuration \"$CONTAINERS_REGISTRIES_CONF\": toml: (last key \"aliases.my\"): incompatible types"
	# A dotted key at the top is a key of its table: aliases.app is [aliases] app...
	printf 'aliases.app = "%s/x/img"\n%s\n' "$REGISTRY" "$head" >"$CONTAINERS_REGISTRIES_CONF"
	same_pull app
	run_ferry pull -q app
	assert_status 0
	# ...and "aliases.app" is a key of its own, which neither reads.
	printf '"aliases.app" = "%s/x/img"\n%s\n' "$REGISTRY" "$head" >"$CONTAINERS_REGISTRIES_CONF"
	same_pull app
	run_ferry pull -q app
	assert_status 125
	assert_output_contains "short-name \"app\" did not resolve to an alias"
}

@test "login through an auth file that is a symlink writes a file of its own, 0600, and leaves the link's target as it was, as Podman does" {
	registry_start --htpasswd alice s3cret
	local tool target
	for tool in podman ferry; do
		[ $tool = ferry ] || [ -n "$(command -v podman)" ] || continue
		t() { if [ $tool = podman ]; then podman_t "$@"; else f "$@"; fi; }
		target=$TEST_TMP/$tool-shared.json
		printf '{"auths":{}}' >"$target"
		chmod 0644 "$target"
		rm -f "$REGISTRY_AUTH_FILE"
		ln -s "$target" "$REGISTRY_AUTH_FILE"
		run t login --tls-verify=false -u alice -p s3cret "$REGISTRY"
		[ "$status" = 0 ] || { echo "$tool: $output" >&2; return 1; }
		# The credentials are in a 0600 file in the link's place; the
		# world-readable file the link named has none of them.
		[ ! -L "$REGISTRY_AUTH_FILE" ] && [ -f "$REGISTRY_AUTH_FILE" ] || { echo "$tool kept the link" >&2; return 1; }
		[ "$(stat -c %a "$REGISTRY_AUTH_FILE")" = 600 ]
		[ "$(jq -r --arg r "$REGISTRY" '.auths[$r].auth' "$REGISTRY_AUTH_FILE")" = "$(b64 alice:s3cret)" ]
		[ "$(cat "$target")" = '{"auths":{}}' ]
		[ "$(stat -c %a "$target")" = 644 ]
	done
}
