/* ferry CLI: --format templates and the list commands' tables.  */
#ifndef FERRY_CLI_TEMPLATE_H
#define FERRY_CLI_TEMPLATE_H

#include "util/error.h"

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>

/* Renders a Go-template subset against OBJ: literal text and actions
 * whose pipelines ("|") call Go's functions (printf, print, println, len,
 * index, slice, eq, ne, lt, le, gt, ge, and, or, not) and Podman's (json, lower,
 * upper, title, join, split, truncate, pad) on fields ({{.A.B}}, {{.}},
 * $variables), literals and parenthesized pipelines; and the blocks
 * {{range .A}}...{{else}}...{{end}} (a map's values in key order),
 * {{if .A}}...{{else if .B}}...{{else}}...{{end}} (Go's truth) and
 * {{with .A}}...{{end}}; "\t" and "\n" in FORMAT are tab and newline, as
 * Podman accepts.
 * Values print as Go's fmt prints them: [a b], map[k:v] (keys sorted),
 * true, 42, and {a b} for the structs of Podman's reports
 * (ferry_cli_tpl_go_members).  */
int ferry_cli_template (const char *format, json_object *obj, char **out, ferry_error_t *err);

/* Names the templates in errors as Podman's do ("template: ps:1:13:
 * executing ..."): after command CMD of GROUP (NULL at the top).  The
 * dispatchers call it; commands whose templates Podman does not wrap in
 * {{range .}} (info, version, events) then call the second.  */
void ferry_cli_template_name (const char *group, const char *cmd);
void ferry_cli_template_unranged (void);
/* The Go type of what the command's templates run on, as Podman's errors
 * name it ("containers.psReporter", "*types.VolumeListReport"): a field
 * the template does not find on it is "can't evaluate field X in type
 * GO_TYPE".  Without it, "interface {}" (inspect's).  */
void ferry_cli_template_root_type (const char *go_type);

/* As ferry_cli_template, but on an error while running the template *OUT
 * keeps what was rendered before it (NULL when nothing was).  */
int ferry_cli_template_keep (const char *format, json_object *obj, char **out, ferry_error_t *err);

/* A "table ..." FORMAT for a command whose template Podman runs once over
 * one structure (info, version): Podman's table is a {{range .}} that
 * cannot iterate over it.  Prints that error and returns 1; else 0.  */
int ferry_cli_template_refuse_table (const char *format, json_object *obj);

/* Renders FORMAT against OBJ and prints it with a newline; on a template
 * error prints it and returns 125, else 0.  */
int ferry_cli_print_template (const char *format, json_object *obj);

/* FORMAT as Podman runs it for one object (inspect, info, version,
 * events): with a newline at its end unless it has one ("\n" counts), so
 * that a trim marker before the end takes that newline too.  */
char *ferry_cli_template_line (const char *format);

/* ferry_cli_template_keep of FORMAT so ended, its parse errors placed in
 * FORMAT as given.  */
int ferry_cli_template_keep_line (const char *format, json_object *obj, char **out, ferry_error_t *err);

/* An inspect's template: ferry_cli_template_keep_line of FORMAT for each
 * object of LIST in turn, written to OUT up to the first error, as
 * Podman runs {{range .}}FORMAT{{end}} over all it found ($ is LIST).  */
int ferry_cli_template_each_line (const char *format, json_object *list, FILE *out, ferry_error_t *err);

/* Values that print as the Go types Podman's reports hold, where JSON
 * alone cannot say.  A map[string]string of MAP's members (NULL: a nil
 * map, map[] but JSON null): {{.M.k}} and {{index .M "k"}} of a missing
 * key are "<no value>" and "", not errors.  */
json_object *ferry_cli_tpl_map (json_object *map);
/* Marks OBJ's member KEY as one a template finds but Go's JSON of OBJ
 * leaves out (a struct's omitempty member): {{json .}} has no KEY.  */
void ferry_cli_tpl_hide (json_object *obj, const char *key);
/* O's "Id" as the field ID it is in Podman's inspect structs: a
 * template finds {{.ID}}, {{json .}} still writes only "Id".  */
void ferry_cli_tpl_go_id (json_object *o);
/* OBJ is a Go struct whose JSON tags are not its field names: templates
 * find OBJ's members (Go's names), {{json}} of it writes AS (the JSON
 * names), and the template refuses AS's names as Go refuses them.  */
