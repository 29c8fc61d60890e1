/*
 * Names kept fresh and files read again.  A target keeps its index, so
 * its counts, its monitor state and its place carry over: a new address
 * only moves it in the address hash; a target that left the run stays in
 * the table, out of the hash, marked T_GONE, never probed again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reload.h"

#define NS	1000000000LL

static int64_t reload_hook(void *, int64_t);

void
reload_attach(struct reload *rl, struct engine *e, struct input *in,
    struct loop *l, int files, int rfd)
{
	const struct conf *c = e->c;

	rl->e = e;
	rl->in = in;
	rl->l = l;
	rl->files = files;
	rl->rfd = rfd;
	/* -m probes every address of a name: which one moved where is not
	 * a question with one answer, so its names are not asked again. */
	rl->next_refresh = c->resolve_every_ns && !c->all_addresses ?
	    e->clock() + c->resolve_every_ns : INT64_MAX;
	e->hook = reload_hook;
	e->hook_arg = rl;
	e->next_hook = rl->next_refresh;
}

/* FNV-1a of a name, for the hash of names built while reading again. */
static uint32_t
name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static int
named(const struct target *t)
{
	return (t->flags & T_BYNAME) && !(t->flags & T_GONE);
}

/* The names of the targets in the run, hashed: -1 if no memory. */
static int
names_hash(struct reload *rl)
{
	const struct targets *tg = rl->e->tg;
	uint64_t cap = 64;
	uint32_t i, j;

	while (cap < 2 * (uint64_t)tg->n)
		cap *= 2;
	if ((rl->names = calloc(cap, sizeof(uint32_t))) == NULL)
		return -1;
	rl->names_mask = (uint32_t)cap - 1;
	for (i = 0; i < tg->n; i++) {
		if (!named(&tg->t[i]))
			continue;
		j = name_hash(targets_name_of(tg, i)) & rl->names_mask;
		while (rl->names[j])
			j = (j + 1) & rl->names_mask;
		rl->names[j] = i + 1;
	}
	return 0;
}

int
reload_reading(const struct reload *rl)
{
	return rl->names != NULL;
}

/* -m: a name may be several targets; each of them stays. */
int
reload_known_name(struct reload *rl, const char *name)
{
	const struct targets *tg = rl->e->tg;
	uint32_t j = name_hash(name) & rl->names_mask, i;
	int known = 0;

	for (; rl->names[j]; j = (j + 1) & rl->names_mask) {
		i = rl->names[j] - 1;
		if (strcmp(targets_name_of(tg, i), name) == 0) {
			tg->seen[i] = 1;
			known = 1;
		}
	}
	if (!known)
		rl->names_joined++;
	return known;
}

/* A target not met again leaves: its last summary now, no more probes. */
static uint32_t
leave_unseen(struct reload *rl, uint32_t before)
{
	struct engine *e = rl->e;
	struct targets *tg = e->tg;
	uint32_t i, left = 0;

	for (i = 0; i < before; i++) {
		if (tg->seen[i] || (tg->t[i].flags & T_GONE))
			continue;
		if (e->mode->left)
			e->mode->left(e, i);
		/* The exit status counts the targets still in the run. */
		if (tg->t[i].flags & T_ALIVE)
			e->rep->answered--;
		targets_remove(tg, i);
		left++;
	}
	return left;
}

static void
reload_record(struct reload *rl, uint32_t left)
{
	struct record r;

	record_clear(&r, REC_RELOAD);
	r.time = real_time();
	/* Counting the names that joined as if resolved: they are on
	 * their way. */
	r.targets = targets_live(rl->e->tg) + rl->names_joined;
	r.joined = rl->joined;
	r.left = left;
	out_emit(rl->e->out, &r);
}

/* Names that joined are looked up; the resolver's pipe joins the loop
 * if no name was looked up before. */
static void
start_lookups(struct reload *rl)
{
	int fd = resolver_start(rl->e->res);

	if (fd == -2)
		perror("mping: name lookups");
	else if (fd >= 0 && rl->rfd == -1) {
		if (engine_add_resolver(rl->e, rl->l, fd) == -1)
			rl->e->nomem = 1;
		rl->rfd = fd;
	}
}

