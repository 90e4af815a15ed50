#!/usr/bin/env bats
# Podman's init, mount and unmount, container clone, image diff, and image
# mount and unmount: a container created in the runtime but not started
# (initialized), a container's or an image's root file system mounted on
# the host, a copy of a container, an image layer's changes.  Each sequence
# runs in ferry and is compared with what Podman 5.4 printed for it (kept
# below), and, where Podman is installed, with Podman run live.  The rest
# is ferry's own: a ferry killed half-way through init or a mount leaves
# nothing the next command does not settle, and checkpoint and restore work
# on a mounted container.

load helpers
load podman-helpers

teardown() {
	podman_teardown
	ferry_teardown
}

# Runs sequence function $1 in ferry and compares its transcript with the
# one on stdin (Podman's), then, where Podman is installed, in Podman too.
compare_with_podman() {
	local seq=$1
	cat >"$TEST_TMP/expected.log"
	load_test_image
	touch "$TEST_TMP/f.sed"
	"$seq" f
	if command -v podman >/dev/null; then
		touch "$TEST_TMP/podman_t.sed"
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		"$seq" podman_t
		diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
	fi
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
}

init_sequence() {
	local t=$1
	make_containers "$t" <<-EOF
		c1 create sleep 1000
		r1 run sleep 1000
	EOF
	step "$t" init
	step "$t" init nosuch c1
	step "$t" init c1
	step "$t" ps --format '{{.Names}} {{.State}}'
	step "$t" ps -a --format '{{.Names}} {{.Status}}' --filter status=initialized
	step "$t" inspect --format '{{.State.Status}} {{.State.Running}} {{.State.ExitCode}}' c1
	step "$t" init c1
	step "$t" init r1
	step "$t" kill c1
	step "$t" pause c1
	step "$t" container checkpoint c1
	step "$t" exec c1 true
	step "$t" start c1
	step "$t" ps --format '{{.Names}} {{.State}}'
	step "$t" stop -t 0 c1
	step "$t" container init c1
	step "$t" stop c1
	step "$t" inspect --format '{{.State.Status}} {{.State.ExitCode}}' c1
	step "$t" rm -f -t 0 r1
	step "$t" init -a
	step "$t" init -a c1
	step "$t" init -l
	step "$t" rm c1
	step "$t" ps -a --format '{{.Names}}'
	"$t" create --name bad --network none localhost/ferry-test:latest /no/such >/dev/null
	# runc's own words differ between its versions.
	echo 's/\(runc create failed\): .*/\1: .../' >>"$TEST_TMP/$t.sed"
	step "$t" init bad
	step "$t" ps -a --format '{{.Names}} {{.Status}}'
	step "$t" rm bad
}

@test "init, and what start, stop, kill, pause, checkpoint and rm do with an initialized container, as Podman" {
	compare_with_podman init_sequence <<-'EOF'
	$ init -> 125
	  err: Error: you must provide at least one name or id
	$ init nosuch c1 -> 125
	  err: Error: no container with name or ID "nosuch" found: no such container
	$ init c1 -> 0
	  out: c1
	$ ps --format {{.Names}} {{.State}} -> 0
	  out: r1 running
	$ ps -a --format {{.Names}} {{.Status}} --filter status=initialized -> 0
	  out: c1 Initialized
	$ inspect --format {{.State.Status}} {{.State.Running}} {{.State.ExitCode}} c1 -> 0
	  out: initialized false 0
	$ init c1 -> 125
	  err: Error: container <c1> has already been created in runtime: container state improper
	$ init r1 -> 125
	  err: Error: container <r1> has already been created in runtime: container state improper
	$ kill c1 -> 125
	  err: Error: can only kill running containers. <c1> is in state initialized: container state improper
	$ pause c1 -> 125
	  err: Error: "initialized" is not running, can't pause: container state improper
	$ container checkpoint c1 -> 125
	  err: Error: "initialized" is not running, cannot checkpoint: container state improper
	$ exec c1 true -> 255
	  err: Error: can only create exec sessions on running containers: container state improper
	$ start c1 -> 0
	  out: c1
	$ ps --format {{.Names}} {{.State}} -> 0
	  out: c1 running
	  out: r1 running
	$ stop -t 0 c1 -> 0
	  out: c1
	$ container init c1 -> 0
	  out: c1
	$ stop c1 -> 0
	  out: c1
	$ inspect --format {{.State.Status}} {{.State.ExitCode}} c1 -> 0
	  out: exited 2
	$ rm -f -t 0 r1 -> 0
	  out: r1
	$ init -a -> 0
	  out: <c1>
	$ init -a c1 -> 125
	  err: Error: no arguments are needed with --all
	$ init -l -> 125
	  err: Error: container <c1> has already been created in runtime: container state improper
	$ rm c1 -> 0
	  out: c1
	$ ps -a --format {{.Names}} -> 0
	$ init bad -> 125
	  err: Error: runc: runc create failed: ...
	$ ps -a --format {{.Names}} {{.Status}} -> 0
	  out: bad Created
	$ rm bad -> 0
	  out: bad
	EOF
}

