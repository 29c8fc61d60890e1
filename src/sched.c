#include <stdlib.h>
#include <string.h>

#include "sched.h"

int
fifo_push(struct fifo *f, const struct job *j)
{
	size_t cap = f->e ? f->mask + 1 : 0, n = f->tail - f->head, i;
	struct job *e;

	if (n == cap) {
		cap = cap ? cap * 2 : 1024;
		if ((e = malloc(cap * sizeof(*e))) == NULL)
			return -1;
		for (i = 0; i < n; i++)
			e[i] = f->e[(f->head + i) & f->mask];
		free(f->e);
		f->e = e;
		f->mask = cap - 1;
		f->head = 0;
		f->tail = n;
	}
	f->e[f->tail++ & f->mask] = *j;
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
	free(f->e);
	memset(f, 0, sizeof(*f));
}

/* Serials wrap at 2^32; the ring never holds more than 2^31 probes. */
struct probe *
ring_push(struct ring *r, uint32_t *serial)
{
	uint32_t cap = r->e ? r->mask + 1 : 0, s;
	struct probe *e;

	if (r->tail - r->head == cap) {
		if (cap >= 1U << 31)
			return NULL;
		cap = cap ? cap * 2 : 4096;
		if ((e = malloc((size_t)cap * sizeof(*e))) == NULL)
			return NULL;
		for (s = r->head; s != r->tail; s++)
			e[s & (cap - 1)] = r->e[s & r->mask];
		free(r->e);
		r->e = e;
		r->mask = cap - 1;
	}
	*serial = r->tail;
	return &r->e[r->tail++ & r->mask];
}

void
ring_unpush(struct ring *r)
{
	r->tail--;
}

struct probe *
ring_head(struct ring *r)
{
	return r->head == r->tail ? NULL : &r->e[r->head & r->mask];
}

void
ring_pop(struct ring *r)
{
	r->head++;
}

/* Serials between head and tail own their slot: nothing else to check. */
struct probe *
ring_find(struct ring *r, uint32_t serial)
{
	if (serial - r->head >= r->tail - r->head)
		return NULL;
	return &r->e[serial & r->mask];
}

uint32_t
ring_serial(const struct ring *r, const struct probe *pr)
{
	uint32_t slot = (uint32_t)(pr - r->e);

	/* The one serial in [head, tail) that maps to this slot. */
	return r->head + ((slot - r->head) & r->mask);
}

void
ring_free(struct ring *r)
{
	free(r->e);
	memset(r, 0, sizeof(*r));
}
