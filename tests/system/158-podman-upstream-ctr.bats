#!/usr/bin/env bats
# Podman's own system tests of logs, ps, rm, exec, pause, kill and top,
# taken as a checklist: each behaviour they pin, tried with ferry and
# with Podman 5.4 on this machine, and where ferry differed, fixed.
# What these tests hold: times given to logs --since and --until as any
# decimal number or a negative duration; logs -f --until ending while the
# container runs on; logs ending by SIGPIPE when its reader goes away;
# ps --filter id= in either case and as a regular expression; rm of a
# container another joined with --ipc, --pid or --uts container:; the
# exit code of an attached run whose container another's rm -f removed;
# exec -t's TERM; exec's --group-add groups and run's words for one the
# image lacks; --stop-signal's forms; top's several ps(1) arguments;
# --preserve-fd's refusals.  Each sequence is
# compared with the transcript ferry printed once it matched Podman (kept
# below) and, where Podman is installed, with Podman run live: standard
# output whole, the first words of each error line.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers

audit_hooks_for_every_test

IMAGE=localhost/ferry-test:latest

# Runs tool $1 with the rest in place of this shell, so that the caller's
# $! is the tool's own process (f and podman_t are shell functions).
exec_tool() {
	local t=$1
	shift
	if [ "$t" = f ]; then
		exec "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" "$@"
	fi
	export PODMAN_IGNORE_CGROUPSV1_WARNING=1
	exec podman --root "$TEST_TMP/proot" --runroot "$TEST_TMP/prun" --tmpdir "$TEST_TMP/ptmp" \
		--network-config-dir "$TEST_TMP/pnet" --cgroup-manager cgroupfs --events-backend none \
		--runtime runc "$@"
}

# The output file $1 without carriage returns (a terminal's) and
# trailing blanks (the kernel's, after a list), for _step.
trimmed() {
	tr -d '\r' <"$1" | sed 's/[[:space:]]*$//'
}

# Waits for process $1, at most 30 s (a bound far beyond what it needs,
# not a measure), then kills it; says in the transcript of the tool $t
# of the caller "$2: " and its exit code, or "still running".
wait_bounded() {
	local pid=$1 rc=0
	for _ in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		pkill -P "$pid" 2>/dev/null || true
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		say "$t" "$2: still running"
		return 0
	fi
	wait "$pid" || rc=$?
	say "$t" "$2: $rc"
}

# Appends line $2 to tool $1's transcript.
say() {
	echo "$2" >>"$TEST_TMP/$1.log"
}

logs_times_sequence() {
	local t=$1
	make_ctr "$t" ex run -- echo hi
	"$t" wait ex >/dev/null
	step "$t" logs --since -1s ex
	step "$t" logs --since -1h30m ex
	step "$t" logs --since -5 ex
	step "$t" logs --since +5 ex
	step "$t" logs --since .5 ex
	step "$t" logs --since -1.5 ex
	step "$t" logs --since -0 ex
	step "$t" logs --until -1h ex
	step "$t" logs --until 99999999999 ex
	step "$t" logs --since 10x ex
	step "$t" logs --since 0x10 ex
	# Times far away: no wrap-around in nanoseconds, a number beyond a
	# double refused, one beyond 64-bit seconds the earliest time.
	step "$t" logs --since 1e18 ex
	step "$t" logs --until 9e15 ex
	step "$t" logs --since 1e20 ex
	step "$t" logs --until 1e20 ex
	step "$t" logs --until 2562047h ex
	step "$t" logs --since 1e400 ex
}

