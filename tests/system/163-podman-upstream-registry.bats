#!/usr/bin/env bats
# Behaviours that Podman's own system tests pin for login, pull
# policies, trust and corrupt images (150-login, 156-pull-policy,
# 750-trust, 330-corrupt-images, 335-corrupt-layers, 155-partial-pull),
# where ferry did otherwise: push --format docker; the global --config
# DIR and $DOCKER_CONFIG as the auth file; image trust set on a policy
# file that is not there yet; a damaged image in the store removed by
# rmi -a and image prune -a, and not said to exist.  Each test runs both
# tools where Podman is installed; neither touches the host's auth or
# policy files (the hooks give both a HOME, XDG_RUNTIME_DIR, auth file
# and registries.conf of the test's own).

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers
load ../lib/registry

auth_hooks_for_every_test

IMG=localhost/ferry-test:latest

# t TOOL ARGS...: Podman (podman) or ferry (ferry).
t() {
	local tool=$1
	shift
	if [ "$tool" = podman ]; then podman_t "$@"; else f "$@"; fi
}

# line TOOL ARGS...: the command, its exit code and the first line of its
# standard error (Podman's retry warnings and progress lines aside), the
# test's directory as TMP and the registry as REG.
line() {
	local tool=$1 rc=0
	shift
	t "$tool" "$@" >"$TEST_TMP/line.out" 2>"$TEST_TMP/line.err" || rc=$?
	{
		echo "\$ $* -> $rc"
		grep -m1 '^Error: ' "$TEST_TMP/line.err" || true
	} | sed -e "s#$TEST_TMP#TMP#g" -e "s#${REGISTRY:-@@none@@}#REG#g"
}

# manifest_type REPO TAG: the media type the registry serves for it.
manifest_type() {
	curl -s -u "$REGISTRY_USER:$REGISTRY_PASS" \
		-H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json' \
		"http://$REGISTRY/v2/$1/manifests/$2" | jq -r .mediaType
}

@test "push and manifest push take --format docker as v2s2 and an empty --format as the default, as Podman's (150-login pushes with --format docker)" {
	need_podman
	registry_start --htpasswd alice s3cret
	load_test_image
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	local tool
	for tool in podman ferry; do
		t "$tool" push -q --tls-verify=false --creds alice:s3cret --format docker $IMG "$REGISTRY/$tool/d:1"
		t "$tool" push -q --tls-verify=false --creds alice:s3cret --format '' $IMG "$REGISTRY/$tool/e:1"
		t "$tool" manifest create "$tool-list" >/dev/null
		t "$tool" manifest add "$tool-list" $IMG >/dev/null
		t "$tool" manifest push -q --tls-verify=false --creds alice:s3cret --format docker "$tool-list" \
			"$REGISTRY/$tool/l:1"
		t "$tool" manifest push -q --tls-verify=false --creds alice:s3cret --format '' "$tool-list" \
			"$REGISTRY/$tool/m:1"
		{
			manifest_type "$tool/d" 1
			manifest_type "$tool/e" 1
			manifest_type "$tool/l" 1
			manifest_type "$tool/m" 1
			# Podman lists v2s1 among the formats, which ferry refuses.
			line "$tool" push --tls-verify=false --creds alice:s3cret --format bogus $IMG "$REGISTRY/$tool/b:1" |
				sed 's/ Choose on of .*//'
		} >"$TEST_TMP/$tool.log"
	done
	sed -i 's#REG/podman/#REG/ferry/#' "$TEST_TMP/podman.log"
	diff -u "$TEST_TMP/podman.log" "$TEST_TMP/ferry.log"
	# The test image is an OCI one: docker converts it, the default keeps it.
	diff -u - "$TEST_TMP/ferry.log" <<-'EOF'
		application/vnd.docker.distribution.manifest.v2+json
		application/vnd.oci.image.manifest.v1+json
		application/vnd.docker.distribution.manifest.list.v2+json
		application/vnd.oci.image.index.v1+json
		$ push --tls-verify=false --creds alice:s3cret --format bogus localhost/ferry-test:latest REG/ferry/b:1 -> 125
		Error: unknown format "bogus".
	EOF
}

