#!/usr/bin/env bash
# Times moving a running container from one host to another: ferry's one
# step, `container migrate --print-stats CTR ssh://root@HOST_B` of a container
# holding N MiB of anonymous memory, against Podman's documented manual
# sequence, `container checkpoint --export FILE --compress zstd CTR` on host A,
# `scp FILE` to host B and `container restore --import FILE` on host B through
# ssh. Checks that the moved process carries on counting on host B. Does the
# Podman side when Podman is installed, in the same run, and prints medians of
# the downtime and the total time, ferry's phases, Podman's steps, the bytes
# sent, the ferry/podman ratios and ferry's target at 1 GiB.
#
# Usage: bench/migrate.sh [options]    (as root)
#   --sizes "S..."    container memory sizes in MiB (default "16 256 1024")
#   --runs N          runs per size and tool (default 3 below 1024 MiB and 1
#                     from 1024 MiB up)
#   --only TOOL       run only "ferry" or only "podman"
#   --warm            do not drop the page cache before each timed move
#   --no-tmpfs        leave the runroots on /run as it is, even when /run is
#                     not a tmpfs (by default the script mounts a private
#                     tmpfs for them there, as /run is in production)
#   --lazy            also time `container migrate --lazy` (post-copy), as a
#                     row "lazy" of its own, with the time until every page
#                     had arrived (its MB sent: the archive and the page
#                     traffic); raises fs.pipe-max-size to 4 MiB for the
#                     run when ferry lacks CAP_SYS_RESOURCE (CRIU's page
#                     server needs such pipes) and puts it back after
# Environment:
#   FERRY    the ferry binary (default: build/ferry in this repository)
#   TMPDIR   where the image, the roots and the archives go (default
#            /var/tmp: a real disk, where /tmp may be tmpfs and would flatter
#            both tools)
#
# The two hosts are two network namespaces on this machine, ferry-bench-ma
# (10.207.0.1) and ferry-bench-mb (10.207.0.2), joined by a veth pair
# (fbma0, fbmb0); the tools run in a host's network namespace only, so the
# files stay shared and each host's roots and runroots are directories of
# their own. Host B runs an sshd of the script's own (/usr/sbin/sshd, with a
# host key, a user key and a config made here) that listens only on its end
# of the veth and puts this ferry first in its sessions' PATH; ferry reaches
# it through FERRY_SSH_COMMAND="ssh -F CONFIG", scp and ssh through -F CONFIG,
# so no file of the machine's ssh set-up is read or changed.
# The workload is bench/memhog.c, as in bench/checkpoint.sh: compiled here
# (gcc -O2 -static) into an image of its own with busybox, an OCI archive
# that both hosts of both tools load (one image ID everywhere, as a
# checkpoint names it). It fills N MiB with deterministic data that zstd -1
# packs to about 0.57 of its size, prints "ready" and then a counter line
# every 200 ms. Both tools run the container with runc, --network none and a
# k8s-file log; Podman also gets the overlay driver, cgroupfs, no events and
# its own --tmpdir, as in bench/checkpoint.sh.
# ferry's downtime is the one it reports (from the freeze to host B's word
# that the container runs there), its total the wall-clock time of the
# command. Podman's container is down from the checkpoint's start to the
# restore's end: its downtime is its total, the three steps back to back.
# Before every timed move the script waits until the tools' background work
# has finished, syncs and drops the page cache (unless --warm). Times are
# wall-clock seconds; sizes are MB of 10^6 bytes.
set -euo pipefail
export LC_ALL=C # "." in $EPOCHREALTIME and in awk's numbers

bench_name=bench/migrate
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ferry=${FERRY:-$repo_root/build/ferry}
memhog_src=$repo_root/bench/memhog.c
image_name=localhost/memhog:latest
ns_a="ferry-bench-ma"
ns_b="ferry-bench-mb"
veth_a=fbma0
veth_b=fbmb0
ip_a=10.207.0.1
ip_b=10.207.0.2
bench_network=none

