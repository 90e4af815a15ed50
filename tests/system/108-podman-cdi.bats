#!/usr/bin/env bats
# CDI devices (--device VENDOR/CLASS=NAME, --gpus, --cdi-spec-dir,
# containers.conf's cdi_spec_dirs), --seccomp-policy and --rdt-class, as a
# Podman user types them: what the container sees checked inside it,
# messages and exit codes against stored transcripts and against Podman
# 5.4 run live where it is installed, and CDI devices through checkpoint,
# restore and an import onto another root.

# The variables in single quotes are the container shell's.
# shellcheck disable=SC2016

load helpers
load podman-helpers

bats_require_minimum_version 1.5.0

podman_file_locks_for_every_test

teardown() {
	# The spec the live comparison put where Podman 5.4 reads specs (it
	# does not read containers.conf's cdi_spec_dirs), and the directory
	# when the test made it.
	if [ -n "${TEST_TMP:-}" ] && [ -s "$TEST_TMP/host-spec" ]; then
		xargs -r rm -f <"$TEST_TMP/host-spec"
		[ ! -e "$TEST_TMP/made-var-run-cdi" ] || rmdir /var/run/cdi 2>/dev/null || true
	fi
	podman_teardown
	ferry_teardown
}

# What a container prints of its CDI edits: its device nodes (mode, owner,
# group, major, minor, path), the mounted file, the variables, its groups,
# the mount's options, whether it can write its null device.
SHOW='stat -c "%A %u %g %t %T %n" /dev/cdi-*; cat /cdi-share/file; echo "env: $SPEC_ENV $DEV $ALL $PATH";
id -G; grep " /cdi-share " /proc/mounts | cut -d" " -f2,4 | cut -d, -f1; echo x >/dev/cdi-null && echo wrote'

# Writes the spec of kind $2 (ferry.test/dev, devices zero, null and all,
# bind-mounting $TEST_TMP/share) to file $1.
write_spec() {
	mkdir -p "$(dirname "$1")" "$TEST_TMP/share"
	echo hello >"$TEST_TMP/share/file"
	cat >"$1" <<-EOF
		{
		  "cdiVersion": "0.7.0",
		  "kind": "$2",
		  "containerEdits": {
		    "env": ["SPEC_ENV=spec", "PATH=/cdi/bin:/usr/bin:/bin"],
		    "mounts": [{"hostPath": "$TEST_TMP/share", "containerPath": "/cdi-share", "options": ["ro", "bind"]}]
		  },
		  "devices": [
		    {"name": "zero", "containerEdits": {"deviceNodes": [{"path": "/dev/cdi-zero", "hostPath": "/dev/zero"}],
		      "env": ["DEV=zero"], "additionalGids": [1234]}},
		    {"name": "null", "containerEdits": {"deviceNodes": [{"path": "/dev/cdi-null", "hostPath": "/dev/null",
		      "permissions": "rw", "fileMode": 384, "uid": 7}]}},
		    {"name": "all", "containerEdits": {"env": ["ALL=1"], "deviceNodes": [
		      {"path": "/dev/cdi-zero", "hostPath": "/dev/zero"}, {"path": "/dev/cdi-null", "hostPath": "/dev/null"}]}}
		  ]
		}
	EOF
}

