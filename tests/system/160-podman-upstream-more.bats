#!/usr/bin/env bats
# Behaviours that Podman's own system tests pin (280-update, 500-networking,
# 195-run-namespaces, 190-run-ipcns, 800-config, 005-info, 001-basic) and
# ferry did otherwise: a -w on the way to a mount's destination;
# containers.conf's dns_servers, dns_searches and dns_options; rm of a
# container whose PID, IPC, UTS or cgroup namespace another joined;
# --cgroupns container:NAME; --ipc container:NAME of a private IPC
# namespace.  Each test checks ferry against the transcript Podman 5.4
# gives, and, where Podman is installed, against Podman live.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers

podman_hooks_for_every_test

IMG=localhost/ferry-test:latest

# The IDs of containers NAME... of TOOL $1 shown as <NAME> in what a
# sequence prints afterwards (through ids_shown).
remember_ids() {
	local t=$1 name id
	shift
	for name in "$@"; do
		id=$("$t" inspect --format '{{.Id}}' "$name")
		echo "s/$id/<$name>/g; s/${id:0:12}/<$name>/g" >>"$TEST_TMP/$t.ids"
	done
}

ids_shown() {
	if [ -f "$TEST_TMP/$1.ids" ]; then sed -f "$TEST_TMP/$1.ids"; else cat; fi
}

# TOOL $1 running the rest: the command, its exit code and its output
# (standard error among it) on the lines after, IDs as <NAME>.
show() {
	local t=$1 rc=0 out
	shift
	out=$("$t" "$@" 2>&1) || rc=$?
	echo "\$ $* -> $rc" | sed "s#$TEST_TMP#TMP#g"
	[ -z "$out" ] || printf '%s\n' "$out" | sed -e "s#$TEST_TMP#TMP#g" -e "s/'\(podman\|ferry\) /'TOOL /" | ids_shown "$t" |
		sed 's/^/  /'
}

workdir_sequence() {
	local t=$1 w
	echo hello >"$TEST_TMP/index.txt"
	for w in /var/www /var/www/ /var /var/www/sub /var/ww; do
		show "$t" run --rm --network none -v "$TEST_TMP/index.txt:/var/www/sub/index.txt" -w "$w" $IMG pwd |
			sed 's/^\(  Error: workdir "[^"]*" does not exist on container\) .*/\1 ID/'
	done
}

@test "a -w on the way to a mount's destination is there when the process starts, as Podman (500-networking's httpd in /var/www)" {
	compare_output_with_podman workdir_sequence <<-'EOF'
		$ run --rm --network none -v TMP/index.txt:/var/www/sub/index.txt -w /var/www localhost/ferry-test:latest pwd -> 0
		  /var/www
		$ run --rm --network none -v TMP/index.txt:/var/www/sub/index.txt -w /var/www/ localhost/ferry-test:latest pwd -> 0
		  /var/www
		$ run --rm --network none -v TMP/index.txt:/var/www/sub/index.txt -w /var localhost/ferry-test:latest pwd -> 0
		  /var
		$ run --rm --network none -v TMP/index.txt:/var/www/sub/index.txt -w /var/www/sub localhost/ferry-test:latest pwd -> 0
		  /var/www/sub
		$ run --rm --network none -v TMP/index.txt:/var/www/sub/index.txt -w /var/ww localhost/ferry-test:latest pwd -> 126
		  Error: workdir "/var/ww" does not exist on container ID
	EOF
}

dns_sequence() {
	local t=$1
	show "$t" run --rm --network bridge $IMG cat /etc/resolv.conf
	show "$t" run --rm --network bridge --dns 192.0.2.9 --dns-search foo.example --dns-option edns0 $IMG cat /etc/resolv.conf
	show "$t" run --rm --network bridge --dns-search . $IMG cat /etc/resolv.conf
	show "$t" run --rm --network none $IMG cat /etc/resolv.conf
	show "$t" run --rm --network bridge --dns none $IMG cat /etc/resolv.conf
	"$t" create --name d --network bridge $IMG true >/dev/null
	show "$t" inspect --format '{{.HostConfig.Dns}} {{.HostConfig.DnsSearch}} {{.HostConfig.DnsOptions}}' d
	"$t" rm d >/dev/null
}

