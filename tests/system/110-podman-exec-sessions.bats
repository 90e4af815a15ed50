#!/usr/bin/env bats
# exec sessions: exec -it with --detach-keys (the command goes on, detached),
# exec -d (prints its session), inspect's .ExecIDs, container cleanup
# --exec, and what stop, start, rm and checkpoint do with sessions, as a
# Podman user types them.  Sequences run in ferry and are compared with
# what Podman 5.4 printed for them (kept below), and, where Podman is
# installed, with Podman run live on roots of the test's own.  Then what a
# ferry killed while it starts a session leaves.

load helpers
load podman-helpers
load pty-helpers

bats_require_minimum_version 1.5.0

IMAGE=localhost/ferry-test:latest

podman_hooks_for_every_test

# exec -d with tool $1, the rest its arguments: the session's ID, which
# must look like one, remembered as <$2> for the transcripts.
exec_d() {
	local t=$1 as=$2 sid
	shift 2
	sid=$("$t" exec -d "$@")
	[[ "$sid" =~ ^[0-9a-f]{64}$ ]] || {
		echo "exec -d printed '$sid'" >&2
		return 1
	}
	echo "s/$sid/<$as>/g" >>"$TEST_TMP/$t.sed"
	echo "$sid"
}

drive() {
	local t=$1 steps=$2 argv
	shift 2
	argv=$(tool_argv "$t")
	# shellcheck disable=SC2086
	python3 "$FERRY_SRC/tests/lib/ptydrive.py" "$steps" -- $argv "$@" >>"$TEST_TMP/$t.log" 2>&1
}

terminal_sequence() {
	local t=$1
	make_ctr "$t" c1 "run -d" sleep 1000
	echo 's/[0-9a-f]\{64\}/<ID>/g' >>"$TEST_TMP/$t.sed"
	# Typed, then ctrl-p ctrl-q: exec's exit code 0, the shell goes on.
	drive "$t" 'sleep:1.5;send:echo hi\r;sleep:1;send:\x10;sleep:0.3;send:\x11;sleep:0.5' exec -it c1 sh
	step "$t" inspect --format '{{len .ExecIDs}}' c1
	step "$t" top c1 args
	# Other keys; ctrl-p alone is the command's.  The terminal's size from
	# the start, the command's exit code, and a session that ended when
	# attached is gone.
	drive "$t" 'sleep:1.5;send:\x10;sleep:0.3;send:yo\r;sleep:1' exec -it --detach-keys ctrl-x,y c1 \
		sh -c 'stty size; read x; echo "got $x"; exit 3'
	step "$t" inspect --format '{{len .ExecIDs}}' c1
	# No keys: ctrl-p reaches the command (ctrl-q is the terminal's own,
	# XON).
	drive "$t" 'sleep:1.5;send:\x10;sleep:0.3;send:\x11;sleep:0.3;send:\r;sleep:1' exec -it --detach-keys '' c1 \
		sh -c 'read x; printf "%s" "$x" | od -An -c; exit 4'
	step "$t" exec --detach-keys ctrl-1 c1 true
	step "$t" exec -it --detach-keys ctrl-1 c1 true
	# Detached, the keys are not looked at.
	step "$t" exec -d --detach-keys ctrl-1 c1 true
}

@test "exec -it: detach keys leave the command running in its session, as Podman's" {
	compare_with_podman terminal_sequence <<-'EOF'
		b"\r\n\r\nBusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) built-in shell (ash)\r\nEnter 'help' for a list of built-in commands.\r\n\r\n/ # \x1b[6necho hi\r\nhi\r\n/ # \x1b[6n"
		rc=0
		$ inspect --format {{len .ExecIDs}} c1 -> 0
		  out: 1
		$ top c1 args -> 0
		  out: COMMAND
		  out: sleep 1000 
		  out: sh 
		b'30 100\r\n^Pyo\r\ngot \x10yo\r\n'
		rc=3
		$ inspect --format {{len .ExecIDs}} c1 -> 0
		  out: 1
		b'^P\r\n 020\r\n'
		rc=4
		$ exec --detach-keys ctrl-1 c1 true -> 255
		  err: Error: invalid detach keys: Unknown character: 'ctrl-1'
		$ exec -it --detach-keys ctrl-1 c1 true -> 255
		  err: Error: invalid detach keys: Unknown character: 'ctrl-1'
		$ exec -d --detach-keys ctrl-1 c1 true -> 0
		  out: <ID>
	EOF
}

# Whether session $3 of container $2 ended, in tool $1's eyes: a cleanup
# of one that runs fails.
session_ended() {
	"$1" container cleanup --exec "$3" "$2" >/dev/null 2>&1
}

