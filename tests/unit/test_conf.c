/* test_conf.c: the typed config table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/conf/conf.h"
#include "test.h"

static const char *const modes[] = { "required", "preferred", "off", NULL };

static int no_spaces(const char *v, char *err, size_t n)
{
	if (strchr(v, ' ')) {
		snprintf(err, n, "must not contain spaces");
		return -EINVAL;
	}
	return 0;
}

static const struct conf_def defs[] = {
	{ .key = "sip.port", .type = CONF_INT, .def = "5060", .min = 1, .max = 65535,
	  .doc = "SIP listening port." },
	{ .key = "media.encryption", .type = CONF_ENUM, .def = "required", .enum_vals = modes,
	  .flags = CONF_RUNTIME, .doc = "Media encryption policy." },
	{ .key = "sip.password", .type = CONF_STR, .def = "", .flags = CONF_SECRET,
	  .doc = "SIP password." },
	{ .key = "room.name", .type = CONF_STR, .def = "Room", .doc = "Room name." },
	{ .key = "ui.dnd", .type = CONF_BOOL, .def = "no", .doc = "Do not disturb." },
	{ .key = "sip.user", .type = CONF_STR, .def = "room", .validate = no_spaces,
	  .flags = CONF_IMMUTABLE, .doc = "User part." },
};

TEST(defaults_and_types)
{
	struct conf *c;

	CHECK_OK(conf_new(&c, defs, 6));
	CHECK_EQ(conf_int(c, "sip.port"), 5060);
	CHECK_EQ(conf_enum(c, "media.encryption"), 0);
	CHECK(!conf_bool(c, "ui.dnd"));
	CHECK_STR(conf_str(c, "room.name"), "Room");
	conf_free(c);
}

TEST(load_string_ok)
{
	struct conf *c;
	char err[256];

	CHECK_OK(conf_new(&c, defs, 6));
	CHECK_OK(conf_load_string(c, "t.conf",
		 "# comment\n\nsip.port = 5070\nroom.name = \"  Board # 1 \"\nui.dnd=yes # trailing\n",
		 err, sizeof(err)));
	CHECK_EQ(conf_int(c, "sip.port"), 5070);
	CHECK_STR(conf_str(c, "room.name"), "  Board # 1 ");
	CHECK(conf_bool(c, "ui.dnd"));
	conf_free(c);
}

TEST(errors_have_file_line_and_change_nothing)
{
	struct conf *c;
	char err[256];

	CHECK_OK(conf_new(&c, defs, 6));
	CHECK_EQ(conf_load_string(c, "t.conf", "sip.port = 5070\n\nsip.port = 70000\n", err, sizeof(err)),
		 -EINVAL);
	CHECK_STR(err, "t.conf:3: sip.port: 70000 is out of range [1, 65535]");
	CHECK_EQ(conf_int(c, "sip.port"), 5060);
	CHECK_EQ(conf_load_string(c, "t.conf", "bogus = 1\n", err, sizeof(err)), -ENOENT);
	CHECK_STR(err, "t.conf:1: unknown key \"bogus\"");
	CHECK_EQ(conf_load_string(c, "t.conf", "media.encryption = maybe\n", err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "t.conf:1: media.encryption: \"maybe\" is not one of required|preferred|off");
	CHECK_EQ(conf_load_string(c, "x", "just words\n", err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "x:1: expected \"key = value\"");
	CHECK_EQ(conf_load_string(c, "x", "sip.user = a b\n", err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "x:1: sip.user: \"a b\": must not contain spaces");
	conf_free(c);
}

TEST(runtime_set_respects_flags)
{
	struct conf *c;
	char err[256];

	CHECK_OK(conf_new(&c, defs, 6));
	CHECK_OK(conf_set(c, "media.encryption", "off", true, err, sizeof(err)));
	CHECK_EQ(conf_set(c, "sip.user", "x", true, err, sizeof(err)), -EPERM);
	conf_free(c);
}

TEST(secrets_never_dumped)
{
	struct conf *c;
	char err[256], *out = NULL;
	size_t len = 0;
	FILE *f;

	CHECK_OK(conf_new(&c, defs, 6));
	CHECK_OK(conf_set(c, "sip.password", "hunter2", false, err, sizeof(err)));
	f = open_memstream(&out, &len);
	conf_dump(c, f);
	conf_write_default(defs, 6, "test", f);
	fclose(f);
	CHECK(strstr(out, "hunter2") == NULL);
	CHECK(strstr(out, "sip.password = (set)") != NULL);
	free(out);
	conf_free(c);
}

TEST(generated_default_file_loads_back)
{
	struct conf *c;
	char err[256], *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	conf_write_default(defs, 6, "test", f);
	fclose(f);
	CHECK(strstr(out, "# SIP listening port.\n# Type: integer, 1 to 65535.\nsip.port = 5060\n"));
	CHECK_OK(conf_new(&c, defs, 6));
	CHECK_MSG(conf_load_string(c, "gen", out, err, sizeof(err)) == 0, "%s", err);
	free(out);
	conf_free(c);
}
