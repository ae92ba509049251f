/* bridge_int.h: the bridge's loop-thread state (bridge.c, bctrl.c). */
#ifndef RAKWON_BRIDGE_BRIDGE_INT_H
#define RAKWON_BRIDGE_BRIDGE_INT_H

#include "bridge.h"
#include "lib/loop/loop.h"

struct sip_call;
struct sip_ua;
struct ctrl;

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
	char uri[128], display[64], src[64];
	char digits[BR_NUM_MAX + 1];
	char *answer;               /* our SDP answer (re-INVITEs get it again) */
	unsigned pin_tries;
	struct loop_timer pin_t;
	uint64_t joined_us;
	int level_db;
	uint16_t audio_port, video_port;   /* our media ports for it */
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
};

struct meeting *bridge_meeting_find(struct bridge *b, const char *number);
struct part *bridge_part_find(struct meeting *m, uint32_t id);
void bridge_part_drop(struct part *p, const char *why);
void bridge_part_mute(struct part *p, bool mute);
void bridge_meeting_end(struct meeting *m);
void bridge_set_broadcast(struct meeting *m, uint32_t id);
void bridge_roster_event(struct meeting *m, const char *what, struct part *p);
int bridge_ctrl_register(struct bridge *b);

#endif
