#!/usr/bin/env bats
# What the third round of tests/lib/compare-podman.sh found ferry doing
# differently from Podman 5.4, now fixed.  Each sequence is compared with
# the transcript ferry printed once it matched Podman (kept below) and,
# where Podman is installed, with Podman run live: standard output whole,
# the first words of each error line.

load helpers
load podman-helpers

# Podman's locks in files of the test's own (its shared-memory lock table
# is shared with every other Podman run on the machine), and no network
# unless asked, as ferry's ferry.conf of the test says.
eval "helpers_$(declare -f setup)"
setup() {
	helpers_setup
	podman_file_locks
	printf '[containers]\nnetns = "none"\n' >>"$CONTAINERS_CONF"
}

# Bridges ftu<N> and ftu<N+1000>, subnets 10.212.<N>.0/24 and
# 10.212.<N+1>.0/24 (scripts/test.sh's leftovers check knows them); 10.214.<N>, 10.215.<N> and 10.216.0 only in networks
# refused.
teardown() {
	local n
	n=$(net_number)
	if [ -d "${ROOT:-/nonexistent}" ]; then f rm -af -t 0 >/dev/null 2>&1 || true; fi
	podman_teardown
	ip link del "ftu$n" 2>/dev/null || true
	ip link del "ftu$((n + 1000))" 2>/dev/null || true
	ferry_teardown
}

# Runs sequence function $1 with ferry, compares it with the expected
# transcript on stdin, then runs it with Podman where Podman is installed.
compare_with_podman() {
	local seq=$1
	cat >"$TEST_TMP/expected.log"
	N=$(net_number)
	load_test_image
	for t in f podman_t; do
		printf 's/10\\.\\(21[2-5]\\)\\.%s\\./10.\\1.N./g\ns/ftu%s\\b/ftuN/g\n' "$N" "$N" >"$TEST_TMP/$t.sed"
		printf 's/10\\.212\\.%s\\./10.212.M./g\ns/ftu%s\\b/ftuM/g\n' "$((N + 1))" "$((N + 1000))" >>"$TEST_TMP/$t.sed"
		echo 's/\(["`]\)\(podman\|ferry\) /\1TOOL /g' >>"$TEST_TMP/$t.sed"
		echo 's/\b[0-9a-f]\{25\}\b/<SECRET>/g' >>"$TEST_TMP/$t.sed"
		echo 's/"created":"[^"]*"/"created":"T"/g' >>"$TEST_TMP/$t.sed"
		echo 's/[0-9-]\{10\} [0-9:.]\{8,\} +0000 UTC/<TIME>/g' >>"$TEST_TMP/$t.sed"
		echo 's/\b[0-9a-f]\{64\}\b/<ID>/g' >>"$TEST_TMP/$t.sed"
		echo 's/\b[0-9a-f]\{12\}\b/<SID>/g' >>"$TEST_TMP/$t.sed"
		# The runtime's figures of the moment.
		echo 's/(current usage: [0-9]*, peak usage: [0-9]*)/(current usage: U)/' >>"$TEST_TMP/$t.sed"
		# Each tool's words for a registry that does not answer.
		echo 's/\(manifest list: "docker:[^"]*"\): .*; \("[^"]*": \)/\1: ...; \2/' >>"$TEST_TMP/$t.sed"
	done
	audit_compare "$seq"
}

ports_memory_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" run --rm --network none -p 18090:80 "$img" true
	step "$t" create --name c1 -p 18091:80 "$img" true
	step "$t" inspect --format '{{.HostConfig.NetworkMode}} {{.HostConfig.PortBindings}}' c1
	step "$t" port c1
	step "$t" create --name c2 -P --expose 80 "$img" true
	step "$t" inspect --format '{{.HostConfig.NetworkMode}} {{.HostConfig.PublishAllPorts}}' c2
	step "$t" run --network none --name m1 --memory 1k "$img" true
	step "$t" ps -a --format '{{.Names}} {{.State}}' --filter name=m1
	step "$t" start m1
	step "$t" restart m1
	step "$t" init m1
	step "$t" run -d --rm --network none --memory 1k "$img" true
	step "$t" ps -a --format '{{.Names}} {{.State}}' --sort names
	step_sorted "$t" rm c1 c2 m1
}

