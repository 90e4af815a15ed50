#!/usr/bin/env bats
# Crash safety: a checkpoint or restore killed at any instant is finished or
# undone by the next ordinary ferry command, with nothing left for a person
# to repair.  FERRY_FAULT=POINT makes ferry SIGKILL itself at a named point
# of an operation (src/lib/util/fault.h); the time-based tests kill it at
# instants that land inside CRIU's dump and restore.  After the kill, one
# `ferry ps` runs, and then:
#   - no operation is recorded, no staging, dump directory or temporary
#     archive remains, no container cgroup is frozen, no CRIU runs;
#   - the container runs on exactly one root, or is checkpointed with a
#     complete archive (or images) that restores;
#   - its counter never goes backwards (the log counts up by one from 0).

load helpers

# A counter holding 32 MiB of incompressible memory, so that CRIU's dump
# and restore take long enough for a kill to land inside them.
MEMCOUNTER='m=$(head -c 33554432 /dev/urandom | base64); i=0; while true; do echo $i; i=$((i+1)); sleep 0.2; done'

# ferry with this test's roots, killed at fault point $1.
f_fault() {
	local point=$1
	shift
	FERRY_FAULT=$point "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" "$@"
}

fb_fault() {
	local point=$1
	shift
	FERRY_FAULT=$point "$FERRY_BIN" --root "$TEST_TMP/rootB" --runroot "$TEST_TMP/runB" "$@"
}

start_counter() {
	load_test_image
	f run -d --name c -v data:/data ferry-test sh -c "$MEMCOUNTER" >/dev/null
	wait_until '[ "$(f logs c | wc -l)" -ge 3 ]' 30
}

# Runs SQL $2 on root $1's database, waiting for ferry's writers.
db() {
	sqlite3 -cmd '.timeout 10000' "$1/ferry.db" "$2"
}

# Asserts that root $1 (runroot $2) holds nothing half done.
assert_settled_root() {
	local root=$1 runroot=$2 n id state
	if [ -f "$root/ferry.db" ]; then
		# Another ferry (conmon's cleanup of the container CRIU ended, say)
		# may be settling it still: it owns the record while it does.
		wait_until "[ \"\$(db '$root' 'SELECT count(*) FROM operations')\" -eq 0 ]" 30 || true
		n=$(db "$root" 'SELECT count(*) FROM operations')
		[ "$n" -eq 0 ] || { echo "operations still recorded in $root: $(db "$root" 'SELECT * FROM operations')" >&2; return 1; }
		for id in $(db "$root" 'SELECT id FROM containers'); do
			state=$(freezer_state_file "$root" "$id")
			if [ -f "$state" ] && [ "$(cat "$state")" != THAWED ]; then
				echo "container $id left $(cat "$state")" >&2
				return 1
			fi
		done
	fi
	if [ -d "$runroot/checkpoints" ] && [ -n "$(ls -A "$runroot/checkpoints")" ]; then
		echo "left in $runroot/checkpoints: $(ls -A "$runroot/checkpoints")" >&2
		return 1
	fi
}

assert_settled() {
	assert_settled_root "$ROOT" "$RUNROOT"
	assert_settled_root "$TEST_TMP/rootB" "$TEST_TMP/runB"
	if [ -n "$(find "$TEST_TMP" -maxdepth 1 -name '.checkpoint.ferry-tmp-*')" ]; then
		echo "temporary archive left: $(find "$TEST_TMP" -maxdepth 1 -name '.checkpoint.ferry-tmp-*')" >&2
		return 1
	fi
	local pid
	for pid in $(pgrep -x criu); do
		# This test's CRIU holds files under its directory.
		if ls -l "/proc/$pid/cwd" "/proc/$pid/fd/" 2>/dev/null | grep -q -- "$TEST_TMP"; then
			echo "CRIU still runs: $(pgrep -a -x criu)" >&2
			return 1
		fi
	done
}

# Asserts container c (through $1, default f) runs and its counter moves on
# from at least $2.
assert_counting_from() {
	local via=${1:-f} from=$2
	[ "$($via inspect --format '{{.State.Status}}' c)" = running ]
	wait_until "[ \"\$(last_count c $via)\" -gt $((from + 1)) ]" 20
	assert_counts_on c "$via"
}

