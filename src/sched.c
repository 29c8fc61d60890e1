#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>

#include "sched.h"

/*
 * Double a full ring of items of size bytes, or make one of first items
 * (e NULL); NULL without memory (e is kept).  Its own mapping, so mremap
 * moves the pages without a copy and the old pages are gone at once (a
 * realloc that copies holds both: a million queued jobs are 24 MB).
 * Positions stay what they were (head and tail count on): the item at
 * position p is in slot p & mask before and after, so those on the old
 * ring's second lap move up by its size.
 */
static void *
ring_grow(void *e, size_t size, size_t first, size_t *mask, size_t head,
    size_t tail)
{
	size_t cap = e ? *mask + 1 : 0, ncap = cap ? cap * 2 : first, p;
	char *r;

	if (e == NULL)
		r = mmap(NULL, ncap * size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	else
		r = mremap(e, cap * size, ncap * size, MREMAP_MAYMOVE);
	if (r == MAP_FAILED)
		return NULL;
	for (p = head; cap && p != tail; p++)
		if (p & cap)
			memcpy(r + ((p & (cap - 1)) + cap) * size,
			    r + (p & (cap - 1)) * size, size);
	*mask = ncap - 1;
	return r;
}

static void
ring_free(void *e, size_t size, size_t mask)
{
	if (e)
		munmap(e, (mask + 1) * size);
}

int
fifo_push(struct fifo *f, const struct job *j)
{
	size_t cap = f->e ? f->mask + 1 : 0;
	struct job *e;

	if (f->tail - f->head == cap) {
		if ((e = ring_grow(f->e, sizeof(*e), 1024, &f->mask, f->head,
		    f->tail)) == NULL)
			return -1;
		f->e = e;
	}
	f->e[f->tail++ & f->mask] = *j;
	return 0;
}

int
fifo_insert(struct fifo *f, const struct job *j)
{
	size_t i;

	if (fifo_push(f, j) == -1)
		return -1;
	for (i = f->tail - 1; i != f->head &&
	    f->e[(i - 1) & f->mask].due > j->due; i--)
		f->e[i & f->mask] = f->e[(i - 1) & f->mask];
	f->e[i & f->mask] = *j;
	return 0;
}

struct job *
fifo_peek(struct fifo *f)
{
	return fifo_at(f, 0);
}

struct job *
fifo_at(struct fifo *f, size_t k)
{
	return k >= f->tail - f->head ? NULL : &f->e[(f->head + k) & f->mask];
}

void
fifo_pop(struct fifo *f)
{
	f->head++;
}

size_t
fifo_len(const struct fifo *f)
{
	return f->tail - f->head;
}

void
fifo_free(struct fifo *f)
{
	ring_free(f->e, sizeof(*f->e), f->mask);
	memset(f, 0, sizeof(*f));
}

#define EPOCH_HALF	((int64_t)1 << 31)

/* Whether due is within the 2^32 ns of epoch ep. */
static int
in_epoch(const struct epoch *ep, int64_t due)
{
	return due >= ep->base &&
	    (uint64_t)due - (uint64_t)ep->base <= UINT32_MAX;
}

/* An epoch for due, beginning at the tail; -1: no memory. */
static int
epoch_new(struct rounds *q, int64_t due)
{
	size_t cap = q->ep ? q->epmask + 1 : 0;
	struct epoch *ep;

	if (q->eptail - q->ephead == cap) {
		if ((ep = ring_grow(q->ep, sizeof(*ep), 64, &q->epmask,
		    q->ephead, q->eptail)) == NULL)
			return -1;
		q->ep = ep;
	}
	ep = &q->ep[q->eptail++ & q->epmask];
	ep->from = q->tail;
	/* Centred on due: the rounds after it may come a little earlier
	 * (skipped after a stall) as well as later. */
	ep->base = due > INT64_MIN + EPOCH_HALF ? due - EPOCH_HALF : due;
	return 0;
}

/* Targets in the run of entry r. */
static uint32_t
run_len(const struct round *r)
{
	return (r->run >> 24) + 1;
}

/* The epoch of the entry at position p: the last one begun by then. */
static const struct epoch *
epoch_of(const struct rounds *q, size_t p)
{
	size_t i = q->ephead;

	while (i + 1 != q->eptail && q->ep[(i + 1) & q->epmask].from <= p)
		i++;
	return &q->ep[i & q->epmask];
}

static int64_t
due_of(const struct rounds *q, size_t p)
{
	return epoch_of(q, p)->base + (int64_t)q->e[p & q->mask].off;
}

/* The tail's run takes target, the next in a row, due at the same time
 * (the tail is in the last epoch). */
static int
run_on(struct rounds *q, uint32_t target, int64_t due)
{
	struct round *r;

	if (q->n == 0)
		return 0;
	r = &q->e[(q->tail - 1) & q->mask];
	if (run_len(r) == 256 ||
	    (r->run & (ROUND_TARGETS - 1)) + run_len(r) != target ||
	    q->ep[(q->eptail - 1) & q->epmask].base + (int64_t)r->off != due)
		return 0;
	r->run += 1U << 24;
	return 1;
}

int
rounds_push(struct rounds *q, uint32_t target, int64_t due)
{
	size_t cap = q->e ? q->mask + 1 : 0;
	struct epoch *ep;
	struct round *e;

	if (target >= ROUND_TARGETS)
		return -1;
	if (run_on(q, target, due)) {
		q->n++;
		return 0;
	}
	if (q->tail - q->head == cap) {
		if ((e = ring_grow(q->e, sizeof(*e), 1024, &q->mask, q->head,
		    q->tail)) == NULL)
			return -1;
		q->e = e;
	}
	if (q->ephead == q->eptail ||
	    !in_epoch(&q->ep[(q->eptail - 1) & q->epmask], due))
		if (epoch_new(q, due) == -1)
			return -1;
	ep = &q->ep[(q->eptail - 1) & q->epmask];
	e = &q->e[q->tail++ & q->mask];
	e->run = target;
	e->off = (uint32_t)((uint64_t)due - (uint64_t)ep->base);
	q->n++;
	return 0;
}

int
rounds_at(const struct rounds *q, size_t k, uint32_t *target, int64_t *due)
{
	const struct round *r;
	size_t p;

	if (k >= q->n)
		return 0;
	k += q->used;
	for (p = q->head; k >= run_len(&q->e[p & q->mask]); p++)
		k -= run_len(&q->e[p & q->mask]);
	r = &q->e[p & q->mask];
	*target = (r->run & (ROUND_TARGETS - 1)) + (uint32_t)k;
	*due = due_of(q, p);
	return 1;
}

void
rounds_pop(struct rounds *q)
{
	q->n--;
	if (++q->used < run_len(&q->e[q->head & q->mask]))
		return;
	q->used = 0;
	if (++q->head == q->tail)
		q->ephead = q->eptail;	/* the next push begins one */
	while (q->ephead + 1 < q->eptail &&
	    q->ep[(q->ephead + 1) & q->epmask].from <= q->head)
		q->ephead++;
}

size_t
rounds_len(const struct rounds *q)
{
	return q->n;
}

void
rounds_free(struct rounds *q)
{
	ring_free(q->e, sizeof(*q->e), q->mask);
	ring_free(q->ep, sizeof(*q->ep), q->epmask);
	memset(q, 0, sizeof(*q));
}

#define POOL_MAX	(1U << 31)

/* Slot i of a new pool, free: its serial names it. */
static void
slot_init(struct probe *pr, uint32_t serial)
{
	memset(pr, 0, sizeof(*pr));
	pr->serial = serial;
	pr->state = P_FREE;
}

/* Where the probe of old slot i goes in a pool of mask m. */
static uint32_t
moved(const struct probe *old, uint32_t i, uint32_t m)
{
	return i == POOL_NIL ? POOL_NIL : old[i].serial & m;
}

/*
 * Double the pool.  Slot i's serial names slot i or i + cap of the new
 * pool: each slot moves there, and the other one starts free with the
 * serial that names it.  Links are slot numbers, so they move too.
 */
static int
pool_grow(struct pool *pl)
{
	uint32_t cap = pl->e ? pl->mask + 1 : 0, ncap, m, i, j;
	struct probe *e;

	if (cap >= POOL_MAX)
		return -1;
	ncap = cap ? cap * 2 : POOL_FIRST;
	m = ncap - 1;
	if ((e = malloc((size_t)ncap * sizeof(*e))) == NULL)
		return -1;
	if (cap == 0)
		for (i = 0; i < ncap; i++)
			slot_init(&e[i], i);
	for (i = 0; i < cap; i++) {
		j = pl->e[i].serial & m;
		e[j] = pl->e[i];
		e[j].prev = moved(pl->e, e[j].prev, m);
		e[j].next = moved(pl->e, e[j].next, m);
		slot_init(&e[j ^ cap], pl->e[i].serial ^ cap);
	}
	for (i = 0; i < POOL_LEVELS; i++) {
		pl->head[i] = cap ? moved(pl->e, pl->head[i], m) : POOL_NIL;
		pl->tail[i] = cap ? moved(pl->e, pl->tail[i], m) : POOL_NIL;
	}
	free(pl->e);
	pl->e = e;
	pl->mask = m;
	pl->free = POOL_NIL;
	for (i = ncap; i-- > 0; )
		if (e[i].state == P_FREE) {
			e[i].next = pl->free;
			pl->free = i;
		}
	return 0;
}

struct probe *
pool_take(struct pool *pl)
{
	struct probe *pr;

	if ((pl->e == NULL || pl->free == POOL_NIL) && pool_grow(pl) == -1)
		return NULL;
	pr = &pl->e[pl->free];
	pl->free = pr->next;
	/* A new generation: serials of the slot's earlier probes are stale. */
	pr->serial += pl->mask + 1;
	pr->state = P_TAKEN;
	pr->prev = pr->next = POOL_NIL;
	pl->used++;
	return pr;
}

static void
unlink_pending(struct pool *pl, struct probe *pr)
{
	if (pr->prev == POOL_NIL)
		pl->head[pr->attempt] = pr->next;
	else
		pl->e[pr->prev].next = pr->next;
	if (pr->next == POOL_NIL)
		pl->tail[pr->attempt] = pr->prev;
	else
		pl->e[pr->next].prev = pr->prev;
}

void
pool_put(struct pool *pl, struct probe *pr)
{
	if (pr->state == P_PENDING)
		unlink_pending(pl, pr);
	pr->state = P_FREE;
	pr->next = pl->free;
	pl->free = (uint32_t)(pr - pl->e);
	pl->used--;
}

void
pool_append(struct pool *pl, struct probe *pr, int64_t sent)
{
	uint32_t i = (uint32_t)(pr - pl->e), *tail = &pl->tail[pr->attempt];

	pr->sent = sent;
	pr->state = P_PENDING;
	pr->next = POOL_NIL;
	pr->prev = *tail;
	if (*tail == POOL_NIL)
		pl->head[pr->attempt] = i;
	else
		pl->e[*tail].next = i;
	*tail = i;
	if (pr->attempt >= pl->levels)
		pl->levels = pr->attempt + 1u;
}

struct probe *
pool_oldest_at(struct pool *pl, unsigned level)
{
	return pl->e == NULL || pl->head[level] == POOL_NIL ? NULL :
	    &pl->e[pl->head[level]];
}

struct probe *
pool_oldest(struct pool *pl)
{
	struct probe *pr, *best = NULL;
	unsigned k;

	for (k = 0; k < pl->levels || k == 0; k++)
		if ((pr = pool_oldest_at(pl, k)) && (best == NULL ||
		    pr->sent < best->sent))
			best = pr;
	return best;
}

struct probe *
pool_slot(struct pool *pl, uint32_t serial)
{
	struct probe *pr;

	if (pl->e == NULL)
		return NULL;
	pr = &pl->e[serial & pl->mask];
	return pr->serial == serial && pr->state != P_FREE ? pr : NULL;
}

struct probe *
pool_find(struct pool *pl, uint32_t serial)
{
	struct probe *pr = pool_slot(pl, serial);

	return pr && pr->state == P_PENDING ? pr : NULL;
}

struct probe *
pool_find16(struct pool *pl, uint16_t serial16, uint32_t target)
{
	struct probe *pr;
	uint64_t slot;

	if (pl->e == NULL)
		return NULL;
	for (slot = serial16 & pl->mask; slot <= pl->mask; slot += 65536) {
		pr = &pl->e[slot];
		if (pr->state == P_PENDING && pr->target == target &&
		    (uint16_t)pr->serial == serial16)
			return pr;
	}
	return NULL;
}

void
pool_free(struct pool *pl)
{
	free(pl->e);
	memset(pl, 0, sizeof(*pl));
}

void *
array_room(void *arr, uint32_t *cap, uint32_t i, size_t elem)
{
	uint64_t n = *cap ? *cap : 256;
	char *p;

	if (i < *cap)
		return arr;
	while (n <= i)
		n *= 2;
	if (n > UINT32_MAX || (p = realloc(arr, (size_t)n * elem)) == NULL)
		return NULL;
	memset(p + (size_t)*cap * elem, 0, (size_t)(n - *cap) * elem);
	*cap = (uint32_t)n;
	return p;
}
