/* ferry CLI: what every command shares.  Commands parse argv into options,
 * call libferry, print, and pick the exit code; the library never prints to
 * stdout.  */
#ifndef FERRY_CLI_COMMON_H
#define FERRY_CLI_COMMON_H

#include "util/error.h"
#include "image/store.h"
#include "template.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* getopt_long, but first, once per ARGV, each "-X=VALUE" among its
 * options reads as pflag (Podman's parser) reads it: short flag X given
 * VALUE, where getopt would take '=' for a flag.  Every command's getopt
 * loop goes through it.  */
int ferry_cli_getopt_long (int argc, char *const argv[], const char *optstring, const struct option *longopts,
                           int *longindex);
#define getopt_long ferry_cli_getopt_long

/* Exit codes, as Podman's.  */
#define FERRY_EXIT_ERROR 125
#define FERRY_EXIT_CANNOT_INVOKE 126
#define FERRY_EXIT_NOT_FOUND 127
/* exec, attached, of a container that is not running.  */
#define FERRY_EXIT_EXEC_NOT_RUNNING 255

struct ferry_global
{
  const char *root;
  const char *runroot;
  const char *runtime;
  const char *log_level;
  const char *config;   /* ferry.conf; NULL: the default one */
  const char *tmpdir;   /* --tmpdir; NULL: the runroot */
  char **runtime_flags; /* --runtime-flag, NULL-terminated; may be NULL */
  size_t n_runtime_flags;
  const char *out;      /* --out FILE */
  int noout;            /* --noout */
  int out_deferred;     /* main's options: --out and --noout applied after them */
  char **cdi_spec_dirs; /* --cdi-spec-dir, NULL-terminated; may be NULL */
  size_t n_cdi_spec_dirs;
  char **modules; /* --module, resolved to absolute paths, NULL-terminated; may be NULL */
  size_t n_modules;
  char **hooks_dirs; /* --hooks-dir, NULL-terminated; may be NULL */
  size_t n_hooks_dirs;
};

extern struct ferry_global ferry_global;

/* Global options are accepted before the command and among its options.  */
enum
{
  OPT_GLOBAL_ROOT = 0x1000,
  OPT_GLOBAL_RUNROOT,
  OPT_GLOBAL_RUNTIME,
  OPT_GLOBAL_LOG_LEVEL,
  OPT_GLOBAL_EVENTS_BACKEND,
  OPT_GLOBAL_CGROUP_MANAGER,
  OPT_GLOBAL_TMPDIR,
  OPT_GLOBAL_RUNTIME_FLAG,
  OPT_GLOBAL_OUT,
  OPT_GLOBAL_NOOUT,
  OPT_COMMAND_FIRST, /* commands number their own long-only options from here */
};

/* Global options of their own block.  */
enum
{
  OPT_GLOBAL_CDI_SPEC_DIR = 0x2180,
};

/* Global options of hooks.  */
enum
{
  OPT_GLOBAL_HOOKS_DIR = 0x5400,
};

/* Global options of compat-audit5.  */
enum
{
  OPT_GLOBAL_STORAGE_DRIVER = 0x2C00,
};

#define FERRY_GLOBAL_OPTIONS                                                                                 \
  { "root", required_argument, NULL, OPT_GLOBAL_ROOT },                                                      \
      { "runroot", required_argument, NULL, OPT_GLOBAL_RUNROOT },                                            \
      { "runtime", required_argument, NULL, OPT_GLOBAL_RUNTIME },                                            \
      { "log-level", required_argument, NULL, OPT_GLOBAL_LOG_LEVEL },                                        \
      { "events-backend", required_argument, NULL, OPT_GLOBAL_EVENTS_BACKEND },                              \
      { "tmpdir", required_argument, NULL, OPT_GLOBAL_TMPDIR },                                              \
      { "runtime-flag", required_argument, NULL, OPT_GLOBAL_RUNTIME_FLAG },                                  \
      { "out", required_argument, NULL, OPT_GLOBAL_OUT }, { "noout", no_argument, NULL, OPT_GLOBAL_NOOUT },  \
      { "cdi-spec-dir", required_argument, NULL, OPT_GLOBAL_CDI_SPEC_DIR },                                  \
      { "storage-driver", required_argument, NULL, OPT_GLOBAL_STORAGE_DRIVER },                              \
      { "hooks-dir", required_argument, NULL, OPT_GLOBAL_HOOKS_DIR },                                        \
  {                                                                                                          \
    "cgroup-manager", required_argument, NULL, OPT_GLOBAL_CGROUP_MANAGER                                     \
  }

/* --tls-verify[=BOOL], --creds USER:PASS and --authfile PATH: every
 * command that may talk to a registry takes them.  */
enum
{
  OPT_REGISTRY_TLS_VERIFY = 0x1800,
  OPT_REGISTRY_CREDS,
  OPT_REGISTRY_AUTHFILE,
  OPT_REGISTRY_CERT_DIR,
};

#define FERRY_REGISTRY_OPTIONS                                                                               \
  { "tls-verify", optional_argument, NULL, OPT_REGISTRY_TLS_VERIFY },                                        \
      { "creds", required_argument, NULL, OPT_REGISTRY_CREDS },                                              \
      { "cert-dir", required_argument, NULL, OPT_REGISTRY_CERT_DIR },                                        \
  {                                                                                                          \
    "authfile", required_argument, NULL, OPT_REGISTRY_AUTHFILE                                               \
  }

#define FERRY_REGISTRY_OPTIONS_HELP                                                                          \
  "      --tls-verify[=BOOL]  verify the registry's TLS certificate (default true); false also\n"            \
  "                           allows plain HTTP\n"                                                           \
  "      --cert-dir DIR       trust the CA certificates (*.crt) in DIR for the registry's TLS\n"             \
  "      --creds USER:PASS    credentials for the registry (default: the auth file's)\n"                     \
  "      --authfile PATH      the auth file (default $REGISTRY_AUTH_FILE, else\n"                            \
  "                           $DOCKER_CONFIG/config.json, else\n"                                            \
  "                           $XDG_RUNTIME_DIR/containers/auth.json, else /run/containers/0/auth.json)\n"

struct ferry_registry_options;
/* Handles OPT when it is one of FERRY_REGISTRY_OPTIONS: returns 1 (done), 0
 * (not one of them) or -1 (bad value; error printed).  */
int ferry_cli_registry_option (int opt, const char *arg, struct ferry_registry_options *o);
/* Defaults: TLS verified, credentials from the auth file.  */
void ferry_cli_registry_defaults (struct ferry_registry_options *o);
/* The value ARG of a bool flag of command CMD as Go's strconv.ParseBool
 * reads it (none: true; a short flag's "=VALUE" too) into *OUT: 0, or -1
 * with cobra's words printed for another, the flag named as FLAG
 * ("--insecure", "-v, --verbose").  */
int ferry_cli_go_bool (const char *flag, const char *arg, const char *cmd, int *out);

struct ferry_command
{
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary; /* NULL hides an alias from the command list */
};

/* --out FILE and --noout: ferry's own standard output (stdout's stream:
 * what it prints, listings, logs, exports) goes to FILE or nowhere, while
 * descriptor 1 stays what it was for what a container writes (run and
 * start attached, attach, exec).  Returns 0, or -1 after printing why FILE
 * cannot be opened (exit 1, as Podman's).  */
int ferry_cli_apply_output (void);

/* The descriptor of ferry's own standard output (see above).  */
int ferry_cli_stdout_fd (void);

/* Handles a global option or a parsing error of a command's getopt loop.
 * Returns 0 when OPT was a global option, 1 when the caller should print
 * help and exit 0 ('h'), and a negative value (error already printed) when
 * the command must exit 125.  */
int ferry_cli_common_option (int opt, const char *cmd, char **argv);

/* ferry_cli_common_option, printing USAGE for 'h'.  */
int ferry_cli_parse_or_help (int opt, const char *cmd, char **argv, const char *usage);

/* The command as Podman names it in usage lines and errors ("container
 * list" for `ferry container ls`, "system info" for `ferry system info`):
 * GROUP (NULL at the top) and the word CMD the user gave.  */
void ferry_cli_set_command_path (const char *group, const char *cmd);
/* That path ("" before any command).  */
const char *ferry_cli_command_path (void);
/* Prints USAGE in Podman's shape, "Usage:" and then each synopsis on a
 * line of its own ("Usage: ferry X" and "       ferry X" lines of USAGE),
 * naming the command as it was invoked (`ferry rmi --help` says "ferry
 * rmi", not the "ferry image rm" it shares its usage with).  */
void ferry_cli_print_usage (const char *usage);

/* The options of a command CMD whose only one of its own is -f/--format
 * (set in *FORMAT), besides --help (USAGE) and the global ones.  0 to go
 * on with the arguments at optind, else 1 + the exit code (help: 0).  */
int ferry_cli_format_option_only (int argc, char **argv, const char *cmd, const char *usage,
                                  const char **format);

/* Runs the subcommand named by argv[0] from TABLE.  */
int ferry_cli_dispatch (const char *group, const struct ferry_command *table, int argc, char **argv);
/* The words after an unknown command ARGV[0] of CMD ("" or a group), as
 * Podman's parser reads them before it calls the command unknown: 1 for
 * -h or --help (the help, exit 0), -1 after the error for a flag that is
 * no global one, 0 when the command's own error is next.  */
int ferry_cli_unknown_command_flags (int argc, char **argv, const char *cmd);

/* Prints "Error: MSG" and returns 125.  */
int ferry_cli_fail (ferry_error_t *err);
int ferry_cli_failf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* Opens the image store of --root, or prints the error.  */
ferry_store_t *ferry_cli_open_store (void);

/* What pull and push show on standard error (image/progress.h): nothing
 * when QUIET, bars on a terminal, else Podman's plain lines.  */
int ferry_cli_progress_mode (int quiet);

static inline void
ferry_cli_cleanup_storep (ferry_store_t **s)
{
  ferry_store_close (*s);
}
#define cleanup_store __attribute__ ((cleanup (ferry_cli_cleanup_storep)))

struct ferry_engine;
/* Opens the engine of --root/--runroot/--runtime, or prints the error.  */
struct ferry_engine *ferry_cli_open_engine (void);
/* The same, the error left to the caller.  */
int ferry_cli_engine_open (struct ferry_engine **out, ferry_error_t *err);
void ferry_cli_cleanup_enginep (struct ferry_engine **e);
#define cleanup_engine __attribute__ ((cleanup (ferry_cli_cleanup_enginep)))

/* Removes (forcibly) the containers created from IMAGE_ID or using VOLUME,
 * for `rmi -f`: a running one is stopped first with its own stop signal and
 * timeout, as Podman's.  */
int ferry_cli_remove_containers_using (struct ferry_engine *e, const char *image_id, const char *volume,
                                       ferry_error_t *err);
/* The same, a running one given its stop signal and TIMEOUT seconds
 * before SIGKILL (0: SIGKILL at once; -1: no end; FERRY_STOP_TIMEOUT_OWN:
 * its own), as `volume rm -t`.  */
int ferry_cli_remove_containers_using_within (struct ferry_engine *e, const char *image_id,
                                              const char *volume, int timeout, ferry_error_t *err);

/* Prints an inspect command's answer ALL as Podman does: `[]` when it found
 * nothing, else the array indented.  */
void ferry_cli_print_inspected (json_object *all);
/* Whether --format FORMAT asks for the command's JSON, as Podman's
 * report.IsJSON takes it: "json" or "{{json}}", spaces around either
 * (but "{{json .}}" is a template).  */
bool ferry_cli_format_is_json (const char *format);
/* An inspect command's --format: NULL (the JSON) for none and for "json"
 * (ferry_cli_format_is_json), which Podman's inspect commands take as the
 * JSON too.  */
const char *ferry_cli_inspect_format (const char *format);

/* What an inspect command shows, as Podman shows it: each object it found,
 * by a Go template as it comes or, without one, all as one JSON array at
 * the end; then what it did not find, the others first, bare, and the
 * first as the error.  */
struct ferry_cli_inspected
{
  const char *format; /* NULL: the JSON */
  /* Only a name not found waits for the end; any other error ends the
   * command at once, the JSON unprinted (Podman's volume and network
   * inspect).  Without it, every error is a name not found (its image
   * inspect).  */
  bool only_not_found;
  json_object *all;
  ferry_error_t *missed;
  size_t n_missed;
  /* A template runs once over all that was found: its first error ends
   * the output, and is said before the names not found.  */
  ferry_error_t template_err;
};

/* Shows O (taken): an object made for the template when IN has one.  */
void ferry_cli_inspected_add (struct ferry_cli_inspected *in, json_object *o);

/* An inspect command's lookup of NAME: its object (made for a template when
 * FOR_TEMPLATE), or NULL and *ERR.  */
typedef json_object *(*ferry_cli_inspect_lookup_fn) (const char *name, bool for_template, void *data,
                                                     ferry_error_t *err);

/* Shows what LOOKUP finds for the N NAMES after what IN holds already,
 * then prints the JSON and says what was not found; returns the exit
 * code (0 when every name was found).  */
int ferry_cli_inspect_names (struct ferry_cli_inspected *in, char **names, int n,
                             ferry_cli_inspect_lookup_fn lookup, void *data);

/* The lookups of `image inspect` (DATA: the store), `volume inspect` and
 * `network inspect` (DATA: the engine); a volume or network not there is
 * an error of kind NOT_FOUND.  */
json_object *ferry_cli_image_inspect_lookup (const char *ref, bool for_template, void *store,
                                             ferry_error_t *err);
json_object *ferry_cli_volume_inspect_lookup (const char *name, bool for_template, void *engine,
                                              ferry_error_t *err);
json_object *ferry_cli_network_inspect_lookup (const char *name, bool for_template, void *engine,
                                               ferry_error_t *err);

/* Podman's confirmation: prints PROMPT and reads a line; 1 when it begins
 * with y or Y, 0 for anything else, -1 at the end of standard input.  */
int ferry_cli_ask (const char *prompt);

struct ferry_transfer_options;
/* A pull by short name asks on the terminal which search registry to use,
 * as Podman's, when standard input and output are one; a failure to record
 * the choice is told as Podman's logger tells it.  */
void ferry_cli_transfer_interactive (struct ferry_transfer_options *o);

/* A warning as Podman's logger prints one: time="..." level=warning
 * msg="..." (quotes and backslashes in the message escaped), on standard
 * error, unless --log-level is error.  */
void ferry_cli_podman_warnf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
/* The same at Podman's level "error" (a failure it logs and goes on
 * from), whatever --log-level says.  */
void ferry_cli_podman_errorf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

struct ferry_stop_report;
/* Podman's warning, in its shape, when a stop of container NAME needed
 * SIGKILL after its stop signal (R).  */
void ferry_cli_warn_killed (const char *name, const struct ferry_stop_report *r);
/* Removes container ID (called NAME), stopping it first when it runs, as
 * ferry_container_remove_stopping with TIMEOUT, and gives Podman's warning
 * when it needed SIGKILL.  */
int ferry_cli_remove_stopping (struct ferry_engine *e, const char *id, const char *name, int timeout,
                               int volumes, ferry_error_t *err);

/* Podman's human forms: "4.48 MB", "3 hours ago".  */
char *ferry_cli_human_size (uint64_t bytes);
/* Go's units.HumanSizeWithPrecision: decimal units, no space ("10.2kB");
 * Podman's HumanSize is PRECISION 4.  */
char *ferry_cli_go_human_size (uint64_t bytes, int precision);
char *ferry_cli_time_ago (const char *rfc3339);
/* "2026-12-05 20:44:47.975255917 +0000 UTC", as Go prints a time (NANO
 * since the epoch).  */
char *ferry_cli_go_time (int64_t nano);

/* Where events go and whether any are kept, from containers.conf's
 * [engine] settings (read once; the engine reads them too when it
 * opens).  */
int ferry_cli_events_configure (ferry_error_t *err);
/* Logs an event of an image, volume or network (state/events.h) under
 * --runroot; ID and NAME may be NULL.  */
void ferry_cli_event (const char *type, const char *status, const char *id, const char *name);

#endif
