/* test_input_fifo.c: the input driver's FIFO twin: key names through the keymap to actions, unknown keys, long lines. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "input/input.h"
#include "test.h"

struct got {
	char actions[16][32];
	int codes[16];
	int n;
};

static void on_action(const char *action, int code, int value, void *arg)
{
	struct got *g = arg;

	if (g->n < 16) {
		snprintf(g->actions[g->n], sizeof(g->actions[0]), "%s", action);
		g->codes[g->n] = code;
		g->n++;
	}
}

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_NONBLOCK);

	CHECK(fd >= 0);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

TEST(input_fifo_keys_through_keymap)
{
	char fifo[256], km[256];
	struct input_keys *k = NULL;
	struct input_keys_stats st;
	struct got g = { 0 };
	char longline[300];
	FILE *f;

	snprintf(fifo, sizeof(fifo), "%s/keys", test_tmpdir());
	snprintf(km, sizeof(km), "%s/keymap", test_tmpdir());
	f = fopen(km, "w");
	CHECK(f);
	fprintf(f, "# test\nKEY_UP up\nKEY_OK ok\n0x1b0 call\nKEY_NOPE bad\n");
	fclose(f);
	CHECK_OK(input_keys_new_fifo(&k, fifo, km, on_action, &g));
	memset(longline, 'A', sizeof(longline) - 2);
	longline[sizeof(longline) - 2] = '\n';
	longline[sizeof(longline) - 1] = 0;
	put(fifo, "KEY_UP\n  KEY_OK \r\nKEY_DOWN\n# comment\n\n432\n");
	put(fifo, longline);
	put(fifo, "KEY_UP\nKEY_O");   /* a partial line waits for its end */
	CHECK(input_keys_dispatch(k, 1000) >= 1);
	while (input_keys_dispatch(k, 100) > 0)
		;
	CHECK_EQ(g.n, 4);
	CHECK_STR(g.actions[0], "up");
	CHECK_STR(g.actions[1], "ok");
	CHECK_STR(g.actions[2], "call");
	CHECK_EQ(g.codes[2], 0x1b0);
	CHECK_STR(g.actions[3], "up");
	put(fifo, "K\n");
	while (input_keys_dispatch(k, 200) > 0)
		;
	CHECK_EQ(g.n, 5);
	CHECK_STR(g.actions[4], "ok");
	input_keys_get_stats(k, &st);
	CHECK_EQ(st.keys, 5);
	CHECK_EQ(st.unknown, 1);      /* KEY_DOWN has no mapping; the long line is dropped */
	k = input_keys_free(k);
	/* a path that is not a FIFO is refused */
	CHECK(input_keys_new_fifo(&k, km, NULL, on_action, &g) < 0);
	CHECK(k == NULL);
}
