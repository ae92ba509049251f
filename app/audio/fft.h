/* fft.h: small real FFT (radix-2, single precision) for the audio chain. */
#ifndef RAKWON_AUDIO_FFT_H
#define RAKWON_AUDIO_FFT_H

struct fft;

/* n: power of two, 16..4M. All tables and scratch are allocated here. */
int fft_new(struct fft **ret, unsigned n);
struct fft *fft_free(struct fft *f);
unsigned fft_size(const struct fft *f);
/* in: n real samples; re/im: n/2+1 bins (unnormalised DFT) */
void fft_forward(struct fft *f, const float *in, float *re, float *im);
/* re/im: n/2+1 bins (imaginary parts of bin 0 and n/2 ignored); out: n samples,
 * scaled so that fft_inverse(fft_forward(x)) == x. out may not alias re/im. */
void fft_inverse(struct fft *f, const float *re, const float *im, float *out);

#endif