@test "CDI: the edits of a device and of its spec, from --cdi-spec-dir, containers.conf and YAML" {
	load_test_image
	write_spec "$TEST_TMP/cdi/vendor.json" ferry.test/dev
	run_ferry --cdi-spec-dir "$TEST_TMP/cdi" run --rm --device ferry.test/dev=zero --device ferry.test/dev=null \
		ferry-test sh -c "$SHOW"
	assert_status 0
	[ "$output" = "crw------- 7 0 1 3 /dev/cdi-null
crw-rw-rw- 0 0 1 5 /dev/cdi-zero
hello
env: spec zero  /cdi/bin:/usr/bin:/bin
0 1234
/cdi-share ro
wrote" ]
	# A device named all is one the spec defines, as any other.
	run_ferry --cdi-spec-dir "$TEST_TMP/cdi" run --rm --device ferry.test/dev=all ferry-test sh -c "$SHOW"
	assert_status 0
	[ "$(printf '%s\n' "$output" | sed -n '1,2p;4p' | paste -sd'|')" = \
		"crw-rw-rw- 0 0 1 3 /dev/cdi-null|crw-rw-rw- 0 0 1 5 /dev/cdi-zero|env: spec  1 /cdi/bin:/usr/bin:/bin" ]

	# containers.conf's cdi_spec_dirs, the later directory winning: there
	# zero is the host's null device.
	mkdir -p "$TEST_TMP/cdi-late"
	sed 's|"/dev/zero"}\],|"/dev/null"}],|' "$TEST_TMP/cdi/vendor.json" >"$TEST_TMP/cdi-late/over.json"
	printf '[engine]\nlock_type = "file"\ncdi_spec_dirs = ["%s", "%s"]\n' "$TEST_TMP/cdi" "$TEST_TMP/cdi-late" \
		>"$CONTAINERS_CONF"
	run_ferry run --rm --device ferry.test/dev=zero ferry-test stat -c '%t %T' /dev/cdi-zero
	assert_status 0
	[ "$output" = "1 3" ]
	# --cdi-spec-dir stands instead of them.
	run_ferry --cdi-spec-dir "$TEST_TMP/cdi" run --rm --device ferry.test/dev=zero ferry-test \
		stat -c '%t %T' /dev/cdi-zero
	[ "$output" = "1 5" ]

	# YAML, a hook of the spec run by the runtime, a tmpfs mount.
	mkdir -p "$TEST_TMP/yaml"
	cat >"$TEST_TMP/yaml/tools.yaml" <<-EOF
		# A device in YAML.
		cdiVersion: "0.6.0"
		kind: ferry.test/yml
		containerEdits:
		  hooks:
		    - hookName: createRuntime
		      path: /bin/sh
		      args: [/bin/sh, -c, "echo ran >$TEST_TMP/hook-ran"]
		devices:
		  - name: "t0"
		    containerEdits:
		      env: [YAML=yes]
		      deviceNodes:
		        - {path: /dev/ynull, hostPath: /dev/null}
		      mounts:
		        - hostPath: tmpfs
		          containerPath: /ytmp
		          type: tmpfs
		          options: [nosuid, size=1m]
	EOF
	run_ferry --cdi-spec-dir "$TEST_TMP/yaml" run --rm --device ferry.test/yml=t0 ferry-test \
		sh -c 'echo $YAML; stat -c "%t %T" /dev/ynull; grep " /ytmp " /proc/mounts | cut -d" " -f1,3'
	assert_status 0
	[ "$output" = "yes
1 3
tmpfs tmpfs" ]
	[ "$(cat "$TEST_TMP/hook-ran")" = ran ]
	# Nothing of a spec without its device.
	run_ferry --cdi-spec-dir "$TEST_TMP/yaml" run --rm ferry-test sh -c 'echo "${YAML:-none}"; ls /dev/ynull'
	[ "$(printf '%s\n' "$output" | head -n1)" = none ]
}

@test "CDI: a spec file that does not validate is skipped and says why; two of one directory conflict" {
	load_test_image
	local n=0 spec why
	while IFS='|' read -r spec why; do
		n=$((n + 1))
		mkdir -p "$TEST_TMP/bad$n"
		printf '%s\n' "$spec" >"$TEST_TMP/bad$n/spec.json"
		run_ferry --cdi-spec-dir "$TEST_TMP/bad$n" run --rm --device ferry.test/bad=d ferry-test true
		assert_status 126
		assert_one_line_error
		assert_output_contains "Error: setting up CDI devices: unresolvable CDI devices ferry.test/bad=d (skipped: invalid CDI spec \`$TEST_TMP/bad$n/spec.json\`: $why"
	done <<-'EOF'
		{"cdiVersion": "9.9.9", "kind": "ferry.test/bad", "devices": [{"name": "d", "containerEdits": {"env": ["A=1"]}}]}|invalid version "9.9.9"
		{"cdiVersion": "0.6.0", "kind": "ferry.test/b/ad", "devices": [{"name": "d", "containerEdits": {"env": ["A=1"]}}]}|invalid kind "ferry.test/b/ad": use vendor.com/class
		{"cdiVersion": "0.6.0", "kind": "ferry.test/bad", "devices": [{"name": "d", "containerEdits": {"deviceNodes": [{"path": "dev/rel"}]}}]}|invalid device "d": device node 1: path must be absolute
		{"cdiVersion": "0.6.0", "kind": "ferry.test/bad", "devices": [{"name": "d", "containerEdits": {"mounts": [{"hostPath": "../etc", "containerPath": "/x"}]}}]}|invalid device "d": mount /x: hostPath must be absolute
		{"cdiVersion": "0.6.0", "kind": "ferry.test/bad", "devices": [{"name": "d", "containerEdits": {"mounts": [{"containerPath": "/x"}]}}]}|invalid device "d": invalid mount, empty host path
		{"cdiVersion": "0.6.0", "kind": "ferry.test/bad", "devices": [{"name": "d", "containerEdits": {"hooks": [{"hookName": "boot", "path": "/bin/true"}]}}]}|invalid device "d": invalid hook "boot"
		{"cdiVersion": "0.6.0", "kind": "ferry.test/bad", "devices": [{"name": "d", "containerEdits": {"env": ["A=1"]}, "extra": 1}]}|device 1 is not an object of known fields
		{"cdiVersion": "0.6.0", "kind": "ferry.test/bad", "devices": [{"name": "d", "containerEdits": {}}]}|invalid device "d", empty device edits
		{"cdiVersion": "0.3.0", "kind": "ferry.test/bad", "devices": [{"name": "d", "containerEdits": {"deviceNodes": [{"path": "/dev/x", "hostPath": "/dev/null"}]}}]}|the spec version must be at least v0.5.0
		{"cdiVersion": "0.6.0", "kind": "ferry.test/bad", "devices": [{"name": "d", "containerEdits": {"env": ["A=1"]}}, {"name": "d", "containerEdits": {"env": ["A=2"]}}]}|invalid spec, multiple device "d"
		{"cdiVersion": "0.6.0", "kind": "ferry.test/bad", "devices": []}|invalid spec, no devices
		not json|the file is not valid JSON
	EOF
	# Whatever the spec, create takes the name; the container stays
	# created, as with Podman.
	f create --name kept --device ferry.test/bad=d ferry-test true >/dev/null
	[ "$(f inspect --format '{{.State.Status}}' kept)" = created ]

	# One device described by two files of one directory: neither wins.
	mkdir -p "$TEST_TMP/twice"
	for name in a b; do
		printf '{"cdiVersion": "0.6.0", "kind": "ferry.test/two", "devices": [{"name": "d", "containerEdits": {"env": ["F=%s"]}}]}\n' \
			"$name" >"$TEST_TMP/twice/$name.json"
	done
	run_ferry --cdi-spec-dir "$TEST_TMP/twice" run --rm --device ferry.test/two=d ferry-test true
	assert_status 126
	[ "$output" = "Error: setting up CDI devices: unresolvable CDI devices ferry.test/two=d" ]
	# In two directories, the later one's.
	mkdir -p "$TEST_TMP/second"
	mv "$TEST_TMP/twice/b.json" "$TEST_TMP/second/"
	run_ferry --cdi-spec-dir "$TEST_TMP/twice" --cdi-spec-dir "$TEST_TMP/second" run --rm \
		--device ferry.test/two=d ferry-test sh -c 'echo $F'
	[ "$output" = b ]
	[ "$n" -eq 12 ]
}

# The same steps in TOOL: "$ ARGS -> CODE" and the output, the container's
# ID shown as <ID>.  One container a rm: Podman removes several in
# parallel and prints them in any order.
error_steps() {
	local t=$1 image=ferry-test args rc
	[ "$t" = f ] || image=localhost/ferry-test:latest
	while IFS= read -r args; do
		rc=0
		# shellcheck disable=SC2086
		eval "$t $args" >"$TEST_TMP/out" 2>&1 || rc=$?
		echo "\$ $args -> $rc"
		sed -E 's/[0-9a-f]{64}/<ID>/g' "$TEST_TMP/out"
	done <<-EOF
		run --rm --network none --device example.com/nosuch=dev $image true
		run --rm --network none --gpus all $image true
		run --rm --network none --gpus 0,1 --gpus 2 $image true
		run -d --name d1 --network none --gpus all $image true
		create --name c1 --network none --device example.com/nosuch=dev $image true
		start c1
		start -a c1
		ps -a --format '{{.Names}} {{.Status}}' --sort names
		rm c1
		rm d1
		run --rm --network none --seccomp-policy bogus $image true
		run --rm --network none --seccomp-policy image $image true
		run --rm --network none --seccomp-policy image --security-opt seccomp=unconfined $image echo unconfined
		run --rm --network none --seccomp-policy default --rdt-class '' $image echo default
	EOF
}

@test "CDI and --seccomp-policy errors: messages and exit codes as Podman's" {
	load_test_image
	error_steps f >"$TEST_TMP/ferry.txt"
	diff -u - "$TEST_TMP/ferry.txt" <<-'EOF'
		$ run --rm --network none --device example.com/nosuch=dev ferry-test true -> 126
		Error: setting up CDI devices: unresolvable CDI devices example.com/nosuch=dev
		$ run --rm --network none --gpus all ferry-test true -> 126
		Error: setting up CDI devices: unresolvable CDI devices nvidia.com/gpu=all
		$ run --rm --network none --gpus 0,1 --gpus 2 ferry-test true -> 126
		Error: setting up CDI devices: unresolvable CDI devices nvidia.com/gpu=0, nvidia.com/gpu=1, nvidia.com/gpu=2
		$ run -d --name d1 --network none --gpus all ferry-test true -> 126
		Error: setting up CDI devices: unresolvable CDI devices nvidia.com/gpu=all
		$ create --name c1 --network none --device example.com/nosuch=dev ferry-test true -> 0
		<ID>
		$ start c1 -> 125
		Error: unable to start container "<ID>": setting up CDI devices: unresolvable CDI devices example.com/nosuch=dev
		$ start -a c1 -> 125
		Error: unable to start container <ID>: setting up CDI devices: unresolvable CDI devices example.com/nosuch=dev
		$ ps -a --format '{{.Names}} {{.Status}}' --sort names -> 0
		c1 Created
		d1 Created
		$ rm c1 -> 0
		c1
		$ rm d1 -> 0
		d1
		$ run --rm --network none --seccomp-policy bogus ferry-test true -> 125
		Error: invalid seccomp policy "bogus": valid policies are ["default" "image"]
		$ run --rm --network none --seccomp-policy image ferry-test true -> 125
		Error: no seccomp policy defined by image
		$ run --rm --network none --seccomp-policy image --security-opt seccomp=unconfined ferry-test echo unconfined -> 0
		unconfined
		$ run --rm --network none --seccomp-policy default --rdt-class '' ferry-test echo default -> 0
		default
	EOF
	# Nothing left but what create made and rm removed.
	[ -z "$(f ps -aq)" ]
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		error_steps podman_t | sed 's|localhost/ferry-test:latest|ferry-test|' >"$TEST_TMP/podman.txt"
		diff -u "$TEST_TMP/podman.txt" "$TEST_TMP/ferry.txt"
	fi
}

@test "CDI devices compared with Podman live: the same nodes, mount, variables and groups" {
	need_podman
	load_test_image
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	# Podman 5.4 reads /etc/cdi and /var/run/cdi only: a spec of a kind of
	# this test's own there, removed by teardown.
	local class spec args show
	class=t$(basename "$TEST_TMP" | tr -dc 'a-zA-Z0-9')
	spec=/var/run/cdi/ferry-$class.json
	[ -d /var/run/cdi ] || { mkdir -p /var/run/cdi && touch "$TEST_TMP/made-var-run-cdi"; }
	echo "$spec" >"$TEST_TMP/host-spec"
	write_spec "$spec" "ferry.test/$class"
	for args in "--device ferry.test/$class=zero --device ferry.test/$class=null" "--device ferry.test/$class=all" \
		"--user 5 --device ferry.test/$class=zero --device ferry.test/$class=null"; do
		# shellcheck disable=SC2086
		podman_t run --rm --network none $args localhost/ferry-test:latest sh -c "$SHOW" \
			>"$TEST_TMP/podman.out" 2>"$TEST_TMP/podman.err" || echo "exit $?" >>"$TEST_TMP/podman.out"
		# shellcheck disable=SC2086
		f run --rm $args ferry-test sh -c "$SHOW" >"$TEST_TMP/ferry.out" 2>"$TEST_TMP/ferry.err" ||
			echo "exit $?" >>"$TEST_TMP/ferry.out"
		diff -u "$TEST_TMP/podman.out" "$TEST_TMP/ferry.out"
		diff -u "$TEST_TMP/podman.err" "$TEST_TMP/ferry.err"
	done
	# The device of uid 7 is the spec's; the others the container user's.
	grep -qx 'crw------- 7 0 1 3 /dev/cdi-null' "$TEST_TMP/ferry.out"
	grep -qx 'crw-rw-rw- 5 0 1 5 /dev/cdi-zero' "$TEST_TMP/ferry.out"

	# YAML as Go reads it: an octal file mode, a number, quoted and plain
	# strings; a tmpfs mount and a variable of the spec.
	spec=/var/run/cdi/ferry-$class.yaml
	echo "$spec" >>"$TEST_TMP/host-spec"
	cat >"$spec" <<-EOF
		cdiVersion: 0.6.0
		kind: ferry.test/${class}y
		containerEdits:
		  env: ['YAML=a b', "Q=it's"]
		devices:
		- name: "7"
		  containerEdits:
		    deviceNodes:
		    - {path: /dev/cdi-seven, hostPath: /dev/zero, fileMode: 0640, gid: 12}
		    mounts:
		    - {hostPath: tmpfs, containerPath: /ytmp, type: tmpfs, options: [nosuid, size=64k]}
	EOF
	show='stat -c "%A %u %g %t %T %n" /dev/cdi-seven; echo "$YAML|$Q"; grep " /ytmp " /proc/mounts | cut -d" " -f1-4'
	podman_t run --rm --network none --device "ferry.test/${class}y=7" localhost/ferry-test:latest sh -c "$show" \
		>"$TEST_TMP/podman.out" 2>&1
	f run --rm --device "ferry.test/${class}y=7" ferry-test sh -c "$show" >"$TEST_TMP/ferry.out" 2>&1
	diff -u "$TEST_TMP/podman.out" "$TEST_TMP/ferry.out"
	grep -qx 'crw-r----- 0 12 1 5 /dev/cdi-seven' "$TEST_TMP/ferry.out"
}

@test "CDI devices through checkpoint, restore in place and an import onto another root" {
	load_test_image
	local before
	write_spec "$TEST_TMP/cdi/vendor.json" ferry.test/dev
	f --cdi-spec-dir "$TEST_TMP/cdi" run -d --name ctr --device ferry.test/dev=zero ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(last_count ctr)" -ge 2 ]' 10
	f container checkpoint ctr >/dev/null
	# The devices are looked up at each restore: without the directory
	# they are not found, and the checkpoint waits for a restore that has
	# it.
	run_ferry container restore ctr
	assert_status 125
	[ "$output" = "Error: setting up CDI devices: unresolvable CDI devices ferry.test/dev=zero" ]
	f --cdi-spec-dir "$TEST_TMP/cdi" container restore ctr >/dev/null
	[ "$(ctr_status ctr)" = running ]
	[ "$(f exec ctr sh -c 'stat -c "%t %T" /dev/cdi-zero; cat /cdi-share/file; echo $DEV')" = "1 5
hello
zero" ]

	# Onto another root: the archive carries the names and asks to be
	# trusted for them; the target resolves them with its own specs, and
	# where it has none nothing is made.
	f container checkpoint --export "$TEST_TMP/ctr.tar" ctr >/dev/null
	before=$(last_count ctr)
	fb load -q -i "$(ferry_test_image)" >/dev/null
	run_fb container restore --import "$TEST_TMP/ctr.tar"
	assert_status 125
	[ "$output" = "Error: checkpoint archive \`$TEST_TMP/ctr.tar\` asks for CDI device \`ferry.test/dev=zero\`: restore with --trust-archive if you trust its origin" ]
	assert_host_b_untouched
	run_fb container restore --trust-archive --import "$TEST_TMP/ctr.tar"
	assert_status 125
	[ "$output" = "Error: setting up CDI devices: unresolvable CDI devices ferry.test/dev=zero" ]
	assert_host_b_untouched
	# The other host's spec of the device: a copy of it elsewhere.
	mkdir -p "$TEST_TMP/cdiB"
	cp "$TEST_TMP/cdi/vendor.json" "$TEST_TMP/cdiB/"
	fb --cdi-spec-dir "$TEST_TMP/cdiB" container restore --trust-archive --import "$TEST_TMP/ctr.tar" >/dev/null
	wait_until "[ \"\$(last_count ctr fb)\" -gt $before ]" 10
	assert_counts_on ctr fb
	[ "$(fb exec ctr sh -c 'stat -c "%t %T" /dev/cdi-zero; echo $DEV')" = "1 5
zero" ]
}

# The steps of --seccomp-policy image with TOOL, whose image sec:1 holds a
# profile that refuses mkdir and sec:2 a label that is not JSON.
seccomp_steps() {
	local t=$1 args rc
	while IFS= read -r args; do
		rc=0
		# shellcheck disable=SC2086
		"$t" run --rm --network none $args sh -c 'mkdir /made && echo made' >"$TEST_TMP/out" 2>&1 || rc=$?
		echo "\$ $args -> $rc"
		cat "$TEST_TMP/out"
	done <<-'EOF'
		--seccomp-policy image sec:1
		sec:1
		--seccomp-policy default sec:1
		--seccomp-policy image --security-opt seccomp=unconfined sec:1
		--seccomp-policy image --privileged sec:1
		--seccomp-policy image sec:2
	EOF
}

@test "--seccomp-policy image: the profile in the image's label, as Podman's" {
	load_test_image
	local profile='{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}]}'
	f create --name base ferry-test true >/dev/null
	f commit -q --change "LABEL io.containers.seccomp.profile=\"$profile\"" base sec:1 >/dev/null
	f commit -q --change "LABEL io.containers.seccomp.profile=notjson" base sec:2 >/dev/null
	seccomp_steps f >"$TEST_TMP/ferry.txt"
	diff -u - <(sed 's/: the profile is not valid JSON: .*//' "$TEST_TMP/ferry.txt") <<-'EOF'
		$ --seccomp-policy image sec:1 -> 1
		mkdir: can't create directory '/made': Operation not permitted
		$ sec:1 -> 0
		made
		$ --seccomp-policy default sec:1 -> 0
		made
		$ --seccomp-policy image --security-opt seccomp=unconfined sec:1 -> 0
		made
		$ --seccomp-policy image --privileged sec:1 -> 0
		made
		$ --seccomp-policy image sec:2 -> 125
		Error: loading seccomp profile failed: decoding seccomp profile failed
	EOF
	# The profile is the container's own, in its record: a later start
	# has it too.
	f create --name kept --seccomp-policy image sec:1 sh -c 'mkdir /made' >/dev/null
	run_ferry start -a kept
	assert_status 1
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		podman_t create --name base --network none localhost/ferry-test:latest true >/dev/null
		podman_t commit -q --change "LABEL io.containers.seccomp.profile=\"$profile\"" base sec:1 >/dev/null
		podman_t commit -q --change "LABEL io.containers.seccomp.profile=notjson" base sec:2 >/dev/null
		seccomp_steps podman_t | sed 's/\(decoding seccomp profile failed\): .*/\1/' >"$TEST_TMP/podman.txt"
		diff -u "$TEST_TMP/podman.txt" <(sed 's/\(decoding seccomp profile failed\): .*/\1/' "$TEST_TMP/ferry.txt")
	fi
}

@test "--rdt-class: the class of service in the runtime's spec and in inspect, as Podman's" {
	load_test_image
	local id
	id=$(f run -d --rdt-class gold ferry-test sleep 100)
	[ "$(f inspect --format '{{.HostConfig.IntelRdtClosID}}' "$id")" = gold ]
	# runc, on this host without resctrl, runs it as Podman's containers
	# show; the class is in the spec it was given.
	[ "$(jq -r '.linux.intelRdt.closID' "$RUNROOT/containers/$id/config.json")" = gold ]
	[ "$(ctr_status "$id")" = running ]
	f rm -f -t 0 "$id" >/dev/null
	# A class the runtime cannot name a directory after.
	run_ferry run --rm --rdt-class a/b ferry-test true
	[ "$status" -ne 0 ]
	assert_output_contains 'invalid intelRdt.ClosID "a/b"'
	[ -z "$(f ps -aq)" ]
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		id=$(podman_t create --network none --rdt-class gold localhost/ferry-test:latest true)
		[ "$(podman_t inspect --format '{{.HostConfig.IntelRdtClosID}}' "$id")" = gold ]
		podman_t start -a "$id"
	fi
}
