#!/usr/bin/env bats
# Podman 5.4's flags that ferry took later: update's --health-* flags,
# --no-healthcheck and --restart; container clone's resource flags; and
# the smaller ones of other commands.  Each sequence runs in ferry and is
# compared with what Podman 5.4 printed (kept below) and, where Podman is
# installed, with Podman run live; then the effect is checked where a
# transcript cannot show it (the check that runs, the restart that
# happens, what a checkpoint carries).

load helpers
load podman-helpers
load ../lib/registry

bats_require_minimum_version 1.5.0

teardown() {
	registry_stop
	podman_teardown
	ferry_teardown
}

# Appends container $2's health and restart settings, as tool $1's
# inspect shows them, to its transcript.  (The fields by their JSON
# names: Podman's templates take Go's.)
health_state() {
	"$1" inspect "$2" | python3 -c '
import json, sys
d = json.load(sys.stdin)[0]
c, h = d["Config"], d["HostConfig"]
print("  check: " + json.dumps(c.get("Healthcheck"), sort_keys=True))
if c.get("StartupHealthCheck"):
    print("  startup: " + json.dumps(c["StartupHealthCheck"], sort_keys=True))
print("  then: %s %s %s %s restart %s:%s" % (c.get("HealthcheckOnFailureAction"), c.get("HealthcheckMaxLogCount"),
      c.get("HealthcheckMaxLogSize"), c.get("HealthLogDestination"), h["RestartPolicy"]["Name"],
      h["RestartPolicy"]["MaximumRetryCount"]))
' >>"$TEST_TMP/$1.log"
}

# Runs SEQUENCE with ferry, compares its transcript with EXPECTED (the
# test's heredoc in $TEST_TMP/expected.log) and, with Podman installed,
# with Podman's live.
compare_with_podman() {
	local sequence=$1
	load_test_image
	touch "$TEST_TMP/f.sed" "$TEST_TMP/podman_t.sed"
	"$sequence" f
	[ -z "${DEV:-}" ] || sed -i "s#$DEV#DEV#g" "$TEST_TMP/f.log"
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		"$sequence" podman_t
		# cobra's hint names the program.
		sed -i "s/See 'podman /See 'ferry /" "$TEST_TMP/podman_t.log"
		[ -z "${DEV:-}" ] || sed -i "s#$DEV#DEV#g" "$TEST_TMP/podman_t.log"
		diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
	fi
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
}

# ---- update --health-* --no-healthcheck --restart ---------------------------

update_health_sequence() {
	local t=$1 a
	make_ctr "$t" h run -- sleep 1000
	while IFS= read -r a; do
		# shellcheck disable=SC2086
		step "$t" update $a h
		health_state "$t" h
	done <<-'EOF'
		--health-interval 5s
		--health-cmd true
		--health-interval 10s --health-retries 0
		--no-healthcheck --health-retries 2
		--health-retries x
		--health-on-failure bogus
		--health-on-failure kill
		--health-cmd none
		--health-cmd echo_hi --health-startup-cmd echo_s
		--health-startup-retries 2 --health-startup-success 3
		--health-start-period 2s --health-interval disable
		--health-timeout 0s
		--health-interval bogus
		--health-max-log-count 7 --health-max-log-size 0 --health-log-destination events_logger
		--health-log-destination /nonexist
		--health-log-destination /etc/passwd
		--health-max-log-count 5 --health-log-destination local --health-on-failure none
		--restart always
		--restart on-failure:3
		--restart bogus
		--restart always:3
		--restart on-failure:x
		--restart on-failure:-1
		--restart never
		--no-healthcheck
	EOF
	make_ctr "$t" j create --health-cmd '["/bin/echo","x y"]' -- true
	step "$t" update --health-timeout 9s j
	health_state "$t" j
	step "$t" update --health-startup-interval 3s nosuch
	make_ctr "$t" k create -- true
	step "$t" update --health-startup-interval 3s k
	step "$t" update --health-interval 3s k
}

