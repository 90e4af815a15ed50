#!/usr/bin/env bats
# Storage as a Podman user meets it: system prune --external, which removes
# what a ferry killed in the middle of a create, rm or rmi leaves without
# a database row (container directories, layer directories and blobs), and
# nothing else.  FERRY_FAULT=POINT makes ferry SIGKILL itself at a named
# point (src/lib/util/fault.h).

load helpers
load podman-helpers

teardown() {
	if [ -n "${LOCKER_PID:-}" ]; then kill "$LOCKER_PID" 2>/dev/null || true; fi
	podman_teardown
	ferry_teardown
}

IMG=localhost/ferry-test:latest

f_fault() {
	local point=$1
	shift
	FERRY_FAULT=$point "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" "$@"
}

# The 64-hex entries of directory $1, one a line.
hex_entries() {
	ls -1 "$1" 2>/dev/null | grep -xE '[0-9a-f]{64}' || true
}

# step with standard input from /dev/null.
step_null() {
	local tool=$1
	shift
	step "$tool" "$@" </dev/null
}

external_options_sequence() {
	local t=$1
	step_null "$t" system prune --external
	step_null "$t" system prune --external -f
	step_null "$t" system prune --external -a
	step_null "$t" system prune --external --volumes
	step_null "$t" system prune --external --filter label=a
	step_null "$t" system prune --external x
}

@test "system prune --external: no question, no output, and no other option, as Podman" {
	touch "$TEST_TMP/f.sed"
	external_options_sequence f
	diff -u - "$TEST_TMP/f.log" <<-'EOF'
		$ system prune --external -> 0
		$ system prune --external -f -> 0
		$ system prune --external -a -> 125
		  err: Error: system prune --external cannot be combined with other options
		$ system prune --external --volumes -> 125
		  err: Error: system prune --external cannot be combined with other options
		$ system prune --external --filter label=a -> 125
		  err: Error: system prune --external cannot be combined with other options
		$ system prune --external x -> 125
		  err: Error: `ferry system prune` takes no arguments
	EOF
	if command -v podman >/dev/null; then
		touch "$TEST_TMP/podman_t.sed"
		external_options_sequence podman_t
		diff -u <(sed 's/podman/ferry/g' "$TEST_TMP/podman_t.log") "$TEST_TMP/f.log"
	fi
}

@test "system prune --external: an rm killed after the row went leaves directories that it removes, and only those" {
	load_test_image
	f run -d --name keep ferry-test sleep 1000 >/dev/null
	f create --name victim ferry-test true >/dev/null
	keep=$(f inspect --format '{{.Id}}' keep)
	victim=$(f inspect --format '{{.Id}}' victim)
	run f_fault rm-row-removed rm victim
	[ "$status" -eq 137 ]
	run_ferry ps -a --format '{{.Names}}'
	[ "$output" = keep ]
	[ -d "$ROOT/containers/$victim" ]
	[ -d "$ROOT/storage/overlay/$victim" ]
	run_ferry system prune --external
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ ! -e "$ROOT/containers/$victim" ]
	[ ! -e "$ROOT/storage/overlay/$victim" ]
	# The running container kept its files, its mount and its process.
	[ -d "$ROOT/containers/$keep" ]
	grep -q " $(realpath "$ROOT")/storage/overlay/$keep/merged " /proc/self/mountinfo
	run_ferry exec keep true
	[ "$status" -eq 0 ]
	# Nothing more to remove: a second run changes nothing.
	before=$(find "$ROOT" "$RUNROOT" | sort)
	run_ferry system prune --external
	[ "$status" -eq 0 ]
	[ "$(find "$ROOT" "$RUNROOT" | sort)" = "$before" ]
	run_ferry run --rm ferry-test true
	[ "$status" -eq 0 ]
}

@test "system prune --external: a create killed after its directories were made" {
	load_test_image
	run f_fault container-dirs-made create --name half ferry-test true
	[ "$status" -eq 137 ]
	run_ferry ps -a --format '{{.Names}}'
	[ -z "$output" ]
	[ "$(hex_entries "$ROOT/containers" | wc -l)" -eq 1 ]
	[ "$(hex_entries "$ROOT/storage/overlay" | wc -l)" -eq 1 ]
	run_ferry system prune --external
	[ "$status" -eq 0 ]
	[ -z "$(hex_entries "$ROOT/containers")" ]
	[ -z "$(hex_entries "$ROOT/storage/overlay")" ]
	run_ferry create --name half ferry-test true
	[ "$status" -eq 0 ]
}

