/* seccomp-probe: tries the system calls the default seccomp profile
 * refuses and prints, one per line, "NAME ok" or "NAME ERRNO-NAME".  Built
 * statically by the confinement tests and run inside a container.  */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef NETLINK_AUDIT
#define NETLINK_AUDIT 9
#endif

static void
report (const char *name, long r)
{
  if (r >= 0)
    printf ("%s ok\n", name);
  else
    printf ("%s %s\n", name, strerrorname_np (errno) ? strerrorname_np (errno) : "?");
}

int
main (void)
{
  struct io_uring_params p;
  struct perf_event_attr attr;
  int persona;

  memset (&p, 0, sizeof (p));
  report ("io_uring_setup", syscall (SYS_io_uring_setup, 1, &p));
  report ("add_key", syscall (SYS_add_key, "user", "ferry-probe", "x", 1, -4 /* session keyring */));
  memset (&attr, 0, sizeof (attr));
  attr.type = PERF_TYPE_SOFTWARE;
  attr.size = sizeof (attr);
  attr.config = PERF_COUNT_SW_CPU_CLOCK;
  report ("perf_event_open", syscall (SYS_perf_event_open, &attr, 0, -1, -1, 0));
  persona = personality (0xffffffff);
  report ("personality", personality (persona | READ_IMPLIES_EXEC));
  report ("netlink_audit", socket (AF_NETLINK, SOCK_RAW, NETLINK_AUDIT));
  return 0;
}
