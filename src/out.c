/* Formatter selection and the parts of records all formats share. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digits.h"
#include "out.h"
#include "progress.h"

/* A progress line that appears at once when asked for, after a second
 * when it was only because stderr is a terminal (quick runs stay quiet). */
#define PROGRESS_DELAY_NS	(1000 * 1000000LL)

static const char *const type_names[REC_NTYPES] = {
	"start", "reply", "timeout", "error", "bad-target", "summary", "end",
	"alive", "unreachable", "probe", "hop", "trace", "interval", "interim",
	"down", "up", "resolved", "reload", "link", "path", "hop-summary",
};

const char *
rec_type_name(enum rec_type t)
{
	return t < REC_NTYPES ? type_names[t] : "unknown";
}

/* What a record says before anything is known: one copy, not a memset
 * and forty stores (a million-target run makes a million summaries). */
static const struct record blank = {
	.index = -1,
	.seq = -1, .size = -1, .mtu = -1, .port = -1,
	.ttl = -1, .icmp_type = -1, .icmp_code = -1,
	.tos = -1,
	.ts_orig = -1, .ts_recv = -1, .ts_xmit = -1, .ts_local = -1,
	.rtt_ms = NAN, .loss_pct = NAN,
	.rtt_min = NAN, .rtt_avg = NAN, .rtt_max = NAN, .rtt_stddev = NAN,
	.rtt_last = NAN,
	.jitter = NAN, .t_start = NAN, .t_end = NAN, .duration = NAN,
	.sent = -1, .received = -1, .lost = -1, .inflight = -1,
	.errors = -1, .dups = -1, .responders = -1,
	.targets = -1, .answered = -1, .dropped = -1,
	.joined = -1, .left = -1,
	.exit_status = -1,
	.probe = -1, .naddrs = -1, .nprobes = -1, .nmpls = -1, .hops = -1,
	.round = -1, .flows = -1, .last_hop = -1,
};

void
record_clear(struct record *r, enum rec_type t)
{
	*r = blank;
	r->type = t;
}

void
obuf_init(struct obuf *b, FILE *fp)
{
	b->fp = fp;
	b->n = 0;
}

/*
 * Unlocked: only the main thread writes the output (getaddrinfo_a's
 * threads write to the resolver's pipe), and a sweep writes a record a
 * probe: fwrite's lock made it 1.7% of a --json sweep's CPU samples,
 * fwrite_unlocked 0.35%.
 */
void
obuf_flush(struct obuf *b)
{
	if (b->n)
		fwrite_unlocked(b->b, 1, b->n, b->fp);
	b->n = 0;
}

/*
 * A formatter's records collect in one buffer that lives as long as the
 * formatter (its view), and go on into stdio when it is full or the
 * output is flushed (drain): a sweep's records are 2 KiB writes into
 * stdio, not an fwrite each (its call, its buffer walk and copy: 500
 * instructions a target of a --json sweep).  Without the buffer (no
 * memory), each record is written from its own, on the stack.
 */
void
obuf_view_begin(struct out *o)
{
	struct obuf *b;

	if ((b = malloc(sizeof(*b))) != NULL)
		obuf_init(b, o->fp);
	o->view = b;
}

void
obuf_view_drain(struct out *o)
{
	if (o->view)
		obuf_flush(o->view);
}

void
obuf_view_finish(struct out *o)
{
	obuf_view_drain(o);
	free(o->view);
	o->view = NULL;
}

struct obuf *
obuf_of(struct out *o, struct obuf *own)
{
	if (o->view)
		return o->view;
	obuf_init(own, o->fp);
	return own;
}

void
obuf_done(struct obuf *b, struct obuf *own)
{
	if (b == own)
		obuf_flush(b);
}

/* What does not fit: flush, and write a piece too big for the buffer. */
void
obuf_putn_slow(struct obuf *b, const void *s, size_t k)
{
	obuf_flush(b);
	if (k > sizeof(b->b)) {
		fwrite_unlocked(s, 1, k, b->fp);
		return;
	}
	memcpy(b->b, s, k);
	b->n = k;
}

