#include "volume.h"
#include "volume_mount.h"
#include "../state/lock.h"
#include "../storage/dirtar.h"
#include "../storage/unpack.h"
#include "../util/cleanup.h"
#include "../util/fault.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every change of a volume's directory happens while the database write
 * lock is held (BEGIN IMMEDIATE, ours or the caller's), so under that lock
 * a directory <root>/volumes/<name> exists exactly when its row does, but
 * for what a crash left behind.  Work in progress lives under names that
 * start with a dot, which no volume name can, and only while its maker
 * holds the root's "tmp" lock shared: a ferry that gets that lock
 * exclusively (image/store.c, at open) knows such names are leftovers of a
 * crash and removes them.  What goes inside a volume's directory (an
 * import's _import, a copy-up's _copyup) changes under the lock of that
 * directory (flock), not the database's.  */

#define NAME_REGEX "[a-zA-Z0-9][a-zA-Z0-9_.-]*"

int
ferry_volume_name_is_valid (const char *name)
{
  const char *p;

  if (name == NULL
      || ! ((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')
            || (name[0] >= '0' && name[0] <= '9')))
    return 0;
  for (p = name + 1; *p; p++)
    if (! ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'
           || *p == '.' || *p == '-'))
      return 0;
  return 1;
}

static char *
volumes_dir (const char *root)
{
  return xasprintf ("%s/volumes", root);
}

static char *
volume_dir (const char *root, const char *name)
{
  return xasprintf ("%s/volumes/%s", root, name);
}

static char *
random_name (ferry_error_t *err)
{
  unsigned char bytes[32];
  char *hex = xmalloc (sizeof (bytes) * 2 + 1);
  size_t i;

  if (getrandom (bytes, sizeof (bytes), 0) != (ssize_t) sizeof (bytes))
    {
      free (hex);
      ferry_make_error (err, errno, "cannot generate a random volume name");
      return NULL;
    }
  for (i = 0; i < sizeof (bytes); i++)
    sprintf (hex + 2 * i, "%02x", bytes[i]);
  return hex;
}

static int
volume_row_exists (ferry_db_t *db, const char *name, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (db, "SELECT 1 FROM volumes WHERE name = ?", err);
  int rc;

  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (st);
  if (rc == SQLITE_ROW)
    return 1;
  if (rc == SQLITE_DONE)
    return 0;
  return ferry_db_error (db, err, "cannot look up a volume in the state database");
}

int
ferry_volume_exists (ferry_db_t *db, const char *name)
{
  cleanup_error ferry_error_t err = NULL;

  return volume_row_exists (db, name, &err) == 1;
}

/* Makes <root>/volumes/.tmp-XXXXXX (0700) holding _data (0755), ready to be
 * renamed into place.  */
static char *
make_volume_dir_tmp (const char *root, ferry_error_t *err)
{
  cleanup_free char *parent = volumes_dir (root);
  cleanup_free char *tmp = NULL;
  cleanup_free char *data = NULL;

  if (ferry_mkdir_p (parent, 0700, err) < 0)
    return NULL;
  tmp = ferry_mkdtemp_in (parent, ".tmp-", err);
  if (tmp == NULL)
    return NULL;
  data = xasprintf ("%s/_data", tmp);
  /* Explicit modes: the umask must not decide who can read a volume.  */
  if (mkdir (data, 0755) < 0 || chmod (data, 0755) < 0 || chmod (tmp, 0700) < 0)
    {
      ferry_error_t ignored = NULL;

      ferry_make_error (err, errno, "cannot create volume directory `%s`", data);
      ferry_rm_rf (tmp, &ignored);
      ferry_error_release (&ignored);
      return NULL;
    }
  return steal_pointer (&tmp);
}

/* Moves the new directory TMP to DEST.  A directory already at DEST has no
 * row (the caller checked under the write lock): a crash left it, so it
 * goes.  */
static int
move_into_place (const char *root, const char *tmp, const char *dest, ferry_error_t *err)
{
  cleanup_free char *parent = volumes_dir (root);

  if (rename (tmp, dest) < 0)
    {
      if (errno != EEXIST && errno != ENOTEMPTY)
        return ferry_make_error (err, errno, "cannot rename `%s` to `%s`", tmp, dest);
      if (ferry_rm_rf (dest, err) < 0)
        return ferry_error_wrap (err, "cannot remove the leftover volume directory `%s`", dest);
      if (rename (tmp, dest) < 0)
        return ferry_make_error (err, errno, "cannot rename `%s` to `%s`", tmp, dest);
    }
  return ferry_fsync_path (parent, err);
}

/* Gives the _data of volume directory VDIR the owner o=uid=,gid= asked
 * for; -1 (as Podman takes it) or unset leaves that ID as it is.  */
static int
set_owner (const char *vdir, long long uid, long long gid, ferry_error_t *err)
{
  cleanup_free char *data = xasprintf ("%s/_data", vdir);
  uid_t u = uid >= 0 ? (uid_t) uid : (uid_t) -1;
  gid_t g = gid >= 0 ? (gid_t) gid : (gid_t) -1;

  if ((u == (uid_t) -1 && g == (gid_t) -1) || lchown (data, u, g) == 0)
    return 0;
  return ferry_make_error (err, errno, "cannot give `%s` the owner o=uid=,gid= asks for", data);
}

/* Takes back a directory moved into place whose row will not be.  */
static void
undo_move (const char *tmp, const char *dest)
{
  ferry_error_t ignored = NULL;

  if (rename (dest, tmp) == 0)
    ferry_rm_rf (tmp, &ignored);
  else
    ferry_rm_rf (dest, &ignored);
  ferry_error_release (&ignored);
}

