#!/usr/bin/env bats
# A container in the host's cgroup namespace, restored: in place, or
# moved to another root, it must see its own cgroup in /sys/fs/cgroup.
# On cgroups v1 runc gives such a container one bind mount per hierarchy
# there, of its cgroup's directory; on a restore runc names the restoring
# process's cgroup instead (it reads its own /proc/self/cgroup), and
# Podman 5.4's restored containers read /libpod_parent/conmon's files
# there.  ferry names the container's cgroup to CRIU itself
# (runtime/cgroup_mounts.h).

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers

podman_file_locks_for_every_test

need_cgroup_v1_memory() {
	[ -d /sys/fs/cgroup/memory ] || skip "the host has no cgroup v1 memory hierarchy: runc mounts cgroups there as one real mount"
}

# Asserts that container $2 (through the ferry function $1) of root $3
# sees its own cgroup: /proc/self/cgroup names /ferry/<root $3's tag>-<id>
# in the memory hierarchy, and every cgroup v1 mount at /sys/fs/cgroup/NAME
# is that cgroup's directory (its root in mountinfo); also that the
# memory limit read there is $4 bytes.
assert_own_cgroup() {
	local tool=$1 name=$2 root=$3 limit=$4 id own mounts wrong
	id=$("$tool" inspect --format '{{.Id}}' "$name")
	own=$(ctr_cgroup_dir "$root" "$id" memory)
	own=${own#/sys/fs/cgroup/memory}
	[ "$("$tool" exec "$name" sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)" = "$own" ]
	mounts=$("$tool" exec "$name" awk '{ for (i = 7; $i != "-"; i++); }
		$(i + 1) == "cgroup" && $5 ~ "^/sys/fs/cgroup/" { print $5, $4 }' /proc/self/mountinfo)
	echo "$mounts"
	[ "$(grep -c . <<<"$mounts")" -ge 2 ]
	wrong=$(awk -v own="$own" '$2 != own' <<<"$mounts")
	[ -z "$wrong" ] || {
		echo "mounts of another cgroup than $own: $wrong" >&2
		return 1
	}
	[ "$("$tool" exec "$name" cat /sys/fs/cgroup/memory/memory.limit_in_bytes)" = "$limit" ]
}

@test "the host's cgroup namespace (the default on cgroups v1): restored in place, the container still sees its own cgroup and limit in /sys/fs/cgroup (runc alone would mount the restorer's cgroup there)" {
	need_cgroup_v1_memory
	load_test_image
	f run -d --name hc -m 64m ferry-test sh -c "$COUNTER" >/dev/null
	[ "$(f inspect --format '{{.HostConfig.CgroupMode}}' hc)" = host ]
	assert_own_cgroup f hc "$ROOT" 67108864
	wait_until '[ "$(f logs hc | wc -l)" -ge 3 ]'
	f container checkpoint hc >/dev/null
	f container restore hc >/dev/null
	n=$(last_count hc)
	wait_until "[ \"\$(last_count hc)\" -ge $((n + 2)) ]"
	assert_counts_on hc
	assert_own_cgroup f hc "$ROOT" 67108864
	# A second round starts from the restored container's own mounts.
	f container checkpoint hc >/dev/null
	f container restore hc >/dev/null
	assert_own_cgroup f hc "$ROOT" 67108864
}

@test "the host's cgroup namespace: moved to another root (checkpoint --export, restore --import), the container sees the new root's cgroup for it, and its limit" {
	need_cgroup_v1_memory
	load_test_image
	f run -d --name hc -m 64m ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs hc | wc -l)" -ge 3 ]'
	f container checkpoint --export "$TEST_TMP/hc.tar.zst" hc >/dev/null
	fb load -q -i "$(ferry_test_image)"
	fb container restore --import "$TEST_TMP/hc.tar.zst" >/dev/null
	[ "$(fb inspect --format '{{.HostConfig.CgroupMode}}' hc)" = host ]
	n=$(last_count hc fb)
	wait_until "[ \"\$(last_count hc fb)\" -ge $((n + 2)) ]"
	assert_counts_on hc fb
	assert_own_cgroup fb hc "$TEST_TMP/rootB" 67108864
	# The limit is the cgroup's own, not only what the container reads.
	id=$(fb inspect --format '{{.Id}}' hc)
	[ "$(cat "$(ctr_cgroup_dir "$TEST_TMP/rootB" "$id" memory)/memory.limit_in_bytes")" = 67108864 ]
	# And back in place on the new root.
	fb container checkpoint hc >/dev/null
	fb container restore hc >/dev/null
	assert_own_cgroup fb hc "$TEST_TMP/rootB" 67108864
}

@test "--cgroupns host: named, as the default is, restored with its own cgroup" {
	need_cgroup_v1_memory
	load_test_image
	f run -d --name hc --cgroupns host --pids-limit 40 -m 32m ferry-test sleep 1000 >/dev/null
	f container checkpoint hc >/dev/null
	f container restore hc >/dev/null
	assert_own_cgroup f hc "$ROOT" 33554432
	[ "$(f exec hc cat /sys/fs/cgroup/pids/pids.max)" = 40 ]
}

@test "without --cgroupns, the container's cgroup namespace is Podman's: the host's on cgroups v1, and inspect says so" {
	need_podman
	load_test_image
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	host=$(readlink /proc/self/ns/cgroup)
	f create --name c1 ferry-test true >/dev/null
	podman_t create --name c1 --network none localhost/ferry-test:latest true >/dev/null
	want=$(podman_t inspect --format '{{.HostConfig.CgroupMode}}' c1)
	[ -e /sys/fs/cgroup/cgroup.controllers ] || [ "$want" = host ]
	[ "$(f inspect --format '{{.HostConfig.CgroupMode}}' c1)" = "$want" ]
	[ "$(podman_t run --rm --network none localhost/ferry-test:latest readlink /proc/self/ns/cgroup)" = "$host" ] &&
		pns=host || pns=own
	[ "$(f run --rm ferry-test readlink /proc/self/ns/cgroup)" = "$host" ] && fns=host || fns=own
	[ "$fns" = "$pns" ]
}

# ferry's default was a private namespace: a record without CgroupNs, as
# --cgroupns private still writes it.  Such an archive, or a checkpoint in
# place made before, restores private.
@test "an archive of a container with a private cgroup namespace (the old default's record) restores private, on its own cgroup, with its limit" {
	need_cgroup_v1_memory
	load_test_image
	f run -d --name pc --cgroupns private -m 64m ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs pc | wc -l)" -ge 3 ]'
	f container checkpoint --export "$TEST_TMP/pc.tar.zst" pc >/dev/null
	[ "$(tar --zstd -xOf "$TEST_TMP/pc.tar.zst" config.dump | jq -r 'has("CgroupNs")')" = false ]
	fb load -q -i "$(ferry_test_image)"
	fb container restore --import "$TEST_TMP/pc.tar.zst" >/dev/null
	[ "$(fb inspect --format '{{.HostConfig.CgroupMode}}' pc)" = private ]
	[ "$(fb exec pc readlink /proc/self/ns/cgroup)" != "$(readlink /proc/self/ns/cgroup)" ]
	[ "$(fb exec pc sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)" = / ]
	[ "$(fb exec pc awk '$5 == "/sys/fs/cgroup/memory" { print $4 }' /proc/self/mountinfo)" = / ]
	[ "$(fb exec pc cat /sys/fs/cgroup/memory/memory.limit_in_bytes)" = 67108864 ]
	id=$(fb inspect --format '{{.Id}}' pc)
	[ "$(cat "$(ctr_cgroup_dir "$TEST_TMP/rootB" "$id" memory)/memory.limit_in_bytes")" = 67108864 ]
	n=$(last_count pc fb)
	wait_until "[ \"\$(last_count pc fb)\" -ge $((n + 2)) ]"
	assert_counts_on pc fb
}