@test "-p under containers.conf's netns none is dropped without a word, and a memory limit too small is the runtime's to refuse (run 126, start, restart and init 125, the container left created)" {
	compare_with_podman ports_memory_sequence <<-'EOF'
		$ run --rm --network none -p 18090:80 localhost/ferry-test:latest true -> 0
		  err: Port mappings have been discarded as one of the Host, Container, Pod, and None network modes are in use
		$ create --name c1 -p 18091:80 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{.HostConfig.NetworkMode}} {{.HostConfig.PortBindings}} c1 -> 0
		  out: none map[]
		$ port c1 -> 0
		$ create --name c2 -P --expose 80 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{.HostConfig.NetworkMode}} {{.HostConfig.PublishAllPorts}} c2 -> 0
		  out: none true
		$ run --network none --name m1 --memory 1k localhost/ferry-test:latest true -> 126
		  err: Error: OCI runtime error: runc: runc create failed: unable to start container process: error during container init: error setting cgroup config for procHooks process: unable to set memory limit to 1024 (current usage: U)
		$ ps -a --format {{.Names}} {{.State}} --filter name=m1 -> 0
		  out: m1 created
		$ start m1 -> 125
		  err: Error: OCI runtime error: unable to start container "<ID>": runc: runc create failed: unable to start container process: error during container init: error setting cgroup config for procHooks process: unable to set memory limit to 1024 (current usage: U)
		$ restart m1 -> 125
		  err: Error: OCI runtime error: runc: runc create failed: unable to start container process: error during container init: error setting cgroup config for procHooks process: unable to set memory limit to 1024 (current usage: U)
		$ init m1 -> 125
		  err: Error: OCI runtime error: runc: runc create failed: unable to start container process: error during container init: error setting cgroup config for procHooks process: unable to set memory limit to 1024 (current usage: U)
		$ run -d --rm --network none --memory 1k localhost/ferry-test:latest true -> 126
		  err: Error: OCI runtime error: runc: runc create failed: unable to start container process: error during container init: error setting cgroup config for procHooks process: unable to set memory limit to 1024 (current usage: U)
		$ ps -a --format {{.Names}} {{.State}} --sort names -> 0
		  out: c1 created
		  out: c2 created
		  out: m1 created
		$ rm c1 c2 m1 -> 0
		  out: c1
		  out: c2
		  out: m1
	EOF
}

network_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" network create --subnet "10.212.$N.0/24" --gateway "10.212.$N.1" --ip-range "10.212.$N.128/25" \
		--internal --label a=b -o mtu=1400 --interface-name "ftu$N" n1
	step "$t" network inspect --format '{{json .Subnets}}' n1
	step "$t" network inspect --format '{{range .Subnets}}{{.LeaseRange.StartIP}} {{.LeaseRange.EndIP}}{{end}}' n1
	step "$t" network inspect --format '{{.Internal}} {{json .Labels}} {{.Options}} {{.Containers}}' n1
	step "$t" network inspect --format '{{.subnets}}' n1
	step "$t" network inspect --format '{{json .}}' n1
	step "$t" network ls --filter name=n1 --format '{{.network_interface}}'
	step "$t" network create --ip-range "10.214.$N.0/25" n2
	step "$t" network create --gateway "10.214.$N.1" n2
	step "$t" network create --subnet "10.214.$N.0/24" --ip-range "10.215.$N.0/24" n2
	step "$t" network create --subnet 10.216.0.0/24 --ip-range 10.216.0.0/23 n2
	step "$t" run -d --network n1 --name c1 "$img" sleep 100
	step "$t" inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' c1
	step "$t" network ls --filter name=^n --filter dangling=false -q
	step "$t" network ls --filter name=^n --filter dangling=true -q
	step "$t" network ls --filter dangling=bogus
	step "$t" network exists n1 nosuch
	step "$t" network exists
	step "$t" rm -f -t 0 c1
	step "$t" network ls --filter name=^n --filter dangling=true -q
	step "$t" network rm n1
}

