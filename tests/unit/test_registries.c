/* Unit tests for src/lib/image/registries.c: registries.conf as Podman
 * reads it (files and drop-ins merged, prefixes matched, short names
 * resolved, mirrors chosen).  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "image/registries.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/ferry-test-registries-XXXXXX";

static char *
write_file (const char *name, const char *text)
{
  char *path = xasprintf ("%s/%s", dir, name);
  FILE *f = fopen (path, "w");

  assert_non_null (f);
  fputs (text, f);
  fclose (f);
  return path;
}

static struct ferry_registries_conf *
load (const char *text, const char *const *dirs)
{
  cleanup_free char *path = write_file ("registries.conf", text);
  struct ferry_registries_conf *c = NULL;
  ferry_error_t err = NULL;

  if (ferry_registries_conf_load (path, 1, dirs, NULL, &c, &err) < 0)
    fail_msg ("%s", err->msg);
  return c;
}

static void
refused (const char *text, const char *words)
{
  cleanup_free char *path = write_file ("registries.conf", text);
  struct ferry_registries_conf *c = NULL;
  ferry_error_t err = NULL;

  assert_int_equal (ferry_registries_conf_load (path, 1, NULL, NULL, &c, &err) < 0, 1);
  assert_null (c);
  if (strstr (err->msg, words) == NULL)
    fail_msg ("`%s` does not hold `%s`", err->msg, words);
  ferry_error_release (&err);
}

static void
test_prefixes (void **state)
{
  struct ferry_registries_conf *c
      = load ("[[registry]]\nlocation = \"example.com\"\n"
              "[[registry]]\nprefix = \"example.com/team\"\nlocation = \"mirror.test/team\"\n"
              "[[registry]]\nprefix = \"*.wild.test\"\nblocked = true\n",
              NULL);
  const struct ferry_registry_entry *r;

  (void) state;
  r = ferry_registries_find (c, "example.com/team/app:1");
  assert_non_null (r);
  assert_string_equal (r->prefix, "example.com/team");
  r = ferry_registries_find (c, "example.com/teamx/app");
  assert_string_equal (r->prefix, "example.com");
  /* "example.com:5000" matches "example.com", as Podman's rule does.  */
  assert_non_null (ferry_registries_find (c, "example.com:5000/app"));
  assert_null (ferry_registries_find (c, "example.comx/app"));
  r = ferry_registries_find (c, "a.b.wild.test/app");
  assert_non_null (r);
  assert_int_equal (r->blocked, 1);
  assert_null (ferry_registries_find (c, "wild.test/app"));
  assert_null (ferry_registries_find (c, "other.test/a.wild.test/app"));
  ferry_registries_conf_free (c);
}

/* Of a prefix given twice the first counts, however many registries
 * come between; the others are found by prefix still.  */
static void
test_prefix_twice (void **state)
{
  cleanup_free char *text = NULL;
  struct ferry_registries_conf *c;
  const struct ferry_registry_entry *r;
  size_t len = 0;
  FILE *f = open_memstream (&text, &len);

  (void) state;
  fputs ("[[registry]]\nprefix = \"dup.test\"\nlocation = \"first.test\"\n", f);
  for (int i = 0; i < 3000; i++)
    fprintf (f, "[[registry]]\nprefix = \"r%d.test\"\nlocation = \"s%d.test\"\n", i, i);
  fputs ("[[registry]]\nprefix = \"dup.test\"\nlocation = \"second.test\"\n", f);
  fclose (f);
  c = load (text, NULL);
  r = ferry_registries_find (c, "dup.test/app");
  assert_non_null (r);
  assert_string_equal (r->endpoint.location, "first.test");
  r = ferry_registries_find (c, "r1234.test/app");
  assert_non_null (r);
  assert_string_equal (r->endpoint.location, "s1234.test");
  ferry_registries_conf_free (c);
}

