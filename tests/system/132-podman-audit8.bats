#!/usr/bin/env bats
# What the eighth round of comparing ferry with Podman 5.4 found ferry
# doing differently, now fixed.  Each sequence is compared with the
# transcript ferry printed once it matched Podman (kept below) and, where
# Podman is installed, with Podman run live: standard output whole, the
# first words of each error line.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers

audit_hooks_for_every_test

# .State's first field, the OCI runtime spec version each tool writes.
go_structs_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" create --name c1 --restart on-failure:3 --network bridge -p 127.0.0.1:8080:80 -v /tmp:/mnt:ro "$img" sleep 100
	step "$t" create --name c2 "$img" true
	step "$t" inspect --format '{{.HostConfig.RestartPolicy}}|{{print .HostConfig.RestartPolicy}}|{{printf "%v" .HostConfig.RestartPolicy}}' c1 c2
	step "$t" inspect --format '{{.State}}' c2
	step "$t" inspect --format '{{.Mounts}}|{{.NetworkSettings.Ports}}|{{.HostConfig.PortBindings}}' c1 c2
	step "$t" inspect --format '{{if .State}}y{{end}} {{.State.Health}} {{.HostConfig.Ulimits}} {{.HostConfig.Devices}} {{.Config.Healthcheck}}' c2
	step "$t" inspect --format '{{.State.Nope}}' c2
	step "$t" inspect --format '{{.HostConfig.RestartPolicy.Nope}}' c2
	step "$t" image inspect --format '{{.Config}}|{{.RootFS}}' "$img"
	step "$t" image inspect --format '{{.History}}' "$img"
	step "$t" image inspect --format '{{.Config.Nope}}' "$img"
	step "$t" info --format '{{.Host.Security}}|{{.Host.Distribution}}|{{.Host.IDMappings}}|{{.Host.Slirp4NetNS}}|{{.Host.Pasta}}|{{.Store.ImageStore}}|{{.Store.ContainerStore}}'
	step "$t" info --format '{{.Host.Nope}}'
	step "$t" network create --subnet 10.89.7.0/24 n7
	step "$t" network inspect --format '{{.Subnets}} {{.Routes}}' n7
	step "$t" network ls --filter name=n7 --format '{{.Subnets}}'
	step "$t" network rm n7
	step "$t" ps -a --format '{{.Namespaces}}|{{.Namespaces.MNT}}|{{.Names}}' --sort names
	step "$t" commit -q --change 'EXPOSE 80' --change 'VOLUME /data' c2 localhost/exp:1
	step "$t" image inspect --format '{{.Config.ExposedPorts}}|{{.Config.Volumes}}|{{json .Config.ExposedPorts}}' localhost/exp:1
	step "$t" create --name e1 localhost/exp:1 true
	step "$t" inspect --format '{{.Config.ExposedPorts}}|{{.NetworkSettings.Ports}}|{{index .NetworkSettings.Ports "80/tcp"}}|{{index .NetworkSettings.Ports "81/tcp"}}|{{len .Mounts}}' e1
	step "$t" rm -v e1
	step "$t" rmi localhost/exp:1
}

