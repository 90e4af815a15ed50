/* ferry: trying a registry transfer again (see retry.h).  */
#include "retry.h"
#include "../util/timeutil.h"

#include <errno.h>
#include <string.h>
#include <time.h>

static void
sleep_ns (int64_t ns)
{
  struct timespec ts = { .tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL };

  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

int
ferry_retry_run (const struct ferry_retry *r, int (*once) (void *arg, ferry_error_t *err), void *arg,
                 ferry_error_t *err)
{
  unsigned attempt;
  int64_t delay;
  int ret;

  for (attempt = 1;; attempt++)
    {
      ret = once (arg, err);
      if (ret >= 0 || r == NULL || attempt > r->max || (*err)->kind != FERRY_ERROR_UNREACHABLE)
        return ret;
      /* As containers/common: a delay of 0 backs off, 1s, 2s, 4s...  */
      delay
          = r->delay_ns != 0 ? r->delay_ns : (int64_t) 1000000000LL << (attempt - 1 < 30 ? attempt - 1 : 30);
      if (r->on_retry)
        r->on_retry (r->arg, attempt, r->max, delay, *err);
      ferry_error_release (err);
      if (delay > 0)
        sleep_ns (delay);
    }
}

int
ferry_retry_delay_parse (const char *s, int64_t *out_ns, ferry_error_t *err)
{
  size_t n = strspn (s, "+-.0123456789");

  if (ferry_duration_parse (s, out_ns) < 0)
    {
      if (n > 0 && s[n] == '\0' && strcmp (s, "0") != 0)
        return ferry_make_error (err, 0, "time: missing unit in duration \"%s\"", s);
      return ferry_make_error (err, 0, "time: invalid duration \"%s\"", s);
    }
  return 0;
}
