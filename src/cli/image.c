/* ferry CLI: images: load, import, images, image inspect|exists|rm.  */
#include "common.h"
#include "engine/engine.h"
#include "engine/image_diff.h"
#include "commands.h"
#include "image/load.h"
#include "image/mount.h"
#include "image/reference.h"
#include "image/transport.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char load_usage[]
    = "Usage: ferry load [options]\n\n"
      "Load images from an OCI archive or a docker-archive (compressed or not), or from a\n"
      "directory holding an OCI image layout or a docker-dir (save --format oci-dir or\n"
      "docker-dir).\n\n"
      "Options:\n"
      "  -i, --input FILE  read the archive or directory FILE (\"-\" or no -i: standard input)\n"
      "  -q, --quiet       no lines of what was copied (the loaded images are still\n"
      "                    named, as Podman names them)\n"
      "      --signature-policy FILE  the trust policy to obey instead of\n"
      "                    ~/.config/containers/policy.json or /etc/containers/policy.json\n";

/* compat-trust's block.  */
enum
{
  OPT_LOAD_SIGNATURE_POLICY = 0x2710,
};

/* Podman's lines on standard error for one image copied in, as it writes
 * them where no terminal shows bars: ferry's copy is already done, and
 * these say what it was.  */
static void
print_copied (char **blobs, const char *config_digest)
{
  size_t i;

  fputs ("Getting image source signatures\n", stderr);
  for (i = 0; blobs && blobs[i]; i++)
    fprintf (stderr, "Copying blob %s\n", blobs[i]);
  fprintf (stderr, "Copying config %s\n", config_digest);
  fputs ("Writing manifest to image destination\n", stderr);
}

/* print_copied for the image ID in S, its blobs as its manifest names
 * them.  */
static void
print_copied_image (ferry_store_t *s, const char *id)
{
  struct ferry_image *img = NULL;
  cleanup_json json_object *m = NULL;
  cleanup_strv char **blobs = NULL;
  ferry_error_t err = NULL;
  json_object *layers;
  size_t i, n;

  if (ferry_store_lookup (s, id, &img, &err) < 0)
    {
      ferry_error_release (&err);
      return;
    }
  m = ferry_json_parse (img->manifest, strlen (img->manifest), "stored manifest", &err);
  ferry_error_release (&err);
  layers = m ? ferry_json_get_array (m, "layers") : NULL;
  n = layers ? json_object_array_length (layers) : 0;
  blobs = xmalloc0 (sizeof (char *) * (n + 1));
  for (i = 0; i < n; i++)
    {
      const char *dg = ferry_json_get_string (json_object_array_get_idx (layers, i), "digest");
      blobs[i] = xstrdup (dg ? dg : "");
    }
  print_copied (blobs, img->config_digest);
  ferry_image_free (img);
}

/* Podman copies an image once per name the archive gives it.  */
static void
print_loaded_copies (const struct ferry_load_report *r)
{
  size_t i, n;

  for (i = 0; r->ids && r->ids[i]; i++)
    {
      cleanup_free char *config = xasprintf ("sha256:%s", r->ids[i]);

      for (n = 0; r->names && r->names[i] && r->names[i][n]; n++)
        print_copied (r->blobs ? r->blobs[i] : NULL, config);
      if (n == 0)
        print_copied (r->blobs ? r->blobs[i] : NULL, config);
    }
}

int
ferry_cmd_load (int argc, char **argv)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS,
          { "input", required_argument, NULL, 'i' },
          { "quiet", no_argument, NULL, 'q' },
          { "signature-policy", required_argument, NULL, OPT_LOAD_SIGNATURE_POLICY },
          { "help", no_argument, NULL, 'h' },
          { NULL, 0, NULL, 0 } };
  cleanup_store ferry_store_t *s = NULL;
  const char *policy = NULL;
  struct ferry_load_report report;
  ferry_error_t err = NULL;
  const char *input = NULL;
  int quiet = 0, c, r;
  size_t i;

  while ((c = getopt_long (argc, argv, ":i:qh", opts, NULL)) != -1)
    switch (c)
      {
      case 'i':
        input = optarg;
        break;
      case 'q':
        quiet = 1;
        break;
      case OPT_LOAD_SIGNATURE_POLICY:
        policy = optarg;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "load", argv, load_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (optind < argc)
    return ferry_cli_failf ("`ferry %s` takes no arguments (got `%s`): give the archive with -i FILE",
                            ferry_cli_command_path (), argv[optind]);
  if (input == NULL)
    {
      if (isatty (STDIN_FILENO))
        return ferry_cli_failf (
            "cannot read from terminal, use command-line redirection or the --input flag");
      input = "-";
    }
  /* Podman's words, then what to give.  */
  if (strcmp (input, "-") != 0 && access (input, R_OK) < 0)
    return ferry_cli_failf ("faccessat %s: %s: give an image archive ferry can read with -i FILE", input,
                            errno == ENOENT ? "no such file or directory" : strerror (errno));
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_image_load_policy (s, input, policy, &report, &err) < 0)
    return ferry_cli_fail (&err);
  /* As Podman's: an event per image loaded, with its ID.  */
  for (i = 0; report.ids && report.ids[i]; i++)
    ferry_cli_event ("image", "loadfromarchive", report.ids[i], input);
  if (report.ids == NULL || report.ids[0] == NULL)
    ferry_cli_event ("image", "loadfromarchive", NULL, input);
  if (! quiet)
    print_loaded_copies (&report);
  /* Podman names what it loaded, quiet or not.  */
  for (i = 0; report.loaded[i]; i++)
    printf ("Loaded image: %s\n", report.loaded[i]);
  ferry_load_report_free (&report);
  return 0;
}

static const char import_usage[]
    = "Usage: ferry import [options] FILE [NAME[:TAG]]\n\n"
      "Create a one-layer image from a root-filesystem tarball (\"-\": standard input).\n\n"
      "Options:\n"
      "      --arch ARCH          the image's architecture (default: this host's)\n"
      "  -c, --change INSTRUCTION  apply a Dockerfile instruction: CMD, ENTRYPOINT, ENV,\n"
      "                           EXPOSE, LABEL, ONBUILD (dropped), STOPSIGNAL, USER, VOLUME\n"
      "                           or WORKDIR (repeatable)\n"
      "  -m, --message TEXT       the comment of the image's history entry\n"
      "      --os OS              the image's operating system (default linux)\n"
      "  -q, --quiet              no lines of what was copied (the ID is still\n"
      "                           printed, as Podman prints it)\n"
      "      --signature-policy FILE  the trust policy to obey instead of\n"
      "                           ~/.config/containers/policy.json or /etc/containers/policy.json\n"
      "      --variant VARIANT    the variant of its architecture (v7, v8, ...)\n";

enum
{
  OPT_IMPORT_ARCH = OPT_COMMAND_FIRST,
  OPT_IMPORT_OS,
  OPT_IMPORT_VARIANT,
};

/* compat-trust's block.  */
enum
{
  OPT_IMPORT_SIGNATURE_POLICY = 0x2711,
};

