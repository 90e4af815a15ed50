/* Unit tests for CDI (runtime/cdi.h): qualified names, spec files in JSON
 * and YAML, their validation, and the edits applied to an OCI spec.  */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/cdi.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

static char *
write_file (const char *dir, const char *name, const char *text)
{
  char *path = xasprintf ("%s/%s", dir, name);
  FILE *f = fopen (path, "w");

  assert_non_null (f);
  fputs (text, f);
  fclose (f);
  return path;
}

static char *
make_dir (void)
{
  char tmpl[] = "/tmp/ferry-test-cdi.XXXXXX";

  assert_non_null (mkdtemp (tmpl));
  return xstrdup (tmpl);
}

static void
remove_dir (const char *dir)
{
  cleanup_free char *cmd = xasprintf ("rm -rf '%s'", dir);
  assert_int_equal (system (cmd), 0);
}

static void
test_qualified_names (void **state)
{
  (void) state;
  assert_true (ferry_cdi_is_qualified_name ("nvidia.com/gpu=all"));
  assert_true (ferry_cdi_is_qualified_name ("vendor.com/class=0"));
  assert_true (ferry_cdi_is_qualified_name ("foo.bar.baz/foo-bar123.B_az=dev:1"));
  assert_false (ferry_cdi_is_qualified_name ("/dev/null"));
  assert_false (ferry_cdi_is_qualified_name ("vendor.com/=all"));
  assert_false (ferry_cdi_is_qualified_name ("vendor.com/class="));
  assert_false (ferry_cdi_is_qualified_name ("foo=bar"));
  assert_true (ferry_cdi_is_qualified_name ("vendor.com/cl.ass=x"));
  assert_false (ferry_cdi_is_qualified_name ("vendor.com/cl/ass=x"));
  assert_false (ferry_cdi_is_qualified_name ("1vendor/class=x"));
  assert_false (ferry_cdi_is_qualified_name ("vendor/class=-x"));
  /* A one-letter class, which makes Podman 5.4 panic, is a name.  */
  assert_true (ferry_cdi_is_qualified_name ("vendor.com/x=y"));
}

static void
test_load_yaml (void **state)
{
  cleanup_free char *dir = make_dir ();
  cleanup_free char *path
      = write_file (dir, "a.yaml",
                    "cdiVersion: \"0.6.0\"\nkind: v.com/c\ndevices:\n  - name: \"0\"\n    containerEdits:\n"
                    "      env: [A=1, 'B=x y']\n      additionalGids: [5]\n");
  cleanup_free char *bad = write_file (dir, "b.yaml", "cdiVersion: [\n");
  ferry_error_t err = NULL;
  cleanup_json json_object *spec = NULL;

  (void) state;
  /* additionalGids needs 0.7.0.  */
  assert_null (ferry_cdi_spec_load (path, &err));
  assert_non_null (strstr (err->msg, "must be at least v0.7.0"));
  ferry_error_release (&err);
  free (write_file (dir, "a.yaml",
                    "cdiVersion: \"0.7.0\"\nkind: v.com/c\ndevices:\n  - name: \"0\"\n    containerEdits:\n"
                    "      env: [A=1, 'B=x y']\n      additionalGids: [5]\n"));
  spec = ferry_cdi_spec_load (path, &err);
  assert_non_null (spec);
  assert_string_equal (ferry_json_get_string (spec, "kind"), "v.com/c");
  json_object_put (spec);
  /* YAML 1.1's octal file modes, quoted strings and numbers apart.  */
  free (write_file (
      dir, "a.yaml",
      "cdiVersion: '0.5.0'\nkind: v.com/c\ndevices:\n- name: d\n  containerEdits:\n"
      "    deviceNodes:\n    - {path: /dev/x, hostPath: /dev/null, fileMode: 0640, major: 0x1}\n"));
  spec = ferry_cdi_spec_load (path, &err);
  assert_non_null (spec);
  {
    json_object *node = json_object_array_get_idx (
        ferry_json_get_array (
            ferry_json_get_object (json_object_array_get_idx (ferry_json_get_array (spec, "devices"), 0),
                                   "containerEdits"),
            "deviceNodes"),
        0);
    assert_int_equal (ferry_json_get_int (node, "fileMode", 0), 0640);
    assert_int_equal (ferry_json_get_int (node, "major", 0), 1);
  }
  assert_null (ferry_cdi_spec_load (bad, &err));
  assert_non_null (strstr (err->msg, "not YAML"));
  ferry_error_release (&err);
  remove_dir (dir);
}

