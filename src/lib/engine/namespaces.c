/* ferry: the namespaces of a container's process (see namespaces.h).  */
#include "namespaces.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* "net:[4026532391]" -> "4026532391" into OUT; "" when it is not that.  */
static void
read_namespace (pid_t pid, const char *kind, char out[24])
{
  char path[64], link[64];
  ssize_t n;
  const char *open_, *close_;

  out[0] = '\0';
  snprintf (path, sizeof (path), "/proc/%d/ns/%s", (int) pid, kind);
  n = readlink (path, link, sizeof (link) - 1);
  if (n <= 0)
    return;
  link[n] = '\0';
  open_ = strchr (link, '[');
  close_ = open_ ? strchr (open_, ']') : NULL;
  if (close_ == NULL || close_ - open_ - 1 <= 0 || (size_t) (close_ - open_ - 1) >= 24
      || strspn (open_ + 1, "0123456789") != (size_t) (close_ - open_ - 1))
    return;
  memcpy (out, open_ + 1, close_ - open_ - 1);
  out[close_ - open_ - 1] = '\0';
}

int
ferry_container_namespaces (const struct ferry_container *c, struct ferry_namespaces *out)
{
  memset (out, 0, sizeof (*out));
  if (! ferry_container_is_active (c) || c->pid <= 0)
    return 0;
  read_namespace (c->pid, "cgroup", out->cgroup);
  read_namespace (c->pid, "ipc", out->ipc);
  read_namespace (c->pid, "mnt", out->mnt);
  read_namespace (c->pid, "net", out->net);
  read_namespace (c->pid, "pid", out->pid);
  read_namespace (c->pid, "user", out->user);
  read_namespace (c->pid, "uts", out->uts);
  return 1;
}
