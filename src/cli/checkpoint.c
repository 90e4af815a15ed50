/* ferry CLI: container checkpoint and container restore, with Podman's
 * options.  */
#include "common.h"
#include "commands.h"
#include "engine/checkpoint.h"
#include "engine/checkpoint_image.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum
{
  OPT_IGNORE_ROOTFS = OPT_COMMAND_FIRST,
  OPT_IGNORE_VOLUMES,
  OPT_TCP_ESTABLISHED,
  OPT_TCP_CLOSE,
  OPT_FILE_LOCKS,
  OPT_PRINT_STATS,
  OPT_TRUST_ARCHIVE,
  OPT_SIGN_KEY,
  OPT_CREATE_IMAGE,
  OPT_VERIFY_KEY,
  OPT_ENCRYPT_RECIPIENT,
  OPT_DECRYPT_KEY,
  OPT_IGNORE_STATIC_IP,
  OPT_IGNORE_STATIC_MAC,
  OPT_PUBLISH,
  OPT_PULL,
};

/* Podman's options that ferry only refuses, in Podman's words where it has
 * them (they are in no --help).  */
enum
{
  OPT_WITH_PREVIOUS = 0x4B00,
  OPT_IMPORT_PREVIOUS,
  OPT_POD,
};

/* Podman's checks of --all and --latest, in its words (RESTORE: restore's
 * for --latest with names): not both, and no names beside either.  */
static int
all_latest_check (int all, int latest, int nargs, int restore)
{
  if (all && latest)
    return ferry_cli_failf ("--all and --latest cannot be used together");
  if (all && nargs > 0)
    return ferry_cli_failf ("no arguments are needed with --all");
  if (latest && nargs > 0)
    return ferry_cli_failf (restore ? "--all or --latest and containers cannot be used together"
                                    : "--latest and containers cannot be used together");
  return 0;
}

/* The containers -a/-l or the arguments name.  WANT_RUNNING: -a takes the
 * running ones (checkpoint) or the exited ones (restore).  */
static char **
select_containers (ferry_engine_t *e, int all, int latest, int want_running, char **args, int nargs,
                   ferry_error_t *err)
{
  struct ferry_container **list = NULL;
  char **out = xmalloc0 (sizeof (char *) * (nargs + 1));
  size_t n = 0, i, count = 0;

  if (! all && ! latest)
    {
      for (i = 0; i < (size_t) nargs; i++)
        out[i] = xstrdup (args[i]);
      return out;
    }
  /* The latest, whatever its state (the command says what is wrong with
   * it); none at all is Podman's "no such container".  */
  if (latest)
    {
      struct ferry_container *c = NULL;

      if (ferry_container_latest (e, &c, err) < 0)
        {
          free (out);
          return NULL;
        }
      out = xrealloc (out, sizeof (char *) * 2);
      /* The full ID, as Podman prints it for -l.  */
      out[0] = xstrdup (c->id);
      out[1] = NULL;
      ferry_container_free (c);
      return out;
    }
  if (ferry_container_list (e, &list, &n, err) < 0)
    {
      free (out);
      return NULL;
    }
  for (i = 0; i < n; i++)
    {
      struct ferry_container *c = list[i];
      /* Restore's -a takes every exited container, checkpointed or not,
       * as Podman does: one with no checkpoint is an error.  */
      int eligible = c->status == (want_running ? FERRY_CONTAINER_RUNNING : FERRY_CONTAINER_EXITED);
      if (! eligible)
        continue;
      out = xrealloc (out, sizeof (char *) * (count + 2));
      /* Full IDs, as Podman prints them for -a.  */
      out[count++] = xstrdup (c->id);
      out[count] = NULL;
    }
  ferry_containers_free (list, n);
  return out;
}

/* CRIU's statistics as Podman prints them: its fields, in its order, and
 * only those that are not zero (Go's omitempty).  */
