#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digits.h"
#include "targets.h"

/* The layout's size is part of the design (README, targets.h). */
typedef char target_is_52_bytes[sizeof(struct target) == 52 ? 1 : -1];

void
targets_init(struct targets *tg, uint32_t max)
{
	memset(tg, 0, sizeof(*tg));
	tg->max = max;
	tg->sorted = 1;
}

void
targets_free(struct targets *tg)
{
	free(tg->t);
	free(tg->names);
	free(tg->hash);
	free(tg->name1);
	free(tg->order);
	free(tg->counts);
	free(tg->six);
	memset(tg, 0, sizeof(*tg));
}

/* Fold the halves, then MurmurHash3's finalizer: every bit counts. */
uint32_t
addr_hash(const uint8_t a[16])
{
	uint64_t hi, x;

	memcpy(&hi, a, 8);
	memcpy(&x, a + 8, 8);
	x ^= hi * 0x9e3779b97f4a7c15ULL;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return (uint32_t)x;
}

const uint8_t *
target_a16(const struct targets *tg, const struct target *t, uint8_t a[16])
{
	if (t->family == AF_INET6) {
		memcpy(a, tg->six[t->addr].addr, 16);
		return a;
	}
	memset(a, 0, 10);
	a[10] = a[11] = 0xff;
	memcpy(a + 12, &t->addr, 4);
	return a;
}

uint32_t
target_scope(const struct targets *tg, const struct target *t)
{
	return t->family == AF_INET6 ? tg->six[t->addr].scope : 0;
}

static uint32_t
hash_of(const struct targets *tg, uint32_t i)
{
	uint8_t a[16];

	return addr_hash(target_a16(tg, &tg->t[i], a));
}

static uint64_t
hash_slots(const struct targets *tg)
{
	return tg->hash ? (uint64_t)tg->hash_mask + 1 : 0;
}

/*
 * Make the hash big enough for n targets at a load of at most 1/2: a
 * search for an address that is not there always meets an empty slot.
 */
static int
hash_grow(struct targets *tg, uint32_t n)
{
	uint64_t cap = tg->hash ? hash_slots(tg) : 1024;
	uint32_t *h, i, j;

	while (cap < 2 * (uint64_t)n)
		cap *= 2;
	if (cap > (uint64_t)1 << 31 || (h = calloc(cap, sizeof(*h))) == NULL)
		return -1;
	for (i = 0; i < tg->n; i++) {
		/* Out of the hash: gone, or no address. */
		if (tg->t[i].family == 0 || tg->t[i].flags & T_GONE)
			continue;
		for (j = hash_of(tg, i) & (cap - 1); h[j];
		    j = (j + 1) & (cap - 1))
			;
		h[j] = i + 1;
	}
	free(tg->hash);
	tg->hash = h;
	tg->hash_mask = (uint32_t)cap - 1;
	tg->sorted = 0;
	return 0;
}

/* An IPv4-mapped address as a number to compare; 0: not IPv4. */
static int
v4_of(const uint8_t a[16], uint32_t *v)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (memcmp(a, mapped, 12) != 0)
		return 0;
	memcpy(v, a + 12, 4);
	*v = ntohl(*v);
	return 1;
}

/* The sorted table's target on addr (a binary search), or -1. */
static int64_t
sorted_find(const struct targets *tg, const uint8_t addr[16])
{
	uint32_t want, lo = 0, hi = tg->n, mid;

	if (!v4_of(addr, &want))
		return -1;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ntohl(tg->t[mid].addr) < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == tg->n || ntohl(tg->t[lo].addr) != want ||
	    (tg->t[lo].flags & T_GONE))
		return -1;
	return lo;
}

