#!/usr/bin/env bash
# Times checkpoint and restore of a running container through a portable
# archive: `container checkpoint --export FILE --compress zstd` of a container
# holding N MiB of anonymous memory, then, after `rm -f`, `container restore
# --import FILE`, and checks that the restored process carries on counting.
# Does the same with Podman when it is installed, in the same run, and prints
# medians, archive sizes, the ferry/podman ratios and ferry's targets at 1 GiB.
#
# Usage: bench/checkpoint.sh [options]    (as root)
#   --sizes "S..."    container memory sizes in MiB (default "16 256 1024")
#   --runs N          runs per size and tool (default 3 below 1024 MiB and 1
#                     from 1024 MiB up)
#   --only TOOL       run only "ferry" or only "podman"
#   --network MODE    none (default: loopback only) or bridge (netavark's
#                     bridge networks, nftables, one veth per container)
#   --image           also time checkpoint images ("ferry-img", "podman-img":
#                     checkpoint --create-image, then restore IMAGE), each
#                     beside the same tool's export/import
#   --encrypt         also time ferry with an encrypted archive ("ferry-age":
#                     checkpoint --encrypt-recipient, restore --decrypt-key,
#                     with an identity age-keygen makes), beside plain ferry
#   --warm            do not drop the page cache before each timed command
#   --no-tmpfs        leave the runroots on /run as it is, even when /run is
#                     not a tmpfs (by default the script mounts a private
#                     tmpfs for them there, as /run is in production)
# Environment:
#   FERRY    the ferry binary (default: build/ferry in this repository)
#   TMPDIR   where the image, the roots and the archives go (default
#            /var/tmp: a real disk, where /tmp may be tmpfs and would flatter
#            both tools)
#
# The workload is bench/memhog.c, compiled here (gcc -O2 -static) into an
# image of its own with busybox: it fills N MiB with deterministic data that
# zstd -1 packs to about 0.57 of its size, as Podman's reference archives in
# ENVIRONMENT.md, prints "ready" and then a counter line every 200 ms.
# Both tools import the same rootfs tar into a root of their own (on TMPDIR's
# disk) with a runroot of their own under /run/ferry-bench.XXXXXX (their
# volatile state, as in production), and run the container with runc,
# the --network chosen and a k8s-file log. Podman also gets the overlay driver,
# cgroupfs, no events, its own --tmpdir and `rm -f -t 0`.
# Before every timed command the script waits until the tools' background
# work has finished, syncs and drops the page cache (unless --warm), so each
# command reads the archive and the binaries from the disk. Times are
# wall-clock seconds; archive sizes are MB of 10^6 bytes.
set -euo pipefail
export LC_ALL=C # "." in $EPOCHREALTIME and in awk's numbers

bench_name=bench/checkpoint
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ferry=${FERRY:-$repo_root/build/ferry}
memhog_src=$repo_root/bench/memhog.c
image_name=localhost/memhog:latest

sizes="16 256 1024"
runs=
only=
warm=0
tmpfs=1
encrypt=0
image=0
while [ $# -gt 0 ]; do
	case "$1" in
	--sizes) [ $# -ge 2 ] || usage; sizes=$2; shift ;;
	--runs) [ $# -ge 2 ] || usage; runs=$2; shift ;;
	--only) [ $# -ge 2 ] || usage; only=$2; shift ;;
	--network) [ $# -ge 2 ] || usage; bench_network=$2; shift ;;
	--warm) warm=1 ;;
	--encrypt) encrypt=1 ;;
	--image) image=1 ;;
	--no-tmpfs) tmpfs=0 ;;
	-h | --help) usage ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
check_sizes
case "${bench_network:=none}" in none | bridge) ;; *) die "--network wants 'none' or 'bridge', got '$bench_network'" ;; esac
case "$only" in "" | ferry | podman) ;; *) die "--only wants 'ferry' or 'podman', got '$only'" ;; esac
[ "$(id -u)" -eq 0 ] || die "run as root: both tools need it to run and checkpoint containers"
[ -n "${EPOCHREALTIME:-}" ] || die "bash 5 or later is needed (\$EPOCHREALTIME)"
for cmd in setsid pgrep pkill timeout conmon runc criu gcc readelf tar; do
	command -v "$cmd" >/dev/null || die "'$cmd' is not installed (scripts/install-deps.sh installs it)"