@test "init killed after the runtime created the container: the next command removes it, and init works again" {
	load_test_image
	f create --name c ferry-test sleep 1000 >/dev/null
	run env FERRY_FAULT=init-launched "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" init c
	[ "$status" -eq 137 ]
	# The launch was done: the runtime holds the container.
	[ -n "$(runc --root "$RUNROOT/runtime" list -q)" ]
	[ "$(f ps -a --format '{{.Names}} {{.State}}')" = "c created" ]
	[ -z "$(runc --root "$RUNROOT/runtime" list -q)" ]
	[ -z "$(awk -v r="$ROOT/" 'index($5, r) == 1' /proc/self/mountinfo)" ]
	f init c
	[ "$(ctr_status c)" = initialized ]
	f start c
	[ "$(f exec c cat /proc/1/cmdline | tr '\0' ' ')" = "sleep 1000 " ]
}

@test "an initialized container whose monitor is gone is created again, and starts" {
	load_test_image
	f create --name c ferry-test sleep 1000 >/dev/null
	f init c
	kill -9 "$(f inspect --format '{{.State.ConmonPid}}' c)"
	runc --root "$RUNROOT/runtime" delete -f "$(f inspect --format '{{.Id}}' c)"
	[ "$(ctr_status c)" = created ]
	f start c
	[ "$(ctr_status c)" = running ]
}

# Mounts container $2 with tool $1, and shows its mount point as <$2-root>
# in the transcripts from then on (the first rule, before the IDs').
mount_named() {
	local t=$1 name=$2 path
	path=$("$t" mount "$name")
	sed -i "1i s#$path#<$name-root>#g" "$TEST_TMP/$t.sed"
}

mount_sequence() {
	local t=$1
	make_containers "$t" <<-EOF
		m1 create sleep 1000
		m2 create sleep 1000
	EOF
	step "$t" mount
	step "$t" mount --format json
	mount_named "$t" m1
	mount_named "$t" m2
	step "$t" mount nosuch m1
	step "$t" mount
	step "$t" mount --notruncate
	step "$t" mount --format json
	step "$t" mount --format '{{.ID}}'
	step "$t" container mount -a -l
	step "$t" unmount m1
	step "$t" mount
	step "$t" unmount -f m1
	step "$t" mount
	step "$t" umount m1
	step "$t" unmount nosuch m2
	step "$t" unmount
	step "$t" unmount -a m2
	step "$t" container unmount -a
	step "$t" mount
	step "$t" mount -l
	step "$t" container umount -l
	step "$t" mount
	step "$t" rm m1
	step "$t" rm m2
	make_containers "$t" <<-EOF
		r1 run sleep 1000
	EOF
	mount_named "$t" r1
	step "$t" mount
	step "$t" unmount -a
	step "$t" mount
	step "$t" stop -t 0 r1
	step "$t" mount
	step "$t" unmount r1
	step "$t" mount
	step "$t" rm r1
}

