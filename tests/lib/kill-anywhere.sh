#!/usr/bin/env bash
# A randomised kill campaign: ferry promises that a state-changing command
# SIGKILLed at any instruction leaves a state the next command settles by
# itself.  The named fault points (FERRY_FAULT, src/lib/util/fault.h) cover
# the places someone thought of; this kills at random instants to find the
# others.
#
# Usage (as root, from anywhere):
#   bash tests/lib/kill-anywhere.sh [-n RUNS] [-c COMMAND-SET] [-s SEED] [-l] [-o REPORT]
#     -n RUNS   kills per command (default 20; checkpoint and restore get
#               twice as many)
#     -c SET    comma-separated command names, or "all" (default); -l lists
#               them
#     -s SEED   seed of bash's RANDOM (default: from the clock; printed, so
#               a failing campaign can be replayed)
#     -o FILE   append a line per failure, and its details, to FILE (default
#               standard error only)
#   FERRY_BIN (default build/ferry of this tree) is the binary under test;
#   the roots go under ${TMPDIR:-/tmp}, the test image is built once into
#   ${FERRY_CACHE:-/tmp/ferry-test-cache}.  A campaign takes about a second
#   per kill; to rebuild meanwhile, run a copy of the binary and of this
#   script (bash reads a script as it runs it), with FERRY_SRC naming the
#   tree (the pull set loads tests/lib/registry.bash from it).
#
# Each command set is measured first by one run that is not killed, which
# must pass the same checks (so a leak of the normal path shows as such,
# not as a crash's); its leftovers are what the killed runs may leave.
#
# For each command and each run, on a fresh temporary --root/--runroot: the
# state the command needs is prepared (the test image, built without
# network as the system tests build it, and containers, volumes, networks);
# the command starts, and the ferry process, only it, is SIGKILLed after a
# random delay between 0 and the command's measured duration (a fifth of
# the runs within its first two milliseconds).  Then:
#   (a) ps -a, images, volume ls and network ls exit 0, and no operation
#       is left recorded;
#   (b) the object is there or not, in a state the command's forward
#       completion accepts (a container checkpointed restores, one created
#       starts, an image there creates a container, ...);
#   (c) undoing everything (rm -f, rmi, volume rm, network rm, and
#       system prune --external for a create's directories without a
#       record, which Podman leaves the same way) works and
#       leaves no mount, no process naming the directory, no runtime
#       container, no cgroup of the root, no bridge of its networks, and no
#       file beyond what the same command set leaves when it is not killed;
#   (d) the directory is torn down as the system tests' teardown does.
# Exit status: 0 when every run passed, 1 otherwise.

set -u

SRC=${FERRY_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
FERRY_BIN=${FERRY_BIN:-$SRC/build/ferry}
RUNS=20
SETS=all
SEED=$(($(date +%s%N) % 32768))
REPORT=
ALL_SETS="run create start stop rmf restart pause unpause commit cp volcreate volrm netcreate netrm
netconnect netdisconnect tag rmi load save import export ckpt ckptexport ckptimage restore
restoreimport restorenetopts restoreimage prune rename clone volimport netreload pull killall stopall
rmall reset volprune update init ctrprune imgprune netprune mount unmount secret
push untag ckptall volcreateopt netupdate"

while getopts 'n:c:s:o:lh' opt; do
	case $opt in
	n) RUNS=$OPTARG ;;
	c) SETS=$OPTARG ;;
	s) SEED=$OPTARG ;;
	o) REPORT=$OPTARG ;;
	l)
		echo $ALL_SETS
		exit 0
		;;
	*)
		sed -n '2,/^# Exit status/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
		exit 2
		;;
	esac
done
[ "$SETS" = all ] && SETS=$(echo $ALL_SETS | tr ' ' ,)
RANDOM=$SEED

CACHE=${FERRY_CACHE:-/tmp/ferry-test-cache}
IMAGE=$CACHE/ferry-test.oci.tar
if [ ! -s "$IMAGE" ]; then
	mkdir -p "$CACHE"
	"$SRC/tests/lib/build-test-image.sh" "$IMAGE.$$" >/dev/null && mv "$IMAGE.$$" "$IMAGE" || exit 2
fi

# Bridges and subnets of this campaign's own (15 characters at most).
NET_TAG=$(($$ % 200 + 20))
BRIDGE0=ka${NET_TAG}n0
BRIDGE1=ka${NET_TAG}n1
BRIDGE_DEFAULT=ka${NET_TAG}d
# The host's end of a container's veth pair, named by --network
# n0:host_interface_name=.
HOST_IFACE=ka${NET_TAG}h

D= ROOT= RUNROOT= FAILED=0 TOTAL_FAILED=0

f() {
	"$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" "$@"
}

q() {
	"$@" >/dev/null 2>&1
}

fail() {
	echo "  FAIL: $*" >&2
	FAILED=1
}

new_dir() {
	D=$(mktemp -d "${TMPDIR:-/tmp}/ferry-ka.XXXXXX")
	ROOT=$D/root
	RUNROOT=$D/run
	cat >"$D/ferry.conf" <<-EOF
		[containers]
		netns = "none"
		[network]
		default_subnet = "10.213.$NET_TAG.0/24"
		default_interface = "$BRIDGE_DEFAULT"
	EOF
	: >"$D/containers.conf"
	export FERRY_CONFIG=$D/ferry.conf CONTAINERS_CONF=$D/containers.conf
	unset CONTAINERS_CONF_OVERRIDE FERRY_FAULT
}

