/* bctrl.c: the bridge's control API commands (chair control, roster, events). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bridge_int.h"
#include "ctrl/ctrl.h"

static const struct ctrl_param p_meeting[] = {
	{ "meeting", JSON_STRING, true, 1, BR_NUM_MAX - 1, NULL, "meeting number" },
	{ 0 },
};

static const struct ctrl_param p_site[] = {
	{ "meeting", JSON_STRING, true, 1, BR_NUM_MAX - 1, NULL, "meeting number" },
	{ "id", JSON_INT, true, 1, UINT32_MAX, NULL, "participant id (from roster)" },
	{ 0 },
};

static const struct ctrl_param p_mute[] = {
	{ "meeting", JSON_STRING, true, 1, BR_NUM_MAX - 1, NULL, "meeting number" },
	{ "id", JSON_INT, true, 1, UINT32_MAX, NULL, "participant id (from roster)" },
	{ "mute", JSON_BOOL, false, 0, 0, NULL, "true (default): mute, false: unmute" },
	{ 0 },
};

static const struct ctrl_param p_mute_all[] = {
	{ "meeting", JSON_STRING, true, 1, BR_NUM_MAX - 1, NULL, "meeting number" },
	{ "mute", JSON_BOOL, false, 0, 0, NULL, "true (default): mute, false: unmute" },
	{ "except_chair", JSON_BOOL, false, 0, 0, NULL, "leave chairs alone (default true)" },
	{ 0 },
};

static const struct ctrl_param p_lock[] = {
	{ "meeting", JSON_STRING, true, 1, BR_NUM_MAX - 1, NULL, "meeting number" },
	{ "lock", JSON_BOOL, false, 0, 0, NULL, "true (default): lock, false: unlock" },
	{ 0 },
};

static const struct ctrl_param p_bcast[] = {
	{ "meeting", JSON_STRING, true, 1, BR_NUM_MAX - 1, NULL, "meeting number" },
	{ "id", JSON_INT, true, 0, UINT32_MAX, NULL, "site to broadcast, 0: voice-activated" },
	{ 0 },
};

static const struct ctrl_param p_lecture[] = {
	{ "meeting", JSON_STRING, true, 1, BR_NUM_MAX - 1, NULL, "meeting number" },
	{ "on", JSON_BOOL, true, 0, 0, NULL, "lecture mode on/off" },
	{ "id", JSON_INT, false, 0, UINT32_MAX, NULL,
	  "the presiding site (default: the first chair)" },
	{ 0 },
};

static struct meeting *get_meeting(struct bridge *b, const struct json *params, char *err,
				   size_t errlen)
{
	const char *num = NULL;
	struct meeting *m;

	(void)json_get_str(params, "meeting", &num);
	m = num ? bridge_meeting_find(b, num) : NULL;
	if (!m)
		snprintf(err, errlen, "no such meeting");
	return m;
}

static struct part *get_part(struct bridge *b, const struct json *params, struct meeting **ret_m,
			     char *err, size_t errlen)
{
	struct meeting *m = get_meeting(b, params, err, errlen);
	int64_t id = 0;
	struct part *p;

	if (!m)
		return NULL;
	(void)json_get_int(params, "id", &id);
	p = bridge_part_find(m, (uint32_t)id);
	if (!p || p->state == PART_LEAVING)
		snprintf(err, errlen, "no such participant");
	if (ret_m)
		*ret_m = m;
	return p && p->state != PART_LEAVING ? p : NULL;
}

static bool opt_bool(const struct json *params, const char *key, bool def)
{
	bool v = def;

	(void)json_get_bool(params, key, &v);
	return v;
}

static int cmd_meetings(void *ctx, const struct json *params, struct json **result, char *err,
			size_t errlen)
{
	struct bridge *b = ctx;
	struct json *arr, *o;

	(void)params;
	(void)err;
	(void)errlen;
	if (json_new_array(&arr) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < b->nmeetings; i++) {
		struct meeting *m = &b->meetings[i];

		if (json_new_object(&o) < 0)
			break;
		(void)json_obj_set_str(o, "number", m->def.number);
		(void)json_obj_set_str(o, "name", m->def.name);
		(void)json_obj_set_int(o, "participants", m->nparts);
		(void)json_obj_set_int(o, "max", m->def.max_parts);
		(void)json_obj_set_bool(o, "locked", m->locked);
		(void)json_arr_append(arr, o);
	}
	*result = arr;
	return 0;
}

static int cmd_roster(void *ctx, const struct json *params, struct json **result, char *err,
		      size_t errlen)
{
	struct bridge *b = ctx;
	struct meeting *m = get_meeting(b, params, err, errlen);
	struct json *r, *arr, *o;
	static const char *const states[] = { "pin", "in", "leaving" };

	if (!m)
		return -ENOENT;
	if (json_new_object(&r) < 0)
		return -ENOMEM;
	if (json_new_array(&arr) < 0) {
		json_free(r);
		return -ENOMEM;
	}
	(void)json_obj_set_str(r, "meeting", m->def.number);
	(void)json_obj_set_bool(r, "locked", m->locked);
	(void)json_obj_set_bool(r, "lecture", m->lecture);
	(void)json_obj_set_int(r, "broadcast", m->bcast);
	(void)json_obj_set_int(r, "speaker", m->speaker);
	(void)json_obj_set_int(r, "video_source", m->vsrc);
	(void)json_obj_set_str(r, "bridge_id", b->id);
	if (m->mw) {
		uint64_t n, p50, p99, mx;
		struct json *f;

		mw_latency(m->mw, &n, &p50, &p99, &mx);
		if (json_new_object(&f) == 0) {
			(void)json_obj_set_int(f, "packets", (int64_t)n);
			(void)json_obj_set_int(f, "p50_us", (int64_t)p50);
			(void)json_obj_set_int(f, "p99_us", (int64_t)p99);
			(void)json_obj_set_int(f, "max_us", (int64_t)mx);
			(void)json_obj_set(r, "forwarding_latency", f);
		}
		(void)json_obj_set_int(r, "mixer_dropped", (int64_t)mw_mixer_dropped(m->mw));
	}
	if (m->def.uplink[0]) {
		(void)json_obj_set_str(r, "uplink", m->def.uplink);
		(void)json_obj_set_str(r, "uplink_state", m->uplink_state);
	}
	for (struct part *p = m->parts; p; p = p->next) {
		struct mw_part_stats st;

		if (json_new_object(&o) < 0)
			break;
		(void)json_obj_set_int(o, "id", p->id);
		(void)json_obj_set_str(o, "uri", p->uri);
		(void)json_obj_set_str(o, "name", p->display);
		(void)json_obj_set_str(o, "state", states[p->state]);
		(void)json_obj_set_bool(o, "chair", p->chair);
		(void)json_obj_set_bool(o, "muted", p->muted);
		(void)json_obj_set_bool(o, "trunk", p->trunk);
		(void)json_obj_set_bool(o, "srtp", p->srtp);
		if (p->trunk)
			(void)json_obj_set_str(o, "cascade_path", p->outgoing ? "(uplink)" : p->path);
		(void)json_obj_set_int(o, "audio_port", p->audio_port);
		(void)json_obj_set_int(o, "video_port", p->video_port);
		if (m->mw && mw_stats(m->mw, p->id, &st) == 0) {
			(void)json_obj_set_int(o, "level_db", st.level_db);
			(void)json_obj_set_int(o, "levels_rx", (int64_t)st.levels_rx);
			(void)json_obj_set_int(o, "audio_rx", (int64_t)st.a_rx);
			(void)json_obj_set_int(o, "audio_tx", (int64_t)st.a_tx);
			(void)json_obj_set_int(o, "video_rx", (int64_t)st.v_rx);
			(void)json_obj_set_int(o, "video_tx", (int64_t)st.v_tx);
			(void)json_obj_set_int(o, "malformed", (int64_t)st.malformed);
			(void)json_obj_set_int(o, "foreign", (int64_t)st.foreign);
			(void)json_obj_set_int(o, "flood_dropped", (int64_t)st.flood);
			(void)json_obj_set_int(o, "srtp_auth_fail", (int64_t)st.auth_fail);
			(void)json_obj_set_int(o, "plis_sent", (int64_t)st.plis_sent);
			(void)json_obj_set_int(o, "nacks_recv", (int64_t)st.nacks_rx);
			(void)json_obj_set_int(o, "retransmitted", (int64_t)st.rtx_sent);
		}
		(void)json_arr_append(arr, o);
	}
	(void)json_obj_set(r, "participants", arr);
	*result = r;
	return 0;
}

static int cmd_mute(void *ctx, const struct json *params, struct json **result, char *err,
		    size_t errlen)
{
	struct part *p = get_part(ctx, params, NULL, err, errlen);

	(void)result;
	if (!p)
		return -ENOENT;
	bridge_part_mute(p, opt_bool(params, "mute", true));
	p->lecture_muted = false;
	return 0;
}

static int cmd_mute_all(void *ctx, const struct json *params, struct json **result, char *err,
			size_t errlen)
{
	struct meeting *m = get_meeting(ctx, params, err, errlen);
	bool mute = opt_bool(params, "mute", true), except = opt_bool(params, "except_chair", true);

	(void)result;
	if (!m)
		return -ENOENT;
	for (struct part *p = m->parts; p; p = p->next)
		if (!(except && p->chair) && p->state != PART_LEAVING)
			bridge_part_mute(p, mute);
	return 0;
}

static int cmd_drop(void *ctx, const struct json *params, struct json **result, char *err,
		    size_t errlen)
{
	struct part *p = get_part(ctx, params, NULL, err, errlen);

	(void)result;
	if (!p)
		return -ENOENT;
	bridge_part_drop(p, "dropped by the chair");
	return 0;
}

static int cmd_lock(void *ctx, const struct json *params, struct json **result, char *err,
		    size_t errlen)
{
	struct meeting *m = get_meeting(ctx, params, err, errlen);

	(void)result;
	if (!m)
		return -ENOENT;
	m->locked = opt_bool(params, "lock", true);
	bridge_roster_event(m, m->locked ? "locked" : "unlocked", NULL);
	return 0;
}

static int cmd_broadcast(void *ctx, const struct json *params, struct json **result, char *err,
			 size_t errlen)
{
	struct meeting *m = get_meeting(ctx, params, err, errlen);
	int64_t id = 0;

	(void)result;
	if (!m)
		return -ENOENT;
	(void)json_get_int(params, "id", &id);
	if (id && !bridge_part_find(m, (uint32_t)id)) {
		snprintf(err, errlen, "no such participant");
		return -ENOENT;
	}
	bridge_set_broadcast(m, (uint32_t)id);
	return 0;
}

static int cmd_lecture(void *ctx, const struct json *params, struct json **result, char *err,
		       size_t errlen)
{
	struct meeting *m = get_meeting(ctx, params, err, errlen);
	bool on = opt_bool(params, "on", false);
	int64_t id = 0;

	(void)result;
	if (!m)
		return -ENOENT;
	(void)json_get_int(params, "id", &id);
	if (on && !id)
		for (struct part *p = m->parts; p && !id; p = p->next)
			if (p->chair)
				id = p->id;
	if (on && (!id || !bridge_part_find(m, (uint32_t)id))) {
		snprintf(err, errlen, "no presiding site: give id or join a chair");
		return -ENOENT;
	}
	m->lecture = on;
	for (struct part *p = m->parts; p; p = p->next) {
		if (on && p->id != id && !p->muted) {
			p->lecture_muted = true;
			bridge_part_mute(p, true);
		} else if (!on && p->lecture_muted) {
			p->lecture_muted = false;
			bridge_part_mute(p, false);
		}
	}
	bridge_set_broadcast(m, on ? (uint32_t)id : 0);
	bridge_roster_event(m, on ? "lecture-on" : "lecture-off", NULL);
	return 0;
}

static int cmd_end(void *ctx, const struct json *params, struct json **result, char *err,
		   size_t errlen)
{
	struct meeting *m = get_meeting(ctx, params, err, errlen);

	(void)result;
	if (!m)
		return -ENOENT;
	bridge_meeting_end(m);
	return 0;
}

static const struct ctrl_cmd cmds[] = {
	{ "meetings", "list the meetings", CTRL_ROLE_USER, NULL, cmd_meetings },
	{ "roster", "participants of a meeting", CTRL_ROLE_USER, p_meeting, cmd_roster },
	{ "mute", "mute or unmute a site", CTRL_ROLE_INTEGRATOR, p_mute, cmd_mute },
	{ "mute_all", "mute or unmute every site", CTRL_ROLE_INTEGRATOR, p_mute_all, cmd_mute_all },
	{ "drop", "disconnect a site", CTRL_ROLE_INTEGRATOR, p_site, cmd_drop },
	{ "lock", "lock or unlock a meeting", CTRL_ROLE_INTEGRATOR, p_lock, cmd_lock },
	{ "broadcast", "choose the broadcast site (0: voice-activated)", CTRL_ROLE_INTEGRATOR,
	  p_bcast, cmd_broadcast },
	{ "lecture", "lecture mode: one presiding site seen and heard, others muted",
	  CTRL_ROLE_INTEGRATOR, p_lecture, cmd_lecture },
	{ "end", "end a meeting (every site is disconnected)", CTRL_ROLE_INTEGRATOR, p_meeting,
	  cmd_end },
	{ 0 },
};

int bridge_ctrl_register(struct bridge *b)
{
	return ctrl_register(b->ctrl, cmds);
}
