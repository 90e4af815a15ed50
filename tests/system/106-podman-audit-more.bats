#!/usr/bin/env bats
# More of what tests/lib/compare-podman.sh found ferry doing differently
# from Podman 5.4, now fixed: template errors named and placed as Go's
# ("template: ps:1:13: executing ..."), top handing descriptors it does not
# know to ps(1), network connect and disconnect of a container off bridge
# networks, stop of a paused container, and the everyday sequences added
# to the comparison since.  Each sequence is compared with the transcript
# ferry printed once it matched Podman (kept below) and, where Podman is
# installed, with Podman run live: standard output whole, the first words
# of each error line.

load helpers
load podman-helpers

podman_file_locks_for_every_test

# Bridge ftu<N>, subnet 10.212.<N>.0/24 (scripts/test.sh's leftovers check
# knows them).
teardown() {
	local n
	n=$(net_number)
	if [ -d "${ROOT:-/nonexistent}" ]; then f rm -af -t 0 >/dev/null 2>&1 || true; fi
	podman_teardown
	ip link del "ftu$n" 2>/dev/null || true
	ferry_teardown
}

# Transcript $1 as compared live: errors cut to their first three words
# (the rest is each tool's wording of the cause), the tool's name in a
# "See 'podman ps --help'" line as TOOL, blank output lines left out, and
# an error after output that did not end its line on a line of its own.
live_form() {
	grep -v '^  out: *$' "$1" | sed -E -e "s/^  err: See '(podman|ferry) /  err: See 'TOOL /" \
		-e 's/^(  out: .*)(  err: Error: .*)$/\1\n\2/' |
		awk '/^  err: / { print $1, $2, $3, $4; next } 1'
}

# Runs sequence function $1 with ferry, compares it with the expected
# transcript on stdin, then runs it with Podman where Podman is installed.
compare_with_podman() {
	local seq=$1
	cat >"$TEST_TMP/expected.log"
	N=$(net_number)
	load_test_image
	for t in f podman_t; do
		printf 's/10\\.212\\.%s\\./10.212.N./g\ns/ftu%s\\b/ftuN/g\n' "$N" "$N" >"$TEST_TMP/$t.sed"
		echo 's/"\(podman\|ferry\) /"TOOL /g' >>"$TEST_TMP/$t.sed"
		echo 's/\b[0-9a-f]\{64\}\b/<ID>/g' >>"$TEST_TMP/$t.sed"
	done
	audit_compare "$seq"
}

connect_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" network create --subnet "10.212.$N.0/24" --interface-name "ftu$N" n1
	step "$t" create --network none --name c1 "$img" true
	step "$t" network connect nosuch c1
	step "$t" network connect n1 c1
	step "$t" network disconnect nosuch c1
	step "$t" network disconnect n1 c1
	step "$t" create --network host --name c2 "$img" true
	step "$t" network connect n1 c2
	step "$t" network disconnect n1 c2
	step "$t" rm c1
	step "$t" rm c2
	step "$t" network rm n1
}

@test "network connect and disconnect of a container off bridge networks: refused before the network is looked up, in Podman's words" {
	compare_with_podman connect_sequence <<-'EOF'
		$ network create --subnet 10.212.N.0/24 --interface-name ftuN n1 -> 0
		  out: n1
		$ create --network none --name c1 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ network connect nosuch c1 -> 125
		  err: Error: "" is not supported: invalid network mode: container c1 runs with --network none, and only a container on bridge networks can join or leave one
		$ network connect n1 c1 -> 125
		  err: Error: "" is not supported: invalid network mode: container c1 runs with --network none, and only a container on bridge networks can join or leave one
		$ network disconnect nosuch c1 -> 125
		  err: Error: "" is not supported: invalid network mode: container c1 runs with --network none, and only a container on bridge networks can join or leave one
		$ network disconnect n1 c1 -> 125
		  err: Error: "" is not supported: invalid network mode: container c1 runs with --network none, and only a container on bridge networks can join or leave one
		$ create --network host --name c2 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ network connect n1 c2 -> 125
		  err: Error: "" is not supported: invalid network mode: container c2 runs with --network host, and only a container on bridge networks can join or leave one
		$ network disconnect n1 c2 -> 125
		  err: Error: "" is not supported: invalid network mode: container c2 runs with --network host, and only a container on bridge networks can join or leave one
		$ rm c1 -> 0
		  out: c1
		$ rm c2 -> 0
		  out: c2
		$ network rm n1 -> 0
		  out: n1
	EOF
}

