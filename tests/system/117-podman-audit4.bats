#!/usr/bin/env bats
# What the fourth round of tests/lib/compare-podman.sh found ferry doing
# differently from Podman 5.4, now fixed.  Each sequence is compared with
# the transcript ferry printed once it matched Podman (kept below) and,
# where Podman is installed, with Podman run live: standard output whole,
# the first words of each error line.

load helpers
load podman-helpers

audit_hooks_for_every_test

# Runs sequence function $1 with ferry, compares it with the expected
# transcript on stdin, then runs it with Podman where Podman is installed
# (audit_compare_expected), with the directory bsrc its sequences bind.
compare_with_podman() {
	mkdir -p "$TEST_TMP/bsrc"
	audit_compare_expected "$1"
}

create_options_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	printf 'l1=x\nl2=y\n' >"$TEST_TMP/labels"
	step "$t" create --network none --name c1 --label z=1 --label-file "$TEST_TMP/labels" --annotation b=2 \
		--annotation a=1 --entrypoint /bin/sh "$img" -c true
	JQ='.[0].Config | {Cmd, Entrypoint, Labels, Annotations}' _step jq_part "$t" inspect c1
	JQ='.[] | {Labels, Command}' _step jq_part "$t" ps -a --format json
	step "$t" ps -a --format '{{.Names}} {{.Command}}'
	step "$t" create --network none --name c2 --entrypoint '["/bin/sh","-c"]' "$img"
	step "$t" inspect --format '{{json .Config.Cmd}} {{json .Config.Entrypoint}}' c2
	step "$t" create --network none --name c3 --dns 1.2.3.4 "$img" true
	step "$t" create --network none --name c3 --dns-search ex.com "$img" true
	step "$t" create --network none --name c3 --dns-option ndots:2 "$img" true
	step "$t" create --network container:c1 --dns 1.2.3.4 "$img" true
	step "$t" create --network container:c1 --add-host h:10.0.0.1 "$img" true
	step "$t" create --network host --name c4 --dns 1.2.3.4 --add-host h:10.0.0.1 \
		--security-opt label=disable --security-opt no-new-privileges "$img" true
	step "$t" inspect --format '{{json .HostConfig.Dns}} {{json .HostConfig.ExtraHosts}} {{json .HostConfig.SecurityOpt}}' c4
	step "$t" create --network none --name c5 --privileged --security-opt label=disable "$img" true
	step "$t" inspect --format '{{json .HostConfig.SecurityOpt}}' c5
	step "$t" volume create v1
	step "$t" create --network none --name c6 --tmpfs /t1:size=1m,mode=700 --tmpfs /a:ro,noexec \
		-v "$TEST_TMP/bsrc:/b2:z,ro" -v v1:/v2:U "$img" true
	step "$t" inspect --format '{{json .HostConfig.Tmpfs}}' c6
	JQ='[.[0].Mounts[] | {Destination, Mode, Options, RW}] | sort_by(.Destination) | .[]' _step jq_part "$t" inspect c6
	JQ='.[0].HostConfig.Binds | sort | .[]' _step jq_part "$t" inspect c6
	step "$t" create --network none --tmpfs /t:bogus "$img" true
	step "$t" create --network none --tmpfs t:ro "$img" true
	step_sorted "$t" rm c1 c2 c4 c5 c6
}

