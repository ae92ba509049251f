/* test_sdp.c: SDP parsing/printing and offer/answer, including the real
 * baresip 1.0.0 offers in $RAKWON_SHARED/interop/samples (default
 * ../shared/interop/samples; a missing directory is a failure). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp/sdp.h"
#include "sdp/sdp_nego.h"
#include "sip/sip_msg.h"
#include "test.h"

static char *load_sample(const char *name, size_t *ret_len)
{
	const char *s = getenv("RAKWON_SHARED");
	char path[600];
	FILE *f;
	char *d;
	long n;

	snprintf(path, sizeof(path), "%s/interop/samples/%s", s && *s ? s : "../shared", name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
		fclose(f);
		return NULL;
	}
	d = malloc((size_t)n + 1);
	if (d && fread(d, 1, (size_t)n, f) != (size_t)n) {
		free(d);
		d = NULL;
	}
	fclose(f);
	if (d) {
		d[n] = '\0';
		*ret_len = (size_t)n;
	}
	return d;
}

/* the SDP body of a captured SIP message (parsed with our SIP parser) */
struct sample {
	char *data;
	struct sip_msg *m;
	const char *sdp;
	size_t sdp_len;
};

static int sample_open(struct sample *s, const char *name)
{
	size_t len;
	int r;

	memset(s, 0, sizeof(*s));
	s->data = load_sample(name, &len);
	if (!s->data)
		return -ENOENT;
	r = sip_msg_new(&s->m, s->data, len, 0);
	if (r < 0)
		return r;
	if (!pl_eq_str(&s->m->ctype, "application/sdp"))
		return -EBADMSG;
	s->sdp = s->m->body.p;
	s->sdp_len = s->m->body.l;
	return 0;
}

static void sample_close(struct sample *s)
{
	sip_msg_unref(s->m);
	free(s->data);
}

static void local_init(struct sdp_local *l, enum sdp_enc_policy enc)
{
	unsigned i;

	memset(l, 0, sizeof(*l));
	l->addr = "127.0.0.1";
	l->cname = "term@rakwon";
	l->sess_id = 42;
	l->sess_ver = 1;
	l->enc = enc;
	l->audio = (struct sdp_local_media){
		.enable = true, .port = 40002, .rtcp_mux = true, .dir = SDP_DIR_SENDRECV,
		.ssrc = 1111, .pt = 111, .te_pt = 101,
		.opus = { .maxaveragebitrate = 64000, .useinbandfec = true, .stereo = true,
			  .ptime = 20 },
	};
	l->video = (struct sdp_local_media){
		.enable = true, .port = 40000, .rtcp_mux = true, .dir = SDP_DIR_SENDRECV,
		.ssrc = 2222, .rtx_ssrc = 3333, .pt = 96, .rtx_pt = 97, .avpf = false,
		.bw_as = 2000, .bw_tias = 2000000,
		.h264 = { .profile_level_id = 0x42e01f, .packetization_mode = 1,
			  .level_asymmetry_allowed = true },
	};
	for (i = 0; i < SDP_MAX_KEYLEN; i++) {
		l->audio.key[i] = (uint8_t)(i + 1);
		l->audio.key_gcm[i] = (uint8_t)(i + 101);
		l->video.key[i] = (uint8_t)(i + 51);
		l->video.key_gcm[i] = (uint8_t)(i + 151);
	}
}

static bool has_line(const struct buf *b, const char *line)
{
	char tmp[256];

	snprintf(tmp, sizeof(tmp), "%s\r\n", line);
	return memmem(b->data, b->len, tmp, strlen(tmp)) != NULL;
}

