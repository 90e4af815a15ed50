/* Unit tests for src/cli/template.c: values printed as Go's text/template
 * prints them, the typed values of the list reports, and tables laid out
 * as Go's tabwriter lays out Podman's.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli/common.h"
#include "cli/template.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* FORMAT rendered against the JSON text DATA.  */
static char *
render (const char *format, const char *data)
{
  cleanup_json json_object *obj = json_tokener_parse (data);
  ferry_error_t err = NULL;
  char *out = NULL;

  assert_non_null (obj);
  if (ferry_cli_template (format, obj, &out, &err) < 0)
    fail_msg ("template `%s` failed: %s", format, err->msg);
  return out;
}

static void
assert_renders (const char *format, const char *data, const char *want)
{
  cleanup_free char *got = render (format, data);

  assert_string_equal (got, want);
}

/* Go's trim markers: "{{- " and " -}}" take the white space beside the
 * action away; "{{-3}}" is a number.  */
static void
test_trim_markers (void **state)
{
  (void) state;
  assert_renders ("[{{.A -}}   x]", "{\"A\":\"a\"}", "[ax]");
  assert_renders ("[x \n\t {{- .A}}]", "{\"A\":\"a\"}", "[xa]");
  assert_renders ("{{range .L}}{{.}}\n{{- end}}", "{\"L\":[\"a\",\"b\"]}", "ab");
  assert_renders ("{{range .L -}}\n  {{.}}\n{{end -}}\n", "{\"L\":[\"a\",\"b\"]}", "a\nb\n");
  assert_renders ("[{{- if .A}} y {{else -}} n {{end -}} ]", "{\"A\":\"\"}", "[n ]");
  assert_renders ("{{-3}} {{ 4 }}", "{}", "-3 4");
}

static void
test_go_values (void **state)
{
  (void) state;
  assert_renders ("{{.A}}", "{\"A\":[\"a\",\"b c\"]}", "[a b c]");
  assert_renders ("{{.M}}", "{\"M\":{\"z\":\"1\",\"a\":[1,2],\"m\":{\"k\":true}}}",
                  "map[a:[1 2] m:map[k:true] z:1]");
  assert_renders ("{{.T}} {{.F}} {{.N}} {{.D}} {{.E}}",
                  "{\"T\":true,\"F\":false,\"N\":-42,\"D\":1.5,\"E\":[]}", "true false -42 1.5 []");
  assert_renders ("{{.Nil}}|{{.L}}", "{\"Nil\":null,\"L\":[null]}", "<no value>|[<nil>]");
  assert_renders ("{{json .A}} {{json .M}}", "{\"A\":[\"a\"],\"M\":{\"k\":1}}", "[\"a\"] {\"k\":1}");
  assert_renders ("{{index .A 1}}|{{index .M \"k\"}}|{{.M.k}}", "{\"A\":[\"x\",\"y\"],\"M\":{\"k\":\"v\"}}",
                  "y|v|v");
  assert_renders ("a\\tb\\n", "{}", "a\tb\n");
  /* ps's .Label "k": the label, or "" when it has none.  */
  assert_renders ("{{.Label \"k\"}}|{{.Label \"x\"}}|{{.Label \"k\" }}", "{\"Labels\":{\"k\":\"v\"}}",
                  "v||v");
}

/* Go's blocks and len, as scripts use them with Podman: range over a
 * slice or a map (its values in key order), with variables; if and else
 * by Go's truth.  */
