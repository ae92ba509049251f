/* fuzz_ws_frame.c: fuzz target for the WebSocket frame parser and the credentials hash parser (app/ctrl). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/ctrl_ws_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size + 1);
	size_t off = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	/* walk the input as a stream of client frames, like tp_ws does */
	while (off < size) {
		struct ws_frame f;
		int r = ws_frame_parse(buf + off, size - off, 4096, &f);

		if (r <= 0)
			break;
		if (f.hdr_len + f.len > size - off || f.len > 4096)
			__builtin_trap();
		ws_unmask(buf + off + f.hdr_len, f.len, f.mask);
		off += f.hdr_len + f.len;
	}
	/* the same bytes as a stored hash (cheap iteration counts only) */
	buf[size] = '\0';
	if (size < 200 && strncmp((char *)buf, "pbkdf2-sha256$", 14) != 0)
		(void)ctrl_creds_verify((char *)buf, "password");
	free(buf);
	return 0;
}
