#!/usr/bin/env bats
# Podman's own system tests of run, start and stop (its test/system
# 030-run, 045-start and 050-stop), taken as a checklist: what they assert
# that this machine can do (no registry, no pods, no build, runc) was
# tried with ferry and with Podman 5.4, and where ferry differed it was
# fixed and is pinned here: {{.ID}} of inspect; --name /NAME and a
# "/NAME" given to commands and to the name filter; run --rmi's
# refusal of --rm=false and its warning for an image in use; a -w with a
# mount below it; a host port already taken; --security-opt
# no-new-privileges with a bool and --kernel-memory; containers.conf's
# oom_score_adj; the restart-policy filter; start --all and a paused
# container's start; an unknown --tz.  Each sequence is compared with the transcript
# ferry printed once it matched Podman (kept below) and, where Podman is
# installed, with Podman run live: standard output whole, the first words
# of each error line.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers

audit_hooks_for_every_test

IMG=localhost/ferry-test:latest

inspect_id_sequence() {
	local t=$1
	make_ctr "$t" c1 create -- true
	step "$t" inspect --format '{{.ID}}' "$IMG"
	step "$t" inspect --format '{{.ID}}' c1
	step "$t" image inspect --format '{{.ID}}' "$IMG"
	step "$t" container inspect --format '{{.ID | printf "%.12s"}}' c1
}

@test "inspect's templates read {{.ID}} of an image and of a container, as Podman's" {
	audit_compare_expected inspect_id_sequence <<-'EOF'
		$ inspect --format {{.ID}} localhost/ferry-test:latest -> 0
		  out: <ID>
		$ inspect --format {{.ID}} c1 -> 0
		  out: <ID>
		$ image inspect --format {{.ID}} localhost/ferry-test:latest -> 0
		  out: <ID>
		$ container inspect --format {{.ID | printf "%.12s"}} c1 -> 0
		  out: <SID>
	EOF
}

slash_name_sequence() {
	local t=$1
	step "$t" create --name /sl1 --network none "$IMG" sleep 100
	step "$t" ps -a --filter 'name=^/sl1$' --format '{{.Names}}'
	step "$t" ps -a --filter 'name=s/l1/' --format '{{.Names}}'
	step "$t" container exists /sl1
	step "$t" container exists //sl1
	step "$t" start /sl1
	step "$t" stop -t 0 /sl1
	step "$t" rename /sl1 sl2
	step "$t" rm /sl2
	step "$t" create --name sl1/ --network none "$IMG"
	step "$t" create --name sl1/bad --network none "$IMG"
}

@test "--name /NAME makes NAME, and a /NAME given to commands and to the name filter finds it, as Podman's" {
	audit_compare_expected slash_name_sequence <<-'EOF'
		$ create --name /sl1 --network none localhost/ferry-test:latest sleep 100 -> 0
		  out: <ID>
		$ ps -a --filter name=^/sl1$ --format {{.Names}} -> 0
		  out: sl1
		$ ps -a --filter name=s/l1/ --format {{.Names}} -> 0
		  out: sl1
		$ container exists /sl1 -> 0
		$ container exists //sl1 -> 1
		$ start /sl1 -> 0
		  out: sl1
		$ stop -t 0 /sl1 -> 0
		  out: sl1
		$ rename /sl1 sl2 -> 0
		$ rm /sl2 -> 0
		  out: sl2
		$ create --name sl1/ --network none localhost/ferry-test:latest -> 125
		  err: Error: running container create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument
		$ create --name sl1/bad --network none localhost/ferry-test:latest -> 125
		  err: Error: running container create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument
	EOF
}

# TOOL $1 commits an image of one name, its own, localhost/rmi1:t:
# removing it removes it.
rmi_image() {
	"$1" run --name base --network none "$IMG" touch /x >/dev/null
	"$1" commit -q base localhost/rmi1:t >/dev/null
	"$1" rm base >/dev/null
}