@test "create records as Podman: labels and annotations with their keys sorted, Cmd null and ps's Command without the entrypoint, DNS options refused with --network none or another's, label=disable, --privileged as unmask=all, --tmpfs DEST:OPTIONS, -v's U, z and Z" {
	compare_with_podman create_options_sequence <<-'EOF'
		$ create --network none --name c1 --label z=1 --label-file TMP/labels --annotation b=2 --annotation a=1 --entrypoint /bin/sh localhost/ferry-test:latest -c true -> 0
		  out: <ID>
		$ inspect c1 -> 0
		  out: {"Cmd":["-c","true"],"Entrypoint":["/bin/sh"],"Labels":{"l1":"x","l2":"y","z":"1"},"Annotations":{"a":"1","b":"2"}}
		$ ps -a --format json -> 0
		  out: {"Labels":{"l1":"x","l2":"y","z":"1"},"Command":["-c","true"]}
		$ ps -a --format {{.Names}} {{.Command}} -> 0
		  out: c1 -c true
		$ create --network none --name c2 --entrypoint ["/bin/sh","-c"] localhost/ferry-test:latest -> 0
		  out: <ID>
		$ inspect --format {{json .Config.Cmd}} {{json .Config.Entrypoint}} c2 -> 0
		  out: null ["/bin/sh","-c"]
		$ create --network none --name c3 --dns 1.2.3.4 localhost/ferry-test:latest true -> 125
		  err: Error: conflicting options: dns and the network mode: none
		$ create --network none --name c3 --dns-search ex.com localhost/ferry-test:latest true -> 125
		  err: Error: conflicting options: dns and the network mode: none
		$ create --network none --name c3 --dns-option ndots:2 localhost/ferry-test:latest true -> 125
		  err: Error: conflicting options: dns and the network mode: none
		$ create --network container:c1 --dns 1.2.3.4 localhost/ferry-test:latest true -> 125
		  err: Error: conflicting options: dns and the network mode: container
		$ create --network container:c1 --add-host h:10.0.0.1 localhost/ferry-test:latest true -> 125
		  err: Error: invalid config provided: cannot set extra host entries when the container is joined to another containers network namespace: invalid configuration
		$ create --network host --name c4 --dns 1.2.3.4 --add-host h:10.0.0.1 --security-opt label=disable --security-opt no-new-privileges localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{json .HostConfig.Dns}} {{json .HostConfig.ExtraHosts}} {{json .HostConfig.SecurityOpt}} c4 -> 0
		  out: ["1.2.3.4"] ["h:10.0.0.1"] ["no-new-privileges","label=disable"]
		$ create --network none --name c5 --privileged --security-opt label=disable localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{json .HostConfig.SecurityOpt}} c5 -> 0
		  out: ["label=disable","unmask=all"]
		$ volume create v1 -> 0
		  out: v1
		$ create --network none --name c6 --tmpfs /t1:size=1m,mode=700 --tmpfs /a:ro,noexec -v TMP/bsrc:/b2:z,ro -v v1:/v2:U localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{json .HostConfig.Tmpfs}} c6 -> 0
		  out: {"/a":"ro,noexec,rprivate,nosuid,nodev,tmpcopyup","/t1":"size=1m,mode=700,rw,rprivate,nosuid,nodev,tmpcopyup"}
		$ inspect c6 -> 0
		  out: {"Destination":"/b2","Mode":"z","Options":["rbind"],"RW":false}
		  out: {"Destination":"/v2","Mode":"","Options":["U","nosuid","nodev","rbind"],"RW":true}
		$ inspect c6 -> 0
		  out: "TMP/bsrc:/b2:z,ro,rprivate,rbind"
		  out: "v1:/v2:U,rw,rprivate,nosuid,nodev,rbind"
		$ create --network none --tmpfs /t:bogus localhost/ferry-test:latest true -> 125
		  err: Error: unknown mount option "bogus": invalid mount option
		$ create --network none --tmpfs t:ro localhost/ferry-test:latest true -> 125
		  err: Error: invalid container path "t", must be an absolute path
		$ rm c1 c2 c4 c5 c6 -> 0
		  out: c1
		  out: c2
		  out: c4
		  out: c5
		  out: c6
	EOF
}

update_clone_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" create --network none --name c1 --memory 64m "$img" sleep 100
	step "$t" update --memory 128m --cpus 0.5 --pids-limit 30 --restart on-failure:2 c1
	step "$t" inspect --format '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}' c1
	step "$t" update --memory bogus c1
	step "$t" update --cpus bogus c1
	step "$t" update --pids-limit 1.5 c1
	step "$t" update --pids-limit ' 5' c1
	step "$t" create --network none --cpus 0x10 "$img" true
	step "$t" create --network none --pids-limit 1.5 "$img" true
	step "$t" container clone --cpus x c1
	step "$t" container clone --name c2 --memory 32m c1
	step "$t" inspect --format '{{.Name}} {{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}' c2
	step "$t" container clone c1 c2
	step "$t" create --network none --name c2 "$img" true
	step "$t" ps -a --format '{{.Names}}' --sort names
	step_sorted "$t" rm c1 c2
}

