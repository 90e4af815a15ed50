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
	[ "$(cat /sys/fs/cgroup/pids/ferry/$id/pids.max)" = 2048 ]
	[ "$(f inspect --format '{{.HostConfig.PidsLimit}}' p)" = 2048 ]
	f rm -f p >/dev/null
	run_ferry run --rm --pids-limit 5 ferry-test sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 30 & done 2>&1; echo started'
	assert_output_contains "fork"
	run_ferry run --rm --pids-limit nope ferry-test true
	assert_status 125
	assert_one_line_error
}

@test "volumes and binds are nosuid,nodev; powercap is masked; no host resolver without a network" {
	load_test_image
	mkdir -p "$TEST_TMP/src"
	f run -d --name m -v vol:/data -v "$TEST_TMP/src:/src" ferry-test sleep 1000 >/dev/null
	for dest in /data /src; do
		line=$(f exec m grep " $dest " /proc/mounts)
		[[ "$line" == *nosuid* && "$line" == *nodev* ]] || { echo "$dest: $line" >&2; return 1; }
	done
	bundle=$(f inspect --format '{{.OCIConfigPath}}' m)
	jq -e '.linux.maskedPaths | index("/sys/devices/virtual/powercap")' "$bundle/config.json" >/dev/null
	run_ferry exec m cat /etc/resolv.conf
	assert_status 0
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
	for bad in "--memory 1k" "--cpus -1" "--cpus x" "--ulimit nofile=3:2" "--ulimit bogus=1" "--ulimit nofile"; do
		run_ferry create $bad ferry-test true
		assert_status 125
		assert_one_line_error
	done
	[ "$(f ps -aq | wc -l)" -eq 1 ]
}
