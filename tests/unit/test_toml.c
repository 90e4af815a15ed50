/* Unit tests for src/lib/util/toml.c: what the reader reports of inline
 * tables and lists of them, and the TOML it refuses (each refusal one
 * line naming the file and line).  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/toml.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the handler was told, one line per call: "[T]", "[[T]]", or
 * "T: K = V" with V a string, a number, or a list as (a,b) with "+" for
 * {append=true} and "?" when mixed.  */
struct record
{
  char *text;
};

static void
add (struct record *r, char *line)
{
  char *joined = xasprintf ("%s%s\n", r->text ? r->text : "", line);

  free (r->text);
  free (line);
  r->text = joined;
}

static int
on_table (void *data, const struct ferry_toml_where *w, const char *name, int array, ferry_error_t *err)
{
  (void) err;
  add (data, xasprintf ("%d: %s%s%s", w->line, array ? "[[" : "[", name, array ? "]]" : "]"));
  return 0;
}

static int
on_value (void *data, const struct ferry_toml_where *w, const char *table, const char *key,
          struct ferry_toml_value *v, ferry_error_t *err)
{
  cleanup_free char *list = xstrdup ("");

  (void) err;
  switch (v->type)
    {
    case FERRY_TOML_STRING:
      add (data, xasprintf ("%d: %s: %s = \"%s\"", w->line, table, key, v->string));
      return 0;
    case FERRY_TOML_INTEGER:
    case FERRY_TOML_BOOLEAN:
      add (data, xasprintf ("%d: %s: %s = %lld", w->line, table, key, (long long) v->integer));
      return 0;
    case FERRY_TOML_ARRAY:
      for (size_t i = 0; i < v->n_strings; i++)
        {
          char *l = xasprintf ("%s%s%s", list, i ? "," : "", v->strings[i]);
          free (list);
          list = l;
        }
      add (data, xasprintf ("%d: %s: %s = (%s)%s%s", w->line, table, key, list, v->append ? "+" : "",
                            v->mixed ? "?" : ""));
      return 0;
    default:
      add (data, xasprintf ("%d: %s: %s = other", w->line, table, key));
      return 0;
    }
}

static const struct ferry_toml_handler handler = { .table = on_table, .value = on_value };

static void
reads_as (const char *text, const char *expected)
{
  struct record r = { 0 };
  ferry_error_t err = NULL;

  if (ferry_toml_parse ("t.conf", text, &handler, &r, &err) < 0)
    fail_msg ("refused: %s\n%s", text, err->msg);
  assert_string_equal (r.text ? r.text : "", expected);
  free (r.text);
}

/* TEXT is refused with one line that starts "t.conf:LINE: " and holds
 * WORDS.  */
static void
refused (const char *text, int line, const char *words)
{
  struct record r = { 0 };
  ferry_error_t err = NULL;
  cleanup_free char *where = xasprintf ("t.conf:%d: ", line);

  if (ferry_toml_parse ("t.conf", text, &handler, &r, &err) == 0)
    fail_msg ("accepted: %s", text);
  free (r.text);
  if (strncmp (err->msg, where, strlen (where)) != 0 || strstr (err->msg, words) == NULL
      || strchr (err->msg, '\n'))
    fail_msg ("%s: wanted one line `%s...%s`, got `%s`", text, where, words, err->msg);
  ferry_error_release (&err);
}

static void
test_inline_tables (void **state)
{
  (void) state;
  /* A list of inline tables is an array of tables; the lines after it
   * are the header's again.  */
  reads_as (
      "[[registry]]\nprefix = \"a.test\"\n"
      "mirror = [ { location = \"m1\" },\n  { location = \"m2\", insecure = true } ]\n"
      "location = \"b.test\"\n",
      "1: [[registry]]\n2: registry: prefix = \"a.test\"\n"
      "3: [[registry.mirror]]\n3: registry.mirror: location = \"m1\"\n"
      "4: [[registry.mirror]]\n4: registry.mirror: location = \"m2\"\n4: registry.mirror: insecure = 1\n"
      "5: registry: location = \"b.test\"\n");
  /* Nested, at the top, and a lone inline table as a [table].  */
  reads_as (
      "registry = [ { prefix = \"p\", mirror = [ { location = \"m\" } ], location = \"l\" } ]\n"
      "x = 1\n[t]\nsub = { a = \"b\", c.d = 2, e = {} }\n",
      "1: [[registry]]\n1: registry: prefix = \"p\"\n1: [[registry.mirror]]\n"
      "1: registry.mirror: location = \"m\"\n1: registry: location = \"l\"\n"
      "2: : x = 1\n3: [t]\n4: [t.sub]\n4: t.sub: a = \"b\"\n4: [t.sub.c]\n4: t.sub.c: d = 2\n4: [t.sub.e]\n");
  /* Lists that are not lists of tables stay values: containers.conf's
   * {append=true}, and anything mixed.  */
  reads_as ("[c]\nenv = [\"A=1\", { append = true }]\nx = [\"a\", { b = 1 }]\ny = [ ]\nz = [[\"a\"]]\n"
            "w = [{append=true}]\n",
            "1: [c]\n2: c: env = (A=1)+\n3: c: x = (a)?\n4: c: y = ()\n5: c: z = ()?\n6: c: w = ()+\n");
  /* The same key in different elements of an array, or in a table and
   * its sub-table, is no repetition.  */
  reads_as ("[[a]]\nk = 1\n[[a]]\nk = 2\n[a.b]\nk = 3\n[x.y]\n[x]\nk = 4\n",
            "1: [[a]]\n2: a: k = 1\n3: [[a]]\n4: a: k = 2\n5: [a.b]\n6: a.b: k = 3\n7: [x.y]\n8: [x]\n"
            "9: x: k = 4\n");
  reads_as ("m = [ { a = 1 }, { a = 2 } ]\n", "1: [[m]]\n1: m: a = 1\n1: [[m]]\n1: m: a = 2\n");
}

