#!/usr/bin/env bats
# What the eleventh round of comparing ferry with Podman 5.4 found ferry
# doing differently, now fixed: kill's signal names (the real-time ones,
# a leading dash), history's {{json .}}, wait's conditions and intervals,
# exec's runtime failures (Podman's "OCI runtime error", 255 attached),
# variables without a name, exec's checks of the container before its
# --detach-keys, exec -t without a terminal, exec's booleans, rename and
# commit looking up the container first, diff of an image or of two,
# port's refusal of three arguments, update's flags after the container,
# clone --force alone, load of a file that holds no image, inspect
# --latest and --type pod, a short flag's value after = (-e=A=1).  Each
# sequence is compared with the transcript ferry printed once it matched
# Podman (kept below) and, where Podman is installed, with Podman run
# live: standard output whole, the first words of each error line.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers

audit_hooks_for_every_test

kill_signals_sequence() {
	local t=$1 img=localhost/ferry-test:latest s
	# A shell that traps nothing, PID 1 of its container: the kernel drops
	# every signal sent to it but KILL and STOP, so each kill below leaves
	# it running and only the answer is compared.
	step "$t" run -d --name k1 "$img" sleep 1000
	for s in RTMIN rtmin+1 SIGRTMIN+15 RTMIN+16 RTMAX-14 sigrtmax-1 RTMAX RTMAX-15 RTMIN+0 RTMAX- \
		-1 -SIGHUP -hup --1 IOT CLD POLL STKFLT 0 65 -65 SIGBOGUS; do
		step "$t" kill -s "$s" k1
	done
	step "$t" inspect --format '{{.State.Status}}' k1
}

@test "kill -s takes Podman's signal names (RTMIN, RTMIN+1 to +15, RTMAX-14 to RTMAX, IOT, CLD, POLL, STKFLT) and drops one leading dash; others in Podman's words" {
	audit_compare_expected kill_signals_sequence <<-'EOF'
		$ run -d --name k1 localhost/ferry-test:latest sleep 1000 -> 0
		  out: <ID>
		$ kill -s RTMIN k1 -> 0
		  out: k1
		$ kill -s rtmin+1 k1 -> 0
		  out: k1
		$ kill -s SIGRTMIN+15 k1 -> 0
		  out: k1
		$ kill -s RTMIN+16 k1 -> 125
		  err: Error: invalid signal: RTMIN+16
		$ kill -s RTMAX-14 k1 -> 0
		  out: k1
		$ kill -s sigrtmax-1 k1 -> 0
		  out: k1
		$ kill -s RTMAX k1 -> 0
		  out: k1
		$ kill -s RTMAX-15 k1 -> 125
		  err: Error: invalid signal: RTMAX-15
		$ kill -s RTMIN+0 k1 -> 125
		  err: Error: invalid signal: RTMIN+0
		$ kill -s RTMAX- k1 -> 125
		  err: Error: invalid signal: RTMAX-
		$ kill -s -1 k1 -> 0
		  out: k1
		$ kill -s -SIGHUP k1 -> 0
		  out: k1
		$ kill -s -hup k1 -> 0
		  out: k1
		$ kill -s --1 k1 -> 125
		  err: Error: valid signals are 1 through 64
		$ kill -s IOT k1 -> 0
		  out: k1
		$ kill -s CLD k1 -> 0
		  out: k1
		$ kill -s POLL k1 -> 0
		  out: k1
		$ kill -s STKFLT k1 -> 0
		  out: k1
		$ kill -s 0 k1 -> 125
		  err: Error: invalid signal: 0
		$ kill -s 65 k1 -> 125
		  err: Error: valid signals are 1 through 64
		$ kill -s -65 k1 -> 125
		  err: Error: valid signals are 1 through 64
		$ kill -s SIGBOGUS k1 -> 125
		  err: Error: invalid signal: SIGBOGUS
		$ inspect --format {{.State.Status}} k1 -> 0
		  out: running
	EOF
}