@test "templates print Podman's Go structs as Go does: {on-failure 3} for .HostConfig.RestartPolicy, &{...} from print and printf, .State, .Mounts, ports, image Config/RootFS/History, info's Host and Store members, network Subnets, ps's Namespaces, struct{} values and nil slices in maps; a missing field's error names the struct's type" {
	local t
	# The host's distribution, whatever it is.
	for t in f podman_t; do
		echo 's/|{[^|{}]*}|{\[\] \[\]}|/|{DISTRO}|{[] []}|/' >>"$TEST_TMP/$t.sed"
	done
	audit_compare_expected go_structs_sequence <<-'EOF'
		$ create --name c1 --restart on-failure:3 --network bridge -p 127.0.0.1:8080:80 -v /tmp:/mnt:ro localhost/ferry-test:latest sleep 100 -> 0
		  out: <ID>
		$ create --name c2 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{.HostConfig.RestartPolicy}}|{{print .HostConfig.RestartPolicy}}|{{printf "%v" .HostConfig.RestartPolicy}} c1 c2 -> 0
		  out: {on-failure 3}|&{on-failure 3}|&{on-failure 3}
		  out: {no 0}|&{no 0}|&{no 0}
		$ inspect --format {{.State}} c2 -> 0
		  out: {1.2.0 created false false false false false 0 0 0  <TIME> <TIME> <nil> false  <TIME> <TIME>    false false}
		$ inspect --format {{.Mounts}}|{{.NetworkSettings.Ports}}|{{.HostConfig.PortBindings}} c1 c2 -> 0
		  out: [{bind  /tmp /mnt   [rbind] false rprivate }]|map[80/tcp:[{127.0.0.1 8080}]]|map[80/tcp:[{127.0.0.1 8080}]]
		  out: []|map[]|map[]
		$ inspect --format {{if .State}}y{{end}} {{.State.Health}} {{.HostConfig.Ulimits}} {{.HostConfig.Devices}} {{.Config.Healthcheck}} c2 -> 0
		  out: y <nil> [] [] <nil>
		$ inspect --format {{.State.Nope}} c2 -> 125
		  err: Error: template: inspect:1:19: executing "inspect" at <.State.Nope>: can't evaluate field Nope in type *define.InspectContainerState
		$ inspect --format {{.HostConfig.RestartPolicy.Nope}} c2 -> 125
		  err: Error: template: inspect:1:24: executing "inspect" at <.HostConfig.RestartPolicy.Nope>: can't evaluate field Nope in type *define.InspectRestartPolicy
		$ image inspect --format {{.Config}}|{{.RootFS}} localhost/ferry-test:latest -> 0
		  out: { map[] [PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin] [] [/bin/sh] map[] / map[]  false}|{layers [sha256:<ID> sha256:<ID>]}
		$ image inspect --format {{.History}} localhost/ferry-test:latest -> 0
		  out: [{<TIME> ferry build-test-image: busybox base (layer 1)   false} {<TIME> ferry build-test-image: whiteouts, opaque dir, /etc/ferry-release (layer 2)   false} {<TIME> /bin/sh -c #(nop) CMD ["/bin/sh"]   true}]
		$ image inspect --format {{.Config.Nope}} localhost/ferry-test:latest -> 125
		  err: Error: template: inspect:1:20: executing "inspect" at <.Config.Nope>: can't evaluate field Nope in type *v1.ImageConfig
		$ info --format {{.Host.Security}}|{{.Host.Distribution}}|{{.Host.IDMappings}}|{{.Host.Slirp4NetNS}}|{{.Host.Pasta}}|{{.Store.ImageStore}}|{{.Store.ContainerStore}} -> 0
		  out: {false CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FOWNER,CAP_FSETID,CAP_KILL,CAP_NET_BIND_SERVICE,CAP_SETFCAP,CAP_SETGID,CAP_SETPCAP,CAP_SETUID,CAP_SYS_CHROOT false true /usr/share/containers/seccomp.json false}|{DISTRO}|{[] []}|{  }|{  }|{1}|{2 0 0 2}
		$ info --format {{.Host.Nope}} -> 125
		  err: Error: template: info:1:7: executing "info" at <.Host.Nope>: can't evaluate field Nope in type *define.HostInfo
		$ network create --subnet 10.89.7.0/24 n7 -> 0
		  out: n7
		$ network inspect --format {{.Subnets}} {{.Routes}} n7 -> 0
		  out: [{{{10.89.7.0 ffffff00}} 10.89.7.1 <nil>}] []
		$ network ls --filter name=n7 --format {{.Subnets}} -> 0
		  out: [{{{10.89.7.0 ffffff00}} 10.89.7.1 <nil>}]
		$ network rm n7 -> 0
		  out: n7
		$ ps -a --format {{.Namespaces}}|{{.Namespaces.MNT}}|{{.Names}} --sort names -> 0
		  out: {      }||c1
		  out: {      }||c2
		$ commit -q --change EXPOSE 80 --change VOLUME /data c2 localhost/exp:1 -> 0
		  out: <ID>
		$ image inspect --format {{.Config.ExposedPorts}}|{{.Config.Volumes}}|{{json .Config.ExposedPorts}} localhost/exp:1 -> 0
		  out: map[80/tcp:{}]|map[/data:{}]|{"80/tcp":{}}
		$ create --name e1 localhost/exp:1 true -> 0
		  out: <ID>
		$ inspect --format {{.Config.ExposedPorts}}|{{.NetworkSettings.Ports}}|{{index .NetworkSettings.Ports "80/tcp"}}|{{index .NetworkSettings.Ports "81/tcp"}}|{{len .Mounts}} e1 -> 0
		  out: map[80/tcp:{}]|map[80/tcp:[]]|[]|[]|1
		$ rm -v e1 -> 0
		  out: e1
		$ rmi localhost/exp:1 -> 0
		  out: Untagged: localhost/exp:1
		  out: Deleted: <ID>
	EOF
}

# "WHAT: in LOW..HIGH" or "WHAT: N, out of LOW..HIGH".
in_range() {
	if [ "$2" -ge "$3" ] && [ "$2" -lt "$4" ]; then echo "$1: in $3..$4"; else echo "$1: $2, out of $3..$4"; fi
}

# The rwSize of NAME through TOOL.
rw_size() {
	"$1" ps -a --size --filter "name=^$2\$" --format json | jq '.[0].Size.rwSize'
}

stopped_size_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" create --name c0 "$img" true
	step "$t" run --name s1 "$img" true
	# At once, whether its cleanup has run yet or not.
	in_range "exited, at once" "$(rw_size "$t" s1)" 10000 13000 >>"$TEST_TMP/$t.log"
	step "$t" run -d --name s2 "$img" sleep 1000
	step "$t" stop -t 0 s2
	step "$t" start s2
	in_range "never started" "$(rw_size "$t" c0)" 0 1 >>"$TEST_TMP/$t.log"
	# The runtime's config.json (about 10 kB, each tool's own), kept once
	# the container stopped, and counted once when it runs again.
	in_range "exited" "$(rw_size "$t" s1)" 10000 13000 >>"$TEST_TMP/$t.log"
	in_range "running again" "$(rw_size "$t" s2)" 10000 13000 >>"$TEST_TMP/$t.log"
	in_range "inspect --size" "$("$t" inspect --size --format '{{.SizeRw}}' s1)" 10000 13000 >>"$TEST_TMP/$t.log"
	step "$t" inspect --format '[{{.OCIConfigPath}}]' c0
	"$t" inspect --format '{{.OCIConfigPath}}' s1 | sed 's#.*/#.../#' >>"$TEST_TMP/$t.log"
	step "$t" container cleanup s1
	in_range "exited, cleaned up" "$(rw_size "$t" s1)" 10000 13000 >>"$TEST_TMP/$t.log"
	step "$t" rm -f -t 0 s2
}