static void
test_drop_ins (void **state)
{
  cleanup_free char *d = xasprintf ("%s/d", dir);
  const char *dirs[] = { d, NULL };
  struct ferry_registries_conf *c;
  struct ferry_pull_candidates p;
  ferry_error_t err = NULL;

  (void) state;
  mkdir (d, 0700);
  free (write_file ("d/10-a.conf",
                    "unqualified-search-registries = [\"one.test\", \"two.test\"]\n"
                    "[aliases]\n\"app\" = \"quay.io/team/app\"\n\"gone\" = \"quay.io/gone\"\n"));
  free (write_file ("d/20-b.conf", "short-name-mode = \"disabled\"\n[aliases]\n\"gone\" = \"\"\n"));
  free (write_file ("d/not-a-conf", "this is not TOML ["));
  c = load ("unqualified-search-registries = [\"zero.test\"]\nshort-name-mode = \"enforcing\"\n", dirs);
  assert_string_equal (c->search[0], "one.test");
  assert_string_equal (c->search[1], "two.test");
  assert_null (c->search[2]);
  assert_true (strstr (c->search_origin, "10-a.conf") != NULL);
  assert_int_equal (c->mode, FERRY_SHORT_NAME_DISABLED);

  assert_int_equal (ferry_registries_resolve (c, "app:2", 0, &p, &err), 0);
  assert_string_equal (p.names[0], "quay.io/team/app:2");
  assert_null (p.names[1]);
  assert_true (strstr (p.description, "Resolved \"app\" as an alias") != NULL);
  ferry_pull_candidates_free (&p);

  /* An erased alias leaves the search registries.  */
  assert_int_equal (ferry_registries_resolve (c, "gone", 0, &p, &err), 0);
  assert_string_equal (p.names[0], "one.test/gone:latest");
  assert_string_equal (p.names[1], "two.test/gone:latest");
  ferry_pull_candidates_free (&p);

  /* docker.io's library/ for one-component names.  */
  ferry_registries_conf_free (c);
  c = load ("unqualified-search-registries = [\"docker.io\"]\n", NULL);
  assert_int_equal (
      ferry_registries_resolve (c,
                                "busybox@sha256:"
                                "0123456789012345678901234567890123456789012345678901234567890123",
                                0, &p, &err),
      0);
  assert_string_equal (p.names[0], "docker.io/library/busybox@sha256:"
                                   "0123456789012345678901234567890123456789012345678901234567890123");
  ferry_pull_candidates_free (&p);
  ferry_registries_conf_free (c);
}

static void
test_short_names (void **state)
{
  struct ferry_registries_conf *c = load ("unqualified-search-registries = [\"a.test\", \"b.test\"]\n"
                                          "short-name-mode = \"enforcing\"\n",
                                          NULL);
  struct ferry_pull_candidates p;
  ferry_error_t err = NULL;
  char **local;

  (void) state;
  assert_int_equal (ferry_registries_resolve (c, "app", 0, &p, &err) < 0, 1);
  assert_true (strstr (err->msg, "short-name resolution enforced but cannot prompt without a TTY") != NULL);
  ferry_error_release (&err);
  /* A fully-qualified name is itself.  */
  assert_int_equal (ferry_registries_resolve (c, "quay.io/x/app", 0, &p, &err), 0);
  assert_string_equal (p.names[0], "quay.io/x/app:latest");
  assert_null (p.description);
  ferry_pull_candidates_free (&p);

  local = ferry_registries_local_candidates (c, "ns/app:1");
  assert_string_equal (local[0], "localhost/ns/app:1");
  assert_string_equal (local[1], "a.test/ns/app:1");
  assert_string_equal (local[2], "b.test/ns/app:1");
  assert_null (local[3]);
  ferry_cleanup_strvp (&local);
  local = ferry_registries_local_candidates (c, "quay.io/app");
  assert_null (local[0]);
  ferry_cleanup_strvp (&local);
  ferry_registries_conf_free (c);

  c = load ("", NULL);
  assert_int_equal (ferry_registries_resolve (c, "app", 0, &p, &err) < 0, 1);
  assert_true (strstr (err->msg, "no unqualified-search registries are defined in") != NULL);
  ferry_error_release (&err);
  ferry_registries_conf_free (c);
}

/* Mirrors and registries written as lists of inline tables are the
 * [[tables]] they stand for.  */
