#!/usr/bin/env bats
# What the tenth round of comparing ferry with Podman 5.4 found ferry
# doing differently, now fixed: the options of binds and volumes in
# inspect and generate spec in the order typed, --volumes-from's options,
# malformed -v, volume ls and prune filters (any one takes a volume), top
# with ps(1) descriptors, info's JSON key order, Podman's remote-client
# flags, a volume tar's refusal.  Each sequence is compared with the
# transcript ferry printed once it matched Podman (kept below) and, where
# Podman is installed, with Podman run live: standard output whole, the
# first words of each error line.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers

audit_hooks_for_every_test

# The mounts and volumes of generate spec, in one order whatever the
# order of the mounts (Podman's comes from a Go map).
spec_mounts_part() {
	jq -c '[(.mounts // [])[], (.volumes // [])[]] | sort_by(.destination // .Dest) | .[]' "$1"
}

mount_options_sequence() {
	local t=$1 img=localhost/ferry-test:latest d=$TEST_TMP/d
	mkdir -p "$d"
	step "$t" create --name b1 \
		-v "$d:/v1:ro,z" -v "$d:/v2:rw,Z,nosuid" -v "$d:/v3:z,U,rslave" -v "$d:/v4:exec,ro,Z" -v "$d:/v5" \
		-v n1:/n1:z -v n2:/n2:nosuid,nocopy -v n3:/n3:copy,ro -v n4:/n4:exec,ro,Z \
		--mount "type=bind,src=$d,dst=/m1,ro,bind-nonrecursive,z" \
		--mount "type=bind,src=$d,dst=/m2,z,bind-nonrecursive,ro,nosuid" \
		--mount "type=bind,src=$d,dst=/m3,bind-propagation=shared,rw,nodev" \
		--mount "type=bind,src=$d,dst=/m4,readonly,nodev,Z" \
		--mount "type=bind,src=$d,dst=/m5,rw=false,U=true" \
		--mount "type=bind,src=$d,dst=/m6,relabel=shared,nosuid" \
		--mount type=volume,src=n5,dst=/m7,nodev,rw=true "$img" true
	step_sorted "$t" inspect --format '{{range .HostConfig.Binds}}{{.}}
{{end}}' b1
	step_sorted "$t" inspect --format '{{range .Mounts}}{{.Destination}} {{.Options}} {{.RW}} {{.Mode}} {{.Propagation}}
{{end}}' b1
	_step spec_mounts_part "$t" generate spec b1
	step "$t" create --name b5 --tmpfs /t1 --tmpfs /t2:size=1m,noexec --tmpfs /t3:ro,notmpcopyup,nosuid "$img" true
	_step spec_mounts_part "$t" generate spec b5
	step "$t" create --name b2 --volumes-from b1:z "$img" true
	step_sorted "$t" inspect --format '{{range .HostConfig.Binds}}{{.}}
{{end}}' b2
	step "$t" create --name b3 --volumes-from b1:ro,z "$img" true
	step_sorted "$t" inspect --format '{{range .HostConfig.Binds}}{{.}}
{{end}}' b3
	step "$t" create --name b4 --volumes-from b1 "$img" true
	step_sorted "$t" inspect --format '{{range .Mounts}}{{.Destination}} {{.Options}} {{.RW}}
{{end}}' b4
	step_sorted "$t" rm b5 b4 b3 b2 b1
	step_sorted "$t" volume rm n1 n2 n3 n4 n5
}

