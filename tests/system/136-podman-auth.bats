#!/usr/bin/env bats
# Registry credentials as Podman 5 (containers/image) finds them, and its
# words when a registry wants credentials ferry does not have: which
# auth-file key an image takes (the most specific: reg/ns/sub/img, reg/ns/sub,
# reg/ns, reg, then a URL of the host), the keys login and logout write and
# remove, the read-only files read after the default auth file, and the
# errors and exit codes of pull, push, search and login.  Each test runs
# both tools against one docker-registry behind htpasswd.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers
load ../lib/registry

auth_hooks_for_every_test

# auth_json FILE KEY=USER:PASS...: an auth file with these entries.
auth_json() {
	local file=$1 sep='' kv
	shift
	mkdir -p "$(dirname "$file")"
	{
		printf '{"auths":{'
		for kv in "$@"; do
			printf '%s"%s":{"auth":"%s"}' "$sep" "${kv%%=*}" "$(b64 "${kv#*=}")"
			sep=,
		done
		printf '}}\n'
	} >"$file"
}

# both_pull WANT IMAGE: ferry and Podman pull IMAGE; WANT is ok, auth
# (fails with Podman's "authentication required", exit 125) or denied (a
# token without the scope: "requested access to the resource is denied").  ferry's
# error starts with Podman's.
both_pull() {
	local want=$1 img=$2 pout said="authentication required"
	if [ "$want" = denied ]; then said="requested access to the resource is denied"; fi
	run podman_t pull -q --tls-verify=false "$img"
	pout=$(printf '%s\n' "$output" | grep '^Error: ' || true)
	if [ "$want" = ok ]; then
		assert_status 0
	else
		assert_status 125
		[[ "$pout" == "Error: initializing source docker://$img: reading manifest "*": $said" ]] || {
			echo "podman said: $output" >&2
			return 1
		}
	fi
	podman_t rmi -f "$img" >/dev/null 2>&1 || true
	run_ferry pull -q --tls-verify=false "$img"
	if [ "$want" = ok ]; then
		assert_status 0
	else
		assert_status 125
		assert_one_line_error
		[[ "$output" == "$pout"* ]] || {
			printf 'ferry should start with Podman'"'"'s words:\n%s\ngot:\n%s\n' "$pout" "$output" >&2
			return 1
		}
	fi
	f rmi -f "$img" >/dev/null 2>&1 || true
}

@test "auth.json: an image takes its most specific key, as in Podman" {
	need_podman
	registry_start --htpasswd alice s3cret
	registry_seed ns/sub/img:v1
	registry_seed other/img:v1
	local good=alice:s3cret bad=alice:wrong

	# The namespace's (wrong) entry wins over the registry's (right) one,
	# whatever their order in the file.
	auth_json "$REGISTRY_AUTH_FILE" "$REGISTRY=$good" "$REGISTRY/ns/sub=$bad"
	both_pull auth "$REGISTRY/ns/sub/img:v1"
	both_pull ok "$REGISTRY/other/img:v1"
	auth_json "$REGISTRY_AUTH_FILE" "$REGISTRY/ns/sub=$bad" "$REGISTRY=$good"
	both_pull auth "$REGISTRY/ns/sub/img:v1"
	# A namespace's credentials are for it alone, not for the registry.
	auth_json "$REGISTRY_AUTH_FILE" "$REGISTRY/ns=$good"
	both_pull ok "$REGISTRY/ns/sub/img:v1"
	both_pull auth "$REGISTRY/other/img:v1"
	# The repository's own key, and a URL key of the host (docker login's).
	auth_json "$REGISTRY_AUTH_FILE" "$REGISTRY=$bad" "$REGISTRY/ns/sub/img=$good"
	both_pull ok "$REGISTRY/ns/sub/img:v1"
	auth_json "$REGISTRY_AUTH_FILE" "https://$REGISTRY/v1/=$good"
	both_pull ok "$REGISTRY/other/img:v1"
	# A namespaced key without a scheme is not cut down to its host.
	auth_json "$REGISTRY_AUTH_FILE" "$REGISTRY/v1=$good"
	both_pull auth "$REGISTRY/other/img:v1"
}

@test "login and logout: Podman's keys, words and exit codes" {
	need_podman
	registry_start --htpasswd alice s3cret
	local pa=$TEST_TMP/p-auth.json fa=$TEST_TMP/f-auth.json tool a k

	for tool in podman ferry; do
		if [ $tool = podman ]; then a=$pa; else a=$fa; fi
		t() { if [ $tool = podman ]; then podman_t "$@"; else f "$@"; fi; }
		run t login --authfile "$a" --tls-verify=false -u alice -p wrong "$REGISTRY/ns"
		[ "$status" = 125 ] && [ "$output" = "Error: logging into \"$REGISTRY/ns\": invalid username/password" ] || {
			echo "$tool: $status $output" >&2
			return 1
		}
		run t login --authfile "$a" --tls-verify=false -u alice -p s3cret "$REGISTRY/ns"
		[ "$status" = 0 ] && [ "$output" = "Login Succeeded!" ] || { echo "$tool: $output" >&2; return 1; }
		# A URL stands for its host.
		run t login --authfile "$a" --tls-verify=false -u alice -p s3cret "https://$REGISTRY/v2/x"
		[ "$status" = 0 ] || { echo "$tool: $output" >&2; return 1; }
		for k in "$REGISTRY/ns/img:tag" "$REGISTRY/ns@sha256:$(printf '%064d' 0)"; do
			run t login --authfile "$a" --tls-verify=false -u alice -p s3cret "$k"
			[ "$status" = 125 ] && [[ "$output" == "Error: reference \"$k\" contains tag or digest"* ]] || {
				echo "$tool $k: $status $output" >&2
				return 1
			}
		done
		run t login --authfile "$a" --tls-verify=false -u alice -p s3cret "$REGISTRY/NS"
		[ "$status" = 125 ] && [[ "$output" == "Error: parse reference from \"$REGISTRY/NS\": invalid reference format: repository name must be lowercase"* ]] || {
			echo "$tool: $status $output" >&2
			return 1
		}
		# --get-login and a login without a password read the key's
		# nearest entry.
		run t login --authfile "$a" --get-login "$REGISTRY/ns/deeper/img"
		[ "$status" = 0 ] && [ "$output" = alice ] || { echo "$tool: $output" >&2; return 1; }
		run t login --authfile "$a" --tls-verify=false "$REGISTRY/ns/img"
		[ "$status" = 0 ] && [ "$output" = "Authenticating with existing credentials for $REGISTRY/ns/img
Existing credentials are valid. Already logged in to $REGISTRY" ] || { echo "$tool: $output" >&2; return 1; }
		# Kept credentials the registry refuses: Podman's lines, then it
		# would prompt (no terminal here: it fails, as ferry does).
		cp "$a" "$a.keep"
		jq --arg k "$REGISTRY/ns" --arg v "$(b64 alice:wrong)" '.auths[$k].auth = $v' "$a.keep" >"$a"
		run t login --authfile "$a" --tls-verify=false "$REGISTRY/ns/img" </dev/null
		[ "$status" = 125 ] && [[ "$output" == "Authenticating with existing credentials for $REGISTRY/ns/img
Existing credentials are invalid, please enter valid username and password"*"Error: getting username and password: "* ]] || {
			echo "$tool: $status $output" >&2
			return 1
		}
		mv "$a.keep" "$a"
		# logout removes its exact key only.
		run t logout --authfile "$a" "$REGISTRY/ns/sub"
		[ "$status" = 125 ] && [[ "$output" == "Error: not logged into $REGISTRY/ns/sub"* ]] || {
			echo "$tool: $status $output" >&2
			return 1
		}
		run t logout --authfile "$a" "$REGISTRY/ns"
		[ "$status" = 0 ] && [ "$output" = "Removed login credentials for $REGISTRY/ns" ] || {
			echo "$tool: $output" >&2
			return 1
		}
		run t logout --authfile "$a" "$REGISTRY/ns"
		[ "$status" = 125 ] && [[ "$output" == "Error: not logged into $REGISTRY/ns"* ]] || {
			echo "$tool: $status $output" >&2
			return 1
		}
		run t logout --authfile "$a" "$REGISTRY/ns:tag"
		[ "$status" = 125 ] && [[ "$output" == "Error: reference \"$REGISTRY/ns:tag\" contains tag or digest"* ]] || {
			echo "$tool: $status $output" >&2
			return 1
		}
	done
	# Both files hold the same keys: the host's, from the URL login.
	[ "$(jq -c '.auths | keys' "$pa")" = "[\"$REGISTRY\"]" ]
	[ "$(jq -c '.auths | keys' "$fa")" = "[\"$REGISTRY\"]" ]
	[ "$(jq -r --arg r "$REGISTRY" '.auths[$r].auth' "$fa")" = "$(b64 alice:s3cret)" ]

	# A legacy key of the host is not the host's key for logout.
	for tool in podman ferry; do
		if [ $tool = podman ]; then a=$pa; else a=$fa; fi
		auth_json "$a" "https://$REGISTRY=alice:s3cret"
		run t logout --authfile "$a" "$REGISTRY"
		[ "$status" = 125 ] && [[ "$output" == "Error: not logged into $REGISTRY"* ]] || {
			echo "$tool: $status $output" >&2
			return 1
		}
		[ "$(jq -c '.auths | keys' "$a")" = "[\"https://$REGISTRY\"]" ]
	done
}

@test "push and search without credentials, or with wrong ones: Podman's words" {
	need_podman
	registry_start --htpasswd alice s3cret
	load_test_image
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	local creds
	for creds in none wrong; do
		if [ $creds = wrong ]; then auth_json "$REGISTRY_AUTH_FILE" "$REGISTRY=alice:wrong"; fi
		run podman_t push -q --tls-verify=false localhost/ferry-test:latest "$REGISTRY/x/img:v1"
		assert_status 125
		[[ "$output" == *"Error: trying to reuse blob sha256:"*" at destination: checking whether a blob sha256:"*" exists in $REGISTRY/x/img: authentication required" ]] || {
			echo "podman: $output" >&2
			return 1
		}
		run_ferry push -q --tls-verify=false ferry-test "$REGISTRY/x/img:v1"
		assert_status 125
		assert_one_line_error
		[[ "$output" == "Error: trying to reuse blob sha256:"*" at destination: checking whether a blob sha256:"*" exists in $REGISTRY/x/img: authentication required"* ]] || {
			echo "ferry: $output" >&2
			return 1
		}

		run podman_t search --tls-verify=false "$REGISTRY/x"
		assert_status 125
		assert_output_contains "couldn't search registry \"$REGISTRY\": authentication required"
		run_ferry search --tls-verify=false "$REGISTRY/x"
		assert_status 125
		assert_one_line_error
		assert_output_contains "Error: couldn't search registry \"$REGISTRY\": authentication required"
	done
	[ ! -e "$REGISTRY_DIR/docker/registry/v2/repositories/x" ]
}

@test "the files read after the default auth file, in Podman's order" {
	need_podman
	registry_start --htpasswd alice s3cret
	registry_seed other/img:v1
	local good=alice:s3cret bad=alice:wrong
	# No --authfile, no REGISTRY_AUTH_FILE: the default file is
	# $XDG_RUNTIME_DIR/containers/auth.json, then the read-only ones.
	unset REGISTRY_AUTH_FILE
	img=$REGISTRY/other/img:v1

	auth_json "$HOME/.docker/config.json" "$REGISTRY=$good"
	both_pull ok "$img"
	# An auth file named by --authfile or REGISTRY_AUTH_FILE is the only one.
	auth_json "$TEST_TMP/named.json"
	REGISTRY_AUTH_FILE=$TEST_TMP/named.json both_pull auth "$img"
	run podman_t pull -q --tls-verify=false --authfile "$TEST_TMP/named.json" "$img"
	assert_status 125
	run_ferry pull -q --tls-verify=false --authfile "$TEST_TMP/named.json" "$img"
	assert_status 125
	assert_output_contains "authentication required"
	# An --authfile that is not there is refused (not by login, which makes it).
	for cmd in pull push search; do
		local arg=$img
		if [ $cmd = search ]; then arg=$REGISTRY/other; fi
		run podman_t $cmd --tls-verify=false --authfile "$TEST_TMP/none.json" "$arg"
		assert_status 125
		assert_output_contains "Error: credential file is not accessible: faccessat $TEST_TMP/none.json: no such file or directory"
		run_ferry $cmd --tls-verify=false --authfile "$TEST_TMP/none.json" "$arg"
		assert_status 125
		[ "$output" = "Error: credential file is not accessible: faccessat $TEST_TMP/none.json: no such file or directory" ]
	done
	# The default file comes first, even with a wrong entry...
	auth_json "$XDG_RUNTIME_DIR/containers/auth.json" "$REGISTRY=$bad"
	both_pull auth "$img"
	# ...but only with an entry for the image.
	auth_json "$XDG_RUNTIME_DIR/containers/auth.json" "$REGISTRY/ns=$bad"
	both_pull ok "$img"
	# ~/.config/containers/auth.json ($XDG_CONFIG_HOME) before Docker's.
	auth_json "$HOME/.config/containers/auth.json" "$REGISTRY=$bad"
	both_pull auth "$img"
	auth_json "$TEST_TMP/xdgconf/containers/auth.json"
	XDG_CONFIG_HOME=$TEST_TMP/xdgconf both_pull ok "$img"
	rm "$HOME/.config/containers/auth.json"
	# $DOCKER_CONFIG replaces ~/.docker.
	mkdir -p "$TEST_TMP/dockercfg"
	DOCKER_CONFIG=$TEST_TMP/dockercfg both_pull auth "$img"
	rm "$HOME/.docker/config.json"
	# The legacy ~/.dockercfg: keys at the top, a URL for the host.
	printf '{"https://%s/v1/":{"auth":"%s"}}\n' "$REGISTRY" "$(b64 "$good")" >"$HOME/.dockercfg"
	both_pull ok "$img"
	# A login writes the default file only.
	run_ferry login --tls-verify=false -u alice -p s3cret "$REGISTRY/other"
	assert_status 0
	[ "$(jq -c '.auths | keys' "$XDG_RUNTIME_DIR/containers/auth.json")" = "[\"$REGISTRY/ns\",\"$REGISTRY/other\"]" ]
	[ ! -e "$HOME/.docker/config.json" ]

	# A $XDG_RUNTIME_DIR that does not exist: login and logout stop, in
	# Podman's words, and make nothing; a pull reads the other files.
	local missing=$TEST_TMP/no-such-dir msg tool
	msg="\"$missing\" directory set by \$XDG_RUNTIME_DIR does not exist. Either create the directory or unset \$XDG_RUNTIME_DIR.: faccessat $missing: no such file or directory"
	for tool in podman ferry; do
		t() { if [ $tool = podman ]; then podman_t "$@"; else f "$@"; fi; }
		XDG_RUNTIME_DIR=$missing run t login --tls-verify=false -u alice -p s3cret "$REGISTRY"
		[ "$status" = 125 ] && [[ "$output" == *"Error: $msg" ]] || { echo "$tool: $status $output" >&2; return 1; }
		XDG_RUNTIME_DIR=$missing run t logout "$REGISTRY"
		[ "$status" = 125 ] && [[ "$output" == *"Error: logging out of \"$REGISTRY\": $msg" ]] || { echo "$tool: $status $output" >&2; return 1; }
		XDG_RUNTIME_DIR=$missing run t logout -a
		[ "$status" = 125 ] && [[ "$output" == *"Error: $msg" ]] || { echo "$tool: $status $output" >&2; return 1; }
		[ ! -e "$missing" ]
	done
	XDG_RUNTIME_DIR=$missing both_pull ok "$img"
	[ ! -e "$missing" ]
}

@test "credential helpers keep registries, never namespaces, and are asked by host" {
	need_podman
	registry_start --htpasswd alice s3cret
	registry_seed other/img:v1
	# A helper that keeps one line a server, in its own file.
	export HELPER_STORE=$TEST_TMP/helper.store HELPER_LOG=$TEST_TMP/helper.log
	cat >"$TEST_TMP/bin/docker-credential-authtest" <<-'EOS'
		#!/bin/sh
		read -r arg
		echo "$1 $arg" | cut -c1-60 >>"$HELPER_LOG"
		case "$1" in
		get)
			grep -F "\"ServerURL\":\"$arg\"" "$HELPER_STORE" || { echo "credentials not found in native keychain"; exit 1; } ;;
		store) printf '%s\n' "$arg" >>"$HELPER_STORE" ;;
		erase)
			grep -qF "\"ServerURL\":\"$arg\"" "$HELPER_STORE" || { echo "credentials not found in native keychain"; exit 1; }
			: >"$HELPER_STORE" ;;
		esac
	EOS
	chmod +x "$TEST_TMP/bin/docker-credential-authtest"
	printf 'credential-helpers = ["authtest"]\n' >"$CONTAINERS_REGISTRIES_CONF"
	local tool
	for tool in podman ferry; do
		t() { if [ $tool = podman ]; then podman_t "$@"; else f "$@"; fi; }
		: >"$HELPER_STORE"
		: >"$HELPER_LOG"
		run t login --tls-verify=false -u alice -p s3cret "$REGISTRY/ns"
		[ "$status" = 125 ] && [ "$output" = "Error: namespaced key is not supported for credential helper authtest" ] || {
			echo "$tool: $status $output" >&2
			return 1
		}
		[ ! -s "$HELPER_STORE" ]
		run t login --tls-verify=false -u alice -p s3cret "$REGISTRY"
		[ "$status" = 0 ] || { echo "$tool: $output" >&2; return 1; }
		# An image of a namespace: the helper is asked for the host alone.
		: >"$HELPER_LOG"
		run t pull -q --tls-verify=false "$REGISTRY/other/img:v1"
		[ "$status" = 0 ] || { echo "$tool: $output" >&2; return 1; }
		[ "$(sort -u "$HELPER_LOG")" = "get $REGISTRY" ] || {
			echo "$tool asked: $(cat "$HELPER_LOG")" >&2
			return 1
		}
		# logout of a namespace erases nothing of the helper's (Podman
		# then asks it for the host's, to tell of a docker login).
		: >"$HELPER_LOG"
		run t logout "$REGISTRY/ns"
		[ "$status" = 125 ] && [[ "$output" == "Error: not logged into $REGISTRY/ns"* ]] || {
			echo "$tool: $status $output" >&2
			return 1
		}
		! grep -q '^erase' "$HELPER_LOG" || { echo "$tool asked: $(cat "$HELPER_LOG")" >&2; return 1; }
		[ -s "$HELPER_STORE" ]
		[ ! -e "$REGISTRY_AUTH_FILE" ]
	done

	# Docker's config.json may name a helper for a registry ("credHelpers"):
	# it is asked, by host, when the file is read.
	: >"$CONTAINERS_REGISTRIES_CONF"
	unset REGISTRY_AUTH_FILE
	mkdir -p "$HOME/.docker"
	printf '{"credHelpers":{"%s":"authtest"}}\n' "$REGISTRY" >"$HOME/.docker/config.json"
	: >"$HELPER_LOG"
	both_pull ok "$REGISTRY/other/img:v1"
	[ "$(sort -u "$HELPER_LOG")" = "get $REGISTRY" ]
	: >"$HELPER_STORE"
	both_pull auth "$REGISTRY/other/img:v1"
}

