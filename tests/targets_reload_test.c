/*
 * The target table under reloads: targets removed (hash deletion without
 * tombstones), moved to another address, names with no address, the
 * reasons interned.  Every address must still be found exactly where it
 * is, and nowhere once its target left.  Prints "ok" and exits 0.
 */
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "targets.h"

#define N	3000

static int bad;

static void
check(int ok, const char *what, unsigned i)
{
	if (!ok && bad++ < 10)
		fprintf(stderr, "FAIL %s (target %u)\n", what, i);
}

static void
addr_of(uint32_t i, uint8_t net, uint8_t a[16])
{
	memset(a, 0, 16);
	a[10] = a[11] = 0xff;
	a[12] = 198;
	a[13] = net;
	a[14] = (uint8_t)(i >> 8);
	a[15] = (uint8_t)i;
}

/* Each live target found at its address, each gone one nowhere (its
 * address may be another target's since). */
static void
all_found(const struct targets *tg, const char *when)
{
	uint32_t i, pos;
	uint8_t a[16];
	int64_t f;
	int found;

	for (i = 0; i < tg->n; i++) {
		if (tg->t[i].family == 0)
			continue;
		pos = 0;
		found = 0;
		while ((f = targets_next(tg, target_a16(tg, &tg->t[i], a),
		    &pos)) >= 0)
			found += f == (int64_t)i;
		check(found == !(tg->t[i].flags & T_GONE), when, i);
	}
}

int
main(void)
{
	struct targets tg;
	uint8_t a[16];
	uint32_t i, gone = 0;
	int64_t u;

	targets_init(&tg, 1u << 20);
	for (i = 0; i < N; i++) {
		addr_of(i, 18, a);
		check(targets_add(&tg, AF_INET, a, 0, NULL, 0) == (int64_t)i,
		    "add", i);
	}
	srand(1);
	for (i = 0; i < 2 * N / 3; i++)
		targets_remove(&tg, (uint32_t)rand() % N);
	for (i = 0; i < N; i++)
		gone += (tg.t[i].flags & T_GONE) != 0;
	check(targets_live(&tg) == N - gone, "live after removals", gone);
	all_found(&tg, "after removals");
	for (i = 0; i < N; i += 7)
		if (!(tg.t[i].flags & T_GONE)) {
			addr_of(i, 19, a);
			targets_move(&tg, i, AF_INET, a, 0);
		}
	all_found(&tg, "after moves");
	/* A removed address comes back as a new target. */
	for (i = 0; i < N && !(tg.t[i].flags & T_GONE); i++)
		;
	check(targets_add(&tg, AF_INET, target_a16(&tg, &tg.t[i], a), 0,
	    NULL, 0) == N,
	    "re-added", i);
	/* A name with no address: not live, then live once it moves. */
	u = targets_add_unresolved(&tg, "lab-none", "name does not resolve");
	check(u == N + 1 && targets_live(&tg) == N - gone + 1, "unresolved",
	    (unsigned)u);
	check(targets_add_unresolved(&tg, "lab-x", "name does not resolve") ==
	    N + 2 && tg.nwhys == 1, "reasons interned", 0);
	addr_of(1, 20, a);
	targets_move(&tg, (uint32_t)u, AF_INET, a, 0);
	targets_set_why(&tg, &tg.t[u], NULL);
	check(targets_live(&tg) == N - gone + 2 &&
	    targets_why(&tg, &tg.t[u]) == NULL, "resolved later", 0);
	targets_remove(&tg, N + 2);
	check(targets_live(&tg) == N - gone + 2, "unresolved removed", 0);
	all_found(&tg, "at the end");
	targets_free(&tg);
	if (bad)
		return 1;
	printf("ok\n");
	return 0;
}