int64_t
targets_next(const struct targets *tg, const uint8_t addr[16], uint32_t *pos)
{
	uint32_t j, idx, home = addr_hash(addr);
	uint8_t a[16];

	if (tg->sorted)
		return (*pos)++ == 0 ? sorted_find(tg, addr) : -1;
	/* *pos: slots already looked at, counted from the home slot. */
	for (; *pos < hash_slots(tg); (*pos)++) {
		j = (home + *pos) & tg->hash_mask;
		if ((idx = tg->hash[j]) == 0)
			return -1;
		if (memcmp(target_a16(tg, &tg->t[idx - 1], a), addr, 16) ==
		    0) {
			(*pos)++;
			return idx - 1;
		}
	}
	return -1;
}

/* Is t the target (family, scope, name) on its address? */
static int
same_target(const struct targets *tg, const struct target *t, int family,
    uint32_t scope, const char *name, uint8_t flags)
{
	if (t->family != family || target_scope(tg, t) != scope ||
	    (t->flags & T_BYNAME) != (flags & T_BYNAME))
		return 0;
	return !(flags & T_BYNAME) ||
	    strcmp(targets_name_of(tg, (uint32_t)(t - tg->t)), name) == 0;
}

static int
store_name(struct targets *tg, const char *name, uint32_t *off)
{
	size_t len = strlen(name) + 1, cap;
	char *p;

	if (tg->names_len + len > tg->names_cap) {
		cap = tg->names_cap ? tg->names_cap * 2 : 4096;
		while (cap < tg->names_len + len)
			cap *= 2;
		if (cap > UINT32_MAX || (p = realloc(tg->names, cap)) == NULL)
			return -1;
		tg->names = p;
		tg->names_cap = cap;
	}
	memcpy(tg->names + tg->names_len, name, len);
	*off = (uint32_t)tg->names_len;
	tg->names_len += len;
	return 0;
}

/*
 * An array aside (k uint32_t a target) grown from cap to ncap targets,
 * the new entries zeroed.  NULL stays NULL: it is made when needed.
 */
static int
aside_grow(uint32_t **arr, uint32_t cap, uint32_t ncap, unsigned k)
{
	uint32_t *p;

	if (*arr == NULL)
		return 0;
	if ((p = realloc(*arr, (size_t)ncap * k * sizeof(*p))) == NULL)
		return -1;
	memset(p + (size_t)cap * k, 0, (size_t)(ncap - cap) * k * sizeof(*p));
	*arr = p;
	return 0;
}

/* Make an array aside for the targets there are room for, zeroed. */
static int
aside_make(const struct targets *tg, uint32_t **arr, unsigned k)
{
	if (*arr == NULL && (*arr = calloc(tg->cap ? tg->cap : 1,
	    k * sizeof(**arr))) == NULL)
		return -1;
	return 0;
}

/* Target i's name is name from now on (an offset + 1 aside). */
static int
name_set(struct targets *tg, uint32_t i, const char *name)
{
	uint32_t off;

	if (aside_make(tg, &tg->name1, 1) == -1 ||
	    store_name(tg, name, &off) == -1)
		return -1;
	tg->name1[i] = off + 1;
	return 0;
}

const char *
targets_name_of(const struct targets *tg, uint32_t i)
{
	return tg->name1 && tg->name1[i] ? tg->names + tg->name1[i] - 1 :
	    NULL;
}

int
target_show_as(struct targets *tg, struct target *t, const char *name)
{
	if (name_set(tg, (uint32_t)(t - tg->t), name) == -1)
		return -1;
	t->flags |= T_NAMED;
	return 0;
}

uint32_t
targets_order(const struct targets *tg, uint32_t i)
{
	return tg->order ? tg->order[i] : i;
}

/* The table's order is every target's until one is elsewhere. */
int
targets_set_order(struct targets *tg, uint32_t i, uint32_t order)
{
	uint32_t k;

	if (tg->order == NULL && order == i)
		return 0;
	if (tg->order == NULL) {
		if (aside_make(tg, &tg->order, 1) == -1)
			return -1;
		for (k = 0; k < tg->cap; k++)
			tg->order[k] = k;
	}
	tg->order[i] = order;
	return 0;
}

