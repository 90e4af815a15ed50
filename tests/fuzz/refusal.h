/* For the libFuzzer targets: every refusal of an input must be one line
 * (an input must not write lines of its own on the user's terminal) and,
 * where the target asks, name the file it came from.  FERRY_FUZZ_VERBOSE=1
 * prints each refusal, to see how far an input got.  */
#ifndef FERRY_FUZZ_REFUSAL_H
#define FERRY_FUZZ_REFUSAL_H

#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Aborts unless *ERR is one line (holding NAME, when NAME is not NULL);
 * then releases it.  */
static void
fuzz_refusal (ferry_error_t *err, const char *name)
{
  if (*err == NULL || strchr ((*err)->msg, '\n') || (name && strstr ((*err)->msg, name) == NULL))
    {
      fprintf (stderr, "refusal not one line%s%s: %s\n", name ? " naming " : "", name ? name : "",
               *err ? (*err)->msg : "(no error)");
      abort ();
    }
  if (getenv ("FERRY_FUZZ_VERBOSE"))
    fprintf (stderr, "refused: %s\n", (*err)->msg);
  ferry_error_release (err);
}

#endif
