#!/usr/bin/env bats
# Behaviours that Podman's own system tests pin for images, cp, volumes,
# events, load and command-line parsing (its 010 to 620 files), which
# ferry did otherwise: cp's relative paths in a container, {{.ID}} in
# inspect templates, volumes of type=bind, volume prune's answer from a
# pipe, containers.conf's image_volume_mode, the events of --rm
# containers, of push and of load, container cleanup --exec with --rmi,
# and the words for a letter flag missing its value.  Each test checks
# ferry on its own, then, where Podman is installed, compares with what
# Podman does for the same thing.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers

audit_hooks_for_every_test

# The tool's own name in its messages, as TOOL.
tool_words() {
	sed -e "s/'\(podman\|ferry\) /'TOOL /g"
}

# TOOL $1 copies into and out of containers whose working directory is
# /opt, with relative paths: where each copy lands, and the error for a
# container whose working directory does not exist.
cp_relative() {
	local t=$1 img=localhost/ferry-test:latest rc
	mkdir -p "$TEST_TMP/src/d" "$TEST_TMP/out-$t"
	echo one >"$TEST_TMP/src/f1"
	echo two >"$TEST_TMP/src/d/f2"
	"$t" run -d --name run1 -w /opt "$img" sh -c 'mkdir /opt/sub; sleep 1000' >/dev/null
	"$t" create --name new1 -w /opt "$img" sh -c 'cat /opt/f1; ls /opt/d; ls /opt/sub 2>&1' >/dev/null
	"$t" create --name nodir -w /nonexistent "$img" true >/dev/null
	"$t" cp "$TEST_TMP/src/f1" run1:.
	"$t" cp "$TEST_TMP/src/f1" run1:sub
	"$t" cp "$TEST_TMP/src/d" run1:.
	echo "running: $("$t" exec run1 sh -c 'cat /opt/f1 /opt/sub/f1 /opt/d/f2; ls / | grep -c "^f1$"' | tr '\n' ' ')"
	"$t" cp run1:sub/f1 "$TEST_TMP/out-$t/back"
	"$t" cp run1:d/. "$TEST_TMP/out-$t"
	echo "out: $(cat "$TEST_TMP/out-$t/back" "$TEST_TMP/out-$t/f2" | tr '\n' ' ')"
	"$t" cp "$TEST_TMP/src/f1" new1:f1
	"$t" cp run1:d new1:.
	rc=0
	"$t" cp "$TEST_TMP/src/f1" new1:sub/f1 2>"$TEST_TMP/err" || rc=$?
	echo "created, no sub: $rc $(tool_words <"$TEST_TMP/err")"
	echo "created: $("$t" start -a new1 2>&1 | tr '\n' ' ')"
	rc=0
	"$t" cp "$TEST_TMP/src/f1" nodir:f1 2>"$TEST_TMP/err" || rc=$?
	echo "no workdir: $rc $(cat "$TEST_TMP/err")"
	"$t" rm -f -t 0 run1 new1 nodir >/dev/null
}

@test "cp: a relative path in a container starts at its working directory, running or not, as Podman's" {
	compare_output_with_podman cp_relative <<-'EOF'
		running: one one two 0 
		out: one two 
		created, no sub: 125 Error: "sub/f1" could not be found on container new1: no such file or directory
		created: one f2 ls: /opt/sub: No such file or directory 
		no workdir: 125 Error: "f1" could not be found on container nodir: no such file or directory
	EOF
}

