#!/usr/bin/env bats
# cp, export, commit, top, stats and container prune as a Podman user
# types them.  Sequences run in ferry and are compared with what Podman 5.4
# printed for them (kept below), and, where Podman is installed, with
# Podman run live on roots of the test's own.  The hostile cases (symlinks
# the container controls, tar streams that climb out) are ferry's alone:
# nothing may be read or written outside the container.

load helpers
load podman-helpers

teardown() {
	podman_teardown
	ferry_teardown
}

# Appends a shell command's output (in the tool's host directory) to the
# transcript.
show() {
	local tool=$1
	shift
	(cd "$TEST_TMP/$tool-host" && eval "$*") 2>&1 | sed 's/^/  show: /' >>"$TEST_TMP/$tool.log"
}

# Runs sequence function $1 in ferry and compares its transcript with the
# one on stdin (Podman's), then, where Podman is installed, in Podman too.
compare_with_podman() {
	local seq=$1
	cat >"$TEST_TMP/expected.log"
	load_test_image
	touch "$TEST_TMP/f.sed"
	mkdir -p "$TEST_TMP/f-host"
	(cd "$TEST_TMP/f-host" && "$seq" f)
	if command -v podman >/dev/null; then
		mkdir -p "$TEST_TMP/ptmp" "$TEST_TMP/podman_t-host"
		touch "$TEST_TMP/podman_t.sed"
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		(cd "$TEST_TMP/podman_t-host" && "$seq" podman_t)
		diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
	fi
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
}

# Files in the container and on the host for the cp sequences.
cp_fixture() {
	local t=$1
	make_containers "$t" <<-EOF
		r1 run sleep 1000
		c1 create true
	EOF
	"$t" exec r1 sh -c 'mkdir -p /d/sub && echo hi >/d/f && echo s >/d/sub/g && ln -s / /rootlink &&
		ln -s ../../etc /d/up && ln -s /etc/passwd /plink && chown 1000:1000 /d/f'
	echo host >hf
	mkdir hd
	echo x >hd/x
	chown 1234:1234 hf
}

cp_sequence() {
	local t=$1
	cp_fixture "$t"
	step "$t" cp r1:/nosuch out1
	step "$t" cp r1:/d/f out1
	show "$t" 'stat -c "%u:%g %s %n" out1; cat out1'
	step "$t" cp r1:/d out2
	show "$t" 'find out2 | sort'
	step "$t" cp r1:/d/. out3
	show "$t" 'find out3 | sort'
	step "$t" cp r1:/d/f hd
	show "$t" 'ls hd'
	step "$t" cp r1:/rootlink/etc/passwd out5
	show "$t" 'cat out5'
	step "$t" cp r1:/plink out6
	show "$t" 'stat -c "%F %n" out6'
	step "$t" cp r1:/d/f nodir/x
	step "$t" cp r1:/d/f newfile/
	step "$t" cp r1:/d hf
	step "$t" cp hf r1:/d/
	step "$t" cp -a=false hf r1:/d/hf2
	step "$t" cp --archive=false hf r1:/d/hf3
	step "$t" exec r1 stat -c "%u:%g %n" /d/hf /d/hf2 /d/hf3
	step "$t" cp hf r1:/nosuchdir/x
	step "$t" cp hf r1:/nosuchdir/
	step "$t" cp hf r1:/d/newdir/
	step "$t" cp hd r1:/d/f
	step "$t" cp hd r1:/d/f/x
	step_rc "$t" cp hf r1:/d/f/
	step "$t" cp hd/. r1:/d/sub2
	step "$t" cp hd r1:/d/sub2
	step "$t" exec r1 sh -c "find /d/sub2 | sort"
	step "$t" cp hf r1:/d/up/escape
	step "$t" exec r1 cat /etc/escape
	step "$t" cp hf r1:/rootlink/tmp/viaroot
	step "$t" exec r1 ls /tmp
	step "$t" cp nosuchhost r1:/tmp
	step "$t" cp r1:/d/f nosuchctr:/x
	step "$t" cp nosuch:/x .
	step "$t" cp hf hf2
	step "$t" cp a b c
	step "$t" cp
	step "$t" cp r1:/d/f ""
	# A stopped container, and a paused one.
	step "$t" cp hf c1:/tmp/
	step "$t" cp c1:/tmp/hf out9
	show "$t" 'cat out9'
	step "$t" pause r1
	step "$t" cp hf r1:/tmp/paused
	step "$t" unpause r1
	step "$t" exec r1 cat /tmp/paused
}

