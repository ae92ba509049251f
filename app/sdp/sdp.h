/* sdp.h: SDP (RFC 4566) parser and printer with hard limits.
 *
 * sdp_parse() fills a struct sdp_sess whose slices point into the text, which
 * must outlive it (zero-copy). Limits: SDP_MAX_LINES lines, SDP_MAX_MEDIA media
 * sections, SDP_MAX_ATTR attributes per section, SDP_MAX_FMT formats per m=
 * line; exceeding one is -E2BIG. Both CRLF and bare LF line ends are accepted.
 * Helpers decode the attributes offer/answer needs (rtpmap, fmtp, rtcp-fb,
 * crypto, ssrc, direction).
 */
#ifndef RAKWON_SDP_SDP_H
#define RAKWON_SDP_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/buf.h"
#include "lib/base/pl.h"

#define SDP_MAX_SIZE 16384
#define SDP_MAX_LINES 512
#define SDP_MAX_MEDIA 8
#define SDP_MAX_ATTR 64
#define SDP_MAX_FMT 32
#define SDP_MAX_KEYLEN 46  /* master key + salt, bytes (AES-256 CM: 32+14) */

enum sdp_dir {
	SDP_DIR_INACTIVE = 0,
	SDP_DIR_SENDONLY = 1,
	SDP_DIR_RECVONLY = 2,
	SDP_DIR_SENDRECV = 3, /* = SENDONLY | RECVONLY */
};

struct sdp_attr {
	struct pl name;
	struct pl val;   /* absent for a property attribute (a=rtcp-mux) */
};

struct sdp_conn {
	struct pl nettype, addrtype, addr; /* addr without /ttl */
};

struct sdp_media {
	struct pl type;       /* audio, video, ... */
	uint32_t port;        /* 0: rejected/disabled */
	uint32_t nports;      /* from "port/n", 1 when absent */
	struct pl proto;      /* RTP/AVP, RTP/SAVPF, UDP/TLS/RTP/SAVPF, ... */
	struct pl fmt[SDP_MAX_FMT];
	unsigned nfmt;
	bool has_conn;
	struct sdp_conn conn;
	uint32_t bw_as;       /* kbit/s, 0: absent */
	uint32_t bw_tias;     /* bit/s, 0: absent */
	struct sdp_attr attr[SDP_MAX_ATTR];
	unsigned nattr;
};

struct sdp_sess {
	uint32_t version;              /* v= */
	struct pl o_user, o_sess_id, o_sess_ver, o_nettype, o_addrtype, o_addr;
	struct pl name;                /* s= */
	bool has_conn;
	struct sdp_conn conn;
	uint32_t bw_as, bw_tias;
	struct pl t;                   /* t= line value */
	struct sdp_attr attr[SDP_MAX_ATTR];
	unsigned nattr;
	struct sdp_media media[SDP_MAX_MEDIA];
	unsigned nmedia;
};

/* 0, -EBADMSG (malformed), -E2BIG (a limit was hit) */
int sdp_parse(struct sdp_sess *ret, const char *text, size_t len);
/* Print in canonical order (v o s c b t a m...), CRLF line ends. */
int sdp_print(struct buf *out, const struct sdp_sess *s);

/* Attributes: n-th (0 = first) attribute with this name in a media section,
 * falling back to the session level for sdp_media_attr_any(). */
const struct sdp_attr *sdp_attr_find(const struct sdp_attr *attr, unsigned nattr,
				     const char *name, unsigned n);
const struct sdp_attr *sdp_media_attr(const struct sdp_media *m, const char *name,
				      unsigned n);
/* direction of a media section (media level, else session level, else
 * sendrecv); c=0.0.0.0 (RFC 2543 hold) counts as sendonly from the sender */
enum sdp_dir sdp_media_dir(const struct sdp_sess *s, const struct sdp_media *m);
/* connection of a media section (media level, else session level) or NULL */
const struct sdp_conn *sdp_media_conn(const struct sdp_sess *s, const struct sdp_media *m);
const char *sdp_dir_name(enum sdp_dir d);

/* a=rtpmap:<pt> <name>/<clock>[/<channels>] */
struct sdp_rtpmap {
	uint8_t pt;
	struct pl name;
	uint32_t clock;
	uint32_t channels;     /* 1 when absent */
};
int sdp_rtpmap_parse(struct sdp_rtpmap *ret, const struct pl *val);
/* rtpmap of a payload type in a media section: 0 or -ENOENT. Static PTs
 * (0 PCMU, 8 PCMA, 9 G722, 34 H263...) are known without an rtpmap line. */
int sdp_media_rtpmap(const struct sdp_media *m, uint8_t pt, struct sdp_rtpmap *ret);
/* fmtp parameters for a PT (the part after "<pt> "), absent when none */
struct pl sdp_media_fmtp(const struct sdp_media *m, uint8_t pt);
/* one parameter from an fmtp "a=b;c=d" list (names case-insensitive) */
int sdp_fmtp_param(const struct pl *fmtp, const char *name, struct pl *ret_val);

enum sdp_fb {
	SDP_FB_NACK = 1 << 0,
	SDP_FB_PLI = 1 << 1,
	SDP_FB_FIR = 1 << 2,
	SDP_FB_REMB = 1 << 3,
	SDP_FB_TMMBR = 1 << 4,
};
/* rtcp-fb flags that apply to a PT ("*" entries included) */
unsigned sdp_media_rtcp_fb(const struct sdp_media *m, uint8_t pt);

enum sdp_suite {
	SDP_SUITE_NONE,
	SDP_SUITE_AES_CM_128_HMAC_SHA1_80,
	SDP_SUITE_AES_CM_128_HMAC_SHA1_32,
	SDP_SUITE_AEAD_AES_128_GCM,
	SDP_SUITE_MAX,
};

/* a=crypto (RFC 4568): one inline key (key||salt, base64-decoded) */
struct sdp_crypto {
	uint32_t tag;
	enum sdp_suite suite;          /* SDP_SUITE_NONE: unknown suite */
	struct pl suite_name;
	uint8_t key[SDP_MAX_KEYLEN];
	size_t keylen;
	struct pl lifetime;            /* absent when none */
	struct pl mki;                 /* "value:length", absent when none */
	struct pl session_params;      /* absent when none */
};
int sdp_crypto_parse(struct sdp_crypto *ret, const struct pl *val);
/* appends "<tag> <suite> inline:<base64>[|lifetime][|mki] [params]" (no
 * "a=crypto:", no CRLF) */
int sdp_crypto_print(struct buf *b, const struct sdp_crypto *c);
/* key||salt length for a suite (30 for AES_CM_128, 28 for AEAD_AES_128_GCM) */
size_t sdp_suite_keylen(enum sdp_suite s);
const char *sdp_suite_name(enum sdp_suite s);
enum sdp_suite sdp_suite_lookup(const struct pl *name);

/* a=ssrc:<id> <attr>[:<value>] and a=ssrc-group:FID <a> <b> */
int sdp_media_ssrc(const struct sdp_media *m, uint32_t *ret_ssrc);
int sdp_media_fid(const struct sdp_media *m, uint32_t *ret_ssrc, uint32_t *ret_rtx_ssrc);

/* base64 (RFC 4648, with padding); decode accepts missing padding */
int sdp_base64_decode(const struct pl *in, uint8_t *out, size_t cap, size_t *ret_len);
int sdp_base64_encode(struct buf *b, const uint8_t *in, size_t len);

#endif
