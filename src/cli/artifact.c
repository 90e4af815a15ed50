/* ferry CLI: artifact, OCI artifacts (files, not images) kept apart from
 * the images, pushed to and pulled from registries, as Podman's.  */
#include "sign.h"
#include "commands.h"
#include "common.h"
#include "template.h"
#include "transfer.h"
#include "image/artifact.h"
#include "image/pull.h"
#include "image/reference.h"
#include "image/retry.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum
{
  OPT_ANNOTATION = OPT_COMMAND_FIRST,
  OPT_TYPE,
  OPT_FORMAT,
  OPT_NO_TRUNC,
  OPT_DIGESTFILE,
};

/* The artifacts of the root, opened after the store (which makes the
 * root).  */
static ferry_artifacts_t *
open_artifacts (bool write)
{
  cleanup_store ferry_store_t *s = ferry_cli_open_store ();
  ferry_artifacts_t *a = NULL;
  ferry_error_t err = NULL;

  if (s == NULL)
    return NULL;
  if (ferry_artifacts_open (ferry_store_root (s), write, &a, &err) < 0)
    {
      ferry_cli_fail (&err);
      return NULL;
    }
  return a;
}

static const char add_usage[]
    = "Usage: ferry artifact add [options] ARTIFACT PATH [PATH...]\n\n"
      "Add an OCI artifact to the local store from the local filesystem: each file a layer,\n"
      "named by its file name.  Prints the artifact's digest.\n\n"
      "Options:\n"
      "      --annotation KEY=VALUE  set an annotation on each layer (repeatable)\n"
      "      --type TYPE             the artifact's type (its manifest's artifactType)\n";

static int
artifact_add (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "annotation", required_argument, NULL, OPT_ANNOTATION },
                                        { "type", required_argument, NULL, OPT_TYPE },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_strv char **annotations = xmalloc0 (sizeof (char *));
  cleanup_free char *name = NULL;
  const char *type = NULL;
  ferry_artifacts_t *a = NULL;
  ferry_error_t err = NULL;
  char digest[FERRY_DIGEST_LEN + 1];
  size_t n = 0;
  int c, r, ret;

  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    switch (c)
      {
      case OPT_ANNOTATION:
        annotations = xrealloc (annotations, sizeof (char *) * (n + 2));
        annotations[n++] = xstrdup (optarg);
        annotations[n] = NULL;
        break;
      case OPT_TYPE:
        type = optarg;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "artifact add", argv, add_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (argc - optind < 2)
    return ferry_cli_failf ("requires at least 2 arg(s), only received %d", argc - optind);
  name = ferry_artifact_name (argv[optind], &err);
  if (name == NULL)
    return ferry_cli_fail (&err);
  a = open_artifacts (true);
  if (a == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_artifacts_add (a, name, argv + optind + 1, (size_t) (argc - optind - 1), type, annotations,
                           digest, &err)
      < 0)
    ret = ferry_cli_fail (&err);
  else
    {
      puts (digest + strlen ("sha256:"));
      ret = 0;
    }
  ferry_artifacts_close (a);
  return ret;
}

static const char ls_usage[]
    = "Usage: ferry artifact ls [options]\n\n"
      "List the OCI artifacts in the local store.\n\n"
      "Options:\n"
      "      --format FORMAT  json, or a Go template per artifact ({{.Repository}} {{.Tag}}\n"
      "                       {{.Digest}} {{.Size}}); \"table TEMPLATE\" adds headings\n"
      "      --no-trunc       do not truncate the digests\n"
      "  -n, --noheading      do not print the column headings\n";

static const struct ferry_cli_column artifact_columns[] = {
  { "Repository", "REPOSITORY" },
  { "Tag", "TAG" },
  { "Digest", "DIGEST" },
  { "Size", "SIZE" },
  { NULL, NULL },
};

