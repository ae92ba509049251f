/* terminal.c: the terminal's context: startup and shutdown order, SIP user
 * agent and registration, media events, the call history and control API
 * events. See terminal.h for the DESIGN. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/ctrl.h"
#include "ctrl/ctrl_ws.h"
#include "lib/tls/tls.h"
#include "lib/base/clock.h"
#include "lib/json/json.h"
#include "lib/log/log.h"
#include "lib/loop/wq.h"
#include "prov/prov.h"
#include "sip/sip_ua.h"
#include "terminal/terminal.h"
#include "terminal/terminal_main.h"

LOG_TOPIC(terminal);

void terminal_event(struct terminal *t, const char *name, struct json *data)
{
	terminal_ring_event(t, name, data);
	terminal_ui_event(t, name, data);
	if (t->ctrl)
		ctrl_event(t->ctrl, name, data);
	else
		json_free(data);
}

void terminal_history_add(struct terminal *t, const struct call_rec *r)
{
	unsigned cap = (unsigned)conf_int(t->conf, "call.history_size");

	if (!t->hist || !cap)
		return;
	if (cap > HISTORY_MAX)
		cap = HISTORY_MAX;
	t->hist[t->hist_head] = *r;
	t->hist_head = (t->hist_head + 1) % cap;
	if (t->hist_n < cap)
		t->hist_n++;
}

static void on_media_event(struct wq *q, const struct wq_item *it, void *arg)
{
	call_on_media_event(arg, it->type, it->val);
}

static void on_reg(struct sip_ua *ua, uint16_t code, uint32_t expires, void *arg)
{
	struct terminal *t = arg;
	struct json *d = NULL;

	if (code != t->reg_code)
		log_info(terminal, "registration: %u (expires %u s)", code, expires);
	if (t->prov_verify && code) {
		char why[64];

		snprintf(why, sizeof(why), "SIP registration answered %u", code);
		terminal_prov_registration(t, code >= 200 && code < 300, why);
	}
	t->reg_code = code;
	t->reg_expires = expires;
	if (json_new_object(&d) == 0) {
		(void)json_obj_set_bool(d, "registered", code >= 200 && code < 300);
		(void)json_obj_set_int(d, "code", code);
		terminal_event(t, "registration", d);
	}
}

/* "host[:port]" + transport -> "sip:host:port;transport=x" */
static void server_uri(const char *hostport, int transport, char *out, size_t n)
{
	static const char *const tp[] = { "udp", "tcp", "tls" };

	snprintf(out, n, "sip:%s;transport=%s", hostport, tp[transport < 3 ? transport : 0]);
}

