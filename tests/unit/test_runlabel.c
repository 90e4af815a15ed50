/* Unit tests for src/lib/engine/runlabel.c: the words of a label as
 * Podman 5.4's runlabel makes them (each expectation checked against
 * Podman's --display on this machine).  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine/runlabel.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The words of R joined by spaces, or "ERR: message".  */
static char *
command_of (const struct ferry_runlabel *r)
{
  cleanup_strv char **argv = NULL;
  ferry_error_t err = NULL;
  char *out;

  if (ferry_runlabel_command (r, &argv, &err) < 0)
    {
      out = xasprintf ("ERR: %s", err->msg);
      ferry_error_release (&err);
      return out;
    }
  out = xstrdup (argv[0]);
  for (size_t i = 1; argv[i]; i++)
    {
      char *prev = out;
      out = xasprintf ("%s %s", prev, argv[i]);
      free (prev);
    }
  return out;
}

static void
check (const char *text, char *const *args, size_t n_args, const char *want)
{
  struct ferry_runlabel r = { .text = text,
                              .image = "localhost/app:latest",
                              .name = "app",
                              .args = args,
                              .n_args = n_args,
                              .opt = { "o1", NULL, "o3" },
                              .cwd = "/srv/work",
                              .home = "/home/u" };
  cleanup_free char *got = command_of (&r);

  assert_string_equal (got, want);
}

static void
test_install_label (void **state)
{
  (void) state;
  check ("podman run --rm ${OPT1} -e HOMEDIR=$HOME -e NAME=${NAME} -e IMAGE=${IMAGE} "
         "-e CONFDIR=/etc/${NAME} ${IMAGE} ${OPT2} /bin/install.sh ${OPT3}",
         NULL, 0,
         "/proc/self/exe run --rm o1 -e HOMEDIR=/home/u -e NAME=app -e IMAGE=localhost/app:latest "
         "-e CONFDIR=/etc/app localhost/app:latest /bin/install.sh o3");
}

static void
test_stand_ins (void **state)
{
  (void) state;
  check ("echo IMAGE NAME IMAGE=IMAGE NAME=NAME x=$IMAGE y=${NAME}z a=NAME NAMES", NULL, 0,
         "echo localhost/app:latest app IMAGE=localhost/app:latest NAME=app x=localhost/app:latest y=appz "
         "a=app NAMES");
}

static void
test_expansion (void **state)
{
  char *args[] = { "A", "B" };

  (void) state;
  /* Unknown and special variables are nothing; a lone $ stays; the
   * quotes of the first split are gone by the second.  */
  check ("echo hi \"a b\" 'c  d' $PWD ${OPT1}x $$ ${1} $UNSET $ end$", args, 2,
         "echo hi a b c d /srv/work o1x $ end$ A B");
}

static void
test_split (void **state)
{
  cleanup_strv char **w = NULL;
  ferry_error_t err = NULL;
  size_t n = 0;

  (void) state;
  assert_int_equal (ferry_runlabel_split ("a\\ b 'c d' \"e\\\"f\" g#h #rest\nnext \"\"", &w, &n, &err), 0);
  assert_int_equal (n, 6);
  assert_string_equal (w[0], "a b");
  assert_string_equal (w[1], "c d");
  assert_string_equal (w[2], "e\"f");
  assert_string_equal (w[3], "g#h");
  assert_string_equal (w[4], "next");
  assert_string_equal (w[5], "");
  assert_int_equal (ferry_runlabel_split ("echo \"open", &w, &n, &err) < 0, 1);
  assert_string_equal (err->msg, "EOF found when expecting closing quote");
  ferry_error_release (&err);
  assert_int_equal (ferry_runlabel_split ("echo x\\", &w, &n, &err) < 0, 1);
  assert_string_equal (err->msg, "EOF found after escape character");
  ferry_error_release (&err);
}

static void
test_programs (void **state)
{
  (void) state;
  check ("/usr/bin/docker x", NULL, 0, "/proc/self/exe x");
  check ("docker y", NULL, 0, "/proc/self/exe y");
  check ("/nonexistent/prog x", NULL, 0, "ERR: faccessat /nonexistent/prog: no such file or directory");
  check ("./prog", NULL, 0, "ERR: faccessat /srv/work/prog: no such file or directory");
  check ("/bin/../bin/sh -c x", NULL, 0, "/bin/sh -c x");
  check ("echo a #b c", NULL, 0, "echo a");
}

static void
test_default_name (void **state)
{
  cleanup_free char *a
      = ferry_runlabel_default_name ("runlabel_image", "3bb7d0", "localhost/runlabel_image:latest");
  cleanup_free char *b = ferry_runlabel_default_name ("reg:5000/ns/tool:1", "3bb7d0", "reg:5000/ns/tool:1");
  cleanup_free char *c = ferry_runlabel_default_name ("3bb7", "3bb7d0", "localhost/app:2");

  (void) state;
  assert_string_equal (a, "runlabel_image");
  assert_string_equal (b, "tool");
  assert_string_equal (c, "app");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_install_label), cmocka_unit_test (test_stand_ins),
    cmocka_unit_test (test_expansion),     cmocka_unit_test (test_split),
    cmocka_unit_test (test_programs),      cmocka_unit_test (test_default_name),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