history_json_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" history --format '{{json .}}' "$img"
	step "$t" history --no-trunc -H=false --format '{{json .}}' "$img"
	step "$t" history --format '{{.ID}} {{.Size}}' "$img"
	step "$t" history --format '{{.id}}' "$img"
}

@test "history --format '{{json .}}' writes Podman's layer report (its JSON names, the whole ID, the size in bytes), whatever --no-trunc and --human say" {
	audit_compare_expected history_json_sequence <<-'EOF'
		$ history --format {{json .}} localhost/ferry-test:latest -> 0
		  out: {"id":"<ID>","created":"1970-01-01T00:00:00Z","CreatedBy":"/bin/sh -c #(nop) CMD [\"/bin/sh\"]","tags":["localhost/ferry-test:latest"],"size":0}
		  out: {"id":"<missing>","created":"1970-01-01T00:00:00Z","CreatedBy":"TOOL build-test-image: whiteouts, opaque dir, /etc/ferry-release (layer 2)","tags":["localhost/ferry-test:latest"],"size":10240}
		  out: {"id":"<missing>","created":"1970-01-01T00:00:00Z","CreatedBy":"TOOL build-test-image: busybox base (layer 1)","size":2140160}
		$ history --no-trunc -H=false --format {{json .}} localhost/ferry-test:latest -> 0
		  out: {"id":"<ID>","created":"1970-01-01T00:00:00Z","CreatedBy":"/bin/sh -c #(nop) CMD [\"/bin/sh\"]","tags":["localhost/ferry-test:latest"],"size":0}
		  out: {"id":"<missing>","created":"1970-01-01T00:00:00Z","CreatedBy":"TOOL build-test-image: whiteouts, opaque dir, /etc/ferry-release (layer 2)","tags":["localhost/ferry-test:latest"],"size":10240}
		  out: {"id":"<missing>","created":"1970-01-01T00:00:00Z","CreatedBy":"TOOL build-test-image: busybox base (layer 1)","size":2140160}
		$ history --format {{.ID}} {{.Size}} localhost/ferry-test:latest -> 0
		  out: <SID> 0B
		  out: <missing> 10.2kB
		  out: <missing> 2.14MB
		$ history --format {{.id}} localhost/ferry-test:latest -> 125
		  err: Error: template: history:1:13: executing "history" at <.id>: can't evaluate field id in type images.historyReporter
	EOF
}

wait_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" run --name w1 "$img" sh -c 'exit 5'
	step "$t" run -d --name w2 "$img" sleep 1000
	step "$t" wait --condition stopping w1
	step "$t" wait --condition removing,exited w1
	step "$t" wait --condition unknown --condition running w2
	step "$t" wait --condition configured w1
	step "$t" wait --interval -1 w1
	step "$t" wait -i -5ms w1
	step "$t" wait -i 1h2 w1
	step "$t" wait -i -1x w1
	step "$t" wait -i 1.5.5 w1
	step "$t" wait -i '' w1
}

@test "wait --condition takes Podman's states (removing and unknown, not stopping), and --interval a negative time, a number with a fraction or after units as milliseconds, others refused in Go's words" {
	audit_compare_expected wait_sequence <<-'EOF'
		$ run --name w1 localhost/ferry-test:latest sh -c exit 5 -> 5
		$ run -d --name w2 localhost/ferry-test:latest sleep 1000 -> 0
		  out: <ID>
		$ wait --condition stopping w1 -> 125
		  err: Error: unknown container state: stopping: invalid argument
		$ wait --condition removing,exited w1 -> 0
		  out: 5
		$ wait --condition unknown --condition running w2 -> 0
		  out: -1
		$ wait --condition configured w1 -> 125
		  err: Error: unknown container state: configured: invalid argument
		$ wait --interval -1 w1 -> 0
		  out: 5
		$ wait -i -5ms w1 -> 0
		  out: 5
		$ wait -i 1h2 w1 -> 0
		  out: 5
		$ wait -i -1x w1 -> 125
		  err: Error: time: unknown unit "x" in duration "-1x"
		$ wait -i 1.5.5 w1 -> 125
		  err: Error: time: missing unit in duration "1.5.5"
		$ wait -i  w1 -> 125
		  err: Error: time: invalid duration ""
	EOF
}

