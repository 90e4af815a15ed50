#!/usr/bin/env bats
# Behaviours that Podman's own system tests pin (331-system-check,
# 180-blkio, 220-healthcheck, 170-run-userns) and ferry did otherwise:
# system check's words for a layer file whose data does not read back;
# the exit code and words of a runtime that cannot write a cgroup file
# (--blkio-weight-device on a kernel without BFQ); {{.State.Healthcheck}}
# in a template; containers.conf's userns; {{.HostConfig.IDMappings.UIDMap}}.
# Each test checks ferry against the transcript Podman 5.4 gives, and,
# where Podman is installed, against Podman live.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers

podman_hooks_for_every_test

IMG=localhost/ferry-test:latest
BOTTOM=9af66bdfcc4540471a8373946789b9fcceb00df9eb9061f02a4d7ff2b90c2c02

teardown() {
	podman_teardown
	ferry_teardown
	if [ -n "${TEST_TMP:-}" ]; then
		losetup -j "$TEST_TMP/disk.img" -O NAME -n 2>/dev/null | xargs -r -n1 losetup -d 2>/dev/null || true
	fi
}

# TOOL $1 running the rest: the command, its exit code and its output
# (standard error among it) on the lines after; the test's directory as
# TMP, 64-hex IDs as <ID>.
show() {
	local t=$1 rc=0 out
	shift
	out=$("$t" "$@" 2>&1) || rc=$?
	echo "\$ $* -> $rc" | sed "s#$TEST_TMP#TMP#g"
	[ -z "$out" ] || printf '%s\n' "$out" | sed -e "s#$TEST_TMP#TMP#g" -e 's/\b[0-9a-f]\{64\}\b/<ID>/g' |
		sed 's/^/  /'
}

# The directory of the test image's bottom layer in tool $1's store.
bottom_layer() {
	if [ "$1" = f ]; then echo "$ROOT/storage/layers/$BOTTOM"; else echo "$TEST_TMP/proot/overlay/$BOTTOM/diff"; fi
}

# TOOL $1's system check, its exit code and the errors it lists, once
# each: Podman lists its first check's failure twice, the second time
# behind "consume any trailer after the EOF marker: ".  The layer's
# directory shows as LAYER.
check_errors() {
	local t=$1 rc=0
	"$t" system check >"$TEST_TMP/out" 2>&1 || rc=$?
	echo "system check -> $rc"
	grep '^	\* ' "$TEST_TMP/out" | sed -e 's/^\t//' -e 's/consume any trailer after the EOF marker: //' \
		-e "s#$(bottom_layer "$t")#LAYER#" | LC_ALL=C sort -u
}

integrity_sequence() {
	local t=$1 L
	L=$(bottom_layer "$t")
	"$t" create --name cc --network none $IMG true >/dev/null
	# Other data of the same size, then of another size.
	sed -i 's/root/ROOT/' "$L/etc/passwd"
	touch -d @0 "$L/etc/passwd" "$L/etc"
	check_errors "$t"
	echo more >>"$L/etc/passwd"
	touch -d @0 "$L/etc/passwd"
	check_errors "$t"
	sed -i -e '$d' -e 's/ROOT/root/' "$L/etc/passwd"
	touch -d @0 "$L/etc/passwd" "$L/etc"
	check_errors "$t"
	# A file with data gone.
	mv "$L/etc/removed-by-layer2" "$TEST_TMP/saved"
	check_errors "$t"
	# Each tool words the image in use its own way.
	"$t" system check --repair >/dev/null 2>&1 || echo "repair -> $?"
	"$t" system check --repair --force >/dev/null 2>&1 || echo "repair --force failed"
	show "$t" system check
}

@test "system check names a layer file whose data does not read back in Podman's words, and says nothing else of that layer (331-system-check's \"checksum failed\")" {
	compare_output_with_podman integrity_sequence <<-EOF
		system check -> 125
		* layer $BOTTOM: file integrity checksum failed for "etc/passwd"
		system check -> 125
		* layer $BOTTOM: file integrity checksum failed for "etc/passwd"
		system check -> 0
		system check -> 125
		* layer $BOTTOM: open LAYER/etc/removed-by-layer2: no such file or directory
		repair -> 125
		\$ system check -> 0
	EOF
}

# TOOL $1 with a block weight for loop device $2 (whose queue has no BFQ
# scheduler, so the kernel has no file for it): run, create and start,
# start -a.  Each tool's cgroup directory shows as CGROUP.
blkio_sequence() {
	local t=$1 dev=$2
	{
		show "$t" run --rm --network none --device "$dev:$dev" --blkio-weight-device "$dev:123" $IMG true
		"$t" create --name bw --network none --blkio-weight-device "$dev:123" $IMG true >/dev/null
		show "$t" start bw
		show "$t" start -a bw
		"$t" rm -f bw >/dev/null
	} | sed -E "s#$dev#DEV#g; s#/sys/fs/cgroup/blkio/[^ ]*/blkio\.bfq#CGROUP/blkio.bfq#"
}

