/* ferry: the namespaces a running container's process is in, as
 * `ps --ns` shows them: the inode number of each, which names it on this
 * host (two processes share a namespace when the numbers are equal).  */
#ifndef FERRY_ENGINE_NAMESPACES_H
#define FERRY_ENGINE_NAMESPACES_H

#include "container.h"

/* Each an inode number in decimal, or "" when it cannot be read.  */
struct ferry_namespaces
{
  char cgroup[24], ipc[24], mnt[24], net[24], pid[24], user[24], uts[24];
};

/* Fills OUT from /proc/PID/ns of C's process; all "" (and 0 returned)
 * when C is not running.  Returns 1 when C's process was read.  */
int ferry_container_namespaces (const struct ferry_container *c, struct ferry_namespaces *out);

#endif