@test "network: Go's field names in templates (the JSON names refused), JSON members in Podman's order, --ip-range's lease range as Podman records it, ls --filter dangling, Podman's words for a range or gateway without or outside the subnet" {
	compare_with_podman network_sequence <<-'EOF'
		$ network create --subnet 10.212.N.0/24 --gateway 10.212.N.1 --ip-range 10.212.N.128/25 --internal --label a=b -o mtu=1400 --interface-name ftuN n1 -> 0
		  out: n1
		$ network inspect --format {{json .Subnets}} n1 -> 0
		  out: [{"subnet":"10.212.N.0/24","gateway":"10.212.N.1","lease_range":{"start_ip":"10.212.N.129","end_ip":"10.212.N.255"}}]
		$ network inspect --format {{range .Subnets}}{{.LeaseRange.StartIP}} {{.LeaseRange.EndIP}}{{end}} n1 -> 0
		  out: 10.212.N.129 10.212.N.255
		$ network inspect --format {{.Internal}} {{json .Labels}} {{.Options}} {{.Containers}} n1 -> 0
		  out: true {"a":"b"} map[mtu:1400] map[]
		$ network inspect --format {{.subnets}} n1 -> 125
		  err: Error: template: inspect:1:13: executing "inspect" at <.subnets>: can't evaluate field subnets in type interface {}
		$ network inspect --format {{json .}} n1 -> 0
		  out: {"name":"n1","id":"<ID>","driver":"bridge","network_interface":"ftuN","created":"T","subnets":[{"subnet":"10.212.N.0/24","gateway":"10.212.N.1","lease_range":{"start_ip":"10.212.N.129","end_ip":"10.212.N.255"}}],"ipv6_enabled":false,"internal":true,"dns_enabled":true,"labels":{"a":"b"},"options":{"mtu":"1400"},"ipam_options":{"driver":"host-local"},"containers":{}}
		$ network ls --filter name=n1 --format {{.network_interface}} -> 125
		  err: Error: template: ls:1:13: executing "ls" at <.network_interface>: can't evaluate field network_interface in type network.ListPrintReports
		$ network create --ip-range 10.214.N.0/25 n2 -> 125
		  err: Error: cannot set gateway or range without subnet: give --subnet too
		$ network create --gateway 10.214.N.1 n2 -> 125
		  err: Error: cannot set gateway or range without subnet: give --subnet too
		$ network create --subnet 10.214.N.0/24 --ip-range 10.215.N.0/24 n2 -> 125
		  err: Error: lease range start ip 10.215.N.1 not in subnet 10.214.N.0/24: give an --ip-range inside --subnet
		$ network create --subnet 10.216.0.0/24 --ip-range 10.216.0.0/23 n2 -> 125
		  err: Error: lease range end ip 10.216.1.255 not in subnet 10.216.0.0/24: give an --ip-range inside --subnet
		$ run -d --network n1 --name c1 localhost/ferry-test:latest sleep 100 -> 0
		  out: <ID>
		$ inspect --format {{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}} c1 -> 0
		  out: 10.212.N.129
		$ network ls --filter name=^n --filter dangling=false -q -> 0
		  out: n1
		$ network ls --filter name=^n --filter dangling=true -q -> 0
		$ network ls --filter dangling=bogus -> 125
		  err: Error: invalid dangling filter value "bogus": give dangling=true or dangling=false
		$ network exists n1 nosuch -> 125
		  err: Error: accepts 1 arg(s), received 2
		$ network exists -> 125
		  err: Error: accepts 1 arg(s), received 0
		$ rm -f -t 0 c1 -> 0
		  out: c1
		$ network ls --filter name=^n --filter dangling=true -q -> 0
		  out: n1
		$ network rm n1 -> 0
		  out: n1
	EOF
}

misc_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	printf s3cr3t >"$TEST_TMP/sec"
	step "$t" stats --no-stream --format json
	step "$t" image exists "$img" nosuch
	step "$t" volume create -o type=tmpfs -o device=tmpfs -o o=size=1m v1
	step "$t" volume create v2
	step "$t" volume ls --filter opt=type=tmpfs -q
	step "$t" volume ls --filter opt=type -q
	step "$t" volume ls --filter opt=type=bogus -q
	step "$t" volume export v2 -o "$TEST_TMP/nosuchdir/v2.tar"
	step "$t" volume export
	step "$t" volume import v2
	step "$t" run -d --network none --name c1 --label a=b "$img" sleep 100
	step "$t" stats --no-stream --format 'table {{.Name}} {{.PIDs}}' c1
	step "$t" stats --no-stream --interval 0 c1
	step "$t" container prune -f --filter bogus=1
	step "$t" ps -a -n --format '{{.Names}}'
	step "$t" ps -a -n bogus
	step "$t" info bogus
	step "$t" info --format '{{json .Store.ContainerStore}} {{.Store.ContainerStore.Running}}'
	step "$t" version bogus
	step "$t" network create a b
	step "$t" secret rm
	step "$t" images a b
	step "$t" import
	step "$t" ps x
	step "$t" manifest create ml
	step "$t" manifest add ml localhost/nosuch:1
	step "$t" manifest add ml
	step "$t" manifest rm ml
	step "$t" secret create --label a=1 s1 "$TEST_TMP/sec"
	step "$t" secret inspect --pretty s1
	step "$t" artifact add localhost/art:1 "$TEST_TMP/nosuch"
	step "$t" artifact bogus
	step "$t" volume bogus
	step "$t" rm -f -t 0 c1
	step "$t" secret rm s1
	step "$t" volume rm v1 v2
}