done
check_memhog

# ---- which tools ------------------------------------------------------------

choose_tools
if [ "$encrypt" = 1 ]; then
	[[ " ${tools[*]} " == *" ferry "* ]] || die "--encrypt times ferry: leave out --only podman"
	command -v age-keygen >/dev/null || die "'age-keygen' is not installed (scripts/install-deps.sh installs it)"
	# Right after plain ferry, so that the two take turns closest.
	with_age=()
	for t in "${tools[@]}"; do
		with_age+=("$t")
		if [ "$t" = ferry ]; then with_age+=(ferry-age); fi
	done
	tools=("${with_age[@]}")
fi

if [ "$image" = 1 ]; then
	# Right after each tool's archive, so that the two take turns closest.
	with_img=()
	for t in "${tools[@]}"; do
		with_img+=("$t")
		case "$t" in ferry | podman) with_img+=("$t-img") ;; esac
	done
	tools=("${with_img[@]}")
fi

# Memory: the container's, plus CRIU's images of it when they are staged on
# a tmpfs, plus the page cache the archive wants.
check_memory 3

# ---- scratch space and cleanup ----------------------------------------------

make_work checkpoint

# tool_cmd TOOL: sets the array "cmd" to the tool with its global options.
tool_cmd() {
	case "$1" in
	ferry) cmd=("$ferry" --root "$work/ferry/root" --runroot "$rundir/ferry") ;;
	ferry-age) cmd=("$ferry" --root "$work/ferry-age/root" --runroot "$rundir/ferry-age") ;;
	ferry-img) cmd=("$ferry" --root "$work/ferry-img/root" --runroot "$rundir/ferry-img") ;;
	podman-img) cmd=(podman --root "$work/podman-img/root" --runroot "$rundir/podman-img/runroot"
		--tmpdir "$rundir/podman-img/tmp" --storage-driver overlay --events-backend none
		--cgroup-manager cgroupfs --runtime runc) ;;
	# --tmpdir and --events-backend none keep Podman's volatile state in
	# this benchmark's directories instead of /run/libpod.
	podman) cmd=(podman --root "$work/podman/root" --runroot "$rundir/podman/runroot"
		--tmpdir "$rundir/podman/tmp" --storage-driver overlay --events-backend none
		--cgroup-manager cgroupfs --runtime runc) ;;
	esac
}

# quietly TOOL ARGS...: an untimed tool command, bounded in time and in a
# session of its own so that a Ctrl-C does not cut it short.
quietly() {
	local tool=$1
	shift
	tool_cmd "$tool"
	PODMAN_IGNORE_CGROUPSV1_WARNING=1 TMPDIR=$work/tmp \
		setsid -w timeout -k 5 300 "${cmd[@]}" "$@" </dev/null
}

cleanup() {
	local rc=$? tool id rt
	local -a ids
	set +e
	trap - EXIT
	trap 'say "still cleaning up, please wait"' INT TERM
	for tool in ferry ferry-age ferry-img podman podman-img; do
		[ -d "$work/$tool/root" ] || continue
		# Every container the tool knows of, and every ID it printed.
		mapfile -t ids < <({ quietly "$tool" ps -a -q --no-trunc 2>/dev/null
			cat "$work/$tool.ids" 2>/dev/null; } | grep -E '^[0-9a-f]{12,64}$' | sort -u)
		if [ ${#ids[@]} -gt 0 ]; then
			say "removing ${#ids[@]} $tool container(s)"
			rm_opts "$tool"
			quietly "$tool" rm "${rm_args[@]}" "${ids[@]}" >/dev/null 2>"$work/$tool.cleanup.log" ||
				tail -n 5 "$work/$tool.cleanup.log" | sed "s/^/  $tool: /" >&2
		fi
	done
	settle 10 >/dev/null 2>&1
	kill_leftovers
	# runc state and cgroups of containers the tools could not remove:
	# ferry keeps runc's state in its runroot, Podman in runc's default root.
	for tool in ferry ferry-age ferry-img podman podman-img; do
		case "$tool" in ferry*) rt=$rundir/$tool/runtime ;; podman*) rt=/run/runc ;; esac
		if ! [ -f "$work/$tool.ids" ] || [ -z "$rundir" ]; then continue; fi
		while read -r id; do
			[ -d "$rt/$id" ] && timeout -k 5 30 runc --root "$rt" delete --force "$id" >/dev/null 2>&1
		done <"$work/$tool.ids"
	done
	remove_tree "$work"
	if [ -n "$rundir" ]; then remove_tree "$rundir"; fi # the tools' mounts, then the private tmpfs
	finish_cleanup "$rc"
}
set_traps

