# shellcheck shell=bash disable=SC2154,SC2034 # bench_name, only, ferry, runs, warm...: set by the sourcing script; run_args, rm_args, work, rundir...: for it
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
	ferry | ferry-age | ferry-img)
		printf '[network]\ndefault_subnet = "10.201.250.0/24"\ndefault_interface = "ftb0"\n' >"$work/ferry.conf"
		export FERRY_CONFIG=$work/ferry.conf ;;
	esac
}

# Per-command options that make both tools do the same work: with
# --network bridge, each tool's containers on its default network, set up
# by netavark.
run_opts() {
	case "$1" in
	ferry | ferry-age | ferry-img) run_args=(--network "${bench_network:-none}") ;;
	podman | podman-img) run_args=(--network "${bench_network:-none}" --log-driver k8s-file) ;;
	esac
}
rm_opts() {
	case "$1" in
	ferry | ferry-age | ferry-img | podman | podman-img) rm_args=(-f -t 0) ;;
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

# find_gnu_time: sets gnu_time to GNU time, whose %M is a run's peak RSS,
# or to nothing (saying so) where it is not installed.
find_gnu_time() {
	gnu_time=
	if [ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then
		gnu_time=/usr/bin/time
	else
		say "GNU time is not installed (apt-get install time); peak RSS will read n/a"
	fi
}

# ---- bench/checkpoint.sh and bench/migrate.sh: sizes, the workload ---------

# check_sizes: sets the array size_list from $sizes ("--sizes") and checks
# it, and $runs ("--runs": empty or a positive number).
check_sizes() {
	local s
	read -r -a size_list <<<"$sizes"
	[ ${#size_list[@]} -gt 0 ] || die "--sizes wants at least one size in MiB"
	for s in "${size_list[@]}"; do
		if ! [[ $s =~ ^[1-9][0-9]*$ ]] || [ "$s" -gt 65536 ]; then
			die "--sizes wants sizes in MiB (1 to 65536), got '$s'"
		fi
	done
	[ -z "$runs" ] || [[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive number, got '$runs'"
}

# check_memhog: what building the workload's image needs: its source
# ($memhog_src) and a static /bin/busybox.
check_memhog() {
	[ -f "$memhog_src" ] || die "the workload's source '$memhog_src' is missing"
	[ -x /bin/busybox ] || die "/bin/busybox is missing: apt-get install busybox-static"
	if readelf -l /bin/busybox 2>/dev/null | grep -q 'program interpreter'; then
		die "/bin/busybox is linked dynamically and would not run in the image: apt-get install busybox-static"
	fi
}

# runs_for SIZE: runs per tool at SIZE MiB ($runs, or 3 below 1024 MiB and
# 1 from 1024 MiB up).
runs_for() {
	if [ -n "$runs" ]; then
		echo "$runs"
	elif [ "$1" -ge 1024 ]; then
		echo 1
	else
		echo 3
	fi
}

# check_memory TIMES: warns when less than TIMES x the largest of size_list
# MiB of memory is available; sets max_size and avail_mib.
check_memory() {
	local s
	max_size=0
	for s in "${size_list[@]}"; do [ "$s" -le "$max_size" ] || max_size=$s; done
	avail_mib=$(awk '/^MemAvailable:/ { printf "%d", $2 / 1024 }' /proc/meminfo)
	if [ "$avail_mib" -lt $((max_size * $1)) ]; then
		say "warning: $avail_mib MiB of memory available; $max_size MiB containers may not fit ($1 x is advisable)"
	fi
}

# ---- bench/checkpoint.sh and bench/migrate.sh: scratch space ---------------

# The parent cgroups the tools make (cgroup v1: one per controller), so that
# the cleanup can take away those that this run made.
cgroup_parents() {
	local d
	for d in /sys/fs/cgroup/*/libpod_parent /sys/fs/cgroup/*/ferry; do
		if [ -d "$d" ]; then echo "$d"; fi
	done
}

# note_run_containers: notes whether /run/containers exists
# (had_run_containers), for forget_run_containers.
note_run_containers() {
	had_run_containers=1
	[ -e /run/containers ] || had_run_containers=0
}

# forget_run_containers: Podman makes /run/containers/networks whatever
# its --runroot; takes it away again if it was not there before (rmdir:
# only while empty).
forget_run_containers() {
	if [ "$had_run_containers" = 0 ]; then
		rmdir /run/containers/networks /run/containers 2>/dev/null || true
	fi
}

# make_work NAME: makes the scratch directory (TMPDIR's
# ferry-bench-NAME.XXXXXX) and notes what the cleanup must leave as it
# found it: sets work, rundir (empty until make_rundir), had_run_containers
# and cgroups_before.
make_work() {
	work=$(mktemp -d "${TMPDIR:-/var/tmp}/ferry-bench-$1.XXXXXX")
	work=$(realpath "$work") # mountinfo and command lines show resolved paths
	rundir=
	note_run_containers
	cgroups_before=$(cgroup_parents)
}

# make_rundir: the runroots' directory. Volatile state belongs on a tmpfs
# under /run, ferry's default place. Where /run is a plain directory of the
# root disk (as in some VMs), a private tmpfs stands in for it, unless
# --no-tmpfs ($tmpfs 0). Sets rundir, run_fs and run_note (where the
# runroots are, for the report).
make_rundir() {
	rundir=$(mktemp -d /run/ferry-bench.XXXXXX)
	rundir=$(realpath "$rundir")
	run_fs=$(stat -f -c %T "$rundir")
	if [ "$run_fs" != tmpfs ] && [ "$tmpfs" = 1 ]; then
		mount -t tmpfs -o mode=0700 ferry-bench "$rundir" ||
			die "cannot mount a tmpfs on $rundir (try --no-tmpfs)"
		run_note="a private tmpfs on $rundir (/run itself is $run_fs here)"
	else
		run_note="$rundir ($run_fs)"
	fi
}

# ---- the benchmark's processes ---------------------------------------------

# named_pids: processes whose command line names one of the benchmark's
# directories, $work and $rundir when set (conmon, the tools' exit
# commands, runc, CRIU, bench/migrate's sshd).
named_pids() {
	pgrep -f -- "$work/" || true
	if [ -n "${rundir:-}" ]; then pgrep -f -- "$rundir/" || true; fi
}

# bench_pids: live processes of this benchmark, one PID a line: named_pids
# and the containers' own processes, recognised by a root file system
# (the mount at "/" in their mount namespace) that comes from the
# benchmark's directories.  Not any process whose mount table merely names
# them: a mount namespace made while the benchmark's containers ran (a
# test shard's unshare, another tool's container) holds copies of their
# mounts, and those processes are no part of the benchmark.
bench_pids() {
	local d pid
	named_pids
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		if [ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] || ! [ -e "$d/ns/mnt" ] ||
			[ "$d/ns/mnt" -ef /proc/self/ns/mnt ]; then
			continue
		fi
		if root_mount_names "$d/mountinfo" "$work/" ||
			{ [ -n "${rundir:-}" ] && root_mount_names "$d/mountinfo" "$rundir/"; }; then
			echo "$pid"
		fi
	done
}

# root_mount_names MOUNTINFO DIR: whether the mount at "/" in MOUNTINFO
# (the last one there: it hides those below) names DIR, as an overlay's
# upperdir or a bind mount's source does.
root_mount_names() {
	awk -v d="$2" '$5 == "/" { last = $0 } END { exit !(index(last, d) > 0) }' "$1" 2>/dev/null
}

# live_bench_pids: bench_pids without the zombies, each once.
live_bench_pids() {
	local pid
	while read -r pid; do
		is_zombie "$pid" || echo "$pid"
	done < <(bench_pids | sort -un)
}

# settle [SECONDS]: waits (30 s at most by default) until no process but
# conmon, the containers and bench/migrate's sshd ($sshd_pid, when set)
# names $work or $rundir, so that exit commands, runc calls and ssh sessions
# that a command left running do not overlap with the next timed command.
settle() {
	local limit=${1:-30} pid busy
	local deadline=$((${EPOCHREALTIME/./} + limit * 1000000))
	while :; do
		busy=0
		for pid in $(named_pids); do
			if [ "$pid" != "${sshd_pid:-}" ] && ! is_zombie "$pid" &&
				[ "$(cat "/proc/$pid/comm" 2>/dev/null)" != conmon ]; then
				busy=1
				break
			fi
		done
		[ "$busy" = 1 ] || return 0
		if [ "${EPOCHREALTIME/./}" -ge "$deadline" ]; then
			say "background work still running after ${limit}s:"
			{
				pgrep -a -f -- "$work/" || true
				if [ -n "${rundir:-}" ]; then pgrep -a -f -- "$rundir/" || true; fi
			} | cut -c1-200 | sed 's/^/  /' >&2
			return 1
		fi
		sleep 0.02
	done
}

# ---- running the tools -----------------------------------------------------

# On a signal, end the running tool's whole session first (its pid, in
# $child, is its session and process group id), then leave through cleanup.
on_signal() {
	if [ -n "$child" ]; then
		kill -TERM -- "-$child" 2>/dev/null || true
		wait "$child" 2>/dev/null || true
		child=
	fi
	exit "$1"
}

# set_traps: the script's cleanup on exit, on_signal on SIGINT and SIGTERM
# (exit status 130 and 143); sets child (none running yet).
set_traps() {
	child=
	trap cleanup EXIT
	trap 'on_signal 130' INT
	trap 'on_signal 143' TERM
}

# drop_caches: the timed commands read the archive, the tools and CRIU from
# the disk, not from what the previous command left in the page cache
# (unless --warm: $warm 1).
drop_caches() {
	sync
	if [ "$warm" = 0 ]; then echo 3 >/proc/sys/vm/drop_caches; fi
}

# run_cmd WHAT OUT CMD...: runs CMD, stdout to OUT and stderr to OUT.err,
# and sets "secs" to the wall-clock time it took. CMD runs in a session of
# its own, in the background, so that a signal to this script can end it
# with all its children (on_signal; it sets child). Fails the benchmark
# when CMD fails, as WHAT. TMPDIR is $work/tmp.
run_cmd() {
	local what=$1 out=$2 start end status=0 us
	shift 2
	start=$EPOCHREALTIME
	PODMAN_IGNORE_CGROUPSV1_WARNING=1 TMPDIR=$work/tmp \
		setsid -w "$@" >"$out" 2>"$out.err" </dev/null &
	child=$!
	wait "$child" || status=$?
	end=$EPOCHREALTIME
	child=
	[ "$status" -eq 0 ] || run_failed "'$what'" "$out.err"
	us=$((${end/./} - ${start/./}))
	printf -v secs '%d.%06d' $((us / 1000000)) $((us % 1000000))
}

# tool_versions [ARG]: the first --version line of every tool in $tools
# (tool_cmd TOOL ARG sets the array cmd to it), comma-separated.
# shellcheck disable=SC2120 # ARG is optional
tool_versions() {
	local tool
	for tool in "${tools[@]}"; do
		tool_cmd "$tool" "$@"
		"${cmd[@]}" --version 2>/dev/null | head -n 1
	done | paste -sd, - | sed 's/,/, /g'
}

# ---- the memhog workload ---------------------------------------------------

# make_memhog_rootfs: the workload's root file system in $work/rootfs:
# bench/memhog.c ($memhog_src) compiled statically, with busybox.
make_memhog_rootfs() {
	say "building the memhog image..."
	mkdir -p "$work/rootfs/bin" "$work/rootfs/dev" "$work/rootfs/etc" "$work/rootfs/proc" \
		"$work/rootfs/sys" "$work/rootfs/tmp"
	gcc -O2 -static -Wall -o "$work/rootfs/memhog" "$memhog_src" 2>"$work/gcc.log" ||
		run_failed "gcc -O2 -static bench/memhog.c (is libc6-dev installed?)" "$work/gcc.log"
	cp /bin/busybox "$work/rootfs/bin/busybox"
	ln -s busybox "$work/rootfs/bin/sh"
	chmod 1777 "$work/rootfs/tmp"
}

# counter_check LOG RUN_ID BEFORE: prints the last count when every counter
# line of LOG comes from process RUN_ID, the counts only go up and the last
# is above BEFORE; otherwise prints why not and fails.
counter_check() {
	awk -v id="$2" -v before="$3" '
		$1 == "ready" { if ($5 != id) { print "a \"ready\" line of another process: " $0; bad = 1; exit } }
		$1 == "count" {
			if ($4 != id) { print "a counter line of another process (restarted?): " $0; bad = 1; exit }
			if (seen && $2 + 0 <= last) { print "the counter went back from " last " to " $2; bad = 1; exit }
			last = $2 + 0; seen = 1
		}
		END {
			if (bad) exit 1
			if (!seen) { print "no counter line"; exit 1 }
			if (last <= before) { print "the counter stands at " last ", not past " before; exit 1 }
			print last
		}' "$1"
}

# take_turns FUNC: FUNC TOOL SIZE N for every size of size_list, runs_for
# it runs, the tools of $tools taking turns run by run, so that drift does
# not favour whichever went first.
take_turns() {
	local size r n tool
	for size in "${size_list[@]}"; do
		r=$(runs_for "$size")
		say "$size MiB: $r run(s) per tool"
		for ((n = 1; n <= r; n++)); do
			for tool in "${tools[@]}"; do "$1" "$tool" "$size" "$n"; done
		done
	done
}

# ---- a registry -------------------------------------------------------------

registry_pid=

# start_registry: runs Debian's docker-registry on a free port of
# 127.0.0.1, its storage under $work/registry (as the last one left it),
# its log in $work/registry.log; sets registry (HOST:PORT) and registry_pid.
start_registry() {
	local port code
	mkdir -p "$work/registry"
	for _ in 1 2 3; do
		port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		cat >"$work/registry/config.yml" <<-EOF
			version: 0.1
			log:
			  level: warn
			  accesslog:
			    disabled: true
			storage:
			  filesystem:
			    rootdirectory: $work/registry/data
			http:
			  addr: 127.0.0.1:$port
			  secret: ferry-bench
		EOF
		# distribution takes REGISTRY_* variables (REGISTRY_AUTH_FILE too) as
		# config overrides: give it an environment of its own.
		env -i PATH="$PATH" docker-registry serve "$work/registry/config.yml" \
			</dev/null >>"$work/registry.log" 2>&1 &
		registry_pid=$!
		for _ in $(seq 1 100); do
			kill -0 "$registry_pid" 2>/dev/null || break
			code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/v2/" || true)
			if [ "$code" = 200 ]; then
				registry=127.0.0.1:$port
				return 0
			fi
			sleep 0.1
		done
		stop_registry
	done
	tail -n 20 "$work/registry.log" >&2
	die "docker-registry did not come up (its log is above)"
}

# stop_registry: stops start_registry's registry (nothing when none runs).
stop_registry() {
	if [ -n "$registry_pid" ]; then
		kill "$registry_pid" 2>/dev/null || true
		wait "$registry_pid" 2>/dev/null || true
		registry_pid=
	fi
}

# ---- the cleanup -----------------------------------------------------------

# remove_tree DIR: unmounts what is mounted below DIR and removes it.
remove_tree() {
	unmount_below "$1"
	# --one-file-system: should an unmount have failed, do not delete through it.
	rm -rf --one-file-system "$1" || say "could not remove $1 entirely"
}

# kill_leftovers: the cleanup's last resort, after the tools' own rm -f:
# kills live_bench_pids, saying which, up to three times.
kill_leftovers() {
	local -a pids
	for _ in 1 2 3; do
		mapfile -t pids < <(live_bench_pids)
		[ ${#pids[@]} -gt 0 ] || break
		say "killing ${#pids[@]} leftover process(es):"
		ps -o pid=,args= -p "$(
			IFS=,
			echo "${pids[*]}"
		)" | cut -c1-160 | sed 's/^/  /' >&2
		kill -KILL "${pids[@]}" 2>/dev/null
		sleep 0.5
	done
}

# finish_cleanup RC: the end of the cleanup of bench/checkpoint.sh and
# bench/migrate.sh, after remove_tree of $work and $rundir: takes away
# /run/containers and the tools' parent cgroups when this run made them
# (had_run_containers, cgroups_before), then exits with RC, or 1 when RC is
# 0 and processes of the benchmark are still running.
finish_cleanup() {
	local rc=$1 d
	local -a pids
	forget_run_containers
	# Likewise the tools' parent cgroups (rmdir: only while no one uses them).
	while read -r d; do
		if [ -z "$d" ] || grep -qxF -- "$d" <<<"$cgroups_before"; then continue; fi
		if [ "${d##*/}" = libpod_parent ]; then rmdir "$d/conmon" 2>/dev/null; fi
		rmdir "$d" 2>/dev/null
	done < <(cgroup_parents)
	mapfile -t pids < <(live_bench_pids)
	if [ ${#pids[@]} -gt 0 ]; then
		say "processes of the benchmark are still running: ${pids[*]}"
		[ "$rc" -ne 0 ] || rc=1
	fi
	exit "$rc"
}