@test "system prune --external: an rmi killed after the rows went leaves layers and blobs that it removes" {
	load_test_image
	[ -n "$(hex_entries "$ROOT/storage/layers")" ]
	run f_fault rmi-rows-removed rmi ferry-test
	[ "$status" -eq 137 ]
	run_ferry images -q
	[ -z "$output" ]
	[ -n "$(hex_entries "$ROOT/storage/layers")" ]
	run_ferry system prune --external
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$(hex_entries "$ROOT/storage/layers")" ]
	[ -z "$(hex_entries "$ROOT/storage/blobs")" ]
	load_test_image
	run_ferry run --rm ferry-test true
	[ "$status" -eq 0 ]
}

@test "system prune --external: layers an image still uses stay" {
	load_test_image
	layers=$(hex_entries "$ROOT/storage/layers")
	blobs=$(hex_entries "$ROOT/storage/blobs")
	run_ferry system prune --external
	[ "$status" -eq 0 ]
	[ "$(hex_entries "$ROOT/storage/layers")" = "$layers" ]
	[ "$(hex_entries "$ROOT/storage/blobs")" = "$blobs" ]
}

@test "system prune --external: symlinks, foreign names and a locked container stay; mounts below a leftover go first" {
	load_test_image
	f create --name c ferry-test true >/dev/null
	out=$TEST_TMP/outside
	mkdir -p "$out/upper" "$out/merged"
	echo precious >"$out/upper/file"
	fake=$(printf 'a%.0s' $(seq 64))
	locked=$(printf 'b%.0s' $(seq 64))
	stray=$(printf 'c%.0s' $(seq 64))
	# A symlink named as an ID, in every place the sweep looks.
	ln -s "$out" "$ROOT/containers/$fake"
	ln -s "$out" "$ROOT/storage/overlay/$fake"
	ln -s "$out" "$ROOT/storage/layers/$fake"
	mkdir -p "$RUNROOT/containers"
	ln -s "$out" "$RUNROOT/containers/$fake"
	# A name ferry never makes.
	mkdir "$ROOT/containers/not-an-id"
	# A container directory whose lock another ferry holds (one making it).
	mkdir -p "$ROOT/containers/$locked" "$ROOT/locks"
	# (its own process holds the lock, so that killing it lets go)
	(exec 9>"$ROOT/locks/container-$locked.lock" && flock -x 9 && exec sleep 1000) &
	LOCKER_PID=$!
	wait_until "! flock -n '$ROOT/locks/container-$locked.lock' true"
	# A leftover overlay still mounted.
	mkdir -p "$ROOT/storage/overlay/$stray/upper" "$ROOT/storage/overlay/$stray/work" "$ROOT/storage/overlay/$stray/merged"
	mount -t tmpfs tmpfs "$ROOT/storage/overlay/$stray/merged"
	run_ferry system prune --external
	[ "$status" -eq 0 ]
	[ -L "$ROOT/containers/$fake" ]
	[ -L "$ROOT/storage/overlay/$fake" ]
	[ -L "$ROOT/storage/layers/$fake" ]
	[ -L "$RUNROOT/containers/$fake" ]
	[ "$(cat "$out/upper/file")" = precious ]
	[ -d "$ROOT/containers/not-an-id" ]
	[ -d "$ROOT/containers/$locked" ]
	[ ! -e "$ROOT/storage/overlay/$stray" ]
	[ "$(grep -c "/storage/overlay/$stray/" /proc/self/mountinfo)" -eq 0 ]
	# The container with a row kept everything.
	run_ferry start -a c
	[ "$status" -eq 0 ]
	kill "$LOCKER_PID"
	wait "$LOCKER_PID" 2>/dev/null || true
	LOCKER_PID=
	run_ferry system prune --external
	[ "$status" -eq 0 ]
	[ ! -e "$ROOT/containers/$locked" ]
}

