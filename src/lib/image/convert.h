/* ferry: `push --format`: a stored image manifest written again as the
 * other of the two schemas a registry takes, OCI or Docker's schema 2
 * ("v2s2"), as Podman converts it.  The config and layer blobs stay as
 * they are; only the manifest (and so its digest) changes.  */
#ifndef FERRY_IMAGE_CONVERT_H
#define FERRY_IMAGE_CONVERT_H

#include "../util/error.h"

/* MANIFEST (a stored image manifest, OCI or v2s2) in FORMAT ("oci" or
 * "v2s2"): a new text, or NULL with *SAME set when it is in FORMAT already
 * (push it as it is).  NULL and ERR when it cannot be: a zstd layer has no
 * v2s2 media type, a layer type ferry does not know is refused.  */
char *ferry_manifest_convert (const char *manifest, const char *format, int *same, ferry_error_t *err);

/* FORMAT as push --format gives it, in *OUT: "oci" or "v2s2" ("docker"
 * is Podman's other name for v2s2), NULL for "" (the image's own, as
 * Podman takes an empty value); -1 and Podman's words when ferry does not
 * convert to it.  */
int ferry_manifest_format_parse (const char *format, const char **out, ferry_error_t *err);

#endif
