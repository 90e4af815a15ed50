#!/usr/bin/env bats
# Image layer encryption as Podman has it through containers/ocicrypt:
# push --encryption-key jwe:PUBKEY [--encrypt-layer N] and pull, run,
# create and artifact pull --decryption-key KEY, against a real registry
# (tests/lib/registry.bash).  Images ferry encrypts are pulled and run by
# Podman, and images Podman encrypts by ferry, for RSA and EC keys; a pull
# without the key, with the wrong one, or of a layer whose blob, HMAC or
# content was tampered with fails in Podman's words and leaves nothing in
# the store.  Podman, where installed, runs on roots of the test's own
# with file locks.

load helpers
load podman-helpers
load ../lib/registry

bats_require_minimum_version 1.5.0

eval "_enc_registry_$(declare -f setup)"
setup() {
	_enc_registry_setup
	podman_file_locks
}

teardown() {
	registry_stop
	podman_teardown
	ferry_teardown
}

ENC=application/vnd.oci.image.layer.v1.tar+gzip+encrypted
LOOK='cat /etc/ferry-release /opt/olddir/new; ls /opt/olddir; [ -e /etc/removed-by-layer2 ] || echo gone'
WANT=$(printf 'ferry-test-image 1\nnew file from layer 2\nnew\ngone')

# RSA and EC (P-256) key pairs in $TEST_TMP/keys, PKCS#8 as `openssl
# genpkey` writes them (Podman reads EC keys only in that form).
make_keys() {
	K=$TEST_TMP/keys
	mkdir -p "$K"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$K/rsa.pem" 2>/dev/null
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$K/ec.pem" 2>/dev/null
	openssl pkey -in "$K/rsa.pem" -pubout -out "$K/rsa.pub"
	openssl pkey -in "$K/ec.pem" -pubout -out "$K/ec.pub"
	# An RSA key under a passphrase.
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -aes-256-cbc -pass pass:sesame \
		-out "$K/locked.pem" 2>/dev/null
	openssl pkey -in "$K/locked.pem" -passin pass:sesame -pubout -out "$K/locked.pub"
}

registry_manifest() {
	curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REGISTRY/v2/$1/manifests/$2"
}

# The layers' media types of REPO:TAG, a word each ("enc" for an
# encrypted one, "plain" otherwise).
layer_kinds() {
	registry_manifest "$1" "$2" | jq -r '[.layers[] | if (.mediaType | endswith("+encrypted")) then "enc" else "plain" end] | join(" ")'
}

# Every encrypted layer of REPO:TAG: the annotations ocicrypt writes, the
# cipher it names, bytes that are not the plain blob's (no gzip magic).
check_encrypted() {
	local m=$TEST_TMP/check.json n i dg
	registry_manifest "$1" "$2" >"$m"
	n=$(jq '.layers | length' "$m")
	for ((i = 0; i < n; i++)); do
		jq -e ".layers[$i].mediaType | endswith(\"+encrypted\")" "$m" >/dev/null || continue
		jq -r ".layers[$i].annotations[\"org.opencontainers.image.enc.keys.jwe\"]" "$m" | base64 -d |
			jq -e '.protected and .iv and .ciphertext and .tag' >/dev/null
		[ "$(jq -r ".layers[$i].annotations[\"org.opencontainers.image.enc.pubopts\"]" "$m" | base64 -d | jq -r .cipher)" = AES_256_CTR_HMAC_SHA256 ]
		dg=$(jq -r ".layers[$i].digest" "$m")
		[ "$(head -c2 "$(registry_blob_path "$dg")" | od -An -tx1 | tr -d ' \n')" != 1f8b ]
	done
}

# registry_put_blob REPO FILE: uploads FILE as a blob, prints its digest.
registry_put_blob() {
	local dg loc
	dg=sha256:$(sha256sum <"$2" | cut -d' ' -f1)
	loc=$(curl -sf -X POST -D - -o /dev/null "http://$REGISTRY/v2/$1/blobs/uploads/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
	case "$loc" in http*) ;; *) loc=http://$REGISTRY$loc ;; esac
	curl -sf -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$2" "$loc&digest=$dg" >/dev/null
	echo "$dg"
}

