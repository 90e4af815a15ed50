#!/usr/bin/env bash
# Runs everyday command sequences against ferry and Podman, each with roots
# of its own, and says which sequences behave differently: standard output,
# the first words of each standard error line and the exit codes, once IDs,
# times, secrets' IDs and the temporary directory are normalised.
#
# usage: tests/lib/compare-podman.sh [-v] [-k DIR] [-l] [PATTERN...]
#   -v       show the diff of every sequence that differs
#   -k DIR   keep the transcripts in DIR (DIR/NAME.ferry, DIR/NAME.podman,
#            and NAME.*.full with the whole of standard error)
#   -l       list the sequences and exit
#   PATTERN  run only the sequences whose name matches one (grep -E)
# FERRY_BIN: the ferry binary (default build/ferry of this tree).
# Exit status: 0 when every sequence run was identical, 1 otherwise.
#
# Each sequence starts from an empty state but for the test image
# (localhost/ferry-test:latest, tests/lib/build-test-image.sh), and its
# containers get no network unless the sequence asks for one.  A sequence
# line is the arguments of one command, split as the shell splits them;
# IMG stands for the test image; a line starting with "!" is a shell
# command run as it stands ($T names the tool's runner: `$T ps -a`), not
# recorded; one starting with "% " is such a command whose output is
# recorded (`% $T info --format json | jq -c keys`); one starting with
# "# " is a comment.  The default network is left out of listings: it is "podman"
# in Podman and "ferry" in ferry.  tests/system/102-podman-audit.bats,
# 106-podman-audit-more.bats, 115-podman-audit3.bats,
# 117-podman-audit4.bats, 120-podman-audit5.bats, 124-podman-audit6.bats,
# 127-podman-audit7.bats and 132-podman-audit8.bats keep the sequences
# that differed once and were fixed.  A sequence's "# Not compared:"
# comment says what differs on purpose and was left out of it.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
FERRY_BIN=${FERRY_BIN:-$SRC/build/ferry}
verbose=0 keep="" list=0
while getopts "vk:l" o; do
	case $o in
	v) verbose=1 ;;
	k) keep=$OPTARG ;;
	l) list=1 ;;
	*) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
patterns=("$@")