# TOOL $1's inspect templates that name the ID field as Podman's structs
# do: each template, its exit code, and whether the output is the ID.
inspect_id_field() {
	local t=$1 what id out rc fmt
	"$t" create --name c1 localhost/ferry-test:latest true >/dev/null
	for what in localhost/ferry-test:latest c1; do
		id=$("$t" inspect --format '{{.Id}}' "$what")
		for fmt in '{{.ID}}' '{{.ID | upper}}' '{{json .ID}}' '{{ .Id }}'; do
			rc=0
			out=$("$t" inspect --format "$fmt" "$what" 2>&1) || rc=$?
			out=${out//$id/ID}
			out=${out//${id^^}/UPPER-ID}
			echo "$what $fmt -> $rc $out"
		done
		rc=0
		out=$("$t" image inspect --format '{{.ID}}' localhost/ferry-test:latest 2>&1) || rc=$?
		[ "$what" = c1 ] || echo "image inspect {{.ID}} -> $rc ${out//$id/ID}"
		"$t" inspect --format '{{json .}}' "$what" | jq -r 'keys | map(select(. == "ID" or . == "Id")) | join(",")'
	done
}

@test "inspect: {{.ID}} of an image or a container is its ID, as in Podman's structs; {{json .}} keeps only Id" {
	compare_output_with_podman inspect_id_field <<-'EOF'
		localhost/ferry-test:latest {{.ID}} -> 0 ID
		localhost/ferry-test:latest {{.ID | upper}} -> 0 UPPER-ID
		localhost/ferry-test:latest {{json .ID}} -> 0 "ID"
		localhost/ferry-test:latest {{ .Id }} -> 0 ID
		image inspect {{.ID}} -> 0 ID
		Id
		c1 {{.ID}} -> 0 ID
		c1 {{.ID | upper}} -> 0 UPPER-ID
		c1 {{json .ID}} -> 0 "ID"
		c1 {{ .Id }} -> 0 ID
		Id
	EOF
}

# TOOL $1 makes volumes of type=bind: one of a device that is not there,
# one of a directory of the host, which a container then sees and writes.
bind_type_volumes() {
	local t=$1 rc
	mkdir -p "$TEST_TMP/host-$t"
	echo from-host >"$TEST_TMP/host-$t/myfile"
	rc=0
	"$t" volume create -o type=bind -o device=/nonexistent/dir bv 2>"$TEST_TMP/err" || rc=$?
	echo "missing device: $rc $(cat "$TEST_TMP/err")"
	"$t" volume create -o type=bind -o device="$TEST_TMP/host-$t" bv
	"$t" volume inspect --format '{{.Options.type}}' bv
	"$t" run --rm -v bv:/vol localhost/ferry-test sh -c 'cat /vol/myfile; echo written >/vol/new'
	cat "$TEST_TMP/host-$t/new"
	"$t" volume rm bv
	ls "$TEST_TMP/host-$t"
}

@test "volume create: type=bind binds the directory given as device=, and refuses one that is not there, as Podman's" {
	compare_output_with_podman bind_type_volumes <<-'EOF'
		missing device: 125 Error: invalid volume option device for driver 'local': faccessat /nonexistent/dir: no such file or directory
		bv
		bind
		from-host
		written
		bv
		myfile
		new
	EOF
}

# TOOL $1 prunes volumes with its answers on a pipe: no, the input's
# end, yes, and with nothing left to prune.
prune_from_pipe() {
	local t=$1 rc
	"$t" volume create unused >/dev/null
	rc=0
	echo N | "$t" volume prune || rc=$?
	echo " -> $rc"
	rc=0
	"$t" volume prune </dev/null 2>&1 || rc=$?
	echo " -> $rc"
	rc=0
	echo y | "$t" volume prune || rc=$?
	echo " -> $rc"
	rc=0
	"$t" volume prune </dev/null || rc=$?
	echo " -> $rc"
}

@test "volume prune reads its answer from a pipe, fails with EOF at the input's end, and says when nothing is dangling, as Podman's" {
	compare_output_with_podman prune_from_pipe <<-'EOF'
		WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:
		unused
		Are you sure you want to continue? [y/N]  -> 0
		WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:
		unused
		Are you sure you want to continue? [y/N] Error: EOF
		 -> 125
		WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:
		unused
		Are you sure you want to continue? [y/N] unused
		 -> 0
		WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:
		No dangling volumes found
		 -> 0
	EOF
}

# TOOL $1 runs an image with a VOLUME under containers.conf's
# image_volume_mode, with and without --image-volume.
image_volume_mode() {
	local t=$1
	"$t" create --name base localhost/ferry-test:latest true >/dev/null
	"$t" commit -q --change 'VOLUME /data' base withvol >/dev/null
	export CONTAINERS_CONF_OVERRIDE=$TEST_TMP/over.conf
	printf '[engine]\nimage_volume_mode = "tmpfs"\n' >"$CONTAINERS_CONF_OVERRIDE"
	echo "tmpfs: $("$t" run --rm withvol stat -f -c %T /data)"
	echo "anonymous given: $("$t" run --rm --image-volume anonymous withvol sh -c 'stat -f -c %T /data | grep -c tmpfs')"
	echo "ignore given: $("$t" run --rm --image-volume ignore withvol ls -d /data 2>&1)"
	printf '[engine]\nimage_volume_mode = "ignore"\n' >"$CONTAINERS_CONF_OVERRIDE"
	echo "ignore: $("$t" run --rm withvol ls -d /data 2>&1)"
	printf '[engine]\nimage_volume_mode = "bogus"\n' >"$CONTAINERS_CONF_OVERRIDE"
	"$t" ps >/dev/null 2>&1 || echo "bogus: refused"
	unset CONTAINERS_CONF_OVERRIDE
}

@test "run: containers.conf's image_volume_mode is the --image-volume of a container that gives none, as Podman's" {
	compare_output_with_podman image_volume_mode <<-'EOF'
		tmpfs: tmpfs
		anonymous given: 0
		ignore given: ls: /data: No such file or directory
		ignore: ls: /data: No such file or directory
		bogus: refused
	EOF
}

# TOOL $1's events for containers run with --rm (exiting, stopped), and
# for a push and a load: status and name, the image events with their
# ID.  (A container without --rm is left out: Podman's cleanup event for
# it races with a removal that follows.)
rm_push_load_events() {
	local t=$1 img=localhost/ferry-test:latest id
	id=$("$t" image inspect --format '{{.Id}}' "$img")
	"$t" run --rm --name gone "$img" true
	"$t" run -d --rm --name stopped "$img" sleep 1000 >/dev/null
	"$t" stop -t 0 stopped >/dev/null
	# The --rm container's removal may come a moment after stop returns.
	wait_until "! $t container exists stopped"
	"$t" events --stream=false --filter type=container --format '{{.Name}} {{.Status}}' |
		grep -v -e ' stop$' | tr '\n' ' '
	echo
	mkdir -p "$TEST_TMP/dir-$t"
	"$t" push -q "$img" "dir:$TEST_TMP/dir-$t"
	"$t" save -q -o "$TEST_TMP/$t.tar" "$img"
	"$t" load -q -i "$TEST_TMP/$t.tar" >/dev/null
	"$t" events --stream=false --filter event=push --filter event=loadfromarchive --format '{{.Status}} {{.ID}}' |
		sed "s/$id/ID/" | sort -u
}

@test "events: a --rm container has no cleanup event, and push and load name the image's ID, as Podman's" {
	export PODMAN_EVENTS=file
	compare_output_with_podman rm_push_load_events <<-'EOF'
		gone create gone init gone start gone attach gone died gone remove stopped create stopped init stopped start stopped died stopped remove 
		loadfromarchive ID
		push ID
	EOF
}

# TOOL $1's container cleanup with --exec and --rmi, in both orders.
cleanup_exec_rmi() {
	local t=$1 args rc
	for args in "--exec=foo --rmi foo" "--rmi --exec=foo foo"; do
		rc=0
		# shellcheck disable=SC2086
		"$t" container cleanup $args 2>"$TEST_TMP/err" || rc=$?
		echo "$args -> $rc $(cat "$TEST_TMP/err")"
	done
}

@test "container cleanup: --exec and --rmi cannot be set together, as Podman's" {
	compare_output_with_podman cleanup_exec_rmi <<-'EOF'
		--exec=foo --rmi foo -> 125 Error: --exec and --rmi cannot be set together
		--rmi --exec=foo foo -> 125 Error: --exec and --rmi cannot be set together
	EOF
}

# TOOL $1 given a flag without its value: letters alone and ending a
# cluster, and long names.
flag_without_value() {
	local t=$1 args rc
	for args in "run -h" "run -de" "ps -n" "images -f" "run --env" "create --name"; do
		rc=0
		# shellcheck disable=SC2086
		"$t" $args 2>"$TEST_TMP/err" || rc=$?
		echo "$args -> $rc $(tool_words <"$TEST_TMP/err" | tr '\n' ' ')"
	done
}

@test "a letter flag without its value is named as Podman names it: 'h' in -h" {
	compare_output_with_podman flag_without_value <<-'EOF'
		run -h -> 125 Error: flag needs an argument: 'h' in -h See 'TOOL run --help' 
		run -de -> 125 Error: flag needs an argument: 'e' in -e See 'TOOL run --help' 
		ps -n -> 125 Error: flag needs an argument: 'n' in -n See 'TOOL ps --help' 
		images -f -> 125 Error: flag needs an argument: 'f' in -f See 'TOOL images --help' 
		run --env -> 125 Error: flag needs an argument: --env See 'TOOL run --help' 
		create --name -> 125 Error: flag needs an argument: --name See 'TOOL create --help' 
	EOF
}

# TOOL $1 copies with --pause and with -a values that Go reads as bools,
# and with others: each command's exit code and error, and whether the
# copy was made.
cp_bool_flags() {
	local t=$1 args rc n=0
	echo data >"$TEST_TMP/hf"
	"$t" run -d --name c1 localhost/ferry-test:latest sleep 1000 >/dev/null
	for args in --pause --pause=false --pause=bogus -a=T -a=0 --archive=False --archive=yes; do
		n=$((n + 1))
		rc=0
		"$t" cp "$args" "$TEST_TMP/hf" "c1:/tmp/f$n" 2>"$TEST_TMP/err" || rc=$?
		echo "$args -> $rc $("$t" exec c1 cat "/tmp/f$n" 2>/dev/null || echo none) $(tool_words <"$TEST_TMP/err" | tr '\n' ' ')"
	done
	"$t" rm -f -t 0 c1 >/dev/null
}

@test "cp takes Podman's hidden --pause, and -a values as Go reads a bool" {
	compare_output_with_podman cp_bool_flags <<-'EOF'
		--pause -> 0 data 
		--pause=false -> 0 data 
		--pause=bogus -> 125 none Error: invalid argument "bogus" for "--pause" flag: strconv.ParseBool: parsing "bogus": invalid syntax See 'TOOL cp --help' 
		-a=T -> 0 data 
		-a=0 -> 0 data 
		--archive=False -> 0 data 
		--archive=yes -> 125 none Error: invalid argument "yes" for "-a, --archive" flag: strconv.ParseBool: parsing "yes": invalid syntax See 'TOOL cp --help' 
	EOF
}

# TOOL $1 copies out of a container onto a device node and a FIFO of
# the test's own, and into it from standard input streams that hold no
# tar, an empty tar and a gzipped tar: exit code, error, and what is
# left where.
cp_refused_ends() {
	local t=$1 rc what
	rm -f "$TEST_TMP/dev-null" "$TEST_TMP/fifo"
	mknod "$TEST_TMP/dev-null" c 1 3
	mkfifo "$TEST_TMP/fifo"
	"$t" run -d --name c1 localhost/ferry-test:latest sh -c 'echo in-ctr >/tmp/f; sleep 1000' >/dev/null
	for what in dev-null fifo; do
		rc=0
		"$t" cp c1:/tmp/f "$TEST_TMP/$what" 2>"$TEST_TMP/err" || rc=$?
		echo "onto $what: $rc $(sed "s#$TEST_TMP#TMP#" "$TEST_TMP/err") $(stat -c %F "$TEST_TMP/$what")"
	done
	echo plain >"$TEST_TMP/plain"
	mkdir -p "$TEST_TMP/tree"
	echo in-tar >"$TEST_TMP/tree/g"
	for what in plain empty-stream empty-tar gzip-tar; do
		rc=0
		case $what in
		plain) "$t" cp - c1:/tmp <"$TEST_TMP/plain" 2>"$TEST_TMP/err" || rc=$? ;;
		empty-stream) "$t" cp - c1:/tmp </dev/null 2>"$TEST_TMP/err" || rc=$? ;;
		empty-tar) tar cf - -T /dev/null | "$t" cp - c1:/tmp 2>"$TEST_TMP/err" || rc=$? ;;
		gzip-tar) tar czf - -C "$TEST_TMP/tree" g | "$t" cp - c1:/tmp 2>"$TEST_TMP/err" || rc=$? ;;
		esac
		echo "stdin $what: $rc $(cat "$TEST_TMP/err")"
	done
	"$t" exec c1 cat /tmp/g
	"$t" rm -f -t 0 c1 >/dev/null
}

