/* ferry CLI: push's layer compression flags (see compression.h).  */
#include "compression.h"
#include "common.h"
#include "engine/config.h"
#include "image/compress.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
parse_level (const char *arg, int *out)
{
  char *end;
  long n;

  errno = 0;
  n = strtol (arg, &end, 10);
  if (*arg == '\0' || *end != '\0')
    {
      ferry_cli_failf ("invalid argument \"%s\" for \"--compression-level\" flag: strconv.ParseInt: parsing "
                       "\"%s\": invalid syntax\nSee 'ferry push --help'",
                       arg, arg);
      return -1;
    }
  if (errno == ERANGE || n < INT_MIN || n > INT_MAX)
    {
      ferry_cli_failf ("invalid argument \"%s\" for \"--compression-level\" flag: strconv.ParseInt: "
                       "parsing \"%s\": value out of range\nSee 'ferry push --help'",
                       arg, arg);
      return -1;
    }
  *out = (int) n;
  return 0;
}

int
ferry_cli_compression_option (int opt, const char *arg, struct ferry_cli_compression_flags *f)
{
  switch (opt)
    {
    case OPT_COMPRESSION_FORMAT:
      f->format = arg;
      return 1;
    case OPT_COMPRESSION_LEVEL:
      f->level = arg;
      return 1;
    case OPT_COMPRESSION_FORCE:
      if (arg == NULL || strcmp (arg, "true") == 0 || strcmp (arg, "1") == 0)
        f->force = 1;
      else if (strcmp (arg, "false") == 0 || strcmp (arg, "0") == 0)
        f->force = 0;
      else
        {
          ferry_cli_failf ("invalid argument \"%s\" for \"--force-compression\" flag: strconv.ParseBool: "
                           "parsing \"%s\": invalid syntax",
                           arg, arg);
          return -1;
        }
      return 1;
    default:
      return 0;
    }
}

int
ferry_cli_compression_finish (const struct ferry_cli_compression_flags *f, struct ferry_transfer_options *o)
{
  struct ferry_config conf;
  ferry_error_t err = NULL;
  int r = 0;

  if (ferry_config_load (ferry_global.config, &conf, &err) < 0)
    {
      ferry_cli_fail (&err);
      return -1;
    }
  o->compression.force = f->force >= 0 ? f->force : f->format != NULL;
  if (f->format)
    r = ferry_compression_parse (f->format, &o->compression.format, &err);
  else if (conf.compression_format && strcmp (conf.compression_format, "zstd:chunked") == 0)
    {
      /* A setting for every push: it should not stop them all.  */
      ferry_cli_podman_warnf (
          "containers.conf's compression_format zstd:chunked is written as zstd: ferry does "
          "not write the chunked table of contents");
      o->compression.format = FERRY_COMPRESSION_ZSTD;
    }
  else if (conf.compression_format
           && ferry_compression_parse (conf.compression_format, &o->compression.format, &err) < 0)
    r = ferry_error_wrap (&err, "containers.conf: compression_format");
  if (r == 0 && f->level)
    {
      if (parse_level (f->level, &o->compression.level) < 0)
        {
          ferry_config_release (&conf);
          return -1;
        }
      o->compression.level_set = true;
    }
  else if (r == 0 && conf.compression_level_set)
    {
      o->compression.level = conf.compression_level;
      o->compression.level_set = true;
    }
  ferry_config_release (&conf);
  if (r < 0)
    {
      ferry_cli_fail (&err);
      return -1;
    }
  return 0;
}
