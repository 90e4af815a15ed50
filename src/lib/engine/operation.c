/* ferry: operation records and their settling (operation.h).  */
#include "operation.h"
#include "etc_files.h"
#include "internal.h"
#include "../state/lock.h"
#include "../util/cleanup.h"
#include "../util/hash.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/process.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const KIND_NAMES[]
    = { "checkpoint", "restore", "import", "init", "update", "etc-files", "network-reload" };

const char *
ferry_operation_kind_name (enum ferry_operation_kind kind)
{
  return KIND_NAMES[kind];
}

static int
kind_from_name (const char *name, enum ferry_operation_kind *out)
{
  size_t i;

  for (i = 0; i < sizeof (KIND_NAMES) / sizeof (KIND_NAMES[0]); i++)
    if (name && strcmp (name, KIND_NAMES[i]) == 0)
      {
        *out = (enum ferry_operation_kind) i;
        return 0;
      }
  return -1;
}

void
ferry_operation_release (struct ferry_operation *op)
{
  free (op->container_id);
  free (op->phase);
  free (op->started);
  json_object_put (op->detail);
  memset (op, 0, sizeof (*op));
}

char *
ferry_operation_owner_tag (void)
{
  return xasprintf ("%d-%llu", (int) getpid (), ferry_process_self_start_time ());
}

int
ferry_operation_begin (ferry_engine_t *e, struct ferry_operation *op, const char *id,
                       enum ferry_operation_kind kind, const char *phase, json_object *detail,
                       ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  int rc;

  memset (op, 0, sizeof (*op));
  /* The ID names directories that undoing the operation removes.  */
  if (! ferry_id_is_full (id))
    {
      json_object_put (detail);
      return ferry_make_error (err, EINVAL,
                               "invalid container ID `%s`: 64 lowercase hexadecimal digits expected", id);
    }
  op->container_id = xstrdup (id);
  op->kind = kind;
  op->phase = xstrdup (phase);
  op->owner_pid = getpid ();
  op->owner_start = ferry_process_self_start_time ();
  op->started = ferry_time_now ();
  op->detail = detail ? detail : json_object_new_object ();
  st = ferry_db_prepare (
      e->db,
      "INSERT INTO operations (container_id, kind, phase, owner_pid, owner_start, started, "
      "detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
      err);
  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, ferry_operation_kind_name (kind), -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 3, phase, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 4, op->owner_pid);
  sqlite3_bind_int64 (st, 5, (sqlite3_int64) op->owner_start);
  sqlite3_bind_text (st, 6, op->started, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 7, ferry_json_to_string (op->detail, 0), -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (st);
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    return ferry_make_error_kind (err, FERRY_ERROR_STATE,
                                  "container %.12s has an operation in progress: try again when it is done",
                                  id);
  if (rc != SQLITE_DONE)
    {
      cleanup_free char *context
          = xasprintf ("cannot record the %s of container %.12s", ferry_operation_kind_name (kind), id);
      return ferry_db_error (e->db, err, context);
    }
  return 0;
}

