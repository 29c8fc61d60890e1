/*
 * Unit tests of the probe pool (src/sched.c): serials, generations, the
 * pending list through growth, memory bounded by what is in flight.
 * Run by tests/hard_engine.bats; prints "ok" and exits 0, or names the
 * failed check and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sched.h"

static int failed;

#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c);	\
		failed = 1;						\
	}								\
} while (0)

/* The pending list, walked from the oldest: its targets in order. */
static int
pending_is(struct pool *pl, const uint32_t *want, int n)
{
	uint32_t i = pl->head[0], prev = POOL_NIL;
	int k = 0;

	for (; i != POOL_NIL; prev = i, i = pl->e[i].next, k++)
		if (k >= n || pl->e[i].target != want[k] ||
		    pl->e[i].prev != prev || pl->e[i].state != P_PENDING)
			return 0;
	return k == n && pl->tail[0] == prev;
}

static struct probe *
send_one(struct pool *pl, uint32_t target, int64_t t)
{
	struct probe *pr = pool_take(pl);

	if (pr == NULL)
		return NULL;
	pr->target = target;
	pool_append(pl, pr, t);
	return pr;
}

static void
test_list(void)
{
	struct pool pl = { 0 };
	struct probe *a, *b, *c;
	uint32_t sa, sb, sc, want[3];

	CHECK(pool_oldest(&pl) == NULL);
	CHECK(pool_find(&pl, 0) == NULL);
	sa = send_one(&pl, 1, 10)->serial;
	sb = send_one(&pl, 2, 20)->serial;
	sc = send_one(&pl, 3, 30)->serial;
	a = pool_find(&pl, sa);
	b = pool_find(&pl, sb);
	c = pool_find(&pl, sc);
	CHECK(a && b && c && a->target == 1 && b->target == 2);
	want[0] = 1; want[1] = 2; want[2] = 3;
	CHECK(pending_is(&pl, want, 3));
	/* An answer from the middle keeps the rest in send order. */
	pool_put(&pl, b);
	want[1] = 3;
	CHECK(pending_is(&pl, want, 2));
	CHECK(pool_find(&pl, sb) == NULL);
	CHECK(pool_oldest(&pl) == a);
	pool_put(&pl, a);
	CHECK(pool_oldest(&pl) == c);
	pool_put(&pl, c);
	CHECK(pool_oldest(&pl) == NULL && pl.used == 0);
	/* A slot taken again has a new serial: the old one is stale. */
	a = send_one(&pl, 9, 40);
	CHECK(a->serial != sa && a->serial != sb && a->serial != sc);
	CHECK(pool_find(&pl, sa) == NULL && pool_find(&pl, sc) == NULL);
	/* Taken but not sent: found by pool_slot only. */
	b = pool_take(&pl);
	CHECK(pool_slot(&pl, b->serial) == b && pool_find(&pl, b->serial) ==
	    NULL);
	pool_free(&pl);
}

/*
 * Growth moves slots: serials, links and order must survive it, and the
 * free slots of the grown pool must name no probe still in flight.
 */
static void
test_grow(void)
{
	enum { N = 20000 };
	struct pool pl = { 0 };
	static uint32_t serial[N];
	struct probe *pr;
	uint32_t i, k;

	for (i = 0; i < N; i++) {
		pr = send_one(&pl, i, i);
		CHECK(pr != NULL);
		serial[i] = pr->serial;
		/* Answer every other one at once, as replies do. */
		if (i % 2 == 1)
			pool_put(&pl, pr);
	}
	CHECK(pl.used == N / 2);
	for (i = 0, k = pl.head[0]; i < N; i += 2, k = pl.e[k].next) {
		CHECK(k != POOL_NIL && pl.e[k].target == i &&
		    pl.e[k].sent == i);
		CHECK(pool_find(&pl, serial[i]) == &pl.e[k]);
		CHECK(pool_find(&pl, serial[i + 1]) == NULL);
	}
	CHECK(k == POOL_NIL);
	/* Expire them all from the head: order kept, nothing left. */
	for (i = 0; i < N; i += 2) {
		pr = pool_oldest(&pl);
		CHECK(pr && pr->target == i);
		pool_put(&pl, pr);
	}
	CHECK(pool_oldest(&pl) == NULL && pl.used == 0);
	pool_free(&pl);
}

/* A steady state of a few probes in flight never grows the pool. */
static void
test_steady(void)
{
	struct pool pl = { 0 };
	struct probe *pr;
	uint32_t i, cap;

	for (i = 0; i < 1000000; i++) {
		send_one(&pl, i, i);
		if (i >= 100) {
			pr = pool_oldest(&pl);
			pool_put(&pl, pr);
		}
	}
	cap = pl.mask + 1;
	CHECK(cap == 4096 && pl.used == 100);
	pool_free(&pl);
}

int
main(void)
{
	test_list();
	test_grow();
	test_steady();
	if (failed)
		return 1;
	printf("ok\n");
	return 0;
}
