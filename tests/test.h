/* test.h: the unit-test framework: a table of tests registered at load time.
 *
 * A test file defines tests with TEST(name) { ... } and checks with CHECK*().
 * A failed CHECK records the failure, prints file:line and returns from the
 * test. tests/test_main.c runs every registered test (or those named on the
 * command line) and prints "N passed, N failed".
 */
#ifndef RAKWON_TEST_H
#define RAKWON_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(void);
	struct test_case *next;
};

void test_register(struct test_case *tc);
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool test_failed(void);
/* directory holding test data (tests/data by default, env RAKWON_TESTDATA) */
const char *test_datadir(void);
/* a fresh scratch directory for this test binary (removed at exit unless it failed) */
const char *test_tmpdir(void);

#define TEST(n)                                                              \
	static void test_fn_##n(void);                                        \
	static struct test_case test_case_##n = { #n, test_fn_##n, NULL };    \
	__attribute__((constructor)) static void test_reg_##n(void)           \
	{                                                                     \
		test_register(&test_case_##n);                                \
	}                                                                     \
	static void test_fn_##n(void)

#define CHECK(c)                                                             \
	do {                                                                  \
		if (!(c)) {                                                   \
			test_fail(__FILE__, __LINE__, "CHECK(%s)", #c);       \
			return;                                               \
		}                                                             \
	} while (0)

#define CHECK_MSG(c, ...)                                                    \
	do {                                                                  \
		if (!(c)) {                                                   \
			test_fail(__FILE__, __LINE__, __VA_ARGS__);           \
			return;                                               \
		}                                                             \
	} while (0)

#define CHECK_EQ(a, b)                                                       \
	do {                                                                  \
		long long a_ = (long long)(a), b_ = (long long)(b);           \
		if (a_ != b_) {                                               \
			test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld",  \
				  #a, #b, a_, b_);                            \
			return;                                               \
		}                                                             \
	} while (0)

#define CHECK_STR(a, b)                                                      \
	do {                                                                  \
		const char *a_ = (a), *b_ = (b);                              \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                      \
			test_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", \
				  #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
			return;                                               \
		}                                                             \
	} while (0)

/* 0 or -errno returning call must succeed */
#define CHECK_OK(e)                                                          \
	do {                                                                  \
		int r_ = (e);                                                 \
		if (r_ < 0) {                                                 \
			test_fail(__FILE__, __LINE__, "%s: %s", #e, strerror(-r_)); \
			return;                                               \
		}                                                             \
	} while (0)

#endif
