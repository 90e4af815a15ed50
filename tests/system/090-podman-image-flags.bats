#!/usr/bin/env bats
# Podman's flags of exec and of the image commands: exec --env-file,
# --latest, --privileged, --preserve-fds/--preserve-fd; pull, run and
# create --arch/--os/--variant, --retry, --retry-delay and
# --disable-content-trust against a real registry (tests/lib/registry.bash)
# holding a multi-platform index; push's retry and signature flags;
# import --change and --message; login --get-login, --verbose and
# --cert-dir; ps --sync and --ns.  What ferry prints is compared with what
# Podman 5.4 printed (kept below), and, where Podman is installed, with
# Podman run live on roots of the test's own.

load helpers
load podman-helpers
load ../lib/registry

bats_require_minimum_version 1.5.0

teardown() {
	registry_stop
	podman_teardown
	ferry_teardown
}

# Runs sequence $1 with ferry and compares its transcript with stdin (what
# Podman printed); where Podman is installed, runs it with Podman too and
# compares the two.
compare_with_podman() {
	local seq=$1
	cat >"$TEST_TMP/expected.log"
	load_test_image
	# The capabilities a privileged process gets are those of this host.
	echo "s/$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)/<host's>/" >"$TEST_TMP/f.sed"
	cp "$TEST_TMP/f.sed" "$TEST_TMP/podman_t.sed"
	"$seq" f
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		"$seq" podman_t
		diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
	fi
}

# As step, but only the command and its exit code go to the transcript
# (where the two tools word an error differently).
step_rc() {
	local tool=$1 rc=0
	shift
	"$tool" "$@" >/dev/null 2>&1 || rc=$?
	echo "\$ $* -> $rc" | sed "s#$TEST_TMP#TMP#g" >>"$TEST_TMP/$tool.log"
}

# The image as tool $1 names it.
test_image() {
	if [ "$1" = podman_t ]; then echo localhost/ferry-test:latest; else echo ferry-test; fi
}

exec_sequence() {
	local t=$1 img
	img=$(test_image "$t")
	printf 'A=1\n# a comment\n\nB\nC=x y\nD=file\n' >"$TEST_TMP/env"
	"$t" run -d --name x1 --network none "$img" sleep 1000 >/dev/null
	B=from-host step "$t" exec --env-file "$TEST_TMP/env" -e D=option x1 sh -c 'echo "$A|$B|$C|$D"'
	step "$t" exec -e NOT_SET_ANYWHERE x1 sh -c 'echo "${NOT_SET_ANYWHERE-unset}"'
	step "$t" exec -l sh -c 'echo latest'
	# With --latest the first argument is the command (runc's own line
	# about it differs: ferry passes runc's stderr on).
	step_rc "$t" exec --latest x1 true
	step "$t" exec --privileged x1 sh -c 'grep -E "CapEff|CapBnd" /proc/self/status'
	step "$t" exec x1 sh -c 'grep -E "CapBnd" /proc/self/status'
	step "$t" exec --privileged -u 1000 x1 sh -c 'grep -E "CapEff|CapBnd" /proc/self/status'
	step "$t" exec --preserve-fds 2 x1 sh -c 'cat <&3; cat <&4' 3<"$TEST_TMP/env" 4<<<four
	step "$t" exec --preserve-fd 5 x1 sh -c 'cat <&5; [ -e /proc/self/fd/3 ] && echo 3-open' 5<<<five
	step "$t" exec --preserve-fd 6 x1 true 6<&-
	step "$t" exec --preserve-fds 3 x1 true 3</dev/null 4</dev/null 5<&-
	step_rc "$t" exec --env-file "$TEST_TMP/missing" x1 true
	step "$t" exec x1
	step "$t" exec
	step "$t" exec -l
}

@test "exec --env-file, --latest, --privileged, --preserve-fds and --preserve-fd as Podman's" {
	compare_with_podman exec_sequence <<-'EOF'
		$ exec --env-file TMP/env -e D=option x1 sh -c echo "$A|$B|$C|$D" -> 0
		  out: 1|from-host|x y|option
		$ exec -e NOT_SET_ANYWHERE x1 sh -c echo "${NOT_SET_ANYWHERE-unset}" -> 0
		  out: unset
		$ exec -l sh -c echo latest -> 0
		  out: latest
		$ exec --latest x1 true -> 127
		$ exec --privileged x1 sh -c grep -E "CapEff|CapBnd" /proc/self/status -> 0
		  out: CapEff:	<host's>
		  out: CapBnd:	<host's>
		$ exec x1 sh -c grep -E "CapBnd" /proc/self/status -> 0
		  out: CapBnd:	00000000800405fb
		$ exec --privileged -u 1000 x1 sh -c grep -E "CapEff|CapBnd" /proc/self/status -> 0
		  out: CapEff:	0000000000000000
		  out: CapBnd:	<host's>
		$ exec --preserve-fds 2 x1 sh -c cat <&3; cat <&4 -> 0
		  out: A=1
		  out: # a comment
		  out: 
		  out: B
		  out: C=x y
		  out: D=file
		  out: four
		$ exec --preserve-fd 5 x1 sh -c cat <&5; [ -e /proc/self/fd/3 ] && echo 3-open -> 0
		  out: five
		  out: 3-open
		$ exec --preserve-fd 6 x1 true -> 125
		  err: Error: file descriptor 6 is not available - the preserve-fd option requires that file descriptors must be passed
		$ exec --preserve-fds 3 x1 true -> 125
		  err: Error: file descriptor 5 is not available - the preserve-fds option requires that file descriptors must be passed
		$ exec --env-file TMP/missing x1 true -> 125
		$ exec x1 -> 125
		  err: Error: must provide a non-empty command to start an exec session: invalid argument
		$ exec -> 125
		  err: Error: exec requires the name or ID of a container or the --latest flag
		$ exec -l -> 125
		  err: Error: must provide a non-empty command to start an exec session: invalid argument
	EOF
}