@test "cp never copies onto a device or a FIFO, and wants a tar with entries on standard input, as Podman" {
	compare_output_with_podman cp_refused_ends <<-'EOF'
		onto dev-null: 125 Error: invalid destination: "TMP/dev-null" must be a directory or a regular file character special file
		onto fifo: 125 Error: invalid destination: "TMP/fifo" must be a directory or a regular file fifo
		stdin plain: 125 Error: source must be a (compressed) tar archive when copying from stdin
		stdin empty-stream: 125 Error: source must be a (compressed) tar archive when copying from stdin
		stdin empty-tar: 125 Error: source must be a (compressed) tar archive when copying from stdin
		stdin gzip-tar: 0 
		in-tar
	EOF
}

# TOOL $1 given an unknown command with flags after it: exit code and
# error (the help's first line for -h and --help).
unknown_command_flags() {
	local t=$1 args rc
	for args in "bad --invalid" "bad x -x" "image bad --invalid" "volume bad -q" "bad --root" "bad --help" "image bad -h"; do
		rc=0
		# shellcheck disable=SC2086
		"$t" $args >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
		echo "$args -> $rc $(tool_words <"$TEST_TMP/err" | tr '\n' ' ')$([ -s "$TEST_TMP/out" ] && echo help)"
	done
}

