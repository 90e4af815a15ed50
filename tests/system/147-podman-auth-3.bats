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

auth_hooks_for_every_test

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
	# A login asks for a token of no scope, the same way.
	for tool in podman ferry; do
		: >"$REGISTRY_TOKEN_LOG"
		t $tool login --tls-verify=false -u "$REGISTRY_TOKEN_USER" -p "$REGISTRY_TOKEN_PASS" "$REGISTRY" >/dev/null
		grep '^request ' "$REGISTRY_TOKEN_LOG" | sort -u >"$TEST_TMP/$tool.login"
	done
	cmp "$TEST_TMP/podman.login" "$TEST_TMP/ferry.login" || {
		cat "$TEST_TMP/podman.login" "$TEST_TMP/ferry.login" >&2
		return 1
	}
	grep -qx "request GET /token?account=$REGISTRY_TOKEN_USER&service=$REGISTRY_TOKEN_SERVICE&tenant=t1&x=%2F&zone=a+b" "$TEST_TMP/ferry.login"

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

# A credential helper that notes each call in $TEST_TMP/NAME.log and
# erases anything; "nf" says what a helper says of a registry it lacks.
make_helpers() {
	local name
	for name in rec nf; do
		cat >"$TEST_TMP/bin/docker-credential-$name" <<-EOS
			#!/bin/sh
			read -r server || true
			echo "\$1 \$server" >>"$TEST_TMP/$name.log"
			[ $name = rec ] || { echo "credentials not found in native keychain"; exit 1; }
			[ "\$1" != list ] || echo '{}'
		EOS
		chmod +x "$TEST_TMP/bin/docker-credential-$name"
	done
}

# same_logout FILE ARGS...: logout ARGS from an auth file holding FILE
# does with ferry what it does with Podman: the exit code, the words
# (ferry's may go on after Podman's), the helpers called, what the file
# keeps of the two fields Podman knows.
same_logout() {
	local file=$1 tool out
	shift
	for tool in podman ferry; do
		printf '%s' "$file" >"$REGISTRY_AUTH_FILE"
		rm -f "$TEST_TMP"/rec.log "$TEST_TMP"/nf.log
		run t $tool logout "$@"
		out=$(printf '%s\n' "$output" | grep -v '^time=' || true)
		printf '%s\n' "$status" >"$TEST_TMP/$tool.status"
		printf '%s\n' "$out" >"$TEST_TMP/$tool.out"
		cat "$TEST_TMP"/rec.log "$TEST_TMP"/nf.log 2>/dev/null | sort >"$TEST_TMP/$tool.calls" || true
		jq -cS '{auths: (.auths // {}), credHelpers: (.credHelpers // {})}' "$REGISTRY_AUTH_FILE" >"$TEST_TMP/$tool.file"
	done
	if ! cmp -s "$TEST_TMP/podman.status" "$TEST_TMP/ferry.status" ||
		! cmp -s "$TEST_TMP/podman.calls" "$TEST_TMP/ferry.calls" ||
		! cmp -s "$TEST_TMP/podman.file" "$TEST_TMP/ferry.file" ||
		[[ "$(cat "$TEST_TMP/ferry.out")" != "$(cat "$TEST_TMP/podman.out")"* ]]; then
		for tool in podman ferry; do
			printf '%s: %s\n%s\ncalls:\n%s\nfile: %s\n' "$tool" "$(cat "$TEST_TMP/$tool.status")" \
				"$(cat "$TEST_TMP/$tool.out")" "$(cat "$TEST_TMP/$tool.calls")" "$(cat "$TEST_TMP/$tool.file")" >&2
		done
		return 1
	fi
}

