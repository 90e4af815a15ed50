#!/usr/bin/env bats
# Archives as Podman 5.4 writes them, byte for byte where Podman's bytes
# are deterministic: save's docker-archive (its legacy layer directories,
# repositories file, read-only entries and Go's tar header fields).  Both
# tools load what the other wrote.

load helpers
load podman-helpers

bats_require_minimum_version 1.5.0

podman_hooks_for_every_test

# The test image and a second name of it, in ferry and, where Podman is
# installed, in Podman.
both_have_test_image() {
	load_test_image
	f tag ferry-test localhost/other:v2
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		podman_t tag localhost/ferry-test:latest localhost/other:v2
	fi
}

# Every header of tar file $1, one a line: the 512-byte blocks that
# python's tarfile reads as headers, its fields as they are in the file.
tar_headers() {
	python3 - "$1" <<'EOF'
import sys, tarfile
with open(sys.argv[1], 'rb') as raw, tarfile.open(sys.argv[1], format=tarfile.PAX_FORMAT) as t:
    for m in t.getmembers():
        raw.seek(m.offset)
        print(raw.read(512).rstrip(b'\0'))
EOF
}

@test "save docker-archive: Podman's layout, modes and header bytes, the whole file the same as Podman's" {
	both_have_test_image
	f save -q -o "$TEST_TMP/f.tar" ferry-test
	# What Podman 5.4.2 wrote for this image: the layers and config, then
	# each layer's legacy directory (the layer a link to its file), then
	# manifest.json and repositories, every file read-only, owned by 0:0
	# at the epoch.
	cat >"$TEST_TMP/expected" <<'EOF'
-r--r--r-- 0/0 2140160 1970-01-01 00:00 9af66bdfcc4540471a8373946789b9fcceb00df9eb9061f02a4d7ff2b90c2c02.tar
-r--r--r-- 0/0 10240 1970-01-01 00:00 2fc5845bb1eb8b1a7472d42b91a95b5c510b9982ab34620564e42b938c3d4db5.tar
-r--r--r-- 0/0 720 1970-01-01 00:00 3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449.json
l--------- 0/0 0 1970-01-01 00:00 3752a6164dd559ff5b2abb58e78df42f6f4b498ad31acd94e3a652a17ba29e5a/layer.tar -> ../9af66bdfcc4540471a8373946789b9fcceb00df9eb9061f02a4d7ff2b90c2c02.tar
-r--r--r-- 0/0 3 1970-01-01 00:00 3752a6164dd559ff5b2abb58e78df42f6f4b498ad31acd94e3a652a17ba29e5a/VERSION
-r--r--r-- 0/0 73 1970-01-01 00:00 3752a6164dd559ff5b2abb58e78df42f6f4b498ad31acd94e3a652a17ba29e5a/json
l--------- 0/0 0 1970-01-01 00:00 e28369ae41cb789b179a85044fe3ad5b5abae7dfe6afeb04fa18893581b4089b/layer.tar -> ../2fc5845bb1eb8b1a7472d42b91a95b5c510b9982ab34620564e42b938c3d4db5.tar
-r--r--r-- 0/0 3 1970-01-01 00:00 e28369ae41cb789b179a85044fe3ad5b5abae7dfe6afeb04fa18893581b4089b/VERSION
-r--r--r-- 0/0 403 1970-01-01 00:00 e28369ae41cb789b179a85044fe3ad5b5abae7dfe6afeb04fa18893581b4089b/json
-r--r--r-- 0/0 280 1970-01-01 00:00 manifest.json
-r--r--r-- 0/0 102 1970-01-01 00:00 repositories
EOF
	TZ=UTC tar -tvf "$TEST_TMP/f.tar" | tr -s ' ' >"$TEST_TMP/got"
	diff -u "$TEST_TMP/expected" "$TEST_TMP/got"
	[ "$(tar -xOf "$TEST_TMP/f.tar" 3752a6164dd559ff5b2abb58e78df42f6f4b498ad31acd94e3a652a17ba29e5a/json)" = \
		'{"id":"3752a6164dd559ff5b2abb58e78df42f6f4b498ad31acd94e3a652a17ba29e5a"}' ]
	[ "$(tar -xOf "$TEST_TMP/f.tar" repositories)" = \
		'{"localhost/ferry-test":{"latest":"e28369ae41cb789b179a85044fe3ad5b5abae7dfe6afeb04fa18893581b4089b"}}' ]
	# Go's header fields: zero-padded octal ending in a NUL, no owner names.
	tar_headers "$TEST_TMP/f.tar" | head -1 | grep -qF "b'9af66bdfcc4540471a8373946789b9fcceb00df9eb9061f02a4d7ff2b90c2c02.tar\\x00"
	tar_headers "$TEST_TMP/f.tar" | head -1 | grep -qF '0000444\x000000000\x000000000\x0000010124000\x0000000000000\x00020743\x00 0'
	# The same to standard output, the default format.
	f save ferry-test >"$TEST_TMP/stdout.tar"
	cmp "$TEST_TMP/f.tar" "$TEST_TMP/stdout.tar"

	need_podman
	podman_t save -q -o "$TEST_TMP/p.tar" localhost/ferry-test:latest
	cmp "$TEST_TMP/p.tar" "$TEST_TMP/f.tar"
	podman_t save -q --format docker-archive localhost/other:v2 >"$TEST_TMP/p2.tar"
	f save -q --format docker-archive localhost/other:v2 >"$TEST_TMP/f2.tar"
	cmp "$TEST_TMP/p2.tar" "$TEST_TMP/f2.tar"
	# Without -m, further names are RepoTags: in the order given, then the
	# name the image was found by, each once (a name it has or lacks alike).
	for args in "localhost/ferry-test localhost/other:v2 localhost/x:1" \
		"localhost/other:v2 localhost/x:1 localhost/y:2 localhost/ferry-test" "3bb7d0590f13 localhost/x:1"; do
		rm -f "$TEST_TMP/p3.tar" "$TEST_TMP/f3.tar"
		podman_t save -q -o "$TEST_TMP/p3.tar" $args
		f save -q -o "$TEST_TMP/f3.tar" $args
		cmp "$TEST_TMP/p3.tar" "$TEST_TMP/f3.tar"
	done
	[ "$(tar -xOf "$TEST_TMP/f3.tar" manifest.json | grep -o '"RepoTags":[^]]*]')" = '"RepoTags":["localhost/x:1"]' ]
}