# What the system tests' teardown does (tests/system/helpers.bash).
teardown_dir() {
	local rt id m
	for rt in $(find "$D" -maxdepth 3 -type d -name runtime 2>/dev/null); do
		for id in $(runc --root "$rt" list -q 2>/dev/null); do
			runc --root "$rt" kill -a "$id" KILL 2>/dev/null
			runc --root "$rt" delete -f "$id" 2>/dev/null
		done
	done
	pkill -9 -f -- "$D" 2>/dev/null
	for m in $(awk -v t="$D" '$5 == t || index($5, t "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	rm -rf "$D"
	for m in "$BRIDGE0" "$BRIDGE1" "$BRIDGE_DEFAULT"; do
		ip link del "$m" 2>/dev/null
	done
	return 0
}

db() {
	sqlite3 -cmd '.timeout 10000' "$ROOT/ferry.db" "$1"
}

# The files of both roots, with digests and IDs made alike.
listing() {
	(cd "$D" && find root run -mindepth 1 2>/dev/null) |
		sed -E 's/[0-9a-f]{64}/<H>/g; s/[0-9a-f]{12,63}/<h>/g' | sort -u
}

status_of() {
	f inspect --format '{{.State.Status}}' "$1" 2>/dev/null
}

checkpointed() {
	[ "$(f inspect --format '{{.State.Checkpointed}}' "$1" 2>/dev/null)" = true ]
}

exists_ctr() {
	q f container exists "$1"
}

exists_img() {
	q f image exists "$1"
}

running() {
	[ "$(status_of "$1")" = running ]
}

# Container $1 is running or is in a state from which `start` completes.
ctr_startable() {
	local s
	s=$(status_of "$1")
	case $s in
	running) ;;
	created | initialized | exited | stopped | configured)
		q f start "$1" || fail "$1 in state $s does not start: $(f start "$1" 2>&1)"
		running "$1" || fail "$1 does not run after start"
		;;
	*) fail "$1 in state '$s'" ;;
	esac
}

# run, then rm: not run --rm, whose exit file (runroot/exits) stays when
# conmon's cleanup removes the container first, a leak of the normal path
# that would hide the ones this looks for.
run_once() {
	local out rc
	out=$(f run --name once "$@" 2>&1)
	rc=$?
	f rm -f -t 0 once >/dev/null 2>&1
	printf '%s\n' "$out"
	return $rc
}

counter() {
	f run -d --name "$1" "${@:2}" ferry-test sh -c 'i=0; while true; do echo $i; i=$((i+1)); sleep 0.2; done' >/dev/null
}

load_image() {
	f load -q -i "$IMAGE" >/dev/null
}

# The command sets: prep_X prepares, CMD_X is the command, after_X checks
# (b) and completes the command forward.
prep_run() { load_image; }
CMD_run='run -d --name c ferry-test sleep 1000'
after_run() { ! exists_ctr c || ctr_startable c; }

prep_create() { load_image; }
CMD_create='create --name c ferry-test sleep 1000'
after_create() { ! exists_ctr c || ctr_startable c; }

prep_start() { load_image && f create --name c ferry-test sleep 1000 >/dev/null; }
CMD_start='start c'
after_start() { exists_ctr c || fail "c is gone"; ctr_startable c; }

prep_stop() { load_image && counter c; }
CMD_stop='stop -t 0 c'
after_stop() {
	exists_ctr c || fail "c is gone"
	q f stop -t 0 c || fail "second stop fails: $(f stop -t 0 c 2>&1)"
	ctr_startable c
}

prep_rmf() { load_image && counter c && q f volume create v; }
CMD_rmf='rm -f -t 0 c'
after_rmf() { ! exists_ctr c || q f rm -f -t 0 c || fail "second rm -f -t 0 fails: $(f rm -f -t 0 c 2>&1)"; }

prep_restart() { load_image && counter c; }
CMD_restart='restart -t 0 c'
after_restart() { exists_ctr c || fail "c is gone"; ctr_startable c; }

prep_pause() { load_image && counter c; }
CMD_pause='pause c'
after_pause() {
	local s
	s=$(status_of c)
	case $s in
	paused) q f unpause c || fail "unpause fails: $(f unpause c 2>&1)" ;;
	running) ;;
	*) fail "c in state '$s'" ;;
	esac
	q f pause c || fail "pause fails: $(f pause c 2>&1)"
	q f unpause c || fail "unpause after pause fails"
}

prep_unpause() { load_image && counter c && f pause c >/dev/null; }
CMD_unpause='unpause c'
after_unpause() {
	local s
	s=$(status_of c)
	case $s in
	paused) q f unpause c || fail "unpause fails: $(f unpause c 2>&1)" ;;
	running) ;;
	*) fail "c in state '$s'" ;;
	esac
	running c || fail "c not running"
}

prep_commit() { load_image && counter c && f exec c sh -c 'echo hi >/made' >/dev/null; }
CMD_commit='commit c im2'
after_commit() {
	running c || fail "c not running after commit"
	if exists_img im2; then
		[ "$(run_once im2 cat /made 2>&1)" = hi ] || fail "im2 lacks /made: $(run_once im2 cat /made 2>&1)"
	else
		q f commit c im2 || fail "commit again fails: $(f commit c im2 2>&1)"
	fi
}

prep_cp() {
	load_image && counter c && head -c 4194304 /dev/urandom >"$D/blob" && (cd "$D" && sha256sum blob >blob.sum)
}
CMD_cp='cp BLOB c:/blob'
after_cp() {
	running c || fail "c not running after cp"
	q f cp "$D/blob" c:/blob || fail "cp again fails"
	[ "$(f exec c sha256sum /blob | cut -d' ' -f1)" = "$(cut -d' ' -f1 "$D/blob.sum")" ] || fail "blob differs"
}

