/* sip_ua.h: the SIP user agent core: calls (INVITE sessions), registration,
 * OPTIONS/INFO, session timers. The API call control (terminal, bridge)
 * is written against.
 *
 * Threads: everything on the loop given to sip_ua_new(); every callback runs
 * on that thread. One struct sip_ua serves any number of calls (limit
 * conf.max_calls).
 *
 * Call lifetime: a struct sip_call is created by sip_call_invite() or handed
 * to sip_ua_conf.incoming. It lives until its on_ended handler has returned;
 * the UA frees it right after, so the TU drops its pointer in on_ended.
 * Every sip_call_* function may be called from any callback, except on a
 * call whose ended() has started.
 *
 * SDP is passed as NUL-terminated text; the UA does not look inside.
 *
 * Usage (terminal):
 *   struct sip_ua_conf c = { .aor = "sip:room1@example.org", .display = "Room 1",
 *           .password = pw, .registrar = "sip:10.0.0.1;transport=tcp",
 *           .listen_udp = "0.0.0.0:5060", .listen_tcp = "0.0.0.0:5060",
 *           .incoming = on_incoming, .arg = term };
 *   sip_ua_new(&ua, loop, &c); sip_ua_register(ua, on_reg, term);
 *   sip_call_invite(ua, "sip:bob@example.org", offer, &handlers, term, &call);
 *   ...on_incoming: sip_call_set_handlers(); sip_call_answer(c, 180, NULL);
 *                   later sip_call_answer(c, 200, answer) or sip_call_reject(c, 486, NULL)
 *   shutdown: sip_ua_shutdown(ua, done, term); in done(): sip_ua_free(ua)
 * Only put SDES keys (a=crypto) into SDP when sip_call_secure() is true.
 */
#ifndef RAKWON_SIP_SIP_UA_H
#define RAKWON_SIP_SIP_UA_H

#include <stdbool.h>
#include <stdint.h>

#include "sip/sip_msg.h"
#include "sip/sip_tran.h"
#include "sip/sip_transp.h"

struct loop;
struct sip_ua;
struct sip_call;

/* Call handlers (all optional). */
struct sip_call_handlers {
	/* outgoing: a provisional response (180, 183, ...); sdp is its body
	 * (early media answer) or NULL */
	void (*progress)(struct sip_call *c, uint16_t code, const char *sdp, void *arg);
	/* the call is up. Outgoing: 2xx received and ACKed; sdp is the answer.
	 * Incoming: ACK received for our 2xx; sdp is the ACK body (late-offer
	 * answer) or NULL. */
	void (*established)(struct sip_call *c, const char *sdp, void *arg);
	/* the peer sent a re-INVITE or an UPDATE with SDP (hold/resume, media
	 * change). sdp is the
	 * offer; return a malloc'd answer (the UA frees it) or NULL to refuse
	 * with 488. sdp NULL: an offerless re-INVITE; return our offer, the
	 * answer then comes in reinvite_done(code 200). */
	char *(*offer)(struct sip_call *c, const char *sdp, void *arg);
	/* result of our sip_call_reinvite() (or answer of an offerless
	 * re-INVITE): code 2xx with the answer sdp, or the failure code (the
	 * session continues with the old SDP). 491 glare is retried here and
	 * not reported. */
	void (*reinvite_done)(struct sip_call *c, uint16_t code, const char *sdp, void *arg);
	/* INFO received (already answered 200): e.g. "application/dtmf-relay"
	 * with "Signal=5\r\nDuration=160\r\n" */
	void (*info)(struct sip_call *c, const char *ctype, const char *body, size_t len,
		     void *arg);
	/* the call is over: code is the SIP status that ended it (e.g. 486,
	 * 487 cancelled, 408 no answer, 200 normal BYE, 0 local hangup/shutdown)
	 * and reason a text. The call is freed after this returns. */
	void (*ended)(struct sip_call *c, uint16_t code, const char *reason, void *arg);
};

/* A new incoming call (INVITE). sdp is the offer (NULL for a late-offer
 * INVITE: then sip_call_answer() must carry our offer and the answer comes
 * in established()). The TU sets handlers with sip_call_set_handlers() and
 * then answers (now or later) with sip_call_answer()/sip_call_reject(). */
typedef void (*sip_ua_incoming_h)(struct sip_ua *ua, struct sip_call *c, const char *sdp,
				  void *arg);
/* Registration state: code 200 with the granted expiry, or the failure
 * code (401/403/408/...); 0 after a successful unregister. */
typedef void (*sip_ua_reg_h)(struct sip_ua *ua, uint16_t code, uint32_t expires, void *arg);

