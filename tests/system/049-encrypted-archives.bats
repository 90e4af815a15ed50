#!/usr/bin/env bats
# Encrypted archives: checkpoint --export --encrypt-recipient writes an age
# file (age-encryption.org/v1, X25519) that `age -d` opens too; restore
# --import --decrypt-key decrypts it as it reads it.  A cut, extended or
# edited encrypted stream, a missing or wrong key, are refused with exit
# 125 and nothing made on the host.

load helpers

setup_identities() {
	mkdir -p "$TEST_TMP/keys"
	age-keygen -o "$TEST_TMP/keys/a.txt" 2>/dev/null
	age-keygen -o "$TEST_TMP/keys/b.txt" 2>/dev/null
	RCPT_A=$(age-keygen -y "$TEST_TMP/keys/a.txt")
	RCPT_B=$(age-keygen -y "$TEST_TMP/keys/b.txt")
}

# A counter on root A whose command line carries a marker and whose shell
# holds 6 MB of random text (so that the archive spans many age chunks),
# exported encrypted to a (enc.age, zstd: its pages streamed into the
# archive) and left running.
make_encrypted() {
	setup_identities
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	MARKER="ferry-marker-$RANDOM$RANDOM"
	f run -d --name src ferry-test sh -c "M=$MARKER; B=\$(head -c 6000000 /dev/urandom | base64); $COUNTER" >/dev/null
	wait_until '[ "$(f logs src | wc -l)" -ge 2 ]'
	f container checkpoint -R --encrypt-recipient "$RCPT_A" -e "$TEST_TMP/enc.age" "$@" src >/dev/null
}


# The length of the age header (with the payload nonce) of file $1.
age_header_len() {
	python3 - "$1" <<'PY'
import sys
data = open(sys.argv[1], "rb").read(65536)
end = data.index(b"\n--- ") + 1
end = data.index(b"\n", end) + 1
print(end + 16)
PY
}

@test "an encrypted archive holds no plaintext, opens with age, and restores on another root with --decrypt-key" {
	make_encrypted
	[ "$(head -c 22 "$TEST_TMP/enc.age")" = "age-encryption.org/v1" ]
	# Neither the record nor the streamed entries' tar headers show.
	! grep -a -q "$MARKER" "$TEST_TMP/enc.age" || false
	! grep -a -q ustar "$TEST_TMP/enc.age" || false
	# age opens it: a zstd tar whose manifest covers the page images.
	age -d -i "$TEST_TMP/keys/a.txt" -o "$TEST_TMP/plain.tar.zst" "$TEST_TMP/enc.age"
	zstd -q -d -c "$TEST_TMP/plain.tar.zst" | tar -t >"$TEST_TMP/list"
	grep -q '^checkpoint/pages-1.img$' "$TEST_TMP/list"
	[ "$(tail -n1 "$TEST_TMP/list")" = manifest.json ]
	zstd -q -d -c "$TEST_TMP/plain.tar.zst" | tar -xO config.dump | grep -q "$MARKER"
	f rm -f -t 0 src >/dev/null
	fb container restore --import "$TEST_TMP/enc.age" --decrypt-key "$TEST_TMP/keys/a.txt" >/dev/null
	n=$(last_count src fb)
	wait_until "[ \"\$(last_count src fb)\" -gt $((n + 1)) ]"
	assert_counts_on src fb
	# Nothing of the decrypted archive is left in the runroot.
	[ -z "$(ls -A "$TEST_TMP/runB/checkpoints" 2>/dev/null)" ]
}

@test "an archive encrypted by age itself restores, and one encrypted to two recipients opens with either" {
	setup_identities
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	f run -d --name src ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs src | wc -l)" -ge 2 ]'
	f container checkpoint -R -c none -e "$TEST_TMP/plain.tar" src >/dev/null
	age -r "$RCPT_B" -o "$TEST_TMP/by-age.age" "$TEST_TMP/plain.tar"
	f container checkpoint -R --encrypt-recipient "$RCPT_A" --encrypt-recipient "$RCPT_B" -e "$TEST_TMP/two.age" src >/dev/null
	f rm -f -t 0 src >/dev/null
	run_fb archive inspect "$TEST_TMP/two.age"
	assert_status 0
	[ "$(echo "$output" | jq -r .Encrypted)" = true ]
	[ "$(echo "$output" | jq -r .Recipients)" = 2 ]
	[ "$(echo "$output" | jq -r '.Container // "absent"')" = absent ]
	run_fb archive inspect --decrypt-key "$TEST_TMP/keys/a.txt" "$TEST_TMP/two.age"
	assert_status 0
	[ "$(echo "$output" | jq -r .Container.Name)" = src ]
	[ "$(echo "$output" | jq -r .Compression)" = zstd ]
	fb container restore --import "$TEST_TMP/by-age.age" --decrypt-key "$TEST_TMP/keys/b.txt" --name one >/dev/null
	fb container restore --import "$TEST_TMP/two.age" --decrypt-key "$TEST_TMP/keys/b.txt" --name two >/dev/null
	wait_until '[ "$(last_count one fb)" -gt 3 ] && [ "$(last_count two fb)" -gt 3 ]'
	[ "$(fb inspect --format '{{.State.Status}}' one)" = running ]
	[ "$(fb inspect --format '{{.State.Status}}' two)" = running ]
}