sizes="16 256 1024"
runs=
only=
warm=0
tmpfs=1
lazy=0
saved_pipe_max=
while [ $# -gt 0 ]; do
	case "$1" in
	--sizes) [ $# -ge 2 ] || usage; sizes=$2; shift ;;
	--runs) [ $# -ge 2 ] || usage; runs=$2; shift ;;
	--only) [ $# -ge 2 ] || usage; only=$2; shift ;;
	--warm) warm=1 ;;
	--no-tmpfs) tmpfs=0 ;;
	--lazy) lazy=1 ;;
	-h | --help) usage ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
check_sizes
case "$only" in "" | ferry | podman) ;; *) die "--only wants 'ferry' or 'podman', got '$only'" ;; esac
[ "$(id -u)" -eq 0 ] || die "run as root: both tools need it to run and checkpoint containers, and the hosts are network namespaces"
[ -n "${EPOCHREALTIME:-}" ] || die "bash 5 or later is needed (\$EPOCHREALTIME)"
for cmd in setsid pgrep timeout conmon runc criu gcc readelf tar sha256sum ip nsenter ssh scp ssh-keygen; do
	command -v "$cmd" >/dev/null || die "'$cmd' is not installed (scripts/install-deps.sh installs it)"
done
[ -x /usr/sbin/sshd ] || die "/usr/sbin/sshd is missing: apt-get install openssh-server"
check_memhog
for ns in "$ns_a" "$ns_b"; do
	[ ! -e "/run/netns/$ns" ] || die "network namespace $ns exists: another bench/migrate.sh runs, or one left it (ip netns del $ns)"
done
for dev in "$veth_a" "$veth_b"; do
	! ip link show "$dev" >/dev/null 2>&1 || die "network device $dev exists: another bench/migrate.sh runs, or one left it (ip link del $dev)"
done

# ---- which tools ------------------------------------------------------------

choose_tools
ferry=$(realpath "$ferry") # host B's PATH links to it
has() { [[ " ${tools[*]} " == *" $1 "* ]]; }
if [ "$lazy" = 1 ]; then
	has ferry || die "--lazy times ferry, which is not timed here"
	tools=(ferry lazy "${tools[@]:1}")
fi

# CRIU's page server (--lazy) makes 4 MiB pipes: a ferry without
# CAP_SYS_RESOURCE needs fs.pipe-max-size raised for them (put back by the
# cleanup).
raise_pipe_max() {
	local eff
	eff=$(awk '$1 == "CapEff:" { print $2 }' /proc/self/status)
	if (((16#$eff >> 24) & 1)) || [ "$(cat /proc/sys/fs/pipe-max-size)" -ge 4194304 ]; then return 0; fi
	saved_pipe_max=$(cat /proc/sys/fs/pipe-max-size)
	say "fs.pipe-max-size: $saved_pipe_max -> 4194304 for --lazy (put back at the end)"
	echo 4194304 >/proc/sys/fs/pipe-max-size
}

# Memory: the container on host A and its copy on host B, plus the archive
# in the page cache (Podman's, on the disk; CRIU's images on a tmpfs).
check_memory 4

# ---- scratch space and cleanup ----------------------------------------------

make_work migrate
made_netns=()
made_run_sshd=0
sshd_pid=

# in_host HOST: sets the array "in" to run a command in host a's or b's
# network namespace (nothing once the namespace is gone, for the cleanup).
in_host() {
	local ns
	case "$1" in a) ns=$ns_a ;; b) ns=$ns_b ;; esac
	in=()
	if [ -e "/run/netns/$ns" ]; then in=(nsenter "--net=/run/netns/$ns"); fi
}

# tool_cmd TOOL HOST: sets the array "cmd" to the tool with its global
# options on host a or b, in that host's network namespace.
tool_cmd() {
	in_host "$2"
	case "$1" in
	# "lazy" is ferry's migrate --lazy, on ferry's roots.
	ferry | lazy) cmd=("${in[@]}" "$ferry" --root "$work/ferry-$2/root" --runroot "$rundir/ferry-$2") ;;
	# --tmpdir and --events-backend none keep Podman's volatile state in
	# this benchmark's directories instead of /run/libpod.
	podman) cmd=("${in[@]}" podman "${podman_opts[@]/@/$2}") ;;
	esac
}
# Podman's global options, "@" for the host.
podman_opts=()
set_podman_opts() {
	podman_opts=(--root "$work/podman-@/root" --runroot "$rundir/podman-@/runroot"
		--tmpdir "$rundir/podman-@/tmp" --storage-driver overlay --events-backend none
		--cgroup-manager cgroupfs --runtime runc)
}

