#!/usr/bin/env bats
# Podman's image transports (containers-transports(5)) in pull, push, run
# and create: oci-archive:, oci:, docker-archive:, dir:, and what ferry
# makes of containers-storage: (its own store) and docker-daemon: (no
# daemon).  What ferry writes must pull back into ferry and into Podman,
# and what Podman writes into ferry, with the image's ID and names as
# Podman gives them.  Outputs, messages and exit codes are checked against
# what Podman 5.4 printed (kept below), and, where Podman is installed,
# against Podman run live.  Archives and directories are untrusted: a
# corrupt blob, an entry that climbs out or a link is refused, and nothing
# is stored.

load helpers
load podman-helpers

bats_require_minimum_version 1.5.0

podman_hooks_for_every_test

# step, with standard error sorted: Podman copies blobs in parallel and
# prints their lines in the order they start.
tstep() {
	local tool=$1 rc=0
	shift
	"$tool" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
	{
		echo "\$ $* -> $rc" | sed "s#$TEST_TMP#TMP#g"
		sed -e "s#$TEST_TMP#TMP#g" "$TEST_TMP/out" | sed 's/^/  out: /'
		sed -e "s#$TEST_TMP#TMP#g" "$TEST_TMP/err" | LC_ALL=C sort | sed 's/^/  err: /'
	} >>"$TEST_TMP/$tool.log"
}

# step, keeping only the exit code and that the error is one line: for
# failures whose words hold Podman's temporary paths.
tstep_rc() {
	local tool=$1 rc=0 lines
	shift
	"$tool" "$@" >/dev/null 2>"$TEST_TMP/err" || rc=$?
	lines=$(grep -c '^Error: ' "$TEST_TMP/err" || true)
	echo "\$ $* -> $rc ($lines error line)" | sed "s#$TEST_TMP#TMP#g" >>"$TEST_TMP/$tool.log"
}

# The images of tool $1, sorted: name, tag and ID.
images_of() {
	"$1" images -a --format '{{.Repository}}:{{.Tag}} {{.ID}}' | LC_ALL=C sort
}

# Files both tools read: the test image as an OCI archive with its name,
# the same with the name "v1" and with none, and as a docker-archive.
make_sources() {
	local src=$TEST_TMP/src
	mkdir -p "$src"
	cp "$(ferry_test_image)" "$src/named.tar"
	cp "$(ferry_test_docker_image)" "$src/docker.tar"
	oci_unpack "$src/named.tar" "$src/lay"
	jq -c '.manifests[0].annotations["org.opencontainers.image.ref.name"] = "v1"' "$src/lay/index.json" >"$src/i"
	mv "$src/i" "$src/lay/index.json"
	oci_pack "$src/lay" "$src/v1.tar"
	# containerd's name (buildkit writes both): it names the image, the
	# ref.name selects it.
	jq -c '.manifests[0].annotations["io.containerd.image.name"] = "example.com/team/app:2"' \
		"$src/lay/index.json" >"$src/i"
	mv "$src/i" "$src/lay/index.json"
	oci_pack "$src/lay" "$src/containerd.tar"
	jq -c 'del(.manifests[0].annotations)' "$src/lay/index.json" >"$src/i"
	mv "$src/i" "$src/lay/index.json"
	oci_pack "$src/lay" "$src/noname.tar"
	rm -rf "$src/lay"
}

