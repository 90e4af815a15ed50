/* Unit tests for src/lib/image/store.c: kept blobs, their removal, and
 * where registries hold them; and for the checks of image documents
 * (schema.c) the store and its callers rely on.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "image/schema.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fixture
{
  char *dir;
  ferry_store_t *store;
};

static int
setup (void **state)
{
  struct fixture *f = xmalloc0 (sizeof (*f));
  cleanup_error ferry_error_t err = NULL;
  char tmpl[] = "/tmp/ferry-test-store-XXXXXX";

  if (mkdtemp (tmpl) == NULL)
    return -1;
  f->dir = xstrdup (tmpl);
  if (ferry_store_open (f->dir, &f->store, &err) < 0)
    return -1;
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
  free (f);
  return ret;
}

static void
write_file (const char *path, const char *text)
{
  cleanup_close int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

  assert_true (fd >= 0);
  assert_int_equal (ferry_write_all (fd, text, strlen (text)), 0);
}

static char *
read_text (const char *path)
{
  cleanup_error ferry_error_t err = NULL;
  char *text = NULL;
  size_t len;

  assert_int_equal (ferry_read_file (path, &text, &len, &err), 0);
  return text;
}

/* Fills L as a pull or load would: a blob file holding BLOB and an
 * unpacked directory, both under storage/tmp.  The store trusts its caller
 * about diff_ids, so the diff_id is simply the digest of NAME.  */
static void
new_layer (ferry_store_t *s, struct ferry_new_layer *l, const char *name, const char *blob)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *file = NULL;

  memset (l, 0, sizeof (*l));
  ferry_sha256_buffer (name, strlen (name), l->diff_id);
  ferry_sha256_buffer (blob, strlen (blob), l->blob_digest);
  l->media_type = xstrdup ("application/vnd.oci.image.layer.v1.tar");
  l->blob_size = strlen (blob);
  l->size = 1;
  l->unpacked = ferry_mkdtemp_in (ferry_store_tmp_dir (s), "layer-", &err);
  assert_non_null (l->unpacked);
  file = xasprintf ("%s/%s", l->unpacked, name);
  write_file (file, name);
  l->blob_file = xasprintf ("%s/blob-%s", ferry_store_tmp_dir (s), name);
  write_file (l->blob_file, blob);
}

/* The manifest of IMG, as a pull or load stores it: every descriptor with
 * its media type, digest and size.  */