# The runroots: on a tmpfs under /run, as in production.
make_rundir
mkdir -p "$work/tmp" "$work/archives" "$work/results" "$rundir/ferry" "$rundir/ferry-age" \
	"$rundir/ferry-img" "$rundir/podman/runroot" "$rundir/podman/tmp" "$rundir/podman-img/runroot" \
	"$rundir/podman-img/tmp"

# ---- running the tools ------------------------------------------------------

# call TOOL OUT ARGS...: the tool with ARGS, through run_cmd (which sets
# "secs").
call() {
	local tool=$1 out=$2
	shift 2
	tool_cmd "$tool"
	run_cmd "$tool $*" "$out" "${cmd[@]}" "$@"
}

# timed TOOL OUT ARGS...: call, after the previous command's background work
# has finished and the page cache is dropped.
timed() {
	settle || true
	drop_caches
	call "$@"
}

# logs_of TOOL NAME FILE: the container's log so far, into FILE.
logs_of() {
	quietly "$1" logs "$2" >"$3" 2>"$3.err" || run_failed "'$1 logs $2'" "$3.err"
}

# status_of TOOL NAME: the container's state, as inspect reports it.
status_of() {
	quietly "$1" inspect --format '{{.State.Status}}' "$2" 2>/dev/null | tail -n 1
}

# wait_ready TOOL NAME FILE SECONDS: waits until the container has filled its
# memory and printed a few counter lines; its log is left in FILE.
wait_ready() {
	local tool=$1 name=$2 log=$3 limit=$4
	local deadline=$((${EPOCHREALTIME/./} + limit * 1000000))
	while :; do
		logs_of "$tool" "$name" "$log"
		if grep -q '^ready ' "$log" && [ "$(grep -c '^count ' "$log")" -ge 3 ]; then
			return 0
		fi
		if [ "${EPOCHREALTIME/./}" -ge "$deadline" ]; then
			say "$tool: container $name is not ready after ${limit}s (status: $(status_of "$tool" "$name"))"
			run_failed "the workload in $tool container $name" "$log"
		fi
		sleep 0.2
	done
}

# ---- the image --------------------------------------------------------------

make_memhog_rootfs
tar --numeric-owner --owner=0 --group=0 -C "$work/rootfs" -cf "$work/rootfs.tar" .

for tool in "${tools[@]}"; do
	mkdir -p "$work/$tool/root"
	call "$tool" "$work/$tool.import" import -q "$work/rootfs.tar" "$image_name"
	make_bench_network "$tool"
done
if [ "$encrypt" = 1 ]; then
	age-keygen -o "$work/age-identity.txt" 2>/dev/null
	age-keygen -y "$work/age-identity.txt" >"$work/age-recipient.txt"
fi
versions="$(tool_versions), $(runc --version | head -n 1), criu $(criu --version | awk '/^Version:/ { print $2 }')"

# ---- one run ----------------------------------------------------------------

