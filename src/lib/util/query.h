/* ferry: URL query strings as Go's net/url reads and writes them.
 *
 * containers/image builds a token request by reading the realm's own
 * query (url.URL.Query), adding its parameters and encoding the whole
 * (url.Values.Encode): keys sorted, the values of one key in the order
 * they were added, each part escaped as url.QueryEscape does (only
 * letters, digits and -_.~ stay as they are; a space is '+').  A
 * registry's token server sees the same request from ferry.  */
#ifndef FERRY_UTIL_QUERY_H
#define FERRY_UTIL_QUERY_H

#include <stddef.h>

struct ferry_query
{
  size_t n;
  char **keys;
  char **values;
};

/* Adds the pairs of RAW (the text after '?', without it) to Q, decoded,
 * as url.ParseQuery keeps them: a pair with a ';' or a bad %-escape, and
 * an empty one, are left out.  */
void ferry_query_parse (struct ferry_query *q, const char *raw);
void ferry_query_add (struct ferry_query *q, const char *key, const char *value);
/* Q encoded, sorted by key; "" when Q is empty.  */
char *ferry_query_encode (const struct ferry_query *q);
/* S escaped as url.QueryEscape escapes it.  */
char *ferry_query_escape (const char *s);
void ferry_query_release (struct ferry_query *q);

#endif
