#!/usr/bin/env bash
# Times the container lifecycle on the busybox test image: `run --rm IMAGE true`,
# starting many detached containers (`run -d IMAGE sleep 1000`), `ps` and
# `ps -a` with all of them running, and one `rm -f` of them all. Does the same
# with Podman when it is installed, in the same run, and prints medians and
# the ferry/podman ratios.
#
# Usage: bench/lifecycle.sh [options]     (as root)
#   --runs N          timed `run --rm`, `ps` and `ps -a` runs per tool
#                     (default 10), after one untimed warm-up `run --rm`
#   --containers N    detached containers each tool starts (default 50)
#   --only TOOL       run only "ferry" or only "podman"
#   --network MODE    none (default: loopback only) or bridge (netavark's
#                     bridge networks, nftables, one veth per container)
# Environment:
#   FERRY    the ferry binary (default: build/ferry in this repository)
#   TMPDIR   where the image and the roots go (default /var/tmp: a real disk,
#            where /tmp may be tmpfs and would flatter both tools)
#
# Both tools get a root of their own inside one scratch directory, the same
# OCI archive (tests/lib/build-test-image.sh), runc, the --network chosen and a
# k8s-file log. Podman also gets cgroupfs, no events and its own --tmpdir.
# Both remove with `rm -f -t 0`, which kills at once, instead of waiting 10 s
# for a SIGTERM that `sleep` as PID 1 ignores.
# The tools take turns, command by command, so that drift does not favour
# whichever went first; while one is timed the other's containers run too
# (for rm -f, the first tool starts its containers again once timed).
# After every timed command the script waits until the tools' background
# work (conmon's exit commands, runc) has finished, so that no command pays
# for the one before. Times are wall-clock seconds.
set -euo pipefail
export LC_ALL=C # "." in $EPOCHREALTIME and in awk's numbers

bench_name=bench/lifecycle
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ferry=${FERRY:-$repo_root/build/ferry}
image_name=localhost/ferry-test:latest

runs=10
containers=50
only=
while [ $# -gt 0 ]; do
	case "$1" in
	--runs) [ $# -ge 2 ] || usage; runs=$2; shift ;;
	--containers) [ $# -ge 2 ] || usage; containers=$2; shift ;;
	--only) [ $# -ge 2 ] || usage; only=$2; shift ;;
	--network) [ $# -ge 2 ] || usage; bench_network=$2; shift ;;
	-h | --help) usage ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive number, got '$runs'"
[[ $containers =~ ^[1-9][0-9]*$ ]] || die "--containers wants a positive number, got '$containers'"
case "${bench_network:=none}" in none | bridge) ;; *) die "--network wants 'none' or 'bridge', got '$bench_network'" ;; esac
case "$only" in "" | ferry | podman) ;; *) die "--only wants 'ferry' or 'podman', got '$only'" ;; esac
[ "$(id -u)" -eq 0 ] || die "run as root: both tools need it to run containers"
[ -n "${EPOCHREALTIME:-}" ] || die "bash 5 or later is needed (\$EPOCHREALTIME)"
for cmd in setsid pgrep pkill timeout conmon runc; do
	command -v "$cmd" >/dev/null || die "'$cmd' is not installed (scripts/install-deps.sh installs it)"
done

# ---- which tools ------------------------------------------------------------

choose_tools

# ---- scratch space and cleanup ----------------------------------------------

work=$(mktemp -d "${TMPDIR:-/var/tmp}/ferry-bench-lifecycle.XXXXXX")
work=$(realpath "$work") # mountinfo and command lines show resolved paths
note_run_containers

# tool_cmd TOOL: sets the array "cmd" to the tool with its global options.
tool_cmd() {
	local d=$work/$1
	case "$1" in
	ferry) cmd=("$ferry" --root "$d/root" --runroot "$d/runroot") ;;
	# --tmpdir and --events-backend none keep Podman's volatile state in
	# this directory instead of /run/libpod.
	podman) cmd=(podman --root "$d/root" --runroot "$d/runroot" --tmpdir "$d/tmp"
		--storage-driver overlay --events-backend none --cgroup-manager cgroupfs
		--runtime runc) ;;
	esac
}

