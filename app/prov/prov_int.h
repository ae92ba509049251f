/* prov_int.h: the provisioning client's internals shared by prov.c and prov_enroll.c. */
#ifndef RAKWON_PROV_PROV_INT_H
#define RAKWON_PROV_PROV_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/http/http.h"
#include "lib/loop/loop.h"
#include "prov/prov.h"

#define PROV_CONFIG_MAX (256 * 1024)
#define PROV_FW_MAX (1024LL << 20)

struct json;
struct pki_key;
struct tls;
struct tls_conf;

struct prov_client {
	struct loop *l;
	struct prov_client_cbs cbs;
	void *arg;
	struct prov_client_opts o;      /* strings owned (copied) */
	char *state_dir;
	char *url;                      /* server base URL, no trailing slash */

	/* main loop only */
	enum prov_state st;
	struct tls_conf *tls;           /* enrollment or mutual-TLS client conf */
	struct tls_session *session;    /* resumption across polls (tickets) */
	bool have_ca, enrolled;
	char *tofu_ca;                  /* CA seen on first contact (not yet pinned) */
	struct http_call *call;         /* at most one request in flight */
	struct loop_timer timer;        /* next cycle / defer re-check */
	struct loop_timer verify_timer;
	unsigned failures;              /* consecutive, drives the backoff */
	int64_t retry_after_s;
	unsigned server_poll_s;
	uint32_t rng;

	char etag[80];                  /* applied configuration */
	char lkg_etag[80];              /* the last-known-good */
	char bad_etag[80];              /* rolled back from: not retried */
	char applying_etag[80];
	bool lkg_none;                  /* no configuration before this apply */
	char *pending;                  /* received, not applied yet */
	size_t pending_len;
	char pending_etag[80];

	struct pki_key *fw_pub;         /* firmware signing key */
	struct json *fw;                /* manifest being fetched */
	int fw_fd;
	char fw_rejected[80];           /* version whose signature failed */
	char fw_ready[80];              /* verified, waiting to install */
	char fw_part_version[80];       /* what firmware.part holds (resume) */
	off_t fw_range_from;

	char last_error[256];
	struct prov_client_stats stats;
};

void prov_set_state(struct prov_client *c, enum prov_state s, const char *msg);
void prov_error(struct prov_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void prov_path(const struct prov_client *c, char *buf, size_t len, const char *name);
/* Next cycle: after the poll interval (with jitter), or the backoff. */
void prov_schedule(struct prov_client *c, bool failed);
void prov_cycle_now(struct prov_client *c);
bool prov_busy(struct prov_client *c);
int prov_tls_setup(struct prov_client *c);
int prov_request(struct prov_client *c, const char *method, const char *path,
		 const char *body, const char *inm, int fd, size_t max, http_done_h cb);
int prov_on_tls_tofu(struct tls *t, void *arg);
void prov_after_enroll(struct prov_client *c);

/* prov_srv.c: best SRV record of a DNS answer as "https://host:port" */
int prov_srv_parse(const uint8_t *msg, size_t len, char *url, size_t urllen);

/* prov_enroll.c */
void prov_enroll(struct prov_client *c);
/* Heartbeat, then firmware if offered, then schedule the next cycle. */
void prov_heartbeat(struct prov_client *c);
void prov_fw_install(struct prov_client *c);

#endif
