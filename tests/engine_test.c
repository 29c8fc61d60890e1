/*
 * Unit tests of the engine (engine.h) and both run modes (ping.h,
 * trace.h) with a fake probe method and a fake clock: no socket, no root,
 * no network.  The fake method logs every probe that leaves (target, seq,
 * attempt, TTL, flow, serial, send time) and can be told to take only k
 * probes per send call (the kernel's queue is full) or to refuse one with
 * an errno; answers are injected with engine_answer() exactly as a method
 * would make them, tagged with the probe's header; a capturing formatter
 * keeps every record.  Time moves only through engine_step/engine_wait.
 *
 * usage: engine_test [group ...]
 * Prints "ok - group" or "not ok - group" per group, the failed checks,
 * then "N checks, N failed".  Exit status 1 if any check failed, 2 for an
 * unknown group.  Without groups, all run.
 */
#include <sys/socket.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "ping.h"
#include "trace.h"

#define UNIT_NAME	"engine_test.c"
#include "unit.h"

#define MS		1000000LL
#define T0		(1000 * MS)	/* the fake clock's start */
#define MAXLOG		1024
#define MAXCALLS	256
#define MAXREC		4096
#define TEXT		2048
#ifndef SOAK_SEEDS
#define SOAK_SEEDS	20	/* runs per soak (-DSOAK_SEEDS=5000: longer) */
#endif

static int64_t	fake_ns;	/* the fake clock; only the tests move it */

static int64_t
fake_now(void)
{
	return fake_ns;
}

static int64_t
ms_now(void)
{
	return (fake_ns - T0) / MS;
}





/*
 * Append to a transcript (a space-separated line of what happened) in
 * buf of len bytes, cut short if it must be.
 */
static void
catn(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= len)
		return;
	if (n)
		buf[n++] = ' ', buf[n] = '\0';
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/* Transcripts are TEXT bytes. */
#define cat(buf, ...)	catn((buf), TEXT, __VA_ARGS__)

/* ---- the fake method ---- */

struct sent {
	struct probe_hdr h;
	const struct sock *s;		/* the socket it went out on */
	int		 ttl, flow;	/* flow -1: none */
	int		 err;		/* refused with this errno, or 0 */
	int64_t		 at;		/* ms of the fake clock */
};

struct fake {
	struct sent	 log[MAXLOG];
	int		 nlog;
	int		 calls[MAXCALLS];	/* probes offered per send */
	int		 ncalls;
	int		 per_call;	/* probes taken per send; -1: all */
	/* Refuse the next probe to fail_target with this errno (0: none). */
	int		 fail_errno;
	uint32_t	 fail_target;
	/* fake_drain: the answer it holds (npend 1), and its calls. */
	struct answer	 pend;
	int		 npend;
	int64_t		 pend_when;	/* ms it arrived */
	int		 ndrains;
	int64_t		 first_drain;	/* ms of the first call */
	const struct targets *tg;
};

/* What a fake probe carries: its header and flow, nothing else. */
struct fake_probe {
	struct probe_hdr h;
	int		 flow;
};

static int
fake_open(struct sock *s, int family, const struct conf *c, char *err,
    size_t len)
{
	(void)s, (void)family, (void)c;
	snprintf(err, len, "the fake method opens no socket");
	return -1;
}

static void *
fake_create(const struct conf *c, const struct targets *tg)
{
	struct fake *f = calloc(1, sizeof(*f));

	(void)c;
	if (f) {
		f->per_call = -1;
		f->tg = tg;
	}
	return f;
}

static void
fake_destroy(void *f)
{
	free(f);
}

static size_t
fake_len(const struct conf *c)
{
	(void)c;
	return sizeof(struct fake_probe);
}

static void
fake_prepare(void *f, uint8_t *buf, size_t len)
{
	(void)f;
	memset(buf, 0, len);
}

static void
fake_build(void *f, const struct sock *s, struct tx *tx,
    const struct target *t, const struct probe_hdr *h, int flow)
{
	struct fake_probe p;

	(void)s;
	p.h = *h;
	p.flow = flow;
	memcpy(tx->buf, &p, sizeof(p));
	target_sockaddr(((struct fake *)f)->tg, t, &tx->to, &tx->tolen);
}

static int
fake_send(void *arg, struct sock *s, struct tx *tx, int n)
{
	struct fake *f = arg;
	struct fake_probe p;
	struct sent *l;
	int i;

	if (f->ncalls < MAXCALLS)
		f->calls[f->ncalls++] = n;
	for (i = 0; i < n && (f->per_call < 0 || i < f->per_call); i++) {
		memcpy(&p, tx[i].buf, sizeof(p));
		tx[i].err = 0;
		if (f->fail_errno && p.h.target == f->fail_target) {
			tx[i].err = f->fail_errno;
			f->fail_errno = 0;
		}
		if (f->nlog == MAXLOG)
			continue;
		l = &f->log[f->nlog++];
		l->h = p.h;
		l->s = s;
		l->ttl = tx[i].ttl;
		l->flow = p.flow;
		l->err = tx[i].err;
		l->at = ms_now();
	}
	return i;
}

static int
fake_recognise(void *f, const struct sock *s, const struct rx *rx,
    struct answer *a)
{
	(void)f, (void)s, (void)rx, (void)a;
	return 0;
}

/* The ICMP method's names and marks: what a user would see. */
static const char *
fake_error_name(int family, uint8_t type, uint8_t code)
{
	return method_icmp.error_name(family, type, code);
}

static const char *
fake_mark(int family, uint8_t type, uint8_t code, long mtu, char *buf,
    size_t len)
{
	return method_icmp.mark(family, type, code, mtu, buf, len);
}

static const struct method fake_method = {
	.name = "fake",
	.open = fake_open,
	.create = fake_create,
	.destroy = fake_destroy,
	.probe_len = fake_len,
	.answer_len = fake_len,
	.prepare = fake_prepare,
	.build = fake_build,
	.send = fake_send,
	.recognise = fake_recognise,
	.recognise_err = fake_recognise,
	.error_name = fake_error_name,
	.mark = fake_mark,
};

/*
 * A method that reads its own sockets (method.h drain, as
 * method_tcpconn.c): it hands over the answer it holds, if any.
 */
static int
fake_drain(void *arg, struct sock *s, int64_t now,
    void (*answer)(void *, struct answer *, const struct rx *), void *ctx)
{
	struct fake *f = arg;
	struct rx rx;

	(void)s;
	if (f->ndrains++ == 0)
		f->first_drain = (now - T0) / MS;
	if (!f->npend)
		return 0;
	f->npend = 0;
	memset(&rx, 0, sizeof(rx));
	rx.when = T0 + f->pend_when * MS;
	rx.read = now;
	rx.ttl = -1;
	answer(ctx, &f->pend, &rx);
	return 1;
}

static const struct method fake_drain_method = {
	.name = "fake-drain",
	.open = fake_open,
	.create = fake_create,
	.destroy = fake_destroy,
	.probe_len = fake_len,
	.answer_len = fake_len,
	.prepare = fake_prepare,
	.build = fake_build,
	.send = fake_send,
	.recognise = fake_recognise,
	.recognise_err = fake_recognise,
	.error_name = fake_error_name,
	.mark = fake_mark,
	.drain = fake_drain,
};

/* ---- the capturing formatter ---- */

struct rec {
	enum rec_type	 type;
	int64_t		 at;		/* ms of the fake clock */
	long		 index, seq, probe, hops, round;
	long		 sent, received, lost, errors, dups, naddrs, nlost;
	long		 responders;
	int		 ttl, dup, late, foreign, reached;
	int		 shared;	/* hop: --stop-set's */
	double		 rtt_ms;
	char		 error[40], from[48], stop[40], marks[64];
};

struct cap {
	struct rec	 r[MAXREC];
	int		 n;
	int		 lost;		/* records beyond MAXREC: a failure */
};

static void
copy(char *dst, size_t len, const char *s)
{
	snprintf(dst, len, "%s", s ? s : "");
}

/* A hop's marks, one per probe: "*" lost, "-" answered with no mark. */
static void
hop_marks(struct rec *c, const struct record *r)
{
	long q;

	c->marks[0] = '\0';
	for (q = 0; q < r->nprobes && r->froms; q++)
		catn(c->marks, sizeof(c->marks), "%s", r->froms[q] == NULL ?
		    "*" : r->marks[q][0] ? r->marks[q] : "-");
}

static void
cap_emit(struct out *o, const struct record *r)
{
	struct cap *cp = o->view;
	struct rec *c;

	if (cp->n == MAXREC) {
		cp->lost++;
		return;
	}
	c = &cp->r[cp->n++];
	c->type = r->type;
	c->at = ms_now();
	c->index = r->index;
	c->seq = r->seq;
	c->probe = r->probe;
	c->hops = r->hops;
	c->round = r->round;
	c->sent = r->sent;
	c->received = r->received;
	c->lost = r->lost;
	c->errors = r->errors;
	c->dups = r->dups;
	c->responders = r->responders;
	c->naddrs = r->naddrs;
	c->ttl = r->ttl;
	c->dup = r->dup;
	c->late = r->late;
	c->foreign = r->foreign;
	c->reached = r->reached;
	c->shared = r->shared;
	c->rtt_ms = r->rtt_ms;
	copy(c->error, sizeof(c->error), r->error);
	copy(c->from, sizeof(c->from), r->from);
	copy(c->stop, sizeof(c->stop), r->stop);
	c->marks[0] = '\0';
	c->nlost = r->type == REC_HOP ? r->lost : -1;
	if (r->type == REC_HOP)
		hop_marks(c, r);
}

static int
cap_wants(const struct out *o, enum rec_type t)
{
	(void)o, (void)t;
	return 1;
}

static const struct out_ops cap_ops = { NULL, cap_emit, NULL, NULL,
	cap_wants, NULL };

/* ---- a run: targets, conf, engine, mode ---- */

struct rig {
	struct conf		c;
	struct targets		tg;
	struct out		out;
	struct report		rep;
	struct engine		e;
	struct cap		cap;
	volatile sig_atomic_t	stop, quit;
	int			done;		/* engine_step said so */
	int64_t			done_at;	/* ms */
	FILE			*null;
};

static const uint8_t mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static void
v4(uint8_t a[16], int b0, int b1, int b2, int b3)
{
	memcpy(a, mapped, 12);
	a[12] = (uint8_t)b0, a[13] = (uint8_t)b1;
	a[14] = (uint8_t)b2, a[15] = (uint8_t)b3;
}

/* The router at hop n: 198.51.100.n. */
static const uint8_t *
router(int hop)
{
	static uint8_t a[16];

	v4(a, 198, 51, 100, hop);
	return a;
}

