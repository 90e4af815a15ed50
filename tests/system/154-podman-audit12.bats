#!/usr/bin/env bats
# What the twelfth round of comparing ferry with Podman 5.4 found ferry
# doing differently in container checkpoint and container restore, now
# fixed: the refusals of no container, of --ignore-rootfs and
# --ignore-volumes alone, of Podman's pre-checkpoint and pod options
# (--with-previous, --import-previous, --pod), of --import beside names
# or -a; an import of a file that is no archive; --print-stats' Id and
# CRIU's statistics; the State's Checkpointed, Restored, CheckpointedAt,
# RestoredAt, StartedAt, FinishedAt, CheckpointLog, CheckpointPath and
# RestoreLog across checkpoints and restores; what stops a restore from a
# checkpoint image; an import's volume already here; --compress's case;
# an export file that cannot be made; --latest with no container; ps's
# Exited; several names mixing containers and images; and a checkpoint
# image's annotations.  Each sequence is compared with the
# transcript ferry printed once it matched Podman (kept below) and, where
# Podman is installed, with Podman run live: standard output whole, the
# first words of each error line.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers

audit_hooks_for_every_test

refusals_sequence() {
	local t=$1
	make_ctr "$t" c1 run -- sleep 1000
	echo hello >"$TEST_TMP/plain.txt"
	step "$t" container checkpoint
	step "$t" container restore
	step "$t" container checkpoint --ignore-rootfs c1
	step "$t" container checkpoint --ignore-volumes c1
	step "$t" container restore --ignore-rootfs c1
	step "$t" container restore --ignore-volumes c1
	step "$t" container checkpoint -P --with-previous c1
	step "$t" container restore --import-previous "$TEST_TMP/plain.txt" c1
	step "$t" container restore --pod p1 c1
	step "$t" container restore --ignore-static-ip c1
	step "$t" container restore --ignore-static-mac c1
	step "$t" container restore --import "$TEST_TMP/plain.txt"
	step "$t" container restore --import "$TEST_TMP"
	step "$t" container checkpoint --leave-running --export "$TEST_TMP/c1.tar" c1
	step "$t" container restore --import "$TEST_TMP/c1.tar" c1
	step "$t" container restore --import "$TEST_TMP/c1.tar" -a
	step "$t" container restore --import "$TEST_TMP/c1.tar" --import-previous "$TEST_TMP/nosuch.tar" --name c3
	step "$t" container restore --import "$TEST_TMP/c1.tar" --name c2 --pod p1
	step "$t" inspect --format '{{.State.Status}}' c1
}

@test "checkpoint and restore refuse no container, lone --ignore-rootfs/--ignore-volumes, --with-previous, --import-previous, --pod and a file that is no archive in Podman's words" {
	audit_compare_expected refusals_sequence <<-'EOF'
		$ container checkpoint -> 125
		  err: Error: you must provide at least one name or id
		$ container restore -> 125
		  err: Error: you must provide at least one name or id
		$ container checkpoint --ignore-rootfs c1 -> 125
		  err: Error: --ignore-rootfs can only be used with --export
		$ container checkpoint --ignore-volumes c1 -> 125
		  err: Error: --ignore-volumes can only be used with --export
		$ container restore --ignore-rootfs c1 -> 125
		  err: Error: --ignore-rootfs can only be used with image or --import
		$ container restore --ignore-volumes c1 -> 125
		  err: Error: --ignore-volumes can only be used with image or --import
		$ container checkpoint -P --with-previous c1 -> 125
		  err: Error: --with-previous can not be used with --pre-checkpoint
		$ container restore --import-previous TMP/plain.txt c1 -> 125
		  err: Error: --import-previous can only be used with image or --import
		$ container restore --pod p1 c1 -> 125
		  err: Error: --pod can only be used with image or --import
		$ container restore --ignore-static-ip c1 -> 125
		  err: Error: container <ID> is running or paused, cannot restore: container state improper
		$ container restore --ignore-static-mac c1 -> 125
		  err: Error: container <ID> is running or paused, cannot restore: container state improper
		$ container restore --import TMP/plain.txt -> 125
		  err: Error: failed extracting runtime information from TMP/plain.txt: checkpoint archive `TMP/plain.txt` is not a tar archive: Unrecognized archive format
		$ container restore --import TMP -> 125
		  err: Error: failed extracting runtime information from TMP: cannot read checkpoint archive `TMP`: Is a directory
		$ container checkpoint --leave-running --export TMP/c1.tar c1 -> 0
		  out: c1
		$ container restore --import TMP/c1.tar c1 -> 125
		  err: Error: cannot use --import with positional arguments
		$ container restore --import TMP/c1.tar -a -> 125
		  err: Error: cannot use --import with --all or --latest
		$ container restore --import TMP/c1.tar --import-previous TMP/nosuch.tar --name c3 -> 125
		  err: Error: failed to open pre-checkpoint archive for import: open TMP/nosuch.tar: no such file or directory
		$ container restore --import TMP/c1.tar --name c2 --pod p1 -> 125
		  err: Error: cannot restore non pod container into pod: ferry has no pods; restore without --pod
		$ inspect --format {{.State.Status}} c1 -> 0
		  out: running
	EOF
	# Podman leaves c2 created; ferry makes nothing it refuses.
	[ "$(f ps -a --format '{{.Names}}')" = c1 ]
}