@test "the global --config DIR keeps login's credentials in DIR/config.json, which pulls read after the default file; \$DOCKER_CONFIG names the one auth file; as Podman's (150-login's --config)" {
	need_podman
	registry_start --htpasswd alice s3cret
	registry_seed x/img:1
	unset REGISTRY_AUTH_FILE
	local tool img=$REGISTRY/x/img:1 good xdg=$XDG_RUNTIME_DIR/containers/auth.json
	good=$(b64 alice:s3cret)
	mkdir -p "$XDG_RUNTIME_DIR/containers"
	for tool in podman ferry; do
		local dir=$TEST_TMP/$tool-docker
		{
			line "$tool" --config "$dir" login --tls-verify=false -u alice -p s3cret "$REGISTRY"
			jq -c . "$dir/config.json"
			cp "$dir/config.json" "$TEST_TMP/$tool-login.json"
			[ ! -e "$xdg" ] || echo "wrote $xdg"
			line "$tool" --config "$dir" logout "$REGISTRY"
			jq -c . "$dir/config.json"
			cp "$dir/config.json" "$TEST_TMP/$tool-logout.json"
			# login and logout know that file only; a pull reads the
			# default one first.
			printf '{"auths":{"%s":{"auth":"%s"}}}' "$REGISTRY" "$good" >"$xdg"
			line "$tool" --config "$dir" login --get-login "$REGISTRY"
			line "$tool" --config "$dir" pull -q --tls-verify=false "$img"
			t "$tool" rmi -f "$img" >/dev/null
			# $DOCKER_CONFIG's file is the only one.
			DOCKER_CONFIG=$TEST_TMP/none line "$tool" pull -q --tls-verify=false "$img"
			rm "$xdg"
			printf '{"auths":{"%s":{"auth":"%s"}}}' "$REGISTRY" "$good" >"$dir/config.json"
			line "$tool" --config "$dir" pull -q --tls-verify=false "$img"
			t "$tool" rmi -f "$img" >/dev/null
			DOCKER_CONFIG=$dir line "$tool" pull -q --tls-verify=false "$img"
			t "$tool" rmi -f "$img" >/dev/null
			# $REGISTRY_AUTH_FILE comes first.
			REGISTRY_AUTH_FILE=$TEST_TMP/env.json line "$tool" --config "$dir" login --tls-verify=false \
				-u alice -p s3cret "$REGISTRY"
			jq -c '.auths | keys' "$TEST_TMP/env.json"
			rm "$TEST_TMP/env.json"
			# A flag of the command line's start only.
			line "$tool" login --config "$dir" --tls-verify=false -u alice -p s3cret "$REGISTRY"
		} 2>&1 | sed -e "s#$tool-docker#TOOL-docker#g" -e "s#$REGISTRY#REG#g" \
			-e 's/: registry .* wants credentials: .*//' >"$TEST_TMP/$tool.log"
	done
	diff -u "$TEST_TMP/podman.log" "$TEST_TMP/ferry.log"
	# Written as containers/image writes them: a tab a level.
	cmp "$TEST_TMP/podman-login.json" "$TEST_TMP/ferry-login.json"
	cmp "$TEST_TMP/podman-logout.json" "$TEST_TMP/ferry-logout.json"
	diff -u - "$TEST_TMP/ferry.log" <<-EOF
		\$ --config TMP/TOOL-docker login --tls-verify=false -u alice -p s3cret REG -> 0
		{"auths":{"REG":{"auth":"$good"}}}
		\$ --config TMP/TOOL-docker logout REG -> 0
		{"auths":{}}
		\$ --config TMP/TOOL-docker login --get-login REG -> 125
		Error: not logged into REG
		\$ --config TMP/TOOL-docker pull -q --tls-verify=false REG/x/img:1 -> 0
		\$ pull -q --tls-verify=false REG/x/img:1 -> 125
		Error: initializing source docker://REG/x/img:1: reading manifest 1 in REG/x/img: authentication required
		\$ --config TMP/TOOL-docker pull -q --tls-verify=false REG/x/img:1 -> 0
		\$ pull -q --tls-verify=false REG/x/img:1 -> 0
		\$ --config TMP/TOOL-docker login --tls-verify=false -u alice -p s3cret REG -> 0
		["REG"]
		\$ login --config TMP/TOOL-docker --tls-verify=false -u alice -p s3cret REG -> 125
		Error: unknown flag: --config
	EOF
}