static json_object *
podman_criu_statistics (json_object *criu)
{
  static const char *const fields[]
      = { "freezing_time", "frozen_time",   "memdump_time",   "memwrite_time",
          "pages_scanned", "pages_written", "pages_compared", "pages_skipped_cow",
          "forking_time",  "restore_time",  "pages_restored" };
  json_object *out = json_object_new_object (), *v;

  for (size_t i = 0; criu && i < sizeof (fields) / sizeof (fields[0]); i++)
    if (json_object_object_get_ex (criu, fields[i], &v) && json_object_get_uint64 (v) != 0)
      json_object_object_add (out, fields[i], json_object_get (v));
  return out;
}

/* --print-stats of one command: as Podman, one JSON document for all its
 * containers, the time of them all and each one's.  */
struct stats_report
{
  json_object *list;
  long long total_us;
};

static void
stats_report_add (struct stats_report *report, const char *runtime_key, const char *id,
                  const struct ferry_cr_stats *s)
{
  json_object *c = json_object_new_object ();

  if (report->list == NULL)
    report->list = json_object_new_array ();
  json_object_object_add (c, "Id", json_object_new_string (id));
  json_object_object_add (c, runtime_key, json_object_new_int64 (s->runtime_us));
  json_object_object_add (c, "criu_statistics", podman_criu_statistics (s->criu));
  json_object_array_add (report->list, c);
  report->total_us += s->total_us;
}

/* Prints the document to OUT when a container is in it, and frees it.  */
static void
stats_report_print (struct stats_report *report, FILE *out, const char *total_key)
{
  cleanup_json json_object *o = NULL;

  if (report->list == NULL)
    return;
  o = json_object_new_object ();
  json_object_object_add (o, total_key, json_object_new_int64 (report->total_us));
  json_object_object_add (o, "container_statistics", report->list);
  report->list = NULL;
  fprintf (out, "%s\n", ferry_json_to_string (o, 1));
}

/* In any case, as Podman takes them.  */
static int
parse_compression (const char *s, enum ferry_compression *out)
{
  if (strcasecmp (s, "zstd") == 0)
    *out = FERRY_COMPRESSION_ZSTD;
  else if (strcasecmp (s, "gzip") == 0)
    *out = FERRY_COMPRESSION_GZIP;
  else if (strcasecmp (s, "none") == 0)
    *out = FERRY_COMPRESSION_NONE;
  else
    return -1;
  return 0;
}

static const char checkpoint_usage[]
    = "Usage: ferry container checkpoint [options] CONTAINER...\n\n"
      "Checkpoint running containers with CRIU, in place or into one portable archive.\n\n"
      "Options:\n"
      "  -a, --all               checkpoint all running containers\n"
      "  -c, --compress ALGO     archive compression: zstd (default), gzip or none\n"
      "      --create-image IMAGE  instead of --export: make the checkpoint image IMAGE, an OCI\n"
      "                          image of one layer holding the archive, which push, pull and\n"
      "                          container restore IMAGE take (Podman's and CRI-O's too)\n"
      "      --encrypt-recipient R\n"
      "                          with --export: encrypt the archive (age format) to the recipient R\n"
      "                          (age1..., or a file of them; repeatable: any of them opens it)\n"
      "  -e, --export FILE       write everything the container needs into FILE (-: standard\n"
      "                          output, for a pipe: ferry container restore --import - reads it)\n"
      "      --file-locks        checkpoint file locks\n"
      "      --ignore-rootfs     leave the root file system changes out of the archive\n"
      "      --ignore-volumes    leave the volumes out of the archive\n"
      "  -k, --keep              keep CRIU's images and logs\n"
      "  -l, --latest            act on the latest container\n"
      "  -R, --leave-running     leave the container running afterwards\n"
      "      --print-stats       print timings and CRIU's statistics as JSON\n"
      "      --sign-key KEY      with --export: sign the archive with the Ed25519 private key KEY\n"
      "      --tcp-established   checkpoint established TCP connections\n"
      "\n"
      "A key pair for --sign-key (and restore --verify-key):\n"
      "  openssl genpkey -algorithm ed25519 -out key.pem\n"
      "  openssl pkey -in key.pem -pubout -out key.pub\n"
      "An identity for --encrypt-recipient (and restore --decrypt-key):\n"
      "  age-keygen -o identity.txt     (prints the recipient, age1...)\n";