exec_errors_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	printf 'A=1\n=x\n' >"$TEST_TMP/env"
	step "$t" run -d --name x1 "$img" sleep 1000
	step "$t" exec -w relative x1 pwd
	step "$t" exec -w /etc/passwd x1 pwd
	step "$t" exec -d -w relative x1 pwd
	step "$t" exec -w /nosuch x1 pwd
	step "$t" exec -e =x x1 true
	step "$t" exec -e A=1 -e = x1 true
	step "$t" exec -d -e =x x1 true
	step "$t" exec --env-file "$TEST_TMP/env" x1 true
	step "$t" run --name x2 -e =x "$img" true
	step "$t" create --name x3 -e =x "$img" true
	step "$t" create --name x4 --env-file "$TEST_TMP/env" "$img" true
	step "$t" ps -a --format '{{.Names}}'
}

@test "exec: a process the runtime will not start is Podman's \"OCI runtime error\" (255 attached, 125 with -d); a variable without a name is refused before anything runs or is made, by exec, run and create" {
	audit_compare_expected exec_errors_sequence <<-'EOF'
		$ run -d --name x1 localhost/ferry-test:latest sleep 1000 -> 0
		  out: <ID>
		$ exec -w relative x1 pwd -> 255
		  err: Error: OCI runtime error: runc: exec failed: Cwd must be an absolute path
		$ exec -w /etc/passwd x1 pwd -> 255
		  err: Error: OCI runtime error: runc: exec failed: unable to start container process: chdir to cwd ("/etc/passwd") set in config.json failed: not a directory
		$ exec -d -w relative x1 pwd -> 125
		  err: Error: OCI runtime error: runc: exec failed: Cwd must be an absolute path
		$ exec -w /nosuch x1 pwd -> 127
		  err: Error: runc: exec failed: unable to start container process: chdir to cwd ("/nosuch") set in config.json failed: no such file or directory: OCI runtime attempted to invoke a command that was not found
		$ exec -e =x x1 true -> 125
		  err: Error: parsing environment variables: invalid variable: "=x": give the variable a name, NAME=VALUE
		$ exec -e A=1 -e = x1 true -> 125
		  err: Error: parsing environment variables: invalid variable: "=": give the variable a name, NAME=VALUE
		$ exec -d -e =x x1 true -> 125
		  err: Error: parsing environment variables: invalid variable: "=x": give the variable a name, NAME=VALUE
		$ exec --env-file TMP/env x1 true -> 125
		  err: Error: parsing file "TMP/env": invalid variable: "=x": give the variable a name, NAME=VALUE
		$ run --name x2 -e =x localhost/ferry-test:latest true -> 125
		  err: Error: invalid variable: "=x": give the variable a name, NAME=VALUE
		$ create --name x3 -e =x localhost/ferry-test:latest true -> 125
		  err: Error: invalid variable: "=x": give the variable a name, NAME=VALUE
		$ create --name x4 --env-file TMP/env localhost/ferry-test:latest true -> 125
		  err: Error: parsing file "TMP/env": invalid variable: "=x": give the variable a name, NAME=VALUE
		$ ps -a --format {{.Names}} -> 0
		  out: x1
	EOF
}

rename_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" create --name r1 "$img" true
	step "$t" rename nosuch _r
	step "$t" rename nosuch .r
	step "$t" rename r1 _r
	step "$t" rename r1 r2
	step "$t" ps -a --format '{{.Names}}'
}

