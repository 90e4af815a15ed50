/* ferry pull, push, login, logout.  */
#include "commands.h"
#include "common.h"
#include "compression.h"
#include "sign.h"
#include "transfer.h"
#include "engine/secret.h"
#include "image/auth.h"
#include "image/convert.h"
#include "image/policy.h"
#include "image/pull.h"
#include "image/registries.h"
#include "image/reference.h"
#include "image/registry.h"
#include "image/transport.h"
#include "image/signature.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum
{
  OPT_PLATFORM = OPT_COMMAND_FIRST,
  OPT_DIGESTFILE,
  OPT_PASSWORD_STDIN,
  OPT_GET_LOGIN,
  OPT_REMOVE_SIGNATURES,
  OPT_COMPAT_AUTH_FILE,
  OPT_LOGIN_SECRET,
};

/* compat-transports' options.  */
enum
{
  OPT_PUSH_COMPRESS = 0x2000,
};

static const char pull_usage[]
    = "Usage: ferry pull [options] IMAGE\n\n"
      "Pull an image from a registry: IMAGE is [docker://]REGISTRY/REPOSITORY[:TAG|@DIGEST].\n"
      "Or from a file, as Podman's transports name one: oci-archive:PATH[:REF],\n"
      "oci:DIR[:REF], docker-archive:PATH[:REF|:@N], dir:DIR; containers-storage:IMAGE is\n"
      "ferry's own store.  Prints the image ID.\n\n"
      "Options:\n"
      "  -a, --all-tags           pull every tag the repository lists (IMAGE's own tag is\n"
      "                           ignored), printing each image ID\n" FERRY_REGISTRY_OPTIONS_HELP
      "      --platform OS/ARCH[/VARIANT]  the platform to choose from a multi-platform image\n"
      "                           (default linux/<this host's architecture>)\n" FERRY_PULL_FLAGS_HELP
      "  -q, --quiet              no progress lines on standard error (bars on a terminal,\n"
      "                           else a line per blob, as Podman's)\n";

/* pull --all-tags: an ID a line for each tag pulled, even when a later
 * one fails.  */
static int
pull_all_tags (ferry_store_t *s, const char *ref, const struct ferry_transfer_options *o,
               struct ferry_cli_transfer_flags *tf)
{
  cleanup_strv char **ids = NULL;
  ferry_error_t err = NULL;
  int r = ferry_image_pull_all_tags (s, ref, o, &ids, &err);

  ferry_cli_transfer_flags_free (tf);
  for (size_t i = 0; ids && ids[i]; i++)
    {
      ferry_cli_event ("image", "pull", ids[i], ref);
      printf ("%s\n", ids[i]);
    }
  return r < 0 ? ferry_cli_fail (&err) : 0;
}

/* pull TRANSPORT:...: an ID a line per image copied.  */
static int
pull_transport (ferry_store_t *s, const char *arg, bool say)
{
  struct ferry_transport_ref src;
  cleanup_strv char **ids = NULL;
  ferry_error_t err = NULL;
  int r;

  if (ferry_transport_parse (arg, &src, &err) < 0)
    return ferry_cli_fail (&err);
  r = ferry_transport_pull (s, &src, say, &ids, &err);
  ferry_transport_ref_free (&src);
  if (r < 0)
    return ferry_cli_fail (&err);
  for (size_t i = 0; ids[i]; i++)
    {
      ferry_cli_event ("image", "pull", ids[i], arg);
      printf ("%s\n", ids[i]);
    }
  return 0;
}

