#!/usr/bin/env bats
# Input from outside that must neither harm the host nor hang or crash
# ferry, eighth part (see 137 for the seventh): what the libFuzzer targets
# of tests/fuzz found in checkpoint archives, image layers and the
# documents in them, each as a crafted file here.

load helpers

bats_require_minimum_version 1.5.0

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