@test "an encrypted archive without --decrypt-key, or with another identity, is refused and nothing is made" {
	make_encrypted
	f rm -f -t 0 src >/dev/null
	expect_refused --import "$TEST_TMP/enc.age"
	assert_output_contains "--decrypt-key"
	expect_refused --import "$TEST_TMP/enc.age" --decrypt-key "$TEST_TMP/keys/b.txt"
	assert_output_contains "no identity"
	expect_refused --import "$TEST_TMP/enc.age" --decrypt-key "$TEST_TMP/keys/none.txt"
	assert_output_contains "none.txt"
	# A recipient is no identity.
	echo "$RCPT_A" >"$TEST_TMP/keys/rcpt.txt"
	expect_refused --import "$TEST_TMP/enc.age" --decrypt-key "$TEST_TMP/keys/rcpt.txt"
	assert_output_contains "not an age identity file"
}

@test "a cut, extended or edited encrypted stream is refused and nothing is made" {
	make_encrypted
	f rm -f -t 0 src >/dev/null
	hl=$(age_header_len "$TEST_TMP/enc.age")
	size=$(stat -c %s "$TEST_TMP/enc.age")
	# Cut at a chunk boundary, before the last chunk: every chunk left is
	# genuine, none is the final one.
	k=$(((size - hl - 1) / 65552))
	[ "$k" -ge 1 ]
	head -c $((hl + k * 65552)) "$TEST_TMP/enc.age" >"$TEST_TMP/cut-boundary.age"
	expect_refused --import "$TEST_TMP/cut-boundary.age" --decrypt-key "$TEST_TMP/keys/a.txt"
	assert_output_contains "truncated"
	head -c $((size - 100)) "$TEST_TMP/enc.age" >"$TEST_TMP/cut-inside.age"
	expect_refused --import "$TEST_TMP/cut-inside.age" --decrypt-key "$TEST_TMP/keys/a.txt"
	head -c $((hl - 16)) "$TEST_TMP/enc.age" >"$TEST_TMP/cut-header.age"
	expect_refused --import "$TEST_TMP/cut-header.age" --decrypt-key "$TEST_TMP/keys/a.txt"
	assert_output_contains "truncated"
	{ cat "$TEST_TMP/enc.age"; echo extra; } >"$TEST_TMP/extended.age"
	expect_refused --import "$TEST_TMP/extended.age" --decrypt-key "$TEST_TMP/keys/a.txt"
	# One flipped bit in the payload, then in the header's MAC.
	cp "$TEST_TMP/enc.age" "$TEST_TMP/flipped.age"
	printf '\x01' | dd of="$TEST_TMP/flipped.age" bs=1 seek=$((hl + 100)) conv=notrunc status=none
	expect_refused --import "$TEST_TMP/flipped.age" --decrypt-key "$TEST_TMP/keys/a.txt"
	assert_output_contains "does not authenticate"
	python3 - "$TEST_TMP/enc.age" "$TEST_TMP/mac.age" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
at = data.index(b"\n--- ") + 5
data[at] = ord("A") if data[at] != ord("A") else ord("B")
open(sys.argv[2], "wb").write(data)
PY
	expect_refused --import "$TEST_TMP/mac.age" --decrypt-key "$TEST_TMP/keys/a.txt"
	assert_output_contains "MAC"
}

@test "a signed and encrypted archive restores with both keys; a bad recipient stops the checkpoint first" {
	mkdir -p "$TEST_TMP/keys"
	openssl genpkey -algorithm ed25519 -out "$TEST_TMP/keys/s.pem" 2>/dev/null
	openssl pkey -in "$TEST_TMP/keys/s.pem" -pubout -out "$TEST_TMP/keys/s.pub"
	make_encrypted --sign-key "$TEST_TMP/keys/s.pem"
	run_ferry container checkpoint -e "$TEST_TMP/bad.age" --encrypt-recipient age1notarecipient src
	assert_status 125
	assert_one_line_error
	assert_output_contains "age1notarecipient"
	[ ! -e "$TEST_TMP/bad.age" ]
	[ "$(ctr_status src)" = running ]
	run_ferry container checkpoint --encrypt-recipient "$RCPT_A" src
	assert_status 125
	assert_output_contains "--export"
	[ "$(ctr_status src)" = running ]
	f rm -f -t 0 src >/dev/null
	run_fb archive inspect --decrypt-key "$TEST_TMP/keys/a.txt" --verify-key "$TEST_TMP/keys/s.pub" "$TEST_TMP/enc.age"
	assert_status 0
	[ "$(echo "$output" | jq -r .Encrypted)" = true ]
	[ "$(echo "$output" | jq -r .Trusted)" = true ]
	fb container restore --import "$TEST_TMP/enc.age" --decrypt-key "$TEST_TMP/keys/a.txt" --verify-key "$TEST_TMP/keys/s.pub" >/dev/null
	n=$(last_count src fb)
	wait_until "[ \"\$(last_count src fb)\" -gt $((n + 1)) ]"
	assert_counts_on src fb
}
