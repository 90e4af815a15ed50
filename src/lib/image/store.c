#include "store.h"
#include "transport.h"
#include "load.h"
#include "media.h"
#include "mount.h"
#include "reference.h"
#include "registries.h"
#include "schema.h"
#include "../state/lock.h"
#include "../util/cleanup.h"
#include "../util/fault.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <sys/file.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct ferry_store
{
  char *root;
  char *layers_dir;
  char *blobs_dir;
  char *tmp_dir;
  ferry_db_t *db;
  int tmp_lock; /* shared while this store is open: see sweep_tmp */
};

/* Work in progress lives in <root>/storage/tmp (and, for volumes, under
 * dot names in <root>/volumes) only while the ferry that made it runs; a
 * killed load leaves it behind.  Every open store holds the
 * "tmp" lock shared, so whoever gets it exclusively knows no other ferry is
 * using the store and removes what is there, then shares it too.  */
static int
sweep_tmp (ferry_store_t *s, ferry_error_t *err)
{
  cleanup_free char *dir = xasprintf ("%s/locks", s->root);
  cleanup_free char *path = xasprintf ("%s/tmp.lock", dir);

  if (ferry_mkdir_p (dir, 0700, err) < 0)
    return -1;
  s->tmp_lock = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (s->tmp_lock < 0)
    return ferry_make_error (err, errno, "cannot open lock `%s`", path);
  if (flock (s->tmp_lock, LOCK_EX | LOCK_NB) == 0)
    {
      cleanup_free char *volumes = xasprintf ("%s/volumes", s->root);
      cleanup_dir DIR *d = opendir (s->tmp_dir);
      cleanup_dir DIR *v = opendir (volumes);
      struct dirent *de;

      while (d && (de = readdir (d)))
        {
          cleanup_error ferry_error_t ignored = NULL;
          if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
            ferry_rm_rf_at (dirfd (d), de->d_name, &ignored);
        }
      /* A volume being made or removed has a dot name only while its
       * maker holds this lock (engine/volume.c).  */
      while (v && (de = readdir (v)))
        {
          cleanup_error ferry_error_t ignored = NULL;
          if (strncmp (de->d_name, ".tmp-", 5) == 0 || strncmp (de->d_name, ".removing-", 10) == 0
              || strncmp (de->d_name, ".failed-", 8) == 0)
            ferry_rm_rf_at (dirfd (v), de->d_name, &ignored);
        }
    }
  while (flock (s->tmp_lock, LOCK_SH) < 0)
    if (errno != EINTR)
      return ferry_make_error (err, errno, "cannot lock `%s`", path);
  return 0;
}

int
ferry_store_open (const char *root, ferry_store_t **out, ferry_error_t *err)
{
  ferry_store_t *s = xmalloc0 (sizeof (*s));

  s->tmp_lock = -1;
  s->root = xstrdup (root);
  s->layers_dir = xasprintf ("%s/storage/layers", root);
  s->blobs_dir = xasprintf ("%s/storage/blobs", root);
  s->tmp_dir = xasprintf ("%s/storage/tmp", root);
  if (ferry_db_open (root, &s->db, err) < 0 || ferry_mkdir_p (s->layers_dir, 0700, err) < 0
      || ferry_mkdir_p (s->blobs_dir, 0700, err) < 0 || ferry_mkdir_p (s->tmp_dir, 0700, err) < 0
      || sweep_tmp (s, err) < 0)
    {
      ferry_store_close (s);
      return -1;
    }
  *out = s;
  return 0;
}

void
ferry_store_close (ferry_store_t *s)
{
  if (s == NULL)
    return;
  if (s->db)
    ferry_db_close (s->db);
  if (s->tmp_lock >= 0)
    close (s->tmp_lock);
  free (s->root);
  free (s->layers_dir);
  free (s->blobs_dir);
  free (s->tmp_dir);
  free (s);
}

ferry_db_t *
ferry_store_db (ferry_store_t *s)
{
  return s->db;
}

const char *
ferry_store_root (ferry_store_t *s)
{
  return s->root;
}

const char *
ferry_store_tmp_dir (ferry_store_t *s)
{
  return s->tmp_dir;
}

char *
ferry_store_layer_path (ferry_store_t *s, const char *diff_id)
{
  return xasprintf ("%s/%s", s->layers_dir, ferry_digest_hex (diff_id));
}

char *
ferry_store_blob_path (ferry_store_t *s, const char *blob_digest)
{
  return xasprintf ("%s/%s", s->blobs_dir, ferry_digest_hex (blob_digest));
}

/* A text column; "" for NULL, which the schema forbids but a database
 * file written by something else may hold.  */
static const char *
column_text (sqlite3_stmt *st, int i)
{
  const char *text = (const char *) sqlite3_column_text (st, i);

  return text ? text : "";
}

static int
query_exists (ferry_store_t *s, const char *sql, const char *arg, char *first_column, size_t len)
{
  ferry_error_t err = NULL;
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (s->db, sql, &err);
  int found;

  if (st == NULL)
    {
      ferry_error_release (&err);
      return 0;
    }
  sqlite3_bind_text (st, 1, arg, -1, SQLITE_STATIC);
  found = sqlite3_step (st) == SQLITE_ROW;
  if (found && first_column)
    snprintf (first_column, len, "%s", column_text (st, 0));
  return found;
}

int
ferry_store_layers_size (ferry_store_t *s, uint64_t *out, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st
      = ferry_db_prepare (s->db, "SELECT COALESCE (SUM (size), 0) FROM layers", err);

  *out = 0;
  if (st == NULL)
    return -1;
  if (sqlite3_step (st) != SQLITE_ROW)
    return ferry_db_error (s->db, err, "cannot sum the sizes of the layers");
  *out = (uint64_t) sqlite3_column_int64 (st, 0);
  return 0;
}

int
ferry_store_has_blob (ferry_store_t *s, const char *blob_digest, char diff_id[FERRY_DIGEST_LEN + 1])
{
  return query_exists (s, "SELECT diff_id FROM layer_blobs WHERE blob_digest = ?", blob_digest, diff_id,
                       FERRY_DIGEST_LEN + 1);
}

int
ferry_store_has_blob_file (ferry_store_t *s, const char *blob_digest, char diff_id[FERRY_DIGEST_LEN + 1])
{
  cleanup_free char *blob = NULL;
  cleanup_free char *layer = NULL;

  if (! ferry_store_has_blob (s, blob_digest, diff_id))
    return 0;
  blob = ferry_store_blob_path (s, blob_digest);
  layer = ferry_store_layer_path (s, diff_id);
  return ferry_path_exists (blob) && ferry_path_exists (layer);
}

int
ferry_store_has_blob_stored (ferry_store_t *s, const char *blob_digest, char diff_id[FERRY_DIGEST_LEN + 1])
{
  cleanup_free char *blob = NULL;

  if (! ferry_store_has_blob (s, blob_digest, diff_id))
    return 0;
  blob = ferry_store_blob_path (s, blob_digest);
  return ferry_path_exists (blob);
}

uint64_t
ferry_image_reported_size (const struct ferry_image *img)
{
  return img->size + (img->config_text ? strlen (img->config_text) : 0)
         + 2 * (img->manifest ? strlen (img->manifest) : 0);
}

uint64_t
ferry_store_layer_size (ferry_store_t *s, const char *diff_id)
{
  ferry_error_t ignored = NULL;
  cleanup_stmt sqlite3_stmt *st
      = ferry_db_prepare (s->db, "SELECT size FROM layers WHERE diff_id = ?", &ignored);
  uint64_t size = 0;

  ferry_error_release (&ignored);
  if (st == NULL)
    return 0;
  sqlite3_bind_text (st, 1, diff_id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) == SQLITE_ROW)
    size = (uint64_t) sqlite3_column_int64 (st, 0);
  return size;
}

int
ferry_store_has_layer (ferry_store_t *s, const char *diff_id)
{
  return query_exists (s, "SELECT 1 FROM layers WHERE diff_id = ? AND unpacked = 1", diff_id, NULL, 0);
}

int
ferry_store_layer_present (ferry_store_t *s, const char *diff_id)
{
  cleanup_free char *dir = NULL;

  if (! ferry_store_has_layer (s, diff_id))
    return 0;
  dir = ferry_store_layer_path (s, diff_id);
  return ferry_path_exists (dir);
}

/* 1 when SQL (one text parameter) finds a row for KEY, 0 when it finds
 * none, -1 (with *ERR, CONTEXT its words) when it cannot tell: a caller
 * removes only on a certain 0.  */
static int
row_exists (ferry_store_t *s, const char *sql, const char *key, const char *context, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (s->db, sql, err);
  int rc;

  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step (st);
  if (rc == SQLITE_ROW)
    return 1;
  if (rc == SQLITE_DONE)
    return 0;
  return ferry_db_error (s->db, err, context);
}

/* 1 when the layers table has DIFF_ID unpacked, 0 when not, -1 (with *ERR)
 * when the database cannot say.  */
