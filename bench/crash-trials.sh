#!/usr/bin/env bash
# bench/crash-trials: ferry killed at random instants of checkpoint and
# restore, many times, and what the next command left.  The long, randomized
# version of tests/system/047-crash-safety.bats; run it by hand, as root.
#
# Usage: bench/crash-trials.sh [--trials N] [--mib M] [--ops "OP ..."]
#   --trials N  trials per operation (default 30)
#   --mib M     memory the container holds, MiB of random data (default 64)
#   --ops       which of: export export-R inplace inplace-R import restore
#               (default all six)
#
# Each trial starts a fresh counter container, times nothing, starts the
# operation and SIGKILLs it after a random delay within the operation's own
# unkilled duration (measured first).  Odd trials kill ferry alone, even
# ones its whole process group.  Then one `ferry ps` runs, and the trial
# counts as clean only when: no operation is recorded (a settle in progress
# by another ferry is waited for, 30 s at most), no staging, dump directory
# or temporary archive remains, no container cgroup is frozen, no CRIU of
# this run is alive, and the container runs on exactly one root with its
# counter going on (or sits checkpointed with an archive or images that
# restore and go on).  Anything else is printed and counted as a repair a
# person would have had to make.
set -uo pipefail

bench_name=bench/crash-trials
repo_root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$repo_root/bench/lib.sh"

trials=30
mib=64
ops="export export-R inplace inplace-R import restore"
while [ $# -gt 0 ]; do
	case "$1" in
	--trials) trials=$2; shift ;;
	--mib) mib=$2; shift ;;
	--ops) ops=$2; shift ;;
	-h | --help) usage ;;
	*) usage ;;
	esac
	shift
done
[ "$(id -u)" -eq 0 ] || die "run as root"
ferry=${FERRY:-$repo_root/build/ferry}
[ -x "$ferry" ] || die "no ferry binary at '$ferry': build it (scripts/build.sh) or set FERRY"

work=$(mktemp -d /tmp/ferry-crash-trials.XXXXXX)
A=(--root "$work/rootA" --runroot "$work/runA")
B=(--root "$work/rootB" --runroot "$work/runB")
counter="m=\$(head -c $((mib << 20)) /dev/urandom | base64); i=0; while true; do echo \$i; i=\$((i+1)); sleep 0.1; done"

cleanup() {
	local rt id
	for rt in "$work/runA/runtime" "$work/runB/runtime"; do
		for id in $(runc --root "$rt" list -q 2>/dev/null); do
			runc --root "$rt" kill -a "$id" KILL 2>/dev/null
			runc --root "$rt" delete -f "$id" 2>/dev/null
		done
	done
	pkill -9 -f -- "$work" 2>/dev/null
	unmount_below "$work"
	rm -rf "$work"
}
trap cleanup EXIT

fa() { "$ferry" "${A[@]}" "$@"; }
fb() { "$ferry" "${B[@]}" "$@"; }

"$repo_root/tests/lib/build-test-image.sh" "$work/image.tar" >/dev/null || die "cannot build the test image"
fa load -q -i "$work/image.tar" >/dev/null || die "cannot load the test image"
fb load -q -i "$work/image.tar" >/dev/null || die "cannot load the test image on root B"

# The log of container c (via $1) counts up by one from 0.
counts_on() {
	"$1" logs c | awk 'BEGIN { n = 0 } $0 != n { bad = 1; exit } { n++ } END { exit bad || n < 2 }'
}

# Waits until c (via $1) runs and its counter passes $2.
counting_past() {
	local via=$1 from=$2 i
	for i in $(seq 1 100); do
		[ "$("$via" inspect --format '{{.State.Status}}' c 2>/dev/null)" = running ] &&
			[ "$("$via" logs c | tail -n1)" -gt "$((from + 2))" ] 2>/dev/null && counts_on "$via" && return 0
		sleep 0.1
	done
	return 1
}

fresh_counter() {
	fa rm -f -t 0 c >/dev/null 2>&1
	fb rm -f -t 0 c >/dev/null 2>&1
	fa volume rm -f -t 0 data >/dev/null 2>&1
	fb volume rm -f -t 0 data >/dev/null 2>&1
	rm -f "$work/c.tar.zst"
	fa run -d --name c -v data:/data ferry-test sh -c "$counter" >/dev/null || return 1
	local i
	for i in $(seq 1 200); do
		[ "$(fa logs c | wc -l)" -ge 3 ] && return 0
		sleep 0.05
	done
	return 1
}

# Sets up what operation $1 starts from, and prints the ferry command that
# performs it (as words for "${cmd[@]}").
prepare() {
	fresh_counter || return 1
	case "$1" in
	import) fa container checkpoint --export "$work/c.tar.zst" c >/dev/null || return 1 ;;
	restore) fa container checkpoint c >/dev/null || return 1 ;;
	esac
}

command_for() {
	case "$1" in
	export) cmd=("$ferry" "${A[@]}" container checkpoint --export "$work/c.tar.zst" c) ;;
	export-R) cmd=("$ferry" "${A[@]}" container checkpoint -R --export "$work/c.tar.zst" c) ;;
	inplace) cmd=("$ferry" "${A[@]}" container checkpoint c) ;;
	inplace-R) cmd=("$ferry" "${A[@]}" container checkpoint -R c) ;;
	import) cmd=("$ferry" "${B[@]}" container restore --import "$work/c.tar.zst") ;;
	restore) cmd=("$ferry" "${A[@]}" container restore c) ;;
	esac
}

problems=()
problem() {
	problems+=("$*")
}