@test "Podman's words for image exists of two, volume ls --filter opt, volume export and import arguments and an -o it cannot create, manifest add of one, manifest add of an image found nowhere, a bad container prune filter, stats --interval 0, ps -n, info, version, network create, secret rm, images, import and ps arguments, info's {{json}} of a member, an unknown subcommand; stats' empty JSON list and table heading of PIDs, and secret inspect --pretty's labels as Podman's" {
	compare_with_podman misc_sequence <<-'EOF'
		$ stats --no-stream --format json -> 0
		  out: []
		$ image exists localhost/ferry-test:latest nosuch -> 125
		  err: Error: accepts 1 arg(s), received 2
		$ volume create -o type=tmpfs -o device=tmpfs -o o=size=1m v1 -> 0
		  out: v1
		$ volume create v2 -> 0
		  out: v2
		$ volume ls --filter opt=type=tmpfs -q -> 0
		  out: v1
		$ volume ls --filter opt=type -q -> 0
		  out: v1
		$ volume ls --filter opt=type=bogus -q -> 0
		$ volume export v2 -o TMP/nosuchdir/v2.tar -> 125
		  err: Error: could not create tarball file 'TMP/nosuchdir/v2.tar': open TMP/nosuchdir/v2.tar: no such file or directory
		$ volume export -> 125
		  err: Error: accepts 1 arg(s), received 0
		$ volume import v2 -> 125
		  err: Error: accepts 2 arg(s), received 1
		$ run -d --network none --name c1 --label a=b localhost/ferry-test:latest sleep 100 -> 0
		  out: <ID>
		$ stats --no-stream --format table {{.Name}} {{.PIDs}} c1 -> 0
		  out: NAME        PI DS
		  out: c1          1
		$ stats --no-stream --interval 0 c1 -> 125
		  err: Error: invalid interval, must be a positive number greater zero: `0`: give a whole number of seconds, at least 1
		$ container prune -f --filter bogus=1 -> 125
		  err: Error: bogus is an invalid filter: use label=KEY[=VALUE], label!=KEY[=VALUE] or until=TIME
		$ ps -a -n --format {{.Names}} -> 125
		  err: Error: invalid argument "--format" for "-n, --last" flag: strconv.ParseInt: parsing "--format": invalid syntax
		  err: See 'ferry ps --help'
		$ ps -a -n bogus -> 125
		  err: Error: invalid argument "bogus" for "-n, --last" flag: strconv.ParseInt: parsing "bogus": invalid syntax
		  err: See 'ferry ps --help'
		$ info bogus -> 125
		  err: Error: `TOOL info` takes no arguments (got `bogus`)
		$ info --format {{json .Store.ContainerStore}} {{.Store.ContainerStore.Running}} -> 0
		  out: {"number":1,"paused":0,"running":1,"stopped":0} 1
		$ version bogus -> 125
		  err: Error: `TOOL version` takes no arguments (got `bogus`)
		$ network create a b -> 125
		  err: Error: accepts at most 1 arg(s), received 2
		$ secret rm -> 125
		  err: Error: `TOOL secret rm` requires one argument, or the --all flag
		$ images a b -> 125
		  err: Error: accepts at most 1 arg(s), received 2
		$ import -> 125
		  err: Error: accepts between 1 and 2 arg(s), received 0
		$ ps x -> 125
		  err: Error: `TOOL ps` takes no arguments (got `x`)
		$ manifest create ml -> 0
		  out: <ID>
		$ manifest add ml localhost/nosuch:1 -> 125
		  err: Error: locating image to add to manifest list: "docker://localhost/nosuch:1": ...; "localhost/nosuch:1": localhost/nosuch:1: image not known
		$ manifest add ml -> 125
		  err: Error: requires at least 2 arg(s), only received 1
		$ manifest rm ml -> 0
		  out: Untagged: localhost/ml:latest
		  out: Deleted: <ID>
		$ secret create --label a=1 s1 TMP/sec -> 0
		  out: <SECRET>
		$ secret inspect --pretty s1 -> 0
		  out: ID:              <SECRET>
		  out: Name:              s1
		  out: Labels:
		  out:  - a=1
		  out: Driver:            file
		  out: Created at:        <TIME>
		  out: Updated at:        <TIME>
		$ artifact add localhost/art:1 TMP/nosuch -> 125
		  err: Error: open TMP/nosuch: no such file or directory
		$ artifact bogus -> 125
		  err: Error: unrecognized command `TOOL artifact bogus`
		  err: Try 'ferry artifact --help' for more information
		$ volume bogus -> 125
		  err: Error: unrecognized command `TOOL volume bogus`
		  err: Try 'ferry volume --help' for more information
		$ rm -f -t 0 c1 -> 0
		  out: c1
		$ secret rm s1 -> 0
		  out: <SECRET>
		$ volume rm v1 v2 -> 0
		  out: v1
		  out: v2
	EOF
}

