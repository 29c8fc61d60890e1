/* CSV, RFC 4180: one header, one row per record, CRLF line ends. */
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "out.h"

static void
csv_cell(FILE *fp, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, fp);
		return;
	}
	putc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', fp);
		putc(*s, fp);
	}
	putc('"', fp);
}

static const struct field *const *
columns(const struct out *o)
{
	return fields_csv(o->conf->trace, o->conf->quiet);
}

static void
csv_begin(struct out *o)
{
	const struct field *const *f;

	for (f = columns(o); *f; f++)
		fprintf(o->fp, "%s%s", f == columns(o) ? "" : ",",
		    (*f)->name);
	fputs("\r\n", o->fp);
}

/* A list is one cell: elements joined by spaces, "*" for an absent one. */
static void
csv_list(FILE *fp, const struct field *f, const struct record *r)
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
		csv_cell(fp, cell);
}

static void
csv_emit(struct out *o, const struct record *r)
{
	const struct field *const *f, *const *mine;
	const struct field *const *cols = columns(o);
	const char *v;
	char buf[64];
	int str;

	if (!out_wants_all(o, r->type))
		return;
	for (f = cols; *f; f++) {
		if (f != cols)
			putc(',', o->fp);
		/* A column this record type does not have stays empty. */
		for (mine = fields_of(r->type); *mine && *mine != *f; mine++)
			;
		if (*mine == NULL)
			continue;
		if ((*f)->kind >= F_STRS) {
			csv_list(o->fp, *f, r);
			continue;
		}
		v = field_value(*f, r, buf, sizeof(buf), &str);
		if (v)
			csv_cell(o->fp, v);
	}
	fputs("\r\n", o->fp);
}

const struct out_ops out_csv_ops = { csv_begin, csv_emit, NULL, NULL,
	out_wants_all };
