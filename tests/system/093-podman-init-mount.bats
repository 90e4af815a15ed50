#!/usr/bin/env bats
# init, mount and unmount, container clone: Podman's commands for a
# container created in the runtime but not started (initialized), for its
# root file system mounted on the host, and for a copy of a container.
# Each sequence runs in ferry and is compared with what Podman 5.4 printed
# for it (kept below), and, where Podman is installed, with Podman run
# live.  The rest is ferry's own: a ferry killed half-way through init or
# mount leaves nothing the next command does not settle, and checkpoint and
# restore work on a mounted container.

load helpers
load podman-helpers

teardown() {
	podman_teardown
	ferry_teardown
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
		touch "$TEST_TMP/podman_t.sed"
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		"$seq" podman_t
		diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
	fi
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
}

init_sequence() {
	local t=$1
	make_containers "$t" <<-EOF
		c1 create sleep 1000
		r1 run sleep 1000
	EOF
	step "$t" init
	step "$t" init nosuch c1
	step "$t" init c1
	step "$t" ps --format '{{.Names}} {{.State}}'
	step "$t" ps -a --format '{{.Names}} {{.Status}}' --filter status=initialized
	step "$t" inspect --format '{{.State.Status}} {{.State.Running}} {{.State.ExitCode}}' c1
	step "$t" init c1
	step "$t" init r1
	step "$t" kill c1
	step "$t" pause c1
	step "$t" container checkpoint c1
	step "$t" exec c1 true
	step "$t" start c1
	step "$t" ps --format '{{.Names}} {{.State}}'
	step "$t" stop -t 0 c1
	step "$t" container init c1
	step "$t" stop c1
	step "$t" inspect --format '{{.State.Status}} {{.State.ExitCode}}' c1
	step "$t" rm -f -t 0 r1
	step "$t" init -a
	step "$t" init -a c1
	step "$t" init -l
	step "$t" rm c1
	step "$t" ps -a --format '{{.Names}}'
}

@test "init, and what start, stop, kill, pause, checkpoint and rm do with an initialized container, as Podman" {
	compare_with_podman init_sequence <<-'EOF'
	$ init -> 125
	  err: Error: you must provide at least one name or id
	$ init nosuch c1 -> 125
	  err: Error: no container with name or ID "nosuch" found: no such container
	$ init c1 -> 0
	  out: c1
	$ ps --format {{.Names}} {{.State}} -> 0
	  out: r1 running
	$ ps -a --format {{.Names}} {{.Status}} --filter status=initialized -> 0
	  out: c1 Initialized
	$ inspect --format {{.State.Status}} {{.State.Running}} {{.State.ExitCode}} c1 -> 0
	  out: initialized false 0
	$ init c1 -> 125
	  err: Error: container <c1> has already been created in runtime: container state improper
	$ init r1 -> 125
	  err: Error: container <r1> has already been created in runtime: container state improper
	$ kill c1 -> 125
	  err: Error: can only kill running containers. <c1> is in state initialized: container state improper
	$ pause c1 -> 125
	  err: Error: "initialized" is not running, can't pause: container state improper
	$ container checkpoint c1 -> 125
	  err: Error: "initialized" is not running, cannot checkpoint: container state improper
	$ exec c1 true -> 255
	  err: Error: can only create exec sessions on running containers: container state improper
	$ start c1 -> 0
	  out: c1
	$ ps --format {{.Names}} {{.State}} -> 0
	  out: c1 running
	  out: r1 running
	$ stop -t 0 c1 -> 0
	  out: c1
	$ container init c1 -> 0
	  out: c1
	$ stop c1 -> 0
	  out: c1
	$ inspect --format {{.State.Status}} {{.State.ExitCode}} c1 -> 0
	  out: exited 2
	$ rm -f -t 0 r1 -> 0
	  out: r1
	$ init -a -> 0
	  out: <c1>
	$ init -a c1 -> 125
	  err: Error: no arguments are needed with --all
	$ init -l -> 125
	  err: Error: container <c1> has already been created in runtime: container state improper
	$ rm c1 -> 0
	  out: c1
	$ ps -a --format {{.Names}} -> 0
	EOF
}

@test "init killed after the runtime created the container: the next command removes it, and init works again" {
	load_test_image
	f create --name c ferry-test sleep 1000 >/dev/null
	run env FERRY_FAULT=init-launched "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" init c
	[ "$status" -eq 137 ]
	# The launch was done: the runtime holds the container.
	[ -n "$(runc --root "$RUNROOT/runtime" list -q)" ]
	[ "$(f ps -a --format '{{.Names}} {{.State}}')" = "c created" ]
	[ -z "$(runc --root "$RUNROOT/runtime" list -q)" ]
	[ -z "$(awk -v r="$ROOT/" 'index($5, r) == 1' /proc/self/mountinfo)" ]
	f init c
	[ "$(ctr_status c)" = initialized ]
	f start c
	[ "$(f exec c cat /proc/1/cmdline | tr '\0' ' ')" = "sleep 1000 " ]
}

@test "an initialized container whose monitor is gone is created again, and starts" {
	load_test_image
	f create --name c ferry-test sleep 1000 >/dev/null
	f init c
	kill -9 "$(f inspect --format '{{.State.ConmonPid}}' c)"
	runc --root "$RUNROOT/runtime" delete -f "$(f inspect --format '{{.Id}}' c)"
	[ "$(ctr_status c)" = created ]
	f start c
	[ "$(ctr_status c)" = running ]
}
