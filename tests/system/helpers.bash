# Shared set-up for ferry's system tests.  Every test gets its own --root and
# --runroot under a fresh temporary directory, and teardown removes whatever
# the test left (mounts, processes, files) even when the test failed, so one
# failure never poisons the next test.

FERRY_SRC=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
FERRY_BIN=${FERRY_BIN:-$FERRY_SRC/build/ferry}
# The test image is built once per run and shared read-only by every test.
FERRY_CACHE=${FERRY_CACHE:-${BATS_RUN_TMPDIR:-/tmp}/ferry-test-cache}

ferry_test_image() {
	local out="$FERRY_CACHE/ferry-test.oci.tar"
	if [ ! -s "$out" ]; then
		mkdir -p "$FERRY_CACHE"
		"$FERRY_SRC/tests/lib/build-test-image.sh" "$out.$$" >/dev/null
		mv "$out.$$" "$out"
	fi
	echo "$out"
}

ferry_test_docker_image() {
	local out="$FERRY_CACHE/ferry-test.docker.tar"
	if [ ! -s "$out" ]; then
		mkdir -p "$FERRY_CACHE"
		"$FERRY_SRC/tests/lib/build-test-image.sh" --docker-archive "$out.$$" >/dev/null
		mv "$out.$$" "$out"
	fi
	echo "$out"
}

# A number of this test's own, 20 to 219, from its temporary directory: the
# tests build their bridge names and subnets from it, so that no two share
# them (scripts/test.sh's leftovers check knows the names).
net_number() {
	echo $(($(printf '%s' "$TEST_TMP" | cksum | cut -d' ' -f1) % 200 + 20))
}

setup() {
	TEST_TMP=$(mktemp -d "${BATS_TMPDIR:-/tmp}/ferry-test.XXXXXX")
	ROOT=$TEST_TMP/root
	RUNROOT=$TEST_TMP/run
	# A ferry.conf of the test's own.  Containers get no network unless the
	# test asks for one (a bridge per container would cost every test time
	# and firewall rules for nothing it checks); when it asks for the
	# default network, that is on a bridge and subnet of the test's own.
	FERRY_CONFIG=$TEST_TMP/ferry.conf
	DEFAULT_BRIDGE=ftn$(net_number)
	DEFAULT_SUBNET=10.205.$(net_number).0/24
	cat >"$FERRY_CONFIG" <<-EOF
		[containers]
		netns = "none"
		[network]
		default_subnet = "$DEFAULT_SUBNET"
		default_interface = "$DEFAULT_BRIDGE"
	EOF
	# ferry reads Podman's containers.conf too: an empty one of the test's
	# own, so that the host's /etc/containers cannot change what a test
	# sees (Podman, run by the tests that compare, reads the same).
	CONTAINERS_CONF=$TEST_TMP/containers.conf
	: >"$CONTAINERS_CONF"
	unset CONTAINERS_CONF_OVERRIDE
	export ROOT RUNROOT TEST_TMP FERRY_CONFIG DEFAULT_BRIDGE DEFAULT_SUBNET CONTAINERS_CONF
}

# Kills what the test started (containers through the runtime, conmon and any
# other process whose command line names the test's directory), unmounts
# everything below TEST_TMP (deepest first) and removes it.
teardown() {
	ferry_teardown
}