int
ferry_operation_advance (ferry_engine_t *e, struct ferry_operation *op, const char *phase, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;

  st = ferry_db_prepare (e->db,
                         "UPDATE operations SET phase = ?, detail = ?, owner_pid = ?, owner_start = ? "
                         "WHERE container_id = ?",
                         err);
  if (st == NULL)
    return -1;
  /* PHASE may be OP's own.  */
  if (phase != op->phase)
    {
      free (op->phase);
      op->phase = xstrdup (phase);
    }
  sqlite3_bind_text (st, 1, op->phase, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, ferry_json_to_string (op->detail, 0), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 3, op->owner_pid);
  sqlite3_bind_int64 (st, 4, (sqlite3_int64) op->owner_start);
  sqlite3_bind_text (st, 5, op->container_id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    {
      cleanup_free char *context = xasprintf ("cannot record the progress of the %s of container %.12s",
                                              ferry_operation_kind_name (op->kind), op->container_id);
      return ferry_db_error (e->db, err, context);
    }
  return 0;
}

int
ferry_operation_end (ferry_engine_t *e, const struct ferry_operation *op, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;

  st = ferry_db_prepare (e->db, "DELETE FROM operations WHERE container_id = ?", err);
  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, op->container_id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    {
      cleanup_free char *context = xasprintf ("cannot record the end of the %s of container %.12s",
                                              ferry_operation_kind_name (op->kind), op->container_id);
      return ferry_db_error (e->db, err, context);
    }
  return 0;
}

int
ferry_operation_end_with (ferry_engine_t *e, const struct ferry_container *c,
                          const struct ferry_operation *op, ferry_error_t *err)
{
  if (ferry_db_begin (e->db, err) < 0)
    return -1;
  if ((c && ferry_container_save_state (e, c, err) < 0) || ferry_operation_end (e, op, err) < 0
      || ferry_db_commit (e->db, err) < 0)
    {
      ferry_db_rollback (e->db);
      return -1;
    }
  return 0;
}

int
ferry_operation_detail_bool (const struct ferry_operation *op, const char *key)
{
  json_object *v = json_object_object_get (op->detail, key);
  return v && json_object_is_type (v, json_type_boolean) && json_object_get_boolean (v);
}

/* A row as the database holds it: every field is checked, since a
 * damaged or edited database must not steer what settling removes.  */
static int
operation_from_row (sqlite3_stmt *st, struct ferry_operation *out, ferry_error_t *err)
{
  const char *id = (const char *) sqlite3_column_text (st, 0);
  const char *kind = (const char *) sqlite3_column_text (st, 1);
  const char *phase = (const char *) sqlite3_column_text (st, 2);
  const char *started = (const char *) sqlite3_column_text (st, 5);
  const char *detail = (const char *) sqlite3_column_text (st, 6);
  json_object *parsed;

  memset (out, 0, sizeof (*out));
  if (! ferry_id_is_full (id) || phase == NULL || kind_from_name (kind, &out->kind) < 0 || detail == NULL)
    return ferry_make_error (err, 0, "the state database holds a malformed operation record (container `%s`)",
                             id ? id : "");
  parsed = json_tokener_parse (detail);
  if (parsed == NULL || ! json_object_is_type (parsed, json_type_object))
    {
      json_object_put (parsed);
      return ferry_make_error (err, 0,
                               "the state database holds a malformed operation record (container %.12s)", id);
    }
  out->container_id = xstrdup (id);
  out->phase = xstrdup (phase);
  out->owner_pid = (pid_t) sqlite3_column_int64 (st, 3);
  out->owner_start = (unsigned long long) sqlite3_column_int64 (st, 4);
  out->started = xstrdup (started ? started : "");
  out->detail = parsed;
  return 0;
}

int
ferry_operation_get (ferry_engine_t *e, const char *id, struct ferry_operation *out, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;

  memset (out, 0, sizeof (*out));
  st = ferry_db_prepare (e->db,
                         "SELECT container_id, kind, phase, owner_pid, owner_start, started, detail "
                         "FROM operations WHERE container_id = ?",
                         err);
  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_ROW)
    return 0;
  if (operation_from_row (st, out, err) < 0)
    return -1;
  return 1;
}

int
ferry_operation_owner_alive (const struct ferry_operation *op)
{
  return ferry_process_is_alive (op->owner_pid, op->owner_start);
}

/* "<prefix><digits>-<digits>-<suffix>", with a suffix of letters and
 * digits only: a name ferry_mkdtemp_in made for an owner tag.  Sets
 * *PID and *START to the owner.  */
static int
parse_staging_name (const char *name, const char *prefix, pid_t *pid, unsigned long long *start)
{
  size_t n = strlen (prefix), i;
  const char *p;
  char *end;

  if (strncmp (name, prefix, n) != 0)
    return -1;
  p = name + n;
  if (*p < '0' || *p > '9')
    return -1;
  *pid = (pid_t) strtol (p, &end, 10);
  if (*end != '-' || end[1] < '0' || end[1] > '9')
    return -1;
  *start = strtoull (end + 1, &end, 10);
  if (*end != '-' || end[1] == '\0')
    return -1;
  for (i = 1; end[i]; i++)
    if (! ((end[i] >= 'a' && end[i] <= 'z') || (end[i] >= 'A' && end[i] <= 'Z')
           || (end[i] >= '0' && end[i] <= '9')))
      return -1;
  return 0;
}