/* The ping defaults of a test: -c 1 -p 1000 -t 1000. */
static struct rig *
rig_new(void)
{
	struct rig *r = calloc(1, sizeof(*r));

	if (r == NULL)
		abort();
	r->c.count = 1;
	r->c.period_ns = 1000 * MS;
	r->c.timeout_ns = 1000 * MS;
	r->c.size = 56;
	r->c.ttl = r->c.tos = -1;
	targets_init(&r->tg, 1000);
	return r;
}

/* --trace with its defaults (1..30, 3 queries, window 5) and flow 7. */
static struct rig *
rig_trace(void)
{
	struct rig *r = rig_new();

	r->c.trace = 1;
	r->c.first_hop = 1;
	r->c.max_hops = 30;
	r->c.queries = 3;
	r->c.window = 5;
	r->c.max_timeouts = 5;
	r->c.flow = 7;
	return r;
}

/* Target 203.0.113.k (or a name on address k, with T_BYNAME). */
static void
add_target(struct rig *r, int k, const char *name)
{
	uint8_t a[16];

	v4(a, 203, 0, 113, k);
	if (targets_add(&r->tg, AF_INET, a, 0, name,
	    name ? T_BYNAME : 0) < 0)
		abort();
}

static void
rig_start(struct rig *r)
{
	int rc;

	r->rep.out = &r->out;
	r->rep.tg = &r->tg;
	r->rep.c = &r->c;
	if (engine_init(&r->e, &r->c, &r->tg, &r->rep, &fake_method) == -1)
		abort();
	rc = r->c.trace ? trace_mode(&r->e) : ping_mode(&r->e);
	if (rc == -1 || (r->null = fopen("/dev/null", "w")) == NULL)
		abort();
	out_init(&r->out, r->null, &r->c);
	r->out.ops = &cap_ops;
	r->out.view = &r->cap;
	fake_ns = T0;
	r->e.clock = fake_now;
	r->e.start = r->e.next_send = T0;
	r->e.s4.fd = r->e.s6.fd = -1;
	r->e.sig_stop = &r->stop;
	r->e.sig_quit = &r->quit;
}

/* Targets 203.0.113.1 to .n, then the start. */
static void
rig_go(struct rig *r, int n)
{
	int k;

	for (k = 1; k <= n; k++)
		add_target(r, k, NULL);
	rig_start(r);
}

static void
rig_free(struct rig *r)
{
	CHECK_EQ(r->cap.lost, 0);
	engine_free(&r->e);
	targets_free(&r->tg);
	if (r->null)
		fclose(r->null);
	free(r);
}

static struct fake *
fake_of(struct rig *r)
{
	return r->e.mst;
}

static void
step(struct rig *r)
{
	int rc = engine_step(&r->e, fake_ns);

	CHECK(rc != -1);
	if (rc == 1 && !r->done) {
		r->done = 1;
		r->done_at = ms_now();
		engine_finish(&r->e);
	}
}

/*
 * Run until ms (of the fake clock) or the end of the run, waking exactly
 * when the engine asks to be woken: a step at every such time, and one
 * at ms.
 */
static void
run_to(struct rig *r, int64_t ms)
{
	int64_t until = T0 + ms * MS, w, next;
	int guard = 0;

	if (fake_ns > until)
		until = fake_ns;
	for (;;) {
		step(r);
		if (r->done || fake_ns >= until)
			return;
		w = engine_wait(&r->e, fake_ns);
		next = w < 0 ? until : fake_ns + w;
		if (next > until)
			next = until;
		if (++guard > 100000) {
			CHECK(!"the engine wakes without end");
			return;
		}
		fake_ns = next;
	}
}

/* Until the run ends by itself (at most a minute of fake time). */
static void
run_out(struct rig *r)
{
	run_to(r, ms_now() + 60000);
	CHECK(r->done);
}

/* The probe logged for (target, seq, attempt), the last such. */
static const struct sent *
sent_of(struct rig *r, uint32_t target, uint32_t seq, int attempt)
{
	struct fake *f = fake_of(r);
	int i;

	for (i = f->nlog - 1; i >= 0; i--)
		if (f->log[i].h.target == target && f->log[i].h.seq == seq &&
		    f->log[i].h.attempt == attempt)
			return &f->log[i];
	/* Nothing to answer: the run cannot go on as the test means. */
	printf("# FAIL: probe %u/%u attempt %d was never sent\n", target, seq,
	    attempt);
	abort();
}

/* An answer as the method makes it: tagged with the probe's header. */
static struct answer
answer_to(struct rig *r, const struct sent *p, enum outcome kind,
    const uint8_t from[16])
{
	const struct target *t = &r->tg.t[p->h.target];
	struct answer a;

	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.tagged = 1;
	a.h = p->h;
	target_a16(&r->tg, t, a.dst);
	a.seq16 = (uint16_t)p->h.seq;
	a.family = t->family;
	memcpy(a.from, from ? from : a.dst, 16);
	a.ttl = 60;
	a.size = 64;
	if (kind == OC_EXCEEDED) {
		a.type = 11;
		a.code = 0;
	} else if (kind == OC_ERROR) {
		a.type = 3;		/* host unreachable */
		a.code = 1;
	}
	if (kind != OC_REPLY)
		a.error = fake_error_name(a.family, a.type, a.code);
	return a;
}

/* The answer arrived at when_ms and is read at read_ms (the clock). */
static void
inject(struct rig *r, struct answer *a, int64_t when_ms, int64_t read_ms)
{
	struct rx rx;

	memset(&rx, 0, sizeof(rx));
	rx.when = T0 + when_ms * MS;
	rx.read = T0 + read_ms * MS;
	rx.ttl = -1;
	fake_ns = rx.read;
	engine_answer(&r->e, a, &rx);
}

/* The common case: p's answer of this kind from from, now at ms. */
static void
answer(struct rig *r, const struct sent *p, enum outcome kind,
    const uint8_t from[16], int64_t ms)
{
	struct answer a = answer_to(r, p, kind, from);

	inject(r, &a, ms, ms);
}

static void
reply(struct rig *r, uint32_t target, uint32_t seq, int64_t ms)
{
	answer(r, sent_of(r, target, seq, 0), OC_REPLY, NULL, ms);
}

/* ---- transcripts: what was sent and written, as one line each ---- */

/* Ping probes: "target/seq@ms", ".aN" for a retry, "!errno" refused. */
static const char *
ping_sends(struct rig *r, char *buf)
{
	struct fake *f = fake_of(r);
	const struct sent *l;
	char retry[8];
	int i;

	buf[0] = '\0';
	for (i = 0; i < f->nlog; i++) {
		l = &f->log[i];
		if (l->h.attempt)
			snprintf(retry, sizeof(retry), ".a%d", l->h.attempt);
		else
			retry[0] = '\0';
		cat(buf, "%u/%u%s@%lld%s", l->h.target, l->h.seq, retry,
		    (long long)l->at, l->err ? "!" : "");
	}
	return buf;
}

/* Trace probes from the k-th sent on: "ttl.query@ms". */
static const char *
trace_sends(struct rig *r, int k, char *buf)
{
	struct fake *f = fake_of(r);
	int i;

	buf[0] = '\0';
	for (i = k; i < f->nlog; i++)
		cat(buf, "%u.%u@%lld", TRACE_TTL(f->log[i].h.seq),
		    TRACE_QUERY(f->log[i].h.seq), (long long)f->log[i].at);
	return buf;
}

/* The probes offered to each send call. */
static const char *
calls(struct rig *r, char *buf)
{
	struct fake *f = fake_of(r);
	int i;

	buf[0] = '\0';
	for (i = 0; i < f->ncalls; i++)
		cat(buf, "%d", f->calls[i]);
	return buf;
}

/* Records of the given types (a mask of 1 << type) from the k-th on. */
static const char *
records(struct rig *r, unsigned types, int from, char *buf)
{
	const struct rec *c;
	int i;

	buf[0] = '\0';
	for (i = from; i < r->cap.n; i++) {
		c = &r->cap.r[i];
		if (!(types & 1u << c->type))
			continue;
		switch (c->type) {
		case REC_REPLY:
			cat(buf, "reply %ld/%ld@%lld%s%s%s", c->index, c->seq,
			    (long long)c->at, c->dup ? " dup" : "",
			    c->late ? " late" : "",
			    c->foreign ? " foreign" : "");
			break;
		case REC_TIMEOUT:
		case REC_ERROR:
			cat(buf, "%s %ld/%ld@%lld%s%s", rec_type_name(c->type),
			    c->index, c->seq, (long long)c->at,
			    c->error[0] ? " " : "", c->error);
			break;
		case REC_SUMMARY:
		case REC_INTERIM:
			cat(buf, "%s %ld %ld/%ld/%ld", rec_type_name(c->type),
			    c->index, c->sent, c->received, c->lost);
			break;
		case REC_PROBE:
			cat(buf, "probe %d.%ld", c->ttl, c->probe);
			break;
		case REC_HOP:
			cat(buf, "hop %d%s", c->ttl, c->shared ? " shared" : "");
			break;
		case REC_TRACE:
			cat(buf, "trace %s %ld%s", c->stop, c->hops,
			    c->reached ? " reached" : "");
			break;
		default:
			cat(buf, "%s %ld", rec_type_name(c->type), c->index);
			break;
		}
	}
	return buf;
}

#define R(t)	(1u << (t))
#define EVENTS	(R(REC_REPLY) | R(REC_TIMEOUT) | R(REC_ERROR) | R(REC_ALIVE))

/* The k-th record of type t, or a record of type REC_NTYPES. */
static const struct rec *
nth(struct rig *r, enum rec_type t, int k)
{
	static const struct rec none = { .type = REC_NTYPES };
	int i;

	for (i = 0; i < r->cap.n; i++)
		if (r->cap.r[i].type == t && k-- == 0)
			return &r->cap.r[i];
	return &none;
}

static int
count(struct rig *r, enum rec_type t)
{
	int i, n = 0;

	for (i = 0; i < r->cap.n; i++)
		n += r->cap.r[i].type == t;
	return n;
}

static int
near(double a, double b)
{
	return fabs(a - b) < 1e-6;
}

/* ---- ping ---- */

/*
 * -c 3 -p 100 on three targets: each target's probes leave at 0, 100 and
 * 200 ms (one batch a round), unanswered ones expire in send order, the
 * run ends a linger after the last, with one summary per target.
 */
