/* sip_transp.h: SIP transports on the loop: UDP, TCP and TLS (RFC 3261 18).
 *
 * DESIGN
 * One struct sip_transp per SIP stack, driven by one struct loop (all calls
 * and callbacks on the loop thread). UDP: one socket per listen address.
 * TCP/TLS: listening sockets plus connections (accepted or opened on demand
 * by sip_transp_send()), reused by (transport, peer address), closed after
 * an idle timeout; Content-Length framing with SIP_MSG_MAX as the limit
 * (an oversized message gets 513 and the connection is closed). Double-CRLF
 * keep-alive pings are answered with a single CRLF (RFC 5626 3.5.1), and
 * outgoing connections may send pings themselves.
 *
 * Received requests get RFC 3261 18.2.1 "received" and RFC 3581 "rport"
 * applied to their top Via (sip_src tells where they came from); messages
 * without a Via are dropped (responses are matched to transactions by the
 * branch only, there is no check that the top Via names us). Unparseable
 * requests that can be answered get 400/505/513 directly from here; others
 * are dropped.
 * Responses are sent back per RFC 3261 18.2.2 / RFC 3581 4 by
 * sip_transp_send_resp().
 *
 * The per-source token bucket for new INVITEs (sip_transp_invite_ok()) is
 * kept here because it is keyed by source address; the transaction layer
 * asks it before it creates a server INVITE transaction.
 */
#ifndef RAKWON_SIP_SIP_TRANSP_H
#define RAKWON_SIP_SIP_TRANSP_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/net/net.h"
#include "sip/sip_msg.h"

struct loop;
struct sip_transp;

#define SIP_TLS_HOST_MAX 128

struct sip_transp_conf {
	/* TLS client: CA (PEM file) that verifies servers we connect to; NULL:
	 * TLS client connections are refused (no unverified TLS) */
	const char *tls_ca;
	/* TLS server: our certificate chain and key (PEM files) */
	const char *tls_cert;
	const char *tls_key;
	unsigned max_conns;        /* stream connections; 0: 256 */
	uint32_t idle_timeout_ms;  /* close idle connections; 0: 180000 */
	uint32_t keepalive_ms;     /* CRLF ping on our outgoing connections; 0: off */
	uint32_t connect_timeout_ms; /* TCP connect + TLS handshake; 0: 10000 */
	/* new out-of-dialog requests (INVITE, OPTIONS, ...; not CANCEL/ACK)
	 * per source address: a token bucket */
	uint32_t invite_rate;      /* tokens per second; 0: 5 */
	uint32_t invite_burst;     /* bucket size; 0: 10 */
	bool invite_drop;          /* excess INVITEs are dropped instead of 503 */
};

/* Where a message came from (and where its responses go). */
struct sip_src {
	enum sip_transport tp;
	struct net_addr peer;
	struct net_addr local;
	uint64_t conn_id;          /* stream connection (0: UDP) */
};

/* Where a request goes. */
struct sip_dest {
	enum sip_transport tp;     /* SIP_TP_UDP, SIP_TP_TCP or SIP_TP_TLS */
	struct net_addr addr;
	char tls_host[SIP_TLS_HOST_MAX]; /* name the TLS server cert must match ("": any
					    name signed by the CA) */
	uint64_t conn_id;          /* prefer this existing connection (0: by address) */
};

/* A parsed message (owned by the transport; sip_msg_ref() to keep it). */
typedef void (*sip_transp_recv_h)(struct sip_msg *m, const struct sip_src *src, void *arg);
/* A stream connection to/from peer failed or closed (err: -ECONNREFUSED,
 * -ETIMEDOUT, -EPERM for a TLS verification failure, -ECONNRESET ...).
 * Pending client transactions towards it should fail. */
typedef void (*sip_transp_err_h)(enum sip_transport tp, const struct net_addr *peer, int err,
				 void *arg);

struct sip_transp_stats {
	uint64_t rx_msgs, tx_msgs;
	uint64_t rx_bad;           /* unparseable / rejected messages */
	uint64_t rx_oversize;      /* over SIP_MSG_MAX */
	uint64_t invite_limited;   /* INVITEs refused by the rate limit */
	uint64_t conns_refused;    /* over max_conns */
	unsigned conns;            /* open stream connections */
};

int sip_transp_new(struct sip_transp **ret, struct loop *l, const struct sip_transp_conf *c,
		   sip_transp_recv_h recvh, sip_transp_err_h errh, void *arg);
/* Closes every socket and connection. Returns NULL. */
struct sip_transp *sip_transp_free(struct sip_transp *t);

/* Listen on a (port 0: a free port, written back into a). For TLS the
 * certificate and key must be configured. Several addresses per transport
 * are allowed. */
int sip_transp_listen(struct sip_transp *t, enum sip_transport tp, struct net_addr *a);
/* The local address to advertise (Via sent-by, Contact) for sending with tp
 * towards dst: the listen address of that transport with dst's family
 * (an unspecified listen address is replaced by the route's source).
 * -EAFNOSUPPORT when we do not listen on tp. */
int sip_transp_laddr(struct sip_transp *t, enum sip_transport tp, const struct net_addr *dst,
		     struct net_addr *ret);
bool sip_transp_has(const struct sip_transp *t, enum sip_transport tp);

/* Send a complete message. Stream transports reuse a connection to d->addr
 * (or d->conn_id) or open one; bytes are queued while it connects. 0 or
 * -errno (-EMSGSIZE over SIP_MSG_MAX, -ENOTCONN for TLS without a CA). */
int sip_transp_send(struct sip_transp *t, const struct sip_dest *d, const void *data,
		    size_t len);
/* Send a response to req (received from src) per RFC 3261 18.2.2 and
 * RFC 3581: same connection when reliable, else received/rport. */
int sip_transp_send_resp(struct sip_transp *t, const struct sip_msg *req,
			 const struct sip_src *src, const void *data, size_t len);

/* Token bucket for new INVITEs from src: true when one may be accepted
 * (and takes a token). */
bool sip_transp_invite_ok(struct sip_transp *t, const struct net_addr *src);
bool sip_transp_invite_drop(const struct sip_transp *t);

void sip_transp_stats(const struct sip_transp *t, struct sip_transp_stats *ret);

/* Hand one message to the stack as if it had arrived from src (tests and
 * fuzzing; responses go out through the real sockets). */
void sip_transp_inject(struct sip_transp *t, const void *data, size_t len,
		       const struct sip_src *src);

/* Destination for a sip/sips URI: transport from the scheme and the
 * transport parameter (sips: TLS), port default 5060/5061, numeric host
 * only (-EHOSTUNREACH for names). tls_host is set to the host. */
int sip_dest_from_uri(struct sip_dest *ret, const struct sip_uri *u);
int sip_dest_from_str(struct sip_dest *ret, const char *uri);
bool sip_tp_reliable(enum sip_transport tp);
const char *sip_tp_name(enum sip_transport tp);   /* "UDP", "TCP", "TLS" */
const char *sip_tp_param(enum sip_transport tp);  /* "udp", "tcp", "tls" */

#endif
