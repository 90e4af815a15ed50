#!/usr/bin/env bats
# Mount options of -v, --mount and --tmpfs: exec, noexec, suid, nosuid,
# dev and nodev on binds, named, anonymous and image volumes, tmpfs and ramfs,
# and a propagation on named volumes, with Podman's defaults for each kind
# (in inspect, in the runtime's spec and in the container's mountinfo),
# Podman's refusals of conflicting or unknown options, and what a
# checkpoint archive carries of them: kept through export, import and an
# in-place restore, and, from an unsigned archive, suid, dev or shared
# propagation only with --trust-archive.  Each compared with Podman where
# it is installed.

load helpers
load podman-helpers

bats_require_minimum_version 1.5.0

podman_file_locks_for_every_test

IMG=localhost/ferry-test

eval "volopts_$(declare -f teardown)"
teardown() {
	if [ -d "${ROOT:-/nonexistent}" ]; then f rm -af -t 0 >/dev/null 2>&1 || true; fi
	podman_teardown
	volopts_teardown
}

# What TOOL (f or podman_t) shows of running container $2: each mount's
# destination, inspect's Options and Propagation, HostConfig.Binds, the
# runtime spec's options (sorted: the two tools agree on the set) and the
# per-mount flags of its mountinfo, for destinations under /m.
mount_report() {
	local tool=$1 name=$2 root=$3 cfg
	"$tool" inspect --format '{{range .Mounts}}{{.Destination}} {{json .Options}} {{.Propagation}}{{"\n"}}{{end}}' "$name" | sort
	"$tool" inspect --format '{{range .HostConfig.Binds}}{{.}}{{"\n"}}{{end}}' "$name" | sed "s#^[0-9a-f]\{64\}:#ANON:#; s#^$root#SRC#" | sort
	"$tool" inspect --format '{{json .HostConfig.Tmpfs}}' "$name"
	cfg=$("$tool" inspect --format '{{.OCIConfigPath}}' "$name")
	jq -r '.mounts[] | select(.destination | startswith("/m")) | .destination + " " + (.options | sort | join(","))' "$cfg" | sort
	"$tool" exec "$name" sh -c "grep ' /m' /proc/self/mountinfo | cut -d' ' -f5,6" | sort
}

# The report without empty lines (ferry's template output ends a range's
# last newline differently).
mount_report_lines() {
	mount_report "$@" | sed '/^$/d'
}

# An image like the test image with a VOLUME at /mimg, loaded into ferry
# and, when $1 is podman, into Podman.
load_volume_image() {
	oci_unpack "$(ferry_test_image)" "$TEST_TMP/l"
	local manifest config c
	manifest=$(oci_blob_path "$TEST_TMP/l" "$(oci_manifest_digest "$TEST_TMP/l")")
	config=$(jq -r '.config.digest' "$manifest")
	jq -c '.config.Volumes = {"/mimg": {}}' "$(oci_blob_path "$TEST_TMP/l" "$config")" >"$TEST_TMP/config.json"
	c=$(oci_add_blob "$TEST_TMP/l" "$TEST_TMP/config.json")
	oci_edit_manifest "$TEST_TMP/l" ".config.digest = \"$c\" | .config.size = $(stat -c %s "$TEST_TMP/config.json")"
	oci_pack "$TEST_TMP/l" "$TEST_TMP/vol.tar"
	f load -q -i "$TEST_TMP/vol.tar" >/dev/null
	if [ "${1:-}" = podman ]; then podman_t load -q -i "$TEST_TMP/vol.tar" >/dev/null; fi
}

MOUNTS=(
	-v "SRC:/mb1"
	-v "SRC:/mb2:exec,suid,dev"
	--mount "type=bind,src=SRC,dst=/mb3,noexec,nosuid,nodev"
	-v "nv:/mv1"
	-v "nv:/mv2:noexec"
	-v "nv:/mv3:exec,suid,dev,ro"
	-v "nv:/mv4:rslave"
	--mount "type=volume,src=nv,dst=/mv5,suid"
	-v /ma1
	--tmpfs "/mt1:noexec"
	--mount "type=tmpfs,dst=/mt2,exec,suid,dev"
	--mount "type=ramfs,dst=/mr1,noexec"
)