# quietly TOOL HOST ARGS...: an untimed tool command, bounded in time and in
# a session of its own so that a Ctrl-C does not cut it short.
quietly() {
	local tool=$1 host=$2
	shift 2
	tool_cmd "$tool" "$host"
	PODMAN_IGNORE_CGROUPSV1_WARNING=1 TMPDIR=$work/tmp \
		setsid -w timeout -k 5 300 "${cmd[@]}" "$@" </dev/null
}

# stop_sshd: ends host B's sshd and waits for it to go.
stop_sshd() {
	[ -n "$sshd_pid" ] || return 0
	kill "$sshd_pid" 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 "$sshd_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$sshd_pid" 2>/dev/null || true
	sshd_pid=
}

cleanup() {
	local rc=$? tool host id rt ns
	local -a ids
	set +e
	trap - EXIT
	trap 'say "still cleaning up, please wait"' INT TERM
	if [ -n "$saved_pipe_max" ]; then echo "$saved_pipe_max" >/proc/sys/fs/pipe-max-size; fi
	# Host B first: a Podman container checkpointed on host A shares its ID
	# (and runc's state directory) with its copy on host B.
	for host in b a; do
		for tool in ferry podman; do
			[ -d "$work/$tool-$host/root" ] || continue
			# Every container the tool knows of on the host, and every ID it
			# printed (a moved container keeps its ID: on either host).
			mapfile -t ids < <({ quietly "$tool" "$host" ps -a -q --no-trunc 2>/dev/null
				cat "$work/$tool.ids" 2>/dev/null; } | grep -E '^[0-9a-f]{12,64}$' | sort -u)
			if [ ${#ids[@]} -gt 0 ]; then
				say "removing ${#ids[@]} $tool container(s) on host ${host^^}"
				rm_opts "$tool"
				quietly "$tool" "$host" rm "${rm_args[@]}" "${ids[@]}" >/dev/null 2>"$work/$tool-$host.cleanup.log" ||
					grep -v 'no such container' "$work/$tool-$host.cleanup.log" | tail -n 5 |
					sed "s/^/  $tool (host ${host^^}): /" >&2
			fi
		done
	done
	stop_sshd
	settle 10 >/dev/null 2>&1
	kill_leftovers
	# runc state and cgroups of containers the tools could not remove:
	# ferry keeps runc's state in its runroot, Podman in runc's default root.
	if [ -n "$rundir" ]; then
		for rt in "$rundir/ferry-a/runtime" "$rundir/ferry-b/runtime" /run/runc; do
			while read -r id; do
				[ -d "$rt/$id" ] && timeout -k 5 30 runc --root "$rt" delete --force "$id" >/dev/null 2>&1
			done < <(cat "$work/ferry.ids" "$work/podman.ids" 2>/dev/null | sort -u)
		done
	fi
	for ns in "${made_netns[@]}"; do
		ip netns del "$ns" 2>/dev/null || say "could not remove network namespace $ns"
	done
	remove_tree "$work"
	if [ -n "$rundir" ]; then remove_tree "$rundir"; fi # the tools' mounts, then the private tmpfs
	if [ "$made_run_sshd" = 1 ]; then rmdir /run/sshd 2>/dev/null; fi
	finish_cleanup "$rc"
}
set_traps
if has lazy; then raise_pipe_max; fi

# The runroots: on a tmpfs under /run, as in production.
make_rundir
set_podman_opts
mkdir -p "$work/tmp" "$work/results" "$work/bin" "$work/ssh"
for host in a b; do
	mkdir -p "$work/archives-$host" "$rundir/ferry-$host" "$rundir/podman-$host/runroot" "$rundir/podman-$host/tmp"
done

# ---- the two hosts ----------------------------------------------------------

say "making hosts A ($ns_a, $ip_a) and B ($ns_b, $ip_b)..."
for ns in "$ns_a" "$ns_b"; do
	ip netns add "$ns" || die "cannot make network namespace $ns"
	made_netns+=("$ns")
	ip -n "$ns" link set lo up
done
# The veth pair goes with the namespaces.
ip link add "$veth_a" netns "$ns_a" type veth peer name "$veth_b" netns "$ns_b" ||
	die "cannot make the veth pair $veth_a/$veth_b"
ip -n "$ns_a" addr add "$ip_a/30" dev "$veth_a"
ip -n "$ns_b" addr add "$ip_b/30" dev "$veth_b"
ip -n "$ns_a" link set "$veth_a" up
ip -n "$ns_b" link set "$veth_b" up

ssh_dir=$work/ssh
ln -s "$ferry" "$work/bin/ferry"
ssh-keygen -q -t ed25519 -N '' -C ferry-bench-host -f "$ssh_dir/host_key"
ssh-keygen -q -t ed25519 -N '' -C ferry-bench-user -f "$ssh_dir/user_key"
cp "$ssh_dir/user_key.pub" "$ssh_dir/authorized_keys"
if ! [ -d /run/sshd ]; then
	mkdir -p /run/sshd # sshd's privilege separation directory
	made_run_sshd=1
fi
cat >"$ssh_dir/sshd_config" <<EOF
ListenAddress $ip_b
HostKey $ssh_dir/host_key
AuthorizedKeysFile $ssh_dir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $ssh_dir/sshd.pid
ClientAliveInterval 1
ClientAliveCountMax 3
AcceptEnv FERRY_*
SetEnv PATH=$work/bin:/usr/sbin:/usr/bin:/sbin:/bin
Subsystem sftp internal-sftp
EOF
echo "$ip_b $(cut -d' ' -f1,2 "$ssh_dir/host_key.pub")" >"$ssh_dir/known_hosts"
cat >"$ssh_dir/config" <<EOF
Host *
  IdentityFile $ssh_dir/user_key
  IdentitiesOnly yes
  UserKnownHostsFile $ssh_dir/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
  SendEnv FERRY_*
EOF
nsenter --net="/run/netns/$ns_b" /usr/sbin/sshd -f "$ssh_dir/sshd_config" -E "$ssh_dir/sshd.log" ||
	run_failed "/usr/sbin/sshd on host B" "$ssh_dir/sshd.log"
for _ in $(seq 100); do
	[ -s "$ssh_dir/sshd.pid" ] && break
	sleep 0.05
done
sshd_pid=$(cat "$ssh_dir/sshd.pid" 2>/dev/null) || run_failed "/usr/sbin/sshd on host B (no pid file)" "$ssh_dir/sshd.log"
export FERRY_SSH_COMMAND="ssh -F $ssh_dir/config"
nsenter --net="/run/netns/$ns_a" timeout 20 ssh -F "$ssh_dir/config" "root@$ip_b" true \
	>"$work/ssh-check.log" 2>&1 || run_failed "ssh from host A to host B" "$work/ssh-check.log"

# ---- running the tools ------------------------------------------------------

# call TOOL HOST OUT ARGS...: the tool on host a or b with ARGS, through
# run_cmd.
call() {
	local tool=$1 host=$2 out=$3
	shift 3
	tool_cmd "$tool" "$host"
	run_cmd "$tool $* (host ${host^^})" "$out" "${cmd[@]}" "$@"
}

# on_b_cmd ARGS...: sets the array "cmd" to run ARGS on host B through ssh
# from host A, with Podman's environment (ssh passes one string to the
# remote shell: each word quoted).
on_b_cmd() {
	local words
	printf -v words '%q ' env PODMAN_IGNORE_CGROUPSV1_WARNING=1 "TMPDIR=$work/tmp" "$@"
	cmd=(nsenter "--net=/run/netns/$ns_a" ssh -F "$ssh_dir/config" "root@$ip_b" "$words")
}

# logs_of TOOL HOST NAME FILE: the container's log so far, into FILE.
logs_of() {
	quietly "$1" "$2" logs "$3" >"$4" 2>"$4.err" || run_failed "'$1 logs $3' (host ${2^^})" "$4.err"
}

# status_of TOOL HOST NAME: the container's state, as inspect reports it.
status_of() {
	quietly "$1" "$2" inspect --format '{{.State.Status}}' "$3" 2>/dev/null | tail -n 1
}

# wait_ready TOOL NAME FILE SECONDS: waits until the container on host A has
# filled its memory and printed a few counter lines; its log is left in FILE.
wait_ready() {
	local tool=$1 name=$2 log=$3 limit=$4
	local deadline=$((${EPOCHREALTIME/./} + limit * 1000000))
	while :; do
		logs_of "$tool" a "$name" "$log"
		if grep -q '^ready ' "$log" && [ "$(grep -c '^count ' "$log")" -ge 3 ]; then
			return 0
		fi
		if [ "${EPOCHREALTIME/./}" -ge "$deadline" ]; then
			say "$tool: container $name is not ready after ${limit}s (status: $(status_of "$tool" a "$name"))"
			run_failed "the workload in $tool container $name" "$log"
		fi
		sleep 0.2
	done
}

# counts_on TOOL NAME LOG RUN_ID BEFORE: waits (10 s at most) until the
# container's log on host B counts past BEFORE, from process RUN_ID; prints
# the last count.
counts_on() {
	local tool=$1 name=$2 log=$3 run_id=$4 before=$5 last deadline
	deadline=$((${EPOCHREALTIME/./} + 10 * 1000000))
	while :; do
		logs_of "$tool" b "$name" "$log"
		if last=$(counter_check "$log" "$run_id" "$before"); then
			echo "$last"
			return 0
		fi
		case "$last" in *"not past"* | "no counter line") ;; *) run_failed "$tool: the counter on host B ($last)" "$log" ;; esac
		[ "${EPOCHREALTIME/./}" -lt "$deadline" ] ||
			run_failed "$tool: the counter on host B ($last, 10 s after the move)" "$log"
		sleep 0.2
	done
}

