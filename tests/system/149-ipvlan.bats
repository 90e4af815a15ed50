#!/usr/bin/env bats
# network create -d ipvlan, as Podman 5.4.2 has it with netavark: the
# options it takes (parent, mode l2|l3|l3s, mtu, metric,
# no_default_route), the definition recorded
# and shown by network inspect and ls, Podman's first words for bad
# options (exit 125, nothing made), info's network plugins, and an
# archive's ipvlan network type-checked on import.  Containers on an
# ipvlan network need the kernel's ipvlan driver (CONFIG_IPVLAN), which
# the test machine's kernel lacks: there the first container to join
# fails as Podman's does; where the kernel has it, a container gets its
# address and keeps it through checkpoint and restore.  Compared with
# Podman run live where it is installed.

load helpers
load network-helpers
load podman-helpers

podman_file_locks_for_every_test

# Subnets 10.149.<N>.0/24 to 10.149.<N+3>.0/24 of this file's own; the
# parent interfaces are lo or a veth pair fti<N>/ftj<N> inside a network
# namespace ferry-test-iv-<N> of the test's own.
iv_setup() {
	N=$(net_number)
	SUBNET=10.149.$N.0/24
	PREFIX=10.149.$N
	SUBNET2=10.149.$((N + 1)).0/24
}

# Host A: a network namespace whose veth end fti<N> is the parent.
iv_host_setup() {
	HA=ferry-test-iv-$N
	ip netns add "$HA"
	ip -n "$HA" link set lo up
	ip -n "$HA" link add "fti$N" type veth peer name "ftj$N"
	ip -n "$HA" link set "fti$N" up
	ip -n "$HA" link set "ftj$N" up
}

# Whether this kernel makes ipvlan interfaces (in host A).
kernel_has_ipvlan() {
	ip -n "$HA" link add link "fti$N" name "ftk$N" type ipvlan mode l2 2>/dev/null || return 1
	ip -n "$HA" link del "ftk$N"
}

pa() {
	nsenter --net="/run/netns/$HA" env PODMAN_IGNORE_CGROUPSV1_WARNING=1 podman --root "$TEST_TMP/proot" \
		--runroot "$TEST_TMP/prun" --tmpdir "$TEST_TMP/ptmp" --network-config-dir "$TEST_TMP/pnet" \
		--cgroup-manager cgroupfs --events-backend none --runtime runc "$@"
}

teardown() {
	if [ -n "${HA:-}" ]; then
		NET_ROOTS=root:run net_remove_containers nsenter --net="/run/netns/$HA"
		if [ -d "$TEST_TMP/proot" ]; then
			pa rm -af -t 0 >/dev/null 2>&1 || true
			pa network prune -f >/dev/null 2>&1 || true
		fi
	else
		net_remove_containers
	fi
	podman_teardown
	ferry_teardown
	[ -z "${HA:-}" ] || ip netns del "$HA" 2>/dev/null || true
}

# A network's inspect output without what differs between any two
# networks (id, created).
inspect_fixed() {
	"$1" network inspect "$2" | jq -S 'map(del(.id, .created))'
}

