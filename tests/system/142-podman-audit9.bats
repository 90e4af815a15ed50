#!/usr/bin/env bats
# What the ninth round of comparing ferry with Podman 5.4 found ferry
# doing differently, now fixed: events' Go templates, logs --tail of a
# container that wrote no final newline, wait of a created container and
# on health, network and volume ls filters, system prune's reclaimed
# space.  Each sequence is compared with the transcript ferry printed once
# it matched Podman (kept below) and, where Podman is installed, with
# Podman run live: standard output whole, the first words of each error
# line.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers

audit_hooks_for_every_test

events_members_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" volume create v1
	step "$t" run --name e1 --label team=a "$img" sh -c 'exit 3'
	step "$t" events --stream=false --filter type=volume --format '{{.}}'
	step "$t" events --stream=false --filter type=volume --format '{{json .}}'
	step "$t" events --stream=false --filter event=died --format '{{.Name}} {{.ContainerExitCode}} {{.Details}} {{.Attributes}} {{json .Attributes}}'
	step "$t" events --stream=false --filter type=volume --format '{{gt .Time 999}} {{eq (printf "%d" .TimeNano | len) 19}} [{{.Network}}|{{.HealthStatus}}|{{.Error}}|{{.PodID}}|{{.ContainerInspectData}}]'
	step "$t" events --stream=false --filter type=volume --format '{{.Details.Attributes}} {{json .Details}}'
	step "$t" events --stream=false --filter type=volume --format '{{.Actor}}'
	step "$t" events --stream=false --filter type=volume --format '{{.Details.Nope}}'
	step "$t" rm e1
	step "$t" volume rm v1
}

logs_no_newline_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" run --name l1 "$img" sh -c 'echo a; echo b; printf c'
	step "$t" run --name l2 "$img" sh -c 'echo a; echo b'
	step "$t" run --name l3 "$img" sh -c 'echo first; printf x; sleep 0.2; printf y; sleep 0.2; echo z; printf w'
	for n in 0 1 2 3; do
		step "$t" logs --tail $n l1
		echo >>"$TEST_TMP/$t.log"
	done
	step "$t" logs --tail 1 l2
	step "$t" logs --tail 0 l2
	step "$t" logs --tail 1 l3
	echo >>"$TEST_TMP/$t.log"
	step "$t" logs --tail 2 l3
	echo >>"$TEST_TMP/$t.log"
	# (Several containers' logs come in no set order from Podman, which
	# reads each in a goroutine of its own: ferry's, in the order named,
	# is checked alone below.)
	[ "$t" = podman_t ] || "$t" logs --tail 1 --names l1 l2 >"$TEST_TMP/names.out"
	for n in l1 l2 l3; do step "$t" rm $n; done
}

wait_conditions_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" create --name w1 "$img" true
	step "$t" wait w1
	step "$t" wait --condition stopped w1
	step "$t" wait --condition exited,stopped w1
	step "$t" wait --condition healthy w1
	step "$t" create --name w2 --health-cmd true "$img" sleep 100
	step "$t" wait --condition healthy w2
	step "$t" start w2
	step "$t" wait --condition healthy,running w2
	step "$t" healthcheck run w2
	step "$t" wait --condition healthy w2
	step "$t" wait --condition unhealthy,healthy --interval 10ms w2
	step "$t" stop -t 0 w2
	step "$t" wait --condition unhealthy w2
	step "$t" wait --condition stopped w2
	step "$t" rm w1
	step "$t" rm w2
}