@test "a token server: refused credentials and a token without the scope, in Podman's words for pull, push and login" {
	need_podman
	registry_start --token
	registry_seed x/img:v1
	auth_json "$REGISTRY_AUTH_FILE" "$REGISTRY=$REGISTRY_TOKEN_USER:wrong"
	local img=$REGISTRY/x/img:v1
	run podman_t pull -q --tls-verify=false "$img"
	assert_status 125
	[ "$(printf '%s\n' "$output" | grep '^Error: ')" = "Error: initializing source docker://$img: unable to retrieve auth token: invalid username/password: unauthorized: bad credentials" ]
	run_ferry pull -q --tls-verify=false "$img"
	assert_status 125
	assert_one_line_error
	[[ "$output" == "Error: initializing source docker://$img: unable to retrieve auth token: invalid username/password: unauthorized: bad credentials"* ]] || {
		echo "ferry: $output" >&2
		return 1
	}
	# No credentials: an anonymous token without the scope.
	rm "$REGISTRY_AUTH_FILE"
	both_pull denied "$img"
	load_test_image
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	run podman_t push -q --tls-verify=false localhost/ferry-test:latest "$REGISTRY/y/img:v1"
	assert_status 125
	assert_output_contains " exists in $REGISTRY/y/img: requested access to the resource is denied"
	run_ferry push -q --tls-verify=false ferry-test "$REGISTRY/y/img:v1"
	assert_status 125
	assert_one_line_error
	assert_output_contains " exists in $REGISTRY/y/img: requested access to the resource is denied"
	local tool
	for tool in podman ferry; do
		t() { if [ $tool = podman ]; then podman_t "$@"; else f "$@"; fi; }
		run t login --tls-verify=false -u "$REGISTRY_TOKEN_USER" -p wrong "$REGISTRY"
		[ "$status" = 125 ] && [ "$output" = "Error: logging into \"$REGISTRY\": invalid username/password" ] || {
			echo "$tool: $status $output" >&2
			return 1
		}
	done
}

