#!/usr/bin/env bats
# registries.conf, read where and as Podman reads it: short names resolved
# through aliases and unqualified-search registries, local short names
# found as Podman finds them, and per-registry prefixes (blocked, insecure,
# location, mirrors).  Each test points CONTAINERS_REGISTRIES_CONF and HOME
# at its own files; the system's drop-ins (/etc/containers/registries.conf.d)
# are read as Podman reads them, so the names used here are none of theirs.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers
load ../lib/registry

podman_file_locks_for_every_test
eval "conf_$(declare -f setup)"
setup() {
	conf_setup
	mkdir -p "$TEST_TMP/home/.config/containers/registries.conf.d"
	export HOME=$TEST_TMP/home
	export CONTAINERS_REGISTRIES_CONF=$TEST_TMP/registries.conf
	: >"$CONTAINERS_REGISTRIES_CONF"
}

assert_output() {
	[ "$output" = "$1" ] || {
		printf 'expected output:\n%s\ngot:\n%s\n' "$1" "$output" >&2
		return 1
	}
}

refute_output_contains() {
	case "$output" in
	*"$1"*)
		printf 'output should not contain: %s\ngot:\n%s\n' "$1" "$output" >&2
		return 1
		;;
	esac
}

# assert_line [--index N] [--partial] TEXT: a line of the output is TEXT
# (or holds it).
assert_line() {
	local index='' partial=0 i
	while [ $# -gt 1 ]; do
		case "$1" in
		--index) index=$2; shift 2 ;;
		--partial) partial=1; shift ;;
		*) break ;;
		esac
	done
	for i in "${!lines[@]}"; do
		[ -z "$index" ] || [ "$i" = "$index" ] || continue
		if [ "$partial" = 1 ]; then
			case "${lines[$i]}" in *"$1"*) return 0 ;; esac
		elif [ "${lines[$i]}" = "$1" ]; then
			return 0
		fi
	done
	printf 'no line%s %s: %s\ngot:\n%s\n' "${index:+ $index}" "$([ $partial = 1 ] && echo holds || echo is)" "$1" "$output" >&2
	return 1
}

# conf LINES...: the test's registries.conf.
conf() {
	printf '%s\n' "$@" >"$CONTAINERS_REGISTRIES_CONF"
}

# A registry on 127.0.0.1 holding ferry-test:latest, reached over plain
# HTTP as registries.conf's insecure allows.
seeded_registry() {
	registry_start
	registry_seed ferry-test:latest
}

@test "a short name that is not local and has no alias nor search registry is refused with Podman's words" {
	run -125 f pull nosuchname
	assert_output "Error: short-name \"nosuchname\" did not resolve to an alias and no unqualified-search registries are defined in \"$CONTAINERS_REGISTRIES_CONF\""
	run -125 f run --rm nosuchname true
	assert_output_contains "short-name \"nosuchname\" did not resolve to an alias"
	run -125 f create nosuchname:2
	assert_output_contains "short-name \"nosuchname:2\" did not resolve"
	run f images -q
	assert_output ""
	if command -v podman >/dev/null; then
		run -125 podman_t pull nosuchname
		assert_output "Error: short-name \"nosuchname\" did not resolve to an alias and no unqualified-search registries are defined in \"$CONTAINERS_REGISTRIES_CONF\""
	fi
}

@test "a short name is pulled from the unqualified-search registry, found locally by it, and run" {
	seeded_registry
	conf "unqualified-search-registries = [\"$REGISTRY\"]" "" "[[registry]]" "location = \"$REGISTRY\"" "insecure = true"
	run -0 f pull ferry-test
	assert_line --index 0 "Resolving \"ferry-test\" using unqualified-search registries ($CONTAINERS_REGISTRIES_CONF)"
	assert_line --index 1 "Trying to pull $REGISTRY/ferry-test:latest..."
	run -0 f images --format '{{.Repository}}:{{.Tag}}'
	assert_output "$REGISTRY/ferry-test:latest"
	# Found by the search registry's name, not pulled again.
	run -0 f run --rm --network none ferry-test echo ran
	assert_output "ran"
	run -0 f image inspect --format '{{index .RepoTags 0}}' ferry-test
	assert_output "$REGISTRY/ferry-test:latest"
	if command -v podman >/dev/null; then
		run -0 podman_t pull ferry-test
		assert_line --index 0 "Resolving \"ferry-test\" using unqualified-search registries ($CONTAINERS_REGISTRIES_CONF)"
		assert_line --index 1 "Trying to pull $REGISTRY/ferry-test:latest..."
	fi
}

