/* ferry: taking images out as files: `save`.
 *
 * Four layouts, as Podman writes them:
 *   docker-archive  a tar of manifest.json, <config hex>.json and one
 *                   <diff_id hex>.tar per layer, uncompressed (the layers
 *                   are their diff_ids), several images in one archive;
 *                   and, as Podman writes it byte for byte, the legacy
 *                   layout too: a directory per layer (<id>/layer.tar, a
 *                   link to the layer's file, <id>/VERSION, <id>/json)
 *                   and a repositories file, every file mode 0444
 *   oci-archive     a tar of an OCI image layout: the manifest, config and
 *                   layer blobs exactly as stored, so the manifest digest
 *                   survives
 *   oci-dir         the same layout as a directory; an existing layout
 *                   gets the image added to its index
 *   docker-dir      containers/image's "dir" transport: a Docker schema 2
 *                   manifest, the config and the uncompressed layers, each
 *                   named by its hex digest, and a version file
 *
 * An archive written to a file is made as an unnamed file in the target's
 * directory and linked into place only once complete and synced: a failed
 * or killed save leaves nothing behind.  Work files (decompressed layers)
 * live under the store's tmp directory, which the next ferry sweeps.  */
#ifndef FERRY_IMAGE_SAVE_H
#define FERRY_IMAGE_SAVE_H

#include "store.h"

#include <stdbool.h>

enum ferry_save_format
{
  FERRY_SAVE_DOCKER_ARCHIVE,
  FERRY_SAVE_OCI_ARCHIVE,
  FERRY_SAVE_OCI_DIR,
  FERRY_SAVE_DOCKER_DIR,
};

/* "docker-archive", ... into *OUT; -1 for a name that is none of them.  */
int ferry_save_format_parse (const char *name, enum ferry_save_format *out);
const char *ferry_save_format_name (enum ferry_save_format f);

/* Called for each blob as it is written (KIND "blob" or "config", with its
 * digest) and once the manifests are (KIND "manifest", DIGEST NULL).  */
typedef void (*ferry_save_progress_fn) (void *ctx, const char *kind, const char *digest);

struct ferry_save_request
{
  enum ferry_save_format format;
  /* As typed.  Without MULTI_IMAGE the first is the image and the others
   * are further names it gets in a docker-archive (Podman's rule); with
   * it, each is an image (several only in a docker-archive).  */
  char *const *refs;
  size_t n_refs;
  bool multi_image;
  bool compress; /* docker-dir: gzip the layers */
  /* oci-archive, oci-dir: the manifest's ref.name is REF_NAME (NULL:
   * none) instead of the name the image was given by, as a push to
   * oci:DIR:REF names it.  */
  bool ref_name_set;
  const char *ref_name;
  /* When not NULL (FERRY_DIGEST_LEN + 1 bytes), gets the digest of the
   * first image's manifest as written: an OCI layout's, a docker-dir's
   * manifest.json, and for a docker-archive, which holds none, the
   * schema 2 manifest a docker-dir would (as Podman's push --digestfile
   * has them).  */
  char *manifest_digest;
  const char *output; /* a file or directory; NULL: OUT_FD (archives only) */
  int out_fd;
  ferry_save_progress_fn progress; /* may be NULL */
  void *progress_ctx;
};

/* On success *SAVED (when SAVED is not NULL) gets the IDs of the images
 * written, NULL-terminated.  */
int ferry_image_save (ferry_store_t *s, const struct ferry_save_request *req, char ***saved,
                      ferry_error_t *err);

#endif