int
utf8_len(const unsigned char *s)
{
	int n, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* Bytes at s a terminal may be given as they are; 0: escape s[0]. */
static int
safe_len(const unsigned char *s, int ascii)
{
	if (s[0] >= 0x20 && s[0] < 0x7f)
		return 1;
	if (s[0] < 0x80 || ascii)
		return 0;
	/* U+0080..U+009F: C2 80..C2 9F */
	if (s[0] == 0xc2 && s[1] < 0xa0)
		return 0;
	return utf8_len(s);
}

size_t
shown_text(char *buf, size_t len, const char *str, int ascii)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t o = 0;
	int n;

	if (len == 0)
		return 0;
	for (; *s; s += n) {
		if ((n = safe_len(s, ascii)) == 0) {
			if (o + 4 >= len)
				break;
			snprintf(buf + o, len - o, "\\x%02x", *s);
			o += 4;
			n = 1;
			continue;
		}
		if (o + (size_t)n >= len)
			break;
		memcpy(buf + o, s, (size_t)n);
		o += (size_t)n;
	}
	buf[o] = '\0';
	return o;
}

void
obuf_put_shown(struct obuf *b, const char *s)
{
	/* NI_MAXHOST (1025) bytes, each maybe 4 */
	char buf[4 * 1025 + 1];
	const char *p;

	if (s == NULL)
		return;
	for (p = s; *p >= 0x20 && *p < 0x7f; p++)
		;
	if (*p == '\0')
		obuf_putn(b, s, (size_t)(p - s));
	else
		obuf_putn(b, buf, shown_text(buf, sizeof(buf), s, 0));
}

/* v in decimal, at least min digits, ending just before end. */
static char *
digits(char *end, uint64_t v, int min)
{
	char *p = end;
	unsigned k;

	while (v >= 100) {
		k = (unsigned)(v % 100) * 2;
		v /= 100;
		*--p = digit_pairs[k + 1];
		*--p = digit_pairs[k];
	}
	if (v >= 10) {
		k = (unsigned)v * 2;
		*--p = digit_pairs[k + 1];
		*--p = digit_pairs[k];
	} else
		*--p = (char)('0' + v);
	while (end - p < min)
		*--p = '0';
	return p;
}

/* v in decimal ending just before end, in 32 bits (cheaper divisions):
 * a time in seconds, a number of milliseconds. */
static char *
digits32(char *end, uint32_t v)
{
	char *p = end;
	unsigned k;

	while (v >= 100) {
		k = v % 100 * 2;
		v /= 100;
		*--p = digit_pairs[k + 1];
		*--p = digit_pairs[k];
	}
	*--p = digit_pairs[2 * v + 1];
	if (v >= 10)
		*--p = digit_pairs[2 * v];
	return p;
}

/* The prec digits of a fraction v < 10^prec, leading zeros and all. */
static char *
fraction(char *end, uint32_t v, int prec)
{
	char *p = end;
	unsigned k;

	for (; prec >= 2; prec -= 2) {
		k = v % 100 * 2;
		v /= 100;
		*--p = digit_pairs[k + 1];
		*--p = digit_pairs[k];
	}
	if (prec)
		*--p = (char)('0' + v);
	return p;
}

/* Copy the text from p to end into buf, if it fits. */
static const char *
put(char *buf, size_t len, const char *p, const char *end)
{
	if ((size_t)(end - p) >= len)
		return NULL;
	memcpy(buf, p, (size_t)(end - p));
	buf[end - p] = '\0';
	return buf;
}

const char *
fmt_ulong(char *buf, size_t len, unsigned long v)
{
	char tmp[24];

	return put(buf, len, digits(tmp + sizeof(tmp), v, 1),
	    tmp + sizeof(tmp));
}

