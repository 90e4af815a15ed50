/* ferry: secrets (see secret.h).  */
#include "secret.h"
#include "userns.h"
#include "internal.h"
#include "../state/db.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRET_NAME_MAX 253
#define SECRET_ID_LEN 25
#define SECRET_COLUMNS "id, name, driver, created, updated, labels"

int
ferry_secret_name_is_valid (const char *name)
{
  size_t n = strlen (name);

  return n >= 1 && n <= SECRET_NAME_MAX && strpbrk (name, "=/,") == NULL && strcmp (name, ".") != 0
         && strcmp (name, "..") != 0;
}

static char *
column_text (sqlite3_stmt *st, int i)
{
  const unsigned char *t = sqlite3_column_text (st, i);

  return xstrdup (t ? (const char *) t : "");
}

static struct ferry_secret *
secret_from_row (sqlite3_stmt *st)
{
  struct ferry_secret *s = xmalloc0 (sizeof (*s));
  cleanup_free char *labels = column_text (st, 5);
  json_object *l = json_tokener_parse (labels);

  s->id = column_text (st, 0);
  s->name = column_text (st, 1);
  s->driver = column_text (st, 2);
  s->created = column_text (st, 3);
  s->updated = column_text (st, 4);
  /* Only an object of strings is shown as labels.  */
  if (l && json_object_is_type (l, json_type_object))
    s->labels = l;
  else
    {
      json_object_put (l);
      s->labels = json_object_new_object ();
    }
  return s;
}

static void *
secret_row (sqlite3_stmt *st)
{
  return secret_from_row (st);
}

static void
secret_drop (void *s)
{
  ferry_secret_free (s);
}

int
ferry_secret_lookup (ferry_engine_t *e, const char *ref, struct ferry_secret **out, ferry_error_t *err)
{
  if (ferry_db_find_by_name_or_id (e->db, "SELECT " SECRET_COLUMNS " FROM secrets", ref, SECRET_ID_LEN,
                                   "secret", secret_row, secret_drop, (void **) out, err)
      < 0)
    return -1;
  if (*out == NULL)
    return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                  "no secret with name or id \"%s\": no such secret", ref);
  return 0;
}

int
ferry_secret_create (ferry_engine_t *e, const char *name, const void *data, size_t len, json_object *labels,
                     int replace, char **id, ferry_error_t *err)
{
  cleanup_free char *hex = ferry_random_hex ((SECRET_ID_LEN + 1) / 2);
  cleanup_free char *now = ferry_time_now ();
  cleanup_free char *created = NULL;
  cleanup_stmt sqlite3_stmt *st = NULL;

  if (! ferry_secret_name_is_valid (name))
    return ferry_make_error (err, 0,
                             "secret name \"%s\" can not include '=', '/', ',', or the '\\0' (NULL) and be "
                             "between 1 and %d characters: invalid secret name",
                             name, SECRET_NAME_MAX);
  hex[SECRET_ID_LEN] = '\0';
  if (ferry_db_begin (e->db, err) < 0)
    return -1;
  st = ferry_db_prepare (e->db, "SELECT created FROM secrets WHERE name = ?", err);
  if (st == NULL)
    goto fail;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  if (sqlite3_step (st) == SQLITE_ROW)
    {
      if (! replace)
        {
          ferry_make_error_kind (err, FERRY_ERROR_EXISTS, "%s: secret name in use", name);
          goto fail;
        }
      created = column_text (st, 0);
    }
  sqlite3_finalize (st);
  st = NULL;
  if (created)
    {
      st = ferry_db_prepare (e->db, "DELETE FROM secrets WHERE name = ?", err);
      if (st == NULL)
        goto fail;
      sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
      if (sqlite3_step (st) != SQLITE_DONE)
        {
          ferry_db_error (e->db, err, "cannot replace the secret");
          goto fail;
        }
      sqlite3_finalize (st);
      st = NULL;
    }
  st = ferry_db_prepare (e->db,
                         "INSERT INTO secrets (id, name, driver, created, updated, labels, data) "
                         "VALUES (?, ?, 'file', ?, ?, ?, ?)",
                         err);
  if (st == NULL)
    goto fail;
  sqlite3_bind_text (st, 1, hex, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 3, created ? created : now, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 4, now, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 5, ferry_json_to_string (labels, 0), -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (st, 6, len ? data : "", (int) len, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    {
      ferry_db_error (e->db, err, "cannot store the secret");
      goto fail;
    }
  if (ferry_db_commit (e->db, err) < 0)
    goto fail;
  *id = steal_pointer (&hex);
  return 0;
fail:
  ferry_db_rollback (e->db);
  return -1;
}

int
ferry_secret_list (ferry_engine_t *e, struct ferry_secret ***out, size_t *n, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st
      = ferry_db_prepare (e->db, "SELECT " SECRET_COLUMNS " FROM secrets ORDER BY created, name", err);
  int rc;

  *out = NULL;
  *n = 0;
  if (st == NULL)
    return -1;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      *out = xrealloc (*out, sizeof (**out) * (*n + 1));
      (*out)[(*n)++] = secret_from_row (st);
    }
  if (rc != SQLITE_DONE)
    {
      ferry_secrets_free (*out, *n);
      *out = NULL;
      *n = 0;
      return ferry_db_error (e->db, err, "cannot list the secrets");
    }
  return 0;
}

int
ferry_secret_data (ferry_engine_t *e, const char *id, char **data, size_t *len, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (e->db, "SELECT data FROM secrets WHERE id = ?", err);
  const void *blob;
  int n;

  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_ROW)
    return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                  "no secret with name or id \"%s\": no such secret", id);
  blob = sqlite3_column_blob (st, 0);
  n = sqlite3_column_bytes (st, 0);
  *data = xmalloc ((size_t) n + 1);
  if (n > 0)
    memcpy (*data, blob, (size_t) n);
  (*data)[n] = '\0';
  *len = (size_t) n;
  return 0;
}

