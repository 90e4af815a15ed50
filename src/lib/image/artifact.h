/* ferry: OCI artifacts, Podman's `artifact` commands.
 *
 * An artifact is an OCI image manifest whose layers are files, not file
 * systems: its config is the empty descriptor, each layer a file with its
 * name in the org.opencontainers.image.title annotation.  Artifacts live
 * apart from images, as Podman keeps them, in an OCI image layout:
 * <root>/artifacts/{oci-layout,index.json,blobs/sha256/<hex>}, the
 * manifests and blobs by digest and the index naming each manifest
 * (org.opencontainers.image.ref.name).
 *
 * Every change holds <root>/locks/artifacts.lock: blobs are written
 * under temporary names and renamed once checked, then index.json is
 * replaced whole.  A ferry killed before the index names a new manifest
 * leaves blobs no manifest names; the next change removes them (and any
 * temporary file), so the layout is always the last index written.  */
#ifndef FERRY_IMAGE_ARTIFACT_H
#define FERRY_IMAGE_ARTIFACT_H

#include "../util/error.h"
#include "../util/hash.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ferry_artifact
{
  char *name; /* a full reference: REGISTRY/REPOSITORY:TAG */
  char digest[FERRY_DIGEST_LEN + 1];
  char *manifest; /* its text, as stored */
  uint64_t size;  /* its layers' sizes together */
};

typedef struct ferry_artifacts ferry_artifacts_t;

/* Opens the artifacts of ROOT, with WRITE for a change (which waits for
 * the lock and settles what a killed ferry left).  */
int ferry_artifacts_open (const char *root, bool write, ferry_artifacts_t **out, ferry_error_t *err);
void ferry_artifacts_close (ferry_artifacts_t *a);

/* Where the blobs are, by hex digest.  */
const char *ferry_artifacts_blob_dir (ferry_artifacts_t *a);

size_t ferry_artifacts_count (ferry_artifacts_t *a);
const struct ferry_artifact *ferry_artifacts_at (ferry_artifacts_t *a, size_t i);

/* NAME as an artifact's name: a full reference (localhost/ for a name
 * with no registry, :latest for one with no tag); NULL with ERR for a
 * name that is no reference.  */
char *ferry_artifact_name (const char *name, ferry_error_t *err);

/* The artifact REF names (a name, or a digest or its unique hex prefix of
 * at least 3 characters); NULL with ERR (kind NOT_FOUND) when none.  */
const struct ferry_artifact *ferry_artifacts_find (ferry_artifacts_t *a, const char *ref, ferry_error_t *err);

/* The media type Go's http.DetectContentType gives a file that starts
 * with the N bytes B (at most 512 are looked at), as Podman types an
 * artifact's layers: "text/plain; charset=utf-8", "application/octet-stream", ...  */
const char *ferry_artifact_sniff_media_type (const unsigned char *b, size_t n);

/* Makes artifact NAME of the regular files PATHS: TYPE (may be NULL) its
 * artifactType, ANNOTATIONS ("KEY=VALUE", NULL-terminated, may be NULL)
 * on each layer.  DIGEST gets the manifest's digest.  */
int ferry_artifacts_add (ferry_artifacts_t *a, const char *name, char *const *paths, size_t n_paths,
                         const char *type, char *const *annotations, char digest[FERRY_DIGEST_LEN + 1],
                         ferry_error_t *err);

/* Records MANIFEST (text, checked; its blobs already in the blob
 * directory) as artifact NAME, replacing one of that name.  */
int ferry_artifacts_record (ferry_artifacts_t *a, const char *name, const char *manifest, ferry_error_t *err);

/* Removes the artifact REF names, and the blobs no other one uses;
 * DIGEST gets its digest.  */
int ferry_artifacts_remove (ferry_artifacts_t *a, const char *ref, char digest[FERRY_DIGEST_LEN + 1],
                            ferry_error_t *err);

#endif
