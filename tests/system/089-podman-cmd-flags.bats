#!/usr/bin/env bats
# Podman's flags on everyday commands: --filter on stop, start, restart,
# pause, unpause and rm (the keys of ps --filter), rm --depend and --time,
# rmi --all, --ignore and --no-prune, volume rm --time, inspect --type,
# --size and --latest, port --all and --latest, diff --format and --latest,
# logs --latest and --color, version --format, exec --latest.  Each
# sequence runs in ferry and is compared with what Podman 5.4 printed (kept
# below) and, where Podman is installed, with Podman run live.

load helpers
load podman-helpers

bats_require_minimum_version 1.5.0

teardown() {
	podman_teardown
	ferry_teardown
}

# As step, with the JSON tool $1 prints put on one line: ferry indents by
# two spaces where Podman indents by five.
jstep() {
	local tool=$1 rc=0
	shift
	"$tool" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
	{
		echo "\$ $* -> $rc"
		python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)))' <"$TEST_TMP/out" |
			sed -f "$TEST_TMP/$tool.sed" | sed 's/^/  json: /'
		sed 's/^/  err: /' "$TEST_TMP/err"
	} >>"$TEST_TMP/$tool.log"
}

# As step, control characters shown as cat -v shows them (^[ for ESC),
# and the lines sorted: Podman writes the logs of several containers in
# whatever order its readers get to them.
vstep() {
	local tool=$1 rc=0
	shift
	"$tool" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
	{
		echo "\$ $* -> $rc"
		sed -f "$TEST_TMP/$tool.sed" "$TEST_TMP/out" | cat -v | LC_ALL=C sort | sed 's/^/  out: /'
		sed 's/^/  err: /' "$TEST_TMP/err"
	} >>"$TEST_TMP/$tool.log"
}

# Runs SEQUENCE with ferry, compares its transcript with EXPECTED (the
# test's heredoc in $TEST_TMP/expected.log) and, with Podman installed,
# with Podman's live.
compare_with_podman() {
	local sequence=$1
	load_test_image
	touch "$TEST_TMP/f.sed" "$TEST_TMP/podman_t.sed"
	"$sequence" f
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		"$sequence" podman_t
		diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
	fi
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
}

filter_sequence() {
	local t=$1
	make_ctr "$t" a run --label x=1 -- sleep 1000
	make_ctr "$t" b create -- true
	make_ctr "$t" c run --label x=2 -- sleep 1000
	step "$t" pause --filter label=x=1
	step "$t" pause -f label=x=1
	step "$t" unpause --filter name=a
	step "$t" unpause --filter name=zz
	step "$t" stop --filter name=zz
	step "$t" stop -t 0 --filter label=x=1
	step "$t" stop -t 0 --filter label=x=1
	step "$t" start --filter name=a
	step "$t" start --filter name=c c
	step "$t" start --filter name=c a
	step "$t" stop -t 0 --filter name=a --filter name=b --filter label=x --all
	step "$t" stop --filter name=b --latest
	step "$t" stop --filter bogus=1
	step "$t" stop --filter status=sleeping
	step "$t" stop --filter name=a c
	step "$t" restart -t 0 --filter label=x=2
	step "$t" pause --filter name=b
	step "$t" rm --filter name=c
	step "$t" rm --filter name=a -a
	step "$t" rm -f -t 0 --filter label=x=2
	step "$t" ps -a --format '{{.Names}} {{.State}}'
}