@test "a runtime that cannot write a cgroup file the kernel lacks (--blkio-weight-device without BFQ) fails as Podman's: 127, 'command that was not found' (180-blkio)" {
	fallocate -l 1M "$TEST_TMP/disk.img"
	dev=$(losetup -f --show "$TEST_TMP/disk.img")
	if grep -qw bfq "/sys/block/${dev#/dev/}/queue/scheduler"; then
		skip "this kernel has the BFQ scheduler: the weight is written"
	fi
	blkio_on_dev() { blkio_sequence "$1" "$dev"; }
	compare_output_with_podman blkio_on_dev <<-'EOF'
		$ run --rm --network none --device DEV:DEV --blkio-weight-device DEV:123 localhost/ferry-test:latest true -> 127
		  Error: runc: runc create failed: unable to start container process: error during container init: error setting cgroup config for procHooks process: openat2 CGROUP/blkio.bfq.weight_device: no such file or directory: OCI runtime attempted to invoke a command that was not found
		$ start bw -> 125
		  Error: unable to start container "<ID>": runc: runc create failed: unable to start container process: error during container init: error setting cgroup config for procHooks process: openat2 CGROUP/blkio.bfq.weight_device: no such file or directory: OCI runtime attempted to invoke a command that was not found
		$ start -a bw -> 125
		  Error: unable to start container <ID>: runc: runc create failed: unable to start container process: error during container init: error setting cgroup config for procHooks process: openat2 CGROUP/blkio.bfq.weight_device: no such file or directory: OCI runtime attempted to invoke a command that was not found
	EOF
}

# A health check that fails once /uh-oh is there, saying so on both
# streams.
HEALTH='if [ -e /uh-oh ]; then echo "Uh-oh on stdout!"; echo "Uh-oh on stderr!" >&2; exit 1; fi; echo "Life is Good on stdout"; echo "Life is Good on stderr" >&2'

# TOOL $1: {{.State.Healthcheck}} of a container with a health check,
# before and after a run that passes and one that fails, and of one
# without.
healthcheck_sequence() {
	local t=$1 f='{{.State.Healthcheck.Status}} {{.State.Healthcheck.FailingStreak}} {{len .State.Healthcheck.Log}}'
	"$t" run -d --name hc --network none --health-cmd "$HEALTH" --health-retries 1 $IMG sleep 1000 >/dev/null
	show "$t" inspect --format "$f" hc
	"$t" inspect --format '{{json .State.Healthcheck}}' hc
	show "$t" healthcheck run hc
	show "$t" inspect --format "$f" hc
	"$t" inspect --format '{{json .State.Healthcheck}}' hc | jq -c '[.Status, .FailingStreak, .Log[-1].ExitCode, .Log[-1].Output]'
	"$t" exec hc touch /uh-oh
	show "$t" healthcheck run hc
	"$t" inspect --format '{{json .State.Healthcheck}}' hc | jq -c '[.Status, .FailingStreak, .Log[-1].ExitCode, .Log[-1].Output]'
	show "$t" inspect --format '{{.State.Healthcheck.Status}} {{.State.Health.Status}}' hc
	"$t" inspect hc | jq -c '.[0].State | has("Healthcheck")'
	"$t" create --name nh --network none $IMG true >/dev/null
	show "$t" inspect --format '{{json .State.Healthcheck}} {{.State.Healthcheck}}' nh
	show "$t" inspect --format '{{.State.Healthcheck.Status}}' nh
	"$t" rm -f -t 0 hc nh >/dev/null
}

@test "{{.State.Healthcheck}} is the container's health in a template, as Podman's, and never in the JSON (220-healthcheck)" {
	compare_output_with_podman healthcheck_sequence <<-'EOF'
		$ inspect --format {{.State.Healthcheck.Status}} {{.State.Healthcheck.FailingStreak}} {{len .State.Healthcheck.Log}} hc -> 0
		  starting 0 0
		{"Status":"starting","FailingStreak":0,"Log":null}
		$ healthcheck run hc -> 0
		$ inspect --format {{.State.Healthcheck.Status}} {{.State.Healthcheck.FailingStreak}} {{len .State.Healthcheck.Log}} hc -> 0
		  healthy 0 1
		["healthy",0,0,"Life is Good on stdout\nLife is Good on stderr\n"]
		$ healthcheck run hc -> 1
		  unhealthy
		["unhealthy",1,1,"Uh-oh on stdout!\nUh-oh on stderr!\n"]
		$ inspect --format {{.State.Healthcheck.Status}} {{.State.Health.Status}} hc -> 0
		  unhealthy unhealthy
		false
		$ inspect --format {{json .State.Healthcheck}} {{.State.Healthcheck}} nh -> 0
		  null <nil>
		$ inspect --format {{.State.Healthcheck.Status}} nh -> 125
		  Error: template: inspect:1:19: executing "inspect" at <.State.Healthcheck.Status>: nil pointer evaluating *define.HealthCheckResults.Status
	EOF
}