@test "network create -d ipvlan records what Podman records, and inspect and ls show it as Podman's" {
	iv_setup
	f network create -d ipvlan -o parent=lo -o mode=l3 -o mtu=1400 --subnet "$SUBNET" --label a=b iv1 >/dev/null
	f network create -d ipvlan -o parent=lo --subnet "$SUBNET2" --gateway "10.149.$((N + 1)).9" \
		--ip-range "10.149.$((N + 1)).128/25" iv2 >/dev/null
	f network create -d ipvlan -o parent=lo -o mode=l3s -o metric=50 -o no_default_route=1 \
		--subnet "10.149.$((N + 2)).0/24" iv3 >/dev/null
	[ "$(f network inspect --format '{{.Driver}} {{.NetworkInterface}} {{.DNSEnabled}} {{.Options}}' iv1)" = \
		"ipvlan lo false map[mode:l3 mtu:1400]" ]
	inspect_fixed f iv2 | jq -e '.[0] | .options == null and .ipam_options.driver == "host-local"' >/dev/null
	# no_default_route recorded as Podman records it: netavark reads only
	# true and false (a bridge's too).
	[ "$(f network inspect --format '{{index .Options "no_default_route"}}' iv3)" = true ]
	f network create -o no_default_route=1 --subnet "10.149.$((N + 3)).0/24" br1 >/dev/null
	[ "$(f network inspect --format '{{index .Options "no_default_route"}}' br1)" = true ]
	[ "$(f network ls --filter driver=ipvlan --format '{{.Name}} {{.Driver}}' | tr '\n' ' ')" = "iv1 ipvlan iv2 ipvlan iv3 ipvlan " ]

	need_podman
	podman_t network create -d ipvlan -o parent=lo -o mode=l3 -o mtu=1400 --subnet "$SUBNET" --label a=b iv1 >/dev/null
	podman_t network create -d ipvlan -o parent=lo --subnet "$SUBNET2" --gateway "10.149.$((N + 1)).9" \
		--ip-range "10.149.$((N + 1)).128/25" iv2 >/dev/null
	podman_t network create -d ipvlan -o parent=lo -o mode=l3s -o metric=50 -o no_default_route=1 \
		--subnet "10.149.$((N + 2)).0/24" iv3 >/dev/null
	for n in iv1 iv2 iv3; do
		diff -u <(inspect_fixed podman_t "$n") <(inspect_fixed f "$n")
		# Podman's file of it holds the members ferry's inspect shows.
		diff -u <(jq -S 'del(.id, .created)' "$TEST_TMP/pnet/$n.json") <(inspect_fixed f "$n" | jq -S '.[0] | del(.containers)')
	done
	diff -u <(podman_t network ls --filter driver=ipvlan --format '{{.Name}} {{.Driver}}') \
		<(f network ls --filter driver=ipvlan --format '{{.Name}} {{.Driver}}')
}

