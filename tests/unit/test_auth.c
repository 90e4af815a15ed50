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
  write_text (path, "{\"auths\": {\"r\": {\"auth\": \"bm9jb2xvbg=\"}}}");
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

  /* The file's credHelpers send "x" to docker-credential-y, which is
   * not there: as with Podman, logout --all stops at it, the file as it
   * was.  */
  {
    cleanup_free char *saved = xstrdup (getenv ("PATH") ? getenv ("PATH") : "/usr/bin:/bin");

    setenv ("PATH", dir, 1);
    assert_int_equal (ferry_auth_remove_all (path, &err), -1);
    setenv ("PATH", saved, 1);
  }
  assert_non_null (strstr (err->msg, "updating \""));
  assert_non_null (strstr (err->msg, "error erasing credentials - err: exec: \"docker-credential-y\": "
                                     "executable file not found in $PATH"));
  ferry_error_release (&err);
  assert_int_equal (ferry_auth_lookup (path, "other", &c, &err), 1);
  ferry_credentials_clear (&c);

  write_text (path, "{\"auths\": {\"other\": {\"auth\": \"YWxpY2U6cHc=\"}}, \"credHelpers\": {}}");
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

/* TEXT with its '@' replaced by PATH.  */
static char *
with_path (const char *text, const char *path)
{
  const char *at = strchr (text, '@');

  if (at == NULL)
    return xstrdup (text);
  return xasprintf ("%.*s%s%s", (int) (at - text), text, path, at + 1);
}

/* A damaged auth file is an error in Podman's words, naming the file and
 * the field, for a lookup and for a login (which must not overwrite it),
 * never a crash and never "no credentials".  */
