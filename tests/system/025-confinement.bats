#!/usr/bin/env bats
# Confinement: every container runs under the ecosystem's default seccomp
# profile (containers-common's seccomp.json, as Podman applies it), unless
# --security-opt says otherwise, and the filter survives checkpoint and
# restore.  A probe (tests/lib/seccomp-probe.c, built static) tries the
# system calls the profile refuses.

load helpers

# Builds the probe into $TEST_TMP/probe/ (mounted read-only at /probe).
build_probe() {
	mkdir -p "$TEST_TMP/probe"
	gcc -O2 -static -o "$TEST_TMP/probe/seccomp-probe" "$FERRY_SRC/tests/lib/seccomp-probe.c"
}

# A copy of the default profile that also refuses mkdir with EPERM.
no_mkdir_profile() {
	jq '.syscalls = [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "args": [], "includes": {}, "excludes": {}}] + .syscalls' \
		/usr/share/containers/seccomp.json >"$TEST_TMP/no-mkdir.json"
}

@test "the default seccomp profile refuses what Podman's refuses" {
	load_test_image
	build_probe
	run_ferry run --rm ferry-test grep '^Seccomp:' /proc/self/status
	assert_status 0
	[ "$output" = "$(printf 'Seccomp:\t2')" ]
	run_ferry run --rm -v "$TEST_TMP/probe:/probe:ro" ferry-test /probe/seccomp-probe
	assert_status 0
	assert_output_contains "io_uring_setup ENOSYS"
	assert_output_contains "add_key ENOSYS"
	assert_output_contains "perf_event_open EPERM"
	assert_output_contains "personality ENOSYS"
	assert_output_contains "netlink_audit EINVAL"
	f create --name d ferry-test true >/dev/null
	[ "$(f inspect --format '{{json .HostConfig.SecurityOpt}}' d)" = "[]" ]
}

@test "--security-opt seccomp=unconfined runs without a filter, and says so" {
	load_test_image
	build_probe
	run_ferry run --rm --security-opt seccomp=unconfined -v "$TEST_TMP/probe:/probe:ro" ferry-test /probe/seccomp-probe
	assert_status 0
	assert_output_contains "add_key ok"
	assert_output_contains "io_uring_setup ok"
	f create --name u --security-opt seccomp=unconfined ferry-test true >/dev/null
	[ "$(f inspect --format '{{json .HostConfig.SecurityOpt}}' u)" = '["seccomp=unconfined"]' ]
}

@test "--security-opt seccomp=PROFILE: a profile of one's own, carried through an archive" {
	load_test_image
	no_mkdir_profile
	f run -d --name own --security-opt "seccomp=$TEST_TMP/no-mkdir.json" ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs own | wc -l)" -ge 2 ]'
	run_ferry exec own mkdir /tmp/x
	[ "$status" -ne 0 ]
	assert_output_contains "Operation not permitted"
	f container checkpoint -e "$TEST_TMP/own.tar.zst" own >/dev/null
	fb load -q -i "$(ferry_test_image)"
	# Unverified, the archive may not bring a filter of its own.
	run_fb container restore -i "$TEST_TMP/own.tar.zst"
	assert_status 125
	assert_one_line_error
	assert_output_contains "a seccomp profile of its own"
	[ -z "$(fb ps -aq)" ]
	fb container restore -i "$TEST_TMP/own.tar.zst" --trust-archive >/dev/null
	n=$(last_count own fb)
	wait_until "[ \"\$(last_count own fb)\" -gt $((n + 1)) ]"
	assert_counts_on own fb
	run_fb exec own mkdir /tmp/y
	[ "$status" -ne 0 ]
	assert_output_contains "Operation not permitted"
}

@test "checkpoint and restore keep the filter on the restored processes" {
	load_test_image
	f run -d --name cr ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs cr | wc -l)" -ge 2 ]'
	f container checkpoint cr >/dev/null
	f container restore cr >/dev/null
	[ "$(f exec cr grep '^Seccomp:' /proc/1/status)" = "$(printf 'Seccomp:\t2')" ]
	n=$(last_count cr)
	wait_until "[ \"\$(last_count cr)\" -gt $((n + 1)) ]"
	assert_counts_on cr
}

