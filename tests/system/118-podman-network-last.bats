#!/usr/bin/env bats
# network disconnect of a container's last network, as Podman 5.4 does it:
# the container stays a bridge container on no network (inspect's
# NetworkMode bridge, no IP address, ps shows no network, its ports kept),
# network connect takes it again (live into its namespace while it runs,
# at the next start when stopped), it starts with a namespace of loopback
# only and the host's resolvers, network reload takes it, and checkpoint
# and restore (in place, --export/--import) carry it.  Compared with the
# transcript ferry printed once it matched Podman (kept below) and, where
# Podman is installed, with Podman run live.

load helpers
load podman-helpers

# Bridges ftu<N> and ftu<N+1000>, subnets 10.212.<N>.0/24 and
# 10.212.<N+1>.0/24 (scripts/test.sh's leftovers check knows them).
eval "helpers_$(declare -f setup)"
setup() {
	helpers_setup
	podman_file_locks
	N=$(net_number)
	BR=ftu$N
	BR2=ftu$((N + 1000))
	SUBNET=10.212.$N.0/24
	SUBNET2=10.212.$((N + 1)).0/24
}

teardown() {
	local b
	if [ -d "${ROOT:-/nonexistent}" ]; then f rm -af -t 0 >/dev/null 2>&1 || true; fi
	podman_teardown
	for b in ${BR:-} ${BR2:-}; do ip link del "$b" 2>/dev/null || true; done
	ferry_teardown
}

IMG=localhost/ferry-test

mode_of() { "${2:-f}" inspect --format '{{.HostConfig.NetworkMode}}|{{.NetworkSettings.IPAddress}}|{{range $k, $v := .NetworkSettings.Networks}}{{$k}}:{{$v.NetworkID}} {{end}}' "$1"; }
ifaces_of() { "${2:-f}" exec "$1" ls /sys/class/net | tr '\n' ' '; }