@test "checkpoint --with-previous is refused as --pre-checkpoint is, and leaves the container running" {
	load_test_image
	f run -d --name c1 --network none ferry-test sleep 1000 >/dev/null
	run_ferry container checkpoint --with-previous c1
	assert_status 125
	[[ "$output" == "Error: pre-copy (--pre-checkpoint) "* ]]
	[ "$(f inspect --format '{{.State.Status}}' c1)" = running ]
	run_ferry container restore --import-previous "$TEST_TMP/nosuch.tar" --import "$TEST_TMP/nosuch.tar"
	assert_status 125
	[[ "$output" == "Error: failed extracting runtime information from $TEST_TMP/nosuch.tar: "* ]]
}

print_stats_sequence() {
	local t=$1 podman_keys='["freezing_time","frozen_time","memdump_time","memwrite_time","pages_scanned","pages_written","pages_compared","pages_skipped_cow","forking_time","restore_time","pages_restored"]'
	make_ctr "$t" c1 run -- sleep 1000
	# Podman's statistics: the full ID, whatever named the container, and
	# of CRIU's counters only Podman's, none of them zero (omitempty).
	JQ=".container_statistics[0] | [.Id, (.criu_statistics | keys - $podman_keys), (.criu_statistics | map(select(. == 0)) | length), (keys - [\"runtime_checkpoint_duration\", \"runtime_restore_duration\"])]" \
		_step jq_part "$t" container checkpoint --print-stats c1
	JQ=".container_statistics[0] | [.Id, (.criu_statistics | keys - $podman_keys), (.criu_statistics | map(select(. == 0)) | length), (keys - [\"runtime_checkpoint_duration\", \"runtime_restore_duration\"])]" \
		_step jq_part "$t" container restore --print-stats c1
	JQ='.container_statistics | length' _step jq_part "$t" container checkpoint --leave-running --print-stats c1
}

@test "--print-stats gives the container's full ID and CRIU's statistics as Podman does: its counters only, none zero" {
	audit_compare_expected print_stats_sequence <<-'EOF'
		$ container checkpoint --print-stats c1 -> 0
		  out: ["<ID>",[],0,["Id","criu_statistics"]]
		$ container restore --print-stats c1 -> 0
		  out: ["<ID>",[],0,["Id","criu_statistics"]]
		$ container checkpoint --leave-running --print-stats c1 -> 0
		  out: 1
	EOF
}