struct sip_ua_conf {
	const char *aor;            /* "sip:alice@example.org" (required) */
	const char *display;        /* display name, or NULL */
	const char *auth_user;      /* digest username; NULL: the AOR user */
	const char *password;       /* NULL: no credentials */
	const char *registrar;      /* "sip:127.0.0.1:5060;transport=tcp"; NULL: no REGISTER */
	const char *outbound_proxy; /* every out-of-dialog request (and in-dialog,
				       unless Record-Route says otherwise) goes
				       there; NULL: direct */
	uint32_t reg_expires;       /* seconds; 0: 3600 */
	const char *listen_udp;     /* "127.0.0.1:5060" (port 0: any); NULL: none */
	const char *listen_tcp;
	const char *listen_tls;     /* needs tls_cert and tls_key */
	const char *user_agent;     /* NULL: "Rakwon" */
	uint32_t session_expires;   /* RFC 4028 interval we ask for; 0: 1800,
				       UINT32_MAX: session timer off */
	uint32_t min_se;            /* 0: 90 */
	unsigned max_calls;         /* 0: 64; more incoming get 486 */
	sip_ua_incoming_h incoming; /* NULL: incoming INVITEs get 480 */
	void *arg;                  /* for incoming */
	struct sip_transp_conf transp; /* TLS files, limits (zero: defaults;
				       keepalive_ms 0 means 30 s CRLF pings
				       on our outgoing TCP/TLS flows) */
	struct sip_tl_conf tl;      /* T1/T2/T4 (zero: defaults) */
};

int sip_ua_new(struct sip_ua **ret, struct loop *l, const struct sip_ua_conf *c);
/* Frees everything at once: calls end without signalling (their ended()
 * handlers run with code 0), no unregister. Use sip_ua_shutdown() first for
 * a clean exit. Returns NULL. */
struct sip_ua *sip_ua_free(struct sip_ua *ua);
/* Clean shutdown: hang up every call, unregister; done() runs when all of
 * it finished or after about 4 s, from a loop timer: it may free the UA.
 * Never call sip_ua_free() from a call or registration handler. */
int sip_ua_shutdown(struct sip_ua *ua, void (*done)(struct sip_ua *ua, void *arg), void *arg);

/* Register (and keep refreshing before expiry) with conf.registrar. */
int sip_ua_register(struct sip_ua *ua, sip_ua_reg_h h, void *arg);
/* Remove our binding (Expires: 0); the handler gets code 0 when done. */
int sip_ua_unregister(struct sip_ua *ua);
bool sip_ua_registered(const struct sip_ua *ua);

/* Local listening address of a transport (e.g. to learn a port 0 bind). */
int sip_ua_laddr(const struct sip_ua *ua, enum sip_transport tp, struct net_addr *ret);
struct sip_tl *sip_ua_tl(struct sip_ua *ua);
unsigned sip_ua_ncalls(const struct sip_ua *ua);

/* Outgoing call to uri ("sip:bob@example.org", "sips:..." for TLS,
 * ";transport=tcp" honoured) with an SDP offer (required: no late offer
 * from our side). *ret is valid until ended() returned. */
int sip_call_invite(struct sip_ua *ua, const char *uri, const char *sdp_offer,
		    const struct sip_call_handlers *h, void *arg, struct sip_call **ret);
/* Incoming: set the handlers (before answering). */
void sip_call_set_handlers(struct sip_call *c, const struct sip_call_handlers *h, void *arg);
/* Incoming: code 180/183 (sdp optional, early media) or 200 (sdp required:
 * the answer, or our offer for a late-offer INVITE). */
int sip_call_answer(struct sip_call *c, uint16_t code, const char *sdp);
/* Incoming, before 200: reject with code (486, 488, 603, 404, ...). */
int sip_call_reject(struct sip_call *c, uint16_t code, const char *reason);
/* End the call: CANCEL (outgoing, not answered), 603 (incoming, not
 * answered) or BYE (established). ended() follows, possibly later (after
 * the CANCEL/BYE transaction). */
int sip_call_hangup(struct sip_call *c);
/* Send a re-INVITE with a new offer (hold: a=sendonly, resume: sendrecv).
 * -EBUSY while another offer/answer is in progress. Result in
 * reinvite_done(). */
int sip_call_reinvite(struct sip_call *c, const char *sdp);
/* INFO in the dialog, e.g. ("application/dtmf-relay",
 * "Signal=5\r\nDuration=160\r\n"). */
int sip_call_info(struct sip_call *c, const char *ctype, const char *body);

enum sip_call_state {
	SIP_CALL_CALLING,     /* outgoing, INVITE sent */
	SIP_CALL_INCOMING,    /* incoming, not answered */
	SIP_CALL_EARLY,       /* 1xx with a To tag sent/received */
	SIP_CALL_ESTABLISHED, /* 2xx sent/received */
	SIP_CALL_TERMINATING, /* CANCEL/BYE sent, waiting */
	SIP_CALL_ENDED,
};

enum sip_call_state sip_call_state(const struct sip_call *c);
bool sip_call_incoming(const struct sip_call *c);
/* the peer's URI (From of an incoming call, To/R-URI of an outgoing one) */
const char *sip_call_remote_uri(const struct sip_call *c);
/* the peer's display name ("" when none), unquoted */
const char *sip_call_remote_display(const struct sip_call *c);
const char *sip_call_callid(const struct sip_call *c);
/* the transport the INVITE came on / went out on */
enum sip_transport sip_call_transport(const struct sip_call *c);
/* TLS hop to our peer (SDES keys may be sent) */
bool sip_call_secure(const struct sip_call *c);
/* negotiated session timer interval (0: none) and whether we refresh */
uint32_t sip_call_session_expires(const struct sip_call *c, bool *ret_we_refresh);
void *sip_call_arg(const struct sip_call *c);

#endif
