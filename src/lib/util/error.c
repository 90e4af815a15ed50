#include "error.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
ferry_make_error (ferry_error_t *err, int errno_, const char *fmt, ...)
{
  va_list ap;
  ferry_error_t e = xmalloc0 (sizeof (*e));

  va_start (ap, fmt);
  if (vasprintf (&e->msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  e->status = errno_;
  if (*err)
    ferry_error_release (err);
  *err = e;
  return -1 - errno_;
}

int
ferry_make_error_kind (ferry_error_t *err, enum ferry_error_kind kind, const char *fmt, ...)
{
  va_list ap;
  char *msg;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  ferry_make_error (err, 0, "%s", msg);
  (*err)->kind = kind;
  free (msg);
  return -1;
}

int
ferry_error_wrap (ferry_error_t *err, const char *fmt, ...)
{
  va_list ap;
  char *ctx, *msg;

  if (*err == NULL)
    return -1;
  va_start (ap, fmt);
  if (vasprintf (&ctx, fmt, ap) < 0)
    abort ();
  va_end (ap);
  msg = xasprintf ("%s: %s", ctx, (*err)->msg);
  free (ctx);
  free ((*err)->msg);
  (*err)->msg = msg;
  return -1 - (*err)->status;
}

void
ferry_error_release (ferry_error_t *err)
{
  if (err == NULL || *err == NULL)
    return;
  free ((*err)->msg);
  free (*err);
  *err = NULL;
}

void
ferry_error_fputs (const char *msg, FILE *f)
{
  for (const unsigned char *p = (const unsigned char *) msg; *p; p++)
    if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
      fprintf (f, "\\x%02x", *p);
    else
      fputc (*p, f);
}

void
ferry_error_print (ferry_error_t err)
{
  if (err == NULL)
    return;
  fputs ("Error: ", stderr);
  ferry_error_fputs (err->msg, stderr);
  /* A full disk in Podman's words, which users grep for; the message
   * names what was being written, and the way out is the same for all.  */
  if (err->status == ENOSPC || err->status == EDQUOT)
    fprintf (stderr, ": %s: free space on that file system (or raise its quota) and try again",
             err->status == ENOSPC ? "no space left on device" : "disk quota exceeded");
  else if (err->status)
    fprintf (stderr, ": %s", strerror (err->status));
  fputc ('\n', stderr);
}

int
ferry_error_one_line (ferry_error_t *err)
{
  char *shown = ferry_error_quotable ((*err)->msg, strlen ((*err)->msg));

  free ((*err)->msg);
  (*err)->msg = shown;
  return -1 - (*err)->status;
}

char *
ferry_error_quotable (const char *value, size_t max)
{
  size_t n = strlen (value), i, o = 0;
  char *out = xmalloc (max * 4 + 4);

  for (i = 0; i < n && i < max; i++)
    {
      unsigned char ch = value[i];
      if (ch < 0x20 || ch == 0x7f)
        o += sprintf (out + o, "\\x%02x", ch);
      else
        out[o++] = ch;
    }
  if (i < n)
    o += sprintf (out + o, "...");
  out[o] = '\0';
  return out;
}