state_sequence() {
	local t=$1
	make_ctr "$t" c1 run -- sleep 1000
	# Zero times show as false: the others change from run to run.
	local state='.[0].State | [.Status, .Checkpointed, .Restored, (.CheckpointedAt | startswith("0001") | not), (.RestoredAt | startswith("0001") | not)]'
	step "$t" container checkpoint c1
	JQ=$state _step jq_part "$t" inspect c1
	step "$t" container restore c1
	JQ=$state _step jq_part "$t" inspect c1
	step "$t" container checkpoint c1
	JQ=$state _step jq_part "$t" inspect c1
	step "$t" ps -a --format '{{.Names}} {{.State}}'
	step "$t" container restore --ignore-static-ip --ignore-static-mac c1
	JQ=$state _step jq_part "$t" inspect c1
	step "$t" inspect --format '{{.State.Checkpointed}} {{.State.Restored}}' c1
}

@test "a checkpoint ends the restored run (Restored, RestoredAt) and a restore spends the checkpoint (Checkpointed, CheckpointedAt), as in Podman; in place --ignore-static-ip/mac are taken" {
	audit_compare_expected state_sequence <<-'EOF'
		$ container checkpoint c1 -> 0
		  out: c1
		$ inspect c1 -> 0
		  out: ["exited",true,null,true,false]
		$ container restore c1 -> 0
		  out: c1
		$ inspect c1 -> 0
		  out: ["running",null,true,false,true]
		$ container checkpoint c1 -> 0
		  out: c1
		$ inspect c1 -> 0
		  out: ["exited",true,null,true,false]
		$ ps -a --format {{.Names}} {{.State}} -> 0
		  out: c1 exited
		$ container restore --ignore-static-ip --ignore-static-mac c1 -> 0
		  out: c1
		$ inspect c1 -> 0
		  out: ["running",null,true,false,true]
		$ inspect --format {{.State.Checkpointed}} {{.State.Restored}} c1 -> 0
		  out: false true
	EOF
}

image_sequence() {
	local t=$1
	make_ctr "$t" c1 run -- sh -c 'echo x >/root.txt; sleep 1000'
	step "$t" container checkpoint --create-image ckimg c1
	step "$t" container restore ckimg
	step "$t" container restore --name c2 ckimg
	step "$t" container restore --name c2 ckimg
	step "$t" exec c2 cat /root.txt
	step "$t" ps -a --format '{{.Names}} {{.State}}' --sort names
}

@test "what stops a restore from a checkpoint image starts with Podman's words" {
	audit_compare_expected image_sequence <<-'EOF'
		$ container checkpoint --create-image ckimg c1 -> 0
		  out: c1
		$ container restore ckimg -> 125
		  err: Error: unable to import checkpoint from image: "ckimg": creating container storage: that ID is already in use: a container with the ID of the checkpointed one (<ID>) already exists on this host: remove it, or restore under a new name with --name
		$ container restore --name c2 ckimg -> 0
		  out: <ID>
		$ container restore --name c2 ckimg -> 125
		  err: Error: unable to import checkpoint from image: "ckimg": creating container storage: the container name "c2" is already in use: a container with the name of the checkpointed one (c2) already exists on this host: remove it, or restore under a new name with --name
		$ exec c2 cat /root.txt -> 0
		  out: x
		$ ps -a --format {{.Names}} {{.State}} --sort names -> 0
		  out: c1 exited
		  out: c2 running
	EOF
}

# Appends to tool $1's transcript what inspect's CheckpointLog,
# CheckpointPath and RestoreLog of c1 show: none, or whether what they
# name is there (each tool keeps them in a place of its own).
kept_files() {
	local t=$1 p out=""
	while IFS= read -r p; do
		if [ -z "$p" ]; then
			out+="none "
		elif [ -e "$p" ]; then
			out+="there "
		else
			out+="missing "
		fi
	done < <("$t" inspect c1 | jq -r '.[0].State | .CheckpointLog // "", .CheckpointPath // "", .RestoreLog // ""')
	echo "\$ kept files: $out" >>"$TEST_TMP/$t.log"
}

keep_sequence() {
	local t=$1
	make_ctr "$t" c1 run -- sleep 1000
	step "$t" container checkpoint c1
	kept_files "$t"
	step "$t" container restore c1
	kept_files "$t"
	step "$t" container checkpoint --keep c1
	kept_files "$t"
	step "$t" container restore --keep c1
	kept_files "$t"
	step "$t" container checkpoint --leave-running c1
	kept_files "$t"
	step "$t" container checkpoint c1
	step "$t" container restore c1
	kept_files "$t"
	step "$t" inspect --format '[{{.State.CheckpointLog}}] [{{.State.RestoreLog}}]' c1
}

