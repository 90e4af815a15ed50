#!/usr/bin/env bats
# run and create flags as a Podman user types them: --annotation,
# --stop-signal, --cidfile, -q, --tz, --oom-score-adj, --timeout,
# --conmon-pidfile, -a, --restart.  What inspect shows and what the
# container sees are compared with what Podman 5.4 showed (kept below), and,
# where Podman is installed, with Podman run live on roots of the test's
# own.  Each new field of the record goes through checkpoint --export and
# restore --import, and those that reach the host need --trust-archive.

load helpers
load podman-helpers

teardown() {
	podman_teardown
	ferry_teardown
}

# Prints, for TOOL, "$ ARGS -> CODE" and the output of the command.
show() {
	local tool=$1 rc=0 out
	shift
	out=$("$tool" "$@" 2>&1) || rc=$?
	echo "\$ $* -> $rc"
	[ -z "$out" ] || sed "s#$TEST_TMP#TMP#g; s/^/  /" <<<"$out"
}

run_options() {
	local t=$1 img=ferry-test
	"$t" create --name o1 --network none --annotation team=blue --annotation ticket=42 \
		--stop-signal USR1 --tz Europe/Paris --oom-score-adj 300 --timeout 60 "$img" \
		sh -c 'trap "exit 7" USR1; while :; do sleep 0.1; done' >/dev/null
	"$t" create --name o2 --network none "$img" true >/dev/null
	show "$t" inspect --format '{{json .Config.Annotations}} {{.Config.StopSignal}} {{.Config.Timezone}} {{.Config.Timeout}} {{.HostConfig.OomScoreAdj}}' o1
	show "$t" inspect --format '{{json .Config.Annotations}} {{.Config.StopSignal}} {{.Config.Timeout}} {{.HostConfig.OomScoreAdj}}' o2
	"$t" start o1 >/dev/null
	show "$t" exec o1 sh -c 'date -d @0 "+%Z %H"; cat /proc/1/oom_score_adj; [ -L /etc/localtime ] || echo not-a-link'
	show "$t" stop -t 20 o1
	show "$t" inspect --format '{{.State.ExitCode}}' o1
	show "$t" run --rm -i --network none --tz local "$img" sh -c 'cmp /etc/localtime /dev/stdin && echo same' </etc/localtime
	show "$t" run --rm --network none -a stdout "$img" sh -c 'echo out; echo err >&2'
	show "$t" run --rm --network none -a stderr "$img" sh -c 'echo out; echo err >&2'
	show "$t" run --rm --network none -a stdout -a stderr "$img" sh -c 'echo out; echo err >&2; exit 3'
	show "$t" run --name t1 --network none --timeout 1 "$img" sleep 60
	show "$t" inspect --format '{{.State.Status}} {{.State.ExitCode}}' t1
	"$t" rm -af -t 0 >/dev/null
}

@test "annotations, stop signal, time zone, OOM score, timeout and -a as Podman's" {
	compare_output_with_podman run_options <<-'EOF'
		$ inspect --format {{json .Config.Annotations}} {{.Config.StopSignal}} {{.Config.Timezone}} {{.Config.Timeout}} {{.HostConfig.OomScoreAdj}} o1 -> 0
		  {"team":"blue","ticket":"42"} SIGUSR1 Europe/Paris 60 300
		$ inspect --format {{json .Config.Annotations}} {{.Config.StopSignal}} {{.Config.Timeout}} {{.HostConfig.OomScoreAdj}} o2 -> 0
		  null SIGTERM 0 0
		$ exec o1 sh -c date -d @0 "+%Z %H"; cat /proc/1/oom_score_adj; [ -L /etc/localtime ] || echo not-a-link -> 0
		  CET 01
		  300
		  not-a-link
		$ stop -t 20 o1 -> 0
		  o1
		$ inspect --format {{.State.ExitCode}} o1 -> 0
		  7
		$ run --rm -i --network none --tz local ferry-test sh -c cmp /etc/localtime /dev/stdin && echo same -> 0
		  same
		$ run --rm --network none -a stdout ferry-test sh -c echo out; echo err >&2 -> 0
		  out
		$ run --rm --network none -a stderr ferry-test sh -c echo out; echo err >&2 -> 0
		  err
		$ run --rm --network none -a stdout -a stderr ferry-test sh -c echo out; echo err >&2; exit 3 -> 3
		  out
		  err
		$ run --name t1 --network none --timeout 1 ferry-test sleep 60 -> 255
		$ inspect --format {{.State.Status}} {{.State.ExitCode}} t1 -> 0
		  exited -1
	EOF
}

