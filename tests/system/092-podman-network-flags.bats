#!/usr/bin/env bats
# Network flags as a Podman user types them: network create --dns,
# --ignore, --route and the bridge driver's -o options (what netavark makes
# of them inside a running container), network update --dns-add/--dns-drop
# (aardvark-dns of running containers told at once), network rm -f -t,
# network prune --filter, network reload (firewall rules put back after a
# flush).  Bad input: exit 125, one line, nothing made; compared with Podman
# run live where it is installed.  Traffic goes only to the containers the
# test makes.

load helpers
load network-helpers
load podman-helpers

# Names and subnets of this test's own, apart from the other network tests':
# bridges ftw<N> and ftw<N+1000>, subnets 10.207.<N>.0/24 and
# 10.207.<N+1>.0/24, IPv6 fd00:207:<N>::/64 and fd00:207:<N+1>::/64
# (scripts/test.sh's leftovers check knows them).
net_setup() {
	N=$(net_number)
	BR=ftw$N
	BR2=ftw$((N + 1000))
	PREFIX=10.207.$N
	SUBNET=$PREFIX.0/24
	PREFIX2=10.207.$((N + 1))
	SUBNET2=$PREFIX2.0/24
	PREFIX6=fd00:207:$N
	SUBNET6=$PREFIX6::/64
	PREFIX62=fd00:207:$((N + 1))
	SUBNET62=$PREFIX62::/64
}

teardown() {
	local b
	net_remove_containers
	for b in ${BR:-} ${BR2:-}; do ip link del "$b" 2>/dev/null || true; done
	podman_teardown
	ferry_teardown
}

inspect_net() { f network inspect "$1" | jq -c ".[0]$2"; }
ip6_of() { "${3:-f}" inspect --format "{{.NetworkSettings.Networks.$2.GlobalIPv6Address}}" "$1"; }

@test "network create --dns, --route and -o mtu/metric/vlan/isolate/no_default_route/bridge.name: inspect shows them, a running container gets them" {
	net_setup
	load_test_image
	f network create --subnet "$SUBNET" -o "com.docker.network.bridge.name=$BR" --dns 192.0.2.53,192.0.2.54 \
		--route "10.99.0.0/16,$PREFIX.5" --route "10.98.0.0/16,$PREFIX.6,120" -o mtu=1400 -o metric=200 \
		-o isolate=true nopts >/dev/null
	[ "$(inspect_net nopts .network_interface)" = "\"$BR\"" ]
	[ "$(inspect_net nopts .network_dns_servers)" = '["192.0.2.53","192.0.2.54"]' ]
	[ "$(inspect_net nopts .routes)" = "[{\"destination\":\"10.99.0.0/16\",\"gateway\":\"$PREFIX.5\"},{\"destination\":\"10.98.0.0/16\",\"gateway\":\"$PREFIX.6\",\"metric\":120}]" ]
	[ "$(inspect_net nopts .options)" = '{"isolate":"true","metric":"200","mtu":"1400"}' ]
	f run -d --name one --network nopts ferry-test sleep 1000 >/dev/null
	[ "$(f exec one cat /sys/class/net/eth0/mtu)" = 1400 ]
	[ "$(cat "/sys/class/net/$BR/mtu")" = 1400 ]
	f exec one ip route >"$TEST_TMP/routes"
	grep -q "^default via $PREFIX.1 dev eth0 .*metric 200" "$TEST_TMP/routes"
	grep -q "^10.99.0.0/16 via $PREFIX.5 dev eth0" "$TEST_TMP/routes"
	grep -q "^10.98.0.0/16 via $PREFIX.6 dev eth0 .*metric 120" "$TEST_TMP/routes"
	# no_default_route: the container has the subnet's route and no other.
	f network create --subnet "$SUBNET2" --interface-name "$BR2" -o no_default_route=true nodefault >/dev/null
	f run -d --name two --network nodefault ferry-test sleep 1000 >/dev/null
	f exec two ip route >"$TEST_TMP/routes2"
	run grep -c default "$TEST_TMP/routes2"
	[ "$output" = 0 ]
	grep -q "^$PREFIX2.0/24 dev eth0" "$TEST_TMP/routes2"
	f rm -f -t 0 two >/dev/null
	f network rm nodefault >/dev/null
	# -o vlan is recorded as Podman records it; netavark needs the kernel's
	# bridge VLAN filtering for it, which this machine may lack: then run
	# fails as Podman's does, and leaves no container running.
	f network create --subnet "$SUBNET2" --interface-name "$BR2" -o vlan=5 vlan >/dev/null
	[ "$(inspect_net vlan .options.vlan)" = '"5"' ]
	if [ ! -e "/sys/class/net/$BR/bridge/vlan_filtering" ]; then
		run_ferry run -d --name three --network vlan ferry-test sleep 1000
		assert_status 126
		assert_output_contains "Operation not supported"
		[ "$(f ps -q --filter name=three)" = "" ]
	fi
}

@test "network create --ignore keeps the network there; without it a name taken is an error" {
	net_setup
	f network create --subnet "$SUBNET" --interface-name "$BR" --label a=1 taken >/dev/null
	run_ferry network create --subnet "$SUBNET2" taken
	assert_status 125
	assert_output_contains "network name taken already used"
	run_ferry network create --ignore --subnet "$SUBNET2" --label a=2 taken
	assert_status 0
	[ "$output" = taken ]
	[ "$(inspect_net taken .subnets[0].subnet)" = "\"$SUBNET\"" ]
	[ "$(inspect_net taken .labels.a)" = '"1"' ]
}

@test "network update --dns-add and --dns-drop change the servers, and the aardvark-dns serving a running container is told at once" {
	net_setup
	load_test_image
	f network create --subnet "$SUBNET" --interface-name "$BR" --dns 192.0.2.53 upd >/dev/null
	f run -d --name one --network upd ferry-test sleep 1000 >/dev/null
	run_ferry network update --dns-add 192.0.2.54,192.0.2.55 --dns-drop 192.0.2.53 --dns-drop 192.0.2.99 upd
	assert_status 0
	[ "$output" = upd ]
	[ "$(inspect_net upd .network_dns_servers)" = '["192.0.2.54","192.0.2.55"]' ]
	# aardvark-dns's own configuration of the network names them now.
	grep -q '192.0.2.54,192.0.2.55' "$RUNROOT/networks/aardvark-dns/upd"
	run grep -c '192.0.2.53' "$RUNROOT/networks/aardvark-dns/upd"
	[ "$output" = 0 ]
	run_ferry network update --dns-drop 192.0.2.54,192.0.2.55 upd
	assert_status 0
	[ "$(inspect_net upd .network_dns_servers)" = null ]
	# Bad input: nothing changes.
	f network update --dns-add 192.0.2.60 upd >/dev/null
	for args in "--dns-add bad upd" "--dns-drop 1.2.3 upd" "--dns-add 192.0.2.61 nonet" "upd extra"; do
		# shellcheck disable=SC2086
		run_ferry network update $args
		assert_status 125
		assert_one_line_error
	done
	[ "$(inspect_net upd .network_dns_servers)" = '["192.0.2.60"]' ]
}

