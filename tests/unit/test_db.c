/* Unit tests for src/lib/state: the SQLite state database and the locks.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "state/db.h"
#include "state/lock.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define N_CHILDREN 20
#define ROWS_PER_CHILD 50

struct fixture
{
  char *dir;  /* a fresh temporary directory */
  char *root; /* <dir>/root, not created yet */
};

static int
setup (void **state)
{
  struct fixture *f = xmalloc0 (sizeof (*f));
  char tmpl[] = "/tmp/ferry-test-db-XXXXXX";

  if (mkdtemp (tmpl) == NULL)
    return -1;
  f->dir = xstrdup (tmpl);
  f->root = xasprintf ("%s/root", f->dir);
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  int ret = ferry_rm_rf (f->dir, &err);

  free (f->dir);
  free (f->root);
  free (f);
  return ret;
}

/* The first column of the first row of SQL, as a new string.  */
static char *
query_text (ferry_db_t *db, const char *sql)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_stmt sqlite3_stmt *stmt = ferry_db_prepare (db, sql, &err);

  assert_non_null (stmt);
  assert_int_equal (sqlite3_step (stmt), SQLITE_ROW);
  return xstrdup ((const char *) sqlite3_column_text (stmt, 0));
}

static long long
query_int (ferry_db_t *db, const char *sql)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_stmt sqlite3_stmt *stmt = ferry_db_prepare (db, sql, &err);

  assert_non_null (stmt);
  assert_int_equal (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static ferry_db_t *
open_root (const char *root)
{
  cleanup_error ferry_error_t err = NULL;
  ferry_db_t *db = NULL;

  if (ferry_db_open (root, &db, &err) < 0)
    fail_msg ("ferry_db_open: %s", err->msg);
  return db;
}

static void
test_open_creates_database (void **state)
{
  struct fixture *f = *state;
  static const char *const tables[]
      = { "layers", "layer_blobs", "images", "image_layers", "image_names", "containers", "blob_locations" };
  cleanup_free char *path = xasprintf ("%s/ferry.db", f->root);
  cleanup_free char *mode = NULL;
  cleanup_error ferry_error_t err = NULL;
  ferry_db_t *db = open_root (f->root);
  struct stat st;
  size_t i;

  assert_int_equal (stat (f->root, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0700);
  assert_int_equal (stat (path, &st), 0);
  assert_true (S_ISREG (st.st_mode));

  mode = query_text (db, "PRAGMA journal_mode");
  assert_string_equal (mode, "wal");
  assert_int_equal (query_int (db, "PRAGMA foreign_keys"), 1);
  assert_int_equal (query_int (db, "PRAGMA synchronous"), 1); /* NORMAL */
  assert_true (FERRY_DB_SCHEMA_VERSION >= 1);
  assert_int_equal (ferry_db_schema_version (db, &err), FERRY_DB_SCHEMA_VERSION);
  assert_int_equal (query_int (db, "PRAGMA user_version"), FERRY_DB_SCHEMA_VERSION);

  for (i = 0; i < sizeof (tables) / sizeof (tables[0]); i++)
    {
      cleanup_stmt sqlite3_stmt *stmt = ferry_db_prepare (
          db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", &err);

      assert_non_null (stmt);
      sqlite3_bind_text (stmt, 1, tables[i], -1, SQLITE_STATIC);
      assert_int_equal (sqlite3_step (stmt), SQLITE_ROW);
      if (sqlite3_column_int (stmt, 0) != 1)
        fail_msg ("table %s is missing", tables[i]);
    }
  assert_int_equal (
      query_int (db,
                 "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'image_layers_diff_id'"),
      1);
  ferry_db_close (db);
}

static void
test_reopen_is_idempotent (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  ferry_db_t *db = open_root (f->root);

  assert_int_equal (
      ferry_db_exec (
          db, "INSERT INTO layers (diff_id, size, created) VALUES ('sha256:aa', 10, '2024-01-01T00:00:00Z')",
          &err),
      0);
  ferry_db_close (db);

  db = open_root (f->root);
  assert_int_equal (ferry_db_schema_version (db, &err), FERRY_DB_SCHEMA_VERSION);
  assert_int_equal (query_int (db, "SELECT size FROM layers WHERE diff_id = 'sha256:aa'"), 10);
  ferry_db_close (db);

  db = open_root (f->root);
  assert_int_equal (query_int (db, "SELECT count(*) FROM layers"), 1);
  ferry_db_close (db);
}

static const char *const TEST_MIGRATIONS[] = {
  "CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
  "ALTER TABLE things ADD COLUMN colour TEXT NOT NULL DEFAULT 'blue';\n"
  "CREATE TABLE others (id INTEGER PRIMARY KEY);",
};

static void
test_migration_from_older_version (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *path = xasprintf ("%s/test.db", f->dir);
  cleanup_free char *colour = NULL;
  cleanup_error ferry_error_t err = NULL;
  ferry_db_t *db = NULL;

  assert_int_equal (ferry_db_open_with (path, TEST_MIGRATIONS, 1, &db, &err), 0);
  assert_int_equal (ferry_db_schema_version (db, &err), 1);
  assert_int_equal (ferry_db_exec (db, "INSERT INTO things (id, name) VALUES (7, 'seven')", &err), 0);
  ferry_db_close (db);

  assert_int_equal (ferry_db_open_with (path, TEST_MIGRATIONS, 2, &db, &err), 0);
  assert_int_equal (ferry_db_schema_version (db, &err), 2);
  colour = query_text (db, "SELECT name || ':' || colour FROM things WHERE id = 7");
  assert_string_equal (colour, "seven:blue");
  assert_int_equal (ferry_db_exec (db, "INSERT INTO others VALUES (1)", &err), 0);
  ferry_db_close (db);
}

static void
test_failing_migration_keeps_old_version (void **state)
{
  struct fixture *f = *state;
  static const char *const broken[] = {
    "CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
    /* The first statement succeeds, the second fails: both must go.  */
    "CREATE TABLE half_done (x INTEGER);\n"
    "ALTER TABLE no_such_table ADD COLUMN y TEXT;",
  };
  cleanup_free char *path = xasprintf ("%s/test.db", f->dir);
  cleanup_error ferry_error_t err = NULL;
  ferry_db_t *db = NULL;
  int ret;

  assert_int_equal (ferry_db_open_with (path, broken, 1, &db, &err), 0);
  assert_int_equal (ferry_db_exec (db, "INSERT INTO things VALUES (1, 'one')", &err), 0);
  ferry_db_close (db);

  db = NULL;
  ret = ferry_db_open_with (path, broken, 2, &db, &err);
  assert_true (ret < 0);
  assert_null (db);
  assert_non_null (err);
  assert_non_null (strstr (err->msg, path));
  assert_non_null (strstr (err->msg, "schema version 2"));
  assert_non_null (strstr (err->msg, "no_such_table"));
  ferry_error_release (&err);

  assert_int_equal (ferry_db_open_with (path, broken, 1, &db, &err), 0);
  assert_int_equal (ferry_db_schema_version (db, &err), 1);
  assert_int_equal (query_int (db, "SELECT count(*) FROM things WHERE name = 'one'"), 1);
  assert_int_equal (query_int (db, "SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'"), 0);
  ferry_db_close (db);
}

static void
test_newer_database_is_refused (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *path = xasprintf ("%s/ferry.db", f->root);
  cleanup_free char *future = xasprintf ("PRAGMA user_version = %d", FERRY_DB_SCHEMA_VERSION + 1);
  cleanup_error ferry_error_t err = NULL;
  ferry_db_t *db = open_root (f->root);
  sqlite3 *raw = NULL;
  sqlite3_stmt *stmt = NULL;

  assert_int_equal (ferry_db_exec (db, future, &err), 0);
  ferry_db_close (db);

  db = NULL;
  assert_true (ferry_db_open (f->root, &db, &err) < 0);
  assert_null (db);
  assert_non_null (err);
  assert_non_null (strstr (err->msg, path));
  assert_non_null (strstr (err->msg, "newer ferry"));
  assert_non_null (strstr (err->msg, "upgrade ferry"));
  ferry_error_release (&err);

  /* Refusing did not touch it.  */
  assert_int_equal (sqlite3_open_v2 (path, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  assert_int_equal (sqlite3_prepare_v2 (raw, "PRAGMA user_version", -1, &stmt, NULL), SQLITE_OK);
  assert_int_equal (sqlite3_step (stmt), SQLITE_ROW);
  assert_int_equal (sqlite3_column_int (stmt, 0), FERRY_DB_SCHEMA_VERSION + 1);
  sqlite3_finalize (stmt);
  sqlite3_close (raw);
}

static void
test_foreign_keys_are_enforced (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  ferry_db_t *db = open_root (f->root);

  assert_int_equal (
      ferry_db_exec (db, "INSERT INTO layers (diff_id, size, created) VALUES ('sha256:aa', 1, 'now')", &err),
      0);
  assert_true (ferry_db_exec (db, "INSERT INTO image_layers VALUES ('nope', 0, 'sha256:aa')", &err) < 0);
  assert_non_null (err);
  assert_non_null (strstr (err->msg, "FOREIGN KEY"));
  assert_int_equal (err->status, 0);
  ferry_error_release (&err);
  assert_int_equal (query_int (db, "SELECT count(*) FROM image_layers"), 0);

  /* Deleting an image cascades to its layer list and names.  */
  assert_int_equal (
      ferry_db_exec (
          db,
          "INSERT INTO images (id, config_digest, manifest_digest, manifest, config, size, created, loaded) "
          "VALUES ('i1', 'sha256:c', 'sha256:m', '{}', '{}', 1, 'a', 'b');"
          "INSERT INTO image_layers VALUES ('i1', 0, 'sha256:aa');"
          "INSERT INTO image_names VALUES ('docker.io/library/x:1', 'i1');",
          &err),
      0);
  /* A layer still used by an image cannot go.  */
  assert_true (ferry_db_exec (db, "DELETE FROM layers WHERE diff_id = 'sha256:aa'", &err) < 0);
  ferry_error_release (&err);
  assert_int_equal (ferry_db_exec (db, "DELETE FROM images WHERE id = 'i1'", &err), 0);
  assert_int_equal (query_int (db, "SELECT count(*) FROM image_layers"), 0);
  assert_int_equal (query_int (db, "SELECT count(*) FROM image_names"), 0);

  /* A container refers to an image, or to none (--rootfs), never to one
   * that is not there.  */
  assert_int_equal (ferry_db_exec (db,
                                   "INSERT INTO containers (id, name, image_id, created, config) VALUES "
                                   "('c1', 'rootfs', NULL, 'now', '{}')",
                                   &err),
                    0);
  assert_true (ferry_db_exec (db,
                              "INSERT INTO containers (id, name, image_id, created, config) VALUES "
                              "('c2', 'gone', 'nope', 'now', '{}')",
                              &err)
               < 0);
  assert_non_null (strstr (err->msg, "FOREIGN KEY"));
  assert_int_equal (query_int (db, "PRAGMA writable_schema"), 0);
  ferry_db_close (db);
}

static void
test_transactions (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  ferry_db_t *db = open_root (f->root);
  cleanup_free char *path = xasprintf ("%s/ferry.db", f->root);

  assert_int_equal (ferry_db_begin (db, &err), 0);
  assert_int_equal (
      ferry_db_exec (db, "INSERT INTO layers (diff_id, size, created) VALUES ('sha256:aa', 1, 'now')", &err),
      0);
  ferry_db_rollback (db);
  assert_int_equal (query_int (db, "SELECT count(*) FROM layers"), 0);

  assert_int_equal (ferry_db_begin (db, &err), 0);
  assert_int_equal (
      ferry_db_exec (db, "INSERT INTO layers (diff_id, size, created) VALUES ('sha256:bb', 1, 'now')", &err),
      0);
  assert_int_equal (ferry_db_commit (db, &err), 0);
  assert_int_equal (query_int (db, "SELECT count(*) FROM layers"), 1);

  /* Rollback without a transaction is harmless; commit without one is an
   * error that names the database.  */
  ferry_db_rollback (db);
  assert_true (ferry_db_commit (db, &err) < 0);
  assert_non_null (strstr (err->msg, path));
  ferry_error_release (&err);

  assert_null (ferry_db_prepare (db, "SELECT missing FROM nowhere", &err));
  assert_non_null (strstr (err->msg, "SELECT missing FROM nowhere"));
  assert_non_null (strstr (err->msg, "no such table"));
  ferry_db_close (db);
}

static void
test_open_error_names_path (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *path = xasprintf ("%s/ferry.db", f->root);
  cleanup_error ferry_error_t err = NULL;
  ferry_db_t *db = NULL;

  /* A directory where the database file should be.  */
  assert_int_equal (ferry_mkdir_p (path, 0700, &err), 0);
  assert_true (ferry_db_open (f->root, &db, &err) < 0);
  assert_null (db);
  assert_non_null (strstr (err->msg, "cannot open state database"));
  assert_non_null (strstr (err->msg, path));
}

/* Child of test_concurrent_first_open: waits for the start signal, opens the
 * database and inserts its rows one transaction at a time.  */
static int
concurrent_child (const char *root, int start_fd, int index)
{
  cleanup_error ferry_error_t err = NULL;
  ferry_db_t *db = NULL;
  char c;
  int i;

  if (read (start_fd, &c, 1) != 0)
    return 2;
  if (ferry_db_open (root, &db, &err) < 0)
    {
      fprintf (stderr, "child %d: %s\n", index, err->msg);
      return 1;
    }
  for (i = 0; i < ROWS_PER_CHILD; i++)
    {
      cleanup_stmt sqlite3_stmt *stmt = NULL;
      cleanup_free char *diff_id = xasprintf ("sha256:%02d-%03d", index, i);

      if (ferry_db_begin (db, &err) < 0)
        goto fail;
      stmt = ferry_db_prepare (db, "INSERT INTO layers (diff_id, size, created) VALUES (?, ?, 'now')", &err);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, diff_id, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 2, i);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          ferry_db_error (db, &err, "cannot insert");
          goto fail;
        }
      if (ferry_db_commit (db, &err) < 0)
        goto fail;
    }
  ferry_db_close (db);
  return 0;

fail:
  fprintf (stderr, "child %d, row %d: %s\n", index, i, err->msg);
  ferry_db_rollback (db);
  ferry_db_close (db);
  return 1;
}

static void
test_concurrent_first_open (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *integrity = NULL;
  pid_t pids[N_CHILDREN];
  int start[2];
  ferry_db_t *db;
  int i;

  assert_false (ferry_path_exists (f->root));
  assert_int_equal (pipe2 (start, O_CLOEXEC), 0);
  for (i = 0; i < N_CHILDREN; i++)
    {
      pids[i] = fork ();
      assert_true (pids[i] >= 0);
      if (pids[i] == 0)
        {
          close (start[1]);
          _exit (concurrent_child (f->root, start[0], i));
        }
    }
  /* Every child is blocked in read(): closing the write end releases them
   * all at once.  */
  close (start[0]);
  close (start[1]);

  for (i = 0; i < N_CHILDREN; i++)
    {
      int status;

      assert_int_equal (waitpid (pids[i], &status, 0), pids[i]);
      if (! WIFEXITED (status) || WEXITSTATUS (status) != 0)
        fail_msg ("child %d failed (wait status %#x)", i, status);
    }

  db = open_root (f->root);
  assert_int_equal (query_int (db, "SELECT count(*) FROM layers"), N_CHILDREN * ROWS_PER_CHILD);
  assert_int_equal (query_int (db, "SELECT count(DISTINCT diff_id) FROM layers"),
                    N_CHILDREN * ROWS_PER_CHILD);
  integrity = query_text (db, "PRAGMA integrity_check");
  assert_string_equal (integrity, "ok");
  assert_int_equal (query_int (db, "PRAGMA user_version"), FERRY_DB_SCHEMA_VERSION);
  ferry_db_close (db);
}

static void
append_line (const char *path, const char *line)
{
  cleanup_close int fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0 || ferry_write_all (fd, line, strlen (line)) < 0)
    abort ();
}

static void
test_exclusive_lock_blocks (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *journal = xasprintf ("%s/journal", f->dir);
  cleanup_free char *lock_file = xasprintf ("%s/locks/layers.lock", f->root);
  cleanup_free char *content = NULL;
  cleanup_error ferry_error_t err = NULL;
  int held[2];
  char c;
  pid_t pid;
  int status, fd;
  struct stat st;

  assert_int_equal (pipe2 (held, O_CLOEXEC), 0);
  pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      struct timespec pause = { 0, 300 * 1000000L };
      int lock;

      alarm (30);
      close (held[0]);
      lock = ferry_lock_acquire (f->root, "layers", 1, &err);
      if (lock < 0)
        _exit (1);
      if (write (held[1], "L", 1) != 1)
        _exit (1);
      /* Give a parent that wrongly got the lock time to write first.  */
      nanosleep (&pause, NULL);
      append_line (journal, "child releases\n");
      ferry_lock_release (lock);
      _exit (0);
    }
  close (held[1]);
  assert_int_equal (read (held[0], &c, 1), 1);
  close (held[0]);

  fd = ferry_lock_acquire (f->root, "layers", 1, &err);
  assert_true (fd >= 0);
  append_line (journal, "parent acquires\n");
  ferry_lock_release (fd);

  assert_int_equal (waitpid (pid, &status, 0), pid);
  assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  assert_int_equal (ferry_read_file (journal, &content, NULL, &err), 0);
  assert_string_equal (content, "child releases\nparent acquires\n");

  assert_int_equal (stat (lock_file, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0600);
}

static void
test_shared_locks_coexist (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  int fd = ferry_lock_acquire (f->root, "images", 0, &err);
  pid_t pid;
  int status;

  assert_true (fd >= 0);
  pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      int lock;

      /* If a shared lock waited for the parent's shared lock, SIGALRM
       * ends the child instead of hanging the test.  */
      alarm (10);
      lock = ferry_lock_acquire (f->root, "images", 0, &err);
      _exit (lock >= 0 ? 0 : 1);
    }
  assert_int_equal (waitpid (pid, &status, 0), pid);
  assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  ferry_lock_release (fd);
}

static void
test_lock_name_is_checked (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;

  assert_true (ferry_lock_acquire (f->root, "../escape", 1, &err) < 0);
  assert_int_equal (err->status, EINVAL);
  ferry_error_release (&err);
  assert_true (ferry_lock_acquire (f->root, "", 1, &err) < 0);
  ferry_error_release (&err);
  assert_false (ferry_path_exists (f->root));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_open_creates_database, setup, teardown),
    cmocka_unit_test_setup_teardown (test_reopen_is_idempotent, setup, teardown),
    cmocka_unit_test_setup_teardown (test_migration_from_older_version, setup, teardown),
    cmocka_unit_test_setup_teardown (test_failing_migration_keeps_old_version, setup, teardown),
    cmocka_unit_test_setup_teardown (test_newer_database_is_refused, setup, teardown),
    cmocka_unit_test_setup_teardown (test_foreign_keys_are_enforced, setup, teardown),
    cmocka_unit_test_setup_teardown (test_transactions, setup, teardown),
    cmocka_unit_test_setup_teardown (test_open_error_names_path, setup, teardown),
    cmocka_unit_test_setup_teardown (test_concurrent_first_open, setup, teardown),
    cmocka_unit_test_setup_teardown (test_exclusive_lock_blocks, setup, teardown),
    cmocka_unit_test_setup_teardown (test_shared_locks_coexist, setup, teardown),
    cmocka_unit_test_setup_teardown (test_lock_name_is_checked, setup, teardown),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
