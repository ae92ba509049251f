/* json_int.h: the node layout shared by json.c (parser) and json_build.c. */
#ifndef RAKWON_JSON_JSON_INT_H
#define RAKWON_JSON_JSON_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/json/json.h"

struct json_member {
	char *key;        /* NUL-terminated, may hold NUL (klen is the length) */
	size_t klen;
	struct json *val;
};

struct json {
	enum json_type type;
	union {
		bool b;
		int64_t i;
		double d;
		struct {
			char *s;
			size_t len;
		} str;
		struct {
			struct json **v;
			size_t n, cap;
		} arr;
		struct {
			struct json_member *m;
			size_t n, cap;
		} obj;
	} u;
};

struct json *json_node_new(enum json_type t);
/* index of key[0..klen) in object j, -1 if absent */
ssize_t json_obj_find(const struct json *j, const char *key, size_t klen);

#endif
