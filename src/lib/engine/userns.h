/* ferry: the user namespace of a container (--userns, --uidmap, --gidmap,
 * --subuidname, --subgidname, as Podman takes them as root).  The record
 * keeps "UsernsMode" (private, keep-id, container:ID or ns:PATH; absent:
 * the host's) and "UidMap"/"GidMap", lists of "CONTAINER:HOST:SIZE" as
 * Podman shows them.  The container's processes run in a new user
 * namespace with those mappings; its image layers are mounted through
 * idmapped mounts, and what ferry makes for it (the upper layer's root,
 * /dev/shm, /etc/hosts, ...) belongs to the host ID of its root.  */
#ifndef FERRY_ENGINE_USERNS_H
#define FERRY_ENGINE_USERNS_H

#include "container.h"

#include <json-c/json.h>
#include <stdint.h>
#include <sys/types.h>

struct ferry_userns_options
{
  const char *mode;       /* --userns as typed; NULL: not given */
  char **uidmap;          /* --uidmap as typed; may be NULL */
  char **gidmap;          /* --gidmap as typed; may be NULL */
  const char *subuidname; /* --subuidname; NULL: not given */
  const char *subgidname; /* --subgidname; NULL: not given */
};

struct ferry_idmap
{
  uint32_t container, host, size;
};

/* The kernel takes at most this many lines in a uid_map.  */
#define FERRY_IDMAP_MAX 340

/* --userns auto[:size=N,uidmapping=C:H:S,gidmapping=C:H:S]: the first
 * free IDs in the ranges of user "containers" in /etc/subuid and
 * /etc/subgid that no other container of the root maps, SIZE of them
 * (default: the highest ID the image's files, /etc/passwd and /etc/group
 * name, plus one, 1024 to 65536), after the forced mappings, as
 * Podman allocates them.  LAYERS (may be NULL) are the image's layer
 * directories.  */

/* Checks O and records it into REC (and its annotation
 * io.podman.annotations.userns); nothing when O asks for the host's
 * namespace.  A bad one: Podman's words.  */
int ferry_userns_record (ferry_engine_t *e, const struct ferry_userns_options *o, char *const *layers,
                         json_object *rec, ferry_error_t *err);

/* Parses a record's "UidMap" or "GidMap" list V into *OUT (N entries): -1
 * (WHY set to a static reason) when V is no list of "C:H:N" with N > 0,
 * within 32 bits, without overlaps, at most FERRY_IDMAP_MAX.  */
int ferry_idmap_parse_list (json_object *v, struct ferry_idmap **out, size_t *n, const char **why);

/* 1 when REC has a user namespace of its own (or another's) with
 * mappings, and *UID and *GID get the host IDs of its root (the overflow IDs
 * when root is not mapped); 0 when it runs in the host's.  */
int ferry_userns_host_root (json_object *rec, uid_t *uid, gid_t *gid);

/* *UID and *GID, IDs in REC's container, to the host IDs they map to
 * (the overflow IDs when unmapped); unchanged without mappings.  */
void ferry_userns_to_host (json_object *rec, uid_t *uid, gid_t *gid);

/* A descriptor of a user namespace with REC's mappings, for idmapped
 * mounts, in *FD; -1 in *FD (and 0 returned) when REC has none.  */
int ferry_userns_open (json_object *rec, int *fd, ferry_error_t *err);

/* Whether REC's network namespace is made by the runtime inside its user
 * namespace (--network none): ferry makes none for it.  */
int ferry_userns_own_netns (json_object *rec);

/* Adds the user namespace and its mappings to SPEC as C's record says
 * (a path to join for container: and ns:).  */
int ferry_userns_apply (ferry_engine_t *e, const struct ferry_container *c, json_object *spec,
                        ferry_error_t *err);

/* PATH, when host root's, to the host IDs of REC's root (nothing
 * without mappings): the upper layer's root before the overlay is
 * mounted, which caches its owner.  */
int ferry_userns_give_root (json_object *rec, const char *path, ferry_error_t *err);

/* The same for directory PATH (a new volume's) when it is empty.  */
int ferry_userns_give_empty_dir (json_object *rec, const char *path, ferry_error_t *err);

/* Gives C's root what ferry made for it in DIR (the container's
 * directory: hosts, hostname, resolv.conf, shm, ...), the root of UPPER,
 * and RESTORE_FROM's CRIU images (which CRIU opens from inside the
 * namespace).  Nothing without mappings.  */
int ferry_userns_prepare (const struct ferry_container *c, const char *dir, const char *upper,
                          const char *restore_from, ferry_error_t *err);

/* runc mounts the root file system, and CRIU's restore opens its images
 * and the sources of bind mounts, from inside the namespace, whose root
 * is no host root: each directory from PATH up to TOP (one of ferry's
 * roots; nothing when PATH is not under it) that is host root's and
 * closed to others is opened for passing through (never listing): at or
 * under OWN (the container's own directory; may be NULL) to the group of
 * REC's root alone, above it to all.  */
int ferry_userns_reachable (json_object *rec, const char *top, const char *own, const char *path,
                            ferry_error_t *err);

/* Before anything of C is frozen: 0 when CRIU can restore C's user
 * namespace, else an error naming why.  */
int ferry_userns_checkpoint_check (const struct ferry_container *c, ferry_error_t *err);

/* The same for the bind mounts of the spec at CONFIG_PATH whose sources
 * lie under one of TOPS (NULL-terminated: ferry's roots), OWNS (the
 * container's own directories) theirs alone.  */
int ferry_userns_reach_mounts (json_object *rec, const char *const *tops, const char *const *owns,
                               const char *config_path, ferry_error_t *err);

/* HostConfig's UsernsMode and IDMappings, as Podman shows them.  */
void ferry_userns_inspect (const struct ferry_container *c, json_object *host);

#endif
