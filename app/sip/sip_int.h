/* sip_int.h: internals shared by the SIP message files (character classes,
 * LWS skipping). Not for use outside app/sip. */
#ifndef RAKWON_SIP_SIP_INT_H
#define RAKWON_SIP_SIP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/pl.h"

enum {
	SC_TOKEN = 1 << 0,   /* RFC 3261 token */
	SC_UNRES = 1 << 1,   /* unreserved */
	SC_USER = 1 << 2,    /* user-unreserved */
	SC_PASS = 1 << 3,    /* password extra chars */
	SC_PARAM = 1 << 4,   /* param-unreserved */
	SC_HNV = 1 << 5,     /* hnv-unreserved */
	SC_WORD = 1 << 6,    /* word (Call-ID) */
	SC_HOST = 1 << 7,    /* hostname chars: alnum - . */
};

extern const uint8_t sip_cclass[256];

static inline bool sc_is(char c, unsigned cls)
{
	return sip_cclass[(unsigned char)c] & cls;
}

static inline bool sip_is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static inline bool sip_is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline int sip_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c - 'A' + 10;
}

/* advance over LWS in [*p, end) */
static inline const char *sip_skip_ws(const char *p, const char *end)
{
	while (p < end && sip_is_ws(*p))
		p++;
	return p;
}

/* end of a quoted string starting at p ('"'): points after the closing quote,
 * or NULL when unterminated */
const char *sip_quoted_end(const char *p, const char *end);
/* host [":" port] at s; sets host/ipv6/port, returns the end or NULL */
const char *sip_hostport_parse(const char *p, const char *end, struct pl *host,
			       bool *ipv6, uint16_t *port, bool lws_colon);
/* "SIP/" 1*DIGIT "." 1*DIGIT: 1 for SIP/2.0, 0 for another version, -1 when
 * not a version at all */
int sip_version_check(const struct pl *v);
/* validate a generic-param list ";a=b;c" (LWS allowed); 0 or -EBADMSG */
int sip_params_check(const struct pl *params);

#endif
