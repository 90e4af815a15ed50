#!/usr/bin/env bats
# The image trust policy (containers-policy.json) and simple signing, as a
# Podman user has them: pull, run, create, load and artifact pull obey the
# policy with Podman's scopes and words; image trust show|set print and
# write what Podman does; image sign makes signatures Podman verifies and
# ferry verifies Podman's, through a registry and a file:// lookaside.
# Each test has a policy, a registries.d and a $HOME of its own (the
# host's /etc/containers is never touched); ferry is compared with stored
# transcripts, and with Podman 5.4 run live where it is installed.

load helpers
load ../lib/registry
load podman-helpers
load trust-helpers

bats_require_minimum_version 1.5.0

eval "trust_$(declare -f setup)"
setup() {
	trust_setup
	trust_env
}

eval "trust_$(declare -f teardown)"
teardown() {
	podman_teardown
	trust_teardown
}

# A throwaway GPG key "Ferry Test <ferry@example.com>" in $GNUPGHOME (the
# test's), exported to $TEST_TMP/key.gpg and key.asc, and another one's
# public key in $TEST_TMP/other.gpg.
make_keys() {
	export GNUPGHOME=$TEST_TMP/gnupg
	mkdir -p "$GNUPGHOME" "$TEST_TMP/gnupg2"
	chmod 700 "$GNUPGHOME" "$TEST_TMP/gnupg2"
	gpg --batch --passphrase '' --quick-gen-key "Ferry Test <ferry@example.com>" future-default default never 2>/dev/null
	gpg --export ferry@example.com >"$TEST_TMP/key.gpg"
	gpg --export --armor ferry@example.com >"$TEST_TMP/key.asc"
	GNUPGHOME=$TEST_TMP/gnupg2 gpg --batch --passphrase '' --quick-gen-key "Other <other@example.com>" future-default default never 2>/dev/null
	GNUPGHOME=$TEST_TMP/gnupg2 gpg --export other@example.com >"$TEST_TMP/other.gpg"
}

# Podman shows key IDs only with a gpg2 on its PATH.
podman_gpg2() {
	mkdir -p "$TEST_TMP/bin"
	ln -sf "$(command -v gpg)" "$TEST_TMP/bin/gpg2"
	PATH=$TEST_TMP/bin:$PATH podman_t "$@"
}

