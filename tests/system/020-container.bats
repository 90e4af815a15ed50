#!/usr/bin/env bats
# Containers: the lifecycle through runc and conmon.

load helpers

@test "run -d: a counter runs detached, logs show it, stop ends it" {
	load_test_image
	run_ferry run -d --name counter ferry-test sh -c 'i=0; while true; do echo "count $i"; i=$((i+1)); sleep 0.2; done'
	assert_status 0
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	id=$output
	wait_until '[ "$(f logs counter | wc -l)" -ge 3 ]'
	run_ferry logs counter
	[ "$(echo "$output" | head -n1)" = "count 0" ]
	[ "$(echo "$output" | sed -n 3p)" = "count 2" ]

	[ "$(ctr_status counter)" = running ]
	pid=$(f inspect --format '{{.State.Pid}}' counter)
	[ "$pid" -gt 0 ]
	kill -0 "$pid"
	[ "$(f inspect --format '{{.Id}}' counter)" = "$id" ]
	[ "$(f inspect --format '{{.State.Running}}' counter)" = true ]
	run_ferry ps --format '{{.Names}} {{.State}}'
	[ "$output" = 'counter running' ]
	[ "$(f ps --format json | jq -r '.[0].Names[0] + " " + .[0].State + " " + .[0].Id')" = "counter running $id" ]

	# sh as PID 1 has no handler for TERM: SIGKILL follows, with a warning.
	run_ferry stop -t 1 counter
	assert_status 0
	grep -qx counter <<<"$output"
	assert_output_contains "StopSignal SIGTERM failed to stop container counter in 1 seconds, resorting to SIGKILL"
	[ "$(ctr_status counter)" = exited ]
	! kill -0 "$pid" 2>/dev/null || false
	run_ferry ps -q
	[ -z "$output" ]
	run_ferry ps -a -q
	[ "$output" = "${id:0:12}" ]
	# The log is kept after the container stops.
	[ "$(f logs counter | head -n1)" = "count 0" ]
}

@test "run: attached output and the container's exit code; --rm removes it" {
	load_test_image
	run_ferry run --rm --name once ferry-test sh -c 'echo out; echo err >&2; exit 3'
	assert_status 3
	[[ "$output" == *out* ]]
	[[ "$output" == *err* ]]
	run_ferry ps -a -q
	[ -z "$output" ]
	[ -z "$(ls "$ROOT/containers")" ]
	# Nor conmon's exit file, whichever of run and conmon's cleanup
	# removes the container first (the cleanup won about 4 times in 10,
	# and its exit file stayed in the run root for good; or run did, from
	# the runtime, before conmon wrote it).  conmon's cleanup may still
	# be on its way when run returns: it takes the file with it.
	for i in 1 2 3 4 5 6 7 8; do
		run_ferry run --rm ferry-test sh -c 'exit 4'
		assert_status 4
	done
	wait_until '[ -z "$(ls -A "$RUNROOT/exits")" ]' 10
}

@test "run -i: standard input reaches the container" {
	load_test_image
	run sh -c "printf 'hello\nworld\n' | '$FERRY_BIN' --root '$ROOT' --runroot '$RUNROOT' run --rm -i ferry-test sh -c 'while read l; do echo got:\$l; done'"
	assert_status 0
	[ "$output" = "$(printf 'got:hello\ngot:world')" ]
}