static int
layer_row (ferry_store_t *s, const char *diff_id, ferry_error_t *err)
{
  return row_exists (s, "SELECT 1 FROM layers WHERE diff_id = ? AND unpacked = 1", diff_id,
                     "cannot look up a layer in the image store", err);
}

/* 1 when the layer_blobs table has BLOB_DIGEST, 0 when not, -1 (with *ERR)
 * when the database cannot say.  */
static int
blob_row (ferry_store_t *s, const char *blob_digest, ferry_error_t *err)
{
  return row_exists (s, "SELECT 1 FROM layer_blobs WHERE blob_digest = ?", blob_digest,
                     "cannot look up a blob in the image store", err);
}

/* True when an earlier layer of IMG with the same diff_id was moved in by
 * this call (an image may list one layer twice).  */
static int
moved_earlier (const struct ferry_new_image *img, size_t i, const int *moved)
{
  size_t j;

  for (j = 0; j < i; j++)
    if (moved[j] && strcmp (img->layers[j].diff_id, img->layers[i].diff_id) == 0)
      return 1;
  return 0;
}

static int
move_layers_in (ferry_store_t *s, struct ferry_new_image *img, int *moved, ferry_error_t *err)
{
  size_t i;

  for (i = 0; i < img->n_layers; i++)
    {
      struct ferry_new_layer *l = &img->layers[i];
      cleanup_free char *dest = NULL;

      if (l->blob_only)
        continue;
      dest = ferry_store_layer_path (s, l->diff_id);
      if (l->unpacked == NULL)
        {
          /* Found in the store before the lock was taken: make sure an
           * `image rm` did not take it away since.  */
          if (! moved_earlier (img, i, moved)
              && ! (ferry_store_has_layer (s, l->diff_id) && ferry_path_exists (dest)))
            return ferry_make_error (
                err, EAGAIN, "layer %s was removed while the image was being added: try again", l->diff_id);
          continue;
        }
      if (ferry_path_exists (dest))
        {
          int row = layer_row (s, l->diff_id, err);
          if (row < 0)
            return -1; /* never remove a directory we cannot prove orphaned */
          if (row)
            continue;
        }
      if (ferry_rm_rf (dest, err) < 0)
        return -1;
      if (rename (l->unpacked, dest) < 0)
        return ferry_make_error (err, errno, "cannot move layer `%s` into the store", l->diff_id);
      free (l->unpacked);
      l->unpacked = NULL;
      moved[i] = 1;
    }
  return 0;
}

/* True when an earlier layer of IMG with the same blob was linked in by this
 * call (an image may list one blob twice).  */
static int
linked_earlier (const struct ferry_new_image *img, size_t i, const int *linked)
{
  size_t j;

  for (j = 0; j < i; j++)
    if (linked[j] && strcmp (img->layers[j].blob_digest, img->layers[i].blob_digest) == 0)
      return 1;
  return 0;
}

/* Links L's blob file in as DEST.  A file already there is the store's own
 * when a row names it, and stays; without a row it is an orphan (a removal
 * that could not unlink it, or a crash before its rows were committed, so
 * its data may not have reached the disk) and is replaced.  *LINKED says
 * whether DEST is ours to remove if the image cannot be added.  */
static int
link_blob_in (ferry_store_t *s, const struct ferry_new_layer *l, const char *dest, int *linked,
              ferry_error_t *err)
{
  int row;

  if (link (l->blob_file, dest) == 0)
    {
      *linked = 1;
      return 0;
    }
  if (errno != EEXIST)
    return ferry_make_error (err, errno, "cannot link blob %s into the store", l->blob_digest);
  row = blob_row (s, l->blob_digest, err);
  if (row < 0)
    return -1; /* never remove a blob we cannot prove orphaned */
  if (row)
    return 0;
  if (unlink (dest) < 0 && errno != ENOENT)
    return ferry_make_error (err, errno, "cannot replace orphaned blob `%s`", dest);
  if (link (l->blob_file, dest) < 0)
    return ferry_make_error (err, errno, "cannot link blob %s into the store", l->blob_digest);
  *linked = 1;
  return 0;
}

static int
link_blobs_in (ferry_store_t *s, struct ferry_new_image *img, int *linked, ferry_error_t *err)
{
  size_t i;

  for (i = 0; i < img->n_layers; i++)
    {
      const struct ferry_new_layer *l = &img->layers[i];
      cleanup_free char *dest = NULL;

      if (l->blob_file == NULL)
        {
          char known[FERRY_DIGEST_LEN + 1];
          size_t j;
          int earlier = 0;

          /* The caller found the blob stored before the lock was taken
           * (or another layer of this image brings it): make sure an
           * `image rm` did not take it away since, or its row would be
           * recorded again without its file.  */
          for (j = 0; j < i; j++)
            if (strcmp (img->layers[j].blob_digest, l->blob_digest) == 0)
              earlier = 1;
          if (! earlier && ! ferry_store_has_blob (s, l->blob_digest, known))
            return ferry_make_error (err, EAGAIN,
                                     "blob %s was removed while the image was being added: try again",
                                     l->blob_digest);
          continue;
        }
      if (linked_earlier (img, i, linked))
        continue;
      dest = ferry_store_blob_path (s, l->blob_digest);
      if (link_blob_in (s, l, dest, &linked[i], err) < 0)
        return -1;
    }
  return 0;
}

static int
exec_bound (ferry_store_t *s, const char *sql, const char *const *args, size_t n_args, const int64_t *ints,
            size_t n_ints, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (s->db, sql, err);
  size_t i;
  int rc;

  if (st == NULL)
    return -1;
  for (i = 0; i < n_args; i++)
    sqlite3_bind_text (st, i + 1, args[i], -1, SQLITE_STATIC);
  for (i = 0; i < n_ints; i++)
    sqlite3_bind_int64 (st, n_args + i + 1, ints[i]);
  rc = sqlite3_step (st);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return ferry_db_error (s->db, err, "cannot update the image store");
  return 0;
}

/* IMAGE_ID's names history after a change of its names: its names (in
 * the order they were given) first, then the names it had, each once, as
 * containers/storage keeps Podman's.  A history the database holds that
 * is not a list of strings is dropped.  */
static int
update_names_history (ferry_store_t *s, const char *image_id, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *names = NULL, *hist = NULL;
  cleanup_json json_object *out = json_object_new_array ();
  cleanup_json json_object *old = NULL;
  const char *args[2];
  size_t i;

  names = ferry_db_prepare (s->db, "SELECT name FROM image_names WHERE image_id = ? ORDER BY rowid", err);
  hist = ferry_db_prepare (s->db, "SELECT names_history FROM images WHERE id = ?", err);
  if (names == NULL || hist == NULL)
    return -1;
  sqlite3_bind_text (names, 1, image_id, -1, SQLITE_STATIC);
  while (sqlite3_step (names) == SQLITE_ROW)
    json_object_array_add (out, json_object_new_string (column_text (names, 0)));
  sqlite3_bind_text (hist, 1, image_id, -1, SQLITE_STATIC);
  if (sqlite3_step (hist) != SQLITE_ROW)
    return 0; /* the image went */
  old = json_tokener_parse (column_text (hist, 0));
  for (i = 0; json_object_is_type (old, json_type_array) && i < json_object_array_length (old); i++)
    {
      const char *name = ferry_json_string_value (json_object_array_get_idx (old, i));
      size_t j;

      if (name == NULL)
        continue;
      for (j = 0; j < json_object_array_length (out); j++)
        if (strcmp (json_object_get_string (json_object_array_get_idx (out, j)), name) == 0)
          break;
      if (j == json_object_array_length (out))
        json_object_array_add (out, json_object_new_string (name));
    }
  args[0] = ferry_json_to_string (out, 0);
  args[1] = image_id;
  return exec_bound (s, "UPDATE images SET names_history = ? WHERE id = ?", args, 2, NULL, 0, err);
}

/* NAME now names IMAGE_ID (it leaves an image it named before, as with
 * `podman tag`), first among its names (RepoTags read newest first):
 * given again, a name it has already moves to the front, as in Podman;
 * both names histories follow.  */
static int
set_image_name (ferry_store_t *s, const char *name, const char *image_id, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st
      = ferry_db_prepare (s->db, "SELECT image_id FROM image_names WHERE name = ?", err);
  cleanup_free char *previous = NULL;
  const char *args[] = { name, image_id };

  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  if (sqlite3_step (st) == SQLITE_ROW)
    previous = xstrdup (column_text (st, 0));
  /* REPLACE deletes the row and inserts it anew: a new rowid.  */
  if (exec_bound (s, "INSERT OR REPLACE INTO image_names (name, image_id) VALUES (?, ?)", args, 2, NULL, 0,
                  err)
      < 0)
    return -1;
  if (previous && strcmp (previous, image_id) != 0 && update_names_history (s, previous, err) < 0)
    return -1;
  return update_names_history (s, image_id, err);
}

static int load_image_row (ferry_store_t *s, const char *id, int check, struct ferry_image **out,
                           ferry_error_t *err);

/* A stored row of image ID that is damaged (what ferry_store_lookup
 * refuses) takes IMG's manifest, config and layers: pulling or loading
 * the image again is the way out its error names, as Podman's store takes
 * an image whose files went anew.  A sound row stays as it is.  */
