/* Unit tests for registry credentials: --creds parsing, and reading and
 * writing containers-auth.json files.  */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/auth.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

static char *
temp_dir (void)
{
  char tmpl[] = "/tmp/ferry-auth-test.XXXXXX";
  assert_non_null (mkdtemp (tmpl));
  return xstrdup (tmpl);
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
test_creds_parse (void **state)
{
  struct ferry_credentials c;
  ferry_error_t err = NULL;

  (void) state;
  assert_int_equal (ferry_credentials_parse ("alice:s3:cr:et", &c, &err), 0);
  assert_string_equal (c.username, "alice");
  assert_string_equal (c.password, "s3:cr:et"); /* a password may hold ':' */
  ferry_credentials_clear (&c);

  assert_true (ferry_credentials_parse ("alice", &c, &err) < 0);
  ferry_error_release (&err);
  assert_true (ferry_credentials_parse (":pw", &c, &err) < 0);
  ferry_error_release (&err);
}

static void
test_lookup_spellings (void **state)
{
  cleanup_free char *dir = temp_dir ();
  cleanup_free char *path = xasprintf ("%s/auth.json", dir);
  struct ferry_credentials c;
  ferry_error_t err = NULL;

  (void) state;
  /* "alice:pw" and "bob:x:y" in base64; Docker's v1 key for docker.io.  */
  write_text (path, "{\"auths\": {"
                    "\"127.0.0.1:5000\": {\"auth\": \"YWxpY2U6cHc=\"},"
                    "\"https://index.docker.io/v1/\": {\"auth\": \"Ym9iOng6eQ==\"},"
                    "\"empty.example\": {\"auth\": \"\"}}}");
  assert_int_equal (ferry_auth_lookup (path, "127.0.0.1:5000", &c, &err), 1);
  assert_string_equal (c.username, "alice");
  assert_string_equal (c.password, "pw");
  ferry_credentials_clear (&c);

  assert_int_equal (ferry_auth_lookup (path, "docker.io", &c, &err), 1);
  assert_string_equal (c.username, "bob");
  assert_string_equal (c.password, "x:y");
  ferry_credentials_clear (&c);

  assert_int_equal (ferry_auth_lookup (path, "127.0.0.1:5001", &c, &err), 0);
  assert_int_equal (ferry_auth_lookup (path, "empty.example", &c, &err), 0);
  assert_null (err);

  /* A missing file is no credentials, not an error.  */
  {
    cleanup_free char *none = xasprintf ("%s/none.json", dir);
    assert_int_equal (ferry_auth_lookup (none, "x", &c, &err), 0);
    assert_null (err);
  }

  /* Garbage is an error that names the file.  */
  write_text (path, "{\"auths\": {\"r\": {\"auth\": \"bm9jb2xvbg==\"}}}"); /* "nocolon" */
  assert_true (ferry_auth_lookup (path, "r", &c, &err) < 0);
  assert_non_null (strstr (err->msg, path));
  ferry_error_release (&err);

  ferry_rm_rf (dir, &err);
}

static void
test_store_and_remove (void **state)
{
  cleanup_free char *dir = temp_dir ();
  cleanup_free char *path = xasprintf ("%s/sub/auth.json", dir);
  struct ferry_credentials in = { .username = (char *) "carol", .password = (char *) "p@ss:word" };
  struct ferry_credentials c;
  ferry_error_t err = NULL;
  struct stat st;
  int found = -1;

  (void) state;
  assert_int_equal (ferry_auth_store (path, "reg.example:443", &in, &found, &err), 0);
  assert_int_equal (found, 0);
  assert_int_equal (stat (path, &st), 0);
  assert_int_equal (st.st_mode & 0777, 0600);
  assert_int_equal (ferry_auth_lookup (path, "reg.example:443", &c, &err), 1);
  assert_string_equal (c.username, "carol");
  assert_string_equal (c.password, "p@ss:word");
  ferry_credentials_clear (&c);

  /* Other keys of the file survive a rewrite.  */
  write_text (path,
              "{\"credHelpers\": {\"x\": \"y\"}, \"auths\": {\"other\": {\"auth\": \"YWxpY2U6cHc=\"}}}");
  assert_int_equal (ferry_auth_store (path, "reg.example:443", &in, &found, &err), 0);
  assert_int_equal (ferry_auth_lookup (path, "other", &c, &err), 1);
  ferry_credentials_clear (&c);
  {
    cleanup_free char *text = NULL;
    size_t len;
    assert_int_equal (ferry_read_file (path, &text, &len, &err), 0);
    assert_non_null (strstr (text, "credHelpers"));
  }

  assert_int_equal (ferry_auth_store (path, "reg.example:443", NULL, &found, &err), 0);
  assert_int_equal (found, 1);
  assert_int_equal (ferry_auth_lookup (path, "reg.example:443", &c, &err), 0);
  assert_int_equal (ferry_auth_store (path, "reg.example:443", NULL, &found, &err), 0);
  assert_int_equal (found, 0);

  assert_int_equal (ferry_auth_remove_all (path, &err), 0);
  assert_int_equal (ferry_auth_lookup (path, "other", &c, &err), 0);
  assert_null (err);

  ferry_rm_rf (dir, &err);
}

static void
test_default_path (void **state)
{
  (void) state;
  setenv ("REGISTRY_AUTH_FILE", "/x/auth.json", 1);
  {
    cleanup_free char *p = ferry_auth_file_path (NULL);
    assert_string_equal (p, "/x/auth.json");
  }
  {
    cleanup_free char *p = ferry_auth_file_path ("/given.json");
    assert_string_equal (p, "/given.json");
  }
  unsetenv ("REGISTRY_AUTH_FILE");
  setenv ("XDG_RUNTIME_DIR", "/run/user/7", 1);
  {
    cleanup_free char *p = ferry_auth_file_path (NULL);
    assert_string_equal (p, "/run/user/7/containers/auth.json");
  }
  unsetenv ("XDG_RUNTIME_DIR");
  {
    cleanup_free char *p = ferry_auth_file_path (NULL);
    cleanup_free char *want = xasprintf ("/run/containers/%u/auth.json", (unsigned) getuid ());
    assert_string_equal (p, want);
  }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_creds_parse),
    cmocka_unit_test (test_lookup_spellings),
    cmocka_unit_test (test_store_and_remove),
    cmocka_unit_test (test_default_path),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
