# shellcheck shell=bash disable=SC2154 # bench_name, only, ferry: set by the sourcing script
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
