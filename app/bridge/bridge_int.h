/* bridge_int.h: the bridge's loop-thread state (bridge.c, bctrl.c). */
#ifndef RAKWON_BRIDGE_BRIDGE_INT_H
#define RAKWON_BRIDGE_BRIDGE_INT_H

#include "bridge.h"
#include "lib/loop/loop.h"

struct sip_call;
struct sip_ua;
struct ctrl;
struct sdp_local;
struct sdp_media_result;

#define BR_ID_MAX 24                /* a bridge's id (cascade loop prevention) */
#define BR_PATH_MAX 120             /* ids of the bridges below a trunk, '.'-separated */

enum part_state {
	PART_PIN,                   /* answered, waiting for the PIN by DTMF */
	PART_IN,                    /* admitted */
	PART_LEAVING,               /* hangup sent, waiting for ended() */
};

struct part {
	struct part *next;
	struct meeting *m;
	struct sip_call *call;
	uint32_t id;
	enum part_state state;
	bool chair, muted, lecture_muted;
	bool srtp;                  /* its media is SRTP */
	char uri[128], display[64], src[64];
	char digits[BR_NUM_MAX + 1];
	char *answer;               /* our SDP answer (re-INVITEs get it again) */
	unsigned pin_tries;
	struct loop_timer pin_t;
	uint64_t joined_us;
	int level_db;
	uint16_t audio_port, video_port;   /* our media ports for it */
	/* cascading (cascade.c): a trunk is another bridge in this meeting;
	 * outgoing: our uplink to the parent bridge */
	bool trunk, outgoing;
	char path[BR_PATH_MAX];     /* incoming trunk: the bridges below it */
	struct sdp_local *loc;      /* outgoing trunk: our offer, until answered */
	struct mw_part *mp;         /* outgoing trunk: its sockets, until answered */
};

struct meeting {
	struct bridge *b;
	struct br_meeting_def def;
	struct mw *mw;              /* while somebody is in it */
	struct part *parts;
	unsigned nparts;
	bool locked, lecture;
	uint32_t bcast;             /* chair-chosen broadcast site, 0: voice */
	uint32_t speaker, vsrc;
	/* join flood limit: token bucket */
	double tokens;
	uint64_t tokens_us;
	/* cascading: our trunk to def.uplink (NULL: none), its state for the
	 * roster, the redial timer */
	struct part *uplink;
	char uplink_state[48];
	bool uplink_stop;           /* refused as a loop: no redial */
	struct loop_timer uplink_t;
};

#define BR_PINFAIL_SLOTS 64

struct pinfail {
	char src[48];
	unsigned fails;
	uint64_t since_us;
};

struct bridge {
	struct loop *loop;
	struct conf *conf;
	struct sip_ua *ua;
	struct ctrl *ctrl;
	struct wq *events;
	struct meeting *meetings;
	size_t nmeetings;
	uint32_t next_id;
	struct pinfail pinfail[BR_PINFAIL_SLOTS];
	bool shutting_down;
	char id[BR_ID_MAX];         /* this bridge in cascade paths */
};

struct meeting *bridge_meeting_find(struct bridge *b, const char *number);
struct part *bridge_part_find(struct meeting *m, uint32_t id);
void bridge_part_drop(struct part *p, const char *why);
void bridge_part_mute(struct part *p, bool mute);
void bridge_meeting_end(struct meeting *m);
void bridge_set_broadcast(struct meeting *m, uint32_t id);
void bridge_roster_event(struct meeting *m, const char *what, struct part *p);
int bridge_ctrl_register(struct bridge *b);
/* shared by bridge.c and cascade.c */
void bridge_part_free(struct part *p);
int bridge_bind_pair(struct bridge *b, int *fd, int *rtcp_fd, uint16_t *port);
void bridge_stream_from(struct mw_stream *st, const struct sdp_media_result *m);
void bridge_close_stream(struct mw_stream *st);
int bridge_meeting_worker(struct meeting *m);
/* the local media description of a participant: fresh SSRCs, SDES keys,
 * sockets bound (mp's fds; ports in loc); enc as sdp_enc */
int bridge_local_media(struct bridge *b, struct sdp_local *loc, struct mw_part *mp, int enc);

/* --- cascading (cascade.c) ---
 * A meeting with an uplink joins the parent bridge's meeting as one
 * participant (a trunk) while it has local participants. The INVITE's
 * Request-URI carries ";cascade=ID1.ID2..." (this bridge and every bridge
 * below it): a bridge finding its own id refuses with 482 (a loop). */
/* dial or hang up the uplink as the local participants come and go */
void cascade_check(struct meeting *m);
/* incoming: 0, or 482 when path names this bridge; p->trunk/path set */
int cascade_incoming(struct bridge *b, struct part *p, const char *path);
void cascade_part_gone(struct part *p);
void cascade_stop(struct meeting *m);

#endif
