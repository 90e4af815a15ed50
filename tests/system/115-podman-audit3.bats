#!/usr/bin/env bats
# What the third round of tests/lib/compare-podman.sh found ferry doing
# differently from Podman 5.4, now fixed.  Each sequence is compared with
# the transcript ferry printed once it matched Podman (kept below) and,
# where Podman is installed, with Podman run live: standard output whole,
# the first words of each error line.

load helpers
load podman-helpers

# Podman's locks in files of the test's own (its shared-memory lock table
# is shared with every other Podman run on the machine), and no network
# unless asked, as ferry's ferry.conf of the test says.
eval "helpers_$(declare -f setup)"
setup() {
	helpers_setup
	printf '[engine]\nlock_type = "file"\n[containers]\nnetns = "none"\n' >>"$CONTAINERS_CONF"
}

# Bridge ftu<N>, subnet 10.212.<N>.0/24 (scripts/test.sh's leftovers check
# knows them).
teardown() {
	local n
	n=$(net_number)
	if [ -d "${ROOT:-/nonexistent}" ]; then f rm -af -t 0 >/dev/null 2>&1 || true; fi
	podman_teardown
	ip link del "ftu$n" 2>/dev/null || true
	ferry_teardown
}

# Transcript $1 as compared live: errors cut to their first three words
# (the rest is each tool's wording of the cause), the tool's name in a
# "See 'podman ps --help'" line as TOOL, blank output lines left out.
live_form() {
	grep -v '^  out: *$' "$1" | sed -E -e "s/^  err: See '(podman|ferry) /  err: See 'TOOL /" |
		awk '/^  err: / { print $1, $2, $3, $4; next } 1'
}

# Runs sequence function $1 with ferry, compares it with the expected
# transcript on stdin, then runs it with Podman where Podman is installed.
compare_with_podman() {
	local seq=$1
	cat >"$TEST_TMP/expected.log"
	N=$(net_number)
	load_test_image
	for t in f podman_t; do
		printf 's/10\\.212\\.%s\\./10.212.N./g\ns/ftu%s\\b/ftuN/g\n' "$N" "$N" >"$TEST_TMP/$t.sed"
		echo 's/"\(podman\|ferry\) /"TOOL /g' >>"$TEST_TMP/$t.sed"
		echo 's/\b[0-9a-f]\{64\}\b/<ID>/g' >>"$TEST_TMP/$t.sed"
		echo 's/\b[0-9a-f]\{12\}\b/<SID>/g' >>"$TEST_TMP/$t.sed"
		# The runtime's figures of the moment.
		echo 's/(current usage: [0-9]*, peak usage: [0-9]*)/(current usage: U)/' >>"$TEST_TMP/$t.sed"
	done
	echo "s#$TEST_TMP/proot/#$TEST_TMP/root/#g" >>"$TEST_TMP/podman_t.sed"
	"$seq" f
	sed -i -f "$TEST_TMP/f.sed" "$TEST_TMP/f.log"
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	"$seq" podman_t
	sed -i -f "$TEST_TMP/podman_t.sed" "$TEST_TMP/podman_t.log"
	diff -u <(live_form "$TEST_TMP/podman_t.log") <(live_form "$TEST_TMP/f.log")
}

ports_memory_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" run --rm --network none -p 18090:80 "$img" true
	step "$t" create --name c1 -p 18091:80 "$img" true
	step "$t" inspect --format '{{.HostConfig.NetworkMode}} {{.HostConfig.PortBindings}}' c1
	step "$t" port c1
	step "$t" create --name c2 -P --expose 80 "$img" true
	step "$t" inspect --format '{{.HostConfig.NetworkMode}} {{.HostConfig.PublishAllPorts}}' c2
	step "$t" run --network none --name m1 --memory 1k "$img" true
	step "$t" ps -a --format '{{.Names}} {{.State}}' --filter name=m1
	step "$t" start m1
	step "$t" run -d --rm --network none --memory 1k "$img" true
	step "$t" ps -a --format '{{.Names}} {{.State}}' --sort names
	step "$t" rm c1 c2 m1
}

@test "-p under containers.conf's netns none is dropped without a word, and a memory limit too small is the runtime's to refuse (126, the container left created)" {
	compare_with_podman ports_memory_sequence <<-'EOF'
		$ run --rm --network none -p 18090:80 localhost/ferry-test:latest true -> 0
		  err: Port mappings have been discarded as one of the Host, Container, Pod, and None network modes are in use
		$ create --name c1 -p 18091:80 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{.HostConfig.NetworkMode}} {{.HostConfig.PortBindings}} c1 -> 0
		  out: none map[]
		$ port c1 -> 0
		$ create --name c2 -P --expose 80 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{.HostConfig.NetworkMode}} {{.HostConfig.PublishAllPorts}} c2 -> 0
		  out: none true
		$ run --network none --name m1 --memory 1k localhost/ferry-test:latest true -> 126
		  err: Error: OCI runtime error: runc: runc create failed: unable to start container process: error during container init: error setting cgroup config for procHooks process: unable to set memory limit to 1024 (current usage: U)
		$ ps -a --format {{.Names}} {{.State}} --filter name=m1 -> 0
		  out: m1 created
		$ start m1 -> 125
		  err: Error: OCI runtime error: unable to start container "<ID>": runc: runc create failed: unable to start container process: error during container init: error setting cgroup config for procHooks process: unable to set memory limit to 1024 (current usage: U)
		$ run -d --rm --network none --memory 1k localhost/ferry-test:latest true -> 126
		  err: Error: OCI runtime error: runc: runc create failed: unable to start container process: error during container init: error setting cgroup config for procHooks process: unable to set memory limit to 1024 (current usage: U)
		$ ps -a --format {{.Names}} {{.State}} --sort names -> 0
		  out: c1 created
		  out: c2 created
		  out: m1 created
		$ rm c1 c2 m1 -> 0
		  out: c1
		  out: c2
		  out: m1
	EOF
}