@test "bad --security-opt values: one-line errors, exit 125, nothing created" {
	load_test_image
	run_ferry run --rm --security-opt apparmor=unconfined ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains "seccomp="
	run_ferry create --security-opt "seccomp=$TEST_TMP/none.json" ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains "none.json"
	echo '{"syscalls": []}' >"$TEST_TMP/bad.json"
	run_ferry create --security-opt "seccomp=$TEST_TMP/bad.json" ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains "defaultAction"
	echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": "mkdir", "action": "SCMP_ACT_ERRNO"}]}' >"$TEST_TMP/bad2.json"
	run_ferry create --security-opt "seccomp=$TEST_TMP/bad2.json" ferry-test true
	assert_status 125
	assert_one_line_error
	[ -z "$(f ps -aq)" ]
}

@test "a pids limit of 2048 by default; --pids-limit sets another, and the container cannot pass it" {
	load_test_image
	f run -d --name p ferry-test sleep 1000 >/dev/null
	id=$(f inspect --format '{{.Id}}' p)
	[ "$(cat "$(ctr_cgroup_dir "$ROOT" "$id" pids)/pids.max")" = 2048 ]
	[ "$(f inspect --format '{{.HostConfig.PidsLimit}}' p)" = 2048 ]
	f rm -f -t 0 p >/dev/null
	run_ferry run --rm --pids-limit 5 ferry-test sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 30 & done 2>&1; echo started'
	assert_output_contains "fork"
	run_ferry run --rm --pids-limit nope ferry-test true
	assert_status 125
	assert_one_line_error
}

@test "volumes are nosuid,nodev, binds keep the host's flags (as Podman); powercap is masked; no host resolver without a network" {
	load_test_image
	mkdir -p "$TEST_TMP/src"
	f run -d --name m -v vol:/data -v "$TEST_TMP/src:/src" ferry-test sleep 1000 >/dev/null
	line=$(f exec m grep " /data " /proc/mounts)
	[[ "$line" == *nosuid* && "$line" == *nodev* ]] || { echo "/data: $line" >&2; return 1; }
	line=$(f exec m grep " /src " /proc/mounts)
	[[ "$line" != *nosuid* && "$line" != *nodev* ]] || { echo "/src: $line" >&2; return 1; }
	config=$(f inspect --format '{{.OCIConfigPath}}' m)
	# Masked by runc, or (where the host has it) a read-only bind of an
	# empty directory.
	jq -e '(.linux.maskedPaths | index("/sys/devices/virtual/powercap")) or
		any(.mounts[]; .destination == "/sys/devices/virtual/powercap" and (.options | index("ro")))' \
		"$config" >/dev/null
	# Without a network, no resolv.conf of the host's: the image's, here
	# none, as in Podman.
	run_ferry exec m cat /etc/resolv.conf
	assert_status 1
	[[ "$output" != *nameserver* ]]
	if grep -q '^nameserver' /etc/resolv.conf; then
		run_ferry run --rm --network host ferry-test cat /etc/resolv.conf
		assert_output_contains nameserver
	fi
}

@test "a hostname with control characters or spaces is refused" {
	load_test_image
	run_ferry create --hostname "$(printf 'a\nb')" ferry-test true
	assert_status 125
	assert_one_line_error
	run_ferry create --hostname "a b" ferry-test true
	assert_status 125
	[ -z "$(f ps -aq)" ]
}

@test "--cap-add, --cap-drop, --read-only and no-new-privileges, in inspect and through checkpoint and restore" {
	load_test_image
	run_ferry run --rm --cap-drop chown ferry-test chown 1 /tmp
	[ "$status" -ne 0 ]
	assert_output_contains "Operation not permitted"
	run_ferry run --rm --cap-add net_admin ferry-test ip link set lo down
	assert_status 0
	run_ferry run --rm ferry-test ip link set lo down
	[ "$status" -ne 0 ]
	run_ferry run --rm --read-only ferry-test sh -c 'touch /x; touch /tmp/y && echo tmp-ok'
	assert_output_contains "Read-only file system"
	assert_output_contains tmp-ok
	f run -d --name all --cap-add NET_ADMIN --cap-drop CAP_CHOWN --read-only --security-opt no-new-privileges \
		ferry-test sh -c "$COUNTER" >/dev/null
	[ "$(f inspect --format '{{json .HostConfig.CapAdd}} {{json .HostConfig.CapDrop}} {{.HostConfig.ReadonlyRootfs}}' all)" = '["CAP_NET_ADMIN"] ["CAP_CHOWN"] true' ]
	[ "$(f inspect --format '{{json .HostConfig.SecurityOpt}}' all)" = '["no-new-privileges"]' ]
	wait_until '[ "$(f logs all | wc -l)" -ge 2 ]'
	caps=$(f exec all grep CapEff /proc/1/status)
	f container checkpoint -e "$TEST_TMP/all.tar.zst" all >/dev/null
	fb load -q -i "$(ferry_test_image)"
	# Unverified, an archive may not add capabilities.
	run_fb container restore -i "$TEST_TMP/all.tar.zst"
	assert_status 125
	assert_one_line_error
	assert_output_contains "added capabilities"
	fb container restore -i "$TEST_TMP/all.tar.zst" --trust-archive >/dev/null
	[ "$(fb exec all grep CapEff /proc/1/status)" = "$caps" ]
	[ "$(fb exec all grep NoNewPrivs /proc/1/status)" = "$(printf 'NoNewPrivs:\t1')" ]
	run_fb exec all touch /x
	assert_output_contains "Read-only file system"
	n=$(last_count all fb)
	wait_until "[ \"\$(last_count all fb)\" -gt $((n + 1)) ]"
	assert_counts_on all fb
	run_ferry create --cap-add bogus ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains bogus
}

