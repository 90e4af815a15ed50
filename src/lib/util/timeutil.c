#include "timeutil.h"
#include "xalloc.h"

#include <ctype.h>
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
      if (sscanf (p + 1, "%d:%d", &hh, &mm) >= 1)
        t -= sign * (hh * 3600 + mm * 60);
    }
  out->tv_sec = t;
  out->tv_nsec = nsec;
  return 0;
}

/* A Go duration: "10m", "1h30m", "1.5h", "90s", "250ms"; seconds into
 * *OUT.  */
int
ferry_time_parse_duration (const char *s, double *out)
{
  static const struct
  {
    const char *unit;
    double seconds;
  } units[] = { { "ns", 1e-9 }, { "us", 1e-6 }, { "ms", 1e-3 }, { "s", 1 }, { "m", 60 }, { "h", 3600 } };
  double total = 0;

  if (*s == '\0')
    return -1;
  while (*s)
    {
      char *end;
      double v = strtod (s, &end);
      size_t best = 0, best_len = 0;

      if (end == s || v < 0)
        return -1;
      for (size_t i = 0; i < sizeof (units) / sizeof (units[0]); i++)
        {
          size_t n = strlen (units[i].unit);
          if (strncmp (end, units[i].unit, n) == 0 && n > best_len)
            {
              best = i;
              best_len = n;
            }
        }
      if (best_len == 0)
        return -1;
      total += v * units[best].seconds;
      s = end + best_len;
    }
  *out = total;
  return 0;
}

int
ferry_time_parse_user (const char *s, const struct timespec *now, int since, struct timespec *out)
{
  struct tm tm = { 0 };
  const char *p;
  char *end;
  double d;

  if (s == NULL || *s == '\0')
    return -1;
  /* Unix seconds, with a fraction.  */
  d = strtod (s, &end);
  if (*end == '\0' && isdigit ((unsigned char) s[0]))
    {
      out->tv_sec = (time_t) d;
      out->tv_nsec = (long) ((d - (double) out->tv_sec) * 1e9);
      return 0;
    }
  if (ferry_time_parse_duration (s, &d) == 0)
    {
      long long ns
          = (long long) now->tv_sec * 1000000000LL + now->tv_nsec + (since ? -1 : 1) * (long long) (d * 1e9);

      out->tv_sec = ns / 1000000000LL;
      out->tv_nsec = ns % 1000000000LL;
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