void
targets_count(struct targets *tg, uint32_t i, enum target_count k)
{
	if (aside_make(tg, &tg->counts, TC_COUNTS) == -1) {
		if (!tg->counts_nomem)
			fprintf(stderr, "mping: out of memory: some errors "
			    "and duplicates will not be counted\n");
		tg->counts_nomem = 1;
		return;
	}
	tg->counts[(size_t)i * TC_COUNTS + k]++;
}

uint32_t
targets_counted(const struct targets *tg, uint32_t i, enum target_count k)
{
	return tg->counts ? tg->counts[(size_t)i * TC_COUNTS + k] : 0;
}

/* The table's identity order aside goes on for new room. */
static int
room_grow(struct targets *tg, uint32_t cap)
{
	struct target *t;
	uint32_t k;

	if (aside_grow(&tg->name1, tg->cap, cap, 1) == -1 ||
	    aside_grow(&tg->order, tg->cap, cap, 1) == -1 ||
	    aside_grow(&tg->counts, tg->cap, cap, TC_COUNTS) == -1 ||
	    (t = realloc(tg->t, (size_t)cap * sizeof(*t))) == NULL)
		return -1;
	for (k = tg->cap; tg->order && k < cap; k++)
		tg->order[k] = k;
	tg->t = t;
	tg->cap = cap;
	return 0;
}

int
targets_reserve(struct targets *tg, uint32_t more)
{
	uint32_t cap;

	if (more > tg->max - tg->n)
		more = tg->max - tg->n;
	cap = tg->n + more;
	if (cap > tg->cap && room_grow(tg, cap) == -1)
		return -1;
	if (!tg->sorted && 2 * (uint64_t)cap > hash_slots(tg) &&
	    hash_grow(tg, cap) == -1)
		return -1;
	return 0;
}

int64_t
targets_find(const struct targets *tg, int family, const uint8_t addr[16],
    uint32_t scope, const char *name, uint8_t flags)
{
	uint32_t j = 0;
	int64_t i;

	if (name == NULL)
		flags &= (uint8_t)~T_BYNAME;
	while ((i = targets_next(tg, addr, &j)) >= 0)
		if (same_target(tg, &tg->t[i], family, scope, name, flags))
			return i;
	return -1;
}

/* The slot of the hash that holds index i + 1 (it is there). */
static uint32_t
hash_slot_of(const struct targets *tg, uint32_t i)
{
	uint32_t j = hash_of(tg, i) & tg->hash_mask;

	while (tg->hash[j] != i + 1)
		j = (j + 1) & tg->hash_mask;
	return j;
}

static void
hash_insert(struct targets *tg, uint32_t i)
{
	uint32_t j;

	for (j = hash_of(tg, i) & tg->hash_mask; tg->hash[j];
	    j = (j + 1) & tg->hash_mask)
		;
	tg->hash[j] = i + 1;
}

/*
 * Linear probing's deletion without tombstones: the entries after the
 * hole move back into it when their home slot is not between the hole
 * and them, so every search still meets its entry before an empty slot.
 */
static void
hash_delete(struct targets *tg, uint32_t i)
{
	uint32_t hole = hash_slot_of(tg, i), j = hole, home, m = tg->hash_mask;

	tg->hash[hole] = 0;
	for (;;) {
		j = (j + 1) & m;
		if (tg->hash[j] == 0)
			return;
		home = hash_of(tg, tg->hash[j] - 1) & m;
		if (((j - home) & m) >= ((j - hole) & m)) {
			tg->hash[hole] = tg->hash[j];
			tg->hash[j] = 0;
			hole = j;
		}
	}
}

/*
 * t is on (family, addr, scope) from now on: an IPv6 address aside, in
 * the entry t had if it had one.  -1: no memory (t unchanged).
 */
