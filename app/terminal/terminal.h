/* terminal.h: the room terminal daemon's context (only app/terminal sees it).
 *
 * DESIGN
 * One main loop owns everything here: configuration, the SIP user agent,
 * the call state machine, the control API and the call history. Media runs
 * in a struct msess on its own threads and reports through media_events, a
 * work queue attached to the loop. There is at most one call; a second
 * incoming call gets 486 Busy Here.
 *
 * Call states (enum call_state):
 *   IDLE -> DIALING (INVITE sent) -> RINGING_OUT (180/183) -> CONNECTED
 *   IDLE -> RINGING_IN (INVITE received, 180 sent) -> CONNECTED (answered)
 *   CONNECTED <-> HELD (re-INVITE by either side: inactive/sendonly/recvonly)
 *   any -> ENDING (CANCEL/BYE sent) -> IDLE (history record written)
 * Media starts when the answer is known (our 200 sent, or 200 received) and
 * stops on the way to IDLE. Media encryption follows media.encryption:
 * SDES keys are offered and accepted only on a TLS signalling hop.
 */
#ifndef RAKWON_TERMINAL_TERMINAL_H
#define RAKWON_TERMINAL_TERMINAL_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/conf/conf.h"
#include "lib/loop/loop.h"
#include "sdp/sdp_nego.h"

struct loop;
struct sip_ua;
struct sip_call;
struct ctrl;
struct wq;
struct msess;
struct json;

enum call_state {
	CALL_IDLE,
	CALL_DIALING,
	CALL_RINGING_OUT,
	CALL_RINGING_IN,
	CALL_CONNECTED,
	CALL_HELD,
	CALL_ENDING,
	CALL_STATE_MAX,
};

#define HISTORY_MAX 1000

struct call_rec {
	bool incoming;
	bool answered;
	char remote_uri[256];
	char remote_name[128];
	uint64_t start_wall_us;
	uint32_t duration_s;
	uint16_t end_code;
	char end_reason[64];
	bool encrypted;
};

struct tcall {
	struct terminal *t;
	struct sip_call *sc;
	enum call_state state;
	bool incoming;
	bool answered;
	char remote_uri[256];
	char remote_name[128];
	uint64_t start_us, start_wall_us, connect_us;
	struct sdp_local loc;
	struct sdp_result res;
	char *answer;                   /* incoming: our answer, sent on accept */
	struct msess *ms;
	bool hold_local, hold_remote;
	bool encrypted;
	bool secure_sig;                /* TLS signalling hop */
	struct loop_timer auto_answer;
};

struct terminal {
	struct loop *loop;
	struct conf *conf;
	const char *conf_path;
	struct sip_ua *ua;
	struct ctrl *ctrl;
	struct wq *media_events;
	int reg_code;
	uint32_t reg_expires;
	struct tcall *call;
	struct call_rec *hist;
	unsigned hist_n, hist_head;
	bool mic_muted, cam_muted;
	uint16_t next_port;
	uint64_t start_us;
	char aor[256];
	char local_ip[64];
	bool quitting;
};

extern const struct conf_def terminal_conf_defs[];
extern const size_t terminal_conf_ndefs;

/* call.c */
const char *call_state_name(enum call_state s);
int call_dial(struct terminal *t, const char *uri, char *err, size_t errlen);
int call_answer(struct terminal *t, char *err, size_t errlen);
int call_reject(struct terminal *t, char *err, size_t errlen);
int call_hangup(struct terminal *t, char *err, size_t errlen);
int call_hold(struct terminal *t, bool hold, char *err, size_t errlen);
int call_dtmf(struct terminal *t, const char *digits, char *err, size_t errlen);
void call_set_mute(struct terminal *t, bool mic, bool cam);
void call_incoming(struct sip_ua *ua, struct sip_call *c, const char *sdp, void *arg);
void call_on_media_event(struct terminal *t, int type, int64_t val);
/* status of the call as JSON (NULL when idle) */
struct json *call_status_json(struct terminal *t);
void call_shutdown(struct terminal *t);

/* terminal.c */
void terminal_event(struct terminal *t, const char *name, struct json *data);
void terminal_history_add(struct terminal *t, const struct call_rec *r);

/* terminal_ctrl.c */
int terminal_ctrl_register(struct terminal *t);

#endif
