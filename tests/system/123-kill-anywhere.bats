#!/usr/bin/env bats
# Kill anywhere: a state-changing command SIGKILLed at any instant leaves a
# state the next ferry command settles by itself.  tests/lib/kill-anywhere.sh
# kills commands at random instants to find the windows nobody put a named
# fault point in; each window it found has a fault point now
# (src/lib/util/fault.h) and a deterministic test here, which are the real
# regression tests.  The last test is a short randomised smoke of the driver
# with a fixed seed, so that it keeps working.

load helpers

# ferry with this test's roots, killed at fault point $1.
f_fault() {
	local point=$1
	shift
	FERRY_FAULT=$point "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" "$@"
}

# Bridges of this test's own beside its default network's (ftn<N>): its
# networks have no IPAM, or halves of the test's own subnet.
eval "helpers_$(declare -f setup)"
setup() {
	helpers_setup
	BR1=ftn$(($(net_number) + 1000))
	BR2=ftn$(($(net_number) + 2000))
}

teardown() {
	if [ -d "${ROOT:-/nonexistent}" ]; then f rm -af -t 0 >/dev/null 2>&1 || true; fi
	ip link del "${BR1:-}" 2>/dev/null || true
	ip link del "${BR2:-}" 2>/dev/null || true
	ferry_teardown
}

ifaces_of() { f exec "$1" ls /sys/class/net | tr '\n' ' '; }

# Container c runs on the default network, and network n1 exists.
start_on_two_networks() {
	load_test_image
	f network create --ipam-driver none --interface-name "$BR1" n1 >/dev/null
	f run -d --network ferry --name c ferry-test sleep 1000 >/dev/null
}

# Removing c and n1 leaves no bridge of n1's behind.
assert_network_removable() {
	f rm -f -t 0 c >/dev/null
	f network rm n1 >/dev/null
	if ip link show "$BR1" >/dev/null 2>&1; then
		echo "bridge $BR1 of n1 left behind" >&2
		return 1
	fi
}

@test "network disconnect killed after netavark's teardown, before its report: the next command finishes" {
	start_on_two_networks
	f network connect n1 c
	[ "$(ifaces_of c)" = "eth0 eth1 lo " ]
	run f_fault network-disconnect-unreported network disconnect n1 c
	[ "$status" -eq 137 ]
	# Torn down, still reported: netavark would refuse a second teardown.
	f ps >/dev/null
	[ "$(ifaces_of c)" = "eth0 lo " ]
	[ "$(f inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' c)" = "ferry " ]
	f network connect n1 c
	[ "$(ifaces_of c)" = "eth0 eth1 lo " ]
	f network disconnect n1 c
	assert_network_removable
}

@test "network connect killed after netavark's setup, before its report: disconnect tears it down" {
	start_on_two_networks
	run f_fault network-connect-unreported network connect n1 c
	[ "$status" -eq 137 ]
	[ "$(ifaces_of c)" = "eth0 eth1 lo " ]
	f network disconnect n1 c
	[ "$(ifaces_of c)" = "eth0 lo " ]
	assert_network_removable
}

@test "network disconnect killed after netavark's teardown: rm -f then tears down the rest, aardvark-dns included" {
	local sub=10.205.$(net_number)
	load_test_image
	# Two networks with DNS (aardvark-dns), in halves of the test's subnet.
	f network create --subnet "$sub.0/25" --interface-name "$BR1" n0 >/dev/null
	f network create --subnet "$sub.128/25" --interface-name "$BR2" n1 >/dev/null
	f run -d --network n0 --name c ferry-test sleep 1000 >/dev/null
	f network connect n1 c
	pgrep -f -- "$RUNROOT/networks/aardvark-dns" >/dev/null
	run f_fault network-disconnect-unreported network disconnect n1 c
	[ "$status" -eq 137 ]
	f rm -f -t 0 c >/dev/null
	f network rm n0 n1 >/dev/null
	if pgrep -f -- "$RUNROOT/networks/aardvark-dns" >/dev/null; then
		echo "aardvark-dns left: $(pgrep -af -- "$RUNROOT/networks/aardvark-dns")" >&2
		return 1
	fi
	for b in "$BR1" "$BR2"; do
		if ip link show "$b" >/dev/null 2>&1; then
			echo "bridge $b left" >&2
			return 1
		fi
	done
}