@test "mount and unmount: mount points, counts, the list and its formats, as Podman" {
	compare_with_podman mount_sequence <<-'EOF'
	$ mount -> 0
	$ mount --format json -> 0
	  out: []
	$ mount nosuch m1 -> 125
	  err: Error: no container with name or ID "nosuch" found: no such container
	$ mount -> 0
	  out: <m1>  <m1-root>
	  out: <m2>  <m2-root>
	$ mount --notruncate -> 0
	  out: <m1>  <m1-root>
	  out: <m2>  <m2-root>
	$ mount --format json -> 0
	  out: [
	  out:  {
	  out:   "id": "<m1>",
	  out:   "Names": [
	  out:    "m1"
	  out:   ],
	  out:   "mountpoint": "<m1-root>"
	  out:  },
	  out:  {
	  out:   "id": "<m2>",
	  out:   "Names": [
	  out:    "m2"
	  out:   ],
	  out:   "mountpoint": "<m2-root>"
	  out:  }
	  out: ]
	$ mount --format {{.ID}} -> 125
	  err: Error: unknown --format argument: "{{.ID}}"
	$ container mount -a -l -> 125
	  err: Error: --all and --latest cannot be used together
	$ unmount m1 -> 0
	  out: m1
	$ mount -> 0
	  out: <m1>  <m1-root>
	  out: <m2>  <m2-root>
	$ unmount -f m1 -> 0
	  out: m1
	$ mount -> 0
	  out: <m2>  <m2-root>
	$ umount m1 -> 0
	  out: m1
	$ unmount nosuch m2 -> 125
	  err: Error: no container with name or ID "nosuch" found: no such container
	$ unmount -> 125
	  err: Error: you must provide at least one name or id
	$ unmount -a m2 -> 125
	  err: Error: no arguments are needed with --all
	$ container unmount -a -> 0
	$ mount -> 0
	$ mount -l -> 0
	  out: <m2-root>
	$ container umount -l -> 0
	  out: <m2>
	$ mount -> 0
	$ rm m1 -> 0
	  out: m1
	$ rm m2 -> 0
	  out: m2
	$ mount -> 0
	  out: <r1>  <r1-root>
	$ unmount -a -> 0
	$ mount -> 0
	  out: <r1>  <r1-root>
	$ stop -t 0 r1 -> 0
	  out: r1
	$ mount -> 0
	  out: <r1>  <r1-root>
	$ unmount r1 -> 0
	  out: r1
	$ mount -> 0
	$ rm r1 -> 0
	  out: r1
	EOF
}

# Whether anything is mounted on the overlay of container ID $1, seen
# without ferry (whose every command settles mounts first).
rootfs_mounted() {
	awk -v m="$ROOT/storage/overlay/$1/merged" '$5 == m { found = 1 } END { exit !found }' /proc/self/mountinfo
}

@test "mount killed after mounting, unmount killed after counting: the next command unmounts what no count keeps" {
	load_test_image
	f create --name c ferry-test sleep 1000 >/dev/null
	id=$(f inspect --format '{{.Id}}' c)
	run env FERRY_FAULT=mount-mounted "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" mount c
	[ "$status" -eq 137 ]
	rootfs_mounted "$id"
	f ps -a >/dev/null
	! rootfs_mounted "$id" || false
	[ -z "$(f mount)" ]
	# Two mounts; the second unmount killed once its count is written.
	f mount c >/dev/null
	f mount c >/dev/null
	f unmount c >/dev/null
	rootfs_mounted "$id"
	run env FERRY_FAULT=unmount-counted "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" unmount c
	[ "$status" -eq 137 ]
	rootfs_mounted "$id"
	f ps >/dev/null
	! rootfs_mounted "$id" || false
	# A killed mount of a running container never unmounts it.
	f start c >/dev/null
	run env FERRY_FAULT=mount-mounted "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" mount c
	[ "$status" -eq 137 ]
	f ps >/dev/null
	rootfs_mounted "$id"
	[ "$(f exec c echo alive)" = alive ]
}