static void
test_inline_tables (void **state)
{
  struct ferry_registries_conf *c
      = load ("registry = [ { prefix = \"example.com/team\", location = \"primary.test/t\", mirror = [\n"
              "  { location = \"m1.test/x\", insecure = true },\n"
              "  { location = \"m2.test\", pull-from-mirror = \"digest-only\" } ] },\n"
              "  { location = \"other.test\", blocked = true } ]\n",
              NULL);
  const struct ferry_registry_entry *r;

  (void) state;
  r = ferry_registries_find (c, "example.com/team/app");
  assert_non_null (r);
  assert_string_equal (r->endpoint.location, "primary.test/t");
  assert_int_equal (r->n_mirrors, 2);
  assert_string_equal (r->mirrors[0].location, "m1.test/x");
  assert_int_equal (r->mirrors[0].insecure, 1);
  assert_int_equal (r->mirrors[1].pull_from_mirror, FERRY_MIRROR_DIGEST_ONLY);
  assert_int_equal (ferry_registries_find (c, "other.test/x")->blocked, 1);
  ferry_registries_conf_free (c);
  /* Inline mirrors of one [[registry]], then more of its keys.  */
  c = load ("[[registry]]\nprefix = \"a.test\"\nmirror = [ { location = \"m.test\" } ]\n"
            "location = \"b.test\"\n[[registry]]\nlocation = \"c.test\"\nmirror = []\n",
            NULL);
  r = ferry_registries_find (c, "a.test/x");
  assert_string_equal (r->endpoint.location, "b.test");
  assert_int_equal (r->n_mirrors, 1);
  assert_string_equal (r->mirrors[0].location, "m.test");
  assert_int_equal (ferry_registries_find (c, "c.test/x")->n_mirrors, 0);
  ferry_registries_conf_free (c);
  /* Podman's words (Go's TOML decoder's), then ferry's fix.  */
  refused ("[[registry]]\nlocation = \"a.test\"\nmirror = { location = \"m.test\" }\n",
           "toml: line 3 (last key \"registry.mirror\"): incompatible types: TOML value has type "
           "map[string]any; destination has type slice: write [[registry.mirror]] tables");
  refused ("registry = { location = \"a.test\" }\n",
           "toml: line 1 (last key \"registry\"): incompatible types: TOML value has type map[string]any; "
           "destination has type slice: write [[registry]] tables");
  refused ("[[registry]]\nlocation = \"a.test\"\nmirror = [\"m.test\"]\n",
           "toml: line 3 (last key \"registry.mirror\"): type mismatch for sysregistriesv2.Endpoint: "
           "expected table but found string");
  refused ("[[registry]]\nlocation = \"a.test\"\nmirror = [ { location = \"m.test\" }, 5 ]\n",
           "type mismatch for sysregistriesv2.Endpoint: expected table but found int64");
  refused ("registry = 5\n", "toml: line 1 (last key \"registry\"): incompatible types: TOML value has type "
                             "int64; destination has type slice");
  refused ("registry = [ \"a.test\" ]\n", "type mismatch for sysregistriesv2.Registry: expected table but "
                                          "found string");
  refused ("[[registry]]\nlocation = \"a.test\"\nmirror = [ { location = \"m.test\" } ]\n"
           "[[registry.mirror]]\nlocation = \"n.test\"\n",
           ":4: Key 'registry.mirror' was already created and cannot be used as an array");
}

/* credential-helpers: the last file's that sets them; the auth file when
 * none does.  */
static void
test_credential_helpers (void **state)
{
  cleanup_free char *d = xasprintf ("%s/h", dir);
  const char *dirs[] = { d, NULL };
  struct ferry_registries_conf *c;

  (void) state;
  c = load ("", NULL);
  assert_string_equal (c->credential_helpers[0], "containers-auth.json");
  assert_null (c->credential_helpers[1]);
  ferry_registries_conf_free (c);
  mkdir (d, 0700);
  free (write_file ("h/10.conf", "credential-helpers = [\"pass\", \"containers-auth.json\"]\n"));
  free (write_file ("h/20.conf", "short-name-mode = \"enforcing\"\n"));
  c = load ("credential-helpers = [\"secretservice\"]\n", dirs);
  assert_string_equal (c->credential_helpers[0], "pass");
  assert_string_equal (c->credential_helpers[1], "containers-auth.json");
  assert_null (c->credential_helpers[2]);
  ferry_registries_conf_free (c);
  /* An empty list is set, and means the default.  */
  free (write_file ("h/30.conf", "credential-helpers = []\n"));
  c = load ("", dirs);
  assert_string_equal (c->credential_helpers[0], "containers-auth.json");
  assert_null (c->credential_helpers[1]);
  ferry_registries_conf_free (c);
  refused ("credential-helpers = [\"../x\"]\n", ":1: invalid credential helper \"../x\"");
  refused ("credential-helpers = [\"\"]\n", ":1: invalid credential helper \"\"");
  refused ("credential-helpers = \"pass\"\n",
           "toml: line 1 (last key \"credential-helpers\"): incompatible types: TOML value has type string; "
           "destination has type slice: use a list of strings");
  refused ("credential-helpers = [ { a = \"b\" } ]\n",
           "(last key \"credential-helpers\"): incompatible types: TOML value has type map[string]any; "
           "destination has type string");
}

