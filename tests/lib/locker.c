/* A static locker for the tests (busybox has no flock): takes an exclusive
 * lock on /tmp/lock and holds it, printing "locked"; with "try" it only
 * tries, and exits 1 when another holds it.  */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
int
main (int argc, char **argv)
{
  int fd = open ("/tmp/lock", O_RDWR | O_CREAT, 0600);
  if (argc > 1 && strcmp (argv[1], "try") == 0)
    return flock (fd, LOCK_EX | LOCK_NB) == 0 ? 0 : 1;
  if (flock (fd, LOCK_EX) != 0)
    return 2;
  printf ("locked\n");
  fflush (stdout);
  for (;;)
    pause ();
}
