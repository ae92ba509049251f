/* y4m.c: YUV4MPEG2 file as a video source (paced like a camera) and as a video sink.
 *
 * Source args: path=<file>, realtime=0|1. Only 4:2:0 files (C420, C420jpeg,
 * C420mpeg2, C420paldv, or no C tag) with even sizes up to 4096x4096 are
 * accepted; anything else, or a malformed header, gives -EINVAL. The frame
 * rate is params.fps when set, else the file's F tag (written back to params
 * along with the size). At the end of the file read() restarts when
 * params.loop, else returns -ENODATA (a truncated last frame counts as the end).
 * Frames come out as I420 with seq counting from 0 and capture_us as for
 * testsrc.
 *
 * Sink args: path=<file>, fps=<n> (F tag, default 30). The header is written
 * with the first frame's size (or params' size); frames of another size are
 * refused with -EINVAL; non-I420 frames are converted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drv/drivers.h"
#include "fake/fake_int.h"

#define Y4M_LINE_MAX 512
#define Y4M_MAX_DIM 4096

struct y4msrc {
	FILE *f;
	struct y4m_hdr hdr;
	long data_off;          /* offset of the first FRAME */
	bool loop;
	bool eof;
	struct fake_clock clk;
	uint32_t seq;
};

/* one line without the '\n'; -EINVAL if longer than cap or missing its '\n' */
static int line_read(FILE *f, char *buf, size_t cap, bool *ret_eof)
{
	size_t n = 0;
	int c;

	*ret_eof = false;
	while ((c = getc(f)) != EOF) {
		if (c == '\n') {
			buf[n] = 0;
			return 0;
		}
		if (n + 1 >= cap || c == 0)
			return -EINVAL;
		buf[n++] = (char)c;
	}
	*ret_eof = n == 0;
	return n == 0 ? -ENODATA : -EINVAL;
}

static int dim_parse(const char *s, int *ret)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	v = strtol(s, &end, 10);
	if (*end || v <= 0 || v > Y4M_MAX_DIM || (v & 1))
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

int y4m_header_parse(const char *line, struct y4m_hdr *h)
{
	char buf[Y4M_LINE_MAX];
	char *save = NULL, *tok;

	if (strlen(line) >= sizeof(buf) || strncmp(line, "YUV4MPEG2", 9) != 0 ||
	    (line[9] != ' ' && line[9] != 0))
		return -EINVAL;
	strcpy(buf, line + 9);
	memset(h, 0, sizeof(*h));
	h->fps_num = 30;
	h->fps_den = 1;
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		const char *v = tok + 1;

		switch (tok[0]) {
		case 'W':
			if (dim_parse(v, &h->width) < 0)
				return -EINVAL;
			break;
		case 'H':
			if (dim_parse(v, &h->height) < 0)
				return -EINVAL;
			break;
		case 'F': {
			unsigned n, d;
			int used = 0;

			if (sscanf(v, "%u:%u%n", &n, &d, &used) != 2 || v[used] || !n || !d ||
			    n > 1000000 || d > 1000000)
				return -EINVAL;
			h->fps_num = (int)n;
			h->fps_den = (int)d;
			break;
		}
		case 'C':
			if (strcmp(v, "420") && strcmp(v, "420jpeg") && strcmp(v, "420mpeg2") &&
			    strcmp(v, "420paldv"))
				return -EINVAL;
			break;
		case 'I':
			if (strcmp(v, "p") && strcmp(v, "?"))
				return -EINVAL;   /* interlaced material is not supported */
			break;
		case 'A':
		case 'X':
			break;
		default:
			return -EINVAL;
		}
	}
	if (!h->width || !h->height)
		return -EINVAL;
	return 0;
}

static void y4msrc_close(void *priv)
{
	struct y4msrc *s = priv;

	if (s->f)
		fclose(s->f);
	s->f = NULL;
}

static int y4msrc_open(void *priv, struct vidsrc_params *p)
{
	struct y4msrc *s = priv;
	char path[1024], line[Y4M_LINE_MAX];
	bool eof;
	int r;

	r = fake_fopen_arg(&s->f, p->args, "r", path, sizeof(path));
	if (r < 0)
		return r;
	r = line_read(s->f, line, sizeof(line), &eof);
	if (r == 0)
		r = y4m_header_parse(line, &s->hdr);
	if (r < 0) {
		y4msrc_close(s);
		return -EINVAL;
	}
	s->data_off = ftell(s->f);
	s->loop = p->loop;
	p->width = s->hdr.width;
	p->height = s->hdr.height;
	p->fmt = VFMT_I420;
	if (p->fps <= 0 || p->fps > 240)
		p->fps = (s->hdr.fps_num + s->hdr.fps_den / 2) / s->hdr.fps_den;
	if (p->fps <= 0)
		p->fps = 1;
	if (p->fps > 240)
		p->fps = 240;
	fake_clock_init(&s->clk, p->args, 1000000, (uint64_t)p->fps, true);
	return 0;
}