@test "logout of a key without an entry whose credentials work all the same: Podman's docker-login line" {
	need_podman
	registry_start --htpasswd alice s3cret
	printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REGISTRY" >"$CONTAINERS_REGISTRIES_CONF"
	local tool
	for tool in podman ferry; do
		t() { if [ $tool = podman ]; then podman_t "$@"; else f "$@"; fi; }
		auth_json "$REGISTRY_AUTH_FILE" "$REGISTRY/ns=alice:s3cret"
		cp "$REGISTRY_AUTH_FILE" "$TEST_TMP/before.json"
		run t logout "$REGISTRY/ns/sub"
		[ "$status" = 0 ] && [ "$output" = "Not logged into $REGISTRY/ns/sub with current tool. Existing credentials were established via docker login. Please use docker logout instead." ] || {
			echo "$tool: $status $output" >&2
			return 1
		}
		[ "$(jq -cS . "$REGISTRY_AUTH_FILE")" = "$(jq -cS . "$TEST_TMP/before.json")" ]
		# Credentials the registry refuses: not logged in.
		auth_json "$REGISTRY_AUTH_FILE" "$REGISTRY/ns=alice:wrong"
		run t logout "$REGISTRY/ns/sub"
		[ "$status" = 125 ] && [[ "$output" == "Error: not logged into $REGISTRY/ns/sub"* ]] || {
			echo "$tool: $status $output" >&2
			return 1
		}
	done
}