ls_filters_sequence() {
	local t=$1 n
	n=$(net_number)
	# Subnets of the test's own, made outside the transcript.
	"$t" network create --subnet 10.91.$n.0/24 --label a=b n1 >/dev/null
	"$t" network create --subnet 10.92.$n.0/24 n2 >/dev/null
	step "$t" volume create --label a=b v1
	step "$t" volume create v2
	step "$t" network ls --filter dangling=true --format '{{.Name}}'
	step "$t" network ls --filter dangling=false --format '{{if eq .Name "podman" "ferry"}}DEFAULT{{else}}{{.Name}}{{end}}'
	step "$t" network ls --filter label!=a --filter name=^n --format '{{.Name}}'
	step "$t" network ls --filter until=1h --format '{{.Name}}'
	step "$t" network ls --filter until=2099-01-01 --filter name=^n --format '{{.Name}}'
	step "$t" network ls --filter until=bogus
	step "$t" volume ls --filter until=1h --format '{{.Name}}'
	step "$t" volume ls --filter until=2099-01-01T00:00:00Z --format '{{.Name}}'
	step "$t" volume ls --filter until=bogus
	step "$t" volume prune -f --filter until=1h
	step "$t" volume prune -f --filter until=4102444800
	step "$t" network rm n1 n2
}

prune_reclaimed_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" tag "$img" localhost/other:1
	step "$t" system df --format '{{.Type}} {{.Size}}'
	step "$t" system prune -af
}

@test "events --format: a template sees Podman's system.Event (Time and TimeNano in Unix seconds and nanoseconds, Details embedded, HealthStatus, PodID), {{json .}} is the --format json line, and a missing field's error names system.Event" {
	# The times, which differ from run to run.
	local t
	for t in f podman_t; do
		cat >>"$TEST_TMP/$t.sed" <<-'SED'
			s/\b[0-9]\{19\}\b/<NANO>/g
			s/\b1[0-9]\{9\}\b/<UNIX>/g
		SED
	done
	PODMAN_EVENTS=file
	audit_compare_expected events_members_sequence <<-'EOF'
		$ volume create v1 -> 0
		  out: v1
		$ run --name e1 --label team=a localhost/ferry-test:latest sh -c exit 3 -> 3
		$ events --stream=false --filter type=volume --format {{.}} -> 0
		  out: {<nil>   v1  create <UNIX> <NANO> volume   {  map[]}}
		$ events --stream=false --filter type=volume --format {{json .}} -> 0
		  out: {"Name":"v1","Status":"create","time":<UNIX>,"timeNano":<NANO>,"Type":"volume","Attributes":null}
		$ events --stream=false --filter event=died --format {{.Name}} {{.ContainerExitCode}} {{.Details}} {{.Attributes}} {{json .Attributes}} -> 0
		  out: e1 3 {  map[team:a]} map[team:a] {"team":"a"}
		$ events --stream=false --filter type=volume --format {{gt .Time 999}} {{eq (printf "%d" .TimeNano | len) 19}} [{{.Network}}|{{.HealthStatus}}|{{.Error}}|{{.PodID}}|{{.ContainerInspectData}}] -> 0
		  out: true true [||||]
		$ events --stream=false --filter type=volume --format {{.Details.Attributes}} {{json .Details}} -> 0
		  out: map[] {"Attributes":null}
		$ events --stream=false --filter type=volume --format {{.Actor}} -> 125
		  err: Error: template: events:1:2: executing "events" at <.Actor>: can't evaluate field Actor in type system.Event
		$ events --stream=false --filter type=volume --format {{.Details.Nope}} -> 125
		  err: Error: template: events:1:10: executing "events" at <.Details.Nope>: can't evaluate field Nope in type events.Details
		$ rm e1 -> 0
		  out: e1
		$ volume rm v1 -> 0
		  out: v1
	EOF
}

