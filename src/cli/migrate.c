/* ferry CLI: container migrate, and its receiving end that migrate runs on
 * the target through ssh.  */
#include "common.h"
#include "commands.h"
#include "engine/connections.h"
#include "engine/migrate.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum
{
  OPT_DEST_ROOT = OPT_COMMAND_FIRST,
  OPT_DEST_RUNROOT,
  OPT_FILE_LOCKS,
  OPT_IGNORE_ROOTFS,
  OPT_IGNORE_VOLUMES,
  OPT_KEEP_SOURCE,
  OPT_LAZY,
  OPT_LAZY_PAGES_SOCKET,
  OPT_PRINT_STATS,
  OPT_TCP_ESTABLISHED,
  OPT_RECEIVE,
  OPT_RECEIVE_OUTCOME,
};

static const char migrate_usage[]
    = "Usage: ferry container migrate [options] CONTAINER DESTINATION\n\n"
      "Move a running container to another host in one step.  It is frozen, checkpointed and\n"
      "streamed through ssh into ferry on DESTINATION (ssh://[USER@]HOST[:PORT], or the name of a\n"
      "connection: ferry system connection), which restores it\n"
      "with its state, files, volumes, IP and MAC.  It stays frozen here until it runs there, and\n"
      "runs on here as before if anything fails on the way; then it is removed here (its named\n"
      "volumes stay, as rm leaves them).  Afterwards it runs on exactly one of the two hosts, and\n"
      "the command says which.\n\n"
      "Options:\n"
      "      --dest-root DIR     the target's --root (default: the target's default)\n"
      "      --dest-runroot DIR  the target's --runroot (default: the target's default)\n"
      "      --file-locks        checkpoint and restore file locks\n"
      "      --ignore-rootfs     leave the root file system changes behind\n"
      "      --ignore-volumes    leave the volumes behind (the target uses its own)\n"
      "      --keep-source       leave the container here stopped and checkpointed, not removed\n"
      "      --lazy              post-copy: run it there before its memory is there; the target\n"
      "                          fetches the pages from here through the same ssh connection, so\n"
      "                          the downtime does not grow with the memory (until every page\n"
      "                          has arrived, the container there depends on this host and the link)\n"
      "  -n, --name NAME         start a copy named NAME on the target; the container runs on here\n"
      "      --print-stats       print the timings (freeze, dump, transfer, restore, downtime,\n"
      "                          total, and with --lazy pages: until every page arrived, in\n"
      "                          microseconds) and the bytes sent as JSON\n"
      "      --tcp-established   carry established TCP connections over\n"
      "      --tls-verify[=BOOL]  for the target's pull of an image it lacks: verify the registry's\n"
      "                           TLS certificate (default true); false also allows plain HTTP\n"
      "      --cert-dir DIR       for the target's pull: trust the CA certificates in DIR there\n"
      "\n"
      "A target that lacks the image pulls it, before the container is frozen, by the digest\n"
      "recorded when the container was made, with the target's own credentials (ferry login there).\n\n"
      "ssh is the system's client, with the user's keys, ~/.ssh/config and known_hosts;\n"
      "$FERRY_SSH_COMMAND replaces it (words split at blanks, e.g. \"ssh -F ./config\").\n"
      "ferry must be in the PATH of the target's ssh sessions.\n";

struct progress
{
  int shown;
};

static void
show_progress (uint64_t bytes, long long elapsed_us, void *arg)
{
  struct progress *p = arg;
  double mib = (double) bytes / (1024.0 * 1024.0);
  double rate = elapsed_us > 0 ? mib / ((double) elapsed_us / 1e6) : 0;

  fprintf (stderr, "\rsent %.1f MiB (%.1f MiB/s)   ", mib, rate);
  fflush (stderr);
  p->shown = 1;
}

/* The receiving end: the archive framed on standard input, the protocol's
 * answers on standard output (engine/migrate.h).  */
static int
receive (int argc, const struct ferry_restore_request *r, const char *pages_socket)
{
  cleanup_engine ferry_engine_t *e = NULL;
  cleanup_free char *id = NULL;
  ferry_error_t err = NULL;

  if (optind != argc)
    return ferry_cli_failf ("--receive takes no arguments");
  if (isatty (STDIN_FILENO))
    return ferry_cli_failf ("--receive is the target's end of a migration, which `ferry container migrate` "
                            "runs through ssh: run that instead");
  /* Its error goes to standard error, which the source reports.  */
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_migrate_receive (e, r, pages_socket, STDIN_FILENO, STDOUT_FILENO, &id, &err) < 0)
    return ferry_cli_fail (&err);
  return 0;
}

