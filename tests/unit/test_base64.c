/* Unit tests for src/lib/util/base64.c.  The known answers are RFC 4648's
 * and the cases Go's encoding/base64 holds itself to (its pairs, the
 * offsets of its CorruptInputError, Strict), since ferry's callers must
 * answer as Go does.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/base64.h"
#include "util/cleanup.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct
{
  const char *decoded, *encoded;
} pairs[] = {
  /* RFC 3548 */
  { "\x14\xfb\x9c\x03\xd9\x7e", "FPucA9l+" },
  { "\x14\xfb\x9c\x03\xd9", "FPucA9k=" },
  { "\x14\xfb\x9c\x03", "FPucAw==" },
  /* RFC 4648 */
  { "", "" },
  { "f", "Zg==" },
  { "fo", "Zm8=" },
  { "foo", "Zm9v" },
  { "foob", "Zm9vYg==" },
  { "fooba", "Zm9vYmE=" },
  { "foobar", "Zm9vYmFy" },
  { "sure.", "c3VyZS4=" },
  { "sure", "c3VyZQ==" },
  { "sur", "c3Vy" },
  { "su", "c3U=" },
  { "leasure.", "bGVhc3VyZS4=" },
  { "easure.", "ZWFzdXJlLg==" },
  { "asure.", "YXN1cmUu" },
};

/* REF (standard, padded) as ENC writes it.  */
static char *
as_encoding (const char *ref, enum ferry_base64_encoding enc)
{
  char *s = strdup (ref);
  size_t n = strlen (s);

  for (char *p = s; *p; p++)
    if (enc == FERRY_BASE64_URL || enc == FERRY_BASE64_RAW_URL)
      *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
  if (enc == FERRY_BASE64_RAW_STD || enc == FERRY_BASE64_RAW_URL)
    while (n > 0 && s[n - 1] == '=')
      s[--n] = '\0';
  return s;
}

static void
test_pairs (void **state)
{
  static const enum ferry_base64_encoding encs[]
      = { FERRY_BASE64_STD, FERRY_BASE64_RAW_STD, FERRY_BASE64_URL, FERRY_BASE64_RAW_URL };
  static const unsigned flags[] = { 0, FERRY_BASE64_STRICT, FERRY_BASE64_STRICT | FERRY_BASE64_NO_NEWLINES };

  (void) state;
  for (size_t i = 0; i < sizeof (pairs) / sizeof (pairs[0]); i++)
    for (size_t e = 0; e < 4; e++)
      {
        size_t len = strlen (pairs[i].decoded);
        cleanup_free char *want = as_encoding (pairs[i].encoded, encs[e]);
        cleanup_free char *got = ferry_base64_encode (encs[e], pairs[i].decoded, len);

        assert_string_equal (got, want);
        for (size_t f = 0; f < 3; f++)
          {
            size_t n = 99, bad = 99;
            cleanup_free unsigned char *back
                = ferry_base64_decode (encs[e], flags[f], want, strlen (want), &n, &bad);

            assert_non_null (back);
            assert_int_equal (n, len);
            assert_memory_equal (back, pairs[i].decoded, len);
            assert_int_equal (back[n], '\0');
            assert_true (n <= ferry_base64_decoded_max (strlen (want)));
          }
      }
}

/* Go's TestDecodeCorrupt: StdEncoding, the offset it reports (-1: none).  */
static void
test_corrupt_offsets (void **state)
{
  static const struct
  {
    const char *in;
    long offset;
  } cases[] = {
    { "", -1 },       { "\n", -1 },         { "AAA=\n", -1 }, { "AAAA\n", -1 }, { "!!!!", 0 },
    { "====", 0 },    { "x===", 1 },        { "=AAA", 0 },    { "A=AA", 1 },    { "AA=A", 2 },
    { "AA==A", 4 },   { "AAA=AAAA", 4 },    { "AAAAA", 4 },   { "AAAAAA", 4 },  { "A=", 1 },
    { "A==", 1 },     { "AA=", 3 },         { "AA==", -1 },   { "AAA=", -1 },   { "AAAA", -1 },
    { "AAAAAA=", 7 }, { "YWJjZA=====", 8 }, { "A!\n", 1 },    { "A=\n", 1 },
  };

  (void) state;
  for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++)
    {
      size_t n = 0, bad = 12345;
      cleanup_free unsigned char *out
          = ferry_base64_decode (FERRY_BASE64_STD, 0, cases[i].in, strlen (cases[i].in), &n, &bad);

      if (cases[i].offset < 0)
        {
          if (out == NULL)
            fail_msg ("%s: refused at %zu", cases[i].in, bad);
        }
      else if (out != NULL || bad != (size_t) cases[i].offset)
        fail_msg ("%s: want offset %ld, got %s %zu", cases[i].in, cases[i].offset, out ? "no error" : "",
                  bad);
    }
}