prep_volcreate() { load_image; }
CMD_volcreate='volume create v'
after_volcreate() {
	if q f volume exists v; then
		q run_once -v v:/v ferry-test touch /v/x || fail "volume v unusable: $(run_once -v v:/v ferry-test touch /v/x 2>&1)"
	else
		q f volume create v || fail "volume create again fails: $(f volume create v 2>&1)"
	fi
}

# With an owner asked for: a directory whose owner is set before the
# volume is recorded.
prep_volcreateopt() { load_image; }
CMD_volcreateopt='volume create -o o=uid=1234,gid=1234 v'
after_volcreateopt() {
	if q f volume exists v; then
		[ "$(run_once -v v:/v ferry-test stat -c %u:%g /v 2>/dev/null)" = 1234:1234 ] ||
			fail "volume v's owner: $(run_once -v v:/v ferry-test stat -c %u:%g /v 2>&1)"
	else
		q f volume create -o o=uid=1234,gid=1234 v || fail "volume create -o again fails: $(f volume create -o o=uid=1234,gid=1234 v 2>&1)"
	fi
}

prep_volrm() { load_image && f volume create v >/dev/null && run_once -v v:/v ferry-test touch /v/x; }
CMD_volrm='volume rm v'
after_volrm() { ! q f volume exists v || q f volume rm v || fail "volume rm again fails: $(f volume rm v 2>&1)"; }

netcreate() { f network create --subnet "10.214.$NET_TAG.0/24" --interface-name "$BRIDGE1" n1 >/dev/null; }
prep_netcreate() { load_image; }
CMD_netcreate="network create --subnet 10.214.$NET_TAG.0/24 --interface-name $BRIDGE1 n1"
after_netcreate() {
	q f network exists n1 || netcreate || fail "network create again fails"
	q run_once --network n1 ferry-test true || fail "a container on n1 fails: $(run_once --network n1 ferry-test true 2>&1)"
}

prep_netrm() { load_image && netcreate && run_once --network n1 ferry-test true; }
CMD_netrm='network rm n1'
after_netrm() { ! q f network exists n1 || q f network rm n1 || fail "network rm again fails: $(f network rm n1 2>&1)"; }

# A running container on n1, so that aardvark-dns hears of the change.
prep_netupdate() { load_image && netcreate && counter c --network n1; }
CMD_netupdate='network update --dns-add 10.9.9.9 n1'
after_netupdate() {
	q f network update --dns-add 10.9.9.9 n1 || fail "network update again fails: $(f network update --dns-add 10.9.9.9 n1 2>&1)"
	f network inspect --format '{{.NetworkDNSServers}}' n1 2>/dev/null | grep -q 10.9.9.9 ||
		fail "n1's DNS servers: $(f network inspect --format '{{.NetworkDNSServers}}' n1 2>&1)"
	running c || fail "c not running"
}

net0() {
	f network create --subnet "10.215.$NET_TAG.0/24" --interface-name "$BRIDGE0" n0 >/dev/null
}
connected() {
	f inspect --format '{{json .NetworkSettings.Networks}}' c 2>/dev/null | grep -q '"n1"'
}
prep_netconnect() { load_image && net0 && netcreate && counter c --network n0; }
CMD_netconnect='network connect n1 c'
after_netconnect() {
	running c || fail "c not running"
	net1_agrees
	connected || q f network connect n1 c || fail "connect again fails: $(f network connect n1 c 2>&1)"
	f exec c ip -4 addr 2>/dev/null | grep -q "inet 10.214.$NET_TAG." || fail "c has no address on n1"
	q f network disconnect n1 c || fail "disconnect fails: $(f network disconnect n1 c 2>&1)"
}

prep_netdisconnect() { load_image && net0 && netcreate && counter c --network n0 && f network connect n1 c; }
CMD_netdisconnect='network disconnect n1 c'
# What (a) left is whole: c on n1 in the record with its interface, its
# /etc/hosts line and its DNS server, or none of them.
net1_agrees() {
	local ifs hosts resolv
	ifs=$(f exec c ip -4 addr 2>/dev/null | grep -c "inet 10.214.$NET_TAG.")
	hosts=$(f exec c grep -c "^10.214.$NET_TAG." /etc/hosts 2>/dev/null)
	resolv=$(f exec c grep -c "^nameserver 10.214.$NET_TAG.1\$" /etc/resolv.conf 2>/dev/null)
	if connected; then
		[ "$ifs$hosts$resolv" = 111 ] || fail "c on n1 in the record, interface/hosts/resolv.conf lines: $ifs/$hosts/$resolv"
	else
		[ "$ifs$hosts$resolv" = 000 ] || fail "c off n1 in the record, interface/hosts/resolv.conf lines: $ifs/$hosts/$resolv"
	fi
}
after_netdisconnect() {
	running c || fail "c not running"
	net1_agrees
	! connected || q f network disconnect n1 c || fail "disconnect again fails: $(f network disconnect n1 c 2>&1)"
	q f network connect n1 c || fail "connect fails: $(f network connect n1 c 2>&1)"
	f exec c ip -4 addr 2>/dev/null | grep -q "inet 10.214.$NET_TAG." || fail "c has no address on n1 after reconnect"
}

prep_tag() { load_image; }
CMD_tag='tag ferry-test t2'
after_tag() { ! exists_img t2 || q f rmi t2 || fail "rmi t2 fails"; }