static void
t_ping_pacing(void)
{
	struct rig *r = rig_new();
	char buf[TEXT];

	r->c.count = 3;
	r->c.period_ns = 100 * MS;
	rig_go(r, 3);
	run_to(r, 999);
	CHECK_STR(ping_sends(r, buf), "0/0@0 1/0@0 2/0@0 0/1@100 1/1@100 "
	    "2/1@100 0/2@200 1/2@200 2/2@200");
	CHECK_STR(calls(r, buf), "3 3 3");
	CHECK_EQ(r->e.sent, 9);
	CHECK_EQ(r->cap.n, 0);
	run_out(r);
	CHECK_STR(records(r, EVENTS, 0, buf), "timeout 0/0@1000 "
	    "timeout 1/0@1000 timeout 2/0@1000 timeout 0/1@1100 "
	    "timeout 1/1@1100 timeout 2/1@1100 timeout 0/2@1200 "
	    "timeout 1/2@1200 timeout 2/2@1200");
	/* The counts of an event are those of its time. */
	CHECK_EQ(nth(r, REC_TIMEOUT, 0)->sent, 3);
	CHECK_EQ(nth(r, REC_TIMEOUT, 0)->lost, 1);
	CHECK_EQ(nth(r, REC_TIMEOUT, 8)->lost, 3);
	/* No reply: the shortest linger, 5 ms. */
	CHECK_EQ(r->done_at, 1205);
	CHECK_STR(records(r, R(REC_SUMMARY), 0, buf), "summary 0 3/0/3 "
	    "summary 1 3/0/3 summary 2 3/0/3");
	CHECK_EQ(fake_of(r)->nlog, 9);
	rig_free(r);
}

/*
 * -i 10: one probe per send call, and the next one not before 10 ms after
 * the last one left, whatever was due.
 */
static void
t_ping_interval(void)
{
	struct rig *r = rig_new();
	char buf[TEXT];

	r->c.count = 3;
	r->c.period_ns = 100 * MS;
	r->c.interval_ns = 10 * MS;
	rig_go(r, 3);
	run_to(r, 500);
	CHECK_STR(ping_sends(r, buf), "0/0@0 1/0@10 2/0@20 0/1@100 1/1@110 "
	    "2/1@120 0/2@200 1/2@210 2/2@220");
	CHECK_STR(calls(r, buf), "1 1 1 1 1 1 1 1 1");
	rig_free(r);
}

/*
 * The clock stalls for ten periods and more (SIGSTOP, a loaded machine):
 * the probe that was due goes at once, the rounds missed are skipped (the
 * next one goes with it, then the old phase), no burst of ten.
 */
static void
t_ping_stall(void)
{
	struct rig *r = rig_new();
	char buf[TEXT];

	r->c.count = 5;
	r->c.period_ns = 100 * MS;
	r->c.timeout_ns = 5000 * MS;
	rig_go(r, 1);
	run_to(r, 0);
	fake_ns = T0 + 1050 * MS;		/* no wake-up until then */
	run_to(r, 1300);
	CHECK_STR(ping_sends(r, buf), "0/0@0 0/1@1050 0/2@1050 0/3@1100 "
	    "0/4@1200");
	CHECK_EQ(r->e.sent, 5);
	rig_free(r);
}

/*
 * -r 2: attempts 0, 1 and 2 of one seq, a timeout record only after the
 * last.  Target 1's attempt 1 is answered: it counts, no timeout; the
 * reply to its attempt 0 after that attempt's timeout is late.
 */
static void
t_ping_retries(void)
{
	struct rig *r = rig_new();
	char buf[TEXT];

	r->c.retries = 2;
	r->c.timeout_ns = 100 * MS;
	rig_go(r, 2);
	run_to(r, 150);
	answer(r, sent_of(r, 1, 0, 1), OC_REPLY, NULL, 150);
	answer(r, sent_of(r, 1, 0, 0), OC_REPLY, NULL, 160);
	run_out(r);
	CHECK_STR(ping_sends(r, buf), "0/0@0 1/0@0 0/0.a1@100 1/0.a1@100 "
	    "0/0.a2@200");
	CHECK_STR(records(r, EVENTS, 0, buf), "reply 1/0@150 "
	    "reply 1/0@160 late timeout 0/0@300");
	CHECK(near(nth(r, REC_REPLY, 0)->rtt_ms, 50));
	CHECK(near(nth(r, REC_REPLY, 1)->rtt_ms, 160));
	CHECK_STR(records(r, R(REC_SUMMARY), 0, buf), "summary 0 1/0/1 "
	    "summary 1 1/1/0");
	CHECK_EQ(r->e.sent, 2);
	rig_free(r);
}

/*
 * -r 2 with a backoff of 2 (fping -B 2): each retry waits twice the
 * previous timeout (100, 200, 400 ms), and a reply is judged by its own
 * try's: target 1's second try answered after 150 ms counts, target 0's
 * after 210 ms is late.  A retry's longer timeout does not hold up the
 * expiry of a first try sent after it (one pending list per attempt).
 */
static void
t_ping_backoff(void)
{
	struct rig *r = rig_new();
	char buf[TEXT];

	r->c.retries = 2;
	r->c.backoff = 2;
	r->c.timeout_ns = 100 * MS;
	rig_go(r, 2);
	run_to(r, 250);
	answer(r, sent_of(r, 1, 0, 1), OC_REPLY, NULL, 250);
	run_to(r, 310);
	answer(r, sent_of(r, 0, 0, 1), OC_REPLY, NULL, 310);
	run_out(r);
	CHECK_STR(ping_sends(r, buf), "0/0@0 1/0@0 0/0.a1@100 1/0.a1@100 "
	    "0/0.a2@300");
	CHECK_STR(records(r, EVENTS, 0, buf), "reply 1/0@250 "
	    "reply 0/0@310 late timeout 0/0@700");
	CHECK_STR(records(r, R(REC_SUMMARY), 0, buf), "summary 0 1/0/1 "
	    "summary 1 1/1/0");
	rig_free(r);
	/* -c 2 -p 100 -r 1 -B 3: seq 0's retry (300 ms) goes before seq 1
	 * (100 ms) but expires after it; seq 1 is retried at 200. */
	r = rig_new();
	r->c.count = 2;
	r->c.period_ns = 100 * MS;
	r->c.retries = 1;
	r->c.backoff = 3;
	r->c.timeout_ns = 100 * MS;
	rig_go(r, 1);
	run_out(r);
	CHECK_STR(ping_sends(r, buf), "0/0@0 0/0.a1@100 0/1@100 "
	    "0/1.a1@200");
	CHECK_STR(records(r, R(REC_TIMEOUT), 0, buf), "timeout 0/0@400 "
	    "timeout 0/1@500");
	rig_free(r);
}

/* Probes expire in the order they were sent, answered ones skipped. */
static void
t_ping_expiry(void)
{
	struct rig *r = rig_new();
	char buf[TEXT];

	r->c.count = 2;
	r->c.period_ns = 100 * MS;
	rig_go(r, 3);
	run_to(r, 50);
	reply(r, 1, 0, 50);
	run_to(r, 150);
	reply(r, 0, 1, 150);
	reply(r, 2, 1, 150);
	run_out(r);
	CHECK_STR(records(r, R(REC_TIMEOUT), 0, buf), "timeout 0/0@1000 "
	    "timeout 2/0@1000 timeout 1/1@1100");
	CHECK_STR(records(r, R(REC_SUMMARY), 0, buf), "summary 0 2/1/1 "
	    "summary 1 2/1/1 summary 2 2/1/1");
	rig_free(r);
}

/* A second copy of a reply is a duplicate: shown, counted as dup only. */
static void
t_ping_dup(void)
{
	struct rig *r = rig_new();
	char buf[TEXT];

	rig_go(r, 1);
	run_to(r, 10);
	reply(r, 0, 0, 10);
	reply(r, 0, 0, 12);
	run_out(r);
	CHECK_STR(records(r, EVENTS, 0, buf), "reply 0/0@10 reply 0/0@12 dup");
	CHECK(near(nth(r, REC_REPLY, 0)->rtt_ms, 10));
	CHECK(near(nth(r, REC_REPLY, 1)->rtt_ms, 12));
	CHECK_EQ(nth(r, REC_SUMMARY, 0)->received, 1);
	CHECK_EQ(nth(r, REC_SUMMARY, 0)->dups, 1);
	CHECK_EQ(nth(r, REC_SUMMARY, 0)->lost, 0);
	rig_free(r);
}

/*
 * -t 100.  Target 0's reply arrives at 150, its probe not yet expired:
 * it times out at once, then the reply is late.  Target 1's probe expired
 * at 150, its reply at 160 is late.  Target 2's reply arrived at 90 and
 * was read at 150 (a stalled loop): the kernel's stamp says in time.
 */
static void
t_ping_late(void)
{
	struct rig *r = rig_new();
	struct answer a;
	char buf[TEXT];

	r->c.timeout_ns = 100 * MS;
	rig_go(r, 3);
	run_to(r, 0);
	reply(r, 0, 0, 150);
	a = answer_to(r, sent_of(r, 2, 0, 0), OC_REPLY, NULL);
	inject(r, &a, 90, 150);
	run_to(r, 150);
	reply(r, 1, 0, 160);
	run_out(r);
	CHECK_STR(records(r, EVENTS, 0, buf), "timeout 0/0@150 "
	    "reply 0/0@150 late reply 2/0@150 timeout 1/0@150 "
	    "reply 1/0@160 late");
	CHECK(near(nth(r, REC_REPLY, 0)->rtt_ms, 150));
	CHECK(near(nth(r, REC_REPLY, 1)->rtt_ms, 90));
	CHECK(near(nth(r, REC_REPLY, 2)->rtt_ms, 160));
	CHECK_STR(records(r, R(REC_SUMMARY), 0, buf), "summary 0 1/0/1 "
	    "summary 1 1/0/1 summary 2 1/1/0");
	rig_free(r);
}

/* A reply to our probe from another address: shown, not counted. */
static void
t_ping_foreign(void)
{
	struct rig *r = rig_new();
	uint8_t other[16];
	char buf[TEXT];

	r->c.timeout_ns = 100 * MS;
	v4(other, 192, 0, 2, 99);
	rig_go(r, 1);
	run_to(r, 10);
	answer(r, sent_of(r, 0, 0, 0), OC_REPLY, other, 10);
	run_out(r);
	CHECK_STR(records(r, EVENTS, 0, buf), "reply 0/0@10 foreign "
	    "timeout 0/0@100");
	CHECK_STR(nth(r, REC_REPLY, 0)->from, "192.0.2.99");
	CHECK_EQ(nth(r, REC_REPLY, 0)->received, 0);
	CHECK_STR(records(r, R(REC_SUMMARY), 0, buf), "summary 0 1/0/1");
	CHECK_EQ(r->rep.answered, 0);
	rig_free(r);
}

/*
 * The kernel's queue takes one probe per call: the others are neither
 * lost nor counted, and go 1 ms later; every count comes out right.
 */
