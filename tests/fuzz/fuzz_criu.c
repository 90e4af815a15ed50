/* libFuzzer target: the CRIU images ferry reads itself, from a
 * checkpoint it made or an archive it imports: stats-dump and
 * stats-restore (src/lib/archive/criu_stats.c, a protobuf decoder of its
 * own) and mountpoints-N.img (ferry_spec_images_bind_masks, which looks
 * for a bundle's masked directories in it).
 *
 * The input is the file; its last byte picks which (even: statistics,
 * odd: a mountpoints image).  Beyond the sanitizers' findings: every
 * refusal is one line naming the file, and what the statistics give is
 * an object of non-negative integers.
 *
 * Files are written under $FERRY_FUZZ_ROOT (default /tmp/ferry-fuzz-criu).
 *
 * Built only with -Dfuzz=true and clang (tests/fuzz/README).  */
#include "archive/criu_stats.h"
#include "runtime/spec.h"
#include "refusal.h"
#include "util/error.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

static char dir[4096], stats_path[4200], mounts_path[4200];

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  const char *base = getenv ("FERRY_FUZZ_ROOT");

  (void) argc;
  (void) argv;
  snprintf (dir, sizeof (dir), "%s", base && *base ? base : "/tmp/ferry-fuzz-criu");
  snprintf (stats_path, sizeof (stats_path), "%s/stats-dump", dir);
  snprintf (mounts_path, sizeof (mounts_path), "%s/mountpoints-13.img", dir);
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    abort ();
  return 0;
}

static void
write_file (const char *path, const uint8_t *data, size_t len)
{
  FILE *f = fopen (path, "we");

  if (f == NULL || fwrite (data, 1, len, f) != len || fclose (f) != 0)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  ferry_error_t err = NULL;

  if (size == 0)
    return 0;
  if (data[size - 1] & 1)
    {
      unlink (stats_path);
      write_file (mounts_path, data, size - 1);
      (void) ferry_spec_images_bind_masks (dir);
      return 0;
    }
  unlink (mounts_path);
  write_file (stats_path, data, size - 1);
  {
    json_object *stats = ferry_criu_stats_parse (stats_path, &err);

    if (stats == NULL)
      {
        fuzz_refusal (&err, stats_path);
        return 0;
      }
    if (! json_object_is_type (stats, json_type_object))
      abort ();
    json_object_object_foreach (stats, key, v)
    {
      if (! json_object_is_type (v, json_type_int) || json_object_get_int64 (v) < 0)
        {
          fprintf (stderr, "statistic %s is %s\n", key, json_object_to_json_string (v));
          abort ();
        }
    }
    json_object_put (stats);
  }
  return 0;
}
