#!/usr/bin/env bats
# Small differences from Podman 5.4 that issue 14 had left open, now
# fixed: volume import takes absolute entry names below the volume; a
# network netavark will not attach fails run with 126 and netavark's
# words; template errors name the Go type of what the list commands'
# templates run on and word len and index as Go does, and "{{json}}" is
# the JSON; restore of what is neither a container nor a checkpoint
# image says Podman's line alone; a setting of containers.conf given as
# a table is refused; --volumes-from warns of each mount it does not
# carry.
# Each test checks ferry on its own, then, where Podman is installed,
# compares with what Podman does for the same command.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers

audit_hooks_for_every_test

# A veth of the test's own, ftu<N+5000> (its peer ftu<N+6000>), in the
# way of a network's bridge (shard.sh's leftovers check knows ftu names).
eval "smalldiff_$(declare -f teardown)"
teardown() {
	smalldiff_teardown
	if [ -n "${VETH:-}" ]; then ip link del "$VETH" 2>/dev/null || true; fi
}

# What volume $2 of TOOL $1 holds: one line an entry, sorted.
volume_listing() {
	(cd "$("$1" volume inspect --format '{{.Mountpoint}}' "$2")" && find . -printf '%p %y %l\n' | sort)
}

# TOOL $1 imports each tar of $TEST_TMP/bad-*.tar into a fresh volume:
# its exit code and whether the volume stayed empty, one line a tar.
import_bad_tars() {
	local t=$1 tar v rc
	for tar in "$TEST_TMP"/bad-*.tar; do
		v=$(basename "$tar" .tar)
		"$t" volume create "$v" >/dev/null
		rc=0
		"$t" volume import "$v" "$tar" 2>"$TEST_TMP/err" || rc=$?
		echo "$v $rc $(grep -c . "$TEST_TMP/err") $(volume_listing "$t" "$v" | grep -vcx '\. d ')"
	done
}