static void
test_mirrors (void **state)
{
  struct ferry_registries_conf *c
      = load ("[[registry]]\nprefix = \"example.com/team\"\nlocation = \"primary.test/t\"\n"
              "[[registry.mirror]]\nlocation = \"m1.test/x\"\ninsecure = true\n"
              "[[registry.mirror]]\nlocation = \"m2.test\"\npull-from-mirror = \"digest-only\"\n",
              NULL);
  struct ferry_reference ref;
  struct ferry_pull_source *s;
  size_t n;
  ferry_error_t err = NULL;

  (void) state;
  assert_int_equal (
      ferry_reference_parse ("example.com/team/app:1", FERRY_REFERENCE_DEFAULT_DOCKER_IO, &ref, &err), 0);
  assert_int_equal (ferry_registries_pull_sources (c, &ref, &s, &n, &err), 0);
  assert_int_equal (n, 2);
  assert_string_equal (s[0].ref.registry, "m1.test");
  assert_string_equal (s[0].ref.repository, "x/app");
  assert_int_equal (s[0].insecure, 1);
  assert_string_equal (s[1].ref.registry, "primary.test");
  assert_string_equal (s[1].ref.repository, "t/app");
  assert_string_equal (s[1].ref.tag, "1");
  assert_int_equal (s[1].insecure, 0);
  ferry_pull_sources_free (s, n);
  ferry_reference_free (&ref);

  assert_int_equal (ferry_reference_parse ("example.com/team/app@sha256:"
                                           "0123456789012345678901234567890123456789012345678901234567890123",
                                           FERRY_REFERENCE_DEFAULT_DOCKER_IO, &ref, &err),
                    0);
  assert_int_equal (ferry_registries_pull_sources (c, &ref, &s, &n, &err), 0);
  assert_int_equal (n, 3);
  assert_string_equal (s[1].ref.registry, "m2.test");
  assert_string_equal (s[1].ref.repository, "app");
  ferry_pull_sources_free (s, n);
  ferry_reference_free (&ref);
  ferry_registries_conf_free (c);
}

static void
test_refused (void **state)
{
  (void) state;
  refused ("short-name-mode = \"sometimes\"\n", "invalid short-name mode: \"sometimes\"");
  refused ("unqualified-search-registries = [\"a.test/ns\"]\n",
           "Invalid unqualified-search-registries entry");
  refused (
      "unqualified-search-registries = \"a.test\"\n",
      "registries.conf\": toml: line 1 (last key \"unqualified-search-registries\"): incompatible types: "
      "TOML value has type string; destination has type slice: use a list of strings");
  refused ("unqualified-search-registries = [ \"a.test\", 1.5 ]\n",
           "TOML value has type float64; destination has type string");
  refused ("\n[short-name-mode]\na = 1\n", "toml: line 2 (last key \"short-name-mode\"): incompatible types: "
                                           "TOML value has type map[string]any; destination has type string");
  refused ("short-name-mode = 1979-05-27\n", "TOML value has type time.Time; destination has type string");
  refused ("short-name-mode = 0x1F\n", "TOML value has type int64; destination has type string");
  refused ("additional-layer-store-auth-helper = true\n",
           "TOML value has type bool; destination has type string: use a string in double quotes");
  refused ("[[registry]]\nlocation = \"a.test\"\ninsecure = \"yes\"\n",
           "toml: line 3 (last key \"registry.insecure\"): incompatible types: TOML value has type string; "
           "destination has type boolean: use true or false");
  refused ("[[registry]]\ninsecure = true\n", "both location and prefix are unset");
  refused ("[[registry]]\nprefix = \"a.test\"\n", "location is unset and prefix is not in the format");
  refused ("[[registry]]\nprefix = \"*.a.test/ns\"\n", "Wildcarded prefix should be in the format");
  refused ("[[registry]]\nlocation = \"https://a.test\"\n", "URI schemes are not supported");
  refused ("[[registry]]\nlocation = \"a.test\"\ninsecure = true\n[[registry]]\nprefix = \"b.test\"\n"
           "location = \"a.test\"\n",
           "defined multiple times with conflicting 'insecure' setting");
  refused ("[[registry]]\nlocation = \"a.test\"\nmirror-by-digest-only = true\n[[registry.mirror]]\n"
           "location = \"m.test\"\npull-from-mirror = \"tag-only\"\n",
           "at the same time");
  refused ("[[registry]]\nlocation = \"a.test\"\npull-from-mirror = \"all\"\n",
           "must not be set for a non-mirror");
  refused ("[[registry.mirror]]\nlocation = \"m.test\"\n", "before any [[registry]]");
  refused ("[aliases]\n\"quay.io/x\" = \"quay.io/x\"\n", "must not contain registry");
  refused ("[aliases]\n\"x:1\" = \"quay.io/x\"\n", "must not contain tag");
  refused ("[aliases]\n\"x\" = \"x\"\n", "must contain registry and repository");
  refused ("[aliases]\n\"x\" = \"quay.io/x\"\n\"x\" = \"quay.io/y\"\n",
           "Key 'aliases.x' has already been defined (first at line 2)");
  refused ("short-name-mode = \"disabled\"\n[registries.search]\nregistries = [\"a.test\"]\n",
           "mixing sysregistry v1/v2 is not supported");
}