static int
repair_damaged_row (ferry_store_t *s, const char *id, const struct ferry_new_image *img, const char *created,
                    ferry_error_t *err)
{
  struct ferry_image *old = NULL;
  ferry_error_t why = NULL;
  const char *del[] = { id };
  const char *upd[]
      = { img->config_digest, img->manifest_digest, img->manifest, img->config, created ? created : "", id };

  if (load_image_row (s, id, 1, &old, &why) == 0 || why->kind != FERRY_ERROR_DAMAGED)
    {
      ferry_image_free (old);
      ferry_error_release (&why);
      return 0;
    }
  ferry_error_release (&why);
  if (exec_bound (s, "DELETE FROM image_layers WHERE image_id = ?", del, 1, NULL, 0, err) < 0)
    return -1;
  return exec_bound (s,
                     "UPDATE images SET config_digest = ?, manifest_digest = ?, manifest = ?, config = ?, "
                     "created = ? WHERE id = ?",
                     upd, 6, NULL, 0, err);
}

static int
record_image (ferry_store_t *s, const struct ferry_new_image *img, ferry_error_t *err)
{
  cleanup_free char *now = ferry_time_now ();
  cleanup_json json_object *config = NULL;
  const char *id = ferry_digest_hex (img->config_digest);
  const char *created;
  size_t i;

  config = ferry_json_parse (img->config, strlen (img->config), "image config", err);
  if (config == NULL)
    return -1;
  created = ferry_json_get_string (config, "created");

  for (i = 0; i < img->n_layers; i++)
    {
      const struct ferry_new_layer *l = &img->layers[i];
      const char *largs[] = { l->diff_id, now };
      const int64_t lints[] = { (int64_t) l->size, l->blob_only ? 0 : 1 };
      const char *bargs[] = { l->blob_digest, l->diff_id, l->media_type };
      const int64_t bints[] = { (int64_t) l->blob_size };

      /* A layer stored as a blob only is unpacked from now on when this
       * image brings its directory.  */
      if (exec_bound (s,
                      "INSERT INTO layers (diff_id, created, size, unpacked) VALUES (?, ?, ?, ?) "
                      "ON CONFLICT (diff_id) DO UPDATE SET unpacked = MAX (unpacked, excluded.unpacked)",
                      largs, 2, lints, 2, err)
              < 0
          || exec_bound (s,
                         "INSERT OR IGNORE INTO layer_blobs (blob_digest, diff_id, media_type, size) "
                         "VALUES (?, ?, ?, ?)",
                         bargs, 3, bints, 1, err)
                 < 0)
        return -1;
    }

  if (repair_damaged_row (s, id, img, created, err) < 0)
    return -1;
  {
    const char *args[]
        = { id, img->config_digest, img->manifest_digest, img->manifest, img->config, created ? created : "",
            now };
    if (exec_bound (
            s,
            "INSERT OR IGNORE INTO images (id, config_digest, manifest_digest, manifest, config, created, "
            "loaded, size) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
            args, 7, NULL, 0, err)
        < 0)
      return -1;
  }
  for (i = 0; i < img->n_layers; i++)
    {
      const char *args[] = { id, img->layers[i].diff_id };
      const int64_t ints[] = { (int64_t) i };

      if (exec_bound (s, "INSERT OR IGNORE INTO image_layers (image_id, diff_id, position) VALUES (?, ?, ?)",
                      args, 2, ints, 1, err)
          < 0)
        return -1;
    }
  {
    const char *args[] = { id, id };
    if (exec_bound (s,
                    "UPDATE images SET size = (SELECT COALESCE (SUM (l.size), 0) FROM image_layers il "
                    "JOIN layers l ON l.diff_id = il.diff_id WHERE il.image_id = ?) WHERE id = ?",
                    args, 2, NULL, 0, err)
        < 0)
      return -1;
  }
  /* Last first: names read back newest first (see load_image_row), these
   * in the order given.  */
  for (i = 0; img->names && img->names[i]; i++)
    ;
  while (i-- > 0)
    if (set_image_name (s, img->names[i], id, err) < 0)
      return -1;
  return 0;
}

int
ferry_store_add_image (ferry_store_t *s, struct ferry_new_image *img, ferry_error_t *err)
{
  cleanup_lock int lock = -1;
  cleanup_free int *moved = xmalloc0 (sizeof (int) * (img->n_layers + 1));
  cleanup_free int *linked = xmalloc0 (sizeof (int) * (img->n_layers + 1));
  size_t i;

  lock = ferry_lock_acquire (s->root, "storage", 1, err);
  if (lock < 0)
    return -1;
  if (move_layers_in (s, img, moved, err) < 0 || link_blobs_in (s, img, linked, err) < 0)
    goto fail;
  /* The rows below promise the directories and blobs are complete: make
   * their data durable first, once for the whole file system rather than
   * per file.  */
  {
    cleanup_close int fd = open (s->layers_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || syncfs (fd) < 0)
      {
        ferry_make_error (err, errno, "cannot sync the image store `%s`", s->layers_dir);
        goto fail;
      }
  }
  if (ferry_db_begin (s->db, err) < 0)
    goto fail;
  if (record_image (s, img, err) < 0 || ferry_db_commit (s->db, err) < 0)
    {
      ferry_db_rollback (s->db);
      goto fail;
    }
  return 0;

fail:
  for (i = 0; i < img->n_layers; i++)
    {
      if (moved[i])
        {
          cleanup_free char *dest = ferry_store_layer_path (s, img->layers[i].diff_id);
          ferry_error_t ignored = NULL;

          ferry_rm_rf (dest, &ignored);
          ferry_error_release (&ignored);
        }
      if (linked[i])
        {
          cleanup_free char *dest = ferry_store_blob_path (s, img->layers[i].blob_digest);
          unlink (dest);
        }
    }
  return -1;
}

void
ferry_new_image_free (struct ferry_new_image *img)
{
  size_t i;

  free (img->manifest);
  free (img->config);
  for (i = 0; i < img->n_layers; i++)
    {
      free (img->layers[i].media_type);
      free (img->layers[i].blob_file);
      if (img->layers[i].unpacked)
        {
          ferry_error_t ignored = NULL;
          ferry_rm_rf (img->layers[i].unpacked, &ignored);
          ferry_error_release (&ignored);
          free (img->layers[i].unpacked);
        }
    }
  free (img->layers);
  ferry_cleanup_strvp (&img->names);
  memset (img, 0, sizeof (*img));
}

static char **
strv_append (char **v, size_t *n, char *s)
{
  v = xrealloc (v, sizeof (char *) * (*n + 2));
  v[(*n)++] = s;
  v[*n] = NULL;
  return v;
}

/* Replaces *ERR, what is wrong with a stored row of image ID, with the
 * whole story and the way out.  */
static int
damaged (const char *id, ferry_error_t *err)
{
  cleanup_error ferry_error_t cause = steal_pointer (err);

  return ferry_make_error_kind (
      err, FERRY_ERROR_DAMAGED,
      "image %.12s in the store is damaged: %s: remove it (ferry rmi %.12s) and pull "
      "or load it again",
      id, cause->msg, id);
}

/* The stored manifest and config feed pushes and containers, which read
 * them without further checks: they are checked as a registry's would be,
 * and the layers must be the ones the config names.  */
/* A manifest list's row: its list is an image index as a registry's
 * would be checked, its record a JSON object, and it has no layers.  */
static int
check_list_row (struct ferry_image *img, ferry_error_t *err)
{
  cleanup_json json_object *manifest = NULL;

  if (img->n_layers > 0)
    {
      ferry_make_error (err, 0, "it is a manifest list with layers");
      return damaged (img->id, err);
    }
  img->config = ferry_json_parse (img->config_text, strlen (img->config_text), "its record", err);
  if (img->config == NULL)
    return damaged (img->id, err);
  if (! json_object_is_type (img->config, json_type_object))
    {
      ferry_make_error (err, 0, "its record is not a JSON object");
      return damaged (img->id, err);
    }
  manifest = ferry_json_parse (img->manifest, strlen (img->manifest), "its manifest list", err);
  if (manifest == NULL)
    return damaged (img->id, err);
  if (ferry_image_check_index (manifest, err) < 0)
    {
      ferry_error_wrap (err, "its manifest list");
      return damaged (img->id, err);
    }
  return 0;
}

