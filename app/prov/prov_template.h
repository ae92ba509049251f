/* prov_template.h: renders a provisioning profile template with ${variables}.
 *
 * DESIGN
 * A profile is text with placeholders "${name}" (name: [A-Za-z0-9_.-],
 * at most 64 bytes). "$$" is a literal '$'. A lookup callback supplies the
 * values (device variables, per-device overrides, profile defaults, in the
 * order the caller decides). An unknown variable, an unterminated or empty
 * placeholder, or output above max_out is an error with the byte offset in
 * err. Values are inserted verbatim: they must not contain a newline or NUL
 * (refused with -EINVAL), so a value can never inject another config line.
 * Pure function, no state; used by rakwon-provd and the fuzz target.
 */
#ifndef RAKWON_PROV_TEMPLATE_H
#define RAKWON_PROV_TEMPLATE_H

#include <stddef.h>

/* Return the value of name (NUL-terminated) or NULL if unknown. */
typedef const char *(*prov_var_h)(const char *name, void *arg);

/* Render tpl[0..len) into a malloc'd NUL-terminated string. */
int prov_template_render(const char *tpl, size_t len, prov_var_h lookup, void *arg,
			 size_t max_out, char **ret, size_t *ret_len,
			 char *err, size_t errlen);

#endif