# registry_put_manifest REPO TAG FILE
registry_put_manifest() {
	curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary "@$3" \
		"http://$REGISTRY/v2/$1/manifests/$2" >/dev/null
}

# Asserts that root B holds nothing: no image, layer, blob or temporary file.
assert_b_empty() {
	ROOT=$TEST_TMP/rootB assert_store_empty
	[ -z "$(fb images -q)" ]
}

@test "push --encryption-key: Podman pulls and runs what ferry encrypted, and ferry what Podman did, RSA and EC" {
	registry_start
	make_keys
	load_test_image
	id=$(f image inspect --format '{{.Id}}' ferry-test)
	for k in rsa ec; do
		run_ferry push -q --tls-verify=false --encryption-key "jwe:$K/$k.pub" ferry-test "$REGISTRY/enc/f:$k"
		assert_status 0
		[ "$(layer_kinds enc/f "$k")" = "enc enc" ]
		check_encrypted enc/f "$k"
		# The config, and so the image ID, is the plain image's.
		[ "$(registry_manifest enc/f "$k" | jq -r .config.digest)" = "sha256:$id" ]
	done
	# The test image's second layer is zstd: it stays zstd, encrypted.
	[ "$(registry_manifest enc/f rsa | jq -r '.layers[1].mediaType')" = application/vnd.oci.image.layer.v1.tar+zstd+encrypted ]
	# ferry pulls them back on another root with the key, and only with it.
	for k in rsa ec; do
		run_fb pull -q --tls-verify=false --decryption-key "$K/$k.pem" "$REGISTRY/enc/f:$k"
		assert_status 0
		[ "$output" = "$id" ]
		[ "$(fb run --rm "$REGISTRY/enc/f:$k" sh -c "$LOOK")" = "$WANT" ]
	done
	# Stored decrypted: the layers are the plain ones, and a push sends
	# them plain, with the digests ferry-test's own blobs have.
	# (No mount is tried: the registry has those blobs only encrypted.)
	mark=$(registry_log_mark)
	fb push -q --tls-verify=false "$REGISTRY/enc/f:rsa" "$REGISTRY/enc/again:1"
	[ "$(registry_requests "$mark" | grep -c 'mount=')" = 0 ]
	[ "$(layer_kinds enc/again 1)" = "plain plain" ]
	[ "$(registry_manifest enc/again 1 | jq -r '.layers[].digest')" = "$(archive_layer_digests "$(ferry_test_image)")" ]
	# A passphrase-protected key, with its passphrase in each of ocicrypt's forms.
	f push -q --tls-verify=false --encryption-key "jwe:$K/locked.pub" ferry-test "$REGISTRY/enc/f:locked"
	fb rmi -af >/dev/null
	echo sesame >"$TEST_TMP/pass"
	for spec in "$K/locked.pem:sesame" "$K/locked.pem:pass=sesame" "$K/locked.pem:file=$TEST_TMP/pass"; do
		run_fb pull -q --tls-verify=false --decryption-key "$spec" "$REGISTRY/enc/f:locked"
		assert_status 0
		fb rmi -f "$REGISTRY/enc/f:locked" >/dev/null
	done
	# run and create take the key too, and pull on their own.
	[ "$(fb run --rm --tls-verify=false --decryption-key "$K/ec.pem" "$REGISTRY/enc/f:ec" cat /etc/ferry-release)" = "ferry-test-image 1" ]
	fb rmi -af >/dev/null
	fb create -q --tls-verify=false --decryption-key "$K/rsa.pem" --name c "$REGISTRY/enc/f:rsa" true >/dev/null
	[ "$(fb image inspect --format '{{.Id}}' "$REGISTRY/enc/f:rsa")" = "$id" ]
	fb rm c >/dev/null

	need_podman
	for k in rsa ec; do
		run podman_t pull -q --tls-verify=false --decryption-key "$K/$k.pem" "$REGISTRY/enc/f:$k"
		[ "$status" -eq 0 ] || { echo "$output" >&2; false; }
		[ "$(podman_t run --rm --network none "$REGISTRY/enc/f:$k" sh -c "$LOOK")" = "$WANT" ]
	done
	# Podman's own encryption, pulled and run by ferry on a fresh root.
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	fb rmi -af >/dev/null
	for k in rsa ec; do
		podman_t push -q --tls-verify=false --encryption-key "jwe:$K/$k.pub" localhost/ferry-test:latest "$REGISTRY/enc/p:$k"
		[ "$(layer_kinds enc/p "$k")" = "enc enc" ]
		run_fb pull -q --tls-verify=false --decryption-key "$K/$k.pem" "$REGISTRY/enc/p:$k"
		assert_status 0
		[ "$output" = "$id" ]
		[ "$(fb run --rm "$REGISTRY/enc/p:$k" sh -c "$LOOK")" = "$WANT" ]
	done
	# Both tools store the decrypted image alike: the same layers, and
	# the same manifest (Podman's digest of it is ferry's).
	podman_t pull -q --tls-verify=false --decryption-key "$K/rsa.pem" "$REGISTRY/enc/p:rsa" >/dev/null
	[ "$(fb image inspect --format '{{.RootFS.Layers}}' "$REGISTRY/enc/p:rsa")" = \
		"$(podman_t image inspect --format '{{.RootFS.Layers}}' "$REGISTRY/enc/p:rsa")" ]
	[ "$(fb image inspect --format '{{.Digest}}' "$REGISTRY/enc/p:rsa")" = \
		"$(podman_t image inspect --format '{{.Digest}}' "$REGISTRY/enc/p:rsa")" ]
	# And push it again plain, as Podman does.
	podman_t push -q --tls-verify=false "$REGISTRY/enc/p:rsa" "$REGISTRY/enc/pagain:1"
	fb push -q --tls-verify=false "$REGISTRY/enc/p:rsa" "$REGISTRY/enc/fagain:1"
	[ "$(layer_kinds enc/pagain 1)" = "plain plain" ]
	[ "$(layer_kinds enc/fagain 1)" = "plain plain" ]
}

