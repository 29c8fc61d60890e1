/*
 * json_test: the JSON formatter (out_json.c) writes, byte for byte, what
 * the formatter before it wrote (here as ref_emit, through field_value and
 * field_elem) for a fixed set of records of every type and for random
 * ones: strings with quotes, controls, C1, UTF-8 good and bad, longer than
 * the record buffer; numbers absent, zero, large, near a rounding half.
 * Prints "N checks, F failed"; exit status 1 if any failed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "out.h"
#include "unit_ref.h"

/* ---- the formatter before (src/out_json.c until perf2), for reference */

static void
ref_string(struct obuf *j, const char *str)
{
	const unsigned char *s = (const unsigned char *)str, *run;
	char esc[8];
	int n;

	obuf_putc(j, '"');
	while (*s) {
		for (run = s; *s >= 0x20 && *s < 0x7f && *s != '"' &&
		    *s != '\\'; s++)
			;
		if (s > run) {
			obuf_putn(j, run, (size_t)(s - run));
			continue;
		}
		if (*s == '"' || *s == '\\') {
			obuf_putc(j, '\\');
			obuf_putc(j, (char)*s++);
		} else if (*s < 0x20 || *s == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", *s++);
			obuf_put(j, esc);
		} else if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] < 0xa0) {
			snprintf(esc, sizeof(esc), "\\u%04x", s[1]);
			obuf_put(j, esc);
			s += 2;
		} else if ((n = utf8_len(s)) == 0) {
			obuf_put(j, "\\ufffd");
			s++;
		} else {
			obuf_putn(j, s, (size_t)n);
			s += n;
		}
	}
	obuf_putc(j, '"');
}

static void
ref_list(struct obuf *j, const struct field *f, const struct record *r)
{
	const struct mpls_label *m;
	const char *v;
	char buf[96];
	long i, n = field_list_len(f, r);
	int str;

	if (n < 0) {
		obuf_put(j, "null");
		return;
	}
	obuf_putc(j, '[');
	for (i = 0; i < n; i++) {
		if (i)
			obuf_putc(j, ',');
		if (f->kind == F_MPLS) {
			m = r->mpls + i;
			snprintf(buf, sizeof(buf), "{\"label\":%u,\"tc\":%u,"
			    "\"s\":%u,\"ttl\":%u}", (unsigned)m->label,
			    (unsigned)m->tc, (unsigned)m->s,
			    (unsigned)m->ttl);
			obuf_put(j, buf);
			continue;
		}
		v = field_elem(f, r, i, buf, sizeof(buf), &str);
		if (v == NULL)
			obuf_put(j, "null");
		else if (str)
			ref_string(j, v);
		else
			obuf_put(j, v);
	}
	obuf_putc(j, ']');
}

/* Its records but start (whose options part is stdio, unchanged). */
static void
ref_emit(FILE *fp, const struct record *r)
{
	const struct field *const *f;
	struct obuf j;
	const char *v;
	char buf[64];
	int str, first = 1;

	obuf_init(&j, fp);
	obuf_putc(&j, '{');
	for (f = fields_of(r->type); *f; f++) {
		v = (*f)->kind < F_STRS ? field_value(*f, r, buf, sizeof(buf),
		    &str) : NULL;
		if ((*f)->optional && ((*f)->kind < F_STRS ? v == NULL :
		    field_list_len(*f, r) < 0))
			continue;
		if (!first)
			obuf_putc(&j, ',');
		obuf_putc(&j, '"');
		obuf_put(&j, (*f)->name);
		obuf_putn(&j, "\":", 2);
		first = 0;
		if ((*f)->kind >= F_STRS) {
			ref_list(&j, *f, r);
			continue;
		}
		if (v == NULL)
			obuf_put(&j, "null");
		else if (str)
			ref_string(&j, v);
		else
			obuf_put(&j, v);
	}
	obuf_putn(&j, "}\n", 2);
	obuf_flush(&j);
}

/* ---- records */

/* Strings: plain, every kind of byte that needs care, and long ones. */
static const char *const fixed_strs[] = {
	"198.51.100.7", "2001:db8::1", "", "a\"b\\c", "tab\there\n",
	"\x01\x1f\x7f", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	"c1 \xc2\x80 \xc2\x9b[31m \xc2\x9f \xc2\xa0", "bad \xff \xc3 \xe2\x82",
	"\xed\xa0\x80 surrogate, \xf4\x90\x80\x80 too big, \xc0\xaf long",
	"host.example.", NULL,
};

static char longs[4][5000];