# run_once TOOL SIZE N: start, checkpoint to an archive, rm -f, restore from
# it, check, rm -f. Appends "checkpoint_s restore_s archive_bytes" to
# $work/results/TOOL.SIZE.
run_once() {
	local tool=$1 size=$2 n=$3
	local name=memhog-$2-$3 archive=$work/archives/$1-$2-$3.tar.zst
	local f=$work/$1.out log=$work/$1.log ckpt rest bytes id run_id before last status kept kept_archive first
	local ckpt_extra rest_extra
	local deadline

	run_opts "$tool"
	rm_opts "$tool"
	settle || true
	call "$tool" "$f" run -d --name "$name" "${run_args[@]}" "$image_name" /memhog "$size"
	id=$(tail -n 1 "$f")
	[[ $id =~ ^[0-9a-f]{64}$ ]] || run_failed "'$tool run -d' (it printed no container ID)" "$f"
	echo "$id" >>"$work/$tool.ids"
	wait_ready "$tool" "$name" "$log" $((60 + size / 16))
	run_id=$(awk '$1 == "ready" { print $5; exit }' "$log")

	ckpt_extra=()
	rest_extra=()
	if [ "$tool" = ferry-age ]; then
		ckpt_extra=(--encrypt-recipient "$work/age-recipient.txt")
		rest_extra=(--decrypt-key "$work/age-identity.txt")
	fi
	if [[ "$tool" == *-img ]]; then
		timed "$tool" "$f" container checkpoint --create-image "localhost/ckpt-$name" "$name"
		ckpt=$secs
		bytes=$(quietly "$tool" image inspect --format '{{.Size}}' "localhost/ckpt-$name" | tail -n 1)
		[[ $bytes =~ ^[0-9]+$ ]] || run_failed "'$tool container checkpoint --create-image' (no image)" "$f.err"
	else
		timed "$tool" "$f" container checkpoint --export "$archive" --compress zstd "${ckpt_extra[@]}" "$name"
		ckpt=$secs
		[ -s "$archive" ] || run_failed "'$tool container checkpoint' (it wrote no archive)" "$f.err"
		bytes=$(stat -c %s "$archive")
	fi
	# Where the counter stood when the process was dumped: the log of the
	# checkpointed container ends there.
	settle || true
	logs_of "$tool" "$name" "$log"
	before=$(counter_check "$log" "$run_id" -1) ||
		run_failed "$tool: the log before the checkpoint ($before)" "$log"
	status=$(status_of "$tool" "$name")
	[ "$status" != running ] || die "$tool: container $name is still running after checkpoint"
	call "$tool" "$f" rm "${rm_args[@]}" "$name"
	: >"$work/$tool.ids" # the IDs of live containers only, for the cleanup

	if [[ "$tool" == *-img ]]; then
		timed "$tool" "$f" container restore "localhost/ckpt-$name"
	else
		timed "$tool" "$f" container restore --import "$archive" "${rest_extra[@]}"
	fi
	rest=$secs
	id=$(tail -n 1 "$f")
	if [[ $id =~ ^[0-9a-f]{64}$ ]]; then echo "$id" >>"$work/$tool.ids"; fi
	status=$(status_of "$tool" "$name")
	[ "$status" = running ] || die "$tool: container $name is '$status' after restore, not running"
	# The counter must carry on past where it stood, from the same process.
	deadline=$((${EPOCHREALTIME/./} + 10 * 1000000))
	while :; do
		logs_of "$tool" "$name" "$log"
		if last=$(counter_check "$log" "$run_id" "$before"); then
			break
		fi
		case "$last" in *"not past"* | "no counter line") ;; *) run_failed "$tool: the restored counter ($last)" "$log" ;; esac
		[ "${EPOCHREALTIME/./}" -lt "$deadline" ] ||
			run_failed "$tool: the restored counter ($last, 10 s after restore)" "$log"
		sleep 0.2
	done
	# Whether the restored log still holds the lines from before the
	# checkpoint (informational: both tools carry the log in the archive).
	kept=$(awk -v b="$before" '$1 == "count" && $2 + 0 <= b { k++ } END { print k ? "kept" : "lost" }' "$log")
	call "$tool" "$f" rm "${rm_args[@]}" "$name"
	: >"$work/$tool.ids"
	if [[ "$tool" == *-img ]]; then
		call "$tool" "$f" rmi "localhost/ckpt-$name"
		echo "$ckpt $rest $bytes" >>"$work/results/$tool.$size"
		printf 'bench/checkpoint: %-10s %5d MiB run %d: checkpoint %6.2f s, restore %6.2f s, image %7.1f MB, counter %d -> %d\n' \
			"$tool" "$size" "$n" "$ckpt" "$rest" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" "$before" "$last" >&2
		return 0
	fi
	# The workload's memory is the same every run, so its archives should be
	# too: one more than 1% off the first of its tool and size is kept, with
	# that first one, for a look.
	first=$work/first-$tool-$size.tar.zst
	if [ ! -s "$work/results/$tool.$size" ]; then
		mv "$archive" "$first"
	elif awk -v b="$bytes" '{ f = $3; exit } END { d = b - f; if (d < 0) d = -d; exit !(d > f / 100) }' \
		"$work/results/$tool.$size"; then
		kept_archive=${TMPDIR:-/var/tmp}/ferry-bench-odd-$tool-$size-run$n.tar.zst
		mv "$archive" "$kept_archive"
		[ ! -e "$first" ] || mv "$first" "${TMPDIR:-/var/tmp}/ferry-bench-odd-$tool-$size-run1.tar.zst"
		say "$tool $size MiB run $n: the archive is more than 1% off run 1's: both kept as ${TMPDIR:-/var/tmp}/ferry-bench-odd-$tool-$size-*"
	fi
	rm -f "$archive"

	echo "$ckpt $rest $bytes" >>"$work/results/$tool.$size"
	printf 'bench/checkpoint: %-6s %5d MiB run %d: checkpoint %6.2f s, restore %6.2f s, archive %7.1f MB, counter %d -> %d (older log lines %s)\n' \
		"$tool" "$size" "$n" "$ckpt" "$rest" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" "$before" "$last" "$kept" >&2
}

