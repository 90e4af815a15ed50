#!/usr/bin/env bats
# Small differences from Podman 5.4 that issue 14 still had open, now
# fixed: -f=VALUE for version, info, image inspect and network inspect;
# the exit code wait --condition removing prints of a container stopped
# and removed between two of its looks; a further save name with a
# digest; what cp copies of a container's root, dev, proc and sys;
# --cpus of 0 or fewer; containers.conf values of the wrong type for
# settings only Podman reads; volume export's bytes and what an import
# of them does to the volume's own owner and mode; $ in the list
# commands' templates, and the Go types their errors name.
# Each test checks ferry on its own, then, where Podman is installed,
# compares with what Podman does for the same thing.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers

audit_hooks_for_every_test

# TOOL $1 with the format flag given as -f=VALUE (and -f= alone) to the
# commands that take only a format: each command, its exit code and
# output on one line.
short_format_flags() {
	local t=$1 rc out
	while read -r args; do
		rc=0
		# shellcheck disable=SC2086
		out=$("$t" $args 2>&1) || rc=$?
		echo "$args -> $rc $(printf '%s' "$out" | tr '\n' ' ')"
	done <<-'EOF'
		version -f={{.Client.Os}}
		info -f={{.Host.Arch}}
		info -f=
		image inspect -f={{.Architecture}} localhost/ferry-test:latest
		image inspect -f= localhost/ferry-test:latest
		network inspect -f={{.Driver}} sd2net
		inspect -f= localhost/ferry-test:latest
	EOF
}

@test "version, info, image inspect and network inspect read -f=VALUE, and -f= alone is the format \"=\", as Podman's" {
	load_test_image
	f network create sd2net >/dev/null
	short_format_flags f >"$TEST_TMP/f.out"
	cat >"$TEST_TMP/expected" <<-'EOF'
		version -f={{.Client.Os}} -> 0 linux
		info -f={{.Host.Arch}} -> 0 amd64
		info -f= -> 0 =
		image inspect -f={{.Architecture}} localhost/ferry-test:latest -> 0 amd64
		image inspect -f= localhost/ferry-test:latest -> 0 =
		network inspect -f={{.Driver}} sd2net -> 0 bridge
		inspect -f= localhost/ferry-test:latest -> 0 =
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.out"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t network create sd2net >/dev/null
	short_format_flags podman_t >"$TEST_TMP/p.out"
	diff -u "$TEST_TMP/p.out" "$TEST_TMP/f.out"
}

# TOOL $1 waits for the removal of a container that rm -f stops and
# removes between two looks of the wait (one every 10 s), then of one
# that never ran: what each wait printed and its exit code.
wait_removing() {
	local t=$1 img=localhost/ferry-test:latest pid rc
	"$t" run -d --name w1 "$img" sleep 1000 >/dev/null
	"$t" wait --condition removing --interval 10s w1 >"$TEST_TMP/w1.out" 2>&1 &
	pid=$!
	# The wait's first look, long before its second.
	sleep 3
	"$t" rm -f -t 0 w1 >/dev/null
	rc=0
	wait "$pid" || rc=$?
	echo "running, removed: $rc $(cat "$TEST_TMP/w1.out")"
	"$t" create --name w2 "$img" true >/dev/null
	"$t" wait --condition removing --interval 10s w2 >"$TEST_TMP/w2.out" 2>&1 &
	pid=$!
	sleep 3
	"$t" rm w2 >/dev/null
	rc=0
	wait "$pid" || rc=$?
	echo "never ran, removed: $rc $(cat "$TEST_TMP/w2.out")"
}

@test "wait --condition removing prints the exit code of a container rm -f stopped and removed between two looks, as Podman's" {
	load_test_image
	wait_removing f >"$TEST_TMP/f.out"
	cat >"$TEST_TMP/expected" <<-'EOF'
		running, removed: 0 137
		never ran, removed: 0 -1
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.out"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	wait_removing podman_t >"$TEST_TMP/p.out"
	diff -u "$TEST_TMP/p.out" "$TEST_TMP/f.out"
}