@test "exec, suid, dev and their no- forms on binds, volumes, image VOLUMEs and tmpfs: Podman's defaults and words in inspect, the spec and mountinfo" {
	mkdir -p "$TEST_TMP/src"
	load_volume_image
	f volume create nv >/dev/null
	f run -d --name c "${MOUNTS[@]//SRC/$TEST_TMP/src}" "$IMG" sleep 1000 >/dev/null
	mount_report_lines f c "$TEST_TMP/src" >"$TEST_TMP/f.report"
	# The bind keeps the host's flags (no nosuid,nodev of ferry's); a
	# volume is nosuid,nodev unless told; the image's VOLUME may run
	# programs but not set-user-ID ones.
	grep -qx '/mb1 rw,relatime' "$TEST_TMP/f.report"
	grep -qx '/mv1 rw,nosuid,nodev,relatime' "$TEST_TMP/f.report"
	grep -qx '/mv2 rw,nosuid,nodev,noexec,relatime' "$TEST_TMP/f.report"
	grep -qx '/mv3 ro,relatime' "$TEST_TMP/f.report"
	grep -qx '/mv5 rw,nodev,relatime' "$TEST_TMP/f.report"
	grep -qx '/mimg \["nodev","exec","nosuid","rbind"\] rprivate' "$TEST_TMP/f.report"
	grep -qx 'ANON:/mimg:rprivate,rw,nodev,exec,nosuid,rbind' "$TEST_TMP/f.report"
	grep -qx 'nv:/mv4:rslave,rw,nosuid,nodev,rbind' "$TEST_TMP/f.report"
	grep -qx '/mt2 dev,exec,rprivate,rw,suid,tmpcopyup' "$TEST_TMP/f.report"
	grep -qx 'ramfs:/mr1:noexec' "$TEST_TMP/f.report"
	# noexec holds: a program copied into the volume does not run.
	f exec c cp /bin/busybox /mv2/true
	run_ferry exec c sh -c /mv2/true
	assert_status 126
	f exec c cp /bin/busybox /mb1/true
	f exec c sh -c /mb1/true
	# --volumes-from carries each volume's options.
	f create --name vf --volumes-from c "$IMG" true >/dev/null
	f inspect --format '{{json .HostConfig.Binds}}' vf | jq -c 'map(sub("^[0-9a-f]{64}:"; "ANON:")) | sort' >"$TEST_TMP/f.from"
	grep -qF '"nv:/mv5:suid,rw,rprivate,nodev,rbind"' "$TEST_TMP/f.from"

	need_podman
	load_volume_image podman
	podman_t volume create nv >/dev/null
	podman_t run -d --name c --network none "${MOUNTS[@]//SRC/$TEST_TMP/src}" "$IMG" sleep 1000 >/dev/null
	mount_report_lines podman_t c "$TEST_TMP/src" >"$TEST_TMP/p.report"
	diff -u "$TEST_TMP/p.report" "$TEST_TMP/f.report"
	podman_t create --name vf --network none --volumes-from c "$IMG" true >/dev/null
	podman_t inspect --format '{{json .HostConfig.Binds}}' vf | jq -c 'map(sub("^[0-9a-f]{64}:"; "ANON:")) | sort' >"$TEST_TMP/p.from"
	diff -u "$TEST_TMP/p.from" "$TEST_TMP/f.from"
}