static int
insert_row (ferry_db_t *db, const char *name, json_object *labels, const struct ferry_volume_options *opts,
            int anonymous, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_free char *created = ferry_time_now ();
  cleanup_free char *context = NULL;
  const char *labels_text = labels ? ferry_json_to_string (labels, 0) : "{}";
  const char *options_text = opts && opts->options ? ferry_json_to_string (opts->options, 0) : "{}";

  st = ferry_db_prepare (db,
                         "INSERT INTO volumes (name, created, driver, labels, options, anonymous, "
                         "needs_copy_up, needs_chown) VALUES (?, ?, 'local', ?, ?, ?, 1, ?)",
                         err);
  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, created, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 3, labels_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 4, options_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (st, 5, anonymous ? 1 : 0);
  /* An owner asked for (-o o=uid=,gid=) stays, as in Podman.  */
  sqlite3_bind_int (st, 6,
                    ! (opts
                       && (ferry_volume_options_id (opts->options, "UID") != FERRY_VOLUME_ID_UNSET
                           || ferry_volume_options_id (opts->options, "GID") != FERRY_VOLUME_ID_UNSET)));
  if (sqlite3_step (st) == SQLITE_DONE)
    return 0;
  context = xasprintf ("cannot record volume `%s` in the state database", name);
  return ferry_db_error (db, err, context);
}

/* The part of creating that runs under the write lock.  */
static int
create_locked (ferry_db_t *db, const char *root, const char *name, json_object *labels,
               const struct ferry_volume_options *opts, int anonymous, ferry_error_t *err)
{
  cleanup_free char *tmp = NULL;
  cleanup_free char *dest = volume_dir (root, name);
  int r;

  r = volume_row_exists (db, name, err);
  if (r < 0)
    return r;
  if (r > 0)
    return ferry_make_error_kind (err, FERRY_ERROR_EXISTS,
                                  "volume with name %s already exists: volume already exists", name);
  tmp = make_volume_dir_tmp (root, err);
  if (tmp == NULL)
    return ferry_error_wrap (err, "cannot create volume `%s`", name);
  if (opts && ferry_volume_options_mounted (opts->options))
    {
      cleanup_free char *data = xasprintf ("%s/_data", tmp);

      /* What the kernel refuses is refused now, not at a container's
       * start.  */
      if (ferry_volume_fs_check (opts->options, data, err) < 0)
        {
          ferry_rm_rf_quietly (tmp);
          return -1;
        }
    }
  if (opts && set_owner (tmp, opts->uid, opts->gid, err) < 0)
    {
      ferry_rm_rf_quietly (tmp);
      return ferry_error_wrap (err, "cannot create volume `%s`", name);
    }
  if (move_into_place (root, tmp, dest, err) < 0)
    {
      ferry_error_t ignored = NULL;

      ferry_rm_rf (tmp, &ignored);
      ferry_error_release (&ignored);
      return ferry_error_wrap (err, "cannot create volume `%s`", name);
    }
  if (insert_row (db, name, labels, opts, anonymous, err) < 0)
    {
      undo_move (tmp, dest);
      return -1;
    }
  return 0;
}

static int
create_volume (ferry_db_t *db, const char *root, const char *name, json_object *labels,
               const struct ferry_volume_options *opts, int anonymous, int in_transaction,
               char **created_name, ferry_error_t *err)
{
  cleanup_free char *generated = NULL;
  cleanup_lock int tmp_lock = -1;

  if (labels && ! json_object_is_type (labels, json_type_object))
    return ferry_make_error (err, EINVAL, "cannot create volume: its labels must be a JSON object");
  if (name == NULL)
    {
      generated = random_name (err);
      if (generated == NULL)
        return -1;
      name = generated;
    }
  else if (! ferry_volume_name_is_valid (name))
    return ferry_make_error (
        err, 0, "invalid volume name `%s`: names must match " NAME_REGEX ": invalid argument", name);

  tmp_lock = ferry_lock_acquire (root, "tmp", 0, err);
  if (tmp_lock < 0)
    return ferry_error_wrap (err, "cannot create volume `%s`", name);
  if (! in_transaction && ferry_db_begin (db, err) < 0)
    return ferry_error_wrap (err, "cannot create volume `%s`", name);
  if (create_locked (db, root, name, labels, opts, anonymous, err) < 0)
    {
      if (! in_transaction)
        ferry_db_rollback (db);
      return -1;
    }
  if (! in_transaction && ferry_db_commit (db, err) < 0)
    {
      cleanup_free char *dest = volume_dir (root, name);
      cleanup_free char *moved = xasprintf ("%s/volumes/.failed-%s", root, name);

      /* Still under the write lock while the transaction is open: take
       * the directory back before letting go of it.  */
      undo_move (moved, dest);
      ferry_db_rollback (db);
      return ferry_error_wrap (err, "cannot create volume `%s`", name);
    }
  if (created_name)
    *created_name = xstrdup (name);
  return 0;
}

int
ferry_volume_create (ferry_db_t *db, const char *root, const char *name, json_object *labels, int anonymous,
                     int in_transaction, char **created_name, ferry_error_t *err)
{
  return create_volume (db, root, name, labels, NULL, anonymous, in_transaction, created_name, err);
}

int
ferry_volume_create_with_options (ferry_db_t *db, const char *root, const char *name, json_object *labels,
                                  const struct ferry_volume_options *opts, char **created_name,
                                  ferry_error_t *err)
{
  return create_volume (db, root, name, labels, opts, 0, 0, created_name, err);
}

