/* fuzz_sdp.c: fuzz target for the SDP parser/printer and offer/answer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdp/sdp.h"
#include "sdp/sdp_nego.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void local_init(struct sdp_local *l, enum sdp_enc_policy enc)
{
	memset(l, 0, sizeof(*l));
	l->addr = "127.0.0.1";
	l->enc = enc;
	l->audio = (struct sdp_local_media){ .enable = true, .port = 4000, .rtcp_mux = true,
					     .dir = SDP_DIR_SENDRECV, .pt = 111, .te_pt = 101,
					     .ssrc = 1 };
	l->video = (struct sdp_local_media){ .enable = true, .port = 4002, .rtcp_mux = true,
					     .dir = SDP_DIR_SENDRECV, .pt = 96, .rtx_pt = 97,
					     .ssrc = 2, .rtx_ssrc = 3 };
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdp_sess *s = malloc(sizeof(*s)), *s2 = malloc(sizeof(*s2));
	struct sdp_local loc;
	struct sdp_result res;
	struct buf *b = NULL;
	unsigned i, k;

	if (!s || !s2 || buf_new(&b, 0) < 0)
		goto out;
	if (sdp_parse(s, (const char *)data, size) == 0) {
		for (i = 0; i < s->nmedia; i++) {
			const struct sdp_media *m = &s->media[i];
			struct sdp_rtpmap rm;
			struct sdp_crypto c;
			const struct sdp_attr *a;
			uint32_t x, y;

			(void)sdp_media_dir(s, m);
			(void)sdp_media_ssrc(m, &x);
			(void)sdp_media_fid(m, &x, &y);
			for (k = 0; k < m->nfmt && k < 4; k++) {
				(void)sdp_media_rtpmap(m, (uint8_t)k, &rm);
				(void)sdp_media_rtcp_fb(m, (uint8_t)k);
			}
			for (k = 0; (a = sdp_media_attr(m, "crypto", k)); k++)
				if (a->val.p && sdp_crypto_parse(&c, &a->val) == 0 && c.suite)
					(void)sdp_crypto_print(b, &c);
		}
		b->len = 0;
		/* what we print must parse again, to the same shape */
		if (sdp_print(b, s) == 0) {
			if (sdp_parse(s2, (const char *)b->data, b->len) != 0 &&
			    b->len <= SDP_MAX_SIZE)
				abort();
		}
	}
	for (i = 0; i < 3; i++) {
		local_init(&loc, (enum sdp_enc_policy)i);
		b->len = 0;
		if (sdp_nego_answer(&loc, (const char *)data, size, b, &res) == 0) {
			/* our answer must parse */
			if (sdp_parse(s2, (const char *)b->data, b->len) != 0)
				abort();
		}
		(void)sdp_nego_apply_answer(&loc, (const char *)data, size, &res);
	}
out:
	buf_unref(b);
	free(s);
	free(s2);
	return 0;
}