pull_sequence() {
	local t=$1 src=$TEST_TMP/src
	tstep "$t" pull oci-archive:"$src/named.tar"
	tstep "$t" pull -q oci-archive:"$src/v1.tar"
	tstep "$t" pull -q oci-archive:"$src/noname.tar"
	tstep "$t" pull -q oci-archive:"$src/named.tar":localhost/ferry-test:latest
	tstep "$t" pull oci-archive:"$src/named.tar":nope
	tstep "$t" pull -q oci-archive:"$src/containerd.tar":v1
	tstep "$t" pull oci-archive:"$src/missing.tar"
	tstep_rc "$t" pull oci-archive:"$src/docker.tar"
	tstep "$t" pull -q docker-archive:"$src/docker.tar"
	tstep "$t" pull -q docker-archive:"$src/docker.tar":@0
	tstep "$t" pull docker-archive:"$src/docker.tar":@1
	tstep "$t" pull docker-archive:"$src/docker.tar":nope:latest
	tstep "$t" pull docker-archive:"$src/named.tar"
	tstep "$t" pull docker-archive:"$src/missing.tar"
	tstep "$t" pull oci:"$src/missing"
	tstep "$t" pull dir:"$src/missing"
	tstep "$t" pull -q containers-storage:localhost/ferry-test
	tstep "$t" pull containers-storage:nothere
	tstep "$t" pull docker-daemon:nothere:latest
	images_of "$t" | sed 's/^/  images: /' >>"$TEST_TMP/$t.log"
	tstep "$t" image exists oci-archive:"$src/named.tar"
	tstep "$t" image exists containers-storage:localhost/ferry-test
	tstep "$t" rmi oci-archive:"$src/named.tar"
	# run and create pull from a transport whatever --pull says.
	tstep "$t" run --rm --network none --pull never oci-archive:"$src/noname.tar" cat /etc/ferry-release
	tstep "$t" run --rm --network none -q oci-archive:"$src/missing.tar" true
	tstep "$t" create -q --network none docker-archive:"$src/docker.tar":nope:latest true
	tstep "$t" ps -a -q
	# load names a short ref.name as a pull does (its standard error, where
	# Podman prints the lines of a pull and ferry none, is left out), and
	# takes no transport.
	"$t" load -i "$src/v1.tar" 2>/dev/null | sed 's/^/  load: /' >>"$TEST_TMP/$t.log"
	tstep_rc "$t" load -q -i oci-archive:"$src/v1.tar"
}

# Runs sequence $1 in ferry and compares its transcript with the one on
# stdin (Podman's), then, where Podman is installed, in Podman too.
compare_with_podman() {
	local seq=$1
	cat >"$TEST_TMP/expected.log"
	make_sources
	"$seq" f
	if command -v podman >/dev/null; then
		"$seq" podman_t
		# ferry's store is named by its --root alone: no driver@root+runroot.
		sed -i 's#\[overlay@TMP/proot+TMP/prun\]##g' "$TEST_TMP/podman_t.log"
		diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
	fi
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
}

