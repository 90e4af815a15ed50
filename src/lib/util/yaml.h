/* ferry: a small YAML writer, for the Kubernetes YAML of `generate kube`.
 *
 * A document is a tree of maps, sequences and scalars, written in block
 * style the way Podman's YAML library (go-yaml v2 behind sigs.k8s.io/yaml)
 * writes it, so that ferry's output is byte for byte Podman's: map keys
 * sorted in go-yaml's order (runs of digits compared as numbers), a
 * sequence under a key not indented, two spaces a level, strings quoted
 * only when plain text would read back as something else (a number, a
 * bool, null, a date) or cannot be plain (": ", " #", a leading
 * indicator), single quotes where they do, double quotes with escapes
 * for what only they can hold, literal blocks (|-) for text of several
 * lines, long lines folded at spaces after column 80.  */
#ifndef FERRY_UTIL_YAML_H
#define FERRY_UTIL_YAML_H

#include <stddef.h>

typedef struct ferry_yaml ferry_yaml_t;

ferry_yaml_t *ferry_yaml_map (void);
ferry_yaml_t *ferry_yaml_seq (void);
/* A string: quoted as it needs to be.  */
ferry_yaml_t *ferry_yaml_str (const char *s);
/* A number or a bool, written as it stands: TEXT must be one.  */
ferry_yaml_t *ferry_yaml_plain (const char *text);
ferry_yaml_t *ferry_yaml_int (long long v);
ferry_yaml_t *ferry_yaml_bool (int v);

/* Sets KEY of MAP to VALUE (owned; replaces an older one).  */
void ferry_yaml_set (ferry_yaml_t *map, const char *key, ferry_yaml_t *value);
/* KEY's value in MAP, or NULL.  */
ferry_yaml_t *ferry_yaml_get (ferry_yaml_t *map, const char *key);
/* Appends VALUE (owned) to SEQ.  */
void ferry_yaml_append (ferry_yaml_t *seq, ferry_yaml_t *value);
size_t ferry_yaml_length (const ferry_yaml_t *node);
/* Item I of SEQ (still SEQ's), or NULL.  */
ferry_yaml_t *ferry_yaml_item (ferry_yaml_t *seq, size_t i);
/* A scalar's text (still the node's), or NULL.  */
const char *ferry_yaml_text (const ferry_yaml_t *node);
/* A deep copy of NODE.  */
ferry_yaml_t *ferry_yaml_copy (const ferry_yaml_t *node);

/* NODE as a YAML document (no "---"), ending in a newline.  */
char *ferry_yaml_emit (const ferry_yaml_t *node);

/* go-yaml's order of map keys: negative, zero or positive.  */
int ferry_yaml_key_compare (const char *a, const char *b);

void ferry_yaml_free (ferry_yaml_t *node);
void ferry_cleanup_yamlp (ferry_yaml_t **p);
#define cleanup_yaml __attribute__ ((cleanup (ferry_cleanup_yamlp)))

#endif
