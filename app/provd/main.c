/* main.c: rakwon-provd, the provisioning server (see provd.h for the design).
 *
 *   rakwon-provd [-c FILE] [key=value ...]      run the server
 *   rakwon-provd --print-default-config         the commented configuration
 *
 * On first start it creates state_dir with the CA (ca.key, ca.pem), the
 * database (provd.db) and, unless admin_token_file is set, a random admin
 * token in state_dir/admin.token (mode 0600). There is no default password.
 * The listening port is written to state_dir/provd.port once listening.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/conf/conf.h"
#include "lib/http/http.h"
#include "lib/log/log.h"
#include "lib/loop/loop.h"
#include "lib/tls/pki.h"
#include "lib/tls/tls.h"
#include "prov/prov.h"
#include "provd/provd.h"

LOG_TOPIC(provd);

static const struct conf_def defs[] = {
	{ .key = "listen", .type = CONF_STR, .def = "127.0.0.1", .flags = CONF_IMMUTABLE,
	  .doc = "Address to listen on (numeric IPv4 or IPv6; 0.0.0.0 or :: for all)." },
	{ .key = "port", .type = CONF_INT, .def = "8443", .min = 0, .max = 65535,
	  .flags = CONF_IMMUTABLE, .doc = "HTTPS port (0: any free port, see provd.port)." },
	{ .key = "state_dir", .type = CONF_STR, .def = "/var/lib/rakwon-provd",
	  .flags = CONF_IMMUTABLE, .doc = "CA, database and firmware images live here." },
	{ .key = "database", .type = CONF_STR, .def = "", .flags = CONF_IMMUTABLE | CONF_SECRET,
	  .doc = "Storage. Empty: SQLite in state_dir/provd.db. Or a PostgreSQL\n"
		 "connection string (\"postgresql://user@host/db\", \"host=... dbname=...\")." },
	{ .key = "server_name", .type = CONF_STR, .def = "localhost", .flags = CONF_IMMUTABLE,
	  .doc = "Names in the server certificate, comma-separated (DNS names or\n"
		 "addresses); devices must reach provd by one of them." },
	{ .key = "admin_token_file", .type = CONF_STR, .def = "", .flags = CONF_SECRET,
	  .doc = "File holding the admin bearer token (>= 16 characters). Empty: a\n"
		 "random token is generated into state_dir/admin.token on first start." },
	{ .key = "firmware_pubkey", .type = CONF_STR, .def = "",
	  .doc = "PEM public key of the firmware signer; uploads whose signature does\n"
		 "not verify are refused. Empty: not checked here (devices still check)." },
	{ .key = "poll_interval", .type = CONF_INT, .def = "300", .min = 1, .max = 86400,
	  .doc = "Seconds between device polls, announced to devices." },
	{ .key = "cert_days", .type = CONF_INT, .def = "730", .min = 1, .max = 3650,
	  .doc = "Validity of issued device certificates in days." },
	{ .key = "fw_rate_kbps", .type = CONF_INT, .def = "0", .min = 0, .max = 10000000,
	  .doc = "Pace each firmware download to this many KiB/s (0: unlimited)." },
	{ .key = "max_conns", .type = CONF_INT, .def = "1024", .min = 1, .max = 100000,
	  .doc = "Simultaneous connections." },
	{ .key = "log", .type = CONF_STR, .def = "info", .flags = CONF_RUNTIME,
	  .doc = "Log levels, e.g. \"info,api=debug\"." },
};

static void on_signal(struct loop *l, int signo, void *arg)
{
	(void)arg;
	log_info(provd, "signal %d, stopping", signo);
	loop_quit(l, 0);
}

static int admin_token(struct provd *p, const char *file)
{
	char path[600], *tok = NULL;
	uint8_t raw[24];
	size_t len;
	int r;

	if (file && *file) {
		snprintf(path, sizeof(path), "%s", file);
	} else {
		snprintf(path, sizeof(path), "%s/admin.token", p->state_dir);
		if (access(path, F_OK) < 0) {
			char hex[49];

			r = pki_random(raw, sizeof(raw));
			if (r < 0)
				return r;
			pki_hex(raw, sizeof(raw), hex);
			r = prov_file_write_atomic(path, hex, strlen(hex), 0600, 0);
			if (r < 0)
				return log_err_errno(provd, r, "write %s: %m", path);
			log_info(provd, "generated the admin token into %s", path);
		}
	}
	r = prov_file_read(path, 4096, &tok, &len);
	if (r < 0)
		return log_err_errno(provd, r, "admin token %s: %m", path);
	while (len && (tok[len - 1] == '\n' || tok[len - 1] == '\r' || tok[len - 1] == ' '))
		tok[--len] = '\0';
	if (len < 16) {
		free(tok);
		log_err(provd, "admin token in %s is shorter than 16 characters", path);
		return -EINVAL;
	}
	pki_sha256(tok, len, p->admin_hash);
	memset(tok, 0, len);
	free(tok);
	return 0;
}

static int setup(struct provd *p)
{
	struct http_limits lim;
	char path[600], port[16];
	const char *fwk;
	int r;

	snprintf(p->state_dir, sizeof(p->state_dir), "%s", conf_str(p->conf, "state_dir"));
	p->poll_interval = (unsigned)conf_int(p->conf, "poll_interval");
	p->cert_days = (unsigned)conf_int(p->conf, "cert_days");
	p->fw_rate = (uint64_t)conf_int(p->conf, "fw_rate_kbps") * 1024;
	if (mkdir(p->state_dir, 0700) < 0 && errno != EEXIST)
		return log_err_errno(provd, -errno, "mkdir %s: %m", p->state_dir);
	snprintf(path, sizeof(path), "%s/firmware", p->state_dir);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return log_err_errno(provd, -errno, "mkdir %s: %m", path);
	snprintf(path, sizeof(path), "%s/provd.db", p->state_dir);
	r = db_open(*conf_str(p->conf, "database") ? conf_str(p->conf, "database") : path, &p->db);
	if (r < 0)
		return r;
	r = ca_setup(p, conf_str(p->conf, "server_name"));
	if (r < 0)
		return r;
	r = admin_token(p, conf_str(p->conf, "admin_token_file"));
	if (r < 0)
		return r;
	fwk = conf_str(p->conf, "firmware_pubkey");
	if (*fwk) {
		char *pem;
		size_t len;

		r = prov_file_read(fwk, 65536, &pem, &len);
		if (r == 0) {
			r = pki_pubkey_load_pem(&p->fw_pub, pem, len);
			free(pem);
		}
		if (r < 0)
			return log_err_errno(provd, r, "firmware_pubkey %s: %m", fwk);
	}
	http_limits_default(&lim);
	lim.max_body = 256 * 1024;
	lim.max_conns = (unsigned)conf_int(p->conf, "max_conns");
	r = http_server_new(&p->http, p->l, conf_str(p->conf, "listen"),
			    (uint16_t)conf_int(p->conf, "port"), p->tls, &lim);
	if (r < 0)
		return log_err_errno(provd, r, "listen on %s port %lld: %m",
				     conf_str(p->conf, "listen"), conf_int(p->conf, "port"));
	r = api_dev_register(p);
	if (r == 0)
		r = api_admin_register(p);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/provd.port", p->state_dir);
	snprintf(port, sizeof(port), "%u\n", http_server_port(p->http));
	r = prov_file_write_atomic(path, port, strlen(port), 0644, 0);
	if (r < 0)
		return log_err_errno(provd, r, "write %s: %m", path);
	log_info(provd, "listening on %s port %u (schema version %d)",
		 conf_str(p->conf, "listen"), http_server_port(p->http),
		 db_schema_version(p->db));
	return 0;
}

static void teardown(struct provd *p)
{
	http_server_free(p->http);
	tls_conf_unref(p->tls);
	pki_key_free(p->ca_key);
	pki_key_free(p->fw_pub);
	free(p->ca_pem);
	db_close(p->db);
	loop_free(p->l);
	conf_free(p->conf);
}

int main(int argc, char **argv)
{
	struct provd p = { 0 };
	char err[256];
	int i, r;

	signal(SIGPIPE, SIG_IGN);
	r = conf_new(&p.conf, defs, sizeof(defs) / sizeof(defs[0]));
	if (r < 0)
		return 1;
	for (i = 1; i < argc; i++) {
		char *eq;

		if (!strcmp(argv[i], "--print-default-config")) {
			conf_write_default(defs, sizeof(defs) / sizeof(defs[0]),
					   "rakwon-provd configuration", stdout);
			conf_free(p.conf);
			return 0;
		}
		if (!strcmp(argv[i], "-c") && i + 1 < argc) {
			r = conf_load_file(p.conf, argv[++i], err, sizeof(err));
		} else if ((eq = strchr(argv[i], '='))) {
			*eq = '\0';
			r = conf_set(p.conf, argv[i], eq + 1, false, err, sizeof(err));
		} else {
			fprintf(stderr, "usage: %s [-c FILE] [key=value ...] | --print-default-config\n",
				argv[0]);
			conf_free(p.conf);
			return 2;
		}
		if (r < 0) {
			fprintf(stderr, "%s\n", err);
			conf_free(p.conf);
			return 2;
		}
	}
	if (log_set_spec(conf_str(p.conf, "log")) < 0)
		fprintf(stderr, "bad log spec, ignoring\n");
	log_set_ident("provd");
	r = loop_new(&p.l);
	if (r < 0) {
		conf_free(p.conf);
		return 1;
	}
	p.started_us = loop_now_us(p.l);
	(void)loop_signal_add(p.l, SIGINT, on_signal, NULL);
	(void)loop_signal_add(p.l, SIGTERM, on_signal, NULL);
	r = setup(&p);
	if (r == 0)
		r = loop_run(p.l);
	teardown(&p);
	return r < 0 ? 1 : 0;
}
