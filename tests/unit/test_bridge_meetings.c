/* test_bridge_meetings.c: the bridge's meetings file parser (app/bridge/meetings.c,
 * compiled in here: the bridge is a program, not part of librakwon). */
#include <errno.h>
#include <stdlib.h>

#include "../../app/bridge/meetings.c"
#include "test.h"

TEST(bridge_meetings_ok)
{
	struct br_meeting_def *d = NULL;
	size_t n = 0;
	char err[256] = "";

	CHECK_OK(br_meetings_parse("m", "# comment\n\n1001 | Weekly review | 1234 | 9999 | 50\n"
				   "  2002|Board||| 2  \n3003 | Open | | 42 | 1000", &d, &n, err,
				   sizeof(err)));
	CHECK_EQ(n, 3);
	CHECK_STR(d[0].number, "1001");
	CHECK_STR(d[0].name, "Weekly review");
	CHECK_STR(d[0].pin, "1234");
	CHECK_STR(d[0].chair_pin, "9999");
	CHECK_EQ(d[0].max_parts, 50);
	CHECK_STR(d[1].number, "2002");
	CHECK_STR(d[1].pin, "");
	CHECK_STR(d[1].chair_pin, "");
	CHECK_EQ(d[1].max_parts, 2);
	CHECK_STR(d[2].chair_pin, "42");
	CHECK_EQ(d[2].max_parts, 1000);
	CHECK_STR(d[0].uplink, "");
	free(d);
	CHECK_OK(br_meetings_parse("m", "2001 | Province | | 77 | 100 | sip:1001@10.0.0.1;pin=5\n"
				   "2002 | P2 | | | 9 |", &d, &n, err, sizeof(err)));
	CHECK_EQ(n, 2);
	CHECK_STR(d[0].uplink, "sip:1001@10.0.0.1;pin=5");
	CHECK_STR(d[0].chair_pin, "77");
	CHECK_STR(d[1].uplink, "");
	free(d);
	CHECK_OK(br_meetings_parse("m", "", &d, &n, err, sizeof(err)));
	CHECK_EQ(n, 0);
	free(d);
}

TEST(bridge_meetings_errors)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "1001 | a | | | 5 | x | y", "m:1: expected 5 or 6 fields" },
		{ "1001 | a | | 5", "m:1: expected 5 or 6 fields" },
		{ "1001 | a | | | 5 | x", "m:1: bad uplink" },
		{ "1001 | a | | | 5 | sip:1@h <x>", "m:1: bad uplink" },
		{ "\n10a1 | a | | | 5", "m:2: bad meeting number" },
		{ " | a | | | 5", "m:1: bad meeting number" },
		{ "1234567890123456 | a | | | 5", "m:1: bad meeting number" },
		{ "1001 | a | 12x | | 5", "m:1: bad PIN" },
		{ "1001 | a | | 1234567890123456 | 5", "m:1: bad PIN" },
		{ "1001 | a | | | 1", "m:1: bad max participants" },
		{ "1001 | a | | | 1001", "m:1: bad max participants" },
		{ "1001 | a | | | 5x", "m:1: bad max participants" },
		{ "1001 | a | | | 5\n1001 | b | | | 5", "m:2: duplicate meeting number" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct br_meeting_def *d = (void *)1;
		size_t n = 0;
		char err[256] = "";

		CHECK_EQ(br_meetings_parse("m", bad[i].text, &d, &n, err, sizeof(err)), -EINVAL);
		CHECK_MSG(!strncmp(err, bad[i].msg, strlen(bad[i].msg)), "case %zu: \"%s\"", i, err);
	}
}

TEST(bridge_meetings_long_line)
{
	char *text = malloc(2000);
	struct br_meeting_def *d = NULL;
	size_t n = 0;
	char err[256] = "";

	CHECK(text != NULL);
	memset(text, 'x', 1999);
	text[1999] = 0;
	CHECK_EQ(br_meetings_parse("m", text, &d, &n, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "m:1: line too long");
	free(text);
}