/* only keys flagged PROVISIONED may come from the provisioning server */
static int prov_keys_check(struct conf *c, const char *text, char *err, size_t errlen)
{
	const char *p = text;
	int line = 0;

	while (*p) {
		const char *nl = strchr(p, '\n'), *eq;
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char key[128];
		size_t k;

		line++;
		while (n && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		eq = memchr(p, '=', n);
		if (n && *p != '#' && eq) {
			k = (size_t)(eq - p);
			while (k && (p[k - 1] == ' ' || p[k - 1] == '\t'))
				k--;
			if (k >= sizeof(key)) {
				snprintf(err, errlen, "provisioned:%d: key too long", line);
				return -EINVAL;
			}
			memcpy(key, p, k);
			key[k] = 0;
			if (conf_def_find(c, key) &&
			    !(conf_def_find(c, key)->flags & CONF_PROVISIONED)) {
				snprintf(err, errlen, "provisioned:%d: %s cannot be provisioned", line, key);
				return -EPERM;
			}
		}
		p += n + (nl ? 1 : 0);
	}
	return 0;
}

int terminal_conf_build(struct terminal *t, const char *prov_text, struct conf **ret,
			char *err, size_t errlen)
{
	struct conf *c;
	char *file_text = NULL;
	int r;

	r = conf_new(&c, terminal_conf_defs, terminal_conf_ndefs);
	if (r < 0)
		return r;
	if (t->conf_path && (r = conf_load_file(c, t->conf_path, err, errlen)) < 0)
		goto out;
	for (int i = 0; i < t->nsets; i++) {
		char key[128];
		const char *eq = strchr(t->sets[i], '=');

		if (!eq || (size_t)(eq - t->sets[i]) >= sizeof(key)) {
			snprintf(err, errlen, "-s %s: expected key=value", t->sets[i]);
			r = -EINVAL;
			goto out;
		}
		memcpy(key, t->sets[i], (size_t)(eq - t->sets[i]));
		key[eq - t->sets[i]] = 0;
		r = conf_set(c, key, eq + 1, false, err, errlen);
		if (r < 0)
			goto out;
	}
	if (conf_str(c, "prov.server")[0]) {
		snprintf(t->prov_conf_path, sizeof(t->prov_conf_path), "%s/provisioned.conf",
			 conf_str(c, "state.dir"));
		if (!prov_text && prov_file_read(t->prov_conf_path, 1 << 20, &file_text, NULL) == 0)
			prov_text = file_text;
		if (prov_text) {
			r = prov_keys_check(c, prov_text, err, errlen);
			if (r == 0)
				r = conf_load_string(c, "provisioned", prov_text, err, errlen);
		}
	}
out:
	free(file_text);
	if (r < 0)
		conf_free(c);
	else
		*ret = c;
	return r;
}

int terminal_ua_start(struct terminal *t)
{
	struct sip_ua_conf uc = { 0 };
	char udp[96] = "", tcp[96] = "", tls[96] = "", reg[300] = "", proxy[300] = "";
	const char *host = conf_str(t->conf, "sip.listen");
	const char *name = conf_str(t->conf, "sip.display_name");
	int tp = conf_enum(t->conf, "sip.transport"), r;
	bool v6 = strchr(host, ':') != NULL;

	t->ua = sip_ua_free(t->ua);
	t->reg_code = 0;
	snprintf(t->local_ip, sizeof(t->local_ip), "%s", host);
	snprintf(t->aor, sizeof(t->aor), "%s", conf_str(t->conf, "sip.aor"));
#define LISTEN(buf, key)                                                     \
	if (conf_int(t->conf, key))                                           \
		snprintf(buf, sizeof(buf), v6 ? "[%s]:%lld" : "%s:%lld", host, conf_int(t->conf, key));
	LISTEN(udp, "sip.udp_port");
	LISTEN(tcp, "sip.tcp_port");
	LISTEN(tls, "sip.tls_port");
#undef LISTEN
	uc.aor = t->aor;
	uc.display = name[0] ? name : conf_str(t->conf, "room.name");
	uc.auth_user = conf_str(t->conf, "sip.username")[0] ? conf_str(t->conf, "sip.username") : NULL;
	uc.password = conf_str(t->conf, "sip.password")[0] ? conf_str(t->conf, "sip.password") : NULL;
	if (conf_str(t->conf, "sip.registrar")[0]) {
		server_uri(conf_str(t->conf, "sip.registrar"), tp, reg, sizeof(reg));
		uc.registrar = reg;
	}
	if (conf_str(t->conf, "sip.proxy")[0]) {
		server_uri(conf_str(t->conf, "sip.proxy"), tp, proxy, sizeof(proxy));
		uc.outbound_proxy = proxy;
	} else if (uc.registrar) {
		uc.outbound_proxy = reg;
	}
	uc.reg_expires = (uint32_t)conf_int(t->conf, "sip.register_expires");
	uc.listen_udp = udp[0] ? udp : NULL;
	uc.listen_tcp = tcp[0] ? tcp : NULL;
	uc.listen_tls = tls[0] && conf_str(t->conf, "sip.tls_cert")[0] ? tls : NULL;
	uc.user_agent = "Rakwon-Terminal/0.1";
	uc.session_expires = (uint32_t)conf_int(t->conf, "sip.session_expires");
	uc.max_calls = 4;
	uc.incoming = call_incoming;
	uc.arg = t;
	uc.transp.tls_ca = conf_str(t->conf, "sip.tls_ca")[0] ? conf_str(t->conf, "sip.tls_ca") : NULL;
	uc.transp.tls_cert = conf_str(t->conf, "sip.tls_cert")[0] ? conf_str(t->conf, "sip.tls_cert") : NULL;
	uc.transp.tls_key = conf_str(t->conf, "sip.tls_key")[0] ? conf_str(t->conf, "sip.tls_key") : NULL;
	r = sip_ua_new(&t->ua, t->loop, &uc);
	if (r < 0)
		return log_err_errno(terminal, r, "SIP user agent: %m");
	if (uc.registrar) {
		r = sip_ua_register(t->ua, on_reg, t);
		if (r < 0)
			log_warn(terminal, "cannot start registration: %s, ignoring", strerror(-r));
	} else if (t->prov_verify) {
		terminal_prov_registration(t, true, "no registrar configured");
	}
	log_info(terminal, "%s ready: %s (udp %s, tcp %s, tls %s)", conf_str(t->conf, "room.name"),
		 t->aor, udp[0] ? udp : "off", tcp[0] ? tcp : "off", uc.listen_tls ? tls : "off");
	return 0;
}

int terminal_start(struct terminal *t)
{
	int r;

	t->start_us = clock_now_us();
	t->hist = calloc(HISTORY_MAX, sizeof(*t->hist));
	if (!t->hist)
		return -ENOMEM;
	r = wq_new(&t->media_events, 64);
	if (r == 0)
		r = wq_attach(t->media_events, t->loop, on_media_event, t);
	if (r < 0)
		return r;
	t->volume = 70;
	snprintf(t->layout, sizeof(t->layout), "pip");
	r = terminal_ui_start(t);
	if (r < 0)
		return r;
	r = terminal_ua_start(t);
	if (r < 0)
		return r;
	r = ctrl_new(&t->ctrl, t->loop, t);
	if (r == 0)
		r = terminal_ctrl_register(t);
	if (r == 0)
		r = ctrl_listen_unix(t->ctrl, conf_str(t->conf, "ctrl.socket"));
	if (r < 0)
		return log_err_errno(terminal, r, "control socket %s: %m", conf_str(t->conf, "ctrl.socket"));
	log_info(terminal, "control API on %s", conf_str(t->conf, "ctrl.socket"));
	if (conf_int(t->conf, "ctrl.https_port")) {
		struct ctrl_ws_opts wo = {
			.addr = conf_str(t->conf, "ctrl.https_listen"),
			.port = (uint16_t)conf_int(t->conf, "ctrl.https_port"),
			.creds_path = conf_str(t->conf, "ctrl.credentials"),
			.static_dir = conf_str(t->conf, "ctrl.panel_dir"),
		};
		struct tls_conf *tc = NULL;

		if (conf_str(t->conf, "sip.tls_cert")[0] &&
		    (r = tls_conf_new(&tc, TLS_SERVER)) == 0 &&
		    (r = tls_conf_set_cert_key_files(tc, conf_str(t->conf, "sip.tls_cert"),
						     conf_str(t->conf, "sip.tls_key"))) < 0)
			tc = tls_conf_unref(tc);
		wo.tls = tc;
		r = ctrl_ws_new(&t->ws, t->ctrl, t->loop, &wo);
		tls_conf_unref(tc);
		if (r < 0)
			log_warn(terminal, "web panel on port %u: %s, ignoring", wo.port, strerror(-r));
		else
			log_info(terminal, "web panel and WebSocket API on %s://%s:%u", tc ? "https" : "http",
				 wo.addr, ctrl_ws_port(t->ws));
	}
	if (conf_str(t->conf, "prov.server")[0]) {
		r = terminal_prov_start(t);
		if (r < 0)
			log_warn(terminal, "provisioning client: %s, ignoring", strerror(-r));
	}
	return 0;
}

static void on_ua_down(struct sip_ua *ua, void *arg)
{
	loop_quit(((struct terminal *)arg)->loop, 0);
}

void terminal_shutdown(struct terminal *t)
{
	t->quitting = true;
	call_shutdown(t);
	if (!t->ua || sip_ua_shutdown(t->ua, on_ua_down, t) < 0)
		loop_quit(t->loop, 0);
}

void terminal_free(struct terminal *t)
{
	t->ws = ctrl_ws_free(t->ws);
	terminal_prov_stop(t);
	t->ctrl = ctrl_free(t->ctrl);
	t->ua = sip_ua_free(t->ua);
	terminal_ui_stop(t);
	terminal_ring(t, false);
	if (t->call) {
		/* ended() of the freed UA already released it */
	}
	if (t->media_events)
		t->media_events = wq_free(t->media_events, NULL, NULL);
	free(t->hist);
	t->conf = conf_free(t->conf);
}
