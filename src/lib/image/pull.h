/* ferry: pulling and pushing images over the OCI distribution API.
 *
 * A pull fetches the manifest (choosing this host's platform from an image
 * index or a Docker manifest list), the config, and the layers the store
 * lacks, several at a time; every blob is checked against its digest as it
 * streams in and every layer against the config's diff_id as it unpacks.
 * Nothing is stored until all of it is verified, and then all of it is
 * stored at once (ferry_store_add_image).
 *
 * A push sends the image as stored: its config bytes, and its manifest
 * and each compressed layer's blob as it came (so the manifest digest and
 * image ID of a pulled or loaded image survive the trip), skipping blobs
 * the registry has and mounting blobs another repository of the same
 * registry has.  Layers stored uncompressed, and on request compressed
 * otherwise, are compressed anew on the way (compress.h), which gives the
 * manifest a new digest and leaves the image ID.  */
#ifndef FERRY_IMAGE_PULL_H
#define FERRY_IMAGE_PULL_H

#include "registry.h"
#include "retry.h"
#include "store.h"
#include "../util/decompress.h"

#include <stdbool.h>

struct ferry_transfer_options
{
  struct ferry_registry_options registry;
  const char *platform; /* pull: "os/arch[/variant]", NULL for linux/<this host> */
  int progress;         /* what shows on standard error: progress.h's modes */
  /* The trust policy (policy.h) a pull obeys: NULL for the default file,
   * and the registries.d directory naming signature stores (NULL: the
   * default).  */
  const char *signature_policy;
  const char *registries_d;
  struct ferry_retry retry; /* zero: one try */
  const char *format;       /* push: "oci" or "v2s2" (convert.h); NULL: as stored */
  /* push: the compression of layers that go out compressed anew (see
   * ferry_image_push), at LEVEL (compress.h's defaults when not
   * LEVEL_SET); FORCE also recompresses layers stored in another one.  */
  struct
  {
    enum ferry_compression format; /* NONE: gzip */
    int level;
    bool level_set;
    bool force;
  } compression;
  /* manifest push --add-compression: the compressions each platform of a
   * list must also have, in the order asked, FERRY_COMPRESSION_NONE
   * ending them (at most two: gzip and zstd).  */
  enum ferry_compression add_compression[3];
  /* pull: --decryption-key's "FILE[:PASSPHRASE]" (encrypt.h),
   * NULL-terminated, or NULL.  An encrypted layer is decrypted on the way
   * in and stored as the plain layer it was, under a manifest that names
   * it so (as Podman stores it); without a key that opens it the pull
   * fails before any layer is fetched.  */
  char *const *decryption_keys;
  /* push: --encryption-key's "jwe:PUBLIC-KEY" recipients (NULL: none), and
   * --encrypt-layer's indexes into the layers (negative ones count from
   * the last), N_ENCRYPT_LAYERS of them (0: every layer).  */
  char *const *encryption_keys;
  const int *encrypt_layers;
  size_t n_encrypt_layers;
  /* pull: asks the user which of NAMES (NULL-terminated) a short name
   * stands for, as Podman asks on a terminal; returns the index chosen,
   * or -1 with ERR.  NULL: never asked.  A choice that is pulled is
   * recorded as an alias (registries.h), and a failure to record it is
   * told to WARN (may be NULL).  */
  int (*choose_name) (char *const *names, ferry_error_t *err);
  void (*warn) (const char *msg);
};

/* Pulls REF ("[docker://]registry/repo[:tag][@digest]"; a short name as
 * registries.conf says, see registries.h) into the store.  *ID gets the
 * image ID.  */
int ferry_image_pull (ferry_store_t *s, const char *ref, const struct ferry_transfer_options *o, char **id,
                      ferry_error_t *err);

/* pull --all-tags: pulls every tag that REF's repository lists on its
 * registry (REF's own tag or digest is ignored, as Podman ignores it), in
 * the registry's order; *IDS gets their image IDs (NULL-terminated, as far
 * as they got on a failure).  */
int ferry_image_pull_all_tags (ferry_store_t *s, const char *ref, const struct ferry_transfer_options *o,
                               char ***ids, ferry_error_t *err);

/* Pushes the stored image IMAGE to DEST ("[docker://]registry/repo[:tag]");
 * DEST NULL means IMAGE's own name.  *DIGEST (may be NULL) gets the
 * manifest digest.
 *
 * Layers, as Podman sends them: one stored uncompressed is compressed
 * with O->compression.format; one stored compressed goes as it is (as
 * Podman reuses a blob the destination has, whatever its compression),
 * unless O->compression.force and it is compressed otherwise, or the
 * manifest is Docker's schema 2, which has no name for zstd (then gzip).
 * A layer compressed anew changes the manifest, and so its digest; a
 * stored schema 2 manifest with a zstd layer becomes an OCI one.  */
int ferry_image_push (ferry_store_t *s, const char *image, const char *dest,
                      const struct ferry_transfer_options *o, char **digest, ferry_error_t *err);

/* Pushes the manifest list LIST to DEST (NULL: LIST's own name): with
 * ALL, first every image it lists (blobs, then the manifest by digest;
 * each must be in the store), then the list under DEST's tag.  O->format
 * converts the list and, with ALL, its images.  *DIGEST (may be NULL)
 * gets the list's digest.
 *
 * Each image goes as ferry_image_push sends it (O->compression).  Then,
 * as Podman's --add-compression: for each compression of
 * O->add_compression that no entry of the same platform has (an entry
 * marked io.github.containers.compression.zstd has zstd, any other gzip),
 * a copy of the image with every layer in that compression is pushed and
 * added to the list after the others, with the entry's platform and
 * annotations (and the zstd mark).  In the index an entry whose layers
 * are zstd gets the mark, and marked entries come after the others, as
 * Podman orders them.  */
int ferry_image_push_list (ferry_store_t *s, const char *list, const char *dest, int all,
                           const struct ferry_transfer_options *o, char **digest, ferry_error_t *err);

/* Fetches the manifest or index REF names from its registry, verified
 * against REF's digest when it has one: *BODY (NUL-terminated, *LEN
 * bytes), its media type and digest.  */
int ferry_image_fetch_manifest (const char *ref, const struct ferry_transfer_options *o, char **body,
                                size_t *len, char **media_type, char digest[FERRY_DIGEST_LEN + 1],
                                ferry_error_t *err);

/* An OCI artifact (a manifest whose layers are files, not an image):
 * fetches the manifest REF names, verified and type-checked, and its
 * config and layer blobs into BLOB_DIR/<hex>, each written under a
 * temporary name, checked against its size and digest and then renamed.
 * *MANIFEST gets the manifest's text, DIGEST its digest.  */
int ferry_artifact_fetch (const char *ref, const struct ferry_transfer_options *o, const char *blob_dir,
                          char **manifest, char digest[FERRY_DIGEST_LEN + 1], ferry_error_t *err);

/* Pushes the OCI manifest MANIFEST (text) of an artifact, whose blobs are
 * BLOB_DIR/<hex>, to DEST: its blobs, then the manifest under DEST's tag;
 * *DIGEST (when not NULL) gets the manifest's digest.  */
int ferry_artifact_push (const char *dest, const struct ferry_transfer_options *o, const char *blob_dir,
                         const char *manifest, char **digest, ferry_error_t *err);

/* "linux/amd64" style: validates P and splits it.  */
int ferry_platform_parse (const char *p, char **os, char **arch, char **variant, ferry_error_t *err);

#endif