@test "rename looks up the container before it checks the new name, as Podman" {
	audit_compare_expected rename_sequence <<-'EOF'
		$ create --name r1 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ rename nosuch _r -> 125
		  err: Error: no container with name or ID "nosuch" found: no such container
		$ rename nosuch .r -> 125
		  err: Error: no container with name or ID "nosuch" found: no such container
		$ rename r1 _r -> 125
		  err: Error: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument
		$ rename r1 r2 -> 0
		$ ps -a --format {{.Names}} -> 0
		  out: r2
	EOF
}

# Names with a letter that is no hex digit: Podman takes a name that
# could be the start of an ID ("d1") for an image whose ID starts so.
diff_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" run --name dx1 "$img" sh -c 'echo x >/newf; mkdir -p /tmp/a/b; echo y >/tmp/a/b/c; rm /bin/true'
	step "$t" commit -q dx1 localhost/img2
	step "$t" diff dx1
	step "$t" diff "$img"
	step "$t" diff --format json "$img"
	step "$t" diff dx1 "$img"
	step "$t" diff --format json dx1 "$img"
	step "$t" diff dx1 dx1
	step "$t" diff "$img" "$img"
	step "$t" diff localhost/img2 "$img"
	step "$t" image diff localhost/img2
	step "$t" image diff localhost/img2 "$img"
	step "$t" image diff "$img" "$img"
	step "$t" container diff dx1 dx1
	step "$t" container diff dx1 "$img"
	step "$t" container diff "$img"
	step "$t" image diff "$img" dx1
	step "$t" diff nosuch
	step "$t" diff dx1 nosuch
	step "$t" diff a b c
	step "$t" image diff a b c
}

@test "diff takes an image (its top layer's changes) and a second name, the first's parent or itself; container diff and image diff look for their own kind alone; the files the engine puts in containers are left out of an image's changes too" {
	audit_compare_expected diff_sequence <<-'EOF'
		$ run --name dx1 localhost/ferry-test:latest sh -c echo x >/newf; mkdir -p /tmp/a/b; echo y >/tmp/a/b/c; rm /bin/true -> 0
		$ commit -q dx1 localhost/img2 -> 0
		  out: <ID>
		$ diff dx1 -> 0
		  out: C /bin
		  out: D /bin/true
		  out: C /etc
		  out: A /newf
		  out: C /tmp
		  out: A /tmp/a
		  out: A /tmp/a/b
		  out: A /tmp/a/b/c
		$ diff localhost/ferry-test:latest -> 0
		  out: C /etc
		  out: A /etc/ferry-release
		  out: D /etc/removed-by-layer2
		  out: C /opt
		  out: D /opt/olddir
		  out: A /opt/olddir/new
		$ diff --format json localhost/ferry-test:latest -> 0
		  out: {
		  out:      "changed": [
		  out:           "/etc",
		  out:           "/opt"
		  out:      ],
		  out:      "added": [
		  out:           "/etc/ferry-release",
		  out:           "/opt/olddir/new"
		  out:      ],
		  out:      "deleted": [
		  out:           "/etc/removed-by-layer2",
		  out:           "/opt/olddir"
		  out:      ]
		  out: }
		$ diff dx1 localhost/ferry-test:latest -> 0
		  out: C /bin
		  out: D /bin/true
		  out: C /etc
		  out: A /newf
		  out: C /tmp
		  out: A /tmp/a
		  out: A /tmp/a/b
		  out: A /tmp/a/b/c
		$ diff --format json dx1 localhost/ferry-test:latest -> 0
		  out: {
		  out:      "changed": [
		  out:           "/bin",
		  out:           "/etc",
		  out:           "/tmp"
		  out:      ],
		  out:      "added": [
		  out:           "/newf",
		  out:           "/tmp/a",
		  out:           "/tmp/a/b",
		  out:           "/tmp/a/b/c"
		  out:      ],
		  out:      "deleted": [
		  out:           "/bin/true"
		  out:      ]
		  out: }
		$ diff dx1 dx1 -> 0
		$ diff localhost/ferry-test:latest localhost/ferry-test:latest -> 0
		$ diff localhost/img2 localhost/ferry-test:latest -> 0
		  out: C /bin
		  out: D /bin/true
		  out: C /etc
		  out: A /newf
		  out: C /tmp
		  out: A /tmp/a
		  out: A /tmp/a/b
		  out: A /tmp/a/b/c
		$ image diff localhost/img2 -> 0
		  out: C /bin
		  out: D /bin/true
		  out: C /etc
		  out: A /newf
		  out: C /tmp
		  out: A /tmp/a
		  out: A /tmp/a/b
		  out: A /tmp/a/b/c
		$ image diff localhost/img2 localhost/ferry-test:latest -> 0
		  out: C /bin
		  out: D /bin/true
		  out: C /etc
		  out: A /newf
		  out: C /tmp
		  out: A /tmp/a
		  out: A /tmp/a/b
		  out: A /tmp/a/b/c
		$ image diff localhost/ferry-test:latest localhost/ferry-test:latest -> 0
		$ container diff dx1 dx1 -> 0
		$ container diff dx1 localhost/ferry-test:latest -> 125
		  err: Error: localhost/ferry-test:latest not found: container not known: give the name or ID of a container
		$ container diff localhost/ferry-test:latest -> 125
		  err: Error: localhost/ferry-test:latest not found: container not known: give the name or ID of a container
		$ image diff localhost/ferry-test:latest dx1 -> 125
		  err: Error: dx1 not found: dx1: image not known
		$ diff nosuch -> 125
		  err: Error: nosuch not found: layer not known: give the name or ID of a container or an image
		$ diff dx1 nosuch -> 125
		  err: Error: nosuch not found: layer not known: give the name or ID of a container or an image
		$ diff a b c -> 125
		  err: Error: accepts between 1 and 2 arg(s), received 3
		$ image diff a b c -> 125
		  err: Error: accepts between 1 and 2 arg(s), received 3
	EOF
}

