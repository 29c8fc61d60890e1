/*
 * Doubletree's stop set (Donnet, Raoult, Friedman, Crovella: "Efficient
 * algorithms for large-scale topology discovery", 2005): the interfaces
 * the run's traces have named, each at its TTL, and for each the hop
 * below it on the path of the trace that named it first.  A trace that
 * probes backwards from the middle of its path stops at the first hop
 * whose responder is in the set, and takes the hops below from there.
 * Nodes in an array, found through an open-addressed index; both grow
 * by doubling, so memory follows the interfaces named, not the probes.
 */
#ifndef MPING_STOPSET_H
#define MPING_STOPSET_H

#include <stdint.h>

#define STOPSET_NONE	0xffffffffu

/* One hop of a path: 28 bytes. */
struct stopset_node {
	uint8_t		addr[16];	/* v4-mapped for IPv4; silent: 0 */
	uint32_t	below;		/* the hop below on its path, or
					   STOPSET_NONE (the first hop) */
	uint32_t	owner;		/* the target whose trace named it */
	uint8_t		ttl;
	uint8_t		v6;		/* its family: IPv6 */
	uint8_t		silent;		/* no answer there */
};

struct stopset;

struct stopset	*stopset_new(void);
void		 stopset_free(struct stopset *);
/* The node of addr at ttl (a hop that answered), or STOPSET_NONE. */
uint32_t	 stopset_find(const struct stopset *, int v6,
		    const uint8_t addr[16], int ttl);
/*
 * Hop ttl of owner's path: its responder addr (NULL: the hop was
 * silent), the hop below it node below.  Returns the node: the one
 * already there for addr at ttl, else a new one; STOPSET_NONE without
 * memory.
 */
uint32_t	 stopset_add(struct stopset *, int v6, const uint8_t *addr,
		    int ttl, uint32_t below, uint32_t owner);
const struct stopset_node *stopset_node(const struct stopset *, uint32_t);

#endif
