/* display.h: the terminal's display compositor: far-end video + self view + UI into the display sink, on a worker thread.
 *
 * The loop publishes the view model (tdisplay_model: copied into a pending
 * slot) and asks for screenshots; media threads hand in video frames
 * (tdisplay_frame: a reference replaces the previous one). The worker thread
 * composes at most fps times a second, only when something changed (or a
 * screenshot waits), with ui_render() into an XRGB8888 frame of the display
 * size (the sink's mode when it reports one at open, see tdisplay_size())
 * and writes it to the sink it owns. A "null" sink composes nothing
 * except screenshots. All functions but tdisplay_frame() are for the loop.
 */
#ifndef RAKWON_TERMINAL_DISPLAY_H
#define RAKWON_TERMINAL_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>

struct tdisplay;
struct ui_model;
struct vframe;

struct tdisplay_conf {
	const char *sink, *sink_args;   /* vidsink driver and its args */
	int width, height;              /* composed frame size */
	int fps;                        /* compose rate bound (1..60) */
};

struct tdisplay_stats {
	uint64_t frames;                /* composed */
	uint64_t written;               /* accepted by the sink */
	uint64_t errors;                /* render or sink errors */
	uint64_t screenshots;
	double compose_ms_p50, compose_ms_p95;  /* last 256 frames */
	double compose_ms_last;
	/* a changed model (a key, an event) until the frame showing it was
	 * handed to the sink, last 256 changes; 0 with a null sink */
	double update_ms_p50, update_ms_p95;
};

enum tdisplay_src {
	TDISPLAY_FAR,
	TDISPLAY_SELF,
	TDISPLAY_SRC_MAX,
};

int tdisplay_new(struct tdisplay **ret, const struct tdisplay_conf *c);
struct tdisplay *tdisplay_free(struct tdisplay *d);
/* a new model to show (copied) */
void tdisplay_model(struct tdisplay *d, const struct ui_model *m);
/* any thread: the latest frame of a source (NULL clears it); takes a ref */
void tdisplay_frame(struct tdisplay *d, enum tdisplay_src src, struct vframe *f);
/* write the next composed screen to a PNG file at path (renamed into place
 * when complete); -ENOSPC when 8 are already waiting */
int tdisplay_screenshot(struct tdisplay *d, const char *path);
void tdisplay_get_stats(struct tdisplay *d, struct tdisplay_stats *ret);
/* the composed frame's size: the display's mode when its sink reported one
 * at open (kms), else tdisplay_conf's width/height */
void tdisplay_size(const struct tdisplay *d, int *width, int *height);

#endif