static void
test_blocks (void **state)
{
  const char *data = "{\"A\":[\"x\",\"y\"],\"M\":{\"b\":{\"N\":2},\"a\":{\"N\":1}},\"E\":[],\"S\":\"str\","
                     "\"Z\":0,\"Name\":\"top\"}";

  (void) state;
  assert_renders ("{{range .A}}<{{.}}>{{end}}", data, "<x><y>");
  assert_renders ("{{range .M}}{{.N}}{{end}}", data, "12");
  assert_renders ("{{range $k, $v := .M}}{{$k}}={{$v.N}},{{end}}", data, "a=1,b=2,");
  assert_renders ("{{range $i, $v := .A}}{{$i}}{{$v}}{{$.Name}} {{end}}", data, "0xtop 1ytop ");
  assert_renders ("{{range .E}}x{{else}}empty{{end}}|{{range .Nil}}x{{end}}", "{\"E\":[],\"Nil\":null}",
                  "empty|");
  assert_renders ("{{if .S}}yes{{else}}no{{end}} {{if .Z}}yes{{else}}no{{end}} {{if .E}}yes{{end}}", data,
                  "yes no ");
  assert_renders ("{{range .M}}{{if .N}}{{range $.A}}{{.}}{{end}}{{end}}{{end}}", data, "xyxy");
  assert_renders ("{{len .A}} {{len .M}} {{len .S}} {{len .E}}", data, "2 2 3 0");
}

static void
test_unknown_field_is_an_error (void **state)
{
  cleanup_json json_object *obj = json_tokener_parse ("{\"A\":{\"B\":1}}");
  ferry_error_t err = NULL;
  char *out = NULL;

  (void) state;
  assert_int_equal (ferry_cli_template ("{{.A.C}}", obj, &out, &err), -1);
  assert_non_null (strstr (err->msg, "can't evaluate field C"));
  ferry_error_release (&err);
  assert_int_equal (ferry_cli_template ("{{.A", obj, &out, &err), -1);
  ferry_error_release (&err);
}

/* The error FORMAT gives against DATA, as Podman's command NAME words it
 * (RANGED: Podman wrapped the template in {{range .}}).  */
static void
assert_error (const char *name, int ranged, const char *format, const char *data, const char *want)
{
  cleanup_json json_object *obj = json_tokener_parse (data);
  ferry_error_t err = NULL;
  char *out = NULL;

  ferry_cli_template_name (NULL, name);
  if (! ranged)
    ferry_cli_template_unranged ();
  if (ferry_cli_template (format, obj, &out, &err) == 0)
    fail_msg ("template `%s` rendered `%s`", format, out);
  assert_string_equal (err->msg, want);
  ferry_error_release (&err);
}

static void
test_errors_in_go_words (void **state)
{
  (void) state;
  /* A field that is not there: the template's name, line and column
   * (shifted by Podman's "{{range .}}" on the first line), the node.  */
  assert_error ("stats", 1, "{{.Nosuch}}", "{}",
                "template: stats:1:13: executing \"stats\" at <.Nosuch>: can't evaluate field Nosuch in type "
                "interface {}");
  assert_error ("info", 0, "{{.Nosuch}}", "{}",
                "template: info:1:2: executing \"info\" at <.Nosuch>: can't evaluate field Nosuch in type "
                "interface {}");
  assert_error (
      "info", 0, "x {{.A.Foo}}", "{\"A\":\"s\"}",
      "template: info:1:6: executing \"info\" at <.A.Foo>: can't evaluate field Foo in type string");
  assert_error (
      "ps", 1, "a\\n{{.Nosuch}}", "{}",
      "template: ps:2:2: executing \"ps\" at <.Nosuch>: can't evaluate field Nosuch in type interface {}");
  assert_error (
      "ps", 1, "{{.A}}\\t{{len .Nosuch}}", "{\"A\":1}",
      "template: ps:1:24: executing \"ps\" at <.Nosuch>: can't evaluate field Nosuch in type interface {}");
  /* Parse errors: the line only, found before anything runs.  */
  assert_error ("ps", 1, "{{.A}} {{nosuch .A}}", "{\"A\":1}",
                "template: ps:1: function \"nosuch\" not defined");
  assert_error ("ls", 1, "{{.A | upper | nosuch}}", "{}", "template: ls:1: function \"nosuch\" not defined");
  assert_error ("info", 0, "{{.A", "{}", "template: info:1: unclosed action");
  assert_error ("ps", 1, "{{.A", "{}", "template: ps:1: bad character U+007B '{'");
  assert_error ("ps", 1, "{{.A}}{{", "{}", "template: ps:1: unexpected \"{\" in command");
  assert_error ("ps", 1, "{{.A}", "{}", "template: ps:1: bad character U+007D '}'");
  assert_error ("ps", 1, "x\n{{if .A}}", "{}", "template: ps:2: unexpected EOF");
  assert_error ("ps", 1, "{{.A}}\n{{end}}", "{}", "template: ps:2: unexpected {{end}}");
  assert_error ("ps", 1, "{{\"a}}", "{}", "template: ps:1: unterminated quoted string");
  assert_error ("ps", 1, "{{$x}}", "{}", "template: ps:1: undefined variable \"$x\"");
  /* Declared variables are no error, until their block ends.  */
  assert_renders ("{{range $k, $v := .M}}{{$k}}={{$v}} {{end}}", "{\"M\":{\"a\":1}}", "a=1 ");
  assert_error ("ps", 1, "{{range $k, $v := .M}}{{end}}{{$k}}", "{\"M\":{}}",
                "template: ps:1: undefined variable \"$k\"");
  /* image ls and container ls are "list" in Podman, volume list "ls".  */
  assert_error ("ls", 1, "{{nosuch}}", "{}", "template: ls:1: function \"nosuch\" not defined");
  {
    cleanup_json json_object *obj = json_object_new_object ();
    ferry_error_t err = NULL;
    char *out = NULL;

    ferry_cli_template_name ("image", "ls");
    assert_int_equal (ferry_cli_template ("{{nosuch}}", obj, &out, &err), -1);
    assert_string_equal (err->msg, "template: list:1: function \"nosuch\" not defined");
    ferry_error_release (&err);
    ferry_cli_template_name ("volume", "list");
    assert_int_equal (ferry_cli_template ("{{nosuch}}", obj, &out, &err), -1);
    assert_string_equal (err->msg, "template: ls:1: function \"nosuch\" not defined");
    ferry_error_release (&err);
  }
}