@test "cp: into and out of containers, paths, messages and exit codes as Podman's" {
	compare_with_podman cp_sequence <<-'EOF'
		$ cp r1:/nosuch out1 -> 125
		  err: Error: "/nosuch" could not be found on container r1: no such file or directory
		$ cp r1:/d/f out1 -> 0
		  show: 0:0 3 out1
		  show: hi
		$ cp r1:/d out2 -> 0
		  show: out2
		  show: out2/f
		  show: out2/sub
		  show: out2/sub/g
		  show: out2/up
		$ cp r1:/d/. out3 -> 0
		  show: out3
		  show: out3/f
		  show: out3/sub
		  show: out3/sub/g
		  show: out3/up
		$ cp r1:/d/f hd -> 0
		  show: f
		  show: x
		$ cp r1:/rootlink/etc/passwd out5 -> 0
		  show: root:x:0:0:root:/root:/bin/sh
		  show: nobody:x:65534:65534:nobody:/nonexistent:/bin/false
		$ cp r1:/plink out6 -> 0
		  show: regular file out6
		$ cp r1:/d/f nodir/x -> 125
		  err: Error: "nodir/x" could not be found on the host: no such file or directory
		$ cp r1:/d/f newfile/ -> 125
		  err: Error: "newfile/" could not be found on the host: no such file or directory
		$ cp r1:/d hf -> 125
		  err: Error: destination must be a directory when copying a directory
		$ cp hf r1:/d/ -> 0
		$ cp -a=false hf r1:/d/hf2 -> 0
		$ cp --archive=false hf r1:/d/hf3 -> 0
		$ exec r1 stat -c %u:%g %n /d/hf /d/hf2 /d/hf3 -> 0
		  out: 0:0 /d/hf
		  out: 1234:1234 /d/hf2
		  out: 1234:1234 /d/hf3
		$ cp hf r1:/nosuchdir/x -> 125
		  err: Error: "/nosuchdir/x" could not be found on container r1: no such file or directory
		$ cp hf r1:/nosuchdir/ -> 125
		  err: Error: "/nosuchdir/" could not be found on container r1: no such file or directory
		$ cp hf r1:/d/newdir/ -> 125
		  err: Error: "/d/newdir/" could not be found on container r1: no such file or directory
		$ cp hd r1:/d/f -> 125
		  err: Error: destination must be a directory when copying a directory
		$ cp hd r1:/d/f/x -> 125
		  err: Error: destination must be a directory when copying a directory
		$ cp hf r1:/d/f/ -> 125
		$ cp hd/. r1:/d/sub2 -> 0
		$ cp hd r1:/d/sub2 -> 0
		$ exec r1 sh -c find /d/sub2 | sort -> 0
		  out: /d/sub2
		  out: /d/sub2/f
		  out: /d/sub2/hd
		  out: /d/sub2/hd/f
		  out: /d/sub2/hd/x
		  out: /d/sub2/x
		$ cp hf r1:/d/up/escape -> 0
		$ exec r1 cat /etc/escape -> 0
		  out: host
		$ cp hf r1:/rootlink/tmp/viaroot -> 0
		$ exec r1 ls /tmp -> 0
		  out: viaroot
		$ cp nosuchhost r1:/tmp -> 125
		  err: Error: "nosuchhost" could not be found on the host: no such file or directory
		$ cp r1:/d/f nosuchctr:/x -> 125
		  err: Error: container "nosuchctr" does not exist
		$ cp nosuch:/x . -> 125
		  err: Error: container "nosuch" does not exist
		$ cp hf hf2 -> 125
		  err: Error: name or ID cannot be empty
		$ cp a b c -> 125
		  err: Error: accepts 2 arg(s), received 3
		$ cp -> 125
		  err: Error: accepts 2 arg(s), received 0
		$ cp r1:/d/f  -> 125
		  err: Error: invalid arguments "r1:/d/f", "": you must specify paths
		$ cp hf c1:/tmp/ -> 0
		$ cp c1:/tmp/hf out9 -> 0
		  show: host
		$ pause r1 -> 0
		  out: r1
		$ cp hf r1:/tmp/paused -> 0
		$ unpause r1 -> 0
		  out: r1
		$ exec r1 cat /tmp/paused -> 0
		  out: host
	EOF
}

cp_stream_sequence() {
	local t=$1
	cp_fixture "$t"
	mkdir -p in/sub
	echo a >in/a
	echo b >in/sub/b
	tar -C in -cf in.tar a sub
	"$t" cp r1:/d - >d.tar
	show "$t" 'tar -tf d.tar | sed "s#/\$##" | sort'
	"$t" cp r1:/d/. - >content.tar
	show "$t" 'tar -tf content.tar | sed "s#/\$##" | sort'
	step "$t" cp - r1:/d/sub <in.tar
	step "$t" exec r1 sh -c "find /d/sub | sort"
	step "$t" cp - r1:/d/f <in.tar
	step "$t" cp - r1:/nosuchd <in.tar
	# A directory may not replace a file, nor the reverse, without --overwrite.
	mkdir -p hd2/f
	step_rc "$t" cp hd2/. r1:/d/
	step "$t" exec r1 stat -c %F /d/f
	step "$t" cp --overwrite hd2/. r1:/d/
	step "$t" exec r1 stat -c %F /d/f
	# From one container into another.
	step "$t" cp r1:/d/sub c1:/tmp/
	step "$t" cp c1:/tmp/sub/a r1:/tmp/a2
	step "$t" exec r1 cat /tmp/a2
	step "$t" cp r1:/nosuch c1:/tmp/
	step "$t" cp r1:/d c1:/tmp/sub/a
	step "$t" cp r1:/d/sub/g c1:/nosuchdir/x
}