static void
test_inject (void **state)
{
  cleanup_free char *dir = make_dir ();
  cleanup_free char *late = NULL;
  cleanup_json json_object *spec = NULL;
  char *devices[] = { "v.com/c=null", "v.com/c=null2", NULL };
  char *unknown[] = { "v.com/c=null", "v.com/c=nosuch", "v.com/d=x", NULL };
  char *dirs[3] = { dir, NULL, NULL };
  ferry_error_t err = NULL;
  json_object *nodes, *env;
  static const char oci[] = "{\"process\": {\"env\": [\"A=0\", \"B=1\"], \"user\": {\"uid\": 3, \"gid\": 0}},"
                            " \"mounts\": [{\"destination\": \"/a/b/c\"}, {\"destination\": \"/x\"}],"
                            " \"linux\": {}}";

  (void) state;
  free (write_file (
      dir, "s.json",
      "{\"cdiVersion\": \"0.5.0\", \"kind\": \"v.com/c\", \"containerEdits\": {\"env\": [\"A=spec\"],"
      " \"mounts\": [{\"hostPath\": \"/tmp\", \"containerPath\": \"/a/b\", \"options\": [\"bind\"]}]},"
      " \"devices\": [{\"name\": \"null\", \"containerEdits\": {\"deviceNodes\": [{\"path\": "
      "\"/dev/n\", \"hostPath\": \"/dev/null\"}], \"env\": [\"A=dev\"]}},"
      " {\"name\": \"null2\", \"containerEdits\": {\"hooks\": [{\"hookName\": \"poststop\", "
      "\"path\": \"/bin/true\"}]}}]}"));
  spec = ferry_json_parse (oci, strlen (oci), "spec", &err);
  assert_non_null (spec);
  assert_int_equal (ferry_cdi_inject (spec, devices, dirs, &err), 0);
  /* The spec's variable, then the device's over it, in place.  */
  env = json_object_object_get (json_object_object_get (spec, "process"), "env");
  assert_int_equal (json_object_array_length (env), 2);
  assert_string_equal (json_object_get_string (json_object_array_get_idx (env, 0)), "A=dev");
  /* The node from the host's, owned by the container's user.  */
  nodes = json_object_object_get (json_object_object_get (spec, "linux"), "devices");
  assert_int_equal (json_object_array_length (nodes), 1);
  assert_string_equal (ferry_json_get_string (json_object_array_get_idx (nodes, 0), "type"), "c");
  assert_int_equal (ferry_json_get_int (json_object_array_get_idx (nodes, 0), "major", 0), 1);
  assert_int_equal (ferry_json_get_int (json_object_array_get_idx (nodes, 0), "minor", 0), 3);
  assert_int_equal (ferry_json_get_int (json_object_array_get_idx (nodes, 0), "uid", 0), 3);
  /* Mounts parents first: /x, /a/b, /a/b/c.  */
  assert_string_equal (
      ferry_json_get_string (json_object_array_get_idx (json_object_object_get (spec, "mounts"), 0),
                             "destination"),
      "/x");
  assert_string_equal (
      ferry_json_get_string (json_object_array_get_idx (json_object_object_get (spec, "mounts"), 1),
                             "destination"),
      "/a/b");
  assert_int_equal (
      json_object_array_length (json_object_object_get (json_object_object_get (spec, "hooks"), "poststop")),
      1);

  assert_int_equal (ferry_cdi_inject (spec, unknown, dirs, &err), -1);
  assert_string_equal (err->msg, "unresolvable CDI devices v.com/c=nosuch, v.com/d=x");
  ferry_error_release (&err);

  /* The later directory wins; two files of one directory conflict.  */
  late = make_dir ();
  dirs[1] = late;
  free (write_file (late, "t.json",
                    "{\"cdiVersion\": \"0.3.0\", \"kind\": \"v.com/c\", \"devices\": [{\"name\": \"null\", "
                    "\"containerEdits\": {\"env\": [\"LATE=1\"]}}]}"));
  json_object_put (spec);
  spec = json_object_new_object ();
  assert_int_equal (ferry_cdi_inject (spec, devices, dirs, &err), 0);
  assert_string_equal (json_object_get_string (json_object_array_get_idx (
                           json_object_object_get (json_object_object_get (spec, "process"), "env"), 0)),
                       "LATE=1");
  free (write_file (late, "u.json",
                    "{\"cdiVersion\": \"0.3.0\", \"kind\": \"v.com/c\", \"devices\": [{\"name\": \"null\", "
                    "\"containerEdits\": {\"env\": [\"OTHER=1\"]}}]}"));
  assert_int_equal (ferry_cdi_inject (spec, devices, dirs, &err), -1);
  assert_string_equal (err->msg, "unresolvable CDI devices v.com/c=null");
  ferry_error_release (&err);
  remove_dir (dir);
  remove_dir (late);
}