# checkpoint --export killed at $1 ($2: extra checkpoint flags); $3 is
# "back" (the container runs on as before, no archive) or "forward" (the
# archive is complete: without -R the container is checkpointed and the
# archive restores on root B; with -R it runs on too).
checkpoint_export_killed_at() {
	local point=$1 flags=$2 way=$3 before
	start_counter
	before=$(last_count c)
	run f_fault "$point" container checkpoint $flags --export "$TEST_TMP/c.tar.zst" c
	[ "$status" -eq 137 ]
	f ps -a >/dev/null
	assert_settled
	if [ "$way" = back ]; then
		[ ! -e "$TEST_TMP/c.tar.zst" ]
		assert_counting_from f "$before"
		# And a checkpoint now works as if nothing had happened.
		f container checkpoint $flags --export "$TEST_TMP/c.tar.zst" c >/dev/null
	elif [[ "$flags" == *-R* ]]; then
		assert_counting_from f "$before"
	else
		[ "$(ctr_status c)" = exited ]
		[ "$(f inspect --format '{{.State.Checkpointed}}' c)" = true ]
	fi
	fb load -q -i "$(ferry_test_image)"
	fb container restore --import "$TEST_TMP/c.tar.zst" >/dev/null
	assert_counting_from fb "$before"
	assert_settled
}

@test "checkpoint --export killed while frozen: the container thaws and runs on" {
	checkpoint_export_killed_at checkpoint-frozen "" back
}

@test "checkpoint --export killed as the runtime starts: no runtime or CRIU is left" {
	checkpoint_export_killed_at checkpoint-runtime-started "" back
}

@test "checkpoint --export killed after CRIU's dump: the container thaws, the partial archive goes" {
	checkpoint_export_killed_at checkpoint-dumped "" back
}

@test "checkpoint --export killed with the archive sealed but not renamed: undone" {
	checkpoint_export_killed_at checkpoint-sealed "" back
}

@test "checkpoint --export killed after the rename: finished, the container is checkpointed" {
	checkpoint_export_killed_at checkpoint-renamed "" forward
}

@test "checkpoint --export killed before the container is stopped: finished" {
	checkpoint_export_killed_at checkpoint-complete "" forward
}

@test "checkpoint -R --export killed after CRIU's dump: thawed, no archive" {
	checkpoint_export_killed_at checkpoint-dumped "-R" back
}

@test "checkpoint -R --export killed after the rename: finished, the container runs on" {
	checkpoint_export_killed_at checkpoint-renamed "-R" forward
}

# In-place checkpoint killed at $1 ($2: flags): "back" runs on, "forward"
# is checkpointed (without -R) and restores in place.
checkpoint_in_place_killed_at() {
	local point=$1 flags=$2 way=$3 before
	start_counter
	before=$(last_count c)
	run f_fault "$point" container checkpoint $flags c
	[ "$status" -eq 137 ]
	f ps -a >/dev/null
	assert_settled
	if [ "$way" = back ] || [[ "$flags" == *-R* ]]; then
		assert_counting_from f "$before"
		[ "$way" = forward ] || return 0
		f stop -t 0 c >/dev/null
	else
		[ "$(ctr_status c)" = exited ]
	fi
	[ "$(f inspect --format '{{.State.Checkpointed}}' c)" = true ]
	f container restore c >/dev/null
	assert_counting_from f "$before"
	assert_settled
}

@test "in-place checkpoint killed while frozen: the container thaws and runs on" {
	checkpoint_in_place_killed_at checkpoint-frozen "" back
}

@test "in-place checkpoint killed as the runtime starts: runs on" {
	checkpoint_in_place_killed_at checkpoint-runtime-started "" back
}

@test "in-place checkpoint killed after CRIU ended the container: finished, restorable" {
	checkpoint_in_place_killed_at checkpoint-dumped "" forward
}

@test "in-place checkpoint killed before it is recorded: finished, restorable" {
	checkpoint_in_place_killed_at checkpoint-complete "" forward
}

# restore --import on root B killed at $1: "back" leaves root B without
# the container or its volume, and a retry restores; "forward" adopts the
# restored container.
import_killed_at() {
	local point=$1 way=$2 before
	start_counter
	f container checkpoint --export "$TEST_TMP/c.tar.zst" c >/dev/null
	before=$(last_count c)
	fb load -q -i "$(ferry_test_image)"
	run fb_fault "$point" container restore --import "$TEST_TMP/c.tar.zst"
	[ "$status" -eq 137 ]
	fb ps -a >/dev/null
	assert_settled
	if [ "$way" = back ]; then
		[ -z "$(fb ps -aq)" ]
		[ -z "$(fb volume ls -q)" ]
		fb container restore --import "$TEST_TMP/c.tar.zst" >/dev/null
	else
		# Adopted: a second restore finds it there.
		run_fb container restore --import "$TEST_TMP/c.tar.zst"
		[ "$status" -eq 125 ]
		assert_output_contains "already exists"
	fi
	assert_counting_from fb "$before"
	[ "$(fb volume ls -q)" = data ]
	assert_settled
}

@test "restore --import killed after staging: the staging goes, a retry restores" {
	import_killed_at import-staged back
}

@test "restore --import killed with the container made: it and its volume go" {
	import_killed_at import-created back
}

@test "restore --import killed with the files unpacked: undone" {
	import_killed_at import-unpacked back
}

@test "restore --import killed after CRIU restored the process: adopted, counting on" {
	import_killed_at import-launched forward
}

