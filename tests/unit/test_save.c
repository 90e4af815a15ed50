/* Unit tests for src/lib/image/save.c: the layouts written, the names they
 * carry, and that a failed save leaves nothing behind.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "image/load.h"
#include "image/save.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fixture
{
  char *dir;
  char *out; /* where the tests write */
  ferry_store_t *store;
  char *id;
};

/* A one-file root file system tarball at PATH.  */
static int
make_tarball (const char *path)
{
  struct archive *a = archive_write_new ();
  struct archive_entry *e = archive_entry_new ();
  static const char data[] = "hello\n";
  int ok;

  archive_write_set_format_pax_restricted (a);
  ok = archive_write_open_filename (a, path) == ARCHIVE_OK;
  archive_entry_set_pathname (e, "hello");
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, 0644);
  archive_entry_set_size (e, sizeof (data) - 1);
  ok = ok && archive_write_header (a, e) == ARCHIVE_OK;
  ok = ok && archive_write_data (a, data, sizeof (data) - 1) == (la_ssize_t) (sizeof (data) - 1);
  archive_entry_free (e);
  ok = archive_write_close (a) == ARCHIVE_OK && ok;
  archive_write_free (a);
  return ok ? 0 : -1;
}

static int
setup (void **state)
{
  struct fixture *f = xmalloc0 (sizeof (*f));
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *tarball = NULL;
  char tmpl[] = "/tmp/ferry-test-save-XXXXXX";

  if (mkdtemp (tmpl) == NULL)
    return -1;
  f->dir = xstrdup (tmpl);
  f->out = xasprintf ("%s/out", f->dir);
  tarball = xasprintf ("%s/rootfs.tar", f->dir);
  if (mkdir (f->out, 0755) < 0 || make_tarball (tarball) < 0)
    return -1;
  if (ferry_store_open (f->dir, &f->store, &err) < 0
      || ferry_image_import (f->store, tarball, "unit:v1", NULL, &f->id, &err) < 0)
    {
      fprintf (stderr, "setup: %s\n", err->msg);
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

  ferry_store_close (f->store);
  ret = ferry_rm_rf (f->dir, &err);
  free (f->dir);
  free (f->out);
  free (f->id);
  free (f);
  return ret;
}

static size_t
entries_in (const char *dir)
{
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;
  size_t n = 0;

  while (d && (de = readdir (d)))
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      n++;
  return n;
}

/* The contents of entry NAME of the tar archive PATH, or NULL.  */
static char *
tar_entry (const char *path, const char *name)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *e;
  char *text = NULL;

  archive_read_support_format_tar (a);
  if (archive_read_open_filename (a, path, 1 << 16) == ARCHIVE_OK)
    while (text == NULL && archive_read_next_header (a, &e) == ARCHIVE_OK)
      if (strcmp (archive_entry_pathname (e), name) == 0)
        {
          size_t size = (size_t) archive_entry_size (e);
          text = xmalloc0 (size + 1);
          if (archive_read_data (a, text, size) != (la_ssize_t) size)
            {
              free (text);
              text = NULL;
              break;
            }
        }
  archive_read_free (a);
  return text;
}

static void
test_format_names (void **state)
{
  static const char *const names[] = { "docker-archive", "oci-archive", "oci-dir", "docker-dir" };
  enum ferry_save_format f;
  size_t i;

  (void) state;
  for (i = 0; i < 4; i++)
    {
      assert_int_equal (ferry_save_format_parse (names[i], &f), 0);
      assert_string_equal (ferry_save_format_name (f), names[i]);
    }
  assert_int_equal (ferry_save_format_parse ("docker", &f), -1);
  assert_int_equal (ferry_save_format_parse ("", &f), -1);
}

static void
test_docker_archive (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *path = xasprintf ("%s/d.tar", f->out), *manifest = NULL, *config = NULL;
  cleanup_free char *config_name = xasprintf ("%s.json", f->id), *tmp = NULL;
  cleanup_strv char **saved = NULL;
  char *refs[] = { (char *) "unit:v1", (char *) "extra:v2" };
  struct ferry_save_request req
      = { .format = FERRY_SAVE_DOCKER_ARCHIVE, .refs = refs, .n_refs = 2, .output = path };

  assert_int_equal (ferry_image_save (f->store, &req, &saved, &err), 0);
  assert_non_null (saved[0]);
  assert_string_equal (saved[0], f->id);
  assert_null (saved[1]);
  manifest = tar_entry (path, "manifest.json");
  assert_non_null (manifest);
  /* A name the image lacks first, then the one it has.  */
  assert_non_null (strstr (manifest, "\"RepoTags\":[\"localhost/extra:v2\",\"localhost/unit:v1\"]"));
  config = tar_entry (path, config_name);
  assert_non_null (config);
  /* Nothing is left in the store's tmp directory, nor beside the output.  */
  tmp = xasprintf ("%s/storage/tmp", f->dir);
  assert_int_equal (entries_in (tmp), 0);
  assert_int_equal (entries_in (f->out), 1);
}

