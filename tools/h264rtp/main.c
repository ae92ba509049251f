/* main.c: rakwon-h264rtp, packetizes/depacketizes H.264 files (RFC 6184) for interop tests.
 *
 *   rakwon-h264rtp pay [--mtu N] IN.h264 OUT.rtps
 *       splits an Annex B stream into access units and writes their RTP
 *       packets (PT 96, 90 kHz, 3000 ticks a frame) as an RFC 4571 stream
 *       (16-bit length, packet; what gst rtpstreampay/rtpstreamdepay use).
 *   rakwon-h264rtp depay [--drop-every N] OUT.h264 IN.rtps
 *       reads an RFC 4571 stream of RTP packets, feeds the frame assembler
 *       in that order (dropping every Nth packet if asked) and writes the
 *       complete access units to OUT.h264; prints a JSON line of counters.
 *   rakwon-h264rtp norm IN.h264 OUT.h264
 *       rewrites an Annex B stream with 4-byte start codes and no trailing
 *       zeros (the assembler's output form), to compare streams with cmp.
 * The RTP header is parsed here minimally (version, CSRCs, extension,
 * padding): this is a test tool, not the RTP stack.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "media/h264_rtp.h"

static int read_file(const char *path, uint8_t **ret, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	size_t len = 0, cap = 0;

	if (!f)
		return -errno;
	for (;;) {
		size_t n;

		if (len == cap) {
			uint8_t *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(b, cap);
			if (!nb) {
				free(b);
				fclose(f);
				return -ENOMEM;
			}
			b = nb;
		}
		n = fread(b + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	*ret = b;
	*ret_len = len;
	return 0;
}

/* ---- pay ---------------------------------------------------------------- */

struct pay {
	FILE *out;
	unsigned index;
	uint16_t seq;
	uint32_t ts;
};

static int write_pkt(const uint8_t *p, size_t len, bool marker, void *arg)
{
	struct pay *py = arg;
	uint8_t hdr[14];
	struct wcur w;

	wcur_init(&w, hdr, sizeof(hdr));
	wcur_u16(&w, (uint16_t)(12 + len));
	wcur_u8(&w, 0x80);
	wcur_u8(&w, (uint8_t)((marker ? 0x80 : 0) | 96));
	wcur_u16(&w, py->seq++);
	wcur_u32(&w, py->ts);
	wcur_u32(&w, 0x11223344);
	py->index++;
	if (fwrite(hdr, 1, sizeof(hdr), py->out) != sizeof(hdr) ||
	    fwrite(p, 1, len, py->out) != len)
		return -EIO;
	return 0;
}

/* A new access unit starts at AUD/SEI/SPS/PPS after a slice, or at a slice
 * whose first_mb_in_slice is 0 (first bit of ue(v) set) after a slice. */
static bool starts_au(const uint8_t *nal, size_t len, bool have_slice)
{
	uint8_t t = nal[0] & 0x1f;

	if (!have_slice)
		return false;
	if (t == 1 || t == 5)
		return len > 1 && (nal[1] & 0x80);
	return t == 6 || t == 7 || t == 8 || t == 9;
}

static int cmd_pay(size_t mtu, const char *in, const char *out)
{
	struct pay py = { .seq = 1000, .ts = 90000 };
	const uint8_t *nal, *au_start = NULL, *prev_end = NULL;
	size_t pos = 0, n;
	bool have_slice = false;
	uint8_t *b;
	size_t len;
	unsigned aus = 0;
	int r;

	r = read_file(in, &b, &len);
	if (r < 0) {
		fprintf(stderr, "h264rtp: %s: %s\n", in, strerror(-r));
		return 1;
	}
	py.out = fopen(out, "wb");
	if (!py.out) {
		fprintf(stderr, "h264rtp: %s: %s\n", out, strerror(errno));
		free(b);
		return 1;
	}
	while (h264_annexb_next(b, len, &pos, &nal, &n)) {
		uint8_t t = nal[0] & 0x1f;
		/* back up over this NAL's start code */
		const uint8_t *sc = nal - 3;

		if (sc > b && sc[-1] == 0)
			sc--;
		if (!au_start)
			au_start = sc;
		if (starts_au(nal, n, have_slice)) {
			r = h264_packetize(au_start, (size_t)(sc - au_start), mtu, write_pkt, &py);
			if (r < 0)
				break;
			aus++;
			py.ts += 3000;
			au_start = sc;
			have_slice = false;
		}
		if (t == 1 || t == 5)
			have_slice = true;
		prev_end = nal + n;
	}
	if (r >= 0 && au_start && prev_end) {
		r = h264_packetize(au_start, (size_t)(prev_end - au_start), mtu, write_pkt, &py);
		aus++;
	}
	free(b);
	if (fclose(py.out) != 0 && r >= 0)
		r = -EIO;
	if (r < 0) {
		fprintf(stderr, "h264rtp: packetize: %s\n", strerror(-r));
		return 1;
	}
	printf("{\"access_units\":%u,\"packets\":%u}\n", aus, py.index);
	return 0;
}

/* ---- depay -------------------------------------------------------------- */

struct depay {
	FILE *out;
	unsigned idr;
	int err;
};

static void on_au(const struct h264_au *au, void *arg)
{
	struct depay *dp = arg;

	if (au->flags & H264_AU_DROPPED)
		return;
	if (au->flags & H264_AU_IDR)
		dp->idr++;
	if (fwrite(au->data, 1, au->len, dp->out) != au->len)
		dp->err = -EIO;
}

