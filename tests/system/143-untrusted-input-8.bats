#!/usr/bin/env bats
# Input from outside that must neither harm the host nor hang or crash
# ferry, eighth part (see 137 for the seventh): what the libFuzzer targets
# of tests/fuzz found in checkpoint archives, image layers and the
# documents in them, each as a crafted file here.

load helpers

bats_require_minimum_version 1.5.0

IMG=localhost/ferry-test

# A ferry checkpoint archive $1 of one config.dump whose manifest.json
# lists it with the sha256 $2 (Python's string syntax), size right.
manifest_archive() {
	python3 - "$1" "$2" <<-'PY'
		import io, json, sys, tarfile
		out, digest = sys.argv[1], eval(sys.argv[2])
		dump = b'{"ferry": {}}'
		man = json.dumps({"format": "ferry-checkpoint", "version": 1,
		                  "entries": {"config.dump": {"sha256": digest, "size": len(dump)}}}).encode()
		with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
		    for name, data in (("config.dump", dump), ("manifest.json", man)):
		        m = tarfile.TarInfo(name); m.size = len(data); m.mode = 0o600
		        t.addfile(m, io.BytesIO(data))
	PY
}

@test "a manifest's sha256 with a newline and an escape sequence is refused as invalid, in one line" {
	manifest_archive "$TEST_TMP/evil.tar" '"sha256:" + "0" * 64 + "\n\x1b[2JFAKE: all good\r"'
	run_ferry container restore --import "$TEST_TMP/evil.tar"
	assert_status 125
	# Before, the digest went into the message as it was: a second line
	# (and a cleared screen) of the archive's choosing.
	assert_one_line_error
	[[ "$output" != *$'\x1b'* && "$output" != *$'\r'* && "$output" != *FAKE* ]]
	assert_output_contains "has an invalid manifest.json: entry \`config.dump\` has no valid sha256 or size"
	[ -z "$(f ps -a -q)" ]
}

# A checkpoint archive $1 as Podman writes one (no manifest.json): a
# config.dump with the members given as JSON in $2 (merged over a
# minimal one) and a spec.dump with those of $3.
podman_archive() {
	python3 - "$1" "$2" "${3:-{\}}" <<-'PY'
		import io, json, sys, tarfile
		out, extra, spec_extra = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
		dump = {"id": "5" * 64, "name": "pm1", "createdTime": "2026-12-07T07:02:00.000000000Z",
		        "rootfsImageName": "localhost/ferry-test:latest", "rootfsImageID": "6" * 64}
		dump.update(extra)
		spec = {"ociVersion": "1.2.0", "process": {"cwd": "/", "args": ["sleep", "1000"], "env": []},
		        "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}]}}
		spec.update(spec_extra)
		with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
		    for name, data in (("config.dump", json.dumps(dump).encode()),
		                       ("spec.dump", json.dumps(spec).encode())):
		        m = tarfile.TarInfo(name); m.size = len(data); m.mode = 0o600
		        t.addfile(m, io.BytesIO(data))
	PY
}

@test "a Podman archive's image name with a newline is refused before it reaches a message" {
	podman_archive "$TEST_TMP/evil.tar" '{"rootfsImageName": "x\nFAKE: restored\u001b[2J"}'
	run_ferry container restore --import "$TEST_TMP/evil.tar"
	assert_status 125
	# Before: "the checkpoint needs image x", then the archive's own line.
	assert_one_line_error
	[[ "$output" != *FAKE* ]]
	assert_output_contains "its config.dump has no valid \`rootfsImageName\`: refusing it"
	[ -z "$(f ps -a -q)" ]
}

@test "a Podman archive's mount of a kind ferry cannot restore is named escaped, in one line" {
	load_test_image
	local id
	id=$(f image inspect --format '{{.Id}}' $IMG)
	podman_archive "$TEST_TMP/evil.tar" "{\"rootfsImageID\": \"$id\"}" \
		'{"mounts": [{"destination": "/x\nFAKE: restored", "type": "nfs\u001b[2J", "source": "srv:/x"}]}'
	run_ferry container restore --import "$TEST_TMP/evil.tar"
	assert_status 125
	assert_one_line_error
	[[ "$output" != *$'\x1b'* ]]
	assert_output_contains 'has a nfs\x1b[2J mount at /x\x0aFAKE: restored, which ferry cannot restore'
	[ -z "$(f ps -a -q)" ]
}
