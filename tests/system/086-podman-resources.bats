#!/usr/bin/env bats
# run and create's cgroup resource flags as Podman takes them: --cpu-shares,
# --cpu-period, --cpu-quota, --cpu-rt-*, --cpuset-*, --memory-reservation,
# --memory-swap, --memory-swappiness, --oom-kill-disable, --blkio-weight*,
# --device-{read,write}-{bps,iops}, --device-cgroup-rule, --cgroup-parent,
# --cgroup-conf and --cgroups.  What inspect's HostConfig shows and what is
# refused are compared with what Podman 5.4 printed on a cgroups v1 host
# (kept below), and, where Podman is installed, with Podman run live.  The
# rest is ferry's own: the values reach the container's cgroup files, and a
# checkpoint restored in place or on another root keeps them.

load helpers
load podman-helpers

bats_require_minimum_version 1.5.0

IMG=localhost/ferry-test:latest

teardown() {
	podman_teardown
	ferry_teardown
	if [ -n "${CGROUP_PARENT:-}" ]; then
		rmdir /sys/fs/cgroup/*/"$CGROUP_PARENT" 2>/dev/null || true
	fi
}

# Runs TOOL with the rest, appending the command, its exit code and output
# to TOOL's transcript: the device as DEV, Podman's name for itself as
# ferry's, IDs dropped.
rstep() {
	local tool=$1 rc=0
	shift
	"$tool" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
	{
		echo "\$ $* -> $rc"
		sed -E 's/^[0-9a-f]{64}$/<id>/; s/^/  out: /' "$TEST_TMP/out"
		sed "s/'podman /'ferry /; s/^/  err: /" "$TEST_TMP/err"
	} | sed -E "s#$DEV#DEV#g; s/(requested [0-9]+, available: ).*/\\1HOST/" >>"$TEST_TMP/$tool.log"
}

HOSTCONFIG_CPU='{{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}} {{.HostConfig.NanoCpus}} [{{.HostConfig.CpusetCpus}}] [{{.HostConfig.CpusetMems}}]'
HOSTCONFIG_MEMORY='{{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}}'
HOSTCONFIG_BLKIO='{{.HostConfig.BlkioWeight}} {{json .HostConfig.BlkioWeightDevice}} {{json .HostConfig.BlkioDeviceReadBps}} {{json .HostConfig.BlkioDeviceWriteBps}} {{json .HostConfig.BlkioDeviceReadIOps}} {{json .HostConfig.BlkioDeviceWriteIOps}}'
HOSTCONFIG_CGROUP='[{{.HostConfig.CgroupParent}}] {{json .HostConfig.CgroupConf}} {{.HostConfig.Cgroups}} {{json .HostConfig.Devices}} {{.HostConfig.DiskQuota}} {{.HostConfig.KernelMemory}} {{.HostConfig.CpuCount}} {{.HostConfig.CpuPercent}} {{.HostConfig.IOMaximumIOps}} {{.HostConfig.IOMaximumBandwidth}}'

resources_sequence() {
	local t=$1 n
	: >"$TEST_TMP/$t.log"
	"$t" create --name r0 --network none $IMG true >/dev/null
	"$t" create --name r1 --network none -c 512 --cpu-period 50000 --cpu-quota 25000 \
		--cpu-rt-period 1000000 --cpu-rt-runtime 950000 --cpuset-cpus 0 --cpuset-mems 0 \
		--memory 200m --memory-reservation 100m --memory-swap 300m --memory-swappiness 10 --oom-kill-disable \
		--blkio-weight-device "$DEV:300" --device-read-bps "$DEV:1mb" --device-write-bps "$DEV:1048576" \
		--device-read-iops "$DEV:100" --device-write-iops "$DEV:50" --device-cgroup-rule 'c 1:3 rwm' \
		--cgroup-parent /ferrytest --cgroups no-conmon $IMG true >/dev/null
	"$t" create --name r2 --network none --memory 200m --cpus 0.5 --memory-reservation 1.5m $IMG true >/dev/null
	"$t" create --name r3 --network none --memory 200m --memory-swap -1 --memory-swappiness -1 --cpu-quota -1 \
		--cpu-shares 0 --oom-kill-disable=false --cgroups enabled $IMG true >/dev/null
	"$t" create --name r4 --network none --memory-swappiness 0 --cpuset-cpus 0-0 --device-read-bps "$DEV:0" $IMG true >/dev/null
	for n in r0 r1 r2 r3 r4; do
		rstep "$t" inspect --format "$HOSTCONFIG_CPU" $n
		rstep "$t" inspect --format "$HOSTCONFIG_MEMORY" $n
		rstep "$t" inspect --format "$HOSTCONFIG_BLKIO" $n
		rstep "$t" inspect --format "$HOSTCONFIG_CGROUP" $n
	done
	rstep "$t" create --name r5 --network none --blkio-weight 300 $IMG true
	for bad in "--memory-swap 300m" "--memory 200m --memory-swap 100m" "--memory 200m --memory-swap 0" \
		"--memory-swappiness 101" "--memory-reservation abc" "--memory-reservation 300m --memory 200m" \
		"-c abc" "--cpu-shares -5" "--cpu-period 999" "--cpu-period 1000001" "--cpu-quota 999" \
		"--cpu-quota abc" "--cpus 1 --cpu-period 1000" "--cpus 1 --cpu-quota 1000" "--cpu-rt-period abc" \
		"--cpuset-cpus abc" "--cpuset-cpus 1-0" "--cpuset-cpus 1000" "--cpuset-mems 1000" "--oom-kill-disable=abc" \
		"--blkio-weight abc" "--blkio-weight-device $DEV" "--blkio-weight-device $DEV:5" \
		"--blkio-weight-device vda:300" "--blkio-weight-device /dev/nosuch:300" "--device-read-bps $DEV:abc" \
		"--device-read-iops $DEV:-1" "--device-read-bps /dev/nosuch:1m" "--device-write-bps $DEV" \
		"--cgroup-parent x.slice" "--cgroup-conf foo" "--cgroup-conf memory.high=1000000" \
		"--cgroups disabled" "--cgroups bogus"; do
		# shellcheck disable=SC2086
		rstep "$t" create --network none $bad $IMG true
	done
	for bad in "c 1:3" "x 1:3 rwm" "c 1:3 rwx" "c abc:1 r" "c  1:3  r" "c 1:3 r x"; do
		rstep "$t" create --network none --device-cgroup-rule "$bad" $IMG true
	done
	rstep "$t" ps -a --format '{{.Names}}' --sort names
}