@test "network rm -f -t stops running containers with that grace period; -t without -f is refused" {
	net_setup
	load_test_image
	f network create --subnet "$SUBNET" --interface-name "$BR" rmt >/dev/null
	# A container that ends on SIGTERM by itself, after writing a file.
	f run -d --name one --network rmt -v "$TEST_TMP:/out" ferry-test \
		sh -c 'trap "echo termed >/out/termed; exit 0" TERM; while true; do sleep 0.1; done' >/dev/null
	run_ferry network rm -t 5 rmt
	assert_status 125
	assert_output_contains "--force option must be specified to use the --time option"
	run_ferry network rm -f -t abc rmt
	assert_status 125
	assert_one_line_error
	f container exists one
	run_ferry network rm -f -t 20 rmt
	assert_status 0
	[ "$output" = rmt ]
	[ "$(cat "$TEST_TMP/termed")" = termed ]
	run_ferry container exists one
	assert_status 1
	run_ferry network exists rmt
	assert_status 1
}

@test "bad --dns, --route and -o values are refused with Podman's first words, exit 125, and nothing made" {
	net_setup
	while IFS='|' read -r args words; do
		# shellcheck disable=SC2086
		run_ferry network create $args bad
		assert_status 125
		assert_one_line_error
		assert_output_contains "$words"
	done <<-'EOF'
		--dns bogus|unable to parse ip bogus specified in NetworkDNSServers
		--disable-dns --dns 192.0.2.1|cannot set NetworkDNSServers if DNS is not enabled for the network
		--route 10.20.0.0/16|invalid route: 10.20.0.0/16
		--route 10.20.0.0/16,10.0.0.1,1,2|invalid route: 10.20.0.0/16,10.0.0.1,1,2
		--route 10.20.0.0/16,bad|invalid route gateway bad
		--route 10.20.0.1/16,10.0.0.1|route destination invalid
		--route 10.20.0.0/16,10.0.0.1,abc|invalid route metric abc
		--route bad,10.0.0.1|invalid route destination bad
		-o mtu=abc|strconv.Atoi: parsing "abc": invalid syntax
		-o mtu=-1|mtu -1 is less than zero
		-o vlan=5000|vlan ID 5000 must be between 0 and 4094
		-o vlan=x|strconv.Atoi: parsing "x": invalid syntax
		-o isolate=maybe|failed to parse isolate option: strconv.ParseBool: parsing "maybe": invalid syntax
		-o metric=x|strconv.ParseUint: parsing "x": invalid syntax
		-o no_default_route=x|strconv.ParseBool: parsing "x": invalid syntax
		-o bogus=1|unsupported bridge network option bogus
		-o parent=lo|unsupported bridge network option parent
		-o mode=bridge|unknown bridge mode "bridge"
		-o vrf=../x|-o vrf=../x
	EOF
	[ "$(f network ls -q)" = ferry ]
}

@test "network create, update and rm flags: exit codes and first words as Podman's (live)" {
	need_podman
	net_setup
	for tool in f podman_t; do
		: >"$TEST_TMP/$tool.sed"
		step $tool network create --subnet "$SUBNET" --interface-name "$BR" --dns 192.0.2.53 -o mtu=1400 \
			-o isolate=true --label a=1 cmp
		step $tool network create --ignore cmp
		step $tool network create cmp
		step $tool network update --dns-add 192.0.2.54 --dns-drop 192.0.2.53 cmp
		step $tool network inspect --format '{{.Name}}|{{.NetworkDNSServers}}|{{json .NetworkDNSServers}}|{{.DNSEnabled}}|{{.IPv6Enabled}}|{{.Internal}}|{{.Options}}|{{.Labels}}|{{.IPAMOptions}}|{{.Driver}}' cmp
		step $tool network update --dns-add bad cmp
		step $tool network update --dns-add 192.0.2.55 nonet
		step $tool network update
		step $tool network create --route "10.99.0.0/16,$PREFIX.5,7" --subnet "$SUBNET2" --interface-name "$BR2" cmp2
		for args in "--dns bogus" "--disable-dns --dns 192.0.2.1" "--route 10.20.0.0/16" "--route 10.20.0.0/16,bad" \
			"--route 10.20.0.1/16,10.0.0.1" "--route 10.20.0.0/16,10.0.0.1,abc" "-o mtu=abc" "-o vlan=5000" \
			"-o isolate=maybe" "-o bogus=1" "-o metric=x"; do
			# shellcheck disable=SC2086
			step $tool network create $args bad
		done
		step $tool network rm -t 5 cmp
		step $tool network rm -f -t 0 cmp cmp2
		# Errors compared by their first words (ferry's say how to fix them,
		# on one line).
		sed -E -e '/^  err: Format:/d' -e 's/^(  err: Error: [^:]*).*/\1/' -e "s/$BR2/BR2/g" -e "s/$BR/BR/g" \
			"$TEST_TMP/$tool.log" >"$TEST_TMP/$tool.cmp"
	done
	diff -u "$TEST_TMP/podman_t.cmp" "$TEST_TMP/f.cmp"
}

@test "network prune --filter label=, label!= and until= pick the unused networks to remove" {
	f network create --label team=a --label tier=web pa >/dev/null
	f network create --label team=a pb >/dev/null
	f network create --label team=b pc >/dev/null
	f network create pd >/dev/null
	run_ferry network prune -f --filter until=1h
	assert_status 0
	[ "$output" = "" ]
	run_ferry network prune -f --filter label=team=a --filter label=tier
	assert_status 0
	[ "$output" = pa ]
	run_ferry network prune -f --filter label!=team=a
	assert_status 0
	[ "$(echo "$output" | tr '\n' ' ')" = "pc pd " ]
	for args in "--filter name=pb" "--filter bogus" "--filter until=abc" "--filter until=1h extra"; do
		# shellcheck disable=SC2086
		run_ferry network prune -f $args
		assert_status 125
		assert_one_line_error
	done
	[ "$(f network ls -q | tr '\n' ' ')" = "ferry pb " ]
	run_ferry network prune -f --filter until=0s
	assert_status 0
	[ "$output" = pb ]
	[ "$(f network ls -q)" = ferry ]
}

