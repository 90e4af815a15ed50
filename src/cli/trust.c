/* ferry CLI: image trust show|set (the trust policy, policy.h) and image
 * sign (simple signing signatures, signature.h), as Podman has them.  */
#include "columns.h"
#include "commands.h"
#include "common.h"
#include "image/policy.h"
#include "image/pull.h"
#include "image/reference.h"
#include "image/signature.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* compat-trust's block.  */
enum
{
  OPT_TRUST_POLICYPATH = 0x2710,
  OPT_TRUST_REGISTRYPATH,
  OPT_TRUST_RAW,
  OPT_SIGN_SIGN_BY,
};

static const char trust_show_usage[]
    = "Usage: ferry image trust show [options] [REGISTRY]\n\n"
      "Show the image trust policy: a row per requirement of the default and of each\n"
      "scope, with the keys' user IDs and the signature store registries.d names.\n"
      "REGISTRY is accepted and, as by Podman, every scope is shown.\n\n"
      "Options:\n"
      "  -j, --json               print the rows as JSON\n"
      "  -n, --noheading          leave out the heading\n"
      "      --raw                print the policy file as it is\n"
      "      --policypath FILE    the policy file (default ~/.config/containers/policy.json,\n"
      "                           else /etc/containers/policy.json)\n"
      "      --registrypath DIR   the registries.d directory (default\n"
      "                           ~/.config/containers/registries.d, else /etc/containers/registries.d)\n";

static int
trust_show (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "json", no_argument, NULL, 'j' },
                                        { "noheading", no_argument, NULL, 'n' },
                                        { "raw", no_argument, NULL, OPT_TRUST_RAW },
                                        { "policypath", required_argument, NULL, OPT_TRUST_POLICYPATH },
                                        { "registrypath", required_argument, NULL, OPT_TRUST_REGISTRYPATH },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  const char *policy = NULL, *registries_d = NULL;
  cleanup_free char *def = NULL;
  cleanup_json json_object *rows = NULL, *warnings = NULL;
  ferry_error_t err = NULL;
  int json = 0, noheading = 0, raw = 0, c, r;
  size_t i, n;

  while ((c = getopt_long (argc, argv, ":jnh", opts, NULL)) != -1)
    switch (c)
      {
      case 'j':
        json = 1;
        break;
      case 'n':
        noheading = 1;
        break;
      case OPT_TRUST_RAW:
        raw = 1;
        break;
      case OPT_TRUST_POLICYPATH:
        policy = optarg;
        break;
      case OPT_TRUST_REGISTRYPATH:
        registries_d = optarg;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "image trust show", argv, trust_show_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (argc - optind > 1)
    return ferry_cli_failf ("accepts at most 1 arg(s), received %d", argc - optind);
  if (raw)
    {
      cleanup_free char *text = NULL;
      size_t len = 0;
      if (policy == NULL)
        policy = def = ferry_policy_default_path ();
      if (ferry_read_file (policy, &text, &len, &err) < 0)
        return ferry_cli_fail (&err);
      fwrite (text, 1, len, stdout);
      putchar ('\n');
      return 0;
    }
  if (ferry_policy_describe (policy, registries_d, &rows, &warnings, &err) < 0)
    return ferry_cli_fail (&err);
  for (i = 0; i < json_object_array_length (warnings); i++)
    ferry_cli_podman_warnf ("%s", json_object_get_string (json_object_array_get_idx (warnings, i)));
  if (json)
    {
      cleanup_free char *text = ferry_json_to_indented (rows, 2);
      puts (text);
      return 0;
    }
  n = json_object_array_length (rows);
  {
    static const char *const heading[] = { "TRANSPORT", "NAME", "TYPE", "ID", "STORE" };
    size_t first = noheading ? 0 : 1, rows_out = n + first, k;
    char **cells = xmalloc0 (sizeof (char *) * rows_out * 5);

    for (k = 0; k < 5 && first; k++)
      cells[k] = xstrdup (heading[k]);
    for (i = 0; i < n; i++)
      {
        json_object *row = json_object_array_get_idx (rows, i);
        const char *v[5] = { ferry_json_get_string (row, "transport"),
                             ferry_json_get_string (row, "repo_name"), ferry_json_get_string (row, "type"),
                             ferry_json_get_string (row, "gpg_id"), ferry_json_get_string (row, "sigstore") };
        for (k = 0; k < 5; k++)
          cells[(i + first) * 5 + k] = xstrdup (v[k] ? v[k] : "");
      }
    ferry_cli_print_columns (stdout, cells, rows_out, 5);
    for (k = 0; k < rows_out * 5; k++)
      free (cells[k]);
    free (cells);
  }
  return 0;
}

