#!/usr/bin/env bats
# inspect, images --format json, volume inspect and info --format json in
# Podman's shape: the members at each level of a container's inspect
# (created, running, checkpointed, restored, exited), its whole JSON once
# IDs, times, paths and PIDs are normalised, and the member sets of the
# others; checked against stored expectations, and compared with Podman
# 5.4 run live where it is installed.  What differs on purpose is listed
# (and said why) where the comparisons leave it out.

load helpers
load podman-helpers

bats_require_minimum_version 1.5.0

podman_hooks_for_every_test

# The image of TOOL (f or podman_t).
image_of() {
	if [ "$1" = f ]; then echo ferry-test; else echo localhost/ferry-test:latest; fi
}

load_both() {
	load_test_image
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
}

# The member sets of inspect's output on stdin, one level a line.
# Podman-only members ferry has no counterpart for are left out: lockNumber
# (ferry has no lock table: a container's lock is a file named by its ID).
levels() {
	jq -r '.[0] | del(.lockNumber) |
		"top \(keys)", "State \(.State | keys)", "Config \(.Config | keys)",
		"HostConfig \(.HostConfig | keys)", "NetworkSettings \(.NetworkSettings | keys)",
		"Networks \([.NetworkSettings.Networks[] | keys])", "Mounts \([.Mounts[] | keys])",
		"GraphDriver \(.GraphDriver | keys) \(.GraphDriver.Data | keys)"'
}

# inspect's JSON on stdin with TOOL's IDs, times, paths and PIDs
# normalised, and the members whose values differ on purpose left out:
# CreateCommand and Env (the tool's own command line and container=
# value), Annotations (what Podman adds to a spec), CgroupPath (each
# tool's cgroups), OciVersion (the runtime spec each writes),
# and Pid and
# ConmonPid (checked apart; Podman keeps a checkpointed one's).
normalised() {
	local id=$2
	jq -S '.[0] | del(.lockNumber, .Config.CreateCommand, .Config.Env, .Config.Annotations,
			.HostConfig.Annotations, .State.CgroupPath, .State.OciVersion,
			.State.Pid, .State.ConmonPid) |
		.GraphDriver.Data |= map_values(split(":") | length) |
		.NetworkSettings.SandboxKey |= sub("[0-9]+"; "PID")' |
		sed -E -e "s#$TEST_TMP/(proot|prun)/overlay-containers/$id/userdata#CDIR#g" \
			-e "s#$TEST_TMP/(root|run)/containers/$id#CDIR#g" \
			-e "s#$TEST_TMP/(proot|root)/#ROOT/#g" -e "s#$TEST_TMP#TMP#g" \
			-e 's/\b[0-9a-f]{64}\b/<ID>/g' -e 's/"[0-9a-f]{12}"/"<SID>"/g' \
			-e 's/"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)"/"<TIME>"/g'
}

# Creates c1 with TOOL, takes it through its states and writes, per state,
# the member sets (DIR/STATE.levels) and the normalised JSON (.json).
lifecycle() {
	local t=$1 dir=$2 id state
	mkdir -p "$dir" "$TEST_TMP/src"
	"$t" create --name c1 --network none --label a=b -e X=1 -v v1:/data -v "$TEST_TMP/src:/src" \
		"$(image_of "$t")" sleep 100 >/dev/null
	id=$("$t" inspect --format '{{.Id}}' c1)
	for state in created running checkpointed restored exited started; do
		case $state in
		running) "$t" start c1 >/dev/null ;;
		checkpointed) "$t" container checkpoint c1 >/dev/null ;;
		restored) "$t" container restore c1 >/dev/null ;;
		exited) "$t" stop -t 0 c1 >/dev/null ;;
		started) "$t" start c1 >/dev/null ;;
		esac
		"$t" inspect c1 >"$dir/$state.raw"
		levels <"$dir/$state.raw" >"$dir/$state.levels"
		normalised "$t" "$id" <"$dir/$state.raw" >"$dir/$state.json"
	done
}