int
ferry_cmd_pull (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        FERRY_REGISTRY_OPTIONS,
                                        { "platform", required_argument, NULL, OPT_PLATFORM },
                                        FERRY_PULL_FLAGS,
                                        { "all-tags", no_argument, NULL, 'a' },
                                        { "quiet", no_argument, NULL, 'q' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_store ferry_store_t *s = NULL;
  struct ferry_transfer_options o = { 0 };
  cleanup_transfer_flags struct ferry_cli_transfer_flags tf = { 0 };
  cleanup_free char *id = NULL;
  ferry_error_t err = NULL;
  int quiet = 0, all_tags = 0, c, r;

  ferry_cli_registry_defaults (&o.registry);
  if (ferry_cli_transfer_defaults (&tf, &o) < 0)
    return FERRY_EXIT_ERROR;
  while ((c = getopt_long (argc, argv, ":aqh", opts, NULL)) != -1)
    {
      r = ferry_cli_registry_option (c, optarg, &o.registry);
      if (r == 0)
        r = ferry_cli_transfer_option (c, optarg, &tf, &o);
      if (r < 0)
        return FERRY_EXIT_ERROR;
      if (r > 0)
        continue;
      switch (c)
        {
        case OPT_PLATFORM:
          o.platform = optarg;
          break;
        case 'a':
          all_tags = 1;
          break;
        case 'q':
          quiet = 1;
          break;
        default:
          r = ferry_cli_parse_or_help (c, "pull", argv, pull_usage);
          if (r != 0)
            return r > 0 ? 0 : FERRY_EXIT_ERROR;
        }
    }
  /* Podman's cobra words, then ferry's: one image a pull.  */
  if (argc - optind < 1)
    return ferry_cli_failf ("requires at least 1 arg(s), only received 0");
  if (argc - optind != 1)
    return ferry_cli_failf ("ferry pull takes one image reference (see 'ferry pull --help')");
  if (ferry_cli_transfer_finish (&tf, &o) < 0)
    return FERRY_EXIT_ERROR;
  o.progress = ferry_cli_progress_mode (quiet);
  s = ferry_cli_open_store ();
  if (s == NULL)
    {
      ferry_cli_transfer_flags_free (&tf);
      return FERRY_EXIT_ERROR;
    }
  if (ferry_transport_is_prefixed (argv[optind]) && strncmp (argv[optind], "docker://", 9) != 0)
    {
      if (o.decryption_keys)
        {
          ferry_cli_transfer_flags_free (&tf);
          return ferry_cli_failf (
              "--decryption-key: ferry decrypts layers pulled from a registry (docker://), "
              "not from %s",
              argv[optind]);
        }
      ferry_cli_transfer_flags_free (&tf);
      if (all_tags)
        return ferry_cli_failf ("--all-tags is only for images from a registry (docker://), not %s",
                                argv[optind]);
      return pull_transport (s, argv[optind], ! quiet);
    }
  if (all_tags)
    return pull_all_tags (s, argv[optind], &o, &tf);
  r = ferry_image_pull (s, argv[optind], &o, &id, &err);
  ferry_cli_transfer_flags_free (&tf);
  if (r < 0)
    return ferry_cli_fail (&err);
  ferry_cli_event ("image", "pull", id, argv[optind]);
  printf ("%s\n", id);
  return 0;
}

static const char push_usage[]
    = "Usage: ferry push [options] IMAGE [DESTINATION]\n\n"
      "Push an image to a registry: DESTINATION is [docker://]REGISTRY/REPOSITORY[:TAG]\n"
      "(default: IMAGE's own name).  Compressed layers go as stored and uncompressed\n"
      "ones are compressed, so an image pulled or loaded keeps its digest; the image\n"
      "ID always stays.  Or to a file, as Podman's transports name one:\n"
      "oci-archive:PATH[:REF], oci:DIR[:REF] (added to a layout there), docker-archive:PATH[:REF],\n"
      "dir:DIR; containers-storage:NAME tags it in ferry's own store.\n\n"
      "Options:\n" FERRY_REGISTRY_OPTIONS_HELP FERRY_COMPRESSION_FLAGS_HELP
      "      --digestfile FILE    write the manifest digest to FILE\n"
      "  -f, --format FORMAT      the manifest's schema at the destination: oci or v2s2\n"
      "                           (or docker, the same; default: as stored; another\n"
      "                           changes its digest)\n"
      "      --remove-signatures  accepted: ferry copies no signatures, so there are none\n"
      "                           to remove\n" FERRY_PUSH_FLAGS_HELP FERRY_ENCRYPT_FLAGS_HELP
      "      --compress           gzip the layers written to a dir: destination\n"
      "  -q, --quiet              no progress lines on standard error (bars on a terminal,\n"
      "                           else a line per blob, as Podman's)\n" FERRY_SIGN_FLAGS_HELP
      "      --signature-policy FILE  the trust policy instead of the default one: as by\n"
      "                           Podman it must be valid, and does not judge local images\n";

static int
write_digestfile (const char *digestfile, const char *digest)
{
  FILE *f = fopen (digestfile, "we");

  if (f == NULL || fprintf (f, "%s", digest) < 0 || fclose (f) != 0)
    return ferry_cli_failf ("the image was pushed, but its digest could not be written to `%s`: %s",
                            digestfile, strerror (errno));
  return 0;
}

/* push IMAGE TRANSPORT:...  */
/* The ID Podman's push event names: the image (or list) pushed, "" when
 * it is no longer found.  */
static void
push_event (ferry_store_t *s, const char *image, const char *dest)
{
  struct ferry_image *img = NULL;
  cleanup_error ferry_error_t err = NULL;

  if (ferry_store_lookup_list (s, image, &img, &err) < 0)
    {
      ferry_error_release (&err);
      if (ferry_store_lookup (s, image, &img, &err) < 0)
        img = NULL;
    }
  ferry_cli_event ("image", "push", img ? img->id : NULL, dest);
  ferry_image_free (img);
}

static int
push_transport (ferry_store_t *s, const char *image, const char *arg, bool say, bool compress,
                const char *digestfile)
{
  struct ferry_transport_ref dest;
  cleanup_free char *digest = NULL;
  ferry_error_t err = NULL;
  int r;

  if (ferry_transport_parse (arg, &dest, &err) < 0)
    return ferry_cli_fail (&err);
  r = ferry_transport_push (s, image, &dest, say, compress, &digest, &err);
  ferry_transport_ref_free (&dest);
  if (r < 0)
    return ferry_cli_fail (&err);
  push_event (s, image, arg);
  return digestfile ? write_digestfile (digestfile, digest) : 0;
}

int
ferry_cmd_push (int argc, char **argv)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS,
          FERRY_REGISTRY_OPTIONS,
          { "digestfile", required_argument, NULL, OPT_DIGESTFILE },
          FERRY_PUSH_FLAGS,
          FERRY_ENCRYPT_FLAGS,
          FERRY_COMPRESSION_FLAGS,
          { "remove-signatures", no_argument, NULL, OPT_REMOVE_SIGNATURES },
          { "compress", no_argument, NULL, OPT_PUSH_COMPRESS },
          { "format", required_argument, NULL, 'f' },
          { "quiet", no_argument, NULL, 'q' },
          FERRY_SIGN_FLAGS,
          { "signature-policy", required_argument, NULL, OPT_TRANSFER_SIGNATURE_POLICY },
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
  int quiet = 0, compress = 0, c, r;

  ferry_cli_registry_defaults (&o.registry);
  if (ferry_cli_transfer_defaults (&tf, &o) < 0)
    return FERRY_EXIT_ERROR;
  while ((c = getopt_long (argc, argv, ":f:qh", opts, NULL)) != -1)
    {
      r = ferry_cli_registry_option (c, optarg, &o.registry);
      if (r == 0)
        r = ferry_cli_transfer_option (c, optarg, &tf, &o);
      if (r == 0)
        r = ferry_cli_compression_option (c, optarg, &cf);
      if (r == 0)
        r = ferry_cli_sign_option (c, optarg, &sf);
      if (r < 0)
        return FERRY_EXIT_ERROR;
      if (r > 0)
        continue;
      switch (c)
        {
        case OPT_DIGESTFILE:
          digestfile = optarg;
          break;
        case OPT_REMOVE_SIGNATURES:
          break;
        case OPT_PUSH_COMPRESS:
          compress = 1;
          break;
        case 'f':
          if (ferry_manifest_format_parse (optarg, &o.format, &err) < 0)
            return ferry_cli_fail (&err);
          break;
        case 'q':
          quiet = 1;
          break;
        default:
          r = ferry_cli_parse_or_help (c, "push", argv, push_usage);
          if (r != 0)
            return r > 0 ? 0 : FERRY_EXIT_ERROR;
        }
    }
  if (argc - optind < 1 || argc - optind > 2)
    return ferry_cli_failf ("accepts between 1 and 2 arg(s), received %d: ferry push takes an image and an "
                            "optional destination",
                            argc - optind);
  if (ferry_cli_compression_finish (&cf, &o) < 0)
    return FERRY_EXIT_ERROR;
  o.progress = ferry_cli_progress_mode (quiet);
  if (ferry_cli_sign_finish (&sf) < 0)
    return FERRY_EXIT_ERROR;
  {
    /* Podman reads the policy on a push too, and refuses an invalid one,
     * though it does not judge an image from local storage.  */
    ferry_policy_t *policy = NULL;
    if (ferry_policy_load (o.signature_policy, &policy, &err) < 0)
      return ferry_cli_fail (&err);
    ferry_policy_free (policy);
  }
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  if (argc - optind == 2 && ferry_transport_is_prefixed (argv[optind + 1])
      && strncmp (argv[optind + 1], "docker://", 9) != 0)
    {
      bool signing = sf.sign_by || sf.sigstore_key_path || sf.sigstore_params_path;
      ferry_cli_sign_flags_free (&sf);
      if (signing)
        return ferry_cli_failf ("cannot sign %s: ferry signs images pushed to a registry (docker://) only",
                                argv[optind + 1]);
      if (o.encryption_keys)
        return ferry_cli_failf (
            "--encryption-key: ferry encrypts layers on a push to a registry (docker://), "
            "not to %s",
            argv[optind + 1]);
      return push_transport (s, argv[optind], argv[optind + 1], ! quiet, compress, digestfile);
    }
  {
    /* A manifest list goes with its images, as Podman pushes one.  */
    struct ferry_image *list = NULL;
    const char *dest = argc - optind == 2 ? argv[optind + 1] : NULL;
    bool is_list = ferry_store_lookup_list (s, argv[optind], &list, &err) == 0;

    if (is_list)
      {
        ferry_image_free (list);
        if (o.encryption_keys)
          {
            ferry_cli_transfer_flags_free (&tf);
            return ferry_cli_failf ("%s is a manifest list: ferry encrypts the layers of an image, not of a "
                                    "list; push its images one by one with --encryption-key",
                                    argv[optind]);
          }
        r = ferry_image_push_list (s, argv[optind], dest, 1, &o, &digest, &err);
      }
    else
      {
        ferry_error_release (&err);
        r = ferry_image_push (s, argv[optind], dest, &o, &digest, &err);
      }
    ferry_cli_transfer_flags_free (&tf);
    if (r < 0)
      {
        ferry_cli_sign_flags_free (&sf);
        return ferry_cli_fail (&err);
      }
    r = ferry_cli_sign_pushed (&sf, dest, argv[optind], digest, is_list, &o);
    ferry_cli_sign_flags_free (&sf);
    if (r != 0)
      return r;
  }
  push_event (s, argv[optind], argc - optind == 2 ? argv[optind + 1] : argv[optind]);
  return digestfile ? write_digestfile (digestfile, digest) : 0;
}

