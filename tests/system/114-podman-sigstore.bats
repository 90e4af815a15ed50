#!/usr/bin/env bats
# Signing on push and sigstore signatures, as a Podman user has them:
# push, manifest push and artifact push --sign-by (GnuPG simple signing,
# the list and each of its images) with --sign-passphrase-file; policy
# sigstoreSigned requirements verified against the registry's sigstore
# attachments with Podman's refusals.  Each test has a policy, a
# registries.d and a $HOME of its own (the host's /etc/containers is never
# touched); ferry is compared with stored transcripts, and with Podman 5.4
# run live where it is installed.

load helpers
load ../lib/registry
load podman-helpers
load trust-helpers

bats_require_minimum_version 1.5.0

eval "sigstore_$(declare -f setup)"
setup() {
	sigstore_setup
	trust_env
}

eval "sigstore_$(declare -f teardown)"
teardown() {
	podman_teardown
	if [ -n "${GNUPGHOME:-}" ] && [ -d "$GNUPGHOME" ]; then
		gpgconf --kill gpg-agent 2>/dev/null || true
	fi
	sigstore_teardown
}

# The registry is plain HTTP: Podman's image sign and pull are told so.
registry_insecure() {
	printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REGISTRY" >"$CONTAINERS_REGISTRIES_CONF"
}

# GPG keys in the test's $GNUPGHOME: "Ferry Test <ferry@example.com>"
# without a passphrase and "Pass Test <pass@example.com>" with "s3cret";
# their public keys in $TEST_TMP/key.asc and pass.asc.
make_gpg_keys() {
	export GNUPGHOME=$TEST_TMP/gnupg
	mkdir -p "$GNUPGHOME"
	chmod 700 "$GNUPGHOME"
	gpg --batch --passphrase '' --quick-gen-key "Ferry Test <ferry@example.com>" future-default default never 2>/dev/null
	gpg --batch --passphrase 's3cret' --pinentry-mode loopback --quick-gen-key "Pass Test <pass@example.com>" future-default default never 2>/dev/null
	gpg --export --armor ferry@example.com >"$TEST_TMP/key.asc"
	gpg --export --armor pass@example.com >"$TEST_TMP/pass.asc"
	printf 's3cret\n' >"$TEST_TMP/pass.txt"
	printf 'wrong\n' >"$TEST_TMP/wrong.txt"
	# No passphrase is remembered between two signings.
	gpgconf --kill gpg-agent 2>/dev/null || true
}

# signed_policy NAME KEYFILE: signatures by KEYFILE's key are required for
# the registry's images.
signed_policy() {
	policy "$1" "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"$REGISTRY\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"$2\"}]}}}"
}

# payload FILE: the JSON a simple signature signs.
payload() {
	gpg --decrypt "$1" 2>/dev/null
}