rmi_sequence() {
	local t=$1
	rmi_image "$t"
	step "$t" run --rmi --rm=false --network none localhost/rmi1:t true
	step "$t" run --rm=false --rmi --rm --network none localhost/rmi1:t true
	step "$t" image exists localhost/rmi1:t
	rmi_image "$t"
	"$t" create --name user --network none localhost/rmi1:t true >/dev/null
	step "$t" run --rmi --network none localhost/rmi1:t echo hi
	step "$t" image exists localhost/rmi1:t
	"$t" rm user >/dev/null
	step "$t" run --rmi --network none localhost/rmi1:t echo hi
	step "$t" image exists localhost/rmi1:t
}

@test "run --rmi refuses --rm=false, and warns when a container keeps its image, as Podman's" {
	audit_compare_expected rmi_sequence <<-'EOF'
		$ run --rmi --rm=false --network none localhost/rmi1:t true -> 125
		  err: Error: the --rmi option does not work without --rm
		$ run --rm=false --rmi --rm --network none localhost/rmi1:t true -> 0
		$ image exists localhost/rmi1:t -> 1
		$ run --rmi --network none localhost/rmi1:t echo hi -> 0
		  out: hi
		  err: time=T level=warning msg="Failed to remove image: image used by <ID>: image is in use by a container: remove the container first (ferry rm <SID>)"
		$ image exists localhost/rmi1:t -> 0
		$ run --rmi --network none localhost/rmi1:t echo hi -> 0
		  out: hi
		$ image exists localhost/rmi1:t -> 1
	EOF
}

workdir_sequence() {
	local t=$1
	echo content >"$TEST_TMP/content"
	step "$t" run --rm --network none -w /wa -v "$TEST_TMP/content:/wa/b/foo" "$IMG" pwd
	step "$t" run --rm --network none -w /wa --tmpfs /wa/t "$IMG" pwd
	step_rc "$t" run --rm --network none -w /wa -v "$TEST_TMP/content:/wab/foo" "$IMG" pwd
	step_rc "$t" run --rm --network none -w /wa/x -v "$TEST_TMP/content:/wa/foo" "$IMG" pwd
}

@test "a -w the image lacks starts when a mount lies below it, as Podman's" {
	audit_compare_expected workdir_sequence <<-'EOF'
		$ run --rm --network none -w /wa -v TMP/content:/wa/b/foo localhost/ferry-test:latest pwd -> 0
		  out: /wa
		$ run --rm --network none -w /wa --tmpfs /wa/t localhost/ferry-test:latest pwd -> 0
		  out: /wa
		$ run --rm --network none -w /wa -v TMP/content:/wab/foo localhost/ferry-test:latest pwd -> 126
		$ run --rm --network none -w /wa/x -v TMP/content:/wa/foo localhost/ferry-test:latest pwd -> 126
	EOF
}

# A host port another container of the root publishes, or a process of
# the host listens on: the tool's network made for it, its containers
# and the network removed at the end, so that the other tool gets the
# same subnet, bridge and ports.
port_sequence() {
	local t=$1 n
	n=$(net_number)
	step "$t" network create --subnet "10.207.$n.0/24" --interface-name "ftu$((n + 3000))" pn
	step "$t" run -d --rm --network pn -p "$((30000 + n)):80" --name c1ok "$IMG" sleep 100
	step "$t" run -d --network pn -p "$((30000 + n)):80" --name c2fail "$IMG" sleep 100
	step "$t" run -d --rm --network pn -p "$((30000 + n)):80" --name c3failrm "$IMG" sleep 100
	step "$t" ps -a --sort names --format '{{.Names}} {{.State}}'
	step "$t" run -d --rm --network pn -p "$((30300 + n)):80" "$IMG" sleep 100
	step "$t" run -d --rm --network pn -p "127.0.0.1:$((30300 + n)):80/udp" "$IMG" sleep 100
	"$t" rm -f -t 0 c1ok c2fail >/dev/null
	"$t" network rm pn >/dev/null
}

