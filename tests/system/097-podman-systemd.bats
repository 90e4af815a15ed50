#!/usr/bin/env bats
# run/create's systemd flags (--systemd, --shm-size-systemd, --sdnotify,
# --requires) and generate systemd, compared with Podman 5.4 run live where
# it is installed: the mounts of systemd mode, what a real unix datagram
# socket given as NOTIFY_SOCKET receives from each tool, the order in which
# --requires starts containers and what rm says about a required one, and
# the text of the units (normalised: paths, IDs, the tool's name).  No
# systemd runs here (PID 1 is not systemd), so the units are checked by
# running their ExecStart, ExecStop and ExecStopPost lines as systemd would.
# Then ferry's own: the settings survive checkpoint/restore in place and
# export/import, and an archive's malformed fields are refused.

load helpers
load podman-helpers

bats_require_minimum_version 1.5.0

teardown() {
	podman_teardown
	ferry_teardown
}

# A datagram listener on socket $1 that appends each message it gets, as
# one Python repr per line, to file $2: systemd's side of NOTIFY_SOCKET.
start_listener() {
	cat >"$TEST_TMP/listen.py" <<-'PY'
		import os, socket, sys
		path, out = sys.argv[1], sys.argv[2]
		s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
		s.bind(path)
		open(out + ".ready", "w").close()
		with open(out, "a") as f:
		    while True:
		        data = s.recv(4096)
		        f.write(repr(data.decode()) + "\n")
		        f.flush()
	PY
	python3 "$TEST_TMP/listen.py" "$1" "$2" &
	wait_until "[ -e '$2.ready' ]"
}

# Sends datagram $2 to socket $1 (a marker in the listener's file, or what
# a container's service would send).
send_datagram() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(sys.argv[1]); s.send(sys.argv[2].encode())' "$1" "$2"
}

# What tool $1 (f or podman_t) does with NOTIFY_SOCKET in each --sdnotify
# mode, image $2, appended to $TEST_TMP/$1.notify with MAINPID shown as
# <conmon> when it is the container's conmon.
notify_sequence() {
	local t=$1 img=$2 sock=$TEST_TMP/$1.sock raw=$TEST_TMP/$1.raw mode conmon pid
	start_listener "$sock" "$raw"
	for mode in conmon container ignore; do
		send_datagram "$sock" "== $mode"
		NOTIFY_SOCKET=$sock "$t" run -d --network none --name "n-$mode" --sdnotify "$mode" "$img" \
			sh -c 'echo "NOTIFY_SOCKET=${NOTIFY_SOCKET:-unset}"; ls /run/notify 2>&1 | head -n 1; sleep 1000' \
			>/dev/null
		conmon=$("$t" inspect --format '{{.State.ConmonPid}}' "n-$mode")
		echo "s/MAINPID=$conmon\b/MAINPID=<conmon>/" >>"$TEST_TMP/$t.pids"
		wait_until "[ \"\$($t logs n-$mode | wc -l)\" -ge 2 ]"
		"$t" logs "n-$mode" >>"$TEST_TMP/$t.env"
		# What exec runs does not get the socket.
		"$t" exec "n-$mode" sh -c 'echo "exec: ${NOTIFY_SOCKET:-unset}"' >>"$TEST_TMP/$t.env"
		if [ "$mode" = container ]; then
			# What the container's service sends, at the path it was given.
			pid=$("$t" inspect --format '{{.State.Pid}}' "n-$mode")
			send_datagram "/proc/$pid/root/run/notify/notify.sock" 'STATUS=up
READY=1'
			wait_until "grep -q READY '$raw'"
		fi
		"$t" inspect --format "$mode {{.Config.SdNotifyMode}}" "n-$mode" >>"$TEST_TMP/$t.env"
	done
	send_datagram "$sock" "== end"
	wait_until "grep -q '== end' '$raw'"
	sed -f "$TEST_TMP/$t.pids" "$raw" >"$TEST_TMP/$t.notify"
}

