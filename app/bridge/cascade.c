/* cascade.c: bridges linked into one meeting: the uplink trunk and loop prevention.
 *
 * A meeting whose definition has an uplink (the same meeting on a parent
 * bridge) joins it as one participant while it has local participants (its
 * own sites, or trunks from bridges below it): cascade_check() dials when
 * the first arrives and hangs up when the last leaves. The trunk is an
 * ordinary participant on both bridges, so the media need nothing new:
 *   audio: each side sends the trunk its N-1 mix (everything but the
 *     trunk), so a bridge never hears itself back; the trunk's level makes
 *     the far side's talkers compete for the speaker slots like a site;
 *   video: each side forwards the trunk its broadcast source (the local
 *     active speaker), and the trunk's video is the far bridge's active
 *     speaker, shown when the trunk is the loudest; a bridge whose source
 *     is the trunk sends the trunk its previous source, never the trunk's
 *     own stream back. Keyframe requests cross the trunk like PLI relays.
 * In a tree of N bridges every link is such a trunk. Loops: the trunk's
 * Request-URI carries ";cascade=" and the ids of this bridge and of every
 * bridge below it (the paths of the trunks that joined this meeting); a
 * bridge that finds its own id there refuses with 482, and a refused uplink
 * is not redialled. Other failures are redialled every 5 s while local
 * participants remain; a BYE from the parent (meeting ended) is final.
 * Limits: chair actions (mute, lecture) apply per bridge (the parent's
 * chair can mute the whole trunk); the roster does not cross the trunk.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_int.h"
#include "lib/base/buf.h"
#include "lib/base/clock.h"
#include "lib/conf/conf.h"
#include "lib/log/log.h"
#include "sdp/sdp_nego.h"
#include "sip/sip_ua.h"

LOG_TOPIC(cascade);

#define REDIAL_US 5000000ull

static void set_state(struct meeting *m, const char *st)
{
	snprintf(m->uplink_state, sizeof(m->uplink_state), "%s", st);
	bridge_roster_event(m, "uplink", NULL);
}

/* is id one of the '.'-separated names in path? */
static bool path_has(const char *path, const char *id)
{
	size_t n = strlen(id);

	for (const char *s = path; *s;) {
		size_t k = strcspn(s, ".");

		if (k == n && !strncmp(s, id, n))
			return true;
		s += k + (s[k] == '.');
	}
	return false;
}

int cascade_incoming(struct bridge *b, struct part *p, const char *path)
{
	if (!strcmp(path, "-") || path_has(path, b->id))
		return 482;
	p->trunk = true;
	snprintf(p->path, sizeof(p->path), "%s", path);
	return 0;
}

/* local participants: everybody but our own uplink */
static unsigned local_count(const struct meeting *m)
{
	unsigned n = 0;

	for (const struct part *p = m->parts; p; p = p->next)
		n += !p->outgoing && p->state != PART_LEAVING;
	return n;
}