static void
make_longs(void)
{
	size_t i;

	/* Around the record buffer's 2048 bytes, escapes on the edge. */
	for (i = 0; i < sizeof(longs[0]) - 1; i++) {
		longs[0][i] = (char)('a' + i % 26);
		longs[1][i] = i % 7 == 0 ? '"' : (char)('A' + i % 26);
		longs[2][i] = i % 5 == 0 ? '\x01' : 'x';
		longs[3][i] = i % 3 == 0 ? '\xc3' : i % 3 == 1 ? '\xa9' : 'y';
	}
	longs[0][2047] = '\0';
	longs[1][2040] = '\0';
}

static const char *
any_str(void)
{
	static char buf[8][64];
	static int k;
	uint64_t x = rnd();
	size_t i, n;

	switch (x % 4) {
	case 0:
		return fixed_strs[(x >> 8) % (sizeof(fixed_strs) /
		    sizeof(fixed_strs[0]))];
	case 1:
		return longs[(x >> 8) % 4];
	default:	/* random bytes, biased to ASCII */
		k = (k + 1) % 8;
		n = (size_t)((x >> 8) % 63);
		for (i = 0; i < n; i++) {
			x = rnd();
			buf[k][i] = (char)(x % 3 ? 0x20 + (x >> 8) % 95 :
			    1 + (x >> 8) % 255);
		}
		buf[k][n] = '\0';
		return buf[k];
	}
}

/* An address field's value: what inet_ntop writes (F_PLAIN), or NULL. */
static const char *
any_addr(void)
{
	static const char *const addrs[] = { "198.18.0.1", "203.0.113.254",
	    "2001:db8::1", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
	    "::ffff:192.0.2.1", "local", NULL };
	uint64_t x = rnd();

	return addrs[x % (sizeof(addrs) / sizeof(addrs[0]))];
}

static double
any_double(void)
{
	static const double special[] = { 0, -0.0, 0.0005, 0.0015, 0.9995,
	    99.9995, 2.5, 1e9, 1763900000.123456, 1e300, -1.5, INFINITY,
	    NAN, NAN };
	uint64_t x = rnd();

	if (x % 3 == 0)
		return special[(x >> 8) % (sizeof(special) /
		    sizeof(special[0]))];
	return (double)(rnd() % 100000000) / 1000.0 +
	    ((double)(rnd() % 3) - 1) * 5e-4;
}

static long
any_long(void)
{
	uint64_t x = rnd();

	return x % 4 == 0 ? -1 : x % 4 == 1 ? 0 : (long)(rnd() >> (x % 64));
}

/* Every field of r set at random (lists with their counts). */
static void
any_record(struct record *r, enum rec_type t)
{
	static const char *strs[16];
	static double rtts[16];
	static struct mpls_label mpls[4];
	long i, n = (long)(rnd() % 5);

	record_clear(r, t);
	for (i = 0; i < 16; i++) {
		strs[i] = any_str();
		/* The old list element was cut at 95 bytes (1e300 ms) */
		rtts[i] = fmin(any_double(), 1e12);
	}
	for (i = 0; i < 4; i++) {
		mpls[i].label = (uint32_t)rnd() & 0xfffff;
		mpls[i].tc = (uint8_t)(rnd() & 7);
		mpls[i].s = (uint8_t)(rnd() & 1);
		mpls[i].ttl = (uint8_t)rnd();
	}
	r->time = any_double();
	r->addr = any_addr();
	/* A target given as an address is the same string. */
	r->target = rnd() % 4 ? any_str() : r->addr;
	r->from = any_addr();
	r->method = rnd() % 2 ? "icmp" : "udp";
	r->state = rnd() % 2 ? NULL : "open";
	r->error = any_str();
	r->reason = any_str();
	r->stop = any_str();
	r->to = any_addr();
	r->cause = rnd() % 2 ? NULL : "down";
	r->last_addr = any_addr();
	r->seq = any_long();
	r->size = any_long();
	r->port = any_long();
	r->mtu = any_long();
	r->ttl = (int)any_long();
	r->tos = (int)any_long();
	r->icmp_type = (int)any_long();
	r->icmp_code = (int)any_long();
	r->exit_status = (int)any_long();
	r->ts_orig = any_long();
	r->ts_recv = any_long();
	r->ts_xmit = any_long();
	r->ts_local = any_long();
	r->rtt_ms = any_double();
	r->dup = (int)(rnd() % 2);
	r->late = (int)(rnd() % 2);
	r->foreign = (int)(rnd() % 2);
	r->reached = (int)(rnd() % 2);
	r->sent = any_long();
	r->received = any_long();
	r->lost = any_long();
	r->inflight = any_long();
	r->errors = any_long();
	r->dups = any_long();
	r->responders = any_long();
	r->loss_pct = any_double();
	r->rtt_min = any_double();
	r->rtt_avg = any_double();
	r->rtt_max = any_double();
	r->rtt_stddev = any_double();
	r->jitter = any_double();
	/* One reply's summary: min, avg and max the same number (the
	 * formatter copies it), then 0 or -0 (which it must not). */
	if (rnd() % 3 == 0) {
		r->rtt_avg = r->rtt_max = r->rtt_min;
		r->rtt_stddev = rnd() % 2 ? 0.0 : -0.0;
		r->jitter = -r->rtt_stddev;
	}
	r->t_start = any_double();
	r->t_end = any_double();
	r->duration = any_double();
	r->probe = any_long();
	r->hops = any_long();
	r->flows = any_long();
	r->last_hop = any_long();
	r->round = any_long();
	r->targets = any_long();
	r->answered = any_long();
	r->joined = any_long();
	r->left = any_long();
	r->dropped = any_long();
	if (rnd() % 4) {
		r->addrs = strs;
		r->names = rnd() % 2 ? strs + 4 : NULL;
		r->naddrs = n;
	}
	if (rnd() % 4) {
		r->froms = strs + 8;
		r->rtts = rtts;
		r->marks = strs + 3;
		r->nprobes = n;
	}
	if (rnd() % 2) {
		r->mpls = mpls;
		r->nmpls = n % 4;
	}
}