@test "--memory, --cpus and --ulimit limit the container, show in inspect and move with it" {
	load_test_image
	# A process that outgrows its memory is killed.
	run_ferry run --rm -m 16m ferry-test sh -c 'x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived'
	[ "$status" -ne 0 ]
	[[ "$output" != *survived* ]]
	f run -d --name lim -m 64m --cpus 0.5 --ulimit nofile=1024:2048 --ulimit core=0 ferry-test sh -c "$COUNTER" >/dev/null
	[ "$(f inspect --format '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}' lim)" = "67108864 500000000" ]
	[ "$(f inspect --format '{{json .HostConfig.Ulimits}}' lim | jq -c '.[0]')" = '{"Name":"RLIMIT_NOFILE","Soft":1024,"Hard":2048}' ]
	[ "$(f exec lim awk '/^Max open files/ { print $4, $5 } /^Max core/ { print $5, $6 }' /proc/1/limits | tr '\n' ' ')" = "0 0 1024 2048 " ]
	[ "$(f exec lim cat /sys/fs/cgroup/memory/memory.limit_in_bytes)" = 67108864 ]
	[ "$(f exec lim cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)" = 50000 ]
	wait_until '[ "$(f logs lim | wc -l)" -ge 2 ]'
	f container checkpoint -e "$TEST_TMP/lim.tar.zst" lim >/dev/null
	fb load -q -i "$(ferry_test_image)"
	fb container restore -i "$TEST_TMP/lim.tar.zst" >/dev/null
	[ "$(fb exec lim cat /sys/fs/cgroup/memory/memory.limit_in_bytes)" = 67108864 ]
	[ "$(fb exec lim awk '/^Max open files/ { print $4 }' /proc/1/limits)" = 1024 ]
	n=$(last_count lim fb)
	wait_until "[ \"\$(last_count lim fb)\" -gt $((n + 1)) ]"
	assert_counts_on lim fb
	for bad in "--memory 1x" "--cpus x" "--ulimit nofile=3:2" "--ulimit bogus=1" "--ulimit nofile"; do
		run_ferry create $bad ferry-test true
		assert_status 125
		assert_one_line_error
	done
	[ "$(f ps -aq | wc -l)" -eq 1 ]
}

# The capability set of this shell's bounding set, as CapEff shows it.
host_bounding() {
	awk '/^CapBnd/ { print $2 }' /proc/self/status
}

@test "--privileged: every capability, no seccomp filter, nothing masked, /sys writable, the host's devices" {
	load_test_image
	run_ferry run --rm ferry-test sh -c 'grep ^CapEff /proc/self/status; wc -c </proc/interrupts; ls /dev/fuse'
	[[ "$output" != *"$(host_bounding)"* ]]
	[[ "$output" == *"No such file"* ]]
	run_ferry run --rm --privileged ferry-test sh -c 'grep ^CapEff /proc/self/status; grep ^Seccomp: /proc/self/status; wc -c </proc/interrupts; grep " /sys " /proc/mounts; grep -c " /proc/sys " /proc/mounts; ls /dev'
	assert_status 0
	[ "${lines[0]}" = "$(printf 'CapEff:\t%s' "$(host_bounding)")" ]
	[ "${lines[1]}" = "$(printf 'Seccomp:\t0')" ]
	[ "${lines[2]}" -gt 0 ]
	[[ "${lines[3]}" == "sysfs /sys sysfs rw,"* ]]
	[ "${lines[4]}" = 0 ]
	for dev in /dev/null /dev/fuse /dev/loop0; do
		[ -e "$dev" ] || continue
		assert_output_contains "${dev#/dev/}"
	done
	f create --name p --privileged ferry-test true >/dev/null
	[ "$(f inspect --format '{{.HostConfig.Privileged}} {{json .HostConfig.Devices}} {{json .HostConfig.SecurityOpt}}' p)" = 'true [] ["unmask=all"]' ]
	f create --name np ferry-test true >/dev/null
	[ "$(f inspect --format '{{.HostConfig.Privileged}}' np)" = false ]
}

