/* ferry: reading a big file ahead, on a thread of its own, with O_DIRECT
 * where the file system allows it.  A checkpoint archive is read once:
 * through the page cache, every byte of it would land in a freshly
 * allocated page first (which costs more than decompressing it on some
 * virtual machines), and the reader would wait for each block it asks
 * for.  */
#ifndef FERRY_UTIL_PREFETCH_H
#define FERRY_UTIL_PREFETCH_H

#include <sys/types.h>

typedef struct ferry_prefetch ferry_prefetch_t;

/* Starts reading the regular file open at FD from its current offset.
 * NULL when FD is not a regular file or no thread can be started: then
 * read FD as it is.  FD stays the caller's; its status flags are restored
 * by ferry_prefetch_stop.  */
ferry_prefetch_t *ferry_prefetch_start (int fd);

/* A ferry_read_fn (util/decompress.h): like read(2), from what the thread
 * has read.  */
ssize_t ferry_prefetch_read (void *prefetch, void *buf, size_t len);

/* Stops the thread and leaves FD's offset after the bytes handed out.  */
void ferry_prefetch_stop (ferry_prefetch_t *p);

#endif