@test "ps --size and inspect --size of a stopped container count the runtime's config.json that Podman keeps once it stopped (before ferry's cleanup and after, and once only when it runs again), and inspect's OCIConfigPath names it" {
	audit_compare_expected stopped_size_sequence <<-'EOF'
		$ create --name c0 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ run --name s1 localhost/ferry-test:latest true -> 0
		exited, at once: in 10000..13000
		$ run -d --name s2 localhost/ferry-test:latest sleep 1000 -> 0
		  out: <ID>
		$ stop -t 0 s2 -> 0
		  out: s2
		$ start s2 -> 0
		  out: s2
		never started: in 0..1
		exited: in 10000..13000
		running again: in 10000..13000
		inspect --size: in 10000..13000
		$ inspect --format [{{.OCIConfigPath}}] c0 -> 0
		  out: []
		.../config.json
		$ container cleanup s1 -> 0
		  out: s1
		exited, cleaned up: in 10000..13000
		$ rm -f -t 0 s2 -> 0
		  out: s2
	EOF
}

stats_members_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" run -d --name st1 "$img" sleep 1000
	step "$t" stats --no-stream --format '{{.ContainerID}}|{{eq .MemLimit 0}}|{{.BlockInput}}|{{.BlockOutput}}|{{gt .CPUNano 0}}|{{ge .AvgCPU 0.0}}|{{.PIDs}}' st1
	step "$t" rm -f -t 0 st1
}

@test "stats --format: the raw members of Podman's ContainerStats (ContainerID, MemLimit, BlockInput, BlockOutput, CPUNano, AvgCPU)" {
	audit_compare_expected stats_members_sequence <<-'EOF'
		$ run -d --name st1 localhost/ferry-test:latest sleep 1000 -> 0
		  out: <ID>
		$ stats --no-stream --format {{.ContainerID}}|{{eq .MemLimit 0}}|{{.BlockInput}}|{{.BlockOutput}}|{{gt .CPUNano 0}}|{{ge .AvgCPU 0.0}}|{{.PIDs}} st1 -> 0
		  out: <ID>|false|0|0|true|true|1
		$ rm -f -t 0 st1 -> 0
		  out: st1
	EOF
}

