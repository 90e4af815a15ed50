/* Unit tests for src/lib/util/age.c: the age format, sealed and opened in
 * memory.  (tests/system/049-encrypted-archives.bats opens ferry's files
 * with the `age` tool and the other way round.)  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/age.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The example identity and recipient of the specification (c2sp.org/age).  */
#define SPEC_IDENTITY "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"
#define SPEC_RECIPIENT "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"

static char dir[] = "/tmp/ferry-test-age-XXXXXX";

/* A byte string read in pieces of at most STEP bytes.  */
struct memsrc
{
  const unsigned char *data;
  size_t len, pos, step;
};

static ssize_t
mem_read (void *arg, void *buf, size_t len)
{
  struct memsrc *m = arg;
  size_t n = m->len - m->pos;

  if (n > len)
    n = len;
  if (n > m->step)
    n = m->step;
  memcpy (buf, m->data + m->pos, n);
  m->pos += n;
  return (ssize_t) n;
}

static char *
write_file (const char *name, const char *text)
{
  char *path = xasprintf ("%s/%s", dir, name);
  FILE *f = fopen (path, "w");

  assert_non_null (f);
  fputs (text, f);
  fclose (f);
  return path;
}

static void
load_spec_identity (struct ferry_age_key **ids, size_t *n)
{
  cleanup_free char *path
      = write_file ("id.txt", "# created: now\n# public key: " SPEC_RECIPIENT "\n" SPEC_IDENTITY "\n");
  ferry_error_t err = NULL;

  assert_int_equal (ferry_age_identities_load (path, ids, n, &err), 0);
  assert_int_equal (*n, 1);
}

/* PLAIN (LEN bytes) sealed for the specification's recipient.  */
static unsigned char *
seal (const unsigned char *plain, size_t len, size_t *out_len)
{
  struct ferry_age_key *r = NULL;
  size_t n = 0, header_len, chunks = len == 0 ? 1 : (len + FERRY_AGE_CHUNK - 1) / FERRY_AGE_CHUNK, i;
  ferry_error_t err = NULL;
  unsigned char *header = NULL, *out;
  ferry_age_seal_t *s;

  assert_int_equal (ferry_age_recipients_add (SPEC_RECIPIENT, &r, &n, &err), 0);
  s = ferry_age_seal_new (r, n, &header, &header_len, &err);
  assert_non_null (s);
  *out_len = header_len + len + chunks * FERRY_AGE_TAG;
  out = xmalloc (*out_len);
  memcpy (out, header, header_len);
  for (i = 0; i < chunks; i++)
    {
      size_t at = i * FERRY_AGE_CHUNK, n_plain = len - at < FERRY_AGE_CHUNK ? len - at : FERRY_AGE_CHUNK;
      assert_int_equal (ferry_age_seal_chunk (s, i, i + 1 == chunks, plain + at, n_plain,
                                              out + ferry_age_chunk_offset (header_len, i), &err),
                        0);
    }
  ferry_age_seal_free (s);
  free (header);
  free (r);
  return out;
}

/* Opens SEALED; returns the plaintext, or NULL with *WHY the error.  */
static unsigned char *
open_all (const unsigned char *sealed, size_t len, size_t step, size_t *plain_len, char **why)
{
  struct ferry_age_key *ids = NULL;
  size_t n = 0, got = 0;
  struct memsrc m = { sealed, len, 0, step };
  ferry_error_t err = NULL;
  ferry_age_open_t *o;
  unsigned char *plain = xmalloc (len + 1);

  load_spec_identity (&ids, &n);
  o = ferry_age_open_new (mem_read, &m, ids, n, "test", &err);
  free (ids);
  *why = NULL;
  if (o == NULL)
    {
      *why = xstrdup (err->msg);
      ferry_error_release (&err);
      free (plain);
      return NULL;
    }
  assert_true (ferry_age_open_encrypted (o));
  for (;;)
    {
      /* Reads of varied sizes, some below and some above a chunk.  */
      size_t want = (got / 7) % 2 ? 1000 : 200000;
      ssize_t r;

      if (want > len + 1 - got)
        want = len + 1 - got;
      r = ferry_age_open_read (o, plain + got, want);
      if (r < 0)
        {
          *why = xstrdup (ferry_age_open_error (o));
          ferry_age_open_free (o);
          free (plain);
          return NULL;
        }
      if (r == 0)
        break;
      got += (size_t) r;
    }
  ferry_age_open_free (o);
  *plain_len = got;
  return plain;
}

