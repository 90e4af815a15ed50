#!/usr/bin/env bash
# Times `ferry save -o FILE IMAGE` of a ~200 MB multi-layer image and, when
# Podman is installed, `podman save -o FILE IMAGE` of the same image loaded
# into a root of its own. Prints the median wall-clock time, the peak RSS and
# the ferry/podman ratio, and whether the two archives are byte for byte the
# same (ferry writes docker-archive and oci-archive as Podman does).
#
# Usage: bench/save.sh [options]          (as root)
#   --runs N          runs per tool (default 3)
#   --format F        docker-archive (default) or oci-archive
#   --only TOOL       run only "ferry" or only "podman"
#   --cold            drop the page cache before every run (default: warm)
#   --extra-layers N  layers of random data added to the test image (default 4)
#   --extra-size MB   MiB of random data in each of them (default 50)
# Environment:
#   FERRY    the ferry binary (default: build/ferry in this repository)
#   TMPDIR   where the image, the roots and the archives go (default
#            /var/tmp: a real disk, where /tmp may be tmpfs)
#
# Peak RSS is GNU time's %M: the largest single process of the command's tree
# (apt-get install time; without it the column says n/a).
set -euo pipefail

bench_name=bench/save
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ferry=${FERRY:-$repo_root/build/ferry}

runs=3
format=docker-archive
only=
cold=0
extra_layers=4
extra_size=50
while [ $# -gt 0 ]; do
	case "$1" in
	--runs) [ $# -ge 2 ] || usage; runs=$2; shift ;;
	--format) [ $# -ge 2 ] || usage; format=$2; shift ;;
	--only) [ $# -ge 2 ] || usage; only=$2; shift ;;
	--cold) cold=1 ;;
	--extra-layers) [ $# -ge 2 ] || usage; extra_layers=$2; shift ;;
	--extra-size) [ $# -ge 2 ] || usage; extra_size=$2; shift ;;
	-h | --help) usage ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive number, got '$runs'"
[[ $extra_layers =~ ^[0-9]+$ ]] || die "--extra-layers wants a number, got '$extra_layers'"
[[ $extra_size =~ ^[1-9][0-9]*$ ]] || die "--extra-size wants a positive number of MiB, got '$extra_size'"
case "$format" in docker-archive | oci-archive) ;; *) die "--format wants 'docker-archive' or 'oci-archive', got '$format'" ;; esac
case "$only" in "" | ferry | podman) ;; *) die "--only wants 'ferry' or 'podman', got '$only'" ;; esac
[ "$(id -u)" -eq 0 ] || die "run as root: both tools need it to store layers owned by other users"

choose_tools

find_gnu_time

# ---- scratch space and cleanup ----------------------------------------------

work=$(mktemp -d "${TMPDIR:-/var/tmp}/ferry-bench-save.XXXXXX")
work=$(realpath "$work") # mountinfo shows resolved paths
mkdir "$work/tmp"
note_run_containers

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	remove_tree "$work"
	forget_run_containers
	exit "$rc"
}
set_traps

# tool_cmd TOOL: sets the array cmd to TOOL with the benchmark's own root.
tool_cmd() {
	case "$1" in
	ferry) cmd=("$ferry" --root "$work/ferry/root" --runroot "$work/ferry/runroot") ;;
	podman)
		# --tmpdir and --events-backend none keep Podman's volatile state
		# inside this run's directory instead of /run/libpod.
		cmd=(podman --root "$work/podman/root" --runroot "$work/podman/runroot" --tmpdir "$work/tmp"
			--storage-driver overlay --events-backend none) ;;
	esac
}

# ---- the image, loaded into each tool's root (not timed) --------------------

image=$work/image.tar
image_name=localhost/ferry-bench:latest
say "building the image ($extra_layers x $extra_size MiB extra layers)..."
"$repo_root/tests/lib/build-test-image.sh" --extra-layers "$extra_layers" \
	--extra-size "$extra_size" "$image" "$image_name" >/dev/null
for tool in "${tools[@]}"; do
	tool_cmd "$tool"
	mkdir -p "$work/$tool/root" "$work/$tool/runroot"
	if ! TMPDIR=$work/tmp PODMAN_IGNORE_CGROUPSV1_WARNING=1 "${cmd[@]}" load -i "$image" \
		>"$work/$tool-load.log" 2>&1 </dev/null; then
		run_failed "$tool load" "$work/$tool-load.log"
	fi
done
rm -f "$image"

# ---- one timed run ----------------------------------------------------------

# run_once TOOL N: saves the image to $work/TOOL-N.tar and appends "seconds
# peak_rss_kib" to $work/TOOL.results. The first run's archive is kept for
# the comparison; later ones are removed after they are checked.
run_once() {
	local tool=$1 n=$2 out=$work/$1-$2.tar log=$work/$1-$2.log status=0 start end rss=n/a
	local -a timer=()
	tool_cmd "$tool"
	sync # leave no writeback from the previous run to be paid by this one
	if [ "$cold" = 1 ]; then echo 3 >/proc/sys/vm/drop_caches; fi
	if [ -n "$gnu_time" ]; then timer=("$gnu_time" -f %M -o "$work/$tool-$n.rss"); fi
	# The tool runs in a session of its own, in the background, so that a
	# signal to this script can end it with all its children (on_signal).
	start=$(date +%s.%N)
	TMPDIR=$work/tmp PODMAN_IGNORE_CGROUPSV1_WARNING=1 \
		setsid -w "${timer[@]}" "${cmd[@]}" save --format "$format" -o "$out" "$image_name" \
		>"$log" 2>&1 </dev/null &
	child=$!
	wait "$child" || status=$?
	end=$(date +%s.%N)
	child=
	[ "$status" -eq 0 ] || run_failed "$tool save" "$log"
	if [ -n "$gnu_time" ]; then rss=$(tail -n 1 "$work/$tool-$n.rss"); fi
	# The archive must really hold the image: a tar with a manifest.
	if ! tar -tf "$out" >"$log.list" 2>"$log.tar" || ! grep -qx 'manifest.json\|index.json' "$log.list"; then
		say "$tool's archive $out has no manifest.json or index.json"
		run_failed "$tool save" "$log.tar"
	fi
	record_run "$tool" "$n" "$start" "$end" "$rss"
	if [ "$n" -gt 1 ]; then rm -f "$out"; fi
}

# Runs alternate between the tools so that drift (thermal, other load, the
# disk's own caches) does not favour whichever tool went first.
for ((n = 1; n <= runs; n++)); do
	for tool in "${tools[@]}"; do run_once "$tool" "$n"; done
done

# ---- report -----------------------------------------------------------------

archive_mib=$(awk -v b="$(stat -c %s "$work/${tools[0]}-1.tar")" 'BEGIN { printf "%.0f", b / 1048576 }')
report_runs "save --format $format of $image_name ($archive_mib MiB archive), $runs run(s) per tool, $([ "$cold" = 1 ] && echo cold || echo warm) page cache"
if [ ${#tools[@]} -eq 2 ]; then
	if cmp -s "$work/ferry-1.tar" "$work/podman-1.tar"; then
		echo "archives: byte for byte the same"
	else
		echo "archives: different ($(stat -c %s "$work/ferry-1.tar") vs $(stat -c %s "$work/podman-1.tar") bytes)"
	fi
fi
