/* ferry: an image's history as Podman shows it (`image history`): the
 * config's history entries, newest first, each with the size of the layer
 * it made and the images of the store whose top layer that is.  */
#ifndef FERRY_IMAGE_HISTORY_H
#define FERRY_IMAGE_HISTORY_H

#include "store.h"

struct ferry_history_entry
{
  /* The image's own ID on the newest entry, another image's whose top
   * layer this entry's layer is, else NULL (Podman's <missing>).  */
  char *id;
  char *created;    /* as the config has it, may be "" */
  char *created_by; /* may be "" */
  char *comment;    /* may be "" */
  char **tags;      /* NULL-terminated: names of the images whose top layer this entry's layer is */
  uint64_t size;    /* uncompressed size of the layer the entry made, 0 for an empty_layer entry */
};

int ferry_image_history (ferry_store_t *s, const char *ref, struct ferry_history_entry **out, size_t *n,
                         ferry_error_t *err);
/* The IDs Podman's storage gives IMG's layers, bottom first (NULL-terminated):
 * the bottom layer's is the hex of its diff_id, each other's the hex of
 * sha256("<parent's ID>+<hex of its diff_id>").  */
char **ferry_image_layer_ids (const struct ferry_image *img);

void ferry_history_free (struct ferry_history_entry *h, size_t n);

#endif