@test "image save -m: several images share layer files, each gets its legacy directories, the file as Podman's" {
	need_podman
	both_have_test_image
	# A second image on the first's layers, the same in both tools:
	# committed in ferry, carried to Podman as an archive.
	f run --name c1 --network none ferry-test sh -c 'echo "a <b> & c" >/hello'
	f commit -q --change 'LABEL note=<x&y>' c1 localhost/second:1
	f save -q -o "$TEST_TMP/second.tar" localhost/second:1
	podman_t load -q -i "$TEST_TMP/second.tar"

	f image save -m -o "$TEST_TMP/f.tar" localhost/second:1 ferry-test localhost/other:v2
	podman_t image save -m -o "$TEST_TMP/p.tar" localhost/second:1 localhost/ferry-test localhost/other:v2
	if ! cmp "$TEST_TMP/p.tar" "$TEST_TMP/f.tar"; then
		diff -u <(TZ=UTC tar -tvf "$TEST_TMP/p.tar") <(TZ=UTC tar -tvf "$TEST_TMP/f.tar") || true
		false
	fi
	# The top layer's json repeats the config's members as Go escapes
	# them; the second layer file is in the archive once, linked from
	# two legacy directories.
	top=$(tar -tf "$TEST_TMP/f.tar" | grep /json | sed -n 3p)
	tar -xOf "$TEST_TMP/f.tar" "$top" | grep -qF '"note":"\u003cx\u0026y\u003e"'
	[ "$(tar -tvf "$TEST_TMP/f.tar" | grep -c -- '-> ../2fc5845bb1eb8b1a7472d42b91a95b5c510b9982ab34620564e42b938c3d4db5.tar')" -eq 2 ]
	[ "$(tar -tf "$TEST_TMP/f.tar" | grep -cx 2fc5845bb1eb8b1a7472d42b91a95b5c510b9982ab34620564e42b938c3d4db5.tar)" -eq 1 ]

	# Each loads the other's, with the same IDs and names.
	podman_t rmi -af >/dev/null
	podman_t load -q -i "$TEST_TMP/f.tar"
	mkdir "$TEST_TMP/r2"
	"$FERRY_BIN" --root "$TEST_TMP/r2/root" --runroot "$TEST_TMP/r2/run" load -q -i "$TEST_TMP/p.tar"
	podman_t images --format '{{.ID}} {{.Repository}}:{{.Tag}}' | sort >"$TEST_TMP/pi"
	"$FERRY_BIN" --root "$TEST_TMP/r2/root" --runroot "$TEST_TMP/r2/run" images --format '{{.ID}} {{.Repository}}:{{.Tag}}' |
		sort >"$TEST_TMP/fi"
	diff -u "$TEST_TMP/pi" "$TEST_TMP/fi"
	[ "$(wc -l <"$TEST_TMP/fi")" -eq 3 ]
	"$FERRY_BIN" --root "$TEST_TMP/r2/root" --runroot "$TEST_TMP/r2/run" rmi -af >/dev/null
}