prep_rmi() { load_image && f tag ferry-test t2; }
CMD_rmi='rmi ferry-test t2'
after_rmi() {
	if exists_img ferry-test || exists_img t2; then
		q f rmi -f ferry-test t2 || q f rmi -a -f || fail "rmi again fails: $(f rmi -a -f 2>&1)"
	fi
	load_image || fail "load after rmi fails"
	q run_once ferry-test true || fail "run after reload fails"
}

prep_load() { :; }
CMD_load='load -q -i IMAGE'
after_load() {
	exists_img ferry-test || load_image || fail "load again fails"
	q run_once ferry-test cat /etc/ferry-release || fail "run of the loaded image fails: $(run_once ferry-test true 2>&1)"
}

prep_save() { load_image && mkdir "$D/out"; }
CMD_save='save -o OUT/s.tar ferry-test'
after_save() {
	local extra
	extra=$(ls -A "$D/out" | grep -vx s.tar)
	[ -z "$extra" ] || fail "save left $extra beside its output"
	if [ -e "$D/out/s.tar" ]; then
		"$FERRY_BIN" --root "$D/r2" --runroot "$D/r2run" load -q -i "$D/out/s.tar" >/dev/null 2>&1 ||
			fail "the saved archive does not load"
	fi
}

prep_export() { load_image && counter c && mkdir "$D/out"; }
CMD_export='export -o OUT/e.tar c'
after_export() {
	local extra
	extra=$(ls -A "$D/out" | grep -vx e.tar)
	[ -z "$extra" ] || fail "export left $extra beside its output"
	running c || fail "c not running"
}

prep_import() { load_image && counter c && f export -o "$D/e.tar" c && f rm -f -t 0 c >/dev/null; }
CMD_import='import EXPORT imp'
after_import() {
	exists_img imp || q f import "$D/e.tar" imp || fail "import again fails"
	q run_once imp true || fail "run of the imported image fails"
}

# Checkpoint: the container runs on (a second checkpoint works), or is
# checkpointed (and restores).
prep_ckpt() { load_image && counter c -v data:/data; }
# c and its volume gone, as a restore elsewhere would find them.
rm_c() { f rm -f -t 0 c >/dev/null && f volume rm -f -t 0 data >/dev/null; }
CMD_ckpt='container checkpoint c'
after_ckpt() {
	if running c; then
		q f container checkpoint c || fail "second checkpoint fails: $(f container checkpoint c 2>&1)"
	fi
	checkpointed c || fail "c neither runs nor is checkpointed: $(status_of c)"
	q f container restore c || fail "restore fails: $(f container restore c 2>&1)"
	running c || fail "c not running after restore"
}

prep_ckptexport() { prep_ckpt && mkdir "$D/out"; }
CMD_ckptexport='container checkpoint --export OUT/c.tar c'
after_ckptexport() {
	local extra
	extra=$(ls -A "$D/out" | grep -vx c.tar)
	[ -z "$extra" ] || fail "checkpoint left $extra beside its archive"
	if [ -e "$D/out/c.tar" ]; then
		running c || checkpointed c || fail "archive there, c in state $(status_of c)"
	else
		running c || fail "no archive and c in state $(status_of c)"
		q f container checkpoint --export "$D/out/c.tar" c || fail "second checkpoint fails"
	fi
	q rm_c || fail "rm -f c fails"
	q f container restore --import "$D/out/c.tar" || fail "restore --import fails: $(f container restore --import "$D/out/c.tar" 2>&1)"
	running c || fail "c not running after restore --import"
}

prep_ckptimage() { prep_ckpt; }
CMD_ckptimage='container checkpoint --create-image ckimg c'
after_ckptimage() {
	if exists_img ckimg; then
		running c || checkpointed c || fail "image there, c in state $(status_of c)"
	else
		running c || fail "no image and c in state $(status_of c) (checkpointed: $(f inspect --format '{{.State.Checkpointed}}' c 2>&1))"
		q f container checkpoint --create-image ckimg c || fail "second checkpoint fails: $(f container checkpoint --create-image ckimg c 2>&1)"
	fi
	q rm_c || fail "rm -f c fails"
	q f container restore ckimg || fail "restore from the image fails: $(f container restore ckimg 2>&1)"
	running c || fail "c not running after restore from the image"
}

prep_restore() { prep_ckpt && f container checkpoint c >/dev/null; }
CMD_restore='container restore c'
after_restore() {
	running c && return
	checkpointed c || fail "c neither runs nor is checkpointed: $(status_of c)"
	q f container restore c || fail "second restore fails: $(f container restore c 2>&1)"
	running c || fail "c not running after the second restore"
}

prep_restoreimport() { prep_ckpt && f container checkpoint --export "$D/c.tar" c >/dev/null && rm_c; }
CMD_restoreimport='container restore --import CTAR'
after_restoreimport() {
	running c && return
	! exists_ctr c || fail "c left in state $(status_of c)"
	q f container restore --import "$D/c.tar" || fail "second restore fails: $(f container restore --import "$D/c.tar" 2>&1)"
	running c || fail "c not running after the second restore"
}