@test "bad run flags: one line naming the flag and the fix, exit 125, nothing created" {
	load_test_image
	local bad
	for bad in "--stop-signal FOO" "--stop-signal 0" "--tz Foo/Bar" "--tz ../etc/passwd" "--oom-score-adj 1001" \
		"--oom-score-adj abc" "--annotation foo" "--timeout -1" "--cidfile $TEST_TMP/nodir/cid" "-a foo"; do
		# shellcheck disable=SC2086
		run_ferry run $bad ferry-test true
		assert_status 125
		assert_one_line_error
		# The flag, or its value where Podman's words name that alone
		# (finding timezone: unknown time zone Foo/Bar).
		[[ "$output" == *"${bad%% *}"* || "$output" == *"${bad#* }"* ]]
	done
	[ -z "$(f ps -a -q)" ]
}

@test "--cidfile is written on create, replaced if there, and goes with the container" {
	load_test_image
	echo old >"$TEST_TMP/cid"
	id=$(f create --cidfile "$TEST_TMP/cid" ferry-test true)
	[ "$(cat "$TEST_TMP/cid")" = "$id" ]
	[ "$(f inspect --format '{{.HostConfig.ContainerIDFile}}' "$id")" = "$TEST_TMP/cid" ]
	f rm "$id" >/dev/null
	[ ! -e "$TEST_TMP/cid" ]
	# run --rm: gone with the container when it exits.
	f run --rm --cidfile "$TEST_TMP/cid2" ferry-test true
	[ ! -e "$TEST_TMP/cid2" ]
}

@test "--conmon-pidfile gets the PID of the container's conmon at each start; with -q run prints only the container's output" {
	load_test_image
	f run -d --name cp --conmon-pidfile "$TEST_TMP/conmon.pid" ferry-test sleep 1000 >/dev/null
	pid=$(cat "$TEST_TMP/conmon.pid")
	[ "$(cat /proc/"$pid"/comm)" = conmon ]
	[ "$(f inspect --format '{{.ConmonPidFile}} {{.State.ConmonPid}}' cp)" = "$TEST_TMP/conmon.pid $pid" ]
	f restart -t 0 cp >/dev/null
	[ "$(cat "$TEST_TMP/conmon.pid")" != "$pid" ]
	[ "$(cat /proc/"$(cat "$TEST_TMP/conmon.pid")"/comm)" = conmon ]
	run_ferry run -q --rm ferry-test echo quiet
	assert_status 0
	[ "$output" = quiet ]
}

