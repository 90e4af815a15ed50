/* ferry: manifest lists (image indexes) made on this host, as Podman's
 * `manifest` commands make them.
 *
 * A list is stored as an image (store.h: is_list) whose manifest is the
 * index itself, in the order and shape Podman writes: schemaVersion,
 * mediaType, manifests (mediaType, size, digest, platform, annotations),
 * annotations.  Its mediaType is Docker's manifest list while it holds only
 * Docker schema 2 images and has no annotations, else the OCI index, as
 * Podman chooses.  These functions only compute texts; the store records
 * them (ferry_store_add_list, ferry_store_edit_list).  */
#ifndef FERRY_IMAGE_MANIFEST_LIST_H
#define FERRY_IMAGE_MANIFEST_LIST_H

#include "store.h"
#include "../util/error.h"

#include <json-c/json.h>

/* What `manifest add` and `annotate` set on an entry; NULL fields are
 * left as they are (add: as the image's config says).  */
struct ferry_list_platform
{
  const char *os, *arch, *variant, *os_version;
  char **features;          /* NULL-terminated */
  char **os_features;       /* NULL-terminated */
  json_object *annotations; /* string values, added to the entry's */
};

/* A new empty list, with ANNOTATIONS (may be NULL) on the index.  */
char *ferry_manifest_list_new (json_object *annotations);

/* LIST with the stored image IMG added (an entry of the same digest is
 * replaced), its platform taken from IMG's config, then P.  */
char *ferry_manifest_list_add_image (const char *list, const struct ferry_image *img,
                                     const struct ferry_list_platform *p, ferry_error_t *err);

/* LIST with the entry of DIGEST changed by P, and ANNOTATIONS (may be
 * NULL) added to the index's own; DIGEST NULL changes only the index.
 * An entry that is not there is kind FERRY_ERROR_NOT_FOUND.  */
char *ferry_manifest_list_annotate (const char *list, const char *digest, const struct ferry_list_platform *p,
                                    json_object *annotations, ferry_error_t *err);

/* LIST without the entry of DIGEST (kind FERRY_ERROR_NOT_FOUND when it has
 * none).  */
char *ferry_manifest_list_remove (const char *list, const char *digest, ferry_error_t *err);

/* LIST in FORMAT ("oci": the OCI index; "v2s2": Docker's list, which has
 * no annotations), its entries' digests, sizes and media types changed
 * as CHANGED says (pairs of old digest and new descriptor, may be NULL).  */
char *ferry_manifest_list_convert (const char *list, const char *format, json_object *changed,
                                   ferry_error_t *err);

/* What `manifest inspect` prints of a list: LIST as Podman shows it (an
 * empty list's manifests null).  */
json_object *ferry_manifest_list_inspect (const char *list, ferry_error_t *err);

#endif