@test "logs --tail counts a last line without its newline as a line, as Podman does: --tail 0 prints nothing, --tail 1 that text alone" {
	audit_compare_expected logs_no_newline_sequence <<-'EOF'
		$ run --name l1 localhost/ferry-test:latest sh -c echo a; echo b; printf c -> 0
		  out: a
		  out: b
		  out: c$ run --name l2 localhost/ferry-test:latest sh -c echo a; echo b -> 0
		  out: a
		  out: b
		$ run --name l3 localhost/ferry-test:latest sh -c echo first; printf x; sleep 0.2; printf y; sleep 0.2; echo z; printf w -> 0
		  out: first
		  out: xyz
		  out: w$ logs --tail 0 l1 -> 0

		$ logs --tail 1 l1 -> 0
		  out: c
		$ logs --tail 2 l1 -> 0
		  out: b
		  out: c
		$ logs --tail 3 l1 -> 0
		  out: a
		  out: b
		  out: c
		$ logs --tail 1 l2 -> 0
		  out: b
		$ logs --tail 0 l2 -> 0
		$ logs --tail 1 l3 -> 0
		  out: w
		$ logs --tail 2 l3 -> 0
		  out: xyz
		  out: w
		$ rm l1 -> 0
		  out: l1
		$ rm l2 -> 0
		  out: l2
		$ rm l3 -> 0
		  out: l3
	EOF
	# With --names, each container's last line, the one without newline too.
	[ "$(cat "$TEST_TMP/names.out")" = "$(printf 'l1 cl2 b')" ]
}

@test "wait: a created container that never ran answers 0 at once (stopped and exited alone are the plain wait), and --condition healthy|unhealthy waits on the health check, refused without one or while the container is not running" {
	audit_compare_expected wait_conditions_sequence <<-'EOF'
		$ create --name w1 localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ wait w1 -> 0
		  out: 0
		$ wait --condition stopped w1 -> 0
		  out: 0
		$ wait --condition exited,stopped w1 -> 0
		  out: 0
		$ wait --condition healthy w1 -> 125
		  err: Error: cannot use condition "healthy": container <ID> has no healthcheck: give it one with --health-cmd
		$ create --name w2 --health-cmd true localhost/ferry-test:latest sleep 100 -> 0
		  out: <ID>
		$ wait --condition healthy w2 -> 125
		  err: Error: container is stopped: start container <ID> first
		$ start w2 -> 0
		  out: w2
		$ wait --condition healthy,running w2 -> 0
		  out: -1
		$ healthcheck run w2 -> 0
		$ wait --condition healthy w2 -> 0
		  out: -1
		$ wait --condition unhealthy,healthy --interval 10ms w2 -> 0
		  out: -1
		$ stop -t 0 w2 -> 0
		  out: w2
		$ wait --condition unhealthy w2 -> 125
		  err: Error: container is stopped: start container <ID> first
		$ wait --condition stopped w2 -> 0
		  out: 137
		$ rm w1 -> 0
		  out: w1
		$ rm w2 -> 0
		  out: w2
	EOF
}

@test "network ls takes until= and label!=, and never counts the default network as dangling; volume ls and volume prune take until=" {
	audit_compare_expected ls_filters_sequence <<-'EOF'
		$ volume create --label a=b v1 -> 0
		  out: v1
		$ volume create v2 -> 0
		  out: v2
		$ network ls --filter dangling=true --format {{.Name}} -> 0
		  out: n1
		  out: n2
		$ network ls --filter dangling=false --format {{if eq .Name "podman" "ferry"}}DEFAULT{{else}}{{.Name}}{{end}} -> 0
		  out: DEFAULT
		$ network ls --filter label!=a --filter name=^n --format {{.Name}} -> 0
		  out: n2
		$ network ls --filter until=1h --format {{.Name}} -> 0
		$ network ls --filter until=2099-01-01 --filter name=^n --format {{.Name}} -> 0
		  out: n1
		  out: n2
		$ network ls --filter until=bogus -> 125
		  err: Error: failed to parse value as time or duration: "bogus"
		$ volume ls --filter until=1h --format {{.Name}} -> 0
		$ volume ls --filter until=2099-01-01T00:00:00Z --format {{.Name}} -> 0
		  out: v1
		  out: v2
		$ volume ls --filter until=bogus -> 125
		  err: Error: failed to parse value as time or duration: "bogus"
		$ volume prune -f --filter until=1h -> 0
		$ volume prune -f --filter until=4102444800 -> 0
		  out: v1
		  out: v2
		$ network rm n1 n2 -> 0
		  out: n1
		  out: n2
	EOF
}

