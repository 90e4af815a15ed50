#include "db.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

/* How long any ferry process waits for another one holding the database.  */
#define FERRY_DB_BUSY_TIMEOUT_MS 30000

/* Room enough on the database's file system for the shared WAL index and
 * a few pages more.  */
#define SHARE_ROOM (256 * 1024)
/* How often a connection that holds the database for itself looks.  */
#define SHARE_AGAIN_MS 1000

/* MIGRATIONS[i] upgrades schema version i to i + 1.  Never edit an entry
 * once released: append a new one.  */
static const char *const MIGRATIONS[] = {
  /* 1: the initial schema.  */
  "CREATE TABLE layers (\n"
  "  diff_id TEXT PRIMARY KEY,   -- \"sha256:...\" of the uncompressed layer tar\n"
  "  size INTEGER NOT NULL,      -- uncompressed bytes\n"
  "  created TEXT NOT NULL       -- RFC 3339 UTC\n"
  ");\n"
  "CREATE TABLE layer_blobs (\n"
  "  blob_digest TEXT PRIMARY KEY,  -- digest of the (possibly compressed) blob as named in a manifest\n"
  "  diff_id TEXT NOT NULL REFERENCES layers(diff_id) ON DELETE CASCADE,\n"
  "  media_type TEXT NOT NULL,\n"
  "  size INTEGER NOT NULL\n"
  ");\n"
  "CREATE TABLE images (\n"
  "  id TEXT PRIMARY KEY,           -- hex of the config digest\n"
  "  config_digest TEXT NOT NULL,\n"
  "  manifest_digest TEXT NOT NULL,\n"
  "  manifest TEXT NOT NULL,\n"
  "  config TEXT NOT NULL,\n"
  "  size INTEGER NOT NULL,\n"
  "  created TEXT NOT NULL,         -- from the image config\n"
  "  loaded TEXT NOT NULL           -- when this host stored it\n"
  ");\n"
  "CREATE TABLE image_layers (\n"
  "  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,\n"
  "  position INTEGER NOT NULL,     -- 0 is the bottom layer\n"
  "  diff_id TEXT NOT NULL REFERENCES layers(diff_id),\n"
  "  PRIMARY KEY (image_id, position)\n"
  ");\n"
  "CREATE INDEX image_layers_diff_id ON image_layers(diff_id);\n"
  "CREATE TABLE image_names (\n"
  "  name TEXT PRIMARY KEY,         -- normalized \"registry/repository:tag\"\n"
  "  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE\n"
  ");\n"
  "CREATE TABLE containers (\n"
  "  id TEXT PRIMARY KEY,\n"
  "  name TEXT NOT NULL UNIQUE,\n"
  "  image_id TEXT NOT NULL REFERENCES images(id),\n"
  "  created TEXT NOT NULL,\n"
  "  config TEXT NOT NULL           -- ferry's container record (JSON)\n"
  ");\n",

  /* 2: container lifecycle state, and volumes.  */
  "ALTER TABLE containers ADD COLUMN state TEXT NOT NULL DEFAULT 'created';\n"
  "ALTER TABLE containers ADD COLUMN pid INTEGER NOT NULL DEFAULT 0;\n"
  "ALTER TABLE containers ADD COLUMN conmon_pid INTEGER NOT NULL DEFAULT 0;\n"
  "ALTER TABLE containers ADD COLUMN exit_code INTEGER NOT NULL DEFAULT 0;\n"
  "ALTER TABLE containers ADD COLUMN started_at TEXT NOT NULL DEFAULT '';\n"
  "ALTER TABLE containers ADD COLUMN finished_at TEXT NOT NULL DEFAULT '';\n"
  "ALTER TABLE containers ADD COLUMN checkpointed_at TEXT NOT NULL DEFAULT '';\n"
  "ALTER TABLE containers ADD COLUMN restored_at TEXT NOT NULL DEFAULT '';\n"
  "ALTER TABLE containers ADD COLUMN error TEXT NOT NULL DEFAULT '';\n"
  "CREATE TABLE volumes (\n"
  "  name TEXT PRIMARY KEY,\n"
  "  created TEXT NOT NULL,         -- RFC 3339 UTC\n"
  "  driver TEXT NOT NULL DEFAULT 'local',\n"
  "  labels TEXT NOT NULL DEFAULT '{}',   -- JSON object\n"
  "  options TEXT NOT NULL DEFAULT '{}',  -- JSON object\n"
  "  anonymous INTEGER NOT NULL DEFAULT 0\n"
  ");\n"
  "CREATE TABLE container_volumes (\n"
  "  container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,\n"
  "  volume TEXT NOT NULL REFERENCES volumes(name),\n"
  "  destination TEXT NOT NULL,\n"
  "  PRIMARY KEY (container_id, destination)\n"
  ");\n"
  "CREATE INDEX container_volumes_volume ON container_volumes(volume);\n",

  /* 3: the registry repositories known to hold a blob, so that a push can
   * mount a blob from one of them instead of uploading it again.  */
  "CREATE TABLE blob_locations (\n"
  "  blob_digest TEXT NOT NULL,     -- a layer blob or image config in the store\n"
  "  registry TEXT NOT NULL,        -- \"docker.io\", \"localhost:5000\"\n"
  "  repository TEXT NOT NULL,      -- \"library/busybox\"\n"
  "  PRIMARY KEY (blob_digest, registry, repository)\n"
  ");\n",

  /* 4: operations in progress on a container (engine/operation.h): a
   * checkpoint or restore records its intent here before its first side
   * effect, so that whoever finds it after its owner died can settle it.  */
  "CREATE TABLE operations (\n"
  "  container_id TEXT PRIMARY KEY, -- no reference: an import's container is made later\n"
  "  kind TEXT NOT NULL,            -- checkpoint, restore, import, init\n"
  "  phase TEXT NOT NULL,\n"
  "  owner_pid INTEGER NOT NULL,\n"
  "  owner_start INTEGER NOT NULL,  -- the owner's start time, in clock ticks after boot\n"
  "  started TEXT NOT NULL,         -- RFC 3339 UTC\n"
  "  detail TEXT NOT NULL           -- JSON: what it made (paths) and its options\n"
  ");\n",

  /* 5: bridge networks (engine/network.h) and the addresses their
   * containers hold, which go with the container.  */
  "CREATE TABLE networks (\n"
  "  name TEXT PRIMARY KEY,\n"
  "  id TEXT NOT NULL UNIQUE,\n"
  "  definition TEXT NOT NULL       -- JSON: netavark's network definition, Podman's shape\n"
  ");\n"
  "CREATE TABLE network_addresses (\n"
  "  network TEXT NOT NULL REFERENCES networks(name),\n"
  "  address TEXT NOT NULL,\n"
  "  container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,\n"
  "  PRIMARY KEY (network, address)\n"
  ");\n"
  "CREATE INDEX network_addresses_container ON network_addresses(container_id);\n",

  /* 6: layers kept only as their blob, never unpacked: a checkpoint
   * image's one layer is its archive, which a restore reads as it is.  */
  "ALTER TABLE layers ADD COLUMN unpacked INTEGER NOT NULL DEFAULT 1; -- 0: no directory, only the blob\n",

  /* 7: a new volume is filled from the image the first time a container
   * mounts it (engine/volume.h); volumes made before have been mounted.  */
  "ALTER TABLE volumes ADD COLUMN needs_copy_up INTEGER NOT NULL DEFAULT 0;\n",

  /* 8: a container run from a host directory (--rootfs) has no image:
   * its image_id is NULL.  Dropping a NOT NULL constraint is one of the
   * schema edits SQLite documents as safe through writable_schema; a
   * rebuilt table would cascade-delete the rows that refer to it.  */
  "PRAGMA writable_schema=ON;\n"
  "UPDATE sqlite_schema SET sql = replace (sql, 'image_id TEXT NOT NULL REFERENCES images(id)', "
  "'image_id TEXT REFERENCES images(id)') WHERE type = 'table' AND name = 'containers';\n"
  "PRAGMA writable_schema=RESET;\n"
  "PRAGMA writable_schema=OFF;\n",

  /* 9: secrets (engine/secret.h), their data with them: the root is 0700
   * and the database its owner's alone.  */
  "CREATE TABLE secrets (\n"
  "  id TEXT PRIMARY KEY,           -- 25 hex digits, as Podman's\n"
  "  name TEXT NOT NULL UNIQUE,\n"
  "  driver TEXT NOT NULL DEFAULT 'file',\n"
  "  created TEXT NOT NULL,         -- RFC 3339 UTC with nanoseconds\n"
  "  updated TEXT NOT NULL,\n"
  "  labels TEXT NOT NULL DEFAULT '{}',  -- JSON object\n"
  "  data BLOB NOT NULL\n"
  ");\n",

  /* 10: the names an image has had, most recent first (Podman's
   * NamesHistory, images --history); an image had the names it has.  */
  "ALTER TABLE images ADD COLUMN names_history TEXT NOT NULL DEFAULT '[]'; -- JSON list of strings\n"
  "UPDATE images SET names_history = (SELECT json_group_array (name) FROM (SELECT name FROM image_names "
  "WHERE image_id = images.id ORDER BY rowid));\n",

  /* 11: Podman's NeedsChown: an empty volume's root goes to the user of
   * the container that mounts it until it has content, or the owner of
   * its mount point was root's (engine/volume.h).  A volume given an
   * owner (-o o=uid=,gid=) keeps it.  */
  "ALTER TABLE volumes ADD COLUMN needs_chown INTEGER NOT NULL DEFAULT 1;\n"
  "UPDATE volumes SET needs_chown = 0 WHERE json_extract (options, '$.UID') IS NOT NULL "
  "OR json_extract (options, '$.GID') IS NOT NULL;\n",

  /* 12: the exit codes of containers removed after they ran, kept a few
   * minutes for a wait that outlives the container (Podman's exit code
   * table): `wait --condition removing` prints the code of a container
   * rm -f stopped between two of its looks.  */
  "CREATE TABLE removed_exit_codes (\n"
  "  container_id TEXT PRIMARY KEY,\n"
  "  exit_code INTEGER NOT NULL,\n"
  "  removed INTEGER NOT NULL       -- seconds since the epoch\n"
  ");\n",
};

