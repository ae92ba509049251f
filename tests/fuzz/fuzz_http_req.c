/* fuzz_http_req.c: the HTTP request head parser and path/query cleaning. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/http/http.h"
#include "lib/http/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_header hdrs[16];
	struct http_limits lim;
	struct http_head h;
	struct http_url u;
	char *buf, *path, *query;
	size_t end;

	if (size > 65536)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	http_limits_default(&lim);
	lim.max_headers = 16;
	end = http_head_end(buf, size);
	if (end && http_parse_request(buf, end, &lim, hdrs, 16, &h) == 0) {
		(void)http_hdr_find(h.hdrs, h.n_hdrs, "Host");
		if (http_path_clean(h.target, &path, &query) == 0 &&
		    (strstr(path, "/../") || strstr(path, "//") || strchr(path, '\\')))
			abort();   /* the traversal guard let something through */
	}
	memcpy(buf, data, size);
	end = http_head_end(buf, size);
	if (end)
		(void)http_parse_response(buf, end, hdrs, 16, &h);
	memcpy(buf, data, size);
	(void)http_url_parse(buf, &u);
	(void)http_retry_after(buf, 0);
	free(buf);
	return 0;
}
