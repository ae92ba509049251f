/* fuzz_sip_msg.c: fuzz target for the SIP message parser, printer, checks and
 * reply builder (datagram and stream framing). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sip/sip_auth.h"
#include "sip/sip_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(const struct sip_msg *m, bool ok)
{
	static const char *const sup[] = { "timer", "100rel", NULL };
	struct sip_check_cfg cfg = { .supported = sup };
	struct sip_verdict v;
	struct sip_hdr_iter it;
	struct sip_addr a;
	struct sip_digest d;
	struct pl val;
	struct buf *b;
	unsigned i;
	char tmp[256];
	size_t n;

	(void)sip_msg_check(m, &cfg, &v);
	for (i = 0; i < m->nhdr; i++) {
		switch (m->hdr[i].id) {
		case SIP_HDR_AUTHORIZATION:
		case SIP_HDR_WWW_AUTHENTICATE:
		case SIP_HDR_PROXY_AUTHENTICATE:
		case SIP_HDR_PROXY_AUTHORIZATION:
			if (sip_digest_parse(&d, &m->hdr[i].val) < 0)
				break;
			if (buf_new(&b, 0) == 0) {
				(void)sip_auth_respond(b, &d, "INVITE", &m->ruri.str, "u\"1", "pw", 1,
						       "cn");
				b = buf_unref(b);
			}
			(void)sip_auth_verify(&d, "REGISTER", "pw", "realm", "nonce");
			break;
		default:
			break;
		}
	}
	sip_hdr_iter_init(&it, m, SIP_HDR_RECORD_ROUTE);
	while (sip_hdr_iter_next(&it, &val))
		if (sip_addr_parse(&a, &val) == 0)
			(void)sip_uri_eq(&a.uri, &m->ruri);
	(void)sip_pct_decode(tmp, sizeof(tmp), &m->ruri.user, &n);
	(void)sip_unquote(tmp, sizeof(tmp), &m->from.dname, &n);
	{
		bool proxy;

		(void)sip_auth_pick(m, &d, &proxy);
	}
	if (buf_new(&b, 0) < 0)
		return;
	if (m->req && sip_msg_can_reply(m)) {
		struct sip_verdict rv = v;

		if (!rv.code)
			rv.code = 200;
		if (sip_reply_verdict(b, m, &rv, "tag") == 0) {
			struct sip_msg *r = malloc(sizeof(*r));

			/* our own reply must parse */
			if (r && sip_msg_decode(r, (const char *)b->data, b->len, 0) < 0 &&
			    r->err_code != 513)
				abort();
			free(r);
		}
	}
	b->len = 0;
	if (ok && sip_msg_print(b, m) == 0) {
		struct sip_msg *r = malloc(sizeof(*r));

		/* a message that decoded re-prints to one that decodes */
		if (r && sip_msg_decode(r, (const char *)b->data, b->len, 0) < 0 &&
		    r->err_code != 513)
			abort();
		if (r && r->nvia != m->nvia)
			abort();
		free(r);
	}
	buf_unref(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_msg *m;
	size_t n;

	if (sip_msg_new(&m, data, size, 0) == 0) {
		exercise(m, true);
		sip_msg_unref(m);
	} else if (m) {
		exercise(m, false);
		sip_msg_unref(m);
	}
	if (sip_msg_frame((const char *)data, size, &n) == 0) {
		if (n > size)
			abort();
		if (sip_msg_new(&m, data, n, SIP_DECODE_STREAM) == 0 &&
		    sip_keepalive_len((const char *)data, size) == 0 && m->len != n)
			abort(); /* framing and decoding disagree */
		m = sip_msg_unref(m);
	}
	return 0;
}
