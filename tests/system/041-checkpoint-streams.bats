#!/usr/bin/env bats
# Streams: `checkpoint --export -` writes the archive to standard output and
# `restore --import -` reads it from standard input, so that a pipe (or ssh)
# carries a container from one root to another with no archive file.

load helpers

# The exporter of root A piped into the importer of root B; both statuses
# in $TEST_TMP/pipe.status ("A B").
export_pipe_import() {
	local name=$1
	shift
	(
		set +e
		"$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" container checkpoint --export - "$name" 2>"$TEST_TMP/a.err" |
			"$FERRY_BIN" --root "$TEST_TMP/rootB" --runroot "$TEST_TMP/runB" container restore --import - "$@" \
				>"$TEST_TMP/b.out" 2>"$TEST_TMP/b.err"
		echo "${PIPESTATUS[*]}" >"$TEST_TMP/pipe.status"
	)
}

@test "checkpoint --export - piped into restore --import - on another root: the count carries on" {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	f run -d --name mover ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs mover | wc -l)" -ge 5 ]'
	id=$(f inspect --format '{{.Id}}' mover)
	export_pipe_import mover
	[ "$(cat "$TEST_TMP/pipe.status")" = "0 0" ]
	# Standard output held the archive only; the importer prints the ID.
	[ ! -s "$TEST_TMP/a.err" ]
	[ "$(cat "$TEST_TMP/b.out")" = "$id" ]
	[ "$(ctr_status mover)" = exited ]
	n=$(last_count mover)
	[ "$(fb inspect --format '{{.State.Status}}' mover)" = running ]
	wait_until "[ \"\$(last_count mover fb)\" -ge $((n + 3)) ]"
	assert_counts_on mover fb
}

@test "a stream written to a file is an archive like any other; encrypted and signed streams work too" {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	age-keygen -o "$TEST_TMP/id.txt" 2>/dev/null
	recipient=$(age-keygen -y "$TEST_TMP/id.txt")
	openssl genpkey -algorithm ed25519 -out "$TEST_TMP/key.pem" 2>/dev/null
	openssl pkey -in "$TEST_TMP/key.pem" -pubout -out "$TEST_TMP/key.pub" 2>/dev/null
	f run -d --name c ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs c | wc -l)" -ge 3 ]'
	f container checkpoint -R --export - c >"$TEST_TMP/c.tar.zst"
	[ "$(f archive inspect --format '{{.Container.Name}}' "$TEST_TMP/c.tar.zst")" = c ]
	# Appended to a file (where a write cannot go back to patch a header).
	f container checkpoint -R --export - c >>"$TEST_TMP/c-appended.tar.zst"
	[ "$(f archive inspect --format '{{.Container.Name}}' "$TEST_TMP/c-appended.tar.zst")" = c ]
	f container checkpoint -R --export - --encrypt-recipient "$recipient" --sign-key "$TEST_TMP/key.pem" c |
		fb container restore --import - --decrypt-key "$TEST_TMP/id.txt" --verify-key "$TEST_TMP/key.pub" >/dev/null
	[ "$(fb inspect --format '{{.State.Status}}' c)" = running ]
	# --print-stats goes to standard error, beside the archive.
	f container checkpoint -R --export - --print-stats c 2>"$TEST_TMP/stats.json" >"$TEST_TMP/c2.tar.zst"
	jq -e '.ferry_checkpoint_duration > 0' "$TEST_TMP/stats.json" >/dev/null
	[ "$(f archive inspect --format '{{.Container.Name}}' "$TEST_TMP/c2.tar.zst")" = c ]
	[ "$(ctr_status c)" = running ]
}

@test "a stream cut short is refused with one line and leaves nothing on the target" {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	f run -d --name c ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs c | wc -l)" -ge 3 ]'
	f container checkpoint -R --export - c >"$TEST_TMP/c.tar.zst"
	size=$(stat -c %s "$TEST_TMP/c.tar.zst")
	for cut in 0 100 512 $((size / 3)) $((size / 2)) $((size - 100)) $((size - 1)); do
		run sh -c "head -c $cut '$TEST_TMP/c.tar.zst' | '$FERRY_BIN' --root '$TEST_TMP/rootB' --runroot '$TEST_TMP/runB' container restore --import -"
		assert_status 125
		assert_one_line_error
		assert_output_contains "standard input"
		assert_host_b_untouched
	done
	# Whole, it restores.
	fb container restore --import - <"$TEST_TMP/c.tar.zst" >/dev/null
	[ "$(fb inspect --format '{{.State.Status}}' c)" = running ]
}

@test "when the reader is gone, the export fails with one line and the container runs on" {
	load_test_image
	f run -d --name c ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs c | wc -l)" -ge 3 ]'
	# (A small container's whole archive fits in a pipe's buffer: the reader
	# must be gone before the first write for the writer to notice.)
	run bash -c "set -o pipefail; '$FERRY_BIN' --root '$ROOT' --runroot '$RUNROOT' container checkpoint --export - c 2>'$TEST_TMP/a.err' | true"
	[ "$status" -ne 0 ]
	run cat "$TEST_TMP/a.err"
	assert_one_line_error
	[ "$(ctr_status c)" = running ]
	n=$(last_count c)
	wait_until "[ \"\$(last_count c)\" -gt $n ]"
	assert_counts_on c
	[ -z "$(ls -A "$RUNROOT/checkpoints" 2>/dev/null)" ]
	# --export - to a terminal is refused before anything happens.
	run script -qec "'$FERRY_BIN' --root '$ROOT' --runroot '$RUNROOT' container checkpoint --export - c" /dev/null
	[[ "$output" == *"terminal"* ]]
	[ "$(ctr_status c)" = running ]
}

@test "a stream export killed before its end is undone by the next command; killed once it is whole, finished" {
	load_test_image
	f run -d --name c ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs c | wc -l)" -ge 3 ]'
	# Killed while frozen, and once CRIU has dumped: back, running.
	for point in checkpoint-frozen checkpoint-dumped; do
		run bash -c "FERRY_FAULT=$point '$FERRY_BIN' --root '$ROOT' --runroot '$RUNROOT' container checkpoint --export - c >'$TEST_TMP/cut.tar.zst'"
		[ "$status" -eq 137 ]
		[ "$(ctr_status c)" = running ]
		n=$(last_count c)
		wait_until "[ \"\$(last_count c)\" -gt $n ]"
	done
	# Killed after the whole archive went out: forward, checkpointed, and
	# what went out restores.
	run bash -c "FERRY_FAULT=checkpoint-sealed '$FERRY_BIN' --root '$ROOT' --runroot '$RUNROOT' container checkpoint --export - c >'$TEST_TMP/whole.tar.zst'"
	[ "$status" -eq 137 ]
	[ "$(ctr_status c)" = exited ]
	[ -z "$(ls -A "$RUNROOT/checkpoints" 2>/dev/null)" ]
	fb load -q -i "$(ferry_test_image)"
	fb container restore --import - <"$TEST_TMP/whole.tar.zst" >/dev/null
	[ "$(fb inspect --format '{{.State.Status}}' c)" = running ]
	assert_counts_on c
}