sessions_sequence() {
	local t=$1 s1 s2
	make_ctr "$t" c1 "run -d" sleep 1000
	s1=$(exec_d "$t" S1 c1 sh -c 'exit 5')
	s2=$(exec_d "$t" S2 c1 sleep 100)
	step "$t" inspect --format '{{len .ExecIDs}}' c1
	wait_until "session_ended $t c1 $s1"
	step "$t" container cleanup --exec "$s2" c1
	step "$t" container cleanup --exec "$s2" --rm c1
	step "$t" container cleanup --exec "$s1" c1
	# Ended and cleaned, a session stays listed until --rm.
	step "$t" inspect --format '{{len .ExecIDs}}' c1
	step "$t" container cleanup --exec "$s1" --rm c1
	step "$t" inspect --format '{{len .ExecIDs}}' c1
	step "$t" container cleanup --exec nosuch c1
	step "$t" container cleanup --exec "$s2" nosuch
	step "$t" container cleanup --exec "$s2" --latest
	step "$t" container cleanup --exec "$s2" --all
	step "$t" container cleanup --exec "$s2" c1 c1
	# A stop ends the session's command; it stays listed until the next
	# start.
	step "$t" stop -t 0 c1
	wait_until "session_ended $t c1 $s2"
	step "$t" inspect --format '{{.State.Status}} {{len .ExecIDs}}' c1
	step "$t" exec -d c1 true
	step "$t" start c1
	step "$t" inspect --format '{{.State.Status}} {{len .ExecIDs}}' c1
	# A container removed takes its sessions, running or not.
	exec_d "$t" S3 c1 sleep 100 >/dev/null
	step "$t" rm -f -t 0 c1
	step "$t" container cleanup --exec "$s2" c1
	# The sessions' IDs in the commands too.
	sed -i -f "$TEST_TMP/$t.sed" "$TEST_TMP/$t.log"
}

@test "exec -d: its session, .ExecIDs, cleanup --exec, stop, start and rm, as Podman's" {
	compare_with_podman sessions_sequence <<-'EOF'
		$ inspect --format {{len .ExecIDs}} c1 -> 0
		  out: 2
		$ container cleanup --exec <S2> c1 -> 125
		  err: time=T level=error msg="Running container cleanup: cannot clean up container <c1> exec session <S2> as it is running: exec session state improper"
		  err: Error: cannot clean up container <c1> exec session <S2> as it is running: exec session state improper
		$ container cleanup --exec <S2> --rm c1 -> 125
		  err: time=T level=error msg="Running container cleanup: container <c1> exec session <S2> is still running, cannot remove: exec session state improper"
		  err: Error: container <c1> exec session <S2> is still running, cannot remove: exec session state improper
		$ container cleanup --exec <S1> c1 -> 0
		$ inspect --format {{len .ExecIDs}} c1 -> 0
		  out: 2
		$ container cleanup --exec <S1> --rm c1 -> 0
		$ inspect --format {{len .ExecIDs}} c1 -> 0
		  out: 1
		$ container cleanup --exec nosuch c1 -> 0
		$ container cleanup --exec <S2> nosuch -> 0
		$ container cleanup --exec <S2> --latest -> 125
		  err: time=T level=error msg="Running container cleanup: cannot clean up container <c1> exec session <S2> as it is running: exec session state improper"
		  err: Error: cannot clean up container <c1> exec session <S2> as it is running: exec session state improper
		$ container cleanup --exec <S2> --all -> 125
		  err: Error: --all and --exec cannot be set together
		$ container cleanup --exec <S2> c1 c1 -> 125
		  err: Error: cannot use exec option when more than one container is given
		$ stop -t 0 c1 -> 0
		  out: c1
		$ inspect --format {{.State.Status}} {{len .ExecIDs}} c1 -> 0
		  out: exited 1
		$ exec -d c1 true -> 125
		  err: Error: can only create exec sessions on running containers: container state improper
		$ start c1 -> 0
		  out: c1
		$ inspect --format {{.State.Status}} {{len .ExecIDs}} c1 -> 0
		  out: running 0
		$ rm -f -t 0 c1 -> 0
		  out: c1
		$ container cleanup --exec <S2> c1 -> 0
	EOF
}

checkpoint_sequence() {
	local t=$1
	make_ctr "$t" c1 "run -d" sleep 1000
	exec_d "$t" S1 c1 sleep 100 >/dev/null
	# The session's command is not the container's tree, which is all that
	# CRIU dumps: it ends with the checkpoint, as in Podman.
	step "$t" container checkpoint c1
	step "$t" inspect --format '{{.State.Status}} {{len .ExecIDs}}' c1
	step "$t" container restore c1
	step "$t" inspect --format '{{.State.Status}} {{len .ExecIDs}}' c1
	step "$t" top c1 args
}

@test "checkpoint of a container with a running exec session, as Podman's" {
	compare_with_podman checkpoint_sequence <<-'EOF'
		$ container checkpoint c1 -> 0
		  out: c1
		$ inspect --format {{.State.Status}} {{len .ExecIDs}} c1 -> 0
		  out: exited 1
		$ container restore c1 -> 0
		  out: c1
		$ inspect --format {{.State.Status}} {{len .ExecIDs}} c1 -> 0
		  out: running 1
		$ top c1 args -> 0
		  out: COMMAND
		  out: sleep 1000 
	EOF
}

