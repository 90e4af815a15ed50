#!/usr/bin/env bats
# The container lifecycle commands as a Podman user types them: stop, kill,
# pause, unpause, start and rm with their names, --all, --latest, --ignore
# and --cidfile; what they print, their messages and exit codes.  Each
# sequence runs in ferry and is compared with what Podman 5.4 printed for
# it (kept below), and, where Podman is installed, with Podman run live on
# roots of the test's own.

load helpers
load podman-helpers

teardown() {
	podman_teardown
	ferry_teardown
}

# Transcript $1 as compared with Podman's live one: see compare_with_podman.
live_form() {
	sed -e 's/^\(  err: Error: renaming container [^:]*\): .*/\1/' \
		-e 's/^\(  err: Error: image used by [^:]*: image is in use by a container\): .*/\1/' \
		-e 's/^  err: Error: .*: \(names must match\)/  err: Error: \1/' \
		-e 's/^\(  err: Error: detecting workdir "[^"]*" on container [^:]*\): .*\(not a directory\)$/\1: \2/' \
		-e 's/^\(  err: Error: a complete checkpoint for this container cannot be found, cannot restore\): .*/\1/' \
		"$1" | python3 -c '
import sys
out = []
for line in sys.stdin:
    if line.startswith("  out: "):
        out.append(line)
        continue
    sys.stdout.writelines(sorted(out))
    out = []
    sys.stdout.write(line)
sys.stdout.writelines(sorted(out))
'
}

# Runs sequence function $1 in ferry and compares its transcript with the
# one on stdin (Podman's), then, where Podman is installed, in Podman too.
compare_with_podman() {
	local seq=$1
	cat >"$TEST_TMP/expected.log"
	load_test_image
	touch "$TEST_TMP/f.sed"
	"$seq" f
	if command -v podman >/dev/null; then
		mkdir -p "$TEST_TMP/ptmp"
		touch "$TEST_TMP/podman_t.sed"
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		"$seq" podman_t
		# Podman's rename clash names its database's constraint: only the
		# words before it are compared.  Podman acts on --all's containers
		# in parallel, so each command's output lines are compared in any
		# order.
		diff -u <(live_form "$TEST_TMP/podman_t.log") <(live_form "$TEST_TMP/f.log")
	fi
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
}

names_and_states() {
	local t=$1
	make_containers "$t" <<-EOF
		r1 run sleep 1000
		c1 create true
	EOF
	step "$t" stop r1x nosuch
	step "$t" stop -i nosuch c1
	step "$t" stop --ignore nosuch
	step "$t" kill c1
	step "$t" kill -s USR1 nosuch r1
	step "$t" pause c1
	step "$t" pause r1
	step "$t" pause r1
	step "$t" unpause c1
	step "$t" kill -a -s USR1
	step "$t" unpause -a
	step "$t" unpause -a
	step "$t" unpause r1
	step "$t" pause -a
	step "$t" rm r1
	step "$t" rm c1 nosuch
	step "$t" rm -f nosuch
	step "$t" rm -i nosuch c1
	step "$t" rm -f r1
	step "$t" ps -a -q
}

@test "stop, kill, pause, unpause, rm by name: output, messages and exit codes as Podman's" {
	compare_with_podman names_and_states <<-'EOF'
		$ stop r1x nosuch -> 125
		  err: Error: no container with name or ID "r1x" found: no such container
		$ stop -i nosuch c1 -> 0
		  out: c1
		$ stop --ignore nosuch -> 0
		$ kill c1 -> 125
		  err: Error: can only kill running containers. <c1> is in state created: container state improper
		$ kill -s USR1 nosuch r1 -> 125
		  err: Error: no container with name or ID "nosuch" found: no such container
		$ pause c1 -> 125
		  err: Error: "created" is not running, can't pause: container state improper
		$ pause r1 -> 0
		  out: r1
		$ pause r1 -> 125
		  err: Error: "<r1>" is already paused: container state improper
		$ unpause c1 -> 125
		  err: Error: "<c1>" is not paused, can't unpause: container state improper
		$ kill -a -s USR1 -> 0
		  out: <r1>
		$ unpause -a -> 0
		  out: <r1>
		$ unpause -a -> 0
		$ unpause r1 -> 125
		  err: Error: "<r1>" is not paused, can't unpause: container state improper
		$ pause -a -> 0
		  out: <r1>
		$ rm r1 -> 2
		  err: Error: cannot remove container <r1> as it is paused - running or paused containers cannot be removed without force: container state improper
		$ rm c1 nosuch -> 1
		  err: Error: no container with ID or name "nosuch" found: no such container
		$ rm -f nosuch -> 0
		$ rm -i nosuch c1 -> 0
		  out: c1
		$ rm -f r1 -> 0
		  out: r1
		$ ps -a -q -> 0
	EOF
}