# The sequences, "## NAME" then one command a line.
sequences() {
	cat <<'EOF'
## volume-create-ls
volume create v1
volume create v1
volume create --ignore v1
volume create --label a=b v2
volume ls
volume ls -q
volume ls --format '{{.Name}} {{.Driver}}'
volume ls --format json
volume ls --filter label=a=b -q
volume ls --filter name=v1 --format '{{.Name}}'
volume ls --filter dangling=true -q
volume ls --filter bogus=1
volume ls --noheading
## volume-create-bad
volume create 'a/b'
volume create -d nosuchdriver v3
volume create -o bogus=1 v4
volume create a b
volume ls -q
## volume-inspect
volume create v1
volume create v2
volume inspect --format '{{.Name}} {{.Driver}} {{.Scope}}' v1
volume inspect --format '{{.Mountpoint}}' v1
volume inspect --format '{{json .Labels}}' v1
volume inspect --format '{{.Labels}} {{.Options}}' v1
volume inspect v1 nosuch v2
volume inspect --format '{{.Name}}' v1 nosuch v2
volume inspect --format '{{.Name}}' nosuch1 v1 nosuch2
volume inspect nosuch
volume inspect
volume inspect --all --format '{{.Name}}'
volume inspect --all v1
## volume-rm
volume create v1
volume create v2
volume rm nosuch
volume rm v1 nosuch v2
volume ls -q
volume rm -f nosuch
volume rm
volume rm -a
volume ls -q
## volume-rm-in-use
volume create v1
create --network none --name c1 -v v1:/data IMG true
volume rm v1
volume rm -f v1
ps -a --format '{{.Names}}'
volume ls -q
## volume-prune
volume create v1
volume create --label keep=1 v2
volume create v3
create --network none --name c1 -v v3:/data IMG true
volume prune -f --filter label=keep=1
volume ls -q
volume prune -f
volume ls -q
volume prune -f --filter bogus=1
## volume-exists
volume create v1
volume exists v1
volume exists nosuch
volume exists
volume exists v1 v1
## network-create-ls
network create --subnet 10.251.7.0/24 --interface-name fcmp7 n1
network create --subnet 10.251.7.0/24 n2
network create n1
network create --ignore n1
network create 'bad/name'
network create --subnet 10.251.8.0/33 n3
network create --subnet 10.251.9.0/24 --gateway 10.252.0.1 n4
network create -d nosuch n5
network ls --filter name=^n --format '{{.Name}} {{.Driver}}'
network ls --filter name=^n -q
network ls --filter name=n1 --format '{{.Name}}'
network ls --filter bogus=1
network ls --filter name=^n --noheading --format '{{.Name}}'
## network-inspect
network create --subnet 10.251.10.0/24 --interface-name fcmp10 n1
network create --subnet 10.251.11.0/24 --interface-name fcmp11 n2
network inspect --format '{{.Name}} {{.Driver}} {{.NetworkInterface}}' n1
network inspect --format '{{range .Subnets}}{{.Subnet}} {{.Gateway}}{{end}}' n1
network inspect --format '{{.DNSEnabled}} {{.Internal}} {{.IPv6Enabled}}' n1
network inspect --format '{{.Name}}' n1 nosuch n2
network inspect --format '{{.Name}}' nosuch1 n1 nosuch2
network inspect nosuch
network inspect
network exists n1
network exists nosuch
## network-rm
network create --subnet 10.251.12.0/24 --interface-name fcmp12 n1
network rm nosuch
network rm n1 nosuch
network ls --filter name=^n -q
network rm -f nosuch
network rm
## network-prune
network create --subnet 10.251.13.0/24 --interface-name fcmp13 n1
network create --label keep=1 --subnet 10.251.14.0/24 --interface-name fcmp14 n2
network prune -f --filter label=keep=1
network ls --filter name=^n -q
network prune -f
network ls --filter name=^n -q
network prune -f --filter bogus=1
## network-connect-errors
network create --subnet 10.251.15.0/24 --interface-name fcmp15 n1
create --network none --name c1 IMG true
network connect nosuch c1
network connect n1 nosuch
network connect n1
network connect n1 c1
network disconnect nosuch c1
network disconnect n1 nosuch
network disconnect n1 c1
network disconnect n1
## network-connect-created
network create --subnet 10.251.17.0/24 --interface-name fcmp17 n1
network create --subnet 10.251.18.0/24 --interface-name fcmp18 n2
create --network n1 --name c1 IMG true
network connect n1 c1
network connect n2 c1
network connect n2 c1
inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' c1
% $T inspect c1 | jq -c '.[0].NetworkSettings.Networks | keys'
network connect nosuch c1
network disconnect n2 c1
network disconnect n2 c1
network disconnect nosuch c1
% $T inspect c1 | jq -c '.[0].NetworkSettings.Networks | keys'
network create --subnet 10.251.19.0/24 --interface-name fcmp19 a0
network connect --ip 10.251.19.9 --alias cache a0 c1
% $T inspect c1 | jq -c '.[0].NetworkSettings.Networks | keys_unsorted'
% $T inspect c1 | jq -c '.[0].NetworkSettings.Networks.a0 | {Aliases: (.Aliases | length), IPAMConfig, IPAddress}'
network disconnect a0 c1
network rm n1
rm c1
network rm n1 n2 a0
## env-start
# Config.Env before and after a start, and what exec sees (container=
# names each tool, and Podman's order is its map's: left out, sorted).
create --network none --name c1 IMG sleep 100
create --network none --name c2 --hostname hh -u 1000 IMG sleep 100
% $T inspect c1 c2 | jq -c 'map(.Config.Env | map(select(startswith("container=") | not)) | sort)'
start c1 c2
% $T inspect c1 c2 | jq -c 'map(.Config.Env | map(select(startswith("container=") | not)) | sort)'
exec c1 sh -c 'echo $HOME $HOSTNAME'
exec c2 sh -c 'echo $HOME $HOSTNAME'
rm -f -t 0 c1
rm -f -t 0 c2
## sweep6-misc
# Commands no other sequence ran: image diff, container cleanup,
# volume reload, network update, system check, manifest annotate and
# remove.
create --network none --name c1 IMG sh -c 'echo x > /f'
start -a c1
image diff IMG
diff --format json c1
container cleanup c1
container cleanup nosuch
volume create v1
volume reload
network create --subnet 10.251.93.0/24 --interface-name fcmp93 n1
network update --dns-add 10.0.0.1 n1
network update nosuch
system check
manifest create ml
manifest add ml IMG
% $T manifest inspect ml | jq -r '.manifests[0].digest' > $WORK/mdigest
% $T manifest annotate --annotation a=b ml "$(cat $WORK/mdigest)"; echo "rc=$?"
% $T manifest inspect ml | jq -c '.manifests[0].annotations'
% $T manifest remove ml "$(cat $WORK/mdigest)" >/dev/null; echo "rc=$?"
% $T manifest inspect ml | jq -c '.manifests | length'
manifest remove ml sha256:0000000000000000000000000000000000000000000000000000000000000000
manifest rm ml
rm c1
## sweep6-states
# Everyday verbs on a container in the wrong state, and the codes of
# commands that fail inside it.
create --network none --name c1 IMG sleep 100
stop c1
kill c1
pause c1
unpause c1
exec c1 true
restart -t 0 c1
start c1
start c1
rm c1
pause c1
pause c1
unpause c1
unpause c1
stop -t 0 c1
stop -t 0 c1
kill c1
logs c1
run --network none --name c1 IMG true
run --rm --network none IMG false
run --rm --network none IMG /etc
run --rm --network none IMG nosuchcmd
run --rm --network none -w /nosuch IMG pwd
% $T run --rm --network none -d IMG true | grep -c .
wait c1
rm c1
rm c1
## sweep6-run-flags
# Everyday run flags as inspect and the container show them.
! printf 'A=1\n# c\nB\n' > $WORK/envfile
% A=host B=hostb $T run --rm --network none --env-file $WORK/envfile IMG sh -c 'echo $A $B'
% A=host $T run --rm --network none -e A -e C IMG sh -c 'echo "$A|$C|${C-unset}"'
run --network none --name c1 -v /data -v v1:/v1 --label k=v --restart on-failure:3 IMG true
% $T inspect c1 | jq -c '.[0] | {R: .HostConfig.RestartPolicy, L: .Config.Labels, M: [.Mounts[] | {Type, Destination, RW}] | sort_by(.Destination)}'
% $T volume ls -q | wc -l
rm -v c1
% $T volume ls -q
run --rm --network none --user 1000:1000 IMG id
run --rm --network none --user nosuch IMG id
run --rm --network none --workdir /tmp IMG pwd
run --rm --network none --entrypoint echo IMG a b
run --rm --network none --entrypoint '' IMG echo c
run --rm --network none --read-only IMG touch /x
run --rm --network none --read-only IMG touch /tmp/x
run --rm --network none --tmpfs /t:size=1m IMG sh -c 'df -k /t | tail -1 | awk "{print \$2}"'
run --rm --network none --hostname h1 IMG hostname
run --rm --network none --add-host a.b:10.1.2.3 IMG grep a.b /etc/hosts
run --rm --network none --dns 10.9.9.9 IMG cat /etc/resolv.conf
run --rm --network none --cap-drop all IMG sh -c 'grep CapEff /proc/self/status'
run --rm --network none --init IMG ps -o comm
run --rm --network none --stop-signal TERM --stop-timeout 3 IMG true
## sweep6-images
# Everyday image commands by short ID, digest and filter.
% $T images -q --no-trunc | cut -c1-19
% id=$($T images -q | head -1); $T image inspect --format '{{.RepoTags}} {{len .RootFS.Layers}}' $id
% $T image inspect --format '{{.RepoDigests}}' IMG | grep -c sha256
tag IMG a:1 b:2
images --format '{{.Repository}}:{{.Tag}}' --sort repository
images --filter reference=localhost/a --format '{{.Repository}}:{{.Tag}}'
images --filter 'reference=*/b:*' --format '{{.Repository}}:{{.Tag}}'
images --filter dangling=false --format '{{.Repository}}' --sort repository
% id=$($T images -q | head -1); $T rmi $id; echo "rc=$?"
rmi a:1 b:2
rmi a:1
% id=$($T images -q | head -1); $T image exists $id; echo "rc=$?"
image inspect --format '{{.Os}}/{{.Architecture}}' IMG
image inspect --format '{{.Config.Cmd}} {{.Config.WorkingDir}}' IMG
inspect --format '{{.Id}}' --type image IMG
history --format '{{.CreatedBy}}' IMG
% $T image tree IMG | wc -l
## sweep6-inspect-mixed
# inspect of names of several kinds at once, and --type with each kind.
# Not compared: several names without --type where one is a network
# (Podman finds a network then only when it is the one name given), and
# the whole JSON (OciVersion is each tool's spec version; Podman's
# Labels are null when empty, ferry's {}).
create --network none --name c1 IMG true
volume create v1
network create --subnet 10.251.94.0/24 --interface-name fcmp94 n1
inspect --format '{{.Name}}' c1 v1
inspect --format '{{.Name}}' n1
inspect --type volume --format '{{.Name}}' v1
inspect --type network --format '{{.Name}}' n1
inspect --type container --format '{{.Name}}' v1
inspect --type volume --format '{{.Name}}' c1
inspect --type bogus c1
% $T inspect c1 v1 | jq -c 'length'
% $T inspect --format '{{.Name}}' c1 nosuch v1; echo "rc=$?"
inspect --format '{{.Config.Labels}}|{{len .Config.Labels}}' c1
rm c1
volume rm v1
network rm n1
## sweep6-replace-all
# --replace, and the --all forms of the lifecycle verbs.
create --network none --name c1 IMG sleep 100
% $T create --network none --name c1 --replace IMG sleep 100 | grep -c .
run -d --network none --name c1 --replace IMG sleep 100
ps -a --format '{{.Names}} {{.State}}'
run -d --network none --name c2 IMG sleep 100
create --network none --name c3 IMG true
pause --all
ps -a --format '{{.Names}} {{.State}}' --sort names
unpause --all
stop --all -t 0
ps -a --format '{{.Names}} {{.State}}' --sort names
start --all
restart --all -t 0
kill --all
start c1
kill --all --signal USR1
rm --all --force -t 0
ps -a -q
## image-tag
tag IMG mine:1
tag IMG localhost/mine:2 other
tag nosuch mine:3
tag IMG 'Bad:Name'
tag IMG
images --format '{{.Repository}}:{{.Tag}}' --sort repository
untag localhost/mine:1
untag IMG nosuch:1
untag nosuch
images --format '{{.Repository}}:{{.Tag}}' --sort repository
## image-rmi
tag IMG mine:1
rmi nosuch
rmi mine:1 nosuch
rmi -i nosuch
rmi
images --format '{{.Repository}}:{{.Tag}}' --sort repository
create --network none --name c1 IMG true
rmi IMG
rmi -f IMG
ps -a --format '{{.Names}} {{.Image}}'
## image-inspect
image inspect --format '{{.RepoTags}}' IMG
image inspect --format '{{.Os}} {{.Architecture}}' IMG
image inspect --format '{{.Config.Cmd}}' IMG
image inspect --format '{{json .Config.Cmd}}' IMG
image inspect --format '{{len .RootFS.Layers}}' IMG
image inspect --format '{{.Id}}' nosuch
image inspect --format '{{.Id}}' IMG nosuch
image inspect nosuch
# GraphDriver.Data names each store's own layer directories (ferry's
# image layers have no work directory): 105 checks ferry's are real.
% $T image inspect --format json IMG | jq '.[0] | del(.GraphDriver.Data)'
image exists IMG
image exists nosuch
## image-history
history --format '{{.CreatedBy}}' IMG
history --format '{{.Size}}' IMG
history -q IMG
history nosuch
history
history --format json IMG
## images-formats
images --format '{{.Repository}} {{.Tag}}'
images --format 'table {{.Repository}} {{.Tag}}'
images --format json
images -q nosuch
images --filter bogus=1
images --filter reference=nosuch -q
images --noheading --format '{{.Repository}}'
images -a --format '{{.Repository}}'
## container-ps
create --network none --name c1 IMG true
create --network none --name c2 --label a=b IMG sleep 100
ps
ps -a --format '{{.Names}} {{.Status}} {{.Command}}'
ps -a --format '{{.Names}} {{.State}} {{.Image}}'
ps -a --format 'table {{.Names}} {{.State}}'
ps -a -q --filter name=c1
ps -a --filter label=a=b --format '{{.Names}}'
ps -a --filter status=created --format '{{.Names}}' --sort names
ps -a --filter bogus=1
ps -a --filter status=bogus
ps -a --format '{{.Labels}}' --filter name=c2
ps -a --format '{{.Ports}}|{{.Mounts}}|{{.Networks}}' --filter name=c2
ps -a --noheading --format '{{.Names}}' --sort names
ps -a --last 1 --format '{{.Names}}'
## container-inspect
create --network none --name c1 --label a=b -e X=1 IMG sleep 100
inspect --format '{{.Name}} {{.State.Status}} {{.State.Running}}' c1
inspect --format '{{.Config.Cmd}} {{.Path}} {{.Args}}' c1
inspect --format '{{.Config.Labels}}' c1
inspect --format '{{index .Config.Labels "a"}}' c1
inspect --format '{{json .Config.Cmd}}' c1
inspect --format '{{.HostConfig.NetworkMode}}' c1
inspect --format '{{.State.ExitCode}} {{.State.Pid}} {{.RestartCount}}' c1
inspect --format '{{.ImageName}}' c1
inspect --format '{{.Name}}' c1 nosuch
inspect --format '{{.Name}}' nosuch
inspect nosuch
container inspect --format '{{.Name}}' nosuch c1
inspect --type volume c1
inspect --format '{{.Nosuch}}' c1
container exists c1
container exists nosuch
## container-start-stop
create --network none --name c1 IMG sleep 100
stop c1
kill c1
pause c1
unpause c1
start c1
start c1
pause c1
pause c1
unpause c1
unpause c1
kill -s BOGUS c1
stop -t 0 c1
stop c1
kill c1
inspect --format '{{.State.Status}}' c1
start nosuch
stop nosuch
kill nosuch
pause nosuch
unpause nosuch
## container-rm
create --network none --name c1 IMG sleep 100
run -d --network none --name c2 IMG sleep 100
rm c2
rm nosuch
rm c1 nosuch
rm -f nosuch
rm -i nosuch
rm
rm -f -t 0 c2
ps -a --format '{{.Names}}'
## container-logs
run --network none --name c1 IMG sh -c 'echo out; echo err >&2'
logs c1
logs --tail 1 c1
logs nosuch
logs
logs -f c1
## container-port
create --network none --name c1 IMG true
port c1
port c1 80
port nosuch
port
## container-top
create --network none --name c1 IMG sleep 100
top c1
top nosuch
run -d --network none --name c2 IMG sleep 100
top c2 bogus
## container-stats
create --network none --name c1 IMG sleep 100
stats --no-stream c1
stats --no-stream nosuch
stats --no-stream --format '{{.Name}}' c1
run -d --network none --name c2 IMG sleep 100
stats --no-stream --format '{{.Name}}' c2
stats --no-stream --format 'table {{.Name}}' c2
## container-wait
run --network none --name c1 IMG sh -c 'exit 3'
wait c1
wait nosuch
wait c1 nosuch
wait --condition bogus c1
wait
## system-df
system df --format '{{.Type}} {{.Total}}'
system df --format json
system df -v --format '{{.Type}}'
## system-info-json
# What ferry has none of: Buildah, pasta, slirp4netns, a REST service,
# Go; and ferry's own criu and volumeStore (105 checks the same).
% $T info --format json | jq -c 'keys, (.host | del(.buildahVersion, .pasta, .slirp4netns, .remoteSocket, .rootlessNetworkCmd, .criu) | keys), (.store | del(.volumeStore) | keys), (.version | del(.GoVersion, .BuildOrigin) | keys)'
% $T system df --format json | jq -c '.[0] | keys'
% $T system df -v --format json | jq -c 'keys'
## formats-json
create --network none --name c1 --label a=b IMG true
volume create v1
network create --subnet 10.251.16.0/24 --interface-name fcmp16 n1
% $T ps -a --format json | jq -c '.[0] | keys'
% $T ps -a --format json | jq -c '.[0] | .Names, .State, .Labels, .Command, .Image, .Exited, .ExitCode'
% $T volume ls --format json | jq -c '.[0] | keys'
% $T network ls --format json | jq -c '.[] | select(.name == "n1") | keys'
% $T images --format json | jq -c '.[0] | keys'
% $T inspect c1 | jq -c '.[0] | keys'
% $T inspect c1 | jq -c '.[0].State | keys'
% $T inspect c1 | jq -c '.[0].Config | keys'
% $T inspect c1 | jq -c '.[0].HostConfig | keys'
% $T image inspect IMG | jq -c '.[0] | keys'
% $T volume inspect v1 | jq -c '.[0] | keys'
% $T network inspect n1 | jq -c '.[0] | keys'
% $T history --format json IMG | jq -c '.[0] | keys'
## container-lifecycle-output
create --network none --name c1 IMG sleep 100
start c1
start c1
stop -t 0 c1 nosuch
start c1 nosuch
kill c1 nosuch
pause c1
stop -t 0 c1
rm -f c1 nosuch
## logs-formats
run --network none --name c1 IMG sh -c 'echo one; echo two; echo three'
logs --tail 2 c1
logs --tail 0 c1
logs -n c1
logs --since 2000-01-01 c1
logs --until 2000-01-01 c1
logs --since bogus c1
logs c1 nosuch
## stats-formats
run -d --network none --name c2 IMG sleep 100
stats --no-stream --format '{{.Name}} {{.ID}}' c2
% $T stats --no-stream --format json c2 | jq -c '.[0] | keys'
stats --no-stream --format '{{.Nosuch}}' c2
stats --no-stream --no-reset c2 nosuch
stop -t 0 c2
stats --no-stream c2
## image-tags-rmi
tag IMG a:1
tag IMG a:2 b:1
rmi a:1
images --format '{{.Repository}}:{{.Tag}}' --sort repository
rmi localhost/ferry-test:latest
rmi -f IMG
images -q
images --filter dangling=true -q
rmi -a
## volume-filters
volume create --label a=1 v1
volume create --label a=2 v2
volume create v3
volume ls --filter label=a -q
volume ls --filter label=a=2 -q
volume ls --filter driver=local -q
volume ls --filter driver=nosuch -q
volume ls --filter dangling=bogus
volume ls --filter name=v[12] -q
volume prune -f --filter label!=a
volume ls -q
## ps-filters
run --network none --name c1 IMG sh -c 'exit 3'
create --network none --name c2 --label k=v IMG true
ps -a --filter exited=3 --format '{{.Names}}'
ps -a --filter exited=0 --format '{{.Names}}'
ps -a --filter status=exited --format '{{.Names}} {{.Status}}'
ps -a --filter ancestor=IMG --format '{{.Names}}' --sort names
ps -a --filter label=k --format '{{.Names}}'
ps -a --filter id=nosuch -q
ps -a --filter exited=bogus
ps -a --sort bogus
ps --format '{{.Names}}'
## wait-conditions
create --network none --name c1 IMG true
wait --condition bogus c1
run --network none --name c2 IMG sh -c 'exit 7'
wait c2
wait --condition stopped c2
wait --condition exited c2
## kill-states
create --network none --name c1 IMG sleep 100
kill -s TERM c1
run --network none --name c2 IMG true
kill c2
stop c2
pause c2
unpause c2
restart -t 0 nosuch
## system-info
info --format '{{.Store.GraphRoot}}'
info --format '{{.Host.OCIRuntime.Name}}'
info --format '{{.Store.ImageStore.Number}} {{.Store.ContainerStore.Number}}'
info --format '{{.Nosuch}}'
## inspect-shape
volume create v1
run -d --network none --name c1 -v v1:/data IMG sleep 100
% $T inspect c1 | jq -c '.[0] | (.NetworkSettings | keys), [.NetworkSettings.Networks[] | keys], [.Mounts[] | keys]'
% $T inspect c1 | jq -c '.[0] | (.GraphDriver.Data | keys), .State.Restored, .HostConfig.ConsoleSize, .Config.Volumes'
inspect --format '{{.State.Checkpointed}} {{.HostConfig.Init}} {{.Config.SystemdMode}} {{.Config.ExposedPorts}}' c1
inspect --format '{{json .BoundingCaps}} {{json .EffectiveCaps}} {{.ExecIDs}} {{.IsInfra}} {{.KubeExitCodePropagation}}' c1
container checkpoint c1
% $T inspect c1 | jq -c '.[0].State | del(.ConmonPid) | keys'
container restore c1
% $T inspect c1 | jq -c '.[0].State | keys, .Restored'
stop -t 0 c1
% $T inspect c1 | jq -c '.[0].State | keys, .StoppedByUser'
start c1
% $T inspect c1 | jq -c '.[0].State | keys, .RestoredAt'
## exec-basics
run -d --network none --name c1 IMG sleep 100
exec c1 sh -c 'exit 3'
exec c1 sh -c 'kill -9 $$'
exec c1 sh -c 'sleep 50 >&2 & echo started'
exec c1 nosuchcmd
exec c1 /etc/passwd
exec -w /tmp c1 pwd
exec -w /nosuch c1 pwd
exec -e A=1 c1 sh -c 'echo $A'
exec --env-file /nosuch c1 true
exec -u 1000 c1 id -u
exec -u nosuchuser c1 id
exec c1
exec nosuch true
create --network none --name c2 IMG true
exec c2 true
## cp-both-ways
! rm -rf $WORK/cp && mkdir $WORK/cp && echo hi >$WORK/cp/hf
run -d --network none --name c1 IMG sleep 100
cp $WORK/cp/hf c1:/tmp/hf
exec c1 cat /tmp/hf
cp c1:/tmp/hf $WORK/cp/out1
% cat $WORK/cp/out1
cp c1:/nosuch $WORK/cp/out2
cp $WORK/cp/nosuch c1:/tmp/
cp nosuch:/tmp $WORK/cp/
cp c1:/tmp/hf
cp $WORK/cp/hf c1:/nosuchdir/sub/
create --network none --name c2 IMG true
cp $WORK/cp/hf c2:/tmp/
cp c2:/tmp/hf $WORK/cp/out3
% cat $WORK/cp/out3
## commit-images
run --network none --name c1 IMG sh -c 'echo x >/f'
commit -q c1 mine:1
images --format '{{.Repository}}:{{.Tag}}' --sort repository
commit -q c1 'Bad:Name'
commit -q nosuch x:1
run --rm --network none localhost/mine:1 cat /f
inspect --format '{{.Config.Cmd}}' localhost/mine:1
rmi mine:1
## save-load
! rm -rf $WORK/sl && mkdir $WORK/sl
save -q -o $WORK/sl/s1.tar IMG
save -q -o $WORK/sl/s2.tar nosuch
tag IMG a:1
save -q -m -o $WORK/sl/s3.tar IMG localhost/a:1
untag localhost/a:1
load -q -i $WORK/sl/s3.tar
images --format '{{.Repository}}:{{.Tag}}' --sort repository
load -q -i $WORK/sl/nosuch.tar
load -q -i $WORK/sl/s1.tar
save -q -o $WORK/sl/s4.tar
## transfer-lines
# What save, load and import write to standard error off a terminal, and
# -q; pull and push are in tests/system/124-podman-audit6.bats (they need
# a registry).
! rm -rf $WORK/tl && mkdir $WORK/tl
save -o $WORK/tl/s.tar IMG
load -i $WORK/tl/s.tar
load -q -i $WORK/tl/s.tar
tag IMG b:1
save -q -m -o $WORK/tl/m.tar IMG localhost/b:1
load -i $WORK/tl/m.tar
create --network none --name c1 IMG true
export -o $WORK/tl/e.tar c1
import $WORK/tl/e.tar imp:1
import -q $WORK/tl/e.tar imp:2
import --quiet $WORK/tl/e.tar
## export-import
! rm -rf $WORK/ei && mkdir $WORK/ei
create --network none --name c1 IMG true
export -o $WORK/ei/e.tar c1
import -q $WORK/ei/e.tar imp:1
images --format '{{.Repository}}:{{.Tag}}' --sort repository
export -o $WORK/ei/e2.tar nosuch
import -q $WORK/ei/nosuch.tar x:1
run --rm --network none localhost/imp:1 cat /etc/passwd
## rename
create --network none --name c1 IMG true
create --network none --name c2 IMG true
rename c1 c2
rename c1 'bad name'
rename nosuch c3
rename c1 c3
ps -a --format '{{.Names}}' --sort names
rename c3
rename c3 c3
## restart
create --network none --name c1 IMG sleep 100
restart -t 0 c1
inspect --format '{{.State.Status}} {{.RestartCount}}' c1
restart -t 0 c1
restart -t 0 c1 nosuch
restart nosuch
restart
## pause-unpause
run -d --network none --name c1 IMG sleep 100
pause c1
pause c1
inspect --format '{{.State.Status}} {{.State.Paused}}' c1
unpause c1
unpause c1
create --network none --name c2 IMG true
pause c2
unpause c2
pause nosuch
pause
## kill-signals
run -d --network none --name c1 IMG sleep 100
kill -s USR1 c1
wait c1
run -d --network none --name c2 IMG sleep 100
kill -s 9 c2
wait c2
kill -s 99 c2
kill -s HUP nosuch
kill -s BOGUS nosuch
## rm-flags
create --network none --name c1 -v /data IMG true
volume ls -q
rm -v c1
volume ls -q
run -d --network none --name c2 IMG sleep 100
rm c2
rm -f --time 0 c2
rm -f nosuch
rm --time 0 nosuch
rm --time bogus nosuch
## secrets
! echo s3cr3t >$WORK/sec
secret create s1 $WORK/sec
secret create s1 $WORK/sec
secret ls --format '{{.Name}} {{.Driver}}'
secret inspect --format '{{.Spec.Name}} {{.Spec.Driver.Name}}' s1
secret inspect nosuch
secret rm s1
secret rm s1
secret create 'bad/name' $WORK/sec
secret create s2 $WORK/nosuch
secret ls -q
## checkpoint-restore
! rm -rf $WORK/ck && mkdir $WORK/ck
run -d --network none --name c1 IMG sleep 100
container checkpoint c1
inspect --format '{{.State.Status}}' c1
container checkpoint c1
container restore c1
inspect --format '{{.State.Status}}' c1
container checkpoint --export $WORK/ck/c1.tar c1
container restore --import $WORK/ck/c1.tar --name c2
ps -a --format '{{.Names}} {{.State}}' --sort names
container restore --import $WORK/ck/nosuch.tar
create --network none --name c3 IMG true
container checkpoint c3
container restore c3
container checkpoint nosuch
## sweep6-checkpoint
# More of checkpoint and restore, the heart of ferry: --leave-running,
# -a, --latest, --keep, restore -a, --ignore-rootfs, a restore onto a
# taken name, the State fields, and errors.  Not compared: what an
# export that cannot be written leaves (Podman has checkpointed and
# stopped the container by then; ferry checks first and leaves it
# running, DESIGN.md's invariant), and restore --name with a name no
# container may have (Podman takes it; ferry refuses it).
! rm -rf $WORK/ck6 && mkdir $WORK/ck6
run -d --network none --name c1 IMG sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 0.2; done'
container checkpoint --leave-running c1
inspect --format '{{.State.Status}} {{.State.Checkpointed}} {{.State.Running}}' c1
container checkpoint c1
inspect --format '{{.State.Status}} {{.State.Checkpointed}} {{.State.Running}} {{.State.ExitCode}}' c1
% $T inspect c1 | jq -c '.[0].State | {Status, Checkpointed, Restored, Running, Paused, ExitCode, OOMKilled, Dead} '
container restore c1
inspect --format '{{.State.Status}} {{.State.Checkpointed}} {{.State.Restored}}' c1
% sleep 0.5; $T exec c1 sh -c 'test $(cat /tmp/n) -gt 0 && echo counting'
run -d --network none --name c2 IMG sleep 100
container checkpoint -a
ps -a --format '{{.Names}} {{.Status}}' --sort names
container restore -a
ps --format '{{.Names}} {{.State}}' --sort names
container checkpoint --latest
% $T container restore --latest
container checkpoint --export $WORK/ck6/c2.tar --ignore-rootfs c2
container restore --import $WORK/ck6/c2.tar
container restore --import $WORK/ck6/c2.tar --name c2
container restore --import $WORK/ck6/c2.tar --name c3 --ignore-rootfs
ps --format '{{.Names}} {{.State}}' --sort names
container checkpoint --export $WORK/ck6/x.tar --compress bogus c1
container checkpoint --export $WORK/ck6/x.tar nosuch
container checkpoint --export $WORK/nosuchdir/x.tar c1
rm -f -t 0 c1
rm -f -t 0 c2
rm -f -t 0 c3
## mount-umount
create --network none --name c1 IMG true
% test -d "$($T mount c1)/bin" && echo mounted
umount c1
umount c1
mount nosuch
umount nosuch
## diff
run --network none --name c1 IMG sh -c 'mkdir /d && echo x >/d/f && rm /etc/group'
diff c1
diff --format json c1
diff nosuch
diff
## inspect-type
create --network none --name c1 IMG true
volume create v1
inspect --type container --format '{{.Name}}' c1
inspect --type image --format '{{.Id}}' c1
inspect --type volume --format '{{.Name}}' v1
inspect --type bogus c1
inspect --format '{{.Name}}' v1
## create-run-errors
create --network none --memory bogus IMG
create --network none -p bogus IMG
create --network none -p 99999:80 IMG
create --nosuchflag IMG
create --network none --pull never localhost/nosuch:1
create --network none --name 'bad name' IMG
run --network none IMG nosuchcmd
run --network none IMG /etc/passwd
run --network none IMG sh -c 'exit 5'
## logs-flags
run --network none --name c1 IMG sh -c 'echo a; echo b; echo c'
logs -t c1
logs --tail 1 -t c1
logs --tail bogus c1
logs --since 10m c1
logs --until bogus c1
logs --since 2000-01-01T00:00:00Z --until 2000-01-02T00:00:00Z c1
## top-descriptors
run -d --network none --name c1 IMG sleep 100
top c1 pid comm args
top c1 user,group pid
top c1 nosuchdesc
top c1 -o comm
top c1 capeff,capbnd capamb
top c1 label pid
## healthcheck-run
run -d --network none --name c1 --health-cmd true IMG sleep 100
healthcheck run c1
run -d --network none --name c2 --health-cmd false --health-retries 1 IMG sleep 100
healthcheck run c2
inspect --format '{{.State.Health.Status}}' c2
run -d --network none --name c3 IMG sleep 100
healthcheck run c3
healthcheck run nosuch
create --network none --name c4 --health-cmd true IMG sleep 100
healthcheck run c4
## wait-more
create --network none --name c1 IMG true
wait --condition created c1
run --network none --name c2 IMG sh -c 'exit 4'
wait c2 c2
wait --condition exited --condition stopped c2
wait -i nosuch c2
wait --interval bogus c2
## events-file
# Podman here runs with --events-backend none unless told: these lines
# say file, as ferry's default is.  ferry's log has the earlier sequences'
# events too: only those since this one began count.
! sleep 1; S=$(date +%s)
% $T --events-backend file create --network none --name c1 IMG true >/dev/null
% $T --events-backend file start c1 >/dev/null
% $T --events-backend file events --stream=false --since $S --filter container=c1 --filter event=create --filter event=start --format '{{.Type}} {{.Status}} {{.Name}}'
% $T --events-backend file events --stream=false --since $S --filter container=c1 --filter event=create --format json | jq -c '{Name, Status, Type, Attributes}'
% $T --events-backend file events --stream=false --since $S --until 2000-01-01T00:00:00Z
% $T --events-backend file events --stream=false --since bogus
% $T --events-backend file events --stream=false --until bogus
% $T --events-backend file events --stream=false --filter bogus=1
## port-all
network create --subnet 10.251.19.0/24 --interface-name fcmp19 n1
run -d --network n1 -p 18080:80 --name c1 IMG sleep 100
port c1
port c1 80
port c1 80/udp
port c1 bogus
port -a
port -a c1
port -l
create --network n1 -p 18081:81/udp --name c2 IMG true
port c2
port -a
rm -f -t 0 c1
rm c2
network rm n1
## network-create-opts
network create --subnet 10.251.20.0/24 --gateway 10.251.20.1 --ip-range 10.251.20.128/25 --internal --label a=b -o mtu=1400 --interface-name fcmp20 n1
network inspect --format '{{json .Subnets}}' n1
network inspect --format '{{.Internal}} {{.DNSEnabled}} {{json .Labels}} {{json .Options}}' n1
network inspect --format '{{.Labels}} {{.Options}} {{.IPAMOptions}}' n1
network inspect --format '{{.subnets}}' n1
network create --ip-range 10.251.21.0/24 n2
network create --gateway 10.251.21.1 n3
network create --subnet 10.251.22.0/24 --ip-range 10.251.23.0/24 n4
network create --subnet 10.251.22.0/24 --ip-range 10.251.22.64/26 --interface-name fcmp22 n5
network inspect --format '{{range .Subnets}}{{.LeaseRange.StartIP}} {{.LeaseRange.EndIP}}{{end}}' n5
network create -o bogus=1 --subnet 10.251.27.0/24 n6
network create --subnet 10.251.28.0/24 -o mtu=bogus n7
network create --label bad --subnet 10.251.29.0/24 --interface-name fcmp29 n8
network inspect --format '{{json .Labels}}' n8
network ls --filter label=a=b -q
network ls --filter label=a --format '{{.Name}} {{.Labels}}'
network ls --filter driver=bridge --filter name=^n --format '{{.Name}}'
network ls --filter name=^n --format 'table {{.Name}} {{.Driver}}'
network ls --filter name=^n --no-trunc --format '{{.ID}}'
network ls --filter name=^n -q --no-trunc
network ls --filter id=nosuch -q
network ls --filter name=^n --format '{{.Nosuch}}'
network exists n1 nosuch
network reload nosuch
network reload
## network-in-use
network create --subnet 10.251.24.0/24 --interface-name fcmp24 n1
network create --subnet 10.251.25.0/24 --interface-name fcmp25 n2
run -d --network n1 --name c1 IMG sleep 100
network rm n1
network prune -f
network ls --filter name=^n -q
network ls --filter name=^n --filter dangling=true -q
network ls --filter dangling=false --filter name=^n -q
ps --filter network=n1 --format '{{.Names}}'
ps -a --format '{{.Names}} {{.Networks}}'
network reload c1
network rm -f -t 0 n1
ps -a -q
network ls --filter name=^n -q
## network-none-ports
# -p with --network none is dropped with a warning; with no --network,
# where containers.conf's netns is none, without a word.
run --network none -p 18090:80 IMG true
create --name c1 -p 18091:80 IMG true
inspect --format '{{.HostConfig.NetworkMode}} {{.HostConfig.PortBindings}}' c1
port c1
create --name c3 -P --expose 80 IMG true
inspect --format '{{.HostConfig.NetworkMode}} {{.HostConfig.PublishAllPorts}}' c3
create --network host --name c2 -p 18092:80 IMG true
inspect --format '{{.HostConfig.NetworkMode}} {{.HostConfig.PortBindings}}' c2
## memory-tiny
# A limit below what the container needs is the runtime's to refuse, at
# start: run exits 126 and leaves the container created.
run --network none --name c1 --memory 1k IMG true
ps -a --format '{{.Names}} {{.State}}'
start c1
restart c1
init c1
run -d --rm --network none --memory 1k IMG true
create --network none --name c2 --memory 1k IMG true
inspect --format '{{.HostConfig.Memory}}' c2
ps -a --format '{{.Names}} {{.State}}' --sort names
## volume-more
# Not compared: the listing of volume export (ferry's begins with "./",
# which carries the volume's own owner and mode).
volume create -o type=tmpfs -o device=tmpfs -o o=size=1m v1
volume inspect --format '{{json .Options}} {{.Driver}}' v1
volume create --driver local --label x=y v2
volume create --opt bogus v3
volume create -o type=tmpfs v3
volume create --label bad v3
volume ls --format 'table {{.Name}} {{.Driver}}'
volume ls --format '{{.Name}} {{.Labels}} {{.Scope}}'
volume ls --format '{{.Nosuch}}'
volume ls --filter label=x --filter name=v2 -q
volume ls --filter opt=type=tmpfs -q
volume inspect --format '{{.Labels}} {{.Options}} {{.NeedsCopyUp}} {{.NeedsChown}}' v2
! echo hi >$WORK/vf && tar -C $WORK -cf $WORK/v.tar vf
volume import v2 $WORK/v.tar
volume import nosuch $WORK/v.tar
volume import v2 $WORK/nosuch.tar
% $T volume export v2 | tar -t | grep -v '^\./$'
volume export nosuch
volume export v2 -o $WORK/nosuchdir/x.tar
volume export nosuch -o $WORK/nosuchdir/x.tar
volume export
volume import v2
volume mount v2
% $T volume mount v2 >/dev/null && echo mounted
volume unmount v2
volume mount nosuch
volume unmount nosuch
run --rm --network none -v v2:/d IMG cat /d/vf
volume rm -f v1 v2
## volume-in-use-running
volume create v1
run -d --network none --name c1 -v v1:/data IMG sleep 100
volume rm v1
volume prune -f
volume ls -q
volume rm -f -t 0 v1
ps -a -q
volume ls -q
## image-history-more
history --no-trunc --format '{{.ID}}' IMG
history -H=false --format '{{.Size}}' IMG
history --human=false --format '{{.Size}} {{.CreatedBy}}' IMG
history --format 'table {{.ID}} {{.Size}}' IMG
history --format '{{.Nosuch}}' IMG
history -q --no-trunc IMG
image history --format '{{.Tags}} {{.Comment}}' IMG
## image-tree
image tree IMG
image tree nosuch
image tree
## image-prune
tag IMG mine:1
create --network none --name c1 IMG true
image prune -f
image prune -f --filter bogus=1
image prune -f --filter label=nosuch
image prune -a -f --filter label=nosuch
images --format '{{.Repository}}:{{.Tag}}' --sort repository
image prune -a -f
images --format '{{.Repository}}:{{.Tag}}' --sort repository
rm c1
image prune -a -f
images -q
## image-untag-edges
tag IMG mine:1 mine:2
untag localhost/mine:1 localhost/mine:1
untag mine:2
untag mine:3
images --format '{{.Repository}}:{{.Tag}}' --sort repository
tag IMG mine:1
untag IMG
images --format '{{.Repository}}:{{.Tag}}' --sort repository
images -a -q
tag IMG mine:1
tag IMG mine:1
image exists mine:1
image exists localhost/mine:1
image exists mine
image rm mine:1 mine:1
image rm --force --ignore nosuch
## images-more
tag IMG mine:1
images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}' --sort repository
images --sort created --format '{{.Repository}}'
images --sort size --format '{{.Repository}}'
images --sort tag --format '{{.Repository}}:{{.Tag}}'
images --sort bogus
images --filter reference=mine --format '{{.Repository}}'
images --filter reference=localhost/mine:1 --format '{{.Repository}}'
images --filter label=nosuch -q
images --filter before=IMG -q
images --filter since=IMG -q
images --filter readonly=false --format '{{.Repository}}' --sort repository
images --filter dangling=false --format '{{.Repository}}' --sort repository
images --filter intermediate=false --format '{{.Repository}}' --sort repository
images --no-trunc --format '{{.ID}}' --filter reference=mine
images --format '{{.Nosuch}}'
images --format '{{.Containers}} {{.ReadOnly}} {{.Dangling}} {{.History}} {{.Names}}' --filter reference=mine
images nosuch
images mine
## system-prune
create --network none --name c1 IMG true
run -d --network none --name c2 IMG sleep 100
volume create v1
network create --subnet 10.251.26.0/24 --interface-name fcmp26 n1
tag IMG mine:1
system prune -f
ps -a --format '{{.Names}}'
volume ls -q
network ls --filter name=^n -q
system prune -f --volumes
volume ls -q
system prune -f --filter bogus=1
system prune -f -a
images --format '{{.Repository}}:{{.Tag}}'
system df --format '{{.Type}} {{.Total}} {{.Active}}'
system df --format '{{.Nosuch}}'
## stats-more
run -d --network none --name c1 IMG sleep 100
create --network none --name c2 IMG sleep 100
stats --no-stream --format '{{.Name}} {{.PIDs}}' c1
stats --no-stream -a --format '{{.Name}}'
stats --no-stream --no-trunc --format '{{.ID}} {{.Name}}'
stats --no-stream --format '{{.Name}}' c2
stats --no-stream --format '{{.Name}}' c1 c2
stats --no-stream --format 'table {{.Name}} {{.PIDs}}' c1
stats --no-stream -i 1 --format '{{.Name}}' c1
stats --no-stream --interval 0 --format '{{.Name}}' c1
## container-prune
create --network none --name c1 --label a=b IMG true
create --network none --name c2 IMG true
run -d --network none --name c3 IMG sleep 100
container prune -f --filter label=a=b
ps -a --format '{{.Names}}' --sort names
container prune -f --filter label!=a=b
ps -a --format '{{.Names}}' --sort names
container prune -f --filter bogus=1
container prune -f --filter until=2000-01-01T00:00:00Z
container prune -f
ps -a --format '{{.Names}}' --sort names
container exists c3 c3
container exists
## ps-more
volume create v1
create --network none --name c1 -v v1:/d IMG true
create --network none --name c2 IMG true
run -d --network none --name c3 IMG sleep 100
ps -a --filter before=c2 --format '{{.Names}}'
ps -a --filter since=c1 --format '{{.Names}}' --sort names
ps -a --filter volume=v1 --format '{{.Names}}'
ps -a --filter name=c --filter status=running --format '{{.Names}}'
ps -a --filter name=c1 --filter name=c2 --format '{{.Names}}' --sort names
ps -a --filter status=created --filter status=running --format '{{.Names}}' --sort names
ps -a --filter health=healthy -q
ps -a --filter before=nosuch
ps -a --no-trunc --format '{{.ID}}' --filter name=c3
ps -a -n --format '{{.Names}}'
ps -a --format '{{.Names}} {{.IsInfra}} {{.Pod}} {{.PodName}} {{.Exited}} {{.ExitCode}}' --sort names
ps -a --format '{{.Nosuch}}'
ps -a --format '{{.Names}} {{.Mounts}}' --filter name=c1
ps -a --sort created --format '{{.Names}}'
ps -a --sort status --format '{{.Names}}'
ps -a --sort id --format '{{.Names}}' --filter name=c3
ps -q -a --latest
ps -a --filter network=none --format '{{.Names}}' --sort names
## secret-formats
# Not compared: .Spec.Driver.Options, where Podman's file driver names
# its directory (path=...); ferry's keeps secrets in its database.
! printf s3cr3t >$WORK/sec
secret create --label a=b s1 $WORK/sec
secret create -d file --driver-opts x=y s2 $WORK/sec
secret create --label bad s3 $WORK/sec
secret ls --format json
% $T secret ls --format json | jq -c '.[0] | keys'
secret ls --noheading --format '{{.Name}}' --filter name=s1
# Podman lists secrets in Go's map order: sorted here.
% $T secret ls --filter name=s --format '{{.Name}}' | sort
secret ls --filter bogus=1
secret ls --format '{{.Nosuch}}'
% $T secret ls --format 'table {{.Name}} {{.Driver}}' | sort
secret inspect --format '{{.Spec.Labels}}' s1
secret inspect --format '{{.Spec.Name}}' s1 nosuch s2
secret inspect --pretty s1
secret exists s1
secret exists nosuch
secret rm --all
secret ls -q
## info-version-format
# Not compared: version's Go build members (GoVersion, GitCommit, Built,
# BuiltTime, BuildOrigin): ferry is no Go program.
info --format '{{.Host.Arch}} {{.Host.OS}}'
info --format '{{.Store.GraphDriverName}} {{.Store.ImageStore.Number}}'
info --format '{{json .Store.ContainerStore}} {{.Store.ContainerStore.Running}}'
info --format '{{.Host.Security.Rootless}} {{.Host.CgroupsVersion}}'
info bogus
version --format '{{.Client.OsArch}}'
version --format '{{.Nosuch}}'
% $T version --format json | jq -c 'keys, (.Client | keys - ["BuildOrigin","Built","BuiltTime","GitCommit","GoVersion"])'
version --format '{{json .Client.Os}}'
version bogus
## manifest-basics
# Not compared: manifest inspect of a short name found nowhere, which
# Podman resolves through registries.conf's unqualified-search registries
# (none here: "short-name ... did not resolve") and ferry, which reads no
# registries.conf, on docker.io.
manifest create mlist
manifest create mlist
manifest exists mlist
manifest exists nosuch
manifest add mlist IMG
% $T manifest inspect mlist | jq -c '.schemaVersion, .mediaType, (.manifests | length), .manifests[0].platform'
manifest add mlist nosuch
manifest add nosuch IMG
manifest create mlist2 IMG
manifest rm mlist mlist2
manifest rm nosuch
manifest exists mlist
## artifact-basics
# Not compared: the titles of an artifact of two files, where Podman 5.4.2
# gives both the last file's name; Podman 5.4 has no artifact extract,
# ferry neither.
! rm -rf $WORK/art && mkdir $WORK/art && echo one >$WORK/art/a && echo two >$WORK/art/b
artifact add localhost/art:1 $WORK/art/a $WORK/art/b
artifact add localhost/art:1 $WORK/art/a
artifact add localhost/art:2 $WORK/art/nosuch
artifact ls --format '{{.Repository}} {{.Tag}}'
artifact ls --noheading --format '{{.Repository}}'
% $T artifact inspect localhost/art:1 | jq -c '.Name, .Manifest.mediaType, (.Manifest.layers | length)'
artifact inspect nosuch
! rm -rf $WORK/art/out && mkdir $WORK/art/out
artifact extract localhost/art:1 $WORK/art/out
% ls $WORK/art/out
artifact extract nosuch $WORK/art/out
artifact rm localhost/art:1
artifact rm localhost/art:1
artifact ls -q
## image-rm-conflicts
tag IMG mine:1
run -d --network none --name c1 IMG sleep 100
% $T rmi $($T image inspect --format '{{.Id}}' IMG)
rmi mine:1
tag IMG mine:1
rmi IMG
rmi -f mine:1
images --format '{{.Repository}}:{{.Tag}}' --sort repository
rmi -f IMG
ps -a --format '{{.Names}}'
images -q
## images-table
tag IMG mine:1
images --format 'table {{.Repository}} {{.Tag}} {{.IsReadOnly}}' --sort repository
images --format 'table {{.ID}}' --noheading --filter reference=mine
images -q --no-trunc --filter reference=mine
images --filter label=nosuch=1 --format '{{.Repository}}'
images --filter until=2000-01-01T00:00:00Z -q
images --filter bogus
images --filter reference=mine --filter reference=nosuch --format '{{.Repository}}'
images --sort repository --format '{{.Repository}}' localhost/mine
image ls --format '{{.Repository}}' --filter dangling=true
image list -q --filter reference=mine
## secret-more
! printf s3cr3t >$WORK/sec
secret create s1 $WORK/sec
secret create --replace s1 $WORK/sec
secret create --replace --label x=y s1 $WORK/sec
secret inspect --format '{{.Spec.Labels}}' s1
% printf from-stdin | $T secret create s2 -
secret ls --filter name=s2 --format '{{.Name}}'
% $T secret ls --filter id=$($T secret inspect --format '{{.ID}}' s1) --format '{{.Name}}'
secret ls --filter name=nosuch -q
secret create s3
secret create
secret rm nosuch s1
secret rm -a -i
secret ls -q
## system-df-more
create --network none --name c1 IMG true
volume create v1
system df
system df --format 'table {{.Type}} {{.Total}}'
system df -v --format '{{.Type}}'
system df bogus
## ps-states
run -d --network none --name c1 IMG sleep 100
run -d --network none --name c2 IMG sleep 100
pause c2
create --network none --name c3 --label k=v IMG true
ps -a --filter status=paused --format '{{.Names}} {{.Status}}'
ps -a --filter status=running --format '{{.Names}}'
ps --format 'table {{.Names}} {{.State}}' --sort names
ps -a --filter label!=k=v --format '{{.Names}}' --sort names
ps -a --filter name=^c[12]$ --format '{{.Names}}' --sort names
ps -a --format '{{.Names}} {{.Networks}} {{.Ports}} {{.Size}}' --filter name=c3
ps -a -s --format '{{.Names}}' --filter name=c3
ps -a --filter status=paused --filter status=created --format '{{.Names}}' --sort names
unpause c2
ps -a --filter id=bogus -q
## volume-create-opts
# Not compared: options Podman takes at create and fails on only when a
# container mounts the volume (126), such as -o type=bogus, -o o=nosuch,
# or -o uid=1000 (a mount of no type), and its size= (quota, XFS only):
# ferry refuses them at create, with one line saying what it takes.
volume create -o type=tmpfs -o device=tmpfs v3
volume create -o type=tmpfs -o device=tmpfs -o o=size=2m,mode=0700 v4
volume inspect --format '{{.Options}}' v4
run --rm --network none -v v4:/d IMG stat -c '%a' /d
volume create -o copy v6
volume create --opt nocopy v7
volume ls -q
## network-running
# Not compared: connect --alias 'bad alias', which Podman takes and ferry
# refuses (no DNS name); connect --ip outside the network, which both
# refuse in the same words, but after which Podman's IPAM and aardvark-dns
# keep stale entries that fail its rm (and the next run on that subnet).
network create --subnet 10.251.30.0/24 --interface-name fcmp30 n1
network create --subnet 10.251.31.0/24 --interface-name fcmp31 n2
run -d --network n1 --name c1 IMG sleep 100
network connect --ip bogus n2 c1
network connect --mac-address bogus n2 c1
network connect --ip 10.251.31.9 --alias web n2 c1
# What the running container sees of it: its /etc/hosts and
# /etc/resolv.conf changed live.
exec c1 sh -c 'grep -w c1 /etc/hosts | cut -f1; cat /etc/resolv.conf'
inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}' c1
% $T inspect c1 | jq -c '[.[0].NetworkSettings.Networks[] | .Aliases | length]'
% $T inspect c1 | jq -r '.[0] | .NetworkSettings.Networks.n2.Aliases[1] == .Id[0:12]'
network connect n2 c1
network reload c1
network reload --all
network reload --all c1
network disconnect n2 c1
exec c1 sh -c 'grep -w c1 /etc/hosts | cut -f1; cat /etc/resolv.conf'
inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}|{{.HostConfig.NetworkMode}}' c1
network disconnect n1 c1
network disconnect n1 c1
exec c1 sh -c 'grep -w c1 /etc/hosts | cut -f1; cat /etc/resolv.conf'
inspect --format '{{.HostConfig.NetworkMode}}|{{.NetworkSettings.IPAddress}}|{{.NetworkSettings.Networks}}' c1
ps --format '{{.Names}} [{{.Networks}}]'
exec c1 ls /sys/class/net
network reload c1
network connect n2 c1
exec c1 ls /sys/class/net
inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}|{{.HostConfig.NetworkMode}}' c1
network disconnect n2 c1
stop -t 0 c1
inspect --format '{{json .NetworkSettings.Networks}}' c1
network connect n1 c1
start c1
exec c1 ls /sys/class/net
rm -f -t 0 c1
network rm n1 n2
## json-shapes-more
! printf s3cr3t >$WORK/sec
volume create --label a=b -o type=tmpfs -o device=tmpfs -o o=size=2m v1
% $T volume inspect v1 | jq -c '.[0] | del(.CreatedAt, .Mountpoint, .LockNumber)'
% $T volume ls --format json | jq -c '.[0] | del(.CreatedAt, .Mountpoint, .LockNumber)'
secret create --label a=b s1 $WORK/sec
% $T secret inspect s1 | jq -c '.[0] | del(.ID, .CreatedAt, .UpdatedAt) | .Spec.Driver.Options = null'
% $T secret ls --format json | jq -c '.[0] | del(.ID, .CreatedAt, .UpdatedAt)'
history IMG
% $T history --format json IMG | jq -c '.[] | del(.id, .created)'
image tree IMG
## system-df-verbose
create --network none --name c1 IMG true
volume create v1
system df -v
system df
## argument-counts
network create a b
network prune x
volume prune x
volume ls x
volume export
volume import v
secret rm
secret ls x
artifact ls x
image prune x
image inspect
image exists
images a b
ps x
import
manifest add m
container prune x
system df x
## image-misc
image exists IMG nosuch
image exists
image tag IMG
untag
% $T tag $($T images -q) byid:1
images --format '{{.Repository}}:{{.Tag}}' --sort repository
image tree --whatrequires IMG
manifest create ml
manifest add ml
manifest rm ml
image tree IMG extra
image rm --ignore nosuch
image rm -i nosuch
% test -d "$($T image mount IMG)/bin" && echo mounted
image unmount IMG
image unmount IMG
image mount nosuch
image unmount nosuch
## container-misc
create --network none --name c1 IMG true
container exists --external c1
container exists c1 c1
container list -a --format '{{.Names}}'
container ls -q -a --no-trunc --filter name=nosuch
container init c1
container init c1
container init nosuch
inspect --format '{{.State.Status}}' c1
container port nosuch
container stats --no-stream --format '{{.Name}}' nosuch
stats --no-stream -a --format '{{.Name}}' --filter name=c1
## volume-mount-more
volume create v1
% $T volume mount v1 >/dev/null && echo mounted
% $T volume mount v1 >/dev/null && echo mounted
volume unmount v1
volume unmount v1
volume unmount
volume mount
volume mount v1 v1
## network-inspect-json
network create --subnet 10.251.34.0/24 --gateway 10.251.34.1 --ip-range 10.251.34.64/26 --internal --label a=b -o mtu=1400 -o isolate=true --interface-name fcmp34 n1
network create --subnet 10.251.35.0/24 --disable-dns --route 10.9.0.0/16,10.251.35.5 --interface-name fcmp35 n2
% $T network inspect n1 n2 | jq -c '.[] | del(.id, .created)'
% $T network ls --format json | jq -c '.[] | select(.name | test("^n")) | del(.id, .created)'
network inspect --format '{{range .Routes}}{{.Destination}} {{.Gateway}} {{.Metric}}{{end}}' n2
network inspect --format '{{json .Routes}}' n2
network ls --filter name=^n --format '{{.Name}} {{.DNSEnabled}} {{.Internal}} {{.Options}}'
network rm n1 n2
## stats-empty
stats --no-stream -a --format '{{.Name}}'
stats --no-stream --format json
stats --no-stream -a
stats --no-stream --no-trunc -a --format json
## create-options-config
! printf 'A=1\n# c\nB=two words\n' >$WORK/envf; printf 'l1=x\nl2=y\n' >$WORK/labf
! export FROMHOST=hv
create --network none --name c1 --env X=1 -e FROMHOST --env-file $WORK/envf --label a=b --label-file $WORK/labf --annotation an=v --workdir /tmp --user 1:2 --hostname h1 --entrypoint /bin/sh --stop-signal SIGUSR1 --stop-timeout 7 IMG -c true
% $T inspect c1 | jq -c '.[0].Config | del(.Env) | with_entries(select(.key != "Image" and .key != "CreateCommand"))'
% $T inspect c1 | jq -c '.[0].Config.Env | map(select(startswith("PATH=") or startswith("container=") or startswith("HOSTNAME=") | not)) | sort'
% $T inspect c1 | jq -c '.[0] | {Path, Args}'
% $T ps -a --format json | jq -c '.[0] | {Labels, Command}'
inspect --format '{{.Config.Labels}} {{.Config.Annotations}}' c1
## create-options-hostconfig
create --network none --name c0 --dns 1.2.3.4 IMG true
create --network none --name c0 --dns-search ex.com IMG true
create --network none --name c0 --dns-option ndots:2 IMG true
create --network none --name c0 --add-host h:10.0.0.1 IMG true
create --network container:c0 --dns 1.2.3.4 IMG true
create --network container:c0 --add-host h:10.0.0.1 IMG true
create --network host --name c1 --dns 1.2.3.4 --dns-search ex.com --dns-option ndots:2 --add-host h:10.0.0.1 --cap-add NET_ADMIN --cap-drop CHOWN --read-only --restart on-failure:3 --init --group-add 10 --shm-size 32m --ulimit nofile=100:200 --memory 64m --memory-swap 128m --cpus 1.5 --cpu-shares 512 --pids-limit 50 --log-driver k8s-file --log-opt max-size=1m --security-opt label=disable --security-opt no-new-privileges IMG true
% $T inspect c1 | jq -c '.[0].HostConfig | {Dns, DnsSearch, DnsOptions, ExtraHosts, CapAdd, CapDrop, ReadonlyRootfs, RestartPolicy, Init, GroupAdd, ShmSize, Ulimits, Memory, MemorySwap, NanoCpus, CpuShares, CpuPeriod, CpuQuota, PidsLimit, LogConfig: (.LogConfig | del(.Path)), SecurityOpt}'
% $T inspect c1 | jq -c '.[0] | {cap: .EffectiveCaps, bound: .BoundingCaps}'
create --network none --name c2 --security-opt label=disable --security-opt seccomp=unconfined --privileged IMG true
% $T inspect c2 | jq -c '.[0].HostConfig | {SecurityOpt, Privileged}'
## create-options-mounts
# Not compared: -v's and --mount's options in another order than U, z,
# ro: Podman's HostConfig.Binds keeps them as typed, ferry writes them in
# that order.
volume create v1
! mkdir -p $WORK/bsrc
create --network none --name c1 --tmpfs /t1:size=1m,mode=700 --mount type=bind,src=$WORK/bsrc,dst=/b1,ro=true --mount type=volume,src=v1,dst=/v1 --mount type=tmpfs,dst=/t2,tmpfs-size=2m -v $WORK/bsrc:/b2:z,ro -v v1:/v2:U IMG true
% $T inspect c1 | jq -c '.[0].Mounts | sort_by(.Destination) | .[]'
% $T inspect c1 | jq -c '.[0].HostConfig | {Binds: (.Binds | sort), Tmpfs, Mounts}'
## create-options-mount-flags
volume create v1
! mkdir -p $WORK/bsrc
create --network none --name c1 -v $WORK/bsrc:/b1:noexec,nosuid -v $WORK/bsrc:/b2 -v v1:/v1:exec,suid,dev -v v1:/v2:noexec -v v1:/v3:rslave --mount type=volume,src=v1,dst=/v4,nodev --mount type=tmpfs,dst=/t1,suid --tmpfs /t2:noexec IMG true
% $T inspect c1 | jq -c '.[0].Mounts | sort_by(.Destination) | .[] | {Destination, Options, Propagation}'
% $T inspect c1 | jq -c '.[0].HostConfig | {Binds: (.Binds | sort), Tmpfs}'
create --network none -v v1:/v1:exec,noexec IMG true
create --network none -v $WORK/bsrc:/b1:suid,suid IMG true
create --network none -v v1:/v1:dev,nodev IMG true
create --network none --mount type=volume,src=v1,dst=/v1,exec,noexec IMG true
create --network none --tmpfs /t1:suid,nosuid IMG true
create --network none -v v1:/v1:shared,slave IMG true
## create-options-health
create --network none --name c1 --health-cmd 'true' --health-interval 10s --health-retries 4 --health-timeout 3s --health-start-period 2s --health-on-failure kill IMG true
% $T inspect c1 | jq -c '.[0].Config | {Healthcheck, HealthcheckOnFailureAction}'
create --network none --name c2 --health-cmd '["CMD","true"]' --no-healthcheck IMG true
create --network none --name c3 --health-cmd '["CMD","true"]' IMG true
% $T inspect c3 | jq -c '.[0].Config.Healthcheck'
create --network none --name c4 --no-healthcheck IMG true
% $T inspect c4 | jq -c '.[0].Config.Healthcheck'
## update-clone
# Not compared: update of a container that ran and stopped: Podman
# answers with its ID but inspect (and its next start) keeps the old
# limits; ferry records the new ones.
create --network none --name c1 --memory 64m IMG sleep 100
update --memory 128m c1
inspect --format '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' c1
update --cpus 0.5 --pids-limit 30 --restart always c1
inspect --format '{{.HostConfig.NanoCpus}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuPeriod}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}}' c1
update --restart on-failure:2 c1
inspect --format '{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}' c1
update --restart bogus c1
update --memory 128m nosuch
update --memory bogus c1
update c1
update
start c1
update --memory 96m --cpu-shares 300 c1
inspect --format '{{.HostConfig.Memory}} {{.HostConfig.CpuShares}}' c1
update --cpus bogus --pids-limit 1.5 c1
update --pids-limit ' 5' c1
create --network none --cpus 0x10 IMG true
create --network none --pids-limit 1.5 IMG true
stop -t 0 c1
container clone c1
container clone c1 c1b
container clone --name c1c c1
container clone --memory 32m c1 c1d
inspect --format '{{.Name}} {{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}}' c1b c1d
ps -a --format '{{.Names}} {{.State}}' --sort names
container clone nosuch
container clone c1 c1b
container clone
container clone --run c1 c1e
ps -a --format '{{.Names}} {{.State}}' --filter name=c1e
rm -f -t 0 c1e
## exec-options
! printf 'A=1\nB=two words\n' >$WORK/envf
run -d --network none --name c1 -e X=1 IMG sleep 100
exec --env Y=2 -e X=3 c1 sh -c 'echo $X $Y'
exec --env-file $WORK/envf c1 sh -c 'echo $A/$B'
exec --env-file $WORK/nosuch c1 true
exec --workdir /tmp c1 pwd
exec -w /nosuch c1 pwd
exec --user 1:2 c1 id
exec --user nobody c1 id -un
exec --user nosuchuser c1 id
exec --privileged c1 sh -c 'grep CapEff /proc/self/status'
exec c1 sh -c 'grep CapEff /proc/self/status'
% $T exec -d c1 sh -c 'echo hi >/tmp/d' | wc -c
exec c1 sh -c 'exit 3'
exec c1 /nosuch
exec c1 /etc/passwd
exec nosuch true
exec
exec c1
exec -e 'bad name=1' c1 true
create --network none --name c2 IMG true
exec c2 true
stop -t 0 c1
exec c1 true
exec -d c1 true
## events-more
# As events-file: the file backend, only the events since this sequence
# began.  Not compared: the image pull event's place among a container's
# (Podman writes it from another goroutine, before or after init).
! sleep 1; S=$(date +%s)
% $T --events-backend file run --network none --name c1 IMG true >/dev/null
% $T --events-backend file rm c1 >/dev/null
% $T --events-backend file volume create v1 >/dev/null
% $T --events-backend file volume rm v1 >/dev/null
% $T --events-backend file tag IMG t1:1
% $T --events-backend file untag t1:1
% $T --events-backend file events --stream=false --since $S --format '{{.Type}} {{.Status}} {{.Name}}' | grep -v 'image pull'
% $T --events-backend file events --stream=false --since $S --filter type=container --format '{{.Status}}'
% $T --events-backend file events --stream=false --since $S --filter type=volume --format '[{{.ID}}|{{.Image}}|{{.ContainerExitCode}}|{{.Attributes}}|{{.Network}}|{{.Error}}]'
% $T --events-backend file events --stream=false --since $S --filter type=volume --format '{{.Status}} {{.Name}}'
% $T --events-backend file events --stream=false --since $S --filter type=image --format '{{.Status}} {{.Name}}'
% $T --events-backend file events --stream=false --since $S --filter image=IMG --format '{{.Status}} {{.Image}}'
% $T --events-backend file events --stream=false --since $S --filter event=died --format '{{.Status}} {{.Name}} {{.ContainerExitCode}}'
% $T --events-backend file events --stream=false --since $S --filter event=die --filter event=remove --format '{{.Status}}'
% $T --events-backend file events --stream=false --since $S --filter container=c1 --filter type=container --filter event=init --format '{{.Status}} {{.Name}}'
% $T --events-backend file events --stream=false --since $S --filter type=container --filter event=start --format json | jq -c 'del(.ID, .time, .timeNano, .Attributes.podId) | .Attributes |= with_entries(select(.key != "io.buildah.version"))'
% $T --events-backend file events --stream=false --since $S --filter type=bogus
% $T --events-backend file events --stream=false --since $S --filter event=bogus --format '{{.Status}}'
% $T --events-backend file events --stream=false --since $S --filter type=container --filter event=start --format '{{.Bogus}}'
## logs-two
# Not compared: the order of two containers' lines (Podman reads their
# logs at once: any order).
run --network none --name c1 IMG sh -c 'echo a1; echo a2 >&2; echo a3'
run --network none --name c2 IMG sh -c 'echo b1; echo b2'
% $T logs c1 c2 2>&1 | sort -k2
% $T logs --names c1 c2 2>&1 | sort
logs -n c1
% $T logs --tail 1 c1 c2 2>&1 | sort -k2
logs --tail 0 c1
logs --tail -1 c1
% $T logs -t c1 | sed -E 's/^[^ ]+ //'
logs --since 2000-01-01T00:00:00Z c1
logs --until 2000-01-01 c1
logs --until 1m c1
logs -f c1
logs nosuch
logs c1 nosuch
logs
## commit-import-changes
# Not compared: a --change that commit cannot take (ferry refuses it
# before it copies anything, Podman once it has, in other words), FROM
# in a --change (Podman ignores it, ferry refuses it), and -f docker
# (ferry writes OCI images only).  A committed image's container=
# variable names the tool.
! rm -rf $WORK/ci && mkdir $WORK/ci
run --network none --name c1 -e KEEP=1 --label l=1 IMG sh -c 'echo x >/f'
commit -q -a 'Ann Author <a@b>' -m 'a message' c1 nope:1
commit -q -a 'Ann Author <a@b>' --change 'ENV A=1' --change 'LABEL k=v' --change 'EXPOSE 80' --change 'WORKDIR /tmp' --change 'CMD ["sh","-c","echo hi"]' --change 'ENTRYPOINT ["/bin/sh"]' --change 'USER 1:2' --change 'VOLUME /data' --change 'STOPSIGNAL SIGUSR1' c1 mine:1
% $T image inspect mine:1 | jq -c '.[0] | {Author, Comment, Labels, Config: (.Config | del(.Env) | .Labels |= with_entries(select(.key != "io.buildah.version")))}'
% $T image inspect mine:1 | jq -c '.[0].Config.Env | map(select(startswith("container=") | not)) | sort'
% $T history --format '{{.CreatedBy}} | {{.Comment}}' mine:1 | sed -n 1,2p
history --format '{{.Comment}}' mine:1
commit -q --pause=false --squash c1 mine:3
commit -q --pause=bogus c1 mine:4
% $T image inspect mine:3 | jq -c '.[0].RootFS.Layers | length'
export -o $WORK/ci/e.tar c1
import -q --change 'ENV B=2' --change 'CMD /bin/true' --change 'LABEL a=b' --message 'imported' $WORK/ci/e.tar imp:1
% $T image inspect imp:1 | jq -c '.[0] | {Comment, Labels, Config: (.Config | .Labels |= with_entries(select(.key != "io.buildah.version")))}'
% $T history --format '{{.CreatedBy}} | {{.Comment}}' imp:1 | sed 's/file:[0-9a-f]*/file:D/'
import -q --change 'BOGUS x' $WORK/ci/e.tar imp:2
import -q -c 'ENTRYPOINT /bin/sh' -c 'WORKDIR /w' $WORK/ci/e.tar imp:3
% $T image inspect imp:3 | jq -c '.[0].Config'
## etc-hosts
# Not compared: a bridge network's addresses (each tool's own IPAM).
run --rm --network none --name h1 --hostname h1 --add-host a.b:192.0.2.9 IMG cat /etc/hosts
run --rm --network none --name h2 IMG sh -c 'grep -v "^127.0.0.1	[0-9a-f]* h2$" /etc/hosts'
run --rm --network host --name h3 IMG sh -c 'cat /etc/hosts; hostname'
create --network host --name h4 IMG true
inspect --format '{{.Config.Hostname}}' h4
rm h4
## create-options-errors
# Not compared: a --hostname with a blank (ferry refuses it, Podman takes
# it).
create --network none --env-file $WORK/nosuch IMG true
create --network none --label-file $WORK/nosuch IMG true
create --network none --restart bogus IMG true
create --network none --restart on-failure:x IMG true
create --network none --restart always --rm IMG true
create --network none --stop-signal BOGUS IMG true
create --network none --stop-timeout x IMG true
create --network none --ulimit bogus IMG true
create --network none --ulimit nofile=10:5 IMG true
create --network none --shm-size bogus IMG true
create --network none --memory-swap 10m IMG true
create --network none --memory 20m --memory-swap 10m IMG true
create --network none --cpu-shares x IMG true
create --network none --cap-add BOGUS IMG true
create --network none --add-host bogus IMG true
create --network none --add-host h:notanip IMG true
create --network none --group-add '' IMG true
create --network none --log-driver bogus IMG true
create --network none --log-opt bogus IMG true
create --network none --health-interval x --health-cmd true IMG true
create --network none --health-retries x --health-cmd true IMG true
create --network none --health-on-failure bogus --health-cmd true IMG true
create --network none --mount type=bogus,dst=/x IMG true
create --network none --tmpfs relative IMG true
create --network none -v /a:/b:bogus IMG true
create --network none --workdir relative IMG true
create --network none --user '' IMG true
create --network none -v $WORK/nosuch:/x IMG true
create --network none --mount type=bind,src=$WORK/nosuch,dst=/x IMG true
create --network none --ulimit host=1 IMG true
create --network none --ulimit bogus --ulimit host IMG true
ps -a -q
## create-options-more
# Not compared: --entrypoint '' without a command (ferry refuses it at
# create; Podman creates it and its start fails in runc, 127).
! export FOO_A=1 FOO_B=2
create --network none --name c1 --env 'FOO_*' --stop-signal 10 --restart unless-stopped --user nobody --workdir /nosuch/dir --group-add keep-groups IMG true
% $T inspect c1 | jq -c '.[0].Config | {User, WorkingDir, StopSignal, Entrypoint, Cmd, env: (.Env | map(select(startswith("FOO"))) | sort)}'
% $T inspect c1 | jq -c '.[0].HostConfig | {RestartPolicy, GroupAdd}'
% $T inspect c1 | jq -c '.[0] | {Path, Args}'
start c1
inspect --format '{{.State.Status}} {{.State.ExitCode}}' c1
run --rm --network none -w /nosuch/dir IMG true
run --rm --network none --tmpfs /nosuch -w /nosuch/dir IMG pwd
ps -a --format '{{.Names}} {{.State}}'
create --network none --name c2 --memory-reservation 32m --memory-swappiness 10 --oom-kill-disable --oom-score-adj 100 --cpuset-cpus 0 --cpu-period 50000 --cpu-quota 25000 --blkio-weight 100 IMG true
% $T inspect c2 | jq -c '.[0].HostConfig | {MemoryReservation, MemorySwappiness, OomKillDisable, OomScoreAdj, CpusetCpus, CpuPeriod, CpuQuota, NanoCpus, BlkioWeight}'
create --network none --name c3 --hostname h3 --expose 80 --expose 90/udp IMG true
% $T inspect c3 | jq -c '.[0].Config | {Hostname, Domainname, ExposedPorts}'
create --network none --name c4 --read-only --read-only-tmpfs=false --privileged=false --init=false --rm=false --tty --interactive IMG true
create --network none --name c5 --privileged=bogus IMG true
% $T inspect c4 | jq -c '.[0] | {tty: .Config.Tty, stdin: .Config.OpenStdin, ro: .HostConfig.ReadonlyRootfs, init: .HostConfig.Init}'
create --network none --name c6 --entrypoint '' --ulimit nofile=100:200 --ulimit host IMG echo hi
% $T inspect c6 | jq -c '.[0] | {Path, Args, e: .Config.Entrypoint, c: .Config.Cmd, u: .HostConfig.Ulimits}'
start -a c6
% $T inspect c6 | jq -c '.[0].HostConfig.Ulimits | map(.Name)'
## format-functions
# Go's template functions and Podman's (json, lower, upper, title, join,
# split, truncate, pad, len, printf, println, index, eq and the rest),
# pipelines, with/else and literals, across the list commands.
volume create --label a=b --label Mixed=Case v1
create --network none --name c1 --label k=Val IMG true
ps -a --format '{{.Names|upper}} {{upper .Names}} {{lower "AbC"}} {{title "hello world"}}'
ps -a --format '{{join .Names ","}} {{len .Names}} {{index .Labels "k"}} {{.Labels.k}}'
ps -a --format '{{truncate .Image 5}}|{{pad .Names 2 4}}|{{split "a:b:c" ":"}}'
ps -a --format '{{printf "%s-%d" .Names 7}} {{printf "%q" .Names}} {{printf "%5.2f" 3.14159}}'
ps -a --format '{{println .Names}}{{print .Names 1 2}}'
ps -a --format '{{if eq .Names "c1"}}yes{{else}}no{{end}} {{if ne .Names "c1"}}a{{else if eq .Names "c1"}}b{{end}}'
ps -a --format '{{with .Labels.k}}{{.}}{{else}}none{{end}} {{with .Labels.nosuch}}{{.}}{{else}}none{{end}}'
ps -a --format '{{range $i, $n := split "x,y" ","}}{{$i}}={{$n}} {{end}}'
ps -a --format '{{if and .Names (not .Exited)}}t{{else}}f{{end}} {{or "" "z"}} {{and 1 0}}'
ps -a --format '{{len "abc"}} {{lt 1 2}} {{gt 1 2}} {{le 2 2}} {{ge 1 2}} {{eq 1 1 2}}'
ps -a --format '{{"lit"}} {{1}} {{true}} {{3.5}} {{nil}}'
ps -a --format '{{.Names | printf "%s!" | upper}}'
ps -a --format '{{json .Labels}} {{.Labels | json}}'
ps -a --format '{{upper 1}}'
ps -a --format '{{truncate .Names}}'
ps -a --format '{{nosuch .Names}}'
ps -a --format '{{index .Names 5}}'
ps -a --format '{{printf}}'
ps -a --format '{{.Names | len}}'
volume ls --format '{{.Name|upper}} {{len .Labels}} {{index .Labels "Mixed"}} {{.Labels.a}}'
volume inspect --format '{{upper .Name}} {{json .Labels}}' v1
images --format '{{lower .Repository}} {{truncate .Tag 3}}'
inspect --format '{{upper .Name}} {{printf "%.5s" .State.Status}} {{len .Config.Labels}}' c1
info --format '{{upper .Host.OS}}'
version --format '{{lower .Client.Os}}'
## format-table
# The table prefix with and without \t, --noheading, --quiet with
# --format, --format json against {{json .}}.
volume create --label a=b v1
create --network none --name c1 IMG true
ps -a --format 'table {{.Names}}\t{{.Status}}'
ps -a --format 'table {{.Names}} {{.Status}}'
ps -a --format 'table {{.Names}}\t{{upper .Names}}'
ps -a --format 'table'
ps -a --noheading --format 'table {{.Names}}\t{{.Status}}'
ps -a --quiet --format '{{.Names}}'
ps -a --format '{{.Names}}' --noheading
volume ls --format 'table {{.Name}}\t{{.Driver}}'
volume ls --format 'table {{.Name}} {{.Labels}}'
volume ls --noheading --format 'table {{.Name}}\t{{.Driver}}'
volume ls -q --format '{{.Driver}}'
images --format 'table {{.Repository}}\t{{.Tag}}'
images --noheading --format 'table {{.Repository}}\t{{.Tag}}'
images -q --format '{{.Repository}}'
% $T volume ls --format json | jq -c '.[] | {Name, Driver, Labels}'
% $T volume ls --format '{{json .}}' | jq -c '{Name, Driver, Labels}'
% $T ps -a --format '{{json .}}' | jq -c '{Names, State}'
% $T images --format '{{json .}}' | jq -c '{Names, Tag: .Tag}'
volume ls --format '{{.Nosuch}}'
images --format '{{.Nosuch}}'
ps -a --format '{{.Names.Nosuch}}'
network ls --filter name=nosuch --format 'table {{.Name}}'
secret ls --format 'table {{.Name}}'
% $T images --format '{{json .}}'
% $T ps -a --format '{{json .}}'
## format-commands
# The functions in the other commands' templates: network ls and
# inspect, secret ls, history, info, version, stats --no-stream.  Not
# compared: %s of a subnet (Go prints the IPNet struct's members), and
# stats' {{json .}} (Podman's raw sample, with per-CPU and system times
# ferry does not read), and Go's type names in errors.  Output a failed
# template leaves ends with a newline here (echo) so that its error is
# on a line of its own.
! printf s3cret >$WORK/sec
network create --subnet 10.251.40.0/24 --interface-name fcmp40 --label Team=Blue n1
% $T secret create --label k=v s1 $WORK/sec >/dev/null
run --network none --name c1 -d IMG sleep 100
network ls --filter name=^n1 --format '{{upper .Name}} {{.Labels.Team}} {{index .Labels "Team"}} {{len .Subnets}}'
network ls --filter name=^n1 --format 'table {{.Name}}\t{{lower .Driver}}'
network inspect --format '{{range .Subnets}}{{printf "%s/%s" .Gateway .Gateway}}{{end}} {{title .Driver}}' n1
secret ls --format '{{upper .Name}} {{truncate .Driver 4}}'
secret ls --format '{{.Labels}}'
secret ls --format 'table {{.Name}}\t{{.Driver}}' --noheading
secret inspect --format '{{.Spec.Name | upper}} {{json .Spec.Labels}}' s1
history --format '{{truncate .ID 4}} {{len .CreatedBy}}' IMG
history --format 'table {{.ID}}\t{{upper .Comment}}' IMG
stats --no-stream --format '{{upper .Name}} {{len .ID}}' c1
stats --no-stream --format 'table {{.Name}}' c1
info --format '{{if eq .Host.OS "linux"}}L{{end}} {{len .Store.GraphRoot | printf "%T"}}'
% ($T version --format '{{with .Client}}{{lower .Os}}/{{.Arch}}{{end}}'; r=$?; echo; exit $r)
version --format 'table {{.Client.Os}}'
info --format '{{.Nosuch}}'
version --format '{{.Client.Nosuch}}'
stats --no-stream --format '{{.Nosuch}}' c1
history --format '{{.Nosuch}}' IMG
secret ls --format '{{.Nosuch}}'
network ls --format '{{.Nosuch}}'
% ($T version --format '{{.Client.Os}} {{.Version}}'; r=$?; echo; exit $r)
% ($T version --format '{{.Os}}{{.Nosuch}}'; r=$?; echo; exit $r)
version --format '{{.Server.Os}} {{.OsArch}}'
info --format 'table {{.Host.OS}}'
% $T ps -a --format json | jq -c '.[0] | keys_unsorted'
% $T ps -a --format json | jq -c '.[0] | {Labels, Ports, ExitedAt}'
rm -f -t 0 c1
## global-options
# The options before the command, unknown commands and flags, missing
# arguments and --help's exit codes.  Not compared: --remote, --url and
# --connection (ferry has no service to reach), the help texts, and a
# --storage-driver other than overlay on a new root (ferry refuses it,
# Podman makes a store of that driver), and overlay (this comparison's
# Podman store has no driver of record and refuses any).
! printf x >$WORK/outfile
% $T --noout volume create v1; echo "rc=$?"
volume ls -q
% $T --out $WORK/outfile volume ls -q; echo "rc=$?"; cat $WORK/outfile
% $T --log-level bogus ps; echo "rc=$?"
% $T --log-level error ps -a -q; echo "rc=$?"
% $T --storage-driver bogus ps -a -q
nosuchcommand
ps --nosuchflag
volume nosuch
% $T volume >/dev/null
% $T network >/dev/null
image nosuch
% $T ps -h >/dev/null; echo "rc=$?"
% $T ps -ah >/dev/null; echo "rc=$?"
% $T volume ls -h >/dev/null; echo "rc=$?"
% $T volume --help >/dev/null; echo "rc=$?"
% $T help volume >/dev/null; echo "rc=$?"
% $T --help >/dev/null; echo "rc=$?"
inspect
logs
start
stop --nosuch c1
rm
rmi
tag
volume create --nosuch
network create --nosuch
exec
exec nosuch
port
wait
cp
cp a
kill
pause
top
diff
commit
history
save
rename
rename a
% $T run; echo "rc=$?"
% $T create --nosuch IMG; echo "rc=$?"
% $T run --rm IMG --nosuch 2>&1 | head -2; echo "rc=$?"
## exists-pull-policies
# The exists commands' codes, and --pull's policies on run and create
# with an image that is there and one that is not (no registry asked:
# localhost:1 refuses at once).  Not compared: the progress lines of a
# pull (ferry shows them on a terminal only) but for their errors.
create --network none --name c1 IMG true
image exists IMG
image exists nosuch:1
image exists
container exists c1
container exists nosuch
container exists
% $T container exists c1 c1; echo "rc=$?"
volume exists nosuch
network exists nosuch
create --network none --pull=never --name c2 IMG true
create --network none --pull=missing --name c3 IMG true
create --network none --pull=bogus IMG true
create --network none --pull=never localhost:1/nosuch:1 true
run --rm --network none --pull=never localhost:1/nosuch:1 true
create --network none --pull=newer --name c4 IMG true
% $T create --network none --pull=newer localhost:1/nosuch:1 true 2>&1 | grep -c Error; echo "rc=${PIPESTATUS[0]}"
% $T create --network none --pull=missing localhost:1/nosuch:1 true 2>&1 | grep -c Error; echo "rc=${PIPESTATUS[0]}"
run --rm --network none --pull=never IMG echo ok
ps -a --format '{{.Names}}' --sort names
## stdin-attach
# Piped standard input through run -i, run -a, start -a -i and attach,
# and the exit codes passed through; -a stdin without -a stdout or
# -a stderr prints the container's ID.
% echo hi | $T run --rm -i --network none IMG cat; echo "rc=$?"
% echo hi | $T run --rm --network none IMG cat; echo "rc=$?"
% echo hi | $T run --rm -i -a stdout --network none IMG sh -c 'cat; echo err >&2; exit 3'; echo "rc=$?"
% echo hi | $T run --rm -i --sig-proxy=false --network none IMG sh -c 'read x; echo got $x'; echo "rc=$?"
% echo hi | $T run --rm -i --network none IMG sh -c 'exit 7'; echo "rc=$?"
% printf 'a\nb\n' | $T run --rm -i --network none IMG wc -l; echo "rc=$?"
% echo hi | $T run --rm -a stdin --network none IMG sh -c 'cat; echo out; exit 3'; echo "rc=$?"
% echo hi | $T run --rm -a stdin -i --network none IMG sh -c 'cat; echo out; exit 3'; echo "rc=$?"
% echo hi | $T run --rm -a stdin -a stderr -i --network none IMG sh -c 'cat; echo err >&2'; echo "rc=$?"
% $T create -i --network none --name c1 IMG sh -c 'read x; echo got $x; exit 5' >/dev/null
% echo hi | $T start -a -i c1; echo "rc=$?"
% $T create --network none --name c2 IMG sh -c 'echo out; exit 6' >/dev/null
% $T start -a c2; echo "rc=$?"
% $T attach nosuch; echo "rc=$?"
% $T attach c2; echo "rc=$?"
% $T attach; echo "rc=$?"
## network-options-recorded
# What network create and run/create record of their network options,
# as network inspect and inspect show them, and the clashes' errors.
# Not compared: a static --ip outside the network's subnet (ferry refuses
# it at create, Podman when the container starts).
network create --subnet 10.251.60.0/24 --gateway 10.251.60.254 --ip-range 10.251.60.128/25 --label a=b --opt mtu=1400 --internal --disable-dns --interface-name fcmp60 n1
% $T network inspect n1 | jq -c '.[0] | {name, driver, network_interface, subnets, ipv6_enabled, internal, dns_enabled, labels, options, ipam_options}'
network create --ipv6 --subnet fd00:251:61::/64 --interface-name fcmp61 n2
% $T network inspect n2 | jq -c '.[0] | {subnets, ipv6_enabled}'
network create --subnet 10.251.62.0/24 --interface-name fcmp62 n3
create --network n3 --ip 10.251.62.6 --mac-address 02:11:22:33:44:66 --network-alias db --name c2 IMG true
% $T inspect c2 | jq -c '.[0].NetworkSettings.Networks.n3 | {IPAddress, MacAddress, IPPrefixLen, Gateway, Aliases}'
% $T inspect c2 | jq -c '.[0].NetworkSettings | {IPAddress, MacAddress, IPPrefixLen, Gateway}'
create --network n3 --mac-address bogus --name c4 IMG true
create --network n3 --ip bogus --name c5 IMG true
create --network none --name c7 IMG true
network connect --ip 10.251.62.9 --alias cache n3 c7
network connect --ip 10.251.62.10 n1 c7
% $T inspect c7 | jq -c '.[0].NetworkSettings.Networks | keys'
ps -a --format '{{.Names}}' --sort names
## cgroupns
# Whether the container shares the host's cgroup namespace (Podman's
# default on cgroups v1 and hybrid hosts, a namespace of its own on v2
# alone), and what inspect calls it.
% [ "$($T run --rm IMG readlink /proc/self/ns/cgroup)" = "$(readlink /proc/self/ns/cgroup)" ] && echo host || echo own
% [ "$($T run --rm --cgroupns private IMG readlink /proc/self/ns/cgroup)" = "$(readlink /proc/self/ns/cgroup)" ] && echo host || echo own
% [ "$($T run --rm --cgroupns host IMG readlink /proc/self/ns/cgroup)" = "$(readlink /proc/self/ns/cgroup)" ] && echo host || echo own
create --name c1 IMG true
create --name c2 --cgroupns private IMG true
create --name c3 --cgroupns host IMG true
inspect --format '{{.Name}} {{.HostConfig.CgroupMode}}' c1 c2 c3
create --cgroupns sideways IMG true
ps -a --format '{{.Names}}' --sort names
## inspect-nil-maps
# The nil maps and slices of Podman's inspect structs: null in the JSON,
# map[] or [] to print, len 0, a missing key <no value> or "".
create --name nl IMG true
create --name lab --label b=2 --label a=1 IMG true
% $T inspect nl lab | jq -c 'map(.Config.Labels)'
inspect --format '{{.Config.Labels}} {{len .Config.Labels}} {{json .Config.Labels}} {{.Config.Labels.a}} {{index .Config.Labels "x"}}|' nl lab
inspect --format '{{.Config.Volumes}} {{.Config.Annotations}} {{.HostConfig.Annotations}} {{.HostConfig.CgroupConf}} {{.HostConfig.LogConfig.Config}}' nl
inspect --format '{{.HostConfig.VolumesFrom}} {{.HostConfig.Links}} {{.HostConfig.BlkioWeightDevice}} {{.HostConfig.BlkioDeviceReadBps}} {{len .HostConfig.BlkioDeviceWriteIOps}}' nl
inspect --format '{{range $n, $v := .NetworkSettings.Networks}}{{$n}} {{$v.DriverOpts}} {{$v.IPAMConfig}} {{$v.Links}} {{json $v.DriverOpts}}{{end}}' nl
image inspect --format '{{.Labels}} {{len .Labels}} {{json .Labels}} {{.Labels.x}}|' IMG
## sweep7-inspect
# Times as Go's time.Time (.Unix), the members Podman's JSON leaves out
# when empty, import's history comment.
create --name c1 IMG true
inspect --format '{{.State.StartedAt.Unix}} {{.State.FinishedAt.Unix}} {{.State.CheckpointedAt.Unix}} {{gt .Created.Unix 1000000000}}' c1
image inspect --format '{{.Created.Unix}}' IMG
inspect --format '{{.Config.Timezone}}|{{.Config.Secrets}}|{{.Config.ChrootDirs}}|{{.Config.HealthMaxLogCount}}|{{.State.CheckpointLog}}|{{.NetworkSettings.SecondaryIPAddresses}}' c1
% $T inspect --format '{{json .Config}}' c1 | jq -c keys
! rm -rf $WORK/x7 && mkdir $WORK/x7
export -o $WORK/x7/x.tar c1
import -q $WORK/x7/x.tar localhost/imp:1
image history --format '{{.Comment}}' localhost/imp:1
## system-renumber
create --name c1 IMG true
system renumber
system renumber extra
start -a c1
## sweep7-misc
# Commands no sequence had: init (one, --all, twice, unknown, none), unshare
# as root, container clone.
create --name a1 IMG sleep 100
run -d --name a2 IMG sleep 100
init a1
init a1
init nosuch
init
% $T init --all | sort
ps -a --format '{{.Names}} {{.State}}' --sort names
unshare true
container clone a1 cl1
container clone nosuch
ps -a --format '{{.Names}} {{.State}}' --sort names
% $T rm -f -t 0 a1 a2 cl1 | sort
## go-structs
# Podman's structs as Go's fmt prints them: the fields' values in order,
# in braces; &{...} for a pointer that print or printf gets; a struct's
# missing field is an error naming its type.
# Not compared: the OCI version in .State (the runtime spec each tool
# writes), members that hold pointers (Go prints their addresses).
create --name c1 --restart on-failure:3 --network bridge -p 127.0.0.1:8080:80 -v /tmp:/mnt:ro IMG sleep 100
create --name c2 IMG true
inspect --format '{{.HostConfig.RestartPolicy}}|{{print .HostConfig.RestartPolicy}}|{{printf "%v" .HostConfig.RestartPolicy}}' c1 c2
% $T inspect --format '{{.State}}' c2 | sed 's/^{[^ ]* /{OCI /'
inspect --format '{{.Mounts}}|{{.NetworkSettings.Ports}}|{{.HostConfig.PortBindings}}' c1 c2
inspect --format '{{if .State}}y{{end}} {{.State.Health}} {{.HostConfig.Ulimits}} {{.HostConfig.Devices}} {{.Config.Healthcheck}}' c2
inspect --format '{{.State.Nope}}' c2
inspect --format '{{.HostConfig.RestartPolicy.Nope}}' c2
image inspect --format '{{.Config}}|{{.RootFS}}' IMG
image inspect --format '{{.History}}' IMG
image inspect --format '{{.Config.Nope}}' IMG
info --format '{{.Host.Security}}|{{.Host.Distribution}}|{{.Host.IDMappings}}|{{.Host.Slirp4NetNS}}|{{.Host.Pasta}}|{{.Store.ImageStore}}|{{.Store.ContainerStore}}'
info --format '{{.Host.Nope}}'
network create --subnet 10.89.7.0/24 n7
network inspect --format '{{.Subnets}} {{.Routes}}' n7
network ls --filter name=n7 --format '{{.Subnets}}'
network rm n7
ps -a --format '{{.Namespaces}}|{{.Namespaces.MNT}}|{{.Names}}' --sort names
commit -q --change 'EXPOSE 80' --change 'VOLUME /data' c2 localhost/exp:1
image inspect --format '{{.Config.ExposedPorts}}|{{.Config.Volumes}}|{{json .Config.ExposedPorts}}' localhost/exp:1
create --name e1 localhost/exp:1 true
inspect --format '{{.Config.ExposedPorts}}|{{.NetworkSettings.Ports}}|{{index .NetworkSettings.Ports "80/tcp"}}|{{index .NetworkSettings.Ports "81/tcp"}}|{{len .Mounts}}' e1
rm -v e1
rmi localhost/exp:1
## ports-inspect
# Published ports as inspect and ps show them: HostIp 0.0.0.0 when -p names
# no address, the maps' keys in order, published ports in ExposedPorts,
# the ports of one address and protocol in host port order.
# Not compared: ps of ports on several addresses or protocols (Podman
# orders those groups as a Go map iterates, differently each time).
create --name p1 --network bridge --expose 81 --expose 80 -p 18080:80 -p 8080:90 IMG true
create --name p2 --network bridge -p 127.0.0.1:8081:80/udp IMG true
inspect --format '{{json .NetworkSettings.Ports}}|{{json .HostConfig.PortBindings}}|{{json .Config.ExposedPorts}}' p1 p2
inspect --format '{{.NetworkSettings.Ports}}|{{.Config.ExposedPorts}}' p1 p2
% $T inspect p1 | jq -c '.[0] | [.NetworkSettings.Ports, .HostConfig.PortBindings, .Config.ExposedPorts]'
ps -a --format '{{.Names}} {{.Ports}}' --sort names
## bind-options
# -v of a bind mount with a propagation or bind.
# Not compared: an explicit rbind, which Podman writes first in Binds and
# ferry last.
create --name b1 -v /tmp:/d:rshared -v /tmp:/e:bind -v /tmp:/g:slave,ro IMG true
% $T inspect --format '{{range .Mounts}}{{println .}}{{end}}{{range .HostConfig.Binds}}{{println .}}{{end}}' b1 | sort
create -v /tmp:/d:shared,slave IMG true
create -v /tmp:/d:bogus IMG true
run --rm -v /tmp:/d:rslave,ro -v /tmp:/e:bind IMG sh -c 'grep -E " /(d|e) " /proc/self/mountinfo | cut -d" " -f5 | sort'
## stopped-size
# A stopped container's rwSize counts the config.json both tools keep.
run --name s1 IMG true
% [ "$($T ps -a --size --format json | jq '.[0].Size.rwSize')" -gt 10000 ] && echo kept
% $T inspect --format '{{.OCIConfigPath}}' s1 | sed 's#.*/##'
EOF
}