static json_object *
parse_object_column (sqlite3_stmt *st, int col)
{
  const char *text = (const char *) sqlite3_column_text (st, col);
  json_object *o = text ? json_tokener_parse (text) : NULL;

  if (o && json_object_is_type (o, json_type_object))
    return o;
  json_object_put (o);
  return json_object_new_object ();
}

static int
load_users (ferry_db_t *db, struct ferry_volume *v, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (
      db, "SELECT DISTINCT container_id FROM container_volumes WHERE volume = ? ORDER BY container_id", err);
  size_t n = 0;
  int rc;

  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, v->name, -1, SQLITE_STATIC);
  v->users = xmalloc0 (sizeof (char *));
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      v->users = xrealloc (v->users, sizeof (char *) * (n + 2));
      v->users[n++] = xstrdup ((const char *) sqlite3_column_text (st, 0));
      v->users[n] = NULL;
    }
  if (rc != SQLITE_DONE)
    return ferry_db_error (db, err, "cannot read which containers use a volume");
  return 0;
}

static void settle_import (ferry_db_t *db, const char *root, const char *name);

#define VOLUME_COLUMNS "name, created, driver, labels, options, anonymous, needs_copy_up, needs_chown"

static struct ferry_volume *
volume_from_row (ferry_db_t *db, const char *root, sqlite3_stmt *st, ferry_error_t *err)
{
  struct ferry_volume *v = xmalloc0 (sizeof (*v));

  v->name = xstrdup ((const char *) sqlite3_column_text (st, 0));
  if (ferry_volume_name_is_valid (v->name))
    settle_import (db, root, v->name);
  v->mountpoint = xasprintf ("%s/volumes/%s/_data", root, v->name);
  v->created = xstrdup ((const char *) sqlite3_column_text (st, 1));
  v->driver = xstrdup ((const char *) sqlite3_column_text (st, 2));
  v->labels = parse_object_column (st, 3);
  v->options = parse_object_column (st, 4);
  v->anonymous = sqlite3_column_int (st, 5) != 0;
  v->needs_copy_up = sqlite3_column_int (st, 6) != 0;
  v->needs_chown = sqlite3_column_int (st, 7) != 0;
  if (load_users (db, v, err) < 0)
    {
      ferry_volume_free (v);
      return NULL;
    }
  return v;
}

int
ferry_volume_get (ferry_db_t *db, const char *root, const char *name, struct ferry_volume **out,
                  ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st
      = ferry_db_prepare (db, "SELECT " VOLUME_COLUMNS " FROM volumes WHERE name = ?", err);
  int rc;

  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (st);
  if (rc == SQLITE_DONE)
    return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                  "no volume with name \"%s\" found: no such volume", name);
  if (rc != SQLITE_ROW)
    return ferry_db_error (db, err, "cannot read a volume from the state database");
  *out = volume_from_row (db, root, st, err);
  return *out ? 0 : -1;
}

int
ferry_volume_list (ferry_db_t *db, const char *root, struct ferry_volume ***out, size_t *n,
                   ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  struct ferry_volume **list = NULL;
  int own_transaction = sqlite3_get_autocommit (ferry_db_handle (db));
  size_t count = 0;
  int rc;

  /* One read transaction, so that the rows and their users agree; a
   * caller's open transaction already is one.  */
  if (own_transaction && ferry_db_exec (db, "BEGIN", err) < 0)
    return -1;
  st = ferry_db_prepare (db, "SELECT " VOLUME_COLUMNS " FROM volumes ORDER BY rowid", err);
  if (st == NULL)
    {
      if (own_transaction)
        ferry_db_rollback (db);
      return -1;
    }
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      struct ferry_volume *v = volume_from_row (db, root, st, err);

      if (v == NULL)
        break;
      list = xrealloc (list, sizeof (*list) * (count + 1));
      list[count++] = v;
    }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    ferry_db_error (db, err, "cannot list volumes in the state database");
  sqlite3_finalize (steal_pointer (&st));
  if (own_transaction)
    ferry_db_rollback (db);
  if (*err)
    {
      ferry_volumes_free (list, count);
      return -1;
    }
  *out = list;
  *n = count;
  return 0;
}

static char *
join_users (char **users)
{
  size_t len = 1, i;
  char *s;

  for (i = 0; users[i]; i++)
    len += strlen (users[i]) + 2;
  s = xmalloc0 (len);
  for (i = 0; users[i]; i++)
    {
      if (i)
        strcat (s, ", ");
      strcat (s, users[i]);
    }
  return s;
}

static int
delete_rows (ferry_db_t *db, const char *name, int with_links, ferry_error_t *err)
{
  static const char *const sql[]
      = { "DELETE FROM container_volumes WHERE volume = ?", "DELETE FROM volumes WHERE name = ?" };
  size_t i;

  for (i = with_links ? 0 : 1; i < sizeof (sql) / sizeof (sql[0]); i++)
    {
      cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (db, sql[i], err);
      cleanup_free char *context = NULL;

      if (st == NULL)
        return -1;
      sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
      if (sqlite3_step (st) == SQLITE_DONE)
        continue;
      context = xasprintf ("cannot remove volume `%s` from the state database", name);
      return ferry_db_error (db, err, context);
    }
  return 0;
}

/* Under the write lock: checks, deletes the rows, and moves the directory
 * to *GRAVE (a dot name) for the caller to empty after the commit.  */