@test "run and create resource flags as Podman: inspect's HostConfig, defaults, refusals" {
	need_cgroup_v1
	DEV=$(block_device)
	[ -n "$DEV" ] || skip "no block device for the throttle flags"
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ inspect --format {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}} {{.HostConfig.NanoCpus}} [{{.HostConfig.CpusetCpus}}] [{{.HostConfig.CpusetMems}}] r0 -> 0
		  out: 0 0 0 0 0 0 [] []
		$ inspect --format {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} r0 -> 0
		  out: 0 0 0 0 false
		$ inspect --format {{.HostConfig.BlkioWeight}} {{json .HostConfig.BlkioWeightDevice}} {{json .HostConfig.BlkioDeviceReadBps}} {{json .HostConfig.BlkioDeviceWriteBps}} {{json .HostConfig.BlkioDeviceReadIOps}} {{json .HostConfig.BlkioDeviceWriteIOps}} r0 -> 0
		  out: 0 null null null null null
		$ inspect --format [{{.HostConfig.CgroupParent}}] {{json .HostConfig.CgroupConf}} {{.HostConfig.Cgroups}} {{json .HostConfig.Devices}} {{.HostConfig.DiskQuota}} {{.HostConfig.KernelMemory}} {{.HostConfig.CpuCount}} {{.HostConfig.CpuPercent}} {{.HostConfig.IOMaximumIOps}} {{.HostConfig.IOMaximumBandwidth}} r0 -> 0
		  out: [] null default [] 0 0 0 0 0 0
		$ inspect --format {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}} {{.HostConfig.NanoCpus}} [{{.HostConfig.CpusetCpus}}] [{{.HostConfig.CpusetMems}}] r1 -> 0
		  out: 512 50000 25000 1000000 950000 0 [0] [0]
		$ inspect --format {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} r1 -> 0
		  out: 209715200 104857600 314572800 10 true
		$ inspect --format {{.HostConfig.BlkioWeight}} {{json .HostConfig.BlkioWeightDevice}} {{json .HostConfig.BlkioDeviceReadBps}} {{json .HostConfig.BlkioDeviceWriteBps}} {{json .HostConfig.BlkioDeviceReadIOps}} {{json .HostConfig.BlkioDeviceWriteIOps}} r1 -> 0
		  out: 0 [{"Path":"DEV","Weight":300}] [{"Path":"DEV","Rate":1048576}] [{"Path":"DEV","Rate":1048576}] [{"Path":"DEV","Rate":100}] [{"Path":"DEV","Rate":50}]
		$ inspect --format [{{.HostConfig.CgroupParent}}] {{json .HostConfig.CgroupConf}} {{.HostConfig.Cgroups}} {{json .HostConfig.Devices}} {{.HostConfig.DiskQuota}} {{.HostConfig.KernelMemory}} {{.HostConfig.CpuCount}} {{.HostConfig.CpuPercent}} {{.HostConfig.IOMaximumIOps}} {{.HostConfig.IOMaximumBandwidth}} r1 -> 0
		  out: [/ferrytest] null default [] 0 0 0 0 0 0
		$ inspect --format {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}} {{.HostConfig.NanoCpus}} [{{.HostConfig.CpusetCpus}}] [{{.HostConfig.CpusetMems}}] r2 -> 0
		  out: 0 100000 50000 0 0 500000000 [] []
		$ inspect --format {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} r2 -> 0
		  out: 209715200 1572864 419430400 -1 false
		$ inspect --format {{.HostConfig.BlkioWeight}} {{json .HostConfig.BlkioWeightDevice}} {{json .HostConfig.BlkioDeviceReadBps}} {{json .HostConfig.BlkioDeviceWriteBps}} {{json .HostConfig.BlkioDeviceReadIOps}} {{json .HostConfig.BlkioDeviceWriteIOps}} r2 -> 0
		  out: 0 null null null null null
		$ inspect --format [{{.HostConfig.CgroupParent}}] {{json .HostConfig.CgroupConf}} {{.HostConfig.Cgroups}} {{json .HostConfig.Devices}} {{.HostConfig.DiskQuota}} {{.HostConfig.KernelMemory}} {{.HostConfig.CpuCount}} {{.HostConfig.CpuPercent}} {{.HostConfig.IOMaximumIOps}} {{.HostConfig.IOMaximumBandwidth}} r2 -> 0
		  out: [] null default [] 0 0 0 0 0 0
		$ inspect --format {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}} {{.HostConfig.NanoCpus}} [{{.HostConfig.CpusetCpus}}] [{{.HostConfig.CpusetMems}}] r3 -> 0
		  out: 0 0 0 0 0 0 [] []
		$ inspect --format {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} r3 -> 0
		  out: 209715200 0 0 -1 false
		$ inspect --format {{.HostConfig.BlkioWeight}} {{json .HostConfig.BlkioWeightDevice}} {{json .HostConfig.BlkioDeviceReadBps}} {{json .HostConfig.BlkioDeviceWriteBps}} {{json .HostConfig.BlkioDeviceReadIOps}} {{json .HostConfig.BlkioDeviceWriteIOps}} r3 -> 0
		  out: 0 null null null null null
		$ inspect --format [{{.HostConfig.CgroupParent}}] {{json .HostConfig.CgroupConf}} {{.HostConfig.Cgroups}} {{json .HostConfig.Devices}} {{.HostConfig.DiskQuota}} {{.HostConfig.KernelMemory}} {{.HostConfig.CpuCount}} {{.HostConfig.CpuPercent}} {{.HostConfig.IOMaximumIOps}} {{.HostConfig.IOMaximumBandwidth}} r3 -> 0
		  out: [] null default [] 0 0 0 0 0 0
		$ inspect --format {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}} {{.HostConfig.NanoCpus}} [{{.HostConfig.CpusetCpus}}] [{{.HostConfig.CpusetMems}}] r4 -> 0
		  out: 0 0 0 0 0 0 [0-0] []
		$ inspect --format {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} r4 -> 0
		  out: 0 0 0 0 false
		$ inspect --format {{.HostConfig.BlkioWeight}} {{json .HostConfig.BlkioWeightDevice}} {{json .HostConfig.BlkioDeviceReadBps}} {{json .HostConfig.BlkioDeviceWriteBps}} {{json .HostConfig.BlkioDeviceReadIOps}} {{json .HostConfig.BlkioDeviceWriteIOps}} r4 -> 0
		  out: 0 [] [{"Path":"DEV","Rate":0}] [] [] []
		$ inspect --format [{{.HostConfig.CgroupParent}}] {{json .HostConfig.CgroupConf}} {{.HostConfig.Cgroups}} {{json .HostConfig.Devices}} {{.HostConfig.DiskQuota}} {{.HostConfig.KernelMemory}} {{.HostConfig.CpuCount}} {{.HostConfig.CpuPercent}} {{.HostConfig.IOMaximumIOps}} {{.HostConfig.IOMaximumBandwidth}} r4 -> 0
		  out: [] null default [] 0 0 0 0 0 0
		$ create --name r5 --network none --blkio-weight 300 localhost/ferry-test:latest true -> 0
		  out: <id>
		  err: Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.
		$ create --network none --memory-swap 300m localhost/ferry-test:latest true -> 125
		  err: Error: you should always set a memory limit when using a memoryswap limit, see usage
		$ create --network none --memory 200m --memory-swap 100m localhost/ferry-test:latest true -> 125
		  err: Error: minimum memoryswap limit should be larger than memory limit, see usage
		$ create --network none --memory 200m --memory-swap 0 localhost/ferry-test:latest true -> 125
		  err: Error: minimum memoryswap limit should be larger than memory limit, see usage
		$ create --network none --memory-swappiness 101 localhost/ferry-test:latest true -> 125
		  err: Error: invalid value: 101, valid memory swappiness range is 0-100
		$ create --network none --memory-reservation abc localhost/ferry-test:latest true -> 125
		  err: Error: invalid value for memory: invalid size: 'abc'
		$ create --network none --memory-reservation 300m --memory 200m localhost/ferry-test:latest true -> 125
		  err: Error: minimum memory limit cannot be less than memory reservation limit, see usage
		$ create --network none -c abc localhost/ferry-test:latest true -> 125
		  err: Error: invalid argument "abc" for "-c, --cpu-shares" flag: strconv.ParseUint: parsing "abc": invalid syntax
		  err: See 'ferry create --help'
		$ create --network none --cpu-shares -5 localhost/ferry-test:latest true -> 125
		  err: Error: invalid argument "-5" for "-c, --cpu-shares" flag: strconv.ParseUint: parsing "-5": invalid syntax
		  err: See 'ferry create --help'
		$ create --network none --cpu-period 999 localhost/ferry-test:latest true -> 125
		  err: Error: CPU cfs period cannot be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)
		$ create --network none --cpu-period 1000001 localhost/ferry-test:latest true -> 125
		  err: Error: CPU cfs period cannot be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)
		$ create --network none --cpu-quota 999 localhost/ferry-test:latest true -> 125
		  err: Error: CPU cfs quota cannot be less than 1ms (i.e. 1000)
		$ create --network none --cpu-quota abc localhost/ferry-test:latest true -> 125
		  err: Error: invalid argument "abc" for "--cpu-quota" flag: strconv.ParseInt: parsing "abc": invalid syntax
		  err: See 'ferry create --help'
		$ create --network none --cpus 1 --cpu-period 1000 localhost/ferry-test:latest true -> 125
		  err: Error: --cpu-period and --cpus cannot be set together
		$ create --network none --cpus 1 --cpu-quota 1000 localhost/ferry-test:latest true -> 125
		  err: Error: --cpu-quota and --cpus cannot be set together
		$ create --network none --cpu-rt-period abc localhost/ferry-test:latest true -> 125
		  err: Error: invalid argument "abc" for "--cpu-rt-period" flag: strconv.ParseUint: parsing "abc": invalid syntax
		  err: See 'ferry create --help'
		$ create --network none --cpuset-cpus abc localhost/ferry-test:latest true -> 125
		  err: Error: invalid value abc for cpuset cpus
		$ create --network none --cpuset-cpus 1-0 localhost/ferry-test:latest true -> 125
		  err: Error: invalid value 1-0 for cpuset cpus
		$ create --network none --cpuset-cpus 1000 localhost/ferry-test:latest true -> 125
		  err: Error: requested CPUs are not available - requested 1000, available: HOST
		$ create --network none --cpuset-mems 1000 localhost/ferry-test:latest true -> 125
		  err: Error: requested memory nodes are not available - requested 1000, available: HOST
		$ create --network none --oom-kill-disable=abc localhost/ferry-test:latest true -> 125
		  err: Error: invalid argument "abc" for "--oom-kill-disable" flag: strconv.ParseBool: parsing "abc": invalid syntax
		  err: See 'ferry create --help'
		$ create --network none --blkio-weight abc localhost/ferry-test:latest true -> 125
		  err: Error: invalid value for blkio-weight: strconv.ParseUint: parsing "abc": invalid syntax
		$ create --network none --blkio-weight-device DEV localhost/ferry-test:latest true -> 125
		  err: Error: bad format: DEV
		$ create --network none --blkio-weight-device DEV:5 localhost/ferry-test:latest true -> 125
		  err: Error: invalid weight for device: DEV:5
		$ create --network none --blkio-weight-device vda:300 localhost/ferry-test:latest true -> 125
		  err: Error: bad format for device path: vda:300
		$ create --network none --blkio-weight-device /dev/nosuch:300 localhost/ferry-test:latest true -> 125
		  err: Error: failed to inspect '/dev/nosuch' in --blkio-weight-device: no such file or directory
		$ create --network none --device-read-bps DEV:abc localhost/ferry-test:latest true -> 125
		  err: Error: invalid rate for device: DEV:abc. The correct format is <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb
		$ create --network none --device-read-iops DEV:-1 localhost/ferry-test:latest true -> 125
		  err: Error: invalid rate for device: DEV:-1. The correct format is <device-path>:<number>. Number must be a positive integer
		$ create --network none --device-read-bps /dev/nosuch:1m localhost/ferry-test:latest true -> 125
		  err: Error: could not parse throttle device at /dev/nosuch: no such file or directory
		$ create --network none --device-write-bps DEV localhost/ferry-test:latest true -> 125
		  err: Error: bad format: DEV
		$ create --network none --cgroup-parent x.slice localhost/ferry-test:latest true -> 125
		  err: Error: systemd slice received as cgroup parent when using cgroupfs: invalid argument
		$ create --network none --cgroup-conf foo localhost/ferry-test:latest true -> 125
		  err: Error: --cgroup-conf must be formatted KEY=VALUE
		$ create --network none --cgroup-conf memory.high=1000000 localhost/ferry-test:latest true -> 125
		  err: Error: cannot use --cgroup-conf without cgroup v2
		$ create --network none --cgroups disabled localhost/ferry-test:latest true -> 125
		  err: Error: requested OCI runtime runc is not compatible with NoCgroups: invalid argument
		$ create --network none --cgroups bogus localhost/ferry-test:latest true -> 125
		  err: Error: running container create option: invalid cgroup mode "bogus": invalid argument
		$ create --network none --device-cgroup-rule c 1:3 localhost/ferry-test:latest true -> 125
		  err: Error: invalid device cgroup rule requires type, major:Minor, and access rules: "c 1:3"
		$ create --network none --device-cgroup-rule x 1:3 rwm localhost/ferry-test:latest true -> 125
		  err: Error: invalid device type in device-access-add: x
		$ create --network none --device-cgroup-rule c 1:3 rwx localhost/ferry-test:latest true -> 125
		  err: Error: invalid device access in device-access-add: x
		$ create --network none --device-cgroup-rule c abc:1 r localhost/ferry-test:latest true -> 125
		  err: Error: strconv.ParseUint: parsing "abc": invalid syntax
		$ create --network none --device-cgroup-rule c  1:3  r localhost/ferry-test:latest true -> 125
		  err: Error: invalid device cgroup rule requires type, major:Minor, and access rules: "c  1:3  r"
		$ create --network none --device-cgroup-rule c 1:3 r x localhost/ferry-test:latest true -> 125
		  err: Error: invalid device cgroup rule requires type, major:Minor, and access rules: "c 1:3 r x"
		$ ps -a --format {{.Names}} --sort names -> 0
		  out: r0
		  out: r1
		  out: r2
		  out: r3
		  out: r4
		  out: r5
	EOF
	load_test_image
	resources_sequence f
	if command -v podman >/dev/null; then
		mkdir -p "$TEST_TMP/ptmp"
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		resources_sequence podman_t
		diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
	fi
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
}