static int
set_addr(struct targets *tg, struct target *t, int family,
    const uint8_t addr[16], uint32_t scope)
{
	struct six *p;
	uint32_t cap, k = t->family == AF_INET6 ? t->addr : tg->nsix;

	if (family == AF_INET) {
		memcpy(&t->addr, addr + 12, 4);
		t->family = AF_INET;
		return 0;
	}
	if (k == tg->capsix) {
		cap = tg->capsix ? tg->capsix * 2 : 64;
		if (cap < tg->capsix || (p = realloc(tg->six,
		    (size_t)cap * sizeof(*p))) == NULL)
			return -1;
		tg->six = p;
		tg->capsix = cap;
	}
	memcpy(tg->six[k].addr, addr, 16);
	tg->six[k].scope = scope;
	if (k == tg->nsix)
		tg->nsix++;
	t->addr = k;
	t->family = (uint8_t)family;
	return 0;
}

/* The hash, built: a target that does not keep the table sorted. */
static int
unsort(struct targets *tg)
{
	return tg->sorted ? hash_grow(tg, tg->cap > tg->n ? tg->cap :
	    tg->n + 1) : 0;
}

/* Only a name moves, and names are in the hash. */
void
targets_move(struct targets *tg, uint32_t i, int family,
    const uint8_t addr[16], uint32_t scope)
{
	struct target *t = &tg->t[i];

	if (unsort(tg) == -1)
		return;
	if (t->family)
		hash_delete(tg, i);
	else
		tg->gone--;
	if (set_addr(tg, t, family, addr, scope) == -1 && t->family == 0) {
		tg->gone++;	/* no memory: it stays without an address */
		return;
	}
	hash_insert(tg, i);
}

/* A sorted table keeps it (not found any more: gone). */
void
targets_remove(struct targets *tg, uint32_t i)
{
	struct target *t = &tg->t[i];

	if (t->flags & T_GONE)
		return;
	if (t->family == 0)
		tg->gone--;	/* counted once: as gone now */
	else if (!tg->sorted)
		hash_delete(tg, i);
	t->flags |= T_GONE;
	tg->gone++;
}

uint32_t
targets_live(const struct targets *tg)
{
	return tg->n - tg->gone;
}

const char *
targets_why(const struct targets *tg, const struct target *t)
{
	return t->why ? tg->whys[t->why - 1] : NULL;
}

/* Interned by content: gai_strerror's strings are static, mping's too. */
void
targets_set_why(struct targets *tg, struct target *t, const char *why)
{
	unsigned k;

	t->why = 0;
	if (why == NULL)
		return;
	for (k = 0; k < tg->nwhys && strcmp(tg->whys[k], why) != 0; k++)
		;
	if (k == tg->nwhys && k == TARGETS_WHYS)
		k = 0;		/* never: glibc has fewer errors than that */
	else if (k == tg->nwhys)
		tg->whys[tg->nwhys++] = why;
	t->why = (uint8_t)(k + 1);
}

/* Room for one more target; TARGET_* on failure. */
static int
room(struct targets *tg)
{
	if (tg->n >= tg->max)
		return TARGET_FULL;
	if (tg->n == tg->cap && targets_reserve(tg, tg->n ? tg->n : 256) ==
	    -1)
		return TARGET_NOMEM;
	/* The array may have grown while the hash could not (a block's
	 * reservation): the hash must keep its empty slots. */
	if (!tg->sorted && 2 * ((uint64_t)tg->n + 1) > hash_slots(tg) &&
	    hash_grow(tg, tg->n + 1) == -1)
		return TARGET_NOMEM;
	return 0;
}

int64_t
targets_add_unresolved(struct targets *tg, const char *name,
    const char *why)
{
	struct target *t;
	int r;

	if (unsort(tg) == -1)
		return TARGET_NOMEM;
	if ((r = room(tg)) != 0)
		return r;
	if (name_set(tg, tg->n, name) == -1)
		return TARGET_NOMEM;
	t = &tg->t[tg->n];
	memset(t, 0, sizeof(*t));
	t->flags = T_NAMED | T_BYNAME;
	targets_set_why(tg, t, why);
	tg->gone++;
	return tg->n++;
}