static int
check_image_row (struct ferry_image *img, ferry_error_t *err)
{
  cleanup_json json_object *manifest = NULL;
  json_object *diff_ids;
  size_t i;

  if (! ferry_digest_is_valid (img->config_digest) || ! ferry_digest_is_valid (img->manifest_digest))
    {
      ferry_make_error (err, 0, "its digests are not sha256 digests");
      return damaged (img->id, err);
    }
  if (img->is_list)
    return check_list_row (img, err);
  for (i = 0; i < img->n_layers; i++)
    if (! ferry_digest_is_valid (img->diff_ids[i]))
      {
        ferry_make_error (err, 0, "its layer %zu has no valid diff_id", i);
        return damaged (img->id, err);
      }
  img->config = ferry_json_parse (img->config_text, strlen (img->config_text), "its config", err);
  if (img->config == NULL)
    return damaged (img->id, err);
  if (ferry_image_check_config (img->config, err) < 0)
    {
      ferry_error_wrap (err, "its config");
      return damaged (img->id, err);
    }
  /* Checked above: rootfs.diff_ids is an array.  */
  diff_ids = ferry_json_get_array (ferry_json_get_object (img->config, "rootfs"), "diff_ids");
  if (json_object_array_length (diff_ids) != img->n_layers)
    {
      ferry_make_error (err, 0, "it has %zu layers but its config names %zu", img->n_layers,
                        json_object_array_length (diff_ids));
      return damaged (img->id, err);
    }
  manifest = ferry_json_parse (img->manifest, strlen (img->manifest), "its manifest", err);
  if (manifest == NULL)
    return damaged (img->id, err);
  if (ferry_image_check_manifest (manifest, err) < 0)
    {
      ferry_error_wrap (err, "its manifest");
      return damaged (img->id, err);
    }
  return 0;
}

/* Whether a stored manifest is a list: its mediaType says so, or it has
 * none and the shape of an index.  */
static bool
manifest_is_list (const char *text)
{
  cleanup_json json_object *m = NULL;
  const char *mt;

  /* Every image is looked at: most are no list, and say so cheaply.  */
  if (strstr (text, "\"manifests\"") == NULL)
    return false;
  m = json_tokener_parse (text);
  if (m == NULL || ! json_object_is_type (m, json_type_object))
    return false;
  mt = ferry_json_get_string (m, "mediaType");
  if (mt && *mt)
    return ferry_media_is_index (mt);
  return ferry_json_get_array (m, "manifests") != NULL && ferry_json_get_object (m, "config") == NULL;
}

/* CHECK: refuse a row whose manifest or config is not what a pull or load
 * stores (a removal needs only the row's keys, and must work on any row).  */
static int
load_image_row (ferry_store_t *s, const char *id, int check, struct ferry_image **out, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  struct ferry_image *img;
  size_t n = 0;

  st = ferry_db_prepare (s->db,
                         "SELECT id, config_digest, manifest_digest, manifest, config, size, created "
                         "FROM images WHERE id = ?",
                         err);
  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_ROW)
    return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "%s: image not known", id);

  img = xmalloc0 (sizeof (*img));
  img->id = xstrdup (column_text (st, 0));
  img->config_digest = xstrdup (column_text (st, 1));
  img->manifest_digest = xstrdup (column_text (st, 2));
  img->manifest = xstrdup (column_text (st, 3));
  img->config_text = xstrdup (column_text (st, 4));
  img->size = sqlite3_column_int64 (st, 5);
  img->created = xstrdup (column_text (st, 6));
  img->is_list = manifest_is_list (img->manifest);
  sqlite3_finalize (st);

  st = ferry_db_prepare (s->db, "SELECT diff_id FROM image_layers WHERE image_id = ? ORDER BY position", err);
  if (st == NULL)
    goto fail;
  sqlite3_bind_text (st, 1, id, -1, SQLITE_STATIC);
  img->diff_ids = xmalloc0 (sizeof (char *));
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      const char *diff_id = column_text (st, 0);

      /* A removal makes paths of these: never of a damaged one.  */
      if (! check && ! ferry_digest_is_valid (diff_id))
        continue;
      img->diff_ids = strv_append (img->diff_ids, &img->n_layers, xstrdup (diff_id));
    }
  sqlite3_finalize (st);

  /* Newest first, as Podman's store keeps an image's names: a tag goes in
   * front (INSERT OR REPLACE gives a name given again a new rowid).  */
  st = ferry_db_prepare (s->db, "SELECT name FROM image_names WHERE image_id = ? ORDER BY rowid DESC", err);
  if (st == NULL)
    goto fail;
  sqlite3_bind_text (st, 1, id, -1, SQLITE_STATIC);
  img->names = xmalloc0 (sizeof (char *));
  while (sqlite3_step (st) == SQLITE_ROW)
    img->names = strv_append (img->names, &n, xstrdup (column_text (st, 0)));
  sqlite3_finalize (st);
  st = ferry_db_prepare (s->db, "SELECT names_history FROM images WHERE id = ?", err);
  if (st == NULL)
    goto fail;
  sqlite3_bind_text (st, 1, id, -1, SQLITE_STATIC);
  img->names_history = xmalloc0 (sizeof (char *));
  if (sqlite3_step (st) == SQLITE_ROW)
    {
      cleanup_json json_object *h = json_tokener_parse (column_text (st, 0));
      size_t nh = 0;

      /* The database's word is checked like any: strings only.  */
      for (size_t k = 0; json_object_is_type (h, json_type_array) && k < json_object_array_length (h); k++)
        {
          const char *v = ferry_json_string_value (json_object_array_get_idx (h, k));
          if (v)
            img->names_history = strv_append (img->names_history, &nh, xstrdup (v));
        }
    }
  if (check && check_image_row (img, err) < 0)
    goto fail;
  *out = img;
  return 0;

fail:
  ferry_image_free (img);
  return -1;
}

/* The image ID a name points at, trying the names a short one can stand
 * for, as Podman does: its registries.conf alias, localhost/NAME, NAME
 * under each unqualified-search registry, then docker.io's.  */
static int
resolve_name (ferry_store_t *s, const char *ref, char *id, size_t len, char **matched)
{
  static const char *const sql = "SELECT image_id FROM image_names WHERE name = ?";
  cleanup_strv char **candidates = NULL;
  size_t n = 0;

  if (ferry_reference_is_short (ref))
    {
      const struct ferry_registries_conf *conf = NULL;
      ferry_error_t ignored = NULL;

      /* A registries.conf that does not read leaves localhost/ and
       * docker.io; the pull that follows says what is wrong with it.  */
      if (ferry_registries_conf_get (&conf, &ignored) < 0)
        ferry_error_release (&ignored);
      candidates = ferry_registries_local_candidates (conf, ref);
      while (candidates[n])
        n++;
    }
  candidates = xrealloc (candidates, (n + 2) * sizeof (char *));
  candidates[n++] = xstrdup (ref);
  candidates[n] = NULL;

  for (size_t i = 0; i < n; i++)
    {
      struct ferry_reference r;
      ferry_error_t err = NULL;
      cleanup_free char *full = NULL;

      if (ferry_reference_parse (candidates[i], FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, &err) < 0)
        {
          ferry_error_release (&err);
          return 0;
        }
      if (r.digest && r.tag == NULL)
        {
          /* name@digest: the manifest digest decides, the name must match.  */
          cleanup_stmt sqlite3_stmt *st = NULL;
          cleanup_free char *name = ferry_reference_name (&r);
          cleanup_free char *pattern = xasprintf ("%s:*", name);
          cleanup_free char *by_digest = xasprintf ("%s@*", name); /* pulled by digest alone */

          st = ferry_db_prepare (s->db,
                                 "SELECT i.id FROM images i WHERE i.manifest_digest = ?1 AND "
                                 "(EXISTS (SELECT 1 FROM image_names n WHERE n.image_id = i.id AND "
                                 "(n.name GLOB ?2 OR n.name GLOB ?3)))",
                                 &err);
          ferry_error_release (&err);
          if (st)
            {
              sqlite3_bind_text (st, 1, r.digest, -1, SQLITE_STATIC);
              sqlite3_bind_text (st, 2, pattern, -1, SQLITE_STATIC);
              sqlite3_bind_text (st, 3, by_digest, -1, SQLITE_STATIC);
              if (sqlite3_step (st) == SQLITE_ROW)
                {
                  snprintf (id, len, "%s", column_text (st, 0));
                  ferry_reference_free (&r);
                  if (matched)
                    *matched = NULL; /* a digest names the image, not one of its names */
                  return 1;
                }
            }
          ferry_reference_free (&r);
          continue;
        }
      full = ferry_reference_string (&r);
      ferry_reference_free (&r);
      if (query_exists (s, sql, full, id, len))
        {
          if (matched)
            *matched = steal_pointer (&full);
          return 1;
        }
    }
  return 0;
}

/* Last, as Podman: a short NAME[:TAG] is any image's name that ends in
 * "/NAME:TAG" ("foo" finds quay.io/ns/foo:latest), the first stored
 * first.  */
static int
resolve_name_suffix (ferry_store_t *s, const char *ref, char *id, size_t len, char **matched)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_free char *pattern = NULL;
  struct ferry_reference r;
  ferry_error_t err = NULL;
  const char *slash;

  if (! ferry_reference_is_short (ref) || strchr (ref, '@')
      || ferry_reference_parse (ref, FERRY_REFERENCE_DEFAULT_LOCALHOST, &r, &err) < 0)
    {
      ferry_error_release (&err);
      return 0;
    }
  /* The name as written ("foo", "ns/foo"), not docker.io's library/.  */
  slash = strrchr (ref, '/');
  pattern = xasprintf ("*/%.*s:%s",
                       (int) (strcspn (slash ? slash + 1 : ref, ":") + (slash ? slash + 1 - ref : 0)), ref,
                       r.tag);
  ferry_reference_free (&r);
  st = ferry_db_prepare (s->db,
                         "SELECT n.image_id, n.name FROM image_names n JOIN images i ON i.id = n.image_id "
                         "WHERE n.name GLOB ?1 ORDER BY i.loaded, n.rowid LIMIT 1",
                         &err);
  if (st == NULL)
    {
      ferry_error_release (&err);
      return 0;
    }
  sqlite3_bind_text (st, 1, pattern, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_ROW)
    return 0;
  snprintf (id, len, "%s", column_text (st, 0));
  if (matched)
    *matched = xstrdup (column_text (st, 1));
  return 1;
}

