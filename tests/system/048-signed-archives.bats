#!/usr/bin/env bats
# Signed archives: checkpoint --export --sign-key signs the manifest (which
# covers every entry) with Ed25519; restore --import --verify-key, or a key
# in the root's trusted-keys directory, refuses anything not signed by a
# trusted key before the container is made; a trusted signature lets the
# archive restore as recorded.

load helpers

setup_keys() {
	mkdir -p "$TEST_TMP/keys"
	openssl genpkey -algorithm ed25519 -out "$TEST_TMP/keys/a.pem" 2>/dev/null
	openssl pkey -in "$TEST_TMP/keys/a.pem" -pubout -out "$TEST_TMP/keys/a.pub"
	openssl genpkey -algorithm ed25519 -out "$TEST_TMP/keys/b.pem" 2>/dev/null
	openssl pkey -in "$TEST_TMP/keys/b.pem" -pubout -out "$TEST_TMP/keys/b.pub"
}

# A counter on root A, exported twice uncompressed: signed by key a
# (signed.tar) and unsigned (unsigned.tar).
make_archives() {
	setup_keys
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	f run -d --name src ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs src | wc -l)" -ge 2 ]'
	f container checkpoint -R -c none --sign-key "$TEST_TMP/keys/a.pem" -e "$TEST_TMP/signed.tar" src >/dev/null
	f container checkpoint -R -c none -e "$TEST_TMP/unsigned.tar" src >/dev/null
	f rm -f -t 0 src >/dev/null
}


@test "a signed archive restores with --verify-key; its signature names the key as openssl prints it" {
	make_archives
	[ "$(tar -tf "$TEST_TMP/signed.tar" | tail -n2 | tr '\n' ' ')" = "manifest.json manifest.sig " ]
	fp=$(openssl pkey -pubin -in "$TEST_TMP/keys/a.pub" -outform DER | sha256sum | cut -d' ' -f1)
	[ "$(tar -xOf "$TEST_TMP/signed.tar" manifest.sig | jq -r .key)" = "sha256:$fp" ]
	# The signature is over the manifest as written: openssl agrees.
	tar -xOf "$TEST_TMP/signed.tar" manifest.json >"$TEST_TMP/m.json"
	tar -xOf "$TEST_TMP/signed.tar" manifest.sig | jq -r .signature | base64 -d >"$TEST_TMP/m.sig"
	openssl pkeyutl -verify -pubin -inkey "$TEST_TMP/keys/a.pub" -rawin -in "$TEST_TMP/m.json" -sigfile "$TEST_TMP/m.sig" >/dev/null
	fb container restore --import "$TEST_TMP/signed.tar" --verify-key "$TEST_TMP/keys/b.pub" --verify-key "$TEST_TMP/keys/a.pub" >/dev/null
	n=$(last_count src fb)
	wait_until "[ \"\$(last_count src fb)\" -gt $((n + 1)) ]"
	assert_counts_on src fb
	# checkpointctl still reads it.
	run checkpointctl show "$TEST_TMP/signed.tar"
	assert_status 0
	assert_output_contains src
}

@test "--verify-key refuses an unsigned archive, another key's, and a missing key file" {
	make_archives
	expect_refused --import "$TEST_TMP/unsigned.tar" --verify-key "$TEST_TMP/keys/a.pub"
	assert_output_contains "not signed"
	expect_refused --import "$TEST_TMP/signed.tar" --verify-key "$TEST_TMP/keys/b.pub"
	assert_output_contains "not trusted"
	expect_refused --import "$TEST_TMP/signed.tar" --verify-key "$TEST_TMP/keys/none.pub"
	assert_output_contains "none.pub"
	# A private key is no public key, and a public key cannot sign.
	expect_refused --import "$TEST_TMP/signed.tar" --verify-key "$TEST_TMP/keys/a.pem"
	run_ferry container checkpoint -e "$TEST_TMP/x.tar" --sign-key "$TEST_TMP/keys/a.pub" src
	assert_status 125
	assert_one_line_error
	[ ! -e "$TEST_TMP/x.tar" ]
	run_ferry container checkpoint --sign-key "$TEST_TMP/keys/a.pem" src
	assert_status 125
	assert_output_contains "--export"
}

