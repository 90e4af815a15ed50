#!/usr/bin/env bats
# A checkpoint archive's container record (config.dump's `ferry` member) is
# untrusted input. Every archive here carries a recomputed manifest, so it
# is whole and only the record's check can refuse it: each gets exit 125,
# one error line naming the field, and root B (the target, with a running
# container, a volume holding data and canary files) is left exactly as it
# was. Bind mounts of host paths and the host network need --trust-archive.

load helpers

# Root A: $TEST_TMP/good.tar (uncompressed), a counter with a volume.
# Root B: the image, a running container `runner` and a created one
# `canary` sharing volume canvol (with a file), and canary files in the
# root, in the volume and beside the root.
setup_hosts() {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	f run -d --name src -v srcvol:/data ferry-test sh -c "echo x > /data/x; $COUNTER" >/dev/null
	wait_until '[ "$(f logs src | wc -l)" -ge 2 ]'
	f container checkpoint -R -c none -e "$TEST_TMP/good.tar" src >/dev/null

	fb volume create canvol >/dev/null
	echo volume-data >"$TEST_TMP/rootB/volumes/canvol/_data/canary"
	fb create --name canary -v canvol:/data ferry-test true >/dev/null
	fb run -d --name runner -v canvol:/data ferry-test sleep 1000 >/dev/null
	echo root-data >"$TEST_TMP/rootB/canary"
	echo beside-root >"$TEST_TMP/canary"
	HOST_B_BEFORE=$(host_b_state)
}

# Everything of root B a failed restore must not change: containers and
# their states, volumes, row counts, canary contents, and the files under
# the root (not inside mounts) and the runroot's import staging.
host_b_state() {
	local root run
	root=$TEST_TMP/rootB
	run=$TEST_TMP/runB
	echo "== ps"
	fb ps -a --format json | jq -c '[.[] | {Id, Names, State, Pid, Mounts}]'
	echo "== volumes"
	fb volume ls -q
	echo "== rows"
	sqlite3 "$root/ferry.db" "SELECT (SELECT COUNT(*) FROM containers), (SELECT COUNT(*) FROM volumes), (SELECT COUNT(*) FROM container_volumes), (SELECT COUNT(*) FROM images), (SELECT COUNT(*) FROM layers)"
	echo "== canaries"
	cat "$root/canary" "$root/volumes/canvol/_data/canary" "$TEST_TMP/canary"
	echo "== root files"
	find "$root" -xdev -not -path "$root/locks/*" -not -name '*.lock' -not -name 'ferry.db*' | sort
	echo "== staging"
	find "$run/checkpoints" -mindepth 1 2>/dev/null | sort
	echo "== runner"
	[ "$(fb inspect --format '{{.State.Status}}' runner)" = running ] && echo running
}

assert_host_b_unchanged() {
	local now
	now=$(host_b_state)
	if [ "$now" != "$HOST_B_BEFORE" ]; then
		echo "root B changed:" >&2
		diff <(echo "$HOST_B_BEFORE") <(echo "$now") >&2
		return 1
	fi
}

# Writes $TEST_TMP/bad.tar: good.tar with python statement $1 applied to
# `r` (the record) and the manifest recomputed, so the archive is whole.
craft() {
	local edit
	# The statement, indented into the loop's body.
	edit=$(sed 's/^/        /' <<<"$1")
	rewrite_archive "$TEST_TMP/good.tar" "$TEST_TMP/bad.tar" "
for i, (m, d) in enumerate(members):
    if m.name == 'config.dump':
        dump = json.loads(d)
        r = dump['ferry']
$edit
        members[i] = (m, json.dumps(dump).encode())"
}

# Crafts with $1, restores on root B (extra restore options after $2) and
# asserts the refusal names field $2 and root B is unchanged.
expect_record_refused() {
	local edit=$1 field=$2
	shift 2
	craft "$edit"
	run_fb container restore "$@" -i "$TEST_TMP/bad.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "bad.tar"
	assert_output_contains "field \`$field\`"
	assert_host_b_unchanged
}

