#!/usr/bin/env bats
# What tests/lib/compare-podman.sh found ferry doing differently from
# Podman 5.4, now fixed: inspect of volumes and networks says what it did
# not find after what it found, inspect takes --format json, templates take
# range, if and len, errors begin with Podman's words, network rm -f passes
# over a missing network, volume JSON leaves Anonymous out when false.
# Each sequence is compared with the transcript ferry printed once it
# matched Podman (kept below) and, where Podman is installed, with Podman
# run live: standard output whole, the first words of each error line.

load helpers
load podman-helpers

# Bridges ftu<N> and ftu<N+1000>, subnets 10.212.<N>.0/24 and
# 10.212.<N+1>.0/24 (scripts/test.sh's leftovers check knows them).
teardown() {
	local b n
	n=$(net_number)
	if [ -d "${ROOT:-/nonexistent}" ]; then f rm -af -t 0 >/dev/null 2>&1 || true; fi
	podman_teardown
	for b in "ftu$n" "ftu$((n + 1000))"; do ip link del "$b" 2>/dev/null || true; done
	ferry_teardown
}

# Transcript $1 as compared live: errors cut to their first three words
# (the rest is each tool's wording of the cause; the second line "See
# 'podman ps --help'", which ferry words with its own name, left out),
# without Podman's lock numbers (ferry has no lock table).
live_form() {
	perl -0pe 's/,\n  out: +"LockNumber": \d+//g' "$1" | grep -v "^  err: See '\\(podman\\|ferry\\) " |
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
		printf 's/10\\.212\\.%s\\./10.212.M./g\ns/ftu%s\\b/ftuM/g\n' "$((N + 1))" "$((N + 1000))" >>"$TEST_TMP/$t.sed"
		echo 's/"CreatedAt": "[^"]*"/"CreatedAt": "T"/' >>"$TEST_TMP/$t.sed"
		echo 's/"\(podman\|ferry\) /"TOOL /g' >>"$TEST_TMP/$t.sed"
		echo 's/\b[0-9a-f]\{64\}\b/<ID>/g' >>"$TEST_TMP/$t.sed"
		# The blank line inside an empty object of volume ls --format json
		# holds the indentation alone.
		echo 's/^\(  out:\) *$/\1/' >>"$TEST_TMP/$t.sed"
	done
	audit_compare "$seq"
}

volume_sequence() {
	local t=$1
	step "$t" volume create v1
	step "$t" volume create v2
	step "$t" volume inspect --format '{{.Name}}' v1 nosuch v2
	step "$t" volume inspect --format '{{.Name}}' nosuch1 v1 nosuch2
	step "$t" volume inspect --format json v1
	step "$t" volume inspect
	step "$t" volume inspect --all v1
	step "$t" volume rm
	step "$t" volume exists
	step "$t" volume exists v1 v2
	step "$t" volume create a b
	step "$t" volume create 'a/b'
	step "$t" volume create -d nosuchdriver v3
	step "$t" volume ls --filter bogus=1
	step "$t" volume ls --format json
}