order_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" create --name o1 "$img" true
	step "$t" run -d --name o2 "$img" sleep 1000
	step "$t" exec --detach-keys bogus nosuch true
	step "$t" exec --detach-keys bogus o1 true
	step "$t" exec -d --detach-keys bogus o1 true
	step "$t" exec --detach-keys bogus o2 true
	step "$t" exec --detach-keys ctrl-a o2 echo ok
	step "$t" port o2 80 81
	step "$t" port -a o2
}

@test "exec says a missing or stopped container before bad --detach-keys, and port of three arguments refuses in Podman's words" {
	audit_compare_expected order_sequence <<-'EOF'
		$ create --name o1 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ run -d --name o2 localhost/ferry-test:latest sleep 1000 -> 0
		  out: <ID>
		$ exec --detach-keys bogus nosuch true -> 125
		  err: Error: no container with name or ID "nosuch" found: no such container
		$ exec --detach-keys bogus o1 true -> 255
		  err: Error: can only create exec sessions on running containers: container state improper
		$ exec -d --detach-keys bogus o1 true -> 125
		  err: Error: can only create exec sessions on running containers: container state improper
		$ exec --detach-keys bogus o2 true -> 255
		  err: Error: invalid detach keys: Unknown character: 'bogus'
		$ exec --detach-keys ctrl-a o2 echo ok -> 0
		  out: ok
		$ port o2 80 81 -> 125
		  err: Error: `port` accepts at most 2 arguments: ferry port CONTAINER [PORT[/PROTO]]
		$ port -a o2 -> 125
		  err: Error: no arguments are needed with --all
	EOF
}

# A transcript's output without the carriage returns of a terminal.
strip_cr() {
	tr -d '\r' <"$1"
}

exec_flags_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" run -d --name ex1 "$img" sleep 1000
	# Without a terminal on standard input, -t still gives the command one.
	{
		_step strip_cr "$t" exec -t ex1 sh -c 'tty >/dev/null && echo terminal; exit 3'
		_step strip_cr "$t" exec --tty=true ex1 sh -c 'echo err >&2'
	} </dev/null
	step "$t" exec --privileged=false --tty=false --interactive=false --detach=false ex1 echo ok
	step "$t" exec --latest=false ex1 echo ok
	step "$t" exec --privileged=bogus ex1 true
	step "$t" exec --preserve-fds -1 ex1 true
	step "$t" exec --preserve-fds x ex1 true
	step "$t" run --preserve-fds x "$img" true
}

