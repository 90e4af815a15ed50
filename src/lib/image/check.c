/* ferry: the image store's consistency (check.h).  */
#include "check.h"
#include "../state/lock.h"
#include "../storage/verify.h"
#include "../util/cleanup.h"
#include "../util/decompress.h"
#include "../util/fs.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void
ferry_damage_add (struct ferry_damage_list *list, const char *id, char *error)
{
  struct ferry_damage *d = (struct ferry_damage *) ferry_damage_find (list, id);
  size_t n = 0;

  if (d == NULL)
    {
      list->items = xrealloc (list->items, sizeof (*list->items) * (list->n + 1));
      d = &list->items[list->n++];
      d->id = xstrdup (id);
      d->errors = xmalloc0 (sizeof (char *));
    }
  while (d->errors[n])
    n++;
  d->errors = xrealloc (d->errors, sizeof (char *) * (n + 2));
  d->errors[n] = error;
  d->errors[n + 1] = NULL;
}

const struct ferry_damage *
ferry_damage_find (const struct ferry_damage_list *list, const char *id)
{
  for (size_t i = 0; i < list->n; i++)
    if (strcmp (list->items[i].id, id) == 0)
      return &list->items[i];
  return NULL;
}

void
ferry_damage_list_release (struct ferry_damage_list *list)
{
  for (size_t i = 0; i < list->n; i++)
    {
      free (list->items[i].id);
      for (char **e = list->items[i].errors; *e; e++)
        free (*e);
      free (list->items[i].errors);
    }
  free (list->items);
  list->items = NULL;
  list->n = 0;
}

void
ferry_store_check_release (struct ferry_store_check *c)
{
  ferry_damage_list_release (&c->layers);
  ferry_damage_list_release (&c->images);
  for (char **p = c->unused_layers; p && *p; p++)
    free (*p);
  free (c->unused_layers);
  c->unused_layers = NULL;
}

static const char *
hex_of (const char *digest)
{
  const char *colon = strchr (digest, ':');
  return colon ? colon + 1 : digest;
}

static int
layer_is_used (ferry_db_t *db, const char *diff_id)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (db, "SELECT 1 FROM image_layers WHERE diff_id = ?", &err);

  if (st == NULL)
    return 1; /* cannot tell: used */
  sqlite3_bind_text (st, 1, diff_id, -1, SQLITE_STATIC);
  return sqlite3_step (st) != SQLITE_DONE;
}

/* The blob of DIFF_ID whose file the store has, and its recorded size:
 * the first in digest order.  NULL when there is none.  */
static char *
blob_of (ferry_store_t *s, const char *diff_id, long long *size)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (
      ferry_store_db (s), "SELECT blob_digest, size FROM layer_blobs WHERE diff_id = ? ORDER BY blob_digest",
      &err);

  if (st == NULL)
    return NULL;
  sqlite3_bind_text (st, 1, diff_id, -1, SQLITE_STATIC);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      const char *digest = (const char *) sqlite3_column_text (st, 0);
      cleanup_free char *path = NULL;

      if (digest == NULL || ! ferry_digest_is_valid (digest))
        continue;
      path = ferry_store_blob_path (s, digest);
      if (ferry_path_exists (path))
        {
          *size = sqlite3_column_int64 (st, 1);
          return xstrdup (digest);
        }
    }
  return NULL;
}

/* The time-consuming part: LAYER's content against its blob.  */
static void
check_layer_content (ferry_store_t *s, const char *diff_id, long long size, int unpacked,
                     struct ferry_damage_list *damage)
{
  const char *hex = hex_of (diff_id);
  long long blob_size = 0;
  cleanup_free char *blob = blob_of (s, diff_id, &blob_size);
  cleanup_free char *blob_path = NULL;
  cleanup_free char *dir = ferry_store_layer_path (s, diff_id);
  cleanup_close int fd = -1;
  cleanup_error ferry_error_t err = NULL;
  struct ferry_layer_verify_result r = { 0 };
  cleanup_free char *what = NULL;

  if (blob == NULL)
    {
      /* Kept only as its blob, the blob is all there is; otherwise a
       * layer stored before ferry kept blobs has nothing to compare with.  */
      if (! unpacked)
        ferry_damage_add (damage, hex, xasprintf ("layer %s: layer data item is missing", hex));
      return;
    }
  blob_path = ferry_store_blob_path (s, blob);
  what = xasprintf ("blob %s", blob);
  fd = open (blob_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      ferry_damage_add (damage, hex, xasprintf ("layer %s: %s: %s", hex, what, strerror (errno)));
      return;
    }
  if (unpacked)
    {
      if (ferry_layer_verify (fd, what, dir, &r, &err) < 0)
        {
          ferry_damage_add (damage, hex, xasprintf ("layer %s: %s", hex, err->msg));
          return;
        }
      /* As Podman's: data that does not read back hides the rest.  */
      if (r.integrity)
        ferry_damage_add (damage, hex, xasprintf ("layer %s: %s", hex, r.integrity));
      for (char **p = r.problems; r.integrity == NULL && *p; p++)
        ferry_damage_add (damage, hex, xasprintf ("layer %s: %s, layer content modified", hex, *p));
    }
  else
    {
      ferry_decompress_t *d = ferry_decompress_open (fd, what, &err);

      if (d == NULL || ferry_decompress_drain (d, &err) < 0)
        {
          ferry_damage_add (damage, hex, xasprintf ("layer %s: %s", hex, err->msg));
          if (d)
            ferry_decompress_close (d);
          return;
        }
      ferry_decompress_digests (d, r.compressed_digest, r.diff_digest, &r.compressed_size, &r.diff_size);
      ferry_decompress_close (d);
    }
  if (strcmp (r.compressed_digest, blob) != 0 || (long long) r.compressed_size != blob_size)
    ferry_damage_add (damage, hex, xasprintf ("layer %s: %s: layer content incorrect digest", hex, what));
  else if (strcmp (r.diff_digest, diff_id) != 0)
    ferry_damage_add (damage, hex, xasprintf ("layer %s: layer content incorrect digest", hex));
  else if ((long long) r.diff_size != size)
    ferry_damage_add (damage, hex, xasprintf ("layer %s: layer content incorrect size", hex));
  ferry_layer_verify_result_release (&r);
}

