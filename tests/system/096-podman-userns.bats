#!/usr/bin/env bats
# run/create --userns, --uidmap, --gidmap, --subuidname and --subgidname,
# as Podman 5.4 run as root takes them: the mappings inside
# (/proc/self/uid_map, id), the ownership of what the container writes,
# seen on the host, inspect's UsernsMode and IDMappings, and the errors'
# first words and exit codes, compared with Podman live where it is
# installed.  Then ferry's own: such a container checkpoints and restores
# in place and through an archive on another root, and an archive's
# mappings are type-checked and limited to what a plain run gets.

load helpers
load podman-helpers

bats_require_minimum_version 1.5.0

teardown() {
	podman_teardown
	ferry_teardown
	# The subordinate ID files, when a test replaced them.
	local f
	for f in subuid subgid; do
		if [ -e "${TEST_TMP:-/nonexistent}.$f.saved" ]; then
			mv "$TEST_TMP.$f.saved" "/etc/$f"
		elif [ -e "${TEST_TMP:-/nonexistent}.$f.absent" ]; then
			rm -f "/etc/$f" "$TEST_TMP.$f.absent"
		fi
	done
}

# runc mounts the root file system from inside the namespace: the test's
# directory (mktemp's 0700) must let the container's root pass, as
# /var/lib lets it pass for the default --root.
open_test_dir() {
	chmod 0711 "$TEST_TMP"
}

# Keeps /etc/subuid and /etc/subgid (or their absence) for teardown to
# put back.
save_subids() {
	local f
	for f in subuid subgid; do
		if [ -e "/etc/$f" ]; then cp -p "/etc/$f" "$TEST_TMP.$f.saved"; else : >"$TEST_TMP.$f.absent"; fi
	done
}

# Runs "$@" with tool $1, appending the command, its exit code, its
# output (blanks squeezed) and the first three words of its error to the
# tool's transcript.
ustep() {
	local tool=$1 rc=0
	shift
	"$tool" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
	{
		echo "\$ $* -> $rc"
		tr -s ' \t' ' ' <"$TEST_TMP/out" | sed 's/^ //'
		grep '^Error:' "$TEST_TMP/err" | tail -n 1 | cut -d' ' -f1-4
	} >>"$TEST_TMP/$tool.log"
}

# The sequence both tools run; $2 names the test image for tool $1.
userns_sequence() {
	local t=$1 img=$2
	ustep "$t" run --rm --network none --uidmap 0:100000:65536 --gidmap 0:200000:65536 "$img" \
		sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map'
	ustep "$t" run --rm --network none --uidmap 0:100000 "$img" cat /proc/self/uid_map /proc/self/gid_map
	ustep "$t" run --rm --network none --uidmap +0:100000:1000 "$img" cat /proc/self/uid_map
	ustep "$t" run --rm --network none --gidmap 0:300000:10 "$img" cat /proc/self/uid_map
	ustep "$t" run --rm --network none --userns keep-id "$img" cat /proc/self/uid_map
	ustep "$t" run --rm --network none --userns host "$img" cat /proc/self/uid_map
	ustep "$t" run --rm --network none --userns= "$img" cat /proc/self/uid_map
	ustep "$t" run --rm --network none --userns private "$img" true
	ustep "$t" run --rm --network none --userns nomap "$img" true
	ustep "$t" run --rm --network none --userns bogus "$img" true
	ustep "$t" run --rm --network none --uidmap @0:100000:1000 "$img" true
	ustep "$t" run --rm --network none --uidmap a:b:c "$img" true
	ustep "$t" run --rm --network none --uidmap 0:100000:0 "$img" true
	ustep "$t" run --rm --network none --uidmap 0:100000:10 --userns host "$img" true
	ustep "$t" run --rm --network none --userns container:nosuch "$img" true
	ustep "$t" run --rm --network none --userns ns:/nonexistent "$img" true
	ustep "$t" run --rm --network none --subuidname ferry-nosuch-user "$img" true
	ustep "$t" create --name mapped --network none --uidmap 0:100000:1000 --uidmap 1000:300000:10 "$img" true
	ustep "$t" inspect --format '{{.HostConfig.UsernsMode}} {{json .HostConfig.IDMappings}}' mapped
	ustep "$t" inspect --format '{{index .Config.Annotations "io.podman.annotations.userns"}}' mapped
	ustep "$t" create --name kept --network none --userns keep-id "$img" true
	ustep "$t" inspect --format '{{.HostConfig.UsernsMode}} {{json .HostConfig.IDMappings}}' kept
	ustep "$t" inspect --format '{{index .Config.Annotations "io.podman.annotations.userns"}}' kept
	ustep "$t" create --name plain --network none "$img" true
	ustep "$t" inspect --format '[{{.HostConfig.UsernsMode}}]' plain
	ustep "$t" run -d --name peer --network none --uidmap 0:100000:65536 "$img" sleep 1000
	ustep "$t" run --rm --network none --userns container:peer "$img" sh -c 'cat /proc/self/uid_map; touch /z && echo wrote'
	ustep "$t" rm -f -t 0 peer
}

