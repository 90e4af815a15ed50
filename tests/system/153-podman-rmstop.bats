#!/usr/bin/env bats
# rm -f stops a running container as Podman's does: its stop signal, then
# SIGKILL once its stop timeout has passed (--stop-timeout, else
# containers.conf's stop_timeout when it was created, else 10), with
# Podman's warning; a paused one is killed at once.  So do the other
# commands that remove running containers without a time given: rm -af,
# rm -f --depend, volume rm -f, network rm -f, image rm -f, clone
# --destroy --force and run --replace.  system reset -f kills at once, as
# Podman's reset does.
# What each container did is written by its own handlers into a host
# directory of the test's: the tests read that, never how long anything
# took.  Each runs with ferry against the transcript expected, then,
# where Podman is installed, with Podman against ferry's.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers

# containers.conf of the test's own: Podman's locks in files, no network
# unless asked (as ferry's ferry.conf of the test), and $STOP_TIMEOUT as
# [engine] stop_timeout when the test sets it.
write_containers_conf() {
	{
		printf '[containers]\nnetns = "none"\n[engine]\nlock_type = "file"\n'
		if [ -n "${1:-}" ]; then printf 'stop_timeout = %s\n' "$1"; fi
	} >"$CONTAINERS_CONF"
}

eval "helpers_$(declare -f setup)"
setup() {
	helpers_setup
	write_containers_conf
}

teardown() {
	if [ -d "${ROOT:-/nonexistent}" ]; then f rm -af -t 0 >/dev/null 2>&1 || true; fi
	podman_teardown
	ferry_teardown
}

# A shell that writes what it gets into /d/log: SIG ("TERM", "USR1", ...)
# and then exits 3 (EXIT set) or carries on (EXIT empty); /d/ready once
# its trap is set.
trapper() {
	local sig=$1 exit=${2:+; exit 3}
	echo "trap \"echo $sig >>/d/log$exit\" $sig; echo ready >/d/ready; while :; do sleep 0.1; done"
}

# Container NAME of tool $1 with a host directory of its own on /d, the
# options up to -- and then the command; waits until it said it is ready
# when it is one of trapper's.
trap_ctr() {
	local t=$1 name=$2 dir=$TEST_TMP/d-$1/$2 opts=()
	shift 2
	# --network first: make_ctr starts its list again there.
	while [ "$1" != -- ]; do
		if [ "$1" = --network ]; then
			opts=("$1" "$2" "${opts[@]}")
			shift
		else
			opts+=("$1")
		fi
		shift
	done
	mkdir -p "$dir"
	make_ctr "$t" "$name" run "${opts[@]}" -v "$dir:/d" "$@"
	case "$*" in *trap*) wait_until "[ -f '$dir/ready' ]" 20 ;; esac
}

# What container NAME of tool $1 wrote into its /d/log, on one line.
said() {
	echo "  said:$(sed 's/^/ /' "$TEST_TMP/d-$1/$2/log" 2>/dev/null | tr -d '\n')"
}

# Sequence function $1 with ferry against the transcript on stdin, then
# with Podman where it is installed, against ferry's transcript whole:
# the warnings' words included.
rmstop_compare() {
	local seq=$1 t
	cat >"$TEST_TMP/expected.log"
	load_test_image
	"$seq" f
	# IDs that no make_ctr made (clone's, run's, the image's).
	sed -i 's/\b[0-9a-f]\{64\}\b/<ID>/g' "$TEST_TMP/f.log"
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	"$seq" podman_t
	sed -i 's/\b[0-9a-f]\{64\}\b/<ID>/g' "$TEST_TMP/podman_t.log"
	diff -u "$TEST_TMP/f.log" "$TEST_TMP/podman_t.log"
}

trap_exits() {
	local t=$1
	trap_ctr "$t" tt -- sh -c "$(trapper TERM exit)"
	step "$t" rm -f tt
	said "$t" tt >>"$TEST_TMP/$t.log"
	step "$t" ps -a --format '{{.Names}}'
}

@test "rm -f gives a running container its stop signal: a TERM trap runs and the container exits by it, as with Podman" {
	rmstop_compare trap_exits <<-'EOF'
		$ rm -f tt -> 0
		  out: tt
		  said: TERM
		$ ps -a --format {{.Names}} -> 0
	EOF
}

