/* sip_msg.h: SIP message parser, printer and validation (RFC 3261 grammar).
 *
 * Parsing is zero-copy: every token is a struct pl (pointer + length) into the
 * message bytes, which must outlive the struct sip_msg. sip_msg_decode() fills
 * caller storage and points into the caller's buffer; sip_msg_new() copies the
 * bytes into one refcounted allocation together with the struct.
 *
 * Header values keep line folding as written (CRLF followed by SP/HTAB); every
 * helper here treats CR and LF inside a value as linear white space, so callers
 * never need to unfold. Unknown headers are kept in order in hdr[].
 *
 * Limits (a peer cannot make us exceed them): SIP_MSG_MAX bytes per message,
 * SIP_MAX_HDRS header lines, SIP_MAX_HDR_LEN bytes per (folded) header,
 * SIP_MAX_VIA Via values.
 */
#ifndef RAKWON_SIP_SIP_MSG_H
#define RAKWON_SIP_SIP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/buf.h"
#include "lib/base/pl.h"
#include "lib/base/refcnt.h"

#define SIP_MSG_MAX 65536      /* bytes; more gives -EMSGSIZE (answer 513) */
#define SIP_MAX_HDRS 256       /* header lines */
#define SIP_MAX_HDR_LEN 8192   /* one header incl. folding */
#define SIP_MAX_VIA 64         /* Via values */
#define SIP_MAX_UNSUPPORTED 16 /* option tags reported by sip_msg_check() */

enum sip_method {
	SIP_METHOD_OTHER,
	SIP_METHOD_INVITE,
	SIP_METHOD_ACK,
	SIP_METHOD_BYE,
	SIP_METHOD_CANCEL,
	SIP_METHOD_OPTIONS,
	SIP_METHOD_REGISTER,
	SIP_METHOD_PRACK,
	SIP_METHOD_SUBSCRIBE,
	SIP_METHOD_NOTIFY,
	SIP_METHOD_PUBLISH,
	SIP_METHOD_INFO,
	SIP_METHOD_REFER,
	SIP_METHOD_MESSAGE,
	SIP_METHOD_UPDATE,
	SIP_METHOD_MAX,
};

/* Known headers. SIP_HDR_OTHER is any header we do not interpret. Names are
 * matched case-insensitively, compact forms included (i m e l c f s k t v o u
 * r b x a j d y n). */
enum sip_hdr_id {
	SIP_HDR_OTHER,
	SIP_HDR_VIA,
	SIP_HDR_FROM,
	SIP_HDR_TO,
	SIP_HDR_CALL_ID,
	SIP_HDR_CSEQ,
	SIP_HDR_MAX_FORWARDS,
	SIP_HDR_CONTENT_LENGTH,
	SIP_HDR_CONTENT_TYPE,
	SIP_HDR_CONTENT_ENCODING,
	SIP_HDR_CONTACT,
	SIP_HDR_ROUTE,
	SIP_HDR_RECORD_ROUTE,
	SIP_HDR_AUTHORIZATION,
	SIP_HDR_PROXY_AUTHORIZATION,
	SIP_HDR_WWW_AUTHENTICATE,
	SIP_HDR_PROXY_AUTHENTICATE,
	SIP_HDR_EXPIRES,
	SIP_HDR_MIN_EXPIRES,
	SIP_HDR_MIN_SE,
	SIP_HDR_SESSION_EXPIRES,
	SIP_HDR_SUPPORTED,
	SIP_HDR_REQUIRE,
	SIP_HDR_PROXY_REQUIRE,
	SIP_HDR_UNSUPPORTED,
	SIP_HDR_ALLOW,
	SIP_HDR_ACCEPT,
	SIP_HDR_SUBJECT,
	SIP_HDR_EVENT,
	SIP_HDR_ALLOW_EVENTS,
	SIP_HDR_REFER_TO,
	SIP_HDR_REFERRED_BY,
	SIP_HDR_USER_AGENT,
	SIP_HDR_SERVER,
	SIP_HDR_DATE,
	SIP_HDR_TIMESTAMP,
	SIP_HDR_RETRY_AFTER,
	SIP_HDR_WARNING,
	SIP_HDR_RSEQ,
	SIP_HDR_RACK,
	SIP_HDR_ACCEPT_CONTACT,
	SIP_HDR_REJECT_CONTACT,
	SIP_HDR_REQUEST_DISPOSITION,
	SIP_HDR_IDENTITY,
	SIP_HDR_IDENTITY_INFO,
	SIP_HDR_REASON,
	SIP_HDR_MAX,
};

enum sip_scheme {
	SIP_SCHEME_OTHER, /* parsed only as scheme ":" opaque */
	SIP_SCHEME_SIP,
	SIP_SCHEME_SIPS,
	SIP_SCHEME_TEL,   /* parsed only as scheme ":" opaque */
};