static void trunk_established(struct sip_call *c, const char *sdp, void *arg)
{
	struct part *p = arg;
	struct meeting *m = p->m;
	struct sdp_result res;
	int r;

	(void)c;
	if (!p->loc || !sdp || sdp_nego_apply_answer(p->loc, sdp, strlen(sdp), &res) < 0) {
		bridge_part_drop(p, "uplink: bad answer");
		return;
	}
	for (unsigned i = 0; i < res.nmedia; i++) {
		struct mw_stream *st = res.m[i].kind == SDP_KIND_AUDIO ? &p->mp->audio :
				       res.m[i].kind == SDP_KIND_VIDEO ? &p->mp->video : NULL;

		if (!st || st->enabled || !res.m[i].active)
			continue;
		bridge_stream_from(st, &res.m[i]);
		st->ssrc = res.m[i].kind == SDP_KIND_AUDIO ? p->loc->audio.ssrc : p->loc->video.ssrc;
	}
	p->srtp = p->mp->audio.crypto != MW_CRYPTO_NONE || p->mp->video.crypto != MW_CRYPTO_NONE;
	if (!p->mp->audio.enabled)
		bridge_close_stream(&p->mp->audio);
	if (!p->mp->video.enabled)
		bridge_close_stream(&p->mp->video);
	free(p->loc);
	p->loc = NULL;
	p->mp->admitted = true;
	if ((r = bridge_meeting_worker(m)) < 0 || (r = mw_add(m->mw, p->mp)) < 0) {
		if (r < 0 && !m->mw) {
			bridge_close_stream(&p->mp->audio);
			bridge_close_stream(&p->mp->video);
		}
		free(p->mp);
		p->mp = NULL;
		bridge_part_drop(p, "uplink: media setup failed");
		return;
	}
	free(p->mp);            /* mw_add copied it and owns the fds */
	p->mp = NULL;
	p->state = PART_IN;
	if (p->muted)
		(void)mw_mute(m->mw, p->id, true);
	set_state(m, "up");
	bridge_roster_event(m, "joined", p);
	log_info(cascade, "meeting %s: uplink to %s up", m->def.number, m->def.uplink);
}

static void on_redial(struct loop *l, struct loop_timer *t, void *arg)
{
	(void)l;
	(void)t;
	cascade_check(arg);
}

static void trunk_ended(struct sip_call *c, uint16_t code, const char *reason, void *arg)
{
	struct part *p = arg;
	struct meeting *m = p->m;
	char st[48];

	(void)c;
	log_info(cascade, "meeting %s: uplink ended: %u %s", m->def.number, code,
		 reason ? reason : "");
	if (code == 482) {
		m->uplink_stop = true;
		snprintf(st, sizeof(st), "refused: loop (482)");
	} else if (code >= 300) {
		snprintf(st, sizeof(st), "failed (%u), redialling", code);
	} else if (p->state == PART_IN && !m->b->shutting_down) {
		/* the parent hung up (its meeting ended): final */
		m->uplink_stop = true;
		snprintf(st, sizeof(st), "ended by the parent");
	} else {
		snprintf(st, sizeof(st), "down");
	}
	set_state(m, st);
	bridge_part_free(p);    /* calls cascade_part_gone(), then cascade_check() */
}

static char *trunk_offer(struct sip_call *c, const char *sdp, void *arg)
{
	struct part *p = arg;

	/* a re-INVITE from the parent: media changes are not applied; we
	 * repeat our description */
	(void)c;
	(void)sdp;
	return p->answer ? strdup(p->answer) : NULL;
}

static const struct sip_call_handlers trunk_h = {
	.established = trunk_established,
	.ended = trunk_ended,
	.offer = trunk_offer,
};

/* this bridge and every bridge below it in this meeting */
static void make_path(const struct meeting *m, char *out, size_t len)
{
	size_t n = (size_t)snprintf(out, len, "%s", m->b->id);

	for (const struct part *p = m->parts; p && n < len; p = p->next)
		if (p->trunk && !p->outgoing && p->path[0])
			n += (size_t)snprintf(out + n, len - n, ".%s", p->path);
}