# The limits resource_limits_run gives, as the cgroup files show them.
assert_limits() {
	local id=$1 root=${2:-$ROOT} rdev
	rdev=$(printf '%d:%d' "0x$(stat -c %t "$DEV")" "0x$(stat -c %T "$DEV")")
	[ "$(cg "$id" cpu.shares cpu "$root")" = 512 ]
	[ "$(cg "$id" cpu.cfs_period_us cpu "$root")" = 50000 ]
	[ "$(cg "$id" cpu.cfs_quota_us cpu "$root")" = 25000 ]
	[ "$(cg "$id" cpuset.cpus cpuset "$root")" = 0 ]
	[ "$(cg "$id" memory.limit_in_bytes memory "$root")" = 67108864 ]
	[ "$(cg "$id" memory.soft_limit_in_bytes memory "$root")" = 33554432 ]
	[ "$(cg "$id" memory.memsw.limit_in_bytes memory "$root")" = 100663296 ]
	[ "$(cg "$id" memory.swappiness memory "$root")" = 10 ]
	[ "$(cg "$id" memory.oom_control memory "$root" | head -1)" = "oom_kill_disable 1" ]
	[ "$(cg "$id" blkio.throttle.read_bps_device blkio "$root")" = "$rdev 1048576" ]
	[ "$(cg "$id" blkio.throttle.write_iops_device blkio "$root")" = "$rdev 50" ]
	cg "$id" devices.list devices "$root" | grep -qx 'c 1:3 rwm'
	! cg "$id" devices.list devices "$root" | grep -q '^c 1:1 ' || false
}