@test "network disconnect of the last network: a bridge container on no network, which connect takes again, running and stopped" {
	load_test_image
	f network create --subnet "$SUBNET" --interface-name "$BR" n1 >/dev/null
	f network create --subnet "$SUBNET2" --interface-name "$BR2" n2 >/dev/null
	f run -d --network n1 -p 127.0.0.1::80 --name up $IMG sleep 1000 >/dev/null
	f create --network n1 --name down $IMG sleep 1000 >/dev/null
	port=$(f port up 80)
	f network disconnect n1 up
	f network disconnect n1 down
	# Bridge mode with no network: no address, nothing in ps; the
	# running one has its namespace and no Networks at all, the stopped
	# one shows the mode's entry.
	[ "$(mode_of up)" = "bridge||" ]
	[ "$(mode_of down)" = "bridge||bridge:bridge " ]
	[ "$(f inspect up | jq -c '.[0].NetworkSettings | [has("Networks"), (.SandboxKey | length > 0)]')" = '[false,true]' ]
	[ "$(f inspect --format '{{.NetworkSettings.Networks}}|{{json .NetworkSettings.Networks}}' up)" = 'map[]|null' ]
	[ "$(f ps -a --format '{{.Names}}=[{{.Networks}}]' | sort | tr '\n' ' ')" = 'down=[] up=[] ' ]
	[ -z "$(f ps -a --filter network=n1 -q)" ]
	[ "$(f network inspect n1 | jq -c '.[0].containers')" = '{}' ]
	# Its loopback only, its ports kept.
	[ "$(ifaces_of up)" = "lo " ]
	[ "$(f port up 80)" = "$port" ]
	[ "$(f inspect --format '{{json .HostConfig.PortBindings}}' up)" = "{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"${port##*:}\"}]}" ]
	# A clone is made on the default network, as Podman's; generate spec
	# says bridge with no networks.
	f container clone down cl >/dev/null
	[ "$(f inspect --format '{{.HostConfig.NetworkMode}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}' cl)" = "bridge ferry" ]
	f rm cl >/dev/null
	[ "$(f generate spec down | jq -c '[.netns.nsmode, .Networks]')" = '["bridge",null]' ]
	# No longer joined: network rm takes n1; a second disconnect is an
	# error naming the network.
	run_ferry network disconnect n2 up
	assert_status 125
	assert_output_contains "is not connected to network n2"
	# Reload: nothing to put back, no error.
	[ "$(f network reload up)" = "$(f inspect --format '{{.Id}}' up)" ]
	# Connected again: live while it runs, with an address of n2.
	f network connect n2 up
	[ "$(ifaces_of up)" = "eth0 lo " ]
	f exec up ip -4 addr show eth0 | grep -q "inet 10.212.$((N + 1))\.2/24"
	[ "$(f ps --format '{{.Networks}}' --filter name=up)" = n2 ]
	[ "$(f network inspect n2 | jq -r '.[0].containers | keys[]')" = "$(f inspect --format '{{.Id}}' up)" ]
	# ... and at the next start when stopped.
	f network connect n2 down
	[ "$(f inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}' down)" = n2 ]
	f start down >/dev/null
	[ "$(ifaces_of down)" = "eth0 lo " ]
	f network rm n1 >/dev/null
	# Nothing left behind: rm tears both down.
	f rm -f -t 0 up down >/dev/null
	[ -z "$(ls "$RUNROOT/netns")" ]
	f network rm n2 >/dev/null
	! ip link show "$BR2" 2>/dev/null || false
}

@test "a bridge container on no network starts with loopback only and the host's resolvers, restarts, checkpoints and restores in place and through an archive" {
	load_test_image
	f network create --subnet "$SUBNET" --interface-name "$BR" n1 >/dev/null
	f run -d --network n1 --name c1 $IMG sleep 1000 >/dev/null
	f network disconnect n1 c1
	f restart -t 0 c1 >/dev/null
	[ "$(ifaces_of c1)" = "lo " ]
	[ "$(mode_of c1)" = "bridge||" ]
	# The host's nameservers, as Podman gives it; no /etc/hosts line for
	# its names, which have no address.
	# (A host's loopback resolvers are unreachable there: left out.)
	grep '^nameserver' /etc/resolv.conf | grep -v ' 127\.' >"$TEST_TMP/host-ns" || true
	if [ -s "$TEST_TMP/host-ns" ]; then
		f exec c1 cat /etc/resolv.conf | grep '^nameserver' >"$TEST_TMP/ctr-ns"
		diff "$TEST_TMP/host-ns" "$TEST_TMP/ctr-ns"
	fi
	! f exec c1 grep -w c1 /etc/hosts || false
	# In place.
	f container checkpoint c1 >/dev/null
	[ "$(mode_of c1)" = "bridge||bridge:bridge " ]
	f container restore c1 >/dev/null
	[ "$(ifaces_of c1)" = "lo " ]
	[ "$(mode_of c1)" = "bridge||" ]
	# Through an archive, as a copy: still on no network, and connect
	# takes the copy live.
	f container checkpoint --leave-running --export "$TEST_TMP/c1.tar" c1 >/dev/null
	f container restore --import "$TEST_TMP/c1.tar" --name c2 >/dev/null
	[ "$(f inspect --format '{{.State.Status}}' c2)" = running ]
	[ "$(mode_of c2)" = "bridge||" ]
	[ "$(ifaces_of c2)" = "lo " ]
	f network connect n1 c2
	[ "$(ifaces_of c2)" = "eth0 lo " ]
	[ "$(f inspect --format '{{.NetworkSettings.Networks.n1.IPAddress}}' c2)" = "10.212.$N.2" ]
	f rm -f -t 0 c1 c2 >/dev/null
	[ -z "$(ls "$RUNROOT/netns")" ]
	f network rm n1 >/dev/null
}

@test "network connect and disconnect killed midway: the next command settles the container" {
	load_test_image
	f network create --subnet "$SUBNET" --interface-name "$BR" n1 >/dev/null
	f run -d --network n1 --name c1 $IMG sleep 1000 >/dev/null
	run env FERRY_FAULT=network-disconnect-torn-down "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" network disconnect n1 c1
	[ "$status" -eq 137 ]
	# Torn down, still recorded: the next command finishes it.
	f ps >/dev/null
	[ "$(mode_of c1)" = "bridge||" ]
	[ "$(ifaces_of c1)" = "lo " ]
	run env FERRY_FAULT=network-connect-recorded "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" network connect n1 c1
	[ "$status" -eq 137 ]
	# Recorded, not set up: the next command sets it up, with the
	# network's line in the container's /etc/hosts (a reload did that
	# before, by hand).
	f ps >/dev/null
	[ "$(ifaces_of c1)" = "eth0 lo " ]
	ip=$(f inspect --format '{{.NetworkSettings.Networks.n1.IPAddress}}' c1)
	[ -n "$ip" ]
	f exec c1 grep -q "^$ip	" /etc/hosts
	f network reload c1 >/dev/null
	[ "$(ifaces_of c1)" = "eth0 lo " ]
	f network disconnect n1 c1
	[ "$(ifaces_of c1)" = "lo " ]
	f rm -f -t 0 c1 >/dev/null
	f network rm n1 >/dev/null
}

@test "Podman's archive of a container it left on no network restores in ferry as a bridge container on no network, which connect takes" {
	need_podman
	load_test_image
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t network create --subnet "$SUBNET2" --interface-name "$BR2" pn >/dev/null
	podman_t run -d --network pn --name pc $IMG sleep 1000 >/dev/null
	podman_t network disconnect pn pc
	podman_t container checkpoint --export "$TEST_TMP/pc.tar" pc >/dev/null
	podman_t rm -f -t 0 pc >/dev/null
	podman_t network rm pn >/dev/null
	f container restore --import "$TEST_TMP/pc.tar" >/dev/null 2>&1
	[ "$(f inspect --format '{{.State.Status}}' pc)" = running ]
	[ "$(mode_of pc)" = "bridge||" ]
	[ "$(ifaces_of pc)" = "lo " ]
	f network create --subnet "$SUBNET" --interface-name "$BR" n1 >/dev/null
	f network connect n1 pc
	[ "$(ifaces_of pc)" = "eth0 lo " ]
	f rm -f -t 0 pc >/dev/null
	f network rm n1 >/dev/null
}

# Transcript $1 as compared live: errors cut to their first three words.
live_form() {
	grep -v "^  err: See '\\(podman\\|ferry\\) " "$1" | awk '/^  err: / { print $1, $2, $3, $4; next } 1'
}

last_network_sequence() {
	local t=$1 img=$IMG
	step "$t" network create --subnet "$SUBNET" --interface-name "$BR" n1
	step "$t" network create --subnet "$SUBNET2" --interface-name "$BR2" n2
	"$t" run -d --network n1 -p 127.0.0.1:18$((N % 100 + 100)):80 --name up $img sleep 1000 >/dev/null
	"$t" create --network n1 --name down $img sleep 1000 >/dev/null
	for c in up down; do
		id=$("$t" inspect --format '{{.Id}}' $c)
		printf 's/%s/<%s>/g\ns/%s/<%s>/g\n' "$id" "$c" "${id:0:12}" "$c" >>"$TEST_TMP/$t.sed"
	done
	echo 's/\b[0-9a-f]\{64\}\b/<ID>/g' >>"$TEST_TMP/$t.sed"
	step "$t" network disconnect n1 up
	step "$t" network disconnect n1 down
	step "$t" network disconnect n1 down
	step "$t" inspect --format '{{.HostConfig.NetworkMode}}|{{.NetworkSettings.IPAddress}}|{{.NetworkSettings.Networks}}|{{json .NetworkSettings.Networks}}' up
	step "$t" inspect --format '{{.HostConfig.NetworkMode}}|{{.NetworkSettings.IPAddress}}|{{json .NetworkSettings.Networks}}|{{json .HostConfig.PortBindings}}' down
	step_sorted "$t" ps -a --format '{{.Names}} [{{.Networks}}] [{{.Ports}}]'
	step "$t" ps -a --filter network=n1 --format '{{.Names}}'
	step "$t" port up
	step "$t" exec up ls /sys/class/net
	step "$t" network reload up
	step "$t" network connect n2 up
	step "$t" exec up ls /sys/class/net
	step "$t" inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}' up
	step "$t" network connect n2 down
	step "$t" inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' down
	step "$t" start down
	step "$t" exec down ls /sys/class/net
	step "$t" network disconnect n2 down
	step "$t" restart -t 0 down
	step "$t" exec down ls /sys/class/net
	step "$t" stop -t 0 down
	step "$t" inspect --format '{{json .NetworkSettings.Networks}}' down
	step "$t" network rm n1
	step "$t" rm -f -t 0 up
	step "$t" rm -f -t 0 down
	step "$t" network rm n2
}

@test "network disconnect of the last network: output, exit codes and first words as Podman's (live)" {
	load_test_image
	for t in f podman_t; do
		printf 's/10\\.212\\.%s\\./10.212.N./g\ns/ftu%s\\b/ftuN/g\n' "$N" "$N" >"$TEST_TMP/$t.sed"
		printf 's/10\\.212\\.%s\\./10.212.M./g\ns/ftu%s\\b/ftuM/g\n' "$((N + 1))" "$((N + 1000))" >>"$TEST_TMP/$t.sed"
		printf 's/:18%s\\b/:PORT/g\n' "$((N % 100 + 100))" >>"$TEST_TMP/$t.sed"
	done
	last_network_sequence f
	sed -i -f "$TEST_TMP/f.sed" "$TEST_TMP/f.log"
	diff -u - "$TEST_TMP/f.log" <<'EOF'
$ network create --subnet 10.212.N.0/24 --interface-name ftuN n1 -> 0
  out: n1
$ network create --subnet 10.212.M.0/24 --interface-name ftuM n2 -> 0
  out: n2
$ network disconnect n1 up -> 0
$ network disconnect n1 down -> 0
$ network disconnect n1 down -> 125
  err: Error: container <down> is not connected to network n1: network not found
$ inspect --format {{.HostConfig.NetworkMode}}|{{.NetworkSettings.IPAddress}}|{{.NetworkSettings.Networks}}|{{json .NetworkSettings.Networks}} up -> 0
  out: bridge||map[]|null
$ inspect --format {{.HostConfig.NetworkMode}}|{{.NetworkSettings.IPAddress}}|{{json .NetworkSettings.Networks}}|{{json .HostConfig.PortBindings}} down -> 0
  out: bridge||{"bridge":{"EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0,"IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"MacAddress":"","NetworkID":"bridge","DriverOpts":null,"IPAMConfig":null,"Links":null}}|{}
$ ps -a --format {{.Names}} [{{.Networks}}] [{{.Ports}}] -> 0
  out: down [] []
  out: up [] [127.0.0.1:PORT->80/tcp]
$ ps -a --filter network=n1 --format {{.Names}} -> 0
$ port up -> 0
  out: 80/tcp -> 127.0.0.1:PORT
$ exec up ls /sys/class/net -> 0
  out: lo
$ network reload up -> 0
  out: <up>
$ network connect n2 up -> 0
$ exec up ls /sys/class/net -> 0
  out: eth0
  out: lo
$ inspect --format {{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}} up -> 0
  out: n2=10.212.M.2 
$ network connect n2 down -> 0
$ inspect --format {{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}} down -> 0
  out: n2 
$ start down -> 0
  out: down
$ exec down ls /sys/class/net -> 0
  out: eth0
  out: lo
$ network disconnect n2 down -> 0
$ restart -t 0 down -> 0
  out: down
$ exec down ls /sys/class/net -> 0
  out: lo
$ stop -t 0 down -> 0
  out: down
$ inspect --format {{json .NetworkSettings.Networks}} down -> 0
  out: {"bridge":{"EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0,"IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"MacAddress":"","NetworkID":"bridge","DriverOpts":null,"IPAMConfig":null,"Links":null}}
$ network rm n1 -> 0
  out: n1
$ rm -f -t 0 up -> 0
  out: up
$ rm -f -t 0 down -> 0
  out: down
$ network rm n2 -> 0
  out: n2
EOF
	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	last_network_sequence podman_t
	sed -i -f "$TEST_TMP/podman_t.sed" "$TEST_TMP/podman_t.log"
	diff -u <(live_form "$TEST_TMP/podman_t.log") <(live_form "$TEST_TMP/f.log")
}
