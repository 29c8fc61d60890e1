/* Formatter selection and the parts of records all formats share. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "out.h"
#include "progress.h"

/* A progress line that appears at once when asked for, after a second
 * when it was only because stderr is a terminal (quick runs stay quiet). */
#define PROGRESS_DELAY_NS	(1000 * 1000000LL)

static const char *type_names[REC_NTYPES] = {
	"start", "reply", "timeout", "error", "bad-target", "summary", "end",
	"alive", "unreachable", "probe", "hop", "trace",
};

const char *
rec_type_name(enum rec_type t)
{
	return t < REC_NTYPES ? type_names[t] : "unknown";
}

void
record_clear(struct record *r, enum rec_type t)
{
	memset(r, 0, sizeof(*r));
	r->type = t;
	r->index = -1;
	r->seq = r->size = r->mtu = -1;
	r->ttl = r->icmp_type = r->icmp_code = -1;
	r->rtt_ms = r->loss_pct = NAN;
	r->rtt_min = r->rtt_avg = r->rtt_max = r->rtt_stddev = NAN;
	r->sent = r->received = r->lost = r->inflight = -1;
	r->errors = r->dups = r->responders = -1;
	r->targets = r->answered = -1;
	r->exit_status = -1;
	r->probe = r->naddrs = r->nprobes = r->nmpls = r->hops = -1;
}

int
out_quiet_drops(const struct out *o, const struct record *r)
{
	return o->conf->quiet && r->type != (o->conf->trace ? REC_TRACE :
	    REC_SUMMARY);
}

void
out_init(struct out *o, FILE *fp, const struct conf *c)
{
	memset(o, 0, sizeof(*o));
	o->fp = fp;
	o->conf = c;
	if (c->progress)
		o->progress = progress_create(stderr, c->progress == 1 ? 0 :
		    PROGRESS_DELAY_NS);
	switch (c->live ? -1 : (int)c->format) {
	case -1:
		o->ops = &out_live_ops;
		break;
	case FMT_CSV:
		o->ops = &out_csv_ops;
		break;
	case FMT_JSON:
		o->ops = &out_json_ops;
		break;
	default:
		o->ops = &out_text_ops;
		break;
	}
	if (o->ops->begin)
		o->ops->begin(o);
}

void
out_emit(struct out *o, const struct record *r)
{
	if (o->progress)
		progress_hide(o->progress);
	o->ops->emit(o, r);
}

void
out_finish(struct out *o)
{
	progress_free(o->progress);
	o->progress = NULL;
	if (o->ops->finish)
		o->ops->finish(o);
}

int64_t
out_tick(struct out *o, const struct run_counts *rc, int64_t now)
{
	int64_t a = -1, b = -1;

	if (o->ops->tick)
		a = o->ops->tick(o, rc, now);
	if (o->progress)
		b = progress_tick(o->progress, rc, now);
	return a < 0 || (b >= 0 && b < a) ? b : a;
}

int
out_flush(struct out *o)
{
	if (fflush(o->fp) == EOF || ferror(o->fp)) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}