@test "network prune --filter: exit codes and first words as Podman's (live)" {
	need_podman
	for tool in f podman_t; do
		: >"$TEST_TMP/$tool.sed"
		step $tool network create --label team=a pa
		step $tool network create --label team=b pb
		step $tool network prune -f --filter label=team=a
		step $tool network prune -f --filter label!=team=a
		for args in "--filter name=x" "--filter bogus=1" "--filter until=abc"; do
			# shellcheck disable=SC2086
			step $tool network prune -f $args
		done
		sed -E 's/^(  err: Error: [^:]*).*/\1/' "$TEST_TMP/$tool.log" >"$TEST_TMP/$tool.cmp"
	done
	diff -u "$TEST_TMP/podman_t.cmp" "$TEST_TMP/f.cmp"
}

# A TCP port on the host that nothing uses now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Deletes the rule of netavark's table that forwards host port $1: what a
# flush of the container's firewall rules leaves (the table itself is
# shared with every other network on this machine, so only this one goes).
drop_port_rule() {
	local h
	h=$(nft -a list chain inet netavark NETAVARK-HOSTPORT-DNAT | grep "dport $1 " | sed 's/.*# handle //')
	[ -n "$h" ]
	nft delete rule inet netavark NETAVARK-HOSTPORT-DNAT handle "$h"
}

@test "network reload puts back a running container's port forwarding after its rule was flushed, with the same IP and MAC; --all and --latest" {
	net_setup
	load_test_image
	f network create --subnet "$SUBNET" --interface-name "$BR" rl >/dev/null
	p=$(free_port)
	f run -d --name srv --network rl -p "127.0.0.1:$p:8080" ferry-test sh -c "$SERVER" >/dev/null
	f create --name idle --network rl ferry-test true >/dev/null
	id=$(f inspect --format '{{.Id}}' srv)
	ip=$(ip_of srv rl)
	mac=$(mac_of srv rl)
	[ "$(net_count 127.0.0.1 "$p")" = 1 ]
	drop_port_rule "$p"
	run tcp_get 127.0.0.1 "$p"
	[ "$status" -ne 0 ]
	run_ferry network reload srv
	assert_status 0
	[ "$output" = "$id" ]
	[ "$(net_count 127.0.0.1 "$p")" = 2 ]
	# Reloaded once, not twice.
	[ "$(nft -a list chain inet netavark NETAVARK-HOSTPORT-DNAT | grep -c "dport $p ")" = 1 ]
	[ "$(ip_of srv rl)" = "$ip" ]
	[ "$(mac_of srv rl)" = "$mac" ]
	f exec srv cat /sys/class/net/eth0/address | grep -qx "$mac"
	# --all: the running containers only; --latest: the one made last.
	drop_port_rule "$p"
	run_ferry network reload --all
	assert_status 0
	[ "$output" = "$id" ]
	[ "$(net_count 127.0.0.1 "$p")" = 3 ]
	run_ferry network reload --latest
	assert_status 125
	assert_output_contains "cannot reload network unless container network has been configured"
	# The status kept beside the namespace is whole again: an in-place
	# checkpoint and restore keeps the addresses.
	f container checkpoint srv >/dev/null
	f container restore srv >/dev/null
	[ "$(ip_of srv rl)" = "$ip" ]
	[ "$(net_count 127.0.0.1 "$p")" = 4 ]
	for args in "" "nope" "--all srv" "--latest srv" "--all --latest"; do
		# shellcheck disable=SC2086
		run_ferry network reload $args
		assert_status 125
		assert_one_line_error
	done
}

@test "network reload: output, exit codes and first words as Podman's (live)" {
	need_podman
	load_test_image
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	for tool in f podman_t; do
		: >"$TEST_TMP/$tool.sed"
		make_containers $tool <<-EOF
			up run sleep 1000
			down create true
		EOF
		step $tool network reload up
		step $tool network reload --all
		step $tool network reload down
		step $tool network reload --latest
		step $tool network reload nope
		step $tool network reload
		step $tool network reload --all up
		sed -E 's/^(  err: Error: [^:]*).*/\1/' "$TEST_TMP/$tool.log" >"$TEST_TMP/$tool.cmp"
	done
	diff -u "$TEST_TMP/podman_t.cmp" "$TEST_TMP/f.cmp"
}

@test "network create --ipv6: dual stack with a random unique local /64 or the --subnet given; containers get IPv6 addresses the host reaches; inspect shows them" {
	net_setup
	load_test_image
	f network create --ipv6 --subnet "$SUBNET" --interface-name "$BR" six >/dev/null
	[ "$(inspect_net six .ipv6_enabled)" = true ]
	[ "$(inspect_net six '.subnets | length')" = 2 ]
	[ "$(inspect_net six .subnets[0].subnet)" = "\"$SUBNET\"" ]
	sub6=$(f network inspect six | jq -r '.[0].subnets[1].subnet')
	[[ "$sub6" =~ ^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::/64$ ]]
	[ "$(f network inspect six | jq -r '.[0].subnets[1].gateway')" = "${sub6%/64}1" ]
	f network ls --format '{{.Name}} {{.IPv6Enabled}}' | grep -qx 'six true'
	# The IPv6 --subnet given, its gateway and range.
	f network create --subnet "$SUBNET2" --subnet "$SUBNET62" --gateway "$PREFIX62::fe" \
		--ip-range "$PREFIX62::100/120" --interface-name "$BR2" six2 >/dev/null
	[ "$(inspect_net six2 .subnets[1])" = "{\"subnet\":\"$SUBNET62\",\"gateway\":\"$PREFIX62::fe\",\"lease_range\":{\"start_ip\":\"$PREFIX62::101\",\"end_ip\":\"$PREFIX62::1ff\"}}" ]
	f run -d --name srv --network six2 ferry-test sh -c "$SERVER" >/dev/null
	f run -d --name fixed --network six2 --ip6 "$PREFIX62::5:5" ferry-test sleep 1000 >/dev/null
	[ "$(ip6_of srv six2)" = "$PREFIX62::101" ]
	[ "$(ip6_of fixed six2)" = "$PREFIX62::5:5" ]
	[ "$(ip_of srv six2)" = "$PREFIX2.2" ]
	f inspect srv | jq -c '.[0].NetworkSettings.Networks.six2 | [.GlobalIPv6Address, .GlobalIPv6PrefixLen, .IPv6Gateway]' >"$TEST_TMP/six"
	[ "$(cat "$TEST_TMP/six")" = "[\"$PREFIX62::101\",64,\"$PREFIX62::fe\"]" ]
	f exec srv ip -6 addr show eth0 | grep -q "inet6 $PREFIX62::101/64 scope global"
	f exec srv ip -6 route | grep -q "^default via $PREFIX62::fe dev eth0"
	# The host reaches it over IPv6, and so does another container.
	[ "$(net_count "$PREFIX62::101" 8080)" = 1 ]
	[ "$(f exec fixed nc "$PREFIX62::101" 8080 </dev/null)" = "count 2" ]
	# network connect --ip6: a second interface with its own addresses.
	f run -d --name late --network six ferry-test sleep 1000 >/dev/null
	f network connect --ip6 "$PREFIX62::7:7" six2 late
	[ "$(ip6_of late six2)" = "$PREFIX62::7:7" ]
	f exec late ip -6 addr show eth1 | grep -q "inet6 $PREFIX62::7:7/64"
	[[ "$(ip6_of late six)" == "${sub6%::/64}::"* ]]
	# rm gives the addresses back.
	f rm -f -t 0 fixed >/dev/null
	f run -d --name again --network six2 --ip6 "$PREFIX62::5:5" ferry-test sleep 1000 >/dev/null
}

