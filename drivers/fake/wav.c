/* wav.c: PCM16 WAV file as an audio source (paced like a microphone) and as an audio sink.
 *
 * Source args: path=<file>, realtime=0|1. The file must be 16-bit PCM at
 * 48 kHz (anything else: -EINVAL, with an error that says how to convert);
 * chunks may come in any order and unknown ones are skipped. Mono and stereo
 * are converted to params.channels (0: the file's); more channels are folded.
 * Every read returns exactly params.frame_samples (default 480); the last
 * partial frame is padded with silence, after which read() returns -ENODATA,
 * or wraps to the start when params.loop. Pacing: the read of frame n returns
 * at t0 + (n + 1) * duration, when its last sample would have been captured;
 * capture_us is the time of its first sample.
 *
 * Sink args: path=<file>, realtime=0|1. Paced like a speaker with a 40 ms
 * buffer (see fake_play in fake_int.h) unless realtime=0. Writes a 44-byte
 * header with the params' rate and channels, then the samples; close() fixes
 * the RIFF and data sizes. Frames of the other channel count (1 vs 2) are
 * converted; another rate is refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drv/drivers.h"
#include "fake/fake_int.h"
#include "lib/log/log.h"

LOG_TOPIC(fake);

#define WAV_MAX_CHUNKS 64
#define WAV_MAX_FRAME 48000

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static int fmt_parse(FILE *f, uint32_t size, struct wav_info *w)
{
	uint8_t b[40];
	uint16_t tag, bits;

	if (size < 16)
		return -EINVAL;
	if (fread(b, 1, size >= 40 ? 40 : 16, f) != (size >= 40 ? 40u : 16u))
		return -EINVAL;
	tag = le16(b);
	if (tag == 0xfffe) {
		/* WAVE_FORMAT_EXTENSIBLE: the sub-format GUID starts with the tag */
		if (size < 40)
			return -EINVAL;
		tag = le16(b + 24);
	}
	bits = le16(b + 14);
	w->channels = le16(b + 2);
	w->rate = (int)le32(b + 4);
	if (tag != 1 || bits != 16 || w->channels < 1 || w->channels > 8 || w->rate <= 0 ||
	    le16(b + 12) != 2 * w->channels)
		return -EINVAL;
	return 0;
}

