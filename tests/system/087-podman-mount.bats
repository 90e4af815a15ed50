#!/usr/bin/env bats
# run and create --mount type=bind|volume|tmpfs|ramfs|devpts, as Podman 5.4
# reads it: what each type mounts, the refusals in Podman's words, and
# inspect's .Mounts, HostConfig.Binds and HostConfig.Tmpfs, compared with
# what Podman printed (kept below) and, where Podman is installed, with
# Podman run live.  The rest is ferry's own: checkpoint and restore, in
# place and through an archive onto another root, of a container with a
# --mount volume, tmpfs and bind, and archives whose mounts carry options
# ferry would never write.

load helpers
load podman-helpers

bats_require_minimum_version 1.5.0

teardown() {
	podman_teardown
	ferry_teardown
}

# The mount at $1 as the container sees it: type, then the options that
# say what --mount asked for (ro/rw, noexec, size, mode, uid, gid, max).
MOUNT_LINE='awk -v d="$1" '"'"'$2 == d { n = split($4, o, ","); s = $3; for (i = 1; i <= n; i++) if (o[i] ~ /^(ro|rw|noexec|size=.*|mode=.*|uid=.*|gid=.*|max=.*)$/) s = s " " o[i]; print s }'"'"' /proc/mounts'

# Runs each --mount spec of stdin with tool $1 and appends to its
# transcript what the container sees at /m (and whether /m has the image's
# /etc, for the tmpfs copy-up).
mount_sequence() {
	local t=$1 img=ferry-test spec
	[ "$t" = podman_t ] && img=localhost/ferry-test:latest
	mkdir -p "$TEST_TMP/src/sub"
	echo host >"$TEST_TMP/src/f"
	while read -r spec; do
		spec=${spec//SRC/$TEST_TMP/src}
		step "$t" run --rm --network none --mount "$spec" "$img" sh -c \
			"$MOUNT_LINE; stat -c %a /m; ls /m | tr '\n' ' '; echo; touch /m/w 2>/dev/null && echo writable || echo read-only" -- /m
	done
}

@test "--mount: bind, volume, tmpfs, ramfs and devpts mount what Podman mounts" {
	cat >"$TEST_TMP/specs" <<-'EOF'
		type=bind,src=SRC,dst=/m
		type=bind,source=SRC,target=/m,ro
		type=bind,src=SRC,destination=/m,readonly=true,bind-propagation=rslave,bind-nonrecursive,relabel=shared
		type=bind,src=SRC,dst=/m,rw=false,z
		type=bind,src=SRC,dst=/m,ro=maybe
		type=volume,dst=/m
		type=volume,src=named,dst=/m
		type=volume,src=named,dst=/m,ro
		type=tmpfs,dst=/m
		type=tmpfs,dst=/m,tmpfs-size=1m,tmpfs-mode=700,noexec
		type=tmpfs,dst=/m,ro=true
		type=tmpfs,dst=/m,noswap,tmpfs-size=64k
		type=ramfs,dst=/m
		type=devpts,dst=/m,uid=5,gid=5,mode=620,max=10
	EOF
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ run --rm --network none --mount type=bind,src=TMP/src,dst=/m ferry-test sh -c MOUNT -- /m -> 0
		  out: ext4 rw
		  out: 755
		  out: f sub 
		  out: writable
		$ run --rm --network none --mount type=bind,source=TMP/src,target=/m,ro ferry-test sh -c MOUNT -- /m -> 0
		  out: ext4 ro
		  out: 755
		  out: f sub w 
		  out: read-only
		$ run --rm --network none --mount type=bind,src=TMP/src,destination=/m,readonly=true,bind-propagation=rslave,bind-nonrecursive,relabel=shared ferry-test sh -c MOUNT -- /m -> 0
		  out: ext4 ro
		  out: 755
		  out: f sub w 
		  out: read-only
		$ run --rm --network none --mount type=bind,src=TMP/src,dst=/m,rw=false,z ferry-test sh -c MOUNT -- /m -> 0
		  out: ext4 ro
		  out: 755
		  out: f sub w 
		  out: read-only
		$ run --rm --network none --mount type=bind,src=TMP/src,dst=/m,ro=maybe ferry-test sh -c MOUNT -- /m -> 0
		  out: ext4 rw
		  out: 755
		  out: f sub w 
		  out: writable
		$ run --rm --network none --mount type=volume,dst=/m ferry-test sh -c MOUNT -- /m -> 0
		  out: ext4 rw
		  out: 755
		  out: 
		  out: writable
		$ run --rm --network none --mount type=volume,src=named,dst=/m ferry-test sh -c MOUNT -- /m -> 0
		  out: ext4 rw
		  out: 755
		  out: 
		  out: writable
		$ run --rm --network none --mount type=volume,src=named,dst=/m,ro ferry-test sh -c MOUNT -- /m -> 0
		  out: ext4 ro
		  out: 755
		  out: w 
		  out: read-only
		$ run --rm --network none --mount type=tmpfs,dst=/m ferry-test sh -c MOUNT -- /m -> 0
		  out: tmpfs rw
		  out: 1777
		  out: 
		  out: writable
		$ run --rm --network none --mount type=tmpfs,dst=/m,tmpfs-size=1m,tmpfs-mode=700,noexec ferry-test sh -c MOUNT -- /m -> 0
		  out: tmpfs rw noexec size=1024k mode=700
		  out: 700
		  out: 
		  out: writable
		$ run --rm --network none --mount type=tmpfs,dst=/m,ro=true ferry-test sh -c MOUNT -- /m -> 0
		  out: tmpfs ro
		  out: 1777
		  out: 
		  out: read-only
		$ run --rm --network none --mount type=tmpfs,dst=/m,noswap,tmpfs-size=64k ferry-test sh -c MOUNT -- /m -> 0
		  out: tmpfs rw size=64k
		  out: 1777
		  out: 
		  out: writable
		$ run --rm --network none --mount type=ramfs,dst=/m ferry-test sh -c MOUNT -- /m -> 0
		  out: ramfs rw
		  out: 755
		  out: 
		  out: writable
		$ run --rm --network none --mount type=devpts,dst=/m,uid=5,gid=5,mode=620,max=10 ferry-test sh -c MOUNT -- /m -> 0
		  out: devpts rw uid=5 gid=5 mode=620 max=10
		  out: 755
		  out: ptmx 
		  out: read-only
	EOF
	load_test_image
	touch "$TEST_TMP/f.sed"
	mount_sequence f <"$TEST_TMP/specs"
	sed -i "s#sh -c .* -- /m -> #sh -c MOUNT -- /m -> #" "$TEST_TMP/f.log"
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		touch "$TEST_TMP/podman_t.sed"
		rm -rf "$TEST_TMP/src"
		mount_sequence podman_t <"$TEST_TMP/specs"
		sed -i "s#sh -c .* -- /m -> #sh -c MOUNT -- /m -> #; s#localhost/ferry-test:latest#ferry-test#" "$TEST_TMP/podman_t.log"
		diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
	fi
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
	# The named volume is one, and the anonymous ones went with --rm.
	[ "$(f volume ls -q)" = named ]
	# Parents are mounted first, as Podman orders them: a tmpfs on /etc
	# does not hide the /etc/hosts and /etc/hostname bound in it.
	[ "$(f run --rm --network none --mount type=tmpfs,dst=/etc,notmpcopyup ferry-test ls /etc | grep -c '^host')" = 2 ]
}

@test "--mount: bad specs get Podman's one-line error, exit 125, and nothing is created" {
	load_test_image
	mkdir -p "$TEST_TMP/src"
	# spec|Podman's message (ferry prints the same line).
	cat >"$TEST_TMP/bad" <<-'EOF'
		|incorrect mount format: should be --mount type=<bind|glob|tmpfs|volume>,[src=<host-dir|volume-name>,]target=<ctr-dir>[,options]
		dst=/m|incorrect mount format: should be --mount type=<bind|glob|tmpfs|volume>,[src=<host-dir|volume-name>,]target=<ctr-dir>[,options]
		type=foo,dst=/m|invalid filesystem type "foo"
		type=bind,src=SRC|must set volume destination
		type=volume,src=vv|must set volume destination
		type=bind,src=SRC,dst=m|invalid container path "m", must be an absolute path
		type=bind,src=SRC,dst=/m,bogus|bogus: invalid mount option
		type=bind,src=SRC,dst=/m,bogus=1|bogus: invalid mount option
		type=bind,src=SRC,dst=/m,|: invalid mount option
		type=bind,,src=SRC,dst=/m|: invalid mount option
		type=bind,src=SRC,dst=/m,bind-propagation=foo|invalid value "bind-propagation=foo"
		type=bind,src=SRC,dst=/m,tmpfs-size=1m|"tmpfs-size" option not supported for "bind" mount types
		type=tmpfs,dst=/m,src=/x|"src" option not supported for "tmpfs" mount types
		type=ramfs,dst=/m,tmpfs-size=1m|"tmpfs-size" option not supported for "ramfs" mount types
		type=volume,src=vv,dst=/m,bind-propagation=shared|"bind-propagation" option not supported for "volume" mount types
		type=volume,src=vv,dst=/m,nocopy|nocopy: invalid mount option
		type=devpts,dst=/m,src=x|src: invalid mount option
		type=tmpfs,dst=/m,size=1m|size: invalid mount option
		type=tmpfs,dst=/m,tmpfs-size=1m,tmpfs-size=2m|only one tmpfs size can be specified: duplicate mount option passed
		type=tmpfs,target=/m,dst=/n|cannot pass "dst" option more than once: must provide an argument for option
		type=bind,src=,dst=/m|host directory cannot be empty: must provide an argument for option
		type=bind,src=SRC,dst=/m,relabel=foo|relabel mount option must be 'private' or 'shared': invalid mount option
		type=bind,src=SRC,dst=/m,ro,rw|cannot pass 'readonly', 'ro', or 'rw' mnt.Options more than once: must provide an argument for option
		type=tmpfs,dst=/m,readonly=true,ro|cannot pass 'readonly', 'ro', or 'rw' mnt.Options more than once: must provide an argument for option
		type=devpts,dst=/m,ro|ro: invalid mount option
		type=bind,src=SRC,dst=/m,bind-propagation=|invalid value "bind-propagation="
		TYPE=bind,src=SRC,dst=/m|incorrect mount format: should be --mount type=<bind|glob|tmpfs|volume>,[src=<host-dir|volume-name>,]target=<ctr-dir>[,options]
	EOF
	local spec msg tool
	local tools=f
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		tools="f podman_t"
	fi
	while IFS='|' read -r spec msg; do
		spec=${spec//SRC/$TEST_TMP/src}
		for tool in $tools; do
			run -125 "$tool" create --network none --mount "$spec" ferry-test true
			[ "$tool" = f ] && assert_one_line_error
			if [ "$output" != "Error: $msg" ]; then
				echo "$tool --mount '$spec': expected 'Error: $msg', got '$output'" >&2
				return 1
			fi
		done
	done <"$TEST_TMP/bad"
	# ferry refuses at create what Podman leaves to runc (exit 126 at start).
	run_ferry create --mount type=tmpfs,dst=/m,tmpfs-size=abc ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains 'invalid value "size=abc" in --mount: use tmpfs-size=BYTES[k|m|g]'
	run_ferry create --mount type=tmpfs,dst=/m,tmpfs-mode=999 ferry-test true
	assert_status 125
	assert_output_contains 'use an octal mode'
	# What ferry does not do is refused, never ignored.
	for spec in "type=bind,src=$TEST_TMP/src,dst=/m,idmap" \
		"type=volume,src=vv,dst=/m,volume-opt=o=1"; do
		run_ferry create --mount "$spec" ferry-test true
		assert_status 125
		assert_one_line_error
		assert_output_contains "mount option not supported by ferry"
	done
	# After the parse: a missing source, a bad volume name, a taken
	# destination.
	run_ferry create --mount "type=bind,src=$TEST_TMP/nosuch,dst=/m" ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains "statfs $TEST_TMP/nosuch: no such file or directory: create it"
	run_ferry create --mount type=bind,src=/,dst=/host,U ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains "refusing --mount U on the host's root"
	run_ferry create --mount type=volume,src=bad/name,dst=/m ferry-test true
	assert_status 125
	assert_output_contains "invalid volume name \`bad/name\`"
	run_ferry create -v "$TEST_TMP/src:/m" --mount type=tmpfs,dst=/m ferry-test true
	assert_status 125
	assert_output_contains "duplicate mount destination"
	run_ferry create --mount type=volume,src=fresh,dst=/m --mount type=tmpfs,dst=/m ferry-test true
	assert_status 125
	[ -z "$(f ps -a -q)" ]
	[ -z "$(f volume ls -q)" ]
	[ -z "$(ls -A "$ROOT/containers" 2>/dev/null)" ]
}

# Creates (never starts: Podman drops a relabel's mode at start) a
# container with every kind of mount through tool $1 and prints .Mounts,
# HostConfig.Binds and HostConfig.Tmpfs, sorted, with the roots, the test
# directory and anonymous volume names made alike.
inspect_mounts() {
	local t=$1 img=ferry-test root=$ROOT
	if [ "$t" = podman_t ]; then
		img=localhost/ferry-test:latest
		root=$TEST_TMP/proot
	fi
	"$t" volume create vv >/dev/null
	"$t" create --name a --network none -v "$TEST_TMP/src:/v1:ro" -v vv:/v2 --tmpfs /t1 \
		--mount "type=bind,src=$TEST_TMP/src,dst=/m1,bind-propagation=rslave,relabel=shared" \
		--mount "type=bind,src=$TEST_TMP/src,dst=/m5,bind-nonrecursive" \
		--mount "type=bind,src=$TEST_TMP/src,dst=/m8,Z,ro" \
		--mount type=volume,src=vv,dst=/m2,ro --mount type=volume,dst=/m6 \
		--mount type=tmpfs,dst=/m3,tmpfs-size=1m,tmpfs-mode=700,noexec \
		--mount type=tmpfs,dst=/m9,notmpcopyup,tmpfs-size=2m \
		--mount type=ramfs,dst=/m4 --mount type=devpts,dst=/m7 "$img" sleep 100 >/dev/null
	"$t" inspect a --format '{{json .Mounts}}' | jq -S 'sort_by(.Destination)' |
		sed "s#$root#ROOT#g; s/[0-9a-f]\{64\}/ANON/g; s#$TEST_TMP#TMP#g"
	# Named alike before the sort: an anonymous volume's name is random.
	"$t" inspect a --format '{{json .HostConfig.Binds}}' |
		sed "s/[0-9a-f]\{64\}/ANON/g; s#$TEST_TMP#TMP#g" | jq -S 'sort'
	"$t" inspect a --format '{{json .HostConfig.Tmpfs}}' | jq -S .
	"$t" rm a >/dev/null
}

@test "--mount: inspect shows .Mounts, HostConfig.Binds and HostConfig.Tmpfs as Podman does" {
	load_test_image
	mkdir -p "$TEST_TMP/src"
	inspect_mounts f >"$TEST_TMP/f.out"
	# Podman's, kept: volumes first, a ramfs and a devpts as "bind" mounts
	# of that name, a tmpfs only in HostConfig.Tmpfs.
	jq -e '[.[] | .Destination] == ["/m1","/m2","/m4","/m5","/m6","/m7","/m8","/v1","/v2"]' \
		<(jq -s '.[0]' "$TEST_TMP/f.out") >/dev/null
	grep -q '"Propagation": "rslave"' "$TEST_TMP/f.out"
	grep -q '"TMP/src:/m5:bind,rw,private"' "$TEST_TMP/f.out"
	grep -q '"TMP/src:/m8:Z,ro,rprivate,rbind"' "$TEST_TMP/f.out"
	grep -q '"/m9": "size=2m,rw,rprivate,nosuid,nodev"' "$TEST_TMP/f.out"
	grep -q '"/m3": "size=1m,mode=700,noexec,rw,rprivate,nosuid,nodev,tmpcopyup"' "$TEST_TMP/f.out"
	grep -q '"ramfs:/m4"' "$TEST_TMP/f.out"
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		inspect_mounts podman_t >"$TEST_TMP/p.out"
		diff -u "$TEST_TMP/p.out" "$TEST_TMP/f.out"
	fi
}

# A container c counting in its log, with a --mount volume, tmpfs and bind
# that it wrote to before the checkpoint, and one more line written to the
# tmpfs at each count.
run_mounted_counter() {
	mkdir -p "$TEST_TMP/bsrc"
	echo host >"$TEST_TMP/bsrc/f"
	f run -d --name c --mount type=volume,src=mv,dst=/vol \
		--mount type=tmpfs,dst=/tm,tmpfs-size=2m,tmpfs-mode=700 \
		--mount "type=bind,src=$TEST_TMP/bsrc,dst=/b,bind-nonrecursive" ferry-test \
		sh -c "echo vol >/vol/x; echo tmp >/tm/x; echo bound >/b/x; $COUNTER" >/dev/null
	wait_until '[ "$(last_count c)" -ge 2 ]'
}

# Container c (through ferry function $1) has what run_mounted_counter made.
assert_mounted_content() {
	[ "$("$1" exec c cat /vol/x /tm/x /b/x /b/f | tr '\n' ' ')" = "vol tmp bound host " ]
	[ "$("$1" exec c sh -c "$MOUNT_LINE; stat -c %a /tm" -- /tm | tr '\n' ' ')" = "tmpfs rw size=2048k mode=700 700 " ]
}

@test "--mount: checkpoint and restore in place keep the volume, the tmpfs and the bind" {
	load_test_image
	run_mounted_counter
	f container checkpoint c >/dev/null
	[ "$(ctr_status c)" = exited ]
	f container restore c >/dev/null
	wait_until '[ "$(last_count c)" -ge 6 ]'
	assert_counts_on c
	assert_mounted_content f
	[ "$(f inspect --format '{{json .HostConfig.Tmpfs}}' c)" = '{"/tm":"size=2m,mode=700,rw,rprivate,nosuid,nodev,tmpcopyup"}' ]
	f rm -f -t 0 c >/dev/null
	[ "$(cat "$TEST_TMP/bsrc/x")" = bound ]
}

@test "--mount: an exported checkpoint carries the volume's content and the tmpfs onto another root; a missing bind source is refused" {
	load_test_image
	run_mounted_counter
	f container checkpoint --compress none --export "$TEST_TMP/c.tar" c >/dev/null
	f rm c >/dev/null
	f volume rm mv >/dev/null
	tar -tf "$TEST_TMP/c.tar" | grep -q '^volumes/mv.tar$'
	fb load -q -i "$(ferry_test_image)" >/dev/null
	# The bind's host directory must be there: one line, nothing made.
	mv "$TEST_TMP/bsrc" "$TEST_TMP/bsrc.away"
	expect_refused --trust-archive --import "$TEST_TMP/c.tar"
	assert_output_contains "bind mount source \`$TEST_TMP/bsrc\` (for /b) does not exist on this host"
	[ -z "$(fb volume ls -q)" ]
	mv "$TEST_TMP/bsrc.away" "$TEST_TMP/bsrc"
	fb container restore --trust-archive --import "$TEST_TMP/c.tar" >/dev/null
	wait_until '[ "$(last_count c fb)" -ge 6 ]'
	assert_counts_on c fb
	assert_mounted_content fb
	[ "$(fb volume ls -q)" = mv ]
	[ "$(fb inspect --format '{{json .HostConfig.Binds}}' c)" = "[\"mv:/vol:rw,rprivate,nosuid,nodev,rbind\",\"$TEST_TMP/bsrc:/b:bind,rw,private\"]" ]
	fb rm -f -t 0 c >/dev/null
}

@test "--mount: archives whose mounts carry options or types ferry never writes are refused" {
	load_test_image
	run_mounted_counter
	f container checkpoint --compress none --export "$TEST_TMP/good.tar" c >/dev/null
	f rm c >/dev/null
	f volume rm mv >/dev/null
	local edit field
	while IFS='|' read -r field edit; do
		rewrite_archive "$TEST_TMP/good.tar" "$TEST_TMP/bad.tar" "
for i, (m, d) in enumerate(members):
    if m.name == 'config.dump':
        dump = json.loads(d)
        ms = dump['ferry']['Mounts']
        t = [x for x in ms if x['Type'] == 'tmpfs'][0]
        b = [x for x in ms if x['Type'] == 'bind'][0]
        $edit
        members[i] = (m, json.dumps(dump).encode())"
		run_ferry container restore --trust-archive --import "$TEST_TMP/bad.tar"
		assert_status 125
		assert_one_line_error
		assert_output_contains "$field"
		[ -z "$(f ps -a -q)" ]
		[ -z "$(f volume ls -q)" ]
	done <<-'EOF'
		Options|t['Options'] = ['size=1m,uid=0']
		Options|t['Options'] = ['exec', 'rbind']
		Options|b['Options'] = ['size=1m']
		Options|b['Options'] = 'shared'
		Options|b['Options'] = [7]
		Mode|b['Mode'] = 'x'
		Chown|t['Chown'] = 'yes'
		Chown|ms.append({'Type': 'ramfs', 'Destination': '/r', 'RW': True, 'Chown': True})
		SubPath|[x for x in ms if x['Type'] == 'volume'][0]['SubPath'] = '../../..'
		SubPath|[x for x in ms if x['Type'] == 'volume'][0]['SubPath'] = '/etc'
		SubPath|b['SubPath'] = 'a'
		Source|ms.append({'Type': 'image', 'Source': '../../etc', 'ImageName': 'x', 'Destination': '/i', 'RW': False})
		ImageName|ms.append({'Type': 'image', 'Source': 'a' * 64, 'ImageName': 'BAD NAME', 'Destination': '/i', 'RW': False})
		Options|ms.append({'Type': 'image', 'Source': 'a' * 64, 'ImageName': 'x', 'Destination': '/i', 'RW': False, 'Options': ['bind']})
		Options|ms.append({'Type': 'ramfs', 'Destination': '/r', 'RW': True, 'Options': ['size=1m']})
		Type|ms.append({'Type': 'overlay', 'Destination': '/r', 'RW': True})
	EOF
	# The good one restores.
	f container restore --trust-archive --import "$TEST_TMP/good.tar" >/dev/null
	wait_until '[ "$(last_count c)" -ge 4 ]'
	assert_mounted_content f
}

# Runs --volumes-from cases with tool $1 and appends to its transcript
# what each container mounts (sorted HostConfig.Binds, VolumesFrom).
volumes_from_sequence() {
	local t=$1 img=ferry-test name
	[ "$t" = podman_t ] && img=localhost/ferry-test:latest
	mkdir -p "$TEST_TMP/src"
	"$t" volume create vv >/dev/null
	"$t" create --name src1 --network none -v vv:/v2 -v "$TEST_TMP/src:/b1:ro" --tmpfs /t1 \
		--mount type=volume,dst=/anon "$img" sleep 100 >/dev/null
	"$t" create --name src2 --network none -v vv:/v3:ro "$img" sleep 100 >/dev/null
	while read -r name args; do
		# shellcheck disable=SC2086
		step "$t" create --name "$name" --network none $args "$img" true
		step "$t" inspect --format '{{json .HostConfig.VolumesFrom}}' "$name"
		"$t" inspect --format '{{json .HostConfig.Binds}} {{json .HostConfig.Tmpfs}}' "$name" >/dev/null 2>&1 || continue
		"$t" inspect --format '{{json .HostConfig.Binds}} {{json .HostConfig.Tmpfs}}' "$name" |
			sed "s/[0-9a-f]\{64\}/ANON/g; s#$TEST_TMP#TMP#g" | jq -c 'if type == "array" then sort else . end' |
			sed 's/^/  show: /' >>"$TEST_TMP/$t.log"
	done <<-'EOF'
		v1 --volumes-from src1
		v2 --volumes-from src1:ro
		v3 --volumes-from src1:rw,z -v vv:/v2:ro
		v4 --volumes-from src1 --volumes-from src2:rw
		v5 --volumes-from src1 --mount type=tmpfs,dst=/anon
		v6 --volumes-from nosuch
		v7 --volumes-from src1:foo
		v8 --volumes-from src1:ro:rw
	EOF
	# The other container's anonymous volume stays while src1 uses it.
	"$t" rm -v v1 >/dev/null
	step "$t" volume ls --format '{{.Name}}'
}

@test "--volumes-from: the other container's volumes, ro/rw, and Podman's precedence and messages" {
	load_test_image
	touch "$TEST_TMP/f.sed"
	volumes_from_sequence f
	sed -i 's/[0-9a-f]\{64\}/ANON/g' "$TEST_TMP/f.log"
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ create --name v1 --network none --volumes-from src1 ferry-test true -> 0
		  out: ANON
		  err: time=T level=warning msg="Unable to match volume /t1 from container ANON for volumes-from"
		$ inspect --format {{json .HostConfig.VolumesFrom}} v1 -> 0
		  out: ["src1"]
		  show: ["ANON:/anon:rw,rprivate,nosuid,nodev,rbind","vv:/v2:rw,rprivate,nosuid,nodev,rbind"]
		  show: {}
		$ create --name v2 --network none --volumes-from src1:ro ferry-test true -> 0
		  out: ANON
		  err: time=T level=warning msg="Unable to match volume /t1 from container ANON for volumes-from"
		$ inspect --format {{json .HostConfig.VolumesFrom}} v2 -> 0
		  out: ["src1:ro"]
		  show: ["ANON:/anon:ro,rprivate,nosuid,nodev,rbind","vv:/v2:ro,rprivate,nosuid,nodev,rbind"]
		  show: {}
		$ create --name v3 --network none --volumes-from src1:rw,z -v vv:/v2:ro ferry-test true -> 0
		  out: ANON
		  err: time=T level=warning msg="Unable to match volume /t1 from container ANON for volumes-from"
		$ inspect --format {{json .HostConfig.VolumesFrom}} v3 -> 0
		  out: ["src1:rw,z"]
		  show: ["ANON:/anon:rw,z,rprivate,nosuid,nodev,rbind","vv:/v2:ro,rprivate,nosuid,nodev,rbind"]
		  show: {}
		$ create --name v4 --network none --volumes-from src1 --volumes-from src2:rw ferry-test true -> 0
		  out: ANON
		  err: time=T level=warning msg="Unable to match volume /t1 from container ANON for volumes-from"
		$ inspect --format {{json .HostConfig.VolumesFrom}} v4 -> 0
		  out: ["src1","src2:rw"]
		  show: ["ANON:/anon:rw,rprivate,nosuid,nodev,rbind","vv:/v2:rw,rprivate,nosuid,nodev,rbind","vv:/v3:rw,rprivate,nosuid,nodev,rbind"]
		  show: {}
		$ create --name v5 --network none --volumes-from src1 --mount type=tmpfs,dst=/anon ferry-test true -> 0
		  out: ANON
		  err: time=T level=warning msg="Unable to match volume /t1 from container ANON for volumes-from"
		$ inspect --format {{json .HostConfig.VolumesFrom}} v5 -> 0
		  out: ["src1"]
		  show: ["vv:/v2:rw,rprivate,nosuid,nodev,rbind"]
		  show: {"/anon":"rw,rprivate,nosuid,nodev,tmpcopyup"}
		$ create --name v6 --network none --volumes-from nosuch ferry-test true -> 125
		  err: Error: looking up container "nosuch" for volumes-from: no container with name or ID "nosuch" found: no such container
		$ inspect --format {{json .HostConfig.VolumesFrom}} v6 -> 125
		  err: Error: no such object: "v6"
		$ create --name v7 --network none --volumes-from src1:foo ferry-test true -> 125
		  err: Error: invalid option "foo" specified - volumes from another container can only use z,ro,rw options
		$ inspect --format {{json .HostConfig.VolumesFrom}} v7 -> 125
		  err: Error: no such object: "v7"
		$ create --name v8 --network none --volumes-from src1:ro:rw ferry-test true -> 125
		  err: Error: invalid option "ro:rw" specified - volumes from another container can only use z,ro,rw options
		$ inspect --format {{json .HostConfig.VolumesFrom}} v8 -> 125
		  err: Error: no such object: "v8"
		$ volume ls --format {{.Name}} -> 0
		  out: vv
		  out: ANON
	EOF
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		touch "$TEST_TMP/podman_t.sed"
		volumes_from_sequence podman_t 2>/dev/null
		sed -i 's/[0-9a-f]\{64\}/ANON/g; s#localhost/ferry-test:latest#ferry-test#' "$TEST_TMP/podman_t.log"
		diff -u <(grep -v 'out: vv\|out: ANON$' "$TEST_TMP/podman_t.log") <(grep -v 'out: vv\|out: ANON$' "$TEST_TMP/f.log")
	fi
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
	# The volumes of src1 are the same volumes: v2 sees what src1 wrote.
	f start src1 >/dev/null
	f exec src1 sh -c 'echo from-src1 >/anon/x; echo v >/v2/x'
	[ "$(f run --rm --volumes-from src1:ro ferry-test sh -c 'cat /anon/x /v2/x; touch /anon/y 2>&1 || :' | tr '\n' ' ')" = \
		"from-src1 v touch: /anon/y: Read-only file system " ]
	f rm -f -t 0 src1 >/dev/null
}

@test "--volumes-from: checkpoint and restore, in place and onto another root, carry the shared volumes" {
	load_test_image
	f run -d --name src1 --mount type=volume,src=shared,dst=/s ferry-test sh -c 'echo first >/s/f; sleep 1000' >/dev/null
	wait_until '[ "$(f exec src1 cat /s/f)" = first ]'
	f run -d --name c --volumes-from src1 ferry-test sh -c "cat /s/f; echo second >>/s/f; $COUNTER" >/dev/null
	wait_until '[ "$(last_count c)" -ge 2 ]'
	f container checkpoint c >/dev/null
	f container restore c >/dev/null
	wait_until '[ "$(last_count c)" -ge 4 ]'
	[ "$(f exec c cat /s/f | tr '\n' ' ')" = "first second " ]
	f container checkpoint --compress none --export "$TEST_TMP/c.tar" c >/dev/null
	tar -tf "$TEST_TMP/c.tar" | grep -q '^volumes/shared.tar$'
	fb load -q -i "$(ferry_test_image)" >/dev/null
	fb container restore --import "$TEST_TMP/c.tar" >/dev/null
	wait_until '[ "$(last_count c fb)" -ge 4 ]'
	[ "$(fb exec c cat /s/f | tr '\n' ' ')" = "first second " ]
	[ "$(fb inspect --format '{{json .HostConfig.VolumesFrom}}' c)" = '["src1"]' ]
	fb rm -f -t 0 c >/dev/null
	f rm -f -t 0 c src1 >/dev/null
}

# Loads, through tool $1, the test image with VOLUME /opt (which holds a
# directory olddir) and prints, for each --image-volume mode, what /opt is.
image_volume_sequence() {
	local t=$1 img=ferry-test mode
	[ "$t" = podman_t ] && img=localhost/ferry-test:latest
	"$t" load -q -i "$TEST_TMP/vol.tar" >/dev/null
	for mode in "" bind anonymous tmpfs ignore; do
		step "$t" run --rm --network none ${mode:+--image-volume "$mode"} "$img" sh -c \
			"awk '\$2 == \"/opt\" { print \$3 }' /proc/mounts; ls /opt"
		step "$t" volume ls -q
		"$t" volume prune -f >/dev/null
	done
	step "$t" create --image-volume BIND "$img" true
}

@test "--image-volume anonymous|tmpfs|ignore: what the image's VOLUMEs become; bind refused, as with Podman" {
	oci_unpack "$(ferry_test_image)" "$TEST_TMP/l"
	manifest=$(oci_blob_path "$TEST_TMP/l" "$(oci_manifest_digest "$TEST_TMP/l")")
	config=$(jq -r '.config.digest' "$manifest")
	jq -c '.config.Volumes = {"/opt": {}}' "$(oci_blob_path "$TEST_TMP/l" "$config")" >"$TEST_TMP/config.json"
	c=$(oci_add_blob "$TEST_TMP/l" "$TEST_TMP/config.json")
	oci_edit_manifest "$TEST_TMP/l" ".config.digest = \"$c\" | .config.size = $(stat -c %s "$TEST_TMP/config.json")"
	oci_pack "$TEST_TMP/l" "$TEST_TMP/vol.tar"
	touch "$TEST_TMP/f.sed"
	image_volume_sequence f
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ run --rm --network none ferry-test sh -c awk '$2 == "/opt" { print $3 }' /proc/mounts; ls /opt -> 0
		  out: ext4
		  out: olddir
		$ volume ls -q -> 0
		$ run --rm --network none --image-volume bind ferry-test sh -c awk '$2 == "/opt" { print $3 }' /proc/mounts; ls /opt -> 125
		  err: Error: invalid image volume mode "bind" required value: anonymous, tmpfs, ignore
		$ volume ls -q -> 0
		$ run --rm --network none --image-volume anonymous ferry-test sh -c awk '$2 == "/opt" { print $3 }' /proc/mounts; ls /opt -> 0
		  out: ext4
		  out: olddir
		$ volume ls -q -> 0
		$ run --rm --network none --image-volume tmpfs ferry-test sh -c awk '$2 == "/opt" { print $3 }' /proc/mounts; ls /opt -> 0
		  out: tmpfs
		  out: olddir
		$ volume ls -q -> 0
		$ run --rm --network none --image-volume ignore ferry-test sh -c awk '$2 == "/opt" { print $3 }' /proc/mounts; ls /opt -> 0
		  out: olddir
		$ volume ls -q -> 0
		$ create --image-volume BIND ferry-test true -> 125
		  err: Error: invalid image volume mode "BIND" required value: anonymous, tmpfs, ignore
	EOF
	if command -v podman >/dev/null; then
		touch "$TEST_TMP/podman_t.sed"
		image_volume_sequence podman_t
		sed -i 's#localhost/ferry-test:latest#ferry-test#' "$TEST_TMP/podman_t.log"
		diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
	fi
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
	# Without --rm, the anonymous volume stays until rm -v.
	f create --name k --image-volume anonymous ferry-test true >/dev/null
	[ "$(f volume ls -q | wc -l)" = 1 ]
	f create --name i --image-volume ignore ferry-test true >/dev/null
	[ "$(f volume ls -q | wc -l)" = 1 ]
	f rm -v k i >/dev/null
	[ -z "$(f volume ls -q)" ]
}

# With tool $1, runs --mount U cases as user 1000:1001 and appends the
# owners the container and the host see.
chown_sequence() {
	local t=$1 img=ferry-test spec
	[ "$t" = podman_t ] && img=localhost/ferry-test:latest
	rm -rf "$TEST_TMP/u"
	mkdir -p "$TEST_TMP/u/sub"
	touch "$TEST_TMP/u/sub/f" "$TEST_TMP/target"
	ln -s "$TEST_TMP/target" "$TEST_TMP/u/link"
	for spec in "type=bind,src=$TEST_TMP/u,dst=/m,U" "type=bind,src=$TEST_TMP/u,dst=/m,chown=false" \
		type=volume,dst=/opt,U=true type=tmpfs,dst=/m,U "type=bind,src=$TEST_TMP/u,dst=/m,U=maybe"; do
		step "$t" run --rm --network none --user 1000:1001 --mount "$spec" "$img" sh -c \
			'ls -lnd /m /opt /opt/olddir 2>/dev/null | awk "{ print \$3, \$4, \$NF }"; ls -ln /m/sub 2>/dev/null | awk "NR > 1 { print \$3, \$4, \$NF }"'
		stat -c '  host: %u %g %n' "$TEST_TMP/u" "$TEST_TMP/u/sub/f" "$TEST_TMP/target" | sed "s#$TEST_TMP#TMP#" >>"$TEST_TMP/$t.log"
		chown -R 0:0 "$TEST_TMP/u"
	done
}

@test "--mount U/chown: the source is given to the container's user, symlinks not followed, as with Podman" {
	load_test_image
	touch "$TEST_TMP/f.sed"
	chown_sequence f
	sed -i 's#ferry-test sh -c .*-> #ferry-test sh -c OWNERS -> #' "$TEST_TMP/f.log"
	grep -A3 'dst=/m,U ferry-test' "$TEST_TMP/f.log" | grep -q '^  out: 1000 1001 /m$'
	grep -q '^  out: 1000 1001 f$' "$TEST_TMP/f.log"
	grep -q '^  out: 1000 1001 /opt/olddir$' "$TEST_TMP/f.log"
	! grep -q 'host: 1000 1001 TMP/target' "$TEST_TMP/f.log" || false
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		touch "$TEST_TMP/podman_t.sed"
		chown_sequence podman_t
		sed -i 's#localhost/ferry-test:latest sh -c .*-> #ferry-test sh -c OWNERS -> #' "$TEST_TMP/podman_t.log"
		diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
	fi
	# The owner is the user's again at each start.
	mkdir -p "$TEST_TMP/again"
	f create --name u --user 1000:1001 --mount "type=bind,src=$TEST_TMP/again,dst=/m,U" ferry-test true >/dev/null
	f start u >/dev/null
	chown 0:0 "$TEST_TMP/again"
	f start u >/dev/null
	[ "$(stat -c %u:%g "$TEST_TMP/again")" = 1000:1001 ]
}

# With tool $1, mounts parts of a volume holding a/b/f, a symlink rel to
# a/b and a symlink esc to /etc.
subpath_sequence() {
	local t=$1 img=ferry-test sub data
	[ "$t" = podman_t ] && img=localhost/ferry-test:latest
	"$t" volume create sp >/dev/null
	data=$("$t" volume inspect --format '{{.Mountpoint}}' sp)
	mkdir -p "$data/a/b"
	echo in >"$data/a/b/f"
	ln -s /etc "$data/esc"
	ln -s a/b "$data/rel"
	for sub in a a/b/f /a rel "" esc nosuch; do
		step "$t" run --rm --network none --mount "type=volume,src=sp,dst=/m,subpath=$sub" "$img" sh -c 'ls /m; cat /m/f 2>/dev/null || :'
	done
	step "$t" run --rm --network none --mount "type=volume,src=sp,dst=/m,volume-subpath=a/b" "$img" cat /m/f
	step "$t" run --rm --network none --mount "type=bind,src=$data,dst=/m,subpath=a" "$img" true
	sed -i "s#${data/$TEST_TMP/TMP}#DATA#g" "$TEST_TMP/$t.log"
}

@test "--mount type=volume,subpath: a part of a volume, symlinks inside followed, outside refused, as with Podman" {
	load_test_image
	touch "$TEST_TMP/f.sed"
	subpath_sequence f
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ run --rm --network none --mount type=volume,src=sp,dst=/m,subpath=a ferry-test sh -c ls /m; cat /m/f 2>/dev/null || : -> 0
		  out: b
		$ run --rm --network none --mount type=volume,src=sp,dst=/m,subpath=a/b/f ferry-test sh -c ls /m; cat /m/f 2>/dev/null || : -> 0
		  out: /m
		$ run --rm --network none --mount type=volume,src=sp,dst=/m,subpath=/a ferry-test sh -c ls /m; cat /m/f 2>/dev/null || : -> 0
		  out: b
		$ run --rm --network none --mount type=volume,src=sp,dst=/m,subpath=rel ferry-test sh -c ls /m; cat /m/f 2>/dev/null || : -> 0
		  out: f
		  out: in
		$ run --rm --network none --mount type=volume,src=sp,dst=/m,subpath= ferry-test sh -c ls /m; cat /m/f 2>/dev/null || : -> 0
		  out: a
		  out: esc
		  out: rel
		$ run --rm --network none --mount type=volume,src=sp,dst=/m,subpath=esc ferry-test sh -c ls /m; cat /m/f 2>/dev/null || : -> 126
		  err: Error: subpath "esc" is outside of the volume "DATA"
		$ run --rm --network none --mount type=volume,src=sp,dst=/m,subpath=nosuch ferry-test sh -c ls /m; cat /m/f 2>/dev/null || : -> 127
		  err: Error: no such file or directory: subpath "nosuch" of volume sp: create it in the volume first
		$ run --rm --network none --mount type=volume,src=sp,dst=/m,volume-subpath=a/b ferry-test cat /m/f -> 0
		  out: in
		$ run --rm --network none --mount type=bind,src=DATA,dst=/m,subpath=a ferry-test true -> 125
		  err: Error: cannot set option "subpath" on non-volume mounts
	EOF
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		touch "$TEST_TMP/podman_t.sed"
		subpath_sequence podman_t
		sed -i 's#localhost/ferry-test:latest#ferry-test#' "$TEST_TMP/podman_t.log"
		# Podman's message for a missing part is only its first words.
		diff -u <(sed 's/^\(  err: Error: no such file or directory\).*/\1/' "$TEST_TMP/podman_t.log") \
			<(sed 's/^\(  err: Error: no such file or directory\).*/\1/' "$TEST_TMP/f.log")
	fi
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
	run_ferry create --mount type=volume,src=sp,dst=/m,subpath=../x ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains 'subpath "../x" is outside of the volume'
	# --volumes-from takes the same part.
	f create --name part --mount type=volume,src=sp,dst=/m,subpath=a/b ferry-test true >/dev/null
	[ "$(f run --rm --volumes-from part ferry-test cat /m/f)" = in ]
	f rm part >/dev/null
	# cp into a stopped container reaches the part, not the volume's top.
	f create --name cps --mount type=volume,src=sp,dst=/m,subpath=a/b ferry-test true >/dev/null
	echo copied >"$TEST_TMP/copied"
	f cp "$TEST_TMP/copied" cps:/m/
	[ "$(cat "$ROOT/volumes/sp/_data/a/b/copied")" = copied ]
	[ ! -e "$ROOT/volumes/sp/_data/copied" ]
	f rm cps >/dev/null
	# A part of a volume travels with the whole volume in an archive.
	f run -d --name c --mount type=volume,src=sp,dst=/m,subpath=a/b ferry-test sh -c "echo more >>/m/f; $COUNTER" >/dev/null
	wait_until '[ "$(last_count c)" -ge 2 ]'
	f container checkpoint --compress none --export "$TEST_TMP/c.tar" c >/dev/null
	fb load -q -i "$(ferry_test_image)" >/dev/null
	fb container restore --import "$TEST_TMP/c.tar" >/dev/null
	wait_until '[ "$(last_count c fb)" -ge 4 ]'
	[ "$(fb exec c cat /m/f | tr '\n' ' ')" = "in more " ]
	[ "$(fb volume inspect --format '{{.Mountpoint}}' sp)" = "$TEST_TMP/rootB/volumes/sp/_data" ]
	[ -L "$TEST_TMP/rootB/volumes/sp/_data/rel" ]
	fb rm -f -t 0 c >/dev/null
	f rm -f -t 0 c >/dev/null
}

# With tool $1, binds what globs match.
glob_sequence() {
	local t=$1 img=ferry-test g=$TEST_TMP/g
	[ "$t" = podman_t ] && img=localhost/ferry-test:latest
	rm -rf "$g"
	mkdir -p "$g/d1"
	echo a >"$g/foo1"
	echo b >"$g/foo2"
	echo c >"$g/bar"
	step "$t" run --rm --network none --mount "type=glob,src=$g/foo*,dst=/m" "$img" sh -c 'ls /m; cat /m/*'
	step "$t" run --rm --network none --mount "type=glob,source=$g/foo*" "$img" sh -c "ls $g"
	step "$t" run --rm --network none --mount "type=glob,src=$g/foo*,target=/m,ro" "$img" sh -c 'echo x >/m/foo1'
	step "$t" run --rm --network none --mount "type=glob,src=$g/d*,dst=/m" "$img" ls /m
	step "$t" run --rm --network none --mount "type=glob,src=$g/nomatch*,dst=/m" "$img" true
	step "$t" run --rm --network none --mount type=glob,dst=/m "$img" true
	step "$t" run --rm --network none --mount "type=glob,src=$g/foo*,dst=/m,tmpfs-size=1m" "$img" true
	"$t" create --name gl --network none --mount "type=glob,src=$g/foo*,dst=/m" "$img" true >/dev/null
	# Expanded at create: a later match is not mounted.
	echo d >"$g/foo3"
	step "$t" start -a gl
	# Sorted: Podman lists them in no fixed order.
	"$t" inspect --format '{{json .HostConfig.Binds}}' gl | jq -c sort | sed "s#$TEST_TMP#TMP#g; s/^/  show: /" \
		>>"$TEST_TMP/$t.log"
}

@test "--mount type=glob: a bind of each match, expanded at create, as with Podman" {
	load_test_image
	touch "$TEST_TMP/f.sed"
	glob_sequence f
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ run --rm --network none --mount type=glob,src=TMP/g/foo*,dst=/m ferry-test sh -c ls /m; cat /m/* -> 0
		  out: foo1
		  out: foo2
		  out: a
		  out: b
		$ run --rm --network none --mount type=glob,source=TMP/g/foo* ferry-test sh -c ls TMP/g -> 0
		  out: foo1
		  out: foo2
		$ run --rm --network none --mount type=glob,src=TMP/g/foo*,target=/m,ro ferry-test sh -c echo x >/m/foo1 -> 1
		  err: sh: can't create /m/foo1: Read-only file system
		$ run --rm --network none --mount type=glob,src=TMP/g/d*,dst=/m ferry-test ls /m -> 0
		  out: d1
		$ run --rm --network none --mount type=glob,src=TMP/g/nomatch*,dst=/m ferry-test true -> 125
		  err: Error: no file paths matching glob "TMP/g/nomatch*"
		$ run --rm --network none --mount type=glob,dst=/m ferry-test true -> 125
		  err: Error: no file paths matching glob ""
		$ run --rm --network none --mount type=glob,src=TMP/g/foo*,dst=/m,tmpfs-size=1m ferry-test true -> 125
		  err: Error: "tmpfs-size" option not supported for "glob" mount types
		$ start -a gl -> 0
		  show: ["TMP/g/foo1:/m/foo1:rw,rprivate,rbind","TMP/g/foo2:/m/foo2:rw,rprivate,rbind"]
	EOF
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		touch "$TEST_TMP/podman_t.sed"
		glob_sequence podman_t
		sed -i 's#localhost/ferry-test:latest#ferry-test#' "$TEST_TMP/podman_t.log"
		diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
	fi
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
}

# With tool $1, mounts the test image into a container of itself.
image_sequence() {
	local t=$1 img=ferry-test
	[ "$t" = podman_t ] && img=localhost/ferry-test:latest
	step "$t" run --rm --network none --mount "type=image,src=$img,dst=/img" "$img" sh -c \
		"ls /img/etc; $MOUNT_LINE; touch /img/x" -- /img
	step "$t" run --rm --network none --mount "type=image,source=$img,target=/img,rw=true" "$img" sh -c \
		'touch /img/x && echo written; ls /img/x'
	step "$t" run --rm --network none --mount "type=image,src=$img,dst=/img,subpath=/etc" "$img" ls /img
	step "$t" run --rm --network none --mount "type=image,src=$img,dst=/img,subpath=etc" "$img" true
	step "$t" run --rm --network none --mount type=image,dst=/img "$img" true
	step "$t" run --rm --network none --mount "type=image,src=$img,dst=/img,ro" "$img" true
	step "$t" run --rm --network none --mount "type=image,src=$img,dst=/img,tmpfs-size=1m" "$img" true
	"$t" create --name im --network none --mount "type=image,src=$img,dst=/img" "$img" true >/dev/null
	step "$t" inspect --format '{{json .Mounts}} {{json .HostConfig.Binds}}' im
	"$t" rm im >/dev/null
	sed -i 's#localhost/ferry-test:latest#ferry-test#g' "$TEST_TMP/$t.log"
}

@test "--mount type=image: an image's files, read-only unless rw=true, a subpath of it, as with Podman" {
	load_test_image
	touch "$TEST_TMP/f.sed"
	image_sequence f
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ run --rm --network none --mount type=image,src=ferry-test,dst=/img ferry-test sh -c ls /img/etc; MOUNT; touch /img/x -- /img -> 1
		  out: ferry-release
		  out: group
		  out: passwd
		  out: overlay ro
		  err: touch: /img/x: Read-only file system
		$ run --rm --network none --mount type=image,source=ferry-test,target=/img,rw=true ferry-test sh -c touch /img/x && echo written; ls /img/x -> 0
		  out: written
		  out: /img/x
		$ run --rm --network none --mount type=image,src=ferry-test,dst=/img,subpath=/etc ferry-test ls /img -> 0
		  out: ferry-release
		  out: group
		  out: passwd
		$ run --rm --network none --mount type=image,src=ferry-test,dst=/img,subpath=etc ferry-test true -> 125
		  err: Error: volume subpath "etc" must be an absolute path
		$ run --rm --network none --mount type=image,dst=/img ferry-test true -> 125
		  err: Error: must set source and destination for image volume
		$ run --rm --network none --mount type=image,src=ferry-test,dst=/img,ro ferry-test true -> 125
		  err: Error: ro: invalid mount option
		$ run --rm --network none --mount type=image,src=ferry-test,dst=/img,tmpfs-size=1m ferry-test true -> 125
		  err: Error: tmpfs-size: invalid mount option
		$ inspect --format {{json .Mounts}} {{json .HostConfig.Binds}} im -> 0
		  out: [{"Type":"image","Source":"ferry-test","Destination":"/img","Driver":"","Mode":"","Options":null,"RW":false,"Propagation":""}] []
	EOF
	sed -i 's#sh -c ls /img/etc; .* -- /img -> #sh -c ls /img/etc; MOUNT; touch /img/x -- /img -> #' "$TEST_TMP/f.log"
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		touch "$TEST_TMP/podman_t.sed"
		image_sequence podman_t
		# Podman warns of its own inspect's doings ("Could not find mount").
		sed -i -e 's#sh -c ls /img/etc; .* -- /img -> #sh -c ls /img/etc; MOUNT; touch /img/x -- /img -> #' \
			-e '/level=warning/d' "$TEST_TMP/podman_t.log"
		diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
	fi
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
	run_ferry create --mount type=image,src=nosuch,dst=/img ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains 'creating image volume "nosuch":"/img": nosuch: image not known'
	[ -z "$(f ps -a -q)" ]
	# An image another container mounts is in use: rmi refuses it.
	mkdir -p "$TEST_TMP/other"
	echo other >"$TEST_TMP/other/marker"
	tar -C "$TEST_TMP/other" -cf "$TEST_TMP/other.tar" .
	f import "$TEST_TMP/other.tar" other:1 >/dev/null
	f create --name user --mount type=image,src=other:1,dst=/o ferry-test true >/dev/null
	run_ferry rmi other:1
	assert_status 2
	assert_output_contains "image is in use by a container"
	f start user >/dev/null
	f rm user >/dev/null
	! grep -q "$TEST_TMP/root/containers/.*/image-mounts" /proc/self/mountinfo || false
	f rmi other:1 >/dev/null
}

@test "--mount type=image: checkpoint and restore, in place and onto another root that has the image" {
	load_test_image
	f run -d --name c --mount type=image,src=ferry-test,dst=/img,subpath=/etc ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(last_count c)" -ge 2 ]'
	f container checkpoint c >/dev/null
	f container restore c >/dev/null
	wait_until '[ "$(last_count c)" -ge 4 ]'
	assert_counts_on c
	[ "$(f exec c cat /img/ferry-release)" = "$(f run --rm ferry-test cat /etc/ferry-release)" ]
	f container checkpoint --compress none --export "$TEST_TMP/c.tar" c >/dev/null
	f rm c >/dev/null
	! grep -q "$TEST_TMP/root/containers/.*/image-mounts" /proc/self/mountinfo || false
	# Not on the other root yet: one line, nothing made.
	expect_refused --import "$TEST_TMP/c.tar"
	assert_output_contains "mounts image ferry-test"
	assert_output_contains "pull or load it first"
	fb load -q -i "$(ferry_test_image)" >/dev/null
	fb container restore --import "$TEST_TMP/c.tar" >/dev/null
	wait_until '[ "$(last_count c fb)" -ge 6 ]'
	assert_counts_on c fb
	fb exec c ls /img/passwd >/dev/null
	fb rm -f -t 0 c >/dev/null
	# What a container writes to an image it mounts stays on this host: an
	# archive refuses it, and the container runs on.
	f run -d --name w --mount type=image,src=ferry-test,dst=/img,rw=true ferry-test sh -c "echo w >/img/w; $COUNTER" >/dev/null
	wait_until '[ "$(last_count w)" -ge 2 ]'
	run_ferry container checkpoint --export "$TEST_TMP/w.tar" w
	assert_status 125
	assert_one_line_error
	assert_output_contains "rw=true), and an archive cannot carry those changes"
	[ ! -e "$TEST_TMP/w.tar" ]
	[ "$(ctr_status w)" = running ]
	f container checkpoint w >/dev/null
	f container restore w >/dev/null
	[ "$(f exec w cat /img/w)" = w ]
	f rm -f -t 0 w >/dev/null
}