# A tree with what a tar header carries: a file of an owner the
# container's /etc/passwd does not name, a hard link, a symlink, a FIFO,
# a setuid file, an owner it names (nobody), a path too long for ustar's
# name field (split into its prefix) and a directory name too long for
# any ustar field (a PAX header), every time the same.
CP_TREE='mkdir -p /d/sub && echo a >/d/f && ln -s f /d/l && ln /d/f /d/h && x=$(printf "x%.0s" $(seq 1 120)) &&
	mkdir /d/$x && touch /d/$x/y /d/u1 /d/nobody && chown 1234:5678 /d/f && chown 1:1 /d/u1 && chmod 4755 /d/u1 &&
	chown 65534:65534 /d/nobody && mknod /d/fifo p && find /d -exec touch -h -d "2020-01-01 00:00:00" {} +'

# Container $2 of tool $1 ("f" or "podman_t") running with "$CP_TREE"
# made, further run options after: a running one, as Podman's cleanup
# process unmounts a stopped one's storage meanwhile (a cp right after
# its run once found nothing there).
running_tree() {
	local tool=$1 name=$2 image=ferry-test
	shift 2
	[ "$tool" = f ] || image=localhost/ferry-test:latest
	"$tool" run -d --name "$name" --network none "$@" "$image" sh -c "$CP_TREE && touch /done && exec sleep 1000" >/dev/null
	wait_until "$tool exec $name test -e /done" 30
}

@test "cp CTR:PATH - writes Podman's tar: Go's header fields, the container user as owner, the container's names" {
	load_test_image
	running_tree f c1
	f cp c1:/d - >"$TEST_TMP/f-d.tar"
	f cp c1:/d/. - >"$TEST_TMP/f-content.tar"
	f cp c1:/etc/ferry-release - >"$TEST_TMP/f-file.tar"
	# Every entry is the container user's (root), named as its own owner
	# is in the container: 1234 and 1 have no name there.
	python3 - "$TEST_TMP/f-d.tar" >"$TEST_TMP/got" <<'PY'
import sys, tarfile
for m in tarfile.open(sys.argv[1]):
    print(m.name[:40], m.uid, m.gid, m.uname or '-', m.gname or '-', oct(m.mode), m.type.decode(), m.linkname or '-',
          sorted(m.pax_headers))
PY
	cat >"$TEST_TMP/expected" <<'EOF'
d 0 0 root root 0o755 5 - []
d/f 0 0 - - 0o644 0 - []
d/fifo 0 0 root root 0o644 6 - []
d/h 0 0 - - 0o644 1 d/f []
d/l 0 0 root root 0o777 2 f []
d/nobody 0 0 nobody nogroup 0o644 0 - []
d/sub 0 0 root root 0o755 5 - []
d/u1 0 0 - - 0o4755 0 - []
d/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 0 0 root root 0o755 5 - ['path']
d/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 0 0 root root 0o644 0 - []
EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/got"
	# Go's fields: zero-padded octal ending in a NUL; the name as given.
	tar_headers "$TEST_TMP/f-file.tar" | grep -qF "b'ferry-release"
	tar_headers "$TEST_TMP/f-file.tar" | grep -qF '0000644\x000000000\x000000000\x0000000000023\x0000000000000\x00013500\x00 0'
	tar_headers "$TEST_TMP/f-file.tar" | grep -qF 'ustar\x0000root'

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	running_tree podman_t c1
	podman_t cp c1:/d - >"$TEST_TMP/p-d.tar"
	podman_t cp c1:/d/. - >"$TEST_TMP/p-content.tar"
	podman_t cp c1:/etc/ferry-release - >"$TEST_TMP/p-file.tar"
	for t in d content file; do
		if ! cmp "$TEST_TMP/p-$t.tar" "$TEST_TMP/f-$t.tar"; then
			diff -u <(tar_headers "$TEST_TMP/p-$t.tar") <(tar_headers "$TEST_TMP/f-$t.tar") || true
			false
		fi
	done
}

