#!/usr/bin/env bats
# save, image history and image tree as a Podman user types them.  What ferry
# writes must load back into ferry (on another root) and into Podman, and
# what Podman writes must load into ferry, with the image's ID, names,
# config and manifest digest intact and a container running from it.  The
# outputs and messages are checked against what Podman 5.4 printed (kept
# below), and, where Podman is installed, against Podman run live.

load helpers
load podman-helpers

bats_require_minimum_version 1.5.0

teardown() {
	podman_teardown
	ferry_teardown
}

# The ID, names and Cmd of image $2 as tool $1 sees it, on one line.
image_facts() {
	"$1" image inspect --format '{{.Id}} {{.RepoTags}} {{.Config.Cmd}}' "$2"
}

# The diff_ids of image $2's layers, bottom first, one a line.
layers_of() {
	"$1" image inspect --format '{{json .RootFS.Layers}}' "$2" | tr -d '[]"' | tr , '\n'
}

@test "save: every format loads back into ferry on another root, with ID, names, config and digest" {
	load_test_image
	id=$(f image inspect --format '{{.Id}}' ferry-test)
	digest=$(f image inspect --format '{{.Digest}}' ferry-test)
	facts=$(image_facts f ferry-test)
	mkdir "$TEST_TMP/out"

	# docker-archive (the default): uncompressed layers named by diff_id,
	# the config named by the image ID, the name as RepoTags.
	f save -q -o "$TEST_TMP/out/d.tar" ferry-test
	tar -xOf "$TEST_TMP/out/d.tar" manifest.json >"$TEST_TMP/m.json"
	grep -q "\"Config\":\"$id.json\"" "$TEST_TMP/m.json"
	grep -q '"RepoTags":\["localhost/ferry-test:latest"\]' "$TEST_TMP/m.json"
	layers=$(layers_of f ferry-test)
	[ "$(echo "$layers" | wc -l)" -eq 2 ]
	for l in $layers; do
		[ "$(tar -xOf "$TEST_TMP/out/d.tar" "${l#sha256:}.tar" | sha256sum | cut -d' ' -f1)" = "${l#sha256:}" ]
	done
	# The event, as Podman's: the image's ID and the output.
	f events --stream=false --filter event=save --format '{{.ID}} {{.Name}}' | grep -qx "$id $TEST_TMP/out/d.tar"
	# oci-archive: the stored manifest as it is, so the digest survives.
	f save -q --format oci-archive -o "$TEST_TMP/out/o.tar" ferry-test
	tar -xOf "$TEST_TMP/out/o.tar" index.json | grep -q "\"digest\":\"$digest\""
	tar -xOf "$TEST_TMP/out/o.tar" index.json | grep -q '"org.opencontainers.image.ref.name":"localhost/ferry-test:latest"'
	# The directories.
	f save -q --format oci-dir -o "$TEST_TMP/out/odir" ferry-test
	[ -f "$TEST_TMP/out/odir/oci-layout" ]
	[ -f "$TEST_TMP/out/odir/blobs/sha256/${digest#sha256:}" ]
	f save -q --format docker-dir -o "$TEST_TMP/out/ddir" ferry-test
	[ "$(cat "$TEST_TMP/out/ddir/version")" = "Directory Transport Version: 1.1" ]
	[ -f "$TEST_TMP/out/ddir/$id" ]
	# --compress: gzip layers, each named by its digest, in a docker-dir.
	f save -q --compress --format docker-dir -o "$TEST_TMP/cdir" ferry-test
	grep -c '"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip"' "$TEST_TMP/cdir/manifest.json" >/dev/null
	for l in $(grep -o '"digest":"sha256:[0-9a-f]*"' "$TEST_TMP/cdir/manifest.json" | cut -d: -f3 | tr -d '"'); do
		[ "$(sha256sum <"$TEST_TMP/cdir/$l" | cut -d' ' -f1)" = "$l" ]
	done
	[ "$(gzip -dc "$TEST_TMP/cdir/$(grep -o '"digest":"sha256:[0-9a-f]*"' "$TEST_TMP/cdir/manifest.json" | sed -n 2p | cut -d: -f3 | tr -d '"')" | sha256sum | cut -d' ' -f1)" = "$(echo "$layers" | head -1 | cut -d: -f2)" ]
	# Standard output, when it is no terminal.
	f save ferry-test 2>/dev/null | cmp - "$TEST_TMP/out/d.tar"
	# Nothing else was left beside the outputs, nor in the store's tmp.
	[ "$(LC_ALL=C ls -A "$TEST_TMP/out" | paste -sd' ')" = "d.tar ddir o.tar odir" ]
	[ -z "$(ls -A "$ROOT/storage/tmp")" ]

	for a in d.tar o.tar; do
		rm -rf "$TEST_TMP/rootB" "$TEST_TMP/runB"
		fb load -i "$TEST_TMP/out/$a" | grep -qx 'Loaded image: localhost/ferry-test:latest'
		[ "$(image_facts fb ferry-test)" = "$facts" ]
		[ "$(fb run --rm ferry-test cat /etc/ferry-release)" = "ferry-test-image 1" ]
	done
	[ "$(fb image inspect --format '{{.Digest}}' ferry-test)" = "$digest" ]
}

@test "load: an OCI layout directory (ferry's or Podman's save --format oci-dir) loads; a link, a FIFO or a directory of neither layout is refused" {
	load_test_image
	digest=$(f image inspect --format '{{.Digest}}' ferry-test)
	facts=$(image_facts f ferry-test)
	f save -q --format oci-dir -o "$TEST_TMP/odir" ferry-test
	fb load -i "$TEST_TMP/odir" | grep -qx 'Loaded image: localhost/ferry-test:latest'
	[ "$(image_facts fb ferry-test)" = "$facts" ]
	[ "$(fb image inspect --format '{{.Digest}}' ferry-test)" = "$digest" ]
	[ "$(fb run --rm ferry-test cat /etc/ferry-release)" = "ferry-test-image 1" ]

	# What ferry does not load from a directory: one line, nothing loaded,
	# nothing left in the store's tmp.
	rm -rf "$TEST_TMP/rootB" "$TEST_TMP/runB"
	f save -q --format docker-dir -o "$TEST_TMP/ddir" ferry-test
	rm "$TEST_TMP/ddir/version"
	run fb load -i "$TEST_TMP/ddir"
	assert_status 125
	assert_one_line_error
	assert_output_contains "is neither an OCI image layout (no index.json) nor a docker-dir"
	# A link out of the directory is never followed, nor a FIFO read.
	ln -s /etc/shadow "$TEST_TMP/odir/blobs/sha256/evil"
	run fb load -i "$TEST_TMP/odir"
	assert_status 125
	assert_one_line_error
	assert_output_contains 'has a symbolic link `blobs/sha256/evil`'
	rm "$TEST_TMP/odir/blobs/sha256/evil"
	mkfifo "$TEST_TMP/odir/fifo"
	run fb load -i "$TEST_TMP/odir"
	assert_status 125
	assert_one_line_error
	assert_output_contains 'has `fifo`, which is not a regular file'
	rm "$TEST_TMP/odir/fifo"
	[ -z "$(fb images -q)" ]
	[ -z "$(ls -A "$TEST_TMP/rootB/storage/tmp")" ]

	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		podman_t save -q --format oci-dir -o "$TEST_TMP/pdir" localhost/ferry-test:latest
		fb load -i "$TEST_TMP/pdir" | grep -qx 'Loaded image: localhost/ferry-test:latest'
		[ "$(image_facts fb ferry-test)" = "$facts" ]
		[ "$(fb run --rm ferry-test cat /etc/ferry-release)" = "ferry-test-image 1" ]
	fi
}

@test "save: -m puts several images in one docker-archive; without -m further names are tags" {
	load_test_image
	mkdir -p "$TEST_TMP/rootfs/etc"
	echo two >"$TEST_TMP/rootfs/etc/two"
	tar -C "$TEST_TMP/rootfs" -cf "$TEST_TMP/rootfs.tar" .
	f import -q "$TEST_TMP/rootfs.tar" second:v1 >/dev/null
	id2=$(f image inspect --format '{{.Id}}' second:v1)

	f save -q -m -o "$TEST_TMP/m.tar" ferry-test second:v1
	fb load -i "$TEST_TMP/m.tar" | sort >"$TEST_TMP/loaded"
	printf '%s\n' 'Loaded image: localhost/ferry-test:latest' 'Loaded image: localhost/second:v1' | cmp - "$TEST_TMP/loaded"
	[ "$(fb image inspect --format '{{.Id}}' second:v1)" = "$id2" ]
	[ "$(fb image inspect --format '{{.Id}}' ferry-test)" = "$(f image inspect --format '{{.Id}}' ferry-test)" ]

	# Without -m, the other arguments are names of the first image, those it
	# lacks first, as Podman orders them (one that is no name is left out);
	# by ID it has none.
	f save -q -o "$TEST_TMP/t.tar" ferry-test newname:v2 'Bad Name'
	tar -xOf "$TEST_TMP/t.tar" manifest.json | grep -q '"RepoTags":\["localhost/newname:v2","localhost/ferry-test:latest"\]'
	f save -q -o "$TEST_TMP/t2.tar" "${id2:0:12}"
	tar -xOf "$TEST_TMP/t2.tar" manifest.json | grep -q '"RepoTags":\[\]'
}

@test "save: mistakes get Podman's messages and exit codes, and leave no file" {
	load_test_image
	mkdir "$TEST_TMP/saved" "$TEST_TMP/junk"
	echo keep >"$TEST_TMP/junk/a"
	echo keep >"$TEST_TMP/existing.tar"
	cat >"$TEST_TMP/expected.log" <<-'EOF'
	$ save -o TMP/saved/x.tar nosuch -> 125
	  err: Error: nosuch: image not known
	$ save -o TMP/saved/x.tar ferry-test nosuch:v1 -m -> 125
	  err: Error: nosuch:v1: image not known
	$ save --format bogus -o TMP/saved/x.tar ferry-test -> 125
	  err: Error: format value must be one of oci-dir oci-archive docker-dir docker-archive
	$ save -m --format oci-archive -o TMP/saved/x.tar ferry-test ferry-test -> 125
	  err: Error: unsupported format "oci-archive" for saving multiple images (only docker-archive)
	$ save -> 125
	  err: Error: need at least 1 argument
	$ save --compress -o TMP/saved/x.tar ferry-test -> 125
	  err: Error: --compress can only be set when --format is 'docker-dir'
	$ save -q -o TMP/existing.tar ferry-test -> 125
	  err: Error: docker-archive doesn't support modifying existing images
	$ save -q --format docker-dir -o TMP/junk ferry-test -> 125
	  err: Error: initializing destination dir:TMP/junk: not a containers image directory, don't want to overwrite important data
	EOF
	mistakes() {
		: >"$TEST_TMP/$1.sed"
		step "$1" save -o "$TEST_TMP/saved/x.tar" nosuch
		step "$1" save -o "$TEST_TMP/saved/x.tar" ferry-test nosuch:v1 -m
		step "$1" save --format bogus -o "$TEST_TMP/saved/x.tar" ferry-test
		step "$1" save -m --format oci-archive -o "$TEST_TMP/saved/x.tar" ferry-test ferry-test
		step "$1" save
		step "$1" save --compress -o "$TEST_TMP/saved/x.tar" ferry-test
		step "$1" save -q -o "$TEST_TMP/existing.tar" ferry-test
		step "$1" save -q --format docker-dir -o "$TEST_TMP/junk" ferry-test
	}
	mistakes f
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		mistakes podman_t
		diff -u "$TEST_TMP/expected.log" "$TEST_TMP/podman_t.log"
	fi
	# Nothing was written: no archive, no temporary file, the junk kept.
	[ -z "$(ls -A "$TEST_TMP/saved")" ]
	[ "$(ls -A "$TEST_TMP/junk")" = a ]
	[ "$(cat "$TEST_TMP/existing.tar")" = keep ]
	# An old file stays as it was when the save fails.
	echo old >"$TEST_TMP/saved/x.tar"
	run f save -o "$TEST_TMP/saved/x.tar" ferry-test nosuch:v1 -m
	[ "$status" -eq 125 ]
	[ "$(cat "$TEST_TMP/saved/x.tar")" = old ]
	[ "$(ls -A "$TEST_TMP/saved")" = x.tar ]
	# A terminal is refused.
	if command -v script >/dev/null; then
		run script -qec "$FERRY_BIN --root $ROOT --runroot $RUNROOT save ferry-test" /dev/null
		[ "$status" -eq 125 ]
		[[ "$output" == *"Error: refusing to save to terminal. Use -o flag or redirect"* ]]
	fi
}

@test "save: a ferry killed while saving leaves no output and no temporary file, and the next ferry sweeps its work" {
	load_test_image
	mkdir "$TEST_TMP/saved"
	# A new docker-archive; an oci-archive over an old file (a docker-archive
	# would refuse one, as Podman's does).
	run env FERRY_FAULT=save-blobs-written "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" \
		save -q -o "$TEST_TMP/saved/new.tar" ferry-test
	[ "$status" -eq 137 ]
	[ -z "$(ls -A "$TEST_TMP/saved")" ]
	echo old >"$TEST_TMP/saved/old.tar"
	run env FERRY_FAULT=save-blobs-written "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" \
		save -q --format oci-archive -o "$TEST_TMP/saved/old.tar" ferry-test
	[ "$status" -eq 137 ]
	[ "$(cat "$TEST_TMP/saved/old.tar")" = old ]
	[ "$(ls -A "$TEST_TMP/saved")" = old.tar ]
	# The layers decompressed for the docker-archive were left in the
	# store's tmp directory: the next command removes them.
	[ -n "$(ls -A "$ROOT/storage/tmp")" ]
	f images -q >/dev/null
	[ -z "$(ls -A "$ROOT/storage/tmp")" ]
	# A directory gets no temporary files either, and no manifest.
	run env FERRY_FAULT=save-blobs-written "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" \
		save -q --format docker-dir -o "$TEST_TMP/ddir" ferry-test
	[ "$status" -eq 137 ]
	[ ! -e "$TEST_TMP/ddir/manifest.json" ]
	[ -z "$(find "$TEST_TMP/ddir" -name '*.tmp-*')" ]
	# Saving again into it completes the layout.
	f save -q --format docker-dir -o "$TEST_TMP/ddir" ferry-test
	[ -f "$TEST_TMP/ddir/manifest.json" ]
	[ -z "$(find "$TEST_TMP/ddir" -name '*.tmp-*')" ]
}

@test "save: an image stored with a Docker schema 2 manifest gets an OCI manifest in an OCI layout" {
	# The test image with the Docker media types in its manifest, as a
	# registry that serves schema 2 gives it.
	mkdir "$TEST_TMP/dk"
	tar -C "$TEST_TMP/dk" -xf "$(ferry_test_image)"
	old=$(grep -o '"digest":"sha256:[0-9a-f]*"' "$TEST_TMP/dk/index.json" | cut -d: -f3 | tr -d '"')
	sed -e 's#application/vnd.oci.image.manifest.v1+json#application/vnd.docker.distribution.manifest.v2+json#' \
		-e 's#application/vnd.oci.image.config.v1+json#application/vnd.docker.container.image.v1+json#' \
		-e 's#application/vnd.oci.image.layer.v1.tar+gzip#application/vnd.docker.image.rootfs.diff.tar.gzip#' \
		"$TEST_TMP/dk/blobs/sha256/$old" >"$TEST_TMP/manifest"
	new=$(sha256sum <"$TEST_TMP/manifest" | cut -d' ' -f1)
	size=$(stat -c %s "$TEST_TMP/manifest")
	mv "$TEST_TMP/manifest" "$TEST_TMP/dk/blobs/sha256/$new"
	rm "$TEST_TMP/dk/blobs/sha256/$old"
	sed -i -e "s/$old/$new/" -e 's/"size":[0-9]*/"size":'"$size"'/' \
		-e 's#application/vnd.oci.image.manifest.v1+json#application/vnd.docker.distribution.manifest.v2+json#' \
		"$TEST_TMP/dk/index.json"
	tar -C "$TEST_TMP/dk" -cf "$TEST_TMP/dk.tar" .
	f load -q -i "$TEST_TMP/dk.tar"
	[ "$(f image inspect --format '{{.Digest}}' ferry-test)" = "sha256:$new" ]
	id=$(f image inspect --format '{{.Id}}' ferry-test)

	f save -q --format oci-archive -o "$TEST_TMP/o.tar" ferry-test
	tar -xOf "$TEST_TMP/o.tar" index.json | grep -q '"mediaType":"application/vnd.oci.image.manifest.v1+json"'
	digest=$(tar -xOf "$TEST_TMP/o.tar" index.json | grep -o '"digest":"sha256:[0-9a-f]*"' | cut -d: -f3 | tr -d '"')
	tar -xOf "$TEST_TMP/o.tar" "blobs/sha256/$digest" >"$TEST_TMP/m"
	[ "$(sha256sum <"$TEST_TMP/m" | cut -d' ' -f1)" = "$digest" ]
	! grep -q vnd.docker "$TEST_TMP/m" || false
	grep -q '"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip"' "$TEST_TMP/m"
	fb load -q -i "$TEST_TMP/o.tar"
	[ "$(fb image inspect --format '{{.Id}}' ferry-test)" = "$id" ]
	[ "$(fb run --rm ferry-test cat /etc/ferry-release)" = "ferry-test-image 1" ]
	if command -v podman >/dev/null; then
		podman_t load -q -i "$TEST_TMP/o.tar" >/dev/null
		[ "$(podman_t image inspect --format '{{.Id}}' ferry-test)" = "$id" ]
	fi
}

@test "save: a checkpoint image (its layer kept only as its blob) saves and loads back" {
	load_test_image
	f run -d --name c ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs c | wc -l)" -ge 2 ]'
	f container checkpoint --create-image c-ckpt:v1 c >/dev/null
	f rm c >/dev/null
	id=$(f image inspect --format '{{.Id}}' c-ckpt:v1)
	for fmt in oci-archive docker-archive; do
		f save -q --format $fmt -o "$TEST_TMP/ck-$fmt.tar" c-ckpt:v1
		rm -rf "$TEST_TMP/rootB" "$TEST_TMP/runB"
		fb load -q -i "$TEST_TMP/ck-$fmt.tar"
		[ "$(fb image inspect --format '{{.Id}}' c-ckpt:v1)" = "$id" ]
	done
	# The OCI archive keeps the annotations, so the image restores on root B.
	rm -rf "$TEST_TMP/rootB" "$TEST_TMP/runB"
	fb load -q -i "$TEST_TMP/ck-oci-archive.tar"
	fb load -q -i "$(ferry_test_image)"
	[ "$(fb image inspect --format '{{index .Annotations "io.podman.annotations.checkpoint.name"}}' c-ckpt:v1)" = c ]
	fb container restore c-ckpt:v1 >/dev/null
	n=$(last_count c fb)
	wait_until "[ \"\$(last_count c fb)\" -gt $n ]"
	fb rm -f -t 0 c >/dev/null
}

@test "save: ferry's archives load into Podman and Podman's into ferry, and both print the same" {
	need_podman
	load_test_image
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	id=$(f image inspect --format '{{.Id}}' ferry-test)

	# What save prints on standard error, in both and as Podman 5.4 did.
	f save -o "$TEST_TMP/f.tar" ferry-test 2>"$TEST_TMP/f.err"
	podman_t save -o "$TEST_TMP/p.tar" ferry-test 2>"$TEST_TMP/p.err"
	layers=$(layers_of f ferry-test)
	[ -n "$layers" ]
	{
		for l in $layers; do echo "Copying blob $l"; done
		echo "Copying config sha256:$id"
		echo "Writing manifest to image destination"
	} >"$TEST_TMP/expected.err"
	diff -u "$TEST_TMP/expected.err" "$TEST_TMP/f.err"
	diff -u "$TEST_TMP/expected.err" "$TEST_TMP/p.err"
	# Podman's docker-archive has the same manifest.json, config and layers.
	[ "$(tar -xOf "$TEST_TMP/f.tar" manifest.json)" = "$(tar -xOf "$TEST_TMP/p.tar" manifest.json)" ]

	f save -q --format oci-archive -o "$TEST_TMP/f-oci.tar" ferry-test
	f save -q --format oci-dir -o "$TEST_TMP/f-odir" ferry-test
	f save -q --format docker-dir -o "$TEST_TMP/f-ddir" ferry-test
	f save -q --compress --format docker-dir -o "$TEST_TMP/f-cdir" ferry-test
	podman_t save -q --format oci-archive -o "$TEST_TMP/p-oci.tar" ferry-test

	# ferry -> Podman.
	digest=$(f image inspect --format '{{.Digest}}' ferry-test)
	for a in f.tar f-oci.tar f-odir f-ddir f-cdir; do
		podman_t rmi -af >/dev/null 2>&1
		podman_t load -q -i "$TEST_TMP/$a" >/dev/null
		[ "$(podman_t image inspect --format '{{.Id}}' "$id")" = "$id" ]
		# An archive carries the name; a directory is loaded by ID, as Podman does.
		case $a in *.tar)
			[ "$(image_facts podman_t ferry-test)" = "$id [localhost/ferry-test:latest] [/bin/sh]" ]
			;;
		esac
		[ "$(podman_t run --rm --network none "$id" cat /etc/ferry-release)" = "ferry-test-image 1" ]
		# An OCI archive carries the manifest as stored: the digest survives.
		[ "$a" != f-oci.tar ] || [ "$(podman_t image inspect --format '{{.Digest}}' "$id")" = "$digest" ]
	done
	# Podman -> ferry.
	for a in p.tar p-oci.tar; do
		rm -rf "$TEST_TMP/rootB" "$TEST_TMP/runB"
		fb load -q -i "$TEST_TMP/$a"
		[ "$(image_facts fb ferry-test)" = "$id [localhost/ferry-test:latest] [/bin/sh]" ]
		[ "$(fb run --rm ferry-test cat /etc/ferry-release)" = "ferry-test-image 1" ]
	done
	pdigest=$(tar -xOf "$TEST_TMP/p-oci.tar" index.json | grep -o '"digest":"sha256:[0-9a-f]*"' | cut -d'"' -f4)
	[ "$(fb image inspect --format '{{.Digest}}' ferry-test)" = "$pdigest" ]
}

