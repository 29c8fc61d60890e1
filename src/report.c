/* Records from targets and answers: the one place they are filled. */
#include <sys/socket.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"

double
real_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *
method_name(enum probe_method m)
{
	switch (m) {
	case PM_UDP:	return "udp";
	case PM_TCP:	return "tcp";
	default:	return "icmp";
	}
}

/* What every record about probes has: the run's method and its port. */
static void
report_method(const struct report *rep, struct record *r)
{
	r->method = method_name(rep->c->method);
	r->port = rep->c->method == PM_ICMP ? -1 : (long)rep->c->port;
}

void
report_target(const struct report *rep, struct record *r, enum rec_type type,
    const struct target *t, struct rec_text *txt)
{
	record_clear(r, type);
	r->time = rep->at > 0 ? rep->at : real_time();
	report_method(rep, r);
	r->index = t - rep->tg->t;
	r->order = targets_order(rep->tg, (uint32_t)r->index);
	/* A name that never resolved has no address (family 0). */
	r->addr = t->family ? target_addr(rep->tg, t, txt->addr,
	    sizeof(txt->addr)) : NULL;
	/* An address target's name is its address: one inet_ntop. */
	r->target = t->flags & T_NAMED ? target_name(rep->tg, t, txt->name,
	    sizeof(txt->name)) : r->addr;
}

void
report_counts(const struct report *rep, const struct target *t,
    struct record *r)
{
	uint32_t i = (uint32_t)(t - rep->tg->t);
	long done;

	r->sent = t->sent;
	r->received = t->rtt.n;
	r->inflight = t->inflight;
	r->lost = (long)t->sent - t->rtt.n - t->inflight;
	done = (long)t->sent - t->inflight;
	/* A name that never had an address: no probe, no loss to tell. */
	r->loss_pct = done > 0 ? 100.0 * r->lost / done : t->family ? 0.0 :
	    NAN;
	r->errors = targets_counted(rep->tg, i, TC_ERRORS);
	r->dups = targets_counted(rep->tg, i, TC_DUPS);
	report_rtts(&t->rtt, r);
}

void
report_rtts(const struct stats *s, struct record *r)
{
	r->rtt_min = r->rtt_avg = r->rtt_max = r->rtt_stddev = NAN;
	r->jitter = NAN;
	if (s->n == 0)
		return;
	r->rtt_min = stats_min(s);
	r->rtt_avg = stats_mean(s);
	r->rtt_max = stats_max(s);
	r->rtt_stddev = stats_stddev(s);
	if (s->n > 1)
		r->jitter = stats_jitter(s);
}

/* Milliseconds since midnight UTC of Unix time ns (RFC 792's clock). */
static long
ms_of_day(int64_t ns)
{
	return (long)(ns / 1000000 % 86400000);
}

/*
 * A timestamp reply's times: the responder's two, its arrival, and our
 * send time as originate (the field on the wire carried the tag,
 * method_tstamp.c): the arrival less the RTT.
 */
static void
report_timestamps(struct record *r, const struct answer *a)
{
	r->ts_orig = ms_of_day(a->arrived_real - a->rtt_ns);
	r->ts_recv = a->ts_recv;
	r->ts_xmit = a->ts_xmit;
	r->ts_local = ms_of_day(a->arrived_real);
}

void
report_answer(const struct report *rep, const struct target *t,
    struct record *r, const struct answer *a, struct rec_text *txt)
{
	uint8_t to[16];

	/* A reply from the target itself: its address as text is made. */
	if (r->addr && a->family == t->family &&
	    memcmp(target_a16(rep->tg, t, to), a->from, sizeof(to)) == 0)
		r->from = r->addr;
	else
		r->from = addr16_str(a->family, a->from, txt->from,
		    sizeof(txt->from));
	if (a->kind == OC_REPLY) {
		r->size = a->size;
		r->ttl = a->ttl;
		r->tos = a->has_tos ? a->tos : -1;
		r->state = a->state;
		if (a->has_ts)
			report_timestamps(r, a);
		return;
	}
	r->icmp_type = a->type;
	r->icmp_code = a->code;
	r->error = a->error;
	if (a->mtu)
		r->mtu = a->mtu;
}

int
port_state_code(const char *state)
{
	if (state == NULL)
		return PORT_NONE;
	return strcmp(state, "open") == 0 ? PORT_OPEN : PORT_CLOSED;
}

const char *
port_state_name(int code)
{
	return code == PORT_OPEN ? "open" : code == PORT_CLOSED ? "closed" :
	    NULL;
}

/*
 * A port's state is kept in two of the target's flags, not as a pointer:
 * the table holds a million targets.  The latest counted answer's wins.
 */
void
report_keep_state(struct target *t, const char *state)
{
	if (state == NULL)
		return;
	t->flags &= (uint8_t)~(T_OPEN | T_CLOSED);
	t->flags |= port_state_code(state) == PORT_OPEN ? T_OPEN : T_CLOSED;
}

const char *
report_port_state(const struct target *t)
{
	return port_state_name(t->flags & T_OPEN ? PORT_OPEN :
	    t->flags & T_CLOSED ? PORT_CLOSED : PORT_NONE);
}

void
report_alive(struct report *rep, struct target *t)
{
	struct rec_text txt;
	struct record r;

	if (t->flags & T_ALIVE)
		return;
	t->flags |= T_ALIVE;
	rep->answered++;
	if (rep->c->alive) {
		report_target(rep, &r, REC_ALIVE, t, &txt);
		r.seq = -1;
		r.state = report_port_state(t);
		out_emit(rep->out, &r);
	}
}

void
report_unreachable(const struct report *rep)
{
	const struct targets *tg = rep->tg;
	struct rec_text txt;
	struct record r;
	uint32_t i, k, *order = targets_in_order(tg);

	for (k = 0; k < tg->n; k++) {
		i = order ? order[k] : k;
		if (tg->t[i].flags & (T_ALIVE | T_GONE))
			continue;
		record_clear(&r, REC_UNREACHABLE);
		r.time = real_time();
		report_method(rep, &r);
		r.target = target_name(tg, &tg->t[i], txt.name,
		    sizeof(txt.name));
		r.addr = tg->t[i].family ? target_addr(tg, &tg->t[i], txt.addr,
		    sizeof(txt.addr)) : NULL;
		out_emit(rep->out, &r);
	}
	free(order);
}

void
report_start(const struct report *rep)
{
	struct record r;

	record_clear(&r, REC_START);
	r.time = real_time();
	report_method(rep, &r);
	r.targets = rep->tg->n;
	r.conf = rep->c;
	r.name_width = rep->name_width;
	out_emit(rep->out, &r);
}

void
report_bad(const struct report *rep, const char *shown, const char *reason)
{
	struct record r;

	record_clear(&r, REC_BAD_TARGET);
	r.time = real_time();
	r.target = shown;
	r.reason = reason;
	out_emit(rep->out, &r);
}

void
report_end(const struct report *rep, long dropped, int status)
{
	struct record r;

	record_clear(&r, REC_END);
	r.time = real_time();
	/* The targets in the run at its end: those that left are not,
	 * nor are names that never had an address. */
	r.targets = targets_live(rep->tg);
	r.answered = rep->answered;
	r.dropped = dropped;
	r.exit_status = status;
	out_emit(rep->out, &r);
}