@test "inspect of a container has Podman's members at every level, in each state" {
	load_test_image
	lifecycle f "$TEST_TMP/f"
	# What ferry shows, member by member, of a created container; the
	# other states differ from it only in the members Podman shows there.
	cat >"$TEST_TMP/want" <<-'EOF'
		top ["AppArmorProfile","Args","BoundingCaps","Config","ConmonPidFile","Created","Dependencies","Driver","EffectiveCaps","ExecIDs","GraphDriver","HostConfig","HostnamePath","HostsPath","Id","Image","ImageDigest","ImageName","IsInfra","IsService","KubeExitCodePropagation","MountLabel","Mounts","Name","Namespace","NetworkSettings","OCIRuntime","Path","PidFile","Pod","ProcessLabel","ResolvConfPath","RestartCount","Rootfs","State","StaticDir","UseImageHostname","UseImageHosts"]
		State ["CheckpointedAt","Dead","Error","ExitCode","FinishedAt","OOMKilled","OciVersion","Paused","Pid","Restarting","RestoredAt","Running","StartedAt","Status"]
		Config ["Annotations","AttachStderr","AttachStdin","AttachStdout","Cmd","CreateCommand","Domainname","Entrypoint","Env","HealthLogDestination","HealthcheckMaxLogCount","HealthcheckMaxLogSize","HealthcheckOnFailureAction","Hostname","Image","Labels","OnBuild","OpenStdin","Passwd","StdinOnce","StopSignal","StopTimeout","Timeout","Tty","Umask","User","Volumes","WorkingDir","sdNotifyMode"]
		HostConfig ["Annotations","AutoRemove","AutoRemoveImage","Binds","BlkioDeviceReadBps","BlkioDeviceReadIOps","BlkioDeviceWriteBps","BlkioDeviceWriteIOps","BlkioWeight","BlkioWeightDevice","CapAdd","CapDrop","Cgroup","CgroupConf","CgroupManager","CgroupMode","CgroupParent","Cgroups","ConsoleSize","ContainerIDFile","CpuCount","CpuPercent","CpuPeriod","CpuQuota","CpuRealtimePeriod","CpuRealtimeRuntime","CpuShares","CpusetCpus","CpusetMems","Devices","DiskQuota","Dns","DnsOptions","DnsSearch","ExtraHosts","GroupAdd","HostsFile","IOMaximumBandwidth","IOMaximumIOps","IpcMode","Isolation","KernelMemory","Links","LogConfig","Memory","MemoryReservation","MemorySwap","MemorySwappiness","NanoCpus","NetworkMode","OomKillDisable","OomScoreAdj","PidMode","PidsLimit","PortBindings","Privileged","PublishAllPorts","ReadonlyRootfs","RestartPolicy","Runtime","SecurityOpt","ShmSize","Tmpfs","UTSMode","Ulimits","UsernsMode","VolumeDriver","VolumesFrom"]
		NetworkSettings ["Bridge","EndpointID","Gateway","GlobalIPv6Address","GlobalIPv6PrefixLen","HairpinMode","IPAddress","IPPrefixLen","IPv6Gateway","LinkLocalIPv6Address","LinkLocalIPv6PrefixLen","MacAddress","Networks","Ports","SandboxID","SandboxKey"]
		Networks [["DriverOpts","EndpointID","Gateway","GlobalIPv6Address","GlobalIPv6PrefixLen","IPAMConfig","IPAddress","IPPrefixLen","IPv6Gateway","Links","MacAddress","NetworkID"]]
		Mounts [["Destination","Driver","Mode","Name","Options","Propagation","RW","Source","Type"],["Destination","Driver","Mode","Options","Propagation","RW","Source","Type"]]
		GraphDriver ["Data","Name"] ["LowerDir","UpperDir","WorkDir"]
	EOF
	diff -u "$TEST_TMP/want" "$TEST_TMP/f/created.levels"
	# Only the members Podman adds in a state: the runtime's config.json
	# and the monitor while it runs, the checkpoint's, the restore's.
	diff "$TEST_TMP/f/created.levels" "$TEST_TMP/f/running.levels" >"$TEST_TMP/d" || true
	grep -q '^> top .*"OCIConfigPath"' "$TEST_TMP/d"
	grep -q '^> State .*"CgroupPath".*"ConmonPid"' "$TEST_TMP/d"
	grep -q '^> GraphDriver .*"MergedDir"' "$TEST_TMP/d"
	grep -q '^State .*"CheckpointPath".*"Checkpointed"' "$TEST_TMP/f/checkpointed.levels"
	grep -q '^State .*"Restored"' "$TEST_TMP/f/restored.levels"
	grep -q '^State .*"Restored".*"StoppedByUser"' "$TEST_TMP/f/exited.levels"
	# A plain start clears Restored (and RestoredAt), and StoppedByUser.
	run ! grep -E '"Restored"|"StoppedByUser"' "$TEST_TMP/f/started.levels"
	grep -q '"RestoredAt": "0001-01-01T00:00:00Z"' "$TEST_TMP/f/started.raw"
	# What is shown is there: the config.json, the layers, the checkpoint.
	jq -e '.[0] | .OCIConfigPath | test("/config.json$")' "$TEST_TMP/f/running.raw" >/dev/null
	for d in $(jq -r '.[0].GraphDriver.Data | .LowerDir, .UpperDir, .WorkDir' "$TEST_TMP/f/exited.raw" | tr : ' '); do
		[ -d "$d" ]
	done
	[ "$(jq -r '.[0].State.CheckpointPath' "$TEST_TMP/f/checkpointed.raw")" = \
		"$(jq -r '.[0].StaticDir' "$TEST_TMP/f/checkpointed.raw")/checkpoint" ]

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	lifecycle podman_t "$TEST_TMP/p"
	for state in created running restored started; do
		diff -u "$TEST_TMP/p/$state.levels" "$TEST_TMP/f/$state.levels"
	done
	# Podman keeps a checkpointed container's monitor's PID.
	for state in checkpointed exited; do
		sed -E -e 's/"ConmonPid",//' "$TEST_TMP/p/$state.levels" >"$TEST_TMP/p/$state.cmp"
		diff -u "$TEST_TMP/p/$state.cmp" "$TEST_TMP/f/$state.levels"
	done
}