@test "pull from each transport: names, IDs, lines, messages and exit codes as Podman's" {
	compare_with_podman pull_sequence <<-'EOF'
		$ pull oci-archive:TMP/src/named.tar -> 0
		  out: 3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449
		  err: Copying blob sha256:7add86ee7b7fd4348ce34287f99b8fa8ce03873b74cbb827c3cf2e764e7041c6
		  err: Copying blob sha256:f33b9fb0d926c79a0638870c87c3374f462efa4e2d8775bc6af9d8ccdceb9df6
		  err: Copying config sha256:3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449
		  err: Getting image source signatures
		  err: Writing manifest to image destination
		$ pull -q oci-archive:TMP/src/v1.tar -> 0
		  out: 3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449
		$ pull -q oci-archive:TMP/src/noname.tar -> 0
		  out: 3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449
		$ pull -q oci-archive:TMP/src/named.tar:localhost/ferry-test:latest -> 0
		  out: 3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449
		$ pull oci-archive:TMP/src/named.tar:nope -> 125
		  err: Error: loading index: no descriptor found for reference "nope"
		$ pull -q oci-archive:TMP/src/containerd.tar:v1 -> 0
		  out: 3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449
		$ pull oci-archive:TMP/src/missing.tar -> 125
		  err: Error: creating temp directory: archive file not found: "TMP/src/missing.tar"
		$ pull oci-archive:TMP/src/docker.tar -> 125 (1 error line)
		$ pull -q docker-archive:TMP/src/docker.tar -> 0
		  out: 3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449
		$ pull -q docker-archive:TMP/src/docker.tar:@0 -> 0
		  out: 3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449
		$ pull docker-archive:TMP/src/docker.tar:@1 -> 125
		  err: Error: Invalid source index @1, only 1 manifest items available
		$ pull docker-archive:TMP/src/docker.tar:nope:latest -> 125
		  err: Error: Tag "docker.io/library/nope:latest" not found
		$ pull docker-archive:TMP/src/named.tar -> 125
		  err: Error: loading tar component "manifest.json": file does not exist
		$ pull docker-archive:TMP/src/missing.tar -> 125
		  err: Error: opening file "TMP/src/missing.tar": open TMP/src/missing.tar: no such file or directory
		$ pull oci:TMP/src/missing -> 125
		  err: Error: open TMP/src/missing/index.json: no such file or directory
		$ pull dir:TMP/src/missing -> 125
		  err: Error: open TMP/src/missing/manifest.json: no such file or directory
		$ pull -q containers-storage:localhost/ferry-test -> 0
		  out: 3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449
		$ pull containers-storage:nothere -> 125
		  err: Error: initializing source containers-storage:docker.io/library/nothere:latest: reference "docker.io/library/nothere:latest" does not resolve to an image ID
		$ pull docker-daemon:nothere:latest -> 125
		  err: Error: initializing source docker-daemon:nothere:latest: loading image from docker engine: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?
		  images: example.com/team/app:2 3bb7d0590f13
		  images: localhost/ferry-test:latest 3bb7d0590f13
		  images: localhost/v1:latest 3bb7d0590f13
		$ image exists oci-archive:TMP/src/named.tar -> 125
		  err: Error: unsupported transport "oci-archive" for looking up local images
		$ image exists containers-storage:localhost/ferry-test -> 0
		$ rmi oci-archive:TMP/src/named.tar -> 125
		  err: Error: unsupported transport "oci-archive" for looking up local images
		$ run --rm --network none --pull never oci-archive:TMP/src/noname.tar cat /etc/ferry-release -> 0
		  out: ferry-test-image 1
		  err: Copying blob sha256:7add86ee7b7fd4348ce34287f99b8fa8ce03873b74cbb827c3cf2e764e7041c6
		  err: Copying blob sha256:f33b9fb0d926c79a0638870c87c3374f462efa4e2d8775bc6af9d8ccdceb9df6
		  err: Copying config sha256:3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449
		  err: Getting image source signatures
		  err: Writing manifest to image destination
		$ run --rm --network none -q oci-archive:TMP/src/missing.tar true -> 125
		  err: Error: creating temp directory: archive file not found: "TMP/src/missing.tar"
		$ create -q --network none docker-archive:TMP/src/docker.tar:nope:latest true -> 125
		  err: Error: Tag "docker.io/library/nope:latest" not found
		$ ps -a -q -> 0
		  load: Loaded image: localhost/v1:latest
		$ load -q -i oci-archive:TMP/src/v1.tar -> 125 (1 error line)
	EOF
}

# Appends a shell command's output (in the test's directory) to tool $1's
# transcript.
show() {
	local tool=$1
	shift
	(cd "$TEST_TMP/dest" && eval "$*") 2>&1 | sed 's/^/  show: /' >>"$TEST_TMP/$tool.log"
}

# The ref.names of layout $1's index, "-" for none.
refs_of() {
	echo "jq -c '[.manifests[] | .annotations[\"org.opencontainers.image.ref.name\"] // \"-\"]' $1"
}

