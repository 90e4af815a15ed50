#include "parse.h"

#include <errno.h>
#include <stdbool.h>
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

int
ferry_parse_size_decimal (const char *s, int64_t *out)
{
  const char *p = s;
  char *end;
  double v;
  int64_t mult = 1;

  if (! (*p >= '0' && *p <= '9'))
    return -1;
  while ((*p >= '0' && *p <= '9') || (*p == '.' && p[1] >= '0' && p[1] <= '9'))
    p++;
  errno = 0;
  v = strtod (s, &end);
  if (end != p || errno)
    return -1;
  if (*p == ' ')
    p++;
  if (*p && strchr ("kKmMgGtTpP", *p))
    {
      for (const char *u = "kmgtp"; *u && *u != (char) (*p | 0x20); u++)
        mult *= 1000;
      mult *= 1000;
      p++;
    }
  if (*p == 'i' || *p == 'I')
    p++;
  if (*p == 'b' || *p == 'B')
    p++;
  if (*p != '\0' || v * (double) mult > 9.2e18)
    return -1;
  *out = (int64_t) (v * (double) mult);
  return 0;
}

static const struct
{
  const char *name;
  int num;
} signals[] = { { "HUP", SIGHUP },
                { "INT", SIGINT },
                { "QUIT", SIGQUIT },
                { "ILL", SIGILL },
                { "TRAP", SIGTRAP },
                { "ABRT", SIGABRT },
                { "BUS", SIGBUS },
                { "FPE", SIGFPE },
                { "KILL", SIGKILL },
                { "USR1", SIGUSR1 },
                { "SEGV", SIGSEGV },
                { "USR2", SIGUSR2 },
                { "PIPE", SIGPIPE },
                { "ALRM", SIGALRM },
                { "TERM", SIGTERM },
                { "CHLD", SIGCHLD },
                { "CONT", SIGCONT },
                { "STOP", SIGSTOP },
                { "TSTP", SIGTSTP },
                { "TTIN", SIGTTIN },
                { "TTOU", SIGTTOU },
                { "URG", SIGURG },
                { "XCPU", SIGXCPU },
                { "XFSZ", SIGXFSZ },
                { "VTALRM", SIGVTALRM },
                { "PROF", SIGPROF },
                { "WINCH", SIGWINCH },
                { "IO", SIGIO },
                { "PWR", SIGPWR },
                { "SYS", SIGSYS },
                { "STKFLT", SIGSTKFLT },
                /* Other names of the same signals, after theirs: ferry_signal_name
                 * gives the first.  */
                { "IOT", SIGIOT },
                { "CLD", SIGCHLD },
                { "POLL", SIGPOLL } };

/* The real-time signals by name as Podman knows them: RTMIN, RTMIN+1 to
 * RTMIN+15, RTMAX-14 to RTMAX-1, RTMAX; -1 for anything else.  */
static int
rt_signal_parse (const char *s)
{
  char *end;
  long n;

  if (strncasecmp (s, "RTMIN", 5) == 0 || strncasecmp (s, "RTMAX", 5) == 0)
    {
      bool max = (s[3] | 0x20) == 'a';

      if (s[5] == '\0')
        return max ? SIGRTMAX : SIGRTMIN;
      if (s[5] != (max ? '-' : '+') || s[6] < '1' || s[6] > '9')
        return -1;
      n = strtol (s + 6, &end, 10);
      if (*end != '\0' || n > 15 - max)
        return -1;
      return max ? SIGRTMAX - (int) n : SIGRTMIN + (int) n;
    }
  return -1;
}

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
  return rt_signal_parse (s);
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

int
ferry_hex_digit (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

int
ferry_signal_is_number (const char *s)
{
  const char *digits = s + (s[0] == '-' || s[0] == '+');

  return digits[0] && strspn (digits, "0123456789") == strlen (digits) && strtol (s, NULL, 10) != 0;
}
