#!/usr/bin/env bats
# Input from outside that must neither harm the host nor hang or crash
# ferry, and kills that the next command must settle, fourth part (see
# 119 for the third): network connect, disconnect and reload killed
# between netavark and the container's network report; archives of
# containers made with last session's options (--tmpfs DEST:OPTIONS, -w,
# label=disable); names with terminal escape sequences; environment lists
# of 200000 variables and env files that never end; an image archive's
# symlink without a target; a container's /etc/passwd of gigabytes or a
# FIFO, and an image's passwd and group symlinked to host files.

load helpers

bats_require_minimum_version 1.5.0

IMG=localhost/ferry-test

# A network of the test's own, n1 on bridge ftu<N+2000>.
eval "untrusted4_$(declare -f setup)"
setup() {
	untrusted4_setup
	N=$(net_number)
	BR=ftu$((N + 2000))
	SUBNET=10.212.$N.0/24
}

eval "untrusted4_$(declare -f teardown)"
teardown() {
	if [ -d "${ROOT:-/nonexistent}" ]; then f rm -af -t 0 >/dev/null 2>&1 || true; fi
	ip link del "${BR:-none}" 2>/dev/null || true
	untrusted4_teardown
}

ifaces_of() { f exec "$1" ls /sys/class/net | tr '\n' ' '; }

# ferry SIGKILLed at fault point $1.
f_killed_at() {
	local point=$1
	shift
	run env FERRY_FAULT="$point" "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" "$@"
	[ "$status" -eq 137 ]
}

@test "network connect killed once netavark set the network up: the next disconnect takes the interface out" {
	load_test_image
	f network create --subnet "$SUBNET" --interface-name "$BR" n1 >/dev/null
	f run -d --network n1 --name c1 $IMG sleep 1000 >/dev/null
	f network disconnect n1 c1
	[ "$(ifaces_of c1)" = "lo " ]
	# Before, the network's report said n1 was not set up, so disconnect
	# passed over netavark's teardown: eth0 stayed in the container with
	# the address the database gave back for the next container.
	f_killed_at network-connect-unreported network connect n1 c1
	f network disconnect n1 c1
	[ "$(ifaces_of c1)" = "lo " ]
	f network connect n1 c1
	[ "$(ifaces_of c1)" = "eth0 lo " ]
	f rm -f -t 0 c1 >/dev/null
	f network rm n1 >/dev/null
}

@test "network disconnect killed once netavark tore the network down: the next command finishes" {
	load_test_image
	f network create --subnet "$SUBNET" --interface-name "$BR" n1 >/dev/null
	f run -d --network n1 --name c1 $IMG sleep 1000 >/dev/null
	f_killed_at network-disconnect-teardown network disconnect n1 c1
	[ "$(ifaces_of c1)" = "lo " ]
	[ "$(f inspect --format '{{.HostConfig.NetworkMode}}|{{len .NetworkSettings.Networks}}' c1)" = "bridge|0" ]
	f network connect n1 c1
	[ "$(ifaces_of c1)" = "eth0 lo " ]
	f rm -f -t 0 c1 >/dev/null
	f network rm n1 >/dev/null
}

@test "a container made with --tmpfs DEST:OPTIONS is exported and imported with its tmpfs options" {
	load_test_image
	f run -d --tmpfs /t:size=1m,mode=1770 --name c1 $IMG sleep 1000 >/dev/null
	before=$(f inspect --format '{{.HostConfig.Tmpfs}}' c1)
	[[ "$before" == "map[/t:size=1m,mode=1770,"* ]]
	f container checkpoint --export "$TEST_TMP/c1.tar" c1 >/dev/null
	f rm -f -t 0 c1 >/dev/null
	# Before, the record's TmpfsOptions was no field the archive's check
	# knew: the import refused ferry's own archive.
	f container restore --import "$TEST_TMP/c1.tar" >/dev/null
	[ "$(f inspect --format '{{.State.Status}}|{{.HostConfig.Tmpfs}}' c1)" = "running|$before" ]
	[ "$(f exec c1 stat -c %a /t)" = 1770 ]
	f rm -f -t 0 c1 >/dev/null
}

@test "a container made with -w and --security-opt label=disable is exported and imported as it was" {
	load_test_image
	f run -d -w /tmp --security-opt label=disable --name c1 $IMG sleep 1000 >/dev/null
	before=$(f inspect --format '{{.Config.WorkingDir}}|{{.HostConfig.SecurityOpt}}' c1)
	f container checkpoint --export "$TEST_TMP/c1.tar" c1 >/dev/null
	f rm -f -t 0 c1 >/dev/null
	# Before, the record's WorkingDirGiven and LabelDisable were no fields
	# the archive's check knew: the import refused ferry's own archive.
	f container restore --import "$TEST_TMP/c1.tar" >/dev/null
	[ "$(f inspect --format '{{.State.Status}}|{{.Config.WorkingDir}}|{{.HostConfig.SecurityOpt}}' c1)" = "running|$before" ]
	f rm -f -t 0 c1 >/dev/null
}

