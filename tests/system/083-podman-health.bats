#!/usr/bin/env bats
# Health checks as a Podman user types them: run/create's --health-* flags,
# healthcheck run's results, exit codes and messages, .State.Health and
# .Config.Healthcheck in inspect, ps's status and health filter, the
# --health-on-failure actions, and a Docker image's HEALTHCHECK; compared
# with Podman run live where it is installed, and with stored transcripts
# so that they mean something without it.

load helpers
load podman-helpers
load ../lib/registry

teardown() {
	podman_teardown
	registry_stop
	hostile_stop
	_registry_helpers_teardown
}

# Times and ages as both tools print them, made comparable.
normalize() {
	sed -E -e 's/"(Start|End)":"[^"]*"/"\1":"T"/g' \
		-e 's/Up [^(]*\(/Up X (/' -e 's/Exited \(([0-9]+)\) [^(]*\(/Exited (\1) X (/' "$1"
}

# Makes container NAME with TOOL: the rest are run/create's arguments
# before the image, then "--", then the command.
ctr() {
	local tool=$1 how=$2 name=$3 image=ferry-test id
	shift 3
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	[ "$tool" = f ] || image=localhost/ferry-test:latest
	[ "$how" = run ] && how="run -d"
	# shellcheck disable=SC2086
	"$tool" $how --name "$name" --network none "${opts[@]}" "$image" "$@" >/dev/null
	id=$("$tool" inspect --format '{{.Id}}' "$name")
	echo "s/$id/<$name>/g" >>"$TEST_TMP/$tool.sed"
}

# The steps of the first test in TOOL, into $TEST_TMP/TOOL.log.
health_steps() {
	local t=$1
	: >"$TEST_TMP/$t.log"
	: >"$TEST_TMP/$t.sed"
	ctr "$t" run h1 --health-cmd 'test -e /tmp/ok' --health-retries 2 -- sleep 1000
	ctr "$t" create c1 --health-cmd true -- true
	ctr "$t" run n1 -- sleep 1000
	step "$t" inspect --format '{{json .State.Health}}' h1
	step "$t" inspect --format '{{json .State.Health}}' c1
	step "$t" inspect --format '{{json .State.Health}} {{json .Config.Healthcheck}}' n1
	step "$t" healthcheck run h1
	step "$t" inspect --format '{{json .State.Health}}' h1
	step "$t" healthcheck run h1
	step "$t" inspect --format '{{json .State.Health}}' h1
	step "$t" ps --filter health=unhealthy --format '{{.Names}} {{.Status}}'
	step "$t" exec h1 touch /tmp/ok
	step "$t" healthcheck run h1
	step "$t" inspect --format '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' h1
	step "$t" ps -a --filter health=healthy --format '{{.Names}} {{.Status}}'
	step "$t" ps -a --filter health=starting --format '{{.Names}}'
	step "$t" healthcheck run n1
	step "$t" healthcheck run c1
	step "$t" healthcheck run nosuch
	step "$t" healthcheck run
	step "$t" stop -t 0 h1
	step "$t" ps -a --filter health=healthy --format '{{.Names}} {{.Status}}'
	step "$t" healthcheck run h1
	step "$t" start h1
	step "$t" inspect --format '{{json .State.Health}}' h1
	# Failures within the start period count for nothing.
	ctr "$t" run sp --health-cmd false --health-retries 1 --health-start-period 1h -- sleep 1000
	step "$t" healthcheck run sp
	step "$t" inspect --format '{{json .State.Health}}' sp
	# The log keeps the last 2 results and 6 bytes of each one's output
	# (stdout only: its order with stderr is the runtime's to choose); a
	# command that does not exist fails as exit code 1, without output.
	ctr "$t" run lg --health-cmd 'echo out; echo more; exit 3' --health-retries 3 \
		--health-max-log-count 2 --health-max-log-size 6 -- sleep 1000
	step "$t" healthcheck run lg
	step "$t" healthcheck run lg
	step "$t" healthcheck run lg
	step "$t" inspect --format '{{json .State.Health}}' lg
	ctr "$t" run nx --health-cmd 'CMD nosuch arg' -- sleep 1000
	step "$t" healthcheck run nx
	step "$t" inspect --format '{{json .State.Health}}' nx
	# Past its timeout: failed, exit code -1, and an error.
	ctr "$t" run to --health-cmd 'sleep 1.5; echo late' --health-timeout 1s -- sleep 1000
	step "$t" healthcheck run to
	step "$t" inspect --format '{{json .State.Health}}' to
	# A startup check runs first: its failures say "starting" and count
	# for nothing but a restart after 2; 2 passes in a row end it, and
	# the regular check runs.
	ctr "$t" run su --stop-timeout 1 --health-cmd 'test -e /tmp/ok' --health-startup-cmd 'test -e /tmp/up' \
		--health-startup-retries 2 --health-startup-success 2 -- sleep 1000
	step "$t" inspect --format '{{json .Config.StartupHealthCheck}}' su
	step "$t" healthcheck run su
	step "$t" healthcheck run su
	step "$t" inspect --format '{{.State.Status}} {{json .State.Health}}' su
	step "$t" exec su touch /tmp/up
	step "$t" healthcheck run su
	step "$t" healthcheck run su
	step "$t" healthcheck run su
	step "$t" inspect --format '{{json .State.Health}}' su
	normalize "$TEST_TMP/$t.log" >"$TEST_TMP/$t.txt"
}

