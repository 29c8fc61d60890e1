/* JSON Lines: one object per record, every string escaped as JSON wants. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "out.h"

#define JSON_SCHEMA_VERSION	1

/*
 * A record is written straight into its buffer: each field's text where it
 * goes, without a copy through field_value's, a strlen or a call per
 * piece (a sweep writes a record per probe; this was 4,150 instructions a
 * record, most of them in copies).  The bytes are those fields.c's
 * field_value gives (tests/json_test.c holds the two side by side).
 */

/* Room for k more bytes (k no more than the buffer): flush if need be. */
static inline char *
room(struct obuf *j, size_t k)
{
	if (j->n + k > sizeof(j->b))
		obuf_flush(j);
	return j->b + j->n;
}

/* A short piece (a key, a number, a word: under 64 bytes), byte by byte:
 * cheaper than a memcpy call for so few. */
static inline void
put_short(struct obuf *j, const char *s, size_t k)
{
	char *p = room(j, k);

	j->n += k;
	while (k--)
		*p++ = *s++;
}

/* A NUL-terminated word under 64 bytes (a key, true, false, null). */
static inline void
put_word(struct obuf *j, const char *s)
{
	char *p = room(j, 64), *p0 = p;

	while (*s)
		*p++ = *s++;
	j->n += (size_t)(p - p0);
}

/* 1: printable ASCII that JSON takes as it is (not '"' nor '\\'); 0:
 * NUL, controls, DEL and every byte of UTF-8 sequences, which need care.
 * Rows of 16: 0x00, 0x10, ... */
static const unsigned char plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* The character at s that needs care; returns the bytes it took. */
static size_t
json_special(struct obuf *j, const unsigned char *s)
{
	char esc[8];
	int n;

	if (*s == '"' || *s == '\\') {
		obuf_putc(j, '\\');
		obuf_putc(j, (char)*s);
		return 1;
	}
	if (*s < 0x20 || *s == 0x7f) {
		snprintf(esc, sizeof(esc), "\\u%04x", *s);
		put_short(j, esc, 6);
		return 1;
	}
	if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] < 0xa0) {
		snprintf(esc, sizeof(esc), "\\u%04x", s[1]);
		put_short(j, esc, 6);
		return 2;
	}
	if ((n = utf8_len(s)) == 0) {
		put_short(j, "\\ufffd", 6);
		return 1;
	}
	put_short(j, (const char *)s, (size_t)n);
	return (size_t)n;
}

/*
 * Invalid UTF-8 becomes U+FFFD, so the output is always valid JSON; C1
 * controls (U+0080..U+009F) are escaped like C0 ones, so that a record
 * shown on a terminal cannot start an escape sequence (U+009B is CSI).
 * Printable ASCII is copied as it is scanned, up to the buffer's end.
 */
static void
json_string(struct obuf *j, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	char *p, *end;

	obuf_putc(j, '"');
	for (;;) {
		p = j->b + j->n;
		end = j->b + sizeof(j->b);
		while (p < end && plain[*s])
			*p++ = (char)*s++;
		j->n = (size_t)(p - j->b);
		if (*s == '\0')
			break;
		if (p == end)
			obuf_flush(j);
		else
			s += json_special(j, s);
	}
	obuf_putc(j, '"');
}