# What each tool says, and how it exits, pulling without the key, with the
# wrong one and with a key file that is not there; $1 is the tool.
missing_key_sequence() {
	local t=$1 img=$REGISTRY/enc/f:rsa
	: >"$TEST_TMP/$t.sed"
	step "$t" pull -q --tls-verify=false --decryption-key "$K/ec.pem" "$img"
	step "$t" pull -q --tls-verify=false --decryption-key "$K/nonexistent.pem" "$img"
	step "$t" pull -q --tls-verify=false "$img"
}

@test "pull without the key, with the wrong one or an unusable one: Podman's words and exit code, nothing stored" {
	registry_start
	make_keys
	load_test_image
	f push -q --tls-verify=false --encryption-key "jwe:$K/rsa.pub" ferry-test "$REGISTRY/enc/f:rsa"
	layer0=$(registry_manifest enc/f rsa | jq -r '.layers[0].digest')
	mark=$(registry_log_mark)
	run_fb pull -q --tls-verify=false "$REGISTRY/enc/f:rsa"
	assert_status 125
	assert_one_line_error
	assert_output_contains "Error: writing blob: layer 0 (blob \"$layer0\") is encrypted and cannot match config's DiffID: missing private key needed for decryption"
	assert_output_contains "--decryption-key"
	run_fb pull -q --tls-verify=false --decryption-key "$K/ec.pem" "$REGISTRY/enc/f:rsa"
	assert_status 125
	assert_one_line_error
	assert_output_contains "Error: decrypting layer $layer0: no suitable key unwrapper found or none of the private keys could be used for decryption"
	# A file that holds no key is passed over (as by Podman), and named.
	echo junk >"$TEST_TMP/junk.pem"
	run_fb pull -q --tls-verify=false --decryption-key "$TEST_TMP/junk.pem" "$REGISTRY/enc/f:rsa"
	assert_status 125
	assert_one_line_error
	assert_output_contains "junk.pem"
	# So is a locked key without its passphrase, or with a wrong one.
	run_fb pull -q --tls-verify=false --decryption-key "$K/locked.pem:wrong" "$REGISTRY/enc/f:rsa"
	assert_status 125
	assert_output_contains "missing private key needed for decryption"
	run_fb pull -q --tls-verify=false --decryption-key "$K/nonexistent.pem" "$REGISTRY/enc/f:rsa"
	assert_status 125
	assert_one_line_error
	assert_output_contains "Error: unable to obtain decryption config: invalid decryption keys: open $K/nonexistent.pem"
	# No layer was even fetched, and nothing is stored.
	[ "$(registry_blob_gets "$layer0" "$mark")" = 0 ]
	assert_b_empty
	# A decryption key is for a registry pull only: never ignored.
	run_fb pull --decryption-key "$K/rsa.pem" "oci-archive:$(ferry_test_image)"
	assert_status 125
	assert_output_contains "--decryption-key"

	# Podman's words, stored for where Podman is not installed.
	missing_key_sequence fb
	sed -E "s#$REGISTRY#REG#g; s#sha256:[0-9a-f]{64}#DIGEST#g; s/: (no such file|No such file).*/: ENOENT/; s/(missing private key needed for decryption|could be used for decryption):.*/\\1:/" \
		"$TEST_TMP/fb.log" >"$TEST_TMP/fb.norm"
	diff -u - "$TEST_TMP/fb.norm" <<-'EOF'
		$ pull -q --tls-verify=false --decryption-key TMP/keys/ec.pem REG/enc/f:rsa -> 125
		  err: Error: decrypting layer DIGEST: no suitable key unwrapper found or none of the private keys could be used for decryption:
		$ pull -q --tls-verify=false --decryption-key TMP/keys/nonexistent.pem REG/enc/f:rsa -> 125
		  err: Error: unable to obtain decryption config: invalid decryption keys: open TMP/keys/nonexistent.pem: ENOENT
		$ pull -q --tls-verify=false REG/enc/f:rsa -> 125
		  err: Error: writing blob: layer 0 (blob "DIGEST") is encrypted and cannot match config's DiffID: missing private key needed for decryption:
	EOF

	need_podman
	missing_key_sequence podman_t
	# With the wrong key Podman says what ferry says; without one, that
	# its layer 0 does not match the config's DiffID, which ferry's
	# first words say too.
	sed -E "s#$REGISTRY#REG#g; s#sha256:[0-9a-f]{64}#DIGEST#g; s/: (no such file|No such file).*/: ENOENT/; s/(missing private key needed for decryption|could be used for decryption):.*/\\1:/; /^  err: $/d; /level=warning/d; /^  err: (no suitable key found|- JWE)/d" \
		"$TEST_TMP/podman_t.log" >"$TEST_TMP/p.norm"
	head -4 "$TEST_TMP/p.norm" | diff -u - <(head -4 "$TEST_TMP/fb.norm")
	grep -q -- '-> 125$' <(sed -n 5p "$TEST_TMP/p.norm")
	[ "$(grep '^  err: Error:' "$TEST_TMP/p.norm" | sed -n 3p | cut -d' ' -f1-7)" = \
		"$(grep '^  err: Error:' "$TEST_TMP/fb.norm" | sed -n 3p | cut -d' ' -f1-7)" ]
	[ -z "$(podman_t images -q)" ]
}