const char *
ferry_operation_path_in (const struct ferry_operation *op, const char *key, const char *parent,
                         const char *prefix)
{
  const char *path = ferry_json_get_string (op->detail, key);
  size_t n = strlen (parent);
  unsigned long long start;
  pid_t pid;

  if (path == NULL || strncmp (path, parent, n) != 0 || path[n] != '/'
      || parse_staging_name (path + n + 1, prefix, &pid, &start) < 0)
    return NULL;
  return path;
}

char *
ferry_operation_make_name (const char *parent, const char *prefix)
{
  cleanup_free char *tag = ferry_operation_owner_tag ();
  cleanup_free char *random = ferry_random_hex (6);

  return xasprintf ("%s/%s%s-%s", parent, prefix, tag, random);
}

/* Settles the operation on container ID if its owner is gone.  The lock
 * is free then (its owner held it), unless another ferry is settling the
 * same operation: the record is read again once the lock is ours.  */
static void
settle_one (ferry_engine_t *e, const char *id)
{
  cleanup_lock int lock = -1;
  ferry_error_t err = NULL;
  struct ferry_operation op;
  int found;

  lock = ferry_container_lock (e, id, &err);
  if (lock < 0)
    goto out;
  found = ferry_operation_get (e, id, &op, &err);
  if (found <= 0)
    goto out;
  if (! ferry_operation_owner_alive (&op))
    {
      /* Ours now: should this ferry die too, the next one settles it.  */
      op.owner_pid = getpid ();
      op.owner_start = ferry_process_self_start_time ();
      if (ferry_operation_advance (e, &op, op.phase, &err) == 0)
        {
          if (op.kind == FERRY_OPERATION_CHECKPOINT)
            ferry_checkpoint_settle (e, &op, &err);
          else if (op.kind == FERRY_OPERATION_INIT)
            ferry_init_settle (e, &op, &err);
          else if (op.kind == FERRY_OPERATION_UPDATE)
            ferry_update_settle (e, &op, &err);
          else if (op.kind == FERRY_OPERATION_ETC_FILES)
            ferry_etc_files_settle (e, &op, &err);
          else if (op.kind == FERRY_OPERATION_NETWORK_RELOAD)
            ferry_network_reload_settle (e, &op, &err);
          else
            ferry_restore_settle (e, &op, &err);
        }
    }
  ferry_operation_release (&op);
out:
  ferry_error_release (&err);
}

/* Work directories of owners that are gone: what a killed ferry made
 * before it could record an operation, or after a settle removed it.  */
static void
sweep_staging (ferry_engine_t *e)
{
  cleanup_free char *dir = xasprintf ("%s/checkpoints", e->runroot);
  cleanup_dir DIR *d = opendir (dir);
  static const char *const prefixes[] = { "dump-", "import-", "migrate-", NULL };
  struct dirent *de;

  while (d && (de = readdir (d)))
    {
      unsigned long long start;
      pid_t pid;
      size_t i;

      for (i = 0; prefixes[i]; i++)
        if (parse_staging_name (de->d_name, prefixes[i], &pid, &start) == 0
            && ! ferry_process_is_alive (pid, start))
          {
            ferry_error_t ignored = NULL;
            if (ferry_rm_rf_at (dirfd (d), de->d_name, &ignored) < 0)
              ferry_error_release (&ignored);
          }
    }
}

void
ferry_operations_settle (ferry_engine_t *e)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  ferry_error_t err = NULL;
  char **ids = NULL;
  size_t n = 0, i;

  st = ferry_db_prepare (e->db, "SELECT container_id, owner_pid, owner_start FROM operations", &err);
  if (st == NULL)
    {
      ferry_error_release (&err);
      return;
    }
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (st, 0);
      if (id == NULL
          || ferry_process_is_alive ((pid_t) sqlite3_column_int64 (st, 1),
                                     (unsigned long long) sqlite3_column_int64 (st, 2)))
        continue;
      ids = xrealloc (ids, sizeof (char *) * (n + 1));
      ids[n++] = xstrdup (id);
    }
  sqlite3_finalize (st);
  st = NULL;
  for (i = 0; i < n; i++)
    {
      settle_one (e, ids[i]);
      free (ids[i]);
    }
  free (ids);
  sweep_staging (e);
}