@test "healthcheck run: results, .State.Health, ps and exit codes as Podman's" {
	load_test_image
	health_steps f
	# What Podman 5.4 gives for the same steps.
	diff -u - "$TEST_TMP/f.txt" <<-'EOF'
		$ inspect --format {{json .State.Health}} h1 -> 0
		  out: {"Status":"starting","FailingStreak":0,"Log":null}
		$ inspect --format {{json .State.Health}} c1 -> 0
		  out: {"Status":"","FailingStreak":0,"Log":null}
		$ inspect --format {{json .State.Health}} {{json .Config.Healthcheck}} n1 -> 0
		  out: null null
		$ healthcheck run h1 -> 1
		  out: unhealthy
		$ inspect --format {{json .State.Health}} h1 -> 0
		  out: {"Status":"starting","FailingStreak":1,"Log":[{"Start":"T","End":"T","ExitCode":1,"Output":""}]}
		$ healthcheck run h1 -> 1
		  out: unhealthy
		$ inspect --format {{json .State.Health}} h1 -> 0
		  out: {"Status":"unhealthy","FailingStreak":2,"Log":[{"Start":"T","End":"T","ExitCode":1,"Output":""},{"Start":"T","End":"T","ExitCode":1,"Output":""}]}
		$ ps --filter health=unhealthy --format {{.Names}} {{.Status}} -> 0
		  out: h1 Up X (unhealthy)
		$ exec h1 touch /tmp/ok -> 0
		$ healthcheck run h1 -> 0
		$ inspect --format {{.State.Health.Status}} {{.State.Health.FailingStreak}} h1 -> 0
		  out: healthy 0
		$ ps -a --filter health=healthy --format {{.Names}} {{.Status}} -> 0
		  out: h1 Up X (healthy)
		$ ps -a --filter health=starting --format {{.Names}} -> 0
		$ healthcheck run n1 -> 125
		  err: Error: container <n1> has no defined healthcheck
		$ healthcheck run c1 -> 125
		  err: Error: container <c1> is not running
		$ healthcheck run nosuch -> 125
		  err: Error: unable to look up nosuch to perform a health check: no container with name or ID "nosuch" found: no such container
		$ healthcheck run -> 125
		  err: Error: accepts 1 arg(s), received 0
		$ stop -t 0 h1 -> 0
		  out: h1
		$ ps -a --filter health=healthy --format {{.Names}} {{.Status}} -> 0
		  out: h1 Exited (137) X (healthy)
		$ healthcheck run h1 -> 125
		  err: Error: container <h1> is not running
		$ start h1 -> 0
		  out: h1
		$ inspect --format {{json .State.Health}} h1 -> 0
		  out: {"Status":"starting","FailingStreak":0,"Log":null}
		$ healthcheck run sp -> 1
		  out: unhealthy
		$ inspect --format {{json .State.Health}} sp -> 0
		  out: {"Status":"starting","FailingStreak":0,"Log":[{"Start":"T","End":"T","ExitCode":1,"Output":""}]}
		$ healthcheck run lg -> 1
		  out: unhealthy
		$ healthcheck run lg -> 1
		  out: unhealthy
		$ healthcheck run lg -> 1
		  out: unhealthy
		$ inspect --format {{json .State.Health}} lg -> 0
		  out: {"Status":"unhealthy","FailingStreak":3,"Log":[{"Start":"T","End":"T","ExitCode":1,"Output":"out\nmo"},{"Start":"T","End":"T","ExitCode":1,"Output":"out\nmo"}]}
		$ healthcheck run nx -> 1
		  out: unhealthy
		$ inspect --format {{json .State.Health}} nx -> 0
		  out: {"Status":"starting","FailingStreak":1,"Log":[{"Start":"T","End":"T","ExitCode":1,"Output":""}]}
		$ healthcheck run to -> 125
		  err: Error: healthcheck command exceeded timeout of 1s
		$ inspect --format {{json .State.Health}} to -> 0
		  out: {"Status":"starting","FailingStreak":1,"Log":[{"Start":"T","End":"T","ExitCode":-1,"Output":"late\n"}]}
		$ inspect --format {{json .Config.StartupHealthCheck}} su -> 0
		  out: {"Test":["CMD-SHELL","test -e /tmp/up"],"Interval":30000000000,"Timeout":30000000000,"Retries":2,"Successes":2}
		$ healthcheck run su -> 1
		  out: starting
		$ healthcheck run su -> 1
		  out: starting
		  err: time=T level=warning msg="StopSignal SIGTERM failed to stop container su in 1 seconds, resorting to SIGKILL"
		$ inspect --format {{.State.Status}} {{json .State.Health}} su -> 0
		  out: running {"Status":"starting","FailingStreak":0,"Log":[{"Start":"T","End":"T","ExitCode":1,"Output":""}]}
		$ exec su touch /tmp/up -> 0
		$ healthcheck run su -> 0
		$ healthcheck run su -> 0
		$ healthcheck run su -> 1
		  out: unhealthy
		$ inspect --format {{json .State.Health}} su -> 0
		  out: {"Status":"healthy","FailingStreak":1,"Log":[{"Start":"T","End":"T","ExitCode":1,"Output":""},{"Start":"T","End":"T","ExitCode":0,"Output":""},{"Start":"T","End":"T","ExitCode":0,"Output":""},{"Start":"T","End":"T","ExitCode":1,"Output":""}]}
	EOF
	# Each check was told as Podman tells it.
	f events --stream=false --filter event=health_status >"$TEST_TMP/events"
	grep -q "container health_status .* (image=localhost/ferry-test:latest, name=h1, health_status=unhealthy, health_failing_streak=2, health_log=)" "$TEST_TMP/events"
	grep -q "name=h1, health_status=healthy, health_failing_streak=0, health_log=)" "$TEST_TMP/events"
	# No exec events for the checks, as with Podman: only the two execs.
	[ "$(f events --stream=false --filter event=exec --format '{{.Name}}' | paste -sd ' ')" = "h1 su" ]
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		health_steps podman_t
		diff -u "$TEST_TMP/podman_t.txt" "$TEST_TMP/f.txt"
	fi
}