/* An IPv4 address above the last one, without a name: no duplicate. */
static int
keeps_sorted(const struct targets *tg, int family, const uint8_t addr[16],
    const char *name)
{
	uint32_t v;

	if (!tg->sorted || family != AF_INET || name || !v4_of(addr, &v))
		return 0;
	return tg->n == 0 || v > ntohl(tg->t[tg->n - 1].addr);
}

int64_t
targets_add(struct targets *tg, int family, const uint8_t addr[16],
    uint32_t scope, const char *name, uint8_t flags)
{
	struct target *t;
	int64_t i;
	int r;

	if (name == NULL)
		flags &= (uint8_t)~T_BYNAME;
	if (!keeps_sorted(tg, family, addr, name) && unsort(tg) == -1)
		return TARGET_NOMEM;
	if (!tg->sorted && (i = targets_find(tg, family, addr, scope, name,
	    flags)) >= 0) {
		if (i < tg->nseen)
			tg->seen[i] = 1;
		return TARGET_DUP;
	}
	if ((r = room(tg)) != 0)
		return r;
	if (name && name_set(tg, tg->n, name) == -1)
		return TARGET_NOMEM;
	t = &tg->t[tg->n];
	memset(t, 0, sizeof(*t));
	if (set_addr(tg, t, family, addr, scope) == -1)
		return TARGET_NOMEM;
	t->flags = name ? flags | T_NAMED : flags;
	if (!tg->sorted)
		hash_insert(tg, tg->n);
	return tg->n++;
}

/* One byte of a dotted quad at p; returns its end. */
static char *
octet(char *p, unsigned v)
{
	if (v >= 100) {
		*p++ = v >= 200 ? '2' : '1';
		v -= v >= 200 ? 200 : 100;
		*p++ = digit_pairs[2 * v];
	} else if (v >= 10)
		*p++ = digit_pairs[2 * v];
	*p++ = digit_pairs[2 * v + 1];
	return p;
}

/* Dotted quad without inet_ntop, which goes through sprintf; straight
 * into buf when it has room for any (a record's buffers do). */
static const char *
addr4_str(const uint8_t a[4], char *buf, size_t len)
{
	char tmp[INET_ADDRSTRLEN], *p = len >= sizeof(tmp) ? buf : tmp, *s = p;
	int i;

	for (i = 0; i < 4; i++) {
		p = octet(p, a[i]);
		*p++ = i < 3 ? '.' : '\0';
	}
	if (s == buf)
		return buf;
	if ((size_t)(p - tmp) > len)
		return NULL;
	memcpy(buf, tmp, (size_t)(p - tmp));
	return buf;
}

const char *
addr16_str(int family, const uint8_t addr[16], char *buf, size_t len)
{
	if (family == AF_INET)
		return addr4_str(addr + 12, buf, len);
	return inet_ntop(AF_INET6, addr, buf, (socklen_t)len);
}

const char *
target_addr(const struct targets *tg, const struct target *t, char *buf,
    size_t len)
{
	if (t->family == AF_INET)
		return addr4_str((const uint8_t *)&t->addr, buf, len);
	return inet_ntop(AF_INET6, tg->six[t->addr].addr, buf,
	    (socklen_t)len);
}

const char *
target_name(const struct targets *tg, const struct target *t, char *buf,
    size_t len)
{
	if (t->flags & T_NAMED)
		return targets_name_of(tg, (uint32_t)(t - tg->t));
	return target_addr(tg, t, buf, len);
}

void
target_sockaddr(const struct targets *tg, const struct target *t,
    struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (t->family == AF_INET) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, &t->addr, 4);
		*len = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, tg->six[t->addr].addr, 16);
		sin6->sin6_scope_id = tg->six[t->addr].scope;
		*len = sizeof(*sin6);
	}
}