# ---- the image --------------------------------------------------------------

make_memhog_rootfs
# Both hosts must hold the same image (the same ID: a checkpoint names it),
# so it is an OCI archive, with a fixed creation time, that each loads; an
# import on each host would give each an image of its own.
case "$(uname -m)" in
x86_64) arch=amd64 ;;
aarch64) arch=arm64 ;;
*) die "no OCI architecture known for machine '$(uname -m)'" ;;
esac
oci=$work/oci
blobs=$oci/blobs/sha256
mkdir -p "$blobs"
tar --sort=name --mtime=@0 --numeric-owner --owner=0 --group=0 -C "$work/rootfs" -cf "$work/layer.tar" .
layer_hex=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
mv "$work/layer.tar" "$blobs/$layer_hex"
# blob FILE: moves FILE into the blobs; sets "digest" and "size".
blob() {
	local hex
	hex=$(sha256sum "$1" | cut -d' ' -f1)
	size=$(stat -c %s "$1")
	mv "$1" "$blobs/$hex"
	digest=sha256:$hex
}
printf '{"architecture":"%s","os":"linux","created":"1970-01-01T00:00:00Z","config":{"Env":["PATH=/bin"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
	"$arch" "$layer_hex" >"$work/config.json"
blob "$work/config.json"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%d}]}' \
	"$digest" "$size" "$layer_hex" "$(stat -c %s "$blobs/$layer_hex")" >"$work/manifest.json"