static void
test_spec_keys (void **state)
{
  struct ferry_age_key *ids = NULL;
  size_t n = 0;
  cleanup_free char *recipient = NULL;

  (void) state;
  load_spec_identity (&ids, &n);
  recipient = ferry_age_identity_recipient (&ids[0]);
  assert_string_equal (recipient, SPEC_RECIPIENT);
  free (ids);
}

static void
test_bad_keys (void **state)
{
  struct ferry_age_key *keys = NULL, *ids = NULL;
  size_t n = 0, n_ids = 0;
  ferry_error_t err = NULL;
  cleanup_free char *mixed = xstrdup (SPEC_RECIPIENT), *flipped = xstrdup (SPEC_RECIPIENT);
  cleanup_free char *bad_ids = write_file ("bad-ids.txt", "# a comment\nAGE-SECRET-KEY-1QQQQ\n");
  cleanup_free char *empty = write_file ("empty.txt", "# nothing\n\n");

  (void) state;
  mixed[5] = 'V';
  flipped[10] = flipped[10] == 'q' ? 'p' : 'q';
  assert_true (ferry_age_recipients_add (mixed, &keys, &n, &err) < 0);
  ferry_error_release (&err);
  assert_true (ferry_age_recipients_add (flipped, &keys, &n, &err) < 0);
  assert_non_null (strstr (err->msg, "checksum"));
  ferry_error_release (&err);
  assert_true (ferry_age_recipients_add ("ssh-ed25519 AAAA", &keys, &n, &err) < 0);
  assert_non_null (strstr (err->msg, "not an X25519 age recipient"));
  ferry_error_release (&err);
  assert_true (ferry_age_recipients_add (empty, &keys, &n, &err) < 0);
  assert_non_null (strstr (err->msg, "no recipient"));
  ferry_error_release (&err);
  assert_int_equal (n, 0);
  assert_true (ferry_age_identities_load (bad_ids, &ids, &n_ids, &err) < 0);
  assert_non_null (strstr (err->msg, "not an age identity file"));
  ferry_error_release (&err);
  assert_true (ferry_age_identities_load (empty, &ids, &n_ids, &err) < 0);
  ferry_error_release (&err);
  free (keys);
}

static void
test_round_trip (void **state)
{
  static const size_t sizes[] = { 0,
                                  1,
                                  FERRY_AGE_CHUNK - 1,
                                  FERRY_AGE_CHUNK,
                                  FERRY_AGE_CHUNK + 1,
                                  3 * FERRY_AGE_CHUNK,
                                  20 * FERRY_AGE_CHUNK + 17 };
  size_t i, j;

  (void) state;
  for (i = 0; i < sizeof (sizes) / sizeof (sizes[0]); i++)
    {
      size_t len = sizes[i], sealed_len, plain_len = 0;
      cleanup_free unsigned char *plain = xmalloc (len + 1), *sealed = NULL, *back = NULL;
      cleanup_free char *why = NULL;

      for (j = 0; j < len; j++)
        plain[j] = (unsigned char) (j * 7 + i);
      sealed = seal (plain, len, &sealed_len);
      back = open_all (sealed, sealed_len, i % 2 ? 4096 : sealed_len, &plain_len, &why);
      assert_null (why);
      assert_int_equal (plain_len, len);
      assert_memory_equal (back, plain, len);
    }
}