static void
test_damaged_file (void **state)
{
  static const char *const cases[][2] = {
    { "[]",
      "json: cannot unmarshal array into Go value of type config.dockerConfigFile: fix or remove the file" },
    { "5", "json: cannot unmarshal number into Go value of type config.dockerConfigFile" },
    { " \n", "unmarshaling JSON at \"@\": unexpected end of JSON input" },
    { "{\"auths\": ", "unmarshaling JSON at \"@\": unexpected end of JSON input" },
    { "{\"auths\": []}", "json: cannot unmarshal array into Go struct field dockerConfigFile.auths of type "
                         "map[string]config.dockerAuthConfig: fix or remove `auths`" },
    { "{\"AUTHS\": \"r\"}",
      "json: cannot unmarshal string into Go struct field dockerConfigFile.auths of type "
      "map[string]config.dockerAuthConfig: fix or remove `AUTHS`" },
    { "{\"auths\": {\"r\": \"YWxpY2U6cHc=\"}}",
      "cannot unmarshal string into Go struct field dockerConfigFile.auths of type config.dockerAuthConfig: "
      "fix or "
      "remove `auths.r`" },
    /* Another registry's entry too: Podman would not read the file either.  */
    { "{\"auths\": {\"other\": [], \"r\": {\"auth\": \"YWxpY2U6cHc=\"}}}",
      "cannot unmarshal array into Go struct field dockerConfigFile.auths of type config.dockerAuthConfig: "
      "fix or "
      "remove `auths.other`" },
    { "{\"auths\": {\"r\": {\"auth\": 5}}}",
      "json: cannot unmarshal number into Go struct field dockerAuthConfig.auths.auth of type string: fix or "
      "remove `auths.r.auth`" },
    { "{\"auths\": {\"o\": {\"Auth\": \"YWxpY2U6cHc=\", \"IdentityToken\": true}}}",
      "json: cannot unmarshal bool into Go struct field dockerAuthConfig.auths.identitytoken of type string: "
      "fix or "
      "remove `auths.o.IdentityToken`" },
    { "{\"credHelpers\": {\"o\": {}}}", "json: cannot unmarshal object into Go struct field "
                                        "dockerConfigFile.credHelpers of type string: fix or "
                                        "remove `credHelpers.o`" },
    /* The first bad value in the file's order, as Go reports it.  */
    { "{\"credhelpers\": [], \"auths\": {\"r\": {\"auth\": 5}}}",
      "json: cannot unmarshal array into Go struct field dockerConfigFile.credHelpers of type "
      "map[string]string" },
    /* Base64 as Go decodes it, and the offset it reports.  */
    { "{\"auths\": {\"r\": {\"auth\": \"YWxp\\u0000Y2U6cHc=\"}}}", "illegal base64 data at input byte 4: " },
    { "{\"auths\": {\"r\": {\"auth\": \"not base64!\"}}}", "illegal base64 data at input byte 3: " },
    { "{\"auths\": {\"r\": {\"auth\": \"YWxpY2U6cHc\"}}}", "illegal base64 data at input byte 8: " },
    { "{\"auths\": {\"r\": {\"auth\": \"YWxpY2U6cHc=x\"}}}", "illegal base64 data at input byte 12: " },
    { "{\"auths\": {\"r\": {\"auth\": \"YWxpY2U6c=\\n=\"}}}", "illegal base64 data at input byte 9: " },
    { "{\"auths\": {\"r\": {\"auth\": \"YWxpY2U6cA=\"}}}", "illegal base64 data at input byte 11: " },
    { "{\"auths\": {\"r\": {\"auth\": \" YWxpY2U6cHc=\"}}}", "illegal base64 data at input byte 0: " },
    { "{\"auths\": {\"r\": {\"auth\": \"YQ==YWxpY2U6cHc=\"}}}", "illegal base64 data at input byte 4: " },
    /* Go would send it; a C string cannot.  */
    { "{\"auths\": {\"r\": {\"auth\": \"YQBiOmM=\"}}}", "holds a NUL byte" },
  };
  cleanup_free char *dir = temp_dir ();
  cleanup_free char *path = xasprintf ("%s/auth.json", dir);
  struct ferry_credentials in = { .username = (char *) "u", .password = (char *) "p" };
  size_t i;

  (void) state;
  for (i = 0; i < sizeof (cases) / sizeof (cases[0]); i++)
    {
      cleanup_error ferry_error_t err = NULL;
      cleanup_free char *after = NULL, *want = with_path (cases[i][1], path);
      struct ferry_credentials c;
      size_t len;

      write_text (path, cases[i][0]);
      assert_true (ferry_auth_lookup (path, "r", &c, &err) < 0);
      if (strstr (err->msg, want) == NULL || strstr (err->msg, path) == NULL || strchr (err->msg, '\n'))
        fail_msg ("case %zu: expected \"%s\", got \"%s\"", i, want, err->msg);
      if (strstr (want, "json") && strncmp (err->msg, "reading JSON file \"", 19) != 0)
        fail_msg ("case %zu: not in Podman's words: \"%s\"", i, err->msg);
      assert_null (c.username);
      ferry_error_release (&err);

      /* Neither a login nor a logout of everything replaces a file
       * Podman cannot read: it may be the user's to mend.  */
      if (strstr (want, "json") || strstr (want, "JSON"))
        {
          assert_true (ferry_auth_store (path, "r", &in, NULL, &err) < 0);
          ferry_error_release (&err);
          assert_true (ferry_auth_remove_all (path, &err) < 0);
          ferry_error_release (&err);
          assert_int_equal (ferry_read_file (path, &after, &len, &err), 0);
          assert_string_equal (after, cases[i][0]);
        }
    }
  {
    cleanup_error ferry_error_t err = NULL;
    ferry_rm_rf (dir, &err);
  }
}

static int warnings;
static char last_warning[512];

static void
count_warning (const char *msg)
{
  warnings++;
  snprintf (last_warning, sizeof (last_warning), "%s", msg);
}

/* What Podman passes over, with or without its warning: the lookup goes
 * on as if the entry had no credentials (to the next file), and a login
 * keeps the rest of the file.  */
