/* nack.c: receiver-side NACK generator: gap tracking, timing, give-up. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rtp/nack.h"
#include "rtp/rtp.h"

/* a backwards jump this large, twice in sequence, restarts the tracker */
#define NACK_BACK_JUMP 3000

struct loss {
	uint64_t ext;           /* extended seq */
	uint64_t first_us;      /* when the gap was seen */
	uint64_t next_us;       /* when to NACK (again) */
	unsigned tries;
};

struct nack_gen {
	struct nack_conf conf;
	struct loss *l;         /* ascending by ext; conf.max_tracked slots */
	unsigned n;
	bool init;
	uint64_t highest;       /* extended highest seq */
	uint16_t bad_seq;       /* expected next seq after a big backwards jump */
	bool bad_valid;
	bool keyframe;          /* a loss became unrecoverable since the last poll */
	struct nack_stats st;
};

void nack_conf_default(struct nack_conf *c)
{
	c->max_tracked = 256;
	c->reorder_us = 5000;
	c->min_interval_us = 10000;
	c->max_age_us = 1000000;
	c->max_tries = 10;
	c->rtt_us = 100000;
}

int nack_gen_new(struct nack_gen **ret, const struct nack_conf *conf)
{
	struct nack_conf c;
	struct nack_gen *n;

	if (!ret)
		return -EINVAL;
	nack_conf_default(&c);
	if (conf) {
		if (conf->max_tracked)
			c.max_tracked = conf->max_tracked;
		if (conf->reorder_us)
			c.reorder_us = conf->reorder_us;
		if (conf->min_interval_us)
			c.min_interval_us = conf->min_interval_us;
		if (conf->max_age_us)
			c.max_age_us = conf->max_age_us;
		if (conf->max_tries)
			c.max_tries = conf->max_tries;
		if (conf->rtt_us)
			c.rtt_us = conf->rtt_us;
	}
	if (c.max_tracked > NACK_MAX_TRACKED)
		return -EINVAL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->conf = c;
	n->l = calloc(c.max_tracked, sizeof(*n->l));
	if (!n->l) {
		free(n);
		return -ENOMEM;
	}
	*ret = n;
	return 0;
}

struct nack_gen *nack_gen_free(struct nack_gen *n)
{
	if (!n)
		return NULL;
	free(n->l);
	free(n);
	return NULL;
}

void nack_gen_reset(struct nack_gen *n)
{
	n->n = 0;
	n->init = false;
	n->bad_valid = false;
}

void nack_gen_set_rtt(struct nack_gen *n, uint32_t rtt_us)
{
	if (rtt_us)
		n->conf.rtt_us = rtt_us;
}

static void restart(struct nack_gen *n, uint64_t ext)
{
	n->st.resets++;
	if (n->n)
		n->st.unrecoverable += n->n;
	n->n = 0;
	n->highest = ext;
	n->bad_valid = false;
	n->keyframe = true;
}

/* binary search for ext; returns its index or -1 */
static int find(const struct nack_gen *n, uint64_t ext)
{
	unsigned lo = 0, hi = n->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (n->l[mid].ext == ext)
			return (int)mid;
		if (n->l[mid].ext < ext)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

enum nack_pkt_result nack_gen_packet(struct nack_gen *n, uint16_t seq, bool rtx,
				     uint64_t now_us)
{
	int16_t d;
	uint64_t ext;
	int i;

	if (!n->init) {
		n->init = true;
		n->highest = (uint64_t)seq + 65536;
		n->n = 0;
		n->bad_valid = false;
		return NACK_PKT_NEW;
	}
	d = rtp_seq_diff(seq, (uint16_t)n->highest);
	if (d > 0) {
		unsigned gap = (unsigned)d - 1, drop;

		n->bad_valid = false;
		ext = n->highest + (uint64_t)d;
		if (gap > n->conf.max_tracked) {
			n->st.lost += gap;
			restart(n, ext);
			return NACK_PKT_RESET;
		}
		/* full: give up the oldest losses */
		if (n->n + gap > n->conf.max_tracked) {
			drop = n->n + gap - n->conf.max_tracked;
			memmove(n->l, n->l + drop, (n->n - drop) * sizeof(*n->l));
			n->n -= drop;
			n->st.unrecoverable += drop;
			n->keyframe = true;
		}
		for (uint64_t e = n->highest + 1; e < ext; e++) {
			struct loss *l = &n->l[n->n++];

			l->ext = e;
			l->first_us = now_us;
			l->next_us = now_us + n->conf.reorder_us;
			l->tries = 0;
		}
		n->st.lost += gap;
		n->highest = ext;
		return NACK_PKT_NEW;
	}
	if (d == 0)
		return NACK_PKT_OLD;
	if (d <= -NACK_BACK_JUMP) {
		/* the sender may have restarted lower: two in sequence resync */
		if (n->bad_valid && seq == n->bad_seq) {
			restart(n, (uint64_t)seq + 65536);
			return NACK_PKT_RESET;
		}
		n->bad_valid = true;
		n->bad_seq = (uint16_t)(seq + 1);
		return NACK_PKT_OLD;
	}
	ext = n->highest - (uint64_t)(-(int)d);
	i = find(n, ext);
	if (i < 0)
		return NACK_PKT_OLD;
	memmove(n->l + i, n->l + i + 1, (n->n - (unsigned)i - 1) * sizeof(*n->l));
	n->n--;
	n->st.recovered++;
	if (rtx)
		n->st.recovered_rtx++;
	return NACK_PKT_RECOVERED;
}

int nack_gen_poll(struct nack_gen *n, uint64_t now_us, uint16_t *seqs, unsigned max,
		  unsigned *ret_n)
{
	unsigned out = 0, keep = 0;
	uint32_t interval = n->conf.rtt_us > n->conf.min_interval_us ?
			    n->conf.rtt_us : n->conf.min_interval_us;
	int r;

	for (unsigned i = 0; i < n->n; i++) {
		struct loss *l = &n->l[i];
		bool due = now_us >= l->next_us;

		if ((due && l->tries >= n->conf.max_tries) ||
		    now_us - l->first_us > n->conf.max_age_us) {
			n->st.unrecoverable++;
			n->keyframe = true;
			continue;
		}
		if (due && out < max && seqs) {
			seqs[out++] = (uint16_t)l->ext;
			l->tries++;
			l->next_us = now_us + interval;
			n->st.nacked++;
		}
		n->l[keep++] = *l;
	}
	n->n = keep;
	r = n->keyframe ? NACK_KEYFRAME : 0;
	n->keyframe = false;
	if (ret_n)
		*ret_n = out;
	return r;
}

uint64_t nack_gen_next_us(const struct nack_gen *n)
{
	uint64_t t = UINT64_MAX;

	if (n->keyframe)
		return 0;
	for (unsigned i = 0; i < n->n; i++) {
		uint64_t give_up = n->l[i].first_us + n->conf.max_age_us + 1;
		uint64_t v = n->l[i].next_us < give_up ? n->l[i].next_us : give_up;

		if (v < t)
			t = v;
	}
	return t;
}

unsigned nack_gen_pending(const struct nack_gen *n)
{
	return n->n;
}

void nack_gen_get_stats(const struct nack_gen *n, struct nack_stats *ret)
{
	*ret = n->st;
}