@test "bad IPv6 input: exit 125, one line, nothing made" {
	net_setup
	load_test_image
	f network create --subnet "$SUBNET" --subnet "$SUBNET6" --interface-name "$BR" six >/dev/null
	f network create --subnet "$SUBNET2" --interface-name "$BR2" four >/dev/null
	while IFS='|' read -r args words; do
		# shellcheck disable=SC2086
		run_ferry network create $args bad
		assert_status 125
		assert_one_line_error
		assert_output_contains "$words"
	done <<-EOF
		--subnet $SUBNET62|IPv6-only network
		--ipv6 --subnet $PREFIX62::/48|invalid CIDR address
		--ipv6 --subnet $PREFIX62::1/64|invalid CIDR address
		--ipv6 --subnet $PREFIX6::100/120|is already used by network six
		--ipv6 --subnet $SUBNET62 --gateway fd00:1::1|gateway fd00:1::1 not in subnet
		--ipv6 --subnet $SUBNET62 --ip-range fd00:1::/120|is not a subnet inside
		--ipv6 --gateway $PREFIX62::1|needs an IPv6 --subnet
		--ipv6 --subnet $SUBNET62 --subnet fd00:1::/64|give one --subnet for each of IPv4 and IPv6
		-d macvlan -o parent=lo --subnet 10.207.$N.0/24 --ipv6|macvlan
	EOF
	[ "$(f network ls -q | tr '\n' ' ')" = "ferry four six " ]
	f run -d --name one --network six --ip6 "$PREFIX6::9" ferry-test sleep 1000 >/dev/null
	while IFS='|' read -r args words; do
		# shellcheck disable=SC2086
		run_ferry run -d --name bad $args ferry-test sleep 1000
		assert_status 125
		assert_one_line_error
		assert_output_contains "$words"
		run_ferry container exists bad
		assert_status 1
	done <<-EOF
		--network six --ip6 bogus|"bogus" is not an ip address
		--network six --ip6 $PREFIX6::9|is in use by container one
		--network six --ip6 fd00:1::5|requested static ip fd00:1::5 not in any subnet on network six
		--network six --ip6 $PREFIX6::1|not in any subnet on network six
		--network four --ip6 $PREFIX6::5|not in any subnet on network four
		--network six --ip6 10.0.0.1|"10.0.0.1" is not an ip address
		--network none --ip6 $PREFIX6::5|need a network
		--network six,four --ip6 $PREFIX6::5|--ip6 can only be set for a single network
	EOF
	f create --name two --network four ferry-test true >/dev/null
	run_ferry network connect --ip6 "$PREFIX6::9" six two
	assert_status 125
	assert_output_contains "is in use by container one"
	[ "$(f inspect two | jq -c '.[0].NetworkSettings.Networks | keys')" = '["four"]' ]
}

@test "a container's IPv6 address and MAC survive checkpoint and restore in place and through --export, and --import onto another root; a copy gets its own" {
	net_setup
	load_test_image
	f network create --subnet "$SUBNET" --subnet "$SUBNET6" --interface-name "$BR" six >/dev/null
	f run -d --name srv --network six ferry-test sh -c "$SERVER" >/dev/null
	ip=$(ip_of srv six)
	ip6=$(ip6_of srv six)
	mac=$(mac_of srv six)
	[ "$ip6" = "$PREFIX6::2" ]
	[ "$(net_count "$ip6" 8080)" = 1 ]
	# In place.
	f container checkpoint srv >/dev/null
	f container restore srv >/dev/null
	[ "$(ip6_of srv six)" = "$ip6" ]
	[ "$(f exec srv cat /sys/class/net/eth0/address)" = "$mac" ]
	[ "$(net_count "$ip6" 8080)" = 2 ]
	# A clone gets IPv6 and MAC addresses of its own (it was refused, its
	# original's IPv6 address in use).
	f container clone srv copy6 >/dev/null
	f start copy6 >/dev/null
	[ -n "$(ip6_of copy6 six)" ] && [ "$(ip6_of copy6 six)" != "$ip6" ]
	[ "$(mac_of copy6 six)" != "$mac" ]
	f rm -f -t 0 copy6 >/dev/null
	# The archive's network.status carries both subnets of the interface.
	f container checkpoint -e "$TEST_TMP/srv.tar.zst" srv >/dev/null
	tar -xOf "$TEST_TMP/srv.tar.zst" network.status >"$TEST_TMP/status.json"
	[ "$(jq -c '.six.interfaces.eth0.subnets | map(.ipnet)' "$TEST_TMP/status.json")" = "[\"$ip/24\",\"$ip6/64\"]" ]
	[ "$(jq -r '.six.interfaces.eth0.mac_address' "$TEST_TMP/status.json")" = "$mac" ]
	f rm -f -t 0 srv >/dev/null
	f network rm six >/dev/null
	# Onto another root, which makes the network from the archive.
	fb load -q -i "$(ferry_test_image)"
	run_fb container restore -i "$TEST_TMP/srv.tar.zst"
	assert_status 0
	assert_output_contains "created network six"
	[ "$(fb network inspect six | jq -r '.[0].subnets[1].subnet')" = "$SUBNET6" ]
	[ "$(ip_of srv six fb)" = "$ip" ]
	[ "$(ip6_of srv six fb)" = "$ip6" ]
	[ "$(mac_of srv six fb)" = "$mac" ]
	[ "$(fb exec srv cat /sys/class/net/eth0/address)" = "$mac" ]
	fb exec srv ip -6 addr show eth0 | grep -q "inet6 $ip6/64 scope global"
	[ "$(net_count "$ip6" 8080)" = 3 ]
	# A copy beside it: addresses of its own, the same state.
	fb container restore -i "$TEST_TMP/srv.tar.zst" --name copy >/dev/null
	copy6=$(ip6_of copy six fb)
	[ -n "$copy6" ] && [ "$copy6" != "$ip6" ]
	[ "$(mac_of copy six fb)" != "$mac" ]
	[ "$(net_count "$copy6" 8080)" = 3 ]
	# Its IPv6 address taken: refused, naming the holder.
	fb rm -f -t 0 srv >/dev/null
	fb run -d --name squatter --network six --ip6 "$ip6" ferry-test sleep 1000 >/dev/null
	run_fb container restore -i "$TEST_TMP/srv.tar.zst"
	assert_status 125
	assert_one_line_error
	assert_output_contains squatter
	run_fb container exists srv
	assert_status 1
	fb container restore -i "$TEST_TMP/srv.tar.zst" --ignore-static-ip >/dev/null
	new6=$(ip6_of srv six fb)
	[ "$new6" != "$ip6" ] && [ "$new6" != "$copy6" ]
	[ "$(net_count "$new6" 8080)" = 3 ]
}