static void
test_missing_image_leaves_nothing (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *path = xasprintf ("%s/x.tar", f->out);
  char *refs[] = { (char *) "unit:v1", (char *) "nosuch" };
  struct ferry_save_request req = {
    .format = FERRY_SAVE_DOCKER_ARCHIVE, .refs = refs, .n_refs = 2, .multi_image = true, .output = path
  };

  assert_true (ferry_image_save (f->store, &req, NULL, &err) < 0);
  assert_int_equal (err->kind, FERRY_ERROR_NOT_FOUND);
  assert_string_equal (err->msg, "nosuch: image not known");
  assert_int_equal (entries_in (f->out), 0);
}

static void
test_multi_image_only_docker_archive (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *path = xasprintf ("%s/x.tar", f->out);
  char *refs[] = { (char *) "unit:v1", (char *) "unit:v1" };
  struct ferry_save_request req
      = { .format = FERRY_SAVE_OCI_ARCHIVE, .refs = refs, .n_refs = 2, .multi_image = true, .output = path };

  assert_true (ferry_image_save (f->store, &req, NULL, &err) < 0);
  assert_string_equal (err->msg,
                       "unsupported format \"oci-archive\" for saving multiple images (only docker-archive)");
  ferry_error_release (&err);
  /* One image is no "multiple images", in any format.  */
  req.n_refs = 1;
  assert_int_equal (ferry_image_save (f->store, &req, NULL, &err), 0);
}

static void
test_oci_dir_adds_and_replaces_names (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *dir = xasprintf ("%s/layout", f->out), *index_path = xasprintf ("%s/index.json", dir);
  cleanup_json json_object *index = NULL;
  char *one[] = { (char *) "unit:v1" }, *other[] = { NULL };
  struct ferry_save_request req = { .format = FERRY_SAVE_OCI_DIR, .refs = one, .n_refs = 1, .output = dir };

  assert_int_equal (ferry_store_tag (f->store, "unit:v1", "localhost/other:v3", &err), 0);
  assert_int_equal (ferry_image_save (f->store, &req, NULL, &err), 0);
  other[0] = (char *) "other:v3";
  req.refs = other;
  assert_int_equal (ferry_image_save (f->store, &req, NULL, &err), 0);
  req.refs = one;
  assert_int_equal (ferry_image_save (f->store, &req, NULL, &err), 0);
  index = ferry_json_parse_file (index_path, "index.json", &err);
  assert_non_null (index);
  assert_int_equal (json_object_array_length (ferry_json_get_array (index, "manifests")), 2);
}

static void
test_dir_refuses_other_contents (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *dir = xasprintf ("%s/junk", f->out), *file = xasprintf ("%s/keep", dir);
  char *refs[] = { (char *) "unit:v1" };
  struct ferry_save_request req
      = { .format = FERRY_SAVE_DOCKER_DIR, .refs = refs, .n_refs = 1, .output = dir };

  assert_int_equal (mkdir (dir, 0755), 0);
  assert_int_equal (ferry_write_file_atomic (file, "x", 1, 0644, &err), 0);
  assert_true (ferry_image_save (f->store, &req, NULL, &err) < 0);
  assert_non_null (strstr (err->msg, "not a containers image directory"));
  assert_int_equal (entries_in (dir), 1);
}

/* An image stored before blobs were kept has no blob to save: a message
 * that says what to do, and no output.  */
static void
test_image_without_blob (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *blobs = xasprintf ("%s/storage/blobs", f->dir), *path = xasprintf ("%s/o.tar", f->out);
  char *refs[] = { (char *) "unit:v1" };
  struct ferry_save_request req
      = { .format = FERRY_SAVE_OCI_ARCHIVE, .refs = refs, .n_refs = 1, .output = path };

  assert_int_equal (ferry_rm_rf (blobs, &err), 0);
  assert_true (ferry_image_save (f->store, &req, NULL, &err) < 0);
  assert_non_null (strstr (err->msg, "is not in the image store"));
  assert_non_null (strstr (err->msg, "pull or load the image again"));
  assert_int_equal (entries_in (f->out), 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_format_names),
    cmocka_unit_test_setup_teardown (test_docker_archive, setup, teardown),
    cmocka_unit_test_setup_teardown (test_missing_image_leaves_nothing, setup, teardown),
    cmocka_unit_test_setup_teardown (test_multi_image_only_docker_archive, setup, teardown),
    cmocka_unit_test_setup_teardown (test_oci_dir_adds_and_replaces_names, setup, teardown),
    cmocka_unit_test_setup_teardown (test_dir_refuses_other_contents, setup, teardown),
    cmocka_unit_test_setup_teardown (test_image_without_blob, setup, teardown),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
