/* sip_libre_parse.c: the same measurement as rakwon-sipbench with libre's
 * sip_msg_decode (the parser baresip uses), built by tests/bench/sip.sh. */
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <re.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct mbuf *mb[16];
	int n = 0;
	double secs = 2, t0, t;
	unsigned long long count = 0, bad = 0;

	for (int i = 1; i < argc && n < 16; i++) {
		char buf[65536];
		size_t len;
		FILE *f;

		if (!strcmp(argv[i], "--secs") && i + 1 < argc) {
			secs = atof(argv[++i]);
			continue;
		}
		f = fopen(argv[i], "rb");
		if (!f)
			return 1;
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		mb[n] = mbuf_alloc(len);
		mbuf_write_mem(mb[n], (uint8_t *)buf, len);
		n++;
	}
	if (!n)
		return 2;
	t0 = cpu_s();
	do {
		for (int k = 0; k < 1000; k++) {
			struct sip_msg *m = NULL;
			struct mbuf *b = mb[count % (unsigned)n];

			b->pos = 0;
			if (sip_msg_decode(&m, b))
				bad++;
			mem_deref(m);
			count++;
		}
		t = cpu_s() - t0;
	} while (t < secs);
	printf("{\"messages\":%llu,\"rejected\":%llu,\"cpu_s\":%.3f,\"msgs_per_s\":%.0f,"
	       "\"us_per_msg\":%.2f}\n", count, bad, t, count / t, 1e6 * t / count);
	return 0;
}