@test "conflicting, repeated and unknown mount options are refused with Podman's words, exit 125, nothing created" {
	load_test_image
	mkdir -p "$TEST_TMP/src"
	local cases=(
		"-v $TEST_TMP/src:/m:exec,noexec"
		"-v nv:/m:suid,nosuid"
		"-v nv:/m:dev,dev"
		"-v nv:/m:ro,rw"
		"-v nv:/m:shared,rprivate"
		"-v nv:/m:z,Z"
		"-v nv:/m:U,U"
		"-v nv:/m:copy,nocopy"
		"-v nv:/m:bogus"
		"-v nv:/m:noexec,"
		"--mount type=bind,src=$TEST_TMP/src,dst=/m,exec,noexec"
		"--mount type=volume,src=nv,dst=/m,suid,nosuid"
		"--mount type=tmpfs,dst=/m,dev,nodev"
		"--mount type=volume,src=nv,dst=/m,bind-propagation=shared"
		"--mount type=image,src=$IMG,dst=/m,noexec"
		"--tmpfs /m:exec,noexec"
	)
	local c
	for c in "${cases[@]}"; do
		# shellcheck disable=SC2086
		run_ferry create $c "$IMG" true
		assert_status 125
		assert_one_line_error
		echo "$c: $output" >>"$TEST_TMP/f.errs"
	done
	[ -z "$(f ps -aq)" ]
	[ -z "$(f volume ls -q)" ]
	grep -qF 'invalid options "exec, noexec", can only specify 1 '"'noexec' or 'exec'"' option' "$TEST_TMP/f.errs"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	for c in "${cases[@]}"; do
		# shellcheck disable=SC2086
		run podman_t create $c "$IMG" true
		[ "$status" -eq 125 ] || { echo "podman: $c -> $status" >&2; return 1; }
		# ferry's error starts with Podman's.
		ferry_line=$(grep -F -e "$c: " "$TEST_TMP/f.errs" | head -1)
		[[ "${ferry_line#"$c: "}" == "$output"* ]] || { echo "ferry: $ferry_line; podman: $output" >&2; return 1; }
	done
}

@test "O and idmap: refused in one line naming the option, exit 125, nothing created" {
	load_test_image
	local c
	for c in "nv:/m:O" "nv:/m:idmap" "nv:/m:idmap=uids=0-1-10"; do
		run_ferry create -v "$c" "$IMG" true
		assert_status 125
		assert_one_line_error
		assert_output_contains "invalid option type"
	done
	[ -z "$(f ps -aq)" ]
	[ -z "$(f volume ls -q)" ]
}

# HostConfig.Binds of container c with TOOL, sorted (the tools order
# them differently).
binds_of() {
	"$1" inspect --format '{{json .HostConfig.Binds}}' c | jq -c sort
}

# A counter that writes into both volumes, so the restore shows it carried on.
COUNTER='i=0; while :; do i=$((i+1)); echo $i; echo $i >/n/count; sleep 0.2; done'

