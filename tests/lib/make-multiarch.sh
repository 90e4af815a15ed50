#!/usr/bin/env bash
# Builds a multi-platform image (an OCI image index) from the test image's OCI
# archive, for pull tests that must pick one platform, and optionally pushes
# it to a registry with skopeo.
#
# Usage: tests/lib/make-multiarch.sh [options] ARCHIVE OUTDIR
#   ARCHIVE            an OCI archive with one image (ferry_test_image)
#   OUTDIR             the OCI layout to write (created; must not exist)
#   --push DEST        then copy every platform to DEST (HOST:PORT/REPO:TAG)
#                      with `skopeo copy --all`
#   --dest-creds U:P   credentials for --push
#   --tls-verify BOOL  for --push (default false: the tests' registries are
#                      plain http or self-signed)
#
# The index lists two images, the foreign one first so that a client that
# takes the first entry instead of matching the platform is caught:
#   linux/arm64/v8  the archive's layers plus one small gzip layer holding
#                   /arch-arm64 ("arm64"); config architecture arm64,
#                   variant v8, one more diff_id and history entry;
#   linux/amd64     the archive's image itself, unchanged (same manifest,
#                   same digest).
# (On an arm64 host, where the test image is arm64, the roles swap: the extra
# image is linux/amd64 with /arch-amd64.)
#
# Prints one line per manifest, "index DIGEST" (with --push, the digest of the
# index as the registry holds it), "<arch> DIGEST" for both images (the same
# in OUTDIR and on the registry), and "extra-layer DIGEST" for the layer only
# the foreign image has.  OUTDIR is byte-identical from run to run, like the
# test image.
set -euo pipefail

usage() {
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
	exit 2
}

die() {
	echo "make-multiarch: $*" >&2
	exit 1
}

push=
creds=
tls_verify=false
args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--push) [ $# -ge 2 ] || usage; push=$2; shift ;;
	--dest-creds) [ $# -ge 2 ] || usage; creds=$2; shift ;;
	--tls-verify) [ $# -ge 2 ] || usage; tls_verify=$2; shift ;;
	-h | --help) usage ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) args+=("$1") ;;
	esac
	shift
