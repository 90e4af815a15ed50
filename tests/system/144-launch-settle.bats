#!/usr/bin/env bats
# What a failed or killed launch leaves (conmon, the runtime's create or
# restore, CRIU under it) is ended by the launch that failed, or by the
# next one: a runtime or CRIU that hangs until conmon's report times out
# ($FERRY_CONMON_TIMEOUT, 240 s by default), and a `run` SIGKILLed
# (FERRY_FAULT, src/lib/util/fault.h) while conmon was at work, whose
# conmon and runtime would otherwise go on creating the container under
# the next `start`.

load helpers

bats_require_minimum_version 1.5.0

IMG=localhost/ferry-test

eval "launch_$(declare -f setup)"
setup() {
	launch_setup
	STOPPED=()
}

eval "launch_$(declare -f teardown)"
teardown() {
	local p
	# What a test stopped and ferry did not end (before the fix).
	for p in "${STOPPED[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	if [ -d "${ROOT:-/nonexistent}" ]; then f rm -af -t 0 >/dev/null 2>&1 || true; fi
	launch_teardown
}

# True when process $1 names the test's runroot in its arguments.
names_runroot() {
	tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q -- "$RUNROOT/"
}

# True when process $1 lives (a zombie does not: PID 1 here reaps late).
alive() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# True when a conmon of this runroot is among the ancestors of process $1.
under_our_conmon() {
	local q=$1
	while [ "$q" -gt 1 ]; do
		q=$(awk '{ print $4 }' "/proc/$q/stat" 2>/dev/null) || return 1
		[ -n "$q" ] || return 1
		if [ "$(cat "/proc/$q/comm" 2>/dev/null)" = conmon ] && names_runroot "$q"; then
			return 0
		fi
	done
	return 1
}

# The live conmon, runc and criu processes of this test's roots: those
# naming its runroot, and those under one of its conmons.
launch_processes() {
	local p
	for p in $(pgrep -x 'conmon|runc|criu'); do
		alive "$p" || continue
		if names_runroot "$p" || under_our_conmon "$p"; then echo "$p"; fi
	done
}

# The processes left in container $1's cgroups (freezer and pids).
cgroup_tasks() {
	local c
	for c in freezer pids; do
		cat "$(ctr_cgroup_dir "$ROOT" "$1" "$c")/cgroup.procs" 2>/dev/null
	done
}

# Waits (up to 20 s, and while the ferry $2 lives when given) for a
# process of the launch to appear and prints its PID: the criu that
# restores (it has restore.log open) with "criu", the runtime's create
# with "create".
catch_helper() {
	local what=$1 ferry=${2:-} deadline=$((SECONDS + 20)) p
	while [ "$SECONDS" -lt "$deadline" ]; do
		[ -z "$ferry" ] || kill -0 "$ferry" 2>/dev/null || return 1
		if [ "$what" = criu ]; then
			for p in $(pgrep -x criu); do
				ls -l "/proc/$p/fd" 2>/dev/null | grep -q 'restore\.log$' || continue
				under_our_conmon "$p" && { echo "$p"; return 0; }
			done
		else
			for p in $(pgrep -x runc); do
				tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q ' create ' || continue
				names_runroot "$p" && { echo "$p"; return 0; }
			done
		fi
	done
	return 1
}

# The mount points under the test's directory.
test_mounts() {
	awk -v t="$TEST_TMP" 'index($5, t "/") == 1 { print $5 }' /proc/self/mountinfo | sort
}

# ---- a launch whose runtime or CRIU hangs ----------------------------------

@test "FERRY_CONMON_TIMEOUT that is not a number of seconds stops every command, which changes nothing" {
	local v
	for v in abc 0 -5 86401 1.5; do
		run env FERRY_CONMON_TIMEOUT="$v" "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" ps -a
		assert_status 125
		assert_one_line_error
		assert_output_contains "invalid FERRY_CONMON_TIMEOUT \`$v\`"
	done
	[ ! -e "$ROOT" ]
	FERRY_CONMON_TIMEOUT=30 f ps -a >/dev/null
}