@test "inspect shows CRIU's logs kept by --keep (CheckpointLog, RestoreLog) and the images while they are kept (CheckpointPath), as Podman does" {
	audit_compare_expected keep_sequence <<-'EOF'
		$ container checkpoint c1 -> 0
		  out: c1
		$ kept files: none there none 
		$ container restore c1 -> 0
		  out: c1
		$ kept files: none none none 
		$ container checkpoint --keep c1 -> 0
		  out: c1
		$ kept files: there there none 
		$ container restore --keep c1 -> 0
		  out: c1
		$ kept files: there there there 
		$ container checkpoint --leave-running c1 -> 0
		  out: c1
		$ kept files: none there there 
		$ container checkpoint c1 -> 0
		  out: c1
		$ container restore c1 -> 0
		  out: c1
		$ kept files: none none none 
		$ inspect --format [{{.State.CheckpointLog}}] [{{.State.RestoreLog}}] c1 -> 0
		  out: [] []
	EOF
}

# Appends to tool $1's transcript, as "$ times: ...", whether c1's
# StartedAt and FinishedAt are those of $2 and $3 (same, new, or zero),
# and its Restored.
times_are() {
	local t=$1 started finished restored
	started=$("$t" inspect --format '{{.State.StartedAt}}' c1)
	finished=$("$t" inspect --format '{{.State.FinishedAt}}' c1)
	restored=$("$t" inspect --format '{{.State.Restored}}' c1)
	[ "$started" = "$2" ] && started=same || started=new
	[ "$finished" = "$3" ] && finished=same || finished=new
	[[ "$("$t" inspect --format '{{.State.FinishedAt}}' c1)" == 0001-01-01* ]] && finished=zero
	echo "\$ times: started $started, finished $finished, restored $restored" >>"$TEST_TMP/$t.log"
}

times_sequence() {
	local t=$1 started finished
	make_ctr "$t" c1 run -- sleep 1000
	started=$("$t" inspect --format '{{.State.StartedAt}}' c1)
	step "$t" container checkpoint c1
	finished=$("$t" inspect --format '{{.State.FinishedAt}}' c1)
	step "$t" container restore c1
	times_are "$t" "$started" "$finished"
	step "$t" stop -t 0 c1
	finished=$("$t" inspect --format '{{.State.FinishedAt}}' c1)
	step "$t" start c1
	# A start keeps the stop's FinishedAt until the next exit.
	times_are "$t" "$started" "$finished"
	started=$("$t" inspect --format '{{.State.StartedAt}}' c1)
	step "$t" container checkpoint --export "$TEST_TMP/c1.tar" c1
	step "$t" rm c1
	step "$t" container restore --import "$TEST_TMP/c1.tar"
	times_are "$t" "$started" "$finished"
}

@test "a restore in place keeps the container's StartedAt (ps's Up counts from it) and the checkpoint's FinishedAt, as Podman does; an import starts it anew" {
	audit_compare_expected times_sequence <<-'EOF'
		$ container checkpoint c1 -> 0
		  out: c1
		$ container restore c1 -> 0
		  out: c1
		$ times: started same, finished same, restored true
		$ stop -t 0 c1 -> 0
		  out: c1
		$ start c1 -> 0
		  out: c1
		$ times: started new, finished same, restored false
		$ container checkpoint --export TMP/c1.tar c1 -> 0
		  out: c1
		$ rm c1 -> 0
		  out: c1
		$ container restore --import TMP/c1.tar -> 0
		  out: <ID>
		$ times: started new, finished zero, restored true
	EOF
}

volume_sequence() {
	local t=$1
	make_ctr "$t" c1 run -v vol1:/data -- sh -c 'echo hi >/data/f; sleep 1000'
	step "$t" container checkpoint --export "$TEST_TMP/c1.tar" c1
	step "$t" container restore --import "$TEST_TMP/c1.tar"
	step "$t" container restore --import "$TEST_TMP/c1.tar" --name c2
	step "$t" container restore --import "$TEST_TMP/c1.tar" --name c2 --ignore-volumes
	step "$t" exec c2 cat /data/f
}

