/* lab_input.c: guest test of the evdev input driver with a uinput "remote control".
 * The remote is created after the driver started (found through inotify), sends mapped keys,
 * an autorepeat and a key code the keymap lacks (counted, no crash), then vanishes.
 * `lab_input remote SECS KEY...` is a remote for other programs (the terminal): it
 * appears, waits SECS, presses each key (KEY_ name) 300 ms apart, stays 1 s, vanishes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/uinput.h>

#include "input/input.h"
#include "labutil.h"

static char got[16][32];
static int ngot;

static void on_action(const char *action, int code, int value, void *arg)
{
	printf("action %s (code %d value %d)\n", action, code, value);
	if (ngot < 16)
		snprintf(got[ngot++], sizeof(got[0]), "%s%s", action, value == 2 ? "*" : "");
}

static void emit(int fd, int type, int code, int value)
{
	struct input_event ev = { .type = (unsigned short)type, .code = (unsigned short)code, .value = value };

	if (write(fd, &ev, sizeof(ev)) != sizeof(ev))
		printf("uinput write failed: %m\n");
}

static void key(int fd, int code, int value)
{
	emit(fd, EV_KEY, code, value);
	emit(fd, EV_SYN, SYN_REPORT, 0);
}

static void pump(struct input_keys *k, int ms)
{
	uint64_t end = lab_now_us() + (uint64_t)ms * 1000;

	while (lab_now_us() < end)
		input_keys_dispatch(k, 50);
}

static int remote(int argc, char **argv)
{
	struct uinput_setup us = { .id = { .bustype = BUS_VIRTUAL, .vendor = 0x1234, .product = 0x5679 } };
	int fd, secs = argc > 2 ? atoi(argv[2]) : 2;

	fd = open("/dev/uinput", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		printf("open /dev/uinput: %m\n");
		return 1;
	}
	ioctl(fd, UI_SET_EVBIT, EV_KEY);
	for (int i = 3; i < argc; i++)
		if (input_key_code(argv[i]) > 0)
			ioctl(fd, UI_SET_KEYBIT, input_key_code(argv[i]));
	snprintf(us.name, sizeof(us.name), "rakwon-lab-remote");
	if (ioctl(fd, UI_DEV_SETUP, &us) < 0 || ioctl(fd, UI_DEV_CREATE) < 0) {
		printf("uinput create: %m\n");
		return 1;
	}
	sleep((unsigned)secs);
	for (int i = 3; i < argc; i++) {
		int code = input_key_code(argv[i]);

		if (code <= 0) {
			printf("unknown key %s\n", argv[i]);
			continue;
		}
		key(fd, code, 1);
		key(fd, code, 0);
		printf("pressed %s\n", argv[i]);
		usleep(300000);
	}
	sleep(1);
	ioctl(fd, UI_DEV_DESTROY);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *keymap = argc > 1 ? argv[1] : NULL;
	static const int keys[] = { KEY_UP, KEY_DOWN, KEY_OK, KEY_VOLUMEUP, KEY_MUTE, KEY_RED, KEY_F24 };
	struct uinput_setup us = { .id = { .bustype = BUS_VIRTUAL, .vendor = 0x1234, .product = 0x5678 } };
	struct input_keys_stats st;
	struct input_keys *k = NULL;
	char joined[256] = "";
	int fd, r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "remote"))
		return remote(argc, argv);
	LCHECK(input_key_code("KEY_OK") == KEY_OK && input_key_code("0x160") == 0x160 &&
	       input_key_code("KEY_BOGUS") == -EINVAL, "key names and numbers parse");
	r = input_keys_new(&k, "/dev/input", keymap, on_action, NULL);
	if (!LCHECK(r == 0, "input_keys_new with keymap %s: %s", keymap, strerror(-r)))
		return lab_exit();
	fd = open("/dev/uinput", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (!LCHECK(fd >= 0, "open /dev/uinput: %m"))
		return lab_exit();
	ioctl(fd, UI_SET_EVBIT, EV_KEY);
	ioctl(fd, UI_SET_EVBIT, EV_REP);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		ioctl(fd, UI_SET_KEYBIT, keys[i]);
	snprintf(us.name, sizeof(us.name), "rakwon-lab-remote");
	LCHECK(ioctl(fd, UI_DEV_SETUP, &us) == 0 && ioctl(fd, UI_DEV_CREATE) == 0, "uinput device created");
	pump(k, 1500); /* the node appears asynchronously: inotify brings it in */
	input_keys_get_stats(k, &st);
	LCHECK(st.added >= 1 && st.devices >= 1, "new device found through inotify (%d open)", st.devices);
	key(fd, KEY_UP, 1);
	key(fd, KEY_UP, 0);
	key(fd, KEY_OK, 1);
	key(fd, KEY_OK, 2); /* autorepeat */
	key(fd, KEY_OK, 0);
	key(fd, KEY_F24, 1); /* not in the keymap */
	key(fd, KEY_F24, 0);
	key(fd, KEY_VOLUMEUP, 1);
	key(fd, KEY_VOLUMEUP, 0);
	key(fd, KEY_MUTE, 1); /* mapped by number (0x71) */
	key(fd, KEY_MUTE, 0);
	key(fd, KEY_RED, 1);
	key(fd, KEY_RED, 0);
	pump(k, 800);
	for (int i = 0; i < ngot; i++) {
		strcat(joined, got[i]);
		strcat(joined, i + 1 < ngot ? " " : "");
	}
	LCHECK(!strcmp(joined, "up select select* volume+ mute call"), "actions: '%s'", joined);
	input_keys_get_stats(k, &st);
	LCHECK(st.unknown == 1 && st.last_unknown_code == KEY_F24, "unknown key counted (%llu, code %d)",
	       (unsigned long long)st.unknown, st.last_unknown_code);
	ioctl(fd, UI_DEV_DESTROY);
	close(fd);
	pump(k, 800);
	input_keys_get_stats(k, &st);
	LCHECK(st.removed >= 1, "remote removed (%llu removed, %d open)", (unsigned long long)st.removed,
	       st.devices);
	input_keys_free(k);
	lab_detail("uinput remote hot-plugged: actions '%s', unknown code %d counted, removal seen", joined,
		   KEY_F24);
	return lab_exit();
}
