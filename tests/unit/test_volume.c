/* Unit tests for src/lib/engine/volume.c: named volumes of one root.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine/volume.h"
#include "state/db.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fixture
{
  char *dir;
  char *root; /* <dir>/root */
  ferry_db_t *db;
};

static int
setup (void **state)
{
  struct fixture *f = xmalloc0 (sizeof (*f));
  char tmpl[] = "/tmp/ferry-test-volume-XXXXXX";
  ferry_error_t err = NULL;

  if (mkdtemp (tmpl) == NULL)
    return -1;
  f->dir = xstrdup (tmpl);
  f->root = xasprintf ("%s/root", f->dir);
  if (ferry_db_open (f->root, &f->db, &err) < 0)
    {
      fprintf (stderr, "ferry_db_open: %s\n", err->msg);
      ferry_error_release (&err);
      return -1;
    }
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  int ret;

  ferry_db_close (f->db);
  ret = ferry_rm_rf (f->dir, &err);
  free (f->dir);
  free (f->root);
  free (f);
  return ret;
}

static void
create_ok (struct fixture *f, const char *name, json_object *labels, int anonymous)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *created = NULL;

  if (ferry_volume_create (f->db, f->root, name, labels, anonymous, 0, &created, &err) < 0)
    fail_msg ("creating volume %s: %s", name ? name : "(generated)", err->msg);
  if (name)
    assert_string_equal (created, name);
}

static struct ferry_volume *
get_ok (struct fixture *f, const char *name)
{
  cleanup_error ferry_error_t err = NULL;
  struct ferry_volume *v = NULL;

  if (ferry_volume_get (f->db, f->root, name, &v, &err) < 0)
    fail_msg ("getting volume %s: %s", name, err->msg);
  return v;
}

static long long
count_rows (ferry_db_t *db, const char *sql)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (db, sql, &err);

  assert_non_null (st);
  assert_int_equal (sqlite3_step (st), SQLITE_ROW);
  return sqlite3_column_int64 (st, 0);
}

/* Names of the entries of DIR, dot entries (work in progress) included.  */
static int
count_entries (const char *dir)
{
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;
  int n = 0;

  if (d == NULL)
    return 0;
  while ((de = readdir (d)))
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      n++;
  return n;
}

/* A container row using volume NAME at DEST, with the image row the
 * containers table needs.  */
static void
add_user (struct fixture *f, const char *container_id, const char *name, const char *dest)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *sql = xasprintf (
      "INSERT OR IGNORE INTO images (id, config_digest, manifest_digest, manifest, config, size, created, "
      "loaded) "
      "VALUES ('img', 'sha256:c', 'sha256:m', '{}', '{}', 0, '', '');"
      "INSERT OR IGNORE INTO containers (id, name, image_id, created, config, state) "
      "VALUES ('%s', 'name-%s', 'img', '', '{}', 'exited');"
      "INSERT INTO container_volumes (container_id, volume, destination) VALUES ('%s', '%s', '%s');",
      container_id, container_id, container_id, name, dest);

  if (ferry_db_exec (f->db, sql, &err) < 0)
    fail_msg ("adding a user: %s", err->msg);
}

