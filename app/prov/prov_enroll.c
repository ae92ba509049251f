/* prov_enroll.c: provisioning client enrollment (key, CSR, CA pinning), heartbeat, firmware. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/http/http.h"
#include "lib/json/json.h"
#include "lib/log/log.h"
#include "lib/tls/pki.h"
#include "lib/tls/tls.h"
#include "prov/prov.h"
#include "prov/prov_int.h"

LOG_TOPIC(prov);

/* First contact without a trust anchor: remember the top of the server's
 * chain; it is pinned only if the enrollment answer is consistent with it. */
int prov_on_tls_tofu(struct tls *t, void *arg)
{
	struct prov_client *c = arg;
	struct pki_cert_info ci;
	char *pem = NULL;

	free(c->tofu_ca);
	c->tofu_ca = NULL;
	if (tls_peer_chain_top_pem(t, &pem) < 0)
		return -EPERM;
	if (pki_cert_info(pem, strlen(pem), &ci) < 0 || !ci.is_ca) {
		free(pem);
		prov_error(c, "first contact: the server did not send its CA");
		return -EPERM;
	}
	c->tofu_ca = pem;
	return 0;
}

static int ensure_key(struct prov_client *c, struct pki_key **ret)
{
	char path[600], *pem = NULL;
	int r;

	prov_path(c, path, sizeof(path), "device.key");
	r = pki_key_load_file(ret, path);
	if (r != -ENOENT)
		return r;
	r = pki_key_generate(ret);
	if (r == 0)
		r = pki_key_write_pem(*ret, &pem);
	if (r == 0)
		r = prov_file_write_atomic(path, pem, strlen(pem), 0600, 0);
	if (pem) {
		memset(pem, 0, strlen(pem));
		free(pem);
	}
	return r;
}

static void enroll_done(int err, const struct http_response *r, void *arg)
{
	struct prov_client *c = arg;
	struct pki_cert_info a, b;
	const char *cert, *ca;
	char path[600];
	struct json *j = NULL;
	int rc;

	c->call = NULL;
	if (err < 0) {
		prov_error(c, "enroll: %s", strerror(-err));
		goto retry;
	}
	c->retry_after_s = r->retry_after_s;
	if (r->status != 200) {
		const char *msg = "";

		if (json_parse(&j, (const char *)r->body, r->body_len, NULL, NULL, 0) == 0)
			(void)json_get_str(j, "error", &msg);
		prov_error(c, "enroll: HTTP %d %s", r->status, msg);
		goto retry;
	}
	if (json_parse(&j, (const char *)r->body, r->body_len, NULL, NULL, 0) < 0 ||
	    json_get_str(j, "certificate", &cert) < 0 || json_get_str(j, "ca", &ca) < 0) {
		prov_error(c, "enroll: malformed answer");
		goto retry;
	}
	if (!c->have_ca) {
		/* pin: the CA the TLS peer presented must be the CA that signed us */
		if (!c->tofu_ca || pki_cert_info(c->tofu_ca, strlen(c->tofu_ca), &a) < 0 ||
		    pki_cert_info(ca, strlen(ca), &b) < 0 ||
		    memcmp(a.fingerprint, b.fingerprint, 32) != 0) {
			prov_error(c, "enroll: the CA in the answer is not the server's CA");
			goto retry;
		}
	}
	if (pki_cert_verify(cert, strlen(cert), ca, strlen(ca)) < 0) {
		prov_error(c, "enroll: the certificate does not verify");
		goto retry;
	}
	if (c->have_ca) {
		/* our trust anchor must have signed it */
		char *mine = NULL;
		size_t len;

		if (c->o.ca_file)
			snprintf(path, sizeof(path), "%s", c->o.ca_file);
		else
			prov_path(c, path, sizeof(path), "ca.pem");
		rc = prov_file_read(path, 65536, &mine, &len);
		if (rc < 0 || pki_cert_verify(cert, strlen(cert), mine, len) < 0) {
			free(mine);
			prov_error(c, "enroll: certificate not signed by the pinned CA");
			goto retry;
		}
		free(mine);
	} else {
		prov_path(c, path, sizeof(path), "ca.pem");
		rc = prov_file_write_atomic(path, ca, strlen(ca), 0644, 0);
		if (rc < 0) {
			prov_error(c, "enroll: cannot pin the CA: %s", strerror(-rc));
			goto retry;
		}
		log_debug(prov, "pinned the provisioning CA (first contact)");
		if (c->cbs.event)
			c->cbs.event(c->st, "pinned the provisioning CA (first contact)", c->arg);
	}
	prov_path(c, path, sizeof(path), "device.crt");
	rc = prov_file_write_atomic(path, cert, strlen(cert), 0644, 0);
	if (rc == 0)
		rc = prov_tls_setup(c);
	if (rc < 0 || !c->enrolled) {
		prov_error(c, "enroll: cannot store the certificate");
		goto retry;
	}
	json_free(j);
	free(c->tofu_ca);
	c->tofu_ca = NULL;
	c->failures = 0;
	prov_after_enroll(c);
	return;
retry:
	json_free(j);
	prov_schedule(c, true);
}

