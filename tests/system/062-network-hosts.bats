#!/usr/bin/env bats
# Moving a networked container between two hosts: each "host" is a network
# namespace of its own (ip netns) with its own ferry root, so that the same
# network name, bridge and subnet exist on both, as on two machines.  ferry
# runs in a host's network namespace through nsenter (only the network
# namespace: mounts stay shared with the test).  Traffic goes only to the
# hosts' 127.0.0.1 and to the containers the test made.

load helpers
load network-helpers

bare_hosts_setup() {
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

teardown() {
	hosts_teardown
}

# Waits until a server answers on host $1 at $2:$3; prints its count.
count_in() {
	net_count "$2" "$3" "$1"
}


@test "a bridged container moves to another host with its IP, MAC, published port and state; its network is made there" {
	bare_hosts_setup
	fa load -q -i "$(ferry_test_image)"
	fbh load -q -i "$(ferry_test_image)"
	fa network create --subnet "$SUBNET" --interface-name "$BR" net1 >/dev/null
	fa run -d --name srv --network net1 -p 127.0.0.1:8088:8080 ferry-test sh -c "$SERVER" >/dev/null
	ip=$(fa inspect --format '{{.NetworkSettings.Networks.net1.IPAddress}}' srv)
	mac=$(fa inspect --format '{{.NetworkSettings.Networks.net1.MacAddress}}' srv)
	[ "$(count_in "$HA" "$ip" 8080)" = 1 ]
	[ "$(count_in "$HA" 127.0.0.1 8088)" = 2 ]
	fa container checkpoint -e "$TEST_TMP/srv.tar.zst" srv >/dev/null
	fa rm -f -t 0 srv >/dev/null
	# Host B has no net1: the import makes it, with the same bridge and
	# subnet (which host A has too, as two machines would).
	run fbh container restore -i "$TEST_TMP/srv.tar.zst"
	assert_status 0
	assert_output_contains "created network net1"
	[ "$(fbh network inspect --format '{{.NetworkInterface}}' net1)" = "$BR" ]
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
	[ "$(fa network ls -q | tr '\n' ' ')" = "ferry net1 " ]
}

@test "an import onto a host whose network of that name has another subnet is refused, and nothing is made" {
	bare_hosts_setup
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
	[ "$(fbh network ls -q | tr '\n' ' ')" = "ferry net1 " ]
}

@test "a macvlan network puts containers on the parent's link: they reach each other, and keep their addresses through checkpoint and restore" {
	bare_hosts_setup
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
	[ "$(fa network inspect --format '{{.Driver}} {{.NetworkInterface}} {{.DNSEnabled}}' mv1)" = "macvlan ftm0 false" ]
	fa run -d --name srv --network mv1 --ip "10.204.$N.10" ferry-test sh -c "$SERVER" >/dev/null
	fa run -d --name cli --network mv1 ferry-test sleep 1000 >/dev/null
	wait_until "[ \"\$(fa exec cli sh -c 'nc 10.204.$N.10 8080 </dev/null')\" = 'count 1' ]"
	fa container checkpoint srv >/dev/null
	fa container restore srv >/dev/null
	[ "$(fa exec cli sh -c "nc 10.204.$N.10 8080 </dev/null")" = "count 2" ]
	fa exec srv ip -4 addr show eth0 | grep -q "inet 10.204.$N.10/24"
}

@test "with no ferry.conf each host's default network is ferry0 with 10.88.0.0/16, which a container keeps across hosts; beside Podman's podman0 it takes 10.89.0.0/24" {
	bare_hosts_setup
	export FERRY_CONFIG=/dev/null
	fa load -q -i "$(ferry_test_image)"
	fbh load -q -i "$(ferry_test_image)"
	fa run -d --name srv -p 127.0.0.1:8088:8080 ferry-test sh -c "$SERVER" >/dev/null
	[ "$(fa inspect --format '{{.HostConfig.NetworkMode}}' srv)" = bridge ]
	[ "$(fa inspect --format '{{.NetworkSettings.IPAddress}}' srv)" = 10.88.0.2 ]
	in_host "$HA" ip -4 -br addr show ferry0 | grep -q "10.88.0.1/16"
	[ "$(count_in "$HA" 10.88.0.2 8080)" = 1 ]
	[ "$(count_in "$HA" 127.0.0.1 8088)" = 2 ]
	fa container checkpoint -e "$TEST_TMP/srv.tar.zst" srv >/dev/null
	fa rm srv >/dev/null
	fbh container restore -i "$TEST_TMP/srv.tar.zst" >/dev/null
	[ "$(fbh inspect --format '{{.NetworkSettings.IPAddress}}' srv)" = 10.88.0.2 ]
	in_host "$HB" ip -4 -br addr show ferry0 | grep -q "10.88.0.1/16"
	[ "$(count_in "$HB" 10.88.0.2 8080)" = 3 ]
	[ "$(count_in "$HB" 127.0.0.1 8088)" = 4 ]
	# A host where Podman's default network holds 10.88.0.0/16 (a bridge
	# podman0 with its address stands in for it): ferry's default network
	# takes the first free subnet of its pool, and works.
	NET_ROOTS=root:run net_remove_containers nsenter --net="/run/netns/$HA"
	rm -rf "$TEST_TMP/rootC" "$TEST_TMP/runC"
	in_host "$HA" ip link add podman0 type bridge
	in_host "$HA" ip addr add 10.88.0.1/16 dev podman0
	in_host "$HA" ip link set podman0 up
	fc() { in_host "$HA" "$FERRY_BIN" --root "$TEST_TMP/rootC" --runroot "$TEST_TMP/runC" "$@"; }
	fc load -q -i "$(ferry_test_image)"
	fc run -d --name c ferry-test sh -c "$SERVER" >/dev/null
	[ "$(fc network inspect ferry | jq -r '.[0].subnets[0].subnet')" = 10.89.0.0/24 ]
	[ "$(fc inspect --format '{{.NetworkSettings.IPAddress}}' c)" = 10.89.0.2 ]
	[ "$(count_in "$HA" 10.89.0.2 8080)" = 1 ]
	NET_ROOTS=rootC:runC net_remove_containers nsenter --net="/run/netns/$HA"
}