resource_limits_run() {
	f run -d --name c --network none -c 512 --cpu-period 50000 --cpu-quota 25000 --cpuset-cpus 0 \
		--memory 64m --memory-reservation 32m --memory-swap 96m --memory-swappiness 10 --oom-kill-disable \
		--device-read-bps "$DEV:1mb" --device-write-iops "$DEV:50" --device-cgroup-rule 'c 1:3 rwm' \
		"$@" ferry-test sh -c "$COUNTER"
}

@test "the limits reach the container's cgroup files, and the container runs within them" {
	need_cgroup_v1
	DEV=$(block_device)
	[ -n "$DEV" ] || skip "no block device for the throttle flags"
	load_test_image
	id=$(resource_limits_run)
	assert_limits "$id"
	[ "$(f exec c sh -c 'grep Cpus_allowed_list /proc/self/status' | awk '{ print $2 }')" = 0 ]
	# Past memory and swap together, the kernel kills the process: one
	# process (dd's buffer is its block size), so the kernel has no other
	# to pick.
	run_ferry run --rm --network none --memory 32m --memory-swap 32m ferry-test \
		dd if=/dev/zero of=/dev/null bs=100M count=1
	assert_status 137
	run_ferry run --rm --network none --memory 32m --memory-swap 32m ferry-test \
		dd if=/dev/zero of=/dev/null bs=1M count=1
	assert_status 0
	# A device cgroup rule opens a device the default rules keep shut
	# (/dev/fuse's numbers, on a node the container makes itself).
	run_ferry run --rm --network none --cap-add MKNOD ferry-test sh -c 'mknod /tmp/k c 10 229 && : <>/tmp/k'
	assert_status 1
	assert_output_contains "Operation not permitted"
	run_ferry run --rm --network none --cap-add MKNOD --device-cgroup-rule 'c 10:229 rw' ferry-test \
		sh -c 'mknod /tmp/k c 10 229 && : <>/tmp/k && echo opened'
	assert_status 0
	[ "$output" = opened ]
	# --memory alone: swap is limited to twice the memory, as Podman sets it.
	id2=$(f run -d --name m --network none --memory 64m ferry-test sleep 1000)
	[ "$(cg "$id2" memory.memsw.limit_in_bytes memory)" = 134217728 ]
	[ "$(f inspect --format '{{.HostConfig.MemorySwap}}' m)" = 134217728 ]
	# --memory-swap -1: no swap limit at all.
	id3=$(f run -d --name u --network none --memory 64m --memory-swap -1 ferry-test sleep 1000)
	[ "$(cg "$id3" memory.memsw.limit_in_bytes memory)" -gt 1000000000000 ]
	# Values the kernel refuses fail at start, as with Podman (an OCI
	# runtime error: 126), and --rm leaves nothing.
	run_ferry run --rm --network none --cpu-shares 1 ferry-test true
	assert_status 126
	assert_output_contains "the minimum allowed cpu-shares is 2"
	[ "$(f ps -a -q | wc -l)" = 3 ]
}