/* Go's TestNewLineCharacters: CR and LF anywhere are skipped, unless
 * the caller wants the one canonical text.  */
static void
test_newlines (void **state)
{
  static const char *const texts[] = {
    "c29tZQ==",     "c29tZQ==\r",   "c29tZQ==\n",   "c29tZQ==\r\n", "c29tZQ=\r\n=",
    "c29t\r\nZQ==", "c29tZ\r\nQ==", "c29tZQ\r\n==", "c29tZQ=\r=",   "c\r\n29t\r\nZ\r\nQ\r\n=\r\n=",
  };

  (void) state;
  for (size_t i = 0; i < sizeof (texts) / sizeof (texts[0]); i++)
    {
      size_t n = 0, bad = 0;
      cleanup_free unsigned char *out
          = ferry_base64_decode (FERRY_BASE64_STD, 0, texts[i], strlen (texts[i]), &n, &bad);
      cleanup_free unsigned char *canonical = ferry_base64_decode (FERRY_BASE64_STD, FERRY_BASE64_NO_NEWLINES,
                                                                   texts[i], strlen (texts[i]), &n, &bad);

      assert_non_null (out);
      assert_string_equal ((char *) out, "some");
      if (i == 0)
        assert_non_null (canonical);
      else
        assert_null (canonical);
    }
}

/* Go's Strict(): stray bits after the last byte are refused, with the
 * offset Go gives (its issue 15656); without it they are dropped.  */
static void
test_strict (void **state)
{
  size_t n = 0, bad = 0;
  cleanup_free unsigned char *lax = NULL, *ok = NULL;

  (void) state;
  assert_null (
      ferry_base64_decode (FERRY_BASE64_STD, FERRY_BASE64_STRICT, "WvLTlMrX9NpYDQlEIFlnDB==", 24, &n, &bad));
  assert_int_equal (bad, 22);
  ok = ferry_base64_decode (FERRY_BASE64_STD, FERRY_BASE64_STRICT, "WvLTlMrX9NpYDQlEIFlnDA==", 24, &n, &bad);
  assert_non_null (ok);
  lax = ferry_base64_decode (FERRY_BASE64_STD, 0, "WvLTlMrX9NpYDQlEIFlnDB==", 24, &n, &bad);
  assert_non_null (lax);
  assert_memory_equal (lax, ok, n);
  /* Three characters: the last one's low two bits.  */
  assert_null (ferry_base64_decode (FERRY_BASE64_RAW_STD, FERRY_BASE64_STRICT, "Zm9", 3, &n, &bad));
  assert_int_equal (bad, 2);
  assert_null (ferry_base64_decode (FERRY_BASE64_RAW_URL, FERRY_BASE64_STRICT, "Zh", 2, &n, &bad));
  assert_int_equal (bad, 0);
}

/* What the raw encodings and the URL alphabet refuse.  */
static void
test_alphabets_and_padding (void **state)
{
  static const unsigned char bytes[] = { 0xfb, 0xff, 0x00, 0x10, 0x20 };
  size_t n = 0, bad = 0;
  cleanup_free char *std = ferry_base64_encode (FERRY_BASE64_STD, bytes, 5);
  cleanup_free char *url = ferry_base64_encode (FERRY_BASE64_RAW_URL, bytes, 5);

  (void) state;
  assert_string_equal (std, "+/8AECA=");
  assert_string_equal (url, "-_8AECA");
  /* Padding missing, padding in a raw text, the other alphabet.  */
  assert_null (ferry_base64_decode (FERRY_BASE64_STD, 0, "+/8AECA", 7, &n, &bad));
  assert_int_equal (bad, 4);
  assert_null (ferry_base64_decode (FERRY_BASE64_RAW_URL, 0, "-_8AECA=", 8, &n, &bad));
  assert_int_equal (bad, 7);
  assert_null (ferry_base64_decode (FERRY_BASE64_STD, 0, "-_8AECA=", 8, &n, &bad));
  assert_int_equal (bad, 0);
  assert_null (ferry_base64_decode (FERRY_BASE64_URL, 0, "+/8AECA=", 8, &n, &bad));
  assert_int_equal (bad, 0);
  /* One character is never a byte.  */
  assert_null (ferry_base64_decode (FERRY_BASE64_RAW_URL, 0, "a", 1, &n, &bad));
  assert_int_equal (bad, 0);
  assert_null (ferry_base64_decode (FERRY_BASE64_RAW_STD, 0, "AAAAa", 5, &n, &bad));
  assert_int_equal (bad, 4);
  /* A NUL byte is a bad byte, not the end.  */
  assert_null (ferry_base64_decode (FERRY_BASE64_STD, 0, "AA\0A", 4, &n, &bad));
  assert_int_equal (bad, 2);
}