@test "--encrypt-layer: the chosen layers encrypted, the others plain with their digests; bad indexes as Podman says" {
	registry_start
	make_keys
	load_test_image
	plain=$(archive_layer_digests "$(ferry_test_image)")
	run_ferry push -q --tls-verify=false --encryption-key "jwe:$K/ec.pub" --encrypt-layer -1 ferry-test "$REGISTRY/sub/f:last"
	assert_status 0
	[ "$(layer_kinds sub/f last)" = "plain enc" ]
	[ "$(registry_manifest sub/f last | jq -r '.layers[0].digest')" = "$(sed -n 1p <<<"$plain")" ]
	[ "$(registry_manifest sub/f last | jq -r '.layers[0].annotations')" = null ]
	run_ferry push -q --tls-verify=false --encryption-key "jwe:$K/ec.pub" --encrypt-layer 0 ferry-test "$REGISTRY/sub/f:first"
	assert_status 0
	[ "$(layer_kinds sub/f first)" = "enc plain" ]
	[ "$(registry_manifest sub/f first | jq -r '.layers[1].digest')" = "$(sed -n 2p <<<"$plain")" ]
	run_ferry push -q --tls-verify=false --encryption-key "jwe:$K/ec.pub" --encrypt-layer 0,1 ferry-test "$REGISTRY/sub/f:both"
	assert_status 0
	[ "$(layer_kinds sub/f both)" = "enc enc" ]
	# Without a key, as in Podman, the flag changes nothing.
	run_ferry push -q --tls-verify=false --encrypt-layer 0 ferry-test "$REGISTRY/sub/f:none"
	assert_status 0
	[ "$(layer_kinds sub/f none)" = "plain plain" ]
	for tag in last first; do
		run_fb pull -q --tls-verify=false --decryption-key "$K/ec.pem" "$REGISTRY/sub/f:$tag"
		assert_status 0
		[ "$(fb run --rm "$REGISTRY/sub/f:$tag" sh -c "$LOOK")" = "$WANT" ]
	done

	# Refused before anything is sent, in Podman's words.
	mark=$(registry_log_mark)
	bad_sequence() {
		local t=$1 img=$2
		: >"$TEST_TMP/$t.sed"
		step "$t" push -q --tls-verify=false --encryption-key "jwe:$K/ec.pub" --encrypt-layer 2 "$img" "$REGISTRY/sub/x:1"
		step "$t" push -q --tls-verify=false --encryption-key "jwe:$K/ec.pub" --encrypt-layer x "$img" "$REGISTRY/sub/x:1"
		step "$t" push -q --tls-verify=false --encryption-key "jwe:$K/ec.pub" --format v2s2 "$img" "$REGISTRY/sub/x:1"
		step "$t" push -q --tls-verify=false --encryption-key "foo:$K/ec.pub" "$img" "$REGISTRY/sub/x:1"
		step "$t" push -q --tls-verify=false --encryption-key "jwe:$K/ec.pem.missing" "$img" "$REGISTRY/sub/x:1"
	}
	bad_sequence f ferry-test
	[ "$(registry_blob_uploads "$mark")" = 0 ] || { registry_requests "$mark" >&2; cat "$TEST_TMP/f.log" >&2; false; }
	norm() {
		sed -E "s#$REGISTRY#REG#g; s#localhost/ferry-test:latest#ferry-test#; s/: (no such file|No such file).*/: ENOENT/; /^  err: See '/d" "$1" |
			sed -E 's/(Provided protocol not recognized|does not support encryption|out of range \(2 layers exist\)).*/\1/'
	}
	norm "$TEST_TMP/f.log" >"$TEST_TMP/f.norm"
	diff -u - "$TEST_TMP/f.norm" <<-'EOF'
		$ push -q --tls-verify=false --encryption-key jwe:TMP/keys/ec.pub --encrypt-layer 2 ferry-test REG/sub/x:1 -> 125
		  err: Error: when choosing layers to encrypt, layer index 2 out of range (2 layers exist)
		$ push -q --tls-verify=false --encryption-key jwe:TMP/keys/ec.pub --encrypt-layer x ferry-test REG/sub/x:1 -> 125
		  err: Error: invalid argument "x" for "--encrypt-layer" flag: strconv.Atoi: parsing "x": invalid syntax
		$ push -q --tls-verify=false --encryption-key jwe:TMP/keys/ec.pub --format v2s2 ferry-test REG/sub/x:1 -> 125
		  err: Error: encryption required together with format application/vnd.docker.distribution.manifest.v2+json, which does not support encryption
		$ push -q --tls-verify=false --encryption-key foo:TMP/keys/ec.pub ferry-test REG/sub/x:1 -> 125
		  err: Error: unable to obtain encryption config: invalid encryption keys: Provided protocol not recognized
		$ push -q --tls-verify=false --encryption-key jwe:TMP/keys/ec.pem.missing ferry-test REG/sub/x:1 -> 125
		  err: Error: unable to obtain encryption config: invalid encryption keys: open TMP/keys/ec.pem.missing: ENOENT
	EOF
	# A recipient kind ferry does not do is refused, never skipped.
	run_ferry push -q --tls-verify=false --encryption-key "pgp:someone@example.com" ferry-test "$REGISTRY/sub/x:1"
	assert_status 125
	assert_one_line_error
	assert_output_contains "pgp"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	bad_sequence podman_t localhost/ferry-test:latest
	norm "$TEST_TMP/podman_t.log" | sed -E 's/(Unable to read file: )?open /open /' >"$TEST_TMP/p.norm"
	diff -u "$TEST_TMP/p.norm" "$TEST_TMP/f.norm"
	# Podman's --encrypt-layer -1 encrypts the same layer.
	podman_t push -q --tls-verify=false --encryption-key "jwe:$K/ec.pub" --encrypt-layer -1 localhost/ferry-test:latest "$REGISTRY/sub/p:last"
	[ "$(layer_kinds sub/p last)" = "$(layer_kinds sub/f last)" ]
}