/* sip:/sips: URI (RFC 3261 19.1). Slices are raw (still %-escaped); use
 * sip_pct_decode() to unescape. host has no [] for IPv6 references. */
struct sip_uri {
	enum sip_scheme scheme_id;
	struct pl scheme;
	struct pl user;     /* absent when there is no userinfo */
	struct pl password; /* absent when there is no ":" in userinfo */
	struct pl host;
	bool host_ipv6;
	uint16_t port;      /* 0: none given */
	struct pl params;   /* from the first ';' (included) up to '?' or end */
	struct pl headers;  /* after '?' (excluded), absent when none */
	struct pl opaque;   /* everything after "scheme:" (all schemes) */
	struct pl str;      /* the whole URI */
};

/* name-addr or addr-spec with header parameters (From, To, Contact, Route) */
struct sip_addr {
	struct pl dname;     /* display name: quotes removed, quoted-pairs kept */
	bool dname_quoted;
	bool angle;          /* URI was in <> */
	struct sip_uri uri;
	struct pl params;    /* header params from the first ';' (included) */
	struct pl tag;       /* tag param value, absent when none */
	struct pl str;       /* the whole value */
};

enum sip_transport {
	SIP_TP_OTHER,
	SIP_TP_UDP,
	SIP_TP_TCP,
	SIP_TP_TLS,
	SIP_TP_SCTP,
	SIP_TP_WS,
	SIP_TP_WSS,
};

struct sip_via {
	struct pl proto;       /* "SIP" */
	struct pl version;     /* "2.0" */
	struct pl transport;   /* "UDP", ... */
	enum sip_transport tp;
	struct pl host;        /* no [] for IPv6 */
	bool host_ipv6;
	uint16_t port;         /* 0: none */
	struct pl params;      /* from the first ';' (included) */
	struct pl branch;      /* absent when none */
	struct pl received;    /* absent when none */
	bool rport;            /* rport present (with or without value) */
	uint16_t rport_val;    /* 0 when rport has no value */
	struct pl str;         /* the whole via-parm */
};

struct sip_cseq {
	uint32_t num;
	struct pl method;
	enum sip_method meth;
};

/* Digest (and other scheme) credentials / challenges (RFC 2617, 7616).
 * Quoted values have their quotes removed; quoted-pairs are kept. */
struct sip_digest {
	struct pl scheme;    /* "Digest" or anything else */
	struct pl realm, nonce, opaque, algorithm, qop, stale, domain;
	struct pl username, uri, response, cnonce, nc;
	bool userhash;
	struct pl params;    /* all of it after the scheme */
};

struct sip_hdr {
	enum sip_hdr_id id;
	struct pl name;  /* as written (may be compact, any case) */
	struct pl val;   /* trimmed; may contain folds (CRLF WSP) */
};

enum sip_decode_flags {
	/* stream transport (TCP/TLS): Content-Length is required and frames the
	 * body exactly; without it (UDP) the body is the rest of the datagram,
	 * a larger Content-Length is an error and a smaller one cuts it
	 * (RFC 3261 18.3) */
	SIP_DECODE_STREAM = 1 << 0,
};

struct sip_msg {
	struct refcnt ref;        /* only for sip_msg_new() objects */
	const char *buf;          /* start line .. end of body */
	size_t len;
	bool req;

	/* request line */
	struct pl method;
	enum sip_method meth;
	struct sip_uri ruri;
	/* status line */
	uint16_t scode;
	struct pl reason;
	struct pl version;        /* "SIP/2.0" */

	struct sip_hdr hdr[SIP_MAX_HDRS];
	unsigned nhdr;

	/* interpreted headers (first occurrence unless noted) */
	struct sip_via via[SIP_MAX_VIA]; /* all Via values, in order */
	unsigned nvia;
	struct sip_addr from, to;
	struct pl callid;
	struct sip_cseq cseq;
	int max_forwards;         /* -1: absent */
	int64_t clen;             /* -1: absent */
	struct pl ctype;          /* Content-Type value, absent when none */
	struct sip_addr contact;  /* first Contact value */
	unsigned ncontact;        /* Contact values (0 when "*") */
	bool contact_star;
	int64_t expires;          /* -1: absent */
	uint64_t have;            /* bit (1 << id) for each header id present */
	struct pl body;

	/* first problem found by sip_msg_decode(): the response a UAS sends */
	uint16_t err_code;        /* 0, 400, 505, 513 */
	const char *err_reason;
};