ps_namespace_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" run -d --name n1 "$img" sleep 1000
	step "$t" create --name n2 "$img" true
	step "$t" ps -a --namespace --sort names --format '{{.Names}} {{if .Namespaces.MNT}}mnt{{end}} {{if .Namespaces.NET}}net{{end}}'
	step "$t" ps --namespace --filter name=nosuch
	step "$t" rm -f -t 0 n1
}

@test "ps --namespace is --ns, as in Podman" {
	audit_compare_expected ps_namespace_sequence <<-'EOF'
		$ run -d --name n1 localhost/ferry-test:latest sleep 1000 -> 0
		  out: <ID>
		$ create --name n2 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ ps -a --namespace --sort names --format {{.Names}} {{if .Namespaces.MNT}}mnt{{end}} {{if .Namespaces.NET}}net{{end}} -> 0
		  out: n1 mnt net
		  out: n2  
		$ ps --namespace --filter name=nosuch -> 0
		  out: CONTAINER ID  NAMES       PID         CGROUPNS    IPC         MNT         NET         PIDNS       USERNS      UTS
		$ rm -f -t 0 n1 -> 0
		  out: n1
	EOF
}

ports_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" create --name p1 --network bridge --expose 81 --expose 80 -p 18080:80 -p 8080:90 "$img" true
	step "$t" create --name p2 --network bridge -p 127.0.0.1:8081:80/udp "$img" true
	step "$t" inspect --format '{{json .NetworkSettings.Ports}}|{{json .HostConfig.PortBindings}}|{{json .Config.ExposedPorts}}' p1 p2
	step "$t" inspect --format '{{.NetworkSettings.Ports}}|{{.Config.ExposedPorts}}' p1 p2
	JQ='.[0] | [.NetworkSettings.Ports, .HostConfig.PortBindings, .Config.ExposedPorts]' _step jq_part "$t" inspect p1
	step "$t" ps -a --format '{{.Names}} {{.Ports}}' --sort names
}

@test "inspect of published ports as Podman's: HostIp 0.0.0.0 when -p names no address, the maps' keys in order in the JSON, and Config.ExposedPorts holds the published ports beside the exposed ones; ps lists the ports of one address and protocol in host port order" {
	audit_compare_expected ports_sequence <<-'EOF'
		$ create --name p1 --network bridge --expose 81 --expose 80 -p 18080:80 -p 8080:90 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ create --name p2 --network bridge -p 127.0.0.1:8081:80/udp localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{json .NetworkSettings.Ports}}|{{json .HostConfig.PortBindings}}|{{json .Config.ExposedPorts}} p1 p2 -> 0
		  out: {"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"18080"}],"81/tcp":null,"90/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]}|{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"18080"}],"90/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]}|{"80/tcp":{},"81/tcp":{},"90/tcp":{}}
		  out: {"80/udp":[{"HostIp":"127.0.0.1","HostPort":"8081"}]}|{"80/udp":[{"HostIp":"127.0.0.1","HostPort":"8081"}]}|{"80/udp":{}}
		$ inspect --format {{.NetworkSettings.Ports}}|{{.Config.ExposedPorts}} p1 p2 -> 0
		  out: map[80/tcp:[{0.0.0.0 18080}] 81/tcp:[] 90/tcp:[{0.0.0.0 8080}]]|map[80/tcp:{} 81/tcp:{} 90/tcp:{}]
		  out: map[80/udp:[{127.0.0.1 8081}]]|map[80/udp:{}]
		$ inspect p1 -> 0
		  out: [{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"18080"}],"81/tcp":null,"90/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]},{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"18080"}],"90/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]},{"80/tcp":{},"81/tcp":{},"90/tcp":{}}]
		$ ps -a --format {{.Names}} {{.Ports}} --sort names -> 0
		  out: p1 0.0.0.0:8080->90/tcp, 0.0.0.0:18080->80/tcp, 81/tcp
		  out: p2 127.0.0.1:8081->80/udp
	EOF
}