@test "inspect's Binds and .Mounts, and generate spec, keep -v's and --mount's options in the order typed and complete them as Podman does; --volumes-from with options gives those alone" {
	audit_compare_expected mount_options_sequence <<-'EOF'
		$ create --name b1 -v TMP/d:/v1:ro,z -v TMP/d:/v2:rw,Z,nosuid -v TMP/d:/v3:z,U,rslave -v TMP/d:/v4:exec,ro,Z -v TMP/d:/v5 -v n1:/n1:z -v n2:/n2:nosuid,nocopy -v n3:/n3:copy,ro -v n4:/n4:exec,ro,Z --mount type=bind,src=TMP/d,dst=/m1,ro,bind-nonrecursive,z --mount type=bind,src=TMP/d,dst=/m2,z,bind-nonrecursive,ro,nosuid --mount type=bind,src=TMP/d,dst=/m3,bind-propagation=shared,rw,nodev --mount type=bind,src=TMP/d,dst=/m4,readonly,nodev,Z --mount type=bind,src=TMP/d,dst=/m5,rw=false,U=true --mount type=bind,src=TMP/d,dst=/m6,relabel=shared,nosuid --mount type=volume,src=n5,dst=/m7,nodev,rw=true localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{range .HostConfig.Binds}}{{.}}
		{{end}} b1 -> 0
		  out: 
		  out: TMP/d:/m1:ro,bind,z,private
		  out: TMP/d:/m2:z,bind,ro,nosuid,private
		  out: TMP/d:/m3:shared,rw,nodev,rbind
		  out: TMP/d:/m4:ro,nodev,Z,rprivate,rbind
		  out: TMP/d:/m5:ro,U,rprivate,rbind
		  out: TMP/d:/m6:z,nosuid,rw,rprivate,rbind
		  out: TMP/d:/v1:ro,z,rprivate,rbind
		  out: TMP/d:/v2:rw,Z,nosuid,rprivate,rbind
		  out: TMP/d:/v3:z,U,rslave,rw,rbind
		  out: TMP/d:/v4:exec,ro,Z,rprivate,rbind
		  out: TMP/d:/v5:rw,rprivate,rbind
		  out: n1:/n1:z,rw,rprivate,nosuid,nodev,rbind
		  out: n2:/n2:nosuid,nocopy,rw,rprivate,nodev,rbind
		  out: n3:/n3:copy,ro,rprivate,nosuid,nodev,rbind
		  out: n4:/n4:exec,ro,Z,rprivate,nosuid,nodev,rbind
		  out: n5:/m7:nodev,rw,rprivate,nosuid,rbind
		$ inspect --format {{range .Mounts}}{{.Destination}} {{.Options}} {{.RW}} {{.Mode}} {{.Propagation}}
		{{end}} b1 -> 0
		  out: 
		  out: /m1 [bind] false z private
		  out: /m2 [bind nosuid] false z private
		  out: /m3 [nodev rbind] true  shared
		  out: /m4 [nodev rbind] false Z rprivate
		  out: /m5 [U rbind] false  rprivate
		  out: /m6 [nosuid rbind] true z rprivate
		  out: /m7 [nodev nosuid rbind] true  rprivate
		  out: /n1 [nosuid nodev rbind] true z rprivate
		  out: /n2 [nosuid nocopy nodev rbind] true  rprivate
		  out: /n3 [copy nosuid nodev rbind] false  rprivate
		  out: /n4 [exec nosuid nodev rbind] false Z rprivate
		  out: /v1 [rbind] false z rprivate
		  out: /v2 [nosuid rbind] true Z rprivate
		  out: /v3 [U rbind] true z rslave
		  out: /v4 [exec rbind] false Z rprivate
		  out: /v5 [rbind] true  rprivate
		$ generate spec b1 -> 0
		  out: {"destination":"/m1","type":"bind","source":"TMP/d","options":["ro","bind","z","private"]}
		  out: {"destination":"/m2","type":"bind","source":"TMP/d","options":["z","bind","ro","nosuid","private"]}
		  out: {"destination":"/m3","type":"bind","source":"TMP/d","options":["shared","rw","nodev","rbind"]}
		  out: {"destination":"/m4","type":"bind","source":"TMP/d","options":["ro","nodev","Z","rprivate","rbind"]}
		  out: {"destination":"/m5","type":"bind","source":"TMP/d","options":["ro","U","rprivate","rbind"]}
		  out: {"destination":"/m6","type":"bind","source":"TMP/d","options":["z","nosuid","rw","rprivate","rbind"]}
		  out: {"Name":"n5","Dest":"/m7","Options":["nodev","rw","rprivate","nosuid","rbind"],"IsAnonymous":false,"SubPath":""}
		  out: {"Name":"n1","Dest":"/n1","Options":["z","rw","rprivate","nosuid","nodev","rbind"],"IsAnonymous":false,"SubPath":""}
		  out: {"Name":"n2","Dest":"/n2","Options":["nosuid","nocopy","rw","rprivate","nodev","rbind"],"IsAnonymous":false,"SubPath":""}
		  out: {"Name":"n3","Dest":"/n3","Options":["copy","ro","rprivate","nosuid","nodev","rbind"],"IsAnonymous":false,"SubPath":""}
		  out: {"Name":"n4","Dest":"/n4","Options":["exec","ro","Z","rprivate","nosuid","nodev","rbind"],"IsAnonymous":false,"SubPath":""}
		  out: {"destination":"/v1","type":"bind","source":"TMP/d","options":["ro","z","rprivate","rbind"]}
		  out: {"destination":"/v2","type":"bind","source":"TMP/d","options":["rw","Z","nosuid","rprivate","rbind"]}
		  out: {"destination":"/v3","type":"bind","source":"TMP/d","options":["z","U","rslave","rw","rbind"]}
		  out: {"destination":"/v4","type":"bind","source":"TMP/d","options":["exec","ro","Z","rprivate","rbind"]}
		  out: {"destination":"/v5","type":"bind","source":"TMP/d","options":["rw","rprivate","rbind"]}
		$ create --name b5 --tmpfs /t1 --tmpfs /t2:size=1m,noexec --tmpfs /t3:ro,notmpcopyup,nosuid localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ generate spec b5 -> 0
		  out: {"destination":"/t1","type":"tmpfs","source":"tmpfs","options":["rw","rprivate","nosuid","nodev","tmpcopyup"]}
		  out: {"destination":"/t2","type":"tmpfs","source":"tmpfs","options":["size=1m","noexec","rw","rprivate","nosuid","nodev","tmpcopyup"]}
		  out: {"destination":"/t3","type":"tmpfs","source":"tmpfs","options":["ro","nosuid","rprivate","nodev"]}
		$ create --name b2 --volumes-from b1:z localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{range .HostConfig.Binds}}{{.}}
		{{end}} b2 -> 0
		  out: 
		  out: n1:/n1:z,rw,rprivate,nosuid,nodev,rbind
		  out: n2:/n2:z,rw,rprivate,nosuid,nodev,rbind
		  out: n3:/n3:z,rw,rprivate,nosuid,nodev,rbind
		  out: n4:/n4:z,rw,rprivate,nosuid,nodev,rbind
		  out: n5:/m7:z,rw,rprivate,nosuid,nodev,rbind
		$ create --name b3 --volumes-from b1:ro,z localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{range .HostConfig.Binds}}{{.}}
		{{end}} b3 -> 0
		  out: 
		  out: n1:/n1:ro,z,rprivate,nosuid,nodev,rbind
		  out: n2:/n2:ro,z,rprivate,nosuid,nodev,rbind
		  out: n3:/n3:ro,z,rprivate,nosuid,nodev,rbind
		  out: n4:/n4:ro,z,rprivate,nosuid,nodev,rbind
		  out: n5:/m7:ro,z,rprivate,nosuid,nodev,rbind
		$ create --name b4 --volumes-from b1 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{range .Mounts}}{{.Destination}} {{.Options}} {{.RW}}
		{{end}} b4 -> 0
		  out: 
		  out: /m7 [nodev nosuid rbind] true
		  out: /n1 [nosuid nodev rbind] true
		  out: /n2 [nosuid nocopy nodev rbind] true
		  out: /n3 [copy nosuid nodev rbind] false
		  out: /n4 [exec nosuid nodev rbind] false
		$ rm b5 b4 b3 b2 b1 -> 0
		  out: b1
		  out: b2
		  out: b3
		  out: b4
		  out: b5
		$ volume rm n1 n2 n3 n4 n5 -> 0
		  out: n1
		  out: n2
		  out: n3
		  out: n4
		  out: n5
	EOF
}