@test "checkpoint --export killed while CRIU writes the pages: the container runs on, the same process, and nothing is left" {
	load_test_image
	# Memory enough that the pages take more than one read of a FIFO.
	f run -d --name c ferry-test sh -c 'x=$(head -c 30000000 /dev/zero | tr "\0" a); echo ready; while :; do sleep 0.1; done' >/dev/null
	wait_until 'f logs c 2>/dev/null | grep -q ready' 30
	pid=$(f inspect --format '{{.State.Pid}}' c)
	# ferry's watchdog leaves CRIU to end by itself: CRIU killed while its
	# code is in the container's process can kill that process (the
	# random campaign saw SIGTRAP deaths, rarely and only under load).
	run f_fault checkpoint-pages-streaming container checkpoint --export "$TEST_TMP/c.tar" c
	[ "$status" -eq 137 ]
	[ "$(f inspect --format '{{.State.Status}} {{.State.Pid}}' c)" = "running $pid" ]
	kill -0 "$pid"
	[ ! -e "$TEST_TMP/c.tar" ]
	# CRIU and the watchdog end by themselves.
	wait_until '! pgrep -f -- "--root $ROOT .*checkpoint" >/dev/null && ! pgrep -x criu >/dev/null' 30
	# It checkpoints after all, and comes back.
	f container checkpoint --export "$TEST_TMP/c.tar" c >/dev/null
	f rm -f -t 0 c >/dev/null
	f container restore --import "$TEST_TMP/c.tar" >/dev/null
	[ "$(f inspect --format '{{.State.Status}}' c)" = running ]
}

@test "export -o killed before the archive is whole: nothing is left beside it, and export again writes it" {
	load_test_image
	# Not running: export mounts its file system in a mount namespace of
	# its own, where the target is on another mount than the file written.
	f create --name c ferry-test true >/dev/null
	mkdir "$TEST_TMP/out"
	run f_fault export-written export -o "$TEST_TMP/out/c.tar" c
	[ "$status" -eq 137 ]
	if [ -n "$(ls -A "$TEST_TMP/out")" ]; then
		echo "left beside the archive: $(ls -A "$TEST_TMP/out")" >&2
		return 1
	fi
	f export -o "$TEST_TMP/out/c.tar" c
	[ "$(ls -A "$TEST_TMP/out")" = c.tar ]
	tar -tf "$TEST_TMP/out/c.tar" | grep -qx 'etc/ferry-release'
	# And it replaces a file there the same way.
	run f_fault export-written export -o "$TEST_TMP/out/c.tar" c
	[ "$status" -eq 137 ]
	[ "$(ls -A "$TEST_TMP/out")" = c.tar ]
	tar -tf "$TEST_TMP/out/c.tar" | grep -qx 'etc/ferry-release'
}

@test "rm -f killed after the row went: system prune --external takes its directories, mounts and exit file" {
	load_test_image
	f run -d --name c ferry-test sleep 1000 >/dev/null
	id=$(f inspect --format '{{.Id}}' c)
	run f_fault rm-row-removed rm -f -t 0 c
	[ "$status" -eq 137 ]
	[ -z "$(f ps -a -q)" ]
	f system prune --external >/dev/null
	[ ! -e "$ROOT/containers/$id" ]
	[ ! -e "$ROOT/storage/overlay/$id" ]
	[ ! -e "$RUNROOT/exits/$id" ]
	if grep -q -- "$id" /proc/self/mountinfo; then
		echo "mounts of $id left" >&2
		return 1
	fi
	f run -d --name c ferry-test sleep 1000 >/dev/null
}

# Asserts no temporary file of an atomic write is left in the test's
# directory.
assert_no_tmp_files() {
	local left
	left=$(find "$TEST_TMP" -name '*.tmp-*' 2>/dev/null)
	if [ -n "$left" ]; then
		echo "temporary files left: $left" >&2
		return 1
	fi
}

@test "a command killed inside an atomic write, its file synced but not named: no temporary file is left" {
	load_test_image
	f run -d --name c ferry-test sleep 1000 >/dev/null
	# Its first atomic write: its CRIU configuration, say.
	run f_fault atomic-write-synced container checkpoint --export "$TEST_TMP/c.tar" c
	[ "$status" -eq 137 ]
	f ps -a >/dev/null
	assert_no_tmp_files
	[ "$(ctr_status c)" = running ]
	f container checkpoint --export "$TEST_TMP/c.tar" c >/dev/null
	run f_fault atomic-write-synced run -d --name d ferry-test sleep 1000
	[ "$status" -eq 137 ]
	f ps -a >/dev/null
	assert_no_tmp_files
	f rm -f -t 0 d >/dev/null 2>&1 || true
	f run -d --name d ferry-test sleep 1000 >/dev/null
	[ "$(ctr_status d)" = running ]
}

@test "the kill-anywhere driver: a few random kills of run -d, checkpoint and restore settle" {
	# Its temporary roots go under this test's directory, for teardown.
	run env TMPDIR="$TEST_TMP" FERRY_CACHE="$FERRY_CACHE" FERRY_BIN="$FERRY_BIN" \
		bash "$FERRY_SRC/tests/lib/kill-anywhere.sh" -n 3 -c run,ckpt,restore -s 7
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"run: 3 kills"*"ckpt: 6 kills"*"restore: 6 kills"* ]]
}