static void
t_ping_queue_full(void)
{
	struct rig *r = rig_new();
	char buf[TEXT];
	uint32_t t, s;

	r->c.count = 2;
	r->c.period_ns = 100 * MS;
	rig_go(r, 3);
	fake_of(r)->per_call = 1;
	run_to(r, 0);
	CHECK_EQ(r->e.sent, 1);
	CHECK_EQ(r->tg.t[1].sent, 0);
	run_to(r, 150);
	CHECK_STR(ping_sends(r, buf), "0/0@0 1/0@1 2/0@2 0/1@100 1/1@101 "
	    "2/1@102");
	CHECK_STR(calls(r, buf), "3 2 1 1 1 1");
	for (t = 0; t < 3; t++)
		for (s = 0; s < 2; s++)
			reply(r, t, s, 150);
	run_out(r);
	CHECK_STR(records(r, R(REC_SUMMARY), 0, buf), "summary 0 2/2/0 "
	    "summary 1 2/2/0 summary 2 2/2/0");
	CHECK_EQ(r->e.sent, 6);
	CHECK_EQ(count(r, REC_TIMEOUT), 0);
	/* The slots of the probes that did not leave came back. */
	CHECK_EQ(r->e.pool.used, 0);
	rig_free(r);
}

/* This host refuses one probe (EHOSTUNREACH): an error record, "local". */
static void
t_ping_send_error(void)
{
	struct rig *r = rig_new();
	const struct rec *c;
	char buf[TEXT];

	rig_go(r, 3);
	fake_of(r)->fail_target = 1;
	fake_of(r)->fail_errno = EHOSTUNREACH;
	run_to(r, 10);
	reply(r, 0, 0, 10);
	reply(r, 2, 0, 10);
	run_out(r);
	CHECK_STR(ping_sends(r, buf), "0/0@0 1/0@0! 2/0@0");
	CHECK_STR(records(r, EVENTS, 0, buf), "error 1/0@0 host-unreachable "
	    "reply 0/0@10 reply 2/0@10");
	c = nth(r, REC_ERROR, 0);
	CHECK_STR(c->from, "local");
	CHECK_EQ(c->errors, 1);
	CHECK_STR(records(r, R(REC_SUMMARY), 0, buf), "summary 0 1/1/0 "
	    "summary 1 1/0/1 summary 2 1/1/0");
	CHECK_EQ(nth(r, REC_SUMMARY, 1)->errors, 1);
	CHECK_EQ(r->e.outstanding, 0);
	CHECK_EQ(r->e.pool.used, 0);
	rig_free(r);
}

/* An error that quotes too little for our tag: destination and seq16. */
static struct answer
short_quote(struct rig *r, uint32_t target, uint16_t seq16)
{
	uint8_t router[16];
	struct answer a;

	v4(router, 198, 51, 100, 1);
	memset(&a, 0, sizeof(a));
	a.kind = OC_ERROR;
	target_a16(&r->tg, &r->tg.t[target], a.dst);
	a.seq16 = seq16;
	a.family = AF_INET;
	memcpy(a.from, router, 16);
	a.type = 3;
	a.code = 1;
	a.error = fake_error_name(AF_INET, 3, 1);
	a.ttl = -1;
	return a;
}

/*
 * A short quote is credited to the target's latest probe if its seq16 is
 * that probe's; an older seq is not guessed at.
 */
static void
t_ping_short_quote(void)
{
	struct rig *r = rig_new();
	struct answer a;
	char buf[TEXT];

	r->c.count = 2;
	r->c.period_ns = 100 * MS;
	rig_go(r, 1);
	run_to(r, 150);
	a = short_quote(r, 0, 0);
	inject(r, &a, 150, 150);		/* seq 0 is not the latest */
	a = short_quote(r, 0, 1);
	inject(r, &a, 151, 151);
	run_out(r);
	CHECK_STR(records(r, EVENTS, 0, buf), "error 0/1@151 host-unreachable "
	    "timeout 0/0@1000");
	CHECK_STR(nth(r, REC_ERROR, 0)->from, "198.51.100.1");
	CHECK_STR(records(r, R(REC_SUMMARY), 0, buf), "summary 0 2/0/2");
	CHECK_EQ(nth(r, REC_SUMMARY, 0)->errors, 1);
	rig_free(r);
}

/*
 * A transport tag (a TCP sequence number, a UDP checksum) carries the low
 * 16 bits of the probe's serial: any probe in flight to its target is
 * named, not only the latest; another target's, or a probe gone, is not.
 */
static void
t_ping_by_serial(void)
{
	struct rig *r = rig_new();
	struct answer a;
	char buf[TEXT];

	r->c.count = 3;
	r->c.period_ns = 100 * MS;
	add_target(r, 1, NULL);
	add_target(r, 2, NULL);
	rig_start(r);
	run_to(r, 250);
	/* seq 0 of target 0, two probes later: still named */
	a = answer_to(r, sent_of(r, 0, 0, 0), OC_REPLY, NULL);
	a.tagged = 0;
	a.by_serial = 1;
	a.serial16 = (uint16_t)sent_of(r, 0, 0, 0)->h.serial;
	inject(r, &a, 250, 250);
	/* the same serial from target 1's address names nobody */
	target_a16(&r->tg, &r->tg.t[1], a.dst);
	memcpy(a.from, a.dst, 16);
	inject(r, &a, 251, 251);
	/* target 1's seq 1 by its own serial */
	a = answer_to(r, sent_of(r, 1, 1, 0), OC_REPLY, NULL);
	a.tagged = 0;
	a.by_serial = 1;
	a.serial16 = (uint16_t)sent_of(r, 1, 1, 0)->h.serial;
	inject(r, &a, 252, 252);
	run_out(r);
	CHECK_STR(records(r, R(REC_REPLY), 0, buf), "reply 0/0@250 "
	    "reply 1/1@252");
	CHECK_EQ(nth(r, REC_REPLY, 0)->rtt_ms, 250);
	CHECK_STR(records(r, R(REC_SUMMARY), 0, buf), "summary 0 3/1/2 "
	    "summary 1 3/1/2");
	rig_free(r);
}

/* Two names on one address: a short quote names neither of them. */
static void
t_ping_short_quote_shared(void)
{
	struct rig *r = rig_new();
	struct answer a;
	char buf[TEXT];

	r->c.timeout_ns = 100 * MS;
	add_target(r, 1, "one.example");
	add_target(r, 1, "uno.example");
	add_target(r, 2, NULL);
	rig_start(r);
	run_to(r, 10);
	a = short_quote(r, 0, 0);
	inject(r, &a, 10, 10);
	a = short_quote(r, 2, 0);
	inject(r, &a, 11, 11);
	run_out(r);
	CHECK_STR(records(r, EVENTS, 0, buf), "error 2/0@11 host-unreachable "
	    "timeout 0/0@100 timeout 1/0@100");
	CHECK_EQ(nth(r, REC_SUMMARY, 0)->errors, 0);
	CHECK_EQ(nth(r, REC_SUMMARY, 1)->errors, 0);
	rig_free(r);
}

/*
 * All answered: the run lingers twice the slowest RTT (5 to 50 ms) for
 * duplicates, which still count, then ends.
 */
static void
t_ping_linger(void)
{
	struct rig *r = rig_new();
	char buf[TEXT];

	rig_go(r, 1);
	run_to(r, 10);
	reply(r, 0, 0, 10);
	run_to(r, 10);
	CHECK(!r->done);
	CHECK_EQ(engine_wait(&r->e, fake_ns), 20 * MS);
	run_to(r, 29);
	CHECK(!r->done);
	reply(r, 0, 0, 29);
	run_out(r);
	CHECK_EQ(r->done_at, 30);
	CHECK_STR(records(r, EVENTS, 0, buf), "reply 0/0@10 reply 0/0@29 dup");
	CHECK_EQ(nth(r, REC_SUMMARY, 0)->dups, 1);
	rig_free(r);

	/* A slow reply: 2 x 40 ms, held to 50. */
	r = rig_new();
	rig_go(r, 1);
	run_to(r, 40);
	reply(r, 0, 0, 40);
	run_out(r);
	CHECK_EQ(r->done_at, 90);
	rig_free(r);
}

/* -a without -c: the run ends (after its linger) once all answered. */
static void
t_ping_alive(void)
{
	struct rig *r = rig_new();
	char buf[TEXT];

	r->c.count = 0;
	r->c.alive = 1;
	r->c.period_ns = 100 * MS;
	rig_go(r, 2);
	run_to(r, 10);
	reply(r, 0, 0, 10);
	run_to(r, 20);
	CHECK(!r->done);
	reply(r, 1, 0, 20);
	run_out(r);
	CHECK_EQ(r->done_at, 60);
	CHECK_STR(records(r, EVENTS, 0, buf), "alive 0 reply 0/0@10 "
	    "alive 1 reply 1/0@20");
	CHECK_STR(ping_sends(r, buf), "0/0@0 1/0@0");
	CHECK_EQ(r->rep.answered, 2);
	rig_free(r);
}

/* SIGQUIT (its flag set): interim records of the counts so far, and on;
 * the summaries at the end. */
static void
t_ping_interim(void)
{
	struct rig *r = rig_new();
	char buf[TEXT];
	int k;

	r->c.count = 3;
	r->c.period_ns = 100 * MS;
	rig_go(r, 2);
	run_to(r, 120);
	reply(r, 0, 0, 120);
	r->quit = 1;
	run_to(r, 120);
	CHECK_EQ(r->quit, 0);
	CHECK_STR(records(r, R(REC_INTERIM) | R(REC_SUMMARY), 0, buf),
	    "interim 0 2/1/0 interim 1 2/0/0");
	CHECK_EQ(nth(r, REC_INTERIM, 1)->received, 0);
	CHECK(!r->done);
	k = r->cap.n;
	run_out(r);
	CHECK_EQ(count(r, REC_INTERIM), 2);
	CHECK_EQ(count(r, REC_SUMMARY), 2);
	CHECK_STR(records(r, R(REC_SUMMARY), k, buf), "summary 0 3/1/2 "
	    "summary 1 3/0/3");
	CHECK_EQ(r->e.sent, 6);
	rig_free(r);
}

/* A redirect (advisory) is shown and counted, the probe stays. */
static void
t_ping_advisory(void)
{
	struct rig *r = rig_new();
	struct answer a;
	char buf[TEXT], want[128];

	rig_go(r, 1);
	run_to(r, 10);
	a = answer_to(r, sent_of(r, 0, 0, 0), OC_ADVISORY, router(1));
	a.type = 5;			/* redirect for the host */
	a.code = 1;
	a.error = fake_error_name(AF_INET, 5, 1);
	inject(r, &a, 10, 10);
	CHECK_EQ(r->e.outstanding, 1);
	reply(r, 0, 0, 20);
	run_out(r);
	snprintf(want, sizeof(want), "error 0/0@10 %s reply 0/0@20", a.error);
	CHECK_STR(records(r, EVENTS, 0, buf), want);
	CHECK_STR(records(r, R(REC_SUMMARY), 0, buf), "summary 0 1/1/0");
	CHECK_EQ(nth(r, REC_SUMMARY, 0)->errors, 1);
	rig_free(r);
}