# quietly TOOL ARGS...: a tool command for the cleanup, bounded in time and
# in a session of its own so that another Ctrl-C does not cut it short.
quietly() {
	local tool=$1
	shift
	tool_cmd "$tool"
	PODMAN_IGNORE_CGROUPSV1_WARNING=1 TMPDIR=$work/$tool/tmp \
		setsid -w timeout -k 5 120 "${cmd[@]}" "$@" </dev/null
}

cleanup() {
	local rc=$? tool pid id rt
	local -a ids pids
	set +e
	trap - EXIT
	trap 'echo "bench/lifecycle: still cleaning up, please wait" >&2' INT TERM
	for tool in ferry podman; do
		[ -d "$work/$tool/root" ] || continue
		# Every container the tool knows of, and every ID it printed.
		mapfile -t ids < <({ quietly "$tool" ps -a -q --no-trunc 2>/dev/null
			cat "$work/$tool.ids" 2>/dev/null; } | grep -E '^[0-9a-f]{12,64}$' | sort -u)
		if [ ${#ids[@]} -gt 0 ]; then
			echo "bench/lifecycle: removing ${#ids[@]} $tool container(s)" >&2
			rm_opts "$tool"
			quietly "$tool" rm "${rm_args[@]}" "${ids[@]}" >/dev/null 2>"$work/$tool.cleanup.log" ||
				tail -n 5 "$work/$tool.cleanup.log" | sed "s/^/  $tool: /" >&2
		fi
	done
	settle 10 >/dev/null 2>&1
	# Last resort: whatever survived the tools' own rm -f.
	for _ in 1 2 3; do
		mapfile -t pids < <(live_bench_pids)
		[ ${#pids[@]} -gt 0 ] || break
		echo "bench/lifecycle: killing ${#pids[@]} leftover process(es):" >&2
		ps -o pid=,args= -p "$(
			IFS=,
			echo "${pids[*]}"
		)" | cut -c1-160 | sed 's/^/  /' >&2
		pkill -KILL -f -- "$work/"
		kill -KILL "${pids[@]}" 2>/dev/null
		sleep 0.5
	done
	# runc state and cgroups of containers the tools could not remove:
	# ferry keeps runc's state in its runroot, Podman in runc's default root.
	for tool in ferry podman; do
		case "$tool" in ferry) rt=$work/ferry/runroot/runtime ;; podman) rt=/run/runc ;; esac
		[ -f "$work/$tool.ids" ] || continue
		while read -r id; do
			[ -d "$rt/$id" ] && timeout -k 5 30 runc --root "$rt" delete --force "$id" >/dev/null 2>&1
		done <"$work/$tool.ids"
	done
	remove_tree "$work"
	forget_run_containers
	mapfile -t pids < <(live_bench_pids)
	if [ ${#pids[@]} -gt 0 ]; then
		echo "bench/lifecycle: processes of the benchmark are still running: ${pids[*]}" >&2
		[ "$rc" -ne 0 ] || rc=1
	fi
	exit "$rc"
}
set_traps

# ---- running the tools ------------------------------------------------------

# call TOOL OUT ARGS...: runs the tool with ARGS, stdout to OUT and stderr to
# OUT.err, and sets "secs" to the wall-clock time it took. The tool runs in
# a session of its own, in the background, so that a signal to this script
# can end it with all its children (on_signal). Fails the benchmark when the
# tool fails.
call() {
	local tool=$1 out=$2 start end status=0 us
	shift 2
	tool_cmd "$tool"
	start=$EPOCHREALTIME
	PODMAN_IGNORE_CGROUPSV1_WARNING=1 TMPDIR=$work/$tool/tmp \
		setsid -w "${cmd[@]}" "$@" >"$out" 2>"$out.err" </dev/null &
	child=$!
	wait "$child" || status=$?
	end=$EPOCHREALTIME
	child=
	[ "$status" -eq 0 ] || run_failed "'$tool $*'" "$out.err"
	us=$((${end/./} - ${start/./}))
	printf -v secs '%d.%06d' $((us / 1000000)) $((us % 1000000))
	settle 10 || true
}

# record TOOL KEY: appends the last time to the results of KEY.
record() {
	echo "$secs" >>"$work/results/$1.$2"
}

# count_ids TOOL ARGS...: how many containers `TOOL ps ARGS -q` lists.
count_ids() {
	local tool=$1
	shift
	call "$tool" "$work/$tool.count" ps "$@" -q
	grep -cE '^[0-9a-f]{12,64}$' "$work/$tool.count" || true
}

mkdir -p "$work/results"
echo "bench/lifecycle: building the test image..." >&2
"$repo_root/tests/lib/build-test-image.sh" "$work/image.tar" "$image_name"

for tool in "${tools[@]}"; do
	mkdir -p "$work/$tool/root" "$work/$tool/runroot" "$work/$tool/tmp"
	call "$tool" "$work/$tool.load" load -q -i "$work/image.tar"
	make_bench_network "$tool"
	# The warm-up: the first container of a fresh root pays for setting up
	# the tool's state (Podman refreshes it, for one), which is not the
	# cost of a container.
	run_opts "$tool"
	call "$tool" "$work/$tool.warmup" run --rm "${run_args[@]}" "$image_name" true
done
versions=$(tool_versions)

# ---- 1: run --rm IMAGE true -------------------------------------------------

echo "bench/lifecycle: $runs x run --rm $image_name true" >&2
for ((n = 1; n <= runs; n++)); do
	for tool in "${tools[@]}"; do
		run_opts "$tool"
		call "$tool" "$work/$tool.out" run --rm "${run_args[@]}" "$image_name" true
		record "$tool" runrm
		printf 'bench/lifecycle: %-6s run --rm %d: %.3f s\n' "$tool" "$n" "$secs" >&2
	done
done
for tool in "${tools[@]}"; do
	left=$(count_ids "$tool" -a)
	[ "$left" -eq 0 ] || die "$tool: $left container(s) left behind by run --rm"
done

# ---- 2: run -d IMAGE sleep 1000, then ps and ps -a ---------------------------

echo "bench/lifecycle: starting $containers containers per tool with run -d $image_name sleep 1000" >&2
for ((n = 1; n <= containers; n++)); do
	for tool in "${tools[@]}"; do
		run_opts "$tool"
		call "$tool" "$work/$tool.out" run -d "${run_args[@]}" "$image_name" sleep 1000
		id=$(tail -n 1 "$work/$tool.out")
		[[ $id =~ ^[0-9a-f]{64}$ ]] || run_failed "'$tool run -d' (it printed no container ID)" "$work/$tool.out"
		echo "$id" >>"$work/$tool.ids"
		record "$tool" rund
	done
	if [ $((n % 10)) = 0 ] || [ "$n" = "$containers" ]; then
		echo "bench/lifecycle: $n of $containers started" >&2
	fi
done
for tool in "${tools[@]}"; do
	up=$(count_ids "$tool")
	[ "$up" -eq "$containers" ] || die "$tool ps lists $up running container(s), not $containers"
done

echo "bench/lifecycle: $runs x ps and ps -a with $containers containers running" >&2
for ((n = 1; n <= runs; n++)); do
	for tool in "${tools[@]}"; do
		for key in ps psa; do
			if [ "$key" = ps ]; then args=(ps); else args=(ps -a); fi
			call "$tool" "$work/$tool.$key" "${args[@]}"
			record "$tool" "$key"
			# A header and one line a container.
			lines=$(wc -l <"$work/$tool.$key")
			[ "$lines" -eq $((containers + 1)) ] ||
				run_failed "'$tool ${args[*]}' (it printed $lines lines, not $((containers + 1)))" "$work/$tool.$key"
		done
	done
done

# ---- 3: rm -f of them all ---------------------------------------------------

# start_many TOOL: starts $containers containers of TOOL with run -d, untimed,
# noting their IDs in $work/TOOL.ids.
start_many() {
	local tool=$1 n id
	run_opts "$tool"
	for ((n = 1; n <= containers; n++)); do
		call "$tool" "$work/$tool.out" run -d "${run_args[@]}" "$image_name" sleep 1000
		id=$(tail -n 1 "$work/$tool.out")
		[[ $id =~ ^[0-9a-f]{64}$ ]] || run_failed "'$tool run -d' (it printed no container ID)" "$work/$tool.out"
		echo "$id" >>"$work/$tool.ids"
	done
}

# Every tool's rm -f is timed while the other's containers run, as
# theirs ran during its start: with --network bridge both tools' firewall
# rules sit in netavark's one nftables table, which every teardown lists
# and edits, so a tool timed after the other's containers were gone would
# tear down in a table half the size.  A tool timed before the last
# starts as many containers again (untimed) for the next ones to meet,
# and removes them (untimed) once all were timed.
for ((i = 0; i < ${#tools[@]}; i++)); do
	tool=${tools[i]}
	rm_opts "$tool"
	mapfile -t ids <"$work/$tool.ids"
	call "$tool" "$work/$tool.out" rm "${rm_args[@]}" "${ids[@]}"
	record "$tool" rm
	printf 'bench/lifecycle: %-6s rm %s of %d containers: %.3f s\n' "$tool" "${rm_args[*]}" "$containers" "$secs" >&2
	left=$(count_ids "$tool" -a)
	[ "$left" -eq 0 ] || die "$tool: $left container(s) left after rm -f"
	: >"$work/$tool.ids" # nothing left for the cleanup to remove
	if [ $((i + 1)) -lt ${#tools[@]} ]; then
		echo "bench/lifecycle: $tool starts $containers containers again (untimed) for the next tool's rm -f" >&2
		start_many "$tool"
	fi
done
for ((i = 0; i + 1 < ${#tools[@]}; i++)); do
	tool=${tools[i]}
	rm_opts "$tool"
	mapfile -t ids <"$work/$tool.ids"
	call "$tool" "$work/$tool.out" rm "${rm_args[@]}" "${ids[@]}"
	: >"$work/$tool.ids"
done
settle 10 || true
mapfile -t pids < <(live_bench_pids)
if [ ${#pids[@]} -gt 0 ]; then
	echo "bench/lifecycle: warning: processes still running after rm -f of all containers:" >&2
	ps -o pid=,args= -p "$(IFS=,; echo "${pids[*]}")" | cut -c1-160 | sed 's/^/  /' >&2 || true
fi

# ---- report -----------------------------------------------------------------

# stat_of FILE: "median min max count" of the values in FILE, one a line.
stat_of() {
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f %.3f %.3f %d\n", m, v[1], v[NR], NR }'
}

# sum_of FILE
sum_of() {
	awk '{ s += $1 } END { printf "%.3f\n", s }' "$1"
}


c=$containers
labels=(
	"runrm|run --rm true (x$runs)"
	"rund|run -d sleep 1000 (x$c)"
	"start|start $c, total"
	"ps|ps, $c running (x$runs)"
	"psa|ps -a, $c (x$runs)"
	"rm|rm -f of $c"
)
for tool in "${tools[@]}"; do sum_of "$work/results/$tool.rund" >"$work/results/$tool.start"; done

echo
echo "lifecycle of $image_name (busybox) with runc, $runs timed run(s) per tool after a warm-up, $c containers; wall-clock seconds"
echo "($versions)"
printf '%-26s' what
for tool in "${tools[@]}"; do printf ' %14s %7s %7s' "$tool median" min max; done
[ ${#tools[@]} -eq 2 ] && printf ' %13s' ferry/podman
echo
declare -A med
for entry in "${labels[@]}"; do
	key=${entry%%|*}
	printf '%-26s' "${entry#*|}"
	for tool in "${tools[@]}"; do
		read -r m lo hi count < <(stat_of "$work/results/$tool.$key")
		med[$tool]=$m
		if [ "$count" -gt 1 ]; then
			printf ' %14s %7s %7s' "$m" "$lo" "$hi"
		else
			printf ' %14s %7s %7s' "$m" - -
		fi
	done
	[ ${#tools[@]} -eq 2 ] && printf ' %13s' "$(ratio "${med[ferry]}" "${med[podman]}")"
	echo
done