@test "a mount unmounted behind ferry's back is forgotten, and a mount count file of garbage counts nothing" {
	load_test_image
	f create --name c ferry-test sleep 1000 >/dev/null
	id=$(f inspect --format '{{.Id}}' c)
	path=$(f mount c)
	umount "$path"
	f ps >/dev/null
	[ -z "$(f mount)" ]
	[ ! -e "$RUNROOT/mounts/$id" ]
	path=$(f mount c)
	printf 'x99\n' >"$RUNROOT/mounts/$id"
	rootfs_mounted "$id"
	f ps >/dev/null
	! rootfs_mounted "$id" || false
}

@test "a mounted container: writes through the mount point show inside, stop keeps it mounted, checkpoint and restore work, rm unmounts" {
	load_test_image
	f run -d --name c ferry-test sh -c 'i=0; while true; do echo $i; i=$((i+1)); sleep 0.2; done' >/dev/null
	id=$(f inspect --format '{{.Id}}' c)
	path=$(f mount c)
	echo from-host >"$path/hello"
	[ "$(f exec c cat /hello)" = from-host ]
	wait_until '[ "$(f logs c | wc -l)" -ge 3 ]' 30
	f container checkpoint c >/dev/null
	[ "$(ctr_status c)" = exited ]
	rootfs_mounted "$id"
	[ "$(cat "$path/hello")" = from-host ]
	before=$(f logs c | tail -n1)
	f container restore c >/dev/null
	[ "$(ctr_status c)" = running ]
	wait_until "[ \"\$(f logs c | tail -n1)\" -gt $((before + 2)) ]" 20
	assert_counts_on c
	# A checkpoint that leaves it running, and an export.
	f container checkpoint -R --export "$TEST_TMP/c.tar" c >/dev/null
	[ "$(ctr_status c)" = running ]
	f stop -t 0 c >/dev/null
	rootfs_mounted "$id"
	[ "$(f mount)" = "${id:0:12}  $path" ]
	f rm c >/dev/null
	! rootfs_mounted "$id" || false
	[ ! -e "$path" ]
	[ -z "$(ls "$RUNROOT/mounts")" ]
	f container restore --import "$TEST_TMP/c.tar" >/dev/null
	[ "$(f exec c cat /hello)" = from-host ]
}

clone_sequence() {
	local t=$1
	make_containers "$t" <<-EOF
		m1 create sleep 1000
		r1 run sleep 1000
	EOF
	# The copies' IDs, which no rule names yet.
	echo 's/[0-9a-f]\{64\}/<new>/g' >>"$TEST_TMP/$t.sed"
	step "$t" container clone m1
	step "$t" container clone m1
	step "$t" container clone m1 myname
	step "$t" container clone --name named m1
	step "$t" inspect --format '{{.Name}} {{.State.Status}} {{.Config.Cmd}}' m1-clone m1-clone1 myname named
	step "$t" container clone nosuch
	step "$t" container clone --destroy r1
	step "$t" inspect --format '{{.Name}} {{.State.Status}}' r1 r1-clone
	step "$t" container clone --destroy m1 m1b
	step "$t" container exists m1
	step "$t" container clone --run --name r2 r1
	step "$t" container clone -m 64m --cpus 0.5 --name r3 r1
	step "$t" inspect --format '{{.Name}} {{.State.Status}} {{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}' r2 r3
	step "$t" rm -f -t 0 r1
	step "$t" rm -f -t 0 r2
}