@test "exec -t without a terminal on standard input gives the command one, as Podman's; exec's booleans take =true and =false, --preserve-fds a number in cobra's words" {
	audit_compare_expected exec_flags_sequence <<-'EOF'
		$ run -d --name ex1 localhost/ferry-test:latest sleep 1000 -> 0
		  out: <ID>
		$ exec -t ex1 sh -c tty >/dev/null && echo terminal; exit 3 -> 3
		  out: terminal
		$ exec --tty=true ex1 sh -c echo err >&2 -> 0
		  out: err
		$ exec --privileged=false --tty=false --interactive=false --detach=false ex1 echo ok -> 0
		  out: ok
		$ exec --latest=false ex1 echo ok -> 0
		  out: ok
		$ exec --privileged=bogus ex1 true -> 125
		  err: Error: invalid argument "bogus" for "--privileged" flag: strconv.ParseBool: parsing "bogus": invalid syntax
		  err: See 'ferry exec --help'
		$ exec --preserve-fds -1 ex1 true -> 125
		  err: Error: invalid argument "-1" for "--preserve-fds" flag: strconv.ParseUint: parsing "-1": invalid syntax
		  err: See 'ferry exec --help'
		$ exec --preserve-fds x ex1 true -> 125
		  err: Error: invalid argument "x" for "--preserve-fds" flag: strconv.ParseUint: parsing "x": invalid syntax
		  err: See 'ferry exec --help'
		$ run --preserve-fds x localhost/ferry-test:latest true -> 125
		  err: Error: invalid argument "x" for "--preserve-fds" flag: strconv.ParseUint: parsing "x": invalid syntax
		  err: See 'ferry run --help'
	EOF
}

update_clone_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" create --name u1 "$img" true
	step "$t" update nosuch --memory 1g
	step "$t" update u1 --memory 64m --pids-limit 50
	step "$t" inspect --format '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}' u1
	step "$t" container clone -f u1 u2
	step "$t" container clone --force u1
	step "$t" ps -a --format '{{.Names}}'
}

@test "update takes its flags after the container too, as Podman's; container clone refuses --force without --destroy in Podman's words, making nothing" {
	audit_compare_expected update_clone_sequence <<-'EOF'
		$ create --name u1 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ update nosuch --memory 1g -> 125
		  err: Error: no container with name or ID "nosuch" found: no such container
		$ update u1 --memory 64m --pids-limit 50 -> 0
		  out: <ID>
		$ inspect --format {{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} u1 -> 0
		  out: 67108864 50
		$ container clone -f u1 u2 -> 125
		  err: Error: cannot set --force without --destroy: invalid argument
		$ container clone --force u1 -> 125
		  err: Error: cannot set --force without --destroy: invalid argument
		$ ps -a --format {{.Names}} -> 0
		  out: u1
	EOF
}

@test "load of a file that holds no image (junk, an empty file, a tar of other files) starts its one-line error with Podman's words, storing nothing" {
	local want="Error: payload does not match any of the supported image formats:" file
	printf 'junk\n' >"$TEST_TMP/junk.tar"
	: >"$TEST_TMP/empty.tar"
	echo x >"$TEST_TMP/x.txt"
	tar cf "$TEST_TMP/other.tar" -C "$TEST_TMP" x.txt
	for file in junk empty other; do
		run_ferry load -i "$TEST_TMP/$file.tar"
		assert_status 125
		assert_one_line_error
		[[ "$output" == "$want "* ]]
		assert_store_empty
	done
	need_podman
	for file in junk empty other; do
		run podman_t load -i "$TEST_TMP/$file.tar"
		assert_status 125
		[ "${lines[0]}" = "$want" ]
	done
}

commit_change_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" create --name m1 "$img" true
	step "$t" commit -c 'BOGUS x' nosuch localhost/m2
	step "$t" commit -c 'BOGUS x' m1 localhost/m2
	step "$t" images --format '{{.Repository}}'
}

