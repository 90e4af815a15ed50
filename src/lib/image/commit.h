/* ferry: an image made of another image and one more layer: `commit`.  */
#ifndef FERRY_IMAGE_COMMIT_H
#define FERRY_IMAGE_COMMIT_H

#include "store.h"

#include <json-c/json.h>

struct ferry_image_commit
{
  const struct ferry_image *base;
  /* The new layer: an uncompressed tar under the store's tmp directory,
   * hard-linked in as its blob (the caller still removes its name).  */
  const char *layer;
  json_object *config;    /* the new image config's "config" object */
  const char *author;     /* may be NULL */
  const char *created_by; /* its history entry's */
  const char *comment;    /* the same, may be NULL */
  const char *name;       /* already checked with ferry_image_commit_name; may be NULL */
  /* The layer is a whole root file system: the image has that one layer
   * and one history entry, none of the base's (--squash).  */
  int squash;
};

/* NAME normalised as the image's name (localhost/ by default), or NULL
 * with kind FERRY_ERROR_GENERIC and Podman's words for a bad one.  */
char *ferry_image_commit_name (const char *name, ferry_error_t *err);

/* Unpacks the layer, and records the image whose layers are the base's
 * and that one, with the base's config under C->config; *ID gets its ID.
 * On failure the store is as it was.  */
int ferry_image_commit (ferry_store_t *s, const struct ferry_image_commit *c, char **id, ferry_error_t *err);

#endif
