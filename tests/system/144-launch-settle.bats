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

# True when process $1 is the criu that restores for this test's conmon:
# a child of runc, with restore.log open.
is_restoring_criu() {
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = criu ] &&
		[ "$(cat "/proc/$(awk '{ print $4 }' "/proc/$1/stat" 2>/dev/null)/comm" 2>/dev/null)" = runc ] &&
		ls -l "/proc/$1/fd" 2>/dev/null | grep -q 'restore\.log$' && under_our_conmon "$1"
}

# Stops the criu that restores (once it appears, for up to 20 s, while the
# ferry $1 lives) and prints its PID.  Checked again once stopped: it may
# have ended, or become another process, meanwhile.
stop_restoring_criu() {
	local ferry=$1 deadline=$((SECONDS + 20)) p
	while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$ferry" 2>/dev/null; do
		for p in $(pgrep -x criu); do
			is_restoring_criu "$p" || continue
			kill -STOP "$p" 2>/dev/null || continue
			if alive "$p" && is_restoring_criu "$p"; then
				echo "$p"
				return 0
			fi
			kill -CONT "$p" 2>/dev/null
		done
	done
	return 1
}

# A CDI device, ferry.test/hold=h, whose createRuntime hook (run by runc
# in its create, and in its restore while CRIU waits for it) holds the
# first launch that finds $TEST_TMP/hold, as long as that file is there and
# its runc lives: a runtime at work for as long as a test needs, for real.
# $TEST_TMP/holding appears once a launch is held.
hold_device() {
	mkdir -p "$TEST_TMP/cdi"
	cat >"$TEST_TMP/cdi/hold.json" <<-EOF
		{"cdiVersion": "0.6.0", "kind": "ferry.test/hold",
		 "containerEdits": {"hooks": [{"hookName": "createRuntime", "path": "/bin/sh", "args": ["/bin/sh", "-c",
		   "if [ -e $TEST_TMP/hold ] && mkdir $TEST_TMP/holding 2>/dev/null; then while [ -e $TEST_TMP/hold ] && kill -0 \$PPID 2>/dev/null; do sleep 0.05; done; fi"]}]},
		 "devices": [{"name": "h", "containerEdits": {"env": ["HELD=1"]}}]}
	EOF
}

# ferry with this test's roots and CDI specs.
fc() {
	f --cdi-spec-dir "$TEST_TMP/cdi" "$@"
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
	local pid criu rc before id n
	load_test_image
	hold_device
	fc run -d --name c1 --device ferry.test/hold=h $IMG \
		sh -c 'i=0; while true; do echo $i; i=$((i+1)); sleep 0.1; done' >/dev/null
	wait_until "[ \$(f logs c1 | wc -l) -ge 3 ]"
	f container checkpoint c1 >/dev/null
	before=$(test_mounts)
	id=$(f inspect --format '{{.Id}}' c1)

	# The restore held by the hook, CRIU waiting for runc: CRIU is
	# stopped, and then the hook lets runc go on.
	touch "$TEST_TMP/hold"
	FERRY_CONMON_TIMEOUT=3 "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" --cdi-spec-dir "$TEST_TMP/cdi" \
		container restore c1 >"$TEST_TMP/out" 2>&1 &
	pid=$!
	wait_until "[ -d '$TEST_TMP/holding' ]" 20
	criu=$(stop_restoring_criu "$pid")
	STOPPED+=("$criu")
	rm "$TEST_TMP/hold"
	rc=0
	wait "$pid" || rc=$?
	output=$(cat "$TEST_TMP/out")
	[ "$rc" -eq 125 ] || { echo "restore exited $rc: $output" >&2; false; }
	# Before, conmon, runc and the stopped CRIU stayed, and the tree CRIU
	# was restoring, in the container's cgroups.
	! alive "$criu" || false
	[ -z "$(launch_processes)" ]
	[ -z "$(cgroup_tasks "$id")" ]
	# Nothing mounted that was not before, and the rootfs whole: runc's
	# delete of the restore it never recorded went through the root file
	# system it left bound for CRIU, and removed the container's files.
	[ "$(test_mounts)" = "$before" ]
	[ -z "$(ls "$RUNROOT/runtime")" ]
	[ "$(f inspect --format '{{.State.Status}} {{.State.Checkpointed}}' c1)" = "exited true" ]
	assert_one_line_error
	assert_output_contains "container creation timeout: runc restore of container"
	assert_output_contains "did not finish in 3 s"
	assert_output_contains "FERRY_CONMON_TIMEOUT"

	fc container restore c1 >/dev/null
	[ "$(f inspect --format '{{.State.Status}}' c1)" = running ]
	n=$(f logs c1 | tail -1)
	wait_until "[ \$(f logs c1 | tail -1) -gt $n ]"
	f exec c1 test -x /bin/busybox
	f rm -f -t 0 c1 >/dev/null
	# (conmon runs its exit command, a moment after rm -f returns)
	wait_until '[ -z "$(launch_processes)" ]'
}

