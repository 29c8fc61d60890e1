/*
 * unit_ref.h: the harness of the unit tests that hold fast code to a
 * reference over many inputs (fmt_test.c, json_test.c): a count of the
 * checks and of the failures (only the first few are told), a
 * pseudo-random generator with a fixed seed, and the closing line
 * "N checks, F failed" with exit status 1 if any failed.  Included once,
 * by the test's one file.
 */
#ifndef MPING_UNIT_REF_H
#define MPING_UNIT_REF_H

#include <stdint.h>
#include <stdio.h>

static long	checks, failed;

/* Count a check; true if it failed and is one of the first MOST to. */
static inline int
ref_failed(int differs, long most)
{
	checks++;
	return differs && failed++ < most;
}

/* xorshift64: the same inputs every run. */
static inline uint64_t
rnd(void)
{
	static uint64_t s = 88172645463325252ULL;

	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return s;
}

static inline int
ref_end(void)
{
	printf("%ld checks, %ld failed\n", checks, failed);
	return failed != 0;
}

#endif