int
ferry_cmd_checkpoint (int argc, char **argv)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS,
          { "all", no_argument, NULL, 'a' },
          { "compress", required_argument, NULL, 'c' },
          { "encrypt-recipient", required_argument, NULL, OPT_ENCRYPT_RECIPIENT },
          { "export", required_argument, NULL, 'e' },
          { "create-image", required_argument, NULL, OPT_CREATE_IMAGE },
          { "file-locks", no_argument, NULL, OPT_FILE_LOCKS },
          { "ignore-rootfs", no_argument, NULL, OPT_IGNORE_ROOTFS },
          { "ignore-volumes", no_argument, NULL, OPT_IGNORE_VOLUMES },
          { "keep", no_argument, NULL, 'k' },
          { "latest", no_argument, NULL, 'l' },
          { "leave-running", no_argument, NULL, 'R' },
          { "pre-checkpoint", no_argument, NULL, 'P' },
          { "print-stats", no_argument, NULL, OPT_PRINT_STATS },
          { "sign-key", required_argument, NULL, OPT_SIGN_KEY },
          { "tcp-established", no_argument, NULL, OPT_TCP_ESTABLISHED },
          { "with-previous", no_argument, NULL, OPT_WITH_PREVIOUS },
          { "help", no_argument, NULL, 'h' },
          { NULL, 0, NULL, 0 } };
  struct ferry_checkpoint_request r = { .compression = FERRY_COMPRESSION_ZSTD };
  cleanup_free char **recipients = xmalloc0 (sizeof (char *));
  size_t n_recipients = 0;
  cleanup_engine ferry_engine_t *e = NULL;
  cleanup_strv char **targets = NULL;
  ferry_error_t err = NULL;
  int all = 0, latest = 0, print_stats = 0, to_stdout = 0, compress_given = 0, c, ret = 0;
  int pre_checkpoint = 0, with_previous = 0;
  cleanup_strv char **ids = NULL;
  struct stats_report report = { NULL, 0 };
  size_t i, n;

  while ((c = getopt_long (argc, argv, ":ac:e:klPRh", opts, NULL)) != -1)
    switch (c)
      {
      case 'P':
        pre_checkpoint = 1;
        break;
      case OPT_WITH_PREVIOUS:
        with_previous = 1;
        break;
      case 'a':
        all = 1;
        break;
      case 'c':
        compress_given = 1;
        if (parse_compression (optarg, &r.compression) < 0)
          return ferry_cli_failf ("selected compression algorithm (\"%s\") not supported. Please select one "
                                  "from: gzip, none, zstd",
                                  optarg);
        break;
      case 'e':
        r.export_path = optarg;
        break;
      case OPT_CREATE_IMAGE:
        r.create_image = optarg;
        break;
      case OPT_FILE_LOCKS:
        r.file_locks = 1;
        break;
      case OPT_IGNORE_ROOTFS:
        r.ignore_rootfs = 1;
        break;
      case OPT_IGNORE_VOLUMES:
        r.ignore_volumes = 1;
        break;
      case 'k':
        r.keep = 1;
        break;
      case 'l':
        latest = 1;
        break;
      case 'R':
        r.leave_running = 1;
        break;
      case OPT_PRINT_STATS:
        print_stats = 1;
        break;
      case OPT_TCP_ESTABLISHED:
        r.tcp_established = 1;
        break;
      case OPT_SIGN_KEY:
        r.sign_key = optarg;
        break;
      case OPT_ENCRYPT_RECIPIENT:
        recipients = xrealloc (recipients, sizeof (char *) * (n_recipients + 2));
        recipients[n_recipients++] = optarg;
        recipients[n_recipients] = NULL;
        r.encrypt_recipients = recipients;
        break;
      default:
        {
          int rr = ferry_cli_common_option (c, "container checkpoint", argv);
          if (rr > 0)
            {
              ferry_cli_print_usage (checkpoint_usage);
              return 0;
            }
          if (rr < 0)
            return FERRY_EXIT_ERROR;
        }
      }
  if (pre_checkpoint && with_previous)
    return ferry_cli_failf ("--with-previous can not be used with --pre-checkpoint");
  /* No pre-dump can be taken, so there is none to build on.  */
  if (pre_checkpoint || with_previous)
    {
      ferry_checkpoint_precopy (&err);
      return ferry_cli_fail (&err);
    }
  if (all_latest_check (all, latest, argc - optind, 0) != 0)
    return FERRY_EXIT_ERROR;
  if (! all && ! latest && optind >= argc)
    return ferry_cli_failf ("you must provide at least one name or id");
  if (compress_given && r.export_path == NULL && r.create_image == NULL)
    return ferry_cli_failf ("--compress can only be used with --export");
  if (r.create_image && r.export_path)
    return ferry_cli_failf ("--create-image and --export each take the checkpoint away: choose one");
  /* Podman's lines, whole; ferry takes these with --create-image too.  */
  if (r.ignore_rootfs && r.export_path == NULL && r.create_image == NULL)
    return ferry_cli_failf ("--ignore-rootfs can only be used with --export");
  if (r.ignore_volumes && r.export_path == NULL && r.create_image == NULL)
    return ferry_cli_failf ("--ignore-volumes can only be used with --export");
  if (r.sign_key && r.export_path == NULL)
    return ferry_cli_failf ("--sign-key signs an exported archive: use it with --export");
  if (n_recipients && r.export_path == NULL)
    return ferry_cli_failf ("--encrypt-recipient encrypts an exported archive: use it with --export");
  to_stdout = r.export_path && strcmp (r.export_path, "-") == 0;
  if (to_stdout && isatty (STDOUT_FILENO))
    return ferry_cli_failf ("--export - writes the archive to standard output, which is a terminal: "
                            "redirect it to a file or a pipe");
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  targets = select_containers (e, all, latest, 1, argv + optind, argc - optind, &err);
  if (targets == NULL)
    return ferry_cli_fail (&err);
  if ((r.export_path || r.create_image) && targets[0] && targets[1])
    return ferry_cli_failf ("--export and --create-image take exactly one container");
  /* Every name is a container before any is checkpointed, as Podman looks
   * them all up first; the full IDs are the statistics'.  */
  for (n = 0; targets[n]; n++)
    ;
  ids = xmalloc0 (sizeof (char *) * (n + 1));
  for (i = 0; i < n; i++)
    {
      cleanup_free char *image_id = NULL;

      if (ferry_container_identify (e, targets[i], &ids[i], &image_id, &err) < 0)
        return ferry_cli_fail (&err);
    }
  for (i = 0; targets[i]; i++)
    {
      struct ferry_cr_stats stats;

      if (ferry_container_checkpoint (e, targets[i], &r, &stats, &err) < 0)
        {
          ret = ferry_cli_fail (&err);
          ferry_cr_stats_release (&stats);
          continue;
        }
      if (print_stats)
        stats_report_add (&report, "runtime_checkpoint_duration", ids[i], &stats);
      else if (! to_stdout)
        puts (targets[i]);
      ferry_cr_stats_release (&stats);
    }
  /* The archive has standard output to itself: the statistics go to
   * standard error, the name nowhere.  */
  stats_report_print (&report, to_stdout ? stderr : stdout, "ferry_checkpoint_duration");
  return ret;
}