# A container with its own interface names, a host-side name, a static
# address and an alias on two networks, moved through an archive.
prep_restorenetopts() {
	load_image && net0 && netcreate &&
		counter c --network "n0:ip=10.215.$NET_TAG.50,alias=web,interface_name=wan0,host_interface_name=$HOST_IFACE" \
			--network n1:interface_name=lan0 &&
		f container checkpoint --export "$D/c.tar" c >/dev/null && f rm -f -t 0 c >/dev/null
}
CMD_restorenetopts='container restore --import CTAR --trust-archive'
after_restorenetopts() {
	if ! running c; then
		! exists_ctr c || fail "c left in state $(status_of c)"
		! q ip link show "$HOST_IFACE" || fail "host interface $HOST_IFACE left without c"
		q f container restore --import "$D/c.tar" --trust-archive ||
			fail "second restore fails: $(f container restore --import "$D/c.tar" --trust-archive 2>&1)"
	fi
	running c || fail "c not running after the restore"
	f exec c ip -4 addr show wan0 2>/dev/null | grep -q "inet 10.215.$NET_TAG.50/" || fail "c lost its address on wan0"
	q f exec c ip link show lan0 || fail "c lost lan0"
	ip -o link show "$HOST_IFACE" 2>/dev/null | grep -q "master $BRIDGE0 " || fail "host interface $HOST_IFACE not on $BRIDGE0"
}

prep_restoreimage() { prep_ckpt && f container checkpoint --create-image ckimg c >/dev/null && rm_c; }
CMD_restoreimage='container restore ckimg'
after_restoreimage() {
	running c && return
	! exists_ctr c || fail "c left in state $(status_of c)"
	q f container restore ckimg || fail "second restore fails: $(f container restore ckimg 2>&1)"
	running c || fail "c not running after the second restore"
}

prep_prune() {
	load_image && f create --name dead ferry-test true >/dev/null && f volume create v >/dev/null &&
		netcreate && counter c && f commit c im2 >/dev/null && f rm -f -t 0 c >/dev/null
}
CMD_prune='system prune -a -f --volumes'
after_prune() { q f system prune -a -f --volumes || fail "prune again fails: $(f system prune -a -f --volumes 2>&1)"; }

prep_rename() { load_image && counter c; }
CMD_rename='rename c c2'
after_rename() {
	if exists_ctr c; then
		! exists_ctr c2 || fail "both c and c2 exist"
		q f rename c c2 || fail "rename again fails: $(f rename c c2 2>&1)"
	fi
	exists_ctr c2 || fail "c2 is not there"
	[ "$(f ps -a --format '{{.Names}}' 2>/dev/null)" = c2 ] || fail "ps lists $(f ps -a --format '{{.Names}}' 2>&1)"
	running c2 || fail "c2 not running"
	q f rename c2 c3 || fail "rename c2 c3 fails: $(f rename c2 c3 2>&1)"
	q f stop -t 0 c3 || fail "stop c3 fails"
	ctr_startable c3
}

prep_clone() { load_image && f volume create v >/dev/null && counter c -v v:/v --network none; }
CMD_clone='container clone c c2'
after_clone() {
	running c || fail "c not running"
	exists_ctr c2 || q f container clone c c2 || fail "clone again fails: $(f container clone c c2 2>&1)"
	ctr_startable c2
	[ "$(f exec c2 sh -c 'touch /v/x && echo ok' 2>/dev/null)" = ok ] || fail "c2 lacks volume v"
}

prep_volimport() {
	load_image && f volume create v >/dev/null && mkdir "$D/vol" && head -c 4194304 /dev/urandom >"$D/vol/blob" &&
		(cd "$D/vol" && sha256sum blob >../blob.sum && tar -cf ../v.tar blob)
}
CMD_volimport='volume import v VTAR'
after_volimport() {
	q f volume exists v || fail "volume v is gone"
	q f volume import v "$D/v.tar" || fail "import again fails: $(f volume import v "$D/v.tar" 2>&1)"
	[ "$(run_once -v v:/v ferry-test sha256sum /v/blob 2>/dev/null | cut -d' ' -f1)" = "$(cut -d' ' -f1 "$D/blob.sum")" ] ||
		fail "the volume's blob differs"
}

prep_netreload() { load_image && net0 && counter c --network n0; }
CMD_netreload='network reload c'
after_netreload() {
	running c || fail "c not running"
	f exec c ip -4 addr 2>/dev/null | grep -q "inet 10.215.$NET_TAG." || fail "c has no address on n0"
	q f network reload c || fail "reload again fails: $(f network reload c 2>&1)"
	f exec c ip -4 addr 2>/dev/null | grep -q "inet 10.215.$NET_TAG." || fail "c has no address on n0 after reload"
}

# A registry of the campaign's own (tests/lib/registry.bash) holding the
# test image, started before the sets when pull is among them.
REG_IMAGE=
registry_up() {
	[ -n "$REG_IMAGE" ] && return 0
	setup() { :; }
	teardown() { :; }
	TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ferry-ka-registry.XXXXXX")
	trap '! declare -F registry_stop >/dev/null || registry_stop; rm -rf "$TEST_TMP"' EXIT
	# shellcheck source=tests/lib/registry.bash
	. "$SRC/tests/lib/registry.bash" || return 1
	registry_start >/dev/null || return 1
	REG_IMAGE=$REGISTRY/ka/ferry-test:latest
	new_dir
	load_image && f push -q --tls-verify=false ferry-test "$REG_IMAGE" >/dev/null
	local rc=$?
	undo_all >/dev/null 2>&1
	teardown_dir
	return $rc
}
prep_pull() { :; }
CMD_pull='pull -q --tls-verify=false REGIMAGE'
after_pull() {
	exists_img "$REG_IMAGE" || q f pull -q --tls-verify=false "$REG_IMAGE" || fail "pull again fails: $(f pull -q --tls-verify=false "$REG_IMAGE" 2>&1)"
	q run_once "$REG_IMAGE" cat /etc/ferry-release || fail "run of the pulled image fails: $(run_once "$REG_IMAGE" true 2>&1)"
}

