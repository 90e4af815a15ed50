#!/usr/bin/env bats
# Full disks: every state-changing command run on a file system that fills
# up fails with exit 125 and one line that names what it was writing, says
# the disk is full and how to get out, and leaves the host as it was
# (nothing half made, nothing lost); once space is freed the same command
# works.  --root (or the output of -o/--export) goes on a small tmpfs of the
# test's own, filled to leave a chosen number of bytes; each test walks a
# few free-space levels so that the command fails at different steps.
# helpers.bash's teardown unmounts the tmpfs with everything else under
# $TEST_TMP, also when a test fails.

load helpers
load ../lib/registry

SMALL=
FILL=

# A tmpfs of $1 bytes (default 32m) at $TEST_TMP/small.
small_fs() {
	SMALL=$TEST_TMP/small
	FILL=$SMALL/fill
	mkdir -p "$SMALL"
	mount -t tmpfs -o "size=${1:-32m}" tmpfs "$SMALL"
}

# The test's --root on the small file system.
root_on_small_fs() {
	small_fs "$@"
	ROOT=$SMALL/root
}

# Fills the small file system to leave $1 bytes free.
leave_free() {
	local avail
	rm -f "$FILL"
	avail=$(df -B1 --output=avail "$SMALL" | tail -n1)
	if [ "$avail" -gt "$1" ]; then fallocate -l $((avail - $1)) "$FILL"; fi
}

free_space() {
	rm -f "$FILL"
}

# What a user (and the next ferry) sees of the host: containers and their
# states, images, volumes, networks, the files of both roots (not what a
# container or volume holds, and not the database's WAL, which SQLite
# keeps as it likes, nor the directory overlayfs makes in a work directory
# at its first mount, nor conmon's exit files, which a start consumes, nor
# the log of a failed CRIU, kept with its container on purpose), the
# runtime's containers and the mounts below the test's directory.
host_state() {
	f ps -a --format '{{.Names}} {{.State}}'
	f images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
	f volume ls -q
	f network ls -q
	(cd "$ROOT" && find . | grep -v -e '^\./ferry\.db-' -e '/merged/.' -e '/upper/.' -e '/work/work$' \
		-e '^\./volumes/[^/]*/_data/.' -e '^\./containers/[^/]*/\(dump\|restore\)\.log$' | sort)
	(cd "$RUNROOT" && find . | grep -v '^\./exits/.' | sort)
	runc --root "$RUNROOT/runtime" list -q 2>/dev/null
	awk -v t="$TEST_TMP/" 'index($5, t) == 1 && $5 != t "small" { print $5 }' /proc/self/mountinfo | sort
}

# Asserts the last `run` is a full disk reported as it should be.
assert_disk_full_error() {
	assert_status 125
	assert_one_line_error
	assert_output_contains "no space left on device: free space on that file system"
}

# Runs ferry "$@" at each free-space level of $LEVELS until it works.  At
# each failure the error must say the disk is full and the host must be as
# before (host_state).  Fails when no level made the command fail (the
# levels no longer test anything) or none let it work.
sweep_until_ok() {
	local level before after failures=0
	for level in $LEVELS; do
		before=$(host_state)
		leave_free "$level"
		run_ferry "$@"
		free_space
		if [ "$status" -eq 0 ]; then
			[ "$failures" -gt 0 ] || { echo "worked with $level bytes free: no failure tested" >&2; return 1; }
			return 0
		fi
		assert_disk_full_error
		after=$(host_state)
		if [ "$before" != "$after" ]; then
			echo "with $level bytes free, $* changed the host:" >&2
			diff <(echo "$before") <(echo "$after") >&2
			return 1
		fi
		failures=$((failures + 1))
	done
	echo "never worked, up to $level bytes free: $output" >&2
	return 1
}

