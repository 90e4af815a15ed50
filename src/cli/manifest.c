/* ferry CLI: manifest create, add, annotate, inspect, push, remove, rm and
 * exists, as Podman's.  A list is an image of the store (image/store.h);
 * its texts are made by image/manifest_list.h.  */
#include "sign.h"
#include "commands.h"
#include "common.h"
#include "compression.h"
#include "transfer.h"
#include "image/compress.h"
#include "image/convert.h"
#include "image/manifest_list.h"
#include "image/media.h"
#include "image/pull.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum
{
  OPT_MANIFEST_ALL = 0x1f00,
  OPT_MANIFEST_ANNOTATION,
  OPT_MANIFEST_ARCH,
  OPT_MANIFEST_OS,
  OPT_MANIFEST_OS_VERSION,
  OPT_MANIFEST_OS_FEATURES,
  OPT_MANIFEST_VARIANT,
  OPT_MANIFEST_FEATURES,
  OPT_MANIFEST_INDEX,
  OPT_MANIFEST_RM,
  OPT_MANIFEST_DIGESTFILE,
  OPT_MANIFEST_REMOVE_SIGNATURES,
  OPT_MANIFEST_INSECURE,
};

enum
{
  /* compat-manifest2 */
  OPT_MANIFEST_ADD_COMPRESSION = 0x2400,
  OPT_MANIFEST_SUBJECT,
  OPT_MANIFEST_ARTIFACT,
  OPT_MANIFEST_ARTIFACT_TYPE,
  OPT_MANIFEST_ARTIFACT_CONFIG,
  OPT_MANIFEST_ARTIFACT_CONFIG_TYPE,
  OPT_MANIFEST_ARTIFACT_LAYER_TYPE,
  OPT_MANIFEST_ARTIFACT_EXCLUDE_TITLES,
  OPT_MANIFEST_ARTIFACT_SUBJECT,
};

enum
{
  /* up6 */
  OPT_MANIFEST_HIDDEN_INSECURE = 0x5100,
};

/* Podman's hidden --insecure[=BOOL] of manifest create, add, push and
 * inspect, left out of the help as Podman leaves it out.  */
#define MANIFEST_INSECURE_OPTION                                                                             \
  {                                                                                                          \
    "insecure", optional_argument, NULL, OPT_MANIFEST_HIDDEN_INSECURE                                        \
  }

/* What --insecure does to a command: as Podman 5.4 does (checked live),
 * create refuses it beside --tls-verify and otherwise verifies as
 * before; add and push refuse it beside --tls-verify, and else it is
 * the opposite of --tls-verify; inspect lets --tls-verify win.  */
enum insecure_use
{
  INSECURE_ONLY_REFUSED_WITH_TLS_VERIFY,
  INSECURE_REFUSED_WITH_TLS_VERIFY,
  INSECURE_UNLESS_TLS_VERIFY,
};

/* --insecure's value INSECURE (-1: not given) into R, whose tls_verify
 * is -1 when --tls-verify was not given.  */
static int
apply_insecure (int insecure, enum insecure_use use, struct ferry_registry_options *r)
{
  if (insecure < 0)
    return 0;
  if (use != INSECURE_UNLESS_TLS_VERIFY && r->tls_verify != -1)
    return ferry_cli_failf ("--insecure may not be used with --tls-verify");
  if (use != INSECURE_ONLY_REFUSED_WITH_TLS_VERIFY && r->tls_verify == -1)
    r->tls_verify = ! insecure;
  return 0;
}

/* --annotation K=V into OBJ; Podman's words for a bad one.  */
static int
add_annotation (json_object *obj, const char *arg)
{
  const char *eq = strchr (arg, '=');
  cleanup_free char *key = NULL;

  if (eq == NULL || eq == arg)
    return ferry_cli_failf ("no value given for annotation \"%s\"", arg);
  key = xstrndup (arg, eq - arg);
  json_object_object_add (obj, key, json_object_new_string (eq + 1));
  return 0;
}

/* JSON as Podman prints it: indented by four spaces a level.  */
static void
print_json (json_object *obj)
{
  const char *text = json_object_to_json_string_ext (obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                                                              | JSON_C_TO_STRING_NOSLASHESCAPE);
  const char *line = text;

  /* json-c indents by two; a newline never occurs inside a string.  */
  while (*line)
    {
      size_t indent = strspn (line, " "), len = strcspn (line, "\n");

      printf ("%*s%.*s\n", (int) (2 * indent), "", (int) (len - indent), line + indent);
      line += len;
      if (*line == '\n')
        line++;
    }
}

/* ---- create --------------------------------------------------------------------- */

static const char create_usage[]
    = "Usage: ferry manifest create [options] LIST [IMAGE...]\n\n"
      "Create a manifest list (an image index) named LIST, holding the IMAGEs given, and\n"
      "print its ID.  An IMAGE not in the store is pulled from its registry first.\n\n"
      "Options:\n"
      "      --all                of an IMAGE that is itself a list, add every image\n"
      "  -a, --amend              change the list LIST when it exists already\n"
      "      --annotation K=V     set an annotation on the list (repeatable)\n" FERRY_REGISTRY_OPTIONS_HELP;