@test "hostile record: the untouched archive restores (the crafting keeps it whole)" {
	setup_hosts
	craft "pass"
	# Its source stops first: the copy would share its cgroup.
	f rm -f -t 0 src >/dev/null
	run_fb container restore -i "$TEST_TMP/bad.tar"
	assert_status 0
	[ "$(fb inspect --format '{{.State.Status}}' src)" = running ]
	fb rm -f -t 0 src >/dev/null
	fb volume rm srcvol >/dev/null
	# What the checks compare to is what a restore and its removal leave.
	assert_host_b_unchanged
}

@test "hostile record: container IDs other than 64 lowercase hex digits" {
	setup_hosts
	expect_record_refused "r['Id'] = '..'" Id
	expect_record_refused "r['Id'] = ''" Id
	expect_record_refused "r['Id'] = '../' + 'a' * 61" Id
	expect_record_refused "r['Id'] = 'a/' + 'b' * 62" Id
	expect_record_refused "r['Id'] = r['Id'][:63]" Id
	expect_record_refused "r['Id'] = r['Id'].upper()" Id
	expect_record_refused "r['Id'] = 7" Id
	# --name replaces the ID, but the archive is judged as it came.
	expect_record_refused "r['Id'] = '..'" Id --name fresh
}

@test "hostile record: container names outside create's rule" {
	setup_hosts
	expect_record_refused "r['Name'] = '../x'" Name
	expect_record_refused "r['Name'] = 'a\\nb'" Name
	[[ "$output" == *'a\x0ab'* ]]
	expect_record_refused "r['Name'] = ''" Name
	expect_record_refused "del r['Name']" Name
}

@test "hostile record: volumes and mounts" {
	setup_hosts
	expect_record_refused "r['Mounts'][0]['Name'] = '../bad'" "Mounts[0].Name"
	expect_record_refused "r['Mounts'][0]['Name'] = '.'" "Mounts[0].Name"
	expect_record_refused "r['Mounts'][0]['Name'] = 'canvol/../..'" "Mounts[0].Name"
	expect_record_refused "del r['Mounts'][0]['Type']" "Mounts[0].Type"
	expect_record_refused "r['Mounts'] = {'Type': 'volume'}" Mounts
	expect_record_refused "r['Mounts'] = ['volume']" "Mounts[0]"
	expect_record_refused "r['Mounts'][0]['Destination'] = 'data'" "Mounts[0].Destination"
	expect_record_refused "r['Mounts'][0]['Destination'] = '/data/../../etc'" "Mounts[0].Destination"
	expect_record_refused "r['Mounts'][0]['Type'] = 'overlay'" "Mounts[0].Type"
	expect_record_refused "r['Mounts'][0]['RW'] = 'yes'" "Mounts[0].RW"
	expect_record_refused "r['Mounts'].append(dict(r['Mounts'][0]))" "Mounts[1].Destination"
}

@test "hostile record: image and process fields" {
	setup_hosts
	expect_record_refused "r['ImageID'] = '../../x'" ImageID
	expect_record_refused "r['ImageName'] = 'localhost/../../x:latest'" ImageName
	expect_record_refused "r['ImageName'] = '../../x'" ImageName
	expect_record_refused "r['ImageDigest'] = 'sha256:../../x'" ImageDigest
	expect_record_refused "r['Env'] = 'PATH=/bin'" Env
	expect_record_refused "r['Cmd'] = [1, 2]" "Cmd[0]"
	expect_record_refused "r['Args'] = []" Args
	expect_record_refused "r['WorkingDir'] = 'tmp'" WorkingDir
	expect_record_refused "r['Network'] = 'slirp4netns'" Network
	expect_record_refused "r['Network'] = 'bridge'" Networks
	expect_record_refused "r['Networks'] = {'n1': {}}" Networks
	expect_record_refused "r['Network'] = 'bridge'; r['Networks'] = {'../x': {}}" Networks
	expect_record_refused "r['Network'] = 'bridge'; r['Networks'] = {'n1': {'IP': '10.1.2.300'}}" Networks
	expect_record_refused "r['Network'] = 'bridge'; r['Networks'] = {'n1': {'MAC': '01:00:5e:00:00:01'}}" Networks
	expect_record_refused "r['Network'] = 'bridge'; r['Networks'] = {'n1': {'IPv6': 'fd00::zz'}}" Networks
	expect_record_refused "r['Network'] = 'bridge'; r['Networks'] = {'n1': {'IPv6': '10.1.2.3'}}" Networks
	expect_record_refused "r['Network'] = 'bridge'; r['Networks'] = {'n1': {'Gateway': '10.1.2.1'}}" Networks
	# --network NAME:OPTIONS: names of interfaces (one on the host), and
	# netavark's options, are checked.
	expect_record_refused "r['Network'] = 'bridge'; r['Networks'] = {'n1': {'Options': {'host_interface_name': '../../x'}}}" Networks
	expect_record_refused "r['Network'] = 'bridge'; r['Networks'] = {'n1': {'Options': {'foo': 1}}}" Networks
	expect_record_refused "r['Network'] = 'bridge'; r['Networks'] = {'n1': {'Options': {'foo': 'a\\nb'}}}" Networks
	expect_record_refused "r['Network'] = 'bridge'; r['Networks'] = {'n1': {'Options': dict(('k%d' % i, '1') for i in range(33))}}" Networks
	expect_record_refused "r['Network'] = 'bridge'; r['Networks'] = {'n1': {'Interface': 'a b'}}" Networks
	expect_record_refused "r['Network'] = 'bridge'; r['Networks'] = {'n1': {'Interface': 'wan0'}, 'n2': {'Interface': 'wan0'}}" Networks
	expect_record_refused "r['StopSignal'] = 99" StopSignal
	# A field this ferry does not know could be read, unchecked, by a later one.
	expect_record_refused "r['Userns'] = 'host'" Userns
}