@test "an unknown command's flags are read first: an unknown one is its error, -h and --help the help, as Podman's" {
	compare_output_with_podman unknown_command_flags <<-'EOF'
		bad --invalid -> 125 Error: unknown flag: --invalid See 'TOOL --help' 
		bad x -x -> 125 Error: unknown shorthand flag: 'x' in -x See 'TOOL --help' 
		image bad --invalid -> 125 Error: unknown flag: --invalid See 'TOOL image --help' 
		volume bad -q -> 125 Error: unknown shorthand flag: 'q' in -q See 'TOOL volume --help' 
		bad --root -> 125 Error: flag needs an argument: --root See 'TOOL --help' 
		bad --help -> 0 help
		image bad -h -> 0 help
	EOF
}

# TOOL $1: images built on one another by commit (base, then mid on base,
# then top on mid, and side on base), the names taken off base and mid;
# what rmi removes of them, and what stays.
prune_parents() {
	local t=$1 img=localhost/ferry-test:latest c
	for c in mid top side; do
		case $c in
		mid) "$t" run --name b --network none "$img" sh -c 'echo 1 >/one' ;;
		top) "$t" run --name b --network none mid sh -c 'echo 2 >/two' ;;
		side) "$t" run --name b --network none "$img" sh -c 'echo 3 >/three' ;;
		esac
		"$t" commit -q b "$c" >/dev/null
		"$t" rm b >/dev/null
	done
	"$t" untag "$img"
	"$t" untag mid
	# side still stands on base: only top and mid go.
	"$t" rmi top | sed -E 's/[0-9a-f]{64}/ID/'
	"$t" images -a --format '{{.Repository}}:{{.Tag}}' | sort
	# --no-prune keeps base, unnamed, once side goes.
	"$t" rmi --no-prune side | sed -E 's/[0-9a-f]{64}/ID/'
	"$t" images -a --format '{{.Repository}}:{{.Tag}}' | sort
}

@test "rmi removes the unnamed images the image was built on, down to one a name, a container or another image holds; --no-prune keeps them (010-images, Podman's prune of dangling parents)" {
	compare_output_with_podman prune_parents <<-'EOF'
		Untagged: localhost/top:latest
		Deleted: ID
		Deleted: ID
		<none>:<none>
		localhost/side:latest
		Untagged: localhost/side:latest
		Deleted: ID
		<none>:<none>
	EOF
	# A container of base's holds it. (Podman removes the image named,
	# then fails on the parent and exits 2; ferry's rmi did what it was
	# asked, and keeps what is held without a word.)
	base=$(f images -aq --no-trunc)
	f run --name b --network none "$base" sh -c 'echo 4 >/four'
	f commit -q b again >/dev/null
	f rm b >/dev/null
	f create --name holder --network none "$base" true >/dev/null
	run_ferry rmi again
	assert_status 0
	[ "$(echo "$output" | grep -c '^Deleted: ')" = 1 ]
	[ "$(f images -aq --no-trunc)" = "$base" ]
}
