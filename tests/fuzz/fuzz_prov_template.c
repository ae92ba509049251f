/* fuzz_prov_template.c: the profile renderer; checks that no rendered output
 * holds a line break that the template did not have (no line injection). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prov/prov_template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *lookup(const char *name, void *arg)
{
	(void)arg;
	if (!strcmp(name, "serial"))
		return "dev-0001";
	if (!strcmp(name, "sip.server"))
		return "sip.example.org";
	if (!strcmp(name, "evil"))
		return "a\nb";
	if (!strcmp(name, "empty"))
		return "";
	if (!strcmp(name, "dollar"))
		return "${serial}";   /* values are never expanded again */
	return NULL;
}

static size_t count_nl(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128], *out = NULL;
	size_t len;

	if (prov_template_render((const char *)data, size, lookup, NULL, 1 << 16, &out, &len,
				 err, sizeof(err)) < 0)
		return 0;
	if (strlen(out) != len || count_nl(out, len) != count_nl((const char *)data, size))
		abort();
	free(out);
	return 0;
}
