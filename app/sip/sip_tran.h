/* sip_tran.h: the SIP transaction layer (RFC 3261 17, RFC 6026).
 *
 * DESIGN
 * struct sip_tl owns the transport (sip_transp) and every transaction; all
 * on the loop thread. Client transactions (struct sip_ctran) send a request
 * built by the TU (with a Via from sip_tl_request_start()) and report
 * responses to a handler; server transactions (struct sip_stran) are created
 * for each new request and handed to the TU's request handler.
 *
 * State machines: INVITE client (Calling, Proceeding, Accepted [RFC 6026],
 * Completed, Terminated; timers A, B, D, M; ACK for non-2xx sent here),
 * non-INVITE client (Trying, Proceeding, Completed; E, F, K), INVITE server
 * (Proceeding, Accepted, Completed, Confirmed; G, H, I, L; 100 Trying after
 * trying_ms when the TU has not answered; 2xx retransmitted with T1..T2
 * until the TU reports the ACK with sip_stran_acked()), non-INVITE server
 * (Trying, Proceeding, Completed; J). Matching by the RFC 3261 branch
 * (z9hG4bK) plus sent-by and method (17.1.3, 17.2.3); requests without a
 * magic cookie branch are matched on Call-ID, CSeq, From tag, top Via and
 * R-URI (a cheap RFC 2543 fallback).
 *
 * Ownership: transactions are reference counted; the layer keeps one
 * reference while a transaction runs, the TU holds its own (ret pointers)
 * and drops it with sip_ctran_detach()/sip_stran_detach() (which also stops
 * callbacks). Handlers are never called after detach.
 */
#ifndef RAKWON_SIP_SIP_TRAN_H
#define RAKWON_SIP_SIP_TRAN_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/base/buf.h"
#include "sip/sip_msg.h"
#include "sip/sip_transp.h"

struct loop;
struct sip_tl;
struct sip_ctran;
struct sip_stran;

#define SIP_BRANCH_LEN 40 /* buffer size for a branch incl. NUL */

struct sip_tl_conf {
	uint32_t t1_ms;       /* RTT estimate; 0: 500 */
	uint32_t t2_ms;       /* max non-INVITE retransmit interval; 0: 4000 */
	uint32_t t4_ms;       /* max message lifetime; 0: 5000 */
	uint32_t trying_ms;   /* INVITE: send 100 if the TU is silent; 0: 200 */
	unsigned max_trans;   /* server transactions at once for new requests;
				 0: 1024 (503 beyond); in-dialog requests may
				 use 4 times that. Each keeps its request,
				 about 22 KiB */
};

/* A new request: st is its server transaction (hold it with
 * sip_stran_ref() if answering later), NULL for an ACK that matched no
 * transaction (ACK to a 2xx: the TU matches it to a dialog). */
typedef void (*sip_tl_req_h)(struct sip_stran *st, struct sip_msg *req,
			     const struct sip_src *src, void *arg);
/* A response (err 0, rsp set) or a failure (rsp NULL; err -ETIMEDOUT for
 * timer B/F, or a transport error). After a final (>= 200) non-2xx
 * response or an error no more calls follow. An INVITE transaction reports
 * every 2xx (retransmissions too) until timer M. */
typedef void (*sip_ctran_h)(int err, const struct sip_msg *rsp, void *arg);

/* Server transaction events. */
struct sip_stran_handlers {
	/* a CANCEL matched this INVITE transaction (the layer answered the
	 * CANCEL with 200; the TU should now send 487 unless it answered) */
	void (*cancel)(struct sip_stran *st, void *arg);
	/* our 2xx was never ACKed (64*T1) or a final response could not be
	 * delivered (err) */
	void (*fail)(struct sip_stran *st, int err, void *arg);
};

int sip_tl_new(struct sip_tl **ret, struct loop *l, const struct sip_tl_conf *tc,
	       const struct sip_transp_conf *pc, sip_tl_req_h reqh, void *arg);
struct sip_tl *sip_tl_free(struct sip_tl *tl);
struct sip_transp *sip_tl_transp(struct sip_tl *tl);
struct loop *sip_tl_loop(struct sip_tl *tl);
void sip_tl_timers(const struct sip_tl *tl, uint32_t *ret_t1, uint32_t *ret_t2,
		   uint32_t *ret_t4);
/* active transactions (tests, shutdown) */
unsigned sip_tl_count(const struct sip_tl *tl);

/* A fresh random token (hex, NUL-terminated) for tags, Call-IDs, cnonces. */
void sip_rand_token(char *out, size_t cap);

/* Start a request towards d: request line and a Via with a new branch
 * (written to branch) and rport. The TU adds Max-Forwards, From, To, ...
 * and calls sip_mb_finish(). */
int sip_tl_request_start(struct sip_tl *tl, struct sip_mb *mb, const char *method,
			 const struct pl *ruri, const struct sip_dest *d,
			 char branch[SIP_BRANCH_LEN]);

/* Send the request in req (complete, built as above) as a new client
 * transaction. ret may be NULL when the TU does not keep a handle. */
int sip_ctran_new(struct sip_ctran **ret, struct sip_tl *tl, const struct sip_dest *d,
		  const struct buf *req, sip_ctran_h h, void *arg);
/* Stop callbacks and drop the TU's reference. Returns NULL. */
struct sip_ctran *sip_ctran_detach(struct sip_ctran *ct);
/* CANCEL an INVITE transaction (RFC 3261 9.1): sent now when a provisional
 * response came, or on the first one; nothing after a final response. The
 * INVITE's handler later gets the 487 (or a final response that raced). */
int sip_ctran_cancel(struct sip_ctran *ct);
/* the request as sent */
const struct sip_msg *sip_ctran_req(const struct sip_ctran *ct);
const struct sip_dest *sip_ctran_dest(const struct sip_ctran *ct);

/* Server transactions. */
struct sip_stran *sip_stran_ref(struct sip_stran *st);
struct sip_stran *sip_stran_detach(struct sip_stran *st);
void sip_stran_set_handlers(struct sip_stran *st, const struct sip_stran_handlers *h,
			    void *arg);
const struct sip_msg *sip_stran_req(const struct sip_stran *st);
const struct sip_src *sip_stran_src(const struct sip_stran *st);
/* Send a response built by the TU (sip_mb_reply() on sip_stran_req()).
 * Provisional responses may repeat; the first final one completes the
 * transaction (-EALREADY after that). */
int sip_stran_respond(struct sip_stran *st, uint16_t code, const struct buf *rsp);
/* Convenience: a response with no body and optional extra header lines
 * (each ending in CRLF, or NULL). */
int sip_stran_reply(struct sip_stran *st, uint16_t code, const char *reason,
		    const char *to_tag, const char *extra_hdrs);
/* The TU saw the ACK for our 2xx: stop retransmitting it. */
void sip_stran_acked(struct sip_stran *st);
bool sip_stran_final_sent(const struct sip_stran *st);

/* Send a response statelessly (no transaction), e.g. for a stray request. */
int sip_tl_reply_stateless(struct sip_tl *tl, const struct sip_msg *req,
			   const struct sip_src *src, uint16_t code, const char *reason,
			   const char *extra_hdrs);

#endif
