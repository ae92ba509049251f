/* input.c: evdev key input with hot-plugged devices and a keymap file (key name -> action).
 *
 * DESIGN
 * Single-threaded, no blocking: one epoll fd holds an inotify watch on the
 * event-node directory and every open event device, so the whole driver is a
 * single fd for the main loop. Devices appearing (IN_CREATE/IN_ATTRIB: the
 * node may be created before its permissions are final) are opened if they
 * report EV_KEY; devices vanishing (IN_DELETE, or read() failing with ENODEV)
 * are closed. Key events with value 1 (press) and 2 (autorepeat) are looked
 * up in the keymap and delivered to the callback; unknown codes are counted.
 * Limits: 32 devices, 256 keymap entries, action strings of 31 characters.
 * The fake twin (input_keys_new_fifo) reads key names, one per line, from a
 * FIFO instead of event devices, and goes through the same keymap lookup and
 * callback: tests drive a terminal with it on hosts without /dev/uinput.
 * input_keys.h is the list of KEY_ and BTN_ names of the kernel's
 * linux/input-event-codes.h, made with a grep over that header; names newer
 * than the oldest headers we build against (the arm64 cross sysroot) are
 * guarded by #ifdef.
 */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/input.h>

#include "input/input.h"
#include "input/input_keys.h"
#include "lib/base/cleanup.h"
#include "lib/log/log.h"

LOG_TOPIC(input);

#define INPUT_MAX_DEVS 32
#define INPUT_MAX_KEYS 256
#define ACTION_LEN 32

struct input_dev {
	int fd;                 /* -1: free slot */
	char node[32];          /* "event3" */
	char name[64];
};

struct keymap_entry {
	int code;
	char action[ACTION_LEN];
};

struct input_keys {
	int epfd, inofd;
	char dir[128];
	input_action_h cb;
	void *arg;
	struct input_dev devs[INPUT_MAX_DEVS];
	struct keymap_entry map[INPUT_MAX_KEYS];
	int nmap;
	struct input_keys_stats st;
	/* FIFO twin: fifo_rd is watched, fifo_wr keeps it from reporting EOF */
	int fifo_rd, fifo_wr;
	char line[128];
	size_t line_len;
	bool line_skip;         /* an over-long line is being discarded */
};

static const struct keymap_entry default_map[] = {
	{ KEY_UP, "up" },         { KEY_DOWN, "down" },       { KEY_LEFT, "left" },
	{ KEY_RIGHT, "right" },   { KEY_OK, "select" },       { KEY_ENTER, "select" },
	{ KEY_SELECT, "select" }, { KEY_BACK, "back" },       { KEY_ESC, "back" },
	{ KEY_HOME, "home" },     { KEY_MENU, "menu" },       { KEY_VOLUMEUP, "volume+" },
	{ KEY_VOLUMEDOWN, "volume-" }, { KEY_MUTE, "mute" },  { KEY_POWER, "standby" },
};

int input_key_code(const char *name)
{
	char *end;
	long v;

	if (!name || !*name)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(input_key_names); i++)
		if (!strcmp(input_key_names[i].name, name))
			return input_key_names[i].code;
	v = strtol(name, &end, 0);
	if (*end || v < 0 || v > KEY_MAX)
		return -EINVAL;
	return (int)v;
}

static int keymap_load(struct input_keys *k, const char *path)
{
	char line[256];
	FILE *f;
	int n = 0;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	k->nmap = 0;
	while (fgets(line, sizeof(line), f)) {
		char key[64], action[64];
		int code;

		n++;
		if (line[strspn(line, " \t")] == '#' || sscanf(line, "%63s %63s", key, action) != 2)
			continue;
		code = input_key_code(key);
		if (code < 0 || strlen(action) >= ACTION_LEN || k->nmap >= INPUT_MAX_KEYS) {
			log_debug(input, "%s:%d: bad entry '%s %s', ignoring", path, n, key, action);
			continue;
		}
		k->map[k->nmap].code = code;
		memcpy(k->map[k->nmap].action, action, strlen(action) + 1);
		k->nmap++;
	}
	fclose(f);
	return 0;
}

static struct input_dev *dev_find(struct input_keys *k, const char *node)
{
	for (int i = 0; i < INPUT_MAX_DEVS; i++)
		if (k->devs[i].fd >= 0 && !strcmp(k->devs[i].node, node))
			return &k->devs[i];
	return NULL;
}

