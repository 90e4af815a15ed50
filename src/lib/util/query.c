/* ferry: URL query strings as Go's net/url reads and writes them
 * (query.h).  */
#include "query.h"
#include "cleanup.h"
#include "parse.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static int
unreserved (unsigned char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
         || c == '.' || c == '~';
}

char *
ferry_query_escape (const char *s)
{
  static const char hex[] = "0123456789ABCDEF";
  char *out = xmalloc (3 * strlen (s) + 1), *o = out;

  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    {
      if (unreserved (*p))
        *o++ = (char) *p;
      else if (*p == ' ')
        *o++ = '+';
      else
        {
          *o++ = '%';
          *o++ = hex[*p >> 4];
          *o++ = hex[*p & 15];
        }
    }
  *o = '\0';
  return out;
}

/* The first LEN bytes of S decoded as url.QueryUnescape decodes them
 * ('+' is a space), or NULL for a bad %-escape and for %00, which a C
 * string cannot hold.  */
static char *
unescape (const char *s, size_t len)
{
  cleanup_free char *out = xmalloc (len + 1);
  size_t o = 0;

  for (size_t i = 0; i < len; i++)
    {
      int hi, lo;

      if (s[i] != '%')
        {
          out[o++] = s[i] == '+' ? ' ' : s[i];
          continue;
        }
      if (i + 2 >= len)
        return NULL;
      hi = ferry_hex_digit (s[i + 1]);
      lo = ferry_hex_digit (s[i + 2]);
      if (hi < 0 || lo < 0 || (hi | lo) == 0)
        return NULL;
      out[o++] = (char) (hi << 4 | lo);
      i += 2;
    }
  out[o] = '\0';
  return steal_pointer (&out);
}

void
ferry_query_add (struct ferry_query *q, const char *key, const char *value)
{
  q->keys = xrealloc (q->keys, (q->n + 1) * sizeof (*q->keys));
  q->values = xrealloc (q->values, (q->n + 1) * sizeof (*q->values));
  q->keys[q->n] = xstrdup (key);
  q->values[q->n] = xstrdup (value);
  q->n++;
}

void
ferry_query_parse (struct ferry_query *q, const char *raw)
{
  while (raw && *raw)
    {
      size_t len = strcspn (raw, "&"), klen;
      const char *pair = raw;
      cleanup_free char *key = NULL, *value = NULL;

      raw += len + (raw[len] == '&');
      if (len == 0 || memchr (pair, ';', len))
        continue;
      klen = strcspn (pair, "=");
      if (klen > len)
        klen = len;
      key = unescape (pair, klen);
      value = klen < len ? unescape (pair + klen + 1, len - klen - 1) : xstrdup ("");
      if (key && value)
        ferry_query_add (q, key, value);
    }
}

/* The order of url.Values.Encode: by key, and the values of one key as
 * they came (a stable sort).  */
static int
sooner (const struct ferry_query *q, size_t a, size_t b)
{
  int c = strcmp (q->keys[a], q->keys[b]);

  return c < 0 || (c == 0 && a < b);
}

char *
ferry_query_encode (const struct ferry_query *q)
{
  cleanup_free size_t *order = xmalloc ((q->n + 1) * sizeof (*order));
  char *out = xstrdup ("");

  /* Insertion sort: a query has a handful of pairs.  */
  for (size_t i = 0; i < q->n; i++)
    {
      size_t j = i;

      for (; j > 0 && sooner (q, i, order[j - 1]); j--)
        order[j] = order[j - 1];
      order[j] = i;
    }
  for (size_t i = 0; i < q->n; i++)
    {
      cleanup_free char *k = ferry_query_escape (q->keys[order[i]]);
      cleanup_free char *v = ferry_query_escape (q->values[order[i]]);
      char *next = xasprintf ("%s%s%s=%s", out, i ? "&" : "", k, v);

      explicit_bzero (v, strlen (v));
      explicit_bzero (out, strlen (out));
      free (out);
      out = next;
    }
  return out;
}

void
ferry_query_release (struct ferry_query *q)
{
  for (size_t i = 0; i < q->n; i++)
    {
      free (q->keys[i]);
      /* A value may be a refresh token.  */
      explicit_bzero (q->values[i], strlen (q->values[i]));
      free (q->values[i]);
    }
  free (q->keys);
  free (q->values);
  memset (q, 0, sizeof (*q));
}