top_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" create --network none --name c1 "$img" sleep 100
	step "$t" top c1 bogus
	step "$t" run -d --network none --name c2 "$img" sleep 100
	step "$t" top c2 bogus
	step "$t" top c2 pid,bogus
	step "$t" top c2 -o bogus
	step "$t" top c2 -o comm
	step "$t" top c2 pid comm
	step "$t" top c2 capeff,capbnd capamb
	step "$t" top c2 label pid
	step "$t" top nosuch -ef
	step_sorted "$t" rm -f -t 0 c1 c2
}

@test "top: capabilities and labels as Podman's, descriptors it does not know go to ps(1), whose complaint is the error" {
	command -v ps >/dev/null || skip "ps(1) is not installed"
	compare_with_podman top_sequence <<-'EOF'
		$ create --network none --name c1 localhost/ferry-test:latest sleep 100 -> 0
		  out: <ID>
		$ top c1 bogus -> 125
		  err: Error: top can only be used on running containers
		$ run -d --network none --name c2 localhost/ferry-test:latest sleep 100 -> 0
		  out: <ID>
		$ top c2 bogus -> 125
		  err: Error: ps(1) failed with exit code 1: error: unsupported option (BSD syntax)
		  err: 
		  err: Usage:
		  err:  ps [options]
		  err: 
		  err:  Try 'ps --help <simple|list|output|threads|misc|all>'
		  err:   or 'ps --help <s|l|o|t|m|a>'
		  err:  for additional help text.
		  err: 
		  err: For more details see ps(1).
		  err: 
		$ top c2 pid,bogus -> 125
		  err: Error: ps(1) failed with exit code 1: error: process ID list syntax error
		  err: 
		  err: Usage:
		  err:  ps [options]
		  err: 
		  err:  Try 'ps --help <simple|list|output|threads|misc|all>'
		  err:   or 'ps --help <s|l|o|t|m|a>'
		  err:  for additional help text.
		  err: 
		  err: For more details see ps(1).
		  err: 
		$ top c2 -o bogus -> 125
		  err: Error: ps(1) failed with exit code 1: error: unknown user-defined format specifier "bogus"
		  err: 
		  err: Usage:
		  err:  ps [options]
		  err: 
		  err:  Try 'ps --help <simple|list|output|threads|misc|all>'
		  err:   or 'ps --help <s|l|o|t|m|a>'
		  err:  for additional help text.
		  err: 
		  err: For more details see ps(1).
		  err: 
		$ top c2 -o comm -> 0
		  out: COMMAND
		  out: sleep
		  out: ps
		$ top c2 pid comm -> 0
		  out: PID         COMMAND
		  out: 1           sleep
		$ top c2 capeff,capbnd capamb -> 0
		  out: EFFECTIVE CAPS                                                                                   BOUNDING CAPS                                                                                    AMBIENT CAPS
		  out: CHOWN,DAC_OVERRIDE,FOWNER,FSETID,KILL,NET_BIND_SERVICE,SETFCAP,SETGID,SETPCAP,SETUID,SYS_CHROOT  CHOWN,DAC_OVERRIDE,FOWNER,FSETID,KILL,NET_BIND_SERVICE,SETFCAP,SETGID,SETPCAP,SETUID,SYS_CHROOT  none
		$ top c2 label pid -> 0
		  out: LABEL       PID
		  out: ?           1
		$ top nosuch -ef -> 125
		  err: Error: unable to look up requested container: no container with name or ID "nosuch" found: no such container
		$ rm -f -t 0 c1 c2 -> 0
		  out: c1
		  out: c2
	EOF
}

pause_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" run -d --network none --name c1 "$img" sleep 100
	step "$t" pause c1
	step "$t" stop -t 0 c1
	step "$t" stop -a -t 0
	step "$t" inspect --format '{{.State.Status}}' c1
	step "$t" unpause c1
	step "$t" inspect --format '{{.State.Status}}' c1
	step "$t" stop -t 0 c1
	step "$t" inspect --format '{{.State.Status}} {{.State.ExitCode}}' c1
	step "$t" rm c1
}

@test "stop of a paused container: refused and left paused, as Podman" {
	compare_with_podman pause_sequence <<-'EOF'
		$ run -d --network none --name c1 localhost/ferry-test:latest sleep 100 -> 0
		  out: <ID>
		$ pause c1 -> 0
		  out: c1
		$ stop -t 0 c1 -> 125
		  err: Error: container <ID> is running or paused, refusing to clean up: container state improper: unpause it first
		$ stop -a -t 0 -> 125
		  err: Error: container <ID> is running or paused, refusing to clean up: container state improper: unpause it first
		$ inspect --format {{.State.Status}} c1 -> 0
		  out: paused
		$ unpause c1 -> 0
		  out: c1
		$ inspect --format {{.State.Status}} c1 -> 0
		  out: running
		$ stop -t 0 c1 -> 0
		  out: c1
		$ inspect --format {{.State.Status}} {{.State.ExitCode}} c1 -> 0
		  out: exited 137
		$ rm c1 -> 0
		  out: c1
	EOF
}

