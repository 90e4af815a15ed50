#!/usr/bin/env bats
# What the sixth round of comparing ferry with Podman 5.4 found ferry
# doing differently, now fixed.  Each sequence is compared with the
# transcript ferry printed once it matched Podman (kept below) and, where
# Podman is installed, with Podman run live: standard output whole, the
# first words of each error line.

load helpers
load podman-helpers

audit_hooks_for_every_test

# Runs sequence function $1 with ferry, compares it with the expected
# transcript on stdin, then runs it with Podman where Podman is installed.
compare_with_podman() {
	local seq=$1
	cat >"$TEST_TMP/expected.log"
	load_test_image
	for t in f podman_t; do
		cat >>"$TEST_TMP/$t.sed" <<-'SED'
			s/\(["`]\)\(podman\|ferry\) /\1TOOL /g
			s/\b[0-9a-f]\{64\}\b/<ID>/g
			s/\b[0-9a-f]\{12\}\b/<SID>/g
		SED
	done
	audit_compare "$seq"
}

attach_sequence() {
	local t=$1 img=localhost/ferry-test:latest cmd='cat; echo out; echo err >&2; exit 3'
	printf 'hi\n' >"$TEST_TMP/hi"
	step "$t" run --rm -a stdin --network none "$img" sh -c "$cmd" <"$TEST_TMP/hi"
	step "$t" run --rm -a stdin -i --network none "$img" sh -c "$cmd" <"$TEST_TMP/hi"
	step "$t" run --rm -a stdin -a stdout --network none "$img" sh -c "$cmd" <"$TEST_TMP/hi"
	step "$t" run --rm -a stdin -a stdout -i --network none "$img" sh -c "$cmd" <"$TEST_TMP/hi"
	step "$t" run --rm -a stdin -a stderr --network none "$img" sh -c "$cmd" <"$TEST_TMP/hi"
	step "$t" run --rm -a stderr -i --network none "$img" sh -c "$cmd" <"$TEST_TMP/hi"
	step "$t" run --rm -a stdout -a stderr --network none "$img" sh -c "$cmd" <"$TEST_TMP/hi"
	step "$t" run --rm -a stdin --network none "$img" nosuchcmd <"$TEST_TMP/hi"
	step "$t" run --name d1 -d -a stdin --network none "$img" sh -c "$cmd" <"$TEST_TMP/hi"
	step "$t" run --name d2 -d -a stdout --network none "$img" sh -c 'echo out; exit 4' <"$TEST_TMP/hi"
	step "$t" wait d1 d2
	step "$t" logs d1
	step "$t" logs d2
	step_sorted "$t" rm d1 d2
}

@test "run -a: with stdin alone attached the container's ID is printed once it started (as Podman), with -d the ID whatever -a names; standard input only with -i; exit codes passed through" {
	compare_with_podman attach_sequence <<-'EOF'
		$ run --rm -a stdin --network none localhost/ferry-test:latest sh -c cat; echo out; echo err >&2; exit 3 -> 3
		  out: <ID>
		$ run --rm -a stdin -i --network none localhost/ferry-test:latest sh -c cat; echo out; echo err >&2; exit 3 -> 3
		  out: <ID>
		$ run --rm -a stdin -a stdout --network none localhost/ferry-test:latest sh -c cat; echo out; echo err >&2; exit 3 -> 3
		  out: out
		$ run --rm -a stdin -a stdout -i --network none localhost/ferry-test:latest sh -c cat; echo out; echo err >&2; exit 3 -> 3
		  out: hi
		  out: out
		$ run --rm -a stdin -a stderr --network none localhost/ferry-test:latest sh -c cat; echo out; echo err >&2; exit 3 -> 3
		  err: err
		$ run --rm -a stderr -i --network none localhost/ferry-test:latest sh -c cat; echo out; echo err >&2; exit 3 -> 3
		  err: err
		$ run --rm -a stdout -a stderr --network none localhost/ferry-test:latest sh -c cat; echo out; echo err >&2; exit 3 -> 3
		  out: out
		  err: err
		$ run --rm -a stdin --network none localhost/ferry-test:latest nosuchcmd -> 127
		  err: Error: runc: runc create failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH: OCI runtime attempted to invoke a command that was not found
		$ run --name d1 -d -a stdin --network none localhost/ferry-test:latest sh -c cat; echo out; echo err >&2; exit 3 -> 0
		  out: <ID>
		$ run --name d2 -d -a stdout --network none localhost/ferry-test:latest sh -c echo out; exit 4 -> 0
		  out: <ID>
		$ wait d1 d2 -> 0
		  out: 3
		  out: 4
		$ logs d1 -> 0
		  out: out
		  err: err
		$ logs d2 -> 0
		  out: out
		$ rm d1 d2 -> 0
		  out: d1
		  out: d2
	EOF
}