void
addr16_from_sockaddr(const struct sockaddr *sa, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (sa->sa_family == AF_INET) {
		addr[10] = addr[11] = 0xff;
		memcpy(addr + 12,
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		    4);
	} else if (sa->sa_family == AF_INET6) {
		memcpy(addr,
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		    16);
	}
}

/*
 * Every target's order is its own (an address gets the next place when it
 * is read, a name reserves one), so one pass places them all: O(n), not a
 * sort.  Places left empty (duplicates, names that did not resolve) are
 * squeezed out.  Without places aside the table is in order: NULL.
 */
uint32_t *
targets_in_order(const struct targets *tg)
{
	uint32_t *place, i, k = 0, max = 0;
	uint64_t j;

	if (tg->order == NULL)
		return NULL;
	for (i = 0; i < tg->n; i++)
		if (tg->order[i] > max)
			max = tg->order[i];
	if ((place = calloc((size_t)max + 1, sizeof(*place))) == NULL)
		return NULL;
	for (i = 0; i < tg->n; i++) {
		if (place[tg->order[i]] != 0) {	/* never: but no loss */
			free(place);
			return NULL;
		}
		place[tg->order[i]] = i + 1;
	}
	for (j = 0; j <= max; j++)
		if (place[j] != 0)
			place[k++] = place[j] - 1;
	return place;
}

/* Array aside arr (k entries a target) put in the new order: to[i]. */
static int
aside_permute(uint32_t **arr, const uint32_t *to, uint32_t n, uint32_t cap,
    unsigned k)
{
	uint32_t *p, i;

	if (*arr == NULL)
		return 0;
	if ((p = calloc((size_t)cap, k * sizeof(*p))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		memcpy(p + (size_t)to[i] * k, *arr + (size_t)i * k,
		    k * sizeof(*p));
	free(*arr);
	*arr = p;
	return 0;
}

/* Where each target goes (a stable counting sort on its place), or NULL. */
static uint32_t *
reorder_map(const struct targets *tg)
{
	uint32_t *at, *to, i, max = 0;

	for (i = 0; i < tg->n; i++)
		if (tg->order[i] > max)
			max = tg->order[i];
	if ((at = calloc((size_t)max + 2, sizeof(*at))) == NULL)
		return NULL;
	if ((to = malloc(sizeof(*to) * tg->n)) != NULL) {
		for (i = 0; i < tg->n; i++)
			at[tg->order[i] + 1]++;
		for (i = 1; i <= max + 1; i++)
			at[i] += at[i - 1];
		for (i = 0; i < tg->n; i++)
			to[i] = at[tg->order[i]]++;
	}
	free(at);
	return to;
}

/*
 * A stable counting sort on order (with -m several addresses of one name
 * share its place), the arrays aside too, then the hash rebuilt for the
 * new indices.  Without places aside the table is in order already.
 */
int
targets_reorder(struct targets *tg)
{
	uint32_t *to, i;
	struct target *t;

	if (tg->n == 0 || tg->order == NULL)
		return 0;
	if ((to = reorder_map(tg)) == NULL)
		return -1;
	if ((t = malloc(sizeof(*t) * tg->cap)) == NULL ||
	    aside_permute(&tg->name1, to, tg->n, tg->cap, 1) == -1 ||
	    aside_permute(&tg->counts, to, tg->n, tg->cap, TC_COUNTS) == -1 ||
	    aside_permute(&tg->order, to, tg->n, tg->cap, 1) == -1) {
		free(t);
		free(to);
		return -1;
	}
	for (i = 0; i < tg->n; i++)
		t[to[i]] = tg->t[i];
	for (i = tg->n; i < tg->cap; i++)
		tg->order[i] = i;
	free(to);
	free(tg->t);
	tg->t = t;
	return tg->sorted ? 0 : hash_grow(tg, tg->n);
}