/* Find where the first message in buf ends (stream framing): 0 and the
 * message length, -EAGAIN when more bytes are needed, -EMSGSIZE when it
 * would exceed SIP_MSG_MAX, -EBADMSG when Content-Length is missing or bad.
 * Leading CRLFs (keep-alives) are counted into the length of nothing: the
 * caller skips them with sip_keepalive_len(). */
int sip_msg_frame(const char *buf, size_t len, size_t *ret_len);
size_t sip_keepalive_len(const char *buf, size_t len);

/* Parse one message. 0 when well formed. Otherwise -EMSGSIZE (too large,
 * too many headers or Vias: answer 513), -EBADMSG (m->err_code is 400 or
 * 505 with m->err_reason), -EPROTO (not a SIP message at all). On error the
 * struct is filled as far as parsing got: sip_msg_can_reply() tells whether a
 * response can be built from it. The header bytes must stay valid. */
int sip_msg_decode(struct sip_msg *m, const char *buf, size_t len, unsigned flags);
/* Same on a private copy: *ret owns the bytes. On -EBADMSG/-EMSGSIZE *ret is
 * still set when a reply can be built (caller unrefs), else NULL. */
int sip_msg_new(struct sip_msg **ret, const void *data, size_t len, unsigned flags);
struct sip_msg *sip_msg_ref(struct sip_msg *m);
struct sip_msg *sip_msg_unref(struct sip_msg *m);
/* top Via, From, To, Call-ID and CSeq parsed: a response can be built */
bool sip_msg_can_reply(const struct sip_msg *m);

/* n-th header line with this id (0 = first), NULL when none */
const struct sip_hdr *sip_msg_hdr(const struct sip_msg *m, enum sip_hdr_id id, unsigned n);
/* first header with this name (for SIP_HDR_OTHER headers) */
const struct sip_hdr *sip_msg_hdr_name(const struct sip_msg *m, const char *name);
static inline bool sip_msg_has(const struct sip_msg *m, enum sip_hdr_id id)
{
	return m->have & ((uint64_t)1 << id);
}

/* Iterates the comma-separated values of every header with one id, across
 * header lines, respecting quoted strings and <>. */
struct sip_hdr_iter {
	const struct sip_msg *m;
	enum sip_hdr_id id;
	unsigned idx;
	struct pl rest;
};
void sip_hdr_iter_init(struct sip_hdr_iter *it, const struct sip_msg *m, enum sip_hdr_id id);
bool sip_hdr_iter_next(struct sip_hdr_iter *it, struct pl *ret_val);
/* Splits one value off a comma list: true and the trimmed value (may be
 * empty), false at the end. */
bool sip_list_next(struct pl *rest, struct pl *ret_val);
/* true when the option tag (case-insensitive) is listed in any header id */
bool sip_msg_has_tag(const struct sip_msg *m, enum sip_hdr_id id, const char *tag);

/* names and ids */
enum sip_hdr_id sip_hdr_lookup(const struct pl *name);
const char *sip_hdr_name(enum sip_hdr_id id);
enum sip_method sip_method_lookup(const struct pl *name);
const char *sip_method_name(enum sip_method m);
const char *sip_reason_phrase(uint16_t code);

/* element parsers: 0, or -EBADMSG when malformed */
int sip_uri_parse(struct sip_uri *ret, const struct pl *s);
/* addr: name-addr or addr-spec; for addr-spec ';' starts header params */
int sip_addr_parse(struct sip_addr *ret, const struct pl *s);
int sip_via_parse(struct sip_via *ret, const struct pl *s);
int sip_cseq_parse(struct sip_cseq *ret, const struct pl *s);
int sip_digest_parse(struct sip_digest *ret, const struct pl *s);

/* Content-Type: "type/subtype *(;param)": 0 or -EBADMSG */
int sip_ctype_parse(const struct pl *s, struct pl *ret_type, struct pl *ret_subtype,
		    struct pl *ret_params);
/* true when the Content-Type value is type/subtype (case-insensitive) */
bool sip_ctype_is(const struct pl *s, const char *type, const char *subtype);
/* Session-Expires (RFC 4028): delta-seconds [;refresher=uac|uas] */
int sip_sess_expires_parse(const struct pl *s, uint32_t *ret_delta, struct pl *ret_refresher);

/* Parameter lookup in a ";a=b;c;d=\"q\"" slice (LWS allowed around ; and =,
 * names case-insensitive): 0 and the value (quotes removed; empty for a
 * value-less param), -ENOENT when absent. */
int sip_param_get(const struct pl *params, const char *name, struct pl *ret_val);
bool sip_param_exists(const struct pl *params, const char *name);
/* Iterate params: true with name/value (value absent for value-less). */
bool sip_param_next(struct pl *rest, struct pl *ret_name, struct pl *ret_val);