@test "containers.conf's dns_servers, dns_searches and dns_options come before the container's own in resolv.conf, as Podman's (500-networking's CONTAINERS_CONF dns options)" {
	cat >>"$CONTAINERS_CONF" <<-'EOF'
		[containers]
		dns_servers = ["192.0.2.1", "192.0.2.2"]
		dns_searches = ["example.com"]
		dns_options = ["ndots:4"]
	EOF
	compare_output_with_podman dns_sequence <<-'EOF'
		$ run --rm --network bridge localhost/ferry-test:latest cat /etc/resolv.conf -> 0
		  search example.com
		  nameserver 192.0.2.1
		  nameserver 192.0.2.2
		  options ndots:4
		$ run --rm --network bridge --dns 192.0.2.9 --dns-search foo.example --dns-option edns0 localhost/ferry-test:latest cat /etc/resolv.conf -> 0
		  search example.com foo.example
		  nameserver 192.0.2.1
		  nameserver 192.0.2.2
		  nameserver 192.0.2.9
		  options ndots:4 edns0
		$ run --rm --network bridge --dns-search . localhost/ferry-test:latest cat /etc/resolv.conf -> 0
		  nameserver 192.0.2.1
		  nameserver 192.0.2.2
		  options ndots:4
		$ run --rm --network none localhost/ferry-test:latest cat /etc/resolv.conf -> 1
		  cat: can't open '/etc/resolv.conf': No such file or directory
		$ run --rm --network bridge --dns none localhost/ferry-test:latest cat /etc/resolv.conf -> 1
		  cat: can't open '/etc/resolv.conf': No such file or directory
		$ inspect --format {{.HostConfig.Dns}} {{.HostConfig.DnsSearch}} {{.HostConfig.DnsOptions}} d -> 0
		  [] [] []
	EOF
}

dependents_sequence() {
	local t=$1 m
	for m in pid ipc uts cgroupns; do
		"$t" run -d --name peer --network none $IMG sleep 1000 >/dev/null
		"$t" create --name joined --network none --$m container:peer $IMG true >/dev/null
		remember_ids "$t" peer joined
		show "$t" rm -f -t 0 peer
		show "$t" ps -a --format '{{.Names}}' --sort names
		# Podman removes the two in parallel: its lines come in any order
		# (sorted: the command's own line comes last).
		show "$t" rm -f -t 0 --depend peer | LC_ALL=C sort
		show "$t" ps -a --format '{{.Names}}'
		rm -f "$TEST_TMP/$t.ids"
	done
}

@test "rm refuses to orphan a container that joined another's PID, IPC, UTS or cgroup namespace, and rm --depend takes it first, as Podman's" {
	compare_output_with_podman dependents_sequence <<-'EOF'
		$ rm -f -t 0 peer -> 125
		  Error: container <peer> has dependent containers which must be removed before it: <joined>: container already exists
		$ ps -a --format {{.Names}} --sort names -> 0
		  joined
		  peer
		  <joined>
		  peer
		$ rm -f -t 0 --depend peer -> 0
		$ ps -a --format {{.Names}} -> 0
		$ rm -f -t 0 peer -> 125
		  Error: container <peer> has dependent containers which must be removed before it: <joined>: container already exists
		$ ps -a --format {{.Names}} --sort names -> 0
		  joined
		  peer
		  <joined>
		  peer
		$ rm -f -t 0 --depend peer -> 0
		$ ps -a --format {{.Names}} -> 0
		$ rm -f -t 0 peer -> 125
		  Error: container <peer> has dependent containers which must be removed before it: <joined>: container already exists
		$ ps -a --format {{.Names}} --sort names -> 0
		  joined
		  peer
		  <joined>
		  peer
		$ rm -f -t 0 --depend peer -> 0
		$ ps -a --format {{.Names}} -> 0
		$ rm -f -t 0 peer -> 125
		  Error: container <peer> has dependent containers which must be removed before it: <joined>: container already exists
		$ ps -a --format {{.Names}} --sort names -> 0
		  joined
		  peer
		  <joined>
		  peer
		$ rm -f -t 0 --depend peer -> 0
		$ ps -a --format {{.Names}} -> 0
	EOF
}