/* SIGHUP: the files again; targets met again keep everything. */
static void
read_again(struct reload *rl)
{
	struct targets *tg = rl->e->tg;
	uint32_t before = tg->n, left;

	if (!rl->files) {
		fprintf(stderr, "mping: SIGHUP ignored: no -f FILE to read "
		    "again\n");
		return;
	}
	tg->seen = calloc(before ? before : 1, 1);
	tg->nseen = before;
	if (tg->seen == NULL || names_hash(rl) == -1) {
		fprintf(stderr, "mping: SIGHUP ignored: out of memory\n");
		reload_free(rl);
		return;
	}
	rl->joined = rl->names_joined = 0;
	rl->in->stopped = 0;
	rl->read_files(rl->arg);
	rl->joined = rl->names_joined + (tg->n - before);
	left = leave_unseen(rl, before);
	reload_record(rl, left);
	reload_free(rl);
	start_lookups(rl);
}

/* Every name in the run, asked again (not while a round is under way). */
static void
refresh(struct reload *rl)
{
	struct targets *tg = rl->e->tg;
	uint32_t i;

	if (resolver_pending(rl->e->res) > 0)
		return;
	for (i = 0; i < tg->n; i++)
		if (named(&tg->t[i]) && resolver_again(rl->e->res,
		    targets_name_of(tg, i), i) == -1) {
			rl->e->nomem = 1;
			return;
		}
	start_lookups(rl);
}

static int64_t
reload_hook(void *arg, int64_t now)
{
	struct reload *rl = arg;

	if (rl->sig_hup && *rl->sig_hup) {
		*rl->sig_hup = 0;
		read_again(rl);
	}
	if (now >= rl->next_refresh) {
		refresh(rl);
		rl->next_refresh = now + rl->e->c->resolve_every_ns;
	}
	return rl->next_refresh;
}

/* A resolved record: a new address (from: the one before), or a reason. */
static void
resolved_record(struct engine *e, const struct target *t, const char *was,
    const char *why)
{
	struct rec_text txt;
	struct record r;

	report_target(e->rep, &r, REC_RESOLVED, t, &txt);
	r.method = NULL;
	r.port = -1;
	r.from = was;
	r.reason = why;
	out_emit(e->out, &r);
}

/* The lookup failed: the target keeps its address (if it had one); a
 * record says so once, not at every round. */
static void
lookup_failed(struct engine *e, struct target *t, const char *why)
{
	const char *before = targets_why(e->tg, t);

	if (before && strcmp(before, why) == 0)
		return;
	targets_set_why(e->tg, t, why);
	resolved_record(e, t, NULL, why);
}

/* Whether the engine has a socket for the family. */
static int
has_socket(const struct engine *e, int family)
{
	return (family == AF_INET ? e->s4.fd : e->s6.fd) != -1;
}

void
reload_resolved(void *arg, const char *name, uint32_t i,
    const struct sockaddr *sa, const char *error)
{
	struct reload *rl = arg;
	struct engine *e = rl->e;
	struct target *t;
	char was[REPORT_ADDRLEN];
	uint8_t a[16], old[16];
	uint32_t scope;
	int had;

	(void)name;
	if (i >= e->tg->n || !named(t = &e->tg->t[i]))
		return;		/* it left the run meanwhile */
	if (sa && !has_socket(e, sa->sa_family))
		error = sa->sa_family == AF_INET ? "not probed: no IPv4 socket" :
		    "not probed: no IPv6 socket";
	if (error || sa == NULL) {
		lookup_failed(e, t, error ? error : "name does not resolve");
		return;
	}
	addr16_from_sockaddr(sa, a);
	scope = sa->sa_family == AF_INET6 ?
	    ((const struct sockaddr_in6 *)(const void *)sa)->sin6_scope_id : 0;
	targets_set_why(e->tg, t, NULL);
	if (t->family == sa->sa_family && memcmp(target_a16(e->tg, t, old), a,
	    16) == 0 && target_scope(e->tg, t) == scope)
		return;
	/*
	 * Its probes go to the new address from now on.  One in flight to
	 * the old one may still be answered: that reply is shown as from
	 * another host, not counted, and the probe times out (the address
	 * is the target's identity while it is probed).
	 */
	if ((had = t->family != 0))
		target_addr(e->tg, t, was, sizeof(was));
	targets_move(e->tg, i, sa->sa_family, a, scope);
	resolved_record(e, t, had ? was : NULL, NULL);
	/* A name that had no address starts now; the others go on. */
	if (!had && engine_restart(e, i) == -1)
		e->nomem = 1;
}

void
reload_free(struct reload *rl)
{
	struct targets *tg = rl->e ? rl->e->tg : NULL;

	if (tg) {
		free(tg->seen);
		tg->seen = NULL;
		tg->nseen = 0;
	}
	free(rl->names);
	rl->names = NULL;
}