@test "inspect of a container: the whole JSON as Podman's, once IDs, times, paths and PIDs are normalised" {
	need_podman
	load_both
	lifecycle f "$TEST_TMP/f"
	lifecycle podman_t "$TEST_TMP/p"
	for state in created running restored started; do
		diff -u "$TEST_TMP/p/$state.json" "$TEST_TMP/f/$state.json"
	done
	# Podman shows the network namespace of a stopped container's process
	# gone.
	for state in checkpointed exited; do
		jq -S '.NetworkSettings.SandboxKey = ""' "$TEST_TMP/p/$state.json" >"$TEST_TMP/p/$state.cmp"
		diff -u "$TEST_TMP/p/$state.cmp" "$TEST_TMP/f/$state.json"
	done
}

@test "inspect: templates find the members the JSON leaves out, as Podman's struct has them, nil slices and maps included" {
	load_test_image
	f create --name c1 ferry-test sleep 100 >/dev/null
	local tpl='{{.State.Checkpointed}} {{.State.ConmonPid}} {{.State.Restored}} {{.State.StoppedByUser}} [{{.State.CheckpointPath}}] [{{.OCIConfigPath}}] {{.HostConfig.Init}} {{.Config.SystemdMode}} {{.Config.ExposedPorts}} {{.HostConfig.PublishAllPorts}} {{.IsInfra}} {{.KubeExitCodePropagation}} {{.ExecIDs}}'
	[ "$(f inspect --format "$tpl" c1)" = "false 0 false false [] [] false false map[] false false invalid []" ]
	# GraphDriver.Data is a map: a member not there is no error.
	[ "$(f inspect --format '{{.GraphDriver.Data.MergedDir}}' c1)" = "<no value>" ]
	[ "$(f image inspect --format '{{.GraphDriver.Data.WorkDir}}' ferry-test)" = "<no value>" ]
	# {{json}} leaves them out, as Go's encoder does.
	[ "$(f inspect --format '{{json .State}}' c1 | jq -c keys)" = "$(f inspect c1 | jq -c '.[0].State | keys')" ]
	[ "$(f inspect --format '{{json .}}' c1 | jq -c '[keys, (.Config | keys), (.HostConfig | keys)]')" = \
		"$(f inspect c1 | jq -c '.[0] | [keys, (.Config | keys), (.HostConfig | keys)]')" ]
	# Each appears in the JSON once set.
	f create --name c2 --init --expose 7000 ferry-test sleep 100 >/dev/null
	[ "$(f inspect c2 | jq -c '.[0] | [.HostConfig.Init, .Config.ExposedPorts]')" = '[true,{"7000/tcp":{}}]' ]
	f create --name c3 --sysctl fs.mqueue.msg_max=20 --read-only-tmpfs=false ferry-test true >/dev/null
	[ "$(f inspect c3 | jq -c '.[0].HostConfig | [.Sysctls, .ReadOnlyTmpfs]')" = '[{"fs.mqueue.msg_max":"20"},false]' ]
	[ "$(f inspect c1 | jq -c '.[0].HostConfig | [has("Sysctls"), has("ReadOnlyTmpfs"), has("Init")]')" = '[false,false,false]' ]
	# Go's nil slices and maps: [] and map[] to print, null in JSON, of an
	# image's ImageConfig members its JSON leaves out and a container's
	# command.
	local itpl='{{json .Config.Entrypoint}} {{.Config.Entrypoint}} {{len .Config.Entrypoint}} [{{.Config.User}}] {{.Config.Labels}} {{json .Config.Volumes}} {{.Config.ArgsEscaped}} {{json .Config}}'
	local iwant='null [] 0 [] map[] null false {"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/sh"],"WorkingDir":"/"}'
	[ "$(f image inspect --format "$itpl" ferry-test)" = "$iwant" ]
	[ "$(f inspect --format "$itpl" ferry-test)" = "$iwant" ]
	[ "$(f image inspect ferry-test | jq -c '.[0].Config | keys')" = '["Cmd","Env","WorkingDir"]' ]
	f create --name c4 --entrypoint /bin/true ferry-test >/dev/null
	local ctpl='{{.Config.Cmd}} {{json .Config.Cmd}} {{len .Config.Cmd}}'
	[ "$(f inspect --format "$ctpl" c4)" = "[] null 0" ]
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		[ "$(podman_t image inspect --format "$itpl" localhost/ferry-test:latest)" = "$iwant" ]
		podman_t create --name c4 --network none --entrypoint /bin/true localhost/ferry-test:latest >/dev/null
		[ "$(podman_t inspect --format "$ctpl" c4)" = "[] null 0" ]
		podman_t create --name c1 --network none localhost/ferry-test:latest sleep 100 >/dev/null
		[ "$(podman_t inspect --format "$tpl" c1)" = "$(f inspect --format "$tpl" c1)" ]
		[ "$(podman_t inspect --format '{{.GraphDriver.Data.MergedDir}}' c1)" = "<no value>" ]
		[ "$(podman_t inspect --format '{{json .State}}' c1 | jq -c keys)" = \
			"$(f inspect --format '{{json .State}}' c1 | jq -c keys)" ]
	fi
}