/* -w 250 without -c: probes at 0, 100, 200, the end at 250: "deadline". */
static void
t_ping_deadline(void)
{
	struct rig *r = rig_new();
	char buf[TEXT];

	r->c.count = 0;
	r->c.period_ns = 100 * MS;
	r->c.deadline_ns = 250 * MS;
	rig_go(r, 1);
	run_out(r);
	CHECK_EQ(r->done_at, 250);
	CHECK_STR(r->e.why, "deadline");
	CHECK_STR(ping_sends(r, buf), "0/0@0 0/1@100 0/2@200");
	CHECK_STR(records(r, ~0u, 0, buf), "summary 0 3/0/0");
	rig_free(r);
}

/*
 * 300 targets due at once: send calls of at most TX_BATCH probes, at
 * most 256 probes a step (answers are read in between), the rest at
 * once in the next step.
 */
static void
t_engine_burst(void)
{
	struct rig *r = rig_new();
	uint8_t a[16];
	int i, big = 0;

	for (i = 0; i < 300; i++) {
		v4(a, 198, 18, i / 256, i % 256);
		if (targets_add(&r->tg, AF_INET, a, 0, NULL, 0) < 0)
			abort();
	}
	rig_start(r);
	run_to(r, 0);
	CHECK_EQ(fake_of(r)->nlog, 256);
	CHECK_EQ(fake_of(r)->ncalls, 16);
	CHECK_EQ(engine_wait(&r->e, fake_ns), 0);
	run_to(r, 0);
	CHECK_EQ(fake_of(r)->nlog, 300);
	for (i = 0; i < fake_of(r)->ncalls; i++)
		big |= fake_of(r)->calls[i] > TX_BATCH;
	CHECK(!big);
	for (i = 0; i < 300; i++)
		big |= fake_of(r)->log[i].h.target != (uint32_t)i ||
		    fake_of(r)->log[i].at != 0;
	CHECK(!big);
	CHECK_EQ(r->e.sent, 300);
	rig_free(r);
}

/*
 * -b: a broadcast target's replies from any host count, each host once
 * as a responder; none is foreign or a duplicate.
 */
static void
t_ping_broadcast(void)
{
	struct rig *r = rig_new();
	uint8_t bcast[16], h1[16], h2[16];
	const struct sent *p;
	char buf[TEXT];

	v4(bcast, 203, 0, 113, 255);
	v4(h1, 203, 0, 113, 1);
	v4(h2, 203, 0, 113, 2);
	if (targets_add(&r->tg, AF_INET, bcast, 0, NULL, T_BCAST) < 0)
		abort();
	rig_start(r);
	run_to(r, 10);
	p = sent_of(r, 0, 0, 0);
	answer(r, p, OC_REPLY, h1, 10);
	answer(r, p, OC_REPLY, h2, 11);
	answer(r, p, OC_REPLY, h1, 12);
	run_out(r);
	CHECK_STR(records(r, EVENTS, 0, buf), "reply 0/0@10 reply 0/0@11 "
	    "reply 0/0@12");
	CHECK_STR(nth(r, REC_REPLY, 1)->from, "203.0.113.2");
	CHECK_STR(records(r, R(REC_SUMMARY), 0, buf), "summary 0 1/1/0");
	CHECK_EQ(nth(r, REC_SUMMARY, 0)->responders, 2);
	CHECK_EQ(nth(r, REC_SUMMARY, 0)->dups, 0);
	rig_free(r);
}

/* ---- trace ---- */

/* Query q of hop ttl of a target (of its latest round). */
static const struct sent *
target_probe(struct rig *r, uint32_t target, int ttl, int q)
{
	return sent_of(r, target, TRACE_SEQ(ttl, q), 0);
}

static const struct sent *
hop_probe(struct rig *r, int ttl, int q)
{
	return target_probe(r, 0, ttl, q);
}

/* Every query of a target's hop ttl answered, 1 ms apart from ms on. */
static void
target_hop(struct rig *r, uint32_t target, int ttl, enum outcome kind,
    int64_t ms)
{
	const uint8_t *from = kind == OC_REPLY ? NULL : router(ttl);
	int q;

	for (q = 0; q < r->c.queries; q++)
		answer(r, target_probe(r, target, ttl, q), kind, from, ms + q);
}

static void
hop(struct rig *r, int ttl, enum outcome kind, int64_t ms)
{
	target_hop(r, 0, ttl, kind, ms);
}

static const char *
exceeded_name(void)
{
	return fake_error_name(AF_INET, 11, 0);
}

/*
 * The first window: TTLs 1..5 x 3 queries at once, one send call per
 * TTL, every probe with flow 7 and its TTL.  Hop 1 answered: its probe
 * records, its line, and TTL 6 goes.
 */
static void
t_trace_window(void)
{
	struct rig *r = rig_trace();
	const struct sent *l;
	const struct rec *c;
	char buf[TEXT];
	int i, ok = 1;

	rig_go(r, 1);
	run_to(r, 9);
	CHECK_STR(trace_sends(r, 0, buf), "1.0@0 1.1@0 1.2@0 2.0@0 2.1@0 2.2@0 "
	    "3.0@0 3.1@0 3.2@0 4.0@0 4.1@0 4.2@0 5.0@0 5.1@0 5.2@0");
	CHECK_STR(calls(r, buf), "3 3 3 3 3");
	for (i = 0; i < fake_of(r)->nlog; i++) {
		l = &fake_of(r)->log[i];
		ok &= l->ttl == (int)TRACE_TTL(l->h.seq) && l->flow == 7 &&
		    l->h.attempt == 0 && l->h.target == 0;
	}
	CHECK(ok);
	CHECK_EQ(r->cap.n, 0);
	hop(r, 1, OC_EXCEEDED, 10);
	CHECK_STR(records(r, ~0u, 0, buf), "probe 1.0 probe 1.1 probe 1.2 "
	    "hop 1");
	c = nth(r, REC_PROBE, 1);
	CHECK_STR(c->from, "198.51.100.1");
	CHECK_STR(c->error, exceeded_name());
	CHECK(near(c->rtt_ms, 11));
	CHECK_EQ(c->round, 0);
	c = nth(r, REC_HOP, 0);
	CHECK_EQ(c->naddrs, 1);
	CHECK_EQ(c->nlost, 0);
	CHECK_STR(c->marks, "- - -");
	run_to(r, 12);
	CHECK_EQ(fake_of(r)->nlog, 18);
	CHECK_STR(trace_sends(r, 15, buf),
	    "6.0@12 6.1@12 6.2@12");
	l = &fake_of(r)->log[17];
	CHECK_EQ(l->ttl, 6);
	CHECK_EQ(l->flow, 7);
	rig_free(r);
}

/* Hop lines come in TTL order, whatever order the answers come in. */
static void
t_trace_order(void)
{
	struct rig *r = rig_trace();
	char buf[TEXT];

	rig_go(r, 1);
	run_to(r, 10);
	hop(r, 2, OC_EXCEEDED, 10);
	answer(r, hop_probe(r, 3, 0), OC_EXCEEDED, router(3), 13);
	run_to(r, 13);
	CHECK_EQ(count(r, REC_HOP), 0);
	CHECK_EQ(fake_of(r)->nlog, 15);
	hop(r, 1, OC_EXCEEDED, 20);
	CHECK_STR(records(r, ~0u, 0, buf), "probe 2.0 probe 2.1 probe 2.2 "
	    "probe 3.0 probe 1.0 probe 1.1 probe 1.2 hop 1 hop 2");
	run_to(r, 22);
	CHECK_STR(trace_sends(r, 15, buf),
	    "6.0@22 6.1@22 6.2@22 7.0@22 7.1@22 7.2@22");
	rig_free(r);
}

/*
 * A reply at hop 4: the trace is reached at 4 hops, and the probes
 * queued beyond it (TTL 6, after hop 1's line) are not sent.
 */
static void
t_trace_reached(void)
{
	struct rig *r = rig_trace();
	const struct rec *c;
	char buf[TEXT];

	rig_go(r, 1);
	run_to(r, 10);
	hop(r, 1, OC_EXCEEDED, 10);
	answer(r, hop_probe(r, 4, 0), OC_REPLY, NULL, 13);
	run_to(r, 13);
	CHECK_EQ(fake_of(r)->nlog, 15);
	hop(r, 2, OC_EXCEEDED, 20);
	hop(r, 3, OC_EXCEEDED, 30);
	answer(r, hop_probe(r, 4, 1), OC_REPLY, NULL, 40);
	answer(r, hop_probe(r, 4, 2), OC_REPLY, NULL, 41);
	run_out(r);
	CHECK_EQ(fake_of(r)->nlog, 15);
	CHECK_STR(records(r, R(REC_HOP) | R(REC_TRACE), 0, buf), "hop 1 "
	    "hop 2 hop 3 hop 4 trace reached 4 reached");
	CHECK_EQ(r->done_at, 41);
	c = nth(r, REC_HOP, 3);
	CHECK_STR(c->marks, "- - -");
	c = nth(r, REC_PROBE, 3);		/* 4.0, the reply */
	CHECK_EQ(c->ttl, 4);
	CHECK_STR(c->from, "203.0.113.1");
	CHECK_STR(c->error, "");
	CHECK_EQ(r->rep.answered, 1);
	rig_free(r);
}

/*
 * Five silent hops in a row: "max-timeouts".  The run is held back while
 * the window moves on past it (TTLs 6-9, one per hop of the run as it
 * grew), then its first hop is probed again 2 s after those time out:
 * 15 + 12 + 3 probes, the end at 5 s.
 */
static void
t_trace_max_timeouts(void)
{
	struct rig *r = rig_trace();
	char buf[TEXT];

	rig_go(r, 1);
	run_out(r);
	CHECK_EQ(r->done_at, 5000);
	CHECK_EQ(fake_of(r)->nlog, 30);
	CHECK_STR(records(r, R(REC_HOP) | R(REC_TRACE), 0, buf), "hop 1 "
	    "hop 2 hop 3 hop 4 hop 5 trace max-timeouts 5");
	CHECK_STR(nth(r, REC_HOP, 4)->marks, "* * *");
	CHECK_EQ(nth(r, REC_HOP, 4)->nlost, 3);
	CHECK_EQ(count(r, REC_PROBE), 30);
	CHECK_EQ(r->rep.answered, 0);
	rig_free(r);
}

/* Host unreachable at hop 3: the trace stops there, with its name. */
static void
t_trace_unreachable(void)
{
	struct rig *r = rig_trace();
	char buf[TEXT];

	rig_go(r, 1);
	run_to(r, 10);
	hop(r, 1, OC_EXCEEDED, 10);
	hop(r, 2, OC_EXCEEDED, 20);
	hop(r, 3, OC_ERROR, 30);
	run_out(r);
	CHECK_STR(records(r, R(REC_HOP) | R(REC_TRACE), 0, buf), "hop 1 "
	    "hop 2 hop 3 trace host-unreachable 3");
	CHECK_STR(nth(r, REC_HOP, 2)->marks, "!H !H !H");
	CHECK_STR(nth(r, REC_PROBE, 6)->error, "host-unreachable");
	CHECK_STR(nth(r, REC_PROBE, 6)->from, "198.51.100.3");
	CHECK_EQ(r->done_at, 32);
	CHECK_EQ(r->rep.answered, 0);
	rig_free(r);
}