bind_options_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" create --name b1 -v /tmp:/d:rshared -v /tmp:/e:bind -v /tmp:/g:slave,ro "$img" true
	# Podman lists the mounts in a Go map's order, each time another.
	step_sorted "$t" inspect --format '{{range $i, $m := .Mounts}}{{if $i}}{{"\n"}}{{end}}{{$m}}{{end}}' b1
	step_sorted "$t" inspect --format '{{range $i, $b := .HostConfig.Binds}}{{if $i}}{{"\n"}}{{end}}{{$b}}{{end}}' b1
	step "$t" create -v /tmp:/d:shared,slave "$img" true
	step "$t" create -v /tmp:/d:bogus "$img" true
	step "$t" run --rm -v /tmp:/d:rslave,ro -v /tmp:/e:bind "$img" sh -c 'grep -E " /(d|e) " /proc/self/mountinfo | cut -d" " -f5 | sort'
	step "$t" ps -a --format '{{.Names}}'
}

@test "-v of a bind mount takes a propagation ([r]shared, [r]slave, [r]private, [r]unbindable) and bind, as Podman's -v does; two propagations in Podman's words" {
	audit_compare_expected bind_options_sequence <<-'EOF'
		$ create --name b1 -v /tmp:/d:rshared -v /tmp:/e:bind -v /tmp:/g:slave,ro localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{range $i, $m := .Mounts}}{{if $i}}{{"\n"}}{{end}}{{$m}}{{end}} b1 -> 0
		  out: {bind  /tmp /d   [rbind] true rshared }
		  out: {bind  /tmp /e   [bind] true private }
		  out: {bind  /tmp /g   [rbind] false slave }
		$ inspect --format {{range $i, $b := .HostConfig.Binds}}{{if $i}}{{"\n"}}{{end}}{{$b}}{{end}} b1 -> 0
		  out: /tmp:/d:rshared,rw,rbind
		  out: /tmp:/e:bind,rw,private
		  out: /tmp:/g:slave,ro,rbind
		$ create -v /tmp:/d:shared,slave localhost/ferry-test:latest true -> 125
		  err: Error: invalid options "shared, slave", can only specify 1 '[r]shared', '[r]private', '[r]slave' or '[r]unbindable' option
		$ create -v /tmp:/d:bogus localhost/ferry-test:latest true -> 125
		  err: Error: invalid option type "bogus" in volume `/tmp:/d:bogus`: use ro, rw, copy, nocopy, U, z, Z, [no]exec, [no]suid, [no]dev, [r]shared, [r]slave, [r]private, [r]unbindable, and for a bind mount bind or rbind
		$ run --rm -v /tmp:/d:rslave,ro -v /tmp:/e:bind localhost/ferry-test:latest sh -c grep -E " /(d|e) " /proc/self/mountinfo | cut -d" " -f5 | sort -> 0
		  out: /d
		  out: /e
		$ ps -a --format {{.Names}} -> 0
		  out: b1
	EOF
}

health_durations_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" run -d --name h1 --health-cmd true "$img" sleep 1000
	step "$t" healthcheck run h1
	step "$t" inspect --format '{{.Config.Healthcheck}}|{{print .Config.Healthcheck}}|{{.Config.Healthcheck.Interval}}|{{gt .Config.Healthcheck.Timeout 5}}|{{json .Config.Healthcheck.Interval}}' h1
	step "$t" inspect --format '{{.State.Health.Status}} {{.State.Health.FailingStreak}} {{len .State.Health.Log}} {{(index .State.Health.Log 0).ExitCode}}' h1
	step "$t" rm -f -t 0 h1
}

@test "a healthcheck's durations print as Go's time.Duration (30s), in the struct and alone, and still compare as numbers" {
	audit_compare_expected health_durations_sequence <<-'EOF'
		$ run -d --name h1 --health-cmd true localhost/ferry-test:latest sleep 1000 -> 0
		  out: <ID>
		$ healthcheck run h1 -> 0
		$ inspect --format {{.Config.Healthcheck}}|{{print .Config.Healthcheck}}|{{.Config.Healthcheck.Interval}}|{{gt .Config.Healthcheck.Timeout 5}}|{{json .Config.Healthcheck.Interval}} h1 -> 0
		  out: {[CMD-SHELL true] 0s 0s 30s 30s 3}|&{[CMD-SHELL true] 0s 0s 30s 30s 3}|30s|true|30000000000
		$ inspect --format {{.State.Health.Status}} {{.State.Health.FailingStreak}} {{len .State.Health.Log}} {{(index .State.Health.Log 0).ExitCode}} h1 -> 0
		  out: healthy 0 1 0
		$ rm -f -t 0 h1 -> 0
		  out: h1
	EOF
}