/* answer a baresip offer and check the common outcome */
static void check_baresip_answer(const char *file, enum sdp_enc_policy enc, bool secure,
				 const char *proto)
{
	struct sample s;
	struct sdp_local loc;
	struct sdp_result res;
	struct sdp_sess *ans = malloc(sizeof(*ans));
	struct buf *b;
	char line[128];
	uint8_t key[64];
	size_t kl;

	CHECK(ans);
	CHECK_MSG(sample_open(&s, file) == 0, "%s: cannot load/parse (RAKWON_SHARED?)", file);
	local_init(&loc, enc);
	CHECK_OK(buf_new(&b, 0));
	CHECK_OK(sdp_nego_answer(&loc, s.sdp, s.sdp_len, b, &res));
	CHECK_EQ(res.nmedia, 2);
	/* audio: baresip's opus PT 96 reused, telephone-event 101/8000 */
	CHECK(res.m[0].active && res.m[0].kind == SDP_KIND_AUDIO);
	CHECK_EQ(res.m[0].pt, 96);
	CHECK_EQ(res.m[0].te_pt, 101);
	CHECK_EQ(res.m[0].te_clock, 8000);
	CHECK(res.m[0].opus.stereo && res.m[0].opus.maxaveragebitrate == 32000);
	CHECK_EQ(res.m[0].opus.ptime, 20);
	CHECK_STR(res.m[0].remote_addr, "127.0.0.1");
	CHECK(res.m[0].remote_rtp > 1024 && res.m[0].remote_rtcp == res.m[0].remote_rtp + 1);
	CHECK(!res.m[0].mux); /* baresip runs rtcp_mux no */
	CHECK_EQ(res.m[0].dir, SDP_DIR_SENDRECV);
	CHECK(res.m[0].remote_ssrc != 0);
	/* video: H264 pm1 is PT 97, not the pm0 PT 96 */
	CHECK(res.m[1].active && res.m[1].kind == SDP_KIND_VIDEO);
	CHECK_EQ(res.m[1].pt, 97);
	CHECK_EQ(res.m[1].h264.packetization_mode, 1);
	CHECK_EQ(res.m[1].h264.profile_level_id, 0x42e01f);
	CHECK_EQ(res.m[1].fb, SDP_FB_PLI);
	CHECK_EQ(res.m[1].rtx_pt, -1);
	CHECK_EQ(res.m[0].secure, secure);
	CHECK_EQ(res.m[1].secure, secure);
	snprintf(line, sizeof(line), "m=audio 40002 %s 96 101", proto);
	CHECK_MSG(has_line(b, line), "%s missing in\n%.*s", line, (int)b->len, b->data);
	snprintf(line, sizeof(line), "m=video 40000 %s 97", proto);
	CHECK_MSG(has_line(b, line), "%s missing", line);
	CHECK(has_line(b, "a=rtpmap:97 H264/90000"));
	CHECK(has_line(b, "a=rtpmap:101 telephone-event/8000"));
	CHECK(has_line(b, "a=rtcp-fb:97 nack pli"));
	CHECK(!memmem(b->data, b->len, "a=rtcp-mux", 10));
	CHECK(memmem(b->data, b->len, "a=fmtp:97 profile-level-id=42e01f;packetization-mode=1", 54));
	if (secure) {
		const struct sdp_attr *a;
		struct sdp_sess *off = malloc(sizeof(*off));
		struct sdp_crypto c;

		CHECK(off);
		CHECK_EQ(res.m[0].suite, SDP_SUITE_AES_CM_128_HMAC_SHA1_80);
		CHECK_EQ(res.m[0].keylen, 30);
		/* rx key = the key baresip offered for that m= line */
		CHECK_OK(sdp_parse(off, s.sdp, s.sdp_len));
		a = sdp_media_attr(&off->media[1], "crypto", 0);
		CHECK(a);
		CHECK_OK(sdp_crypto_parse(&c, &a->val));
		CHECK(memcmp(res.m[1].rx_key, c.key, 30) == 0);
		CHECK(memcmp(res.m[1].tx_key, loc.video.key, 30) == 0);
		free(off);
		/* our answer carries our key with the offer's tag */
		CHECK_OK(sdp_parse(ans, (const char *)b->data, b->len));
		a = sdp_media_attr(&ans->media[0], "crypto", 0);
		CHECK(a && sdp_media_attr(&ans->media[0], "crypto", 1) == NULL);
		CHECK_OK(sdp_crypto_parse(&c, &a->val));
		CHECK(c.tag == 1 && c.suite == SDP_SUITE_AES_CM_128_HMAC_SHA1_80);
		CHECK(memcmp(c.key, loc.audio.key, 30) == 0);
	} else {
		CHECK(!memmem(b->data, b->len, "a=crypto", 8));
	}
	/* the answer is valid SDP and itself negotiable */
	CHECK_OK(sdp_parse(ans, (const char *)b->data, b->len));
	CHECK_EQ(ans->nmedia, 2);
	CHECK_OK(sdp_base64_decode(&(struct pl){ "AAEC", 4 }, key, sizeof(key), &kl));
	CHECK_EQ(kl, 3);
	free(ans);
	buf_unref(b);
	sample_close(&s);
}

TEST(baresip_none_preferred)
{
	check_baresip_answer("baresip-none-INVITE.txt", SDP_ENC_PREFERRED, false, "RTP/AVP");
}