@test "restore whose CRIU hangs: conmon, runc and CRIU are ended when conmon's report times out, and the container restores on the next try" {
	local pid criu rc
	load_test_image
	f run -d --name c1 $IMG sh -c 'i=0; while true; do echo $i; i=$((i+1)); sleep 0.1; done' >/dev/null
	wait_until "[ \$(f logs c1 | wc -l) -ge 3 ]"
	f container checkpoint c1 >/dev/null
	local before id
	before=$(test_mounts)
	id=$(f inspect --format '{{.Id}}' c1)

	FERRY_CONMON_TIMEOUT=3 "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" container restore c1 \
		>"$TEST_TMP/out" 2>&1 &
	pid=$!
	criu=$(catch_helper criu)
	kill -STOP "$criu"
	STOPPED+=("$criu")
	rc=0
	wait "$pid" || rc=$?
	output=$(cat "$TEST_TMP/out")
	[ "$rc" -eq 125 ] || { echo "restore exited $rc: $output" >&2; false; }
	assert_one_line_error
	assert_output_contains "container creation timeout: runc restore of container"
	assert_output_contains "did not finish in 3 s"
	assert_output_contains "FERRY_CONMON_TIMEOUT"
	# Before, conmon, runc and the stopped CRIU stayed, and the tree CRIU
	# was restoring, in the container's cgroups.
	! alive "$criu"
	[ -z "$(launch_processes)" ]
	[ -z "$(cgroup_tasks "$id")" ]
	# Nothing mounted that was not before, and the rootfs whole: runc's
	# delete of the restore it never recorded went through the root file
	# system it left bound for CRIU, and removed the container's files.
	[ "$(test_mounts)" = "$before" ]
	[ -z "$(ls "$RUNROOT/runtime")" ]
	[ "$(f inspect --format '{{.State.Status}} {{.State.Checkpointed}}' c1)" = "exited true" ]
	[ -z "$(launch_processes)" ]

	f container restore c1 >/dev/null
	[ "$(f inspect --format '{{.State.Status}}' c1)" = running ]
	local n
	n=$(f logs c1 | tail -1)
	wait_until "[ \$(f logs c1 | tail -1) -gt $n ]"
	f exec c1 test -x /bin/busybox
	f rm -f -t 0 c1 >/dev/null
}

@test "run whose runtime create hangs: conmon and runc are ended when conmon's report times out, and the container starts on the next try" {
	local pid runc rc
	load_test_image
	FERRY_CONMON_TIMEOUT=3 "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" run -d --name c1 $IMG sleep 1000 \
		>"$TEST_TMP/out" 2>&1 &
	pid=$!
	runc=$(catch_helper create)
	kill -STOP "$runc"
	STOPPED+=("$runc")
	rc=0
	wait "$pid" || rc=$?
	output=$(cat "$TEST_TMP/out")
	[ "$rc" -eq 125 ] || { echo "run exited $rc: $output" >&2; false; }
	assert_one_line_error
	assert_output_contains "container creation timeout: runc create of container"
	! alive "$runc"
	[ -z "$(launch_processes)" ]
	[ -z "$(test_mounts)" ]
	[ "$(f inspect --format '{{.State.Status}}' c1)" = created ]
	f start c1 >/dev/null
	[ "$(f inspect --format '{{.State.Status}}' c1)" = running ]
	f rm -f -t 0 c1 >/dev/null
	[ -z "$(launch_processes)" ]
}

# ---- a launch whose ferry was killed ---------------------------------------

@test "run killed while conmon was at work: the next start ends the orphaned launch first, and starts the container the first time" {
	local tries pid runc=
	load_test_image
	# The killed run's conmon and its runtime's create, held in its course
	# (the flake: under load they were still at work when start looked,
	# and created the container under start's own create).  The create is
	# short: when the run finishes before the test holds it, it tries
	# again.
	for tries in 1 2 3 4 5; do
		"$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" run -d --name c1 $IMG sleep 1000 >/dev/null 2>&1 &
		pid=$!
		if runc=$(catch_helper create "$pid"); then
			kill -STOP "$runc"
			STOPPED+=("$runc")
			kill -9 "$pid"
			wait "$pid" || true
			break
		fi
		wait "$pid" || true
		f rm -f -t 0 c1 >/dev/null
	done
	[ -n "$runc" ]
	[ "$(f inspect --format '{{.State.Status}}' c1)" = created ]
	# conmon and its runc at work for c1, and no ferry.
	[ -n "$(launch_processes)" ]

	run_ferry start c1
	assert_status 0
	# Before, the orphaned conmon and its runc stayed, to go on when the
	# runc goes on.
	! alive "$runc"
	[ "$(f inspect --format '{{.State.Status}}' c1)" = running ]
	local conmon
	conmon=$(f inspect --format '{{.State.ConmonPid}}' c1)
	[ "$(launch_processes)" = "$conmon" ]
	f exec c1 true
	f rm -f -t 0 c1 >/dev/null
	[ -z "$(launch_processes)" ]
	[ -z "$(test_mounts)" ]
}

@test "run killed at once after forking conmon leaves no conmon still to come: the next start finds the container created" {
	load_test_image
	run env FERRY_FAULT=conmon-started "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" \
		run -d --name c1 $IMG sleep 1000
	[ "$status" -eq 137 ]
	# Before, the conmon forked went on, and created the container with
	# no ferry to record it: a second to show itself (none may come).
	sleep 1
	[ -z "$(launch_processes)" ]
	[ -z "$(runc --root "$RUNROOT/runtime" list -q 2>/dev/null)" ]
	[ "$(f inspect --format '{{.State.Status}}' c1)" = created ]
	f start c1 >/dev/null
	[ "$(f inspect --format '{{.State.Status}}' c1)" = running ]
	local conmon
	conmon=$(f inspect --format '{{.State.ConmonPid}}' c1)
	[ "$(launch_processes)" = "$conmon" ]
	f rm -f -t 0 c1 >/dev/null
	[ -z "$(launch_processes)" ]
}
