/* rtcp.h: RTCP compound packet parser and builders (RFC 3550, 4585, 5104).
 *
 * Parsing is an iterator over the items of one compound packet:
 *
 *	struct rtcp_iter it;
 *	struct rtcp_item item;
 *	if (rtcp_iter_init(&it, p, len) < 0) drop;
 *	while ((r = rtcp_iter_next(&it, &item)) > 0)
 *		switch (item.type) { ... }
 *	if (r < 0) malformed: drop the rest (count it).
 *
 * rtcp_iter_init() validates the framing of the whole compound (every
 * packet version 2 with a length that fits, padding only in the last one)
 * before any item is returned, so nothing is acted on from a truncated
 * compound. Items point into the packet (zero copy). APP packets, unknown
 * packet types and unknown feedback formats are skipped.
 *
 * Builders append one RTCP packet to a struct wcur (lib/base/buf.h); a
 * compound is SR or RR first, then SDES, then feedback/BYE. A builder that
 * does not fit marks the cursor bad and returns -ENOBUFS.
 * Everything here is stateless: callable from any thread.
 */
#ifndef RAKWON_RTP_RTCP_H
#define RAKWON_RTP_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wcur;

enum {
	RTCP_SR = 200,
	RTCP_RR = 201,
	RTCP_SDES = 202,
	RTCP_BYE = 203,
	RTCP_APP = 204,
	RTCP_RTPFB = 205,       /* RFC 4585 transport layer feedback */
	RTCP_PSFB = 206,        /* RFC 4585 payload-specific feedback */
};

enum {
	RTCP_RTPFB_NACK = 1,    /* generic NACK */
	RTCP_PSFB_PLI = 1,
	RTCP_PSFB_FIR = 4,      /* RFC 5104 */
	RTCP_PSFB_AFB = 15,     /* application layer feedback (REMB) */
};

#define RTCP_MAX_RB 31          /* report blocks per SR/RR */
#define RTCP_MAX_BYE_SSRC 31
#define RTCP_MAX_REMB_SSRC 16   /* parser keeps at most this many */
#define RTCP_CNAME_MAX 255

/* what an item is */
enum rtcp_item_type {
	RTCP_ITEM_SR,           /* .report, has_sender_info = true */
	RTCP_ITEM_RR,           /* .report */
	RTCP_ITEM_SDES,         /* .sdes: one chunk (with its CNAME if any) */
	RTCP_ITEM_BYE,          /* .bye */
	RTCP_ITEM_NACK,         /* .fb + .nack */
	RTCP_ITEM_PLI,          /* .fb */
	RTCP_ITEM_FIR,          /* .fb (media_ssrc 0) + .fir: one per FCI entry */
	RTCP_ITEM_REMB,         /* .fb + .remb */
	RTCP_ITEM_TYPE_MAX,
};

struct rtcp_rblock {
	uint32_t ssrc;          /* source this block reports on */
	uint8_t fraction;       /* fraction lost, 8-bit fixed point */
	int32_t lost;           /* cumulative lost, 24-bit signed */
	uint32_t ext_seq;       /* extended highest sequence number */
	uint32_t jitter;        /* interarrival jitter, RTP ts units */
	uint32_t lsr;           /* middle 32 bits of the last SR's NTP ts */
	uint32_t dlsr;          /* delay since that SR, 1/65536 s */
};

struct rtcp_sender_info {
	uint64_t ntp;           /* 64-bit NTP timestamp */
	uint32_t rtp_ts;        /* RTP timestamp of the same instant */
	uint32_t pkt_count;
	uint32_t octet_count;
};

/* SR (has_sender_info) or RR */
struct rtcp_report {
	uint32_t ssrc;
	bool has_sender_info;
	struct rtcp_sender_info si;
	unsigned rb_count;
	struct rtcp_rblock rb[RTCP_MAX_RB];
};

struct rtcp_sdes {
	uint32_t ssrc;
	const char *cname;      /* NOT NUL-terminated; NULL when absent */
	size_t cname_len;
};

struct rtcp_bye {
	unsigned count;
	uint32_t ssrc[RTCP_MAX_BYE_SSRC];
	const char *reason;     /* NOT NUL-terminated; NULL when absent */
	size_t reason_len;
};