/* The auth-file key login and logout use for ARG, as Podman takes it: a
 * URL ("https://host:port/v2/") stands for its host:port, anything else
 * for itself ("reg", "reg/ns", "reg/ns/repo"), which must then be a
 * repository name without a tag or digest.  NULL when it is not (said, in
 * Podman's words).  */
static char *
credentials_key (const char *arg)
{
  const char *p = arg, *path;

  if (strncmp (p, "https://", 8) == 0 || strncmp (p, "http://", 7) == 0)
    {
      p += p[4] == 's' ? 8 : 7;
      return xstrndup (p, strcspn (p, "/?#"));
    }
  if (strncmp (p, "docker://", 9) == 0)
    p += 9;
  path = strchr (p, '/');
  if (path == NULL)
    return xstrdup (p);
  if (strchr (p, '@') || strchr (path, ':'))
    {
      ferry_cli_failf ("reference \"%s\" contains tag or digest: give the repository without it", p);
      return NULL;
    }
  for (const char *c = path + 1; *c; c++)
    if (*c >= 'A' && *c <= 'Z')
      {
        ferry_cli_failf ("parse reference from \"%s\": invalid reference format: repository name must be "
                         "lowercase",
                         p);
        return NULL;
      }
  if (path == p || path[1] == '\0' || strstr (path, "//") || p[strlen (p) - 1] == '/'
      || path[strspn (path, "abcdefghijklmnopqrstuvwxyz0123456789._-/")] != '\0')
    {
      ferry_cli_failf ("parse reference from \"%s\": invalid reference format: give REGISTRY[/NAMESPACE...]",
                       p);
      return NULL;
    }
  return xstrdup (p);
}