static int
check_layers (ferry_store_t *s, int quick, long long max_age, struct ferry_store_check *out,
              ferry_error_t *err)
{
  ferry_db_t *db = ferry_store_db (s);
  cleanup_stmt sqlite3_stmt *st
      = ferry_db_prepare (db, "SELECT diff_id, size, created, unpacked FROM layers ORDER BY diff_id", err);
  size_t n_unused = 0;
  int rc;

  if (st == NULL)
    return -1;
  out->unused_layers = xmalloc0 (sizeof (char *));
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      const char *diff_id = (const char *) sqlite3_column_text (st, 0);
      const char *created = (const char *) sqlite3_column_text (st, 2);
      long long size = sqlite3_column_int64 (st, 1);
      int unpacked = sqlite3_column_int (st, 3) != 0;
      cleanup_free char *dir = NULL;
      const char *hex;
      struct timespec when;
      int used;

      if (diff_id == NULL || ! ferry_digest_is_valid (diff_id))
        continue;
      hex = hex_of (diff_id);
      used = layer_is_used (db, diff_id);
      dir = ferry_store_layer_path (s, diff_id);
      if (unpacked && ! ferry_path_exists (dir))
        ferry_damage_add (&out->layers, hex, xasprintf ("layer %s: layer data item is missing", hex));
      else if (! quick)
        check_layer_content (s, diff_id, size, unpacked, &out->layers);
      if (! used && created && ferry_time_parse (created, &when) == 0 && time (NULL) - when.tv_sec > max_age)
        ferry_damage_add (&out->layers, hex, xstrdup ("layer not referenced by any images or containers"));
      if (! used && ferry_damage_find (&out->layers, hex))
        {
          out->unused_layers = xrealloc (out->unused_layers, sizeof (char *) * (n_unused + 2));
          out->unused_layers[n_unused++] = xstrdup (diff_id);
          out->unused_layers[n_unused] = NULL;
        }
    }
  if (rc != SQLITE_DONE)
    return ferry_db_error (db, err, "cannot read the layers of the image store");
  return 0;
}

static int
check_images (ferry_store_t *s, struct ferry_store_check *out, ferry_error_t *err)
{
  ferry_db_t *db = ferry_store_db (s);
  cleanup_stmt sqlite3_stmt *st
      = ferry_db_prepare (db, "SELECT id, config_digest, config FROM images ORDER BY id", err);
  cleanup_stmt sqlite3_stmt *ls = NULL;
  int rc;

  if (st == NULL)
    return -1;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (st, 0);
      const char *digest = (const char *) sqlite3_column_text (st, 1);
      const void *config = sqlite3_column_blob (st, 2);
      char have[FERRY_DIGEST_LEN + 1];

      if (id == NULL)
        continue;
      ferry_sha256_buffer (config ? config : "", sqlite3_column_bytes (st, 2), have);
      if (digest == NULL || strcmp (have, digest) != 0)
        ferry_damage_add (&out->images, id, xasprintf ("image %s: image data item has incorrect digest", id));
    }
  if (rc != SQLITE_DONE)
    return ferry_db_error (db, err, "cannot read the images of the image store");
  ls = ferry_db_prepare (db,
                         "SELECT il.image_id, il.diff_id, l.diff_id FROM image_layers il "
                         "LEFT JOIN layers l ON l.diff_id = il.diff_id ORDER BY il.image_id, il.position",
                         err);
  if (ls == NULL)
    return -1;
  while ((rc = sqlite3_step (ls)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (ls, 0);
      const char *diff_id = (const char *) sqlite3_column_text (ls, 1);
      const struct ferry_damage *layer;

      if (id == NULL || diff_id == NULL)
        continue;
      if (sqlite3_column_type (ls, 2) == SQLITE_NULL)
        {
          ferry_damage_add (&out->images, id,
                            xasprintf ("layer %s: image layer is missing", hex_of (diff_id)));
          continue;
        }
      layer = ferry_damage_find (&out->layers, hex_of (diff_id));
      for (size_t i = 0; layer && layer->errors[i]; i++)
        ferry_damage_add (&out->images, id, xstrdup (layer->errors[i]));
    }
  if (rc != SQLITE_DONE)
    return ferry_db_error (db, err, "cannot read the layers of the images in the image store");
  return 0;
}

int
ferry_store_check (ferry_store_t *s, int quick, long long max_age, struct ferry_store_check *out,
                   ferry_error_t *err)
{
  cleanup_lock int lock = -1;

  memset (out, 0, sizeof (*out));
  /* Loads and removals change layers and rows together under this lock:
   * shared, the check sees them whole.  */
  lock = ferry_lock_acquire (ferry_store_root (s), "storage", 0, err);
  if (lock < 0)
    return -1;
  if (check_layers (s, quick, max_age, out, err) < 0 || check_images (s, out, err) < 0)
    {
      ferry_store_check_release (out);
      return -1;
    }
  return 0;
}
