/* v4l2_int.h: helpers shared by the V4L2 capture and M2M drivers. */
#ifndef RAKWON_DRIVERS_V4L2_INT_H
#define RAKWON_DRIVERS_V4L2_INT_H

#include <stdint.h>

/* control id by alias ("zoom") or V4L2 name ("Test Pattern", case and _ insensitive) */
int v4l2_ctrl_find(int fd, const char *name, uint32_t *ret);
/* presets file: one line per preset, "preset N name=value ..." */
int v4l2_preset_save(const char *path, int fd, int idx);
int v4l2_preset_recall(const char *path, int fd, int idx);

#endif