@test "system prune --external: a create or restore --import stopped before its row is in keeps its directories, and finishes" {
	local pid id
	load_test_image
	f run -d --name mover ferry-test sh -c 'i=0; while true; do echo $i; i=$((i+1)); sleep 0.2; done' >/dev/null
	f container checkpoint --export "$TEST_TMP/m.tar.zst" mover >/dev/null
	f rm mover >/dev/null
	for how in "create --name made ferry-test true" "container restore --import $TEST_TMP/m.tar.zst"; do
		# shellcheck disable=SC2086
		FERRY_FAULT=container-dirs-made:stop "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" $how >/dev/null &
		pid=$!
		wait_until "[ \"\$(awk '{print \$3}' /proc/$pid/stat)\" = T ]" 30
		id=$(hex_entries "$ROOT/containers" | while read -r d; do if [ -z "$(db_row "$d")" ]; then echo "$d"; fi; done)
		[ -n "$id" ]
		run_ferry system prune --external
		[ "$status" -eq 0 ]
		[ -d "$ROOT/containers/$id" ]
		[ -d "$ROOT/storage/overlay/$id" ]
		kill -CONT "$pid"
		wait "$pid"
	done
	[ "$(f inspect --format '{{.State.Status}}' made)" = created ]
	[ "$(f inspect --format '{{.State.Status}}' mover)" = running ]
	run_ferry start -a made
	[ "$status" -eq 0 ]
}

# The ID of container $1 in the test's database, or nothing.
db_row() {
	sqlite3 -cmd '.timeout 10000' "$ROOT/ferry.db" "SELECT id FROM containers WHERE id = '$1'"
}

# Name, ID and digest of each image tool $1 lists.
image_row() {
	"$1" images --digests --no-trunc --format '{{.Repository}}:{{.Tag}} {{.ID}} {{.Digest}}'
}

@test "load -i DIR: a docker-dir (ferry's or Podman's save --format docker-dir) loads with its ID and digest, unnamed as in Podman" {
	load_test_image
	id=$(f image inspect --format '{{.Id}}' ferry-test)
	f save -q --format docker-dir -o "$TEST_TMP/ddir" ferry-test
	digest=sha256:$(sha256sum "$TEST_TMP/ddir/manifest.json" | cut -d' ' -f1)
	run_fb load -q -i "$TEST_TMP/ddir"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: sha256:$id" ]
	[ "$(image_row fb)" = "<none>:<none> sha256:$id $digest" ]
	[ "$(fb run --rm "$id" cat /etc/ferry-release)" = "ferry-test-image 1" ]
	# Loaded again: the same image, nothing new.
	run_fb load -q -i "$TEST_TMP/ddir"
	[ "$status" -eq 0 ]
	[ "$(fb images -q | wc -l)" -eq 1 ]
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		podman_t save -q --format docker-dir -o "$TEST_TMP/pdir" $IMG
		# Podman loads ferry's directory as ferry does, and ferry Podman's.
		podman_t rmi -f $IMG >/dev/null
		podman_t load -q -i "$TEST_TMP/ddir" >/dev/null
		[ "$(image_row podman_t)" = "<none>:<none> sha256:$id $digest" ]
		rm -rf "$TEST_TMP/rootB" "$TEST_TMP/runB"
		pdigest=sha256:$(sha256sum "$TEST_TMP/pdir/manifest.json" | cut -d' ' -f1)
		run_fb load -q -i "$TEST_TMP/pdir"
		[ "$status" -eq 0 ]
		[ "$output" = "Loaded image: sha256:$id" ]
		[ "$(image_row fb)" = "<none>:<none> sha256:$id $pdigest" ]
	fi
}

