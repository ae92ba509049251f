/* fuzz_wav.c: the WAV source driver (RIFF chunk parsing, conversion) on arbitrary files. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "drv/media_drv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("wav", MFD_CLOEXEC);
	char args[64];
	struct audsrc *s;

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		for (int ch = 0; ch <= 2; ch++) {
			struct audsrc_params p = { .rate = 48000, .channels = ch,
						   .frame_samples = 160, .loop = ch == 2,
						   .args = args };

			snprintf(args, sizeof(args), "path=/proc/self/fd/%d,realtime=0", fd);
			if (audsrc_open(&s, "wav", &p) < 0)
				break;
			for (int i = 0; i < 8; i++) {
				struct aframe *a;

				if (audsrc_read(s, &a) < 0)
					break;
				aframe_unref(a);
			}
			audsrc_close(s);
		}
	}
	close(fd);
	return 0;
}
