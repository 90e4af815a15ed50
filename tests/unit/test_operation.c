/* Unit tests for src/lib/engine/operation.c: operation records, and what
 * settling removes (only what the record names and ferry could have
 * made) and leaves (what a living owner uses).  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine/engine.h"
#include "engine/operation.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/process.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct fixture
{
  char *dir;
  ferry_engine_t *e;
};

static int
setup (void **state)
{
  struct fixture *f = xmalloc0 (sizeof (*f));
  char tmpl[] = "/tmp/ferry-test-operation-XXXXXX";
  cleanup_free char *root = NULL, *runroot = NULL;
  ferry_error_t err = NULL;

  if (mkdtemp (tmpl) == NULL)
    return -1;
  f->dir = xstrdup (tmpl);
  root = xasprintf ("%s/root", f->dir);
  runroot = xasprintf ("%s/run", f->dir);
  if (ferry_engine_open (root, runroot, NULL, NULL, NULL, &f->e, &err) < 0)
    {
      fprintf (stderr, "%s\n", err->msg);
      return -1;
    }
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  ferry_error_t err = NULL;

  ferry_engine_close (f->e);
  ferry_rm_rf (f->dir, &err);
  free (f->dir);
  free (f);
  return 0;
}

static int
count_operations (ferry_engine_t *e)
{
  ferry_error_t err = NULL;
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (e->db, "SELECT count(*) FROM operations", &err);

  assert_non_null (st);
  assert_int_equal (sqlite3_step (st), SQLITE_ROW);
  return sqlite3_column_int (st, 0);
}

/* Makes the record of ID look like a dead ferry's.  */
static void
orphan (ferry_engine_t *e, const char *id)
{
  ferry_error_t err = NULL;
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (
      e->db, "UPDATE operations SET owner_pid = 2147483646, owner_start = 1 WHERE container_id = ?", &err);

  assert_non_null (st);
  sqlite3_bind_text (st, 1, id, -1, SQLITE_STATIC);
  assert_int_equal (sqlite3_step (st), SQLITE_DONE);
}

static void
touch (const char *path)
{
  ferry_error_t err = NULL;
  assert_int_equal (ferry_write_file_atomic (path, "x", 1, 0600, &err), 0);
}

static void
test_record_round_trip (void **state)
{
  struct fixture *f = *state;
  struct ferry_operation op, read;
  ferry_error_t err = NULL;
  json_object *detail = json_object_new_object ();

  json_object_object_add (detail, "keep", json_object_new_boolean (1));
  assert_int_equal (ferry_operation_begin (f->e, &op, ID, FERRY_OPERATION_RESTORE, "restoring", detail, &err),
                    0);
  assert_true (ferry_operation_owner_alive (&op));
  /* Its own phase again, as a settler taking it over does.  */
  assert_int_equal (ferry_operation_advance (f->e, &op, op.phase, &err), 0);
  assert_int_equal (ferry_operation_get (f->e, ID, &read, &err), 1);
  assert_int_equal (read.kind, FERRY_OPERATION_RESTORE);
  assert_string_equal (read.phase, "restoring");
  assert_int_equal (read.owner_pid, getpid ());
  assert_true (json_object_get_boolean (json_object_object_get (read.detail, "keep")));
  ferry_operation_release (&read);
  /* One at a time per container.  */
  {
    struct ferry_operation second;
    assert_true (ferry_operation_begin (f->e, &second, ID, FERRY_OPERATION_CHECKPOINT, "dumping", NULL, &err)
                 < 0);
    ferry_error_release (&err);
    ferry_operation_release (&second);
  }
  /* A living owner's operation is never settled.  */
  ferry_operations_settle (f->e);
  assert_int_equal (count_operations (f->e), 1);
  assert_int_equal (ferry_operation_end (f->e, &op, &err), 0);
  assert_int_equal (ferry_operation_get (f->e, ID, &read, &err), 0);
  ferry_operation_release (&op);
}

static void
test_invalid_ids_are_refused (void **state)
{
  struct fixture *f = *state;
  static const char *const bad[] = { "",
                                     "..",
                                     "../x",
                                     "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
                                     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
                                     NULL };
  size_t i;

  for (i = 0; bad[i]; i++)
    {
      struct ferry_operation op;
      ferry_error_t err = NULL;

      assert_true (ferry_operation_begin (f->e, &op, bad[i], FERRY_OPERATION_IMPORT, "restoring", NULL, &err)
                   < 0);
      ferry_error_release (&err);
      ferry_operation_release (&op);
    }
  assert_int_equal (count_operations (f->e), 0);
}

