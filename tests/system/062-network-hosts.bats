#!/usr/bin/env bats
# Moving a networked container between two hosts: each "host" is a network
# namespace of its own (ip netns) with its own ferry root, so that the same
# network name, bridge and subnet exist on both, as on two machines.  ferry
# runs in a host's network namespace through nsenter (only the network
# namespace: mounts stay shared with the test).  Traffic goes only to the
# hosts' 127.0.0.1 and to the containers the test made.

load helpers
load network-helpers

hosts_setup() {
	N=$(net_number)
	HA=ferry-test-a-$N
	HB=ferry-test-b-$N
	BR=fty$N
	SUBNET=10.200.$N.0/24
	ip netns add "$HA"
	ip netns add "$HB"
	ip -n "$HA" link set lo up
	ip -n "$HB" link set lo up
}

in_host() {
	local host=$1
	shift
	nsenter --net="/run/netns/$host" "$@"
}

# ferry on host A (root, run) and host B (rootB, runB).
fa() { in_host "$HA" "$FERRY_BIN" --root "$TEST_TMP/root" --runroot "$TEST_TMP/run" "$@"; }
fbh() { in_host "$HB" "$FERRY_BIN" --root "$TEST_TMP/rootB" --runroot "$TEST_TMP/runB" "$@"; }

teardown() {
	if [ -n "${HA:-}" ]; then
		NET_ROOTS=root:run net_remove_containers nsenter --net="/run/netns/$HA"
		NET_ROOTS=rootB:runB net_remove_containers nsenter --net="/run/netns/$HB"
	fi
	ferry_teardown
	# The hosts' bridges and firewall rules go with their namespaces.
	if [ -n "${HA:-}" ]; then
		ip netns del "$HA" 2>/dev/null || true
		ip netns del "$HB" 2>/dev/null || true
	fi
}

# Waits until a server answers on host $1 at $2:$3; prints its count.
count_in() {
	net_count "$2" "$3" "$1"
}


@test "a bridged container moves to another host with its IP, MAC, published port and state; its network is made there" {
	hosts_setup
	fa load -q -i "$(ferry_test_image)"
	fbh load -q -i "$(ferry_test_image)"
	fa network create --subnet "$SUBNET" --interface-name "$BR" net1 >/dev/null
	fa run -d --name srv --network net1 -p 127.0.0.1:8088:8080 ferry-test sh -c "$SERVER" >/dev/null
	ip=$(fa inspect --format '{{.NetworkSettings.Networks.net1.IPAddress}}' srv)
	mac=$(fa inspect --format '{{.NetworkSettings.Networks.net1.MacAddress}}' srv)
	[ "$(count_in "$HA" "$ip" 8080)" = 1 ]
	[ "$(count_in "$HA" 127.0.0.1 8088)" = 2 ]
	fa container checkpoint -e "$TEST_TMP/srv.tar.zst" srv >/dev/null
	fa rm -f srv >/dev/null
	# Host B has no net1: the import makes it, with the same bridge and
	# subnet (which host A has too, as two machines would).
	run fbh container restore -i "$TEST_TMP/srv.tar.zst"
	assert_status 0
	assert_output_contains "created network net1"
	[ "$(fbh network inspect --format '{{.network_interface}}' net1)" = "$BR" ]
	[ "$(fbh inspect --format '{{.NetworkSettings.Networks.net1.IPAddress}}' srv)" = "$ip" ]
	[ "$(fbh exec srv cat /sys/class/net/eth0/address)" = "$mac" ]
	[ "$(count_in "$HB" "$ip" 8080)" = 3 ]
	[ "$(count_in "$HB" 127.0.0.1 8088)" = 4 ]
	# A copy on host B beside it: its own address, the state it was saved with.
	fbh container restore -i "$TEST_TMP/srv.tar.zst" --name copy -p 127.0.0.1:8089:8080 >/dev/null
	copy_ip=$(fbh inspect --format '{{.NetworkSettings.Networks.net1.IPAddress}}' copy)
	[ "$copy_ip" != "$ip" ]
	[ "$(count_in "$HB" 127.0.0.1 8089)" = 3 ]
	# Host A, untouched by all this, still has its own net1 and bridge.
	[ "$(fa network ls -q)" = net1 ]
}

@test "an import onto a host whose network of that name has another subnet is refused, and nothing is made" {
	hosts_setup
	fa load -q -i "$(ferry_test_image)"
	fbh load -q -i "$(ferry_test_image)"
	fa network create --subnet "$SUBNET" --interface-name "$BR" net1 >/dev/null
	fa run -d --name srv --network net1 ferry-test sh -c "$SERVER" >/dev/null
	fa container checkpoint -e "$TEST_TMP/srv.tar.zst" srv >/dev/null
	fbh network create --subnet "10.201.$N.0/24" --interface-name "$BR" net1 >/dev/null
	run fbh container restore -i "$TEST_TMP/srv.tar.zst"
	assert_status 125
	assert_one_line_error
	assert_output_contains "10.201.$N.0/24"
	assert_output_contains "$SUBNET"
	[ -z "$(fbh ps -aq)" ]
	[ "$(fbh network ls -q)" = net1 ]
}

@test "a macvlan network puts containers on the parent's link: they reach each other, and keep their addresses through checkpoint and restore" {
	hosts_setup
	fa load -q -i "$(ferry_test_image)"
	# The host's link: one end of a veth pair of host A.
	ip -n "$HA" link add ftm0 type veth peer name ftm1
	ip -n "$HA" link set ftm0 up
	ip -n "$HA" link set ftm1 up
	run fa network create -d macvlan --subnet "10.204.$N.0/24" mv1
	assert_status 125
	assert_output_contains "parent"
	run fa network create -d macvlan -o parent=nosuchif0 --subnet "10.204.$N.0/24" mv1
	assert_status 125
	assert_output_contains nosuchif0
	fa network create -d macvlan -o parent=ftm0 -o mode=bridge --subnet "10.204.$N.0/24" mv1 >/dev/null
	[ "$(fa network inspect --format '{{.driver}} {{.network_interface}} {{.dns_enabled}}' mv1)" = "macvlan ftm0 false" ]
	fa run -d --name srv --network mv1 --ip "10.204.$N.10" ferry-test sh -c "$SERVER" >/dev/null
	fa run -d --name cli --network mv1 ferry-test sleep 1000 >/dev/null
	wait_until "[ \"\$(fa exec cli sh -c 'nc 10.204.$N.10 8080 </dev/null')\" = 'count 1' ]"
	fa container checkpoint srv >/dev/null
	fa container restore srv >/dev/null
	[ "$(fa exec cli sh -c "nc 10.204.$N.10 8080 </dev/null")" = "count 2" ]
	fa exec srv ip -4 addr show eth0 | grep -q "inet 10.204.$N.10/24"
}