@test "update, create and container clone: --cpus and --pids-limit Go cannot read are Podman's flag errors, a name in use is Podman's words" {
	compare_with_podman update_clone_sequence <<-'EOF'
		$ create --network none --name c1 --memory 64m localhost/ferry-test:latest sleep 100 -> 0
		  out: <ID>
		$ update --memory 128m --cpus 0.5 --pids-limit 30 --restart on-failure:2 c1 -> 0
		  out: <ID>
		$ inspect --format {{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}} c1 -> 0
		  out: 134217728 500000000 30 on-failure 2
		$ update --memory bogus c1 -> 125
		  err: Error: invalid value for memory: invalid size: 'bogus': give a size such as 512m or 2g
		$ update --cpus bogus c1 -> 125
		  err: Error: invalid argument "bogus" for "--cpus" flag: strconv.ParseFloat: parsing "bogus": invalid syntax
		  err: See 'ferry update --help'
		$ update --pids-limit 1.5 c1 -> 125
		  err: Error: invalid argument "1.5" for "--pids-limit" flag: strconv.ParseInt: parsing "1.5": invalid syntax
		  err: See 'ferry update --help'
		$ update --pids-limit  5 c1 -> 125
		  err: Error: invalid argument " 5" for "--pids-limit" flag: strconv.ParseInt: parsing " 5": invalid syntax
		  err: See 'ferry update --help'
		$ create --network none --cpus 0x10 localhost/ferry-test:latest true -> 125
		  err: Error: invalid argument "0x10" for "--cpus" flag: strconv.ParseFloat: parsing "0x10": invalid syntax
		  err: See 'ferry create --help'
		$ create --network none --pids-limit 1.5 localhost/ferry-test:latest true -> 125
		  err: Error: invalid argument "1.5" for "--pids-limit" flag: strconv.ParseInt: parsing "1.5": invalid syntax
		  err: See 'ferry create --help'
		$ container clone --cpus x c1 -> 125
		  err: Error: invalid argument "x" for "--cpus" flag: strconv.ParseFloat: parsing "x": invalid syntax
		  err: See 'ferry container clone --help'
		$ container clone --name c2 --memory 32m c1 -> 0
		  out: <ID>
		$ inspect --format {{.Name}} {{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} c2 -> 0
		  out: c2 33554432 30
		$ container clone c1 c2 -> 125
		  err: Error: creating container storage: the container name "c2" is already in use: remove that container (ferry rm c2) or choose another name
		$ create --network none --name c2 localhost/ferry-test:latest true -> 125
		  err: Error: creating container storage: the container name "c2" is already in use by <ID>: remove that container (ferry rm c2), choose another name or use --replace
		$ ps -a --format {{.Names}} --sort names -> 0
		  out: c1
		  out: c2
		$ rm c1 c2 -> 0
		  out: c1
		  out: c2
	EOF
}

# The lines of file $1 but the test image's loading (its archive's path
# is the run's own).
no_load() {
	grep -v loadfromarchive "$1" || true
}

events_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" run --network none --name c1 "$img" true
	step "$t" rm c1
	step "$t" volume create v1
	step "$t" tag "$img" t1:1
	step "$t" untag "$img" t1:1
	step "$t" events --stream=false --filter type=container --format '{{.Status}} {{.Name}}'
	_step no_load "$t" events --stream=false --filter type=image --format '{{.Status}} {{.Name}} [{{.Image}}]'
	step "$t" events --stream=false --filter image="$img" --format '{{.Type}} {{.Status}}'
	step "$t" events --stream=false --filter event=die --filter event=remove --format '{{.Status}} {{.ContainerExitCode}}'
	step "$t" events --stream=false --filter type=volume --format '[{{.ID}}|{{.Image}}|{{.ContainerExitCode}}|{{.Attributes}}|{{.Network}}|{{.Error}}]'
	step "$t" create --network none --name c2 "$("$t" inspect --format '{{.Id}}' "$img")" true
	step "$t" events --stream=false --filter event=pull --format '{{.Status}} {{.Name}}'
	step "$t" rm c2
}