push_sequence() {
	local t=$1 d=$TEST_TMP/dest
	rm -rf "$d"
	mkdir -p "$d"
	"$t" load -q -i "$(ferry_test_image)" >/dev/null
	# -q: ferry keeps a loaded layer's blob as it came (compressed here) and
	# writes it so to an OCI layout, where Podman, which stored it
	# uncompressed, writes that; the lines differ by those digests.
	tstep "$t" push -q ferry-test oci-archive:"$d/a.tar"
	show "$t" 'tar -xOf a.tar index.json | jq -c "[.manifests[] | .annotations]"'
	tstep "$t" push -q ferry-test oci-archive:"$d/a2.tar":myname
	show "$t" 'tar -xOf a2.tar index.json | jq -c "[.manifests[] | .annotations]"'
	tstep "$t" push ferry-test docker-archive:"$d/d.tar"
	show "$t" 'tar -xOf d.tar manifest.json | jq -c "[.[] | .RepoTags]"'
	tstep "$t" push -q ferry-test docker-archive:"$d/d.tar"
	# --digestfile: the schema 2 manifest of the layers as written.
	tstep "$t" push -q --digestfile "$d/dg" ferry-test docker-archive:"$d/dg.tar"
	show "$t" 'cat dg; echo; rm dg dg.tar'
	tstep "$t" push -q ferry-test docker-archive:"$d/d2.tar":foo/x:1
	show "$t" 'tar -xOf d2.tar manifest.json | jq -c "[.[] | .RepoTags]"'
	tstep "$t" push ferry-test dir:"$d/dir"
	show "$t" 'ls dir; cat dir/version; echo'
	tstep "$t" push -q --compress ferry-test dir:"$d/cdir"
	show "$t" 'jq -r ".layers[].mediaType" cdir/manifest.json | grep -c gzip'
	# Each gzip layer unpacks to the diff_id the config names.
	show "$t" 'for b in $(jq -r ".layers[].digest" cdir/manifest.json); do gzip -dc cdir/${b#sha256:} | sha256sum | cut -c1-64; done'
	show "$t" 'jq -r ".rootfs.diff_ids[]" cdir/$(jq -r .config.digest cdir/manifest.json | cut -d: -f2) | cut -d: -f2'
	tstep "$t" push -q ferry-test oci:"$d/lay":t1
	tstep "$t" push -q ferry-test oci:"$d/lay":t2
	tstep "$t" push -q ferry-test oci:"$d/lay":t1
	tstep "$t" push -q ferry-test oci:"$d/lay"
	show "$t" "$(refs_of lay/index.json)"
	tstep "$t" push -q ferry-test oci:"$d/lay"
	tstep "$t" push -q ferry-test oci:"$d/lay":t3
	show "$t" "$(refs_of lay/index.json)"
	tstep "$t" push -q ferry-test containers-storage:stored/copy:1
	images_of "$t" | sed 's/^/  images: /' >>"$TEST_TMP/$t.log"
	tstep "$t" push localhost/nothere oci-archive:"$d/n.tar"
	mkdir "$d/precious"
	echo keep >"$d/precious/file"
	tstep "$t" push ferry-test dir:"$d/precious"
	show "$t" 'ls precious'
	tstep_rc "$t" push ferry-test oci-archive:"$d/nodir/x.tar"
	tstep_rc "$t" push ferry-test docker-daemon:x:1
	# save takes a file, not a transport: Podman refuses any colon.
	tstep "$t" save -q -o oci-archive:"$d/s.tar" ferry-test
	show "$t" 'ls'
}