int wav_parse(FILE *f, struct wav_info *ret)
{
	struct wav_info w = { 0 };
	bool have_fmt = false, have_data = false;
	uint8_t hdr[12];
	long fsize, pos;

	if (fseek(f, 0, SEEK_END) < 0 || (fsize = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0)
		return -EINVAL;
	if (fread(hdr, 1, 12, f) != 12 || memcmp(hdr, "RIFF", 4) || memcmp(hdr + 8, "WAVE", 4))
		return -EINVAL;
	pos = 12;
	for (int i = 0; i < WAV_MAX_CHUNKS && !(have_fmt && have_data); i++) {
		uint8_t ch[8];
		uint32_t size;

		if (fseek(f, pos, SEEK_SET) < 0 || fread(ch, 1, 8, f) != 8)
			break;
		size = le32(ch + 4);
		pos += 8;
		if (!memcmp(ch, "fmt ", 4)) {
			if (have_fmt || fmt_parse(f, size, &w) < 0)
				return -EINVAL;
			have_fmt = true;
		} else if (!memcmp(ch, "data", 4)) {
			if (have_data)
				return -EINVAL;
			w.data_off = pos;
			/* streaming writers leave 0 or 0xffffffff: take what is there */
			w.data_len = size && size != 0xffffffffu ? size : (uint64_t)(fsize - pos);
			if (w.data_len > (uint64_t)(fsize - pos))
				w.data_len = (uint64_t)(fsize - pos);
			have_data = true;
		}
		if ((uint64_t)pos + size + (size & 1) > (uint64_t)fsize)
			break;
		pos += (long)size + (long)(size & 1);
	}
	if (!have_fmt || !have_data)
		return -EINVAL;
	w.data_len -= w.data_len % (uint64_t)(2 * w.channels);
	*ret = w;
	return 0;
}

struct wavsrc {
	FILE *f;
	struct wav_info info;
	uint64_t pos;           /* bytes of data consumed */
	int channels, frame_samples;
	bool loop, eof;
	uint8_t *buf;           /* one frame of file samples */
	struct fake_clock clk;
	uint32_t seq;
};

static void wavsrc_close(void *priv)
{
	struct wavsrc *s = priv;

	if (s->f)
		fclose(s->f);
	s->f = NULL;
	free(s->buf);
	s->buf = NULL;
}

static int wavsrc_open(void *priv, struct audsrc_params *p)
{
	struct wavsrc *s = priv;
	char path[1024];
	int r;

	if (p->rate && p->rate != 48000)
		return -EINVAL;
	if (p->channels < 0 || p->channels > 2 || p->frame_samples < 0 ||
	    p->frame_samples > WAV_MAX_FRAME)
		return -EINVAL;
	r = fake_fopen_arg(&s->f, p->args, "r", path, sizeof(path));
	if (r < 0)
		return r;
	r = wav_parse(s->f, &s->info);
	if (r < 0) {
		wavsrc_close(s);
		return r;
	}
	if (s->info.rate != 48000) {
		log_err(fake, "%s: sample rate is %d Hz, only 48000 Hz is supported (convert with: sox in.wav -r 48000 out.wav)",
			path, s->info.rate);
		wavsrc_close(s);
		return -EINVAL;
	}
	p->rate = 48000;
	if (!p->channels)
		p->channels = s->info.channels > 2 ? 2 : s->info.channels;
	if (!p->frame_samples)
		p->frame_samples = 480;
	s->channels = p->channels;
	s->frame_samples = p->frame_samples;
	s->loop = p->loop;
	s->buf = malloc((size_t)s->frame_samples * (size_t)s->info.channels * 2);
	if (!s->buf || fseek(s->f, s->info.data_off, SEEK_SET) < 0) {
		wavsrc_close(s);
		return -ENOMEM;
	}
	fake_clock_init(&s->clk, p->args, (uint64_t)s->frame_samples * 1000000, 48000, false);
	return 0;
}

/* fill up to `want` file samples (per channel) into s->buf; returns how many */
static int samples_fill(struct wavsrc *s, int want)
{
	size_t fsz = (size_t)s->info.channels * 2;
	bool rewound = false;   /* and nothing read since: the file is gone */
	int got = 0;

	while (got < want) {
		uint64_t left = (s->info.data_len - s->pos) / fsz;
		size_t n = (size_t)(want - got) < left ? (size_t)(want - got) : (size_t)left;

		if (!n) {
			if (!s->loop || !s->info.data_len || rewound)
				break;
			if (fseek(s->f, s->info.data_off, SEEK_SET) < 0)
				break;
			s->pos = 0;
			rewound = true;
			continue;
		}
		n = fread(s->buf + (size_t)got * fsz, fsz, n, s->f);
		if (!n) {
			s->pos = s->info.data_len;   /* file shrank: treat as the end */
			continue;
		}
		s->pos += n * fsz;
		got += (int)n;
		rewound = false;
	}
	return got;
}

static int wavsrc_read(void *priv, struct aframe **ret)
{
	struct wavsrc *s = priv;
	struct aframe *a;
	int got, ic = s->info.channels, oc = s->channels, r;

	if (s->eof)
		return -ENODATA;
	got = samples_fill(s, s->frame_samples);
	if (!got) {
		s->eof = true;
		return -ENODATA;
	}
	r = aframe_new(&a, 48000, oc, s->frame_samples);
	if (r < 0)
		return r;
	for (int i = 0; i < got; i++) {
		const uint8_t *in = s->buf + (size_t)i * ic * 2;
		int16_t *out = a->pcm + (size_t)i * oc;

		if (oc == 1) {
			int sum = 0;

			for (int c = 0; c < ic; c++)
				sum += (int16_t)le16(in + 2 * c);
			out[0] = (int16_t)(sum / ic);
		} else {
			out[0] = (int16_t)le16(in);
			out[1] = (int16_t)le16(in + (ic > 1 ? 2 : 0));
		}
	}
	/* the rest (a partial last frame) stays zero: aframe_new clears it */
	a->capture_us = fake_clock_wait(&s->clk, true);
	a->seq = s->seq++;
	s->clk.n++;
	*ret = a;
	return 0;
}

const struct audsrc_ops wav_audsrc_ops = {
	.name = "wav",
	.api_version = DRV_API_VERSION,
	.priv_size = sizeof(struct wavsrc),
	.open = wavsrc_open,
	.close = wavsrc_close,
	.read = wavsrc_read,
};

/* --- sink ------------------------------------------------------------------ */
#define WAV_MAX_DATA (0xffffffffu - 36u)

struct wavsink {
	FILE *f;
	struct fake_play play;
	int rate, channels;
	uint64_t data_len;
};

static void header_make(uint8_t h[44], int rate, int channels, uint32_t data_len)
{
	memcpy(h, "RIFF", 4);
	put_le32(h + 4, 36 + data_len);
	memcpy(h + 8, "WAVEfmt ", 8);
	put_le32(h + 16, 16);
	put_le16(h + 20, 1);
	put_le16(h + 22, (uint16_t)channels);
	put_le32(h + 24, (uint32_t)rate);
	put_le32(h + 28, (uint32_t)(rate * channels * 2));
	put_le16(h + 32, (uint16_t)(channels * 2));
	put_le16(h + 34, 16);
	memcpy(h + 36, "data", 4);
	put_le32(h + 40, data_len);
}

static int wavsink_open(void *priv, struct audsink_params *p)
{
	struct wavsink *s = priv;
	uint8_t h[44];
	char path[1024];
	int r;

	if (p->rate <= 0 || p->rate > 384000 || p->channels < 1 || p->channels > 8)
		return -EINVAL;
	r = fake_fopen_arg(&s->f, p->args, "w", path, sizeof(path));
	if (r < 0)
		return r;
	s->rate = p->rate;
	s->channels = p->channels;
	fake_play_init(&s->play, p->args, p->rate, 40);
	header_make(h, s->rate, s->channels, 0);
	if (fwrite(h, 1, sizeof(h), s->f) != sizeof(h)) {
		fclose(s->f);
		s->f = NULL;
		return -EIO;
	}
	return 0;
}

static void wavsink_close(void *priv)
{
	struct wavsink *s = priv;
	uint8_t h[44];

	if (!s->f)
		return;
	header_make(h, s->rate, s->channels, (uint32_t)s->data_len);
	if (fseek(s->f, 0, SEEK_SET) == 0)
		(void)fwrite(h, 1, sizeof(h), s->f);
	fclose(s->f);
	s->f = NULL;
}

static int wavsink_write(void *priv, struct aframe *a)
{
	struct wavsink *s = priv;
	uint8_t buf[4096];
	size_t n = 0, bytes;

	if (a->rate != s->rate)
		return -EINVAL;
	if (a->channels != s->channels && !(a->channels <= 2 && s->channels <= 2))
		return -EINVAL;
	bytes = (size_t)a->samples * (size_t)s->channels * 2;
	if (s->data_len + bytes > WAV_MAX_DATA)
		return -EFBIG;
	for (int i = 0; i < a->samples; i++) {
		const int16_t *in = a->pcm + (size_t)i * a->channels;

		for (int c = 0; c < s->channels; c++) {
			int v;

			if (a->channels == s->channels)
				v = in[c];
			else if (s->channels == 1)
				v = (in[0] + in[1]) / 2;
			else
				v = in[0];
			put_le16(buf + n, (uint16_t)(int16_t)v);
			n += 2;
			if (n == sizeof(buf)) {
				if (fwrite(buf, 1, n, s->f) != n)
					return -EIO;
				n = 0;
			}
		}
	}
	if (n && fwrite(buf, 1, n, s->f) != n)
		return -EIO;
	s->data_len += bytes;
	fake_play_write(&s->play, a->samples);
	return 0;
}

const struct audsink_ops wav_audsink_ops = {
	.name = "wav",
	.api_version = DRV_API_VERSION,
	.priv_size = sizeof(struct wavsink),
	.open = wavsink_open,
	.close = wavsink_close,
	.write = wavsink_write,
};