prep_several() { load_image && counter a && counter b && counter c; }
# Each of a, b and c is running or stopped, and starts.
after_several() {
	local n
	for n in a b c; do
		exists_ctr $n || fail "$n is gone"
		ctr_startable $n
	done
}
prep_killall() { prep_several; }
CMD_killall='kill -a'
after_killall() { after_several; }

prep_stopall() { prep_several; }
CMD_stopall='stop -a -t 0'
after_stopall() {
	q f stop -a -t 0 || fail "stop -a again fails: $(f stop -a -t 0 2>&1)"
	after_several
}

prep_rmall() { prep_several && f stop -t 0 b >/dev/null && f create --name d -v v:/v ferry-test true >/dev/null; }
CMD_rmall='rm -a -f -t 0'
after_rmall() {
	q f rm -a -f -t 0 || fail "rm -a again fails: $(f rm -a -f -t 0 2>&1)"
	[ -z "$(f ps -a -q 2>/dev/null)" ] || fail "containers left: $(f ps -a 2>&1)"
	counter a || fail "a new a does not run"
}

prep_reset() {
	load_image && netcreate && f volume create v >/dev/null && counter c --network n1 -v v:/v &&
		f create --name d ferry-test true >/dev/null && f tag ferry-test t2
}
CMD_reset='system reset -f'
after_reset() {
	q f system reset -f || fail "reset again fails: $(f system reset -f 2>&1)"
	[ -z "$(f ps -a -q 2>/dev/null)$(f images -q 2>/dev/null)$(f volume ls -q 2>/dev/null)" ] || fail "reset left objects"
	! q ip link show "$BRIDGE1" || fail "bridge $BRIDGE1 left after reset"
	load_image || fail "load after reset fails"
	netcreate || fail "network create after reset fails"
	q run_once --network n1 -v v:/v ferry-test true || fail "run after reset fails: $(run_once --network n1 -v v:/v ferry-test true 2>&1)"
}

prep_volprune() {
	load_image && f volume create v1 >/dev/null && f volume create v2 >/dev/null &&
		run_once -v v1:/v ferry-test sh -c 'head -c 1048576 /dev/zero >/v/x' >/dev/null && counter c -v v3:/v
}
CMD_volprune='volume prune -f'
after_volprune() {
	q f volume prune -f || fail "prune again fails: $(f volume prune -f 2>&1)"
	[ "$(f volume ls -q 2>/dev/null)" = v3 ] || fail "volumes left: $(f volume ls -q 2>&1 | tr '\n' ' ')"
	running c || fail "c not running"
	[ "$(f exec c sh -c 'touch /v/y && echo ok' 2>/dev/null)" = ok ] || fail "c lost its volume"
}

prep_update() { load_image && counter c; }
CMD_update='update --memory 64m --pids-limit 99 c'
after_update() {
	running c || fail "c not running"
	q f update --memory 64m --pids-limit 99 c || fail "update again fails: $(f update --memory 64m --pids-limit 99 c 2>&1)"
	[ "$(f inspect --format '{{.HostConfig.PidsLimit}}' c 2>/dev/null)" = 99 ] || fail "c's pids limit is $(f inspect --format '{{.HostConfig.PidsLimit}}' c 2>&1)"
	q f restart -t 0 c || fail "restart after update fails: $(f restart -t 0 c 2>&1)"
	[ "$(f inspect --format '{{.HostConfig.PidsLimit}}' c 2>/dev/null)" = 99 ] || fail "c lost its pids limit on restart"
}

prep_init() { load_image && f create --name c ferry-test sleep 1000 >/dev/null; }
CMD_init='init c'
after_init() { exists_ctr c || fail "c is gone"; ctr_startable c; }

prep_ctrprune() {
	load_image && f create --name a ferry-test true >/dev/null && f run --name b ferry-test true >/dev/null &&
		counter c
}
CMD_ctrprune='container prune -f'
after_ctrprune() {
	q f container prune -f || fail "prune again fails: $(f container prune -f 2>&1)"
	[ "$(f ps -a --format '{{.Names}}' 2>/dev/null)" = c ] || fail "containers left: $(f ps -a --format '{{.Names}}' 2>&1 | tr '\n' ' ')"
	running c || fail "c not running"
}

prep_imgprune() { load_image && counter c && f commit c im2 >/dev/null && f tag ferry-test t2 && f rm -f -t 0 c >/dev/null && counter d; }
CMD_imgprune='image prune -a -f'
after_imgprune() {
	q f image prune -a -f || fail "prune again fails: $(f image prune -a -f 2>&1)"
	exists_img ferry-test || fail "the image d uses is gone"
	! exists_img im2 || fail "im2 left"
	running d || fail "d not running"
	q run_once ferry-test true || fail "run of ferry-test fails: $(run_once ferry-test true 2>&1)"
}

prep_netprune() { load_image && net0 && netcreate && counter c --network n0; }
CMD_netprune='network prune -f'
after_netprune() {
	q f network prune -f || fail "prune again fails: $(f network prune -f 2>&1)"
	q f network exists n0 || fail "n0, in use, is gone"
	! q f network exists n1 || fail "n1 left"
	! q ip link show "$BRIDGE1" || fail "bridge $BRIDGE1 left"
	f exec c ip -4 addr 2>/dev/null | grep -q "inet 10.215.$NET_TAG." || fail "c has no address on n0"
	netcreate || fail "network create n1 again fails"
	q run_once --network n1 ferry-test true || fail "a container on n1 fails: $(run_once --network n1 ferry-test true 2>&1)"
}

