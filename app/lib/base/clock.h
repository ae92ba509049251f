/* clock.h: monotonic and wall clocks in microseconds, NTP timestamps. */
#ifndef RAKWON_BASE_CLOCK_H
#define RAKWON_BASE_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in microseconds: every media timestamp uses this timebase */
uint64_t clock_now_us(void);
/* CLOCK_REALTIME in microseconds since the Unix epoch */
uint64_t clock_wall_us(void);
/* wall clock as a 64-bit NTP timestamp (RFC 3550 section 4) */
uint64_t clock_ntp_now(void);
uint64_t clock_us_to_ntp(uint64_t wall_us);
uint64_t clock_ntp_to_us(uint64_t ntp);
/* Sleep until the monotonic time deadline_us (absolute), restarting on EINTR. */
void clock_sleep_until_us(uint64_t deadline_us);

#endif