@test "userns: the mappings, inspect and errors, as Podman shows them" {
	load_test_image
	open_test_dir
	userns_sequence f ferry-test
	cat >"$TEST_TMP/expected" <<-'EOF'
		$ run --rm --network none --uidmap 0:100000:65536 --gidmap 0:200000:65536 ferry-test sh -c id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map -> 0
		0
		0
		0 100000 65536
		0 200000 65536
		$ run --rm --network none --uidmap 0:100000 ferry-test cat /proc/self/uid_map /proc/self/gid_map -> 0
		0 100000 1
		0 100000 1
		$ run --rm --network none --uidmap +0:100000:1000 ferry-test cat /proc/self/uid_map -> 0
		0 100000 1000
		$ run --rm --network none --gidmap 0:300000:10 ferry-test cat /proc/self/uid_map -> 0
		0 300000 10
		$ run --rm --network none --userns keep-id ferry-test cat /proc/self/uid_map -> 0
		0 0 4294967295
		$ run --rm --network none --userns host ferry-test cat /proc/self/uid_map -> 0
		0 0 4294967295
		$ run --rm --network none --userns= ferry-test cat /proc/self/uid_map -> 0
		0 0 4294967295
		$ run --rm --network none --userns private ferry-test true -> 125
		Error: must provide at
		$ run --rm --network none --userns nomap ferry-test true -> 125
		Error: nomap is only
		$ run --rm --network none --userns bogus ferry-test true -> 125
		Error: unrecognized namespace mode
		$ run --rm --network none --uidmap @0:100000:1000 ferry-test true -> 125
		Error: invalid mapping: [@0
		$ run --rm --network none --uidmap a:b:c ferry-test true -> 125
		Error: invalid mapping: [a
		$ run --rm --network none --uidmap 0:100000:0 ferry-test true -> 125
		Error: must provide at
		$ run --rm --network none --uidmap 0:100000:10 --userns host ferry-test true -> 125
		Error: --userns and --uidmap/--gidmap/--subuidname/--subgidname
		$ run --rm --network none --userns container:nosuch ferry-test true -> 125
		Error: looking up container
		$ run --rm --network none --userns ns:/nonexistent ferry-test true -> 125
		Error: cannot find specified
		$ run --rm --network none --subuidname ferry-nosuch-user ferry-test true -> 125
		Error: no subuid ranges
		$ create --name mapped --network none --uidmap 0:100000:1000 --uidmap 1000:300000:10 ferry-test true -> 0
		<ID>
		$ inspect --format {{.HostConfig.UsernsMode}} {{json .HostConfig.IDMappings}} mapped -> 0
		private {"UidMap":["0:100000:1000","1000:300000:10"],"GidMap":["0:100000:1000","1000:300000:10"]}
		$ inspect --format {{index .Config.Annotations "io.podman.annotations.userns"}} mapped -> 0
		private
		$ create --name kept --network none --userns keep-id ferry-test true -> 0
		<ID>
		$ inspect --format {{.HostConfig.UsernsMode}} {{json .HostConfig.IDMappings}} kept -> 0
		private {"UidMap":["0:0:4294967295"],"GidMap":["0:0:4294967295"]}
		$ inspect --format {{index .Config.Annotations "io.podman.annotations.userns"}} kept -> 0
		keep-id
		$ create --name plain --network none ferry-test true -> 0
		<ID>
		$ inspect --format [{{.HostConfig.UsernsMode}}] plain -> 0
		[]
		$ run -d --name peer --network none --uidmap 0:100000:65536 ferry-test sleep 1000 -> 0
		<ID>
		$ run --rm --network none --userns container:peer ferry-test sh -c cat /proc/self/uid_map; touch /z && echo wrote -> 0
		0 100000 65536
		wrote
		$ rm -f -t 0 peer -> 0
		peer
	EOF
	sed -i -E 's/^[0-9a-f]{64}$/<ID>/' "$TEST_TMP/f.log"
	# Without /etc/subuid, Podman says it cannot read it.
	[ -e /etc/subuid ] || sed -i 's/^Error: no subuid ranges$/Error: cannot read subids/' "$TEST_TMP/expected"
	diff "$TEST_TMP/expected" "$TEST_TMP/f.log"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	userns_sequence podman_t localhost/ferry-test:latest
	sed -i -E -e 's/^[0-9a-f]{64}$/<ID>/' -e 's# localhost/ferry-test:latest # ferry-test #' "$TEST_TMP/podman_t.log"
	diff "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
}

@test "userns: the image looks the container's own inside, and what it writes is the host IDs' outside" {
	load_test_image
	open_test_dir
	f run -d --name app --uidmap 0:100000:65536 --gidmap 0:200000:65536 -v vol:/data ferry-test sleep 1000 >/dev/null
	run f exec app sh -c 'stat -c "%u:%g" / /bin /etc/hosts /etc/hostname /dev/shm; touch /new /dev/shm/s /tmp/t && echo ok'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '0:0\n0:0\n0:0\n0:0\n0:0\nok')" ]
	upper=$(f inspect --format '{{.GraphDriver.Data.UpperDir}}' app)
	[ "$(stat -c %u:%g "$upper/new")" = 100000:200000 ]
	[ "$(stat -c %u:%g "$upper/tmp/t")" = 100000:200000 ]
	# The image's layers are not changed: they are seen through idmapped
	# mounts.
	[ -z "$(find "$ROOT/storage" -path "$(dirname "$upper")" -prune -o -uid 100000 -print)" ]
	[ -n "$(find "$ROOT/storage" -path '*/bin/busybox' -uid 0 -print)" ]
	# A new named volume is its root's; a copy in is owned by its user.
	run f exec app sh -c 'stat -c "%u:%g" /data; touch /data/v && echo ok'
	[ "$output" = "$(printf '0:0\nok')" ]
	[ "$(stat -c %u:%g "$ROOT/volumes/vol/_data/v")" = 100000:200000 ]
	echo hi >"$TEST_TMP/hi"
	f cp "$TEST_TMP/hi" app:/hi
	[ "$(f exec app stat -c %u:%g /hi)" = 0:0 ]
	[ "$(stat -c %u:%g "$upper/hi")" = 100000:200000 ]
	mkdir "$TEST_TMP/rfs"
	run f run --rm --uidmap 0:100000:10 --rootfs "$TEST_TMP/rfs" true
	assert_status 125
	assert_one_line_error
	assert_output_contains ':O'
	run f run --rm --network bridge --uidmap 0:100000:10 ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains '--network none'
}

@test "userns: --subuidname and --subgidname read /etc/subuid and /etc/subgid" {
	load_test_image
	open_test_dir
	save_subids
	echo 'ferrytestu:400000:1000' >>/etc/subuid
	echo 'ferrytestu:500000:2000' >>/etc/subgid
	run f run --rm --subuidname ferrytestu ferry-test cat /proc/self/uid_map /proc/self/gid_map
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | tr -s ' ' | sed 's/^ //')" = "$(printf '0 400000 1000\n0 500000 2000')" ]
	f create --name s --subgidname ferrytestu ferry-test true >/dev/null
	[ "$(f inspect --format '{{json .HostConfig.IDMappings}}' s)" = '{"UidMap":["0:400000:1000"],"GidMap":["0:500000:2000"]}' ]
}