@test "cp: tar streams on standard input and output, and --overwrite, as Podman's" {
	compare_with_podman cp_stream_sequence <<-'EOF'
		  show: d
		  show: d/f
		  show: d/sub
		  show: d/sub/g
		  show: d/up
		  show: f
		  show: sub
		  show: sub/g
		  show: up
		$ cp - r1:/d/sub -> 0
		$ exec r1 sh -c find /d/sub | sort -> 0
		  out: /d/sub
		  out: /d/sub/a
		  out: /d/sub/g
		  out: /d/sub/sub
		  out: /d/sub/sub/b
		$ cp - r1:/d/f -> 125
		  err: Error: destination must be a directory when copying from stdin
		$ cp - r1:/nosuchd -> 125
		  err: Error: destination must be a directory when copying from stdin
		$ cp hd2/. r1:/d/ -> 125
		$ exec r1 stat -c %F /d/f -> 0
		  out: regular file
		$ cp --overwrite hd2/. r1:/d/ -> 0
		$ exec r1 stat -c %F /d/f -> 0
		  out: directory
		$ cp r1:/d/sub c1:/tmp/ -> 0
		$ cp c1:/tmp/sub/a r1:/tmp/a2 -> 0
		$ exec r1 cat /tmp/a2 -> 0
		  out: a
		$ cp r1:/nosuch c1:/tmp/ -> 125
		  err: Error: "/nosuch" could not be found on container r1: no such file or directory
		$ cp r1:/d c1:/tmp/sub/a -> 125
		  err: Error: destination must be a directory when copying a directory
		$ cp r1:/d/sub/g c1:/nosuchdir/x -> 125
		  err: Error: "/nosuchdir/x" could not be found on container c1: no such file or directory
	EOF
}

# The content of PATH in container $1, running or not.
ctr_cat() {
	f cp "$1:$2" - | tar -xOf -
}

