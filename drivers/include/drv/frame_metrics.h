/* frame_metrics.h: objective quality measures for tests and benchmarks. */
#ifndef RAKWON_DRV_FRAME_METRICS_H
#define RAKWON_DRV_FRAME_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct vframe;

/* Largest value returned for identical pictures (PSNR is infinite then). */
#define PSNR_MAX_DB 100.0

/* PSNR of the luma plane in dB (I420 or NV12, peak 255). Returns a negative
 * value if the frames differ in size or a format is unsupported. */
double vframe_psnr_y(const struct vframe *a, const struct vframe *b);
/* PSNR over all three I420 planes (MSE averaged over every sample, i.e.
 * weighted 4:1:1 by plane size); I420 or NV12; negative on mismatch. */
double vframe_psnr(const struct vframe *a, const struct vframe *b);

/* Normalized cross-correlation of two mono PCM signals over lags
 * -max_lag..max_lag, where lag L compares a[i] with b[i + L] (positive L: b is
 * late). Each lag is normalized by the energies of the overlapping parts, so
 * the result is in [-1, 1]; returns the largest value and its lag in *ret_lag
 * (may be NULL). Returns 0 and lag 0 if either signal is silent or empty. */
double pcm_xcorr_peak(const int16_t *a, size_t na, const int16_t *b, size_t nb, int max_lag,
		      int *ret_lag);

#endif