static void
test_path_in (void **state)
{
  struct ferry_operation op = { 0 };
  static const struct
  {
    const char *path;
    int ok;
  } cases[] = {
    { "/p/dump-12-34-abc9", 1 },
    { "/p/dump-12-34-", 0 },
    { "/p/dump-x-34-abc", 0 },
    { "/p/dump-12-34-a/b", 0 },
    { "/p/dump-12-34-a.b", 0 },
    { "/p/../dump-12-34-abc", 0 },
    { "/q/dump-12-34-abc", 0 },
    { "/pdump-12-34-abc", 0 },
    { "/p/import-12-34-abc", 0 },
    { "/p/dump-12-34-abc/..", 0 },
    { "/p", 0 },
  };
  size_t i;

  (void) state;
  for (i = 0; i < sizeof (cases) / sizeof (cases[0]); i++)
    {
      op.detail = json_object_new_object ();
      json_object_object_add (op.detail, "work", json_object_new_string (cases[i].path));
      if (cases[i].ok)
        assert_non_null (ferry_operation_path_in (&op, "work", "/p", "dump-"));
      else
        assert_null (ferry_operation_path_in (&op, "work", "/p", "dump-"));
      json_object_put (op.detail);
    }
  op.detail = json_object_new_object ();
  json_object_object_add (op.detail, "work", json_object_new_int (3));
  assert_null (ferry_operation_path_in (&op, "work", "/p", "dump-"));
  json_object_put (op.detail);
}

/* A dead ferry's checkpoint of a container that is gone: its temporary
 * archive and work directory go; a path the record names that ferry
 * could not have made stays.  */
static void
test_settle_removes_only_what_it_made (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *ckroot = xasprintf ("%s/checkpoints", f->e->runroot);
  cleanup_free char *work = ferry_operation_make_name (ckroot, "dump-");
  cleanup_free char *tmp = xasprintf ("%s/.checkpoint.ferry-tmp-0011aabb", f->dir);
  cleanup_free char *export_path = xasprintf ("%s/out.tar", f->dir);
  cleanup_free char *canary = xasprintf ("%s/canary", f->dir);
  struct ferry_operation op;
  ferry_error_t err = NULL;
  json_object *detail = json_object_new_object ();
  const char *id2 = "1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  assert_int_equal (ferry_mkdir_p (work, 0700, &err), 0);
  touch (tmp);
  touch (canary);
  json_object_object_add (detail, "work", json_object_new_string (work));
  json_object_object_add (detail, "export", json_object_new_string (export_path));
  json_object_object_add (detail, "tmp", json_object_new_string (tmp));
  assert_int_equal (
      ferry_operation_begin (f->e, &op, ID, FERRY_OPERATION_CHECKPOINT, "dumping", detail, &err), 0);
  ferry_operation_release (&op);
  orphan (f->e, ID);

  /* A record (edited, or damaged) naming what ferry never makes.  */
  detail = json_object_new_object ();
  json_object_object_add (detail, "work", json_object_new_string (f->dir));
  json_object_object_add (detail, "export", json_object_new_string (export_path));
  json_object_object_add (detail, "tmp", json_object_new_string (canary));
  assert_int_equal (
      ferry_operation_begin (f->e, &op, id2, FERRY_OPERATION_CHECKPOINT, "dumping", detail, &err), 0);
  ferry_operation_release (&op);
  orphan (f->e, id2);

  ferry_operations_settle (f->e);
  assert_int_equal (count_operations (f->e), 0);
  assert_false (ferry_path_exists (work));
  assert_false (ferry_path_exists (tmp));
  assert_true (ferry_path_exists (canary));
  assert_true (ferry_path_exists (f->dir));
}

/* Staging of owners that are gone is swept; a living owner's, and names
 * ferry does not make, stay.  */
static void
test_sweep_by_owner (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *ckroot = xasprintf ("%s/checkpoints", f->e->runroot);
  cleanup_free char *mine = ferry_operation_make_name (ckroot, "import-");
  cleanup_free char *dead = xasprintf ("%s/import-2147483646-1-abc123", ckroot);
  cleanup_free char *other = xasprintf ("%s/import-other", ckroot);
  cleanup_free char *log = xasprintf ("%s/restore-" ID ".log", ckroot);
  ferry_error_t err = NULL;

  assert_int_equal (ferry_mkdir_p (mine, 0700, &err), 0);
  assert_int_equal (ferry_mkdir_p (dead, 0700, &err), 0);
  assert_int_equal (ferry_mkdir_p (other, 0700, &err), 0);
  touch (log);
  ferry_operations_settle (f->e);
  assert_true (ferry_path_exists (mine));
  assert_false (ferry_path_exists (dead));
  assert_true (ferry_path_exists (other));
  assert_true (ferry_path_exists (log));
}

static void
test_process_identity (void **state)
{
  struct ferry_process_info info;
  pid_t child;
  int status;

  (void) state;
  assert_int_equal (ferry_process_info (getpid (), &info), 0);
  assert_true (ferry_process_is_alive (getpid (), info.start_time));
  assert_false (ferry_process_is_alive (getpid (), info.start_time + 1));
  child = fork ();
  if (child == 0)
    _exit (0);
  assert_int_equal (ferry_process_info (child, &info), 0);
  waitpid (child, &status, 0);
  assert_false (ferry_process_is_alive (child, info.start_time));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_record_round_trip, setup, teardown),
    cmocka_unit_test_setup_teardown (test_invalid_ids_are_refused, setup, teardown),
    cmocka_unit_test (test_path_in),
    cmocka_unit_test_setup_teardown (test_settle_removes_only_what_it_made, setup, teardown),
    cmocka_unit_test_setup_teardown (test_sweep_by_owner, setup, teardown),
    cmocka_unit_test (test_process_identity),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