@test "exit codes: 125 unknown image, 127 command not found, 126 not executable" {
	load_test_image
	run_ferry run --rm --pull never no-such-image true
	assert_status 125
	assert_one_line_error
	assert_output_contains "image no-such-image is not stored here"

	# The default policy tries to pull it, from the unqualified-search
	# registries registries.conf names: docker.io here (unreachable or not:
	# either way no such image); none, and the short name is refused.
	printf 'unqualified-search-registries = ["docker.io"]\n' >"$TEST_TMP/registries.conf"
	CONTAINERS_REGISTRIES_CONF=$TEST_TMP/registries.conf run_ferry run -q --rm no-such-image true
	assert_status 125
	assert_one_line_error
	assert_output_contains "docker.io/library/no-such-image:latest"
	: >"$TEST_TMP/registries.conf"
	CONTAINERS_REGISTRIES_CONF=$TEST_TMP/registries.conf run_ferry run -q --rm no-such-image true
	assert_status 125
	assert_one_line_error
	assert_output_contains "short-name \"no-such-image\" did not resolve to an alias"

	run_ferry run --name nf ferry-test /no/such/command
	assert_status 127
	assert_output_contains "/no/such/command"
	# Podman keeps such a container, in state created, with nothing mounted.
	[ "$(ctr_status nf)" = created ]
	! grep -q "$ROOT/storage/overlay" /proc/self/mountinfo || false

	run_ferry run --rm ferry-test /etc/passwd
	assert_status 126
	assert_output_contains "/etc/passwd"
}

@test "create, start, wait and inspect" {
	load_test_image
	run_ferry create --name c1 -e FOO=bar -w /tmp --hostname myhost --label app=demo ferry-test sh -c 'echo $FOO $(pwd) $(hostname); exit 4'
	assert_status 0
	[ "$(ctr_status c1)" = created ]
	[ "$(f inspect --format '{{.Config.Hostname}}|{{.Config.WorkingDir}}|{{index .Config.Labels "app"}}' c1)" = "myhost|/tmp|demo" ]
	run_ferry start c1
	assert_status 0
	[ "$output" = c1 ]
	run_ferry wait c1
	assert_status 0
	[ "$output" = 4 ]
	[ "$(f logs c1)" = "bar /tmp myhost" ]
	[ "$(f inspect --format '{{.State.ExitCode}} {{.State.Status}}' c1)" = "4 exited" ]
	run_ferry inspect c1
	assert_status 0
	[ "$(echo "$output" | jq -r '.[0].Config.Env | map(select(startswith("FOO="))) | .[0]')" = FOO=bar ]
	[ "$(echo "$output" | jq -r '.[0].State.FinishedAt')" != "0001-01-01T00:00:00Z" ]
	# Started again, it runs again.
	f start c1 >/dev/null
	[ "$(f wait c1)" = 4 ]
	[ "$(f logs c1 | wc -l)" -eq 2 ]
}

