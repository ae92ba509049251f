/* prov_srv.c: provisioning server discovery by DNS SRV (_rakwon-prov._tcp.<domain>). */
#include <arpa/nameser.h>
#include <errno.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>

#include "lib/base/buf.h"
#include "prov/prov.h"
#include "prov/prov_int.h"

/* Parse a DNS answer: pick the SRV record with the lowest priority, then
 * the highest weight, and write "https://target:port". */
int prov_srv_parse(const uint8_t *msg, size_t len, char *url, size_t urllen)
{
	char name[NS_MAXDNAME], best[NS_MAXDNAME] = "";
	unsigned qd, an, i, best_prio = 65536, best_w = 0, best_port = 0;
	struct rcur c;

	if (len < 12 || len > 65535)
		return -EINVAL;
	rcur_init(&c, msg, len);
	rcur_skip(&c, 4);                         /* id, flags */
	qd = rcur_u16(&c);
	an = rcur_u16(&c);
	rcur_skip(&c, 4);                         /* ns, ar counts */
	for (i = 0; i < qd && rcur_ok(&c); i++) {
		int n = dn_expand(msg, msg + len, msg + c.pos, name, sizeof(name));

		if (n < 0)
			return -EINVAL;
		rcur_skip(&c, (size_t)n + 4);     /* name, qtype, qclass */
	}
	for (i = 0; i < an && rcur_ok(&c); i++) {
		unsigned type, rdlen, prio, w, port;
		size_t rd;
		int n = dn_expand(msg, msg + len, msg + c.pos, name, sizeof(name));

		if (n < 0)
			return -EINVAL;
		rcur_skip(&c, (size_t)n);
		type = rcur_u16(&c);
		rcur_skip(&c, 6);                 /* class, ttl */
		rdlen = rcur_u16(&c);
		rd = c.pos;
		if (!rcur_ok(&c) || rcur_left(&c) < rdlen)
			return -EINVAL;
		if (type == ns_t_srv && rdlen >= 7) {
			prio = rcur_u16(&c);
			w = rcur_u16(&c);
			port = rcur_u16(&c);
			n = dn_expand(msg, msg + len, msg + c.pos, name, sizeof(name));
			if (n < 0 || !port || !name[0])
				return -EINVAL;
			if (prio < best_prio || (prio == best_prio && w > best_w)) {
				best_prio = prio;
				best_w = w;
				best_port = port;
				snprintf(best, sizeof(best), "%s", name);
			}
		}
		c.pos = rd;
		rcur_skip(&c, rdlen);
	}
	if (!rcur_ok(&c))
		return -EINVAL;
	if (!best[0])
		return -ENOENT;
	if ((size_t)snprintf(url, urllen, "https://%s:%u", best, best_port) >= urllen)
		return -E2BIG;
	return 0;
}

int prov_discover_srv(const char *domain, char *url, size_t len)
{
	uint8_t answer[4096];
	char q[300];
	int n;

	if (!domain || strlen(domain) > 250)
		return -EINVAL;
	snprintf(q, sizeof(q), "_rakwon-prov._tcp.%s", domain);
	/* blocking resolver: call at startup or from a worker, not per poll */
	n = res_query(q, ns_c_in, ns_t_srv, answer, sizeof(answer));
	if (n < 0)
		return -ENOENT;
	return prov_srv_parse(answer, (size_t)n > sizeof(answer) ? sizeof(answer) : (size_t)n,
			      url, len);
}