@test "an image archive's names with terminal escape sequences reach the terminal escaped" {
	# A docker-archive whose manifest.json names a config file of the
	# archive's choosing: an OSC sequence that retitles the terminal, then
	# one that clears the screen.
	python3 - "$(ferry_test_docker_image)" "$TEST_TMP/esc.tar" <<-'PY'
		import io, json, sys, tarfile
		with tarfile.open(sys.argv[1]) as t, tarfile.open(sys.argv[2], "w") as o:
		    for m in t.getmembers():
		        d = t.extractfile(m).read() if m.isfile() else None
		        if m.name == "manifest.json":
		            j = json.loads(d)
		            j[0]["Config"] = "\u001b]0;owned\u0007\u001b[2J\r.json"
		            d = json.dumps(j).encode()
		            m.size = len(d)
		        o.addfile(m, io.BytesIO(d) if d is not None else None)
	PY
	run_ferry load -i "$TEST_TMP/esc.tar"
	assert_status 125
	# Before, the bytes went out as they were.
	[[ "$output" != *$'\x1b'* && "$output" != *$'\r'* && "$output" != *$'\a'* ]]
	assert_output_contains '\x1b]0;owned\x07\x1b[2J\x0d.json'
	assert_one_line_error
	assert_store_empty
}

@test "network reload killed between netavark's teardown and setup: the next command sets it up, and disconnect works" {
	load_test_image
	f network create --subnet "$SUBNET" --interface-name "$BR" n1 >/dev/null
	f run -d --network n1 --name c1 $IMG sleep 1000 >/dev/null
	f_killed_at network-reload-torn-down network reload c1
	# The next command (here exec) reloads it (129 has the details).
	[ "$(ifaces_of c1)" = "eth0 lo " ]
	# Before, with no network report at all, disconnect took netavark's
	# "No such device" for an error: it failed every time.
	f network disconnect n1 c1
	[ "$(f inspect --format '{{.HostConfig.NetworkMode}}|{{len .NetworkSettings.Networks}}' c1)" = "bridge|0" ]
	f network connect n1 c1
	[ "$(ifaces_of c1)" = "eth0 lo " ]
	f rm -f -t 0 c1 >/dev/null
	f network rm n1 >/dev/null
}

# A copy of the test image (oci-archive $1) as $2, named $3, whose config
# has N=$4 environment variables V0..V<N-1>, and V7 once more at the end.
image_with_env() {
	python3 - "$@" <<-'PY'
		import hashlib, io, json, sys, tarfile
		src, dst, name, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
		with tarfile.open(src) as t:
		    blobs = {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isfile()}
		def put(data):
		    d = hashlib.sha256(data).hexdigest()
		    blobs["blobs/sha256/" + d] = data
		    return "sha256:" + d, len(data)
		index = json.loads(blobs["index.json"])
		man = json.loads(blobs["blobs/sha256/" + index["manifests"][0]["digest"][7:]])
		cfg = json.loads(blobs["blobs/sha256/" + man["config"]["digest"][7:]])
		cfg["config"]["Env"] = ["V%d=%d" % (i, i) for i in range(n)] + ["V7=last"]
		man["config"]["digest"], man["config"]["size"] = put(json.dumps(cfg).encode())
		d, s = put(json.dumps(man).encode())
		index["manifests"] = [{"mediaType": man["mediaType"], "digest": d, "size": s,
		                       "annotations": {"org.opencontainers.image.ref.name": name}}]
		blobs["index.json"] = json.dumps(index).encode()
		with tarfile.open(dst, "w") as o:
		    for k, v in blobs.items():
		        i = tarfile.TarInfo(k); i.size = len(v); o.addfile(i, io.BytesIO(v))
	PY
}

@test "an image's or an --env-file's 200000 environment variables are merged in linear time" {
	image_with_env "$(ferry_test_image)" "$TEST_TMP/env.tar" localhost/many-env:latest 200000
	f load -q -i "$TEST_TMP/env.tar" >/dev/null
	python3 -c 'import sys
for i in range(200000): print("F%d=%d" % (i, i))
print("F9=last")' >"$TEST_TMP/env.list"
	export -f f
	export FERRY_BIN
	# Before, each variable was compared with every one before it: about
	# 15 minutes here for either, hours for a few times more.
	run timeout 60 bash -c 'f "$@"' f create --name c1 localhost/many-env
	[ "$status" -eq 0 ]
	run timeout 60 bash -c 'f "$@"' f create --name c2 --env-file "$TEST_TMP/env.list" -e V8=mine localhost/many-env
	[ "$status" -eq 0 ]
	# Still one entry a name, the last one given winning, in place.
	f inspect --format '{{json .Config.Env}}' c1 >"$TEST_TMP/c1.env"
	[ "$(jq 'length' "$TEST_TMP/c1.env")" -ge 200000 ]
	[ "$(jq -r '.[7]' "$TEST_TMP/c1.env")" = V7=last ]
	[ "$(jq '[.[] | select(startswith("V7="))] | length' "$TEST_TMP/c1.env")" = 1 ]
	f inspect --format '{{json .Config.Env}}' c2 >"$TEST_TMP/c2.env"
	[ "$(jq '[.[] | select(startswith("F9="))] | .[0]' "$TEST_TMP/c2.env")" = '"F9=last"' ]
	[ "$(jq '[.[] | select(startswith("F"))] | length' "$TEST_TMP/c2.env")" = 200000 ]
	[ "$(jq -r '.[8]' "$TEST_TMP/c2.env")" = V8=mine ]
	f rm c1 c2 >/dev/null
}

