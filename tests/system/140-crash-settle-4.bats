#!/usr/bin/env bats
# Commands killed at a named fault point (FERRY_FAULT, src/lib/util/fault.h)
# are settled by the next command, whatever it is, fourth part: the
# temporary name of a file written atomically (a kill between naming it
# and renaming it over the file), taken away by the next write of that
# file; volume import, which unpacks beside the volume and moves in only a
# whole archive, so that a kill, a bad tarball or a full disk leaves the
# volume as it was, and a kill while moving in is finished by the next
# command; and the cgroups of a container that runc delete cannot find,
# removed with the container when they are empty.

load helpers

bats_require_minimum_version 1.5.0

IMG=localhost/ferry-test

eval "crash4_$(declare -f setup)"
setup() {
	crash4_setup
	N=$(net_number)
	BR0=ftu$((N + 5000))
	BR1=ftu$((N + 6000))
	MADE_CGROUPS=()
}

eval "crash4_$(declare -f teardown)"
teardown() {
	local b d
	if [ -d "${ROOT:-/nonexistent}" ]; then f rm -af -t 0 >/dev/null 2>&1 || true; fi
	for b in ${BR0:-} ${BR1:-}; do ip link del "$b" 2>/dev/null || true; done
	# The cgroups a test made by hand, their tasks killed first.
	for d in "${MADE_CGROUPS[@]}"; do
		[ -d "$d" ] || continue
		for pid in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
		wait_until "[ -z \"\$(cat '$d/cgroup.procs' 2>/dev/null)\" ]" 10 || true
		rmdir "$d" 2>/dev/null || true
	done
	crash4_teardown
}

# ferry SIGKILLed at fault point $1.
f_killed_at() {
	local point=$1
	shift
	run env FERRY_FAULT="$point" "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" "$@"
	[ "$status" -eq 137 ]
}

temporaries() { find "$ROOT" "$RUNROOT" -name '*.tmp-*' 2>/dev/null | sort; }

# ---- temporary names of atomic writes ------------------------------------

@test "network connect killed between naming its report and the rename: the next write of the report takes the name away" {
	load_test_image
	f network create --subnet "10.212.$N.0/24" --interface-name "$BR0" n0 >/dev/null
	f network create --subnet "10.212.$((N + 1)).0/24" --interface-name "$BR1" n1 >/dev/null
	f run -d --network n0 --name c1 $IMG sleep 1000 >/dev/null
	[ -z "$(temporaries)" ]
	# netavark's report of c1's networks is there already: the new one
	# replaces it through a temporary name.
	f_killed_at atomic-write-linked network connect n1 c1
	[[ "$(temporaries)" == */netns/*.status.tmp-* ]]
	f ps >/dev/null
	# Before, nothing ever took it away.
	f network disconnect n1 c1
	[ -z "$(temporaries)" ]
	[ "$(f inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' c1)" = "n0 " ]
	f rm -f -t 0 c1 >/dev/null
	f network rm n0 n1 >/dev/null
}

@test "start killed between naming the container's hosts file and the rename: the next start takes the name away" {
	load_test_image
	f run -d --name c1 $IMG sleep 1000 >/dev/null
	f stop -t 0 c1 >/dev/null
	f_killed_at atomic-write-linked start c1
	[[ "$(temporaries)" == */hosts.tmp-* ]]
	f start c1 >/dev/null
	[ -z "$(temporaries)" ]
	[ "$(f exec c1 sh -c 'grep -c c1 /etc/hosts')" -ge 1 ]
	f rm -f -t 0 c1 >/dev/null
}

# ---- volume import ---------------------------------------------------------

# Volume v holds keep (old) and a (old); $TEST_TMP/v.tar holds a (new),
# dir/b and 20 files f1..f20.
volume_and_archive() {
	mkdir -p "$TEST_TMP/src/dir"
	echo new >"$TEST_TMP/src/a"
	echo b >"$TEST_TMP/src/dir/b"
	for i in $(seq 20); do echo "$i" >"$TEST_TMP/src/f$i"; done
	tar -C "$TEST_TMP/src" -cf "$TEST_TMP/v.tar" .
	f volume create v >/dev/null
	MP=$(f volume inspect --format '{{.Mountpoint}}' v)
	echo old >"$MP/keep"
	echo old >"$MP/a"
}

