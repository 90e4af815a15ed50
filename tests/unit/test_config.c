/* Unit tests for src/lib/engine/config.c: ferry.conf, read strictly.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *
write_conf (const char *text)
{
  char *path = strdup ("/tmp/ferry-test-config.XXXXXX");
  int fd = mkstemp (path);
  FILE *f;

  assert_true (fd >= 0);
  f = fdopen (fd, "w");
  fputs (text, f);
  fclose (f);
  return path;
}

static int
load_text (const char *text, struct ferry_config *c)
{
  char *path = write_conf (text);
  ferry_error_t err = NULL;
  int r = ferry_config_load (path, c, &err);

  if (r < 0)
    ferry_error_release (&err);
  unlink (path);
  free (path);
  return r;
}

static void
test_good (void **state)
{
  struct ferry_config c = { 0 };

  (void) state;
  assert_int_equal (
      load_text ("# a comment\n\n[containers]\r\n  netns = \"private\"   # as Podman's\n"
                 "[ network ]\ndefault_subnet=\"10.77.0.0/16\"\ndefault_interface = \"br-x.1\"\n",
                 &c),
      0);
  assert_string_equal (c.netns, "bridge");
  assert_string_equal (c.default_subnet, "10.77.0.0/16");
  assert_string_equal (c.default_interface, "br-x.1");
  ferry_config_release (&c);

  assert_int_equal (load_text ("[checkpoint]\npodman_volume_path = \"/srv/podman/volumes\"\n", &c), 0);
  assert_string_equal (c.podman_volume_path, "/srv/podman/volumes");
  ferry_config_release (&c);

  /* Empty: the built-in settings.  */
  assert_int_equal (load_text ("", &c), 0);
  assert_string_equal (c.netns, "bridge");
  assert_null (c.default_subnet);
  assert_null (c.default_interface);
  assert_null (c.podman_volume_path);
  ferry_config_release (&c);

  /* The later of two wins, as in containers.conf files read in turn.  */
  assert_int_equal (load_text ("[containers]\nnetns = \"host\"\nnetns = \"none\"\n", &c), 0);
  assert_string_equal (c.netns, "none");
  ferry_config_release (&c);
}

static void
test_bad (void **state)
{
  static const char *const bad[] = {
    "netns = \"none\"\n",                                    /* outside a section */
    "[containers]\nnetns = none\n",                          /* not quoted */
    "[containers]\nnetns = \"none\" extra\n",                /* text after the value */
    "[containers]\nnetns = \"no\\\"ne\"\n",                  /* an escape */
    "[containers]\nnetns = \"slirp4netns\"\n",               /* not a mode ferry has */
    "[containers]\nnetns\n",                                 /* no value */
    "[containers\nnetns = \"none\"\n",                       /* an open section */
    "[engine]\n",                                            /* an unknown section */
    "[network]\ndefault_network = \"x\"\n",                  /* an unknown key */
    "[network]\ndefault_subnet = \"10.88.0.1/16\"\n",        /* host bits */
    "[network]\ndefault_subnet = \"10.88.0.0/31\"\n",        /* no room */
    "[network]\ndefault_subnet = \"fd00::/64\"\n",           /* IPv6 */
    "[network]\ndefault_interface = \"a/b\"\n",              /* not an interface name */
    "[network]\ndefault_interface = \"abcdefghijklmnop\"\n", /* too long */
    "[checkpoint]\npodman_volume_path = \"volumes\"\n",      /* relative */
    "[checkpoint]\npodman_volume_path = \"/a/../b\"\n",      /* not clean */
    NULL,
  };
  struct ferry_config c = { 0 };

  (void) state;
  for (size_t i = 0; bad[i]; i++)
    {
      if (load_text (bad[i], &c) == 0)
        fail_msg ("accepted: %s", bad[i]);
    }
}

static void
test_missing (void **state)
{
  struct ferry_config c = { 0 };
  ferry_error_t err = NULL;

  (void) state;
  /* Named: it must be there.  */
  assert_true (ferry_config_load ("/nonexistent/ferry.conf", &c, &err) < 0);
  assert_non_null (strstr (err->msg, "/nonexistent/ferry.conf"));
  ferry_error_release (&err);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_good),
    cmocka_unit_test (test_bad),
    cmocka_unit_test (test_missing),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