static int
receive_outcome (const char *id)
{
  cleanup_engine ferry_engine_t *e = ferry_cli_open_engine ();
  ferry_error_t err = NULL;
  int kept;

  if (e == NULL)
    return FERRY_EXIT_ERROR;
  kept = ferry_migrate_kept (e, id, &err);
  if (kept < 0)
    return ferry_cli_fail (&err);
  puts (kept ? "kept" : "gone");
  return 0;
}

static json_object *
stats_json (const struct ferry_migrate_stats *s, int lazy)
{
  json_object *o = json_object_new_object ();

  json_object_object_add (o, "id", json_object_new_string (s->target_id ? s->target_id : ""));
  json_object_object_add (o, "freeze_us", json_object_new_int64 (s->freeze_us));
  json_object_object_add (o, "dump_us", json_object_new_int64 (s->dump_us));
  json_object_object_add (o, "transfer_us", json_object_new_int64 (s->transfer_us));
  json_object_object_add (o, "restore_us", json_object_new_int64 (s->restore_us));
  json_object_object_add (o, "downtime_us", json_object_new_int64 (s->downtime_us));
  json_object_object_add (o, "total_us", json_object_new_int64 (s->total_us));
  json_object_object_add (o, "bytes", json_object_new_int64 ((int64_t) s->bytes));
  if (lazy)
    {
      json_object_object_add (o, "pages_us", json_object_new_int64 (s->pages_us));
      json_object_object_add (o, "pages_bytes", json_object_new_int64 ((int64_t) s->pages_bytes));
    }
  return o;
}