static void dev_remove(struct input_keys *k, struct input_dev *d)
{
	log_debug(input, "%s (%s) removed", d->node, d->name);
	epoll_ctl(k->epfd, EPOLL_CTL_DEL, d->fd, NULL);
	close(d->fd);
	d->fd = -1;
	k->st.devices--;
	k->st.removed++;
}

static void dev_add(struct input_keys *k, const char *node)
{
	unsigned long evbits = 0;
	struct epoll_event ev = { .events = EPOLLIN };
	struct input_dev *d = NULL;
	char path[192];
	int fd;

	if (strncmp(node, "event", 5) != 0 || strlen(node) >= sizeof(d->node) || dev_find(k, node))
		return;
	for (int i = 0; i < INPUT_MAX_DEVS && !d; i++)
		if (k->devs[i].fd < 0)
			d = &k->devs[i];
	if (!d) {
		log_debug(input, "%s: too many input devices, ignoring", node);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", k->dir, node);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return; /* permissions not final yet: IN_ATTRIB will bring us back */
	if (ioctl(fd, EVIOCGBIT(0, sizeof(evbits)), &evbits) < 0 || !(evbits & (1ul << EV_KEY))) {
		close(fd);
		return;
	}
	d->fd = fd;
	snprintf(d->node, sizeof(d->node), "%s", node);
	if (ioctl(fd, EVIOCGNAME(sizeof(d->name)), d->name) < 0)
		d->name[0] = 0;
	ev.data.ptr = d;
	if (epoll_ctl(k->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(fd);
		d->fd = -1;
		return;
	}
	k->st.devices++;
	k->st.added++;
	log_debug(input, "%s (%s) added", node, d->name);
}

static void scan(struct input_keys *k)
{
	DIR *dir = opendir(k->dir);
	struct dirent *de;

	if (!dir)
		return;
	while ((de = readdir(dir)))
		dev_add(k, de->d_name);
	closedir(dir);
}

int input_keys_new(struct input_keys **ret, const char *dir, const char *keymap, input_action_h cb,
		   void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	struct input_keys *k;
	int r;

	if (!ret || !cb)
		return -EINVAL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->epfd = k->inofd = k->fifo_rd = k->fifo_wr = -1;
	for (int i = 0; i < INPUT_MAX_DEVS; i++)
		k->devs[i].fd = -1;
	k->cb = cb;
	k->arg = arg;
	snprintf(k->dir, sizeof(k->dir), "%s", dir ? dir : "/dev/input");
	if (keymap) {
		r = keymap_load(k, keymap);
		if (r < 0)
			goto fail;
	} else {
		memcpy(k->map, default_map, sizeof(default_map));
		k->nmap = (int)ARRAY_SIZE(default_map);
	}
	k->epfd = epoll_create1(EPOLL_CLOEXEC);
	k->inofd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (k->epfd < 0 || k->inofd < 0 ||
	    inotify_add_watch(k->inofd, k->dir, IN_CREATE | IN_DELETE | IN_ATTRIB) < 0 ||
	    epoll_ctl(k->epfd, EPOLL_CTL_ADD, k->inofd, &ev) < 0) {
		r = -errno;
		goto fail;
	}
	scan(k);
	*ret = k;
	return 0;
fail:
	input_keys_free(k);
	return r;
}

static int keymap_init(struct input_keys *k, const char *keymap)
{
	if (keymap)
		return keymap_load(k, keymap);
	memcpy(k->map, default_map, sizeof(default_map));
	k->nmap = (int)ARRAY_SIZE(default_map);
	return 0;
}

int input_keys_new_fifo(struct input_keys **ret, const char *path, const char *keymap,
			input_action_h cb, void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct input_keys *k;
	struct stat stb;
	int r;

	if (!ret || !cb || !path || !path[0])
		return -EINVAL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->epfd = k->inofd = k->fifo_rd = k->fifo_wr = -1;
	for (int i = 0; i < INPUT_MAX_DEVS; i++)
		k->devs[i].fd = -1;
	k->cb = cb;
	k->arg = arg;
	snprintf(k->dir, sizeof(k->dir), "%s", path);
	r = keymap_init(k, keymap);
	if (r < 0)
		goto fail;
	if (mkfifo(path, 0660) < 0 && errno != EEXIST) {
		r = -errno;
		goto fail;
	}
	if (stat(path, &stb) < 0 || !S_ISFIFO(stb.st_mode)) {
		r = -ENOTTY;
		goto fail;
	}
	k->fifo_rd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	k->fifo_wr = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	k->epfd = epoll_create1(EPOLL_CLOEXEC);
	ev.data.ptr = &k->fifo_rd;
	if (k->fifo_rd < 0 || k->fifo_wr < 0 || k->epfd < 0 ||
	    epoll_ctl(k->epfd, EPOLL_CTL_ADD, k->fifo_rd, &ev) < 0) {
		r = -errno;
		goto fail;
	}
	k->st.devices = 1;
	*ret = k;
	return 0;
fail:
	input_keys_free(k);
	return r;
}

/* one line of the FIFO: a key name, as a press */
static int fifo_key(struct input_keys *k, char *name)
{
	const char *action = NULL;
	char *e = name + strlen(name);
	int code;

	while (*name == ' ' || *name == '\t')
		name++;
	while (e > name && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = 0;
	if (!*name || *name == '#')
		return 0;
	code = input_key_code(name);
	for (int m = 0; code >= 0 && m < k->nmap && !action; m++)
		if (k->map[m].code == code)
			action = k->map[m].action;
	if (!action) {
		k->st.unknown++;
		k->st.last_unknown_code = code;
		log_debug(input, "fifo: key %s has no action, ignoring", name);
		return 0;
	}
	k->st.keys++;
	k->cb(action, code, 1, k->arg);
	return 1;
}

static int handle_fifo(struct input_keys *k)
{
	char buf[512];
	ssize_t n;
	int delivered = 0;

	while ((n = read(k->fifo_rd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				k->line[k->line_len] = 0;
				if (!k->line_skip)
					delivered += fifo_key(k, k->line);
				k->line_len = 0;
				k->line_skip = false;
			} else if (k->line_len + 1 < sizeof(k->line)) {
				k->line[k->line_len++] = buf[i];
			} else {
				k->line_skip = true;
			}
		}
	}
	return delivered;
}

int input_keys_fd(struct input_keys *k)
{
	return k ? k->epfd : -1;
}

static void handle_inotify(struct input_keys *k)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(k->inofd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;

			if (e->len) {
				struct input_dev *d = dev_find(k, e->name);

				if ((e->mask & IN_DELETE) && d)
					dev_remove(k, d);
				else if (e->mask & (IN_CREATE | IN_ATTRIB))
					dev_add(k, e->name);
			}
			p += sizeof(*e) + e->len;
		}
	}
}

static int handle_dev(struct input_keys *k, struct input_dev *d)
{
	struct input_event ev[32];
	int delivered = 0;
	ssize_t n;

	while ((n = read(d->fd, ev, sizeof(ev))) > 0) {
		for (size_t i = 0; i < (size_t)n / sizeof(ev[0]); i++) {
			const char *action = NULL;

			if (ev[i].type != EV_KEY || ev[i].value == 0)
				continue;
			for (int m = 0; m < k->nmap && !action; m++)
				if (k->map[m].code == ev[i].code)
					action = k->map[m].action;
			if (!action) {
				k->st.unknown++;
				k->st.last_unknown_code = ev[i].code;
				log_debug(input, "%s: key code %d has no action, ignoring", d->name, ev[i].code);
				continue;
			}
			k->st.keys++;
			delivered++;
			k->cb(action, ev[i].code, ev[i].value, k->arg);
		}
	}
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		dev_remove(k, d); /* ENODEV: unplugged */
	return delivered;
}

int input_keys_dispatch(struct input_keys *k, int timeout_ms)
{
	struct epoll_event evs[8];
	int n, delivered = 0;

	if (!k)
		return -EINVAL;
	n = epoll_wait(k->epfd, evs, (int)ARRAY_SIZE(evs), timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		struct input_dev *d = evs[i].data.ptr;

		if (!d)
			handle_inotify(k);
		else if ((void *)d == (void *)&k->fifo_rd)
			delivered += handle_fifo(k);
		else if (d->fd >= 0)
			delivered += handle_dev(k, d);
	}
	return delivered;
}

void input_keys_get_stats(struct input_keys *k, struct input_keys_stats *ret)
{
	*ret = k->st;
}

struct input_keys *input_keys_free(struct input_keys *k)
{
	if (!k)
		return NULL;
	for (int i = 0; i < INPUT_MAX_DEVS; i++)
		if (k->devs[i].fd >= 0)
			close(k->devs[i].fd);
	if (k->inofd >= 0)
		close(k->inofd);
	if (k->fifo_rd >= 0)
		close(k->fifo_rd);
	if (k->fifo_wr >= 0)
		close(k->fifo_wr);
	if (k->epfd >= 0)
		close(k->epfd);
	free(k);
	return NULL;
}