@test "network create -d ipvlan with a bad option fails with Podman's words, exit 125, and makes nothing" {
	iv_setup
	f network create -d ipvlan -o parent=lo --subnet "$SUBNET" iv0 >/dev/null
	# What Podman says, and ferry's line starts with.
	while IFS='|' read -r args words; do
		# shellcheck disable=SC2086
		run_ferry network create -d ipvlan $args iv1
		assert_status 125
		assert_one_line_error
		[[ "$output" == "Error: $words"* ]] || { echo "ferry: $output; Podman's: $words"; false; }
		[ "$(f network ls -q | tr '\n' ' ')" = "ferry iv0 " ]
	done <<-EOF
		-o parent=lo -o mode=bridge --subnet $SUBNET2|unknown ipvlan mode "bridge"
		-o parent=lo -o mode=vepa --subnet $SUBNET2|unknown ipvlan mode "vepa"
		-o parent=lo -o foo=bar --subnet $SUBNET2|unsupported ipvlan network option foo
		-o parent=lo -o bclim=3 --subnet $SUBNET2|unsupported ipvlan network option bclim
		-o parent=lo -o mtu=abc --subnet $SUBNET2|strconv.Atoi: parsing "abc": invalid syntax
		-o parent=lo -o metric=abc --subnet $SUBNET2|strconv.ParseUint: parsing "abc": invalid syntax
		-o parent=lo -o no_default_route=maybe --subnet $SUBNET2|strconv.ParseBool: parsing "maybe": invalid syntax
		-o parent=nosuchif0 --subnet $SUBNET2|parent interface nosuchif0 does not exist
		-o parent=lo --subnet $SUBNET2 --dns 192.0.2.1|cannot set NetworkDNSServers if DNS is not enabled for the network
		-o parent=lo --subnet $SUBNET2 --ipam-driver none|none ipam driver is set but subnets are given
		-o parent=lo --ipam-driver dhcp|ipam driver dhcp is not supported
	EOF
	# Where Podman goes on (it picks a parent, an IPv6 subnet, ...) ferry
	# does not have it: its own words, naming ipvlan.
	while IFS='|' read -r args words; do
		# shellcheck disable=SC2086
		run_ferry network create -d ipvlan $args iv1
		assert_status 125
		assert_one_line_error
		assert_output_contains "$words"
		[ "$(f network ls -q | tr '\n' ' ')" = "ferry iv0 " ]
	done <<-EOF
		--subnet $SUBNET2|ipvlan networks need their parent interface
		-o parent=lo|ipvlan networks need --subnet
		-o parent=lo --subnet $SUBNET2 --internal|take no --interface-name or --internal
		-o parent=lo --subnet $SUBNET2 --ipv6|ferry's ipvlan networks are IPv4 only
		-o parent=lo -o mtu=20 --subnet $SUBNET2|give -o mtu=68 to 65535
		-o parent=lo --subnet $SUBNET|subnet $SUBNET is already used by network iv0
	EOF

	need_podman
	while IFS='|' read -r args words; do
		# shellcheck disable=SC2086
		run podman_t network create -d ipvlan $args iv1
		assert_status 125
		[[ "$output" == "Error: $words"* ]] || { echo "Podman: $output"; false; }
	done <<-EOF
		-o parent=lo -o mode=bridge --subnet $SUBNET2|unknown ipvlan mode "bridge"
		-o parent=lo -o foo=bar --subnet $SUBNET2|unsupported ipvlan network option foo
		-o parent=lo -o bclim=3 --subnet $SUBNET2|unsupported ipvlan network option bclim
		-o parent=lo -o mtu=abc --subnet $SUBNET2|strconv.Atoi: parsing "abc": invalid syntax
		-o parent=lo -o metric=abc --subnet $SUBNET2|strconv.ParseUint: parsing "abc": invalid syntax
		-o parent=lo -o no_default_route=maybe --subnet $SUBNET2|strconv.ParseBool: parsing "maybe": invalid syntax
		-o parent=nosuchif0 --subnet $SUBNET2|parent interface nosuchif0 does not exist
		-o parent=lo --subnet $SUBNET2 --dns 192.0.2.1|cannot set NetworkDNSServers if DNS is not enabled for the network
		-o parent=lo --subnet $SUBNET2 --ipam-driver none|none ipam driver is set but subnets are given
		-o parent=lo --ipam-driver dhcp|ipam driver dhcp is not supported
	EOF
}

@test "an archive's network definition with driver ipvlan is type-checked as one: its mode, DNS and IPv6 refused before anything is made" {
	iv_setup
	load_test_image
	f run -d --name srv --network bridge ferry-test sleep 1000 >/dev/null
	f container checkpoint --compress none -e "$TEST_TMP/good.tar" srv >/dev/null
	f rm -f -t 0 srv >/dev/null
	while IFS='|' read -r edit words; do
		rewrite_archive "$TEST_TMP/good.tar" "$TEST_TMP/bad.tar" "
for i, (m, d) in enumerate(members):
    if m.name == 'network.status':
        st = json.loads(d)
        n = st['ferry']['ferry_definition']
        n['driver'] = 'ipvlan'; n['network_interface'] = 'lo'; n['dns_enabled'] = False
        $edit
        members[i] = (m, json.dumps(st).encode())"
		run_ferry container restore -i "$TEST_TMP/bad.tar"
		assert_status 125
		assert_one_line_error
		assert_output_contains "network.status"
		assert_output_contains "$words"
		[ -z "$(f ps -aq)" ]
		[ "$(f network ls -q)" = ferry ]
	done <<-'EOF'
		n['options'] = {'mode': 'bridge'}|unknown ipvlan mode "bridge"
		n['options'] = {'mode': 'l2', 'parent': 'eth0'}|unsupported ipvlan network option parent
		n['options'] = {'mtu': 'x'}|parsing "x"
		n['options'] = {'no_default_route': 'maybe'}|parsing "maybe"
		n['options'] = {'mode': 'l3', 'mtu': 1400}|options
		n['dns_enabled'] = True|dns_enabled
		n['internal'] = True|internal
		n['ipam_options'] = {'driver': 'none'}; del n['subnets']|ipam_options
		n['driver'] = 'ipvlan2'|driver
	EOF
	# The untouched archive restores.
	run_ferry container restore -i "$TEST_TMP/good.tar"
	assert_status 0
}

