/*
 * The fields of each record type, shared by the CSV and JSON formatters so
 * that a field has one name and one way of being printed.
 */
#ifndef MPING_FIELDS_H
#define MPING_FIELDS_H

#include <stddef.h>

#include "out.h"

enum field_kind { F_STR, F_LONG, F_INT, F_MS, F_TIME, F_PCT, F_BOOL, F_TYPE };

struct field {
	const char	*name;
	enum field_kind	 kind;
	size_t		 off;
};

/* Value of field f in r as text; NULL when absent.  buf holds numbers. */
const char	*field_value(const struct field *, const struct record *,
		    char *buf, size_t len, int *is_string);
/* Fields of one record type, in order, ending with a NULL name. */
const struct field *const *fields_of(enum rec_type);
/* The union of all event fields: CSV's columns (quiet: summary only). */
const struct field *const *fields_csv(int quiet);

#endif