void ferry_cli_tpl_json_as (json_object *obj, json_object *as);
/* A nil pointer to a struct of Go type GO_TYPE ("*define.HealthCheckResults"):
 * {{.P}} prints <nil>, {{.P.F}} and len are Go's errors, {{json .P}} is
 * null.  */
json_object *ferry_cli_tpl_nil_pointer (const char *go_type);
/* A time.Duration of NS nanoseconds: printed as Go's String() ("1.5s"),
 * a number in {{json}} and comparisons.  */
json_object *ferry_cli_tpl_duration (int64_t ns);
/* A nil slice: {{.S}} prints [], len is 0, and {{json .S}} null.  */
json_object *ferry_cli_tpl_nil_slice (void);
/* O's .GraphDriver.Data as the map[string]string it is in Podman's
 * inspect structs: a missing key, such as MergedDir while nothing is
 * mounted, is "<no value>", no error.  */
void ferry_cli_tpl_graph_driver (json_object *o);
/* A time.Time: "2026-12-05 20:09:50.308963966 +0000 UTC", in JSON RFC
 * 3339, and {{.T.Unix}} its seconds; Go's zero time when RFC3339 is NULL,
 * "" or unreadable.  */
json_object *ferry_cli_tpl_time (const char *rfc3339);
/* The same time's Go text as a plain string, where Podman's report has a
 * method that returns it so (ps .CreatedAt, images .CreatedAt).  */
json_object *ferry_cli_tpl_time_text (const char *rfc3339);

/* Podman's Go structs (gotypes.c): a struct's fields in declaration order,
 * each with its Go type written as gotypes.c says, and the JSON name
 * where it is not the field's.  */
struct ferry_cli_go_field
{
  const char *name, *type, *json;
};
struct ferry_cli_go_struct
{
  const char *name;                        /* "define.InspectRestartPolicy"; "ferry.X": a report's top */
  const struct ferry_cli_go_field *fields; /* ends with a NULL name */
};
const struct ferry_cli_go_struct *ferry_cli_go_struct_find (const char *name, size_t len);

/* Marks OBJ's members, and theirs, with the Go types that struct TYPE
 * (gotypes.c) gives them, OBJ itself left as it is: a struct then prints
 * as Go's fmt prints it ({on-failure 3}, &{...} for a pointer that
 * print or printf gets), a field the JSON leaves out is its zero value,
 * and errors name the struct's type.  Call it after the other marks.  */
void ferry_cli_tpl_go_members (json_object *obj, const char *type);
/* The same, OBJ itself marked as a TYPE: {{.}} prints its fields as Go
 * does and a missing field's error names TYPE ("system.Event").  */
void ferry_cli_tpl_go_struct (json_object *obj, const char *type);

/* A list command's column: the template field and its heading in a
 * table (NULL: from the field's name, "ExitCode": "EXIT CODE"; "": none,
 * printed "<no value>" as Podman does).  */
struct ferry_cli_column
{
  const char *field;
  const char *heading;
};

/* Rows printed through a list command's --format, as Podman prints them:
 * "table TEMPLATE" is a table (a heading row, unless HEADING is 0, and
 * cells aligned; spaces between actions break columns), any other
 * template one line per row.  */
struct ferry_cli_list
{
  char *format;
  int table, heading;
  const struct ferry_cli_column *columns; /* ends with a NULL field */
  FILE *out;
  char *text;
  size_t len;
  /* The rows so far: Podman runs the template once over them all, in a
   * {{range .}}, so its $ is the whole list.  */
  json_object *rows;
};

void ferry_cli_list_init (struct ferry_cli_list *l, const char *format,
                          const struct ferry_cli_column *columns, int heading);
/* Takes ROW (a reference of its own) for ferry_cli_list_end.  */
int ferry_cli_list_row (struct ferry_cli_list *l, json_object *row, ferry_error_t *err);
/* Renders the rows, $ the list of them all, and prints them (a table
 * with only the headings when there were no rows).  */
int ferry_cli_list_end (struct ferry_cli_list *l, ferry_error_t *err);
void ferry_cli_list_release (struct ferry_cli_list *l);
#define cleanup_list __attribute__ ((cleanup (ferry_cli_list_release)))

#endif