@test "--cgroup-parent: the container's cgroup is made under it; pause, checkpoint and restore work there" {
	need_cgroup_v1
	load_test_image
	CGROUP_PARENT=ferry-test-parent-$$
	id=$(f run -d --name c --network none --cgroup-parent "/$CGROUP_PARENT" --memory 64m ferry-test sh -c "$COUNTER")
	dir=$(ctr_cgroup_dir "$ROOT" "$id" memory)
	under=/sys/fs/cgroup/memory/$CGROUP_PARENT/${dir##*/}
	[ ! -d "$dir" ]
	[ "$(cat "$under/memory.limit_in_bytes")" = 67108864 ]
	grep -qx "$(f inspect --format '{{.State.Pid}}' c)" "$under/cgroup.procs"
	[ "$(f inspect --format '{{.HostConfig.CgroupParent}}' c)" = "/$CGROUP_PARENT" ]
	f pause c >/dev/null
	[ "$(cat "/sys/fs/cgroup/freezer/$CGROUP_PARENT/${dir##*/}/freezer.state")" = FROZEN ]
	f unpause c >/dev/null
	wait_until '[ "$(last_count c)" -ge 2 ]'
	f container checkpoint c >/dev/null
	f container restore c >/dev/null
	wait_until '[ "$(last_count c)" -ge 6 ]'
	assert_counts_on c
	[ "$(cat "$under/memory.limit_in_bytes")" = 67108864 ]
	grep -qx "$(f inspect --format '{{.State.Pid}}' c)" "$under/cgroup.procs"
	f rm -f -t 0 c >/dev/null
	[ ! -d "$under" ]
	# A relative parent is taken from the root of each hierarchy.
	id=$(f run -d --name r --network none --cgroup-parent "$CGROUP_PARENT" ferry-test sleep 1000)
	[ -d "/sys/fs/cgroup/cpu/$CGROUP_PARENT/$(basename "$(ctr_cgroup_dir "$ROOT" "$id")")" ]
	f rm -f -t 0 r >/dev/null
	for bad in /a/../b / // "$(printf 'a\nb')"; do
		run_ferry create --cgroup-parent "$bad" ferry-test true
		assert_status 125
		assert_one_line_error
	done
	[ -z "$(f ps -a -q)" ]
}

@test "checkpoint and restore keep the limits: in place, and exported then imported on another root" {
	need_cgroup_v1
	DEV=$(block_device)
	[ -n "$DEV" ] || skip "no block device for the throttle flags"
	load_test_image
	id=$(resource_limits_run)
	wait_until '[ "$(last_count c)" -ge 2 ]'
	f container checkpoint c >/dev/null
	f container restore c >/dev/null
	wait_until '[ "$(last_count c)" -ge 6 ]'
	assert_counts_on c
	assert_limits "$id"
	f container checkpoint --compress none --export "$TEST_TMP/c.tar" c >/dev/null
	fb load -q -i "$(ferry_test_image)" >/dev/null
	# Device cgroup rules grant what a plain run does not: the user's word.
	expect_refused --import "$TEST_TMP/c.tar"
	assert_output_contains 'device cgroup rules ["c 1:3 rwm"]'
	f rm c >/dev/null
	fb container restore --trust-archive --import "$TEST_TMP/c.tar" >/dev/null
	wait_until '[ "$(last_count c fb)" -ge 10 ]'
	assert_counts_on c fb
	assert_limits "$id" "$TEST_TMP/rootB"
	[ "$(fb inspect --format '{{.HostConfig.CpuShares}} {{.HostConfig.MemorySwap}} {{.HostConfig.CpusetCpus}} {{.HostConfig.OomKillDisable}}' c)" = "512 100663296 0 true" ]
	# A restart starts it again from the record, with the same limits.
	fb restart -t 0 c >/dev/null
	assert_limits "$id" "$TEST_TMP/rootB"
	fb rm -f -t 0 c >/dev/null
}

@test "an archive's resource fields are checked: malformed ones are refused, nothing is made" {
	need_cgroup_v1
	load_test_image
	f run -d --name c --network none -c 512 --memory 64m ferry-test sleep 1000 >/dev/null
	f container checkpoint --compress none --export "$TEST_TMP/good.tar" c >/dev/null
	fb load -q -i "$(ferry_test_image)" >/dev/null
	local edit
	for edit in "r['CpuShares'] = 'abc'" "r['CpuShares'] = 0" "r['MemorySwappiness'] = 500" \
		"r['CpuPeriod'] = 5" "r['CpusetCpus'] = '0-'" "r['OomKillDisable'] = False" \
		"r['CgroupParent'] = '../../escape'" "r['DeviceCgroupRules'] = ['z 1:1 rwm']" \
		"r['BlkioDeviceReadBps'] = [{'Path': '/etc/passwd:1', 'Rate': 1}]" \
		"r['BlkioWeightDevice'] = [{'Path': '/dev/null', 'Weight': 5000}]" "r['CgroupConf'] = {'../x': '1'}" \
		"r['MemorySwap'] = 1048576" "r['MemoryReservation'] = 1 << 40" "r['NanoCpus'] = 10**9; r['CpuQuota'] = 5000"; do
		rewrite_archive "$TEST_TMP/good.tar" "$TEST_TMP/bad.tar" "
for i, (m, d) in enumerate(members):
    if m.name == 'config.dump':
        dump = json.loads(d)
        r = dump['ferry']
        $edit
        members[i] = (m, json.dumps(dump).encode())"
		expect_refused --trust-archive --import "$TEST_TMP/bad.tar"
		assert_output_contains "of its container record"
	done
	# A cgroup parent chosen by an archive needs the user's word.
	rewrite_archive "$TEST_TMP/good.tar" "$TEST_TMP/parent.tar" "
for i, (m, d) in enumerate(members):
    if m.name == 'config.dump':
        dump = json.loads(d)
        dump['ferry']['CgroupParent'] = '/elsewhere'
        members[i] = (m, json.dumps(dump).encode())"
	expect_refused --import "$TEST_TMP/parent.tar"
	assert_output_contains 'the cgroup parent `/elsewhere`'
}

update_sequence() {
	local t=$1 a
	: >"$TEST_TMP/$t.log"
	"$t" run -d --name u --network none --memory 200m $IMG sleep 1000 >/dev/null
	"$t" create --name uc --network none $IMG sleep 1000 >/dev/null
	for a in "-c 512" "--memory 300m" "--memory-swap 600m" "--memory 100m" "--cpus 0.5" "--cpu-period 50000" \
		"--cpu-quota 20000" "--pids-limit 100" "--memory-swappiness 10" "--memory-reservation 50m" \
		"--cpuset-cpus 0" "--device-read-bps $DEV:2mb" "--device-write-iops $DEV:30" "--memory-swap -1"; do
		# shellcheck disable=SC2086
		rstep "$t" update $a u
		rstep "$t" inspect --format "$HOSTCONFIG_CPU" u
		rstep "$t" inspect --format "$HOSTCONFIG_MEMORY {{.HostConfig.PidsLimit}}" u
	done
	rstep "$t" inspect --format "$HOSTCONFIG_BLKIO" u
	rstep "$t" update --cpu-shares 300 --memory 100m uc
	rstep "$t" inspect --format "$HOSTCONFIG_CPU" uc
	rstep "$t" inspect --format "$HOSTCONFIG_MEMORY" uc
	rstep "$t" update uc
	rstep "$t" update -c abc u
	rstep "$t" update --oom-kill-disable u
	rstep "$t" update -c 5 nosuch
	rstep "$t" update -c 5 u uc
	rstep "$t" update -c 5
	rstep "$t" container update --cpu-shares 700 u
	rstep "$t" inspect --format '{{.HostConfig.CpuShares}}' u
}

@test "update as Podman: the values inspect shows after each, defaults, refusals" {
	need_cgroup_v1
	DEV=$(block_device)
	[ -n "$DEV" ] || skip "no block device for the throttle flags"
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ update -c 512 u -> 0
		  out: <id>
		$ inspect --format {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}} {{.HostConfig.NanoCpus}} [{{.HostConfig.CpusetCpus}}] [{{.HostConfig.CpusetMems}}] u -> 0
		  out: 512 0 0 0 0 0 [] []
		$ inspect --format {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} {{.HostConfig.PidsLimit}} u -> 0
		  out: 209715200 0 419430400 -1 false 2048
		$ update --memory 300m u -> 0
		  out: <id>
		$ inspect --format {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}} {{.HostConfig.NanoCpus}} [{{.HostConfig.CpusetCpus}}] [{{.HostConfig.CpusetMems}}] u -> 0
		  out: 512 0 0 0 0 0 [] []
		$ inspect --format {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} {{.HostConfig.PidsLimit}} u -> 0
		  out: 314572800 0 629145600 -1 false 2048
		$ update --memory-swap 600m u -> 0
		  out: <id>
		$ inspect --format {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}} {{.HostConfig.NanoCpus}} [{{.HostConfig.CpusetCpus}}] [{{.HostConfig.CpusetMems}}] u -> 0
		  out: 512 0 0 0 0 0 [] []
		$ inspect --format {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} {{.HostConfig.PidsLimit}} u -> 0
		  out: 314572800 0 629145600 -1 false 2048
		$ update --memory 100m u -> 0
		  out: <id>
		$ inspect --format {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}} {{.HostConfig.NanoCpus}} [{{.HostConfig.CpusetCpus}}] [{{.HostConfig.CpusetMems}}] u -> 0
		  out: 512 0 0 0 0 0 [] []
		$ inspect --format {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} {{.HostConfig.PidsLimit}} u -> 0
		  out: 104857600 0 209715200 -1 false 2048
		$ update --cpus 0.5 u -> 0
		  out: <id>
		$ inspect --format {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}} {{.HostConfig.NanoCpus}} [{{.HostConfig.CpusetCpus}}] [{{.HostConfig.CpusetMems}}] u -> 0
		  out: 512 100000 50000 0 0 500000000 [] []
		$ inspect --format {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} {{.HostConfig.PidsLimit}} u -> 0
		  out: 104857600 0 209715200 -1 false 2048
		$ update --cpu-period 50000 u -> 0
		  out: <id>
		$ inspect --format {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}} {{.HostConfig.NanoCpus}} [{{.HostConfig.CpusetCpus}}] [{{.HostConfig.CpusetMems}}] u -> 0
		  out: 512 50000 50000 0 0 0 [] []
		$ inspect --format {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} {{.HostConfig.PidsLimit}} u -> 0
		  out: 104857600 0 209715200 -1 false 2048
		$ update --cpu-quota 20000 u -> 0
		  out: <id>
		$ inspect --format {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}} {{.HostConfig.NanoCpus}} [{{.HostConfig.CpusetCpus}}] [{{.HostConfig.CpusetMems}}] u -> 0
		  out: 512 50000 20000 0 0 0 [] []
		$ inspect --format {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} {{.HostConfig.PidsLimit}} u -> 0
		  out: 104857600 0 209715200 -1 false 2048
		$ update --pids-limit 100 u -> 0
		  out: <id>
		$ inspect --format {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}} {{.HostConfig.NanoCpus}} [{{.HostConfig.CpusetCpus}}] [{{.HostConfig.CpusetMems}}] u -> 0
		  out: 512 50000 20000 0 0 0 [] []
		$ inspect --format {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} {{.HostConfig.PidsLimit}} u -> 0
		  out: 104857600 0 209715200 -1 false 100
		$ update --memory-swappiness 10 u -> 0
		  out: <id>
		$ inspect --format {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}} {{.HostConfig.NanoCpus}} [{{.HostConfig.CpusetCpus}}] [{{.HostConfig.CpusetMems}}] u -> 0
		  out: 512 50000 20000 0 0 0 [] []
		$ inspect --format {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} {{.HostConfig.PidsLimit}} u -> 0
		  out: 104857600 0 209715200 10 false 100
		$ update --memory-reservation 50m u -> 0
		  out: <id>
		$ inspect --format {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}} {{.HostConfig.NanoCpus}} [{{.HostConfig.CpusetCpus}}] [{{.HostConfig.CpusetMems}}] u -> 0
		  out: 512 50000 20000 0 0 0 [] []
		$ inspect --format {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} {{.HostConfig.PidsLimit}} u -> 0
		  out: 104857600 52428800 209715200 10 false 100
		$ update --cpuset-cpus 0 u -> 0
		  out: <id>
		$ inspect --format {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}} {{.HostConfig.NanoCpus}} [{{.HostConfig.CpusetCpus}}] [{{.HostConfig.CpusetMems}}] u -> 0
		  out: 512 50000 20000 0 0 0 [0] []
		$ inspect --format {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} {{.HostConfig.PidsLimit}} u -> 0
		  out: 104857600 52428800 209715200 10 false 100
		$ update --device-read-bps DEV:2mb u -> 0
		  out: <id>
		$ inspect --format {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}} {{.HostConfig.NanoCpus}} [{{.HostConfig.CpusetCpus}}] [{{.HostConfig.CpusetMems}}] u -> 0
		  out: 512 50000 20000 0 0 0 [0] []
		$ inspect --format {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} {{.HostConfig.PidsLimit}} u -> 0
		  out: 104857600 52428800 209715200 10 false 100
		$ update --device-write-iops DEV:30 u -> 0
		  out: <id>
		$ inspect --format {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}} {{.HostConfig.NanoCpus}} [{{.HostConfig.CpusetCpus}}] [{{.HostConfig.CpusetMems}}] u -> 0
		  out: 512 50000 20000 0 0 0 [0] []
		$ inspect --format {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} {{.HostConfig.PidsLimit}} u -> 0
		  out: 104857600 52428800 209715200 10 false 100
		$ update --memory-swap -1 u -> 0
		  out: <id>
		$ inspect --format {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}} {{.HostConfig.NanoCpus}} [{{.HostConfig.CpusetCpus}}] [{{.HostConfig.CpusetMems}}] u -> 0
		  out: 512 50000 20000 0 0 0 [0] []
		$ inspect --format {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} {{.HostConfig.PidsLimit}} u -> 0
		  out: 104857600 52428800 209715200 10 false 100
		$ inspect --format {{.HostConfig.BlkioWeight}} {{json .HostConfig.BlkioWeightDevice}} {{json .HostConfig.BlkioDeviceReadBps}} {{json .HostConfig.BlkioDeviceWriteBps}} {{json .HostConfig.BlkioDeviceReadIOps}} {{json .HostConfig.BlkioDeviceWriteIOps}} u -> 0
		  out: 0 [] [{"Path":"DEV","Rate":2097152}] [] [] [{"Path":"DEV","Rate":30}]
		$ update --cpu-shares 300 --memory 100m uc -> 0
		  out: <id>
		$ inspect --format {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}} {{.HostConfig.NanoCpus}} [{{.HostConfig.CpusetCpus}}] [{{.HostConfig.CpusetMems}}] uc -> 0
		  out: 300 0 0 0 0 0 [] []
		$ inspect --format {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} uc -> 0
		  out: 104857600 0 209715200 -1 false
		$ update uc -> 0
		  out: <id>
		$ update -c abc u -> 125
		  err: Error: invalid argument "abc" for "-c, --cpu-shares" flag: strconv.ParseUint: parsing "abc": invalid syntax
		  err: See 'ferry update --help'
		$ update --oom-kill-disable u -> 125
		  err: Error: unknown flag: --oom-kill-disable
		  err: See 'ferry update --help'
		$ update -c 5 nosuch -> 125
		  err: Error: no container with name or ID "nosuch" found: no such container
		$ update -c 5 u uc -> 125
		  err: Error: accepts 1 arg(s), received 2
		$ update -c 5 -> 125
		  err: Error: accepts 1 arg(s), received 0
		$ container update --cpu-shares 700 u -> 0
		  out: <id>
		$ inspect --format {{.HostConfig.CpuShares}} u -> 0
		  out: 700
	EOF
	load_test_image
	update_sequence f
	if command -v podman >/dev/null; then
		mkdir -p "$TEST_TMP/ptmp"
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		update_sequence podman_t
		diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
	fi
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
}

