#!/usr/bin/env bats
# Bridge networks through real netavark (nftables) and aardvark-dns: network
# create/ls/inspect/exists/rm, containers on a network reaching each other by
# address and name, and a container's IP and MAC carried through checkpoint
# and restore (in place, and export, rm, import), a copy (--name) getting
# addresses of its own.  Traffic goes only to the containers the test makes.

load helpers

# Names and subnets of this test's own: a bridge fty<N> and 10.200.<N>.0/24,
# N from the test's temporary directory, so that no two tests (and nothing
# else on the machine) share them.
net_setup() {
	N=$(( $(printf '%s' "$TEST_TMP" | cksum | cut -d' ' -f1) % 200 + 20 ))
	BR=fty$N
	SUBNET=10.200.$N.0/24
	PREFIX=10.200.$N
}

# Containers go through ferry's rm, so that netavark takes down their
# veths, firewall rules, bridge and aardvark-dns; then the usual teardown.
teardown() {
	local r
	if [ -n "${TEST_TMP:-}" ]; then
		for r in root:run rootB:runB; do
			if [ -d "$TEST_TMP/${r%%:*}" ]; then
				local fr=("$FERRY_BIN" --root "$TEST_TMP/${r%%:*}" --runroot "$TEST_TMP/${r#*:}")
				# shellcheck disable=SC2046
				timeout 60 "${fr[@]}" rm -f $(timeout 10 "${fr[@]}" ps -aq 2>/dev/null) >/dev/null 2>&1 || true
			fi
		done
		if [ -n "${BR:-}" ]; then ip link del "$BR" 2>/dev/null || true; fi
	fi
	ferry_teardown
}

# One TCP exchange with $1:$2 from the host: what the server sends.
tcp_get() {
	python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
print(data.decode().strip())
PY
}

# A server whose state lives in its shell: each connection gets the next
# number.
SERVER='i=0; while true; do i=$((i+1)); echo "count $i" | nc -l -p 8080; done'

ip_of() { "${3:-f}" inspect --format "{{.NetworkSettings.Networks.$2.IPAddress}}" "$1"; }
mac_of() { "${3:-f}" inspect --format "{{.NetworkSettings.Networks.$2.MacAddress}}" "$1"; }

# Waits until the server in container $1 at $2 answers; prints its count.
count_of() {
	local out i
	for i in $(seq 1 50); do
		if out=$(tcp_get "$2" 8080 2>/dev/null) && [ -n "$out" ]; then
			echo "${out#count }"
			return 0
		fi
		sleep 0.1
	done
	echo "no answer from $1 at $2" >&2
	return 1
}

@test "network create, ls, inspect, exists and rm; bad input is refused and leaves nothing" {
	net_setup
	run_ferry network create --subnet "$SUBNET" --interface-name "$BR" --label team=a net1
	assert_status 0
	[ "$output" = net1 ]
	f network exists net1
	run_ferry network exists nonet
	assert_status 1
	[ "$(f network ls -q)" = net1 ]
	f network inspect net1 >"$TEST_TMP/inspect.json"
	[ "$(jq -r '.[0].subnets[0].subnet' "$TEST_TMP/inspect.json")" = "$SUBNET" ]
	[ "$(jq -r '.[0].subnets[0].gateway' "$TEST_TMP/inspect.json")" = "$PREFIX.1" ]
	[ "$(jq -r '.[0].network_interface' "$TEST_TMP/inspect.json")" = "$BR" ]
	[ "$(jq -r '.[0].driver' "$TEST_TMP/inspect.json")" = bridge ]
	[ "$(jq -r '.[0].dns_enabled' "$TEST_TMP/inspect.json")" = true ]
	[ "$(jq -r '.[0].labels.team' "$TEST_TMP/inspect.json")" = a ]
	[[ "$(jq -r '.[0].id' "$TEST_TMP/inspect.json")" =~ ^[0-9a-f]{64}$ ]]
	# Refused, one line, exit 125, nothing made.
	for args in "--subnet $PREFIX.128/25 overlap" "--subnet 10.300.0.0/24 badcidr" "--subnet 10.201.0.1/24 hostbits" \
		"--subnet 10.201.0.0/24 --gateway 10.202.0.1 gwout" "--subnet 10.201.0.0/24 net1" \
		"--subnet 10.201.0.0/24 ../x" "--subnet 10.201.0.0/24 none" "--driver macvtap x2" \
		"--subnet 10.201.0.0/24 --interface-name $BR samebridge"; do
		# shellcheck disable=SC2086
		run_ferry network create $args
		assert_status 125
		assert_one_line_error
	done
	[ "$(f network ls -q)" = net1 ]
	run_ferry network inspect nonet
	assert_status 125
	assert_output_contains "network not found"
	run_ferry network rm net1
	assert_status 0
	[ -z "$(f network ls -q)" ]
}