@test "a host port that is taken fails run with 126 in Podman's words, whoever holds it, as Podman's" {
	local n pid
	n=$(net_number)
	python3 -c '
import socket, sys, time
port = int(sys.argv[1])
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(("0.0.0.0", port)); t.listen()
u = socket.socket(type=socket.SOCK_DGRAM); u.bind(("127.0.0.1", port))
time.sleep(600)' "$((30300 + n))" "$TEST_TMP" &
	pid=$!
	sleep 0.5
	sed "s/PORT1/$((30000 + n))/g; s/PORT2/$((30300 + n))/g; s/NET/$n/g; s/BRIDGE/$((n + 3000))/g" >"$TEST_TMP/port.expected" <<-'EOF'
		$ network create --subnet 10.207.NET.0/24 --interface-name ftuBRIDGE pn -> 0
		  out: pn
		$ run -d --rm --network pn -p PORT1:80 --name c1ok localhost/ferry-test:latest sleep 100 -> 0
		  out: <ID>
		$ run -d --network pn -p PORT1:80 --name c2fail localhost/ferry-test:latest sleep 100 -> 126
		  err: Error: cannot listen on the TCP port: listen tcp4 :PORT1: bind: address already in use
		$ run -d --rm --network pn -p PORT1:80 --name c3failrm localhost/ferry-test:latest sleep 100 -> 126
		  err: Error: cannot listen on the TCP port: listen tcp4 :PORT1: bind: address already in use
		$ ps -a --sort names --format {{.Names}} {{.State}} -> 0
		  out: c1ok running
		  out: c2fail created
		$ run -d --rm --network pn -p PORT2:80 localhost/ferry-test:latest sleep 100 -> 126
		  err: Error: cannot listen on the TCP port: listen tcp4 :PORT2: bind: address already in use
		$ run -d --rm --network pn -p 127.0.0.1:PORT2:80/udp localhost/ferry-test:latest sleep 100 -> 126
		  err: Error: cannot listen on the UDP port: listen udp4 127.0.0.1:PORT2: bind: address already in use
	EOF
	# The listener is given the test's directory for teardown to end it.
	audit_compare_expected port_sequence <"$TEST_TMP/port.expected"
	kill "$pid"
}

security_sequence() {
	local t=$1 v
	for v in no-new-privileges=true no-new-privileges:true no-new-privileges=false no-new-privileges:0; do
		step "$t" run --rm --network none --security-opt "$v" "$IMG" grep NoNewPrivs /proc/self/status
	done
	step "$t" create --security-opt no-new-privileges=bogus "$IMG"
	step "$t" run --rm --network none --kernel-memory 100 "$IMG" echo ran
	step "$t" run --rmi --rm=false --kernel-memory 100 "$IMG" echo ran
}

@test "--security-opt no-new-privileges takes a bool after = or :, and --kernel-memory is a noop with a warning, as Podman's" {
	audit_compare_expected security_sequence <<-'EOF'
		$ run --rm --network none --security-opt no-new-privileges=true localhost/ferry-test:latest grep NoNewPrivs /proc/self/status -> 0
		  out: NoNewPrivs:	1
		$ run --rm --network none --security-opt no-new-privileges:true localhost/ferry-test:latest grep NoNewPrivs /proc/self/status -> 0
		  out: NoNewPrivs:	1
		$ run --rm --network none --security-opt no-new-privileges=false localhost/ferry-test:latest grep NoNewPrivs /proc/self/status -> 0
		  out: NoNewPrivs:	0
		$ run --rm --network none --security-opt no-new-privileges:0 localhost/ferry-test:latest grep NoNewPrivs /proc/self/status -> 0
		  out: NoNewPrivs:	0
		$ create --security-opt no-new-privileges=bogus localhost/ferry-test:latest -> 125
		  err: Error: invalid --security-opt 2: "no-new-privileges=bogus"
		$ run --rm --network none --kernel-memory 100 localhost/ferry-test:latest echo ran -> 0
		  out: ran
		  err: time=T level=warning msg="The --kernel-memory flag is no longer supported. This flag is a noop."
		$ run --rmi --rm=false --kernel-memory 100 localhost/ferry-test:latest echo ran -> 125
		  err: Error: the --rmi option does not work without --rm
	EOF
}