TEST(baresip_none_off)
{
	check_baresip_answer("baresip-none-INVITE.txt", SDP_ENC_OFF, false, "RTP/AVP");
}

TEST(baresip_srtp_best_effort)
{
	/* RTP/AVP with a=crypto: SRTP when we prefer or require it */
	check_baresip_answer("baresip-srtp-INVITE.txt", SDP_ENC_PREFERRED, true, "RTP/AVP");
	check_baresip_answer("baresip-srtp-INVITE.txt", SDP_ENC_REQUIRED, true, "RTP/AVP");
	check_baresip_answer("baresip-srtp-INVITE.txt", SDP_ENC_OFF, false, "RTP/AVP");
}

TEST(baresip_srtp_mandatory)
{
	check_baresip_answer("baresip-srtp-mand-INVITE.txt", SDP_ENC_PREFERRED, true, "RTP/SAVP");
	check_baresip_answer("baresip-srtp-mand-INVITE.txt", SDP_ENC_REQUIRED, true, "RTP/SAVP");
}

static int answer_file(const char *file, enum sdp_enc_policy enc)
{
	struct sample s;
	struct sdp_local loc;
	struct sdp_result res;
	struct buf *b;
	int r;

	r = sample_open(&s, file);
	if (r < 0)
		return -ENOENT * 1000 + r;
	local_init(&loc, enc);
	if (buf_new(&b, 0) < 0)
		return -ENOMEM;
	r = sdp_nego_answer(&loc, s.sdp, s.sdp_len, b, &res);
	buf_unref(b);
	sample_close(&s);
	return r;
}

TEST(baresip_488_cases)
{
	/* plain offer, we require SRTP */
	CHECK_EQ(answer_file("baresip-none-INVITE.txt", SDP_ENC_REQUIRED), -EPROTO);
	/* SAVP offer, we refuse SRTP */
	CHECK_EQ(answer_file("baresip-srtp-mand-INVITE.txt", SDP_ENC_OFF), -EPROTO);
	/* DTLS-SRTP is not supported in any mode */
	CHECK_EQ(answer_file("baresip-dtls_srtp-INVITE.txt", SDP_ENC_PREFERRED), -EPROTO);
	CHECK_EQ(answer_file("baresip-dtls_srtp-INVITE.txt", SDP_ENC_REQUIRED), -EPROTO);
}

TEST(baresip_all_samples_roundtrip)
{
	static const char *const files[] = {
		"baresip-dtls_srtp-200.txt", "baresip-dtls_srtp-INVITE.txt",
		"baresip-none-200.txt",	     "baresip-none-INVITE.txt",
		"baresip-srtp-200.txt",	     "baresip-srtp-INVITE.txt",
		"baresip-srtp-mand-200.txt", "baresip-srtp-mand-INVITE.txt",
	};
	struct sdp_sess *a = malloc(sizeof(*a)), *b2 = malloc(sizeof(*b2));
	unsigned i, k, j;

	CHECK(a && b2);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct sample s;
		struct buf *b;

		CHECK_MSG(sample_open(&s, files[i]) == 0, "%s", files[i]);
		CHECK_OK(sdp_parse(a, s.sdp, s.sdp_len));
		CHECK_OK(buf_new(&b, 0));
		CHECK_OK(sdp_print(b, a));
		/* the baresip SDP is already canonical: printing gives the same bytes */
		CHECK_MSG(b->len == s.sdp_len && memcmp(b->data, s.sdp, b->len) == 0,
			  "%s: print differs", files[i]);
		CHECK_OK(sdp_parse(b2, (const char *)b->data, b->len));
		CHECK_EQ(a->nmedia, b2->nmedia);
		for (k = 0; k < a->nmedia; k++) {
			CHECK_EQ(a->media[k].nattr, b2->media[k].nattr);
			CHECK_EQ(a->media[k].nfmt, b2->media[k].nfmt);
			for (j = 0; j < a->media[k].nattr; j++)
				CHECK(pl_eq(&a->media[k].attr[j].val, &b2->media[k].attr[j].val));
		}
		buf_unref(b);
		sample_close(&s);
	}
	free(a);
	free(b2);
}

/* ---- synthetic offers ---------------------------------------------------- */

