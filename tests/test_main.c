/* test_main.c: runs the tests registered with TEST() and prints a summary. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

static struct test_case *test_head, **test_tail = &test_head;
static bool cur_failed;
static char tmpdir[256];

void test_register(struct test_case *tc)
{
	*test_tail = tc;
	test_tail = &tc->next;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cur_failed = true;
}

bool test_failed(void)
{
	return cur_failed;
}

const char *test_datadir(void)
{
	const char *d = getenv("RAKWON_TESTDATA");

	return d ? d : "tests/data";
}

const char *test_tmpdir(void)
{
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/rakwon-test-XXXXXX");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(2);
		}
	}
	return tmpdir;
}

static bool selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	const char *prog = strrchr(argv[0], '/');

	prog = prog ? prog + 1 : argv[0];
	if (argc == 2 && strcmp(argv[1], "-l") == 0) {
		for (struct test_case *t = test_head; t; t = t->next)
			printf("%s\n", t->name);
		return 0;
	}
	for (struct test_case *t = test_head; t; t = t->next) {
		if (!selected(t->name, argc, argv))
			continue;
		cur_failed = false;
		t->fn();
		printf("  %-4s %s.%s\n", cur_failed ? "FAIL" : "ok", prog, t->name);
		fflush(stdout);
		if (cur_failed)
			failed++;
		else
			passed++;
	}
	if (tmpdir[0] && !failed) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s, ignoring\n", tmpdir);
	}
	printf("%s: %d passed, %d failed\n", prog, passed, failed);
	return failed ? 1 : 0;
}