volumes_from_binds_sequence() {
	local t=$1 img=localhost/ferry-test:latest d=$TEST_TMP/d
	local show='ls /a; for d in /a /b /c /n; do grep " $d " /proc/mounts | awk "{ print \$2, substr(\$4, 1, 2), (\$4 ~ /nosuid/) }"; done'
	mkdir -p "$d"
	echo hello >"$d/hello"
	step "$t" create --name s1 -v "$d:/a:z" -v "$d:/b:ro" --mount "type=bind,src=$d,dst=/c,bind-nonrecursive,nosuid" \
		-v nv:/n "$img" true
	step "$t" run --rm --volumes-from s1 "$img" sh -c "$show"
	step "$t" run --rm --volumes-from s1:ro "$img" sh -c "$show"
	step "$t" run --rm --volumes-from s1:rw "$img" sh -c "$show"
	step "$t" create --name s2 --volumes-from s1 "$img" true
	step "$t" inspect --format '{{json .HostConfig.Binds}} {{len .Mounts}}' s2
	step "$t" ps -a --format '{{.Names}} {{.Mounts}}' --filter name=s2
	step "$t" run --rm --volumes-from s2 "$img" sh -c 'ls /a 2>&1; ls /n'
	step_sorted "$t" rm s1 s2
	step "$t" volume rm nv
}

