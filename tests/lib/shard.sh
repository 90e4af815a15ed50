#!/usr/bin/env bash
# Runs one shard of the system tests in network, PID and mount namespaces of
# its own, so that shards running side by side on one host never meet:
# each has its own bridges, firewall rules, published ports, servers on
# 127.0.0.1 and /run/netns, and sees only its own processes (tests
# that look for a leftover criu or migrate receiver by name look in their
# shard only).  Cgroups, the file systems and the kernel stay shared; every
# test names its cgroups, files and mounts after its own root already.
#
# Usage: tests/lib/shard.sh QUEUE TAPDIR LEFTOVERS
#   Takes test files one at a time from the top of the file QUEUE (shared
#   with the other shards, under a lock on QUEUE.lock) and writes bats' TAP
#   stream for FILE to TAPDIR/$(basename FILE).tap, until QUEUE is empty;
#   then writes what the tests left in the shard (running containers,
#   bridges, firewall rules, aardvark-dns, network namespaces) to
#   LEFTOVERS, one per line.  When the
#   shard ends, the kernel removes its network namespace and kills every
#   process left in it, so a leftover is reported but never outlives the
#   run.
set -uo pipefail

if [ "${1:-}" != --in-namespaces ]; then
	exec unshare --net --pid --fork --mount-proc --propagation private "$0" --in-namespaces "$@"
fi
shift
queue=$1
tapdir=$2
leftovers=$3

# The loopback the tests' registries and servers listen on, and an address
# of the host's own (a documentation address on a bridge of no ports, no route
# out), which a host on a network has: host.containers.internal in a
# container's /etc/hosts is that address.
ip link set lo up &&
	ip link add ferry-shard0 type bridge &&
	ip addr add 203.0.113.1/24 dev ferry-shard0 &&
	ip link set ferry-shard0 up || exit 1
# A sysfs of the new network namespace (/sys/class/net shows its links
# only), with the host's cgroup hierarchies moved over from the old one.
cgroups=$(mktemp -d /tmp/ferry-shard-cgroup.XXXXXX) || exit 1
mount --rbind /sys/fs/cgroup "$cgroups" &&
	umount -l /sys &&
	mount -t sysfs sysfs /sys &&
	mount --move "$cgroups" /sys/fs/cgroup || exit 1
rmdir "$cgroups"
# Network namespaces named by `ip netns add` in a /run/netns of the
# shard's own: the names of one shard's are not the other's to see, and
# go with it.
mkdir -p /run/netns &&
	mount -t tmpfs -o mode=0755,size=1m ferry-shard-netns /run/netns || exit 1
# Podman as root keeps netavark's state in /run/containers/networks
# whatever its --runroot (one IPAM database, firewall state and one
# aardvark-dns for the host's one network namespace): the shard's own, as
# its network namespace is.  Shared, another shard's Podman told the one
# aardvark-dns, in that shard's namespace, to serve this one's networks, and
# its bind of their gateways failed ("aardvark-dns failed to start").
mkdir -p /run/containers/networks &&
	mount -t tmpfs -o mode=0755,size=16m ferry-shard-podman /run/containers/networks || exit 1

# The container cgroups (ferry's, /ferry/[<root tag>-]<id>) that hold
# processes of this shard.
ferry_cgroups() {
	local d cg
	for d in /proc/[0-9]*; do
		cg=$(grep -m1 '^[0-9]*:pids:/ferry/' "$d/cgroup" 2>/dev/null) || continue
		echo "container cgroup ${cg##*/}"
	done | sort -u
}

# What the network tests set up through netavark: their bridges (fty<N> of
# 060, ftd<N> of 061, ftw<N> of 092, ftu<N> of 102, ftn<N> of every test's
# default network), the firewall rules for their subnets (10.200.<N> to
# 10.205.<N>.0/24, 10.207.<N>.0/24, 10.212.<N>.0/24) and aardvark-dns.  The
# shard's network namespace starts with none of them.
network_leftovers() {
	ip -br link 2>/dev/null | awk '$1 ~ /^ft[ydnwu][0-9]+(@|$)/ { print "bridge " $1 }'
	nft list ruleset 2>/dev/null | grep -oE '10\.20[0-57]\.[0-9]+\.0/24|10\.212\.[0-9]+\.0/24|fd00:207:[0-9]+::/64' | sort -u | sed 's/^/nftables rule for /'
	pgrep -af aardvark-dns | grep -v defunct | grep -F ferry-test | sed 's/^/aardvark-dns /'
	ip netns list 2>/dev/null | awk '$1 ~ /^ferry-test-/ { print "network namespace " $1 }'
}

# The next file of the queue, or nothing when it is empty.
next_file() {
	local file
	exec 9>>"$queue.lock"
	flock 9
	file=$(head -n 1 "$queue")
	[ -z "$file" ] || sed -i 1d "$queue"
	exec 9>&-
	printf '%s' "$file"
}

# What runs in container cgroup $1: each process's PID, state and command
# line, for the report.
cgroup_processes() {
	local d state
	for d in /proc/[0-9]*; do
		grep -q "^[0-9]*:pids:/ferry/$1\$" "$d/cgroup" 2>/dev/null || continue
		state=$(awk '{ print $3 }' "$d/stat" 2>/dev/null)
		printf ' [%s %s %s]' "${d#/proc/}" "$state" "$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null | cut -c1-80)"
	done
}

# bats runs as a child: this shell, the shard's init, reaps what the tests
# orphan (conmon's parent exits at once) while it waits.
# What each file left is told with its name: what is there after it that
# was not before.
left() {
	{
		ferry_cgroups
		network_leftovers
	} | sort
}
new_since() {
	comm -13 <(printf '%s\n' "$1") <(printf '%s\n' "$2") | sed '/^$/d'
}
# What the tests' teardown had to kill that no runtime state named
# (helpers.bash's kill_strays), by file: LEFTOVERS.strays.
export FERRY_TEST_STRAYS=$leftovers.strays-file
: >"$leftovers"
: >"$leftovers.strays"
before=$(left)
while file=$(next_file) && [ -n "$file" ]; do
	: >"$FERRY_TEST_STRAYS"
	bats --tap --timing "$file" >"$tapdir/$(basename "$file").tap" 2>&1 &
	wait $!
	sed "s|^|$(basename "$file"): |" "$FERRY_TEST_STRAYS" >>"$leftovers.strays"
	# What teardown killed may take a moment to go on a loaded machine (a
	# process is listed until this shell reaps it): a leftover is what is
	# still there ten seconds on.
	after=$(left)
	for _ in $(seq 20); do
		[ -n "$(new_since "$before" "$after")" ] || break
		sleep 0.5
		after=$(left)
	done
	new_since "$before" "$after" | while IFS= read -r item; do
		case $item in
		"container cgroup "*) item="$item$(cgroup_processes "${item#container cgroup }")" ;;
		esac
		printf '%s: %s\n' "$(basename "$file")" "$item"
	done >>"$leftovers"
	before=$after
done
rm -f "$FERRY_TEST_STRAYS"
exit 0