template_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" run -d --network none --name c1 "$img" sleep 100
	step "$t" volume create v1
	step "$t" stats --no-stream --format '{{.Nosuch}}' c1
	step "$t" ps -a --format '{{.Names}} {{.Nosuch}}'
	step "$t" ps -a --format '{{.Names}}\t{{len .Nosuch}}'
	step "$t" ps -a --format '{{.Names}} {{nosuch .Names}}'
	step "$t" ps -a --format '{{.Names | nosuch}}'
	step "$t" ps -a --sort bogus
	step "$t" images --format '{{.Repository}'
	step "$t" images --format '{{.Repository'
	step "$t" volume ls --format '{{range .Name}}'
	step "$t" volume ls --format '{{.Name}}{{end}}'
	step "$t" volume ls --format '{{$x}}'
	step "$t" info --format '{{.Nosuch}}'
	step "$t" info --format '{{.Host.Nosuch}}'
	step "$t" info --format '{{.Host.Arch'
	step "$t" version --format '{{"a}}'
	step "$t" inspect --format '{{.State.Nosuch}}' c1
	step "$t" inspect --format '{{if .State.Running}}' c1
	step "$t" image inspect --format '{{nosuch}}' "$img"
	step "$t" volume inspect --format '{{.Nosuch}}' v1
	step "$t" rm -f -t 0 c1
	step "$t" volume rm v1
}