static void
test_field_of_a_parsed_number_is_an_error (void **state)
{
  /* json-c keeps a parsed double's text as its userdata: not a map.  */
  cleanup_json json_object *obj = json_tokener_parse ("{\"D\":1.5,\"S\":\"s\"}");
  ferry_error_t err = NULL;
  char *out = NULL;

  (void) state;
  assert_int_equal (ferry_cli_template ("{{.D.x}}", obj, &out, &err), -1);
  ferry_error_release (&err);
  assert_int_equal (ferry_cli_template ("{{.S.x}}", obj, &out, &err), -1);
  ferry_error_release (&err);
}

static void
test_maps (void **state)
{
  cleanup_json json_object *labels = json_tokener_parse ("{\"b\":\"2\",\"a\":\"1\"}");
  cleanup_json json_object *obj = json_object_new_object ();
  cleanup_free char *out = NULL;
  ferry_error_t err = NULL;

  (void) state;
  json_object_object_add (obj, "L", ferry_cli_tpl_map (labels));
  json_object_object_add (obj, "N", ferry_cli_tpl_map (NULL));
  /* A map's missing key is no error: <no value> as a field, the zero
   * string through index; JSON has Go's sorted keys, and a nil map is null.  */
  assert_int_equal (ferry_cli_template (
                        "{{.L}} {{.L.a}} {{.L.x}}|{{index .L \"x\"}}|{{json .L}} {{.N}} {{json .N}} {{.N.a}}",
                        obj, &out, &err),
                    0);
  assert_string_equal (out, "map[a:1 b:2] 1 <no value>||{\"a\":\"1\",\"b\":\"2\"} map[] null <no value>");
}

/* A nil pointer to a struct, as inspect's State.Health without a check:
 * <nil> to print, false, JSON null; a field of it and len are Go's
 * errors, which name its type.  */
static void
test_nil_pointer (void **state)
{
  cleanup_json json_object *obj = json_object_new_object ();
  cleanup_free char *out = NULL, *field = NULL, *len = NULL;
  ferry_error_t err = NULL;

  (void) state;
  json_object_object_add (obj, "H", ferry_cli_tpl_nil_pointer ("*define.HealthCheckResults"));
  assert_int_equal (
      ferry_cli_template ("{{.H}} {{json .H}} {{if .H}}y{{else}}n{{end}} {{json .}}", obj, &out, &err), 0);
  assert_string_equal (out, "<nil> null n {\"H\":null}");
  assert_int_equal (ferry_cli_template ("{{.H.Status}}", obj, &field, &err), -1);
  assert_non_null (strstr (err->msg, "nil pointer evaluating *define.HealthCheckResults.Status"));
  ferry_error_release (&err);
  assert_int_equal (ferry_cli_template ("{{len .H}}", obj, &len, &err), -1);
  assert_non_null (strstr (err->msg, "error calling len: len of nil pointer"));
  ferry_error_release (&err);
}