/* The registry login or logout is for: the argument, else the first
 * unqualified-search registry of registries.conf, as Podman takes it.
 * NULL when there is none (said, with FIX after Podman's words).  */
static char *
registry_argument (int argc, char **argv, const char *fix)
{
  const struct ferry_registries_conf *c;
  ferry_error_t err = NULL;

  if (argc - optind == 1)
    return credentials_key (argv[optind]);
  if (ferry_registries_conf_get (&c, &err) < 0)
    {
      ferry_cli_fail (&err);
      return NULL;
    }
  if (c->search && c->search[0])
    return xstrdup (c->search[0]);
  ferry_cli_failf ("no registries found in registries.conf, a registry must be provided: %s", fix);
  return NULL;
}

static char *
read_password_stdin (void)
{
  char *line = NULL;
  size_t cap = 0;
  ssize_t n = getline (&line, &cap, stdin);

  if (n < 0)
    {
      free (line);
      return NULL;
    }
  while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
    line[--n] = '\0';
  return line;
}

static const char login_usage[]
    = "Usage: ferry login [options] [REGISTRY[/NAMESPACE...]]\n\n"
      "Check credentials with a registry and keep them in the auth file, for the registry or\n"
      "for one namespace or repository of it.\n\n"
      "Options:\n"
      "  -u, --username USER      the user name\n"
      "  -p, --password PASS      the password (prefer --password-stdin)\n"
      "      --password-stdin     read the password from standard input\n"
      "      --tls-verify[=BOOL]  verify the registry's TLS certificate (default true); false also\n"
      "                           allows plain HTTP\n"
      "      --cert-dir DIR       trust the CA certificates (*.crt) in DIR for the registry's TLS\n"
      "      --authfile PATH      the auth file (default $REGISTRY_AUTH_FILE, else\n"
      "                           $DOCKER_CONFIG/config.json, else\n"
      "                           $XDG_RUNTIME_DIR/containers/auth.json, else /run/containers/0/auth.json)\n"
      "      --compat-auth-file PATH  keep them in PATH instead, a Docker-compatible file\n"
      "                           (~/.docker/config.json's format; not with --authfile)\n"
      "      --get-login          print the user name the auth file holds for REGISTRY (no\n"
      "                           check with the registry)\n"
      "      --secret NAME        the password is the data of ferry's secret NAME (and the\n"
      "                           user name NAME, unless -u gives one)\n"
      "  -v, --verbose            also print the auth file used\n";

