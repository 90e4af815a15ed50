/* ferry: the image store of one root.
 *
 *   <root>/ferry.db                  images, names, layers (state/db.h)
 *   <root>/storage/layers/<hex>/     one unpacked layer, keyed by the hex of
 *                                    its diff_id, shared by every image that
 *                                    has it; used as an overlay lower dir
 *   <root>/storage/blobs/<hex>       a layer blob exactly as it came (maybe
 *                                    compressed), keyed by the hex of its
 *                                    blob digest, so that a push sends the
 *                                    very bytes the manifest names
 *                                    (a layer kept only as its blob, a
 *                                    checkpoint image's, has none)
 *   <root>/storage/tmp/              work in progress, same file system so
 *                                    that finished work is renamed or
 *                                    hard-linked in
 *
 * A layer directory appears (by rename) and a blob (by link) only once
 * complete and verified, and rows appear only after them, under the
 * "storage" lock; removal takes the same lock and deletes the files after
 * the rows.  Layers stored before blobs were kept have layer_blobs rows but
 * no blob files.
 *
 * A manifest list (`ferry manifest`, image/manifest_list.h) is a row of
 * images too, as in Podman's store: its manifest is the index, its config
 * ferry's small record of it, its ID random, and it has no layers; its
 * entries name other images' manifest digests.  It changes only inside one
 * transaction under the "storage" lock (ferry_store_edit_list).  */
#ifndef FERRY_IMAGE_STORE_H
#define FERRY_IMAGE_STORE_H

#include "../state/db.h"
#include "../util/error.h"
#include "../util/hash.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ferry_store ferry_store_t;