@test "several search registries: permissive and disabled try each in turn, enforcing refuses without a terminal" {
	seeded_registry
	local dead=127.0.0.1:$(free_port)
	conf "unqualified-search-registries = [\"$dead\", \"$REGISTRY\"]" "" \
		"[[registry]]" "location = \"$REGISTRY\"" "insecure = true" \
		"[[registry]]" "location = \"$dead\"" "insecure = true"
	run -0 f pull ferry-test </dev/null
	assert_line "Trying to pull $dead/ferry-test:latest..."
	assert_line "Trying to pull $REGISTRY/ferry-test:latest..."
	run -0 f image exists "$REGISTRY/ferry-test:latest"
	run -0 f rmi -a

	# A top-level key: before the first table.
	sed -i '1i short-name-mode = "disabled"' "$CONTAINERS_REGISTRIES_CONF"
	run -0 f pull -q ferry-test </dev/null
	run -0 f rmi -a

	sed -i 's/"disabled"/"enforcing"/' "$CONTAINERS_REGISTRIES_CONF"
	run -125 f pull ferry-test </dev/null
	assert_output_contains "Error: short-name resolution enforced but cannot prompt without a TTY"
	run -0 f images -q
	assert_output ""
	if command -v podman >/dev/null; then
		run -125 podman_t pull ferry-test </dev/null
		assert_output_contains "Error: short-name resolution enforced but cannot prompt without a TTY"
	fi

	# Every name failing: each failure listed, as Podman lists them.
	sed -i 's/"enforcing"/"permissive"/' "$CONTAINERS_REGISTRIES_CONF"
	run -125 f pull --retry 0 nosuch </dev/null
	assert_line --index 3 "Error: 2 errors occurred while pulling:"
	assert_line --index 4 --partial " * initializing source docker://$dead/nosuch:latest"
	assert_line --index 5 --partial " * initializing source docker://$REGISTRY/nosuch:latest"
}

@test "an alias of a drop-in wins over the search registries, and a later drop-in's empty alias erases it" {
	seeded_registry
	conf 'unqualified-search-registries = ["nothere.invalid"]' "" "[[registry]]" "location = \"$REGISTRY\"" "insecure = true"
	local d=$HOME/.config/containers/registries.conf.d
	printf '[aliases]\n"tool/box" = "%s/ferry-test"\n' "$REGISTRY" >"$d/10-alias.conf"
	run -0 f pull tool/box
	assert_line --index 0 "Resolved \"tool/box\" as an alias ($d/10-alias.conf)"
	assert_line --index 1 "Trying to pull $REGISTRY/ferry-test:latest..."
	# A tag the user gives goes on the alias.
	run -125 f pull tool/box:nosuchtag
	assert_line --index 1 "Trying to pull $REGISTRY/ferry-test:nosuchtag..."
	# Locally, the alias comes first too.
	run -0 f image inspect --format '{{index .RepoTags 0}}' tool/box
	assert_output "$REGISTRY/ferry-test:latest"
	if command -v podman >/dev/null; then
		run -0 podman_t pull tool/box
		assert_line --index 0 "Resolved \"tool/box\" as an alias ($d/10-alias.conf)"
	fi

	printf '[aliases]\n"tool/box" = ""\n' >"$d/20-erase.conf"
	run -125 f pull tool/box
	assert_line --index 1 "Trying to pull nothere.invalid/tool/box:latest..."
}