@test "sdnotify: conmon, container and ignore tell a real NOTIFY_SOCKET what Podman's tell it" {
	load_test_image
	notify_sequence f ferry-test
	cat >"$TEST_TMP/expected" <<-'EOF'
		'== conmon'
		'MAINPID=<conmon>\nREADY=1'
		'== container'
		'MAINPID=<conmon>'
		'STATUS=up\nREADY=1'
		'== ignore'
		'== end'
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.notify"
	grep -qx 'NOTIFY_SOCKET=/run/notify/notify.sock' "$TEST_TMP/f.env"
	[ "$(grep -c 'NOTIFY_SOCKET=unset' "$TEST_TMP/f.env")" -eq 2 ]
	[ "$(grep -c 'exec: unset' "$TEST_TMP/f.env")" -eq 3 ]
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		notify_sequence podman_t localhost/ferry-test:latest
		diff -u "$TEST_TMP/podman_t.notify" "$TEST_TMP/f.notify"
		diff -u "$TEST_TMP/podman_t.env" "$TEST_TMP/f.env"
	fi
	f rm -f -t 0 n-conmon n-container n-ignore >/dev/null
}

@test "sdnotify healthy: MAINPID at once, READY=1 only once the health check passed; run -d waits for it" {
	load_test_image
	start_listener "$TEST_TMP/h.sock" "$TEST_TMP/h.raw"
	NOTIFY_SOCKET=$TEST_TMP/h.sock f run -d --name h --sdnotify healthy --health-cmd 'test -e /tmp/ok' \
		ferry-test sh -c 'touch /tmp/started; sleep 1000' >"$TEST_TMP/run.out" 2>&1 &
	local runner=$!
	wait_until "grep -q MAINPID '$TEST_TMP/h.raw'"
	wait_until "f exec h test -e /tmp/started"
	conmon=$(f inspect --format '{{.State.ConmonPid}}' h)
	[ "$(cat "$TEST_TMP/h.raw")" = "'MAINPID=$conmon'" ]
	# Unhealthy: no READY, and run -d still waits.
	run_ferry healthcheck run h
	assert_status 1
	sleep 0.5
	! grep -q READY "$TEST_TMP/h.raw" || false
	kill -0 "$runner"
	f exec h touch /tmp/ok
	f healthcheck run h
	wait_until "grep -q READY '$TEST_TMP/h.raw'"
	wait "$runner"
	[ "$(sed -n 2p "$TEST_TMP/h.raw")" = "'READY=1'" ]
	[ "$(cat "$TEST_TMP/run.out")" = "$(f inspect --format '{{.Id}}' h)" ]

	# A container that stops before it is healthy fails the run.
	NOTIFY_SOCKET=$TEST_TMP/h.sock run_ferry run -d --name h2 --sdnotify healthy --health-cmd true \
		ferry-test sh -c 'sleep 1'
	assert_status 125
	assert_output_contains "stopped before its health check passed"
	f rm -f -t 0 h h2 >/dev/null
}

# Mount lines of systemd mode's paths in $1's container (tool $2): the
# destination, its options and file system type.
systemd_mounts() {
	"$1" run --rm --network none "${@:3}" "$2" sh -c 'cat /proc/self/mountinfo' |
		awk '$5 ~ /^\/(tmp|run|run\/lock|var\/log\/journal)$/ { for (i = 7; $i != "-"; i++); print $5, $6, $(i + 1) }
		     $5 == "/sys/fs/cgroup/systemd" && $6 ~ /^rw/ { print $5, "rw" }'
}

