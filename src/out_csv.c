/* CSV, RFC 4180: one header, one row per record, CRLF line ends. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "out.h"

static void
csv_cell(struct obuf *b, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		obuf_put(b, s);
		return;
	}
	obuf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			obuf_putc(b, '"');
		obuf_putc(b, *s);
	}
	obuf_putc(b, '"');
}

static const struct field *const *
base_columns(const struct out *o)
{
	if (o->conf->trace_down)
		return fields_csv_watch(o->conf->method != PM_ICMP);
	if (o->conf->mda)
		return fields_csv_paths(o->conf->quiet);
	if (conf_hop_summary(o->conf))
		return fields_csv_hopsum(o->conf->quiet,
		    o->conf->method != PM_ICMP);
	return fields_csv(o->conf->trace, o->conf->quiet,
	    o->conf->method != PM_ICMP, o->conf->report_every_ns > 0 ||
	    o->conf->down_after > 0);
}

/*
 * Whether a record type has a column: worked out once at begin, not per
 * row, into the formatter's own state (o->view), with the columns.
 */
#define CSV_MAX_COLS	64

struct csv {
	uint8_t			 has[REC_NTYPES][CSV_MAX_COLS];
	const struct field	*col[CSV_MAX_COLS + 1];
};

/* Without its state (no memory for it), the mode's columns alone: the
 * header and the rows agree. */
static const struct field *const *
columns(const struct out *o)
{
	const struct csv *v = o->view;

	return v ? v->col : base_columns(o);
}

static int
same_field(const struct field *a, const struct field *b)
{
	return a == b || (a->off == b->off && strcmp(a->name, b->name) == 0);
}

/*
 * A run that SIGHUP reloads (conf.reload): the reload record's fields
 * that are no column yet end the columns (joined, left; with -q its
 * time and targets too).
 */
static void
fill_columns(const struct out *o, struct csv *v)
{
	const struct field *const *base = base_columns(o), *const *f;
	int n, c;

	for (n = 0; base[n] && n < CSV_MAX_COLS; n++)
		v->col[n] = base[n];
	for (f = fields_of(REC_RELOAD); o->conf->reload && *f &&
	    n < CSV_MAX_COLS; f++) {
		for (c = 0; c < n && !same_field(v->col[c], *f); c++)
			;
		if (c == n)
			v->col[n++] = *f;
	}
	v->col[n] = NULL;
}

static int
type_has(enum rec_type t, const struct field *col)
{
	const struct field *const *mine;

	/* The same value under the same name is the same column (a
	 * summary's reason is optional in JSON only). */
	for (mine = fields_of(t); *mine && !same_field(*mine, col); mine++)
		;
	return *mine != NULL;
}

/* Without its table (no memory for it) a row asks fields_of each time. */
static int
has_column(const struct out *o, enum rec_type t, int c)
{
	const struct csv *v = o->view;

	return v ? v->has[t][c] : type_has(t, columns(o)[c]);
}

static void
csv_begin(struct out *o)
{
	const struct field *const *cols;
	struct csv *v;
	int t, c;

	if ((v = calloc(1, sizeof(*v))) != NULL) {
		fill_columns(o, v);
		for (t = 0; t < REC_NTYPES; t++)
			for (c = 0; v->col[c]; c++)
				v->has[t][c] = (uint8_t)type_has(
				    (enum rec_type)t, v->col[c]);
		o->view = v;
	}
	cols = columns(o);
	for (c = 0; cols[c]; c++)
		fprintf(o->fp, "%s%s", c ? "," : "", cols[c]->name);
	fputs("\r\n", o->fp);
}

/* A list is one cell: elements joined by spaces, "*" for an absent one. */
static void
csv_list(struct obuf *b, const struct field *f, const struct record *r)
{
	char cell[4096], buf[64];
	const char *v;
	size_t o = 0;
	long i, n = field_list_len(f, r);
	int str;

	cell[0] = '\0';
	for (i = 0; i < n && o < sizeof(cell); i++) {
		v = field_elem(f, r, i, buf, sizeof(buf), &str);
		o += (size_t)snprintf(cell + o, sizeof(cell) - o, "%s%s",
		    i ? " " : "", v ? v : "*");
	}
	if (n >= 0)
		csv_cell(b, cell);
}

static void
csv_emit(struct out *o, const struct record *r)
{
	const struct field *const *cols = columns(o);
	struct obuf b;
	const char *v;
	char buf[64];
	int str, c;

	if (!out_wants_all(o, r->type))
		return;
	obuf_init(&b, o->fp);
	for (c = 0; c < CSV_MAX_COLS && cols[c]; c++) {
		if (c)
			obuf_putc(&b, ',');
		/* A column this record type does not have stays empty. */
		if (!has_column(o, r->type, c))
			continue;
		if (cols[c]->kind >= F_STRS) {
			csv_list(&b, cols[c], r);
			continue;
		}
		v = field_value(cols[c], r, buf, sizeof(buf), &str);
		if (v)
			csv_cell(&b, v);
	}
	obuf_putn(&b, "\r\n", 2);
	obuf_flush(&b);
}

static void
csv_finish(struct out *o)
{
	free(o->view);
	o->view = NULL;
}

const struct out_ops out_csv_ops = { csv_begin, csv_emit, csv_finish, NULL,
	out_wants_all, NULL };
