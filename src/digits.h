/*
 * Decimal digits two at a time: digit_pairs[2 * v] and [2 * v + 1] are v's
 * two digits ("00" to "99"), one division for two digits.  A header's
 * table: each file that writes numbers (records, addresses) has a copy of
 * these 200 bytes, and no object to link for it.
 */
#ifndef MPING_DIGITS_H
#define MPING_DIGITS_H

static const char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

#endif
