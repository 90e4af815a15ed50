/* Unit tests for src/lib/util/yaml.c: quoting of special strings, key
 * order, folding and layout, against what Podman 5.4 (go-yaml v2) wrote
 * for the same values.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/cleanup.h"
#include "util/yaml.h"

#include <stdlib.h>
#include <string.h>

/* "v: <S written as a value>\n".  */
static char *
value_line (const char *s)
{
  cleanup_yaml ferry_yaml_t *m = ferry_yaml_map ();

  ferry_yaml_set (m, "v", ferry_yaml_str (s));
  return ferry_yaml_emit (m);
}

static void
assert_value (const char *s, const char *expected)
{
  cleanup_free char *got = value_line (s);
  cleanup_free char *want = NULL;

  if (asprintf (&want, "v: %s\n", expected) < 0)
    abort ();
  assert_string_equal (got, want);
}

static void
test_plain_and_quoted (void **state)
{
  (void) state;
  assert_value ("bar", "bar");
  assert_value ("echo hi; sleep 100", "echo hi; sleep 100");
  assert_value ("say \"hi\" there", "say \"hi\" there");
  assert_value ("-c", "-c");
  assert_value ("a:b", "a:b");
  /* Plain text would read back as something else.  */
  assert_value ("", "\"\"");
  assert_value ("100", "\"100\"");
  assert_value ("-5", "\"-5\"");
  assert_value ("1e5", "\"1e5\"");
  assert_value ("0o17", "\"0o17\"");
  assert_value ("0x1F", "\"0x1F\"");
  assert_value ("08", "\"08\"");
  assert_value ("1.5", "\"1.5\"");
  assert_value (".5", "\".5\"");
  assert_value ("yes", "\"yes\"");
  assert_value ("TRUE", "\"TRUE\"");
  assert_value ("off", "\"off\"");
  assert_value ("null", "\"null\"");
  assert_value ("~", "\"~\"");
  assert_value ("2001-12-14", "\"2001-12-14\"");
  assert_value ("2001-12-14T10:11:12Z", "\"2001-12-14T10:11:12Z\"");
  assert_value ("1:20", "\"1:20\"");
  assert_value ("2001-13-14", "2001-13-14");
  assert_value ("yesterday", "yesterday");
  assert_value ("1.2.3", "1.2.3");
  /* Cannot be plain: single quotes.  */
  assert_value ("a: b", "'a: b'");
  assert_value ("a #b", "'a #b'");
  assert_value ("*x", "'*x'");
  assert_value ("- x", "'- x'");
  assert_value ("it's: x", "'it''s: x'");
  assert_value (" lead", "' lead'");
  assert_value ("trail ", "'trail '");
  assert_value ("---", "'---'");
  /* Only double quotes can hold it.  */
  assert_value ("a\tb", "\"a\\tb\"");
  assert_value ("bell\a", "\"bell\\a\"");
  assert_value ("x\x01y", "\"x\\x01y\"");
}

static void
test_literal (void **state)
{
  (void) state;
  assert_value ("line1\nline2", "|-\n  line1\n  line2");
  assert_value ("line1\nline2\n", "|\n  line1\n  line2");
  assert_value ("a\n\nb", "|-\n  a\n\n  b");
  /* A space before a break, or at the end: double quotes.  */
  assert_value ("a \nb", "\"a \\nb\"");
}

static void
test_fold (void **state)
{
  cleanup_yaml ferry_yaml_t *m = ferry_yaml_map ();
  ferry_yaml_t *seq = ferry_yaml_seq (), *item = ferry_yaml_map ();
  cleanup_free char *out = NULL;

  (void) state;
  ferry_yaml_append (seq, ferry_yaml_str ("echo aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk "
                                          "llll mmmm nnnn oooo pppp qqqq rrrr ssss"));
  ferry_yaml_set (item, "name", ferry_yaml_str ("SQ"));
  ferry_yaml_set (item, "value",
                  ferry_yaml_str ("it's: x yyyy zzzz aaaa bbbb cccc dddd eeee ffff gggg hhhh "
                                  "iiii jjjj kkkk llll mmmm nnnn oooo"));
  ferry_yaml_append (seq, item);
  ferry_yaml_set (m, "command", seq);
  out = ferry_yaml_emit (m);
  assert_string_equal (out,
                       "command:\n"
                       "- echo aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo\n"
                       "  pppp qqqq rrrr ssss\n"
                       "- name: SQ\n"
                       "  value: 'it''s: x yyyy zzzz aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk\n"
                       "    llll mmmm nnnn oooo'\n");
}

