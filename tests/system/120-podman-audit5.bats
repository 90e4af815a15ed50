#!/usr/bin/env bats
# What the fifth round of tests/lib/compare-podman.sh found ferry doing
# differently from Podman 5.4, now fixed.  Each sequence is compared with
# the transcript ferry printed once it matched Podman (kept below) and,
# where Podman is installed, with Podman run live: standard output whole,
# the first words of each error line.

load helpers
load podman-helpers

audit_hooks_for_every_test

# step's output ended by a newline: what a template wrote before it
# failed has none, and its error then starts a line of its own.
line_end() {
	cat "$1"
	if [ -s "$1" ] && [ -n "$(tail -c 1 "$1")" ]; then echo; fi
}

functions_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" volume create --label a=b --label Mixed=Case v1
	step "$t" create --network none --name c1 --label k=Val "$img" true
	step "$t" ps -a --format '{{.Names|upper}} {{upper .Names}} {{lower "AbC"}} {{title "hello world"}}'
	step "$t" ps -a --format '{{len .Names}} {{index .Labels "k"}} {{.Labels.k}} {{join (split "a:b" ":") "+"}}'
	step "$t" ps -a --format '{{truncate .Image 5}}|{{pad .Names 2 4}}|{{split "a:b:c" ":"}}'
	step "$t" ps -a --format '{{printf "%s-%d" .Names 7}} {{printf "%q" .Names}} {{printf "%5.2f" 3.14159}} {{printf "%d %s"}} {{printf "%s" 1 2}}'
	step "$t" ps -a --format '{{println .Names}}{{print .Names 1 2}}'
	step "$t" ps -a --format '{{if eq .Names "c1"}}yes{{else}}no{{end}} {{if ne .Names "c1"}}a{{else if eq .Names "c1"}}b{{end}}'
	step "$t" ps -a --format '{{with .Labels.k}}{{.}}{{else}}none{{end}} {{with .Labels.nosuch}}{{.}}{{else}}none{{end}}'
	step "$t" ps -a --format '{{range $i, $n := split "x,y" ","}}{{$i}}={{$n}};{{end}}'
	step "$t" ps -a --format '{{if and .Names (not .Exited)}}t{{else}}f{{end}} {{or "" "z"}} {{and 1 0}}'
	step "$t" ps -a --format '{{len "abc"}} {{lt 1 2}} {{gt 1 2}} {{le 2 2}} {{ge 1 2}} {{eq 1 1 2}}'
	step "$t" ps -a --format '{{.Names | printf "%s!" | upper}} {{.Labels | json}} {{.Names | len}}'
	_step line_end "$t" ps -a --format '{{"lit"}} {{1}} {{true}} {{3.5}}|{{nil}}'
	step "$t" ps -a --format '{{upper 1}}'
	step "$t" ps -a --format '{{truncate .Names}}'
	step "$t" ps -a --format '{{join .Names ","}}'
	step "$t" ps -a --format '{{index .Names 5}}'
	step "$t" ps -a --format '{{printf}}'
	step "$t" ps -a --format '{{lt 1 "a"}}'
	step "$t" volume ls --format '{{.Name|upper}} {{len .Labels}} {{index .Labels "Mixed"}} {{.Labels.a}}'
	step "$t" volume inspect --format '{{upper .Name}} {{json .Labels}}' v1
	step "$t" images --format '{{lower .Repository}} {{truncate .Tag 3}}'
	step "$t" inspect --format '{{upper .Name}} {{printf "%.5s" .State.Status}} {{len .Config.Labels}}' c1
	step "$t" info --format '{{upper .Host.OS}} {{if eq .Host.OS "linux"}}L{{end}}'
	step "$t" ps -a --format 'table {{.Names}}\t{{upper .Names}}'
	step "$t" rm c1
}

