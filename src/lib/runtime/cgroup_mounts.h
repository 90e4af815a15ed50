/* ferry: the cgroup v1 mounts runc gives a container that shares the
 * host's cgroup namespace.
 *
 * There /sys/fs/cgroup in the container is a tmpfs with one bind mount per
 * v1 hierarchy: the container's own cgroup in it, read by runc from its
 * own /proc/self/cgroup.  That is right when runc creates the container
 * (it reads it from the container's first process), but on a restore runc
 * reads it from itself, so that CRIU puts back every one of those mounts
 * at the restoring runc's cgroup (conmon's, ferry's): the container reads
 * another cgroup's files and limits (Podman's restored containers read
 * /libpod_parent/conmon's).  An ext-mount-map in CRIU's configuration
 * file, which runc points CRIU at, wins over runc's own for the same mount
 * (CRIU 4.2, as measured), so ferry names the right directories there.  */
#ifndef FERRY_RUNTIME_CGROUP_MOUNTS_H
#define FERRY_RUNTIME_CGROUP_MOUNTS_H

#include <json-c/json.h>

/* CRIU configuration lines, `ext-mount-map "/sys/fs/cgroup/NAME:DIR"`,
 * one for each cgroup v1 hierarchy that MOUNTINFO (the text of
 * /proc/self/mountinfo) has mounted at /sys/fs/cgroup/NAME, DIR being
 * CGROUPS_PATH (absolute, as the runtime spec's cgroupsPath) in it.
 * Where the runtime SPEC (may be NULL) binds a directory over one of
 * them (--systemd's whole name=systemd hierarchy, a volume), DIR is that
 * mount's source: CRIU names both mounts by their destination, so one
 * directory goes to both, and the one on top is what the container saw.
 * An empty string when there is none (cgroup v2 alone); NULL when a
 * directory cannot be named in CRIU's configuration (a quote, a
 * backslash, a newline).  */
char *ferry_cgroup_v1_mount_map (const char *mountinfo, const char *cgroups_path, json_object *spec);

/* The directories of cgroup CGROUPS_PATH (absolute, as the runtime
 * spec's cgroupsPath) in every hierarchy MOUNTINFO has mounted whole
 * under /sys/fs/cgroup, v1 and v2: what runc makes for a container, and
 * what goes with it.  None for a path that is not a container's (not
 * below a parent, or with "." or ".." in it).  NULL-terminated.  */
char **ferry_cgroup_dirs (const char *mountinfo, const char *cgroups_path);

#endif