@test "stop, start, restart, pause, unpause and rm --filter as Podman's: every container that passes, by ID" {
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ pause --filter label=x=1 -> 0
		  out: <a>
		$ pause -f label=x=1 -> 125
		  err: Error: "<a>" is already paused: container state improper
		$ unpause --filter name=a -> 0
		  out: <a>
		$ unpause --filter name=zz -> 0
		$ stop --filter name=zz -> 0
		$ stop -t 0 --filter label=x=1 -> 0
		  out: <a>
		$ stop -t 0 --filter label=x=1 -> 0
		  out: <a>
		$ start --filter name=a -> 0
		  out: <a>
		$ start --filter name=c c -> 0
		  out: c
		$ start --filter name=c a -> 0
		$ stop -t 0 --filter name=a --filter name=b --filter label=x --all -> 0
		  out: <a>
		$ stop --filter name=b --latest -> 0
		  out: <b>
		$ stop --filter bogus=1 -> 125
		  err: Error: bogus is an invalid filter
		$ stop --filter status=sleeping -> 125
		  err: Error: unknown container state: sleeping: invalid argument
		$ stop --filter name=a c -> 125
		  err: Error: --filter takes no arguments
		$ restart -t 0 --filter label=x=2 -> 0
		  out: <c>
		$ pause --filter name=b -> 125
		  err: Error: "created" is not running, can't pause: container state improper
		$ rm --filter name=c -> 2
		  err: Error: cannot remove container <c> as it is running - running or paused containers cannot be removed without force: container state improper
		$ rm --filter name=a -a -> 0
		  out: <a>
		$ rm -f -t 0 --filter label=x=2 -> 0
		  out: <c>
		$ ps -a --format {{.Names}} {{.State}} -> 0
		  out: b created
	EOF
	compare_with_podman filter_sequence
}

rm_sequence() {
	local t=$1
	make_ctr "$t" a run -- sleep 1000
	make_ctr "$t" b create --network container:a -- true
	make_ctr "$t" c run -- sleep 1000
	step "$t" rm -t 0 c
	step "$t" rm a
	step "$t" stop -t 0 a
	step "$t" rm a
	step "$t" rm -f a
	step "$t" start a
	step "$t" rm --depend a
	# Podman removes a container and its dependents in parallel: its lines
	# come in any order.
	vstep "$t" rm -f -t 0 --depend a
	step "$t" rm --depend nosuch
	step "$t" rm -f -t 0 --depend nosuch
	step "$t" rm -f -t 1 c
	step "$t" ps -a --format '{{.Names}}'
}

@test "rm --depend and --time as Podman's: dependents refuse a removal or go first; -t needs -f" {
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ rm -t 0 c -> 125
		  err: Error: --force option must be specified to use the --time option
		$ rm a -> 2
		  err: Error: cannot remove container <a> as it is running - running or paused containers cannot be removed without force: container state improper
		$ stop -t 0 a -> 0
		  out: a
		$ rm a -> 125
		  err: Error: container <a> has dependent containers which must be removed before it: <b>: container already exists
		$ rm -f a -> 125
		  err: Error: container <a> has dependent containers which must be removed before it: <b>: container already exists
		$ start a -> 0
		  out: a
		$ rm --depend a -> 2
		  err: Error: cannot remove container <a> as it is running - running or paused containers cannot be removed without force: container state improper
		$ rm -f -t 0 --depend a -> 0
		  out: <b>
		  out: a
		$ rm --depend nosuch -> 1
		  err: Error: no container with ID or name "nosuch" found: no such container
		$ rm -f -t 0 --depend nosuch -> 0
		$ rm -f -t 1 c -> 0
		  out: c
		  err: time=T level=warning msg="StopSignal SIGTERM failed to stop container c in 1 seconds, resorting to SIGKILL"
		$ ps -a --format {{.Names}} -> 0
	EOF
	compare_with_podman rm_sequence
}

@test "rm --all takes dependents along, nested ones too; --filter does not" {
	load_test_image
	f run -d --name a ferry-test sleep 1000 >/dev/null
	f create --name b --network container:a ferry-test true >/dev/null
	f create --name c --network container:b ferry-test true >/dev/null
	run_ferry rm -f -t 0 --filter name=a
	assert_status 125
	assert_one_line_error
	assert_output_contains "has dependent containers which must be removed before it: $(f inspect --format '{{.Id}}' b)"
	[ "$(f ps -a -q | wc -l)" = 3 ]
	run_ferry rm -f -t 0 --depend --filter name=a
	assert_status 0
	[ "$(echo "$output" | wc -l)" = 3 ]
	[ -z "$(f ps -a -q)" ]
	f run -d --name a ferry-test sleep 1000 >/dev/null
	f create --name b --network container:a ferry-test true >/dev/null
	f create --name c --network container:b ferry-test true >/dev/null
	f stop -t 0 a >/dev/null
	run_ferry rm -a
	assert_status 0
	[ "$(echo "$output" | sort | uniq | wc -l)" = 3 ]
	[ -z "$(f ps -a -q)" ]
}