static int
remove_locked (ferry_db_t *db, const char *root, const char *name, int force, char **grave,
               ferry_error_t *err)
{
  struct ferry_volume *v = NULL;
  cleanup_free char *dir = volume_dir (root, name);
  cleanup_free char *parent = volumes_dir (root);
  int in_use;

  if (ferry_volume_get (db, root, name, &v, err) < 0)
    return -1;
  in_use = v->users[0] != NULL;
  if (in_use && ! force)
    {
      cleanup_free char *users = join_users (v->users);

      ferry_volume_free (v);
      return ferry_make_error_kind (err, FERRY_ERROR_IN_USE,
                                    "volume %s is being used by the following container(s): %s: "
                                    "volume is being used",
                                    name, users);
    }
  ferry_volume_free (v);
  /* With FORCE the caller decided about the containers; only their links
   * to this volume go here, as the volume's row cannot outlive them.  */
  if (delete_rows (db, name, in_use, err) < 0)
    return -1;
  if (! ferry_path_exists (dir))
    return 0;
  /* A file system mounted on it (volume create -o type=, device=) goes
   * first: its content is not the volume's to remove, and a bind's is
   * the user's own directory.  */
  {
    cleanup_free char *data = xasprintf ("%s/_data", dir);

    if (ferry_volume_fs_unmount (data, err) < 0)
      return ferry_error_wrap (err, "cannot remove volume `%s`", name);
  }
  *grave = ferry_mkdtemp_in (parent, ".removing-", err);
  if (*grave == NULL)
    return ferry_error_wrap (err, "cannot remove volume `%s`", name);
  /* rename(2) replaces the empty directory mkdtemp made.  */
  if (rename (dir, *grave) < 0)
    {
      int ret = ferry_make_error (err, errno, "cannot remove volume `%s`: cannot rename `%s`", name, dir);

      rmdir (*grave);
      free (steal_pointer (grave));
      return ret;
    }
  return 0;
}

int
ferry_volume_remove (ferry_db_t *db, const char *root, const char *name, int force, ferry_error_t *err)
{
  cleanup_free char *grave = NULL;
  cleanup_free char *dir = volume_dir (root, name);
  cleanup_lock int tmp_lock = ferry_lock_acquire (root, "tmp", 0, err);

  if (tmp_lock < 0)
    return ferry_error_wrap (err, "cannot remove volume `%s`", name);
  if (ferry_db_begin (db, err) < 0)
    return ferry_error_wrap (err, "cannot remove volume `%s`", name);
  if (remove_locked (db, root, name, force, &grave, err) < 0)
    {
      ferry_db_rollback (db);
      return -1;
    }
  if (ferry_db_commit (db, err) < 0)
    {
      if (grave)
        rename (grave, dir);
      ferry_db_rollback (db);
      return ferry_error_wrap (err, "cannot remove volume `%s`", name);
    }
  if (grave && ferry_rm_rf (grave, err) < 0)
    return ferry_error_wrap (err, "volume `%s` is removed but its data is left in `%s`", name, grave);
  return 0;
}

void
ferry_volume_free (struct ferry_volume *v)
{
  char **u;

  if (v == NULL)
    return;
  free (v->name);
  free (v->mountpoint);
  free (v->created);
  free (v->driver);
  if (v->labels)
    json_object_put (v->labels);
  if (v->options)
    json_object_put (v->options);
  for (u = v->users; u && *u; u++)
    free (*u);
  free (v->users);
  free (v);
}

void
ferry_volumes_free (struct ferry_volume **v, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    ferry_volume_free (v[i]);
  free (v);
}

/* ---- copy-up ----------------------------------------------------------------- */

/* A volume's flag that one statement, SELECT_SQL (fixed text, one
 * column, NAME bound), reads: 1 set, 0 not, -1 with *ERR.  */
static int
read_flag (ferry_db_t *db, const char *name, const char *select_sql, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (db, select_sql, err);
  int rc;

  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (st);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int (st, 0) != 0;
  if (rc == SQLITE_DONE)
    return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "no volume with name \"%s\" found", name);
  return ferry_db_error (db, err, "cannot read a volume from the state database");
}

/* Runs UPDATE_SQL (fixed text, NAME bound) on a volume's row.  */
static int
write_flag (ferry_db_t *db, const char *name, const char *update_sql, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (db, update_sql, err);

  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    return ferry_db_error (db, err, "cannot record a volume in the state database");
  return 0;
}

/* The lock of volume directory VDIR (flock; what copy-up takes too), or
 * -1 with *ERR.  NOWAIT: -2 when another holds it.  */
static int
lock_volume_dir (const char *vdir, int nowait, ferry_error_t *err)
{
  int fd = open (vdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open volume directory `%s`", vdir);
  while (flock (fd, LOCK_EX | (nowait ? LOCK_NB : 0)) < 0)
    {
      int saved = errno;

      if (saved == EINTR)
        continue;
      close (fd);
      if (saved == EWOULDBLOCK && nowait)
        return -2;
      return ferry_make_error (err, saved, "cannot lock volume directory `%s`", vdir);
    }
  return fd;
}

/* 1 when NAME has never been filled, 0 when it has, -1 with *ERR.  */
static int
needs_copy_up (ferry_db_t *db, const char *name, ferry_error_t *err)
{
  return read_flag (db, name, "SELECT needs_copy_up FROM volumes WHERE name = ?", err);
}

/* NAME's -o options, as stored.  */
static int
stored_options (ferry_db_t *db, const char *name, json_object **out, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (db, "SELECT options FROM volumes WHERE name = ?", err);

  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_ROW)
    return ferry_db_error (db, err, "cannot read a volume from the state database");
  *out = parse_object_column (st, 0);
  return 0;
}

int
ferry_volume_mark_filled (ferry_db_t *db, const char *name, ferry_error_t *err)
{
  return write_flag (db, name, "UPDATE volumes SET needs_copy_up = 0 WHERE name = ?", err);
}