@test "template errors as Go's: the command's template name, line and column, parse errors before anything runs" {
	compare_with_podman template_sequence <<-'EOF'
		$ run -d --network none --name c1 localhost/ferry-test:latest sleep 100 -> 0
		  out: <ID>
		$ volume create v1 -> 0
		  out: v1
		$ stats --no-stream --format {{.Nosuch}} c1 -> 125
		  err: Error: template: stats:1:13: executing "stats" at <.Nosuch>: can't evaluate field Nosuch in type containers.containerStats
		$ ps -a --format {{.Names}} {{.Nosuch}} -> 125
		  out: c1   err: Error: template: ps:1:24: executing "ps" at <.Nosuch>: can't evaluate field Nosuch in type containers.psReporter
		$ ps -a --format {{.Names}}\t{{len .Nosuch}} -> 125
		  out: c1	  err: Error: template: ps:1:28: executing "ps" at <.Nosuch>: can't evaluate field Nosuch in type containers.psReporter
		$ ps -a --format {{.Names}} {{nosuch .Names}} -> 125
		  err: Error: template: ps:1: function "nosuch" not defined
		$ ps -a --format {{.Names | nosuch}} -> 125
		  err: Error: template: ps:1: function "nosuch" not defined
		$ ps -a --sort bogus -> 125
		  err: Error: invalid argument "bogus" for "--sort" flag: "bogus" is not a valid value.  Choose from: "command, created, id, image, names, runningfor, size, status"
		  err: See 'ferry ps --help'
		$ images --format {{.Repository} -> 125
		  err: Error: template: images:1: bad character U+007D '}'
		$ images --format {{.Repository -> 125
		  err: Error: template: images:1: bad character U+007B '{'
		$ volume ls --format {{range .Name}} -> 125
		  err: Error: template: ls:1: unexpected EOF
		$ volume ls --format {{.Name}}{{end}} -> 125
		  err: Error: template: ls:1: unexpected {{end}}
		$ volume ls --format {{$x}} -> 125
		  err: Error: template: ls:1: undefined variable "$x"
		$ info --format {{.Nosuch}} -> 125
		  err: Error: template: info:1:2: executing "info" at <.Nosuch>: can't evaluate field Nosuch in type system.infoReport
		$ info --format {{.Host.Nosuch}} -> 125
		  err: Error: template: info:1:7: executing "info" at <.Host.Nosuch>: can't evaluate field Nosuch in type *define.HostInfo
		$ info --format {{.Host.Arch -> 125
		  err: Error: template: info:1: unclosed action
		$ version --format {{"a}} -> 125
		  err: Error: template: version:1: unterminated quoted string
		$ inspect --format {{.State.Nosuch}} c1 -> 125
		  err: Error: template: inspect:1:19: executing "inspect" at <.State.Nosuch>: can't evaluate field Nosuch in type *define.InspectContainerState
		$ inspect --format {{if .State.Running}} c1 -> 125
		  err: Error: template: inspect:1: unexpected EOF
		$ image inspect --format {{nosuch}} localhost/ferry-test:latest -> 125
		  err: Error: template: inspect:1: function "nosuch" not defined
		$ volume inspect --format {{.Nosuch}} v1 -> 125
		  err: Error: template: inspect:1:13: executing "inspect" at <.Nosuch>: can't evaluate field Nosuch in type interface {}
		$ rm -f -t 0 c1 -> 0
		  out: c1
		$ volume rm v1 -> 0
		  out: v1
	EOF
}

template_vars_sequence() {
	local t=$1
	step "$t" create --network none --name v1 localhost/ferry-test:latest true
	step "$t" create --network none --name v2 localhost/ferry-test:latest true
	step "$t" create --network none --name v3 localhost/ferry-test:latest sh -c 'a b' x y z
	step "$t" inspect --format '{{$x := .Name}}{{$x}}-{{if true}}{{$x}}{{end}}' v1
	step "$t" ps -a --sort names --format '{{$n := .Names}}{{$n}}/{{$n}}'
	step "$t" inspect --format '{{if true}}{{$y := 1}}{{$y}}{{end}}{{$y}}' v1
	step "$t" inspect --format '{{$a := .Name}}{{$a := "b"}}{{$a}}' v1
	step "$t" inspect --format '{{range .Config.Cmd}}{{$c := .}}[{{$c}}]{{end}}' v1
	step "$t" inspect --format '{{$x := .Name | printf "%s!"}}{{$x}}' v1
	step "$t" images --format '{{$r := .Repository}}{{$r}}:{{.Tag}}'
	step "$t" inspect --format '{{$x := 1}}{{if true}}{{$x = 3}}{{end}}{{$x}}' v1
	step "$t" inspect --format '{{range $i, $e := .Config.Cmd}}{{$i = 7}}{{$i}}{{end}}' v1
	step "$t" inspect --format '{{$y = .Name | printf "%s"}}' v1
	step "$t" ps -a --format '{{$y = 1}}'
	step "$t" inspect --format '{{with $x := .Name}}{{$x}}{{end}}' v1
	step "$t" inspect --format '{{if $x := ""}}a{{else}}[{{$x}}]{{end}}' v1
	step "$t" inspect --format '{{if $x := 0}}{{else if $x}}{{else}}e{{$x}}{{end}}' v1
	step "$t" inspect --format '{{with $x := .Name}}{{.}}{{end}}{{$x}}' v1
	step "$t" inspect --format 'a{{.Name}}{{(.Name))}}' v1
	step "$t" inspect --format '{{range .Config.Cmd}}[{{.}}]{{if eq . "x"}}{{break}}{{end}}{{end}}' v3
	step "$t" inspect --format '{{range .Config.Cmd}}{{if eq . "x"}}{{continue}}{{end}}[{{.}}]{{end}}' v3
	step "$t" inspect --format '{{range .Config.Cmd}}{{with .}}{{continue}}{{end}}no{{end}}ok' v3
	step "$t" inspect --format '{{range 3}}{{if eq . 1}}{{continue}}{{end}}{{.}}{{end}}' v3
	step "$t" inspect --format '{{$k := 9}}{{range $i, $e := .Config.Cmd}}{{$k = $i}}{{end}}{{$k}}' v3
	step "$t" inspect --format '{{/* a | | */}}x{{- /* b */ -}} y' v1
	step "$t" inspect --format '{{ /* a */ }}' v1
	step "$t" inspect --format '{{.Name | }}' v1
	step "$t" inspect --format 'a{{.Name}}{{.Name | | printf "%s"}}' v1
	step "$t" inspect --format '{{len $}} {{(index $ 1).Name}} {{range $}}{{.Name}}{{end}}' v1 v2
	step "$t" inspect --format '{{$x := 1}}{{if $x = .Name}}[{{$x}}]{{end}}{{$x}}' v1
	step "$t" inspect --format '{{$x := 1}}{{if $x = 0}}a{{else}}b{{$x}}{{end}}' v1
	step "$t" inspect --format '{{$x := 1}}{{with $x = .Config.Cmd}}{{len $x}}{{end}}' v3
	step "$t" inspect --format '{{if $z = 1}}{{end}}' v1
	step "$t" inspect --format '{{$x := 1}}{{$x == 1}}' v1
	step "$t" inspect --format '{{.Name = "a"}}' v1
	step "$t" inspect --format '{{$x := "a=b"}}{{$x}}' v1
	# One at a time: Podman's rm of several prints them as they go.
	step "$t" rm v1
	step "$t" rm v2
	step "$t" rm v3
}

@test "template variables: declared in an action, an if or a with, they live until the block ends; assignments, in an if or a with too; break and continue; comments, pipes and parens, as in Go; inspect's $ is all it found" {
	# Before, only range's variables were known after their action, and
	# assignments, if and with declarations and a stray ) were refused in
	# words of ferry's.
	compare_with_podman template_vars_sequence <<-'EOF'
		$ create --network none --name v1 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ create --network none --name v2 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ create --network none --name v3 localhost/ferry-test:latest sh -c a b x y z -> 0
		  out: <ID>
		$ inspect --format {{$x := .Name}}{{$x}}-{{if true}}{{$x}}{{end}} v1 -> 0
		  out: v1-v1
		$ ps -a --sort names --format {{$n := .Names}}{{$n}}/{{$n}} -> 0
		  out: v1/v1
		  out: v2/v2
		  out: v3/v3
		$ inspect --format {{if true}}{{$y := 1}}{{$y}}{{end}}{{$y}} v1 -> 125
		  err: Error: template: inspect:1: undefined variable "$y"
		$ inspect --format {{$a := .Name}}{{$a := "b"}}{{$a}} v1 -> 0
		  out: b
		$ inspect --format {{range .Config.Cmd}}{{$c := .}}[{{$c}}]{{end}} v1 -> 0
		  out: [true]
		$ inspect --format {{$x := .Name | printf "%s!"}}{{$x}} v1 -> 0
		  out: v1!
		$ images --format {{$r := .Repository}}{{$r}}:{{.Tag}} -> 0
		  out: localhost/ferry-test:latest
		$ inspect --format {{$x := 1}}{{if true}}{{$x = 3}}{{end}}{{$x}} v1 -> 0
		  out: 3
		$ inspect --format {{range $i, $e := .Config.Cmd}}{{$i = 7}}{{$i}}{{end}} v1 -> 0
		  out: 7
		$ inspect --format {{$y = .Name | printf "%s"}} v1 -> 125
		  err: Error: template: inspect:1:33: executing "inspect" at <"%s">: undefined variable: $y
		$ ps -a --format {{$y = 1}} -> 125
		  err: Error: template: ps:1:18: executing "ps" at <1>: undefined variable: $y
		$ inspect --format {{with $x := .Name}}{{$x}}{{end}} v1 -> 0
		  out: v1
		$ inspect --format {{if $x := ""}}a{{else}}[{{$x}}]{{end}} v1 -> 0
		  out: []
		$ inspect --format {{if $x := 0}}{{else if $x}}{{else}}e{{$x}}{{end}} v1 -> 0
		  out: e0
		$ inspect --format {{with $x := .Name}}{{.}}{{end}}{{$x}} v1 -> 125
		  err: Error: template: inspect:1: undefined variable "$x"
		$ inspect --format a{{.Name}}{{(.Name))}} v1 -> 125
		  err: Error: template: inspect:1: unexpected right paren
		$ inspect --format {{range .Config.Cmd}}[{{.}}]{{if eq . "x"}}{{break}}{{end}}{{end}} v3 -> 0
		  out: [sh][-c][a b][x]
		$ inspect --format {{range .Config.Cmd}}{{if eq . "x"}}{{continue}}{{end}}[{{.}}]{{end}} v3 -> 0
		  out: [sh][-c][a b][y][z]
		$ inspect --format {{range .Config.Cmd}}{{with .}}{{continue}}{{end}}no{{end}}ok v3 -> 0
		  out: ok
		$ inspect --format {{range 3}}{{if eq . 1}}{{continue}}{{end}}{{.}}{{end}} v3 -> 0
		  out: 02
		$ inspect --format {{$k := 9}}{{range $i, $e := .Config.Cmd}}{{$k = $i}}{{end}}{{$k}} v3 -> 0
		  out: 5
		$ inspect --format {{/* a | | */}}x{{- /* b */ -}} y v1 -> 0
		  out: xy
		$ inspect --format {{ /* a */ }} v1 -> 125
		  err: Error: template: inspect:1: unexpected "/" in command
		$ inspect --format {{.Name | }} v1 -> 0
		  out: v1
		$ inspect --format a{{.Name}}{{.Name | | printf "%s"}} v1 -> 125
		  err: Error: template: inspect:1: unexpected "|" in command
		$ inspect --format {{len $}} {{(index $ 1).Name}} {{range $}}{{.Name}}{{end}} v1 v2 -> 0
		  out: 2 v2 v1v2
		  out: 2 v2 v1v2
		$ inspect --format {{$x := 1}}{{if $x = .Name}}[{{$x}}]{{end}}{{$x}} v1 -> 0
		  out: [v1]v1
		$ inspect --format {{$x := 1}}{{if $x = 0}}a{{else}}b{{$x}}{{end}} v1 -> 0
		  out: b0
		$ inspect --format {{$x := 1}}{{with $x = .Config.Cmd}}{{len $x}}{{end}} v3 -> 0
		  out: 6
		$ inspect --format {{if $z = 1}}{{end}} v1 -> 125
		  err: Error: template: inspect:1:21: executing "inspect" at <1>: undefined variable: $z
		$ inspect --format {{$x := 1}}{{$x == 1}} v1 -> 125
		  err: Error: template: inspect:1: unexpected "=" in command
		$ inspect --format {{.Name = "a"}} v1 -> 125
		  err: Error: template: inspect:1: unexpected "=" in operand
		$ inspect --format {{$x := "a=b"}}{{$x}} v1 -> 0
		  out: a=b
		$ rm v1 -> 0
		  out: v1
		$ rm v2 -> 0
		  out: v2
		$ rm v3 -> 0
		  out: v3
	EOF
}

archive_sequence() {
	local t=$1 img=localhost/ferry-test:latest d=$TEST_TMP/arch
	rm -rf "$d" && mkdir "$d"
	step "$t" save -q -o "$d/s1.tar" "$img"
	step "$t" save -q -o "$d/s2.tar" nosuch
	step "$t" tag "$img" a:1
	step "$t" save -q -m -o "$d/s3.tar" "$img" localhost/a:1
	step "$t" untag localhost/a:1
	step "$t" load -q -i "$d/s3.tar"
	step "$t" load -q -i "$d/nosuch.tar"
	step "$t" create --network none --name c1 "$img" true
	step "$t" export -o "$d/e.tar" c1
	step "$t" import -q "$d/e.tar" imp:1
	step "$t" images --format '{{.Repository}}:{{.Tag}}' --sort repository
	step "$t" import -q "$d/nosuch.tar" x:1
	step "$t" container restore --import "$d/nosuch.tar"
	step "$t" rm c1
	step "$t" rmi localhost/imp:1 localhost/a:1
	step "$t" rmi localhost/imp:1 nosuch
}

@test "load names what it loaded even with -q; missing archives for load, import and restore in Podman's words" {
	compare_with_podman archive_sequence <<-'EOF'
		$ save -q -o TMP/arch/s1.tar localhost/ferry-test:latest -> 0
		$ save -q -o TMP/arch/s2.tar nosuch -> 125
		  err: Error: nosuch: image not known
		$ tag localhost/ferry-test:latest a:1 -> 0
		$ save -q -m -o TMP/arch/s3.tar localhost/ferry-test:latest localhost/a:1 -> 0
		$ untag localhost/a:1 -> 0
		$ load -q -i TMP/arch/s3.tar -> 0
		  out: Loaded image: localhost/ferry-test:latest
		  out: Loaded image: localhost/a:1
		$ load -q -i TMP/arch/nosuch.tar -> 125
		  err: Error: faccessat TMP/arch/nosuch.tar: no such file or directory: give an image archive ferry can read with -i FILE
		$ create --network none --name c1 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ export -o TMP/arch/e.tar c1 -> 0
		$ import -q TMP/arch/e.tar imp:1 -> 0
		  out: sha256:<ID>
		$ images --format {{.Repository}}:{{.Tag}} --sort repository -> 0
		  out: localhost/a:1
		  out: localhost/ferry-test:latest
		  out: localhost/imp:1
		$ import -q TMP/arch/nosuch.tar x:1 -> 125
		  err: Error: error opening "TMP/arch/nosuch.tar": open TMP/arch/nosuch.tar: no such file or directory: give a tarball ferry can read
		$ container restore --import TMP/arch/nosuch.tar -> 125
		  err: Error: failed extracting runtime information from TMP/arch/nosuch.tar: failed to open checkpoint archive TMP/arch/nosuch.tar for import: open TMP/arch/nosuch.tar: no such file or directory: give --import an archive of container checkpoint --export
		$ rm c1 -> 0
		  out: c1
		$ rmi localhost/imp:1 localhost/a:1 -> 0
		  out: Untagged: localhost/imp:1
		  out: Untagged: localhost/a:1
		  out: Deleted: <ID>
		$ rmi localhost/imp:1 nosuch -> 1
		  err: Error: 2 errors occurred:
		  err: 	* localhost/imp:1: image not known
		  err: 	* nosuch: image not known
	EOF
}

flags_sequence() {
	local t=$1 img=localhost/ferry-test:latest c
	step "$t" create --network none --name c1 "$img" sleep 100
	step "$t" rm --time bogus c1
	step "$t" stop -t bogus c1
	step "$t" restart -t 99999999999999999999 c1
	step "$t" logs --tail bogus c1
	step "$t" create --network none --memory bogus "$img"
	step "$t" create --network none -p bogus "$img"
	step "$t" create --network none -p 99999:80 "$img"
	step "$t" create --network none -p 80-79 "$img"
	step "$t" create --network none --pull never localhost/nosuch:1
	step "$t" create --network none --name 'bad name' "$img"
	step "$t" create --network none -p 8080:80 --name c2 "$img" true
	step "$t" port c2
	step "$t" run -d --network none --name c3 "$img" sleep 100
	step "$t" exec --env-file "$TEST_TMP/nosuch" c3 true
	step "$t" exec -u nosuchuser c3 id
	step "$t" run --network none --name c4 "$img" sh -c 'mkdir /d && echo x >/d/f && rm /etc/group'
	step "$t" diff --format json c4
	step "$t" diff nosuch
	# One at a time: Podman removes several in parallel, in any order.
	for c in c1 c2 c3 c4; do step "$t" rm -f -t 0 "$c"; done
}

@test "-t, --tail, -p, --memory, --name, --env-file, exec -u and diff as Podman's: its words, its codes, ports left out off bridge networks" {
	compare_with_podman flags_sequence <<-'EOF'
		$ create --network none --name c1 localhost/ferry-test:latest sleep 100 -> 0
		  out: <ID>
		$ rm --time bogus c1 -> 125
		  err: Error: invalid argument "bogus" for "-t, --time" flag: strconv.ParseInt: parsing "bogus": invalid syntax
		  err: See 'ferry rm --help'
		$ stop -t bogus c1 -> 125
		  err: Error: invalid argument "bogus" for "-t, --time" flag: strconv.ParseInt: parsing "bogus": invalid syntax
		  err: See 'ferry stop --help'
		$ restart -t 99999999999999999999 c1 -> 125
		  err: Error: invalid argument "99999999999999999999" for "-t, --time" flag: strconv.ParseInt: parsing "99999999999999999999": value out of range
		  err: See 'ferry restart --help'
		$ logs --tail bogus c1 -> 125
		  err: Error: invalid argument "bogus" for "--tail" flag: strconv.ParseInt: parsing "bogus": invalid syntax
		  err: See 'ferry logs --help'
		$ create --network none --memory bogus localhost/ferry-test:latest -> 125
		  err: Error: invalid value for memory: invalid size: 'bogus': give a size such as 512m or 2g
		$ create --network none -p bogus localhost/ferry-test:latest -> 125
		  err: Error: parsing container port: invalid port number: strconv.Atoi: parsing "bogus": invalid syntax (in `bogus`: use [IP:][HOSTPORT:]CONTAINERPORT[/PROTOCOL])
		$ create --network none -p 99999:80 localhost/ferry-test:latest -> 125
		  err: Error: parsing host port: port numbers must be between 1 and 65535 (inclusive), got 99999 (in `99999:80`)
		$ create --network none -p 80-79 localhost/ferry-test:latest -> 125
		  err: Error: parsing container port: the range 80-79 ends before it starts (in `80-79`)
		$ create --network none --pull never localhost/nosuch:1 -> 125
		  err: Error: localhost/nosuch:1: image not known: image localhost/nosuch:1 is not stored here: pull it (ferry pull localhost/nosuch:1, or --pull missing) or load it (ferry load -i FILE)
		$ create --network none --name bad name localhost/ferry-test:latest -> 125
		  err: Error: running container create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument
		$ create --network none -p 8080:80 --name c2 localhost/ferry-test:latest true -> 0
		  out: <ID>
		  err: Port mappings have been discarded as one of the Host, Container, Pod, and None network modes are in use
		$ port c2 -> 0
		$ run -d --network none --name c3 localhost/ferry-test:latest sleep 100 -> 0
		  out: <ID>
		$ exec --env-file TMP/nosuch c3 true -> 125
		  err: Error: parsing file "TMP/nosuch": open TMP/nosuch: no such file or directory: give --env-file a readable file of KEY=VALUE lines
		$ exec -u nosuchuser c3 id -> 255
		  err: Error: unable to find user nosuchuser: no matching entries in passwd file
		$ run --network none --name c4 localhost/ferry-test:latest sh -c mkdir /d && echo x >/d/f && rm /etc/group -> 0
		$ diff --format json c4 -> 0
		  out: {
		  out:      "changed": [
		  out:           "/etc"
		  out:      ],
		  out:      "added": [
		  out:           "/d",
		  out:           "/d/f"
		  out:      ],
		  out:      "deleted": [
		  out:           "/etc/group"
		  out:      ]
		  out: }
		$ diff nosuch -> 125
		  err: Error: nosuch not found: layer not known: give the name or ID of a container or an image
		$ rm -f -t 0 c1 -> 0
		  out: c1
		$ rm -f -t 0 c2 -> 0
		  out: c2
		$ rm -f -t 0 c3 -> 0
		  out: c3
		$ rm -f -t 0 c4 -> 0
		  out: c4
	EOF
}

events_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" create --network none --name c1 "$img" true
	step "$t" start c1
	step "$t" events --stream=false --since 5m --filter container=c1 --filter event=create --filter event=start \
		--format '{{.Type}} {{.Status}} {{.Name}} {{json .Attributes}}'
	step "$t" events --stream=false --since 5m --until 2000-01-01T00:00:00Z
	step "$t" events --stream=false --since bogus
	step "$t" events --stream=false --until bogus
	step "$t" events --stream=false --filter bogus=1
	step "$t" events --stream=false --filter bogus
	step "$t" rm -f -t 0 c1
}

@test "events from the file backend, and bad --since, --until and --filter in Podman's words" {
	PODMAN_EVENTS=file
	compare_with_podman events_sequence <<-'EOF'
		$ create --network none --name c1 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ start c1 -> 0
		  out: c1
		$ events --stream=false --since 5m --filter container=c1 --filter event=create --filter event=start --format {{.Type}} {{.Status}} {{.Name}} {{json .Attributes}} -> 0
		  out: container create c1 {}
		  out: container start c1 {}
		$ events --stream=false --since 5m --until 2000-01-01T00:00:00Z -> 0
		$ events --stream=false --since bogus -> 125
		  err: Error: failed to parse event filters: unable to convert since time of bogus: unable to interpret time value: use Unix seconds, a duration such as 10m, or an RFC 3339 time
		$ events --stream=false --until bogus -> 125
		  err: Error: failed to parse event filters: unable to convert until time of bogus: unable to interpret time value: use Unix seconds, a duration such as 10m, or an RFC 3339 time
		$ events --stream=false --filter bogus=1 -> 125
		  err: Error: failed to parse event filters: bogus is an invalid filter: use container, event, image, label, network, type or volume
		$ events --stream=false --filter bogus -> 125
		  err: Error: failed to parse event filters: bogus is an invalid filter: use KEY=VALUE
		$ rm -f -t 0 c1 -> 0
		  out: c1
	EOF
}

port_sequence() {
	local t=$1 img=localhost/ferry-test:latest p
	p=$((21000 + N * 10))
	printf 's/\\b%s\\b/P/g\ns/\\b%s\\b/P1/g\n' "$p" "$((p + 1))" >>"$TEST_TMP/$t.sed"
	step "$t" network create --subnet "10.212.$N.0/24" --interface-name "ftu$N" n1
	step "$t" run -d --network n1 -p "$p:80" --name c1 "$img" sleep 100
	step "$t" port c1
	step "$t" port c1 80
	step "$t" port c1 80/udp
	step "$t" port c1 bogus
	step "$t" port c1 99999
	step "$t" create --network n1 -p "$((p + 1)):81/udp" --name c2 "$img" true
	step "$t" port c2
	step "$t" port c2 81/udp
	step "$t" rm -f -t 0 c1
	step "$t" rm c2
	step "$t" network rm n1
}

@test "port: a port that is no number refused in Podman's words, and nothing for a container that does not run" {
	compare_with_podman port_sequence <<-'EOF'
		$ network create --subnet 10.212.N.0/24 --interface-name ftuN n1 -> 0
		  out: n1
		$ run -d --network n1 -p P:80 --name c1 localhost/ferry-test:latest sleep 100 -> 0
		  out: <ID>
		$ port c1 -> 0
		  out: 80/tcp -> 0.0.0.0:P
		$ port c1 80 -> 0
		  out: 0.0.0.0:P
		$ port c1 80/udp -> 125
		  err: Error: failed to find published port "80/udp"
		$ port c1 bogus -> 125
		  err: Error: strconv.ParseUint: parsing "bogus": invalid syntax: give a port, such as 80 or 80/udp
		$ port c1 99999 -> 125
		  err: Error: strconv.ParseUint: parsing "99999": value out of range: give a port from 1 to 65535
		$ create --network n1 -p P1:81/udp --name c2 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ port c2 -> 0
		$ port c2 81/udp -> 0
		$ rm -f -t 0 c1 -> 0
		  out: c1
		$ rm c2 -> 0
		  out: c2
		$ network rm n1 -> 0
		  out: n1
	EOF
}