@test "network create --ipv6 and run --ip6: what inspect shows and errors' first words as Podman's (live)" {
	need_podman
	net_setup
	load_test_image
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	# Each tool on its own bridge and subnets, shown alike in the transcripts.
	for tool in f podman_t; do
		if [ $tool = f ]; then br=$BR p4=$PREFIX p6=$PREFIX6; else br=$BR2 p4=$PREFIX2 p6=$PREFIX62; fi
		echo "s/$p4\./P4./g; s/$p6:/P6:/g; s/$br/BR/g" >"$TEST_TMP/$tool.sed"
		step $tool network create --ipv6 --subnet "$p4.0/24" --subnet "$p6::/64" --interface-name "$br" six
		step $tool network ls --format '{{.Name}} {{.IPv6Enabled}}' --filter name=six
		step $tool run -d --name a --network six ferry-test sleep 1000
		step $tool run -d --name b --network six --ip6 "$p6::1:5" ferry-test sleep 1000
		for c in a b; do
			step $tool inspect --format '{{.NetworkSettings.Networks.six.IPAddress}} {{.NetworkSettings.Networks.six.GlobalIPv6Address}} {{.NetworkSettings.Networks.six.GlobalIPv6PrefixLen}} {{.NetworkSettings.Networks.six.IPv6Gateway}}' $c
		done
		step $tool network create --ipv6 --subnet "$p6::/64" other
		step $tool network create --ipv6 --subnet fd00:1::/64 --gateway fd00:2::1 other
		step $tool run -d --name c --network six --ip6 bogus ferry-test sleep 1000
		$tool rm -af -t 0 >/dev/null 2>&1 || $tool rm -af >/dev/null
		sed -E -f "$TEST_TMP/$tool.sed" -e '/^  out: [0-9a-f]{64}$/d' -e 's/^(  err: Error: [^:]*).*/\1/' \
			"$TEST_TMP/$tool.log" >"$TEST_TMP/$tool.cmp"
	done
	diff -u "$TEST_TMP/podman_t.cmp" "$TEST_TMP/f.cmp"
}

@test "network create --ipam-driver none: no subnet, containers get an interface and MAC without an address, kept through checkpoint and restore; dhcp and others refused" {
	net_setup
	load_test_image
	f network create --ipam-driver none --interface-name "$BR" noaddr >/dev/null
	[ "$(inspect_net noaddr .ipam_options)" = '{"driver":"none"}' ]
	[ "$(inspect_net noaddr .subnets)" = null ]
	[ "$(inspect_net noaddr .dns_enabled)" = false ]
	f run -d --name one --network noaddr ferry-test sleep 1000 >/dev/null
	mac=$(mac_of one noaddr)
	[ "$(ip_of one noaddr)" = "" ]
	[ "$(f exec one cat /sys/class/net/eth0/address)" = "$mac" ]
	[ "$(f exec one ip -4 addr show eth0 | grep -c inet)" = 0 ]
	# Its containers count as users.
	run_ferry network rm noaddr
	assert_status 2
	f network prune -f >/dev/null
	f network exists noaddr
	f container checkpoint one >/dev/null
	f container restore one >/dev/null
	[ "$(f exec one cat /sys/class/net/eth0/address)" = "$mac" ]
	while IFS='|' read -r args words; do
		# shellcheck disable=SC2086
		run_ferry network create $args bad
		assert_status 125
		assert_one_line_error
		assert_output_contains "$words"
	done <<-EOF
		--ipam-driver dhcp|ipam driver dhcp is not supported
		--ipam-driver bogus|unsupported ipam driver "bogus"
		--ipam-driver none --subnet $SUBNET2|none ipam driver is set but subnets are given
		--ipam-driver none --gateway $PREFIX2.1|cannot set gateway or range without subnet
		--ipam-driver none --dns 192.0.2.1|cannot set NetworkDNSServers if DNS is not enabled
		--ipam-driver none --ipv6|none ipam driver is set
	EOF
	run_ferry run -d --name two --network noaddr --ip "$PREFIX.5" ferry-test sleep 1000
	assert_status 125
	assert_output_contains "hands out no addresses"
	[ "$(f network ls -q | tr '\n' ' ')" = "ferry noaddr " ]
	f network create --ipam-driver host-local --subnet "$SUBNET2" --interface-name "$BR2" hl >/dev/null
	[ "$(inspect_net hl .ipam_options)" = '{"driver":"host-local"}' ]
}

@test "network create --ipam-driver: what inspect and a container show, and errors' first words as Podman's (live)" {
	need_podman
	net_setup
	load_test_image
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	for tool in f podman_t; do
		if [ $tool = f ]; then br=$BR; else br=$BR2; fi
		echo "s/$br/BR/g" >"$TEST_TMP/$tool.sed"
		step $tool network create --ipam-driver none --interface-name "$br" noaddr
		step $tool network inspect --format '{{.IPAMOptions}} {{.DNSEnabled}} {{.Subnets}}' noaddr
		step $tool run -d --name a --network noaddr ferry-test sleep 1000
		step $tool inspect --format '{{.NetworkSettings.Networks.noaddr.IPAddress}}|{{.NetworkSettings.Networks.noaddr.IPPrefixLen}}|{{.NetworkSettings.Networks.noaddr.Gateway}}' a
		step $tool network create --ipam-driver bogus x
		step $tool network create --ipam-driver none --subnet 10.99.0.0/24 x
		step $tool network create --ipam-driver none --gateway 10.99.0.1 x
		$tool rm -af -t 0 >/dev/null 2>&1 || $tool rm -af >/dev/null
		sed -E -f "$TEST_TMP/$tool.sed" -e '/^  out: [0-9a-f]{64}$/d' -e 's/^(  err: Error: [^:]*).*/\1/' \
			"$TEST_TMP/$tool.log" >"$TEST_TMP/$tool.cmp"
	done
	diff -u "$TEST_TMP/podman_t.cmp" "$TEST_TMP/f.cmp"
}