@test "push to each transport: layouts, names, lines, messages and exit codes as Podman's" {
	compare_with_podman push_sequence <<-'EOF'
		$ push -q ferry-test oci-archive:TMP/dest/a.tar -> 0
		  show: [null]
		$ push -q ferry-test oci-archive:TMP/dest/a2.tar:myname -> 0
		  show: [{"org.opencontainers.image.ref.name":"myname"}]
		$ push ferry-test docker-archive:TMP/dest/d.tar -> 0
		  err: Copying blob sha256:2fc5845bb1eb8b1a7472d42b91a95b5c510b9982ab34620564e42b938c3d4db5
		  err: Copying blob sha256:9af66bdfcc4540471a8373946789b9fcceb00df9eb9061f02a4d7ff2b90c2c02
		  err: Copying config sha256:3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449
		  err: Getting image source signatures
		  err: Writing manifest to image destination
		  show: [["localhost/ferry-test:latest"]]
		$ push -q ferry-test docker-archive:TMP/dest/d.tar -> 125
		  err: Error: initializing destination docker-archive:TMP/dest/d.tar: docker-archive doesn't support modifying existing images
		$ push -q --digestfile TMP/dest/dg ferry-test docker-archive:TMP/dest/dg.tar -> 0
		  show: sha256:5c0d0852fdd8635a7d652ef8d9d17f9ca7f2c39f867bce3afac6384239654536
		$ push -q ferry-test docker-archive:TMP/dest/d2.tar:foo/x:1 -> 0
		  show: [["docker.io/foo/x:1","localhost/ferry-test:latest"]]
		$ push ferry-test dir:TMP/dest/dir -> 0
		  err: Copying blob sha256:2fc5845bb1eb8b1a7472d42b91a95b5c510b9982ab34620564e42b938c3d4db5
		  err: Copying blob sha256:9af66bdfcc4540471a8373946789b9fcceb00df9eb9061f02a4d7ff2b90c2c02
		  err: Copying config sha256:3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449
		  err: Getting image source signatures
		  err: Writing manifest to image destination
		  show: 2fc5845bb1eb8b1a7472d42b91a95b5c510b9982ab34620564e42b938c3d4db5
		  show: 3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449
		  show: 9af66bdfcc4540471a8373946789b9fcceb00df9eb9061f02a4d7ff2b90c2c02
		  show: manifest.json
		  show: version
		  show: Directory Transport Version: 1.1
		  show: 
		$ push -q --compress ferry-test dir:TMP/dest/cdir -> 0
		  show: 2
		  show: 9af66bdfcc4540471a8373946789b9fcceb00df9eb9061f02a4d7ff2b90c2c02
		  show: 2fc5845bb1eb8b1a7472d42b91a95b5c510b9982ab34620564e42b938c3d4db5
		  show: 9af66bdfcc4540471a8373946789b9fcceb00df9eb9061f02a4d7ff2b90c2c02
		  show: 2fc5845bb1eb8b1a7472d42b91a95b5c510b9982ab34620564e42b938c3d4db5
		$ push -q ferry-test oci:TMP/dest/lay:t1 -> 0
		$ push -q ferry-test oci:TMP/dest/lay:t2 -> 0
		$ push -q ferry-test oci:TMP/dest/lay:t1 -> 0
		$ push -q ferry-test oci:TMP/dest/lay -> 0
		  show: ["t1","t2","-"]
		$ push -q ferry-test oci:TMP/dest/lay -> 0
		$ push -q ferry-test oci:TMP/dest/lay:t3 -> 0
		  show: ["t1","t2","t3"]
		$ push -q ferry-test containers-storage:stored/copy:1 -> 0
		  images: docker.io/stored/copy:1 3bb7d0590f13
		  images: localhost/ferry-test:latest 3bb7d0590f13
		$ push localhost/nothere oci-archive:TMP/dest/n.tar -> 125
		  err: Error: localhost/nothere: image not known
		$ push ferry-test dir:TMP/dest/precious -> 125
		  err: Error: initializing destination dir:TMP/dest/precious: not a containers image directory, don't want to overwrite important data
		  show: file
		$ push ferry-test oci-archive:TMP/dest/nodir/x.tar -> 125 (1 error line)
		$ push ferry-test docker-daemon:x:1 -> 125 (1 error line)
		$ save -q -o oci-archive:TMP/dest/s.tar ferry-test -> 125
		  err: Error: invalid filename (should not contain ':') "oci-archive:TMP/dest/s.tar"
		  show: a.tar
		  show: a2.tar
		  show: cdir
		  show: d.tar
		  show: d2.tar
		  show: dir
		  show: lay
		  show: precious
	EOF
}

