#!/usr/bin/env bats
# Input from outside that must neither harm the host nor hang or crash
# ferry, third part (see 116 for the second): signatures whose content
# unpacks to far more than any signature holds, key files that ask for a
# key derivation of hours, signing files of gigabytes, a policy.json of
# many scopes; and what a SIGKILLed exec leaves.

load helpers
load ../lib/registry
load podman-helpers
load trust-helpers

bats_require_minimum_version 1.5.0

eval "untrusted3_$(declare -f setup)"
setup() {
	untrusted3_setup
	trust_env
}

eval "untrusted3_$(declare -f teardown)"
teardown() {
	local h
	for h in "$TEST_TMP"/gnupg*; do
		[ -d "$h" ] && GNUPGHOME=$h gpgconf --kill gpg-agent 2>/dev/null || true
	done
	podman_teardown
	untrusted3_teardown
}

# gpg_key HOME NAME: a throwaway key NAME <NAME@example.com> in HOME, its
# public half in $TEST_TMP/NAME.gpg.
gpg_key() {
	mkdir -p "$1"
	chmod 700 "$1"
	GNUPGHOME=$1 gpg --batch --passphrase '' --quick-gen-key "$2 <$2@example.com>" future-default sign never 2>/dev/null
	GNUPGHOME=$1 gpg --export "$2@example.com" >"$TEST_TMP/$2.gpg"
}