@test "update --health-* --no-healthcheck --restart as Podman's: each check made again from its settings" {
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ update --health-interval 5s h -> 125
		  err: Error: startup healthcheck command is not set
		  check: null
		  then: none 5 500 local restart no:0
		$ update --health-cmd true h -> 0
		  out: <h>
		  check: {"Interval": 30000000000, "Retries": 3, "Test": ["CMD-SHELL", "true"], "Timeout": 30000000000}
		  then: none 5 500 local restart no:0
		$ update --health-interval 10s --health-retries 0 h -> 0
		  out: <h>
		  check: {"Interval": 10000000000, "Test": ["CMD-SHELL", "true"], "Timeout": 30000000000}
		  then: none 5 500 local restart no:0
		$ update --no-healthcheck --health-retries 2 h -> 125
		  err: Error: cannot specify both --no-healthcheck and other HealthCheck flags
		  check: {"Interval": 10000000000, "Test": ["CMD-SHELL", "true"], "Timeout": 30000000000}
		  then: none 5 500 local restart no:0
		$ update --health-retries x h -> 125
		  err: Error: invalid argument "x" for "--health-retries" flag: strconv.ParseUint: parsing "x": invalid syntax
		  err: See 'ferry update --help'
		  check: {"Interval": 10000000000, "Test": ["CMD-SHELL", "true"], "Timeout": 30000000000}
		  then: none 5 500 local restart no:0
		$ update --health-on-failure bogus h -> 125
		  err: Error: invalid on-failure action "bogus" for health check: supported actions are none,kill,restart,stop
		  check: {"Interval": 10000000000, "Test": ["CMD-SHELL", "true"], "Timeout": 30000000000}
		  then: none 5 500 local restart no:0
		$ update --health-on-failure kill h -> 0
		  out: <h>
		  check: {"Interval": 10000000000, "Test": ["CMD-SHELL", "true"], "Timeout": 30000000000}
		  then: kill 5 500 local restart no:0
		$ update --health-cmd none h -> 0
		  out: <h>
		  check: {"Interval": 10000000000, "Test": ["NONE"], "Timeout": 30000000000}
		  then: kill 5 500 local restart no:0
		$ update --health-cmd echo_hi --health-startup-cmd echo_s h -> 0
		  out: <h>
		  check: {"Interval": 10000000000, "Test": ["CMD-SHELL", "echo_hi"], "Timeout": 30000000000}
		  startup: {"Interval": 30000000000, "StartPeriod": 1000000000, "Test": ["CMD-SHELL", "echo_s"], "Timeout": 30000000000}
		  then: kill 5 500 local restart no:0
		$ update --health-startup-retries 2 --health-startup-success 3 h -> 0
		  out: <h>
		  check: {"Interval": 10000000000, "Test": ["CMD-SHELL", "echo_hi"], "Timeout": 30000000000}
		  startup: {"Interval": 30000000000, "Retries": 2, "StartPeriod": 1000000000, "Successes": 3, "Test": ["CMD-SHELL", "echo_s"], "Timeout": 30000000000}
		  then: kill 5 500 local restart no:0
		$ update --health-start-period 2s --health-interval disable h -> 0
		  out: <h>
		  check: {"StartPeriod": 2000000000, "Test": ["CMD-SHELL", "echo_hi"], "Timeout": 30000000000}
		  startup: {"Interval": 30000000000, "Retries": 2, "StartPeriod": 1000000000, "Successes": 3, "Test": ["CMD-SHELL", "echo_s"], "Timeout": 30000000000}
		  then: kill 5 500 local restart no:0
		$ update --health-timeout 0s h -> 125
		  err: Error: healthcheck-timeout must be at least 1 second
		  check: {"StartPeriod": 2000000000, "Test": ["CMD-SHELL", "echo_hi"], "Timeout": 30000000000}
		  startup: {"Interval": 30000000000, "Retries": 2, "StartPeriod": 1000000000, "Successes": 3, "Test": ["CMD-SHELL", "echo_s"], "Timeout": 30000000000}
		  then: kill 5 500 local restart no:0
		$ update --health-interval bogus h -> 125
		  err: Error: invalid healthcheck-interval: time: invalid duration "bogus"
		  check: {"StartPeriod": 2000000000, "Test": ["CMD-SHELL", "echo_hi"], "Timeout": 30000000000}
		  startup: {"Interval": 30000000000, "Retries": 2, "StartPeriod": 1000000000, "Successes": 3, "Test": ["CMD-SHELL", "echo_s"], "Timeout": 30000000000}
		  then: kill 5 500 local restart no:0
		$ update --health-max-log-count 7 --health-max-log-size 0 --health-log-destination events_logger h -> 0
		  out: <h>
		  check: {"StartPeriod": 2000000000, "Test": ["CMD-SHELL", "echo_hi"], "Timeout": 30000000000}
		  startup: {"Interval": 30000000000, "Retries": 2, "StartPeriod": 1000000000, "Successes": 3, "Test": ["CMD-SHELL", "echo_s"], "Timeout": 30000000000}
		  then: kill 7 None events_logger restart no:0
		$ update --health-log-destination /nonexist h -> 125
		  err: Error: HealthCheck Log '/nonexist' destination error: stat /nonexist: no such file or directory
		  check: {"StartPeriod": 2000000000, "Test": ["CMD-SHELL", "echo_hi"], "Timeout": 30000000000}
		  startup: {"Interval": 30000000000, "Retries": 2, "StartPeriod": 1000000000, "Successes": 3, "Test": ["CMD-SHELL", "echo_s"], "Timeout": 30000000000}
		  then: kill 7 None events_logger restart no:0
		$ update --health-log-destination /etc/passwd h -> 125
		  err: Error: HealthCheck Log '/etc/passwd' destination must be directory
		  check: {"StartPeriod": 2000000000, "Test": ["CMD-SHELL", "echo_hi"], "Timeout": 30000000000}
		  startup: {"Interval": 30000000000, "Retries": 2, "StartPeriod": 1000000000, "Successes": 3, "Test": ["CMD-SHELL", "echo_s"], "Timeout": 30000000000}
		  then: kill 7 None events_logger restart no:0
		$ update --health-max-log-count 5 --health-log-destination local --health-on-failure none h -> 0
		  out: <h>
		  check: {"StartPeriod": 2000000000, "Test": ["CMD-SHELL", "echo_hi"], "Timeout": 30000000000}
		  startup: {"Interval": 30000000000, "Retries": 2, "StartPeriod": 1000000000, "Successes": 3, "Test": ["CMD-SHELL", "echo_s"], "Timeout": 30000000000}
		  then: none 5 None local restart no:0
		$ update --restart always h -> 0
		  out: <h>
		  check: {"StartPeriod": 2000000000, "Test": ["CMD-SHELL", "echo_hi"], "Timeout": 30000000000}
		  startup: {"Interval": 30000000000, "Retries": 2, "StartPeriod": 1000000000, "Successes": 3, "Test": ["CMD-SHELL", "echo_s"], "Timeout": 30000000000}
		  then: none 5 None local restart always:0
		$ update --restart on-failure:3 h -> 0
		  out: <h>
		  check: {"StartPeriod": 2000000000, "Test": ["CMD-SHELL", "echo_hi"], "Timeout": 30000000000}
		  startup: {"Interval": 30000000000, "Retries": 2, "StartPeriod": 1000000000, "Successes": 3, "Test": ["CMD-SHELL", "echo_s"], "Timeout": 30000000000}
		  then: none 5 None local restart on-failure:3
		$ update --restart bogus h -> 125
		  err: Error: "bogus" is not a valid restart policy: invalid argument
		  check: {"StartPeriod": 2000000000, "Test": ["CMD-SHELL", "echo_hi"], "Timeout": 30000000000}
		  startup: {"Interval": 30000000000, "Retries": 2, "StartPeriod": 1000000000, "Successes": 3, "Test": ["CMD-SHELL", "echo_s"], "Timeout": 30000000000}
		  then: none 5 None local restart on-failure:3
		$ update --restart always:3 h -> 125
		  err: Error: restart policy retries can only be specified with on-failure restart policy
		  check: {"StartPeriod": 2000000000, "Test": ["CMD-SHELL", "echo_hi"], "Timeout": 30000000000}
		  startup: {"Interval": 30000000000, "Retries": 2, "StartPeriod": 1000000000, "Successes": 3, "Test": ["CMD-SHELL", "echo_s"], "Timeout": 30000000000}
		  then: none 5 None local restart on-failure:3
		$ update --restart on-failure:x h -> 125
		  err: Error: parsing restart policy retry count: strconv.Atoi: parsing "x": invalid syntax
		  check: {"StartPeriod": 2000000000, "Test": ["CMD-SHELL", "echo_hi"], "Timeout": 30000000000}
		  startup: {"Interval": 30000000000, "Retries": 2, "StartPeriod": 1000000000, "Successes": 3, "Test": ["CMD-SHELL", "echo_s"], "Timeout": 30000000000}
		  then: none 5 None local restart on-failure:3
		$ update --restart on-failure:-1 h -> 125
		  err: Error: must specify restart policy retry count as a number greater than 0
		  check: {"StartPeriod": 2000000000, "Test": ["CMD-SHELL", "echo_hi"], "Timeout": 30000000000}
		  startup: {"Interval": 30000000000, "Retries": 2, "StartPeriod": 1000000000, "Successes": 3, "Test": ["CMD-SHELL", "echo_s"], "Timeout": 30000000000}
		  then: none 5 None local restart on-failure:3
		$ update --restart never h -> 0
		  out: <h>
		  check: {"StartPeriod": 2000000000, "Test": ["CMD-SHELL", "echo_hi"], "Timeout": 30000000000}
		  startup: {"Interval": 30000000000, "Retries": 2, "StartPeriod": 1000000000, "Successes": 3, "Test": ["CMD-SHELL", "echo_s"], "Timeout": 30000000000}
		  then: none 5 None local restart no:0
		$ update --no-healthcheck h -> 0
		  out: <h>
		  check: {"Test": ["NONE"]}
		  then: none 5 None local restart no:0
		$ update --health-timeout 9s j -> 0
		  out: <j>
		  check: {"Interval": 30000000000, "Retries": 3, "Test": ["CMD", "/bin/echo", "x", "y"], "Timeout": 9000000000}
		  then: none 5 500 local restart no:0
		$ update --health-startup-interval 3s nosuch -> 125
		  err: Error: no container with name or ID "nosuch" found: no such container
		$ update --health-startup-interval 3s k -> 125
		  err: Error: startup healthcheck command is not set
		$ update --health-interval 3s k -> 125
		  err: Error: startup healthcheck command is not set
	EOF
	compare_with_podman update_health_sequence
}

