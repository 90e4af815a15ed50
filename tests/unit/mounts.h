/* What the unit tests that mount for real (overlay, changes, rootfs_diff)
 * share: the mount table as the test process sees it, and the undoing of a
 * test's mounts in its teardown, even after a failed test.  */
#ifndef FERRY_TESTS_UNIT_MOUNTS_H
#define FERRY_TESTS_UNIT_MOUNTS_H

/* The mount points of /proc/self/mountinfo, unescaped, in its order (a
 * mount over another comes after it); NULL-terminated, never NULL.  */
char **unit_mount_points (void);

/* Unmounts everything mounted at or below ROOT, deepest (last) first.  */
void unit_unmount_all_below (const char *root);

#endif