static int uplink_dial(struct meeting *m)
{
	struct bridge *b = m->b;
	const char *up = m->def.uplink;
	bool secure = !strncmp(up, "sips:", 5) || strstr(up, "transport=tls");
	int enc = conf_enum(b->conf, "encryption");
	char path[BR_PATH_MAX], uri[sizeof(m->def.uplink) + BR_PATH_MAX + 16];
	struct buf *out = NULL;
	struct part *p;
	int r;

	make_path(m, path, sizeof(path));
	if (strlen(path) >= sizeof(path) - 1)
		return -E2BIG;          /* too deep a tree: treated as a loop */
	if (!secure && enc == 2)
		return -EPERM;          /* SRTP required but the uplink is not TLS */
	snprintf(uri, sizeof(uri), "%s;cascade=%s", up, path);
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->loc = calloc(1, sizeof(*p->loc));
	p->mp = calloc(1, sizeof(*p->mp));
	if (!p->loc || !p->mp) {
		r = -ENOMEM;
		goto fail;
	}
	p->m = m;
	p->id = ++b->next_id;
	p->trunk = p->outgoing = true;
	p->state = PART_PIN;        /* not in the media until answered */
	p->joined_us = clock_now_us();
	p->mp->id = p->id;
	snprintf(p->uri, sizeof(p->uri), "%s", up);
	snprintf(p->display, sizeof(p->display), "uplink");
	snprintf(p->src, sizeof(p->src), "uplink");
	r = bridge_local_media(b, p->loc, p->mp, !secure || enc == 0 ? SDP_ENC_OFF :
				  enc == 1 ? SDP_ENC_PREFERRED : SDP_ENC_REQUIRED);
	if (r < 0)
		goto fail;
	p->audio_port = p->loc->audio.port;
	p->video_port = p->loc->video.port;
	if ((r = buf_new(&out, 4096)) < 0 || (r = sdp_nego_offer(p->loc, out)) < 0 ||
	    (r = buf_append(out, "", 1)) < 0 || !(p->answer = strdup((const char *)out->data))) {
		r = r < 0 ? r : -ENOMEM;
		goto fail_fds;
	}
	buf_unref(out);
	out = NULL;
	if ((r = sip_call_invite(b->ua, uri, p->answer, &trunk_h, p, &p->call)) < 0)
		goto fail_fds;
	p->next = m->parts;
	m->parts = p;
	m->nparts++;
	m->uplink = p;
	set_state(m, "connecting");
	log_info(cascade, "meeting %s: dialling the uplink %s", m->def.number, uri);
	return 0;
fail_fds:
	bridge_close_stream(&p->mp->audio);
	bridge_close_stream(&p->mp->video);
fail:
	buf_unref(out);
	free(p->answer);
	free(p->loc);
	free(p->mp);
	free(p);
	return r;
}

void cascade_check(struct meeting *m)
{
	struct bridge *b = m->b;
	unsigned n;
	int r;

	if (!m->def.uplink[0] || b->shutting_down)
		return;
	n = local_count(m);
	if (!n) {
		/* nobody here any more: leave the parent, forget the past */
		loop_timer_stop(b->loop, &m->uplink_t);
		m->uplink_stop = false;
		if (m->uplink && m->uplink->state != PART_LEAVING)
			bridge_part_drop(m->uplink, "no local participants");
		return;
	}
	if (m->uplink || m->uplink_stop || loop_timer_active(&m->uplink_t))
		return;
	r = uplink_dial(m);
	if (r == 0)
		return;
	log_info(cascade, "meeting %s: cannot dial the uplink: %s", m->def.number, strerror(-r));
	if (r == -E2BIG || r == -EPERM) {
		m->uplink_stop = true;
		set_state(m, r == -EPERM ? "refused: needs TLS" : "refused: path too long");
		return;
	}
	(void)loop_timer_start(b->loop, &m->uplink_t, REDIAL_US, 0, on_redial, m);
}

void cascade_part_gone(struct part *p)
{
	struct meeting *m = p->m;

	if (m->uplink == p) {
		m->uplink = NULL;
		/* a failure: redial later (cascade_check() after the free) */
		if (!m->uplink_stop && !m->b->shutting_down)
			(void)loop_timer_start(m->b->loop, &m->uplink_t, REDIAL_US, 0, on_redial, m);
	}
	if (p->mp) {
		bridge_close_stream(&p->mp->audio);
		bridge_close_stream(&p->mp->video);
	}
	free(p->loc);
	free(p->mp);
	p->loc = NULL;
	p->mp = NULL;
}

void cascade_stop(struct meeting *m)
{
	loop_timer_stop(m->b->loop, &m->uplink_t);
}