@test "update changes a running container's cgroup files; restart, checkpoint/restore and an import keep the new limits" {
	need_cgroup_v1
	load_test_image
	id=$(f run -d --name c --network none --memory 64m ferry-test sh -c "$COUNTER")
	wait_until '[ "$(last_count c)" -ge 2 ]'
	[ "$(f update -c 512 --memory 96m --cpus 0.5 --pids-limit 100 --cpuset-cpus 0 c)" = "$id" ]
	assert_updated() {
		[ "$(cg "$id" cpu.shares cpu "$1")" = 512 ]
		[ "$(cg "$id" cpu.cfs_quota_us cpu "$1")" = 50000 ]
		[ "$(cg "$id" memory.limit_in_bytes memory "$1")" = 100663296 ]
		[ "$(cg "$id" memory.memsw.limit_in_bytes memory "$1")" = 201326592 ]
		[ "$(cg "$id" pids.max pids "$1")" = 100 ]
		[ "$(cg "$id" cpuset.cpus cpuset "$1")" = 0 ]
	}
	assert_updated "$ROOT"
	# What the runtime refuses changes nothing: not the container, not
	# its record.
	run_ferry update --cpu-shares 1 c
	assert_status 125
	assert_output_contains "cpu-shares"
	[ "$(cg "$id" cpu.shares cpu)" = 512 ]
	[ "$(f inspect --format '{{.HostConfig.CpuShares}}' c)" = 512 ]
	# What create refuses, update refuses before touching anything.
	for bad in "--memory-swap 10m" "--memory-reservation 1g" "--memory-swappiness 200" "--cpu-period 10" \
		"--cpuset-cpus 1000" "--cpus 1 --cpu-quota 5000" "--device-read-bps /dev/nosuch:1m"; do
		# shellcheck disable=SC2086
		run_ferry update $bad c
		assert_status 125
		assert_one_line_error
	done
	[ "$(f inspect --format '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}}' c)" = "100663296 201326592 500000000" ]
	assert_updated "$ROOT"
	f container checkpoint c >/dev/null
	f container restore c >/dev/null
	wait_until '[ "$(last_count c)" -ge 6 ]'
	assert_counts_on c
	assert_updated "$ROOT"
	# Updated while checkpointed: the restore takes the new value.
	f container checkpoint c >/dev/null
	f update -c 700 c >/dev/null
	f container restore c >/dev/null
	[ "$(cg "$id" cpu.shares cpu)" = 700 ]
	f update -c 512 c >/dev/null
	f container checkpoint --compress none --export "$TEST_TMP/c.tar" c >/dev/null
	f rm c >/dev/null
	fb load -q -i "$(ferry_test_image)" >/dev/null
	fb container restore --import "$TEST_TMP/c.tar" >/dev/null
	wait_until '[ "$(last_count c fb)" -ge 12 ]'
	assert_counts_on c fb
	assert_updated "$TEST_TMP/rootB"
	# A restart starts it from the record again.
	fb restart -t 0 c >/dev/null
	assert_updated "$TEST_TMP/rootB"
	fb rm -f -t 0 c >/dev/null
}