int
ferry_cmd_migrate (int argc, char **argv)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS,
          { "dest-root", required_argument, NULL, OPT_DEST_ROOT },
          { "dest-runroot", required_argument, NULL, OPT_DEST_RUNROOT },
          { "file-locks", no_argument, NULL, OPT_FILE_LOCKS },
          { "ignore-rootfs", no_argument, NULL, OPT_IGNORE_ROOTFS },
          { "ignore-volumes", no_argument, NULL, OPT_IGNORE_VOLUMES },
          { "keep-source", no_argument, NULL, OPT_KEEP_SOURCE },
          { "name", required_argument, NULL, 'n' },
          { "lazy", no_argument, NULL, OPT_LAZY },
          { "lazy-pages-socket", required_argument, NULL, OPT_LAZY_PAGES_SOCKET },
          { "pre-checkpoint", no_argument, NULL, 'P' },
          { "print-stats", no_argument, NULL, OPT_PRINT_STATS },
          { "tcp-established", no_argument, NULL, OPT_TCP_ESTABLISHED },
          { "receive", no_argument, NULL, OPT_RECEIVE },
          { "receive-outcome", required_argument, NULL, OPT_RECEIVE_OUTCOME },
          FERRY_REGISTRY_OPTIONS,
          { "help", no_argument, NULL, 'h' },
          { NULL, 0, NULL, 0 } };
  struct ferry_migrate_request r = { .tls_verify = -1 };
  __attribute__ ((cleanup (ferry_ssh_dest_release))) struct ferry_ssh_dest conn = { 0 };
  cleanup_free char *conn_url = NULL;
  struct ferry_restore_request rr = { 0 };
  struct ferry_transfer_options pull = { 0 };
  struct ferry_migrate_stats stats;
  struct progress progress = { 0 };
  cleanup_engine ferry_engine_t *e = NULL;
  ferry_error_t err = NULL;
  const char *outcome_id = NULL, *pages_socket = NULL;
  int print_stats = 0, receiving = 0, precopy = 0, credentials = 0, c, ret;

  ferry_cli_registry_defaults (&pull.registry);
  while ((c = getopt_long (argc, argv, ":n:Ph", opts, NULL)) != -1)
    switch (c)
      {
      case OPT_REGISTRY_TLS_VERIFY:
      case OPT_REGISTRY_CERT_DIR:
        if (ferry_cli_registry_option (c, optarg, &pull.registry) < 0)
          return FERRY_EXIT_ERROR;
        /* The source passes them on to the target's pull.  */
        if (c == OPT_REGISTRY_TLS_VERIFY)
          r.tls_verify = pull.registry.tls_verify;
        else
          r.cert_dir = optarg;
        break;
      case OPT_REGISTRY_CREDS:
      case OPT_REGISTRY_AUTHFILE:
        if (ferry_cli_registry_option (c, optarg, &pull.registry) < 0)
          return FERRY_EXIT_ERROR;
        credentials = 1;
        break;
      case OPT_DEST_ROOT:
        r.dest_root = optarg;
        break;
      case OPT_DEST_RUNROOT:
        r.dest_runroot = optarg;
        break;
      case OPT_FILE_LOCKS:
        r.file_locks = rr.file_locks = 1;
        break;
      case OPT_IGNORE_ROOTFS:
        r.ignore_rootfs = rr.ignore_rootfs = 1;
        break;
      case OPT_IGNORE_VOLUMES:
        r.ignore_volumes = rr.ignore_volumes = 1;
        break;
      case OPT_KEEP_SOURCE:
        r.keep_source = 1;
        break;
      case OPT_LAZY:
        r.lazy = 1;
        break;
      case OPT_LAZY_PAGES_SOCKET:
        pages_socket = optarg;
        break;
      case 'n':
        r.name = rr.name = optarg;
        break;
      case 'P':
        precopy = 1;
        break;
      case OPT_PRINT_STATS:
        print_stats = 1;
        break;
      case OPT_TCP_ESTABLISHED:
        r.tcp_established = rr.tcp_established = 1;
        break;
      case OPT_RECEIVE:
        receiving = 1;
        break;
      case OPT_RECEIVE_OUTCOME:
        outcome_id = optarg;
        break;
      default:
        {
          int h = ferry_cli_common_option (c, "container migrate", argv);
          if (h > 0)
            {
              ferry_cli_print_usage (migrate_usage);
              return 0;
            }
          if (h < 0)
            return FERRY_EXIT_ERROR;
        }
      }
  if (precopy)
    {
      ferry_checkpoint_precopy (&err);
      return ferry_cli_fail (&err);
    }
  if (outcome_id)
    return receive_outcome (outcome_id);
  if (receiving)
    {
      /* An image the target lacks is pulled by the digest the archive
       * records, from the registry its name says.  */
      rr.pull = &pull;
      /* The source proved who it is by logging in through ssh as the
       * user this runs as, which could run anything here: the archive
       * restores as recorded (host bind mounts too), as a signed one
       * would.  */
      rr.trust_archive = 1;
      return receive (argc, &rr, pages_socket);
    }
  /* They would show in the target's process list: its own apply.  */
  if (credentials)
    return ferry_cli_failf ("--creds and --authfile are not passed to the target: log in there "
                            "(ferry login REGISTRY) for its pull");
  if (argc - optind != 2)
    return ferry_cli_failf ("accepts 2 arg(s), received %d: ferry container migrate takes a container and a "
                            "destination: ferry container migrate CONTAINER ssh://[USER@]HOST[:PORT]",
                            argc - optind);
  if (pages_socket)
    return ferry_cli_failf ("--lazy-pages-socket belongs to --receive");
  if (r.keep_source && r.name)
    return ferry_cli_failf ("--name makes a copy and the container runs on here: --keep-source has no place");
  r.destination = argv[optind + 1];
  /* A name of Podman's connections file: its ssh user, host, port and
   * identity.  */
  if (strncmp (r.destination, "ssh://", 6) != 0)
    {
      int found = ferry_connection_ssh_dest (r.destination, &conn, &err);

      if (found < 0)
        return ferry_cli_fail (&err);
      if (found)
        {
          bool v6 = strchr (conn.host, ':') != NULL;

          conn_url = xasprintf ("ssh://%s%s%s%s%s%s%s", conn.user ? conn.user : "", conn.user ? "@" : "",
                                v6 ? "[" : "", conn.host, v6 ? "]" : "", conn.port ? ":" : "",
                                conn.port ? conn.port : "");
          r.destination = conn_url;
          r.identity = conn.identity;
        }
    }
  if (isatty (STDERR_FILENO) && ! print_stats)
    {
      r.progress = show_progress;
      r.progress_arg = &progress;
    }
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  ret = ferry_container_migrate (e, argv[optind], &r, &stats, &err);
  if (progress.shown)
    fputc ('\n', stderr);
  if (ret < 0)
    {
      ferry_error_wrap (&err, "cannot migrate container %s", argv[optind]);
      ferry_migrate_stats_release (&stats);
      return ferry_cli_fail (&err);
    }
  if (print_stats)
    {
      cleanup_json json_object *o = stats_json (&stats, r.lazy);
      puts (ferry_json_to_string (o, 1));
    }
  else
    puts (stats.target_id);
  /* The ID first, then the sentence for people.  */
  fflush (stdout);
  if (r.name)
    fprintf (stderr, "%s runs here and its copy %s on %s\n", argv[optind], r.name, stats.host);
  else
    fprintf (stderr, "%s runs on %s now%s\n", argv[optind], stats.host,
             r.keep_source ? "; here it is stopped and checkpointed" : "");
  if (r.lazy)
    fprintf (stderr, "it ran there %.2f s before its memory had all followed from here\n",
             (double) stats.pages_us / 1e6);
  ferry_migrate_stats_release (&stats);
  return 0;
}