@test "exec session: a ferry killed while it starts one leaves nothing the next command does not settle" {
	load_test_image
	f run -d --name c1 --network none ferry-test sleep 1000 >/dev/null
	# Killed before conmon ran: the next look removes what it wrote.
	run -137 env FERRY_FAULT=exec-session-recorded "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" \
		exec -d c1 sleep 100
	[ -n "$(ls "$RUNROOT/exec/"*/)" ]
	[ "$(f inspect --format '{{len .ExecIDs}}' c1)" = 0 ]
	[ -z "$(ls "$RUNROOT/exec/"*/)" ]
	# Killed once it ran: the session goes on, listed, and ends as any.
	run -137 env FERRY_FAULT=exec-session-started "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" \
		exec -d c1 sh -c 'sleep 0.5; exit 6'
	[ "$(f inspect --format '{{len .ExecIDs}}' c1)" = 1 ]
	sid=$(f inspect --format '{{index .ExecIDs 0}}' c1)
	wait_until "f container cleanup --exec $sid c1" 20
	[ "$(cat "$RUNROOT/exec/"*"/$sid/exit/"*)" = 6 ]
	f container cleanup --exec "$sid" --rm c1
	[ "$(f inspect --format '{{len .ExecIDs}}' c1)" = 0 ]
	# Killed while attached: the same, as a detach.
	python3 "$FERRY_SRC/tests/lib/ptydrive.py" 'sleep:1.5' -- \
		env FERRY_FAULT=exec-session-started "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" \
		exec -it c1 sh -c 'sleep 1; exit 7' >"$TEST_TMP/out"
	grep -q 'rc=-9' "$TEST_TMP/out"
	sid=$(f inspect --format '{{index .ExecIDs 0}}' c1)
	wait_until "f container cleanup --exec $sid c1" 20
	[ "$(cat "$RUNROOT/exec/"*"/$sid/exit/"*)" = 7 ]
	f rm -f -t 0 c1 >/dev/null
	[ -z "$(ls "$RUNROOT/exec" 2>/dev/null)" ]
	! pgrep -f "conmon.*$RUNROOT/exec" >/dev/null || false
}

conf_keys_sequence() {
	local t=$1
	make_ctr "$t" c1 "run -d" sleep 1000
	make_ctr "$t" c2 "run -d -it" sh
	drive "$t" 'sleep:1.5;send:\x18;sleep:0.5' exec -it c1 sh -c 'echo in; read x; echo "got $x"'
	step "$t" inspect --format '{{len .ExecIDs}}' c1
	# The command line's win.
	drive "$t" 'sleep:1.5;send:\x18;sleep:0.3;send:\r;sleep:1' exec -it --detach-keys ctrl-p,ctrl-q c1 \
		sh -c 'read x; printf "%s" "$x" | od -An -c'
	drive "$t" 'sleep:1.5;send:\x18;sleep:0.5' attach c2
	step "$t" inspect --format '{{.State.Status}}' c2
	# (What the shell draws when run and start -a resize its terminal
	# varies with timing, in Podman too: only how they end.)
	drive "$t" 'sleep:1.5;send:\x18;sleep:0.5' run -it --name c3 --network none "$(image_of "$t")" sh
	sed -i "$(($(wc -l <"$TEST_TMP/$t.log") - 1))d" "$TEST_TMP/$t.log"
	step "$t" inspect --format '{{.State.Status}}' c3
	step "$t" stop -t 0 c3
	drive "$t" 'sleep:1.5;send:\x18;sleep:0.5' start -ai c3
	sed -i "$(($(wc -l <"$TEST_TMP/$t.log") - 1))d" "$TEST_TMP/$t.log"
	step "$t" inspect --format '{{.State.Status}}' c3
}

image_of() {
	if [ "$1" = podman_t ]; then echo "$IMAGE"; else echo ferry-test; fi
}

@test "containers.conf's detach_keys: the default of exec -it, attach, run and start, as Podman's" {
	echo 'detach_keys = "ctrl-x"' >>"$CONTAINERS_CONF"
	compare_with_podman conf_keys_sequence <<-'EOF'
		b'in\r\n'
		rc=0
		$ inspect --format {{len .ExecIDs}} c1 -> 0
		  out: 1
		b'^X\r\n 030\r\n'
		rc=0
		b'\r/ # \x1b[J\r\n'
		rc=0
		$ inspect --format {{.State.Status}} c2 -> 0
		  out: running
		rc=0
		$ inspect --format {{.State.Status}} c3 -> 0
		  out: running
		$ stop -t 0 c3 -> 0
		  out: c3
		rc=0
		$ inspect --format {{.State.Status}} c3 -> 0
		  out: running
	EOF
}