@test "a short name finds a local image of any registry whose name ends with it, as Podman's lookup does" {
	load_test_image
	f tag localhost/ferry-test quay.io/ns/foo:1 127.0.0.1:5000/bar
	run -0 f image inspect --format '{{.Id}}' foo:1
	local id=$output
	run -0 f image inspect --format '{{.Id}}' ns/foo:1
	assert_output "$id"
	run -0 f image inspect --format '{{.Id}}' bar
	assert_output "$id"
	run -125 f image inspect o:1
	assert_output_contains "o:1: image not known"
	run -0 f run --rm --network none foo:1 echo found
	assert_output "found"
	# rmi of such a name untags the name it found, as `podman rmi` does.
	run -0 f rmi foo:1
	assert_output "Untagged: quay.io/ns/foo:1"
	run -0 f images --format '{{.Repository}}:{{.Tag}}'
	refute_output_contains "quay.io/ns/foo"
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		podman_t tag localhost/ferry-test quay.io/ns/foo:1 127.0.0.1:5000/bar
		run -0 podman_t image inspect --format '{{.Id}}' foo:1
		assert_output "$id"
		run -0 podman_t image inspect --format '{{.Id}}' bar
		assert_output "$id"
		run -0 podman_t rmi foo:1
		assert_output "Untagged: quay.io/ns/foo:1"
	fi
}

@test "a [[registry]] location replaces its prefix, and the image keeps the name asked for" {
	seeded_registry
	conf "[[registry]]" 'prefix = "apps.example.test/team"' "location = \"$REGISTRY\"" "insecure = true"
	run -0 f pull apps.example.test/team/ferry-test:latest
	run -0 f images --format '{{.Repository}}:{{.Tag}}'
	assert_output "apps.example.test/team/ferry-test:latest"
	# A name beside the prefix is not rewritten.
	run -125 f pull apps.example.test/teamx/ferry-test:latest
	assert_output_contains "apps.example.test"
}

@test "mirrors are tried before the primary location, and every failure is told" {
	seeded_registry
	local dead=127.0.0.1:$(free_port)
	conf "[[registry]]" 'location = "primary.invalid"' \
		"[[registry.mirror]]" "location = \"$dead\"" "insecure = true" \
		"[[registry.mirror]]" "location = \"$REGISTRY\"" "insecure = true"
	run -0 f pull primary.invalid/ferry-test:latest
	run -0 f image exists primary.invalid/ferry-test:latest
	run -0 f rmi -a
	# digest-only mirrors are not used for a tag.
	conf "[[registry]]" 'location = "primary.invalid"' "mirror-by-digest-only = true" \
		"[[registry.mirror]]" "location = \"$REGISTRY\"" "insecure = true"
	run -125 f pull primary.invalid/ferry-test:latest
	refute_output_contains "Mirrors also failed"
	local digest
	digest=$(registry_tag_digest ferry-test latest)
	run -0 f pull "primary.invalid/ferry-test@$digest"
	run -0 f rmi -a
	# Nowhere has it: the mirrors' failures come first.
	conf "[[registry]]" 'location = "primary.invalid"' "[[registry.mirror]]" "location = \"$dead\"" "insecure = true"
	run -125 f pull primary.invalid/ferry-test:latest
	assert_output_contains "(Mirrors also failed: [$dead/ferry-test:latest: "
}

@test "mirrors and registries written as lists of inline tables are taken as their [[tables]], as Podman takes them" {
	seeded_registry
	local dead=127.0.0.1:$(free_port)
	# The mirrors inline, and a key of the registry after them.
	conf "[[registry]]" 'prefix = "primary.invalid"' \
		"mirror = [ { location = \"$dead\", insecure = true }," "  { location = \"$REGISTRY\", insecure = true } ]" \
		'location = "primary.invalid"'
	run -0 f pull primary.invalid/ferry-test:latest
	run -0 f image exists primary.invalid/ferry-test:latest
	if command -v podman >/dev/null; then
		run -0 podman_t pull -q primary.invalid/ferry-test:latest
	fi
	run -0 f rmi -a
	# The registries inline too; a dead mirror's failure is told as before.
	conf "registry = [ { prefix = \"primary.invalid\", location = \"primary.invalid\", mirror = [ { location = \"$dead\", insecure = true } ] } ]"
	run -125 f pull primary.invalid/ferry-test:latest
	assert_output_contains "(Mirrors also failed: [$dead/ferry-test:latest: "
	if command -v podman >/dev/null; then
		run -125 podman_t pull primary.invalid/ferry-test:latest
		assert_output_contains "(Mirrors also failed: [$dead/ferry-test:latest: "
	fi
	conf "registry = [ { prefix = \"primary.invalid\", location = \"$REGISTRY\", insecure = true } ]"
	run -0 f pull -q primary.invalid/ferry-test:latest
}