/* common header of feedback messages */
struct rtcp_fb {
	uint32_t sender_ssrc;
	uint32_t media_ssrc;
};

/* generic NACK: fci points at fci_count 4-byte PID/BLP pairs */
struct rtcp_nack {
	const uint8_t *fci;
	unsigned fci_count;
};

struct rtcp_fir {
	uint32_t ssrc;          /* media sender asked for a decoder refresh */
	uint8_t seq_nr;         /* command sequence number */
};

struct rtcp_remb {
	uint64_t bitrate;       /* bits per second (mantissa << exp) */
	unsigned ssrc_count;    /* as given in the message */
	uint32_t ssrc[RTCP_MAX_REMB_SSRC];      /* first ones */
};

struct rtcp_item {
	enum rtcp_item_type type;
	struct rtcp_fb fb;      /* NACK, PLI, FIR, REMB */
	union {
		struct rtcp_report report;
		struct rtcp_sdes sdes;
		struct rtcp_bye bye;
		struct rtcp_nack nack;
		struct rtcp_fir fir;
		struct rtcp_remb remb;
	};
};

struct rtcp_iter {
	const uint8_t *p;
	size_t len;
	size_t pos;             /* start of the current RTCP packet */
	size_t sub;             /* position inside it (chunks, FCI entries) */
	unsigned sub_idx;
};

/* Validates the compound's framing. Returns 0 or -EBADMSG. */
int rtcp_iter_init(struct rtcp_iter *it, const uint8_t *p, size_t len);
/* Returns 1 with *item filled, 0 at the end, -EBADMSG when the current
 * packet's body is malformed (the iterator then stays at the end; *item
 * is then undefined). */
int rtcp_iter_next(struct rtcp_iter *it, struct rtcp_item *item);

/* Expands a NACK's PID/BLP pairs into sequence numbers (in FCI order, PID
 * then BLP bits low to high, duplicates kept). Returns the count written
 * (at most max). */
unsigned rtcp_nack_seqs(const struct rtcp_nack *n, uint16_t *seqs, unsigned max);

/* Compresses seqs[0..n) into PID/BLP pairs (fci[i] = pid << 16 | blp).
 * Input in ascending wrap-aware order gives the fewest pairs; any order is
 * covered correctly. Returns the number of pairs, or -ENOBUFS when more
 * than max_fci would be needed. */
int rtcp_nack_pack(const uint16_t *seqs, unsigned n, uint32_t *fci, unsigned max_fci);

/* --- builders: each appends one RTCP packet; 0 or -ENOBUFS/-EINVAL --- */

/* SR when r->has_sender_info, else RR; rb_count <= 31 */
int rtcp_build_report(struct wcur *w, const struct rtcp_report *r);
/* SDES with one chunk holding CNAME (1..255 bytes) */
int rtcp_build_sdes_cname(struct wcur *w, uint32_t ssrc, const char *cname);
/* BYE for n (1..31) SSRCs with an optional reason (<= 255 bytes, or NULL) */
int rtcp_build_bye(struct wcur *w, const uint32_t *ssrc, unsigned n, const char *reason);
/* generic NACK for the lost seqs (packed with rtcp_nack_pack; at most 256
 * pairs, -EINVAL when n is 0) */
int rtcp_build_nack(struct wcur *w, uint32_t sender_ssrc, uint32_t media_ssrc,
		    const uint16_t *seqs, unsigned n);
int rtcp_build_pli(struct wcur *w, uint32_t sender_ssrc, uint32_t media_ssrc);
/* FIR (RFC 5104) asking media_ssrc for a refresh, command number seq_nr */
int rtcp_build_fir(struct wcur *w, uint32_t sender_ssrc, uint32_t media_ssrc,
		   uint8_t seq_nr);
/* REMB (draft-alvestrand-rmcat-remb) for n (1..255) SSRCs */
int rtcp_build_remb(struct wcur *w, uint32_t sender_ssrc, uint64_t bitrate,
		    const uint32_t *ssrc, unsigned n);

/* Convenience: a compound report (SR/RR then SDES CNAME) into buf.
 * Returns 0 and *ret_len, or -ENOBUFS/-EINVAL. */
int rtcp_build_compound(uint8_t *buf, size_t cap, const struct rtcp_report *r,
			const char *cname, size_t *ret_len);

#endif