@test "an archive's network definition with a bad IPv6 subnet, DNS servers, routes or options is refused on import, and nothing is made" {
	net_setup
	load_test_image
	f network create --subnet "$SUBNET" --subnet "$SUBNET6" --interface-name "$BR" --dns 192.0.2.53 \
		--route "10.99.0.0/16,$PREFIX.5" -o mtu=1400 six >/dev/null
	f run -d --name srv --network six ferry-test sleep 1000 >/dev/null
	f container checkpoint --compress none -e "$TEST_TMP/good.tar" srv >/dev/null
	f rm -f -t 0 srv >/dev/null
	f network rm six >/dev/null
	fb load -q -i "$(ferry_test_image)"
	while IFS='|' read -r edit words; do
		rewrite_archive "$TEST_TMP/good.tar" "$TEST_TMP/bad.tar" "
for i, (m, d) in enumerate(members):
    if m.name == 'network.status':
        st = json.loads(d)
        n = st['six']['ferry_definition']
        $edit
        members[i] = (m, json.dumps(st).encode())"
		run_fb container restore -i "$TEST_TMP/bad.tar"
		assert_status 125
		assert_one_line_error
		assert_output_contains "$words"
		[ -z "$(fb ps -aq)" ]
		[ "$(fb network ls -q)" = ferry ]
	done <<-'EOF'
		n['subnets'][1]['subnet'] = 'fd00::/8'|subnets
		n['subnets'][1]['gateway'] = 'fd01::1'|gateway
		n['subnets'].append(dict(n['subnets'][1]))|subnets
		n['subnets'][0] = dict(n['subnets'][1])|two IPv6 subnets
		n['ipv6_enabled'] = False|ipv6_enabled
		n['network_dns_servers'] = ['192.0.2.1; rm -rf /']|network_dns_servers
		n['routes'] = [{'destination': '10.99.0.1/16', 'gateway': '10.0.0.1'}]|route 0
		n['options'] = {'mtu': '1400', 'parent': 'eth0'}|unsupported bridge network option parent
		n['ipam_options'] = {'driver': 'dhcp'}|ipam_options
	EOF
	# The untouched archive restores, IPv6 address and all.
	run_fb container restore -i "$TEST_TMP/good.tar"
	assert_status 0
	[ "$(ip6_of srv six fb)" = "$PREFIX6::2" ]
}

@test "-o mode=unmanaged: containers join a bridge the host made, which stays when they go; -o vrf is recorded" {
	net_setup
	load_test_image
	ip link add "$BR" type bridge
	ip addr add "$PREFIX.1/24" dev "$BR"
	ip link set "$BR" up
	f network create --subnet "$SUBNET" --interface-name "$BR" -o mode=unmanaged hostbr >/dev/null
	[ "$(inspect_net hostbr .options)" = '{"mode":"unmanaged"}' ]
	f run -d --name one --network hostbr ferry-test sleep 1000 >/dev/null
	[ "$(ip_of one hostbr)" = "$PREFIX.2" ]
	f exec one ip -4 addr show eth0 | grep -q "inet $PREFIX.2/24"
	# Its veth is on the host's bridge.
	[ -n "$(ip -br link show master "$BR")" ]
	f rm -f -t 0 one >/dev/null
	# The bridge is the host's: it stays, with its address.
	ip -4 addr show "$BR" | grep -q "inet $PREFIX.1/24"
	f network create --subnet "$SUBNET2" --interface-name "$BR2" -o vrf="ftw$((N + 2000))" vrf >/dev/null
	[ "$(inspect_net vrf .options.vrf)" = "\"ftw$((N + 2000))\"" ]
}

# The facts of container c on networks one and two that a user of
# --network NAME:OPTIONS looks at, through TOOL.
attach_facts() {
	local tool=$1
	step "$tool" inspect --format '{{.NetworkSettings.Networks.one.IPAddress}} {{.NetworkSettings.Networks.one.MacAddress}} {{.NetworkSettings.Networks.one.Aliases}} {{.NetworkSettings.Networks.two.IPAddress}} {{.NetworkSettings.Networks.two.Aliases}}' c
	# netavark sets the interfaces up in its map's order: sorted.
	step_sorted "$tool" exec c sh -c "ip -4 -o addr show | awk '{ print \$2, \$4 }'"
	step "$tool" exec c cat /sys/class/net/wan0/address
}

@test "--network NAME:ip=,mac=,alias=,interface_name=,host_interface_name= and --network again: what the container gets, inspect shows, and errors' first words, as Podman's (live)" {
	need_podman
	net_setup
	load_test_image
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	hostif=ftw$((N + 2000))
	# One tool after the other on the same bridges and subnets, each
	# leaving nothing of its own for the next.
	for tool in f podman_t; do
		: >"$TEST_TMP/$tool.sed"
		$tool network create --subnet "$SUBNET" --interface-name "$BR" one >/dev/null
		$tool network create --subnet "$SUBNET2" --interface-name "$BR2" two >/dev/null
		$tool run -d --name c \
			--network "one:ip=$PREFIX.50,ip=$PREFIX.51,mac=02:11:22:33:44:55,alias=web,alias=db,interface_name=wan0,host_interface_name=$hostif,foo=bar" \
			--network two ferry-test sleep 1000 >/dev/null
		id=$($tool inspect --format '{{.Id}}' c)
		echo "s/${id:0:12}/<c>/g" >>"$TEST_TMP/$tool.sed"
		attach_facts $tool
		# The host's end of the pair has the name given, on the bridge.
		ip -o link show "$hostif" | grep -q "master $BR "
		$tool rm -f -t 0 c >/dev/null
		! ip link show "$hostif" 2>/dev/null || false
		# --ip joins an address given in the options (the first counts),
		# --mac-address replaces one, --network-alias replaces the aliases.
		step $tool create --name d --network "one:ip=$PREFIX.60,mac=02:00:00:00:00:0a,alias=x" --ip "$PREFIX.61" \
			--mac-address 02:00:00:00:00:0b --network-alias y ferry-test sleep 1000
		# Running while inspected: an exited container's network is torn
		# down by its cleanup, whenever that comes.
		step $tool start d
		step $tool inspect --format '{{.NetworkSettings.Networks.one.IPAddress}} {{.NetworkSettings.Networks.one.MacAddress}}' d
		step $tool inspect --format '{{len .NetworkSettings.Networks.one.Aliases}} {{index .NetworkSettings.Networks.one.Aliases 0}}' d
		# A later --network for the same network replaces the earlier;
		# the first --network may list names.
		step $tool create --name e --network "one,two" --network "one:ip=$PREFIX.70" ferry-test sleep 1000
		step $tool start e
		# (two's address is IPAM's pick: the tools' differ once an
		# address was given back.)
		step $tool inspect --format '{{.NetworkSettings.Networks.one.IPAddress}} {{len .NetworkSettings.Networks}} {{if .NetworkSettings.Networks.two.IPAddress}}two{{end}}' e
		# private and default name the default network, as bridge does.
		for mode in private default default:alias=x; do
			step $tool create --name p --network $mode ferry-test true
			step $tool inspect --format '{{.HostConfig.NetworkMode}} {{len .NetworkSettings.Networks}}' p
			$tool rm p >/dev/null
		done
		for args in "--network none --network one" "--network one --network none" "--network one --network host" \
			"--network :ip=$PREFIX.5" "--network one --network :ip=$PREFIX.5" "--network one:alias=" \
			"--network one:interface_name=" "--network one:ip=1.2.3" "--network one:ip" "--network one:mac=zz" \
			"--network one,two:ip=$PREFIX.5" "--network one --network two --ip $PREFIX.5" \
			"--network one --network two --mac-address 02:00:00:00:00:01" \
			"--network one:interface_name=eth3 --network two:interface_name=eth3" "--network nosuch:ip=1.2.3.4" \
			"--network private:ip=$PREFIX.5" "--network container:" "--network ns:"; do
			# shellcheck disable=SC2086
			step $tool create --name bad $args ferry-test true
		done
		$tool rm -af -t 0 >/dev/null
		$tool network rm one two >/dev/null
		# Errors compared by their first words, up to the second colon
		# where Podman names the network first (ferry's then say how to
		# fix them, on one line).
		sed -E -f "$TEST_TMP/$tool.sed" -e '/^  out: [0-9a-f]{64}$/d' -e '/^  out: [decp]$/d' \
			-e 's/^(  err: Error: invalid option for network [^:]*: [^:]*).*/\1/' -e 't' \
			-e 's/^(  err: Error: [^:]*).*/\1/' "$TEST_TMP/$tool.log" >"$TEST_TMP/$tool.cmp"
	done
	diff -u "$TEST_TMP/podman_t.cmp" "$TEST_TMP/f.cmp"
}

