/* presets.c: camera presets stored in a text file, one line per preset.
 *
 *     preset 3 pan=3600 tilt=-1800 zoom=200 brightness=128
 * A preset holds the current values of the pan/tilt/zoom/focus controls and
 * of the picture controls (brightness, contrast, saturation) the camera has.
 * Saving rewrites the file atomically (temporary file + rename).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/videodev2.h>

#include "lib/base/cleanup.h"
#include "v4l2/v4l2_int.h"

#define PRESET_MAX 16
#define PRESET_LINE 512

static const char *const preset_ctrls[] = {
	"pan", "tilt", "zoom", "focus", "brightness", "contrast", "saturation",
};

static int ctrl_get(int fd, const char *name, int *ret)
{
	struct v4l2_control c = { 0 };

	if (v4l2_ctrl_find(fd, name, &c.id) < 0)
		return -ENOENT;
	if (ioctl(fd, VIDIOC_G_CTRL, &c) < 0)
		return -errno;
	*ret = c.value;
	return 0;
}

int v4l2_preset_save(const char *path, int fd, int idx)
{
	char lines[PRESET_MAX][PRESET_LINE];
	char line[PRESET_LINE], tmp[300];
	size_t n = 0;
	FILE *f;
	int r = 0;

	if (idx < 0 || idx >= PRESET_MAX || strlen(path) > 250)
		return -EINVAL;
	memset(lines, 0, sizeof(lines));
	f = fopen(path, "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			int i;

			if (sscanf(line, "preset %d", &i) == 1 && i >= 0 && i < PRESET_MAX)
				snprintf(lines[i], PRESET_LINE, "%s", line);
		}
		fclose(f);
	}
	n = (size_t)snprintf(lines[idx], PRESET_LINE, "preset %d", idx);
	for (size_t i = 0; i < ARRAY_SIZE(preset_ctrls); i++) {
		int v = 0;

		if (ctrl_get(fd, preset_ctrls[i], &v) == 0 && n < PRESET_LINE)
			n += (size_t)snprintf(lines[idx] + n, PRESET_LINE - n, " %s=%d",
					      preset_ctrls[i], v);
	}
	if (n < PRESET_LINE - 1)
		strcat(lines[idx], "\n");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	for (int i = 0; i < PRESET_MAX; i++)
		if (lines[i][0] && fputs(lines[i], f) < 0)
			r = -EIO;
	if (fflush(f) != 0 || fsync(fileno(f)) < 0)
		r = -errno ? -errno : -EIO;
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

int v4l2_preset_recall(const char *path, int fd, int idx)
{
	char line[PRESET_LINE], *save = NULL, *tok;
	FILE *f;
	int found = 0, r = 0;

	if (idx < 0 || idx >= PRESET_MAX)
		return -EINVAL;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		int i;

		if (sscanf(line, "preset %d", &i) == 1 && i == idx) {
			found = 1;
			break;
		}
	}
	fclose(f);
	if (!found)
		return -ENOENT;
	line[strcspn(line, "\n")] = 0;
	strtok_r(line, " ", &save); /* "preset" */
	strtok_r(NULL, " ", &save); /* N */
	while ((tok = strtok_r(NULL, " ", &save))) {
		char *eq = strchr(tok, '='), *end;
		struct v4l2_control c = { 0 };
		long v;

		if (!eq)
			continue;
		*eq = 0;
		v = strtol(eq + 1, &end, 10);
		if (*end || v4l2_ctrl_find(fd, tok, &c.id) < 0)
			continue; /* a control this camera lacks, ignoring */
		c.value = (int)v;
		if (ioctl(fd, VIDIOC_S_CTRL, &c) < 0)
			r = -errno;
	}
	return r;
}