void prov_enroll(struct prov_client *c)
{
	struct pki_key *k = NULL;
	struct json *j = NULL;
	char subj[120], *csr = NULL, *body = NULL;
	int r;

	r = ensure_key(c, &k);
	if (r < 0) {
		prov_error(c, "enroll: device key: %s", strerror(-r));
		goto fail;
	}
	snprintf(subj, sizeof(subj), "CN=%s", c->o.serial);
	r = pki_csr_new(k, subj, &csr);
	if (r == 0)
		r = json_new_object(&j);
	if (r == 0)
		r = json_obj_set_str(j, "serial", c->o.serial);
	if (r == 0)
		r = json_obj_set_str(j, "csr", csr);
	if (r == 0 && c->o.mac)
		r = json_obj_set_str(j, "mac", c->o.mac);
	if (r == 0 && c->o.model)
		r = json_obj_set_str(j, "model", c->o.model);
	if (r == 0 && c->o.enroll_token)
		r = json_obj_set_str(j, "token", c->o.enroll_token);
	if (r == 0)
		r = json_print(j, 0, &body, NULL);
	if (r < 0) {
		prov_error(c, "enroll: %s", strerror(-r));
		goto fail;
	}
	if (prov_request(c, "POST", "/v1/enroll", body, NULL, 0, 64 * 1024, enroll_done) < 0)
		goto fail;
	goto out;
fail:
	prov_schedule(c, true);
out:
	free(body);
	free(csr);
	json_free(j);
	pki_key_free(k);
}

/* --- firmware ---------------------------------------------------------------- */
void prov_fw_install(struct prov_client *c)
{
	char path[600], ver[80];
	int r;

	if (!c->fw_ready[0])
		return;
	if (prov_busy(c))
		return;             /* re-tried when the call ends (on_defer) */
	snprintf(ver, sizeof(ver), "%s", c->fw_ready);
	c->fw_ready[0] = '\0';
	prov_path(c, path, sizeof(path), "firmware.img");
	r = c->cbs.fw_install(path, ver, c->arg);
	if (r < 0) {
		prov_error(c, "firmware %s: install failed: %s", ver, strerror(-r));
		return;
	}
	c->stats.fw_installed++;
	free((char *)c->o.version);
	c->o.version = strdup(ver);
	log_debug(prov, "firmware %s installed", ver);
}

/* sha256 of a file */
static int file_digest(int fd, uint8_t d[32], int64_t *size)
{
	struct pki_sha256 *h;
	char buf[65536];
	ssize_t n;
	off_t off = 0;

	if (pki_sha256_new(&h) < 0)
		return -ENOMEM;
	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		pki_sha256_update(h, buf, (size_t)n);
		off += n;
	}
	pki_sha256_final(h, d);
	*size = off;
	return n < 0 ? -errno : 0;
}

static void fw_done(int err, const struct http_response *r, void *arg)
{
	struct prov_client *c = arg;
	const char *ver = "", *sha = "", *sig = "";
	char part[600], img[600], hex[65];
	uint8_t d[32], *raw = NULL;
	int64_t size = -1, want = -2;
	size_t rawlen = 0;
	bool ok = false;

	c->call = NULL;
	(void)json_get_str(c->fw, "version", &ver);
	(void)json_get_str(c->fw, "sha256", &sha);
	(void)json_get_str(c->fw, "signature", &sig);
	(void)json_get_int(c->fw, "size", &want);
	prov_path(c, part, sizeof(part), "firmware.part");
	prov_path(c, img, sizeof(img), "firmware.img");
	if (err < 0 || (r->status != 200 && r->status != 206)) {
		/* transient (server gone mid-download...): retry with backoff */
		prov_error(c, "firmware %s: download failed: %s", ver,
			   err < 0 ? strerror(-err) : "HTTP error");
		goto retry;
	}
	if (file_digest(c->fw_fd, d, &size) < 0 || size != want) {
		prov_error(c, "firmware %s: got %lld of %lld bytes", ver, (long long)size,
			   (long long)want);
		goto retry;
	}
	pki_hex(d, 32, hex);
	if (strcmp(hex, sha) != 0 && c->fw_range_from) {
		/* a resumed image that does not add up: start over, once */
		prov_error(c, "firmware %s: resumed image mismatch, restarting", ver);
		unlink(part);
		c->fw_part_version[0] = '\0';
		goto retry;
	}
	/* nothing is installed unless both the digest and the signature hold */
	if (strcmp(hex, sha) != 0 || pki_base64_decode(sig, strlen(sig), &raw, &rawlen) < 0 ||
	    pki_verify_digest(c->fw_pub, d, raw, rawlen) < 0) {
		free(raw);
		c->stats.fw_rejected++;
		snprintf(c->fw_rejected, sizeof(c->fw_rejected), "%s", ver);
		prov_error(c, "firmware %s: signature or digest invalid, refused", ver);
		unlink(part);
		c->fw_part_version[0] = '\0';
		goto next;
	}
	free(raw);
	if (fsync(c->fw_fd) < 0 || rename(part, img) < 0) {
		prov_error(c, "firmware %s: cannot keep the image", ver);
		goto retry;
	}
	snprintf(c->fw_ready, sizeof(c->fw_ready), "%s", ver);
	c->fw_part_version[0] = '\0';
	ok = true;
next:
	close(c->fw_fd);
	c->fw_fd = -1;
	c->fw = json_free(c->fw);
	if (ok) {
		if (prov_busy(c)) {
			c->stats.deferred++;
			prov_set_state(c, PROV_DEFER, "firmware waits for the call to end");
			prov_schedule(c, false);
			return;
		}
		prov_fw_install(c);
	}
	prov_schedule(c, false);
	return;
retry:
	/* the partial image stays for a ranged resume (verified as a whole) */
	close(c->fw_fd);
	c->fw_fd = -1;
	c->fw = json_free(c->fw);
	prov_schedule(c, true);
}

