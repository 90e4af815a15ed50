/* ferry: scoped cleanup.  Declare a local with one of these and it is
 * released on every return; transfer ownership by setting it to NULL (or -1
 * for descriptors).  */
#ifndef FERRY_UTIL_CLEANUP_H
#define FERRY_UTIL_CLEANUP_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <json-c/json.h>

static inline void
ferry_cleanup_freep (void *p)
{
  free (*(void **) p);
}

static inline void
ferry_cleanup_closep (int *fd)
{
  if (*fd >= 0)
    close (*fd);
}

static inline void
ferry_cleanup_fclosep (FILE **f)
{
  if (*f)
    fclose (*f);
}

static inline void
ferry_cleanup_closedirp (DIR **d)
{
  if (*d)
    closedir (*d);
}

static inline void
ferry_cleanup_jsonp (json_object **j)
{
  if (*j)
    json_object_put (*j);
}

/* A NULL-terminated array of strings.  */
static inline void
ferry_cleanup_strvp (char ***v)
{
  char **it;

  if (*v == NULL)
    return;
  for (it = *v; *it; it++)
    free (*it);
  free (*v);
}

#define cleanup_free __attribute__ ((cleanup (ferry_cleanup_freep)))
#define cleanup_close __attribute__ ((cleanup (ferry_cleanup_closep)))
#define cleanup_fclose __attribute__ ((cleanup (ferry_cleanup_fclosep)))
#define cleanup_dir __attribute__ ((cleanup (ferry_cleanup_closedirp)))
#define cleanup_json __attribute__ ((cleanup (ferry_cleanup_jsonp)))
#define cleanup_strv __attribute__ ((cleanup (ferry_cleanup_strvp)))

/* Returns *p and sets it to NULL: ownership leaves the scope.  */
#define steal_pointer(p)                                                                                     \
  ({                                                                                                         \
    __typeof__ (*(p)) _ptr = *(p);                                                                           \
    *(p) = NULL;                                                                                             \
    _ptr;                                                                                                    \
  })

#define steal_fd(p)                                                                                          \
  ({                                                                                                         \
    int _fd = *(p);                                                                                          \
    *(p) = -1;                                                                                               \
    _fd;                                                                                                     \
  })

#endif
