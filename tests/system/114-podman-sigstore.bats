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

bats_require_minimum_version 1.5.0

# File locks for this test's Podman (see 101-podman-volume-system.bats), a
# $HOME of the test's own (the default policy and registries.d are read
# from there first), and a registries.conf that lets Podman reach the
# plain-HTTP test registry once it is known.
eval "sigstore_$(declare -f setup)"
setup() {
	sigstore_setup
	printf '[engine]\nlock_type = "file"\n' >>"$CONTAINERS_CONF"
	export HOME=$TEST_TMP/home
	mkdir -p "$HOME/.config/containers/registries.d"
	export CONTAINERS_REGISTRIES_CONF=$TEST_TMP/registries.conf
	: >"$CONTAINERS_REGISTRIES_CONF"
}

eval "sigstore_$(declare -f teardown)"
teardown() {
	podman_teardown
	if [ -n "${GNUPGHOME:-}" ] && [ -d "$GNUPGHOME" ]; then
		gpgconf --kill gpg-agent 2>/dev/null || true
	fi
	sigstore_teardown
}

# policy NAME JSON: writes $TEST_TMP/NAME.json.
policy() {
	printf '%s\n' "$2" >"$TEST_TMP/$1.json"
}

# tstep TOOL ARGS...: runs TOOL, prints "$ ARGS -> CODE" and the first
# "Error: " line of its standard error, the test's directory as TMP and
# the registry as REG.
tstep() {
	local t=$1 rc=0 err
	shift
	err=$(mktemp "$TEST_TMP/err.XXXXXX")
	"$t" "$@" >/dev/null 2>"$err" || rc=$?
	{
		echo "\$ $* -> $rc"
		grep -m1 '^Error: ' "$err" || true
	} | sed -e "s#$TEST_TMP#TMP#g" -e "s#${REGISTRY:-@@none@@}#REG#g"
	rm -f "$err"
}

images_count() {
	"$1" images -q | wc -l
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

# lookaside DIR: registries.d (in $HOME) names file://DIR as the store of
# the test registry's images.
lookaside() {
	printf 'docker:\n  %s:\n    lookaside: file://%s\n' "$REGISTRY" "$1" >"$HOME/.config/containers/registries.d/test.yaml"
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
