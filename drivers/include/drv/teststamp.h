/* teststamp.h: machine-readable frame number and capture time burnt into test video.
 *
 * The testsrc driver draws a stamp into the top band of every frame; a
 * receiver reads it back from the decoded picture to measure end-to-end
 * latency and to detect lost, repeated or reordered frames.
 *
 * Layout (luma only, so it survives any chroma subsampling): four rows of 26
 * square cells at the top-left of the picture; a cell is black (Y=16) for 0 and
 * white (Y=235) for 1. The cell size depends only on the width: 16 px when
 * width >= 416, 8 px when >= 208, 4 px when >= 104 (narrower frames cannot hold
 * a stamp: -ERANGE). Each row starts with a 4-cell sync pattern (1010, 0110,
 * 1001, 0101), then 22 data bits; the 88 bits, most significant first, are
 *     seq (32) | capture_us low 40 bits (40) | CRC-16/CCITT of the 9 bytes (16)
 * At 16 px the cells are macroblock-aligned and survive H.264 far below
 * 1 Mbit/s. The reader averages the inner half of each cell and thresholds
 * halfway between the black and white levels measured on the sync cells;
 * a cell too close to that threshold fails the read. Below the cells the frame
 * number and capture time (ms) are drawn in human-readable digits (5x7 font)
 * for eyes and screenshots; the whole band is teststamp_band_height() rows.
 *
 * capture_us is reconstructed to full 64-bit CLOCK_MONOTONIC microseconds as
 * the value nearest to clock_now_us() with the same low 40 bits, i.e. it is
 * exact as long as reader and writer run on the same machine within +-6 days.
 */
#ifndef RAKWON_DRV_TESTSTAMP_H
#define RAKWON_DRV_TESTSTAMP_H

#include <stdint.h>

struct vframe;

/* cell size in pixels for a frame this wide, 0 if too narrow */
int teststamp_cell(int width);
/* rows covered by the stamp band including the digits (0 if too small) */
int teststamp_band_height(int width);

/* Draw the stamp (and the digits) into f (I420 or NV12, even size).
 * Returns 0, -ERANGE if the frame is too small, -EINVAL on another format. */
int teststamp_draw(struct vframe *f, uint32_t seq, uint64_t capture_us);

/* Read the stamp from a decoded frame (I420 or NV12). ret_* are written only
 * on success. Returns 0, -EBADMSG when the sync pattern or the checksum does
 * not match (no stamp, or damaged), -ERANGE if too small, -EINVAL otherwise. */
int teststamp_read(const struct vframe *f, uint32_t *ret_seq, uint64_t *ret_capture_us);

/* The raw variant: the low 40 bits of capture_us as stored, without the
 * reconstruction against the local clock. */
int teststamp_read_raw(const struct vframe *f, uint32_t *ret_seq, uint64_t *ret_us40);
/* Reconstruct a 40-bit microsecond stamp against now_us (nearest value). */
uint64_t teststamp_resolve_us(uint64_t us40, uint64_t now_us);

#endif
