/* ferry: the OCI mount options a user mount may carry beyond ferry's
 * defaults (--mount's bind-propagation, bind-nonrecursive, tmpfs-size,
 * tmpfs-mode, noexec, devpts' uid, ...), as the container record keeps
 * them.  The record may come from an archive: only these words reach the
 * runtime's spec.  */
#ifndef FERRY_RUNTIME_MOUNT_OPTIONS_H
#define FERRY_RUNTIME_MOUNT_OPTIONS_H

#include <stdbool.h>

/* A mount type a container's record may hold: volume, bind, tmpfs,
 * ramfs, devpts or image.  */
bool ferry_mount_type_is_known (const char *type);

/* OPTION is one a mount of TYPE may carry: for bind a propagation
 * (shared, rslave, ...), "bind" (not recursive) or a flag; for volume a
 * propagation or a flag; for ramfs a flag; for tmpfs size=N[kmg], mode=OCTAL, a flag, noswap
 * or notmpcopyup; for devpts uid=N, gid=N, mode=OCTAL or max=N.  A flag is
 * [no]exec, [no]suid or [no]dev.  */
bool ferry_mount_option_is_valid (const char *type, const char *option);

/* OPTION is exec, noexec, suid, nosuid, dev or nodev.  */
bool ferry_mount_flag_is_valid (const char *option);

/* The other word of FLAG's pair (noexec for exec, exec for noexec, ...);
 * NULL when FLAG is none of them.  */
const char *ferry_mount_flag_opposite (const char *flag);

/* OPTION is a propagation word: shared, slave, private, unbindable or
 * their recursive r- forms.  */
bool ferry_mount_propagation_is_valid (const char *option);

/* WORD is one of a bind's or volume's options as Podman keeps them from
 * -v and --mount (HostConfig.Binds shows them): ro, rw, z, Z, U, bind,
 * rbind, copy, nocopy, a flag or a propagation.  */
bool ferry_mount_typed_option_is_valid (const char *word);

#endif
