#!/usr/bin/env bash
# Builds ferry's test image from the host's static busybox, with no network, as
# an OCI image archive (what `podman save --format oci-archive` and
# `skopeo copy ... oci-archive:` write) or, with --docker-archive, as a
# docker-archive (what `podman save --format docker-archive` writes).
#
# Usage: tests/lib/build-test-image.sh [options] OUT.tar [NAME[:TAG]]
#   NAME defaults to localhost/ferry-test:latest; TAG defaults to latest.
#   --docker-archive        write a docker-archive instead of an OCI archive
#   --docker-legacy-layout  with --docker-archive: put each layer at
#                           <id>/layer.tar as a regular file (Docker < 25's
#                           `docker save`) instead of Podman's <diff-id>.tar
#                           with <id>/layer.tar symlinks
#   --extra-layers N        add N gzip layers after the two fixed ones ...
#   --extra-size MB         ... each holding /extra/N.bin of MB MiB of random
#                           data (default 1); for benchmarks, not reproducible
#
# The image:
#   layer 1 (tar+gzip): /bin/busybox and a /bin symlink for every applet,
#     /etc/passwd (root, nobody), /etc/group, /tmp (1777), /root (0700), empty
#     /proc /sys /dev /run, /etc/removed-by-layer2, /opt/olddir/{a,b}
#   layer 2 (tar+zstd): whiteout etc/.wh.removed-by-layer2, opaque whiteout
#     opt/olddir/.wh..wh..opq plus opt/olddir/new, /etc/ferry-release
#     ("ferry-test-image 1")
#   config: Cmd ["/bin/sh"], PATH, WorkingDir "/", one history entry per layer
#     and one empty_layer entry for the CMD.
#
# Without extra layers the output is byte-identical from run to run on one
# machine (fixed mtimes, owners, order and timestamps; the busybox binary is the
# host's, so digests differ between machines with different busybox builds).
set -euo pipefail

usage() {
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
	exit 2
}

die() {
	echo "build-test-image: $*" >&2
	exit 1
}

format=oci
docker_legacy=0
extra_layers=0
extra_size=1
args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--docker-archive) format=docker ;;
	--docker-legacy-layout) docker_legacy=1 ;;
	--extra-layers)
		[ $# -ge 2 ] || usage
		extra_layers=$2
		shift
		;;
	--extra-size)
		[ $# -ge 2 ] || usage
		extra_size=$2
		shift
		;;
	-h | --help) usage ;;
	--) shift; args+=("$@"); break ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) args+=("$1") ;;
	esac
	shift
done
if [ ${#args[@]} -lt 1 ] || [ ${#args[@]} -gt 2 ]; then usage; fi
[[ $extra_layers =~ ^[0-9]+$ ]] || die "--extra-layers wants a whole number, got '$extra_layers'"
[[ $extra_size =~ ^[1-9][0-9]*$ ]] || die "--extra-size wants a positive number of MiB, got '$extra_size'"
[ "$docker_legacy" = 0 ] || [ "$format" = docker ] || die "--docker-legacy-layout needs --docker-archive"

out=${args[0]}
ref=${args[1]:-localhost/ferry-test:latest}

# Split NAME[:TAG]. A ':' before the last '/' belongs to a registry port
# (localhost:5000/x), not to a tag.
case "$ref" in *@*) die "'$ref': a digest reference cannot name a saved image; use NAME[:TAG]" ;; esac
last=${ref##*/}
if [[ $last == *:* ]]; then
	repo=${ref%:*}
	tag=${ref##*:}
else
	repo=$ref
	tag=latest
fi
if [ -z "$repo" ] || [ -z "$tag" ]; then die "'$ref' is not NAME[:TAG]"; fi
ref="$repo:$tag"

for tool in tar gzip zstd jq sha256sum; do
	command -v "$tool" >/dev/null || die "'$tool' is not installed (scripts/install-deps.sh installs it)"
done
busybox=/bin/busybox
[ -x "$busybox" ] || die "$busybox is missing: apt-get install busybox-static"
# A dynamically linked busybox would need the host's libc inside the image.
if command -v file >/dev/null && ! file -L "$busybox" | grep -q 'statically linked'; then
	die "$busybox is not statically linked: apt-get install busybox-static"
fi

case "$(uname -m)" in
x86_64) arch=amd64 ;;
aarch64) arch=arm64 ;;
armv7l) arch=arm ;;
ppc64le) arch=ppc64le ;;
s390x) arch=s390x ;;
riscv64) arch=riscv64 ;;
*) die "unknown machine '$(uname -m)'" ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-test-image.XXXXXX")
tmp_out=
cleanup() { rm -rf "$work" ${tmp_out:+"$tmp_out"}; }
trap cleanup EXIT