@test "--format templates: Podman's functions (upper, lower, title, join, split, truncate, pad, json) and Go's (printf, print, println, len, index, eq and the rest), pipelines, with, else if, literals, and their errors" {
	audit_compare_expected functions_sequence <<-'EOF'
		$ volume create --label a=b --label Mixed=Case v1 -> 0
		  out: v1
		$ create --network none --name c1 --label k=Val localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ ps -a --format {{.Names|upper}} {{upper .Names}} {{lower "AbC"}} {{title "hello world"}} -> 0
		  out: C1 C1 abc Hello World
		$ ps -a --format {{len .Names}} {{index .Labels "k"}} {{.Labels.k}} {{join (split "a:b" ":") "+"}} -> 0
		  out: 2 Val Val a+b
		$ ps -a --format {{truncate .Image 5}}|{{pad .Names 2 4}}|{{split "a:b:c" ":"}} -> 0
		  out: local|  c1    |[a b c]
		$ ps -a --format {{printf "%s-%d" .Names 7}} {{printf "%q" .Names}} {{printf "%5.2f" 3.14159}} {{printf "%d %s"}} {{printf "%s" 1 2}} -> 0
		  out: c1-7 "c1"  3.14 %!d(MISSING) %!s(MISSING) %!s(int=1)%!(EXTRA int=2)
		$ ps -a --format {{println .Names}}{{print .Names 1 2}} -> 0
		  out: c1
		  out: c11 2
		$ ps -a --format {{if eq .Names "c1"}}yes{{else}}no{{end}} {{if ne .Names "c1"}}a{{else if eq .Names "c1"}}b{{end}} -> 0
		  out: yes b
		$ ps -a --format {{with .Labels.k}}{{.}}{{else}}none{{end}} {{with .Labels.nosuch}}{{.}}{{else}}none{{end}} -> 0
		  out: Val none
		$ ps -a --format {{range $i, $n := split "x,y" ","}}{{$i}}={{$n}};{{end}} -> 0
		  out: 0=x;1=y;
		$ ps -a --format {{if and .Names (not .Exited)}}t{{else}}f{{end}} {{or "" "z"}} {{and 1 0}} -> 0
		  out: t z 0
		$ ps -a --format {{len "abc"}} {{lt 1 2}} {{gt 1 2}} {{le 2 2}} {{ge 1 2}} {{eq 1 1 2}} -> 0
		  out: 3 true false true false true
		$ ps -a --format {{.Names | printf "%s!" | upper}} {{.Labels | json}} {{.Names | len}} -> 0
		  out: C1! {"k":"Val"} 2
		$ ps -a --format {{"lit"}} {{1}} {{true}} {{3.5}}|{{nil}} -> 125
		  out: lit 1 true 3.5|
		  err: Error: template: ps:1:46: executing "ps" at <nil>: nil is not a command
		$ ps -a --format {{upper 1}} -> 125
		  err: Error: template: ps:1:19: executing "ps" at <1>: expected string; found 1
		$ ps -a --format {{truncate .Names}} -> 125
		  err: Error: template: ps:1:13: executing "ps" at <truncate>: wrong number of args for truncate: want 2 got 1
		$ ps -a --format {{join .Names ","}} -> 125
		  err: Error: template: ps:1:18: executing "ps" at <.Names>: wrong type for value; expected []string; got string
		$ ps -a --format {{index .Names 5}} -> 125
		  err: Error: template: ps:1:13: executing "ps" at <index .Names 5>: error calling index: index out of range: 5
		$ ps -a --format {{printf}} -> 125
		  err: Error: template: ps:1:13: executing "ps" at <printf>: wrong number of args for printf: want at least 1 got 0
		$ ps -a --format {{lt 1 "a"}} -> 125
		  err: Error: template: ps:1:13: executing "ps" at <lt 1 "a">: error calling lt: incompatible types for comparison
		$ volume ls --format {{.Name|upper}} {{len .Labels}} {{index .Labels "Mixed"}} {{.Labels.a}} -> 0
		  out: V1 2 Case b
		$ volume inspect --format {{upper .Name}} {{json .Labels}} v1 -> 0
		  out: V1 {"Mixed":"Case","a":"b"}
		$ images --format {{lower .Repository}} {{truncate .Tag 3}} -> 0
		  out: localhost/ferry-test lat
		$ inspect --format {{upper .Name}} {{printf "%.5s" .State.Status}} {{len .Config.Labels}} c1 -> 0
		  out: C1 creat 1
		$ info --format {{upper .Host.OS}} {{if eq .Host.OS "linux"}}L{{end}} -> 0
		  out: LINUX L
		$ ps -a --format table {{.Names}}\t{{upper .Names}} -> 0
		  out: NAMES       NAMES
		  out: c1          C1
		$ rm c1 -> 0
		  out: c1
	EOF
}

# step's output left out: help texts are each tool's own.
no_output() {
	:
}