struct ferry_image
{
  char *id; /* hex of config_digest */
  char *config_digest;
  char *manifest_digest;
  char *manifest;      /* the manifest as stored */
  char *config_text;   /* the config exactly as stored (its sha256 is config_digest) */
  json_object *config; /* the parsed image config */
  char **names;        /* NULL-terminated, sorted */
  /* The names it has had, most recent first, as Podman's NamesHistory:
   * each change of its names puts them (in the order given) before the
   * others.  NULL-terminated.  */
  char **names_history;
  char **diff_ids; /* NULL-terminated, bottom layer first */
  size_t n_layers;
  uint64_t size; /* sum of the uncompressed layer sizes */
  char *created; /* from the config, may be "" */
  /* A manifest list (an image index): MANIFEST is the list, CONFIG_TEXT
   * ferry's small record of it, ID random (as Podman's), no layers.  */
  bool is_list;
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
  /* Kept only as its blob, never unpacked (unpacked stays NULL): a
   * checkpoint image's layer, its archive, which a restore reads as it is
   * and which is no root file system.  A later image that needs the same
   * layer unpacked brings its directory.  */
  bool blob_only;
  /* A file holding the blob exactly as blob_digest names it, on the store's
   * file system (under <root>/storage/tmp), or NULL when the store has the
   * blob.  It stays the caller's: add_image hard-links it into the store.  */
  char *blob_file;
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
/* <root>/storage/blobs/<hex of blob_digest>; the file may not exist (see
 * ferry_store_has_blob_file).  */
char *ferry_store_blob_path (ferry_store_t *s, const char *blob_digest);

/* True when the store already has the layer a blob unpacks to; *diff_id
 * gets its diff_id.  */
int ferry_store_has_blob (ferry_store_t *s, const char *blob_digest, char diff_id[FERRY_DIGEST_LEN + 1]);
/* True when, besides, the blob file itself and the layer directory are
 * there: a pull need not fetch that blob at all.  *diff_id gets its diff_id.  */
int ferry_store_has_blob_file (ferry_store_t *s, const char *blob_digest, char diff_id[FERRY_DIGEST_LEN + 1]);
/* True when the store has the blob file of BLOB_DIGEST, unpacked or not.  */
int ferry_store_has_blob_stored (ferry_store_t *s, const char *blob_digest,
                                 char diff_id[FERRY_DIGEST_LEN + 1]);
/* IMG's size as Podman reports it (images, inspect, system df): its
 * layers, its config, and its manifest twice, as containers/storage keeps
 * the manifest under its digest and as "manifest".  */
uint64_t ferry_image_reported_size (const struct ferry_image *img);
/* The uncompressed size of the layer DIFF_ID, 0 when the store lacks it.  */
uint64_t ferry_store_layer_size (ferry_store_t *s, const char *diff_id);
/* True when the store has the layer unpacked.  */
int ferry_store_has_layer (ferry_store_t *s, const char *diff_id);
/* ferry_store_has_layer, and its directory is there too.  */
int ferry_store_layer_present (ferry_store_t *s, const char *diff_id);

/* Moves the new layers in and hard-links their blob files in (a blob the
 * store has already stays as it is), then records the image and its names
 * in one transaction; a name that pointed at another image moves to this
 * one.  On failure nothing of the image remains.  Frees nothing of IMG.  */
int ferry_store_add_image (ferry_store_t *s, struct ferry_new_image *img, ferry_error_t *err);
/* Frees IMG's contents and removes its layers' unpacked directories, but
 * not their blob files, which stay the caller's.  */
void ferry_new_image_free (struct ferry_new_image *img);

/* Gives the image REF the normalised name NAME; an image that had the name
 * loses it, as with `podman tag`.  */
int ferry_store_tag (ferry_store_t *s, const char *ref, const char *name, ferry_error_t *err);
/* Takes the normalised name NAME from the image REF (every name when NAME
 * is NULL); the image stays, unnamed when it was its last.  A name the
 * image lacks is kind FERRY_ERROR_NOT_FOUND, "NAME: tag not known".  */
int ferry_store_untag (ferry_store_t *s, const char *ref, const char *name, ferry_error_t *err);

/* Records that REPOSITORY on REGISTRY holds the blob, so that a push to
 * another repository there can mount it instead of uploading it.  Records
 * nothing (and succeeds) when the store has no layer blob or image config
 * of that digest: the row would outlive its blob.  Removing the last image
 * that has the blob removes its rows.  */
int ferry_store_add_blob_location (ferry_store_t *s, const char *blob_digest, const char *registry,
                                   const char *repository, ferry_error_t *err);
/* The repositories on REGISTRY known to hold the blob, NULL-terminated and
 * sorted: possibly empty (also when the database cannot say), never NULL.  */
char **ferry_store_blob_repositories (ferry_store_t *s, const char *blob_digest, const char *registry);

/* Finds an image by name (short names as Podman resolves them), full or
 * abbreviated ID (at least 3 hex digits, unique), or "sha256:ID".  Not found
 * sets *err of kind FERRY_ERROR_NOT_FOUND and the message "REF: image not known".  */
int ferry_store_lookup (ferry_store_t *s, const char *ref, struct ferry_image **out, ferry_error_t *err);

/* REF names a manifest list stored by `manifest create`: lookups find
 * it, and every one but ferry_store_lookup_list resolves it to the image
 * of this host's platform it lists (as Podman does), which must be in the
 * store: else kind FERRY_ERROR_NOT_FOUND, "no image found in image index
 * for architecture ...".  */
int ferry_store_lookup_list (ferry_store_t *s, const char *ref, struct ferry_image **out, ferry_error_t *err);

/* The stored image (never a list) whose manifest digest is DIGEST.  */
int ferry_store_lookup_manifest_digest (ferry_store_t *s, const char *digest, struct ferry_image **out,
                                        ferry_error_t *err);

/* Records a new manifest list MANIFEST (an image index, checked) named
 * NAME (normalised) with a random ID, which *ID gets.  A name another
 * image has is kind FERRY_ERROR_EXISTS.  One transaction: a crash leaves
 * the list whole or absent.  */
int ferry_store_add_list (ferry_store_t *s, const char *manifest, const char *name, char **id,
                          ferry_error_t *err);

/* Changes the manifest list REF: EDIT gets the stored list and returns
 * its new manifest (a new string) or NULL with *ERR set.  The read, the
 * edit and the write happen under the storage lock in one transaction, so
 * concurrent edits do not lose each other's changes and a crash leaves the
 * old list or the new one.  EDIT may look images up in S, and must not
 * take the storage lock (a pull).  */
int ferry_store_edit_list (ferry_store_t *s, const char *ref,
                           char *(*edit) (ferry_store_t *s, const struct ferry_image *list, void *arg,
                                          ferry_error_t *err),
                           void *arg, ferry_error_t *err);

/* ferry_store_lookup, and *MATCHED gets the full name REF matched ("ferry-test"
 * matched "localhost/ferry-test:latest"), or NULL when REF is an ID or a
 * digest: what `save` records as the image's name.  */
int ferry_store_lookup_matched (ferry_store_t *s, const char *ref, struct ferry_image **out, char **matched,
                                ferry_error_t *err);

int ferry_store_list (ferry_store_t *s, struct ferry_image ***out, size_t *n, ferry_error_t *err);

/* ferry_store_list, but a damaged image (whose row ferry_store_list
 * refuses) does not stop it: its ID goes to *DAMAGED_IDS and what is
 * wrong with it to *DAMAGED_WHY (NULL-terminated, in the same order), for
 * a removal by ID to take it away, as Podman's rmi -a and prune do.  */
int ferry_store_list_sound (ferry_store_t *s, struct ferry_image ***out, size_t *n, char ***damaged_ids,
                            char ***damaged_why, ferry_error_t *err);

/* Whether every layer of IMG is in the store (its row, and its directory
 * when it is unpacked); -1 and "layer not known" (FERRY_ERROR_DAMAGED), as
 * Podman's store says of an image whose layer went, when not.  */
int ferry_store_image_check_layers (ferry_store_t *s, const struct ferry_image *img, ferry_error_t *err);

/* True when another image is built on IMG: it has all of IMG's layers,
 * in order, and more (what Podman calls a child).  An unnamed image with
 * a child is intermediate, not dangling: listings hide it, prunes keep
 * it.  */
int ferry_store_image_has_child (ferry_store_t *s, const struct ferry_image *img);

/* True when a container was made from the image ID.  */
int ferry_store_image_in_use (ferry_store_t *s, const char *id);

/* The uncompressed bytes of every layer the store holds, each counted
 * once however many images share it (what `system df` calls the images'
 * size).  */
int ferry_store_layers_size (ferry_store_t *s, uint64_t *out, ferry_error_t *err);

/* The layer directories of IMG, top layer first, as overlay wants them.  */
char **ferry_store_image_layer_paths (ferry_store_t *s, const struct ferry_image *img);

struct ferry_remove_report
{
  char **untagged; /* NULL-terminated */
  char *deleted;   /* the image ID when the image itself went */
  char **pruned;   /* NULL, or the dangling parents that went with it (NULL-terminated) */
};

/* Removes REF.  A name of an image with other names only untags it; an ID
 * of an image with several names needs FORCE.  An image used by a container
 * is refused with kind FERRY_ERROR_IN_USE.  Layers no other image uses are
 * deleted, with their blobs.  */
int ferry_store_remove (ferry_store_t *s, const char *ref, int force, struct ferry_remove_report *report,
                        ferry_error_t *err);
/* As ferry_store_remove; with PRUNE, the image's parent (the image it
 * was built on: its layers but the top one, its history's start) goes
 * with it when no name, container or other image holds it, and so on
 * down, as Podman's rmi without --no-prune.  Their IDs go to
 * REPORT->pruned.  */
int ferry_store_remove_pruning (ferry_store_t *s, const char *ref, int force, int prune,
                                struct ferry_remove_report *report, ferry_error_t *err);
void ferry_remove_report_free (struct ferry_remove_report *r);

/* Removes the layer directories and blob files that no row names, which
 * a ferry killed between a removal's commit and its unlinks leaves, and
 * puts their paths in *REMOVED (NULL-terminated, never NULL).  Only names
 * the store makes (a digest's hex) are considered; symlinks and other
 * entries stay.  */
int ferry_store_sweep (ferry_store_t *s, char ***removed, ferry_error_t *err);

/* What ferry_store_sweep would remove, removing nothing: the paths of
 * layer directories and of blob files that no row names (each list
 * NULL-terminated, never NULL).  */
int ferry_store_strays (ferry_store_t *s, char ***layers, char ***blobs, ferry_error_t *err);

/* Removes the layer DIFF_ID (its rows, directory and blobs) when no image
 * uses it: 1 when it went, 0 when an image uses it.  */
int ferry_store_remove_layer (ferry_store_t *s, const char *diff_id, ferry_error_t *err);

void ferry_image_free (struct ferry_image *img);
void ferry_images_free (struct ferry_image **imgs, size_t n);

#endif