/* The structs of Podman's reports (gotypes.c) print as Go's fmt prints
 * them: fields in declaration order whatever the JSON's, a missing field
 * its zero value, a pointer &{...} from print and an address inside a
 * value, a CIDR as a net.IPNet; errors name the struct's type.  */
static void
test_go_structs (void **state)
{
  cleanup_json json_object *obj = json_tokener_parse (
      "{\"HostConfig\":{\"RestartPolicy\":{\"MaximumRetryCount\":3,\"Name\":\"on-failure\"},"
      "\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"8080\",\"HostIp\":\"127.0.0.1\"}]}},"
      "\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/s\",\"Destination\":\"/d\",\"RW\":true}],"
      "\"NetworkSettings\":{\"Networks\":{\"n\":{\"NetworkID\":\"x\"}}}}");
  cleanup_json json_object *net
      = json_tokener_parse ("{\"Subnets\":[{\"Subnet\":\"10.89.7.0/24\",\"Gateway\":\"10.89.7.1\"},"
                            "{\"Subnet\":\"fd00::/64\",\"Gateway\":\"fd00::1\"}]}");
  cleanup_free char *out = NULL, *nets = NULL, *bad = NULL;
  ferry_error_t err = NULL;

  (void) state;
  ferry_cli_tpl_go_members (obj, "ferry.ContainerInspect");
  assert_int_equal (
      ferry_cli_template ("{{.HostConfig.RestartPolicy}}|{{print .HostConfig.RestartPolicy}}|"
                          "{{.HostConfig.PortBindings}}|{{.Mounts}}|{{.NetworkSettings.Networks}}|"
                          "{{.HostConfig.RestartPolicy.Name}}|{{json .HostConfig.RestartPolicy}}",
                          obj, &out, &err),
      0);
  assert_string_equal (out, "{on-failure 3}|&{on-failure 3}|map[80/tcp:[{127.0.0.1 8080}]]|"
                            "[{bind  /s /d   [] true  }]|map[n:0xc000000000]|on-failure|"
                            "{\"MaximumRetryCount\":3,\"Name\":\"on-failure\"}");
  ferry_cli_tpl_go_members (net, "ferry.Network");
  assert_int_equal (ferry_cli_template ("{{.Subnets}}", net, &nets, &err), 0);
  assert_string_equal (nets, "[{{{10.89.7.0 ffffff00}} 10.89.7.1 <nil>} "
                             "{{{fd00:: ffffffffffffffff0000000000000000}} fd00::1 <nil>}]");
  assert_int_equal (ferry_cli_template ("{{.HostConfig.RestartPolicy.Nope}}", obj, &bad, &err), -1);
  assert_non_null (strstr (err->msg, "can't evaluate field Nope in type *define.InspectRestartPolicy"));
  ferry_error_release (&err);
}

static void
test_times (void **state)
{
  cleanup_json json_object *obj = json_object_new_object ();
  cleanup_free char *out = NULL;
  ferry_error_t err = NULL;

  (void) state;
  setenv ("TZ", "UTC", 1);
  tzset ();
  json_object_object_add (obj, "T", ferry_cli_tpl_time ("2026-12-05T20:09:50.308963966Z"));
  json_object_object_add (obj, "H", ferry_cli_tpl_time ("2026-12-05T20:09:50.5Z"));
  json_object_object_add (obj, "S", ferry_cli_tpl_time ("1970-01-01T00:00:00Z"));
  json_object_object_add (obj, "Z", ferry_cli_tpl_time (""));
  assert_int_equal (
      ferry_cli_template ("{{.T}}|{{json .T}}|{{.H}}|{{.S}}|{{.Z}}|{{json .Z}}|{{.T.Unix}} {{.Z.Unix}}", obj,
                          &out, &err),
      0);
  assert_string_equal (out, "2026-12-05 20:09:50.308963966 +0000 UTC|\"2026-12-05T20:09:50.308963966Z\"|"
                            "2026-12-05 20:09:50.5 +0000 UTC|1970-01-01 00:00:00 +0000 UTC|"
                            "0001-01-01 00:00:00 +0000 UTC|\"0001-01-01T00:00:00Z\"|1796501390 -62135596800");
}