static void
test_unusable_entries (void **state)
{
  static const struct
  {
    const char *text;
    int found, warned;
    const char *user, *password;
  } cases[] = {
    /* "alice" alone: no colon, Podman's warning.  */
    { "{\"auths\": {\"r\": {\"auth\": \"YWxpY2U=\"}}}", 0, 1, NULL, NULL },
    /* An empty entry (Docker's mark of its own helper's registry).  */
    { "{\"auths\": {\"r\": {}}}", 0, 0, NULL, NULL },
    { "{\"auths\": {\"r\": null}}", 0, 0, NULL, NULL },
    { "{\"auths\": {\"r\": {\"auth\": null}}}", 0, 0, NULL, NULL },
    { "{\"auths\": {\"r\": {\"auth\": \"\\n\"}}}", 0, 0, NULL, NULL },
    { "null", 0, 0, NULL, NULL },
    { "{\"auths\": null}", 0, 0, NULL, NULL },
    /* "alice:" and ":pw": one of the two is missing.  */
    { "{\"auths\": {\"r\": {\"auth\": \"YWxpY2U6\"}}}", 0, 0, NULL, NULL },
    { "{\"auths\": {\"r\": {\"auth\": \"OnB3\"}}}", 0, 0, NULL, NULL },
    /* Go skips newlines in base64, trims NULs around the password, and
     * matches field names in any case (the last one wins).  */
    { "{\"auths\": {\"r\": {\"auth\": \"YWxp\\r\\nY2U6\\ncHc=\\n\"}}}", 1, 0, "alice", "pw" },
    { "{\"auths\": {\"r\": {\"auth\": \"YWxpY2U6AHB3AAA=\"}}}", 1, 0, "alice", "pw" },
    { "{\"Auths\": {\"r\": {\"AUTH\": \"eDp5\", \"Auth\": \"YWxpY2U6cHc=\", \"auth\": null}}}", 1, 0, "alice",
      "pw" },
    /* An identity token needs an "auth" with a colon beside it, as
     * docker login writes it ("user:"); alone it is passed over.  */
    { "{\"auths\": {\"r\": {\"identitytoken\": \"rt\"}}}", 0, 0, NULL, NULL },
    /* Other fields are not containers/image's: not read.  */
    { "{\"auths\": {\"r\": {\"auth\": \"YWxpY2U6cHc=\", \"email\": 5}}, \"x\": []}", 1, 0, "alice", "pw" },
  };
  cleanup_free char *dir = temp_dir ();
  cleanup_free char *path = xasprintf ("%s/auth.json", dir);
  size_t i;

  (void) state;
  ferry_auth_set_warn (count_warning);
  for (i = 0; i < sizeof (cases) / sizeof (cases[0]); i++)
    {
      cleanup_error ferry_error_t err = NULL;
      struct ferry_credentials c;
      int r;

      warnings = 0;
      write_text (path, cases[i].text);
      r = ferry_auth_lookup (path, "r", &c, &err);
      if (r != cases[i].found || warnings != cases[i].warned)
        fail_msg ("case %zu: found %d (want %d), %d warnings (want %d): %s", i, r, cases[i].found, warnings,
                  cases[i].warned, err ? err->msg : "");
      if (r == 1)
        {
          assert_string_equal (c.username, cases[i].user);
          assert_string_equal (c.password, cases[i].password);
          assert_null (c.identity_token);
          ferry_credentials_clear (&c);
        }
      else
        assert_null (c.username);
    }
  {
    cleanup_error ferry_error_t err = NULL;
    struct ferry_credentials c;

    /* "alice:" with a token, and "alice:pw" with one: both kept.  */
    write_text (path, "{\"auths\": {\"r\": {\"auth\": \"YWxpY2U6\", \"IdentityToken\": \"rt\"},"
                      "\"s\": {\"auth\": \"YWxpY2U6cHc=\", \"identitytoken\": \"rt2\"}}}");
    assert_int_equal (ferry_auth_lookup (path, "r/img", &c, &err), 1);
    assert_string_equal (c.username, "alice");
    assert_string_equal (c.password, "");
    assert_string_equal (c.identity_token, "rt");
    ferry_credentials_clear (&c);
    assert_int_equal (ferry_auth_lookup (path, "s", &c, &err), 1);
    assert_string_equal (c.password, "pw");
    assert_string_equal (c.identity_token, "rt2");
    ferry_credentials_clear (&c);
    assert_null (c.identity_token);
  }
  warnings = 0;
  write_text (path, "{\"auths\": {\"r\": {\"auth\": \"YWxpY2U=\"}}}");
  {
    cleanup_error ferry_error_t err = NULL;
    struct ferry_credentials c;
    cleanup_free char *want = xasprintf (
        "Error parsing the \"auth\" field of a credential entry \"r\" in \"%s\", missing semicolon", path);

    assert_int_equal (ferry_auth_lookup (path, "r/ns/img", &c, &err), 0);
    assert_string_equal (last_warning, want);
  }
  ferry_auth_set_warn (NULL);
  {
    cleanup_error ferry_error_t err = NULL;
    ferry_rm_rf (dir, &err);
  }
}