@test "hostile record: privileged mode, devices, sysctls and masks" {
	setup_hosts
	expect_record_refused "r['Privileged'] = 'yes'" Privileged
	expect_record_refused "r['Devices'] = {'PathOnHost': '/dev/fuse'}" Devices
	expect_record_refused "r['Devices'] = []" Devices
	expect_record_refused "r['Devices'] = [{'PathOnHost': '/dev/../etc/shadow', 'PathInContainer': '/dev/x', 'CgroupPermissions': 'rwm'}]" Devices
	expect_record_refused "r['Devices'] = [{'PathOnHost': '/dev/fuse', 'PathInContainer': 'dev/x', 'CgroupPermissions': 'rwm'}]" Devices
	expect_record_refused "r['Devices'] = [{'PathOnHost': '/dev/fuse', 'PathInContainer': '/dev/x', 'CgroupPermissions': 'rwx'}]" Devices
	expect_record_refused "r['Devices'] = [{'PathOnHost': '/dev/fuse', 'PathInContainer': '/dev/x', 'CgroupPermissions': 'rwm', 'Major': 1}]" Devices
	expect_record_refused "r['Devices'] = [{'PathOnHost': '/dev/fuse', 'PathInContainer': '/dev/x', 'CgroupPermissions': 'r'}] * 2" Devices
	expect_record_refused "r['Sysctls'] = {'kernel.core_pattern': '|/tmp/x'}" Sysctls
	expect_record_refused "r['Sysctls'] = {'net.ipv4/../../kernel/core_pattern': '1'}" Sysctls
	expect_record_refused "r['Sysctls'] = {'net.ipv4.ip_forward': 1}" Sysctls
	expect_record_refused "r['Sysctls'] = {'net.ipv4.ip_forward': '1\\n2'}" Sysctls
	expect_record_refused "r['Network'] = 'host'; r['Sysctls'] = {'net.ipv4.ip_forward': '1'}" Sysctls
	expect_record_refused "r['ReadOnlyTmpfs'] = 'no'" ReadOnlyTmpfs
	expect_record_refused "r['Mask'] = ['proc/kcore']" Mask
	expect_record_refused "r['Mask'] = '/proc/kcore'" Mask
	expect_record_refused "r['Unmask'] = ['ALL', '/proc/kcore']" Unmask
	expect_record_refused "r['Unmask'] = ['kcore']" Unmask
}

@test "restore --name follows create's name rule" {
	setup_hosts
	for name in '../x' '' 'a/b' '-x'; do
		run_fb container restore --name "$name" -i "$TEST_TMP/good.tar"
		assert_status 125
		assert_one_line_error
		assert_output_contains "invalid container name \`$name\` for --name"
		assert_host_b_unchanged
	done
}

