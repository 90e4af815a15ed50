#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *
check (void *p)
{
  if (p == NULL)
    {
      fputs ("ferry: out of memory\n", stderr);
      abort ();
    }
  return p;
}

void *
xmalloc (size_t size)
{
  return check (malloc (size ? size : 1));
}

void *
xmalloc0 (size_t size)
{
  return check (calloc (1, size ? size : 1));
}

void *
xrealloc (void *ptr, size_t size)
{
  return check (realloc (ptr, size ? size : 1));
}

char *
xstrdup (const char *s)
{
  return s ? check (strdup (s)) : NULL;
}

char *
xstrndup (const char *s, size_t n)
{
  return check (strndup (s, n));
}

char *
xasprintf (const char *fmt, ...)
{
  va_list ap;
  char *ret;

  va_start (ap, fmt);
  if (vasprintf (&ret, fmt, ap) < 0)
    ret = NULL;
  va_end (ap);
  return check (ret);
}

void
ferry_strv_add (char ***v, const char *s)
{
  size_t n = ferry_strv_length (*v);

  ferry_strv_push (v, &n, xstrdup (s));
}

void
ferry_strv_append (char ***v, size_t *n, const char *s)
{
  ferry_strv_push (v, n, xstrdup (s));
}

size_t
ferry_strv_length (char *const *v)
{
  size_t n = 0;

  while (v && v[n])
    n++;
  return n;
}

bool
ferry_strv_contains (char *const *v, const char *s)
{
  for (size_t i = 0; v && v[i]; i++)
    if (strcmp (v[i], s) == 0)
      return true;
  return false;
}

void
ferry_strv_push (char ***v, size_t *n, char *s)
{
  *v = xrealloc (*v, sizeof (char *) * (*n + 2));
  (*v)[(*n)++] = s;
  (*v)[*n] = NULL;
}
