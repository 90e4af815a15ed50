# shellcheck shell=bash disable=SC2154,SC2034 # bench_name, only, ferry: set by the sourcing script; run_args, rm_args: for it
# What the benchmark scripts share.  Source it after setting bench_name
# ("bench/load", ...); the script's own header comment is its --help.

usage() {
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
	exit 2
}

die() {
	echo "$bench_name: $*" >&2
	exit 1
}

say() {
	echo "$bench_name: $*" >&2
}

# choose_tools: sets the array tools to what can be timed (ferry at $ferry,
# podman when installed), as --only ($only: "", ferry or podman) asks.
choose_tools() {
	tools=()
	if [ "$only" != podman ]; then
		if [ -x "$ferry" ]; then
			tools+=(ferry)
		elif [ "$only" = ferry ]; then
			die "no ferry binary at '$ferry': build it (scripts/build.sh) or set FERRY"
		else
			say "no ferry binary at '$ferry' (set FERRY); timing podman only"
		fi
	fi
	if [ "$only" != ferry ]; then
		if command -v podman >/dev/null; then
			tools+=(podman)
		elif [ "$only" = podman ]; then
			die "podman is not installed: scripts/install-deps.sh --with-podman"
		else
			say "podman is not installed; timing ferry only"
		fi
	fi
	[ ${#tools[@]} -gt 0 ] || die "nothing to time: neither ferry nor podman is available"
}

# Unmounts everything mounted at or below $1, deepest first, so that rm -rf
# cannot reach into a mounted overlay or escape through a bind mount.
unmount_below() {
	local dir=$1 m
	local -a mounts
	for _ in 1 2 3; do
		# mountinfo field 5 is the mount point, with spaces escaped as \040.
		mapfile -t mounts < <(awk -v d="$dir" '{ m = $5; gsub(/\\040/, " ", m);
			if (m == d || index(m, d "/") == 1) print m }' /proc/self/mountinfo | sort -r)
		[ ${#mounts[@]} -gt 0 ] || return 0
		for m in "${mounts[@]}"; do
			umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
		done
	done
}

# median FILE COLUMN
median() {
	awk -v c="$2" '{ print $c }' "$1" | sort -g | awk '{ v[NR] = $1 }
		END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# peak_mib FILE: the largest peak RSS (KiB, column 2) of all runs, in MiB
# (or n/a)
peak_mib() {
	awk '$2 != "n/a" { if ($2 > m) m = $2; seen = 1 }
		END { if (seen) printf "%.1f", m / 1024; else print "n/a" }' "$1"
}

# run_failed WHAT LOG: says WHAT failed, shows the end of LOG, and stops.
run_failed() {
	say "$1 failed; last lines of its output:"
	if [ -s "$2" ]; then tail -n 20 "$2" | sed "s/^/  /" >&2; else echo "  (no output)" >&2; fi
	exit 1
}

# ferry's default network, placed by a ferry.conf of the benchmark's own on
# a subnet and bridge of its own (Podman's default network has
# 10.88.0.0/16): like Podman's, a bridge without DNS, so that both tools do
# the same work.
make_bench_network() {
	[ "${bench_network:-none}" = bridge ] || return 0
	case "$1" in
	ferry | ferry-age)
		printf '[network]\ndefault_subnet = "10.201.250.0/24"\ndefault_interface = "ftb0"\n' >"$work/ferry.conf"
		export FERRY_CONFIG=$work/ferry.conf ;;
	esac
}

# Per-command options that make both tools do the same work: with
# --network bridge, each tool's containers on its default network, set up
# by netavark.
run_opts() {
	case "$1" in
	ferry | ferry-age) run_args=(--network "${bench_network:-none}") ;;
	podman) run_args=(--network "${bench_network:-none}" --log-driver k8s-file) ;;
	esac
}
rm_opts() {
	case "$1" in
	ferry | ferry-age) rm_args=(-f) ;;
	podman) rm_args=(-f -t 0) ;;
	esac
}

# is_zombie PID: an exited process nobody has reaped yet (this machine's
# init does not reap, so every conmon's first fork stays as one).
is_zombie() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	[ "${stat%% *}" = Z ]
}

# record_run TOOL N START END RSS: appends one timed run ("seconds peak-RSS")
# to $work/TOOL.results and says it.
record_run() {
	local secs
	secs=$(awk -v s="$3" -v e="$4" 'BEGIN { printf "%.3f", e - s }')
	echo "$secs $5" >>"$work/$1.results"
	printf '%s: %-6s run %d: %6s s, peak RSS %s KiB\n' "$bench_name" "$1" "$2" "$secs" "$5" >&2
}

# report_runs TITLE: the table of $work/TOOL.results for every tool, and
# the ferry/podman ratios when both ran.
report_runs() {
	local tool f
	local -A medians peaks
	echo
	echo "$1"
	printf '%-8s %10s %10s %10s %14s\n' tool "median s" "min s" "max s" "peak RSS MiB"
	for tool in "${tools[@]}"; do
		f=$work/$tool.results
		medians[$tool]=$(median "$f" 1)
		peaks[$tool]=$(peak_mib "$f")
		printf '%-8s %10s %10s %10s %14s\n' "$tool" "${medians[$tool]}" \
			"$(sort -g "$f" | head -n 1 | cut -d' ' -f1)" "$(sort -g "$f" | tail -n 1 | cut -d' ' -f1)" \
			"${peaks[$tool]}"
	done
	if [ ${#tools[@]} -eq 2 ]; then
		echo "ferry/podman: time $(ratio "${medians[ferry]}" "${medians[podman]}"), peak RSS $(ratio "${peaks[ferry]}" "${peaks[podman]}")"
	fi
}

# ratio A B: A/B as "0.52x", or n/a when either is unknown or B is 0.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b == 0) print "n/a"; else printf "%.2fx", a / b }'
}
