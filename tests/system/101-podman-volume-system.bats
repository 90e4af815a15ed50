#!/usr/bin/env bats
# Volumes that mount a file system (volume create -o type=, device=, o=),
# volume reload, system check and system migrate, as a Podman user types
# them: transcripts compared with Podman 5.4 run live where it is
# installed, and checks of what really happened on the host (the mount
# table, the loop devices, the files on the device).

load helpers
load podman-helpers

bats_require_minimum_version 1.5.0

podman_file_locks_for_every_test

teardown() {
	podman_teardown
	ferry_teardown
	# Loop devices of this test's image files, should a failed test leave
	# one attached (mount(8) attaches them with autoclear).
	if [ -n "${TEST_TMP:-}" ]; then
		losetup -j "$TEST_TMP/disk.img" -O NAME -n 2>/dev/null | xargs -r -n1 losetup -d 2>/dev/null || true
	fi
}

# Runs "$@" with tool $1, appending the command, its exit code and its
# output to the tool's transcript; 64-hex IDs show as <ID>, the test's
# directory as TMP, and each tool's image name as IMG.
vstep() {
	local tool=$1 rc=0
	shift
	"$tool" "$@" >"$TEST_TMP/out" 2>&1 || rc=$?
	{
		echo "\$ $* -> $rc" | sed -e "s#$TEST_TMP#TMP#g" -e 's#localhost/ferry-test:latest#IMG#; s# ferry-test # IMG #'
		sed -E -e "s/\b[0-9a-f]{64}\b/<ID>/g; s#$TEST_TMP#TMP#g" -e '$a\' "$TEST_TMP/out"
	} >>"$TEST_TMP/$tool.log"
}

# A 64 MiB ext4 file system in a file, for a volume on a loop device.
make_disk() {
	truncate -s 64M "$TEST_TMP/disk.img"
	mkfs.ext4 -q -F "$TEST_TMP/disk.img"
}

# The kernel lets go of a loop device set to autoclear (as mount(8) sets
# it) when its file system is unmounted, a moment after.
loop_freed() {
	wait_until '[ -z "$(losetup -j "$TEST_TMP/disk.img")" ]' 5
}

# What of this test's tree is mounted on the host now.
test_mounts() {
	awk -v t="$TEST_TMP" 'index($5, t "/") == 1 && $5 ~ /\/volumes\// { print $5 }' /proc/self/mountinfo |
		sed "s#$TEST_TMP#TMP#" | sort
}

# The sequence both tools run; $2 names the test image for tool $1.
mount_sequence() {
	local t=$1 img=$2 vroot
	vroot=$([ "$t" = f ] && echo "$ROOT" || echo "$TEST_TMP/proot")
	mkdir -p "$TEST_TMP/bdir"
	echo bound >"$TEST_TMP/bdir/file"
	vstep "$t" volume create -o type=tmpfs -o device=tmpfs -o o=size=10m,mode=0700,uid=1000 tv
	vstep "$t" volume create -o type=none -o o=bind -o device="$TEST_TMP/bdir" bv
	vstep "$t" volume create -o type=ext4 -o device="$TEST_TMP/disk.img" ev
	vstep "$t" volume create -o type=tmpfs copyv
	vstep "$t" volume inspect --format '{{.Name}} {{json .Options}} {{.UID}} {{.MountCount}} {{.NeedsChown}}' tv bv ev copyv
	vstep "$t" run --rm --network none -v tv:/v "$img" sh -c 'grep " /v " /proc/mounts; stat -c "%a %u" /v'
	vstep "$t" run --rm --network none -v bv:/v "$img" cat /v/file
	vstep "$t" run --rm --network none -v ev:/v "$img" sh -c 'grep -c " /v ext4 " /proc/mounts; echo kept >/v/kept'
	vstep "$t" run --rm --network none -v ev:/v "$img" cat /v/kept
	vstep "$t" run --rm --network none -v copyv:/etc "$img" cat /etc/ferry-release
	vstep "$t" run -d --name c1 --network none -v tv:/v "$img" sh -c 'echo one >/v/f; sleep 1000'
	vstep "$t" run -d --name c2 --network none -v tv:/v "$img" sleep 1000
	vstep "$t" volume inspect --format '{{.MountCount}}' tv
	vstep "$t" volume ls --filter name=^tv$ --format '{{.Name}} {{.MountCount}}'
	vstep "$t" exec c2 cat /v/f
	vstep "$t" stop -t 0 c1
	vstep "$t" volume inspect --format '{{.MountCount}}' tv
	vstep "$t" exec c2 cat /v/f
	vstep "$t" rm -f -t 0 c1
	vstep "$t" rm -f -t 0 c2
	vstep "$t" volume inspect --format '{{.MountCount}}' tv
	vstep "$t" volume mount bv
	vstep "$t" volume mount bv
	vstep "$t" volume inspect --format '{{.MountCount}}' bv
	vstep "$t" volume unmount bv
	vstep "$t" volume inspect --format '{{.MountCount}}' bv
	vstep "$t" volume unmount bv
	vstep "$t" volume inspect --format '{{.MountCount}}' bv
	vstep "$t" volume unmount bv
	vstep "$t" volume reload
	vstep "$t" volume reload extra
	vstep "$t" volume rm tv bv ev copyv
}

