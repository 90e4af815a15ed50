#!/usr/bin/env bats
# The JSON that ps, volume ls and info print with --format json, written
# as Podman 5.4 writes it: an empty list on one line ([]), an empty object
# over three lines with an indented blank line between its braces, <, >
# and & in strings as \u003c, \u003e and \u0026, and ps's CreatedAt as how
# long ago (Podman's CREATED column), not the time itself.  Scripts that
# compare or grep this output see the same bytes from either tool.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers

audit_hooks_for_every_test

# The parts of TOOL's JSON whose shape is at stake, for a container made
# by make_objects.
json_shapes() {
	local t=$1
	"$t" ps -a --format json | sed -n '/"Command"/,/\]/p; /"Mounts"/p; /"Namespaces"/,/}/p'
	"$t" ps -a --format json | sed -n 's/^ *"CreatedAt": "\(.*\)",$/\1/p' |
		grep -Ex 'Less than a second ago|[0-9]+ seconds? ago|About a minute ago' | sed 's/.*/CreatedAt: ago/'
	"$t" volume ls --format json | sed -n '/"Labels"/,/}/p; /"Options"/,/}/p'
	"$t" volume ls --format json --filter name=nosuch
	"$t" info --format json | sed -n '/"registries"/,/}/p'
}

make_objects() {
	local t=$1
	"$t" create --name j1 localhost/ferry-test:latest sh -c 'echo a > /dev/null && true' >/dev/null
	"$t" volume create jv >/dev/null
}

@test "ps, volume ls and info --format json: empty lists and objects, escaped <, > and &, and CreatedAt as Podman's" {
	load_test_image
	make_objects f
	json_shapes f >"$TEST_TMP/f.out"
	# Some lines hold nothing but the indentation (Podman's empty objects).
	sed 's/^|//' >"$TEST_TMP/expected" <<-'EOF'
		|    "Command": [
		|      "sh",
		|      "-c",
		|      "echo a \u003e /dev/null \u0026\u0026 true"
		|    ],
		|    "Mounts": [],
		|    "Namespaces": {
		|      
		|    },
		|CreatedAt: ago
		|    "Labels": {
		|      
		|    },
		|    "Options": {
		|      
		|    },
		|[]
		|  "registries": {
		|    
		|  },
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.out"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	make_objects podman_t
	json_shapes podman_t >"$TEST_TMP/p.out"
	diff -u "$TEST_TMP/expected" "$TEST_TMP/p.out"
}
