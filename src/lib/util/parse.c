#include "parse.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
ferry_parse_size (const char *s, int64_t *out)
{
  char *end;
  double v = strtod (s, &end);
  int64_t mult = 1;

  if (end == s || v < 0)
    return -1;
  switch (*end)
    {
    case 'b':
    case 'B':
    case '\0':
      break;
    case 'k':
    case 'K':
      mult = 1024;
      break;
    case 'm':
    case 'M':
      mult = 1024 * 1024;
      break;
    case 'g':
    case 'G':
      mult = 1024LL * 1024 * 1024;
      break;
    default:
      return -1;
    }
  if (*end && end[1] && ! ((end[1] == 'b' || end[1] == 'B') && end[2] == '\0'))
    return -1;
  *out = (int64_t) (v * mult);
  return 0;
}

static const struct
{
  const char *name;
  int num;
} signals[] = { { "HUP", SIGHUP },       { "INT", SIGINT },   { "QUIT", SIGQUIT },   { "ILL", SIGILL },
                { "TRAP", SIGTRAP },     { "ABRT", SIGABRT }, { "BUS", SIGBUS },     { "FPE", SIGFPE },
                { "KILL", SIGKILL },     { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },   { "USR2", SIGUSR2 },
                { "PIPE", SIGPIPE },     { "ALRM", SIGALRM }, { "TERM", SIGTERM },   { "CHLD", SIGCHLD },
                { "CONT", SIGCONT },     { "STOP", SIGSTOP }, { "TSTP", SIGTSTP },   { "TTIN", SIGTTIN },
                { "TTOU", SIGTTOU },     { "URG", SIGURG },   { "XCPU", SIGXCPU },   { "XFSZ", SIGXFSZ },
                { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
                { "PWR", SIGPWR },       { "SYS", SIGSYS } };

int
ferry_signal_parse (const char *s)
{
  char *end;
  long n;
  size_t i;

  if (s == NULL || *s == '\0')
    return -1;
  n = strtol (s, &end, 10);
  if (*end == '\0')
    return n > 0 && n < 65 ? (int) n : -1;
  if (strncasecmp (s, "SIG", 3) == 0)
    s += 3;
  for (i = 0; i < sizeof (signals) / sizeof (signals[0]); i++)
    if (strcasecmp (s, signals[i].name) == 0)
      return signals[i].num;
  if (strncasecmp (s, "RTMIN+", 6) == 0)
    {
      n = strtol (s + 6, &end, 10);
      if (*end == '\0' && n >= 0 && SIGRTMIN + n <= SIGRTMAX)
        return SIGRTMIN + n;
    }
  return -1;
}

const char *
ferry_signal_name (int sig)
{
  size_t i;

  for (i = 0; i < sizeof (signals) / sizeof (signals[0]); i++)
    if (signals[i].num == sig)
      return signals[i].name;
  return NULL;
}
