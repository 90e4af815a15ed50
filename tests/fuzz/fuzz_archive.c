/* libFuzzer target: a checkpoint archive as `restore --import` and
 * `checkpoint inspect` read it (src/lib/archive/reader.c), whole: the
 * age header of an encrypted one, the gzip or zstd framing, the tar
 * headers and names (pax, GNU long names, sparse files, links), the
 * parts of a split file, manifest.json and manifest.sig, and the
 * check of every entry against the manifest.
 *
 * The input is the archive itself; its last byte picks how it is read
 * (bit 0: scanned, keeping config.dump and spec.dump, or extracted; bit 1:
 * an archive without a manifest accepted as unverified, as a Podman
 * one is), so that a real archive as a seed still starts with its magic.
 * An encrypted one is opened with the identity whose 32 bytes are all
 * 0x2a (the seeds were written to its recipient).  It is extracted into
 * the cage (cage.h), which must be left as it was: beyond the
 * sanitizers' findings, a file written outside the destination aborts.
 * Every refusal must be one line.
 *
 * Built only with -Dfuzz=true and clang (tests/fuzz/README).  */
#include "cage.h"

#include "archive/archive.h"
#include "util/age.h"
#include "refusal.h"
#include "util/error.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

static struct ferry_age_key identity;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  (void) argc;
  (void) argv;
  memset (identity.bytes, 0x2a, sizeof (identity.bytes));
  cage_init ("archive");
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const struct ferry_archive_keys keys = { &identity, 1 };
  static const char *const keep[] = { "config.dump", "spec.dump", NULL };
  ferry_error_t err = NULL;
  unsigned mode;
  int fd;

  if (size == 0)
    return 0;
  mode = data[size - 1];
  fd = cage_input_fd (data, size - 1);
  if (mode & 1)
    {
      struct ferry_archive_contents contents;
      struct ferry_archive_proof proof = { 0 };

      if (ferry_archive_scan (fd, &keys, keep, "fuzz archive", &contents, &proof, &err) < 0)
        fuzz_refusal (&err, NULL);
      else
        {
          for (size_t i = 0; i < contents.n; i++)
            if (strlen (contents.data[i]) > contents.lens[i])
              abort ();
        }
      ferry_archive_contents_release (&contents);
      ferry_archive_proof_release (&proof);
    }
  else
    {
      struct ferry_archive_proof proof = { 0 };

      cage_begin ();
      if (ferry_archive_extract_proven (fd, &keys, cage_dest, NULL,
                                        (mode & 2) ? FERRY_ARCHIVE_UNVERIFIED_OK : 0, "fuzz archive", &proof,
                                        &err)
          < 0)
        fuzz_refusal (&err, NULL);
      ferry_archive_proof_release (&proof);
      cage_end ();
    }
  close (fd);
  return 0;
}