@test "trust policy: an invalid or missing policy file is refused with Podman's words, before any registry is asked" {
	local -a cases=(
		'{"default":'
		'{"default":[{"type":"insecureAcceptAnything"}],"foo":1}'
		'{"transports":{}}'
		'{"default":[]}'
		'{"default":null}'
		'{"default":{}}'
		'{"default":[1]}'
		'{"default":[{"type":"frob"}]}'
		'{"default":[{"type":"insecureAcceptAnything","x":1}]}'
		'{"default":[{"type":"signedBy","keyType":"GPGKeys"}]}'
		'{"default":[{"type":"signedBy","keyType":"X","keyPath":"/x"}]}'
		'{"default":[{"type":"signedBy","keyPath":"/x"}]}'
		'{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/x","keyData":"eA=="}]}'
		'{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/x","signedIdentity":{"type":"bogus"}}]}'
		'{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/x","signedIdentity":{"type":"matchExact","a":1}}]}'
		'{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/x","signedIdentity":{"type":"exactReference","dockerReference":"busybox"}}]}'
		'{"default":[{"type":"sigstoreSigned"}]}'
		'{"default":[{"type":"sigstoreSigned","keyPath":"/x","zz":1}]}'
		'{"default":[{"type":"reject"}],"transports":[]}'
		'{"default":[{"type":"reject"}],"transports":{"docker":[]}}'
		'{"default":[{"type":"reject"}],"transports":{"docker-archive":{"/x":[{"type":"reject"}]}}}'
		'{"default":[{"type":"reject"}],"default":[{"type":"insecureAcceptAnything"}]}'
		'{"default":[{"type":"reject"}]} x'
	)
	local i t
	for t in f podman_t; do
		[ "$t" = f ] || command -v podman >/dev/null || continue
		for i in "${!cases[@]}"; do
			policy "p$i" "${cases[$i]}"
			# Port 9 is closed: a policy read after the registry was asked
			# would show a connection error instead.
			tstep "$t" pull --tls-verify=false --signature-policy "$TEST_TMP/p$i.json" 127.0.0.1:9/x/y:1
		done
		tstep "$t" pull --tls-verify=false --signature-policy "$TEST_TMP/none.json" 127.0.0.1:9/x/y:1
		tstep "$t" load --signature-policy "$TEST_TMP/p7.json" -i "$(ferry_test_image)"
	done >"$TEST_TMP/all.log"
	n=$(( ${#cases[@]} + 2 ))
	head -n $(( n * 2 )) "$TEST_TMP/all.log" >"$TEST_TMP/f.log"
	cat >"$TEST_TMP/expected" <<-'EOF'
		$ pull --tls-verify=false --signature-policy TMP/p0.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p0.json": unexpected end of JSON input
		$ pull --tls-verify=false --signature-policy TMP/p1.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p1.json": Unknown key "foo"
		$ pull --tls-verify=false --signature-policy TMP/p2.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p2.json": Default policy is missing
		$ pull --tls-verify=false --signature-policy TMP/p3.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p3.json": List of verification policy requirements must not be empty
		$ pull --tls-verify=false --signature-policy TMP/p4.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p4.json": List of verification policy requirements must not be empty
		$ pull --tls-verify=false --signature-policy TMP/p5.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p5.json": json: cannot unmarshal object into Go value of type []json.RawMessage
		$ pull --tls-verify=false --signature-policy TMP/p6.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p6.json": json: cannot unmarshal number into Go value of type signature.prCommon
		$ pull --tls-verify=false --signature-policy TMP/p7.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p7.json": Unknown policy requirement type "frob"
		$ pull --tls-verify=false --signature-policy TMP/p8.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p8.json": Unknown key "x"
		$ pull --tls-verify=false --signature-policy TMP/p9.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p9.json": Exactly one of keyPath, keyPaths and keyData must be specified, none of them present
		$ pull --tls-verify=false --signature-policy TMP/p10.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p10.json": Unrecognized keyType value "X"
		$ pull --tls-verify=false --signature-policy TMP/p11.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p11.json": invalid keyType ""
		$ pull --tls-verify=false --signature-policy TMP/p12.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p12.json": Exactly one of keyPath, keyPaths and keyData must be specified, more than one present
		$ pull --tls-verify=false --signature-policy TMP/p13.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p13.json": Unknown policy reference match type "bogus"
		$ pull --tls-verify=false --signature-policy TMP/p14.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p14.json": Unknown key "a"
		$ pull --tls-verify=false --signature-policy TMP/p15.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p15.json": dockerReference "busybox" contains neither a tag nor digest
		$ pull --tls-verify=false --signature-policy TMP/p16.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p16.json": exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified
		$ pull --tls-verify=false --signature-policy TMP/p17.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p17.json": Unknown key "zz"
		$ pull --tls-verify=false --signature-policy TMP/p18.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p18.json": JSON object expected, got 91
		$ pull --tls-verify=false --signature-policy TMP/p19.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p19.json": JSON object expected, got 91
		$ pull --tls-verify=false --signature-policy TMP/p20.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p20.json": Unknown key "/x"
		$ pull --tls-verify=false --signature-policy TMP/p21.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p21.json": Duplicate key "default"
		$ pull --tls-verify=false --signature-policy TMP/p22.json 127.0.0.1:9/x/y:1 -> 125
		Error: invalid policy in "TMP/p22.json": invalid character 'x' after top-level value
		$ pull --tls-verify=false --signature-policy TMP/none.json 127.0.0.1:9/x/y:1 -> 125
		Error: open TMP/none.json: no such file or directory
	EOF
	# load: its own line (Podman's names each format it tried).
	head -n $(( n * 2 - 2 )) "$TEST_TMP/f.log" | diff -u "$TEST_TMP/expected" -
	sed -n "$(( n * 2 - 1 )),$(( n * 2 ))p" "$TEST_TMP/f.log" >"$TEST_TMP/load.log"
	grep -qx '\$ load --signature-policy TMP/p7.json -i .* -> 125' "$TEST_TMP/load.log"
	grep -qx 'Error: invalid policy in "TMP/p7.json": Unknown policy requirement type "frob"' "$TEST_TMP/load.log"
	[ "$(images_count f)" = 0 ]
	need_podman
	tail -n +$(( n * 2 + 1 )) "$TEST_TMP/all.log" | head -n $(( n * 2 - 2 )) | diff -u "$TEST_TMP/expected" -
}

@test "trust policy: reject and accept by scope (full reference, repository, namespace, host, wildcard, transport, default) for pull, run and create, as Podman" {
	registry_start
	registry_seed ferry/test:v1
	local R=$REGISTRY img=$REGISTRY/ferry/test:v1 name t
	local rej='[{"type":"reject"}]' acc='[{"type":"insecureAcceptAnything"}]'
	policy full "{\"default\":$acc,\"transports\":{\"docker\":{\"$R/ferry/test:v1\":$rej}}}"
	policy repo "{\"default\":$acc,\"transports\":{\"docker\":{\"$R/ferry/test\":$rej}}}"
	policy ns "{\"default\":$acc,\"transports\":{\"docker\":{\"$R/ferry\":$rej}}}"
	policy host "{\"default\":$acc,\"transports\":{\"docker\":{\"$R\":$rej}}}"
	policy wild "{\"default\":$acc,\"transports\":{\"docker\":{\"*.0.1\":$rej}}}"
	policy wildport "{\"default\":$acc,\"transports\":{\"docker\":{\"*.0.0.1:${R#*:}\":$rej}}}"
	policy transport "{\"default\":$acc,\"transports\":{\"docker\":{\"\":$rej}}}"
	policy default "{\"default\":$rej}"
	policy other "{\"default\":$acc,\"transports\":{\"docker\":{\"$R/other\":$rej,\"$R/ferry/test:v2\":$rej}}}"
	policy precise "{\"default\":$rej,\"transports\":{\"docker\":{\"$R\":$rej,\"$R/ferry/test\":$acc}}}"
	policy otherport "{\"default\":$acc,\"transports\":{\"docker\":{\"127.0.0.1\":$rej}}}"
	policy archive "{\"default\":$acc,\"transports\":{\"oci-archive\":{\"\":$rej}}}"
	policy both '{"default":[{"type":"insecureAcceptAnything"},{"type":"reject"}]}'
	policy bad '{"default":[]}'
	for t in f podman_t; do
		[ "$t" = f ] || command -v podman >/dev/null || continue
		for name in full repo ns host wild wildport transport default other precise otherport archive both; do
			tstep "$t" pull -q --tls-verify=false --signature-policy "$TEST_TMP/$name.json" "$img"
			echo "images: $(images_count "$t")"
			"$t" rmi -a >/dev/null 2>&1 || true
		done
		tstep "$t" run --rm --tls-verify=false --signature-policy "$TEST_TMP/repo.json" "$img" true
		tstep "$t" create --tls-verify=false --signature-policy "$TEST_TMP/host.json" "$img" true
		echo "images: $(images_count "$t") containers: $("$t" ps -aq | wc -l)"
		# push reads the policy (an invalid one is refused) but does not
		# judge a local image by it.
		tstep "$t" pull -q --tls-verify=false --signature-policy "$TEST_TMP/other.json" "$img"
		tstep "$t" push -q --tls-verify=false --signature-policy "$TEST_TMP/bad.json" "$img" "$R/ferry/pushed:v1"
		tstep "$t" push -q --tls-verify=false --signature-policy "$TEST_TMP/default.json" "$img" "$R/ferry/pushed:v1"
		"$t" rmi -a >/dev/null 2>&1 || true
		# The policy of $HOME comes before /etc/containers/policy.json, for
		# pull and artifact pull.
		cp "$TEST_TMP/default.json" "$HOME/.config/containers/policy.json"
		tstep "$t" pull -q --tls-verify=false "$img"
		tstep "$t" artifact pull --tls-verify=false "$img"
		echo "images: $(images_count "$t") artifacts: $("$t" artifact ls -n 2>/dev/null | wc -l)"
		rm "$HOME/.config/containers/policy.json"
	done >"$TEST_TMP/all.log"
	cat >"$TEST_TMP/expected" <<-EOF
		\$ pull -q --tls-verify=false --signature-policy TMP/full.json REG/ferry/test:v1 -> 125
		Error: Source image rejected: Running image docker://REG/ferry/test:v1 is rejected by policy.
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/repo.json REG/ferry/test:v1 -> 125
		Error: Source image rejected: Running image docker://REG/ferry/test:v1 is rejected by policy.
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/ns.json REG/ferry/test:v1 -> 125
		Error: Source image rejected: Running image docker://REG/ferry/test:v1 is rejected by policy.
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/host.json REG/ferry/test:v1 -> 125
		Error: Source image rejected: Running image docker://REG/ferry/test:v1 is rejected by policy.
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/wild.json REG/ferry/test:v1 -> 125
		Error: Source image rejected: Running image docker://REG/ferry/test:v1 is rejected by policy.
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/wildport.json REG/ferry/test:v1 -> 0
		images: 1
		\$ pull -q --tls-verify=false --signature-policy TMP/transport.json REG/ferry/test:v1 -> 125
		Error: Source image rejected: Running image docker://REG/ferry/test:v1 is rejected by policy.
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/default.json REG/ferry/test:v1 -> 125
		Error: Source image rejected: Running image docker://REG/ferry/test:v1 is rejected by policy.
		images: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/other.json REG/ferry/test:v1 -> 0
		images: 1
		\$ pull -q --tls-verify=false --signature-policy TMP/precise.json REG/ferry/test:v1 -> 0
		images: 1
		\$ pull -q --tls-verify=false --signature-policy TMP/otherport.json REG/ferry/test:v1 -> 0
		images: 1
		\$ pull -q --tls-verify=false --signature-policy TMP/archive.json REG/ferry/test:v1 -> 0
		images: 1
		\$ pull -q --tls-verify=false --signature-policy TMP/both.json REG/ferry/test:v1 -> 125
		Error: Source image rejected: Running image docker://REG/ferry/test:v1 is rejected by policy.
		images: 0
		\$ run --rm --tls-verify=false --signature-policy TMP/repo.json REG/ferry/test:v1 true -> 125
		Error: Source image rejected: Running image docker://REG/ferry/test:v1 is rejected by policy.
		\$ create --tls-verify=false --signature-policy TMP/host.json REG/ferry/test:v1 true -> 125
		Error: Source image rejected: Running image docker://REG/ferry/test:v1 is rejected by policy.
		images: 0 containers: 0
		\$ pull -q --tls-verify=false --signature-policy TMP/other.json REG/ferry/test:v1 -> 0
		\$ push -q --tls-verify=false --signature-policy TMP/bad.json REG/ferry/test:v1 REG/ferry/pushed:v1 -> 125
		Error: invalid policy in "TMP/bad.json": List of verification policy requirements must not be empty
		\$ push -q --tls-verify=false --signature-policy TMP/default.json REG/ferry/test:v1 REG/ferry/pushed:v1 -> 0
		\$ pull -q --tls-verify=false REG/ferry/test:v1 -> 125
		Error: Source image rejected: Running image docker://REG/ferry/test:v1 is rejected by policy.
		\$ artifact pull --tls-verify=false REG/ferry/test:v1 -> 125
		Error: Source image rejected: Running image docker://REG/ferry/test:v1 is rejected by policy.
		images: 0 artifacts: 0
	EOF
	n=$(wc -l <"$TEST_TMP/expected")
	head -n "$n" "$TEST_TMP/all.log" | diff -u "$TEST_TMP/expected" -
	need_podman
	tail -n +$((n + 1)) "$TEST_TMP/all.log" | diff -u "$TEST_TMP/expected" -
}

@test "trust policy: load of an oci-archive and a docker-archive, and import, obey their transports' scopes, and store nothing they refuse" {
	local oci docker acc='[{"type":"insecureAcceptAnything"}]' rej='[{"type":"reject"}]'
	oci=$TEST_TMP/img.tar
	docker=$TEST_TMP/docker.tar
	cp "$(ferry_test_image)" "$oci"
	skopeo copy --quiet "oci-archive:$oci" "docker-archive:$docker:ferry/test:v1"
	policy rejall "{\"default\":$rej}"
	policy ocipath "{\"default\":$rej,\"transports\":{\"oci-archive\":{\"$TEST_TMP\":$acc}}}"
	policy dockerdef "{\"default\":$acc,\"transports\":{\"docker-archive\":{\"\":$rej}}}"
	policy sigstore '{"default":[{"type":"sigstoreSigned","keyPath":"/x"}]}'
	tar cf "$TEST_TMP/root.tar" -C "$HOME" .
	{
		tstep f load --signature-policy "$TEST_TMP/rejall.json" -i "$oci"
		tstep f load --signature-policy "$TEST_TMP/rejall.json" -i "$docker"
		tstep f load --signature-policy "$TEST_TMP/dockerdef.json" -i "$docker"
		echo "images: $(images_count f)"
		tstep f load --signature-policy "$TEST_TMP/sigstore.json" -i "$oci"
		echo "images: $(images_count f)"
		tstep f load -q --signature-policy "$TEST_TMP/ocipath.json" -i "$oci"
		tstep f load -q --signature-policy "$TEST_TMP/dockerdef.json" -i "$oci"
		echo "images: $(images_count f)"
		tstep f import --signature-policy "$TEST_TMP/rejall.json" "$TEST_TMP/root.tar" imported
		echo "images: $(images_count f)"
	} >"$TEST_TMP/f.log"
	cat >"$TEST_TMP/expected" <<-'EOF'
		$ load --signature-policy TMP/rejall.json -i TMP/img.tar -> 125
		Error: Source image rejected: Running image oci-archive:TMP/img.tar: is rejected by policy.
		$ load --signature-policy TMP/rejall.json -i TMP/docker.tar -> 125
		Error: Source image rejected: Running image docker-archive:TMP/docker.tar:docker.io/ferry/test:v1 is rejected by policy.
		$ load --signature-policy TMP/dockerdef.json -i TMP/docker.tar -> 125
		Error: Source image rejected: Running image docker-archive:TMP/docker.tar:docker.io/ferry/test:v1 is rejected by policy.
		images: 0
		$ load --signature-policy TMP/sigstore.json -i TMP/img.tar -> 125
		Error: Source image rejected: A signature was required, but no signature exists
		images: 0
		$ load -q --signature-policy TMP/ocipath.json -i TMP/img.tar -> 0
		$ load -q --signature-policy TMP/dockerdef.json -i TMP/img.tar -> 0
		images: 1
		$ import --signature-policy TMP/rejall.json TMP/root.tar imported -> 125
		Error: Source image rejected: Running image tarball:TMP/root.tar is rejected by policy.
		images: 1
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.log"
	# Nothing of the refused loads stayed behind in the store's temp.
	[ -z "$(ls -A "$ROOT/storage/tmp" 2>/dev/null)" ]
	need_podman
	# Podman names every format it tried; the one that matched says what
	# ferry says.
	local line
	for line in 1 3 5; do
		args=$(sed -n "${line}p" "$TEST_TMP/expected" | sed -e 's/^\$ //' -e 's/ -> .*//' -e "s#TMP#$TEST_TMP#g")
		# shellcheck disable=SC2086
		run podman_t $args
		[ "$status" = 125 ]
		want=$(sed -n "$((line + 1))p" "$TEST_TMP/expected" | sed -e 's/^Error: //' -e "s#TMP#$TEST_TMP#g")
		[[ $output == *"$want"* ]] || { echo "Podman: $output"; echo "ferry: $want"; false; }
	done
	[ "$(images_count podman_t)" = 0 ]
	tstep podman_t import --signature-policy "$TEST_TMP/rejall.json" "$TEST_TMP/root.tar" imported |
		diff -u <(sed -n '/^\$ import/,/^Error/p' "$TEST_TMP/expected") -
	[ "$(images_count podman_t)" = 0 ]
}

@test "image trust set and show: the same policy file, table, JSON and raw output as Podman's" {
	make_keys
	local key=$TEST_TMP/key.gpg asc=$TEST_TMP/key.asc rd=$TEST_TMP/rd
	mkdir -p "$rd"
	cat >"$rd/a.yaml" <<-EOF
		docker:
		  quay.io/foo:
		    lookaside: file:///srv/sigs
		  quay.io:
		    sigstore: https://sigs.example.com/q
		default-docker:
		  lookaside-staging: file:///tmp/staging
	EOF
	policy f '{"default":[{"type":"insecureAcceptAnything"}]}'
	cp "$TEST_TMP/f.json" "$TEST_TMP/p.json"
	chmod 600 "$TEST_TMP/f.json" "$TEST_TMP/p.json"
	local -a sets=("-t reject docker.io" "-t signedBy -f $key -f $asc quay.io/bar" "-f $key quay.io/foo"
		"-t accept localhost:5000/ns" "-t reject default" "-t sigstoreSigned -f /x b.io")
	local s
	for s in "${sets[@]}"; do
		# shellcheck disable=SC2086
		f image trust set --policypath "$TEST_TMP/f.json" $s
	done
	# Refusals, and the file is left as it was.
	cp "$TEST_TMP/f.json" "$TEST_TMP/before.json"
	{
		tstep f image trust set --policypath "$TEST_TMP/f.json" -t signedBy docker.io
		tstep f image trust set --policypath "$TEST_TMP/f.json" -t accept -f "$key" docker.io
		tstep f image trust set --policypath "$TEST_TMP/f.json" -t bogus docker.io
		tstep f image trust set --policypath "$TEST_TMP/f.json" -t accept
		tstep f image trust set --policypath "$TEST_TMP/none.json" -t accept docker.io
		tstep f image trust show --policypath "$TEST_TMP/none.json"
	} >"$TEST_TMP/refused.log"
	cmp "$TEST_TMP/before.json" "$TEST_TMP/f.json"
	[ "$(stat -c %a "$TEST_TMP/f.json")" = 600 ]
	cat >"$TEST_TMP/expected" <<-'EOF'
		$ image trust set --policypath TMP/f.json -t signedBy docker.io -> 125
		Error: at least one public key must be defined for type 'signedBy'
		$ image trust set --policypath TMP/f.json -t accept -f TMP/key.gpg docker.io -> 125
		Error: 1 public keys unexpectedly provided for trust type accept
		$ image trust set --policypath TMP/f.json -t bogus docker.io -> 125
		Error: invalid choice: bogus (choose from 'accept', 'reject', 'signedBy', 'sigstoreSigned')
		$ image trust set --policypath TMP/f.json -t accept -> 125
		Error: accepts 1 arg(s), received 0
		$ image trust set --policypath TMP/none.json -t accept docker.io -> 125
		Error: default trust policy must be set
		$ image trust show --policypath TMP/none.json -> 125
		Error: open TMP/none.json: no such file or directory
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/refused.log"
	# show reads leniently, as Podman's: what it does not know is passed
	# over (an unknown type shown empty, with a warning); no JSON is an error.
	policy lenient '{"default":[{"type":"frob"}],"x":1,"transports":{"docker":{"a.io":[{"type":"reject","y":2}]}}}'
	policy broken '{"default":'
	run --separate-stderr f image trust show --policypath "$TEST_TMP/lenient.json"
	[ "$status" = 0 ]
	# shellcheck disable=SC2154
	[[ $stderr =~ ^time=\"[^\"]+\"\ level=warning\ msg=\"Invalid\ trust\ type\ frob\"$ ]]
	[ "$output" = "$(printf '%-12s%-12s%-12s%-12s%s\n' TRANSPORT NAME TYPE ID STORE all default "" "" "" repository a.io reject "" "")" ]
	run_ferry image trust show --policypath "$TEST_TMP/broken.json"
	assert_status 125
	[ "$output" = "Error: could not show trust policies: could not read trust policies: could not parse trust policies from $TEST_TMP/broken.json: unexpected end of JSON input" ]

	f image trust show --policypath "$TEST_TMP/f.json" --registrypath "$rd" | sed "s#$TEST_TMP#TMP#g" >"$TEST_TMP/table"
	# Podman's columns: each as wide as its widest cell and two more, at
	# least twelve; the last one as it is.
	{
		printf '%-12s%-19s%-16s%-19s%s\n' TRANSPORT NAME TYPE ID STORE all default reject "" "" \
			repository b.io sigstoreSigned N/A "" repository docker.io reject "" "" \
			repository localhost:5000/ns accept "" "" \
			repository quay.io/bar signed ferry@example.com https://sigs.example.com/q \
			repository quay.io/bar signed ferry@example.com https://sigs.example.com/q \
			repository quay.io/foo signed ferry@example.com file:///srv/sigs
	} >"$TEST_TMP/expected"
	diff -u "$TEST_TMP/expected" "$TEST_TMP/table"
	f image trust show --policypath "$TEST_TMP/f.json" --registrypath "$rd" --json >"$TEST_TMP/json"
	[ "$(jq -r '.[] | [.transport, .name, .repo_name, .type, (.gpg_id // "-"), (.sigstore // "-")] | join(" ")' "$TEST_TMP/json" | head -3)" = "all * (default) default reject - -
repository b.io b.io sigstoreSigned N/A -
repository docker.io docker.io reject - -" ]
	[ "$(jq -r '.[5] | keys_unsorted | join(",")' "$TEST_TMP/json")" = "transport,name,repo_name,sigstore,type,gpg_id" ]
	[ "$(jq -r '.transports.docker["quay.io/bar"] | length' "$TEST_TMP/f.json")" = 2 ]
	[ "$(jq -r '.transports.docker["quay.io/foo"][0].keyType' "$TEST_TMP/f.json")" = GPGKeys ]
	f image trust show --policypath "$TEST_TMP/f.json" --raw | cmp - <(cat "$TEST_TMP/f.json"; echo)
	f image trust show -n --policypath "$TEST_TMP/f.json" --registrypath "$rd" | cmp - <(tail -n +2 "$TEST_TMP/table" | sed "s#TMP#$TEST_TMP#g")

	need_podman
	for s in "${sets[@]}"; do
		# shellcheck disable=SC2086
		podman_t image trust set --policypath "$TEST_TMP/p.json" $s
	done
	cmp "$TEST_TMP/f.json" "$TEST_TMP/p.json"
	[ "$(stat -c %a "$TEST_TMP/p.json")" = 600 ]
	local o
	for o in "" --json -n --raw "--json docker.io"; do
		# shellcheck disable=SC2086
		diff -u <(podman_gpg2 image trust show --policypath "$TEST_TMP/p.json" --registrypath "$rd" $o) \
			<(f image trust show --policypath "$TEST_TMP/f.json" --registrypath "$rd" $o)
	done
	diff -u <(podman_t image trust show --policypath "$TEST_TMP/lenient.json" 2>&1 | sed 's/^time="[^"]*"/T/') \
		<(f image trust show --policypath "$TEST_TMP/lenient.json" 2>&1 | sed 's/^time="[^"]*"/T/')
	diff -u <(tstep podman_t image trust show --policypath "$TEST_TMP/broken.json") \
		<(tstep f image trust show --policypath "$TEST_TMP/broken.json")
	for s in "-t signedBy docker.io" "-t accept -f $key docker.io" "-t bogus docker.io" "-t accept"; do
		# shellcheck disable=SC2086
		diff <(tstep podman_t image trust set --policypath "$TEST_TMP/p.json" $s | tail -n 1) \
			<(tstep f image trust set --policypath "$TEST_TMP/f.json" $s | tail -n 1)
	done
}

# sign_payload REF DIGEST OUT: a signature by the test's key of a payload
# naming REF and DIGEST, made with gpg itself (for the refusals).
sign_payload() {
	printf '{"critical":{"identity":{"docker-reference":"%s"},"image":{"docker-manifest-digest":"%s"},"type":"atomic container signature"},"optional":{}}' "$1" "$2" |
		gpg --batch --yes --compress-algo none --sign --output "$3"
}

@test "image sign, push --sign-by and signedBy: ferry verifies Podman's signatures and Podman ferry's; a tampered one, a wrong key, digest or identity are refused with Podman's words" {
	registry_start
	registry_seed ferry/test:v1
	make_keys
	printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REGISTRY" >"$CONTAINERS_REGISTRIES_CONF"
	local img=$REGISTRY/ferry/test:v1 digest sigdir
	digest=$(registry_tag_digest ferry/test v1)
	local signed="{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"$REGISTRY/ferry\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"$TEST_TMP/key.asc\"}]}}}"
	policy signed "$signed"
	policy other "${signed//key.asc/other.gpg}"
	policy exact "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"$REGISTRY/ferry\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyData\":\"$(base64 -w0 "$TEST_TMP/key.gpg")\",\"signedIdentity\":{\"type\":\"matchRepository\"}}]}}}"
	# keyData as base64 wraps it, in lines of 76: Go skips the newlines.
	policy wrapped "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"$REGISTRY/ferry\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyData\":\"$(base64 -w76 "$TEST_TMP/key.gpg" | sed -z 's/\n$//; s/\n/\\n/g')\",\"signedIdentity\":{\"type\":\"matchRepository\"}}]}}}"
	policy sigstore "{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"$TEST_TMP/key.asc\"}]}"
	mkdir -p "$TEST_TMP/fsig" "$TEST_TMP/empty"

	# ferry signs into -d, and into the lookaside-staging registries.d names.
	f image sign --tls-verify=false --sign-by ferry@example.com -d "$TEST_TMP/fsig" "docker://$img"
	sigdir=$TEST_TMP/fsig/ferry/test@sha256=${digest#sha256:}
	[ -f "$sigdir/signature-1" ]
	gpg --decrypt "$sigdir/signature-1" 2>/dev/null | jq -e --arg d "$digest" --arg r "$img" \
		'.critical.type == "atomic container signature" and .critical.image["docker-manifest-digest"] == $d and .critical.identity["docker-reference"] == $r'
	printf 'docker:\n  %s:\n    lookaside: file://%s/look\n    lookaside-staging: file://%s/stage\n' "$REGISTRY" "$TEST_TMP" "$TEST_TMP" \
		>"$HOME/.config/containers/registries.d/test.yaml"
	f image sign --tls-verify=false --sign-by ferry@example.com "docker://$img"
	# What a killed ferry left (its PID is past pid_max: never alive) goes
	# with the next signature; the next number is taken.
	touch "$TEST_TMP/stage/ferry/test@sha256=${digest#sha256:}/.signature-999999999-1-XXXXXX"
	mkdir "${TMPDIR:-/tmp}/ferry-gpg-999999999-1-${TEST_TMP##*.}"
	f image sign --tls-verify=false --sign-by ferry@example.com "docker://$img"
	[ -f "$TEST_TMP/stage/ferry/test@sha256=${digest#sha256:}/signature-2" ]
	[ "$(ls -A "$TEST_TMP/stage/ferry/test@sha256=${digest#sha256:}")" = "signature-1
signature-2" ]
	[ ! -e "${TMPDIR:-/tmp}/ferry-gpg-999999999-1-${TEST_TMP##*.}" ]
	[ ! -e "$TEST_TMP/look" ]
	run_ferry image sign --tls-verify=false --sign-by nobody@example.com -d "$TEST_TMP/fsig" "docker://$img"
	assert_status 125
	[[ $output == "Error: storing signature for $img, $digest: signing with key nobody@example.com: "* ]]
	[ ! -e "$sigdir/signature-2" ]
	run_ferry image sign --sign-by ferry@example.com "$img"
	assert_status 125
	[ "$output" = "Error: parsing image name: Invalid image name \"$img\", unknown transport \"127.0.0.1\"" ]
	run_ferry image sign --sign-by ferry@example.com -a --tls-verify=false -d "$TEST_TMP/fsig" "docker://$img"
	assert_status 125
	[ "$output" = "Error: docker://$img is not a multi-architecture image (manifest type application/vnd.oci.image.manifest.v1+json)" ]

	# The refusals: signatures made by hand in lookaside stores of their own.
	mkdir -p "$TEST_TMP/bad"/{tampered,digest,identity}/ferry/"test@sha256=${digest#sha256:}"
	sign_payload "$img" "$digest" "$TEST_TMP/good.sig"
	python3 - "$TEST_TMP/good.sig" "$TEST_TMP/bad/tampered/ferry/test@sha256=${digest#sha256:}/signature-1" <<-'EOF'
		import sys
		data = open(sys.argv[1], 'rb').read()
		assert b'atomic container' in data
		open(sys.argv[2], 'wb').write(data.replace(b'atomic container', b'atomic containeR', 1))
	EOF
	sign_payload "$img" "sha256:$(printf '0%.0s' {1..64})" "$TEST_TMP/bad/digest/ferry/test@sha256=${digest#sha256:}/signature-1"
	sign_payload "$REGISTRY/other/x:v1" "$digest" "$TEST_TMP/bad/identity/ferry/test@sha256=${digest#sha256:}/signature-1"

	local t store
	for t in f podman_t; do
		[ "$t" = f ] || command -v podman >/dev/null || continue
		# Each verifies the other's signature (Podman's own under psig).
		if [ "$t" = f ] && command -v podman >/dev/null; then
			mkdir -p "$TEST_TMP/psig"
			podman_t image sign --sign-by ferry@example.com -d "$TEST_TMP/psig" "docker://$img"
			store=$TEST_TMP/psig
		elif [ "$t" = f ]; then
			store=$TEST_TMP/fsig
		else
			store=$TEST_TMP/fsig
		fi
		lookaside "$store"
		tstep "$t" pull -q --tls-verify=false --signature-policy "$TEST_TMP/signed.json" "$img"
		"$t" rmi -a >/dev/null 2>&1 || true
		tstep "$t" pull -q --tls-verify=false --signature-policy "$TEST_TMP/exact.json" "$REGISTRY/ferry/test@$digest"
		"$t" rmi -a >/dev/null 2>&1 || true
		tstep "$t" pull -q --tls-verify=false --signature-policy "$TEST_TMP/wrapped.json" "$REGISTRY/ferry/test@$digest"
		"$t" rmi -a >/dev/null 2>&1 || true
		tstep "$t" pull -q --tls-verify=false --signature-policy "$TEST_TMP/other.json" "$img" |
			sed -E 's/(Invalid GPG signature).*/\1/'
		for store in tampered digest identity; do
			lookaside "$TEST_TMP/bad/$store"
			tstep "$t" pull -q --tls-verify=false --signature-policy "$TEST_TMP/signed.json" "$img" |
				sed -E 's/(Invalid GPG signature).*/\1/'
		done
		lookaside "$TEST_TMP/empty"
		tstep "$t" pull -q --tls-verify=false --signature-policy "$TEST_TMP/signed.json" "$img"
		echo "images: $(images_count "$t")"
	done >"$TEST_TMP/all.log"
	cat >"$TEST_TMP/expected" <<-EOF
		\$ pull -q --tls-verify=false --signature-policy TMP/signed.json REG/ferry/test:v1 -> 0
		\$ pull -q --tls-verify=false --signature-policy TMP/exact.json REG/ferry/test@$digest -> 0
		\$ pull -q --tls-verify=false --signature-policy TMP/wrapped.json REG/ferry/test@$digest -> 0
		\$ pull -q --tls-verify=false --signature-policy TMP/other.json REG/ferry/test:v1 -> 125
		Error: Source image rejected: Invalid GPG signature
		\$ pull -q --tls-verify=false --signature-policy TMP/signed.json REG/ferry/test:v1 -> 125
		Error: Source image rejected: Invalid GPG signature
		\$ pull -q --tls-verify=false --signature-policy TMP/signed.json REG/ferry/test:v1 -> 125
		Error: Source image rejected: Signature for digest sha256:$(printf '0%.0s' {1..64}) does not match
		\$ pull -q --tls-verify=false --signature-policy TMP/signed.json REG/ferry/test:v1 -> 125
		Error: Source image rejected: Signature for identity "REG/other/x:v1" is not accepted
		\$ pull -q --tls-verify=false --signature-policy TMP/signed.json REG/ferry/test:v1 -> 125
		Error: Source image rejected: A signature was required, but no signature exists
		images: 0
	EOF
	n=$(wc -l <"$TEST_TMP/expected")
	head -n "$n" "$TEST_TMP/all.log" | diff -u "$TEST_TMP/expected" -
	# ferry's own reasons name the key and what gpgv found.
	lookaside "$TEST_TMP/fsig"
	run_ferry pull -q --tls-verify=false --signature-policy "$TEST_TMP/other.json" "$img"
	assert_status 125
	[[ $output == "Error: Source image rejected: Invalid GPG signature: signed by key "*", which the policy does not trust" ]]
	lookaside "$TEST_TMP/bad/tampered"
	run_ferry pull -q --tls-verify=false --signature-policy "$TEST_TMP/signed.json" "$img"
	[[ $output == "Error: Source image rejected: Invalid GPG signature: bad signature by key "* ]]
	# sigstoreSigned counts the simple signature, but does not take it
	# (114 has sigstore signatures).
	run_ferry pull -q --tls-verify=false --signature-policy "$TEST_TMP/sigstore.json" "$img"
	assert_status 125
	[ "$output" = "Error: Source image rejected: A signature was required, but no signature exists (1 non-sigstore signatures, 0 sigstore non-signature attachments)" ]
	[ "$(images_count f)" = 0 ]
	# An http:// store, as a web server serves one: ferry's signature is
	# found and accepted, an empty store has none.
	local port
	port=$(free_port)
	python3 -m http.server --bind 127.0.0.1 "$port" --directory "$TEST_TMP" >"$TEST_TMP/http.log" 2>&1 &
	for _ in $(seq 1 100); do
		curl -s -o /dev/null "http://127.0.0.1:$port/" && break
		sleep 0.1
	done
	lookaside "http://127.0.0.1:$port/fsig"
	f pull -q --tls-verify=false --signature-policy "$TEST_TMP/signed.json" "$img"
	grep -q "GET /fsig/ferry/test@sha256=${digest#sha256:}/signature-1 HTTP/1.1\" 200" "$TEST_TMP/http.log"
	if command -v podman >/dev/null; then
		podman_t pull -q --tls-verify=false --signature-policy "$TEST_TMP/signed.json" "$img"
	fi
	f rmi -a >/dev/null
	lookaside "http://127.0.0.1:$port/empty"
	run_ferry pull -q --tls-verify=false --signature-policy "$TEST_TMP/signed.json" "$img"
	assert_status 125
	[ "$output" = "Error: Source image rejected: A signature was required, but no signature exists" ]
	[ "$(images_count f)" = 0 ]
	# push --sign-by signs what it pushed under the destination's name, in
	# the store registries.d names, where both tools find it.
	load_test_image
	lookaside "$TEST_TMP/pushsig"
	f push -q --tls-verify=false --sign-by ferry@example.com ferry-test "$REGISTRY/ferry/pushed:v1"
	[ -f "$TEST_TMP/pushsig/ferry/pushed@$(registry_tag_digest ferry/pushed v1 | tr : =)/signature-1" ]
	run_ferry push -q --tls-verify=false --sign-by nobody@example.com ferry-test "$REGISTRY/ferry/pushed:v2"
	assert_status 125
	[[ $output == "Error: creating signature: signing with key nobody@example.com: "* ]]
	f rmi -a >/dev/null
	f pull -q --tls-verify=false --signature-policy "$TEST_TMP/signed.json" "$REGISTRY/ferry/pushed:v1"
	if command -v podman >/dev/null; then
		podman_t pull -q --tls-verify=false --signature-policy "$TEST_TMP/signed.json" "$REGISTRY/ferry/pushed:v1"
	fi
	# No temporary keyrings were left behind.
	[ -z "$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'ferry-gpg-*' -newer "$TEST_TMP/good.sig" 2>/dev/null)" ]
	need_podman
	tail -n +$((n + 1)) "$TEST_TMP/all.log" | diff -u "$TEST_TMP/expected" -
}