# trust_sequence TOOL: 750-trust's steps on a policy file that is not
# there yet, and the refusals around it.
trust_sequence() {
	local tool=$1 pol=$TEST_TMP/$1-policy.json
	line "$tool" image trust set --policypath "$pol" --type=bogus default
	line "$tool" image trust set --policypath "$pol" --type=reject docker.io
	[ ! -e "$pol" ] || echo "made $pol"
	line "$tool" image trust set --policypath "$pol" --type=accept default
	t "$tool" image trust show --policypath "$pol"
	line "$tool" image trust set --policypath "$pol" --type=reject default
	line "$tool" image trust set --policypath "$pol" --type=reject docker.io
	t "$tool" image trust show --policypath "$pol" --json
	line "$tool" image trust set --policypath "$pol" --type=accept docker.io
	t "$tool" image trust show --policypath "$pol"
	t "$tool" image trust show --policypath "$pol" --raw
	stat -c %a "$pol"
	line "$tool" image trust set --policypath "$TEST_TMP/no-dir/p.json" --type=accept default
	: >"$TEST_TMP/$tool-empty.json"
	line "$tool" image trust set --policypath "$TEST_TMP/$tool-empty.json" --type=accept default
	echo '[]' >"$TEST_TMP/$tool-list.json"
	line "$tool" image trust set --policypath "$TEST_TMP/$tool-list.json" --type=accept default
}

@test "image trust set starts a policy file that is not there, and refuses a broken one, as Podman's (750-trust)" {
	need_podman
	trust_sequence podman 2>&1 | sed "s#podman-#TOOL-#g" >"$TEST_TMP/podman.log"
	trust_sequence ferry 2>&1 | sed "s#ferry-#TOOL-#g" >"$TEST_TMP/ferry.log"
	diff -u "$TEST_TMP/podman.log" "$TEST_TMP/ferry.log"
	cmp "$TEST_TMP/podman-policy.json" "$TEST_TMP/ferry-policy.json"
	[ ! -e "$TEST_TMP/no-dir" ]
	grep -x -A1 '\$ image trust set --policypath TMP/TOOL-policy.json --type=reject docker.io -> 125' \
		"$TEST_TMP/ferry.log" | tail -n 1 | grep -qx 'Error: default trust policy must be set'
	grep -qx 'Error: could not read trust policies' "$TEST_TMP/ferry.log"
	grep -qx 'Error: open TMP/no-dir/p.json: no such file or directory' "$TEST_TMP/ferry.log"
}

# corrupt TOOL WHAT: the test image of TOOL's store, tagged
# localhost/ferry-test:test too, with its stored manifest (WHAT=manifest)
# or a layer's record (WHAT=layer) gone: Podman's files as upstream 330
# and 335 remove them, ferry's database row and layer directory.
corrupt() {
	local tool=$1 id
	t "$tool" rmi -af >/dev/null 2>&1 || true
	t "$tool" load -q -i "$(ferry_test_image)" >/dev/null
	t "$tool" tag $IMG localhost/ferry-test:test
	id=$(t "$tool" inspect --format '{{.Id}}' $IMG)
	case "$tool/$2" in
	podman/manifest) rm "$TEST_TMP/proot/overlay-images/$id/manifest" ;;
	podman/layer)
		jq 'del(.[0])' "$TEST_TMP/proot/overlay-layers/layers.json" >"$TEST_TMP/layers.json"
		mv "$TEST_TMP/layers.json" "$TEST_TMP/proot/overlay-layers/layers.json"
		;;
	ferry/manifest) sqlite3 "$ROOT/ferry.db" "UPDATE images SET manifest = '' WHERE id = '$id'" ;;
	ferry/layer)
		rm -rf "$ROOT/storage/layers/$(sqlite3 "$ROOT/ferry.db" \
			"SELECT substr(diff_id, 8) FROM image_layers WHERE image_id = '$id' AND position = 0")"
		;;
	esac
}