# Restores c1 in place with each of the free-space levels given left,
# until one works: each failure says the disk is full and leaves the host
# as it was, but past CRIU's restore, where there is no way back (the
# process ran): then it runs, and the next command records it.  One at
# least fails.
restore_in_place_sweep() {
	local level before after failures=0
	for level in "$@"; do
		before=$(host_state)
		leave_free "$level"
		run_ferry container restore c1
		free_space
		[ "$status" -eq 0 ] && break
		assert_disk_full_error
		if [[ "$output" == *"is restored and runs, but that cannot be recorded yet"* ]]; then
			[ "$(ctr_status c1)" = running ]
			status=0
			break
		fi
		after=$(host_state)
		[ "$before" = "$after" ] || { echo "at $level:" >&2; diff <(echo "$before") <(echo "$after") >&2; false; }
		failures=$((failures + 1))
	done
	assert_status 0
	[ "$failures" -gt 0 ]
}

# Each step of 8 KiB from $1 to $2 bytes.
levels() {
	seq "$1" 8192 "$2" | tr '\n' ' '
}

@test "full disk: ps, images, inspect and logs still work; a change says the disk is full, and works once there is space" {
	root_on_small_fs
	load_test_image
	f run -d --name c1 localhost/ferry-test:latest sh -c 'echo hello; sleep 1000' >/dev/null
	f create --name c2 localhost/ferry-test:latest true >/dev/null
	wait_until '[ "$(f logs c1)" = hello ]'
	leave_free 0
	# As Podman's: what reads the state needs no room (the database's
	# WAL index then lives in the reader's memory).
	run_ferry ps -a --format '{{.Names}} {{.State}}'
	assert_status 0
	[ "$output" = "$(printf 'c1 running\nc2 created')" ]
	run_ferry images --format '{{.Repository}}'
	assert_status 0
	[ "$output" = localhost/ferry-test ]
	[ "$(f inspect --format '{{.State.Status}}' c1)" = running ]
	[ "$(f logs c1)" = hello ]
	run_ferry rm c2
	assert_disk_full_error
	assert_output_contains "state database \`$ROOT/ferry.db\`"
	free_space
	run_ferry rm c2
	assert_status 0
	run_ferry ps -a --format '{{.Names}}'
	[ "$output" = c1 ]
	f rm -f -t 0 c1 >/dev/null
}

@test "full disk: load keeps no layer, blob or row of an image it could not store" {
	root_on_small_fs
	f images >/dev/null
	LEVELS="65536 1048576 2097152 4194304"
	sweep_until_ok load -q -i "$(ferry_test_image)"
	assert_output_contains "Loaded image: localhost/ferry-test:latest"
}

@test "full disk: start leaves no container running that its record says is not" {
	root_on_small_fs
	load_test_image
	f create --name c1 localhost/ferry-test:latest sleep 1000 >/dev/null
	# Started and stopped once: what every start makes and keeps (its
	# /etc files, its log, its exit file) is there before the sweep.
	f start c1 >/dev/null
	f stop -t 0 c1 >/dev/null
	LEVELS=$(levels 16384 131072)
	sweep_until_ok start c1
	[ "$(ctr_status c1)" = running ]
}