ferry_teardown() {
	[ -n "${TEST_TMP:-}" ] && [ -d "$TEST_TMP" ] || return 0
	local m id rt
	# Every runroot the test used (run, runB, ...): a container restored on
	# a second root is that root's runtime's to kill, and its processes name
	# no test directory for pkill to find.
	for rt in $(find "$TEST_TMP" -maxdepth 3 -type d -name runtime 2>/dev/null); do
		for id in $(runc --root "$rt" list -q 2>/dev/null); do
			runc --root "$rt" kill -a "$id" KILL 2>/dev/null || true
			runc --root "$rt" delete -f "$id" 2>/dev/null || true
		done
	done
	kill_strays
	pkill -9 -f -- "$TEST_TMP" 2>/dev/null || true
	for m in $(awk -v t="$TEST_TMP" '$5 == t || index($5, t "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf "$TEST_TMP"
	# The default network's bridge, which netavark takes down with the last
	# container but a killed test may have left.
	if [ -n "${DEFAULT_BRIDGE:-}" ]; then ip link del "$DEFAULT_BRIDGE" 2>/dev/null || true; fi
}

# Processes left in the container cgroups of the test's roots (each root's
# cgroups are /ferry/<root tag>-<id>) once the runtime killed the containers
# its state names: a container no runtime state names any more.  Killed
# (thawed first if frozen), their empty cgroups removed, and each told in
# the file FERRY_TEST_STRAYS when set (the test shard reports them).
kill_strays() {
	local db tag cg pid
	for db in $(find "$TEST_TMP" -maxdepth 3 -name ferry.db 2>/dev/null); do
		tag=$(printf '%s' "$(realpath "${db%/ferry.db}")" | sha256sum | cut -c1-8)
		for cg in /sys/fs/cgroup/pids/ferry/"$tag"-*; do
			[ -d "$cg" ] || continue
			for pid in $(cat "$cg/cgroup.procs" 2>/dev/null); do
				if [ -n "${FERRY_TEST_STRAYS:-}" ]; then
					printf '%s: container cgroup %s [%s %s %s]\n' "$BATS_TEST_DESCRIPTION" "${cg##*/}" "$pid" \
						"$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" \
						"$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-60)" >>"$FERRY_TEST_STRAYS"
				fi
				kill -9 "$pid" 2>/dev/null || true
			done
			echo THAWED >"/sys/fs/cgroup/freezer/ferry/${cg##*/}/freezer.state" 2>/dev/null || true
			rmdir /sys/fs/cgroup/*/ferry/"${cg##*/}" 2>/dev/null || true
		done
	done
}

# The cgroup directory of container $2 of root $1 (default: the test's) in
# controller $3 (default freezer): /ferry/<root tag>-<id> for every root
# but the default one (engine/lifecycle.c).
ctr_cgroup_dir() {
	local root tag
	root=$(realpath "${1:-$ROOT}")
	tag=$(printf '%s' "$root" | sha256sum | cut -c1-8)
	echo "/sys/fs/cgroup/${3:-freezer}/ferry/$tag-$2"
}

# The file $2 of container $1's cgroup in controller $3, on root $4
# (default: the test's).
cg() {
	cat "$(ctr_cgroup_dir "${4:-$ROOT}" "$1" "$3")/$2"
}

need_cgroup_v1() {
	[ -d /sys/fs/cgroup/cpu ] && [ -d /sys/fs/cgroup/memory ] || skip "needs the cgroups v1 hierarchy"
}

# A block device of this host for the throttle flags, or nothing.
block_device() {
	local d
	for d in /dev/vda /dev/sda /dev/nvme0n1 /dev/xvda /dev/loop0; do
		if [ -b "$d" ]; then
			echo "$d"
			return
		fi
	done
}

freezer_state_file() {
	echo "$(ctr_cgroup_dir "$1" "$2")/freezer.state"
}

# Builds tests/lib/locker.c (a static flock holder) into $TEST_TMP/locker.
build_locker() {
	gcc -static -O2 -o "$TEST_TMP/locker" "$FERRY_SRC/tests/lib/locker.c"
}

# ferry with this test's roots.
f() {
	"$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" "$@"
}

# Runs ferry with this test's roots, capturing status and output (bats' run).
run_ferry() {
	run "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" "$@"
}

# Asserts the last `run` exited with $1.
assert_status() {
	if [ "$status" -ne "$1" ]; then
		echo "expected exit status $1, got $status; output:" >&2
		echo "$output" >&2
		return 1
	fi
}

# Asserts the last output contains $1.
assert_output_contains() {
	if [[ "$output" != *"$1"* ]]; then
		echo "expected output to contain: $1" >&2
		echo "got: $output" >&2
		return 1
	fi
}

# Asserts a failure was reported as one line starting with "Error: ".
assert_one_line_error() {
	local lines
	# Podman's usage errors end with a pointer to the help, which is not a
	# second line of error.
	lines=$(printf '%s\n' "$output" | grep -v "^See 'ferry .*--help'\$" |
		grep -v "^Try 'ferry .*--help' for more information\$" | grep -c .)
	if [ "$lines" -ne 1 ] || [[ "$output" != "Error: "* ]]; then
		echo "expected a one-line 'Error: ...' message, got:" >&2
		echo "$output" >&2
		return 1
	fi
}

