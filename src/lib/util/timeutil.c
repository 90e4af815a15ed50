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