all_latest_cidfile() {
	local t=$1
	make_containers "$t" <<-EOF
		r1 run sleep 1000
		c1 create true
		r2 run sleep 1000
	EOF
	"$t" inspect --format '{{.Id}}' r1 >"$TEST_TMP/cid"
	step "$t" stop -a -l
	step "$t" stop -a r1
	step "$t" stop -l r1
	step "$t" stop --cidfile "$TEST_TMP/cid" r1
	step "$t" stop -a --cidfile "$TEST_TMP/cid"
	step "$t" stop
	step "$t" kill
	step "$t" rm
	step "$t" pause
	step "$t" start
	step "$t" stop --cidfile "$TEST_TMP/nofile"
	step "$t" stop -i --cidfile "$TEST_TMP/nofile"
	step "$t" kill -s USR1 --cidfile "$TEST_TMP/cid"
	step "$t" pause -l
	step "$t" unpause -l
	step "$t" stop -l -t 0
	step "$t" stop -a -t 0
	step "$t" start --all
	step "$t" kill -l
	step "$t" rm -f -l
	step "$t" rm -f -t 0 --cidfile "$TEST_TMP/cid"
	step "$t" rm -l
	step "$t" rm -l
	step "$t" stop -l
	step "$t" stop -a
	step "$t" rm -a
}

@test "--all, --latest and --cidfile: full IDs printed, clashes refused, as Podman's" {
	compare_with_podman all_latest_cidfile <<-'EOF'
		$ stop -a -l -> 125
		  err: Error: --all and --latest cannot be used together
		$ stop -a r1 -> 125
		  err: Error: no arguments are needed with --all
		$ stop -l r1 -> 125
		  err: Error: --latest and containers cannot be used together
		$ stop --cidfile TMP/cid r1 -> 125
		  err: Error: no arguments are needed with --latest or --cidfile
		$ stop -a --cidfile TMP/cid -> 125
		  err: Error: --all, --latest, and --cidfile cannot be used together
		$ stop -> 125
		  err: Error: you must provide at least one name or id
		$ kill -> 125
		  err: Error: you must provide at least one name or id
		$ rm -> 125
		  err: Error: you must provide at least one name or id
		$ pause -> 125
		  err: Error: you must provide at least one name or id
		$ start -> 125
		  err: Error: start requires at least one argument
		$ stop --cidfile TMP/nofile -> 125
		  err: Error: reading CIDFile: open TMP/nofile: no such file or directory
		$ stop -i --cidfile TMP/nofile -> 0
		$ kill -s USR1 --cidfile TMP/cid -> 0
		  out: <r1>
		$ pause -l -> 0
		  out: <r2>
		$ unpause -l -> 0
		  out: <r2>
		$ stop -l -t 0 -> 0
		  out: <r2>
		$ stop -a -t 0 -> 0
		  out: <r1>
		  out: <c1>
		  out: <r2>
		$ start --all -> 0
		  out: <r1>
		  out: <c1>
		  out: <r2>
		$ kill -l -> 0
		  out: <r2>
		$ rm -f -l -> 0
		  out: <r2>
		$ rm -f -t 0 --cidfile TMP/cid -> 0
		  out: <r1>
		$ rm -l -> 0
		  out: <c1>
		$ rm -l -> 1
		  err: Error: no such container
		$ stop -l -> 125
		  err: Error: no such container
		$ stop -a -> 0
		$ rm -a -> 0
	EOF
}

