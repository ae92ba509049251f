/* test_json.c: the JSON parser, lookups, builder and printer. */
#include <errno.h>
#include <stdlib.h>

#include "lib/json/json.h"
#include "test.h"

/* JSONTestSuite-style: y_ must parse, n_ must be refused */
static const char *const valid[] = {
	"{}", "[]", "0", "-0", "1.5e10", "-1E-2", "\"\"", "true", "false", "null",
	" [ 1 , 2 ] ", "{\"a\":{\"b\":[null]}}", "\"\\u00e9\\ud83d\\ude00\"",
	"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"",
	"9223372036854775807", "-9223372036854775808", "1e308", "[[[[[]]]]]",
	"\"\\u0000\"", "{\"a\":1,\"b\":2}", "\t\r\n 1 \n",
};

static const char *const invalid[] = {
	"", " ", "[1,]", "{\"a\":1,}", "[1 2]", "01", "-", "1.", ".5", "1e", "+1",
	"NaN", "Infinity", "tru", "nul", "'a'", "\"abc", "\"\\x\"", "\"\\u12\"",
	"\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\t\"", "[1]]",
	"{\"a\" 1}", "{a:1}", "{\"a\":1 \"b\":2}", "1 2", "\"\xc3\"", "\"\xc0\xaf\"",
	"\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xff\"", "{\"a\":1,\"a\":2}",
	"[\"a\",]", "/* c */ 1", "\xef\xbb\xbf{}", "1e999", "[", "{", "{\"a\"",
	"[-]", "[0x10]", "\"a\x01\"",
};

TEST(jsontestsuite_cases)
{
	char err[160];
	size_t i;

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		struct json *j = NULL;
		int r = json_parse(&j, valid[i], strlen(valid[i]), NULL, err, sizeof(err));

		CHECK_MSG(r == 0, "valid #%zu '%s' refused: %s", i, valid[i], err);
		json_free(j);
	}
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct json *j = NULL;
		int r = json_parse(&j, invalid[i], strlen(invalid[i]), NULL, err, sizeof(err));

		CHECK_MSG(r < 0, "invalid #%zu '%s' accepted", i, invalid[i]);
		CHECK_MSG(err[0], "invalid #%zu has no message", i);
	}
}

