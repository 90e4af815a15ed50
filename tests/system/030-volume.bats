#!/usr/bin/env bats
# Volumes: create, ls, inspect, exists, rm, prune, and their bad inputs.

load helpers
load podman-helpers

teardown() {
	podman_teardown
	ferry_teardown
}

# Records that a container with ID $1 uses volume $2 at $3, straight in the
# database: the volume commands only read these rows.
volume_add_user() {
	sqlite3 "$ROOT/ferry.db" "PRAGMA foreign_keys=ON;
		INSERT OR IGNORE INTO images (id, config_digest, manifest_digest, manifest, config, size, created, loaded)
			VALUES ('img', 'sha256:c', 'sha256:m', '{}', '{}', 0, '', '');
		INSERT OR IGNORE INTO containers (id, name, image_id, created, config, state)
			VALUES ('$1', 'ctr-$1', 'img', '', '{}', 'exited');
		INSERT INTO container_volumes (container_id, volume, destination) VALUES ('$1', '$2', '$3');"
}

@test "volume create: a named volume and its directory" {
	run_ferry volume create myvol
	assert_status 0
	[ "$output" = "myvol" ]
	[ -d "$ROOT/volumes/myvol/_data" ]
	[ "$(stat -c %a "$ROOT/volumes/myvol")" = 700 ]
	[ "$(stat -c %a "$ROOT/volumes/myvol/_data")" = 755 ]
	# Nothing but the volume itself (no work in progress) under volumes/.
	[ "$(ls -A "$ROOT/volumes")" = "myvol" ]
	f volume exists myvol
}

@test "volume create: without a name, a random 64-hex one" {
	run_ferry volume create
	assert_status 0
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	name=$output
	[ -d "$ROOT/volumes/$name/_data" ]
	[ "$(f volume ls -q)" = "$name" ]

	run_ferry volume create
	assert_status 0
	[ "$output" != "$name" ]
	[ "$(f volume ls -q | wc -l)" -eq 2 ]
}

@test "volume create: a taken name is an error that changes nothing; --ignore accepts it" {
	f volume create --label keep=me dup >/dev/null
	echo precious >"$ROOT/volumes/dup/_data/file"
	created=$(f volume inspect --format '{{.CreatedAt}}' dup)

	run_ferry volume create --label other=x dup
	assert_status 125
	assert_one_line_error
	[ "$output" = "Error: volume with name dup already exists: volume already exists" ]
	[ "$(cat "$ROOT/volumes/dup/_data/file")" = precious ]
	[ "$(f volume inspect --format '{{json .Labels}}' dup)" = '{"keep":"me"}' ]
	[ "$(f volume inspect --format '{{.CreatedAt}}' dup)" = "$created" ]
	[ "$(ls -A "$ROOT/volumes")" = "dup" ]

	run_ferry volume create --ignore --label other=x dup
	assert_status 0
	[ "$output" = "dup" ]
	[ "$(cat "$ROOT/volumes/dup/_data/file")" = precious ]
	[ "$(f volume inspect --format '{{json .Labels}}' dup)" = '{"keep":"me"}' ]
}

@test "volume create: concurrent creates, of one name and of many" {
	for i in 1 2 3 4 5 6 7 8; do
		# (bats runs with errexit: keep a failure's status instead of exiting)
		( rc=0; "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" volume create same >"$TEST_TMP/same.$i.out" 2>&1 || rc=$?; echo $rc >"$TEST_TMP/same.$i.rc" ) &
		( rc=0; "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" volume create "v$i" >/dev/null 2>"$TEST_TMP/v.$i.err" || rc=$?; echo $rc >"$TEST_TMP/v.$i.rc" ) &
	done
	wait
	# Exactly one create of the shared name won; the others were told why.
	[ "$(cat "$TEST_TMP"/same.*.rc | grep -c '^0$')" -eq 1 ]
	[ "$(cat "$TEST_TMP"/same.*.rc | grep -c '^125$')" -eq 7 ]
	[ "$(cat "$TEST_TMP"/same.*.out | grep -c 'already exists')" -eq 7 ]
	# Every distinct name made it, and nothing half-made is left.
	[ "$(cat "$TEST_TMP"/v.*.rc | sort -u)" = 0 ]
	[ "$(f volume ls -q | wc -l)" -eq 9 ]
	[ "$(ls -A "$ROOT/volumes" | wc -l)" -eq 9 ]
}