cgroupns_sequence() {
	local t=$1 mode own joined
	for mode in private host; do
		"$t" run -d --name peer --network none --cgroupns $mode $IMG sh -c 'readlink /proc/self/ns/cgroup; sleep 1000' >/dev/null
		remember_ids "$t" peer
		joined=$("$t" run --rm --network none --cgroupns container:peer $IMG readlink /proc/self/ns/cgroup)
		wait_until "[ -n \"\$($t logs peer)\" ]"
		own=$("$t" logs peer)
		if [ "$own" = "$joined" ]; then echo "$mode: joined"; else echo "$mode: $own against $joined"; fi
		[ "$mode" = host ] && [ "$joined" = "$(readlink /proc/self/ns/cgroup)" ] && echo "$mode: the host's"
		"$t" create --name j --network none --cgroupns container:peer $IMG true >/dev/null
		show "$t" inspect --format '{{.HostConfig.CgroupMode}}' j
		"$t" rm -f -t 0 --depend peer >/dev/null
		rm -f "$TEST_TMP/$t.ids"
	done
	show "$t" create --network none --cgroupns container:nosuch $IMG true
	show "$t" ps -a --format '{{.Names}}'
}

@test "--cgroupns container:NAME joins that container's cgroup namespace, as Podman's (195-run-namespaces)" {
	compare_output_with_podman cgroupns_sequence <<-'EOF'
		private: joined
		$ inspect --format {{.HostConfig.CgroupMode}} j -> 0
		  container:<peer>
		host: joined
		host: the host's
		$ inspect --format {{.HostConfig.CgroupMode}} j -> 0
		  container:<peer>
		$ create --network none --cgroupns container:nosuch localhost/ferry-test:latest true -> 125
		  Error: looking up container to share cgroup namespace with: no container with name or ID "nosuch" found: no such container
		$ ps -a --format {{.Names}} -> 0
	EOF
}

ipc_sequence() {
	local t=$1
	"$t" run -d --name donor --network none --ipc private $IMG sleep 1000 >/dev/null
	"$t" run -d --name shared --network none --ipc shareable $IMG sleep 1000 >/dev/null
	remember_ids "$t" donor shared
	show "$t" run --rm --network none --ipc container:donor $IMG true
	show "$t" create --network none --ipc container:donor $IMG true
	show "$t" run --rm --network none --ipc container:shared $IMG true
	show "$t" ps -a --format '{{.Names}}' --sort names
	"$t" rm -f -t 0 donor shared >/dev/null
}

@test "--ipc container:NAME of a container with a private IPC namespace is refused at create, in Podman's words (190-run-ipcns)" {
	compare_output_with_podman ipc_sequence <<-'EOF'
		$ run --rm --network none --ipc container:donor localhost/ferry-test:latest true -> 125
		  Error: joining IPC of container <donor> is not allowed: non-shareable IPC (hint: use IpcMode:shareable for the donor container)
		$ create --network none --ipc container:donor localhost/ferry-test:latest true -> 125
		  Error: joining IPC of container <donor> is not allowed: non-shareable IPC (hint: use IpcMode:shareable for the donor container)
		$ run --rm --network none --ipc container:shared localhost/ferry-test:latest true -> 0
		$ ps -a --format {{.Names}} --sort names -> 0
		  donor
		  shared
	EOF
}

annotations_sequence() {
	local t=$1
	"$t" create --name an1 --annotation b=3 --annotation c=4 $IMG true >/dev/null
	"$t" create --name an2 $IMG true >/dev/null
	for c in an1 an2; do
		show "$t" inspect --format '{{index .Config.Annotations "a"}}|{{index .Config.Annotations "b"}}|{{index .Config.Annotations "c"}}|{{index .Config.Annotations "bad"}}|{{index .Config.Annotations "k"}}' "$c"
	done
	"$t" rm an1 an2 >/dev/null
}

@test "containers.conf's annotations are every container's, under its own --annotation, as Podman's (800-config)" {
	cat >>"$CONTAINERS_CONF" <<-'EOF'
		[containers]
		annotations = ["a=1", "b=2", "bad", "k=v=w"]
	EOF
	compare_output_with_podman annotations_sequence <<-'EOF'
		$ inspect --format {{index .Config.Annotations "a"}}|{{index .Config.Annotations "b"}}|{{index .Config.Annotations "c"}}|{{index .Config.Annotations "bad"}}|{{index .Config.Annotations "k"}} an1 -> 0
		  1|3|4||v=w
		$ inspect --format {{index .Config.Annotations "a"}}|{{index .Config.Annotations "b"}}|{{index .Config.Annotations "c"}}|{{index .Config.Annotations "bad"}}|{{index .Config.Annotations "k"}} an2 -> 0
		  1|2|||v=w
	EOF
}