@test "round trips: ferry -> each transport -> ferry on another root and Podman; Podman -> each transport -> ferry" {
	load_test_image
	id=$(f image inspect --format '{{.Id}}' ferry-test)
	digest=$(f image inspect --format '{{.Digest}}' ferry-test)
	x=$TEST_TMP/x
	mkdir "$x"
	srcs="oci-archive:$x/a.tar:localhost/rt/oa:1 oci:$x/lay:rt/oci:2 docker-archive:$x/d.tar:localhost/rt/da:3 dir:$x/dir"
	for s in $srcs; do
		f push -q --digestfile "$x/digest" ferry-test "$s"
	done
	# --digestfile: the digest of the manifest written (the last, dir:'s).
	[ "$(cat "$x/digest")" = "sha256:$(sha256sum <"$x/dir/manifest.json" | cut -c1-64)" ]
	f push -q --digestfile "$x/digest" ferry-test oci:"$x/lay":again
	[ "$(cat "$x/digest")" = "$digest" ]
	jq -e --arg d "$digest" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "again") | .digest == $d' "$x/lay/index.json"
	# The lines a push prints name the layers by their diff_ids, as
	# Podman's (its store keeps them uncompressed), not the blobs written.
	f push ferry-test oci-archive:"$x/b.tar" 2>"$TEST_TMP/err"
	tar -xOf "$x/b.tar" index.json | jq -r '.manifests[0].digest' | cut -d: -f2 >"$TEST_TMP/m"
	c=$(tar -xOf "$x/b.tar" "blobs/sha256/$(cat "$TEST_TMP/m")" | jq -r '.config.digest' | cut -d: -f2)
	tar -xOf "$x/b.tar" "blobs/sha256/$c" | jq -r '.rootfs.diff_ids[]' | sed 's/^/Copying blob /' >"$TEST_TMP/want"
	grep '^Copying blob' "$TEST_TMP/err" | diff - "$TEST_TMP/want"

	for s in $srcs; do
		[ "$(fb pull -q "$s")" = "$id" ]
	done
	# The names each one gives, and the manifest an OCI file kept.
	names=$(images_of fb)
	[ "$(echo "$names" | paste -sd' ')" = "docker.io/rt/oci:2 ${id:0:12} localhost/rt/da:3 ${id:0:12} localhost/rt/oa:1 ${id:0:12}" ]
	[ "$(fb image inspect --format '{{.Digest}}' localhost/rt/oa:1)" = "$digest" ]
	# run and create take a transport: pulled whatever --pull says.
	rm -rf "$TEST_TMP/rootB" "$TEST_TMP/runB"
	run -0 --separate-stderr fb run --rm --pull never oci-archive:"$x/a.tar" cat /etc/ferry-release
	[ "$output" = "ferry-test-image 1" ]
	[[ "$stderr" == "Getting image source signatures"* ]]
	cid=$(fb create -q docker-archive:"$x/d.tar":localhost/rt/da:3 true)
	[ "$(fb inspect --format '{{.ImageName}} {{.Image}}' "$cid")" = "localhost/rt/da:3 $id" ]
	fb start -a "$cid"
	fb rm "$cid"

	command -v podman >/dev/null || return 0
	for s in $srcs; do
		[ "$(podman_t pull -q "$s")" = "$id" ]
	done
	[ "$(images_of podman_t)" = "$names" ]
	[ "$(podman_t run --rm --network none oci:"$x/lay":rt/oci:2 cat /etc/ferry-release 2>/dev/null)" = "ferry-test-image 1" ]

	# What Podman writes, ferry pulls, on a root of its own.
	rm -rf "$TEST_TMP/rootB" "$TEST_TMP/runB"
	p=$TEST_TMP/p
	mkdir "$p"
	psrcs="oci-archive:$p/a.tar:localhost/pt/oa:1 oci:$p/lay:pt/oci:2 docker-archive:$p/d.tar:localhost/pt/da:3 dir:$p/dir"
	for s in $psrcs; do
		podman_t push -q "$id" "$s"
		[ "$(fb pull -q "$s")" = "$id" ]
		[ "$(podman_t pull -q "$s")" = "$id" ]
	done
	podman_t push -q --compress "$id" dir:"$p/cdir"
	[ "$(fb pull -q dir:"$p/cdir")" = "$id" ]
	[ "$(images_of fb)" = "$(podman_t images -a --format '{{.Repository}}:{{.Tag}} {{.ID}}' | grep pt/ | LC_ALL=C sort)" ]
	[ "$(fb run --rm -q oci:"$p/lay":pt/oci:2 cat /etc/ferry-release)" = "ferry-test-image 1" ]
}