rmi_sequence() {
	local t=$1
	make_ctr "$t" a run -- sleep 1000
	step "$t" rmi -i nosuch
	step "$t" rmi -i nosuch localhost/nosuch:2
	step "$t" rmi nosuch
	step "$t" rmi -a nosuch
	step "$t" rmi --no-prune nosuch
	"$t" tag localhost/ferry-test:latest localhost/two:1
	step "$t" rmi --no-prune localhost/two:1
	step "$t" rm -f -t 0 a
	step "$t" rmi -a
	step "$t" rmi -a
	step "$t" images -a --format '{{.ID}}'
}

@test "rmi --all, --ignore and --no-prune as Podman's: every image, each with its names; unknown ones passed over" {
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ rmi -i nosuch -> 0
		$ rmi -i nosuch localhost/nosuch:2 -> 0
		$ rmi nosuch -> 1
		  err: Error: nosuch: image not known
		$ rmi -a nosuch -> 125
		  err: Error: when using the --all switch, you may not pass any images names or IDs
		$ rmi --no-prune nosuch -> 1
		  err: Error: nosuch: image not known
		$ rmi --no-prune localhost/two:1 -> 0
		  out: Untagged: localhost/two:1
		$ rm -f -t 0 a -> 0
		  out: a
		$ rmi -a -> 0
		  out: Untagged: localhost/ferry-test:latest
		  out: Deleted: 3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449
		$ rmi -a -> 0
		$ images -a --format {{.ID}} -> 0
	EOF
	compare_with_podman rmi_sequence
}

@test "rmi --all: an image in use stays (exit 2) unless -f, which takes its containers too" {
	load_test_image
	f tag ferry-test two:1
	f run -d --name a --stop-timeout 0 ferry-test sleep 1000 >/dev/null
	run_ferry rmi -a
	assert_status 2
	assert_one_line_error
	assert_output_contains "image is in use by a container"
	[ "$(f images -q | wc -l)" = 1 ]
	run_ferry rmi -a -f
	assert_status 0
	assert_output_contains "Untagged: localhost/two:1"
	assert_output_contains "Untagged: localhost/ferry-test:latest"
	assert_output_contains "Deleted: "
	[ -z "$(f images -q)" ]
	[ -z "$(f ps -aq)" ]
}

volume_rm_sequence() {
	local t=$1
	"$t" volume create v >/dev/null
	make_ctr "$t" a run -v v:/data -- sleep 1000
	step "$t" volume rm -t 0 v
	step "$t" volume rm v
	step "$t" volume rm -f -t 1 v
	step "$t" volume rm -f -t 0 nosuch
	step "$t" volume rm -f nosuch
	step "$t" volume rm nosuch
	step "$t" ps -a --format '{{.Names}}'
	step "$t" volume ls -q
}

@test "volume rm --time as Podman's: with -f, the stop signal and that long before SIGKILL; -f passes over unknown volumes" {
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ volume rm -t 0 v -> 125
		  err: Error: --force option must be specified to use the --time option
		$ volume rm v -> 2
		  err: Error: volume v is being used by the following container(s): <a>: volume is being used
		$ volume rm -f -t 1 v -> 0
		  out: v
		  err: time=T level=warning msg="StopSignal SIGTERM failed to stop container a in 1 seconds, resorting to SIGKILL"
		$ volume rm -f -t 0 nosuch -> 0
		$ volume rm -f nosuch -> 0
		$ volume rm nosuch -> 1
		  err: Error: no volume with name "nosuch" found: no such volume
		$ ps -a --format {{.Names}} -> 0
		$ volume ls -q -> 0
	EOF
	compare_with_podman volume_rm_sequence
}