@test "volume create -o type=,device=,o=: tmpfs, bind and ext4 volumes, mount counts and volume reload, as Podman" {
	load_test_image
	make_disk
	mount_sequence f ferry-test
	cat >"$TEST_TMP/expected" <<-'EOF'
		$ volume create -o type=tmpfs -o device=tmpfs -o o=size=10m,mode=0700,uid=1000 tv -> 0
		tv
		$ volume create -o type=none -o o=bind -o device=TMP/bdir bv -> 0
		bv
		$ volume create -o type=ext4 -o device=TMP/disk.img ev -> 0
		ev
		$ volume create -o type=tmpfs copyv -> 0
		copyv
		$ volume inspect --format {{.Name}} {{json .Options}} {{.UID}} {{.MountCount}} {{.NeedsChown}} tv bv ev copyv -> 0
		tv {"SIZE":"10m","UID":"1000","device":"tmpfs","o":"size=10m,mode=0700,uid=1000","type":"tmpfs"} 1000 0 false
		bv {"device":"TMP/bdir","o":"bind","type":"none"} 0 0 true
		ev {"device":"TMP/disk.img","type":"ext4"} 0 0 true
		copyv {"type":"tmpfs"} 0 0 true
		$ run --rm --network none -v tv:/v IMG sh -c grep " /v " /proc/mounts; stat -c "%a %u" /v -> 0
		tmpfs /v tmpfs rw,nosuid,nodev,relatime,size=10240k,mode=700,uid=1000 0 0
		700 1000
		$ run --rm --network none -v bv:/v IMG cat /v/file -> 0
		bound
		$ run --rm --network none -v ev:/v IMG sh -c grep -c " /v ext4 " /proc/mounts; echo kept >/v/kept -> 0
		1
		$ run --rm --network none -v ev:/v IMG cat /v/kept -> 0
		kept
		$ run --rm --network none -v copyv:/etc IMG cat /etc/ferry-release -> 0
		ferry-test-image 1
		$ run -d --name c1 --network none -v tv:/v IMG sh -c echo one >/v/f; sleep 1000 -> 0
		<ID>
		$ run -d --name c2 --network none -v tv:/v IMG sleep 1000 -> 0
		<ID>
		$ volume inspect --format {{.MountCount}} tv -> 0
		2
		$ volume ls --filter name=^tv$ --format {{.Name}} {{.MountCount}} -> 0
		tv 2
		$ exec c2 cat /v/f -> 0
		one
		$ stop -t 0 c1 -> 0
		c1
		$ volume inspect --format {{.MountCount}} tv -> 0
		1
		$ exec c2 cat /v/f -> 0
		one
		$ rm -f -t 0 c1 -> 0
		c1
		$ rm -f -t 0 c2 -> 0
		c2
		$ volume inspect --format {{.MountCount}} tv -> 0
		0
		$ volume mount bv -> 0
		TMP/VROOT/volumes/bv/_data
		$ volume mount bv -> 0
		TMP/VROOT/volumes/bv/_data
		$ volume inspect --format {{.MountCount}} bv -> 0
		2
		$ volume unmount bv -> 0
		bv
		$ volume inspect --format {{.MountCount}} bv -> 0
		1
		$ volume unmount bv -> 0
		bv
		$ volume inspect --format {{.MountCount}} bv -> 0
		0
		$ volume unmount bv -> 0
		bv
		$ volume reload -> 0
		$ volume reload extra -> 125
		Error: `TOOL volume reload` takes no arguments
		$ volume rm tv bv ev copyv -> 0
		tv
		bv
		ev
		copyv
	EOF
	sed -i -e 's#TMP/root/#TMP/VROOT/#' -e 's#`ferry volume#`TOOL volume#' "$TEST_TMP/f.log"
	diff "$TEST_TMP/expected" "$TEST_TMP/f.log"
	# Nothing of it is left mounted, no loop device holds the image, and
	# the devices keep what was written to them.
	[ -z "$(test_mounts)" ]
	loop_freed
	[ "$(cat "$TEST_TMP/bdir/file")" = bound ]
	debugfs -R 'cat /kept' "$TEST_TMP/disk.img" 2>/dev/null | grep -qx kept

	need_podman
	make_disk
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	mount_sequence podman_t localhost/ferry-test:latest
	sed -i -e 's#TMP/proot/#TMP/VROOT/#' -e 's#`podman volume#`TOOL volume#' "$TEST_TMP/podman_t.log"
	diff "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
}

