/* Unit tests for manifest lists: the texts add, annotate, remove and
 * convert make, and the type Podman would give each.  */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "image/manifest_list.h"
#include "image/media.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

#define DIGEST_A "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DIGEST_B "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* A stored image as far as a list looks at it: manifest, digest, config.  */
static struct ferry_image *
fake_image (const char *digest, const char *media_type, const char *arch)
{
  struct ferry_image *img = xmalloc0 (sizeof (*img));

  img->manifest
      = xasprintf ("{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{},\"layers\":[]}", media_type);
  img->manifest_digest = xstrdup (digest);
  img->config = json_tokener_parse (arch ? "{\"os\":\"linux\",\"architecture\":\"amd64\"}" : "{}");
  if (arch)
    json_object_object_add (img->config, "architecture", json_object_new_string (arch));
  return img;
}

static json_object *
parsed (const char *text)
{
  json_object *m = json_tokener_parse (text);

  assert_non_null (m);
  return m;
}

static void
test_empty_list_is_docker_with_no_entries (void **state)
{
  cleanup_free char *text = ferry_manifest_list_new (NULL);
  cleanup_json json_object *m = parsed (text);
  cleanup_json json_object *shown = NULL;
  ferry_error_t err = NULL;

  (void) state;
  assert_string_equal (ferry_json_get_string (m, "mediaType"), FERRY_MEDIA_DOCKER_LIST);
  assert_int_equal (json_object_array_length (ferry_json_get_array (m, "manifests")), 0);
  /* inspect shows an empty list's manifests as null, as Podman does.  */
  shown = ferry_manifest_list_inspect (text, &err);
  assert_non_null (shown);
  assert_true (json_object_object_get_ex (shown, "manifests", NULL));
  assert_null (json_object_object_get (shown, "manifests"));
}

static void
test_add_replace_and_types (void **state)
{
  struct ferry_image *a = fake_image (DIGEST_A, FERRY_MEDIA_OCI_MANIFEST, "arm64");
  struct ferry_image *b = fake_image (DIGEST_B, FERRY_MEDIA_DOCKER_MANIFEST, NULL);
  struct ferry_list_platform none = { 0 }, variant = { .variant = "v8" };
  cleanup_free char *empty = ferry_manifest_list_new (NULL);
  cleanup_free char *one = NULL, *two = NULL, *again = NULL;
  cleanup_json json_object *m = NULL, *m2 = NULL;
  json_object *e;
  ferry_error_t err = NULL;

  (void) state;
  one = ferry_manifest_list_add_image (empty, a, &none, &err);
  assert_non_null (one);
  m = parsed (one);
  /* Holding an image, the list is an OCI index, as Podman makes it.  */
  assert_string_equal (ferry_json_get_string (m, "mediaType"), FERRY_MEDIA_OCI_INDEX);
  e = json_object_array_get_idx (ferry_json_get_array (m, "manifests"), 0);
  assert_string_equal (ferry_json_get_string (e, "digest"), DIGEST_A);
  assert_int_equal (ferry_json_get_int (e, "size", -1), (int64_t) strlen (a->manifest));
  assert_string_equal (ferry_json_get_string (ferry_json_get_object (e, "platform"), "architecture"),
                       "arm64");

  /* An image whose config names no platform needs --os and --arch.  */
  assert_null (ferry_manifest_list_add_image (one, b, &none, &err));
  assert_non_null (strstr (err->msg, "--os and --arch"));
  ferry_error_release (&err);
  {
    struct ferry_list_platform given = { .os = "linux", .arch = "riscv64" };
    two = ferry_manifest_list_add_image (one, b, &given, &err);
  }
  assert_non_null (two);
  /* The same digest again replaces its entry.  */
  again = ferry_manifest_list_add_image (two, a, &variant, &err);
  assert_non_null (again);
  m2 = parsed (again);
  assert_int_equal (json_object_array_length (ferry_json_get_array (m2, "manifests")), 2);
  e = json_object_array_get_idx (ferry_json_get_array (m2, "manifests"), 0);
  assert_string_equal (ferry_json_get_string (ferry_json_get_object (e, "platform"), "variant"), "v8");
  ferry_image_free (a);
  ferry_image_free (b);
}