@test "containers on a network reach each other by address and by name, and the host reaches them" {
	net_setup
	load_test_image
	f network create --subnet "$SUBNET" --interface-name "$BR" net1 >/dev/null
	f run -d --name srv --network net1 --ip "$PREFIX.50" --mac-address 02:42:0a:c8:00:32 ferry-test sh -c "$SERVER" >/dev/null
	f run -d --name cli --network net1 ferry-test sleep 1000 >/dev/null
	[ "$(ip_of srv net1)" = "$PREFIX.50" ]
	[ "$(mac_of srv net1)" = 02:42:0a:c8:00:32 ]
	[ "$(ip_of cli net1)" = "$PREFIX.2" ]
	[ "$(f exec srv cat /sys/class/net/eth0/address)" = 02:42:0a:c8:00:32 ]
	f exec srv ip -4 addr show eth0 | grep -q "inet $PREFIX.50/24"
	[ "$(count_of srv "$PREFIX.50")" = 1 ]
	# By name, through aardvark-dns.
	[ "$(f exec cli sh -c 'nc srv 8080 </dev/null')" = "count 2" ]
	grep -q "^$PREFIX.2	" <(f exec cli cat /etc/hosts)
	[ "$(f inspect --format '{{.HostConfig.NetworkMode}}' cli)" = bridge ]
	# Taken, outside, or on no network: refused, and nothing made.
	for args in "--ip $PREFIX.50" "--ip 10.99.0.5" "--ip $PREFIX.1" "--mac-address 01:00:5e:00:00:01" "--network nonet" "--network none --ip $PREFIX.9"; do
		# shellcheck disable=SC2086
		run_ferry run -d --name bad --network net1 $args ferry-test true
		assert_status 125
		assert_one_line_error
		run_ferry inspect bad
		assert_status 125
	done
	run_ferry network rm net1
	assert_status 125
	assert_output_contains "is being used by container"
	f rm -f cli >/dev/null
	[ "$(f network inspect --format '{{json .containers}}' net1 | jq -r 'keys | length')" = 1 ]
	# The address goes with the container.
	f run -d --name again --network net1 ferry-test sleep 1000 >/dev/null
	[ "$(ip_of again net1)" = "$PREFIX.2" ]
	f network rm -f net1 >/dev/null
	[ -z "$(f ps -aq)" ]
}

