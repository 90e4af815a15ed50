/* ferry CLI: --external of ps and container exists, Podman's flags for
 * the containers in storage that no record names (engine/sweep.h).  */
#ifndef FERRY_CLI_EXTERNAL_H
#define FERRY_CLI_EXTERNAL_H

#include "engine/engine.h"

#include <json-c/json.h>
#include <stddef.h>

enum
{
  OPT_EXTERNAL = 0x1d00,
  OPT_EXTERNAL_WATCH, /* ps --watch, beside it */
};

#define FERRY_EXTERNAL_OPTION                                                                                \
  {                                                                                                          \
    "external", no_argument, NULL, OPT_EXTERNAL                                                              \
  }

/* 1 when REF is the ID, or a prefix of the ID of just one, of the
 * containers ferry's storage holds without a record; 0 when not; -1
 * after printing the error.  */
int ferry_cli_external_exists (ferry_engine_t *e, const char *ref);

/* ps's rows of those containers (Podman's: status Storage, no name, no
 * image, no command), ID in full with NO_TRUNC; *N of them; NULL with
 * -1 after printing the error.  */
json_object **ferry_cli_external_rows (ferry_engine_t *e, int no_trunc, size_t *n);

#endif