# Asserts the root holds no image, no layer, no blob and no work in progress.
assert_store_empty() {
	local n
	if [ -d "$ROOT/storage/layers" ]; then
		n=$(find "$ROOT/storage/layers" -mindepth 1 -maxdepth 1 | wc -l)
		[ "$n" -eq 0 ] || { echo "layers left behind: $(ls "$ROOT/storage/layers")" >&2; return 1; }
	fi
	if [ -d "$ROOT/storage/blobs" ]; then
		n=$(find "$ROOT/storage/blobs" -mindepth 1 -maxdepth 1 | wc -l)
		[ "$n" -eq 0 ] || { echo "blobs left behind: $(ls "$ROOT/storage/blobs")" >&2; return 1; }
	fi
	if [ -d "$ROOT/storage/tmp" ]; then
		n=$(find "$ROOT/storage/tmp" -mindepth 1 -maxdepth 1 | wc -l)
		[ "$n" -eq 0 ] || { echo "temporary files left behind: $(ls "$ROOT/storage/tmp")" >&2; return 1; }
	fi
	if [ -f "$ROOT/ferry.db" ]; then
		n=$(sqlite3 "$ROOT/ferry.db" "SELECT (SELECT COUNT(*) FROM images) + (SELECT COUNT(*) FROM layers) + (SELECT COUNT(*) FROM image_names) + (SELECT COUNT(*) FROM layer_blobs) + (SELECT COUNT(*) FROM blob_locations)")
		[ "$n" -eq 0 ] || { echo "rows left behind in ferry.db" >&2; return 1; }
	fi
}

# Unpacks an OCI archive into directory $2 for a test to tamper with.
oci_unpack() {
	mkdir -p "$2"
	tar -xf "$1" -C "$2"
}

# Packs directory $1 back into OCI archive $2.
oci_pack() {
	tar -cf "$2" -C "$1" .
}

# Stores file $2 as a blob of layout $1 and prints its digest.
oci_add_blob() {
	local hex
	hex=$(sha256sum "$2" | cut -d' ' -f1)
	cp "$2" "$1/blobs/sha256/$hex"
	echo "sha256:$hex"
}

# The digest of the (first) manifest in layout $1.
oci_manifest_digest() {
	jq -r '.manifests[0].digest' "$1/index.json"
}

oci_blob_path() {
	echo "$1/blobs/sha256/${2#sha256:}"
}

# Rewrites the manifest of layout $1 with jq filter $2 and points index.json at it.
oci_edit_manifest() {
	local layout=$1 filter=$2 old new tmp
	old=$(oci_manifest_digest "$layout")
	tmp=$(mktemp)
	jq -c "$filter" "$(oci_blob_path "$layout" "$old")" >"$tmp"
	new=$(oci_add_blob "$layout" "$tmp")
	jq -c --arg d "$new" --argjson s "$(stat -c %s "$tmp")" '.manifests[0].digest = $d | .manifests[0].size = $s' \
		"$layout/index.json" >"$tmp.index"
	mv "$tmp.index" "$layout/index.json"
	rm -f "$tmp" "$(oci_blob_path "$layout" "$old")"
}

# Writes an OCI archive of the test image for architecture $1 named $2 to
# $3: only its config's architecture (so its ID and manifest digest)
# differ.
make_arch_image() {
	local arch=$1 name=$2 out=$3 dir cfg mf newcfg
	dir=$TEST_TMP/arch-$arch
	oci_unpack "$(ferry_test_image)" "$dir"
	mf=$(oci_manifest_digest "$dir")
	cfg=$(jq -r .config.digest "$(oci_blob_path "$dir" "$mf")")
	jq -c --arg a "$arch" '.architecture = $a' "$(oci_blob_path "$dir" "$cfg")" >"$TEST_TMP/cfg.json"
	newcfg=$(oci_add_blob "$dir" "$TEST_TMP/cfg.json")
	oci_edit_manifest "$dir" ".config.digest = \"$newcfg\" | .config.size = $(stat -c %s "$TEST_TMP/cfg.json")"
	rm -f "$(oci_blob_path "$dir" "$cfg")"
	jq -c --arg n "$name" '.manifests[0].annotations["org.opencontainers.image.ref.name"] = $n' \
		"$dir/index.json" >"$TEST_TMP/index.json"
	mv "$TEST_TMP/index.json" "$dir/index.json"
	oci_pack "$dir" "$out"
}

# Loads the test image into this test's root.
load_test_image() {
	f load -q -i "$(ferry_test_image)"
}

# Waits up to $2 seconds (default 10) for command $1 (a string for eval) to succeed.
wait_until() {
	local i
	for i in $(seq 1 $((${2:-10} * 10))); do
		eval "$1" && return 0
		sleep 0.1
	done
	echo "timed out waiting for: $1" >&2
	return 1
}

