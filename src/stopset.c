/*
 * The stop set: nodes (hops of the paths traced) in an array, and an
 * open-addressed index of the nodes that answered, keyed by family,
 * address and TTL.  The index stays at most half full.
 */
#include <stdlib.h>
#include <string.h>

#include "sched.h"
#include "stopset.h"

struct stopset {
	struct stopset_node	*node;
	uint32_t		 n, cap;
	uint32_t		*idx;		/* node + 1; 0: empty */
	uint32_t		 mask;		/* index size - 1 */
};

struct stopset *
stopset_new(void)
{
	struct stopset *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->mask = 255;
	if ((s->idx = calloc(s->mask + 1, sizeof(*s->idx))) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

void
stopset_free(struct stopset *s)
{
	if (s == NULL)
		return;
	free(s->node);
	free(s->idx);
	free(s);
}

static uint32_t
hash(int v6, const uint8_t addr[16], int ttl)
{
	uint32_t h = 2166136261u;
	int i;

	for (i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 16777619u;
	h = (h ^ (uint32_t)ttl) * 16777619u;
	return (h ^ (uint32_t)v6) * 16777619u;
}

static int
is(const struct stopset_node *d, int v6, const uint8_t addr[16], int ttl)
{
	return d->ttl == ttl && d->v6 == v6 && memcmp(d->addr, addr, 16) == 0;
}

/* The index slot of addr at ttl, or the empty one where it would go. */
static uint32_t
slot_of(const struct stopset *s, int v6, const uint8_t addr[16], int ttl)
{
	uint32_t i = hash(v6, addr, ttl) & s->mask;

	while (s->idx[i] && !is(&s->node[s->idx[i] - 1], v6, addr, ttl))
		i = (i + 1) & s->mask;
	return i;
}

uint32_t
stopset_find(const struct stopset *s, int v6, const uint8_t addr[16],
    int ttl)
{
	uint32_t i = slot_of(s, v6 != 0, addr, ttl);

	return s->idx[i] ? s->idx[i] - 1 : STOPSET_NONE;
}

/* The index twice as large, every answering node in it again. */
static int
grow_index(struct stopset *s)
{
	uint32_t *old = s->idx, size = (s->mask + 1) * 2, i;
	const struct stopset_node *d;

	if ((s->idx = calloc(size, sizeof(*s->idx))) == NULL) {
		s->idx = old;
		return -1;
	}
	s->mask = size - 1;
	for (i = 0; i < s->n; i++) {
		d = &s->node[i];
		if (!d->silent)
			s->idx[slot_of(s, d->v6, d->addr, d->ttl)] = i + 1;
	}
	free(old);
	return 0;
}

uint32_t
stopset_add(struct stopset *s, int v6, const uint8_t *addr, int ttl,
    uint32_t below, uint32_t owner)
{
	struct stopset_node *d;
	uint32_t i = 0;

	v6 = v6 != 0;
	if (addr != NULL) {
		i = slot_of(s, v6, addr, ttl);
		if (s->idx[i])
			return s->idx[i] - 1;
		if (s->n * 2 >= s->mask && grow_index(s) == -1)
			return STOPSET_NONE;
		i = slot_of(s, v6, addr, ttl);
	}
	if ((d = array_room(s->node, &s->cap, s->n, sizeof(*d))) == NULL)
		return STOPSET_NONE;
	s->node = d;
	d += s->n;
	memset(d, 0, sizeof(*d));
	if (addr != NULL)
		memcpy(d->addr, addr, 16);
	d->below = below;
	d->owner = owner;
	d->ttl = (uint8_t)ttl;
	d->v6 = (uint8_t)v6;
	d->silent = addr == NULL;
	if (addr != NULL)
		s->idx[i] = s->n + 1;
	return s->n++;
}

const struct stopset_node *
stopset_node(const struct stopset *s, uint32_t i)
{
	return i < s->n ? &s->node[i] : NULL;
}