@test "systemd mode: tmpfs mounts, a writable systemd cgroup, SIGRTMIN+3 and inspect as Podman's" {
	load_test_image
	systemd_mounts f ferry-test --systemd always --shm-size-systemd 10m >"$TEST_TMP/f.mounts"
	cat >"$TEST_TMP/expected" <<-'EOF'
		/tmp rw,nosuid,nodev,relatime tmpfs
		/run rw,nosuid,nodev,relatime tmpfs
		/run/lock rw,nosuid,nodev,relatime tmpfs
		/var/log/journal rw,nosuid,nodev,relatime tmpfs
		/sys/fs/cgroup/systemd rw
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.mounts"
	# --shm-size-systemd sizes them.
	f run --rm --systemd always --shm-size-systemd 10m ferry-test sh -c 'grep " /run/lock " /proc/self/mountinfo' |
		grep -q 'size=10240k'
	# Not in systemd mode: none of them.
	[ -z "$(systemd_mounts f ferry-test --systemd false)" ]
	[ -z "$(systemd_mounts f ferry-test)" ]
	# release_agent is masked, container_uuid is the ID's first 32.
	f create --name s --systemd always ferry-test sh -c 'echo $container_uuid; cat /sys/fs/cgroup/systemd/release_agent | wc -c; sleep 1000' >/dev/null
	f start s >/dev/null
	wait_until '[ "$(f logs s | wc -l)" -ge 2 ]'
	id=$(f inspect --format '{{.Id}}' s)
	[ "$(f logs s | head -n 1)" = "${id:0:32}" ]
	[ "$(f logs s | sed -n 2p)" = 0 ]
	f rm -f -t 0 s >/dev/null

	for t in f podman_t; do
		if [ "$t" = podman_t ]; then
			command -v podman >/dev/null || break
			podman_t load -q -i "$(ferry_test_image)" >/dev/null
			img=localhost/ferry-test:latest
		else
			img=ferry-test
		fi
		$t create --network none --name a --systemd always "$img" sleep 1 >/dev/null
		$t create --network none --name b "$img" /sbin/init >/dev/null
		$t create --network none --name c --systemd false "$img" /sbin/init >/dev/null
		$t create --network none --name d "$img" /bin/sh -c /usr/lib/systemd/systemd >/dev/null
		$t create --network none --name e --systemd always --stop-signal SIGINT "$img" true >/dev/null
		for n in a b c d e; do
			$t inspect --format "$n {{.Config.SystemdMode}} {{.Config.StopSignal}} {{.Config.SdNotifyMode}}" $n
		done >"$TEST_TMP/$t.inspect"
		systemd_mounts "$t" "$img" --systemd always --shm-size-systemd 10m >"$TEST_TMP/$t.mounts"
	done
	cat >"$TEST_TMP/expected" <<-'EOF'
		a true SIGRTMIN+3 container
		b true SIGRTMIN+3 container
		c false SIGTERM container
		d true SIGRTMIN+3 container
		e true SIGINT container
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.inspect"
	if command -v podman >/dev/null; then
		diff -u "$TEST_TMP/podman_t.inspect" "$TEST_TMP/f.inspect"
		diff -u "$TEST_TMP/podman_t.mounts" "$TEST_TMP/f.mounts"
	fi
}

@test "systemd flags: bad values refused with Podman's words and exit code, nothing made" {
	load_test_image
	f create --name base ferry-test true >/dev/null
	bad=(
		"--systemd bogus"
		"--sdnotify bogus"
		"--sdnotify healthy"
		"--shm-size-systemd bogus"
		"--requires nosuch"
		"--requires base,nosuch"
	)
	for args in "${bad[@]}"; do
		# shellcheck disable=SC2086
		run_ferry create $args ferry-test true
		assert_status 125
		assert_one_line_error
		echo "$args -> $status ${lines[0]}" >>"$TEST_TMP/f.errors"
	done
	[ "$(f ps -a -q | wc -l)" -eq 1 ]
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		podman_t create --network none --name base localhost/ferry-test true >/dev/null
		for args in "${bad[@]}"; do
			# shellcheck disable=SC2086
			run podman_t create --network none $args localhost/ferry-test true
			echo "$args -> $status ${lines[0]}" >>"$TEST_TMP/podman_t.errors"
		done
		diff -u "$TEST_TMP/podman_t.errors" "$TEST_TMP/f.errors"
	fi
}

