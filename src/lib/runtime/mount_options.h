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
 * (shared, rslave, ...) or "bind" (not recursive); for tmpfs size=N[kmg],
 * mode=OCTAL, [no]exec, [no]suid, [no]dev, noswap or notmpcopyup; for devpts
 * uid=N, gid=N, mode=OCTAL or max=N.  */
bool ferry_mount_option_is_valid (const char *type, const char *option);

/* OPTION is a propagation word: shared, slave, private, unbindable or
 * their recursive r- forms.  */
bool ferry_mount_propagation_is_valid (const char *option);

#endif
