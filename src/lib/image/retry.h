/* ferry: trying a registry transfer again, as Podman's --retry and
 * --retry-delay do: only after a failure to reach the registry at all
 * (a refused connection; not a host name that does not resolve, which
 * Podman does not try again either), never after an answer such as
 * "unknown manifest" or "denied".  */
#ifndef FERRY_IMAGE_RETRY_H
#define FERRY_IMAGE_RETRY_H

#include "../util/error.h"

#include <stdint.h>

/* Podman's defaults: three more tries, a second apart.  */
#define FERRY_RETRY_DEFAULT 3
#define FERRY_RETRY_DELAY_DEFAULT_NS 1000000000LL

struct ferry_retry
{
  unsigned max; /* tries after the first */
  /* Between two tries; 0: 1s, then twice the last, as Podman's
   * --retry-delay 0s; negative: none.  */
  int64_t delay_ns;
  /* Called before each new try, with the failure that caused it (ATTEMPT
   * counts from 1 to MAX); may be NULL.  */
  void (*on_retry) (void *arg, unsigned attempt, unsigned max, int64_t delay_ns, ferry_error_t failure);
  void *arg;
};

/* Runs ONCE (ARG) until it succeeds, fails in a way that a new try cannot
 * mend, or R->max more tries have failed (R may be NULL: one try).
 * Returns what the last try returned, with its error in ERR.  */
int ferry_retry_run (const struct ferry_retry *r, int (*once) (void *arg, ferry_error_t *err), void *arg,
                     ferry_error_t *err);

/* --retry-delay's value, a Go duration ("1s", "500ms"); a negative one
 * means no wait (and is told as it is).  -1 and ERR with Podman's words
 * when it is not one.  */
int ferry_retry_delay_parse (const char *s, int64_t *out_ns, ferry_error_t *err);

#endif