@test "update --health-cmd: healthcheck run runs the new check; health and restart settings survive checkpoint and restore" {
	load_test_image
	f run -d --name c --network none ferry-test sleep 1000 >/dev/null
	run_ferry healthcheck run c
	assert_status 125
	f update --health-cmd 'exit 3' --health-retries 1 c >/dev/null
	run_ferry healthcheck run c
	assert_status 1
	[ "$(f inspect --format '{{.State.Health.Status}}' c)" = unhealthy ]
	f update --health-cmd 'touch /ran-new-check' --restart on-failure:2 --health-on-failure stop c >/dev/null
	f healthcheck run c
	f exec c test -e /ran-new-check
	[ "$(f inspect --format '{{.State.Health.Status}}' c)" = healthy ]
	f container checkpoint -e "$TEST_TMP/c.tar" c >/dev/null
	f rm c >/dev/null
	f container restore -i "$TEST_TMP/c.tar" >/dev/null
	[ "$(f inspect --format '{{json .Config.Healthcheck.Test}} {{.Config.HealthcheckOnFailureAction}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' c)" = \
		'["CMD-SHELL","touch /ran-new-check"] stop on-failure:2' ]
	f exec c rm /ran-new-check
	f healthcheck run c
	f exec c test -e /ran-new-check
	# A startup check made by update (with Podman's 1s start period) goes
	# through an archive too.
	f update --health-startup-cmd true --health-startup-success 2 c >/dev/null
	f container checkpoint -e "$TEST_TMP/c2.tar" c >/dev/null
	f rm c >/dev/null
	f container restore -i "$TEST_TMP/c2.tar" >/dev/null
	[ "$(f inspect --format '{{.Config.StartupHealthCheck.StartPeriod}} {{.Config.StartupHealthCheck.Successes}}' c)" = "1s 2" ]
	# --no-healthcheck: nothing left to run.
	f update --no-healthcheck c >/dev/null
	run_ferry healthcheck run c
	assert_status 125
	[[ "$output" == *"has no defined healthcheck"* ]]
	# An on-failure action without a check, as Podman's update sets it,
	# goes through an archive as well.
	f run -d --name n --network none ferry-test sleep 1000 >/dev/null
	f update --health-on-failure kill n >/dev/null
	f container checkpoint -e "$TEST_TMP/n.tar" n >/dev/null
	f rm n >/dev/null
	f container restore -i "$TEST_TMP/n.tar" >/dev/null
	[ "$(f inspect --format '{{.Config.HealthcheckOnFailureAction}} {{.State.Status}}' n)" = "kill running" ]
}