@test "logs --since and --until take a negative duration and any decimal number of Unix seconds, as Podman's" {
	audit_compare_expected logs_times_sequence <<-'EOF'
		$ logs --since -1s ex -> 0
		$ logs --since -1h30m ex -> 0
		$ logs --since -5 ex -> 0
		  out: hi
		$ logs --since +5 ex -> 0
		  out: hi
		$ logs --since .5 ex -> 0
		  out: hi
		$ logs --since -1.5 ex -> 0
		  out: hi
		$ logs --since -0 ex -> 0
		  out: hi
		$ logs --until -1h ex -> 0
		$ logs --until 99999999999 ex -> 0
		  out: hi
		$ logs --since 10x ex -> 125
		  err: Error: parsing --since "10x": use Unix seconds, a duration such as 10m, or an RFC 3339 time
		$ logs --since 0x10 ex -> 125
		  err: Error: parsing --since "0x10": use Unix seconds, a duration such as 10m, or an RFC 3339 time
		$ logs --since 1e18 ex -> 0
		$ logs --until 9e15 ex -> 0
		  out: hi
		$ logs --since 1e20 ex -> 0
		  out: hi
		$ logs --until 1e20 ex -> 0
		$ logs --until 2562047h ex -> 0
		  out: hi
		$ logs --since 1e400 ex -> 125
		  err: Error: parsing --since "1e400": use Unix seconds, a duration such as 10m, or an RFC 3339 time
	EOF
}

follow_until_sequence() {
	local t=$1
	# shellcheck disable=SC2016 # the container's shell expands it
	make_ctr "$t" fu run -- sh -c 'n=1; while :; do echo L$n; n=$((n+1)); sleep 0.1; done'
	(exec_tool "$t" logs -f --until 2s fu >"$TEST_TMP/fu.out" 2>&1) &
	wait_bounded $! "logs -f --until 2s"
	say "$t" "first line: $(head -1 "$TEST_TMP/fu.out")"
	step "$t" inspect --format '{{.State.Status}}' fu
}

@test "logs -f --until stops once that time has passed, the container still running, as Podman's" {
	audit_compare_expected follow_until_sequence <<-'EOF'
		logs -f --until 2s: 0
		first line: L1
		$ inspect --format {{.State.Status}} fu -> 0
		  out: running
	EOF
}

# TOOL $1's logs of a container with a long log, read by head -1: its
# exit code and standard error.
logs_pipe_sequence() {
	local t=$1 rc
	make_ctr "$t" big run -- seq 1 200000
	"$t" wait big >/dev/null
	make_ctr "$t" quiet run -- sleep 1000
	"$t" logs big 2>"$TEST_TMP/err" | head -1 >"$TEST_TMP/out"
	rc=${PIPESTATUS[0]}
	say "$t" "logs | head -1: $rc [$(cat "$TEST_TMP/out")] [$(cat "$TEST_TMP/err")]"
	# The follower of the quiet one must not follow on for no one.
	(exec_tool "$t" logs -f big quiet 2>"$TEST_TMP/err" | head -1 >"$TEST_TMP/out") &
	wait_bounded $! "logs -f two | head -1"
	say "$t" "logs -f two | head -1: [$(cut -d' ' -f2 "$TEST_TMP/out")] [$(cat "$TEST_TMP/err")]"
	rc=0
	pgrep -f -- "$TEST_TMP/.* logs -f big quiet" >/dev/null || rc=$?
	say "$t" "a follower left: $([ "$rc" = 0 ] && echo yes || echo no)"
}

@test "logs whose reader goes away ends by SIGPIPE without a word, as Podman's" {
	audit_compare_expected logs_pipe_sequence <<-'EOF'
		logs | head -1: 141 [1] []
		logs -f two | head -1: 0
		logs -f two | head -1: [1] []
		a follower left: no
	EOF
}

# TOOL $1's ps -a --filter id=VALUE for each "LABEL VALUE" of stdin: the
# names it shows.
ps_ids() {
	local t=$1 label value rc out
	while read -r label value; do
		rc=0
		out=$("$t" ps -a --filter "id=$value" --format '{{.Names}}' --sort names 2>&1) || rc=$?
		say "$t" "$label: $rc [$(printf '%s\n' "$out" | paste -sd ' ')]"
	done
}

