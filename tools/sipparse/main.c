/* main.c: rakwon-sipparse: SIP messages parsed per second on one core.
 *
 *   rakwon-sipparse FILE... [--secs S]
 *
 * Each FILE is one SIP message (e.g. a captured INVITE with SDP). The
 * messages are decoded round robin for S seconds (default 2) on the calling
 * thread; prints messages/s and microseconds per message as JSON. CPU time
 * (CLOCK_THREAD_CPUTIME_ID) is used, so a loaded machine does not skew it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sip/sip_msg.h"

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char *msgs[64];
	size_t lens[64];
	int n = 0;
	double secs = 2, t0, t;
	unsigned long long count = 0, bytes = 0, bad = 0;
	struct sip_msg *m = calloc(1, sizeof(*m));

	for (int i = 1; i < argc && n < 64; i++) {
		FILE *f;

		if (!strcmp(argv[i], "--secs") && i + 1 < argc) {
			secs = atof(argv[++i]);
			continue;
		}
		f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			return 1;
		}
		msgs[n] = malloc(65536);
		lens[n] = fread(msgs[n], 1, 65536, f);
		fclose(f);
		n++;
	}
	if (!n || !m) {
		fprintf(stderr, "usage: rakwon-sipparse FILE... [--secs S]\n");
		return 2;
	}
	t0 = cpu_s();
	do {
		for (int k = 0; k < 1000; k++) {
			int i = (int)(count % (unsigned)n);

			memset(m, 0, sizeof(*m));
			if (sip_msg_decode(m, msgs[i], lens[i], 0) < 0)
				bad++;
			bytes += lens[i];
			count++;
		}
		t = cpu_s() - t0;
	} while (t < secs);
	printf("{\"messages\":%llu,\"rejected\":%llu,\"cpu_s\":%.3f,\"msgs_per_s\":%.0f,"
	       "\"us_per_msg\":%.2f,\"mb_per_s\":%.1f}\n", count, bad, t, count / t, 1e6 * t / count,
	       bytes / t / 1e6);
	for (int i = 0; i < n; i++)
		free(msgs[i]);
	free(m);
	return 0;
}
