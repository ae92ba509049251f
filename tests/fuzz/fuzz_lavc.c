/* fuzz_lavc.c: the libavcodec H.264 decoder driver on arbitrary access units.
 *
 * Input: a sequence of units, each a 2-byte big-endian length and that many
 * bytes (the last one takes what is left); every unit is one mpkt.
 */
#include <stdint.h>
#include <string.h>

#include "drv/media_drv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vdec_params p = { 0 };
	struct vdec *d;
	size_t pos = 0;

	if (vdec_open(&d, "lavc", &p) < 0)
		return 0;
	for (int units = 0; pos + 2 <= size && units < 64; units++) {
		size_t len = (size_t)data[pos] << 8 | data[pos + 1];
		struct mpkt *m;
		struct vframe *f;

		pos += 2;
		if (len > size - pos)
			len = size - pos;
		if (mpkt_new_copy(&m, data + pos, len) < 0)
			break;
		pos += len;
		m->capture_us = (uint64_t)units;
		(void)vdec_send_packet(d, m);
		mpkt_unref(m);
		while (vdec_receive_frame(d, &f) == 0)
			vframe_unref(f);
	}
	(void)vdec_send_packet(d, NULL);
	for (struct vframe *f; vdec_receive_frame(d, &f) == 0;)
		vframe_unref(f);
	vdec_close(d);
	return 0;
}