@test "a registries.conf that defines a key or table twice is refused at the line, with Podman's words" {
	local c=$CONTAINERS_REGISTRIES_CONF
	conf "[[registry]]" 'location = "a.test"' 'mirror = [ { location = "m.test" } ]' "[[registry.mirror]]" 'location = "n.test"'
	run -125 f pull -q a.test/x
	assert_output "Error: $c:4: Key 'registry.mirror' was already created and cannot be used as an array (first at line 3): write its elements all inline or all as [[tables]]"
	conf "[[registry]]" 'location = "a.test"' 'location = "b.test"'
	run -125 f pull -q a.test/x
	assert_output "Error: $c:3: Key 'registry.location' has already been defined (first at line 2): keep one"
	conf "[[registry]]" 'location = "a.test"' 'mirror = [ { location = "m.test", location = "n.test" } ]'
	run -125 f pull -q a.test/x
	assert_output "Error: $c:3: Key 'registry.mirror.location' has already been defined (first at line 3): keep one"
	conf "[[registry]]" 'location = "a.test"' 'mirror = [ { location = "m.test", } ]'
	run -125 f pull -q a.test/x
	assert_output_contains "$c:3: trailing comma not allowed in inline tables"
	conf "[[registry]]" 'location = "a.test"' 'mirror = { location = "m.test" }'
	run -125 f pull -q a.test/x
	assert_output_contains "Error: loading registries configuration \"$c\": toml: line 3 (last key \"registry.mirror\"): incompatible types: TOML value has type map[string]any; destination has type slice: write [[registry.mirror]] tables"
	if command -v podman >/dev/null; then
		conf "[[registry]]" 'location = "a.test"' 'mirror = [ { location = "m.test" } ]' "[[registry.mirror]]" 'location = "n.test"'
		run -125 podman_t pull -q a.test/x
		assert_output_contains "toml: line 4 (last key \"registry\"): Key 'registry.mirror' was already created and cannot be used as an array"
		conf "[[registry]]" 'location = "a.test"' 'location = "b.test"'
		run -125 podman_t pull -q a.test/x
		assert_output_contains "Key 'registry.location' has already been defined"
	fi
}

# A real credential helper, docker-credential-fertest on PATH, keeping one
# JSON line per server in $FERTEST_STORE, as the protocol asks of one.
credential_helper() {
	mkdir -p "$TEST_TMP/bin"
	export PATH=$TEST_TMP/bin:$PATH FERTEST_STORE=$TEST_TMP/fertest.store
	: >"$FERTEST_STORE"
	cat >"$TEST_TMP/bin/docker-credential-fertest" <<-'EOF'
		#!/bin/sh
		store=${FERTEST_STORE:?}
		case "$1" in
		get)
			read -r url
			line=$(grep -F "\"ServerURL\":\"$url\"" "$store" | tail -1)
			[ -n "$line" ] || { echo "credentials not found in native keychain"; exit 1; }
			echo "$line" ;;
		store)
			read -r json
			url=$(printf '%s' "$json" | sed 's/.*"ServerURL":"\([^"]*\)".*/\1/')
			grep -vF "\"ServerURL\":\"$url\"" "$store" >"$store.new"; mv "$store.new" "$store"
			printf '%s\n' "$json" >>"$store" ;;
		erase)
			read -r url
			grep -qF "\"ServerURL\":\"$url\"" "$store" || { echo "credentials not found in native keychain"; exit 1; }
			grep -vF "\"ServerURL\":\"$url\"" "$store" >"$store.new"; mv "$store.new" "$store" ;;
		list)
			printf '{'; sed 's/.*"ServerURL":"\([^"]*\)".*"Username":"\([^"]*\)".*/"\1":"\2"/' "$store" | paste -sd, | tr -d '\n'; printf '}\n' ;;
		*) echo "unknown action"; exit 1 ;;
		esac
	EOF
	chmod +x "$TEST_TMP/bin/docker-credential-fertest"
}

