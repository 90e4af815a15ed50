/* ferry: the image store of one root.
 *
 *   <root>/ferry.db                  images, names, layers (state/db.h)
 *   <root>/storage/layers/<hex>/     one unpacked layer, keyed by the hex of
 *                                    its diff_id, shared by every image that
 *                                    has it; used as an overlay lower dir
 *   <root>/storage/tmp/              work in progress, same file system so
 *                                    that finished work is renamed in
 *
 * A layer directory appears (by rename) only once fully unpacked and
 * verified, and rows appear only after their directories, under the
 * "storage" lock; removal takes the same lock.  */
#ifndef FERRY_IMAGE_STORE_H
#define FERRY_IMAGE_STORE_H

#include "../state/db.h"
#include "../util/error.h"
#include "../util/hash.h"

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ferry_store ferry_store_t;

struct ferry_image
{
  char *id; /* hex of config_digest */
  char *config_digest;
  char *manifest_digest;
  char *manifest;      /* the manifest as stored */
  json_object *config; /* the parsed image config */
  char **names;        /* NULL-terminated, sorted */
  char **diff_ids;     /* NULL-terminated, bottom layer first */
  size_t n_layers;
  uint64_t size; /* sum of the uncompressed layer sizes */
  char *created; /* from the config, may be "" */
};

/* A layer of an image being added.  */
struct ferry_new_layer
{
  char diff_id[FERRY_DIGEST_LEN + 1];
  char blob_digest[FERRY_DIGEST_LEN + 1]; /* as named in the manifest */
  char *media_type;
  uint64_t blob_size;
  uint64_t size;  /* uncompressed */
  char *unpacked; /* a directory under <root>/storage/tmp, or NULL when the store has it */
};

struct ferry_new_image
{
  char *manifest;
  char manifest_digest[FERRY_DIGEST_LEN + 1];
  char *config;
  char config_digest[FERRY_DIGEST_LEN + 1];
  struct ferry_new_layer *layers; /* bottom first */
  size_t n_layers;
  char **names; /* NULL-terminated normalised names, may be empty */
};

int ferry_store_open (const char *root, ferry_store_t **out, ferry_error_t *err);
void ferry_store_close (ferry_store_t *s);

ferry_db_t *ferry_store_db (ferry_store_t *s);
const char *ferry_store_root (ferry_store_t *s);
/* <root>/storage/tmp: where new layers are unpacked before commit.  */
const char *ferry_store_tmp_dir (ferry_store_t *s);
/* <root>/storage/layers/<hex of diff_id>  */
char *ferry_store_layer_path (ferry_store_t *s, const char *diff_id);

/* True when the store already has the layer a blob unpacks to; *diff_id
 * gets its diff_id.  */
int ferry_store_has_blob (ferry_store_t *s, const char *blob_digest, char diff_id[FERRY_DIGEST_LEN + 1]);
int ferry_store_has_layer (ferry_store_t *s, const char *diff_id);

/* Moves the new layers in, then records the image and its names in one
 * transaction; a name that pointed at another image moves to this one.  On
 * failure nothing of the image remains.  Frees nothing of IMG.  */
int ferry_store_add_image (ferry_store_t *s, struct ferry_new_image *img, ferry_error_t *err);
void ferry_new_image_free (struct ferry_new_image *img);

/* Finds an image by name (short names as Podman resolves them), full or
 * abbreviated ID (at least 3 hex digits, unique), or "sha256:ID".  Not found
 * sets *err of kind FERRY_ERROR_NOT_FOUND and the message "REF: image not known".  */
int ferry_store_lookup (ferry_store_t *s, const char *ref, struct ferry_image **out, ferry_error_t *err);

int ferry_store_list (ferry_store_t *s, struct ferry_image ***out, size_t *n, ferry_error_t *err);

/* The layer directories of IMG, top layer first, as overlay wants them.  */
char **ferry_store_image_layer_paths (ferry_store_t *s, const struct ferry_image *img);

struct ferry_remove_report
{
  char **untagged; /* NULL-terminated */
  char *deleted;   /* the image ID when the image itself went */
};

/* Removes REF.  A name of an image with other names only untags it; an ID
 * of an image with several names needs FORCE.  An image used by a container
 * is refused with kind FERRY_ERROR_IN_USE.  Layers no other image uses are deleted.  */
int ferry_store_remove (ferry_store_t *s, const char *ref, int force, struct ferry_remove_report *report,
                        ferry_error_t *err);
void ferry_remove_report_free (struct ferry_remove_report *r);

void ferry_image_free (struct ferry_image *img);
void ferry_images_free (struct ferry_image **imgs, size_t n);

#endif