static void
test_annotate_remove_convert (void **state)
{
  struct ferry_image *b = fake_image (DIGEST_B, FERRY_MEDIA_DOCKER_MANIFEST, "amd64");
  char *features[] = { (char *) "sse4", NULL };
  struct ferry_list_platform none = { 0 }, feat = { .features = features };
  cleanup_free char *empty = ferry_manifest_list_new (NULL);
  cleanup_free char *one = NULL, *featured = NULL, *annotated = NULL, *removed = NULL, *oci = NULL,
                    *v2s2 = NULL;
  cleanup_json json_object *m = NULL, *a = parsed ("{\"k\":\"v\"}");
  ferry_error_t err = NULL;

  (void) state;
  one = ferry_manifest_list_add_image (empty, b, &none, &err);
  featured = ferry_manifest_list_annotate (one, DIGEST_B, &feat, NULL, &err);
  assert_non_null (featured);
  /* Platform features are Docker's: Podman then writes Docker's list.  */
  m = parsed (featured);
  assert_string_equal (ferry_json_get_string (m, "mediaType"), FERRY_MEDIA_DOCKER_LIST);
  json_object_put (m);
  /* Annotations only an index holds: the index wins.  */
  annotated = ferry_manifest_list_annotate (featured, NULL, &none, a, &err);
  m = parsed (annotated);
  assert_string_equal (ferry_json_get_string (m, "mediaType"), FERRY_MEDIA_OCI_INDEX);
  json_object_put (m);
  m = NULL;

  /* An entry that is not there: refused, kind NOT_FOUND.  */
  assert_null (ferry_manifest_list_annotate (one, DIGEST_A, &feat, NULL, &err));
  assert_int_equal (err->kind, FERRY_ERROR_NOT_FOUND);
  ferry_error_release (&err);
  assert_null (ferry_manifest_list_remove (one, DIGEST_A, &err));
  assert_int_equal (err->kind, FERRY_ERROR_NOT_FOUND);
  ferry_error_release (&err);
  removed = ferry_manifest_list_remove (annotated, DIGEST_B, &err);
  assert_non_null (removed);
  m = parsed (removed);
  assert_int_equal (json_object_array_length (ferry_json_get_array (m, "manifests")), 0);

  oci = ferry_manifest_list_convert (featured, "oci", NULL, &err);
  assert_non_null (strstr (oci, FERRY_MEDIA_OCI_INDEX));
  /* Docker's list holds no annotations: they go.  */
  v2s2 = ferry_manifest_list_convert (annotated, "v2s2", NULL, &err);
  assert_non_null (strstr (v2s2, FERRY_MEDIA_DOCKER_LIST));
  assert_null (strstr (v2s2, "annotations"));
  ferry_image_free (b);
}

static void
test_bad_list_refused (void **state)
{
  struct ferry_list_platform none = { 0 };
  ferry_error_t err = NULL;

  (void) state;
  assert_null (
      ferry_manifest_list_annotate ("{\"schemaVersion\":2,\"manifests\":{}}", NULL, &none, NULL, &err));
  assert_non_null (err);
  ferry_error_release (&err);
  assert_null (ferry_manifest_list_remove ("not json", DIGEST_A, &err));
  assert_non_null (err);
  ferry_error_release (&err);
}

#define DIGEST_C "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define DIGEST_D "sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"

/* What a push sends: changed entries (with the zstd mark), copies
 * appended, the marked ones last in their order, as Podman sorts them.  */
