/* ferry: times as ferry stores them, RFC 3339 in UTC with nanoseconds.  */
#ifndef FERRY_UTIL_TIMEUTIL_H
#define FERRY_UTIL_TIMEUTIL_H

#include <stdint.h>
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

/* TS in nanoseconds since the epoch, held to int64's range (times from
 * --since and --until may lie centuries away).  */
int64_t ferry_timespec_ns (const struct timespec *ts);

/* TS as Go's RFC3339Nano prints it in UTC: "2026-12-05T23:28:59.0418716Z",
 * trailing zeros of the fraction dropped, no fraction when it is 0.  */
char *ferry_time_format_nano (const struct timespec *ts);

/* A Go duration, as time.ParseDuration takes it ("30s", "1m30s", "1.5h",
 * "250ms", "-1s", "0"), into nanoseconds; -1 when it is not one or does
 * not fit.  */
int ferry_duration_parse (const char *s, int64_t *out_ns);
/* Go's words for S, which ferry_duration_parse refused: "time: unknown
 * unit \"x\" in duration \"1x\"", "time: missing unit in duration ...",
 * else "time: invalid duration ...".  */
char *ferry_duration_error (const char *s);
/* NS as Go's Duration.String prints it: "30s", "1m30s", "1h0m0s",
 * "1.5s", "500ms", "0s".  */
char *ferry_duration_format (int64_t ns);

/* Monotonic milliseconds, for timeouts.  */
long long ferry_time_monotonic_ms (void);
/* Monotonic microseconds, for statistics.  */
long long ferry_time_monotonic_us (void);

#endif
