/*
 * fmt_test: fmt_fixed and fmt_ulong (out.c) must write exactly what
 * printf's "%.*f" and "%lu" write, and addr16_str (targets.c) what
 * inet_ntop writes for IPv4.  Halves, values near them, -0, NaN, infinities, large values,
 * then a few million pseudo-random ones of the shapes mping prints
 * (times in ms, percentages, Unix times).  Prints "N checks, F failed".
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "targets.h"
#include "unit_ref.h"

static void
check(double d, int prec)
{
	char a[64], b[64];

	fmt_fixed(a, sizeof(a), d, prec);
	snprintf(b, sizeof(b), "%.*f", prec, d);
	if (ref_failed(strcmp(a, b) != 0, 20))
		printf("%.17g prec %d: got %s, printf %s\n", d, prec, a, b);
}

static void
check_ulong(unsigned long v)
{
	char a[32], b[32];

	fmt_ulong(a, sizeof(a), v);
	snprintf(b, sizeof(b), "%lu", v);
	if (ref_failed(strcmp(a, b) != 0, 20))
		printf("%lu: got %s\n", v, a);
}

static void
check_addr4(const uint8_t a[16])
{
	char x[64], y[64];

	addr16_str(AF_INET, a, x, sizeof(x));
	inet_ntop(AF_INET, a + 12, y, sizeof(y));
	if (ref_failed(strcmp(x, y) != 0, 20))
		printf("%s: got %s\n", y, x);
}

/*
 * The record buffer: random pieces (some longer than the buffer, some
 * single characters) come out of the file in order, byte for byte.
 */
static void
check_obuf(void)
{
	static char want[1 << 16], piece[5000];
	struct obuf b;
	size_t n = 0, k, j, got;
	FILE *fp = tmpfile();
	char *back;
	int round;

	if (fp == NULL)
		return;
	for (round = 0; round < 40; round++) {
		obuf_init(&b, fp);
		while (n < sizeof(want) - sizeof(piece)) {
			k = (size_t)(rand() % 7 == 0 ? rand() % 5000 :
			    rand() % 40);
			for (j = 0; j < k; j++)
				piece[j] = (char)('a' + rand() % 26);
			if (k == 1)
				obuf_putc(&b, piece[0]);
			else
				obuf_putn(&b, piece, k);
			memcpy(want + n, piece, k);
			n += k;
			if (rand() % 3 == 0)
				break;
		}
		obuf_flush(&b);
	}
	back = malloc(n + 1);
	rewind(fp);
	got = back ? fread(back, 1, n + 1, fp) : 0;
	if (ref_failed(got != n || memcmp(back, want, n) != 0, 20))
		printf("obuf: wrote %zu bytes, read back %zu or different\n",
		    n, got);
	free(back);
	fclose(fp);
}

int
main(void)
{
	static const double special[] = { 0, -0.0, 0.5, 1.5, 2.5, 0.0005,
	    0.0015, 0.0025, 1.0005, 99.9995, 0.9995, 123456.0005, 1e6, 1e9,
	    2147483.6475, 2147483.6485, 4294967295.5, -1.5, -0.0004, 1e300,
	    NAN, INFINITY, -INFINITY, 5e-324, 1763900000.123456 };
	size_t i;
	double d;
	int p;

	for (p = 0; p <= 6; p++)
		for (i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
			check(special[i], p);
			check(nextafter(special[i], 0), p);
			check(nextafter(special[i], INFINITY), p);
		}
	for (i = 0; i < 3000000; i++) {
		switch (rnd() % 4) {
		case 0:	/* ms, three decimals and a hair */
			d = (double)(rnd() % 100000000) / 1000.0 +
			    ((double)(rnd() % 3) - 1) * 5e-4;
			break;
		case 1:	/* a ratio, like loss */
			d = 100.0 * (double)(rnd() % 1000) /
			    (double)(1 + rnd() % 1000);
			break;
		case 2:	/* Unix time */
			d = 1.7e9 + (double)(rnd() % 100000000) / 1e6;
			break;
		default:
			d = ldexp((double)(rnd() >> 11), -(int)(rnd() % 70));
			break;
		}
		check(d, (int)(rnd() % 7));
		check_ulong((unsigned long)(rnd() >> (rnd() % 64)));
	}
	for (i = 0; i < 1000000; i++) {
		uint8_t a[16] = { 0 };
		uint64_t r = rnd();

		/* every octet value in every position, and random ones */
		a[12] = (uint8_t)(i < 1024 ? i % 256 : r);
		a[13] = (uint8_t)(i < 1024 ? i / 4 : r >> 8);
		a[14] = (uint8_t)(i < 1024 ? 255 - i % 256 : r >> 16);
		a[15] = (uint8_t)(i < 1024 ? i % 7 : r >> 24);
		check_addr4(a);
	}
	check_ulong(0);
	check_ulong((unsigned long)-1);
	check_obuf();
	return ref_end();
}