@test "volume create -o: what the kernel or mount(8) would refuse is refused at create, in one line, leaving nothing (Podman: at the container's start)" {
	load_test_image
	mkdir -p "$TEST_TMP/dir"
	: >"$TEST_TMP/plain"
	before=$(test_mounts)
	while IFS='|' read -r opts words; do
		# shellcheck disable=SC2086
		run_ferry volume create $opts bad
		assert_status 125
		assert_one_line_error
		assert_output_contains "$words"
		[ -z "$(f volume ls -q)" ]
	done <<-EOF
		-o type=tmpfs -o device=tmpfs -o o=size=1m,foo|Unknown parameter 'foo'
		-o type=ext4 -o device=$TEST_TMP/nosuch|volume option device=$TEST_TMP/nosuch: cannot use it
		-o type=ext4 -o device=$TEST_TMP/plain|options do not mount
		-o type=nosuchfs -o device=x|the kernel knows no such file system
		-o o=bind -o device=$TEST_TMP/plain|o=bind needs a directory
		-o o=bind -o device=relative|o=bind needs device= with the absolute path
		-o device=$TEST_TMP/dir|needs type=
		-o type=tmpfs -o device=tmpfs -o o=helper=x|mount option \`helper=x\` is refused
		-o type=tmpfs -o device=tmpfs -o o=X-mount.mkdir|is refused
		-o type=tmpfs -o device=-x|volume option device=-x is invalid
		-o type=tmpfs,ro -o device=tmpfs|volume option type=tmpfs,ro is invalid
	EOF
	[ "$(test_mounts)" = "$before" ]
	[ -z "$(ls -A "$ROOT/volumes")" ]

	# Podman takes the first at create and fails when a container starts.
	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t volume create -o type=tmpfs -o device=tmpfs -o o=size=1m,foo bad >/dev/null
	run podman_t run --rm --network none -v bad:/v localhost/ferry-test:latest true
	[ "$status" -eq 126 ]
	assert_output_contains "Unknown parameter 'foo'"
}

@test "volume -o type=ext4: a ferry killed right after the mount leaves it to the next command, which unmounts it and frees the loop device" {
	load_test_image
	make_disk
	f volume create -o type=ext4 -o device="$TEST_TMP/disk.img" ev >/dev/null
	run env FERRY_FAULT=volume-mounted "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" \
		run -d --name k -v ev:/v ferry-test sleep 100
	[ "$status" -eq 137 ]
	[ "$(test_mounts)" = "TMP/root/volumes/ev/_data" ]
	[ -n "$(losetup -j "$TEST_TMP/disk.img")" ]
	f ps -a >/dev/null
	[ -z "$(test_mounts)" ]
	loop_freed
	# The container starts as any other, and its end unmounts it.
	f start k >/dev/null
	[ "$(test_mounts)" = "TMP/root/volumes/ev/_data" ]
	[ "$(f volume inspect --format '{{.MountCount}}' ev)" = 1 ]
	f stop -t 0 k >/dev/null
	[ -z "$(test_mounts)" ]
	loop_freed
}

@test "volume -o type=tmpfs: a container whose monitor was killed leaves its volume mounted only until the next command" {
	load_test_image
	f volume create -o type=tmpfs -o device=tmpfs tv >/dev/null
	f run -d --name c -v tv:/v ferry-test sleep 1000 >/dev/null
	[ "$(test_mounts)" = "TMP/root/volumes/tv/_data" ]
	# The monitor and the container's process die with no cleanup run.
	conmon=$(f inspect --format '{{.State.ConmonPid}}' c)
	pid=$(f inspect --format '{{.State.Pid}}' c)
	kill -9 "$conmon" "$pid"
	wait_until "[ ! -e /proc/$pid ] || grep -q ') Z' /proc/$pid/stat"
	[ "$(test_mounts)" = "TMP/root/volumes/tv/_data" ]
	f ps -a >/dev/null
	[ -z "$(test_mounts)" ]
	[ "$(f inspect --format '{{.State.Status}}' c)" = exited ]
}

@test "volume -o type=tmpfs: checkpoint in place keeps the volume mounted for the restore, which finds its files (Podman's finds it empty)" {
	load_test_image
	f volume create -o type=tmpfs -o device=tmpfs tv >/dev/null
	f run -d --name c -v tv:/v ferry-test sh -c 'echo kept >/v/f; sleep 1000' >/dev/null
	wait_until '[ "$(f exec c cat /v/f 2>/dev/null)" = kept ]'
	f container checkpoint c >/dev/null
	[ "$(f inspect --format '{{.State.Status}}' c)" = exited ]
	[ "$(test_mounts)" = "TMP/root/volumes/tv/_data" ]
	[ "$(cat "$ROOT/volumes/tv/_data/f")" = kept ]
	f container restore c >/dev/null
	[ "$(f exec c cat /v/f)" = kept ]
	# Checkpointed again, then removed: nothing keeps the volume mounted.
	f container checkpoint c >/dev/null
	f rm c >/dev/null
	[ -z "$(test_mounts)" ]
	[ "$(f volume inspect --format '{{.MountCount}}' tv)" = 0 ]

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t volume create -o type=tmpfs -o device=tmpfs tv >/dev/null
	podman_t run -d --name c --network none -v tv:/v localhost/ferry-test:latest sh -c 'echo kept >/v/f; sleep 1000' >/dev/null
	wait_until '[ "$(podman_t exec c cat /v/f 2>/dev/null)" = kept ]'
	podman_t container checkpoint c >/dev/null
	podman_t container restore c >/dev/null
	[ -z "$(podman_t exec c ls /v)" ]
}

@test "volume -o type=tmpfs: checkpoint --export carries its content, and restore --import makes a plain volume of it, as Podman" {
	load_test_image
	f volume create -o type=tmpfs -o device=tmpfs tv >/dev/null
	f run -d --name c -v tv:/v ferry-test sh -c 'echo carried >/v/f; sleep 1000' >/dev/null
	wait_until '[ "$(f exec c cat /v/f 2>/dev/null)" = carried ]'
	f container checkpoint --export "$TEST_TMP/c.tar" c >/dev/null
	[ -z "$(test_mounts)" ]
	zstd -dcf "$TEST_TMP/c.tar" | tar -xOf - volumes/tv.tar | tar -tf - | grep -qxE '(\./)?f'
	f rm c >/dev/null
	f volume rm tv >/dev/null
	f container restore --import "$TEST_TMP/c.tar" >/dev/null
	[ "$(f exec c cat /v/f)" = carried ]
	[ "$(f volume inspect --format '{{json .Options}}' tv)" = '{}' ]
	f rm -f -t 0 c >/dev/null

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t volume create -o type=tmpfs -o device=tmpfs tv >/dev/null
	podman_t run -d --name c --network none -v tv:/v localhost/ferry-test:latest sh -c 'echo carried >/v/f; sleep 1000' >/dev/null
	wait_until '[ "$(podman_t exec c cat /v/f 2>/dev/null)" = carried ]'
	podman_t container checkpoint --export "$TEST_TMP/p.tar" c >/dev/null
	podman_t rm -f -t 0 c >/dev/null
	podman_t volume rm tv >/dev/null
	podman_t container restore --import "$TEST_TMP/p.tar" >/dev/null
	[ "$(podman_t exec c cat /v/f)" = carried ]
	[ "$(podman_t volume inspect --format '{{json .Options}}' tv)" = '{}' ]
}

@test "a bind volume: export and import need it mounted, as in Podman; volume rm unmounts it first, and the bound directory's files stay" {
	mkdir -p "$TEST_TMP/bdir"
	echo mine >"$TEST_TMP/bdir/file"
	f volume create -o type=none -o o=bind -o device="$TEST_TMP/bdir" bv >/dev/null
	# Not mounted, it has no content of its own to export or import into:
	# refused in Podman's words.
	run_ferry volume export -o "$TEST_TMP/bv.tar" bv
	assert_status 125
	assert_output_contains "Error: volume is using a driver local and volume is not mounted on $ROOT/volumes/bv/_data"
	[ "$(f volume mount bv)" = "$ROOT/volumes/bv/_data" ]
	[ "$(cat "$ROOT/volumes/bv/_data/file")" = mine ]
	f volume export -o "$TEST_TMP/bv.tar" bv
	tar -tf "$TEST_TMP/bv.tar" | grep -qxE '(\./)?file'
	mkdir "$TEST_TMP/in" && echo imported >"$TEST_TMP/in/new" && tar -cf "$TEST_TMP/in.tar" -C "$TEST_TMP/in" new
	f volume import bv "$TEST_TMP/in.tar"
	[ "$(cat "$TEST_TMP/bdir/new")" = imported ]
	f volume rm bv >/dev/null
	[ -z "$(test_mounts)" ]
	[ "$(cat "$TEST_TMP/bdir/file")" = mine ]
	[ ! -e "$ROOT/volumes/bv" ]
	[ ! -e "$RUNROOT/volume-mounts/bv" ] || { f ps >/dev/null; [ ! -e "$RUNROOT/volume-mounts/bv" ]; }
}

# ---- system check -------------------------------------------------------------

BOTTOM=9af66bdfcc4540471a8373946789b9fcceb00df9eb9061f02a4d7ff2b90c2c02
TOP=2fc5845bb1eb8b1a7472d42b91a95b5c510b9982ab34620564e42b938c3d4db5
IMAGE_ID=3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449

# The directory of the test image's layer $2 in tool $1's store.
layer_dir() {
	if [ "$1" = f ]; then echo "$ROOT/storage/layers/$2"; else echo "$TEST_TMP/proot/overlay/$2/diff"; fi
}

# Runs system check with tool $1, recording the exit code and the shape of
# the report: the Damaged and Deleted lines and the error (the details are
# each tool's own; ferry's are checked on their own).
cstep() {
	local tool=$1 rc=0
	shift
	"$tool" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
	{
		echo "\$ $* -> $rc"
		grep -E '^(Damaged|Deleted)' "$TEST_TMP/out" | sed -f "$TEST_TMP/$tool.sed"
		sed -E -f "$TEST_TMP/$tool.sed" -e 's/`(ferry|podman) /`TOOL /' "$TEST_TMP/err" | grep '^Error' || true
	} >>"$TEST_TMP/$tool.log"
}

check_sequence() {
	local t=$1 img=$2 id
	id=$("$t" create --name cc --network none "$img" true)
	echo "s/$id/<cc>/g" >"$TEST_TMP/$t.sed"
	cstep "$t" system check
	cstep "$t" system check --quick
	cstep "$t" system check extra
	cstep "$t" system check --max bogus
	echo damage >"$(layer_dir "$t" $BOTTOM)/etc/damage"
	cstep "$t" system check
	cstep "$t" system check --quick
	cstep "$t" system check --repair
	cstep "$t" system check --repair --force
	cstep "$t" system check
	cstep "$t" images -q
}

@test "system check: a clean store, a damaged layer and its image and container, --quick, --repair, --force, with Podman's report shape" {
	load_test_image
	check_sequence f ferry-test
	cat >"$TEST_TMP/expected" <<-EOF
		\$ system check -> 0
		\$ system check --quick -> 0
		\$ system check extra -> 125
		Error: \`TOOL system check\` takes no arguments
		\$ system check --max bogus -> 125
		Error: invalid argument "bogus" for "-m, --max" flag: time: invalid duration "bogus"
		\$ system check -> 125
		Damaged layer $BOTTOM:
		Damaged image $IMAGE_ID:
		Damaged container <cc>:
		Error: damage detected in local storage
		\$ system check --quick -> 0
		\$ system check --repair -> 125
		Error: X
		\$ system check --repair --force -> 0
		Damaged layer $BOTTOM:
		Damaged image $IMAGE_ID:
		Deleted damaged image: $IMAGE_ID
		Damaged container <cc>:
		Deleted damaged container: <cc>
		\$ system check -> 0
		\$ images -q -> 0
	EOF
	# The --repair that an image in use stops: Podman lists each failed
	# removal ("N errors occurred"), ferry the first.
	grep -A1 -- '--repair -> 125' "$TEST_TMP/f.log" | grep -q "^Error: deleting image $IMAGE_ID: image used by <cc>"
	sed -i '/--repair -> 125/{n;s/^Error: .*/Error: X/}' "$TEST_TMP/f.log"
	diff "$TEST_TMP/expected" "$TEST_TMP/f.log"
	# Nothing of the image is left in the store.
	[ -z "$(ls -A "$ROOT/storage/layers")" ]
	[ -z "$(ls -A "$ROOT/storage/blobs")" ]

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	check_sequence podman_t localhost/ferry-test:latest
	sed -i '/--repair -> 125/{n;s/^Error: .*/Error: X/}' "$TEST_TMP/podman_t.log"
	# Podman checks a layer's diff against its parent, so the layer above
	# the damaged one (by its chain ID) shows as damaged too; ferry checks
	# each layer's own content, which there is intact.
	sed -i '/^Damaged layer 7091fed1b8c40150b966501fbe7e3d30a0e27fc9858fbb9c1d9d3d71d8524197:$/d' \
		"$TEST_TMP/podman_t.log"
	diff "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
}

@test "system check: what changed in a layer is named, data that does not read back in Podman's words, --quick skips it, and a damaged blob or a lost layer directory is found" {
	load_test_image
	local L
	L=$(layer_dir f $BOTTOM)
	# Another mode; a link retargeted; the whiteout of the top layer gone.
	chmod 0600 "$L/etc/group"
	ln -sfn /nowhere "$L/bin/sh"
	rm "$(layer_dir f $TOP)/etc/removed-by-layer2"
	run_ferry system check
	assert_status 125
	for d in "/etc/group(mode:0644" "/bin/sh(link target)"; do
		assert_output_contains "layer $BOTTOM: $d"
	done
	assert_output_contains "layer $TOP: -/etc/removed-by-layer2, layer content modified"
	assert_output_contains "3 errors occurred:"
	# A file's data changed (same size) or gone: Podman's first check
	# fails, and says only that.
	sed -i 's/root/ROOT/' "$L/etc/passwd"
	run_ferry system check
	assert_status 125
	assert_output_contains "layer $BOTTOM: file integrity checksum failed for \"etc/passwd\""
	[[ "$output" != *"layer $BOTTOM: /etc/group(mode"* ]]
	sed -i 's/ROOT/root/' "$L/etc/passwd"
	rm "$L/etc/removed-by-layer2"
	run_ferry system check
	assert_status 125
	assert_output_contains "layer $BOTTOM: open $L/etc/removed-by-layer2: no such file or directory"
	run_ferry system check --quick
	assert_status 0
	[ -z "$output" ]

	# A blob whose bytes changed; a layer directory gone (found by --quick too).
	rm -rf "$ROOT" "$RUNROOT"
	load_test_image
	blob=$(ls "$ROOT/storage/blobs" | head -1)
	printf 'x' | dd of="$ROOT/storage/blobs/$blob" bs=1 seek=100 conv=notrunc status=none
	run_ferry system check
	assert_status 125
	[[ "$output" == *"layer content incorrect digest"* || "$output" == *"cannot read"* || "$output" == *"blob sha256:$blob"* ]]
	rm -rf "$(layer_dir f $TOP)"
	run_ferry system check --quick
	assert_status 125
	assert_output_contains "layer $TOP: layer data item is missing"
	# Repaired: the image goes with its layers, and the store is whole.
	f system check --quick --repair >/dev/null
	f system check
	[ -z "$(f images -q)" ]
	assert_store_empty
}

@test "system check: leftovers no record names, and layers no image uses older than --max, are found and repaired; one another ferry works on is not" {
	load_test_image
	local stray busy
	stray=$(printf 'a%.0s' {1..64})
	busy=$(printf 'b%.0s' {1..64})
	mkdir -p "$ROOT/storage/layers/$stray/etc" "$ROOT/containers/$stray" "$ROOT/containers/$busy"
	: >"$ROOT/storage/blobs/$stray"
	# A layer row no image lists, made long ago.
	cp -a "$(layer_dir f $TOP)" "$ROOT/storage/layers/$(printf 'c%.0s' {1..64})"
	sqlite3 "$ROOT/ferry.db" "INSERT INTO layers (diff_id, size, created) VALUES ('sha256:$(printf 'c%.0s' {1..64})', 10240, '2020-01-01T00:00:00Z')"
	# Another ferry holds the busy container's lock: it is being made.
	mkdir -p "$ROOT/locks"
	flock "$ROOT/locks/container-$busy.lock" sh -c "touch '$TEST_TMP/locked'; exec sleep 60" &
	locker=$!
	wait_until "[ -e '$TEST_TMP/locked' ]"
	run_ferry system check
	assert_status 125
	assert_output_contains "Damaged layer $stray:"
	assert_output_contains "layer in lower level storage driver not accounted for"
	assert_output_contains "layer blob in storage not accounted for"
	assert_output_contains "layer not referenced by any images or containers"
	[[ "$output" != *"$busy"* ]]
	run_ferry system check --max 100000h
	[[ "$output" != *"not referenced"* ]]
	run_ferry system check --repair
	assert_status 0
	assert_output_contains "Deleted damaged layer: $stray"
	assert_output_contains "Deleted damaged layer: $(printf 'c%.0s' {1..64})"
	[ ! -e "$ROOT/storage/layers/$stray" ] && [ ! -e "$ROOT/storage/blobs/$stray" ] && [ ! -e "$ROOT/containers/$stray" ]
	[ ! -e "$ROOT/storage/layers/$(printf 'c%.0s' {1..64})" ]
	[ -d "$ROOT/containers/$busy" ]
	kill "$locker" 2>/dev/null || true
	wait "$locker" 2>/dev/null || true
	# The image itself is whole and runs.
	[ "$(f run --rm ferry-test cat /etc/ferry-release)" = "ferry-test-image 1" ]
}

# ---- system migrate -----------------------------------------------------------

migrate_sequence() {
	local t=$1 img=$2
	make_containers_q "$t" "$img"
	vstep "$t" system migrate
	vstep "$t" ps -a --format '{{.Names}} {{.State}}'
	vstep "$t" system migrate
	vstep "$t" system migrate extra
	vstep "$t" system migrate --new-runtime runc
}

make_containers_q() {
	local t=$1 img=$2
	"$t" run -d --name m1 --network none "$img" sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done' >/dev/null
	"$t" create --name m2 --network none "$img" true >/dev/null
	wait_until "[ \"\$($t inspect --format '{{.State.Status}}' m1)\" = running ]"
}

@test "system migrate: running containers are stopped, as Podman does; --new-runtime with the runtime they have changes nothing" {
	load_test_image
	migrate_sequence f ferry-test
	cat >"$TEST_TMP/expected" <<-'EOF'
		$ system migrate -> 0
		stopped <ID>
		$ ps -a --format {{.Names}} {{.State}} -> 0
		m1 exited
		m2 created
		$ system migrate -> 0
		$ system migrate extra -> 125
		Error: `ferry system migrate` takes no arguments
		$ system migrate --new-runtime runc -> 0
	EOF
	diff "$TEST_TMP/expected" "$TEST_TMP/f.log"
	[ "$(f inspect --format '{{.State.Status}}' m1)" = exited ]
	[ "$(f inspect --format '{{.OCIRuntime}}' m1)" = runc ]

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	migrate_sequence podman_t localhost/ferry-test:latest
	# Podman's ps says "stopped" (a state ferry does not have: stopped,
	# its cleanup not yet run) where ferry's says exited.
	diff <(sed -e 's/`podman /`ferry /' -e 's/^m1 stopped$/m1 exited/' "$TEST_TMP/podman_t.log") "$TEST_TMP/f.log"
}
