#!/usr/bin/env bats
# Name resolution and hosts of containers, as Podman's run/create have them:
# --dns, --dns-search, --dns-option (written into /etc/resolv.conf, or given
# to aardvark-dns on a network with DNS), --add-host (host-gateway too) and
# --no-hosts, --network-alias resolved by other containers through
# aardvark-dns, --hostname mapped to the container's address; all of it
# shown by inspect and carried through checkpoint --export, rm, restore
# --import.  Bad input: exit 125, one line, nothing made.  Traffic goes only
# to the containers the test makes (192.0.2.0/24 and 2001:db8:: are
# documentation addresses, written into files, never asked).

load helpers
load network-helpers

# Names and subnets of this test's own, apart from 060's (fty<N>,
# 10.200.<N>.0/24): bridges ftd<N> and ftd<N+1000>, subnets 10.203.<N>.0/24
# and 10.204.<N>.0/24, N from the test's temporary directory.
# scripts/test.sh's leftovers check knows these names too.
net_setup() {
	N=$(net_number)
	BR=ftd$N
	SUBNET=10.203.$N.0/24
	PREFIX=10.203.$N
	BR2=ftd$((N + 1000))
	SUBNET2=10.204.$N.0/24
}

# Containers go through ferry's rm, so that netavark takes down their
# veths, firewall rules, bridges and aardvark-dns; then the usual teardown.
teardown() {
	local b
	net_remove_containers
	for b in ${BR:-} ${BR2:-}; do ip link del "$b" 2>/dev/null || true; done
	ferry_teardown
}

inspect_json() { f inspect "$1" | jq -c ".[0]$2"; }


# An image whose own /etc/resolv.conf and /etc/hosts say where they come
# from.
make_etc_image() {
	local r=$TEST_TMP/etcroot
	mkdir -p "$r/bin" "$r/etc"
	cp /bin/busybox "$r/bin/busybox"
	for a in sh cat grep; do ln -s busybox "$r/bin/$a"; done
	echo 'nameserver 192.0.2.99 # the image' >"$r/etc/resolv.conf"
	echo '192.0.2.98 imagehost' >"$r/etc/hosts"
	tar -C "$r" -cf "$TEST_TMP/etcroot.tar" .
	f import "$TEST_TMP/etcroot.tar" etcimage >/dev/null
}

@test "--dns, --dns-search and --dns-option make /etc/resolv.conf; --dns none and --no-hosts leave the image's" {
	load_test_image
	run_ferry run --rm --dns 192.0.2.53 --dns 2001:DB8::53 --dns-search example.com --dns-search lab.example \
		--dns-option ndots:2 --dns-option edns0 ferry-test cat /etc/resolv.conf
	assert_status 0
	[ "$output" = "$(printf 'search example.com lab.example\nnameserver 192.0.2.53\nnameserver 2001:db8::53\noptions ndots:2 edns0')" ]
	# "." is no search domain at all; with no network, no server of the host's.
	run_ferry run --rm --dns-search . ferry-test cat /etc/resolv.conf
	assert_status 0
	[ -z "$(grep -e '^search' -e '^nameserver' <<<"$output")" ]
	# Shown where Podman shows them.
	f create --name c1 --dns 192.0.2.53 --dns-search example.com --dns-option ndots:2 ferry-test true >/dev/null
	[ "$(inspect_json c1 .HostConfig.Dns)" = '["192.0.2.53"]' ]
	[ "$(inspect_json c1 .HostConfig.DnsSearch)" = '["example.com"]' ]
	[ "$(inspect_json c1 .HostConfig.DnsOptions)" = '["ndots:2"]' ]
	[ "$(inspect_json c1 .HostConfig.ExtraHosts)" = '[]' ]
	# Nothing of ferry's: the image's files, not bound over.
	make_etc_image
	run_ferry run --rm --dns none --no-hosts etcimage sh -c 'cat /etc/resolv.conf /etc/hosts; grep -c -e " /etc/resolv.conf " -e " /etc/hosts " /proc/mounts'
	[ "$output" = "$(printf 'nameserver 192.0.2.99 # the image\n192.0.2.98 imagehost\n0')" ]
	f create --name c2 --dns none --no-hosts etcimage true >/dev/null
	[ "$(inspect_json c2 .HostsPath)" = '""' ]
	[ "$(inspect_json c2 .ResolvConfPath)" = '""' ]
	[ "$(inspect_json c2 .HostConfig.Dns)" = '[]' ]
	# By default ferry's are there; without a network, its /etc/hosts
	# only: the image's resolv.conf stays, as in Podman.
	run_ferry run --rm --network host etcimage grep -c -e " /etc/resolv.conf " -e " /etc/hosts " /proc/mounts
	[ "$output" = 2 ]
	run_ferry run --rm --network none etcimage sh -c 'cat /etc/resolv.conf; grep -c -e " /etc/resolv.conf " -e " /etc/hosts " /proc/mounts'
	[ "$output" = "$(printf 'nameserver 192.0.2.99 # the image\n1')" ]
	f create --name c3 --network none etcimage true >/dev/null
	[ "$(inspect_json c3 .ResolvConfPath)" = '""' ]
}