@test "the new fields move with checkpoint --export and restore --import; host files need trust" {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	f run -d --name mv --annotation team=blue --stop-signal USR1 --tz Europe/Paris --oom-score-adj 200 \
		--timeout 3600 ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs mv | wc -l)" -ge 2 ]'
	want='{"team":"blue"} SIGUSR1 Europe/Paris 3600 200'
	fmt='{{json .Config.Annotations}} {{.Config.StopSignal}} {{.Config.Timezone}} {{.Config.Timeout}} {{.HostConfig.OomScoreAdj}}'
	[ "$(f inspect --format "$fmt" mv)" = "$want" ]
	f container checkpoint -c none -e "$TEST_TMP/mv.tar" mv >/dev/null
	f rm mv >/dev/null
	run_fb container restore -i "$TEST_TMP/mv.tar"
	assert_status 0
	[ "$(fb inspect --format "$fmt" mv)" = "$want" ]
	[ "$(fb exec mv cat /proc/1/oom_score_adj)" = 200 ]
	fb rm -f -t 0 mv >/dev/null

	# Files on the host: the archive may name them only if trusted.
	f run -d --name hf --cidfile "$TEST_TMP/hf.cid" --conmon-pidfile "$TEST_TMP/hf.pid" ferry-test sleep 1000 >/dev/null
	f container checkpoint -c none -e "$TEST_TMP/hf.tar" hf >/dev/null
	f rm hf >/dev/null
	run_fb container restore -i "$TEST_TMP/hf.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "asks for conmon PID file on the host at \`$TEST_TMP/hf.pid\`, container ID file on the host at \`$TEST_TMP/hf.cid\`: restore with --trust-archive"
	[ -z "$(fb ps -a -q)" ]
	run_fb container restore --trust-archive -i "$TEST_TMP/hf.tar"
	assert_status 0
	[ "$(cat /proc/"$(cat "$TEST_TMP/hf.pid")"/comm)" = conmon ]
	[ "$(fb inspect --format '{{.HostConfig.ContainerIDFile}}' hf)" = "$TEST_TMP/hf.cid" ]
	fb rm -f -t 0 hf >/dev/null
}

restart_policies() {
	local t=$1 p
	for p in no always on-failure on-failure:3 unless-stopped never always:2 on-failure:-1; do
		if "$t" create --name rp --network none --restart "$p" ferry-test true >/dev/null 2>&1; then
			echo "$p: $("$t" inspect --format '{{json .HostConfig.RestartPolicy}} {{.RestartCount}}' rp)"
			"$t" rm rp >/dev/null
		else
			echo "$p: refused"
		fi
	done
	"$t" create --rm --restart always --network none ferry-test true >/dev/null 2>&1 || echo "--rm with always: refused"
	"$t" run -d --name of --network none --restart on-failure:2 ferry-test sh -c 'echo ran; exit 3' >/dev/null
	wait_until "[ \"\$($t inspect --format '{{.RestartCount}} {{.State.Status}}' of)\" = '2 exited' ]"
	# Settled: no third restart comes.
	"$t" wait of >/dev/null
	echo "on-failure:2: $("$t" inspect --format '{{.State.ExitCode}} {{.RestartCount}}' of), ran $("$t" logs of | grep -c ran) times"
	"$t" rm of >/dev/null
}

@test "--restart: policies, their errors and on-failure:N as Podman's" {
	compare_output_with_podman restart_policies <<-'EOF'
		no: {"Name":"no","MaximumRetryCount":0} 0
		always: {"Name":"always","MaximumRetryCount":0} 0
		on-failure: {"Name":"on-failure","MaximumRetryCount":0} 0
		on-failure:3: {"Name":"on-failure","MaximumRetryCount":3} 0
		unless-stopped: {"Name":"unless-stopped","MaximumRetryCount":0} 0
		never: {"Name":"no","MaximumRetryCount":0} 0
		always:2: refused
		on-failure:-1: refused
		--rm with always: refused
		on-failure:2: 3 2, ran 3 times
	EOF
}

@test "--restart always restarts until stop or kill; start counts again; the policy moves with an archive" {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	f run -d --name al --restart always ferry-test sh -c 'echo ran; sleep 0.3' >/dev/null
	wait_until '[ "$(f inspect --format "{{.RestartCount}}" al)" -ge 2 ]'
	f stop -t 0 al >/dev/null
	n=$(f inspect --format '{{.RestartCount}}' al)
	runs=$(f logs al | grep -c ran)
	[ "$runs" -eq $((n + 1)) ]
	# Stopped by its user: its exit restarts nothing.
	[ "$(f inspect --format '{{.State.Status}}' al)" = exited ]
	f container cleanup "$(f inspect --format '{{.Id}}' al)"
	[ "$(f inspect --format '{{.State.Status}} {{.RestartCount}}' al)" = "exited $n" ]
	[ "$(f logs al | grep -c ran)" -eq "$runs" ]

	# start begins the count again; kill is a user's stop too.
	f start al >/dev/null
	wait_until '[ "$(f inspect --format "{{.RestartCount}}" al)" -ge 1 ]'
	f kill al >/dev/null 2>&1 || true
	f wait al >/dev/null
	n=$(f inspect --format '{{.RestartCount}}' al)
	f container cleanup "$(f inspect --format '{{.Id}}' al)"
	[ "$(f inspect --format '{{.State.Status}} {{.RestartCount}}' al)" = "exited $n" ]
	f rm al >/dev/null

	# A checkpoint is no exit to restart after, and the policy moves.
	f run -d --name mv --restart on-failure:5 ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs mv | wc -l)" -ge 2 ]'
	f container checkpoint -c none -e "$TEST_TMP/mv.tar" mv >/dev/null
	[ "$(f inspect --format '{{.State.Status}} {{.RestartCount}}' mv)" = "exited 0" ]
	f rm mv >/dev/null
	fb container restore -i "$TEST_TMP/mv.tar" >/dev/null
	[ "$(fb inspect --format '{{json .HostConfig.RestartPolicy}} {{.State.Status}}' mv)" = '{"Name":"on-failure","MaximumRetryCount":5} running' ]
	fb rm -f -t 0 mv >/dev/null
}

@test "run -d --rm removes the container when it exits" {
	load_test_image
	id=$(f run -d --rm ferry-test sleep 0.2)
	wait_until "! f container exists $id"
	[ -z "$(f ps -a -q)" ]
}
