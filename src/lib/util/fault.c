#include "fault.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
ferry_fault_point (const char *name)
{
  static const char *wanted;
  static int read_env;
  size_t n;

  if (! read_env)
    {
      wanted = getenv ("FERRY_FAULT");
      read_env = 1;
    }
  if (wanted == NULL)
    return;
  n = strlen (name);
  if (strncmp (wanted, name, n) != 0)
    return;
  if (wanted[n] == '\0')
    kill (getpid (), SIGKILL);
  else if (strcmp (wanted + n, ":stop") == 0)
    kill (getpid (), SIGSTOP);
}
