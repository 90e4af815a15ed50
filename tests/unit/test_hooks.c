/* Unit tests for OCI hook files (runtime/hooks.h): reading and masking
 * across directories, the order hooks apply in, the when conditions,
 * bad files in Podman's words, the 0.1.0 schema, and running a hook.  */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/hooks.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

static void
write_file (const char *dir, const char *name, const char *text)
{
  cleanup_free char *path = xasprintf ("%s/%s", dir, name);
  FILE *f = fopen (path, "w");

  assert_non_null (f);
  fputs (text, f);
  fclose (f);
}

static char *
make_dir (void)
{
  char tmpl[] = "/tmp/ferry-test-hooks.XXXXXX";

  assert_non_null (mkdtemp (tmpl));
  return xstrdup (tmpl);
}

static void
remove_dir (const char *dir)
{
  cleanup_free char *cmd = xasprintf ("rm -rf '%s'", dir);
  assert_int_equal (system (cmd), 0);
}

/* A 1.0.0 hook of /bin/true with ARG as its argument.  */
static char *
hook_text (const char *arg, const char *when, const char *stages)
{
  return xasprintf (
      "{\"version\": \"1.0.0\", \"hook\": {\"path\": \"/bin/true\", \"args\": [\"true\", \"%s\"]}, "
      "\"when\": %s, \"stages\": %s}",
      arg, when, stages);
}

static void
add_hook (const char *dir, const char *name, const char *arg, const char *when, const char *stages)
{
  cleanup_free char *text = hook_text (arg, when, stages);
  write_file (dir, name, text);
}

/* The second arguments of SPEC's hooks of STAGE, joined by spaces.  */
static char *
stage_args (json_object *spec, const char *stage)
{
  json_object *list = json_object_object_get (json_object_object_get (spec, "hooks"), stage);
  char *out = xstrdup ("");

  for (size_t i = 0; i < ferry_json_array_length (list); i++)
    {
      json_object *args = json_object_object_get (json_object_array_get_idx (list, i), "args");
      char *next = xasprintf ("%s%s%s", out, i ? " " : "",
                              json_object_get_string (json_object_array_get_idx (args, 1)));
      free (out);
      out = next;
    }
  return out;
}

static json_object *
spec_of (const char *args0)
{
  cleanup_free char *text
      = xasprintf ("{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"%s\"]}}", args0);
  return json_tokener_parse (text);
}

static void
test_masking_and_order (void **state)
{
  cleanup_free char *a = make_dir (), *b = make_dir ();
  cleanup_free char *missing = xasprintf ("%s/none", a);
  char *dirs[] = { missing, a, b, NULL };
  cleanup_json json_object *hooks = NULL, *spec = spec_of ("sh"), *ext = NULL;
  cleanup_free char *runtime = NULL, *container = NULL;
  ferry_error_t err = NULL;

  (void) state;
  add_hook (a, "10-x.json", "a-x", "{\"always\": true}", "[\"createRuntime\"]");
  add_hook (a, "20-y.json", "a-y", "{\"always\": true}", "[\"prestart\", \"createContainer\"]");
  add_hook (b, "10-x.json", "b-x", "{\"always\": true}", "[\"createRuntime\"]");
  add_hook (b, "B.json", "b-B", "{\"always\": true}", "[\"createRuntime\", \"poststop\"]");
  write_file (b, "notes.txt", "{");
  assert_int_equal (ferry_hooks_read (dirs, &hooks, &err), 0);
  assert_int_equal (ferry_hooks_inject (hooks, spec, NULL, 0, &ext, &err), 0);
  runtime = stage_args (spec, "createRuntime");
  container = stage_args (spec, "createContainer");
  /* b's 10-x masks a's; names in case-folded order; prestart goes in as
   * createRuntime; poststop comes back to the caller.  */
  assert_string_equal (runtime, "b-x a-y b-B");
  assert_string_equal (container, "a-y");
  assert_null (json_object_object_get (json_object_object_get (spec, "hooks"), "prestart"));
  assert_int_equal (ferry_json_array_length (json_object_object_get (ext, "poststop")), 1);
  remove_dir (a);
  remove_dir (b);
}

/* Whether a hook of WHEN applies to a container running ARGS0 with
 * ANNOTATIONS (JSON) and HAS_BIND_MOUNTS.  */