@test "a lookaside signature of a few hundred bytes that unpacks to 64 MiB is refused once past 4 MiB, not written out whole" {
	registry_start
	registry_seed ferry/test:v1
	printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REGISTRY" >"$CONTAINERS_REGISTRIES_CONF"
	local img=$REGISTRY/ferry/test:v1 digest dir
	digest=$(registry_tag_digest ferry/test v1)
	gpg_key "$TEST_TMP/gnupg" trusted
	gpg_key "$TEST_TMP/gnupg2" attacker
	# Anyone may sign: gpgv unpacks the message before it knows the key.
	dir=$TEST_TMP/sigs/ferry/test@sha256=${digest#sha256:}
	mkdir -p "$dir"
	head -c $((64 << 20)) /dev/zero |
		GNUPGHOME=$TEST_TMP/gnupg2 gpg --batch --compress-algo bzip2 -z 9 --sign -o "$dir/signature-1"
	[ "$(stat -c %s "$dir/signature-1")" -lt 4096 ]
	lookaside "$TEST_TMP/sigs"
	policy signed "{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"$TEST_TMP/trusted.gpg\"}]}"
	mkdir "$TEST_TMP/tmp"

	# Before, gpgv wrote all 64 MiB into ferry's temporary directory (a
	# signature of 4 MiB would have written terabytes) and ferry then said
	# the key was not trusted.
	export -f f
	export FERRY_BIN
	TMPDIR=$TEST_TMP/tmp run -125 timeout 60 bash -c 'f "$@"' f pull -q --tls-verify=false --signature-policy "$TEST_TMP/signed.json" "$img"
	echo "$output"
	[ "$output" = "Error: Source image rejected: parsing signature \"$dir/signature-1\": its signed content is larger than 4 MiB" ]
	[ "$(f images -q | wc -l)" = 0 ]
	# gpgv's directory is gone.
	[ -z "$(ls -A "$TEST_TMP/tmp")" ]
}

@test "a lookaside signature that unpacks to gigabytes of packets gpgv skips is given up after seconds of CPU, and stops the pull" {
	registry_start
	registry_seed ferry/test:v1
	printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REGISTRY" >"$CONTAINERS_REGISTRIES_CONF"
	local img=$REGISTRY/ferry/test:v1 digest dir i
	digest=$(registry_tag_digest ferry/test v1)
	gpg_key "$TEST_TMP/gnupg" trusted
	dir=$TEST_TMP/sigs/ferry/test@sha256=${digest#sha256:}
	mkdir -p "$dir"
	# A compressed packet holding one holding 4 GiB of marker packets,
	# which produce no output: 9 KiB here, 20 s of gpgv's CPU.  One of 4
	# MiB, nested deeper, would take days.
	python3 - "$dir/signature-1" <<-'EOF2'
		import sys, zlib
		c = zlib.compressobj(9, zlib.DEFLATED, -15)
		piece = c.compress(b'\xa8\x03PGP' * (1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
		inner = b'\xa3\x01' + piece * 800 + c.flush()
		c = zlib.compressobj(9, zlib.DEFLATED, -15)
		open(sys.argv[1], 'wb').write(b'\xa3\x01' + c.compress(inner) + c.flush())
	EOF2
	for i in 2 3 4; do
		cp "$dir/signature-1" "$dir/signature-$i"
	done
	lookaside "$TEST_TMP/sigs"
	policy signed "{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"$TEST_TMP/trusted.gpg\"}]}"

	# Before, gpgv unpacked all of each of the four, and ferry then said
	# none was an OpenPGP signature.
	export -f f
	export FERRY_BIN
	run -125 timeout 120 bash -c 'f "$@"' f pull -q --tls-verify=false --signature-policy "$TEST_TMP/signed.json" "$img"
	echo "$output"
	[ "$output" = "Error: Source image rejected: parsing signature \"$dir/signature-1\": verifying it took gpgv more than 5 s of CPU time" ]
	[ "$(f images -q | wc -l)" = 0 ]
}

# costly_key IN.pem OUT.pem FIELD VALUE...: the passphrase-protected PKCS#8
# key IN.pem (openssl pkcs8 -topk8, PBES2) with FIELD of its key
# derivation (pbkdf2: the iteration count; N, r, p: scrypt's) set to
# VALUE, as many pairs as given.  The key itself no longer opens; what
# matters is what it costs to find that out.
costly_key() {
	python3 - "$@" <<-'EOF2'
		import base64, sys
		def tlv(b, i):
		    tag, l = b[i], b[i + 1]
		    i += 2
		    if l & 0x80:
		        n = l & 0x7f
		        l = int.from_bytes(b[i:i + n], 'big')
		        i += n
		    return tag, b[i:i + l], i + l
		def parse(b):
		    out, i = [], 0
		    while i < len(b):
		        tag, body, i = tlv(b, i)
		        out.append([tag, parse(body) if tag == 0x30 else body])
		    return out
		def enc(nodes):
		    out = b''
		    for tag, body in nodes:
		        body = enc(body) if tag == 0x30 else body
		        n, k = len(body), (len(body).bit_length() + 7) // 8
		        out += bytes([tag]) + (bytes([n]) if n < 128 else bytes([0x80 | k]) + n.to_bytes(k, 'big')) + body
		    return out
		root = parse(base64.b64decode(open(sys.argv[1]).read().split('-----')[2]))
		# EncryptedPrivateKeyInfo { PBES2 { keyDerivationFunc { OID, params }, ... }, data }
		params = root[0][1][0][1][1][1][0][1][1][1]
		for field, value in zip(sys.argv[3::2], sys.argv[4::2]):
		    v = int(value)
		    params[{'pbkdf2': 1, 'N': 1, 'r': 2, 'p': 3}[field]][1] = v.to_bytes((v.bit_length() + 8) // 8, 'big')
		b64 = base64.encodebytes(enc(root)).decode()
		open(sys.argv[2], 'w').write('-----BEGIN ENCRYPTED PRIVATE KEY-----\n' + b64 + '-----END ENCRYPTED PRIVATE KEY-----\n')
	EOF2
}

@test "a passphrase-protected --decryption-key whose own key derivation would run for an hour is refused at once" {
	local K=$TEST_TMP/keys
	mkdir "$K"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$K/ec.pem" 2>/dev/null
	openssl pkcs8 -topk8 -v2 aes-256-cbc -iter 2048 -passout pass:pw -in "$K/ec.pem" -out "$K/pbkdf2.pem"
	openssl pkcs8 -topk8 -scrypt -scrypt_N 1024 -scrypt_r 8 -scrypt_p 1 -passout pass:pw -in "$K/ec.pem" -out "$K/scrypt.pem"
	# PBKDF2 with 2^31-1 iterations: 9 minutes here.  scrypt with N = 2^15,
	# r = 1 and p = 131000: 32 MiB, within what OpenSSL allows, and 40
	# minutes.
	costly_key "$K/pbkdf2.pem" "$K/slow-pbkdf2.pem" pbkdf2 2147483647
	costly_key "$K/scrypt.pem" "$K/slow-scrypt.pem" N 32768 r 1 p 131000
	export -f f
	export FERRY_BIN
	local k
	for k in slow-pbkdf2 slow-scrypt; do
		# No registry is asked: the keys are read first.
		run -125 timeout 30 bash -c 'f "$@"' f pull -q --tls-verify=false --decryption-key "$K/$k.pem:pw" 127.0.0.1:9/enc/f:x
		echo "$k: $output"
		[ "$output" = "Error: unable to obtain decryption config: invalid decryption keys: \`$K/$k.pem\` asks for a key derivation that costs more than 2^24 rounds to unlock it" ]
	done
	# The same keys as openssl made them open as before, and a wrong
	# passphrase still passes a key over.
	for k in pbkdf2 scrypt; do
		run -125 f pull -q --tls-verify=false --decryption-key "$K/$k.pem:pw" 127.0.0.1:9/enc/f:x
		[[ $output != *"key derivation"* ]]
		[[ $output == *"127.0.0.1:9"* ]]
	done
	[ "$(f images -q | wc -l)" = 0 ]
}

# sleepers N: true once container c runs N `sleep 1000`.
sleepers() {
	[ "$(f top c 2>/dev/null | grep -c 'sleep 1000')" = "$1" ]
}

@test "an exec SIGKILLed while its process runs leaves no process file the next exec does not remove" {
	load_test_image
	f run -d --name c ferry-test sleep 1000 >/dev/null
	local dir=$RUNROOT/runtime pid running
	[ -z "$(find "$dir" -maxdepth 1 -name 'exec-*')" ]
	"$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" exec c sleep 1000 &
	pid=$!
	# Killed once its process runs: the runtime has made its log by then.
	wait_until "sleepers 2"
	kill -9 "$pid"
	wait "$pid" || true
	# Before, exec-XXXXXX (the process's JSON) and its .log stayed there
	# for good, two more for each exec killed so.
	[ -n "$(find "$dir" -maxdepth 1 -name 'exec-*')" ]
	f exec c true
	find "$dir" -maxdepth 1 -name 'exec-*'
	[ -z "$(find "$dir" -maxdepth 1 -name 'exec-*')" ]
	# Those of one running are left alone.
	"$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" exec c sleep 1000 &
	pid=$!
	wait_until "sleepers 3"
	running=$(find "$dir" -maxdepth 1 -name 'exec-*' | sort)
	[ -n "$running" ]
	f exec c true
	[ "$(find "$dir" -maxdepth 1 -name 'exec-*' | sort)" = "$running" ]
	kill -9 "$pid"
	wait "$pid" || true
	f rm -f -t 0 c >/dev/null
}

@test "a signing key, parameter or passphrase file of gigabytes is refused after its first MiB, not read into memory whole" {
	load_test_image
	# 8 GiB of zeros that take no disk; a process's memory kept to 1 GiB
	# here, so that reading one whole fails fast instead of swapping.
	truncate -s 8G "$TEST_TMP/huge"
	printf 'privateKeyFile: %s\n' "$TEST_TMP/huge" >"$TEST_TMP/params.yaml"
	printf 'privateKeyFile: %s/key\nprivateKeyPassphraseFile: %s/huge\n' "$TEST_TMP" "$TEST_TMP" >"$TEST_TMP/params2.yaml"
	printf 'x\n' >"$TEST_TMP/key"
	export -f f
	export FERRY_BIN
	local -a cases=(
		"--sign-by-sigstore-private-key $TEST_TMP/huge"
		"--sign-by-sigstore-private-key $TEST_TMP/key --sign-passphrase-file $TEST_TMP/huge"
		"--sign-by-sigstore $TEST_TMP/huge"
		"--sign-by-sigstore $TEST_TMP/params.yaml"
		"--sign-by-sigstore $TEST_TMP/params2.yaml"
	)
	local c
	for c in "${cases[@]}"; do
		# No registry is asked: the keys are read first.
		run -125 timeout 60 bash -c 'ulimit -v 1048576; f "$@"' f push -q --tls-verify=false $c ferry-test 127.0.0.1:9/x:1
		echo "$c: $output"
		[[ $output == *"$TEST_TMP/huge"*"ile too large"* ]]
	done
}

@test "a policy.json naming 100000 scopes is read in linear time, not compared key by key for minutes" {
	python3 - "$TEST_TMP/big.json" <<-'EOF2'
		import json, sys
		scopes = {'r%d.example.com' % i: [{'type': 'insecureAcceptAnything'}] for i in range(100000)}
		scopes['r7.example.com/dup'] = [{'type': 'reject'}]
		json.dump({'default': [{'type': 'insecureAcceptAnything'}], 'transports': {'docker': scopes}}, open(sys.argv[1], 'w'))
	EOF2
	export -f f
	export FERRY_BIN
	# Before, each key was compared with every one before it in its
	# object: over a minute here for 6 MB, hours for a few times more.
	# The registry (none there) is asked only once the policy is read.
	run -125 timeout 30 bash -c 'f "$@"' f pull -q --tls-verify=false --retry 0 --signature-policy "$TEST_TMP/big.json" 127.0.0.1:9/x:1
	echo "$output"
	[[ $output == *"cannot reach registry 127.0.0.1:9"* ]]
	# Duplicates are still found, in a big object as in a small one.
	sed -i 's/"r99999.example.com"/"r5.example.com"/' "$TEST_TMP/big.json"
	run -125 timeout 30 bash -c 'f "$@"' f pull -q --tls-verify=false --retry 0 --signature-policy "$TEST_TMP/big.json" 127.0.0.1:9/x:1
	echo "$output"
	[ "$output" = "Error: invalid policy in \"$TEST_TMP/big.json\": Duplicate key \"r5.example.com\"" ]
}

@test "a policy.json of more than 16 MiB, or one that never ends, is refused in one line, not read into memory whole" {
	python3 -c "import sys; open(sys.argv[1], 'w').write('{\"default\": [{\"type\": \"insecureAcceptAnything\"}]}' + ' ' * (17 << 20))" \
		"$TEST_TMP/huge.json"
	run_ferry pull -q --tls-verify=false --retry 0 --signature-policy "$TEST_TMP/huge.json" 127.0.0.1:9/x:1
	assert_status 125
	[ "$output" = "Error: open $TEST_TMP/huge.json: file too large" ]
	# A character device gives zeros for good (bounded here so that a
	# ferry reading it whole fails at 1 GiB rather than taking the machine).
	run bash -c 'ulimit -v 1048576; exec "$@"' bash "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" \
		pull -q --tls-verify=false --retry 0 --signature-policy /dev/zero 127.0.0.1:9/x:1
	assert_status 125
	[ "$output" = "Error: open /dev/zero: file too large" ]
	[ -z "$(f images -q)" ]
}