ignores_term() {
	local t=$1
	trap_ctr "$t" ig --stop-timeout 1 -- sh -c "$(trapper TERM)"
	step "$t" rm -f ig
	said "$t" ig >>"$TEST_TMP/$t.log"
	# -t 0 as before: SIGKILL at once, no signal before it, no warning.
	trap_ctr "$t" now --stop-timeout 1 -- sh -c "$(trapper TERM)"
	step "$t" rm -f -t 0 now
	said "$t" now >>"$TEST_TMP/$t.log"
	step "$t" ps -a --format '{{.Names}}'
}

@test "rm -f of a container that outlives its stop signal kills it after its --stop-timeout, with Podman's warning" {
	rmstop_compare ignores_term <<-'EOF'
		$ rm -f ig -> 0
		  out: ig
		  err: time=T level=warning msg="StopSignal SIGTERM failed to stop container ig in 1 seconds, resorting to SIGKILL"
		  said: TERM
		$ rm -f -t 0 now -> 0
		  out: now
		  said:
		$ ps -a --format {{.Names}} -> 0
	EOF
}

conf_timeout() {
	local t=$1
	trap_ctr "$t" ct -- sh -c "$(trapper TERM)"
	step "$t" inspect --format '{{.Config.StopTimeout}}' ct
	step "$t" rm -f ct
	said "$t" ct >>"$TEST_TMP/$t.log"
	# --stop-timeout outweighs it.
	trap_ctr "$t" given --stop-timeout 2 -- sh -c "$(trapper TERM exit)"
	step "$t" inspect --format '{{.Config.StopTimeout}}' given
}

@test "containers.conf's stop_timeout is the stop timeout of a container created without --stop-timeout, which rm -f waits" {
	write_containers_conf 1
	rmstop_compare conf_timeout <<-'EOF'
		$ inspect --format {{.Config.StopTimeout}} ct -> 0
		  out: 1
		$ rm -f ct -> 0
		  out: ct
		  err: time=T level=warning msg="StopSignal SIGTERM failed to stop container ct in 1 seconds, resorting to SIGKILL"
		  said: TERM
		$ inspect --format {{.Config.StopTimeout}} given -> 0
		  out: 2
	EOF
}

stop_signal() {
	local t=$1
	trap_ctr "$t" u1 --stop-signal USR1 --stop-timeout 1 -- sh -c "$(trapper USR1 exit)"
	step "$t" rm -f u1
	said "$t" u1 >>"$TEST_TMP/$t.log"
	trap_ctr "$t" hup --stop-signal HUP --stop-timeout 1 -- sh -c "$(trapper HUP)"
	step "$t" rm -f hup
	said "$t" hup >>"$TEST_TMP/$t.log"
}

@test "rm -f sends a container created with --stop-signal that signal, and names it in the warning" {
	rmstop_compare stop_signal <<-'EOF'
		$ rm -f u1 -> 0
		  out: u1
		  said: USR1
		$ rm -f hup -> 0
		  out: hup
		  err: time=T level=warning msg="StopSignal SIGHUP failed to stop container hup in 1 seconds, resorting to SIGKILL"
		  said: HUP
	EOF
}

paused() {
	local t=$1
	trap_ctr "$t" p1 -- sh -c "$(trapper TERM exit)"
	"$t" pause p1 >/dev/null
	step "$t" rm -f p1
	said "$t" p1 >>"$TEST_TMP/$t.log"
	trap_ctr "$t" p2 -- sh -c "$(trapper TERM exit)"
	"$t" pause p2 >/dev/null
	step "$t" rm -f -t 5 p2
	said "$t" p2 >>"$TEST_TMP/$t.log"
	trap_ctr "$t" p3 -- sh -c "$(trapper TERM exit)"
	"$t" pause p3 >/dev/null
	step "$t" run -d --replace --name p3 --network none localhost/ferry-test:latest true
	said "$t" p3 >>"$TEST_TMP/$t.log"
}

@test "rm -f of a paused container kills it at once, -t or not, and so does run --replace: its handler never runs, as with Podman" {
	rmstop_compare paused <<-'EOF'
		$ rm -f p1 -> 0
		  out: p1
		  said:
		$ rm -f -t 5 p2 -> 0
		  out: p2
		  said:
		$ run -d --replace --name p3 --network none localhost/ferry-test:latest true -> 0
		  out: <ID>
		  said:
	EOF
}

