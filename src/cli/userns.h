/* ferry CLI: run and create's user namespace flags (--userns, --uidmap,
 * --gidmap, --subuidname, --subgidname), into engine/userns.h's
 * options.  */
#ifndef FERRY_CLI_USERNS_H
#define FERRY_CLI_USERNS_H

#include "engine/userns.h"

#include <getopt.h>
#include <stddef.h>

enum
{
  OPT_USERNS_MODE = 0x1b00,
  OPT_USERNS_UIDMAP,
  OPT_USERNS_GIDMAP,
  OPT_USERNS_SUBUIDNAME,
  OPT_USERNS_SUBGIDNAME,
};

#define FERRY_USERNS_OPTIONS                                                                                 \
  { "userns", required_argument, NULL, OPT_USERNS_MODE },                                                    \
      { "uidmap", required_argument, NULL, OPT_USERNS_UIDMAP },                                              \
      { "gidmap", required_argument, NULL, OPT_USERNS_GIDMAP },                                              \
      { "subuidname", required_argument, NULL, OPT_USERNS_SUBUIDNAME },                                      \
  {                                                                                                          \
    "subgidname", required_argument, NULL, OPT_USERNS_SUBGIDNAME                                             \
  }

#define FERRY_USERNS_OPTIONS_HELP                                                                            \
  "      --gidmap CONTAINER:HOST[:SIZE]  map group IDs as --uidmap maps user IDs\n"                          \
  "                           (default: as --uidmap; repeatable)\n"                                          \
  "      --subgidname NAME    map group IDs with NAME's ranges in /etc/subgid\n"                             \
  "      --subuidname NAME    map user IDs with NAME's ranges in /etc/subuid (group IDs too\n"               \
  "                           without --subgidname)\n"                                                       \
  "      --uidmap CONTAINER:HOST[:SIZE]  run in a user namespace of its own where user IDs\n"                \
  "                           CONTAINER.. are host IDs HOST.. (SIZE of them, default 1;\n"                   \
  "                           repeatable); its image is seen through idmapped mounts\n"                      \
  "      --userns MODE        the user namespace: host (default, or \"\"), auto[:OPTS] (free\n"              \
  "                           IDs of user containers in /etc/subuid and /etc/subgid; OPTS:\n"                \
  "                           size=N, uidmapping=C:H:S, gidmapping=C:H:S), keep-id (all\n"                   \
  "                           IDs mapped to themselves, as root), container:NAME (another\n"                 \
  "                           container's, which must run) or ns:PATH (a namespace file);\n"                 \
  "                           nomap is for rootless Podman\n"

/* The options, with the lists they collect.  */
struct ferry_cli_userns
{
  struct ferry_userns_options o;
  size_t n_uidmap, n_gidmap;
};

/* Takes option C (ARG) into U: 1 when C is none of these, 0 when
 * taken.  */
int ferry_cli_userns_option (int c, const char *arg, struct ferry_cli_userns *u);

void ferry_cli_userns_release (struct ferry_cli_userns *u);

#endif