@test "a container's interface names, host-side name, aliases and netavark options survive checkpoint and restore in place and through --export and --import onto another root, and Podman's archives carry them both ways" {
	net_setup
	load_test_image
	hostif=ftw$((N + 2000))
	f network create --subnet "$SUBNET" --interface-name "$BR" one >/dev/null
	f network create --subnet "$SUBNET2" --interface-name "$BR2" two >/dev/null
	f run -d --name srv --network "one:ip=$PREFIX.50,alias=web,interface_name=wan0,host_interface_name=$hostif,foo=bar" \
		--network two:interface_name=lan0 ferry-test sh -c "$SERVER" >/dev/null
	mac=$(mac_of srv one)
	aliases=$(f inspect --format '{{json .NetworkSettings.Networks.one.Aliases}}' srv | jq -c unique)
	[ "$aliases" = "$(jq -nc --arg id "$(f inspect --format '{{.Id}}' srv | cut -c1-12)" '[$id, "web"] | unique')" ]
	[ "$(net_count "$PREFIX.50" 8080)" = 1 ]
	# What a moved container must find again.
	same() {
		local tool=$1
		[ "$($tool exec srv cat /sys/class/net/wan0/address)" = "$mac" ]
		$tool exec srv ip -4 addr show wan0 | grep -q "inet $PREFIX.50/24"
		$tool exec srv ip -4 addr show lan0 | grep -q "inet $PREFIX2\."
		# (Podman's restore repeats the short ID: compared once each.)
		[ "$($tool inspect --format '{{json .NetworkSettings.Networks.one.Aliases}}' srv | jq -c unique)" = "$aliases" ]
		ip -o link show "$hostif" | grep -q "master $BR "
	}
	# In place.
	f container checkpoint srv >/dev/null
	# In place, the network stays attached until the restore (the veth,
	# its rules and conntrack: a connection through a published port
	# carries on), which then needs no netavark.
	ip link show "$hostif" >/dev/null
	f container restore srv >/dev/null
	same f
	[ "$(net_count "$PREFIX.50" 8080)" = 2 ]
	# A clone gets an address, a MAC and a host-side name of its own, and
	# runs beside it.
	f container clone srv copy >/dev/null
	f start copy >/dev/null
	[ "$(ip_of copy one)" != "$PREFIX.50" ]
	[ "$(f exec copy cat /sys/class/net/wan0/address)" != "$mac" ]
	f rm -f -t 0 copy >/dev/null
	# The archive tells Podman the same (config.dump's newNetworks).
	f container checkpoint -e "$TEST_TMP/srv.tar" srv >/dev/null
	tar -xOf "$TEST_TMP/srv.tar" config.dump >"$TEST_TMP/dump.json"
	[ "$(jq -c '.newNetworks.one | [.interface_name, .aliases, .options]' "$TEST_TMP/dump.json")" = "[\"wan0\",[\"web\"],{\"host_interface_name\":\"$hostif\",\"foo\":\"bar\"}]" ]
	[ "$(jq -r '.newNetworks.two.interface_name' "$TEST_TMP/dump.json")" = lan0 ]
	f rm -f -t 0 srv >/dev/null
	# Onto another root: the host-side name is the archive's choice, so
	# it takes --trust-archive (128 checks the refusal).
	fb load -q -i "$(ferry_test_image)"
	fb container restore -i "$TEST_TMP/srv.tar" --trust-archive >/dev/null
	same fb
	[ "$(net_count "$PREFIX.50" 8080)" = 3 ]
	fb rm -f -t 0 srv >/dev/null
	! ip link show "$hostif" 2>/dev/null || false
	need_podman
	# Podman restores ferry's archive with them, and ferry Podman's.
	fb network rm one two >/dev/null
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t network create --subnet "$SUBNET" --interface-name "$BR" one >/dev/null
	podman_t network create --subnet "$SUBNET2" --interface-name "$BR2" two >/dev/null
	podman_t container restore -i "$TEST_TMP/srv.tar" >/dev/null
	same podman_t
	# From the same archive as root B's: the same next count.
	[ "$(net_count "$PREFIX.50" 8080)" = 3 ]
	podman_t container checkpoint -e "$TEST_TMP/podman.tar" srv >/dev/null
	podman_t rm -f -t 0 srv >/dev/null
	podman_t network rm one two >/dev/null
	fb network create --subnet "$SUBNET" --interface-name "$BR" one >/dev/null
	fb network create --subnet "$SUBNET2" --interface-name "$BR2" two >/dev/null
	run_fb container restore -i "$TEST_TMP/podman.tar" --trust-archive
	assert_status 0
	same fb
	[ "$(net_count "$PREFIX.50" 8080)" = 4 ]
}