@test "cp: symlinks the container controls never lead outside it, either way; stopped ones are unmounted after" {
	load_test_image
	f run -d --name r1 ferry-test sleep 1000 >/dev/null
	f create --name c1 ferry-test true >/dev/null
	mkdir "$TEST_TMP/hostdir"
	echo secret >"$TEST_TMP/secret"
	echo payload >"$TEST_TMP/payload"
	local host_passwd c id tag
	host_passwd=$(sha256sum /etc/passwd)
	tag=$(basename "$TEST_TMP")
	make_tar "$TEST_TMP/links.tar" rootlink:sym:/ up:sym:../../.. d:dir d/up:sym:../../etc \
		hostdir:sym:"$TEST_TMP/hostdir" leak:sym:"$TEST_TMP/secret" plink:sym:/etc/passwd
	for c in r1 c1; do
		f cp - "$c:/" <"$TEST_TMP/links.tar"
		cd "$TEST_TMP"
		rm -rf out outd

		# Out: every path is the container's, whatever its symlinks say.
		run_ferry cp "$c:/leak" out
		assert_status 125
		assert_output_contains "could not be found on container $c"
		[ ! -e out ]
		f cp "$c:/rootlink/etc/passwd" out
		[ "$(head -n1 out)" = "root:x:0:0:root:/root:/bin/sh" ]
		[ "$(wc -l <out)" -eq 2 ]
		f cp "$c:/up/etc/passwd" out
		[ "$(wc -l <out)" -eq 2 ]
		# A tree's symlinks come out as symlinks, never followed.
		f cp "$c:/d" outd
		[ "$(readlink outd/up)" = ../../etc ]
		[ "$(find outd | wc -l)" -eq 2 ]

		# In: writes land in the container or nowhere.
		run_ferry cp payload "$c:/hostdir/x"
		assert_status 125
		assert_output_contains "could not be found on container $c"
		run_ferry cp payload "$c:/leak"
		assert_status 125
		f cp payload "$c:/up/../../tmp/$tag"
		f cp payload "$c:/rootlink/etc/owned-$tag"
		f cp payload "$c:/d/up/also-$tag"
		f cp payload "$c:/plink"
		[ "$(ctr_cat "$c" "/tmp/$tag")" = payload ]
		[ "$(ctr_cat "$c" "/etc/owned-$tag")" = payload ]
		[ "$(ctr_cat "$c" "/etc/also-$tag")" = payload ]
		[ "$(ctr_cat "$c" /etc/passwd)" = payload ]
		[ ! -e "$TEST_TMP/hostdir/x" ] && [ ! -e "/tmp/$tag" ] && [ ! -e "/etc/owned-$tag" ] &&
			[ ! -e "/etc/also-$tag" ]
		[ "$(cat "$TEST_TMP/secret")" = secret ]
		[ "$(sha256sum /etc/passwd)" = "$host_passwd" ]
	done
	# What comes out to the host grants nothing there: no setuid bit, no
	# device node (a tar stream on standard output keeps both).
	python3 - "$TEST_TMP/special.tar" <<-'PY'
		import sys, tarfile
		with tarfile.open(sys.argv[1], "w") as t:
		    i = tarfile.TarInfo("suid"); i.mode = 0o4755; t.addfile(i)
		    i = tarfile.TarInfo("blk"); i.type = tarfile.BLKTYPE; i.devmajor, i.devminor = 8, 0; i.mode = 0o666
		    t.addfile(i)
	PY
	f cp - r1:/tmp <"$TEST_TMP/special.tar"
	f cp r1:/tmp/suid "$TEST_TMP/suid"
	[ "$(stat -c %a "$TEST_TMP/suid")" = 755 ]
	[ "$(f cp r1:/tmp/suid - | tar -tvf - | cut -c1-10)" = -rwsr-xr-x ]
	run_ferry cp r1:/tmp/blk "$TEST_TMP/blk"
	assert_status 125
	assert_one_line_error
	assert_output_contains "device node"
	[ ! -e "$TEST_TMP/blk" ]
	# Between containers, and within one, paths stay in their own.
	run_ferry cp r1:/leak c1:/x
	assert_status 125
	f cp r1:/rootlink/etc/passwd "c1:/up/../../tmp/from-r1-$tag"
	f cp c1:/up/etc/passwd "c1:/d/up/self-$tag"
	[ "$(ctr_cat c1 "/tmp/from-r1-$tag")" = payload ]
	[ "$(ctr_cat c1 "/etc/self-$tag")" = payload ]
	[ ! -e "/tmp/from-r1-$tag" ] && [ ! -e "/etc/self-$tag" ]
	# The stopped container's overlay was mounted for each copy only.
	id=$(f inspect --format '{{.Id}}' c1)
	! mountpoint -q "$ROOT/storage/overlay/$id/merged" || false
	[ "$(ctr_status c1)" = created ]
}

@test "cp: a stopped container's volumes and bind mounts are reached as a running one's" {
	load_test_image
	mkdir "$TEST_TMP/bind"
	echo b >"$TEST_TMP/bind/inbind"
	f create --name cv -v myvol:/vol -v "$TEST_TMP/bind:/bnd:ro" ferry-test true >/dev/null
	cd "$TEST_TMP"
	echo host >hf
	f cp hf cv:/vol/
	[ "$(f cp cv:/bnd/inbind - | tar -xOf -)" = b ]
	run_ferry cp hf cv:/bnd/
	assert_status 125
	assert_one_line_error
	[ ! -e "$TEST_TMP/bind/hf" ]
	[ "$(f run --rm -v myvol:/v ferry-test cat /v/hf)" = host ]
	# The mounts were the copy's own: none is left on the host.
	! grep -q "volumes/myvol\|$TEST_TMP/bind" /proc/self/mountinfo || false
}

@test "cp: a tar stream on standard input cannot climb out of the destination" {
	load_test_image
	f run -d --name r1 ferry-test sleep 1000 >/dev/null
	f exec r1 mkdir -p /a/b
	cd "$TEST_TMP"
	local tag
	tag=$(basename "$TEST_TMP")

	make_tar dotdot.tar "../../$tag-dotdot:file:x"
	run_ferry cp - r1:/a/b <dotdot.tar
	assert_status 125
	assert_one_line_error
	assert_output_contains "escapes the destination"

	make_tar through.tar "esc:sym:$TEST_TMP" "esc/$tag-through:file:x"
	run_ferry cp - r1:/a/b <through.tar
	assert_status 125
	assert_one_line_error

	make_tar hard.tar "hl:hard:../../../etc/passwd"
	run_ferry cp - r1:/a/b <hard.tar
	assert_status 125
	assert_one_line_error

	make_tar abs.tar "/$tag-abs:file:x"
	run_ferry cp - r1:/a/b <abs.tar
	assert_status 125
	assert_one_line_error

	# The same stream without the hostile entry goes in.
	make_tar good.tar "ok:file:x"
	f cp - r1:/a/b <good.tar
	[ "$(f exec r1 cat /a/b/ok)" = x ]

	[ ! -e "$TEST_TMP/$tag-dotdot" ] && [ ! -e "/$tag-dotdot" ] && [ ! -e "$TEST_TMP/$tag-through" ] &&
		[ ! -e "/$tag-abs" ]
	run f exec r1 sh -c "ls / /a | grep -c $tag"
	[ "$output" = 0 ]
}