@test "update of a paused or stopped container; update emits Podman's event" {
	need_cgroup_v1
	load_test_image
	id=$(f run -d --name p --network none ferry-test sleep 1000)
	f pause p >/dev/null
	f update -c 300 p >/dev/null
	[ "$(cg "$id" cpu.shares cpu)" = 300 ]
	[ "$(f inspect --format '{{.State.Status}}' p)" = paused ]
	f unpause p >/dev/null
	f stop -t 0 p >/dev/null
	f update -c 400 --memory 64m p >/dev/null
	[ "$(f inspect --format '{{.State.Status}} {{.HostConfig.CpuShares}} {{.HostConfig.Memory}}' p)" = "exited 400 67108864" ]
	f start p >/dev/null
	[ "$(cg "$id" cpu.shares cpu)" = 400 ]
	[ "$(cg "$id" memory.limit_in_bytes memory)" = 67108864 ]
	f events --since 0 --stream=false --filter event=update --format '{{.Status}} {{.Name}}' >"$TEST_TMP/events"
	[ "$(sort -u "$TEST_TMP/events")" = "update p" ]
	[ "$(wc -l <"$TEST_TMP/events")" = 2 ]
}

@test "Podman's checkpoint of a container with limits restores in ferry with them" {
	need_podman
	need_cgroup_v1
	mkdir -p "$TEST_TMP/ptmp"
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t run -d --name pc --network none --memory 64m --memory-reservation 32m --memory-swappiness 10 \
		--cpus 0.5 -c 512 --cpuset-cpus 0 --pids-limit 100 --oom-kill-disable $IMG sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(podman_t logs pc 2>/dev/null | wc -l)" -ge 3 ]'
	podman_t container checkpoint --export "$TEST_TMP/pc.tar" --compress none pc >/dev/null
	load_test_image
	f container restore --import "$TEST_TMP/pc.tar" >/dev/null 2>&1
	id=$(f inspect --format '{{.Id}}' pc)
	n=$(last_count pc)
	wait_until "[ \"\$(last_count pc)\" -ge $((n + 3)) ]"
	assert_counts_on pc
	[ "$(cg "$id" memory.limit_in_bytes memory)" = 67108864 ]
	[ "$(cg "$id" memory.memsw.limit_in_bytes memory)" = 134217728 ]
	[ "$(cg "$id" memory.soft_limit_in_bytes memory)" = 33554432 ]
	[ "$(cg "$id" memory.swappiness memory)" = 10 ]
	[ "$(cg "$id" memory.oom_control memory | head -1)" = "oom_kill_disable 1" ]
	[ "$(cg "$id" cpu.shares cpu)" = 512 ]
	[ "$(cg "$id" cpu.cfs_period_us cpu)" = 100000 ]
	[ "$(cg "$id" cpu.cfs_quota_us cpu)" = 50000 ]
	[ "$(cg "$id" cpuset.cpus cpuset)" = 0 ]
	[ "$(cg "$id" pids.max pids)" = 100 ]
	[ "$(f inspect --format '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.CpuShares}} {{.HostConfig.CpuQuota}} {{.HostConfig.PidsLimit}}' pc)" = "67108864 134217728 512 50000 100" ]
	f rm -f -t 0 pc >/dev/null
}

