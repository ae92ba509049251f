/* fuzz_rtp.c: fuzz target for rtp_hdr_decode, RFC 8285 lookup, re-encode and RTX. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtp/rtp.h"
#include "rtp/rtx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[70000], copy[70000];
	struct rtp_hdr h, h2;
	size_t n, dn;
	uint16_t osn;

	(void)rtp_is_rtcp(data, size);
	if (rtp_hdr_decode(&h, data, size) < 0)
		return 0;
	if (h.hdr_len + h.payload_len + h.pad_len != size)
		abort();
	for (unsigned id = 0; id < 256; id++) {
		const uint8_t *d = NULL;
		size_t len = 0;

		if (rtp_hdr_ext_find(&h, (uint8_t)id, &d, &len) == 0 &&
		    (d < h.ext_data || d + len > h.ext_data + h.ext_len))
			abort();
	}
	/* the decoded header encodes back to the same bytes */
	if (rtp_hdr_encode(&h, out, sizeof(out), &n) < 0 || n != h.hdr_len ||
	    memcmp(out, data, n) != 0)
		abort();
	/* RTX round trip gives the original without padding */
	if (size > sizeof(copy) - 2)
		return 0;
	if (rtx_encap(data, size, 0x12345678, 99, 7, copy, sizeof(copy), &n) < 0)
		abort();
	if (rtx_decap(copy, n, h.ssrc, h.pt, &dn, &osn) < 0 || osn != h.seq ||
	    dn != h.hdr_len + h.payload_len)
		abort();
	if (rtp_hdr_decode(&h2, copy, dn) < 0 || h2.padding ||
	    memcmp(copy + 1, data + 1, h.hdr_len - 1) != 0 ||
	    memcmp(copy + h.hdr_len, data + h.hdr_len, h.payload_len) != 0)
		abort();
	return 0;
}