/* The forms the encrypted-layer annotations (standard) and JWE (raw
 * base64url) take, canonical only: the cases test_encrypt held when jwe.c
 * had a decoder of its own.  */
static void
test_canonical_forms (void **state)
{
  static const unsigned char bytes[] = { 0xfb, 0xff, 0x00, 0x10, 0x20 };
  size_t n = 0;
  cleanup_free char *std = ferry_base64_encode (FERRY_BASE64_STD, bytes, 5);
  cleanup_free char *url = ferry_base64_encode (FERRY_BASE64_RAW_URL, bytes, 5);
  cleanup_free unsigned char *a = NULL, *b = NULL;

  (void) state;
  a = ferry_base64_decode (FERRY_BASE64_STD, FERRY_BASE64_CANONICAL, std, strlen (std), &n, NULL);
  assert_non_null (a);
  assert_int_equal (n, 5);
  assert_memory_equal (a, bytes, 5);
  b = ferry_base64_decode (FERRY_BASE64_RAW_URL, FERRY_BASE64_CANONICAL, url, strlen (url), &n, NULL);
  assert_non_null (b);
  assert_memory_equal (b, bytes, 5);
  assert_null (ferry_base64_decode (FERRY_BASE64_STD, FERRY_BASE64_CANONICAL, "+/8AECA", 7, &n, NULL));
  assert_null (ferry_base64_decode (FERRY_BASE64_STD, FERRY_BASE64_CANONICAL, "+/8AECB=", 8, &n, NULL));
  assert_null (ferry_base64_decode (FERRY_BASE64_RAW_URL, FERRY_BASE64_CANONICAL, "-_8AECA=", 8, &n, NULL));
  assert_null (ferry_base64_decode (FERRY_BASE64_RAW_URL, FERRY_BASE64_CANONICAL, "a", 1, &n, NULL));
  assert_null (ferry_base64_decode (FERRY_BASE64_STD, FERRY_BASE64_CANONICAL, "+/8A\nECA=", 9, &n, NULL));
  assert_null (
      ferry_base64_decode (FERRY_BASE64_RAW_URL, FERRY_BASE64_CANONICAL, "-_8A\r\nECA", 9, &n, NULL));
}

/* ferry_base64_decode_to writes no more than decoded_max says.  */
static void
test_decode_to_bounds (void **state)
{
  static const char *const texts[] = { "", "AA", "AAA", "AAAA", "AAAAAA", "AAAAAAA", "AAAAAAAA" };

  (void) state;
  for (size_t i = 0; i < sizeof (texts) / sizeof (texts[0]); i++)
    {
      size_t len = strlen (texts[i]), max = ferry_base64_decoded_max (len), bad = 0;
      unsigned char buf[16];
      ssize_t n;

      memset (buf, 0xa5, sizeof (buf));
      n = ferry_base64_decode_to (FERRY_BASE64_RAW_STD, 0, texts[i], len, buf, &bad);
      assert_true (n >= 0);
      assert_true ((size_t) n <= max);
      for (size_t j = max; j < sizeof (buf); j++)
        assert_int_equal (buf[j], 0xa5);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_pairs),
    cmocka_unit_test (test_corrupt_offsets),
    cmocka_unit_test (test_newlines),
    cmocka_unit_test (test_strict),
    cmocka_unit_test (test_alphabets_and_padding),
    cmocka_unit_test (test_canonical_forms),
    cmocka_unit_test (test_decode_to_bounds),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
