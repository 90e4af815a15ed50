/* Unit tests for image transports: which text names which transport, how
 * the path, reference and index split, and what is refused.  */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "image/transport.h"

static void
expect_parsed (const char *in, enum ferry_transport t, const char *path, const char *ref, int index)
{
  struct ferry_transport_ref r;
  ferry_error_t err = NULL;

  assert_int_equal (ferry_transport_parse (in, &r, &err), 0);
  assert_null (err);
  assert_int_equal (r.transport, t);
  if (path)
    assert_string_equal (r.path, path);
  else
    assert_null (r.path);
  if (ref)
    assert_string_equal (r.ref, ref);
  else
    assert_null (r.ref);
  assert_int_equal (r.index, index);
  ferry_transport_ref_free (&r);
}

/* Refused with a message holding WANT.  */
static void
expect_refused (const char *in, const char *want)
{
  struct ferry_transport_ref r;
  ferry_error_t err = NULL;

  assert_true (ferry_transport_parse (in, &r, &err) < 0);
  assert_non_null (err);
  if (strstr (err->msg, want) == NULL)
    fail_msg ("`%s`: message `%s` lacks `%s`", in, err->msg, want);
  assert_null (strchr (err->msg, '\n'));
  assert_null (r.path);
  assert_null (r.ref);
  ferry_error_release (&err);
}

static void
test_names_without_transport (void **state)
{
  (void) state;
  expect_parsed ("busybox", FERRY_TRANSPORT_NONE, NULL, "busybox", -1);
  /* A registry's port, a tag: no transport's name before the colon.  */
  expect_parsed ("localhost:5000/x:1", FERRY_TRANSPORT_NONE, NULL, "localhost:5000/x:1", -1);
  expect_parsed ("oci-test:latest", FERRY_TRANSPORT_NONE, NULL, "oci-test:latest", -1);
  /* docker is a transport only as docker://; "docker:x" is a tag.  */
  expect_parsed ("docker:x", FERRY_TRANSPORT_NONE, NULL, "docker:x", -1);
  assert_false (ferry_transport_is_prefixed ("docker:x"));
  assert_false (ferry_transport_is_prefixed ("quay.io/a/b:1"));
  assert_true (ferry_transport_is_prefixed ("oci:/x"));
  assert_true (ferry_transport_is_prefixed ("docker://x"));
}

static void
test_archives_and_directories (void **state)
{
  (void) state;
  expect_parsed ("oci-archive:/tmp/x.tar", FERRY_TRANSPORT_OCI_ARCHIVE, "/tmp/x.tar", NULL, -1);
  /* The first colon ends the path; the rest is the ref.name, whole.  */
  expect_parsed ("oci-archive:/tmp/x.tar:localhost/app:1", FERRY_TRANSPORT_OCI_ARCHIVE, "/tmp/x.tar",
                 "localhost/app:1", -1);
  expect_parsed ("oci:rel/dir:v1", FERRY_TRANSPORT_OCI, "rel/dir", "v1", -1);
  expect_parsed ("oci:/d:", FERRY_TRANSPORT_OCI, "/d", NULL, -1);
  expect_parsed ("dir:/a:b", FERRY_TRANSPORT_DIR, "/a:b", NULL, -1);
  expect_parsed ("docker-archive:/x.tar", FERRY_TRANSPORT_DOCKER_ARCHIVE, "/x.tar", NULL, -1);
  /* A docker-archive's reference is normalised as Docker's are.  */
  expect_parsed ("docker-archive:/x.tar:busybox", FERRY_TRANSPORT_DOCKER_ARCHIVE, "/x.tar",
                 "docker.io/library/busybox:latest", -1);
  expect_parsed ("docker-archive:/x.tar:localhost/a:2", FERRY_TRANSPORT_DOCKER_ARCHIVE, "/x.tar",
                 "localhost/a:2", -1);
  expect_parsed ("docker-archive:/x.tar:@3", FERRY_TRANSPORT_DOCKER_ARCHIVE, "/x.tar", NULL, 3);
}

static void
test_stores_and_registries (void **state)
{
  (void) state;
  expect_parsed ("docker://quay.io/a/b:1", FERRY_TRANSPORT_DOCKER, NULL, "quay.io/a/b:1", -1);
  expect_parsed ("containers-storage:localhost/x", FERRY_TRANSPORT_CONTAINERS_STORAGE, NULL, "localhost/x",
                 -1);
  expect_parsed ("containers-storage:[overlay@/var/lib/containers/storage]x",
                 FERRY_TRANSPORT_CONTAINERS_STORAGE, NULL, "[overlay@/var/lib/containers/storage]x", -1);
  expect_parsed ("docker-daemon:busybox:latest", FERRY_TRANSPORT_DOCKER_DAEMON, NULL, "busybox:latest", -1);
  assert_string_equal (ferry_transport_name (FERRY_TRANSPORT_OCI_ARCHIVE), "oci-archive");
  assert_string_equal (ferry_transport_name (FERRY_TRANSPORT_NONE), "");
}

static void
test_refused (void **state)
{
  (void) state;
  expect_refused ("oci-archive:", "write oci-archive:PATH");
  expect_refused ("oci-archive::ref", "write oci-archive:PATH");
  expect_refused ("dir:", "write dir:PATH");
  expect_refused ("docker-archive:", "write docker-archive:PATH");
  expect_refused ("docker://", "write docker://IMAGE");
  expect_refused ("containers-storage:", "write containers-storage:IMAGE");
  /* A ref.name of characters containers/image refuses, or empty parts.  */
  expect_refused ("oci:/d:a b", "a b is no image name or tag");
  expect_refused ("oci:/d:a//b", "is no image name or tag");
  expect_refused ("oci:/d:a/", "is no image name or tag");
  expect_refused ("oci-archive:/x:a\tb", "is no image name or tag");
  expect_refused ("oci-archive:/x:a;rm", "is no image name or tag");
  /* An index is a number; a reference is a tag, not a digest.  */
  expect_refused ("docker-archive:/x.tar:@", "Invalid source index @");
  expect_refused ("docker-archive:/x.tar:@1x", "Invalid source index @1x");
  expect_refused ("docker-archive:/x.tar:@-1", "Invalid source index @-1");
  expect_refused ("docker-archive:/x.tar:@99999999999", "Invalid source index");
  expect_refused ("docker-archive:/x.tar:Bad", "docker-archive:/x.tar:Bad");
  expect_refused ("docker-archive:/x.tar:a@sha256:"
                  "0000000000000000000000000000000000000000000000000000000000000000",
                  "name a tag");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_names_without_transport),
    cmocka_unit_test (test_archives_and_directories),
    cmocka_unit_test (test_stores_and_registries),
    cmocka_unit_test (test_refused),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