# Everything that makes two builds differ is pinned: umask, sort order, owners,
# mtimes, and GNU tar's PAX headers (whose default name carries the PID and
# which would record atime/ctime).
umask 022
export LC_ALL=C TZ=UTC
created=1970-01-01T00:00:00Z
# shellcheck disable=SC2054 # the commas are inside one --pax-option value
tar_repro=(
	--sort=name --format=posix
	--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime
	--mtime=@0 --owner=0 --group=0 --numeric-owner
)

# make_tar DIR OUT: tar DIR's contents with names relative to DIR and no "./"
# prefix ("bin/sh", as in layers that Docker and Podman write).
make_tar() {
	local dir=$1 outfile=$2
	local -a names
	mapfile -t names < <(find "$dir" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort)
	tar "${tar_repro[@]}" -C "$dir" -cf "$outfile" -- "${names[@]}"
}

sha256() { sha256sum "$1" | cut -d' ' -f1; }

# ---- layer contents ---------------------------------------------------------

l1=$work/layer1
mkdir -p "$l1"/{bin,etc,opt/olddir,proc,sys,dev,run,root,tmp}
chmod 1777 "$l1/tmp"
chmod 0700 "$l1/root"
cp "$busybox" "$l1/bin/busybox"
chmod 0755 "$l1/bin/busybox"
# Every applet, so tests can use whatever busybox offers ("[" and "[[" too).
while read -r applet; do
	[ "$applet" = busybox ] || ln -s busybox "$l1/bin/$applet"
done < <("$busybox" --list)
cat >"$l1/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$l1/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
echo "this file is deleted by a whiteout in layer 2" >"$l1/etc/removed-by-layer2"
echo "old file a, hidden by the opaque directory in layer 2" >"$l1/opt/olddir/a"
echo "old file b, hidden by the opaque directory in layer 2" >"$l1/opt/olddir/b"

l2=$work/layer2
mkdir -p "$l2/etc" "$l2/opt/olddir"
# OCI whiteouts are empty regular files: ".wh.NAME" removes NAME from the
# layers below; ".wh..wh..opq" hides everything the layers below had in its
# directory (sorted before "new", so a loader meets the marker first).
: >"$l2/etc/.wh.removed-by-layer2"
: >"$l2/opt/olddir/.wh..wh..opq"
echo "new file from layer 2" >"$l2/opt/olddir/new"
echo "ferry-test-image 1" >"$l2/etc/ferry-release"

# ---- layer blobs --------------------------------------------------------------
# Parallel arrays, one entry per layer: uncompressed tar, compressed blob,
# media type, history text.
layer_tars=() layer_blobs=() layer_types=() layer_history=()

make_tar "$l1" "$work/layer1.tar"
gzip -n -9 -c "$work/layer1.tar" >"$work/layer1.tar.gz" # -n: no name, no time
layer_tars+=("$work/layer1.tar") layer_blobs+=("$work/layer1.tar.gz")
layer_types+=(application/vnd.oci.image.layer.v1.tar+gzip)
layer_history+=("ferry build-test-image: busybox base (layer 1)")

