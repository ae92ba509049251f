/* labutil.h: small helpers for the lab's guest programs (checks, sysfs, frames). */
#ifndef RAKWON_LAB_LABUTIL_H
#define RAKWON_LAB_LABUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "drv/frame.h"

extern int lab_failures;

/* print "ok: ..." or "FAIL: ..." (file:line) and count failures */
#define LCHECK(cond, ...) lab_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
bool lab_check(bool ok, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* the detail line shown next to PASS/FAIL ("## ...") */
void lab_detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* exit code for the guest runner: 0 if no LCHECK failed */
int lab_exit(void);
int lab_write_file(const char *path, const char *s);
int lab_read_file(const char *path, char *buf, int len);
/* FNV-1a over the visible pixels of plane 0 */
uint64_t lab_frame_hash(const struct vframe *f);
/* write an XRGB8888 / YUV frame as PPM (converted), for the artifacts */
int lab_write_ppm(const struct vframe *f, const char *path);
uint64_t lab_now_us(void);

#endif
