/* sip_dialog.h: SIP dialog state (RFC 3261 12): Call-ID, tags, local and
 * remote URIs, remote target, route set, CSeq numbers, and building
 * in-dialog requests (loose and strict routing, 12.2.1.1).
 *
 * A struct sip_dialog is plain data owned by its user (a call); every string
 * is a private heap copy. Loop thread only, no callbacks.
 */
#ifndef RAKWON_SIP_SIP_DIALOG_H
#define RAKWON_SIP_SIP_DIALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "sip/sip_msg.h"
#include "sip/sip_tran.h"
#include "sip/sip_transp.h"

#define SIP_DLG_MAX_ROUTES 16

struct sip_dialog {
	char *callid;
	char *ltag;                /* our tag */
	char *rtag;                /* remote tag (NULL until known on UAC) */
	char *luri;                /* our From/To value without tag, e.g. "\"A\" <sip:a@h>" */
	char *ruri;                /* their From/To value without tag */
	char *rtarget;             /* remote target URI (their Contact) */
	char *routes[SIP_DLG_MAX_ROUTES]; /* route set, "<uri;lr>" values, in order */
	unsigned nroutes;
	uint32_t lseq;             /* last CSeq we sent */
	uint32_t rseq;             /* last CSeq we received */
	bool rseq_set;
	bool secure;               /* sips / TLS all the way (RFC 3261 12.1.1) */
	bool confirmed;            /* false: early dialog */
};

/* UAC side: from our request (as sent) and a response with a To tag (1xx
 * early or 2xx). Record-Route is reversed into the route set. */
int sip_dialog_init_uac(struct sip_dialog *d, const struct sip_msg *req,
			const struct sip_msg *rsp);
/* UAS side: from a dialog-creating request; ltag is our new tag. */
int sip_dialog_init_uas(struct sip_dialog *d, const struct sip_msg *req, const char *ltag);
void sip_dialog_clear(struct sip_dialog *d);

/* Target refresh (re-INVITE/UPDATE request or its 2xx): new Contact. */
int sip_dialog_update_target(struct sip_dialog *d, const struct sip_msg *m);
/* For a UAC early dialog confirmed by 2xx: route set and target from it. */
int sip_dialog_confirm_uac(struct sip_dialog *d, const struct sip_msg *rsp);

/* An incoming request belongs here: Call-ID, From tag = rtag, To tag = ltag. */
bool sip_dialog_match_req(const struct sip_dialog *d, const struct sip_msg *req);
/* Remote CSeq check for an in-dialog request (not ACK/CANCEL): 0, or
 * -EPROTO when lower than or equal to the last one (answer 500). */
int sip_dialog_rseq(struct sip_dialog *d, const struct sip_msg *req);

/* Where in-dialog requests go: first route (loose) or the remote target;
 * proxy (an outbound proxy URI, may be NULL) overrides both. */
int sip_dialog_dest(const struct sip_dialog *d, const char *proxy, struct sip_dest *ret);
/* Build an in-dialog request: request line (remote target, or the first
 * route for a strict router), Via, Max-Forwards, From, To, Call-ID, CSeq
 * (cseq 0: ++lseq), Route. The caller adds Contact etc. and finishes. */
int sip_dialog_request(struct sip_dialog *d, struct sip_tl *tl, struct sip_mb *mb,
		       const char *method, uint32_t cseq, const struct sip_dest *dest,
		       char branch[SIP_BRANCH_LEN]);

#endif
