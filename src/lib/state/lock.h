/* ferry: advisory locks between ferry processes sharing one root.  The
 * database is transactional; the file system is not, so work that changes
 * both (committing an unpacked layer, removing an image and its unused
 * layers) holds <root>/locks/NAME.lock while it does.  */
#ifndef FERRY_STATE_LOCK_H
#define FERRY_STATE_LOCK_H

#include "../util/error.h"

/* Returns an fd holding the lock (flock), or a negative value.  Waits.  */
int ferry_lock_acquire (const char *root, const char *name, int exclusive, ferry_error_t *err);
/* The same without waiting: -1 with *BUSY set when another holds it.  */
int ferry_lock_try_acquire (const char *root, const char *name, int exclusive, int *busy, ferry_error_t *err);
void ferry_lock_release (int fd);

static inline void
ferry_cleanup_lockp (int *fd)
{
  if (*fd >= 0)
    ferry_lock_release (*fd);
}
#define cleanup_lock __attribute__ ((cleanup (ferry_cleanup_lockp)))

#endif