@test "container clone: Podman's names for copies, --name, --destroy, --run and limits, as Podman" {
	compare_with_podman clone_sequence <<-'EOF'
	$ container clone m1 -> 0
	  out: <new>
	$ container clone m1 -> 0
	  out: <new>
	$ container clone m1 myname -> 0
	  out: <new>
	$ container clone --name named m1 -> 0
	  out: <new>
	$ inspect --format {{.Name}} {{.State.Status}} {{.Config.Cmd}} m1-clone m1-clone1 myname named -> 0
	  out: m1-clone created [sleep 1000]
	  out: m1-clone1 created [sleep 1000]
	  out: myname created [sleep 1000]
	  out: named created [sleep 1000]
	$ container clone nosuch -> 125
	  err: Error: no container with name or ID "nosuch" found: no such container
	$ container clone --destroy r1 -> 125
	  err: Error: cannot remove container <r1> as it is running - running or paused containers cannot be removed without force: container state improper
	$ inspect --format {{.Name}} {{.State.Status}} r1 r1-clone -> 0
	  out: r1 running
	  out: r1-clone created
	$ container clone --destroy m1 m1b -> 0
	  out: <new>
	$ container exists m1 -> 1
	$ container clone --run --name r2 r1 -> 0
	  out: <new>
	$ container clone -m 64m --cpus 0.5 --name r3 r1 -> 0
	  out: <new>
	$ inspect --format {{.Name}} {{.State.Status}} {{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} r2 r3 -> 0
	  out: r2 running 0 0
	  out: r3 created 67108864 500000000
	$ rm -f -t 0 r1 -> 0
	  out: r1
	$ rm -f -t 0 r2 -> 0
	  out: r2
	EOF
}

@test "container clone: the copy has its own hostname and anonymous volumes, and runs beside the original" {
	load_test_image
	f run -d --name c -v /anon ferry-test sleep 1000 >/dev/null
	f exec c sh -c 'echo original >/anon/f'
	id=$(f container clone --run c)
	[ "$(f inspect --format '{{.Config.Hostname}}' c-clone)" = "${id:0:12}" ]
	[ "$(f exec c-clone hostname)" = "${id:0:12}" ]
	[ "$(f exec c-clone sh -c 'cat /anon/f 2>/dev/null || echo empty')" = empty ]
	[ "$(f exec c cat /anon/f)" = original ]
	[ "$(f volume ls -q | wc -l)" -eq 2 ]
	run_ferry container clone c c-clone
	assert_status 125
	assert_one_line_error
	assert_output_contains 'the container name "c-clone" is already in use'
	run_ferry container clone c 'bad name'
	assert_status 125
	assert_output_contains 'names must match'
	[ "$(f ps -a -q | wc -l)" -eq 2 ]
	# A third argument is the image the copy runs, with the original's
	# command, as Podman's clone CONTAINER NAME IMAGE.
	run_ferry container clone c c2 nosuch
	assert_status 125
	assert_one_line_error
	assert_output_contains 'nosuch: image not known'
	[ "$(f ps -a -q | wc -l)" -eq 2 ]
}

image_diff_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	mkdir -p "$TEST_TMP/one/etc"
	echo x >"$TEST_TMP/one/etc/f"
	tar -C "$TEST_TMP/one" -cf "$TEST_TMP/one.tar" .
	"$t" import "$TEST_TMP/one.tar" one >/dev/null
	step "$t" image diff "$img"
	step "$t" image diff --format json "$img"
	step "$t" image diff one
	step "$t" image diff --format json one
	step "$t" image diff --format '{{.}}' one
	step "$t" image diff
}

@test "image diff: the top layer's changes, whiteouts and an opaque directory, as Podman" {
	compare_with_podman image_diff_sequence <<-'EOF'
	$ image diff localhost/ferry-test:latest -> 0
	  out: C /etc
	  out: A /etc/ferry-release
	  out: D /etc/removed-by-layer2
	  out: C /opt
	  out: D /opt/olddir
	  out: A /opt/olddir/new
	$ image diff --format json localhost/ferry-test:latest -> 0
	  out: {
	  out:      "changed": [
	  out:           "/etc",
	  out:           "/opt"
	  out:      ],
	  out:      "added": [
	  out:           "/etc/ferry-release",
	  out:           "/opt/olddir/new"
	  out:      ],
	  out:      "deleted": [
	  out:           "/etc/removed-by-layer2",
	  out:           "/opt/olddir"
	  out:      ]
	  out: }
	$ image diff one -> 0
	  out: A /etc
	  out: A /etc/f
	$ image diff --format json one -> 0
	  out: {
	  out:      "added": [
	  out:           "/etc",
	  out:           "/etc/f"
	  out:      ]
	  out: }
	$ image diff --format {{.}} one -> 125
	  err: Error: only supported value for '--format' is 'json'
	$ image diff -> 125
	  err: Error: accepts between 1 and 2 arg(s), received 0
	EOF
}