blob "$work/manifest.json"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%d,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
	"$digest" "$size" "$image_name" >"$oci/index.json"
printf '{"imageLayoutVersion":"1.0.0"}' >"$oci/oci-layout"
tar --sort=name --mtime=@0 --numeric-owner --owner=0 --group=0 -C "$oci" -cf "$work/memhog.oci.tar" .

for tool in "${tools[@]}"; do
	for host in a b; do
		mkdir -p "$work/$tool-$host/root"
		call "$tool" "$host" "$work/$tool-$host.load" load -q -i "$work/memhog.oci.tar"
	done
done
versions="$(tool_versions a), $(runc --version | head -n 1), criu $(criu --version | awk '/^Version:/ { print $2 }'), $(ssh -V 2>&1 | cut -d, -f1)"

# ---- one run ----------------------------------------------------------------

# json_field FILE KEY: a number of ferry's --print-stats JSON.
json_field() {
	local v
	v=$(grep -o "\"$2\": *[0-9]*" "$1" | head -n 1 | grep -o '[0-9]*$') ||
		run_failed "ferry container migrate --print-stats (no \"$2\" in its output)" "$1"
	echo "$v"
}

# start_on_a TOOL NAME SIZE: runs the workload on host A and waits until it
# counts; sets run_id and before (the last count seen on host A).
start_on_a() {
	local tool=$1 name=$2 size=$3 f=$work/$1.out log=$work/$1-a.log id
	run_opts "$tool"
	settle || true
	call "$tool" a "$f" run -d --name "$name" "${run_args[@]}" "$image_name" /memhog "$size"
	id=$(tail -n 1 "$f")
	[[ $id =~ ^[0-9a-f]{64}$ ]] || run_failed "'$tool run -d' (it printed no container ID)" "$f"
	echo "$id" >>"$work/$tool.ids"
	wait_ready "$tool" "$name" "$log" $((60 + size / 16))
	run_id=$(awk '$1 == "ready" { print $5; exit }' "$log")
	before=$(counter_check "$log" "$run_id" -1) || run_failed "$tool: the log on host A ($before)" "$log"
}