static int
manifest_create (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        FERRY_REGISTRY_OPTIONS,
                                        { "all", no_argument, NULL, OPT_MANIFEST_ALL },
                                        { "amend", no_argument, NULL, 'a' },
                                        { "annotation", required_argument, NULL, OPT_MANIFEST_ANNOTATION },
                                        MANIFEST_INSECURE_OPTION,
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_store ferry_store_t *s = NULL;
  cleanup_json json_object *annotations = json_object_new_object ();
  cleanup_strv char **digests = NULL;
  cleanup_free char *id = NULL, *name = NULL;
  struct ferry_transfer_options o = { 0 };
  struct ferry_reference r;
  ferry_error_t err = NULL;
  bool all = false, amend = false;
  int c, i, rc, insecure = -1;

  ferry_cli_registry_defaults (&o.registry);
  while ((c = getopt_long (argc, argv, ":ah", opts, NULL)) != -1)
    {
      rc = ferry_cli_registry_option (c, optarg, &o.registry);
      if (rc < 0)
        return FERRY_EXIT_ERROR;
      if (rc > 0)
        continue;
      switch (c)
        {
        case OPT_MANIFEST_ALL:
          all = true;
          break;
        case 'a':
          amend = true;
          break;
        case OPT_MANIFEST_ANNOTATION:
          if (add_annotation (annotations, optarg) != 0)
            return FERRY_EXIT_ERROR;
          break;
        case OPT_MANIFEST_HIDDEN_INSECURE:
          if (ferry_cli_go_bool ("--insecure", optarg, "manifest create", &insecure) < 0)
            return FERRY_EXIT_ERROR;
          break;
        default:
          rc = ferry_cli_parse_or_help (c, "manifest create", argv, create_usage);
          if (rc != 0)
            return rc > 0 ? 0 : FERRY_EXIT_ERROR;
        }
    }
  if (argc - optind < 1)
    return ferry_cli_failf ("requires at least 1 arg(s), only received 0");
  if (apply_insecure (insecure, INSECURE_ONLY_REFUSED_WITH_TLS_VERIFY, &o.registry) != 0)
    return FERRY_EXIT_ERROR;
  if (ferry_reference_parse (argv[optind], FERRY_REFERENCE_DEFAULT_LOCALHOST, &r, &err) < 0)
    return ferry_cli_fail (&err);
  if (r.digest)
    {
      ferry_reference_free (&r);
      return ferry_cli_failf ("%s: a list's name takes a tag, not a digest", argv[optind]);
    }
  name = ferry_reference_string (&r);
  ferry_reference_free (&r);
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  for (i = optind + 1; i < argc; i++)
    if (ferry_manifest_images_to_add (s, argv[i], all, &o, &digests, NULL, &err) < 0)
      return ferry_cli_fail (&err);
  if (ferry_manifest_list_create (s, name, digests, annotations, amend, &id, &err) < 0)
    return ferry_cli_fail (&err);
  puts (id);
  return 0;
}

/* ---- add and annotate ---------------------------------------------------------- */

struct platform_flags
{
  struct ferry_list_platform p;
  json_object *annotations;
  bool all, index;
};

/* 1: OPT was one of the platform flags; 0: not; -1: bad (error printed).  */
static int
platform_option (int opt, const char *arg, struct platform_flags *f)
{
  switch (opt)
    {
    case OPT_MANIFEST_ANNOTATION:
      if (f->annotations == NULL)
        f->annotations = json_object_new_object ();
      return add_annotation (f->annotations, arg) == 0 ? 1 : -1;
    case OPT_MANIFEST_ARCH:
      f->p.arch = arg;
      return 1;
    case OPT_MANIFEST_OS:
      f->p.os = arg;
      return 1;
    case OPT_MANIFEST_OS_VERSION:
      f->p.os_version = arg;
      return 1;
    case OPT_MANIFEST_VARIANT:
      f->p.variant = arg;
      return 1;
    case OPT_MANIFEST_FEATURES:
      ferry_strv_add (&f->p.features, arg);
      return 1;
    case OPT_MANIFEST_OS_FEATURES:
      ferry_strv_add (&f->p.os_features, arg);
      return 1;
    default:
      return 0;
    }
}

static void
platform_flags_free (struct platform_flags *f)
{
  ferry_cleanup_strvp (&f->p.features);
  ferry_cleanup_strvp (&f->p.os_features);
  json_object_put (f->annotations);
}

#define PLATFORM_OPTIONS                                                                                     \
  { "annotation", required_argument, NULL, OPT_MANIFEST_ANNOTATION },                                        \
      { "arch", required_argument, NULL, OPT_MANIFEST_ARCH },                                                \
      { "os", required_argument, NULL, OPT_MANIFEST_OS },                                                    \
      { "os-version", required_argument, NULL, OPT_MANIFEST_OS_VERSION },                                    \
      { "os-features", required_argument, NULL, OPT_MANIFEST_OS_FEATURES },                                  \
      { "variant", required_argument, NULL, OPT_MANIFEST_VARIANT },                                          \
  {                                                                                                          \
    "features", required_argument, NULL, OPT_MANIFEST_FEATURES                                               \
  }

#define PLATFORM_OPTIONS_HELP                                                                                \
  "      --annotation K=V     set an annotation on the image's entry (repeatable)\n"                         \
  "      --arch ARCH          the architecture the entry records (default: the image's)\n"                   \
  "      --os OS              the OS the entry records (default: the image's)\n"                             \
  "      --os-version V       the OS version the entry records\n"                                            \
  "      --os-features F      an OS feature the entry records (repeatable)\n"                                \
  "      --variant VARIANT    the architecture variant the entry records (v7, v8, ...)\n"                    \
  "      --features F         a feature the entry records (repeatable)\n"