static const char *const base_offer =
	"v=0\r\n"
	"o=peer 1 1 IN IP4 192.0.2.10\r\n"
	"s=-\r\n"
	"c=IN IP4 192.0.2.10\r\n"
	"t=0 0\r\n"
	"m=audio 5000 RTP/AVP 0 120 101 100\r\n"
	"a=rtpmap:120 OPUS/48000/2\r\n"
	"a=fmtp:120 useinbandfec=1; usedtx=1;maxaveragebitrate=40000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=rtpmap:100 telephone-event/48000\r\n"
	"a=maxptime:60\r\n"
	"%s"
	"m=video 5002 RTP/AVPF 100 101 102\r\n"
	"b=AS:1500\r\n"
	"b=TIAS:1400000\r\n"
	"a=rtpmap:100 H264/90000\r\n"
	"a=fmtp:100 profile-level-id=42801f;packetization-mode=0\r\n"
	"a=rtpmap:101 H264/90000\r\n"
	"a=fmtp:101 profile-level-id=64001f;packetization-mode=1;max-fs=3600;max-mbps=108000\r\n"
	"a=rtpmap:102 rtx/90000\r\n"
	"a=fmtp:102 apt=101\r\n"
	"a=rtcp-fb:101 nack\r\n"
	"a=rtcp-fb:101 nack pli\r\n"
	"a=rtcp-fb:101 ccm fir\r\n"
	"a=rtcp-fb:100 goog-remb\r\n"
	"a=rtcp-mux\r\n"
	"a=rtcp:5003\r\n"
	"a=ssrc-group:FID 11 12\r\n"
	"a=ssrc:11 cname:x\r\n"
	"a=ssrc:12 cname:x\r\n"
	"%s";

static int answer_text(const struct sdp_local *loc, const char *audio_extra,
		       const char *video_extra, struct buf *b, struct sdp_result *res)
{
	char text[4096];

	snprintf(text, sizeof(text), base_offer, audio_extra, video_extra);
	return sdp_nego_answer(loc, text, strlen(text), b, res);
}

TEST(nego_codec_choice)
{
	struct sdp_local loc;
	struct sdp_result res;
	struct buf *b;

	local_init(&loc, SDP_ENC_PREFERRED);
	CHECK_OK(buf_new(&b, 0));
	CHECK_OK(answer_text(&loc, "", "", b, &res));
	CHECK_EQ(res.m[0].pt, 120);                /* opus after PCMU: PCMU not acceptable */
	CHECK_EQ(res.m[0].te_pt, 100);             /* the 48 kHz telephone-event */
	CHECK_EQ(res.m[0].te_clock, 48000);
	CHECK(res.m[0].opus.useinbandfec && res.m[0].opus.usedtx);
	CHECK_EQ(res.m[0].opus.maxaveragebitrate, 40000);
	CHECK_EQ(res.m[0].opus.maxptime, 60);
	CHECK_EQ(res.m[0].mux, false);             /* audio offered no rtcp-mux */
	CHECK_EQ(res.m[1].pt, 101);
	CHECK_EQ(res.m[1].rtx_pt, 102);
	CHECK_EQ(res.m[1].fb, SDP_FB_NACK | SDP_FB_PLI | SDP_FB_FIR);
	CHECK(res.m[1].mux && res.m[1].remote_rtcp == 5002 && res.m[1].local_rtcp == 40000);
	CHECK(res.m[1].avpf);
	CHECK_EQ(res.m[1].h264.profile_level_id, 0x64001f);
	CHECK_EQ(res.m[1].h264.max_fs, 3600);
	CHECK_EQ(res.m[1].h264.max_mbps, 108000);
	CHECK_EQ(res.m[1].bw_as, 1500);
	CHECK_EQ(res.m[1].bw_tias, 1400000);
	CHECK_EQ(res.m[1].remote_ssrc, 11);
	CHECK_EQ(res.m[1].remote_rtx_ssrc, 12);
	CHECK_STR(res.m[1].remote_addr, "192.0.2.10");
	CHECK(has_line(b, "m=audio 40002 RTP/AVP 120 100"));
	CHECK(has_line(b, "m=video 40000 RTP/AVPF 101 102"));
	CHECK(has_line(b, "a=fmtp:102 apt=101"));
	CHECK(has_line(b, "a=rtcp-mux"));
	CHECK(has_line(b, "a=ssrc-group:FID 2222 3333"));
	CHECK(has_line(b, "b=AS:2000"));
	CHECK(has_line(b, "b=TIAS:2000000"));
	/* level-asymmetry-allowed absent in the offer: same profile, level min */
	CHECK(memmem(b->data, b->len, "a=fmtp:101 profile-level-id=64001f;packetization-mode=1", 55));
	buf_unref(b);
}