@test "run whose runtime create hangs: conmon and runc are ended when conmon's report times out, and the container starts on the next try" {
	load_test_image
	hold_device
	touch "$TEST_TMP/hold"
	run env FERRY_CONMON_TIMEOUT=3 "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" --cdi-spec-dir "$TEST_TMP/cdi" \
		run -d --name c1 --device ferry.test/hold=h $IMG sleep 1000
	assert_status 125
	[ -d "$TEST_TMP/holding" ]
	# Before, conmon and runc stayed, with the container half made.
	[ -z "$(launch_processes)" ]
	[ -z "$(test_mounts)" ]
	assert_one_line_error
	assert_output_contains "container creation timeout: runc create of container"
	[ "$(f inspect --format '{{.State.Status}}' c1)" = created ]
	fc start c1 >/dev/null
	[ "$(f inspect --format '{{.State.Status}}' c1)" = running ]
	f rm -f -t 0 c1 >/dev/null
	# (conmon runs its exit command, a moment after rm -f returns)
	wait_until '[ -z "$(launch_processes)" ]'
}

# ---- a launch whose ferry was killed ---------------------------------------

@test "run killed while conmon was at work: the next start ends the orphaned launch first, and starts the container the first time" {
	local pid conmon
	load_test_image
	hold_device
	# The killed run's conmon and its runtime's create, held in its course
	# (the flake: under load they were still at work when start looked,
	# and created the container under start's own create).  Only the
	# first launch is held.
	touch "$TEST_TMP/hold"
	"$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" --cdi-spec-dir "$TEST_TMP/cdi" \
		run -d --name c1 --device ferry.test/hold=h $IMG sleep 1000 >/dev/null 2>&1 &
	pid=$!
	wait_until "[ -d '$TEST_TMP/holding' ]" 20
	kill -9 "$pid"
	wait "$pid" || true
	[ "$(f inspect --format '{{.State.Status}}' c1)" = created ]
	# conmon and its runc at work for c1, and no ferry.
	[ -n "$(launch_processes)" ]

	run fc start c1
	assert_status 0
	# Before, the orphaned conmon and its runc stayed, to go on with their
	# create once the hook let them.
	[ "$(f inspect --format '{{.State.Status}}' c1)" = running ]
	conmon=$(f inspect --format '{{.State.ConmonPid}}' c1)
	[ "$(launch_processes)" = "$conmon" ]
	rm "$TEST_TMP/hold"
	f exec c1 true
	f rm -f -t 0 c1 >/dev/null
	# (conmon runs its exit command, a moment after rm -f returns)
	wait_until '[ -z "$(launch_processes)" ]'
	[ -z "$(test_mounts)" ]
}

@test "run killed at once after forking conmon leaves no conmon still to come: the next start finds the container created" {
	load_test_image
	run env FERRY_FAULT=conmon-started "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" \
		run -d --name c1 $IMG sleep 1000
	[ "$status" -eq 137 ]
	# Before, the conmon forked went on, and created the container with
	# no ferry to record it, and stayed to monitor it.  The orphan ends by
	# itself; under load that may take more than a moment.
	wait_until '[ -z "$(launch_processes)" ]' 15
	[ -z "$(runc --root "$RUNROOT/runtime" list -q 2>/dev/null)" ]
	[ "$(f inspect --format '{{.State.Status}}' c1)" = created ]
	f start c1 >/dev/null
	[ "$(f inspect --format '{{.State.Status}}' c1)" = running ]
	local conmon
	conmon=$(f inspect --format '{{.State.ConmonPid}}' c1)
	[ "$(launch_processes)" = "$conmon" ]
	f rm -f -t 0 c1 >/dev/null
	# (conmon runs its exit command, a moment after rm -f returns)
	wait_until '[ -z "$(launch_processes)" ]'
}