inspect_sequence() {
	local t=$1
	"$t" volume create v >/dev/null
	"$t" network create cfnet >/dev/null
	make_ctr "$t" a run -- sleep 1000
	step "$t" inspect --type container --format '{{.Name}}' a
	step "$t" inspect --type image --format '{{.Id}}' a
	step "$t" inspect -t volume --format '{{.Name}}' v
	step "$t" inspect --type network --format '{{.Name}}' cfnet
	step "$t" inspect --type all --format '{{.Name}}' v
	step "$t" inspect --format '{{.Name}}' cfnet
	step "$t" inspect --format '{{.Name}}' a v nosuch
	step "$t" inspect --type volume a
	step "$t" inspect --type container v
	step "$t" inspect --type image nosuch
	step "$t" inspect --type network nosuch
	step "$t" inspect -l --format '{{.Name}}'
	step "$t" inspect -l a
	step "$t" inspect --type image -l
	step "$t" inspect --type image -s localhost/ferry-test
	step "$t" inspect --format '{{.SizeRootFs}}' a
	step "$t" inspect
	step "$t" container inspect
	step "$t" container inspect -l --format '{{.Name}}'
}

@test "inspect --type, --latest and --size as Podman's: one type or all, in Podman's order; its refusals" {
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ inspect --type container --format {{.Name}} a -> 0
		  out: a
		$ inspect --type image --format {{.Id}} a -> 125
		  err: Error: a: image not known
		$ inspect -t volume --format {{.Name}} v -> 0
		  out: v
		$ inspect --type network --format {{.Name}} cfnet -> 0
		  out: cfnet
		$ inspect --type all --format {{.Name}} v -> 0
		  out: v
		$ inspect --format {{.Name}} cfnet -> 0
		  out: cfnet
		$ inspect --format {{.Name}} a v nosuch -> 125
		  out: a
		  out: v
		  err: Error: no such object: "nosuch"
		$ inspect --type volume a -> 125
		  out: []
		  err: Error: no such volume a
		$ inspect --type container v -> 125
		  out: []
		  err: Error: no such container v
		$ inspect --type image nosuch -> 125
		  out: []
		  err: Error: nosuch: image not known
		$ inspect --type network nosuch -> 125
		  out: []
		  err: Error: network nosuch: unable to find network with name or ID nosuch: network not found
		$ inspect -l --format {{.Name}} -> 0
		  out: a
		$ inspect -l a -> 125
		  err: Error: --latest and arguments cannot be used together
		$ inspect --type image -l -> 125
		  err: Error: latest is not supported for type "image"
		$ inspect --type image -s localhost/ferry-test -> 125
		  err: Error: size is not supported for type "image"
		$ inspect --format {{.SizeRootFs}} a -> 0
		  out: 0
		$ inspect -> 125
		  err: Error: no names or ids specified
		$ container inspect -> 125
		  err: Error: no names or ids specified
		$ container inspect -l --format {{.Name}} -> 0
		  out: a
	EOF
	compare_with_podman inspect_sequence
}

@test "inspect --size: SizeRw (the container's own bytes) and SizeRootFs (with its image's), before Mounts" {
	load_test_image
	f run -d --name a ferry-test sh -c 'head -c 100000 /dev/zero >/big; sleep 1000' >/dev/null
	for i in 1 2 3 4 5 6 7 8 9 10; do f exec a test -s /big && break; sleep 0.2; done
	rw=$(f inspect -s --format '{{.SizeRw}}' a)
	rootfs=$(f container inspect -l -s --format '{{.SizeRootFs}}')
	image=$(f image inspect --format '{{.Size}}' ferry-test)
	[ "$rw" -ge 100000 ]
	[ "$rootfs" = $((rw + image)) ]
	# Where Podman's JSON has them; without --size it has none.
	f inspect -s a | python3 -c '
import json, sys
keys = list(json.load(sys.stdin)[0])
assert keys.index("SizeRw") + 2 == keys.index("Mounts"), keys'
	run_ferry inspect a
	assert_status 0
	! echo "$output" | grep -q SizeRw || false
	# ferry has no pods: none is found, in Podman's words for one it
	# does not have.
	run_ferry inspect --type pod --format '{{.Name}}' a
	assert_status 125
	assert_one_line_error
	[ "$output" = "Error: no such pod a" ]
}