stop_and_signals() {
	local t=$1
	# sleep as PID 1 has no handler for TERM, so the stop signal does nothing.
	make_containers "$t" <<-EOF
		t1 run sleep 1000
	EOF
	step "$t" stop -t 1 t1
	step "$t" stop t1
	step "$t" start t1
	step "$t" kill -s sigusr1 t1
	step "$t" kill -s SIGUSR1 t1
	step "$t" kill -s usr1 t1
	step "$t" kill -s 10 t1
	step "$t" kill --signal=HUP t1
	step "$t" kill -s 99 t1
	step "$t" kill -s BOGUS t1
	step "$t" kill -s 0 t1
	step "$t" stop --timeout 1 t1
	step "$t" start t1
	step "$t" kill t1
	step "$t" wait t1
	step "$t" kill t1
}

@test "stop warns when SIGKILL follows the stop signal, leaves a stopped container be; kill takes signals by name or number" {
	compare_with_podman stop_and_signals <<-'EOF'
		$ stop -t 1 t1 -> 0
		  out: t1
		  err: time=T level=warning msg="StopSignal SIGTERM failed to stop container t1 in 1 seconds, resorting to SIGKILL"
		$ stop t1 -> 0
		  out: t1
		$ start t1 -> 0
		  out: t1
		$ kill -s sigusr1 t1 -> 0
		  out: t1
		$ kill -s SIGUSR1 t1 -> 0
		  out: t1
		$ kill -s usr1 t1 -> 0
		  out: t1
		$ kill -s 10 t1 -> 0
		  out: t1
		$ kill --signal=HUP t1 -> 0
		  out: t1
		$ kill -s 99 t1 -> 125
		  err: Error: valid signals are 1 through 64
		$ kill -s BOGUS t1 -> 125
		  err: Error: invalid signal: BOGUS
		$ kill -s 0 t1 -> 125
		  err: Error: invalid signal: 0
		$ stop --timeout 1 t1 -> 0
		  out: t1
		  err: time=T level=warning msg="StopSignal SIGTERM failed to stop container t1 in 1 seconds, resorting to SIGKILL"
		$ start t1 -> 0
		  out: t1
		$ kill t1 -> 0
		  out: t1
		$ wait t1 -> 0
		  out: 137
		$ kill t1 -> 125
		  err: Error: can only kill running containers. <t1> is in state exited: container state improper
	EOF
	# --log-level error keeps the warning back, as Podman's.
	f start t1 >/dev/null
	run_ferry --log-level error stop -t 1 t1
	assert_status 0
	[ "$output" = t1 ]
}

restart_rename_exists() {
	local t=$1
	make_containers "$t" <<-EOF
		r1 run sleep 1000
		r2 run sleep 1000
		c1 create true
	EOF
	step "$t" pause r2
	step "$t" restart -t 0 r1
	step "$t" restart nosuch
	step "$t" restart -t 0 r2
	step "$t" restart --running -t 0
	step "$t" restart -a --running -t 0
	step "$t" unpause r2
	step "$t" stop -t 0 r2
	step "$t" restart -a --running -t 0
	step "$t" rename r1 r9
	step "$t" rename r9 c1
	step "$t" rename nosuch x
	step "$t" rename r9 'bad name'
	step "$t" rename r9 ''
	step "$t" rename r9 r9
	step "$t" rename r9
	step "$t" rename r9 /r1
	step "$t" container exists r1
	step "$t" container exists r9
	step "$t" container exists
	step "$t" container exists localhost/ferry-test
	step "$t" inspect --format '{{.Name}}' r1
}

