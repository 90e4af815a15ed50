#!/usr/bin/env bash
# Builds ferry and runs every test, as root:
#   - the C unit tests (cmocka), once plainly and once under ASan + UBSan;
#   - the formatting check (clang-format, the repo's .clang-format);
#   - the system tests (bats), which drive build/ferry with real runc, CRIU,
#     conmon and overlayfs, each test in its own temporary --root/--runroot.
# Ends with one line "N passed, N failed, N skipped" and exits non-zero when
# anything failed.
#
# Usage: scripts/test.sh [tests/system/NNN-name.bats ...]
#   With files, runs only those system tests (and skips the unit tests).
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
	echo "test: the tests mount overlays and run containers: run as root" >&2
	exit 1
fi

log=$(mktemp -d /tmp/ferry-test-log.XXXXXX)
passed=0
failed=0
skipped=0

# Counts a TAP stream's results into the totals and echoes failures.
tally() {
	local line
	while IFS= read -r line; do
		case "$line" in
		"ok "*"# skip"* | "ok "*"# SKIP"*) skipped=$((skipped + 1)) ;;
		"ok "*) passed=$((passed + 1)) ;;
		"not ok "*) failed=$((failed + 1)); echo "  FAILED: $2: ${line#not ok }" ;;
		esac
	done <"$1"
}

echo "== build"
if ! scripts/build.sh --asan >"$log/build.txt" 2>&1; then
	cat "$log/build.txt"
	echo "0 passed, 1 failed"
	exit 1
fi

if [ $# -eq 0 ]; then
	for dir in build build-asan; do
		echo "== unit tests ($dir)"
		for t in "$dir"/test_*; do
			[ -f "$t" ] || continue
			[ -x "$t" ] || continue
			name=$(basename "$t")
			CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$log/$dir-$name.tap" 2>"$log/$dir-$name.err"
			rc=$?
			tally "$log/$dir-$name.tap" "$dir/$name"
			if ! grep -q '^ok \|^not ok ' "$log/$dir-$name.tap" || { [ $rc -ne 0 ] && ! grep -q '^not ok ' "$log/$dir-$name.tap"; }; then
				# A crash (a sanitizer report, say) before or after the results.
				failed=$((failed + 1))
				echo "  FAILED: $dir/$name exited $rc"
				tail -n 20 "$log/$dir-$name.err"
			fi
		done
	done

	echo "== format"
	if files=$(git ls-files '*.c' '*.h' 2>/dev/null) && [ -n "$files" ] && ! clang-format --dry-run --Werror $files >"$log/format.txt" 2>&1; then
		failed=$((failed + 1))
		echo "  FAILED: clang-format: run clang-format -i on:"
		grep -o "^[^: ]*\.[ch]:" "$log/format.txt" | tr -d : | sort -u | sed 's/^/    /'
	else
		passed=$((passed + 1))
	fi
	# bats stops a test on a failing command, but not on one negated with
	# `!` (set -e passes over it): such a check must end `|| false`.
	echo "== negated checks"
	if negated=$(grep -nE '^[[:space:]]+! ' tests/system/*.bats | grep -v '||'); then
		failed=$((failed + 1))
		echo "  FAILED: these checks can never fail a test: end each with || false"
		printf '%s\n' "$negated" | sed 's/^/    /'
	else
		passed=$((passed + 1))
	fi
	# A variable with a cleanup attribute is released on every return,
	# including one before its first assignment: it must be initialised
	# where it is declared.
	echo "== cleanup variables initialised"
	bare=$(find src tests/unit -name '*.c' -exec grep -nE '^[[:space:]]*cleanup_[a-z_]+ [^=;(]*;' {} + || true)
	if [ -n "$bare" ]; then
		failed=$((failed + 1))
		echo "  FAILED: these are released even when never set: initialise each"
		printf '%s\n' "$bare" | sed 's/^/    /'
	else
		passed=$((passed + 1))
	fi
fi

# The system tests, in shards that run side by side (FERRY_TEST_JOBS, by
# default one per processor, at most 2), each in namespaces of its own
# (tests/lib/shard.sh).  Each shard takes the next file from one queue, the
# files with the most tests first, so that the shards end together.
echo "== system tests"
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(tests/system/*.bats)
jobs=${FERRY_TEST_JOBS:-$(nproc)}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
[ -n "${FERRY_TEST_JOBS:-}" ] || [ "$jobs" -le 2 ] || jobs=2
[ "$jobs" -le ${#files[@]} ] || jobs=${#files[@]}
mkdir "$log/system"
# The test image, built once for every file (tests/system/helpers.bash).
export FERRY_CACHE=$log/cache
for file in "${files[@]}"; do echo "$(grep -c '^@test' "$file") $file"; done |
	sort -k1,1nr -k2,2 | cut -d' ' -f2 >"$log/queue"
pids=()
for ((i = 0; i < jobs; i++)); do
	tests/lib/shard.sh "$log/queue" "$log/system" "$log/leftovers-$i.txt" &
	pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
for file in "${files[@]}"; do
	tap=$log/system/$(basename "$file").tap
	if [ -f "$tap" ] && grep -q '^1\.\.' "$tap"; then
		tally "$tap" "$(basename "$file")"
	else
		failed=$((failed + 1))
		echo "  FAILED: bats did not run $file"
		[ ! -f "$tap" ] || cat "$tap"
	fi
done
cat "$log"/system/*.tap >"$log/system.tap" 2>/dev/null
# The slowest tests, to keep the suite well under 30 minutes.
echo "  slowest:"
sed -nE 's/^(not )?ok [0-9]+ (.*) in ([0-9]+)ms( # skip.*)?$/\3 \2/p' "$log/system.tap" | sort -rn | head -n 8 |
	awk '{ ms = $1; $1 = ""; printf "    %6.1f s %s\n", ms / 1000, substr($0, 2) }'
# What bats said about each failure.
awk '/^not ok/ { p = 1; print; next } /^ok / { p = 0 } p' "$log/system.tap" | head -n 200

echo "== leftovers"
leaked=$(cat "$log"/leftovers-*.txt 2>/dev/null)
if [ -n "$leaked" ]; then
	failed=$((failed + 1))
	echo "  FAILED: the system tests left containers or network set-up behind (gone with their shard):"
	printf '%s\n' "$leaked" | sed 's/^/    /'
else
	passed=$((passed + 1))
fi
# Not a failure of the test that left them, but worth a look: a container
# whose processes no runtime state named when its test ended.
strays=$(cat "$log"/leftovers-*.txt.strays 2>/dev/null)
if [ -n "$strays" ]; then
	echo "  notice: teardown killed container processes that no runtime state named:"
	printf '%s\n' "$strays" | sed 's/^/    /'
fi
for ((i = 0; i < jobs; i++)); do
	[ -f "$log/leftovers-$i.txt" ] || { failed=$((failed + 1)); echo "  FAILED: shard $i did not check its leftovers"; }
done

echo "logs: $log"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