@test "userns: checkpoint and restore in place, and through an archive on another root" {
	load_test_image
	open_test_dir
	fb load -q -i "$(ferry_test_image)"
	printf 'pw' | f secret create sec - >/dev/null
	printf 'pw' | fb secret create sec - >/dev/null
	f run -d --name app --uidmap 0:100000:65536 --gidmap 0:200000:65536 --secret sec -v vol:/data ferry-test \
		sh -c 'echo file >/f; echo shm >/dev/shm/s; echo vol >/data/v; i=0; while true; do echo $i; i=$((i+1)); sleep 0.2; done' >/dev/null
	wait_until '[ "$(f logs app | wc -l)" -ge 2 ]'
	f container checkpoint app >/dev/null
	f container restore app >/dev/null
	run f exec app sh -c 'cat /proc/self/uid_map /f /dev/shm/s /data/v /run/secrets/sec'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | tr -s ' ' | sed 's/^ //')" = "$(printf '0 100000 65536\nfile\nshm\nvol\npw')" ]
	# CRIU reached the images and the secret from inside the namespace
	# through the group of the container's root: no other host user may
	# pass the container's directories.
	id=$(f inspect --format '{{.Id}}' app)
	for d in "$ROOT/containers/$id" "$ROOT/containers/$id/secrets" "$ROOT/storage/overlay/$id"; do
		[ "$(stat -c %g "$d")" = 200000 ]
		[ $((0$(stat -c %a "$d") & 1)) -eq 0 ]
	done

	f container checkpoint -c none -e "$TEST_TMP/app.tar" app >/dev/null
	mkdir "$TEST_TMP/x"
	tar -xf "$TEST_TMP/app.tar" -C "$TEST_TMP/x" config.dump
	[ "$(jq -c '.ferry.UidMap' "$TEST_TMP/x/config.dump")" = '["0:100000:65536"]' ]
	fb container restore -i "$TEST_TMP/app.tar" >/dev/null
	before=$(f logs app | tail -n 1)
	wait_until '[ "$(fb logs app | tail -n 1)" -gt "$before" ]'
	run fb exec app sh -c 'cat /proc/self/gid_map /f /dev/shm/s /data/v /run/secrets/sec'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | tr -s ' ' | sed 's/^ //')" = "$(printf '0 200000 65536\nfile\nshm\nvol\npw')" ]
	[ "$(fb inspect --format '{{.HostConfig.UsernsMode}} {{json .HostConfig.IDMappings}}' app)" = \
		'private {"UidMap":["0:100000:65536"],"GidMap":["0:200000:65536"]}' ]

	# Another container's namespace: CRIU's restore could not join it,
	# so the checkpoint is refused before anything is frozen.
	f run -d --name peer --uidmap 0:100000:65536 ferry-test sleep 1000 >/dev/null
	f run -d --name joiner --userns container:peer ferry-test sleep 1000 >/dev/null
	run f container checkpoint joiner
	assert_status 125
	assert_one_line_error
	assert_output_contains 'joins another user namespace'
	[ "$(f inspect --format '{{.State.Status}}' joiner)" = running ]
	[ "$(cat "$(freezer_state_file "" "$(f inspect --format '{{.Id}}' joiner)")")" = THAWED ]
}