static void fw_fetch(struct prov_client *c, struct json *fw)
{
	const char *ver, *url;
	char part[600];
	int64_t size;
	off_t from;

	if (json_get_str(fw, "version", &ver) < 0 || json_get_str(fw, "url", &url) < 0 ||
	    json_get_int(fw, "size", &size) < 0 || size < 0 || size > PROV_FW_MAX ||
	    strncmp(url, "/v1/firmware/", 13) != 0 || strlen(ver) >= sizeof(c->fw_rejected)) {
		prov_error(c, "firmware: malformed offer");
		json_free(fw);
		prov_schedule(c, false);
		return;
	}
	if (!strcmp(ver, c->fw_rejected) || !strcmp(ver, c->o.version) ||
	    !strcmp(ver, c->fw_ready) || !c->fw_pub ||
	    !c->cbs.fw_install) {
		json_free(fw);
		prov_schedule(c, false);
		return;
	}
	prov_path(c, part, sizeof(part), "firmware.part");
	/* resume a partial download of the same version */
	from = 0;
	if (!strcmp(ver, c->fw_part_version)) {
		struct stat st;

		if (stat(part, &st) == 0 && st.st_size > 0 && st.st_size < size)
			from = st.st_size;
	}
	c->fw_fd = open(part, O_RDWR | O_CREAT | O_CLOEXEC | (from ? 0 : O_TRUNC), 0600);
	if (c->fw_fd < 0) {
		prov_error(c, "firmware: %s: %s", part, strerror(errno));
		json_free(fw);
		prov_schedule(c, true);
		return;
	}
	c->fw = fw;
	snprintf(c->fw_part_version, sizeof(c->fw_part_version), "%s", ver);
	if (from) {
		char msg[160];

		snprintf(msg, sizeof(msg), "firmware %s: resuming at byte %lld", ver,
			 (long long)from);
		if (c->cbs.event)
			c->cbs.event(c->st, msg, c->arg);
	}
	c->fw_range_from = from;
	if (prov_request(c, "GET", url, NULL, NULL, c->fw_fd, (size_t)(size - from), fw_done) < 0) {
		close(c->fw_fd);
		c->fw_fd = -1;
		c->fw = json_free(c->fw);
		prov_schedule(c, true);
	}
}

/* --- heartbeat --------------------------------------------------------------- */
static void hb_done(int err, const struct http_response *r, void *arg)
{
	struct prov_client *c = arg;
	struct json *j = NULL, *fw;
	int64_t iv;

	c->call = NULL;
	if (err < 0 || r->status != 200 ||
	    json_parse(&j, (const char *)r->body, r->body_len, NULL, NULL, 0) < 0) {
		prov_error(c, "heartbeat: %s", err < 0 ? strerror(-err) : "bad answer");
		prov_schedule(c, true);
		return;
	}
	if (json_get_int(j, "poll_interval", &iv) == 0 && iv > 0 && iv <= 86400)
		c->server_poll_s = c->o.poll_interval_s < (unsigned)iv ? c->o.poll_interval_s :
				   (unsigned)iv;
	if (c->fw_fd < 0 && c->cbs.fw_install && (fw = json_obj_get(j, "firmware")) &&
	    json_is(fw, JSON_OBJECT) && json_dup(&fw, fw) == 0) {
		json_free(j);
		fw_fetch(c, fw);
		return;
	}
	json_free(j);
	prov_schedule(c, false);
}

void prov_heartbeat(struct prov_client *c)
{
	struct json *j = NULL;
	char *body = NULL;
	int r;

	if (c->call)
		return;
	r = json_new_object(&j);
	if (r == 0)
		r = json_obj_set_str(j, "version", c->o.version);
	if (r == 0)
		r = json_obj_set_str(j, "state", prov_state_name(c->st));
	if (r == 0)
		r = json_obj_set_str(j, "etag", c->etag);
	if (r == 0)
		r = json_obj_set_str(j, "error", c->last_error);
	if (r == 0)
		r = json_print(j, 0, &body, NULL);
	json_free(j);
	if (r < 0 || prov_request(c, "POST", "/v1/heartbeat", body, NULL, 0, 64 * 1024,
				  hb_done) < 0)
		prov_schedule(c, true);
	free(body);
}
