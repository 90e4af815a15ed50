#include "base64.h"
#include "xalloc.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *
alphabet (enum ferry_base64_encoding enc)
{
  if (enc == FERRY_BASE64_URL || enc == FERRY_BASE64_RAW_URL)
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

static bool
padded (enum ferry_base64_encoding enc)
{
  return enc == FERRY_BASE64_STD || enc == FERRY_BASE64_URL;
}

char *
ferry_base64_encode (enum ferry_base64_encoding enc, const void *data, size_t len)
{
  const unsigned char *in = data;
  const char *a = alphabet (enc);
  char *out = xmalloc (4 * ((len + 2) / 3) + 1), *o = out;
  size_t i;

  for (i = 0; i + 3 <= len; i += 3)
    {
      uint32_t v = (uint32_t) in[i] << 16 | (uint32_t) in[i + 1] << 8 | in[i + 2];
      *o++ = a[v >> 18];
      *o++ = a[(v >> 12) & 63];
      *o++ = a[(v >> 6) & 63];
      *o++ = a[v & 63];
    }
  if (i < len)
    {
      bool two = i + 1 < len;
      uint32_t v = (uint32_t) in[i] << 16 | (two ? (uint32_t) in[i + 1] << 8 : 0);

      *o++ = a[v >> 18];
      *o++ = a[(v >> 12) & 63];
      if (two)
        *o++ = a[(v >> 6) & 63];
      if (padded (enc))
        {
          if (! two)
            *o++ = '=';
          *o++ = '=';
        }
    }
  *o = '\0';
  return out;
}

size_t
ferry_base64_decoded_max (size_t len)
{
  /* A padded text decodes to at most LEN / 4 * 3; a raw one to
   * LEN * 6 / 8: both fit.  */
  return len / 4 * 3 + 2;
}

static int
sextet (const char *a, unsigned char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == (unsigned char) a[62])
    return 62;
  if (c == (unsigned char) a[63])
    return 63;
  return -1;
}

static bool
newline (unsigned flags, char c)
{
  return (c == '\n' || c == '\r') && ! (flags & FERRY_BASE64_NO_NEWLINES);
}

static size_t
skip_newlines (unsigned flags, const char *text, size_t len, size_t i)
{
  while (i < len && newline (flags, text[i]))
    i++;
  return i;
}

/* One quantum from TEXT at *I, as Go's decoder reads it: up to four
 * characters (newlines skipped), or fewer at the end of a raw text or
 * before the padding, which must then end the text.  Writes 0 to 3 bytes
 * at OUT: their number, or -1 with *BAD.  */
static int
decode_quantum (enum ferry_base64_encoding enc, unsigned flags, const char *text, size_t len, size_t *i,
                unsigned char *out, size_t *bad)
{
  const char *a = alphabet (enc);
  uint32_t q[4] = { 0 }, v;
  size_t have = 0;
  ssize_t garbage = -1;

  while (have < 4)
    {
      unsigned char c;
      int d;

      if (*i == len)
        {
          if (have == 0)
            return 0;
          if (have == 1 || padded (enc))
            {
              *bad = *i - have;
              return -1;
            }
          break;
        }
      c = (unsigned char) text[(*i)++];
      d = sextet (a, c);
      if (d >= 0)
        {
          q[have++] = (uint32_t) d;
          continue;
        }
      if (newline (flags, (char) c))
        continue;
      if (! padded (enc) || c != '=' || have < 2)
        {
          *bad = *i - 1;
          return -1;
        }
      if (have == 2)
        {
          /* "xx==": the second '=' must come, after any newlines.  */
          *i = skip_newlines (flags, text, len, *i);
          if (*i == len)
            {
              *bad = len;
              return -1;
            }
          if (text[*i] != '=')
            {
              *bad = *i - 1;
              return -1;
            }
          (*i)++;
        }
      *i = skip_newlines (flags, text, len, *i);
      /* Go reports what follows the padding after the strict check.  */
      if (*i < len)
        garbage = (ssize_t) *i;
      break;
    }
  v = q[0] << 18 | q[1] << 12 | q[2] << 6 | q[3];
  if ((flags & FERRY_BASE64_STRICT) && have == 3 && (v & 0xff) != 0)
    {
      *bad = *i - 1;
      return -1;
    }
  if ((flags & FERRY_BASE64_STRICT) && have == 2 && (v & 0xffff) != 0)
    {
      *bad = *i - 2;
      return -1;
    }
  if (garbage >= 0)
    {
      *bad = (size_t) garbage;
      return -1;
    }
  out[0] = (unsigned char) (v >> 16);
  out[1] = (unsigned char) (v >> 8);
  out[2] = (unsigned char) v;
  return (int) have - 1;
}

ssize_t
ferry_base64_decode_to (enum ferry_base64_encoding enc, unsigned flags, const char *text, size_t len,
                        unsigned char *out, size_t *bad)
{
  size_t i = 0, n = 0, ignored;

  if (bad == NULL)
    bad = &ignored;
  while (i < len)
    {
      unsigned char three[3];
      int got = decode_quantum (enc, flags, text, len, &i, three, bad);

      if (got < 0)
        {
          /* What was decoded may be a secret (a password, a key).  */
          explicit_bzero (out, n);
          return -1;
        }
      memcpy (out + n, three, (size_t) got);
      n += (size_t) got;
      if (got < 3)
        break;
    }
  return (ssize_t) n;
}

unsigned char *
ferry_base64_decode (enum ferry_base64_encoding enc, unsigned flags, const char *text, size_t len,
                     size_t *out_len, size_t *bad)
{
  size_t room = ferry_base64_decoded_max (len) + 1;
  unsigned char *out = xmalloc (room);
  ssize_t n = ferry_base64_decode_to (enc, flags, text, len, out, bad);

  if (n < 0)
    {
      free (out);
      return NULL;
    }
  out[n] = '\0';
  *out_len = (size_t) n;
  return out;
}
