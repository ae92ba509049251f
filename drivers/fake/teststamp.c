/* teststamp.c: draw and read the burnt-in frame number and capture time (see teststamp.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "drv/frame.h"
#include "drv/teststamp.h"
#include "lib/base/clock.h"

#define STAMP_COLS 26
#define STAMP_ROWS 4
#define STAMP_SYNC 4
#define STAMP_DATA (STAMP_COLS - STAMP_SYNC)   /* bits per row */
#define Y_BLACK 16
#define Y_WHITE 235
#define Y_BAND 40                              /* band background */
#define US40_MASK ((1ULL << 40) - 1)

static const uint8_t sync_bits[STAMP_ROWS][STAMP_SYNC] = {
	{ 1, 0, 1, 0 }, { 0, 1, 1, 0 }, { 1, 0, 0, 1 }, { 0, 1, 0, 1 },
};

/* 5x7 digits, each row 5 bits, MSB left */
static const uint8_t font_digits[10][7] = {
	{ 0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e }, /* 0 */
	{ 0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e }, /* 1 */
	{ 0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f }, /* 2 */
	{ 0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e }, /* 3 */
	{ 0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02 }, /* 4 */
	{ 0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e }, /* 5 */
	{ 0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e }, /* 6 */
	{ 0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08 }, /* 7 */
	{ 0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e }, /* 8 */
	{ 0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c }, /* 9 */
};

int teststamp_cell(int width)
{
	if (width >= STAMP_COLS * 16)
		return 16;
	if (width >= STAMP_COLS * 8)
		return 8;
	if (width >= STAMP_COLS * 4)
		return 4;
	return 0;
}

static int digit_scale(int cell)
{
	return cell >= 8 ? cell / 4 : 1;
}

int teststamp_band_height(int width)
{
	int cell = teststamp_cell(width);
	int h;

	if (!cell)
		return 0;
	h = STAMP_ROWS * cell + cell + 7 * digit_scale(cell);
	return (h + 1) & ~1;
}

static uint16_t crc16_ccitt(const uint8_t *p, size_t n)
{
	uint16_t crc = 0xffff;

	while (n--) {
		crc ^= (uint16_t)(*p++ << 8);
		for (int i = 0; i < 8; i++)
			crc = (uint16_t)(crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1);
	}
	return crc;
}

/* the 88 payload bits, MSB first: seq(32) us40(40) crc(16) */
static void payload_pack(uint8_t bits[STAMP_ROWS * STAMP_DATA], uint32_t seq, uint64_t us40)
{
	uint8_t b[11];
	uint16_t crc;

	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(seq >> (24 - 8 * i));
	for (int i = 0; i < 5; i++)
		b[4 + i] = (uint8_t)(us40 >> (32 - 8 * i));
	crc = crc16_ccitt(b, 9);
	b[9] = (uint8_t)(crc >> 8);
	b[10] = (uint8_t)crc;
	for (int i = 0; i < STAMP_ROWS * STAMP_DATA; i++)
		bits[i] = (uint8_t)((b[i / 8] >> (7 - i % 8)) & 1);
}

static void luma_fill(struct vframe *f, int x, int y, int w, int h, uint8_t v)
{
	for (int j = 0; j < h; j++)
		memset(f->data[0] + (size_t)(y + j) * f->stride[0] + x, v, (size_t)w);
}

/* neutral chroma over rows y0..y0+h (both even) */
static void chroma_neutral(struct vframe *f, int y0, int h)
{
	for (int j = y0 / 2; j < (y0 + h) / 2; j++) {
		if (f->fmt == VFMT_I420) {
			memset(f->data[1] + (size_t)j * f->stride[1], 128, (size_t)f->width / 2);
			memset(f->data[2] + (size_t)j * f->stride[2], 128, (size_t)f->width / 2);
		} else {
			memset(f->data[1] + (size_t)j * f->stride[1], 128, (size_t)f->width);
		}
	}
}

static int text_draw(struct vframe *f, int x, int y, int scale, const char *s)
{
	for (; *s; s++, x += 6 * scale) {
		if (*s < '0' || *s > '9')
			continue;
		if (x + 5 * scale > f->width)
			break;
		for (int r = 0; r < 7; r++)
			for (int c = 0; c < 5; c++)
				if (font_digits[*s - '0'][r] & (0x10 >> c))
					luma_fill(f, x + c * scale, y + r * scale, scale, scale,
						  Y_WHITE);
	}
	return x;
}

static int frame_check(const struct vframe *f)
{
	if (!f || (f->fmt != VFMT_I420 && f->fmt != VFMT_NV12) || !f->data[0])
		return -EINVAL;
	if (!teststamp_cell(f->width) || f->height < teststamp_band_height(f->width))
		return -ERANGE;
	return 0;
}