@test "--volumes-from carries the other container's binds (not those it carried itself), read-only with :ro, but shows them nowhere, as Podman" {
	audit_compare_expected volumes_from_binds_sequence <<-'EOF'
		$ create --name s1 -v TMP/d:/a:z -v TMP/d:/b:ro --mount type=bind,src=TMP/d,dst=/c,bind-nonrecursive,nosuid -v nv:/n localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ run --rm --volumes-from s1 localhost/ferry-test:latest sh -c ls /a; for d in /a /b /c /n; do grep " $d " /proc/mounts | awk "{ print \$2, substr(\$4, 1, 2), (\$4 ~ /nosuid/) }"; done -> 0
		  out: hello
		  out: /a rw 0
		  out: /b ro 0
		  out: /c rw 1
		  out: /n rw 1
		$ run --rm --volumes-from s1:ro localhost/ferry-test:latest sh -c ls /a; for d in /a /b /c /n; do grep " $d " /proc/mounts | awk "{ print \$2, substr(\$4, 1, 2), (\$4 ~ /nosuid/) }"; done -> 0
		  out: hello
		  out: /a ro 0
		  out: /b ro 0
		  out: /c ro 0
		  out: /n ro 1
		$ run --rm --volumes-from s1:rw localhost/ferry-test:latest sh -c ls /a; for d in /a /b /c /n; do grep " $d " /proc/mounts | awk "{ print \$2, substr(\$4, 1, 2), (\$4 ~ /nosuid/) }"; done -> 0
		  out: hello
		  out: /a rw 0
		  out: /b rw 0
		  out: /c rw 0
		  out: /n rw 1
		$ create --name s2 --volumes-from s1 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{json .HostConfig.Binds}} {{len .Mounts}} s2 -> 0
		  out: ["nv:/n:rw,rprivate,nosuid,nodev,rbind"] 1
		$ ps -a --format {{.Names}} {{.Mounts}} --filter name=s2 -> 0
		  out: s2 [/n]
		$ run --rm --volumes-from s2 localhost/ferry-test:latest sh -c ls /a 2>&1; ls /n -> 0
		  out: ls: /a: No such file or directory
		$ rm s1 s2 -> 0
		  out: s1
		  out: s2
		$ volume rm nv -> 0
		  out: nv
	EOF
}

template_newline_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" volume create --label a=1 --label b=2 v1
	step "$t" create --name r1 -v v1:/v1 "$img" true
	step "$t" create --name r2 "$img" true
	step "$t" inspect --format '{{.Name}}
' r1 r2
	step "$t" inspect --format '{{range .Mounts}}{{.Destination}}
{{end -}}' r1 r2
	step "$t" inspect --format '{{range .Mounts}}{{.Destination}}
{{end}}' r1 r2
	step "$t" container inspect --format '{{.Name}}\n' r1
	step "$t" volume inspect --format '{{range $k, $v := .Labels}}{{$k}}={{$v}}
{{- end}}' v1
	step "$t" volume ls --format '{{.Name}}: {{- range $k, $v := .Labels}} {{$k}}{{end}}'
	step "$t" ps -a --format '{{.Names}} {{- range .Mounts}} {{.}}{{end}}' --sort names
	step "$t" info --format '{{.Store.GraphDriverName}}
'
	step_sorted "$t" rm r1 r2
	step "$t" volume rm v1
}

@test "templates take Go's trim markers, and inspect ends its template with a newline only when it has none, as Podman: no blank line after each object" {
	audit_compare_expected template_newline_sequence <<-'EOF'
		$ volume create --label a=1 --label b=2 v1 -> 0
		  out: v1
		$ create --name r1 -v v1:/v1 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ create --name r2 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{.Name}}
		 r1 r2 -> 0
		  out: r1
		  out: r2
		$ inspect --format {{range .Mounts}}{{.Destination}}
		{{end -}} r1 r2 -> 0
		  out: /v1
		$ inspect --format {{range .Mounts}}{{.Destination}}
		{{end}} r1 r2 -> 0
		  out: /v1
		  out: 
		  out: 
		$ container inspect --format {{.Name}}\n r1 -> 0
		  out: r1
		$ volume inspect --format {{range $k, $v := .Labels}}{{$k}}={{$v}}
		{{- end}} v1 -> 0
		  out: a=1b=2
		$ volume ls --format {{.Name}}: {{- range $k, $v := .Labels}} {{$k}}{{end}} -> 0
		  out: v1: a b
		$ ps -a --format {{.Names}} {{- range .Mounts}} {{.}}{{end}} --sort names -> 0
		  out: r1 /v1
		  out: r2
		$ info --format {{.Store.GraphDriverName}}
		 -> 0
		  out: overlay
		$ rm r1 r2 -> 0
		  out: r1
		  out: r2
		$ volume rm v1 -> 0
		  out: v1
	EOF
}