@test "--device adds a usable node, its permissions limit it, and a non-device is refused" {
	[ -c /dev/fuse ] || skip "no /dev/fuse on this host"
	load_test_image
	run_ferry run --rm --device /dev/fuse ferry-test sh -c '[ -c /dev/fuse ] && exec 3<>/dev/fuse && echo opened'
	assert_status 0
	[ "$output" = opened ]
	run_ferry run --rm ferry-test sh -c '[ -e /dev/fuse ] || echo absent'
	[ "$output" = absent ]
	run_ferry run --rm --device /dev/fuse:/dev/myfuse:r ferry-test sh -c 'exec 3</dev/myfuse && echo read-ok; exec 4<>/dev/myfuse'
	[ "$status" -ne 0 ]
	assert_output_contains read-ok
	assert_output_contains "Operation not permitted"
	f create --name d --device /dev/fuse:/dev/myfuse:rw ferry-test true >/dev/null
	[ "$(f inspect --format '{{json .HostConfig.Devices}}' d)" = '[{"PathOnHost":"/dev/fuse","PathInContainer":"/dev/myfuse","CgroupPermissions":"rw"}]' ]
	for bad in /etc/passwd /dev/nonexistent /dev/fuse:rwx /dev/fuse:dev/x relative /dev/fuse:/dev/a:/dev/b; do
		run_ferry create --device "$bad" ferry-test true
		assert_status 125
		assert_one_line_error
		assert_output_contains "${bad%%:*}"
	done
	run_ferry create --device /dev/fuse --device /dev/null:/dev/fuse ferry-test true
	assert_status 125
	assert_one_line_error
	[ "$(f ps -aq | wc -l)" -eq 1 ]
}

@test "--sysctl sets namespaced kernel parameters and refuses the others" {
	load_test_image
	run_ferry run --rm --sysctl net.ipv4.ip_forward=1 --sysctl kernel.msgmax=4096 ferry-test cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax
	assert_status 0
	[ "$output" = "$(printf '1\n4096')" ]
	f create --name s --sysctl net.ipv4.ip_forward=1 --sysctl fs.mqueue.msg_max=20 ferry-test true >/dev/null
	[ "$(f inspect --format '{{json .HostConfig.Sysctls}}' s)" = '{"net.ipv4.ip_forward":"1","fs.mqueue.msg_max":"20"}' ]
	run_ferry create --sysctl kernel.core_pattern=/tmp/x ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains "sysctl \`kernel.core_pattern\` is not allowed"
	run_ferry create --network host --sysctl net.ipv4.ip_forward=1 ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains "--network host"
	for bad in vm.swappiness=1 net.ipv4.ip_forward 'net.ipv4.ip_forward= 1' 'net.ipv4.ip_forward=' net..x=1 net.a/b=1; do
		run_ferry create --sysctl "$bad" ferry-test true
		assert_status 125
		assert_one_line_error
	done
	[ "$(f ps -aq | wc -l)" -eq 1 ]
}

