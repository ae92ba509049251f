/* clock.c: clocks. */
#include <errno.h>
#include <time.h>

#include "lib/base/clock.h"

#define NTP_UNIX_OFFSET 2208988800ULL

static uint64_t ts_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t clock_now_us(void)
{
	return ts_us(CLOCK_MONOTONIC);
}

uint64_t clock_wall_us(void)
{
	return ts_us(CLOCK_REALTIME);
}

uint64_t clock_us_to_ntp(uint64_t us)
{
	uint64_t sec = us / 1000000ULL + NTP_UNIX_OFFSET;
	uint64_t frac = ((us % 1000000ULL) << 32) / 1000000ULL;

	return sec << 32 | frac;
}

uint64_t clock_ntp_to_us(uint64_t ntp)
{
	uint64_t sec = (ntp >> 32) - NTP_UNIX_OFFSET;
	uint64_t frac = ntp & 0xffffffffULL;

	return sec * 1000000ULL + ((frac * 1000000ULL) >> 32);
}

uint64_t clock_ntp_now(void)
{
	return clock_us_to_ntp(clock_wall_us());
}

void clock_sleep_until_us(uint64_t deadline_us)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline_us / 1000000ULL),
		.tv_nsec = (long)(deadline_us % 1000000ULL) * 1000,
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}