# said TOOL ARGS...: the command, its exit code, and which of Podman's
# words its standard error has (the causes are each store's own).
said() {
	local tool=$1 rc=0 w
	shift
	t "$tool" "$@" >"$TEST_TMP/said.out" 2>"$TEST_TMP/said.err" || rc=$?
	echo "\$ $* -> $rc"
	for w in 'level=error msg="Image localhost/ferry-test:test exists in local storage but may be corrupted (remove the image to resolve the issue): ' \
		'level=warning msg="Failed to determine parent of image: ' 'Error: '; do
		if grep -qF "$w" "$TEST_TMP/said.err"; then echo "  ${w% }"; fi
	done
	if [ "$1" != images ] && [ -s "$TEST_TMP/said.out" ]; then
		sed 's/^/  out: /' "$TEST_TMP/said.out"
	fi
}

corrupt_sequence() {
	local tool=$1 cmd
	for cmd in "rmi -a" "rmi -f -a" "image prune -a -f"; do
		corrupt "$tool" manifest
		said "$tool" image exists localhost/ferry-test:test
		said "$tool" images
		# shellcheck disable=SC2086
		said "$tool" $cmd
		t "$tool" images -a --noheading | wc -l
	done
	corrupt "$tool" layer
	said "$tool" image exists localhost/ferry-test:test
	said "$tool" image exists localhost/ferry-test:latest
	said "$tool" rmi -a
	t "$tool" images -a --noheading | wc -l
}

@test "a damaged image is not said to exist, and rmi -a, rmi -f -a and image prune -a remove it, as Podman's (330-corrupt-images, 335-corrupt-layers)" {
	need_podman
	load_test_image
	corrupt_sequence podman >"$TEST_TMP/podman.log"
	corrupt_sequence ferry >"$TEST_TMP/ferry.log"
	diff -u "$TEST_TMP/podman.log" "$TEST_TMP/ferry.log"
	diff -u - "$TEST_TMP/ferry.log" <<-'EOF'
		$ image exists localhost/ferry-test:test -> 1
		  level=error msg="Image localhost/ferry-test:test exists in local storage but may be corrupted (remove the image to resolve the issue):
		$ images -> 125
		  Error:
		$ rmi -a -> 0
		  level=warning msg="Failed to determine parent of image:
		  out: Untagged: localhost/ferry-test:test
		  out: Untagged: localhost/ferry-test:latest
		  out: Deleted: 3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449
		0
		$ image exists localhost/ferry-test:test -> 1
		  level=error msg="Image localhost/ferry-test:test exists in local storage but may be corrupted (remove the image to resolve the issue):
		$ images -> 125
		  Error:
		$ rmi -f -a -> 0
		  level=warning msg="Failed to determine parent of image:
		  out: Untagged: localhost/ferry-test:test
		  out: Untagged: localhost/ferry-test:latest
		  out: Deleted: 3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449
		0
		$ image exists localhost/ferry-test:test -> 1
		  level=error msg="Image localhost/ferry-test:test exists in local storage but may be corrupted (remove the image to resolve the issue):
		$ images -> 125
		  Error:
		$ image prune -a -f -> 0
		  level=warning msg="Failed to determine parent of image:
		  out: 3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449
		0
		$ image exists localhost/ferry-test:test -> 1
		  level=error msg="Image localhost/ferry-test:test exists in local storage but may be corrupted (remove the image to resolve the issue):
		$ image exists localhost/ferry-test:latest -> 1
		$ rmi -a -> 0
		  out: Untagged: localhost/ferry-test:test
		  out: Untagged: localhost/ferry-test:latest
		  out: Deleted: 3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449
		0
	EOF
	# Podman's log line ends with the layer's loss in its words, as ferry's.
	corrupt ferry layer
	run -1 --separate-stderr f image exists localhost/ferry-test:test
	# shellcheck disable=SC2154
	[[ $stderr == *'may be corrupted (remove the image to resolve the issue): layer not known"' ]]
}