@test "events as Podman's: run logs the image's pull event and attach, image= is the image's own events, die is died, a missing string prints empty, the exit code <nil>, the attributes map[]" {
	export PODMAN_EVENTS=file
	compare_with_podman events_sequence <<-'EOF'
		$ run --network none --name c1 localhost/ferry-test:latest true -> 0
		$ rm c1 -> 0
		  out: c1
		$ volume create v1 -> 0
		  out: v1
		$ tag localhost/ferry-test:latest t1:1 -> 0
		$ untag localhost/ferry-test:latest t1:1 -> 0
		$ events --stream=false --filter type=container --format {{.Status}} {{.Name}} -> 0
		  out: create c1
		  out: init c1
		  out: start c1
		  out: attach c1
		  out: died c1
		  out: cleanup c1
		  out: remove c1
		$ events --stream=false --filter type=image --format {{.Status}} {{.Name}} [{{.Image}}] -> 0
		  out: pull localhost/ferry-test:latest []
		  out: tag t1:1 []
		  out: untag localhost/t1:1 []
		$ events --stream=false --filter image=localhost/ferry-test:latest --format {{.Type}} {{.Status}} -> 0
		  out: image pull
		$ events --stream=false --filter event=die --filter event=remove --format {{.Status}} {{.ContainerExitCode}} -> 0
		  out: died 0
		  out: remove 0
		$ events --stream=false --filter type=volume --format [{{.ID}}|{{.Image}}|{{.ContainerExitCode}}|{{.Attributes}}|{{.Network}}|{{.Error}}] -> 0
		  out: [||<nil>|map[]||]
		$ create --network none --name c2 <ID> true -> 0
		  out: <ID>
		$ events --stream=false --filter event=pull --format {{.Status}} {{.Name}} -> 0
		  out: pull localhost/ferry-test:latest
		$ rm c2 -> 0
		  out: c2
	EOF
}

commit_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" run --network none --name c1 --label l=1 "$img" sh -c 'echo x >/f'
	step "$t" commit -q -a 'Ann <a@b>' --change 'LABEL k=v' --change 'EXPOSE 80' --change 'WORKDIR /tmp' \
		--change 'CMD ["sh","-c","echo hi"]' --change 'ENTRYPOINT ["/bin/sh"]' --change 'USER 1:2' \
		--change 'VOLUME /data' --change 'STOPSIGNAL SIGUSR1' c1 mine:1
	JQ='.[0] | {Author, Labels, Config: (.Config | del(.Env) | .Labels |= with_entries(select(.key != "io.buildah.version")))}' \
		_step jq_part "$t" image inspect mine:1
	step "$t" commit -q --pause=false --squash=true c1 mine:2
	step "$t" commit -q --pause=bogus c1 mine:3
	step "$t" images --format '{{.Repository}}:{{.Tag}}' --sort repository
	step "$t" rm c1
}

@test "commit: image inspect's Config in the OCI ImageConfig's order with its maps sorted, --pause and --squash take Go's booleans" {
	compare_with_podman commit_sequence <<-'EOF'
		$ run --network none --name c1 --label l=1 localhost/ferry-test:latest sh -c echo x >/f -> 0
		$ commit -q -a Ann <a@b> --change LABEL k=v --change EXPOSE 80 --change WORKDIR /tmp --change CMD ["sh","-c","echo hi"] --change ENTRYPOINT ["/bin/sh"] --change USER 1:2 --change VOLUME /data --change STOPSIGNAL SIGUSR1 c1 mine:1 -> 0
		  out: <ID>
		$ image inspect mine:1 -> 0
		  out: {"Author":"Ann <a@b>","Labels":{"k":"v","l":"1"},"Config":{"User":"1:2","ExposedPorts":{"80/tcp":{}},"Entrypoint":["/bin/sh"],"Cmd":["sh","-c","echo hi"],"Volumes":{"/data":{}},"WorkingDir":"/tmp","Labels":{"k":"v","l":"1"},"StopSignal":"SIGUSR1"}}
		$ commit -q --pause=false --squash=true c1 mine:2 -> 0
		  out: <ID>
		$ commit -q --pause=bogus c1 mine:3 -> 125
		  err: Error: invalid argument "bogus" for "-p, --pause" flag: strconv.ParseBool: parsing "bogus": invalid syntax
		  err: See 'ferry commit --help'
		$ images --format {{.Repository}}:{{.Tag}} --sort repository -> 0
		  out: localhost/ferry-test:latest
		  out: localhost/mine:1
		  out: localhost/mine:2
		$ rm c1 -> 0
		  out: c1
	EOF
}