@test "load -i DIR: a docker-dir with a link, a FIFO, a device or a corrupt blob is refused in one line, nothing loaded" {
	load_test_image
	f save -q --format docker-dir -o "$TEST_TMP/ddir" ferry-test
	layer=$(ls "$TEST_TMP/ddir" | grep -xE '[0-9a-f]{64}' | head -1)

	ln -s /etc/shadow "$TEST_TMP/ddir/evil"
	run_fb load -i "$TEST_TMP/ddir"
	assert_status 125
	assert_one_line_error
	assert_output_contains 'has a symbolic link `evil`'
	rm "$TEST_TMP/ddir/evil"

	mkfifo "$TEST_TMP/ddir/fifo"
	run_fb load -i "$TEST_TMP/ddir"
	assert_status 125
	assert_one_line_error
	assert_output_contains 'has `fifo`, which is not a regular file'
	rm "$TEST_TMP/ddir/fifo"

	mknod "$TEST_TMP/ddir/null" c 1 3
	run_fb load -i "$TEST_TMP/ddir"
	assert_status 125
	assert_one_line_error
	assert_output_contains 'has `null`, which is not a regular file'
	rm "$TEST_TMP/ddir/null"

	# A blob replaced by a link to the real one: still a link.
	mv "$TEST_TMP/ddir/$layer" "$TEST_TMP/layer"
	ln -s "$TEST_TMP/layer" "$TEST_TMP/ddir/$layer"
	run_fb load -i "$TEST_TMP/ddir"
	assert_status 125
	assert_one_line_error
	assert_output_contains "has a symbolic link \`$layer\`"
	rm "$TEST_TMP/ddir/$layer"

	# A blob whose content is not its name's.
	printf 'x' | cat "$TEST_TMP/layer" - >"$TEST_TMP/ddir/$layer"
	run_fb load -i "$TEST_TMP/ddir"
	assert_status 125
	assert_one_line_error
	assert_output_contains "is corrupt"

	# A missing blob.
	rm "$TEST_TMP/ddir/$layer"
	run_fb load -i "$TEST_TMP/ddir"
	assert_status 125
	assert_one_line_error
	assert_output_contains "lacks the blob sha256:$layer"

	[ -z "$(fb images -q)" ]
	[ -z "$(ls -A "$TEST_TMP/rootB/storage/tmp")" ]
	[ -z "$(hex_entries "$TEST_TMP/rootB/storage/layers")" ]
}

volume_options_sequence() {
	local t=$1 img=ferry-test
	[ "$t" = podman_t ] && img=$IMG
	step "$t" volume create -o o=uid=1000,gid=1000 owned
	step "$t" volume create -o o=uid=5 -o o=gid=6 lastwins
	step "$t" volume create -o nocopy -o copy=x flags
	step "$t" volume create -o o= empty
	step "$t" volume inspect --format '{{.Name}} {{json .Options}} {{.UID}} {{.GID}} {{.MountCount}} {{.NeedsCopyUp}} {{.NeedsChown}}' owned lastwins flags empty
	step "$t" run --rm -v owned:/etc "$img" sh -c 'stat -c %u:%g /etc; cat /etc/ferry-release'
	step "$t" run --rm -v flags:/etc "$img" sh -c 'ls -A /etc | grep -c ferry-release'
	step "$t" volume create -o o=uid=abc bad1
	step "$t" volume create -o o=gid= bad2
	step "$t" volume create -o foo=bar bad3
	step "$t" volume create -o =x bad4
	step "$t" volume exists bad1
	step "$t" volume exists bad3
}

# Transcript $1 with each error cut at its first colon: Podman's Go
# errors say the rest in their own words.
first_words() {
	sed -E 's/^(  err: Error: [^:]*):.*/\1/' "$1"
}

@test "volume create -o: o=uid=,gid=, nocopy and copy, shown and applied as Podman does" {
	load_test_image
	touch "$TEST_TMP/f.sed"
	volume_options_sequence f
	diff -u - "$TEST_TMP/f.log" <<-'EOF'
		$ volume create -o o=uid=1000,gid=1000 owned -> 0
		  out: owned
		$ volume create -o o=uid=5 -o o=gid=6 lastwins -> 0
		  out: lastwins
		$ volume create -o nocopy -o copy=x flags -> 0
		  out: flags
		$ volume create -o o= empty -> 0
		  out: empty
		$ volume inspect --format {{.Name}} {{json .Options}} {{.UID}} {{.GID}} {{.MountCount}} {{.NeedsCopyUp}} {{.NeedsChown}} owned lastwins flags empty -> 0
		  out: owned {"GID":"1000","UID":"1000","o":"uid=1000,gid=1000"} 1000 1000 0 true false
		  out: lastwins {"GID":"6","o":"gid=6"} 0 6 0 true false
		  out: flags {"copy":"x","nocopy":""} 0 0 0 true true
		  out: empty {"o":""} 0 0 0 true true
		$ run --rm -v owned:/etc ferry-test sh -c stat -c %u:%g /etc; cat /etc/ferry-release -> 0
		  out: 1000:1000
		  out: ferry-test-image 1
		$ run --rm -v flags:/etc ferry-test sh -c ls -A /etc | grep -c ferry-release -> 1
		  out: 0
		$ volume create -o o=uid=abc bad1 -> 125
		  err: Error: cannot convert UID abc to integer: give a number
		$ volume create -o o=gid= bad2 -> 125
		  err: Error: cannot convert GID  to integer: give a number
		$ volume create -o foo=bar bad3 -> 125
		  err: Error: invalid mount option foo for driver 'local': invalid argument
		$ volume create -o =x bad4 -> 125
		  err: Error: unable to process options: invalid label format: "=x"
		$ volume exists bad1 -> 1
		$ volume exists bad3 -> 1
	EOF
	if command -v podman >/dev/null; then
		touch "$TEST_TMP/podman_t.sed"
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		volume_options_sequence podman_t
		diff -u <(first_words "$TEST_TMP/podman_t.log" | sed "s#$IMG#ferry-test#") <(first_words "$TEST_TMP/f.log")
	fi
}