ps_id_sequence() {
	local t=$1 a b c
	make_ctr "$t" a create -- true
	make_ctr "$t" b create -- true
	make_ctr "$t" c create -- true
	a=$("$t" inspect --format '{{.Id}}' a)
	b=$("$t" inspect --format '{{.Id}}' b)
	c=$("$t" inspect --format '{{.Id}}' c)
	a=${a^^}
	ps_ids "$t" <<-EOF
		upper-case-prefix-of-a ${a:0:13}
		upper-case-a $a
		anchored-prefix-of-b ^${b:0:13}
		end-of-c ${c:50}\$
		middle-of-c ${c:20:20}
		not-hex [^0-9a-f]
		any-hex [0-9a-f]
		bad-regex [
	EOF
	# Two values of the key: either.
	say "$t" "a-or-b: $("$t" ps -a --filter "id=$a" --filter "id=^${b:0:20}" --format '{{.Names}}' --sort names | paste -sd ' ')"
}

@test "ps --filter id= takes hex digits as a prefix in either case and anything else as a regular expression, as Podman's" {
	audit_compare_expected ps_id_sequence <<-'EOF'
		upper-case-prefix-of-a: 0 [a]
		upper-case-a: 0 [a]
		anchored-prefix-of-b: 0 [b]
		end-of-c: 0 [c]
		middle-of-c: 0 []
		not-hex: 0 []
		any-hex: 0 [a b c]
		bad-regex: 0 []
		a-or-b: a b
	EOF
}

rm_joined_sequence() {
	local t=$1
	make_ctr "$t" peer create -- true
	make_ctr "$t" ji create --ipc container:peer -- true
	make_ctr "$t" jp create --pid container:peer -- true
	make_ctr "$t" ju create --uts container:peer -- true
	step "$t" rm peer
	step "$t" ps -a --format '{{.Names}}' --sort names
	step_sorted "$t" rm --depend peer
	step "$t" ps -a --format '{{.Names}}'
}

@test "rm refuses a container that another joined with --ipc, --pid or --uts container:, and rm --depend removes both, as Podman's" {
	audit_compare_expected rm_joined_sequence <<-'EOF'
		$ rm peer -> 125
		  err: Error: container <ID> has dependent containers which must be removed before it: <ID>, <ID>, <ID>: container already exists
		$ ps -a --format {{.Names}} --sort names -> 0
		  out: ji
		  out: jp
		  out: ju
		  out: peer
		$ rm --depend peer -> 0
		  out: <ID>
		  out: <ID>
		  out: <ID>
		  out: peer
		$ ps -a --format {{.Names}} -> 0
	EOF
}

# TOOL $1 runs a container attached, is stopped (SIGSTOP) while another
# rm -f removes the container, then goes on: its exit code.
run_removed_sequence() {
	local t=$1 pid rc
	(exec_tool "$t" run --name sr --network none "$IMAGE" sh -c 'echo up; sleep 1000' >"$TEST_TMP/sr.out" 2>/dev/null) &
	pid=$!
	for _ in $(seq 300); do
		grep -q up "$TEST_TMP/sr.out" 2>/dev/null && break
		sleep 0.1
	done
	kill -STOP "$pid"
	"$t" rm -f -t 0 sr >/dev/null
	kill -CONT "$pid"
	rc=0
	wait "$pid" || rc=$?
	say "$t" "run, its container removed by rm -f: $rc"
	step "$t" ps -a --format '{{.Names}}'
}

@test "a run attached to a container another's rm -f removed exits 137, as Podman's" {
	load_test_image
	audit_compare_expected run_removed_sequence <<-'EOF'
		run, its container removed by rm -f: 137
		$ ps -a --format {{.Names}} -> 0
	EOF
}

exec_sequence() {
	local t=$1
	make_ctr "$t" plain run -- sleep 1000
	make_ctr "$t" withterm run -e TERM=runterm -- sleep 1000
	make_ctr "$t" grouped run --group-add 1,2,3 -- sleep 1000
	make_ctr "$t" user run -u 1000:1000 --group-add 5 -- sleep 1000
	# shellcheck disable=SC2016 # the container's shell expands it
	local show='echo "[$TERM]"'
	step "$t" exec plain sh -c "$show"
	_step trimmed "$t" exec -t plain sh -c "$show"
	_step trimmed "$t" exec -t -e TERM=execterm plain sh -c "$show"
	_step trimmed "$t" exec -t withterm sh -c "$show"
	_step trimmed "$t" exec grouped grep Groups /proc/1/status /proc/self/status
	_step trimmed "$t" exec -u 0 grouped grep Groups /proc/self/status
	_step trimmed "$t" exec user grep Groups /proc/1/status /proc/self/status
	step "$t" exec user id
	step "$t" run --name gw --network none --group-add wheel "$IMAGE" true
	step "$t" ps -a --format '{{.Names}} {{.Status}}' --filter name=gw
}

@test "exec -t sets TERM=xterm where the container has none, and exec keeps the container's --group-add groups, as Podman's" {
	audit_compare_expected exec_sequence <<-'EOF'
		$ exec plain sh -c echo "[$TERM]" -> 0
		  out: []
		$ exec -t plain sh -c echo "[$TERM]" -> 0
		  out: [xterm]
		$ exec -t -e TERM=execterm plain sh -c echo "[$TERM]" -> 0
		  out: [execterm]
		$ exec -t withterm sh -c echo "[$TERM]" -> 0
		  out: [runterm]
		$ exec grouped grep Groups /proc/1/status /proc/self/status -> 0
		  out: /proc/1/status:Groups:	1 2 3
		  out: /proc/self/status:Groups:	1 2 3
		$ exec -u 0 grouped grep Groups /proc/self/status -> 0
		  out: Groups:
		$ exec user grep Groups /proc/1/status /proc/self/status -> 0
		  out: /proc/1/status:Groups:	5 1000
		  out: /proc/self/status:Groups:	5
		$ exec user id -> 0
		  out: uid=1000(cloudsdk) gid=1000(1000) groups=5
		$ run --name gw --network none --group-add wheel localhost/ferry-test:latest true -> 126
		  err: Error: looking up supplemental groups for container <ID>: Unable to find group wheel: no matching entries in group file
		$ ps -a --format {{.Names}} {{.Status}} --filter name=gw -> 0
		  out: gw Created
	EOF
}

stop_signal_sequence() {
	local t=$1 sig
	for sig in -1 '' -SIGINT -15 65 -65 99999999; do
		step "$t" create --name s1 --network none --stop-signal="$sig" "$IMAGE" true
		step "$t" inspect --format '{{.Config.StopSignal}}' s1
		"$t" rm -f s1 >/dev/null 2>&1 || true
	done
}

@test "create --stop-signal drops one leading dash, takes an empty one as the default and refuses a number out of range in Podman's words" {
	audit_compare_expected stop_signal_sequence <<-'EOF'
		$ create --name s1 --network none --stop-signal=-1 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{.Config.StopSignal}} s1 -> 0
		  out: SIGHUP
		$ create --name s1 --network none --stop-signal= localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{.Config.StopSignal}} s1 -> 0
		  out: SIGTERM
		$ create --name s1 --network none --stop-signal=-SIGINT localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{.Config.StopSignal}} s1 -> 0
		  out: SIGINT
		$ create --name s1 --network none --stop-signal=-15 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{.Config.StopSignal}} s1 -> 0
		  out: SIGTERM
		$ create --name s1 --network none --stop-signal=65 localhost/ferry-test:latest true -> 125
		  err: Error: valid signals are 1 through 64
		$ inspect --format {{.Config.StopSignal}} s1 -> 125
		  err: Error: no such object: "s1"
		$ create --name s1 --network none --stop-signal=-65 localhost/ferry-test:latest true -> 125
		  err: Error: valid signals are 1 through 64
		$ inspect --format {{.Config.StopSignal}} s1 -> 125
		  err: Error: no such object: "s1"
		$ create --name s1 --network none --stop-signal=99999999 localhost/ferry-test:latest true -> 125
		  err: Error: valid signals are 1 through 64
		$ inspect --format {{.Config.StopSignal}} s1 -> 125
		  err: Error: no such object: "s1"
	EOF
}