@test "restart (--all, --running), rename and container exists as Podman's" {
	compare_with_podman restart_rename_exists <<-'EOF'
		$ pause r2 -> 0
		  out: r2
		$ restart -t 0 r1 -> 0
		  out: r1
		$ restart nosuch -> 125
		  err: Error: no container with name or ID "nosuch" found: no such container
		$ restart -t 0 r2 -> 125
		  err: Error: unable to restart a container in a paused or unknown state: container state improper
		$ restart --running -t 0 -> 125
		  err: Error: you must provide at least one name or id
		$ restart -a --running -t 0 -> 0
		  out: <r1>
		$ unpause r2 -> 0
		  out: r2
		$ stop -t 0 r2 -> 0
		  out: r2
		$ restart -a --running -t 0 -> 0
		  out: <r1>
		$ rename r1 r9 -> 0
		$ rename r9 c1 -> 125
		  err: Error: renaming container <r1>: the container name "c1" is already in use
		$ rename nosuch x -> 125
		  err: Error: no container with name or ID "nosuch" found: no such container
		$ rename r9 bad name -> 125
		  err: Error: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument
		$ rename r9  -> 125
		  err: Error: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument
		$ rename r9 r9 -> 0
		$ rename r9 -> 125
		  err: Error: accepts 2 arg(s), received 1
		$ rename r9 /r1 -> 0
		$ container exists r1 -> 0
		$ container exists r9 -> 1
		$ container exists -> 125
		  err: Error: accepts 1 arg(s), received 0
		$ container exists localhost/ferry-test -> 1
		$ inspect --format {{.Name}} r1 -> 0
		  out: r1
	EOF
}

errors_of_other_commands() {
	local t=$1
	make_containers "$t" <<-EOF
		c1 create true
	EOF
	# The containers run here are new: any full ID is theirs.
	echo 's/[0-9a-f]\{64\}/<new>/g' >>"$TEST_TMP/$t.sed"
	step "$t" rmi 3bb7d0590f13
	step "$t" run --rm --network none ferry-test /nonexist
	step "$t" run --rm --network none ferry-test /etc
	step "$t" run --rm --network none -w /etc/passwd ferry-test true
	step "$t" run --rm --network none -w /etc/passwd/x ferry-test true
	step "$t" volume rm nosuch
	step "$t" volume inspect nosuch
	step "$t" network rm nosuch
	step "$t" network inspect nosuch
	step "$t" run --rm --network none --user nosuchuser ferry-test true
	step "$t" create --name bad/name ferry-test true
	step "$t" volume create bad/name
	step "$t" port c1 80
}

@test "errors of rmi, run, volume and network: messages and exit codes as Podman's" {
	compare_with_podman errors_of_other_commands <<-'EOF'
		$ rmi 3bb7d0590f13 -> 2
		  err: Error: image used by <c1>: image is in use by a container: remove the container first (ferry rm <c1>)
		$ run --rm --network none ferry-test /nonexist -> 127
		  err: Error: runc: runc create failed: unable to start container process: exec: "/nonexist": stat /nonexist: no such file or directory: OCI runtime attempted to invoke a command that was not found
		$ run --rm --network none ferry-test /etc -> 126
		  err: Error: runc: runc create failed: unable to start container process: exec: "/etc": permission denied: OCI permission denied
		$ run --rm --network none -w /etc/passwd ferry-test true -> 126
		  err: Error: workdir "/etc/passwd" exists on container <new>, but is not a directory
		$ run --rm --network none -w /etc/passwd/x ferry-test true -> 126
		  err: Error: detecting workdir "/etc/passwd/x" on container <new>: not a directory
		$ volume rm nosuch -> 1
		  err: Error: no volume with name "nosuch" found: no such volume
		$ volume inspect nosuch -> 125
		  out: []
		  err: Error: no such volume nosuch
		$ network rm nosuch -> 1
		  err: Error: unable to find network with name or ID nosuch: network not found
		$ network inspect nosuch -> 125
		  out: []
		  err: Error: network nosuch: unable to find network with name or ID nosuch: network not found
		$ run --rm --network none --user nosuchuser ferry-test true -> 126
		  err: Error: unable to find user nosuchuser: no matching entries in passwd file
		$ create --name bad/name ferry-test true -> 125
		  err: Error: running container create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument
		$ volume create bad/name -> 125
		  err: Error: running volume create option: invalid volume name `bad/name`: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument
		$ port c1 80 -> 0
	EOF
}

