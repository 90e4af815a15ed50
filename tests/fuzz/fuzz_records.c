/* libFuzzer target: the JSON documents of a checkpoint archive that
 * restore --import reads before it creates anything: the ferry record
 * in config.dump (ferry_archive_record_check, then what it asks for
 * beyond a plain run), Podman's (and CRI-O's) config.dump, spec.dump and
 * network.status turned into a record (ferry_podman_archive_record), and
 * a ferry network.status (its tracked connections and the network
 * definitions a target lacking them creates).
 *
 * The input is up to three documents separated by NUL bytes; its last
 * byte picks the reader (bits 0-1: 0 and 3 the record check, the record
 * alone or as config.dump's `ferry` member; 1 Podman's archive; 2
 * network.status) and the restore's options (bit 2: --trust-archive; bit
 * 3: Podman's image ID replaced by the one of the image loaded at start,
 * so that the conversion gets past the store lookup).  Beyond the
 * sanitizers' findings: every refusal is one line, and a record made
 * from Podman's files is checked as any other is.
 *
 * Podman's archive needs an engine: it opens one with the root
 * $FERRY_FUZZ_ROOT (default /tmp/ferry-fuzz-records), and loads the
 * image archive $FERRY_FUZZ_IMAGE when set (tests/lib/build-test-image.sh
 * makes one).
 *
 * Built only with -Dfuzz=true and clang (tests/fuzz/README).  */
#include "engine/archive_record.h"
#include "engine/engine.h"
#include "engine/network.h"
#include "engine/podman_archive.h"
#include "image/load.h"
#include "refusal.h"
#include "util/error.h"
#include "util/json.h"

#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

static ferry_engine_t *engine;
static char image_id[80] = "0000000000000000000000000000000000000000000000000000000000000000";
static char staging[4200];

static void
die (const char *what, ferry_error_t *err)
{
  fprintf (stderr, "%s: %s\n", what, *err ? (*err)->msg : strerror (errno));
  abort ();
}

static int
remove_one (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) st;
  (void) ftw;
  return flag == FTW_DP ? rmdir (path) : unlink (path);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  const char *base = getenv ("FERRY_FUZZ_ROOT");
  const char *image = getenv ("FERRY_FUZZ_IMAGE");
  char root[4200], runroot[4200];
  ferry_error_t err = NULL;

  (void) argc;
  (void) argv;
  if (base == NULL || *base == '\0')
    base = "/tmp/ferry-fuzz-records";
  snprintf (root, sizeof (root), "%s/root", base);
  snprintf (runroot, sizeof (runroot), "%s/run", base);
  snprintf (staging, sizeof (staging), "%s/staging", base);
  nftw (base, remove_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
  if (mkdir (base, 0700) < 0 || mkdir (staging, 0700) < 0)
    die (base, &err);
  if (ferry_engine_open (root, runroot, NULL, NULL, "/dev/null", &engine, &err) < 0)
    die ("cannot open the engine", &err);
  if (image && *image)
    {
      struct ferry_load_report report = { 0 };

      if (ferry_image_load_policy (engine->store, image, "/dev/null", &report, &err) < 0)
        {
          /* No policy: a missing one accepts, an explicit one must exist.  */
          ferry_error_release (&err);
          if (ferry_image_load (engine->store, image, &report, &err) < 0)
            die ("cannot load the image", &err);
        }
      if (report.ids && report.ids[0])
        snprintf (image_id, sizeof (image_id), "%s", report.ids[0]);
      ferry_load_report_free (&report);
    }
  return 0;
}

static void
check_record (json_object *rec, int trust)
{
  char *sysctls[] = { "net.ipv4.ping_group_range=0 0", NULL };
  const struct ferry_restore_request r
      = { .import_path = "/fuzz/archive.tar", .trust_archive = trust, .plain_default_sysctls = sysctls };
  ferry_error_t err = NULL;

  if (ferry_archive_record_check (rec, &r, &err) < 0)
    {
      fuzz_refusal (&err, NULL);
      return;
    }
  free (ferry_archive_record_privileges (rec, sysctls));
}

static void
write_doc (const char *name, const char *text, size_t len)
{
  char path[4300];
  FILE *f;

  snprintf (path, sizeof (path), "%s/%s", staging, name);
  if (text == NULL)
    {
      unlink (path);
      return;
    }
  f = fopen (path, "we");
  if (f == NULL || fwrite (text, 1, len, f) != len || fclose (f) != 0)
    abort ();
}

static void
podman (const char *docs[3], const size_t lens[3], unsigned mode)
{
  ferry_error_t err = NULL;
  json_object *dump = ferry_json_parse (docs[0], lens[0], "config.dump", &err);
  json_object *rec;

  if (dump == NULL)
    {
      fuzz_refusal (&err, NULL);
      return;
    }
  if ((mode & 8) && json_object_is_type (dump, json_type_object))
    {
      json_object_object_add (dump, "rootfsImageID", json_object_new_string (image_id));
      json_object_object_add (dump, "rootfsImageRef", json_object_new_string (image_id));
    }
  write_doc ("spec.dump", docs[1], lens[1]);
  write_doc ("network.status", docs[2], lens[2]);
  rec = ferry_podman_archive_record (engine, dump, staging, "fuzz archive", &err);
  if (rec == NULL)
    fuzz_refusal (&err, NULL);
  else
    check_record (rec, mode & 4);
  json_object_put (rec);
  json_object_put (dump);
}

static void
network_status (const char *text, size_t len)
{
  ferry_error_t err = NULL;
  json_object *status = ferry_json_parse (text, len, "network.status", &err);

  if (status == NULL)
    {
      fuzz_refusal (&err, NULL);
      return;
    }
  if (ferry_network_conntrack_check (status, &err) < 0)
    fuzz_refusal (&err, NULL);
  if (json_object_is_type (status, json_type_object))
    {
      json_object_object_foreach (status, name, net)
      {
        json_object *def = ferry_json_get_object (net, "ferry_definition");

        (void) name;
        if (def && ferry_network_definition_check (def, "fuzz archive", &err) < 0)
          fuzz_refusal (&err, NULL);
      }
    }
  json_object_put (status);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *docs[3] = { NULL, NULL, NULL };
  size_t lens[3] = { 0, 0, 0 };
  char *text;
  size_t n = 0;
  unsigned mode;

  if (size == 0)
    return 0;
  mode = data[size - 1];
  text = malloc (size);
  if (text == NULL)
    abort ();
  memcpy (text, data, size - 1);
  text[size - 1] = '\0';
  for (char *p = text; n < 3; n++)
    {
      docs[n] = p;
      lens[n] = strlen (p);
      p += lens[n];
      if (p == text + size - 1)
        {
          n++;
          break;
        }
      p++;
    }
  switch (mode & 3)
    {
    case 0:
    case 3:
      {
        ferry_error_t err = NULL;
        json_object *doc = ferry_json_parse (docs[0], lens[0], "config.dump", &err);

        if (doc == NULL)
          fuzz_refusal (&err, NULL);
        else
          check_record ((mode & 3) == 3 ? ferry_json_get_object (doc, "ferry") : doc, mode & 4);
        json_object_put (doc);
        break;
      }
    case 1:
      podman (docs, lens, mode);
      break;
    case 2:
      network_status (docs[0], lens[0]);
      break;
    }
  free (text);
  return 0;
}