/* --max-hops 3: three hops sent, answered by routers: "max-hops". */
static void
t_trace_max_hops(void)
{
	struct rig *r = rig_trace();
	char buf[TEXT];

	r->c.max_hops = 3;
	rig_go(r, 1);
	run_to(r, 10);
	CHECK_STR(trace_sends(r, 0, buf), "1.0@0 1.1@0 1.2@0 2.0@0 2.1@0 2.2@0 "
	    "3.0@0 3.1@0 3.2@0");
	hop(r, 1, OC_EXCEEDED, 10);
	hop(r, 2, OC_EXCEEDED, 20);
	hop(r, 3, OC_EXCEEDED, 30);
	run_out(r);
	CHECK_STR(records(r, R(REC_HOP) | R(REC_TRACE), 0, buf), "hop 1 "
	    "hop 2 hop 3 trace max-hops 3");
	CHECK_EQ(fake_of(r)->nlog, 9);
	CHECK_EQ(r->done_at, 32);
	rig_free(r);
}

/* -c 2 -p period: round 0, to its end at 22 (hop 2 the destination);
 * the probes it sent. */
static int
trace_round0(struct rig *r, int64_t period)
{
	r->c.count = 2;
	r->c.period_ns = period;
	rig_go(r, 1);
	run_to(r, 10);
	hop(r, 1, OC_EXCEEDED, 10);
	run_to(r, 12);
	hop(r, 2, OC_REPLY, 20);
	return fake_of(r)->nlog;
}

/*
 * -c 2 -p 1000: the second round starts one period after the first
 * began (at 0: 1000, though it ended at 22), its records carry round 1.
 */
static void
t_trace_rounds(void)
{
	struct rig *r = rig_trace();
	char buf[TEXT];
	int k = trace_round0(r, 1000 * MS);

	CHECK_STR(records(r, R(REC_TRACE), 0, buf), "trace reached 2 reached");
	CHECK_EQ(nth(r, REC_TRACE, 0)->round, 0);
	CHECK_EQ(k, 18);
	run_to(r, 999);
	CHECK_EQ(fake_of(r)->nlog, k);
	run_to(r, 1000);
	/* The destination is at hop 2: round 1 probes no further. */
	CHECK_STR(trace_sends(r, k, buf),
	    "1.0@1000 1.1@1000 1.2@1000 2.0@1000 2.1@1000 2.2@1000");
	CHECK_EQ(fake_of(r)->nlog, k + 6);
	CHECK(!r->done);
	hop(r, 1, OC_EXCEEDED, 1030);
	hop(r, 2, OC_REPLY, 1040);
	run_out(r);
	CHECK_EQ(r->done_at, 1042);
	CHECK_STR(records(r, R(REC_HOP) | R(REC_TRACE), 0, buf), "hop 1 "
	    "hop 2 trace reached 2 reached hop 1 hop 2 trace reached 2 "
	    "reached");
	CHECK_EQ(nth(r, REC_HOP, 1)->round, 0);
	CHECK_EQ(nth(r, REC_HOP, 2)->round, 1);
	CHECK_EQ(nth(r, REC_PROBE, 6)->round, 1);
	CHECK_EQ(nth(r, REC_TRACE, 1)->round, 1);
	CHECK_EQ(count(r, REC_TRACE), 2);
	rig_free(r);
}

/*
 * -c 2 -p 10: round 0 took longer than the period (it ended at 22):
 * round 1 starts as it ends, never while it runs.
 */
static void
t_trace_rounds_long(void)
{
	struct rig *r = rig_trace();
	char buf[TEXT];
	int k = trace_round0(r, 10 * MS);

	CHECK_EQ(k, 18);
	run_to(r, 22);
	CHECK_STR(trace_sends(r, k, buf),
	    "1.0@22 1.1@22 1.2@22 2.0@22 2.1@22 2.2@22");
	rig_free(r);
}

/*
 * Interrupted mid-trace: the hops up to the last one heard are printed
 * (hop 3 silent, hop 4 one answer), then "interrupted".
 */
static void
t_trace_interrupt(void)
{
	struct rig *r = rig_trace();
	char buf[TEXT];
	int k;

	rig_go(r, 1);
	run_to(r, 10);
	hop(r, 1, OC_EXCEEDED, 10);
	hop(r, 2, OC_EXCEEDED, 13);
	answer(r, hop_probe(r, 4, 0), OC_EXCEEDED, router(4), 20);
	k = r->cap.n;
	r->stop = 1;
	run_to(r, 30);
	CHECK(r->done);
	CHECK_EQ(r->done_at, 20);
	CHECK_STR(r->e.why, "interrupted");
	CHECK_STR(records(r, ~0u, k, buf), "hop 3 hop 4 trace interrupted 4");
	CHECK_STR(nth(r, REC_HOP, 2)->marks, "* * *");
	CHECK_STR(nth(r, REC_HOP, 3)->marks, "- * *");
	CHECK_EQ(nth(r, REC_TRACE, 0)->reached, 0);
	rig_free(r);
}

/*
 * Errors that quote too little for the tag name hop 1's probes by
 * destination and seq (TTL and query); a redirect changes nothing.
 */
static void
t_trace_quotes(void)
{
	struct rig *r = rig_trace();
	struct answer a;
	char buf[TEXT];
	int q;

	rig_go(r, 1);
	run_to(r, 10);
	for (q = 0; q < 3; q++) {
		a = answer_to(r, hop_probe(r, 1, q), OC_EXCEEDED, router(1));
		a.tagged = 0;
		memset(&a.h, 0, sizeof(a.h));
		inject(r, &a, 10 + q, 10 + q);
	}
	a = answer_to(r, hop_probe(r, 2, 0), OC_ADVISORY, router(2));
	a.type = 5;
	inject(r, &a, 13, 13);
	CHECK_STR(records(r, ~0u, 0, buf), "probe 1.0 probe 1.1 probe 1.2 "
	    "hop 1");
	hop(r, 2, OC_EXCEEDED, 20);
	CHECK_STR(records(r, R(REC_HOP), 0, buf), "hop 1 hop 2");
	CHECK_STR(nth(r, REC_PROBE, 3)->from, "198.51.100.2");
	rig_free(r);
}

/* -w 500, nobody answers: no hop was heard, the trace ends "deadline". */
static void
t_trace_deadline(void)
{
	struct rig *r = rig_trace();
	char buf[TEXT];

	r->c.deadline_ns = 500 * MS;
	rig_go(r, 1);
	run_out(r);
	CHECK_EQ(r->done_at, 500);
	CHECK_STR(records(r, ~0u, 0, buf), "trace deadline 0");
	rig_free(r);
}

/*
 * Two traces side by side, each with its own window: one is reached at
 * hop 2, the other (hop 1 heard) gives up after five silent hops; the
 * run ends with the second.
 */
static void
t_trace_two(void)
{
	struct rig *r = rig_trace();
	const struct sent *l;
	char buf[TEXT];
	int i, n[2] = { 0, 0 };

	/* Side by side: no stop set (it holds the second until the first
	 * ends, trace-stopset). */
	r->c.stop_set = STOPSET_OFF;
	rig_go(r, 2);
	run_to(r, 10);
	for (i = 0; i < fake_of(r)->nlog; i++) {
		l = &fake_of(r)->log[i];
		n[l->h.target]++;
		CHECK(l->at == 0 && TRACE_TTL(l->h.seq) <= 5);
	}
	CHECK(n[0] == 15 && n[1] == 15);
	target_hop(r, 1, 1, OC_EXCEEDED, 10);
	target_hop(r, 0, 1, OC_EXCEEDED, 10);
	target_hop(r, 0, 2, OC_REPLY, 20);
	run_out(r);
	/* Its TTL 6 left at the next step, at 22, and expires 1 s later;
	 * TTLs 7-9 then, and 2 s after them hop 2 is probed again. */
	CHECK_EQ(r->done_at, 5000);
	CHECK_STR(records(r, R(REC_TRACE), 0, buf), "trace reached 2 reached "
	    "trace max-timeouts 6");
	CHECK_EQ(nth(r, REC_TRACE, 0)->index, 0);
	CHECK_EQ(nth(r, REC_TRACE, 0)->at, 22);
	CHECK_EQ(nth(r, REC_TRACE, 1)->index, 1);
	CHECK_EQ(r->rep.answered, 1);
	rig_free(r);
}

/*
 * The stop set: the second trace waits for the first (reached at 4),
 * then probes hop 4 (alone until it answers) and back from 3 with one
 * probe; hop 3's
 * router is the first trace's: hops 1-3 are shared, never probed, and
 * the verdict is reached at 4.  A third trace whose hop 3 is another
 * router walks on to hop 2, whose router stops it.
 */
static void
t_trace_stopset(void)
{
	struct rig *r = rig_trace();
	uint8_t other[16];
	char buf[TEXT];
	int n, ttl;

	rig_go(r, 3);
	run_to(r, 10);
	CHECK_STR(trace_sends(r, 0, buf), "1.0@0 1.1@0 1.2@0 2.0@0 2.1@0 2.2@0 "
	    "3.0@0 3.1@0 3.2@0 4.0@0 4.1@0 4.2@0 5.0@0 5.1@0 5.2@0");
	for (ttl = 1; ttl <= 3; ttl++)
		hop(r, ttl, OC_EXCEEDED, 10 + ttl * 3);
	hop(r, 4, OC_REPLY, 20);
	n = fake_of(r)->nlog;
	run_to(r, 30);
	CHECK_STR(trace_sends(r, n, buf), "3.0@22 4.0@22 4.1@22 4.2@22 "
	    "3.0@22 4.0@22 4.1@22 4.2@22");
	answer(r, target_probe(r, 1, 3, 0), OC_EXCEEDED, router(3), 30);
	target_hop(r, 1, 4, OC_REPLY, 31);
	v4(other, 192, 0, 2, 3);
	answer(r, target_probe(r, 2, 3, 0), OC_EXCEEDED, other, 35);
	n = fake_of(r)->nlog;
	run_to(r, 40);
	CHECK_STR(trace_sends(r, n, buf), "3.1@35 3.2@35 2.0@35");
	answer(r, target_probe(r, 2, 2, 0), OC_EXCEEDED, router(2), 41);
	target_hop(r, 2, 4, OC_REPLY, 42);
	answer(r, target_probe(r, 2, 3, 1), OC_EXCEEDED, other, 43);
	answer(r, target_probe(r, 2, 3, 2), OC_EXCEEDED, other, 44);
	run_out(r);
	CHECK_STR(records(r, R(REC_HOP) | R(REC_TRACE), 0, buf), "hop 1 hop 2 "
	    "hop 3 hop 4 trace reached 4 reached hop 1 shared hop 2 shared "
	    "hop 3 shared hop 4 trace reached 4 reached hop 1 shared "
	    "hop 2 shared hop 3 hop 4 trace reached 4 reached");
	CHECK_EQ(fake_of(r)->nlog, n + 3);
	rig_free(r);
}