done
[ ${#args[@]} -eq 2 ] || usage
archive=${args[0]}
out=${args[1]}
[ -f "$archive" ] || die "'$archive' does not exist"
[ ! -e "$out" ] || die "'$out' already exists"
for tool in tar gzip jq sha256sum; do
	command -v "$tool" >/dev/null || die "'$tool' is not installed (scripts/install-deps.sh installs it)"
done
if [ -n "$push" ]; then command -v skopeo >/dev/null || die "'skopeo' is not installed"; fi

umask 022
export LC_ALL=C TZ=UTC

mkdir -p "$out"
tar -xf "$archive" -C "$out"
blobs=$out/blobs/sha256

sha256() { sha256sum "$1" | cut -d' ' -f1; }

# add_blob FILE: moves FILE into the layout, prints its digest.
add_blob() {
	local hex
	hex=$(sha256 "$1")
	mv "$1" "$blobs/$hex"
	echo "sha256:$hex"
}

base_desc=$(jq -c '.manifests[0]' "$out/index.json")
base_digest=$(jq -r .digest <<<"$base_desc")
base_type=$(jq -r .mediaType <<<"$base_desc")
[ "$base_type" = application/vnd.oci.image.manifest.v1+json ] ||
	die "'$archive' holds a $base_type, not one OCI image manifest"
base_manifest=$blobs/${base_digest#sha256:}
base_config=$blobs/$(jq -r '.config.digest | sub("^sha256:"; "")' "$base_manifest")
base_arch=$(jq -r .architecture "$base_config")
base_os=$(jq -r .os "$base_config")

if [ "$base_arch" = arm64 ]; then
	other_arch=amd64 other_variant=
else
	other_arch=arm64 other_variant=v8
fi

# ---- the extra layer ----------------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/make-multiarch.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/layer"
echo "$other_arch" >"$work/layer/arch-$other_arch"
chmod 0644 "$work/layer/arch-$other_arch"
tar --sort=name --format=posix \
	--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
	--mtime=@0 --owner=0 --group=0 --numeric-owner \
	-C "$work/layer" -cf "$work/layer.tar" "arch-$other_arch"
diff_id=sha256:$(sha256 "$work/layer.tar")
gzip -n -9 -c "$work/layer.tar" >"$work/layer.tar.gz"
layer_size=$(stat -c %s "$work/layer.tar.gz")
layer_digest=$(add_blob "$work/layer.tar.gz")

# ---- the foreign image's config and manifest --------------------------------

jq -c --arg arch "$other_arch" --arg variant "$other_variant" --arg d "$diff_id" '
	.architecture = $arch
	| (if $variant == "" then del(.variant) else .variant = $variant end)
	| .rootfs.diff_ids += [$d]
	| .history += [{created: "1970-01-01T00:00:00Z",
		created_by: ("ferry make-multiarch: /arch-" + $arch)}]' \
	"$base_config" | tr -d '\n' >"$work/config.json"
config_size=$(stat -c %s "$work/config.json")
config_digest=$(add_blob "$work/config.json")

jq -c --arg cd "$config_digest" --argjson cs "$config_size" \
	--arg ld "$layer_digest" --argjson ls "$layer_size" '
	.config.digest = $cd | .config.size = $cs
	| .layers += [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $ld, size: $ls}]' \
	"$base_manifest" | tr -d '\n' >"$work/manifest.json"
other_size=$(stat -c %s "$work/manifest.json")
other_digest=$(add_blob "$work/manifest.json")

# ---- the index ----------------------------------------------------------------

platform() { # ARCH VARIANT
	jq -c -n --arg os "$base_os" --arg a "$1" --arg v "$2" \
		'{architecture: $a, os: $os} + (if $v == "" then {} else {variant: $v} end)'
}
base_variant=$(jq -r '.variant // ""' "$base_config")
jq -c -n \
	--arg od "$other_digest" --argjson os "$other_size" --argjson op "$(platform "$other_arch" "$other_variant")" \
	--arg bd "$base_digest" --argjson bs "$(stat -c %s "$base_manifest")" \
	--argjson bp "$(platform "$base_arch" "$base_variant")" \
	'{
		schemaVersion: 2,
		mediaType: "application/vnd.oci.image.index.v1+json",
		manifests: [
			{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $od, size: $os, platform: $op},
			{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $bd, size: $bs, platform: $bp}
		]
	}' | tr -d '\n' >"$work/index.json"
index_size=$(stat -c %s "$work/index.json")
index_digest=$(add_blob "$work/index.json")

jq -c -n --arg d "$index_digest" --argjson s "$index_size" '{
	schemaVersion: 2,
	manifests: [{
		mediaType: "application/vnd.oci.image.index.v1+json",
		digest: $d, size: $s,
		annotations: {"org.opencontainers.image.ref.name": "latest"}
	}]
}' | tr -d '\n' >"$out/index.json"

if [ -n "$push" ]; then
	push=${push#docker://}
	# skopeo keeps both images' manifests as they are but adds an annotation
	# of its own to the index's entries (zstd layers): the index pushed has
	# another digest than the one written here, so ask the registry for it.
	skopeo_args=(--quiet --dest-tls-verify="$tls_verify")
	inspect_args=(--raw --tls-verify="$tls_verify")
	if [ -n "$creds" ]; then
		skopeo_args+=(--dest-creds "$creds")
		inspect_args+=(--creds "$creds")
	fi
	skopeo copy --all "${skopeo_args[@]}" "oci:$out:latest" "docker://$push" >&2 ||
		die "skopeo could not push the index to $push"
	index_digest=sha256:$(skopeo inspect "${inspect_args[@]}" "docker://$push" | sha256sum | cut -d' ' -f1)
fi

echo "index $index_digest"
echo "$base_arch $base_digest"
echo "$other_arch $other_digest"
echo "extra-layer $layer_digest"