@test "push, manifest push and artifact push --sign-by: the list and each of its images signed under the destination's name, with --sign-passphrase-file; both tools verify them" {
	registry_start
	registry_insecure
	make_gpg_keys
	lookaside "$TEST_TMP/look"
	signed_policy signed "$TEST_TMP/key.asc"
	signed_policy pass "$TEST_TMP/pass.asc"
	load_test_image
	f manifest create localhost/flist >/dev/null
	f manifest add localhost/flist localhost/ferry-test:latest >/dev/null

	f manifest push -q --tls-verify=false --sign-by ferry@example.com --digestfile "$TEST_TMP/list.digest" \
		localhost/flist "$REGISTRY/sig/list:v1"
	local list inst
	list=$(cat "$TEST_TMP/list.digest")
	inst=$(skopeo inspect --raw --tls-verify=false "docker://$REGISTRY/sig/list:v1" | jq -r '.manifests[0].digest')
	# One signature for the list and one for its image, each naming the
	# destination, as Podman writes them.
	[ "$(find "$TEST_TMP/look" -type f | sed "s#$TEST_TMP/look/##" | sort)" = "$(printf '%s\n' \
		"sig/list@sha256=${list#sha256:}/signature-1" "sig/list@sha256=${inst#sha256:}/signature-1" | sort)" ]
	payload "$TEST_TMP/look/sig/list@sha256=${inst#sha256:}/signature-1" | jq -e --arg d "$inst" --arg r "$REGISTRY/sig/list:v1" \
		'.critical.type == "atomic container signature" and .critical.image["docker-manifest-digest"] == $d and .critical.identity["docker-reference"] == $r'
	payload "$TEST_TMP/look/sig/list@sha256=${list#sha256:}/signature-1" | jq -e --arg d "$list" \
		'.critical.image["docker-manifest-digest"] == $d'
	f rmi -a -f >/dev/null
	f pull -q --tls-verify=false --signature-policy "$TEST_TMP/signed.json" "$REGISTRY/sig/list:v1" >/dev/null

	# A key with a passphrase: from the file, a wrong one refused with
	# gpg's reason, a missing file before anything is pushed.
	load_test_image
	{
		tstep f push -q --tls-verify=false --sign-by pass@example.com --sign-passphrase-file "$TEST_TMP/pass.txt" ferry-test "$REGISTRY/sig/pass:v1"
		# gpg-agent would remember the good one.
		gpgconf --kill gpg-agent
		tstep f push -q --tls-verify=false --sign-by pass@example.com --sign-passphrase-file "$TEST_TMP/wrong.txt" ferry-test "$REGISTRY/sig/wrong:v1" |
			sed -E 's/^(Error: creating signature: ).*(Bad passphrase)$/\1\2/'
		tstep f push -q --tls-verify=false --sign-by pass@example.com --sign-passphrase-file "$TEST_TMP/none.txt" ferry-test "$REGISTRY/sig/none:v1"
		tstep f manifest push -q --tls-verify=false --sign-by pass@example.com --sign-passphrase-file "$TEST_TMP/none.txt" localhost/flist "$REGISTRY/sig/none:v2"
	} >"$TEST_TMP/f.log"
	cat >"$TEST_TMP/expected" <<-'EOF'
		$ push -q --tls-verify=false --sign-by pass@example.com --sign-passphrase-file TMP/pass.txt ferry-test REG/sig/pass:v1 -> 0
		$ push -q --tls-verify=false --sign-by pass@example.com --sign-passphrase-file TMP/wrong.txt ferry-test REG/sig/wrong:v1 -> 125
		Error: creating signature: Bad passphrase
		$ push -q --tls-verify=false --sign-by pass@example.com --sign-passphrase-file TMP/none.txt ferry-test REG/sig/none:v1 -> 125
		Error: open TMP/none.txt: no such file or directory
		$ manifest push -q --tls-verify=false --sign-by pass@example.com --sign-passphrase-file TMP/none.txt localhost/flist REG/sig/none:v2 -> 125
		Error: open TMP/none.txt: no such file or directory
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.log"
	[ ! -e "$REGISTRY_DIR/docker/registry/v2/repositories/sig/none" ]
	f rmi -a -f >/dev/null
	f pull -q --tls-verify=false --signature-policy "$TEST_TMP/pass.json" "$REGISTRY/sig/pass:v1" >/dev/null
	# No passphrase file was left behind by gpg's runs.
	[ -z "$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'ferry-gpg-*' -newer "$TEST_TMP/pass.txt" 2>/dev/null)" ]

	# An artifact is signed as an image is.
	printf 'model\n' >"$TEST_TMP/model.bin"
	f artifact add "$REGISTRY/sig/art:v1" "$TEST_TMP/model.bin" >/dev/null
	f artifact push -q --tls-verify=false --sign-by ferry@example.com --digestfile "$TEST_TMP/art.digest" "$REGISTRY/sig/art:v1"
	payload "$TEST_TMP/look/sig/art@$(tr : = <"$TEST_TMP/art.digest")/signature-1" | jq -e --arg d "$(cat "$TEST_TMP/art.digest")" --arg r "$REGISTRY/sig/art:v1" \
		'.critical.image["docker-manifest-digest"] == $d and .critical.identity["docker-reference"] == $r'

	need_podman
	# Podman verifies ferry's signatures of the list and of the image.
	podman_t pull -q --signature-policy "$TEST_TMP/signed.json" "$REGISTRY/sig/list:v1" >/dev/null
	podman_t pull -q --signature-policy "$TEST_TMP/pass.json" "$REGISTRY/sig/pass:v1" >/dev/null
	# Podman signs the same things for the same list: one signature each.
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t manifest create localhost/plist >/dev/null
	podman_t manifest add localhost/plist containers-storage:localhost/ferry-test:latest >/dev/null
	podman_t manifest push -q --sign-by ferry@example.com --digestfile "$TEST_TMP/plist.digest" localhost/plist "$REGISTRY/sig/plist:v1"
	[ "$(find "$TEST_TMP/look/sig" -path '*plist@*' -type f | wc -l)" = 2 ]
	[ -f "$TEST_TMP/look/sig/plist@$(tr : = <"$TEST_TMP/plist.digest")/signature-1" ]
	gpgconf --kill gpg-agent
	{
		tstep podman_t push -q --sign-by pass@example.com --sign-passphrase-file "$TEST_TMP/pass.txt" ferry-test "$REGISTRY/sig/pass:v1"
		gpgconf --kill gpg-agent
		tstep podman_t push -q --sign-by pass@example.com --sign-passphrase-file "$TEST_TMP/wrong.txt" ferry-test "$REGISTRY/sig/wrong:v1"
		tstep podman_t push -q --sign-by pass@example.com --sign-passphrase-file "$TEST_TMP/none.txt" ferry-test "$REGISTRY/sig/none:v1"
		tstep podman_t manifest push -q --sign-by pass@example.com --sign-passphrase-file "$TEST_TMP/none.txt" localhost/plist "$REGISTRY/sig/none:v2"
	} | sed -e 's/ --tls-verify=false//' >"$TEST_TMP/p.log"
	sed -e 's/ --tls-verify=false//' -e 's/flist/plist/' "$TEST_TMP/expected" | diff -u - "$TEST_TMP/p.log"
	[ ! -e "$REGISTRY_DIR/docker/registry/v2/repositories/sig/none" ]
}

