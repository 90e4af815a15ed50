/* ferry CLI: version, and its --format over Podman's version structure
 * ({{.Client.Version}}, {{.Server.Version}}, {{json .}}) as far as ferry
 * has the data.  */
#include "common.h"
#include "commands.h"
#include "template.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

/* What Podman's .Client holds that ferry knows: its version (also the API
 * version, as Podman's), and the system and architecture in Go's names.  */
static json_object *
version_client (void)
{
  json_object *o = json_object_new_object ();
  struct utsname u;
  const char *arch = "unknown";
  char os_arch[80];

  if (uname (&u) == 0)
    arch = strcmp (u.machine, "x86_64") == 0    ? "amd64"
           : strcmp (u.machine, "aarch64") == 0 ? "arm64"
                                                : u.machine;
  snprintf (os_arch, sizeof (os_arch), "linux/%s", arch);
  json_object_object_add (o, "APIVersion", json_object_new_string (FERRY_VERSION));
  json_object_object_add (o, "Version", json_object_new_string (FERRY_VERSION));
  json_object_object_add (o, "OsArch", json_object_new_string (os_arch));
  json_object_object_add (o, "Os", json_object_new_string ("linux"));
  return o;
}

static const char version_usage[]
    = "Usage: ferry version [options]\n\nDisplay the ferry version.\n\n"
      "Options:\n"
      "  -f, --format FORMAT  json, or a Go template over Podman's version structure:\n"
      "                       {{.Client.Version}}, {{.Client.APIVersion}}, {{.Client.OsArch}},\n"
      "                       {{.Client.Os}}; {{.Server...}} the same (ferry has no server), and\n"
      "                       bare ({{.Version}}) as Podman's older templates\n";

int
ferry_cmd_version (int argc, char **argv)
{
  cleanup_json json_object *o = json_object_new_object ();
  const char *format = NULL;
  int r;

  ferry_cli_template_root_type ("*define.Version");
  ferry_cli_template_unranged ();
  if ((r = ferry_cli_format_option_only (argc, argv, "version", version_usage, &format)))
    return r - 1;
  if (optind < argc)
    return ferry_cli_failf ("`ferry version` takes no arguments (got `%s`)", argv[optind]);
  json_object_object_add (o, "Client", version_client ());
  if (format == NULL)
    {
      /* Podman's table, without the lines of a Go build (Go Version,
       * Built, Build Origin) that ferry has no answer for.  */
      json_object *client = json_object_object_get (o, "Client");

      printf ("%-15s%s\n", "Client:", "ferry");
      printf ("%-15s%s\n", "Version:", ferry_json_get_string (client, "Version"));
      printf ("%-15s%s\n", "API Version:", ferry_json_get_string (client, "APIVersion"));
      printf ("%-15s%s\n", "OS/Arch:", ferry_json_get_string (client, "OsArch"));
      return 0;
    }
  /* As Podman's without a remote service: its JSON shows the client only;
   * a template finds the same under .Server, and the client's fields bare
   * ({{.Version}}) as Podman's older templates had them.  */
  if (ferry_cli_format_is_json (format) || strcmp (format, "{{json .}}") == 0)
    {
      puts (ferry_json_to_string (o, 0));
      return 0;
    }
  /* As Podman's without a service: .Server is nil at first; when the
   * template fails over {Client, Server} it runs again over the client's
   * fields with ".Server." read as "." ({{.Version}}, {{.Server.Os}}),
   * after what the first run wrote.  */
  json_object_object_add (o, "Server", NULL);
  if (ferry_cli_template_refuse_table (format, o))
    return FERRY_EXIT_ERROR;
  {
    cleanup_json json_object *client = version_client ();
    cleanup_free char *first = NULL, *second = NULL, *again = xstrdup (format);
    ferry_error_t err = NULL;
    char *p;

    if (ferry_cli_template_keep_line (format, o, &first, &err) == 0)
      {
        fputs (first, stdout);
        return 0;
      }
    ferry_error_release (&err);
    if (first)
      fputs (first, stdout);
    while ((p = strstr (again, ".Server.")) != NULL)
      memmove (p + 1, p + 8, strlen (p + 8) + 1);
    if (ferry_cli_template_keep_line (again, client, &second, &err) < 0)
      {
        if (second)
          fputs (second, stdout);
        fflush (stdout);
        return ferry_cli_fail (&err);
      }
    fputs (second, stdout);
    return 0;
  }
}
