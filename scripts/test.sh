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
fi

# The container cgroups (ferry's, /ferry/[<root tag>-]<id>) that hold processes: every
# test must leave none behind, whatever else runs on this host.
ferry_cgroups() {
	local d cg
	for d in /proc/[0-9]*; do
		cg=$(grep -m1 '^[0-9]*:pids:/ferry/' "$d/cgroup" 2>/dev/null) || continue
		echo "${cg##*/}"
	done | sort -u
}

# What the network tests set up through netavark: their bridges (fty<N> of
# 060, ftd<N> of 061, ftw<N> of 092, ftu<N> of 102, ftn<N> of every test's
# default network), the firewall rules for their subnets (10.200.<N> to
# 10.205.<N>.0/24, 10.207.<N>.0/24, 10.212.<N>.0/24) and aardvark-dns.
network_leftovers() {
	ip -br link 2>/dev/null | awk '$1 ~ /^ft[ydnwu][0-9]+(@|$)/ { print "bridge " $1 }'
	nft list ruleset 2>/dev/null | grep -oE '10\.20[0-57]\.[0-9]+\.0/24|10\.212\.[0-9]+\.0/24|fd00:207:[0-9]+::/64' | sort -u | sed 's/^/nftables rule for /'
	pgrep -af aardvark-dns | grep -v defunct | grep -F ferry-test | sed 's/^/aardvark-dns /'
	ip netns list 2>/dev/null | awk '$1 ~ /^ferry-test-/ { print "network namespace " $1 }'
}

echo "== system tests"
ferry_cgroups >"$log/cgroups-before.txt"
network_leftovers >"$log/network-before.txt"
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(tests/system/*.bats)
bats --tap --timing "${files[@]}" >"$log/system.tap" 2>&1
tally "$log/system.tap" system
# The slowest tests, to keep the suite well under 30 minutes.
echo "  slowest:"
sed -nE 's/^(not )?ok [0-9]+ (.*) in ([0-9]+)ms( # skip.*)?$/\3 \2/p' "$log/system.tap" | sort -rn | head -n 8 |
	awk '{ ms = $1; $1 = ""; printf "    %6.1f s %s\n", ms / 1000, substr($0, 2) }'
# What bats said about each failure.
awk '/^not ok/ { p = 1; print; next } /^ok / { p = 0 } p' "$log/system.tap" | head -n 200
grep -q '^1\.\.' "$log/system.tap" || { failed=$((failed + 1)); echo "  FAILED: bats did not run"; cat "$log/system.tap"; }

echo "== leftovers"
sleep 1 # what teardown killed may take a moment to go
ferry_cgroups >"$log/cgroups-after.txt"
network_leftovers >"$log/network-after.txt"
net_leaked=$(comm -13 <(sort "$log/network-before.txt") <(sort "$log/network-after.txt"))
if [ -n "$net_leaked" ]; then
	failed=$((failed + 1))
	echo "  FAILED: the system tests left network set-up behind:"
	printf '    %s\n' "$net_leaked"
	# Do not let them poison the next run.
	for b in $(printf '%s\n' "$net_leaked" | awk '$1 == "bridge" { sub(/@.*/, "", $2); print $2 }'); do
		ip link del "$b" 2>/dev/null || true
	done
	for n in $(printf '%s\n' "$net_leaked" | awk '$1 == "network" { print $3 }'); do
		ip netns del "$n" 2>/dev/null || true
	done
fi
leaked=$(comm -13 "$log/cgroups-before.txt" "$log/cgroups-after.txt")
if [ -n "$leaked" ]; then
	failed=$((failed + 1))
	echo "  FAILED: the system tests left containers running (cgroups /ferry/[<root tag>-]<id>):"
	printf '    %s\n' $leaked
	# Do not let them poison the next run.
	for id in $leaked; do
		for d in /proc/[0-9]*; do
			grep -q "^[0-9]*:pids:/ferry/$id\$" "$d/cgroup" 2>/dev/null && kill -9 "${d#/proc/}" 2>/dev/null
		done
	done
else
	passed=$((passed + 1))
fi

echo "logs: $log"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
