#!/usr/bin/env bats
# Input from outside that must neither harm the host nor hang or crash
# ferry, sixth part (see 125 for the fifth): netavark's own options a
# user or a checkpoint archive gives a network (host_interface_name names
# an interface of the host), the netavark.pid a killed ferry leaves, the
# swap of an in-place checkpoint's images and its dump's directory, and a
# database opened on a full disk.

load helpers

bats_require_minimum_version 1.5.0

IMG=localhost/ferry-test

# A network of the test's own, n1 on bridge ftu<N+2000>, and a host-side
# interface name ftu<N+3000> for its containers.
eval "untrusted6_$(declare -f setup)"
setup() {
	untrusted6_setup
	N=$(net_number)
	BR=ftu$((N + 2000))
	BR2=ftu$((N + 4000))
	HOSTIF=ftu$((N + 3000))
	SUBNET=10.213.$N.0/24
	SUBNET2=10.213.$((N + 1)).0/24
}

eval "untrusted6_$(declare -f teardown)"
teardown() {
	if [ -n "${OTHER_PID:-}" ]; then kill "$OTHER_PID" 2>/dev/null || true; fi
	if [ -d "${ROOT:-/nonexistent}" ]; then f rm -af -t 0 >/dev/null 2>&1 || true; fi
	if [ -d "${TEST_TMP:-/nonexistent}/rootB" ]; then fb rm -af -t 0 >/dev/null 2>&1 || true; fi
	ip link del "${HOSTIF:-none}" 2>/dev/null || true
	ip link del "${BR:-none}" 2>/dev/null || true
	ip link del "${BR2:-none}" 2>/dev/null || true
	untrusted6_teardown
}

@test "an archive's netavark options (host_interface_name, a name in the host's namespace) ask for --trust-archive" {
	load_test_image
	f network create --subnet "$SUBNET" --interface-name "$BR" n1 >/dev/null
	f run -d --name c1 --network "n1:host_interface_name=$HOSTIF,foo=bar" $IMG sleep 1000 >/dev/null
	ip link show "$HOSTIF" >/dev/null
	f container checkpoint -e "$TEST_TMP/c1.tar" c1 >/dev/null
	f rm -f -t 0 c1 >/dev/null
	! ip link show "$HOSTIF" 2>/dev/null || false
	fb load -q -i "$(ferry_test_image)"
	# Before, an archive from anywhere named the host's end of the pair:
	# a name the host or another network's bridge was to take.
	run_fb container restore -i "$TEST_TMP/c1.tar"
	assert_status 125
	assert_one_line_error
	[[ "$output" == *"asks for netavark options \`host_interface_name=$HOSTIF,foo=bar\` on network n1: restore with --trust-archive"* ]]
	[ -z "$(fb ps -aq)" ]
	! ip link show "$HOSTIF" 2>/dev/null || false
	fb container restore -i "$TEST_TMP/c1.tar" --trust-archive >/dev/null
	ip -o link show "$HOSTIF" | grep -q "master $BR "
	fb rm -f -t 0 c1 >/dev/null
}

# Fills the file system at $1 up to its last byte (written until it is
# full: what others write meanwhile leaves no room either).
fill_up() {
	head -c 64M /dev/zero >"$1/fill" 2>/dev/null || true
	[ "$(df -B1 --output=avail "$1" | tail -n1)" -lt 4096 ]
}

# Waits until container $1 counts past what it printed so far.
assert_counting() {
	local n
	n=$(last_count "$1")
	wait_until "[ \"\$(last_count $1)\" -gt ${n:-0} ]"
}

# The images of container $1's last checkpoint in place.
images_of() {
	echo "$ROOT/containers/$(f inspect --format '{{.Id}}' "$1")/checkpoint"
}

@test "an in-place checkpoint whose last images cannot be removed keeps the new ones, which restore" {
	load_test_image
	f run -d --name c1 $IMG sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(last_count c1)" -ge 2 ]'
	f container checkpoint -R c1 >/dev/null
	local images
	images=$(images_of c1)
	wait_until "[ \"\$(last_count c1)\" -ge $(($(last_count c1) + 2)) ]"
	# A file of the last checkpoint that cannot go (immutable here; any
	# error of its removal, a full disk's among them).  Before, the last
	# images were removed before the new ones came in their place: this
	# one failed, the new images went with the dump's directory, and the
	# container, which CRIU had ended, restored from neither.
	chattr +i "$images/inventory.img"
	run_ferry container checkpoint c1
	find "$ROOT/containers" -name inventory.img -exec chattr -i {} + 2>/dev/null || true
	assert_status 0
	f container restore c1 >/dev/null
	assert_counting c1
	# From the last checkpoint, not the one before: the count goes on
	# with no number twice.
	assert_counts_on c1
	f rm -f -t 0 c1 >/dev/null
}