# check_on_b TOOL NAME: the container runs on host B and counts on from
# where it stood on host A, and then further; sets "last".
check_on_b() {
	local tool=$1 name=$2 log=$work/$1-b.log status first
	status=$(status_of "$tool" b "$name")
	[ "$status" = running ] || die "$tool: container $name is '$status' on host B after the move, not running"
	first=$(counts_on "$tool" "$name" "$log" "$run_id" "$before")
	last=$(counts_on "$tool" "$name" "$log" "$run_id" "$first")
}

# ferry_once SIZE N [--lazy]: one `container migrate` from host A to host B.
# Appends "downtime_s total_s freeze_s dump_s transfer_s restore_s bytes
# pages_s" to $work/results/ferry.SIZE (lazy.SIZE with --lazy).
ferry_once() {
	local size=$1 n=$2 name=memhog-$1-$2 f=$work/ferry.migrate tool=ferry
	local run_id before last total down freeze dump transfer restore bytes left pages=0
	local -a extra=()
	if [ "${3:-}" = --lazy ]; then
		tool=lazy
		name=lazy-$1-$2
		extra=(--lazy)
	fi
	start_on_a ferry "$name" "$size"
	settle || true
	drop_caches
	tool_cmd ferry a
	run_cmd "ferry container migrate ${extra[*]} $name ssh://root@$ip_b" "$f" "${cmd[@]}" container migrate \
		--print-stats "${extra[@]}" --dest-root "$work/ferry-b/root" --dest-runroot "$rundir/ferry-b" "$name" \
		"ssh://root@$ip_b"
	total=$secs
	read -r down freeze dump transfer restore < <(for k in downtime_us freeze_us dump_us transfer_us restore_us; do
		json_field "$f" "$k"
	done | awk '{ printf "%.6f ", $1 / 1e6 } END { print "" }')
	bytes=$(json_field "$f" bytes)
	# Post-copy: the pages went after the archive, through the same link.
	if [ "$tool" = lazy ]; then
		pages=$(json_field "$f" pages_us | awk '{ printf "%.6f", $1 / 1e6 }')
		bytes=$((bytes + $(json_field "$f" pages_bytes)))
	fi
	grep -o '"id": *"[0-9a-f]*"' "$f" | grep -o '[0-9a-f]\{64\}' >>"$work/ferry.ids" || true
	check_on_b ferry "$name"
	left=$(quietly ferry a ps -a -q | grep -cE '^[0-9a-f]{12,64}$' || true)
	[ "$left" -eq 0 ] || die "ferry: $left container(s) left on host A after the move"
	call ferry b "$work/ferry.out" rm -f -t 0 "$name"
	: >"$work/ferry.ids" # the IDs of live containers only, for the cleanup
	echo "$down $total $freeze $dump $transfer $restore $bytes $pages" >>"$work/results/$tool.$size"
	printf '%s: %-6s %5d MiB run %d: downtime %6.2f s, total %6.2f s, sent %7.1f MB, counter %d -> %d\n' \
		"$bench_name" "$tool" "$size" "$n" "$down" "$total" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" "$before" "$last" >&2
}

# lazy_once SIZE N: ferry_once with --lazy.
lazy_once() {
	ferry_once "$1" "$2" --lazy
}

