#!/usr/bin/env bash
# Times `ferry push --compression-format gzip` and `... zstd` of a ~100 MiB
# one-layer image to a local registry (Debian's docker-registry on
# 127.0.0.1, plain http) and, when Podman is installed, `podman push` of the
# same image with the same flags.  Prints, for each format, the median
# wall-clock time, the peak RSS, the size of the layer blob each tool sent
# and the ferry/podman ratios.
#
# Usage: bench/push-compress.sh [options]          (as root)
#   --runs N          runs per tool and format (default 3)
#   --size MB         MiB of the layer (default 100): 40% random bytes, 30%
#                     base64 text of random bytes, 30% decimal numbers
#   --only TOOL       run only "ferry" or only "podman"
#   --formats LIST    compression formats, space-separated (default "gzip zstd")
#   --encrypt         push with --encryption-key jwe:KEY (an RSA-2048 key
#                     openssl makes): the layer goes as tar+FORMAT+encrypted
# Environment:
#   FERRY    the ferry binary (default: build/ferry in this repository)
#   TMPDIR   where the image, the registry's storage and the roots go
#            (default /var/tmp: a real disk, where /tmp may be tmpfs)
#
# Each tool stores the image once (ferry import of the layer's tar, saved as
# an OCI archive that Podman loads: the same layer in both), outside the
# timing.  Each timed push goes to a registry started afresh with empty
# storage, so that no run finds the blobs of an earlier one there (ferry's
# and Podman's compressed bytes are the same every time: a second push to
# the same registry would send nothing).  Both tools hold the layer
# uncompressed and compress it on the way.  Peak RSS is GNU time's %M: the
# largest single process of the command's tree (apt-get install time;
# without it, n/a).
set -euo pipefail

bench_name=bench/push-compress
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ferry=${FERRY:-$repo_root/build/ferry}

runs=3
size=100
only=
formats="gzip zstd"
encrypt=0
while [ $# -gt 0 ]; do
	case "$1" in
	--runs) [ $# -ge 2 ] || usage; runs=$2; shift ;;
	--size) [ $# -ge 2 ] || usage; size=$2; shift ;;
	--only) [ $# -ge 2 ] || usage; only=$2; shift ;;
	--formats) [ $# -ge 2 ] || usage; formats=$2; shift ;;
	--encrypt) encrypt=1 ;;
	-h | --help) usage ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive number, got '$runs'"
[[ $size =~ ^[1-9][0-9]*$ ]] && [ "$size" -le 8192 ] || die "--size wants MiB (1 to 8192), got '$size'"
case "$only" in "" | ferry | podman) ;; *) die "--only wants 'ferry' or 'podman', got '$only'" ;; esac
for fmt in $formats; do
	case "$fmt" in gzip | zstd) ;; *) die "--formats takes gzip and zstd, got '$fmt'" ;; esac
done
[ "$(id -u)" -eq 0 ] || die "run as root"
for tool in docker-registry curl python3 jq; do
	command -v "$tool" >/dev/null || die "'$tool' is not installed (scripts/install-deps.sh installs it)"
done

choose_tools
[ -x "$ferry" ] || die "the image is made with ferry: build it (scripts/build.sh) or set FERRY"

find_gnu_time

# ---- scratch space and cleanup ----------------------------------------------

work=$(mktemp -d "${TMPDIR:-/var/tmp}/ferry-bench-push.XXXXXX")
work=$(realpath "$work")
note_run_containers
export REGISTRY_AUTH_FILE=$work/auth.json
# Neither tool reads the host's containers.conf: its compression settings
# would change what is measured.
: >"$work/containers.conf"
export CONTAINERS_CONF=$work/containers.conf
child=

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "$child" ]; then kill -- -"$child" 2>/dev/null || true; fi
	stop_registry
	rm -rf "$work"
	forget_run_containers
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the image --------------------------------------------------------------

say "making a $size MiB layer..."
mkdir -p "$work/rootfs"
head -c "$((size * 1024 * 1024 * 4 / 10))" /dev/urandom >"$work/rootfs/random.bin"
head -c "$((size * 1024 * 1024 * 3 / 10 * 3 / 4))" /dev/urandom | base64 >"$work/rootfs/text.b64"
# seq is cut short by head (SIGPIPE), which pipefail would call a failure.
(seq 1 1000000000 || true) | head -c "$((size * 1024 * 1024 * 3 / 10))" >"$work/rootfs/numbers.txt"
tar -C "$work/rootfs" -cf "$work/layer.tar" .
rm -rf "$work/rootfs"

f_cmd=("$ferry" --root "$work/froot" --runroot "$work/frun")
p_cmd=(podman --root "$work/proot" --runroot "$work/prun" --tmpdir "$work/ptmp"
	--storage-driver overlay --events-backend none)