@test "cp CTR:PATH - of a container with another user: every entry that user's, as Podman's" {
	load_test_image
	f run -d --name c1 --network none --user 65534:65534 ferry-test sh -c 'mkdir /tmp/d && echo a >/tmp/d/f &&
		touch -d "2020-01-01 00:00:00" /tmp/d/f /tmp/d && touch /tmp/done && exec sleep 1000' >/dev/null
	wait_until "f exec c1 test -e /tmp/done" 30
	f cp c1:/tmp/d - >"$TEST_TMP/f.tar"
	[ "$(tar --numeric-owner -tvf "$TEST_TMP/f.tar" | awk '{print $2}' | sort -u)" = 65534/65534 ]
	[ "$(tar -tvf "$TEST_TMP/f.tar" | awk '{print $2}' | sort -u)" = nobody/nogroup ]

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t run -d --name c1 --network none --user 65534:65534 localhost/ferry-test:latest sh -c 'mkdir /tmp/d &&
		echo a >/tmp/d/f && touch -d "2020-01-01 00:00:00" /tmp/d/f /tmp/d && touch /tmp/done && exec sleep 1000' >/dev/null
	wait_until "podman_t exec c1 test -e /tmp/done" 30
	podman_t cp c1:/tmp/d - >"$TEST_TMP/p.tar"
	cmp "$TEST_TMP/p.tar" "$TEST_TMP/f.tar"
}

# Every header of tar file $1 with its mtime and checksum masked, and the
# PAX records: what two archives of trees written at different times
# share.
headers_without_times() {
	python3 - "$1" <<'PY'
import sys
f = open(sys.argv[1], 'rb').read()
off = 0
while off + 512 <= len(f):
    h = bytearray(f[off:off + 512])
    size = int(h[124:136].strip(b'\0 ') or b'0', 8)
    if h != bytearray(512):
        h[136:156] = b'T' * 20
        print(bytes(h).rstrip(b'\0'), f[off + 512:off + 512 + size] if h[156:157] == b'x' else b'')
    off += 512 + (size + 511) // 512 * 512
PY
}

@test "export and volume export: Go's header fields, owners as they are without names, as Podman's" {
	load_test_image
	running_tree f c1
	f export c1 >"$TEST_TMP/f-export.tar"
	f volume create v1
	f run --rm --network none -v v1:/d ferry-test sh -c "$CP_TREE"
	f volume export v1 >"$TEST_TMP/f-vol.tar"
	# Owners as they are (1234 and 1 kept), no names, directories with a
	# trailing slash.
	python3 - "$TEST_TMP/f-export.tar" >"$TEST_TMP/got" <<'PY'
import sys, tarfile
for m in tarfile.open(sys.argv[1]):
    if m.name == 'd' or m.name.startswith('d/'):
        print(m.name[:40], m.uid, m.gid, m.uname or '-', m.gname or '-', oct(m.mode), m.type.decode(), m.linkname or '-')
PY
	cat >"$TEST_TMP/expected" <<'EOF'
d 0 0 - - 0o755 5 -
d/f 1234 5678 - - 0o644 0 -
d/fifo 0 0 - - 0o644 6 -
d/h 1234 5678 - - 0o644 1 d/f
d/l 0 0 - - 0o777 2 f
d/nobody 65534 65534 - - 0o644 0 -
d/sub 0 0 - - 0o755 5 -
d/u1 1 1 - - 0o4755 0 -
d/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 0 0 - - 0o755 5 -
d/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 0 0 - - 0o644 0 -
EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/got"
	tar_headers "$TEST_TMP/f-export.tar" | grep -qF "b'd/sub/\\x00"
	tar_headers "$TEST_TMP/f-export.tar" | grep -F "b'd/f\\x00" |
		grep -qF '0000644\x000002322\x000013056\x0000000000002\x0013602760400\x00'
	tar_headers "$TEST_TMP/f-vol.tar" | sed -n 1p | grep -qF "b'f\\x00"
	tar_headers "$TEST_TMP/f-vol.tar" | sed -n 1p | grep -qF '0000644\x000002322\x000013056\x0000000000002\x0013602760400\x00'

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	running_tree podman_t c1
	podman_t export c1 >"$TEST_TMP/p-export.tar"
	# The runtime's files (/etc/hostname, /run/.containerenv) were written
	# at run time: their times differ, nothing else.
	diff -u <(headers_without_times "$TEST_TMP/p-export.tar") <(headers_without_times "$TEST_TMP/f-export.tar")
	podman_t volume create v1 >/dev/null
	podman_t run --rm --network none -v v1:/d localhost/ferry-test:latest sh -c "$CP_TREE"
	podman_t volume export v1 >"$TEST_TMP/p-vol.tar"
	# No entry for the volume itself in either: the same, byte for byte.
	cmp "$TEST_TMP/p-vol.tar" "$TEST_TMP/f-vol.tar"
}