# sigstore_keys: ECDSA P-256, another P-256, RSA and Ed25519 key pairs
# made by openssl (NAME.pem, NAME.pub under $TEST_TMP/keys).
sigstore_keys() {
	local k=$TEST_TMP/keys
	mkdir -p "$k"
	openssl ecparam -name prime256v1 -genkey -noout -out "$k/ec.pem"
	openssl ecparam -name prime256v1 -genkey -noout -out "$k/other.pem"
	openssl genrsa -out "$k/rsa.pem" 2048 2>/dev/null
	openssl genpkey -algorithm ed25519 -out "$k/ed.pem"
	local n
	for n in ec other rsa ed; do
		openssl pkey -in "$k/$n.pem" -pubout -out "$k/$n.pub"
	done
}

# attachments: registries.d (in $HOME) has the test registry's signatures
# read from (and written to) its sigstore attachments.
attachments() {
	printf 'docker:\n  %s:\n    use-sigstore-attachments: true\n' "$REGISTRY" >"$HOME/.config/containers/registries.d/test.yaml"
}

# attach REPO ARGS...: a sigstore attachment for the test image in REPO
# (tests/lib/sigstore-attach.py), naming $REGISTRY/REPO:v1 unless ARGS
# say otherwise.
attach() {
	local repo=$1
	shift
	python3 "$FERRY_SRC/tests/lib/sigstore-attach.py" "$REGISTRY" "$repo" "$DIGEST" --identity "$REGISTRY/$repo:v1" "$@"
}

# sigstore_policy NAME REQUIREMENT-MEMBERS: sigstoreSigned with those
# members for the registry's ferry/ namespace, everything else refused.
sigstore_policy() {
	policy "$1" "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"$REGISTRY/ferry\":[{\"type\":\"sigstoreSigned\",$2}]}}}"
}

