/* ferry: errors carried up to the command line.
 *
 * A function that can fail takes `ferry_error_t *err`, returns a negative
 * value (or NULL) and fills *err with the errno and a message that names the
 * object and the action.  Callers add context with ferry_error_wrap().  The
 * CLI prints the final message once and exits 125.  */
#ifndef FERRY_UTIL_ERROR_H
#define FERRY_UTIL_ERROR_H

#include <stdarg.h>
#include <stdio.h>

/* What went wrong, for callers that choose an exit code or a fallback by
 * it; the message says the rest.  */
enum ferry_error_kind
{
  FERRY_ERROR_GENERIC = 0,
  FERRY_ERROR_NOT_FOUND,              /* the named object does not exist */
  FERRY_ERROR_IN_USE,                 /* the named object is used by another */
  FERRY_ERROR_EXISTS,                 /* the name is taken */
  FERRY_ERROR_STATE,                  /* the object is in the wrong state for this */
  FERRY_ERROR_COMMAND_NOT_FOUND,      /* a container's command does not exist (exit 127) */
  FERRY_ERROR_COMMAND_NOT_EXECUTABLE, /* it exists but cannot be run (exit 126) */
  FERRY_ERROR_UNREACHABLE,            /* a server could not be reached: trying again may do */
  FERRY_ERROR_RUNTIME,                /* the OCI runtime would not create the container, or netavark
                                       * would not attach it (run: 126) */
  FERRY_ERROR_UNAUTHORIZED,           /* a registry wants credentials ferry lacks, or refused them */
  FERRY_ERROR_FORMAT,                 /* an input is not in any format that was expected of it */
  FERRY_ERROR_DAMAGED,                /* a stored record is not whole: remove it and make it again */
};

struct ferry_error_s
{
  int status; /* errno, or 0 when the failure is not a system error */
  enum ferry_error_kind kind;
  char *msg;
};
typedef struct ferry_error_s *ferry_error_t;

/* Sets *err (which must be NULL) and returns -1 - errno_ (always negative).  */
int ferry_make_error (ferry_error_t *err, int errno_, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Prefixes the message of *err with "<context>: ".  Returns -1 - status.  */
int ferry_error_wrap (ferry_error_t *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* Like ferry_make_error with no errno, and a kind.  */
int ferry_make_error_kind (ferry_error_t *err, enum ferry_error_kind kind, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

void ferry_error_release (ferry_error_t *err);

/* Prints "Error: msg" (and strerror when status != 0) to stderr.  */
void ferry_error_print (ferry_error_t err);
/* MSG on F with its control characters but newlines and tabs escaped
 * (\xNN): a message quotes what came from outside (an archive's names, a
 * registry's or a runtime's words), and an escape sequence there would
 * drive the user's terminal.  */
void ferry_error_fputs (const char *msg, FILE *f);

/* VALUE as an error may quote it, freshly allocated: control bytes escaped
 * (\xNN) and cut at MAX bytes ("..." after), since an archive or a
 * registry chooses it and an error is one line on the user's terminal.  */
char *ferry_error_quotable (const char *value, size_t max);

/* Escapes the control characters of *ERR's message, newlines included,
 * for a refusal that quotes a document from outside in more places than
 * are worth quoting one by one.  Returns -1 - status, as ferry_error_wrap
 * does.  */
int ferry_error_one_line (ferry_error_t *err);

#define cleanup_error __attribute__ ((cleanup (ferry_error_release)))

#endif