module_sequence() {
	local t=$1
	"$t" --module="$TEST_TMP/m1.conf" create --name mo1 $IMG true >/dev/null
	show "$t" inspect --format '{{index .Config.Annotations "module"}}' mo1
	"$t" --module="$TEST_TMP/m1.conf" --module="$TEST_TMP/m2.conf" create --name mo2 $IMG true >/dev/null
	show "$t" inspect --format '{{index .Config.Annotations "module"}} {{index .Config.Annotations "second"}}' mo2
	show "$t" create --module="$TEST_TMP/m1.conf" $IMG true
	"$t" rm mo1 mo2 >/dev/null
}

@test "--module reads a containers.conf module before the command, later modules winning, as Podman's (800-config)" {
	printf "[containers]\nannotations=['module=m1']\n" >"$TEST_TMP/m1.conf"
	printf "[containers]\nannotations=['module=m2', 'second=yes']\n" >"$TEST_TMP/m2.conf"
	compare_output_with_podman module_sequence <<-'EOF'
		$ inspect --format {{index .Config.Annotations "module"}} mo1 -> 0
		  m1
		$ inspect --format {{index .Config.Annotations "module"}} {{index .Config.Annotations "second"}} mo2 -> 0
		  m2 yes
		$ create --module=TMP/m1.conf localhost/ferry-test:latest true -> 125
		  Error: unknown flag: --module
		  See 'TOOL create --help'
	EOF
	# A module that is not there: Podman's words and exit status 1, no
	# Error: before them.
	run_ferry --module="$TEST_TMP/none,comma" nosuchcommand
	assert_status 1
	[ "$output" = "Failed to obtain ferry configuration: could not resolve module \"$TEST_TMP/none,comma\": faccessat $TEST_TMP/none,comma: no such file or directory: give --module an absolute path or the name of a file in /etc/containers/containers.conf.modules" ]
	if command -v podman >/dev/null; then
		run podman_t --module="$TEST_TMP/none,comma" nosuchcommand
		[ "$status" -eq 1 ]
		[[ "$output" == "Failed to obtain podman configuration: could not resolve module \"$TEST_TMP/none,comma\": faccessat $TEST_TMP/none,comma: no such file or directory"* ]]
	fi
	# The second of two missing is not named: the first is the error.
	run_ferry --module="$TEST_TMP/none1" --module="$TEST_TMP/none2" ps
	assert_status 1
	assert_output_contains "none1"
	[[ "$output" != *none2* ]]
}

@test "a module removed while its container runs: the exit command's cleanup still unmounts the container, with a warning" {
	load_test_image
	printf "[containers]\nenv=['FROM_MODULE=yes']\n" >"$TEST_TMP/m.conf"
	mkdir "$TEST_TMP/go"
	# shellcheck disable=SC2016 # the container's shell expands it
	id=$(f --module="$TEST_TMP/m.conf" run -d --network none -v "$TEST_TMP/go:/go" ferry-test \
		sh -c 'while [ ! -e /go/now ]; do sleep 0.1; done; echo "$FROM_MODULE"')
	grep -q "$id" /proc/mounts
	mv "$TEST_TMP/m.conf" "$TEST_TMP/gone.conf"
	# conmon runs `ferry --module M container cleanup ID` once it exits;
	# no other ferry command runs meanwhile, so none settles it instead.
	touch "$TEST_TMP/go/now"
	# events opens no engine, so it settles nothing itself.  The cleanup
	# unmounts before it logs its event.
	wait_until "[ \"\$(f events --stream=false --filter event=cleanup --format '{{.ID}}')\" = $id ]" 30
	! grep -q "$id" /proc/mounts
	[ "$(f logs "$id")" = yes ]
	# Any other command with the missing module still fails at once.
	run_ferry --module="$TEST_TMP/m.conf" container inspect "$id"
	assert_status 1
	assert_output_contains "Failed to obtain ferry configuration"
	f rm "$id" >/dev/null
}