static const char restore_usage[]
    = "Usage: ferry container restore [options] [CONTAINER...|CHECKPOINT-IMAGE]\n\n"
      "Restore checkpointed containers, in place, from an exported archive or from a checkpoint\n"
      "image (checkpoint --create-image, or Podman's); the options marked \"with --import\" apply\n"
      "to a checkpoint image too.\n\n"
      "Options:\n"
      "  -a, --all               restore all exited containers (one never checkpointed is an error)\n"
      "      --file-locks        restore file locks\n"
      "      --decrypt-key KEY   with --import: open an encrypted archive with the age identity file\n"
      "                          KEY (as age-keygen writes it); it is decrypted as it is read\n"
      "  -i, --import FILE       restore the container exported into FILE (-: from standard\n"
      "                          input, checked as it arrives)\n"
      "      --ignore-rootfs     do not apply the archive's root file system changes\n"
      "      --ignore-static-ip  with --import: a new address on each network, not the one the\n"
      "                          container had (--name gives a copy new addresses anyway)\n"
      "      --ignore-static-mac with --import: a new MAC address on each network\n"
      "      --ignore-volumes    use the volumes already on this host instead of the archive's\n"
      "  -k, --keep              keep CRIU's images and logs\n"
      "  -l, --latest            act on the latest container\n"
      "  -n, --name NAME         with --import: restore under a new name and a new ID\n"
      "  -p, --publish SPEC      with --import: publish these ports instead of the recorded ones\n"
      "                          ([IP:][HOSTPORT:]PORT[/PROTO], repeatable)\n"
      "      --pull POLICY       a checkpoint image that is no container here: missing (default:\n"
      "                          pull it unless stored), always or never\n"
      "      --print-stats       print timings and CRIU's statistics as JSON\n"
      "      --tcp-close         restore with established TCP connections closed\n"
      "      --tcp-established   restore established TCP connections\n"
      "      --trust-archive     with --import: let the archive ask for more than a plain run gives\n"
      "                          (bind mounts of host paths, the host's network); without it, or a\n"
      "                          signature by a trusted key, such an archive is refused\n"
      "      --verify-key PUB    with --import: refuse the archive unless the Ed25519 public key PUB\n"
      "                          signed it (repeatable: any of them); an archive so signed restores\n"
      "                          as recorded.  Keys in <root>/trusted-keys/*.pub are trusted too,\n"
      "                          and when there are any, every import must be signed by one\n"
      "With --import, an image this host lacks is pulled by the digest the archive "
      "records:\n" FERRY_REGISTRY_OPTIONS_HELP;