static void
script (const char *dir, const char *name, const char *body)
{
  cleanup_free char *path = xasprintf ("%s/docker-credential-%s", dir, name);
  cleanup_free char *text = xasprintf ("#!/bin/sh\n%s\n", body);

  write_text (path, text);
  assert_int_equal (chmod (path, 0755), 0);
}

/* registries.conf's credential-helpers: looked up in order past a helper
 * that fails, stored by the first that takes them, removed from all.  */
static void
test_helpers_in_order (void **state)
{
  cleanup_free char *dir = temp_dir ();
  cleanup_free char *conf = xasprintf ("%s/registries.conf", dir);
  cleanup_free char *auth = xasprintf ("%s/auth.json", dir);
  cleanup_free char *path = xasprintf ("%s:/usr/bin:/bin", dir);
  cleanup_free char *origin = NULL, *where = NULL, *rm = NULL;
  struct ferry_credentials in = { .username = (char *) "amy", .password = (char *) "pw" }, out;
  ferry_error_t err = NULL;
  int found;

  (void) state;
  write_text (conf, "credential-helpers = [\"broken\", \"kept\", \"containers-auth.json\"]\n");
  script (dir, "broken", "echo boom; exit 2");
  script (dir, "kept",
          "read -r s\n"
          "case $1:$s in\n"
          "get:a.test) echo '{\"ServerURL\":\"a.test\",\"Username\":\"bob\",\"Secret\":\"s\"}' ;;\n"
          "erase:a.test) ;;\n"
          "store:*) echo read-only; exit 1 ;;\n"
          "*) echo credentials not found in native keychain; exit 1 ;;\n"
          "esac");
  setenv ("CONTAINERS_REGISTRIES_CONF", conf, 1);
  setenv ("HOME", dir, 1);
  setenv ("PATH", path, 1);
  assert_int_equal (ferry_auth_store (auth, "b.test", &in, NULL, &err), 0);

  assert_int_equal (ferry_auth_get (auth, 0, "a.test", &out, &origin, &err), 1);
  assert_string_equal (out.username, "bob");
  assert_string_equal (origin, "credential helper kept");
  ferry_credentials_clear (&out);
  free (origin);
  assert_int_equal (ferry_auth_get (auth, 0, "b.test", &out, &origin, &err), 1);
  assert_string_equal (out.username, "amy");
  assert_true (strncmp (origin, "auth file ", 10) == 0);
  ferry_credentials_clear (&out);
  /* Nobody has them: the failing helper's error is the answer.  */
  assert_int_equal (ferry_auth_get (auth, 0, "c.test", &out, NULL, &err), -1);
  assert_string_equal (err->msg, "error getting credentials - err: exit status 2, out: `boom`");
  ferry_error_release (&err);
  /* The file alone (--compat-auth-file): no helper is run.  */
  assert_int_equal (ferry_auth_get (auth, 1, "c.test", &out, NULL, &err), 0);

  /* broken and kept refuse to store: the auth file takes them.  */
  assert_int_equal (ferry_auth_set (auth, 0, "c.test", &in, &where, &err), 0);
  assert_string_equal (where, auth);
  assert_int_equal (ferry_auth_lookup (auth, "c.test", &out, &err), 1);
  ferry_credentials_clear (&out);

  /* A logout asks every helper: broken's failure is told, the auth
   * file's entry goes all the same.  */
  assert_int_equal (ferry_auth_remove (auth, 0, "c.test", &found, &err), -1);
  assert_non_null (strstr (err->msg, "removing credentials for c.test from credential helper broken: error "
                                     "erasing credentials - err: exit status 2, out: `boom`"));
  ferry_error_release (&err);
  assert_int_equal (ferry_auth_lookup (auth, "c.test", &out, &err), 0);
  assert_int_equal (ferry_auth_remove (auth, 1, "b.test", &found, &err), 0);
  assert_int_equal (found, 1);
  assert_int_equal (ferry_auth_remove (auth, 1, "b.test", &found, &err), 0);
  assert_int_equal (found, 0);
  rm = xasprintf ("rm -rf '%s'", dir);
  assert_int_equal (system (rm), 0);
}