oom_sequence() {
	local t=$1
	printf '[containers]\noom_score_adj=7\n' >"$TEST_TMP/oom.conf"
	CONTAINERS_CONF_OVERRIDE=$TEST_TMP/oom.conf step "$t" run --rm --network none "$IMG" cat /proc/self/oom_score_adj
	CONTAINERS_CONF_OVERRIDE=$TEST_TMP/oom.conf step "$t" run --rm --network none --oom-score-adj 3 "$IMG" \
		cat /proc/self/oom_score_adj
	CONTAINERS_CONF_OVERRIDE=$TEST_TMP/oom.conf make_ctr "$t" o1 create -- true
	step "$t" inspect --format '{{.HostConfig.OomScoreAdj}}' o1
}

@test "containers.conf's oom_score_adj is the score of a container that gives none, as Podman's" {
	audit_compare_expected oom_sequence <<-'EOF'
		$ run --rm --network none localhost/ferry-test:latest cat /proc/self/oom_score_adj -> 0
		  out: 7
		$ run --rm --network none --oom-score-adj 3 localhost/ferry-test:latest cat /proc/self/oom_score_adj -> 0
		  out: 3
		$ inspect --format {{.HostConfig.OomScoreAdj}} o1 -> 0
		  out: 7
	EOF
}

restart_policy_sequence() {
	local t=$1
	make_ctr "$t" xnone create -- true
	make_ctr "$t" xno create --restart no -- true
	make_ctr "$t" xnever create --restart never -- true
	make_ctr "$t" xalways create --restart always -- true
	make_ctr "$t" xof create --restart on-failure:3 -- true
	make_ctr "$t" xus create --restart unless-stopped -- true
	for v in none no always on-failure unless-stopped; do
		step_sorted "$t" ps -a --filter "restart-policy=$v" --format '{{.Names}}'
	done
	step "$t" ps -a --filter restart-policy=fake
	step_sorted "$t" start --filter restart-policy=always
	step "$t" start --filter restart-policy=on-failure xof xus
	step "$t" start --filter restart-policy=none --all
	"$t" update --restart no xnone >/dev/null
	step_sorted "$t" ps -a --filter restart-policy=no --format '{{.Names}}'
}

@test "the restart-policy filter of ps and start tells none from no, as Podman's" {
	audit_compare_expected restart_policy_sequence <<-'EOF'
		$ ps -a --filter restart-policy=none --format {{.Names}} -> 0
		  out: xnone
		$ ps -a --filter restart-policy=no --format {{.Names}} -> 0
		  out: xnever
		  out: xno
		$ ps -a --filter restart-policy=always --format {{.Names}} -> 0
		  out: xalways
		$ ps -a --filter restart-policy=on-failure --format {{.Names}} -> 0
		  out: xof
		$ ps -a --filter restart-policy=unless-stopped --format {{.Names}} -> 0
		  out: xus
		$ ps -a --filter restart-policy=fake -> 125
		  err: Error: fake invalid restart policy
		$ start --filter restart-policy=always -> 0
		  out: <ID>
		$ start --filter restart-policy=on-failure xof xus -> 0
		  out: xof
		$ start --filter restart-policy=none --all -> 0
		  out: <ID>
		$ ps -a --filter restart-policy=no --format {{.Names}} -> 0
		  out: xnever
		  out: xno
		  out: xnone
	EOF
}

start_all_sequence() {
	local t=$1
	make_ctr "$t" r1 run -- sleep 100
	make_ctr "$t" c1 run -- true
	step "$t" wait c1
	step "$t" start --all
	step "$t" wait c1
	step "$t" start --all c1
	"$t" pause r1 >/dev/null
	step "$t" start r1
	step "$t" start --all
	"$t" wait c1 >/dev/null
	"$t" unpause r1 >/dev/null
}