static int
applies (const char *when, const char *args0, const char *annotations, int has_bind_mounts)
{
  cleanup_free char *dir = make_dir ();
  char *dirs[] = { dir, NULL };
  cleanup_json json_object *hooks = NULL, *spec = spec_of (args0), *ext = NULL;
  cleanup_json json_object *ann = json_tokener_parse (annotations);
  ferry_error_t err = NULL;
  int r;

  add_hook (dir, "h.json", "h", when, "[\"poststart\"]");
  assert_int_equal (ferry_hooks_read (dirs, &hooks, &err), 0);
  assert_int_equal (ferry_hooks_inject (hooks, spec, ann, has_bind_mounts, &ext, &err), 0);
  r = json_object_object_get (spec, "hooks") != NULL;
  remove_dir (dir);
  return r;
}

static void
test_when (void **state)
{
  (void) state;
  assert_true (applies ("{\"always\": true}", "sh", "{}", 0));
  assert_false (applies ("{\"always\": false}", "sh", "{}", 1));
  assert_false (applies ("{}", "sh", "{}", 1));
  assert_true (applies ("{\"hasBindMounts\": true}", "sh", "{}", 1));
  assert_false (applies ("{\"hasBindMounts\": true}", "sh", "{}", 0));
  assert_false (applies ("{\"hasBindMounts\": false}", "sh", "{}", 0));
  assert_true (applies ("{\"annotations\": {\"^a\": \"^v$\"}}", "sh", "{\"b\": \"v\", \"ab\": \"v\"}", 0));
  assert_false (applies ("{\"annotations\": {\"^a\": \"^v$\", \"^c$\": \".\"}}", "sh", "{\"ab\": \"v\"}", 0));
  /* Commands decide alone, once the others hold.  */
  assert_true (applies ("{\"commands\": [\"^/bin/\", \"^sh$\"]}", "sh", "{}", 0));
  assert_false (applies ("{\"always\": true, \"commands\": [\"^x$\"]}", "sh", "{}", 0));
  assert_false (applies ("{\"always\": false, \"commands\": [\"sh\"]}", "sh", "{}", 0));
  assert_true (
      applies ("{\"annotations\": {\"k\": \"v\"}, \"commands\": [\"sh\"]}", "sh", "{\"k\": \"v\"}", 0));
  /* A 1.0.0 file cannot make its conditions alternatives.  */
  assert_false (applies ("{\"or\": true, \"always\": false, \"hasBindMounts\": true}", "sh", "{}", 1));
}

/* The error reading a directory of one file NAME holding TEXT.  */
static char *
read_error (const char *name, const char *text, char **dir_out)
{
  cleanup_free char *dir = make_dir ();
  char *dirs[] = { dir, NULL };
  cleanup_json json_object *hooks = NULL;
  ferry_error_t err = NULL;
  char *msg;

  write_file (dir, name, text);
  assert_int_equal (ferry_hooks_read (dirs, &hooks, &err) < 0, 1);
  msg = xstrdup (err->msg);
  ferry_error_release (&err);
  *dir_out = steal_pointer (&dir);
  return msg;
}

static void
test_bad_files (void **state)
{
  static const struct
  {
    const char *text, *why; /* @: the file's path */
  } cases[] = {
    { "{", "parsing hook \"@\": version check: unexpected end of JSON input" },
    { "{\"version\": \"2\"}", "parsing hook \"@\": unrecognized hook version: \"2\"" },
    { "{\"version\": \"1.0.0\", \"hook\": \"x\"}", "parsing hook \"@\": 1.0.0: \"hook\" must be an object" },
    { "{\"version\": \"1.0.0\", \"hook\": {}, \"when\": {\"always\": true}, \"stages\": []}",
      "missing required property: hook.path" },
    { "{\"version\": \"1.0.0\", \"hook\": {\"path\": \"/bin/true\"}, \"when\": {\"always\": true}}",
      "missing required property: stages" },
    { "{\"version\": \"1.0.0\", \"hook\": {\"path\": \"/bin/true\"}, \"when\": {}, \"stages\": [\"later\"]}",
      "unknown stage \"later\"" },
    { "{\"hook\": \"/bin/true\", \"stage\": [\"prestart\"], \"stages\": [\"prestart\"]}",
      "parsing hook \"@\": : cannot set both 'stage' and 'stages'" },
  };

  (void) state;
  for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++)
    {
      cleanup_free char *dir = NULL;
      cleanup_free char *msg = read_error ("x.json", cases[i].text, &dir);
      cleanup_free char *path = xasprintf ("%s/x.json", dir);
      cleanup_free char *want = NULL;

      const char *at = strchr (cases[i].why, '@');

      want = at ? xasprintf ("%.*s%s%s", (int) (at - cases[i].why), cases[i].why, path, at + 1)
                : xstrdup (cases[i].why);
      if (strcmp (msg, want) != 0)
        fail_msg ("case %zu: got \"%s\", want \"%s\"", i, msg, want);
      remove_dir (dir);
    }
  {
    cleanup_free char *dir = NULL;
    cleanup_free char *msg = read_error (
        "x.json",
        "{\"version\": \"1.0.0\", \"hook\": {\"path\": \"/bin/true\"}, \"when\": {\"commands\": [\"(\"]}, "
        "\"stages\": [\"prestart\"]}",
        &dir);
    assert_true (strncmp (msg, "invalid command \"(\": error parsing regexp: ", 43) == 0);
    remove_dir (dir);
  }
}

