/* Unit tests for src/lib/engine/host_packages.c: which package a program
 * came from, and its "Package_Version_Architecture", from a dpkg database
 * built here.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine/host_packages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char STATUS[] = "Package: runc\n"
                             "Status: install ok installed\n"
                             "Priority: optional\n"
                             "Architecture: amd64\n"
                             "Version: 1.1.5+ds1-1+deb12u1\n"
                             "Description: Open Container Project - runtime\n"
                             " Package: not-a-field\n"
                             "\n"
                             "Package: gone\n"
                             "Status: deinstall ok config-files\n"
                             "Architecture: amd64\n"
                             "Version: 1.0\n"
                             "\n"
                             "Package: libtwo\n"
                             "Status: install ok installed\n"
                             "Architecture: i386\n"
                             "Version: 2.0-1\n"
                             "\n"
                             "Package: libtwo\n"
                             "Status: install ok installed\n"
                             "Architecture: amd64\n"
                             "Version: 2.0-1\n";

static void
test_status_lookup (void **state)
{
  char *s;

  (void) state;
  s = ferry_dpkg_status_lookup (STATUS, "runc");
  assert_string_equal (s, "runc_1.1.5+ds1-1+deb12u1_amd64");
  free (s);
  /* Removed but for its configuration: not installed.  */
  assert_null (ferry_dpkg_status_lookup (STATUS, "gone"));
  /* A continuation line is no field.  */
  assert_null (ferry_dpkg_status_lookup (STATUS, "not-a-field"));
  assert_null (ferry_dpkg_status_lookup (STATUS, "run"));
  s = ferry_dpkg_status_lookup (STATUS, "libtwo:amd64");
  assert_string_equal (s, "libtwo_2.0-1_amd64");
  free (s);
  s = ferry_dpkg_status_lookup (STATUS, "libtwo:i386");
  assert_string_equal (s, "libtwo_2.0-1_i386");
  free (s);
  assert_null (ferry_dpkg_status_lookup ("", "runc"));
  assert_null (ferry_dpkg_status_lookup ("Package: runc\nVersion: 1\n", "runc"));
}

static void
write_text (const char *path, const char *text)
{
  FILE *f = fopen (path, "w");

  assert_non_null (f);
  fputs (text, f);
  fclose (f);
}

static void
test_packages (void **state)
{
  char dir[] = "/tmp/ferry-test-host-packages-XXXXXX", path[4096], target[4096], link[4096];
  char *out[6];
  const char *paths[6];

  (void) state;
  assert_non_null (mkdtemp (dir));
  snprintf (path, sizeof (path), "%s/info", dir);
  assert_int_equal (mkdir (path, 0755), 0);
  snprintf (path, sizeof (path), "%s/status", dir);
  write_text (path, STATUS);
  /* runc's list names the file a symlink resolves to; libtwo's, under
   * another name than the program's, the program itself.  */
  snprintf (target, sizeof (target), "%s/runc", dir);
  write_text (target, "");
  snprintf (link, sizeof (link), "%s/runc-link", dir);
  assert_int_equal (symlink (target, link), 0);
  snprintf (path, sizeof (path), "%s/info/runc.list", dir);
  {
    char text[16384];

    snprintf (text, sizeof (text), "/.\n%s\n%s.d\n%s\n", dir, target, target);
    write_text (path, text);
  }
  snprintf (path, sizeof (path), "%s/info/libtwo:amd64.list", dir);
  {
    char text[16384];

    snprintf (text, sizeof (text), "/usr\n%s/tool\n", dir);
    write_text (path, text);
  }
  snprintf (path, sizeof (path), "%s/tool", dir);
  write_text (path, "");
  snprintf (path, sizeof (path), "%s/stray", dir);
  write_text (path, "");
  paths[0] = link;
  paths[1] = NULL;
  paths[2] = "";
  {
    static char tool[4096], stray[4096], sub[4096];

    snprintf (tool, sizeof (tool), "%s/tool", dir);
    snprintf (stray, sizeof (stray), "%s/stray", dir);
    /* A prefix of a listed line is not listed.  */
    snprintf (sub, sizeof (sub), "%s/run", dir);
    paths[3] = tool;
    paths[4] = stray;
    paths[5] = sub;
  }
  ferry_host_packages (dir, paths, 6, out);
  assert_string_equal (out[0], "runc_1.1.5+ds1-1+deb12u1_amd64");
  assert_string_equal (out[1], "");
  assert_string_equal (out[2], "");
  assert_string_equal (out[3], "libtwo_2.0-1_amd64");
  assert_string_equal (out[4], FERRY_PACKAGE_UNKNOWN);
  assert_string_equal (out[5], FERRY_PACKAGE_UNKNOWN);
  for (size_t i = 0; i < 6; i++)
    free (out[i]);
  /* No dpkg at all.  */
  snprintf (path, sizeof (path), "%s/nodpkg", dir);
  ferry_host_packages (path, paths, 1, out);
  assert_string_equal (out[0], FERRY_PACKAGE_UNKNOWN);
  free (out[0]);
  {
    char cmd[8192];

    snprintf (cmd, sizeof (cmd), "rm -rf '%s'", dir);
    assert_int_equal (system (cmd), 0);
  }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_status_lookup),
    cmocka_unit_test (test_packages),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