@test "volume: inspect's misses come last, JSON as Podman's, errors in Podman's words" {
	compare_with_podman volume_sequence <<-'EOF'
		$ volume create v1 -> 0
		  out: v1
		$ volume create v2 -> 0
		  out: v2
		$ volume inspect --format {{.Name}} v1 nosuch v2 -> 125
		  out: v1
		  out: v2
		  err: Error: no such volume nosuch
		$ volume inspect --format {{.Name}} nosuch1 v1 nosuch2 -> 125
		  out: v1
		  err: no such volume nosuch2
		  err: Error: no such volume nosuch1
		$ volume inspect --format json v1 -> 0
		  out: [
		  out:      {
		  out:           "Name": "v1",
		  out:           "Driver": "local",
		  out:           "Mountpoint": "TMP/root/volumes/v1/_data",
		  out:           "CreatedAt": "T",
		  out:           "Labels": {},
		  out:           "Scope": "local",
		  out:           "Options": {},
		  out:           "MountCount": 0,
		  out:           "NeedsCopyUp": true,
		  out:           "NeedsChown": true
		  out:      }
		  out: ]
		$ volume inspect -> 125
		  err: Error: provide one or more volume names or use --all
		$ volume inspect --all v1 -> 125
		  err: Error: provide one or more volume names or use --all, not both
		$ volume rm -> 125
		  err: Error: choose either one or more volumes or all
		$ volume exists -> 125
		  err: Error: accepts 1 arg(s), received 0
		$ volume exists v1 v2 -> 125
		  err: Error: accepts 1 arg(s), received 2
		$ volume create a b -> 125
		  err: Error: accepts at most 1 arg(s), received 2
		$ volume create a/b -> 125
		  err: Error: running volume create option: invalid volume name `a/b`: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument
		$ volume create -d nosuchdriver v3 -> 125
		  err: Error: volume v3 uses volume plugin nosuchdriver but it could not be retrieved: ferry has only the local driver
		$ volume ls --filter bogus=1 -> 125
		  err: Error: "bogus" is an invalid volume filter: use name, driver, scope, label, label!, opt, dangling or until
		$ volume ls --format json -> 0
		  out: [
		  out:   {
		  out:     "Name": "v1",
		  out:     "Driver": "local",
		  out:     "Mountpoint": "TMP/root/volumes/v1/_data",
		  out:     "CreatedAt": "T",
		  out:     "Labels": {
		  out:
		  out:     },
		  out:     "Scope": "local",
		  out:     "Options": {
		  out:
		  out:     },
		  out:     "MountCount": 0,
		  out:     "NeedsCopyUp": true,
		  out:     "NeedsChown": true
		  out:   },
		  out:   {
		  out:     "Name": "v2",
		  out:     "Driver": "local",
		  out:     "Mountpoint": "TMP/root/volumes/v2/_data",
		  out:     "CreatedAt": "T",
		  out:     "Labels": {
		  out:
		  out:     },
		  out:     "Scope": "local",
		  out:     "Options": {
		  out:
		  out:     },
		  out:     "MountCount": 0,
		  out:     "NeedsCopyUp": true,
		  out:     "NeedsChown": true
		  out:   }
		  out: ]
	EOF
}

network_sequence() {
	local t=$1
	step "$t" network create --subnet "10.212.$N.0/24" --interface-name "ftu$N" n1
	step "$t" network inspect --format '{{.Name}}' n1 nosuch n2
	step "$t" network inspect --format '{{range .Subnets}}{{.Subnet}} {{.Gateway}}{{end}}' n1
	step "$t" network inspect --format '{{len .Subnets}} {{if .Internal}}internal{{else}}external{{end}}' n1
	step "$t" network inspect --format json nosuch
	step "$t" network inspect
	step "$t" network rm -f nosuch
	step "$t" network rm
	step "$t" network connect n1
	step "$t" network disconnect n1
	step "$t" network create --subnet "10.212.$N.0/24" n2
	step "$t" network create --subnet 10.212.0.0/33 n3
	step "$t" network create --subnet 10.212.0.0/24 --gateway 10.213.0.1 n4
	step "$t" network create -d nosuch n5
	step "$t" network rm n1
}