/* %HH decoding into dst (not NUL-terminated): 0 and the length; -EBADMSG on
 * a bad escape, -ENOBUFS when it does not fit. Never shortens at %00. */
int sip_pct_decode(char *dst, size_t cap, const struct pl *src, size_t *ret_len);
/* quoted-pair unescaping of a display name / quoted string */
int sip_unquote(char *dst, size_t cap, const struct pl *src, size_t *ret_len);
/* RFC 3261 19.1.4 URI comparison (sip/sips) */
bool sip_uri_eq(const struct sip_uri *a, const struct sip_uri *b);

/* Message checks a UAS makes after sip_msg_decode() succeeded. */
struct sip_check_cfg {
	const char *const *supported; /* option tags we implement, NULL-ended */
	const char *const *schemes;   /* accepted R-URI schemes; NULL: sip, sips */
	bool proxy;                   /* also check Proxy-Require */
	/* optional endpoint checks (NULL: skipped) */
	const char *const *methods;   /* methods we implement: else 501/405 */
	const char *const *accept_types; /* body types we take ("type/sub"):
					    else 415 */
	const char *answer_type;      /* body type our INVITE/UPDATE answers
					 carry: 406 if Accept excludes it */
};

struct sip_verdict {
	uint16_t code;            /* 0: accept */
	const char *reason;
	struct pl unsupported[SIP_MAX_UNSUPPORTED]; /* for 420's Unsupported */
	unsigned nunsupported;
};

/* Returns the response code to send (0: none) and fills *ret, in RFC 3261
 * 8.2 order: the decoder's 400/505/513, 400 (missing mandatory header, CSeq
 * method mismatch, headers in the R-URI, REGISTER To not sip/sips), 501 for
 * an unknown method whose CSeq does not match, 416, 483 (Max-Forwards 0 on
 * anything but OPTIONS), then with cfg->methods 501/405, 420 (Require; also
 * Proxy-Require with cfg->proxy; never for ACK/CANCEL), with accept_types 415
 * (also for a Content-Encoding other than identity) and with answer_type 406.
 * Responses always get 0 (a malformed response is dropped, not answered). */
int sip_msg_check(const struct sip_msg *m, const struct sip_check_cfg *cfg,
		  struct sip_verdict *ret);

/* ---- printing ---------------------------------------------------------- */

/* Message builder appending to a caller-owned struct buf. Errors are sticky
 * (mb->err) and reported by sip_mb_finish(). */
struct sip_mb {
	struct buf *b;
	int err;
};

void sip_mb_init(struct sip_mb *mb, struct buf *b);
void sip_mb_request(struct sip_mb *mb, const char *method, const struct pl *ruri);
void sip_mb_status(struct sip_mb *mb, uint16_t code, const char *reason);
/* a header line "Name: value" (long form name for known ids) */
void sip_mb_hdr(struct sip_mb *mb, enum sip_hdr_id id, const struct pl *val);
void sip_mb_hdrf(struct sip_mb *mb, enum sip_hdr_id id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* a header by name (unknown headers), value verbatim */
void sip_mb_hdr_raw(struct sip_mb *mb, const struct pl *name, const struct pl *val);
void sip_mb_via(struct sip_mb *mb, const struct sip_via *v);
void sip_mb_addr(struct sip_mb *mb, enum sip_hdr_id id, const struct sip_addr *a);
void sip_mb_printf(struct sip_mb *mb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Content-Type (when ctype set), Content-Length, empty line, body */
int sip_mb_finish(struct sip_mb *mb, const char *ctype, const void *body, size_t len);

/* Start a response to req (RFC 3261 8.2.6): status line, every Via, From,
 * To (adding ;tag=to_tag when To has none and to_tag is set), Call-ID, CSeq
 * and for 100 the Timestamp. Add more headers, then sip_mb_finish(). */
void sip_mb_reply(struct sip_mb *mb, const struct sip_msg *req, uint16_t code,
		  const char *reason, const char *to_tag);
/* copy every header line we do not interpret (SIP_HDR_OTHER), in order */
void sip_mb_copy_unknown(struct sip_mb *mb, const struct sip_msg *m);
/* A complete reply from a verdict (adds Unsupported for 420). */
int sip_reply_verdict(struct buf *out, const struct sip_msg *req,
		      const struct sip_verdict *v, const char *to_tag);

/* element printers (append) */
int sip_uri_print(struct buf *b, const struct sip_uri *u);
int sip_addr_print(struct buf *b, const struct sip_addr *a);
int sip_via_print(struct buf *b, const struct sip_via *v);
/* Re-print a parsed message: start line, interpreted headers from their
 * structured fields (long names, folding removed), unknown headers verbatim
 * in order, Content-Length recomputed, body. */
int sip_msg_print(struct buf *b, const struct sip_msg *m);

#endif