static const char trust_set_usage[]
    = "Usage: ferry image trust set [options] REGISTRY\n\n"
      "Set the trust policy of a registry, repository or namespace (or, as REGISTRY\n"
      "default, the default):\n"
      "the policy file is rewritten (atomically) as Podman writes it.\n\n"
      "Options:\n"
      "  -t, --type TYPE          signedBy (default), accept, reject or sigstoreSigned\n"
      "  -f, --pubkeysfile FILE   a public key to trust, for signedBy and sigstoreSigned\n"
      "                           (repeatable: one requirement per key, and each must hold)\n"
      "      --policypath FILE    the policy file (default ~/.config/containers/policy.json,\n"
      "                           else /etc/containers/policy.json)\n";

/* The check Podman makes of a scope: a host name URL could hold.  */
static int
scope_ok (const char *scope)
{
  const char *p;

  if (*scope == '\0')
    return 0;
  for (p = scope; *p; p++)
    if ((unsigned char) *p <= ' ' || *p == 0x7f || *p == '*')
      return 0;
  return 1;
}

static int
trust_set (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "type", required_argument, NULL, 't' },
                                        { "pubkeysfile", required_argument, NULL, 'f' },
                                        { "policypath", required_argument, NULL, OPT_TRUST_POLICYPATH },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  const char *policy = NULL, *type = "signedBy";
  cleanup_free const char **keys = NULL;
  ferry_error_t err = NULL;
  size_t n_keys = 0;
  int c, r;

  keys = xmalloc0 (sizeof (char *) * (size_t) (argc + 1));
  while ((c = getopt_long (argc, argv, ":t:f:h", opts, NULL)) != -1)
    switch (c)
      {
      case 't':
        type = optarg;
        break;
      case 'f':
        keys[n_keys++] = optarg;
        break;
      case OPT_TRUST_POLICYPATH:
        policy = optarg;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "image trust set", argv, trust_set_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (argc - optind != 1)
    return ferry_cli_failf ("accepts 1 arg(s), received %d", argc - optind);
  if (strcmp (type, "accept") != 0 && strcmp (type, "reject") != 0 && strcmp (type, "signedBy") != 0
      && strcmp (type, "sigstoreSigned") != 0)
    return ferry_cli_failf (
        "invalid choice: %s (choose from 'accept', 'reject', 'signedBy', 'sigstoreSigned')", type);
  if ((strcmp (type, "signedBy") == 0 || strcmp (type, "sigstoreSigned") == 0) && n_keys == 0)
    return ferry_cli_failf ("at least one public key must be defined for type '%s'", type);
  if ((strcmp (type, "accept") == 0 || strcmp (type, "reject") == 0) && n_keys > 0)
    return ferry_cli_failf ("%zu public keys unexpectedly provided for trust type %s", n_keys, type);
  if (! scope_ok (argv[optind]))
    return ferry_cli_failf ("invalid image uri: %s: give a registry, repository or namespace, such as "
                            "quay.io or docker.io/library",
                            argv[optind]);
  if (ferry_policy_set (policy, argv[optind], type, keys, n_keys, &err) < 0)
    return ferry_cli_fail (&err);
  return 0;
}

int
ferry_cmd_image_trust (int argc, char **argv)
{
  static const struct ferry_command table[] = {
    { "set", trust_set, "Set default trust policy or a new trust policy for a registry" },
    { "show", trust_show, "Display trust policy for the system" },
    { NULL, NULL, NULL },
  };

  return ferry_cli_dispatch ("image trust", table, argc - 1, argv + 1);
}

/* ---- image sign ------------------------------------------------------------------------ */