# --systemd binds the whole name=systemd hierarchy over the container's
# cgroup there (engine/systemd.c); CRIU names both mounts alike, so the
# hierarchy, on top, is what goes to both.
@test "the host's cgroup namespace with --systemd: restored in place and moved, the container sees the whole name=systemd hierarchy on top, its own cgroup elsewhere" {
	need_cgroup_v1_memory
	[ -d /sys/fs/cgroup/systemd ] || skip "the host has no name=systemd hierarchy"
	load_test_image
	f run -d --name sd --systemd always -m 64m ferry-test sh -c "$COUNTER" >/dev/null
	top() { "$1" exec sd awk '$5 == "/sys/fs/cgroup/systemd" { r = $4 } END { print r }' /proc/self/mountinfo; }
	[ "$(top f)" = / ]
	f container checkpoint sd >/dev/null
	f container restore sd >/dev/null
	[ "$(top f)" = / ]
	f exec sd test -e /sys/fs/cgroup/systemd/release_agent
	[ "$(f exec sd cat /sys/fs/cgroup/memory/memory.limit_in_bytes)" = 67108864 ]
	f container checkpoint -c none -e "$TEST_TMP/sd.tar" sd >/dev/null
	fb load -q -i "$(ferry_test_image)"
	fb container restore --trust-archive -i "$TEST_TMP/sd.tar" >/dev/null
	[ "$(top fb)" = / ]
	assert_counts_on sd fb
	[ "$(fb exec sd cat /sys/fs/cgroup/memory/memory.limit_in_bytes)" = 67108864 ]
	own=$(ctr_cgroup_dir "$TEST_TMP/rootB" "$(fb inspect --format '{{.Id}}' sd)" memory)
	own=${own#/sys/fs/cgroup/memory}
	[ "$(fb exec sd sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)" = "$own" ]
	[ "$(fb exec sd awk '$5 == "/sys/fs/cgroup/memory" { print $4 }' /proc/self/mountinfo)" = "$own" ]
}