# What the next command must have settled.
check_settled() {
	local root id state pid n i tag
	for root in rootA rootB; do
		[ -f "$work/$root/ferry.db" ] || continue
		for i in $(seq 1 300); do
			n=$(sqlite3 -cmd '.timeout 10000' "$work/$root/ferry.db" 'SELECT count(*) FROM operations')
			[ "$n" -eq 0 ] && break
			sleep 0.1
		done
		[ "$n" -eq 0 ] || problem "operation left in $root"
		# Each root's containers have cgroups /ferry/<root tag>-<id>
		# (engine/lifecycle.c).
		tag=$(printf '%s' "$(realpath "$work/$root")" | sha256sum | cut -c1-8)
		for id in $(sqlite3 -cmd '.timeout 10000' "$work/$root/ferry.db" 'SELECT id FROM containers'); do
			state=/sys/fs/cgroup/freezer/ferry/$tag-$id/freezer.state
			[ ! -f "$state" ] || [ "$(cat "$state")" = THAWED ] || problem "container left $(cat "$state") in $root"
		done
	done
	for d in "$work/runA/checkpoints" "$work/runB/checkpoints"; do
		[ -z "$(ls -A "$d" 2>/dev/null)" ] || problem "left in $d: $(ls -A "$d")"
	done
	[ -z "$(find "$work" -maxdepth 1 -name '.checkpoint.ferry-tmp-*')" ] || problem "temporary archive left"
	for pid in $(pgrep -x criu); do
		ls -l "/proc/$pid/cwd" "/proc/$pid/fd/" 2>/dev/null | grep -q -- "$work" && problem "CRIU $pid still runs"
	done
}

# Exactly one running copy, counting on; or checkpointed, restorable.
check_container() {
	local op=$1 from=$2 on_a on_b
	on_a=$(fa inspect --format '{{.State.Status}}' c 2>/dev/null)
	on_b=$(fb inspect --format '{{.State.Status}}' c 2>/dev/null)
	if [ "$on_a" = running ] && [ "$on_b" = running ]; then
		problem "running on both roots"
	elif [ "$on_b" = running ]; then
		counting_past fb "$from" || problem "root B's copy does not count on"
		outcome=forward
	elif [ "$on_a" = running ]; then
		counting_past fa "$from" || problem "root A's copy does not count on"
		# With -R a finished checkpoint leaves it running too: the archive
		# (or the checkpoint's record) tells.
		case "$op" in
		restore) outcome=forward ;;
		export-R) if [ -e "$work/c.tar.zst" ]; then outcome=forward; else outcome=back; fi ;;
		inplace-R) if [ "$(fa inspect --format '{{.State.Checkpointed}}' c)" = true ]; then outcome=forward; else outcome=back; fi ;;
		*) outcome=back ;;
		esac
		[ "$op" = import ] && [ -n "$(fb ps -aq)" ] && problem "a container is left on root B"
	elif [ "$on_a" = exited ] && [ "$(fa inspect --format '{{.State.Checkpointed}}' c)" = true ]; then
		# A restore undone leaves the archive or the images to restore;
		# a checkpoint finished leaves them so.
		case "$op" in import | restore) outcome=back ;; *) outcome=forward ;; esac
		case "$op" in
		export | import) fb container restore --import "$work/c.tar.zst" >/dev/null 2>&1 && counting_past fb "$from" ||
			problem "the archive does not restore" ;;
		*) fa container restore c >/dev/null 2>&1 && counting_past fa "$from" || problem "the checkpoint does not restore" ;;
		esac
	else
		problem "the container runs nowhere (A: ${on_a:-none}, B: ${on_b:-none})"
	fi
}

declare -A duration
echo "crash trials: $trials per operation, a counter holding $mib MiB, ferry at $ferry"
printf '%-10s %7s %8s %6s %9s\n' operation trials forward back repairs
for op in $ops; do
	prepare "$op" || die "cannot set up $op"
	command_for "$op"
	t0=$(date +%s%N)
	"${cmd[@]}" >/dev/null 2>&1 || die "$op fails without a kill"
	duration[$op]=$((($(date +%s%N) - t0) / 1000))
	fwd=0 back=0 bad=0
	for t in $(seq 1 "$trials"); do
		prepare "$op" || { bad=$((bad + 1)); continue; }
		from=$(fa logs c | tail -n1)
		command_for "$op"
		delay_us=$((RANDOM * 32768 + RANDOM))
		delay_us=$((delay_us % duration[$op]))
		setsid "${cmd[@]}" >/dev/null 2>&1 &
		pid=$!
		sleep "$(printf '0.%06d' "$delay_us")"
		if [ $((t % 2)) -eq 1 ]; then kill -9 "$pid" 2>/dev/null; else kill -9 -- "-$pid" 2>/dev/null; fi
		wait "$pid" 2>/dev/null
		status=$?
		# 137: killed as meant; 0: it finished first; anything else is news.
		[ "$status" -eq 137 ] || [ "$status" -eq 0 ] || say "$op trial $t: ferry ended with status $status"
		problems=()
		outcome=
		fa ps -a >/dev/null 2>&1
		fb ps -a >/dev/null 2>&1
		check_settled
		check_container "$op" "$from"
		if [ ${#problems[@]} -gt 0 ]; then
			bad=$((bad + 1))
			printf '  %s trial %d (killed %s after %d us): %s\n' "$op" "$t" \
				"$([ $((t % 2)) -eq 1 ] && echo alone || echo with its group)" "$delay_us" "${problems[*]}" >&2
		elif [ "$outcome" = forward ]; then
			fwd=$((fwd + 1))
		else
			back=$((back + 1))
		fi
	done
	printf '%-10s %7d %8d %6d %9d   (unkilled: %d ms)\n' "$op" "$trials" "$fwd" "$back" "$bad" $((duration[$op] / 1000))
done