# In-place restore killed at $1.
restore_in_place_killed_at() {
	local point=$1 way=$2 before
	start_counter
	f container checkpoint c >/dev/null
	before=$(last_count c)
	run f_fault "$point" container restore c
	[ "$status" -eq 137 ]
	f ps -a >/dev/null
	assert_settled
	if [ "$way" = back ]; then
		[ "$(ctr_status c)" = exited ]
		f container restore c >/dev/null
	else
		# The live process is adopted; its images are never replayed.
		run_ferry container restore c
		[ "$status" -eq 125 ]
	fi
	assert_counting_from f "$before"
	assert_settled
}

@test "in-place restore killed before CRIU ran: still checkpointed, a retry restores" {
	restore_in_place_killed_at restore-recorded back
}

@test "in-place restore killed after CRIU restored the process: adopted, never replayed" {
	restore_in_place_killed_at restore-launched forward
}

# Kills `ferry $*` on root $1 (runroot $2) after $3 seconds; returns at
# once if it finished before.
kill_after() {
	local root=$1 runroot=$2 delay=$3 pid
	shift 3
	"$FERRY_BIN" --root "$root" --runroot "$runroot" "$@" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

@test "checkpoint -R --export killed at instants inside CRIU's dump: always settled, counting on" {
	local delay before
	start_counter
	for delay in 0.05 0.15 0.3 0.5; do
		before=$(last_count c)
		rm -f "$TEST_TMP/c.tar.zst"
		kill_after "$ROOT" "$RUNROOT" "$delay" container checkpoint -R --export "$TEST_TMP/c.tar.zst" c
		f ps -a >/dev/null
		assert_settled
		assert_counting_from f "$before"
	done
}

@test "restore --import killed at instants inside CRIU's restore: one container, counting on" {
	local delay before
	start_counter
	f container checkpoint --export "$TEST_TMP/c.tar.zst" c >/dev/null
	before=$(last_count c)
	fb load -q -i "$(ferry_test_image)"
	for delay in 0.1 0.3 0.6; do
		kill_after "$TEST_TMP/rootB" "$TEST_TMP/runB" "$delay" container restore --import "$TEST_TMP/c.tar.zst"
		fb ps -a >/dev/null
		assert_settled
		if [ -n "$(fb ps -aq)" ]; then
			assert_counting_from fb "$before"
			fb rm -f -t 0 c >/dev/null
			fb volume rm data >/dev/null
		else
			[ -z "$(fb volume ls -q)" ]
		fi
	done
}

@test "an operation in progress shows in ps and inspect, and a living owner's work is never settled" {
	local pid id
	start_counter
	id=$(f inspect --format '{{.Id}}' c)
	FERRY_FAULT=checkpoint-frozen:stop "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" \
		container checkpoint --export "$TEST_TMP/c.tar.zst" c >/dev/null &
	pid=$!
	wait_until "[ \"\$(awk '{print \$3}' /proc/$pid/stat)\" = T ]" 30
	run_ferry ps
	assert_status 0
	assert_output_contains "(checkpointing)"
	[ "$(f inspect --format '{{.State.Operation.Kind}} {{.State.Operation.Pid}}' c)" = "checkpoint $pid" ]
	# Its owner lives: nobody thaws the container under it.
	[ "$(cat "$(freezer_state_file "$ROOT" "$id")")" = FROZEN ]
	kill -CONT "$pid"
	wait "$pid"
	[ "$(ctr_status c)" = exited ]
	run_ferry ps -a
	[[ "$output" != *"(checkpointing)"* ]]
	assert_settled
	fb load -q -i "$(ferry_test_image)"
	fb container restore --import "$TEST_TMP/c.tar.zst" >/dev/null
	assert_counts_on c fb
}

@test "an export to a relative path is settled right from any directory" {
	start_counter
	mkdir -p "$TEST_TMP/here" "$TEST_TMP/elsewhere"
	(cd "$TEST_TMP/here" && FERRY_FAULT=checkpoint-sealed "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" \
		container checkpoint --export c.tar.zst c) || true
	[ -n "$(find "$TEST_TMP/here" -name '.checkpoint.ferry-tmp-*')" ]
	(cd "$TEST_TMP/elsewhere" && f ps -a >/dev/null)
	# Undone: its temporary archive, beside the export path, is gone.
	[ -z "$(find "$TEST_TMP/here" -name '.checkpoint.ferry-tmp-*')" ]
	[ "$(ctr_status c)" = running ]
	(cd "$TEST_TMP/here" && FERRY_FAULT=checkpoint-renamed "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" \
		container checkpoint --export c.tar.zst c) || true
	(cd "$TEST_TMP/elsewhere" && f ps -a >/dev/null)
	# Finished: the archive is where it was asked for and the source stopped.
	[ -s "$TEST_TMP/here/c.tar.zst" ]
	[ "$(ctr_status c)" = exited ]
	assert_settled
}