static char *
manifest_of (const struct ferry_new_image *img)
{
  json_object *m = json_object_new_object (), *c = json_object_new_object (), *ls = json_object_new_array ();
  char *text;
  size_t i;

  json_object_object_add (m, "schemaVersion", json_object_new_int (2));
  json_object_object_add (m, "mediaType",
                          json_object_new_string ("application/vnd.oci.image.manifest.v1+json"));
  json_object_object_add (c, "mediaType",
                          json_object_new_string ("application/vnd.oci.image.config.v1+json"));
  json_object_object_add (c, "digest", json_object_new_string (img->config_digest));
  json_object_object_add (c, "size", json_object_new_int64 (strlen (img->config)));
  json_object_object_add (m, "config", c);
  for (i = 0; i < img->n_layers; i++)
    {
      json_object *l = json_object_new_object ();

      json_object_object_add (l, "mediaType", json_object_new_string (img->layers[i].media_type));
      json_object_object_add (l, "digest", json_object_new_string (img->layers[i].blob_digest));
      json_object_object_add (l, "size", json_object_new_int64 (img->layers[i].blob_size));
      json_object_array_add (ls, l);
    }
  json_object_object_add (m, "layers", ls);
  text
      = xstrdup (json_object_to_json_string_ext (m, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (m);
  return text;
}

/* An image named NAME whose layers are LAYERS (NAME, blob) pairs, its
 * config holding EXTRA (members, each followed by a comma).  Each config
 * differs by NAME, so each image is another image.  */
static void
new_image_with (ferry_store_t *s, struct ferry_new_image *img, const char *name,
                const char *const (*layers)[2], size_t n, const char *extra)
{
  cleanup_free char *ids = xstrdup ("");
  size_t i;

  memset (img, 0, sizeof (*img));
  img->n_layers = n;
  img->layers = xmalloc0 (sizeof (*img->layers) * n);
  for (i = 0; i < n; i++)
    {
      char *more;

      new_layer (s, &img->layers[i], layers[i][0], layers[i][1]);
      more = xasprintf ("%s%s\"%s\"", ids, i ? ", " : "", img->layers[i].diff_id);
      free (ids);
      ids = more;
    }
  /* Odd spacing: the config must come back as stored, not re-serialised.  */
  img->config = xasprintf ("{%s\"created\": \"2024-01-01T00:00:00Z\",  \"comment\" : \"%s\", "
                           "\"rootfs\": {\"type\": \"layers\", \"diff_ids\": [%s]}}",
                           extra, name, ids);
  ferry_sha256_buffer (img->config, strlen (img->config), img->config_digest);
  img->manifest = manifest_of (img);
  ferry_sha256_buffer (img->manifest, strlen (img->manifest), img->manifest_digest);
  img->names = xmalloc0 (sizeof (char *) * 2);
  img->names[0] = xasprintf ("localhost/%s:latest", name);
}

static void
new_image (ferry_store_t *s, struct ferry_new_image *img, const char *name, const char *const (*layers)[2],
           size_t n)
{
  new_image_with (s, img, name, layers, n, "");
}

/* Removes the caller's blob files, which the store never does (layers with
 * the same name share one).  */
static void
free_image (struct ferry_new_image *img)
{
  size_t i;

  for (i = 0; i < img->n_layers; i++)
    if (img->layers[i].blob_file)
      assert_true (unlink (img->layers[i].blob_file) == 0 || errno == ENOENT);
  ferry_new_image_free (img);
}

static void
add_image (ferry_store_t *s, const char *name, const char *const (*layers)[2], size_t n)
{
  cleanup_error ferry_error_t err = NULL;
  struct ferry_new_image img;

  new_image (s, &img, name, layers, n);
  if (ferry_store_add_image (s, &img, &err) < 0)
    fail_msg ("ferry_store_add_image: %s", err->msg);
  free_image (&img);
}

static int
blob_stored (ferry_store_t *s, const char *blob)
{
  char digest[FERRY_DIGEST_LEN + 1];
  cleanup_free char *path = NULL;

  ferry_sha256_buffer (blob, strlen (blob), digest);
  path = ferry_store_blob_path (s, digest);
  return ferry_path_exists (path);
}

static size_t
strv_length (char **v)
{
  size_t n = 0;

  while (v[n])
    n++;
  return n;
}

static void
test_add_image_links_blobs (void **state)
{
  struct fixture *f = *state;
  static const char *const layers[][2] = { { "bottom", "bottom blob" }, { "top", "top blob" } };
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *blob_path = NULL;
  cleanup_free char *caller_file = NULL;
  cleanup_free char *text = NULL;
  struct ferry_new_image img;
  struct ferry_image *stored = NULL;
  char top[FERRY_DIGEST_LEN + 1];
  char diff_id[FERRY_DIGEST_LEN + 1];
  char config[1024];
  struct stat a, b;

  new_image (f->store, &img, "one", layers, 2);
  snprintf (config, sizeof (config), "%s", img.config);
  snprintf (top, sizeof (top), "%s", img.layers[1].blob_digest);
  assert_false (ferry_store_has_blob_file (f->store, top, diff_id));
  assert_int_equal (ferry_store_add_image (f->store, &img, &err), 0);

  /* The store's blob is the caller's file itself (a hard link), and the
   * caller's name stays, for the caller to remove.  */
  blob_path = ferry_store_blob_path (f->store, top);
  assert_int_equal (stat (blob_path, &a), 0);
  assert_int_equal (stat (img.layers[1].blob_file, &b), 0);
  assert_int_equal (a.st_ino, b.st_ino);
  text = read_text (blob_path);
  assert_string_equal (text, "top blob");
  assert_true (ferry_store_has_blob_file (f->store, top, diff_id));
  assert_string_equal (diff_id, img.layers[1].diff_id);

  caller_file = xstrdup (img.layers[0].blob_file);
  ferry_new_image_free (&img);
  assert_true (ferry_path_exists (caller_file));
  assert_int_equal (unlink (caller_file), 0);
  assert_true (blob_stored (f->store, "bottom blob"));

  assert_int_equal (ferry_store_lookup (f->store, "one", &stored, &err), 0);
  assert_string_equal (stored->config_text, config);
  ferry_image_free (stored);

  /* As for a layer stored before blobs were kept: a row and a directory but
   * no file, which a pull must fetch again.  */
  assert_int_equal (unlink (blob_path), 0);
  assert_true (ferry_store_has_blob (f->store, top, diff_id));
  assert_false (ferry_store_has_blob_file (f->store, top, diff_id));
}

/* A layer kept only as its blob (a checkpoint image's) gets no directory
 * and does not count as unpacked; an image that brings the same layer
 * unpacked moves its directory in, and removing either image leaves the
 * other whole.  */
static void
test_blob_only_layer (void **state)
{
  struct fixture *f = *state;
  static const char *const layers[][2] = { { "archive", "archive blob" } };
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *dir = NULL;
  struct ferry_remove_report report = { 0 };
  struct ferry_new_image img;
  char diff_id[FERRY_DIGEST_LEN + 1], blob[FERRY_DIGEST_LEN + 1];

  new_image (f->store, &img, "ckpt", layers, 1);
  img.layers[0].blob_only = true;
  assert_int_equal (ferry_rm_rf (img.layers[0].unpacked, &err), 0);
  free (img.layers[0].unpacked);
  img.layers[0].unpacked = NULL;
  snprintf (blob, sizeof (blob), "%s", img.layers[0].blob_digest);
  dir = ferry_store_layer_path (f->store, img.layers[0].diff_id);
  assert_int_equal (ferry_store_add_image (f->store, &img, &err), 0);
  assert_false (ferry_path_exists (dir));
  assert_false (ferry_store_has_layer (f->store, img.layers[0].diff_id));
  assert_true (ferry_store_has_blob_stored (f->store, blob, diff_id));
  assert_string_equal (diff_id, img.layers[0].diff_id);
  /* A pull of an ordinary image with this layer must unpack it.  */
  assert_false (ferry_store_has_blob_file (f->store, blob, diff_id));
  free_image (&img);

  new_image (f->store, &img, "plain", layers, 1);
  assert_int_equal (ferry_store_add_image (f->store, &img, &err), 0);
  free_image (&img);
  assert_true (ferry_path_exists (dir));
  assert_true (ferry_store_has_layer (f->store, diff_id));
  assert_true (ferry_store_has_blob_file (f->store, blob, diff_id));

  /* Another blob-only image of it leaves the directory unpacked.  */
  new_image (f->store, &img, "ckpt2", layers, 1);
  img.layers[0].blob_only = true;
  assert_int_equal (ferry_store_add_image (f->store, &img, &err), 0);
  free_image (&img);
  assert_true (ferry_store_has_layer (f->store, diff_id));

  assert_int_equal (ferry_store_remove (f->store, "ckpt", 0, &report, &err), 0);
  ferry_remove_report_free (&report);
  assert_int_equal (ferry_store_remove (f->store, "ckpt2", 0, &report, &err), 0);
  ferry_remove_report_free (&report);
  assert_true (ferry_path_exists (dir));
  assert_true (ferry_store_has_blob_file (f->store, blob, diff_id));
  assert_int_equal (ferry_store_remove (f->store, "plain", 0, &report, &err), 0);
  ferry_remove_report_free (&report);
  assert_false (ferry_path_exists (dir));
  assert_false (blob_stored (f->store, "archive blob"));
}

/* A caller that found a blob stored (and so brings no file for it) while
 * another ferry removed it: the add fails and records nothing, rather
 * than a blob row without its file.  */
static void
test_blob_removed_meanwhile (void **state)
{
  struct fixture *f = *state;
  static const char *const first[][2] = { { "shared", "blob A" } };
  static const char *const second[][2] = { { "shared", "blob B" } };
  cleanup_error ferry_error_t err = NULL;
  struct ferry_remove_report report;
  struct ferry_new_image img;
  struct ferry_image *found = NULL;
  char diff_id[FERRY_DIGEST_LEN + 1];

  add_image (f->store, "first", first, 1);
  /* A pull saw blob A stored: it would not fetch it...  */
  new_image (f->store, &img, "pulled", first, 1);
  assert_true (ferry_store_has_blob_file (f->store, img.layers[0].blob_digest, diff_id));
  assert_int_equal (unlink (img.layers[0].blob_file), 0);
  free (img.layers[0].blob_file);
  img.layers[0].blob_file = NULL;
  ferry_error_release (&err);
  {
    cleanup_error ferry_error_t ignored = NULL;
    ferry_rm_rf (img.layers[0].unpacked, &ignored);
  }
  free (img.layers[0].unpacked);
  img.layers[0].unpacked = NULL;
  /* ...then the image went, and the same layer came back from blob B.  */
  assert_int_equal (ferry_store_remove (f->store, "first", 0, &report, &err), 0);
  ferry_remove_report_free (&report);
  add_image (f->store, "second", second, 1);

  assert_int_equal (ferry_store_add_image (f->store, &img, &err), -1);
  assert_non_null (strstr (err->msg, "try again"));
  assert_false (ferry_store_has_blob (f->store, img.layers[0].blob_digest, diff_id));
  ferry_error_release (&err);
  assert_int_equal (ferry_store_lookup (f->store, "pulled", &found, &err), -1);
  free_image (&img);
}

static int
layer_stored (ferry_store_t *s, const char *name)
{
  char diff_id[FERRY_DIGEST_LEN + 1];
  cleanup_free char *path = NULL;

  ferry_sha256_buffer (name, strlen (name), diff_id);
  path = ferry_store_layer_path (s, diff_id);
  return ferry_path_exists (path);
}

/* A blob the store holds already, or one an image lists twice, is fine; a
 * blob file that cannot be linked undoes only the links this call made.  */
static void
test_failed_add_removes_only_its_links (void **state)
{
  struct fixture *f = *state;
  static const char *const first[][2] = { { "shared", "shared blob" } };
  static const char *const second[][2] = {
    { "shared", "shared blob" }, { "new", "new blob" }, { "new", "new blob" }, { "broken", "broken blob" }
  };
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *broken = NULL;
  struct ferry_new_image img;

  add_image (f->store, "first", first, 1);
  new_image (f->store, &img, "second", second, 4);
  broken = steal_pointer (&img.layers[3].blob_file);
  assert_int_equal (unlink (broken), 0);
  img.layers[3].blob_file = xasprintf ("%s/no-such-file", ferry_store_tmp_dir (f->store));
  assert_true (ferry_store_add_image (f->store, &img, &err) < 0);
  assert_int_equal (err->status, ENOENT);
  assert_non_null (strstr (err->msg, img.layers[3].blob_digest));
  free (steal_pointer (&img.layers[3].blob_file));
  free_image (&img);

  assert_true (blob_stored (f->store, "shared blob"));
  assert_true (layer_stored (f->store, "shared"));
  assert_false (blob_stored (f->store, "new blob"));
  assert_false (layer_stored (f->store, "new"));
  assert_false (layer_stored (f->store, "broken"));
}

/* A blob file no row claims is what a crash or a failed removal left: its
 * data may never have reached the disk, so it is replaced.  */
static void
test_orphaned_blob_is_replaced (void **state)
{
  struct fixture *f = *state;
  static const char *const layers[][2] = { { "l", "the real blob" } };
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *path = NULL;
  cleanup_free char *text = NULL;
  struct ferry_new_image img;

  new_image (f->store, &img, "img", layers, 1);
  path = ferry_store_blob_path (f->store, img.layers[0].blob_digest);
  write_file (path, "torn");
  assert_int_equal (ferry_store_add_image (f->store, &img, &err), 0);
  free_image (&img);
  text = read_text (path);
  assert_string_equal (text, "the real blob");
}

static void
test_remove_drops_blobs_and_locations (void **state)
{
  struct fixture *f = *state;
  static const char *const a_layers[][2] = { { "base", "base blob" }, { "a", "a blob" } };
  static const char *const b_layers[][2] = { { "base", "base blob" }, { "b", "b blob" } };
  cleanup_error ferry_error_t err = NULL;
  struct ferry_remove_report report;
  struct ferry_image *a = NULL;
  char base[FERRY_DIGEST_LEN + 1], a_blob[FERRY_DIGEST_LEN + 1], unknown[FERRY_DIGEST_LEN + 1];
  char **repos;

  add_image (f->store, "a", a_layers, 2);
  add_image (f->store, "b", b_layers, 2);
  assert_int_equal (ferry_store_lookup (f->store, "a", &a, &err), 0);
  ferry_sha256_buffer ("base blob", 9, base);
  ferry_sha256_buffer ("a blob", 6, a_blob);
  ferry_sha256_buffer ("nowhere", 7, unknown);

  assert_int_equal (ferry_store_add_blob_location (f->store, base, "r.example", "z/base", &err), 0);
  assert_int_equal (ferry_store_add_blob_location (f->store, base, "r.example", "a/base", &err), 0);
  assert_int_equal (ferry_store_add_blob_location (f->store, base, "r.example", "a/base", &err), 0);
  assert_int_equal (ferry_store_add_blob_location (f->store, base, "other.example", "x", &err), 0);
  assert_int_equal (ferry_store_add_blob_location (f->store, a_blob, "r.example", "a", &err), 0);
  assert_int_equal (ferry_store_add_blob_location (f->store, a->config_digest, "r.example", "a", &err), 0);
  /* Not in the store: nothing to mount from, nothing recorded.  */
  assert_int_equal (ferry_store_add_blob_location (f->store, unknown, "r.example", "a", &err), 0);

  repos = ferry_store_blob_repositories (f->store, base, "r.example");
  assert_int_equal (strv_length (repos), 2);
  assert_string_equal (repos[0], "a/base");
  assert_string_equal (repos[1], "z/base");
  ferry_cleanup_strvp (&repos);
  repos = ferry_store_blob_repositories (f->store, unknown, "r.example");
  assert_non_null (repos);
  assert_null (repos[0]);
  ferry_cleanup_strvp (&repos);

  /* The shared layer stays with its blob and locations; A's own go.  */
  assert_int_equal (ferry_store_remove (f->store, "a", 0, &report, &err), 0);
  ferry_remove_report_free (&report);
  assert_true (blob_stored (f->store, "base blob"));
  assert_false (blob_stored (f->store, "a blob"));
  assert_true (blob_stored (f->store, "b blob"));
  repos = ferry_store_blob_repositories (f->store, base, "r.example");
  assert_int_equal (strv_length (repos), 2);
  ferry_cleanup_strvp (&repos);
  repos = ferry_store_blob_repositories (f->store, a_blob, "r.example");
  assert_null (repos[0]);
  ferry_cleanup_strvp (&repos);
  repos = ferry_store_blob_repositories (f->store, a->config_digest, "r.example");
  assert_null (repos[0]);
  ferry_cleanup_strvp (&repos);

  assert_int_equal (ferry_store_remove (f->store, "b", 0, &report, &err), 0);
  ferry_remove_report_free (&report);
  assert_false (blob_stored (f->store, "base blob"));
  assert_false (blob_stored (f->store, "b blob"));
  repos = ferry_store_blob_repositories (f->store, base, "other.example");
  assert_null (repos[0]);
  ferry_cleanup_strvp (&repos);
  ferry_image_free (a);
}

/* Asserts that ferry_store_lookup of REF fails with a message naming the
 * damage (WHAT) and the way out, and that `images` fails the same way.  */
static void
assert_damaged (ferry_store_t *s, const char *ref, const char *what)
{
  cleanup_error ferry_error_t err = NULL;
  struct ferry_image *img = NULL;
  struct ferry_image **all = NULL;
  size_t n = 0;

  assert_true (ferry_store_lookup (s, ref, &img, &err) < 0);
  assert_null (img);
  if (strstr (err->msg, "in the store is damaged") == NULL || strstr (err->msg, what) == NULL
      || strstr (err->msg, "ferry rmi") == NULL || strchr (err->msg, '\n') != NULL)
    fail_msg ("unexpected message: %s", err->msg);
  ferry_error_release (&err);
  assert_true (ferry_store_list (s, &all, &n, &err) < 0);
  assert_non_null (strstr (err->msg, what));
}

/* ... and that the damaged image can still be removed, with its layers.  */
static void
assert_removable (ferry_store_t *s, const char *ref)
{
  cleanup_error ferry_error_t err = NULL;
  struct ferry_remove_report report;
  struct ferry_image *img = NULL;

  if (ferry_store_remove (s, ref, 0, &report, &err) < 0)
    fail_msg ("ferry_store_remove: %s", err->msg);
  ferry_remove_report_free (&report);
  assert_true (ferry_store_lookup (s, ref, &img, &err) < 0);
  assert_int_equal (err->kind, FERRY_ERROR_NOT_FOUND);
}

static void
run_sql (ferry_store_t *s, const char *sql)
{
  char *msg = NULL;

  if (sqlite3_exec (ferry_db_handle (ferry_store_db (s)), sql, NULL, NULL, &msg) != SQLITE_OK)
    fail_msg ("%s: %s", sql, msg);
}

/* A config the store was given (it trusts its caller) but that a container
 * could not be made from is refused when read back, not handed on.  */
static void
test_bad_stored_config_refused (void **state)
{
  struct fixture *f = *state;
  static const char *const layers[][2] = { { "one", "one blob" } };
  static const char *const bad[][2] = {
    { "\"config\": {\"Env\": \"PATH=/bin\"},", "field `config.Env` must be an array of strings, not string" },
    { "\"config\": {\"Cmd\": [null]},", "field `config.Cmd[0]` must be a string, not null" },
    { "\"config\": {\"Entrypoint\": [\"/bin/sh\", 5]},",
      "field `config.Entrypoint[1]` must be a string, not int" },
    { "\"config\": {\"Labels\": {\"a\": 1}},", "field `config.Labels.a` must be a string, not int" },
    { "\"history\": [5],", "field `history[0]` must be an object, not int" },
  };
  size_t i;

  for (i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    {
      cleanup_error ferry_error_t err = NULL;
      struct ferry_new_image img;

      new_image_with (f->store, &img, "bad", layers, 1, bad[i][0]);
      if (ferry_store_add_image (f->store, &img, &err) < 0)
        fail_msg ("ferry_store_add_image: %s", err->msg);
      free_image (&img);
      assert_damaged (f->store, "bad", bad[i][1]);
      assert_removable (f->store, "bad");
    }
  /* Go's empty lists are null: a config with them is fine.  */
  {
    cleanup_error ferry_error_t err = NULL;
    struct ferry_new_image img;
    struct ferry_image *stored = NULL;

    new_image_with (f->store, &img, "nulls", layers, 1,
                    "\"config\": {\"Env\": null, \"Cmd\": null, \"Entrypoint\": null, \"Labels\": null}, "
                    "\"history\": null,");
    assert_int_equal (ferry_store_add_image (f->store, &img, &err), 0);
    free_image (&img);
    if (ferry_store_lookup (f->store, "nulls", &stored, &err) < 0)
      fail_msg ("ferry_store_lookup: %s", err->msg);
    ferry_image_free (stored);
  }
}

/* Rows changed behind the store's back (another program, a bad disk):
 * refused with a message naming the image, and still removable.  */
static void
test_tampered_rows_refused (void **state)
{
  struct fixture *f = *state;
  static const char *const layers[][2] = { { "t1", "t1 blob" }, { "t2", "t2 blob" } };
  static const char *const tamper[][2] = {
    { "UPDATE images SET config = 'not json'", "its config is not valid JSON" },
    { "UPDATE images SET config = '[1]'", "its config: must be a JSON object, not array" },
    { "UPDATE images SET config = json_set (config, '$.rootfs.diff_ids', json_array (5))",
      "field `rootfs.diff_ids[0]` must be a string, not int" },
    { "UPDATE images SET manifest = json_set (manifest, '$.layers', 'x')",
      "its manifest: field `layers` must be an array of descriptors, not string" },
    { "UPDATE images SET manifest = json_set (manifest, '$.layers[1].size', -1)",
      "field `layers[1].size` must be a size in bytes, not -1" },
    { "UPDATE images SET manifest = json_set (manifest, '$.schemaVersion', 1)",
      "field `schemaVersion` must be 2, not 1" },
    { "UPDATE images SET manifest = json_set (manifest, '$.config', 'x')",
      "field `config` must be an object, not string" },
    { "UPDATE images SET config_digest = 'sha256:x'", "its digests are not sha256 digests" },
    { "UPDATE image_layers SET diff_id = '' WHERE position = 1", "its layer 1 has no valid diff_id" },
    { "DELETE FROM image_layers WHERE position = 1", "it has 1 layers but its config names 2" },
  };
  size_t i;

  for (i = 0; i < sizeof (tamper) / sizeof (tamper[0]); i++)
    {
      add_image (f->store, "t", layers, 2);
      run_sql (f->store, "PRAGMA foreign_keys = OFF");
      run_sql (f->store, tamper[i][0]);
      run_sql (f->store, "PRAGMA foreign_keys = ON");
      assert_damaged (f->store, "t", tamper[i][1]);
      assert_removable (f->store, "t");
    }
  /* What the last removal could find of the layers went with it.  */
  assert_false (blob_stored (f->store, "t1 blob"));
}

/* The checks themselves, on documents no test image has.  */
static void
test_schema (void **state)
{
  static const struct
  {
    int (*check) (json_object *, ferry_error_t *);
    const char *json;
    const char *refusal; /* NULL: accepted */
  } cases[] = {
#define DG "\"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\""
#define DESC "{\"mediaType\": \"m\", \"digest\": " DG ", \"size\": 1}"
    { ferry_image_check_index, "{\"schemaVersion\": 2, \"manifests\": [" DESC "]}", NULL },
    { ferry_image_check_index, "{\"schemaVersion\": 2, \"manifests\": {}}",
      "field `manifests` must be an array of descriptors, not object" },
    { ferry_image_check_index, "{\"schemaVersion\": 2}", "field `manifests` is missing" },
    { ferry_image_check_index, "{\"schemaVersion\": \"2\", \"manifests\": []}",
      "field `schemaVersion` must be 2, not string" },
    { ferry_image_check_index, "{\"schemaVersion\": 2, \"manifests\": [\"x\"]}",
      "field `manifests[0]` must be an object, not string" },
    { ferry_image_check_index,
      "{\"schemaVersion\": 2, \"manifests\": [{\"digest\": " DG ", \"size\": 1, \"platform\": \"linux\"}]}",
      "field `manifests[0].platform` must be an object, not string" },
    { ferry_image_check_index,
      "{\"schemaVersion\": 2, \"manifests\": [{\"digest\": " DG
      ", \"size\": 1, \"platform\": {\"os\": \"linux\", \"architecture\": 64}}]}",
      "field `manifests[0].platform.architecture` must be a string, not int" },
    { ferry_image_check_index, "{\"schemaVersion\": 2, \"manifests\": [{\"digest\": 5, \"size\": 1}]}",
      "field `manifests[0].digest` must be a string, not int" },
    { ferry_image_check_index, "{\"schemaVersion\": 2, \"manifests\": [{\"digest\": " DG ", \"size\": 1.5}]}",
      "field `manifests[0].size` must be a size in bytes (an integer), not double" },
    { ferry_image_check_index,
      "{\"schemaVersion\": 2, \"manifests\": [{\"digest\": " DG
      ", \"size\": 1, \"annotations\": {\"org.opencontainers.image.ref.name\": 5}}]}",
      "field `manifests[0].annotations.org.opencontainers.image.ref.name` must be a string, not int" },
    { ferry_image_check_manifest, "{\"schemaVersion\": 2, \"config\": " DESC ", \"layers\": [" DESC "]}",
      NULL },
    { ferry_image_check_manifest, "{\"schemaVersion\": 2, \"config\": " DESC ", \"layers\": [" DESC ", 5]}",
      "field `layers[1]` must be an object, not int" },
    { ferry_image_check_manifest,
      "{\"schemaVersion\": 2, \"mediaType\": [], \"config\": " DESC ", \"layers\": []}",
      "field `mediaType` must be a string, not array" },
    { ferry_image_check_manifest,
      "{\"schemaVersion\": 2, \"config\": {\"mediaType\": \"m\", \"digest\": \"sha256:abc\", \"size\": 1}, "
      "\"layers\": []}",
      "field `config.digest` must be a sha256 digest (sha256: and 64 lowercase hex digits), not "
      "`sha256:abc`" },
    { ferry_image_check_manifest,
      "{\"schemaVersion\": 2, \"config\": {\"digest\": " DG ", \"size\": 1}, \"layers\": []}",
      "field `config.mediaType` is missing" },
    { ferry_image_check_manifest,
      "{\"schemaVersion\": 2, \"config\": " DESC ", \"layers\": [{\"mediaType\": \"m\", \"digest\": " DG
      "}]}",
      "field `layers[0].size` is missing" },
    { ferry_image_check_manifest,
      "{\"schemaVersion\": 2, \"config\": {\"mediaType\": \"m\", \"digest\": \"sha256:01\\u0000\", \"size\": "
      "1}, "
      "\"layers\": []}",
      "field `config.digest` holds a NUL byte" },
    { ferry_image_check_config, "{\"rootfs\": {\"type\": \"layers\", \"diff_ids\": [" DG "]}}", NULL },
    { ferry_image_check_config, "{\"rootfs\": {\"type\": \"tarballs\", \"diff_ids\": []}}",
      "field `rootfs.type` must be \"layers\", not `tarballs`" },
    { ferry_image_check_config, "{\"rootfs\": {\"diff_ids\": \"x\"}}",
      "field `rootfs.diff_ids` must be an array of digests, not string" },
    { ferry_image_check_config, "{\"rootfs\": {\"diff_ids\": [\"sha256:ABC\"]}}",
      "field `rootfs.diff_ids[0]` must be a sha256 digest" },
    { ferry_image_check_config, "{\"config\": \"x\", \"rootfs\": {\"diff_ids\": []}}",
      "field `config` must be an object, not string" },
    { ferry_image_check_config, "{\"config\": {\"WorkingDir\": 1}, \"rootfs\": {\"diff_ids\": []}}",
      "field `config.WorkingDir` must be a string, not int" },
    { ferry_image_check_config, "{\"config\": {\"Volumes\": [\"/data\"]}, \"rootfs\": {\"diff_ids\": []}}",
      "field `config.Volumes` must be an object, not array" },
    { ferry_image_check_config, "{\"history\": [{\"empty_layer\": \"yes\"}], \"rootfs\": {\"diff_ids\": []}}",
      "field `history[0].empty_layer` must be true or false, not string" },
    { ferry_image_check_config, "{\"created\": 0, \"rootfs\": {\"diff_ids\": []}}",
      "field `created` must be a string, not int" },
    { ferry_image_check_docker_manifest,
      "[{\"Config\": \"c.json\", \"Layers\": [\"l.tar\"], \"RepoTags\": null}]", NULL },
    { ferry_image_check_docker_manifest,
      "[{\"Config\": \"c.json\", \"Layers\": [\"l.tar\"], \"RepoTags\": [5]}]",
      "field `[0].RepoTags[0]` must be a string, not int" },
    { ferry_image_check_docker_manifest, "[{\"Config\": \"c.json\", \"Layers\": \"l.tar\"}]",
      "field `[0].Layers` must be an array of strings, not string" },
    { ferry_image_check_docker_manifest, "{}", "must be a list of images, not object" },
#undef DESC
#undef DG
  };
  size_t i;

  (void) state;
  for (i = 0; i < sizeof (cases) / sizeof (cases[0]); i++)
    {
      cleanup_error ferry_error_t err = NULL;
      cleanup_json json_object *doc = ferry_json_parse (cases[i].json, strlen (cases[i].json), "case", &err);
      int r;

      if (doc == NULL)
        fail_msg ("case %zu: %s", i, err->msg);
      r = cases[i].check (doc, &err);
      if (cases[i].refusal == NULL && r < 0)
        fail_msg ("case %zu refused: %s", i, err->msg);
      if (cases[i].refusal && (r == 0 || strstr (err->msg, cases[i].refusal) == NULL))
        fail_msg ("case %zu: expected \"%s\", got \"%s\"", i, cases[i].refusal,
                  r == 0 ? "(accepted)" : err->msg);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_add_image_links_blobs, setup, teardown),
    cmocka_unit_test_setup_teardown (test_failed_add_removes_only_its_links, setup, teardown),
    cmocka_unit_test_setup_teardown (test_blob_removed_meanwhile, setup, teardown),
    cmocka_unit_test_setup_teardown (test_blob_only_layer, setup, teardown),
    cmocka_unit_test_setup_teardown (test_orphaned_blob_is_replaced, setup, teardown),
    cmocka_unit_test_setup_teardown (test_remove_drops_blobs_and_locations, setup, teardown),
    cmocka_unit_test_setup_teardown (test_bad_stored_config_refused, setup, teardown),
    cmocka_unit_test_setup_teardown (test_tampered_rows_refused, setup, teardown),
    cmocka_unit_test (test_schema),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
