/* fuzz_y4m.c: the Y4M source driver (header and frame parsing) on arbitrary files. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "drv/media_drv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("y4m", MFD_CLOEXEC);
	char args[64];
	struct vidsrc *s;

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		for (int loop = 0; loop < 2; loop++) {
			struct vidsrc_params p = { .loop = loop, .args = args };

			snprintf(args, sizeof(args), "path=/proc/self/fd/%d,realtime=0", fd);
			if (vidsrc_open(&s, "y4m", &p) < 0)
				break;
			for (int i = 0; i < 6; i++) {
				struct vframe *f;

				if (vidsrc_read(s, &f) < 0)
					break;
				vframe_unref(f);
			}
			vidsrc_close(s);
		}
	}
	close(fd);
	return 0;
}
