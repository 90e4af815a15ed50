#!/usr/bin/env bats
# run and create --rootfs: a container from a directory holding a root file
# system, as Podman's flag (the first argument is then the directory, not
# an image).  A sequence runs in ferry and is compared with what Podman 5.4
# printed (kept below), and, where Podman is installed, with Podman run
# live.  The rest is ferry's own: the user's directory is never removed or
# left mounted by rm, prune or a killed start, and checkpoint/restore of
# such a container, in place and through an archive.

load helpers
load podman-helpers

bats_require_minimum_version 1.5.0

teardown() {
	podman_teardown
	ferry_teardown
}

# Fills directory $2 with the test image's files, through tool $1.
make_rootfs() {
	local t=$1 dir=$2 img=ferry-test
	[ "$t" = podman_t ] && img=localhost/ferry-test:latest
	rm -rf "$dir"
	mkdir -p "$dir"
	"$t" create --name rootfs-src --network none "$img" true >/dev/null
	"$t" export rootfs-src | tar -x -C "$dir"
	"$t" rm rootfs-src >/dev/null
}

# Appends a host command's output to tool $1's transcript.
show() {
	local tool=$1
	shift
	(eval "$*") 2>&1 | sed "s#$TEST_TMP#TMP#g; s/^/  show: /" >>"$TEST_TMP/$tool.log"
}

rootfs_sequence() {
	local t=$1 rfs=$TEST_TMP/rfs id
	touch "$TEST_TMP/$t.sed"
	make_rootfs "$t" "$rfs"
	step "$t" run --rm --network none --rootfs "$rfs" sh -c 'echo in; echo w >/written; cat /written'
	show "$t" "cat $rfs/written"
	# With :O the directory is a lower layer: it does not change.
	step "$t" run --rm --network none --rootfs "$rfs:O" sh -c 'cat /written; echo o >/over; rm /written; ls /over'
	show "$t" "[ -e $rfs/over ] || echo no over; cat $rfs/written"
	"$t" create --name r1 --network none --rootfs "$rfs" sleep 1000 >/dev/null
	id=$("$t" inspect --format '{{.Id}}' r1)
	echo "s/$id/<r1>/g; s/${id:0:12}/<r1>/g" >>"$TEST_TMP/$t.sed"
	step "$t" inspect --format '{{.Image}}|{{.ImageName}}|{{.ImageDigest}}|{{.Rootfs}}|{{.Config.Image}}|{{.Path}} {{json .Args}}' r1
	step "$t" ps -a --format '{{.Names}}|{{.Image}}|{{.Command}}'
	step "$t" start r1
	step "$t" exec r1 cat /written
	step "$t" diff r1
	step "$t" commit r1 rimg
	step "$t" rm -f -t 0 r1
	show "$t" "ls $rfs | sort | tr '\n' ' '; echo"
	step "$t" run --rm --network none --rootfs
}

@test "run and create --rootfs as Podman: the directory, not an image; inspect, ps, exec, diff, commit, rm" {
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ run --rm --network none --rootfs TMP/rfs sh -c echo in; echo w >/written; cat /written -> 0
		  out: in
		  out: w
		  show: w
		$ run --rm --network none --rootfs TMP/rfs:O sh -c cat /written; echo o >/over; rm /written; ls /over -> 0
		  out: w
		  out: /over
		  show: no over
		  show: w
		$ inspect --format {{.Image}}|{{.ImageName}}|{{.ImageDigest}}|{{.Rootfs}}|{{.Config.Image}}|{{.Path}} {{json .Args}} r1 -> 0
		  out: |||TMP/rfs||sleep ["1000"]
		$ ps -a --format {{.Names}}|{{.Image}}|{{.Command}} -> 0
		  out: r1||sleep 1000
		$ start r1 -> 0
		  out: r1
		$ exec r1 cat /written -> 0
		  out: w
		$ diff r1 -> 0
		$ commit r1 rimg -> 125
		  err: Error: cannot commit a container that uses an exploded rootfs
		$ rm -f -t 0 r1 -> 0
		  out: r1
		  show: bin dev etc opt proc root run sys tmp written 
		$ run --rm --network none --rootfs -> 125
		  err: Error: requires at least 1 arg(s), only received 0
	EOF
	load_test_image
	rootfs_sequence f
	if command -v podman >/dev/null; then
		mkdir -p "$TEST_TMP/ptmp"
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		rootfs_sequence podman_t
		diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
	fi
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
}