@test "volume create: bad names and options are refused" {
	for name in -a a/b ../x "a b" .hidden "a:b"; do
		run_ferry volume create -- "$name"
		assert_status 125
		assert_one_line_error
		assert_output_contains "invalid volume name \`$name\`"
		assert_output_contains "[a-zA-Z0-9][a-zA-Z0-9_.-]*"
	done
	[ ! -e "$ROOT/x" ]
	[ -z "$(ls -A "$ROOT/volumes" 2>/dev/null)" ]
	[ -z "$(f volume ls -q)" ]

	run_ferry volume create a b
	assert_status 125
	assert_one_line_error

	run_ferry volume create --driver nfs v
	assert_status 125
	assert_one_line_error
	assert_output_contains "nfs"

	run_ferry volume create --label =x v
	assert_status 125
	assert_one_line_error

	run_ferry volume create --bogus v
	assert_status 125
	[ -z "$(f volume ls -q)" ]
}

@test "volume ls: table, quiet, json, template and filters" {
	run_ferry volume ls
	assert_status 0
	[ -z "$output" ]
	run_ferry volume ls --format json
	[ "$(echo "$output" | jq length)" -eq 0 ]

	f volume create --label x=1 alpha >/dev/null
	f volume create --label x=2 --label y beta >/dev/null
	f volume create gamma >/dev/null
	volume_add_user c1 gamma /data

	run_ferry volume ls
	assert_status 0
	[ "${lines[0]}" = "DRIVER      VOLUME NAME" ]
	[ "${lines[1]}" = "local       alpha" ]
	[ "${lines[2]}" = "local       beta" ]
	[ "${lines[3]}" = "local       gamma" ]
	[ "${#lines[@]}" -eq 4 ]

	run_ferry volume list --noheading
	[ "${lines[0]}" = "local       alpha" ]

	run_ferry volume ls -q
	[ "$output" = "$(printf 'alpha\nbeta\ngamma')" ]

	run_ferry volume ls --format json
	assert_status 0
	[ "$(echo "$output" | jq -r '[.[].Name] | join(",")')" = "alpha,beta,gamma" ]
	[ "$(echo "$output" | jq -r '.[0].Mountpoint')" = "$ROOT/volumes/alpha/_data" ]
	[ "$(echo "$output" | jq -r '.[1].Labels.y')" = "" ]
	[ "$(echo "$output" | jq -r '.[1].Labels.x')" = "2" ]
	[ "$(echo "$output" | jq -r '.[0] | [.Driver, .Scope, .MountCount, (.Anonymous // false)] | map(tostring) | join(" ")')" = "local local 0 false" ]
	[ "$(echo "$output" | jq -r '.[0] | has("LockNumber")')" = false ]

	run_ferry volume ls --format '{{.Name}}:{{.Driver}}'
	[ "$output" = "$(printf 'alpha:local\nbeta:local\ngamma:local')" ]

	[ "$(f volume ls -q --filter name=^b)" = "beta" ]
	[ "$(f volume ls -q --filter name=a$ | tr '\n' ' ')" = "alpha beta gamma " ]
	[ "$(f volume ls -q --filter name=alpha --filter name=gamma | tr '\n' ' ')" = "alpha gamma " ]
	[ "$(f volume ls -q --filter label=x | tr '\n' ' ')" = "alpha beta " ]
	[ "$(f volume ls -q --filter label=x=1)" = "alpha" ]
	[ "$(f volume ls -q --filter label=x --filter label=y)" = "beta" ]
	[ "$(f volume ls -q --filter label!=x)" = "gamma" ]
	[ "$(f volume ls -q --filter dangling=true | tr '\n' ' ')" = "alpha beta " ]
	[ "$(f volume ls -q --filter dangling=false)" = "gamma" ]
	[ "$(f volume ls -q --filter driver=local | wc -l)" -eq 3 ]
	[ -z "$(f volume ls -q --filter label=nope)" ]

	run_ferry volume ls --filter colour=red
	assert_status 125
	assert_one_line_error
	assert_output_contains "colour"
	run_ferry volume ls --filter dangling=maybe
	assert_status 125
	assert_one_line_error
}

