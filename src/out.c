/* Formatter selection and the parts of records all formats share. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "out.h"

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
	switch (c->format) {
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
	o->ops->emit(o, r);
}

void
out_finish(struct out *o)
{
	if (o->ops->finish)
		o->ops->finish(o);
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