@test "inspect: BoundingCaps and EffectiveCaps are the capabilities the container's process has" {
	load_test_image
	f run -d --name c --cap-add NET_ADMIN --cap-drop CHOWN ferry-test sleep 100 >/dev/null
	caps=$(f inspect --format '{{json .BoundingCaps}}' c)
	[ "$caps" = "$(f inspect --format '{{json .EffectiveCaps}}' c)" ]
	jq -e 'index("CAP_NET_ADMIN") and (index("CAP_CHOWN") | not) and . == sort' <<<"$caps" >/dev/null
	# The kernel's bounding set of its process, decoded.
	bnd=$(f exec c sh -c 'grep CapBnd /proc/1/status' | awk '{ print $2 }')
	[ "$(capsh --decode="$bnd" | sed 's/.*=//' | tr , '\n' | tr a-z A-Z | sort | jq -R . | jq -sc .)" = "$caps" ]
	f run -d --name p --privileged ferry-test sleep 100 >/dev/null
	bnd=$(f exec p sh -c 'grep CapBnd /proc/1/status' | awk '{ print $2 }')
	[ "$(capsh --decode="$bnd" | sed 's/.*=//' | tr , '\n' | tr a-z A-Z | sort | jq -R . | jq -sc .)" = \
		"$(f inspect --format '{{json .BoundingCaps}}' p)" ]
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		podman_t create --name c --network none --cap-add NET_ADMIN --cap-drop CHOWN localhost/ferry-test:latest true >/dev/null
		[ "$(podman_t inspect --format '{{json .BoundingCaps}} {{json .EffectiveCaps}}' c)" = "$caps $caps" ]
	fi
}