@test "volume inspect: Podman's fields, templates, several volumes and --all" {
	f volume create --label app=db data >/dev/null
	f volume create other >/dev/null

	run_ferry volume inspect data
	assert_status 0
	[ "$(echo "$output" | jq length)" -eq 1 ]
	[ "$(echo "$output" | jq -r '.[0].Name')" = data ]
	[ "$(echo "$output" | jq -r '.[0].Driver')" = local ]
	[ "$(echo "$output" | jq -r '.[0].Scope')" = local ]
	[ "$(echo "$output" | jq -r '.[0].Labels.app')" = db ]
	[ "$(echo "$output" | jq -r '.[0].Options | length')" -eq 0 ]
	[ "$(echo "$output" | jq -r '.[0].MountCount')" -eq 0 ]
	[ "$(echo "$output" | jq -r '.[0].NeedsCopyUp')" = true ]
	[ "$(echo "$output" | jq -r '.[0].NeedsChown')" = true ]
	[ "$(echo "$output" | jq -r '.[0].Anonymous // false')" = false ]
	[[ "$(echo "$output" | jq -r '.[0].CreatedAt')" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z$ ]]
	mp=$(echo "$output" | jq -r '.[0].Mountpoint')
	[ "$mp" = "$ROOT/volumes/data/_data" ]
	[ -d "$mp" ]

	run_ferry volume inspect --format '{{.Name}} {{.Mountpoint}} {{index .Labels "app"}}' data other
	assert_status 0
	[ "${lines[0]}" = "data $ROOT/volumes/data/_data db" ]
	[ "${lines[1]}" = "other $ROOT/volumes/other/_data " ]

	run_ferry volume inspect --all
	[ "$(echo "$output" | jq -r '[.[].Name] | join(",")')" = "data,other" ]

	run_ferry volume inspect data nope
	assert_status 125
	assert_output_contains "Error: no such volume nope"
	assert_output_contains '"Name": "data"'

	run_ferry volume inspect
	assert_status 125
	assert_one_line_error
}

@test "volume exists: 0 when it does, 1 when not, no output" {
	f volume create here >/dev/null
	run_ferry volume exists here
	assert_status 0
	[ -z "$output" ]
	run_ferry volume exists gone
	assert_status 1
	[ -z "$output" ]
	run_ferry volume exists
	assert_status 125
	assert_one_line_error
}

@test "volume rm: prints the name and removes the data; unknown is exit 1" {
	f volume create v1 >/dev/null
	f volume create v2 >/dev/null
	mkdir "$ROOT/volumes/v1/_data/sub"
	echo data >"$ROOT/volumes/v1/_data/sub/file"

	run_ferry volume rm v1
	assert_status 0
	[ "$output" = v1 ]
	[ ! -e "$ROOT/volumes/v1" ]
	[ "$(ls -A "$ROOT/volumes")" = "v2" ]
	run_ferry volume exists v1
	assert_status 1

	run_ferry volume rm nope
	assert_status 1
	assert_one_line_error
	[ "$output" = "Error: no volume with name \"nope\" found: no such volume" ]

	# The known one goes even when another name is unknown.
	run_ferry volume remove nope v2
	assert_status 1
	assert_output_contains "v2"
	[ ! -e "$ROOT/volumes/v2" ]
	[ -z "$(f volume ls -q)" ]

	run_ferry volume rm
	assert_status 125
	assert_one_line_error
}

@test "volume rm: a volume in use is exit 2 and stays" {
	f volume create busy >/dev/null
	f volume create idle >/dev/null
	echo kept >"$ROOT/volumes/busy/_data/file"
	volume_add_user c1234 busy /data

	run_ferry volume rm busy
	assert_status 2
	assert_one_line_error
	[ "$output" = "Error: volume busy is being used by the following container(s): c1234: volume is being used" ]
	[ "$(cat "$ROOT/volumes/busy/_data/file")" = kept ]


	# --all removes what it can and reports the rest.
	run_ferry volume rm --all
	assert_status 2
	assert_output_contains "idle"
	[ ! -e "$ROOT/volumes/idle" ]
	f volume exists busy
}