create_errors_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" create --network none --restart bogus "$img" true
	step "$t" create --network none --restart on-failure:x "$img" true
	step "$t" create --network none --stop-signal BOGUS "$img" true
	step "$t" create --network none --stop-timeout x "$img" true
	step "$t" create --network none --ulimit nofile=10:5 "$img" true
	step "$t" create --network none --shm-size bogus "$img" true
	step "$t" create --network none --cap-add BOGUS "$img" true
	step "$t" create --network none --add-host bogus "$img" true
	step "$t" create --network none --add-host h:notanip "$img" true
	step "$t" create --network none --log-driver bogus "$img" true
	step "$t" create --network none --health-retries x --health-cmd true "$img" true
	step "$t" ps -a -q
}

@test "create's refusals begin with Podman's words: restart policy, signal, ulimit, shm size, capability, add-host, log driver; --stop-timeout and --health-retries as Go reads them" {
	compare_with_podman create_errors_sequence <<-'EOF'
		$ create --network none --restart bogus localhost/ferry-test:latest true -> 125
		  err: Error: running container create option: "bogus" is not a valid restart policy: invalid argument: use --restart no, always, on-failure[:N] or unless-stopped
		$ create --network none --restart on-failure:x localhost/ferry-test:latest true -> 125
		  err: Error: parsing restart policy retry count: invalid --restart `on-failure:x`: give the retry count of on-failure:N as a number of 0 or more
		$ create --network none --stop-signal BOGUS localhost/ferry-test:latest true -> 125
		  err: Error: invalid signal: BOGUS: give --stop-signal a signal name such as SIGINT or a number from 1 to 64
		$ create --network none --stop-timeout x localhost/ferry-test:latest true -> 125
		  err: Error: invalid argument "x" for "--stop-timeout" flag: strconv.ParseUint: parsing "x": invalid syntax
		  err: See 'ferry create --help'
		$ create --network none --ulimit nofile=10:5 localhost/ferry-test:latest true -> 125
		  err: Error: ulimit option "nofile=10:5" requires name=SOFT:HARD, failed to be parsed: use --ulimit NAME=SOFT[:HARD] with a limit such as nofile, nproc or memlock, -1 for unlimited, and soft no more than hard, or host
		$ create --network none --shm-size bogus localhost/ferry-test:latest true -> 125
		  err: Error: unable to translate --shm-size: invalid size: 'bogus': use a size like 64m or 1g
		$ create --network none --cap-add BOGUS localhost/ferry-test:latest true -> 125
		  err: Error: "CAP_BOGUS": unknown capability: give --cap-add and --cap-drop a name such as NET_ADMIN, or ALL
		$ create --network none --add-host bogus localhost/ferry-test:latest true -> 125
		  err: Error: bad format for add-host: "bogus": use --add-host HOST:IP (HOST a host name, several joined by `;`; IP an address or host-gateway)
		$ create --network none --add-host h:notanip localhost/ferry-test:latest true -> 125
		  err: Error: invalid IP address in add-host: "notanip": use --add-host HOST:IP (IP an address or host-gateway)
		$ create --network none --log-driver bogus localhost/ferry-test:latest true -> 125
		  err: Error: running container create option: invalid log driver: invalid argument: `bogus`: use --log-driver k8s-file, journald, none, passthrough or passthrough-tty
		$ create --network none --health-retries x --health-cmd true localhost/ferry-test:latest true -> 125
		  err: Error: invalid argument "x" for "--health-retries" flag: strconv.ParseUint: parsing "x": invalid syntax
		  err: See 'ferry create --help'
		$ ps -a -q -> 0
	EOF
}