@test "commit looks up the container before it reads --change, and a change it does not understand is refused in Podman's words, storing nothing" {
	audit_compare_expected commit_change_sequence <<-'EOF'
		$ create --name m1 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ commit -c BOGUS x nosuch localhost/m2 -> 125
		  err: Error: no container with name or ID "nosuch" found: no such container
		$ commit -c BOGUS x m1 localhost/m2 -> 125
		  err: Error: copying layers and metadata for container "<ID>": applying changes: processing change "BOGUS x": did not understand change instruction "BOGUS x"
		$ images --format {{.Repository}} -> 0
		  out: localhost/ferry-test
	EOF
}

inspect_latest_sequence() {
	local t=$1
	step "$t" inspect -l
	step "$t" container inspect -l --format '{{.Name}}'
	step "$t" inspect --type volume -l
	step "$t" inspect --type network -l --format '{{.Name}}'
	step "$t" inspect --type image -l
	step "$t" inspect --type pod -l
	step "$t" inspect --type pod px py
	step "$t" inspect --type pod --format '{{.Name}}' px
}

@test "inspect --latest without containers prints Podman's empty list and words, of volumes and networks nothing; --type pod finds none, in Podman's words" {
	audit_compare_expected inspect_latest_sequence <<-'EOF'
		$ inspect -l -> 125
		  out: []
		  err: Error: no containers to inspect: no such container
		$ container inspect -l --format {{.Name}} -> 125
		  err: Error: no containers to inspect: no such container
		$ inspect --type volume -l -> 0
		  out: []
		$ inspect --type network -l --format {{.Name}} -> 0
		$ inspect --type image -l -> 125
		  err: Error: latest is not supported for type "image"
		$ inspect --type pod -l -> 125
		  err: Error: no such pod
		$ inspect --type pod px py -> 125
		  out: []
		  err: no such pod py
		  err: Error: no such pod px
		$ inspect --type pod --format {{.Name}} px -> 125
		  err: Error: no such pod px
	EOF
}

short_values_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" run --rm -e=A=1 "$img" sh -c 'echo "[$A]"'
	step "$t" run --rm -w=/tmp "$img" pwd
	step "$t" run --rm -d=false "$img" echo ok
	step "$t" run -d=true --name sv1 "$img" sleep 1000
	step "$t" exec -i=false -t=false -e=B=2 sv1 sh -c 'echo "$B"'
	step "$t" exec sv1 sh -c 'echo -e=x'
	step "$t" stop -t=0 sv1
	step "$t" ps -a --format '{{.Names}} {{.State}}'
}

@test "a short flag given its value after = (-e=A=1, -w=/tmp, -d=false) reads as Podman's parser reads it, the command's own arguments left alone" {
	audit_compare_expected short_values_sequence <<-'EOF'
		$ run --rm -e=A=1 localhost/ferry-test:latest sh -c echo "[$A]" -> 0
		  out: [1]
		$ run --rm -w=/tmp localhost/ferry-test:latest pwd -> 0
		  out: /tmp
		$ run --rm -d=false localhost/ferry-test:latest echo ok -> 0
		  out: ok
		$ run -d=true --name sv1 localhost/ferry-test:latest sleep 1000 -> 0
		  out: <ID>
		$ exec -i=false -t=false -e=B=2 sv1 sh -c echo "$B" -> 0
		  out: 2
		$ exec sv1 sh -c echo -e=x -> 0
		  out: -e=x
		$ stop -t=0 sv1 -> 0
		  out: sv1
		$ ps -a --format {{.Names}} {{.State}} -> 0
		  out: sv1 exited
	EOF
}