/* A full or abbreviated ID.  Ambiguous prefixes are an error.  */
static int
resolve_id (ferry_store_t *s, const char *ref, char *id, size_t len, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_free char *pattern = NULL;
  const char *hex = strncmp (ref, "sha256:", 7) == 0 ? ref + 7 : ref;
  size_t n = strlen (hex);
  int found = 0;

  if (n < 3 || n > FERRY_DIGEST_HEX_LEN || strspn (hex, "0123456789abcdef") != n)
    return 0;
  pattern = xasprintf ("%s*", hex);
  st = ferry_db_prepare (s->db, "SELECT id FROM images WHERE id GLOB ? LIMIT 2", err);
  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, pattern, -1, SQLITE_STATIC);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      if (found++)
        return ferry_make_error (err, 0, "image ID prefix `%s` is ambiguous: give more digits", ref);
      snprintf (id, len, "%s", column_text (st, 0));
    }
  return found;
}

/* How a lookup treats what it finds.  */
enum lookup_mode
{
  LOOKUP_RAW,   /* any row as it is, unchecked: for removals */
  LOOKUP_IMAGE, /* checked; a list stands for its image of this host's platform */
  LOOKUP_ANY,   /* checked; a list as itself */
  LOOKUP_LIST,  /* checked, and it must be a list */
};

static int
load_by_manifest_digest (ferry_store_t *s, const char *digest, struct ferry_image **out, ferry_error_t *err)
{
  char id[FERRY_DIGEST_HEX_LEN + 1];
  cleanup_stmt sqlite3_stmt *st = NULL;

  st = ferry_db_prepare (s->db, "SELECT id FROM images WHERE manifest_digest = ? ORDER BY loaded DESC", err);
  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, digest, -1, SQLITE_STATIC);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      struct ferry_image *img = NULL;

      snprintf (id, sizeof (id), "%s", column_text (st, 0));
      if (load_image_row (s, id, 1, &img, err) < 0)
        return -1;
      if (! img->is_list)
        {
          *out = img;
          return 0;
        }
      ferry_image_free (img);
    }
  return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "%s: image not known", digest);
}

int
ferry_store_lookup_manifest_digest (ferry_store_t *s, const char *digest, struct ferry_image **out,
                                    ferry_error_t *err)
{
  if (! ferry_digest_is_valid (digest))
    return ferry_make_error (err, 0, "`%s` is not a sha256 digest", digest);
  return load_by_manifest_digest (s, digest, out, err);
}

/* The image LIST lists for linux on this host's architecture, as Podman
 * resolves a list given where an image is wanted.  */
static int
resolve_list (ferry_store_t *s, struct ferry_image *list, struct ferry_image **out, ferry_error_t *err)
{
  cleanup_json json_object *index = json_tokener_parse (list->manifest);
  json_object *entries = index ? ferry_json_get_array (index, "manifests") : NULL;
  const char *arch = ferry_image_host_arch ();
  size_t i;

  for (i = 0; entries && i < json_object_array_length (entries); i++)
    {
      json_object *e = json_object_array_get_idx (entries, i);
      json_object *plat = ferry_json_get_object (e, "platform");
      const char *dg = ferry_json_get_string (e, "digest");

      if (plat == NULL || dg == NULL || ! ferry_json_string_equals (plat, "os", "linux")
          || ! ferry_json_string_equals (plat, "architecture", arch))
        continue;
      if (load_by_manifest_digest (s, dg, out, err) == 0)
        return 0;
      if ((*err)->kind != FERRY_ERROR_NOT_FOUND)
        return -1;
      ferry_error_release (err);
    }
  return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                "no image found in image index for architecture \"%s\", variant \"\", OS "
                                "\"linux\": image not known",
                                arch);
}

/* REF with a transport, as Podman looks it up in its store: only
 * containers-storage:NAME names a local image (a short NAME is
 * docker.io's there), which *LOCAL gets; docker:// stays a name that is
 * not found, for a pull to fetch.  */
static int
local_name (const char *ref, char **local, ferry_error_t *err)
{
  struct ferry_transport_ref t;
  struct ferry_reference r;

  *local = NULL;
  if (! ferry_transport_is_prefixed (ref) || strncmp (ref, "docker://", 9) == 0)
    return 0;
  if (ferry_transport_parse (ref, &t, err) < 0)
    return -1;
  if (t.transport != FERRY_TRANSPORT_CONTAINERS_STORAGE || t.ref[0] == '[')
    {
      ferry_transport_ref_free (&t);
      return ferry_make_error (err, 0, "unsupported transport \"%s\" for looking up local images",
                               ferry_transport_name (t.transport));
    }
  if (strspn (t.ref, "0123456789abcdef") == strlen (t.ref)
      || ferry_reference_parse (t.ref, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, err) < 0)
    {
      ferry_error_release (err);
      *local = steal_pointer (&t.ref);
    }
  else
    {
      *local = ferry_reference_string (&r);
      ferry_reference_free (&r);
    }
  ferry_transport_ref_free (&t);
  return 0;
}

static int
lookup (ferry_store_t *s, const char *ref, enum lookup_mode mode, struct ferry_image **out, char **matched,
        ferry_error_t *err)
{
  char id[FERRY_DIGEST_HEX_LEN + 1];
  struct ferry_image *img = NULL;
  cleanup_free char *full = NULL, *local = NULL;
  int r;

  if (matched)
    *matched = NULL;
  if (local_name (ref, &local, err) < 0)
    return -1;
  if (local)
    ref = local;
  if (resolve_name (s, ref, id, sizeof (id), &full))
    {
      if (matched && full)
        *matched = xstrdup (full);
    }
  else
    {
      r = resolve_id (s, ref, id, sizeof (id), err);
      if (r < 0)
        return -1;
      if (r == 0 && resolve_name_suffix (s, ref, id, sizeof (id), &full))
        {
          r = 1;
          if (matched)
            *matched = xstrdup (full);
        }
      if (r == 0)
        return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "%s: image not known", ref);
    }
  if (load_image_row (s, id, mode != LOOKUP_RAW, &img, err) < 0)
    return -1;
  if (mode == LOOKUP_LIST && ! img->is_list)
    {
      ferry_image_free (img);
      return ferry_make_error (err, 0, "%s: image is not a manifest list", full ? full : ref);
    }
  if (mode == LOOKUP_IMAGE && img->is_list)
    {
      r = resolve_list (s, img, out, err);
      ferry_image_free (img);
      return r;
    }
  *out = img;
  return 0;
}

int
ferry_store_lookup_list (ferry_store_t *s, const char *ref, struct ferry_image **out, ferry_error_t *err)
{
  return lookup (s, ref, LOOKUP_LIST, out, NULL, err);
}

int
ferry_store_lookup (ferry_store_t *s, const char *ref, struct ferry_image **out, ferry_error_t *err)
{
  return lookup (s, ref, LOOKUP_IMAGE, out, NULL, err);
}

int
ferry_store_lookup_matched (ferry_store_t *s, const char *ref, struct ferry_image **out, char **matched,
                            ferry_error_t *err)
{
  if (lookup (s, ref, LOOKUP_IMAGE, out, matched, err) < 0)
    {
      free (*matched);
      *matched = NULL;
      return -1;
    }
  return 0;
}

int
ferry_store_list (ferry_store_t *s, struct ferry_image ***out, size_t *n, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  struct ferry_image **list = NULL;
  size_t count = 0;

  st = ferry_db_prepare (s->db, "SELECT id FROM images ORDER BY loaded DESC, id", err);
  if (st == NULL)
    return -1;
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      struct ferry_image *img;

      if (load_image_row (s, column_text (st, 0), 1, &img, err) < 0)
        {
          ferry_images_free (list, count);
          return -1;
        }
      list = xrealloc (list, sizeof (*list) * (count + 1));
      list[count++] = img;
    }
  *out = list;
  *n = count;
  return 0;
}