/* What the list L printed for ROWS (JSON texts, NULL-ended).  */
static char *
list_output (const char *format, int heading, const char *const *rows)
{
  static const struct ferry_cli_column columns[] = {
    { "ID", "CONTAINER ID" }, { "ExitCode", NULL }, { "ImageID", NULL },
    { "Name", NULL },         { "Since", "" },      { NULL, NULL },
  };
  cleanup_list struct ferry_cli_list l = { 0 };
  char path[] = "/tmp/ferry-test-template-XXXXXX";
  int fd = mkstemp (path), saved = dup (STDOUT_FILENO);
  ferry_error_t err = NULL;
  char *text = NULL;
  size_t len = 0;
  FILE *f;

  assert_true (fd >= 0 && saved >= 0);
  fflush (stdout);
  dup2 (fd, STDOUT_FILENO);
  ferry_cli_list_init (&l, format, columns, heading);
  for (; *rows; rows++)
    {
      cleanup_json json_object *row = json_tokener_parse (*rows);
      assert_int_equal (ferry_cli_list_row (&l, row, &err), 0);
    }
  assert_int_equal (ferry_cli_list_end (&l, &err), 0);
  fflush (stdout);
  dup2 (saved, STDOUT_FILENO);
  close (saved);
  f = fdopen (fd, "r");
  rewind (f);
  assert_int_not_equal (getdelim (&text, &len, '\0', f), -1);
  fclose (f);
  unlink (path);
  return text;
}

static void
test_tables (void **state)
{
  static const char *const rows[]
      = { "{\"ID\":\"abc\",\"ExitCode\":0,\"ImageID\":\"i\",\"Name\":\"a-long-name-here\",\"Since\":\"x\"}",
          "{\"ID\":\"def\",\"ExitCode\":137,\"ImageID\":\"i\",\"Name\":\"b\",\"Since\":\"y\"}", NULL };
  static const char *const none[] = { NULL };
  cleanup_free char *table = NULL, *spaces = NULL, *plain = NULL, *bare = NULL, *empty = NULL,
                    *unnamed = NULL;

  (void) state;
  /* Columns at least 12 wide, 2 past the widest cell; the last not padded.  */
  table = list_output ("table {{.ID}}\\t{{.Name}}\\t{{.ExitCode}}", 1, rows);
  assert_string_equal (table, "CONTAINER ID  NAME              EXIT CODE\n"
                              "abc           a-long-name-here  0\n"
                              "def           b                 137\n");
  /* Spaces between actions break columns in a table.  */
  spaces = list_output ("table {{.ImageID}} {{.Name}}", 1, rows);
  assert_string_equal (spaces, "IMAGE ID    NAME\ni           a-long-name-here\ni           b\n");
  plain = list_output ("{{.ID}} {{.Name}}", 1, rows);
  assert_string_equal (plain, "abc a-long-name-here\ndef b\n");
  bare = list_output ("table {{.ID}}", 0, rows);
  assert_string_equal (bare, "abc\ndef\n");
  /* No rows: the headings alone.  */
  empty = list_output ("table {{.ID}}\\t{{.Name}}", 1, none);
  assert_string_equal (empty, "CONTAINER ID  NAME\n");
  /* A field Podman heads nothing.  */
  unnamed = list_output ("table {{.Since}}", 1, rows);
  assert_string_equal (unnamed, "<no value>\nx\ny\n");
}