@test "on a network with DNS the container asks aardvark-dns, which forwards to --dns; on one without, --dns itself" {
	net_setup
	load_test_image
	f network create --subnet "$SUBNET" --interface-name "$BR" net1 >/dev/null
	f run -d --name c1 --network net1 --dns 192.0.2.53 --dns-option ndots:2 ferry-test sleep 1000 >/dev/null
	resolv=$(f exec c1 cat /etc/resolv.conf)
	[ "$(grep '^nameserver' <<<"$resolv")" = "nameserver $PREFIX.1" ]
	grep -q '^search dns.podman\( \|$\)' <<<"$resolv"
	grep -qx 'options ndots:2' <<<"$resolv"
	# aardvark-dns's entry for the container lists its own upstream servers.
	grep -r "$(f inspect --format '{{.Id}}' c1)" "$RUNROOT/networks/aardvark-dns/" | grep -q 192.0.2.53
	# --dns-search replaces the network's domain, as with Podman.
	f run -d --name c2 --network net1 --dns-search example.com ferry-test sleep 1000 >/dev/null
	[ "$(f exec c2 grep '^search' /etc/resolv.conf)" = "search example.com" ]
	# A network without DNS: the given servers themselves.
	f network create --disable-dns --subnet "$SUBNET2" --interface-name "$BR2" net2 >/dev/null
	run_ferry run --rm --network net2 --dns 192.0.2.53 ferry-test grep '^nameserver' /etc/resolv.conf
	assert_status 0
	[ "$output" = "nameserver 192.0.2.53" ]
}

@test "--add-host lines come first and win, host-gateway is the network's gateway, --hostname maps to the container's address" {
	net_setup
	load_test_image
	f network create --subnet "$SUBNET" --interface-name "$BR" net1 >/dev/null
	f run -d --name c1 --network net1 --hostname box --add-host 'db;db.local:192.0.2.7' \
		--add-host gw:host-gateway --add-host web:2001:DB8::1 ferry-test sleep 1000 >/dev/null
	ip=$(ip_of c1 net1)
	hosts=$(f exec c1 cat /etc/hosts)
	[ "$(sed -n 1p <<<"$hosts")" = "192.0.2.7	db db.local" ]
	[ "$(sed -n 2p <<<"$hosts")" = "$PREFIX.1	gw" ]
	[ "$(sed -n 3p <<<"$hosts")" = "2001:db8::1	web" ]
	grep -qx "$ip	box c1" <<<"$hosts"
	grep -q '^127.0.0.1	localhost' <<<"$hosts"
	[ "$(inspect_json c1 .HostConfig.ExtraHosts)" = '["db;db.local:192.0.2.7","gw:host-gateway","web:2001:db8::1"]' ]
	# The user's line for a name of the container's own is the only one.
	run_ferry run --rm --network net1 --name c2 --hostname box --add-host box:192.0.2.8 ferry-test cat /etc/hosts
	assert_status 0
	[ "$(grep -c 'box' <<<"$output")" = 1 ]
	grep -qx '192.0.2.8	box' <<<"$output"
	grep -q "^$PREFIX\.[0-9]*	c2\$" <<<"$output"
	# Without a network: the host name on 127.0.0.1, as Podman's.
	run_ferry run --rm --hostname box --add-host db:192.0.2.7 ferry-test cat /etc/hosts
	[ "$(sed -n 1p <<<"$output")" = "192.0.2.7	db" ]
	grep -q '^127.0.0.1	box ' <<<"$output"
	# On a network, host.containers.internal is its gateway.
	grep -qx "$PREFIX.1	host.containers.internal host.docker.internal" <<<"$hosts"
}