make_tar "$l2" "$work/layer2.tar"
zstd -q -19 -c "$work/layer2.tar" >"$work/layer2.tar.zst"
layer_tars+=("$work/layer2.tar") layer_blobs+=("$work/layer2.tar.zst")
layer_types+=(application/vnd.oci.image.layer.v1.tar+zstd)
layer_history+=("ferry build-test-image: whiteouts, opaque dir, /etc/ferry-release (layer 2)")

for ((i = 1; i <= extra_layers; i++)); do
	d=$work/extra$i
	mkdir -p "$d/extra"
	# Random data: incompressible, so the blob is as big as the content, and
	# distinct per layer, so no two layers share a digest.
	head -c "$((extra_size * 1024 * 1024))" /dev/urandom >"$d/extra/$i.bin"
	make_tar "$d" "$work/extra$i.tar"
	gzip -n -1 -c "$work/extra$i.tar" >"$work/extra$i.tar.gz"
	rm -rf "$d"
	layer_tars+=("$work/extra$i.tar") layer_blobs+=("$work/extra$i.tar.gz")
	layer_types+=(application/vnd.oci.image.layer.v1.tar+gzip)
	layer_history+=("ferry build-test-image: extra layer $i, $extra_size MiB of random data")
done

# ---- config -----------------------------------------------------------------

diff_ids=()
for t in "${layer_tars[@]}"; do diff_ids+=("sha256:$(sha256 "$t")"); done

history_json=$(
	for h in "${layer_history[@]}"; do
		jq -n --arg c "$created" --arg h "$h" '{created: $c, created_by: $h}'
	done
	# A step that made no layer, as Dockerfile CMD lines do: loaders must pair
	# history with diff_ids skipping empty_layer entries.
	jq -n --arg c "$created" '{created: $c, created_by: "/bin/sh -c #(nop) CMD [\"/bin/sh\"]", empty_layer: true}'
)

jq -c -n \
	--arg created "$created" --arg arch "$arch" \
	--argjson diff_ids "$(printf '%s\n' "${diff_ids[@]}" | jq -R . | jq -s .)" \
	--argjson history "$(jq -s . <<<"$history_json")" \
	'{
		created: $created,
		architecture: $arch,
		os: "linux",
		config: {
			Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
			Cmd: ["/bin/sh"],
			WorkingDir: "/"
		},
		rootfs: {type: "layers", diff_ids: $diff_ids},
		history: $history
	}' | tr -d '\n' >"$work/config.json"
config_hex=$(sha256 "$work/config.json")

# ---- OCI image layout -------------------------------------------------------

write_oci() {
	local layout=$work/oci blobs=$work/oci/blobs/sha256 i hex layers_json="" manifest_hex
	mkdir -p "$blobs"
	cp "$work/config.json" "$blobs/$config_hex"
	for i in "${!layer_blobs[@]}"; do
		hex=$(sha256 "${layer_blobs[$i]}")
		mv "${layer_blobs[$i]}" "$blobs/$hex"
		layers_json+=$(jq -c -n --arg t "${layer_types[$i]}" --arg d "sha256:$hex" \
			--argjson s "$(stat -c %s "$blobs/$hex")" '{mediaType: $t, digest: $d, size: $s}')
	done
	jq -c -n \
		--arg cd "sha256:$config_hex" --argjson cs "$(stat -c %s "$work/config.json")" \
		--argjson layers "$(jq -s . <<<"$layers_json")" \
		'{
			schemaVersion: 2,
			mediaType: "application/vnd.oci.image.manifest.v1+json",
			config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
			layers: $layers
		}' | tr -d '\n' >"$work/manifest.json"
	manifest_hex=$(sha256 "$work/manifest.json")
	mv "$work/manifest.json" "$blobs/$manifest_hex"
	# Podman and skopeo record the full reference (registry/repo:tag) in
	# org.opencontainers.image.ref.name when writing an oci-archive.
	jq -c -n --arg d "sha256:$manifest_hex" --argjson s "$(stat -c %s "$blobs/$manifest_hex")" \
		--arg ref "$ref" \
		'{
			schemaVersion: 2,
			manifests: [{
				mediaType: "application/vnd.oci.image.manifest.v1+json",
				digest: $d, size: $s,
				annotations: {"org.opencontainers.image.ref.name": $ref}
			}]
		}' | tr -d '\n' >"$layout/index.json"
	printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
	chmod -R a+rX,go-w "$layout"
	make_tar "$layout" "$work/out.tar"
}