static const char add_usage[]
    = "Usage: ferry manifest add [options] LIST IMAGE\n"
      "       ferry manifest add [options] --artifact LIST FILE [FILE...]\n\n"
      "Add IMAGE to the manifest list LIST and print the list's ID.  IMAGE is an image\n"
      "of the store, or else (or with docker://) one of a registry, which is pulled\n"
      "into the store so that a push of the list can send it.  With --artifact, add an\n"
      "artifact manifest whose layers are the FILEs (read again when the list is pushed).\n\n"
      "Options:\n"
      "      --all                of an IMAGE that is itself a list, add every image\n"
      "      --artifact           add the arguments as the files of an artifact\n"
      "      --artifact-config FILE  the artifact's config: FILE's bytes (default: empty)\n"
      "      --artifact-config-type TYPE  the config's media type\n"
      "      --artifact-exclude-titles  no org.opencontainers.image.title annotation on\n"
      "                           the layers\n"
      "      --artifact-layer-type TYPE  every layer's media type (default: each file's)\n"
      "      --artifact-subject IMAGE  the list's subject, an image or list of the store\n"
      "      --artifact-type TYPE  the artifact's artifactType (default\n"
      "                           application/vnd.unknown.artifact.v1)\n" PLATFORM_OPTIONS_HELP
          FERRY_REGISTRY_OPTIONS_HELP;

/* What --artifact-* options name, for Podman's message when --artifact is
 * missing.  */
static const char *
artifact_option_name (int c)
{
  switch (c)
    {
    case OPT_MANIFEST_ARTIFACT_TYPE:
      return "--artifact-type";
    case OPT_MANIFEST_ARTIFACT_CONFIG:
      return "--artifact-config";
    case OPT_MANIFEST_ARTIFACT_CONFIG_TYPE:
      return "--artifact-config-type";
    case OPT_MANIFEST_ARTIFACT_LAYER_TYPE:
      return "--artifact-layer-type";
    case OPT_MANIFEST_ARTIFACT_EXCLUDE_TITLES:
      return "--artifact-exclude-titles";
    case OPT_MANIFEST_ARTIFACT_SUBJECT:
      return "--artifact-subject";
    default:
      return NULL;
    }
}

static int
manifest_add (int argc, char **argv)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS,
          FERRY_REGISTRY_OPTIONS,
          PLATFORM_OPTIONS,
          { "all", no_argument, NULL, OPT_MANIFEST_ALL },
          { "artifact", no_argument, NULL, OPT_MANIFEST_ARTIFACT },
          { "artifact-type", required_argument, NULL, OPT_MANIFEST_ARTIFACT_TYPE },
          { "artifact-config", required_argument, NULL, OPT_MANIFEST_ARTIFACT_CONFIG },
          { "artifact-config-type", required_argument, NULL, OPT_MANIFEST_ARTIFACT_CONFIG_TYPE },
          { "artifact-layer-type", required_argument, NULL, OPT_MANIFEST_ARTIFACT_LAYER_TYPE },
          { "artifact-exclude-titles", no_argument, NULL, OPT_MANIFEST_ARTIFACT_EXCLUDE_TITLES },
          { "artifact-subject", required_argument, NULL, OPT_MANIFEST_ARTIFACT_SUBJECT },
          MANIFEST_INSECURE_OPTION,
          { "help", no_argument, NULL, 'h' },
          { NULL, 0, NULL, 0 } };
  struct ferry_list_artifact art = { 0 };
  const char *artifact_flag = NULL, *artifact_subject = NULL;
  cleanup_json json_object *subject = NULL;
  bool artifact = false;
  cleanup_store ferry_store_t *s = NULL;
  cleanup_strv char **digests = NULL;
  cleanup_json json_object *marks = NULL;
  struct ferry_transfer_options o = { 0 };
  struct platform_flags f = { 0 };
  struct ferry_image *list = NULL;
  cleanup_free char *id = NULL;
  ferry_error_t err = NULL;
  int c, rc, ret = FERRY_EXIT_ERROR, insecure = -1;

  ferry_cli_registry_defaults (&o.registry);
  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    {
      rc = ferry_cli_registry_option (c, optarg, &o.registry);
      if (rc == 0)
        rc = platform_option (c, optarg, &f);
      if (rc == 0 && c == OPT_MANIFEST_HIDDEN_INSECURE)
        rc = ferry_cli_go_bool ("--insecure", optarg, "manifest add", &insecure) < 0 ? -1 : 1;
      if (rc < 0)
        goto out;
      if (rc > 0)
        continue;
      if (c == OPT_MANIFEST_ALL)
        {
          f.all = true;
          continue;
        }
      if (artifact_option_name (c))
        artifact_flag = artifact_option_name (c);
      switch (c)
        {
        case OPT_MANIFEST_ARTIFACT:
          artifact = true;
          continue;
        case OPT_MANIFEST_ARTIFACT_TYPE:
          art.type = optarg;
          continue;
        case OPT_MANIFEST_ARTIFACT_CONFIG:
          art.config = optarg;
          continue;
        case OPT_MANIFEST_ARTIFACT_CONFIG_TYPE:
          art.config_type = optarg;
          continue;
        case OPT_MANIFEST_ARTIFACT_LAYER_TYPE:
          art.layer_type = optarg;
          continue;
        case OPT_MANIFEST_ARTIFACT_EXCLUDE_TITLES:
          art.exclude_titles = true;
          continue;
        case OPT_MANIFEST_ARTIFACT_SUBJECT:
          artifact_subject = optarg;
          continue;
        default:
          break;
        }
      rc = ferry_cli_parse_or_help (c, "manifest add", argv, add_usage);
      if (rc != 0)
        {
          ret = rc > 0 ? 0 : FERRY_EXIT_ERROR;
          goto out;
        }
    }
  /* --annotation goes on the entry added, as Podman's does.  */
  f.p.annotations = f.annotations;
  if (artifact_flag && ! artifact)
    {
      ret = ferry_cli_failf ("%s requires --artifact", artifact_flag);
      goto out;
    }
  if (argc - optind < 2)
    {
      ret = ferry_cli_failf ("requires at least 2 arg(s), only received %d", argc - optind);
      goto out;
    }
  if (apply_insecure (insecure, INSECURE_REFUSED_WITH_TLS_VERIFY, &o.registry) != 0)
    goto out;
  /* Podman takes several images at once; ferry one (several artifacts'
   * files with --artifact).  */
  if (! artifact && argc - optind != 2)
    {
      ret = ferry_cli_failf ("accepts 2 arg(s), received %d: add one image at a time", argc - optind);
      goto out;
    }
  s = ferry_cli_open_store ();
  if (s == NULL)
    goto out;
  /* The list first: no pull for a list that is not there.  */
  if (ferry_store_lookup_list (s, argv[optind], &list, &err) < 0)
    {
      ret = ferry_cli_fail (&err);
      goto out;
    }
  id = xstrdup (list->id);
  ferry_image_free (list);
  if (artifact)
    {
      art.files = argv + optind + 1;
      if ((artifact_subject && (subject = ferry_manifest_subject (s, artifact_subject, &err)) == NULL)
          || ferry_manifest_list_add_artifact (s, id, &art, &f.p, subject, &err) < 0)
        {
          ret = ferry_cli_fail (&err);
          goto out;
        }
      puts (id);
      ret = 0;
      goto out;
    }
  marks = json_object_new_object ();
  if (ferry_manifest_images_to_add (s, argv[optind + 1], f.all, &o, &digests, marks, &err) < 0
      || ferry_manifest_list_add_stored (s, id, digests, &f.p, NULL, marks, &err) < 0)
    {
      ret = ferry_cli_fail (&err);
      goto out;
    }
  puts (id);
  ret = 0;