/*
 * The kernel takes one probe per call: the window still goes out whole,
 * a millisecond after each refusal, none twice; the hops print as usual.
 */
static void
t_trace_queue_full(void)
{
	struct rig *r = rig_trace();
	char buf[TEXT];
	int ttl;

	rig_go(r, 1);
	fake_of(r)->per_call = 1;
	run_to(r, 20);
	/* A call the kernel took whole (1.2 alone) is followed at once. */
	CHECK_STR(trace_sends(r, 0, buf), "1.0@0 1.1@1 1.2@2 2.0@2 2.1@3 "
	    "2.2@4 3.0@4 3.1@5 3.2@6 4.0@6 4.1@7 4.2@8 5.0@8 5.1@9 5.2@10");
	for (ttl = 1; ttl <= 3; ttl++)
		hop(r, ttl, ttl < 3 ? OC_EXCEEDED : OC_REPLY, 20 * ttl);
	run_out(r);
	CHECK_STR(records(r, R(REC_HOP) | R(REC_TRACE), 0, buf), "hop 1 "
	    "hop 2 hop 3 trace reached 3 reached");
	/* TTL 6 and 7, queued meanwhile, are beyond the destination. */
	CHECK_EQ(fake_of(r)->nlog, 15);
	rig_free(r);
}

/*
 * This host refuses hop 1's first probe (EHOSTUNREACH): the trace stops
 * at hop 1 with that error, marked !H from "local".
 */
static void
t_trace_local_error(void)
{
	struct rig *r = rig_trace();
	char buf[TEXT];

	rig_go(r, 1);
	fake_of(r)->fail_target = 0;
	fake_of(r)->fail_errno = EHOSTUNREACH;
	run_out(r);
	CHECK_EQ(r->done_at, 1000);
	CHECK_STR(records(r, R(REC_HOP) | R(REC_TRACE), 0, buf), "hop 1 "
	    "trace host-unreachable 1");
	CHECK_STR(nth(r, REC_PROBE, 0)->from, "local");
	CHECK_STR(nth(r, REC_PROBE, 0)->error, "host-unreachable");
	CHECK_STR(nth(r, REC_HOP, 0)->marks, "!H * *");
	rig_free(r);
}

/* ---- the engine with a mode of its own ---- */

struct ticker {
	int64_t	 at[16];
	int	 n;
};

static int
tk_first(struct engine *e, uint32_t target, int64_t now, struct job *j)
{
	(void)e, (void)target, (void)now, (void)j;
	return 0;
}

static void
tk_sent(struct engine *e, const struct job *j, uint32_t serial, int64_t now)
{
	(void)e, (void)j, (void)serial, (void)now;
}

static void
tk_outcome(struct engine *e, struct probe *pr, const struct answer *a,
    const struct rx *rx)
{
	(void)e, (void)pr, (void)a, (void)rx;
}

static int64_t
tk_serial(struct engine *e, uint32_t target, uint16_t seq16)
{
	(void)e, (void)target, (void)seq16;
	return -1;
}

static int
tk_done(struct engine *e, int64_t now)
{
	(void)e;
	return now >= T0 + 1000 * MS;
}

/* Ticks 100, 200, 300, ... ms apart. */
static int64_t
tk_tick(struct engine *e, int64_t now)
{
	struct ticker *k = e->ms;

	if (k->n < 16)
		k->at[k->n++] = (now - T0) / MS;
	return now + k->n * 100 * MS;
}

static void
tk_finish(struct engine *e, const char *why)
{
	(void)e, (void)why;
}

static const struct mode tick_mode = {
	.first = tk_first,
	.sent = tk_sent,
	.outcome = tk_outcome,
	.serial_of = tk_serial,
	.done = tk_done,
	.tick = tk_tick,
	.finish = tk_finish,
};

/* A mode's tick is called at the times it asks for, and only then. */
static void
t_engine_tick(void)
{
	struct rig *r = rig_new();
	struct ticker k;
	char buf[TEXT];
	int i;

	memset(&k, 0, sizeof(k));
	rig_go(r, 1);
	r->e.mode->destroy(&r->e);
	r->e.mode = &tick_mode;
	r->e.ms = &k;
	run_to(r, 5000);
	buf[0] = '\0';
	for (i = 0; i < k.n; i++)
		cat(buf, "%lld", (long long)k.at[i]);
	CHECK_STR(buf, "0 100 300 600 1000");
	CHECK_EQ(r->done_at, 1000);
	CHECK_EQ(fake_of(r)->nlog, 0);
	rig_free(r);
}

/*
 * Hop 1 answers, hops 2 to 6 are silent, the destination is hop 7.  Its
 * reply comes (at 1005) before the fifth silent hop, hop 6, times out (at
 * 1010).  The end is known by then: the trace goes on to it, 7 hops,
 * "reached" (mping before issue 12 gave up with "max-timeouts" and said
 * reached in 6 hops, hop 7 never shown).
 */
static void
t_trace_reached_after_silence(void)
{
	struct rig *r = rig_trace();
	char buf[TEXT];
	int q;

	rig_go(r, 1);
	run_to(r, 10);
	hop(r, 1, OC_EXCEEDED, 10);
	run_to(r, 1000);			/* hops 2-5 time out, TTL 7 goes */
	CHECK_EQ(hop_probe(r, 7, 0)->at, 1000);
	for (q = 0; q < 3; q++)
		answer(r, hop_probe(r, 7, q), OC_REPLY, NULL, 1005 + q);
	run_out(r);
	CHECK_STR(records(r, R(REC_HOP) | R(REC_TRACE), 0, buf), "hop 1 "
	    "hop 2 hop 3 hop 4 hop 5 hop 6 hop 7 trace reached 7 reached");
	rig_free(r);
}

/*
 * IPv4 and IPv6 targets in turn: a batch holds one family (one socket),
 * each probe goes out on its family's socket, replies count alike.
 */
static void
t_engine_families(void)
{
	struct rig *r = rig_new();
	uint8_t a[16];
	char buf[TEXT];
	int k, i, ok = 1;

	for (k = 1; k <= 2; k++) {
		add_target(r, k, NULL);
		memset(a, 0, sizeof(a));
		a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8;
		a[15] = (uint8_t)k;
		if (targets_add(&r->tg, AF_INET6, a, 0, NULL, 0) < 0)
			abort();
	}
	rig_start(r);
	run_to(r, 10);
	CHECK_STR(calls(r, buf), "1 1 1 1");
	for (i = 0; i < fake_of(r)->nlog; i++)
		ok &= fake_of(r)->log[i].s == (i % 2 ? &r->e.s6 : &r->e.s4);
	CHECK(ok);
	for (k = 0; k < 4; k++)
		reply(r, (uint32_t)k, 0, 10);
	run_out(r);
	CHECK_STR(nth(r, REC_REPLY, 1)->from, "2001:db8::1");
	CHECK_STR(records(r, R(REC_SUMMARY), 0, buf), "summary 0 1/1/0 "
	    "summary 1 1/1/0 summary 2 1/1/0 summary 3 1/1/0");
	rig_free(r);
}

/* ---- soak: random fates, checked against what must always hold ---- */

static uint64_t	rng_state;

/* xorshift64: the same run every time for a seed. */
static unsigned
rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

/* An answer due at a time: to a logged probe, of a kind, from whom. */
struct event {
	int64_t		 at;		/* ms */
	int		 log;		/* the probe's place in the log */
	enum outcome	 kind;
	int		 from;		/* 0: its target, else router(from) */
	int		 untagged;	/* a short quote */
	int		 done;
};

struct soak {
	struct event	 ev[4 * MAXLOG];
	int		 nev, planned;
	/* What a fate plans for a probe; the mode's own rules. */
	void		(*plan)(struct rig *, struct soak *, int log);
	int		 route[16];	/* trace: hops to each target */
};

static void
plan_event(struct soak *k, int log, int64_t at, enum outcome kind,
    int from)
{
	struct event *v;

	if (k->nev == (int)(sizeof(k->ev) / sizeof(k->ev[0])))
		return;
	v = &k->ev[k->nev++];
	memset(v, 0, sizeof(*v));
	v->at = at;
	v->log = log;
	v->kind = kind;
	v->from = from;
}

/* The earliest event not yet done, or NULL. */
static struct event *
next_event(struct soak *k)
{
	struct event *best = NULL;
	int i;

	for (i = 0; i < k->nev; i++)
		if (!k->ev[i].done && (best == NULL || k->ev[i].at < best->at))
			best = &k->ev[i];
	return best;
}

static void
deliver(struct rig *r, struct event *v)
{
	const struct sent *p = &fake_of(r)->log[v->log];
	struct answer a;

	a = answer_to(r, p, v->kind, v->from ? router(v->from) : NULL);
	if (v->untagged) {
		a.tagged = 0;
		memset(&a.h, 0, sizeof(a.h));
	}
	inject(r, &a, v->at, v->at);
	v->done = 1;
}

/* The kernel's mood for the next step: queue full at times, a refusal. */
static void
kernel_mood(struct rig *r)
{
	struct fake *f = fake_of(r);

	f->per_call = rnd(4) == 0 ? (int)rnd(3) : -1;
	if (rnd(40) == 0) {
		f->fail_target = rnd(r->tg.n);
		f->fail_errno = rnd(2) ? EHOSTUNREACH : ENETUNREACH;
	}
}

/*
 * Plan each new probe's fate, then move to the next answer or wake-up,
 * whichever comes first; answers due at a time go before its step.
 */
static void
soak_run(struct rig *r, struct soak *k, int64_t until_ms)
{
	struct event *v;
	int64_t t, w;
	int guard = 0;

	step(r);
	while (!r->done && ++guard < 200000) {
		while (k->planned < fake_of(r)->nlog)
			k->plan(r, k, k->planned++);
		w = engine_wait(&r->e, fake_ns);
		t = w < 0 ? INT64_MAX : fake_ns + w;
		if ((v = next_event(k)) != NULL && T0 + v->at * MS < t)
			t = T0 + v->at * MS;
		if (t == INT64_MAX || t > T0 + until_ms * MS)
			break;
		fake_ns = t;
		while ((v = next_event(k)) != NULL && T0 + v->at * MS <= t)
			deliver(r, v);
		kernel_mood(r);
		step(r);
	}
	CHECK(r->done);
}

/*
 * A ping probe's fate: answered in time (maybe twice), late, by another
 * host, by a router's error (tagged or a short quote), or never.
 */