port_sequence() {
	local t=$1
	step "$t" port -l
	step "$t" port -a
	step "$t" port -a x
	step "$t" port
	make_ctr "$t" a run -- sleep 1000
	step "$t" port -l
	step "$t" port -l 80
	step "$t" port -a
}

@test "port --all and --latest as Podman's: refusals, and nothing to say without published ports" {
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ port -l -> 125
		  err: Error: no such container
		$ port -a -> 0
		$ port -a x -> 125
		  err: Error: no arguments are needed with --all
		$ port -> 125
		  err: Error: you must supply a running container name or id
		$ port -l -> 0
		$ port -l 80 -> 0
		$ port -a -> 0
	EOF
	compare_with_podman port_sequence
}

@test "port --all lists every running container's published ports after its ID; --latest the last one's" {
	load_test_image
	p=$((20000 + $(net_number) * 10))
	f run -d --name web --network bridge -p "$p:8080" -p "$((p + 1)):9090/udp" ferry-test sleep 1000 >/dev/null
	# A container that does not run publishes nothing, as in Podman.
	f create --name later --network bridge -p "$((p + 2)):7070" ferry-test sleep 1000 >/dev/null
	id=$(f inspect --format '{{.Id}}' web)
	run_ferry port -a
	assert_status 0
	[ "$output" = "$(printf '%s\t8080/tcp -> 0.0.0.0:%s\n%s\t9090/udp -> 0.0.0.0:%s' "${id:0:12}" "$p" "${id:0:12}" $((p + 1)))" ]
	[ -z "$(f port -l 7070)" ]
	f start later >/dev/null
	[ "$(f port -l 7070)" = "0.0.0.0:$((p + 2))" ]
	run_ferry port -l 8080
	assert_status 125
	assert_one_line_error
	assert_output_contains 'failed to find published port "8080"'
	f rm -f -t 0 later >/dev/null
	[ "$(f port -l 9090/udp)" = "0.0.0.0:$((p + 1))" ]
	# Removed by ferry, which takes its firewall rules down with it (the
	# teardown's kill would leave them).
	f rm -f -t 0 web >/dev/null
}

diff_sequence() {
	local t=$1
	step "$t" diff -l
	make_ctr "$t" d run -- sh -c 'echo x >/new; mkdir -p /tmp/q; touch /etc/passwd; rm -rf /opt/olddir'
	"$t" wait d >/dev/null
	step "$t" diff d
	jstep "$t" diff --format json d
	step "$t" diff -l
	jstep "$t" diff --latest --format json
	make_ctr "$t" e create -- true
	step "$t" diff --format json -l
	step "$t" diff --format bogus d
	step "$t" diff --format '{{.Path}}' d
	step "$t" diff -l d
}