global_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" --log-level bogus ps
	step "$t" --log-level fatal ps -a -q
	step "$t" --log-level warning ps -a -q
	step "$t" nosuchcommand
	step "$t" image nosuch
	_step no_output "$t" volume
	_step no_output "$t" network
	_step no_output "$t" ps -h
	_step no_output "$t" ps -ah
	_step no_output "$t" volume ls -h
	step "$t" create --network none --name c1 "$img" true
	step "$t" exec nosuch
	step "$t" exec c1
	step "$t" run
	step "$t" create
	step "$t" rm c1
}

@test "global options and missing words: --log-level as Podman's (its levels, exit 1 for another), an unknown command's two lines, a group without its command prints its help and fails, -h is every command's help, exec names a missing container first, run and create without an image" {
	audit_compare_expected global_sequence <<-'EOF'
		$ --log-level bogus ps -> 1
		  err: Log Level "bogus" is not supported, choose from: trace, debug, info, warn, warning, error, fatal, panic
		$ --log-level fatal ps -a -q -> 0
		$ --log-level warning ps -a -q -> 0
		$ nosuchcommand -> 125
		  err: Error: unrecognized command `TOOL nosuchcommand`
		  err: Try 'ferry --help' for more information
		$ image nosuch -> 125
		  err: Error: unrecognized command `TOOL image nosuch`
		  err: Try 'ferry image --help' for more information
		$ volume -> 125
		  err: Error: missing command 'ferry volume COMMAND'
		$ network -> 125
		  err: Error: missing command 'ferry network COMMAND'
		$ ps -h -> 0
		$ ps -ah -> 0
		$ volume ls -h -> 0
		$ create --network none --name c1 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ exec nosuch -> 125
		  err: Error: no container with name or ID "nosuch" found: no such container
		$ exec c1 -> 125
		  err: Error: must provide a non-empty command to start an exec session: invalid argument
		$ run -> 125
		  err: Error: requires at least 1 arg(s), only received 0: ferry run needs an image (ferry run [OPTIONS] IMAGE [COMMAND...])
		$ create -> 125
		  err: Error: requires at least 1 arg(s), only received 0: ferry create needs an image (ferry create [OPTIONS] IMAGE [COMMAND...])
		$ rm c1 -> 0
		  out: c1
	EOF
}

pull_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" create --network none --name c1 "$img" true
	step "$t" image exists "$img"
	step "$t" image exists nosuch:1
	step "$t" container exists c1
	step "$t" container exists nosuch
	step "$t" volume exists nosuch
	step "$t" network exists nosuch
	step "$t" create --network none --pull=bogus "$img" true
	step "$t" create --network none --pull=newer --name c2 "$img" true
	step "$t" create --network none --pull=never localhost:1/nosuch:1 true
	step "$t" run --rm --network none --pull=newer "$img" echo ok
	step "$t" ps -a --format '{{.Names}}' --sort names
	step_sorted "$t" rm c1 c2
}

@test "--pull: newer is a policy (the stored image when the registry cannot be asked), another is Podman's 'unsupported pull policy'; the exists commands' codes" {
	audit_compare_expected pull_sequence <<-'EOF'
		$ create --network none --name c1 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ image exists localhost/ferry-test:latest -> 0
		$ image exists nosuch:1 -> 1
		$ container exists c1 -> 0
		$ container exists nosuch -> 1
		$ volume exists nosuch -> 1
		$ network exists nosuch -> 1
		$ create --network none --pull=bogus localhost/ferry-test:latest true -> 125
		  err: Error: unsupported pull policy "bogus": use missing, always, never or newer
		$ create --network none --pull=newer --name c2 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ create --network none --pull=never localhost:1/nosuch:1 true -> 125
		  err: Error: localhost:1/nosuch:1: image not known: image localhost:1/nosuch:1 is not stored here: pull it (ferry pull localhost:1/nosuch:1, or --pull missing) or load it (ferry load -i FILE)
		$ run --rm --network none --pull=newer localhost/ferry-test:latest echo ok -> 0
		  out: ok
		$ ps -a --format {{.Names}} --sort names -> 0
		  out: c1
		  out: c2
		$ rm c1 c2 -> 0
		  out: c1
		  out: c2
	EOF
}

