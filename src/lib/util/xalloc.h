/* ferry: allocation that aborts on failure, as crun does: no NULL checks
 * after every allocation.  */
#ifndef FERRY_UTIL_XALLOC_H
#define FERRY_UTIL_XALLOC_H

#include <stdbool.h>
#include <stddef.h>

void *xmalloc (size_t size);
void *xmalloc0 (size_t size);
void *xrealloc (void *ptr, size_t size);
char *xstrdup (const char *s);
char *xstrndup (const char *s, size_t n);
char *xasprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* NULL-terminated string vectors (*V may be NULL: an empty one).  Appends
 * a copy of S.  */
void ferry_strv_add (char ***v, const char *s);
/* Appends S itself (the vector owns it now) to *V of *N strings.  */
void ferry_strv_push (char ***v, size_t *n, char *s);
/* Appends a copy of S to *V of *N strings.  */
void ferry_strv_append (char ***v, size_t *n, const char *s);
/* The number of strings in V (NULL: none).  */
size_t ferry_strv_length (char *const *v);
/* Whether V (NULL: none) holds S.  */
bool ferry_strv_contains (char *const *v, const char *s);

#endif
