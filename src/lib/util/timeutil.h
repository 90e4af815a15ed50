/* ferry: times as ferry stores them, RFC 3339 in UTC with nanoseconds.  */
#ifndef FERRY_UTIL_TIMEUTIL_H
#define FERRY_UTIL_TIMEUTIL_H

#include <time.h>

/* "2026-11-23T10:00:00.123456789Z"  */
char *ferry_time_now (void);

/* Parses an RFC 3339 time (fraction and offset optional) into *OUT.  */
int ferry_time_parse (const char *s, struct timespec *out);

/* A time as a user gives it to --since (SINCE) and --until, as Podman
 * takes it: Unix seconds (with a fraction), a Go duration ("10m",
 * "1h30m") before NOW for --since and after it for --until, an RFC 3339
 * time, or a date (UTC).  */
int ferry_time_parse_user (const char *s, const struct timespec *now, int since, struct timespec *out);

/* A Go duration ("10m", "1h30m", "1.5h", "250ms") into *SECONDS.  */
int ferry_time_parse_duration (const char *s, double *seconds);

/* Monotonic milliseconds, for timeouts.  */
long long ferry_time_monotonic_ms (void);
/* Monotonic microseconds, for statistics.  */
long long ferry_time_monotonic_us (void);

#endif