@test "system prune -a counts each removed image's size as images shows it, as Podman's reclaimed space does" {
	audit_compare_expected prune_reclaimed_sequence <<-'EOF'
		$ tag localhost/ferry-test:latest localhost/other:1 -> 0
		$ system df --format {{.Type}} {{.Size}} -> 0
		  out: Images 2.152MB
		  out: Containers 0B
		  out: Local Volumes 0B
		$ system prune -af -> 0
		  out: Deleted Images
		  out: <ID>
		  out: Total reclaimed space: 2.152MB
	EOF
}

inspect_template_error_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" volume create va
	step "$t" volume create vb
	step "$t" create --name ia "$img" true
	step "$t" create --name ib "$img" true
	step "$t" volume inspect --format '{{.Name}} {{.Nope}}' va vb
	step "$t" volume inspect --format '{{.Name}} {{.Nope}}' nosuch va vb
	step "$t" inspect --format '{{.Name}} {{.Nope}}' ia ib
	step "$t" container inspect --format '{{.Name}} {{.Nope}}' ia nosuch ib
	step "$t" image inspect --format '{{.Nope}}' "$img" "$img"
	step "$t" image inspect --format '{{.Nope}}' nosuch "$img"
	step "$t" inspect --format '{{.Name}}' ia nosuch ib
	step "$t" rm ia
	step "$t" rm ib
	step "$t" volume rm va
	step "$t" volume rm vb
}

@test "inspect --format: the first template error ends the output, as Podman runs the template once over all it found; with names not found it comes first, bare, then their errors" {
	audit_compare_expected inspect_template_error_sequence <<-'EOF'
		$ volume create va -> 0
		  out: va
		$ volume create vb -> 0
		  out: vb
		$ create --name ia localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ create --name ib localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ volume inspect --format {{.Name}} {{.Nope}} va vb -> 125
		  out: va   err: Error: template: inspect:1:23: executing "inspect" at <.Nope>: can't evaluate field Nope in type interface {}
		$ volume inspect --format {{.Name}} {{.Nope}} nosuch va vb -> 125
		  out: va   err: template: inspect:1:23: executing "inspect" at <.Nope>: can't evaluate field Nope in type interface {}
		  err: Error: no such volume nosuch
		$ inspect --format {{.Name}} {{.Nope}} ia ib -> 125
		  out: ia   err: Error: template: inspect:1:23: executing "inspect" at <.Nope>: can't evaluate field Nope in type interface {}
		$ container inspect --format {{.Name}} {{.Nope}} ia nosuch ib -> 125
		  out: ia   err: template: inspect:1:23: executing "inspect" at <.Nope>: can't evaluate field Nope in type interface {}
		  err: Error: no such container nosuch
		$ image inspect --format {{.Nope}} localhost/ferry-test:latest localhost/ferry-test:latest -> 125
		  err: Error: template: inspect:1:13: executing "inspect" at <.Nope>: can't evaluate field Nope in type interface {}
		$ image inspect --format {{.Nope}} nosuch localhost/ferry-test:latest -> 125
		  err: template: inspect:1:13: executing "inspect" at <.Nope>: can't evaluate field Nope in type interface {}
		  err: Error: nosuch: image not known
		$ inspect --format {{.Name}} ia nosuch ib -> 125
		  out: ia
		  out: ib
		  err: Error: no such object: "nosuch"
		$ rm ia -> 0
		  out: ia
		$ rm ib -> 0
		  out: ib
		$ volume rm va -> 0
		  out: va
		$ volume rm vb -> 0
		  out: vb
	EOF
}
