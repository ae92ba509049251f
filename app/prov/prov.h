/* prov.h: the provisioning client a terminal embeds (enroll, poll, apply, update).
 *
 * DESIGN
 * struct prov_client lives on the embedding daemon's loop and talks to
 * rakwon-provd over HTTPS (lib/http + lib/tls). States:
 *
 *   DISCOVER -> ENROLL -> POLL <-> APPLY -> (VERIFY) -> POLL ...
 *
 * DISCOVER: the server URL comes from opts.server_url, else from the
 *   discovery hook (DHCP option / DNS SRV), else nothing happens (state
 *   PROV_IDLE) until prov_client_set_server().
 * ENROLL: without a device certificate in state_dir, generate an ECDSA
 *   P-256 key and a CSR, POST /v1/enroll with the one-time token or just
 *   serial+MAC (the server may have them pre-approved). On first contact the
 *   server's CA is pinned (TOFU) unless opts.ca_file is given; from then on
 *   only that CA is trusted. The returned certificate is stored.
 * POLL: GET /v1/config over mutual TLS with If-None-Match; 304 = unchanged;
 *   200 = new config -> APPLY. Interval with +-jitter; errors back off
 *   exponentially (capped at backoff_max_s), Retry-After is a minimum. TLS
 *   sessions are resumed between polls (no public-key work per poll). After
 *   the config step a heartbeat POST /v1/heartbeat reports version, state,
 *   applied ETag and the last error; its answer may offer firmware.
 * APPLY: deferred while cbs.in_call() is true (re-checked every
 *   defer_recheck_s). The config is written atomically
 *   (prov_file_write_atomic) to opts.config_path, the previous one kept as
 *   last-known-good (config_path + ".lkg"), then cbs.apply() is called. If
 *   apply fails, or the daemon reports prov_client_report_registered(false)
 *   within verify_timeout_s, the LKG is restored (atomically; if there was
 *   no previous config the file is removed), cbs.apply() is called again
 *   with it, and that ETag is not applied again until the server's changes.
 *   Without a verdict within verify_timeout_s the config stays.
 * FIRMWARE: when the heartbeat answer offers a release (version, size,
 *   sha256, signature, url) and cbs.fw_install and opts.fw_pubkey_file are
 *   set, the image is downloaded to state_dir/firmware.part (resumed with a
 *   Range request after an interruption), its SHA-256 and ECDSA signature
 *   are checked with the pinned firmware key before anything is installed,
 *   then cbs.fw_install(path, version) is called (deferred while in a call).
 *   A release whose signature fails is not fetched again.
 *
 * Embedding (the terminal): create with its loop, opts and callbacks, call
 * prov_client_start(); after each apply() report the SIP registration result
 * with prov_client_report_registered(); call prov_client_poll_now() on a
 * check-sync NOTIFY and prov_client_set_server() from the DHCP hook.
 * Ownership: the client owns its HTTP calls, timers and strings; the
 * callbacks' pointers are valid only during the call. Thread: the loop's.
 */
#ifndef RAKWON_PROV_PROV_H
#define RAKWON_PROV_PROV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct prov_client;

enum prov_state {
	PROV_IDLE,       /* no server known */
	PROV_ENROLL,     /* getting a certificate */
	PROV_POLL,       /* enrolled, polling */
	PROV_DEFER,      /* a change waits for the call to end */
	PROV_VERIFY,     /* applied, waiting for registered_ok */
	PROV_REVOKED,    /* the server refused our certificate */
	PROV_STATE_MAX,
};
const char *prov_state_name(enum prov_state s);

struct prov_client_cbs {
	/* Apply a new configuration (text as served). 0 ok, <0 failed
	 * (the client rolls back to the last-known-good). Required. */
	int (*apply)(const char *config, size_t len, void *arg);
	/* true while a call is active: applying is deferred. Optional. */
	bool (*in_call)(void *arg);
	/* Install a verified firmware image (path stays until the next
	 * download). Optional: without it firmware is not fetched. */
	int (*fw_install)(const char *path, const char *version, void *arg);
	/* Informational: state changes and errors. Optional. */
	void (*event)(enum prov_state s, const char *msg, void *arg);
};

