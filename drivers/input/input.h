/* input.h: remote control and keyboard input through evdev.
 *
 * Watches a directory of event nodes (/dev/input) with inotify: devices that
 * appear are opened (if they report keys), devices that vanish are dropped.
 * Key presses are mapped to action strings through a keymap file:
 *     # comment
 *     KEY_UP        up
 *     KEY_OK        select
 *     0x160         select      (numeric codes work too)
 * Unknown key codes are counted and logged at debug level, never fatal.
 * Single-threaded: call input_keys_dispatch() when input_keys_fd() is readable
 * (it is an epoll fd, so it fits the main loop).
 */
#ifndef RAKWON_DRIVERS_INPUT_H
#define RAKWON_DRIVERS_INPUT_H

#include <stdint.h>

struct input_keys;

/* value: 1 press, 2 autorepeat (release events are not reported) */
typedef void (*input_action_h)(const char *action, int code, int value, void *arg);

struct input_keys_stats {
	int devices;            /* open event devices */
	uint64_t added, removed;
	uint64_t keys;          /* key events mapped to an action */
	uint64_t unknown;       /* key events with no mapping */
	int last_unknown_code;
};

/* dir: NULL for /dev/input. keymap: file path (NULL: built-in defaults). */
int input_keys_new(struct input_keys **ret, const char *dir, const char *keymap,
		   input_action_h cb, void *arg);
/* The fake twin: key names ("KEY_OK", "0x160"), one per line, written to
 * the FIFO at path (created if missing, mode 0660), mapped through the same
 * keymap and delivered as presses. Lines over 127 bytes are discarded. */
int input_keys_new_fifo(struct input_keys **ret, const char *path, const char *keymap,
			input_action_h cb, void *arg);
int input_keys_fd(struct input_keys *k);
/* Handle everything pending (no blocking); timeout_ms > 0 waits that long
 * for the first event. Returns the number of actions delivered or -errno. */
int input_keys_dispatch(struct input_keys *k, int timeout_ms);
/* Key code from a name ("KEY_UP", "BTN_LEFT", "0x67"), or -EINVAL. */
int input_key_code(const char *name);
void input_keys_get_stats(struct input_keys *k, struct input_keys_stats *ret);
struct input_keys *input_keys_free(struct input_keys *k);

#endif