@test "an import whose volume is here already is refused first, in Podman's words, before its name or ID" {
	audit_compare_expected volume_sequence <<-'EOF'
		$ container checkpoint --export TMP/c1.tar c1 -> 0
		  out: c1
		$ container restore --import TMP/c1.tar -> 125
		  err: Error: volume with name vol1 already exists. Use --ignore-volumes to not restore content of volumes (or remove it)
		$ container restore --import TMP/c1.tar --name c2 -> 125
		  err: Error: volume with name vol1 already exists. Use --ignore-volumes to not restore content of volumes (or remove it)
		$ container restore --import TMP/c1.tar --name c2 --ignore-volumes -> 0
		  out: <ID>
		$ exec c2 cat /data/f -> 0
		  out: hi
	EOF
}

export_sequence() {
	local t=$1
	make_ctr "$t" c1 run -- sleep 1000
	make_ctr "$t" c2 run -- sleep 1000
	step "$t" container checkpoint --leave-running --export "$TEST_TMP/z.tar" --compress ZSTD c1
	step "$t" container checkpoint --leave-running --export "$TEST_TMP/g.tar" --compress Gzip c1
	step "$t" container checkpoint --leave-running --export "$TEST_TMP/n.tar" -c NONE c1
	echo "\$ file types: $(file -b "$TEST_TMP/z.tar" "$TEST_TMP/g.tar" "$TEST_TMP/n.tar" | cut -d' ' -f1-2 |
		tr '\n' ',')" >>"$TEST_TMP/$t.log"
	# Podman has checkpointed and stopped the container by the time it fails;
	# ferry checks first and leaves it running (DESIGN.md).
	step "$t" container checkpoint --export "$TEST_TMP" c1
	step "$t" container checkpoint --export "$TEST_TMP/nosuchdir/x.tar" c2
	make_ctr "$t" c3 run -- sleep 1000
	step "$t" container checkpoint --create-image 'Bad Name' c3
	step "$t" inspect --format '{{.State.Status}}' c3
}

@test "--compress takes its algorithm in any case, and an export file that cannot be made or a --create-image name that is none are refused in Podman's words" {
	audit_compare_expected export_sequence <<-'EOF'
		$ container checkpoint --leave-running --export TMP/z.tar --compress ZSTD c1 -> 0
		  out: c1
		$ container checkpoint --leave-running --export TMP/g.tar --compress Gzip c1 -> 0
		  out: c1
		$ container checkpoint --leave-running --export TMP/n.tar -c NONE c1 -> 0
		  out: c1
		$ file types: Zstandard compressed,gzip compressed,POSIX tar,
		$ container checkpoint --export TMP c1 -> 125
		  err: Error: creating checkpoint export file "TMP": open TMP: is a directory
		$ container checkpoint --export TMP/nosuchdir/x.tar c2 -> 125
		  err: Error: creating checkpoint export file "TMP/nosuchdir/x.tar": open TMP/nosuchdir/x.tar: no such file or directory
		$ container checkpoint --create-image Bad Name c3 -> 125
		  err: Error: parsing reference "Bad Name": invalid reference format: use lowercase NAME[:TAG] or NAME@sha256:DIGEST
		$ inspect --format {{.State.Status}} c3 -> 0
		  out: running
	EOF
}

latest_sequence() {
	local t=$1
	step "$t" container checkpoint --latest
	step "$t" container restore --latest
	step "$t" container checkpoint --all
	step "$t" container restore --all
	make_ctr "$t" c1 create -- true
	step "$t" container checkpoint -l
	step "$t" container restore -l
	make_ctr "$t" c2 run -- sleep 1000
	make_ctr "$t" c3 run -- true
	step "$t" wait c3
	step "$t" container checkpoint -a
	step "$t" container restore -a
	step "$t" ps -a --format '{{.Names}} {{.State}}' --sort names
}