out:
  platform_flags_free (&f);
  return ret;
}

struct annotate_request
{
  const char *digest;
  struct platform_flags *f;
  json_object *subject; /* --subject's descriptor, or NULL */
};

static char *
edit_annotate (ferry_store_t *s, const struct ferry_image *list, void *arg, ferry_error_t *err)
{
  struct annotate_request *a = arg;

  (void) s;
  if (a->subject)
    {
      cleanup_free char *text
          = ferry_manifest_list_annotate (list->manifest, NULL, &a->f->p, a->f->annotations, err);
      return text ? ferry_manifest_list_set_subject (text, a->subject, err) : NULL;
    }
  if (a->f->index)
    return ferry_manifest_list_annotate (list->manifest, NULL, &a->f->p, a->f->annotations, err);
  a->f->p.annotations = a->f->annotations;
  return ferry_manifest_list_annotate (list->manifest, a->digest, &a->f->p, NULL, err);
}

static const char annotate_usage[]
    = "Usage: ferry manifest annotate [options] LIST [DIGEST]\n\n"
      "Change what the manifest list LIST records of its image DIGEST (a manifest digest,\n"
      "as `manifest inspect` shows), or with --index of the list itself, and print the\n"
      "list's ID.\n\n"
      "Options:\n" PLATFORM_OPTIONS_HELP
      "      --index              --annotation sets annotations of the list itself\n"
      "      --subject IMAGE      with --index: make the image or list IMAGE of the store\n"
      "                           the subject of the list\n";