size_t
put_ulong_at(char *p, unsigned long v)
{
	char tmp[24], *end = tmp + sizeof(tmp), *q;

	/* Most counts of a record (seq, sent, lost, ttl, ...) are one or
	 * two digits: no copy through tmp. */
	if (v < 10) {
		*p = (char)('0' + v);
		return 1;
	}
	if (v < 100) {
		p[0] = digit_pairs[2 * v];
		p[1] = digit_pairs[2 * v + 1];
		return 2;
	}
	q = digits(end, v, 1);
	memcpy(p, q, (size_t)(end - q));
	return (size_t)(end - q);
}

void
obuf_ulong(struct obuf *b, unsigned long v)
{
	if (b->n + PUT_AT_MAX > sizeof(b->b))
		obuf_flush(b);
	b->n += put_ulong_at(b->b + b->n, v);
}

/*
 * printf rounds the exact binary value of d * 10^prec to an integer.  The
 * integer part of d and its fraction f are exact (d < 2^53: a conversion
 * to an integer truncates, which for d >= 0 is floor); f * 10^prec as
 * computed is off by less than 1e-9, so wherever its fraction is more
 * than 1e-6 away from one half both round alike.  Everything else (near a
 * half, negative, 2^53 and up, NaN) is left to snprintf: NULL.  Else the
 * text ends just before end, and its start is returned.
 */
static char *
fixed_digits(char *end, double d, int prec)
{
	static const uint32_t pow10[] = { 1, 10, 100, 1000, 10000, 100000,
	    1000000 };
	char *p = end;
	double x, f;
	uint64_t v, w;

	if (prec < 0 || prec > 6 || signbit(d) || !(d < 9007199254740992.0))
		return NULL;
	w = (uint64_t)d;
	x = (d - (double)w) * pow10[prec];
	v = (uint64_t)x;
	f = x - (double)v;
	if (fabs(f - 0.5) <= 1e-6)
		return NULL;
	v += f > 0.5;
	if (v == pow10[prec]) {		/* 0.9996 as %.3f is 1.000 */
		v = 0;
		w++;
	}
	if (prec) {
		p = fraction(p, (uint32_t)v, prec);
		*--p = '.';
	}
	return w <= UINT32_MAX ? digits32(p, (uint32_t)w) : digits(p, w, 1);
}

const char *
fmt_fixed(char *buf, size_t len, double d, int prec)
{
	char tmp[40], *end = tmp + sizeof(tmp), *p = fixed_digits(end, d, prec);

	if (p && put(buf, len, p, end))
		return buf;
	snprintf(buf, len, "%.*f", prec, d);
	return buf;
}

/*
 * The text (at most 23 bytes: 16 digits, a point, 6) is built backwards in
 * tmp, then copied as a fixed FIXED_COPY bytes, which a compiler makes two
 * moves: no call, no length-dependent copy (a --json sweep formats five
 * numbers a target).  Only its length counts; the rest is overwritten
 * later.
 */
size_t
put_fixed_at(char *at, double d, int prec)
{
	char tmp[FIXED_COPY + 64], *end = tmp + 64, *p;

	memset(end, 0, FIXED_COPY);
	if ((p = fixed_digits(end, d, prec)) == NULL)
		/* 63 bytes at most, as field_value's numbers */
		return strlen(fmt_fixed(at, PUT_AT_MAX, d, prec));
	memcpy(at, p, FIXED_COPY);
	return (size_t)(end - p);
}

void
obuf_fixed(struct obuf *b, double d, int prec)
{
	if (b->n + PUT_AT_MAX > sizeof(b->b))
		obuf_flush(b);
	b->n += put_fixed_at(b->b + b->n, d, prec);
}

#define OUT_BUFFER	(1 << 20)

void
out_buffer(FILE *fp)
{
	char *buf;

	if (isatty(fileno(fp))) {
		setvbuf(fp, NULL, _IOFBF, BUFSIZ);
		return;
	}
	/*
	 * glibc ignores the size when it is not given the buffer.  This one
	 * is never freed: stdio writes out of it until exit.
	 */
	if ((buf = malloc(OUT_BUFFER)) != NULL)
		setvbuf(fp, buf, _IOFBF, OUT_BUFFER);
}