/* --compat-auth-file with --authfile, in Podman's words.  */
static int
both_auth_files (void)
{
  return ferry_cli_failf ("options for paths to the credential file and to the Docker-compatible credential "
                          "file can not be set simultaneously");
}

static int
not_accessible (const char *path)
{
  return ferry_cli_failf ("credential file is not accessible: faccessat %s: %s", path,
                          errno == ENOENT ? "no such file or directory" : strerror (errno));
}

/* --secret NAME: its data, as login's password.  */
static char *
secret_password (const char *name)
{
  cleanup_engine ferry_engine_t *e = ferry_cli_open_engine ();
  struct ferry_secret *s = NULL;
  ferry_error_t err = NULL;
  char *data = NULL;
  size_t len = 0;

  if (e == NULL)
    return NULL;
  if (ferry_secret_lookup (e, name, &s, &err) < 0 || ferry_secret_data (e, s->id, &data, &len, &err) < 0)
    {
      ferry_secret_free (s);
      ferry_cli_fail (&err);
      return NULL;
    }
  ferry_secret_free (s);
  if (memchr (data, '\0', len))
    {
      explicit_bzero (data, len);
      free (data);
      ferry_cli_failf ("secret %s holds a NUL byte: a password cannot", name);
      return NULL;
    }
  return data;
}

/* --get-login: the user name kept for REGISTRY, without asking it.  */
static int
print_login (const char *path, int flags, const char *registry)
{
  struct ferry_credentials creds = { 0 };
  ferry_error_t err = NULL;
  int r = ferry_auth_get (path, flags, registry, &creds, NULL, &err);

  if (r < 0)
    {
      ferry_error_wrap (&err, "get credentials");
      return ferry_cli_fail (&err);
    }
  if (r == 0)
    return ferry_cli_failf ("not logged into %s", registry);
  printf ("%s\n", creds.username);
  ferry_credentials_clear (&creds);
  return 0;
}

