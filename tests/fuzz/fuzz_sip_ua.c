/* fuzz_sip_ua.c: fuzz target for the SIP stack above the parser: transport
 * dispatch (received/rport), transaction matching, dialogs and the UA call
 * state machines. The input is a transport byte ('U' datagram, 'T' stream)
 * followed by messages separated by "--next--\r\n"; "TOTAG" in a message is
 * replaced by the To tag of the UA's last response, so in-dialog requests
 * reach the dialog. The UA answers calls with 180 and 200 (an offer with
 * a=inactive keeps ringing). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/loop/loop.h"
#include "sip/sip_ua.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char SDP[] = "v=0\r\no=f 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
			  "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";

static char *on_offer(struct sip_call *c, const char *sdp, void *arg)
{
	return sdp && strlen(sdp) % 7 == 3 ? NULL : strdup(SDP); /* sometimes 488 */
}

static void on_info(struct sip_call *c, const char *ct, const char *b, size_t n, void *arg)
{
	if (n % 5 == 1)
		(void)sip_call_reinvite(c, SDP);
}

static const struct sip_call_handlers H = { .offer = on_offer, .info = on_info };

static void on_incoming(struct sip_ua *ua, struct sip_call *c, const char *sdp, void *arg)
{
	sip_call_set_handlers(c, &H, NULL);
	(void)sip_call_answer(c, 180, NULL);
	if (sdp && strstr(sdp, "a=inactive"))
		return; /* keep ringing (CANCEL seeds) */
	if (sdp && strlen(sdp) % 3 == 0)
		(void)sip_call_reject(c, 486, NULL);
	else
		(void)sip_call_answer(c, 200, SDP);
}

/* the To tag of the last response the UA sent to our peer socket */
static void read_tag(int fd, char *tag, size_t cap)
{
	char buf[8192];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
		char *to, *t, *e;

		buf[n] = 0;
		to = strstr(buf, "\r\nTo: ");
		t = to ? strstr(to, ";tag=") : NULL;
		e = t ? strstr(t, "\r\n") : NULL;
		if (t && e && (size_t)(e - t - 5) < cap) {
			memcpy(tag, t + 5, (size_t)(e - t - 5));
			tag[e - t - 5] = 0;
		}
	}
}

static void inject(struct sip_ua *ua, const char *p, size_t n, const struct sip_src *src,
		   const char *tag)
{
	char *m = malloc(n + 64 * 8 + 1);
	size_t o = 0;

	if (!m)
		return;
	for (size_t i = 0; i < n; i++) {
		if (i + 5 <= n && memcmp(p + i, "TOTAG", 5) == 0 && o < 64 * 8) {
			size_t tl = strlen(tag);

			memcpy(m + o, tag, tl);
			o += tl;
			i += 4;
			continue;
		}
		m[o++] = p[i];
	}
	sip_transp_inject(sip_tl_transp(sip_ua_tl(ua)), m, o, src);
	free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = "--next--\r\n";
	struct sip_ua_conf c = { 0 };
	struct sip_src src = { 0 };
	struct loop *l = NULL;
	struct sip_ua *ua = NULL;
	const char *p, *end;
	char tag[64] = "none";
	int fd = -1;
	unsigned nmsg = 0;

	if (size < 1)
		return 0;
	c.aor = "sip:fuzz@127.0.0.1";
	c.listen_udp = "127.0.0.1:0";
	c.incoming = on_incoming;
	c.session_expires = 90;
	c.min_se = 90;
	if (loop_new(&l) < 0)
		return 0;
	if (sip_ua_new(&ua, l, &c) < 0)
		goto out;
	(void)net_addr_parse(&src.peer, "127.0.0.1:0", 0);
	fd = net_udp_bind(&src.peer, 0, 0);
	if (fd < 0)
		goto out;
	(void)sip_ua_laddr(ua, SIP_TP_UDP, &src.local);
	src.tp = data[0] == 'T' ? SIP_TP_TCP : SIP_TP_UDP;
	src.conn_id = 0;
	p = (const char *)data + 1;
	end = (const char *)data + size;
	while (p < end && nmsg++ < 16) {
		const char *s = memmem(p, (size_t)(end - p), sep, sizeof(sep) - 1);
		size_t n = s ? (size_t)(s - p) : (size_t)(end - p);

		inject(ua, p, n, &src, tag);
		(void)loop_run_for(l, 0);
		read_tag(fd, tag, sizeof(tag));
		p += n + (s ? sizeof(sep) - 1 : 0);
	}
out:
	if (fd >= 0)
		close(fd);
	ua = sip_ua_free(ua);
	l = loop_free(l);
	return 0;
}