# tv TOOL ARGS...: t, Podman on vfs as upstream 335 runs it (on overlay,
# Podman 5.4 cannot use the layers it pulls again there: "readlink ...:
# no such file or directory").
tv() {
	local tool=$1
	shift
	if [ "$tool" = podman ]; then podman_t --storage-driver vfs "$@"; else f "$@"; fi
}

# repull_sequence TOOL: 335's run --rm and create of an image whose
# layer went, which the pull policy missing pulls again.
repull_sequence() {
	local tool=$1 img=$REGISTRY/x/img:1 cmd id
	for cmd in "run --rm" create; do
		tv "$tool" pull -q --tls-verify=false "$img" >/dev/null
		id=$(tv "$tool" inspect --format '{{.Id}}' "$img")
		if [ "$tool" = podman ]; then
			jq 'del(.[0])' "$TEST_TMP/proot/vfs-layers/layers.json" >"$TEST_TMP/layers.json"
			mv "$TEST_TMP/layers.json" "$TEST_TMP/proot/vfs-layers/layers.json"
		else
			rm -rf "$ROOT/storage/layers/$(sqlite3 "$ROOT/ferry.db" \
				"SELECT substr(diff_id, 8) FROM image_layers WHERE image_id = '$id' AND position = 0")"
		fi
		# shellcheck disable=SC2086
		tv "$tool" $cmd --tls-verify=false "$img" ls /bin/busybox >"$TEST_TMP/out" 2>"$TEST_TMP/err" ||
			echo "$cmd failed: $(cat "$TEST_TMP/err")"
		grep -o 'level=error msg="Image [^ ]* exists in local storage but may be corrupted (remove the image to resolve the issue): layer not known"' \
			"$TEST_TMP/err" | sed "s#$REGISTRY#REG#"
		grep -c '^Trying to pull ' "$TEST_TMP/err"
		if [ "$cmd" = create ]; then tv "$tool" start -a "$(cat "$TEST_TMP/out")"; else cat "$TEST_TMP/out"; fi
		tv "$tool" image exists "$img"
		tv "$tool" rm -af >/dev/null
		tv "$tool" rmi -f "$img" >/dev/null
	done
}

@test "run and create pull an image whose layer went again, as Podman's (335-corrupt-layers)" {
	need_podman
	registry_start
	registry_seed x/img:1
	repull_sequence podman >"$TEST_TMP/podman.log"
	repull_sequence ferry >"$TEST_TMP/ferry.log"
	diff -u "$TEST_TMP/podman.log" "$TEST_TMP/ferry.log"
	diff -u - "$TEST_TMP/ferry.log" <<-'EOF'
		level=error msg="Image REG/x/img:1 exists in local storage but may be corrupted (remove the image to resolve the issue): layer not known"
		1
		/bin/busybox
		level=error msg="Image REG/x/img:1 exists in local storage but may be corrupted (remove the image to resolve the issue): layer not known"
		1
		/bin/busybox
	EOF
	# A stored row that is damaged: the same, and the pull mends it.
	f pull -q --tls-verify=false "$REGISTRY/x/img:1" >/dev/null
	sqlite3 "$ROOT/ferry.db" "UPDATE images SET config = '' WHERE id = '$(f inspect --format '{{.Id}}' "$REGISTRY/x/img:1")'"
	run -0 --separate-stderr f run --rm --tls-verify=false "$REGISTRY/x/img:1" echo mended
	[ "$output" = mended ]
	[[ $stderr == *'may be corrupted (remove the image to resolve the issue): image '*' in the store is damaged: its config is not valid JSON'* ]]
	f image exists "$REGISTRY/x/img:1"
	f images --noheading >/dev/null
}