static void
ping_fate(struct rig *r, struct soak *k, int log)
{
	const struct sent *p = &fake_of(r)->log[log];
	unsigned tmo = (unsigned)(r->c.timeout_ns / MS), f = rnd(20);
	int64_t at = p->at;

	if (p->err)
		return;
	if (f < 8) {
		plan_event(k, log, at + 1 + rnd(tmo), OC_REPLY, 0);
		if (rnd(5) == 0)
			plan_event(k, log, at + 1 + rnd(2 * tmo), OC_REPLY, 0);
	} else if (f < 10) {
		plan_event(k, log, at + tmo + 1 + rnd(tmo), OC_REPLY, 0);
	} else if (f < 12) {
		plan_event(k, log, at + rnd(tmo), OC_REPLY, 9);
	} else if (f < 14) {
		plan_event(k, log, at + rnd(tmo), OC_ERROR, 1);
	} else if (f == 14) {
		plan_event(k, log, at + rnd(tmo), OC_ERROR, 1);
		k->ev[k->nev - 1].untagged = 1;
	}
}

/*
 * What holds whatever happened: every seq of every target has exactly
 * one outcome (a counted reply, a timeout or an error); the counts agree
 * with the records; nothing is left in flight or in the pool.
 */
static void
ping_invariants(struct rig *r, int count)
{
	int outcome[32][8], replies[32], errors[32], i, t, q, counted;
	const struct rec *c;
	int bad = 0;

	memset(outcome, 0, sizeof(outcome));
	memset(replies, 0, sizeof(replies));
	memset(errors, 0, sizeof(errors));
	for (i = 0; i < r->cap.n; i++) {
		c = &r->cap.r[i];
		counted = c->type == REC_REPLY && !c->dup && !c->late &&
		    !c->foreign;
		if (!counted && c->type != REC_ERROR &&
		    c->type != REC_TIMEOUT)
			continue;
		if (c->index < 0 || c->index >= 32 || c->seq < 0 ||
		    c->seq >= 8) {
			bad = 1;
			continue;
		}
		replies[c->index] += counted;
		errors[c->index] += c->type == REC_ERROR;
		outcome[c->index][c->seq]++;
	}
	for (t = 0; t < (int)r->tg.n; t++) {
		for (q = 0; q < count; q++)
			bad |= outcome[t][q] != 1;
		c = nth(r, REC_SUMMARY, t);
		bad |= c->sent != count || c->received != replies[t] ||
		    c->errors != errors[t] ||
		    c->received + c->lost != c->sent;
	}
	CHECK(!bad);
	CHECK_EQ(r->e.outstanding, 0);
	CHECK_EQ(r->e.pool.used, 0);
	CHECK_EQ(r->e.sent, (uint64_t)count * r->tg.n);
}

/*
 * 20 targets, -c 1..5, -p 20..99, -t 50..199, -r 0..2, -i 0 or 2 ms:
 * SOAK_SEEDS runs of random fates, the same ones every time.
 */
static void
t_ping_soak(void)
{
	static struct soak k;
	uint64_t seed;
	struct rig *r;

	for (seed = 1; seed <= SOAK_SEEDS; seed++) {
		rng_state = seed * 0x9e3779b97f4a7c15ULL;
		memset(&k, 0, sizeof(k));
		k.plan = ping_fate;
		r = rig_new();
		r->c.count = 1 + rnd(5);
		r->c.period_ns = (20 + rnd(80)) * MS;
		r->c.timeout_ns = (50 + rnd(150)) * MS;
		r->c.retries = rnd(3);
		r->c.interval_ns = rnd(2) ? 2 * MS : 0;
		rig_go(r, 20);
		soak_run(r, &k, 60000);
		ping_invariants(r, (int)r->c.count);
		rig_free(r);
	}
}

/*
 * A trace probe's fate on a route of route[target] hops: routers before
 * it answer time exceeded (hop 3 never does), the target replies from
 * its distance on; now and then nothing comes back.  Target 4's last
 * router says host unreachable instead; beyond hop 3, target 5's route
 * is all silence.
 */
static void
trace_fate(struct rig *r, struct soak *k, int log)
{
	const struct sent *p = &fake_of(r)->log[log];
	int ttl = TRACE_TTL(p->h.seq), dist = k->route[p->h.target];
	int64_t at = p->at + 1 + rnd(60);

	(void)r;
	if (p->err || rnd(10) == 0 || ttl == 3 ||
	    (p->h.target == 5 && ttl > 3))
		return;
	if (ttl < dist)
		plan_event(k, log, at, OC_EXCEEDED, ttl);
	else if (p->h.target == 4)
		plan_event(k, log, at, OC_ERROR, dist);
	else
		plan_event(k, log, at, OC_REPLY, 0);
}

/*
 * Per target and round: hop lines from --first-hop on in order, then one
 * trace record whose hops is the last line; reached exactly when it
 * says so.
 */
static void
trace_invariants(struct rig *r, int rounds)
{
	int next[16][4], ends[16][4], i, t, n, bad = 0;
	const struct rec *c;

	memset(ends, 0, sizeof(ends));
	for (t = 0; t < 16; t++)
		for (n = 0; n < 4; n++)
			next[t][n] = r->c.first_hop;
	for (i = 0; i < r->cap.n; i++) {
		c = &r->cap.r[i];
		if (c->type != REC_HOP && c->type != REC_TRACE)
			continue;
		if (c->round < 0 || c->round >= rounds || c->index < 0 ||
		    c->index >= 16) {
			bad = 1;
			continue;
		}
		t = (int)c->index, n = (int)c->round;
		if (c->type == REC_HOP) {
			bad |= ends[t][n] || c->ttl != next[t][n]++;
			continue;
		}
		ends[t][n]++;
		bad |= c->hops != next[t][n] - 1;
		bad |= c->reached != (strcmp(c->stop, "reached") == 0);
	}
	for (t = 0; t < (int)r->tg.n; t++)
		for (n = 0; n < rounds; n++)
			bad |= ends[t][n] != 1;
	CHECK(!bad);
}

/*
 * 6 targets at 2 to 12 hops; -c 1..3, -p 50..349 (rounds may start while
 * the last one's probes are still out), -t 50..249, --window 1..5,
 * --queries 1..3, --first-hop 1..2, --max-hops 5..30, --max-timeouts
 * 1..5: SOAK_SEEDS runs of random fates, the same ones every time.
 */
static void
t_trace_soak(void)
{
	static struct soak k;
	uint64_t seed;
	struct rig *r;
	int t;

	for (seed = 1; seed <= SOAK_SEEDS; seed++) {
		rng_state = seed * 0x9e3779b97f4a7c15ULL;
		memset(&k, 0, sizeof(k));
		k.plan = trace_fate;
		for (t = 0; t < 6; t++)
			k.route[t] = 2 + (int)rnd(11);
		r = rig_trace();
		r->c.count = 1 + rnd(3);
		r->c.period_ns = (50 + rnd(300)) * MS;
		r->c.timeout_ns = (50 + rnd(200)) * MS;
		r->c.window = 1 + (int)rnd(5);
		r->c.queries = 1 + (int)rnd(3);
		r->c.first_hop = 1 + (int)rnd(2);
		r->c.max_hops = 5 + (int)rnd(26);
		r->c.max_timeouts = 1 + (int)rnd(5);
		/* By default, --stop-set or --no-stop-set. */
		r->c.stop_set = (int)rnd(3);
		rig_go(r, 6);
		soak_run(r, &k, 60000);
		trace_invariants(r, (int)r->c.count);
		rig_free(r);
	}
}

/*
 * A method with drain (method_tcpconn.c): the engine calls it before
 * probes expire, with the time, so an answer that came in time but was
 * not read yet counts (its RTT from its arrival), then the rest time out.
 */
static void
t_engine_drain(void)
{
	struct rig *r = rig_new();
	struct fake *f;
	char buf[TEXT];

	r->c.timeout_ns = 100 * MS;
	rig_go(r, 2);
	r->e.m = &fake_drain_method;	/* the same state as fake_method */
	r->e.s4.fd = 99;		/* never polled: engine_step only */
	run_to(r, 0);
	f = fake_of(r);
	f->pend = answer_to(r, sent_of(r, 1, 0, 0), OC_REPLY, NULL);
	f->pend_when = 40;
	f->npend = 1;
	run_out(r);
	CHECK(f->ndrains >= 1);
	CHECK_EQ(f->first_drain, 100);
	CHECK_STR(records(r, EVENTS, 0, buf), "reply 1/0@100 timeout 0/0@100");
	CHECK(near(nth(r, REC_REPLY, 0)->rtt_ms, 40));
	CHECK_STR(records(r, R(REC_SUMMARY), 0, buf), "summary 0 1/0/1 "
	    "summary 1 1/1/0");
	rig_free(r);
}

/* ---- the groups ---- */

static const struct unit_group tests[] = {
	{ "ping-pacing", t_ping_pacing },
	{ "ping-interval", t_ping_interval },
	{ "ping-stall", t_ping_stall },
	{ "ping-retries", t_ping_retries },
	{ "ping-expiry", t_ping_expiry },
	{ "ping-backoff", t_ping_backoff },
	{ "ping-dup", t_ping_dup },
	{ "ping-late", t_ping_late },
	{ "ping-foreign", t_ping_foreign },
	{ "ping-queue-full", t_ping_queue_full },
	{ "ping-send-error", t_ping_send_error },
	{ "ping-short-quote", t_ping_short_quote },
	{ "ping-by-serial", t_ping_by_serial },
	{ "ping-short-quote-shared", t_ping_short_quote_shared },
	{ "ping-linger", t_ping_linger },
	{ "ping-alive", t_ping_alive },
	{ "ping-interim", t_ping_interim },
	{ "ping-advisory", t_ping_advisory },
	{ "ping-deadline", t_ping_deadline },
	{ "ping-broadcast", t_ping_broadcast },
	{ "trace-window", t_trace_window },
	{ "trace-order", t_trace_order },
	{ "trace-reached", t_trace_reached },
	{ "trace-max-timeouts", t_trace_max_timeouts },
	{ "trace-unreachable", t_trace_unreachable },
	{ "trace-max-hops", t_trace_max_hops },
	{ "trace-rounds", t_trace_rounds },
	{ "trace-rounds-long", t_trace_rounds_long },
	{ "trace-interrupt", t_trace_interrupt },
	{ "trace-quotes", t_trace_quotes },
	{ "trace-deadline", t_trace_deadline },
	{ "trace-two", t_trace_two },
	{ "trace-stopset", t_trace_stopset },
	{ "trace-queue-full", t_trace_queue_full },
	{ "trace-local-error", t_trace_local_error },
	{ "engine-tick", t_engine_tick },
	{ "engine-burst", t_engine_burst },
	{ "engine-families", t_engine_families },
	{ "ping-soak", t_ping_soak },
	{ "trace-soak", t_trace_soak },
	{ "trace-reached-after-silence", t_trace_reached_after_silence },
	{ "engine-drain", t_engine_drain },
};

int
main(int argc, char *argv[])
{
	return unit_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