static int
manifest_annotate (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        PLATFORM_OPTIONS,
                                        { "index", no_argument, NULL, OPT_MANIFEST_INDEX },
                                        { "subject", required_argument, NULL, OPT_MANIFEST_SUBJECT },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_store ferry_store_t *s = NULL;
  struct platform_flags f = { 0 };
  struct ferry_image *list = NULL;
  cleanup_json json_object *subject = NULL;
  const char *subject_ref = NULL;
  ferry_error_t err = NULL;
  int c, rc, ret = FERRY_EXIT_ERROR;

  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    {
      rc = platform_option (c, optarg, &f);
      if (rc < 0)
        goto out;
      if (rc > 0)
        continue;
      if (c == OPT_MANIFEST_INDEX)
        {
          f.index = true;
          continue;
        }
      if (c == OPT_MANIFEST_SUBJECT)
        {
          subject_ref = optarg;
          continue;
        }
      rc = ferry_cli_parse_or_help (c, "manifest annotate", argv, annotate_usage);
      if (rc != 0)
        {
          ret = rc > 0 ? 0 : FERRY_EXIT_ERROR;
          goto out;
        }
    }
  /* Podman's words: the subject is the list's, never an image's.  */
  if (subject_ref && argc - optind == 2)
    {
      ret = ferry_cli_failf ("setting subject for a manifest list requires no instance digest");
      goto out;
    }
  if (subject_ref && ! f.index && argc - optind == 1)
    {
      ret = ferry_cli_failf ("expected an instance digest, image name, or artifact name");
      goto out;
    }
  if (argc - optind != (f.index ? 1 : 2) && argc - optind != 2)
    {
      ret = ferry_cli_failf ("accepts between 1 and 2 arg(s), received %d", argc - optind);
      goto out;
    }
  if (! f.index && argc - optind != 2)
    {
      ret = ferry_cli_failf ("\"annotate\" requires a manifest list and an image or artifact name");
      goto out;
    }
  if (argc - optind == 2 && ! ferry_digest_is_valid (argv[optind + 1]))
    {
      ret = ferry_cli_failf ("%s: not a manifest digest: give the image's digest as `ferry manifest inspect "
                             "%s` shows it",
                             argv[optind + 1], argv[optind]);
      goto out;
    }
  s = ferry_cli_open_store ();
  if (s == NULL)
    goto out;
  /* The list first: Podman names a missing list before a missing subject.  */
  if (subject_ref)
    {
      if (ferry_store_lookup_list (s, argv[optind], &list, &err) < 0)
        {
          ret = ferry_cli_fail (&err);
          goto out;
        }
      ferry_image_free (list);
      list = NULL;
      subject = ferry_manifest_subject (s, subject_ref, &err);
      if (subject == NULL)
        {
          ret = ferry_cli_fail (&err);
          goto out;
        }
    }
  {
    struct annotate_request a = { argc - optind == 2 ? argv[optind + 1] : NULL, &f, subject };
    if (ferry_store_edit_list (s, argv[optind], edit_annotate, &a, &err) < 0
        || ferry_store_lookup_list (s, argv[optind], &list, &err) < 0)
      {
        ret = ferry_cli_fail (&err);
        goto out;
      }
  }
  puts (list->id);
  ferry_image_free (list);
  ret = 0;

out:
  platform_flags_free (&f);
  return ret;
}

/* TEXT (LEN bytes) as Go's %q writes it: in double quotes, with Go's
 * escapes for quotes, backslashes and control characters.  Freshly
 * allocated.  */
static char *
go_quoted (const char *text, size_t len)
{
  static const char named[] = "\a\b\t\n\v\f\r";
  static const char letters[] = "abtnvfr";
  char *out = NULL;
  size_t size = 0;
  FILE *m = open_memstream (&out, &size);

  fputc ('"', m);
  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char) text[i];
      const char *at = c ? strchr (named, c) : NULL;

      if (c == '"' || c == '\\')
        fprintf (m, "\\%c", c);
      else if (at)
        fprintf (m, "\\%c", letters[at - named]);
      else if (c < 0x20 || c == 0x7f)
        fprintf (m, "\\x%02x", c);
      else
        fputc (c, m);
    }
  fputc ('"', m);
  fclose (m);
  return out;
}

/* ---- inspect -------------------------------------------------------------------- */

static const char inspect_usage[]
    = "Usage: ferry manifest inspect [options] LIST\n\n"
      "Print the manifest list LIST as JSON: a list of the store, or else the manifest\n"
      "list a registry holds under that name (an image's manifest is refused, as by\n"
      "Podman).\n\n"
      "Options:\n" FERRY_REGISTRY_OPTIONS_HELP;

