#!/usr/bin/env bats
# attach, start -a, run's --detach-keys, --sig-proxy and --preserve-fds, the
# stopping state, and the global --runtime-flag, --tmpdir, --out and
# --noout, as a Podman user types them.  Sequences run in ferry and are
# compared with what Podman 5.4 printed for them (kept below), and, where
# Podman is installed, with Podman run live on roots of the test's own.

load helpers
load podman-helpers
load pty-helpers

IMAGE=localhost/ferry-test:latest

teardown() {
	podman_teardown
	ferry_teardown
}

attach_errors() {
	local t=$1
	make_containers "$t" <<-EOF
		r1 run sleep 1000
		c1 create true
		c2 create true
	EOF
	step "$t" attach c1 </dev/null
	step "$t" attach nosuch
	step "$t" attach
	step "$t" attach r1 c1
	step "$t" attach -l c1
	step "$t" attach --detach-keys ctrl-1 r1
	step "$t" attach --detach-keys abc r1
	step "$t" container attach --detach-keys ctrl-A r1
	step "$t" start -a c1 c2
	step "$t" start -a --all
	step "$t" start --sig-proxy c1
	step "$t" start -a --detach-keys ctrl-1 c1
	step "$t" run --rm --network none --detach-keys ctrl-1 $IMAGE true
}

@test "attach: errors and exit codes as Podman's" {
	compare_with_podman attach_errors <<-'EOF'
		$ attach c1 -> 125
		  err: Error: attaching to container <c1>: you can only attach to running containers
		$ attach nosuch -> 125
		  err: Error: no container with name or ID "nosuch" found: no such container
		$ attach -> 125
		  err: Error: "ferry attach" requires a name, id, or the "--latest" flag
		$ attach r1 c1 -> 125
		  err: Error: `ferry attach` accepts at most one argument
		$ attach -l c1 -> 125
		  err: Error: --latest and containers cannot be used together
		$ attach --detach-keys ctrl-1 r1 -> 125
		  err: Error: attaching to container <r1>: invalid detach keys: Unknown character: 'ctrl-1'
		$ attach --detach-keys abc r1 -> 125
		  err: Error: attaching to container <r1>: invalid detach keys: Unknown character: 'abc'
		$ container attach --detach-keys ctrl-A r1 -> 125
		  err: Error: attaching to container <r1>: invalid detach keys: Unknown character: 'ctrl-A'
		$ start -a c1 c2 -> 125
		  err: Error: you cannot start and attach multiple containers at once
		$ start -a --all -> 125
		  err: Error: you cannot start and attach all containers at once
		$ start --sig-proxy c1 -> 125
		  err: Error: you cannot use sig-proxy without --attach: invalid argument
		$ start -a --detach-keys ctrl-1 c1 -> 125
		  err: Error: unable to start container <c1>: invalid detach keys: Unknown character: 'ctrl-1'
		$ run --rm --network none --detach-keys ctrl-1 localhost/ferry-test:latest true -> 126
		  err: Error: invalid detach keys: Unknown character: 'ctrl-1'
	EOF
}

attach_streams() {
	local t=$1
	make_ctr "$t" i1 "run -d -i" sh -c 'while read l; do echo "got $l"; done; echo bye >&2; exit 7'
	# end comes a second after cat: detached by then, neither tool shows it
	# (under load Podman's attach sometimes still had it).
	make_ctr "$t" d1 "run -d -i" sh -c 'cat; sleep 1; echo end'
	make_ctr "$t" d2 "run -d -i" sh -c 'cat; echo end'
	make_ctr "$t" s1 "create -i" sh -c 'read l; echo "start got $l"; exit 4'
	# Input piped in; its end closes the container's; the newline Podman
	# adds; exit 0 whatever the container's code.
	printf 'a\nb\n' | step "$t" attach i1
	step "$t" wait i1
	# ctrl-p, ctrl-q typed (each alone in a read) detach, and the
	# container's input closes with the connection: cat ends.
	(printf 'x\n'; sleep 0.5; printf '\020'; sleep 0.3; printf '\021'; sleep 0.5; printf 'lost\n') |
		step "$t" attach d1
	step "$t" wait d1
	step "$t" logs d1
	# The same bytes inside one read are the container's.
	(printf 'y\n'; sleep 0.5; printf '\020\021z\n') | step "$t" attach d2
	step "$t" wait d2
	# --no-stdin: nothing goes in; the output comes until it exits.
	make_ctr "$t" n1 "run -d -i" sh -c 'sleep 2; read -t 2 l && echo "got $l" || echo "no input"'
	echo q | step "$t" attach --no-stdin n1
	echo q | step "$t" start -a s1
	echo q | step "$t" start -ai s1
}