static void
test_name_validation (void **state)
{
  static const char *const good[] = { "a", "my-vol_1.x", "A9", "0", "a..", "x-" };
  static const char *const bad[] = { "", "-a", "a/b", "../x", "a b", ".a", "_a", "a:b", "é" };
  size_t i;

  (void) state;
  for (i = 0; i < sizeof (good) / sizeof (good[0]); i++)
    if (! ferry_volume_name_is_valid (good[i]))
      fail_msg ("`%s` should be a valid name", good[i]);
  for (i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    if (ferry_volume_name_is_valid (bad[i]))
      fail_msg ("`%s` should be an invalid name", bad[i]);
  assert_false (ferry_volume_name_is_valid (NULL));
}

static void
test_create_rejects_bad_names (void **state)
{
  static const char *const bad[] = { "", "-a", "a/b", "../x", "a b" };
  struct fixture *f = *state;
  cleanup_free char *volumes = xasprintf ("%s/volumes", f->root);
  cleanup_free char *escaped = xasprintf ("%s/x", f->root);
  size_t i;

  for (i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    {
      cleanup_error ferry_error_t err = NULL;
      char *created = NULL;

      assert_true (ferry_volume_create (f->db, f->root, bad[i], NULL, 0, 0, &created, &err) < 0);
      assert_null (created);
      assert_non_null (strstr (err->msg, "invalid volume name"));
      assert_non_null (strstr (err->msg, "[a-zA-Z0-9][a-zA-Z0-9_.-]*"));
    }
  assert_int_equal (count_rows (f->db, "SELECT COUNT(*) FROM volumes"), 0);
  /* Nothing of them reached the file system, ../x least of all.  */
  assert_int_equal (count_entries (volumes), 0);
  assert_false (ferry_path_exists (escaped));
}

static void
test_create_get_list_remove (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *dir = xasprintf ("%s/volumes/data1", f->root);
  cleanup_free char *data = xasprintf ("%s/volumes/data1/_data", f->root);
  cleanup_free char *volumes = xasprintf ("%s/volumes", f->root);
  struct ferry_volume **list = NULL;
  struct ferry_volume *v;
  struct stat st;
  size_t n = 0;

  create_ok (f, "data1", NULL, 0);
  create_ok (f, "b-vol", NULL, 0);
  assert_true (ferry_volume_exists (f->db, "data1"));
  assert_false (ferry_volume_exists (f->db, "data2"));

  assert_int_equal (stat (dir, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0700);
  assert_int_equal (stat (data, &st), 0);
  assert_true (S_ISDIR (st.st_mode));
  assert_int_equal (st.st_mode & 07777, 0755);
  /* No work in progress left beside the volumes.  */
  assert_int_equal (count_entries (volumes), 2);

  v = get_ok (f, "data1");
  assert_string_equal (v->name, "data1");
  assert_string_equal (v->mountpoint, data);
  assert_string_equal (v->driver, "local");
  assert_int_equal (v->anonymous, 0);
  assert_null (v->users[0]);
  assert_int_equal (json_object_object_length (v->labels), 0);
  assert_int_equal (json_object_object_length (v->options), 0);
  /* RFC 3339 UTC with nanoseconds: 2026-11-23T10:00:00.123456789Z  */
  assert_int_equal (strlen (v->created), 30);
  assert_int_equal (v->created[10], 'T');
  assert_int_equal (v->created[19], '.');
  assert_int_equal (v->created[29], 'Z');
  ferry_volume_free (v);

  assert_int_equal (ferry_volume_list (f->db, f->root, &list, &n, &err), 0);
  assert_int_equal (n, 2);
  /* In the order they were made, as Podman lists them.  */
  assert_string_equal (list[0]->name, "data1");
  assert_string_equal (list[0]->mountpoint, data);
  assert_string_equal (list[1]->name, "b-vol");
  ferry_volumes_free (list, n);

  /* The data goes with the volume.  */
  {
    cleanup_free char *file = xasprintf ("%s/file", data);
    cleanup_free char *sub = xasprintf ("%s/sub", data);
    FILE *fp = fopen (file, "w");
    assert_non_null (fp);
    fputs ("kept until removed\n", fp);
    fclose (fp);
    assert_int_equal (mkdir (sub, 0700), 0);
  }
  assert_int_equal (ferry_volume_remove (f->db, f->root, "data1", 0, &err), 0);
  assert_false (ferry_path_exists (dir));
  assert_false (ferry_volume_exists (f->db, "data1"));
  assert_int_equal (count_entries (volumes), 1);
  assert_int_equal (ferry_volume_list (f->db, f->root, &list, &n, &err), 0);
  assert_int_equal (n, 1);
  assert_string_equal (list[0]->name, "b-vol");
  ferry_volumes_free (list, n);
}

static void
test_generated_name (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *a = NULL;
  cleanup_free char *b = NULL;
  cleanup_free char *data = NULL;
  size_t i;

  assert_int_equal (ferry_volume_create (f->db, f->root, NULL, NULL, 1, 0, &a, &err), 0);
  assert_int_equal (ferry_volume_create (f->db, f->root, NULL, NULL, 0, 0, &b, &err), 0);
  assert_int_equal (strlen (a), 64);
  for (i = 0; i < 64; i++)
    assert_non_null (strchr ("0123456789abcdef", a[i]));
  assert_string_not_equal (a, b);
  data = xasprintf ("%s/volumes/%s/_data", f->root, a);
  assert_true (ferry_path_exists (data));
  assert_true (ferry_volume_exists (f->db, a));
}

static void
test_duplicate_is_exists_and_changes_nothing (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *file = xasprintf ("%s/volumes/dup/_data/precious", f->root);
  cleanup_free char *volumes = xasprintf ("%s/volumes", f->root);
  cleanup_json json_object *labels = json_object_new_object ();
  char *created = NULL;
  struct ferry_volume *v;
  FILE *fp;

  create_ok (f, "dup", NULL, 0);
  fp = fopen (file, "w");
  assert_non_null (fp);
  fclose (fp);
  v = get_ok (f, "dup");
  json_object_object_add (labels, "k", json_object_new_string ("v"));

  assert_true (ferry_volume_create (f->db, f->root, "dup", labels, 1, 0, &created, &err) < 0);
  assert_null (created);
  assert_int_equal (err->kind, FERRY_ERROR_EXISTS);
  assert_string_equal (err->msg, "volume with name dup already exists: volume already exists");
  ferry_error_release (&err);

  /* Same row, same data, no leftovers.  */
  {
    struct ferry_volume *again = get_ok (f, "dup");
    assert_string_equal (again->created, v->created);
    assert_int_equal (again->anonymous, 0);
    assert_int_equal (json_object_object_length (again->labels), 0);
    ferry_volume_free (again);
  }
  ferry_volume_free (v);
  assert_true (ferry_path_exists (file));
  assert_int_equal (count_entries (volumes), 1);
}

static void
test_leftover_directory_is_replaced (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *stale = xasprintf ("%s/volumes/ghost/_data/stale", f->root);
  cleanup_free char *dir = xasprintf ("%s/volumes/ghost/_data", f->root);
  cleanup_error ferry_error_t err = NULL;

  /* A crash between the directory and the row left this behind.  */
  assert_int_equal (ferry_mkdir_p (dir, 0700, &err), 0);
  assert_int_equal (ferry_write_file_atomic (stale, "x", 1, 0600, &err), 0);
  create_ok (f, "ghost", NULL, 0);
  assert_false (ferry_path_exists (stale));
  assert_true (ferry_path_exists (dir));
}

static void
test_remove_unknown (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;

  assert_true (ferry_volume_remove (f->db, f->root, "nope", 0, &err) < 0);
  assert_int_equal (err->kind, FERRY_ERROR_NOT_FOUND);
  assert_string_equal (err->msg, "no volume with name \"nope\" found: no such volume");
  ferry_error_release (&err);

  assert_true (ferry_volume_remove (f->db, f->root, "nope", 1, &err) < 0);
  assert_int_equal (err->kind, FERRY_ERROR_NOT_FOUND);
  ferry_error_release (&err);

  {
    struct ferry_volume *v = NULL;
    assert_true (ferry_volume_get (f->db, f->root, "nope", &v, &err) < 0);
    assert_null (v);
    assert_int_equal (err->kind, FERRY_ERROR_NOT_FOUND);
    assert_string_equal (err->msg, "no volume with name \"nope\" found: no such volume");
  }
}

static void
test_in_use (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *data = xasprintf ("%s/volumes/shared/_data", f->root);
  struct ferry_volume **list = NULL;
  struct ferry_volume *v;
  size_t n = 0;

  create_ok (f, "shared", NULL, 0);
  create_ok (f, "free", NULL, 0);
  add_user (f, "c2222", "shared", "/data");
  add_user (f, "c1111", "shared", "/data");
  add_user (f, "c1111", "shared", "/again"); /* two mounts, one user */

  v = get_ok (f, "shared");
  assert_non_null (v->users[0]);
  assert_string_equal (v->users[0], "c1111");
  assert_string_equal (v->users[1], "c2222");
  assert_null (v->users[2]);
  ferry_volume_free (v);

  assert_int_equal (ferry_volume_list (f->db, f->root, &list, &n, &err), 0);
  assert_int_equal (n, 2);
  assert_string_equal (list[0]->name, "shared");
  assert_string_equal (list[0]->users[0], "c1111");
  assert_string_equal (list[1]->name, "free");
  assert_null (list[1]->users[0]);
  ferry_volumes_free (list, n);

  assert_true (ferry_volume_remove (f->db, f->root, "shared", 0, &err) < 0);
  assert_int_equal (err->kind, FERRY_ERROR_IN_USE);
  assert_string_equal (err->msg, "volume shared is being used by the following container(s): c1111, c2222: "
                                 "volume is being used");
  ferry_error_release (&err);
  assert_true (ferry_volume_exists (f->db, "shared"));
  assert_true (ferry_path_exists (data));
  assert_int_equal (count_rows (f->db, "SELECT COUNT(*) FROM container_volumes"), 3);

  /* Once the caller removed the containers, the volume goes.  */
  assert_int_equal (ferry_db_exec (f->db, "DELETE FROM containers WHERE id = 'c2222'", &err), 0);
  assert_true (ferry_volume_remove (f->db, f->root, "shared", 0, &err) < 0);
  assert_int_equal (err->kind, FERRY_ERROR_IN_USE);
  assert_non_null (strstr (err->msg, "container(s): c1111: "));
  ferry_error_release (&err);
  assert_int_equal (ferry_db_exec (f->db, "DELETE FROM containers WHERE id = 'c1111'", &err), 0);
  assert_int_equal (ferry_volume_remove (f->db, f->root, "shared", 0, &err), 0);
  assert_false (ferry_path_exists (data));
}

static void
test_force_leaves_containers_to_the_caller (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *data = xasprintf ("%s/volumes/forced/_data", f->root);

  create_ok (f, "forced", NULL, 0);
  add_user (f, "c3333", "forced", "/data");
  assert_int_equal (ferry_volume_remove (f->db, f->root, "forced", 1, &err), 0);
  assert_false (ferry_volume_exists (f->db, "forced"));
  assert_false (ferry_path_exists (data));
  /* The container itself is the caller's business; only its link to the
   * volume went.  */
  assert_int_equal (count_rows (f->db, "SELECT COUNT(*) FROM containers WHERE id = 'c3333'"), 1);
  assert_int_equal (count_rows (f->db, "SELECT COUNT(*) FROM container_volumes"), 0);
}

static void
test_labels_and_anonymous_round_trip (void **state)
{
  struct fixture *f = *state;
  cleanup_json json_object *labels = json_object_new_object ();
  struct ferry_volume *v;

  json_object_object_add (labels, "app", json_object_new_string ("db"));
  json_object_object_add (labels, "empty", json_object_new_string (""));
  json_object_object_add (labels, "quote\"d", json_object_new_string ("a=b/c"));
  create_ok (f, "labelled", labels, 1);
  create_ok (f, "plain", NULL, 0);

  v = get_ok (f, "labelled");
  assert_int_equal (v->anonymous, 1);
  assert_int_equal (json_object_object_length (v->labels), 3);
  assert_string_equal (json_object_get_string (json_object_object_get (v->labels, "app")), "db");
  assert_string_equal (json_object_get_string (json_object_object_get (v->labels, "empty")), "");
  assert_string_equal (json_object_get_string (json_object_object_get (v->labels, "quote\"d")), "a=b/c");
  ferry_volume_free (v);

  v = get_ok (f, "plain");
  assert_int_equal (v->anonymous, 0);
  assert_int_equal (json_object_object_length (v->labels), 0);
  ferry_volume_free (v);
}

static void
test_create_in_callers_transaction (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *created = NULL;

  assert_int_equal (ferry_db_begin (f->db, &err), 0);
  assert_int_equal (ferry_volume_create (f->db, f->root, "joined", NULL, 1, 1, &created, &err), 0);
  /* The row belongs to the caller's transaction: it goes with a rollback.  */
  assert_true (ferry_volume_exists (f->db, "joined"));
  ferry_db_rollback (f->db);
  assert_false (ferry_volume_exists (f->db, "joined"));

  /* Its directory, left without a row, does not block the name.  */
  assert_int_equal (ferry_db_begin (f->db, &err), 0);
  assert_int_equal (ferry_volume_create (f->db, f->root, "joined", NULL, 0, 1, NULL, &err), 0);
  assert_int_equal (ferry_db_commit (f->db, &err), 0);
  assert_true (ferry_volume_exists (f->db, "joined"));
}

static void
test_failed_insert_removes_directory (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *volumes = xasprintf ("%s/volumes", f->root);

  create_ok (f, "first", NULL, 0);
  /* Make the insert fail after the directory is in place.  */
  assert_int_equal (ferry_db_exec (f->db,
                                   "CREATE TRIGGER no_more BEFORE INSERT ON volumes "
                                   "BEGIN SELECT RAISE (ABORT, 'refused by test'); END",
                                   &err),
                    0);
  assert_true (ferry_volume_create (f->db, f->root, "second", NULL, 0, 0, NULL, &err) < 0);
  assert_non_null (strstr (err->msg, "refused by test"));
  ferry_error_release (&err);
  assert_false (ferry_volume_exists (f->db, "second"));
  assert_int_equal (count_entries (volumes), 1);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_name_validation),
    cmocka_unit_test_setup_teardown (test_create_rejects_bad_names, setup, teardown),
    cmocka_unit_test_setup_teardown (test_create_get_list_remove, setup, teardown),
    cmocka_unit_test_setup_teardown (test_generated_name, setup, teardown),
    cmocka_unit_test_setup_teardown (test_duplicate_is_exists_and_changes_nothing, setup, teardown),
    cmocka_unit_test_setup_teardown (test_leftover_directory_is_replaced, setup, teardown),
    cmocka_unit_test_setup_teardown (test_remove_unknown, setup, teardown),
    cmocka_unit_test_setup_teardown (test_in_use, setup, teardown),
    cmocka_unit_test_setup_teardown (test_force_leaves_containers_to_the_caller, setup, teardown),
    cmocka_unit_test_setup_teardown (test_labels_and_anonymous_round_trip, setup, teardown),
    cmocka_unit_test_setup_teardown (test_create_in_callers_transaction, setup, teardown),
    cmocka_unit_test_setup_teardown (test_failed_insert_removes_directory, setup, teardown),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