TEST(nego_pm0_only_rejects_video)
{
	static const char offer[] =
		"v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
		"m=audio 5000 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n"
		"m=video 5002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
		"a=fmtp:96 profile-level-id=42e01f\r\n";
	static const char video_only[] =
		"v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
		"m=video 5002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
		"a=fmtp:96 packetization-mode=0\r\n";
	struct sdp_local loc;
	struct sdp_result res;
	struct buf *b;

	local_init(&loc, SDP_ENC_PREFERRED);
	CHECK_OK(buf_new(&b, 0));
	CHECK_OK(sdp_nego_answer(&loc, offer, sizeof(offer) - 1, b, &res));
	CHECK(res.m[0].active && !res.m[1].active);
	CHECK(has_line(b, "m=video 0 RTP/AVP 96"));
	CHECK_EQ(sdp_nego_answer(&loc, video_only, sizeof(video_only) - 1, b, &res), -EPROTO);
	buf_unref(b);
}

TEST(nego_hold_directions)
{
	static const struct {
		const char *extra;
		enum sdp_dir local, want;
		const char *line;
	} cases[] = {
		{ "a=sendonly\r\n", SDP_DIR_SENDRECV, SDP_DIR_RECVONLY, "a=recvonly" },
		{ "a=recvonly\r\n", SDP_DIR_SENDRECV, SDP_DIR_SENDONLY, "a=sendonly" },
		{ "a=inactive\r\n", SDP_DIR_SENDRECV, SDP_DIR_INACTIVE, "a=inactive" },
		{ "", SDP_DIR_SENDRECV, SDP_DIR_SENDRECV, "a=sendrecv" },
		{ "", SDP_DIR_SENDONLY, SDP_DIR_SENDONLY, "a=sendonly" },   /* we hold */
		{ "a=sendonly\r\n", SDP_DIR_SENDONLY, SDP_DIR_INACTIVE, "a=inactive" },
		/* RFC 2543 hold */
		{ "c=IN IP4 0.0.0.0\r\n", SDP_DIR_SENDRECV, SDP_DIR_RECVONLY, "a=recvonly" },
	};
	struct sdp_local loc;
	struct sdp_result res;
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf *b;

		local_init(&loc, SDP_ENC_PREFERRED);
		loc.audio.dir = cases[i].local;
		CHECK_OK(buf_new(&b, 0));
		CHECK_OK(answer_text(&loc, cases[i].extra, "", b, &res));
		CHECK_MSG(res.m[0].dir == cases[i].want, "case %u: dir %d", i, res.m[0].dir);
		CHECK_MSG(has_line(b, cases[i].line), "case %u: %s missing", i, cases[i].line);
		CHECK_EQ(res.m[1].dir, SDP_DIR_SENDRECV);
		buf_unref(b);
	}
}

TEST(nego_crypto_policy)
{
	static const char *const crypto =
		"a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4\r\n"
		"a=crypto:2 AEAD_AES_128_GCM inline:a2tra2tra2tra2tra2tra2tra2tra2tra2traw==\r\n"
		"a=crypto:3 FOO_BAR inline:AAAA\r\n";
	static const enum sdp_suite only32[] = { SDP_SUITE_AES_CM_128_HMAC_SHA1_32,
						 SDP_SUITE_NONE };
	struct sdp_local loc;
	struct sdp_result res;
	struct buf *b;

	local_init(&loc, SDP_ENC_PREFERRED);
	CHECK_OK(buf_new(&b, 0));
	/* strongest suite first: GCM */
	CHECK_OK(answer_text(&loc, crypto, "", b, &res));
	CHECK(res.m[0].secure && res.m[0].suite == SDP_SUITE_AEAD_AES_128_GCM);
	CHECK_EQ(res.m[0].crypto_tag, 2);
	CHECK_EQ(res.m[0].keylen, 28);
	CHECK(memcmp(res.m[0].tx_key, loc.audio.key_gcm, 28) == 0);
	CHECK(!res.m[1].secure); /* no crypto on video: plain RTP is allowed */
	/* restricted suite list */
	b->len = 0;
	loc.suites = only32;
	CHECK_OK(answer_text(&loc, crypto, "", b, &res));
	CHECK(res.m[0].suite == SDP_SUITE_AES_CM_128_HMAC_SHA1_32 && res.m[0].crypto_tag == 1);
	CHECK(memmem(b->data, b->len, "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:", 42));
	/* required: the video without crypto is rejected, audio goes on */
	b->len = 0;
	loc.suites = NULL;
	loc.enc = SDP_ENC_REQUIRED;
	CHECK_OK(answer_text(&loc, crypto, "", b, &res));
	CHECK(res.m[0].active && res.m[0].secure && !res.m[1].active);
	/* required, no crypto anywhere: 488 */
	CHECK_EQ(answer_text(&loc, "", "", b, &res), -EPROTO);
	/* off: crypto ignored on RTP/AVP */
	b->len = 0;
	loc.enc = SDP_ENC_OFF;
	CHECK_OK(answer_text(&loc, crypto, "", b, &res));
	CHECK(!res.m[0].secure && !memmem(b->data, b->len, "a=crypto", 8));
	buf_unref(b);
}