@test "attach -i and start -a: input, output, detach keys and exit codes as Podman's" {
	# The octal of the bytes attach passes on: \020\021 are ctrl-p, ctrl-q.
	compare_with_podman attach_streams <<-'EOF'
		$ attach i1 -> 0
		  out: got a
		  out: got b
		  out: 
		  err: bye
		$ wait i1 -> 0
		  out: 7
		$ attach d1 -> 0
		  out: x
		  out: 
		$ wait d1 -> 0
		  out: 0
		$ logs d1 -> 0
		  out: x
		  out: end
		$ attach d2 -> 0
		  out: y
		  out: ^P^Qz
		  out: end
		  out: 
		$ wait d2 -> 0
		  out: 0
		$ attach --no-stdin n1 -> 0
		  out: no input
		  out: 
		$ start -a s1 -> 4
		  out: start got q
		$ start -ai s1 -> 4
		  out: start got q
	EOF
	# The bytes themselves: ctrl-p and ctrl-q reached d2.
	f logs d2 | od -c | grep -q '020 021   z'
}

@test "attach --sig-proxy passes ferry's signals on; --sig-proxy=false leaves the container be" {
	load_test_image
	f run -d --name sp --network none ferry-test sh -c 'trap "echo term; exit 5" TERM; while :; do sleep 0.1; done' >/dev/null
	"$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" attach sp >"$TEST_TMP/out" 2>&1 &
	local pid=$!
	wait_until "[ -S $RUNROOT/socket/\$(f inspect --format '{{.Id}}' sp)/attach ] && sleep 0.5"
	kill -TERM "$pid"
	wait "$pid"
	[ "$(cat "$TEST_TMP/out")" = term ]
	[ "$(f wait sp)" = 5 ]
	f start sp >/dev/null
	"$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" attach --sig-proxy=false sp >"$TEST_TMP/out" 2>&1 &
	pid=$!
	sleep 1
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 143 ]
	[ "$(ctr_status sp)" = running ]
	run_ferry attach --sig-proxy=maybe sp
	assert_status 125
	assert_one_line_error
}

tty_sequence() {
	local t=$1 argv
	argv=$(tool_argv "$t")
	make_ctr "$t" t1 "run -d -it" sh -c 'read x; stty size; echo "got $x"; read y; echo "got $y"; exit 3'
	# shellcheck disable=SC2086
	{
		python3 "$FERRY_SRC/tests/lib/ptydrive.py" 'sleep:1.5;send:one\r;sleep:1;send:\x10;sleep:0.3;send:\x11;sleep:0.5' \
			-- $argv attach t1
		"$t" inspect --format '{{.State.Status}}' t1
		python3 "$FERRY_SRC/tests/lib/ptydrive.py" 'sleep:1.5;send:two\r;sleep:1' -- $argv attach t1
		"$t" wait t1
	} >>"$TEST_TMP/$t.log" 2>&1
}

@test "attach -t on a terminal: raw, its size, detach keys, a second attach types on, as Podman's" {
	compare_with_podman tty_sequence <<-'EOF'
		b'one\r\n30 100\r\ngot one\r\n\r\n'
		rc=0
		running
		b'two\r\ngot two\r\n\r\n'
		rc=0
		3
	EOF
}

