#!/usr/bin/env bats
# info and stats as Podman prints them: info's package strings (from
# dpkg's database), the DNS server netavark starts, the OCI runtime's path,
# plugins and the store's overlay status; stats' per-CPU, system and
# per-interface network members and the table's columns computed as
# Podman computes them; and containers.conf's cgroupns, read and checked.
# Compared with Podman where it is installed.

load helpers
load podman-helpers

bats_require_minimum_version 1.5.0

podman_file_locks_for_every_test

IMG=localhost/ferry-test

load network-helpers

eval "infostats_$(declare -f teardown)"
teardown() {
	podman_teardown
	# ferry's containers on the default network go through ferry, which
	# has netavark take their firewall rules away: killed, they would stay.
	net_remove_containers
	infostats_teardown
}

# dpkg-query's words for the package of PATH, as Podman asks them.
dpkg_package() {
	local pkg
	pkg=$(dpkg -S "$1" | head -n 1 | cut -d: -f1)
	dpkg-query -W -f '${Package}_${Version}_${Architecture}' "$pkg"
}

INFO_PACKAGES='{{.Host.OCIRuntime.Path}} {{.Host.OCIRuntime.Package}} {{.Host.Conmon.Package}} {{.Host.NetworkBackendInfo.Package}} {{.Host.NetworkBackendInfo.DNS.Path}} {{.Host.NetworkBackendInfo.DNS.Package}} {{.Host.NetworkBackendInfo.DNS.Version}} {{json .Host.NetworkBackendInfo}} {{json .Host.Conmon}} {{json .Host.OCIRuntime}} {{json .Host.Pasta}} {{.Host.Slirp4NetNS}} {{.Host.CgroupControllers}}'
INFO_STORE='{{json .Store.GraphStatus}} {{.Plugins.Volume}} {{.Plugins.Log}} {{.Plugins.Authorization}}'

@test "info: programs' packages from dpkg, the DNS server, the runtime's path, plugins, overlay status" {
	command -v dpkg-query >/dev/null || skip "no dpkg on this host"
	run_ferry info --format json
	assert_status 0
	jq -e . <<<"$output" >/dev/null
	# Each package is dpkg-query's answer for the program's path.
	[ "$(jq -r .host.conmon.package <<<"$output")" = "$(dpkg_package "$(jq -r .host.conmon.path <<<"$output")")" ]
	[ "$(jq -r .host.ociRuntime.package <<<"$output")" = "$(dpkg_package "$(jq -r .host.ociRuntime.path <<<"$output")")" ]
	[ "$(jq -r .host.networkBackendInfo.package <<<"$output")" = "$(dpkg_package /usr/lib/podman/netavark)" ]
	[ "$(jq -r .host.networkBackendInfo.dns.package <<<"$output")" = "$(dpkg_package /usr/lib/podman/aardvark-dns)" ]
	[ "$(jq -r .host.networkBackendInfo.dns.version <<<"$output")" = "$(/usr/lib/podman/aardvark-dns --version)" ]
	[ "$(jq -r .host.criu.package <<<"$output")" = "$(dpkg_package "$(jq -r .host.criu.path <<<"$output")")" ]
	# runc from /usr/bin first, where both /usr/bin and /usr/sbin have it.
	if [ -x /usr/bin/runc ]; then
		[ "$(jq -r .host.ociRuntime.path <<<"$output")" = /usr/bin/runc ]
	fi
	# A program that is not there: "" for each member.
	[ "$(jq -c .host.pasta <<<"$output")" = "$(jq -c '.host.pasta | map_values(if . == "" then . else "x" end)' <<<"$output")" ]
	# Percent of user + system + idle, rounded to hundredths.
	jq -e '.host.cpuUtilization | (.userPercent + .systemPercent + .idlePercent) as $t | $t > 99.9 and $t < 100.1' \
		<<<"$output" >/dev/null
	! grep -E '"(user|system|idle)Percent": [0-9]+\.[0-9]{3}' <<<"$output" || false
	jq -e '.store.graphStatus | .["Native Overlay Diff"] == "true" and has("Supports shifting") and has("Supports volatile")' \
		<<<"$output" >/dev/null
	jq -e '.plugins | .log == ["k8s-file", "none", "passthrough", "journald"] and .network == ["bridge", "macvlan", "ipvlan"] and
		.authorization == null' <<<"$output" >/dev/null
	# Templates reach each of them, with Podman's Go names.
	run_ferry info --format '{{.Host.NetworkBackendInfo.DNS.Package}}|{{.Plugins.Authorization}}|{{index .Store.GraphStatus "Supports volatile"}}'
	assert_status 0
	[ "$output" = "$(dpkg_package /usr/lib/podman/aardvark-dns)|[]|true" ]

	need_podman
	[ "$(f info --format "$INFO_PACKAGES")" = "$(podman_t info --format "$INFO_PACKAGES")" ]
	[ "$(f info --format "$INFO_STORE")" = "$(podman_t info --format "$INFO_STORE")" ]
	[ "$(f info --format '{{json .Plugins}}')" = "$(podman_t info --format '{{json .Plugins}}')" ]
}