# Creates a container with each set of flags in TOOL and prints what it
# stored, or the first line of the error.
flag_cases() {
	local t=$1 image=ferry-test rc out args
	[ "$t" = f ] || image=localhost/ferry-test:latest
	while IFS= read -r args; do
		rc=0
		eval "out=\$(\"\$t\" create --network none $args \"\$image\" true 2>&1)" || rc=$?
		echo "\$ $args -> $rc" | sed "s#$TEST_TMP#TMP#g"
		if [ "$rc" = 0 ]; then
			# The JSON: Podman's templates lack the log's limits.
			"$t" inspect "$out" | jq -c '.[0] | [.Config.Healthcheck, .Config.HealthcheckOnFailureAction,
				.Config.HealthLogDestination, .Config.HealthcheckMaxLogCount, .Config.HealthcheckMaxLogSize,
				.State.Health] + if .Config.StartupHealthCheck then [.Config.StartupHealthCheck] else [] end' |
				sed "s#$TEST_TMP#TMP#g"
		else
			printf '%s\n' "$out" | head -n 1 | sed -e "s#$TEST_TMP#TMP#g" -e 's/^time=.*level=warning.*//'
		fi
	done <<-EOF
		--health-cmd 'test -e /tmp/ok'
		--health-cmd '["/bin/test", "-e", "/tmp/x y"]'
		--health-cmd '["true"]'
		--health-cmd 'CMD ls -l'
		--health-cmd '["CMD-SHELL","echo hi"]'
		--health-cmd none
		--health-cmd ''
		--no-healthcheck
		--health-cmd true --health-interval 1m30s --health-timeout 1500ms --health-start-period 1h --health-retries 7 --health-on-failure kill --health-log-destination $TEST_TMP --health-max-log-count 0 --health-max-log-size 10
		--health-cmd true --health-interval disable --health-log-destination events_logger
		--health-interval 5s
		--health-cmd true --health-interval bogus
		--health-cmd true --health-timeout 0s
		--health-cmd true --health-start-period -1s
		--health-cmd true --health-retries 0
		--health-cmd true --health-retries -1
		--health-cmd true --health-on-failure bogus
		--health-on-failure stop
		--no-healthcheck --health-on-failure restart
		--health-cmd true --health-log-destination $TEST_TMP/nonexistent
		--health-cmd true --health-max-log-size x
		--health-cmd '[]'
		--health-cmd true --no-healthcheck
		--health-cmd true --health-startup-cmd 'test -e /up' --health-startup-interval disable --health-startup-retries 0 --health-startup-success 3 --health-startup-timeout 2s
		--health-startup-cmd true
		--no-healthcheck --health-startup-cmd true
		--health-cmd true --health-startup-cmd true --health-startup-timeout 0s
		--health-cmd true --health-startup-cmd true --health-startup-success -1
	EOF
}