static void
json_start_extra(FILE *fp, const struct record *r)
{
	const struct conf *c = r->conf;

	fprintf(fp, ",\"version\":%d,\"mode\":\"%s\",\"method\":\"%s\"",
	    JSON_SCHEMA_VERSION, c->trace ? "trace" : "ping", r->method);
	if (r->port >= 0)
		fprintf(fp, ",\"port\":%ld", r->port);
	fprintf(fp, ",\"count\":");
	if (c->count)
		fprintf(fp, "%u", c->count);
	else
		fputs("null", fp);
	fprintf(fp, ",\"period_ms\":%.3f,\"interval_ms\":%.3f,"
	    "\"timeout_ms\":%.3f,\"retries\":%u,\"payload_size\":%zu",
	    c->period_ns / 1e6, c->interval_ns / 1e6, c->timeout_ns / 1e6,
	    c->retries, c->size);
	fprintf(fp, ",\"probe_ttl\":");
	c->ttl >= 0 ? fprintf(fp, "%d", c->ttl) : fputs("null", fp);
	fprintf(fp, ",\"deadline_s\":");
	c->deadline_ns ? fprintf(fp, "%.3f", c->deadline_ns / 1e9) :
	    fputs("null", fp);
	if (c->trace_down)
		fputs(",\"trace_down\":true", fp);
	if (c->trace || c->trace_down)
		fprintf(fp, ",\"first_hop\":%d,\"max_hops\":%d,\"queries\":%d,"
		    "\"max_timeouts\":%d,\"window\":%d,\"flow\":%u,"
		    "\"names\":%s", c->first_hop, c->max_hops, c->queries,
		    c->max_timeouts, c->window, (unsigned)c->flow,
		    c->names ? "true" : "false");
	if (c->mda)
		fprintf(fp, ",\"all_paths\":true,\"confidence\":%d",
		    c->confidence);
}

/* Element i of list f (not MPLS). */
static void
json_elem(struct obuf *j, const struct field *f, const struct record *r,
    long i)
{
	const void *elems = *(const void *const *)field_at(f, r);
	const char *s;
	double d;

	if (f->kind == F_MSS) {
		d = ((const double *)elems)[i];
		if (isnan(d))
			put_word(j, "null");
		else
			obuf_fixed(j, d, 3);
		return;
	}
	s = ((const char *const *)elems)[i];
	if (s == NULL)
		put_word(j, "null");
	else
		json_string(j, s);
}

static void
json_list(struct obuf *j, const struct field *f, const struct record *r)
{
	const struct mpls_label *m;
	char buf[96];
	long i, n = field_list_len(f, r);

	if (n < 0) {
		put_word(j, "null");
		return;
	}
	obuf_putc(j, '[');
	for (i = 0; i < n; i++) {
		if (i)
			obuf_putc(j, ',');
		if (f->kind != F_MPLS) {
			json_elem(j, f, r, i);
			continue;
		}
		m = r->mpls + i;
		snprintf(buf, sizeof(buf), "{\"label\":%u,\"tc\":%u,"
		    "\"s\":%u,\"ttl\":%u}", (unsigned)m->label,
		    (unsigned)m->tc, (unsigned)m->s, (unsigned)m->ttl);
		obuf_put(j, buf);
	}
	obuf_putc(j, ']');
}

/* Room for a key and any value but a string to escape or a list: a field
 * checks for room once, and writes the rest without looking. */
#define FIELD_ROOM	(sizeof(((struct field *)0)->key) + PUT_AT_MAX + 2)

/*
 * Our own text (F_PLAIN, a record's type) at p: no byte to escape, so a
 * strlen and one copy, not the scan (a --json sweep writes nine a
 * target).  Returns the length, or 0 when it is longer than ours.
 */
static size_t
plain_at(char *p, const char *s)
{
	size_t k = strlen(s);

	if (k > PUT_AT_MAX)
		return 0;
	p[0] = '"';
	memcpy(p + 1, s, k);
	p[k + 1] = '"';
	return k + 2;
}

/*
 * A string at p, or through the escape scan; returns 0 with the value
 * written (j->n moved on), or the length put at p (j->n not moved).
 */
static size_t
json_str_at(struct obuf *j, char *p, const char *s, int as_is)
{
	size_t k;

	if (as_is && (k = plain_at(p, s)) != 0)
		return k;
	json_string(j, s);
	return 0;
}

/*
 * The number a record wrote last: a summary of one reply has its RTT as
 * min, avg and max, three times the same number (by its bits: -0.0 is not
 * 0.0), copied instead of made again.
 */
struct json_rec {
	uint64_t bits;
	int	 prec;
	size_t	 len;
	char	 text[FIXED_COPY];
};