int
ferry_store_list_sound (ferry_store_t *s, struct ferry_image ***out, size_t *n, char ***damaged_ids,
                        char ***damaged_why, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  struct ferry_image **list = NULL;
  size_t count = 0, nd = 0, nw = 0;

  *damaged_ids = xmalloc0 (sizeof (char *));
  *damaged_why = xmalloc0 (sizeof (char *));
  st = ferry_db_prepare (s->db, "SELECT id FROM images ORDER BY loaded DESC, id", err);
  if (st == NULL)
    return -1;
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      struct ferry_image *img;
      ferry_error_t why = NULL;

      /* The row first, as a removal reads it; then the checks a use
       * makes, whose failure marks it damaged.  */
      if (load_image_row (s, column_text (st, 0), 0, &img, err) < 0)
        {
          ferry_images_free (list, count);
          return -1;
        }
      if (check_image_row (img, &why) < 0)
        {
          *damaged_ids = strv_append (*damaged_ids, &nd, xstrdup (img->id));
          *damaged_why = strv_append (*damaged_why, &nw, xstrdup (why->msg));
          ferry_error_release (&why);
          ferry_image_free (img);
          continue;
        }
      list = xrealloc (list, sizeof (*list) * (count + 1));
      list[count++] = img;
    }
  *out = list;
  *n = count;
  return 0;
}

int
ferry_store_image_check_layers (ferry_store_t *s, const struct ferry_image *img, ferry_error_t *err)
{
  for (size_t i = 0; i < img->n_layers; i++)
    {
      cleanup_free char *dir = NULL;
      int unpacked = query_exists (s, "SELECT 1 FROM layers WHERE diff_id = ? AND unpacked = 1",
                                   img->diff_ids[i], NULL, 0);

      /* A layer kept as a blob only (a checkpoint image's) has no
       * directory; any other must have its row and its directory.  */
      if (! unpacked && query_exists (s, "SELECT 1 FROM layers WHERE diff_id = ?", img->diff_ids[i], NULL, 0))
        continue;
      dir = ferry_store_layer_path (s, img->diff_ids[i]);
      if (! unpacked || access (dir, F_OK) < 0)
        return ferry_make_error_kind (err, FERRY_ERROR_DAMAGED, "layer not known");
    }
  return 0;
}

char **
ferry_store_image_layer_paths (ferry_store_t *s, const struct ferry_image *img)
{
  char **paths = xmalloc0 (sizeof (char *) * (img->n_layers + 1));
  size_t i;

  for (i = 0; i < img->n_layers; i++)
    paths[i] = ferry_store_layer_path (s, img->diff_ids[img->n_layers - 1 - i]);
  return paths;
}

static int
image_user (ferry_store_t *s, const char *id, char *container, size_t len)
{
  /* Its own image, or one it mounts (--mount type=image).  */
  return query_exists (
      s,
      "SELECT id FROM containers WHERE image_id = ?1 OR EXISTS (SELECT 1 FROM "
      "json_each (containers.config, '$.Mounts') WHERE json_extract (value, '$.Type') = 'image' "
      "AND json_extract (value, '$.Source') = ?1) LIMIT 1",
      id, container, len);
}

int
ferry_store_image_has_child (ferry_store_t *s, const struct ferry_image *img)
{
  ferry_error_t err = NULL;
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (
      s->db,
      "SELECT 1 FROM images o WHERE o.id != ?1 "
      "AND (SELECT COUNT (*) FROM image_layers WHERE image_id = o.id) > ?2 "
      "AND NOT EXISTS (SELECT 1 FROM image_layers b WHERE b.image_id = ?1 AND NOT EXISTS ("
      "  SELECT 1 FROM image_layers c WHERE c.image_id = o.id AND c.position = b.position "
      "  AND c.diff_id = b.diff_id)) LIMIT 1",
      &err);

  /* A list has no layers, but no image is built on it.  */
  if (img->is_list || st == NULL)
    {
      ferry_error_release (&err);
      return 0;
    }
  sqlite3_bind_text (st, 1, img->id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 2, (sqlite3_int64) img->n_layers);
  return sqlite3_step (st) == SQLITE_ROW;
}

int
ferry_store_image_in_use (ferry_store_t *s, const char *id)
{
  char container[FERRY_DIGEST_LEN + 1];

  return image_user (s, id, container, sizeof (container));
}

/* The files a removal deletes once its transaction is committed.  */
struct dropped
{
  char **diff_ids; /* layer directories */
  size_t n_diff_ids;
  char **blob_digests; /* blob files */
  size_t n_blob_digests;
};

static void
dropped_free (struct dropped *d)
{
  ferry_cleanup_strvp (&d->diff_ids);
  ferry_cleanup_strvp (&d->blob_digests);
}

/* Removes the directories and blobs of the layers DROPPED names, once their
 * rows are gone (a failure leaves an orphan the next load replaces, or
 * system prune --external removes), and frees it.  */
static void
remove_dropped (ferry_store_t *s, struct dropped *dropped)
{
  size_t i;

  for (i = 0; i < dropped->n_diff_ids; i++)
    {
      cleanup_free char *path = ferry_store_layer_path (s, dropped->diff_ids[i]);
      cleanup_error ferry_error_t ignored = NULL;
      ferry_rm_rf (path, &ignored);
    }
  for (i = 0; i < dropped->n_blob_digests; i++)
    {
      cleanup_free char *path = ferry_store_blob_path (s, dropped->blob_digests[i]);
      unlink (path);
    }
  dropped_free (dropped);
}

static int
collect_blobs (ferry_store_t *s, const char *diff_id, struct dropped *d, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st
      = ferry_db_prepare (s->db, "SELECT blob_digest FROM layer_blobs WHERE diff_id = ?", err);
  int rc;

  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, diff_id, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    d->blob_digests = strv_append (d->blob_digests, &d->n_blob_digests, xstrdup (column_text (st, 0)));
  if (rc != SQLITE_DONE)
    return ferry_db_error (s->db, err, "cannot look up the blobs of a layer in the image store");
  return 0;
}

/* Deletes the rows of layers that no image uses any more, with their blobs'
 * rows (layer_blobs cascades) and locations, and adds the layers and blobs
 * to D.  */
static int
drop_unused_layers (ferry_store_t *s, char *const *diff_ids, struct dropped *d, ferry_error_t *err)
{
  size_t i;

  for (i = 0; diff_ids[i]; i++)
    {
      const char *args[] = { diff_ids[i] };

      if (query_exists (s, "SELECT 1 FROM image_layers WHERE diff_id = ?", diff_ids[i], NULL, 0))
        continue;
      if (collect_blobs (s, diff_ids[i], d, err) < 0
          || exec_bound (s,
                         "DELETE FROM blob_locations WHERE blob_digest IN "
                         "(SELECT blob_digest FROM layer_blobs WHERE diff_id = ?)",
                         args, 1, NULL, 0, err)
                 < 0
          || exec_bound (s, "DELETE FROM layers WHERE diff_id = ?", args, 1, NULL, 0, err) < 0)
        return -1;
      d->diff_ids = strv_append (d->diff_ids, &d->n_diff_ids, xstrdup (diff_ids[i]));
    }
  return 0;
}

/* Deletes IMG's row (its names and layer list cascade) and the locations
 * of its config.  */
static int
drop_image (ferry_store_t *s, const struct ferry_image *img, ferry_error_t *err)
{
  const char *id_args[] = { img->id };
  const char *config_args[] = { img->config_digest };

  if (exec_bound (s, "DELETE FROM images WHERE id = ?", id_args, 1, NULL, 0, err) < 0)
    return -1;
  return exec_bound (s,
                     "DELETE FROM blob_locations WHERE blob_digest = ?1 "
                     "AND NOT EXISTS (SELECT 1 FROM layer_blobs WHERE blob_digest = ?1)",
                     config_args, 1, NULL, 0, err);
}

/* Whether P is the parent of C (of config C_CONFIG) as Podman finds one:
 * C's layers are P's and one more, and P's history (what made each
 * layer) is the start of C's.  */
static bool
is_parent (const struct ferry_image *p, const struct ferry_image *c, json_object *c_config)
{
  json_object *ph = ferry_json_get_array (p->config, "history"),
              *ch = ferry_json_get_array (c_config, "history");

  if (p->is_list || c->is_list || p->n_layers == 0 || p->n_layers + 1 != c->n_layers
      || ferry_json_array_length (ph) >= ferry_json_array_length (ch))
    return false;
  for (size_t i = 0; i < p->n_layers; i++)
    if (strcmp (p->diff_ids[i], c->diff_ids[i]) != 0)
      return false;
  for (size_t i = 0; i < ferry_json_array_length (ph); i++)
    {
      const char *a = ferry_json_get_string (json_object_array_get_idx (ph, i), "created_by");
      const char *b = ferry_json_get_string (json_object_array_get_idx (ch, i), "created_by");

      if (strcmp (a ? a : "", b ? b : "") != 0)
        return false;
    }
  return true;
}

/* After CHILD went: its parent, and the parent's, as long as each is
 * dangling (no name), used by no container and parent of no other image,
 * go too, as Podman's rmi prunes them; their IDs are appended to
 * REPORT->pruned.  */
static int
prune_parents (ferry_store_t *s, const struct ferry_image *child, struct ferry_remove_report *report,
               struct dropped *dropped, ferry_error_t *err)
{
  struct ferry_image **imgs = NULL;
  const struct ferry_image *c = child;
  /* A removal reads the image raw, its config unparsed.  */
  cleanup_json json_object *child_config = json_tokener_parse (child->config_text ? child->config_text : "");
  size_t n = 0, n_pruned = 0;
  int ret = 0;