@test "an in-place checkpoint killed while its images are swapped is settled forward by the next command" {
	load_test_image
	f run -d --name c1 $IMG sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(last_count c1)" -ge 2 ]'
	f container checkpoint -R c1 >/dev/null
	wait_until "[ \"\$(last_count c1)\" -ge $(($(last_count c1) + 2)) ]"
	# Killed with the last images set aside and the new ones not yet in
	# their place: neither is in the container's directory.
	run env FERRY_FAULT=checkpoint-images-aside "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" container checkpoint c1
	[ "$status" -eq 137 ]
	[ "$(ctr_status c1)" = exited ]
	[ -f "$(images_of c1)/inventory.img" ]
	# (The settle may be conmon's cleanup's, which removes the dump's
	# directory once the record is ended.)
	wait_until '[ -z "$(find "$ROOT/containers" -maxdepth 2 -name "dump-*")" ]'
	f container restore c1 >/dev/null
	assert_counting c1
	assert_counts_on c1
	f rm -f -t 0 c1 >/dev/null
}

@test "a netavark.pid naming a process that is no netavark (its PID and start time again after a reboot) is not waited for" {
	load_test_image
	f network create --subnet "$SUBNET" --interface-name "$BR" n1 >/dev/null
	sleep 1000 >/dev/null 2>&1 &
	OTHER_PID=$!
	# What a ferry killed while its netavark ran leaves, in a runroot that
	# is no tmpfs (as /run here), when after a reboot another process has
	# the number and the start time.  Before, each netavark run waited a
	# minute for it, holding netavark's lock.
	mkdir -p "$RUNROOT/networks"
	echo "$OTHER_PID $(cut -d' ' -f22 "/proc/$OTHER_PID/stat")" >"$RUNROOT/networks/netavark.pid"
	run timeout 40 "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" run -d --name c1 --network n1 $IMG sleep 1000
	assert_status 0
	[ "$(ctr_status c1)" = running ]
	kill "$OTHER_PID"
	f rm -f -t 0 c1 >/dev/null
}

@test "a ferry that opened the database on a full disk gives it back to the others once there is room again" {
	local small=$TEST_TMP/small
	mkdir -p "$small"
	mount -t tmpfs -o size=32m tmpfs "$small"
	ROOT=$small/root
	load_test_image
	f run -d --name c1 $IMG sh -c 'echo hello; sleep 1000' >/dev/null
	wait_until '[ "$(f logs c1)" = hello ]'
	fill_up "$small"
	# A reader opened with no room for the shared WAL index keeps it in
	# its own memory, which takes the database for itself while it is
	# open: here one that stays (logs -f; wait, attach and events stay
	# as long).
	"$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" logs -f c1 >"$TEST_TMP/follow.log" 2>&1 &
	OTHER_PID=$!
	wait_until '[ "$(cat "$TEST_TMP/follow.log")" = hello ]'
	rm -f "$small/fill"
	# Before, every other command waited its 30 s and failed ("database
	# is locked") for as long as that reader lived: conmon's cleanup of
	# an exited container, the user's rm that freed space.
	run timeout 60 "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" ps -a --format '{{.Names}} {{.State}}'
	assert_status 0
	[ "$output" = "c1 running" ]
	run timeout 60 "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" rm -f -t 0 c1
	assert_status 0
	wait_until '! kill -0 "$OTHER_PID" 2>/dev/null'
}

@test "one host_interface_name for two networks is refused before netavark leaves a bridge on the host" {
	load_test_image
	f network create --subnet "$SUBNET" --interface-name "$BR" n1 >/dev/null
	f network create --subnet "$SUBNET2" --interface-name "$BR2" n2 >/dev/null
	# Before, netavark made n1's end and failed at n2's (the name was
	# taken by then): the run failed with n1's bridge left up.
	run_ferry run -d --name c1 --network "n1:host_interface_name=$HOSTIF" --network "n2:host_interface_name=$HOSTIF" $IMG sleep 1000
	assert_status 125
	assert_one_line_error
	assert_output_contains "host interface name \"$HOSTIF\" is given to networks n1 and n2: give each network its own host_interface_name"
	[ -z "$(f ps -aq)" ]
	! ip link show "$BR" 2>/dev/null || false
	! ip link show "$BR2" 2>/dev/null || false
	! ip link show "$HOSTIF" 2>/dev/null || false
}