int
ferry_secret_remove (ferry_engine_t *e, const char *id, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (e->db, "DELETE FROM secrets WHERE id = ?", err);

  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    return ferry_db_error (e->db, err, "cannot remove the secret");
  return 0;
}

void
ferry_secret_free (struct ferry_secret *s)
{
  if (s == NULL)
    return;
  free (s->id);
  free (s->name);
  free (s->driver);
  free (s->created);
  free (s->updated);
  json_object_put (s->labels);
  free (s);
}

void
ferry_secrets_free (struct ferry_secret **s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    ferry_secret_free (s[i]);
  free (s);
}

/* ---- containers' secrets ------------------------------------------------ */

#define SECRETS_DIR "/run/secrets"

/* An environment variable's name: what a shell takes.  */
static bool
env_name_is_valid (const char *s)
{
  size_t i;

  if (! ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
    return false;
  for (i = 1; s[i]; i++)
    if (! ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')
           || s[i] == '_'))
      return false;
  return i <= 1024;
}

/* A path inside the container: absolute, one line, no NUL (runc resolves
 * it inside the root file system).  */
static bool
target_is_valid (const char *t)
{
  return t[0] == '/' && strlen (t) < 4096 && strpbrk (t, "\n\r") == NULL;
}

static int
parse_number (const char *what, const char *v, int base, int64_t max, int64_t *out, ferry_error_t *err)
{
  char *end;
  long long n;

  errno = 0;
  n = strtoll (v, &end, base);
  if (*v == '\0' || *v == '-' || *v == '+' || *end || errno || n > max)
    return ferry_make_error (err, 0, "%s %s invalid: parsing secret", what, v);
  *out = n;
  return 0;
}

int
ferry_secret_parse_option (const char *spec, json_object **entry, ferry_error_t *err)
{
  cleanup_free char *copy = xstrdup (spec);
  cleanup_free char *target = NULL;
  const char *name = NULL, *type = "mount";
  int64_t uid = 0, gid = 0, mode = 0444;
  bool owner_given = false;
  char *save = NULL, *tok;
  int first = 1;
  json_object *o;

  *entry = NULL;
  for (tok = strtok_r (copy, ",", &save); tok; tok = strtok_r (NULL, ",", &save), first = 0)
    {
      char *eq = strchr (tok, '=');

      if (eq == NULL)
        {
          if (! first)
            return ferry_make_error (err, 0, "option %s invalid: parsing secret", tok);
          name = tok;
          continue;
        }
      *eq = '\0';
      if (strcmp (tok, "source") == 0 && first)
        name = eq + 1;
      else if (strcmp (tok, "type") == 0)
        {
          if (strcmp (eq + 1, "mount") != 0 && strcmp (eq + 1, "env") != 0)
            return ferry_make_error (err, 0, "type %s is invalid: parsing secret", eq + 1);
          type = strcmp (eq + 1, "env") == 0 ? "env" : "mount";
        }
      else if (strcmp (tok, "target") == 0)
        {
          free (target);
          target = xstrdup (eq + 1);
        }
      else if (strcmp (tok, "uid") == 0)
        {
          if (parse_number ("UID", eq + 1, 10, UINT32_MAX, &uid, err) < 0)
            return -1;
          owner_given = true;
        }
      else if (strcmp (tok, "gid") == 0)
        {
          if (parse_number ("GID", eq + 1, 10, UINT32_MAX, &gid, err) < 0)
            return -1;
          owner_given = true;
        }
      else if (strcmp (tok, "mode") == 0)
        {
          if (parse_number ("mode", eq + 1, 8, 07777, &mode, err) < 0)
            return -1;
          owner_given = true;
        }
      else
        {
          *eq = '=';
          return ferry_make_error (err, 0, "option %s invalid: parsing secret", tok);
        }
    }
  if (name == NULL || ! ferry_secret_name_is_valid (name))
    return ferry_make_error (err, 0, "no secret with name or id \"%s\": no such secret", name ? name : spec);
  if (strcmp (type, "env") == 0)
    {
      if (owner_given)
        return ferry_make_error (err, 0,
                                 "UID, GID, Mode options cannot be set with secret type env: parsing "
                                 "secret");
      if (target == NULL)
        target = xstrdup (name);
      if (! env_name_is_valid (target))
        return ferry_make_error (err, 0, "--secret %s: %s is not an environment variable name", spec, target);
    }
  else
    {
      char *full = target == NULL     ? xasprintf (SECRETS_DIR "/%s", name)
                   : target[0] == '/' ? xstrdup (target)
                                      : xasprintf (SECRETS_DIR "/%s", target);

      free (target);
      target = full;
      if (! target_is_valid (target))
        return ferry_make_error (err, 0, "--secret %s: target %s is not a path in the container", spec,
                                 target);
    }
  o = json_object_new_object ();
  json_object_object_add (o, "Name", json_object_new_string (name));
  json_object_object_add (o, "Type", json_object_new_string (type));
  json_object_object_add (o, "Target", json_object_new_string (target));
  json_object_object_add (o, "UID", json_object_new_int64 (uid));
  json_object_object_add (o, "GID", json_object_new_int64 (gid));
  json_object_object_add (o, "Mode", json_object_new_int64 (mode));
  *entry = o;
  return 0;
}