/* Go's functions and Podman's, pipelines, literals, with and else if.  */
static void
test_functions (void **state)
{
  const char *d = "{\"N\":\"c1\",\"A\":[\"a\",\"b\"],\"M\":{\"k\":\"V\"},\"I\":3,\"F\":false}";

  (void) state;
  assert_renders ("{{upper .N}} {{.N | upper}} {{lower \"AbC\"}} {{title \"hello wide world\"}}", d,
                  "C1 C1 abc Hello Wide World");
  assert_renders ("{{join .A \"+\"}} {{split \"x:y\" \":\"}} {{truncate \"abcdef\" 3}}|{{pad .N 1 2}}|", d,
                  "a+b [x y] abc| c1  |");
  assert_renders ("{{printf \"%s-%d-%5.2f-%q\" .N .I 3.14159 .N}} {{printf \"%d\"}} {{printf \"%s\" 1 2}}", d,
                  "c1-3- 3.14-\"c1\" %!d(MISSING) %!s(int=1)%!(EXTRA int=2)");
  assert_renders ("{{print .N 1 2}}|{{println .N .I}}", d, "c11 2|c1 3\n");
  assert_renders (
      "{{eq .N \"c1\"}} {{ne .I 3}} {{lt 1 2}} {{ge 1 2}} {{eq 1 2 1}} {{and 1 0}} {{or \"\" \"z\"}} "
      "{{not .F}}",
      d, "true false true false true 0 z true");
  assert_renders ("{{if eq .I 1}}one{{else if eq .I 3}}three{{else}}other{{end}}", d, "three");
  assert_renders ("{{with .M.k}}[{{.}}]{{else}}none{{end}}{{with .F}}[{{.}}]{{else}}none{{end}}", d,
                  "[V]none");
  assert_renders ("{{range $i, $v := split \"p,q\" \",\"}}{{$i}}{{$v}}{{end}}", d, "0p1q");
  assert_renders ("{{.A | json}} {{len .A}} {{index .A 1}} {{\"lit\"}} {{1}} {{true}} {{`raw %s`}}", d,
                  "[\"a\",\"b\"] 2 b lit 1 true raw %s");
}

static void
test_function_errors (void **state)
{
  static const char *const bad[] = { "{{upper 1}}",
                                     "{{truncate .N}}",
                                     "{{join .N \",\"}}",
                                     "{{index .A 5}}",
                                     "{{printf}}",
                                     "{{lt 1 \"a\"}}",
                                     "{{nil}}",
                                     "{{.N .N}}",
                                     "{{((((((((((((((((((((((((((((((((("
                                     "((((((((((((((((((((((((((((((((1))))"
                                     "))))))))))))))))))))))))))))))))))))))"
                                     ")))))))))))))))))))))}}",
                                     NULL };
  cleanup_json json_object *obj = json_tokener_parse ("{\"N\":\"c1\",\"A\":[\"a\"]}");

  (void) state;
  for (size_t i = 0; bad[i]; i++)
    {
      ferry_error_t err = NULL;
      char *out = NULL;

      if (ferry_cli_template (bad[i], obj, &out, &err) == 0)
        fail_msg ("template `%s` rendered `%s`", bad[i], out);
      assert_non_null (strstr (err->msg, "template: "));
      ferry_error_release (&err);
    }
}

/* FORMAT's error against DATA ends with WANT.  */
static void
assert_error_ends (const char *format, const char *data, const char *want)
{
  cleanup_json json_object *obj = json_tokener_parse (data);
  ferry_error_t err = NULL;
  char *out = NULL;
  size_t n, w = strlen (want);

  if (ferry_cli_template (format, obj, &out, &err) == 0)
    fail_msg ("template `%s` rendered `%s`", format, out);
  n = strlen (err->msg);
  if (n < w || strcmp (err->msg + n - w, want) != 0)
    fail_msg ("error `%s` does not end with `%s`", err->msg, want);
  ferry_error_release (&err);
}

/* len and index refuse as Go's words them; a field missing on what the
 * template runs on names the Go type the command gave it.  */