@test "diff --format json and --latest as Podman's: kinds without paths left out; refusals" {
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ diff -l -> 125
		  err: Error: unable to get latest container: no such container
		$ diff d -> 0
		  out: C /etc
		  out: C /etc/passwd
		  out: A /new
		  out: C /opt
		  out: D /opt/olddir
		  out: C /tmp
		  out: A /tmp/q
		$ diff --format json d -> 0
		  json: {"changed": ["/etc", "/etc/passwd", "/opt", "/tmp"], "added": ["/new", "/tmp/q"], "deleted": ["/opt/olddir"]}
		$ diff -l -> 0
		  out: C /etc
		  out: C /etc/passwd
		  out: A /new
		  out: C /opt
		  out: D /opt/olddir
		  out: C /tmp
		  out: A /tmp/q
		$ diff --latest --format json -> 0
		  json: {"changed": ["/etc", "/etc/passwd", "/opt", "/tmp"], "added": ["/new", "/tmp/q"], "deleted": ["/opt/olddir"]}
		$ diff --format json -l -> 0
		  out: {}
		$ diff --format bogus d -> 125
		  err: Error: only supported value for '--format' is 'json'
		$ diff --format {{.Path}} d -> 125
		  err: Error: only supported value for '--format' is 'json'
		$ diff -l d -> 125
		  err: Error: --latest and containers cannot be used together
	EOF
	compare_with_podman diff_sequence
	run_ferry diff
	assert_status 125
	assert_output_contains '"ferry diff" requires a name, id, or the "--latest" flag'
}

logs_sequence() {
	local t=$1 i names=()
	step "$t" logs -l
	for i in 1 2 3 4 5 6 7 8; do
		make_ctr "$t" "l$i" run -- echo "line $i"
		"$t" wait "l$i" >/dev/null
		names+=("l$i")
	done
	step "$t" logs -l
	step "$t" logs --latest l1
	vstep "$t" logs --color l1
	vstep "$t" logs --color -n "${names[@]}"
	vstep "$t" logs --color=false -n l1 l2
	vstep "$t" logs -l -n --color
	vstep "$t" logs --color l3 l3
}

