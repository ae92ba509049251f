/* standalone.c: replays fuzz corpora without libFuzzer.
 *
 * Each fuzz target defines LLVMFuzzerTestOneInput(). Linked with this file it
 * becomes a replay program: every file named on the command line (directories
 * are walked one level deep) is fed to the target once. A crash, a sanitizer
 * report or a hang (alarm after 10 s per input) fails the run.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0) {
		fclose(f);
		return -EIO;
	}
	rewind(f);
	buf = malloc(n ? (size_t)n : 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	if (n && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	alarm(10);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	alarm(0);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int count = 0, errors = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			errors++;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *de;

			if (!d) {
				errors++;
				continue;
			}
			while ((de = readdir(d))) {
				char p[4096];

				if (de->d_name[0] == '.')
					continue;
				snprintf(p, sizeof(p), "%s/%s", argv[i], de->d_name);
				if (run_file(p) < 0)
					errors++;
				else
					count++;
			}
			closedir(d);
		} else if (run_file(argv[i]) < 0) {
			errors++;
		} else {
			count++;
		}
	}
	printf("replayed %d inputs, %d unreadable\n", count, errors);
	return errors ? 1 : 0;
}