# The names in tar file $1 without the image's binaries and the files each
# engine writes its own way (/etc/hosts and the like).
tar_names() {
	tar -tf "$1" | grep -Ev '^bin/.|^etc/(mtab|resolv.conf|hostname|hosts)$|^run/.containerenv$' | sort
}

export_sequence() {
	local t=$1
	make_containers "$t" <<-EOF
		r1 run sleep 1000
		c1 create true
	EOF
	"$t" exec r1 sh -c 'mkdir -p /new/dir && echo x >/new/dir/f && rm /etc/group'
	step "$t" export nosuch
	step "$t" export
	step "$t" export r1 c1
	step_rc "$t" export -o nodir/x.tar r1
	"$t" export r1 >r1.tar
	show "$t" 'tar_names r1.tar'
	step "$t" export -o c1.tar c1
	show "$t" 'tar_names c1.tar | grep -c .; stat -c %a c1.tar'
	step "$t" container export --output c1b.tar c1
	show "$t" 'cmp c1.tar c1b.tar && echo same'
}

@test "export: a container's file system as a tar archive, as Podman's" {
	compare_with_podman export_sequence <<-'EOF'
		$ export nosuch -> 125
		  err: Error: no container with name or ID "nosuch" found: no such container
		$ export -> 125
		  err: Error: accepts 1 arg(s), received 0
		$ export r1 c1 -> 125
		  err: Error: accepts 1 arg(s), received 2
		$ export -o nodir/x.tar r1 -> 125
		  show: bin/
		  show: dev/
		  show: etc/
		  show: etc/ferry-release
		  show: etc/passwd
		  show: new/
		  show: new/dir/
		  show: new/dir/f
		  show: opt/
		  show: opt/olddir/
		  show: opt/olddir/new
		  show: proc/
		  show: root/
		  show: run/
		  show: sys/
		  show: tmp/
		$ export -o c1.tar c1 -> 0
		  show: 14
		  show: 644
		$ container export --output c1b.tar c1 -> 0
		  show: same
	EOF
}

@test "export: refuses a terminal; what it writes imports and runs; no partial file on failure" {
	load_test_image
	f run -d --name r1 ferry-test sleep 1000 >/dev/null
	f exec r1 sh -c 'echo exported >/marker'
	cd "$TEST_TMP"
	run script -qec "$FERRY_BIN --root $ROOT --runroot $RUNROOT export r1" /dev/null
	assert_status 125
	assert_output_contains "Error: refusing to export to terminal. Use -o flag or redirect"
	f export -o r1.tar r1
	f import r1.tar localhost/r1-exported >/dev/null
	[ "$(f run --rm localhost/r1-exported cat /marker)" = exported ]
	run_ferry export -o r1.tar nosuch
	assert_status 125
	# The earlier archive stays as it was; no temporary file is left.
	[ "$(ls -A "$TEST_TMP" | grep -c 'r1.tar')" -eq 1 ]
	tar -tf r1.tar marker
}

# The settings of image $2 that commit makes, one JSON line (the
# engine-named `container=` variable left out).
image_settings() {
	"$1" image inspect "$2" | jq -cS '.[0] | [.Config.Entrypoint, .Config.Cmd,
		(.Config.Env | map(select(startswith("container=") | not))), .Config.WorkingDir, .Config.User,
		.Config.Labels, .Config.ExposedPorts, .Config.Volumes, .Config.StopSignal, .Author,
		.History[-1].comment, (.RootFS.Layers | length)]'
}