@test "sigstoreSigned: signatures from the registry's sigstore attachments and the lookaside checked with ECDSA, RSA and Ed25519 keys; unsigned, a wrong key, a tampered payload, a wrong digest or identity are refused with Podman's words and nothing is stored" {
	registry_start
	registry_insecure
	sigstore_keys
	attachments
	local k=$TEST_TMP/keys r
	for r in good keys tampered digest identity unsigned type nosig rsa ed lookaside; do
		registry_seed "ferry/$r:v1"
	done
	DIGEST=$(registry_tag_digest ferry/good v1)
	attach ferry/good --key "$k/ec.pem"
	attach ferry/keys --key "$k/ec.pem"
	attach ferry/tampered --key "$k/ec.pem" --tamper
	attach ferry/digest --key "$k/ec.pem" --signed-digest "sha256:$(printf '0%.0s' {1..64})"
	attach ferry/identity --key "$k/ec.pem" --identity "$REGISTRY/other/x:v1"
	attach ferry/type --key "$k/ec.pem" --type "atomic container signature"
	attach ferry/nosig --key "$k/ec.pem" --no-signature
	attach ferry/rsa --key "$k/rsa.pem"
	attach ferry/ed --key "$k/ed.pem"
	# A sigstore signature in the lookaside store, as containers/image
	# keeps one there; signedBy sees no sigstore signature at all.
	attach ferry/lookaside --key "$k/ec.pem" --lookaside "$TEST_TMP/look"
	printf '    lookaside: file://%s\n' "$TEST_TMP/look" >>"$HOME/.config/containers/registries.d/test.yaml"
	# A list: Podman judges the image it picks from it, by that image's
	# own signatures, not the list's.
	load_test_image
	f manifest create localhost/flist >/dev/null
	f manifest add localhost/flist localhost/ferry-test:latest >/dev/null
	local l
	for l in lonly ionly; do
		f manifest push -q --tls-verify=false --digestfile "$TEST_TMP/$l.digest" localhost/flist "$REGISTRY/ferry/$l:v1"
	done
	python3 "$FERRY_SRC/tests/lib/sigstore-attach.py" "$REGISTRY" ferry/lonly "$(cat "$TEST_TMP/lonly.digest")" \
		--key "$k/ec.pem" --identity "$REGISTRY/ferry/lonly:v1"
	python3 "$FERRY_SRC/tests/lib/sigstore-attach.py" "$REGISTRY" ferry/ionly \
		"$(skopeo inspect --raw --tls-verify=false "docker://$REGISTRY/ferry/ionly:v1" | jq -r '.manifests[0].digest')" \
		--key "$k/ec.pem" --identity "$REGISTRY/ferry/ionly:v1"
	f rmi -a -f >/dev/null
	policy gpg "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"$REGISTRY/ferry\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"$k/ec.pub\"}]}}}"
	sigstore_policy ec "\"keyPath\":\"$k/ec.pub\""
	sigstore_policy other "\"keyPath\":\"$k/other.pub\""
	sigstore_policy paths "\"keyPaths\":[\"$k/other.pub\",\"$k/ec.pub\"]"
	sigstore_policy datas "\"keyDatas\":[\"$(base64 -w0 "$k/other.pub")\",\"$(base64 -w0 "$k/ec.pub")\"]"
	sigstore_policy rsa "\"keyPath\":\"$k/rsa.pub\""
	sigstore_policy ed "\"keyPath\":\"$k/ed.pub\""
	sigstore_policy both "\"keyPaths\":[\"$k/ed.pub\",\"$k/other.pub\"]"
	sigstore_policy missing "\"keyPath\":\"$k/none.pub\""
	sigstore_policy private "\"keyPath\":\"$k/ec.pem\""
	sigstore_policy repo "\"keyPath\":\"$k/ec.pub\",\"signedIdentity\":{\"type\":\"matchRepository\"}"
	sigstore_policy badb64 '"keyData":"@@"'

	local t
	for t in f podman_t; do
		[ "$t" = f ] || command -v podman >/dev/null || continue
		for r in "ec good:v1" "ec good@$DIGEST" "other good:v1" "paths keys:v1" "datas keys:v1" \
			"ec tampered:v1" "ec digest:v1" "ec identity:v1" "ec unsigned:v1" "ec type:v1" "ec nosig:v1" \
			"rsa rsa:v1" "ec rsa:v1" "ed ed:v1" "rsa good:v1" "ed good:v1" "both good:v1" \
			"missing good:v1" "private good:v1" "repo identity:v1" "badb64 good:v1" "ec lookaside:v1" \
			"gpg good:v1" "ec lonly:v1" "ec ionly:v1"; do
			tstep "$t" pull -q --tls-verify=false --signature-policy "$TEST_TMP/${r%% *}.json" "$REGISTRY/ferry/${r#* }"
			echo "images: $(images_count "$t")"
			"$t" rmi -a -f >/dev/null 2>&1 || true
		done
	done >"$TEST_TMP/all.log"
	cat >"$TEST_TMP/expected" <<-EOF
		\$ pull -q --tls-verify=false --signature-policy TMP/ec.json REG/ferry/good:v1 -> 0
		images: 1
		\$ pull -q --tls-verify=false --signature-policy TMP/ec.json REG/ferry/good@$DIGEST -> 0
		images: 1
		\$ pull -q --tls-verify=false --signature-policy TMP/other.json REG/ferry/good:v1 -> 125
		Error: Source image rejected: cryptographic signature verification failed: invalid signature when validating ASN.1 encoded signature
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/paths.json REG/ferry/keys:v1 -> 0
		images: 1
		\$ pull -q --tls-verify=false --signature-policy TMP/datas.json REG/ferry/keys:v1 -> 0
		images: 1
		\$ pull -q --tls-verify=false --signature-policy TMP/ec.json REG/ferry/tampered:v1 -> 125
		Error: Source image rejected: cryptographic signature verification failed: invalid signature when validating ASN.1 encoded signature
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/ec.json REG/ferry/digest:v1 -> 125
		Error: Source image rejected: Signature for digest sha256:$(printf '0%.0s' {1..64}) does not match
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/ec.json REG/ferry/identity:v1 -> 125
		Error: Source image rejected: Signature for identity "REG/other/x:v1" is not accepted
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/ec.json REG/ferry/unsigned:v1 -> 125
		Error: Source image rejected: A signature was required, but no signature exists
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/ec.json REG/ferry/type:v1 -> 125
		Error: Source image rejected: Unrecognized signature type atomic container signature
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/ec.json REG/ferry/nosig:v1 -> 125
		Error: Source image rejected: missing dev.cosignproject.cosign/signature annotation
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/rsa.json REG/ferry/rsa:v1 -> 0
		images: 1
		\$ pull -q --tls-verify=false --signature-policy TMP/ec.json REG/ferry/rsa:v1 -> 125
		Error: Source image rejected: cryptographic signature verification failed: ecdsa: Invalid IEEE_P1363 encoded bytes
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/ed.json REG/ferry/ed:v1 -> 0
		images: 1
		\$ pull -q --tls-verify=false --signature-policy TMP/rsa.json REG/ferry/good:v1 -> 125
		Error: Source image rejected: cryptographic signature verification failed: crypto/rsa: verification error
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/ed.json REG/ferry/good:v1 -> 125
		Error: Source image rejected: cryptographic signature verification failed: failed to verify signature
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/both.json REG/ferry/good:v1 -> 125
		Error: Source image rejected: cryptographic signature verification failed: failed to verify signature, invalid signature when validating ASN.1 encoded signature
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/missing.json REG/ferry/good:v1 -> 125
		Error: Source image rejected: open TMP/keys/none.pub: no such file or directory
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/private.json REG/ferry/good:v1 -> 125
		Error: Source image rejected: parsing public key 1: unknown Public key PEM file type: EC PRIVATE KEY. Are you passing the correct public key?
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/repo.json REG/ferry/identity:v1 -> 125
		Error: Source image rejected: Signature for identity "REG/other/x:v1" is not accepted
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/badb64.json REG/ferry/good:v1 -> 125
		Error: invalid policy in "TMP/badb64.json": illegal base64 data at input byte 0
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/ec.json REG/ferry/lookaside:v1 -> 0
		images: 1
		\$ pull -q --tls-verify=false --signature-policy TMP/gpg.json REG/ferry/good:v1 -> 125
		Error: Source image rejected: A signature was required, but no signature exists
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/ec.json REG/ferry/lonly:v1 -> 125
		Error: copying system image from manifest list: Source image rejected: A signature was required, but no signature exists
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/ec.json REG/ferry/ionly:v1 -> 0
		images: 1
	EOF
	n=$(wc -l <"$TEST_TMP/expected")
	head -n "$n" "$TEST_TMP/all.log" | diff -u "$TEST_TMP/expected" -
	# Nothing of the refused pulls stayed in the store's temp.
	[ -z "$(ls -A "$ROOT/storage/tmp" 2>/dev/null)" ]

	# Without use-sigstore-attachments no attachment is read; what ferry
	# cannot verify (Fulcio, Rekor, a PKI) is refused, never accepted.
	: >"$HOME/.config/containers/registries.d/test.yaml"
	sigstore_policy fulcio "\"fulcio\":{\"caPath\":\"$k/ec.pub\",\"oidcIssuer\":\"https://x\",\"subjectEmail\":\"a@b\"},\"rekorPublicKeyPath\":\"$k/ec.pub\""
	sigstore_policy rekor "\"keyPath\":\"$k/ec.pub\",\"rekorPublicKeyPath\":\"$k/ec.pub\""
	{
		tstep f pull -q --tls-verify=false --signature-policy "$TEST_TMP/ec.json" "$REGISTRY/ferry/good:v1"
		attachments
		tstep f pull -q --tls-verify=false --signature-policy "$TEST_TMP/fulcio.json" "$REGISTRY/ferry/good:v1"
		tstep f pull -q --tls-verify=false --signature-policy "$TEST_TMP/rekor.json" "$REGISTRY/ferry/good:v1"
		echo "images: $(images_count f)"
	} >"$TEST_TMP/f.log"
	cat >"$TEST_TMP/expected2" <<-'EOF'
		$ pull -q --tls-verify=false --signature-policy TMP/ec.json REG/ferry/good:v1 -> 125
		Error: Source image rejected: A signature was required, but no signature exists
		$ pull -q --tls-verify=false --signature-policy TMP/fulcio.json REG/ferry/good:v1 -> 125
		Error: Source image rejected: docker://REG/ferry/good:v1 requires a sigstore signature checked against a Fulcio certificate (fulcio) (sigstoreSigned in TMP/fulcio.json), which ferry cannot verify: the image is refused
		$ pull -q --tls-verify=false --signature-policy TMP/rekor.json REG/ferry/good:v1 -> 125
		Error: Source image rejected: docker://REG/ferry/good:v1 requires a sigstore signature checked against a Rekor log entry (rekorPublicKey*) (sigstoreSigned in TMP/rekor.json), which ferry cannot verify: the image is refused
		images: 0
	EOF
	diff -u "$TEST_TMP/expected2" "$TEST_TMP/f.log"

	need_podman
	tail -n +$((n + 1)) "$TEST_TMP/all.log" | diff -u "$TEST_TMP/expected" -
	: >"$HOME/.config/containers/registries.d/test.yaml"
	tstep podman_t pull -q --tls-verify=false --signature-policy "$TEST_TMP/ec.json" "$REGISTRY/ferry/good:v1" |
		diff -u <(head -n 2 "$TEST_TMP/expected2") -
}

