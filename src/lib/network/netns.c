#include "netns.h"
#include "../util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Moves the calling thread into a new network namespace and brings its
 * loopback up.  Returns an errno or 0.  */
static int
unshare_with_loopback (void)
{
  struct ifreq ifr;
  int sock, ret = 0;

  if (unshare (CLONE_NEWNET) < 0)
    return errno;
  sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return errno;
  memset (&ifr, 0, sizeof (ifr));
  strcpy (ifr.ifr_name, "lo");
  if (ioctl (sock, SIOCGIFFLAGS, &ifr) < 0)
    ret = errno;
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ret == 0 && ioctl (sock, SIOCSIFFLAGS, &ifr) < 0)
    ret = errno;
  close (sock);
  return ret;
}

/* In the child, in the new namespace: brings lo up and binds the namespace
 * to PATH.  Returns an errno or 0.  */
static int
setup_in_child (const char *path)
{
  int ret = unshare_with_loopback ();

  if (ret)
    return ret;
  if (mount ("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
    return errno;
  return 0;
}

int
ferry_netns_create (const char *path, ferry_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  int pipefd[2], status, child_errno = 0;
  pid_t pid;

  if (fd < 0)
    return ferry_make_error (err, errno, "cannot create network namespace file `%s`", path);
  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return ferry_make_error (err, errno, "cannot create a pipe");
  /* A thread of our own would do, but a child keeps the caller's namespace
   * untouched whatever happens.  */
  pid = fork ();
  if (pid < 0)
    {
      close (pipefd[0]);
      close (pipefd[1]);
      unlink (path);
      return ferry_make_error (err, errno, "cannot fork");
    }
  if (pid == 0)
    {
      int e = setup_in_child (path);
      if (write (pipefd[1], &e, sizeof (e)) < 0)
        _exit (1);
      _exit (0);
    }
  close (pipefd[1]);
  if (read (pipefd[0], &child_errno, sizeof (child_errno)) != sizeof (child_errno))
    child_errno = EIO;
  close (pipefd[0]);
  waitpid (pid, &status, 0);
  if (child_errno)
    {
      umount2 (path, MNT_DETACH);
      unlink (path);
      return ferry_make_error (err, child_errno, "cannot set up network namespace `%s`", path);
    }
  return 0;
}

/* In the child: joins the namespace at PATH and writes each sysctl, whose
 * /proc/sys/net file is the namespace's of whoever opens it.  Returns an
 * errno or 0, and in *FAILED the index of the sysctl that failed.  */
static int
write_sysctls_in_child (const char *path, char *const *names, char *const *values, int *failed)
{
  int nsfd = open (path, O_RDONLY | O_CLOEXEC);

  if (nsfd < 0 || setns (nsfd, CLONE_NEWNET) < 0)
    return errno;
  for (int i = 0; names[i]; i++)
    {
      char file[PATH_MAX];
      size_t len = strlen (values[i]);
      int fd;

      *failed = i;
      if (snprintf (file, sizeof (file), "/proc/sys/%s", names[i]) >= (int) sizeof (file))
        return ENAMETOOLONG;
      for (char *p = file + strlen ("/proc/sys/"); *p; p++)
        if (*p == '.')
          *p = '/';
      fd = open (file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0)
        return errno;
      if (write (fd, values[i], len) != (ssize_t) len)
        return errno ? errno : EIO;
      close (fd);
    }
  *failed = -1;
  return 0;
}

/* Runs BODY (ARG, RESULT) in a child of ours, where it may join a
 * namespace without changing ours, and brings back the two ints it leaves
 * in RESULT (EIO in RESULT[0] when the child died first).  */
static int
in_child (void (*body) (const void *arg, int result[2]), const void *arg, int result[2], ferry_error_t *err)
{
  int pipefd[2], status;
  pid_t pid;

  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return ferry_make_error (err, errno, "cannot create a pipe");
  pid = fork ();
  if (pid < 0)
    {
      close (pipefd[0]);
      close (pipefd[1]);
      return ferry_make_error (err, errno, "cannot fork");
    }
  if (pid == 0)
    {
      body (arg, result);
      if (write (pipefd[1], result, 2 * sizeof (int)) < 0)
        _exit (1);
      _exit (0);
    }
  close (pipefd[1]);
  if (read (pipefd[0], result, 2 * sizeof (int)) != (ssize_t) (2 * sizeof (int)))
    result[0] = EIO;
  close (pipefd[0]);
  waitpid (pid, &status, 0);
  return 0;
}

struct sysctls_job
{
  const char *path;
  char *const *names, *const *values;
};

static void
sysctls_body (const void *arg, int result[2])
{
  const struct sysctls_job *j = arg;

  result[0] = write_sysctls_in_child (j->path, j->names, j->values, &result[1]);
}

int
ferry_netns_write_sysctls (const char *path, char *const *names, char *const *values, ferry_error_t *err)
{
  const struct sysctls_job job = { path, names, values };
  int result[2] = { 0, -1 };

  if (names == NULL || names[0] == NULL)
    return 0;
  if (in_child (sysctls_body, &job, result, err) < 0)
    return -1;
  if (result[0] && result[1] >= 0)
    return ferry_make_error (err, result[0], "cannot set sysctl `%s` in network namespace `%s`",
                             names[result[1]], path);
  if (result[0])
    return ferry_make_error (err, result[0], "cannot join network namespace `%s`", path);
  return 0;
}

struct interface_job
{
  const char *path, *ifname;
};

static void
interface_body (const void *arg, int result[2])
{
  const struct interface_job *j = arg;
  int nsfd = open (j->path, O_RDONLY | O_CLOEXEC);

  result[0] = nsfd < 0 || setns (nsfd, CLONE_NEWNET) < 0 ? errno : 0;
  result[1] = result[0] == 0 && if_nametoindex (j->ifname) != 0;
}

int
ferry_netns_has_interface (const char *path, const char *ifname, ferry_error_t *err)
{
  const struct interface_job job = { path, ifname };
  int result[2] = { EIO, 0 };

  if (in_child (interface_body, &job, result, err) < 0)
    return -1;
  if (result[0])
    return ferry_make_error (err, result[0], "cannot join network namespace `%s`", path);
  return result[1];
}

int
ferry_netns_remove (const char *path, ferry_error_t *err)
{
  if (umount2 (path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    return ferry_make_error (err, errno, "cannot unmount network namespace `%s`", path);
  if (unlink (path) < 0 && errno != ENOENT)
    return ferry_make_error (err, errno, "cannot remove network namespace `%s`", path);
  return 0;
}

int
ferry_netns_unshare_private (ferry_error_t *err)
{
  int ret = unshare_with_loopback ();

  if (ret)
    return ferry_make_error (err, ret, "cannot make a network namespace");
  return 0;
}