@test "an encrypted layer tampered with in the registry: refused before anything is stored" {
	registry_start
	make_keys
	load_test_image
	f push -q --tls-verify=false --encryption-key "jwe:$K/rsa.pub" ferry-test "$REGISTRY/bad/f:ok"
	m=$TEST_TMP/m.json
	registry_manifest bad/f ok >"$m"
	l0=$(jq -r '.layers[0].digest' "$m")

	# One byte of the encrypted blob flipped, uploaded under its new digest:
	# the digest checks out, the HMAC does not.
	cp "$(registry_blob_path "$l0")" "$TEST_TMP/flipped"
	printf '\x00' | dd of="$TEST_TMP/flipped" bs=1 seek=1000 conv=notrunc status=none
	cmp -s "$TEST_TMP/flipped" "$(registry_blob_path "$l0")" && printf '\x01' | dd of="$TEST_TMP/flipped" bs=1 seek=1000 conv=notrunc status=none
	flipped=$(registry_put_blob bad/f "$TEST_TMP/flipped")
	jq -c --arg d "$flipped" '.layers[0].digest = $d' "$m" >"$TEST_TMP/m1.json"
	registry_put_manifest bad/f flipped "$TEST_TMP/m1.json"
	run_fb pull -q --tls-verify=false --decryption-key "$K/rsa.pem" "$REGISTRY/bad/f:flipped"
	assert_status 125
	assert_one_line_error
	assert_output_contains "HMAC"
	assert_b_empty

	# The blob as it was, but the HMAC its options name is another.
	jq -c '.layers[0].annotations["org.opencontainers.image.enc.pubopts"] |= (@base64d | fromjson | .hmac = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" | tojson | @base64)' \
		"$m" >"$TEST_TMP/m2.json"
	registry_put_manifest bad/f badhmac "$TEST_TMP/m2.json"
	run_fb pull -q --tls-verify=false --decryption-key "$K/rsa.pem" "$REGISTRY/bad/f:badhmac"
	assert_status 125
	assert_output_contains "HMAC"
	assert_b_empty

	# The layers' blobs and keys swapped: each is whole and opens, but
	# what it decrypts to is not the layer the config's diff_id names.
	jq -c '.layers = [.layers[1], .layers[0]]' "$m" >"$TEST_TMP/m3.json"
	registry_put_manifest bad/f swapped "$TEST_TMP/m3.json"
	run_fb pull -q --tls-verify=false --decryption-key "$K/rsa.pem" "$REGISTRY/bad/f:swapped"
	assert_status 125
	assert_one_line_error
	assert_b_empty

	# Annotations that are not what ocicrypt writes.
	for edit in '.layers[0].annotations["org.opencontainers.image.enc.keys.jwe"] = "not base64!"' \
		'.layers[0].annotations["org.opencontainers.image.enc.keys.jwe"] = ("{\"protected\":5}" | @base64)' \
		'.layers[0].annotations["org.opencontainers.image.enc.pubopts"] = ("{\"cipher\":\"ROT13\"}" | @base64)' \
		'del(.layers[0].annotations)'; do
		jq -c "$edit" "$m" >"$TEST_TMP/m4.json"
		registry_put_manifest bad/f edited "$TEST_TMP/m4.json"
		run_fb pull -q --tls-verify=false --decryption-key "$K/rsa.pem" "$REGISTRY/bad/f:edited"
		assert_status 125
		assert_one_line_error
		assert_output_contains "decrypting layer $l0"
		assert_b_empty
	done
	# The untouched image still pulls.
	run_fb pull -q --tls-verify=false --decryption-key "$K/rsa.pem" "$REGISTRY/bad/f:ok"
	assert_status 0

	need_podman
	# Podman refuses the flipped and the HMAC-edited ones as well.
	for tag in flipped badhmac; do
		run podman_t pull -q --tls-verify=false --decryption-key "$K/rsa.pem" "$REGISTRY/bad/f:$tag"
		[ "$status" -eq 125 ] || { echo "$tag: $output" >&2; false; }
	done
	[ -z "$(podman_t images -q)" ]
}

