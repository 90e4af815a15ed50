#!/usr/bin/env bats
# logs as a Podman user types it: several containers with their IDs or
# --names, --tail, -t in Go's time form, --since and --until in Unix
# seconds, durations and RFC 3339, -f of a container that exits; compared
# with Podman run live where it is installed.

load helpers
load podman-helpers

teardown() {
	podman_teardown
	ferry_teardown
}

# The same steps in TOOL; one "$ ARGS -> CODE" line and the sorted output
# per step (Podman reads several logs side by side).
steps() {
	local t=$1 image=ferry-test future past rc
	[ "$t" = f ] || image=localhost/ferry-test:latest
	"$t" run --name l1 --network none "$image" sh -c 'echo one; echo two' >/dev/null
	"$t" run --name l2 --network none "$image" sh -c 'echo three >&2' >/dev/null 2>&1
	future=$(( $(date +%s) + 3600 ))
	past=$(( $(date +%s) - 3600 ))
	for args in "l1" "l1 l2" "--names l1 l2" "-n l1" "--tail 1 l1" "--tail 0 l1" "--since 10m l1" \
		"--since $future l1" "--until $past l1" "--until 10m l1" "--since 2000-01-01T00:00:00Z l2" \
		"--since bogus l1" "--tail x l1" "nosuch" "l1 nosuch"; do
		rc=0
		# shellcheck disable=SC2086
		"$t" logs $args >"$TEST_TMP/out" 2>&1 || rc=$?
		echo "\$ $args -> $rc" | sed -e "s/$future/FUTURE/" -e "s/$past/PAST/"
		# The words errors start with; every line of a log.
		if [ "$rc" = 0 ]; then
			sed -E 's/^[0-9a-f]{12} /ID /' "$TEST_TMP/out" | sort
		else
			head -n 1 "$TEST_TMP/out" | cut -c 1-14
		fi
	done
}

@test "logs: several containers, --names, --tail, --since and --until as Podman's" {
	load_test_image
	steps f >"$TEST_TMP/ferry.txt" 2>&1
	grep -qx 'ID one' "$TEST_TMP/ferry.txt"
	grep -qx 'l2 three' "$TEST_TMP/ferry.txt"
	if command -v podman >/dev/null; then
		mkdir -p "$TEST_TMP/ptmp"
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		steps podman_t >"$TEST_TMP/podman.txt" 2>&1
		diff -u "$TEST_TMP/podman.txt" "$TEST_TMP/ferry.txt"
	fi
	# -t: Go's RFC 3339 with nanoseconds, in UTC.
	f logs -t l1 | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\.[0-9]{1,9})?Z one$'
	[ "$(f logs --tail 1 --names -t l1 l2 2>&1 | cut -d' ' -f1,3 | paste -sd ' ')" = "l1 two l2 three" ]
}

@test "logs -f of several containers ends when they exit" {
	load_test_image
	f run -d --name a --network none ferry-test sh -c 'echo a1; sleep 1; echo a2' >/dev/null
	f run -d --name b --network none ferry-test sh -c 'echo b1; sleep 2; echo b2' >/dev/null
	run timeout 30 "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" logs -f --names a b
	assert_status 0
	[ "$(printf '%s\n' "$output" | sort | paste -sd ' ')" = "a a1 a a2 b b1 b b2" ]
}