static const char sign_usage[]
    = "Usage: ferry image sign [options] TRANSPORT:IMAGE [TRANSPORT:IMAGE...]\n\n"
      "Sign images with a GnuPG key (simple signing, containers-signature(5)): for\n"
      "docker://IMAGE the manifest the registry serves, for containers-storage:IMAGE\n"
      "(a full name) the one the store keeps.  The signature is written to the\n"
      "lookaside-staging (or lookaside) directory registries.d names for the image, or\n"
      "under --directory.\n\n"
      "Options:\n"
      "      --sign-by KEY        the GnuPG key to sign with (the user's keyring, $GNUPGHOME)\n"
      "  -d, --directory DIR      store the signatures under DIR instead\n"
      "  -a, --all                also sign every image of a manifest list or image "
      "index\n" FERRY_REGISTRY_OPTIONS_HELP;

enum sign_transport
{
  SIGN_DOCKER,
  SIGN_CONTAINERS_STORAGE,
};

/* NAME's transport, and in *REST what follows it; Podman's words (those
 * of containers/image's transport:reference split) for a name without
 * one, or with one ferry cannot sign from.  */
static int
parse_sign_name (const char *name, enum sign_transport *t, const char **rest)
{
  const char *colon = strchr (name, ':');

  if (strncmp (name, "docker://", 9) == 0)
    {
      *t = SIGN_DOCKER;
      *rest = name + 9;
      return 0;
    }
  if (strncmp (name, "containers-storage:", 19) == 0)
    {
      *t = SIGN_CONTAINERS_STORAGE;
      *rest = name + 19;
      return 0;
    }
  if (colon == NULL)
    return ferry_cli_failf ("parsing image name: Invalid image name \"%s\", expected colon-separated "
                            "transport:reference",
                            name);
  return ferry_cli_failf ("parsing image name: Invalid image name \"%s\", unknown transport \"%.*s\"", name,
                          (int) (colon - name), name);
}

/* REST as an image ID (or an abbreviation of one the store knows):
 * refused in Podman's words, as a signature names a repository.  0 when
 * REST is no ID.  */
static int
refuse_stored_id (ferry_store_t *s, const char *rest, ferry_error_t *err)
{
  struct ferry_image *img = NULL;
  size_t n = strlen (rest);
  int known;

  if (n < 3 || n > 64 || strspn (rest, "0123456789abcdef") != n)
    return 0;
  known = ferry_store_lookup (s, rest, &img, err) == 0 && strncmp (img->id, rest, n) == 0;
  ferry_error_release (err);
  if (! known && n != 64)
    {
      ferry_image_free (img);
      return 0;
    }
  ferry_make_error (err, 0,
                    "cannot determine canonical Docker reference for destination "
                    "containers-storage:[overlay@%s+%s]@%s",
                    ferry_global.root, ferry_global.runroot, known ? img->id : rest);
  ferry_image_free (img);
  return -1;
}

/* The manifest (or list) stored in S under REF_STRING, a full name: as
 * Podman's image sign reads a containers-storage: name, with no
 * short-name search.  */
static int
stored_manifest (ferry_store_t *s, const char *ref_string, char **body, size_t *len, char **media_type,
                 char digest[FERRY_DIGEST_LEN + 1], ferry_error_t *err)
{
  cleanup_json json_object *m = NULL;
  struct ferry_image *img = NULL;
  const char *type;

  if (ferry_store_lookup_list (s, ref_string, &img, err) < 0)
    {
      ferry_error_release (err);
      if (ferry_store_lookup (s, ref_string, &img, err) < 0)
        {
          ferry_error_release (err);
          return ferry_make_error (
              err, 0,
              "getting image source: reference \"[overlay@%s+%s]%s\" does not resolve to "
              "an image ID",
              ferry_global.root, ferry_global.runroot, ref_string);
        }
    }
  *body = xstrdup (img->manifest);
  *len = strlen (img->manifest);
  snprintf (digest, FERRY_DIGEST_LEN + 1, "%s", img->manifest_digest);
  ferry_image_free (img);
  m = ferry_json_parse (*body, *len, "the manifest", err);
  if (m == NULL)
    return -1;
  type = ferry_json_get_string (m, "mediaType");
  *media_type = xstrdup (type ? type : "application/vnd.oci.image.manifest.v1+json");
  return 0;
}