@test "image history and image tree: columns, formats and messages as Podman's" {
	load_test_image
	cat >"$TEST_TMP/expected.log" <<-'EOF'
	$ image history ferry-test -> 0
	  out: ID            CREATED       CREATED BY                                     SIZE        COMMENT
	  out: <ID>  56 years ago  /bin/sh -c #(nop) CMD ["/bin/sh"]              0B          
	  out: <missing>     56 years ago  ferry build-test-image: whiteouts, opaque ...  10.2kB      
	  out: <missing>     56 years ago  ferry build-test-image: busybox base (laye...  2.14MB      
	$ image history -q ferry-test -> 0
	  out: <ID>
	  out: <missing>
	  out: <missing>
	$ image history --no-trunc --human=false --format {{.ID}}|{{.Created}}|{{.CreatedBy}}|{{.Size}}|{{.Tags}} ferry-test -> 0
	  out: <ID>|1970-01-01T00:00:00Z|/bin/sh -c #(nop) CMD ["/bin/sh"]|0B|[localhost/ferry-test:latest]
	  out: <missing>|1970-01-01T00:00:00Z|ferry build-test-image: whiteouts, opaque dir, /etc/ferry-release (layer 2)|10.2kB|[localhost/ferry-test:latest]
	  out: <missing>|1970-01-01T00:00:00Z|ferry build-test-image: busybox base (layer 1)|2.14MB|[]
	$ image history --format table {{.ID}} {{.Size}} ferry-test -> 0
	  out: ID            SIZE
	  out: <ID>  0B
	  out: <missing>     10.2kB
	  out: <missing>     2.14MB
	$ image history --format json ferry-test -> 0
	  out: [{"id":"<ID>","created":"1970-01-01T00:00:00Z","CreatedBy":"/bin/sh -c #(nop) CMD [\"/bin/sh\"]","tags":["localhost/ferry-test:latest"],"size":0,"Created":"1970-01-01T00:00:00Z"},{"id":"\u003cmissing\u003e","created":"1970-01-01T00:00:00Z","CreatedBy":"ferry build-test-image: whiteouts, opaque dir, /etc/ferry-release (layer 2)","tags":["localhost/ferry-test:latest"],"size":10240,"Created":"1970-01-01T00:00:00Z"},{"id":"\u003cmissing\u003e","created":"1970-01-01T00:00:00Z","CreatedBy":"ferry build-test-image: busybox base (layer 1)","size":2140160,"Created":"1970-01-01T00:00:00Z"}]
	$ image history -H=false --format {{.Created}} {{.CreatedSince}} ferry-test -> 0
	  out: 1970-01-01T00:00:00Z 1970-01-01T00:00:00Z
	  out: 1970-01-01T00:00:00Z 1970-01-01T00:00:00Z
	  out: 1970-01-01T00:00:00Z 1970-01-01T00:00:00Z
	$ image history -H=bogus ferry-test -> 125
	  err: Error: invalid argument "bogus" for "-H, --human" flag: strconv.ParseBool: parsing "bogus": invalid syntax
	$ image history nosuch -> 125
	  err: Error: nosuch: image not known
	$ image history -> 125
	  err: Error: accepts 1 arg(s), received 0
	$ image tree ferry-test -> 0
	  out: Image ID: <ID>
	  out: Tags:     [localhost/ferry-test:latest]
	  out: Size:     2.152MB
	  out: Image Layers
	  out: ├── ID: 9af66bdfcc45 Size:  2.14MB
	  out: └── ID: 7091fed1b8c4 Size: 10.24kB Top Layer of: [localhost/ferry-test:latest]
	  out: 
	$ image tree --whatrequires ferry-test -> 0
	  out: Image ID: <ID>
	  out: Tags:     [localhost/ferry-test:latest]
	  out: Size:     2.152MB
	  out: Image Layers
	  out: └── ID: 7091fed1b8c4 Size: 10.24kB Top Layer of: [localhost/ferry-test:latest]
	  out: 
	$ image tree nosuch -> 125
	  err: Error: nosuch: image not known
	EOF
	sequence() {
		local t=$1 id
		id=$("$t" image inspect --format '{{.Id}}' ferry-test)
		# The test image's layers are the host's busybox: IDs differ between
		# machines, so they show as <ID> (the image) and stay as they are in
		# the tree only where this machine's busybox gives the stored ones.
		printf 's/%s/<ID>/g\ns/%s/<ID>/g\ns/[0-9]* years ago/N years ago/g\n' "$id" "${id:0:12}" >"$TEST_TMP/$t.sed"
		step "$t" image history ferry-test
		step "$t" image history -q ferry-test
		step "$t" image history --no-trunc --human=false --format '{{.ID}}|{{.Created}}|{{.CreatedBy}}|{{.Size}}|{{.Tags}}' ferry-test
		step "$t" image history --format 'table {{.ID}} {{.Size}}' ferry-test
		step "$t" image history --format json ferry-test
		step "$t" image history -H=false --format '{{.Created}} {{.CreatedSince}}' ferry-test
		step "$t" image history -H=bogus ferry-test
		step "$t" image history nosuch
		step "$t" image history
		step "$t" image tree ferry-test
		step "$t" image tree --whatrequires ferry-test
		step "$t" image tree nosuch
	}
	sed -i 's/56 years ago/N years ago/g' "$TEST_TMP/expected.log"
	sequence f
	sed -i 's/[[:space:]]*$//' "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
	# Layer IDs and sizes come from this machine's busybox: compare the
	# tree lines only where they are the stored ones.
	if [ "$(f image inspect --format '{{index .RootFS.Layers 0}}' ferry-test)" != \
		sha256:9af66bdfcc4540471a8373946789b9fcceb00df9eb9061f02a4d7ff2b90c2c02 ]; then
		sed -i -e '/ID: [0-9a-f]\{12\} Size/d' -e '/^  out: Size:/d' -e '/2.14MB\|2140160/d' \
			"$TEST_TMP/expected.log" "$TEST_TMP/f.log"
	fi
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		sequence podman_t
		# Podman follows a flag's error with a pointer to its --help.
		sed -i -e 's/[[:space:]]*$//' -e "/err: See 'podman image history --help'/d" "$TEST_TMP/podman_t.log"
		diff -u "$TEST_TMP/f.log" "$TEST_TMP/podman_t.log"
	fi
}

# The diff_id of image $1's bottom layer (layer 1: gzip, busybox and /etc).
bottom_layer() {
	f image inspect --format '{{index .RootFS.Layers 0}}' "$1"
}

@test "save: layers are decompressed straight into the output, so a save needs no room in the store" {
	load_test_image
	id=$(f image inspect --format '{{.Id}}' ferry-test)
	# Room for a directory name, not for the 2 MiB bottom layer: a copy of
	# it staged in the store, as ferry used to make, ends in ENOSPC.
	mount -t tmpfs -o size=64k tmpfs "$ROOT/storage/tmp"
	f save -q -o "$TEST_TMP/d.tar" ferry-test
	f save -q --format docker-dir -o "$TEST_TMP/dd" ferry-test
	umount "$ROOT/storage/tmp"
	[ -z "$(ls -A "$ROOT/storage/tmp")" ]
	# Both hold the layer whole: they load back on another root as the
	# same image, and the layer file is the stored layer's bytes.
	hex=$(bottom_layer ferry-test | sed 's/^sha256://')
	[ "$(tar -xOf "$TEST_TMP/d.tar" "$hex.tar" | sha256sum | cut -d' ' -f1)" = "$hex" ]
	[ "$(sha256sum <"$TEST_TMP/dd/$hex" | cut -d' ' -f1)" = "$hex" ]
	fb load -q -i "$TEST_TMP/d.tar" >/dev/null
	[ "$(fb image inspect --format '{{.Id}}' ferry-test)" = "$id" ]
}

@test "save: a stored layer that is not what the store recorded fails the save, with no archive or directory left" {
	load_test_image
	diff_id=$(bottom_layer ferry-test)
	hex=${diff_id#sha256:}
	expect_no_output() {
		assert_status 125
		assert_one_line_error
		assert_output_contains "its stored layer $diff_id is damaged"
		assert_output_contains "remove the image and pull or load it again"
		[ ! -e "$TEST_TMP/out.tar" ] && [ ! -e "$TEST_TMP/outdir" ]
		[ -z "$(ls -A "$ROOT/storage/tmp")" ]
	}

	# The store's record of the layer's size is 512 bytes too many, then
	# too few: the layer's tar header is written from the record, and the
	# content must then fill it exactly.
	for delta in 512 -512; do
		sqlite3 "$ROOT/ferry.db" "UPDATE layers SET size = size + ($delta) WHERE diff_id = '$diff_id'"
		run_ferry save -q -o "$TEST_TMP/out.tar" ferry-test
		expect_no_output
		assert_output_contains "its content is not the size the store recorded"
		run_ferry save -q --format docker-dir -o "$TEST_TMP/outdir" ferry-test
		expect_no_output
		sqlite3 "$ROOT/ferry.db" "UPDATE layers SET size = size - ($delta) WHERE diff_id = '$diff_id'"
	done

	# The blob decompresses to as many bytes, one of them changed: the
	# digests tell, after the whole layer went by.
	blob=$(cd "$ROOT/storage/blobs" && for b in *; do if gzip -t "$b" 2>/dev/null; then echo "$b"; fi; done)
	[ -n "$blob" ]
	gzip -dc "$ROOT/storage/blobs/$blob" >"$TEST_TMP/layer.tar"
	printf 'X' | dd of="$TEST_TMP/layer.tar" bs=1 seek=100000 conv=notrunc status=none
	gzip -c "$TEST_TMP/layer.tar" >"$TEST_TMP/blob"
	mv -f "$TEST_TMP/blob" "$ROOT/storage/blobs/$blob"
	run_ferry save -q -o "$TEST_TMP/out.tar" ferry-test
	expect_no_output
	assert_output_contains "its content hashes to sha256:$(sha256sum <"$TEST_TMP/layer.tar" | cut -d' ' -f1)"
	run_ferry save -q --format docker-dir -o "$TEST_TMP/outdir" ferry-test
	expect_no_output
}