/* Every member of a spec with a value of the wrong type (a string, a
 * number, a list, null where an object or a list belongs) is refused with
 * a message: a spec file is read, never trusted.  */
static void
test_wrong_types (void **state)
{
  static const char *const specs[] = {
    "{\"cdiVersion\": \"0.6.0\", \"kind\": \"v.com/c\", \"devices\": [{\"name\": \"a\", "
    "\"containerEdits\": \"x\"}]}",
    "{\"cdiVersion\": \"0.6.0\", \"kind\": \"v.com/c\", \"devices\": [{\"name\": \"a\", "
    "\"containerEdits\": [1]}]}",
    "{\"cdiVersion\": \"0.6.0\", \"kind\": \"v.com/c\", \"devices\": [{\"name\": \"a\", "
    "\"containerEdits\": 7}]}",
    "{\"cdiVersion\": \"0.6.0\", \"kind\": \"v.com/c\", \"devices\": [{\"name\": \"a\", "
    "\"containerEdits\": null}]}",
    "{\"cdiVersion\": \"0.6.0\", \"kind\": \"v.com/c\", \"containerEdits\": \"x\", \"devices\": "
    "[{\"name\": \"a\", \"containerEdits\": {\"env\": [\"A=1\"]}}]}",
    "{\"cdiVersion\": \"0.6.0\", \"kind\": \"v.com/c\", \"devices\": [\"a\"]}",
    "{\"cdiVersion\": \"0.6.0\", \"kind\": \"v.com/c\", \"devices\": {\"name\": \"a\"}}",
    "{\"cdiVersion\": 6, \"kind\": \"v.com/c\", \"devices\": []}",
    "{\"cdiVersion\": \"0.6.0\", \"kind\": [\"v.com/c\"], \"devices\": []}",
    "{\"cdiVersion\": \"0.6.0\", \"kind\": \"v.com/c\", \"devices\": [{\"name\": 1, "
    "\"containerEdits\": {\"env\": [\"A=1\"]}}]}",
    "{\"cdiVersion\": \"0.6.0\", \"kind\": \"v.com/c\", \"devices\": [{\"name\": \"a\", "
    "\"containerEdits\": {\"deviceNodes\": [\"/dev/x\"]}}]}",
    "{\"cdiVersion\": \"0.6.0\", \"kind\": \"v.com/c\", \"devices\": [{\"name\": \"a\", "
    "\"containerEdits\": {\"mounts\": {\"hostPath\": \"/x\"}}}]}",
    "{\"cdiVersion\": \"0.6.0\", \"kind\": \"v.com/c\", \"devices\": [{\"name\": \"a\", "
    "\"containerEdits\": {\"hooks\": [{\"hookName\": [1], \"path\": \"/x\"}]}}]}",
    "{\"cdiVersion\": \"0.7.0\", \"kind\": \"v.com/c\", \"devices\": [{\"name\": \"a\", "
    "\"containerEdits\": {\"intelRdt\": \"x\"}}]}",
    "[1, 2]",
    "\"spec\"",
  };
  cleanup_free char *dir = make_dir ();

  (void) state;
  for (size_t i = 0; i < sizeof (specs) / sizeof (specs[0]); i++)
    {
      cleanup_free char *path = write_file (dir, "w.json", specs[i]);
      ferry_error_t err = NULL;
      json_object *spec = ferry_cdi_spec_load (path, &err);

      if (spec != NULL)
        fail_msg ("spec %zu was accepted: %s", i, specs[i]);
      assert_non_null (err);
      ferry_error_release (&err);
    }
  remove_dir (dir);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_qualified_names),
    cmocka_unit_test (test_load_yaml),
    cmocka_unit_test (test_inject),
    cmocka_unit_test (test_wrong_types),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