@test "network: inspect's misses come last, range and len in templates, rm -f passes over a missing one, errors in Podman's words" {
	compare_with_podman network_sequence <<-'EOF'
		$ network create --subnet 10.212.N.0/24 --interface-name ftuN n1 -> 0
		  out: n1
		$ network inspect --format {{.Name}} n1 nosuch n2 -> 125
		  out: n1
		  err: network n2: unable to find network with name or ID n2: network not found
		  err: Error: network nosuch: unable to find network with name or ID nosuch: network not found
		$ network inspect --format {{range .Subnets}}{{.Subnet}} {{.Gateway}}{{end}} n1 -> 0
		  out: 10.212.N.0/24 10.212.N.1
		$ network inspect --format {{len .Subnets}} {{if .Internal}}internal{{else}}external{{end}} n1 -> 0
		  out: 1 external
		$ network inspect --format json nosuch -> 125
		  out: []
		  err: Error: network nosuch: unable to find network with name or ID nosuch: network not found
		$ network inspect -> 125
		  err: Error: requires at least 1 arg(s), only received 0
		$ network rm -f nosuch -> 0
		$ network rm -> 125
		  err: Error: requires at least 1 arg(s), only received 0
		$ network connect n1 -> 125
		  err: Error: accepts 2 arg(s), received 1
		$ network disconnect n1 -> 125
		  err: Error: accepts 2 arg(s), received 1
		$ network create --subnet 10.212.N.0/24 n2 -> 125
		  err: Error: subnet 10.212.N.0/24 is already used by network n1: choose another with --subnet
		$ network create --subnet 10.212.0.0/33 n3 -> 125
		  err: Error: invalid CIDR address: 10.212.0.0/33: give an IPv4 subnet from /8 to /30 with its host bits zero, like 10.89.0.0/24
		$ network create --subnet 10.212.0.0/24 --gateway 10.213.0.1 n4 -> 125
		  err: Error: gateway 10.213.0.1 not in subnet 10.212.0.0/24
		$ network create -d nosuch n5 -> 125
		  err: Error: failed to find driver or plugin "nosuch": use bridge, macvlan or ipvlan
		$ network rm n1 -> 0
		  out: n1
	EOF
}

other_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" create --network none --name c1 "$img" true
	step "$t" container inspect --format '{{.Name}}' nosuch c1
	step "$t" inspect --format json c1 --type volume
	step "$t" inspect --format '{{range .Config.Cmd}}<{{.}}>{{end}} {{len .Config.Cmd}}' c1
	step "$t" image inspect --format '{{len .RootFS.Layers}}' "$img"
	step "$t" image inspect --format '{{range .RepoTags}}{{.}}{{end}}' "$img"
	step "$t" rmi
	step "$t" logs
	step "$t" wait
	step "$t" rm c1
}

@test "container and image: --format json, range and len, errors in Podman's words" {
	compare_with_podman other_sequence <<-'EOF'
		$ create --network none --name c1 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ container inspect --format {{.Name}} nosuch c1 -> 125
		  out: c1
		  err: Error: no such container nosuch
		$ inspect --format json c1 --type volume -> 125
		  out: []
		  err: Error: no such volume c1
		$ inspect --format {{range .Config.Cmd}}<{{.}}>{{end}} {{len .Config.Cmd}} c1 -> 0
		  out: <true> 1
		$ image inspect --format {{len .RootFS.Layers}} localhost/ferry-test:latest -> 0
		  out: 2
		$ image inspect --format {{range .RepoTags}}{{.}}{{end}} localhost/ferry-test:latest -> 0
		  out: localhost/ferry-test:latest
		$ rmi -> 125
		  err: Error: image name or ID must be specified
		$ logs -> 125
		  err: Error: specify at least one container name or ID to log
		$ wait -> 125
		  err: Error: "TOOL wait" requires a name, id, or the "--latest" flag
		$ rm c1 -> 0
		  out: c1
	EOF
}

# Runs TOOL ($1) with the rest but the last, and records what jq filter
# (the last) makes of its output.
jstep() {
	local tool=$1 filter=${*: -1} rc=0
	set -- "${@:2:$#-2}"
	"$tool" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
	{
		echo "\$ $* | jq $filter -> $rc"
		jq -c "$filter" <"$TEST_TMP/out" | sed 's/^/  out: /'
	} >>"$TEST_TMP/$tool.log"
}

json_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" create --network none --name c1 --expose 80 --expose 53/udp --expose 80/udp "$img" true
	jstep "$t" ps -a --format json '.[0] | keys'
	# Podman's protocols of a port come in Go's map order: sorted here.
	jstep "$t" ps -a --format json '.[0] | (.ExposedPorts | map_values(sort)), .Networks, .AutoRemove, .CIDFile, .Restarts, .Pod, .Size'
	step "$t" network create --subnet "10.212.$N.0/24" --interface-name "ftu$N" n1
	jstep "$t" network ls --format json '.[] | select(.name == "n1") | keys'
	jstep "$t" images --format json '.[0] | keys'
	jstep "$t" images --format json '.[0] | .Size, .VirtualSize, .History'
	jstep "$t" image inspect "$img" '.[0] | .Size, has("Containers")'
	jstep "$t" system df --format json '.[0] | .RawSize, .Size'
	jstep "$t" info --format json '.host.security | keys'
	jstep "$t" info --format json '.host | .serviceIsRemote, .security.rootless, .idMappings, (.cpuUtilization | keys)'
	jstep "$t" info --format json '.store | .transientStore, (.graphOptions | length)'
	step "$t" rm c1
	step "$t" network rm n1
}

