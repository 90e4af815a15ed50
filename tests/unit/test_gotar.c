/* Unit tests for src/lib/util/gotar.c (tar headers as Go's archive/tar
 * lays them out) and ferry_json_go_raw_member (a member as Go writes a
 * json.RawMessage back).  The expected bytes are Podman 5.4.2's.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/cleanup.h"
#include "util/gotar.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
test_ustar_fields (void **state)
{
  struct ferry_gotar_entry e
      = { .name = "manifest.json", .type = FERRY_GOTAR_FILE, .mode = 0444, .size = 280 };
  cleanup_free char *blk = NULL;
  size_t len;

  (void) state;
  assert_int_equal (ferry_gotar_format_header (&e, &blk, &len), 0);
  assert_int_equal (len, 512);
  assert_memory_equal (blk + 100,
                       "0000444\0"
                       "0000000\0"
                       "0000000\0"
                       "00000000430\0"
                       "00000000000\0",
                       44);
  /* As Podman's manifest.json entry: checksum 011701, NUL, space.  */
  assert_memory_equal (blk + 148, "011701\0 0", 9);
  assert_memory_equal (blk + 257,
                       "ustar\0"
                       "00",
                       8);
  assert_memory_equal (blk + 329,
                       "0000000\0"
                       "0000000\0",
                       16);
}

/* A long path splits at a slash into prefix and name where it can, else
 * gets a PAX header named beside it, as Podman's cp of such a tree.  */
static void
test_long_names (void **state)
{
  cleanup_free char *x120 = xmalloc (121), *dir = NULL, *file = NULL, *blk = NULL, *blk2 = NULL;
  struct ferry_gotar_entry d = { .type = FERRY_GOTAR_DIR, .mode = 0755, .uname = "root", .gname = "root" };
  struct ferry_gotar_entry f = { .type = FERRY_GOTAR_FILE, .mode = 0644 };
  size_t len;

  (void) state;
  memset (x120, 'x', 120);
  x120[120] = '\0';
  dir = xasprintf ("d/%s", x120);
  file = xasprintf ("d/%s/y", x120);
  d.name = dir;
  f.name = file;
  assert_int_equal (ferry_gotar_format_header (&f, &blk, &len), 0);
  assert_int_equal (len, 512);
  assert_string_equal (blk, "y");
  assert_string_equal (blk + 345, dir);

  assert_int_equal (ferry_gotar_format_header (&d, &blk2, &len), 0);
  assert_int_equal (len, 3 * 512);
  assert_int_equal (blk2[156], 'x');
  assert_memory_equal (blk2, "d/PaxHeaders.0/xxxx", 19);
  assert_int_equal (strnlen (blk2, 100), 100);
  assert_memory_equal (blk2 + 124, "00000000204\0", 12);
  assert_memory_equal (blk2 + 329, "\0\0\0\0\0\0\0\0", 8);
  assert_memory_equal (blk2 + 512, "132 path=d/xxx", 14);
  assert_int_equal (blk2[512 + 131], '\n');
  assert_int_equal (blk2[1024 + 156], '5');
  assert_memory_equal (blk2 + 1024 + 265, "root\0", 5);
}

/* Attributes make a PAX header, their records first and in key order,
 * a value written byte for byte.  */
static void
test_xattrs (void **state)
{
  const char *names[] = { "user.b", "security.capability" };
  const char *values[] = { "2", "\0\n\1" };
  const size_t sizes[] = { 1, 3 };
  struct ferry_gotar_entry e = { .name = "f",
                                 .type = FERRY_GOTAR_FILE,
                                 .mode = 0644,
                                 .n_xattrs = 2,
                                 .xattr_names = names,
                                 .xattr_values = values,
                                 .xattr_sizes = sizes };
  cleanup_free char *blk = NULL;
  size_t len;

  (void) state;
  assert_int_equal (ferry_gotar_format_header (&e, &blk, &len), 0);
  assert_int_equal (len, 3 * 512);
  assert_string_equal (blk, "PaxHeaders.0/f");
  assert_memory_equal (blk + 512, "40 SCHILY.xattr.security.capability=\0\n\1\n25 SCHILY.xattr.user.b=2\n",
                       65);
  assert_string_equal (blk + 1024, "f");
}

static void
test_go_raw_member (void **state)
{
  const char *config
      = "{ \"a\" : [ 1, \"x y\" ],\n \"os\":\"linux\", \"config\": {\"Cmd\":[\"echo <a> & b\"]},"
        "\"\\u0063reated\" : \"now\", \"os\" : \"other\", \"sep\": \"\xe2\x80\xa8\" }";
  cleanup_free char *a = ferry_json_go_raw_member (config, "a");
  cleanup_free char *os = ferry_json_go_raw_member (config, "os");
  cleanup_free char *cfg = ferry_json_go_raw_member (config, "config");
  cleanup_free char *created = ferry_json_go_raw_member (config, "created");
  cleanup_free char *sep = ferry_json_go_raw_member (config, "sep");

  (void) state;
  assert_string_equal (a, "[1,\"x y\"]");
  assert_string_equal (os, "\"other\"");
  assert_string_equal (cfg, "{\"Cmd\":[\"echo \\u003ca\\u003e \\u0026 b\"]}");
  assert_string_equal (created, "\"now\"");
  assert_string_equal (sep, "\"\\u2028\"");
  assert_null (ferry_json_go_raw_member (config, "missing"));
  assert_null (ferry_json_go_raw_member ("[1]", "a"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_ustar_fields),
    cmocka_unit_test (test_long_names),
    cmocka_unit_test (test_xattrs),
    cmocka_unit_test (test_go_raw_member),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