@test "checkpoint and restore keep the IP and MAC; a copy gets its own; --ignore-static-ip a new one" {
	net_setup
	load_test_image
	f network create --subnet "$SUBNET" --interface-name "$BR" net1 >/dev/null
	f run -d --name srv --network net1 ferry-test sh -c "$SERVER" >/dev/null
	ip=$(ip_of srv net1)
	mac=$(mac_of srv net1)
	[ "$(count_of srv "$ip")" = 1 ]
	# In place.
	f container checkpoint srv >/dev/null
	f container restore srv >/dev/null
	[ "$(ip_of srv net1)" = "$ip" ]
	[ "$(f exec srv cat /sys/class/net/eth0/address)" = "$mac" ]
	[ "$(count_of srv "$ip")" = 2 ]
	# Exported, removed, imported under its own name.
	f container checkpoint -e "$TEST_TMP/srv.tar.zst" srv >/dev/null
	jq -e ".net1.interfaces.eth0.mac_address == \"$mac\"" <(tar -xOf "$TEST_TMP/srv.tar.zst" network.status) >/dev/null
	f rm -f srv >/dev/null
	f container restore -i "$TEST_TMP/srv.tar.zst" >/dev/null
	[ "$(ip_of srv net1)" = "$ip" ]
	[ "$(mac_of srv net1)" = "$mac" ]
	[ "$(f exec srv cat /sys/class/net/eth0/address)" = "$mac" ]
	[ "$(count_of srv "$ip")" = 3 ]
	# Copies run beside it, each with its own addresses and the same state.
	f container restore -i "$TEST_TMP/srv.tar.zst" --name copy1 >/dev/null
	f container restore -i "$TEST_TMP/srv.tar.zst" --name copy2 >/dev/null
	ip1=$(ip_of copy1 net1)
	ip2=$(ip_of copy2 net1)
	[ "$ip1" != "$ip" ] && [ "$ip2" != "$ip" ] && [ "$ip1" != "$ip2" ]
	[ "$(mac_of copy1 net1)" != "$mac" ]
	[ "$(count_of copy1 "$ip1")" = 3 ]
	[ "$(count_of copy2 "$ip2")" = 3 ]
	# Its address taken by another: refused, naming the holder and the ways out.
	f rm -f srv >/dev/null
	f run -d --name squatter --network net1 --ip "$ip" ferry-test sleep 1000 >/dev/null
	run_ferry container restore -i "$TEST_TMP/srv.tar.zst"
	assert_status 125
	assert_one_line_error
	assert_output_contains squatter
	assert_output_contains --ignore-static-ip
	run_ferry inspect srv
	assert_status 125
	f container restore -i "$TEST_TMP/srv.tar.zst" --ignore-static-ip --ignore-static-mac >/dev/null
	new=$(ip_of srv net1)
	[ "$new" != "$ip" ]
	[ "$(mac_of srv net1)" != "$mac" ]
	[ "$(count_of srv "$new")" = 3 ]
}

@test "an import onto a root without the network makes it from the archive's definition, or names a clash" {
	net_setup
	load_test_image
	f network create --subnet "$SUBNET" --interface-name "$BR" net1 >/dev/null
	f run -d --name srv --network net1 ferry-test sh -c "$SERVER" >/dev/null
	ip=$(ip_of srv net1)
	[ "$(count_of srv "$ip")" = 1 ]
	f container checkpoint -e "$TEST_TMP/srv.tar.zst" srv >/dev/null
	f rm -f srv >/dev/null
	f network rm net1 >/dev/null
	fb load -q -i "$(ferry_test_image)"
	# A network of that name with another subnet: refused, nothing made.
	fb network create --subnet 10.201.$N.0/24 --interface-name "${BR}x" net1 >/dev/null
	run_fb container restore -i "$TEST_TMP/srv.tar.zst"
	assert_status 125
	assert_one_line_error
	assert_output_contains "10.201.$N.0/24"
	[ -z "$(fb ps -aq)" ]
	fb network rm net1 >/dev/null
	run_fb container restore -i "$TEST_TMP/srv.tar.zst"
	assert_status 0
	assert_output_contains "created network net1"
	[ "$(fb network inspect --format '{{json .subnets}}' net1 | jq -r '.[0].subnet')" = "$SUBNET" ]
	[ "$(ip_of srv net1 fb)" = "$ip" ]
	[ "$(count_of srv "$ip")" = 2 ]
}