@test "hostile files: a corrupt blob, an entry that climbs out, a link or a bad layer is refused and nothing is stored; a killed pull leaves nothing" {
	x=$TEST_TMP/x
	oci_unpack "$(ferry_test_image)" "$x/lay"
	cp -r "$x/lay" "$x/orig"
	# A layer's blob with a byte changed: its digest no longer matches.
	layer=$(jq -r '.layers[-1].digest' "$(oci_blob_path "$x/lay" "$(oci_manifest_digest "$x/lay")")")
	printf 'X' | dd of="$(oci_blob_path "$x/lay" "$layer")" bs=1 seek=100 conv=notrunc 2>/dev/null
	oci_pack "$x/lay" "$x/corrupt.tar"
	for s in oci-archive:"$x/corrupt.tar" oci:"$x/lay"; do
		run_ferry pull -q "$s"
		assert_status 125
		assert_one_line_error
		assert_output_contains "blob $layer in image archive"
		assert_output_contains "is corrupt"
		run_ferry run --rm "$s" true
		assert_status 125
		[ -z "$(f ps -aq)" ]
		assert_store_empty
	done

	# An entry named ../x: refused before anything is written anywhere.
	python3 - "$x/orig" "$x/climb.tar" <<-'PY'
		import os, sys, tarfile
		src, dst = sys.argv[1], sys.argv[2]
		with tarfile.open(dst, "w") as t:
		    for root, dirs, files in os.walk(src):
		        for n in files:
		            p = os.path.join(root, n)
		            t.add(p, os.path.relpath(p, src))
		    t.add(os.path.join(src, "oci-layout"), "../climbed")
	PY
	run_ferry pull oci-archive:"$x/climb.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains 'an entry with an unsafe name `../climbed`'
	[ ! -e "$TEST_TMP/climbed" ] && [ ! -e "$ROOT/storage/climbed" ]
	assert_store_empty

	# A link in a layout directory is never followed.
	cp -r "$x/orig" "$x/linked"
	ln -s /etc/shadow "$x/linked/blobs/sha256/evil"
	run_ferry pull oci:"$x/linked"
	assert_status 125
	assert_one_line_error
	assert_output_contains 'has a symbolic link `blobs/sha256/evil`'
	assert_store_empty

	# A layer whose content is not the diff_id its config says.
	f load -q -i "$(ferry_test_image)"
	f push -q ferry-test dir:"$x/dir"
	f rmi -a >/dev/null
	first=$(jq -r '.layers[0].digest' "$x/dir/manifest.json" | cut -d: -f2)
	second=$(jq -r '.layers[1].digest' "$x/dir/manifest.json" | cut -d: -f2)
	cp "$x/dir/$second" "$x/dir/$first"
	jq -c --argjson s "$(stat -c %s "$x/dir/$first")" '.layers[0].size = $s' "$x/dir/manifest.json" >"$x/m"
	mv "$x/m" "$x/dir/manifest.json"
	run_ferry pull dir:"$x/dir"
	assert_status 125
	assert_one_line_error
	assert_output_contains "is corrupt"
	assert_store_empty

	# Killed once the layers are unpacked, before the image is recorded:
	# no image, and the next command sweeps the work files.
	FERRY_FAULT=load-unpacked run_ferry pull -q oci-archive:"$(ferry_test_image)"
	assert_status 137
	[ -z "$(f images -aq)" ]
	assert_store_empty
	[ "$(f pull -q oci-archive:"$(ferry_test_image)")" = "$(f images -q --no-trunc | cut -d: -f2)" ]

	# Killed while writing to an OCI layout: its index is as it was, and
	# the next push completes it.
	f push -q ferry-test oci:"$x/out":one
	cp "$x/out/index.json" "$TEST_TMP/index.before"
	FERRY_FAULT=save-blobs-written run_ferry push -q ferry-test oci:"$x/out":two
	assert_status 137
	cmp "$x/out/index.json" "$TEST_TMP/index.before"
	f push -q ferry-test oci:"$x/out":two
	[ "$(jq -c '[.manifests[].annotations["org.opencontainers.image.ref.name"]]' "$x/out/index.json")" = '["one","two"]' ]
}

@test "pull's source and push's destination complete to the transports; help says how each is named" {
	# shellcheck source=/dev/null
	source "$FERRY_SRC/completions/bash/ferry"
	complete_transport() {
		COMP_WORDS=("$FERRY_BIN" "$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="${COMP_WORDS[*]}"
		COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		_ferry || true
		printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | paste -sd' '
	}
	[ "$(complete_transport pull oci)" = "oci-archive: oci:" ]
	[ "$(complete_transport push ferry-test d)" = "dir: docker-archive: docker://" ]
	[ "$(complete_transport push --compress ferry-test con)" = "containers-storage:" ]
	f pull --help | grep -q 'oci-archive:PATH\[:REF\]'
	f push --help | grep -q -- '--compress  *gzip the layers written to a dir: destination'
}