/* Minimal RTP header parse into pkt; false if not RTP v2. */
static bool rtp_parse(const uint8_t *p, size_t len, struct h264_rtp_pkt *pkt)
{
	struct rcur c;
	uint8_t b0, b1;
	size_t pad = 0;

	rcur_init(&c, p, len);
	b0 = rcur_u8(&c);
	b1 = rcur_u8(&c);
	pkt->seq = rcur_u16(&c);
	pkt->ts = rcur_u32(&c);
	(void)rcur_u32(&c);
	rcur_skip(&c, 4u * (b0 & 0x0f));
	if (b0 & 0x10) {
		(void)rcur_u16(&c);
		rcur_skip(&c, 4u * rcur_u16(&c));
	}
	if (!rcur_ok(&c) || (b0 >> 6) != 2)
		return false;
	if (b0 & 0x20) {
		pad = p[len - 1];
		if (pad == 0 || pad > rcur_left(&c))
			return false;
	}
	pkt->marker = b1 & 0x80;
	pkt->payload = p + c.pos;
	pkt->len = rcur_left(&c) - pad;
	return true;
}

static int cmd_depay(unsigned drop_every, const char *out, const char *in)
{
	struct depay dp = { 0 };
	struct h264_depkt *d;
	struct h264_depkt_stats st;
	unsigned bad = 0, dropped = 0, i = 0;
	uint8_t *b;
	size_t len;
	struct rcur c;
	int r;

	r = read_file(in, &b, &len);
	if (r < 0) {
		fprintf(stderr, "h264rtp: %s: %s\n", in, strerror(-r));
		return 1;
	}
	dp.out = fopen(out, "wb");
	if (!dp.out) {
		fprintf(stderr, "h264rtp: %s: %s\n", out, strerror(errno));
		free(b);
		return 1;
	}
	r = h264_depkt_new(&d, NULL, on_au, &dp);
	if (r < 0) {
		fclose(dp.out);
		free(b);
		return 1;
	}
	rcur_init(&c, b, len);
	while (rcur_left(&c) >= 2) {
		struct h264_rtp_pkt pkt = { 0 };
		size_t n = rcur_u16(&c);
		const uint8_t *p = rcur_bytes(&c, n);

		if (!p) {
			bad++;
			break;
		}
		if (!rtp_parse(p, n, &pkt)) {
			bad++;
		} else if (drop_every && i % drop_every == drop_every - 1) {
			dropped++;
		} else if (h264_depkt_put(d, &pkt) < 0) {
			bad++;
		}
		i++;
	}
	h264_depkt_flush(d);
	h264_depkt_stats(d, &st);
	printf("{\"packets\":%" PRIu64 ",\"not_rtp\":%u,\"dropped_by_us\":%u,"
	       "\"frames_complete\":%" PRIu64 ",\"frames_after_loss\":%" PRIu64
	       ",\"frames_dropped\":%" PRIu64 ",\"idr\":%u,\"lost\":%" PRIu64
	       ",\"malformed\":%" PRIu64 ",\"dups\":%" PRIu64 ",\"keyframe_requests\":%" PRIu64
	       "}\n", st.packets, bad, dropped, st.frames_complete, st.frames_after_loss,
	       st.frames_dropped, dp.idr, st.lost, st.malformed, st.dups,
	       st.keyframe_requests);
	h264_depkt_free(d);
	free(b);
	if (fclose(dp.out) != 0 || dp.err)
		return 1;
	return 0;
}

static int cmd_norm(const char *in, const char *out)
{
	const uint8_t *nal;
	size_t pos = 0, n, len;
	uint8_t *b;
	FILE *f;
	int r = read_file(in, &b, &len);

	if (r < 0) {
		fprintf(stderr, "h264rtp: %s: %s\n", in, strerror(-r));
		return 1;
	}
	f = fopen(out, "wb");
	if (!f) {
		free(b);
		return 1;
	}
	while (h264_annexb_next(b, len, &pos, &nal, &n)) {
		if (fwrite("\0\0\0\1", 1, 4, f) != 4 || fwrite(nal, 1, n, f) != n)
			r = -EIO;
	}
	free(b);
	if (fclose(f) != 0 || r < 0)
		return 1;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: rakwon-h264rtp pay [--mtu N] IN.h264 OUT.rtps\n"
		   "       rakwon-h264rtp depay [--drop-every N] OUT.h264 IN.rtps\n"
		   "       rakwon-h264rtp norm IN.h264 OUT.h264\n"
		   "(.rtps: RTP packets framed as in RFC 4571)\n");
}

int main(int argc, char **argv)
{
	size_t mtu = H264_RTP_MTU_DEFAULT;
	unsigned drop_every = 0;
	int i = 2;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (i + 1 < argc && strcmp(argv[i], "--mtu") == 0) {
		mtu = strtoul(argv[i + 1], NULL, 10);
		i += 2;
	} else if (i + 1 < argc && strcmp(argv[i], "--drop-every") == 0) {
		drop_every = (unsigned)strtoul(argv[i + 1], NULL, 10);
		i += 2;
	}
	if (strcmp(argv[1], "pay") == 0 && argc - i == 2)
		return cmd_pay(mtu, argv[i], argv[i + 1]);
	if (strcmp(argv[1], "depay") == 0 && argc - i == 2)
		return cmd_depay(drop_every, argv[i], argv[i + 1]);
	if (strcmp(argv[1], "norm") == 0 && argc - i == 2)
		return cmd_norm(argv[i], argv[i + 1]);
	usage(stderr);
	return 2;
}