# Mounts image $2 with tool $1, and shows its mount point as <$3-root>.
image_mount_named() {
	local t=$1 path
	path=$("$t" image mount "$2")
	sed -i "1i s#$path#<$3-root>#g" "$TEST_TMP/$t.sed"
}

image_mount_sequence() {
	local t=$1 img=localhost/ferry-test:latest id
	touch "$TEST_TMP/$t.sed"
	id=$("$t" inspect --format '{{.Id}}' "$img")
	echo "s/$id/<img>/g" >>"$TEST_TMP/$t.sed"
	step "$t" image mount
	step "$t" image mount --format json
	step "$t" image mount nosuch "$img"
	step "$t" image mount
	image_mount_named "$t" "$img" img
	step "$t" image mount "$img"
	step "$t" image mount
	step "$t" image mount --format '{{.ID}}'
	step "$t" image mount -a "$img"
	step "$t" image unmount
	step "$t" image unmount -a "$img"
	step "$t" image unmount nosuch "$img"
	step "$t" image unmount "$img"
	step "$t" image mount
	step "$t" image umount -f "$img"
	step "$t" image mount
	step "$t" image unmount "$img"
	step "$t" image mount -a
	step "$t" image unmount -a
	step "$t" image mount
}

@test "image mount and unmount: mount points, counts and the list, as Podman" {
	compare_with_podman image_mount_sequence <<-'EOF'
	$ image mount -> 0
	$ image mount --format json -> 0
	  out: []
	$ image mount nosuch localhost/ferry-test:latest -> 125
	  err: Error: nosuch: image not known
	$ image mount -> 0
	$ image mount localhost/ferry-test:latest -> 0
	  out: <img-root>
	$ image mount -> 0
	  out: localhost/ferry-test:latest  <img-root>
	$ image mount --format {{.ID}} -> 125
	  err: Error: unknown --format argument: "{{.ID}}"
	$ image mount -a localhost/ferry-test:latest -> 125
	  err: Error: when using the --all switch, you may not pass any image names or IDs
	$ image unmount -> 125
	  err: Error: image name or ID must be specified
	$ image unmount -a localhost/ferry-test:latest -> 125
	  err: Error: when using the --all switch, you may not pass any image names or IDs
	$ image unmount nosuch localhost/ferry-test:latest -> 125
	  err: Error: nosuch: image not known
	$ image unmount localhost/ferry-test:latest -> 0
	  out: <img>
	$ image mount -> 0
	  out: localhost/ferry-test:latest  <img-root>
	$ image umount -f localhost/ferry-test:latest -> 0
	  out: <img>
	$ image mount -> 0
	$ image unmount localhost/ferry-test:latest -> 0
	$ image mount -a -> 0
	  out: localhost/ferry-test:latest  <img-root>
	$ image unmount -a -> 0
	  out: <img>
	$ image mount -> 0
	EOF
}

@test "image mount: read-only, settled after a killed mount, and gone with rmi" {
	load_test_image
	id=$(f inspect --format '{{.Id}}' ferry-test)
	path=$(f image mount ferry-test)
	[ "$path" = "$ROOT/storage/image-mounts/$id/merged" ]
	[ -f "$path/etc/ferry-release" ]
	run touch "$path/new"
	[ "$status" -ne 0 ]
	f image unmount ferry-test >/dev/null
	[ ! -e "$ROOT/storage/image-mounts/$id" ]
	run env FERRY_FAULT=image-mount-mounted "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" image mount ferry-test
	[ "$status" -eq 137 ]
	grep -q " $path " /proc/self/mountinfo
	f ps >/dev/null
	! grep -q " $path " /proc/self/mountinfo || false
	[ ! -e "$ROOT/storage/image-mounts/$id" ]
	f image mount ferry-test >/dev/null
	f rmi ferry-test >/dev/null
	! grep -q " $path " /proc/self/mountinfo || false
	[ ! -e "$ROOT/storage/image-mounts/$id" ]
}
