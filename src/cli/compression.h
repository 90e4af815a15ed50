/* ferry CLI: push's layer compression flags, as Podman's push has them:
 * --compression-format, --compression-level and --force-compression, with
 * containers.conf's [engine] compression_format and compression_level as
 * their defaults.  */
#ifndef FERRY_CLI_COMPRESSION_H
#define FERRY_CLI_COMPRESSION_H

#include "image/pull.h"

#include <getopt.h>

enum
{
  OPT_COMPRESSION_FORMAT = 0x1e00,
  OPT_COMPRESSION_LEVEL,
  OPT_COMPRESSION_FORCE,
};

#define FERRY_COMPRESSION_FLAGS                                                                              \
  { "compression-format", required_argument, NULL, OPT_COMPRESSION_FORMAT },                                 \
      { "compression-level", required_argument, NULL, OPT_COMPRESSION_LEVEL },                               \
  {                                                                                                          \
    "force-compression", optional_argument, NULL, OPT_COMPRESSION_FORCE                                      \
  }

#define FERRY_COMPRESSION_FLAGS_HELP                                                                         \
  "      --compression-format FORMAT  gzip or zstd: how layers compressed anew are\n"                        \
  "                           compressed (default gzip, or containers.conf's\n"                              \
  "                           compression_format); uncompressed layers always are\n"                         \
  "      --compression-level N  the level of that compression (gzip 0 to 9, default 5;\n"                    \
  "                           zstd 1 to 22, default 3)\n"                                                    \
  "      --force-compression[=BOOL]  also compress anew layers stored compressed\n"                          \
  "                           otherwise (default: true when --compression-format is\n"                       \
  "                           given, else false)\n"

struct ferry_cli_compression_flags
{
  const char *format; /* --compression-format, NULL when not given */
  const char *level;  /* --compression-level */
  int force;          /* --force-compression: -1 when not given */
};

/* Handles OPT when it is one of FERRY_COMPRESSION_FLAGS: 1 done, 0 not one
 * of them, -1 bad value (error printed).  */
int ferry_cli_compression_option (int opt, const char *arg, struct ferry_cli_compression_flags *f);

/* After the options: O->compression from the flags, else from
 * containers.conf; -1 (error printed) for a bad value.  */
int ferry_cli_compression_finish (const struct ferry_cli_compression_flags *f,
                                  struct ferry_transfer_options *o);

#endif
