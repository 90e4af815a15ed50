#!/usr/bin/env bats
# Kill anywhere: a state-changing command SIGKILLed at any instant leaves a
# state the next ferry command settles by itself.  tests/lib/kill-anywhere.sh
# kills commands at random instants to find the windows nobody put a named
# fault point in; each window it found has a fault point now
# (src/lib/util/fault.h) and a deterministic test here, which are the real
# regression tests.  The last test is a short randomised smoke of the driver
# with a fixed seed, so that it keeps working.

load helpers

# ferry with this test's roots, killed at fault point $1.
f_fault() {
	local point=$1
	shift
	FERRY_FAULT=$point "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" "$@"
}

# Runs SQL $1 on the test's database, waiting for ferry's writers.
db() {
	sqlite3 -cmd '.timeout 10000' "$ROOT/ferry.db" "$1"
}

@test "the kill-anywhere driver: a few random kills of run -d, checkpoint and restore settle" {
	# Its temporary roots go under this test's directory, for teardown.
	run env TMPDIR="$TEST_TMP" FERRY_CACHE="$FERRY_CACHE" FERRY_BIN="$FERRY_BIN" \
		bash "$FERRY_SRC/tests/lib/kill-anywhere.sh" -n 3 -c run,ckpt,restore -s 7
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"run: 3 kills"*"ckpt: 6 kills"*"restore: 6 kills"* ]]
}