@test "credential-helpers: login keeps credentials in the first helper, pull, push and search read them in order, logout removes them from all" {
	registry_start --htpasswd alice s3cret
	registry_seed ferry-test:latest
	credential_helper
	load_test_image
	conf 'credential-helpers = ["fertest", "containers-auth.json"]' "[[registry]]" "location = \"$REGISTRY\"" "insecure = true"
	run -0 f login -v -u alice -p s3cret "$REGISTRY"
	assert_output "Used:  credential helper: fertest
Login Succeeded!"
	grep -qx "{\"ServerURL\":\"$REGISTRY\",\"Username\":\"alice\",\"Secret\":\"s3cret\"}" "$FERTEST_STORE"
	[ ! -e "$REGISTRY_AUTH_FILE" ]
	run -0 f login --get-login "$REGISTRY"
	assert_output alice
	run -0 f login "$REGISTRY" </dev/null
	assert_line "Existing credentials are valid. Already logged in to $REGISTRY"
	run -0 f pull -q "$REGISTRY/ferry-test:latest"
	run -0 f push -q localhost/ferry-test "$REGISTRY/pushed:1"
	run -0 f search --format '{{.Name}}' "$REGISTRY/ferry-test"
	assert_output "$REGISTRY/ferry-test"
	# The helper has none: the auth file, next in the list, has them.
	run -0 f logout "$REGISTRY"
	assert_output "Removed login credentials for $REGISTRY"
	[ ! -s "$FERTEST_STORE" ]
	conf 'credential-helpers = ["containers-auth.json"]' "[[registry]]" "location = \"$REGISTRY\"" "insecure = true"
	run -0 f login -v -u alice -p s3cret "$REGISTRY"
	assert_line "Used:  $REGISTRY_AUTH_FILE"
	conf 'credential-helpers = ["fertest", "containers-auth.json"]' "[[registry]]" "location = \"$REGISTRY\"" "insecure = true"
	run -0 f pull -q "$REGISTRY/pushed:1"
	# A logout asks every helper: the one that has none fails it, with
	# Podman's words, and the auth file's entry is gone all the same.
	run -125 f logout "$REGISTRY"
	assert_output "Error: logging out of \"$REGISTRY\": removing credentials for $REGISTRY from credential helper fertest: error erasing credentials - err: exit status 1, out: \`credentials not found in native keychain\`"
	run -125 f login --get-login "$REGISTRY"
	assert_output "Error: not logged into $REGISTRY"
	run -125 f pull -q "$REGISTRY/pushed:1"
	assert_output_contains "authentication required"
	# logout --all: each registry the helper lists is erased.
	run -0 f login -u alice -p s3cret "$REGISTRY"
	run -0 f logout --all
	[ ! -s "$FERTEST_STORE" ]
	if command -v podman >/dev/null; then
		run -0 podman_t login -v -u alice -p s3cret "$REGISTRY"
		assert_output "Used:  credential helper: fertest
Login Succeeded!"
		run -0 podman_t login --get-login "$REGISTRY"
		assert_output alice
		run -0 podman_t logout "$REGISTRY"
		run -125 podman_t logout "$REGISTRY"
		assert_output "Error: logging out of \"$REGISTRY\": removing credentials for $REGISTRY from credential helper fertest: error erasing credentials - err: exit status 1, out: \`credentials not found in native keychain\`"
	fi
}