@test "full disk: create, tag, volume create and network create leave nothing half made" {
	root_on_small_fs
	load_test_image
	# The directories every container, volume and network lives under.
	f create --name c0 localhost/ferry-test:latest true >/dev/null
	f rm c0 >/dev/null
	f volume rm "$(f volume create)" >/dev/null
	LEVELS=$(levels 16384 131072)
	sweep_until_ok tag localhost/ferry-test:latest localhost/other:1
	sweep_until_ok volume create v1
	sweep_until_ok network create --subnet "10.206.$(net_number).0/24" --interface-name "ftn$(($(net_number) + 3000))" n1
	# A container's lock file stays (locks are never removed while a
	# ferry might wait on one).
	LEVELS=$(levels 16384 131072)
	local level before after failures=0
	for level in $LEVELS; do
		before=$(host_state | grep -v '^\./locks/')
		leave_free "$level"
		run_ferry create --name c1 localhost/ferry-test:latest true
		free_space
		[ "$status" -eq 0 ] && break
		assert_disk_full_error
		after=$(host_state | grep -v '^\./locks/')
		[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after") >&2; false; }
		failures=$((failures + 1))
	done
	[ "$status" -eq 0 ] && [ "$failures" -gt 0 ]
	f network rm n1 >/dev/null
}

@test "full disk: rm, volume rm, network rm and system prune keep everything until there is room, then work" {
	root_on_small_fs
	load_test_image
	f create --name c1 localhost/ferry-test:latest true >/dev/null
	f create --name c2 localhost/ferry-test:latest true >/dev/null
	f volume create v1 >/dev/null
	f network create --subnet "10.207.$(net_number).0/24" --interface-name "ftn$(($(net_number) + 4000))" n1 >/dev/null
	# As Podman's: removing needs room in the database's log, so a full
	# disk refuses it whole.
	LEVELS="0 16384 131072"
	sweep_until_ok rm c1
	sweep_until_ok volume rm v1
	sweep_until_ok network rm n1
	sweep_until_ok system prune -f
	[ -z "$(f ps -aq)" ]
}

@test "full disk: cp into a container keeps the file it was to replace and leaves no partial file" {
	root_on_small_fs
	load_test_image
	f run -d --name c1 localhost/ferry-test:latest sleep 1000 >/dev/null
	f exec c1 sh -c 'echo old > /keep'
	head -c 1500000 /dev/urandom >"$TEST_TMP/big"
	LEVELS="65536 524288 1048576 4194304"
	for level in $LEVELS; do
		leave_free "$level"
		run_ferry cp "$TEST_TMP/big" c1:/keep
		free_space
		[ "$status" -eq 0 ] && break
		assert_disk_full_error
		run_ferry exec c1 cat /keep
		[ "$output" = old ]
		leave_free "$level"
		run_ferry cp "$TEST_TMP/big" c1:/new
		free_space
		assert_disk_full_error
		run_ferry exec c1 ls /new
		assert_status 1
	done
	[ "$(f exec c1 md5sum /keep | cut -d' ' -f1)" = "$(md5sum <"$TEST_TMP/big" | cut -d' ' -f1)" ]
	f rm -f -t 0 c1 >/dev/null
}

@test "full disk: volume import leaves the volume as it was" {
	root_on_small_fs
	f volume create v1 >/dev/null
	mkdir "$TEST_TMP/src"
	head -c 1500000 /dev/urandom >"$TEST_TMP/src/a"
	echo small >"$TEST_TMP/src/b"
	tar -cf "$TEST_TMP/v.tar" -C "$TEST_TMP/src" b a
	LEVELS="65536 524288 1048576 4194304"
	for level in $LEVELS; do
		leave_free "$level"
		run_ferry volume import v1 "$TEST_TMP/v.tar"
		free_space
		[ "$status" -eq 0 ] && break
		assert_disk_full_error
		# Nothing of the archive, not even b, which came whole before a
		# (before, b stayed), and nothing beside the volume.
		[ -z "$(ls -A "$ROOT/volumes/v1/_data")" ]
		[ "$(ls -A "$ROOT/volumes/v1")" = _data ]
	done
	cmp "$TEST_TMP/src/a" "$ROOT/volumes/v1/_data/a"
}

@test "full disk: commit, save -o and export -o leave no image, temporary file or output behind" {
	root_on_small_fs
	load_test_image
	f run -d --name c1 localhost/ferry-test:latest sh -c 'head -c 1500000 /dev/urandom > /big; sleep 1000' >/dev/null
	wait_until "f exec c1 test -s /big"
	LEVELS="65536 1048576 2097152 3145728 4194304 6291456"
	sweep_until_ok commit c1 localhost/committed
	f rmi localhost/committed >/dev/null
	sweep_until_ok save -o "$SMALL/image.tar" localhost/ferry-test:latest
	rm "$SMALL/image.tar"
	sweep_until_ok export -o "$SMALL/c1.tar" c1
	tar -tf "$SMALL/c1.tar" | grep -qx big
	rm "$SMALL/c1.tar"
	leave_free 65536
	run_ferry export -o "$SMALL/c1.tar" c1
	assert_disk_full_error
	assert_output_contains "cannot export container c1 to \`$SMALL/c1.tar\`"
	free_space
	f rm -f -t 0 c1 >/dev/null
}

@test "full disk: save to a directory it made removes that directory when the disk fills" {
	small_fs 4m
	load_test_image
	local level failures=0
	for level in 0 65536 1048576 2097152 3145728; do
		leave_free "$level"
		run_ferry save -q --format oci-dir -o "$SMALL/dir" localhost/ferry-test:latest
		free_space
		[ "$status" -eq 0 ] && break
		assert_disk_full_error
		[ ! -e "$SMALL/dir" ]
		failures=$((failures + 1))
	done
	assert_status 0
	[ "$failures" -gt 0 ]
	[ -f "$SMALL/dir/index.json" ]
}

@test "full disk: pull from a registry keeps nothing of an image it could not store" {
	registry_start
	registry_seed ferry-test:latest
	root_on_small_fs
	f images >/dev/null
	LEVELS="65536 1048576 2097152 4194304"
	sweep_until_ok pull -q --tls-verify=false "$REGISTRY/ferry-test:latest"
	run_ferry run --rm "$REGISTRY/ferry-test:latest" cat /etc/ferry-release
	assert_status 0
}

# Waits until container $1 counts past what it printed so far.
assert_counting() {
	local n
	n=$(last_count "$1")
	wait_until "[ \"\$(last_count $1)\" -gt ${n:-0} ]"
}

@test "full disk: a checkpoint in place never loses the container, whichever step runs out of space" {
	root_on_small_fs
	load_test_image
	f run -d --name c1 localhost/ferry-test:latest sh -c "$COUNTER" >/dev/null
	# One checkpoint -R first: what any checkpoint keeps beside the
	# container (CRIU's configuration) is there before the sweep.
	f container checkpoint -R c1 >/dev/null
	# Its size: the levels run from where the database fails, through
	# CRIU's dump, to where the checkpoint is whole but not yet recorded.
	local images size
	images="$ROOT/containers/$(f inspect --format '{{.Id}}' c1)/checkpoint"
	size=$(du -sB1 "$images" | cut -f1)
	rm -rf "$images"
	local level before after failures=0
	for level in 65536 131072 $(seq $((size - 16384)) 8192 $((size + 196608))); do
		before=$(host_state)
		leave_free "$level"
		run_ferry container checkpoint c1
		free_space
		[ "$status" -eq 0 ] && break
		assert_disk_full_error
		if [[ "$output" == *"is checkpointed, but that cannot be recorded yet"* ]]; then
			# CRIU ended it after a complete dump: the dump must restore.
			run_ferry container restore c1
			assert_status 0
			assert_counting c1
			continue
		fi
		after=$(host_state)
		[ "$before" = "$after" ] || { echo "at $level:" >&2; diff <(echo "$before") <(echo "$after") >&2; false; }
		assert_counting c1
		failures=$((failures + 1))
	done
	assert_status 0
	[ "$failures" -gt 0 ]
	[ "$(ctr_status c1)" = exited ]
	f container restore c1 >/dev/null
	assert_counting c1
	f rm -f -t 0 c1 >/dev/null
}

@test "full disk: a failed checkpoint -R keeps the last checkpoint, which still restores" {
	root_on_small_fs
	load_test_image
	f run -d --name c1 localhost/ferry-test:latest sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(last_count c1)" -ge 2 ]'
	f container checkpoint -R c1 >/dev/null
	# Too little room for a second set of images beside the first.
	for level in 65536 131072 196608; do
		leave_free "$level"
		run_ferry container checkpoint -R c1
		free_space
		assert_disk_full_error
		[ "$(ctr_status c1)" = running ]
	done
	f stop -t 0 c1 >/dev/null
	run_ferry container restore c1
	assert_status 0
	assert_counting c1
	f rm -f -t 0 c1 >/dev/null
}

@test "full disk: checkpoint --export to a full file system keeps the container running and leaves no archive" {
	small_fs 8m
	load_test_image
	f run -d --name c1 localhost/ferry-test:latest sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(last_count c1)" -ge 2 ]'
	local level failures=0
	for level in 0 8192 16384 24576 32768 49152 65536 131072 1048576; do
		leave_free "$level"
		run_ferry container checkpoint --export "$SMALL/c1.tar.zst" c1
		free_space
		[ "$status" -eq 0 ] && break
		assert_disk_full_error
		assert_output_contains "container c1"
		[ -z "$(ls -A "$SMALL")" ]
		[ -z "$(ls -A "$RUNROOT/checkpoints")" ]
		[ "$(ctr_status c1)" = running ]
		assert_counting c1
		failures=$((failures + 1))
	done
	assert_status 0
	[ "$failures" -gt 0 ]
	f rm -f -t 0 c1 >/dev/null
	f container restore --import "$SMALL/c1.tar.zst" >/dev/null
	assert_counting c1
	f rm -f -t 0 c1 >/dev/null
}

@test "full disk: restore in place that cannot finish keeps the checkpoint for another try" {
	root_on_small_fs
	load_test_image
	f run -d --name c1 localhost/ferry-test:latest sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(last_count c1)" -ge 2 ]'
	f container checkpoint c1 >/dev/null
	# shellcheck disable=SC2046
	restore_in_place_sweep $(levels 16384 262144)
	assert_counts_on c1
	f rm -f -t 0 c1 >/dev/null
}

@test "full disk: restore --import creates no container, volume or staging it cannot finish" {
	root_on_small_fs
	load_test_image
	f run -d --name c1 -v v1:/vol localhost/ferry-test:latest \
		sh -c "head -c 300000 /dev/urandom > /vol/big; echo x > /changed; $COUNTER" >/dev/null
	wait_until '[ "$(last_count c1)" -ge 2 ]'
	f container checkpoint --export "$TEST_TMP/c1.tar" c1 >/dev/null
	f rm -f -t 0 c1 >/dev/null
	f volume rm v1 >/dev/null
	# ferry keeps 5% of the file system free (1.6 MiB of 32).
	LEVELS="0 65536 1048576 1703936 1835008 1966080 2097152 2621440 4194304"
	sweep_until_ok container restore --import "$TEST_TMP/c1.tar"
	assert_counts_on c1
	f rm -f -t 0 c1 >/dev/null
}

@test "full disk: checkpoint --create-image makes no image it cannot finish, or says the checkpoint is made" {
	root_on_small_fs
	load_test_image
	f run -d --name c1 localhost/ferry-test:latest sh -c "$COUNTER" >/dev/null
	f container checkpoint -R --create-image localhost/warm c1 >/dev/null
	local level before after failures=0
	for level in 65536 $(levels 98304 262144) 393216; do
		before=$(host_state)
		leave_free "$level"
		run_ferry container checkpoint -R --create-image localhost/ckimg c1
		free_space
		[ "$status" -eq 0 ] && break
		assert_disk_full_error
		if [[ "$output" == *"is checkpointed, but that cannot be recorded yet"* ]]; then
			f image exists localhost/ckimg
			f rmi localhost/ckimg >/dev/null
		else
			after=$(host_state)
			[ "$before" = "$after" ] || { echo "at $level:" >&2; diff <(echo "$before") <(echo "$after") >&2; false; }
		fi
		[ "$(ctr_status c1)" = running ]
		failures=$((failures + 1))
	done
	assert_status 0
	[ "$failures" -gt 0 ]
	f rm -f -t 0 c1 >/dev/null
	f container restore localhost/ckimg >/dev/null
	assert_counting c1
	f rm -f -t 0 c1 >/dev/null
}

@test "full run root: checkpoint --export, restore --import and restore in place say the disk is full and leave nothing" {
	small_fs 16m
	RUNROOT=$SMALL/run
	load_test_image
	f run -d --name c1 localhost/ferry-test:latest sh -c "$COUNTER" >/dev/null
	# What every checkpoint makes in the run root (CRIU's configuration,
	# the staging parent) is there before the sweeps.
	f container checkpoint -R --export "$TEST_TMP/warm.tar" c1 >/dev/null
	LEVELS="0 4096 16384 65536 131072 262144 524288 1048576 2097152"
	sweep_until_ok container checkpoint --export "$TEST_TMP/c1.tar" c1
	f rm c1 >/dev/null
	sweep_until_ok container restore --import "$TEST_TMP/c1.tar"
	assert_counting c1
	f container checkpoint c1 >/dev/null
	# shellcheck disable=SC2086
	restore_in_place_sweep $LEVELS
	assert_counting c1
	f rm -f -t 0 c1 >/dev/null
}
