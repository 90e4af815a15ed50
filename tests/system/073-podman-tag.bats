#!/usr/bin/env bats
# tag and untag as a Podman user types them: names normalised as Podman
# does, a name moving from one image to another, untag of one name or of
# all, and the messages and exit codes of the mistakes.  The sequence runs
# in ferry and is compared with what Podman 5.4 printed for it (kept
# below), and, where Podman is installed, with Podman run live on roots of
# the test's own.

load helpers
load podman-helpers

teardown() {
	podman_teardown
	ferry_teardown
}

# Runs TOOL with the rest, appending to TOOL's transcript the command, its
# exit code, its output and the first line of its errors.
step() {
	local tool=$1 rc=0
	shift
	"$tool" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
	{
		echo "\$ $* -> $rc"
		sed 's/^/  out: /' "$TEST_TMP/out"
		head -n 1 "$TEST_TMP/err" | sed 's/^/  err: /'
	} >>"$TEST_TMP/$tool.log"
}

# The names of image $2 (sorted), or "none" when it has none.
names() {
	local tool=$1 tags
	tags=$("$tool" image inspect --format '{{json .RepoTags}}' "$2" | tr -d '[]" ' | tr , '\n' | sort | paste -sd ' ')
	echo "  names of $2: ${tags:-none}" >>"$TEST_TMP/$tool.log"
}

sequence() {
	local t=$1 id
	id=$("$t" image inspect --format '{{.Id}}' localhost/ferry-test:latest)
	step "$t" tag ferry-test foo bar:v2 quay.io/x/y:z
	names "$t" "$id"
	step "$t" tag nosuch foo
	step "$t" tag ferry-test 'Bad Name'
	step "$t" tag ferry-test
	step "$t" untag ferry-test bar:v2
	step "$t" untag ferry-test nosuch:v
	step "$t" untag
	names "$t" "$id"
	step "$t" untag foo
	names "$t" "$id"
	# The image stays, by ID; a name given again moves back.
	step "$t" tag "$id" again
	names "$t" "$id"
	step "$t" rmi again
}

@test "tag and untag: names, moves, messages and exit codes as Podman's" {
	cat >"$TEST_TMP/expected.log" <<-'EOF2'
	$ tag ferry-test foo bar:v2 quay.io/x/y:z -> 0
	  names of ID: localhost/bar:v2 localhost/ferry-test:latest localhost/foo:latest quay.io/x/y:z
	$ tag nosuch foo -> 125
	  err: Error: nosuch: image not known
	$ tag ferry-test Bad Name -> 125
	  err: Error: normalizing name "Bad Name": ...
	$ tag ferry-test -> 125
	  err: Error: requires at least 2 arg(s), only received 1
	$ untag ferry-test bar:v2 -> 0
	$ untag ferry-test nosuch:v -> 125
	  err: Error: localhost/nosuch:v: tag not known
	$ untag -> 125
	  err: Error: requires at least 1 arg(s), only received 0
	  names of ID: localhost/ferry-test:latest localhost/foo:latest quay.io/x/y:z
	$ untag foo -> 0
	  names of ID: none
	$ tag ID again -> 0
	  names of ID: localhost/again:latest
	$ rmi again -> 0
	  out: Untagged: localhost/again:latest
	  out: Deleted: ID
	EOF2
	load_test_image
	id=$(f image inspect --format '{{.Id}}' ferry-test)
	sequence f
	# Podman's reference parser and ferry's word their refusal differently
	# after the same first words.
	normalise() { sed -e "s/$id/ID/g" -e 's/^\(  err: Error: normalizing name "[^"]*"\): .*/\1: .../' "$1"; }
	if command -v podman >/dev/null; then
		mkdir -p "$TEST_TMP/ptmp"
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		sequence podman_t
		diff -u <(normalise "$TEST_TMP/podman_t.log") <(normalise "$TEST_TMP/f.log")
	fi
	diff -u "$TEST_TMP/expected.log" <(normalise "$TEST_TMP/f.log")
}

@test "tag: a name another image had moves to this one, which leaves that one unnamed" {
	load_test_image
	mkdir -p "$TEST_TMP/tree"
	echo hi >"$TEST_TMP/tree/file"
	tar -C "$TEST_TMP/tree" -cf "$TEST_TMP/other.tar" .
	other=$(f import "$TEST_TMP/other.tar" other)
	other=${other#sha256:}
	run_ferry tag ferry-test other
	assert_status 0
	[ -z "$output" ]
	[ "$(f image inspect --format '{{.Id}}' other)" = "$(f image inspect --format '{{.Id}}' ferry-test)" ]
	[ "$(f image inspect --format '{{json .RepoTags}}' "$other")" = "[]" ]
	# Unnamed, it is still there by ID, and goes by ID.
	run_ferry rmi "$other"
	assert_status 0
	assert_output_contains "Deleted: $other"
}

# An image's names in order (newest first), after each of: tags, a load of
# the same archive again, a new tag, a name given again.
order_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	"$t" tag "$img" zz:1 aa:1
	"$t" image inspect --format '{{.RepoTags}}' "$img"
	"$t" load -q -i "$(ferry_test_image)" >/dev/null
	"$t" image inspect --format '{{.RepoTags}}' "$img"
	"$t" tag "$img" mm:1
	"$t" tag "$img" zz:1
	"$t" image inspect --format '{{.RepoTags}}' "$img"
	"$t" images --format '{{.Repository}}:{{.Tag}}'
}

@test "tag and load: a name given again, by a tag or by loading the image again, becomes the first of RepoTags, as Podman's" {
	compare_output_with_podman order_sequence <<-'EOF'
		[localhost/aa:1 localhost/zz:1 localhost/ferry-test:latest]
		[localhost/ferry-test:latest localhost/aa:1 localhost/zz:1]
		[localhost/zz:1 localhost/mm:1 localhost/ferry-test:latest localhost/aa:1]
		localhost/zz:1
		localhost/mm:1
		localhost/ferry-test:latest
		localhost/aa:1
	EOF
}