@test "volume create -o: mount options without what they mount, and quota options, are refused in one line, and no volume is made" {
	local o
	# A file system mounted on a volume is 101-podman-volume-system.bats's.
	for o in device=tmpfs o=size=64m,uid=1000 o=bind o=ro size=10m inodes=100 noquota uid=1 gid=1; do
		run_ferry volume create -o "$o" v
		assert_status 125
		assert_one_line_error
		assert_output_contains "volume option"
	done
	run_ferry volume ls -q
	[ -z "$output" ]
	[ -z "$(ls -A "$ROOT/volumes" 2>/dev/null)" ]
}

@test "volume create -o o=uid=,gid=: checkpoint --export and restore --import carry the volume's content and owner" {
	load_test_image
	f volume create -o o=uid=1000,gid=1000 owned >/dev/null
	f run -d --name c -v owned:/data ferry-test sh -c 'i=0; while true; do echo $i >/data/n; i=$((i+1)); sleep 0.1; done' >/dev/null
	wait_until '[ -s "$ROOT/volumes/owned/_data/n" ]'
	f container checkpoint --export "$TEST_TMP/c.tar.zst" c >/dev/null
	before=$(cat "$ROOT/volumes/owned/_data/n")
	f rm c >/dev/null
	f volume rm owned >/dev/null
	f container restore --import "$TEST_TMP/c.tar.zst" >/dev/null
	[ "$(stat -c %u:%g "$ROOT/volumes/owned/_data")" = 1000:1000 ]
	wait_until "[ \"\$(cat '$ROOT/volumes/owned/_data/n')\" -gt $before ]"
	[ "$(f inspect --format '{{.State.Status}}' c)" = running ]
}

volume_mount_sequence() {
	local t=$1
	"$t" volume create data >/dev/null
	step "$t" volume mount data
	step "$t" volume mount data
	step "$t" volume inspect --format '{{.MountCount}}' data
	step "$t" volume unmount data
	step "$t" volume unmount data
	step "$t" volume inspect --format '{{.MountCount}}' data
	step "$t" volume mount nosuch
	step "$t" volume unmount nosuch
	step "$t" volume mount
	step "$t" volume unmount a b
}

@test "volume mount and unmount: the directory and the name, no count, as Podman for a volume without mount options" {
	touch "$TEST_TMP/f.sed"
	echo "s#$ROOT/#ROOT/#g" >>"$TEST_TMP/f.sed"
	volume_mount_sequence f
	diff -u - "$TEST_TMP/f.log" <<-'EOF'
		$ volume mount data -> 0
		  out: ROOT/volumes/data/_data
		$ volume mount data -> 0
		  out: ROOT/volumes/data/_data
		$ volume inspect --format {{.MountCount}} data -> 0
		  out: 0
		$ volume unmount data -> 0
		  out: data
		$ volume unmount data -> 0
		  out: data
		$ volume inspect --format {{.MountCount}} data -> 0
		  out: 0
		$ volume mount nosuch -> 125
		  err: Error: no volume with name "nosuch" found: no such volume
		$ volume unmount nosuch -> 125
		  err: Error: no volume with name "nosuch" found: no such volume
		$ volume mount -> 125
		  err: Error: accepts 1 arg(s), received 0
		$ volume unmount a b -> 125
		  err: Error: accepts 1 arg(s), received 2
	EOF
	[ -z "$(awk -v d="$(realpath "$ROOT")/volumes/" 'index($5, d) == 1' /proc/self/mountinfo)" ]
	if command -v podman >/dev/null; then
		touch "$TEST_TMP/podman_t.sed"
		echo "s#$TEST_TMP/proot/#ROOT/#g" >>"$TEST_TMP/podman_t.sed"
		volume_mount_sequence podman_t
		diff -u <(sed 's/podman/ferry/g' "$TEST_TMP/podman_t.log") "$TEST_TMP/f.log"
	fi
}