/* 1 when the directory at PATH holds nothing, 0 when it holds something.  */
static int
dir_is_empty (const char *path, ferry_error_t *err)
{
  cleanup_dir DIR *d = opendir (path);
  struct dirent *de;

  if (d == NULL)
    return ferry_make_error (err, errno, "cannot open `%s`", path);
  while ((de = readdir (d)))
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      return 0;
  return 1;
}

/* Moves every entry of FROM into TO, on the same file system; a name TO
 * has already (moved by a copy-up a kill interrupted) stays as it is.  */
static int
move_entries (const char *from, const char *to, ferry_error_t *err)
{
  cleanup_dir DIR *d = opendir (from);
  cleanup_close int tfd = open (to, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct dirent *de;

  if (d == NULL || tfd < 0)
    return ferry_make_error (err, errno, "cannot open `%s`", d == NULL ? from : to);
  while ((de = readdir (d)))
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (renameat2 (dirfd (d), de->d_name, tfd, de->d_name, RENAME_NOREPLACE) < 0 && errno != EEXIST)
        return ferry_make_error (err, errno, "cannot move `%s/%s` into `%s`", from, de->d_name, to);
    }
  return ferry_fsync_path (to, err);
}

/* move_entries, or, when TO is another file system (one mounted on the
 * volume: volume create -o type=), a copy through a tar beside them,
 * which a copy-up interrupted and resumed simply writes again.  */
static int
move_or_copy_entries (const char *vdir, const char *from, const char *to, ferry_error_t *err)
{
  cleanup_free char *tar = NULL;
  struct stat a, b;
  int ret;

  if (stat (from, &a) < 0 || stat (to, &b) < 0)
    return ferry_make_error (err, errno, "cannot stat `%s` or `%s`", from, to);
  if (a.st_dev == b.st_dev)
    return move_entries (from, to, err);
  tar = xasprintf ("%s/_copyup.tar", vdir);
  ret = ferry_tar_directory (from, tar, err);
  if (ret == 0)
    ret = ferry_untar_directory (tar, to, 0, "volume entry", err);
  unlink (tar);
  if (ret == 0)
    ret = ferry_fsync_path (to, err);
  return ret;
}

/* Copies what the image has at DEST under ROOTFS (resolved inside it:
 * symlinks the image holds cannot lead out) into the new directory
 * STAGED, with DEST's own owner and mode.  0 when DEST is no directory of
 * the image: nothing to copy, and STAGED is not made.  */