stdin_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	printf 'hi\n' >"$TEST_TMP/hi"
	step "$t" run --rm -i --network none "$img" cat <"$TEST_TMP/hi"
	step "$t" run --rm --network none "$img" cat <"$TEST_TMP/hi"
	step "$t" run --rm -i -a stdout --network none "$img" sh -c 'cat; echo err >&2; exit 3' <"$TEST_TMP/hi"
	step "$t" run --rm -i --sig-proxy=false --network none "$img" sh -c 'read x; echo got $x' <"$TEST_TMP/hi"
	step "$t" run --rm -i --network none "$img" sh -c 'exit 7' <"$TEST_TMP/hi"
	step "$t" create -i --network none --name c1 "$img" sh -c 'read x; echo got $x; exit 5'
	step "$t" start -a -i c1 <"$TEST_TMP/hi"
	step "$t" rm c1
}

@test "piped standard input: run -i passes it whatever -a names (-a stdout too, as Podman), without -i the command reads none; start -a -i; exit codes passed through" {
	audit_compare_expected stdin_sequence <<-'EOF'
		$ run --rm -i --network none localhost/ferry-test:latest cat -> 0
		  out: hi
		$ run --rm --network none localhost/ferry-test:latest cat -> 0
		$ run --rm -i -a stdout --network none localhost/ferry-test:latest sh -c cat; echo err >&2; exit 3 -> 3
		  out: hi
		$ run --rm -i --sig-proxy=false --network none localhost/ferry-test:latest sh -c read x; echo got $x -> 0
		  out: got hi
		$ run --rm -i --network none localhost/ferry-test:latest sh -c exit 7 -> 7
		$ create -i --network none --name c1 localhost/ferry-test:latest sh -c read x; echo got $x; exit 5 -> 0
		  out: <ID>
		$ start -a -i c1 -> 5
		  out: got hi
		$ rm c1 -> 0
		  out: c1
	EOF
}

network_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" network create --ipv6 --subnet fd00:251:71::/64 --interface-name fa5n71 n2
	JQ='.[0] | {v6: (.subnets | map(.subnet | test(":"))), first: .subnets[0], ipv6_enabled}' _step jq_part "$t" network inspect n2
	step "$t" network create --subnet 10.251.72.0/24 --interface-name fa5n72 n3
	step "$t" create --network n3 --ip 10.251.72.6 --mac-address 02:11:22:33:44:66 --name c1 "$img" true
	JQ='.[0].NetworkSettings | {IPAddress, Gateway, n3: (.Networks.n3 | {IPAddress, IPPrefixLen, Gateway, MacAddress})}' _step jq_part "$t" inspect c1
	step "$t" rm c1
	step "$t" create --network n3 --ip bogus --name c5 "$img" true
	step "$t" create --network n3 --mac-address bogus --name c4 "$img" true
	step "$t" ps -a --format '{{.Names}}'
	step "$t" network rm n2 n3
}

@test "network create --ipv6 with an IPv6 subnet alone lists it before the IPv4 one chosen for it, as Podman; a container that does not run shows no addresses; a bad --ip and --mac-address in Podman's words" {
	audit_compare_expected network_sequence <<-'EOF'
		$ network create --ipv6 --subnet fd00:251:71::/64 --interface-name fa5n71 n2 -> 0
		  out: n2
		$ network inspect n2 -> 0
		  out: {"v6":[true,false],"first":{"subnet":"fd00:251:71::/64","gateway":"fd00:251:71::1"},"ipv6_enabled":true}
		$ network create --subnet 10.251.72.0/24 --interface-name fa5n72 n3 -> 0
		  out: n3
		$ create --network n3 --ip 10.251.72.6 --mac-address 02:11:22:33:44:66 --name c1 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect c1 -> 0
		  out: {"IPAddress":"","Gateway":"","n3":{"IPAddress":"","IPPrefixLen":0,"Gateway":"","MacAddress":""}}
		$ rm c1 -> 0
		  out: c1
		$ create --network n3 --ip bogus --name c5 localhost/ferry-test:latest true -> 125
		  err: Error: "bogus" is not an ip address: give an IPv4 address
		$ create --network n3 --mac-address bogus --name c4 localhost/ferry-test:latest true -> 125
		  err: Error: address bogus: invalid MAC address: use six hex pairs like 02:42:0a:59:00:02
		$ ps -a --format {{.Names}} -> 0
		$ network rm n2 n3 -> 0
		  out: n2
		  out: n3
	EOF
}
