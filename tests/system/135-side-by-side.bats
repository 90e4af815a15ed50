#!/usr/bin/env bats
# stop, kill and rm of several containers act on them side by side, each in
# a worker process of its own, as Podman's stop and rm do: a stop of ten
# containers that ignore SIGTERM waits one timeout, not ten.  What is
# printed comes in the order the containers were given; a failure is one
# line naming its container; a worker killed mid-job leaves what any killed
# command leaves, which the next command settles; a kill -9 of the command
# ends its workers too.

bats_require_minimum_version 1.5.0

load helpers

# Starts containers $@, each `sleep`, which as PID 1 ignores SIGTERM.
start_sleepers() {
	local n
	for n in "$@"; do
		f run -d --name "$n" ferry-test sleep 1000 >/dev/null
	done
}

# Succeeds when every container named is in state $1.
all_in_state() {
	local want=$1 n
	shift
	for n in "$@"; do
		[ "$(f inspect --format '{{.State.Status}}' "$n")" = "$want" ] || return 1
	done
}

# The ferry processes of this test's roots running command $1.
command_processes() {
	pgrep -f -- "--runroot $RUNROOT $1" || true
}

@test "stop of several: every container waits out its stop timeout at the same time, printed in the order given" {
	load_test_image
	start_sleepers a b c
	f stop -t 60 a b c >"$TEST_TMP/out" 2>"$TEST_TMP/err" &
	local pid=$!
	# One after another, only one would ever be stopping.
	wait_until "all_in_state stopping a b c" 30
	# Three workers (the command itself waits for them).
	[ "$(command_processes stop | wc -l)" -eq 4 ]
	f kill c a b >/dev/null
	wait "$pid"
	[ "$(cat "$TEST_TMP/out")" = "$(printf 'a\nb\nc')" ]
	all_in_state exited a b c
}

@test "stop of several: one that fails is one line naming it, the others stop, exit 125" {
	load_test_image
	start_sleepers a p b
	f pause p >/dev/null
	run --separate-stderr "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" stop -t 0 a p b
	assert_status 125
	[ "$output" = "$(printf 'a\nb')" ]
	[ "$(printf '%s\n' "$stderr" | grep -c .)" -eq 1 ]
	[[ "$stderr" == "Error: container "*" is running or paused, refusing to clean up"* ]]
	all_in_state exited a b
	all_in_state paused p
	f unpause p >/dev/null
}

@test "rm -f of more containers than workers on a bridge network: every one goes with its interface" {
	load_test_image
	local names=() n bridge
	f network create sbs >/dev/null
	bridge=$(f network inspect --format '{{.NetworkInterface}}' sbs)
	# More than the workers of a machine with up to 4 processors.
	for n in $(seq 1 14); do
		names+=("c$n")
		f run -d --network sbs --name "c$n" ferry-test sleep 1000 >/dev/null
	done
	[ "$(ip -o link show master "$bridge" | wc -l)" -eq 14 ]
	run_ferry rm -f -t 0 "${names[@]}"
	assert_status 0
	[ "$output" = "$(printf '%s\n' "${names[@]}")" ]
	[ -z "$(f ps -a -q)" ]
	[ -z "$(ip -o link show master "$bridge" 2>/dev/null)" ]
	[ -z "$(find "$ROOT/containers" "$RUNROOT/containers" -mindepth 1 -maxdepth 1)" ]
	f network rm sbs >/dev/null
}

@test "rm of several without -f: the running one is refused (exit 2), the others go" {
	load_test_image
	f create --name x ferry-test true >/dev/null
	start_sleepers up
	f create --name y ferry-test true >/dev/null
	run --separate-stderr "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" rm x up y
	assert_status 2
	[ "$output" = "$(printf 'x\ny')" ]
	[[ "$stderr" == "Error: cannot remove container "*" as it is running"* ]]
	[ "$(f ps -a --format '{{.Names}}')" = up ]
}

@test "rm -f of several, each worker killed mid-removal: the command says which, the next command settles" {
	load_test_image
	start_sleepers a b c
	ids=$(f inspect --format '{{.Id}}' a b c)
	run --separate-stderr env FERRY_FAULT=rm-row-removed "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" \
		rm -f -t 0 a b c
	assert_status 125
	[ -z "$output" ]
	[ "$(printf '%s\n' "$stderr" | grep -c .)" -eq 3 ]
	for n in a b c; do
		printf '%s\n' "$stderr" |
			grep -q "^Error: container $n: its worker process [0-9]* was killed by signal 9 before it reported"
	done
	[ -z "$(f ps -a -q)" ]
	# As after a one-process rm killed there: what is left is external.
	f system prune --external >/dev/null
	for id in $ids; do
		[ ! -e "$ROOT/containers/$id" ]
		! grep -q -- "$id" /proc/self/mountinfo || false
	done
	f run --rm ferry-test true
}

@test "rm -f where one has a dependent: one after another as before, the dependent refusing only its own" {
	load_test_image
	start_sleepers base other
	f run -d --name dep --network container:base ferry-test sleep 1000 >/dev/null
	run --separate-stderr "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" rm -f -t 0 base other
	assert_status 125
	[ "$output" = other ]
	[[ "$stderr" == "Error: container "*" has dependent containers which must be removed before it: "* ]]
	run_ferry rm -a -f -t 0
	assert_status 0
	[ -z "$(f ps -a -q)" ]
}

@test "kill -9 of a stop of several ends its workers too; the next command settles every container" {
	load_test_image
	start_sleepers a b c
	# The binary itself, not a shell function's subshell, is what is killed.
	"$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" stop -t 60 a b c >/dev/null 2>&1 &
	local pid=$!
	wait_until "all_in_state stopping a b c" 30
	kill -9 "$pid"
	wait "$pid" || true
	wait_until '[ -z "$(command_processes stop)" ]' 10
	# What a killed stop leaves: each container as it was, running.
	all_in_state running a b c
	run_ferry stop -t 0 a b c
	assert_status 0
	all_in_state exited a b c
}

@test "kill of several: each signalled, printed in the order given" {
	load_test_image
	start_sleepers a b c
	run_ferry kill -s KILL c a b
	assert_status 0
	[ "$output" = "$(printf 'c\na\nb')" ]
	wait_until "all_in_state exited a b c" 20
}

@test "rm of one container named twice removes and prints it once, as Podman's; stop prints it each time" {
	load_test_image
	start_sleepers a
	id=$(f inspect --format '{{.Id}}' a)
	run_ferry stop -t 0 a a
	assert_status 0
	[ "$output" = "$(printf 'a\na')" ]
	# Before, two workers raced for it and the second said it was gone.
	run_ferry rm -f -t 0 a "${id:0:12}" a
	assert_status 0
	[ "$output" = a ]
	[ -z "$(f ps -a -q)" ]
}
