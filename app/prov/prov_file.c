/* prov_file.c: crash-safe file replacement and bounded file reads. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prov/prov.h"

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char tmp[4096];
	int fd, r = 0;

	if (strlen(path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	strcpy(tmp, path);
	fd = open(dirname(tmp), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

static void fault(int fault_step, int step)
{
	if (fault_step == step)
		_exit(99);      /* simulated power cut / kill at this point */
}

int prov_file_write_atomic(const char *path, const void *data, size_t len, unsigned mode,
			   int fault_step)
{
	char tmp[4096];
	int fd, r;

	if (!path || (!data && len))
		return -EINVAL;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len / 2);
	fault(fault_step, 1);       /* half of the new content in the temp file */
	if (r == 0)
		r = write_all(fd, (const char *)data + len / 2, len - len / 2);
	if (r == 0 && fchmod(fd, mode) < 0)
		r = -errno;
	fault(fault_step, 2);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	fault(fault_step, 3);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	fault(fault_step, 4);
	if (r == 0)
		r = fsync_dir_of(path);
	if (r < 0)
		(void)unlink(tmp);
	return r;
}

int prov_file_read(const char *path, size_t max, char **ret, size_t *ret_len)
{
	struct stat st;
	size_t got = 0;
	char *b;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		close(fd);
		return S_ISREG(st.st_mode) ? -E2BIG : -EINVAL;
	}
	b = malloc((size_t)st.st_size + 1);
	if (!b) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, b + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	if (r < 0) {
		free(b);
		return r;
	}
	b[got] = '\0';
	*ret = b;
	if (ret_len)
		*ret_len = got;
	return 0;
}