/* The most specific key wins, as containers/image looks keys up: a
 * namespace's credentials are for that namespace alone, and a key
 * without a scheme is never cut down to its host.  */
static void
test_lookup_most_specific (void **state)
{
  cleanup_free char *dir = temp_dir ();
  cleanup_free char *path = xasprintf ("%s/auth.json", dir);
  struct ferry_credentials c;
  ferry_error_t err = NULL;

  (void) state;
  /* "alice:pw", "bob:x:y", "carol:c", "dave:d" in base64.  */
  write_text (path, "{\"auths\": {"
                    "\"reg\": {\"auth\": \"YWxpY2U6cHc=\"},"
                    "\"reg/ns\": {\"auth\": \"Ym9iOng6eQ==\"},"
                    "\"reg/ns/sub/img\": {\"auth\": \"Y2Fyb2w6Yw==\"},"
                    "\"only/ns\": {\"auth\": \"ZGF2ZTpk\"},"
                    "\"https://legacy:5000/v1/\": {\"auth\": \"ZGF2ZTpk\"}}}");
  assert_int_equal (ferry_auth_lookup (path, "reg/ns/sub/img", &c, &err), 1);
  assert_string_equal (c.username, "carol");
  ferry_credentials_clear (&c);
  assert_int_equal (ferry_auth_lookup (path, "reg/ns/sub/other", &c, &err), 1);
  assert_string_equal (c.username, "bob");
  ferry_credentials_clear (&c);
  assert_int_equal (ferry_auth_lookup (path, "reg/nsx/img", &c, &err), 1);
  assert_string_equal (c.username, "alice");
  ferry_credentials_clear (&c);
  assert_int_equal (ferry_auth_lookup (path, "reg", &c, &err), 1);
  assert_string_equal (c.username, "alice");
  ferry_credentials_clear (&c);
  /* "only/ns" is not a key of registry "only".  */
  assert_int_equal (ferry_auth_lookup (path, "only/other/img", &c, &err), 0);
  assert_int_equal (ferry_auth_lookup (path, "only", &c, &err), 0);
  /* A URL key names its host, for any repository.  */
  assert_int_equal (ferry_auth_lookup (path, "legacy:5000/a/b", &c, &err), 1);
  assert_string_equal (c.username, "dave");
  ferry_credentials_clear (&c);
  assert_null (err);

  /* A key from the file is shown on one line in an error.  */
  {
    cleanup_free char *odd = xasprintf ("%s/odd.json", dir);
    write_text (odd, "{\"auths\": {\"https://nl/v1/\\nFAKE\": {\"auth\": \"bm9jb2xvbg\"}}}");
    assert_true (ferry_auth_lookup (odd, "nl/a", &c, &err) < 0);
    assert_null (strchr (err->msg, '\n'));
    ferry_error_release (&err);
  }

  /* login and logout touch their exact key only.  */
  assert_int_equal (ferry_auth_store (path, "reg/ns", NULL, NULL, &err), 0);
  assert_int_equal (ferry_auth_lookup (path, "reg/ns/sub/other", &c, &err), 1);
  assert_string_equal (c.username, "alice");
  ferry_credentials_clear (&c);
  {
    int found = -1;
    assert_int_equal (ferry_auth_store (path, "legacy:5000", NULL, &found, &err), 0);
    assert_int_equal (found, 0);
    assert_int_equal (ferry_auth_lookup (path, "legacy:5000/a", &c, &err), 1);
    ferry_credentials_clear (&c);
  }
  assert_null (err);
  ferry_rm_rf (dir, &err);
}

