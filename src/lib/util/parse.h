/* ferry: parsing the values users type.  */
#ifndef FERRY_UTIL_PARSE_H
#define FERRY_UTIL_PARSE_H

#include <stdint.h>

/* "64m", "1g", "512k", "1024", "2.5mb" (powers of 1024), into bytes.  */
int ferry_parse_size (const char *s, int64_t *out);

/* "TERM", "SIGTERM", "term", "15", "RTMIN+3"; -1 when unknown.  */
int ferry_signal_parse (const char *s);

/* "TERM" for SIGTERM; NULL for a signal without a name of its own.  */
const char *ferry_signal_name (int sig);

#endif
