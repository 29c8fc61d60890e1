#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>

#include "sched.h"

/*
 * A ring of n jobs resized to nn: its own mapping, so mremap moves the
 * pages without a copy and the old pages are gone at once (a realloc
 * that copies holds both: a million queued rounds are 24 MB).
 */
static struct job *
ring_map(struct job *e, size_t n, size_t nn)
{
	void *p;

	if (e == NULL)
		p = mmap(NULL, nn * sizeof(*e), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	else
		p = mremap(e, n * sizeof(*e), nn * sizeof(*e), MREMAP_MAYMOVE);
	return p == MAP_FAILED ? NULL : p;
}

/* Double a full ring; the part that had wrapped round, slots 0 to the
 * head's, moves past the old end. */
static int
fifo_grow(struct fifo *f)
{
	size_t cap = f->e ? f->mask + 1 : 0, h = cap ? f->head & f->mask : 0;
	size_t ncap = cap ? cap * 2 : 1024;
	struct job *e;

	if ((e = ring_map(f->e, cap, ncap)) == NULL)
		return -1;
	memcpy(e + cap, e, h * sizeof(*e));
	f->e = e;
	f->mask = ncap - 1;
	f->head = h;
	f->tail = h + cap;
	return 0;
}

int
fifo_push(struct fifo *f, const struct job *j)
{
	size_t cap = f->e ? f->mask + 1 : 0;

	if (f->tail - f->head == cap && fifo_grow(f) == -1)
		return -1;
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
	if (f->e)
		munmap(f->e, (f->mask + 1) * sizeof(*f->e));
	memset(f, 0, sizeof(*f));
}

#define POOL_FIRST	4096
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