top_sequence() {
	local t=$1
	make_ctr "$t" t1 run -- top
	step "$t" top t1 -o 'pid comm' -p 1
	step "$t" top t1 -p 1 -o 'pid comm,user'
	# ps(1)'s own refusal, in its words.
	step_rc "$t" top t1 -o 'pid  comm' -p 1
	step "$t" top t1 "-p 1 -o 'pid comm'"
}

@test "top hands several ps(1) arguments to ps each as it is, and splits one alone into words, as Podman's" {
	audit_compare_expected top_sequence <<-'EOF'
		$ top t1 -o pid comm -p 1 -> 0
		  out:     PID COMMAND
		  out:       1 top
		$ top t1 -p 1 -o pid comm,user -> 0
		  out:     PID COMMAND         USER
		  out:       1 top             root
		$ top t1 -o pid  comm -p 1 -> 125
		$ top t1 -p 1 -o 'pid comm' -> 0
		  out:     PID COMMAND
		  out:       1 top
	EOF
}

preserve_fd_sequence() {
	local t=$1 v
	make_ctr "$t" p1 run -- sleep 1000
	for v in bogus '' 3,x '3,' +3 99999999999999999999 2 0,5; do
		step "$t" exec --preserve-fd="$v" p1 true
	done
	step "$t" run --rm --network none --preserve-fd=x "$IMAGE" true
}