@test "userns: an archive's mappings are checked, and host root mapped in needs --trust-archive" {
	load_test_image
	open_test_dir
	fb load -q -i "$(ferry_test_image)"
	f run -d --name app --uidmap 0:100000:65536 ferry-test sleep 1000 >/dev/null
	f container checkpoint -c none -e "$TEST_TMP/good.tar" app >/dev/null
	for edit in '"UidMap": ["0:100000"]' '"UidMap": ["0:100000:65536", "10:200000:5"]' '"GidMap": []' \
		'"UidMap": ["0:4294967000:65536"]' '"UsernsMode": "bogus"' '"UidMap": "0:1:1"' '"Network": "bridge"'; do
		rewrite_archive "$TEST_TMP/good.tar" "$TEST_TMP/bad.tar" "
for i, (m, d) in enumerate(members):
    if m.name == 'config.dump':
        c = json.loads(d); c['ferry'].update({$edit}); members[i] = (m, json.dumps(c).encode())
"
		run fb container restore -i "$TEST_TMP/bad.tar"
		assert_status 125
		assert_one_line_error
		assert_host_b_untouched
	done
	rewrite_archive "$TEST_TMP/good.tar" "$TEST_TMP/root.tar" "
for i, (m, d) in enumerate(members):
    if m.name == 'config.dump':
        c = json.loads(d); c['ferry']['UidMap'] = ['0:0:65536']; members[i] = (m, json.dumps(c).encode())
"
	run fb container restore -i "$TEST_TMP/root.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains 'host user ID 0 (root) mapped into its user namespace'
	assert_output_contains '--trust-archive'
	assert_host_b_untouched
}