# retry_sequence TOOL PORT: pulls, a push and a create from a registry
# address nobody answers at: the retry warnings, tool and address aside.
retry_sequence() {
	local tool=$1 img=127.0.0.1:$2/x/y:1
	t "$tool" tag $IMG "$img"
	{
		t "$tool" pull -q --tls-verify=false "$img" || true
		t "$tool" pull -q --tls-verify=false --retry 1 --retry-delay 1ms "$img" || true
		t "$tool" pull -q --tls-verify=false --retry 1 --retry-delay 0s "$img" || true
		t "$tool" pull -q --tls-verify=false --retry 1 --retry-delay=-1s "$img" || true
		t "$tool" push -q --tls-verify=false "$img" || true
		t "$tool" create -q --pull always --tls-verify=false "$img" || true
	} 2>&1 | grep -o 'level=warning msg="Failed, retrying in [^ ]* ... ([0-9]*/[0-9]*)'
	# A retry_delay that is no duration stops them.
	sed -i 's/^retry_delay = .*/retry_delay = "soon"/' "$CONTAINERS_CONF"
	line "$tool" pull -q --tls-verify=false "$img"
	line "$tool" push -q --tls-verify=false "$img"
	line "$tool" create -q --tls-verify=false "$img"
	sed -i 's/^retry_delay = .*/retry_delay = "10ms"/' "$CONTAINERS_CONF"
	# The last error: the registry's address refused the connection.
	line "$tool" pull -q --retry 0 --tls-verify=false "$img" | sed -n 's/^\(Error: initializing source [^ ]*: \).*\(connect: connection refused\)$/\1... \2/p'
}

@test "containers.conf's retry and retry_delay are the defaults of --retry and --retry-delay, and --retry-delay 0s backs off, as Podman's (150-login's containers.conf retry)" {
	need_podman
	load_test_image
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	# The hooks' containers.conf ends in its [engine] table.
	tail -n 2 "$CONTAINERS_CONF" | grep -qx '\[engine\]'
	printf 'retry = 2\nretry_delay = "10ms"\n' >>"$CONTAINERS_CONF"
	local port
	port=$(free_port)
	retry_sequence podman "$port" >"$TEST_TMP/podman.log"
	retry_sequence ferry "$port" >"$TEST_TMP/ferry.log"
	diff -u "$TEST_TMP/podman.log" "$TEST_TMP/ferry.log"
	diff -u - "$TEST_TMP/ferry.log" <<-EOF
		level=warning msg="Failed, retrying in 10ms ... (1/2)
		level=warning msg="Failed, retrying in 10ms ... (2/2)
		level=warning msg="Failed, retrying in 1ms ... (1/1)
		level=warning msg="Failed, retrying in 1s ... (1/1)
		level=warning msg="Failed, retrying in -1s ... (1/1)
		level=warning msg="Failed, retrying in 10ms ... (1/2)
		level=warning msg="Failed, retrying in 10ms ... (2/2)
		level=warning msg="Failed, retrying in 10ms ... (1/2)
		level=warning msg="Failed, retrying in 10ms ... (2/2)
		\$ pull -q --tls-verify=false 127.0.0.1:$port/x/y:1 -> 125
		Error: failed to parse containers.conf retry_delay: time: invalid duration "soon"
		\$ push -q --tls-verify=false 127.0.0.1:$port/x/y:1 -> 125
		Error: failed to parse containers.conf retry_delay: time: invalid duration "soon"
		\$ create -q --tls-verify=false 127.0.0.1:$port/x/y:1 -> 125
		Error: failed to parse containers.conf retry_delay: time: invalid duration "soon"
		Error: initializing source docker://127.0.0.1:$port/x/y:1: ... connect: connection refused
	EOF
}