@test "on a kernel without ipvlan the first container to join fails as Podman's does, and the network stays usable for removal" {
	iv_setup
	iv_host_setup
	! kernel_has_ipvlan || skip "this kernel has ipvlan: the next test covers containers on it"
	fa load -q -i "$(ferry_test_image)"
	fa network create -d ipvlan -o parent="fti$N" --subnet "$SUBNET" iv1 >/dev/null
	run fa run -d --name c1 --network iv1 ferry-test sleep 1000
	assert_status 126
	assert_output_contains "create ipvlan interface"
	[ "$(fa ps -a --format '{{.Names}} {{.State}}')" = "c1 created" ]
	[ "$(ip -n "$HA" -o link | wc -l)" = 3 ]
	fa rm c1 >/dev/null
	fa network rm iv1 >/dev/null

	need_podman
	pa load -q -i "$(ferry_test_image)" >/dev/null
	pa network create -d ipvlan -o parent="fti$N" --subnet "$SUBNET" iv1 >/dev/null
	run pa run -d --name c1 --network iv1 localhost/ferry-test:latest sleep 1000
	assert_status 126
	assert_output_contains "create ipvlan interface"
}

@test "a container on an ipvlan network gets its address on the parent's link and keeps it, and its MAC, through checkpoint and restore, in place and by export and import" {
	iv_setup
	iv_host_setup
	kernel_has_ipvlan || skip "this kernel has no ipvlan (CONFIG_IPVLAN): the test before covers it"
	fa load -q -i "$(ferry_test_image)"
	fa network create -d ipvlan -o parent="fti$N" -o mode=l2 --subnet "$SUBNET" iv1 >/dev/null
	fa run -d --name srv --network iv1 --ip "$PREFIX.10" ferry-test sh -c "$SERVER" >/dev/null
	fa run -d --name cli --network iv1 ferry-test sleep 1000 >/dev/null
	fa exec srv ip -4 addr show eth0 | grep -q "inet $PREFIX.10/24"
	mac=$(mac_of srv iv1 fa)
	[ -n "$mac" ]
	wait_until "[ \"\$(fa exec cli sh -c 'nc $PREFIX.10 8080 </dev/null')\" = 'count 1' ]"
	fa container checkpoint srv >/dev/null
	fa container restore srv >/dev/null
	[ "$(fa exec cli sh -c "nc $PREFIX.10 8080 </dev/null")" = "count 2" ]
	fa exec srv ip -4 addr show eth0 | grep -q "inet $PREFIX.10/24"
	fa container checkpoint -e "$TEST_TMP/srv.tar.zst" srv >/dev/null
	fa rm srv >/dev/null
	fa container restore -i "$TEST_TMP/srv.tar.zst" >/dev/null
	[ "$(ip_of srv iv1 fa)" = "$PREFIX.10" ]
	[ "$(mac_of srv iv1 fa)" = "$mac" ]
	[ "$(fa exec cli sh -c "nc $PREFIX.10 8080 </dev/null")" = "count 3" ]
}

@test "a macvlan or ipvlan network made without -o options is read back: network ls and inspect do not crash on it" {
	iv_setup
	f network create -d macvlan -o parent=lo --subnet "$SUBNET" mv1 >/dev/null
	f network create -d ipvlan -o parent=lo --subnet "$SUBNET2" iv1 >/dev/null
	[ "$(f network ls --format '{{.Name}} {{.Driver}}' | tr '\n' ' ')" = "ferry bridge iv1 ipvlan mv1 macvlan " ]
	[ "$(f network inspect --format '{{.Name}} {{.Options}}' mv1 iv1 | tr '\n' ' ')" = "mv1 map[] iv1 map[] " ]
	f network rm mv1 iv1 >/dev/null
}