@test "save --format oci-archive: the layout's entries in name order with Go's header fields, as Podman's" {
	both_have_test_image
	f save -q --format oci-archive -o "$TEST_TMP/f.tar" ferry-test
	tar -tf "$TEST_TMP/f.tar" >"$TEST_TMP/names"
	sort "$TEST_TMP/names" | diff -u - "$TEST_TMP/names"
	[ "$(head -2 "$TEST_TMP/names" | tr '\n' ' ')" = "blobs/ blobs/sha256/ " ]
	tar_headers "$TEST_TMP/f.tar" | head -1 | grep -qF '0000755\x000000000\x000000000\x0000000000000\x0000000000000\x00'

	need_podman
	podman_t save -q --format oci-archive -o "$TEST_TMP/p.tar" localhost/ferry-test:latest
	# Podman stores layers uncompressed and compresses them anew (other
	# blobs, other names) and stamps the time of the save: the kinds of
	# entries and their order are what compare.
	TZ=UTC tar -tvf "$TEST_TMP/p.tar" | awk '{print $1, $2, ($6 ~ /^blobs\/sha256\/./ ? "blob" : $6)}' >"$TEST_TMP/p.kinds"
	TZ=UTC tar -tvf "$TEST_TMP/f.tar" | awk '{print $1, $2, ($6 ~ /^blobs\/sha256\/./ ? "blob" : $6)}' >"$TEST_TMP/f.kinds"
	diff -u "$TEST_TMP/p.kinds" "$TEST_TMP/f.kinds"
	# Each loads the other's.
	podman_t rmi -af >/dev/null
	podman_t load -q -i "$TEST_TMP/f.tar"
	podman_t image exists localhost/ferry-test:latest
	f rmi -af >/dev/null
	f load -q -i "$TEST_TMP/p.tar"
	f image exists localhost/ferry-test:latest
}

@test "cp CTR:PATH -: the container's /etc/passwd names owners however it is written, and a FIFO there names none" {
	load_test_image
	# An empty password field, an ID with a leading zero, a second line
	# for an ID (the first names it), a line too short to count.
	f run --name c1 --network none ferry-test sh -c 'printf "short\nroot::00:0:r:/:/bin/sh\nalias:x:0:0::/:\nsvc:x:0042:42::/:\n" >/etc/passwd &&
		touch /f && chown 42:0 /f'
	[ "$(f cp c1:/f - | tar -tvf - | awk '{print $2}')" = svc/root ]
	f cp c1:/etc/ferry-release - | tar -tvf - | grep -q ' root/root '
	# The container's own file, whatever it made of it: a FIFO would block
	# the copy for ever.
	f run --name c2 --network none ferry-test sh -c 'rm /etc/passwd /etc/group && mkfifo /etc/passwd /etc/group'
	timeout 60 "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" cp c2:/etc/ferry-release - >"$TEST_TMP/c2.tar"
	[ "$(tar -tvf "$TEST_TMP/c2.tar" | awk '{print $2}')" = 0/0 ]
}

@test "a created container's root: cp CTR:/ - (without dev, proc and sys) and export, byte for byte as Podman's" {
	load_test_image
	f create --name c1 --network none ferry-test true >/dev/null
	f cp c1:/ - >"$TEST_TMP/f-cp.tar"
	f export c1 >"$TEST_TMP/f-export.tar"
	# Podman's cp leaves the kernel's file systems' directories out, its
	# export keeps them.
	[ -z "$(tar -tf "$TEST_TMP/f-cp.tar" | grep -E '^(dev|proc|sys)(/|$)')" ]
	[ "$(tar -tf "$TEST_TMP/f-export.tar" | grep -cxE '(dev|proc|sys)/')" -eq 3 ]
	tar -tf "$TEST_TMP/f-cp.tar" | grep -qx bin
	tar -tf "$TEST_TMP/f-export.tar" | grep -qx bin/

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t create --name c1 --network none localhost/ferry-test:latest true >/dev/null
	podman_t cp c1:/ - >"$TEST_TMP/p-cp.tar"
	podman_t export c1 >"$TEST_TMP/p-export.tar"
	cmp "$TEST_TMP/p-cp.tar" "$TEST_TMP/f-cp.tar"
	cmp "$TEST_TMP/p-export.tar" "$TEST_TMP/f-export.tar"
}