/* A dotted key is a key of the tables its parts name; a quoted key is one
 * key, dots and all ("a.b" = 1 is no a.b = 1).  Handlers see a table's
 * name with each part that is no bare key quoted, and a key as written.  */
static void
test_dotted_and_quoted_keys (void **state)
{
  (void) state;
  reads_as ("a.b = 1\n\"a.b\" = 2\na.c = 3\n", "1: [a]\n1: a: b = 1\n2: : a.b = 2\n3: a: c = 3\n");
  reads_as ("[aliases]\n\"my.app\" = \"x\"\nmy.app = \"y\"\n",
            "1: [aliases]\n2: aliases: my.app = \"x\"\n3: [aliases.my]\n3: aliases.my: app = \"y\"\n");
  /* Quoted or bare, a part that may be bare is the same key.  */
  reads_as ("[\"registry\"]\n\"x\" = 1\n[registry.\"mirror\"]\n",
            "1: [registry]\n2: registry: x = 1\n3: [registry.mirror]\n");
  /* A part with a dot (or anything no bare key holds) stays one part.  */
  reads_as ("[\"a.b\".c]\nd = 1\n[a.b.c]\nd = 2\n",
            "1: [\"a.b\".c]\n2: \"a.b\".c: d = 1\n3: [a.b.c]\n4: a.b.c: d = 2\n");
  reads_as ("\"q\\\"\\\\\" = { \"\" = 1, x.\"y z\".w = 2 }\n",
            "1: [\"q\\\"\\\\\"]\n1: \"q\\\"\\\\\":  = 1\n"
            "1: [\"q\\\"\\\\\".x]\n1: [\"q\\\"\\\\\".x.\"y z\"]\n1: \"q\\\"\\\\\".x.\"y z\": w = 2\n");
  /* Deeper dotted keys: each table made comes once.  */
  reads_as ("[t]\na.b.c = 1\na.b.d = 2\na.e = 3\n",
            "1: [t]\n2: [t.a]\n2: [t.a.b]\n2: t.a.b: c = 1\n3: t.a.b: d = 2\n4: t.a: e = 3\n");
  /* A key shown in a message is TOML's text of it, on one line.  */
  {
    struct ferry_toml_where w = { .path = "t.conf", .line = 3 };
    struct ferry_toml_value v = { .type = FERRY_TOML_INTEGER };
    ferry_error_t err = NULL;

    assert_int_equal (ferry_toml_want (&w, "a\nb.c", &v, FERRY_TOML_STRING, &err), -1);
    assert_string_equal (err->msg,
                         "t.conf:3: invalid value of `\"a\\u000ab.c\"`: use a string in double quotes");
    ferry_error_release (&err);
  }
  /* Not twice the same key, and not the same key either way.  */
  refused ("\"a.b\" = 1\n\"a.b\" = 2\n", 2, "Key 'a.b' has already been defined");
  refused ("[\"a.b\"]\n[\"a.b\"]\n", 2, "has already been defined");
}