"${f_cmd[@]}" import -q "$work/layer.tar" localhost/bench-push:latest >/dev/null
rm -f "$work/layer.tar"
encrypt_args=()
media_suffix=
if [ "$encrypt" = 1 ]; then
	command -v openssl >/dev/null || die "'openssl' is not installed (scripts/install-deps.sh installs it)"
	openssl genrsa -out "$work/key.pem" 2048 2>/dev/null
	openssl rsa -in "$work/key.pem" -pubout -out "$work/pub.pem" 2>/dev/null
	encrypt_args=(--encryption-key "jwe:$work/pub.pem")
	media_suffix=+encrypted
fi
for tool in "${tools[@]}"; do
	if [ "$tool" = podman ]; then
		"${f_cmd[@]}" save --format oci-archive -o "$work/image.tar" localhost/bench-push:latest
		PODMAN_IGNORE_CGROUPSV1_WARNING=1 "${p_cmd[@]}" load -q -i "$work/image.tar" >/dev/null
		rm -f "$work/image.tar"
	fi
done

# ---- one timed run ----------------------------------------------------------

# run_once TOOL FORMAT N: pushes to a fresh registry, checks what it got,
# and appends "seconds peak_rss_kib" to $work/TOOL-FORMAT.results.
run_once() {
	local tool=$1 fmt=$2 n=$3 log=$work/$1-$2-$3.log start end rss=n/a status=0 m mt blob
	local -a cmd
	start_registry
	case "$tool" in
	ferry) cmd=("${f_cmd[@]}") ;;
	podman) cmd=("${p_cmd[@]}") ;;
	esac
	cmd+=(push -q --tls-verify=false --compression-format "$fmt" "${encrypt_args[@]}" localhost/bench-push:latest
		"$registry/bench/push:$tool")
	sync
	local -a timer=()
	if [ -n "$gnu_time" ]; then timer=("$gnu_time" -f %M -o "$log.rss"); fi
	start=$(date +%s.%N)
	PODMAN_IGNORE_CGROUPSV1_WARNING=1 setsid -w "${timer[@]}" "${cmd[@]}" >"$log" 2>&1 </dev/null &
	child=$!
	wait "$child" || status=$?
	end=$(date +%s.%N)
	child=
	[ "$status" -eq 0 ] || run_failed "$tool push --compression-format $fmt" "$log"
	if [ -n "$gnu_time" ]; then rss=$(tail -n 1 "$log.rss"); fi
	# The registry must hold the image with its layer in FORMAT.
	m=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		"http://$registry/v2/bench/push/manifests/$tool") || die "$tool: the registry has no manifest"
	mt=$(jq -r '.layers[0].mediaType' <<<"$m")
	[ "$mt" = "application/vnd.oci.image.layer.v1.tar+$fmt$media_suffix" ] || die "$tool: the layer went as $mt"
	blob=$(jq -r '.layers[0].size' <<<"$m")
	echo "$blob" >"$work/$tool-$fmt.blob"
	record_run "$tool-$fmt" "$n" "$start" "$end" "$rss"
	stop_registry
	rm -rf "$work/registry"
}

for fmt in $formats; do
	for ((n = 1; n <= runs; n++)); do
		for tool in "${tools[@]}"; do run_once "$tool" "$fmt" "$n"; done
	done
done

# ---- report -----------------------------------------------------------------

echo
echo "push of a $size MiB one-layer image to a local registry${media_suffix:+, encrypted (jwe, RSA-2048)}, $runs run(s) per tool and format, a fresh registry each run"
printf '%-14s %10s %10s %10s %14s %12s\n' "tool-format" "median s" "min s" "max s" "peak RSS MiB" "blob MiB"
declare -A medians peaks
for fmt in $formats; do
	for tool in "${tools[@]}"; do
		f=$work/$tool-$fmt.results
		medians[$tool-$fmt]=$(median "$f" 1)
		peaks[$tool-$fmt]=$(peak_mib "$f")
		printf '%-14s %10s %10s %10s %14s %12s\n' "$tool-$fmt" "${medians[$tool-$fmt]}" \
			"$(sort -g "$f" | head -n 1 | cut -d' ' -f1)" "$(sort -g "$f" | tail -n 1 | cut -d' ' -f1)" \
			"${peaks[$tool-$fmt]}" "$(awk -v b="$(cat "$work/$tool-$fmt.blob")" 'BEGIN { printf "%.1f", b / 1048576 }')"
	done
	if [ ${#tools[@]} -eq 2 ]; then
		echo "ferry/podman ($fmt): time $(ratio "${medians[ferry-$fmt]}" "${medians[podman-$fmt]}"), peak RSS $(ratio "${peaks[ferry-$fmt]}" "${peaks[podman-$fmt]}")"
	fi
done