@test "artifact pull --decryption-key: encrypted blobs kept plain, as Podman keeps them; without the key kept as they are" {
	registry_start
	make_keys
	load_test_image
	f push -q --tls-verify=false --encryption-key "jwe:$K/rsa.pub" ferry-test "$REGISTRY/art/f:1"
	layers() { "$@" artifact inspect "$REGISTRY/art/f:1" | jq -c '[.Digest, [.Manifest.layers[] | [.mediaType, .digest, (.annotations // {} | keys)]]]'; }
	run_fb artifact pull -q --tls-verify=false --decryption-key "$K/ec.pem" "$REGISTRY/art/f:1"
	assert_status 125
	assert_one_line_error
	assert_output_contains "none of the private keys could be used for decryption"
	[ -z "$(fb artifact ls -n)" ]
	run_fb artifact pull -q --tls-verify=false --decryption-key "$K/rsa.pem" "$REGISTRY/art/f:1"
	assert_status 0
	got=$(layers fb)
	# The plain blobs, under the image's own digests, no encryption left.
	[ "$(jq -r '.[1][][1]' <<<"$got")" = "$(archive_layer_digests "$(ferry_test_image)")" ]
	[ "$(jq -c '[.[1][][2]] | flatten' <<<"$got")" = "[]" ]
	[ "$(jq -r '.[1][][0]' <<<"$got" | grep -c encrypted)" = 0 ]
	# Without a key, kept encrypted as the registry has it.
	fb artifact rm "$REGISTRY/art/f:1" >/dev/null
	fb artifact pull -q --tls-verify=false "$REGISTRY/art/f:1"
	[ "$(layers fb | jq -r '.[1][][0]' | grep -c encrypted)" = 2 ]
	# Push takes no such flag, as Podman's.
	run_fb artifact push --decryption-key "$K/rsa.pem" "$REGISTRY/art/f:1"
	assert_status 125
	assert_output_contains "unknown flag: --decryption-key"

	need_podman
	fb artifact rm "$REGISTRY/art/f:1" >/dev/null
	fb artifact pull -q --tls-verify=false --decryption-key "$K/rsa.pem" "$REGISTRY/art/f:1"
	podman_t artifact pull -q --tls-verify=false --decryption-key "$K/rsa.pem" "$REGISTRY/art/f:1" >/dev/null 2>&1
	[ "$(layers podman_t)" = "$(layers fb)" ]
}