commit_sequence() {
	local t=$1 id
	make_containers "$t" <<-EOF
		r1 run sleep 1000
		c1 create true
	EOF
	"$t" exec r1 sh -c 'echo new >/newfile && rm /etc/group && rm -r /opt/olddir'
	id=$("$t" commit r1 img1 2>/dev/null)
	echo "s/$id/<img1>/g" >>"$TEST_TMP/$t.sed"
	step "$t" image inspect --format '{{.Id}}' img1
	step "$t" run --rm --network none img1 sh -c 'cat /newfile; ls /etc /opt | grep -v mtab'
	echo "  settings: $(image_settings "$t" img1)" >>"$TEST_TMP/$t.log"
	id=$("$t" commit -q -a me -c 'CMD ["cat","/newfile"]' -c 'ENV A=1 B="two words"' -c 'ENV K some value' \
		-c 'LABEL x=y "a b"=c' -c 'WORKDIR /d' -c 'WORKDIR e' -c 'EXPOSE 8080 53/udp' -c 'USER 1000' \
		-c 'VOLUME /v1 /v2' -c 'VOLUME ["/v3"]' -c 'STOPSIGNAL SIGUSR1' r1 img2)
	echo "s/$id/<img2>/g" >>"$TEST_TMP/$t.sed"
	echo "  settings: $(image_settings "$t" img2)" >>"$TEST_TMP/$t.log"
	"$t" commit -q -c 'ENTRYPOINT echo' -c 'label q="x y"' c1 img3 >/dev/null
	echo "  settings: $(image_settings "$t" img3)" >>"$TEST_TMP/$t.log"
	step "$t" run --rm img3 hello
	"$t" commit -q --iidfile "$TEST_TMP/$t.iid" c1 >/dev/null
	echo "  iidfile: $(wc -c <"$TEST_TMP/$t.iid")" >>"$TEST_TMP/$t.log"
	step "$t" commit nosuch img4
	step "$t" commit
	step "$t" commit r1 img4 extra
	step "$t" commit r1 'Bad Name'
	step "$t" commit -m msg r1 img4
	step "$t" commit -f bogus r1 img4
	# Podman's messages name its storage internals: exit codes only.
	step_rc "$t" commit -c 'BOGUS x' r1 img4
	step_rc "$t" commit -c 'USER' r1 img4
	step_rc "$t" commit -c 'ENV' r1 img4
	step "$t" image exists img4
}