@test "update --restart: the next exit follows the new policy; no takes it and its history away" {
	load_test_image
	f run -d --name c --network none ferry-test sh -c 'while ! test -e /stop; do sleep 0.1; done; exit 3' >/dev/null
	f update --restart on-failure:1 c >/dev/null
	f exec c touch /stop
	# Restarted once (the file is still there, so it exits 3 again), then
	# left exited: on-failure:1.
	wait_until '[ "$(f inspect --format "{{.RestartCount}} {{.State.Status}}" c)" = "1 exited" ]' 30
	[ "$(f inspect --format '{{.State.ExitCode}}' c)" = 3 ]
	f update --restart no c >/dev/null
	[ "$(f inspect --format '{{.HostConfig.RestartPolicy.Name}} {{.RestartCount}}' c)" = "no 0" ]
	# --rm and a policy do not go together: the record stays as it was.
	f create --rm --name r --network none ferry-test true >/dev/null
	run_ferry update --restart always r
	assert_status 125
	[[ "$output" == *"the --rm option conflicts with --restart"* ]]
	[ "$(f inspect --format '{{.HostConfig.RestartPolicy.Name}}' r)" = no ]
}

@test "update --health-cmd killed half way: the next ferry command finishes it" {
	load_test_image
	f run -d --name c --network none ferry-test sleep 1000 >/dev/null
	for point in update-begun update-applied; do
		run env FERRY_FAULT=$point "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" update --health-cmd "echo $point" --restart always c
		[ "$status" -eq 137 ]
		[ "$(f inspect --format '{{json .Config.Healthcheck.Test}} {{.HostConfig.RestartPolicy.Name}}' c)" = \
			"[\"CMD-SHELL\",\"echo $point\"] always" ]
		[ -z "$(sqlite3 -cmd '.timeout 10000' "$ROOT/ferry.db" 'SELECT kind FROM operations')" ]
		[ "$(f healthcheck run c; echo $?)" = 0 ]
		f update --restart no c >/dev/null
	done
}

# ---- container clone's resource flags ---------------------------------------

CLONE_LIMITS='{{.Name}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.CpuShares}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}} [{{.HostConfig.CpusetCpus}}] [{{.HostConfig.CpusetMems}}] {{json .HostConfig.BlkioWeightDevice}} {{json .HostConfig.BlkioDeviceReadBps}} {{json .HostConfig.BlkioDeviceWriteBps}}'