static void
test_passed_over (void **state)
{
  cleanup_free char *dir = make_dir ();
  char *dirs[] = { dir, NULL };
  cleanup_json json_object *hooks = NULL;
  cleanup_free char *link = xasprintf ("%s/link.json", dir);
  ferry_error_t err = NULL;

  (void) state;
  write_file (
      dir, "gone.json",
      "{\"version\": \"1.0.0\", \"hook\": {\"path\": \"/nonexistent/hook\"}, \"when\": {\"always\": true}, "
      "\"stages\": [\"prestart\"]}");
  assert_int_equal (symlink ("/nonexistent/file", link), 0);
  assert_int_equal (ferry_hooks_read (dirs, &hooks, &err), 0);
  assert_int_equal (ferry_json_array_length (hooks), 0);
  remove_dir (dir);
}

static void
test_legacy (void **state)
{
  cleanup_free char *dir = make_dir ();
  char *dirs[] = { dir, NULL };
  cleanup_json json_object *hooks = NULL, *spec = spec_of ("sh"), *ext = NULL;
  cleanup_json json_object *ann = json_tokener_parse ("{\"k\": \"v2\"}");
  cleanup_free char *args = NULL;
  ferry_error_t err = NULL;

  (void) state;
  write_file (dir, "a.json", "{\"hook\": \"/bin/true\", \"arguments\": [\"a\"], \"stages\": [\"prestart\"]}");
  write_file (
      dir, "b.json",
      "{\"hook\": \"/bin/true\", \"arguments\": [\"b\"], \"cmds\": [\"^x$\"], \"hasbindmounts\": true, "
      "\"stages\": [\"prestart\"]}");
  write_file (
      dir, "c.json",
      "{\"version\": \"0.1.0\", \"hook\": \"/bin/true\", \"arguments\": [\"c\"], \"annotations\": [\"^v1$\", "
      "\"^v2$\"], \"stage\": [\"prestart\"]}");
  assert_int_equal (ferry_hooks_read (dirs, &hooks, &err), 0);
  assert_int_equal (ferry_hooks_inject (hooks, spec, ann, 1, &ext, &err), 0);
  /* No condition: never; any one condition that holds: enough.  */
  args = stage_args (spec, "createRuntime");
  assert_string_equal (args, "b c");
  remove_dir (dir);
}

static void
test_exec (void **state)
{
  cleanup_json json_object *cat = json_tokener_parse ("{\"path\": \"/bin/cat\"}");
  cleanup_json json_object *fail = json_tokener_parse ("{\"path\": \"/bin/false\"}");
  cleanup_json json_object *slow
      = json_tokener_parse ("{\"path\": \"/bin/sleep\", \"args\": [\"sleep\", \"10\"], \"timeout\": 1}");
  cleanup_json json_object *env = json_tokener_parse (
      "{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo $A $0\", \"zero\"], \"env\": [\"A=a\"]}");
  cleanup_free char *out = NULL, *env_out = NULL;
  ferry_error_t err = NULL;

  (void) state;
  assert_int_equal (ferry_hooks_exec (cat, "{\"id\": \"x\"}", &out, &err), 0);
  assert_string_equal (out, "{\"id\": \"x\"}");
  assert_int_equal (ferry_hooks_exec (env, "", &env_out, &err), 0);
  assert_string_equal (env_out, "a zero\n");
  assert_true (ferry_hooks_exec (fail, "", NULL, &err) < 0);
  assert_string_equal (err->msg, "executing /bin/false: exit status 1");
  ferry_error_release (&err);
  assert_true (ferry_hooks_exec (slow, "", NULL, &err) < 0);
  assert_string_equal (err->msg, "executing /bin/sleep: timed out after 1s");
  ferry_error_release (&err);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_masking_and_order),
    cmocka_unit_test (test_when),
    cmocka_unit_test (test_bad_files),
    cmocka_unit_test (test_passed_over),
    cmocka_unit_test (test_legacy),
    cmocka_unit_test (test_exec),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