/* A reply and a summary as a sweep writes them. */
static void
sweep_records(struct record *reply, struct record *summary)
{
	record_clear(reply, REC_REPLY);
	reply->time = 1795828834.533122;
	reply->target = reply->addr = reply->from = "198.18.0.1";
	reply->seq = 0;
	reply->size = 64;
	reply->ttl = 64;
	reply->rtt_ms = 10.674;
	reply->method = "icmp";
	reply->tos = 0;
	record_clear(summary, REC_SUMMARY);
	summary->target = summary->addr = "198.18.0.2";
	summary->sent = summary->received = 1;
	summary->lost = summary->inflight = summary->errors = 0;
	summary->dups = 0;
	summary->loss_pct = 0;
	summary->rtt_min = summary->rtt_avg = summary->rtt_max = 10.679;
	summary->rtt_stddev = 0;
	summary->method = "icmp";
}

/* What fp holds, malloc'd; fp emptied. */
static char *
taken(FILE *fp, size_t *len)
{
	char *s;

	fflush(fp);
	*len = (size_t)ftell(fp);
	rewind(fp);
	if ((s = malloc(*len + 1)) == NULL ||
	    fread(s, 1, *len, fp) != *len) {
		perror("read back");
		exit(2);
	}
	rewind(fp);
	return s;
}

/* Where a first differs from b, from a little before. */
static const char *
diff_at(const char *a, const char *b)
{
	size_t i = 0;

	while (a[i] && a[i] == b[i])
		i++;
	return a + (i > 40 ? i - 40 : 0);
}

static void
compare(struct out *o, FILE *a, FILE *b, const struct record *r)
{
	char *x, *y;
	size_t nx, ny;

	out_emit(o, r);
	/* What the formatter keeps back goes out as the engine flushes. */
	if (out_flush(o) == -1)
		ref_failed(1, 10);
	ref_emit(b, r);
	x = taken(a, &nx);
	y = taken(b, &ny);
	if (ref_failed(nx != ny || memcmp(x, y, nx) != 0, 10))
		printf("type %s:\n got: %.300s\nwant: %.300s\n",
		    rec_type_name(r->type), diff_at(x, y), diff_at(y, x));
	free(x);
	free(y);
}

int
main(void)
{
	struct conf c;
	struct out o;
	struct record r, s;
	FILE *a = tmpfile(), *b = tmpfile();
	int t, i;

	if (a == NULL || b == NULL) {
		perror("tmpfile");
		return 2;
	}
	make_longs();
	memset(&c, 0, sizeof(c));
	c.format = FMT_JSON;
	out_init(&o, a, &c);
	sweep_records(&r, &s);
	compare(&o, a, b, &r);
	compare(&o, a, b, &s);
	for (t = 0; t < REC_NTYPES; t++) {
		if (t == REC_START)
			continue;
		record_clear(&r, (enum rec_type)t);
		compare(&o, a, b, &r);
		for (i = 0; i < 3000; i++) {
			any_record(&r, (enum rec_type)t);
			compare(&o, a, b, &r);
		}
	}
	out_finish(&o);
	return ref_end();
}
