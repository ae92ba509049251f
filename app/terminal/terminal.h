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
 *
 * Screen and remote (terminal_ui.c, display.c; ui.enabled = yes):
 * The loop owns the live struct ui_model (t->ui): terminal_event() feeds
 * every control API event to ui_model_event() before publishing it, a 1 s
 * tick fills what events do not carry (clock, call duration, statistics,
 * directory, language) and drives the standby idle timeout. After each
 * change the loop hands a copy of the model to the display compositor
 * (struct tdisplay), a leaf worker thread that owns the display sink
 * (dev.display: kms on the box, png/y4m/null headless): it composes, at most
 * ui.fps times a second and only when something changed, the far-end video
 * and the self view (the latest frames the media session's frame tap handed
 * it, MSESS_TAP_DECODED / MSESS_TAP_CAPTURED, kept as references under a
 * mutex) with the UI into one XRGB frame by ui_render() and writes it to the
 * sink. The loop talks to the worker through a pending-model slot (mutex)
 * and a wq whose eventfd wakes it; the worker never touches control state.
 * With a null display the worker composes only for screenshots.
 * Remote keys come from drivers/input (evdev, or its FIFO twin for tests)
 * through the keymap file (ui.keymap: key name -> ui action); ui_key()
 * turns them into a ui_command that runs through ctrl_dispatch() with the
 * user role, exactly like the same command from the control API.
 * Standby: no call and no key for ui.standby_s seconds (or the standby
 * command) -> standby screen, CEC Standby to the TV; any key, an incoming
 * call or the wake command -> home (or the incoming call screen), CEC Image
 * View On + Active Source. Events "standby" {active}. With ui.enabled = no
 * the media session renders the far end straight to dev.display as before.
 */
#ifndef RAKWON_TERMINAL_TERMINAL_H
#define RAKWON_TERMINAL_TERMINAL_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/conf/conf.h"
#include "lib/loop/loop.h"
#include "media/msess.h"
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

struct prov_client;
struct ctrl_ws;
struct tdisplay;
struct ui_model;
struct input_keys;
struct cec_dev;
struct ring;

struct terminal {
	struct loop *loop;
	struct conf *conf;
	const char *conf_path;          /* base configuration file, or NULL */
	char **sets;                    /* -s key=value overrides (main's argv) */
	int nsets;
	char prov_conf_path[512];       /* provisioned layer (state.dir) */
	struct prov_client *prov;
	struct ctrl_ws *ws;             /* web panel + WebSocket API, or NULL */
	struct loop_timer ua_restart;   /* applies a new configuration to SIP */
	struct conf *old_conf;          /* kept until the old UA is gone */
	int volume;                     /* 0..100 */
	char layout[16];
	bool prov_verify;               /* waiting for a registration verdict */
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

	/* on-screen UI (terminal_ui.c): loop thread only */
	struct ui_model *ui;            /* live view model, NULL: UI off */
	struct tdisplay *disp;          /* compositor worker, NULL: UI off */
	struct input_keys *keys;        /* remote control, or NULL */
	struct cec_dev *cec;            /* HDMI-CEC, or NULL */
	struct loop_timer ui_tick;      /* 1 s: clock, duration, stats, idle */
	uint64_t last_activity_us;      /* last key or call activity */
	uint64_t volume_osd_us;         /* when the volume bar was shown */
	bool standby;
	struct ring *ring;               /* ring tone worker while ringing_in, or NULL */
	/* the reboot command: after a clean stop main() runs reboot_cmd */
	bool reboot;
	char reboot_cmd[512];
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
/* build the configuration: table defaults, base file, -s sets, then the
 * provisioned layer (text, or the file when NULL; only PROVISIONED keys) */
int terminal_conf_build(struct terminal *t, const char *prov_text, struct conf **ret,
			char *err, size_t errlen);
/* (re)create the SIP user agent from t->conf and register */
int terminal_ua_start(struct terminal *t);

/* terminal_prov.c */
int terminal_prov_start(struct terminal *t);
void terminal_prov_registration(struct terminal *t, bool ok, const char *why);
void terminal_prov_stop(struct terminal *t);
void terminal_event(struct terminal *t, const char *name, struct json *data);
void terminal_history_add(struct terminal *t, const struct call_rec *r);

/* ring.c: the ring tone on dev.speaker while a call rings (ui.ring) */
void terminal_ring(struct terminal *t, bool on);
/* an event on its way to the control API: start/stop on call_state, volume */
void terminal_ring_event(struct terminal *t, const char *name, const struct json *data);

/* terminal_ctrl.c */
int terminal_ctrl_register(struct terminal *t);

/* terminal_ui.c: the on-screen UI, remote control and standby (loop) */
int terminal_ui_start(struct terminal *t);
void terminal_ui_stop(struct terminal *t);
/* an event on its way to the control API: update the model */
void terminal_ui_event(struct terminal *t, const char *name, const struct json *data);
/* a remote-control action by name (ui_action_name(), or an alias of the
 * input driver: select, volume+, volume-, menu, standby); -EINVAL unknown */
int terminal_ui_key(struct terminal *t, const char *action, char *err, size_t errlen);
/* enter / leave standby (idempotent); emits the "standby" event */
void terminal_ui_standby(struct terminal *t, bool on, const char *why);
/* write the next composed screen to path (PNG); -ENOTSUP when the UI is off */
int terminal_ui_screenshot(struct terminal *t, const char *path, char *err, size_t errlen);
/* media session frame tap (media threads) and its argument */
void terminal_ui_tap(enum msess_tap what, struct vframe *f, void *arg);
/* status fields of the screen (standby, screen, layout, compose stats) */
struct json *terminal_ui_status(struct terminal *t);
/* the layout changed by the API (name as in the layout command) */
void terminal_ui_layout(struct terminal *t, const char *layout);

#endif
