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
# 10.207.<N+1>.0/24 (scripts/test.sh's leftovers check knows them).
net_setup() {
	N=$(net_number)
	BR=ftw$N
	BR2=ftw$((N + 1000))
	PREFIX=10.207.$N
	SUBNET=$PREFIX.0/24
	PREFIX2=10.207.$((N + 1))
	SUBNET2=$PREFIX2.0/24
}

teardown() {
	local b
	net_remove_containers
	for b in ${BR:-} ${BR2:-}; do ip link del "$b" 2>/dev/null || true; done
	podman_teardown
	ferry_teardown
}

inspect_net() { f network inspect "$1" | jq -c ".[0]$2"; }

@test "network create --dns, --route and -o mtu/metric/vlan/isolate/no_default_route/bridge.name: inspect shows them, a running container gets them" {
	net_setup
	load_test_image
	f network create --subnet "$SUBNET" -o "com.docker.network.bridge.name=$BR" --dns 192.0.2.53,192.0.2.54 \
		--route "10.99.0.0/16,$PREFIX.5" --route "10.98.0.0/16,$PREFIX.6,120" -o mtu=1400 -o metric=200 \
		-o isolate=true nopts >/dev/null
	[ "$(inspect_net nopts .network_interface)" = "\"$BR\"" ]
	[ "$(inspect_net nopts .network_dns_servers)" = '["192.0.2.53","192.0.2.54"]' ]
	[ "$(inspect_net nopts .routes)" = "[{\"destination\":\"10.99.0.0/16\",\"gateway\":\"$PREFIX.5\"},{\"destination\":\"10.98.0.0/16\",\"gateway\":\"$PREFIX.6\",\"metric\":120}]" ]
	[ "$(inspect_net nopts .options)" = '{"mtu":"1400","metric":"200","isolate":"true"}' ]
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
	! grep -q default "$TEST_TMP/routes2"
	grep -q "^$PREFIX2.0/24 dev eth0" "$TEST_TMP/routes2"
	f rm -f two >/dev/null
	f network rm nodefault >/dev/null
	# -o vlan is recorded as Podman records it; netavark needs the kernel's
	# bridge VLAN filtering for it, which this machine may lack: then run
	# fails as Podman's does, and leaves no container running.
	f network create --subnet "$SUBNET2" --interface-name "$BR2" -o vlan=5 vlan >/dev/null
	[ "$(inspect_net vlan .options.vlan)" = '"5"' ]
	if [ ! -e /sys/class/net/$BR/bridge/vlan_filtering ]; then
		run_ferry run -d --name three --network vlan ferry-test sleep 1000
		assert_status 125
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

@test "network update --dns-add and --dns-drop change the servers, and a running container's aardvark-dns forwards to them at once" {
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
	! grep -q '192.0.2.53' "$RUNROOT/networks/aardvark-dns/upd"
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
	EOF
	[ "$(f network ls -q)" = ferry ]
}

@test "network create, update and rm flags: exit codes and first words as Podman's (live)" {
	need_podman
	net_setup
	for tool in f podman_t; do
		: >"$TEST_TMP/$tool.sed"
		step $tool network create --subnet "$SUBNET" --interface-name "$BR" --dns 192.0.2.53 cmp
		step $tool network create --ignore cmp
		step $tool network create cmp
		step $tool network update --dns-add 192.0.2.54 --dns-drop 192.0.2.53 cmp
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
	! tcp_get 127.0.0.1 "$p" 2>/dev/null
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