volume_filters_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" volume create --label a=1 va
	step "$t" volume create vb
	step "$t" volume create --label b=1 vc
	step "$t" create --name u1 -v vb:/vb "$img" true
	step_sorted "$t" volume ls -q --filter label=a --filter until=1h
	step_sorted "$t" volume ls -q --filter label=a --filter name=vb
	step_sorted "$t" volume ls -q --filter label=a --filter label=b
	step_sorted "$t" volume ls -q --filter label!=a --filter label!=b
	step_sorted "$t" volume ls -q --filter dangling=true --filter label=b
	step_sorted "$t" volume ls -q --filter dangling=true --filter dangling=false
	step_sorted "$t" volume ls -q --filter scope=local --filter name=va
	step_sorted "$t" volume ls -q --filter driver=x --filter name=va
	step "$t" volume ls -q --filter until=1h --filter until=2h
	step_sorted "$t" volume prune -f --filter label!=a --filter name=vb
	step_sorted "$t" volume prune -f --filter label=a --filter until=1h
	step_sorted "$t" volume ls -q
	step "$t" rm u1
	step "$t" volume rm vb
}

@test "volume ls and prune take a volume any one filter takes (label values all together), as Podman 5.4; a second until is refused in Podman's words" {
	audit_compare_expected volume_filters_sequence <<-'EOF'
		$ volume create --label a=1 va -> 0
		  out: va
		$ volume create vb -> 0
		  out: vb
		$ volume create --label b=1 vc -> 0
		  out: vc
		$ create --name u1 -v vb:/vb localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ volume ls -q --filter label=a --filter until=1h -> 0
		  out: va
		$ volume ls -q --filter label=a --filter name=vb -> 0
		  out: va
		  out: vb
		$ volume ls -q --filter label=a --filter label=b -> 0
		$ volume ls -q --filter label!=a --filter label!=b -> 0
		  out: va
		  out: vb
		  out: vc
		$ volume ls -q --filter dangling=true --filter label=b -> 0
		  out: va
		  out: vc
		$ volume ls -q --filter dangling=true --filter dangling=false -> 0
		  out: va
		  out: vb
		  out: vc
		$ volume ls -q --filter scope=local --filter name=va -> 0
		  out: va
		  out: vb
		  out: vc
		$ volume ls -q --filter driver=x --filter name=va -> 0
		  out: va
		$ volume ls -q --filter until=1h --filter until=2h -> 125
		  err: Error: specify exactly one timestamp for until: give --filter until=TIME once
		$ volume prune -f --filter label!=a --filter name=vb -> 0
		  out: vc
		$ volume prune -f --filter label=a --filter until=1h -> 0
		  out: va
		$ volume ls -q -> 0
		  out: vb
		$ rm u1 -> 0
		  out: u1
		$ volume rm vb -> 0
		  out: vb
	EOF
}

volume_order_sequence() {
	local t=$1 v
	for v in zeta alpha mid; do "$t" volume create "$v" >/dev/null; done
	step "$t" volume ls -q
	"$t" volume rm zeta >/dev/null
	"$t" volume create zeta >/dev/null
	step "$t" volume ls --format '{{.Name}}'
	step "$t" volume prune -f
}

@test "volume ls and prune list volumes in the order they were made, as Podman does, not by name" {
	audit_compare_expected volume_order_sequence <<-'EOF'
		$ volume ls -q -> 0
		  out: zeta
		  out: alpha
		  out: mid
		$ volume ls --format {{.Name}} -> 0
		  out: alpha
		  out: mid
		  out: zeta
		$ volume prune -f -> 0
		  out: alpha
		  out: mid
		  out: zeta
	EOF
}

tmpfs_relabel_sequence() {
	local t=$1 img=localhost/ferry-test:latest o
	step "$t" create --name t1 --tmpfs /t:rshared,noexec --tmpfs /u:private --tmpfs /w "$img" true
	step "$t" inspect --format '{{json .HostConfig.Tmpfs}}' t1
	step "$t" run --rm --tmpfs /t:rshared "$img" sh -c 'grep -c " /t .* shared:" /proc/self/mountinfo'
	for o in Z,relabel=shared Z,Z relabel=shared,relabel=private relabel=private,z; do
		step "$t" create --mount "type=bind,src=$TEST_TMP,dst=/x,$o" "$img" true
	done
	step "$t" rm t1
	step "$t" ps -a -q
}