@test "run/create --health-*: the check they store and their errors, as Podman's" {
	load_test_image
	flag_cases f >"$TEST_TMP/f.txt"
	diff -u - "$TEST_TMP/f.txt" <<-'EOF'
		$ --health-cmd 'test -e /tmp/ok' -> 0
		[{"Test":["CMD-SHELL","test -e /tmp/ok"],"Interval":30000000000,"Timeout":30000000000,"Retries":3},"none","local",5,500,{"Status":"","FailingStreak":0,"Log":null}]
		$ --health-cmd '["/bin/test", "-e", "/tmp/x y"]' -> 0
		[{"Test":["CMD","/bin/test","-e","/tmp/x y"],"Interval":30000000000,"Timeout":30000000000,"Retries":3},"none","local",5,500,{"Status":"","FailingStreak":0,"Log":null}]
		$ --health-cmd '["true"]' -> 0
		[{"Test":["CMD-SHELL","true"],"Interval":30000000000,"Timeout":30000000000,"Retries":3},"none","local",5,500,{"Status":"","FailingStreak":0,"Log":null}]
		$ --health-cmd 'CMD ls -l' -> 0
		[{"Test":["CMD","ls","-l"],"Interval":30000000000,"Timeout":30000000000,"Retries":3},"none","local",5,500,{"Status":"","FailingStreak":0,"Log":null}]
		$ --health-cmd '["CMD-SHELL","echo hi"]' -> 0
		[{"Test":["CMD-SHELL","echo hi"],"Interval":30000000000,"Timeout":30000000000,"Retries":3},"none","local",5,500,{"Status":"","FailingStreak":0,"Log":null}]
		$ --health-cmd none -> 0
		[{"Test":["NONE"],"Interval":30000000000,"Timeout":30000000000,"Retries":3},"none","local",5,500,null]
		$ --health-cmd '' -> 0
		[null,"none","local",5,500,null]
		$ --no-healthcheck -> 0
		[{"Test":["NONE"]},"none","local",5,500,null]
		$ --health-cmd true --health-interval 1m30s --health-timeout 1500ms --health-start-period 1h --health-retries 7 --health-on-failure kill --health-log-destination TMP --health-max-log-count 0 --health-max-log-size 10 -> 0
		[{"Test":["CMD-SHELL","true"],"StartPeriod":3600000000000,"Interval":90000000000,"Timeout":1500000000,"Retries":7},"kill","TMP",null,10,{"Status":"","FailingStreak":0,"Log":null}]
		$ --health-cmd true --health-interval disable --health-log-destination events_logger -> 0
		[{"Test":["CMD-SHELL","true"],"Timeout":30000000000,"Retries":3},"none","events_logger",5,500,{"Status":"","FailingStreak":0,"Log":null}]
		$ --health-interval 5s -> 0
		[null,"none","local",5,500,null]
		$ --health-cmd true --health-interval bogus -> 125
		Error: invalid healthcheck-interval: time: invalid duration "bogus"
		$ --health-cmd true --health-timeout 0s -> 125
		Error: healthcheck-timeout must be at least 1 second
		$ --health-cmd true --health-start-period -1s -> 125
		Error: healthcheck-start-period must be 0 seconds or greater
		$ --health-cmd true --health-retries 0 -> 125
		Error: healthcheck-retries must be greater than 0
		$ --health-cmd true --health-retries -1 -> 125
		Error: invalid argument "-1" for "--health-retries" flag: strconv.ParseUint: parsing "-1": invalid syntax
		$ --health-cmd true --health-on-failure bogus -> 125
		Error: invalid on-failure action "bogus" for health check: supported actions are none,kill,restart,stop
		$ --health-on-failure stop -> 125
		Error: cannot set on-failure action to stop without a health check
		$ --no-healthcheck --health-on-failure restart -> 0
		[{"Test":["NONE"]},"restart","local",5,500,null]
		$ --health-cmd true --health-log-destination TMP/nonexistent -> 125
		Error: running container create option: HealthCheck Log 'TMP/nonexistent' destination error: stat TMP/nonexistent: no such file or directory
		$ --health-cmd true --health-max-log-size x -> 125
		Error: invalid argument "x" for "--health-max-log-size" flag: strconv.ParseUint: parsing "x": invalid syntax
		$ --health-cmd '[]' -> 125
		Error: must define a healthcheck command for all healthchecks
		$ --health-cmd true --no-healthcheck -> 125
		Error: cannot specify both --no-healthcheck and --health-cmd
		$ --health-cmd true --health-startup-cmd 'test -e /up' --health-startup-interval disable --health-startup-retries 0 --health-startup-success 3 --health-startup-timeout 2s -> 0
		[{"Test":["CMD-SHELL","true"],"Interval":30000000000,"Timeout":30000000000,"Retries":3},"none","local",5,500,{"Status":"","FailingStreak":0,"Log":null},{"Test":["CMD-SHELL","test -e /up"],"Timeout":2000000000,"Successes":3}]
		$ --health-startup-cmd true -> 125
		Error: cannot set a startup healthcheck when there is no regular healthcheck: invalid argument
		$ --no-healthcheck --health-startup-cmd true -> 125
		Error: cannot specify both --no-healthcheck and --health-startup-cmd
		$ --health-cmd true --health-startup-cmd true --health-startup-timeout 0s -> 125
		Error: healthcheck-timeout must be at least 1 second
		$ --health-cmd true --health-startup-cmd true --health-startup-success -1 -> 125
		Error: invalid argument "-1" for "--health-startup-success" flag: strconv.ParseUint: parsing "-1": invalid syntax
	EOF
	# A refused create leaves no container behind.
	[ "$(f ps -a -q | wc -l)" -eq "$(grep -c -- '-> 0$' "$TEST_TMP/f.txt")" ]
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		flag_cases podman_t >"$TEST_TMP/podman.txt"
		diff -u "$TEST_TMP/podman.txt" "$TEST_TMP/f.txt"
	fi
}

