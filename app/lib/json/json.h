/* json.h: RFC 8259 JSON parser into a tree, tree builder and printer.
 *
 * DESIGN
 * A parsed or built document is a tree of struct json nodes owned by its
 * root: json_free(root) frees everything. Nodes handed to a container
 * (json_obj_set, json_arr_append) are owned by it afterwards, also on error
 * (the value is freed), so builders can chain without leaks.
 *
 * The parser is strict RFC 8259: one value, no trailing commas, no comments,
 * no leading zeros, no NaN/Infinity, full UTF-8 validation (overlongs,
 * surrogates and code points above U+10FFFF rejected), \u escapes including
 * surrogate pairs (a lone surrogate escape is an error), strings may hold
 * U+0000 (lengths are explicit). Duplicate keys in one object are rejected.
 * Numbers without fraction/exponent that fit int64 are JSON_INT, all others
 * JSON_DOUBLE (json_get_int accepts a double only if it is an exact integer).
 * Every resource a peer controls is limited (struct json_limits). Errors are
 * written as "line:col: message (byte N)" and the parser returns -EINVAL
 * (syntax), -E2BIG (a limit) or -ENOMEM.
 *
 * Not thread-safe per tree; distinct trees are independent. No globals.
 */
#ifndef RAKWON_JSON_JSON_H
#define RAKWON_JSON_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_INT,
	JSON_DOUBLE,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
	JSON_TYPE_MAX,
};

struct json;

struct json_limits {
	size_t max_input;     /* bytes of text (default 1 MiB) */
	unsigned max_depth;   /* nesting of arrays/objects (default 32) */
	size_t max_members;   /* entries in one array or object (default 4096) */
	size_t max_string;    /* bytes of one decoded string or key (default 64 KiB) */
	size_t max_nodes;     /* values in the whole document (default 65536) */
};

/* The defaults listed above. */
void json_limits_default(struct json_limits *lim);

/* Parse text[0..len) into a tree. lim may be NULL (defaults). On error err
 * (may be NULL) holds "line:col: message (byte N)". */
int json_parse(struct json **ret, const char *text, size_t len,
	       const struct json_limits *lim, char *err, size_t errlen);
/* Frees a whole tree (the root); NULL is fine. Returns NULL. */
struct json *json_free(struct json *j);

/* --- reading ------------------------------------------------------------ */
enum json_type json_type(const struct json *j);
const char *json_type_name(enum json_type t);
bool json_is(const struct json *j, enum json_type t);
bool json_bool_val(const struct json *j);            /* false if not bool */
int64_t json_int_val(const struct json *j);          /* 0 if not int */
double json_double_val(const struct json *j);        /* int or double */
/* NUL-terminated string (may contain NUL; *len gets the real length). */
const char *json_str_val(const struct json *j, size_t *len);
/* Number of elements of an array or members of an object, else 0. */
size_t json_len(const struct json *j);
/* i-th array element or object member value, NULL if out of range. */
struct json *json_at(const struct json *j, size_t i);
/* i-th object member key. */
const char *json_key_at(const struct json *j, size_t i);
/* Object member by key, NULL if absent or j is not an object. */
struct json *json_obj_get(const struct json *j, const char *key);

/* Path lookup: "a.b.0.c" - components separated by '.', a decimal
 * component indexes an array. An empty path is j itself. NULL if absent. */
struct json *json_path(const struct json *j, const char *path);

/* Typed lookups by path (a plain key is a path of one component).
 * 0 and *ret set; -ENOENT absent; -EINVAL wrong type; -ERANGE an
 * integer that does not fit. JSON null counts as absent. */
int json_get_str(const struct json *j, const char *path, const char **ret);
int json_get_int(const struct json *j, const char *path, int64_t *ret);
int json_get_double(const struct json *j, const char *path, double *ret);
int json_get_bool(const struct json *j, const char *path, bool *ret);
int json_get_obj(const struct json *j, const char *path, struct json **ret);
int json_get_arr(const struct json *j, const char *path, struct json **ret);

/* --- building ----------------------------------------------------------- */
int json_new_null(struct json **ret);
int json_new_bool(struct json **ret, bool v);
int json_new_int(struct json **ret, int64_t v);
int json_new_double(struct json **ret, double v);   /* -EINVAL for NaN/inf */
int json_new_str(struct json **ret, const char *s); /* must be valid UTF-8 */
int json_new_strn(struct json **ret, const char *s, size_t len);
int json_new_array(struct json **ret);
int json_new_object(struct json **ret);
/* Deep copy. */
int json_dup(struct json **ret, const struct json *j);

/* Set key to val (replacing an existing member). Takes val in all cases. */
int json_obj_set(struct json *obj, const char *key, struct json *val);
int json_obj_set_str(struct json *obj, const char *key, const char *s);
int json_obj_set_int(struct json *obj, const char *key, int64_t v);
int json_obj_set_bool(struct json *obj, const char *key, bool v);
int json_obj_set_double(struct json *obj, const char *key, double v);
int json_obj_set_null(struct json *obj, const char *key);
/* Remove a member; -ENOENT if absent. */
int json_obj_del(struct json *obj, const char *key);
/* Append val. Takes val in all cases. */
int json_arr_append(struct json *arr, struct json *val);

/* --- printing ----------------------------------------------------------- */
enum json_print_flags {
	JSON_PRETTY = 1 << 0,     /* newlines and two-space indentation */
	JSON_SORT_KEYS = 1 << 1,  /* members in byte order of keys */
};

/* Print to a malloc'd NUL-terminated string (*ret_len may be NULL). Output
 * is valid JSON; strings are escaped (control chars as \u00XX, '/' not). */
int json_print(const struct json *j, unsigned flags, char **ret, size_t *ret_len);

/* Append s[0..len) as a quoted JSON string into out (cap bytes, NUL
 * terminated). Returns the length it needs (without NUL), like snprintf. */
size_t json_quote(char *out, size_t cap, const char *s, size_t len);

/* true if s[0..len) is valid UTF-8 (no surrogates, no overlongs). */
bool json_utf8_valid(const char *s, size_t len);

#endif