# ---- docker-archive ---------------------------------------------------------
# Podman (containers/image) writes each layer uncompressed as <diff-id>.tar,
# the config as <config-digest>.json, manifest.json, a `repositories` file, and
# for old `docker load` one directory per layer with a layer.tar symlink to
# the real file, VERSION and a v1 json. The v1 IDs only need to be unique and
# stable: like containers/image, each is the sha256 of a small JSON holding
# the layer's chain ID and its parent's ID.

write_docker() {
	local dir=$work/docker i hex chain="" parent="" v1json id layer_paths=()
	mkdir -p "$dir"
	cp "$work/config.json" "$dir/$config_hex.json"
	for i in "${!layer_tars[@]}"; do
		hex=${diff_ids[$i]#sha256:}
		if [ -z "$chain" ]; then
			chain=${diff_ids[$i]}
		else
			chain=sha256:$(printf '%s %s' "$chain" "${diff_ids[$i]}" | sha256sum | cut -d' ' -f1)
		fi
		v1json=$(jq -c -n --arg p "$parent" --arg chain "$chain" \
			'if $p == "" then {} else {parent: $p} end + {layer_id: $chain}')
		id=$(printf '%s' "$v1json" | sha256sum | cut -d' ' -f1)
		mkdir -p "$dir/$id"
		if [ "$docker_legacy" = 1 ]; then
			mv "${layer_tars[$i]}" "$dir/$id/layer.tar"
			layer_paths+=("$id/layer.tar")
		else
			mv "${layer_tars[$i]}" "$dir/$hex.tar"
			ln -s "../$hex.tar" "$dir/$id/layer.tar"
			layer_paths+=("$hex.tar")
		fi
		printf '1.0' >"$dir/$id/VERSION"
		# The top layer's v1 json carries the image's runtime config, as
		# docker's own legacy format does.
		if [ "$i" -eq $((${#layer_tars[@]} - 1)) ]; then
			jq -c --arg p "$parent" --arg id "$id" \
				'{architecture, config, created, os, id: $id} + (if $p == "" then {} else {parent: $p} end)' \
				"$work/config.json" | tr -d '\n' >"$dir/$id/json"
		else
			jq -c -n --arg p "$parent" --arg id "$id" --arg c "$created" \
				'{id: $id, created: $c} + (if $p == "" then {} else {parent: $p} end)' |
				tr -d '\n' >"$dir/$id/json"
		fi
		parent=$id
	done
	jq -c -n --arg cfg "$config_hex.json" --arg ref "$ref" \
		--argjson layers "$(printf '%s\n' "${layer_paths[@]}" | jq -R . | jq -s .)" \
		'[{Config: $cfg, RepoTags: [$ref], Layers: $layers}]' | tr -d '\n' >"$dir/manifest.json"
	jq -c -n --arg r "$repo" --arg t "$tag" --arg id "$parent" '{($r): {($t): $id}}' |
		tr -d '\n' >"$dir/repositories"
	chmod -R a+rX,go-w "$dir"
	make_tar "$dir" "$work/out.tar"
}

if [ "$format" = docker ]; then write_docker; else write_oci; fi

# Rename into place so a reader never sees a half-written archive.
mkdir -p "$(dirname "$out")"
tmp_out=$(mktemp "$out.XXXXXX")
mv "$work/out.tar" "$tmp_out"
chmod 0644 "$tmp_out"
mv -f "$tmp_out" "$out"
tmp_out=
echo "build-test-image: wrote $format archive $out ($ref, ${#layer_tars[@]} layers, config sha256:$config_hex)" >&2