# Rewrites archive $1 (an uncompressed tar) into $2 with python: $3 is the
# python body working on `members` (a list of (TarInfo, bytes)); the
# manifest is recomputed (as an attacker without the signing key would,
# keeping any manifest.sig after it) unless $4 is "keep-manifest".
rewrite_archive() {
	python3 - "$1" "$2" "$4" <<PY
import hashlib, io, json, sys, tarfile
src, dst, keep = sys.argv[1], sys.argv[2], sys.argv[3]
members = []
with tarfile.open(src) as t:
    for m in t.getmembers():
        data = t.extractfile(m).read() if m.isfile() else b""
        members.append((m, data))
$3
if keep != "keep-manifest":
    entries = {}
    for m, data in members:
        if m.isfile() and m.name not in ("manifest.json", "manifest.sig"):
            entries[m.name] = {"sha256": "sha256:" + hashlib.sha256(data).hexdigest(), "size": len(data)}
    man = json.dumps({"format": "ferry-checkpoint", "version": 1, "entries": entries}).encode()
    sig = [(m, d) for m, d in members if m.name == "manifest.sig"]
    members = [(m, d) for m, d in members if m.name not in ("manifest.json", "manifest.sig")]
    mi = tarfile.TarInfo("manifest.json"); mi.size = len(man)
    members.append((mi, man))
    members += sig
with tarfile.open(dst, "w", format=tarfile.PAX_FORMAT) as t:
    for m, data in members:
        if m.isfile():
            m.size = len(data)
            t.addfile(m, io.BytesIO(data))
        else:
            t.addfile(m)
PY
}

# The state of container $1.
ctr_status() {
	f inspect --format '{{.State.Status}}' "$1"
}

# Root B ("the other host") has no container, container directory or
# staging left.
assert_host_b_untouched() {
	[ -z "$(fb ps -a -q)" ]
	[ -z "$(ls "$TEST_TMP/rootB/containers" 2>/dev/null)" ]
	[ -z "$(ls -A "$TEST_TMP/runB/checkpoints" 2>/dev/null)" ]
}

# restore on root B with "$@" is refused: exit 125, one line, nothing made.
expect_refused() {
	run_fb container restore "$@"
	assert_status 125
	assert_one_line_error
	assert_host_b_untouched
}

# ferry on a second root of this test: another host.
fb() {
	"$FERRY_BIN" --root "$TEST_TMP/rootB" --runroot "$TEST_TMP/runB" "$@"
}

run_fb() {
	run "$FERRY_BIN" --root "$TEST_TMP/rootB" --runroot "$TEST_TMP/runB" "$@"
}

# A counter that prints 0, 1, 2, ... every 0.2 s; its state lives only in the
# shell's memory, so only a real restore carries it on.
COUNTER='i=0; while true; do echo $i; i=$((i+1)); sleep 0.2; done'

# The last number container $1 printed (via the ferry function $2, default f).
last_count() {
	"${2:-f}" logs "$1" | tail -n1
}

# Asserts the log of $1 (via $2) counts up by one from 0 with no restart.
assert_counts_on() {
	local log expected=0 line
	log=$("${2:-f}" logs "$1")
	while IFS= read -r line; do
		if [ "$line" != "$expected" ]; then
			echo "log of $1 breaks at line $((expected + 1)): expected $expected, got $line" >&2
			echo "$log" | head -n 50 >&2
			return 1
		fi
		expected=$((expected + 1))
	done <<<"$log"
}

# A tar of entries built by python: $1 the output, the rest NAME:KIND[:ARG]
# with KIND file (ARG its content), dir, sym (ARG its target) or hard (ARG
# the name it links to).
make_tar() {
	python3 - "$@" <<-'PY'
		import io, sys, tarfile
		with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
		    for spec in sys.argv[2:]:
		        name, kind, arg = (spec.split(":", 2) + [""])[:3]
		        i = tarfile.TarInfo(name)
		        if kind == "file":
		            data = arg.encode()
		            i.size = len(data)
		            t.addfile(i, io.BytesIO(data))
		            continue
		        if kind == "dir":
		            i.type, i.mode = tarfile.DIRTYPE, 0o755
		        elif kind == "sym":
		            i.type, i.linkname = tarfile.SYMTYPE, arg
		        elif kind == "hard":
		            i.type, i.linkname = tarfile.LNKTYPE, arg
		        t.addfile(i)
	PY
}
