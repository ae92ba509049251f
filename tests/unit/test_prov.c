/* test_prov.c: profile template rendering and the crash-safe file helpers. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "prov/prov.h"
#include "prov/prov_int.h"
#include "prov/prov_template.h"
#include "test.h"

static const char *vars(const char *name, void *arg)
{
	(void)arg;
	if (!strcmp(name, "serial"))
		return "rk-0001";
	if (!strcmp(name, "sip.server"))
		return "10.0.0.1";
	if (!strcmp(name, "nl"))
		return "x\ny = 1";
	if (!strcmp(name, "loop"))
		return "${serial}";
	return NULL;
}

static int render(const char *t, char **out, char *err)
{
	return prov_template_render(t, strlen(t), vars, NULL, 200, out, NULL, err, 128);
}

TEST(template_render)
{
	char *out, err[128];

	CHECK_OK(render("sip.user = ${serial}\nsip.server = ${sip.server}:5061\n", &out, err));
	CHECK_STR(out, "sip.user = rk-0001\nsip.server = 10.0.0.1:5061\n");
	free(out);
	CHECK_OK(render("cost = $$5, ${loop}", &out, err));
	CHECK_STR(out, "cost = $5, ${serial}");    /* values are not expanded again */
	free(out);
	CHECK_OK(render("", &out, err));
	CHECK_STR(out, "");
	free(out);
	CHECK_EQ(render("a = ${nope}", &out, err), -ENOENT);
	CHECK_STR(err, "byte 4: unknown variable \"nope\"");
	CHECK_EQ(render("a = ${nl}", &out, err), -EINVAL);
	CHECK_STR(err, "byte 4: value of \"nl\" contains a line break");
	CHECK_EQ(render("a = ${serial", &out, err), -EINVAL);
	CHECK_EQ(render("a = ${}", &out, err), -EINVAL);
	CHECK_EQ(render("a = $x", &out, err), -EINVAL);
	CHECK_EQ(render("a = ${bad name}", &out, err), -EINVAL);
	CHECK_EQ(prov_template_render("${serial}${serial}", 18, vars, NULL, 10, &out, NULL, err,
				      sizeof(err)), -E2BIG);
	CHECK_EQ(prov_template_render("a\0b", 3, vars, NULL, 10, &out, NULL, err, sizeof(err)),
		 -EINVAL);
}

TEST(atomic_write_and_read)
{
	char path[512], *s;
	struct stat st;
	size_t len;
	pid_t pid;
	int status;

	snprintf(path, sizeof(path), "%s/cfg", test_tmpdir());
	CHECK_OK(prov_file_write_atomic(path, "one\n", 4, 0600, 0));
	CHECK_OK(prov_file_read(path, 100, &s, &len));
	CHECK_STR(s, "one\n");
	free(s);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK_EQ(prov_file_read(path, 3, &s, &len), -E2BIG);
	/* a child killed before the rename leaves the old file */
	pid = fork();
	if (pid == 0)
		(void)prov_file_write_atomic(path, "two\n", 4, 0600, 3);
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 99);
	CHECK_OK(prov_file_read(path, 100, &s, &len));
	CHECK_STR(s, "one\n");
	free(s);
	/* a child killed after the rename leaves the new one */
	pid = fork();
	if (pid == 0)
		(void)prov_file_write_atomic(path, "two\n", 4, 0600, 4);
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK_OK(prov_file_read(path, 100, &s, &len));
	CHECK_STR(s, "two\n");
	free(s);
	CHECK_EQ(prov_file_read("/nonexistent/x", 10, &s, &len), -ENOENT);
	CHECK_EQ(prov_file_write_atomic("/nonexistent/x", "a", 1, 0600, 0), -ENOENT);
}

TEST(srv_answer_parse)
{
	/* answer for _rakwon-prov._tcp.example.org: two SRV records, the
	 * priority 5 one wins; the second target uses a compression pointer */
	static const uint8_t msg[] = {
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0,
		12, '_', 'r', 'a', 'k', 'w', 'o', 'n', '-', 'p', 'r', 'o', 'v',
		4, '_', 't', 'c', 'p', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g', 0,
		0, 33, 0, 1,
		0xc0, 12, 0, 33, 0, 1, 0, 0, 0, 60, 0, 11, 0, 10, 0, 1, 0x20, 0xfb,
		2, 'p', '2', 0xc0, 30,
		0xc0, 12, 0, 33, 0, 1, 0, 0, 0, 60, 0, 11, 0, 5, 0, 1, 0x20, 0xfb,
		2, 'p', '1', 0xc0, 30,
	};
	char url[128];

	CHECK_OK(prov_srv_parse(msg, sizeof(msg), url, sizeof(url)));
	CHECK_STR(url, "https://p1.example.org:8443");
	CHECK_EQ(prov_srv_parse(msg, sizeof(msg) - 3, url, sizeof(url)), -EINVAL);
	CHECK_EQ(prov_srv_parse(msg, 11, url, sizeof(url)), -EINVAL);
}
