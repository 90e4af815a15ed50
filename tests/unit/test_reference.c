/* Unit tests for image references: parsing, normalisation, refusals.  */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "image/reference.h"
#include "util/cleanup.h"

static void
expect_ref (const char *in, enum ferry_reference_default def, const char *want)
{
  struct ferry_reference r;
  ferry_error_t err = NULL;
  cleanup_free char *got = NULL;

  assert_int_equal (ferry_reference_parse (in, def, &r, &err), 0);
  got = ferry_reference_string (&r);
  assert_string_equal (got, want);
  ferry_reference_free (&r);
}

static void
expect_refused (const char *in)
{
  struct ferry_reference r;
  ferry_error_t err = NULL;

  assert_true (ferry_reference_parse (in, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, &err) < 0);
  assert_non_null (err);
  assert_non_null (strstr (err->msg, in));
  ferry_error_release (&err);
}

static void
test_short_names_docker_io (void **state)
{
  (void) state;
  expect_ref ("busybox", FERRY_REFERENCE_DEFAULT_DOCKER_IO, "docker.io/library/busybox:latest");
  expect_ref ("busybox:1.36", FERRY_REFERENCE_DEFAULT_DOCKER_IO, "docker.io/library/busybox:1.36");
  expect_ref ("me/app", FERRY_REFERENCE_DEFAULT_DOCKER_IO, "docker.io/me/app:latest");
}

static void
test_short_names_localhost (void **state)
{
  (void) state;
  expect_ref ("myimage", FERRY_REFERENCE_DEFAULT_LOCALHOST, "localhost/myimage:latest");
  expect_ref ("me/app:v2", FERRY_REFERENCE_DEFAULT_LOCALHOST, "localhost/me/app:v2");
}

static void
test_registries (void **state)
{
  (void) state;
  expect_ref ("localhost/x", FERRY_REFERENCE_DEFAULT_DOCKER_IO, "localhost/x:latest");
  expect_ref ("127.0.0.1:5000/a/b:t", FERRY_REFERENCE_DEFAULT_DOCKER_IO, "127.0.0.1:5000/a/b:t");
  expect_ref ("quay.io/podman/stable", FERRY_REFERENCE_DEFAULT_LOCALHOST, "quay.io/podman/stable:latest");
  assert_true (ferry_reference_is_short ("busybox"));
  assert_true (ferry_reference_is_short ("me/app:1"));
  assert_false (ferry_reference_is_short ("localhost/app"));
  assert_false (ferry_reference_is_short ("registry:5000/app"));
}

static void
test_digests (void **state)
{
  static const char d[] = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  struct ferry_reference r;
  ferry_error_t err = NULL;
  cleanup_free char *in = NULL, *want = NULL;

  (void) state;
  in = malloc (200);
  snprintf (in, 200, "busybox@%s", d);
  assert_int_equal (ferry_reference_parse (in, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, &err), 0);
  assert_null (r.tag);
  assert_string_equal (r.digest, d);
  ferry_reference_free (&r);

  want = malloc (200);
  snprintf (want, 200, "docker.io/library/busybox:1@%s", d);
  snprintf (in, 200, "busybox:1@%s", d);
  expect_ref (in, FERRY_REFERENCE_DEFAULT_DOCKER_IO, want);
  expect_refused ("busybox@sha256:1234");
  expect_refused ("busybox@md5:ba7816bf8f01cfea414140de5dae2223");
}

static void
test_refused (void **state)
{
  (void) state;
  expect_refused ("UPPER");
  expect_refused ("a//b");
  expect_refused ("name:");
  expect_refused ("name:-bad");
  expect_refused ("na me");
  expect_refused ("");
}

/* `.` and `..` are never a name component, nor a registry: a name taken
 * from an archive or a registry builds URLs and paths.  */
static void
test_dot_components_refused (void **state)
{
  (void) state;
  expect_refused ("../../x");
  expect_refused ("a/../b");
  expect_refused ("a/./b");
  expect_refused ("docker.io/..");
  expect_refused ("..:5000/x");
  expect_refused ("a..b");
  expect_refused ("-a/b");
  expect_refused ("a-/b");
  expect_refused ("a_/b");
  expect_refused ("reg-.io/x");
  expect_refused ("reg.io:50a/x");
  expect_refused ("reg..io/x");
  expect_ref ("a__b/c--d/e.f_g:1", FERRY_REFERENCE_DEFAULT_LOCALHOST, "localhost/a__b/c--d/e.f_g:1");
  expect_ref ("my-reg.example:5000/team/app", FERRY_REFERENCE_DEFAULT_DOCKER_IO,
              "my-reg.example:5000/team/app:latest");
  expect_ref ("[::1]:5000/x", FERRY_REFERENCE_DEFAULT_DOCKER_IO, "[::1]:5000/x:latest");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_short_names_docker_io),
    cmocka_unit_test (test_short_names_localhost),
    cmocka_unit_test (test_registries),
    cmocka_unit_test (test_digests),
    cmocka_unit_test (test_refused),
    cmocka_unit_test (test_dot_components_refused),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