@test "/etc/hosts as Podman's: the host's lines first, host.containers.internal, containers.conf's base_hosts_file and host_containers_internal_ip; the host's name on its network" {
	load_test_image
	# The host's lines, as Podman rewrites them, then what they lack.
	expected=$(sed -e 's/#.*//' /etc/hosts | awk 'NF >= 2 { printf "%s\t%s", $1, $2; for (i = 3; i <= NF; i++) printf " %s", $i; print "" }')
	run_ferry run --rm --network none --name box --hostname box ferry-test cat /etc/hosts
	assert_status 0
	[ "$(head -n "$(wc -l <<<"$expected")" <<<"$output")" = "$expected" ]
	grep -q '	host.containers.internal host.docker.internal$' <<<"$output"
	[ "$(tail -n 1 <<<"$output")" = "127.0.0.1	box box" ]
	# The host's network: the host's name, no line of its own.
	run_ferry run --rm --network host ferry-test sh -c 'hostname; tail -n 1 /etc/hosts'
	assert_status 0
	[ "${lines[0]}" = "$(hostname)" ]
	[ "${lines[1]##*	}" = "host.containers.internal host.docker.internal" ]
	[ "$(f create --network host ferry-test true | xargs -I{} "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" inspect --format '{{.Config.Hostname}}' {})" = "$(hostname)" ]
	# containers.conf: another base file, and another address or none.
	printf '10.1.2.3 from-base\n' >"$TEST_TMP/base-hosts"
	printf '[containers]\nbase_hosts_file = "%s"\nhost_containers_internal_ip = "192.0.2.77"\n' \
		"$TEST_TMP/base-hosts" >"$CONTAINERS_CONF"
	run_ferry run --rm --network none --name box --hostname box ferry-test cat /etc/hosts
	assert_status 0
	[ "$output" = "$(printf '10.1.2.3\tfrom-base\n127.0.0.1\tlocalhost\n::1\tlocalhost\n192.0.2.77\thost.containers.internal host.docker.internal\n127.0.0.1\tbox box')" ]
	printf '[containers]\nbase_hosts_file = "none"\nhost_containers_internal_ip = "none"\n' >"$CONTAINERS_CONF"
	run_ferry run --rm --network none --name box --hostname box ferry-test cat /etc/hosts
	[ "$output" = "$(printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n127.0.0.1\tbox box')" ]
	# Bad values stop ferry at their line.
	for bad in 'base_hosts_file = "relative"' 'host_containers_internal_ip = "300.1.1.1"'; do
		printf '[containers]\n%s\n' "$bad" >"$CONTAINERS_CONF"
		run_ferry ps
		assert_status 125
		assert_one_line_error
		assert_output_contains "$CONTAINERS_CONF:2: invalid"
	done
}