# sigstore_private_keys: skopeo's sigstore key pairs $TEST_TMP/sk and sk2
# (.private, .pub), encrypted with the passphrase in $TEST_TMP/kp.txt.
sigstore_private_keys() {
	printf 'k3y pass\n' >"$TEST_TMP/kp.txt"
	printf 'wrong\n' >"$TEST_TMP/wrong.txt"
	skopeo generate-sigstore-key --output-prefix "$TEST_TMP/sk" --passphrase-file "$TEST_TMP/kp.txt" >/dev/null
	skopeo generate-sigstore-key --output-prefix "$TEST_TMP/sk2" --passphrase-file "$TEST_TMP/kp.txt" >/dev/null
}

# sig_layers REPO DIGEST: how many signatures REPO's attachment for DIGEST holds.
sig_layers() {
	skopeo inspect --raw --tls-verify=false "docker://$REGISTRY/$1:sha256-${2#sha256:}.sig" | jq '.layers | length'
}

@test "push and manifest push --sign-by-sigstore-private-key and --sign-by-sigstore: sigstore attachments both tools verify, Podman's verified by ferry, and Podman's refusals before anything is pushed" {
	registry_start
	registry_insecure
	sigstore_private_keys
	attachments
	load_test_image
	f manifest create localhost/flist >/dev/null
	f manifest add localhost/flist localhost/ferry-test:latest >/dev/null
	sigstore_policy sk "\"keyPath\":\"$TEST_TMP/sk.pub\""
	printf 'privateKeyFile: %s\nprivateKeyPassphraseFile: %s\n' "$TEST_TMP/sk.private" "$TEST_TMP/kp.txt" >"$TEST_TMP/params.yaml"
	printf 'privateKeyFile: %s\nprivateKeyPassphraseFile: %s\n' "$TEST_TMP/sk.private" "$TEST_TMP/wrong.txt" >"$TEST_TMP/wrongpass.yaml"
	printf 'privateKeyPassphraseFile: %s\n' "$TEST_TMP/kp.txt" >"$TEST_TMP/nokey.yaml"
	printf 'privateKeyFile: %s\nbogus: 1\n' "$TEST_TMP/sk.private" >"$TEST_TMP/bogus.yaml"

	f push -q --tls-verify=false --sign-by-sigstore-private-key "$TEST_TMP/sk.private" --sign-passphrase-file "$TEST_TMP/kp.txt" \
		--digestfile "$TEST_TMP/img.digest" ferry-test "$REGISTRY/ferry/img:v1"
	f manifest push -q --tls-verify=false --sign-by-sigstore-private-key "$TEST_TMP/sk.private" --sign-passphrase-file "$TEST_TMP/kp.txt" \
		--digestfile "$TEST_TMP/list.digest" localhost/flist "$REGISTRY/ferry/list:v1"
	local img list inst
	img=$(cat "$TEST_TMP/img.digest")
	list=$(cat "$TEST_TMP/list.digest")
	inst=$(skopeo inspect --raw --tls-verify=false "docker://$REGISTRY/ferry/list:v1" | jq -r '.manifests[0].digest')
	[ "$(sig_layers ferry/img "$img")" = 1 ]
	[ "$(sig_layers ferry/list "$list")" = 1 ]
	[ "$(sig_layers ferry/list "$inst")" = 1 ]
	# The payload names the destination and the digest, as Podman's does.
	skopeo inspect --raw --tls-verify=false "docker://$REGISTRY/ferry/img:sha256-${img#sha256:}.sig" |
		jq -r '.layers[0].digest' >"$TEST_TMP/payload.digest"
	curl -s "http://$REGISTRY/v2/ferry/img/blobs/$(cat "$TEST_TMP/payload.digest")" | jq -e --arg d "$img" --arg r "$REGISTRY/ferry/img:v1" \
		'.critical.type == "cosign container image signature" and .critical.image["docker-manifest-digest"] == $d and .critical.identity["docker-reference"] == $r'
	# A second signature joins the first.
	f push -q --tls-verify=false --sign-by-sigstore-private-key "$TEST_TMP/sk2.private" --sign-passphrase-file "$TEST_TMP/kp.txt" ferry-test "$REGISTRY/ferry/img:v1"
	[ "$(sig_layers ferry/img "$img")" = 2 ]
	f rmi -a -f >/dev/null
	f pull -q --tls-verify=false --signature-policy "$TEST_TMP/sk.json" "$REGISTRY/ferry/img:v1" >/dev/null
	f pull -q --tls-verify=false --signature-policy "$TEST_TMP/sk.json" "$REGISTRY/ferry/list:v1" >/dev/null

	# The refusals: a key that does not open stops the push before it
	# starts; without use-sigstore-attachments the image goes and the
	# signature is refused.
	load_test_image
	make_gpg_keys
	local t
	for t in f podman_t; do
		[ "$t" = f ] || command -v podman >/dev/null || continue
		if [ "$t" = podman_t ]; then
			podman_t load -q -i "$(ferry_test_image)" >/dev/null
			podman_t manifest create localhost/flist >/dev/null
			podman_t manifest add localhost/flist containers-storage:localhost/ferry-test:latest >/dev/null
		fi
		attachments
		tstep "$t" push -q --tls-verify=false --sign-by-sigstore-private-key "$TEST_TMP/sk.private" --sign-passphrase-file "$TEST_TMP/wrong.txt" ferry-test "$REGISTRY/ferry/no1:v1"
		tstep "$t" push -q --tls-verify=false --sign-by-sigstore-private-key "$TEST_TMP/sk.private" ferry-test "$REGISTRY/ferry/no2:v1" </dev/null
		tstep "$t" push -q --tls-verify=false --sign-by-sigstore-private-key "$TEST_TMP/none.private" --sign-passphrase-file "$TEST_TMP/kp.txt" ferry-test "$REGISTRY/ferry/no3:v1"
		tstep "$t" push -q --tls-verify=false --sign-by-sigstore-private-key "$TEST_TMP/sk.pub" --sign-passphrase-file "$TEST_TMP/kp.txt" ferry-test "$REGISTRY/ferry/no4:v1"
		tstep "$t" push -q --tls-verify=false --sign-by ferry@example.com --sign-by-sigstore-private-key "$TEST_TMP/sk.private" --sign-passphrase-file "$TEST_TMP/kp.txt" ferry-test "$REGISTRY/ferry/no5:v1"
		tstep "$t" manifest push -q --tls-verify=false --sign-by-sigstore-private-key "$TEST_TMP/sk.private" --sign-passphrase-file "$TEST_TMP/wrong.txt" localhost/flist "$REGISTRY/ferry/no6:v1"
		# Signing parameter files (containers-sigstore-signing-params.yaml).
		tstep "$t" push -q --tls-verify=false --sign-by-sigstore "$TEST_TMP/bogus.yaml" ferry-test "$REGISTRY/ferry/no7:v1"
		tstep "$t" push -q --tls-verify=false --sign-by-sigstore "$TEST_TMP/nokey.yaml" ferry-test "$REGISTRY/ferry/no8:v1"
		tstep "$t" push -q --tls-verify=false --sign-by-sigstore "$TEST_TMP/wrongpass.yaml" ferry-test "$REGISTRY/ferry/no9:v1"
		tstep "$t" push -q --tls-verify=false --sign-by-sigstore "$TEST_TMP/none.yaml" ferry-test "$REGISTRY/ferry/no10:v1"
		tstep "$t" push -q --tls-verify=false --sign-by-sigstore "$TEST_TMP/params.yaml" ferry-test "$REGISTRY/ferry/params-$t:v1"
		: >"$HOME/.config/containers/registries.d/test.yaml"
		tstep "$t" push -q --tls-verify=false --sign-by-sigstore-private-key "$TEST_TMP/sk.private" --sign-passphrase-file "$TEST_TMP/kp.txt" ferry-test "$REGISTRY/ferry/off-$t:v1"
		echo "repositories: $(curl -s "http://$REGISTRY/v2/_catalog" | jq -r '.repositories | map(select(startswith("ferry/no"))) | length')"
	done | sed 's/\(yaml: unmarshal errors:\) .*/\1/' >"$TEST_TMP/all.log"
	cat >"$TEST_TMP/expected" <<-'EOF'
		$ push -q --tls-verify=false --sign-by-sigstore-private-key TMP/sk.private --sign-passphrase-file TMP/wrong.txt ferry-test REG/ferry/no1:v1 -> 125
		Error: initializing private key: decrypt: encrypted: decryption failed
		$ push -q --tls-verify=false --sign-by-sigstore-private-key TMP/sk.private ferry-test REG/ferry/no2:v1 -> 125
		Error: initializing private key: decrypt: encrypted: decryption failed
		$ push -q --tls-verify=false --sign-by-sigstore-private-key TMP/none.private --sign-passphrase-file TMP/kp.txt ferry-test REG/ferry/no3:v1 -> 125
		Error: reading private key from TMP/none.private: open TMP/none.private: no such file or directory
		$ push -q --tls-verify=false --sign-by-sigstore-private-key TMP/sk.pub --sign-passphrase-file TMP/kp.txt ferry-test REG/ferry/no4:v1 -> 125
		Error: initializing private key: unsupported pem type: PUBLIC KEY
		$ push -q --tls-verify=false --sign-by ferry@example.com --sign-by-sigstore-private-key TMP/sk.private --sign-passphrase-file TMP/kp.txt ferry-test REG/ferry/no5:v1 -> 125
		Error: only one of --sign-by and sign-by-sigstore-private-key can be used with --sign-passphrase-file
		$ manifest push -q --tls-verify=false --sign-by-sigstore-private-key TMP/sk.private --sign-passphrase-file TMP/wrong.txt localhost/flist REG/ferry/no6:v1 -> 125
		Error: initializing private key: decrypt: encrypted: decryption failed
		$ push -q --tls-verify=false --sign-by-sigstore TMP/bogus.yaml ferry-test REG/ferry/no7:v1 -> 125
		Error: setting up signing using parameter file "TMP/bogus.yaml": parsing "TMP/bogus.yaml": yaml: unmarshal errors:
		$ push -q --tls-verify=false --sign-by-sigstore TMP/nokey.yaml ferry-test REG/ferry/no8:v1 -> 125
		Error: no private key source provided (neither a private key nor Fulcio) when preparing to create sigstore signatures
		$ push -q --tls-verify=false --sign-by-sigstore TMP/wrongpass.yaml ferry-test REG/ferry/no9:v1 -> 125
		Error: initializing private key: decrypt: encrypted: decryption failed
		$ push -q --tls-verify=false --sign-by-sigstore TMP/none.yaml ferry-test REG/ferry/no10:v1 -> 125
		Error: setting up signing using parameter file "TMP/none.yaml": reading "TMP/none.yaml": open TMP/none.yaml: no such file or directory
		$ push -q --tls-verify=false --sign-by-sigstore TMP/params.yaml ferry-test REG/ferry/params-f:v1 -> 0
		$ push -q --tls-verify=false --sign-by-sigstore-private-key TMP/sk.private --sign-passphrase-file TMP/kp.txt ferry-test REG/ferry/off-f:v1 -> 125
		Error: writing signatures: writing sigstore attachments is disabled by configuration
		repositories: 0
	EOF
	n=$(wc -l <"$TEST_TMP/expected")
	head -n "$n" "$TEST_TMP/all.log" | diff -u "$TEST_TMP/expected" -
	# The image without a signature went, as Podman's does.
	skopeo inspect --raw --tls-verify=false "docker://$REGISTRY/ferry/off-f:v1" >/dev/null
	# ferry's refusal of a bad parameter file is one line; what ferry
	# cannot do (Fulcio, Rekor) is refused before anything is pushed.
	run_ferry push -q --tls-verify=false --sign-by-sigstore "$TEST_TMP/bogus.yaml" ferry-test "$REGISTRY/ferry/no7:v1"
	[ "$output" = "Error: setting up signing using parameter file \"$TEST_TMP/bogus.yaml\": parsing \"$TEST_TMP/bogus.yaml\": yaml: unmarshal errors: line 2: field bogus not found in type params.SigningParameterFile" ]
	printf 'privateKeyFile: %s\nrekorURL: http://127.0.0.1:9\n' "$TEST_TMP/sk.private" >"$TEST_TMP/rekor.yaml"
	attachments
	run_ferry push -q --tls-verify=false --sign-by-sigstore "$TEST_TMP/rekor.yaml" ferry-test "$REGISTRY/ferry/no11:v1"
	assert_status 125
	[ "$output" = "Error: setting up signing using parameter file \"$TEST_TMP/rekor.yaml\": ferry cannot sign with Fulcio or record signatures in Rekor (fulcio, rekorURL): sign with privateKeyFile alone" ]
	[ "$(curl -s "http://$REGISTRY/v2/_catalog" | jq -r '.repositories | map(select(startswith("ferry/no"))) | length')" = 0 ]
	f rmi -a -f >/dev/null
	f pull -q --tls-verify=false --signature-policy "$TEST_TMP/sk.json" "$REGISTRY/ferry/params-f:v1" >/dev/null

	need_podman
	tail -n +$((n + 1)) "$TEST_TMP/all.log" | sed -e 's/off-podman_t/off-f/' -e 's/params-podman_t/params-f/' | diff -u "$TEST_TMP/expected" -
	podman_t pull -q --signature-policy "$TEST_TMP/sk.json" "$REGISTRY/ferry/params-f:v1" >/dev/null
	# Podman verifies ferry's signatures; ferry verifies Podman's.
	attachments
	podman_t rmi -a -f >/dev/null
	podman_t pull -q --signature-policy "$TEST_TMP/sk.json" "$REGISTRY/ferry/img:v1" >/dev/null
	podman_t pull -q --signature-policy "$TEST_TMP/sk.json" "$REGISTRY/ferry/list:v1" >/dev/null
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t push -q --sign-by-sigstore-private-key "$TEST_TMP/sk.private" --sign-passphrase-file "$TEST_TMP/kp.txt" \
		localhost/ferry-test "$REGISTRY/ferry/podman:v1"
	f rmi -a -f >/dev/null
	f pull -q --tls-verify=false --signature-policy "$TEST_TMP/sk.json" "$REGISTRY/ferry/podman:v1" >/dev/null
	# And refuses it for another key, with Podman's words.
	sigstore_policy sk2 "\"keyPath\":\"$TEST_TMP/sk2.pub\""
	diff -u <(tstep podman_t pull -q --tls-verify=false --signature-policy "$TEST_TMP/sk2.json" "$REGISTRY/ferry/podman:v1") \
		<(tstep f pull -q --tls-verify=false --signature-policy "$TEST_TMP/sk2.json" "$REGISTRY/ferry/podman:v1")
}

@test "sigstoreSigned in the policy file: the key members checked as Podman reads them, with its words, before any registry is asked" {
	local -a cases=(
		'"keyPaths":[]'
		'"keyDatas":[]'
		'"keyPaths":null'
		'"keyPaths":"x"'
		'"keyPaths":[1]'
		'"keyPath":1'
		'"keyPath":""'
		'"keyPath":null'
		'"keyData":1'
		'"keyDatas":["@"]'
		'"keyData":"@@","keyPath":"/x"'
		'"keyPath":"/x","keyPaths":["/y"]'
		'"keyData":"AA="'
		'"keyDatas":["AA=A"]'
		'"keyData":"AAAAA\nA"'
	)
	local i t
	for t in f podman_t; do
		[ "$t" = f ] || command -v podman >/dev/null || continue
		for i in "${!cases[@]}"; do
			policy "p$i" "{\"default\":[{\"type\":\"sigstoreSigned\",${cases[$i]}}]}"
			# Port 9 is closed: a policy read after the registry was asked
			# would show a connection error instead.
			tstep "$t" pull --tls-verify=false --signature-policy "$TEST_TMP/p$i.json" 127.0.0.1:9/x/y:1
		done
	done >"$TEST_TMP/all.log"
	cat >"$TEST_TMP/expected" <<-'EOF'
		$ pull --tls-verify=false --signature-policy TMP/p0.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p0.json": "keyPaths" contains no entries
		$ pull --tls-verify=false --signature-policy TMP/p1.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p1.json": "keyDatas" contains no entries
		$ pull --tls-verify=false --signature-policy TMP/p2.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p2.json": "keyPaths" contains no entries
		$ pull --tls-verify=false --signature-policy TMP/p3.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p3.json": json: cannot unmarshal string into Go value of type []string
		$ pull --tls-verify=false --signature-policy TMP/p4.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p4.json": json: cannot unmarshal number into Go value of type string
		$ pull --tls-verify=false --signature-policy TMP/p5.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p5.json": json: cannot unmarshal number into Go value of type string
		$ pull --tls-verify=false --signature-policy TMP/p6.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p6.json": exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified
		$ pull --tls-verify=false --signature-policy TMP/p7.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p7.json": exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified
		$ pull --tls-verify=false --signature-policy TMP/p8.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p8.json": json: cannot unmarshal number into Go value of type []uint8
		$ pull --tls-verify=false --signature-policy TMP/p9.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p9.json": illegal base64 data at input byte 0
		$ pull --tls-verify=false --signature-policy TMP/p10.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p10.json": illegal base64 data at input byte 0
		$ pull --tls-verify=false --signature-policy TMP/p11.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p11.json": exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified
		$ pull --tls-verify=false --signature-policy TMP/p12.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p12.json": illegal base64 data at input byte 3
		$ pull --tls-verify=false --signature-policy TMP/p13.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p13.json": illegal base64 data at input byte 2
		$ pull --tls-verify=false --signature-policy TMP/p14.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p14.json": illegal base64 data at input byte 5
	EOF
	n=$(wc -l <"$TEST_TMP/expected")
	head -n "$n" "$TEST_TMP/all.log" | diff -u "$TEST_TMP/expected" -
	need_podman
	tail -n +$((n + 1)) "$TEST_TMP/all.log" | diff -u "$TEST_TMP/expected" -
}