@test "images --format json, image inspect, volume inspect and info --format json have Podman's members" {
	load_test_image
	f volume create v1 >/dev/null
	f images --format json | jq -c '.[0] | keys, .RepoTags, .Names' >"$TEST_TMP/f.images"
	cat >"$TEST_TMP/want" <<-'EOF'
		["Containers","Created","CreatedAt","Digest","History","Id","Labels","Names","ParentId","RepoDigests","RepoTags","SharedSize","Size","VirtualSize"]
		null
		["localhost/ferry-test:latest"]
	EOF
	diff -u "$TEST_TMP/want" "$TEST_TMP/f.images"
	# The image's layers: the top one as UpperDir, the one below as
	# LowerDir (ferry's layers have no work directory).
	f image inspect ferry-test | jq -r '.[0].GraphDriver.Data | keys[], .LowerDir, .UpperDir' >"$TEST_TMP/gd"
	[ "$(head -n 2 "$TEST_TMP/gd" | paste -sd ' ')" = "LowerDir UpperDir" ]
	[ -d "$(sed -n 3p "$TEST_TMP/gd")" ] && [ -d "$(sed -n 4p "$TEST_TMP/gd")" ]
	[ "$(sed -n 4p "$TEST_TMP/gd")" = "$ROOT/storage/layers/$(f image inspect --format '{{index .RootFS.Layers 1}}' ferry-test | cut -d: -f2)" ]
	# ferry has no lock table: no LockNumber.
	[ "$(f volume inspect v1 | jq -c '.[0] | keys')" = '["CreatedAt","Driver","Labels","MountCount","Mountpoint","Name","NeedsChown","NeedsCopyUp","Options","Scope"]' ]
	f info --format json | jq -c '.host | keys' >"$TEST_TMP/f.info"
	f info --format json | jq -c '(.store | keys), (.version | keys)' >>"$TEST_TMP/f.info"
	cat >"$TEST_TMP/want" <<-'EOF'
		["arch","cgroupControllers","cgroupManager","cgroupVersion","conmon","cpuUtilization","cpus","criu","databaseBackend","distribution","eventLogger","hostname","idMappings","kernel","linkmode","logDriver","memFree","memTotal","networkBackend","networkBackendInfo","ociRuntime","os","pasta","security","serviceIsRemote","slirp4netns","swapFree","swapTotal","uptime","variant"]
		["configFile","containerStore","graphDriverName","graphOptions","graphRoot","graphRootAllocated","graphRootUsed","graphStatus","imageCopyTmpDir","imageStore","runRoot","transientStore","volumePath","volumeStore"]
		["APIVersion","Built","BuiltTime","GitCommit","Os","OsArch","Version"]
	EOF
	diff -u "$TEST_TMP/want" "$TEST_TMP/f.info"
	f info --format json | jq -e '.host.linkmode == "dynamic" and (.host | has("freeLocks") | not) and
		.store.graphStatus["Using metacopy"] == "false" and (.version.Built | type) == "number"' >/dev/null
	[ "$(f info --format '{{.Version.APIVersion}}')" = "$(f version --format '{{.Client.APIVersion}}')" ]

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t volume create v1 >/dev/null
	[ "$(podman_t images --format json | jq -c '.[0] | keys, .RepoTags, .Names')" = "$(cat "$TEST_TMP/f.images")" ]
	[ "$(podman_t volume inspect v1 | jq -c '.[0] | del(.LockNumber) | keys')" = "$(f volume inspect v1 | jq -c '.[0] | keys')" ]
	[ "$(podman_t image inspect localhost/ferry-test:latest | jq -c '.[0] | keys')" = \
		"$(f image inspect ferry-test | jq -c '.[0] | keys')" ]
	# What ferry has none of: Buildah, a REST service (remoteSocket),
	# rootless networking (rootlessNetworkCmd), a Go toolchain, a build
	# origin; criu and volumeStore are ferry's own.
	podman_t info --format json | jq -c '.host | del(.buildahVersion, .remoteSocket,
		.rootlessNetworkCmd) + {criu: 1} | keys' >"$TEST_TMP/p.info"
	podman_t info --format json | jq -c '.store + {volumeStore: 1} | keys' >>"$TEST_TMP/p.info"
	podman_t info --format json | jq -c '.version | del(.GoVersion, .BuildOrigin) | keys' >>"$TEST_TMP/p.info"
	diff -u "$TEST_TMP/p.info" "$TEST_TMP/f.info"
	[ "$(podman_t info --format json | jq -c '.store.graphStatus | keys')" = \
		"$(f info --format json | jq -c '.store.graphStatus | keys')" ]
}
