#!/usr/bin/env bash
# Times `ferry pull` of a ~200 MB multi-layer image from a local registry
# (Debian's docker-registry on 127.0.0.1, plain http) and, when Podman is
# installed, `podman pull --tls-verify=false` of the same image, each into a
# fresh root per run.  Prints the median wall-clock time, the peak RSS and the
# ferry/podman ratio.
#
# Usage: bench/pull.sh [options]          (as root)
#   --runs N          runs per tool (default 3)
#   --image FILE      push this OCI archive instead of building the benchmark image
#   --only TOOL       run only "ferry" or only "podman"
#   --cold            drop the page cache before every run (default: warm; the
#                     registry's blobs are in the cache after the push)
#   --extra-layers N  layers of random data added to the test image (default 4)
#   --extra-size MB   MiB of random data in each of them (default 50)
# Environment:
#   FERRY    the ferry binary (default: build/ferry in this repository)
#   TMPDIR   where the image, the registry's storage and the roots go
#            (default /var/tmp: a real disk, where /tmp may be tmpfs)
#
# The image goes to the registry once, with skopeo (so neither timed tool
# pushed it), and both tools pull the same bytes over loopback: the numbers
# are the tools' own costs (HTTP, digest checks, decompression, unpacking,
# storing), not a network's.  Peak RSS is GNU time's %M: the largest single
# process of the command's tree (apt-get install time; without it, n/a).
set -euo pipefail

bench_name=bench/pull
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ferry=${FERRY:-$repo_root/build/ferry}

runs=3
image=
only=
cold=0
extra_layers=4
extra_size=50
while [ $# -gt 0 ]; do
	case "$1" in
	--runs) [ $# -ge 2 ] || usage; runs=$2; shift ;;
	--image) [ $# -ge 2 ] || usage; image=$2; shift ;;
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
case "$only" in "" | ferry | podman) ;; *) die "--only wants 'ferry' or 'podman', got '$only'" ;; esac
[ "$(id -u)" -eq 0 ] || die "run as root: both tools need it to create layers owned by other users"
if [ -n "$image" ]; then
	[ -f "$image" ] || die "image archive '$image' does not exist"
	image=$(realpath "$image")
fi
for tool in docker-registry skopeo curl python3; do
	command -v "$tool" >/dev/null || die "'$tool' is not installed (scripts/install-deps.sh installs it)"
done

# ---- which tools ------------------------------------------------------------

choose_tools

find_gnu_time

# ---- scratch space and cleanup ----------------------------------------------

work=$(mktemp -d "${TMPDIR:-/var/tmp}/ferry-bench-pull.XXXXXX")
work=$(realpath "$work") # mountinfo shows resolved paths
note_run_containers
# Neither tool reads or writes the host's registry credentials.
export REGISTRY_AUTH_FILE=$work/auth.json

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	stop_registry
	remove_tree "$work"
	forget_run_containers
	exit "$rc"
}
set_traps

# ---- the image --------------------------------------------------------------

if [ -z "$image" ]; then
	image=$work/image.tar
	echo "bench/pull: building the image ($extra_layers x $extra_size MiB extra layers)..." >&2
	"$repo_root/tests/lib/build-test-image.sh" --extra-layers "$extra_layers" \
		--extra-size "$extra_size" "$image" localhost/ferry-bench:latest
fi
image_mib=$(awk -v b="$(stat -c %s "$image")" 'BEGIN { printf "%.0f", b / 1048576 }')

# ---- the registry -------------------------------------------------------------

start_registry
ref=$registry/ferry-bench:latest
echo "bench/pull: pushing the image to $ref with skopeo..." >&2
skopeo copy --quiet --dest-tls-verify=false "oci-archive:$image" "docker://$ref" >&2 ||
	die "skopeo could not push the image to the registry"

# ---- one timed run ----------------------------------------------------------

# run_once TOOL N: pulls the image into a fresh root and appends
# "seconds peak_rss_kib" to $work/TOOL.results. The root is removed afterwards,
# outside the timed part.
run_once() {
	local tool=$1 n=$2 dir=$work/$1-$2 log start end rss=n/a
	local -a cmd check
	mkdir -p "$dir/root" "$dir/runroot" "$dir/tmp"
	log=$dir.log
	case "$tool" in
	ferry)
		cmd=("$ferry" --root "$dir/root" --runroot "$dir/runroot" pull -q --tls-verify=false "$ref")
		check=("$ferry" --root "$dir/root" --runroot "$dir/runroot" images)
		;;
	podman)
		# --tmpdir and --events-backend none keep Podman's volatile state
		# inside this run's directory instead of /run/libpod.
		cmd=(podman --root "$dir/root" --runroot "$dir/runroot" --tmpdir "$dir/tmp"
			--storage-driver overlay --events-backend none pull -q --tls-verify=false "$ref")
		check=(podman --root "$dir/root" --runroot "$dir/runroot" --tmpdir "$dir/tmp"
			--storage-driver overlay --events-backend none images)
		;;
	esac

	sync # leave no writeback from the previous run to be paid by this one
	if [ "$cold" = 1 ]; then echo 3 >/proc/sys/vm/drop_caches; fi
	local -a timer=()
	if [ -n "$gnu_time" ]; then timer=("$gnu_time" -f %M -o "$dir.rss"); fi
	# The tool runs in a session of its own, in the background, so that a
	# signal to this script can end it with all its children (on_signal).
	# TMPDIR: both tools stage big files there; keep it inside the run's dir.
	local status=0
	start=$(date +%s.%N)
	TMPDIR=$dir/tmp PODMAN_IGNORE_CGROUPSV1_WARNING=1 \
		setsid -w "${timer[@]}" "${cmd[@]}" >"$log" 2>&1 </dev/null &
	child=$!
	wait "$child" || status=$?
	end=$(date +%s.%N)
	child=
	[ "$status" -eq 0 ] || run_failed "$tool" "$log"
	if [ -n "$gnu_time" ]; then rss=$(tail -n 1 "$dir.rss"); fi

	# The pull must really have stored the image: ask the tool to list it.
	if ! PODMAN_IGNORE_CGROUPSV1_WARNING=1 "${check[@]}" >"$dir.images" 2>&1; then
		run_failed "$tool" "$dir.images"
	fi
	if ! grep -qF "ferry-bench" "$dir.images"; then
		echo "bench/pull: '$tool images' does not list $ref after the pull:" >&2
		run_failed "$tool" "$dir.images"
	fi

	record_run "$tool" "$n" "$start" "$end" "$rss"
	remove_tree "$dir"
}

# Runs alternate between the tools so that drift (thermal, other load, the
# disk's own caches) does not favour whichever tool went first.
for ((n = 1; n <= runs; n++)); do
	for tool in "${tools[@]}"; do run_once "$tool" "$n"; done
done

# ---- report -----------------------------------------------------------------

report_runs "pull of $(basename "$image") ($image_mib MiB) from a local registry, $runs run(s) per tool, fresh root each run, $([ "$cold" = 1 ] && echo cold || echo warm) page cache"