TEST(nego_offer_answer_loop)
{
	struct sdp_local a, bl;
	struct sdp_result ra, rb;
	struct buf *offer, *answer;
	unsigned i;

	local_init(&a, SDP_ENC_REQUIRED);
	a.video.avpf = true;
	local_init(&bl, SDP_ENC_PREFERRED);
	for (i = 0; i < SDP_MAX_KEYLEN; i++) {
		bl.audio.key[i] ^= 0x5a;
		bl.video.key[i] ^= 0xa5;
		bl.audio.key_gcm[i] ^= 0x33;
		bl.video.key_gcm[i] ^= 0x44;
	}
	bl.audio.port = 50000;
	bl.video.port = 50002;
	bl.video.pt = 120; /* the answerer must still use the offer's PTs */
	CHECK_OK(buf_new(&offer, 0));
	CHECK_OK(buf_new(&answer, 0));
	CHECK_OK(sdp_nego_offer(&a, offer));
	CHECK(has_line(offer, "m=video 40000 RTP/SAVPF 96 97"));
	CHECK(has_line(offer, "a=rtcp-fb:96 ccm fir"));
	CHECK_OK(sdp_nego_answer(&bl, (const char *)offer->data, offer->len, answer, &rb));
	CHECK_OK(sdp_nego_apply_answer(&a, (const char *)answer->data, answer->len, &ra));
	CHECK_EQ(ra.nmedia, 2);
	for (i = 0; i < 2; i++) {
		CHECK(ra.m[i].active && rb.m[i].active);
		CHECK(ra.m[i].secure && rb.m[i].secure);
		CHECK_EQ(ra.m[i].suite, SDP_SUITE_AEAD_AES_128_GCM);
		CHECK_EQ(ra.m[i].suite, rb.m[i].suite);
		CHECK(memcmp(ra.m[i].tx_key, rb.m[i].rx_key, ra.m[i].keylen) == 0);
		CHECK(memcmp(ra.m[i].rx_key, rb.m[i].tx_key, ra.m[i].keylen) == 0);
		CHECK(memcmp(ra.m[i].tx_key, ra.m[i].rx_key, ra.m[i].keylen) != 0);
		CHECK_EQ(ra.m[i].pt, rb.m[i].pt);
		CHECK(ra.m[i].mux && rb.m[i].mux);
		CHECK_EQ(ra.m[i].remote_rtp, rb.m[i].local_rtp);
		CHECK_EQ(rb.m[i].remote_rtp, ra.m[i].local_rtp);
	}
	CHECK_EQ(rb.m[1].pt, 96);
	CHECK_EQ(ra.m[1].rtx_pt, 97);
	CHECK_EQ(ra.m[1].fb, SDP_FB_NACK | SDP_FB_PLI | SDP_FB_FIR);
	CHECK_EQ(ra.m[1].remote_ssrc, 2222);
	CHECK_EQ(ra.m[1].remote_rtx_ssrc, 3333);
	CHECK_EQ(ra.m[0].te_pt, 101);
	/* an answer that drops crypto breaks a required offer */
	{
		static const char bad[] =
			"v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
			"m=audio 5000 RTP/SAVP 111\r\na=rtpmap:111 opus/48000/2\r\n"
			"m=video 0 RTP/SAVPF 96\r\n";
		CHECK_EQ(sdp_nego_apply_answer(&a, bad, sizeof(bad) - 1, &ra), -EPROTO);
	}
	buf_unref(offer);
	buf_unref(answer);
}

