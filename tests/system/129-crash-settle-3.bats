#!/usr/bin/env bats
# Commands killed at a named fault point (FERRY_FAULT, src/lib/util/fault.h)
# are settled by the next command, whatever it is, third part: network
# disconnect of a running container, recorded as an operation from before
# its edit of the container's /etc/hosts and /etc/resolv.conf to the change
# of its record, and finished forward by the next command (a ps) wherever it
# was killed, so that the record, the interface and the files agree; a
# connect killed before it saved netavark's report; a network reload killed
# between its teardown and its setup.

load helpers

bats_require_minimum_version 1.5.0

IMG=localhost/ferry-test

# Networks of the test's own: n0 on bridge ftu<N+3000> (10.212.<N>.0/24),
# n1 on ftu<N+4000> (10.212.<N+1>.0/24).
eval "crash3_$(declare -f setup)"
setup() {
	crash3_setup
	N=$(net_number)
	BR0=ftu$((N + 3000))
	BR1=ftu$((N + 4000))
}

eval "crash3_$(declare -f teardown)"
teardown() {
	local b
	if [ -d "${ROOT:-/nonexistent}" ]; then f rm -af -t 0 >/dev/null 2>&1 || true; fi
	for b in ${BR0:-} ${BR1:-}; do ip link del "$b" 2>/dev/null || true; done
	crash3_teardown
}

# ferry SIGKILLed at fault point $1.
f_killed_at() {
	local point=$1
	shift
	run env FERRY_FAULT="$point" "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" "$@"
	[ "$status" -eq 137 ]
}

