/* terminal_prov.c: the terminal's side of provisioning: runs the
 * provisioning client (app/prov) on the terminal's loop. A configuration
 * the server sends is a layer of "key = value" lines (only keys flagged
 * PROVISIONED) over the local base configuration. It is never applied
 * during a call (the client defers); applying rebuilds the configuration,
 * restarts the SIP user agent and waits for the registration verdict, which
 * goes back to the client (a failure rolls back to the last-known-good). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/json/json.h"
#include "lib/log/log.h"
#include "prov/prov.h"
#include "terminal/terminal.h"

LOG_TOPIC(prov);

static void ua_restart(struct loop *l, struct loop_timer *tm, void *arg)
{
	struct terminal *t = arg;
	int r = terminal_ua_start(t);

	t->old_conf = conf_free(t->old_conf);
	if (r < 0) {
		log_warn(prov, "SIP restart with the provisioned configuration failed: %s",
			 strerror(-r));
		terminal_prov_registration(t, false, "SIP restart failed");
	}
}

static int on_apply(const char *config, size_t len, void *arg)
{
	struct terminal *t = arg;
	struct conf *c = NULL;
	char err[300] = "";
	int r;

	(void)len;
	r = terminal_conf_build(t, config, &c, err, sizeof(err));
	if (r < 0) {
		log_warn(prov, "provisioned configuration refused: %s", err);
		return r;
	}
	/* apply() may run inside a SIP UA callback (a failed registration
	 * rolls back from there): the UA is restarted from the loop, and the
	 * old configuration it may still point into lives until then */
	conf_free(t->old_conf);
	t->old_conf = t->conf;
	t->conf = c;
	log_set_ident(conf_str(t->conf, "room.name"));
	t->prov_verify = true;
	r = loop_timer_start(t->loop, &t->ua_restart, 0, 0, ua_restart, t);
	if (r < 0)
		return r;
	log_info(prov, "provisioned configuration applied (%s)", conf_str(t->conf, "room.name"));
	terminal_event(t, "config_applied", NULL);
	return 0;
}

static bool on_in_call(void *arg)
{
	struct terminal *t = arg;

	return t->call != NULL;
}

static void on_event(enum prov_state s, const char *msg, void *arg)
{
	struct terminal *t = arg;
	struct json *d = NULL;

	log_info(prov, "provisioning: %s%s%s", prov_state_name(s), msg && *msg ? ": " : "",
		 msg ? msg : "");
	if (json_new_object(&d) == 0) {
		(void)json_obj_set_str(d, "state", prov_state_name(s));
		(void)json_obj_set_str(d, "message", msg ? msg : "");
		terminal_event(t, "provisioning", d);
	}
}

void terminal_prov_registration(struct terminal *t, bool ok, const char *why)
{
	if (!t->prov_verify || !t->prov)
		return;
	t->prov_verify = false;
	prov_client_report_registered(t->prov, ok, ok ? NULL : why);
}

int terminal_prov_start(struct terminal *t)
{
	static const struct prov_client_cbs cbs = {
		.apply = on_apply, .in_call = on_in_call, .event = on_event,
	};
	struct prov_client_opts o = { 0 };
	char dir[512];
	int r;

	snprintf(dir, sizeof(dir), "%s/prov", conf_str(t->conf, "state.dir"));
	(void)mkdir(conf_str(t->conf, "state.dir"), 0700);
	o.server_url = conf_str(t->conf, "prov.server");
	o.state_dir = dir;
	o.config_path = t->prov_conf_path;
	o.serial = conf_str(t->conf, "prov.serial");
	o.model = "rakwon-terminal";
	o.version = "0.1";
	o.enroll_token = conf_str(t->conf, "prov.token")[0] ? conf_str(t->conf, "prov.token") : NULL;
	o.ca_file = conf_str(t->conf, "prov.ca")[0] ? conf_str(t->conf, "prov.ca") : NULL;
	o.poll_interval_s = (unsigned)conf_int(t->conf, "prov.poll_s");
	if (!o.serial[0])
		return -EINVAL;
	r = prov_client_new(&t->prov, t->loop, &o, &cbs, t);
	if (r == 0)
		r = prov_client_start(t->prov);
	return r;
}

void terminal_prov_stop(struct terminal *t)
{
	loop_timer_stop(t->loop, &t->ua_restart);
	t->old_conf = conf_free(t->old_conf);
	t->prov = prov_client_free(t->prov);
}