# Root A: container $1 made with options $2..., checkpointed (stopped, so
# its copy on B never shares its cgroup) into $TEST_TMP/$1.tar.
export_with() {
	local name=$1
	shift
	f run -d --name "$name" "$@" ferry-test sleep 1000 >/dev/null
	f container checkpoint -c none -e "$TEST_TMP/$name.tar" "$name" >/dev/null
}

@test "a bind mount of the host's / needs --trust-archive" {
	setup_hosts
	# CRIU cannot dump a container with a recursive bind of the host's /, so
	# the archive is crafted: what an attacker would do.
	craft "r['Mounts'].append({'Type': 'bind', 'Source': '/', 'Destination': '/host', 'RW': True})"
	run_fb container restore -i "$TEST_TMP/bad.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "bad.tar\` asks for bind mount of host \`/\` at /host: restore with --trust-archive"
	assert_host_b_unchanged

	f rm -f -t 0 src >/dev/null # its copy would share its cgroup
	run_fb container restore --trust-archive -i "$TEST_TMP/bad.tar"
	assert_status 0
	[ "$(fb inspect --format '{{.State.Status}}' src)" = running ]
	fb rm -f -t 0 src >/dev/null
	fb volume rm srcvol >/dev/null
	assert_host_b_unchanged
}

@test "the host network needs --trust-archive, and both asks are listed" {
	setup_hosts
	export_with hostnet --network host
	run_fb container restore -i "$TEST_TMP/hostnet.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "hostnet.tar\` asks for host network: restore with --trust-archive"
	assert_host_b_unchanged

	mkdir -p "$TEST_TMP/share"
	export_with both --network host -v "$TEST_TMP/share:/share"
	run_fb container restore -i "$TEST_TMP/both.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "asks for bind mount of host \`$TEST_TMP/share\` at /share, host network"
	assert_host_b_unchanged

	run_fb container restore --trust-archive -i "$TEST_TMP/hostnet.tar"
	assert_status 0
	[ "$(fb inspect --format '{{.HostConfig.NetworkMode}} {{.State.Status}}' hostnet)" = "host running" ]
	fb rm -f -t 0 hostnet >/dev/null
	assert_host_b_unchanged
}

@test "--trust-archive only makes sense with --import" {
	run_ferry container restore --trust-archive some
	assert_status 125
	assert_one_line_error
	assert_output_contains "--trust-archive only makes sense with --import"
}

# Asserts root B refuses archive $1 without --trust-archive, naming $2,
# and restores it with: a running container $3, removed after.
expect_needs_trust() {
	run_fb container restore -i "$1"
	assert_status 125
	assert_one_line_error
	assert_output_contains "asks for $2: restore with --trust-archive"
	assert_host_b_unchanged
	run_fb container restore --trust-archive -i "$1"
	assert_status 0
	[ "$(fb inspect --format '{{.State.Status}}' "$3")" = running ]
	fb rm -f -t 0 "$3" >/dev/null
	assert_host_b_unchanged
}

@test "privileged mode, a device, a sysctl and unmasked paths need --trust-archive" {
	setup_hosts
	export_with priv --privileged
	expect_needs_trust "$TEST_TMP/priv.tar" "privileged mode" priv
	if [ -c /dev/fuse ]; then
		export_with dev --device /dev/fuse:/dev/f
		expect_needs_trust "$TEST_TMP/dev.tar" "device \`/dev/fuse\` at /dev/f" dev
	fi
	export_with sys --sysctl kernel.msgmax=4096
	expect_needs_trust "$TEST_TMP/sys.tar" "sysctl \`kernel.msgmax=4096\`" sys
	export_with um --security-opt unmask=ALL
	expect_needs_trust "$TEST_TMP/um.tar" 'unmasked paths ["ALL"]' um
	# Less than a plain run gives needs no trust.
	export_with less --security-opt mask=/proc/cpuinfo --read-only --read-only-tmpfs=false
	run_fb container restore -i "$TEST_TMP/less.tar"
	assert_status 0
	[ "$(fb inspect --format '{{json .HostConfig.SecurityOpt}} {{.HostConfig.ReadOnlyTmpfs}}' less)" = '["mask=/proc/cpuinfo"] false' ]
	fb rm -f -t 0 less >/dev/null
	assert_host_b_unchanged
}