stopping_sequence() {
	local t=$1
	make_ctr "$t" ig "run -d" sh -c 'trap "" TERM; while :; do sleep 0.1; done'
	"$t" stop -t 60 ig >/dev/null 2>&1 &
	local stopper=$!
	wait_until "[ \"\$($t inspect --format '{{.State.Status}}' ig)\" = stopping ]" 20
	step "$t" inspect --format '{{.State.Status}} {{.State.Running}} {{.State.Paused}}' ig
	step "$t" ps --format '{{.Names}}'
	step "$t" ps -a --format '{{.Names}} {{.Status}} {{.State}}'
	step "$t" ps -a --filter status=stopping
	step "$t" start ig
	step "$t" rm ig
	step "$t" pause ig
	step "$t" unpause ig
	step "$t" restart ig
	step "$t" container checkpoint ig
	step "$t" attach ig </dev/null
	step "$t" kill -s USR1 ig
	# A second stop ends it at once, and the first one with it.
	step "$t" stop -t 0 ig
	wait "$stopper"
	step "$t" inspect --format '{{.State.Status}} {{.State.ExitCode}}' ig
}

@test "stopping: what ps, inspect and the other commands say while stop waits, as Podman's" {
	compare_with_podman stopping_sequence <<-'EOF'
		$ inspect --format {{.State.Status}} {{.State.Running}} {{.State.Paused}} ig -> 0
		  out: stopping false false
		$ ps --format {{.Names}} -> 0
		$ ps -a --format {{.Names}} {{.Status}} {{.State}} -> 0
		  out: ig Stopping stopping
		$ ps -a --filter status=stopping -> 125
		  err: Error: unknown container state: stopping: invalid argument
		$ start ig -> 125
		  err: Error: unable to start container "<ig>": container <ig> must be in Created or Stopped state to be started: container state improper
		$ rm ig -> 2
		  err: Error: cannot remove container <ig> as it is stopping - running or paused containers cannot be removed without force: container state improper
		$ pause ig -> 125
		  err: Error: "stopping" is not running, can't pause: container state improper
		$ unpause ig -> 125
		  err: Error: "<ig>" is not paused, can't unpause: container state improper
		$ restart ig -> 125
		  err: Error: unable to restart a container in a paused or unknown state: container state improper
		$ container checkpoint ig -> 125
		  err: Error: "stopping" is not running, cannot checkpoint: container state improper
		$ attach ig -> 125
		  err: Error: attaching to container <ig>: you can only attach to running containers
		$ kill -s USR1 ig -> 0
		  out: ig
		$ stop -t 0 ig -> 0
		  out: ig
		$ inspect --format {{.State.Status}} {{.State.ExitCode}} ig -> 0
		  out: exited 137
	EOF
}

@test "stopping: a stop killed while it waits leaves the next command to settle the state" {
	load_test_image
	f run -d --name ig --network none ferry-test sh -c 'trap "" TERM; while :; do sleep 0.1; done' >/dev/null
	f run -d --name gone --network none ferry-test sh -c 'trap "exit 9" USR1; trap "" TERM; while :; do sleep 0.1; done' >/dev/null
	"$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" stop -t 60 ig &
	local a=$!
	"$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" stop -t 60 gone &
	local b=$!
	wait_until '[ "$(ctr_status ig)" = stopping ] && [ "$(ctr_status gone)" = stopping ]' 20
	kill -9 "$a" "$b"
	wait "$a" "$b" || true
	# ig still runs: it is running again.  gone exited meanwhile (its conmon
	# recorded it, or the next look does): exited with its code.
	f kill -s USR1 gone >/dev/null
	[ "$(ctr_status ig)" = running ]
	wait_until '[ "$(ctr_status gone)" = exited ]'
	[ "$(f inspect --format '{{.State.ExitCode}}' gone)" = 9 ]
	f ps --format '{{.Names}} {{.State}}' | grep -qx 'ig running'
	# And it stops as any other.
	f stop -t 1 ig >/dev/null
	[ "$(f inspect --format '{{.State.Status}} {{.State.ExitCode}}' ig)" = "exited 137" ]
}

preserve_sequence() {
	local t=$1
	echo hello >"$TEST_TMP/pf"
	step "$t" run --rm --network none $IMAGE cat /proc/self/fd/3 3<"$TEST_TMP/pf"
	step "$t" run --rm --network none --preserve-fds 1 $IMAGE cat /proc/self/fd/3 3<"$TEST_TMP/pf"
	step "$t" run --rm --network none --preserve-fd 7 $IMAGE cat /proc/self/fd/7 7<"$TEST_TMP/pf"
	step "$t" run --rm --network none --preserve-fd 9 $IMAGE true 9<&-
	step "$t" run --rm --network none --preserve-fds 1 $IMAGE true 3<&-
	step "$t" create --preserve-fds 1 $IMAGE true
}