const int FERRY_DB_SCHEMA_VERSION = sizeof (MIGRATIONS) / sizeof (MIGRATIONS[0]);

struct ferry_db
{
  sqlite3 *handle;
  char *path;
  /* The WAL index is in this connection's memory (a full disk), which
   * holds the database for itself until it closes; when to look for room
   * again (share_again).  */
  int exclusive;
  long long next_share_ms;
};

static void share_again (ferry_db_t *db);

static void
ferry_cleanup_dbp (ferry_db_t **db)
{
  ferry_db_close (*db);
}
#define cleanup_db __attribute__ ((cleanup (ferry_cleanup_dbp)))

int
ferry_db_error (ferry_db_t *db, ferry_error_t *err, const char *context)
{
  int code = sqlite3_errcode (db->handle) & 0xff;
  int status = 0;

  /* A full disk also shows as an I/O error where SQLite grows its WAL
   * index or journal: the system's errno says which.  */
  if (code == SQLITE_FULL || (code == SQLITE_IOERR && sqlite3_system_errno (db->handle) == ENOSPC))
    status = ENOSPC;
  else if (code == SQLITE_READONLY || code == SQLITE_PERM)
    status = EACCES;
  else if (code == SQLITE_CANTOPEN)
    /* "unable to open database file" alone does not say why.  */
    status = sqlite3_system_errno (db->handle);
  return ferry_make_error (err, status, "%s: %s", context, sqlite3_errmsg (db->handle));
}