/* read one FRAME into f: 0, -ENODATA at a clean or truncated end, -EINVAL */
static int frame_read(struct y4msrc *s, struct vframe *f)
{
	char line[Y4M_LINE_MAX];
	size_t sz = vfmt_frame_size(VFMT_I420, s->hdr.width, s->hdr.height);
	bool eof;
	int r;

	r = line_read(s->f, line, sizeof(line), &eof);
	if (r == -ENODATA || (r < 0 && feof(s->f)))
		return -ENODATA;
	if (r < 0 || strncmp(line, "FRAME", 5) != 0 || (line[5] != 0 && line[5] != ' '))
		return -EINVAL;
	/* planes are tightly packed in a new frame */
	if (fread(f->data[0], 1, sz, s->f) != sz)
		return -ENODATA;
	return 0;
}

static int y4msrc_read(void *priv, struct vframe **ret)
{
	struct y4msrc *s = priv;
	struct vframe *f;
	uint64_t cap;
	int r;

	if (s->eof)
		return -ENODATA;
	r = vframe_new(&f, VFMT_I420, s->hdr.width, s->hdr.height);
	if (r < 0)
		return r;
	r = frame_read(s, f);
	if (r == -ENODATA && s->loop && s->seq > 0) {
		if (fseek(s->f, s->data_off, SEEK_SET) < 0) {
			r = -errno;
		} else {
			clearerr(s->f);
			r = frame_read(s, f);
		}
	}
	if (r < 0) {
		vframe_unref(f);
		if (r == -ENODATA)
			s->eof = true;
		return r;
	}
	cap = fake_clock_wait(&s->clk, false);
	f->capture_us = cap;
	f->seq = s->seq++;
	s->clk.n++;
	*ret = f;
	return 0;
}

const struct vidsrc_ops y4m_vidsrc_ops = {
	.name = "y4m",
	.api_version = DRV_API_VERSION,
	.priv_size = sizeof(struct y4msrc),
	.open = y4msrc_open,
	.close = y4msrc_close,
	.read = y4msrc_read,
};

/* --- sink ------------------------------------------------------------------ */
struct y4msink {
	FILE *f;
	int width, height, fps;
	bool header_done;
};

static int y4msink_open(void *priv, struct vidsink_params *p)
{
	struct y4msink *s = priv;
	char path[1024];

	if (p->width < 0 || p->height < 0 || p->width > Y4M_MAX_DIM || p->height > Y4M_MAX_DIM)
		return -EINVAL;
	s->fps = drv_arg_int(p->args, "fps", 30);
	if (s->fps <= 0 || s->fps > 240)
		return -EINVAL;
	s->width = p->width;
	s->height = p->height;
	return fake_fopen_arg(&s->f, p->args, "w", path, sizeof(path));
}

static void y4msink_close(void *priv)
{
	struct y4msink *s = priv;

	if (s->f)
		fclose(s->f);
	s->f = NULL;
}

static int y4msink_write(void *priv, struct vframe *f)
{
	struct y4msink *s = priv;
	struct vframe *conv = NULL;
	int r = 0;

	if (!s->header_done) {
		if (!s->width || !s->height) {
			s->width = f->width;
			s->height = f->height;
		}
		if (fprintf(s->f, "YUV4MPEG2 W%d H%d F%d:1 Ip A1:1 C420jpeg\n", s->width,
			    s->height, s->fps) < 0)
			return -EIO;
		s->header_done = true;
	}
	if (f->width != s->width || f->height != s->height)
		return -EINVAL;
	if (f->fmt != VFMT_I420) {
		r = vframe_convert(&conv, f, VFMT_I420);
		if (r < 0)
			return r;
		f = conv;
	}
	if (fputs("FRAME\n", s->f) < 0)
		r = -EIO;
	for (int pl = 0; pl < 3 && r == 0; pl++) {
		int w = pl ? f->width / 2 : f->width, h = pl ? f->height / 2 : f->height;

		for (int y = 0; y < h && r == 0; y++)
			if (fwrite(f->data[pl] + (size_t)y * f->stride[pl], 1, (size_t)w, s->f) !=
			    (size_t)w)
				r = -EIO;
	}
	vframe_unref(conv);
	return r;
}

const struct vidsink_ops y4m_vidsink_ops = {
	.name = "y4m",
	.api_version = DRV_API_VERSION,
	.priv_size = sizeof(struct y4msink),
	.open = y4msink_open,
	.close = y4msink_close,
	.write = y4msink_write,
};
