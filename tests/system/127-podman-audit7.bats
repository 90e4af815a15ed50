#!/usr/bin/env bats
# What the seventh round of comparing ferry with Podman 5.4 found ferry
# doing differently, now fixed.  Each sequence is compared with the
# transcript ferry printed once it matched Podman (kept below) and, where
# Podman is installed, with Podman run live: standard output whole, the
# first words of each error line.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers
load ../lib/registry

audit_hooks_for_every_test
# The registry too goes at the end of every test.
eval "audit_$(declare -f teardown)"
teardown() {
	registry_stop
	audit_teardown
}

cgroupns_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" run --rm "$img" readlink /proc/self/ns/cgroup
	step "$t" run --rm --cgroupns host "$img" readlink /proc/self/ns/cgroup
	step "$t" run --rm --cgroupns private "$img" readlink /proc/self/ns/cgroup
	step "$t" run --rm --cgroupns private "$img" sh -c 'grep -c ":/$" /proc/self/cgroup'
	step "$t" create --name c1 "$img" true
	step "$t" create --name c2 --cgroupns host "$img" true
	step "$t" create --name c3 --cgroupns private "$img" true
	step "$t" inspect --format '{{.Name}} {{.HostConfig.CgroupMode}}' c1 c2 c3
	step "$t" create --cgroupns sideways "$img" true
	step "$t" ps -a --format '{{.Names}}' --sort names
}

@test "--cgroupns: without the flag the container shares the host's cgroup namespace on this cgroups v1 host and inspect says host (as Podman); private gives it one of its own; a bad mode in Podman's words" {
	[ ! -e /sys/fs/cgroup/cgroup.controllers ] || skip "the host has cgroups v2 alone: Podman's default there is private"
	for t in f podman_t; do
		echo "s/$(readlink /proc/self/ns/cgroup | sed 's/[][]/\\&/g')/<HOST>/" >>"$TEST_TMP/$t.sed"
		echo 's/cgroup:\[[0-9]*\]/<OWN>/' >>"$TEST_TMP/$t.sed"
	done
	audit_compare_expected cgroupns_sequence <<-'EOF'
		$ run --rm localhost/ferry-test:latest readlink /proc/self/ns/cgroup -> 0
		  out: <HOST>
		$ run --rm --cgroupns host localhost/ferry-test:latest readlink /proc/self/ns/cgroup -> 0
		  out: <HOST>
		$ run --rm --cgroupns private localhost/ferry-test:latest readlink /proc/self/ns/cgroup -> 0
		  out: <OWN>
		$ run --rm --cgroupns private localhost/ferry-test:latest sh -c grep -c ":/$" /proc/self/cgroup -> 0
		  out: 10
		$ create --name c1 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ create --name c2 --cgroupns host localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ create --name c3 --cgroupns private localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{.Name}} {{.HostConfig.CgroupMode}} c1 c2 c3 -> 0
		  out: c1 host
		  out: c2 host
		  out: c3 private
		$ create --cgroupns sideways localhost/ferry-test:latest true -> 125
		  err: Error: unrecognized namespace mode sideways passed: --cgroupns takes private or host
		$ ps -a --format {{.Names}} --sort names -> 0
		  out: c1
		  out: c2
		  out: c3
	EOF
}