  report->pruned = xmalloc0 (sizeof (char *));
  /* A damaged image elsewhere in the store keeps the parents, not the
   * removal asked for.  */
  {
    ferry_error_t ignored = NULL;

    if (ferry_store_list (s, &imgs, &n, &ignored) < 0)
      {
        ferry_error_release (&ignored);
        return 0;
      }
  }
  for (;;)
    {
      const struct ferry_image *p = NULL;
      char user[FERRY_DIGEST_HEX_LEN + 1];

      for (size_t i = 0; i < n && p == NULL; i++)
        if (is_parent (imgs[i], c, c == child ? child_config : c->config))
          p = imgs[i];
      if (p == NULL || p->names[0] || image_user (s, p->id, user, sizeof (user))
          || ferry_store_image_has_child (s, p))
        break;
      if (drop_image (s, p, err) < 0 || drop_unused_layers (s, p->diff_ids, dropped, err) < 0)
        {
          ret = -1;
          break;
        }
      report->pruned = strv_append (report->pruned, &n_pruned, xstrdup (p->id));
      c = p;
    }
  ferry_images_free (imgs, n);
  return ret;
}

static int
remove_locked (ferry_store_t *s, const char *ref, int force, int prune, struct ferry_remove_report *report,
               struct dropped *dropped, ferry_error_t *err)
{
  struct ferry_image *img = NULL;
  char user[FERRY_DIGEST_HEX_LEN + 1];
  char id[FERRY_DIGEST_HEX_LEN + 1];
  cleanup_free char *name = NULL;
  size_t n_untagged = 0, i;
  int ret = -1;

  /* A damaged image can still be removed: that is the way out offered.  */
  if (lookup (s, ref, LOOKUP_RAW, &img, NULL, err) < 0)
    return -1;
  report->untagged = xmalloc0 (sizeof (char *));
  if ((resolve_name (s, ref, id, sizeof (id), &name) || resolve_name_suffix (s, ref, id, sizeof (id), &name))
      && name && strcmp (id, img->id) == 0 && img->names[0] && img->names[1])
    {
      /* One of several names: only that name goes, as with `podman rmi`.  */
      const char *args[] = { name };

      if (exec_bound (s, "DELETE FROM image_names WHERE name = ?", args, 1, NULL, 0, err) == 0
          && update_names_history (s, img->id, err) == 0)
        {
          report->untagged = strv_append (report->untagged, &n_untagged, steal_pointer (&name));
          ret = 0;
        }
      goto out;
    }
  if (! force && img->names[0] && img->names[1])
    {
      ferry_make_error (
          err, 0, "unable to delete image `%s` by ID with more than one name: remove a name, or use --force",
          ref);
      goto out;
    }
  if (image_user (s, img->id, user, sizeof (user)))
    {
      ferry_make_error_kind (
          err, FERRY_ERROR_IN_USE,
          "image used by %s: image is in use by a container: remove the container first (ferry rm %.12s)",
          user, user);
      goto out;
    }
  if (drop_image (s, img, err) < 0)
    goto out;
  for (i = 0; img->names[i]; i++)
    report->untagged = strv_append (report->untagged, &n_untagged, xstrdup (img->names[i]));
  report->deleted = xstrdup (img->id);
  ret = drop_unused_layers (s, img->diff_ids, dropped, err);
  if (ret == 0 && prune)
    ret = prune_parents (s, img, report, dropped, err);

out:
  ferry_image_free (img);
  return ret;
}

int
ferry_store_remove (ferry_store_t *s, const char *ref, int force, struct ferry_remove_report *report,
                    ferry_error_t *err)
{
  return ferry_store_remove_pruning (s, ref, force, 0, report, err);
}

int
ferry_store_remove_pruning (ferry_store_t *s, const char *ref, int force, int prune,
                            struct ferry_remove_report *report, ferry_error_t *err)
{
  cleanup_lock int lock = -1;
  struct dropped dropped = { 0 };

  memset (report, 0, sizeof (*report));
  lock = ferry_lock_acquire (s->root, "storage", 1, err);
  if (lock < 0)
    return -1;
  if (ferry_db_begin (s->db, err) < 0)
    return -1;
  if (remove_locked (s, ref, force, prune, report, &dropped, err) < 0 || ferry_db_commit (s->db, err) < 0)
    {
      ferry_db_rollback (s->db);
      ferry_remove_report_free (report);
      dropped_free (&dropped);
      return -1;
    }
  ferry_fault_point ("rmi-rows-removed");
  /* The rows are gone and the image with them; a directory or blob that
   * cannot be removed now is an orphan that the next load of that layer or
   * blob replaces, or system prune --external removes.  An `image mount`
   * of it goes first, as Podman's rmi takes it.  */
  if (report->deleted)
    ferry_image_mount_drop (s, report->deleted);
  for (size_t i = 0; report->pruned && report->pruned[i]; i++)
    ferry_image_mount_drop (s, report->pruned[i]);
  remove_dropped (s, &dropped);
  return 0;
}

/* Runs FN (S, IMG, ARG) on the image REF under the storage lock, in one
 * transaction.  */
static int
with_image_locked (ferry_store_t *s, const char *ref,
                   int (*fn) (ferry_store_t *s, const struct ferry_image *img, const char *arg,
                              ferry_error_t *err),
                   const char *arg, ferry_error_t *err)
{
  cleanup_lock int lock = -1;
  struct ferry_image *img = NULL;
  int ret = -1;

  lock = ferry_lock_acquire (s->root, "storage", 1, err);
  if (lock < 0)
    return -1;
  if (ferry_db_begin (s->db, err) < 0)
    return -1;
  if (lookup (s, ref, LOOKUP_ANY, &img, NULL, err) == 0 && fn (s, img, arg, err) == 0
      && ferry_db_commit (s->db, err) == 0)
    ret = 0;
  else
    ferry_db_rollback (s->db);
  ferry_image_free (img);
  return ret;
}

static int
tag_locked (ferry_store_t *s, const struct ferry_image *img, const char *name, ferry_error_t *err)
{
  /* A name another image had moves here, as with `podman tag`.  */
  return set_image_name (s, name, img->id, err);
}

int
ferry_store_tag (ferry_store_t *s, const char *ref, const char *name, ferry_error_t *err)
{
  return with_image_locked (s, ref, tag_locked, name, err);
}

static int
untag_locked (ferry_store_t *s, const struct ferry_image *img, const char *name, ferry_error_t *err)
{
  const char *args[] = { img->id, name };
  size_t i;

  if (name == NULL)
    return exec_bound (s, "DELETE FROM image_names WHERE image_id = ?", args, 1, NULL, 0, err) < 0
               ? -1
               : update_names_history (s, img->id, err);
  for (i = 0; img->names[i]; i++)
    if (strcmp (img->names[i], name) == 0)
      return exec_bound (s, "DELETE FROM image_names WHERE image_id = ? AND name = ?", args, 2, NULL, 0, err)
                     < 0
                 ? -1
                 : update_names_history (s, img->id, err);
  return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "%s: tag not known", name);
}

int
ferry_store_untag (ferry_store_t *s, const char *ref, const char *name, ferry_error_t *err)
{
  return with_image_locked (s, ref, untag_locked, name, err);
}

int
ferry_store_add_blob_location (ferry_store_t *s, const char *blob_digest, const char *registry,
                               const char *repository, ferry_error_t *err)
{
  const char *args[] = { blob_digest, registry, repository };

  /* One statement, so no lock: SQLite orders it against a removal's
   * transaction, which either sees the row and deletes it or commits
   * first and leaves nothing for the row to describe.  */
  if (exec_bound (s,
                  "INSERT OR IGNORE INTO blob_locations (blob_digest, registry, repository) "
                  "SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM layer_blobs WHERE blob_digest = ?1) "
                  "OR EXISTS (SELECT 1 FROM images WHERE config_digest = ?1)",
                  args, 3, NULL, 0, err)
      < 0)
    return ferry_error_wrap (err, "cannot record that %s/%s holds blob %s", registry, repository,
                             blob_digest);
  return 0;
}

char **
ferry_store_blob_repositories (ferry_store_t *s, const char *blob_digest, const char *registry)
{
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_stmt sqlite3_stmt *st = NULL;
  char **repos = xmalloc0 (sizeof (char *));
  size_t n = 0;

  /* Only a hint for mounting: without it the push uploads the blob.  */
  st = ferry_db_prepare (s->db,
                         "SELECT repository FROM blob_locations WHERE blob_digest = ? AND registry = ? "
                         "ORDER BY repository",
                         &ignored);
  if (st == NULL)
    return repos;
  sqlite3_bind_text (st, 1, blob_digest, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, registry, -1, SQLITE_STATIC);
  while (sqlite3_step (st) == SQLITE_ROW)
    repos = strv_append (repos, &n, xstrdup (column_text (st, 0)));
  return repos;
}

void
ferry_remove_report_free (struct ferry_remove_report *r)
{
  ferry_cleanup_strvp (&r->untagged);
  free (r->deleted);
  ferry_cleanup_strvp (&r->pruned);
  memset (r, 0, sizeof (*r));
}