static int
stage_copy (const char *rootfs, const char *dest, const char *vdir, const char *staged, ferry_error_t *err)
{
  cleanup_free char *tmp = xasprintf ("%s/_copyup.tmp", vdir);
  cleanup_free char *tar = xasprintf ("%s/_copyup.tar", vdir);
  cleanup_close int rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int src = -1;
  char link[64], path[PATH_MAX];
  ssize_t n;
  int ret;

  if (rootfd < 0)
    return ferry_make_error (err, errno, "cannot open `%s`", rootfs);
  src = ferry_openat2 (rootfd, dest, O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
                       RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
  if (src < 0 && (errno == ENOENT || errno == ENOTDIR))
    return 0;
  if (src < 0)
    return ferry_make_error (err, errno, "cannot open `%s` in the container's image", dest);
  /* Where it resolved to: a path without symlinks, which nothing changes
   * before the container starts.  */
  snprintf (link, sizeof (link), "/proc/self/fd/%d", src);
  n = readlink (link, path, sizeof (path) - 1);
  if (n < 0)
    return ferry_make_error (err, errno, "cannot resolve `%s` in the container's image", dest);
  path[n] = '\0';
  if (ferry_rm_rf (tmp, err) < 0 || (unlink (tar) < 0 && errno != ENOENT))
    return ferry_make_error (err, errno, "cannot remove the leftovers of a copy in `%s`", vdir);
  if (mkdir (tmp, 0700) < 0)
    return ferry_make_error (err, errno, "cannot create `%s`", tmp);
  /* The tar keeps DEST's owner and mode in its "./", which unpacking
   * gives TMP.  */
  ret = ferry_tar_directory (path, tar, err);
  if (ret == 0)
    ret = ferry_untar_directory (tar, tmp, 0, "volume entry", err);
  unlink (tar);
  if (ret < 0)
    return ferry_error_wrap (err, "cannot copy `%s` of the container's image into its volume", dest);
  if (ferry_fsync_path (tmp, err) < 0)
    return -1;
  if (rename (tmp, staged) < 0)
    return ferry_make_error (err, errno, "cannot rename `%s` to `%s`", tmp, staged);
  return 1;
}

int
ferry_volume_copy_up (ferry_db_t *db, const char *root, const char *name, const char *rootfs,
                      const char *dest, ferry_error_t *err)
{
  cleanup_free char *vdir = volume_dir (root, name);
  cleanup_free char *data = xasprintf ("%s/_data", vdir);
  cleanup_free char *staged = xasprintf ("%s/_copyup", vdir);
  cleanup_json json_object *options = NULL;
  cleanup_close int lock = -1;
  struct stat st;
  int keep_owner, r;

  if (! ferry_volume_name_is_valid (name))
    return ferry_make_error (err, 0, "invalid volume name `%s`", name);
  /* One copy at a time per volume: two containers may start on it.  */
  lock = lock_volume_dir (vdir, 0, err);
  if (lock < 0)
    return -1;
  r = needs_copy_up (db, name, err);
  if (r <= 0)
    return r;
  if (stored_options (db, name, &options, err) < 0)
    return -1;
  /* -o nocopy: never filled, and NeedsCopyUp stays as Podman shows it.  */
  if (ferry_volume_options_nocopy (options))
    return 0;
  /* -o o=uid=,gid=: the owner asked for stays, as in Podman.  */
  keep_owner = ferry_volume_options_id (options, "UID") != FERRY_VOLUME_ID_UNSET
               || ferry_volume_options_id (options, "GID") != FERRY_VOLUME_ID_UNSET;
  /* A staged copy is whole (it is renamed in last): a copy-up that a kill
   * interrupted while moving it in goes on.  Otherwise, a volume holding
   * anything keeps it, and one the image has no directory for is left
   * empty: as in Podman, either still waits for its copy (NeedsCopyUp),
   * which a later container whose image has something at its mount point
   * makes while the volume is empty.  */
  if (! ferry_path_exists (staged))
    {
      r = dir_is_empty (data, err);
      if (r <= 0)
        return r;
      r = stage_copy (rootfs, dest, vdir, staged, err);
      if (r < 0)
        return ferry_error_wrap (err, "cannot fill volume %s", name);
      if (r == 0)
        return 0;
    }
  if (ferry_path_exists (staged))
    {
      if (lstat (staged, &st) < 0 || move_or_copy_entries (vdir, staged, data, err) < 0
          || (! keep_owner && chown (data, st.st_uid, st.st_gid) < 0) || chmod (data, st.st_mode & 07777) < 0)
        {
          if (*err == NULL)
            ferry_make_error (err, errno, "cannot give volume %s the owner and mode of `%s`", name, dest);
          return ferry_error_wrap (err, "cannot fill volume %s", name);
        }
      if (ferry_rm_rf (staged, err) < 0)
        return -1;
    }
  /* An empty directory of the image gave the volume its owner and mode,
   * but no content: it still waits, as Podman's does.  */
  r = dir_is_empty (data, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (ferry_volume_mark_filled (db, name, err) < 0)
    return -1;
  return 1;
}

/* 1 when NAME still takes the owner of the containers that mount it,
 * 0 when not, -1 with *ERR.  */
static int
needs_chown (ferry_db_t *db, const char *name, ferry_error_t *err)
{
  return read_flag (db, name, "SELECT needs_chown FROM volumes WHERE name = ?", err);
}

static int
chown_done (ferry_db_t *db, const char *name, ferry_error_t *err)
{
  return write_flag (db, name, "UPDATE volumes SET needs_chown = 0 WHERE name = ?", err);
}

int
ferry_volume_fix_owner (ferry_db_t *db, const char *root, const char *name, const char *rootfs,
                        const char *dest, uid_t uid, gid_t gid, int copied, int own_only, ferry_error_t *err)
{
  cleanup_free char *vdir = volume_dir (root, name);
  cleanup_free char *data = xasprintf ("%s/_data", vdir);
  cleanup_close int lock = -1, rootfd = -1, at = -1;
  struct stat st;
  int r;

  if (! ferry_volume_name_is_valid (name))
    return ferry_make_error (err, 0, "invalid volume name `%s`", name);
  lock = lock_volume_dir (vdir, 0, err);
  if (lock < 0)
    return -1;
  r = needs_chown (db, name, err);
  if (r <= 0)
    return r;
  /* Content of its own, not this start's copy: it keeps its owner, for
   * good.  */
  if (! copied)
    {
      r = dir_is_empty (data, err);
      if (r < 0)
        return -1;
      if (r == 0)
        return chown_done (db, name, err);
    }
  /* The first copy is the last change of owner but this one.  */
  if (copied && chown_done (db, name, err) < 0)
    return -1;
  if (lchown (data, uid, gid) < 0)
    return ferry_make_error (err, errno, "cannot give volume %s to the container's user", name);
  if (own_only)
    return 0;
  /* Then, where the image has DEST, its owner and mode; root's owner
   * ends the changes.  */
  rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return ferry_make_error (err, errno, "cannot open `%s`", rootfs);
  at = ferry_openat2 (rootfd, dest, O_PATH | O_CLOEXEC, 0,
                      RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
  if (at < 0 && (errno == ENOENT || errno == ENOTDIR))
    return 0;
  if (at < 0 || fstat (at, &st) < 0)
    return ferry_make_error (err, errno, "cannot look at `%s` in the container's image", dest);
  if (lchown (data, st.st_uid, st.st_gid) < 0 || chmod (data, st.st_mode & 07777) < 0)
    return ferry_make_error (err, errno, "cannot give volume %s the owner and mode of `%s`", name, dest);
  if (st.st_uid == 0 && st.st_gid == 0 && ! copied)
    return chown_done (db, name, err);
  return 0;
}

/* A volume whose content is a file system mounted while in use has none
 * of its own while it is not: Podman refuses, with these words.  */
static int
refuse_unmounted (const struct ferry_volume *v, ferry_error_t *err)
{
  if (! ferry_volume_options_mounted (v->options) || ferry_volume_fs_is_mounted (v->mountpoint))
    return 0;
  return ferry_make_error (err, 0,
                           "volume is using a driver local and volume is not mounted on %s: mount it first "
                           "(ferry volume mount %s)",
                           v->mountpoint, v->name);
}

int
ferry_volume_export (ferry_db_t *db, const char *root, const char *name, const char *tar_path,
                     ferry_error_t *err)
{
  /* Podman's layout: owners as they are, without names.  */
  const struct ferry_tar_go_options podman = { .rootfd = -1, .dir_slash = true };
  struct ferry_volume *v = NULL;
  int r;

  if (ferry_volume_get (db, root, name, &v, err) < 0)
    return -1;
  if (refuse_unmounted (v, err) < 0)
    {
      ferry_volume_free (v);
      return -1;
    }
  r = ferry_tar_directory_go (v->mountpoint, tar_path, &podman, err);
  ferry_volume_free (v);
  return r;
}

/* ---- import: unpacked beside, then moved in ----------------------------- */

/* An archive goes into a volume in three steps, so that a bad archive, a
 * full disk or a kill never leaves the volume half-filled:
 *   1. unpacked into <root>/volumes/.tmp-XXXXXX, under the "tmp" lock
 *      shared: killed there, the store's sweep at open removes it;
 *   2. synced and renamed <root>/volumes/<name>/_import: from there on the
 *      archive is whole and the import goes forward;
 *   3. its entries moved into _data (a name that is there is replaced, a
 *      directory merged, as unpacking over it would), then _import goes.
 * Killed in step 3, the next look at the volume (volume_from_row) moves
 * the rest in.  */

#define IMPORT_NAME "_import"

/* Moves every entry of directory FROM into directory TO, replacing what
 * TO has under that name but merging a directory into a directory; each
 * directory moved into gets the moved one's owner, mode and times.  FROM
 * is left empty.  Done again after a kill, it finishes the same.  */
static int
merge_into (int from, int to, const char *what, ferry_error_t *err)
{
  cleanup_close int copy = dup (from);
  cleanup_dir DIR *d = copy >= 0 ? fdopendir (copy) : NULL;
  struct dirent *de;

  if (d == NULL)
    return ferry_make_error (err, errno, "cannot read `%s`", what);
  copy = -1;
  while ((errno = 0, de = readdir (d)))
    {
      struct stat s, t;
      int there;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (fstatat (from, de->d_name, &s, AT_SYMLINK_NOFOLLOW) < 0)
        return ferry_make_error (err, errno, "cannot stat `%s/%s`", what, de->d_name);
      there = fstatat (to, de->d_name, &t, AT_SYMLINK_NOFOLLOW) == 0;
      if (S_ISDIR (s.st_mode) && there && S_ISDIR (t.st_mode))
        {
          cleanup_close int sub_from
              = openat (from, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          cleanup_close int sub_to = openat (to, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          const struct timespec times[2] = { s.st_atim, s.st_mtim };
          cleanup_free char *sub = xasprintf ("%s/%s", what, de->d_name);

          if (sub_from < 0 || sub_to < 0)
            return ferry_make_error (err, errno, "cannot open `%s`", sub);
          if (merge_into (sub_from, sub_to, sub, err) < 0)
            return -1;
          if (fchown (sub_to, s.st_uid, s.st_gid) < 0 || fchmod (sub_to, s.st_mode & 07777) < 0
              || futimens (sub_to, times) < 0)
            return ferry_make_error (err, errno, "cannot give `%s` the archive's owner, mode and times", sub);
          if (unlinkat (from, de->d_name, AT_REMOVEDIR) < 0)
            return ferry_make_error (err, errno, "cannot remove `%s`", sub);
          continue;
        }
      if (there && S_ISDIR (t.st_mode) && ferry_rm_rf_at (to, de->d_name, err) < 0)
        return ferry_error_wrap (err, "cannot replace `%s`", de->d_name);
      if (renameat (from, de->d_name, to, de->d_name) < 0)
        return ferry_make_error (err, errno, "cannot move `%s/%s` into the volume", what, de->d_name);
      ferry_fault_point ("volume-import-moving");
    }
  if (errno != 0)
    return ferry_make_error (err, errno, "cannot read `%s`", what);
  return fsync (to) < 0 ? ferry_make_error (err, errno, "cannot sync the volume") : 0;
}

/* Step 3: VDIR's whole _import moved into its _data, under the volume's
 * lock (flock of VDIR), then taken away.  0 when there is none.  */
static int
finish_import (const char *vdir, ferry_error_t *err)
{
  cleanup_close int vfd = open (vdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_close int from = -1, to = -1;
  struct stat s;

  if (vfd < 0)
    return ferry_make_error (err, errno, "cannot open volume directory `%s`", vdir);
  from = openat (vfd, IMPORT_NAME, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (from < 0)
    return errno == ENOENT ? 0 : ferry_make_error (err, errno, "cannot open `%s/" IMPORT_NAME "`", vdir);
  to = openat (vfd, "_data", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (to < 0)
    return ferry_make_error (err, errno, "cannot open `%s/_data`", vdir);
  if (merge_into (from, to, IMPORT_NAME, err) < 0)
    return ferry_error_wrap (err, "cannot move an import into volume directory `%s`", vdir);
  /* The archive's "./" owner and mode are the volume's: the staging
   * directory got _data's own when the archive has none.  */
  if (fstat (from, &s) < 0 || fchown (to, s.st_uid, s.st_gid) < 0 || fchmod (to, s.st_mode & 07777) < 0)
    return ferry_make_error (err, errno, "cannot give `%s/_data` the archive's owner and mode", vdir);
  if (unlinkat (vfd, IMPORT_NAME, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return ferry_make_error (err, errno, "cannot remove `%s/" IMPORT_NAME "`", vdir);
  return fsync (vfd) < 0 ? ferry_make_error (err, errno, "cannot sync `%s`", vdir) : 0;
}

/* What an import killed in step 3 left of volume NAME, moved in: when
 * nobody else holds the volume's lock (its importer would).  */
static void
settle_import (ferry_db_t *db, const char *root, const char *name)
{
  cleanup_free char *vdir = volume_dir (root, name);
  cleanup_free char *staged = xasprintf ("%s/" IMPORT_NAME, vdir);
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_close int lock = -1;

  if (! ferry_path_exists (staged))
    return;
  lock = lock_volume_dir (vdir, 1, &ignored);
  if (lock < 0)
    return;
  if (finish_import (vdir, &ignored) == 0)
    ferry_volume_mark_filled (db, name, &ignored);
}

/* Steps 1 and 2: TAR_PATH unpacked beside volume NAME's directory VDIR
 * and made its _import.  */
static int
stage_import (const char *root, const char *vdir, const char *tar_path, ferry_error_t *err)
{
  cleanup_free char *parent = volumes_dir (root);
  cleanup_free char *tmp = NULL, *data = xasprintf ("%s/_data", vdir);
  cleanup_free char *dest = xasprintf ("%s/" IMPORT_NAME, vdir);
  cleanup_close int fd = -1;
  struct stat st;

  if (stat (data, &st) < 0)
    return ferry_make_error (err, errno, "cannot stat `%s`", data);
  tmp = ferry_mkdtemp_in (parent, ".tmp-", err);
  if (tmp == NULL)
    return -1;
  if (chown (tmp, st.st_uid, st.st_gid) < 0 || chmod (tmp, st.st_mode & 07777) < 0)
    {
      ferry_make_error (err, errno, "cannot create `%s`", tmp);
      goto fail;
    }
  if (ferry_untar_directory (tar_path, tmp, FERRY_UNPACK_ROOTED_NAMES, "volume entry", err) < 0)
    goto fail;
  /* Whole on disk before it is named whole.  */
  fd = open (tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || syncfs (fd) < 0)
    {
      ferry_make_error (err, errno, "cannot sync `%s`", tmp);
      goto fail;
    }
  ferry_fault_point ("volume-import-unpacked");
  if (rename (tmp, dest) < 0)
    {
      ferry_make_error (err, errno, "cannot rename `%s` to `%s`", tmp, dest);
      goto fail;
    }
  ferry_fault_point ("volume-import-staged");
  return 0;
fail:
  ferry_rm_rf_quietly (tmp);
  return -1;
}

/* TAR_PATH into volume NAME's _data, all of it or nothing.  A volume
 * whose _data is a mount of its own (-o type=, a bind) has no room beside
 * it on that mount, where rename(2) could move it in: unpacked straight
 * into it, as before.  */
static int
fill_from_tar (const char *root, const char *name, const char *tar_path, ferry_error_t *err)
{
  cleanup_free char *vdir = volume_dir (root, name);
  cleanup_free char *data = xasprintf ("%s/_data", vdir);
  cleanup_lock int tmp_lock = -1;
  cleanup_close int lock = -1;

  if (ferry_volume_fs_is_mounted (data))
    return ferry_untar_directory (tar_path, data, FERRY_UNPACK_ROOTED_NAMES, "volume entry", err);
  tmp_lock = ferry_lock_acquire (root, "tmp", 0, err);
  if (tmp_lock < 0)
    return -1;
  lock = lock_volume_dir (vdir, 0, err);
  if (lock < 0)
    return -1;
  /* One an earlier import left whole goes in first.  */
  if (finish_import (vdir, err) < 0 || stage_import (root, vdir, tar_path, err) < 0
      || finish_import (vdir, err) < 0)
    return -1;
  return 0;
}

int
ferry_volume_fill_from_tar (ferry_db_t *db, const char *root, const char *name, const char *tar_path,
                            ferry_error_t *err)
{
  if (! ferry_volume_name_is_valid (name))
    return ferry_make_error (err, 0, "invalid volume name `%s`", name);
  if (fill_from_tar (root, name, tar_path, err) < 0)
    return -1;
  /* What the archive held is the volume's now: no copy-up over it.  */
  return ferry_volume_mark_filled (db, name, err);
}

int
ferry_volume_import (ferry_db_t *db, const char *root, const char *name, const char *tar_path,
                     ferry_error_t *err)
{
  struct ferry_volume *v = NULL;
  int r;

  if (ferry_volume_get (db, root, name, &v, err) < 0)
    return -1;
  if (refuse_unmounted (v, err) < 0)
    {
      ferry_volume_free (v);
      return -1;
    }
  r = ferry_volume_fill_from_tar (db, root, v->name, tar_path, err);
  ferry_volume_free (v);
  return r;
}

int
ferry_volume_subpath_resolve (const char *root, const char *volume, const char *subpath, char **out,
                              ferry_error_t *err)
{
  cleanup_free char *data = xasprintf ("%s/volumes/%s/_data", root, volume);
  cleanup_free char *link = NULL;
  cleanup_close int dfd = open (data, O_PATH | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int fd = -1;
  char real[PATH_MAX];
  ssize_t n;

  if (dfd < 0)
    return ferry_make_error (err, errno, "cannot open volume %s", volume);
  fd = ferry_openat2 (dfd, subpath, O_PATH | O_CLOEXEC, 0, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
  if (fd < 0 && errno == EXDEV)
    return ferry_make_error_kind (err, FERRY_ERROR_COMMAND_NOT_EXECUTABLE,
                                  "subpath \"%s\" is outside of the volume \"%s\"", subpath, data);
  if (fd < 0 && errno == ENOENT)
    return ferry_make_error_kind (err, FERRY_ERROR_COMMAND_NOT_FOUND,
                                  "no such file or directory: subpath \"%s\" of volume %s: create it in the "
                                  "volume first",
                                  subpath, volume);
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open subpath \"%s\" of volume %s", subpath, volume);
  link = xasprintf ("/proc/self/fd/%d", fd);
  n = readlink (link, real, sizeof (real) - 1);
  if (n < 0)
    return ferry_make_error (err, errno, "cannot resolve subpath \"%s\" of volume %s", subpath, volume);
  real[n] = '\0';
  *out = xstrdup (real);
  return 0;
}

/* The bundle's config.json; for a restore (from the images in
 * RESTORE_FROM) also the CRIU configuration it runs with.  */
