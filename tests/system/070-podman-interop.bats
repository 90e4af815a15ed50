#!/usr/bin/env bats
# Checkpoints that cross between Podman and ferry.  Needs Podman
# (scripts/install-deps.sh --with-podman); skipped where it is absent.

load helpers
load podman-helpers
load ../lib/registry

teardown() {
	registry_stop
	podman_teardown
	ferry_teardown
}

# $TEST_TMP/pc.tar.zst: Podman's export of a counter that changed its root
# file system, wrote to a named volume and to /dev/shm.
podman_checkpoint() {
	mkdir -p "$TEST_TMP/ptmp"
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t volume create pvol >/dev/null
	podman_t run -d --name pc --network none -v pvol:/data localhost/ferry-test:latest \
		sh -c "echo vol > /data/v; echo changed > /etc/motd2; echo shm > /dev/shm/s; $COUNTER" >/dev/null
	wait_until '[ "$(podman_t logs pc 2>/dev/null | wc -l)" -ge 3 ]'
	podman_t container checkpoint --export "$TEST_TMP/pc.tar.zst" pc >/dev/null
}

@test "Podman's archive restores in ferry, said to be unverified: the counter carries on with its rootfs change, volume and /dev/shm; --name makes a copy" {
	need_podman
	podman_checkpoint
	load_test_image
	run_ferry container restore --import "$TEST_TMP/pc.tar.zst"
	assert_status 0
	assert_output_contains "Warning: $TEST_TMP/pc.tar.zst was written by Podman or CRI-O: it carries no digests"
	id=$(podman_t inspect --format '{{.Id}}' pc)
	grep -qx "$id" <<<"$output"
	[ "$(ctr_status pc)" = running ]
	n=$(last_count pc)
	wait_until "[ \"\$(last_count pc)\" -ge $((n + 3)) ]"
	# Podman's lines and then ferry's, one unbroken count.
	assert_counts_on pc
	[ "$(f exec pc cat /data/v /etc/motd2 /dev/shm/s)" = "vol
changed
shm" ]
	[ "$(f volume ls -q)" = pvol ]
	[ "$(f exec pc stat -c %a /)" = 555 ]
	# A copy: a name and ID of its own, its own count carrying on.
	run_ferry container restore --import "$TEST_TMP/pc.tar.zst" --name pc2 --ignore-volumes
	assert_status 0
	[ "$(ctr_status pc2)" = running ]
	[ "$(f inspect --format '{{.Id}}' pc2)" != "$id" ]
	n=$(last_count pc2)
	wait_until "[ \"\$(last_count pc2)\" -ge $((n + 2)) ]"
	[ "$(ctr_status pc)" = running ]
	# From then on it is ferry's: its own archive takes it to another root.
	f container checkpoint --export "$TEST_TMP/again.tar.zst" pc >/dev/null
	fb load -q -i "$(ferry_test_image)"
	run_fb container restore --import "$TEST_TMP/again.tar.zst"
	assert_status 0
	[[ "$output" != *Warning* ]]
	n=$(last_count pc fb)
	wait_until "[ \"\$(last_count pc fb)\" -ge $((n + 2)) ]"
	[ "$(fb exec pc cat /data/v /etc/motd2)" = "vol
changed" ]
}

@test "ferry's archive restores in Podman: the counter carries on with its rootfs change, named volume and /dev/shm" {
	need_podman
	mkdir -p "$TEST_TMP/ptmp"
	# Podman binds a volume from the path spec.dump names: this Podman's.
	printf '[checkpoint]\npodman_volume_path = "%s"\n' "$TEST_TMP/proot/volumes" >>"$FERRY_CONFIG"
	load_test_image
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	f run -d --name fc --network none -v fvol:/data ferry-test \
		sh -c "echo vol > /data/v; echo changed > /etc/motd2; echo shm > /dev/shm/s; $COUNTER" >/dev/null
	wait_until '[ "$(f logs fc | wc -l)" -ge 3 ]'
	f container checkpoint --export "$TEST_TMP/fc.tar.zst" fc >/dev/null
	# Nothing of ferry's is left for Podman to use.
	f rm fc >/dev/null
	f volume rm fvol >/dev/null
	run podman_t container restore --import "$TEST_TMP/fc.tar.zst"
	assert_status 0
	[ "$(podman_t inspect --format '{{.State.Status}}' fc)" = running ]
	n=$(podman_t logs fc | tail -n1)
	wait_until "[ \"\$(podman_t logs fc | tail -n1)\" -ge $((n + 3)) ]"
	# ferry's lines, then Podman's: one unbroken count from 0.
	podman_t logs fc | awk '$0 != NR - 1 { exit 1 }'
	[ "$(podman_t exec fc cat /data/v /etc/motd2 /dev/shm/s)" = "vol
changed
shm" ]
	[ "$(podman_t volume ls -q)" = fvol ]
}

@test "bad Podman archives: the image missing, a path-traversal entry, a ferry archive without its manifest; nothing is created" {
	need_podman
	podman_checkpoint
	# Root B lacks the image.
	run_fb container restore --import "$TEST_TMP/pc.tar.zst"
	assert_status 125
	assert_one_line_error
	assert_output_contains "needs image localhost/ferry-test:latest"
	assert_output_contains "not on this host"
	assert_host_b_untouched
	[ -z "$(fb volume ls -q)" ]
	fb load -q -i "$(ferry_test_image)"
	# An entry that climbs out of the staging directory.
	zstd -q -d -c "$TEST_TMP/pc.tar.zst" >"$TEST_TMP/pc.tar"
	rewrite_archive "$TEST_TMP/pc.tar" "$TEST_TMP/climb.tar" "
m = tarfile.TarInfo('../escaped'); members.insert(1, (m, b'x'))
" keep-manifest
	run_fb container restore --import "$TEST_TMP/climb.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "unsafe entry \`../escaped\`"
	assert_host_b_untouched
	[ -z "$(fb volume ls -q)" ]
	! find "$TEST_TMP" -name escaped | grep -q . || false
	# A ferry archive whose manifest is gone is not taken for Podman's.
	load_test_image
	f run -d --name fc ferry-test sh -c "$COUNTER" >/dev/null
	f container checkpoint -c none -e "$TEST_TMP/fc.tar" fc >/dev/null
	rewrite_archive "$TEST_TMP/fc.tar" "$TEST_TMP/bare.tar" "
members = [(m, d) for m, d in members if m.name != 'manifest.json']
" keep-manifest
	run_fb container restore --import "$TEST_TMP/bare.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "has no manifest.json"
	assert_host_b_untouched
}

@test "a Kubernetes checkpoint archive in CRI-O's layout restores in ferry, labelled with its pod" {
	need_podman
	# CRI-O's layout (its config.dump, its annotations in spec.dump, the log
	# under io.kubernetes.cri-o.LogPath, bind.mounts, dump.log; no volumes,
	# /dev/shm or network.status; an uncompressed tar), around the CRIU
	# images of a Podman checkpoint: CRI-O itself does not run here.
	mkdir -p "$TEST_TMP/ptmp"
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t run -d --name kc --network none localhost/ferry-test:latest \
		sh -c "echo changed > /etc/motd2; $COUNTER" >/dev/null
	wait_until '[ "$(podman_t logs kc 2>/dev/null | wc -l)" -ge 3 ]'
	podman_t container checkpoint --export "$TEST_TMP/kc.tar" --compress none kc >/dev/null
	python3 - "$TEST_TMP/kc.tar" "$TEST_TMP/crio.tar" <<'PY'
import io, json, sys, tarfile
src, dst = sys.argv[1], sys.argv[2]
uid = "5b4f2a3c-9d1e-4c7b-8a6f-2e0d1c3b4a59"
log = "/var/log/pods/default_mypod_" + uid + "/counter/0.log"
out = []
with tarfile.open(src) as t:
    for m in t.getmembers():
        data = t.extractfile(m).read() if m.isfile() else b""
        top = m.name.split("/")[0]
        if top in ("artifacts", "volumes", "network.status", "devshm-checkpoint.tar"):
            continue
        if m.name == "config.dump":
            c = json.loads(data)
            data = json.dumps({
                "id": c["id"], "name": "k8s_counter_mypod_default_" + uid + "_0",
                "rootfsImage": "localhost/ferry-test:latest", "rootfsImageRef": c["rootfsImageID"],
                "rootfsImageName": "localhost/ferry-test:latest", "runtime": "runc",
                "createdTime": c["createdTime"], "checkpointedTime": c["createdTime"],
                "restoredTime": "0001-01-01T00:00:00Z", "restored": False}, indent=2).encode()
        elif m.name == "spec.dump":
            s = json.loads(data)
            s["annotations"] = {
                "io.container.manager": "cri-o",
                "io.kubernetes.cri-o.Metadata": json.dumps({"name": "counter", "attempt": 0}),
                "io.kubernetes.cri-o.LogPath": log,
                "io.kubernetes.container.name": "counter",
                "io.kubernetes.pod.name": "mypod",
                "io.kubernetes.pod.namespace": "default",
                "io.kubernetes.pod.uid": uid}
            data = json.dumps(s).encode()
        elif m.name == "ctr.log":
            m.name = "io.kubernetes.cri-o.LogPath"
        out.append((m, data))
binds = [{"source": "/var/lib/kubelet/pods/" + uid + "/etc-hosts", "destination": "/etc/hosts",
          "file_type": "file", "permissions": 420}]
for name, data in (("bind.mounts", json.dumps(binds, indent=2).encode()), ("dump.log", b"(00.000000) dump\n")):
    m = tarfile.TarInfo(name); out.append((m, data))
with tarfile.open(dst, "w") as t:
    for m, data in out:
        m.size = len(data)
        t.addfile(m, io.BytesIO(data) if m.isfile() else None)
PY
	fb load -q -i "$(ferry_test_image)"
	run_fb container restore --import "$TEST_TMP/crio.tar"
	assert_status 0
	assert_output_contains "was written by Podman or CRI-O"
	name=k8s_counter_mypod_default_5b4f2a3c-9d1e-4c7b-8a6f-2e0d1c3b4a59_0
	[ "$(fb inspect --format '{{.State.Status}}' "$name")" = running ]
	[ "$(fb inspect --format '{{index .Config.Labels "io.kubernetes.pod.name"}}/{{index .Config.Labels "io.kubernetes.pod.namespace"}}/{{index .Config.Labels "io.kubernetes.container.name"}}' "$name")" = mypod/default/counter ]
	n=$(last_count "$name" fb)
	wait_until "[ \"\$(last_count $name fb)\" -ge $((n + 2)) ]"
	[ "$(fb exec "$name" cat /etc/motd2)" = changed ]
	# Its log came along: the lines Podman's container printed are there.
	[ "$(fb logs "$name" | head -1)" = 0 ]
}

@test "checkpoint images cross both ways through a registry: Podman's restores in ferry, ferry's in Podman" {
	need_podman
	registry_start
	mkdir -p "$TEST_TMP/ptmp"
	load_test_image
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	# Podman's to ferry.
	podman_t run -d --name pc --network none localhost/ferry-test:latest \
		sh -c "echo podman > /etc/motd2; $COUNTER" >/dev/null
	wait_until '[ "$(podman_t logs pc 2>/dev/null | wc -l)" -ge 3 ]'
	podman_t container checkpoint --create-image pc-ckpt pc >/dev/null
	podman_t push -q --tls-verify=false pc-ckpt "$REGISTRY/ckpt/pc:v1"
	f pull -q --tls-verify=false "$REGISTRY/ckpt/pc:v1" >/dev/null
	run_ferry container restore "$REGISTRY/ckpt/pc:v1"
	assert_status 0
	assert_output_contains "Warning: $REGISTRY/ckpt/pc:v1 was written by Podman or CRI-O"
	[ "$(ctr_status pc)" = running ]
	n=$(last_count pc)
	wait_until "[ \"\$(last_count pc)\" -ge $((n + 2)) ]"
	[ "$(f exec pc cat /etc/motd2)" = podman ]
	# ferry's to Podman.
	f run -d --name fc ferry-test sh -c "echo ferry > /etc/motd2; $COUNTER" >/dev/null
	wait_until '[ "$(f logs fc | wc -l)" -ge 3 ]'
	f container checkpoint --create-image fc-ckpt fc >/dev/null
	f push -q --tls-verify=false fc-ckpt "$REGISTRY/ckpt/fc:v1"
	podman_t pull -q --tls-verify=false "$REGISTRY/ckpt/fc:v1" >/dev/null
	run podman_t container restore "$REGISTRY/ckpt/fc:v1"
	assert_status 0
	[ "$(podman_t inspect --format '{{.State.Status}}' fc)" = running ]
	n=$(podman_t logs fc | tail -n1)
	wait_until "[ \"\$(podman_t logs fc | tail -n1)\" -ge $((n + 2)) ]"
	[ "$(podman_t exec fc cat /etc/motd2)" = ferry ]
}

@test "bridge networks both ways: the container keeps its IP and MAC address and carries on" {
	need_podman
	mkdir -p "$TEST_TMP/ptmp" "$TEST_TMP/pnet"
	# A bridge and subnet of this test's own, the same network in both.
	N=$(net_number)
	load_test_image
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	f network create --subnet "10.203.$N.0/24" --interface-name "fty$N" bnet >/dev/null
	podman_t network create --subnet "10.203.$N.0/24" --interface-name "fty$N" bnet >/dev/null
	# ferry's to Podman.
	f run -d --name fc --network bnet --ip "10.203.$N.7" ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs fc | wc -l)" -ge 3 ]'
	mac=$(f inspect --format '{{.NetworkSettings.Networks.bnet.MacAddress}}' fc)
	f container checkpoint --export "$TEST_TMP/fc.tar.zst" fc >/dev/null
	f rm fc >/dev/null
	run podman_t container restore --import "$TEST_TMP/fc.tar.zst"
	assert_status 0
	[ "$(podman_t inspect --format '{{(index .NetworkSettings.Networks "bnet").IPAddress}} {{(index .NetworkSettings.Networks "bnet").MacAddress}}' fc)" = "10.203.$N.7 $mac" ]
	podman_t exec fc ip addr show eth0 | grep -q "inet 10.203.$N.7/24"
	podman_t exec fc ip addr show eth0 | grep -q "link/ether $mac"
	n=$(podman_t logs fc | tail -n1)
	wait_until "[ \"\$(podman_t logs fc | tail -n1)\" -ge $((n + 2)) ]"
	podman_t rm -f -t 0 fc >/dev/null
	# Podman's to ferry.
	podman_t run -d --name pc --network bnet --ip "10.203.$N.8" localhost/ferry-test:latest sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(podman_t logs pc 2>/dev/null | wc -l)" -ge 3 ]'
	mac=$(podman_t inspect --format '{{(index .NetworkSettings.Networks "bnet").MacAddress}}' pc)
	podman_t container checkpoint --export "$TEST_TMP/pc.tar.zst" pc >/dev/null
	podman_t rm -f -t 0 pc >/dev/null
	run_ferry container restore --import "$TEST_TMP/pc.tar.zst"
	assert_status 0
	[ "$(f inspect --format '{{.NetworkSettings.Networks.bnet.IPAddress}} {{.NetworkSettings.Networks.bnet.MacAddress}}' pc)" = "10.203.$N.8 $mac" ]
	f exec pc ip addr show eth0 | grep -q "inet 10.203.$N.8/24"
	f exec pc ip addr show eth0 | grep -q "link/ether $mac"
	n=$(last_count pc)
	wait_until "[ \"\$(last_count pc)\" -ge $((n + 2)) ]"
	f rm -f -t 0 pc >/dev/null
}