@test "commit: an image of the container's changes and settings, with --change, as Podman's" {
	compare_with_podman commit_sequence <<-'EOF'
		$ image inspect --format {{.Id}} img1 -> 0
		  out: <img1>
		$ run --rm --network none img1 sh -c cat /newfile; ls /etc /opt | grep -v mtab -> 0
		  out: new
		  out: /etc:
		  out: ferry-release
		  out: hostname
		  out: hosts
		  out: passwd
		  out: 
		  out: /opt:
		  settings: [null,["sleep","1000"],["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"/",null,null,null,null,null,"","FROM localhost/ferry-test:latest",3]
		  settings: [null,["cat","/newfile"],["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","A=1","B=two words","K=some value"],"/d/e","1000",{"a b":"c","x":"y"},{"53/udp":{},"8080/tcp":{}},{"/v1":{},"/v2":{},"/v3":{}},"SIGUSR1","me","FROM localhost/ferry-test:latest",3]
		  settings: [["/bin/sh","-c","echo"],null,["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"/",null,{"q":"x y"},null,null,null,"","FROM localhost/ferry-test:latest",3]
		$ run --rm img3 hello -> 0
		  out: 
		  iidfile: 64
		$ commit nosuch img4 -> 125
		  err: Error: no container with name or ID "nosuch" found: no such container
		$ commit -> 125
		  err: Error: accepts between 1 and 2 arg(s), received 0
		$ commit r1 img4 extra -> 125
		  err: Error: accepts between 1 and 2 arg(s), received 3
		$ commit r1 Bad Name -> 125
		  err: Error: parsing reference "Bad Name": invalid reference format
		$ commit -m msg r1 img4 -> 125
		  err: Error: messages are only compatible with the docker image format (-f docker)
		$ commit -f bogus r1 img4 -> 125
		  err: Error: unrecognized image format "bogus"
		$ commit -c BOGUS x r1 img4 -> 125
		$ commit -c USER r1 img4 -> 125
		$ commit -c ENV r1 img4 -> 125
		$ image exists img4 -> 1
	EOF
}

@test "commit: deletions become whiteouts, a replaced directory hides the old content, --pause leaves it running" {
	load_test_image
	f run -d --name r1 ferry-test sleep 1000 >/dev/null
	# /opt/olddir comes from the image's second layer; /etc/group too.
	f exec r1 sh -c 'rm /etc/group && rm -r /opt/olddir && mkdir /opt/olddir && echo fresh >/opt/olddir/other'
	local id diff_id layer
	id=$(f commit -p -q r1 localhost/committed)
	[ "$(ctr_status r1)" = running ]
	[ "$(f image inspect --format '{{.Id}}' localhost/committed)" = "$id" ]
	diff_id=$(f image inspect localhost/committed | jq -r '.[0].RootFS.Layers[-1]')
	layer=$ROOT/storage/layers/${diff_id#sha256:}
	# Stored as overlay whiteouts: a 0:0 device for the file.
	[ "$(stat -c '%F %t:%T' "$layer/etc/group")" = "character special file 0:0" ]
	# ls's complaint on stdout too, so that it cannot come out of order.
	run f run --rm localhost/committed sh -c 'ls /etc/group 2>&1; ls /opt/olddir; cat /opt/olddir/other'
	assert_status 0
	[ "${lines[0]}" != /etc/group ]
	[ "${#lines[@]}" = 3 ]
	[ "${lines[-2]}" = other ]
	[ "${lines[-1]}" = fresh ]
	# The container's own files (/etc/hosts, /run/.containerenv) stay out.
	[ ! -e "$layer/etc/hosts" ] && [ ! -e "$layer/run/.containerenv" ] && [ ! -e "$layer/etc/hostname" ]
	# A commit can be committed on.
	f run -d --name r2 localhost/committed sleep 1000 >/dev/null
	f exec r2 sh -c 'echo two >/two'
	f commit -q r2 localhost/second >/dev/null
	[ "$(f run --rm localhost/second sh -c 'cat /two /opt/olddir/other')" = "two
fresh" ]
	[ "$(f image inspect localhost/second | jq '.[0].RootFS.Layers | length')" -eq 4 ]
}

prune_sequence() {
	local t=$1 id
	make_containers "$t" <<-EOF
		c1 create true
		r1 run sleep 1000
		e1 run true
		p1 run sleep 1000
	EOF
	"$t" wait e1 >/dev/null
	"$t" pause p1 >/dev/null
	id=$("$t" create --name c2 --network none --label x=1 localhost/ferry-test:latest true)
	echo "s/$id/<c2>/g" >>"$TEST_TMP/$t.sed"
	step "$t" container prune <<<n
	step_rc "$t" container prune </dev/null
	step "$t" container prune -f --filter label=x=1
	step "$t" container prune --force --filter label=nosuch
	step_rc "$t" container prune -f extra
	step_rc "$t" container prune -f --filter bogus=1
	step "$t" container prune <<<y
	echo "  left: $("$t" ps -a --format '{{.Names}}' | tr -d '[]"' | sort | paste -sd ' ')" >>"$TEST_TMP/$t.log"
	step "$t" container prune -f
}

@test "container prune: removes what does not run, asks first, as Podman's" {
	compare_with_podman prune_sequence <<-'EOF'
		$ container prune -> 0
		  out: WARNING! This will remove all non running containers.
		  out: Are you sure you want to continue? [y/N] $ container prune -> 125
		$ container prune -f --filter label=x=1 -> 0
		  out: <c2>
		$ container prune --force --filter label=nosuch -> 0
		$ container prune -f extra -> 125
		$ container prune -f --filter bogus=1 -> 125
		$ container prune -> 0
		  out: WARNING! This will remove all non running containers.
		  out: Are you sure you want to continue? [y/N] <c1>
		  out: <e1>
		  left: p1 r1
		$ container prune -f -> 0
	EOF
}

top_stats_sequence() {
	local t=$1 id
	make_containers "$t" <<-EOF
		c1 create true
	EOF
	id=$("$t" run -d --name t1 --network none localhost/ferry-test:latest sh -c 'sleep 1000 & sleep 999')
	echo "s/$id/<t1>/g; s/${id:0:12}/<t1>/g" >>"$TEST_TMP/$t.sed"
	wait_until "[ \$($t top t1 pid | wc -l) -eq 3 ]"
	# Not pid: the runtime's own set-up takes PIDs before the second process.
	step "$t" top t1 user ppid tty args comm state nice pgid group rgroup ruser huser hgroup vsz seccomp
	step "$t" top t1 ppid,comm
	# The columns that do not change with time.
	"$t" top t1 | sed -E 's/  +/|/g' | cut -d'|' -f1,3,6,8 | sed 's/^/  top: /' >>"$TEST_TMP/$t.log"
	step_rc "$t" top t1 bogus
	step "$t" top c1
	step "$t" top nosuch
	step "$t" top
	"$t" stats --no-stream | awk '{ print "  stats: " $2 }' >>"$TEST_TMP/$t.log"
	"$t" stats --no-stream -a | awk '{ print "  stats -a: " $2 }' >>"$TEST_TMP/$t.log"
	step "$t" stats --no-stream --format '{{.Name}} {{.NetIO}} {{.PIDs}}' t1
	step "$t" stats --no-stream c1
	step "$t" stats --no-stream --format json c1
	step "$t" stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.MemUsageBytes}} {{.CPUPerc}} {{.AVGCPU}} {{.UpTime}}' c1
	step "$t" stats --no-stream nosuch
}

@test "top and stats --no-stream: columns, descriptors, messages and exit codes as Podman's" {
	compare_with_podman top_stats_sequence <<-'EOF'
		$ top t1 user ppid tty args comm state nice pgid group rgroup ruser huser hgroup vsz seccomp -> 0
		  out: USER        PPID        TTY         COMMAND      COMMAND     STATE       NI          PGID        GROUP       RGROUP      RUSER       HUSER       HGROUP      VSZ         SECCOMP
		  out: root        0           ?           sleep 999    sleep       S           0           1           root        root        root        root        root        2268        filter
		  out: root        1           ?           sleep 1000   sleep       S           0           1           root        root        root        root        root        2268        filter
		$ top t1 ppid,comm -> 0
		  out: PPID        COMMAND
		  out: 0           sleep
		  out: 1           sleep
		  top: USER|PPID|TTY|COMMAND
		  top: root|0|?|sleep 999 
		  top: root|1|?|sleep 1000 
		$ top t1 bogus -> 125
		$ top c1 -> 125
		  err: Error: top can only be used on running containers
		$ top nosuch -> 125
		  err: Error: unable to look up requested container: no container with name or ID "nosuch" found: no such container
		$ top -> 125
		  err: Error: you must provide the name or id of a running container
		  stats: NAME
		  stats: t1
		  stats -a: NAME
		  stats -a: c1
		  stats -a: t1
		$ stats --no-stream --format {{.Name}} {{.NetIO}} {{.PIDs}} t1 -> 0
		  out: t1 0B / 0B 2
		$ stats --no-stream c1 -> 0
		  out: ID            NAME        CPU %       MEM USAGE / LIMIT  MEM %       NET IO      BLOCK IO    PIDS        CPU TIME    AVG CPU %
		  out: <c1>  c1          0.00%       0B / 0B            0.00%       0B / 0B     0B / 0B     0           0s          0.00%
		$ stats --no-stream --format json c1 -> 0
		  out: [
		  out:  {
		  out:   "id": "<c1>",
		  out:   "name": "c1",
		  out:   "cpu_time": "0s",
		  out:   "cpu_percent": "0.00%",
		  out:   "avg_cpu": "0.00%",
		  out:   "mem_usage": "0B / 0B",
		  out:   "mem_percent": "0.00%",
		  out:   "net_io": "0B / 0B",
		  out:   "block_io": "0B / 0B",
		  out:   "pids": "0"
		  out:  }
		  out: ]
		$ stats --no-stream --format {{.Name}} {{.MemUsage}} {{.MemUsageBytes}} {{.CPUPerc}} {{.AVGCPU}} {{.UpTime}} c1 -> 0
		  out: c1 0B / 0B 0B / 0B 0.00% 0.00% 0s
		$ stats --no-stream nosuch -> 125
		  err: Error: unable to get list of containers: unable to look up container nosuch: no container with name or ID "nosuch" found: no such container
	EOF
}

@test "top and stats: values from /proc and the cgroups, exec'd processes, ps options, streaming" {
	load_test_image
	f run -d --name t1 --memory 64m ferry-test sh -c 'sleep 1000 & sleep 999' >/dev/null
	f run -d --name busy ferry-test sh -c 'while :; do :; done' >/dev/null
	wait_until "[ \$(f top t1 pid | wc -l) -eq 3 ]"
	local dur='[0-9.]+(ns|µs|ms|s)|[0-9]+m[0-9.]+s|[0-9]+h[0-9]+m[0-9.]+s'
	run_ferry top t1
	assert_status 0
	[[ "${lines[1]}" =~ ^root\ +1\ +0\ +[0-9]+\.[0-9]{3}\ +($dur)\ +\?\ +($dur)\ +sleep\ 999\ $ ]]
	[[ "${lines[2]}" =~ ^root\ +[0-9]+\ +1\ +[0-9]+\.[0-9]{3}\ +($dur)\ +\?\ +($dur)\ +sleep\ 1000\ $ ]]
	# What exec starts is the container's too; hpid is the host's PID.
	f exec -d t1 sleep 500
	wait_until "f top t1 args | grep -q 'sleep 500'"
	run_ferry top t1 hpid args
	[ -d "/proc/$(echo "$output" | awk '/sleep 999/ { print $1 }')" ]
	# Options of ps(1) run the host's ps in the container's PID namespace.
	run_ferry top t1 -o pid,comm
	assert_status 0
	assert_output_contains "sleep"
	f pause t1
	run_ferry top t1 pid
	assert_status 0
	f unpause t1

	run_ferry stats --no-stream --format '{{.MemUsage}}|{{.PIDs}}|{{.UpTime}}' t1
	assert_status 0
	[[ "$output" =~ ^[0-9.]+[kM]?B\ /\ 67.11MB\|3\|($dur)$ ]]
	run_ferry stats --no-stream --format '{{.MemPerc}}' t1
	[[ "$output" =~ ^[0-9]+\.[0-9]{2}%$ ]]
	# Streaming: a report per interval, the CPU use of the last interval.
	run timeout 8 "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" stats -i 1 --format '{{.Name}} {{.CPU}}' busy
	[ "${#lines[@]}" -ge 2 ]
	[ "$(echo "${lines[1]}" | awk '{ print ($2 > 1) }')" = 1 ]
}