mounted() { findmnt -rn | grep -q -- "$ROOT/"; }
prep_mount() { load_image && f create --name c ferry-test sleep 1000 >/dev/null; }
CMD_mount='mount c'
after_mount() {
	local dir
	dir=$(f mount c 2>/dev/null) || fail "mount again fails: $(f mount c 2>&1)"
	[ -e "$dir/etc/ferry-release" ] || fail "c's root file system is not at $dir"
	q f unmount -a -f || fail "unmount -a -f fails: $(f unmount -a -f 2>&1)"
	! mounted || fail "c's root file system still mounted after unmount -a -f"
	ctr_startable c
}

prep_unmount() { prep_mount && f mount c >/dev/null; }
CMD_unmount='unmount c'
after_unmount() {
	q f unmount -f c || fail "unmount again fails: $(f unmount -f c 2>&1)"
	! mounted || fail "c's root file system still mounted"
	ctr_startable c
}

prep_secret() { load_image && head -c 100 /dev/urandom | base64 >"$D/secret"; }
CMD_secret='secret create s SECRET'
after_secret() {
	q f secret inspect s || q f secret create s "$D/secret" || fail "secret create again fails: $(f secret create s "$D/secret" 2>&1)"
	[ "$(run_once --secret s ferry-test cat /run/secrets/s 2>/dev/null)" = "$(cat "$D/secret")" ] || fail "the secret reads otherwise"
	q f secret rm s || fail "secret rm fails: $(f secret rm s 2>&1)"
}