take_turns run_once
settle 10 || true
for tool in "${tools[@]}"; do
	left=$(quietly "$tool" ps -a -q | grep -cE '^[0-9a-f]{12,64}$' || true)
	[ "$left" -eq 0 ] || die "$tool: $left container(s) left after the runs"
	: >"$work/$tool.ids" # nothing left for the cleanup to remove
done

# ---- report -----------------------------------------------------------------

# stat_of FILE COLUMN: "median min max count" of a column of FILE.
stat_of() {
	awk -v c="$2" '{ print $c }' "$1" | sort -g | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.6f %.6f %.6f %d\n", m, v[1], v[NR], NR }'
}


echo
echo "checkpoint --export / restore --import of a container holding N MiB (bench/memhog.c), --compress zstd, runc"
echo "($versions)"
echo "roots and archives on $work ($(stat -f -c %T "$work")); runroots on $run_note;" \
	"page cache $([ "$warm" = 1 ] && echo "kept (--warm)" || echo "dropped before each timed command")"
echo "wall-clock seconds and MB (10^6 bytes); median, with min-max over the runs when more than one;"
echo "ferry/podman below 1.00x: ferry is faster or its archive smaller"
printf '%8s  %-13s %4s  %-24s %-24s %s\n' "size MiB" tool runs "checkpoint+export s" "import+restore s" "archive MB (-img: image size)"
declare -A ck rs by
for size in "${size_list[@]}"; do
	for tool in "${tools[@]}"; do
		f=$work/results/$tool.$size
		cells=()
		for col in 1 2 3; do
			read -r m lo hi count < <(stat_of "$f" "$col")
			case "$col" in 1) ck[$tool.$size]=$m ;; 2) rs[$tool.$size]=$m ;; 3) by[$tool.$size]=$m ;; esac
			if [ "$col" = 3 ]; then fmt='%.1f' div=1e6; else fmt='%.2f' div=1; fi
			read -r m lo hi < <(awk -v f="$fmt" -v d="$div" -v a="$m" -v b="$lo" -v c="$hi" \
				'BEGIN { printf f " " f " " f "\n", a / d, b / d, c / d }')
			if [ "$count" -gt 1 ] && [ "$lo" != "$hi" ]; then
				cells+=("$m ($lo-$hi)")
			else
				cells+=("$m")
			fi
		done
		printf '%8s  %-13s %4s  %-24s %-24s %s\n' "$size" "$tool" "$count" "${cells[@]}"
	done
	if [ "$encrypt" = 1 ]; then
		printf '%8s  %-13s %4s  %-24s %-24s %s\n' "$size" ferry-age/ferry "" \
			"$(ratio "${ck[ferry-age.$size]}" "${ck[ferry.$size]}")" \
			"$(ratio "${rs[ferry-age.$size]}" "${rs[ferry.$size]}")" \
			"$(ratio "${by[ferry-age.$size]}" "${by[ferry.$size]}")"
	fi
	for t in ferry podman; do
		[ "$image" = 1 ] && [[ " ${tools[*]} " == *" $t "* ]] || continue
		printf '%8s  %-13s %4s  %-24s %-24s %s\n' "$size" "$t-img/$t" "" \
			"$(ratio "${ck[$t-img.$size]}" "${ck[$t.$size]}")" \
			"$(ratio "${rs[$t-img.$size]}" "${rs[$t.$size]}")" ""
	done
	if [[ " ${tools[*]} " == *" ferry "* && " ${tools[*]} " == *" podman "* ]]; then
		printf '%8s  %-13s %4s  %-24s %-24s %s\n' "$size" ferry/podman "" \
			"$(ratio "${ck[ferry.$size]}" "${ck[podman.$size]}")" \
			"$(ratio "${rs[ferry.$size]}" "${rs[podman.$size]}")" \
			"$(ratio "${by[ferry.$size]}" "${by[podman.$size]}")"
	fi
