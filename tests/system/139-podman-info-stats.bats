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

eval "infostats_$(declare -f teardown)"
teardown() {
	podman_teardown
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
	! grep -E '"(user|system|idle)Percent": [0-9]+\.[0-9]{3}' <<<"$output"
	jq -e '.store.graphStatus | .["Native Overlay Diff"] == "true" and has("Supports shifting") and has("Supports volatile")' \
		<<<"$output" >/dev/null
	jq -e '.plugins | .log == ["k8s-file", "none", "passthrough", "journald"] and .network == ["bridge", "macvlan"] and
		.authorization == null' <<<"$output" >/dev/null
	# Templates reach each of them, with Podman's Go names.
	run_ferry info --format '{{.Host.NetworkBackendInfo.DNS.Package}}|{{.Plugins.Authorization}}|{{index .Store.GraphStatus "Supports volatile"}}'
	assert_status 0
	[ "$output" = "$(dpkg_package /usr/lib/podman/aardvark-dns)|[]|true" ]

	need_podman
	[ "$(f info --format "$INFO_PACKAGES")" = "$(podman_t info --format "$INFO_PACKAGES")" ]
	# Podman lists ipvlan, which ferry's network create does not have.
	[ "$(f info --format "$INFO_STORE")" = "$(podman_t info --format "$INFO_STORE")" ]
	[ "$(f info --format '{{json .Plugins}}')" = \
		"$(podman_t info --format '{{json .Plugins}}' | sed 's/,"ipvlan"//')" ]
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