/* The first line of SQL, shortened, to name a statement in a message.  */
static char *
sql_summary (const char *sql)
{
  size_t n = strcspn (sql, "\n");

  if (n > 60)
    return xasprintf ("%.60s...", sql);
  return xstrndup (sql, n);
}

void
ferry_db_close (ferry_db_t *db)
{
  if (db == NULL)
    return;
  sqlite3_close_v2 (db->handle);
  free (db->path);
  free (db);
}

sqlite3 *
ferry_db_handle (ferry_db_t *db)
{
  if (db->handle == NULL)
    share_again (db);
  return db->handle;
}

int
ferry_db_exec (ferry_db_t *db, const char *sql, ferry_error_t *err)
{
  cleanup_free char *what = NULL;
  cleanup_free char *context = NULL;

  share_again (db);
  if (sqlite3_exec (db->handle, sql, NULL, NULL, NULL) == SQLITE_OK)
    return 0;
  what = sql_summary (sql);
  context = xasprintf ("cannot run `%s` on state database `%s`", what, db->path);
  return ferry_db_error (db, err, context);
}

sqlite3_stmt *
ferry_db_prepare (ferry_db_t *db, const char *sql, ferry_error_t *err)
{
  sqlite3_stmt *stmt = NULL;
  cleanup_free char *what = NULL;
  cleanup_free char *context = NULL;

  share_again (db);
  if (sqlite3_prepare_v2 (db->handle, sql, -1, &stmt, NULL) == SQLITE_OK)
    return stmt;
  what = sql_summary (sql);
  context = xasprintf ("cannot prepare `%s` on state database `%s`", what, db->path);
  ferry_db_error (db, err, context);
  return NULL;
}