@test "an --env-file that never ends is refused past 16 MiB, not read until memory runs out" {
	load_test_image
	export -f f
	export FERRY_BIN
	# Before: allocated until it died (an abort under this 1 GiB limit).
	run -125 timeout 60 bash -c 'ulimit -v 1048576; f "$@"' f create --env-file /dev/zero $IMG
	assert_output_contains 'larger than'
	assert_one_line_error
	[ -z "$(f ps -aq)" ]
}

@test "an image archive holding a symbolic link without a target is refused, not a crash" {
	python3 - "$(ferry_test_image)" "$TEST_TMP/nolink.tar" <<-'PY'
		import sys, tarfile
		with tarfile.open(sys.argv[1]) as t, tarfile.open(sys.argv[2], "w") as o:
		    i = tarfile.TarInfo("dangling")
		    i.type = tarfile.SYMTYPE
		    i.linkname = ""
		    o.addfile(i)
		    for m in t.getmembers():
		        o.addfile(m, t.extractfile(m) if m.isfile() else None)
	PY
	# Before: a segmentation fault (the link's target read through NULL).
	run_ferry load -i "$TEST_TMP/nolink.tar"
	assert_status 125
	assert_output_contains 'dangling'
	assert_one_line_error
	assert_store_empty
}

@test "a container's /etc/passwd of gigabytes without a newline is refused, not read into ferry's memory" {
	load_test_image
	f run -d --name c1 $IMG sleep 1000 >/dev/null
	# Sparse: 4 GiB of zeros that take no space, one line without an end.
	f exec c1 sh -c ': >/etc/passwd; truncate -s 4G /etc/passwd'
	export -f f
	export FERRY_BIN
	# Before, exec -u (and every start) read it as one line into ferry's
	# memory: 4 GiB here, as much as the container liked elsewhere.
	run -125 timeout 60 bash -c 'ulimit -v 1048576; f "$@"' f exec -u root c1 true
	assert_output_contains '/etc/passwd'
	assert_output_contains 'larger than'
	assert_one_line_error
	f stop -t 0 c1 >/dev/null
	run -125 timeout 60 bash -c 'ulimit -v 1048576; f "$@"' f start c1
	assert_output_contains 'larger than'
	f rm -f -t 0 c1 >/dev/null
}

@test "top reads a container's /etc/passwd as a file: a FIFO there does not hold it" {
	load_test_image
	f run -d --name c1 $IMG sleep 1000 >/dev/null
	f exec c1 sh -c 'rm /etc/passwd && mkfifo /etc/passwd'
	export -f f
	export FERRY_BIN
	# Before, top opened the FIFO and waited for a writer for good.
	run timeout 30 bash -c 'f "$@"' f top c1 user pid
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\n'"0 "* ]]
	f rm -f -t 0 c1 >/dev/null
}

@test "--userns=auto sizes the namespace from an image's passwd and group without following their symlinks out of the layer" {
	mkfifo "$TEST_TMP/fifo"
	# An image (imported here; pulled from anywhere alike) whose
	# /etc/passwd is a symlink to a FIFO of the host, and /etc/group one
	# to /dev/zero.
	python3 - "$TEST_TMP/rootfs.tar" "$TEST_TMP/fifo" <<-'PY'
		import io, sys, tarfile
		with tarfile.open(sys.argv[1], "w") as o:
		    d = tarfile.TarInfo("etc"); d.type = tarfile.DIRTYPE; d.mode = 0o755; o.addfile(d)
		    for name, target in (("etc/passwd", sys.argv[2]), ("etc/group", "/dev/zero")):
		        l = tarfile.TarInfo(name); l.type = tarfile.SYMTYPE; l.linkname = target; o.addfile(l)
		    f = tarfile.TarInfo("hello"); f.size = 3; o.addfile(f, io.BytesIO(b"hi\n"))
	PY
	f import "$TEST_TMP/rootfs.tar" localhost/links >/dev/null
	export -f f
	export FERRY_BIN
	# Before, the host's FIFO held create for good (and /dev/zero, read as
	# one endless line, took the host's memory).  Whether it is then made
	# depends on this host's /etc/subuid.
	run timeout 30 bash -c 'ulimit -v 1048576; f "$@"' f create --userns=auto --network none localhost/links /hello
	[ "$status" -ne 124 ]
	[ "$status" -eq 0 ] || assert_output_contains 'unused IDs'
	f rm -af -t 0 >/dev/null
}