static void
test_go_error_words (void **state)
{
  const char *data = "{\"A\":[\"x\"],\"M\":{\"k\":\"v\"},\"S\":\"ab\",\"N\":3}";

  (void) state;
  assert_error_ends ("{{len .N}}", data, "error calling len: len of type int");
  assert_error_ends ("{{index .N 1}}", data, "error calling index: can't index item of type int");
  assert_error_ends ("{{index .M 1}}", data, "error calling index: value has type int; should be string");
  assert_error_ends ("{{index .A \"k\"}}", data,
                     "error calling index: cannot index slice/array with type string");
  assert_error_ends ("{{index .A 1}}", data, "error calling index: reflect: slice index out of range");
  assert_error_ends ("{{index .S 2}}", data, "error calling index: reflect: string index out of range");
  assert_error_ends ("{{index .A 2}}", data, "error calling index: index out of range: 2");
  assert_error_ends ("{{.Nosuch}}", data, "can't evaluate field Nosuch in type interface {}");
  assert_renders ("{{slice .A 0 1}}|{{slice .S 1}}|{{slice .A 1}}", data, "[x]|b|[]");
  assert_error_ends ("{{slice .A 1 0}}", data, "error calling slice: invalid slice index: 1 > 0");
  assert_error_ends ("{{slice .S 0 1 2}}", data, "error calling slice: cannot 3-index slice a string");
  assert_error_ends ("{{slice .N 1}}", data, "error calling slice: can't slice item of type int");
  assert_error_ends ("{{slice .A 0 1 2 3}}", data, "error calling slice: too many slice indexes: 4");
  ferry_cli_template_root_type ("containers.psReporter");
  assert_error_ends ("{{.Nosuch}}", data, "can't evaluate field Nosuch in type containers.psReporter");
  assert_error_ends ("{{range .A}}{{.Nosuch}}{{end}}", data, "can't evaluate field Nosuch in type string");
  ferry_cli_template_root_type (NULL);
}

/* Past a map's missing key, Go finds its zero Value: no more fields, no
 * error, and len cannot tell its type.  */
static void
test_past_missing_key (void **state)
{
  cleanup_json json_object *obj = json_object_new_object ();
  ferry_error_t err = NULL;
  char *out = NULL;

  (void) state;
  json_object_object_add (obj, "M", ferry_cli_tpl_map (NULL));
  assert_int_equal (ferry_cli_template ("{{.M.x.y.z}}", obj, &out, &err), 0);
  assert_string_equal (out, "<no value>");
  free (out);
  assert_true (ferry_cli_template ("{{len .M.x.y}}", obj, &out, &err) < 0);
  assert_non_null (strstr (err->msg, "error calling len: reflect: call of reflect.Value.Type on zero Value"));
  ferry_error_release (&err);
}

/* Podman's report.IsJSON.  */
static void
test_format_is_json (void **state)
{
  (void) state;
  assert_true (ferry_cli_format_is_json ("json"));
  assert_true (ferry_cli_format_is_json (" json "));
  assert_true (ferry_cli_format_is_json ("{{json}}"));
  assert_true (ferry_cli_format_is_json (" {{ json }} "));
  assert_false (ferry_cli_format_is_json ("{{json .}}"));
  assert_false (ferry_cli_format_is_json ("{{json .Names}}"));
  assert_false (ferry_cli_format_is_json ("jsonx"));
  assert_false (ferry_cli_format_is_json ("{{jsonx}}"));
  assert_false (ferry_cli_format_is_json ("{{}}"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_go_values),
    cmocka_unit_test (test_blocks),
    cmocka_unit_test (test_unknown_field_is_an_error),
    cmocka_unit_test (test_errors_in_go_words),
    cmocka_unit_test (test_field_of_a_parsed_number_is_an_error),
    cmocka_unit_test (test_maps),
    cmocka_unit_test (test_nil_pointer),
    cmocka_unit_test (test_go_structs),
    cmocka_unit_test (test_times),
    cmocka_unit_test (test_tables),
    cmocka_unit_test (test_trim_markers),
    cmocka_unit_test (test_functions),
    cmocka_unit_test (test_function_errors),
    cmocka_unit_test (test_go_error_words),
    cmocka_unit_test (test_format_is_json),
    cmocka_unit_test (test_past_missing_key),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