ifaces_of() { f exec "$1" ls /sys/class/net | tr '\n' ' '; }
networks_of() { f inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' "$1"; }
own_lines() { f exec "$1" sh -c "grep -E '\\b$1\$' /etc/hosts" | cut -f1 | sort | tr '\n' ' '; }
nameservers() { f exec "$1" sh -c 'grep ^nameserver /etc/resolv.conf' | cut -d' ' -f2 | tr '\n' ' '; }
operations() { sqlite3 -cmd '.timeout 10000' "$ROOT/ferry.db" 'SELECT count(*) FROM operations'; }

# c1 runs on n0 and n1; IP0 and IP1 are its addresses there.
c1_on_two_networks() {
	load_test_image
	f network create --subnet "10.212.$N.0/24" --interface-name "$BR0" n0 >/dev/null
	f network create --subnet "10.212.$((N + 1)).0/24" --interface-name "$BR1" n1 >/dev/null
	f run -d --network n0,n1 --name c1 $IMG sleep 1000 >/dev/null
	IP0=$(f inspect --format '{{.NetworkSettings.Networks.n0.IPAddress}}' c1)
	IP1=$(f inspect --format '{{.NetworkSettings.Networks.n1.IPAddress}}' c1)
	[ "$(ifaces_of c1)" = "eth0 eth1 lo " ]
	[ "$(own_lines c1)" = "$(printf '%s\n' "$IP0" "$IP1" | sort | tr '\n' ' ')" ]
	[ "$(nameservers c1)" = "10.212.$N.1 10.212.$((N + 1)).1 " ]
}

# c1 is off n1 everywhere: its record, its namespace, its files, and no
# operation is left; connecting it again gives it all back.
assert_off_n1() {
	[ "$(operations)" = 0 ]
	[ "$(networks_of c1)" = "n0 " ]
	[ "$(ifaces_of c1)" = "eth0 lo " ]
	[ "$(own_lines c1)" = "$IP0 " ]
	[ "$(nameservers c1)" = "10.212.$N.1 " ]
	f network connect n1 c1
	[ "$(ifaces_of c1)" = "eth0 eth1 lo " ]
	[ "$(nameservers c1)" = "10.212.$((N + 1)).1 10.212.$N.1 " ]
}

@test "network disconnect killed anywhere from its record to its end is finished by the next ps" {
	c1_on_two_networks
	# Before, killed with the files edited but the interface not torn down
	# (or torn down but still recorded), a ps left the container on n1 in
	# its record, with or without eth1, and without n1's lines in its
	# files: only the next disconnect of n1 finished it.
	for point in network-disconnect-unreported network-disconnect-teardown network-disconnect-torn-down \
		etc-files-staged etc-files-copying etc-files-one-staged network-disconnect-recorded \
		network-disconnect-files-edited; do
		echo "# killed at $point" >&3
		f_killed_at "$point" network disconnect n1 c1
		[ "$(operations)" = 1 ]
		f ps >/dev/null
		assert_off_n1
	done
	# And the disconnect, run again after its settle, says what Podman says.
	f_killed_at network-disconnect-files-edited network disconnect n1 c1
	run f network disconnect n1 c1
	[ "$status" -eq 125 ]
	[ "$output" = "Error: container c1 is not connected to network n1" ]
	[ "$(networks_of c1)" = "n0 " ]
	f rm -f -t 0 c1 >/dev/null
	f network rm n0 n1 >/dev/null
}

@test "network disconnect killed before its teardown, the container stopped since: the next command takes it off the network" {
	c1_on_two_networks
	f_killed_at etc-files-staged network disconnect n1 c1
	# The container stopped meanwhile (by hand, not by ferry, which would
	# settle first): its namespace goes with the next stop's teardown.
	pid=$(f inspect --format '{{.State.Pid}}' c1)
	kill -9 "$pid"
	wait_until '[ "$(f inspect --format "{{.State.Status}}" c1)" != running ]' 30
	[ "$(operations)" = 0 ]
	[ "$(networks_of c1)" = "n0 " ]
	f start c1 >/dev/null
	[ "$(ifaces_of c1)" = "eth0 lo " ]
	[ "$(own_lines c1)" = "$IP0 " ]
	f rm -f -t 0 c1 >/dev/null
	f network rm n0 n1 >/dev/null
	! ip link show "$BR1" >/dev/null 2>&1 || false
}

@test "network connect killed after netavark's setup, before its report: the next ps reports it and puts its lines in the files" {
	c1_on_two_networks
	f network disconnect n1 c1
	# Before, the interface stayed set up with no report, so neither
	# inspect's address nor the container's /etc/hosts and resolv.conf
	# lines of n1 ever came.
	f_killed_at network-connect-unreported network connect n1 c1
	[ "$(operations)" = 1 ]
	f ps >/dev/null
	[ "$(operations)" = 0 ]
	[ "$(networks_of c1)" = "n0 n1 " ]
	[ "$(ifaces_of c1)" = "eth0 eth1 lo " ]
	ip1=$(f inspect --format '{{.NetworkSettings.Networks.n1.IPAddress}}' c1)
	[ -n "$ip1" ]
	f exec c1 ip -4 addr show eth1 | grep -q "inet $ip1/"
	[ "$(own_lines c1)" = "$(printf '%s\n' "$IP0" "$ip1" | sort | tr '\n' ' ')" ]
	[ "$(nameservers c1)" = "10.212.$((N + 1)).1 10.212.$N.1 " ]
	f network disconnect n1 c1
	[ "$(ifaces_of c1)" = "eth0 lo " ]
	f rm -f -t 0 c1 >/dev/null
	f network rm n0 n1 >/dev/null
}

@test "network reload killed between netavark's teardown and setup: the next ps sets the networks up again, addresses and MACs kept" {
	c1_on_two_networks
	mac0=$(f exec c1 cat /sys/class/net/eth0/address)
	mac1=$(f exec c1 cat /sys/class/net/eth1/address)
	# Before, the container ran on with no interface but lo, and no
	# network report, until someone ran a reload again.
	f_killed_at network-reload-torn-down network reload c1
	[ "$(operations)" = 1 ]
	f ps >/dev/null
	[ "$(operations)" = 0 ]
	[ "$(ifaces_of c1)" = "eth0 eth1 lo " ]
	f exec c1 ip -4 addr show eth0 | grep -q "inet $IP0/"
	f exec c1 ip -4 addr show eth1 | grep -q "inet $IP1/"
	[ "$(f exec c1 cat /sys/class/net/eth0/address)" = "$mac0" ]
	[ "$(f exec c1 cat /sys/class/net/eth1/address)" = "$mac1" ]
	[ "$(f inspect --format '{{.NetworkSettings.Networks.n1.IPAddress}}' c1)" = "$IP1" ]
	# The report is back: a disconnect finds what to take out of the files.
	f network disconnect n1 c1
	assert_off_n1
	f rm -f -t 0 c1 >/dev/null
	f network rm n0 n1 >/dev/null
}

@test "mount and unmount killed between the count's temporary name and its rename: the next unmount or rm takes the name away" {
	load_test_image
	f create --name c1 $IMG sleep 1000 >/dev/null
	id=$(f inspect --format '{{.Id}}' c1)
	f mount c1 >/dev/null
	# Before, run/mounts/<ID>.tmp-<12 hex digits> stayed for good (the
	# kill-anywhere unmount set found it, seed 11).
	f_killed_at atomic-write-linked unmount c1
	ls "$RUNROOT/mounts" | grep -q "^$id\.tmp-"
	f unmount c1
	[ "$(ls -A "$RUNROOT/mounts")" = "" ]
	! findmnt -rn | grep -q -- "$ROOT/" || false
	f mount c1 >/dev/null
	f_killed_at atomic-write-linked mount c1
	ls "$RUNROOT/mounts" | grep -q "^$id\.tmp-"
	f rm -f -t 0 c1 >/dev/null
	[ "$(ls -A "$RUNROOT/mounts")" = "" ]
	! findmnt -rn | grep -q -- "$ROOT/" || false
}

@test "healthcheck run killed between the health log's temporary name and its rename: the next check takes the name away" {
	load_test_image
	f run -d --name k --network none --health-cmd true $IMG sleep 1000 >/dev/null
	id=$(f inspect --format '{{.Id}}' k)
	f healthcheck run k
	# Before, the sweep before each write knew mkostemp's 6 characters
	# only, not the 12 hexadecimal digits of the name an unnamed file
	# gets when it replaces the log.
	f_killed_at atomic-write-linked healthcheck run k
	[ -n "$(find "$ROOT/containers/$id" -name '*.tmp-*')" ]
	f healthcheck run k
	[ "$(f inspect --format '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' k)" = "healthy 0" ]
	[ -z "$(find "$ROOT/containers/$id" -name '*.tmp-*')" ]
	f rm -f -t 0 k >/dev/null
}