int teststamp_draw(struct vframe *f, uint32_t seq, uint64_t capture_us)
{
	uint8_t bits[STAMP_ROWS * STAMP_DATA];
	int r = frame_check(f), cell, band, scale;
	char txt[48];

	if (r < 0)
		return r;
	cell = teststamp_cell(f->width);
	band = teststamp_band_height(f->width);
	scale = digit_scale(cell);
	luma_fill(f, 0, 0, f->width, band, Y_BAND);
	chroma_neutral(f, 0, band);
	payload_pack(bits, seq, capture_us & US40_MASK);
	for (int row = 0; row < STAMP_ROWS; row++) {
		for (int col = 0; col < STAMP_COLS; col++) {
			int bit = col < STAMP_SYNC ? sync_bits[row][col]
						   : bits[row * STAMP_DATA + col - STAMP_SYNC];

			luma_fill(f, col * cell, row * cell, cell, cell, bit ? Y_WHITE : Y_BLACK);
		}
	}
	/* human-readable: frame number and capture time in ms */
	snprintf(txt, sizeof(txt), "%u  %llu", seq, (unsigned long long)(capture_us / 1000));
	text_draw(f, cell / 2, STAMP_ROWS * cell + cell / 2, scale, txt);
	return 0;
}

/* mean luma of the inner half of a cell (the edges blur under compression) */
static int cell_mean(const struct vframe *f, int col, int row, int cell)
{
	int q = cell / 4 ? cell / 4 : 1, n = 0;
	unsigned sum = 0;

	for (int y = row * cell + q; y < (row + 1) * cell - q; y++)
		for (int x = col * cell + q; x < (col + 1) * cell - q; x++, n++)
			sum += f->data[0][(size_t)y * f->stride[0] + x];
	return n ? (int)(sum / (unsigned)n) : 0;
}

int teststamp_read_raw(const struct vframe *f, uint32_t *ret_seq, uint64_t *ret_us40)
{
	uint8_t b[11] = { 0 };
	int r = frame_check(f), cell, lo = 0, hi = 0, thr, margin;
	uint64_t us40 = 0;
	uint32_t seq = 0;

	if (r < 0)
		return r;
	cell = teststamp_cell(f->width);
	/* the threshold adapts to the black and white levels of the sync cells
	 * (each row's pattern holds two of each), which compression shifts */
	for (int row = 0; row < STAMP_ROWS; row++)
		for (int col = 0; col < STAMP_SYNC; col++) {
			if (sync_bits[row][col])
				hi += cell_mean(f, col, row, cell);
			else
				lo += cell_mean(f, col, row, cell);
		}
	lo /= 2 * STAMP_ROWS;
	hi /= 2 * STAMP_ROWS;
	if (hi - lo < 48)
		return -EBADMSG;
	thr = (hi + lo) / 2;
	margin = (hi - lo) / 8;
	for (int row = 0; row < STAMP_ROWS; row++) {
		for (int col = 0; col < STAMP_COLS; col++) {
			int m = cell_mean(f, col, row, cell), bit = m > thr;

			if (m > thr - margin && m < thr + margin)
				return -EBADMSG;   /* neither black nor white */
			if (col < STAMP_SYNC) {
				if (bit != sync_bits[row][col])
					return -EBADMSG;
				continue;
			}
			if (bit) {
				int i = row * STAMP_DATA + col - STAMP_SYNC;

				b[i / 8] |= (uint8_t)(0x80 >> (i % 8));
			}
		}
	}
	if (crc16_ccitt(b, 9) != (uint16_t)(b[9] << 8 | b[10]))
		return -EBADMSG;
	for (int i = 0; i < 4; i++)
		seq = seq << 8 | b[i];
	for (int i = 0; i < 5; i++)
		us40 = us40 << 8 | b[4 + i];
	if (ret_seq)
		*ret_seq = seq;
	if (ret_us40)
		*ret_us40 = us40;
	return 0;
}

uint64_t teststamp_resolve_us(uint64_t us40, uint64_t now_us)
{
	uint64_t base = now_us & ~US40_MASK;
	uint64_t cand = base | (us40 & US40_MASK);

	/* pick the candidate within half a wrap (2^39 us, ~6.4 days) of now */
	if (cand > now_us && cand - now_us > (1ULL << 39) && cand >= (1ULL << 40))
		cand -= 1ULL << 40;
	else if (cand < now_us && now_us - cand > (1ULL << 39))
		cand += 1ULL << 40;
	return cand;
}

int teststamp_read(const struct vframe *f, uint32_t *ret_seq, uint64_t *ret_capture_us)
{
	uint64_t us40;
	uint32_t seq;
	int r = teststamp_read_raw(f, &seq, &us40);

	if (r < 0)
		return r;
	if (ret_seq)
		*ret_seq = seq;
	if (ret_capture_us)
		*ret_capture_us = teststamp_resolve_us(us40, clock_now_us());
	return 0;
}