static void
test_for_push_marks_and_order (void **state)
{
  struct ferry_image *a = fake_image (DIGEST_A, FERRY_MEDIA_OCI_MANIFEST, "amd64");
  struct ferry_image *b = fake_image (DIGEST_B, FERRY_MEDIA_OCI_MANIFEST, "arm64");
  cleanup_free char *one = NULL, *two = NULL, *pushed = NULL;
  cleanup_json json_object *changed = json_object_new_object (), *added = json_object_new_array ();
  cleanup_json json_object *m = NULL;
  json_object *d, *mark, *entries;
  ferry_error_t err = NULL;
  struct ferry_list_platform none = { 0 };

  (void) state;
  one = ferry_manifest_list_add_image (
      "{\"schemaVersion\":2,\"mediaType\":\"" FERRY_MEDIA_OCI_INDEX "\",\"manifests\":[]}", a, &none, &err);
  assert_non_null (one);
  two = ferry_manifest_list_add_image (one, b, &none, &err);
  assert_non_null (two);
  /* A's image went with zstd layers: it is marked, under its new digest.  */
  d = json_object_new_object ();
  json_object_object_add (d, "digest", json_object_new_string (DIGEST_C));
  mark = json_object_new_object ();
  json_object_object_add (mark, FERRY_ANNOTATION_ZSTD, json_object_new_string ("true"));
  json_object_object_add (d, "annotations", mark);
  json_object_object_add (changed, DIGEST_A, d);
  /* A zstd copy of B.  */
  d = json_object_new_object ();
  json_object_object_add (d, "mediaType", json_object_new_string (FERRY_MEDIA_OCI_MANIFEST));
  json_object_object_add (d, "size", json_object_new_int (10));
  json_object_object_add (d, "digest", json_object_new_string (DIGEST_D));
  json_object_object_add (d, "annotations", json_object_get (mark));
  json_object_array_add (added, d);
  pushed = ferry_manifest_list_for_push (two, NULL, changed, added, &err);
  assert_non_null (pushed);
  m = parsed (pushed);
  entries = ferry_json_get_array (m, "manifests");
  assert_int_equal (json_object_array_length (entries), 3);
  assert_string_equal (ferry_json_get_string (json_object_array_get_idx (entries, 0), "digest"), DIGEST_B);
  assert_string_equal (ferry_json_get_string (json_object_array_get_idx (entries, 1), "digest"), DIGEST_C);
  assert_string_equal (ferry_json_get_string (json_object_array_get_idx (entries, 2), "digest"), DIGEST_D);
  assert_true (
      ferry_json_string_equals (ferry_json_get_object (json_object_array_get_idx (entries, 1), "annotations"),
                                FERRY_ANNOTATION_ZSTD, "true"));
  /* The stored list is as it was: convert alone neither sorts nor adds.  */
  json_object_put (m);
  m = parsed (two);
  assert_string_equal (
      ferry_json_get_string (json_object_array_get_idx (ferry_json_get_array (m, "manifests"), 0), "digest"),
      DIGEST_A);
  ferry_image_free (a);
  ferry_image_free (b);
}

/* A subject makes the list an OCI index; inspect shows Podman's empty
 * platform, which the stored text does not have.  */
static void
test_subject (void **state)
{
  cleanup_free char *empty = ferry_manifest_list_new (NULL), *with = NULL;
  cleanup_json json_object *subject = json_object_new_object (), *m = NULL, *shown = NULL;
  ferry_error_t err = NULL;

  (void) state;
  json_object_object_add (subject, "mediaType", json_object_new_string (FERRY_MEDIA_OCI_MANIFEST));
  json_object_object_add (subject, "size", json_object_new_int (559));
  json_object_object_add (subject, "digest", json_object_new_string (DIGEST_A));
  with = ferry_manifest_list_set_subject (empty, subject, &err);
  assert_non_null (with);
  m = parsed (with);
  assert_string_equal (ferry_json_get_string (m, "mediaType"), FERRY_MEDIA_OCI_INDEX);
  assert_string_equal (ferry_json_get_string (ferry_json_get_object (m, "subject"), "digest"), DIGEST_A);
  assert_null (ferry_json_get_object (ferry_json_get_object (m, "subject"), "platform"));
  shown = ferry_manifest_list_inspect (with, &err);
  assert_non_null (shown);
  assert_true (ferry_json_string_equals (
      ferry_json_get_object (ferry_json_get_object (shown, "subject"), "platform"), "os", ""));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_empty_list_is_docker_with_no_entries),
    cmocka_unit_test (test_add_replace_and_types),
    cmocka_unit_test (test_annotate_remove_convert),
    cmocka_unit_test (test_bad_list_refused),
    cmocka_unit_test (test_for_push_marks_and_order),
    cmocka_unit_test (test_subject),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
