#!/usr/bin/env bats
# events: the event log of a runroot, as Podman's file backend keeps it:
# what each container command logs, filters, times, JSON and templates,
# following the log, and --events-backend none.  The container sequence is
# compared with what Podman 5.4 logged for it (kept below), and, where
# Podman is installed, with Podman run live.

load helpers
load podman-helpers

# This file compares events: Podman logs them to a file.
PODMAN_EVENTS=file

teardown() {
	podman_teardown
	ferry_teardown
}

# A container's life in TOOL ("f" or "podman_t"): its events, one
# "STATUS NAME EXITCODE" line each.
life() {
	local t=$1 image=ferry-test
	[ "$t" = f ] || image=localhost/ferry-test:latest
	"$t" run -d --name s --network none "$image" sleep 100 >/dev/null
	"$t" stop -t 0 s >/dev/null 2>&1
	"$t" start s >/dev/null
	"$t" kill s >/dev/null
	"$t" wait s >/dev/null
	# The cleanup conmon runs after the kill may come a moment later.
	wait_until "$t events --stream=false --filter event=cleanup --format '{{.Name}}' | grep -c s | grep -qx 2"
	"$t" restart s >/dev/null
	"$t" pause s >/dev/null
	"$t" unpause s >/dev/null
	"$t" rename s s2
	"$t" exec s2 true
	"$t" rm -f -t 0 s2 >/dev/null
	"$t" events --stream=false --filter type=container \
		--format '{{.Status}} {{.Name}} {{.ContainerExitCode}}' | sed -e 's/ <nil>$//' -e 's/ <no value>$//'
}

@test "a container's events: the statuses, names and exit codes Podman logs" {
	load_test_image
	life f >"$TEST_TMP/ferry.txt"
	cat >"$TEST_TMP/expected.txt" <<-'EOF2'
	create s
	init s
	start s
	stop s
	died s 137
	cleanup s
	init s
	start s
	kill s
	died s 137
	cleanup s
	restart s
	init s
	start s
	pause s
	unpause s
	rename s2
	exec s2
	exec_died s2 0
	died s2 137
	remove s2 137
	EOF2
	diff -u "$TEST_TMP/expected.txt" "$TEST_TMP/ferry.txt"
	if command -v podman >/dev/null; then
		mkdir -p "$TEST_TMP/ptmp"
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		life podman_t >"$TEST_TMP/podman.txt"
		# Podman logs "stop" when its stop returns, racing the cleanup
		# that logs the death: before or after it, for a stop or for
		# rm -f, from one run to the next.  Podman sometimes logs an
		# exec's death twice (its exec session and its cleanup both do),
		# so a line repeated at once counts once.  The rest is compared.
		diff -u <(grep -v '^stop ' "$TEST_TMP/podman.txt" | uniq) <(grep -v '^stop ' "$TEST_TMP/ferry.txt")
	fi
}

@test "events: filters, since and until, JSON, the plain line, images and volumes" {
	load_test_image
	f run --rm --name a --network none --label team=blue ferry-test true
	f tag ferry-test other
	f volume create v >/dev/null
	f volume rm v >/dev/null
	[ "$(f events --stream=false --filter container=a --filter event=died --format '{{.Name}} {{.ContainerExitCode}}')" = "a 0" ]
	[ "$(f events --stream=false --filter label=team=blue --filter event=remove --format '{{.Name}}')" = a ]
	[ -z "$(f events --stream=false --filter label=team=red)" ]
	[ "$(f events --stream=false --filter type=volume --format '{{.Status}} {{.Name}}' | paste -sd ' ')" = "create v remove v" ]
	id=$(f image inspect --format '{{.Id}}' ferry-test)
	[ "$(f events --stream=false --filter type=image --filter event=tag)" != "" ]
	f events --stream=false --filter event=tag | grep -Eq "^[0-9-]{10} [0-9:.]+ \+0000 UTC image tag $id other\$"
	f events --stream=false --filter event=create | grep -Eq "^[0-9-]{10} [0-9:.]+ \+0000 UTC container create [0-9a-f]{64} \(image=localhost/ferry-test:latest, name=a, team=blue\)\$"
	f events --stream=false --format json | python3 -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    assert e["Type"] in ("container", "image", "volume"), e
    assert isinstance(e["timeNano"], int) and e["time"] == e["timeNano"] // 10**9, e
'
	# Times: nothing until a moment ago, everything since an hour ago.
	[ -z "$(f events --stream=false --until "$(( $(date +%s) - 3600 ))")" ]
	[ "$(f events --stream=false --since 1h | wc -l)" = "$(f events --stream=false | wc -l)" ]
	[ -z "$(f events --stream=false --since "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)")" ]
	run_ferry events --stream=false --since yesterdayish
	assert_status 125
	assert_one_line_error
	run_ferry events --stream=false --filter colour=red
	assert_status 125
	assert_one_line_error
}

