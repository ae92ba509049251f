/* main.c: rakwon-certgen, a throwaway PKI for tests and the demo.
 *
 *   rakwon-certgen DIR NAME...
 *
 * Writes DIR/ca.pem and DIR/ca.key (an ECDSA P-256 CA), and for each NAME
 * DIR/NAME.pem and DIR/NAME.key: a server certificate for CN=127.0.0.1
 * (the address the SIP peers verify on loopback), valid for 30 days.
 * Keys are written with mode 0600.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/tls/pki.h"

static int write_file(const char *dir, const char *name, const char *ext, const char *text,
		      int mode)
{
	char path[4096];
	int fd;
	size_t n = strlen(text);

	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || write(fd, text, n) != (ssize_t)n) {
		fprintf(stderr, "rakwon-certgen: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct pki_issue cai = { .subject = "CN=Rakwon Test CA,O=Rakwon", .serial = 1,
				 .days = 30, .is_ca = true };
	struct pki_key *cak = NULL;
	char *ca = NULL, *cakey = NULL;

	if (argc < 2) {
		fprintf(stderr, "usage: rakwon-certgen DIR NAME...\n");
		return 2;
	}
	if (pki_key_generate(&cak) < 0 || pki_ca_new(cak, &cai, &ca) < 0 ||
	    pki_key_write_pem(cak, &cakey) < 0 ||
	    write_file(argv[1], "ca", "pem", ca, 0644) < 0 ||
	    write_file(argv[1], "ca", "key", cakey, 0600) < 0) {
		fprintf(stderr, "rakwon-certgen: cannot make the CA\n");
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		struct pki_issue si = { .subject = "CN=127.0.0.1,O=Rakwon", .serial = (uint64_t)i + 1,
					.days = 30, .server = true };
		struct pki_key *k = NULL;
		char *cert = NULL, *key = NULL;

		if (pki_key_generate(&k) < 0 || pki_cert_sign(k, &si, ca, strlen(ca), cak, &cert) < 0 ||
		    pki_key_write_pem(k, &key) < 0 ||
		    write_file(argv[1], argv[i], "pem", cert, 0644) < 0 ||
		    write_file(argv[1], argv[i], "key", key, 0600) < 0) {
			fprintf(stderr, "rakwon-certgen: cannot make %s\n", argv[i]);
			return 1;
		}
		free(cert);
		free(key);
		pki_key_free(k);
	}
	free(ca);
	free(cakey);
	pki_key_free(cak);
	return 0;
}