@test "--tmpfs takes a propagation, and --mount one relabel, as Podman" {
	audit_compare_expected tmpfs_relabel_sequence <<-'EOF'
		$ create --name t1 --tmpfs /t:rshared,noexec --tmpfs /u:private --tmpfs /w localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{json .HostConfig.Tmpfs}} t1 -> 0
		  out: {"/t":"rshared,noexec,rw,nosuid,nodev,tmpcopyup","/u":"private,rw,nosuid,nodev,tmpcopyup","/w":"rw,rprivate,nosuid,nodev,tmpcopyup"}
		$ run --rm --tmpfs /t:rshared localhost/ferry-test:latest sh -c grep -c " /t .* shared:" /proc/self/mountinfo -> 0
		  out: 1
		$ create --mount type=bind,src=TMP,dst=/x,Z,relabel=shared localhost/ferry-test:latest true -> 125
		  err: Error: invalid options "Z, z", can only specify 1 'z', 'Z', or 'O' option
		$ create --mount type=bind,src=TMP,dst=/x,Z,Z localhost/ferry-test:latest true -> 125
		  err: Error: invalid options "Z, Z", can only specify 1 'z', 'Z', or 'O' option
		$ create --mount type=bind,src=TMP,dst=/x,relabel=shared,relabel=private localhost/ferry-test:latest true -> 125
		  err: Error: cannot pass 'relabel' option more than once: must provide an argument for option
		$ create --mount type=bind,src=TMP,dst=/x,relabel=private,z localhost/ferry-test:latest true -> 125
		  err: Error: invalid options "Z, z", can only specify 1 'z', 'Z', or 'O' option
		$ rm t1 -> 0
		  out: t1
		$ ps -a -q -> 0
	EOF
}

bad_volume_sequence() {
	local t=$1 img=localhost/ferry-test:latest v
	for v in /dest:ro /a:/b:c:d :/b /a: a:b /a::ro '' vol:/d: rel :: ':::'; do
		step "$t" create -v "$v" "$img" true
	done
	step "$t" ps -a -q
	step "$t" volume ls -q
}

@test "a malformed -v is refused with Podman's words, in Podman's order of checks, and nothing is made" {
	audit_compare_expected bad_volume_sequence <<-'EOF'
		$ create -v /dest:ro localhost/ferry-test:latest true -> 125
		  err: Error: invalid container path "ro", must be an absolute path: an anonymous volume takes options as --mount type=volume,dst=/dest,ro
		$ create -v /a:/b:c:d localhost/ferry-test:latest true -> 125
		  err: Error: /a:/b:c:d: incorrect volume format, should be [host-dir:]ctr-dir[:option]: give -v [SRC:]/DEST[:OPTIONS], with no more colons
		$ create -v :/b localhost/ferry-test:latest true -> 125
		  err: Error: host directory cannot be empty: give -v /SRC:/DEST or NAME:/DEST, or -v /DEST for an anonymous volume
		$ create -v /a: localhost/ferry-test:latest true -> 125
		  err: Error: container directory cannot be empty: give -v [SRC:]/DEST[:OPTIONS]
		$ create -v a:b localhost/ferry-test:latest true -> 125
		  err: Error: invalid container path "b", must be an absolute path: give -v [SRC:]/DEST[:OPTIONS]
		$ create -v /a::ro localhost/ferry-test:latest true -> 125
		  err: Error: container directory cannot be empty: give -v [SRC:]/DEST[:OPTIONS]
		$ create -v  localhost/ferry-test:latest true -> 125
		  err: Error: container directory cannot be empty: give -v [SRC:]/DEST[:OPTIONS]
		$ create -v vol:/d: localhost/ferry-test:latest true -> 125
		  err: Error: invalid option type "" in volume `vol:/d:`: use ro, rw, copy, nocopy, U, z, Z, [no]exec, [no]suid, [no]dev, [r]shared, [r]slave, [r]private, [r]unbindable, and for a bind mount bind or rbind
		$ create -v rel localhost/ferry-test:latest true -> 125
		  err: Error: invalid container path "rel", must be an absolute path: give -v [SRC:]/DEST[:OPTIONS]
		$ create -v :: localhost/ferry-test:latest true -> 125
		  err: Error: invalid option type "" in volume `::`: use ro, rw, copy, nocopy, U, z, Z, [no]exec, [no]suid, [no]dev, [r]shared, [r]slave, [r]private, [r]unbindable, and for a bind mount bind or rbind
		$ create -v ::: localhost/ferry-test:latest true -> 125
		  err: Error: :::: incorrect volume format, should be [host-dir:]ctr-dir[:option]: give -v [SRC:]/DEST[:OPTIONS], with no more colons
		$ ps -a -q -> 0
		$ volume ls -q -> 0
	EOF
}

exec_errors_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" run --rm "$img" /etc/passwd
	step "$t" run --rm "$img" /etc
	step "$t" run --rm "$img" /nonexist
	step "$t" run --rm "$img" nonexist
	step "$t" run -d --name p1 "$img" sleep 100
	step "$t" exec p1 /etc/passwd
	step "$t" exec p1 nonexist
	step "$t" top p1 -e -o args
	step "$t" top p1 -o args,comm
	step "$t" top p1 -o comm
	step "$t" rm -f -t 0 p1
}