more_options_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	FOO_A=1 FOO_B=2 step "$t" create --network none --name c1 --env 'FOO_*' -w /nosuch/dir "$img" true
	JQ='.[0] | {Path, Args, env: (.Config.Env | map(select(startswith("FOO"))) | sort)}' _step jq_part "$t" inspect c1
	step "$t" start c1
	step "$t" inspect --format '{{.State.Status}}' c1
	step "$t" run --rm --network none -w /nosuch/dir "$img" true
	step "$t" run --rm --network none --tmpfs /nosuch -w /nosuch/dir "$img" pwd
	step "$t" create --network none --name c2 --privileged=false --init=false --rm=false --tty=true "$img" true
	step "$t" inspect --format '{{.HostConfig.Privileged}} {{.HostConfig.Init}} {{.HostConfig.AutoRemove}} {{.Config.Tty}}' c2
	step "$t" create --network none --privileged=bogus "$img" true
	# An empty entrypoint is [""], run as none; --ulimit host drops the
	# limits given; a missing bind source is statfs's words.
	step "$t" create --network none --name c3 --entrypoint '' --ulimit nofile=100:200 --ulimit host "$img" echo hi
	JQ='.[0] | {Path, Args, e: .Config.Entrypoint, u: .HostConfig.Ulimits}' _step jq_part "$t" inspect c3
	step "$t" start -a c3
	step "$t" create --network none -v "$TEST_TMP/nosuch:/x" "$img" true
	step "$t" ps -a --format '{{.Names}} {{.State}}' --sort names
	step_sorted "$t" rm c1 c2 c3
}

@test "run and create: -e PREFIX* takes the variables of that prefix, a -w that is not there fails the start as Podman's (run 126) unless under a mount, boolean options take =false, Args of a one-word command, --entrypoint '' and --ulimit host" {
	compare_with_podman more_options_sequence <<-'EOF'
		$ create --network none --name c1 --env FOO_* -w /nosuch/dir localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect c1 -> 0
		  out: {"Path":"true","Args":["true"],"env":["FOO_A=1","FOO_B=2"]}
		$ start c1 -> 125
		  err: Error: unable to start container "<ID>": workdir "/nosuch/dir" does not exist on container <ID>: create it in the image or choose another -w
		$ inspect --format {{.State.Status}} c1 -> 0
		  out: created
		$ run --rm --network none -w /nosuch/dir localhost/ferry-test:latest true -> 126
		  err: Error: workdir "/nosuch/dir" does not exist on container <ID>: create it in the image or choose another -w
		$ run --rm --network none --tmpfs /nosuch -w /nosuch/dir localhost/ferry-test:latest pwd -> 0
		  out: /nosuch/dir
		$ create --network none --name c2 --privileged=false --init=false --rm=false --tty=true localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ inspect --format {{.HostConfig.Privileged}} {{.HostConfig.Init}} {{.HostConfig.AutoRemove}} {{.Config.Tty}} c2 -> 0
		  out: false false false true
		$ create --network none --privileged=bogus localhost/ferry-test:latest true -> 125
		  err: Error: invalid argument "bogus" for "--privileged" flag: strconv.ParseBool: parsing "bogus": invalid syntax
		  err: See 'ferry create --help'
		$ create --network none --name c3 --entrypoint  --ulimit nofile=100:200 --ulimit host localhost/ferry-test:latest echo hi -> 0
		  out: <ID>
		$ inspect c3 -> 0
		  out: {"Path":"echo","Args":["hi"],"e":[""],"u":[]}
		$ start -a c3 -> 0
		  out: hi
		$ create --network none -v TMP/nosuch:/x localhost/ferry-test:latest true -> 125
		  err: Error: statfs TMP/nosuch: no such file or directory: create it or fix the -v or --mount option
		$ ps -a --format {{.Names}} {{.State}} --sort names -> 0
		  out: c1 created
		  out: c2 created
		  out: c3 exited
		$ rm c1 c2 c3 -> 0
		  out: c1
		  out: c2
		  out: c3
	EOF
}
