/* m2m_int.h: the M2M codec's internals, shared by m2m.c, m2m_enc.c and m2m_dec.c. */
#ifndef RAKWON_DRIVERS_M2M_INT_H
#define RAKWON_DRIVERS_M2M_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "v4l2m2m/m2m.h"

#define M2M_MAX_BUFS 16
#define M2M_FIFO 16

struct m2m_q {
	uint32_t type;
	int n;
	struct {
		uint8_t *p;
		size_t len;
		bool queued;
	} b[M2M_MAX_BUFS];
	/* format */
	uint32_t fourcc;
	int width, height, bpl;
	size_t sizeimage;
	bool streaming;
};

struct m2m {
	int fd;
	bool mp;                        /* multi-planar API */
	bool enc;
	uint32_t coded;                 /* V4L2_PIX_FMT_H264 / FWHT */
	struct m2m_q out, cap;          /* OUTPUT (to device), CAPTURE (from device) */
	bool draining, eos;
	int vis_w, vis_h;               /* the picture's size (buffers may be padded) */
	bool cap_ready;                 /* decoder: CAPTURE queue set up after SOURCE_CHANGE */
	void *fifo[M2M_FIFO];           /* mpkt (enc) or vframe (dec) */
	int fifo_n;
	uint32_t seq;
	struct m2m_stats st;
};

int m2m_ioctl(int fd, unsigned long req, void *arg);
uint32_t m2m_codec_arg(const char *args, uint32_t def);
/* open the M2M node taking m->coded on the coded side (m->enc says which); returns the fd */
int m2m_find(struct m2m *m, const char *args);
bool m2m_queue_has(int fd, uint32_t type, uint32_t fourcc);
int m2m_fmt_set(struct m2m *m, struct m2m_q *q, uint32_t fourcc, int w, int h, size_t sizeimage);
int m2m_fmt_get(struct m2m *m, struct m2m_q *q);
int m2m_q_alloc(struct m2m *m, struct m2m_q *q, int count);
void m2m_q_free(struct m2m *m, struct m2m_q *q);
int m2m_q_qbuf(struct m2m *m, struct m2m_q *q, int i, size_t used, uint64_t ts_us);
/* non-blocking: -EAGAIN if nothing is ready */
int m2m_q_dqbuf(struct m2m *m, struct m2m_q *q, int *idx, size_t *used, uint32_t *flags, uint64_t *ts);
int m2m_stream(struct m2m *m, struct m2m_q *q, bool on);
/* poll the fd: revents, or -ETIMEDOUT */
int m2m_wait(struct m2m *m, short events, int timeout_ms);
void m2m_fifo_push(struct m2m *m, void *x);
void *m2m_fifo_pop(struct m2m *m);

#endif
