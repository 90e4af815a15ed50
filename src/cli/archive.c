/* ferry CLI: archive inspect, what a checkpoint archive holds and would be
 * granted, without restoring it.  */
#include "common.h"
#include "commands.h"
#include "engine/archive_info.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <stdio.h>

enum
{
  OPT_VERIFY_KEY = OPT_COMMAND_FIRST,
  OPT_DECRYPT_KEY,
};

static const char inspect_usage[]
    = "Usage: ferry archive inspect [options] FILE\n\n"
      "Show what a checkpoint archive holds and would be granted, without restoring it: the\n"
      "container, its image, sizes, the CRIU that dumped it, its bind mounts and networks, what\n"
      "it asks for beyond a plain run, whether it is signed, by which key, and whether that\n"
      "key is trusted here, and whether it is encrypted.  The whole archive is read and checked\n"
      "against its manifest; one that is not whole is an error.  Of an encrypted archive, only\n"
      "the number of recipients shows without --decrypt-key.\n\n"
      "Options:\n"
      "      --decrypt-key KEY   open an encrypted archive with the age identity file KEY\n"
      "  -f, --format TEMPLATE   format the output with a Go template ({{.Container.Name}})\n"
      "      --verify-key PUB    trust the Ed25519 public key PUB (repeatable), besides the keys in\n"
      "                          <root>/trusted-keys\n";

static int
archive_inspect (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "format", required_argument, NULL, 'f' },
                                        { "verify-key", required_argument, NULL, OPT_VERIFY_KEY },
                                        { "decrypt-key", required_argument, NULL, OPT_DECRYPT_KEY },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_free char **verify_keys = xmalloc0 (sizeof (char *));
  cleanup_engine ferry_engine_t *e = NULL;
  cleanup_json json_object *o = NULL;
  const char *format = NULL, *decrypt_key = NULL;
  ferry_error_t err = NULL;
  size_t n_keys = 0;
  int c;

  while ((c = getopt_long (argc, argv, ":f:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        format = optarg;
        break;
      case OPT_DECRYPT_KEY:
        decrypt_key = optarg;
        break;
      case OPT_VERIFY_KEY:
        verify_keys = xrealloc (verify_keys, sizeof (char *) * (n_keys + 2));
        verify_keys[n_keys++] = optarg;
        verify_keys[n_keys] = NULL;
        break;
      default:
        {
          int rr = ferry_cli_common_option (c, "archive inspect", argv);
          if (rr > 0)
            {
              ferry_cli_print_usage (inspect_usage);
              return 0;
            }
          if (rr < 0)
            return FERRY_EXIT_ERROR;
        }
      }
  if (optind + 1 != argc)
    return ferry_cli_failf ("accepts 1 arg(s), received %d: give one archive: ferry archive inspect FILE",
                            argc - optind);
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_archive_inspect (e, argv[optind], verify_keys, decrypt_key, &o, &err) < 0)
    return ferry_cli_fail (&err);
  if (format)
    return ferry_cli_print_template (format, o) == 0 ? 0 : FERRY_EXIT_ERROR;
  puts (ferry_json_to_string (o, 1));
  return 0;
}

int
ferry_cmd_archive (int argc, char **argv)
{
  static const struct ferry_command table[] = {
    { "inspect", archive_inspect, "Show what a checkpoint archive holds and would be granted" },
    { NULL, NULL, NULL },
  };

  return ferry_cli_dispatch ("archive", table, argc - 1, argv + 1);
}