@test "logs --latest and --color as Podman's: one colour per container named, over again after seven" {
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ logs -l -> 125
		  err: Error: no such container
		$ logs -l -> 0
		  out: line 8
		$ logs --latest l1 -> 125
		  err: Error: --latest and containers cannot be used together
		$ logs --color l1 -> 0
		  out: ^[[37mline 1^[[0m
		$ logs --color -n l1 l2 l3 l4 l5 l6 l7 l8 -> 0
		  out: ^[[31ml2 line 2^[[0m
		  out: ^[[32ml7 line 7^[[0m
		  out: ^[[33ml3 line 3^[[0m
		  out: ^[[34ml4 line 4^[[0m
		  out: ^[[35ml5 line 5^[[0m
		  out: ^[[36ml6 line 6^[[0m
		  out: ^[[37ml1 line 1^[[0m
		  out: ^[[37ml8 line 8^[[0m
		$ logs --color=false -n l1 l2 -> 0
		  out: l1 line 1
		  out: l2 line 2
		$ logs -l -n --color -> 0
		  out: ^[[37mline 8^[[0m
		$ logs --color l3 l3 -> 0
		  out: ^[[31m<l3> line 3^[[0m
		  out: ^[[37m<l3> line 3^[[0m
	EOF
	compare_with_podman logs_sequence
}

@test "version --format: Podman's structure as far as ferry has it; .Server as .Client; json the client only" {
	[ "$(f version --format '{{.Client.Version}}')" = "$(f --version | sed 's/^ferry version //')" ]
	# Without a format, Podman's table, its Go build's lines left out.
	f version >"$TEST_TMP/f.version"
	cat >"$TEST_TMP/want.version" <<-EOF
		Client:        ferry
		Version:       $(f version --format '{{.Client.Version}}')
		API Version:   $(f version --format '{{.Client.APIVersion}}')
		OS/Arch:       $(f version --format '{{.Client.OsArch}}')
	EOF
	diff -u "$TEST_TMP/want.version" "$TEST_TMP/f.version"
	if command -v podman >/dev/null; then
		podman_t version | grep -v '^Go Version:\|^Built:\|^Build Origin:' | cut -c1-15 >"$TEST_TMP/p.keys"
		cut -c1-15 "$TEST_TMP/f.version" | diff -u "$TEST_TMP/p.keys" -
	fi
	[ "$(f version --format '{{.Server.Version}}|{{.Server.APIVersion}}')" = "$(f version --format '{{.Client.Version}}|{{.Client.Version}}')" ]
	# As Podman's: .Server only in a template that does not name .Client.
	run_ferry version --format '{{.Server.Version}}|{{.Client.APIVersion}}'
	assert_status 125
	f version --format json | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert list(v) == ["Client"], v
assert v["Client"]["Os"] == "linux" and v["Client"]["OsArch"].startswith("linux/"), v'
	[ "$(f version --format '{{json .}}')" = "$(f version --format json)" ]
	run_ferry version --format '{{.Bogus}}'
	assert_status 125
	assert_one_line_error
	assert_output_contains "can't evaluate field Bogus"
	[ "$(f version --format '{{.Version}} {{.OsArch}}')" = "$(f version --format '{{.Client.Version}} {{.Client.OsArch}}')" ]
	if command -v podman >/dev/null; then
		for fmt in '{{.Client.Os}} {{.Client.OsArch}}' '{{.Server.OsArch}}' '{{.Os}}'; do
			[ "$(f version --format "$fmt")" = "$(podman_t version --format "$fmt")" ]
		done
		podman_t version --format '{{.Client.Version}} {{.Client.APIVersion}}' | grep -Eq '^[0-9.]+ [0-9.]+$'
		[ "$(podman_t version --format json | python3 -c 'import json, sys; print(list(json.load(sys.stdin)))')" = "['Client']" ]
	fi
}

exec_sequence() {
	local t=$1
	step "$t" exec -l echo hi
	make_ctr "$t" e1 run -- sleep 1000
	step "$t" exec -l echo hi
	step "$t" exec -l -e X=1 sh -c 'echo $X; exit 3'
	step "$t" exec -l
}

@test "exec --latest as Podman's: every argument is the command; refusals" {
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ exec -l echo hi -> 125
		  err: Error: no such container
		$ exec -l echo hi -> 0
		  out: hi
		$ exec -l -e X=1 sh -c echo $X; exit 3 -> 3
		  out: 1
		$ exec -l -> 125
		  err: Error: must provide a non-empty command to start an exec session: invalid argument
	EOF
	compare_with_podman exec_sequence
}

start_attach_sequence() {
	local t=$1
	make_ctr "$t" a create -- echo hi
	make_ctr "$t" a2 create -- echo hi2
	step "$t" start -a --filter name=zz
	step "$t" start -a --filter name=a
	step "$t" start -a --filter name=a2 a
	step "$t" ps -a --format '{{.Names}} {{.State}}'
}

@test "start --attach --filter as Podman's: the first container that passes, attached; none, nothing" {
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ start -a --filter name=zz -> 0
		$ start -a --filter name=a -> 0
		  out: hi
		$ start -a --filter name=a2 a -> 0
		$ ps -a --format {{.Names}} {{.State}} -> 0
		  out: a exited
		  out: a2 created
	EOF
	compare_with_podman start_attach_sequence
}

@test "image prune --filter takes images' filters, as Podman's" {
	load_test_image
	f tag ferry-test keep:1
	f create --name src ferry-test true >/dev/null
	f commit -q -c 'LABEL team=db' src labelled:1 >/dev/null
	f rm src >/dev/null
	# Podman's words for bad filters (5.4.2 on this machine).
	run_ferry image prune -f --filter bogus=1
	assert_status 125
	[ "$output" = 'Error: invalid image filter "bogus": must be in the format "filter=value or filter!=value"' ]
	run_ferry image prune -f --filter until=xx
	assert_status 125
	[ "$output" = 'Error: failed to parse value as time or duration: "xx"' ]
	# Only what passes goes: the labelled image, not the others.
	before=$(f images -q | sort)
	id=$(f image inspect --format '{{.Id}}' labelled:1)
	run_ferry image prune -a -f --filter label=team=db
	assert_status 0
	[ "$output" = "$id" ]
	[ "$(f images -q | sort)" = "$(grep -v "^${id:0:12}" <<<"$before")" ]
	run_ferry image prune -a -f --filter label=team=db
	[ -z "$output" ]
	f image exists keep:1
}