@test "checkpoint and restore --latest with no container at all say Podman's \"no such container\"; --all does nothing; restore --all takes every exited container, as Podman's" {
	audit_compare_expected latest_sequence <<-'EOF'
		$ container checkpoint --latest -> 125
		  err: Error: no such container
		$ container restore --latest -> 125
		  err: Error: no such container
		$ container checkpoint --all -> 0
		$ container restore --all -> 0
		$ container checkpoint -l -> 125
		  err: Error: "created" is not running, cannot checkpoint: container state improper
		$ container restore -l -> 125
		  err: Error: a complete checkpoint for this container cannot be found, cannot restore: container <ID> has none; checkpoint it first (ferry container checkpoint <ID>)
		$ wait c3 -> 0
		  out: 0
		$ container checkpoint -a -> 0
		  out: <ID>
		$ container restore -a -> 125
		  out: <ID>
		  err: Error: a complete checkpoint for this container cannot be found, cannot restore: container <ID> has none; checkpoint it first (ferry container checkpoint <ID>)
		$ ps -a --format {{.Names}} {{.State}} --sort names -> 0
		  out: c1 created
		  out: c2 running
		  out: c3 exited
	EOF
}

ps_exited_sequence() {
	local t=$1
	make_ctr "$t" c1 run -- sleep 1000
	make_ctr "$t" c2 run -- true
	step "$t" wait c2
	step "$t" container checkpoint c1
	step "$t" ps -a --format '{{.Names}} {{.State}} {{.Exited}}' --sort names
	JQ='sort_by(.Names[0]) | .[] | [.Names[0], .State, .Exited]' _step jq_part "$t" ps -a --format json
	step "$t" container restore c1
	step "$t" ps -a --format '{{.Names}} {{.State}} {{.Exited}}' --sort names
}

@test "ps says a checkpointed container has not exited (.Exited false), as Podman does: it ended without an exit" {
	audit_compare_expected ps_exited_sequence <<-'EOF'
		$ wait c2 -> 0
		  out: 0
		$ container checkpoint c1 -> 0
		  out: c1
		$ ps -a --format {{.Names}} {{.State}} {{.Exited}} --sort names -> 0
		  out: c1 exited false
		  out: c2 exited true
		$ ps -a --format json -> 0
		  out: ["c1","exited",false]
		  out: ["c2","exited",true]
		$ container restore c1 -> 0
		  out: c1
		$ ps -a --format {{.Names}} {{.State}} {{.Exited}} --sort names -> 0
		  out: c1 running false
		  out: c2 exited true
	EOF
}

mixed_sequence() {
	local t=$1
	make_ctr "$t" c1 run -- sleep 1000
	make_ctr "$t" c2 run -- sleep 1000
	step "$t" container checkpoint --create-image ckimg c2
	step "$t" rm c2
	step "$t" container checkpoint c1
	step "$t" container restore ckimg c1
	step "$t" ps -a --format '{{.Names}} {{.State}}' --sort names
	step "$t" container restore ckimg c1
	step "$t" container restore c1 nosuch ckimg
}

@test "restore of several names takes containers and checkpoint images alike, in their order, what stops an image told last, as Podman does" {
	audit_compare_expected mixed_sequence <<-'EOF'
		$ container checkpoint --create-image ckimg c2 -> 0
		  out: c2
		$ rm c2 -> 0
		  out: c2
		$ container checkpoint c1 -> 0
		  out: c1
		$ container restore ckimg c1 -> 0
		  out: <ID>
		  out: c1
		$ ps -a --format {{.Names}} {{.State}} --sort names -> 0
		  out: c1 running
		  out: c2 running
		$ container restore ckimg c1 -> 125
		  err: Error: container <ID> is running or paused, cannot restore: container state improper
		  err: Error: unable to import checkpoint from image: "ckimg": creating container storage: that ID is already in use: a container with the ID of the checkpointed one (<ID>) already exists on this host: remove it, or restore under a new name with --name
		$ container restore c1 nosuch ckimg -> 125
		  err: Error: no such container or image: nosuch
	EOF
}

