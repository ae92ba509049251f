/* lab_m2m.c: guest test of the v4l2m2m encoder/decoder against vicodec (FWHT, multi-planar
 * API): formats, buffers, streaming, timestamps carried through, drain to EOS, round trip. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "drv/media_drv.h"
#include "labutil.h"
#include "v4l2m2m/m2m.h"

#define W 640
#define H 360
#define N 10

static struct vframe *make_frame(int i)
{
	struct vframe *f = NULL;

	if (vframe_new(&f, VFMT_I420, W, H) < 0)
		return NULL;
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			f->data[0][y * f->stride[0] + x] = (uint8_t)(16 + ((x + 4 * i) * 219 / (W + 40)) % 220);
	for (int p = 1; p < 3; p++)
		for (int y = 0; y < H / 2; y++)
			memset(f->data[p] + y * f->stride[p], p == 1 ? 90 + 2 * i : 160 - y / 4, W / 2);
	f->capture_us = 1000000u + 33333u * (uint64_t)i;
	return f;
}

static double psnr_y(const struct vframe *a, const struct vframe *b)
{
	double se = 0;

	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			int d = a->data[0][y * a->stride[0] + x] - b->data[0][y * b->stride[0] + x];

			se += d * d;
		}
	return se == 0 ? 99.0 : 10 * log10(255.0 * 255.0 * W * H / se);
}

int main(void)
{
	struct venc_params ep = { .width = W, .height = H, .fps = 30, .keyint = 5, .args = "codec=FWHT" };
	struct vdec_params dp = { .args = "codec=FWHT" };
	struct venc *enc = NULL;
	struct vdec *dec = NULL;
	struct vframe *src[N] = { 0 };
	struct mpkt *pk[N + 4] = { 0 };
	int np = 0, nf = 0, r, magic = 0, ts_ok = 0, ts_dec = 0;
	double worst = 99;

	setvbuf(stdout, NULL, _IOLBF, 0);
	r = venc_open(&enc, "v4l2m2m", &ep);
	if (!LCHECK(r == 0, "encoder (vicodec stateful-encoder): %s", strerror(-r)))
		return lab_exit();
	for (int i = 0; i < N; i++) {
		struct mpkt *p = NULL;

		src[i] = make_frame(i);
		r = venc_send_frame(enc, src[i]);
		LCHECK(r == 0, "send frame %d: %s", i, strerror(-r));
		while (np < N + 4 && (r = venc_receive_packet(enc, &p)) == 0)
			pk[np++] = p;
		LCHECK(r == -EAGAIN, "receive until -EAGAIN (%s)", strerror(-r));
	}
	LCHECK(venc_send_frame(enc, NULL) == 0, "drain (V4L2_ENC_CMD_STOP)");
	while (np < N + 4) {
		struct mpkt *p = NULL;

		r = venc_receive_packet(enc, &p);
		if (r < 0)
			break;
		pk[np++] = p;
	}
	LCHECK(r == -ENODATA, "end of stream after the LAST buffer: %s", strerror(-r));
	LCHECK(np == N, "%d packets for %d frames", np, N);
	for (int i = 0; i < np; i++) {
		magic += pk[i]->len > 8 && !memcmp(pk[i]->data, "OOOO\xff\xff\xff\xff", 8);
		ts_ok += i < N && pk[i]->capture_us == src[i]->capture_us;
		printf("packet %d: %zu bytes%s, capture_us %llu\n", i, pk[i]->len, pk[i]->keyframe ? " key" : "",
		       (unsigned long long)pk[i]->capture_us);
	}
	LCHECK(magic == np, "every packet is an FWHT frame (%d)", magic);
	LCHECK(ts_ok == N, "capture times carried through the encoder (%d/%d)", ts_ok, N);
	{
		struct m2m_stats st;

		/* venc is opaque: a second direct instance shows the negotiated setup */
		struct m2m *m = NULL;

		if (m2m_enc_open(&m, &ep) == 0) {
			m2m_get_stats(m, &st);
			printf("encoder %s (%s): raw %.4s %dx%d, %d+%d buffers\n", st.path, st.card,
			       (char *)&st.raw_fourcc, st.width, st.height, st.out_bufs, st.cap_bufs);
			m2m_close(m);
		}
	}
	venc_close(enc);

	r = vdec_open(&dec, "v4l2m2m", &dp);
	if (LCHECK(r == 0, "decoder (vicodec stateful-decoder): %s", strerror(-r))) {
		struct vframe *out[N + 4] = { 0 };

		for (int i = 0; i < np; i++) {
			struct vframe *f = NULL;

			r = vdec_send_packet(dec, pk[i]);
			LCHECK(r == 0, "decode packet %d: %s", i, strerror(-r));
			while (nf < N + 4 && (r = vdec_receive_frame(dec, &f)) == 0)
				out[nf++] = f;
		}
		LCHECK(vdec_send_packet(dec, NULL) == 0, "drain (V4L2_DEC_CMD_STOP)");
		while (nf < N + 4) {
			struct vframe *f = NULL;

			r = vdec_receive_frame(dec, &f);
			if (r < 0)
				break;
			out[nf++] = f;
		}
		LCHECK(r == -ENODATA, "decoder end of stream: %s", strerror(-r));
		LCHECK(nf == N, "%d frames decoded", nf);
		for (int i = 0; i < nf && i < N; i++) {
			double p = out[i]->width == W && out[i]->height == H ? psnr_y(src[i], out[i]) : 0;

			worst = p < worst ? p : worst;
			ts_dec += out[i]->capture_us == src[i]->capture_us;
			vframe_unref(out[i]);
		}
		LCHECK(worst > 30, "round trip luma PSNR >= %.1f dB", worst);
		LCHECK(ts_dec == N, "capture times carried through the decoder (%d/%d)", ts_dec, N);
		vdec_close(dec);
	}
	for (int i = 0; i < N; i++)
		vframe_unref(src[i]);
	for (int i = 0; i < np; i++)
		mpkt_unref(pk[i]);
	lab_detail("vicodec FWHT %dx%d: %d frames -> %d packets -> %d frames, EOS both ways, PSNR %.1f dB",
		   W, H, N, np, nf, worst);
	return lab_exit();
}
