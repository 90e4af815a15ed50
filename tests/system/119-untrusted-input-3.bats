#!/usr/bin/env bats
# Input from outside that must neither harm the host nor hang or crash
# ferry, third part (see 116 for the second): signatures whose content
# unpacks to far more than any signature holds.

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
	[ "$output" = "Error: Source image rejected: Invalid GPG signature: its signed content is larger than 4 MiB" ]
	[ "$(f images -q | wc -l)" = 0 ]
	# gpgv's directory is gone.
	[ -z "$(ls -A "$TEST_TMP/tmp")" ]
}
