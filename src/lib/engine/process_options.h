/* ferry: create options that shape the container's process and what it
 * reads of its host: supplementary groups (--group-add), the umask
 * (--umask), the base of its /etc/hosts (--hosts-file, --chrootdirs),
 * its environment (--env-merge, --unsetenv[-all], --env-host,
 * --http-proxy), labels from files (--label-file), /etc/hostname
 * (--no-hostname), /etc/passwd and /etc/group lines (--passwd,
 * --passwd-entry, --group-entry, --hostuser) and its execution domain
 * (--personality).  Checked at create, kept in the record ("GroupAdd",
 * "Umask", "HostsFile", ...), and applied at each start and restore, so
 * that a checkpoint carries them.  */
#ifndef FERRY_ENGINE_PROCESS_OPTIONS_H
#define FERRY_ENGINE_PROCESS_OPTIONS_H

#include "container.h"

#include <json-c/json.h>

/* What --group-add takes besides groups: the caller's own groups, which
 * only crun honours (through an annotation); runc ignores it, as Podman's
 * containers on runc show.  */
#define FERRY_GROUP_KEEP "keep-groups"
#define FERRY_KEEP_GROUPS_ANNOTATION "run.oci.keep_original_groups"

/* The largest gid --group-add takes, as Podman checks it.  */
#define FERRY_GROUP_ADD_MAX 2147483647LL

/* True when TEXT is a group --group-add takes: a gid from 0 to
 * FERRY_GROUP_ADD_MAX, or a name of /etc/group (no `:`, `,`, space or
 * control character, 1 to 32 bytes).  */
int ferry_group_add_is_valid (const char *text);

/* --umask TEXT: octal digits, 0 to 0777, into *OUT; -1 when it is not.  */
int ferry_umask_parse (const char *text, unsigned *out);

/* --hosts-file: "none", "image", or a host file (absolute, one line).  */
int ferry_hosts_file_is_valid (const char *text);

/* The variables Podman passes on from its own environment unless
 * --http-proxy=false.  */
extern const char *const FERRY_PROXY_ENV[];

/* The environment's first part, the image's and the defaults' (ENV, a
 * JSON array of "K=V"): --env-merge's substitutions set ("K=...${K}...",
 * expanded from ENV, a missing variable empty), then --unsetenv's names
 * removed, or everything with --unsetenv-all.  */
int ferry_env_base_adjust (const struct ferry_create_options *o, json_object *env, ferry_error_t *err);

/* True when a variable ferry adds by default (PATH, TERM, container) is
 * left out: --unsetenv-all, or --unsetenv KEY.  */
int ferry_env_is_unset (const struct ferry_create_options *o, const char *key);

/* The user's part, below --env-file and -e: with --env-host all of
 * ferry's environment, then (unless --http-proxy=false) its proxy
 * variables.  */
void ferry_env_host_apply (const struct ferry_create_options *o, json_object *env);

/* Adds to LABELS (a JSON object) the "K=V" lines of --label-file's
 * files, as Podman reads them: blank lines, `#` comments and lines
 * without `=` are skipped, leading blanks dropped.  */
int ferry_label_files_apply (char *const *files, json_object *labels, ferry_error_t *err);

/* True when TEXT is an execution domain the OCI spec names: LINUX or
 * LINUX32.  */
int ferry_personality_is_valid (const char *text);

/* An absolute clean path (what --chrootdirs takes).  */
int ferry_chrootdir_is_valid (const char *dir);

/* Adds to SPEC's mounts, for each of C's "ChrootDirs", the /etc/hosts
 * bind again at DIR/etc/hosts, as Podman binds it there.  */
void ferry_chrootdirs_apply (json_object *rec, json_object *spec);

/* --passwd: with a --user whose uid ROOTFS's /etc/passwd lacks (or gid
 * its /etc/group), DIR/passwd (DIR/group) gets the image's file and a
 * line for it, from REC's "PasswdEntry" ("GroupEntry") or Podman's;
 * *PASSWD_PATH (*GROUP_PATH) then names it, to be bound over the
 * container's, else stays NULL.  Nothing with "Passwd": false.  Returns
 * 1 when it made the user's line (its home is then the working
 * directory), 0 when it did not, -1 on error.  */
int ferry_passwd_files_write (const char *rootfs, json_object *rec, unsigned uid, unsigned gid,
                              const char *dir, char **passwd_path, char **group_path, ferry_error_t *err);

/* TEMPLATE with $USERNAME, $UID, $GID, $NAME, $HOME and $GROUPNAME
 * replaced.  */
char *ferry_passwd_entry_expand (const char *template_, const char *user, unsigned uid, unsigned gid,
                                 const char *group);

/* Adds "GroupAdd" (the groups, keep-groups as its annotation), "Umask"
 * ("0027"), "HostsFile" and "NoHostname" to REC, as O gives them.  */
int ferry_process_options_record (const struct ferry_create_options *o, json_object *rec, ferry_error_t *err);

#endif