# TOOL $1 with containers.conf's userns keep-id: a container that gives
# no user namespace flag, one with --userns host, one with --uidmap;
# then the setting as a mode no flag takes, and as another container's
# namespace that is not there.
userns_conf_sequence() {
	local t=$1 conf=$TEST_TMP/userns.conf
	# runc mounts the root file system from inside the namespace: ferry
	# needs the test's directory (mktemp's 0700) to let the container's
	# root pass, as /var/lib does (096-podman-userns).
	chmod 0711 "$TEST_TMP"
	cp "$CONTAINERS_CONF" "$conf"
	printf '[containers]\nuserns = "keep-id"\n' >>"$conf"
	CONTAINERS_CONF=$conf show "$t" run --name k1 --network none $IMG cat /proc/self/uid_map
	show "$t" inspect --format '{{.HostConfig.UsernsMode}} {{.HostConfig.IDMappings}}' k1
	CONTAINERS_CONF=$conf show "$t" run --rm --network none --userns host $IMG cat /proc/self/uid_map
	CONTAINERS_CONF=$conf show "$t" run --name k2 --network none --uidmap 0:200000:5000 $IMG cat /proc/self/uid_map
	show "$t" inspect --format '{{.HostConfig.UsernsMode}} {{.HostConfig.IDMappings.UIDMap}} {{.HostConfig.IDMappings}}' k2
	show "$t" create --name k3 --network none $IMG true
	show "$t" inspect --format '{{.HostConfig.IDMappings}}' k3
	show "$t" inspect --format '{{.HostConfig.IDMappings.UIDMap}}' k3
	"$t" rm k1 k2 k3 >/dev/null
	sed -i 's/^userns = .*/userns = "bogus"/' "$conf"
	CONTAINERS_CONF=$conf show "$t" run --rm --network none $IMG true
	sed -i 's/^userns = .*/userns = "container:nosuch"/' "$conf"
	CONTAINERS_CONF=$conf show "$t" create --name k4 --network none $IMG true
	show "$t" ps -a --format '{{.Names}}'
}

@test "containers.conf's userns is the user namespace of a container that names none, as Podman's; IDMappings is its struct (170-run-userns)" {
	compare_output_with_podman userns_conf_sequence <<-'EOF'
		$ run --name k1 --network none localhost/ferry-test:latest cat /proc/self/uid_map -> 0
		           0          0 4294967295
		$ inspect --format {{.HostConfig.UsernsMode}} {{.HostConfig.IDMappings}} k1 -> 0
		  private {[0:0:4294967295] [0:0:4294967295]}
		$ run --rm --network none --userns host localhost/ferry-test:latest cat /proc/self/uid_map -> 0
		           0          0 4294967295
		$ run --name k2 --network none --uidmap 0:200000:5000 localhost/ferry-test:latest cat /proc/self/uid_map -> 0
		           0     200000       5000
		$ inspect --format {{.HostConfig.UsernsMode}} {{.HostConfig.IDMappings.UIDMap}} {{.HostConfig.IDMappings}} k2 -> 0
		  private [0:200000:5000] {[0:200000:5000] [0:200000:5000]}
		$ create --name k3 --network none localhost/ferry-test:latest true -> 0
		  <ID>
		$ inspect --format {{.HostConfig.IDMappings}} k3 -> 0
		  <nil>
		$ inspect --format {{.HostConfig.IDMappings.UIDMap}} k3 -> 125
		  Error: template: inspect:1:24: executing "inspect" at <.HostConfig.IDMappings.UIDMap>: nil pointer evaluating *define.InspectIDMappings.UIDMap
		$ run --rm --network none localhost/ferry-test:latest true -> 125
		  Error: unrecognized namespace mode bogus passed
		$ create --name k4 --network none localhost/ferry-test:latest true -> 125
		  Error: looking up container to share user namespace with: no container with name or ID "nosuch" found: no such container
		$ ps -a --format {{.Names}} -> 0
	EOF
}