int
ferry_db_begin (ferry_db_t *db, ferry_error_t *err)
{
  cleanup_free char *context = NULL;

  share_again (db);
  if (sqlite3_exec (db->handle, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK)
    return 0;
  context = xasprintf ("cannot begin a transaction on state database `%s`", db->path);
  return ferry_db_error (db, err, context);
}

int
ferry_db_commit (ferry_db_t *db, ferry_error_t *err)
{
  cleanup_free char *context = NULL;

  if (sqlite3_exec (db->handle, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
    return 0;
  context = xasprintf ("cannot commit a transaction on state database `%s`", db->path);
  return ferry_db_error (db, err, context);
}

void
ferry_db_rollback (ferry_db_t *db)
{
  /* Fails only when no transaction is open, e.g. after SQLite already
   * rolled back on its own (SQLITE_FULL, SQLITE_IOERR): nothing to undo.  */
  sqlite3_exec (db->handle, "ROLLBACK", NULL, NULL, NULL);
}

static int
read_user_version (ferry_db_t *db, int *version)
{
  cleanup_stmt sqlite3_stmt *stmt = NULL;
  int rc;

  if (db->handle == NULL)
    share_again (db);
  rc = sqlite3_prepare_v2 (db->handle, "PRAGMA user_version", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rc;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return rc;
  *version = sqlite3_column_int (stmt, 0);
  return SQLITE_OK;
}

int
ferry_db_schema_version (ferry_db_t *db, ferry_error_t *err)
{
  cleanup_free char *context = NULL;
  int version = 0;

  if (read_user_version (db, &version) == SQLITE_OK)
    return version;
  context = xasprintf ("cannot read the schema version of state database `%s`", db->path);
  return ferry_db_error (db, err, context);
}

static long long
monotonic_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
is_busy (int rc)
{
  return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

/* Runs one statement, retrying while another connection holds a lock.
 * The busy timeout does not cover every case: SQLite returns SQLITE_BUSY
 * at once, without calling the busy handler, when waiting could deadlock,
 * e.g. when many processes switch a fresh database to WAL together.  If
 * RESULT is not NULL it receives the first column of the first row.  */
static int
run_retrying_busy (ferry_db_t *db, const char *sql, char **result)
{
  long long deadline = monotonic_ms () + FERRY_DB_BUSY_TIMEOUT_MS;
  unsigned int attempt = 0;

  for (;;)
    {
      cleanup_stmt sqlite3_stmt *stmt = NULL;
      struct timespec pause;
      int rc;

      rc = sqlite3_prepare_v2 (db->handle, sql, -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        {
          if (result)
            *result = xstrdup (rc == SQLITE_ROW ? (const char *) sqlite3_column_text (stmt, 0) : "");
          return SQLITE_OK;
        }
      if (! is_busy (rc) || monotonic_ms () >= deadline)
        return rc;
      /* Spread the retries so that waiting processes do not wake in step.  */
      pause.tv_sec = 0;
      pause.tv_nsec = (1 + (attempt++ % 8) + (getpid () % 7)) * 1000000L;
      nanosleep (&pause, NULL);
    }
}

/* Opens DB's handle on its path, reporting errors by code and waiting
 * for others' locks up to the busy timeout.  */
static int
open_handle (ferry_db_t *db)
{
  int ret = sqlite3_open_v2 (db->path, &db->handle,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);

  if (db->handle == NULL)
    abort (); /* SQLite could not allocate its connection.  */
  sqlite3_extended_result_codes (db->handle, 1);
  sqlite3_busy_timeout (db->handle, FERRY_DB_BUSY_TIMEOUT_MS);
  return ret;
}

static int
set_wal_mode (ferry_db_t *db, ferry_error_t *err)
{
  cleanup_free char *mode = NULL;
  cleanup_free char *context = NULL;

  int rc = run_retrying_busy (db, "PRAGMA journal_mode=WAL", &mode);

  /* A full disk has no room for the WAL index (-shm): this connection
   * then keeps it in its own memory, which takes the database for itself
   * while it is open (others wait, as for a write), so that ps, inspect
   * and the rm that frees space still work.  */
  if (rc != SQLITE_OK && sqlite3_system_errno (db->handle) == ENOSPC)
    {
      free (mode);
      mode = NULL;
      /* Set before the connection first reads the database, or the
       * index stays where it was to be.  */
      sqlite3_close_v2 (db->handle);
      db->handle = NULL;
      if (open_handle (db) != SQLITE_OK)
        {
          context = xasprintf ("cannot open state database `%s`", db->path);
          return ferry_db_error (db, err, context);
        }
      rc = run_retrying_busy (db, "PRAGMA locking_mode=EXCLUSIVE", NULL);
      if (rc == SQLITE_OK)
        rc = run_retrying_busy (db, "PRAGMA journal_mode=WAL", &mode);
      db->exclusive = 1;
      db->next_share_ms = monotonic_ms () + SHARE_AGAIN_MS;
    }
  if (rc != SQLITE_OK)
    {
      context = xasprintf ("cannot switch state database `%s` to WAL mode", db->path);
      return ferry_db_error (db, err, context);
    }
  if (mode == NULL || strcasecmp (mode, "wal") != 0)
    return ferry_make_error (err, 0,
                             "cannot switch state database `%s` to WAL mode: journal mode stays `%s`; "
                             "put --root on a local file system",
                             db->path, mode ? mode : "");
  return 0;
}

/* A connection that took the database for itself on a full disk gives it
 * back once there is room again: between statements, when no transaction
 * is open, it closes and opens again as every other one does (or takes it
 * again, when the room went meanwhile).  Otherwise a ferry that stays
 * (logs -f, wait) kept every other one out for as long as it lived:
 * conmon's cleanup of an exited container, the rm that freed space.  One
 * closed while it waits (ferry_db_idle) opens again here.  */
static void
share_again (ferry_db_t *db)
{
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_free char *dir = NULL;
  struct statvfs st;
  char *slash;

  if (db->handle == NULL)
    goto reopen;
  if (! db->exclusive || monotonic_ms () < db->next_share_ms || ! sqlite3_get_autocommit (db->handle)
      || sqlite3_next_stmt (db->handle, NULL) != NULL)
    return;
  db->next_share_ms = monotonic_ms () + SHARE_AGAIN_MS;
  dir = xstrdup (db->path);
  slash = strrchr (dir, '/');
  if (slash)
    *(slash == dir ? slash + 1 : slash) = '\0';
  if (statvfs (slash ? dir : ".", &st) < 0 || (unsigned long long) st.f_bavail * st.f_frsize < SHARE_ROOM)
    return;
  if (sqlite3_close (db->handle) != SQLITE_OK)
    return;
  db->handle = NULL;

reopen:
  db->exclusive = 0;
  /* As at open; a failure shows at the next statement, as it would
   * have at open.  */
  if (open_handle (db) == SQLITE_OK)
    set_wal_mode (db, &ignored);
}

void
ferry_db_idle (ferry_db_t *db)
{
  if (db == NULL || db->handle == NULL || ! db->exclusive || ! sqlite3_get_autocommit (db->handle)
      || sqlite3_next_stmt (db->handle, NULL) != NULL)
    return;
  if (sqlite3_close (db->handle) == SQLITE_OK)
    db->handle = NULL;
}

static int
migrate_locked (ferry_db_t *db, const char *const *migrations, int n_migrations, ferry_error_t *err)
{
  cleanup_free char *context = NULL;
  cleanup_free char *set_version = NULL;
  int version = 0;
  int i;

  if (read_user_version (db, &version) != SQLITE_OK)
    {
      context = xasprintf ("cannot read the schema version of state database `%s`", db->path);
      return ferry_db_error (db, err, context);
    }
  if (version > n_migrations)
    return ferry_make_error (err, 0,
                             "state database `%s` has schema version %d but this ferry knows only up to %d: "
                             "it was written by a newer ferry; upgrade ferry",
                             db->path, version, n_migrations);
  for (i = version; i < n_migrations; i++)
    if (sqlite3_exec (db->handle, migrations[i], NULL, NULL, NULL) != SQLITE_OK)
      {
        context = xasprintf ("cannot migrate state database `%s` to schema version %d", db->path, i + 1);
        return ferry_db_error (db, err, context);
      }
  if (version == n_migrations)
    return 0;
  set_version = xasprintf ("PRAGMA user_version = %d", n_migrations);
  if (sqlite3_exec (db->handle, set_version, NULL, NULL, NULL) != SQLITE_OK)
    {
      context = xasprintf ("cannot set the schema version of state database `%s`", db->path);
      return ferry_db_error (db, err, context);
    }
  return 0;
}

/* All migrations run in one exclusive transaction: concurrent first opens
 * wait for each other and see the finished schema, and a failing migration
 * leaves the previous version intact.  */
static int
migrate (ferry_db_t *db, const char *const *migrations, int n_migrations, ferry_error_t *err)
{
  cleanup_free char *context = NULL;
  int version = 0;
  int ret;

  /* Fast path without the write lock, so that opening the database does
   * not wait for a long write transaction of another process.  */
  if (read_user_version (db, &version) == SQLITE_OK && version == n_migrations)
    return 0;

  if (run_retrying_busy (db, "BEGIN EXCLUSIVE", NULL) != SQLITE_OK)
    {
      context = xasprintf ("cannot lock state database `%s` to migrate it", db->path);
      return ferry_db_error (db, err, context);
    }
  ret = migrate_locked (db, migrations, n_migrations, err);
  if (ret < 0)
    {
      ferry_db_rollback (db);
      return ret;
    }
  if (sqlite3_exec (db->handle, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    {
      context = xasprintf ("cannot commit the migration of state database `%s`", db->path);
      ret = ferry_db_error (db, err, context);
      ferry_db_rollback (db);
      return ret;
    }
  return 0;
}

static int
configure (ferry_db_t *db, ferry_error_t *err)
{
  int ret;

  ret = set_wal_mode (db, err);
  if (ret < 0)
    return ret;
  ret = ferry_db_exec (db, "PRAGMA foreign_keys=ON", err);
  if (ret < 0)
    return ret;
  /* With WAL, NORMAL syncs only at checkpoints, not at every commit.  A
   * crash of any process, or of the machine, still cannot corrupt the
   * database or tear a transaction; a power loss may only roll back the
   * last few commits.  Those describe containers and runtime state that a
   * power loss ends anyway, and saving an fsync per command is worth it.  */
  return ferry_db_exec (db, "PRAGMA synchronous=NORMAL", err);
}

int
ferry_db_open_with (const char *path, const char *const *migrations, int n_migrations, ferry_db_t **out,
                    ferry_error_t *err)
{
  cleanup_db ferry_db_t *db = xmalloc0 (sizeof (*db));
  cleanup_free char *context = NULL;
  int ret;

  db->path = xstrdup (path);
  ret = open_handle (db);
  if (ret != SQLITE_OK)
    {
      context = xasprintf ("cannot open state database `%s`", path);
      return ferry_db_error (db, err, context);
    }
  ret = configure (db, err);
  if (ret < 0)
    return ret;
  ret = migrate (db, migrations, n_migrations, err);
  if (ret < 0)
    return ret;
  *out = steal_pointer (&db);
  return 0;
}

int
ferry_db_open (const char *root, ferry_db_t **out, ferry_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/ferry.db", root);
  int ret;

  ret = ferry_mkdir_p (root, 0700, err);
  if (ret < 0)
    return ferry_error_wrap (err, "cannot open state database `%s`", path);
  return ferry_db_open_with (path, MIGRATIONS, FERRY_DB_SCHEMA_VERSION, out, err);
}

int
ferry_db_find_by_name_or_id (ferry_db_t *db, const char *select, const char *ref, size_t id_len,
                             const char *what, void *(*make) (sqlite3_stmt *), void (*drop) (void *),
                             void **out, ferry_error_t *err)
{
  cleanup_free char *exact = xasprintf ("%s WHERE name = ?1 OR id = ?1", select);
  cleanup_free char *prefix = xasprintf ("%s WHERE id GLOB ?1 LIMIT 2", select);
  cleanup_free char *pattern = NULL;
  cleanup_stmt sqlite3_stmt *st = NULL;
  size_t n = strlen (ref);

  *out = NULL;
  st = ferry_db_prepare (db, exact, err);
  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, ref, -1, SQLITE_STATIC);
  if (sqlite3_step (st) == SQLITE_ROW)
    {
      *out = make (st);
      return 0;
    }
  sqlite3_finalize (st);
  st = NULL;
  if (n == 0 || n > id_len || strspn (ref, "0123456789abcdef") != n)
    return 0;
  pattern = xasprintf ("%s*", ref);
  st = ferry_db_prepare (db, prefix, err);
  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, pattern, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_ROW)
    return 0;
  *out = make (st);
  if (sqlite3_step (st) == SQLITE_ROW)
    {
      drop (*out);
      *out = NULL;
      return ferry_make_error (err, 0, "%s ID prefix `%s` is ambiguous: give more digits or the name", what,
                               ref);
    }
  return 0;
}