# podman_once SIZE N: checkpoint --export on host A, scp to host B, restore
# --import on host B through ssh, back to back. Appends "downtime_s total_s
# checkpoint_s copy_s restore_s bytes" to $work/results/podman.SIZE.
podman_once() {
	local size=$1 n=$2 name=memhog-$1-$2 f=$work/podman.out
	local archive_a=$work/archives-a/$1-$2.tar.zst archive_b=$work/archives-b/$1-$2.tar.zst
	local run_id before last start end us total ckpt copy rest bytes id status
	start_on_a podman "$name" "$size"
	settle || true
	drop_caches
	start=$EPOCHREALTIME
	call podman a "$f" container checkpoint --export "$archive_a" --compress zstd "$name"
	ckpt=$secs
	run_cmd "scp $archive_a root@$ip_b:$archive_b" "$f" nsenter "--net=/run/netns/$ns_a" \
		scp -q -F "$ssh_dir/config" "$archive_a" "root@$ip_b:$archive_b"
	copy=$secs
	on_b_cmd podman "${podman_opts[@]/@/b}" container restore --import "$archive_b"
	run_cmd "podman container restore --import $archive_b (host B, through ssh)" "$f" "${cmd[@]}"
	rest=$secs
	end=$EPOCHREALTIME
	us=$((${end/./} - ${start/./}))
	printf -v total '%d.%06d' $((us / 1000000)) $((us % 1000000))
	id=$(tail -n 1 "$f")
	if [[ $id =~ ^[0-9a-f]{64}$ ]]; then echo "$id" >>"$work/podman.ids"; fi
	[ -s "$archive_a" ] || run_failed "'podman container checkpoint' (it wrote no archive)" "$f.err"
	bytes=$(stat -c %s "$archive_b")
	check_on_b podman "$name"
	status=$(status_of podman a "$name")
	[ "$status" != running ] || die "podman: container $name is still running on host A after the checkpoint"
	# Host B's first: host A's checkpointed copy has the same ID.
	call podman b "$f" rm -f -t 0 "$name"
	call podman a "$f" rm -f -t 0 "$name"
	: >"$work/podman.ids"
	rm -f "$archive_a" "$archive_b"
	echo "$total $total $ckpt $copy $rest $bytes" >>"$work/results/podman.$size"
	printf '%s: %-6s %5d MiB run %d: downtime %6.2f s, total %6.2f s (checkpoint %.2f, scp %.2f, restore %.2f), sent %7.1f MB, counter %d -> %d\n' \
		"$bench_name" podman "$size" "$n" "$total" "$total" "$ckpt" "$copy" "$rest" \
		"$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" "$before" "$last" >&2
}

# move_once TOOL SIZE N: ferry_once or podman_once.
move_once() {
	"${1}_once" "$2" "$3"
}
take_turns move_once
settle 10 || true
for tool in "${tools[@]}"; do
	for host in a b; do
		left=$(quietly "$tool" "$host" ps -a -q | grep -cE '^[0-9a-f]{12,64}$' || true)
		[ "$left" -eq 0 ] || die "$tool: $left container(s) left on host ${host^^} after the runs"
	done
	: >"$work/$tool.ids" # nothing left for the cleanup to remove
done

# ---- report -----------------------------------------------------------------

# cell FILE COLUMN [DIVISOR FORMAT]: the column's median, with (min-max)
# when the runs differ.
cell() {
	local f=$1 c=$2 div=${3:-1} fmt=${4:-%.2f} m lo hi
	m=$(median "$f" "$c")
	lo=$(awk -v c="$c" '{ print $c }' "$f" | sort -g | head -n 1)
	hi=$(awk -v c="$c" '{ print $c }' "$f" | sort -g | tail -n 1)
	read -r m lo hi < <(awk -v f="$fmt" -v d="$div" -v a="$m" -v b="$lo" -v c="$hi" \
		'BEGIN { printf f " " f " " f "\n", a / d, b / d, c / d }')
	if [ "$(wc -l <"$f")" -gt 1 ] && [ "$lo" != "$hi" ]; then echo "$m ($lo-$hi)"; else echo "$m"; fi
}