@test "volume import takes absolute entry names below the volume, as Podman's; .. and links out stay refused" {
	make_tar "$TEST_TMP/abs.tar" /:dir /data/x:file:x /data/h:hard:/data/x //./y:file:y /l:sym:/etc /up:sym:data/../y
	f volume create v1 >/dev/null
	run_ferry volume import v1 "$TEST_TMP/abs.tar"
	assert_status 0
	[ -z "$output" ]
	volume_listing f v1 >"$TEST_TMP/f.list"
	[ "$(cat "$ROOT/volumes/v1/_data/data/h")" = x ]
	[ "$(stat -c %i "$ROOT/volumes/v1/_data/data/h")" = "$(stat -c %i "$ROOT/volumes/v1/_data/data/x")" ]
	[ "$(cat "$ROOT/volumes/v1/_data/y")" = y ]

	# Climbing out, by name, by hard link or by symlink, from an absolute
	# name too: refused, nothing imported.
	make_tar "$TEST_TMP/bad-rel.tar" ../x:file:x
	make_tar "$TEST_TMP/bad-hard.tar" /h:hard:/../etc/passwd
	make_tar "$TEST_TMP/bad-hard2.tar" /h:hard:../etc/passwd
	make_tar "$TEST_TMP/bad-sym.tar" /l:sym:d/../../etc
	import_bad_tars f >"$TEST_TMP/f.bad"
	cat >"$TEST_TMP/expected.bad" <<-'EOF'
		bad-hard 125 1 0
		bad-hard2 125 1 0
		bad-rel 125 1 0
		bad-sym 125 1 0
	EOF
	diff -u "$TEST_TMP/expected.bad" "$TEST_TMP/f.bad"
	# "/../x" Podman takes as x; ferry refuses it with the other "..".
	make_tar "$TEST_TMP/dd.tar" /../x:file:x
	f volume create v2 >/dev/null
	run_ferry volume import v2 "$TEST_TMP/dd.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "volume entry \`/../x\` escapes the destination"
	# A write through a symlink the tar made is refused (Podman 5.4.2
	# follows it out of the volume: not run with Podman).
	make_tar "$TEST_TMP/through.tar" /l:sym:"$TEST_TMP" /l/escaped:file:e
	f volume create v3 >/dev/null
	run_ferry volume import v3 "$TEST_TMP/through.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "writes through a symlink"
	[ ! -e "$TEST_TMP/escaped" ]
	[ -z "$(ls -A "$ROOT/volumes/v3/_data")" ]

	need_podman
	podman_t volume create v1 >/dev/null
	podman_t volume import v1 "$TEST_TMP/abs.tar"
	volume_listing podman_t v1 >"$TEST_TMP/p.list"
	diff -u "$TEST_TMP/p.list" "$TEST_TMP/f.list"
	import_bad_tars podman_t >"$TEST_TMP/p.bad"
	diff -u "$TEST_TMP/p.bad" "$TEST_TMP/f.bad"
}

# TOOL $1 runs and starts a container on network nclash, whose bridge
# name a veth has: exit codes and errors, IDs shown as <ID>; then what
# is left.
netavark_refusal() {
	local t=$1 img=localhost/ferry-test:latest rc
	"$t" network create --subnet "10.212.$N.0/24" --interface-name "$VETH" nclash >/dev/null
	for args in "--rm" "-d --name c1"; do
		rc=0
		# shellcheck disable=SC2086
		"$t" run $args --network nclash "$img" true 2>"$TEST_TMP/err" || rc=$?
		echo "run $args -> $rc $(cat "$TEST_TMP/err")"
	done
	"$t" create --name c2 --network nclash "$img" sleep 100 >/dev/null
	rc=0
	"$t" start c2 2>"$TEST_TMP/err" || rc=$?
	echo "start -> $rc $(sed 's/\b[0-9a-f]\{64\}\b/<ID>/g' "$TEST_TMP/err")"
	"$t" ps -a --format '{{.Names}} {{.State}}' | sort
}

@test "run on a network netavark will not attach exits 126 with netavark's words, start 125, as Podman's" {
	load_test_image
	N=$(net_number)
	VETH=ftu$((N + 5000))
	ip link add "$VETH" type veth peer name "ftu$((N + 6000))"
	netavark_refusal f >"$TEST_TMP/f.out"
	cat >"$TEST_TMP/expected" <<-EOF
		run --rm -> 126 Error: netavark: bridge interface $VETH already exists but is a Veth interface
		run -d --name c1 -> 126 Error: netavark: bridge interface $VETH already exists but is a Veth interface
		start -> 125 Error: unable to start container "<ID>": netavark: bridge interface $VETH already exists but is a Veth interface
		c1 created
		c2 created
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.out"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	netavark_refusal podman_t >"$TEST_TMP/p.out"
	diff -u "$TEST_TMP/p.out" "$TEST_TMP/f.out"
}

# TOOL $1's --format errors for the list commands and info: exit code and
# standard error, one line each.
template_errors() {
	local t=$1 cmd fmt rc
	for cmd in "ps -a" "images" "volume ls" "network ls" "info" "container ls -a" "history localhost/ferry-test"; do
		for fmt in '{{.Nosuch}}' '{{.Names}} {{.Foo.Bar}}' '{{len 3}}' '{{index 3 1}}' '{{index .Labels 1}}' \
			'{{range .Names}}' '{{.Names' '{{printf}}' '{{.Labels.x.y}}' '{{len .Labels.x}}' '{{slice .Names 1 0}}'; do
			rc=0
			# shellcheck disable=SC2086
			"$t" $cmd --format "$fmt" >/dev/null 2>"$TEST_TMP/err" || rc=$?
			echo "$cmd [$fmt] -> $rc $(cat "$TEST_TMP/err")"
		done
	done
	# "{{json}}" is the JSON, as "json" is.
	for cmd in "ps -a" "images" "volume ls" "info"; do
		# shellcheck disable=SC2086
		"$t" $cmd --format json | jq -c 'type'
		# shellcheck disable=SC2086
		"$t" $cmd --format ' {{ json }} ' | jq -c 'type'
	done
}

@test "template errors name the Go type of what the template runs on, and len and index refuse in Go's words, as Podman's" {
	load_test_image
	f volume create v1 >/dev/null
	f run -d --name t1 ferry-test sleep 1000 >/dev/null
	template_errors f >"$TEST_TMP/f.out"
	grep -qxF 'ps -a [{{.Nosuch}}] -> 125 Error: template: ps:1:13: executing "ps" at <.Nosuch>: can'"'"'t evaluate field Nosuch in type containers.psReporter' "$TEST_TMP/f.out"
	grep -qxF 'volume ls [{{len 3}}] -> 125 Error: template: ls:1:13: executing "ls" at <len 3>: error calling len: len of type int' "$TEST_TMP/f.out"
	grep -qxF 'info [{{.Nosuch}}] -> 125 Error: template: info:1:2: executing "info" at <.Nosuch>: can'"'"'t evaluate field Nosuch in type system.infoReport' "$TEST_TMP/f.out"
	grep -qxF 'images [{{index .Labels 1}}] -> 125 Error: template: images:1:13: executing "images" at <index .Labels 1>: error calling index: value has type int; should be string' "$TEST_TMP/f.out"
	grep -qxF 'ps -a [{{.Labels.x.y}}] -> 0 ' "$TEST_TMP/f.out"
	[ "$(grep -c '^"array"$' "$TEST_TMP/f.out")" = 6 ]

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t volume create v1 >/dev/null
	podman_t run -d --name t1 localhost/ferry-test:latest sleep 1000 >/dev/null
	template_errors podman_t >"$TEST_TMP/p.out"
	diff -u "$TEST_TMP/p.out" "$TEST_TMP/f.out"
}

# TOOL $1's restore of names that are no checkpoint: exit code and error.
restore_refusals() {
	local t=$1 rc
	while read -r args; do
		rc=0
		# shellcheck disable=SC2086
		"$t" container restore $args 2>"$TEST_TMP/err" >/dev/null || rc=$?
		echo "restore $args -> $rc $(sed 's/\b[0-9a-f]\{64\}\b/<ID>/g' "$TEST_TMP/err")"
	done <<-'EOF'
		nosuch
		--name x nosuch
		--name x c1
		localhost/ferry-test:latest
		--name x localhost/ferry-test:latest
		c1 nosuch
		nosuch2 nosuch
		localhost/ferry-test:latest nosuch
	EOF
}

@test "restore of nothing of that name says Podman's line alone, of an image that is no checkpoint Podman's words, for one name or several" {
	load_test_image
	f create --name c1 ferry-test true >/dev/null
	restore_refusals f >"$TEST_TMP/f.out"
	cat >"$TEST_TMP/expected" <<-'EOF'
		restore nosuch -> 125 Error: no such container or image: nosuch
		restore --name x nosuch -> 125 Error: --name can only be used with image or --import
		restore --name x c1 -> 125 Error: --name can only be used with image or --import
		restore localhost/ferry-test:latest -> 125 Error: image is not a checkpoint: <ID>
		restore --name x localhost/ferry-test:latest -> 125 Error: image is not a checkpoint: <ID>
		restore c1 nosuch -> 125 Error: no such container or image: nosuch
		restore nosuch2 nosuch -> 125 Error: no such container or image: nosuch2
		restore localhost/ferry-test:latest nosuch -> 125 Error: image is not a checkpoint: <ID>
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.out"
	[ "$(f ps -a --format '{{.Names}}')" = c1 ]

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t create --name c1 localhost/ferry-test:latest true >/dev/null
	restore_refusals podman_t >"$TEST_TMP/p.out"
	diff -u "$TEST_TMP/p.out" "$TEST_TMP/f.out"
}

# TOOL $1 with each containers.conf line of stdin as an override, after
# [TABLE]: whether it takes it, its exit code and the words of the error
# up to "destination has type ...".
conf_refusals() {
	local t=$1 table line rc
	while read -r table line; do
		printf '[%s]\n%s\n' "$table" "$line" >"$TEST_TMP/over.conf"
		rc=0
		CONTAINERS_CONF_OVERRIDE=$TEST_TMP/over.conf "$t" ps -q >/dev/null 2>"$TEST_TMP/err" || rc=$?
		echo "[$table] $line -> $([ "$rc" = 0 ] && echo taken || echo refused)"
	done <<-'EOF'
		containers foo = { a = 1 }
		containers env = { a = 1 }
		containers env.a = "x"
		containers log_driver = { a = "x" }
		containers tz = { }
		containers pids_limit = { a = 1 }
		containers cgroupns = { a = 1 }
		containers init = { }
		containers userns.x = "y"
		network default_subnet = { }
		engine compression_format = { }
		engine hooks_dir = { a = "b" }
		engine runtimes = { x = ["/bin/true"] }
		engine foo = { a = 1 }
	EOF
}

@test "containers.conf refuses a setting given as a table, ferry's or only Podman's, as Podman does; other tables stay taken" {
	conf_refusals f >"$TEST_TMP/f.out"
	cat >"$TEST_TMP/expected" <<-'EOF'
		[containers] foo = { a = 1 } -> taken
		[containers] env = { a = 1 } -> refused
		[containers] env.a = "x" -> refused
		[containers] log_driver = { a = "x" } -> refused
		[containers] tz = { } -> refused
		[containers] pids_limit = { a = 1 } -> refused
		[containers] cgroupns = { a = 1 } -> refused
		[containers] init = { } -> refused
		[containers] userns.x = "y" -> refused
		[network] default_subnet = { } -> refused
		[engine] compression_format = { } -> refused
		[engine] hooks_dir = { a = "b" } -> refused
		[engine] runtimes = { x = ["/bin/true"] } -> taken
		[engine] foo = { a = 1 } -> taken
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.out"
	printf '[containers]\ntz = { }\n' >"$TEST_TMP/over.conf"
	CONTAINERS_CONF_OVERRIDE=$TEST_TMP/over.conf run_ferry ps
	assert_status 125
	assert_one_line_error
	assert_output_contains "over.conf:2: invalid value of \`tz\`: use a string in double quotes"

	need_podman
	conf_refusals podman_t >"$TEST_TMP/p.out"
	diff -u "$TEST_TMP/p.out" "$TEST_TMP/f.out"
}

# TOOL $1 runs with --volumes-from a container with a tmpfs, an image
# mount and a devpts beside a bind and a volume: its exit code, then its
# standard error sorted (Podman warns in Go's map order), times and the
# source's ID left out.
volumes_from_warnings() {
	local t=$1 img=localhost/ferry-test:latest id rc=0
	"$t" create --name src --tmpfs /t --mount type=tmpfs,dst=/t2 --mount "type=image,src=$img,dst=/img" \
		--mount type=devpts,dst=/dp -v "$TEST_TMP:/hosttmp" -v vv:/vv "$img" true >/dev/null
	id=$("$t" inspect --format '{{.Id}}' src)
	"$t" run --rm --volumes-from src "$img" sh -c 'test -d /vv && test -d /hosttmp && ! grep -q " /t " /proc/mounts' \
		2>"$TEST_TMP/err" || rc=$?
	echo "run -> $rc"
	sed -e 's/^time="[^"]*" //' -e "s/$id/<ID>/" "$TEST_TMP/err" | sort
	rc=0
	"$t" --log-level error create --volumes-from src "$img" true >/dev/null 2>"$TEST_TMP/err" || rc=$?
	echo "create --log-level error -> $rc $(cat "$TEST_TMP/err")"
}

@test "run --volumes-from warns of each tmpfs or other mount it does not carry, in Podman's words, and goes on" {
	load_test_image
	volumes_from_warnings f >"$TEST_TMP/f.out"
	cat >"$TEST_TMP/expected" <<-'EOF'
		run -> 0
		level=warning msg="Unable to match volume /dp from container <ID> for volumes-from"
		level=warning msg="Unable to match volume /img from container <ID> for volumes-from"
		level=warning msg="Unable to match volume /t from container <ID> for volumes-from"
		level=warning msg="Unable to match volume /t2 from container <ID> for volumes-from"
		create --log-level error -> 0 
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.out"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	volumes_from_warnings podman_t >"$TEST_TMP/p.out"
	diff -u "$TEST_TMP/p.out" "$TEST_TMP/f.out"
}
