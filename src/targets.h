/*
 * The target table: compact per-target state in one array, names stored
 * once in an arena, and a hash from address to index (dedup and matching
 * of ICMP errors whose quote is too short to carry our tag).
 *
 * A target is what the user wrote: an address with its scope, or a host
 * name.  Two names on one address are two targets (as in fping), and so
 * are fe80::1%c0 and fe80::1%c1; an address given twice is one.
 */
#ifndef MPING_TARGETS_H
#define MPING_TARGETS_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "stats.h"

#define T_NAMED		0x01	/* written as a name, not as its address */
#define T_BCAST		0x02	/* broadcast or multicast (-b) */
#define T_ALIVE		0x04	/* has answered */
#define T_DONE		0x08	/* all its probes are sent */
#define T_OPEN		0x10	/* its port's latest state (report.c) */
#define T_CLOSED	0x20
#define T_GONE		0x40	/* left the run (a reload): no more probes */
#define T_BYNAME	0x80	/* a host name: the name is its identity */

/*
 * 52 bytes a target (a million in 52 MB).  What most targets do not need
 * is kept aside, in arrays made when the first target needs them: an IPv6
 * address and its scope (struct six), a name, a place in the input other
 * than the table's, ICMP errors and duplicates.  Use the accessors below,
 * not the fields' encoding.
 */
struct target {
	uint32_t	addr;		/* IPv4: the address, network order;
					   IPv6: its index in targets.six */
	uint32_t	last_serial;	/* serial of its latest probe */
	uint32_t	sent, inflight;	/* received: rtt.n */
	uint8_t		family, flags;	/* family 0: a name with no address */
	uint8_t		why;		/* why its name did not resolve
					   (targets_why), 0: it did */
	uint8_t		down;		/* down (--down-after), not up
					   again (monitor.c) */
	struct stats	rtt;
};

#define TARGETS_WHYS	32	/* distinct resolver errors kept */

struct six {
	uint8_t		addr[16];
	uint32_t	scope;
};

/* The counts most targets never have (targets_count). */
enum target_count { TC_ERRORS, TC_DUPS, TC_COUNTS };

struct targets {
	struct target	*t;
	uint32_t	 n, cap;
	uint32_t	 max;		/* --max-targets */
	char		*names;
	size_t		 names_len, names_cap;
	/* Aside, index for index with t (cap entries) once made, else
	 * NULL: name offsets + 1 (0: none), places in the input (NULL:
	 * the table's order), errors and duplicates (TC_COUNTS each). */
	uint32_t	*name1, *order, *counts;
	int		 counts_nomem;	/* said once */
	struct six	*six;		/* IPv6 addresses */
	uint32_t	 nsix, capsix;
	/*
	 * From address to index: while every target is an IPv4 address
	 * given in rising order (a CIDR block, a sorted list), the table
	 * is its own index (a binary search) and dup-free by that order;
	 * the first other target builds the hash (index + 1, 0 empty).
	 */
	uint32_t	*hash;
	uint32_t	 hash_mask;
	int		 sorted;	/* no hash: the table is sorted */
	uint32_t	 gone;		/* left the run, or never had an
					   address: not counted live */
	/* While a reload reads the files again: a mark per target met
	 * again (targets_add's duplicates), else NULL. */
	uint8_t		*seen;
	uint32_t	 nseen;
	/* The reasons names did not resolve (static strings), interned:
	 * a target keeps the index + 1 in one byte. */
	const char	*whys[TARGETS_WHYS];
	unsigned	 nwhys;
};

enum { TARGET_ADDED = 0, TARGET_DUP = -1, TARGET_FULL = -2,
	TARGET_NOMEM = -3 };

void	targets_init(struct targets *, uint32_t max);
void	targets_free(struct targets *);
/*
 * Returns the new index, or TARGET_DUP/TARGET_FULL/TARGET_NOMEM.  name is
 * shown instead of the address; with T_BYNAME in flags it is also what
 * tells the target from others on the same address and scope.
 */
int64_t	targets_add(struct targets *, int family, const uint8_t addr[16],
	    uint32_t scope, const char *name, uint8_t flags);
/* The target on this address that is (family, scope, name), or -1. */
int64_t	targets_find(const struct targets *, int family,
	    const uint8_t addr[16], uint32_t scope, const char *name,
	    uint8_t flags);
/*
 * A name that did not resolve: a target with no address (family 0),
 * never probed, in every summary with its reason.  Index or TARGET_*.
 */
int64_t	targets_add_unresolved(struct targets *, const char *name,
	    const char *why);
/* Why t's name did not resolve (the latest time), or NULL. */
const char *targets_why(const struct targets *, const struct target *);
/* Set (NULL: clear) why t's name did not resolve. */
void	targets_set_why(struct targets *, struct target *, const char *why);
/* t moves to another address (its name resolved again): re-hashed. */
void	targets_move(struct targets *, uint32_t i, int family,
	    const uint8_t addr[16], uint32_t scope);
/* t leaves the run: out of the hash, T_GONE, counted gone. */
void	targets_remove(struct targets *, uint32_t i);
/* Targets in the run: neither gone nor without an address. */
uint32_t targets_live(const struct targets *);
/*
 * The indices of the targets in the order the user gave them (a name
 * joins the table when it resolves, in any order), to be freed; NULL
 * when that is the table's order, or there is no memory for it (the
 * table's order is the fallback).
 */
uint32_t *targets_in_order(const struct targets *);
/* The table itself put in that order (indices change); -1: no memory. */
int	targets_reorder(struct targets *);
/* Room for more targets without growing (a CIDR block's size). */
int	targets_reserve(struct targets *, uint32_t more);
/*
 * The targets with this address (several when their names or scopes
 * differ): start with *pos = 0 and call until it returns -1.
 */
int64_t	targets_next(const struct targets *, const uint8_t addr[16],
	    uint32_t *pos);
/* Show t as name from now on (fping -n, -d); -1: no memory. */
int	target_show_as(struct targets *, struct target *, const char *name);
/* The target as the user wrote it (name, or address for literals). */
const char *target_name(const struct targets *, const struct target *,
	    char *buf, size_t len);
/* The name target i was given, or NULL. */
const char *targets_name_of(const struct targets *, uint32_t i);
const char *target_addr(const struct targets *, const struct target *,
	    char *buf, size_t len);
/* t's address as 16 bytes (IPv4 as ::ffff:a.b.c.d), in buf. */
const uint8_t *target_a16(const struct targets *, const struct target *,
	    uint8_t buf[16]);
uint32_t target_scope(const struct targets *, const struct target *);
void	target_sockaddr(const struct targets *, const struct target *,
	    struct sockaddr_storage *, socklen_t *);
/* Target i's place in what the user gave (its index, unless set). */
uint32_t targets_order(const struct targets *, uint32_t i);
/* Set it; -1: no memory to keep a place other than the index. */
int	targets_set_order(struct targets *, uint32_t i, uint32_t order);
/* One more error or duplicate for target i (lost without memory, said
 * once on stderr), and how many. */
void	targets_count(struct targets *, uint32_t i, enum target_count);
uint32_t targets_counted(const struct targets *, uint32_t i,
	    enum target_count);
/* addr16 from a sockaddr (v4-mapped for IPv4). */
void	addr16_from_sockaddr(const struct sockaddr *, uint8_t addr[16]);
/* FNV-1a over the 16 address bytes, for hash tables of addresses. */
uint32_t addr_hash(const uint8_t addr[16]);
const char *addr16_str(int family, const uint8_t addr[16], char *buf,
	    size_t len);

#endif
