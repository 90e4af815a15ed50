/* ferry CLI: info (and system info): the host, the store and the programs
 * ferry drives, printed as Podman prints them: YAML, JSON with --format
 * json, or a Go template whose fields are Podman's Go names
 * (`{{.Host.OCIRuntime.Name}}`, `{{.Store.GraphRoot}}`).  */
#include "commands.h"
#include "common.h"
#include "template.h"
#include "../lib/engine/info.h"
#include "../lib/util/cleanup.h"
#include "../lib/util/json.h"
#include "../lib/util/xalloc.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- YAML ----------------------------------------------------------------- */

static int
compare_keys (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* True when S, written plainly, would not read back as this string: a
 * number, a boolean or null, or something YAML gives a meaning.  */
static int
needs_double_quotes (const char *s)
{
  static const char *const words[]
      = { "true", "false", "yes", "no", "on", "off", "null", "~", "y", "n", NULL };
  char *end;

  if (*s == '\0')
    return 1;
  for (size_t i = 0; words[i]; i++)
    if (strcasecmp (s, words[i]) == 0)
      return 1;
  strtod (s, &end);
  return *end == '\0';
}

static int
needs_single_quotes (const char *s)
{
  size_t n = strlen (s);

  return strchr ("-?:,[]{}#&*!|>'\"%@`", s[0]) != NULL || strstr (s, ": ") || strstr (s, " #") || s[0] == ' '
         || s[n - 1] == ' ' || s[n - 1] == ':';
}

static void
yaml_string (const char *s, int indent)
{
  if (strchr (s, '\n'))
    {
      printf ("|-\n");
      for (const char *l = s; l; l = strchr (l, '\n') ? strchr (l, '\n') + 1 : NULL)
        printf ("%*s%.*s\n", indent + 2, "", (int) strcspn (l, "\n"), l);
      return;
    }
  if (needs_double_quotes (s))
    printf ("\"%s\"\n", s);
  else if (needs_single_quotes (s))
    {
      putchar ('\'');
      for (; *s; s++)
        fputs (*s == '\'' ? "''" : (char[]){ *s, 0 }, stdout);
      puts ("'");
    }
  else
    puts (s);
}

static void yaml_value (json_object *v, int indent);

/* O's keys in order at INDENT; the first one on the current line after
 * a list's "- " when FIRST_INLINE.  */
static void
yaml_object (json_object *o, int indent, int first_inline)
{
  size_t n = 0, i = 0;
  cleanup_free char **keys = NULL;

  json_object_object_foreach (o, k, unused)
  {
    (void) unused;
    (void) k;
    n++;
  }
  keys = xmalloc0 (sizeof (char *) * (n + 1));
  json_object_object_foreach (o, key, value)
  {
    (void) value;
    keys[i++] = key;
  }
  qsort (keys, n, sizeof (char *), compare_keys);
  for (i = 0; i < n; i++)
    {
      json_object *v = json_object_object_get (o, keys[i]);

      printf ("%*s%s:", first_inline && i == 0 ? 0 : indent, "", keys[i]);
      yaml_value (v, indent);
    }
}

/* After "key:" on the current line.  */
static void
yaml_value (json_object *v, int indent)
{
  switch (json_object_get_type (v))
    {
    case json_type_object:
      if (json_object_object_length (v) == 0)
        puts (" {}");
      else
        {
          putchar ('\n');
          yaml_object (v, indent + 2, 0);
        }
      break;
    case json_type_array:
      if (json_object_array_length (v) == 0)
        puts (" []");
      else
        {
          putchar ('\n');
          for (size_t i = 0; i < json_object_array_length (v); i++)
            {
              json_object *e = json_object_array_get_idx (v, i);

              printf ("%*s-", indent, "");
              if (json_object_is_type (e, json_type_object) && json_object_object_length (e) > 0)
                {
                  /* "- key: value", the other keys under the first.  */
                  putchar (' ');
                  yaml_object (e, indent + 2, 1);
                }
              else
                yaml_value (e, indent + 2);
            }
        }
      break;
    case json_type_string:
      putchar (' ');
      yaml_string (json_object_get_string (v), indent);
      break;
    case json_type_null:
      puts (" null");
      break;
    default:
      printf (" %s\n", json_object_to_json_string (v));
    }
}

/* ---- Go names for templates ------------------------------------------------- */

/* KEY as the Go field Podman's templates name it.  */
static char *
go_name (const char *key)
{
  static const char *const special[][2] = {
    { "ociRuntime", "OCIRuntime" },
    { "cgroupVersion", "CgroupsVersion" },
    { "cpus", "CPUs" },
    { "cpuUtilization", "CPUUtilization" },
    { "idMappings", "IDMappings" },
    { "os", "OS" },
    { "dns", "DNS" },
    { "slirp4netns", "Slirp4NetNS" },
  };
  char *s;

  for (size_t i = 0; i < sizeof (special) / sizeof (special[0]); i++)
    if (strcmp (key, special[i][0]) == 0)
      return xstrdup (special[i][1]);
  s = xstrdup (key);
  s[0] = (char) toupper ((unsigned char) s[0]);
  return s;
}

static json_object *
with_go_names (json_object *v)
{
  if (json_object_is_type (v, json_type_object))
    {
      json_object *o = json_object_new_object ();

      json_object_object_foreach (v, key, value)
      {
        /* Maps keep their keys (graphStatus's "Backing Filesystem").  */
        cleanup_free char *name = strchr (key, ' ') ? xstrdup (key) : go_name (key);

        json_object_object_add (o, name, with_go_names (value));
      }
      /* {{json .Store.ContainerStore}} writes Podman's JSON names.  */
      ferry_cli_tpl_json_as (o, v);
      return o;
    }
  if (json_object_is_type (v, json_type_array))
    {
      json_object *a = json_object_new_array ();

      for (size_t i = 0; i < json_object_array_length (v); i++)
        json_object_array_add (a, with_go_names (json_object_array_get_idx (v, i)));
      return a;
    }
  return json_object_get (v);
}

static const char info_usage[]
    = "Usage: ferry info [options]\n\n"
      "Display information about the host, the image store and the programs ferry\n"
      "runs (the OCI runtime, conmon, CRIU, netavark), as YAML.\n\n"
      "Options:\n"
      "  -f, --format FORMAT  json, or a Go template of Podman's field names, such as\n"
      "                       '{{.Host.OCIRuntime.Name}}' or '{{.Store.GraphRoot}}'\n";

int
ferry_cmd_info (int argc, char **argv)
{
  cleanup_engine ferry_engine_t *e = NULL;
  cleanup_json json_object *info = NULL;
  ferry_error_t err = NULL;
  const char *format = NULL;
  int r;

  ferry_cli_template_root_type ("system.infoReport");
  ferry_cli_template_unranged ();
  if ((r = ferry_cli_format_option_only (argc, argv, "info", info_usage, &format)))
    return r - 1;
  if (optind < argc)
    return ferry_cli_failf ("`ferry %s` takes no arguments (got `%s`)", ferry_cli_command_path (),
                            argv[optind]);
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  info = ferry_engine_info (e, &err);
  if (info == NULL)
    return ferry_cli_fail (&err);
  if (format == NULL)
    yaml_object (info, 0, 0);
  else if (ferry_cli_format_is_json (format) || strcmp (format, "{{json .}}") == 0)
    {
      cleanup_free char *text = ferry_json_to_podman_list (info);
      puts (text);
    }
  else
    {
      cleanup_json json_object *go = with_go_names (info);
      json_object *plugins = ferry_json_get_object (go, "Plugins");

      /* Go prints the nil list as [], its JSON as null.  */
      if (plugins && json_object_object_get (plugins, "Authorization") == NULL)
        json_object_object_add (plugins, "Authorization", json_object_new_array ());

      /* Host, Store and their members print as Go's structs.  */
      ferry_cli_tpl_go_members (go, "ferry.Info");

      if (ferry_cli_template_refuse_table (format, go))
        return FERRY_EXIT_ERROR;
      return ferry_cli_print_template (format, go);
    }
  return 0;
}
