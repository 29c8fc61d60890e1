/*
 * Unit tests of the probe pool (src/sched.c): serials, generations, the
 * pending list through growth, memory bounded by what is in flight; and
 * of the queue of next rounds: exact due times, wrap-round, growth.
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
	CHECK(cap == POOL_FIRST && pl.used == 100);
	pool_free(&pl);
}

/*
 * The rounds queue holds what the model does: as many, the first 40 (a
 * batch's look-ahead) and, with last, the last (a lookup is O(k)).
 */
static int
rounds_are(const struct rounds *q, const uint32_t *tg, const int64_t *due,
    size_t from, size_t n, int last)
{
	uint32_t t;
	int64_t d;
	size_t k;

	if (rounds_len(q) != n || rounds_at(q, n, &t, &d))
		return 0;
	for (k = 0; k < n && k < 40; k++)
		if (!rounds_at(q, k, &t, &d) || t != tg[from + k] ||
		    d != due[from + k])
			return 0;
	return !last || n == 0 || (rounds_at(q, n - 1, &t, &d) &&
	    t == tg[from + n - 1] && d == due[from + n - 1]);
}

/*
 * Next rounds: 8 bytes an entry, exact due times whatever their gaps
 * (seconds, hours, earlier than the one before), positions kept through
 * growth while the ring has wrapped round, epochs dropped as they empty.
 */
#define RN	300000

static void
test_rounds(void)
{
	static uint32_t tg[RN];
	static int64_t due[RN];
	struct rounds q = { 0 };
	uint64_t x = 88172645463325252ULL;
	int64_t d = 1000000000;
	size_t head = 0, tail = 0, cap, laps = 0, grown = 0, ok = 1;

	CHECK(sizeof(struct round) == 8);
	CHECK(rounds_len(&q) == 0 && !rounds_at(&q, 0, &tg[0], &due[0]));
	while (tail < RN) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;	/* xorshift */
		/* Mostly a period's steps; now and then a gap of hours, a
		 * step back (a skipped round), a big time. */
		d += x % 1000 == 0 ? (int64_t)(x % 10000) * 1000000000LL :
		    x % 100 == 1 ? -(int64_t)(x % 3000000000ULL) :
		    x % 3 == 0 ? 0 : (int64_t)(x % 20000);
		if (x % 50000 == 2 && d < INT64_MAX / 8)
			d = INT64_MAX / 4;
		cap = q.e ? q.mask + 1 : 0;
		/* A third of them the next target in a row (a run, if due
		 * at the same time). */
		tg[tail] = tail && (x >> 40) % 3 == 0 ?
		    (tg[tail - 1] + 1) & (ROUND_TARGETS - 1) :
		    (uint32_t)x & (ROUND_TARGETS - 1);
		due[tail] = d;
		CHECK(rounds_push(&q, tg[tail], d) == 0);
		tail++;
		grown += q.mask + 1 != cap && cap != 0;
		laps += q.e && (q.head & q.mask) > (q.tail & q.mask);
		/* Pop a little less than is pushed, in bursts. */
		while (head < tail && (x >> 20) % 7 < 3 && (x >> 24) % 5 < 4) {
			rounds_pop(&q);
			head++;
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		}
		ok &= rounds_are(&q, tg, due, head, tail - head,
		    tail % 4096 == 0);
	}
	CHECK(ok);
	CHECK(grown >= 3 && laps > 0);
	/* Every one of them, in order; emptied, the epochs go too and the
	 * next push begins afresh. */
	while (head < tail) {
		ok &= rounds_are(&q, tg, due, head, tail - head, 0);
		rounds_pop(&q);
		head++;
	}
	CHECK(ok);
	CHECK(q.ephead == q.eptail && rounds_len(&q) == 0);
	CHECK(rounds_push(&q, 7, -5) == 0 && rounds_at(&q, 0, &tg[0], &d) &&
	    tg[0] == 7 && d == -5 && q.eptail - q.ephead == 1);
	rounds_free(&q);
	CHECK(q.e == NULL && q.ep == NULL);
}

/* Targets t0, t0 + 1, ... due d0, d0 + step, ...: n pushed, then the
 * first pop of the queue taken off again. */
static void
rounds_fill(struct rounds *q, uint32_t t0, int64_t d0, int64_t step,
    uint32_t n, uint32_t pop)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		rounds_push(q, t0 + i, d0 + step * i);
	for (i = 0; i < pop; i++)
		rounds_pop(q);
}

/* The queue holds exactly those n, from its head on. */
static int
rounds_hold(const struct rounds *q, uint32_t t0, int64_t d0, int64_t step,
    uint32_t n)
{
	uint32_t t, i;
	int64_t d;
	int ok = rounds_len(q) == n && !rounds_at(q, n, &t, &d);

	for (i = 0; i < n; i++)
		ok &= rounds_at(q, i, &t, &d) && t == t0 + i &&
		    d == d0 + step * i;
	return ok;
}

/* Targets in a row due at once: one entry for up to 256 of them. */
static void
test_rounds_runs(void)
{
	struct rounds q = { 0 };
	uint32_t t, i;
	int64_t d;
	int ok = 1;

	/* 300 in two entries, 200 of them left after the pops. */
	rounds_fill(&q, 1000, 7, 0, 300, 100);
	CHECK(q.tail - q.head == 2 && rounds_hold(&q, 1100, 7, 0, 200));
	/* The tail's run goes on; a gap, another due time or a target
	 * out of range do not join it. */
	rounds_push(&q, 1300, 7);
	rounds_push(&q, 1302, 7);
	rounds_push(&q, 1303, 8);
	CHECK(rounds_push(&q, ROUND_TARGETS, 8) == -1);
	CHECK(rounds_len(&q) == 203 && q.tail - q.head == 4);
	for (i = 0; i < 201; i++) {
		ok &= rounds_at(&q, 0, &t, &d) && t == 1100 + i && d == 7;
		rounds_pop(&q);
	}
	CHECK(ok);
	CHECK(rounds_at(&q, 0, &t, &d) && t == 1302 && d == 7);
	CHECK(rounds_at(&q, 1, &t, &d) && t == 1303 && d == 8);
	rounds_free(&q);
}

/* A queue that wraps round and then grows: every entry in order. */
static void
test_rounds_wrap(void)
{
	struct rounds q = { 0 };

	rounds_fill(&q, 0, 5000000000LL, 1, 1000, 1000);
	/* Positions 1000 to 1023 end the ring's first lap, 1024 on begin
	 * the second at slot 0: 1024 entries fill it, the 1025th grows it. */
	rounds_fill(&q, 0, 5000000000LL + 1000, 1, 1025, 0);
	CHECK(q.mask + 1 == 2048 && (q.head & 1023) > 0);
	CHECK(rounds_hold(&q, 0, 5000000000LL + 1000, 1, 1025));
	rounds_free(&q);
}

int
main(void)
{
	test_list();
	test_grow();
	test_steady();
	test_rounds();
	test_rounds_runs();
	test_rounds_wrap();
	if (failed)
		return 1;
	printf("ok\n");
	return 0;
}