TEST(error_positions)
{
	struct json *j;
	char err[160];

	CHECK_EQ(json_parse(&j, "{\n  \"a\": tru\n}", 14, NULL, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "2:8: invalid literal (byte 9)");
	CHECK_EQ(json_parse(&j, "[1,2,]", 6, NULL, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "1:6: unexpected character ']' (byte 5)");
	CHECK_EQ(json_parse(&j, "{\"k\":1,\"k\":2}", 13, NULL, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "1:8: duplicate key (byte 7)");
}

TEST(limits)
{
	struct json_limits lim;
	struct json *j;
	char err[160], deep[200];
	int i;

	json_limits_default(&lim);
	lim.max_depth = 4;
	for (i = 0; i < 5; i++)
		deep[i] = '[';
	for (i = 0; i < 5; i++)
		deep[5 + i] = ']';
	CHECK_EQ(json_parse(&j, deep, 10, &lim, err, sizeof(err)), -E2BIG);
	CHECK_OK(json_parse(&j, deep + 1, 8, &lim, err, sizeof(err)));
	json_free(j);
	json_limits_default(&lim);
	lim.max_members = 2;
	CHECK_EQ(json_parse(&j, "[1,2,3]", 7, &lim, err, sizeof(err)), -E2BIG);
	CHECK_EQ(json_parse(&j, "{\"a\":1,\"b\":1,\"c\":1}", 19, &lim, err, sizeof(err)), -E2BIG);
	json_limits_default(&lim);
	lim.max_string = 3;
	CHECK_EQ(json_parse(&j, "\"abcd\"", 6, &lim, err, sizeof(err)), -E2BIG);
	CHECK_OK(json_parse(&j, "\"abc\"", 5, &lim, err, sizeof(err)));
	json_free(j);
	json_limits_default(&lim);
	lim.max_input = 4;
	CHECK_EQ(json_parse(&j, "12345", 5, &lim, err, sizeof(err)), -E2BIG);
	json_limits_default(&lim);
	lim.max_nodes = 3;
	CHECK_EQ(json_parse(&j, "[1,2,3]", 7, &lim, err, sizeof(err)), -E2BIG);
}

TEST(numbers_and_strings)
{
	struct json *j;
	const char *s;
	size_t len;
	int64_t i;
	double d;

	const char *t = "[9223372036854775807,-9223372036854775808,9223372036854775808,"
			"1.0,2.5,\"a\\u0000b\",\"\\ud83d\\ude00\"]";

	CHECK_OK(json_parse(&j, t, strlen(t), NULL, NULL, 0));
	CHECK_EQ(json_type(json_at(j, 0)), JSON_INT);
	CHECK_EQ(json_int_val(json_at(j, 0)), INT64_MAX);
	CHECK_EQ(json_int_val(json_at(j, 1)), INT64_MIN);
	CHECK_EQ(json_type(json_at(j, 2)), JSON_DOUBLE);
	CHECK_EQ(json_get_int(j, "2", &i), -ERANGE);
	CHECK_OK(json_get_int(j, "3", &i));
	CHECK_EQ(i, 1);
	CHECK_EQ(json_get_int(j, "4", &i), -EINVAL);
	CHECK_OK(json_get_double(j, "4", &d));
	CHECK(d == 2.5);
	s = json_str_val(json_at(j, 5), &len);
	CHECK_EQ(len, 3);
	CHECK(!memcmp(s, "a\0b", 3));
	CHECK_STR(json_str_val(json_at(j, 6), NULL), "\xf0\x9f\x98\x80");
	json_free(j);
}

TEST(typed_lookups)
{
	const char *t = "{\"dev\":{\"name\":\"Room 1\",\"port\":5060,\"tls\":true,"
			"\"codecs\":[\"opus\",\"h264\"],\"none\":null}}";
	struct json *j, *o, *a;
	const char *s;
	int64_t i;
	bool b;

	CHECK_OK(json_parse(&j, t, strlen(t), NULL, NULL, 0));
	CHECK_OK(json_get_str(j, "dev.name", &s));
	CHECK_STR(s, "Room 1");
	CHECK_OK(json_get_int(j, "dev.port", &i));
	CHECK_EQ(i, 5060);
	CHECK_OK(json_get_bool(j, "dev.tls", &b));
	CHECK(b);
	CHECK_OK(json_get_arr(j, "dev.codecs", &a));
	CHECK_EQ(json_len(a), 2);
	CHECK_OK(json_get_str(j, "dev.codecs.1", &s));
	CHECK_STR(s, "h264");
	CHECK_OK(json_get_obj(j, "dev", &o));
	CHECK_OK(json_get_str(o, "name", &s));
	CHECK_EQ(json_get_str(j, "dev.port", &s), -EINVAL);
	CHECK_EQ(json_get_str(j, "dev.none", &s), -ENOENT);
	CHECK_EQ(json_get_str(j, "dev.missing", &s), -ENOENT);
	CHECK_EQ(json_get_str(j, "dev.codecs.2", &s), -ENOENT);
	CHECK_EQ(json_get_int(j, "dev.name.x", &i), -ENOENT);
	json_free(j);
}

TEST(build_print_roundtrip)
{
	struct json *j, *a, *back, *d;
	char *out, *out2;
	size_t len;

	CHECK_OK(json_new_object(&j));
	CHECK_OK(json_obj_set_str(j, "name", "quote\" back\\ nl\n ctl\x01 é"));
	CHECK_OK(json_obj_set_int(j, "n", -42));
	CHECK_OK(json_obj_set_double(j, "x", 0.1));
	CHECK_OK(json_obj_set_double(j, "y", 3.0));
	CHECK_OK(json_obj_set_bool(j, "b", false));
	CHECK_OK(json_obj_set_null(j, "z"));
	CHECK_OK(json_new_array(&a));
	CHECK_OK(json_arr_append(a, NULL) == -EINVAL ? 0 : -1);
	CHECK_OK(json_obj_set(j, "arr", a));
	CHECK_OK(json_obj_set_int(j, "n", 7));       /* replaces */
	CHECK_EQ(json_len(j), 7);
	CHECK_EQ(json_new_str(&d, "\xff"), -EINVAL);
	CHECK_EQ(json_new_double(&d, 1.0 / 0.0), -EINVAL);
	CHECK_OK(json_print(j, 0, &out, &len));
	CHECK_STR(out, "{\"name\":\"quote\\\" back\\\\ nl\\n ctl\\u0001 é\",\"n\":7,"
		       "\"x\":0.1,\"y\":3.0,\"b\":false,\"z\":null,\"arr\":[]}");
	CHECK_OK(json_parse(&back, out, len, NULL, NULL, 0));
	CHECK_OK(json_print(back, JSON_SORT_KEYS | JSON_PRETTY, &out2, NULL));
	CHECK(strstr(out2, "\n  \"arr\": [],\n  \"b\": false,"));
	CHECK_OK(json_obj_del(back, "arr"));
	CHECK_EQ(json_obj_del(back, "arr"), -ENOENT);
	CHECK_OK(json_dup(&d, back));
	CHECK_EQ(json_len(d), 6);
	json_free(d);
	free(out);
	free(out2);
	json_free(back);
	json_free(j);
}

TEST(quote_and_utf8)
{
	char buf[16];

	CHECK_EQ(json_quote(buf, sizeof(buf), "a\"b", 3), 6);
	CHECK_STR(buf, "\"a\\\"b\"");
	CHECK_EQ(json_quote(buf, 4, "abcdef", 6), 8);
	CHECK_STR(buf, "\"ab");
	CHECK(json_utf8_valid("\xe2\x82\xac", 3));
	CHECK(!json_utf8_valid("\xe2\x82", 2));
	CHECK(!json_utf8_valid("\xf8\x88\x80\x80\x80", 5));
}