/* REF, one of several restore names: 0 for a container, 1 and *BLOB its
 * archive for a checkpoint image here; else Podman's refusal, printed (an
 * image that is no checkpoint, or nothing of that name), and -1.  */
static int
restore_target_kind (ferry_engine_t *e, const char *ref, char **blob)
{
  static const struct ferry_transfer_options no_pull = { 0 };
  cleanup_free char *missing = NULL;
  ferry_error_t err = NULL;
  int found = ferry_checkpoint_image_find (e, ref, "never", &no_pull, blob, &missing, &err);

  if (found < 0)
    return ferry_cli_fail (&err), -1;
  if (found == 0 && missing)
    return ferry_cli_failf ("no such container or image: %s", ref), -1;
  return found;
}

/* The N archives of restore_target_kind's images, NULL for a container.  */
static void
free_blobs (char **blobs, int n)
{
  for (int k = 0; k < n; k++)
    free (blobs[k]);
  free (blobs);
}

/* Restores the container REF in place, or (REF NULL) the one R imports,
 * and prints what Podman prints, or with REPORT adds its statistics there.
 * 0, or FERRY_EXIT_ERROR with the failure reported, or with DEFER, left
 * there for the caller to report.  */
static int
restore_one (ferry_engine_t *e, const struct ferry_restore_request *r, const char *ref,
             struct stats_report *report, ferry_error_t *defer)
{
  struct ferry_cr_stats stats;
  cleanup_free char *id = NULL;
  ferry_error_t err = NULL;

  if (ferry_container_restore (e, ref, r, &id, &stats, &err) < 0)
    {
      /* Podman's words for whatever stops a restore from an image.  */
      if (r->image)
        ferry_error_wrap (&err, "unable to import checkpoint from image: \"%s\"", r->image);
      ferry_cr_stats_release (&stats);
      if (defer)
        {
          *defer = err;
          return FERRY_EXIT_ERROR;
        }
      return ferry_cli_fail (&err);
    }
  if (stats.unverified)
    fprintf (stderr,
             "Warning: %s was written by Podman or CRI-O: it carries no digests, so its content could "
             "not be verified\n",
             r->image                            ? r->image
             : strcmp (r->import_path, "-") == 0 ? "the archive on standard input"
                                                 : r->import_path);
  for (size_t k = 0; stats.networks_made && stats.networks_made[k]; k++)
    fprintf (stderr, "created network %s from the archive's definition\n", stats.networks_made[k]);
  if (report)
    stats_report_add (report, "runtime_restore_duration", id, &stats);
  else
    puts (ref ? ref : id);
  ferry_cr_stats_release (&stats);
  return 0;
}