checkpoint_states() {
	local t=$1
	make_containers "$t" <<-EOF
		r1 run sleep 1000
		c1 create true
	EOF
	step "$t" container checkpoint c1
	step "$t" container restore r1
	step "$t" container restore c1
	step "$t" pause r1
	step "$t" container checkpoint r1
	step "$t" container restore r1
	step "$t" unpause r1
	step "$t" container checkpoint -a -l
	step "$t" container checkpoint -a r1
	step "$t" container checkpoint -l r1
	step "$t" container restore -a -l
	step "$t" container restore -a r1
	step "$t" container restore -l r1
	step "$t" container checkpoint --compress zstd r1
}

@test "checkpoint and restore in the wrong state, and --all/--latest/--compress clashes: Podman's words and codes" {
	compare_with_podman checkpoint_states <<-'EOF'
		$ container checkpoint c1 -> 125
		  err: Error: "created" is not running, cannot checkpoint: container state improper
		$ container restore r1 -> 125
		  err: Error: container <r1> is running or paused, cannot restore: container state improper
		$ container restore c1 -> 125
		  err: Error: a complete checkpoint for this container cannot be found, cannot restore: container c1 has none; checkpoint it first (ferry container checkpoint c1)
		$ pause r1 -> 0
		  out: r1
		$ container checkpoint r1 -> 125
		  err: Error: "paused" is not running, cannot checkpoint: container state improper
		$ container restore r1 -> 125
		  err: Error: container <r1> is running or paused, cannot restore: container state improper
		$ unpause r1 -> 0
		  out: r1
		$ container checkpoint -a -l -> 125
		  err: Error: --all and --latest cannot be used together
		$ container checkpoint -a r1 -> 125
		  err: Error: no arguments are needed with --all
		$ container checkpoint -l r1 -> 125
		  err: Error: --latest and containers cannot be used together
		$ container restore -a -l -> 125
		  err: Error: --all and --latest cannot be used together
		$ container restore -a r1 -> 125
		  err: Error: no arguments are needed with --all
		$ container restore -l r1 -> 125
		  err: Error: --all or --latest and containers cannot be used together
		$ container checkpoint --compress zstd r1 -> 125
		  err: Error: --compress can only be used with --export
	EOF
}

wait_conditions() {
	local t=$1
	make_containers "$t" <<-EOF
		r1 run sleep 1000
		c1 create true
		w1 run false
	EOF
	step "$t" wait --condition running r1
	step "$t" wait --condition running,paused --condition exited r1
	step "$t" wait --ignore nosuch r1x
	step "$t" wait nosuch
	step "$t" wait --condition exited w1
	step "$t" wait w1 c1x
	step "$t" wait --condition created c1
	step "$t" wait --condition configured c1
	step "$t" wait -i x w1
	step "$t" wait -i 10 w1
	step "$t" wait -l --interval 20ms
}

@test "wait: --condition, --ignore, --interval and --latest as Podman's" {
	compare_with_podman wait_conditions <<-'EOF'
		$ wait --condition running r1 -> 0
		  out: -1
		$ wait --condition running,paused --condition exited r1 -> 0
		  out: -1
		$ wait --ignore nosuch r1x -> 0
		  out: -1
		  out: -1
		$ wait nosuch -> 125
		  err: Error: no container with name or ID "nosuch" found: no such container
		$ wait --condition exited w1 -> 0
		  out: 1
		$ wait w1 c1x -> 125
		  err: Error: no container with name or ID "c1x" found: no such container
		$ wait --condition created c1 -> 0
		  out: -1
		$ wait --condition configured c1 -> 125
		  err: Error: unknown container state: configured: invalid argument
		$ wait -i x w1 -> 125
		  err: Error: time: invalid duration "x"
		$ wait -i 10 w1 -> 0
		  out: 1
		$ wait -l --interval 20ms -> 0
		  out: 1
	EOF
}