@test "run --preserve-fds and --preserve-fd pass descriptors into the container, as Podman's" {
	compare_with_podman preserve_sequence <<-'EOF'
		$ run --rm --network none localhost/ferry-test:latest cat /proc/self/fd/3 -> 1
		  err: cat: can't open '/proc/self/fd/3': No such file or directory
		$ run --rm --network none --preserve-fds 1 localhost/ferry-test:latest cat /proc/self/fd/3 -> 0
		  out: hello
		$ run --rm --network none --preserve-fd 7 localhost/ferry-test:latest cat /proc/self/fd/7 -> 0
		  out: hello
		$ run --rm --network none --preserve-fd 9 localhost/ferry-test:latest true -> 125
		  err: Error: file descriptor 9 is not available - the preserve-fd option requires that file descriptors must be passed
		$ run --rm --network none --preserve-fds 1 localhost/ferry-test:latest true -> 125
		  err: Error: file descriptor 3 is not available - the preserve-fds option requires that file descriptors must be passed
		$ create --preserve-fds 1 localhost/ferry-test:latest true -> 125
		  err: Error: unknown flag: --preserve-fds
		  err: See 'ferry create --help'
	EOF
}

@test "--out and --noout take ferry's own output, never the container's" {
	load_test_image
	run_ferry --out "$TEST_TMP/o1" run -d --name g1 --network none ferry-test sleep 100
	assert_status 0
	[ -z "$output" ]
	grep -Eqx '[0-9a-f]{64}' "$TEST_TMP/o1"
	# A container in the foreground still writes to ferry's stdout.
	run_ferry --out "$TEST_TMP/o2" run --rm --network none ferry-test echo hi
	assert_status 0
	[ "$output" = hi ]
	[ ! -s "$TEST_TMP/o2" ]
	echo in | f --noout run --rm -i --network none ferry-test cat >"$TEST_TMP/o3"
	[ "$(cat "$TEST_TMP/o3")" = in ]
	run_ferry ps -a --noout
	assert_status 0
	[ -z "$output" ]
	run_ferry --out "$TEST_TMP/o4" --noout ps
	[ ! -e "$TEST_TMP/o4" ]
	f --out "$TEST_TMP/o5" logs g1
	f --out "$TEST_TMP/o6" inspect --format '{{.Name}}' g1
	[ "$(cat "$TEST_TMP/o6")" = g1 ]
	run_ferry --out /nonexistent/o ps
	assert_status 1
	[ "$output" = "Error: unable to open file for standard output: open /nonexistent/o: no such file or directory" ]
	if command -v podman >/dev/null; then
		run podman_t --out /nonexistent/o ps
		assert_status 1
		[[ "$output" == *"unable to open file for standard output: open /nonexistent/o: no such file or directory"* ]]
	fi
}

@test "--runtime-flag reaches the runtime, and --tmpdir holds exit files and attach sockets" {
	load_test_image
	run_ferry --runtime-flag bogus run --rm --network none ferry-test echo hi
	[ "$status" -ne 0 ]
	assert_output_contains "flag provided but not defined: -bogus"
	[ -z "$(f ps -a -q)" ]
	run_ferry --runtime-flag debug --runtime-flag=log-format=json run --rm --network none ferry-test echo hi
	assert_status 0
	[ "$output" = hi ]
	local id
	id=$(f --tmpdir "$TEST_TMP/tmp" run -d -i --network none ferry-test sh -c 'read x; exit 4')
	[ -S "$TEST_TMP/tmp/socket/$id/attach" ]
	[ ! -e "$RUNROOT/socket/$id" ]
	echo go | f --tmpdir "$TEST_TMP/tmp" attach "$id" >/dev/null || true
	[ "$(f --tmpdir "$TEST_TMP/tmp" wait "$id")" = 4 ]
	[ "$(cat "$TEST_TMP/tmp/exits/$id")" = 4 ]
}
