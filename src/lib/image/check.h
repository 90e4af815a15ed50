/* ferry: the image store's consistency, for `system check`.
 *
 * A layer is damaged when its directory is gone, its content no longer
 * matches the blob it was unpacked from (storage/verify.h: files added,
 * missing or changed), its blob's digests or sizes no longer match its
 * rows, a layer kept only as its blob has lost it, or no image uses it and
 * it is older than the age given (a leftover).  An image is damaged when a
 * layer it lists is gone or damaged, or its config no longer matches its
 * digest.  The errors read as Podman's (containers/storage's) where they
 * say the same thing.  */
#ifndef FERRY_IMAGE_CHECK_H
#define FERRY_IMAGE_CHECK_H

#include "store.h"

struct ferry_damage
{
  char *id;      /* a layer's or blob's hex, an image's or container's ID */
  char **errors; /* NULL-terminated, never empty */
};

struct ferry_damage_list
{
  struct ferry_damage *items;
  size_t n;
};

struct ferry_store_check
{
  struct ferry_damage_list layers;
  struct ferry_damage_list images;
  char **unused_layers; /* diff_ids of damaged layers no image uses */
};

/* QUICK: no content or digest checks (the time-consuming ones).
 * MAX_AGE: seconds after which a layer no image uses is damage.  */
int ferry_store_check (ferry_store_t *s, int quick, long long max_age, struct ferry_store_check *out,
                       ferry_error_t *err);
void ferry_store_check_release (struct ferry_store_check *c);

/* Adds ERROR (taken) to the damage of ID in LIST.  */
void ferry_damage_add (struct ferry_damage_list *list, const char *id, char *error);
/* The damage of ID in LIST, or NULL.  */
const struct ferry_damage *ferry_damage_find (const struct ferry_damage_list *list, const char *id);
void ferry_damage_list_release (struct ferry_damage_list *list);

#endif