@test "--network-alias names resolve through aardvark-dns; aliases, DNS and hosts options survive export, rm and import" {
	net_setup
	load_test_image
	f network create --subnet "$SUBNET" --interface-name "$BR" net1 >/dev/null
	f run -d --name srv --network net1 --network-alias db --network-alias cache.internal --dns 192.0.2.53 \
		--dns-search example.com --dns-option ndots:2 --add-host h:192.0.2.7 ferry-test sh -c "$SERVER" >/dev/null
	f run -d --name cli --network net1 ferry-test sleep 1000 >/dev/null
	ip=$(ip_of srv net1)
	f exec cli nslookup db | grep -q "$ip"
	f exec cli nslookup cache.internal | grep -q "$ip"
	[ "$(f exec cli sh -c 'nc db 8080 </dev/null')" = "count 1" ]
	# As Podman, each container's short ID is an alias too.
	sid=$(f inspect --format '{{.Id}}' srv | cut -c1-12)
	[ "$(inspect_json srv .NetworkSettings.Networks.net1.Aliases)" = "[\"db\",\"cache.internal\",\"$sid\"]" ]
	[ "$(inspect_json cli .NetworkSettings.Networks.net1.Aliases)" = "[\"$(f inspect --format '{{.Id}}' cli | cut -c1-12)\"]" ]
	f exec cli nslookup "$sid" | grep -q "$ip"
	before=$(f inspect srv | jq -c '.[0].HostConfig | [.Dns, .DnsSearch, .DnsOptions, .ExtraHosts]')

	f container checkpoint -e "$TEST_TMP/srv.tar.zst" srv >/dev/null
	f rm -f -t 0 srv >/dev/null
	# Gone, its name with it.
	run_ferry exec cli nslookup db
	if [ "$status" -eq 0 ] && grep -q "$ip" <<<"$output"; then false; fi
	f container restore -i "$TEST_TMP/srv.tar.zst" >/dev/null
	[ "$(f inspect srv | jq -c '.[0].HostConfig | [.Dns, .DnsSearch, .DnsOptions, .ExtraHosts]')" = "$before" ]
	[ "$(inspect_json srv .NetworkSettings.Networks.net1.Aliases)" = "[\"db\",\"cache.internal\",\"$sid\"]" ]
	[ "$(f exec srv grep '^search' /etc/resolv.conf)" = "search example.com" ]
	[ "$(f exec srv sed -n 1p /etc/hosts)" = "192.0.2.7	h" ]
	f exec cli nslookup db | grep -q "$ip"
	[ "$(f exec cli sh -c 'nc db 8080 </dev/null')" = "count 2" ]
}

@test "bad --dns, --dns-search, --dns-option, --add-host, --no-hosts and --network-alias: exit 125, one line, nothing made" {
	net_setup
	load_test_image
	f network create --subnet "$SUBNET" --interface-name "$BR" net1 >/dev/null
	for args in "--dns 1.2.3" "--dns example.com" "--dns none --dns 192.0.2.53" "--dns-search a..b" \
		"--dns-search a_b" "--dns-search . --dns-search example.com" "--dns-option a;b" \
		"--dns none --dns-search example.com" "--dns none --dns-option ndots:2" "--add-host db" \
		"--add-host db:nothing" "--add-host :192.0.2.7" "--add-host a..b:192.0.2.7" \
		"--add-host gw:host-gateway" "--no-hosts --add-host db:192.0.2.7" "--network-alias db" \
		"--network host --network-alias db" "--network net1 --network-alias a/b" \
		"--network net1 --network-alias db."; do
		# shellcheck disable=SC2086
		run_ferry run -d --name bad $args ferry-test true
		assert_status 125
		assert_one_line_error
		run_ferry inspect bad
		assert_status 125
	done
	# A newline may not make a line of its own in the container's files.
	for opt in --dns-option --dns-search --add-host --network-alias; do
		run_ferry run -d --name bad --network net1 "$opt" "$(printf 'x:192.0.2.7\nnameserver 192.0.2.66')" ferry-test true
		assert_status 125
		assert_one_line_error
	done
	run_ferry run -d --name bad --add-host 'a b:192.0.2.7' ferry-test true
	assert_status 125
	assert_output_contains "--add-host"
	[ -z "$(f ps -aq)" ]
	[ "$(f network inspect --format '{{json .Containers}}' net1 | jq -r 'keys | length')" = 0 ]
}
