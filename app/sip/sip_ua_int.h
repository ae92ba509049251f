/* sip_ua_int.h: internals shared by sip_ua.c (core, registration) and
 * sip_call.c (INVITE sessions). Not for use outside app/sip. */
#ifndef RAKWON_SIP_SIP_UA_INT_H
#define RAKWON_SIP_SIP_UA_INT_H

#include "lib/loop/loop.h"
#include "sip/sip_dialog.h"
#include "sip/sip_ua.h"

#define SIP_UA_ALLOW "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE"
#define SIP_TOKEN_LEN 24

struct sip_call {
	struct sip_call *next;
	struct sip_ua *ua;
	bool incoming;
	enum sip_call_state state;
	struct sip_call_handlers h;
	void *arg;
	int busy;                   /* callbacks in progress: free deferred */
	bool ended, free_pending;
	struct loop_timer end_t;    /* deferred end */
	uint16_t end_code;
	char *end_reason;

	struct sip_dialog dlg;
	bool have_dlg;
	char *remote_uri, *remote_display;
	enum sip_transport tp;
	bool secure;
	struct sip_dest dest;       /* first hop of the initial INVITE */
	char *target;               /* R-URI of the initial INVITE */
	char *local_sdp;            /* last SDP we sent (refreshes reuse it) */

	/* outgoing INVITE */
	struct sip_ctran *inv_ct;
	uint32_t inv_cseq;
	char callid[SIP_TOKEN_LEN + 8], ltag[SIP_TOKEN_LEN];
	int auth_tries, st_tries;
	bool cancel_req;
	struct buf *ack;            /* ACK to the 2xx (re-sent on retransmissions) */
	struct sip_dest ack_dest;
	struct loop_timer guard_t;  /* CANCEL sent but no final response */
	struct loop_timer acc_t;    /* drop answered INVITE transactions after 64*T1 */

	/* incoming INVITE */
	struct sip_stran *inv_st;

	/* re-INVITE */
	struct sip_ctran *re_ct;    /* ours, pending */
	struct sip_ctran *re_old;   /* ours, answered: re-ACKs 2xx retransmissions */
	char *re_sdp;               /* offer of our pending/retried re-INVITE */
	bool re_refresh;            /* a session refresh: not reported */
	struct buf *re_ack;
	struct loop_timer glare_t;
	struct sip_stran *re_st;    /* theirs, waiting for the ACK */
	bool re_offerless;          /* theirs had no offer: answer in ACK */

	/* session timer (RFC 4028) */
	uint32_t se;                /* negotiated interval (0: none) */
	uint32_t se_req;            /* what our INVITE asks for */
	bool se_we_refresh;
	struct loop_timer se_t;
};

struct sip_reg {
	sip_ua_reg_h h;
	void *arg;
	bool active, registered, unreg;
	struct sip_ctran *ct;
	struct loop_timer t;
	char callid[SIP_TOKEN_LEN + 8], tag[SIP_TOKEN_LEN];
	uint32_t cseq;
	uint32_t expires, granted;
	int auth_tries;
};

struct sip_ua {
	struct loop *l;
	struct sip_ua_conf c;       /* strings below are private copies */
	char *aor, *display, *auth_user, *password, *registrar, *proxy, *user_agent;
	char user[128];             /* AOR user part */
	struct sip_tl *tl;
	struct sip_call *calls;
	unsigned ncalls;
	struct sip_reg reg;
	void (*shut_done)(struct sip_ua *ua, void *arg);
	void *shut_arg;
	struct loop_timer shut_t;
	bool shutting;
};

/* sip_ua.c */
/* "Contact: <sip:user@host:port;transport=x>\r\n" for sending with tp to dst */
int sip_ua_contact(struct sip_ua *ua, struct sip_mb *mb, enum sip_transport tp,
		   const struct net_addr *dst, bool sips);
/* User-Agent/Allow/Supported lines */
void sip_ua_common_hdrs(struct sip_ua *ua, struct sip_mb *mb);
/* credentials line answering the challenge in rsp, malloc'd into *ret */
int sip_ua_auth(struct sip_ua *ua, const struct sip_msg *rsp, const char *method,
		const char *ruri, char **ret);
void sip_ua_shutdown_check(struct sip_ua *ua);

/* sip_call.c */
void sip_call_on_invite(struct sip_ua *ua, struct sip_stran *st, struct sip_msg *req,
			const struct sip_src *src);
/* in-dialog request for c (st NULL for ACK) */
void sip_call_on_request(struct sip_call *c, struct sip_stran *st, struct sip_msg *req);
struct sip_call *sip_call_find(struct sip_ua *ua, const struct sip_msg *req);
/* end at once, no signalling; for sip_ua_free */
void sip_call_destroy(struct sip_call *c);
/* callback nesting: get before calling out, put after (false: gone) */
void sip_call_get(struct sip_call *c);
bool sip_call_put(struct sip_call *c);
void sip_call_end(struct sip_call *c, uint16_t code, const char *reason);
char *sip_call_body_sdp(const struct sip_msg *m);
char *sip_call_reason_of(const struct sip_msg *rsp);
int sip_call_dlg_dest(struct sip_call *c, struct sip_dest *d);
int sip_call_send_simple(struct sip_call *c, const char *method, const char *ctype,
			 const char *body);
int sip_call_send_bye(struct sip_call *c);
int sip_call_send_ack(struct sip_call *c, uint32_t cseq, const char *sdp, struct buf **ret);
void sip_call_se_start(struct sip_call *c);
void sip_call_se_from_rsp(struct sip_call *c, const struct sip_msg *rsp);
void sip_call_se_from_req(struct sip_call *c, const struct sip_msg *req);
void sip_call_se_rsp_hdrs(struct sip_call *c, struct sip_mb *mb);
/* keep answered INVITE client transactions (2xx retransmissions) for 64*T1 */
void sip_call_accepted_linger(struct sip_call *c);

/* sip_call_dlg.c */
int sip_call_send_reinvite(struct sip_call *c);

#endif