int
ferry_cmd_restore (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "all", no_argument, NULL, 'a' },
                                        { "file-locks", no_argument, NULL, OPT_FILE_LOCKS },
                                        { "import", required_argument, NULL, 'i' },
                                        { "ignore-rootfs", no_argument, NULL, OPT_IGNORE_ROOTFS },
                                        { "ignore-volumes", no_argument, NULL, OPT_IGNORE_VOLUMES },
                                        { "keep", no_argument, NULL, 'k' },
                                        { "latest", no_argument, NULL, 'l' },
                                        { "name", required_argument, NULL, 'n' },
                                        { "print-stats", no_argument, NULL, OPT_PRINT_STATS },
                                        { "tcp-close", no_argument, NULL, OPT_TCP_CLOSE },
                                        { "tcp-established", no_argument, NULL, OPT_TCP_ESTABLISHED },
                                        { "trust-archive", no_argument, NULL, OPT_TRUST_ARCHIVE },
                                        { "pull", required_argument, NULL, OPT_PULL },
                                        { "decrypt-key", required_argument, NULL, OPT_DECRYPT_KEY },
                                        { "ignore-static-ip", no_argument, NULL, OPT_IGNORE_STATIC_IP },
                                        { "ignore-static-mac", no_argument, NULL, OPT_IGNORE_STATIC_MAC },
                                        { "publish", required_argument, NULL, 'p' },
                                        { "verify-key", required_argument, NULL, OPT_VERIFY_KEY },
                                        { "import-previous", required_argument, NULL, OPT_IMPORT_PREVIOUS },
                                        { "pod", required_argument, NULL, OPT_POD },
                                        FERRY_REGISTRY_OPTIONS,
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  struct ferry_restore_request r = { 0 };
  struct ferry_transfer_options pull = { 0 };
  cleanup_engine ferry_engine_t *e = NULL;
  cleanup_strv char **targets = NULL;
  cleanup_free char **verify_keys = xmalloc0 (sizeof (char *));
  cleanup_free char **publish = xmalloc0 (sizeof (char *));
  size_t n_publish = 0;
  size_t n_verify_keys = 0;
  ferry_error_t err = NULL;
  cleanup_free char *image_blob = NULL, *missing = NULL;
  char **blobs = NULL;
  int several = 0;
  struct stats_report report = { NULL, 0 };
  const char *pull_policy = "missing", *import_previous = NULL, *pod = NULL;
  int all = 0, latest = 0, print_stats = 0, c, ret = 0;
  size_t i;

  ferry_cli_registry_defaults (&pull.registry);
  pull.progress = isatty (STDERR_FILENO);
  r.pull = &pull;
  while ((c = getopt_long (argc, argv, ":ai:kln:p:h", opts, NULL)) != -1)
    switch (c)
      {
      case OPT_PULL:
        if (strcmp (optarg, "missing") != 0 && strcmp (optarg, "always") != 0
            && strcmp (optarg, "never") != 0)
          return ferry_cli_failf ("invalid --pull `%s`: use missing, always or never", optarg);
        pull_policy = optarg;
        break;
      case OPT_REGISTRY_TLS_VERIFY:
      case OPT_REGISTRY_CREDS:
      case OPT_REGISTRY_AUTHFILE:
      case OPT_REGISTRY_CERT_DIR:
        if (ferry_cli_registry_option (c, optarg, &pull.registry) < 0)
          return FERRY_EXIT_ERROR;
        break;
      case 'a':
        all = 1;
        break;
      case OPT_FILE_LOCKS:
        r.file_locks = 1;
        break;
      case 'i':
        r.import_path = optarg;
        break;
      case OPT_IGNORE_ROOTFS:
        r.ignore_rootfs = 1;
        break;
      case OPT_IGNORE_VOLUMES:
        r.ignore_volumes = 1;
        break;
      case 'k':
        r.keep = 1;
        break;
      case 'l':
        latest = 1;
        break;
      case 'n':
        r.name = optarg;
        break;
      case OPT_PRINT_STATS:
        print_stats = 1;
        break;
      case OPT_TCP_CLOSE:
        r.tcp_close = 1;
        break;
      case OPT_TCP_ESTABLISHED:
        r.tcp_established = 1;
        break;
      case OPT_IGNORE_STATIC_IP:
        r.ignore_static_ip = 1;
        break;
      case OPT_IGNORE_STATIC_MAC:
        r.ignore_static_mac = 1;
        break;
      case 'p':
        publish = xrealloc (publish, sizeof (char *) * (n_publish + 2));
        publish[n_publish++] = optarg;
        publish[n_publish] = NULL;
        r.publish = publish;
        break;
      case OPT_DECRYPT_KEY:
        r.decrypt_key = optarg;
        break;
      case OPT_IMPORT_PREVIOUS:
        import_previous = optarg;
        break;
      case OPT_POD:
        pod = optarg;
        break;
      case OPT_TRUST_ARCHIVE:
        r.trust_archive = 1;
        break;
      case OPT_VERIFY_KEY:
        verify_keys = xrealloc (verify_keys, sizeof (char *) * (n_verify_keys + 2));
        verify_keys[n_verify_keys++] = optarg;
        verify_keys[n_verify_keys] = NULL;
        r.verify_keys = verify_keys;
        break;
      default:
        {
          int rr = ferry_cli_common_option (c, "container restore", argv);
          if (rr > 0)
            {
              ferry_cli_print_usage (restore_usage);
              return 0;
            }
          if (rr < 0)
            return FERRY_EXIT_ERROR;
        }
      }
  if (r.tcp_close && r.tcp_established)
    return ferry_cli_failf ("--tcp-close and --tcp-established contradict each other: choose one");
  if (! r.import_path && all_latest_check (all, latest, argc - optind, 1) != 0)
    return FERRY_EXIT_ERROR;
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  /* A checkpoint image (and no container of that name) restores from its
   * archive, as --import does.  */
  if (! r.import_path && ! all && ! latest && argc - optind == 1)
    {
      int is_image
          = ferry_checkpoint_image_find (e, argv[optind], pull_policy, &pull, &image_blob, &missing, &err);

      if (is_image < 0)
        return ferry_cli_fail (&err);
      if (is_image)
        {
          r.import_path = image_blob;
          r.image = argv[optind++];
        }
    }
  /* Several names: each a container or a checkpoint image here (its
   * archive in BLOBS), else Podman's refusal of the first that is neither,
   * before anything is restored.  */
  if (! r.import_path && ! all && ! latest && argc - optind > 1)
    {
      several = argc - optind;
      blobs = xmalloc0 (sizeof (char *) * (several + 1));
      for (int k = 0; k < several; k++)
        if (restore_target_kind (e, argv[optind + k], &blobs[k]) < 0)
          {
            free_blobs (blobs, several);
            return FERRY_EXIT_ERROR;
          }
    }
  /* Podman's words, for a container and for nothing of that name.  */
  if (r.name && r.import_path == NULL)
    return ferry_cli_failf ("--name can only be used with image or --import");
  if (import_previous && r.import_path == NULL)
    return ferry_cli_failf ("--import-previous can only be used with image or --import");
  if (pod && r.import_path == NULL)
    return ferry_cli_failf ("--pod can only be used with image or --import");
  if (n_publish && r.import_path == NULL)
    return ferry_cli_failf (
        "--publish replaces the ports of an imported container: use it with --import or a checkpoint image");
  /* --ignore-static-ip and --ignore-static-mac in place are taken, as
   * Podman takes them, and change nothing: a container checkpointed in
   * place keeps its network attached, so its addresses cannot be taken.  */
  if (r.decrypt_key && r.import_path == NULL)
    return ferry_cli_failf ("--decrypt-key opens an exported archive: use it with --import");
  if (r.import_path && strcmp (r.import_path, "-") == 0 && isatty (STDIN_FILENO))
    return ferry_cli_failf ("--import - reads the archive from standard input, which is a terminal: "
                            "pipe or redirect the archive into it");
  /* An archive that is not there: Podman's words, then the fix.  */
  if (r.import_path && r.import_path != image_blob && strcmp (r.import_path, "-") != 0
      && access (r.import_path, R_OK) < 0)
    return ferry_cli_failf (
        "failed extracting runtime information from %s: failed to open checkpoint archive %s "
        "for import: open %s: %s: give --import an archive of container checkpoint --export",
        r.import_path, r.import_path, r.import_path,
        errno == ENOENT ? "no such file or directory" : strerror (errno));
  /* Podman's words, once the archive is known to be there, as it checks.  */
  if (r.import_path && optind < argc)
    return ferry_cli_failf ("cannot use --import with positional arguments");
  if (r.import_path && (all || latest))
    return ferry_cli_failf ("cannot use --import with --all or --latest");
  if (import_previous && access (import_previous, R_OK) < 0)
    return ferry_cli_failf ("failed to open pre-checkpoint archive for import: open %s: %s", import_previous,
                            errno == ENOENT ? "no such file or directory" : strerror (errno));
  if (import_previous)
    return ferry_cli_failf (
        "--import-previous is not supported: ferry makes no pre-checkpoints; restore with --import alone");
  if (pod)
    return ferry_cli_failf ("cannot restore non pod container into pod: ferry has no pods; restore without "
                            "--pod");
  if (! r.import_path && r.ignore_rootfs)
    return ferry_cli_failf ("--ignore-rootfs can only be used with image or --import");
  if (! r.import_path && r.ignore_volumes)
    return ferry_cli_failf ("--ignore-volumes can only be used with image or --import");
  if (! r.import_path && r.trust_archive)
    return ferry_cli_failf ("--trust-archive only makes sense with --import or a checkpoint image");
  if (! r.import_path && n_verify_keys)
    return ferry_cli_failf (
        "--verify-key checks an imported archive: use it with --import or a checkpoint image");
  if (! r.import_path && ! all && ! latest && optind >= argc)
    return ferry_cli_failf ("you must provide at least one name or id");
  /* Podman's line, word for word: scripts match it whole.  */
  if (! r.import_path && missing)
    return ferry_cli_failf ("no such container or image: %s", argv[optind]);
  if (r.import_path)
    {
      ret = restore_one (e, &r, NULL, print_stats ? &report : NULL, NULL);
      stats_report_print (&report, stdout, "ferry_restore_duration");
      return ret;
    }
  if (several)
    {
      /* In their order, as Podman; what stops a checkpoint image is told
       * after the rest, as Podman tells it.  */
      ferry_error_t *deferred = xmalloc0 (sizeof (ferry_error_t) * several);

      for (int k = 0; k < several; k++)
        {
          struct ferry_restore_request from_image = r;

          from_image.import_path = blobs[k];
          from_image.image = blobs[k] ? argv[optind + k] : NULL;
          if (restore_one (e, &from_image, blobs[k] ? NULL : argv[optind + k], print_stats ? &report : NULL,
                           blobs[k] ? &deferred[k] : NULL)
              != 0)
            ret = FERRY_EXIT_ERROR;
        }
      stats_report_print (&report, stdout, "ferry_restore_duration");
      for (int k = 0; k < several; k++)
        if (deferred[k])
          ferry_cli_fail (&deferred[k]);
      free (deferred);
      free_blobs (blobs, several);
      return ret;
    }
  if ((targets = select_containers (e, all, latest, 0, argv + optind, argc - optind, &err)) == NULL)
    return ferry_cli_fail (&err);
  for (i = 0; targets[i]; i++)
    if (restore_one (e, &r, targets[i], print_stats ? &report : NULL, NULL) != 0)
      ret = FERRY_EXIT_ERROR;
  stats_report_print (&report, stdout, "ferry_restore_duration");
  return ret;
}
