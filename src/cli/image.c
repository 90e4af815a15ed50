/* ferry CLI: images: load, import, images, image inspect|exists|rm.  */
#include "common.h"
#include "engine/engine.h"
#include "commands.h"
#include "image/load.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char load_usage[]
    = "Usage: ferry load [-q] -i FILE\n\n"
      "Load images from an OCI archive or a docker-archive (compressed or not).\n\n"
      "Options:\n"
      "  -i, --input FILE  read the archive from FILE (\"-\" or no -i: standard input)\n"
      "  -q, --quiet       print nothing but errors\n";

int
ferry_cmd_load (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "input", required_argument, NULL, 'i' },
                                        { "quiet", no_argument, NULL, 'q' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_store ferry_store_t *s = NULL;
  struct ferry_load_report report;
  ferry_error_t err = NULL;
  const char *input = NULL;
  int quiet = 0, c, r;
  size_t i;

  while ((c = getopt_long (argc, argv, "+:i:qh", opts, NULL)) != -1)
    switch (c)
      {
      case 'i':
        input = optarg;
        break;
      case 'q':
        quiet = 1;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "load", argv, load_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (optind < argc)
    return ferry_cli_failf ("ferry load takes no arguments (got `%s`): give the archive with -i FILE",
                            argv[optind]);
  if (input == NULL)
    {
      if (isatty (STDIN_FILENO))
        return ferry_cli_failf (
            "no image archive given: use ferry load -i FILE, or pipe the archive to standard input");
      input = "-";
    }
  if (strcmp (input, "-") != 0 && access (input, R_OK) < 0)
    return ferry_cli_failf ("cannot read image archive `%s`: %s", input, strerror (errno));
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_image_load (s, input, &report, &err) < 0)
    return ferry_cli_fail (&err);
  ferry_cli_event ("image", "loadfromarchive", NULL, input);
  for (i = 0; ! quiet && report.loaded[i]; i++)
    printf ("Loaded image: %s\n", report.loaded[i]);
  ferry_load_report_free (&report);
  return 0;
}

static const char import_usage[]
    = "Usage: ferry import [-q] FILE [NAME[:TAG]]\n\n"
      "Create a one-layer image from a root-filesystem tarball (\"-\": standard input).\n\n"
      "Options:\n"
      "  -q, --quiet  print nothing but errors\n";