@test "volume prune: -f removes unused volumes only; without -f it asks, and at the input's end removes none" {
	f volume create --label tmp=1 unused1 >/dev/null
	f volume create unused2 >/dev/null
	f volume create used >/dev/null
	volume_add_user c1 used /data

	# As Podman: the question on standard output, "Error: EOF" when no
	# answer comes.
	run_ferry volume prune </dev/null
	assert_status 125
	assert_output_contains "unused2"
	[ "${lines[-1]}" = "Are you sure you want to continue? [y/N] Error: EOF" ]
	[ "$(f volume ls -q | wc -l)" -eq 3 ]

	run_ferry volume prune -f --filter label=tmp
	assert_status 0
	[ "$output" = unused1 ]
	[ ! -e "$ROOT/volumes/unused1" ]

	run_ferry volume prune -f
	assert_status 0
	[ "$output" = unused2 ]
	[ ! -e "$ROOT/volumes/unused2" ]
	[ "$(f volume ls -q)" = used ]
	[ -d "$ROOT/volumes/used/_data" ]

	run_ferry volume prune -f
	assert_status 0
	[ -z "$output" ]
}

@test "volume: two roots do not see each other's volumes" {
	f volume create mine >/dev/null
	other=$TEST_TMP/other-root
	run "$FERRY_BIN" --root "$other" --runroot "$TEST_TMP/other-run" volume ls -q
	assert_status 0
	[ -z "$output" ]
	run "$FERRY_BIN" --root "$other" --runroot "$TEST_TMP/other-run" volume exists mine
	assert_status 1

	# The same name in the other root is another volume.
	"$FERRY_BIN" --root "$other" --runroot "$TEST_TMP/other-run" volume create mine >/dev/null
	echo theirs >"$other/volumes/mine/_data/f"
	"$FERRY_BIN" --root "$other" --runroot "$TEST_TMP/other-run" volume rm mine >/dev/null
	[ -d "$ROOT/volumes/mine/_data" ]
	[ "$(f volume ls -q)" = mine ]
}

@test "volume: unknown subcommands and help" {
	run_ferry volume frobnicate
	assert_status 125
	assert_one_line_error
	run_ferry volume --help
	assert_status 0
	assert_output_contains "prune"
	run_ferry volume create --help
	assert_status 0
	assert_output_contains "--ignore"
}

@test "a crash's half-made and half-removed volume directories are swept, but not while another ferry runs" {
	f volume create keep >/dev/null
	echo data >"$ROOT/volumes/keep/_data/f"
	mkdir -p "$ROOT/volumes/.tmp-AbC123/_data" "$ROOT/volumes/.removing-XyZ789/_data" "$ROOT/volumes/.failed-old"
	touch "$ROOT/volumes/.removing-XyZ789/_data/left"
	# Another ferry holds the root (the shared "tmp" lock, here held by this
	# shell): nothing is swept.
	exec 9>>"$ROOT/locks/tmp.lock"
	flock -s 9
	f volume ls >/dev/null
	f images >/dev/null
	[ -d "$ROOT/volumes/.tmp-AbC123" ]
	[ -d "$ROOT/volumes/.removing-XyZ789" ]
	exec 9>&-
	# Alone, the next ferry to open the store removes them.
	f images >/dev/null
	[ ! -e "$ROOT/volumes/.tmp-AbC123" ]
	[ ! -e "$ROOT/volumes/.removing-XyZ789" ]
	[ ! -e "$ROOT/volumes/.failed-old" ]
	[ "$(cat "$ROOT/volumes/keep/_data/f")" = data ]
	run_ferry volume ls -q
	assert_status 0
	[ "$output" = keep ]
}

# An image of its own for the copy-up tests: busybox, and under /data a
# tree owned by 1000:1000 with a symlink, a FIFO and a setgid directory;
# /etc-link is an absolute symlink to /etc, /up a relative one that climbs
# past the root; /etc holds only the image's own marker.
copy_up_image() {
	local t=$TEST_TMP/img
	mkdir -p "$t/bin" "$t/etc" "$t/data/sub" "$t/tmp"
	cp /bin/busybox "$t/bin/busybox"
	for applet in sh true cat sleep; do ln -s busybox "$t/bin/$applet"; done
	echo image >"$t/etc/marker"
	echo one >"$t/data/one"
	echo two >"$t/data/sub/two"
	ln -s one "$t/data/link"
	mkfifo "$t/data/fifo"
	chmod 2750 "$t/data/sub"
	chmod 0710 "$t/data"
	chown -R 1000:1000 "$t/data"
	chmod 1777 "$t/tmp"
	ln -s /etc "$t/etc-link"
	ln -s ../../../../../etc "$t/up"
	tar -C "$t" --numeric-owner -cf "$TEST_TMP/img.tar" .
	f import -q "$TEST_TMP/img.tar" copyup >/dev/null
}