static size_t
fixed_at(struct json_rec *c, char *p, double d, int prec)
{
	uint64_t bits;
	size_t n;

	memcpy(&bits, &d, sizeof(bits));
	if (bits == c->bits && prec == c->prec) {
		memcpy(p, c->text, FIXED_COPY);
		return c->len;
	}
	n = put_fixed_at(p, d, prec);
	if (n <= FIXED_COPY) {
		memcpy(c->text, p, FIXED_COPY);
		c->bits = bits;
		c->prec = prec;
		c->len = n;
	}
	return n;
}

/*
 * The value of field f in r at p (FIELD_ROOM left), as field_value has
 * it (null when absent).  Returns its length; 0 when the value went out
 * on its own (a string to escape, a list: j->n moved on); -1 when it is
 * absent (what field_value gives as NULL, a list null) and f optional,
 * having written nothing: one look at the value, not a check for its
 * absence before it.
 */
static long
json_value(struct obuf *j, char *p, const struct field *f,
    const struct record *r, struct json_rec *c)
{
	const void *v = field_at(f, r);
	const char *s;
	double d;
	long l;

	switch (f->kind) {
	case F_TYPE:
		return (long)json_str_at(j, p, rec_type_name(r->type), 1);
	case F_STR:
	case F_PLAIN:
		if ((s = *(const char *const *)v) == NULL)
			break;
		/* A target given as an address is the address. */
		return (long)json_str_at(j, p, s, f->kind == F_PLAIN ||
		    s == r->addr);
	case F_LONG:
	case F_INT:
		l = f->kind == F_LONG ? *(const long *)v : *(const int *)v;
		if (l < 0)
			break;
		return (long)put_ulong_at(p, (unsigned long)l);
	case F_BOOL:
		if (*(const int *)v == 0 && f->optional)
			return -1;
		memcpy(p, *(const int *)v ? "true " : "false", 5);
		return *(const int *)v ? 4 : 5;
	case F_MS:
	case F_TIME:
	case F_PCT:
		if (isnan(d = *(const double *)v))
			break;
		return (long)fixed_at(c, p, d, f->kind == F_MS ? 3 :
		    f->kind == F_TIME ? 6 : 2);
	default:
		if (f->optional && field_list_len(f, r) < 0)
			return -1;
		json_list(j, f, r);
		return 0;
	}
	if (f->optional)
		return -1;
	memcpy(p, "null", 4);
	return 4;
}

/*
 * A field: ,"name": in one fixed-size copy (a compiler makes it two
 * moves), the first field's comma then made the record's opening brace,
 * and its value.  Returns whether it was written (an absent optional
 * field takes its key back).
 */
static int
json_field(struct obuf *j, const struct field *f, const struct record *r,
    struct json_rec *c, int first)
{
	char *p = room(j, FIELD_ROOM);
	size_t mark = j->n;
	long n;

	memcpy(p, f->key, sizeof(f->key));
	if (first)
		*p = '{';
	j->n += f->keylen;
	if ((n = json_value(j, p + f->keylen, f, r, c)) < 0) {
		j->n = mark;
		return 0;
	}
	j->n += (size_t)n;
	return 1;
}

static void
json_emit(struct out *o, const struct record *r)
{
	const struct field *const *f;
	struct obuf own, *j;
	struct json_rec c = { 0, -1, 0, "" };
	int first = 1;

	if (!out_wants_all(o, r->type))
		return;
	j = obuf_of(o, &own);
	for (f = fields_of(r->type); *f; f++)
		if (json_field(j, *f, r, &c, first))
			first = 0;
	if (r->type == REC_START) {
		/* Once per run: stdio is fine. */
		obuf_flush(j);
		json_start_extra(o->fp, r);
	}
	put_short(j, "}\n", 2);
	obuf_done(j, &own);
}

const struct out_ops out_json_ops = { obuf_view_begin, json_emit,
	obuf_view_finish, NULL, out_wants_all, obuf_view_drain };
