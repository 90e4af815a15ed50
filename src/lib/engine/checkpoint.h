/* ferry: checkpoint and restore of containers, in place or through an
 * exported archive (archive/archive.h) that carries everything a container
 * needs on another host: CRIU's images, its spec and record, its
 * root-filesystem changes, volumes, /dev/shm and log.
 *
 * Consistency: the container is frozen (the runtime's pause) before anything
 * is read and stays frozen until the archive holds its files and memory, so
 * both describe one instant.  Without --leave-running it is stopped only once
 * the archive is complete and on disk; any failure thaws it and leaves it
 * running as before.  */
#ifndef FERRY_ENGINE_CHECKPOINT_H
#define FERRY_ENGINE_CHECKPOINT_H

#include "container.h"
#include "../image/pull.h"
#include "../util/decompress.h"

#include <json-c/json.h>

/* A checkpoint whose archive goes to another host that restores it
 * (engine/migrate.h): the container stays frozen until that host runs it,
 * and is resumed if it does not.  */
struct ferry_checkpoint_handover
{
  /* The archive is whole and the container frozen, in phase "handover":
   * waits until the other end runs the container.  1 when it does; 0
   * (with *ERR) when it does not; -1 (with *ERR) when that cannot be
   * known now.  */
  int (*await) (void *arg, ferry_error_t *err);
  /* Tells the other end to keep it: 1 once it has, 0 when it has undone
   * it, -1 (with *ERR) when that cannot be known now.  */
  int (*commit) (void *arg, ferry_error_t *err);
  /* Post-copy, when set: the memory pages are not in the archive.  CRIU
   * serves them after the dump through the connected socket PS_FD (the
   * caller keeps it; PAGES uses it until the other end has them all), on
   * the other end's demand, from when this is called, before the
   * archive's end; the other end keeps the container (COMMIT) only once
   * it has every page.  */
  int (*pages) (int ps_fd, void *arg, ferry_error_t *err);
  void *arg;
  /* Recorded in the operation as "migrate", for a settle to ask the
   * other end (engine/migrate.h); the caller keeps its reference.  */
  json_object *detail;
};

struct ferry_checkpoint_request
{
  const char *export_path; /* NULL: keep the images with the container */
  /* Instead of an export: the archive becomes the one layer of this
   * checkpoint image in the store (engine/checkpoint_image.h).  */
  const char *create_image;
  /* export "-": the descriptor the archive goes to; 0 means standard
   * output.  */
  int export_fd;
  /* export "-": the archive goes to a host that restores it.  Without
   * leave_running the container is ended (and with remove, removed) only
   * once that host has it running.  */
  const struct ferry_checkpoint_handover *handover;
  int remove;
  enum ferry_compression compression;
  int leave_running;
  int keep;
  int ignore_rootfs;
  int ignore_volumes;
  int tcp_established;
  int file_locks;
  const char *sign_key; /* export: an Ed25519 private key (PEM) that signs it */
  /* export: encrypt it (age) to these recipients, each an age1... string
   * or a file of them; NULL-terminated, NULL or empty: not encrypted.  */
  char **encrypt_recipients;
};

struct ferry_restore_request
{
  const char *import_path; /* NULL: restore in place */
  /* import_path is the blob of this checkpoint image (for messages).  */
  const char *image;
  const char *name; /* import only: a new name and a new ID */
  int keep;
  int ignore_rootfs;
  int ignore_volumes;
  int tcp_established;
  int tcp_close;
  int file_locks;
  /* import: the archive may ask for more than a plain run gives (bind
   * mounts of host paths, the host's network).  */
  int trust_archive;
  /* import: this host's containers.conf default_sysctls ("NAME=VALUE",
   * NULL-terminated, may be NULL), which a plain run gets: the ones of
   * the record's DefaultSysctls among them ask for nothing.  The engine
   * sets it.  */
  char **plain_default_sysctls;
  /* import: an age identity file that opens an encrypted archive.  */
  const char *decrypt_key;
  /* import: a new address (MAC address) on each network instead of the
   * one the container had; --name implies both.  */
  int ignore_static_ip;
  int ignore_static_mac;
  /* import: these -p mappings instead of the recorded ones (NULL: kept).  */
  char **publish;
  /* import: public keys (PEM paths, NULL-terminated) one of which must
   * have signed the archive (engine/trust.h); may be NULL.  */
  char *const *verify_keys;
  /* import "-": the descriptor the archive comes from; 0 means standard
   * input.  */
  int import_fd;
  /* import: the restored container runs.  HANDOVER decides whether it
   * stays (1) or is undone (0, or -1 with *ERR); until it returns, the
   * operation is in phase "handover", which a settle undoes.  */
  int (*handover) (const char *id, void *arg, ferry_error_t *err);
  void *handover_arg;
  /* import, post-copy: the memory pages are not in the archive; CRIU's
   * lazy-pages daemon fetches them, as the restored processes touch them
   * and then all the rest, through the page server at the other end of
   * this connected socket (the caller keeps it).  The restore sets
   * *LAZY_DAEMON to the daemon's PID once it runs: HANDOVER must wait for
   * it (ferry_runtime_criu_lazy_pages_wait) before it keeps the
   * container, and set it to -1; the restore kills one still there when
   * the container does not stay.  */
  int lazy_pages_fd;
  pid_t *lazy_daemon;
  /* import: where to pull a missing image from (by the digest the
   * archive records); NULL: a missing image is an error.  */
  const struct ferry_transfer_options *pull;
};

/* Timings in microseconds and CRIU's statistics, for --print-stats.  */
struct ferry_cr_stats
{
  long long total_us;
  long long runtime_us;
  /* checkpoint: when the container was frozen (ferry_time_monotonic_us)
   * and how long freezing took.  */
  long long frozen_at_us;
  long long freeze_us;
  json_object *criu; /* may be NULL */
  /* restore --import: the networks made from the archive's definitions
   * (NULL-terminated; may be NULL), for the user to be told.  */
  char **networks_made;
  /* restore --import: the archive had no manifest to verify it by (one
   * Podman wrote), for the user to be told.  */
  int unverified;
};

int ferry_container_checkpoint (ferry_engine_t *e, const char *ref, const struct ferry_checkpoint_request *r,
                                struct ferry_cr_stats *stats, ferry_error_t *err);

/* REF names the container to restore in place; with an import it may be
 * NULL.  *ID gets the restored container's ID.  */
int ferry_container_restore (ferry_engine_t *e, const char *ref, const struct ferry_restore_request *r,
                             char **id, struct ferry_cr_stats *stats, ferry_error_t *err);

void ferry_cr_stats_release (struct ferry_cr_stats *s);

/* The checks an import of a container recorded as REC (its archive
 * record: untrusted, type-checked here) would pass before anything is
 * made, with R's options, before the archive is there: the name and ID
 * free, bind sources, volumes, and the image here, or pulled now (*PULLED
 * gets its ID; the import finds it here).  With R->name, REC gets the new
 * name.  The import checks again.  */
int ferry_restore_preflight (ferry_engine_t *e, json_object *rec, const struct ferry_restore_request *r,
                             char **pulled, ferry_error_t *err);
/* The import did not happen: the image the preflight pulled goes again
 * (unless something uses it by now).  */
void ferry_restore_preflight_undo (ferry_engine_t *e, const char *pulled);

/* Pre-copy (Podman's --pre-checkpoint): memory copied while the container
 * runs, then only what it dirtied since.  It needs the kernel's soft-dirty
 * page tracking; ferry does not do it, and says why.  Always -1.  */
int ferry_checkpoint_precopy (ferry_error_t *err);

#endif
