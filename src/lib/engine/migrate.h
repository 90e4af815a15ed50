/* ferry: moving a running container to another host in one step.
 *
 * The source runs the target's ferry through the system's ssh client
 * (`ssh [-p PORT] [-l USER] HOST ferry ... container migrate --receive`),
 * so the user's keys, ~/.ssh/config and known_hosts apply, and the two
 * talk over that connection:
 *
 *   target to source, one line each:
 *     ready 1          the target's ferry runs and has settled its root;
 *                      the container has not been touched yet
 *     synced           it has read everything before the 'S' frame
 *     accepted         the container's record ('H') passed the checks an
 *                      import makes before anything is made (its image is
 *                      here, pulled now if need be)
 *     running ID       the container runs on the target, which waits for
 *                      the word to keep it
 *     committed        it stays
 *     error MESSAGE    the target failed, and undid what it had made
 *   source to target, frames of a type byte and a 32-bit big-endian
 *   length:  'D' archive bytes, 'E' end of the archive, 'C' keep it,
 *   'P' padding (dropped), 'S' answer "synced" (the source warms the
 *   connection up with padding before it freezes the container), 'H' the
 *   container's record, before the freeze.
 *
 * The archive is the one `checkpoint --export -` writes, checked and
 * staged by the target as it arrives (engine/checkpoint.h).  The source's
 * container stays frozen from its dump until the target has kept it
 * (checkpoint phase "handover"), and resumes if anything fails before
 * that; the target undoes its container unless it hears 'C' (restore
 * phase "handover").  When the word was sent but its answer lost, the
 * source asks the target (`--receive-outcome ID`), which answers once
 * nothing is in progress on that container.
 *
 * Post-copy (--lazy): the archive has no memory pages.  The source's ssh
 * forwards a socket on the target (--lazy-pages-socket) to the source,
 * which relays it to CRIU's page server once the dump is done; the
 * target's CRIU lazy-pages daemon fetches the pages through it, and the
 * target keeps the container (says "committed") only once it has them
 * all.  */
#ifndef FERRY_ENGINE_MIGRATE_H
#define FERRY_ENGINE_MIGRATE_H

#include "checkpoint.h"
#include "operation.h"

#include <stdint.h>

struct ferry_migrate_request
{
  const char *destination;  /* ssh://[USER@]HOST[:PORT] */
  const char *identity;     /* ssh's -i (an absolute path), or NULL */
  const char *dest_root;    /* the target's --root; NULL: its default */
  const char *dest_runroot; /* the target's --runroot; NULL: its default */
  const char *name;         /* a copy under this name: the source runs on */
  int keep_source;          /* leave the source's container stopped, checkpointed */
  /* Post-copy: the container runs on the target before its memory is
   * there, and the target fetches the pages from here (CRIU's lazy-pages
   * and page server) over the same ssh connection: the downtime does not
   * grow with the memory.  Once it runs there, it depends on this host
   * and the link until every page has arrived.  */
  int lazy;
  int tcp_established;
  int file_locks;
  int ignore_rootfs;
  int ignore_volumes;
  /* For the target's pull of an image it lacks: --tls-verify (-1: its
   * default, else 0 or 1) and --cert-dir (a directory on the target, or
   * NULL).  Credentials are the target's own (its auth file).  */
  int tls_verify;
  const char *cert_dir;
  /* Called on another thread as the archive goes out, with the bytes sent
   * so far, at most a few times a second and once at the end.  */
  void (*progress) (uint64_t bytes, long long elapsed_us, void *arg);
  void *progress_arg;
};

/* Timings in microseconds.  The downtime runs from the freeze to the
 * target's word that the container runs there.  */
struct ferry_migrate_stats
{
  long long freeze_us;
  long long dump_us;
  long long transfer_us; /* from the first archive byte to its end, sent */
  long long restore_us;  /* from the end of the archive to the target running it */
  long long downtime_us;
  long long total_us;
  long long pages_us;   /* --lazy: from running there to every page there */
  uint64_t bytes;       /* the archive, compressed */
  uint64_t pages_bytes; /* --lazy: the page traffic, both ways */
  char *target_id;      /* the container's ID on the target */
  char *host;           /* the destination's host, for messages */
};
void ferry_migrate_stats_release (struct ferry_migrate_stats *s);

/* Moves container REF to R->destination.  On failure the container runs
 * here as before (unless *ERR says the outcome is not known: then it is
 * frozen here and recorded, for the next command to settle).  */
int ferry_container_migrate (ferry_engine_t *e, const char *ref, const struct ferry_migrate_request *r,
                             struct ferry_migrate_stats *stats, ferry_error_t *err);

/* The target's end: says "ready" on OUT, restores the archive framed on
 * IN with R's options (the import fields are set here) and keeps the
 * container only when the source says so.  *ID gets its ID.  With
 * PAGES_SOCKET (--lazy: /tmp/ferry-pages-<16 hex digits>.sock, which the
 * source's ssh forwards to its page server) the memory comes after the
 * restore, and the container stays only once it has all come.  */
int ferry_migrate_receive (ferry_engine_t *e, const struct ferry_restore_request *r, const char *pages_socket,
                           int in, int out, char **id, ferry_error_t *err);

/* The target's answer for a source that lost it: 1 when container ID
 * stayed, 0 when it did not; it waits for a receive still in progress.  */
int ferry_migrate_kept (ferry_engine_t *e, const char *id, ferry_error_t *err);

/* For a settle of a checkpoint in phase "handover": asks the target the
 * record names.  1 kept, 0 not, -1 (with *ERR) when it cannot be asked.  */
int ferry_migrate_outcome (ferry_engine_t *e, const struct ferry_operation *op, ferry_error_t *err);

#endif
