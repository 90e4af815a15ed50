/* Unit tests for src/lib/image/credential_helper.c: real helper programs
 * (small shell scripts on $PATH) spoken to as Docker's protocol says, and
 * what ferry makes of helpers that are missing, fail or misbehave.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "image/credential_helper.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/ferry-test-credhelper-XXXXXX";

/* docker-credential-NAME running BODY (sh).  */
static void
helper (const char *name, const char *body)
{
  cleanup_free char *path = xasprintf ("%s/docker-credential-%s", dir, name);
  FILE *f = fopen (path, "w");

  assert_non_null (f);
  fprintf (f, "#!/bin/sh\n%s\n", body);
  fclose (f);
  assert_int_equal (chmod (path, 0755), 0);
}

static void
fails_with (int r, ferry_error_t *err, const char *words)
{
  assert_int_equal (r, -1);
  if (strstr ((*err)->msg, words) == NULL || strchr ((*err)->msg, '\n'))
    fail_msg ("`%s` is not one line holding `%s`", (*err)->msg, words);
  ferry_error_release (err);
}

static void
test_protocol (void **state)
{
  struct ferry_credentials c = { .username = (char *) "bob", .password = (char *) "p\"w d" };
  struct ferry_credentials got;
  cleanup_free char *seen = xasprintf ("%s/seen", dir);
  ferry_error_t err = NULL;
  char **servers = NULL;
  char buf[512] = "";
  FILE *f;

  (void) state;
  /* Each action: its argv, its stdin as given.  */
  helper ("rec", "out=$(dirname \"$0\")/seen\n"
                 "printf '%s:' \"$1\" >>\"$out\"; cat >>\"$out\"; echo >>\"$out\"\n"
                 "case $1 in\n"
                 "get) echo '{\"ServerURL\":\"r.test\",\"Username\":\"bob\",\"Secret\":\"pw\"}' ;;\n"
                 "list) echo '{\"r.test\":\"bob\",\"s.test:5000\":\"amy\"}' ;;\n"
                 "esac");
  assert_int_equal (ferry_credential_helper_store ("rec", "r.test", &c, &err), 0);
  assert_int_equal (ferry_credential_helper_get ("rec", "r.test", &got, &err), 1);
  assert_string_equal (got.username, "bob");
  assert_string_equal (got.password, "pw");
  ferry_credentials_clear (&got);
  /* "<token>": the secret is an identity token, there is no password.  */
  helper ("idtok", "echo '{\"ServerURL\":\"r.test\",\"Username\":\"<token>\",\"Secret\":\"rt-1\"}'");
  assert_int_equal (ferry_credential_helper_get ("idtok", "r.test", &got, &err), 1);
  assert_string_equal (got.identity_token, "rt-1");
  assert_string_equal (got.username, "");
  assert_string_equal (got.password, "");
  ferry_credentials_clear (&got);
  assert_int_equal (ferry_credential_helper_erase ("rec", "r.test", &err), 0);
  assert_int_equal (ferry_credential_helper_list ("rec", &servers, &err), 0);
  assert_string_equal (servers[0], "r.test");
  assert_string_equal (servers[1], "s.test:5000");
  assert_null (servers[2]);
  ferry_cleanup_strvp (&servers);
  f = fopen (seen, "r");
  assert_non_null (f);
  assert_true (fread (buf, 1, sizeof (buf) - 1, f) > 0);
  fclose (f);
  assert_string_equal (buf, "store:{\"ServerURL\":\"r.test\",\"Username\":\"bob\",\"Secret\":\"p\\\"w d\"}\n"
                            "get:r.test\nerase:r.test\nlist:\n");
}

