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

static void
csv_begin(struct out *o)
{
	const struct field *const *f;

	for (f = fields_csv(o->conf->quiet); *f; f++)
		fprintf(o->fp, "%s%s", f == fields_csv(o->conf->quiet) ? "" :
		    ",", (*f)->name);
	fputs("\r\n", o->fp);
}

static void
csv_emit(struct out *o, const struct record *r)
{
	const struct field *const *f, *const *mine;
	const struct field *const *cols = fields_csv(o->conf->quiet);
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
		v = field_value(*f, r, buf, sizeof(buf), &str);
		if (v)
			csv_cell(o->fp, v);
	}
	fputs("\r\n", o->fp);
}

const struct out_ops out_csv_ops = { csv_begin, csv_emit, NULL,
	out_wants_all };