int
ferry_cmd_import (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "quiet", no_argument, NULL, 'q' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_store ferry_store_t *s = NULL;
  cleanup_free char *id = NULL;
  ferry_error_t err = NULL;
  int quiet = 0, c, r;

  while ((c = getopt_long (argc, argv, "+:qh", opts, NULL)) != -1)
    switch (c)
      {
      case 'q':
        quiet = 1;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "import", argv, import_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (argc - optind < 1 || argc - optind > 2)
    return ferry_cli_failf (
        "ferry import needs a tarball and optionally a name: ferry import FILE [NAME[:TAG]]");
  if (strcmp (argv[optind], "-") != 0 && access (argv[optind], R_OK) < 0)
    return ferry_cli_failf ("cannot read tarball `%s`: %s", argv[optind], strerror (errno));
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_image_import (s, argv[optind], argc - optind == 2 ? argv[optind + 1] : NULL, &id, &err) < 0)
    return ferry_cli_fail (&err);
  ferry_cli_event ("image", "import", id, argv[optind]);
  if (! quiet)
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

static json_object *
image_inspect_json (ferry_store_t *s, const struct ferry_image *img)
{
  json_object *o = json_object_new_object (), *rootfs = json_object_new_object ();
  json_object *gd = json_object_new_object (), *gdd = json_object_new_object ();
  json_object *cfg = ferry_json_get_object (img->config, "config");
  cleanup_strv char **lowers = ferry_store_image_layer_paths (s, img);
  cleanup_free char *joined = NULL;
  cleanup_free char *id = xasprintf ("%s", img->id);
  size_t i, len = 0;

  json_object_object_add (o, "Id", json_object_new_string (id));
  json_object_object_add (o, "Digest", json_object_new_string (img->manifest_digest));
  json_object_object_add (o, "RepoTags", repo_tags (img->names));
  json_object_object_add (o, "RepoDigests", repo_digests (img));
  json_object_object_add (o, "Parent", json_object_new_string (""));
  json_object_object_add (o, "Comment", json_object_new_string (""));
  json_object_object_add (o, "Created", json_object_new_string (img->created));
  json_object_object_add (o, "Config", copy_member (img->config, "config", json_object_new_object ()));
  json_object_object_add (o, "Version", json_object_new_string (""));
  json_object_object_add (o, "Author", copy_member (img->config, "author", json_object_new_string ("")));
  json_object_object_add (o, "Architecture",
                          copy_member (img->config, "architecture", json_object_new_string ("")));
  json_object_object_add (o, "Os", copy_member (img->config, "os", json_object_new_string ("")));
  json_object_object_add (o, "Size", json_object_new_int64 (img->size));
  json_object_object_add (o, "VirtualSize", json_object_new_int64 (img->size));
  for (i = 0; lowers[i]; i++)
    len += strlen (lowers[i]) + 1;
  joined = xmalloc0 (len + 1);
  for (i = 0; lowers[i]; i++)
    {
      if (i)
        strcat (joined, ":");
      strcat (joined, lowers[i]);
    }
  json_object_object_add (gdd, "LowerDir", json_object_new_string (joined));
  json_object_object_add (gd, "Name", json_object_new_string ("overlay"));
  json_object_object_add (gd, "Data", gdd);
  json_object_object_add (o, "GraphDriver", gd);
  json_object_object_add (rootfs, "Type", json_object_new_string ("layers"));
  json_object_object_add (rootfs, "Layers", string_array (img->diff_ids));
  json_object_object_add (o, "RootFS", rootfs);
  json_object_object_add (o, "Labels", copy_member (cfg, "Labels", NULL));
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
  json_object_object_add (o, "NamesHistory", string_array (img->names));
  json_object_object_add (o, "Containers", json_object_new_int (count_containers (s, img->id)));
  return o;
}

json_object *
ferry_cli_image_inspect_json (ferry_store_t *s, const char *ref, ferry_error_t *err)
{
  struct ferry_image *img;
  json_object *o;

  if (ferry_store_lookup (s, ref, &img, err) < 0)
    return NULL;
  o = image_inspect_json (s, img);
  ferry_image_free (img);
  return o;
}

static const char inspect_usage[]
    = "Usage: ferry image inspect [-f FORMAT] IMAGE [IMAGE...]\n\n"
      "Display the configuration of images as JSON.\n\n"
      "Options:\n"
      "  -f, --format FORMAT  render with a Go template ({{.Id}}, {{json .Config}})\n";

static int
image_inspect (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "format", required_argument, NULL, 'f' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_store ferry_store_t *s = NULL;
  cleanup_json json_object *all = json_object_new_array ();
  const char *format = NULL;
  int c, r, ret = 0;

  while ((c = getopt_long (argc, argv, "+:f:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        format = optarg;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "image inspect", argv, inspect_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (optind >= argc)
    return ferry_cli_failf ("ferry image inspect needs at least one image: ferry image inspect IMAGE");
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  for (; optind < argc; optind++)
    {
      struct ferry_image *img;
      ferry_error_t err = NULL;
      json_object *o;

      if (ferry_store_lookup (s, argv[optind], &img, &err) < 0)
        {
          ret = ferry_cli_fail (&err);
          continue;
        }
      o = image_inspect_json (s, img);
      ferry_image_free (img);
      if (format)
        {
          if (ferry_cli_print_template (format, o) != 0)
            ret = FERRY_EXIT_ERROR;
          json_object_put (o);
        }
      else
        json_object_array_add (all, o);
    }
  if (format == NULL && json_object_array_length (all) > 0)
    puts (ferry_json_to_string (all, 1));
  return ret;
}

static int
image_exists (int argc, char **argv)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  cleanup_store ferry_store_t *s = NULL;
  struct ferry_image *img;
  ferry_error_t err = NULL;
  int c, r;

  while ((c = getopt_long (argc, argv, "+:h", opts, NULL)) != -1)
    {
      r = ferry_cli_parse_or_help (
          c, "image exists", argv,
          "Usage: ferry image exists IMAGE\n\nExit 0 if IMAGE is in local storage, 1 if not.\n");
      if (r != 0)
        return r > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (argc - optind != 1)
    return ferry_cli_failf ("ferry image exists needs exactly one image: ferry image exists IMAGE");
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_store_lookup (s, argv[optind], &img, &err) < 0)
    {
      if (err->kind == FERRY_ERROR_NOT_FOUND)
        {
          ferry_error_release (&err);
          return 1;
        }
      return ferry_cli_fail (&err);
    }
  ferry_image_free (img);
  return 0;
}

static int
remove_with_containers (ferry_store_t *s, const char *ref, struct ferry_remove_report *rep,
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
  return ferry_store_remove (s, ref, 1, rep, err);
}

static const char rm_usage[]
    = "Usage: ferry image rm [-f] IMAGE [IMAGE...]\n\n"
      "Remove images from local storage.  Exit 1 if an image is not known,\n"
      "2 if one is in use by a container.\n\n"
      "Options:\n"
      "  -f, --force  remove an image with several names by ID, and the containers using it\n";

int
ferry_cmd_rmi (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "force", no_argument, NULL, 'f' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_store ferry_store_t *s = NULL;
  int force = 0, c, r, ret = 0;

  while ((c = getopt_long (argc, argv, "+:fh", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        force = 1;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "image rm", argv, rm_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (optind >= argc)
    return ferry_cli_failf ("ferry image rm needs at least one image: ferry image rm IMAGE");
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  for (; optind < argc; optind++)
    {
      struct ferry_remove_report rep;
      ferry_error_t err = NULL;
      size_t i;

      r = ferry_store_remove (s, argv[optind], force, &rep, &err);
      if (r < 0 && force && err->kind == FERRY_ERROR_IN_USE)
        {
          /* podman rmi -f takes the image's containers with it.  */
          ferry_remove_report_free (&rep);
          ferry_error_release (&err);
          r = remove_with_containers (s, argv[optind], &rep, &err);
        }
      for (i = 0; rep.untagged && rep.untagged[i]; i++)
        {
          ferry_cli_event ("image", "untag", rep.deleted, rep.untagged[i]);
          printf ("Untagged: %s\n", rep.untagged[i]);
        }
      if (rep.deleted)
        {
          ferry_cli_event ("image", "remove", rep.deleted, argv[optind]);
          printf ("Deleted: %s\n", rep.deleted);
        }
      ferry_remove_report_free (&rep);
      if (r < 0)
        {
          /* Podman's codes: 1 for an unknown image, 2 for one in use.  */
          int code = err->kind == FERRY_ERROR_NOT_FOUND ? 1
                     : err->kind == FERRY_ERROR_IN_USE  ? 2
                                                        : FERRY_EXIT_ERROR;
          ferry_cli_fail (&err);
          if (ret == 0 || code == FERRY_EXIT_ERROR)
            ret = code;
        }
    }
  return ret;
}

struct image_row
{
  char *repository, *tag, *id, *created, *size;
};

static void
add_rows (const struct ferry_image *img, struct image_row **rows, size_t *n)
{
  size_t i = 0;

  do
    {
      struct image_row *row;
      const char *name = img->names[i];

      *rows = xrealloc (*rows, sizeof (**rows) * (*n + 1));
      row = &(*rows)[(*n)++];
      if (name)
        {
          const char *colon = strrchr (name, ':');
          const char *slash = strrchr (name, '/');
          const char *at = strchr (name, '@');
          if (at)
            {
              row->repository = xstrndup (name, at - name);
              row->tag = xstrdup ("<none>");
            }
          else if (colon && (slash == NULL || colon > slash))
            {
              row->repository = xstrndup (name, colon - name);
              row->tag = xstrdup (colon + 1);
            }
          else
            {
              row->repository = xstrdup (name);
              row->tag = xstrdup ("<none>");
            }
        }
      else
        {
          row->repository = xstrdup ("<none>");
          row->tag = xstrdup ("<none>");
        }
      row->id = xstrndup (img->id, 12);
      row->created = ferry_cli_time_ago (img->created);
      row->size = ferry_cli_human_size (img->size);
    }
  while (img->names[i] && img->names[++i]);
}

static void
print_table (struct image_row *rows, size_t n, int quiet)
{
  int w_repo = 10, w_tag = 3, w_created = 7;
  size_t i;

  for (i = 0; i < n; i++)
    {
      if ((int) strlen (rows[i].repository) > w_repo)
        w_repo = strlen (rows[i].repository);
      if ((int) strlen (rows[i].tag) > w_tag)
        w_tag = strlen (rows[i].tag);
      if ((int) strlen (rows[i].created) > w_created)
        w_created = strlen (rows[i].created);
    }
  if (! quiet)
    printf ("%-*s  %-*s  %-12s  %-*s  %s\n", w_repo, "REPOSITORY", w_tag, "TAG", "IMAGE ID", w_created,
            "CREATED", "SIZE");
  for (i = 0; i < n; i++)
    {
      if (quiet)
        {
          if (i == 0 || strcmp (rows[i].id, rows[i - 1].id) != 0)
            printf ("%s\n", rows[i].id);
          continue;
        }
      printf ("%-*s  %-*s  %-12s  %-*s  %s\n", w_repo, rows[i].repository, w_tag, rows[i].tag, rows[i].id,
              w_created, rows[i].created, rows[i].size);
    }
}

static json_object *
image_list_json (ferry_store_t *s, const struct ferry_image *img)
{
  json_object *o = json_object_new_object ();
  json_object *cfg = ferry_json_get_object (img->config, "config");
  struct timespec created = { 0 };
  cleanup_free char *short_id = xstrndup (img->id, 12);

  ferry_time_parse (img->created, &created);
  json_object_object_add (o, "Id", json_object_new_string (img->id));
  json_object_object_add (o, "ID", json_object_new_string (short_id));
  json_object_object_add (o, "ParentId", json_object_new_string (""));
  json_object_object_add (o, "RepoTags", repo_tags (img->names));
  json_object_object_add (o, "RepoDigests", repo_digests (img));
  json_object_object_add (o, "Size", json_object_new_int64 (img->size));
  json_object_object_add (o, "SharedSize", json_object_new_int64 (0));
  json_object_object_add (o, "VirtualSize", json_object_new_int64 (img->size));
  json_object_object_add (o, "Labels", copy_member (cfg, "Labels", NULL));
  json_object_object_add (o, "Containers", json_object_new_int (count_containers (s, img->id)));
  json_object_object_add (o, "Names", string_array (img->names));
  json_object_object_add (o, "Digest", json_object_new_string (img->manifest_digest));
  json_object_object_add (o, "Created", json_object_new_int64 (created.tv_sec));
  json_object_object_add (o, "CreatedAt", json_object_new_string (img->created));
  return o;
}

static const char images_usage[]
    = "Usage: ferry images [-q] [--no-trunc] [--format json|TEMPLATE]\n\n"
      "List images in local storage.\n\n"
      "Options:\n"
      "  -q, --quiet          print only image IDs\n"
      "      --no-trunc       print full image IDs\n"
      "      --format FORMAT  json, or a Go template per image ({{.Id}} {{.Names}})\n";

int
ferry_cmd_images (int argc, char **argv)
{
  enum
  {
    OPT_NO_TRUNC = OPT_COMMAND_FIRST,
  };
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "quiet", no_argument, NULL, 'q' },
                                        { "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
                                        { "format", required_argument, NULL, 'f' },
                                        { "all", no_argument, NULL, 'a' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_store ferry_store_t *s = NULL;
  struct ferry_image **imgs = NULL;
  struct image_row *rows = NULL;
  ferry_error_t err = NULL;
  const char *format = NULL;
  int quiet = 0, no_trunc = 0, c, r, ret = 0;
  size_t n = 0, n_rows = 0, i;

  while ((c = getopt_long (argc, argv, "+:qf:ah", opts, NULL)) != -1)
    switch (c)
      {
      case 'q':
        quiet = 1;
        break;
      case OPT_NO_TRUNC:
        no_trunc = 1;
        break;
      case 'f':
        format = optarg;
        break;
      case 'a':
        break; /* ferry keeps no intermediate images: all are listed anyway */
      default:
        r = ferry_cli_parse_or_help (c, "images", argv, images_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (optind < argc)
    return ferry_cli_failf ("ferry images takes no arguments (got `%s`)", argv[optind]);
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_store_list (s, &imgs, &n, &err) < 0)
    return ferry_cli_fail (&err);

  if (format && strcmp (format, "json") == 0)
    {
      cleanup_json json_object *all = json_object_new_array ();
      for (i = 0; i < n; i++)
        json_object_array_add (all, image_list_json (s, imgs[i]));
      puts (ferry_json_to_string (all, 1));
    }
  else if (format)
    {
      for (i = 0; i < n && ret == 0; i++)
        {
          cleanup_json json_object *o = image_list_json (s, imgs[i]);
          ret = ferry_cli_print_template (ferry_cli_list_format (format), o);
        }
    }
  else
    {
      for (i = 0; i < n; i++)
        add_rows (imgs[i], &rows, &n_rows);
      if (no_trunc)
        for (i = 0; i < n_rows; i++)
          {
            size_t k;
            for (k = 0; k < n; k++)
              if (strncmp (imgs[k]->id, rows[i].id, 12) == 0)
                {
                  free (rows[i].id);
                  rows[i].id = xasprintf ("sha256:%s", imgs[k]->id);
                  break;
                }
          }
      print_table (rows, n_rows, quiet);
      for (i = 0; i < n_rows; i++)
        {
          free (rows[i].repository);
          free (rows[i].tag);
          free (rows[i].id);
          free (rows[i].created);
          free (rows[i].size);
        }
      free (rows);
    }
  ferry_images_free (imgs, n);
  return ret;
}

static int
image_list_alias (int argc, char **argv)
{
  return ferry_cmd_images (argc, argv);
}

int
ferry_cmd_image (int argc, char **argv)
{
  static const struct ferry_command table[] = {
    { "exists", image_exists, "Check if an image exists in local storage" },
    { "import", ferry_cmd_import, "Import a tarball to create a filesystem image" },
    { "inspect", image_inspect, "Display the configuration of an image" },
    { "list", image_list_alias, NULL },
    { "load", ferry_cmd_load, "Load image(s) from an OCI or docker archive" },
    { "ls", image_list_alias, "List images in local storage" },
    { "pull", ferry_cmd_pull, "Pull an image from a registry" },
    { "push", ferry_cmd_push, "Push an image to a registry" },
    { "rm", ferry_cmd_rmi, "Remove one or more images from local storage" },
    { "tag", ferry_cmd_tag, "Add an additional name to a local image" },
    { "untag", ferry_cmd_untag, "Remove a name from a local image" },
    { NULL, NULL, NULL },
  };

  return ferry_cli_dispatch ("image", table, argc - 1, argv + 1);
}