/* The bare object: a stream, the options, a formatter, no state yet. */
static void
out_setup(struct out *o, FILE *fp, const struct conf *c,
    const struct out_ops *ops)
{
	memset(o, 0, sizeof(*o));
	o->fp = fp;
	o->conf = c;
	o->ops = ops;
	o->hold = !isatty(fileno(fp));
}

void
out_init_inner(struct out *inner, const struct out *o)
{
	if (o->inner == NULL) {
		memset(inner, 0, sizeof(*inner));
		return;
	}
	out_setup(inner, o->fp, o->conf, o->inner);
	if (inner->ops->begin)
		inner->ops->begin(inner);
}

/*
 * --report with --json or --csv: the records on stdout, and the tables
 * for people on stderr (as the progress line is), from the same run.
 */
static void
out_tables(struct out *o, const struct conf *c)
{
	if (!c->report || (c->format != FMT_JSON && c->format != FMT_CSV) ||
	    (o->tables = malloc(sizeof(*o->tables))) == NULL)
		return;
	out_setup(o->tables, stderr, c, &out_text_ops);
}

void
out_init(struct out *o, FILE *fp, const struct conf *c)
{
	out_setup(o, fp, c, &out_text_ops);
	if (c->progress)
		o->progress = progress_create(stderr, c->progress == 1 ? 0 :
		    PROGRESS_DELAY_NS);
	switch (c->live ? -1 : (int)c->format) {
	case -1:
		o->ops = &out_live_ops;
		/* The final summaries, after the view is left. */
		o->inner = &out_text_ops;
		break;
	case FMT_CSV:
		o->ops = &out_csv_ops;
		break;
	case FMT_JSON:
		o->ops = &out_json_ops;
		break;
	case FMT_FPING:
		o->ops = &out_fping_ops;
		break;
	case FMT_DOT:
		o->ops = &out_dot_ops;
		break;
	default:
		o->ops = &out_text_ops;
		break;
	}
	if (o->ops->begin)
		o->ops->begin(o);
	out_tables(o, c);
}

void
out_emit(struct out *o, const struct record *r)
{
	if (o->progress)
		progress_hide(o->progress);
	o->ops->emit(o, r);
	if (o->tables && r->type == REC_HOP_SUMMARY)
		o->tables->ops->emit(o->tables, r);
	o->pending = 1;
	/* What a reader of a pipe waits for: -Q's and SIGQUIT's reports,
	 * an outage, a reload, the end. */
	if (r->type == REC_INTERVAL || r->type == REC_INTERIM ||
	    r->type == REC_DOWN || r->type == REC_UP ||
	    r->type == REC_RELOAD || r->type == REC_RESOLVED ||
	    r->type == REC_END)
		o->urgent = 1;
}

int
out_wants(const struct out *o, enum rec_type t)
{
	return o->ops->wants(o, t);
}

int
out_wants_all(const struct out *o, enum rec_type t)
{
	/* -q keeps what is about a target as a whole, not its probes. */
	return !o->conf->quiet ||
	    t == (o->conf->trace ? REC_TRACE : REC_SUMMARY) ||
	    t == REC_HOP_SUMMARY ||
	    t == REC_INTERIM || t == REC_INTERVAL || t == REC_DOWN ||
	    t == REC_UP || t == REC_RESOLVED || t == REC_RELOAD;
}

void
out_finish(struct out *o)
{
	progress_free(o->progress);
	o->progress = NULL;
	if (o->ops->finish)
		o->ops->finish(o);
	if (o->tables) {
		fflush(stderr);
		free(o->tables);
		o->tables = NULL;
	}
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

void
out_drain(struct out *o)
{
	if (o->ops && o->ops->drain)
		o->ops->drain(o);
}

int
out_flush(struct out *o)
{
	o->pending = o->urgent = 0;
	out_drain(o);
	if (fflush(o->fp) == EOF || ferror(o->fp)) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}