void
ferry_image_free (struct ferry_image *img)
{
  if (img == NULL)
    return;
  free (img->id);
  free (img->config_digest);
  free (img->manifest_digest);
  free (img->manifest);
  free (img->config_text);
  json_object_put (img->config);
  ferry_cleanup_strvp (&img->names);
  ferry_cleanup_strvp (&img->names_history);
  ferry_cleanup_strvp (&img->diff_ids);
  free (img->created);
  free (img);
}

void
ferry_images_free (struct ferry_image **imgs, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    ferry_image_free (imgs[i]);
  free (imgs);
}

/* ---- sweeping what a killed ferry left ------------------------------------- */

/* Removes the entries of DIR named by a digest's hex that SQL finds no
 * row for (WANT_DIR: directories, else regular files), adding their paths
 * to *REMOVED.  Any other name is not the store's and stays.  */
static int
sweep_store_dir (ferry_store_t *s, const char *dir, const char *sql, int want_dir, int dry_run,
                 char ***removed, size_t *n, ferry_error_t *err)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  int fd;

  fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : ferry_make_error (err, errno, "cannot open the image store `%s`", dir);
  d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return ferry_make_error (err, errno, "cannot read the image store `%s`", dir);
    }
  while ((de = readdir (d)))
    {
      cleanup_free char *digest = xasprintf ("sha256:%s", de->d_name);
      struct stat st;
      int r;

      if (! ferry_digest_is_valid (digest) || fstatat (fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (want_dir ? ! S_ISDIR (st.st_mode) : ! S_ISREG (st.st_mode))
        continue;
      r = row_exists (s, sql, digest, "cannot read the image store", err);
      if (r < 0)
        return -1;
      if (r > 0)
        continue;
      if (! dry_run && ferry_rm_rf_at (fd, de->d_name, err) < 0)
        return ferry_error_wrap (err, "cannot remove `%s/%s`", dir, de->d_name);
      *removed = strv_append (*removed, n, xasprintf ("%s/%s", dir, de->d_name));
    }
  return 0;
}

int
ferry_store_sweep (ferry_store_t *s, char ***removed, ferry_error_t *err)
{
  cleanup_lock int lock = -1;
  size_t n = 0;

  *removed = xmalloc0 (sizeof (char *));
  /* Loads move layers in and removals take them out under this lock, each
   * with its rows: holding it, a directory without a row is a leftover.  */
  lock = ferry_lock_acquire (s->root, "storage", 1, err);
  if (lock < 0)
    return -1;
  if (sweep_store_dir (s, s->layers_dir, "SELECT 1 FROM layers WHERE diff_id = ?", 1, 0, removed, &n, err)
      < 0)
    return -1;
  return sweep_store_dir (s, s->blobs_dir, "SELECT 1 FROM layer_blobs WHERE blob_digest = ?", 0, 0, removed,
                          &n, err);
}

int
ferry_store_strays (ferry_store_t *s, char ***layers, char ***blobs, ferry_error_t *err)
{
  cleanup_lock int lock = -1;
  size_t nl = 0, nb = 0;

  *layers = xmalloc0 (sizeof (char *));
  *blobs = xmalloc0 (sizeof (char *));
  lock = ferry_lock_acquire (s->root, "storage", 1, err);
  if (lock < 0)
    return -1;
  if (sweep_store_dir (s, s->layers_dir, "SELECT 1 FROM layers WHERE diff_id = ?", 1, 1, layers, &nl, err)
      < 0)
    return -1;
  return sweep_store_dir (s, s->blobs_dir, "SELECT 1 FROM layer_blobs WHERE blob_digest = ?", 0, 1, blobs,
                          &nb, err);
}

int
ferry_store_remove_layer (ferry_store_t *s, const char *diff_id, ferry_error_t *err)
{
  cleanup_lock int lock = -1;
  struct dropped dropped = { 0 };
  char *const ids[] = { (char *) diff_id, NULL };
  int removed;

  lock = ferry_lock_acquire (s->root, "storage", 1, err);
  if (lock < 0)
    return -1;
  if (ferry_db_begin (s->db, err) < 0)
    return -1;
  if (drop_unused_layers (s, ids, &dropped, err) < 0 || ferry_db_commit (s->db, err) < 0)
    {
      ferry_db_rollback (s->db);
      dropped_free (&dropped);
      return -1;
    }
  removed = dropped.n_diff_ids > 0;
  remove_dropped (s, &dropped);
  return removed;
}

/* ---- manifest lists ------------------------------------------------------------ */

static int
check_list_text (const char *manifest, ferry_error_t *err)
{
  cleanup_json json_object *m = ferry_json_parse (manifest, strlen (manifest), "manifest list", err);

  if (m == NULL)
    return -1;
  if (! manifest_is_list (manifest))
    return ferry_make_error (err, 0, "internal error: a manifest list that is no image index");
  return ferry_image_check_index (m, err);
}

int
ferry_store_add_list (ferry_store_t *s, const char *manifest, const char *name, char **id, ferry_error_t *err)
{
  cleanup_lock int lock = -1;
  cleanup_free char *now = ferry_time_now ();
  cleanup_free char *record = NULL;
  char digest[FERRY_DIGEST_LEN + 1], config_digest[FERRY_DIGEST_LEN + 1], hex[FERRY_DIGEST_HEX_LEN + 1];
  unsigned char bytes[32];
  size_t i;

  *id = NULL;
  if (check_list_text (manifest, err) < 0)
    return -1;
  /* Podman gives a list a random ID: it has no config to hash.  */
  if (getrandom (bytes, sizeof (bytes), 0) != (ssize_t) sizeof (bytes))
    return ferry_make_error (err, errno, "cannot generate a random image ID");
  for (i = 0; i < sizeof (bytes); i++)
    snprintf (hex + 2 * i, 3, "%02x", bytes[i]);
  snprintf (config_digest, sizeof (config_digest), "sha256:%s", hex);
  ferry_sha256_buffer (manifest, strlen (manifest), digest);
  record = xasprintf ("{\"ferry.manifestList\":1,\"created\":\"%s\"}", now);

  lock = ferry_lock_acquire (s->root, "storage", 1, err);
  if (lock < 0)
    return -1;
  if (ferry_db_begin (s->db, err) < 0)
    return -1;
  {
    char other[FERRY_DIGEST_HEX_LEN + 1];
    const char *args[] = { hex, config_digest, digest, manifest, record, now, now };
    const int64_t ints[] = { (int64_t) strlen (manifest) };
    const char *name_args[] = { name, hex };

    if (query_exists (s, "SELECT image_id FROM image_names WHERE name = ?", name, other, sizeof (other)))
      {
        ferry_db_rollback (s->db);
        return ferry_make_error_kind (err, FERRY_ERROR_EXISTS,
                                      "image name \"%s\" is already associated with image \"%s\": that name "
                                      "is already in use: remove it (ferry rmi), or give --amend to change a "
                                      "list",
                                      name, other);
      }
    if (exec_bound (
            s,
            "INSERT INTO images (id, config_digest, manifest_digest, manifest, config, created, loaded, "
            "size) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            args, 7, ints, 1, err)
            < 0
        || exec_bound (s, "INSERT INTO image_names (name, image_id) VALUES (?, ?)", name_args, 2, NULL, 0,
                       err)
               < 0)
      {
        ferry_db_rollback (s->db);
        return -1;
      }
  }
  ferry_fault_point ("manifest-create-uncommitted");
  if (ferry_db_commit (s->db, err) < 0)
    {
      ferry_db_rollback (s->db);
      return -1;
    }
  *id = xstrdup (hex);
  return 0;
}

int
ferry_store_edit_list (ferry_store_t *s, const char *ref,
                       char *(*edit) (ferry_store_t *s, const struct ferry_image *list, void *arg,
                                      ferry_error_t *err),
                       void *arg, ferry_error_t *err)
{
  cleanup_lock int lock = -1;
  cleanup_free char *manifest = NULL;
  struct ferry_image *list = NULL;
  char digest[FERRY_DIGEST_LEN + 1];
  int ret = -1;

  lock = ferry_lock_acquire (s->root, "storage", 1, err);
  if (lock < 0)
    return -1;
  if (ferry_db_begin (s->db, err) < 0)
    return -1;
  if (lookup (s, ref, LOOKUP_LIST, &list, NULL, err) < 0)
    goto out;
  manifest = edit (s, list, arg, err);
  if (manifest == NULL || check_list_text (manifest, err) < 0)
    goto out;
  ferry_sha256_buffer (manifest, strlen (manifest), digest);
  {
    const char *args[] = { manifest, digest, list->id };
    const int64_t ints[] = { (int64_t) strlen (manifest) };

    if (exec_bound (s, "UPDATE images SET manifest = ?1, manifest_digest = ?2, size = ?4 WHERE id = ?3", args,
                    3, ints, 1, err)
        < 0)
      goto out;
  }
  ferry_fault_point ("manifest-edit-uncommitted");
  if (ferry_db_commit (s->db, err) < 0)
    goto out;
  ret = 0;

out:
  if (ret < 0)
    ferry_db_rollback (s->db);
  ferry_image_free (list);
  return ret;
}