@test "logout erases what an auth file's credHelpers send to a helper, and logout --all empties them, as Podman does" {
	need_podman
	make_helpers
	local two='{"auths":{"a.example":{"auth":"dTpw"}},"credHelpers":{"c1.example":"rec","c2.example":"rec"}}'
	# --all: erased from the helper, registry by registry, then both fields emptied.
	same_logout "$two" -a
	[ "$(cat "$TEST_TMP/ferry.calls")" = "$(printf 'erase c1.example\nerase c2.example')" ]
	[ "$(cat "$TEST_TMP/ferry.file")" = '{"auths":{},"credHelpers":{}}' ]
	# A helper that fails (absent, or lacking the registry) stops it,
	# with the file as it was.
	same_logout '{"auths":{"a.example":{"auth":"dTpw"}},"credHelpers":{"c1.example":"missing"}}' -a
	grep -q '^Error: updating "'"$REGISTRY_AUTH_FILE"'": error erasing credentials - err: exec: "docker-credential-missing": executable file not found in $PATH' "$TEST_TMP/ferry.out"
	same_logout '{"auths":{"a.example":{"auth":"dTpw"}},"credHelpers":{"c1.example":"nf"}}' -a
	[ "$(cat "$TEST_TMP/ferry.status")" = 125 ]
	[ "$(cat "$TEST_TMP/ferry.file")" = '{"auths":{"a.example":{"auth":"dTpw"}},"credHelpers":{"c1.example":"nf"}}' ]

	# One registry: erased from its helper, which keeps its place.
	same_logout "$two" c1.example
	[ "$(cat "$TEST_TMP/ferry.calls")" = 'erase c1.example' ]
	grep -qx 'Removed login credentials for c1.example' "$TEST_TMP/ferry.out"
	same_logout '{"auths":{"c1.example":{"auth":"dTpw"}},"credHelpers":{"c1.example":"nf"}}' c1.example
	grep -q '^Error: logging out of "c1.example": updating "'"$REGISTRY_AUTH_FILE"'": removing credentials for c1.example from credential helper nf: error erasing credentials - err: exit status 1, out: `credentials not found in native keychain`' "$TEST_TMP/ferry.out"
	same_logout '{"auths":{"c1.example":{"auth":"dTpw"}},"credHelpers":{"c1.example":"missing"}}' c1.example
	same_logout "$two" a.example
	[ ! -s "$TEST_TMP/ferry.calls" ]
}

@test "registries.conf: a value of the wrong type is refused in Podman's words (its TOML decoder's), naming the file" {
	need_podman
	local c p fe dropin=$HOME/.config/containers/registries.conf.d/50-x.conf
	while IFS= read -r c; do
		printf '%b\n' "$c" >"$CONTAINERS_REGISTRIES_CONF"
		run podman_t pull -q nosuch
		p=$(printf '%s\n' "$output" | grep '^Error: ')
		[ "$status" = 125 ] && [ -n "$p" ] || { echo "podman took: $c: $status $output" >&2; return 1; }
		run_ferry pull -q nosuch
		fe=$output
		[ "$status" = 125 ] && [[ "$fe" == "$p"* ]] && [ "$(printf '%s\n' "$fe" | wc -l)" = 1 ] || {
			printf 'conf: %s\npodman: %s\nferry:  %s\n' "$c" "$p" "$fe" >&2
			return 1
		}
	done <<-'EOF'
		unqualified-search-registries = "docker.io"
		\n\n[[registry]]\nlocation = "a.example"\ninsecure = "yes"
		short-name-mode = 5
		short-name-mode = 1979-05-27
		short-name-mode = 0x1F
		short-name-mode = [{a = "b"}]
		\n[short-name-mode]\na = "b"
		credential-helpers = [5]
		unqualified-search-registries = ["a", {a = "b"}]
		unqualified-search-registries = {a = "b"}
		additional-layer-store-auth-helper = 5
		[aliases]\nfoo = 3
		registry = 5
		registry = ["a"]
		\n[registry]\nlocation = "a"
		[[registry]]\nlocation = "a"\nmirror = [{location = "b"}, 5]
		[[registry]]\nlocation = "a"\nmirror = {location = "b"}
		[[registry]]\nlocation = "a"\n[[registry.mirror]]\nlocation = "b"\npull-from-mirror = 5
		[registries.search]\nregistries = [1]
	EOF
	# A drop-in is named as Podman names it.
	: >"$CONTAINERS_REGISTRIES_CONF"
	mkdir -p "${dropin%/*}"
	printf '\nshort-name-mode = 5\n' >"$dropin"
	run_ferry pull -q nosuch
	assert_status 125
	[ "$output" = "Error: loading drop-in registries configuration \"$dropin\": toml: line 2 (last key \"short-name-mode\"): incompatible types: TOML value has type int64; destination has type string: use a string in double quotes" ]
	run podman_t pull -q nosuch
	[[ "$output" == *"Error: loading drop-in registries configuration \"$dropin\": toml: line 2 (last key \"short-name-mode\"): incompatible types: TOML value has type int64; destination has type string" ]]
}