prep_push() { load_image; }
CMD_push='push -q --tls-verify=false ferry-test REGPUSHED'
after_push() {
	local pushed=${REG_IMAGE%/*}/pushed:latest
	q f push -q --tls-verify=false ferry-test "$pushed" || fail "push again fails: $(f push -q --tls-verify=false ferry-test "$pushed" 2>&1)"
	"$FERRY_BIN" --root "$D/r2" --runroot "$D/r2run" pull -q --tls-verify=false "$pushed" >/dev/null 2>&1 ||
		fail "the pushed image does not pull"
	"$FERRY_BIN" --root "$D/r2" --runroot "$D/r2run" rmi -a -f >/dev/null 2>&1
}

prep_untag() { load_image && f tag ferry-test t2 && f tag ferry-test t3; }
CMD_untag='untag ferry-test'
after_untag() {
	local id
	id=$(f images -q 2>/dev/null | head -1)
	[ -n "$id" ] || fail "the image is gone"
	q f untag "$id" || fail "untag again fails: $(f untag "$id" 2>&1)"
	[ -z "$(f images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep -v '<none>')" ] || fail "names left: $(f images 2>&1)"
	f tag "$id" ferry-test 2>/dev/null || fail "tag again fails"
	q run_once ferry-test true || fail "run after untag and tag fails"
}

prep_ckptall() { load_image && counter a && counter b -v data:/data; }
CMD_ckptall='container checkpoint -a'
after_ckptall() {
	local n
	for n in a b; do
		if checkpointed $n && ! running $n; then
			q f container restore $n || fail "restore $n fails: $(f container restore $n 2>&1)"
		fi
		running $n || fail "$n in state $(status_of $n)"
	done
}

# (c): removes everything; every step must work.
undo_all() {
	local n
	q f rm -a -f -t 0 || fail "rm -a -f fails: $(f rm -a -f -t 0 2>&1)"
	q f volume rm -a -f -t 0 || fail "volume rm -a fails: $(f volume rm -a -f -t 0 2>&1)"
	for n in $(f network ls --format '{{.Name}}' 2>/dev/null); do
		[ "$n" = podman ] || [ "$n" = ferry ] && continue
		q f network rm -f -t 0 "$n" || fail "network rm $n fails: $(f network rm -f -t 0 "$n" 2>&1)"
	done
	q f rmi -a -f || fail "rmi -a fails: $(f rmi -a -f 2>&1)"
	# A create killed between its directories and its row leaves them as
	# Podman does, for ps --external to list and this to remove.
	q f system prune --external || fail "system prune --external fails: $(f system prune --external 2>&1)"
}

assert_clean() {
	local pid tag cg
	[ -z "$(f ps -a -q 2>/dev/null)" ] || fail "containers left: $(f ps -a -q)"
	[ -z "$(f images -q 2>/dev/null)" ] || fail "images left"
	if findmnt -rn | grep -q -- "$D"; then
		fail "mounts left: $(findmnt -rn | grep -- "$D" | cut -d' ' -f1 | tr '\n' ' ')"
	fi
	if pgrep -f -- "$D" >/dev/null; then
		fail "processes left: $(pgrep -a -f -- "$D" | cut -c1-150 | tr '\n' ';')"
	fi
	for pid in $(pgrep -x criu); do
		if ls -l "/proc/$pid/cwd" "/proc/$pid/fd/" 2>/dev/null | grep -q -- "$D"; then fail "CRIU $pid left"; fi
	done
	if [ -d "$RUNROOT/runtime" ] && [ -n "$(runc --root "$RUNROOT/runtime" list -q 2>/dev/null)" ]; then
		fail "runtime containers left: $(runc --root "$RUNROOT/runtime" list -q)"
	fi
	tag=$(printf '%s' "$(realpath "$ROOT")" | sha256sum | cut -c1-8)
	for cg in /sys/fs/cgroup/*/ferry/"$tag"-* /sys/fs/cgroup/ferry/"$tag"-*; do
		[ -e "$cg" ] && fail "cgroup left: $cg"
	done
	for cg in "$BRIDGE0" "$BRIDGE1"; do
		q ip link show "$cg" && fail "bridge $cg left"
	done
	q ip link show "$HOST_IFACE" && fail "host interface $HOST_IFACE left"
	if [ -f "$ROOT/ferry.db" ] && [ "$(db 'SELECT count(*) FROM operations')" != 0 ]; then
		fail "operations left: $(db 'SELECT * FROM operations')"
	fi
}

# The command of set $1 as an argv in CMD, its placeholders filled in.
command_of() {
	local var=CMD_$1 w
	CMD=()
	for w in ${!var}; do
		case $w in
		IMAGE) w=$IMAGE ;;
		BLOB) w=$D/blob ;;
		OUT/*) w=$D/out/${w#OUT/} ;;
		EXPORT) w=$D/e.tar ;;
		CTAR) w=$D/c.tar ;;
		VTAR) w=$D/v.tar ;;
		SECRET) w=$D/secret ;;
		REGIMAGE) w=$REG_IMAGE ;;
		REGPUSHED) w=${REG_IMAGE%/*}/pushed:latest ;;
		esac
		CMD+=("$w")
	done
}

now_us() {
	echo $(($(date +%s%N) / 1000))
}

# Runs set $1 once unkilled: its duration (µs) in DURATION, and the files
# an undone run leaves in ALLOWED.
measure() {
	local set=$1 t0 out
	new_dir
	"prep_$set" >/dev/null 2>&1 || { echo "prep of $set fails" >&2; teardown_dir; return 1; }
	command_of "$set"
	t0=$(now_us)
	out=$(f "${CMD[@]}" 2>&1) || { echo "$set fails unkilled: $out" >&2; teardown_dir; return 1; }
	DURATION=$(($(now_us) - t0))
	FAILED=0
	"after_$set" 2>&1
	undo_all
	assert_clean
	ALLOWED=$(listing)
	[ "$FAILED" = 0 ] || { teardown_dir; return 1; }
	teardown_dir
	# And the same without the command.
	new_dir
	"prep_$set" >/dev/null 2>&1
	"after_$set" >/dev/null 2>&1
	undo_all
	ALLOWED=$(printf '%s\n%s\n' "$ALLOWED" "$(listing)" | sort -u)
	teardown_dir
}

# Sleeps $1 µs: a busy loop below 2 ms, where sleep(1) costs more than
# the delay.
delay() {
	local i
	if [ "$1" -lt 2000 ]; then
		for ((i = 0; i < $1 / 4; i++)); do :; done
	else
		sleep "$(printf '%d.%06d' $(($1 / 1000000)) $(($1 % 1000000)))"
	fi
}

one_run() {
	local set=$1 n=$2 us pid rc c stray
	new_dir
	FAILED=0
	if ! "prep_$set" >"$D/prep.log" 2>&1; then
		echo "  $set #$n: prep fails: $(cat "$D/prep.log")" >&2
		teardown_dir
		return 0
	fi
	command_of "$set"
	if ((RANDOM % 5 == 0)); then
		us=$(((RANDOM * 32768 + RANDOM) % 2000))
	else
		us=$(((RANDOM * 32768 + RANDOM) % (DURATION * 11 / 10 + 1)))
	fi
	"$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" "${CMD[@]}" >"$D/cmd.log" 2>&1 &
	pid=$!
	delay "$us"
	kill -9 "$pid" 2>/dev/null
	{ wait "$pid"; } 2>/dev/null
	rc=$?
	# (a)
	for c in "ps -a" images "volume ls" "network ls"; do
		# shellcheck disable=SC2086
		q f $c || fail "after the kill, $c fails: $(f $c 2>&1 | head -3)"
	done
	if [ -f "$ROOT/ferry.db" ]; then
		# conmon's cleanup of a container the kill left may still settle it.
		for c in $(seq 50); do
			[ "$(db 'SELECT count(*) FROM operations')" = 0 ] && break
			sleep 0.1
		done
		[ "$(db 'SELECT count(*) FROM operations')" = 0 ] || fail "operation still recorded: $(db 'SELECT * FROM operations')"
	fi
	# (b)
	"after_$set" >>"$D/after.log"
	# (c)
	undo_all
	assert_clean
	stray=$(comm -13 <(echo "$ALLOWED") <(listing))
	[ -z "$stray" ] && stray=
	[ -z "$stray" ] || fail "stray files: $(echo $stray | cut -c1-400)"
	if [ "$FAILED" = 1 ]; then
		TOTAL_FAILED=$((TOTAL_FAILED + 1))
		local line="FAIL $set run $n: killed after ${us}us (status $rc, measured ${DURATION}us, seed $SEED)"
		echo "$line" >&2
		if [ -n "$REPORT" ]; then
			{
				echo "$line"
				echo "  command: ${CMD[*]}"
				sed 's/^/  out: /' "$D/cmd.log" 2>/dev/null | head -5
			} >>"$REPORT"
		fi
	fi
	# (d)
	teardown_dir
}

case ",$SETS," in
*,pull,* | *,push,*) registry_up || { echo "cannot start a registry for the pull set" >&2; exit 2; } ;;
esac
for set in ${SETS//,/ }; do
	declare -F "prep_$set" >/dev/null || { echo "no command set $set (-l lists them)" >&2; exit 2; }
	if ! measure "$set"; then
		echo "FAIL $set: the unkilled run does not pass" >&2
		TOTAL_FAILED=$((TOTAL_FAILED + 1))
		continue
	fi
	runs=$RUNS
	case $set in ckpt* | restore*) runs=$((RUNS * 2)) ;; esac
	before=$TOTAL_FAILED
	for n in $(seq "$runs"); do
		one_run "$set" "$n"
	done
	echo "$set: $runs kills over ${DURATION}us, $((TOTAL_FAILED - before)) failed (seed $SEED)"
done
[ "$TOTAL_FAILED" = 0 ]