@test "bash completion: --cgroups values, -c of run is --cpu-shares, update completes containers" {
	complete_words() {
		# shellcheck source=/dev/null
		source "$FERRY_SRC/completions/bash/ferry"
		COMP_WORDS=("$FERRY_BIN" "$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="${COMP_WORDS[*]}"
		COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		_ferry || true
		completions=$(printf '%s\n' "${COMPREPLY[@]}" | sort)
	}
	load_test_image
	f create --name upd ferry-test true >/dev/null
	complete_words --root "$ROOT" --runroot "$RUNROOT" run --cgroups ''
	[ "$completions" = "$(printf '%s\n' enabled no-conmon)" ]
	complete_words --root "$ROOT" --runroot "$RUNROOT" run -c ''
	[ -z "$completions" ]
	complete_words --root "$ROOT" --runroot "$RUNROOT" checkpoint -c ''
	[ "$completions" = "$(printf '%s\n' gzip none zstd)" ]
	complete_words --root "$ROOT" --runroot "$RUNROOT" update --cpu-sh
	[ "$completions" = --cpu-shares ]
	complete_words --root "$ROOT" --runroot "$RUNROOT" update u
	[ "$completions" = upd ]
	complete_words --root "$ROOT" --runroot "$RUNROOT" container update --memory 64m u
	[ "$completions" = upd ]
}

@test "update killed half way: the next ferry command finishes it, in the runtime and in the record" {
	need_cgroup_v1
	load_test_image
	id=$(f run -d --name c --network none ferry-test sleep 1000)
	for point in update-begun update-applied; do
		run env FERRY_FAULT=$point "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" update -c 700 --pids-limit 50 c
		[ "$status" -eq 137 ]
		[ "$(sqlite3 -cmd '.timeout 10000' "$ROOT/ferry.db" 'SELECT kind FROM operations')" = update ]
		[ "$(f inspect --format '{{.HostConfig.CpuShares}} {{.HostConfig.PidsLimit}}' c)" = "700 50" ]
		[ -z "$(sqlite3 -cmd '.timeout 10000' "$ROOT/ferry.db" 'SELECT kind FROM operations')" ]
		[ "$(cg "$id" cpu.shares cpu)" = 700 ]
		[ "$(cg "$id" pids.max pids)" = 50 ]
		f update -c 1024 --pids-limit 2048 c >/dev/null
		[ "$(cg "$id" cpu.shares cpu)" = 1024 ]
	done
	[ ! -e "$RUNROOT/containers/$id/update-resources.json" ]
}
