/* ferry: parsing the values users type.  */
#ifndef FERRY_UTIL_PARSE_H
#define FERRY_UTIL_PARSE_H

#include <stdint.h>

/* "64m", "1g", "512k", "1024", "2.5mb" (powers of 1024), into bytes.  */
int ferry_parse_size (const char *s, int64_t *out);

/* The same in powers of 1000, as Podman reads containers.conf's sizes and
 * --log-opt max-size: "65536k", "2m", "1.5gb", "64 MiB" (still 64 * 10^6).  */
int ferry_parse_size_decimal (const char *s, int64_t *out);

/* The value of the hex digit C (either case); -1 for another character.  */
int ferry_hex_digit (char c);

/* "TERM", "SIGTERM", "term", "15", "RTMIN+3", "RTMAX" (the names Podman knows);
 * -1 when unknown.  */
int ferry_signal_parse (const char *s);

/* True when S is a signal given as a number (a sign, then digits) other
 * than 0: one that ferry_signal_parse refused is out of range, which
 * Podman words apart from an unknown name.  */
int ferry_signal_is_number (const char *s);

/* "TERM" for SIGTERM; NULL for a signal without a name of its own.  */
const char *ferry_signal_name (int sig);

#endif
