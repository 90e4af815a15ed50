/*
 * memhog: the workload of bench/checkpoint.sh. Holds N MiB of anonymous
 * memory that compresses about as well as a real program's heap, then counts.
 *
 * Usage: memhog MIB            fill MIB MiB, print "ready", then a counter
 *                              line every 200 ms, forever
 *        memhog MIB --dump     fill MIB MiB, write it to stdout and exit
 *                              (to measure how well it compresses)
 *
 * Every 4 KiB page gets RANDOM_BYTES bytes from a fixed-seed xorshift
 * generator (incompressible) and the rest a short repeating pattern that
 * carries the page number (compresses to almost nothing), so `zstd -1` of
 * the whole comes out near RANDOM_BYTES / 4096. The content is the same on
 * every run, so both engines dump the same memory.
 *
 * Lines are "count N run T" where T is the realtime clock in nanoseconds when
 * the process started: a restored process carries on with the same T and a
 * larger N, a restarted one would print another T and start again at 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
/* Multiple of 8. Measured with zstd 1.5.7 (`memhog 1024 --dump |
 * zstd -1 -T2 | wc -c`): 2312 gives 0.574 of the input (617 MB for 1 GiB,
 * 9.6 MB for 16 MiB, 154 MB for 256 MiB), as Podman's reference archives
 * in ENVIRONMENT.md (619, 9.7 and 155 MB); the repeated part costs about
 * 40 bytes a page on top of the random bytes. */
#define RANDOM_BYTES 2312

static uint64_t
xorshift64 (uint64_t *s)
{
  uint64_t x = *s;

  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *s = x;
}

static void
fill_page (unsigned char *p, uint64_t page_no, uint64_t *seed)
{
  uint64_t w;
  size_t i;

  for (i = 0; i < RANDOM_BYTES; i += 8)
    {
      w = xorshift64 (seed);
      memcpy (p + i, &w, 8);
    }
  /* The rest: one 16-byte record (a small number, a pointer) repeated,
	 * like an array of small structs. Keep it the same kind of record on
	 * every page: zstd -1 found fewer matches in records that carried the
	 * whole page number once that passed 65536 (0.65 instead of 0.59). */
  for (; i + 16 <= PAGE; i += 16)
    {
      uint64_t rec[2] = { 0x41 + (page_no & 0xff), 0x00007f1234560000ull };

      memcpy (p + i, rec, 16);
    }
  memset (p + i, 0, PAGE - i);
}

static int
write_all (int fd, const unsigned char *p, size_t n)
{
  while (n > 0)
    {
      ssize_t w = write (fd, p, n);

      if (w < 0)
        {
          if (errno == EINTR)
            continue;
          return -1;
        }
      p += w;
      n -= (size_t) w;
    }
  return 0;
}

int
main (int argc, char **argv)
{
  uint64_t seed = 0x9e3779b97f4a7c15ull, n, pages, i, run_id;
  struct timespec ts, tick = { 0, 200 * 1000 * 1000 };
  unsigned char *mem;
  char *end;
  int dump;

  if (argc < 2 || argc > 3 || (argc == 3 && strcmp (argv[2], "--dump") != 0))
    {
      fprintf (stderr, "usage: memhog MIB [--dump]\n");
      return 2;
    }
  errno = 0;
  n = strtoull (argv[1], &end, 10);
  if (errno || *end || n == 0 || n > (1ull << 20))
    {
      fprintf (stderr, "memhog: '%s' is not a size in MiB\n", argv[1]);
      return 2;
    }
  dump = argc == 3;
  clock_gettime (CLOCK_REALTIME, &ts);
  run_id = (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;

  pages = n * (1024 * 1024 / PAGE);
  mem = mmap (NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED)
    {
      perror ("memhog: mmap");
      return 1;
    }
  for (i = 0; i < pages; i++) /* writes every page */
    fill_page (mem + i * PAGE, i, &seed);

  if (dump)
    {
      if (write_all (STDOUT_FILENO, mem, pages * PAGE) < 0)
        {
          perror ("memhog: write");
          return 1;
        }
      return 0;
    }

  setvbuf (stdout, NULL, _IOLBF, 0);
  printf ("ready %llu MiB run %llu\n", (unsigned long long) n, (unsigned long long) run_id);
  for (i = 0;; i++)
    {
      printf ("count %llu run %llu\n", (unsigned long long) i, (unsigned long long) run_id);
      while (nanosleep (&tick, &tick) < 0 && errno == EINTR)
        ;
      tick.tv_nsec = 200 * 1000 * 1000;
    }
}