TEST(nego_audio_level_extmap)
{
	struct sdp_local a, bl;
	struct sdp_result ra, rb, res;
	struct buf *offer, *answer, *b;

	/* offer/answer between two ends that both send RFC 6464 levels */
	local_init(&a, SDP_ENC_OFF);
	local_init(&bl, SDP_ENC_OFF);
	a.audio.level_ext_id = 1;
	bl.audio.level_ext_id = 5;       /* the answerer takes the offer's id */
	CHECK_OK(buf_new(&offer, 0));
	CHECK_OK(buf_new(&answer, 0));
	CHECK_OK(buf_new(&b, 0));
	CHECK_OK(sdp_nego_offer(&a, offer));
	CHECK(has_line(offer, "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level"));
	CHECK_OK(sdp_nego_answer(&bl, (const char *)offer->data, offer->len, answer, &rb));
	CHECK_EQ(rb.m[0].level_ext_id, 1);
	CHECK_EQ(rb.m[1].level_ext_id, 0);   /* video: never */
	CHECK(has_line(answer, "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level"));
	CHECK_OK(sdp_nego_apply_answer(&a, (const char *)answer->data, answer->len, &ra));
	CHECK_EQ(ra.m[0].level_ext_id, 1);
	/* a peer's id with a direction, among other extensions */
	CHECK_OK(answer_text(&bl, "a=extmap:2 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
			     "a=extmap:3/sendrecv urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on\r\n",
			     "", b, &res));
	CHECK_EQ(res.m[0].level_ext_id, 3);
	CHECK(has_line(b, "a=extmap:3 urn:ietf:params:rtp-hdrext:ssrc-audio-level"));
	CHECK(!memmem(b->data, b->len, "sdes:mid", 8));
	/* an id only the two-byte form can carry, or no local support: none */
	b->len = 0;
	CHECK_OK(answer_text(&bl, "a=extmap:15 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n", "", b,
			     &res));
	CHECK_EQ(res.m[0].level_ext_id, 0);
	CHECK(!memmem(b->data, b->len, "a=extmap", 8));
	bl.audio.level_ext_id = 0;
	b->len = 0;
	CHECK_OK(answer_text(&bl, "a=extmap:3 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n", "", b,
			     &res));
	CHECK_EQ(res.m[0].level_ext_id, 0);
	CHECK(!memmem(b->data, b->len, "a=extmap", 8));
	buf_unref(offer);
	buf_unref(answer);
	buf_unref(b);
}

TEST(sdp_limits_and_errors)
{
	struct sdp_sess *s = malloc(sizeof(*s));
	char *text = malloc(SDP_MAX_SIZE + 100);
	size_t n;
	unsigned i;

	CHECK(s && text);
	/* too many media sections */
	n = (size_t)sprintf(text, "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n");
	for (i = 0; i <= SDP_MAX_MEDIA; i++)
		n += (size_t)sprintf(text + n, "m=audio %u RTP/AVP 0\r\n", 1000 + i);
	CHECK_EQ(sdp_parse(s, text, n), -E2BIG);
	/* too many attributes */
	n = (size_t)sprintf(text, "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\n");
	for (i = 0; i <= SDP_MAX_ATTR; i++)
		n += (size_t)sprintf(text + n, "a=x%u\r\n", i);
	CHECK_EQ(sdp_parse(s, text, n), -E2BIG);
	/* too many formats */
	n = (size_t)sprintf(text, "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP");
	for (i = 0; i <= SDP_MAX_FMT; i++)
		n += (size_t)sprintf(text + n, " %u", i);
	n += (size_t)sprintf(text + n, "\r\n");
	CHECK_EQ(sdp_parse(s, text, n), -E2BIG);
	/* malformed */
	CHECK_EQ(sdp_parse(s, "o=- 1 1 IN IP4 1.2.3.4\r\n", 24), -EBADMSG);
	CHECK_EQ(sdp_parse(s, "v=0\r\nxyz\r\n", 10), -EBADMSG);
	CHECK_EQ(sdp_parse(s, "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 70000 RTP/AVP 0\r\n", 66), -EBADMSG);
	CHECK_EQ(sdp_parse(s, "v=0\r\no=- 1\r\ns=-\r\nt=0 0\r\n", 24), -EBADMSG);
	/* LF-only line ends accepted */
	CHECK_OK(sdp_parse(s, "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nt=0 0\nm=audio 1 RTP/AVP 0\n", 56));
	CHECK_EQ(s->nmedia, 1);
	free(s);
	free(text);
}