@test "run and exec of a file that is not executable exit 126, of a missing command 127, in runc's words as Podman; top with ps(1) descriptors leaves ps's own line out as Podman does" {
	command -v ps >/dev/null || skip "ps(1) is not installed"
	audit_compare_expected exec_errors_sequence <<-'EOF'
		$ run --rm localhost/ferry-test:latest /etc/passwd -> 126
		  err: Error: runc: runc create failed: unable to start container process: exec: "/etc/passwd": permission denied: OCI permission denied
		$ run --rm localhost/ferry-test:latest /etc -> 126
		  err: Error: runc: runc create failed: unable to start container process: exec: "/etc": permission denied: OCI permission denied
		$ run --rm localhost/ferry-test:latest /nonexist -> 127
		  err: Error: runc: runc create failed: unable to start container process: exec: "/nonexist": stat /nonexist: no such file or directory: OCI runtime attempted to invoke a command that was not found
		$ run --rm localhost/ferry-test:latest nonexist -> 127
		  err: Error: runc: runc create failed: unable to start container process: exec: "nonexist": executable file not found in $PATH: OCI runtime attempted to invoke a command that was not found
		$ run -d --name p1 localhost/ferry-test:latest sleep 100 -> 0
		  out: <ID>
		$ exec p1 /etc/passwd -> 126
		  err: Error: runc: exec failed: unable to start container process: exec: "/etc/passwd": permission denied: OCI permission denied
		$ exec p1 nonexist -> 127
		  err: Error: runc: exec failed: unable to start container process: exec: "nonexist": executable file not found in $PATH: OCI runtime attempted to invoke a command that was not found
		$ top p1 -e -o args -> 0
		  out: COMMAND
		  out: sleep 100
		$ top p1 -o args,comm -> 0
		  out: COMMAND                     COMMAND
		  out: sleep 100                   sleep
		$ top p1 -o comm -> 0
		  out: COMMAND
		  out: sleep
		  out: ps
		$ rm -f -t 0 p1 -> 0
		  out: p1
	EOF
}