# The --requires sequence of tool $1 with image $2, into its transcript.
requires_sequence() {
	local t=$1 img=$2
	make_containers "$t" <<-'EOF'
		base create sleep 1000
		base2 create sleep 1000
		other create sleep 1000
	EOF
	"$t" create --network none --requires base --requires base2 --name dep "$img" sleep 1000 >/dev/null
	id=$("$t" inspect --format '{{.Id}}' dep)
	echo "s/$id/<dep>/g" >>"$TEST_TMP/$t.sed"
	step "$t" inspect --format '{{.Dependencies}}' dep
	step "$t" start dep
	step "$t" ps -a --format '{{.Names}} {{.State}}' --sort names
	"$t" create --network none --requires other,dep --name dep2 "$img" true >/dev/null
	step "$t" inspect --format '{{.Dependencies}}' dep2
	step "$t" rm dep2
	step "$t" rm -f base
	step "$t" rm base2
	step "$t" stop -t 0 base
	step "$t" ps -a --format '{{.Names}} {{.State}}' --sort names
	step "$t" start dep
	step "$t" rm --depend -f -t 0 base
	step "$t" ps -a --format '{{.Names}} {{.State}}' --sort names
}

@test "requires: started first, shown as Dependencies, and a required container is not removed: as Podman" {
	load_test_image
	: >"$TEST_TMP/f.sed"
	requires_sequence f ferry-test
	# ferry's own view, whether Podman is here or not.
	grep -q -- '-> 125' "$TEST_TMP/f.log"
	grep -q 'has dependent containers which must be removed before it: <dep>' "$TEST_TMP/f.log"
	grep -q '  out: base2 running' "$TEST_TMP/f.log"
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		: >"$TEST_TMP/podman_t.sed"
		requires_sequence podman_t localhost/ferry-test:latest
		sed -i 's/\bpodman\b/ferry/g' "$TEST_TMP/podman_t.log"
		# Podman lists Dependencies from a map, in any order, and removes a
		# container and its dependents in parallel: each command's output
		# lines are compared sorted.
		for t in f podman_t; do
			python3 - "$TEST_TMP/$t.log" <<-'PY'
				import re, sys
				p = sys.argv[1]
				text = open(p).read()
				text = re.sub(r"out: \[([^]]*)\]", lambda m: "out: [" + " ".join(sorted(m.group(1).split())) + "]", text)
				text = re.sub(r"(?:  out: .*\n)+", lambda m: "".join(sorted(m.group(0).splitlines(True))), text)
				open(p, "w").write(text)
			PY
		done
		diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
	fi
}

# The unit's KEY= line of file $2, its continuation lines joined, with
# systemd's specifiers %t (the test's), %n ($3) and %i ($4) and $$ as a
# shell reads them.
unit_line() {
	python3 - "$1" "$2" <<-'PY'
		import sys
		key, path = sys.argv[1] + "=", sys.argv[2]
		lines = open(path).read().split("\n")
		for i, line in enumerate(lines):
		    if line.startswith(key):
		        out = line[len(key):]
		        while out.endswith(" \\"):
		            i += 1
		            out = out[:-2] + " " + lines[i].lstrip("\t")
		        print(out)
		        break
	PY
}