static void
test_layout_and_order (void **state)
{
  cleanup_yaml ferry_yaml_t *doc = ferry_yaml_map ();
  ferry_yaml_t *meta = ferry_yaml_map (), *spec = ferry_yaml_map (), *ctrs = ferry_yaml_seq ();
  ferry_yaml_t *c = ferry_yaml_map (), *ports = ferry_yaml_seq (), *p = ferry_yaml_map ();
  cleanup_free char *out = NULL;

  (void) state;
  ferry_yaml_set (doc, "kind", ferry_yaml_str ("Pod"));
  ferry_yaml_set (doc, "apiVersion", ferry_yaml_str ("v1"));
  ferry_yaml_set (meta, "name", ferry_yaml_str ("web-pod"));
  ferry_yaml_set (doc, "metadata", meta);
  ferry_yaml_set (p, "hostPort", ferry_yaml_int (8080));
  ferry_yaml_set (p, "containerPort", ferry_yaml_int (80));
  ferry_yaml_append (ports, p);
  ferry_yaml_set (c, "name", ferry_yaml_str ("web"));
  ferry_yaml_set (c, "ports", ports);
  ferry_yaml_set (c, "image", ferry_yaml_str ("localhost/ferry-test:latest"));
  ferry_yaml_append (ctrs, c);
  ferry_yaml_set (spec, "containers", ctrs);
  ferry_yaml_set (doc, "spec", spec);
  ferry_yaml_set (doc, "status", ferry_yaml_map ());
  out = ferry_yaml_emit (doc);
  assert_string_equal (out, "apiVersion: v1\n"
                            "kind: Pod\n"
                            "metadata:\n"
                            "  name: web-pod\n"
                            "spec:\n"
                            "  containers:\n"
                            "  - image: localhost/ferry-test:latest\n"
                            "    name: web\n"
                            "    ports:\n"
                            "    - containerPort: 80\n"
                            "      hostPort: 8080\n"
                            "status: {}\n");
}

static void
test_key_order (void **state)
{
  (void) state;
  assert_true (ferry_yaml_key_compare ("a2", "a10") < 0);
  assert_true (ferry_yaml_key_compare ("a10", "a2") > 0);
  assert_true (ferry_yaml_key_compare ("an/c2", "creationTimestamp") < 0);
  assert_true (ferry_yaml_key_compare ("hostIP", "hostPort") < 0);
  assert_true (ferry_yaml_key_compare ("io.podman.annotations.ulimit", "long/r1") < 0);
  assert_true (ferry_yaml_key_compare ("x", "x") == 0);
  assert_true (ferry_yaml_key_compare ("x", "xy") < 0);
  /* A quoted key, as a label "1" would be.  */
  {
    cleanup_yaml ferry_yaml_t *m = ferry_yaml_map ();
    cleanup_free char *out = NULL;
    ferry_yaml_set (m, "1", ferry_yaml_str ("a: b"));
    out = ferry_yaml_emit (m);
    assert_string_equal (out, "\"1\": 'a: b'\n");
  }
}

static void
test_long_key (void **state)
{
  cleanup_yaml ferry_yaml_t *doc = ferry_yaml_map ();
  ferry_yaml_t *ann = ferry_yaml_map ();
  char key[141];
  cleanup_free char *out = NULL, *want = NULL;

  (void) state;
  memset (key, 'k', 130);
  strcpy (key + 130, "/lk");
  ferry_yaml_set (ann, key, ferry_yaml_str ("v"));
  ferry_yaml_set (ann, "m/lk",
                  ferry_yaml_str ("word word word word word word word word word word word word word "
                                  "word word word word word word word "));
  ferry_yaml_set (doc, "annotations", ann);
  out = ferry_yaml_emit (doc);
  /* As Podman wrote it: a complex key, and a single-quoted value (its
   * trailing space) folded after column 80.  */
  if (asprintf (&want,
                "annotations:\n"
                "  ? %s\n"
                "  : v\n"
                "  m/lk: 'word word word word word word word word word word word word word word word\n"
                "    word word word word word '\n",
                key)
      < 0)
    abort ();
  assert_string_equal (out, want);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_plain_and_quoted),
    cmocka_unit_test (test_literal),
    cmocka_unit_test (test_fold),
    cmocka_unit_test (test_layout_and_order),
    cmocka_unit_test (test_key_order),
    cmocka_unit_test (test_long_key),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
