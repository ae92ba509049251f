/* fuzz_rtcp.c: fuzz target for RTCP compound parsing and rebuilding what was parsed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "rtp/rtcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ITEMS 64
#define MAX_SEQS 1024

static uint16_t seqs[MAX_SEQS], seqs2[MAX_SEQS];

/* every seq of a is in b */
static int covered(const uint16_t *a, unsigned na, const uint16_t *b, unsigned nb)
{
	for (unsigned i = 0; i < na; i++) {
		unsigned j = 0;

		while (j < nb && b[j] != a[i])
			j++;
		if (j == nb)
			return 0;
	}
	return 1;
}

/* rebuilds one parsed item; returns 1 when built, 0 when not rebuildable */
static int rebuild(struct wcur *w, const struct rtcp_item *it)
{
	char txt[256];
	unsigned n;

	switch (it->type) {
	case RTCP_ITEM_SR:
	case RTCP_ITEM_RR:
		return rtcp_build_report(w, &it->report) == 0;
	case RTCP_ITEM_SDES:
		if (!it->sdes.cname || it->sdes.cname_len == 0 ||
		    memchr(it->sdes.cname, 0, it->sdes.cname_len))
			return 0;
		memcpy(txt, it->sdes.cname, it->sdes.cname_len);
		txt[it->sdes.cname_len] = 0;
		return rtcp_build_sdes_cname(w, it->sdes.ssrc, txt) == 0;
	case RTCP_ITEM_BYE:
		if (it->bye.count == 0)
			return 0;
		if (it->bye.reason) {
			if (memchr(it->bye.reason, 0, it->bye.reason_len))
				return 0;
			memcpy(txt, it->bye.reason, it->bye.reason_len);
			txt[it->bye.reason_len] = 0;
		}
		return rtcp_build_bye(w, it->bye.ssrc, it->bye.count,
				      it->bye.reason ? txt : NULL) == 0;
	case RTCP_ITEM_NACK:
		if (it->nack.fci_count > MAX_SEQS / 17)
			return 0;
		n = rtcp_nack_seqs(&it->nack, seqs, MAX_SEQS);
		return rtcp_build_nack(w, it->fb.sender_ssrc, it->fb.media_ssrc, seqs, n) == 0;
	case RTCP_ITEM_PLI:
		return rtcp_build_pli(w, it->fb.sender_ssrc, it->fb.media_ssrc) == 0;
	case RTCP_ITEM_FIR:
		return rtcp_build_fir(w, it->fb.sender_ssrc, it->fir.ssrc, it->fir.seq_nr) == 0;
	case RTCP_ITEM_REMB:
		if (it->remb.bitrate == UINT64_MAX || it->remb.ssrc_count == 0)
			return 0;
		n = it->remb.ssrc_count < RTCP_MAX_REMB_SSRC ? it->remb.ssrc_count :
							       RTCP_MAX_REMB_SSRC;
		return rtcp_build_remb(w, it->fb.sender_ssrc, it->remb.bitrate, it->remb.ssrc,
				       n) == 0;
	default:
		abort();
	}
}

static void same(const struct rtcp_item *a, const struct rtcp_item *b)
{
	unsigned na, nb;

	if (a->type != b->type)
		abort();
	switch (a->type) {
	case RTCP_ITEM_SR:
	case RTCP_ITEM_RR:
		if (a->report.ssrc != b->report.ssrc ||
		    a->report.rb_count != b->report.rb_count ||
		    memcmp(a->report.rb, b->report.rb,
			   a->report.rb_count * sizeof(a->report.rb[0])) != 0 ||
		    (a->type == RTCP_ITEM_SR &&
		     memcmp(&a->report.si, &b->report.si, sizeof(a->report.si)) != 0))
			abort();
		break;
	case RTCP_ITEM_SDES:
		if (a->sdes.ssrc != b->sdes.ssrc || a->sdes.cname_len != b->sdes.cname_len ||
		    memcmp(a->sdes.cname, b->sdes.cname, a->sdes.cname_len) != 0)
			abort();
		break;
	case RTCP_ITEM_BYE:
		if (a->bye.count != b->bye.count ||
		    memcmp(a->bye.ssrc, b->bye.ssrc, a->bye.count * 4) != 0 ||
		    !a->bye.reason != !b->bye.reason || a->bye.reason_len != b->bye.reason_len ||
		    (a->bye.reason && memcmp(a->bye.reason, b->bye.reason, a->bye.reason_len)))
			abort();
		break;
	case RTCP_ITEM_NACK:
		na = rtcp_nack_seqs(&a->nack, seqs, MAX_SEQS);
		nb = rtcp_nack_seqs(&b->nack, seqs2, MAX_SEQS);
		if (a->fb.media_ssrc != b->fb.media_ssrc || !covered(seqs, na, seqs2, nb) ||
		    !covered(seqs2, nb, seqs, na))
			abort();
		break;
	case RTCP_ITEM_PLI:
		if (a->fb.media_ssrc != b->fb.media_ssrc)
			abort();
		break;
	case RTCP_ITEM_FIR:
		if (a->fir.ssrc != b->fir.ssrc || a->fir.seq_nr != b->fir.seq_nr)
			abort();
		break;
	case RTCP_ITEM_REMB:
		if (a->remb.bitrate != b->remb.bitrate || a->remb.ssrc[0] != b->remb.ssrc[0])
			abort();
		break;
	default:
		abort();
	}
	if (a->fb.sender_ssrc != b->fb.sender_ssrc)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rtcp_item items[MAX_ITEMS];
	static uint8_t out[MAX_ITEMS * 1100];
	struct rtcp_item again;
	struct rtcp_iter it;
	struct wcur w;
	unsigned n = 0;
	int r;

	if (rtcp_iter_init(&it, data, size) < 0)
		return 0;
	wcur_init(&w, out, sizeof(out));
	while (n < MAX_ITEMS && (r = rtcp_iter_next(&it, &items[n])) > 0) {
		if (rebuild(&w, &items[n]))
			n++;
		if (w.bad)
			abort();
	}
	if (n == 0)
		return 0;
	/* the rebuilt compound parses back to the same items */
	if (rtcp_iter_init(&it, out, w.pos) < 0)
		abort();
	for (unsigned i = 0; i < n; i++) {
		if (rtcp_iter_next(&it, &again) != 1)
			abort();
		same(&items[i], &again);
	}
	if (rtcp_iter_next(&it, &again) != 0)
		abort();
	return 0;
}