@test "--rootfs: bad directories get one line, exit 125, and nothing is created" {
	mkdir -p "$TEST_TMP/empty"
	echo file >"$TEST_TMP/afile"
	run_ferry run --rm --rootfs "$TEST_TMP/nosuch" true
	assert_status 125
	assert_one_line_error
	assert_output_contains "faccessat $TEST_TMP/nosuch"
	run_ferry create --rootfs "$TEST_TMP/afile" true
	assert_status 125
	assert_one_line_error
	assert_output_contains "$TEST_TMP/afile: it is not a directory"
	run_ferry run --rm --rootfs / true
	assert_status 125
	assert_one_line_error
	assert_output_contains "the host's own /"
	run_ferry run --rm --rootfs "$TEST_TMP/empty/../../../../../../.." true
	assert_status 125
	assert_output_contains "the host's own /"
	# No image to take a command from: create refuses; run, as Podman's,
	# exits 127, a command not found.
	run_ferry create --rootfs "$TEST_TMP/empty"
	assert_status 125
	assert_one_line_error
	assert_output_contains "no command given"
	run -127 "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" run --rm --rootfs "$TEST_TMP/empty"
	assert_one_line_error
	assert_output_contains "no command given"
	[ -z "$(f ps -a -q)" ]
	[ -z "$(ls -A "$ROOT/containers" 2>/dev/null)" ]
	[ -z "$(ls -A "$ROOT/storage/overlay" 2>/dev/null)" ]
	# Gone between create and start: start says so.
	mkdir -p "$TEST_TMP/gone"
	f create --name g --rootfs "$TEST_TMP/gone" true >/dev/null
	rmdir "$TEST_TMP/gone"
	run_ferry start g
	assert_status 125
	assert_one_line_error
	assert_output_contains "the root directory $TEST_TMP/gone of container g (--rootfs) is gone"
	f rm g >/dev/null
}

@test "--rootfs: a relative path is the working directory's; rm, prune and :O storage leave the directory whole" {
	local upper
	load_test_image
	make_rootfs f "$TEST_TMP/rfs"
	(cd "$TEST_TMP" && f create --name rel --rootfs rfs sh -c 'echo mine >/data; sleep 1000') >/dev/null
	[ "$(f inspect --format '{{.Rootfs}}' rel)" = "$TEST_TMP/rfs" ]
	f start rel >/dev/null
	wait_until "[ -e $TEST_TMP/rfs/data ]"
	f rm -f -t 0 rel >/dev/null
	[ "$(cat "$TEST_TMP/rfs/data")" = mine ]
	[ -x "$TEST_TMP/rfs/bin/sh" ]
	! awk '{ print $5 }' /proc/self/mountinfo | grep -q "^$TEST_TMP/root/" || false

	f run --name pr --rootfs "$TEST_TMP/rfs" true
	f container prune -f >/dev/null
	[ -z "$(f ps -a -q)" ]
	[ -x "$TEST_TMP/rfs/bin/sh" ]

	# :O: the changes are the container's own, removed with it.
	f run --name ov --rootfs "$TEST_TMP/rfs:O" sh -c 'echo changed >/data; rm /bin/sh.nosuch 2>/dev/null; touch /new'
	upper=$(f inspect --format '{{.GraphDriver.Data.UpperDir}}' ov)
	[ "$(cat "$upper/data")" = changed ]
	# No /etc: the runs above gave the directory its /etc/mtab link, as
	# Podman's do.
	[ -L "$TEST_TMP/rfs/etc/mtab" ]
	[ "$(f diff ov | sort | tr '\n' ' ')" = "A /new C /data " ]
	f rm ov >/dev/null
	[ ! -e "$upper" ]
	[ "$(cat "$TEST_TMP/rfs/data")" = mine ]
	[ ! -e "$TEST_TMP/rfs/new" ]
}