/* An OS, architecture or variant of the image's config: one word.  */
static int
import_platform_word (const char *flag, const char *w)
{
  if (*w == '\0'
      || strspn (w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != strlen (w))
    return ferry_cli_failf ("invalid %s `%s`: give one word of letters, digits, `_`, `.` or `-`", flag, w);
  return 0;
}

int
ferry_cmd_import (int argc, char **argv)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS,
          { "quiet", no_argument, NULL, 'q' },
          { "change", required_argument, NULL, 'c' },
          { "message", required_argument, NULL, 'm' },
          { "arch", required_argument, NULL, OPT_IMPORT_ARCH },
          { "os", required_argument, NULL, OPT_IMPORT_OS },
          { "variant", required_argument, NULL, OPT_IMPORT_VARIANT },
          { "signature-policy", required_argument, NULL, OPT_IMPORT_SIGNATURE_POLICY },
          { "help", no_argument, NULL, 'h' },
          { NULL, 0, NULL, 0 } };
  cleanup_store ferry_store_t *s = NULL;
  cleanup_free char *id = NULL;
  cleanup_strv char **changes = xmalloc0 (sizeof (char *));
  struct ferry_import_options o = { 0 };
  size_t n_changes = 0;
  ferry_error_t err = NULL;
  int quiet = 0, c, r;

  while ((c = getopt_long (argc, argv, ":qc:m:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'q':
        quiet = 1;
        break;
      case 'c':
        changes = xrealloc (changes, sizeof (char *) * (n_changes + 2));
        changes[n_changes++] = xstrdup (optarg);
        changes[n_changes] = NULL;
        break;
      case 'm':
        o.message = optarg;
        break;
      case OPT_IMPORT_ARCH:
        o.arch = *optarg ? optarg : NULL; /* "": the default, as in Podman */
        break;
      case OPT_IMPORT_SIGNATURE_POLICY:
        o.signature_policy = optarg;
        break;
      case OPT_IMPORT_OS:
        o.os = *optarg ? optarg : NULL; /* "": the default, as in Podman */
        break;
      case OPT_IMPORT_VARIANT:
        o.variant = *optarg ? optarg : NULL; /* "": the default, as in Podman */
        break;
      default:
        r = ferry_cli_parse_or_help (c, "import", argv, import_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (argc - optind < 1 || argc - optind > 2)
    return ferry_cli_failf ("accepts between 1 and 2 arg(s), received %d", argc - optind);
  o.changes = changes;
  if ((o.arch && import_platform_word ("--arch", o.arch)) || (o.os && import_platform_word ("--os", o.os))
      || (o.variant && import_platform_word ("--variant", o.variant)))
    return FERRY_EXIT_ERROR;
  if (ferry_image_import_check (&o, &err) < 0)
    return ferry_cli_fail (&err);
  if (strcmp (argv[optind], "-") != 0 && access (argv[optind], R_OK) < 0)
    return ferry_cli_failf ("error opening \"%s\": open %s: %s: give a tarball ferry can read", argv[optind],
                            argv[optind], errno == ENOENT ? "no such file or directory" : strerror (errno));
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_image_import (s, argv[optind], argc - optind == 2 ? argv[optind + 1] : NULL, &o, &id, &err) < 0)
    return ferry_cli_fail (&err);
  ferry_cli_event ("image", "import", id, argv[optind]);
  if (! quiet)
    print_copied_image (s, id);
  printf ("sha256:%s\n", id);
  return 0;
}

static int
count_containers (ferry_store_t *s, const char *id)
{
  ferry_error_t err = NULL;
  cleanup_stmt sqlite3_stmt *st
      = ferry_db_prepare (ferry_store_db (s), "SELECT COUNT (*) FROM containers WHERE image_id = ?", &err);

  ferry_error_release (&err);
  if (st == NULL)
    return 0;
  sqlite3_bind_text (st, 1, id, -1, SQLITE_STATIC);
  return sqlite3_step (st) == SQLITE_ROW ? sqlite3_column_int (st, 0) : 0;
}

static json_object *
string_array (char **v)
{
  json_object *a = json_object_new_array ();
  size_t i;

  for (i = 0; v && v[i]; i++)
    json_object_array_add (a, json_object_new_string (v[i]));
  return a;
}

/* The names that carry a tag ("repo@sha256:..." names an image pulled by
 * digest alone).  */
static json_object *
repo_tags (char **v)
{
  json_object *a = json_object_new_array ();
  size_t i;

  for (i = 0; v && v[i]; i++)
    if (strchr (v[i], '@') == NULL)
      json_object_array_add (a, json_object_new_string (v[i]));
  return a;
}

static json_object *
repo_digests (const struct ferry_image *img)
{
  json_object *a = json_object_new_array ();
  size_t i;

  for (i = 0; img->names[i]; i++)
    {
      struct ferry_reference r;
      ferry_error_t err = NULL;

      if (ferry_reference_parse (img->names[i], FERRY_REFERENCE_DEFAULT_LOCALHOST, &r, &err) < 0)
        {
          ferry_error_release (&err);
          continue;
        }
      {
        cleanup_free char *name = ferry_reference_name (&r);
        cleanup_free char *s = xasprintf ("%s@%s", name, img->manifest_digest);
        size_t j, dup = 0;

        for (j = 0; j < json_object_array_length (a); j++)
          if (strcmp (json_object_get_string (json_object_array_get_idx (a, j)), s) == 0)
            dup = 1;
        if (! dup)
          json_object_array_add (a, json_object_new_string (s));
      }
      ferry_reference_free (&r);
    }
  return a;
}

static json_object *
copy_member (json_object *obj, const char *key, json_object *def)
{
  json_object *v;

  if (obj && json_object_object_get_ex (obj, key, &v) && v)
    {
      json_object_put (def);
      return json_object_get (v);
    }
  return def;
}

/* The image's config as Podman's inspect writes it: the members in the
 * order of the OCI ImageConfig (any others after), its maps' keys
 * sorted, as Go marshals them.  */
static json_object *
image_config_json (json_object *config)
{
  static const char *const order[]
      = { "User",       "ExposedPorts", "Env",        "Entrypoint",  "Cmd", "Volumes",
          "WorkingDir", "Labels",       "StopSignal", "ArgsEscaped", NULL };
  json_object *cfg = ferry_json_get_object (config, "config"), *out = json_object_new_object (), *v;

  if (cfg == NULL)
    return out;
  for (size_t i = 0; order[i]; i++)
    if (json_object_object_get_ex (cfg, order[i], &v))
      json_object_object_add (out, order[i], ferry_json_sorted_object (v));
  json_object_object_foreach (cfg, key, val)
  {
    if (! json_object_object_get_ex (out, key, NULL))
      json_object_object_add (out, key, json_object_get (val));
  }
  return out;
}

/* For --format: the members of OCI's ImageConfig that O's Config leaves
 * out (its JSON omits them when empty), as the zero values Podman's
 * templates find.  */
static void
image_config_template_zeros (json_object *o)
{
  /* Each member and the Go type of its zero: m a map, s a slice, t a
   * string, b a bool.  */
  static const struct
  {
    const char *key;
    char type;
  } members[]
      = { { "User", 't' },       { "ExposedPorts", 'm' }, { "Env", 's' },        { "Entrypoint", 's' },
          { "Cmd", 's' },        { "Volumes", 'm' },      { "WorkingDir", 't' }, { "Labels", 'm' },
          { "StopSignal", 't' }, { "ArgsEscaped", 'b' } };
  json_object *cfg = json_object_object_get (o, "Config");

  if (cfg == NULL || ! json_object_is_type (cfg, json_type_object))
    return;
  for (size_t i = 0; i < sizeof (members) / sizeof (members[0]); i++)
    {
      char t = members[i].type;

      if (json_object_object_get_ex (cfg, members[i].key, NULL))
        continue;
      json_object_object_add (cfg, members[i].key,
                              t == 'm'   ? ferry_cli_tpl_map (NULL)
                              : t == 's' ? ferry_cli_tpl_nil_slice ()
                              : t == 't' ? json_object_new_string ("")
                                         : json_object_new_boolean (0));
      ferry_cli_tpl_hide (cfg, members[i].key);
    }
}

/* An entry of the config's history as the v1.History struct Podman's
 * report holds: Go's field names to templates (Created a time), the
 * entry's own JSON.  */
static json_object *
history_entry_template (json_object *h)
{
  json_object *t = json_object_new_object ();
  json_object *empty = json_object_object_get (h, "empty_layer");

  json_object_object_add (t, "Created", ferry_cli_tpl_time (ferry_json_get_string (h, "created")));
  json_object_object_add (t, "CreatedBy",
                          json_object_new_string (ferry_json_get_string (h, "created_by") ?: ""));
  json_object_object_add (t, "Author", json_object_new_string (ferry_json_get_string (h, "author") ?: ""));
  json_object_object_add (t, "Comment", json_object_new_string (ferry_json_get_string (h, "comment") ?: ""));
  json_object_object_add (t, "EmptyLayer",
                          json_object_new_boolean (json_object_is_type (empty, json_type_boolean)
                                                   && json_object_get_boolean (empty)));
  ferry_cli_tpl_json_as (t, h);
  return t;
}

/* For a --format over O, image inspect's JSON: the members Podman's
 * structs have and its JSON leaves out, as the zero values its templates
 * find (GraphDriver.Data's, the ImageConfig's).  */
static void
image_inspect_template (json_object *o)
{
  json_object *history = json_object_object_get (o, "History");
  json_object *labels;

  ferry_cli_tpl_graph_driver (o);
  ferry_cli_tpl_go_id (o);
  image_config_template_zeros (o);
  /* A time.Time: Go's text to print, {{.Created.Unix}}.  */
  if (json_object_is_type (json_object_object_get (o, "Created"), json_type_string))
    json_object_object_add (
        o, "Created", ferry_cli_tpl_time (json_object_get_string (json_object_object_get (o, "Created"))));
  /* A map[string]string, null when the image has none: map[] to print,
   * a missing key <no value> (Config's Labels alike).  */
  if (json_object_object_get_ex (o, "Labels", &labels)
      && (labels == NULL || json_object_is_type (labels, json_type_object)))
    json_object_object_add (o, "Labels", ferry_cli_tpl_map (labels));
  for (size_t i = 0;
       history && json_object_is_type (history, json_type_array) && i < json_object_array_length (history);
       i++)
    {
      json_object *h = json_object_array_get_idx (history, i);
      if (h && json_object_is_type (h, json_type_object))
        json_object_array_put_idx (history, i, history_entry_template (h));
    }
  labels = json_object_object_get (json_object_object_get (o, "Config"), "Labels");
  if (labels && json_object_is_type (labels, json_type_object) && json_object_get_userdata (labels) == NULL)
    json_object_object_add (json_object_object_get (o, "Config"), "Labels", ferry_cli_tpl_map (labels));
  /* Config, RootFS, GraphDriver and History print as Go's structs.  */
  ferry_cli_tpl_go_members (o, "ferry.ImageInspect");
}

static json_object *
image_inspect_json (ferry_store_t *s, const struct ferry_image *img)
{
  json_object *o = json_object_new_object (), *rootfs = json_object_new_object ();
  json_object *gd = json_object_new_object (), *gdd = json_object_new_object ();
  json_object *cfg = ferry_json_get_object (img->config, "config");
  cleanup_strv char **lowers = ferry_store_image_layer_paths (s, img);
  cleanup_free char *joined = NULL;
  cleanup_free char *id = xasprintf ("%s", img->id);
  json_object *history = ferry_json_get_array (img->config, "history");
  /* An untrusted config may have no history, or an empty one.  */
  const char *first_comment = history && json_object_array_length (history) > 0
                                  ? ferry_json_get_string (json_object_array_get_idx (history, 0), "comment")
                                  : NULL;
  size_t i, len = 0;

  json_object_object_add (o, "Id", json_object_new_string (id));
  json_object_object_add (o, "Digest", json_object_new_string (img->manifest_digest));
  json_object_object_add (o, "RepoTags", repo_tags (img->names));
  json_object_object_add (o, "RepoDigests", repo_digests (img));
  json_object_object_add (o, "Parent", json_object_new_string (""));
  /* Podman's: the comment of the first history entry (import -m's).  */
  json_object_object_add (o, "Comment", json_object_new_string (first_comment ? first_comment : ""));
  json_object_object_add (o, "Created", json_object_new_string (img->created));
  json_object_object_add (o, "Config", image_config_json (img->config));
  json_object_object_add (o, "Version", json_object_new_string (""));
  json_object_object_add (o, "Author", copy_member (img->config, "author", json_object_new_string ("")));
  json_object_object_add (o, "Architecture",
                          copy_member (img->config, "architecture", json_object_new_string ("")));
  json_object_object_add (o, "Os", copy_member (img->config, "os", json_object_new_string ("")));
  json_object_object_add (o, "Size", json_object_new_int64 (ferry_image_reported_size (img)));
  json_object_object_add (o, "VirtualSize", json_object_new_int64 (ferry_image_reported_size (img)));
  /* Podman's members with ferry's layer directories: the top layer as
   * UpperDir, the ones below it (top first) as LowerDir.  ferry's layers
   * have no work directory: no WorkDir.  */
  for (i = 1; lowers[0] && lowers[i]; i++)
    len += strlen (lowers[i]) + 1;
  joined = xmalloc0 (len + 1);
  for (i = 1; lowers[0] && lowers[i]; i++)
    {
      if (i > 1)
        strcat (joined, ":");
      strcat (joined, lowers[i]);
    }
  if (*joined)
    json_object_object_add (gdd, "LowerDir", json_object_new_string (joined));
  if (lowers[0])
    json_object_object_add (gdd, "UpperDir", json_object_new_string (lowers[0]));
  json_object_object_add (gd, "Name", json_object_new_string ("overlay"));
  json_object_object_add (gd, "Data", gdd);
  json_object_object_add (o, "GraphDriver", gd);
  json_object_object_add (rootfs, "Type", json_object_new_string ("layers"));
  json_object_object_add (rootfs, "Layers", string_array (img->diff_ids));
  json_object_object_add (o, "RootFS", rootfs);
  json_object_object_add (o, "Labels", ferry_json_sorted_object (ferry_json_get_object (cfg, "Labels")));
  {
    cleanup_json json_object *m = json_tokener_parse (img->manifest);
    const char *mt = ferry_json_get_string (m, "mediaType");
    json_object *ann = ferry_json_get_object (m, "annotations");

    /* The manifest's, as Podman shows them (a checkpoint image's say what
     * it holds).  */
    json_object_object_add (o, "Annotations", ann ? json_object_get (ann) : json_object_new_object ());
    json_object_object_add (o, "ManifestType",
                            json_object_new_string (mt ? mt : "application/vnd.oci.image.manifest.v1+json"));
  }
  json_object_object_add (o, "User", copy_member (cfg, "User", json_object_new_string ("")));
  json_object_object_add (o, "History", copy_member (img->config, "history", json_object_new_array ()));
  json_object_object_add (o, "NamesHistory", string_array (img->names_history));
  return o;
}

json_object *
ferry_cli_image_inspect_lookup (const char *ref, bool for_template, void *store, ferry_error_t *err)
{
  struct ferry_image *img;
  json_object *o;

  if (ferry_store_lookup (store, ref, &img, err) < 0)
    return NULL;
  o = image_inspect_json (store, img);
  ferry_image_free (img);
  if (for_template)
    image_inspect_template (o);
  return o;
}

static const char inspect_usage[]
    = "Usage: ferry image inspect [options] IMAGE [IMAGE...]\n\n"
      "Display the configuration of images as JSON.\n\n"
      "Options:\n"
      "  -f, --format FORMAT  render with a Go template ({{.Id}}, {{json .Config}})\n";

static int
image_inspect (int argc, char **argv)
{
  cleanup_store ferry_store_t *s = NULL;
  struct ferry_cli_inspected in = { 0 };
  int r;

  if ((r = ferry_cli_format_option_only (argc, argv, "image inspect", inspect_usage, &in.format)))
    return r - 1;
  in.format = ferry_cli_inspect_format (in.format);
  if (optind >= argc)
    return ferry_cli_failf ("no names or ids specified: give an image to inspect");
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  return ferry_cli_inspect_names (&in, argv + optind, argc - optind, ferry_cli_image_inspect_lookup, s);
}

/* ---- image diff ------------------------------------------------------------- */

/* Podman's JSON of a diff: the three lists, indented by five spaces.  */
static void
image_diff_json (const struct ferry_changes *ch)
{
  static const struct
  {
    const char *key;
    enum ferry_change_kind kind;
  } lists[] = { { "changed", FERRY_CHANGE_MODIFIED },
                { "added", FERRY_CHANGE_ADDED },
                { "deleted", FERRY_CHANGE_DELETED } };
  json_object *holder = NULL;
  size_t keys = 0;

  /* An empty list is left out, as Podman leaves it.  */
  fputs ("{", stdout);
  for (size_t l = 0; l < 3; l++)
    {
      size_t shown = 0;

      for (size_t i = 0; i < ch->n; i++)
        {
          if (ch->items[i].kind != lists[l].kind)
            continue;
          if (shown == 0)
            printf ("%s\n     \"%s\": [", keys++ ? "," : "", lists[l].key);
          json_object_put (holder);
          holder = json_object_new_string (ch->items[i].path);
          printf ("%s\n          %s", shown++ ? "," : "",
                  json_object_to_json_string_ext (holder, JSON_C_TO_STRING_NOSLASHESCAPE));
        }
      if (shown)
        fputs ("\n     ]", stdout);
    }
  puts (keys ? "\n}" : "}");
  json_object_put (holder);
}

static int
image_diff (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "format", required_argument, NULL, 'f' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_engine ferry_engine_t *e = NULL;
  struct ferry_changes ch = { 0 };
  ferry_error_t err = NULL;
  const char *format = NULL;
  size_t i;
  int c, r;

  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    {
      if (c == 'f')
        {
          format = optarg;
          continue;
        }
      r = ferry_cli_parse_or_help (c, "image diff", argv,
                                   "Usage: ferry image diff [options] IMAGE [PARENT]\n\n"
                                   "List the files the top layer of IMAGE added (A), changed (C) or deleted "
                                   "(D)\nover the layers below it; PARENT, when given, must be the image "
                                   "of those\nlayers (or IMAGE's own, which lists nothing).\n\nOptions:\n"
                                   "      --format json   print the changes as JSON\n");
      if (r != 0)
        return r > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (format && ! ferry_cli_format_is_json (format))
    return ferry_cli_failf ("only supported value for '--format' is 'json'");
  if (argc - optind != 1 && argc - optind != 2)
    return ferry_cli_failf ("accepts between 1 and 2 arg(s), received %d", argc - optind);
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_object_diff (e, FERRY_DIFF_IMAGE, argv[optind], argc - optind == 2 ? argv[optind + 1] : NULL, &ch,
                         &err)
      < 0)
    return ferry_cli_fail (&err);
  if (format)
    image_diff_json (&ch);
  else
    for (i = 0; i < ch.n; i++)
      printf ("%c %s\n", ferry_change_kind_letter (ch.items[i].kind), ch.items[i].path);
  ferry_changes_free (&ch);
  return 0;
}

/* ---- image mount and unmount ----------------------------------------------- */

/* Every image named exists, as Podman checks before it mounts or
 * unmounts any: 0, or the exit code after printing why.  */
static int
images_all_exist (ferry_store_t *s, int argc, char **argv)
{
  for (int i = optind; i < argc; i++)
    {
      struct ferry_image *img = NULL;
      ferry_error_t err = NULL;

      if (ferry_store_lookup (s, argv[i], &img, &err) < 0)
        return ferry_cli_fail (&err);
      ferry_image_free (img);
    }
  return 0;
}

/* A JSON string as Go writes it.  */
static const char *
go_json_text (json_object **holder, const char *s)
{
  json_object_put (*holder);
  *holder = json_object_new_string (s);
  return json_object_to_json_string_ext (*holder, JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* The mounted images as Podman lists them: "NAME  PATH" lines, or its
 * JSON (one-space indent).  */
static int
image_mount_list (ferry_store_t *s, bool json)
{
  cleanup_strv char **ids = ferry_image_mounted (s);
  json_object *holder = NULL;
  size_t shown = 0;

  if (json)
    fputs ("[", stdout);
  for (size_t i = 0; ids[i]; i++)
    {
      cleanup_free char *path = ferry_image_mountpoint (s, ids[i]);
      struct ferry_image *img = NULL;
      ferry_error_t err = NULL;

      if (path == NULL || ferry_store_lookup (s, ids[i], &img, &err) < 0)
        {
          ferry_error_release (&err);
          continue;
        }
      if (! json)
        printf ("%s  %s\n", img->names && img->names[0] ? img->names[0] : img->id, path);
      else
        {
          printf ("%s\n {\n  \"id\": %s,\n  \"Names\": [", shown ? "," : "", go_json_text (&holder, img->id));
          if (img->manifest_digest && *img->manifest_digest)
            printf ("\n   %s\n  ", go_json_text (&holder, img->manifest_digest));
          fputs ("],\n  \"Repositories\": [", stdout);
          for (size_t k = 0; img->names && img->names[k]; k++)
            printf ("%s\n   %s", k ? "," : "", go_json_text (&holder, img->names[k]));
          fputs (img->names && img->names[0] ? "\n  ],\n" : "],\n", stdout);
          printf ("  \"mountpoint\": %s\n }", go_json_text (&holder, path));
        }
      shown++;
      ferry_image_free (img);
    }
  if (json)
    puts (shown ? "\n]" : "]");
  json_object_put (holder);
  return 0;
}

static int
image_mount (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "all", no_argument, NULL, 'a' },
                                        { "format", required_argument, NULL, 'f' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_store ferry_store_t *s = NULL;
  const char *format = NULL;
  int c, r, all = 0, ret = 0;
  bool json;

  while ((c = getopt_long (argc, argv, ":ah", opts, NULL)) != -1)
    {
      if (c == 'a' || c == 'f')
        {
          if (c == 'a')
            all = 1;
          else
            format = optarg;
          continue;
        }
      r = ferry_cli_parse_or_help (c, "image mount", argv,
                                   "Usage: ferry image mount [options] [IMAGE...]\n\n"
                                   "Mount images' layers read-only on the host and print where; with no "
                                   "image, list the\nmounted images.\n\nOptions:\n"
                                   "  -a, --all          mount every image, then list the mounted images\n"
                                   "      --format json  list as JSON (the only format)\n");
      if (r != 0)
        return r > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  json = format && ferry_cli_format_is_json (format);
  if (format && ! json)
    return ferry_cli_failf ("unknown --format argument: \"%s\"", format);
  if (all && optind < argc)
    return ferry_cli_failf ("when using the --all switch, you may not pass any image names or IDs");
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  if (all)
    {
      struct ferry_image **imgs = NULL;
      ferry_error_t err = NULL;
      size_t n = 0;

      if (ferry_store_list (s, &imgs, &n, &err) < 0)
        return ferry_cli_fail (&err);
      for (size_t i = 0; i < n; i++)
        {
          cleanup_free char *path = NULL;
          if (ferry_image_mount (s, imgs[i]->id, &path, &err) < 0)
            ret = ferry_cli_fail (&err);
        }
      ferry_images_free (imgs, n);
    }
  if (all || optind == argc)
    {
      image_mount_list (s, json);
      return ret;
    }
  if ((ret = images_all_exist (s, argc, argv)) != 0)
    return ret;
  for (; optind < argc; optind++)
    {
      cleanup_free char *path = NULL;
      ferry_error_t err = NULL;

      if (ferry_image_mount (s, argv[optind], &path, &err) < 0)
        ret = ferry_cli_fail (&err);
      else
        puts (path);
    }
  return ret;
}

static int
image_unmount (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "all", no_argument, NULL, 'a' },
                                        { "force", no_argument, NULL, 'f' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_store ferry_store_t *s = NULL;
  cleanup_strv char **mounted = NULL;
  int c, r, all = 0, force = 0, ret = 0;

  while ((c = getopt_long (argc, argv, ":afh", opts, NULL)) != -1)
    {
      if (c == 'a' || c == 'f')
        {
          *(c == 'a' ? &all : &force) = 1;
          continue;
        }
      r = ferry_cli_parse_or_help (c, "image unmount", argv,
                                   "Usage: ferry image unmount [options] IMAGE...\n\n"
                                   "Undo one ferry image mount of each image; its layers are unmounted when "
                                   "none is left.\n\nOptions:\n"
                                   "  -a, --all     unmount every mounted image (printing their IDs)\n"
                                   "  -f, --force   undo every ferry image mount of the images at once\n");
      if (r != 0)
        return r > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (all && optind < argc)
    return ferry_cli_failf ("when using the --all switch, you may not pass any image names or IDs");
  if (! all && optind == argc)
    return ferry_cli_failf ("image name or ID must be specified");
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  if (all)
    mounted = ferry_image_mounted (s);
  else if ((ret = images_all_exist (s, argc, argv)) != 0)
    return ret;
  for (size_t i = 0; all ? mounted[i] != NULL : optind + (int) i < argc; i++)
    {
      cleanup_free char *id = NULL;
      ferry_error_t err = NULL;

      if (ferry_image_unmount (s, all ? mounted[i] : argv[optind + i], force, &id, &err) < 0)
        ret = ferry_cli_fail (&err);
      else if (id)
        puts (id); /* Podman prints only those it unmounted */
    }
  return ret;
}

/* Podman parses a name before it looks for it: one that is no image
 * reference is its "parsing reference" error, exit 125, not an image
 * unknown.  0, or -1 with ERR.  */
static int
check_image_name (const char *ref, ferry_error_t *err)
{
  struct ferry_reference r;

  /* A transport's name (containers-storage:NAME, oci-archive:FILE) is
   * the lookup's to judge, as Podman's.  */
  if (ferry_transport_is_prefixed (ref))
    return 0;
  if (ferry_reference_parse (ref, FERRY_REFERENCE_DEFAULT_LOCALHOST, &r, err) < 0)
    return -1;
  ferry_reference_free (&r);
  return 0;
}

static int
image_exists (int argc, char **argv)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  cleanup_store ferry_store_t *s = NULL;
  struct ferry_image *img = NULL;
  ferry_error_t err = NULL;
  int c, r;

  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    {
      r = ferry_cli_parse_or_help (
          c, "image exists", argv,
          "Usage: ferry image exists IMAGE\n\nExit 0 if IMAGE is in local storage, 1 if not.\n");
      if (r != 0)
        return r > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (argc - optind != 1)
    return ferry_cli_failf ("accepts 1 arg(s), received %d", argc - optind);
  if (check_image_name (argv[optind], &err) < 0)
    return ferry_cli_fail (&err);
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_store_lookup (s, argv[optind], &img, &err) == 0
      && ferry_store_image_check_layers (s, img, &err) < 0)
    ferry_image_free (img);
  if (err == NULL)
    {
      ferry_image_free (img);
      return 0;
    }
  /* A damaged image does not exist, as Podman tells of one whose files
   * are gone.  */
  if (err->kind == FERRY_ERROR_DAMAGED)
    ferry_cli_podman_errorf ("Image %s exists in local storage but may be corrupted (remove the image to "
                             "resolve the issue): %s",
                             argv[optind], err->msg);
  if (err->kind == FERRY_ERROR_NOT_FOUND || err->kind == FERRY_ERROR_DAMAGED)
    {
      ferry_error_release (&err);
      return 1;
    }
  return ferry_cli_fail (&err);
}

static int
remove_with_containers (ferry_store_t *s, const char *ref, int prune, struct ferry_remove_report *rep,
                        ferry_error_t *err)
{
  cleanup_engine ferry_engine_t *e = ferry_cli_open_engine ();
  struct ferry_image *img = NULL;
  int r;

  if (e == NULL)
    return ferry_make_error (err, 0, "cannot remove the containers of image `%s`", ref);
  if (ferry_store_lookup (s, ref, &img, err) < 0)
    return -1;
  r = ferry_cli_remove_containers_using (e, img->id, NULL, err);
  ferry_image_free (img);
  if (r < 0)
    return -1;
  return ferry_store_remove_pruning (s, ref, 1, prune, rep, err);
}

static const char rm_usage[]
    = "Usage: ferry image rm [options] IMAGE [IMAGE...]\n\n"
      "Remove images from local storage.  Exit 1 if an image is not known,\n"
      "2 if one is in use by a container.\n\n"
      "Options:\n"
      "  -a, --all     remove every image (names given are refused)\n"
      "  -f, --force   remove an image with several names by ID, and the containers using it;\n"
      "                pass over images that are not known, as -i\n"
      "  -i, --ignore  pass over images that are not known\n"
      "      --no-prune  keep the image's dangling parents (an untagged image it was built on\n"
      "                  goes with it otherwise, when no container or other image uses it)\n";

/* What rmi did, printed once all is done as Podman prints it: every name
 * untagged, then every image deleted.  */
struct rmi_done
{
  char **untagged, **deleted, **missing, **failed;
  size_t n_untagged, n_deleted, n_missing, n_failed;
};

static void
rmi_done_add (char ***list, size_t *n, const char *what)
{
  *list = xrealloc (*list, sizeof (char *) * (*n + 1));
  (*list)[(*n)++] = xstrdup (what);
}

/* The errors, as Podman's: one as it is, several as Go's multierror
 * lists them, images not known first.  */
static void
rmi_done_print_errors (struct rmi_done *d)
{
  size_t i, n = d->n_missing + d->n_failed;

  if (n == 1)
    fprintf (stderr, "Error: %s\n", d->n_missing ? d->missing[0] : d->failed[0]);
  else if (n > 1)
    {
      fprintf (stderr, "Error: %zu errors occurred:\n", n);
      for (i = 0; i < d->n_missing; i++)
        fprintf (stderr, "\t* %s\n", d->missing[i]);
      for (i = 0; i < d->n_failed; i++)
        fprintf (stderr, "\t* %s\n", d->failed[i]);
    }
  for (i = 0; i < d->n_missing; i++)
    free (d->missing[i]);
  for (i = 0; i < d->n_failed; i++)
    free (d->failed[i]);
  free (d->missing);
  free (d->failed);
}

static void
rmi_done_print (struct rmi_done *d)
{
  size_t i;

  for (i = 0; i < d->n_untagged; i++)
    {
      printf ("Untagged: %s\n", d->untagged[i]);
      free (d->untagged[i]);
    }
  for (i = 0; i < d->n_deleted; i++)
    {
      printf ("Deleted: %s\n", d->deleted[i]);
      free (d->deleted[i]);
    }
  free (d->untagged);
  free (d->deleted);
  fflush (stdout);
  rmi_done_print_errors (d);
  memset (d, 0, sizeof (*d));
}

/* Removes REF, noting in DONE its untagged names and its ID when it went; FORCE
 * removes an image of several names by ID, TAKE_CONTAINERS the containers
 * using it.  Returns 0 or Podman's exit code for the failure, printed: 1
 * for an unknown image (0 with IGNORE), 2 for one in use.  */
static int
rmi_one (ferry_store_t *s, const char *ref, int force, int take_containers, int ignore, int prune,
         struct rmi_done *done)
{
  struct ferry_remove_report rep;
  ferry_error_t err = NULL;
  size_t i;
  int r, code;

  if (check_image_name (ref, &err) < 0)
    {
      rmi_done_add (&done->failed, &done->n_failed, err->msg);
      ferry_error_release (&err);
      return FERRY_EXIT_ERROR;
    }
  r = ferry_store_remove_pruning (s, ref, force, prune, &rep, &err);
  if (r < 0 && take_containers && err->kind == FERRY_ERROR_IN_USE)
    {
      /* podman rmi -f takes the image's containers with it.  */
      ferry_remove_report_free (&rep);
      ferry_error_release (&err);
      r = remove_with_containers (s, ref, prune, &rep, &err);
    }
  for (i = 0; rep.untagged && rep.untagged[i]; i++)
    {
      ferry_cli_event ("image", "untag", rep.deleted, rep.untagged[i]);
      rmi_done_add (&done->untagged, &done->n_untagged, rep.untagged[i]);
    }
  if (rep.deleted)
    {
      ferry_cli_event ("image", "remove", rep.deleted, ref);
      rmi_done_add (&done->deleted, &done->n_deleted, rep.deleted);
    }
  for (i = 0; rep.pruned && rep.pruned[i]; i++)
    {
      ferry_cli_event ("image", "remove", rep.pruned[i], rep.pruned[i]);
      rmi_done_add (&done->deleted, &done->n_deleted, rep.pruned[i]);
    }
  ferry_remove_report_free (&rep);
  if (r == 0)
    return 0;
  if (ignore && err->kind == FERRY_ERROR_NOT_FOUND)
    {
      ferry_error_release (&err);
      return 0;
    }
  /* Podman's codes: 1 for an unknown image, 2 for one in use.  */
  code = err->kind == FERRY_ERROR_NOT_FOUND ? 1 : err->kind == FERRY_ERROR_IN_USE ? 2 : FERRY_EXIT_ERROR;
  if (err->kind == FERRY_ERROR_NOT_FOUND)
    rmi_done_add (&done->missing, &done->n_missing, err->msg);
  else
    rmi_done_add (&done->failed, &done->n_failed, err->msg);
  ferry_error_release (&err);
  return code;
}

/* A damaged image (WHY says how) passed over on the way to its removal,
 * in Podman's words for one whose files are gone.  */
static void
damaged_warning (const char *why)
{
  ferry_cli_podman_warnf ("Failed to determine parent of image: %s, ignoring the error", why);
}

/* --all: every image, by ID; one with several names goes whole, as
 * Podman's.  */
static int
rmi_all (ferry_store_t *s, int force)
{
  struct ferry_image **imgs = NULL;
  struct rmi_done done = { 0 };
  cleanup_strv char **damaged = NULL, **why = NULL;
  ferry_error_t err = NULL;
  size_t n = 0, i;
  int ret = 0;

  if (ferry_store_list_sound (s, &imgs, &n, &damaged, &why, &err) < 0)
    return ferry_cli_fail (&err);
  for (i = 0; i < n; i++)
    {
      /* One gone already with another (an intermediate image) is no
       * error.  */
      int code = rmi_one (s, imgs[i]->id, 1, force, 1, 0, &done);
      if (code && (ret == 0 || code == FERRY_EXIT_ERROR))
        ret = code;
    }
  /* A damaged one goes too, by its ID, as Podman removes an image whose
   * files are gone.  */
  for (i = 0; damaged[i]; i++)
    {
      int code;

      damaged_warning (why[i]);
      code = rmi_one (s, damaged[i], 1, force, 1, 0, &done);
      if (code && (ret == 0 || code == FERRY_EXIT_ERROR))
        ret = code;
    }
  ferry_images_free (imgs, n);
  rmi_done_print (&done);
  return ret;
}

int
ferry_cmd_rmi (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "all", no_argument, NULL, 'a' },
                                        { "force", no_argument, NULL, 'f' },
                                        { "ignore", no_argument, NULL, 'i' },
                                        { "no-prune", no_argument, NULL, 'P' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_store ferry_store_t *s = NULL;
  struct rmi_done done = { 0 };
  int all = 0, force = 0, ignore = 0, prune = 1, c, r, ret = 0;

  while ((c = getopt_long (argc, argv, ":afih", opts, NULL)) != -1)
    switch (c)
      {
      case 'a':
        all = 1;
        break;
      case 'f':
        force = 1;
        break;
      case 'i':
        ignore = 1;
        break;
      case 'P':
        prune = 0;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "image rm", argv, rm_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (all && optind < argc)
    return ferry_cli_failf ("when using the --all switch, you may not pass any images names or IDs");
  if (! all && optind >= argc)
    return ferry_cli_failf ("image name or ID must be specified");
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  if (all)
    return rmi_all (s, force);
  for (; optind < argc; optind++)
    {
      /* As Podman's, -f passes over an image that is not there too.  */
      int code = rmi_one (s, argv[optind], force, force, ignore || force, prune, &done);
      if (code && (ret == 0 || code == FERRY_EXIT_ERROR))
        ret = code;
    }
  rmi_done_print (&done);
  return ret;
}

/* NAME's repository and tag as `images` shows them: "<none>" for what it
 * lacks (a dangling image has neither).  */
static void
split_name (const char *name, char **repository, char **tag)
{
  const char *colon, *slash, *at;

  if (name == NULL)
    {
      *repository = xstrdup ("<none>");
      *tag = xstrdup ("<none>");
      return;
    }
  colon = strrchr (name, ':');
  slash = strrchr (name, '/');
  at = strchr (name, '@');
  if (at)
    {
      *repository = xstrndup (name, at - name);
      *tag = xstrdup ("<none>");
    }
  else if (colon && (slash == NULL || colon > slash))
    {
      *repository = xstrndup (name, colon - name);
      *tag = xstrdup (colon + 1);
    }
  else
    {
      *repository = xstrdup (name);
      *tag = xstrdup ("<none>");
    }
}

static json_object *
image_list_json (ferry_store_t *s, const struct ferry_image *img)
{
  json_object *o = json_object_new_object ();
  json_object *cfg = ferry_json_get_object (img->config, "config");
  struct timespec created = { 0 };

  ferry_time_parse (img->created, &created);
  json_object_object_add (o, "Id", json_object_new_string (img->id));
  json_object_object_add (o, "ParentId", json_object_new_string (""));
  /* Podman's images --format json always has null here: the names are in
   * Names (a template's {{.RepoTags}} has them).  */
  json_object_object_add (o, "RepoTags", NULL);
  json_object_object_add (o, "RepoDigests", repo_digests (img));
  json_object_object_add (o, "Size", json_object_new_int64 (ferry_image_reported_size (img)));
  json_object_object_add (o, "SharedSize", json_object_new_int64 (0));
  json_object_object_add (o, "VirtualSize", json_object_new_int64 (ferry_image_reported_size (img)));
  json_object_object_add (o, "Labels", ferry_json_sorted_object (ferry_json_get_object (cfg, "Labels")));
  json_object_object_add (o, "Containers", json_object_new_int (count_containers (s, img->id)));
  json_object_object_add (o, "Digest", json_object_new_string (img->manifest_digest));
  json_object_object_add (o, "History", string_array (img->names_history));
  /* Go's nil list: an image without names has null.  */
  json_object_object_add (o, "Names", img->names[0] ? string_array (img->names) : NULL);
  json_object_object_add (o, "Created", json_object_new_int64 (created.tv_sec));
  json_object_object_add (o, "CreatedAt", json_object_new_string (img->created));
  return o;
}

/* {{json .}} of an images row (the image under NAME): Podman's row struct,
 * the repository and tag first, RepoTags the names and no CreatedAt.  */
static json_object *
image_template_json (ferry_store_t *s, const struct ferry_image *img, const char *name)
{
  static const char *const order[]
      = { "Id",          "ParentId", "RepoTags",   "RepoDigests", "Created", "Size",  "SharedSize",
          "VirtualSize", "Labels",   "Containers", "Digest",      "History", "Names", NULL };
  cleanup_json json_object *full = image_list_json (s, img);
  cleanup_free char *repository = NULL, *tag = NULL;
  json_object *o = json_object_new_object ();

  split_name (name, &repository, &tag);
  json_object_object_add (o, "repository", json_object_new_string (repository));
  json_object_object_add (o, "tag", json_object_new_string (tag));
  for (size_t i = 0; order[i]; i++)
    {
      json_object *v = json_object_object_get (full, strcmp (order[i], "RepoTags") == 0 ? "Names" : order[i]);
      json_object_object_add (o, order[i], json_object_get (v));
    }
  return o;
}

/* Podman's dangling image: unnamed, and no image is built on it.  */
static int
image_is_dangling (ferry_store_t *s, const struct ferry_image *img)
{
  return img->names[0] == NULL && ! ferry_store_image_has_child (s, img);
}

/* A row of `images --format TEMPLATE`, one per name of IMG (NAME NULL for
 * a dangling image): Podman's fields, as Go prints them.  */
static json_object *
image_report (ferry_store_t *s, const struct ferry_image *img, const char *name, int no_trunc)
{
  json_object *o = json_object_new_object ();
  json_object *labels = ferry_json_get_object (ferry_json_get_object (img->config, "config"), "Labels");
  cleanup_free char *repository = NULL, *tag = NULL, *history = xstrdup ("");
  cleanup_free char *ago = ferry_cli_time_ago (img->created),
                    *size = ferry_cli_human_size (ferry_image_reported_size (img));
  cleanup_free char *id = no_trunc ? xasprintf ("sha256:%s", img->id) : xstrndup (img->id, 12);
  size_t i;

  split_name (name, &repository, &tag);
  for (i = 0; img->names_history[i]; i++)
    {
      char *next = xasprintf ("%s%s%s", history, i ? ", " : "", img->names_history[i]);
      free (history);
      history = next;
    }
  json_object_object_add (o, "ID", json_object_new_string (id));
  json_object_object_add (o, "Id", json_object_new_string (img->id));
  json_object_object_add (o, "Repository", json_object_new_string (repository));
  json_object_object_add (o, "Tag", json_object_new_string (tag));
  json_object_object_add (o, "Digest", json_object_new_string (img->manifest_digest));
  json_object_object_add (o, "Names", string_array (img->names));
  json_object_object_add (o, "Created", json_object_new_string (ago));
  json_object_object_add (o, "CreatedAt", ferry_cli_tpl_time_text (img->created));
  json_object_object_add (o, "CreatedSince", json_object_new_string (ago));
  json_object_object_add (o, "CreatedTime", ferry_cli_tpl_time_text (img->created));
  json_object_object_add (o, "Size", json_object_new_string (size));
  json_object_object_add (o, "VirtualSize", json_object_new_int64 (ferry_image_reported_size (img)));
  json_object_object_add (o, "SharedSize", json_object_new_int64 (0));
  json_object_object_add (o, "ReadOnly", json_object_new_boolean (0));
  json_object_object_add (o, "IsReadOnly", json_object_new_boolean (0));
  json_object_object_add (o, "Dangling", json_object_new_boolean (image_is_dangling (s, img)));
  json_object_object_add (o, "Labels",
                          ferry_cli_tpl_map (labels && json_object_object_length (labels) ? labels : NULL));
  json_object_object_add (o, "Containers", json_object_new_int (count_containers (s, img->id)));
  json_object_object_add (o, "History", json_object_new_string (history));
  json_object_object_add (o, "ParentId", json_object_new_string (""));
  json_object_object_add (o, "RepoTags", repo_tags (img->names));
  json_object_object_add (o, "RepoDigests", repo_digests (img));
  ferry_cli_tpl_go_members (o, "ferry.ImageRow");
  return o;
}

static const struct ferry_cli_column image_columns[] = {
  { "ID", "IMAGE ID" },     { "Id", "" },          { "Repository", NULL },
  { "Tag", NULL },          { "Digest", NULL },    { "Names", NULL },
  { "Created", "CREATED" }, { "CreatedAt", "" },   { "CreatedSince", "" },
  { "CreatedTime", "" },    { "Size", NULL },      { "VirtualSize", NULL },
  { "SharedSize", NULL },   { "ReadOnly", "R/O" }, { "IsReadOnly", "" },
  { "Dangling", NULL },     { "Labels", NULL },    { "Containers", NULL },
  { "History", NULL },      { "ParentId", NULL },  { "RepoTags", NULL },
  { "RepoDigests", NULL },  { NULL, NULL },
};

/* NAME matches the reference filter PATTERN as in Podman: the pattern, a
 * glob, against the whole name or any trailing part of its path, with the
 * tag when the pattern has one.  */
static int
reference_matches (const char *pattern, const char *name)
{
  int with_tag = strchr (pattern, ':') != NULL;
  cleanup_free char *repository = NULL, *tag = NULL;
  const char *p;

  split_name (name, &repository, &tag);
  for (p = with_tag ? name : repository; p; p = strchr (p, '/') ? strchr (p, '/') + 1 : NULL)
    if (fnmatch (pattern, p, FNM_PATHNAME) == 0)
      return 1;
  return 0;
}

/* One --filter KEY=VALUE of images; filters of one key are alternatives,
 * filters of different keys must all hold.  */
struct image_filter
{
  char *key, *value;
  int flag;              /* dangling, containers, intermediate, readonly: true or false */
  struct timespec bound; /* before, since, until */
};

struct images_flags
{
  int quiet, no_trunc, digests, heading, list_all, history;
  const char *format, *sort;
  const char **filter_args; /* as given; parsed once the store is open */
  size_t n_filter_args;
  struct image_filter *filters;
  size_t n_filters;
  ferry_store_t *store; /* what containers=, dangling= and intermediate= look at */
};

static void
images_flags_release (struct images_flags *f)
{
  size_t i;

  for (i = 0; i < f->n_filters; i++)
    {
      free (f->filters[i].key);
      free (f->filters[i].value);
    }
  free (f->filters);
  free (f->filter_args);
}

/* Go's strconv.ParseBool, as Podman reads a filter's boolean.  */
static int
go_parse_bool (const char *v, int *out)
{
  static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True", NULL };
  static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False", NULL };
  size_t i;

  for (i = 0; yes[i]; i++)
    if (strcmp (v, yes[i]) == 0)
      return *out = 1, 0;
  for (i = 0; no[i]; i++)
    if (strcmp (v, no[i]) == 0)
      return *out = 0, 0;
  return -1;
}

/* Adds filter ARG; says what is wrong and returns -1 when it is bad.  */
static int
images_filter_add (struct images_flags *f, ferry_store_t *s, const char *arg)
{
  static const char *const keys[]
      = { "dangling", "reference",  "label",  "label!", "before",       "since",    "after",
          "id",       "containers", "digest", "until",  "intermediate", "readonly", NULL };
  const char *eq = strchr (arg, '=');
  struct image_filter flt = { 0 };
  size_t i;

  flt.key = eq ? xstrndup (arg, eq - arg) : xstrdup (arg);
  flt.value = xstrdup (eq ? eq + 1 : "");
  for (i = 0; eq && keys[i] && strcmp (keys[i], flt.key); i++)
    ;
  if (eq == NULL || keys[i] == NULL)
    {
      ferry_cli_failf ("invalid image filter \"%s\": must be in the format \"filter=value or filter!=value\"",
                       flt.key);
      goto fail;
    }
  if (strcmp (flt.key, "dangling") == 0)
    {
      if (strcmp (flt.value, "true") && strcmp (flt.value, "false"))
        {
          ferry_cli_failf ("invalid image filter dangling=%s: use true or false", flt.value);
          goto fail;
        }
      flt.flag = strcmp (flt.value, "true") == 0;
    }
  if (strcmp (flt.key, "containers") == 0)
    {
      if (strcmp (flt.value, "true") && strcmp (flt.value, "false"))
        {
          ferry_cli_failf ("unsupported value \"%s\" for containers filter", flt.value);
          goto fail;
        }
      flt.flag = strcmp (flt.value, "true") == 0;
      for (i = 0; i < f->n_filters; i++)
        if (strcmp (f->filters[i].key, "containers") == 0 && f->filters[i].flag != flt.flag)
          {
            ferry_cli_failf ("specifying \"containers\" filter more than once with different values is not "
                             "supported");
            goto fail;
          }
    }
  if ((strcmp (flt.key, "intermediate") == 0 || strcmp (flt.key, "readonly") == 0)
      && go_parse_bool (flt.value, &flt.flag) < 0)
    {
      /* Podman's words, in Podman's order.  */
      ferry_cli_failf ("non-boolean value \"%s\" for %s filter: strconv.ParseBool: parsing \"%s\": invalid "
                       "syntax",
                       flt.key, flt.value, flt.value);
      goto fail;
    }
  if (strcmp (flt.key, "digest") == 0 && strchr (flt.value, ':') == NULL)
    {
      ferry_cli_failf ("invalid value \"%s\" for digest filter", flt.value);
      goto fail;
    }
  if (strcmp (flt.key, "until") == 0)
    {
      struct timespec now;

      clock_gettime (CLOCK_REALTIME, &now);
      if (ferry_time_parse_user (flt.value, &now, 1, &flt.bound) < 0)
        {
          ferry_cli_failf ("failed to parse value as time or duration: \"%s\"", flt.value);
          goto fail;
        }
    }
  if (strcmp (flt.key, "before") == 0 || strcmp (flt.key, "since") == 0 || strcmp (flt.key, "after") == 0)
    {
      struct ferry_image *img = NULL;
      ferry_error_t err = NULL;

      if (ferry_store_lookup (s, flt.value, &img, &err) < 0)
        {
          ferry_error_release (&err);
          ferry_cli_failf ("could not find local image for filter \"%s\"=\"%s\": %s: image not known",
                           flt.key, flt.value, flt.value);
          goto fail;
        }
      ferry_time_parse (img->created, &flt.bound);
      ferry_image_free (img);
    }
  f->filters = xrealloc (f->filters, (f->n_filters + 1) * sizeof (*f->filters));
  f->filters[f->n_filters++] = flt;
  return 0;

fail:
  free (flt.key);
  free (flt.value);
  return -1;
}

/* Podman's intermediate image: unnamed, and another image is built on it.  */
static int
image_is_intermediate (const struct images_flags *f, const struct ferry_image *img)
{
  return img->names[0] == NULL && ferry_store_image_has_child (f->store, img);
}

static int
timespec_before (const struct timespec *a, const struct timespec *b)
{
  return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static int
images_filter_match_one (const struct images_flags *f, const struct image_filter *flt,
                         const struct ferry_image *img)
{
  const char *key = flt->key, *v = flt->value;
  struct timespec created = { 0 };
  size_t i;

  if (strcmp (key, "dangling") == 0)
    return image_is_dangling (f->store, img) == flt->flag;
  if (strcmp (key, "containers") == 0)
    return ferry_store_image_in_use (f->store, img->id) == flt->flag;
  if (strcmp (key, "intermediate") == 0)
    return image_is_intermediate (f, img) == flt->flag;
  /* Every image ferry lists is in its own, writable store.  */
  if (strcmp (key, "readonly") == 0)
    return ! flt->flag;
  if (strcmp (key, "digest") == 0)
    return img->manifest_digest && strncmp (img->manifest_digest, v, strlen (v)) == 0;
  if (strcmp (key, "id") == 0)
    return strncmp (img->id, strncmp (v, "sha256:", 7) == 0 ? v + 7 : v, strlen (v)) == 0;
  if (strcmp (key, "reference") == 0)
    {
      for (i = 0; img->names[i]; i++)
        if (reference_matches (v, img->names[i]))
          return 1;
      return 0;
    }
  if (strcmp (key, "label") == 0 || strcmp (key, "label!") == 0)
    {
      json_object *labels = ferry_json_get_object (ferry_json_get_object (img->config, "config"), "Labels");
      json_object *lv = NULL;
      const char *eq = strchr (v, '=');
      cleanup_free char *k = eq ? xstrndup (v, eq - v) : xstrdup (v);
      int hit = labels && json_object_object_get_ex (labels, k, &lv)
                && (eq == NULL || strcmp (json_object_get_string (lv), eq + 1) == 0);
      return strcmp (key, "label") == 0 ? hit : ! hit;
    }
  ferry_time_parse (img->created, &created);
  if (strcmp (key, "before") == 0 || strcmp (key, "until") == 0)
    return timespec_before (&created, &flt->bound);
  return timespec_before (&flt->bound, &created);
}

static int
images_filter_match (const struct images_flags *f, const struct ferry_image *img)
{
  size_t i, j;
  int asked = f->list_all;

  /* As Podman: intermediate images only when asked for.  */
  for (i = 0; i < f->n_filters && ! asked; i++)
    asked = strcmp (f->filters[i].key, "intermediate") == 0;
  if (! asked && image_is_intermediate (f, img))
    return 0;

  for (i = 0; i < f->n_filters; i++)
    {
      int seen = 0, hit = 0;
      for (j = 0; j < i && ! seen; j++)
        seen = strcmp (f->filters[j].key, f->filters[i].key) == 0;
      if (seen)
        continue;
      for (j = i; j < f->n_filters && ! hit; j++)
        hit = strcmp (f->filters[j].key, f->filters[i].key) == 0
              && images_filter_match_one (f, &f->filters[j], img);
      if (! hit)
        return 0;
    }
  return 1;
}

/* A row of the listing: an image under one of its names.  */
struct image_row
{
  const struct ferry_image *img;
  const char *name; /* NULL for a dangling image */
  char *repository, *tag;
  struct timespec created;
  size_t index;
};

static const char *images_sort;

static int
image_row_compare (const void *a, const void *b)
{
  const struct image_row *x = a, *y = b;
  int r = 0;

  if (strcmp (images_sort, "id") == 0)
    r = strcmp (x->img->id, y->img->id);
  else if (strcmp (images_sort, "repository") == 0)
    {
      /* One repository's names by tag, as Podman's.  */
      r = strcmp (x->repository, y->repository);
      if (r == 0)
        r = strcmp (x->tag, y->tag);
    }
  else if (strcmp (images_sort, "tag") == 0)
    r = strcmp (x->tag, y->tag);
  else if (strcmp (images_sort, "size") == 0)
    r = x->img->size < y->img->size ? -1 : x->img->size > y->img->size;
  else /* created: the newest first */
    r = x->created.tv_sec != y->created.tv_sec     ? (x->created.tv_sec > y->created.tv_sec ? -1 : 1)
        : x->created.tv_nsec != y->created.tv_nsec ? (x->created.tv_nsec > y->created.tv_nsec ? -1 : 1)
                                                   : 0;
  if (r == 0)
    r = x->index < y->index ? -1 : x->index > y->index;
  return r;
}

static const char images_usage[]
    = "Usage: ferry images [options] [IMAGE]\n\n"
      "List images in local storage (IMAGE: those whose name matches it, as --filter reference=).\n\n"
      "Options:\n"
      "  -a, --all              the intermediate images too (unnamed ones another image is\n"
      "                         built on)\n"
      "      --digests          show the manifest digests\n"
      "  -f, --filter KEY=VALUE dangling=true|false, reference=PATTERN, label=K[=V], label!=K[=V],\n"
      "                         before=IMAGE, since=IMAGE, until=TIME|DURATION, id=PREFIX,\n"
      "                         digest=ALGORITHM:PREFIX, containers=true|false (used by one),\n"
      "                         intermediate=BOOL, readonly=BOOL (repeatable: values of one key\n"
      "                         are alternatives, different keys must all hold)\n"
      "      --format FORMAT    json, or a Go template per image name ({{.Repository}}:{{.Tag}}\n"
      "                         {{.ID}}); \"table TEMPLATE\" adds headings and aligns the columns\n"
      "      --history          a HISTORY column: the names each image has had, most recent\n"
      "                         first ({{.History}})\n"
      "  -n, --noheading        no heading row\n"
      "      --no-trunc         full image IDs\n"
      "  -q, --quiet            print only image IDs\n"
      "      --sort KEY         order by created (the default, newest first), id, repository, size\n"
      "                         or tag\n";

#define IMAGES_DEFAULT_FORMAT "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Created}}\t{{.Size}}"
#define IMAGES_DIGESTS_FORMAT "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.Created}}\t{{.Size}}"

static void
print_images (ferry_store_t *s, struct image_row *rows, size_t n, const struct images_flags *f, int *ret)
{
  cleanup_list struct ferry_cli_list out = { 0 };
  const char *format = f->format ? f->format : f->digests ? IMAGES_DIGESTS_FORMAT : IMAGES_DEFAULT_FORMAT;
  cleanup_free char *with_history = NULL;
  ferry_error_t err = NULL;
  size_t i;

  /* As Podman's: the column goes after the default ones only.  */
  if (f->history && f->format == NULL)
    format = with_history = xasprintf ("%s\t{{.History}}", format);

  if (f->quiet)
    {
      /* Each image once; -q wins over --format, as in Podman.  */
      for (i = 0; i < n; i++)
        {
          size_t j;
          for (j = 0; j < i && rows[j].img != rows[i].img; j++)
            ;
          if (j == i)
            printf (f->no_trunc ? "sha256:%s\n" : "%.12s\n", rows[i].img->id);
        }
      return;
    }
  ferry_cli_template_root_type ("images.imageReporter");
  ferry_cli_list_init (&out, format, image_columns, f->heading);
  for (i = 0; i < n; i++)
    {
      cleanup_json json_object *o = image_report (s, rows[i].img, rows[i].name, f->no_trunc);
      if (strstr (format, "json"))
        {
          cleanup_json json_object *as = image_template_json (s, rows[i].img, rows[i].name);
          ferry_cli_tpl_json_as (o, as);
        }
      if (ferry_cli_list_row (&out, o, &err) < 0)
        {
          *ret = ferry_cli_fail (&err);
          return;
        }
    }
  if (ferry_cli_list_end (&out, &err) < 0)
    *ret = ferry_cli_fail (&err);
}

enum
{
  OPT_NO_TRUNC = OPT_COMMAND_FIRST,
  OPT_FORMAT,
  OPT_DIGESTS,
  OPT_SORT,
  OPT_IMAGES_HISTORY,
};

static int
images_option (int c, struct images_flags *f)
{
  static const char *const sorts[] = { "created", "id", "repository", "size", "tag", NULL };
  size_t i;

  switch (c)
    {
    case 'q':
      f->quiet = 1;
      return 0;
    case 'n':
      f->heading = 0;
      return 0;
    case OPT_NO_TRUNC:
      f->no_trunc = 1;
      return 0;
    case OPT_DIGESTS:
      f->digests = 1;
      return 0;
    case OPT_IMAGES_HISTORY:
      f->history = 1;
      return 0;
    case OPT_FORMAT:
      f->format = optarg;
      return 0;
    case 'f':
      f->filter_args = xrealloc (f->filter_args, (f->n_filter_args + 1) * sizeof (*f->filter_args));
      f->filter_args[f->n_filter_args++] = optarg;
      return 0;
    case OPT_SORT:
      for (i = 0; sorts[i] && strcmp (sorts[i], optarg); i++)
        ;
      if (sorts[i] == NULL)
        {
          ferry_cli_failf (
              "\"%s\" is not a valid field for sorting: use created, id, repository, size or tag", optarg);
          return -1;
        }
      f->sort = optarg;
      return 0;
    case 'a':
      f->list_all = 1;
      return 0;
    default:
      return 1;
    }
}

int
ferry_cmd_images (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "quiet", no_argument, NULL, 'q' },
                                        { "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
                                        { "format", required_argument, NULL, OPT_FORMAT },
                                        { "filter", required_argument, NULL, 'f' },
                                        { "noheading", no_argument, NULL, 'n' },
                                        { "digests", no_argument, NULL, OPT_DIGESTS },
                                        { "history", no_argument, NULL, OPT_IMAGES_HISTORY },
                                        { "sort", required_argument, NULL, OPT_SORT },
                                        { "all", no_argument, NULL, 'a' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_store ferry_store_t *s = NULL;
  struct ferry_image **imgs = NULL;
  cleanup_free struct image_row *rows = NULL;
  struct images_flags f = { .heading = 1 };
  ferry_error_t err = NULL;
  int c, r, ret = 0;
  size_t n = 0, n_rows = 0, i, k;

  while ((c = getopt_long (argc, argv, ":qf:nah", opts, NULL)) != -1)
    {
      r = images_option (c, &f);
      if (r == 1)
        r = ferry_cli_parse_or_help (c, "images", argv, images_usage);
      if (r != 0)
        {
          images_flags_release (&f);
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
        }
    }
  if (argc - optind > 1)
    {
      images_flags_release (&f);
      return ferry_cli_failf ("accepts at most 1 arg(s), received %d", argc - optind);
    }
  s = ferry_cli_open_store ();
  if (s == NULL)
    {
      images_flags_release (&f);
      return FERRY_EXIT_ERROR;
    }
  /* before= and since= name images: they need the store.  */
  for (i = 0; i < f.n_filter_args; i++)
    if (images_filter_add (&f, s, f.filter_args[i]) < 0)
      {
        images_flags_release (&f);
        return FERRY_EXIT_ERROR;
      }
  if (optind < argc)
    {
      f.filters = xrealloc (f.filters, (f.n_filters + 1) * sizeof (*f.filters));
      f.filters[f.n_filters++]
          = (struct image_filter){ .key = xstrdup ("reference"), .value = xstrdup (argv[optind]) };
    }
  if (ferry_store_list (s, &imgs, &n, &err) < 0)
    {
      images_flags_release (&f);
      return ferry_cli_fail (&err);
    }
  f.store = s;

  for (i = 0; i < n; i++)
    if (images_filter_match (&f, imgs[i]))
      /* A row per name, and one for an image without any: its names
       * list is then only the NULL that ends it.  */
      for (k = 0; k == 0 || (imgs[i]->names[0] && imgs[i]->names[k]); k++)
        {
          struct image_row *row;
          rows = xrealloc (rows, (n_rows + 1) * sizeof (*rows));
          row = &rows[n_rows];
          row->img = imgs[i];
          row->name = imgs[i]->names[k];
          split_name (row->name, &row->repository, &row->tag);
          ferry_time_parse (imgs[i]->created, &row->created);
          row->index = n_rows++;
        }
  images_sort = f.sort ? f.sort : "created";
  /* An empty store leaves rows NULL, which qsort may not be given.  */
  if (n_rows > 0)
    qsort (rows, n_rows, sizeof (*rows), image_row_compare);

  if (f.format && ferry_cli_format_is_json (f.format) && ! f.quiet)
    {
      cleanup_json json_object *all = json_object_new_array ();
      for (i = 0; i < n; i++)
        if (images_filter_match (&f, imgs[i]))
          json_object_array_add (all, image_list_json (s, imgs[i]));
      /* Indented by four, as Podman's images prints it.  */
      cleanup_free char *text = ferry_json_to_indented (all, 4);
      puts (text);
    }
  else
    print_images (s, rows, n_rows, &f, &ret);
  for (i = 0; i < n_rows; i++)
    {
      free (rows[i].repository);
      free (rows[i].tag);
    }
  images_flags_release (&f);
  ferry_images_free (imgs, n);
  return ret;
}

static int
image_list_alias (int argc, char **argv)
{
  return ferry_cmd_images (argc, argv);
}

static const char image_prune_usage[]
    = "Usage: ferry image prune [options]\n\n"
      "Remove dangling images (no name, and no image built on them) that no container\n"
      "uses, and print their IDs; with --all, every image no container uses.\n\n"
      "Options:\n"
      "  -a, --all        remove every image no container uses, named or not\n"
      "      --external   also images used by external containers (ferry's are leftover\n"
      "                   storage, which holds no image: pruning is the same)\n"
      "      --filter F   only images that pass F, as images --filter takes it (label=,\n"
      "                   label!=, until=, before=, since=, reference=, ...; repeatable)\n"
      "  -f, --force      do not ask for confirmation\n";

/* Prune's removal of image ID (by ID, with -f for several names: --all
 * takes named images too): 1 when it went (its ID printed), 0 when a
 * container uses it (it stays, as Podman leaves it), -1 and ERR when it
 * could not be removed.  */
static int
prune_one (ferry_store_t *s, const char *id, ferry_error_t *err)
{
  struct ferry_remove_report rep;
  cleanup_free char *kept = xstrdup (id);

  if (ferry_store_remove (s, kept, 1, &rep, err) < 0)
    {
      if ((*err)->kind != FERRY_ERROR_IN_USE)
        return -1;
      ferry_error_release (err);
      return 0;
    }
  for (size_t k = 0; rep.untagged && rep.untagged[k]; k++)
    ferry_cli_event ("image", "untag", kept, rep.untagged[k]);
  ferry_cli_event ("image", "remove", kept, NULL);
  puts (kept);
  ferry_remove_report_free (&rep);
  return 1;
}

static int
image_prune (int argc, char **argv)
{
  enum
  {
    OPT_PRUNE_FILTER = OPT_COMMAND_FIRST,
    OPT_PRUNE_EXTERNAL,
  };
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "all", no_argument, NULL, 'a' },
                                        { "external", no_argument, NULL, OPT_PRUNE_EXTERNAL },
                                        { "filter", required_argument, NULL, OPT_PRUNE_FILTER },
                                        { "force", no_argument, NULL, 'f' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_store ferry_store_t *s = NULL;
  struct ferry_image **imgs = NULL;
  /* --filter: the images filters, intermediate images not left out
   * (pruning decides about those).  */
  struct images_flags pf = { .list_all = 1 };
  ferry_error_t err = NULL;
  int all = 0, force = 0, c, r, ret = 0;
  size_t n = 0;

  while ((c = getopt_long (argc, argv, ":afh", opts, NULL)) != -1)
    switch (c)
      {
      case 'a':
        all = 1;
        break;
      case OPT_PRUNE_FILTER:
        pf.filter_args = xrealloc (pf.filter_args, sizeof (char *) * (pf.n_filter_args + 1));
        pf.filter_args[pf.n_filter_args++] = optarg;
        break;
      case OPT_PRUNE_EXTERNAL:
        /* Podman's external containers (Buildah's) keep their images;
         * ferry's are storage no record owns, which names no image, so
         * no image is kept for them either way.  */
        break;
      case 'f':
        force = 1;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "image prune", argv, image_prune_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (optind < argc)
    {
      images_flags_release (&pf);
      return ferry_cli_failf ("`ferry image prune` takes no arguments (got `%s`)", argv[optind]);
    }
  if (! force)
    {
      r = ferry_cli_ask (all ? "WARNING! This command removes all images without at least one container "
                               "associated with them.\nAre you sure you want to continue? [y/N] "
                             : "WARNING! This command removes all dangling images.\n"
                               "Are you sure you want to continue? [y/N] ");
      if (r <= 0)
        images_flags_release (&pf);
      if (r < 0)
        return ferry_cli_failf ("EOF");
      if (r == 0)
        return 0;
    }
  s = ferry_cli_open_store ();
  if (s == NULL)
    {
      images_flags_release (&pf);
      return FERRY_EXIT_ERROR;
    }
  pf.store = s;
  for (size_t i = 0; i < pf.n_filter_args; i++)
    if (images_filter_add (&pf, s, pf.filter_args[i]) < 0)
      {
        images_flags_release (&pf);
        return FERRY_EXIT_ERROR;
      }
  /* Removing a dangling image can leave the one it was built on
   * dangling: again until a pass removes nothing, as Podman prunes.  */
  for (int removed = 1; removed;)
    {
      cleanup_strv char **damaged = NULL, **why = NULL;

      removed = 0;
      if (ferry_store_list_sound (s, &imgs, &n, &damaged, &why, &err) < 0)
        return ferry_cli_fail (&err);
      /* --all takes a damaged image too, as Podman's prune; a filter
       * cannot be matched against it, and it stays then.  */
      for (size_t i = 0; all && ! pf.n_filters && damaged[i]; i++)
        {
          damaged_warning (why[i]);
          if (prune_one (s, damaged[i], &err) < 0)
            ret = ferry_cli_fail (&err);
        }
      for (size_t i = 0; i < n; i++)
        {

          /* Without --all, the dangling ones: not an intermediate image,
           * which another is built on.  */
          if (! all && (imgs[i]->names[0] || ferry_store_image_has_child (s, imgs[i])))
            continue;
          if (pf.n_filters && ! images_filter_match (&pf, imgs[i]))
            continue;
          r = prune_one (s, imgs[i]->id, &err);
          if (r < 0)
            ret = ferry_cli_fail (&err);
          if (r <= 0)
            continue;
          removed = ! all;
        }
      ferry_images_free (imgs, n);
      imgs = NULL;
      n = 0;
    }
  images_flags_release (&pf);
  return ret;
}

int
ferry_cmd_image (int argc, char **argv)
{
  static const struct ferry_command table[] = {
    { "diff", image_diff, "Inspect changes to the image's file systems" },
    { "exists", image_exists, "Check if an image exists in local storage" },
    { "history", ferry_cmd_image_history, "Show history of a specified image" },
    { "import", ferry_cmd_import, "Import a tarball to create a filesystem image" },
    { "inspect", image_inspect, "Display the configuration of an image" },
    { "list", image_list_alias, NULL },
    { "load", ferry_cmd_load, "Load image(s) from an OCI or docker archive" },
    { "ls", image_list_alias, "List images in local storage" },
    { "mount", image_mount, "Mount an image's root filesystem" },
    { "prune", image_prune, "Remove unused images" },
    { "pull", ferry_cmd_pull, "Pull an image from a registry" },
    { "push", ferry_cmd_push, "Push an image to a registry" },
    { "rm", ferry_cmd_rmi, "Remove one or more images from local storage" },
    { "save", ferry_cmd_save, "Save image(s) to an archive" },
    { "scp", ferry_cmd_image_scp, "Securely copy images" },
    { "search", ferry_cmd_search, "Search a registry for images" },
    { "sign", ferry_cmd_image_sign, "Sign an image" },
    { "tag", ferry_cmd_tag, "Add an additional name to a local image" },
    { "tree", ferry_cmd_image_tree, "Print layer hierarchy of an image in a tree format" },
    { "trust", ferry_cmd_image_trust, "Manage container image trust policy" },
    { "umount", image_unmount, NULL },
    { "unmount", image_unmount, "Unmount an image's root filesystem" },
    { "untag", ferry_cmd_untag, "Remove a name from a local image" },
    { NULL, NULL, NULL },
  };

  return ferry_cli_dispatch ("image", table, argc - 1, argv + 1);
}
