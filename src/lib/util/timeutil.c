#include "timeutil.h"
#include "xalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *
ferry_time_now (void)
{
  char buf[64];
  struct timespec ts;
  struct tm tm;

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (buf, sizeof (buf), "%Y-%m-%dT%H:%M:%S", &tm);
  return xasprintf ("%s.%09ldZ", buf, ts.tv_nsec);
}

int
ferry_time_parse (const char *s, struct timespec *out)
{
  struct tm tm = { 0 };
  const char *p;
  long nsec = 0, scale = 100000000;
  time_t t;

  if (s == NULL || (p = strptime (s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
    return -1;
  if (*p == '.')
    for (p++; isdigit ((unsigned char) *p); p++, scale /= 10)
      nsec += scale ? (*p - '0') * scale : 0;
  t = timegm (&tm);
  if (*p == '+' || *p == '-')
    {
      int sign = *p == '-' ? -1 : 1, hh = 0, mm = 0;
      /* The times come from archives and registries too: an offset of
       * hours that would overflow is no time at all.  */
      if (sscanf (p + 1, "%2d:%2d", &hh, &mm) >= 1 && (hh < 0 || hh > 24 || mm < 0 || mm > 59))
        return -1;
      t -= sign * (hh * 3600 + mm * 60);
    }
  out->tv_sec = t;
  out->tv_nsec = nsec;
  return 0;
}

/* True when S starts as a decimal number does: a sign, then a digit or a
 * point and a digit; not a hexadecimal one, nor "inf" or "nan".  */
static int
is_decimal_number_start (const char *s)
{
  if (*s == '+' || *s == '-')
    s++;
  if (*s == '.')
    s++;
  if (! isdigit ((unsigned char) *s))
    return 0;
  return ! (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'));
}

int
ferry_time_parse_user (const char *s, const struct timespec *now, int since, struct timespec *out)
{
  struct tm tm = { 0 };
  const char *p;
  char *end;
  int64_t dur;
  double d;

  if (s == NULL || *s == '\0')
    return -1;
  /* Unix seconds, with a sign, a fraction or an exponent ("-5", ".5",
   * "1e3"), as Podman reads any decimal number.  */
  d = strtod (s, &end);
  if (*end == '\0' && is_decimal_number_start (s))
    {
      /* Podman cannot read a number beyond a double's range ("1e400");
       * one beyond 64-bit seconds becomes, by Go's conversion on this
       * architecture, the earliest time there is.  */
      if (! isfinite (d))
        return -1;
      if (d >= 0x1p63 || d < -0x1p63)
        {
          out->tv_sec = INT64_MIN;
          out->tv_nsec = 0;
          return 0;
        }
      out->tv_sec = (time_t) d;
      out->tv_nsec = (long) ((d - (double) out->tv_sec) * 1e9);
      if (out->tv_nsec < 0)
        {
          out->tv_sec--;
          out->tv_nsec += 1000000000L;
        }
      return 0;
    }
  /* A negative duration is a time on the other side of NOW ("--since -1s"
   * is a second from now), as in Podman.  */
  if (ferry_duration_parse (s, &dur) == 0)
    {
      int64_t ns = ferry_timespec_ns (now);

      /* A duration of centuries goes no further than int64 nanoseconds
       * reach.  */
      if (since ? __builtin_sub_overflow (ns, dur, &ns) : __builtin_add_overflow (ns, dur, &ns))
        ns = (dur > 0) == ! since ? INT64_MAX : INT64_MIN;
      out->tv_sec = ns / 1000000000LL;
      out->tv_nsec = ns % 1000000000LL;
      if (out->tv_nsec < 0)
        {
          out->tv_sec--;
          out->tv_nsec += 1000000000L;
        }
      return 0;
    }
  if (ferry_time_parse (s, out) == 0)
    return 0;
  /* A date alone, in UTC.  */
  p = strptime (s, "%Y-%m-%d", &tm);
  if (p && *p == '\0')
    {
      out->tv_sec = timegm (&tm);
      out->tv_nsec = 0;
      return 0;
    }
  return -1;
}

long long
ferry_time_monotonic_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

long long
ferry_time_monotonic_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

char *
ferry_time_format_nano (const struct timespec *ts)
{
  char buf[64], frac[16] = "";
  struct tm tm;
  size_t n;

  gmtime_r (&ts->tv_sec, &tm);
  strftime (buf, sizeof (buf), "%Y-%m-%dT%H:%M:%S", &tm);
  if (ts->tv_nsec)
    {
      snprintf (frac, sizeof (frac), ".%09ld", ts->tv_nsec);
      for (n = strlen (frac); n > 1 && frac[n - 1] == '0'; n--)
        frac[n - 1] = '\0';
    }
  return xasprintf ("%s%sZ", buf, frac);
}

/* The unit at S (the longest that matches), in nanoseconds; its length
 * goes to *LEN; 0 when there is none.  */
static uint64_t
duration_unit (const char *s, size_t *len)
{
  static const struct
  {
    const char *name;
    uint64_t ns;
  } units[] = {
    { "ns", 1ULL },           { "us", 1000ULL },      { "\xc2\xb5s", 1000ULL }, /* U+00B5 micro sign */
    { "\xce\xbcs", 1000ULL },                                                   /* U+03BC Greek mu */
    { "ms", 1000000ULL },     { "s", 1000000000ULL }, { "m", 60000000000ULL },  { "h", 3600000000000ULL },
  };
  uint64_t best = 0;

  *len = 0;
  for (size_t i = 0; i < sizeof (units) / sizeof (units[0]); i++)
    {
      size_t n = strlen (units[i].name);
      if (strncmp (s, units[i].name, n) == 0 && n > *len)
        {
          *len = n;
          best = units[i].ns;
        }
    }
  return best;
}

int
ferry_duration_parse (const char *s, int64_t *out_ns)
{
  const uint64_t limit = (uint64_t) INT64_MAX + 1;
  uint64_t total = 0;
  int negative = 0;

  if (*s == '-' || *s == '+')
    negative = *s++ == '-';
  if (strcmp (s, "0") == 0)
    {
      *out_ns = 0;
      return 0;
    }
  if (*s == '\0')
    return -1;
  while (*s)
    {
      uint64_t whole = 0, unit, frac_ns = 0, scale = 1;
      const char *start = s;
      int have_digits = 0;
      size_t len;

      for (; isdigit ((unsigned char) *s); s++, have_digits = 1)
        {
          if (whole > (UINT64_MAX - 9) / 10)
            return -1;
          whole = whole * 10 + (uint64_t) (*s - '0');
        }
      if (*s == '.')
        for (s++; isdigit ((unsigned char) *s); s++, have_digits = 1)
          if (scale < 1000000000000000000ULL)
            {
              frac_ns = frac_ns * 10 + (uint64_t) (*s - '0');
              scale *= 10;
            }
      if (! have_digits || s == start)
        return -1;
      unit = duration_unit (s, &len);
      if (len == 0)
        return -1;
      s += len;
      if (whole > limit / unit)
        return -1;
      whole *= unit;
      /* The fraction, in the unit, rounded down as Go does.  */
      whole += (uint64_t) ((long double) frac_ns * (long double) unit / (long double) scale);
      if (whole > limit || total > limit - whole)
        return -1;
      total += whole;
    }
  if (total > limit - (negative ? 0 : 1))
    return -1;
  *out_ns = negative ? (int64_t) (0 - total) : (int64_t) total;
  return 0;
}

char *
ferry_duration_error (const char *orig)
{
  const char *s = orig;

  if (*s == '-' || *s == '+')
    s++;
  while (*s)
    {
      const char *start = s;
      size_t ulen, known;

      if (! isdigit ((unsigned char) *s) && *s != '.')
        break;
      while (isdigit ((unsigned char) *s))
        s++;
      if (*s == '.')
        for (s++; isdigit ((unsigned char) *s); s++)
          ;
      if (s == start || (s == start + 1 && *start == '.'))
        break;
      ulen = strcspn (s, ".0123456789");
      if (ulen == 0)
        return xasprintf ("time: missing unit in duration \"%s\"", orig);
      duration_unit (s, &known);
      if (known != ulen)
        return xasprintf ("time: unknown unit \"%.*s\" in duration \"%s\"", (int) ulen, s, orig);
      s += ulen;
    }
  return xasprintf ("time: invalid duration \"%s\"", orig);
}

/* The digits of V / 10^PREC with PREC decimals, trailing zeros (and the
 * point) dropped: "1.5", "2".  */
static void
append_fraction (char *buf, size_t size, uint64_t v, int prec)
{
  uint64_t div = 1;
  char frac[32];
  size_t n;

  for (int i = 0; i < prec; i++)
    div *= 10;
  snprintf (frac, sizeof (frac), "%0*llu", prec, (unsigned long long) (v % div));
  for (n = strlen (frac); n > 0 && frac[n - 1] == '0'; n--)
    frac[n - 1] = '\0';
  snprintf (buf + strlen (buf), size - strlen (buf), "%llu%s%s", (unsigned long long) (v / div),
            *frac ? "." : "", frac);
}

char *
ferry_duration_format (int64_t ns)
{
  uint64_t u = ns < 0 ? (uint64_t) 0 - (uint64_t) ns : (uint64_t) ns;
  char buf[64] = "";

  if (ns < 0)
    strcpy (buf, "-");
  if (u == 0)
    return xstrdup ("0s");
  if (u < 1000000000ULL)
    {
      /* Below a second: the largest unit that keeps it at least 1.  */
      const char *unit = u < 1000 ? "ns" : u < 1000000 ? "µs" : "ms";
      int prec = u < 1000 ? 0 : u < 1000000 ? 3 : 6;

      append_fraction (buf, sizeof (buf), u, prec);
      return xasprintf ("%s%s", buf, unit);
    }
  {
    uint64_t secs_ns = u % 60000000000ULL, mins = u / 60000000000ULL;
    char tail[48] = "";

    append_fraction (tail, sizeof (tail), secs_ns, 9);
    if (mins == 0)
      return xasprintf ("%s%ss", buf, tail);
    if (mins < 60)
      return xasprintf ("%s%llum%ss", buf, (unsigned long long) mins, tail);
    return xasprintf ("%s%lluh%llum%ss", buf, (unsigned long long) (mins / 60),
                      (unsigned long long) (mins % 60), tail);
  }
}

int64_t
ferry_timespec_ns (const struct timespec *ts)
{
  int64_t ns;

  if (__builtin_mul_overflow ((int64_t) ts->tv_sec, (int64_t) 1000000000, &ns)
      || __builtin_add_overflow (ns, (int64_t) ts->tv_nsec, &ns))
    return ts->tv_sec < 0 ? INT64_MIN : INT64_MAX;
  return ns;
}