# TOOL $1 saves the test image under further names: the arguments, exit
# code, whether the archive was made and the error, ferry's fix after
# Podman's words left out.
save_further_names() {
	local t=$1 d rc args
	d=$("$t" image inspect --format '{{.Digest}}' localhost/ferry-test:latest)
	while read -r args; do
		rm -f "$TEST_TMP/s.tar"
		rc=0
		# shellcheck disable=SC2086
		"$t" save -q -o "$TEST_TMP/s.tar" ${args//DIGEST/$d} >/dev/null 2>"$TEST_TMP/err" || rc=$?
		echo "save $args -> $rc $([ -e "$TEST_TMP/s.tar" ] && echo made || echo none)" \
			"$(sed -e "s/$d/DIGEST/g" -e 's/: give further names as NAME:TAG, without a digest$//' "$TEST_TMP/err")"
	done <<-'EOF'
		localhost/ferry-test:latest localhost/ferry-test@DIGEST
		localhost/ferry-test:latest x:t@DIGEST
		nosuch x@DIGEST
		localhost/ferry-test:latest other:tag x@DIGEST
		localhost/ferry-test:latest x@sha256:000
		localhost/ferry-test:latest other:tag
		-m localhost/ferry-test:latest localhost/ferry-test@DIGEST
		--format oci-archive localhost/ferry-test:latest localhost/ferry-test@DIGEST
	EOF
}

@test "save refuses a further name with a digest in Podman's words, before it looks the image up, and makes no archive" {
	load_test_image
	save_further_names f >"$TEST_TMP/f.out"
	cat >"$TEST_TMP/expected" <<-'EOF'
		save localhost/ferry-test:latest localhost/ferry-test@DIGEST -> 125 none Error: invalid additional tag "localhost/ferry-test@DIGEST": normalized to untagged "localhost/ferry-test@DIGEST"
		save localhost/ferry-test:latest x:t@DIGEST -> 125 none Error: invalid additional tag "x:t@DIGEST": normalized to untagged "localhost/x@DIGEST"
		save nosuch x@DIGEST -> 125 none Error: invalid additional tag "x@DIGEST": normalized to untagged "localhost/x@DIGEST"
		save localhost/ferry-test:latest other:tag x@DIGEST -> 125 none Error: invalid additional tag "x@DIGEST": normalized to untagged "localhost/x@DIGEST"
		save localhost/ferry-test:latest x@sha256:000 -> 0 made 
		save localhost/ferry-test:latest other:tag -> 0 made 
		save -m localhost/ferry-test:latest localhost/ferry-test@DIGEST -> 0 made 
		save --format oci-archive localhost/ferry-test:latest localhost/ferry-test@DIGEST -> 0 made 
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.out"
	d=$(f image inspect --format '{{.Digest}}' localhost/ferry-test:latest)
	run_ferry save -o "$TEST_TMP/s.tar" ferry-test "x@$d"
	assert_status 125
	assert_one_line_error
	assert_output_contains "give further names as NAME:TAG, without a digest"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	save_further_names podman_t >"$TEST_TMP/p.out"
	diff -u "$TEST_TMP/p.out" "$TEST_TMP/f.out"
}

# TOOL $1 copies out of container $2 each path of stdin to a directory
# that is not there yet: the path, the exit code, what the copy holds
# (names one level down, dev, proc and sys below) and the error's
# first words.
cp_out() {
	local t=$1 c=$2 src rc
	while read -r src; do
		rm -rf "$TEST_TMP/cp"
		mkdir "$TEST_TMP/cp"
		rc=0
		"$t" cp "$c:$src" "$TEST_TMP/cp/out" 2>"$TEST_TMP/err" || rc=$?
		echo "$src -> $rc [$(cd "$TEST_TMP/cp" && find . -maxdepth 2 | sort | tr '\n' ' ')]$(grep -o \
			' copier: get: copied no items' "$TEST_TMP/err")"
	done
}

@test "cp of a container's root leaves out dev, proc and sys, and a path in them copies nothing, as Podman's" {
	load_test_image
	# Entries of those names below the root are copied.
	f run --name c1 ferry-test sh -c 'mkdir -p /a/dev /a/proc && echo x >/a/dev/x && echo y >/devx' >/dev/null
	printf '%s\n' / /. /etc/.. /dev /dev/ /proc /sys/ /a /devx | cp_out f c1 >"$TEST_TMP/f.stopped"
	grep -qxF '/a -> 0 [. ./out ./out/dev ./out/proc ]' "$TEST_TMP/f.stopped"
	grep -qxF '/dev -> 0 [. ]' "$TEST_TMP/f.stopped"
	grep -qxF '/sys/ -> 0 [. ]' "$TEST_TMP/f.stopped"
	grep '^/ -> 0 ' "$TEST_TMP/f.stopped" | grep -qF ' ./out/devx '
	[ -z "$(grep -E '^/(\.|etc/\.\.)? -> ' "$TEST_TMP/f.stopped" | grep -oE ' \./out/(dev|proc|sys) ')" ]
	# The same of a running container, and a file there fails.
	f run -d --name r1 ferry-test sleep 1000 >/dev/null
	printf '%s\n' / /dev /dev/null /proc/cpuinfo /sys/kernel | cp_out f r1 >"$TEST_TMP/f.running"
	grep -qxF '/dev -> 0 [. ]' "$TEST_TMP/f.running"
	grep -qxF '/dev/null -> 125 [. ] copier: get: copied no items' "$TEST_TMP/f.running"
	grep -qxF '/proc/cpuinfo -> 125 [. ] copier: get: copied no items' "$TEST_TMP/f.running"
	[ -z "$(grep '^/ -> ' "$TEST_TMP/f.running" | grep -oE ' \./out/(dev|proc|sys) ')" ]
	run_ferry cp r1:/dev/null "$TEST_TMP/null"
	assert_status 125
	assert_one_line_error
	[ ! -e "$TEST_TMP/null" ]

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t run --name c1 localhost/ferry-test:latest sh -c 'mkdir -p /a/dev /a/proc && echo x >/a/dev/x && echo y >/devx' >/dev/null
	printf '%s\n' / /. /etc/.. /dev /dev/ /proc /sys/ /a /devx | cp_out podman_t c1 >"$TEST_TMP/p.stopped"
	diff -u "$TEST_TMP/p.stopped" "$TEST_TMP/f.stopped"
	podman_t run -d --name r1 localhost/ferry-test:latest sleep 1000 >/dev/null
	# The root of a running container differs (/run/.containerenv, the
	# runtime's files): what compares is what is left out.
	printf '%s\n' /dev /dev/null /proc/cpuinfo /sys/kernel | cp_out podman_t r1 >"$TEST_TMP/p.running"
	grep -v '^/ -> ' "$TEST_TMP/f.running" | diff -u "$TEST_TMP/p.running" -
}

# TOOL $1 gives --cpus of 0 or fewer (and, to create, many) to create,
# update and clone: each command's exit code and the container's NanoCpus
# (and CpuQuota) after.
cpus_none() {
	local t=$1 img=localhost/ferry-test:latest v rc
	for v in 0 -1 -0.5 2000 1e6; do
		rc=0
		"$t" create --name "c$v" --cpus "$v" "$img" true >/dev/null 2>&1 || rc=$?
		echo "create --cpus $v -> $rc $("$t" inspect --format '{{.HostConfig.NanoCpus}} {{.HostConfig.CpuQuota}}' "c$v" 2>/dev/null)"
	done
	"$t" create --name u1 --cpus 1.5 "$img" true >/dev/null
	for v in -1 0 2 -1; do
		rc=0
		"$t" update --cpus "$v" u1 >/dev/null 2>&1 || rc=$?
		echo "update --cpus $v -> $rc $("$t" inspect --format '{{.HostConfig.NanoCpus}} {{.HostConfig.CpuQuota}}' u1)"
	done
	rc=0
	"$t" container clone --cpus -1 u1 k1 >/dev/null 2>&1 || rc=$?
	echo "clone --cpus -1 -> $rc $("$t" inspect --format '{{.HostConfig.NanoCpus}}' k1 2>/dev/null)"
}

@test "--cpus of 0 or fewer is no limit for create, and changes nothing for update and clone; more than 1024 is taken, as Podman's" {
	load_test_image
	cpus_none f >"$TEST_TMP/f.out"
	cat >"$TEST_TMP/expected" <<-'EOF'
		create --cpus 0 -> 0 0 0
		create --cpus -1 -> 0 0 0
		create --cpus -0.5 -> 0 0 0
		create --cpus 2000 -> 0 2000000000000 200000000
		create --cpus 1e6 -> 0 1000000000000000 100000000000
		update --cpus -1 -> 0 1500000000 150000
		update --cpus 0 -> 0 1500000000 150000
		update --cpus 2 -> 0 2000000000 200000
		update --cpus -1 -> 0 2000000000 200000
		clone --cpus -1 -> 0 2000000000
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.out"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	cpus_none podman_t >"$TEST_TMP/p.out"
	diff -u "$TEST_TMP/p.out" "$TEST_TMP/f.out"
}

# TOOL $1 with each line of stdin ("TABLE KEY = VALUE") as containers.conf
# override: taken or refused, and the words of the refusal after the
# file's name, up to ferry's fix.
conf_types() {
	local t=$1 table line rc
	while read -r table line; do
		printf '[%s]\n%s\n' "$table" "$line" >"$TEST_TMP/over.conf"
		rc=0
		CONTAINERS_CONF_OVERRIDE=$TEST_TMP/over.conf "$t" ps -q >/dev/null 2>"$TEST_TMP/err" || rc=$?
		echo "[$table] $line -> $([ "$rc" = 0 ] && echo taken || echo refused)" \
			"$(sed -e 's/.*decode configuration [^:]*: //' -e 's/: use [^:]*$//' "$TEST_TMP/err")"
	done <<-'EOF'
		containers init = 1
		containers umask = 18
		containers privileged = "yes"
		containers oom_score_adj = 1.5
		containers userns_size = 1979-05-27
		containers volumes = 1
		containers devices = "x"
		containers annotations = ["a", 1.5]
		containers dns_options = [true]
		engine retry = "1"
		engine num_locks = true
		engine hooks_dir = "/x"
		engine events_logfile_max_size = 1
		network dns_bind_port = "53"
		network pasta_options = ["a", 2]
		machine cpus = "2"
		secrets driver = 1
		containers init = true
		engine retry = 3
	EOF
}

@test "containers.conf refuses a value of the wrong type for a setting only Podman reads, in Podman's words" {
	conf_types f >"$TEST_TMP/f.out"
	cat >"$TEST_TMP/expected" <<-'EOF'
		[containers] init = 1 -> refused toml: line 2 (last key "containers.init"): incompatible types: TOML value has type int64; destination has type boolean
		[containers] umask = 18 -> refused toml: line 2 (last key "containers.umask"): incompatible types: TOML value has type int64; destination has type string
		[containers] privileged = "yes" -> refused toml: line 2 (last key "containers.privileged"): incompatible types: TOML value has type string; destination has type boolean
		[containers] oom_score_adj = 1.5 -> refused toml: line 2 (last key "containers.oom_score_adj"): incompatible types: TOML value has type float64; destination has type integer
		[containers] userns_size = 1979-05-27 -> refused toml: line 2 (last key "containers.userns_size"): incompatible types: TOML value has type time.Time; destination has type integer
		[containers] volumes = 1 -> refused toml: line 2 (last key "containers.volumes"): unable to cast to interface array: 1
		[containers] devices = "x" -> refused toml: line 2 (last key "containers.devices"): unable to cast to interface array: x
		[containers] annotations = ["a", 1.5] -> refused toml: line 2 (last key "containers.annotations"): unsupported item in attributed string slice: 1.5
		[containers] dns_options = [true] -> refused toml: line 2 (last key "containers.dns_options"): unsupported item in attributed string slice: true
		[engine] retry = "1" -> refused toml: line 2 (last key "engine.retry"): incompatible types: TOML value has type string; destination has type integer
		[engine] num_locks = true -> refused toml: line 2 (last key "engine.num_locks"): incompatible types: TOML value has type bool; destination has type integer
		[engine] hooks_dir = "/x" -> refused toml: line 2 (last key "engine.hooks_dir"): unable to cast to interface array: /x
		[engine] events_logfile_max_size = 1 -> taken 
		[network] dns_bind_port = "53" -> refused toml: line 2 (last key "network.dns_bind_port"): incompatible types: TOML value has type string; destination has type integer
		[network] pasta_options = ["a", 2] -> refused toml: line 2 (last key "network.pasta_options"): unsupported item in attributed string slice: 2
		[machine] cpus = "2" -> refused toml: line 2 (last key "machine.cpus"): incompatible types: TOML value has type string; destination has type integer
		[secrets] driver = 1 -> refused toml: line 2 (last key "secrets.driver"): incompatible types: TOML value has type int64; destination has type string
		[containers] init = true -> taken 
		[engine] retry = 3 -> taken 
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.out"
	printf '[containers]\ninit = 1\n' >"$TEST_TMP/over.conf"
	CONTAINERS_CONF_OVERRIDE=$TEST_TMP/over.conf run_ferry ps
	assert_status 125
	assert_one_line_error
	assert_output_contains "destination has type boolean: use true or false"

	need_podman
	conf_types podman_t >"$TEST_TMP/p.out"
	diff -u "$TEST_TMP/p.out" "$TEST_TMP/f.out"
}

# TOOL $1 exports a volume whose own directory has another owner and
# mode, and imports the archive into a fresh volume: the archive's
# entries, then the owner and mode of both volumes' directories.
volume_round_trip() {
	local t=$1 mp
	"$t" volume create ve >/dev/null
	mp=$("$t" volume inspect --format '{{.Mountpoint}}' ve)
	echo hi >"$mp/f"
	mkdir "$mp/d"
	chown 1000:1000 "$mp"
	chmod 0700 "$mp"
	"$t" volume export ve -o "$TEST_TMP/$t.tar"
	tar -tf "$TEST_TMP/$t.tar" | sort | tr '\n' ' '
	echo
	"$t" volume create vi >/dev/null
	"$t" volume import vi "$TEST_TMP/$t.tar"
	stat -c '%u:%g %a' "$mp" "$("$t" volume inspect --format '{{.Mountpoint}}' vi)"
	cat "$("$t" volume inspect --format '{{.Mountpoint}}' vi)/f"
}

@test "volume export has no entry for the volume itself, and the import leaves the volume's own owner and mode, as Podman's" {
	volume_round_trip f >"$TEST_TMP/f.out"
	cat >"$TEST_TMP/expected" <<-'EOF'
		d/ f 
		1000:1000 700
		0:0 755
		hi
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.out"

	need_podman
	volume_round_trip podman_t >"$TEST_TMP/p.out"
	diff -u "$TEST_TMP/p.out" "$TEST_TMP/f.out"
	# The same bytes, but for the times of what each made.
	touch -d '2020-01-01 00:00:00' "$ROOT/volumes/ve/_data/f" "$ROOT/volumes/ve/_data/d" \
		"$TEST_TMP/proot/volumes/ve/_data/f" "$TEST_TMP/proot/volumes/ve/_data/d"
	f volume export ve -o "$TEST_TMP/f2.tar"
	podman_t volume export ve -o "$TEST_TMP/p2.tar"
	cmp "$TEST_TMP/p2.tar" "$TEST_TMP/f2.tar"
}

# TOOL $1's list templates that use $: each command and template, the
# exit code and the output on one line.
dollar_templates() {
	local t=$1 cmd fmt rc out
	while IFS='|' read -r cmd fmt; do
		rc=0
		# shellcheck disable=SC2086
		out=$("$t" $cmd --format "$fmt" 2>&1) || rc=$?
		echo "$cmd [$fmt] -> $rc $(printf '%s' "$out" | tr '\n' ' ')"
	done <<-'EOF2'
		ps -a --sort names|{{len $}}
		ps -a --sort names|{{range $}}{{.Names}},{{end}}
		ps -a --sort names|{{(index $ 1).Names}}
		ps -a --sort names|table {{.Names}} {{len $}}
		ps -a --sort names|{{$.Names}}
		ps -a --sort names|{{range $}}{{.Nosuch}}{{end}}
		volume ls|{{len $}} {{.Name}}
		volume ls|{{$.Name}}
		images|{{range $}}{{.Nosuch}}{{end}}
	EOF2
}

@test "a list command's template sees \$ as the list of all its rows, as Podman's" {
	load_test_image
	f create --name t1 ferry-test true >/dev/null
	f create --name t2 ferry-test true >/dev/null
	f volume create v1 >/dev/null
	dollar_templates f >"$TEST_TMP/f.out"
	cat >"$TEST_TMP/expected" <<-'EOF2'
		ps -a --sort names [{{len $}}] -> 0 2 2
		ps -a --sort names [{{range $}}{{.Names}},{{end}}] -> 0 t1,t2, t1,t2,
		ps -a --sort names [{{(index $ 1).Names}}] -> 0 t2 t2
		ps -a --sort names [table {{.Names}} {{len $}}] -> 0 NAMES       1 t1          2 t2          2
		ps -a --sort names [{{$.Names}}] -> 125 Error: template: ps:1:14: executing "ps" at <$.Names>: can't evaluate field Names in type []containers.psReporter
		ps -a --sort names [{{range $}}{{.Nosuch}}{{end}}] -> 125 Error: template: ps:1:24: executing "ps" at <.Nosuch>: can't evaluate field Nosuch in type containers.psReporter
		volume ls [{{len $}} {{.Name}}] -> 0 1 v1
		volume ls [{{$.Name}}] -> 125 Error: template: ls:1:14: executing "ls" at <$.Name>: can't evaluate field Name in type []*types.VolumeListReport
		images [{{range $}}{{.Nosuch}}{{end}}] -> 125 Error: template: images:1:24: executing "images" at <.Nosuch>: can't evaluate field Nosuch in type images.imageReporter
	EOF2
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.out"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t create --name t1 localhost/ferry-test:latest true >/dev/null
	podman_t create --name t2 localhost/ferry-test:latest true >/dev/null
	podman_t volume create v1 >/dev/null
	dollar_templates podman_t >"$TEST_TMP/p.out"
	diff -u "$TEST_TMP/p.out" "$TEST_TMP/f.out"
}

# TOOL $1's list templates that reach into a value nested in a row: each
# command and template, the exit code and the output on one line.
nested_type_errors() {
	local t=$1 cmd fmt rc out
	while IFS='|' read -r cmd fmt; do
		rc=0
		# shellcheck disable=SC2086
		out=$("$t" $cmd --format "$fmt" 2>&1) || rc=$?
		echo "$cmd [$fmt] -> $rc $(printf '%s' "$out" | tr '\n' ' ')"
	done <<-'EOF2'
		ps -a|{{.Mounts.x}}
		ps -a|{{.Created.x}}
		ps -a|{{.ExposedPorts.x}}
		ps -a|{{.Mounts}} {{len .Mounts}} {{json .Mounts}}
		volume ls|{{.CreatedAt.x}}
		images|{{.Names.x}}
		images|{{.RepoTags.x}}
		images|{{.Names}} {{json .RepoTags}}
	EOF2
}

@test "template errors name the Go types of values nested in a row, as Podman's" {
	load_test_image
	f create --name t1 -v "$TEST_TMP:/h" ferry-test true >/dev/null
	f volume create v1 >/dev/null
	nested_type_errors f >"$TEST_TMP/f.out"
	cat >"$TEST_TMP/expected" <<-'EOF2'
		ps -a [{{.Mounts.x}}] -> 125 Error: template: ps:1:20: executing "ps" at <.Mounts.x>: can't evaluate field x in type []string
		ps -a [{{.Created.x}}] -> 125 Error: template: ps:1:21: executing "ps" at <.Created.x>: can't evaluate field x in type time.Time
		ps -a [{{.ExposedPorts.x}}] -> 125 Error: template: ps:1:26: executing "ps" at <.ExposedPorts.x>: can't evaluate field x in type map[uint16][]string
		ps -a [{{.Mounts}} {{len .Mounts}} {{json .Mounts}}] -> 0 [/h] 1 ["/h"]
		volume ls [{{.CreatedAt.x}}] -> 125 Error: template: ls:1:23: executing "ls" at <.CreatedAt.x>: can't evaluate field x in type time.Time
		images [{{.Names.x}}] -> 125 Error: template: images:1:19: executing "images" at <.Names.x>: can't evaluate field x in type []string
		images [{{.RepoTags.x}}] -> 125 Error: template: images:1:22: executing "images" at <.RepoTags.x>: can't evaluate field x in type []string
		images [{{.Names}} {{json .RepoTags}}] -> 0 [localhost/ferry-test:latest] ["localhost/ferry-test:latest"]
	EOF2
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.out"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t create --name t1 -v "$TEST_TMP:/h" localhost/ferry-test:latest true >/dev/null
	podman_t volume create v1 >/dev/null
	nested_type_errors podman_t >"$TEST_TMP/p.out"
	diff -u "$TEST_TMP/p.out" "$TEST_TMP/f.out"
}