@test "--rootfs: the directory gets Podman's /etc/mtab link where it has none; one on a read-only file system runs without it" {
	load_test_image
	make_rootfs f "$TEST_TMP/rfs"
	rm -f "$TEST_TMP/rfs/etc/mtab"
	[ "$(f run --rm --rootfs "$TEST_TMP/rfs" readlink /etc/mtab)" = /proc/mounts ]
	[ "$(readlink "$TEST_TMP/rfs/etc/mtab")" = /proc/mounts ]
	rm -f "$TEST_TMP/rfs/etc/mtab"
	mount --bind "$TEST_TMP/rfs" "$TEST_TMP/rfs"
	mount -o remount,bind,ro "$TEST_TMP/rfs"
	run_ferry run --rm --rootfs "$TEST_TMP/rfs" sh -c 'echo ran; test -e /etc/mtab || echo no-mtab'
	assert_status 0
	[ "$output" = "ran
no-mtab" ]
	umount "$TEST_TMP/rfs"
	[ ! -e "$TEST_TMP/rfs/etc/mtab" ]
}

@test "--rootfs: a start killed with the directory still bound is settled by the next command" {
	local upper merged
	load_test_image
	make_rootfs f "$TEST_TMP/rfs"
	f create --name k --rootfs "$TEST_TMP/rfs" sh -c 'cat /etc/hostname >/dev/null; echo ran' >/dev/null
	upper=$(f inspect --format '{{.GraphDriver.Data.UpperDir}}' k)
	merged=${upper%/upper}/merged
	# What a start killed after mounting the root leaves.
	mount --bind "$TEST_TMP/rfs" "$merged"
	run_ferry start -a k
	assert_status 0
	assert_output_contains ran
	mount --bind "$TEST_TMP/rfs" "$merged"
	f rm k >/dev/null
	! awk '{ print $5 }' /proc/self/mountinfo | grep -qF "$merged" || false
	[ ! -e "$merged" ]
	[ -x "$TEST_TMP/rfs/bin/sh" ]
	[ "$(ls "$TEST_TMP/rfs" | wc -l)" -ge 5 ]
}

@test "--rootfs: checkpoint and restore in place, the counter carries on" {
	load_test_image
	make_rootfs f "$TEST_TMP/rfs"
	f run -d --name c --rootfs "$TEST_TMP/rfs" sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(last_count c)" -ge 2 ]'
	f container checkpoint c >/dev/null
	[ "$(ctr_status c)" = exited ]
	f container restore c >/dev/null
	wait_until '[ "$(last_count c)" -ge 6 ]'
	assert_counts_on c
	f rm -f -t 0 c >/dev/null
	[ -x "$TEST_TMP/rfs/bin/sh" ]
}

@test "--rootfs: an exported checkpoint records the directory, restores with --trust-archive where it exists" {
	load_test_image
	make_rootfs f "$TEST_TMP/rfs"
	f run -d --name c --rootfs "$TEST_TMP/rfs" sh -c "echo kept >/kept; $COUNTER" >/dev/null
	wait_until '[ "$(last_count c)" -ge 2 ]'
	f container checkpoint --compress none --export "$TEST_TMP/c.tar" c >/dev/null
	f rm c >/dev/null
	# Its root is the directory itself: no changes of its own to carry.
	! tar -tf "$TEST_TMP/c.tar" | grep -q '^rootfs-diff.tar$' || false
	[ "$(tar -xOf "$TEST_TMP/c.tar" config.dump | python3 -c 'import json,sys; print(json.load(sys.stdin)["ferry"]["Rootfs"])')" = "$TEST_TMP/rfs" ]
	# A host directory chosen by an archive needs the user's word.
	run_ferry container restore --import "$TEST_TMP/c.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "the host directory \`$TEST_TMP/rfs\` as its root file system"
	assert_output_contains "--trust-archive"
	# Not on this host: refused, nothing made.
	mv "$TEST_TMP/rfs" "$TEST_TMP/rfs.away"
	run_ferry container restore --trust-archive --import "$TEST_TMP/c.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "runs from the host directory $TEST_TMP/rfs (--rootfs), which is not a directory on this host"
	[ -z "$(f ps -a -q)" ]
	[ -z "$(ls -A "$ROOT/containers" 2>/dev/null)" ]
	mv "$TEST_TMP/rfs.away" "$TEST_TMP/rfs"
	f container restore --trust-archive --import "$TEST_TMP/c.tar" >/dev/null
	wait_until '[ "$(last_count c)" -ge 6 ]'
	assert_counts_on c
	[ "$(f exec c cat /kept)" = kept ]
	[ "$(f inspect --format '{{.Rootfs}}|{{.ImageName}}' c)" = "$TEST_TMP/rfs|" ]
	f rm -f -t 0 c >/dev/null
	[ "$(cat "$TEST_TMP/rfs/kept")" = kept ]
}

@test "--rootfs :O: the overlay's changes travel in the archive; the directory stays as it was" {
	load_test_image
	make_rootfs f "$TEST_TMP/rfs"
	f run -d --name c --rootfs "$TEST_TMP/rfs:O" sh -c "echo made >/made; rm /etc/hostname.nosuch 2>/dev/null; $COUNTER" >/dev/null
	wait_until '[ "$(last_count c)" -ge 2 ]'
	f container checkpoint --compress none --export "$TEST_TMP/c.tar" c >/dev/null
	f rm c >/dev/null
	tar -tf "$TEST_TMP/c.tar" | grep -q '^rootfs-diff.tar$'
	[ ! -e "$TEST_TMP/rfs/made" ]
	f container restore --trust-archive --import "$TEST_TMP/c.tar" >/dev/null
	wait_until '[ "$(last_count c)" -ge 6 ]'
	assert_counts_on c
	[ "$(f exec c cat /made)" = made ]
	[ ! -e "$TEST_TMP/rfs/made" ]
	f rm -f -t 0 c >/dev/null
}

@test "--rootfs: archives whose record names a bad root directory, or mixes one with an image, are refused" {
	load_test_image
	make_rootfs f "$TEST_TMP/rfs"
	f run -d --name c --rootfs "$TEST_TMP/rfs" sleep 1000 >/dev/null
	f container checkpoint --compress none --export "$TEST_TMP/good.tar" c >/dev/null
	f rm c >/dev/null
	local edit field
	while IFS='|' read -r field edit; do
		rewrite_archive "$TEST_TMP/good.tar" "$TEST_TMP/bad.tar" "
for i, (m, d) in enumerate(members):
    if m.name == 'config.dump':
        dump = json.loads(d)
        r = dump['ferry']
        $edit
        members[i] = (m, json.dumps(dump).encode())"
		run_ferry container restore --trust-archive --import "$TEST_TMP/bad.tar"
		assert_status 125
		assert_one_line_error
		assert_output_contains "field \`$field\`"
		[ -z "$(f ps -a -q)" ]
	done <<-'EOF'
		Rootfs|r['Rootfs'] = '/'
		Rootfs|r['Rootfs'] = 'relative/dir'
		Rootfs|r['Rootfs'] = '/tmp/../etc'
		Rootfs|r['ImageID'] = 'a' * 64
		Image|del r['Rootfs']
	EOF
	[ -x "$TEST_TMP/rfs/bin/sh" ]
}