static void
test_refusals (void **state)
{
  char deep[128] = "x = ";

  (void) state;
  /* Keys and tables defined twice, in every way TOML forbids.  */
  refused ("a = 1\na = 2\n", 2, "Key 'a' has already been defined (first at line 1)");
  refused ("a = 1\n\"a\" = 2\n", 2, "Key 'a' has already been defined");
  refused ("[t]\na.b = 1\na.b = 2\n", 3, "Key 't.a.b' has already been defined");
  refused ("[t]\na = 1\na.b = 2\n", 3, "Key 't.a' has already been defined");
  refused ("m = [ { a = 1, a = 2 } ]\n", 1, "Key 'm.a' has already been defined");
  refused ("[t]\n[t]\n", 2, "Key 't' has already been defined (first at line 1)");
  refused ("[t]\nx = 1\n[t.x]\n", 3, "Key 't.x' has already been defined");
  refused ("[[registry]]\nmirror = [ { location = \"a\" } ]\n[[registry.mirror]]\nlocation = \"b\"\n", 3,
           "Key 'registry.mirror' was already created and cannot be used as an array");
  refused ("[t]\n[[t]]\n", 2, "Key 't' was already created and cannot be used as an array");
  refused ("[[t]]\n[t]\n", 2, "Key 't' has already been defined");
  /* A table written inline is closed: no later line adds to it.  */
  refused ("a = { b = 1 }\na.c = 2\n", 2, "Key 'a' has already been defined");
  refused ("a = { b = 1 }\n[a.c]\n", 2, "Key 'a' has already been defined");
  refused ("a = { b = 1 }\n[a]\n", 2, "Key 'a' has already been defined");
  refused ("m = [ { a = 1 } ]\nm.b = 2\n", 2, "Key 'm' has already been defined");
  /* A table made by dotted keys is not reopened by a header.  */
  refused ("a.b = 1\n[a]\n", 2, "Key 'a' has already been defined");
  /* Unterminated, malformed and hostile shapes.  */
  refused ("[[registry]]\nmirror = [ { location = \"a\" ]\n", 2, "invalid inline table");
  refused ("m = [ { location = \"a\" }\n", 2, "invalid array");
  refused ("m = { a = 1,\n b = 2 }\n", 1, "invalid key");
  refused ("m = { a = 1, }\n", 1, "trailing comma not allowed in inline tables");
  refused ("m = { a = 1 \n", 1, "invalid inline table");
  refused ("m = { a }\n", 1, "invalid inline table");
  refused ("m = { a = 1 } x\n", 1, "unexpected text after the value");
  refused ("\n[[a]] b = 1\n", 2, "unexpected text");
  for (int i = 0; i < 17; i++)
    strcat (deep, i % 2 ? "{a=" : "[");
  strcat (deep, "1");
  refused (deep, 1, "values nested too deeply");
}

static int
count_value (void *data, const struct ferry_toml_where *w, const char *table, const char *key,
             struct ferry_toml_value *v, ferry_error_t *err)
{
  (void) w, (void) table, (void) key, (void) v, (void) err;
  ++*(size_t *) data;
  return 0;
}

/* Many keys: all kept apart (the table grows), a repeated one found.  */
static void
test_many_keys (void **state)
{
  const struct ferry_toml_handler count = { .value = count_value };
  size_t n = 50000, len = 0, values = 0;
  cleanup_free char *text = xmalloc (n * 32 + 64);
  ferry_error_t err = NULL;

  (void) state;
  for (size_t i = 0; i < n; i++)
    len += (size_t) sprintf (text + len, "k%zu = { a%zu = 1 }\n", i, i);
  assert_int_equal (ferry_toml_parse ("t.conf", text, &count, &values, &err), 0);
  assert_int_equal (values, n);
  sprintf (text + len, "k7 = 2\n");
  assert_int_equal (ferry_toml_parse ("t.conf", text, &count, &values, &err), -1);
  assert_non_null (strstr (err->msg, "t.conf:50001: Key 'k7' has already been defined (first at line 8)"));
  ferry_error_release (&err);
}

/* Each value as Go prints it, with the Go type and text of a list's first
 * element that is no string: "K type text | element-type element-text".  */
static int
on_go_text (void *data, const struct ferry_toml_where *w, const char *table, const char *key,
            struct ferry_toml_value *v, ferry_error_t *err)
{
  (void) w;
  (void) table;
  (void) err;
  add (data, xasprintf ("%s %s %s | %s %s", key, v->go_type ? v->go_type : "-", v->go_text ? v->go_text : "-",
                        v->go_element ? v->go_element : "-", v->go_element_text ? v->go_element_text : "-"));
  return 0;
}

static void
test_go_text (void **state)
{
  static const struct ferry_toml_handler h = { .value = on_go_text };
  struct record r = { NULL };
  ferry_error_t err = NULL;

  (void) state;
  assert_int_equal (ferry_toml_parse ("t.conf",
                                      "s = \"x y\"\ni = -12\nb = true\nf = 1.5\nd = 1979-05-27\n"
                                      "l = [\"a\", 2, true]\nm = [\"a\", false]\nn = [[1]]\n",
                                      &h, &r, &err),
                    0);
  assert_string_equal (r.text, "s string x y | - -\n"
                               "i int64 -12 | - -\n"
                               "b bool true | - -\n"
                               "f float64 1.5 | - -\n"
                               "d time.Time 1979-05-27 | - -\n"
                               "l []any - | int64 2\n"
                               "m []any - | bool false\n"
                               "n []any - | []any -\n");
  free (r.text);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_inline_tables), cmocka_unit_test (test_dotted_and_quoted_keys),
    cmocka_unit_test (test_refusals),      cmocka_unit_test (test_many_keys),
    cmocka_unit_test (test_go_text),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