# --userns auto with tool $1 and image $2, on a root with no container.
auto_sequence() {
	local t=$1 img=$2 a
	echo 'other:1000000:1000000' >/etc/subuid
	echo 'other:2000000:1000000' >/etc/subgid
	ustep "$t" run --rm --network none --userns auto "$img" true
	echo 'containers:1000000:1000000' >/etc/subuid
	echo 'containers:2000000:1000000' >/etc/subgid
	for a in auto auto:size=2000 auto:uidmapping=0:1000000:10 auto:gidmapping=100:2000050:10 auto:size=0 \
		auto:size=10,size=20 auto:size=abc auto:bogus=1; do
		ustep "$t" create --name "c${#a}$RANDOM" --network none --userns "$a" "$img" true
		ustep "$t" inspect -l --format '{{.HostConfig.UsernsMode}} {{json .HostConfig.IDMappings}} {{index .Config.Annotations "io.podman.annotations.userns"}}'
	done
	ustep "$t" run --rm --network none --userns auto:size=100 "$img" sh -c 'cat /proc/self/uid_map; touch /x && echo wrote'
}

@test "userns: --userns auto allocates free IDs of user containers, as Podman does" {
	load_test_image
	open_test_dir
	save_subids
	auto_sequence f ferry-test
	sed -i -E -e 's/^[0-9a-f]{64}$/<ID>/' -e 's/--name c[0-9]+ /--name C /' "$TEST_TMP/f.log"
	grep -q '^{"UidMap":\["0:1000000:1024"\],"GidMap":\["0:2000000:1024"\]} auto$' "$TEST_TMP/f.log"
	grep -q '^{"UidMap":\["0:1001024:2000"\],"GidMap":\["0:2001024:2000"\]} auto:size=2000' "$TEST_TMP/f.log"
	grep -q '"GidMap":\["100:2000050:10","0:2004048:100","110:2004148:914"\]' "$TEST_TMP/f.log"
	grep -q '^Error: creating container storage:$' "$TEST_TMP/f.log"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	auto_sequence podman_t localhost/ferry-test:latest
	sed -i -E -e 's/^[0-9a-f]{64}$/<ID>/' -e 's/--name c[0-9]+ /--name C /' \
		-e 's# localhost/ferry-test:latest( |$)# ferry-test\1#' "$TEST_TMP/podman_t.log"
	diff "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
}

@test "userns: a Podman checkpoint of a container with mappings restores here with them" {
	need_podman
	load_test_image
	open_test_dir
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t run -d --name pk --network none --uidmap 0:100000:65536 --gidmap 0:200000:65536 \
		localhost/ferry-test:latest sh -c 'echo hi >/f; i=0; while true; do i=$((i+1)); echo $i >/dev/shm/c; sleep 0.2; done' >/dev/null
	wait_until '[ -n "$(podman_t exec pk cat /dev/shm/c)" ]'
	podman_t container checkpoint -e "$TEST_TMP/pk.tar.gz" pk >/dev/null
	before=$(tar -xOf "$TEST_TMP/pk.tar.gz" devshm-checkpoint.tar | tar -xOf - ./c)
	f container restore -i "$TEST_TMP/pk.tar.gz" >/dev/null
	wait_until '[ "$(f exec pk cat /dev/shm/c)" -gt "$before" ]'
	run f exec pk sh -c 'cat /proc/self/uid_map /proc/self/gid_map /f; stat -c %u:%g /f'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | tr -s ' ' | sed 's/^ //')" = "$(printf '0 100000 65536\n0 200000 65536\nhi\n0:0')" ]
	[ "$(f inspect --format '{{json .HostConfig.IDMappings}}' pk)" = \
		'{"UidMap":["0:100000:65536"],"GidMap":["0:200000:65536"]}' ]
}
