/* ferry: container runlabel, Podman's: the command an image label (such as
 * INSTALL or RUN) describes, with the image's name, the container's name,
 * the user's extra arguments and --opt1..3 put in, as Podman 5.4 builds
 * it (checked live).  Only the building: the caller finds the image and
 * runs the result.  */
#ifndef FERRY_ENGINE_RUNLABEL_H
#define FERRY_ENGINE_RUNLABEL_H

#include "util/error.h"

#include <stddef.h>

struct ferry_runlabel
{
  const char *text;   /* the label's value */
  const char *image;  /* the image's newest name, or its ID when it has none */
  const char *name;   /* the container's name: NAME, $NAME, ${NAME} */
  char *const *args;  /* appended to the label's text, as given */
  size_t n_args;      /* how many ARGS */
  const char *opt[3]; /* $OPT1..$OPT3 (NULL: empty) */
  const char *cwd;    /* $PWD, and the base of a relative program */
  const char *home;   /* $HOME */
};

/* The words of the command R describes into *ARGV (NULL-terminated): the
 * label's text and the arguments split as a shell would (quotes,
 * backslashes, # comments), each word standing for the image or the
 * container name replaced, the program "podman" or any "docker" as
 * /proc/self/exe (the engine itself), a program named by a path made
 * absolute (and refused when it is not there), then $OPT1..3, $PWD and
 * $HOME expanded (any other $VAR to nothing) and the whole split again.
 * Errors in Podman's words.  */
int ferry_runlabel_command (const struct ferry_runlabel *r, char ***argv, ferry_error_t *err);

/* The container name Podman derives when none is given: the last path
 * element of INPUT (the image as the user named it), or of IMAGE (its
 * newest name) when INPUT is a prefix of the image's ID, without its tag.
 * Freshly allocated.  */
char *ferry_runlabel_default_name (const char *input, const char *image_id, const char *image);

/* S split into words as Podman's runlabel splits (google/shlex's rules):
 * blanks separate, '...' keeps everything, "..." and a backslash outside
 * quotes take the next character as it is, and # at the start of a word
 * comments out the rest of the line.  *WORDS NULL-terminated.  */
int ferry_runlabel_split (const char *s, char ***words, size_t *n, ferry_error_t *err);

#endif