static int
manifest_inspect (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        FERRY_REGISTRY_OPTIONS,
                                        MANIFEST_INSECURE_OPTION,
                                        { "verbose", optional_argument, NULL, 'v' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_store ferry_store_t *s = NULL;
  cleanup_json json_object *shown = NULL;
  cleanup_free char *body = NULL, *media_type = NULL;
  struct ferry_transfer_options o = { 0 };
  struct ferry_image *list = NULL;
  char digest[FERRY_DIGEST_LEN + 1];
  ferry_error_t err = NULL;
  size_t len;
  int c, rc, insecure = -1, verbose;

  ferry_cli_registry_defaults (&o.registry);
  while ((c = getopt_long (argc, argv, ":v::h", opts, NULL)) != -1)
    {
      rc = ferry_cli_registry_option (c, optarg, &o.registry);
      /* -v, --verbose: Podman's, hidden, for Docker's scripts; it changes
       * nothing.  */
      if (rc == 0 && c == 'v')
        rc = ferry_cli_go_bool ("-v, --verbose", optarg, "manifest inspect", &verbose) < 0 ? -1 : 1;
      if (rc == 0 && c == OPT_MANIFEST_HIDDEN_INSECURE)
        rc = ferry_cli_go_bool ("--insecure", optarg, "manifest inspect", &insecure) < 0 ? -1 : 1;
      if (rc < 0)
        return FERRY_EXIT_ERROR;
      if (rc > 0)
        continue;
      rc = ferry_cli_parse_or_help (c, "manifest inspect", argv, inspect_usage);
      if (rc != 0)
        return rc > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (argc - optind != 1)
    return ferry_cli_failf ("accepts 1 arg(s), received %d", argc - optind);
  apply_insecure (insecure, INSECURE_UNLESS_TLS_VERIFY, &o.registry);
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  if (strncmp (argv[optind], "docker://", 9) != 0
      && ferry_store_lookup_list (s, argv[optind], &list, &err) == 0)
    {
      shown = ferry_manifest_list_inspect (list->manifest, &err);
      ferry_image_free (list);
      if (shown == NULL)
        return ferry_cli_fail (&err);
      print_json (shown);
      return 0;
    }
  ferry_error_release (&err);
  /* Not a list here: the registry's, as Podman looks for it.  */
  if (ferry_image_fetch_manifest (argv[optind], &o, &body, &len, &media_type, digest, &err) < 0)
    return ferry_cli_fail (&err);
  /* An image's manifest is not a list: Podman refuses it so.  */
  if (media_type && ferry_media_is_manifest (media_type))
    {
      cleanup_free char *quoted = go_quoted (body, len);
      return ferry_cli_failf (
          "parsing manifest blob %s as a \"%s\": Treating single images as manifest lists "
          "is not implemented",
          quoted, media_type);
    }
  /* A list is shown as Podman shows it, in its own order of the
   * entries' members, whatever order the registry's bytes have (as they
   * are when ferry's checks of a list refuse it).  */
  if (media_type && ferry_media_is_index (media_type))
    {
      cleanup_free char *text = xstrndup (body, len);
      shown = ferry_manifest_list_inspect (text, &err);
      ferry_error_release (&err);
    }
  if (shown == NULL)
    shown = ferry_json_parse (body, len, "manifest", &err);
  if (shown == NULL)
    return ferry_cli_fail (&err);
  print_json (shown);
  return 0;
}

/* ---- push ----------------------------------------------------------------------- */

static const char push_usage[]
    = "Usage: ferry manifest push [options] LIST [DESTINATION]\n\n"
      "Push the manifest list LIST, and first every image it lists, to DESTINATION\n"
      "([docker://]REGISTRY/REPOSITORY:TAG; default: LIST's own name).  The images\n"
      "must be in the store.\n\n"
      "Options:\n"
      "      --all[=BOOL]         push the images the list names too (default true)\n"
      "      --digestfile FILE    write the list's digest to FILE\n"
      "  -f, --format FORMAT      the list's type at the destination, oci or v2s2 (or\n"
      "                           docker, the same; the images are converted too;\n"
      "                           default: as stored)\n"
      "      --remove-signatures  accepted: ferry copies no signatures\n"
      "      --rm                 remove LIST from the store once pushed\n"
      "  -q, --quiet              no progress lines on standard error (bars on a terminal,\n"
      "                           else Podman's lines)\n" FERRY_SIGN_FLAGS_HELP
      "      --add-compression FORMAT[,FORMAT]  also push, for each platform that has\n"
      "                           none in FORMAT (gzip or zstd), a copy of its image\n"
      "                           with every layer in FORMAT, and list it\n" FERRY_COMPRESSION_FLAGS_HELP
          FERRY_REGISTRY_OPTIONS_HELP FERRY_PUSH_FLAGS_HELP;

/* --add-compression's FORMAT[,FORMAT...] into O->add_compression, each
 * once, in the order given; Podman's words for one it has no compressor
 * for.  */
static int
add_compression (const char *arg, struct ferry_transfer_options *o)
{
  cleanup_free char *copy = xstrdup (arg);
  char *save = NULL, *name;

  for (name = strtok_r (copy, ",", &save); name; name = strtok_r (NULL, ",", &save))
    {
      enum ferry_compression c;
      ferry_error_t err = NULL;
      size_t k;

      if (strcmp (name, "zstd:chunked") == 0)
        return ferry_cli_failf ("--add-compression zstd:chunked: ferry does not write zstd:chunked "
                                "layers; use zstd");
      if (ferry_compression_parse (name, &c, &err) < 0 || c == FERRY_COMPRESSION_NONE)
        {
          ferry_error_release (&err);
          return ferry_cli_failf (
              "requested algorithm %s is not supported for replication: cannot find compressor for \"%s\"",
              name, name);
        }
      for (k = 0; k < 2 && o->add_compression[k] != FERRY_COMPRESSION_NONE && o->add_compression[k] != c; k++)
        ;
      if (k < 2)
        o->add_compression[k] = c;
    }
  return 0;
}

static int
manifest_push (int argc, char **argv)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS,
          FERRY_REGISTRY_OPTIONS,
          FERRY_PUSH_FLAGS,
          FERRY_COMPRESSION_FLAGS,
          { "add-compression", required_argument, NULL, OPT_MANIFEST_ADD_COMPRESSION },
          { "all", optional_argument, NULL, OPT_MANIFEST_ALL },
          { "digestfile", required_argument, NULL, OPT_MANIFEST_DIGESTFILE },
          { "format", required_argument, NULL, 'f' },
          { "remove-signatures", no_argument, NULL, OPT_MANIFEST_REMOVE_SIGNATURES },
          { "rm", no_argument, NULL, OPT_MANIFEST_RM },
          { "quiet", no_argument, NULL, 'q' },
          FERRY_SIGN_FLAGS,
          MANIFEST_INSECURE_OPTION,
          { "help", no_argument, NULL, 'h' },
          { NULL, 0, NULL, 0 } };
  cleanup_store ferry_store_t *s = NULL;
  struct ferry_transfer_options o = { 0 };
  cleanup_transfer_flags struct ferry_cli_transfer_flags tf = { 0 };
  struct ferry_cli_compression_flags cf = { .force = -1 };
  cleanup_free char *digest = NULL;
  cleanup_sign_flags struct ferry_cli_sign_flags sf = { 0 };
  const char *digestfile = NULL;
  ferry_error_t err = NULL;
  bool all = true, rm = false, quiet = false;
  int c, rc, insecure = -1;

  ferry_cli_registry_defaults (&o.registry);
  if (ferry_cli_transfer_defaults (&tf, &o) < 0)
    return FERRY_EXIT_ERROR;
  while ((c = getopt_long (argc, argv, ":f:qh", opts, NULL)) != -1)
    {
      rc = ferry_cli_registry_option (c, optarg, &o.registry);
      if (rc == 0)
        rc = ferry_cli_transfer_option (c, optarg, &tf, &o);
      if (rc == 0)
        rc = ferry_cli_compression_option (c, optarg, &cf);
      if (rc == 0)
        rc = ferry_cli_sign_option (c, optarg, &sf);
      if (rc < 0)
        return FERRY_EXIT_ERROR;
      if (rc > 0)
        continue;
      switch (c)
        {
        case OPT_MANIFEST_ADD_COMPRESSION:
          if (add_compression (optarg, &o) != 0)
            return FERRY_EXIT_ERROR;
          break;
        case OPT_MANIFEST_ALL:
          if (optarg == NULL || strcmp (optarg, "true") == 0)
            all = true;
          else if (strcmp (optarg, "false") == 0)
            all = false;
          else
            return ferry_cli_failf ("invalid argument \"%s\" for \"--all\" flag: give true or false", optarg);
          break;
        case OPT_MANIFEST_DIGESTFILE:
          digestfile = optarg;
          break;
        case 'f':
          if (ferry_manifest_format_parse (optarg, &o.format, &err) < 0)
            return ferry_cli_fail (&err);
          break;
        case OPT_MANIFEST_REMOVE_SIGNATURES:
          break;
        case OPT_MANIFEST_RM:
          rm = true;
          break;
        case 'q':
          quiet = true;
          break;
        case OPT_MANIFEST_HIDDEN_INSECURE:
          if (ferry_cli_go_bool ("--insecure", optarg, "manifest push", &insecure) < 0)
            return FERRY_EXIT_ERROR;
          break;
        default:
          rc = ferry_cli_parse_or_help (c, "manifest push", argv, push_usage);
          if (rc != 0)
            return rc > 0 ? 0 : FERRY_EXIT_ERROR;
        }
    }
  if (argc - optind < 1 || argc - optind > 2)
    return ferry_cli_failf ("accepts between 1 and 2 arg(s), received %d", argc - optind);
  if (apply_insecure (insecure, INSECURE_REFUSED_WITH_TLS_VERIFY, &o.registry) != 0)
    return FERRY_EXIT_ERROR;
  if (ferry_cli_compression_finish (&cf, &o) < 0)
    return FERRY_EXIT_ERROR;
  o.progress = ferry_cli_progress_mode (quiet);
  if (ferry_cli_sign_finish (&sf) < 0)
    return FERRY_EXIT_ERROR;
  s = ferry_cli_open_store ();
  if (s == NULL)
    {
      ferry_cli_sign_flags_free (&sf);
      return FERRY_EXIT_ERROR;
    }
  if (ferry_image_push_list (s, argv[optind], argc - optind == 2 ? argv[optind + 1] : NULL, all, &o, &digest,
                             &err)
      < 0)
    {
      ferry_cli_sign_flags_free (&sf);
      return ferry_cli_fail (&err);
    }
  {
    rc = ferry_cli_sign_pushed (&sf, argc - optind == 2 ? argv[optind + 1] : NULL, argv[optind], digest, all,
                                &o);
    ferry_cli_sign_flags_free (&sf);
    if (rc != 0)
      return rc;
  }
  if (digestfile)
    {
      FILE *fp = fopen (digestfile, "we");

      if (fp == NULL || fprintf (fp, "%s", digest) < 0 || fclose (fp) != 0)
        return ferry_cli_failf ("the list was pushed, but its digest could not be written to `%s`: %s",
                                digestfile, strerror (errno));
    }
  if (rm)
    {
      struct ferry_remove_report report;

      if (ferry_store_remove (s, argv[optind], 1, &report, &err) < 0)
        return ferry_cli_fail (&err);
      ferry_remove_report_free (&report);
    }
  /* Podman prints nothing on standard output: --digestfile tells.  */
  return 0;
}