# Every member's path in a JSON document, with each value's JSON type.
json_shape() {
	jq -r 'paths(type != "object") as $p | "\($p | map(tostring) | join(".")) \(getpath($p) | type)"' | sed -E 's/\.[0-9]+ / /; s/\.[0-9]+\./.N./g' | sort -u
}

@test "info --format json: Podman's members at every depth, with Podman's types" {
	need_podman
	f info --format json | json_shape >"$TEST_TMP/f"
	podman_t info --format json | json_shape >"$TEST_TMP/p"
	# What ferry has none of: Buildah, a REST service (remoteSocket),
	# rootless networking (rootlessNetworkCmd), a Go toolchain, a build
	# origin; criu and volumeStore are ferry's own; registries and the
	# store's counts follow what each root holds.
	diff -u <(grep -vE '^(host\.(buildahVersion|remoteSocket|rootlessNetworkCmd)|version\.(GoVersion|BuildOrigin)|registries)' "$TEST_TMP/p") \
		<(grep -vE '^(host\.criu|store\.volumeStore|registries)' "$TEST_TMP/f")
}

# The cgroup v1 directory of controller $2 of the process $1.
proc_cgroup() {
	echo "/sys/fs/cgroup/$2$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$1/cgroup")"
}

@test "stats: PerCPU, CPUSystemNano, SystemNano and the memory from the cgroup as Podman counts them, per-interface Network for a bridge container, nil for none and host" {
	load_test_image
	f run -d --name b --network bridge $IMG sleep 1000 >/dev/null
	f run -d --name n --network none $IMG sleep 1000 >/dev/null
	f run -d --name h --network host $IMG sleep 1000 >/dev/null
	f create --name s $IMG true >/dev/null
	pid=$(f inspect --format '{{.State.Pid}}' b)
	before=$(date +%s%N)
	run_ferry stats --no-stream --format '{{json .}}|{{.NetIO}}|{{.MemUsage}}|{{.CPUPerc}}|{{.AVGCPU}}|{{.Network}}' b
	after=$(date +%s%N)
	assert_status 0
	IFS='|' read -r j netio memusage cpuperc avgcpu network <<<"$output"
	# An idle container: its per-CPU times sum to its CPU time, read at once.
	[ "$(jq '.PerCPU | add' <<<"$j")" = "$(jq .CPUNano <<<"$j")" ]
	[ "$(jq '.PerCPU | length' <<<"$j")" = "$(wc -w <"$(proc_cgroup "$pid" cpuacct)/cpuacct.usage_percpu")" ]
	[ "$(jq .CPUSystemNano <<<"$j")" = "$(cat "$(proc_cgroup "$pid" cpuacct)/cpuacct.usage_sys")" ]
	jq -e --argjson b "$before" --argjson a "$after" '.SystemNano >= $b and .SystemNano <= $a' <<<"$j" >/dev/null
	# Memory: the anonymous pages, not usage_in_bytes (page cache and all).
	mem=$(proc_cgroup "$pid" memory)
	[ "$(jq .MemUsage <<<"$j")" = "$(awk '$1 == "total_active_anon" || $1 == "total_inactive_anon" { s += $2 } END { print s }' "$mem/memory.stat")" ]
	[ "$(jq .MemLimit <<<"$j")" = "$(f info --format '{{.Host.MemTotal}}')" ]
	jq -e '(.MemPerc - .MemUsage / .MemLimit * 100 | fabs) < 1e-9 and .AvgCPU == .CPU and .UpTime == .Duration and
		.Duration == .CPUNano and .PIDs == 1' <<<"$j" >/dev/null
	# The interfaces of the container's network namespace but lo, each with
	# the kernel's eight counters.
	[ "$(jq -c '.Network | keys' <<<"$j")" = "$(nsenter -t "$pid" -n ip -br link | awk '{ sub(/@.*/, "", $1); if ($1 != "lo") print $1 }' | sort | jq -Rsc 'split("\n") | map(select(. != ""))')" ]
	[ "$(jq -c '.Network.eth0 | keys_unsorted' <<<"$j")" = \
		'["RxBytes","RxDropped","RxErrors","RxPackets","TxBytes","TxDropped","TxErrors","TxPackets"]' ]
	[[ "$network" == "map[eth0:{"* ]]
	# The table's text from the same numbers, as Podman's report makes it.
	rx=$(jq '[.Network[].RxBytes] | add' <<<"$j")
	[ "$rx" -gt 0 ]
	[ "$netio" = "$(python3 -c '
import sys
def h(v):
    u = ["B", "kB", "MB", "GB", "TB", "PB"]; i = 0
    while v >= 1000 and i < 5: v /= 1000; i += 1
    return ("%.4g" % v) + u[i]
print(h(float(sys.argv[1])) + " / " + h(float(sys.argv[2])))' "$rx" "$(jq '[.Network[].TxBytes] | add' <<<"$j")")" ]
	[ "$cpuperc" = "$(jq -r '.CPU * 100 | round / 100 | tostring' <<<"$j" | awk '{ printf "%.2f%%", $1 }')" ]
	[ "$cpuperc" = "$avgcpu" ]
	[[ "$memusage" == *" / "* ]]
	# UpTime is a time.Duration: Go's text in a template, nanoseconds in JSON.
	[[ "$(f stats --no-stream --format '{{.UpTime}} {{json .UpTime}}' b)" =~ ^[0-9.]+(ms|s|µs)\ [0-9]+$ ]]
	# No network of ferry's: no Network, no traffic (not the host's).
	for c in n h; do
		run_ferry stats --no-stream --format '{{json .Network}}|{{.Network}}|{{.NetIO}}' $c
		assert_status 0
		[ "$output" = "null|map[]|0B / 0B" ]
	done
	# Not running: Podman's zero report, PerCPU and Network nil.
	run_ferry stats -a --no-stream --format '{{json .}}' s
	assert_status 125
	assert_output_contains "--all, --latest and containers cannot be used together"
	run_ferry stats --no-stream --format '{{json .}}|{{.PerCPU}}|{{.UpTime}}|{{.ContainerStats}}' s
	assert_status 0
	[ "$output" = "$(printf '{"AvgCPU":0,"ContainerID":"%s","Name":"s","PerCPU":null,"CPU":0,"CPUNano":0,"CPUSystemNano":0,"SystemNano":0,"MemUsage":0,"MemLimit":0,"MemPerc":0,"Network":null,"BlockInput":0,"BlockOutput":0,"PIDs":0,"UpTime":0,"Duration":0}|[]|0s|{0 %s s [] 0 0 0 0 0 0 0 map[] 0 0 0 0s 0}' \
		"$(f inspect --format '{{.Id}}' s)" "$(f inspect --format '{{.Id}}' s)")" ]
}

# The members of each stats report's {{json .}}, with their types, the
# per-interface counters under "IF".
stats_shape() {
	jq -r 'paths(type != "object") as $p | "\($p | map(tostring) | join(".")) \(getpath($p) | type)"' |
		sed -E 's/^Network\.[^.]+\./Network.IF./; s/^PerCPU\.[0-9]+ /PerCPU.N /' | sort -u
}

# Each tool's containers: b on a bridge, n without a network, s created.
stats_containers() {
	local t=$1 net=$2
	"$t" run -d --name b --network "$net" $IMG sleep 1000 >/dev/null
	"$t" run -d --name n --network none $IMG sleep 1000 >/dev/null
	"$t" create --name s $IMG true >/dev/null
}

@test "stats --no-stream: {{json .}}, --format json and the table have Podman's members, types and columns" {
	need_podman
	load_test_image
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	N=$(net_number)
	PBR=ftz$N
	podman_t network create --interface-name "$PBR" --subnet "10.219.$N.0/24" pn >/dev/null
	stats_containers f bridge
	stats_containers podman_t pn
	for c in b n s; do
		[ "$(f stats --no-stream --format '{{json .}}' $c | stats_shape)" = \
			"$(podman_t stats --no-stream --format '{{json .}}' $c | stats_shape)" ]
		[ "$(f stats --no-stream --format json $c | jq -c '.[0] | to_entries | map([.key, (.value | type)])')" = \
			"$(podman_t stats --no-stream --format json $c | jq -c '.[0] | to_entries | map([.key, (.value | type)])')" ]
		[ "$(f stats --no-stream --format '{{.Network}} {{len .PerCPU}}' $c | sed -E 's/[0-9]+/N/g')" = \
			"$(podman_t stats --no-stream --format '{{.Network}} {{len .PerCPU}}' $c | sed -E 's/[0-9]+/N/g')" ]
	done
	# The headings (their widths follow the values).
	[ "$(f stats -a --no-stream | head -n 1 | tr -s ' ')" = "$(podman_t stats -a --no-stream | head -n 1 | tr -s ' ')" ]
	T='table {{.CPU}}|{{.Network}}|{{.PerCPU}}|{{.AvgCPU}}|{{.CPUNano}}|{{.CPUSystemNano}}|{{.SystemNano}}|{{.MemLimit}}|{{.BlockInput}}|{{.BlockOutput}}|{{.Duration}}|{{.ContainerID}}|{{.PIDS}}|{{.Up}}|{{.MemUsageBytes}}|{{.ContainerStats}}|{{.UpTime}}'
	[ "$(f stats --no-stream --format "$T" n | head -n 1 | tr -s ' ')" = "$(podman_t stats --no-stream --format "$T" n | head -n 1 | tr -s ' ')" ]
	run_ferry stats -a --no-stream n
	assert_status 125
	[ "$output" = "$(podman_t stats -a --no-stream n 2>&1 | sed 's/$/: give one of them/')" ]
	podman_t rm -af -t 0 >/dev/null
	ip link del "$PBR" 2>/dev/null || true
}

@test "containers.conf cgroupns: read and type-checked as Podman's; on cgroup v1 the host's namespace whatever it says, as Podman" {
	[ -d /sys/fs/cgroup/memory ] || skip "a cgroup v2 host: cgroupns applies there (unit test test_config)"
	load_test_image
	host_ns=$(readlink /proc/self/ns/cgroup)
	for v in private host bogus ""; do
		printf '[containers]\ncgroupns = "%s"\n' "$v" >"$CONTAINERS_CONF"
		[ "$(f run --rm $IMG readlink /proc/self/ns/cgroup)" = "$host_ns" ]
	done
	# A value that is no string: Podman's words, and nothing made.
	printf '[containers]\ncgroupns = 7\n' >"$CONTAINERS_CONF"
	run_ferry create --name c $IMG true
	assert_status 125
	assert_one_line_error
	[ "$output" = "Error: reading system config \"$CONTAINERS_CONF\": decode configuration $CONTAINERS_CONF: toml: line 2 (last key \"containers.cgroupns\"): incompatible types: TOML value has type int64; destination has type string: give cgroupns as a string in double quotes" ]
	printf '[containers]\n' >"$CONTAINERS_CONF"
	[ -z "$(f ps -aq)" ]

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	for v in private bogus; do
		printf '[containers]\ncgroupns = "%s"\n[engine]\nlock_type = "file"\n' "$v" >"$CONTAINERS_CONF"
		[ "$(podman_t run --rm --network none $IMG readlink /proc/self/ns/cgroup)" = "$host_ns" ]
	done
	printf '[containers]\ncgroupns = 7\n[engine]\nlock_type = "file"\n' >"$CONTAINERS_CONF"
	# Podman exits 1 there, before its commands run; ferry's 125 is any
	# error of its own.  ferry's error starts with Podman's words.
	want=$(podman_t create --name c $IMG true 2>&1 >/dev/null | sed 's/^Failed to obtain podman configuration: //')
	[ -n "$want" ]
	ferry_err=$(f create --name c $IMG true 2>&1) && false
	[[ "${ferry_err#Error: }" == "$want: "* ]]
}