annotations_sequence() {
	local t=$1
	make_ctr "$t" c1 run -- sleep 1000
	step "$t" container checkpoint --create-image ckimg c1
	# Podman's own, but for its version (ferry records its own under
	# org.criu.checkpoint.engine.*); the values are this host's.
	JQ='.[0].Annotations | with_entries(select((.key | startswith("io.podman.") or startswith("org.opencontainers.")) and .key != "io.podman.annotations.checkpoint.podman.version")) | to_entries | sort_by(.key)[] | "\(.key)=\(.value)"' \
		_step jq_part "$t" image inspect ckimg
}

@test "a checkpoint image carries Podman's annotations: the monitor's and runtime's versions, the distribution, the base image" {
	audit_compare_expected annotations_sequence <<-EOF
		\$ container checkpoint --create-image ckimg c1 -> 0
		  out: c1
		\$ image inspect ckimg -> 0
		  out: "io.podman.annotations.checkpoint.cgroups.version=$(stat -f -c %T /sys/fs/cgroup | sed 's/^cgroup2fs$/v2/; s/^tmpfs$/v1/')"
		  out: "io.podman.annotations.checkpoint.conmon.version=$(conmon --version | paste -sd, - | sed 's/,/, /g')"
		  out: "io.podman.annotations.checkpoint.criu.version=$(criu --version | sed -n 's/^Version: \([0-9]*\)\.\([0-9]*\)\.\([0-9]*\).*/\1 \2 \3/p' | awk '{ print $1 * 10000 + $2 * 100 + $3 }')"
		  out: "io.podman.annotations.checkpoint.distribution.name=$(. /etc/os-release && echo "$ID")"
		  out: "io.podman.annotations.checkpoint.distribution.version=$(. /etc/os-release && echo "$VERSION_ID")"
		  out: "io.podman.annotations.checkpoint.host.arch=$(uname -m | sed 's/^x86_64$/amd64/; s/^aarch64$/arm64/')"
		  out: "io.podman.annotations.checkpoint.host.kernel=$(uname -r)"
		  out: "io.podman.annotations.checkpoint.name=c1"
		  out: "io.podman.annotations.checkpoint.rawImageName=localhost/ferry-test:latest"
		  out: "io.podman.annotations.checkpoint.rootfsImageID=<ID>"
		  out: "io.podman.annotations.checkpoint.rootfsImageName=localhost/ferry-test:latest"
		  out: "io.podman.annotations.checkpoint.runtime.name=runc"
		  out: "io.podman.annotations.checkpoint.runtime.version=$(runc --version | sed -z 's/\n$//; s/\n/\\n/g')"
		  out: "org.opencontainers.image.base.digest="
		  out: "org.opencontainers.image.base.name="
	EOF
}

several_stats_sequence() {
	local t=$1
	make_ctr "$t" c1 run -- sleep 1000
	make_ctr "$t" c2 run -- sleep 1000
	JQ='[(.container_statistics | length), .container_statistics[].Id]' \
		_step jq_part "$t" container checkpoint --print-stats c1 c2
	JQ='[(.container_statistics | length), .container_statistics[].Id]' \
		_step jq_part "$t" container restore --print-stats c1 c2
	step "$t" container checkpoint c1 nosuch
	step "$t" container checkpoint --print-stats c2 nosuch
	step "$t" ps -a --format '{{.Names}} {{.State}}' --sort names
}

@test "--print-stats of several containers is one JSON document, as Podman's; a name that is no container stops checkpoint before any is checkpointed" {
	audit_compare_expected several_stats_sequence <<-'EOF'
		$ container checkpoint --print-stats c1 c2 -> 0
		  out: [2,"<ID>","<ID>"]
		$ container restore --print-stats c1 c2 -> 0
		  out: [2,"<ID>","<ID>"]
		$ container checkpoint c1 nosuch -> 125
		  err: Error: no container with name or ID "nosuch" found: no such container
		$ container checkpoint --print-stats c2 nosuch -> 125
		  err: Error: no container with name or ID "nosuch" found: no such container
		$ ps -a --format {{.Names}} {{.State}} --sort names -> 0
		  out: c1 running
		  out: c2 running
	EOF
}