TEST(sdp_crypto_and_base64)
{
	struct sdp_crypto c;
	struct buf *b;
	struct pl v = PL("7 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:32 KDR=1");
	uint8_t out[8];
	size_t n;

	CHECK_OK(sdp_crypto_parse(&c, &v));
	CHECK_EQ(c.tag, 7);
	CHECK_EQ(c.suite, SDP_SUITE_AES_CM_128_HMAC_SHA1_80);
	CHECK_EQ(c.keylen, 30);
	CHECK(pl_eq_str(&c.lifetime, "2^20") && pl_eq_str(&c.mki, "1:32"));
	CHECK(pl_eq_str(&c.session_params, "KDR=1"));
	CHECK_OK(buf_new(&b, 0));
	CHECK_OK(sdp_crypto_print(b, &c));
	CHECK_EQ(b->len, v.l);
	CHECK(memcmp(b->data, v.p, v.l) == 0); /* parse -> print is exact */
	buf_unref(b);
	/* wrong key length for the suite */
	v = PL("1 AES_CM_128_HMAC_SHA1_80 inline:AAAA");
	CHECK_EQ(sdp_crypto_parse(&c, &v), -EBADMSG);
	v = PL("1 AES_CM_128_HMAC_SHA1_80 notinline:AAAA");
	CHECK_EQ(sdp_crypto_parse(&c, &v), -EBADMSG);
	/* base64 */
	CHECK_OK(sdp_base64_decode(&PL("TWFu"), out, sizeof(out), &n));
	CHECK(n == 3 && memcmp(out, "Man", 3) == 0);
	CHECK_OK(sdp_base64_decode(&PL("TWE="), out, sizeof(out), &n));
	CHECK(n == 2 && memcmp(out, "Ma", 2) == 0);
	CHECK_EQ(sdp_base64_decode(&PL("TW=E"), out, sizeof(out), &n), -EBADMSG);
	CHECK_EQ(sdp_base64_decode(&PL("TWFuTWFuTWFu"), out, sizeof(out), &n), -ENOBUFS);
	CHECK_EQ(sdp_base64_decode(&PL("T!Fu"), out, sizeof(out), &n), -EBADMSG);
}

/* baresip's real answers, applied as if we had made the matching offer */
TEST(baresip_answers_applied)
{
	static const enum sdp_suite sdes80[] = { SDP_SUITE_AES_CM_128_HMAC_SHA1_80,
						 SDP_SUITE_NONE };
	struct sample s;
	struct sdp_local loc;
	struct sdp_result res;
	struct sdp_sess *a = malloc(sizeof(*a));
	const struct sdp_attr *at;
	struct sdp_crypto c;

	CHECK(a);
	local_init(&loc, SDP_ENC_PREFERRED);
	loc.audio.pt = 96;
	loc.video.pt = 97;
	loc.video.rtx_ssrc = 0;
	CHECK_MSG(sample_open(&s, "baresip-none-200.txt") == 0, "sample missing");
	CHECK_OK(sdp_nego_apply_answer(&loc, s.sdp, s.sdp_len, &res));
	CHECK(res.m[0].active && res.m[0].pt == 96 && res.m[0].te_pt == 101);
	CHECK(res.m[0].opus.stereo && res.m[0].remote_rtp == 36060);
	CHECK(res.m[1].active && res.m[1].pt == 97 && res.m[1].h264.packetization_mode == 1);
	CHECK(res.m[1].remote_rtp == 36034 && res.m[1].remote_rtcp == 36035);
	CHECK(!res.m[0].secure && !res.m[1].secure && res.m[1].fb == SDP_FB_PLI);
	sample_close(&s);
	/* SAVP answer: keys each way */
	loc.enc = SDP_ENC_REQUIRED;
	loc.suites = sdes80;
	CHECK_OK(sample_open(&s, "baresip-srtp-mand-200.txt"));
	CHECK_OK(sdp_nego_apply_answer(&loc, s.sdp, s.sdp_len, &res));
	CHECK_OK(sdp_parse(a, s.sdp, s.sdp_len));
	at = sdp_media_attr(&a->media[1], "crypto", 0);
	CHECK(at);
	CHECK_OK(sdp_crypto_parse(&c, &at->val));
	CHECK(res.m[1].secure && res.m[1].suite == SDP_SUITE_AES_CM_128_HMAC_SHA1_80);
	CHECK(memcmp(res.m[1].rx_key, c.key, 30) == 0);
	CHECK(memcmp(res.m[1].tx_key, loc.video.key, 30) == 0);
	sample_close(&s);
	/* the same answer does not fit a plain offer (profile mismatch) */
	loc.enc = SDP_ENC_PREFERRED;
	CHECK_OK(sample_open(&s, "baresip-srtp-mand-200.txt"));
	CHECK_EQ(sdp_nego_apply_answer(&loc, s.sdp, s.sdp_len, &res), -EPROTO);
	sample_close(&s);
	free(a);
}
