/* What the unit tests that mount for real (overlay, changes, rootfs_diff)
 * share: the mount table as the test process sees it, and the removal of a
 * test's directory in its teardown, its mounts first, even after a failed
 * test.  */
#ifndef FERRY_TESTS_UNIT_MOUNTS_H
#define FERRY_TESTS_UNIT_MOUNTS_H

/* The mount points of /proc/self/mountinfo, unescaped, in its order (a
 * mount over another comes after it); NULL-terminated, never NULL.  */
char **unit_mount_points (void);

/* Unmounts everything mounted at or below ROOT, deepest (last) first.  */
void unit_unmount_all_below (const char *root);

/* A teardown's end of a test's directory ROOT: unmounts what is mounted
 * below it, then removes it (saying so on standard error when it cannot).  */
void unit_remove_test_dir (const char *root);

#endif