clone_sequence() {
	local t=$1 a c
	make_ctr "$t" o create --memory 128m --cpu-shares 100 -- true
	echo 's/^[0-9a-f]\{64\}$/<id>/' >>"$TEST_TMP/$t.sed"
	while IFS= read -r a; do
		# shellcheck disable=SC2086
		step "$t" container clone ${a//DEV/$DEV}
	done <<-'EOF'
		-m 64m o c1
		-m 128m --cpu-shares 512 --cpuset-cpus 0 --cpu-period 50000 --cpu-quota 20000 --memory-reservation 32m --memory-swap 300m --memory-swappiness 10 --device-read-bps DEV:1mb --device-write-bps DEV:2mb --blkio-weight-device DEV:200 --cpu-rt-period 1000 --cpu-rt-runtime 500 --cpuset-mems 0 o c2
		--cpus 1.5 o c3
		--cpu-period 20000 o c4
		--memory-swappiness 200 o c7
		--memory-swap -1 o c8
		--memory-swap 300m o c9
		--cpu-shares x o c10
		--device-read-bps /dev/nosuch:1mb o c11
		--memory-reservation 1g -m 64m o c12
		-c 7 o c13
		--device-read-iops DEV:10 o c14
	EOF
	for c in o c1 c2 c3 c4 c8 c13; do
		step "$t" inspect --format "$CLONE_LIMITS" "$c"
	done
	sed -i 's/^\$ inspect --format .* \([a-z0-9]*\) -> /$ inspect --format LIMITS \1 -> /' "$TEST_TMP/$t.log"
}

@test "container clone's resource flags as Podman's: over the original's limits, as update would change them" {
	DEV=$(block_device)
	[ -n "$DEV" ] || skip "no block device for the throttle flags"
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ container clone -m 64m o c1 -> 0
		  out: <id>
		$ container clone -m 128m --cpu-shares 512 --cpuset-cpus 0 --cpu-period 50000 --cpu-quota 20000 --memory-reservation 32m --memory-swap 300m --memory-swappiness 10 --device-read-bps DEV:1mb --device-write-bps DEV:2mb --blkio-weight-device DEV:200 --cpu-rt-period 1000 --cpu-rt-runtime 500 --cpuset-mems 0 o c2 -> 0
		  out: <id>
		$ container clone --cpus 1.5 o c3 -> 0
		  out: <id>
		$ container clone --cpu-period 20000 o c4 -> 0
		  out: <id>
		$ container clone --memory-swappiness 200 o c7 -> 125
		  err: Error: invalid value: 200, valid memory swappiness range is 0-100
		$ container clone --memory-swap -1 o c8 -> 0
		  out: <id>
		$ container clone --memory-swap 300m o c9 -> 125
		  err: Error: you should always set a memory limit when using a memoryswap limit, see usage
		$ container clone --cpu-shares x o c10 -> 125
		  err: Error: invalid argument "x" for "-c, --cpu-shares" flag: strconv.ParseUint: parsing "x": invalid syntax
		  err: See 'ferry container clone --help'
		$ container clone --device-read-bps /dev/nosuch:1mb o c11 -> 125
		  err: Error: could not parse throttle device at /dev/nosuch: no such file or directory
		$ container clone --memory-reservation 1g -m 64m o c12 -> 125
		  err: Error: minimum memory limit cannot be less than memory reservation limit, see usage
		$ container clone -c 7 o c13 -> 0
		  out: <id>
		$ container clone --device-read-iops DEV:10 o c14 -> 125
		  err: Error: unknown flag: --device-read-iops
		  err: See 'ferry container clone --help'
		$ inspect --format LIMITS o -> 0
		  out: o 134217728 268435456 0 -1 100 0 0 0 0 0 [] [] null null null
		$ inspect --format LIMITS c1 -> 0
		  out: c1 67108864 134217728 0 -1 100 0 0 0 0 0 [] [] null null null
		$ inspect --format LIMITS c2 -> 0
		  out: c2 134217728 314572800 33554432 10 512 0 50000 20000 1000 500 [0] [0] [{"Path":"DEV","Weight":200}] [{"Path":"DEV","Rate":1048576}] [{"Path":"DEV","Rate":2097152}]
		$ inspect --format LIMITS c3 -> 0
		  out: c3 134217728 268435456 0 -1 100 1500000000 100000 150000 0 0 [] [] null null null
		$ inspect --format LIMITS c4 -> 0
		  out: c4 134217728 268435456 0 -1 100 0 20000 0 0 0 [] [] null null null
		$ inspect --format LIMITS c8 -> 0
		  out: c8 134217728 268435456 0 -1 100 0 0 0 0 0 [] [] null null null
		$ inspect --format LIMITS c13 -> 0
		  out: c13 134217728 268435456 0 -1 7 0 0 0 0 0 [] [] null null null
	EOF
	compare_with_podman clone_sequence
}

@test "container clone --cpu-shares and --memory-reservation: the running copy's cgroup has them" {
	need_cgroup_v1
	load_test_image
	f create --name o --network none --memory 128m ferry-test sleep 1000 >/dev/null
	id=$(f container clone --run -c 700 --memory-reservation 32m o c)
	[ "$(cg "$id" cpu.shares cpu)" = 700 ]
	[ "$(cg "$id" memory.soft_limit_in_bytes memory)" = 33554432 ]
	[ "$(cg "$id" memory.limit_in_bytes memory)" = 134217728 ]
	[ "$(f inspect --format '{{.HostConfig.CpuShares}}' o)" = 0 ]
}

# ---- login --secret --compat-auth-file, logout --compat-auth-file -----------

login_sequence() {
	local t=$1
	rm -f "$REGISTRY_AUTH_FILE" "$TEST_TMP/compat.json"
	echo "s/$REGISTRY/REGISTRY/g" >>"$TEST_TMP/$t.sed"
	echo 's/^[0-9a-f]\{25\}$/<secret>/' >>"$TEST_TMP/$t.sed"
	printf secret >"$TEST_TMP/pw"
	printf wrong >"$TEST_TMP/bad"
	step "$t" secret create alice "$TEST_TMP/pw"
	step "$t" secret create bob "$TEST_TMP/bad"
	step "$t" login --compat-auth-file "$TEST_TMP/compat.json" --authfile "$TEST_TMP/x.json" -u alice -p secret "$REGISTRY"
	step "$t" login --secret alice -p secret "$REGISTRY"
	step "$t" login --secret alice --password-stdin "$REGISTRY"
	step "$t" login --secret nosuch --tls-verify=false "$REGISTRY"
	step_rc "$t" login --secret bob -u alice --tls-verify=false "$REGISTRY"
	step "$t" login --secret alice --tls-verify=false --compat-auth-file "$TEST_TMP/compat.json" "$REGISTRY"
	step "$t" login --get-login --compat-auth-file "$TEST_TMP/compat.json" "$REGISTRY"
	step "$t" login --get-login "$REGISTRY"
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(sorted(d), sorted(d["auths"]))' \
		"$TEST_TMP/compat.json" | sed "s/$REGISTRY/REGISTRY/g" >>"$TEST_TMP/$t.log"
	step "$t" login --secret bob -u alice -p x --tls-verify=false "$REGISTRY"
	step "$t" logout --compat-auth-file "$TEST_TMP/nosuch.json" "$REGISTRY"
	step "$t" logout --compat-auth-file "$TEST_TMP/compat.json" --authfile "$TEST_TMP/x.json" "$REGISTRY"
	step "$t" logout --compat-auth-file "$TEST_TMP/compat.json" "$REGISTRY"
	step "$t" login --get-login --compat-auth-file "$TEST_TMP/compat.json" "$REGISTRY"
	step "$t" secret rm alice bob
	sed -i "s/$REGISTRY/REGISTRY/g" "$TEST_TMP/$t.log"
}

@test "login --secret and --compat-auth-file, logout --compat-auth-file, as Podman's" {
	registry_start --htpasswd alice secret
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ secret create alice TMP/pw -> 0
		  out: <secret>
		$ secret create bob TMP/bad -> 0
		  out: <secret>
		$ login --compat-auth-file TMP/compat.json --authfile TMP/x.json -u alice -p secret REGISTRY -> 125
		  err: Error: options for paths to the credential file and to the Docker-compatible credential file can not be set simultaneously
		$ login --secret alice -p secret REGISTRY -> 125
		  err: Error: --secret can not be used with --password options
		$ login --secret alice --password-stdin REGISTRY -> 125
		  err: Error: Can't specify both --password-stdin and --password
		$ login --secret nosuch --tls-verify=false REGISTRY -> 125
		  err: Error: no secret with name or id "nosuch": no such secret
		$ login --secret bob -u alice --tls-verify=false REGISTRY -> 125
		$ login --secret alice --tls-verify=false --compat-auth-file TMP/compat.json REGISTRY -> 0
		  out: Login Succeeded!
		$ login --get-login --compat-auth-file TMP/compat.json REGISTRY -> 0
		  out: alice
		$ login --get-login REGISTRY -> 125
		  err: Error: not logged into REGISTRY
		['auths'] ['REGISTRY']
		$ login --secret bob -u alice -p x --tls-verify=false REGISTRY -> 125
		  err: Error: --secret can not be used with --password options
		$ logout --compat-auth-file TMP/nosuch.json REGISTRY -> 125
		  err: Error: credential file is not accessible: faccessat TMP/nosuch.json: no such file or directory
		$ logout --compat-auth-file TMP/compat.json --authfile TMP/x.json REGISTRY -> 125
		  err: Error: credential file is not accessible: faccessat TMP/x.json: no such file or directory
		$ logout --compat-auth-file TMP/compat.json REGISTRY -> 0
		  out: Removed login credentials for REGISTRY
		$ login --get-login --compat-auth-file TMP/compat.json REGISTRY -> 125
		  err: Error: not logged into REGISTRY
		$ secret rm alice bob -> 0
		  out: <secret>
		  out: <secret>
	EOF
	compare_with_podman login_sequence
}

# ---- mount --no-trunc, help --help ------------------------------------------

mount_sequence() {
	local t=$1
	make_ctr "$t" m create -- true
	"$t" mount m >/dev/null
	"$t" mount --no-trunc | awk '{ print "  no-trunc: " $1 }' | sed -f "$TEST_TMP/$t.sed" >>"$TEST_TMP/$t.log"
	"$t" mount --notruncate | awk '{ print "  notruncate: " $1 }' | sed -f "$TEST_TMP/$t.sed" >>"$TEST_TMP/$t.log"
	"$t" mount | awk '{ print "  truncated: " $1 }' | sed -f "$TEST_TMP/$t.sed" >>"$TEST_TMP/$t.log"
	step "$t" unmount m
}

@test "mount --no-trunc lists full IDs, as Podman's (which still takes --notruncate)" {
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		  no-trunc: <m>
		  notruncate: <m>
		  truncated: <m>
		$ unmount m -> 0
		  out: m
	EOF
	compare_with_podman mount_sequence
	# <m> is the full ID only where it stands for one.
	f mount m >/dev/null
	[ "$(f mount --no-trunc | awk '{ print length($1) }')" = 64 ]
	[ "$(f mount | awk '{ print length($1) }')" = 12 ]
	f unmount m >/dev/null
}

@test "help --help and help help print help's usage; an unknown flag is an error, as Podman's" {
	run_ferry help --help
	assert_status 0
	[ "${lines[0]}" = "Usage:" ]
	[ "${lines[1]}" = "  ferry help [COMMAND [SUBCOMMAND]]" ]
	run_ferry help help
	assert_status 0
	[ "${lines[0]}" = "Usage:" ]
	[ "${lines[1]}" = "  ferry help [COMMAND [SUBCOMMAND]]" ]
	run_ferry help --bogus
	assert_status 125
	[ "${lines[0]}" = "Error: unknown flag: --bogus" ]
	if command -v podman >/dev/null; then
		run podman_t help --help
		assert_status 0
		run podman_t help --bogus
		assert_status 125
		[ "${lines[0]}" = "Error: unknown flag: --bogus" ]
	fi
}

@test "a global flag unknown, without its value or a letter unknown: Podman's two lines, the second naming the tool's own --help" {
	local tool expect=ferry
	for tool in f podman_t; do
		[ $tool = f ] || command -v podman >/dev/null || continue
		[ $tool = f ] || expect=podman
		for args in "--bogus ps" "-Z ps" "--root"; do
			# shellcheck disable=SC2086
			run $tool $args
			assert_status 125
			[ "${#lines[@]}" = 2 ]
			[ "${lines[1]}" = "See '$expect --help'" ]
		done
		run $tool ps --bogus
		[ "${lines[1]}" = "See '$expect ps --help'" ]
	done
}

# ---- ps --external, container exists --external, ps --watch -----------------

external_sequence() {
	local t=$1
	make_ctr "$t" e1 create -- true
	step "$t" ps --external --format '{{.Names}} {{.Status}}'
	step "$t" ps -a --external --format '{{.Names}} {{.Status}}'
	step "$t" ps --external --format json
	step "$t" container exists --external e1
	step "$t" container exists --external nosuch
	step "$t" container exists nosuch
	step "$t" ps -w 1 --latest
	step "$t" ps -w x
	step "$t" ps -a -q -w 1
}

@test "ps --external, container exists --external and ps --watch's refusals, as Podman's" {
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ ps --external --format {{.Names}} {{.Status}} -> 0
		$ ps -a --external --format {{.Names}} {{.Status}} -> 0
		  out: e1 Created
		$ ps --external --format json -> 0
		  out: []
		$ container exists --external e1 -> 0
		$ container exists --external nosuch -> 1
		$ container exists nosuch -> 1
		$ ps -w 1 --latest -> 125
		  err: Error: the watch and latest flags cannot be used together
		$ ps -w x -> 125
		  err: Error: invalid argument "x" for "-w, --watch" flag: strconv.ParseUint: parsing "x": invalid syntax
		  err: See 'ferry ps --help'
		$ ps -a -q -w 1 -> 0
		  out: <e1>
	EOF
	compare_with_podman external_sequence
}

@test "ps --external and container exists --external: a container a killed ferry left in storage, with no record" {
	load_test_image
	run env FERRY_FAULT=container-dirs-made "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" create --name half ferry-test true
	[ "$status" -eq 137 ]
	id=$(ls -1 "$ROOT/containers" | grep -xE '[0-9a-f]{64}')
	[ -n "$id" ]
	run_ferry ps -a
	[ "${#lines[@]}" -eq 1 ]
	run_ferry ps --external --format '{{.ID}} [{{.Names}}] [{{.Image}}] {{.Status}} {{.State}}'
	[ "$output" = "${id:0:12} [] [] Storage storage" ]
	[ "$(f ps --external -q --no-trunc)" = "$id" ]
	[ "$(f ps --external --format json | jq -r '.[0].ID + " " + .[0].Status')" = "$id Storage" ]
	f container exists --external "$id"
	f container exists --external "${id:0:12}"
	run_ferry container exists "$id"
	assert_status 1
	run_ferry container exists half
	assert_status 1
	# system prune --external removes what ps --external lists.
	f system prune --external
	[ -z "$(f ps --external -q)" ]
	run_ferry container exists --external "$id"
	assert_status 1
}

@test "ps --watch N lists again every N seconds, the screen cleared first on a terminal" {
	load_test_image
	f create --name w1 --network none ferry-test true >/dev/null
	# Not a terminal: listings one after another.
	run timeout 3.5 "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" ps -a --watch 1 --format '{{.Names}}'
	[ "$status" -eq 124 ]
	[ "${#lines[@]}" -ge 2 ]
	[ "${lines[0]}" = w1 ]
	[ "${lines[1]}" = w1 ]
	[[ "$output" != *$'\e'* ]]
	# -q and json list once, as Podman's.
	run timeout 10 "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" ps -a --watch 1 --format json
	assert_status 0
	[ "$(echo "$output" | jq -r '.[0].Names[0]')" = w1 ]
	# A terminal: each listing after ESC[2J ESC[1;1H, as Podman's.
	run timeout 3.5 script -qec "$FERRY_BIN --root $ROOT --runroot $RUNROOT ps -a --watch 1 --format '{{.Names}}'" /dev/null
	[ "$(printf '%s' "$output" | grep -c $'\e\\[2J\e\\[1;1Hw1')" -ge 2 ]
}

# ---- commit --config ---------------------------------------------------------

# Appends image $2's configuration, as tool $1 shows it, to its transcript
# (the environment sorted: the two engines order a container's own apart;
# the engine's own variable, container=podman or ferry, left out).
image_config() {
	"$1" image inspect --format '{{json .Config}}' "$2" | python3 -c '
import json, sys
c = json.load(sys.stdin)
c["Env"] = sorted(e for e in c.get("Env") or [] if not e.startswith("container="))
print("  config: " + json.dumps(c, sort_keys=True))
' >>"$TEST_TMP/$1.log"
}

commit_config_sequence() {
	local t=$1 d=$TEST_TMP
	echo 's/^[0-9a-f]\{64\}$/<id>/' >>"$TEST_TMP/$t.sed"
	cat >"$d/cfg.json" <<-'EOF'
		{"Env":["B=2","A=3"],"Labels":{"x":"y"},"Cmd":["echo","hi"],"ExposedPorts":{"80/tcp":{}},
		 "WorkingDir":"/tmp","User":"1","Volumes":{"/v":{}},"StopSignal":"SIGUSR1","Bogus":1}
	EOF
	echo '{"Entrypoint":["/bin/sh"]}' >"$d/ep.json"
	echo '{"Cmd":"x"}' >"$d/one.json"
	echo 'nope' >"$d/bad.json"
	echo '[]' >"$d/list.json"
	echo '{"Env":"x"}' >"$d/env.json"
	make_ctr "$t" cc create -e A=1 --label l=1 -- sleep 1
	step "$t" commit -q --config "$d/cfg.json" cc i1
	image_config "$t" i1
	step "$t" commit -q --config "$d/ep.json" -c 'CMD ["a"]' -c 'ENV C=4' cc i2
	image_config "$t" i2
	step "$t" commit -q --config "$d/one.json" cc i3
	image_config "$t" i3
	step "$t" commit -q --config "$d/nosuch.json" cc i4
	step_rc "$t" commit -q --config "$d/bad.json" cc i4
	step_rc "$t" commit -q --config "$d/list.json" cc i4
	step_rc "$t" commit -q --config "$d/env.json" cc i4
}

@test "commit --config merges a container configuration into the image's, after --change, as Podman's" {
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ commit -q --config TMP/cfg.json cc i1 -> 0
		  out: <id>
		  config: {"Cmd": ["echo", "hi"], "Env": ["A=3", "B=2", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "ExposedPorts": {"80/tcp": {}}, "Labels": {"l": "1", "x": "y"}, "StopSignal": "SIGUSR1", "User": "1", "Volumes": {"/v": {}}, "WorkingDir": "/tmp"}
		$ commit -q --config TMP/ep.json -c CMD ["a"] -c ENV C=4 cc i2 -> 0
		  out: <id>
		  config: {"Cmd": ["a"], "Entrypoint": ["/bin/sh"], "Env": ["A=1", "C=4", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Labels": {"l": "1"}, "WorkingDir": "/"}
		$ commit -q --config TMP/one.json cc i3 -> 0
		  out: <id>
		  config: {"Cmd": ["x"], "Env": ["A=1", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Labels": {"l": "1"}, "WorkingDir": "/"}
		$ commit -q --config TMP/nosuch.json cc i4 -> 125
		  err: Error: --config: open TMP/nosuch.json: no such file or directory
		$ commit -q --config TMP/bad.json cc i4 -> 125
		$ commit -q --config TMP/list.json cc i4 -> 125
		$ commit -q --config TMP/env.json cc i4 -> 125
	EOF
	compare_with_podman commit_config_sequence
	# What the image's containers run.
	[ "$(f run --rm --network none i1)" = hi ]
	[ "$(f run --rm --network none i2 -c 'echo $C')" = 4 ]
}

# ---- unshare -------------------------------------------------------------------

unshare_sequence() {
	local t=$1
	step "$t" unshare id
	step "$t" unshare
	step "$t" unshare --rootless-netns touch "$TEST_TMP/ran"
	step "$t" unshare --bogus
}

@test "unshare as root: refused as Podman refuses it, nothing run" {
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ unshare id -> 125
		  err: Error: please use unshare with rootless
		$ unshare -> 125
		  err: Error: please use unshare with rootless
		$ unshare --rootless-netns touch TMP/ran -> 125
		  err: Error: please use unshare with rootless
		$ unshare --bogus -> 125
		  err: Error: unknown flag: --bogus
		  err: See 'ferry unshare --help'
	EOF
	compare_with_podman unshare_sequence
	[ ! -e "$TEST_TMP/ran" ]
}

# ---- create --attach ----------------------------------------------------------

create_attach_sequence() {
	local t=$1
	make_ctr "$t" a1 create -a stdout -- sh -c 'echo out; echo err >&2'
	step "$t" inspect --format '{{.Config.AttachStdin}} {{.Config.AttachStdout}} {{.Config.AttachStderr}}' a1
	step "$t" start -a a1
	make_ctr "$t" a2 create -a bogus --attach stderr -- true
	step "$t" start -a a2
}

@test "create --attach: taken and kept nowhere, as Podman's; start --attach connects every stream" {
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ inspect --format {{.Config.AttachStdin}} {{.Config.AttachStdout}} {{.Config.AttachStderr}} a1 -> 0
		  out: false false false
		$ start -a a1 -> 0
		  out: out
		  err: err
		$ start -a a2 -> 0
	EOF
	compare_with_podman create_attach_sequence
}

# ---- images --history -----------------------------------------------------------

# As step, the lines of the output sorted: the two engines list the names
# of one image in another order.
sorted_step() {
	local tool=$1
	shift
	echo "\$ $*" >>"$TEST_TMP/$tool.log"
	"$tool" "$@" | LC_ALL=C sort | sed 's/^/  out: /' >>"$TEST_TMP/$tool.log"
}

images_history_sequence() {
	local t=$1 old
	old=$("$t" image inspect --format '{{.Id}}' ferry-test)
	echo "s/${old:0:12}/<old>/g" >>"$TEST_TMP/$t.sed"
	step "$t" tag ferry-test hx:1
	step "$t" tag ferry-test hx:2
	sorted_step "$t" images --history --format '{{.Repository}}:{{.Tag}} [{{.History}}]'
	step "$t" untag ferry-test hx:1
	sorted_step "$t" images --history --format '{{.Repository}}:{{.Tag}} [{{.History}}]'
	step "$t" image inspect --format '{{json .NamesHistory}}' hx:2
	step "$t" rmi hx:2
	step "$t" image inspect --format '{{json .NamesHistory}}' ferry-test
	make_ctr "$t" c create -- true
	"$t" commit -q c ferry-test >/dev/null
	# The name went to the new image: the old one still knows it had it.
	step "$t" image inspect --format '{{json .RepoTags}} {{json .NamesHistory}}' "$old"
	step "$t" image inspect --format '{{json .RepoTags}} {{json .NamesHistory}}' ferry-test
	"$t" images -a --format json | jq -c 'sort_by(.Names) | [.[] | {Names, History}]' | sed 's/^/  json: /' >>"$TEST_TMP/$t.log"
	"$t" images --history | sed -n 1p | tr -s ' ' | sed 's/^/  heading: /' >>"$TEST_TMP/$t.log"
}

@test "images --history and NamesHistory: the names an image has had, most recent first, as Podman's" {
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ tag ferry-test hx:1 -> 0
		$ tag ferry-test hx:2 -> 0
		$ images --history --format {{.Repository}}:{{.Tag}} [{{.History}}]
		  out: localhost/ferry-test:latest [localhost/ferry-test:latest, localhost/hx:1, localhost/hx:2]
		  out: localhost/hx:1 [localhost/ferry-test:latest, localhost/hx:1, localhost/hx:2]
		  out: localhost/hx:2 [localhost/ferry-test:latest, localhost/hx:1, localhost/hx:2]
		$ untag ferry-test hx:1 -> 0
		$ images --history --format {{.Repository}}:{{.Tag}} [{{.History}}]
		  out: localhost/ferry-test:latest [localhost/ferry-test:latest, localhost/hx:2, localhost/hx:1]
		  out: localhost/hx:2 [localhost/ferry-test:latest, localhost/hx:2, localhost/hx:1]
		$ image inspect --format {{json .NamesHistory}} hx:2 -> 0
		  out: ["localhost/ferry-test:latest","localhost/hx:2","localhost/hx:1"]
		$ rmi hx:2 -> 0
		  out: Untagged: localhost/hx:2
		$ image inspect --format {{json .NamesHistory}} ferry-test -> 0
		  out: ["localhost/ferry-test:latest","localhost/hx:2","localhost/hx:1"]
		$ image inspect --format {{json .RepoTags}} {{json .NamesHistory}} 3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449 -> 0
		  out: [] ["localhost/ferry-test:latest","localhost/hx:2","localhost/hx:1"]
		$ image inspect --format {{json .RepoTags}} {{json .NamesHistory}} ferry-test -> 0
		  out: ["localhost/ferry-test:latest"] ["localhost/ferry-test:latest"]
		  json: [{"Names":null,"History":["localhost/ferry-test:latest","localhost/hx:2","localhost/hx:1"]},{"Names":["localhost/ferry-test:latest"],"History":["localhost/ferry-test:latest"]}]
		  heading: REPOSITORY TAG IMAGE ID CREATED SIZE HISTORY
	EOF
	compare_with_podman images_history_sequence
}

@test "names history in the database: a root of the schema before gets its images' names; a bad one is dropped" {
	load_test_image
	f tag ferry-test hx:1
	f untag ferry-test hx:1
	[ "$(f image inspect --format '{{json .NamesHistory}}' ferry-test)" = '["localhost/ferry-test:latest","localhost/hx:1"]' ]
	# The root as ferry before the history left it (schema 9).
	f tag ferry-test hx:2
	sqlite3 "$ROOT/ferry.db" "ALTER TABLE images DROP COLUMN names_history; ALTER TABLE volumes DROP COLUMN needs_chown; DROP TABLE removed_exit_codes; PRAGMA user_version = 9"
	[ "$(f image inspect --format '{{json .NamesHistory}}' ferry-test)" = '["localhost/ferry-test:latest","localhost/hx:2"]' ]
	# What the database holds is checked: not a list, no history.
	sqlite3 "$ROOT/ferry.db" "UPDATE images SET names_history = 'not json'"
	[ "$(f image inspect --format '{{json .NamesHistory}}' ferry-test)" = '[]' ]
	f tag ferry-test hx:3
	[ "$(f image inspect --format '{{json .NamesHistory}}' ferry-test)" = '["localhost/ferry-test:latest","localhost/hx:2","localhost/hx:3"]' ]
}
