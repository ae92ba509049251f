/* fuzz_json.c: parse arbitrary bytes; whatever parses must print and re-parse
 * to an identical printout. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json *j = NULL, *k = NULL;
	char err[160], *a = NULL, *b = NULL;
	size_t alen, blen;
	const char *s;
	int64_t i;

	if (json_parse(&j, (const char *)data, size, NULL, err, sizeof(err)) < 0)
		return 0;
	(void)json_get_str(j, "a.b.0", &s);
	(void)json_get_int(j, "0", &i);
	if (json_print(j, JSON_SORT_KEYS, &a, &alen) < 0)
		abort();
	if (json_parse(&k, a, alen, NULL, err, sizeof(err)) < 0)
		abort();
	if (json_print(k, JSON_SORT_KEYS, &b, &blen) < 0)
		abort();
	if (alen != blen || memcmp(a, b, alen))
		abort();
	free(a);
	free(b);
	json_free(k);
	json_free(j);
	return 0;
}