@test "a credential helper that is missing or answers nonsense fails the command with its words, unless a later one has the credentials" {
	registry_start --htpasswd alice s3cret
	registry_seed ferry-test:latest
	credential_helper
	printf '#!/bin/sh\necho garbage\n' >"$TEST_TMP/bin/docker-credential-junk"
	printf '#!/bin/sh\nhead -c 100000 /dev/zero | tr "\\0" x\n' >"$TEST_TMP/bin/docker-credential-loud"
	printf '#!/bin/sh\necho "{\\"Username\\": 7, \\"Secret\\": []}"\n' >"$TEST_TMP/bin/docker-credential-typed"
	chmod +x "$TEST_TMP/bin/"docker-credential-*
	local reg="[[registry]]
location = \"$REGISTRY\"
insecure = true"
	conf 'credential-helpers = ["nosuch"]' "$reg"
	run -125 f pull -q "$REGISTRY/ferry-test:latest"
	assert_output "Error: initializing source docker://$REGISTRY/ferry-test:latest: getting username and password: error getting credentials - err: exec: \"docker-credential-nosuch\": executable file not found in \$PATH, out: \`\`"
	run -125 f login -u alice -p s3cret "$REGISTRY"
	assert_output "Error: get credentials: error getting credentials - err: exec: \"docker-credential-nosuch\": executable file not found in \$PATH, out: \`\`"
	run -125 f logout -a
	assert_output "Error: error listing credentials - err: exec: \"docker-credential-nosuch\": executable file not found in \$PATH, out: \`\`"
	if command -v podman >/dev/null; then
		run -125 podman_t pull -q "$REGISTRY/ferry-test:latest"
		assert_output "Error: initializing source docker://$REGISTRY/ferry-test:latest: getting username and password: error getting credentials - err: exec: \"docker-credential-nosuch\": executable file not found in \$PATH, out: \`\`"
		run -125 podman_t logout -a
		assert_output "Error: error listing credentials - err: exec: \"docker-credential-nosuch\": executable file not found in \$PATH, out: \`\`"
	fi
	for h in junk loud typed; do
		conf "credential-helpers = [\"$h\"]" "$reg"
		run -125 f pull -q "$REGISTRY/ferry-test:latest"
		assert_output_contains "getting username and password: "
		[ "${#lines[@]}" = 1 ]
	done
	conf 'credential-helpers = ["loud"]' "$reg"
	run -125 f pull -q "$REGISTRY/ferry-test:latest"
	assert_output_contains "error getting credentials - err: printed more than 64 KiB"
	# The auth file after a failing helper still answers.
	conf 'credential-helpers = ["containers-auth.json"]' "$reg"
	run -0 f login -u alice -p s3cret "$REGISTRY"
	conf 'credential-helpers = ["nosuch", "junk", "containers-auth.json"]' "$reg"
	run -0 f pull -q "$REGISTRY/ferry-test:latest"
	# A name that is no program name is refused where it is written.
	conf 'credential-helpers = ["../../bin/sh"]'
	run -125 f pull -q "$REGISTRY/ferry-test:latest"
	assert_output "Error: $CONTAINERS_REGISTRIES_CONF:1: invalid credential helper \"../../bin/sh\": use the NAME of a docker-credential-NAME program, or \"containers-auth.json\""
}

@test "a blocked registry refuses pull and push; insecure lets plain HTTP in unless --tls-verify says otherwise" {
	seeded_registry
	conf "[[registry]]" "location = \"$REGISTRY\"" "blocked = true"
	run -125 f pull "$REGISTRY/ferry-test:latest"
	assert_output_contains "registry $REGISTRY is blocked in $CONTAINERS_REGISTRIES_CONF"
	load_test_image
	run -125 f push --tls-verify=false localhost/ferry-test "$REGISTRY/pushed:1"
	assert_output_contains "registry $REGISTRY is blocked in"
	if command -v podman >/dev/null; then
		run -125 podman_t pull "$REGISTRY/ferry-test:latest"
		assert_output_contains "registry $REGISTRY is blocked in $CONTAINERS_REGISTRIES_CONF"
	fi

	# Without insecure, plain HTTP is not spoken.
	conf "[[registry]]" "location = \"$REGISTRY\""
	run -125 f pull -q "$REGISTRY/ferry-test:latest"
	conf "[[registry]]" "location = \"$REGISTRY\"" "insecure = true"
	run -0 f pull -q "$REGISTRY/ferry-test:latest"
	run -0 f push -q localhost/ferry-test "$REGISTRY/pushed:1"
	run -125 f pull -q --tls-verify=true "$REGISTRY/pushed:1"
	run -0 f images -q
}

