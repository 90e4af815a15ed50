#!/usr/bin/env bats
# rm -f and stop -t 0 of running containers, one and many: how their
# processes are killed (the kernel ends a PID namespace with its init, so
# no `runtime kill` is run for a container that has one of its own; one
# that shares the host's still gets `runtime kill --all`), and that every
# process, mount, bridge and firewall rule is gone after them.

load helpers

# A runtime that notes each of its verbs with its arguments, one call a
# line, in $TEST_TMP/runtime.log, and runs runc.
logging_runtime() {
	mkdir -p "$TEST_TMP/bin"
	cat >"$TEST_TMP/bin/runc" <<-EOF
		#!/bin/sh
		echo "\$*" >>"$TEST_TMP/runtime.log"
		exec $(command -v runc) "\$@"
	EOF
	chmod +x "$TEST_TMP/bin/runc"
}

# ferry with the logging runtime.
fr() {
	f --runtime "$TEST_TMP/bin/runc" "$@"
}

# The PIDs (host's) of every process of container $1.
ctr_pids() {
	cat "$(ctr_cgroup_dir "" "$1")/tasks"
}

# Fails, naming it, when any of the PIDs $@ runs still (a zombie does not:
# this machine's PID 1 reaps late).
assert_all_dead() {
	local pid stat
	for pid in "$@"; do
		stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
		stat=${stat##*) }
		if [ "${stat%% *}" != Z ]; then
			echo "process $pid still runs: $(tr '\0' ' ' <"/proc/$pid/cmdline")" >&2
			return 1
		fi
	done
}

# Fails, saying so, when command $@ succeeds (bats does not fail a test
# on a command negated with !).
refute() {
	if "$@"; then
		echo "expected to fail: $*" >&2
		return 1
	fi
}

# Whether the logging runtime ran verb $2 for container $1.
ran_verb() {
	runtime_verbs "$1" | grep -qx -- "$2"
}

# Whether netavark's firewall table names $1.
firewall_names() {
	nft list table inet netavark 2>/dev/null | grep -qF -- "$1"
}

# The verbs the logging runtime ran for container $1 (full ID).
runtime_verbs() {
	grep -- "$1" "$TEST_TMP/runtime.log" | awk '{ for (i = 1; i <= NF; i++) if ($i !~ /^-/ && $(i - 1) !~ /^--(root|log|log-format)$/) { print $i; break } }'
}

@test "rm -f of a container with a PID namespace of its own kills all its processes, exec'd ones too, without a runtime kill" {
	load_test_image
	logging_runtime
	fr run -d --name c ferry-test sh -c 'sleep 1000 & sleep 1000' >/dev/null
	fr exec -d c sleep 2000 >/dev/null
	id=$(f inspect --format '{{.Id}}' c)
	wait_until "[ \$(ctr_pids $id | wc -l) -ge 2 ]"
	pids=$(ctr_pids "$id")
	: >"$TEST_TMP/runtime.log"

	run_ferry --runtime "$TEST_TMP/bin/runc" rm -f -t 0 c
	assert_status 0
	[ "$output" = c ]
	# shellcheck disable=SC2086 # one PID a word
	assert_all_dead $pids
	verbs=$(runtime_verbs "$id" | sort -u | tr '\n' ' ')
	[ "$verbs" = "delete " ] || {
		echo "runtime verbs: $verbs" >&2
		cat "$TEST_TMP/runtime.log" >&2
		false
	}
	[ "$(f ps -a -q | wc -l)" -eq 0 ]
	refute grep -qF "$TEST_TMP" /proc/self/mountinfo
}

@test "stop -t 0 records the SIGKILL's code 137 and a paused container's rm -f kills it too" {
	load_test_image
	logging_runtime
	fr run -d --name s ferry-test sleep 1000 >/dev/null
	pid=$(f inspect --format '{{.State.Pid}}' s)
	run_ferry --runtime "$TEST_TMP/bin/runc" stop -t 0 s
	assert_status 0
	[ "$output" = s ]
	[ "$(f inspect --format '{{.State.Status}} {{.State.ExitCode}}' s)" = "exited 137" ]
	assert_all_dead "$pid"
	id=$(f inspect --format '{{.Id}}' s)
	refute ran_verb "$id" kill

	fr run -d --name p ferry-test sh -c 'sleep 1000 & sleep 1000' >/dev/null
	id=$(f inspect --format '{{.Id}}' p)
	wait_until "[ \$(ctr_pids $id | wc -l) -ge 2 ]"
	pids=$(ctr_pids "$id")
	fr pause p >/dev/null
	run_ferry --runtime "$TEST_TMP/bin/runc" rm -f -t 0 p
	assert_status 0
	[ "$output" = p ]
	# shellcheck disable=SC2086 # one PID a word
	assert_all_dead $pids
	[ "$(f ps -a --format '{{.Names}}')" = s ]
}

@test "rm -f of containers in the host's PID namespace, or in another's, kills every process through runtime kill --all" {
	load_test_image
	logging_runtime
	fr run -d --name h --pid host ferry-test sh -c 'sleep 1001 & sleep 1001' >/dev/null
	fr run -d --name a ferry-test sleep 1002 >/dev/null
	fr run -d --name j --pid container:a ferry-test sh -c 'sleep 1003 & sleep 1003' >/dev/null
	hid=$(f inspect --format '{{.Id}}' h)
	jid=$(f inspect --format '{{.Id}}' j)
	wait_until "[ \$(ctr_pids $hid | wc -l) -ge 2 ] && [ \$(ctr_pids $jid | wc -l) -ge 2 ]"
	pids="$(ctr_pids "$hid") $(ctr_pids "$jid")"
	: >"$TEST_TMP/runtime.log"

	run_ferry --runtime "$TEST_TMP/bin/runc" rm -f -t 0 h j
	assert_status 0
	[ "$output" = "h
j" ]
	# shellcheck disable=SC2086 # one PID a word
	assert_all_dead $pids
	grep -q "kill --all $hid 9" "$TEST_TMP/runtime.log"
	grep -q "kill --all $jid 9" "$TEST_TMP/runtime.log"
	[ "$(f inspect --format '{{.State.Status}}' a)" = running ]
	fr rm -f -t 0 a >/dev/null
	[ "$(f ps -a -q | wc -l)" -eq 0 ]
}

@test "rm -f of many running containers on a bridge network, side by side, leaves no process, mount, veth, bridge or firewall rule" {
	load_test_image
	names=()
	for i in 1 2 3 4 5 6 7 8; do
		f run -d --name "b$i" --network bridge ferry-test sh -c 'sleep 1000 & sleep 1000' >/dev/null
		names+=("b$i")
	done
	pids=$(for n in "${names[@]}"; do ctr_pids "$(f inspect --format '{{.Id}}' "$n")"; done)
	ip link show "$DEFAULT_BRIDGE" >/dev/null
	subnet=${DEFAULT_SUBNET%/*}

	run_ferry rm -f -t 0 "${names[@]}" no-such
	assert_status 0
	[ "$output" = "$(printf '%s\n' "${names[@]}")" ]
	# shellcheck disable=SC2086 # one PID a word
	assert_all_dead $pids
	[ "$(f ps -a -q | wc -l)" -eq 0 ]
	refute grep -qF "$TEST_TMP" /proc/self/mountinfo
	refute ip link show "$DEFAULT_BRIDGE"
	refute firewall_names "$subnet"
	[ -z "$(ls -A "$RUNROOT/netns" 2>/dev/null)" ]
}
