/*
 * The fields of each record type, shared by the CSV and JSON formatters so
 * that a field has one name and one way of being printed.
 */
#ifndef MPING_FIELDS_H
#define MPING_FIELDS_H

#include <stddef.h>

#include "out.h"

/* F_PLAIN: our own text, with no byte JSON must escape: an address
 * as inet_ntop writes it (or "local"), a method's name.  The last three
 * are lists. */
enum field_kind { F_STR, F_PLAIN, F_LONG, F_INT, F_MS, F_TIME, F_PCT, F_BOOL,
	F_TYPE, F_STRS, F_MSS, F_MPLS };

struct field {
	const char	*name;
	enum field_kind	 kind;
	size_t		 off;
	size_t		 n_off;		/* lists: offset of the count (long) */
	int		 optional;	/* JSON: left out when absent, not null */
	char		 key[32];	/* JSON: ,"name": */
	size_t		 keylen;
};

/* Value of field f in r as text; NULL when absent.  buf holds numbers. */
const char	*field_value(const struct field *, const struct record *,
		    char *buf, size_t len, int *is_string);
/* Where field f's value is in r: a const char *, long, int or double, by
 * its kind (a list: its pointer; the count is at n_off). */
static inline const void *
field_at(const struct field *f, const struct record *r)
{
	return (const char *)r + f->off;
}
/* Lists: the number of elements, or -1 when the list is absent (null). */
long		 field_list_len(const struct field *, const struct record *);
/* Element i of a list as text; NULL when absent ("*" in a hop line). */
const char	*field_elem(const struct field *, const struct record *,
		    long i, char *buf, size_t len, int *is_string);
/* Fields of one record type, in order, ending with a NULL name. */
const struct field *const *fields_of(enum rec_type);
/*
 * CSV's columns: the union of the mode's event fields (ping or trace),
 * then method and, with port (UDP, TCP: a run that probes a port), port
 * and state; with quiet, those of the one record per target (summary or
 * trace); monitor (-Q, --down-after, ping only): then the intervals' and
 * outages' times.
 */
/* --trace-down's columns, with or without a port's. */
const struct field *const *fields_csv_watch(int port);
const struct field *const *fields_csv(int trace, int quiet, int port,
		    int monitor);
/* Traces with hop summaries (-c N, --report): the trace's columns, then
 * the hop summaries' counts and RTTs. */
const struct field *const *fields_csv_hopsum(int quiet, int port);
/* --all-paths: its own columns (hop, link, path, trace records). */
const struct field *const *fields_csv_paths(int quiet);

#endif