ps_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" run -d --network none --name c1 "$img" sleep 100
	step "$t" run -d --network none --name c2 "$img" sleep 100
	step "$t" pause c2
	step "$t" ps --format '{{.Names}} {{.State}}'
	step "$t" ps -a --format '{{.Names}} {{.State}}' --sort names
	step "$t" ps --filter status=paused --format '{{.Names}}'
	step "$t" ps --format '{{.Names}} [{{.Size}}]'
	step "$t" ps -s --format '{{.Names}} {{if .Size}}sized{{end}}'
	step "$t" unpause c2
	step "$t" rm -f -t 0 c1
	step "$t" rm -f -t 0 c2
}

@test "ps without -a leaves a paused container out, and {{.Size}} without --size is empty with Podman's logged error" {
	compare_with_podman ps_sequence <<-'EOF'
		$ run -d --network none --name c1 localhost/ferry-test:latest sleep 100 -> 0
		  out: <ID>
		$ run -d --network none --name c2 localhost/ferry-test:latest sleep 100 -> 0
		  out: <ID>
		$ pause c2 -> 0
		  out: c2
		$ ps --format {{.Names}} {{.State}} -> 0
		  out: c1 running
		$ ps -a --format {{.Names}} {{.State}} --sort names -> 0
		  out: c1 running
		  out: c2 paused
		$ ps --filter status=paused --format {{.Names}} -> 0
		  out: c2
		$ ps --format {{.Names}} [{{.Size}}] -> 0
		  out: c1 []
		  err: time=T level=error msg="Size format requires --size option"
		$ ps -s --format {{.Names}} {{if .Size}}sized{{end}} -> 0
		  out: c1 sized
		$ unpause c2 -> 0
		  out: c2
		$ rm -f -t 0 c1 -> 0
		  out: c1
		$ rm -f -t 0 c2 -> 0
		  out: c2
	EOF
}

connect_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" network create --subnet "10.212.$N.0/24" --interface-name "ftu$N" n1
	step "$t" network create --subnet "10.212.$((N + 1)).0/24" --interface-name "ftu$((N + 1000))" n2
	step "$t" run -d --network n1 --name c1 "$img" sleep 100
	step "$t" network connect --ip bogus n2 c1
	step "$t" network connect --mac-address bogus n2 c1
	step "$t" network connect --ip "10.212.$((N + 1)).9" --alias web n2 c1
	step "$t" inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{$v.Aliases}};{{end}}' c1
	step "$t" network reload c1
	step "$t" network disconnect n2 c1
	step "$t" rm -f -t 0 c1
	step "$t" network rm n1 n2
}

@test "network connect: Podman's words for a bad --ip or --mac-address, and each network's aliases end with the container's short ID, as Podman's" {
	compare_with_podman connect_sequence <<-'EOF'
		$ network create --subnet 10.212.N.0/24 --interface-name ftuN n1 -> 0
		  out: n1
		$ network create --subnet 10.212.M.0/24 --interface-name ftuM n2 -> 0
		  out: n2
		$ run -d --network n1 --name c1 localhost/ferry-test:latest sleep 100 -> 0
		  out: <ID>
		$ network connect --ip bogus n2 c1 -> 125
		  err: Error: invalid argument "bogus" for "--ip" flag: failed to parse IP: "bogus"
		  err: See 'ferry network connect --help'
		$ network connect --mac-address bogus n2 c1 -> 125
		  err: Error: address bogus: invalid MAC address: use six hex pairs like 02:42:0a:59:00:02
		$ network connect --ip 10.212.M.9 --alias web n2 c1 -> 0
		$ inspect --format {{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{$v.Aliases}};{{end}} c1 -> 0
		  out: n1=10.212.N.2 [<SID>];n2=10.212.M.9 [web <SID>];
		$ network reload c1 -> 0
		  out: <ID>
		$ network disconnect n2 c1 -> 0
		$ rm -f -t 0 c1 -> 0
		  out: c1
		$ network rm n1 n2 -> 0
		  out: n1
		  out: n2
	EOF
}