assert_volume_as_before() {
	[ "$(ls -A "$MP" | tr '\n' ' ')" = "a keep " ]
	[ "$(cat "$MP/a")" = old ]
}

assert_volume_imported() {
	[ "$(ls -A "$MP" | wc -l)" -eq 23 ]
	[ "$(cat "$MP/a")" = new ]
	[ "$(cat "$MP/keep")" = old ]
	[ "$(cat "$MP/dir/b")" = b ]
	[ "$(cat "$MP/f20")" = 20 ]
}

# Nothing beside the volumes: no staging, no _import.
assert_nothing_beside() {
	[ "$(ls -A "$ROOT/volumes" | tr '\n' ' ')" = "v " ]
	[ "$(ls -A "$ROOT/volumes/v" | tr '\n' ' ')" = "_data " ]
}

@test "volume import of a truncated tarball leaves the volume as it was" {
	volume_and_archive
	# Cut inside the archive, after whole entries: before, those were in
	# the volume already when the error came.
	head -c 6000 "$TEST_TMP/v.tar" >"$TEST_TMP/bad.tar"
	run_ferry volume import v "$TEST_TMP/bad.tar"
	assert_status 125
	assert_one_line_error
	[[ "$output" == *"bad.tar"* ]]
	assert_volume_as_before
	assert_nothing_beside
	f volume import v "$TEST_TMP/v.tar"
	assert_volume_imported
}

@test "volume import killed once the archive is unpacked beside the volume: the volume is as it was, and the next command removes the staging" {
	volume_and_archive
	f_killed_at volume-import-unpacked volume import v "$TEST_TMP/v.tar"
	assert_volume_as_before
	f volume ls >/dev/null
	assert_volume_as_before
	assert_nothing_beside
	f volume import v "$TEST_TMP/v.tar"
	assert_volume_imported
	assert_nothing_beside
}

@test "volume import killed after the archive is whole, or while moving it in: the next command moves the rest in" {
	volume_and_archive
	f_killed_at volume-import-staged volume import v "$TEST_TMP/v.tar"
	assert_volume_as_before
	f volume ls >/dev/null
	assert_volume_imported
	assert_nothing_beside

	f volume rm v >/dev/null
	volume_and_archive
	f_killed_at volume-import-moving volume import v "$TEST_TMP/v.tar"
	# One entry moved, the rest beside.
	[ "$(ls -A "$MP" | wc -l)" -le 3 ]
	[ -d "$ROOT/volumes/v/_import" ]
	f volume inspect v >/dev/null
	assert_volume_imported
	assert_nothing_beside
	# And a container sees all of it.
	load_test_image
	run f run --rm -v v:/v $IMG sh -c 'cat /v/a /v/keep /v/dir/b'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'new\nold\nb')" ]
}

# ---- cgroups ---------------------------------------------------------------

@test "rm removes the empty cgroups runc left of a container, and only those" {
	load_test_image
	id=$(f create --name c1 $IMG true)
	other=$(f create --name c2 $IMG true)
	# What a runc killed after making a container's cgroups and before
	# recording it leaves (as does a restore CRIU gave up on): cgroups
	# that runc delete, finding no state, does not remove.
	for ctl in memory pids freezer; do
		d=$(ctr_cgroup_dir "" "$id" $ctl)
		MADE_CGROUPS+=("$d")
		mkdir "$d"
	done
	# c2's holds a task: rmdir refuses it, and rm goes on.
	d2=$(ctr_cgroup_dir "" "$other" pids)
	MADE_CGROUPS+=("$d2")
	mkdir "$d2"
	sleep 1000 3>&- &
	echo $! >"$d2/cgroup.procs"
	f rm c1 c2 >/dev/null
	for ctl in memory pids freezer; do
		[ ! -e "$(ctr_cgroup_dir "" "$id" $ctl)" ]
	done
	[ -d "$d2" ]
	[ -n "$(cat "$d2/cgroup.procs")" ]
	# The parent every container shares stays, as Podman's libpod_parent.
	[ -d /sys/fs/cgroup/memory/ferry ]
}