done

# ferry's targets (DESIGN: moving containers is its reason to exist), at
# 1 GiB: three times as fast as Podman both ways, an archive no bigger than
# 1.02 times Podman's. Informational: the exit status does not depend on it.
echo
echo "ferry targets at 1024 MiB (informational):"
if [[ " ${tools[*]} " != *" podman "* || " ${tools[*]} " != *" ferry "* || " ${size_list[*]} " != *" 1024 "* ]]; then
	echo "  not measured: needs both ferry and podman, and 1024 in --sizes"
else
	target() { # LABEL FERRY PODMAN: ferry at least 3 times as fast
		awk -v l="$1" -v f="$2" -v p="$3" 'BEGIN { s = f > 0 ? p / f : 0
			printf "  %s %s: ferry %.2f s, podman %.2f s: %.2fx as fast (target >= 3x)\n",
				(s >= 3 ? "PASS" : "FAIL"), l, f, p, s }'
	}
	target "checkpoint+export" "${ck[ferry.1024]}" "${ck[podman.1024]}"
	target "import+restore   " "${rs[ferry.1024]}" "${rs[podman.1024]}"
	awk -v f="${by[ferry.1024]}" -v p="${by[podman.1024]}" 'BEGIN { r = p > 0 ? f / p : 99
		printf "  %s archive size     : ferry %.1f MB, podman %.1f MB: %.3fx (target <= 1.02x)\n",
			(r <= 1.02 ? "PASS" : "FAIL"), f / 1e6, p / 1e6, r }'
fi
# variant_target TITLE VARIANT LABEL1 LABEL2 LIMIT: VARIANT's times at
# 1024 MiB against plain ferry's, each at most LIMIT times as long.
variant_target() {
	local title=$1 v=$2 l1=$3 l2=$4 limit=$5
	echo "$title at 1024 MiB (informational):"
	if [[ " ${size_list[*]} " != *" 1024 "* ]]; then
		echo "  not measured: needs 1024 in --sizes"
		return 0
	fi
	awk -v l="$l1" -v a="${ck[$v.1024]}" -v p="${ck[ferry.1024]}" -v m="$limit" 'BEGIN { r = p > 0 ? a / p : 99
		printf "  %s %s: %.2f s, plain %.2f s: %.3fx (target <= %.2fx)\n", (r <= m ? "PASS" : "FAIL"), l, a, p, r, m }'
	awk -v l="$l2" -v a="${rs[$v.1024]}" -v p="${rs[ferry.1024]}" -v m="$limit" 'BEGIN { r = p > 0 ? a / p : 99
		printf "  %s %s: %.2f s, plain %.2f s: %.3fx (target <= %.2fx)\n", (r <= m ? "PASS" : "FAIL"), l, a, p, r, m }'
}
if [ "$image" = 1 ] && [[ " ${tools[*]} " == *" ferry "* ]]; then
	variant_target "checkpoint images" ferry-img "checkpoint --create-image" "restore IMAGE            " 1.10
fi
if [ "$encrypt" = 1 ]; then
	variant_target encryption ferry-age "checkpoint+export encrypted" "import+restore decrypted   " 1.15
fi