# Runs line KEY ($1) of unit file $2 as systemd would run it, unit name
# $3, instance $4.
run_unit_line() {
	local cmd
	cmd=$(unit_line "$1" "$2")
	mkdir -p "$TEST_TMP/t"
	cmd=${cmd//%%/$'\x01'}
	cmd=${cmd//%t/$TEST_TMP/t}
	cmd=${cmd//%n/$3}
	cmd=${cmd//%i/${4:-}}
	cmd=${cmd//\$\$/\\\$}
	cmd=${cmd//$'\x01'/%}
	eval "$cmd"
}

# Unit text of either tool, as the other would print it.
normalise_unit() {
	sed -E -e "s#$FERRY_BIN#EXE#g; s#/usr/bin/podman#EXE#g" \
		-e 's/^Description=(Podman|ferry) /Description=TOOL /' \
		-e 's/man:(podman|ferry)-generate-systemd/man:TOOL-generate-systemd/' \
		-e 's/^RequiresMountsFor=.*/RequiresMountsFor=RUNROOT/' \
		-e 's/^PIDFile=.*/PIDFile=CONMON_PIDFILE/' \
		-e 's#^(Exec[A-Za-z]*=EXE) --root [^ ]+ --runroot [^ ]+#\1#' \
		-e 's#^\t--(root|runroot|tmpdir|network-config-dir|cgroup-manager|events-backend|runtime) [^ ]+ run \\$#\tGLOBALS run \\#' \
		-e '/^\t--(root|runroot|tmpdir|network-config-dir|cgroup-manager|events-backend|runtime) [^ ]+ \\$/d' \
		-e 's#localhost/ferry-test(:latest)?#IMAGE#; s#\bferry-test\b#IMAGE#' \
		-f "$TEST_TMP/$1.sed"
}

# generate systemd with the flags both tools take, for tool $1 and image $2.
generate_sequence() {
	local t=$1 img=$2 id
	"$t" create --network none --name web "$img" sleep 1000 >/dev/null
	"$t" create --network none --stop-timeout 5 -e 'A=b c' --name web2 "$img" \
		sh -c 'echo "hi $HOME 100%"; sleep 1000' >/dev/null
	for n in web web2; do
		id=$("$t" inspect --format '{{.Id}}' $n)
		echo "s/$id/<$n>/g" >>"$TEST_TMP/$t.sed"
	done
	{
		"$t" generate systemd --no-header web
		"$t" generate systemd --no-header --name --restart-policy always --restart-sec 5 --start-timeout 20 \
			--stop-timeout 3 --container-prefix ctr --separator _ --env 'B=x y' --env UNSET_X \
			--after a.service --requires r.service --wants w.service web
		"$t" generate systemd --no-header --new web2
		"$t" generate systemd --no-header --new --template --name web
		"$t" generate systemd --format json --no-header --name web | python3 -c \
			'import json, sys; d = json.load(sys.stdin); print(list(d), d["container-web"].count("\n"))'
		(cd "$TEST_TMP" && "$t" generate systemd --files --no-header --name web && cat container-web.service)
		"$t" generate systemd --format bogus web || echo "rc=$?"
		"$t" generate systemd --restart-policy bogus web || echo "rc=$?"
		"$t" generate systemd --restart-sec -1 web || echo "rc=$?"
		"$t" generate systemd || echo "rc=$?"
	} 2>"$TEST_TMP/$t.errors" | normalise_unit "$t" >"$TEST_TMP/$t.norm"
	grep -e '^Error' -e '^See' "$TEST_TMP/$t.errors" >>"$TEST_TMP/$t.norm"
}

@test "generate systemd: the units of Podman's, normalised (paths, IDs, the tool's name)" {
	load_test_image
	: >"$TEST_TMP/f.sed"
	generate_sequence f ferry-test
	# A few lines that must be there whatever Podman says.
	grep -qx 'ExecStart=EXE start <web>' "$TEST_TMP/f.norm"
	grep -qx 'TimeoutStopSec=63' "$TEST_TMP/f.norm"
	grep -qx 'Environment="B=x y"' "$TEST_TMP/f.norm"
	grep -qxF '	-c "echo \"hi $$HOME 100%%\"; sleep 1000"' "$TEST_TMP/f.norm"
	grep -qx '	--name web-%i IMAGE sleep 1000' "$TEST_TMP/f.norm"
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		: >"$TEST_TMP/podman_t.sed"
		generate_sequence podman_t localhost/ferry-test
		sed -i -e "s#$TEST_TMP#TMP#g" -e 's/\bpodman\b/ferry/g' "$TEST_TMP/podman_t.norm"
		sed -i -e "s#$TEST_TMP#TMP#g" "$TEST_TMP/f.norm"
		diff -u "$TEST_TMP/podman_t.norm" "$TEST_TMP/f.norm"
	fi
}

@test "generate systemd: the units' lines run as systemd would start and stop the container" {
	load_test_image
	start_listener "$TEST_TMP/u.sock" "$TEST_TMP/u.raw"

	# An existing container: start (forking; PIDFile is conmon's), stop.
	f create --name web --stop-timeout 1 ferry-test sleep 1000 >/dev/null
	f generate systemd --name web >"$TEST_TMP/web.service"
	run_unit_line ExecStart "$TEST_TMP/web.service" container-web.service
	[ "$(ctr_status web)" = running ]
	pidfile=$(sed -n 's/^PIDFile=//p' "$TEST_TMP/web.service")
	[ "$(cat "$pidfile")" = "$(f inspect --format '{{.State.ConmonPid}}' web)" ]
	run_unit_line ExecStop "$TEST_TMP/web.service" container-web.service
	[ "$(ctr_status web)" = exited ]
	run_unit_line ExecStopPost "$TEST_TMP/web.service" container-web.service
	[ "$(ctr_status web)" = exited ]

	# --new: a container of its own, READY=1 to the unit's socket, stopped
	# and removed through the ID file; a second start replaces it.
	f create --name web2 -e 'A=b c' ferry-test sh -c 'echo "$A $HOME 100%"; sleep 1000' >/dev/null
	f generate systemd --new --name web2 >"$TEST_TMP/web2.service"
	f rm web2 >/dev/null
	NOTIFY_SOCKET=$TEST_TMP/u.sock run_unit_line ExecStart "$TEST_TMP/web2.service" container-web2.service
	wait_until "grep -q READY '$TEST_TMP/u.raw'"
	conmon=$(f inspect --format '{{.State.ConmonPid}}' web2)
	[ "$(cat "$TEST_TMP/u.raw")" = "'MAINPID=$conmon\\nREADY=1'" ]
	[ "$(cat "$TEST_TMP/t/container-web2.service.ctr-id")" = "$(f inspect --format '{{.Id}}' web2)" ]
	wait_until '[ -n "$(f logs web2)" ]'
	[ "$(f logs web2)" = "b c /root 100%" ]
	first=$(f inspect --format '{{.Id}}' web2)
	NOTIFY_SOCKET=$TEST_TMP/u.sock run_unit_line ExecStart "$TEST_TMP/web2.service" container-web2.service
	[ "$(f inspect --format '{{.Id}}' web2)" != "$first" ]
	run_unit_line ExecStop "$TEST_TMP/web2.service" container-web2.service
	run_unit_line ExecStopPost "$TEST_TMP/web2.service" container-web2.service
	[ -z "$(f ps -a -q --filter name=web2)" ]
	# Stopping what is gone already is no failure (--ignore).
	run_unit_line ExecStop "$TEST_TMP/web2.service" container-web2.service
	run_unit_line ExecStopPost "$TEST_TMP/web2.service" container-web2.service

	# --template: one container per instance.
	f generate systemd --template --name web >"$TEST_TMP/web@.service"
	NOTIFY_SOCKET=$TEST_TMP/u.sock run_unit_line ExecStart "$TEST_TMP/web@.service" container-web@one.service one
	NOTIFY_SOCKET=$TEST_TMP/u.sock run_unit_line ExecStart "$TEST_TMP/web@.service" container-web@two.service two
	[ "$(ctr_status web-one)" = running ]
	[ "$(ctr_status web-two)" = running ]
	run_unit_line ExecStopPost "$TEST_TMP/web@.service" container-web@one.service one
	run_unit_line ExecStopPost "$TEST_TMP/web@.service" container-web@two.service two
	[ -z "$(f ps -a -q --filter name=web-)" ]

	run_ferry generate systemd --new nosuch
	assert_status 125
	assert_output_contains 'nosuch does not refer to a container'
	# A clone has no command line of its own: a --new unit made from the
	# original's would replace the original.
	f container clone web webc >/dev/null
	run_ferry generate systemd --new webc
	assert_status 125
	assert_output_contains 'no create command found'
	f generate systemd webc | grep -q '^ExecStart=.* start '
}

@test "systemd settings survive checkpoint/restore in place and export/import on another root" {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	start_listener "$TEST_TMP/c.sock" "$TEST_TMP/c.raw"
	f create --name base ferry-test sleep 1000 >/dev/null
	fb create --name base ferry-test sleep 1000 >/dev/null
	NOTIFY_SOCKET=$TEST_TMP/c.sock f run -d --name app --systemd always --shm-size-systemd 8m --requires base \
		ferry-test sh -c "echo kept >/run/mark; $COUNTER" >/dev/null
	wait_until '[ "$(last_count app)" -ge 3 ]'
	want='true SIGRTMIN+3 container'
	[ "$(f inspect --format '{{.Config.SystemdMode}} {{.Config.StopSignal}} {{.Config.SdNotifyMode}}' app)" = "$want" ]

	f container checkpoint app >/dev/null
	NOTIFY_SOCKET=$TEST_TMP/c.sock f container restore app >/dev/null
	f exec app sh -c 'cat /run/mark; grep " /run/lock " /proc/self/mountinfo; ls /run/notify' >"$TEST_TMP/in-place"
	grep -qx kept "$TEST_TMP/in-place"
	grep -q 'size=8192k' "$TEST_TMP/in-place"
	grep -qx notify.sock "$TEST_TMP/in-place"
	[ "$(f inspect --format '{{.Config.SystemdMode}} {{.Config.StopSignal}} {{.Config.SdNotifyMode}}' app)" = "$want" ]
	assert_counts_on app

	f container checkpoint -c none -e "$TEST_TMP/app.tar" app >/dev/null
	# The archive says what it asks for; unsigned, it needs trust.
	f archive inspect "$TEST_TMP/app.tar" | grep -q "systemd cgroup hierarchy"
	run_fb container restore -i "$TEST_TMP/app.tar"
	assert_status 125
	assert_output_contains "--trust-archive"
	# On another root, --requires names a container that is not there.
	fb container restore --trust-archive -i "$TEST_TMP/app.tar" >/dev/null
	fb exec app sh -c 'cat /run/mark; grep " /var/log/journal " /proc/self/mountinfo' >"$TEST_TMP/imported"
	grep -qx kept "$TEST_TMP/imported"
	grep -q 'size=8192k' "$TEST_TMP/imported"
	[ "$(fb inspect --format '{{.Config.SystemdMode}} {{.Config.StopSignal}}' app)" = 'true SIGRTMIN+3' ]
	before=$(last_count app)
	wait_until "[ \"\$(last_count app fb)\" -gt $before ]"
	fb stop -t 0 app >/dev/null
	run_fb start app
	assert_status 125
	assert_output_contains "which is not on this host"

	# Back home: the required container is there, and started first.
	f rm -f -t 0 app >/dev/null
	f stop -t 0 base >/dev/null
	f container restore --trust-archive -i "$TEST_TMP/app.tar" >/dev/null
	[ "$(f inspect --format '{{.Dependencies}}' app)" = "[$(f inspect --format '{{.Id}}' base)]" ]
	f stop -t 0 app >/dev/null
	f start app >/dev/null
	[ "$(ctr_status base)" = running ]
	run_ferry rm -f base
	assert_status 125
	f rm -f -t 0 app base >/dev/null
	fb rm -f -t 0 app base >/dev/null
}

@test "systemd settings: an archive's malformed fields are refused, nothing made" {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	f create --name base ferry-test sleep 1000 >/dev/null
	f run -d --name app --requires base --sdnotify conmon ferry-test sleep 1000 >/dev/null
	f container checkpoint -c none -e "$TEST_TMP/good.tar" app >/dev/null
	id=$(f inspect --format '{{.Id}}' app)
	for edit in "'SdNotifyMode': 'bogus'" "'SdNotifyMode': 'healthy'" "'SdNotifyMode': 7" \
		"'Requires': ['../x']" "'Requires': []" "'Requires': ['$id']" "'SystemdMode': False" \
		"'SystemdMode': 'yes'" "'ShmSizeSystemd': -1" "'CreateCommandImage': 0" \
		"'CreateCommandImage': 999" "'CreateCommand': 'ferry run'"; do
		rewrite_archive "$TEST_TMP/good.tar" "$TEST_TMP/bad.tar" "
for i, (m, d) in enumerate(members):
    if m.name == 'config.dump':
        c = json.loads(d); c['ferry'].update({$edit}); members[i] = (m, json.dumps(c).encode())
"
		run_fb container restore --trust-archive -i "$TEST_TMP/bad.tar"
		assert_status 125
		assert_one_line_error
		assert_output_contains "field \`"
		assert_host_b_untouched
	done
	# The good one restores there (its required container missing is
	# start's business, not the archive's).
	fb container restore -i "$TEST_TMP/good.tar" >/dev/null
	[ "$(fb inspect --format '{{.Config.SdNotifyMode}}' app)" = conmon ]
	fb rm -f -t 0 app >/dev/null
	f rm -f -t 0 app base >/dev/null
}