@test "a registries.conf that is wrong is refused with its file and what is wrong, and nothing changes" {
	load_test_image
	conf 'short-name-mode = "sometimes"'
	run -125 f pull -q anything
	assert_output "Error: $CONTAINERS_REGISTRIES_CONF: invalid short-name mode: \"sometimes\""
	conf 'unqualified-search-registries = ["https://example.test"]'
	run -125 f pull -q anything
	assert_output_contains "invalid location 'https://example.test': URI schemes are not supported"
	conf 'unqualified-search-registries = ["b.test"]' '[registries.search]' 'registries = ["a.test"]'
	run -125 f pull -q anything
	assert_output_contains "mixing sysregistry v1/v2 is not supported"
	conf '[aliases]' '"x" = "y:1"'
	run -125 f pull -q anything
	assert_output_contains "invalid alias \"y:1\""
	conf 'unqualified-search-registries = ["a.test"'
	run -125 f pull -q anything
	assert_output_contains "$CONTAINERS_REGISTRIES_CONF:2:"
	rm "$CONTAINERS_REGISTRIES_CONF"
	run -125 f pull -q anything
	assert_output_contains "loading registries configuration \"$CONTAINERS_REGISTRIES_CONF\""
	# Local images are still found by their names.
	run -0 f image exists ferry-test
	run -0 f images -q
	assert_output "$(f images -q)"
}

@test "the version 1 format's search, insecure and block lists work as their version 2 tables" {
	seeded_registry
	conf '[registries.search]' "registries = [\"$REGISTRY\"]" '[registries.insecure]' "registries = [\"$REGISTRY\"]"
	run -0 f pull -q ferry-test
	run -0 f image exists "$REGISTRY/ferry-test:latest"
	conf '[registries.block]' "registries = [\"$REGISTRY\"]"
	run -125 f pull -q "$REGISTRY/ferry-test:latest"
	assert_output_contains "is blocked in"
	printf '[registries.search]\nregistries = ["a.test"]\n' >"$HOME/.config/containers/registries.conf.d/v1.conf"
	run -125 f pull -q other
	assert_output_contains "registry must be in v2 format but is in v1"
}

@test "login, logout and search without a registry take registries.conf's search registries, as Podman's do" {
	run -125 f logout
	assert_output_contains "no registries found in registries.conf, a registry must be provided"
	run -0 f search anything
	assert_output ""
	seeded_registry
	conf "unqualified-search-registries = [\"$REGISTRY\"]" "" "[[registry]]" "location = \"$REGISTRY\"" "insecure = true"
	run -125 f logout
	assert_output_contains "not logged into $REGISTRY"
	run -0 f search --format '{{.Name}}' ferry-test
	assert_output "$REGISTRY/ferry-test"
	if command -v podman >/dev/null; then
		run -125 podman_t logout
		assert_output_contains "not logged into $REGISTRY"
		run -0 podman_t search --format '{{.Name}}' ferry-test
		assert_output "$REGISTRY/ferry-test"
	fi
}

@test "a blocked prefix with a namespace refuses pushes and pulls of its names only" {
	seeded_registry
	load_test_image
	conf "[[registry]]" "location = \"$REGISTRY\"" "insecure = true" \
		"[[registry]]" "prefix = \"$REGISTRY/locked\"" "location = \"$REGISTRY/locked\"" "insecure = true" "blocked = true"
	run -125 f push -q localhost/ferry-test "$REGISTRY/locked/app:1"
	assert_output_contains "registry $REGISTRY/locked is blocked in"
	run -0 f push -q localhost/ferry-test "$REGISTRY/open/app:1"
	run -125 f pull -q "$REGISTRY/locked/app:1"
	assert_output_contains "registry $REGISTRY/locked is blocked in"
	run -0 f pull -q "$REGISTRY/open/app:1"
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		run -125 podman_t push -q localhost/ferry-test "$REGISTRY/locked/app:1"
		assert_output_contains "registry $REGISTRY/locked is blocked in"
	fi
}