@test "events follows the log until --until, and --events-backend none logs nothing" {
	load_test_image
	until=$(( $(date +%s) + 4 ))
	f events --filter type=container --filter event=start --until "$until" --format '{{.Name}}' >"$TEST_TMP/stream" &
	pid=$!
	sleep 0.5
	f run --rm --name late --network none ferry-test true
	wait "$pid"
	[ "$(cat "$TEST_TMP/stream")" = late ]
	before=$(f events --stream=false | wc -l)
	f --events-backend none run --rm --name quiet --network none ferry-test true
	f --events-backend none volume create q >/dev/null
	[ "$(f events --stream=false | wc -l)" = "$before" ]
	run_ferry --events-backend none events --stream=false
	assert_status 125
	run_ferry --events-backend journald events --stream=false
	assert_status 125
	assert_one_line_error
}

# The first line of event log $1: the rotation marker's status, type, name
# and attributes.
first_marker() {
	head -1 "$1" | jq -c '[.Status, .Type, .Name, .Attributes]'
}

@test "containers.conf's events_logfile_path moves the log, events_logfile_max_size rotates it as Podman's does (its second half between begin and end markers, no leftovers of a killed rotation), a follower sees each event once, and events_logger none keeps none" {
	load_test_image
	mkdir "$TEST_TMP/ev"
	log=$TEST_TMP/ev/my.log
	printf '[engine]\nevents_logfile_path = "%s"\nevents_logfile_max_size = 3000\n' "$log" >"$TEST_TMP/ev.conf"
	export CONTAINERS_CONF=$TEST_TMP/ev.conf
	f events --filter event=create --format '{{.Name}}' >"$TEST_TMP/stream" &
	follower=$!
	# What a ferry killed half-way through a rotation would leave.
	echo stale >"$TEST_TMP/ev/.my.log.rotate-Ab12Cd"
	# The follower waits for the log to be made.
	sleep 0.5
	default_lines=$(wc -l <"$TEST_TMP/run/events/events.log")
	# Each shown before the next is made: the follower, keeping up, must
	# show every one once across the rotations.
	for i in $(seq 1 20); do
		f create --name "c$i" --network none ferry-test true >/dev/null
		wait_until "grep -qx c$i '$TEST_TMP/stream'"
	done
	# The runroot's own log is not written; this one stays bounded.
	[ "$(wc -l <"$TEST_TMP/run/events/events.log")" = "$default_lines" ]
	[ "$(stat -c %s "$log")" -le 3500 ]
	[ "$(first_marker "$log")" = "[\"log-rotation\",\"system\",\"$log\",{\"io.podman.event.rotate\":\"begin\"}]" ]
	grep -q '"io.podman.event.rotate":"end"' "$log"
	[ "$(ls -A "$TEST_TMP/ev")" = "$(printf 'my.log\nmy.log.lock')" ]
	# The last event is there, after the last end marker.
	tail -2 "$log" | grep -q '"Name":"c20"'
	f events --stream=false --filter type=system --format '{{.Type}} {{.Status}} {{.Name}}' | sort -u >"$TEST_TMP/sys"
	[ "$(cat "$TEST_TMP/sys")" = "system log-rotation $log" ]
	[ -n "$follower" ] && [ "$follower" -gt 0 ] && kill "$follower"
	wait "$follower" || true
	[ "$(sort "$TEST_TMP/stream" | uniq -c | awk '$1 != 1' | wc -l)" = 0 ]
	[ "$(sort -u "$TEST_TMP/stream" | wc -l)" = 20 ]
	# Commands that open no engine (volume, tag) log there too.
	f volume create v1 >/dev/null
	f tag ferry-test t1
	[ "$(f events --stream=false --filter type=volume --format '{{.Name}}')" = v1 ]
	[ "$(f events --stream=false --filter type=image --filter event=tag --format '{{.Name}}')" = t1 ]
	[ "$(wc -l <"$TEST_TMP/run/events/events.log")" = "$default_lines" ]
	# A line a killed writer cut short does not swallow the next event.
	printf '{"Type":"volume","Status":"cre' >>"$log"
	f volume create v2 >/dev/null
	[ "$(f events --stream=false --filter volume=v2 --format '{{.Name}}')" = v2 ]
	# Writers at once, the log turning over under a follower: no event
	# shows twice, and the last one shows.
	f events --filter type=volume --filter event=create --format '{{.Name}}' >"$TEST_TMP/stream2" &
	follower=$!
	sleep 0.5
	for w in 1 2 3; do
		(for i in $(seq 1 8); do f volume create "w$w-$i" >/dev/null; done) &
	done
	wait_until "[ \$(f volume ls -q | grep -c '^w') = 24 ]" 60
	f volume create last >/dev/null
	wait_until "grep -qx last '$TEST_TMP/stream2'"
	[ -n "$follower" ] && [ "$follower" -gt 0 ] && kill "$follower"
	wait "$follower" || true
	[ "$(sort "$TEST_TMP/stream2" | uniq -d | wc -l)" = 0 ]
	# Podman's log, under the same settings, starts the same way.
	if command -v podman >/dev/null; then
		mkdir "$TEST_TMP/pev"
		printf '[engine]\nevents_logger = "file"\nevents_logfile_path = "%s"\nevents_logfile_max_size = 3000\n' \
			"$TEST_TMP/pev/my.log" >"$TEST_TMP/pev.conf"
		CONTAINERS_CONF=$TEST_TMP/pev.conf podman_t load -q -i "$(ferry_test_image)" >/dev/null
		for i in $(seq 1 20); do
			CONTAINERS_CONF=$TEST_TMP/pev.conf podman_t create --name "c$i" --network none \
				localhost/ferry-test:latest true >/dev/null
		done
		[ "$(first_marker "$TEST_TMP/pev/my.log")" = \
			"[\"log-rotation\",\"system\",\"$TEST_TMP/pev/my.log\",{\"io.podman.event.rotate\":\"begin\"}]" ]
		grep -q '"io.podman.event.rotate":"end"' "$TEST_TMP/pev/my.log"
	fi
	# Bad settings: Podman's first words, exit 125, nothing done.
	printf '[engine]\nevents_logfile_max_size = "abc"\n' >"$TEST_TMP/bad.conf"
	CONTAINERS_CONF=$TEST_TMP/bad.conf run_ferry create --name bad1 --network none ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains "invalid size: 'abc'"
	printf '[engine]\nevents_logger = "bogus"\n' >"$TEST_TMP/bad.conf"
	CONTAINERS_CONF=$TEST_TMP/bad.conf run_ferry create --name bad2 --network none ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains "unknown event logger type: bogus"
	run_ferry container exists bad1
	assert_status 1
	# events_logger = "none": nothing logged, events refused;
	# --events-backend file still wins.
	printf '[engine]\nevents_logger = "none"\nevents_logfile_path = "%s"\n' "$log" >"$TEST_TMP/none.conf"
	before=$(wc -l <"$log")
	CONTAINERS_CONF=$TEST_TMP/none.conf f create --name quiet --network none ferry-test true >/dev/null
	[ "$(wc -l <"$log")" = "$before" ]
	CONTAINERS_CONF=$TEST_TMP/none.conf run_ferry events --stream=false
	assert_status 125
	assert_output_contains 'cannot read events with the "none" backend'
	CONTAINERS_CONF=$TEST_TMP/none.conf f --events-backend file create --name loud --network none ferry-test true >/dev/null
	tail -2 "$log" | grep -q '"Name":"loud"'
}