@test "/run/.containerenv: empty in every container, naming the engine and container when privileged, kept through a move" {
	load_test_image
	run_ferry run --rm ferry-test sh -c 'stat -c "%s %a" /run/.containerenv; grep " /run/.containerenv " /proc/self/mountinfo | wc -l'
	assert_status 0
	[ "$output" = "0 644
1" ]
	f run -d --name pv --privileged ferry-test sleep 100 >/dev/null
	id=$(f inspect --format '{{.Id}}' pv)
	image_id=$(f inspect --format '{{.Image}}' pv)
	[ "$(f exec pv cat /run/.containerenv)" = "engine=\"ferry-$(f --version | awk '{print $3}')\"
name=\"pv\"
id=\"$id\"
image=\"localhost/ferry-test:latest\"
imageid=\"$image_id\"
rootless=0" ]
	# CRIU takes the file for an external bind: a restore on another root
	# must offer it again, and the counter carries on there.
	f run -d --name mv ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs mv | wc -l)" -ge 3 ]'
	f container checkpoint --export "$TEST_TMP/mv.tar.zst" mv >/dev/null
	fb load -q -i "$(ferry_test_image)"
	run_fb container restore --import "$TEST_TMP/mv.tar.zst"
	assert_status 0
	n=$(last_count mv fb)
	wait_until "[ \"\$(last_count mv fb)\" -ge $((n + 2)) ]"
	[ "$(fb exec mv stat -c %s /run/.containerenv)" = 0 ]
}

@test "the container's / is mode 0555, whatever the image's layers say, as in Podman" {
	load_test_image
	[ "$(f run --rm ferry-test stat -c '%a %u %g' /)" = "555 0 0" ]
	# A layer whose tar gives / another mode changes nothing either.
	mkdir "$TEST_TMP/r"
	cp -a "$(command -v busybox)" "$TEST_TMP/r/busybox"
	chmod 0711 "$TEST_TMP/r"
	tar -C "$TEST_TMP/r" -cf "$TEST_TMP/r.tar" .
	f import -q "$TEST_TMP/r.tar" localhost/rootmode >/dev/null
	[ "$(f run --rm localhost/rootmode /busybox stat -c %a /)" = 555 ]
}

@test "--cgroupns: Podman's default (the host's on cgroups v1), private on request, each kept through a checkpoint in place and a move; a bad mode is refused" {
	load_test_image
	[ -e /sys/fs/cgroup/cgroup.controllers ] && want=private || want=host
	run_ferry run --rm ferry-test readlink /proc/self/ns/cgroup
	assert_status 0
	if [ "$want" = host ]; then
		[ "$output" = "$(readlink /proc/self/ns/cgroup)" ]
	else
		[ "$output" != "$(readlink /proc/self/ns/cgroup)" ]
	fi
	f run -d --name hc ferry-test sh -c "$COUNTER" >/dev/null
	f run -d --name pc --cgroupns private -m 64m ferry-test sh -c "$COUNTER" >/dev/null
	id=$(f inspect --format '{{.Id}}' hc)
	[ "$(f inspect --format '{{.HostConfig.CgroupMode}}' hc)" = "$want" ]
	[ "$(f inspect --format '{{.HostConfig.CgroupMode}}' pc)" = private ]
	if [ "$want" = host ]; then f exec hc cat /proc/self/cgroup | grep -q "/ferry/.*$id"; fi
	! f exec pc cat /proc/self/cgroup | grep -q /ferry/ || false
	wait_until '[ "$(f logs hc | wc -l)" -ge 3 ]'
	f container checkpoint hc >/dev/null
	f container restore hc >/dev/null
	n=$(last_count hc)
	wait_until "[ \"\$(last_count hc)\" -ge $((n + 2)) ]"
	if [ "$want" = host ]; then f exec hc cat /proc/self/cgroup | grep -q "/ferry/.*$id"; fi
	f container checkpoint --export "$TEST_TMP/hc.tar.zst" hc >/dev/null
	f container checkpoint --export "$TEST_TMP/pc.tar.zst" pc >/dev/null
	fb load -q -i "$(ferry_test_image)"
	run_fb container restore --import "$TEST_TMP/hc.tar.zst"
	assert_status 0
	fb container restore --import "$TEST_TMP/pc.tar.zst" >/dev/null
	[ "$(fb inspect --format '{{.HostConfig.CgroupMode}}' hc)" = "$want" ]
	[ "$(fb inspect --format '{{.HostConfig.CgroupMode}}' pc)" = private ]
	n=$(last_count hc fb)
	wait_until "[ \"\$(last_count hc fb)\" -ge $((n + 2)) ]"
	if [ "$want" = host ]; then [ "$(fb exec hc readlink /proc/self/ns/cgroup)" = "$(readlink /proc/self/ns/cgroup)" ]; fi
	# Moved to another root, a private namespace still shows the container
	# its own cgroup, limits included (134 checks the host's namespace).
	[ "$(fb exec pc awk '$5 == "/sys/fs/cgroup/memory" { print $4 }' /proc/self/mountinfo)" = / ]
	[ "$(fb exec pc cat /sys/fs/cgroup/memory/memory.limit_in_bytes)" = 67108864 ]
	run_ferry create --cgroupns sideways ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains "unrecognized namespace mode sideways"
	assert_output_contains "--cgroupns"
	[ "$(f ps -a -q | wc -l)" = 2 ]
}

@test "image config: Cmd, Env and WorkingDir are honoured; --entrypoint and -u override" {
	load_test_image
	run_ferry run --rm ferry-test
	assert_status 0
	run_ferry run --rm ferry-test sh -c 'echo $PATH; id -u; pwd'
	[ "$(echo "$output" | sed -n 1p)" = /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ]
	[ "$(echo "$output" | sed -n 2p)" = 0 ]
	[ "$(echo "$output" | sed -n 3p)" = / ]
	run_ferry run --rm --entrypoint /bin/echo ferry-test hello
	[ "$output" = hello ]
	run_ferry run --rm --entrypoint '["/bin/sh","-c"]' ferry-test 'echo $0' x
	[ "$output" = sh ] || [ "$output" = x ]
	run_ferry run --rm -u nobody ferry-test id -un
	[ "$output" = nobody ]
	run_ferry run --rm -u 1234:5678 ferry-test sh -c 'echo $(id -u):$(id -g)'
	[ "$output" = 1234:5678 ]
	echo "A=1" >"$TEST_TMP/env"
	echo "# comment" >>"$TEST_TMP/env"
	echo "B=two words" >>"$TEST_TMP/env"
	run_ferry run --rm --env-file "$TEST_TMP/env" -e B=override ferry-test sh -c 'echo "$A|$B"'
	[ "$output" = "1|override" ]
}

@test "kill: signals a running container; unknown signal and stopped container are errors" {
	load_test_image
	f run -d --name k ferry-test sh -c 'trap "echo got-usr1" USR1; while true; do sleep 0.1; done' >/dev/null
	wait_until '[ "$(ctr_status k)" = running ]'
	sleep 0.3
	run_ferry kill -s USR1 k
	assert_status 0
	wait_until '[ "$(f logs k)" = got-usr1 ]'
	run_ferry kill -s NOSUCH k
	assert_status 125
	assert_one_line_error
	assert_output_contains "NOSUCH"
	run_ferry kill k
	assert_status 0
	[ "$(f wait k)" = 137 ]
	run_ferry kill k
	assert_status 125
	assert_output_contains "container state improper"
}

@test "rm: refused while running (exit 2); -f removes process, monitor, runtime state, mounts and files" {
	load_test_image
	id=$(f run -d --name r ferry-test sleep 1000)
	pid=$(f inspect --format '{{.State.Pid}}' r)
	conmon=$(f inspect --format '{{.State.ConmonPid}}' r)
	run_ferry rm r
	assert_status 2
	assert_output_contains "cannot remove container $id as it is running"
	[ "$(ctr_status r)" = running ]
	run_ferry rm -f -t 0 r
	assert_status 0
	[ "$output" = r ]
	! kill -0 "$pid" 2>/dev/null || false
	# The monitor ends once it has run its exit command (a ferry that
	# finds the container gone), as Podman's does.
	wait_until "! kill -0 $conmon 2>/dev/null"
	[ -z "$(runc --root "$RUNROOT/runtime" list -q)" ]
	! grep -q "$TEST_TMP" /proc/self/mountinfo || false
	[ ! -e "$ROOT/containers/$id" ]
	[ ! -e "$ROOT/storage/overlay/$id" ]
	[ "$(sqlite3 "$ROOT/ferry.db" 'SELECT COUNT(*) FROM containers')" -eq 0 ]
	run_ferry rm r
	assert_status 1
	assert_output_contains 'no container with ID or name "r" found'
}

@test "rm -a removes every container it may, printing full IDs; a running one needs -f (exit 2)" {
	load_test_image
	f create --name idle ferry-test true >/dev/null
	f run -d --name busy ferry-test sleep 1000 >/dev/null
	idle=$(f inspect --format '{{.Id}}' idle)
	busy=$(f inspect --format '{{.Id}}' busy)
	run_ferry rm -a
	assert_status 2
	[[ "$output" == *"$idle"* ]]
	[[ "$output" == *"cannot remove container $busy as it is running"* ]]
	[ "$(f ps -a -q --no-trunc)" = "$busy" ]
	run_ferry rm -a -f -t 0
	assert_status 0
	[ "$output" = "$busy" ]
	[ -z "$(f ps -a -q)" ]
	run_ferry rm -a busy
	assert_status 125
	assert_one_line_error
}

@test "logs -f follows until the container exits; --tail" {
	load_test_image
	f run -d --name lf ferry-test sh -c 'for i in 1 2 3 4 5; do echo line$i; sleep 0.2; done' >/dev/null
	run timeout 20 "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" logs -f lf
	assert_status 0
	[ "$output" = "$(printf 'line1\nline2\nline3\nline4\nline5')" ]
	run_ferry logs --tail 2 lf
	[ "$output" = "$(printf 'line4\nline5')" ]
}

@test "exec: output, exit code, environment, working dir and user" {
	load_test_image
	f run -d --name ex ferry-test sleep 1000 >/dev/null
	run_ferry exec ex sh -c 'echo inside; exit 6'
	assert_status 6
	[ "$output" = inside ]
	run_ferry exec -e X=1 -w /etc -u nobody ex sh -c 'echo $X $(pwd) $(id -un)'
	[ "$output" = "1 /etc nobody" ]
	run_ferry exec ex nosuchcmd
	assert_status 127
	# runc prints its failure and logs it: said once, as Podman says it.
	f exec ex nosuchcmd 2>"$TEST_TMP/err" && false || [ $? = 127 ]
	[ "$(wc -l < "$TEST_TMP/err")" = 1 ]
	grep -q '^Error: runc: exec failed: .*nosuchcmd.*executable file not found' "$TEST_TMP/err"
	# The process's own standard error, even when it reads like runc's.
	f exec ex sh -c 'echo "exec failed: mine" >&2; echo more >&2; exit 3' 2>"$TEST_TMP/err" && false || [ $? = 3 ]
	[ "$(cat "$TEST_TMP/err")" = "exec failed: mine
more" ]
	f exec ex sh -c 'printf "exec failed: alone" >&2; exit 4' 2>"$TEST_TMP/err" && false || [ $? = 4 ]
	[ "$(cat "$TEST_TMP/err")" = "exec failed: alone" ]
	# exec ends with its process, as in Podman, not with a daemon it
	# started that keeps standard output and error open (runc copying
	# them through pipes of its own waited for every holder).
	timeout 60 "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" exec ex sh -c 'sleep 500 >&2 & echo started; exit 5' \
		>"$TEST_TMP/out" && false || [ $? = 5 ]
	[ "$(cat "$TEST_TMP/out")" = started ]
	f exec ex ps -o args | grep -qx 'sleep 500'
	timeout 60 "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" exec -i ex sh -c 'read x; sleep 600 & echo "got $x"' \
		<<<hello >"$TEST_TMP/out"
	[ "$(cat "$TEST_TMP/out")" = "got hello" ]
	f exec ex ps -o args | grep -qx 'sleep 600'
	run_ferry exec -d ex sh -c 'echo detached > /tmp/d'
	assert_status 0
	wait_until '[ "$(f exec ex cat /tmp/d)" = detached ]'
	f stop -t 0 ex >/dev/null
	# Podman's codes: 255 attached, 125 detached.
	run_ferry exec ex true
	assert_status 255
	assert_output_contains "can only create exec sessions on running containers: container state improper"
	run_ferry exec -d ex true
	assert_status 125
}

@test "pause and unpause: the counter stops and carries on" {
	load_test_image
	f run -d --name p ferry-test sh -c 'i=0; while true; do echo $i; i=$((i+1)); sleep 0.1; done' >/dev/null
	wait_until '[ "$(f logs p | wc -l)" -ge 3 ]'
	run_ferry pause p
	assert_status 0
	[ "$(ctr_status p)" = paused ]
	[ "$(f inspect --format '{{.State.Paused}}' p)" = true ]
	n1=$(f logs p | wc -l)
	sleep 0.6
	n2=$(f logs p | wc -l)
	[ "$n1" -eq "$n2" ]
	run_ferry pause p
	assert_status 125
	run_ferry unpause p
	assert_status 0
	[ "$(ctr_status p)" = running ]
	wait_until "[ \"\$(f logs p | wc -l)\" -gt $n2 ]"
}

@test "diff: files added, changed and deleted in the container" {
	load_test_image
	f run --name d ferry-test sh -c 'echo new > /root/added; echo x >> /etc/passwd; rm /etc/group; rm -r /opt/olddir' >/dev/null
	run_ferry diff d
	assert_status 0
	[[ "$output" == *"A /root/added"* ]]
	[[ "$output" == *"C /etc/passwd"* ]]
	[[ "$output" == *"D /etc/group"* ]]
	[[ "$output" == *"D /opt/olddir"* ]]
	# A file the image's second layer deleted is not reported again.
	[[ "$output" != *"removed-by-layer2"* ]]
	# Nor, as in Podman, the files ferry puts in every container.
	! grep -E ' /(etc/(hostname|hosts|resolv\.conf)|run|run/\.containerenv)$' <<<"$output" || false
}

@test "volumes: named volume survives rm; anonymous one goes with rm -v; bind mounts, ro" {
	load_test_image
	f run --name w -v data:/data ferry-test sh -c 'echo persisted > /data/f' >/dev/null
	f rm w >/dev/null
	f volume exists data
	run_ferry run --rm -v data:/data ferry-test cat /data/f
	[ "$output" = persisted ]
	run_ferry run --rm -v data:/data:ro ferry-test sh -c 'echo no > /data/g'
	[ "$status" -ne 0 ]

	f run --name anon -v /scratch ferry-test sh -c 'echo x > /scratch/y' >/dev/null
	vol=$(f inspect --format '{{(index .Mounts 0).Name}}' anon 2>/dev/null || f inspect anon | jq -r '.[0].Mounts[0].Name')
	f volume exists "$vol"
	f rm -v anon >/dev/null
	run_ferry volume exists "$vol"
	assert_status 1

	mkdir -p "$TEST_TMP/host"
	echo from-host >"$TEST_TMP/host/h"
	run_ferry run --rm -v "$TEST_TMP/host:/mnt/h" ferry-test sh -c 'cat /mnt/h/h; echo back > /mnt/h/b'
	[ "$output" = from-host ]
	[ "$(cat "$TEST_TMP/host/b")" = back ]
}

@test "bad input: duplicate name, bad volume, missing bind source; nothing created" {
	load_test_image
	f create --name dup ferry-test true >/dev/null
	run_ferry create --name dup ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains '"dup" is already in use'
	[ "$(f ps -a -q | wc -l)" -eq 1 ]

	run_ferry run --rm -v 'a:b:c:d' ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains "a:b:c:d: incorrect volume format"

	run_ferry run --rm -v "$TEST_TMP/nope:/x" ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains "$TEST_TMP/nope"
	[ "$(f ps -a -q | wc -l)" -eq 1 ]
	[ "$(ls "$ROOT/containers" | wc -l)" -eq 1 ]
}

@test "tmpfs, shm-size and network modes" {
	load_test_image
	run_ferry run --rm --tmpfs /scratch --shm-size 8m ferry-test sh -c 'grep -E " /scratch | /dev/shm " /proc/mounts | cut -d" " -f2,3 | sort; df -k /dev/shm | tail -n1'
	assert_status 0
	[[ "$output" == *"/dev/shm tmpfs"* ]]
	[[ "$output" == *"/scratch tmpfs"* ]]
	[[ "$output" == *" 8192 "* ]]
	run_ferry run --rm ferry-test sh -c 'ls /sys/class/net'
	[ "$output" = lo ]
	run_ferry run --rm --network host ferry-test sh -c 'ls /sys/class/net | wc -l'
	[ "$output" -ge 1 ]
	[ "$(ls /sys/class/net | wc -l)" -eq "$output" ]
}

@test "20 containers started in parallel get unique names and all run" {
	load_test_image
	pids=()
	for i in $(seq 1 20); do
		f run -d ferry-test sleep 1000 >"$TEST_TMP/id.$i" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	[ "$(f ps -q | wc -l)" -eq 20 ]
	[ "$(f ps --format '{{.Names}}' | sort -u | wc -l)" -eq 20 ]
	[ "$(cat "$TEST_TMP"/id.* | sort -u | wc -l)" -eq 20 ]
	f rm -f -t 0 $(f ps -q) >/dev/null
	[ "$(f ps -a -q | wc -l)" -eq 0 ]
}

@test "crash: a container whose processes and runroot are gone shows as exited" {
	load_test_image
	f run -d --name crash ferry-test sleep 1000 >/dev/null
	pid=$(f inspect --format '{{.State.Pid}}' crash)
	conmon=$(f inspect --format '{{.State.ConmonPid}}' crash)
	kill -9 "$conmon" "$pid"
	for id in $(runc --root "$RUNROOT/runtime" list -q); do runc --root "$RUNROOT/runtime" delete -f "$id"; done
	for m in $(awk -v t="$RUNROOT" 'index($5, t "/") == 1 { print $5 }' /proc/self/mountinfo); do umount -l "$m"; done
	rm -rf "$RUNROOT"
	run_ferry ps -a --format '{{.State}}'
	assert_status 0
	[ "$output" = exited ]
	[ "$(ctr_status crash)" = exited ]
	run_ferry rm crash
	assert_status 0
}

@test "image rm: refused while a container uses the image (exit 2)" {
	load_test_image
	f create --name user ferry-test true >/dev/null
	run_ferry rmi ferry-test
	assert_status 2
	assert_one_line_error
	assert_output_contains "image is in use by a container"
	f image exists ferry-test
}

@test "container X works as an alias, and two roots keep their containers apart" {
	load_test_image
	run_ferry container run -d --name a ferry-test sleep 1000
	assert_status 0
	run_ferry container ls --format '{{.Names}}'
	[ "$output" = a ]
	run "$FERRY_BIN" --root "$TEST_TMP/root2" --runroot "$TEST_TMP/run2" ps -a -q
	assert_status 0
	[ -z "$output" ]
	run_ferry container rm -f -t 0 a
	assert_status 0
}

@test "rmi -f and volume rm -f also remove the containers using them" {
	load_test_image
	f create --name user1 ferry-test true >/dev/null
	run_ferry rmi -f ferry-test
	assert_status 0
	assert_output_contains "Deleted:"
	[ "$(f ps -a -q | wc -l)" -eq 0 ]

	load_test_image
	f run -d --name user2 -v vol:/v ferry-test sleep 1000 >/dev/null
	run_ferry volume rm vol
	assert_status 2
	[ "$(ctr_status user2)" = running ]
	run_ferry volume rm -f -t 0 vol
	assert_status 0
	[ "$output" = vol ]
	[ "$(f ps -a -q | wc -l)" -eq 0 ]
	! grep -q "$TEST_TMP" /proc/self/mountinfo || false
}

@test "image VOLUMEs become anonymous volumes; -t gives a terminal; --runtime by path, unknown runtime is an error" {
	oci_unpack "$(ferry_test_image)" "$TEST_TMP/l"
	manifest=$(oci_blob_path "$TEST_TMP/l" "$(oci_manifest_digest "$TEST_TMP/l")")
	config=$(jq -r '.config.digest' "$manifest")
	jq -c '.config.Volumes = {"/data": {}}' "$(oci_blob_path "$TEST_TMP/l" "$config")" >"$TEST_TMP/config.json"
	c=$(oci_add_blob "$TEST_TMP/l" "$TEST_TMP/config.json")
	oci_edit_manifest "$TEST_TMP/l" ".config.digest = \"$c\" | .config.size = $(stat -c %s "$TEST_TMP/config.json")"
	oci_pack "$TEST_TMP/l" "$TEST_TMP/vol.tar"
	f load -q -i "$TEST_TMP/vol.tar"

	f run --name v ferry-test sh -c 'echo kept > /data/x' >/dev/null
	vol=$(f inspect v | jq -r '.[0].Mounts[] | select(.Destination == "/data") | .Name')
	[[ "$vol" =~ ^[0-9a-f]{64}$ ]]
	[ "$(cat "$ROOT/volumes/$vol/_data/x")" = kept ]
	f rm -v v >/dev/null
	run_ferry volume exists "$vol"
	assert_status 1

	run_ferry run --rm -t ferry-test sh -c 'tty; echo $TERM'
	assert_status 0
	[[ "$output" == "/dev/pts/"* ]]
	assert_output_contains xterm

	run_ferry --runtime "$(command -v runc)" run --rm ferry-test echo by-path
	assert_status 0
	[ "$output" = by-path ]

	run_ferry --runtime no-such-runtime run --rm ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains "no-such-runtime"
}

@test "a damaged container record in the database is an error, never a crash" {
	load_test_image
	f create --name dmg ferry-test true >/dev/null
	sqlite3 -cmd '.timeout 10000' "$ROOT/ferry.db" \
		"UPDATE containers SET config = json_set(config, '\$.Mounts', json('{}'), '\$.Args', json('{}'), '\$.Env', 5, '\$.Network', 7) WHERE name = 'dmg'"
	run_ferry ps -a
	assert_status 0
	run_ferry inspect dmg
	assert_status 0
	run_ferry start dmg
	assert_status 125
	assert_one_line_error
	run_ferry rm -f dmg
	assert_status 0
	[ -z "$(f ps -aq)" ]
}

@test "options after the names, as Podman takes them; run and exec keep theirs for the command" {
	load_test_image
	f run -d --name late ferry-test sh -c 'echo hi; sleep 1000' >/dev/null
	wait_until '[ "$(f logs late)" = hi ]'
	[ "$(f inspect late --format '{{.Name}}')" = late ]
	[ "$(f image inspect ferry-test --format '{{.Id}}')" = "$(f image inspect --format '{{.Id}}' ferry-test)" ]
	[ "$(f logs late --tail 1)" = hi ]
	[ "$(f ps --format '{{.Names}}' --filter name=late)" = late ]
	# After the image (run) or the container (exec), options are the command's.
	[ "$(f exec late echo --format x)" = "--format x" ]
	[ "$(f run --rm ferry-test echo -t --rm)" = "-t --rm" ]
	run_ferry stop late -t 0
	assert_status 0
	[ "$(ctr_status late)" = exited ]
	run_ferry rm late -f
	assert_status 0
}

@test "Podman's codes: a workdir under a file, or one named with -w that is not there, is 126, exec -d of a missing command 125, attached 127" {
	load_test_image
	run_ferry run --rm -w /etc/passwd/x ferry-test true
	assert_status 126
	assert_one_line_error
	assert_output_contains 'detecting workdir "/etc/passwd/x"'
	[ -z "$(f ps -aq)" ]
	# A workdir the user names must be there, as Podman says (126), unless
	# a mount holds it; the image's own is made.
	run_ferry run --rm -w /new/dir ferry-test pwd
	assert_status 126
	assert_one_line_error
	assert_output_contains 'workdir "/new/dir" does not exist on container'
	[ -z "$(f ps -aq)" ]
	[ "$(f run --rm --tmpfs /new -w /new/dir ferry-test pwd)" = /new/dir ]
	f run -d --name ed ferry-test sleep 1000 >/dev/null
	run_ferry exec -d ed nosuchcmd
	assert_status 125
	run_ferry exec ed nosuchcmd
	assert_status 127
}

@test "--init: catatonit is PID 1 and runs the command after --, as Podman shows it" {
	load_test_image
	run_ferry run --rm --init ferry-test sh -c 'tr "\0" "|" </proc/1/cmdline | cut -d"|" -f1-4; test -x /run/podman-init'
	assert_status 0
	[ "$output" = "/run/podman-init|--|sh|-c" ]
	f create --name ii --init ferry-test true >/dev/null
	[ "$(f inspect --format '{{.HostConfig.Init}} {{json .Path}} {{json .Args}}' ii)" = 'true "/run/podman-init" ["--","true"]' ]
	# catatonit passes the signal on: the command's default action ends it.
	run_ferry run --rm --init ferry-test sh -c 'kill -TERM 1; sleep 5; echo alive'
	assert_status 143
	# Carried in an archive like the rest of the record.
	f run -d --name ic --init ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs ic | wc -l)" -ge 2 ]'
	f container checkpoint --export "$TEST_TMP/ic.tar.zst" ic >/dev/null
	f rm ic >/dev/null
	f container restore --import "$TEST_TMP/ic.tar.zst" >/dev/null
	[ "$(f exec ic cat /proc/1/cmdline | tr '\0' ' ' | cut -d' ' -f1,2)" = "/run/podman-init --" ]
	n=$(last_count ic)
	wait_until "[ \"\$(last_count ic)\" -ge $((n + 2)) ]"
}
