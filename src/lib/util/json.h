/* ferry: small json-c conveniences.  */
#ifndef FERRY_UTIL_JSON_H
#define FERRY_UTIL_JSON_H

#include "error.h"

#include <json-c/json.h>
#include <stdint.h>

/* Parses TEXT (LEN bytes) as JSON; WHAT names it in the error.  A
 * document that is a bare null or number is refused: none ferry reads is
 * one.  */
json_object *ferry_json_parse (const char *text, size_t len, const char *what, ferry_error_t *err);
/* 'n' when TEXT (LEN bytes) is, white space around it aside, the word
 * null; 't' or 'f' for true or false; '0' when it is one JSON number; 0
 * otherwise.  */
int ferry_json_bare_scalar (const char *text, size_t len);
/* As ferry_json_parse, but a bare null is 0 with *OUT NULL, as Go's
 * decoder reads it (an empty value), and a bare number is one, for
 * documents Podman reads so (the caller checks its type).  */
int ferry_json_parse_nullable (const char *text, size_t len, const char *what, json_object **out,
                               ferry_error_t *err);
json_object *ferry_json_parse_file (const char *path, const char *what, ferry_error_t *err);

/* Members by key; NULL when missing or of another type.  */
const char *ferry_json_get_string (json_object *obj, const char *key);
json_object *ferry_json_get_object (json_object *obj, const char *key);
json_object *ferry_json_get_array (json_object *obj, const char *key);
/* True when OBJ's member KEY is the string VALUE (false when missing or of
 * another type: records from the database or an archive are not trusted
 * to have every member).  */
int ferry_json_string_equals (json_object *obj, const char *key, const char *value);
/* The length of A, 0 when A is NULL or not an array (json-c asserts
 * on those: a damaged record must not abort ferry).  */
size_t ferry_json_array_length (json_object *a);
/* Returns DEF when missing or not an integer.  */
int64_t ferry_json_get_int (json_object *obj, const char *key, int64_t def);

/* For checking documents from outside (archives, registries, the
 * database), where the C code must see what the JSON says.  */
/* The string V holds, or NULL when V is not a string or hides a NUL byte
 * (C code would see less of it than the JSON holds).  */
const char *ferry_json_string_value (json_object *v);
/* "string", "int", "array", ... for a message; "null" for NULL.  */
const char *ferry_json_type_name (json_object *v);
/* Go's name of V's kind ("object", "array", "string", "bool", "null",
 * "number"), for messages in Go's unmarshalling words.  */
const char *ferry_json_go_kind (json_object *v);

/* Serialises without escaping slashes, compactly or pretty-printed.  */
const char *ferry_json_to_string (json_object *obj, int pretty);
/* OBJ as Go's json.MarshalIndent writes it (what Podman prints): WIDTH
 * spaces a level (a tab when WIDTH is negative), empty objects and arrays
 * as {} and [].  The caller frees the string.  */
char *ferry_json_to_indented (json_object *obj, int width);
/* OBJ as Podman's ps, volume ls and info print --format json: two spaces
 * a level, an empty array as [], an empty object over three lines (the
 * middle one indented), and <, > and & in strings as \u003c, \u003e
 * and \u0026.  The caller frees the string.  */
char *ferry_json_to_podman_list (json_object *obj);
/* A new object with OBJ's members (references taken) in the order of
 * their keys, as Go marshals a map; OBJ itself (a new reference) when
 * it is not an object, NULL for NULL.  */
json_object *ferry_json_sorted_object (json_object *obj);
/* A number D that serializes as Go's encoding/json writes a float64:
 * the shortest digits that read back as D, without an exponent between
 * 1e-6 and 1e21 (30.36, not 30.359999999999999).  */
json_object *ferry_json_new_go_double (double d);
/* The value of member KEY of the JSON object TEXT (valid JSON, parsed
 * before), as Go's encoding/json writes it back from a json.RawMessage:
 * its own text compacted, with <, >, & and U+2028/U+2029 escaped as
 * \u003c ... (the last of members of the same name wins, as with Go's
 * maps).  NULL when TEXT has no such member or is no object.  */
char *ferry_json_go_raw_member (const char *text, const char *key);

#endif
