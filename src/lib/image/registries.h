/* ferry: containers-registries.conf(5), read where and as Podman reads it.
 *
 * The file is $CONTAINERS_REGISTRIES_CONF when set (it must exist), else
 * $HOME/.config/containers/registries.conf when it exists, else
 * /etc/containers/registries.conf (which may be missing); then the drop-ins
 * *.conf of /etc/containers/registries.conf.d and
 * $HOME/.config/containers/registries.conf.d in that order (only the
 * user's directory when the user's file is read), each replacing the
 * settings it gives.  /var/cache/containers/short-name-aliases.conf adds
 * aliases that win over the files'.
 *
 * What ferry takes from it:
 * - short names ("busybox", "me/app:1") to pull: an alias, else each of the
 *   unqualified-search registries in turn, as short-name-mode says;
 * - short names to look up in the store: the alias, localhost/ and each
 *   search registry;
 * - credential-helpers, the last file's that sets them (auth.c uses them);
 * - per [[registry]] prefix (the longest that matches a name): blocked,
 *   insecure (unless --tls-verify is given), the location that replaces the
 *   prefix and the mirrors to try before it.
 * Where a short name could come from several search registries, the user
 * is asked on a terminal in permissive and enforcing modes (the caller
 * asks: see INTERACTIVE), and the name chosen is recorded as an alias once
 * pulled; without a terminal permissive and disabled modes try them all in
 * order and enforcing mode fails, as Podman's.  $FERRY_SHORT_NAME_ALIASES
 * names another alias cache (for tests).  */
#ifndef FERRY_IMAGE_REGISTRIES_H
#define FERRY_IMAGE_REGISTRIES_H

#include "reference.h"
#include "../util/error.h"

#include <stddef.h>

enum ferry_short_name_mode
{
  FERRY_SHORT_NAME_UNSET,
  FERRY_SHORT_NAME_DISABLED,
  FERRY_SHORT_NAME_PERMISSIVE,
  FERRY_SHORT_NAME_ENFORCING,
};

enum ferry_mirror_use
{
  FERRY_MIRROR_ALL,
  FERRY_MIRROR_DIGEST_ONLY,
  FERRY_MIRROR_TAG_ONLY,
};

struct ferry_registry_endpoint
{
  char *location; /* "host[:port][/namespace...]"; "" for a *.domain prefix's own */
  int insecure;
  enum ferry_mirror_use pull_from_mirror; /* mirrors only */
  int pull_from_mirror_set;
};

struct ferry_registry_entry
{
  char *prefix; /* "host[/namespace...]" or "*.domain" */
  struct ferry_registry_endpoint endpoint;
  struct ferry_registry_endpoint *mirrors;
  size_t n_mirrors;
  int blocked;
  int mirror_by_digest_only;
};

struct ferry_registries_conf
{
  char **search;       /* unqualified-search-registries; NULL when none is set */
  char *search_origin; /* the file that set them, or NULL */
  enum ferry_short_name_mode mode;
  struct ferry_registry_entry *registries; /* by prefix, each prefix once */
  size_t n_registries;
  struct ferry_short_name_alias *aliases;
  size_t n_aliases;
  char *sources; /* "FILE, DIR, DIR": what the files are, for messages */
  /* credential-helpers: where credentials are looked up, in order, and
   * the first that takes a login; "containers-auth.json" is the auth
   * file.  Never empty (that is the default).  */
  char **credential_helpers;
};

#define FERRY_AUTH_FILE_HELPER "containers-auth.json"

/* The configuration, read once per process (the first call's error is
 * every call's).  */
int ferry_registries_conf_get (const struct ferry_registries_conf **out, ferry_error_t *err);

/* Reads the configuration from explicit places (for tests): FILE (which
 * must exist when MUST_EXIST), the drop-in directories DIRS
 * (NULL-terminated, missing ones skipped) and the alias cache CACHE (may
 * be NULL or missing).  */
int ferry_registries_conf_load (const char *file, int must_exist, const char *const *dirs, const char *cache,
                                struct ferry_registries_conf **out, ferry_error_t *err);
void ferry_registries_conf_free (struct ferry_registries_conf *c);

/* The [[registry]] whose prefix is the longest to match NAME
 * ("host/repo", with or without ":tag" or "@digest"), or NULL.  */
const struct ferry_registry_entry *ferry_registries_find (const struct ferry_registries_conf *c,
                                                          const char *name);

/* What to pull for NAME as the user wrote it (no transport): the
 * fully-qualified names to try in order (NULL-terminated, at least one)
 * and, for a short name, the line that says how it was resolved (Podman's
 * words), or NULL.  With INTERACTIVE (the user can be asked), CHOOSE says
 * that the user is to pick one of NAMES, and SHORT_NAME is what to record
 * the choice under.  */
struct ferry_pull_candidates
{
  char **names;
  char *description;
  int choose;
  char *short_name;
};
int ferry_registries_resolve (const struct ferry_registries_conf *c, const char *name, int interactive,
                              struct ferry_pull_candidates *out, ferry_error_t *err);

/* Records short NAME (no tag) as an alias of fully-qualified VALUE in the
 * alias cache, as Podman records a choice the user made, replacing the
 * file whole (under its lock, as Podman's lock file).  */
int ferry_registries_record_alias (const char *name, const char *value, ferry_error_t *err);
void ferry_pull_candidates_free (struct ferry_pull_candidates *p);

/* The fully-qualified names a short NAME may stand for in the store, in
 * Podman's order: its alias, localhost/NAME, then NAME under each search
 * registry (NULL-terminated; empty when NAME is no short name or names
 * nothing valid).  */
char **ferry_registries_local_candidates (const struct ferry_registries_conf *c, const char *name);

/* Where to pull REF (fully qualified) from: the mirrors that apply, then
 * the primary location, each as a reference with its tag and digest and
 * whether TLS may be skipped there.  Fails for a blocked name.  */
struct ferry_pull_source
{
  struct ferry_reference ref;
  int insecure;
};
int ferry_registries_pull_sources (const struct ferry_registries_conf *c, const struct ferry_reference *ref,
                                   struct ferry_pull_source **out, size_t *n, ferry_error_t *err);
void ferry_pull_sources_free (struct ferry_pull_source *s, size_t n);

/* For a push or a login to NAME: fails when it is blocked; *INSECURE is
 * the registries.conf's word on TLS there.  */
int ferry_registries_check_access (const struct ferry_registries_conf *c, const char *name, int *insecure,
                                   ferry_error_t *err);

#endif