/* Discovery hook (DHCP option 43/66 or DNS SRV): write the server URL into
 * url and return 0, or -ENOENT. Called in DISCOVER when server_url is NULL. */
typedef int (*prov_discover_h)(char *url, size_t len, void *arg);

struct prov_client_opts {
	const char *server_url;      /* "https://host:port"; NULL: discover */
	const char *state_dir;       /* key, cert, pinned CA, downloads */
	const char *config_path;     /* applied config file */
	const char *serial;          /* device identity (required) */
	const char *mac;             /* "aa:bb:cc:dd:ee:ff" (optional) */
	const char *model;
	const char *version;         /* running firmware version */
	const char *enroll_token;    /* one-time token (optional) */
	const char *ca_file;         /* trust this CA instead of TOFU pinning */
	const char *fw_pubkey_file;  /* firmware signing key (PEM); NULL: none */
	unsigned poll_interval_s;    /* default 300 */
	unsigned jitter_pct;         /* +- percent of the interval (default 10) */
	unsigned backoff_max_s;      /* cap of the error backoff (default 600) */
	unsigned verify_timeout_s;   /* wait for registered_ok (default 60) */
	unsigned defer_recheck_s;    /* in_call re-check period (default 5) */
	prov_discover_h discover;
	void *discover_arg;
	int fault_step;              /* tests only: see prov_file_write_atomic */
};

int prov_client_new(struct prov_client **ret, struct loop *l,
		    const struct prov_client_opts *o, const struct prov_client_cbs *cbs,
		    void *arg);
/* Cancels everything in flight; no callbacks after. Returns NULL. */
struct prov_client *prov_client_free(struct prov_client *c);
/* Begin (discover/enroll/poll). */
int prov_client_start(struct prov_client *c);
/* Poll as soon as possible (e.g. on a SIP NOTIFY check-sync). */
int prov_client_poll_now(struct prov_client *c);
/* Set or change the server URL at runtime (discovery result). */
int prov_client_set_server(struct prov_client *c, const char *url);
/* The daemon's verdict after an apply: SIP registration worked or not.
 * false triggers the rollback to the last-known-good. */
void prov_client_report_registered(struct prov_client *c, bool ok, const char *err);
enum prov_state prov_client_state(const struct prov_client *c);
/* ETag of the applied configuration ("" if none). */
const char *prov_client_etag(const struct prov_client *c);
/* Last error text ("" if none). */
const char *prov_client_last_error(const struct prov_client *c);

struct prov_client_stats {
	uint64_t polls, not_modified, applied, rollbacks, deferred, errors;
	uint64_t fw_installed, fw_rejected;
};
void prov_client_stats(const struct prov_client *c, struct prov_client_stats *ret);

/* --- helpers (also used by provd) --------------------------------------- */
/* Write data atomically: path.tmp (O_CLOEXEC, mode) + fsync + rename +
 * fsync of the directory. Either the old or the new file survives a crash.
 * fault_step (tests): if >0, _exit(99) at that point (1: temp file half
 * written, 2: written, before fsync, 3: synced, before rename, 4: renamed,
 * before the directory fsync); 0 in production. */
int prov_file_write_atomic(const char *path, const void *data, size_t len,
			   unsigned mode, int fault_step);
/* Read a whole file (max bytes) into a malloc'd NUL-terminated string. */
int prov_file_read(const char *path, size_t max, char **ret, size_t *ret_len);
/* DNS SRV lookup "_rakwon-prov._tcp.<domain>" -> "https://host:port". */
int prov_discover_srv(const char *domain, char *url, size_t len);

#endif