@test "on a terminal, a short name of several search registries is asked for, and the choice pulled is kept as an alias" {
	seeded_registry
	local dead=127.0.0.1:$(free_port) drive=$BATS_TEST_DIRNAME/../lib/ptydrive.py
	export FERRY_SHORT_NAME_ALIASES=$TEST_TMP/aliases.conf
	conf "unqualified-search-registries = [\"$dead\", \"$REGISTRY\"]" "short-name-mode = \"enforcing\"" "" \
		"[[registry]]" "location = \"$REGISTRY\"" "insecure = true"
	# ctrl-c gives up, as Podman's prompt does; nothing is pulled or kept.
	run -0 python3 "$drive" 'sleep:1;send:\x03;sleep:0.5' -- "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" pull ferry-test
	assert_output_contains "Please select an image:"
	assert_output_contains "Error: ^C"
	assert_output_contains "rc=125"
	[ ! -e "$FERRY_SHORT_NAME_ALIASES" ]
	# Down, then enter: the second.
	run -0 python3 "$drive" 'sleep:1;send:\x1b[B;sleep:0.3;send:\r;sleep:3' -- "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" pull ferry-test
	assert_output_contains "$REGISTRY/ferry-test:latest"
	assert_output_contains "Trying to pull $REGISTRY/ferry-test:latest..."
	assert_output_contains "rc=0"
	refute_output_contains "Trying to pull $dead"
	grep -qx "  \"ferry-test\" = \"$REGISTRY/ferry-test\"" "$FERRY_SHORT_NAME_ALIASES"
	# The alias answers from now on, without a terminal too.
	run -0 f pull ferry-test </dev/null
	assert_line --index 0 "Resolved \"ferry-test\" as an alias ($FERRY_SHORT_NAME_ALIASES)"
	run -0 f image inspect --format '{{index .RepoTags 0}}' ferry-test
	assert_output "$REGISTRY/ferry-test:latest"
}

@test "on the short-name prompt, typed text, / and backspace change nothing and a lone Escape does not swallow the next key, as in Podman's" {
	local one=127.0.0.1:$(free_port) two=127.0.0.1:$(free_port) drive=$BATS_TEST_DIRNAME/../lib/ptydrive.py
	export FERRY_SHORT_NAME_ALIASES=$TEST_TMP/aliases.conf
	conf "unqualified-search-registries = [\"$one\", \"$two\"]" "short-name-mode = \"enforcing\""
	# Podman 5.4's prompt has no filter: the first stays chosen.  An
	# Escape once ate the Enter after it, and the prompt waited forever.
	local keys='sleep:1;send:/ex;sleep:0.3;send:\x7f;sleep:0.3;send:\x1b;sleep:0.3;send:\r;sleep:2'
	run -0 python3 "$drive" "$keys" -- "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" pull ferry-test
	assert_output_contains "Trying to pull $one/ferry-test:latest..."
	refute_output_contains "$two/ferry-test:latest..."
	assert_output_contains "rc=125"
	# Escape, then down: the arrow still counts.
	run -0 python3 "$drive" 'sleep:1;send:\x1b;sleep:0.3;send:\x1b[B;sleep:0.3;send:\r;sleep:2' -- "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" pull ferry-test
	assert_output_contains "Trying to pull $two/ferry-test:latest..."
	[ ! -e "$FERRY_SHORT_NAME_ALIASES" ]
	if command -v podman >/dev/null; then
		mkdir -p "$TEST_TMP/ptmp" "$TEST_TMP/pnet"
		run -0 python3 "$drive" "$keys" -- env PODMAN_IGNORE_CGROUPSV1_WARNING=1 podman --root "$TEST_TMP/proot" \
			--runroot "$TEST_TMP/prun" --tmpdir "$TEST_TMP/ptmp" --network-config-dir "$TEST_TMP/pnet" \
			--cgroup-manager cgroupfs --events-backend none --runtime runc pull ferry-test
		assert_output_contains "Trying to pull $one/ferry-test:latest..."
		refute_output_contains "$two/ferry-test:latest..."
		assert_output_contains "rc=125"
	fi
}