static void
test_failures (void **state)
{
  struct ferry_credentials got;
  ferry_error_t err = NULL;
  char **servers = NULL;

  (void) state;
  helper ("none", "echo 'credentials not found in native keychain'; exit 1");
  assert_int_equal (ferry_credential_helper_get ("none", "r.test", &got, &err), 0);
  fails_with (
      ferry_credential_helper_erase ("none", "r.test", &err), &err,
      "error erasing credentials - err: exit status 1, out: `credentials not found in native keychain`");
  fails_with (ferry_credential_helper_get ("nosuch", "r.test", &got, &err), &err,
              "error getting credentials - err: exec: \"docker-credential-nosuch\": executable file not "
              "found in $PATH, out: ``");
  helper ("bad", "echo 'no way'; echo second line; exit 3");
  fails_with (ferry_credential_helper_store (
                  "bad", "r.test", &(struct ferry_credentials){ .username = "u", .password = "p" }, &err),
              &err, "error storing credentials - err: exit status 3, out: `no way");
  helper ("killed", "kill -9 $$");
  fails_with (ferry_credential_helper_get ("killed", "r.test", &got, &err), &err, "err: signal: Killed");
  /* Output: bounded, and type-checked.  */
  helper ("loud", "head -c 200000 /dev/zero | tr '\\0' x");
  fails_with (ferry_credential_helper_get ("loud", "r.test", &got, &err), &err,
              "err: printed more than 64 KiB");
  helper ("junk", "echo '{\"Username\": \"x\"'");
  fails_with (ferry_credential_helper_get ("junk", "r.test", &got, &err), &err, "not valid JSON");
  helper ("typed", "echo '{\"Username\": 1, \"Secret\": \"s\"}'");
  fails_with (ferry_credential_helper_get ("typed", "r.test", &got, &err), &err,
              "the answer is not {\"Username\"");
  helper ("array", "echo '[]'");
  fails_with (ferry_credential_helper_get ("array", "r.test", &got, &err), &err, "the answer is not");
  fails_with (ferry_credential_helper_list ("array", &servers, &err), &err, "the answer is not");
  helper ("listnum", "echo '{\"r.test\": 1}'");
  fails_with (ferry_credential_helper_list ("listnum", &servers, &err), &err, "the answer is not");
  assert_null (servers);
  helper ("colon", "echo '{\"Username\": \"a:b\", \"Secret\": \"s\"}'");
  fails_with (ferry_credential_helper_get ("colon", "r.test", &got, &err), &err, "cannot send");
  /* No secret: nothing kept.  */
  helper ("empty", "echo '{\"ServerURL\": \"r.test\", \"Username\": \"\", \"Secret\": \"\"}'");
  assert_int_equal (ferry_credential_helper_get ("empty", "r.test", &got, &err), 0);
  /* A child left behind holding its output (an agent it started) does
   * not keep ferry waiting once the helper has exited.  */
  helper ("agent", "echo '{\"Username\": \"u\", \"Secret\": \"s\"}'\n"
                   "sleep 1000 &\necho $! >\"$(dirname \"$0\")/agent.pid\"");
  assert_int_equal (ferry_credential_helper_get ("agent", "r.test", &got, &err), 1);
  assert_string_equal (got.username, "u");
  ferry_credentials_clear (&got);
  {
    cleanup_free char *pidfile = xasprintf ("%s/agent.pid", dir);
    FILE *f = fopen (pidfile, "r");
    int pid = 0;

    assert_non_null (f);
    assert_int_equal (fscanf (f, "%d", &pid), 1);
    fclose (f);
    kill (pid, SIGKILL);
  }
  /* A NUL in the answer: not JSON, or a string ferry cannot send.  */
  helper ("nul", "printf '{\"Username\": \"u\", \"Secret\": \"s\"}\\000{}'");
  assert_int_not_equal (ferry_credential_helper_get ("nul", "r.test", &got, &err), 1);
  ferry_error_release (&err);
  helper ("nulstr", "printf '{\"Username\": \"u\\\\u0000x\", \"Secret\": \"s\"}'");
  fails_with (ferry_credential_helper_get ("nulstr", "r.test", &got, &err), &err, "cannot send");
  /* Names are program names only.  */
  fails_with (ferry_credential_helper_get ("../none", "r.test", &got, &err), &err,
              "invalid credential helper");
  assert_int_equal (ferry_credential_helper_name_valid ("pass"), 1);
  assert_int_equal (ferry_credential_helper_name_valid ("ecr-login"), 1);
  assert_int_equal (ferry_credential_helper_name_valid (".x"), 0);
  assert_int_equal (ferry_credential_helper_name_valid ("a/b"), 0);
  assert_int_equal (ferry_credential_helper_name_valid (""), 0);
  assert_int_equal (ferry_credential_helper_name_valid ("a b"), 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_protocol),
    cmocka_unit_test (test_failures),
  };
  cleanup_free char *path = NULL;
  int r;

  if (mkdtemp (dir) == NULL)
    return 1;
  path = xasprintf ("%s:/usr/bin:/bin", dir);
  setenv ("PATH", path, 1);
  r = cmocka_run_group_tests (tests, NULL, NULL);
  {
    cleanup_free char *rm = xasprintf ("rm -rf '%s'", dir);
    if (system (rm) != 0)
      r = 1;
  }
  return r;
}