static void
test_v1 (void **state)
{
  struct ferry_registries_conf *c
      = load ("[registries.search]\nregistries = [\"a.test\", \"b.test\"]\n[registries.insecure]\n"
              "registries = [\"a.test\"]\n[registries.block]\nregistries = [\"c.test/\"]\n",
              NULL);
  const struct ferry_registry_entry *r;

  (void) state;
  assert_string_equal (c->search[0], "a.test");
  assert_string_equal (c->search[1], "b.test");
  r = ferry_registries_find (c, "a.test/app");
  assert_int_equal (r->endpoint.insecure, 1);
  r = ferry_registries_find (c, "c.test/app");
  assert_int_equal (r->blocked, 1);
  assert_null (ferry_registries_find (c, "b.test/app"));
  ferry_registries_conf_free (c);
}

static void
test_record (void **state)
{
  cleanup_free char *cache = xasprintf ("%s/cache/aliases.conf", dir);
  const char *dirs[] = { NULL };
  struct ferry_registries_conf *c;
  struct ferry_pull_candidates p;
  ferry_error_t err = NULL;
  cleanup_free char *path = NULL;

  (void) state;
  setenv ("FERRY_SHORT_NAME_ALIASES", cache, 1);
  assert_int_equal (ferry_registries_record_alias ("app", "quay.io/team/app", &err), 0);
  assert_int_equal (ferry_registries_record_alias ("tool", "docker.io/tool", &err), 0);
  assert_int_equal (ferry_registries_record_alias ("app", "a.test/app", &err), 0);
  assert_int_equal (ferry_registries_record_alias ("quay.io/app", "a.test/app", &err) < 0, 1);
  ferry_error_release (&err);
  assert_int_equal (ferry_registries_record_alias ("app", "app:1", &err) < 0, 1);
  ferry_error_release (&err);

  path = write_file ("registries.conf", "unqualified-search-registries = [\"a.test\", \"b.test\"]\n");
  assert_int_equal (ferry_registries_conf_load (path, 1, dirs, cache, &c, &err), 0);
  assert_int_equal (ferry_registries_resolve (c, "app", 1, &p, &err), 0);
  assert_string_equal (p.names[0], "a.test/app:latest");
  assert_null (p.names[1]);
  assert_int_equal (p.choose, 0);
  ferry_pull_candidates_free (&p);
  assert_int_equal (ferry_registries_resolve (c, "tool:2", 1, &p, &err), 0);
  assert_string_equal (p.names[0], "docker.io/library/tool:2");
  ferry_pull_candidates_free (&p);
  /* Not aliased: the user is to choose, with the name to record.  */
  assert_int_equal (ferry_registries_resolve (c, "other:3", 1, &p, &err), 0);
  assert_int_equal (p.choose, 1);
  assert_string_equal (p.short_name, "other");
  assert_string_equal (p.names[1], "b.test/other:3");
  ferry_pull_candidates_free (&p);
  ferry_registries_conf_free (c);
  unsetenv ("FERRY_SHORT_NAME_ALIASES");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_prefixes),
    cmocka_unit_test (test_prefix_twice),
    cmocka_unit_test (test_drop_ins),
    cmocka_unit_test (test_short_names),
    cmocka_unit_test (test_mirrors),
    cmocka_unit_test (test_refused),
    cmocka_unit_test (test_v1),
    cmocka_unit_test (test_record),
    cmocka_unit_test (test_inline_tables),
    cmocka_unit_test (test_credential_helpers),
  };
  int r;

  if (mkdtemp (dir) == NULL)
    return 1;
  r = cmocka_run_group_tests (tests, NULL, NULL);
  {
    cleanup_free char *cmd = xasprintf ("rm -rf %s", dir);
    if (system (cmd) != 0)
      r = 1;
  }
  return r;
}
