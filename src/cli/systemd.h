/* ferry CLI: run and create's systemd flags (--systemd,
 * --shm-size-systemd, --sdnotify, --requires), into engine/systemd.h's
 * options.  */
#ifndef FERRY_CLI_SYSTEMD_H
#define FERRY_CLI_SYSTEMD_H

#include "engine/systemd.h"

#include <getopt.h>
#include <stddef.h>

enum
{
  OPT_SYSTEMD_MODE = 0x1c00,
  OPT_SYSTEMD_SHM_SIZE,
  OPT_SYSTEMD_SDNOTIFY,
  OPT_SYSTEMD_REQUIRES,
};

#define FERRY_SYSTEMD_OPTIONS                                                                                \
  { "systemd", required_argument, NULL, OPT_SYSTEMD_MODE },                                                  \
      { "shm-size-systemd", required_argument, NULL, OPT_SYSTEMD_SHM_SIZE },                                 \
      { "sdnotify", required_argument, NULL, OPT_SYSTEMD_SDNOTIFY },                                         \
  {                                                                                                          \
    "requires", required_argument, NULL, OPT_SYSTEMD_REQUIRES                                                \
  }

#define FERRY_SYSTEMD_OPTIONS_HELP                                                                           \
  "      --requires NAME[,NAME]  containers started before this one (repeatable); they\n"                    \
  "                           cannot be removed while it exists\n"                                           \
  "      --sdnotify MODE      what ferry does with its NOTIFY_SOCKET: container (default:\n"                 \
  "                           the container gets it at /run/notify/notify.sock), conmon\n"                   \
  "                           (ferry sends READY=1 once started), healthy (READY=1 once\n"                   \
  "                           the health check passed), ignore\n"                                            \
  "      --shm-size-systemd SIZE  size of systemd mode's tmpfs mounts (/run, /run/lock,\n"                   \
  "                           /tmp, /var/log/journal)\n"                                                     \
  "      --systemd MODE       true (default: systemd mode when the command is systemd or\n"                  \
  "                           init), always, or false\n"

struct ferry_cli_systemd
{
  struct ferry_systemd_options o;
  size_t n_requires;
};

/* Takes option C (ARG) into S: 1 when C is none of these, 0 when taken,
 * -1 after printing the error.  */
int ferry_cli_systemd_option (int c, const char *arg, struct ferry_cli_systemd *s);

/* The command line that runs (/proc/self/cmdline) as S's create command,
 * whose last TRAILING words are the image and its command.  */
void ferry_cli_systemd_command_line (struct ferry_cli_systemd *s, int trailing);

void ferry_cli_systemd_release (struct ferry_cli_systemd *s);

#endif