@test "--security-opt mask hides more paths; unmask shows the default masked and read-only ones" {
	load_test_image
	run_ferry run --rm ferry-test sh -c 'wc -c </proc/interrupts; wc -c </proc/timer_list'
	[ "$output" = "$(printf '0\n0')" ]
	run_ferry run --rm --security-opt unmask=/proc/interrupts ferry-test sh -c 'wc -c </proc/interrupts; wc -c </proc/timer_list'
	[ "${lines[0]}" -gt 0 ]
	[ "${lines[1]}" = 0 ]
	run_ferry run --rm --security-opt 'unmask=/proc/*' ferry-test sh -c 'wc -c </proc/timer_list; grep -c " /proc/sys " /proc/mounts'
	[ "${lines[0]}" -gt 0 ]
	[ "${lines[1]}" = 0 ]
	run_ferry run --rm --security-opt unmask=ALL ferry-test sh -c 'wc -c </proc/timer_list; grep -c " /proc/sys " /proc/mounts'
	[ "${lines[0]}" -gt 0 ]
	[ "${lines[1]}" = 0 ]
	run_ferry run --rm --security-opt mask=/proc/cpuinfo:/proc/version ferry-test sh -c 'wc -c </proc/cpuinfo; wc -c </proc/version; wc -c </proc/uptime'
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" -gt 0 ]
	f create --name m --security-opt mask=/proc/cpuinfo:/proc/version --security-opt unmask=/proc/interrupts ferry-test true >/dev/null
	[ "$(f inspect --format '{{json .HostConfig.SecurityOpt}}' m)" = '["mask=/proc/cpuinfo:/proc/version","unmask=/proc/interrupts"]' ]
	for bad in mask=proc/cpuinfo mask=/proc/../etc unmask=relative; do
		run_ferry create --security-opt "$bad" ferry-test true
		assert_status 125
		assert_one_line_error
		assert_output_contains "${bad#*=}"
	done
	[ "$(f ps -aq | wc -l)" -eq 1 ]
}

@test "masked directories are empty and read-only, and stay so through checkpoint and restore" {
	[ -d /sys/firmware ] || skip "no /sys/firmware on this host"
	load_test_image
	f run -d --name mk ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs mk | wc -l)" -ge 2 ]'
	probe='for d in /sys/firmware /sys/dev/block /proc/acpi; do [ -d $d ] || continue; echo "$d $(ls -A $d | wc -l)"; touch $d/x 2>/dev/null && echo "$d writable"; done; grep -c " /sys/firmware " /proc/self/mountinfo'
	expected=$(f exec mk sh -c "$probe")
	[[ "$expected" == "/sys/firmware 0"* ]]
	[[ "$expected" != *writable* ]]
	# Masked by runc (a read-only tmpfs), as in Podman, so that Podman can
	# restore ferry's checkpoints.
	config=$(f inspect --format '{{.OCIConfigPath}}' mk)
	jq -e '(.linux.maskedPaths | index("/sys/firmware")) and all(.mounts[]; .destination != "/sys/firmware")' \
		"$config" >/dev/null
	f container checkpoint -e "$TEST_TMP/mk.tar.zst" mk >/dev/null
	f rm mk >/dev/null
	f container restore -i "$TEST_TMP/mk.tar.zst" >/dev/null
	[ "$(f exec mk sh -c "$probe")" = "$expected" ]
	f container checkpoint mk >/dev/null
	f container restore mk >/dev/null
	[ "$(f exec mk sh -c "$probe")" = "$expected" ]
	n=$(last_count mk)
	wait_until "[ \"\$(last_count mk)\" -gt $((n + 1)) ]"
	assert_counts_on mk
}

@test "two read-only binds of one host directory stay read-only, nosuid and nodev through restore" {
	# CRIU restores the second as a bind of the first without its flags;
	# ferry puts them back before the restored processes run.
	load_test_image
	mkdir -p "$TEST_TMP/shared"
	f run -d --name rb -v "$TEST_TMP/shared:/a:ro,nosuid,nodev" -v "$TEST_TMP/shared:/b:ro,nosuid,nodev" ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs rb | wc -l)" -ge 2 ]'
	probe='for d in /a /b; do touch $d/x 2>/dev/null && echo "$d writable"; grep " $d " /proc/self/mountinfo | cut -d" " -f6; done'
	expected=$(f exec rb sh -c "$probe")
	[ "$(echo "$expected" | grep -c 'ro,nosuid,nodev')" -eq 2 ]
	f container checkpoint rb >/dev/null
	f container restore rb >/dev/null
	[ "$(f exec rb sh -c "$probe")" = "$expected" ]
	f container checkpoint -e "$TEST_TMP/rb.tar.zst" rb >/dev/null
	f rm rb >/dev/null
	f container restore -i "$TEST_TMP/rb.tar.zst" --trust-archive >/dev/null
	[ "$(f exec rb sh -c "$probe")" = "$expected" ]
	[ -z "$(ls -A "$TEST_TMP/shared")" ]
	n=$(last_count rb)
	wait_until "[ \"\$(last_count rb)\" -gt $((n + 1)) ]"
	assert_counts_on rb
}