@test "a host_interface_name that is another network's bridge is refused: that network's containers would not start" {
	load_test_image
	f network create --subnet "$SUBNET" --interface-name "$BR" n1 >/dev/null
	f network create --subnet "$SUBNET2" --interface-name "$BR2" n2 >/dev/null
	# Before, the host's end of c1's pair took n2's bridge name while n2
	# had no bridge up, and every container of n2 then failed to start
	# ("bridge interface ... already exists but is a Veth interface").
	run_ferry run -d --name c1 --network "n1:host_interface_name=$BR2" $IMG sleep 1000
	assert_status 125
	assert_one_line_error
	assert_output_contains "host interface name \"$BR2\" is the bridge of network n2: give network n1 a host_interface_name that no network's bridge has"
	[ -z "$(f ps -aq)" ]
	! ip link show "$BR2" 2>/dev/null || false
	f run -d --name c2 --network n2 $IMG sleep 1000 >/dev/null
	[ "$(ctr_status c2)" = running ]
	f rm -f -t 0 c2 >/dev/null
}

@test "an attach opened on a full disk keeps no other ferry out while it waits" {
	local small=$TEST_TMP/small
	mkdir -p "$small"
	mount -t tmpfs -o size=32m tmpfs "$small"
	ROOT=$small/root
	load_test_image
	f run -d --name c1 $IMG sh -c 'echo hello; sleep 1000' >/dev/null
	fill_up "$small"
	# Its database connection holds the WAL index in its memory, and with
	# it the database; an attach then reads nothing until the container
	# ends, and kept every other ferry out for as long (even once there
	# was room again).
	"$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" attach --no-stdin c1 >"$TEST_TMP/attach.log" 2>&1 &
	OTHER_PID=$!
	# Attached: connected to conmon's socket, after its database lookup.
	wait_until 'ls -l /proc/$OTHER_PID/fd 2>/dev/null | grep -q "socket:"'
	run timeout 60 "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" ps -a --format '{{.Names}} {{.State}}'
	assert_status 0
	[ "$output" = "c1 running" ]
	rm -f "$small/fill"
	run timeout 60 "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" rm -f -t 0 c1
	assert_status 0
	wait_until '! kill -0 "$OTHER_PID" 2>/dev/null'
}

@test "a checkpoint killed once its record is ended leaves no dump directory behind" {
	load_test_image
	f run -d --name c1 $IMG sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(last_count c1)" -ge 2 ]'
	# Before, the dump's directory (the container's memory, for -R and
	# an export's -k the whole of it) went only after the record was
	# ended: killed between the two, nothing ever removed it.
	run env FERRY_FAULT=checkpoint-ended "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" container checkpoint -R c1
	[ "$status" -eq 137 ]
	[ "$(ctr_status c1)" = running ]
	[ -z "$(find "$ROOT/containers" -maxdepth 2 -name 'dump-*')" ]
	f rm -f -t 0 c1 >/dev/null
}

@test "an archive's network alias that is another container's name on that network asks for --trust-archive; a shared alias does not" {
	load_test_image
	f network create --interface-name "$BR" --subnet "$SUBNET" n1 >/dev/null
	f run -d --name evil --network n1 --network-alias db --network-alias svc $IMG sleep 1000 >/dev/null
	f container checkpoint --export "$TEST_TMP/evil.tar" evil >/dev/null
	f rm evil >/dev/null
	f run -d --name db --network n1 $IMG sleep 1000 >/dev/null
	f run -d --name web --network n1 --network-alias svc $IMG sleep 1000 >/dev/null
	# Before, the restored container answered for db in n1's DNS too.
	run_ferry container restore --import "$TEST_TMP/evil.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "gives its container the alias \"db\" on network n1, which is the name of container db there: restore with --trust-archive"
	[ "$(f ps -a --format '{{.Names}}' | sort | tr '\n' ' ')" = "db web " ]
	# Vouched for, it restores, alias and all.
	f container restore --import "$TEST_TMP/evil.tar" --trust-archive --ignore-static-ip >/dev/null
	[ "$(f inspect --format '{{.State.Status}}' evil)" = running ]
	f rm -f -t 0 evil db >/dev/null
	# With db gone, only svc is shared, with web: copies of one service
	# share an alias, and that stays allowed.
	f container restore --import "$TEST_TMP/evil.tar" --name evil2 >/dev/null
	[ "$(f inspect --format '{{.State.Status}}' evil2)" = running ]
	f exec web nslookup svc >"$TEST_TMP/ns" 2>&1 || true
	# The answers (the server's own line ends in :53).
	[ "$(grep -c '^Address: *10\.213\.[0-9]*\.[0-9]*$' "$TEST_TMP/ns")" -eq 2 ]
}