@test "documents that are a bare JSON null or number: read as Podman reads them (null is empty where Go says so), else refused in its words" {
	need_podman
	registry_start --htpasswd alice s3cret
	registry_seed x/img:v1
	local img=$REGISTRY/x/img:v1 tool v p fe
	cat >"$TEST_TMP/bin/docker-credential-says" <<-EOS
		#!/bin/sh
		read -r server || true
		echo "\$1 \$server" >>"$TEST_TMP/says.log"
		cat "$TEST_TMP/says.out"
	EOS
	chmod +x "$TEST_TMP/bin/docker-credential-says"
	printf 'credential-helpers = ["says", "containers-auth.json"]\n' >"$CONTAINERS_REGISTRIES_CONF"
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$REGISTRY" "$(b64 alice:s3cret)" >"$REGISTRY_AUTH_FILE"

	# A helper that answers null has nothing for the registry: the next
	# helper (the auth file) is asked, as Podman asks it.
	echo null >"$TEST_TMP/says.out"
	for tool in podman ferry; do
		rm -f "$TEST_TMP/says.log"
		run t $tool pull -q --tls-verify=false "$img"
		[ "$status" = 0 ] || { echo "$tool: $output" >&2; return 1; }
		grep -q "^get $REGISTRY\$" "$TEST_TMP/says.log"
		t $tool rmi -f "$img" >/dev/null 2>&1 || true
	done
	# ...and lists no registry for logout --all; a number it cannot read.
	for v in null 5; do
		echo "$v" >"$TEST_TMP/says.out"
		run podman_t logout -a
		p=$status:$(printf '%s\n' "$output" | grep -v '^time=')
		printf '{"auths":{"%s":{"auth":"%s"}}}' "$REGISTRY" "$(b64 alice:s3cret)" >"$REGISTRY_AUTH_FILE"
		run_ferry logout -a
		fe=$status:$output
		printf '{"auths":{"%s":{"auth":"%s"}}}' "$REGISTRY" "$(b64 alice:s3cret)" >"$REGISTRY_AUTH_FILE"
		[[ "$fe" == "$p"* ]] || { printf '%s: podman %s\nferry  %s\n' "$v" "$p" "$fe" >&2; return 1; }
	done
	[[ "$fe" == "125:Error: json: cannot unmarshal number into Go value of type map[string]string"* ]]

	# A policy that is no object: containers/image's words, its token as Go shows it.
	: >"$CONTAINERS_REGISTRIES_CONF"
	for v in null 5 1234567 true '"x"' '[1]'; do
		printf '%s' "$v" >"$TEST_TMP/policy.json"
		run podman_t pull -q --tls-verify=false --signature-policy "$TEST_TMP/policy.json" "$img"
		p=$status:$(printf '%s\n' "$output" | grep '^Error: ')
		run_ferry pull -q --tls-verify=false --signature-policy "$TEST_TMP/policy.json" "$img"
		fe=$status:$output
		[[ "$fe" == "$p"* ]] && [[ "$p" == "125:Error: invalid policy in \"$TEST_TMP/policy.json\": JSON object expected, got "* ]] || {
			printf '%s: podman %s\nferry  %s\n' "$v" "$p" "$fe" >&2
			return 1
		}
	done

	# Podman's connections file holding null: no connections.
	mkdir -p "$HOME/.config/containers"
	echo null >"$HOME/.config/containers/podman-connections.json"
	for tool in podman ferry; do
		run t $tool system connection list --format '{{.Name}}'
		[ "$status" = 0 ] && [ -z "$output" ] || { echo "$tool: $status $output" >&2; return 1; }
	done
	echo 5 >"$HOME/.config/containers/podman-connections.json"
	run podman_t system connection list
	p=$(printf '%s\n' "$output" | grep '^Error: ')
	run_ferry system connection list
	assert_status 125
	[[ "$output" == "$p"* ]] || { printf 'podman %s\nferry  %s\n' "$p" "$output" >&2; return 1; }
}