int
ferry_cmd_login (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        FERRY_REGISTRY_OPTIONS,
                                        { "username", required_argument, NULL, 'u' },
                                        { "password", required_argument, NULL, 'p' },
                                        { "password-stdin", no_argument, NULL, OPT_PASSWORD_STDIN },
                                        { "get-login", no_argument, NULL, OPT_GET_LOGIN },
                                        { "compat-auth-file", required_argument, NULL, OPT_COMPAT_AUTH_FILE },
                                        { "secret", required_argument, NULL, OPT_LOGIN_SECRET },
                                        { "verbose", no_argument, NULL, 'v' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  struct ferry_registry_options ro;
  struct ferry_credentials creds = { 0 };
  cleanup_free char *registry = NULL, *host = NULL, *path = NULL, *joined = NULL, *stdin_password = NULL,
                    *where = NULL, *config_file = NULL;
  const char *username = NULL, *password = NULL, *compat = NULL, *secret = NULL;
  ferry_registry_t *reg = NULL;
  ferry_error_t err = NULL;
  int from_stdin = 0, get_login = 0, verbose = 0, authfile_given = 0, flags, c, r, ret;

  ferry_cli_registry_defaults (&ro);
  while ((c = getopt_long (argc, argv, ":u:p:vh", opts, NULL)) != -1)
    {
      if (c == OPT_REGISTRY_CREDS)
        return ferry_cli_failf ("ferry login takes -u USER and -p PASS (or --password-stdin), not --creds");
      if (c == OPT_REGISTRY_AUTHFILE)
        {
          /* A login makes the file: not there yet is fine.  */
          authfile_given = 1;
          ro.authfile = optarg;
          continue;
        }
      r = ferry_cli_registry_option (c, optarg, &ro);
      if (r < 0)
        return FERRY_EXIT_ERROR;
      if (r > 0)
        continue;
      switch (c)
        {
        case 'u':
          username = optarg;
          break;
        case 'p':
          password = optarg;
          break;
        case OPT_PASSWORD_STDIN:
          from_stdin = 1;
          break;
        case OPT_GET_LOGIN:
          get_login = 1;
          break;
        case OPT_COMPAT_AUTH_FILE:
          compat = optarg;
          break;
        case OPT_LOGIN_SECRET:
          secret = optarg;
          break;
        case 'v':
          verbose = 1;
          break;
        default:
          r = ferry_cli_parse_or_help (c, "login", argv, login_usage);
          if (r != 0)
            return r > 0 ? 0 : FERRY_EXIT_ERROR;
        }
    }
  if (argc - optind > 1)
    return ferry_cli_failf ("accepts at most 1 arg(s), received %d: ferry login takes one registry",
                            argc - optind);
  registry = registry_argument (argc, argv, "give one (ferry login REGISTRY)");
  if (registry == NULL)
    return FERRY_EXIT_ERROR;
  if (*registry == '\0')
    return ferry_cli_failf ("`%s` names no registry", argv[optind]);
  /* REGISTRY is the auth-file key, HOST the registry that checks it.  */
  host = ferry_auth_key_host (registry);
  if (compat && authfile_given)
    return both_auth_files ();
  if (! compat && (config_file = ferry_auth_config_file (ro.authfile)))
    ro.authfile = config_file;
  flags = compat                                     ? FERRY_AUTH_FILE_ONLY
          : ferry_auth_file_is_default (ro.authfile) ? FERRY_AUTH_DEFAULT_FILE
                                                     : 0;
  if (secret && password)
    return ferry_cli_failf ("--secret can not be used with --password options");
  if (get_login)
    {
      path = compat ? xstrdup (compat) : ferry_auth_file_path (ro.authfile);
      return print_login (path, flags, registry);
    }
  if (secret && from_stdin)
    return ferry_cli_failf ("Can't specify both --password-stdin and --password");
  if (from_stdin && password)
    return ferry_cli_failf ("Can't specify both --password-stdin and --password");
  if (secret)
    {
      stdin_password = secret_password (secret);
      if (stdin_password == NULL)
        return FERRY_EXIT_ERROR;
      password = stdin_password;
      if (username == NULL)
        username = secret;
    }
  if (from_stdin)
    {
      stdin_password = read_password_stdin ();
      if (stdin_password == NULL)
        return ferry_cli_failf ("--password-stdin: nothing to read on standard input");
      password = stdin_password;
    }
  path = compat ? xstrdup (compat) : ferry_auth_file_path (ro.authfile);
  /* What is kept already, as Podman looks before it logs in: a credential
   * helper that fails stops the login.  */
  r = ferry_auth_get (path, flags, registry, &creds, NULL, &err);
  if (r < 0)
    {
      ferry_error_wrap (&err, "get credentials");
      return ferry_cli_fail (&err);
    }
  /* Podman logs in with a user name and password only, and does not
   * replace a kept identity token with them.  */
  if (r > 0 && creds.identity_token)
    {
      ferry_credentials_clear (&creds);
      return ferry_cli_failf ("currently logged in, auth file contains an Identity token: `ferry logout %s` "
                              "removes it",
                              registry);
    }
  if (username == NULL && password == NULL)
    {
      /* Already logged in?  Check what is kept.  */
      if (r == 0)
        return ferry_cli_failf ("getting username and password: ferry login %s does not prompt: give the "
                                "user name with -u and the password with -p or --password-stdin",
                                registry);
      printf ("Authenticating with existing credentials for %s\n", registry);
      fflush (stdout);
      /* The credentials found for the key (maybe a namespace's), not the
       * registry's own.  */
      joined = xasprintf ("%s:%s", creds.username, creds.password);
      ro.creds = *creds.username ? joined : NULL;
      ro.identity_token = creds.identity_token;
      ro.creds_origin = "the auth file";
      r = ferry_registry_open (host, &ro, &reg, &err) < 0 || ferry_registry_check_login (reg, &err) < 0;
      ferry_credentials_clear (&creds);
      ferry_registry_close (reg);
      explicit_bzero (joined, strlen (joined));
      if (r && err->kind == FERRY_ERROR_UNAUTHORIZED)
        {
          /* Podman's lines; it would then prompt, which ferry never does.  */
          ferry_error_release (&err);
          printf ("Existing credentials are invalid, please enter valid username and password\n");
          fflush (stdout);
          return ferry_cli_failf ("getting username and password: ferry login %s does not prompt: give the "
                                  "user name with -u and the password with -p or --password-stdin",
                                  registry);
        }
      if (r)
        return ferry_cli_fail (&err);
      printf ("Existing credentials are valid. Already logged in to %s\n", host);
      return 0;
    }
  ferry_credentials_clear (&creds);
  if (username == NULL || *username == '\0' || password == NULL)
    return ferry_cli_failf ("getting username and password: ferry login %s does not prompt: give both "
                            "the user name (-u) and the password (-p or --password-stdin)",
                            registry);
  if (strchr (username, ':'))
    return ferry_cli_failf ("a user name cannot hold `:`");
  joined = xasprintf ("%s:%s", username, password);
  ro.creds = joined;
  ro.creds_origin = "-u/-p";
  if (ferry_registry_open (host, &ro, &reg, &err) < 0)
    {
      explicit_bzero (joined, strlen (joined));
      ferry_error_wrap (&err, "authenticating creds for \"%s\"", registry);
      return ferry_cli_fail (&err);
    }
  if (ferry_registry_check_login (reg, &err) < 0)
    {
      ferry_registry_close (reg);
      explicit_bzero (joined, strlen (joined));
      /* Podman's words, and the exit code of every other failure.  */
      if (err->kind == FERRY_ERROR_UNAUTHORIZED)
        {
          ferry_error_release (&err);
          return ferry_cli_failf ("logging into \"%s\": invalid username/password", registry);
        }
      ferry_error_wrap (&err, "authenticating creds for \"%s\"", registry);
      return ferry_cli_fail (&err);
    }
  ferry_registry_close (reg);
  if (! compat && ferry_auth_check_writable_default (ro.authfile, &err) < 0)
    {
      explicit_bzero (joined, strlen (joined));
      return ferry_cli_fail (&err);
    }
  creds.username = xstrdup (username);
  creds.password = xstrdup (password);
  ret = ferry_auth_set (path, flags & FERRY_AUTH_FILE_ONLY, registry, &creds, &where, &err);
  ferry_credentials_clear (&creds);
  explicit_bzero (joined, strlen (joined));
  if (ret < 0)
    return ferry_cli_fail (&err);
  if (verbose)
    printf ("Used:  %s\n", where);
  printf ("Login Succeeded!\n");
  return 0;
}

static const char logout_usage[]
    = "Usage: ferry logout [options] [REGISTRY[/NAMESPACE...]]\n"
      "       ferry logout -a\n\n"
      "Remove a registry's credentials from the auth file.\n\n"
      "Options:\n"
      "  -a, --all                remove every registry's credentials\n"
      "      --authfile PATH      the auth file (default $REGISTRY_AUTH_FILE, else\n"
      "                           $DOCKER_CONFIG/config.json, else\n"
      "                           $XDG_RUNTIME_DIR/containers/auth.json, else /run/containers/0/auth.json)\n"
      "      --compat-auth-file PATH  remove them from PATH instead, a Docker-compatible file\n"
      "                           (not with --authfile)\n";

/* A logout that found no entry of KEY: Podman then looks for credentials
 * that serve KEY all the same (a parent namespace's, or another tool's
 * file), and when the registry takes them says they are docker login's.  */
static int
logged_in_elsewhere (const char *path, int flags, const char *key)
{
  struct ferry_registry_options ro;
  struct ferry_credentials creds = { 0 };
  cleanup_free char *host = ferry_auth_key_host (key), *joined = NULL;
  ferry_registry_t *reg = NULL;
  ferry_error_t err = NULL;
  int ok;

  if (ferry_auth_get (path, flags, key, &creds, NULL, &err) <= 0)
    {
      ferry_error_release (&err);
      return 0;
    }
  ferry_cli_registry_defaults (&ro);
  joined = xasprintf ("%s:%s", creds.username, creds.password);
  ro.creds = *creds.username ? joined : NULL;
  ro.identity_token = creds.identity_token;
  ok = ferry_registry_open (host, &ro, &reg, &err) == 0 && ferry_registry_check_login (reg, &err) == 0;
  ferry_credentials_clear (&creds);
  ferry_registry_close (reg);
  ferry_error_release (&err);
  explicit_bzero (joined, strlen (joined));
  return ok;
}

int
ferry_cmd_logout (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "authfile", required_argument, NULL, OPT_REGISTRY_AUTHFILE },
                                        { "compat-auth-file", required_argument, NULL, OPT_COMPAT_AUTH_FILE },
                                        { "all", no_argument, NULL, 'a' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_free char *registry = NULL, *path = NULL, *config_file = NULL;
  const char *authfile = NULL, *compat = NULL;
  ferry_error_t err = NULL;
  int all = 0, found = 0, c, r;

  while ((c = getopt_long (argc, argv, ":ah", opts, NULL)) != -1)
    switch (c)
      {
      case OPT_REGISTRY_AUTHFILE:
        authfile = optarg;
        break;
      case OPT_COMPAT_AUTH_FILE:
        compat = optarg;
        break;
      case 'a':
        all = 1;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "logout", argv, logout_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  /* Podman looks at the files it is given before anything else.  */
  if (authfile && access (authfile, F_OK) < 0)
    return not_accessible (authfile);
  if (compat && access (compat, F_OK) < 0)
    return not_accessible (compat);
  if (compat && authfile)
    return both_auth_files ();
  if (! compat && (config_file = ferry_auth_config_file (authfile)))
    authfile = config_file;
  path = compat ? xstrdup (compat) : ferry_auth_file_path (authfile);
  if (all)
    {
      if (argc - optind != 0)
        return ferry_cli_failf ("ferry logout -a takes no registry");
      if (! compat && ferry_auth_check_writable_default (authfile, &err) < 0)
        return ferry_cli_fail (&err);
      if (ferry_auth_remove_everywhere (path, compat != NULL, &err) < 0)
        return ferry_cli_fail (&err);
      printf ("Removed login credentials for all registries\n");
      return 0;
    }
  if (argc - optind > 1)
    return ferry_cli_failf ("accepts at most 1 arg(s), received %d: ferry logout takes one registry, or -a",
                            argc - optind);
  registry = registry_argument (argc, argv, "give one (ferry logout REGISTRY) or -a");
  if (registry == NULL)
    return FERRY_EXIT_ERROR;
  if ((! compat && ferry_auth_check_writable_default (authfile, &err) < 0)
      || ferry_auth_remove (path, compat != NULL, registry, &found, &err) < 0)
    {
      ferry_error_wrap (&err, "logging out of \"%s\"", registry);
      return ferry_cli_fail (&err);
    }
  if (! found)
    {
      if (logged_in_elsewhere (path,
                               compat                                  ? FERRY_AUTH_FILE_ONLY
                               : ferry_auth_file_is_default (authfile) ? FERRY_AUTH_DEFAULT_FILE
                                                                       : 0,
                               registry))
        {
          printf ("Not logged into %s with current tool. Existing credentials were established via docker "
                  "login. Please use docker logout instead.\n",
                  registry);
          return 0;
        }
      return ferry_cli_failf ("not logged into %s (no entry in `%s`)", registry, path);
    }
  printf ("Removed login credentials for %s\n", registry);
  return 0;
}