/* ---- remove, rm, exists --------------------------------------------------------- */

static const char remove_usage[]
    = "Usage: ferry manifest remove LIST DIGEST\n\n"
      "Remove the image DIGEST (a manifest digest) from the manifest list LIST,\n"
      "and print the list's ID.  The image itself stays in the store.\n";

static char *
edit_remove (ferry_store_t *s, const struct ferry_image *list, void *arg, ferry_error_t *err)
{
  (void) s;
  return ferry_manifest_list_remove (list->manifest, arg, err);
}

static int
manifest_remove (int argc, char **argv)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  cleanup_store ferry_store_t *s = NULL;
  struct ferry_image *list = NULL;
  ferry_error_t err = NULL;
  int c, rc;

  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    {
      rc = ferry_cli_parse_or_help (c, "manifest remove", argv, remove_usage);
      if (rc != 0)
        return rc > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (argc - optind != 2)
    return ferry_cli_failf ("accepts 2 arg(s), received %d", argc - optind);
  if (! ferry_digest_is_valid (argv[optind + 1]))
    return ferry_cli_failf ("removing from manifest list %s: invalid image digest \"%s\": invalid checksum "
                            "digest format: give the image's "
                            "manifest digest as `ferry manifest inspect %s` shows it",
                            argv[optind], argv[optind + 1], argv[optind]);
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_store_edit_list (s, argv[optind], edit_remove, argv[optind + 1], &err) < 0)
    {
      if (err->kind != FERRY_ERROR_NOT_FOUND || strstr (err->msg, "image not known") == NULL)
        ferry_error_wrap (&err, "removing from manifest list %s", argv[optind]);
      return ferry_cli_fail (&err);
    }
  if (ferry_store_lookup_list (s, argv[optind], &list, &err) < 0)
    return ferry_cli_fail (&err);
  puts (list->id);
  ferry_image_free (list);
  return 0;
}