@test "start --all passes over running containers, and start refuses a paused one, as Podman's" {
	audit_compare_expected start_all_sequence <<-'EOF'
		$ wait c1 -> 0
		  out: 0
		$ start --all -> 0
		  out: <ID>
		$ wait c1 -> 0
		  out: 0
		$ start --all c1 -> 125
		  err: Error: either start all containers or the container(s) provided in the arguments
		$ start r1 -> 125
		  err: Error: unable to start container "<ID>": container <ID> must be in Created or Stopped state to be started: container state improper
		$ start --all -> 125
		  out: <ID>
		  err: Error: unable to start container "<ID>": container <ID> must be in Created or Stopped state to be started: container state improper
	EOF
}

tz_sequence() {
	local t=$1
	step "$t" create --tz Bogus/Zone "$IMG"
	step "$t" run --rm --network none --tz America/New_York "$IMG" date -d @0 +%Z
}

@test "an unknown --tz is refused in Podman's first words" {
	audit_compare_expected tz_sequence <<-'EOF'
		$ create --tz Bogus/Zone localhost/ferry-test:latest -> 125
		  err: Error: running container create option: finding timezone: unknown time zone Bogus/Zone: use a zone of /usr/share/zoneinfo such as Europe/Paris, or local
		$ run --rm --network none --tz America/New_York localhost/ferry-test:latest date -d @0 +%Z -> 0
		  out: EST
	EOF
}

empty_name_sequence() {
	local t=$1
	step "$t" container exists ""
	step "$t" stop ""
	step "$t" rm -f ""
	step "$t" logs ""
	step "$t" inspect ""
	step "$t" container inspect ""
	step "$t" rm /
	step "$t" inspect /
	step "$t" rm /nosuch
}

@test "an empty name is refused before any lookup, and a /NAME not found is named without its slash, as Podman's" {
	audit_compare_expected empty_name_sequence <<-'EOF'
		$ container exists  -> 125
		  err: Error: name or ID cannot be empty
		$ stop  -> 125
		  err: Error: name or ID cannot be empty
		$ rm -f  -> 125
		  err: Error: name or ID cannot be empty
		$ logs  -> 125
		  err: Error: name or ID cannot be empty
		$ inspect  -> 125
		  err: Error: name or ID cannot be empty
		$ container inspect  -> 125
		  err: Error: name or ID cannot be empty
		$ rm / -> 125
		  err: Error: name or ID cannot be empty
		$ inspect / -> 125
		  out: []
		  err: Error: no such object: "/"
		$ rm /nosuch -> 1
		  err: Error: no container with ID or name "nosuch" found: no such container
	EOF
}

container_mode_sequence() {
	local t=$1 flag
	for flag in --cgroupns --ipc --pid --uts --network; do
		step "$t" create "$flag" container: "$IMG" true
	done
}

@test "a container: namespace mode without a name is refused in Podman's words, whichever the namespace" {
	audit_compare_expected container_mode_sequence <<-'EOF'
		$ create --cgroupns container: localhost/ferry-test:latest true -> 125
		  err: Error: invalid config provided: namespace mode container requires a value: give --cgroupns container:NAME
		$ create --ipc container: localhost/ferry-test:latest true -> 125
		  err: Error: invalid config provided: namespace mode container requires a value: give --ipc container:NAME
		$ create --pid container: localhost/ferry-test:latest true -> 125
		  err: Error: invalid config provided: namespace mode container requires a value: give --pid container:NAME
		$ create --uts container: localhost/ferry-test:latest true -> 125
		  err: Error: invalid config provided: namespace mode container requires a value: give --uts container:NAME
		$ create --network container: localhost/ferry-test:latest true -> 125
		  err: Error: invalid config provided: namespace mode container requires a value: give --network container:NAME
	EOF
}