echo
echo "migrate of a running container holding N MiB (bench/memhog.c) from host A to host B over ssh (two network namespaces, one veth), runc, --network none"
echo "ferry: container migrate; podman: container checkpoint --export --compress zstd, scp, container restore --import through ssh"
echo "($versions)"
echo "roots and archives on $work ($(stat -f -c %T "$work")); runroots on $run_note;" \
	"page cache $([ "$warm" = 1 ] && echo "kept (--warm)" || echo "dropped before each timed move")"
echo "wall-clock seconds and MB (10^6 bytes) sent; median, with min-max over the runs when more than one"
printf '%8s  %-7s %4s  %-22s %-22s %s\n' "size MiB" tool runs "downtime s" "total s" "sent MB"
declare -A down tot
for size in "${size_list[@]}"; do
	for tool in "${tools[@]}"; do
		f=$work/results/$tool.$size
		down[$tool.$size]=$(median "$f" 1)
		tot[$tool.$size]=$(median "$f" 2)
		case "$tool" in ferry | lazy) bcol=7 ;; podman) bcol=6 ;; esac
		printf '%8s  %-7s %4s  %-22s %-22s %s\n' "$size" "$tool" "$(wc -l <"$f")" \
			"$(cell "$f" 1)" "$(cell "$f" 2)" "$(cell "$f" "$bcol" 1e6 %.1f)"
		case "$tool" in
		ferry) printf '%8s  %-7s       phases: freeze %s, dump %s, transfer %s, restore %s s\n' "" "" \
			"$(cell "$f" 3 1 %.3f)" "$(cell "$f" 4 1 %.3f)" "$(cell "$f" 5 1 %.3f)" "$(cell "$f" 6 1 %.3f)" ;;
		lazy) printf '%8s  %-7s       phases: freeze %s, dump %s, transfer %s, restore %s s; then every page in %s s\n' "" "" \
			"$(cell "$f" 3 1 %.3f)" "$(cell "$f" 4 1 %.3f)" "$(cell "$f" 5 1 %.3f)" "$(cell "$f" 6 1 %.3f)" \
			"$(cell "$f" 8 1 %.3f)" ;;
		podman) printf '%8s  %-7s       steps: checkpoint --export %s, scp %s, restore --import %s s\n' "" "" \
			"$(cell "$f" 3 1 %.3f)" "$(cell "$f" 4 1 %.3f)" "$(cell "$f" 5 1 %.3f)" ;;
		esac
	done
	if has ferry && has podman; then
		printf '%8s  %-7s       ferry downtime / podman total %s, ferry total / podman total %s\n' "$size" ratio \
			"$(ratio "${down[ferry.$size]}" "${tot[podman.$size]}")" "$(ratio "${tot[ferry.$size]}" "${tot[podman.$size]}")"
	fi
	if has lazy && has podman; then
		printf '%8s  %-7s       lazy downtime / podman total %s\n' "$size" ratio \
			"$(ratio "${down[lazy.$size]}" "${tot[podman.$size]}")"
	fi
done
if ! has podman; then
	echo "podman: not timed ($([ "$only" = ferry ] && echo "--only ferry" || echo "not installed"))"
fi

# ferry's target (DESIGN: moving containers is its reason to exist), at
# 1 GiB: the container down for at most 0.4 times the whole of Podman's
# manual move. Informational: the exit status does not depend on it.
echo
if has ferry && has podman && [[ " ${size_list[*]} " == *" 1024 "* ]]; then
	awk -v f="${down[ferry.1024]}" -v p="${tot[podman.1024]}" 'BEGIN { r = p > 0 ? f / p : 99
		printf "target: ferry downtime <= 0.4 x podman total at 1 GiB: %s (%.2f)\n", (r <= 0.4 ? "PASS" : "FAIL"), r }'
else
	echo "target: ferry downtime <= 0.4 x podman total at 1 GiB: not measured (needs both ferry and podman, and 1024 in --sizes)"
fi
if has lazy; then
	worst=0
	for size in "${size_list[@]}"; do
		worst=$(awk -v a="$worst" -v b="${down[lazy.$size]}" 'BEGIN { print (b > a ? b : a) }')
	done
	awk -v w="$worst" 'BEGIN { printf "target: lazy downtime < 0.5 s at every size: %s (worst %.2f s)\n", (w < 0.5 ? "PASS" : "FAIL"), w }'
fi