@test "ps, network ls, images, system df and info: the JSON members Podman's have" {
	compare_with_podman json_sequence <<-'EOF'
		$ create --network none --name c1 --expose 80 --expose 53/udp --expose 80/udp localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ ps -a --format json | jq .[0] | keys -> 0
		  out: ["AutoRemove","CIDFile","Command","Created","CreatedAt","ExitCode","Exited","ExitedAt","ExposedPorts","Id","Image","ImageID","IsInfra","Labels","Mounts","Names","Namespaces","Networks","Pid","Pod","PodName","Ports","Restarts","Size","StartedAt","State","Status"]
		$ ps -a --format json | jq .[0] | (.ExposedPorts | map_values(sort)), .Networks, .AutoRemove, .CIDFile, .Restarts, .Pod, .Size -> 0
		  out: {"53":["udp"],"80":["tcp","udp"]}
		  out: []
		  out: false
		  out: ""
		  out: 0
		  out: ""
		  out: null
		$ network create --subnet 10.212.N.0/24 --interface-name ftuN n1 -> 0
		  out: n1
		$ network ls --format json | jq .[] | select(.name == "n1") | keys -> 0
		  out: ["created","dns_enabled","driver","id","internal","ipam_options","ipv6_enabled","name","network_interface","subnets"]
		$ images --format json | jq .[0] | keys -> 0
		  out: ["Containers","Created","CreatedAt","Digest","History","Id","Labels","Names","ParentId","RepoDigests","RepoTags","SharedSize","Size","VirtualSize"]
		$ images --format json | jq .[0] | .Size, .VirtualSize, .History -> 0
		  out: 2152238
		  out: 2152238
		  out: ["localhost/ferry-test:latest"]
		$ image inspect localhost/ferry-test:latest | jq .[0] | .Size, has("Containers") -> 0
		  out: 2152238
		  out: false
		$ system df --format json | jq .[0] | .RawSize, .Size -> 0
		  out: 2152238
		  out: "2.152MB"
		$ info --format json | jq .host.security | keys -> 0
		  out: ["apparmorEnabled","capabilities","rootless","seccompEnabled","seccompProfilePath","selinuxEnabled"]
		$ info --format json | jq .host | .serviceIsRemote, .security.rootless, .idMappings, (.cpuUtilization | keys) -> 0
		  out: false
		  out: false
		  out: {"gidmap":null,"uidmap":null}
		  out: ["idlePercent","systemPercent","userPercent"]
		$ info --format json | jq .store | .transientStore, (.graphOptions | length) -> 0
		  out: false
		  out: 0
		$ rm c1 -> 0
		  out: c1
		$ network rm n1 -> 0
		  out: n1
	EOF
}

connect_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" network create --subnet "10.212.$N.0/24" --interface-name "ftu$N" n1
	step "$t" network create --subnet "10.212.$((N + 1)).0/24" --interface-name "ftu$((N + 1000))" n2
	step "$t" create --network n1 --name c1 "$img" true
	step "$t" network connect n1 c1
	step "$t" network connect n2 c1
	step "$t" network connect n2 c1
	step "$t" inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' c1
	step "$t" network connect nosuch c1
	step "$t" network disconnect n2 c1
	step "$t" network disconnect n2 c1
	step "$t" network disconnect nosuch c1
	step "$t" inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}' c1
	# A running one is refused.
	step "$t" run -d --network n1 --name r1 "$img" sleep 1000
	step "$t" network connect n1 r1
	step "$t" rm -f -t 0 r1
	step "$t" rm c1
	step "$t" network rm n1 n2
}