static int
sign_one (const char *name, const char *key, const char *directory, int all,
          const struct ferry_transfer_options *o, ferry_error_t *err)
{
  struct ferry_reference ref = { 0 };
  cleanup_free char *body = NULL, *media_type = NULL, *ref_string = NULL;
  cleanup_json json_object *m = NULL;
  cleanup_store ferry_store_t *s = NULL;
  char digest[FERRY_DIGEST_LEN + 1];
  enum sign_transport t;
  const char *rest = NULL;
  size_t len = 0, i;
  int r, ret = -1;

  if (parse_sign_name (name, &t, &rest) != 0)
    return -2;
  if (t == SIGN_CONTAINERS_STORAGE)
    {
      s = ferry_cli_open_store ();
      if (s == NULL)
        return -2;
      if (refuse_stored_id (s, rest, err) < 0)
        return -1;
    }
  if (ferry_reference_parse (rest, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &ref, err) < 0)
    return ferry_error_wrap (err, "parsing image name");
  ref_string = ferry_reference_string (&ref);
  if (t == SIGN_CONTAINERS_STORAGE)
    r = stored_manifest (s, ref_string, &body, &len, &media_type, digest, err);
  else
    r = ferry_image_fetch_manifest (rest, o, &body, &len, &media_type, digest, err);
  if (r < 0)
    {
      ret = r;
      goto out;
    }
  m = ferry_json_parse (body, len, "the manifest", err);
  if (m == NULL)
    goto out;
  if (all)
    {
      json_object *list = ferry_json_get_array (m, "manifests");
      if (list == NULL)
        {
          ferry_make_error (err, 0, "%s is not a multi-architecture image (manifest type %s)", name,
                            media_type);
          goto out;
        }
      for (i = 0; i < json_object_array_length (list); i++)
        {
          const char *d = ferry_json_get_string (json_object_array_get_idx (list, i), "digest");
          if (d && ferry_signature_sign_store (key, NULL, directory, o->registries_d, &ref, d, err) < 0)
            {
              ferry_error_wrap (err, "storing signature for %s, %s", ref_string, d);
              goto out;
            }
        }
    }
  if (ferry_signature_sign_store (key, NULL, directory, o->registries_d, &ref, digest, err) < 0)
    {
      ferry_error_wrap (err, "storing signature for %s, %s", ref_string, digest);
      goto out;
    }
  ret = 0;
out:
  ferry_reference_free (&ref);
  return ret;
}

int
ferry_cmd_image_sign (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        FERRY_REGISTRY_OPTIONS,
                                        { "sign-by", required_argument, NULL, OPT_SIGN_SIGN_BY },
                                        { "directory", required_argument, NULL, 'd' },
                                        { "all", no_argument, NULL, 'a' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  struct ferry_transfer_options o = { 0 };
  const char *key = NULL, *directory = NULL;
  ferry_error_t err = NULL;
  int all = 0, c, r, i;

  ferry_cli_registry_defaults (&o.registry);
  while ((c = getopt_long (argc, argv, ":d:ah", opts, NULL)) != -1)
    {
      r = ferry_cli_registry_option (c, optarg, &o.registry);
      if (r < 0)
        return FERRY_EXIT_ERROR;
      if (r > 0)
        continue;
      switch (c)
        {
        case OPT_SIGN_SIGN_BY:
          key = optarg;
          break;
        case 'd':
          directory = optarg;
          break;
        case 'a':
          all = 1;
          break;
        default:
          r = ferry_cli_parse_or_help (c, "image sign", argv, sign_usage);
          if (r != 0)
            return r > 0 ? 0 : FERRY_EXIT_ERROR;
        }
    }
  if (optind >= argc)
    return ferry_cli_failf ("requires at least 1 arg(s), only received 0");
  if (key == NULL || *key == '\0')
    return ferry_cli_failf ("no identity provided");
  if (directory && access (directory, F_OK) < 0)
    return ferry_cli_failf ("faccessat %s: %s", directory,
                            errno == ENOENT ? "no such file or directory" : strerror (errno));
  for (i = optind; i < argc; i++)
    {
      r = sign_one (argv[i], key, directory, all, &o, &err);
      if (r == -2)
        return FERRY_EXIT_ERROR;
      if (r < 0)
        return ferry_cli_fail (&err);
    }
  return 0;
}