# The state after an unhealthy check with each --health-on-failure action.
on_failure_steps() {
	local t=$1 a
	for a in kill stop restart; do
		ctr "$t" run "$a" --health-cmd false --health-retries 1 --health-on-failure "$a" --stop-timeout 1 -- sleep 1000
		"$t" inspect --format '{{.State.StartedAt}}' "$a" >"$TEST_TMP/started"
		rc=0
		"$t" healthcheck run "$a" >/dev/null || rc=$?
		# Podman's kill leaves it "stopped" until its cleanup has run.
		wait_until "[ \"\$($t inspect --format '{{.State.Status}}' $a)\" != stopped ]"
		echo "$a: $rc $("$t" inspect --format '{{.State.Status}} {{.State.ExitCode}} {{.State.Health.Status}} {{.State.Health.FailingStreak}}' "$a")"
		if [ "$a" = restart ]; then
			# Started again: a new start, and its health begun again.
			[ "$("$t" inspect --format '{{.State.StartedAt}}' "$a")" != "$(cat "$TEST_TMP/started")" ]
		fi
	done
}

@test "healthcheck run: --health-on-failure kills, stops or restarts an unhealthy container, as Podman's" {
	load_test_image
	on_failure_steps f >"$TEST_TMP/f.txt"
	diff -u - "$TEST_TMP/f.txt" <<-'EOF'
		kill: 1 exited 137 unhealthy 1
		stop: 1 exited 137 unhealthy 1
		restart: 1 running 0 starting 0
	EOF
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		on_failure_steps podman_t >"$TEST_TMP/podman.txt"
		diff -u "$TEST_TMP/podman.txt" "$TEST_TMP/f.txt"
	fi
}