int
ferry_secret_entry_check (json_object *entry, ferry_error_t *err)
{
  const char *name = ferry_json_string_value (json_object_object_get (entry, "Name"));
  const char *type = ferry_json_string_value (json_object_object_get (entry, "Type"));
  const char *target = ferry_json_string_value (json_object_object_get (entry, "Target"));
  static const struct
  {
    const char *key;
    int64_t max;
  } numbers[] = { { "UID", UINT32_MAX }, { "GID", UINT32_MAX }, { "Mode", 07777 } };
  json_object *id = json_object_object_get (entry, "ID");

  if (! json_object_is_type (entry, json_type_object) || name == NULL || ! ferry_secret_name_is_valid (name))
    return ferry_make_error (err, 0, "a secret without a valid name");
  if (type == NULL || (strcmp (type, "mount") != 0 && strcmp (type, "env") != 0) || target == NULL
      || (strcmp (type, "env") == 0 ? ! env_name_is_valid (target) : ! target_is_valid (target)))
    return ferry_make_error (err, 0, "secret %s: a type or target that is not valid", name);
  if (id && ferry_json_string_value (id) == NULL)
    return ferry_make_error (err, 0, "secret %s: an ID that is not a string", name);
  for (size_t k = 0; k < 3; k++)
    {
      json_object *v = json_object_object_get (entry, numbers[k].key);

      if (! json_object_is_type (v, json_type_int) || json_object_get_int64 (v) < 0
          || json_object_get_int64 (v) > numbers[k].max)
        return ferry_make_error (err, 0, "secret %s: %s out of range", name, numbers[k].key);
    }
  return 0;
}

char *
ferry_container_secret_path (ferry_engine_t *e, const char *id, size_t i)
{
  cleanup_free char *cdir = ferry_engine_container_dir (e, id);

  return xasprintf ("%s/secrets/%zu", cdir, i);
}

int
ferry_container_secrets_write (ferry_engine_t *e, const char *id, json_object *rec, ferry_error_t *err)
{
  json_object *list = ferry_json_get_array (rec, "Secrets");
  cleanup_free char *cdir = ferry_engine_container_dir (e, id);
  cleanup_free char *dir = xasprintf ("%s/secrets", cdir);
  size_t i;

  if (ferry_json_array_length (list) == 0)
    return 0;
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return ferry_make_error (err, errno, "cannot create `%s`", dir);
  for (i = 0; i < ferry_json_array_length (list); i++)
    {
      json_object *entry = json_object_array_get_idx (list, i);
      const char *name = ferry_json_get_string (entry, "Name");
      struct ferry_secret *s = NULL;
      cleanup_free char *path = ferry_container_secret_path (e, id, i);
      cleanup_free char *data = NULL;
      size_t len;
      int r;

      if (ferry_secret_entry_check (entry, err) < 0)
        return -1;
      if (ferry_secret_lookup (e, name, &s, err) < 0)
        return -1;
      r = ferry_secret_data (e, s->id, &data, &len, err);
      json_object_object_add (entry, "ID", json_object_new_string (s->id));
      ferry_secret_free (s);
      if (r < 0)
        return -1;
      /* Owned and moded for the container's user; env secrets stay
       * root's, read by ferry alone.  */
      if (ferry_write_file_atomic (path, data, len, 0400, err) < 0)
        return -1;
      explicit_bzero (data, len);
      uid_t uid = (uid_t) ferry_json_get_int (entry, "UID", 0);
      gid_t gid = (gid_t) ferry_json_get_int (entry, "GID", 0);

      /* Under a user namespace, the host IDs they map to.  */
      ferry_userns_to_host (rec, &uid, &gid);
      if (ferry_json_string_equals (entry, "Type", "mount")
          && (chown (path, uid, gid) < 0
              || chmod (path, (mode_t) ferry_json_get_int (entry, "Mode", 0444)) < 0))
        return ferry_make_error (err, errno, "cannot set the owner and mode of `%s`", path);
    }
  return 0;
}
