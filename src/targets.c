#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "targets.h"

void
targets_init(struct targets *tg, uint32_t max)
{
	memset(tg, 0, sizeof(*tg));
	tg->max = max;
}

void
targets_free(struct targets *tg)
{
	free(tg->t);
	free(tg->names);
	free(tg->hash);
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
		for (j = addr_hash(tg->t[i].addr) & (cap - 1); h[j];
		    j = (j + 1) & (cap - 1))
			;
		h[j] = i + 1;
	}
	free(tg->hash);
	tg->hash = h;
	tg->hash_mask = (uint32_t)cap - 1;
	return 0;
}

int64_t
targets_next(const struct targets *tg, const uint8_t addr[16], uint32_t *pos)
{
	uint32_t j, idx, home = addr_hash(addr);

	/* *pos: slots already looked at, counted from the home slot. */
	for (; *pos < hash_slots(tg); (*pos)++) {
		j = (home + *pos) & tg->hash_mask;
		if ((idx = tg->hash[j]) == 0)
			return -1;
		if (memcmp(tg->t[idx - 1].addr, addr, 16) == 0) {
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
	if (t->family != family || t->scope != scope ||
	    (t->flags & T_BYNAME) != (flags & T_BYNAME))
		return 0;
	return !(flags & T_BYNAME) || strcmp(tg->names + t->name, name) == 0;
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

int
target_show_as(struct targets *tg, struct target *t, const char *name)
{
	uint32_t off;

	if (store_name(tg, name, &off) == -1)
		return -1;
	t->name = off;
	t->flags |= T_NAMED;
	return 0;
}

int
targets_reserve(struct targets *tg, uint32_t more)
{
	struct target *t;
	uint32_t cap;

	if (more > tg->max - tg->n)
		more = tg->max - tg->n;
	cap = tg->n + more;
	if (cap > tg->cap) {
		if ((t = realloc(tg->t, (size_t)cap * sizeof(*t))) == NULL)
			return -1;
		tg->t = t;
		tg->cap = cap;
	}
	if (2 * (uint64_t)cap > hash_slots(tg) && hash_grow(tg, cap) == -1)
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
	uint32_t j = addr_hash(tg->t[i].addr) & tg->hash_mask;

	while (tg->hash[j] != i + 1)
		j = (j + 1) & tg->hash_mask;
	return j;
}

static void
hash_insert(struct targets *tg, uint32_t i)
{
	uint32_t j;

	for (j = addr_hash(tg->t[i].addr) & tg->hash_mask; tg->hash[j];
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
		home = addr_hash(tg->t[tg->hash[j] - 1].addr) & m;
		if (((j - home) & m) >= ((j - hole) & m)) {
			tg->hash[hole] = tg->hash[j];
			tg->hash[j] = 0;
			hole = j;
		}
	}
}

void
targets_move(struct targets *tg, uint32_t i, int family,
    const uint8_t addr[16], uint32_t scope)
{
	struct target *t = &tg->t[i];

	if (t->family)
		hash_delete(tg, i);
	else
		tg->gone--;
	memcpy(t->addr, addr, 16);
	t->family = (uint8_t)family;
	t->scope = family == AF_INET ? 0 : scope;
	hash_insert(tg, i);
}

void
targets_remove(struct targets *tg, uint32_t i)
{
	struct target *t = &tg->t[i];

	if (t->flags & T_GONE)
		return;
	if (t->family)
		hash_delete(tg, i);
	else
		tg->gone--;	/* counted once: as gone now */
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
	if (2 * ((uint64_t)tg->n + 1) > hash_slots(tg) &&
	    hash_grow(tg, tg->n + 1) == -1)
		return TARGET_NOMEM;
	return 0;
}

int64_t
targets_add_unresolved(struct targets *tg, const char *name,
    const char *why)
{
	struct target *t;
	uint32_t off;
	int r;

	if ((r = room(tg)) != 0)
		return r;
	if (store_name(tg, name, &off) == -1)
		return TARGET_NOMEM;
	t = &tg->t[tg->n];
	memset(t, 0, sizeof(*t));
	t->flags = T_NAMED | T_BYNAME;
	t->name = off;
	targets_set_why(tg, t, why);
	tg->gone++;
	return tg->n++;
}

int64_t
targets_add(struct targets *tg, int family, const uint8_t addr[16],
    uint32_t scope, const char *name, uint8_t flags)
{
	struct target *t;
	uint32_t off = 0;
	int64_t i;
	int r;

	if (name == NULL)
		flags &= (uint8_t)~T_BYNAME;
	if ((i = targets_find(tg, family, addr, scope, name, flags)) >= 0) {
		if (i < tg->nseen)
			tg->seen[i] = 1;
		return TARGET_DUP;
	}
	if ((r = room(tg)) != 0)
		return r;
	if (name && store_name(tg, name, &off) == -1)
		return TARGET_NOMEM;
	t = &tg->t[tg->n];
	memset(t, 0, sizeof(*t));
	memcpy(t->addr, addr, 16);
	t->scope = scope;
	t->family = (uint8_t)family;
	t->flags = name ? flags | T_NAMED : flags;
	t->name = off;
	hash_insert(tg, tg->n);
	return tg->n++;
}

/* Dotted quad without inet_ntop, which goes through sprintf. */
static const char *
addr4_str(const uint8_t a[4], char *buf, size_t len)
{
	char tmp[INET_ADDRSTRLEN], *p = tmp;
	int i;

	for (i = 0; i < 4; i++) {
		if (a[i] >= 100)
			*p++ = (char)('0' + a[i] / 100);
		if (a[i] >= 10)
			*p++ = (char)('0' + a[i] / 10 % 10);
		*p++ = (char)('0' + a[i] % 10);
		*p++ = i < 3 ? '.' : '\0';
	}
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
target_addr(const struct target *t, char *buf, size_t len)
{
	return addr16_str(t->family, t->addr, buf, len);
}

const char *
target_name(const struct targets *tg, const struct target *t, char *buf,
    size_t len)
{
	if (t->flags & T_NAMED)
		return tg->names + t->name;
	return target_addr(t, buf, len);
}

void
target_sockaddr(const struct target *t, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (t->family == AF_INET) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, t->addr + 12, 4);
		*len = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, t->addr, 16);
		sin6->sin6_scope_id = t->scope;
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
 * squeezed out.
 */
uint32_t *
targets_in_order(const struct targets *tg)
{
	uint32_t *place, i, k = 0, max = 0;
	uint64_t j;

	for (i = 0; i < tg->n; i++)
		if (tg->t[i].order > max)
			max = tg->t[i].order;
	if ((place = calloc((size_t)max + 1, sizeof(*place))) == NULL)
		return NULL;
	for (i = 0; i < tg->n; i++) {
		if (place[tg->t[i].order] != 0) {	/* never: but no loss */
			free(place);
			return NULL;
		}
		place[tg->t[i].order] = i + 1;
	}
	for (j = 0; j <= max; j++)
		if (place[j] != 0)
			place[k++] = place[j] - 1;
	return place;
}

/*
 * A stable counting sort on order (with -m several addresses of one name
 * share its place), then the hash rebuilt for the new indices.
 */
int
targets_reorder(struct targets *tg)
{
	uint32_t *at, i, max = 0;
	struct target *t;

	if (tg->n == 0)
		return 0;
	for (i = 0; i < tg->n; i++)
		if (tg->t[i].order > max)
			max = tg->t[i].order;
	if ((at = calloc((size_t)max + 2, sizeof(*at))) == NULL)
		return -1;
	if ((t = malloc(sizeof(*t) * tg->cap)) == NULL) {
		free(at);
		return -1;
	}
	for (i = 0; i < tg->n; i++)
		at[tg->t[i].order + 1]++;
	for (i = 1; i <= max + 1; i++)
		at[i] += at[i - 1];
	for (i = 0; i < tg->n; i++)
		t[at[tg->t[i].order]++] = tg->t[i];
	free(at);
	free(tg->t);
	tg->t = t;
	return hash_grow(tg, tg->n);
}