@test "a pull with --decryption-key killed at any point: the next command leaves the image whole or absent" {
	registry_start
	make_keys
	load_test_image
	f run --name mk ferry-test sh -c 'head -c 3000000 /dev/urandom >/data; md5sum /data >/sums' >/dev/null
	f commit -q mk big >/dev/null
	f rm mk >/dev/null
	sums=$(f run --rm big cat /sums)
	f push -q --tls-verify=false --encryption-key "jwe:$K/rsa.pub" big "$REGISTRY/kill/big:1"
	for delay in 0.05 0.15 0.3; do
		fb pull -q --tls-verify=false --decryption-key "$K/rsa.pem" "$REGISTRY/kill/big:1" >/dev/null 2>&1 &
		pid=$!
		sleep "$delay"
		# fb runs ferry from a subshell: SIGKILL ferry itself, by its ID.
		kill -9 $(pgrep -P "$pid") 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		if fb image exists "$REGISTRY/kill/big:1"; then
			[ "$(fb run --rm "$REGISTRY/kill/big:1" md5sum /data)" = "$sums" ]
			fb rmi -f "$REGISTRY/kill/big:1" >/dev/null
		fi
		# Whatever the pull had fetched or decrypted is gone by now.
		fb images -q >/dev/null
		[ -z "$(find "$TEST_TMP/rootB/storage/tmp" -mindepth 1 -maxdepth 1)" ]
	done
	run_fb pull -q --tls-verify=false --decryption-key "$K/rsa.pem" "$REGISTRY/kill/big:1"
	assert_status 0
	[ "$(fb run --rm "$REGISTRY/kill/big:1" md5sum /data)" = "$sums" ]
}
