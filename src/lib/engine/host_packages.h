/* ferry: which distribution package each program ferry drives came from,
 * in the words `podman info` uses ("runc_1.1.5+ds1-1+deb12u1_amd64", the
 * package, version and architecture as dpkg-query prints them).  Read from
 * dpkg's own database, once for all programs, rather than by running dpkg
 * per program as Podman does.  */
#ifndef FERRY_ENGINE_HOST_PACKAGES_H
#define FERRY_ENGINE_HOST_PACKAGES_H

#include <stddef.h>

/* What Podman says of a program that is there but in no package.  */
#define FERRY_PACKAGE_UNKNOWN "Unknown"

/* For each of the N absolute PATHS (NULL or "" where a program is
 * missing), *OUT[i] (to free) is its package as above: "" for a missing
 * program, FERRY_PACKAGE_UNKNOWN for one no installed package lists (or
 * on a host without dpkg).  DPKG_DIR is dpkg's administrative directory
 * (/var/lib/dpkg).  A file is owned by a package whose list names it,
 * either by the path given or by the path it resolves to.  */
void ferry_host_packages (const char *dpkg_dir, const char *const *paths, size_t n, char **out);

/* The "Package_Version_Architecture" of PACKAGE (may carry ":ARCH") from
 * the text of a dpkg status file, when it is installed; NULL otherwise.  */
char *ferry_dpkg_status_lookup (const char *status, const char *package);

#endif