@test "--read-only-tmpfs=false leaves nothing writable; by default a read-only root keeps its tmpfs" {
	load_test_image
	run_ferry run --rm --read-only ferry-test sh -c 'touch /tmp/a /var/tmp/a /run/a /dev/shm/a && echo writable'
	assert_status 0
	[ "$output" = writable ]
	run_ferry run --rm --read-only --read-only-tmpfs=false ferry-test sh -c 'for d in /tmp /var/tmp /run /dev /dev/shm /; do touch $d/a 2>/dev/null && echo "$d writable"; done; echo done'
	assert_status 0
	[ "$output" = done ]
	f create --name t --read-only --read-only-tmpfs=false ferry-test true >/dev/null
	f create --name d --read-only ferry-test true >/dev/null
	[ "$(f inspect --format '{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.ReadOnlyTmpfs}}' t)" = "true false" ]
	[ "$(f inspect --format '{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.ReadOnlyTmpfs}}' d)" = "true true" ]
	run_ferry create --read-only-tmpfs=maybe ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains maybe
	[ "$(f ps -aq | wc -l)" -eq 2 ]
}

@test "devices, sysctls, masks and a read-only /dev survive checkpoint --export and restore --import" {
	[ -c /dev/fuse ] || skip "no /dev/fuse on this host"
	load_test_image
	f run -d --name conf --device /dev/fuse:/dev/myfuse --sysctl net.ipv4.ip_forward=1 --sysctl kernel.msgmax=4096 \
		--security-opt unmask=/proc/interrupts --security-opt mask=/proc/cpuinfo --read-only --read-only-tmpfs=false \
		ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs conf | wc -l)" -ge 2 ]'
	probe='exec 3<>/dev/myfuse && echo fuse; cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax; wc -c </proc/cpuinfo; [ "$(wc -c </proc/interrupts)" -gt 0 ] && echo interrupts; touch /tmp/x 2>/dev/null || echo tmp-ro'
	expected=$(printf 'fuse\n1\n4096\n0\ninterrupts\ntmp-ro')
	[ "$(f exec conf sh -c "$probe")" = "$expected" ]
	format='{{json .HostConfig.Devices}} {{json .HostConfig.Sysctls}} {{json .HostConfig.SecurityOpt}} {{.HostConfig.ReadOnlyTmpfs}}'
	shown=$(f inspect --format "$format" conf)
	f container checkpoint -e "$TEST_TMP/conf.tar.zst" conf >/dev/null
	fb load -q -i "$(ferry_test_image)"
	# Unverified, the archive may not bring devices, sysctls or unmasked paths.
	run_fb container restore -i "$TEST_TMP/conf.tar.zst"
	assert_status 125
	assert_one_line_error
	assert_output_contains "device \`/dev/fuse\` at /dev/myfuse"
	assert_output_contains "sysctl \`net.ipv4.ip_forward=1\`"
	assert_output_contains 'unmasked paths ["/proc/interrupts"]'
	[ -z "$(fb ps -aq)" ]
	fb container restore -i "$TEST_TMP/conf.tar.zst" --trust-archive >/dev/null
	[ "$(fb inspect --format "$format" conf)" = "$shown" ]
	[ "$(fb exec conf sh -c "$probe")" = "$expected" ]
	n=$(last_count conf fb)
	wait_until "[ \"\$(last_count conf fb)\" -gt $((n + 1)) ]"
	assert_counts_on conf fb
}

@test "a privileged container keeps its privileges through an in-place checkpoint and restore" {
	load_test_image
	f run -d --name priv --privileged ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs priv | wc -l)" -ge 2 ]'
	probe='grep -E "^(CapEff|Seccomp):" /proc/1/status; grep " /sys " /proc/mounts | cut -d" " -f4 | cut -d, -f1; [ "$(wc -c </proc/interrupts)" -gt 0 ] && echo unmasked'
	expected=$(printf 'CapEff:\t%s\nSeccomp:\t0\nrw\nunmasked' "$(host_bounding)")
	[ "$(f exec priv sh -c "$probe")" = "$expected" ]
	f container checkpoint priv >/dev/null
	f container restore priv >/dev/null
	[ "$(f exec priv sh -c "$probe")" = "$expected" ]
	[ "$(f inspect --format '{{.HostConfig.Privileged}}' priv)" = true ]
	n=$(last_count priv)
	wait_until "[ \"\$(last_count priv)\" -gt $((n + 1)) ]"
	assert_counts_on priv
}