@test "info --format json: the members in the order of Podman's structs (the keys both have)" {
	local keys
	keys=$(f info --format json | jq -c '[.host | keys_unsorted[]], [.store | keys_unsorted[]], [.host.distribution | keys_unsorted[]]')
	[ "$keys" = '["arch","cgroupManager","cgroupVersion","cgroupControllers","conmon","criu","cpus","cpuUtilization","databaseBackend","distribution","eventLogger","hostname","idMappings","kernel","logDriver","memFree","memTotal","networkBackend","networkBackendInfo","ociRuntime","os","serviceIsRemote","security","slirp4netns","pasta","swapFree","swapTotal","uptime","variant","linkmode"]
["configFile","containerStore","graphDriverName","graphOptions","graphRoot","graphRootAllocated","graphRootUsed","graphStatus","imageCopyTmpDir","imageStore","runRoot","volumePath","volumeStore","transientStore"]
["distribution","version","codename"]' ]
	need_podman
	# Every path to a member, in document order, of the members both have.
	f info --format json | jq -c '[paths] | .[] | map(if type == "number" then "#" else . end)' |
		awk '!seen[$0]++' >"$TEST_TMP/f.paths"
	podman_t info --format json | jq -c '[paths] | .[] | map(if type == "number" then "#" else . end)' |
		awk '!seen[$0]++' >"$TEST_TMP/p.paths"
	diff <(grep -Fxf "$TEST_TMP/f.paths" "$TEST_TMP/p.paths") <(grep -Fxf "$TEST_TMP/p.paths" "$TEST_TMP/f.paths")
}

@test "Podman's remote-client flags get one line saying ferry has no remote client, exit 125, before and after the command" {
	local flag
	for flag in --remote -r --url=unix:///x --connection=c -c --identity=/x; do
		run_ferry $flag ps
		assert_status 125
		assert_one_line_error
		assert_output_contains "ferry has no remote client"
		assert_output_contains "Error: --"
	done
	run_ferry ps --url unix:///x
	assert_status 125
	[ "$output" = "Error: --url: ferry has no remote client, as it has no service to reach: run ferry on the host that has the containers (over ssh, for one elsewhere)" ]
	# Not in --help: ferry takes none of them.
	run_ferry --help
	[[ "$output" != *--remote* && "$output" != *--url* && "$output" != *--connection* ]]
	# Any other unknown flag is still Podman's unknown flag.
	run_ferry --remotely ps
	assert_status 125
	assert_output_contains "unknown flag: --remotely"
}

@test "a volume tar with an entry that climbs out is refused naming a volume entry, and the volume is left as it was" {
	mkdir -p "$TEST_TMP/t"
	echo x >"$TEST_TMP/x"
	tar -C "$TEST_TMP/t" -cPf "$TEST_TMP/bad.tar" ../x
	f volume create v1 >/dev/null
	run_ferry volume import v1 "$TEST_TMP/bad.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "volume entry \`../x\` escapes the destination"
	[ -z "$(ls -A "$ROOT/volumes/v1/_data")" ]
	f volume rm v1 >/dev/null
}

@test "a checkpoint archive of a container with a shared tmpfs is restored only with --trust-archive" {
	load_test_image
	f run -d --name ts --tmpfs /t:rshared ferry-test sleep 1000 >/dev/null
	f container checkpoint --export "$TEST_TMP/ts.tar.zst" ts >/dev/null
	f rm ts >/dev/null
	run_ferry container restore --import "$TEST_TMP/ts.tar.zst"
	assert_status 125
	assert_one_line_error
	assert_output_contains "mount option rshared on the tmpfs at /t of container \`ts\`"
	run_ferry ps -a -q
	[ -z "$output" ]
	run_ferry container restore --trust-archive --import "$TEST_TMP/ts.tar.zst"
	assert_status 0
	run_ferry exec ts sh -c 'grep -c " /t .* shared:" /proc/self/mountinfo'
	[ "$output" = 1 ]
}

# run and start of a container conmon will not monitor (k8s-file takes no
# log tag): TOOL's exit codes, its error's first words, what is left.
conmon_refusal() {
	local t=$1 img=localhost/ferry-test:latest rc
	rc=0
	"$t" run --rm --log-driver k8s-file --log-opt tag=x "$img" true 2>"$TEST_TMP/err" || rc=$?
	echo "run --rm $rc $(grep -o '^Error: conmon failed: exit status 1' "$TEST_TMP/err")"
	rc=0
	"$t" run -d --name d1 --log-driver k8s-file --log-opt tag=x "$img" true 2>"$TEST_TMP/err" || rc=$?
	echo "run -d $rc $(grep -o '^Error: conmon failed: exit status 1' "$TEST_TMP/err")"
	"$t" create --name c1 --log-driver k8s-file --log-opt tag=x "$img" true >/dev/null
	rc=0
	"$t" start c1 2>"$TEST_TMP/err" || rc=$?
	echo "start $rc $(grep -o '^Error: unable to start container "[0-9a-f]*": conmon failed: exit status 1' "$TEST_TMP/err" | sed 's/"[0-9a-f]*"/ID/')"
	"$t" ps -a --format '{{.Names}} {{.Status}}' | sort
	"$t" rm -a >/dev/null
}

@test "a container conmon will not monitor: run exits 126 and start 125 with Podman's words, and the container stays created, as Podman" {
	load_test_image
	conmon_refusal f >"$TEST_TMP/f.out"
	diff -u - "$TEST_TMP/f.out" <<-'EOF'
		run --rm 126 Error: conmon failed: exit status 1
		run -d 126 Error: conmon failed: exit status 1
		start 125 Error: unable to start container ID: conmon failed: exit status 1
		c1 Created
		d1 Created
	EOF
	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	conmon_refusal podman_t >"$TEST_TMP/p.out"
	diff -u "$TEST_TMP/p.out" "$TEST_TMP/f.out"
}

named_bind_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" create --name t2 -v vol:/d:bind,ro "$img" true
	step "$t" inspect --format '{{json .HostConfig.Binds}} {{range .Mounts}}{{.Destination}} {{.Options}} {{.RW}} {{.Propagation}}{{end}}' t2
	step "$t" run --rm -v vol:/d:bind "$img" sh -c 'echo x >/d/f; grep -c " /d .*nosuid,nodev" /proc/self/mountinfo'
	step "$t" rm t2
	step "$t" volume rm vol
}

@test "-v NAME:/DEST:bind binds a named volume without the mounts below it, as Podman" {
	audit_compare_expected named_bind_sequence <<-'EOF'
		$ create --name t2 -v vol:/d:bind,ro localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{json .HostConfig.Binds}} {{range .Mounts}}{{.Destination}} {{.Options}} {{.RW}} {{.Propagation}}{{end}} t2 -> 0
		  out: ["vol:/d:bind,ro,private,nosuid,nodev"] /d [bind nosuid nodev] false private
		$ run --rm -v vol:/d:bind localhost/ferry-test:latest sh -c echo x >/d/f; grep -c " /d .*nosuid,nodev" /proc/self/mountinfo -> 0
		  out: 1
		$ rm t2 -> 0
		  out: t2
		$ volume rm vol -> 0
		  out: vol
	EOF
}