@test "noexec and suid volumes keep their options through checkpoint --export, restore --import and in-place restore; an unsigned archive needs --trust-archive for suid" {
	load_test_image
	f run -d --name c -v nx:/n:noexec -v sx:/s:suid,exec "$IMG" sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs c | wc -l)" -ge 3 ]'
	probe="grep -E ' /(n|s) ' /proc/self/mountinfo | cut -d' ' -f5,6 | sort"
	expected=$(f exec c sh -c "$probe")
	[ "$expected" = "$(printf '/n rw,nosuid,nodev,noexec,relatime\n/s rw,nodev,relatime')" ]
	binds=$(binds_of f)

	f container checkpoint c >/dev/null
	f container restore c >/dev/null
	[ "$(f exec c sh -c "$probe")" = "$expected" ]

	f container checkpoint --export "$TEST_TMP/c.tar.zst" c >/dev/null
	f rm c >/dev/null
	f volume rm nx sx >/dev/null
	run_ferry container restore --import "$TEST_TMP/c.tar.zst"
	assert_status 125
	assert_one_line_error
	assert_output_contains "asks for mount option suid on volume \`sx\` at /s of container \`c\`"
	assert_output_contains "--trust-archive"
	[ -z "$(f ps -aq)" ]
	[ -z "$(f volume ls -q)" ]

	f container restore --trust-archive --import "$TEST_TMP/c.tar.zst" >/dev/null
	[ "$(f exec c sh -c "$probe")" = "$expected" ]
	[ "$(binds_of f)" = "$binds" ]
	n=$(f exec c cat /n/count)
	wait_until "[ \$(f exec c cat /n/count) -gt $n ]"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t run -d --name c --network none -v nx:/n:noexec -v sx:/s:suid,exec "$IMG" sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(podman_t logs c | wc -l)" -ge 3 ]'
	[ "$(podman_t exec c sh -c "$probe")" = "$expected" ]
	[ "$(binds_of podman_t)" = "$binds" ]
	podman_t container checkpoint --export "$TEST_TMP/p.tar.gz" c >/dev/null
	podman_t rm c >/dev/null
	podman_t volume rm nx sx >/dev/null
	podman_t container restore --import "$TEST_TMP/p.tar.gz" >/dev/null
	[ "$(podman_t exec c sh -c "$probe")" = "$expected" ]

	# Podman's archive, restored by ferry: the same options, and the same
	# need of trust for suid (a Podman archive is unsigned).
	podman_t container checkpoint --export "$TEST_TMP/p2.tar.gz" c >/dev/null
	f rm -f -t 0 c >/dev/null
	f volume rm nx sx >/dev/null
	run_ferry container restore --import "$TEST_TMP/p2.tar.gz"
	assert_status 125
	assert_output_contains "mount option suid on volume \`sx\` at /s of container \`c\`"
	[ -z "$(f ps -aq)" ]
	f container restore --trust-archive --import "$TEST_TMP/p2.tar.gz" >/dev/null 2>&1
	[ "$(f exec c sh -c "$probe")" = "$expected" ]
	[ "$(binds_of f)" = "$binds" ]
}

@test "an unsigned archive whose volume or tmpfs asks for dev or shared propagation is refused without --trust-archive; noexec, exec and rslave are not" {
	load_test_image
	f run -d --name c -v nv:/n:noexec --tmpfs /t ferry-test sleep 1000 >/dev/null
	f container checkpoint --compress none --export "$TEST_TMP/good.tar" c >/dev/null
	f rm c >/dev/null
	f volume rm nv >/dev/null
	local edit want
	while IFS='|' read -r want edit; do
		rewrite_archive "$TEST_TMP/good.tar" "$TEST_TMP/bad.tar" "
for i, (m, d) in enumerate(members):
    if m.name == 'config.dump':
        dump = json.loads(d)
        ms = dump['ferry']['Mounts']
        v = [x for x in ms if x['Type'] == 'volume'][0]
        t = [x for x in ms if x['Type'] == 'tmpfs'][0]
        $edit
        members[i] = (m, json.dumps(dump).encode())"
		run_ferry container restore --import "$TEST_TMP/bad.tar"
		if [ "$want" = ok ]; then
			assert_status 0
			f rm -f -t 0 c >/dev/null
			f volume rm nv >/dev/null
			continue
		fi
		assert_status 125
		assert_one_line_error
		assert_output_contains "$want"
		assert_output_contains "--trust-archive"
		[ -z "$(f ps -aq)" ]
		[ -z "$(f volume ls -q)" ]
	done <<-'EOF'
		mount option dev on volume `nv` at /n of container `c`|v['Options'] = ['dev']
		mount option rshared on volume `nv` at /n of container `c`|v['Options'] = ['noexec', 'rshared']
		mount option shared on volume `nv` at /n of container `c`|v['Options'] = ['shared']
		mount option suid on the tmpfs at /t of container `c`|t['Options'] = ['suid']
		ok|v['Options'] = ['exec', 'rslave', 'nosuid']
	EOF
	run_ferry container restore --import "$TEST_TMP/good.tar"
	assert_status 0
}