@test "tampering with a signed archive, manifest recomputed, is caught by the signature" {
	make_archives
	# An entry edited and the manifest recomputed, as someone without the
	# key would: the old signature no longer matches the manifest.
	rewrite_archive "$TEST_TMP/signed.tar" "$TEST_TMP/edited.tar" '
for i, (m, d) in enumerate(members):
    if m.name == "ctr.log":
        members[i] = (m, d + b"2026-01-01T00:00:00.000000000Z stdout F forged\n")'
	expect_refused --import "$TEST_TMP/edited.tar" --verify-key "$TEST_TMP/keys/a.pub"
	assert_output_contains "does not verify"
	# The signature of another archive by the same key does not fit either.
	f run -d --name other ferry-test sleep 1000 >/dev/null
	f container checkpoint -c none --sign-key "$TEST_TMP/keys/a.pem" -e "$TEST_TMP/other.tar" other >/dev/null
	tar -xOf "$TEST_TMP/other.tar" manifest.sig >"$TEST_TMP/other.sig"
	rewrite_archive "$TEST_TMP/signed.tar" "$TEST_TMP/swapped.tar" "
sig = open('$TEST_TMP/other.sig', 'rb').read()
members = [(m, sig if m.name == 'manifest.sig' else d) for m, d in members]" keep-manifest
	expect_refused --import "$TEST_TMP/swapped.tar" --verify-key "$TEST_TMP/keys/a.pub"
	assert_output_contains "does not verify"
	# A signature that is not one, and entries after it.
	rewrite_archive "$TEST_TMP/signed.tar" "$TEST_TMP/garbled.tar" '
members = [(m, b"{\"algorithm\": \"ed25519\", \"key\": 3}" if m.name == "manifest.sig" else d) for m, d in members]' keep-manifest
	expect_refused --import "$TEST_TMP/garbled.tar" --verify-key "$TEST_TMP/keys/a.pub"
	assert_output_contains "malformed signature"
	rewrite_archive "$TEST_TMP/signed.tar" "$TEST_TMP/trailing.tar" '
extra = tarfile.TarInfo("ctr.log")
members.append((extra, b"x"))' keep-manifest
	expect_refused --import "$TEST_TMP/trailing.tar"
	assert_output_contains "after manifest.sig"
}

@test "keys in the root's trusted-keys directory make every import need their signature" {
	make_archives
	mkdir -p "$TEST_TMP/rootB/trusted-keys"
	cp "$TEST_TMP/keys/a.pub" "$TEST_TMP/rootB/trusted-keys/"
	expect_refused --import "$TEST_TMP/unsigned.tar"
	assert_output_contains "not signed"
	fb container restore --import "$TEST_TMP/signed.tar" >/dev/null
	[ "$(fb inspect --format '{{.State.Status}}' src)" = running ]
}

@test "a trusted signature lets an archive ask for a bind mount; unverified, it is refused" {
	setup_keys
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	mkdir -p "$TEST_TMP/shared"
	echo hello >"$TEST_TMP/shared/greeting"
	f run -d --name binder -v "$TEST_TMP/shared:/mnt" ferry-test sleep 1000 >/dev/null
	f container checkpoint -c none --sign-key "$TEST_TMP/keys/a.pem" -e "$TEST_TMP/bind.tar" binder >/dev/null
	expect_refused --import "$TEST_TMP/bind.tar"
	assert_output_contains "bind mount"
	fb container restore --import "$TEST_TMP/bind.tar" --verify-key "$TEST_TMP/keys/a.pub" >/dev/null
	[ "$(fb exec binder cat /mnt/greeting)" = hello ]
}

@test "archive inspect shows what an archive holds, who signed it and what it asks for, writing nothing" {
	make_archives
	run_fb archive inspect "$TEST_TMP/signed.tar" --verify-key "$TEST_TMP/keys/a.pub"
	assert_status 0
	fp=$(openssl pkey -pubin -in "$TEST_TMP/keys/a.pub" -outform DER | sha256sum | cut -d' ' -f1)
	[ "$(jq -r .SignedBy <<<"$output")" = "sha256:$fp" ]
	[ "$(jq -r '.Signed, .Trusted' <<<"$output" | tr '\n' ' ')" = "true true " ]
	[ "$(jq -r .Container.Name <<<"$output")" = src ]
	[ "$(jq -r .Image.Name <<<"$output")" = localhost/ferry-test:latest ]
	[ "$(jq -r .CriuVersion <<<"$output")" = "$(criu --version | awk '/^Version:/ { print $2 }')" ]
	[ "$(jq -r .Compression <<<"$output")" = none ]
	jq -e '.MemorySize > 0 and .CheckpointSize >= .MemorySize and .AsksFor == ""' <<<"$output" >/dev/null
	# Another key: reported, not trusted.
	run_fb archive inspect --verify-key "$TEST_TMP/keys/b.pub" --format '{{.Signed}} {{.Trusted}}' "$TEST_TMP/signed.tar"
	assert_status 0
	[ "$output" = "true false" ]
	run_fb archive inspect --format '{{.Signed}} {{.Trusted}}' "$TEST_TMP/unsigned.tar"
	[ "$output" = "false false" ]
	# Nothing was written on root B.
	assert_host_b_untouched
	# An archive that is not whole is an error.
	rewrite_archive "$TEST_TMP/unsigned.tar" "$TEST_TMP/broken.tar" '
for i, (m, d) in enumerate(members):
    if m.name == "ctr.log":
        members[i] = (m, d + b"x")' keep-manifest
	run_fb archive inspect "$TEST_TMP/broken.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains ctr.log
}

@test "archive inspect lists the bind mounts an archive asks for" {
	load_test_image
	mkdir -p "$TEST_TMP/shared"
	f run -d --name binder -v "$TEST_TMP/shared:/mnt:ro" ferry-test sleep 1000 >/dev/null
	f container checkpoint -R -e "$TEST_TMP/bind.tar.zst" binder >/dev/null
	run_ferry archive inspect "$TEST_TMP/bind.tar.zst"
	assert_status 0
	[ "$(jq -r '.BindMounts[0].Source' <<<"$output")" = "$TEST_TMP/shared" ]
	[ "$(jq -r '.BindMounts[0].RW' <<<"$output")" = false ]
	[ "$(jq -r '.Compression' <<<"$output")" = zstd ]
	assert_output_contains "bind mount of host"
}