static void
test_refused (void **state)
{
  size_t len = 3 * FERRY_AGE_CHUNK + 100, sealed_len, plain_len, header_len;
  cleanup_free unsigned char *plain = xmalloc0 (len), *sealed = seal (plain, len, &sealed_len);
  unsigned char *copy, *back;
  char *why;

  (void) state;
  header_len = sealed_len - len - 4 * FERRY_AGE_TAG;
  /* Cut at a chunk boundary: every chunk left authenticates, none is the
   * final one.  */
  back = open_all (sealed, ferry_age_chunk_offset (header_len, 2), sealed_len, &plain_len, &why);
  assert_null (back);
  assert_non_null (strstr (why, "truncated"));
  free (why);
  /* Cut inside a chunk, and right after the header.  */
  back = open_all (sealed, sealed_len - 50, sealed_len, &plain_len, &why);
  assert_null (back);
  assert_non_null (strstr (why, "chunk"));
  free (why);
  back = open_all (sealed, header_len, sealed_len, &plain_len, &why);
  assert_null (back);
  assert_non_null (strstr (why, "truncated"));
  free (why);
  /* A flipped bit in the payload, then in the header's stanza.  */
  copy = xmalloc (sealed_len + 1);
  memcpy (copy, sealed, sealed_len);
  copy[ferry_age_chunk_offset (header_len, 1) + 5] ^= 1;
  back = open_all (copy, sealed_len, sealed_len, &plain_len, &why);
  assert_null (back);
  assert_non_null (strstr (why, "does not authenticate"));
  free (why);
  /* Data after the final chunk.  */
  memcpy (copy, sealed, sealed_len);
  copy[sealed_len] = 0;
  back = open_all (copy, sealed_len + 1, sealed_len, &plain_len, &why);
  assert_null (back);
  free (why);
  /* The MAC line changed: the header no longer authenticates.  */
  memcpy (copy, sealed, sealed_len);
  {
    unsigned char *mac = memmem (copy, header_len, "\n--- ", 5);
    assert_non_null (mac);
    mac[6] = mac[6] == 'A' ? 'B' : 'A';
  }
  back = open_all (copy, sealed_len, sealed_len, &plain_len, &why);
  assert_null (back);
  assert_non_null (strstr (why, "MAC"));
  free (why);
  free (copy);
}

static void
test_wrong_identity (void **state)
{
  size_t sealed_len;
  cleanup_free unsigned char *plain = xmalloc0 (10), *sealed = seal (plain, 10, &sealed_len);
  cleanup_free char *path = write_file (
      "other.txt", "AGE-SECRET-KEY-1LPFPQPM05835DVZKGXUVFPPYLQ6VXM7PA8RYRQSXT8YPAQWDM2KQRMTNFE\n");
  struct ferry_age_key *ids = NULL;
  size_t n = 0;
  struct memsrc m = { sealed, sealed_len, 0, sealed_len };
  ferry_error_t err = NULL;

  (void) state;
  if (ferry_age_identities_load (path, &ids, &n, &err) < 0)
    fail_msg ("%s", err->msg);
  assert_null (ferry_age_open_new (mem_read, &m, ids, n, "test", &err));
  assert_non_null (strstr (err->msg, "no identity"));
  ferry_error_release (&err);
  m.pos = 0;
  assert_null (ferry_age_open_new (mem_read, &m, NULL, 0, "test", &err));
  assert_non_null (strstr (err->msg, "--decrypt-key"));
  ferry_error_release (&err);
  free (ids);
}

static void
test_passthrough (void **state)
{
  static const char text[] = "not encrypted at all, and longer than the magic";
  struct memsrc m = { (const unsigned char *) text, sizeof (text), 0, 5 };
  ferry_error_t err = NULL;
  char buf[sizeof (text) + 10];
  size_t got = 0;
  ssize_t r;
  ferry_age_open_t *o = ferry_age_open_new (mem_read, &m, NULL, 0, "test", &err);

  (void) state;
  assert_non_null (o);
  assert_false (ferry_age_open_encrypted (o));
  while ((r = ferry_age_open_read (o, buf + got, 7)) > 0)
    got += (size_t) r;
  assert_int_equal (got, sizeof (text));
  assert_memory_equal (buf, text, sizeof (text));
  ferry_age_open_free (o);
  assert_int_equal (ferry_age_count_stanzas ((const unsigned char *) text, sizeof (text)), 0);
}

static void
test_count_stanzas (void **state)
{
  size_t sealed_len;
  cleanup_free unsigned char *plain = xmalloc0 (10), *sealed = seal (plain, 10, &sealed_len);

  (void) state;
  assert_int_equal (ferry_age_count_stanzas (sealed, sealed_len), 1);
}

static int
setup (void **state)
{
  (void) state;
  return mkdtemp (dir) ? 0 : -1;
}

static int
teardown (void **state)
{
  cleanup_free char *cmd = xasprintf ("rm -rf %s", dir);

  (void) state;
  return system (cmd) == 0 ? 0 : -1;
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_spec_keys),      cmocka_unit_test (test_bad_keys),
    cmocka_unit_test (test_round_trip),     cmocka_unit_test (test_refused),
    cmocka_unit_test (test_wrong_identity), cmocka_unit_test (test_passthrough),
    cmocka_unit_test (test_count_stanzas),
  };

  return cmocka_run_group_tests (tests, setup, teardown);
}