@test "--preserve-fd of run and exec refuses a list that is not of whole numbers, and the standard streams, in Podman's words" {
	audit_compare_expected preserve_fd_sequence <<-'EOF'
		$ exec --preserve-fd=bogus p1 true -> 125
		  err: Error: invalid argument "bogus" for "--preserve-fd" flag: strconv.ParseUint: parsing "bogus": invalid syntax
		  err: See 'ferry exec --help'
		$ exec --preserve-fd= p1 true -> 125
		  err: Error: invalid argument "" for "--preserve-fd" flag: strconv.ParseUint: parsing "": invalid syntax
		  err: See 'ferry exec --help'
		$ exec --preserve-fd=3,x p1 true -> 125
		  err: Error: invalid argument "3,x" for "--preserve-fd" flag: strconv.ParseUint: parsing "x": invalid syntax
		  err: See 'ferry exec --help'
		$ exec --preserve-fd=3, p1 true -> 125
		  err: Error: invalid argument "3," for "--preserve-fd" flag: strconv.ParseUint: parsing "": invalid syntax
		  err: See 'ferry exec --help'
		$ exec --preserve-fd=+3 p1 true -> 125
		  err: Error: invalid argument "+3" for "--preserve-fd" flag: strconv.ParseUint: parsing "+3": invalid syntax
		  err: See 'ferry exec --help'
		$ exec --preserve-fd=99999999999999999999 p1 true -> 125
		  err: Error: invalid argument "99999999999999999999" for "--preserve-fd" flag: strconv.ParseUint: parsing "99999999999999999999": value out of range
		  err: See 'ferry exec --help'
		$ exec --preserve-fd=2 p1 true -> 125
		  err: Error: cannot preserve FD 2, consider using the passthrough log-driver to pass STDIO streams into the container: invalid argument
		$ exec --preserve-fd=0,5 p1 true -> 125
		  err: Error: file descriptor 5 is not available - the preserve-fd option requires that file descriptors must be passed
		$ run --rm --network none --preserve-fd=x localhost/ferry-test:latest true -> 125
		  err: Error: invalid argument "x" for "--preserve-fd" flag: strconv.ParseUint: parsing "x": invalid syntax
		  err: See 'ferry run --help'
	EOF
}