@test "network connect and disconnect: twice (a created container quietly, a running one refused), and a missing network, as Podman" {
	compare_with_podman connect_sequence <<-'EOF'
		$ network create --subnet 10.212.N.0/24 --interface-name ftuN n1 -> 0
		  out: n1
		$ network create --subnet 10.212.M.0/24 --interface-name ftuM n2 -> 0
		  out: n2
		$ create --network n1 --name c1 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ network connect n1 c1 -> 0
		$ network connect n2 c1 -> 0
		$ network connect n2 c1 -> 0
		$ inspect --format {{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}} c1 -> 0
		  out: n1 n2 
		$ network connect nosuch c1 -> 125
		  err: Error: unable to find network with name or ID nosuch: network not found
		$ network disconnect n2 c1 -> 0
		$ network disconnect n2 c1 -> 125
		  err: Error: container c1 is not connected to network n2
		$ network disconnect nosuch c1 -> 125
		  err: Error: unable to find network with name or ID nosuch: network not found
		$ inspect --format {{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}} c1 -> 0
		  out: n1
		$ run -d --network n1 --name r1 localhost/ferry-test:latest sleep 1000 -> 0
		  out: <ID>
		$ network connect n1 r1 -> 125
		  err: Error: container <ID> is already connected to network n1: network is already connected
		$ rm -f -t 0 r1 -> 0
		  out: r1
		$ rm c1 -> 0
		  out: c1
		$ network rm n1 n2 -> 0
		  out: n1
		  out: n2
	EOF
}

names_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" tag "$img" y:1
	step "$t" tag "$img" x:2 a:1
	step "$t" images --format '{{.Repository}}:{{.Tag}} {{.Names}}'
	step "$t" image inspect --format '{{.RepoTags}}' "$img"
	step "$t" images --format '{{.Repository}}:{{.Tag}}' --sort repository
	step "$t" rmi "$img"
	step "$t" rmi -f "$img" nosuch
	step "$t" volume ls --filter dangling=bogus
	step "$t" ps -a --sort bogus
	step "$t" rmi -a
}

@test "image names newest first, rmi -f of what is not there, errors in Podman's words" {
	compare_with_podman names_sequence <<-'EOF'
		$ tag localhost/ferry-test:latest y:1 -> 0
		$ tag localhost/ferry-test:latest x:2 a:1 -> 0
		$ images --format {{.Repository}}:{{.Tag}} {{.Names}} -> 0
		  out: localhost/a:1 [localhost/a:1 localhost/x:2 localhost/y:1 localhost/ferry-test:latest]
		  out: localhost/x:2 [localhost/a:1 localhost/x:2 localhost/y:1 localhost/ferry-test:latest]
		  out: localhost/y:1 [localhost/a:1 localhost/x:2 localhost/y:1 localhost/ferry-test:latest]
		  out: localhost/ferry-test:latest [localhost/a:1 localhost/x:2 localhost/y:1 localhost/ferry-test:latest]
		$ image inspect --format {{.RepoTags}} localhost/ferry-test:latest -> 0
		  out: [localhost/a:1 localhost/x:2 localhost/y:1 localhost/ferry-test:latest]
		$ images --format {{.Repository}}:{{.Tag}} --sort repository -> 0
		  out: localhost/a:1
		  out: localhost/ferry-test:latest
		  out: localhost/x:2
		  out: localhost/y:1
		$ rmi localhost/ferry-test:latest -> 0
		  out: Untagged: localhost/ferry-test:latest
		$ rmi -f localhost/ferry-test:latest nosuch -> 0
		$ volume ls --filter dangling=bogus -> 125
		  err: Error: "bogus" is not a valid value for the "dangling" filter - must be true or false
		$ ps -a --sort bogus -> 125
		  err: Error: invalid argument "bogus" for "--sort" flag: "bogus" is not a valid value.  Choose from: "command, created, id, image, names, runningfor, size, status"
		  err: See 'ferry ps --help'
		$ rmi -a -> 0
		  out: Untagged: localhost/a:1
		  out: Untagged: localhost/x:2
		  out: Untagged: localhost/y:1
		  out: Deleted: <ID>
	EOF
}