other_paths() {
	# A bridge of the test's own per tool, on a subnet shard.sh's
	# leftovers check knows; one tool's network is gone before the other's.
	local t=$1 n=$(($(net_number) + 7000))
	[ "$t" = podman_t ] && n=$((n + 200))
	trap_ctr "$t" all1 --stop-timeout 1 -- sh -c "$(trapper TERM)"
	trap_ctr "$t" all2 -- sh -c "$(trapper TERM exit)"
	step_sorted "$t" rm -af
	said "$t" all1 >>"$TEST_TMP/$t.log"
	said "$t" all2 >>"$TEST_TMP/$t.log"

	trap_ctr "$t" base -- sh -c "$(trapper TERM exit)"
	trap_ctr "$t" dep --stop-timeout 1 --network container:base -- sh -c "$(trapper TERM)"
	# Podman removes a container and its dependents in parallel, printing
	# them in any order.
	step_sorted "$t" rm -f --depend base
	said "$t" dep >>"$TEST_TMP/$t.log"
	said "$t" base >>"$TEST_TMP/$t.log"

	"$t" volume create vol >/dev/null
	trap_ctr "$t" onvol --stop-timeout 1 -v vol:/v -- sh -c "$(trapper TERM)"
	step "$t" volume rm -f vol
	said "$t" onvol >>"$TEST_TMP/$t.log"

	"$t" network create --subnet "10.212.$(net_number).0/24" --interface-name "ftu$n" net >/dev/null
	trap_ctr "$t" onnet --stop-timeout 1 --network net -- sh -c "$(trapper TERM)"
	step "$t" network rm -f net
	said "$t" onnet >>"$TEST_TMP/$t.log"

	trap_ctr "$t" orig --stop-timeout 1 -- sh -c "$(trapper TERM)"
	step "$t" container clone --destroy --force orig copy
	said "$t" orig >>"$TEST_TMP/$t.log"
	step "$t" rm copy

	trap_ctr "$t" rep --stop-timeout 1 -- sh -c "$(trapper TERM)"
	step "$t" run -d --replace --name rep --network none localhost/ferry-test:latest true
	said "$t" rep >>"$TEST_TMP/$t.log"
	"$t" rm -f -t 0 rep >/dev/null

	trap_ctr "$t" img --stop-timeout 1 -- sh -c "$(trapper TERM)"
	step "$t" image rm -f localhost/ferry-test:latest
	said "$t" img >>"$TEST_TMP/$t.log"
}

@test "rm -af, rm -f --depend, volume rm -f, network rm -f, clone --destroy --force, run --replace and image rm -f stop running containers as rm -f does" {
	rmstop_compare other_paths <<-'EOF'
		$ rm -af -> 0
		  out: <all1>
		  out: <all2>
		  err: time=T level=warning msg="StopSignal SIGTERM failed to stop container all1 in 1 seconds, resorting to SIGKILL"
		  said: TERM
		  said: TERM
		$ rm -f --depend base -> 0
		  out: <dep>
		  out: base
		  err: time=T level=warning msg="StopSignal SIGTERM failed to stop container dep in 1 seconds, resorting to SIGKILL"
		  said: TERM
		  said: TERM
		$ volume rm -f vol -> 0
		  out: vol
		  err: time=T level=warning msg="StopSignal SIGTERM failed to stop container onvol in 1 seconds, resorting to SIGKILL"
		  said: TERM
		$ network rm -f net -> 0
		  out: net
		  err: time=T level=warning msg="StopSignal SIGTERM failed to stop container onnet in 1 seconds, resorting to SIGKILL"
		  said: TERM
		$ container clone --destroy --force orig copy -> 0
		  out: <ID>
		  err: time=T level=warning msg="StopSignal SIGTERM failed to stop container orig in 1 seconds, resorting to SIGKILL"
		  said: TERM
		$ rm copy -> 0
		  out: copy
		$ run -d --replace --name rep --network none localhost/ferry-test:latest true -> 0
		  out: <ID>
		  err: time=T level=warning msg="StopSignal SIGTERM failed to stop container rep in 1 seconds, resorting to SIGKILL"
		  said: TERM
		$ image rm -f localhost/ferry-test:latest -> 0
		  out: Untagged: localhost/ferry-test:latest
		  out: Deleted: <ID>
		  err: time=T level=warning msg="StopSignal SIGTERM failed to stop container img in 1 seconds, resorting to SIGKILL"
		  said: TERM
	EOF
}

reset_kills() {
	local t=$1
	trap_ctr "$t" rs -- sh -c "$(trapper TERM exit)"
	step "$t" system reset -f
	said "$t" rs >>"$TEST_TMP/$t.log"
	step "$t" ps -a --format '{{.Names}}'
}

@test "system reset -f kills running containers at once, their stop signal never sent, as Podman's reset does" {
	rmstop_compare reset_kills <<-'EOF'
		$ system reset -f -> 0
		  said:
		$ ps -a --format {{.Names}} -> 0
	EOF
}