@test "-p [IPV6]:HOST:CTR publishes on an IPv6 host address: the host reaches the container there, port and ps show it, a taken one is refused in Podman's words, and it goes with --export and --import" {
	net_setup
	load_test_image
	f network create --subnet "$SUBNET" --subnet "$SUBNET6" --interface-name "$BR" six >/dev/null
	p=$(free_port6)
	f run -d --name any6 --network six -p "[::]:$p:8080" ferry-test sh -c "$SERVER" >/dev/null
	# The bridge's IPv6 gateway is the host's own address now.
	gw="$PREFIX6::1"
	[ "$(net_count "$gw" "$p")" = 1 ]
	q=$(free_port6)
	f run -d --name gw6 --network six -p "[$gw]:$q:8080" ferry-test sh -c "$SERVER" >/dev/null
	[ "$(net_count "$gw" "$q")" = 1 ]
	[ "$(f port any6 8080)" = ":::$p" ]
	[ "$(f port gw6)" = "8080/tcp -> $gw:$q" ]
	f ps --format '{{.Names}} {{.Ports}}' | grep -qx "gw6 $gw:$q->8080/tcp"
	[ "$(f inspect --format '{{json .HostConfig.PortBindings}}' gw6)" = "{\"8080/tcp\":[{\"HostIp\":\"$gw\",\"HostPort\":\"$q\"}]}" ]
	# Taken by another container: 126, in Go's listener's words.
	run_ferry run -d --name again --network six -p "[$gw]:$q:8080" ferry-test true
	assert_status 126
	assert_one_line_error
	assert_output_contains "cannot listen on the TCP port: listen tcp6 [$gw]:$q: bind: address already in use"
	f rm -f -t 0 again >/dev/null 2>&1 || true
	# Onto another root: the mapping goes with the archive.  (One on the
	# gateway's address would wait for the bridge, which the restore
	# makes: Podman cannot bind there either.)
	f container checkpoint -c none -e "$TEST_TMP/any6.tar" any6 >/dev/null
	f rm -f -t 0 gw6 any6 >/dev/null
	f network rm six >/dev/null
	fb load -q -i "$(ferry_test_image)"
	fb container restore -i "$TEST_TMP/any6.tar" >/dev/null
	[ "$(fb port any6 8080)" = ":::$p" ]
	[ "$(net_count "$gw" "$p")" = 2 ]
	fb rm -f -t 0 any6 >/dev/null
	# A mapping an archive holds is checked as ferry writes it.
	for bad in '::FFFF:1.2.3.4' 'fe80::1%eth0' '0:0::1' '[::1]'; do
		rewrite_archive "$TEST_TMP/any6.tar" "$TEST_TMP/bad.tar" "
for i, (m, d) in enumerate(members):
    if m.name == 'config.dump':
        dump = json.loads(d)
        dump['ferry']['Ports'][0]['host_ip'] = '$bad'
        members[i] = (m, json.dumps(dump).encode())"
		run_fb container restore -i "$TEST_TMP/bad.tar"
		assert_status 125
		assert_one_line_error
		assert_output_contains "has a host_ip that is not an IP address as ferry writes it"
	done
	[ -z "$(fb ps -aq)" ]
}

# A TCP port on the host's IPv6 loopback that nothing uses now.
free_port6() {
	python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0)); print(s.getsockname()[1])'
}

ports6_sequence() {
	local t=$1 spec
	for spec in "[::1]:18085:80" "[0:0::1]:18086:80/udp" "[::ffff:127.0.0.1]:18087:80" "[127.0.0.1]:18088:80"; do
		step "$t" create --name c --network bridge -p "$spec" ferry-test true
		step "$t" inspect --format '{{json .HostConfig.PortBindings}}' c
		"$t" rm -f c >/dev/null
	done
	for spec in "[::1:18085:80" "[::1]80:80" "[::1]:18085" "[]:18085:80" "[zz]:18085:80" "[fe80::1%eth0]:1:80" \
		"zz:1:80" "::1:18085:80"; do
		step "$t" create --name c --network bridge -p "$spec" ferry-test true
	done
}

@test "-p with an IPv6 host address: what inspect keeps, and bad ones refused with Podman's first words (live)" {
	audit_compare_expected ports6_sequence <<-'EOF'
		$ create --name c --network bridge -p [::1]:18085:80 ferry-test true -> 0
		  out: <ID>
		$ inspect --format {{json .HostConfig.PortBindings}} c -> 0
		  out: {"80/tcp":[{"HostIp":"::1","HostPort":"18085"}]}
		$ create --name c --network bridge -p [0:0::1]:18086:80/udp ferry-test true -> 0
		  out: <ID>
		$ inspect --format {{json .HostConfig.PortBindings}} c -> 0
		  out: {"80/udp":[{"HostIp":"::1","HostPort":"18086"}]}
		$ create --name c --network bridge -p [::ffff:127.0.0.1]:18087:80 ferry-test true -> 0
		  out: <ID>
		$ inspect --format {{json .HostConfig.PortBindings}} c -> 0
		  out: {"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"18087"}]}
		$ create --name c --network bridge -p [127.0.0.1]:18088:80 ferry-test true -> 0
		  out: <ID>
		$ inspect --format {{json .HostConfig.PortBindings}} c -> 0
		  out: {"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"18088"}]}
		$ create --name c --network bridge -p [::1:18085:80 ferry-test true -> 125
		  err: Error: invalid port format - format is [[hostIP:]hostPort:]containerPort (in `[::1:18085:80`)
		$ create --name c --network bridge -p [::1]80:80 ferry-test true -> 125
		  err: Error: invalid port format - IPv6 address must be followed by a colon (':') (in `[::1]80:80`)
		$ create --name c --network bridge -p [::1]:18085 ferry-test true -> 125
		  err: Error: invalid port format - must provide host and destination port if specifying an IP (in `[::1]:18085`)
		$ create --name c --network bridge -p []:18085:80 ferry-test true -> 125
		  err: Error: must provide a non-empty container host IP to publish (in `[]:18085:80`)
		$ create --name c --network bridge -p [zz]:18085:80 ferry-test true -> 125
		  err: Error: cannot parse "zz" as an IP address (in `[zz]:18085:80`)
		$ create --name c --network bridge -p [fe80::1%eth0]:1:80 ferry-test true -> 125
		  err: Error: cannot parse "fe80::1%eth0" as an IP address (in `[fe80::1%eth0]:1:80`)
		$ create --name c --network bridge -p zz:1:80 ferry-test true -> 125
		  err: Error: cannot parse "zz" as an IP address (in `zz:1:80`)
		$ create --name c --network bridge -p ::1:18085:80 ferry-test true -> 125
		  err: Error: invalid port `::1:18085:80`: use [IP:][HOSTPORT:]CONTAINERPORT[/PROTOCOL]
	EOF
}