static const char rm_usage[] = "Usage: ferry manifest rm [options] LIST...\n\n"
                               "Remove manifest lists from the store (the images they list stay).\n\n"
                               "Options:\n"
                               "  -i, --ignore             a LIST that does not exist is no error\n";

static int
manifest_rm (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "ignore", no_argument, NULL, 'i' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_store ferry_store_t *s = NULL;
  cleanup_strv char **untagged = xmalloc0 (sizeof (char *));
  cleanup_strv char **deleted = xmalloc0 (sizeof (char *));
  ferry_error_t first = NULL;
  bool ignore = false;
  int c, rc, i, ret = 0;

  while ((c = getopt_long (argc, argv, ":ih", opts, NULL)) != -1)
    {
      if (c == 'i')
        {
          ignore = true;
          continue;
        }
      rc = ferry_cli_parse_or_help (c, "manifest rm", argv, rm_usage);
      if (rc != 0)
        return rc > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (argc - optind < 1)
    return ferry_cli_failf ("requires at least 1 arg(s), only received 0");
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  for (i = optind; i < argc; i++)
    {
      struct ferry_remove_report report;
      struct ferry_image *list = NULL;
      ferry_error_t err = NULL;
      size_t k;

      if (ferry_store_lookup_list (s, argv[i], &list, &err) == 0)
        {
          ferry_image_free (list);
          if (ferry_store_remove (s, argv[i], 1, &report, &err) == 0)
            {
              /* Podman says what it untagged, then what it deleted.  */
              for (k = 0; report.untagged[k]; k++)
                ferry_strv_add (&untagged, report.untagged[k]);
              if (report.deleted)
                ferry_strv_add (&deleted, report.deleted);
              ferry_remove_report_free (&report);
              continue;
            }
        }
      if (ignore && err->kind == FERRY_ERROR_NOT_FOUND)
        {
          ferry_error_release (&err);
          continue;
        }
      /* Podman: 1 when only missing lists failed, 125 otherwise.  */
      if (err->kind != FERRY_ERROR_NOT_FOUND)
        ret = FERRY_EXIT_ERROR;
      else if (ret == 0)
        ret = 1;
      if (first == NULL)
        first = steal_pointer (&err);
      else
        {
          fflush (stdout);
          ferry_error_fputs (err->msg, stderr);
          fputc ('\n', stderr);
          ferry_error_release (&err);
        }
    }
  for (i = 0; untagged[i]; i++)
    printf ("Untagged: %s\n", untagged[i]);
  for (i = 0; deleted[i]; i++)
    printf ("Deleted: %s\n", deleted[i]);
  if (first)
    {
      fflush (stdout);
      fputs ("Error: ", stderr);
      ferry_error_fputs (first->msg, stderr);
      fputc ('\n', stderr);
      ferry_error_release (&first);
    }
  return ret;
}

static const char exists_usage[] = "Usage: ferry manifest exists LIST\n\n"
                                   "Exit 0 when the manifest list LIST is in the store, 1 when it is not.\n";

static int
manifest_exists (int argc, char **argv)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  cleanup_store ferry_store_t *s = NULL;
  struct ferry_image *list = NULL;
  ferry_error_t err = NULL;
  int c, rc;

  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    {
      rc = ferry_cli_parse_or_help (c, "manifest exists", argv, exists_usage);
      if (rc != 0)
        return rc > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (argc - optind != 1)
    return ferry_cli_failf ("accepts 1 arg(s), received %d", argc - optind);
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_store_lookup_list (s, argv[optind], &list, &err) == 0)
    {
      ferry_image_free (list);
      return 0;
    }
  if (err->kind == FERRY_ERROR_NOT_FOUND)
    {
      ferry_error_release (&err);
      return 1;
    }
  return ferry_cli_fail (&err);
}

int
ferry_cmd_manifest (int argc, char **argv)
{
  static const struct ferry_command table[] = {
    { "add", manifest_add, "Add images to a manifest list or image index" },
    { "annotate", manifest_annotate,
      "Add or update information about an entry in a manifest list or image index" },
    { "create", manifest_create, "Create manifest list or image index" },
    { "exists", manifest_exists, "Check if a manifest list exists in local storage" },
    { "inspect", manifest_inspect, "Display the contents of a manifest list or image index" },
    { "push", manifest_push, "Push a manifest list or image index to a registry" },
    { "remove", manifest_remove, "Remove an item from a manifest list or image index" },
    { "rm", manifest_rm, "Remove manifest list or image index from local storage" },
    { NULL, NULL, NULL },
  };

  return ferry_cli_dispatch ("manifest", table, argc - 1, argv + 1);
}