seq_names() { sequences | sed -n 's/^## //p'; }

selected() {
	local p
	[ ${#patterns[@]} -eq 0 ] && return 0
	for p in "${patterns[@]}"; do grep -qE -- "$p" <<<"$1" && return 0; done
	return 1
}

if [ "$list" = 1 ]; then
	seq_names
	exit 0
fi

[ -x "$FERRY_BIN" ] || { echo "compare-podman: no ferry binary at $FERRY_BIN (set FERRY_BIN)" >&2; exit 2; }
command -v podman >/dev/null || { echo "compare-podman: Podman is not installed" >&2; exit 2; }

WORK=$(mktemp -d /tmp/ferry-compare.XXXXXX)
cleanup() {
	run_podman rm -af -t 0 >/dev/null 2>&1 || true
	run_podman network prune -f >/dev/null 2>&1 || true
	run_ferry rm -af -t 0 >/dev/null 2>&1 || true
	run_ferry network prune -f >/dev/null 2>&1 || true
	local m
	# shellcheck disable=SC2013 # mount points of ours have no spaces
	for m in $(awk -v t="$WORK" 'index($5, t "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

# Both tools see configuration of this run's own: containers get no network
# by default and the host's /etc/containers changes nothing.
export CONTAINERS_CONF=$WORK/containers.conf FERRY_CONFIG=$WORK/ferry.conf
unset CONTAINERS_CONF_OVERRIDE
# Podman's locks in files of this run's own: its shared-memory lock table
# is shared with every other Podman run on the machine.  Both default to
# no network.
printf '[engine]\nlock_type = "file"\n[containers]\nnetns = "none"\n' >"$CONTAINERS_CONF"
printf '[containers]\nnetns = "none"\n' >"$FERRY_CONFIG"
mkdir -p "$WORK/ptmp" "$WORK/pnet"

run_ferry() { timeout 60 "$FERRY_BIN" --root "$WORK/froot" --runroot "$WORK/frun" "$@"; }
run_podman() {
	PODMAN_IGNORE_CGROUPSV1_WARNING=1 timeout 60 podman --root "$WORK/proot" --runroot "$WORK/prun" \
		--tmpdir "$WORK/ptmp" --network-config-dir "$WORK/pnet" --cgroup-manager cgroupfs \
		--events-backend none --runtime runc "$@"
}

image=$WORK/ferry-test.tar
"$SRC/tests/lib/build-test-image.sh" "$image" >/dev/null
run_ferry load -q -i "$image" >/dev/null
run_podman load -q -i "$image" >/dev/null

# Back to the test image alone.
reset_tool() {
	local T=$1 ref
	$T rm -af -t 0 >/dev/null 2>&1 || true
	$T volume rm -af >/dev/null 2>&1 || true
	$T network prune -f >/dev/null 2>&1 || true
	for ref in $($T images --format '{{.Repository}}:{{.Tag}}'); do
		[ "$ref" = localhost/ferry-test:latest ] || $T untag "$ref" >/dev/null 2>&1 || true
	done
	$T image prune -f >/dev/null 2>&1 || true
	$T image exists localhost/ferry-test:latest || $T load -q -i "$image" >/dev/null
}

# Besides IDs, times and paths, what differs on purpose: Podman's lock
# numbers and their members in key lists (ferry has no lock table), the
# blank line Podman's volume ls
# --format json writes inside an empty object, and the tool's own name in
# a message ("podman ..." or 'podman ...', as in "See 'podman ps --help'").
normalise() {
	perl -0pe 's/,\n +"LockNumber": \d+//g; s/,"[Ll]ockNumber"(?=[,\]])//g' | sed -E -e '/^ +$/d' -e "s/([\"'\`])(podman|ferry) /\\1TOOL /g" \
		-e "s#$WORK/(froot|proot|frun|prun)#<ROOT>#g" -e "s#$WORK#TMP#g" \
		-e 's/\b[0-9a-f]{64}\b/<ID>/g' -e 's/\b[0-9a-f]{12}\b/<SID>/g' -e 's/\b[0-9a-f]{25}\b/<SECRET>/g' \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?( ?(Z|[+-][0-9]{2}:?[0-9]{2})( [A-Z]+)?)?/<TIME>/g' \
		-e 's/(Less than a second|About a minute|About an hour|[0-9]+ (seconds?|minutes?|hours?)) ago/<AGO> ago/g' \
		-e 's/Up (Less than a second|About a minute|About an hour|[0-9]+ (seconds?|minutes?|hours?))/Up <AGO>/g'
}

# Runs sequence $2 with runner $1, printing its transcript.
run_sequence() {
	local T=$1 name=$2 line rc cmd
	sequences | awk -v n="## $name" '$0 == n { on = 1; next } /^## / { on = 0 } on' |
		while IFS= read -r line; do
			[ "${line:0:2}" = "# " ] && continue
			if [ "${line:0:1}" = "!" ]; then
				eval "${line:1}" >/dev/null 2>&1 || true
				continue
			fi
			if [ "${line:0:2}" = "% " ]; then
				rc=0 cmd=${line:2}
				eval "${cmd//IMG/localhost/ferry-test:latest}" </dev/null >"$WORK/out" 2>"$WORK/err" || rc=$?
				echo "\$ $line -> $rc"
				normalise <"$WORK/out" | sed 's/^/  out: /'
				{ grep -v '^time=".*level=warning' "$WORK/err" || true; } | normalise | sed 's/^/  err: /'
				continue
			fi
			eval "set -- $line"
			for i in $(seq 1 $#); do
				[ "${!i}" = IMG ] && set -- "${@:1:i-1}" localhost/ferry-test:latest "${@:i+1}"
			done
			rc=0
			"$T" "$@" </dev/null >"$WORK/out" 2>"$WORK/err" || rc=$?
			echo "\$ $line -> $rc"
			normalise <"$WORK/out" | sed 's/^/  out: /'
			{ grep -v '^time=".*level=warning' "$WORK/err" || true; } | normalise | sed 's/^/  err: /'
		done
}

total=0 same=0 differ=()
for name in $(seq_names); do
	selected "$name" || continue
	total=$((total + 1))
	reset_tool run_ferry
	reset_tool run_podman
	run_sequence run_ferry "$name" >"$WORK/$name.ferry.full"
	run_sequence run_podman "$name" >"$WORK/$name.podman.full"
	# Of standard error, the first words only: the rest is each tool's
	# wording of the cause.
	for t in ferry podman; do
		awk '/^  err: / { print $1, $2, $3, $4; next } 1' "$WORK/$name.$t.full" >"$WORK/$name.$t"
	done
	if [ -n "$keep" ]; then
		mkdir -p "$keep"
		cp "$WORK/$name".* "$keep/"
	fi
	if diff -q "$WORK/$name.podman" "$WORK/$name.ferry" >/dev/null; then
		same=$((same + 1))
		echo "same    $name"
	else
		differ+=("$name")
		echo "DIFFERS $name"
		if [ "$verbose" = 1 ]; then
			diff -u --label podman --label ferry "$WORK/$name.podman" "$WORK/$name.ferry" || true
		fi
	fi
done
echo "$same of $total sequences identical"
[ "$same" = "$total" ]