@test "a new volume is filled from the image the first time it is mounted, with owners and modes, as Podman does" {
	copy_up_image
	f volume create made >/dev/null
	[ "$(f volume inspect --format '{{.NeedsCopyUp}}' made)" = true ]
	run_ferry run --rm --network none -v made:/data -v anon1:/tmp -v fresh:/nothing-here copyup \
		sh -c 'cat /data/one /data/sub/two; readlink /data/link; stat -c "%a %u:%g %F" /data /data/sub /data/fifo /tmp'
	assert_status 0
	[ "$output" = "one
two
one
710 1000:1000 directory
2750 1000:1000 directory
644 1000:1000 fifo
1777 0:0 directory" ]
	d=$ROOT/volumes/made/_data
	[ "$(stat -c '%a %u:%g' "$d")" = "710 1000:1000" ]
	[ -p "$d/fifo" ] && [ -L "$d/link" ]
	[ "$(ls -A "$ROOT/volumes/made")" = _data ]
	[ "$(f volume inspect --format '{{.NeedsCopyUp}}' made)" = false ]
	# A destination the image lacks leaves the volume as it was made.
	[ -z "$(ls -A "$ROOT/volumes/fresh/_data")" ]
	[ "$(stat -c %a "$ROOT/volumes/fresh/_data")" = 755 ]
	# Once only: emptied, it stays empty for the next container.
	rm -rf "${d:?}"/*
	f run --rm --network none -v made:/data copyup true
	[ -z "$(ls -A "$d")" ]
	# A volume holding anything keeps it, and :nocopy copies nothing.
	f volume create full >/dev/null
	echo mine >"$ROOT/volumes/full/_data/mine"
	f volume create none >/dev/null
	f run --rm --network none -v full:/data -v none:/etc:nocopy copyup true
	[ "$(ls -A "$ROOT/volumes/full/_data")" = mine ]
	# Only the mount points of the files ferry binds in /etc, made there
	# as Podman makes them (a volume on /etc is mounted before them); no
	# resolv.conf without a network, as in Podman.
	[ "$(ls -A "$ROOT/volumes/none/_data" | tr '\n' ' ')" = "hostname hosts " ]
	run_ferry run --rm -v /tmp:/x:nocopy copyup true
	assert_status 125
	assert_one_line_error
}

@test "copy-up resolves symlinks inside the image: never the host's files" {
	copy_up_image
	f run --rm --network none -v abs:/etc-link -v rel:/up copyup true
	# The image's /etc, not the host's (beside the mount points of the
	# files ferry binds in /etc, and the /etc/mtab link every container
	# gets, as Podman's, when the volume lands on /etc).
	[ "$(ls -A "$ROOT/volumes/abs/_data" | grep -vx 'hostname\|hosts\|resolv.conf\|mtab')" = marker ]
	[ "$(ls -A "$ROOT/volumes/rel/_data" | grep -vx 'hostname\|hosts\|resolv.conf\|mtab')" = marker ]
	[ ! -e "$ROOT/volumes/abs/_data/passwd" ]
}

@test "copy-up carries through a checkpoint, and a restored volume is never filled again" {
	copy_up_image
	f run -d --name c --network none -v cv:/data copyup sh -c 'echo added > /data/added; sleep 1000' >/dev/null
	wait_until '[ -f "$ROOT/volumes/cv/_data/added" ]'
	f container checkpoint --export "$TEST_TMP/c.tar.zst" c >/dev/null
	f rm c >/dev/null
	f volume rm cv >/dev/null
	f container restore --import "$TEST_TMP/c.tar.zst" >/dev/null
	[ "$(f exec c cat /data/one /data/added)" = "one
added" ]
	# Emptied, then started again: nothing of the image comes back (the
	# command writes its own file again).
	f stop -t 0 c >/dev/null 2>&1
	rm -rf "$ROOT/volumes/cv/_data"/*
	f start c >/dev/null
	wait_until '[ -f "$ROOT/volumes/cv/_data/added" ]'
	[ "$(ls -A "$ROOT/volumes/cv/_data")" = added ]
}

@test "a copy-up killed half-way is finished by the next start" {
	copy_up_image
	f create --name c --network none -v kv:/data copyup cat /data/sub/two >/dev/null
	# As a kill would leave it: the copy staged whole, one entry moved in.
	mkdir "$ROOT/volumes/kv/_copyup"
	cp -a "$TEST_TMP/img/data/." "$ROOT/volumes/kv/_copyup/"
	chown 1000:1000 "$ROOT/volumes/kv/_copyup"
	chmod 0710 "$ROOT/volumes/kv/_copyup"
	mv "$ROOT/volumes/kv/_copyup/one" "$ROOT/volumes/kv/_data/one"
	mkdir "$ROOT/volumes/kv/_copyup.tmp"
	f start c >/dev/null
	f wait c >/dev/null
	[ "$(f logs c)" = two ]
	[ "$(ls "$ROOT/volumes/kv/_data" | sort | paste -sd ' ')" = "fifo link one sub" ]
	[ "$(stat -c '%a %u:%g' "$ROOT/volumes/kv/_data")" = "710 1000:1000" ]
	[ ! -e "$ROOT/volumes/kv/_copyup" ]
}

@test "volume export and import: a tar of the content, back into another volume; a climbing entry refused" {
	load_test_image
	f volume create ev >/dev/null
	f run --rm -v ev:/d ferry-test sh -c 'echo hi > /d/f; mkdir /d/sub; echo x > /d/sub/y; chown 7:8 /d/sub/y; chmod 640 /d/sub/y'
	f volume export ev >"$TEST_TMP/ev.tar"
	[ "$(tar -tf "$TEST_TMP/ev.tar" | grep -v '^\./$' | sort | paste -sd ' ')" = "f sub/ sub/y" ]
	f volume export -o "$TEST_TMP/ev2.tar" ev
	cmp "$TEST_TMP/ev.tar" "$TEST_TMP/ev2.tar"
	f volume create copy >/dev/null
	f volume import copy "$TEST_TMP/ev.tar"
	d=$ROOT/volumes/copy/_data
	[ "$(cat "$d/f" "$d/sub/y")" = "hi
x" ]
	[ "$(stat -c '%u:%g %a' "$d/sub/y")" = "7:8 640" ]
	f volume create piped >/dev/null
	f volume import piped - <"$TEST_TMP/ev.tar"
	[ "$(cat "$ROOT/volumes/piped/_data/f")" = hi ]
	# Imported content is the volume's own: no copy-up from an image over it.
	[ "$(f volume inspect --format '{{.NeedsCopyUp}}' piped)" = false ]
	run_ferry volume import nosuch "$TEST_TMP/ev.tar"
	assert_status 125
	assert_output_contains "no such volume nosuch"
	run_ferry volume export nosuch
	assert_status 125
	python3 -c "
import tarfile, io
t = tarfile.open('$TEST_TMP/bad.tar', 'w')
i = tarfile.TarInfo('../escape'); i.size = 1
t.addfile(i, io.BytesIO(b'x')); t.close()"
	run_ferry volume import copy "$TEST_TMP/bad.tar"
	assert_status 125
	assert_one_line_error
	[ ! -e "$ROOT/volumes/copy/escape" ] && [ ! -e "$ROOT/volumes/escape" ]
	if command -v podman >/dev/null; then
		# Podman takes ferry's export, and ferry Podman's.
		podman_t volume create pv >/dev/null
		podman_t volume import pv "$TEST_TMP/ev.tar"
		[ "$(cat "$TEST_TMP/proot/volumes/pv/_data/sub/y")" = x ]
		podman_t volume export pv >"$TEST_TMP/pv.tar"
		f volume create fromp >/dev/null
		f volume import fromp "$TEST_TMP/pv.tar"
		[ "$(cat "$ROOT/volumes/fromp/_data/f")" = hi ]
	fi
}