/* With the default auth file, the user's other files follow it, in
 * containers/image's order; a named file is read alone.  Runs after
 * test_helpers_in_order, whose registries.conf (read once) it shares: its
 * external helpers have nothing for x.test.  */
static void
test_default_files_in_order (void **state)
{
  cleanup_free char *dir = temp_dir ();
  cleanup_free char *primary = xasprintf ("%s/xdg/containers/auth.json", dir);
  cleanup_free char *f = NULL;
  struct ferry_credentials out;
  ferry_error_t err = NULL;
  char *origin = NULL;

  (void) state;
  setenv ("HOME", dir, 1);
  unsetenv ("XDG_CONFIG_HOME");
  unsetenv ("DOCKER_CONFIG");
  /* "leg:1", "dock:1", "cfg:1" in base64.  */
  f = xasprintf ("%s/.dockercfg", dir);
  write_text (f, "{\"https://x.test/v1/\": {\"auth\": \"bGVnOjE=\"}}");
  assert_int_equal (ferry_auth_get (primary, FERRY_AUTH_DEFAULT_FILE, "x.test/ns/img", &out, &origin, &err),
                    1);
  assert_string_equal (out.username, "leg");
  assert_non_null (strstr (origin, "/.dockercfg")); /* where it was found */
  ferry_credentials_clear (&out);
  free (origin);
  /* A named file is the only one: nobody has them then, and the failing
   * helper's error is the answer.  */
  assert_int_equal (ferry_auth_get (primary, 0, "x.test/ns/img", &out, NULL, &err), -1);
  ferry_error_release (&err);

  free (f);
  f = xasprintf ("%s/.docker", dir);
  assert_int_equal (ferry_mkdir_p (f, 0700, &err), 0);
  free (f);
  f = xasprintf ("%s/.docker/config.json", dir);
  write_text (f, "{\"auths\": {\"x.test\": {\"auth\": \"ZG9jazox\"}}}");
  assert_int_equal (ferry_auth_get (primary, FERRY_AUTH_DEFAULT_FILE, "x.test/ns/img", &out, NULL, &err), 1);
  assert_string_equal (out.username, "dock");
  ferry_credentials_clear (&out);

  free (f);
  f = xasprintf ("%s/.config/containers", dir);
  assert_int_equal (ferry_mkdir_p (f, 0700, &err), 0);
  free (f);
  f = xasprintf ("%s/.config/containers/auth.json", dir);
  write_text (f, "{\"auths\": {\"x.test/ns\": {\"auth\": \"Y2ZnOjE=\"}}}");
  assert_int_equal (ferry_auth_get (primary, FERRY_AUTH_DEFAULT_FILE, "x.test/ns/img", &out, NULL, &err), 1);
  assert_string_equal (out.username, "cfg");
  ferry_credentials_clear (&out);
  assert_int_equal (ferry_auth_get (primary, FERRY_AUTH_DEFAULT_FILE, "x.test/other", &out, NULL, &err), 1);
  assert_string_equal (out.username, "dock");
  ferry_credentials_clear (&out);

  /* $DOCKER_CONFIG names the auth file, as Podman's default --authfile:
   * no longer the default, so the others are not read.  */
  {
    cleanup_free char *dc = xasprintf ("%s/dc", dir);
    cleanup_free char *want = xasprintf ("%s/dc/config.json", dir);
    cleanup_free char *path = NULL;
    unsetenv ("REGISTRY_AUTH_FILE");
    setenv ("DOCKER_CONFIG", dc, 1);
    path = ferry_auth_file_path (NULL);
    assert_string_equal (path, want);
    assert_false (ferry_auth_file_is_default (NULL));
    unsetenv ("DOCKER_CONFIG");
  }
  assert_null (err);
  ferry_rm_rf (dir, &err);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_creds_parse),          cmocka_unit_test (test_lookup_spellings),
    cmocka_unit_test (test_lookup_most_specific), cmocka_unit_test (test_store_and_remove),
    cmocka_unit_test (test_default_path),         cmocka_unit_test (test_damaged_file),
    cmocka_unit_test (test_helpers_in_order),     cmocka_unit_test (test_default_files_in_order),
    cmocka_unit_test (test_unusable_entries),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