static json_object *
artifact_row (const struct ferry_artifact *x, bool no_trunc)
{
  json_object *row = json_object_new_object ();
  struct ferry_reference r;
  ferry_error_t ignored = NULL;
  cleanup_free char *size = ferry_cli_go_human_size (x->size, 4);

  if (ferry_reference_parse (x->name, FERRY_REFERENCE_DEFAULT_LOCALHOST, &r, &ignored) == 0)
    {
      cleanup_free char *repo = ferry_reference_name (&r);

      json_object_object_add (row, "Repository", json_object_new_string (repo));
      json_object_object_add (row, "Tag", json_object_new_string (r.tag ? r.tag : ""));
      ferry_reference_free (&r);
    }
  ferry_error_release (&ignored);
  json_object_object_add (row, "Digest", json_object_new_string_len (x->digest + 7, no_trunc ? 64 : 12));
  json_object_object_add (row, "Size", json_object_new_string (size));
  return row;
}

static int
artifact_ls (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "format", required_argument, NULL, OPT_FORMAT },
                                        { "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
                                        { "noheading", no_argument, NULL, 'n' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_list struct ferry_cli_list out = { 0 };
  const char *format = "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.Size}}";
  ferry_artifacts_t *a;
  ferry_error_t err = NULL;
  bool no_trunc = false;
  int heading = 1, c, r, ret = 0;

  while ((c = getopt_long (argc, argv, ":nh", opts, NULL)) != -1)
    switch (c)
      {
      case OPT_FORMAT:
        format = optarg;
        break;
      case OPT_NO_TRUNC:
        no_trunc = true;
        break;
      case 'n':
        heading = 0;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "artifact ls", argv, ls_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (optind < argc)
    return ferry_cli_failf ("`ferry artifact ls` takes no arguments (got `%s`)", argv[optind]);
  a = open_artifacts (false);
  if (a == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_cli_format_is_json (format))
    {
      cleanup_json json_object *all = json_object_new_array ();

      for (size_t i = 0; i < ferry_artifacts_count (a); i++)
        json_object_array_add (all, artifact_row (ferry_artifacts_at (a, i), no_trunc));
      ferry_cli_print_inspected (all);
    }
  else
    {
      ferry_cli_list_init (&out, format, artifact_columns, heading);
      for (size_t i = 0; i < ferry_artifacts_count (a) && ret == 0; i++)
        {
          cleanup_json json_object *row = artifact_row (ferry_artifacts_at (a, i), no_trunc);

          if (ferry_cli_list_row (&out, row, &err) < 0)
            ret = ferry_cli_fail (&err);
        }
      if (ret == 0 && ferry_cli_list_end (&out, &err) < 0)
        ret = ferry_cli_fail (&err);
    }
  ferry_artifacts_close (a);
  return ret;
}

static const char inspect_usage[] = "Usage: ferry artifact inspect ARTIFACT [ARTIFACT...]\n\n"
                                    "Inspect an OCI artifact: its manifest, name and digest, as JSON.\n";

static int
artifact_inspect (int argc, char **argv)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  ferry_artifacts_t *a;
  ferry_error_t err = NULL;
  int c, r, ret = 0;

  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    {
      r = ferry_cli_parse_or_help (c, "artifact inspect", argv, inspect_usage);
      if (r != 0)
        return r > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (optind >= argc)
    return ferry_cli_failf ("requires at least 1 arg(s), only received 0");
  a = open_artifacts (false);
  if (a == NULL)
    return FERRY_EXIT_ERROR;
  for (int i = optind; i < argc && ret == 0; i++)
    {
      const struct ferry_artifact *x = ferry_artifacts_find (a, argv[i], &err);
      cleanup_json json_object *o = NULL;

      if (x == NULL)
        {
          ret = ferry_cli_fail (&err);
          break;
        }
      o = json_object_new_object ();
      json_object_object_add (o, "Manifest", json_tokener_parse (x->manifest));
      json_object_object_add (o, "Name", json_object_new_string (x->name));
      json_object_object_add (o, "Digest", json_object_new_string (x->digest));
      puts (ferry_json_to_string (o, 1));
    }
  ferry_artifacts_close (a);
  return ret;
}

static const char rm_usage[] = "Usage: ferry artifact rm ARTIFACT\n\n"
                               "Remove an OCI artifact from the local store; prints its digest.\n";

static int
artifact_rm (int argc, char **argv)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  ferry_artifacts_t *a;
  ferry_error_t err = NULL;
  char digest[FERRY_DIGEST_LEN + 1];
  int c, r, ret = 0;

  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    {
      r = ferry_cli_parse_or_help (c, "artifact rm", argv, rm_usage);
      if (r != 0)
        return r > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (argc - optind != 1)
    return ferry_cli_failf ("accepts 1 arg(s), received %d", argc - optind);
  a = open_artifacts (true);
  if (a == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_artifacts_remove (a, argv[optind], digest, &err) < 0)
    ret = ferry_cli_fail (&err);
  else
    puts (digest + strlen ("sha256:"));
  ferry_artifacts_close (a);
  return ret;
}

/* ---- push and pull -------------------------------------------------------------- */

static const char push_usage[]
    = "Usage: ferry artifact push [options] ARTIFACT\n\n"
      "Push an OCI artifact to its registry: its files, its config and its manifest.\n\n"
      "Options:\n" FERRY_REGISTRY_OPTIONS_HELP
      "      --digestfile FILE    write the manifest digest to FILE\n"
      "  -q, --quiet              suppress output information\n" FERRY_PUSH_FLAGS_HELP FERRY_SIGN_FLAGS_HELP;

static const char pull_usage[]
    = "Usage: ferry artifact pull [options] ARTIFACT\n\n"
      "Pull an OCI artifact from its registry; every blob is checked against its digest\n"
      "before the artifact is recorded.\n\n"
      "Options:\n" FERRY_REGISTRY_OPTIONS_HELP
      "  -q, --quiet              suppress output information\n" FERRY_PUSH_FLAGS_HELP
          FERRY_DECRYPTION_KEY_HELP;

struct transfer
{
  ferry_artifacts_t *a;
  const struct ferry_artifact *x; /* push */
  const char *name;               /* pull */
  const struct ferry_transfer_options *o;
  char *digest;
};

static int
push_once (void *arg, ferry_error_t *err)
{
  struct transfer *t = arg;

  free (t->digest);
  t->digest = NULL;
  return ferry_artifact_push (t->x->name, t->o, ferry_artifacts_blob_dir (t->a), t->x->manifest, &t->digest,
                              err);
}

static int
pull_once (void *arg, ferry_error_t *err)
{
  struct transfer *t = arg;
  cleanup_free char *manifest = NULL;
  char digest[FERRY_DIGEST_LEN + 1];

  if (ferry_artifact_fetch (t->name, t->o, ferry_artifacts_blob_dir (t->a), &manifest, digest, err) < 0)
    return -1;
  return ferry_artifacts_record (t->a, t->name, manifest, err);
}

/* push (PUSH) and pull: the same flags.  */
static int
artifact_transfer (int argc, char **argv, bool push)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS,
          FERRY_REGISTRY_OPTIONS,
          FERRY_PUSH_FLAGS,
          { "digestfile", required_argument, NULL, OPT_DIGESTFILE },
          { "decryption-key", required_argument, NULL, OPT_TRANSFER_DECRYPTION_KEY },
          { "quiet", no_argument, NULL, 'q' },
          FERRY_SIGN_FLAGS,
          { "help", no_argument, NULL, 'h' },
          { NULL, 0, NULL, 0 } };
  struct ferry_transfer_options o = { 0 };
  cleanup_transfer_flags struct ferry_cli_transfer_flags tf = { 0 };
  struct transfer t = { .o = &o };
  cleanup_sign_flags struct ferry_cli_sign_flags sf = { 0 };
  cleanup_free char *name = NULL;
  const char *digestfile = NULL;
  ferry_error_t err = NULL;
  int quiet = 0, c, r, ret = 0;

  ferry_cli_registry_defaults (&o.registry);
  if (ferry_cli_transfer_defaults (&tf, &o) < 0)
    return FERRY_EXIT_ERROR;
  while ((c = getopt_long (argc, argv, ":qh", opts, NULL)) != -1)
    {
      if (c == OPT_TRANSFER_DECRYPTION_KEY && push)
        return ferry_cli_failf ("unknown flag: --decryption-key\nSee 'ferry artifact push --help'");
      r = ferry_cli_registry_option (c, optarg, &o.registry);
      if (r == 0)
        r = ferry_cli_transfer_option (c, optarg, &tf, &o);
      if (r == 0 && push)
        r = ferry_cli_sign_option (c, optarg, &sf);
      if (r < 0)
        return FERRY_EXIT_ERROR;
      if (r > 0)
        continue;
      switch (c)
        {
        case OPT_DIGESTFILE:
          if (! push)
            return ferry_cli_failf ("unknown flag: --digestfile\nSee 'ferry artifact pull --help'");
          digestfile = optarg;
          break;
        case 'q':
          quiet = 1;
          break;
        default:
          r = ferry_cli_parse_or_help (c, push ? "artifact push" : "artifact pull", argv,
                                       push ? push_usage : pull_usage);
          if (r != 0)
            return r > 0 ? 0 : FERRY_EXIT_ERROR;
        }
    }
  if (argc - optind != 1)
    return ferry_cli_failf ("accepts 1 arg(s), received %d", argc - optind);
  if (ferry_cli_transfer_finish (&tf, &o) < 0)
    return FERRY_EXIT_ERROR;
  o.progress = ! quiet && isatty (STDERR_FILENO);
  if (ferry_cli_sign_finish (&sf) < 0)
    return FERRY_EXIT_ERROR;
  name = ferry_artifact_name (argv[optind], &err);
  if (name == NULL)
    return ferry_cli_fail (&err);
  t.name = name;
  t.a = open_artifacts (! push);
  if (t.a == NULL)
    return FERRY_EXIT_ERROR;
  if (push && (t.x = ferry_artifacts_find (t.a, argv[optind], &err)) == NULL)
    ret = ferry_cli_fail (&err);
  else if (ferry_retry_run (&o.retry, push ? push_once : pull_once, &t, &err) < 0)
    ret = ferry_cli_fail (&err);
  else if (push && (ret = ferry_cli_sign_pushed (&sf, t.x->name, NULL, t.digest, false, &o)) != 0)
    ;
  else if (digestfile)
    {
      FILE *f = fopen (digestfile, "we");

      if (f == NULL || fprintf (f, "%s", t.digest) < 0 || fclose (f) != 0)
        ret = ferry_cli_failf ("the artifact was pushed, but its digest could not be written to `%s`: %s",
                               digestfile, strerror (errno));
    }
  free (t.digest);
  ferry_cli_sign_flags_free (&sf);
  ferry_artifacts_close (t.a);
  ferry_cli_transfer_flags_free (&tf);
  return ret;
}

static int
artifact_push (int argc, char **argv)
{
  return artifact_transfer (argc, argv, true);
}

static int
artifact_pull (int argc, char **argv)
{
  return artifact_transfer (argc, argv, false);
}

int
ferry_cmd_artifact (int argc, char **argv)
{
  static const struct ferry_command table[] = {
    { "add", artifact_add, "Add an OCI artifact to the local store" },
    { "inspect", artifact_inspect, "Inspect an OCI artifact" },
    { "list", artifact_ls, NULL },
    { "ls", artifact_ls, "List OCI artifacts" },
    { "pull", artifact_pull, "Pull an OCI artifact" },
    { "push", artifact_push, "Push an OCI artifact" },
    { "remove", artifact_rm, NULL },
    { "rm", artifact_rm, "Remove an OCI artifact" },
    { NULL, NULL, NULL },
  };

  return ferry_cli_dispatch ("artifact", table, argc - 1, argv + 1);
}