@test "healthcheck run: a ferry killed during a check leaves the health log whole" {
	load_test_image
	f run -d --name k --network none --health-cmd 'sleep 2' ferry-test sleep 1000 >/dev/null
	id=$(f inspect --format '{{.Id}}' k)
	"$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" healthcheck run k &
	pid=$!
	# Killed while the check runs in the container.
	wait_until "f top k args 2>/dev/null | grep -q 'sleep 2'"
	kill -9 "$pid"
	wait "$pid" || true
	[ "$(f inspect --format '{{json .State.Health}}' k)" = '{"Status":"starting","FailingStreak":0,"Log":null}' ]
	# The next check records its result as if nothing happened.
	f healthcheck run k
	[ "$(f inspect --format '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' k)" = "healthy 0" ]
	[ -z "$(find "$ROOT/containers/$id" -name '*.tmp*')" ]
}

@test "checkpoint and restore keep the health check; an archive's bad one is refused" {
	load_test_image
	f run -d --name cp --network none --health-cmd 'test -e /tmp/ok' --health-retries 4 \
		--health-on-failure stop --health-max-log-count 3 ferry-test sleep 1000 >/dev/null
	run_ferry healthcheck run cp
	assert_status 1
	f container checkpoint --export "$TEST_TMP/cp.tar" --compress none cp >/dev/null
	f rm -f -t 0 cp >/dev/null
	f container restore --import "$TEST_TMP/cp.tar" >/dev/null
	[ "$(f inspect --format '{{json .Config.Healthcheck}} {{.Config.HealthcheckOnFailureAction}} {{.Config.HealthcheckMaxLogCount}}' cp)" = \
		'{"Test":["CMD-SHELL","test -e /tmp/ok"],"Interval":30000000000,"Timeout":30000000000,"Retries":4} stop 3' ]
	# The restored container's health begins again, and its check runs.
	[ "$(f inspect --format '{{json .State.Health}}' cp)" = '{"Status":"starting","FailingStreak":0,"Log":null}' ]
	f exec cp touch /tmp/ok
	f healthcheck run cp
	[ "$(f inspect --format '{{.State.Health.Status}}' cp)" = healthy ]
	f rm -f -t 0 cp >/dev/null

	# A record whose check is no list of strings is refused, and nothing
	# is made.
	rewrite_archive "$TEST_TMP/cp.tar" "$TEST_TMP/bad.tar" '
for i, (m, data) in enumerate(members):
    if m.name == "config.dump":
        rec = json.loads(data)
        rec["ferry"]["Healthcheck"]["Test"] = [5]
        members[i] = (m, json.dumps(rec).encode())'
	run_ferry container restore --import "$TEST_TMP/bad.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "field \`Healthcheck\` of its container record must have a Test of strings"
	[ -z "$(f ps -a -q)" ]
	# A log in a host directory is for whoever restores to allow: the
	# check's output would land there.
	rewrite_archive "$TEST_TMP/cp.tar" "$TEST_TMP/dest.tar" '
for i, (m, data) in enumerate(members):
    if m.name == "config.dump":
        rec = json.loads(data)
        rec["ferry"]["HealthLogDestination"] = "/etc/cron.d"
        members[i] = (m, json.dumps(rec).encode())'
	run_ferry container restore --import "$TEST_TMP/dest.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "health check log in the host's directory \`/etc/cron.d\`: restore with --trust-archive"
	[ -z "$(f ps -a -q)" ]
}

# A copy of the test image, NAME, whose config has a HEALTHCHECK, in a
# docker-archive at $1.
health_image_archive() {
	local d=$TEST_TMP/hcimg old new
	mkdir -p "$d"
	tar -xf "$(ferry_test_docker_image)" -C "$d"
	old=$(jq -r '.[0].Config' "$d/manifest.json")
	jq -c '.config.Healthcheck = {"Test": ["CMD-SHELL", "test -e /etc/ferry-release"], "Interval": 5000000000, "StartPeriod": 1000000000, "Retries": 2}' \
		"$d/$old" >"$d/new.json"
	new=$(sha256sum "$d/new.json" | cut -d' ' -f1).json
	mv "$d/new.json" "$d/$new"
	rm "$d/$old"
	jq -c --arg c "$new" '.[0].Config = $c | .[0].RepoTags = ["localhost/hc:latest"]' "$d/manifest.json" >"$d/m.json"
	mv "$d/m.json" "$d/manifest.json"
	rm -f "$d/repositories"
	tar -cf "$1" -C "$d" .
}

@test "a Docker image's HEALTHCHECK applies unless overridden; an OCI image's is ignored, as with Podman" {
	registry_start
	health_image_archive "$TEST_TMP/hc.tar"
	skopeo copy --quiet --format v2s2 --dest-tls-verify=false "docker-archive:$TEST_TMP/hc.tar" \
		"docker://$REGISTRY/hc:docker" >&2
	skopeo copy --quiet --format oci --dest-tls-verify=false "docker-archive:$TEST_TMP/hc.tar" \
		"docker://$REGISTRY/hc:oci" >&2
	for t in f podman_t; do
		[ "$t" = f ] || command -v podman >/dev/null || continue
		"$t" pull -q --tls-verify=false "$REGISTRY/hc:docker" "$REGISTRY/hc:oci" >/dev/null 2>&1 ||
			{ "$t" pull -q --tls-verify=false "$REGISTRY/hc:docker" >/dev/null && "$t" pull -q --tls-verify=false "$REGISTRY/hc:oci" >/dev/null; }
		for args in "docker" "oci" "docker --health-cmd none" "docker --no-healthcheck" "docker --health-cmd false --health-retries 1"; do
			set -- $args
			tag=$1
			shift
			id=$("$t" create --network none "$@" "$REGISTRY/hc:$tag" sleep 1000)
			echo "$tag $*: $("$t" inspect --format '{{json .Config.Healthcheck}}' "$id")"
		done >"$TEST_TMP/$t.txt"
	done
	diff -u - "$TEST_TMP/f.txt" <<-'EOF'
		docker : {"Test":["CMD-SHELL","test -e /etc/ferry-release"],"StartPeriod":1000000000,"Interval":5000000000,"Timeout":30000000000,"Retries":2}
		oci : null
		docker --health-cmd none: {"Test":["NONE"],"Interval":30000000000,"Timeout":30000000000,"Retries":3}
		docker --no-healthcheck: {"Test":["NONE"]}
		docker --health-cmd false --health-retries 1: {"Test":["CMD-SHELL","false"],"Interval":30000000000,"Timeout":30000000000,"Retries":1}
	EOF
	if [ -f "$TEST_TMP/podman_t.txt" ]; then
		diff -u "$TEST_TMP/podman_t.txt" "$TEST_TMP/f.txt"
	fi
	# The image's check runs as one given with --health-cmd.
	f run -d --name img --network none "$REGISTRY/hc:docker" sleep 1000 >/dev/null
	f healthcheck run img
	[[ "$(f ps --format '{{.Status}}' --filter name=img)" == *"(healthy)" ]]
}
