/*
 * cli: the command line -> struct conf.  One table says all about each
 * option: its names, what value it takes and in which range, where the
 * value goes, whether it needs or refuses --trace, its default and its
 * --help line.  getopt_long's array, the short-option string, the checks
 * with their messages and --help all come from it; the rules between
 * options are in rules(), after the parse, in one place.
 */
#include <sys/socket.h>
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "monitor.h"
#include "tag.h"

#define VERSION		"0.1.0"

/*
 * getopt_long's code of a long-only option: past any letter, so that
 * unknown() can tell it from a short option in optopt.
 */
enum { OPT_COLOR = 255, OPT_RATE = 256, OPT_TTL, OPT_TOS, OPT_DF, OPT_MAXT,
	OPT_FORMAT, OPT_CSV, OPT_JSON, OPT_TRACE, OPT_MAXHOPS, OPT_FIRSTHOP,
	OPT_QUERIES, OPT_MAXTIMEOUTS, OPT_WINDOW, OPT_FLOW, OPT_NAMES, OPT_LIVE,
	OPT_PROGRESS, OPT_NO_PROGRESS, OPT_METHOD, OPT_PORT, OPT_CUMULATIVE,
	OPT_DOWN_AFTER, OPT_UP_AFTER, OPT_PROM_FILE, OPT_RANDOM_DATA,
	OPT_ICMP_TS, OPT_FWMARK, OPT_TRACE_DOWN, OPT_RESOLVE_EVERY,
	OPT_ALL_PATHS, OPT_MDA, OPT_CONFIDENCE, OPT_RTTS, OPT_REPORT,
	OPT_STOP_SET, OPT_NO_STOP_SET };

/* What follows the option. */
enum arg {
	A_NONE,		/* nothing: .val is stored */
	A_NUM,		/* a whole number from .min to .max */
	A_MS,		/* milliseconds from .min to .max, stored in ns */
	A_WORD,		/* one of .words (.optional: left out, .val) */
	A_STR		/* any text */
};

/* Where the value goes: the type at .off in struct cli. */
enum type { T_INT, T_UNS, T_U16, T_U32, T_SIZE, T_NS, T_SECS, T_ULL, T_FMT,
	T_METHOD,
	T_STR, T_FILE, T_HELP, T_VERSION };

enum scope { S_ANY, S_TRACE /* needs --trace */, S_PING /* not with it */ };

enum group { G_OPTIONS, G_TRACING, G_DISPLAY, G_N };

struct word {
	const char	*word;
	int		 val;
};

struct cli_opt {
	int		 key;		/* short letter, or OPT_* */
	const char	*name;		/* long name; NULL: none */
	enum arg	 arg;
	int		 optional;	/* A_WORD: the value may be left out */
	double		 min, max;
	const struct word *words;	/* A_WORD: NULL-ended */
	size_t		 off;		/* in struct cli */
	enum type	 type;
	int		 val;		/* A_NONE, or A_WORD left out */
	const char	*clash;		/* set once: another value is refused */
	enum scope	 scope;
	const char	*def;		/* before the parse, and in --help */
	const char	*tdef;		/* with --trace if not given; --help */
	enum group	 group;
	const char	*meta;		/* the value's name in --help */
	const char	*help;		/* '\n': the next line of help */
};

/* The parse's state: conf, and what decides parts of it at the end. */
struct cli {
	struct conf	 c;
	int		 color;		/* -1 auto, 0 never, 1 always */
	int		 progress;	/* -1 auto, 0 no, 1 yes */
	unsigned long long rate;	/* --rate: probes per second */
	const char	**files;
	int		 nfiles;
	uint64_t	 seen;		/* bit i: opts[i] was given */
	int		 trace_opt;	/* the last one needing --trace; -1 */
	int		 ping_opt;	/* the last one refused by it; -1 */
};

#define AT(f, t)	.off = offsetof(struct cli, f), .type = (t)
#define FLAG(f)		.arg = A_NONE, AT(f, T_INT), .val = 1
#define NUM(lo, hi)	.arg = A_NUM, .min = (lo), .max = (hi)
#define MS(lo, hi)	.arg = A_MS, .min = (lo), .max = (hi)
#define STR(f)		.arg = A_STR, AT(f, T_STR)

static const struct word formats[] = {
	{ "text", FMT_TEXT }, { "csv", FMT_CSV }, { "json", FMT_JSON },
	{ "dot", FMT_DOT }, { NULL, 0 }
};
/* Like ls(1): a bare --color means always. */
static const struct word colors[] = {
	{ "auto", -1 }, { "always", 1 }, { "never", 0 }, { NULL, 0 }
};

static const struct word methods[] = {
	{ "icmp", PM_ICMP }, { "udp", PM_UDP }, { "tcp", PM_TCP },
	{ NULL, 0 }
};

#define FAMILY	"-4 and -6 exclude each other"
#define FORMATS	"conflicting output formats"
#define METHODS	"conflicting probe methods"

/*
 * Every option, in the order of --help (grouped as in mping(1));
 * tests/hard_output.bats checks that every long name is on --help.
 */
static const struct cli_opt opts[] = {
	{ '4', NULL, .arg = A_NONE, AT(c.family, T_INT), .val = AF_INET,
	    .clash = FAMILY, .help = "IPv4 only" },
	{ '6', NULL, .arg = A_NONE, AT(c.family, T_INT), .val = AF_INET6,
	    .clash = FAMILY, .help = "IPv6 only" },
	{ 'a', "alive", FLAG(c.alive), .scope = S_PING,
	    .help = "print each target once when it first answers;\n"
	    "without -c, end when every target answered" },
	{ 'b', "broadcast", FLAG(c.broadcast), .scope = S_PING,
	    .help = "allow broadcast and multicast targets" },
	{ 'c', "count", NUM(1, 4294967295u), AT(c.count, T_U32), .meta = "N",
	    .help = "N probes per target (--trace: N rounds)" },
	{ 'D', "timestamp", FLAG(c.timestamp),
	    .help = "prefix text lines with [unix time]" },
	{ OPT_DF, "df", FLAG(c.df),
	    .help = "set Don't Fragment, never fragment locally" },
	{ OPT_FWMARK, "fwmark", NUM(1, 4294967295u), AT(c.fwmark, T_U32),
	    .meta = "N", .help = "mark every probe N (SO_MARK: policy routing,\n"
	    "nftables); needs CAP_NET_ADMIN" },
	{ 'f', "file", .arg = A_STR, AT(files, T_FILE), .meta = "FILE",
	    .help = "read targets from FILE (- is stdin)" },
	{ OPT_FORMAT, "format", .arg = A_WORD, .words = formats,
	    AT(c.format, T_FMT), .clash = FORMATS, .meta = "FMT",
	    .help = "text (default), csv, json or dot (--all-paths)" },
	{ OPT_CSV, "csv", .arg = A_NONE, AT(c.format, T_FMT), .val = FMT_CSV,
	    .clash = FORMATS, .help = "same as --format=csv" },
	{ OPT_JSON, "json", .arg = A_NONE, AT(c.format, T_FMT),
	    .val = FMT_JSON, .clash = FORMATS,
	    .help = "same as --format=json" },
	{ 'h', "help", .arg = A_NONE, .type = T_HELP,
	    .help = "print this help and exit" },
	{ OPT_ICMP_TS, "icmp-timestamp", FLAG(c.icmp_ts), .scope = S_PING,
	    .help = "ICMP timestamp requests instead of echo (IPv4)" },
	{ 'I', "interface", STR(c.iface), .meta = "IF",
	    .help = "send through interface IF" },
	{ 'i', "interval", MS(0, 60000), AT(c.interval_ns, T_NS), .def = "1",
	    .meta = "MS", .help = "at least MS between any two probes" },
	{ 'm', "all-addresses", FLAG(c.all_addresses),
	    .help = "probe every address a name has, not the first" },
	{ OPT_METHOD, "method", .arg = A_WORD, .words = methods,
	    AT(c.method, T_METHOD), .clash = METHODS, .meta = "M",
	    .help = "probe with icmp (default), udp or tcp" },
	/* 2^24 at most: a ping round names its target in 24 bits (sched.h) */
	{ OPT_MAXT, "max-targets", NUM(1, 16777216), AT(c.max_targets, T_U32),
	    .def = "1048576", .meta = "N",
	    .help = "refuse more than N targets" },
	{ 'p', "period", MS(1, 86400000), AT(c.period_ns, T_NS), .def = "1000",
	    .meta = "MS", .help = "MS between probes to one target" },
	{ OPT_PORT, "port", NUM(1, 65535), AT(c.port, T_U16), .meta = "N",
	    .help = "UDP, TCP: destination port (33434, 80)" },
	{ 'q', "quiet", FLAG(c.quiet), .help = "only the summary" },
	{ 'Q', "report-every", NUM(1, 86400), AT(c.report_every_ns, T_SECS),
	    .scope = S_PING, .meta = "S",
	    .help = "every S seconds, a record per target for the\n"
	    "interval just ended" },
	{ OPT_CUMULATIVE, "cumulative", FLAG(c.cumulative), .scope = S_PING,
	    .help = "with -Q: count from the start, not the interval" },
	{ OPT_RTTS, "rtts", FLAG(c.rtts), .scope = S_PING,
	    .help = "with -c: each probe's RTT in JSON summaries (rtts_ms)" },
	{ OPT_DOWN_AFTER, "down-after", NUM(1, 1000000), AT(c.down_after,
	    T_U32), .scope = S_PING, .meta = "N",
	    .help = "a down record after N probes missed in a row" },
	{ OPT_UP_AFTER, "up-after", NUM(1, 1000000), AT(c.up_after, T_U32),
	    .scope = S_PING, .meta = "N",
	    .help = "with --down-after: up after N answers in a row (1)" },
	{ OPT_PROM_FILE, "prom-file", STR(c.prom_file), .scope = S_PING,
	    .meta = "PATH", .help = "keep PATH a Prometheus textfile of the "
	    "counts\n(rewritten every -Q, else 10 s)" },
	{ OPT_RESOLVE_EVERY, "resolve-every", NUM(0, 86400),
	    AT(c.resolve_every_ns, T_SECS), .scope = S_PING, .meta = "S",
	    .help = "resolve names again every S seconds (no -c: 300;\n"
	    "0: never)" },
	{ 'r', "retries", NUM(0, 100), AT(c.retries, T_UNS), .scope = S_PING,
	    .def = "0", .meta = "N",
	    .help = "resend a timed-out probe N times" },
	{ OPT_RATE, "rate", NUM(1, 10000000), AT(rate, T_ULL), .meta = "PPS",
	    .help = "at most PPS probes per second (sets -i)" },
	{ OPT_RANDOM_DATA, "random-data", FLAG(c.random_data),
	    .help = "random payload after the tag (for links that compress)" },
	{ 'S', "source", STR(c.source), .meta = "ADDR",
	    .help = "send from ADDR" },
	{ 's', "size", NUM(PAYLOAD_MIN, 65507), AT(c.size, T_SIZE), .def = "56",
	    .meta = "BYTES", .help = "payload size of a probe" },
	{ 't', "timeout", MS(1, 3600000), AT(c.timeout_ns, T_NS),
	    .def = "1000", .meta = "MS", .help = "wait MS for a reply" },
	{ 'T', "tcp", .arg = A_NONE, AT(c.method, T_METHOD), .val = PM_TCP,
	    .clash = METHODS, .help = "same as --method=tcp" },
	{ OPT_TOS, "tos", NUM(0, 255), AT(c.tos, T_INT), .meta = "N",
	    .help = "type of service / traffic class" },
	{ OPT_TTL, "ttl", NUM(1, 255), AT(c.ttl, T_INT), .scope = S_PING,
	    .meta = "N", .help = "time to live / hop limit of probes" },
	{ 'U', "udp", .arg = A_NONE, AT(c.method, T_METHOD), .val = PM_UDP,
	    .clash = METHODS, .help = "same as --method=udp" },
	{ 'u', "unreachable", FLAG(c.unreach), .scope = S_PING,
	    .help = "at the end, print each target that never answered" },
	{ 'V', "version", .arg = A_NONE, .type = T_VERSION,
	    .help = "print the version and exit" },
	{ 'w', "deadline", NUM(1, 31536000), AT(c.deadline_ns, T_SECS),
	    .meta = "S", .help = "stop after S seconds" },

	{ OPT_TRACE, "trace", FLAG(c.trace), .group = G_TRACING,
	    .help = "trace the route to each target" },
	{ OPT_TRACE_DOWN, "trace-down", FLAG(c.trace_down), .scope = S_PING,
	    .group = G_TRACING, .help = "trace a target that goes down "
	    "(--down-after),\nor never answered (-c), beside the pings" },
	{ OPT_ALL_PATHS, "all-paths", FLAG(c.mda), .group = G_TRACING,
	    .help = "trace every load-balanced path (MDA; implies --trace)" },
	{ OPT_MDA, "mda", FLAG(c.mda), .group = G_TRACING,
	    .help = "same as --all-paths" },
	{ OPT_REPORT, "report", FLAG(c.report), .group = G_TRACING,
	    .help = "an mtr-style table per target at the end, and only\n"
	    "that (implies --trace)" },
	{ OPT_CONFIDENCE, "confidence", NUM(95, 99), AT(c.confidence, T_INT),
	    .scope = S_TRACE, .tdef = "95", .group = G_TRACING, .meta = "P",
	    .help = "--all-paths: find every next hop with P% confidence\n"
	    "(95 or 99)" },
	{ OPT_FIRSTHOP, "first-hop", NUM(1, 255), AT(c.first_hop, T_INT),
	    .scope = S_TRACE, .tdef = "1", .group = G_TRACING, .meta = "N",
	    .help = "first TTL to probe" },
	{ OPT_FLOW, "flow", NUM(0, 65535), AT(c.flow, T_U16), .scope = S_TRACE,
	    .tdef = "0", .group = G_TRACING, .meta = "N",
	    .help = "flow number: another path through ECMP" },
	{ OPT_MAXHOPS, "max-hops", NUM(1, 255), AT(c.max_hops, T_INT),
	    .scope = S_TRACE, .tdef = "30", .group = G_TRACING, .meta = "N",
	    .help = "last TTL to probe" },
	{ OPT_MAXTIMEOUTS, "max-timeouts", NUM(1, 255),
	    AT(c.max_timeouts, T_INT), .scope = S_TRACE, .tdef = "5",
	    .group = G_TRACING, .meta = "N",
	    .help = "give up after N silent hops in a row" },
	{ OPT_NAMES, "names", FLAG(c.names), .scope = S_TRACE,
	    .group = G_TRACING, .help = "show hop names (reverse DNS)" },
	{ OPT_QUERIES, "queries", NUM(1, CONF_MAX_QUERIES),
	    AT(c.queries, T_INT), .scope = S_TRACE, .tdef = "3",
	    .group = G_TRACING, .meta = "N", .help = "probes per hop" },
	{ OPT_WINDOW, "window", NUM(1, 255), AT(c.window, T_INT),
	    .scope = S_TRACE, .tdef = "5", .group = G_TRACING, .meta = "N",
	    .help = "hops probed at once per target" },
	{ OPT_STOP_SET, "stop-set", .arg = A_NONE, AT(c.stop_set, T_INT),
	    .val = STOPSET_ON, .scope = S_TRACE, .group = G_TRACING,
	    .help = "skip the hops other traces named (default: one round)" },
	{ OPT_NO_STOP_SET, "no-stop-set", .arg = A_NONE,
	    AT(c.stop_set, T_INT), .val = STOPSET_OFF, .scope = S_TRACE,
	    .group = G_TRACING, .help = "probe every hop of every trace" },

	{ OPT_COLOR, "color", .arg = A_WORD, .optional = 1, .words = colors,
	    AT(color, T_INT), .val = 1, .group = G_DISPLAY, .meta = "WHEN",
	    .help = "colour text: auto (default), always, never" },
	{ OPT_LIVE, "live", FLAG(c.live), .group = G_DISPLAY,
	    .help = "full-screen view of every target (a terminal)" },
	{ OPT_PROGRESS, "progress", FLAG(progress), .scope = S_PING,
	    .group = G_DISPLAY,
	    .help = "progress line on stderr from the start" },
	{ OPT_NO_PROGRESS, "no-progress", .arg = A_NONE, AT(progress, T_INT),
	    .val = 0, .group = G_DISPLAY, .help = "never a progress line" },
};

#define NOPTS	(sizeof(opts) / sizeof(opts[0]))

/* One bit of struct cli's seen per option. */
typedef char one_bit_per_option[NOPTS <= 64 ? 1 : -1];

static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("mping: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

static void __attribute__((noreturn))
bad_value(const char *opt, const char *val, const char *expect)
{
	usage_error("%s: bad value \"%s\": expected %s", opt, val, expect);
}

/* The name messages give an option: its short one if it has one. */
static const char *
opt_name(const struct cli_opt *o, char *buf, size_t len)
{
	/* Without snprintf: every option's default passes here at start
	 * (1,400 instructions each).  len is at least 3. */
	const char *s = o->name;
	char *p = buf, *end = buf + len - 1;

	*p++ = '-';
	if (o->key < OPT_COLOR)
		*p++ = (char)o->key;
	else {
		*p++ = '-';
		while (*s && p < end)
			*p++ = *s++;
	}
	*p = '\0';
	return buf;
}

/* Whole numbers only: no sign, no exponent, no trailing junk. */
static unsigned long long
num(const char *opt, const char *s, unsigned long long min,
    unsigned long long max)
{
	unsigned long long v = 0;
	char expect[96], *end = NULL;

	if (*s >= '0' && *s <= '9') {
		errno = 0;
		v = strtoull(s, &end, 10);
		if (!*end && !errno && v >= min && v <= max)
			return v;
	}
	/* The message only when it is needed: every default passes here. */
	snprintf(expect, sizeof(expect), "a whole number from %llu to %llu",
	    min, max);
	bad_value(opt, s, expect);
}

/* Milliseconds, maybe with a fraction ("0.5"); returns nanoseconds. */
static int64_t
ms(const char *opt, const char *s, double min, double max)
{
	char expect[96], *end;
	const char *p;
	double v;

	for (p = s; (*p >= '0' && *p <= '9') || *p == '.'; p++)
		;
	if (*s != '\0' && !*p && *s != '.') {
		v = strtod(s, &end);
		if (!*end && v >= min && v <= max)
			return (int64_t)(v * 1e6 + 0.5);
	}
	snprintf(expect, sizeof(expect), "milliseconds from %g to %g", min,
	    max);
	bad_value(opt, s, expect);
}

/* One of o->words; the message lists them: "a, b or c". */
static int
word(const struct cli_opt *o, const char *opt, const char *s)
{
	const struct word *w;
	char expect[96];
	size_t n = 0;

	if (s == NULL)
		return o->val;
	for (w = o->words; w->word; w++)
		if (strcmp(s, w->word) == 0)
			return w->val;
	expect[0] = '\0';
	for (w = o->words; w->word; w++)
		n += (size_t)snprintf(expect + n, sizeof(expect) - n, "%s%s",
		    w == o->words ? "" : w[1].word ? ", " : " or ", w->word);
	bad_value(opt, s, expect);
}

/* The value s gives option o, checked, in the units of where it goes. */
static long long
value(const struct cli_opt *o, const char *s)
{
	char name[32];

	opt_name(o, name, sizeof(name));
	switch (o->arg) {
	case A_NUM:
		return (long long)num(name, s, (unsigned long long)o->min,
		    (unsigned long long)o->max);
	case A_MS:
		return ms(name, s, o->min, o->max);
	case A_WORD:
		return word(o, name, s);
	case A_NONE:
		return o->val;
	case A_STR:
		break;
	}
	return 0;
}

static long long
load(const struct cli *st, const struct cli_opt *o)
{
	const char *p = (const char *)st + o->off;

	if (o->type == T_FMT)
		return *(const enum out_format *)(const void *)p;
	return *(const int *)(const void *)p;
}

static void usage(FILE *);

static void
store(struct cli *st, const struct cli_opt *o, long long v, const char *s)
{
	void *p = (char *)st + o->off;

	switch (o->type) {
	case T_INT:	*(int *)p = (int)v; break;
	case T_UNS:	*(unsigned *)p = (unsigned)v; break;
	case T_U16:	*(uint16_t *)p = (uint16_t)v; break;
	case T_U32:	*(uint32_t *)p = (uint32_t)v; break;
	case T_SIZE:	*(size_t *)p = (size_t)v; break;
	case T_NS:	*(int64_t *)p = v; break;
	case T_SECS:	*(int64_t *)p = v * 1000000000LL; break;
	case T_ULL:	*(unsigned long long *)p = (unsigned long long)v; break;
	case T_FMT:	*(enum out_format *)p = (enum out_format)v; break;
	case T_METHOD:	*(enum probe_method *)p = (enum probe_method)v; break;
	case T_STR:	*(const char **)p = s; break;
	case T_FILE:	st->files[st->nfiles++] = s; break;
	case T_HELP:	usage(stdout); exit(0);
	case T_VERSION:	printf("mping %s\n", VERSION); exit(0);
	}
}

static int
given(const struct cli *st, int key)
{
	size_t i;

	for (i = 0; i < NOPTS; i++)
		if (opts[i].key == key)
			return (st->seen >> i) & 1;
	return 0;
}

/* An option set once (-4/-6, the formats): another value is refused. */
static void
once(const struct cli *st, const struct cli_opt *o, long long v)
{
	size_t i;

	for (i = 0; i < NOPTS; i++)
		if ((st->seen >> i & 1) && opts[i].clash &&
		    opts[i].off == o->off && load(st, o) != v)
			usage_error("%s", o->clash);
}

/* Option opts[i] given with value s (NULL: none). */
static void
take(struct cli *st, size_t i, const char *s)
{
	const struct cli_opt *o = &opts[i];
	long long v = value(o, s);

	if (o->clash)
		once(st, o, v);
	store(st, o, v, s);
	st->seen |= (uint64_t)1 << i;
	if (o->scope == S_TRACE)
		st->trace_opt = (int)i;
	else if (o->scope == S_PING)
		st->ping_opt = (int)i;
}

/* One line per option (two for a long one), grouped as in mping(1). */
static void
help_line(FILE *fp, const struct cli_opt *o)
{
	const char *d = o->def ? o->def : o->tdef, *h;
	char left[40];

	if (o->name == NULL)
		snprintf(left, sizeof(left), "-%c", o->key);
	else
		snprintf(left, sizeof(left), "%c%c%c --%s%s%s%s",
		    o->key < OPT_COLOR ? '-' : ' ',
		    o->key < OPT_COLOR ? o->key : ' ',
		    o->key < OPT_COLOR ? ',' : ' ', o->name,
		    o->meta ? o->optional ? "[=" : "=" : "",
		    o->meta ? o->meta : "", o->optional ? "]" : "");
	fprintf(fp, "  %-23s", left);
	for (h = o->help; *h; h++)
		if (*h == '\n')
			fprintf(fp, "\n%25s", "");
		else
			fputc(*h, fp);
	if (d)
		fprintf(fp, " (%s)", d);
	fputc('\n', fp);
}

static void
usage(FILE *fp)
{
	static const char *const group[G_N] = { "Options", "Tracing",
	    "Display" };
	size_t i;
	int g;

	fputs(
"usage: mping [options] [target ...]\n"
"       mping --trace [trace options] [options] [target ...]\n"
"Targets: host names, IPv4/IPv6 addresses, CIDR blocks; from -f FILE\n"
"(- is stdin) or from stdin when no target is given.  Times in ms.\n",
	    fp);
	for (g = 0; g < G_N; g++) {
		fprintf(fp, "\n%s:\n", group[g]);
		for (i = 0; i < NOPTS; i++)
			if (opts[i].group == (enum group)g)
				help_line(fp, &opts[i]);
	}
	fputs("\nSee mping(1).\n", fp);
}

static void __attribute__((noreturn))
unknown(char **argv)
{
	/* A long-only option (--df=1, --rate with no value) leaves its
	 * table code in optopt, which is no letter: show what was typed. */
	if (optopt > 0 && optopt < 128)
		usage_error("-%c: unknown option or missing value (see mping "
		    "--help)", optopt);
	usage_error("%s: unknown option or missing value (see mping --help)",
	    argv[optind - 1]);
}

/* --all-paths: its confidence, and what it cannot be shown with. */
static void
mda_rules(struct cli *st)
{
	struct conf *c = &st->c;

	if (c->confidence != 95 && c->confidence != 99)
		usage_error("--confidence: bad value \"%d\": expected 95 or 99",
		    c->confidence);
	if (!c->mda && given(st, OPT_CONFIDENCE))
		usage_error("--confidence needs --all-paths");
	if (c->mda && c->live)
		usage_error("--all-paths: not with --live");
	if (c->mda && c->names)
		usage_error("--all-paths: not with --names");
}

/* The trace options' defaults where they are not given. */
static void
trace_defaults(struct cli *st)
{
	struct conf *c = &st->c;
	size_t i;

	for (i = 0; i < NOPTS; i++)
		if (opts[i].tdef && !(st->seen >> i & 1))
			store(st, &opts[i], value(&opts[i], opts[i].tdef),
			    NULL);
	mda_rules(st);
	if (c->first_hop > c->max_hops)
		usage_error("--first-hop %d is beyond --max-hops %d",
		    c->first_hop, c->max_hops);
}

/*
 * --trace-down: a ping run that traces some targets (watch.c), with the
 * trace options.  Its traces' probes are never resent (a retry would
 * lose its TTL), and their hops have no names.
 */
static void
trace_down_rules(struct cli *st)
{
	struct conf *c = &st->c;

	if (c->down_after == 0 && c->count == 0)
		usage_error("--trace-down needs --down-after N or -c N");
	if (c->retries)
		usage_error("--trace-down: not with -r");
	if (c->names)
		usage_error("--names: not with --trace-down");
	if (c->live)
		usage_error("--trace-down: not with --live");
	if (c->stop_set == STOPSET_ON)
		usage_error("--stop-set: not with --trace-down");
	trace_defaults(st);
}

/* --report: mtr -r's table of a trace, and only that (-q). */
static void
report_rules(struct cli *st)
{
	struct conf *c = &st->c;

	if (!c->report)
		return;
	if (c->mda || c->trace_down || c->live)
		usage_error("--report: not with %s", c->mda ? "--all-paths" :
		    c->trace_down ? "--trace-down" : "--live");
	c->trace = 1;
	c->quiet = 1;
}

/* The options that need --trace or refuse it; --trace's defaults. */
static void
trace_rules(struct cli *st)
{
	struct conf *c = &st->c;
	char name[32];

	if (c->format == FMT_DOT && !c->mda)
		usage_error("--format dot needs --all-paths");
	report_rules(st);
	if (c->mda)
		c->trace = 1;
	if (!c->trace && !c->trace_down) {
		if (st->trace_opt != -1)
			usage_error("%s needs --trace",
			    opt_name(&opts[st->trace_opt], name, sizeof(name)));
		return;
	}
	if (!c->trace) {
		trace_down_rules(st);
		return;
	}
	if (st->ping_opt != -1)
		usage_error("%s: not an option of --trace",
		    opt_name(&opts[st->ping_opt], name, sizeof(name)));
	trace_defaults(st);
	/* Those a large run sets otherwise (scale.c), if not given. */
	if (!c->mda && !given(st, OPT_QUERIES))
		c->trace_auto = TA_QUERIES;
	/* -c: rounds of every trace (--live: until interrupted). */
	if (c->count == 0 && !c->live)
		c->count = 1;
	c->retries = 0;
	/* Views of each probe, and hop summaries (-c, --report), count each
	 * target's own probes: not hops another trace named. */
	if (c->stop_set == STOPSET_ON && (c->live || c->mda ||
	    conf_hop_summary(c)))
		usage_error("--stop-set: not with --live, --all-paths, -c or "
		    "--report");
}

/*
 * The terminal views: --live takes stdout's terminal for itself; the
 * progress line goes to stderr, by default only when it is a terminal and
 * the run has an end (-c), and never beside --live.
 */
static void
live_rules(struct cli *st)
{
	struct conf *c = &st->c;

	if (c->live) {
		if (c->format != FMT_TEXT && (given(st, OPT_FORMAT) ||
		    given(st, OPT_CSV) || given(st, OPT_JSON)))
			usage_error("--live shows text: not with --format, "
			    "--csv or --json");
		if (c->alive || c->unreach)
			usage_error("--live shows every target: not with -a "
			    "or -u");
		if (st->progress == 1)
			usage_error("--live and --progress exclude each other");
		if (!isatty(STDOUT_FILENO))
			usage_error("--live needs a terminal on stdout");
		c->progress = 0;
		return;
	}
	if (st->progress == -1)
		c->progress = isatty(STDERR_FILENO) && c->count &&
		    !c->trace ? 2 : 0;
	else
		c->progress = st->progress;
}

/* Interval reports and up / down: what they need. */
static void
monitor_rules(struct cli *st)
{
	struct conf *c = &st->c;

	if (c->cumulative && c->report_every_ns == 0)
		usage_error("--cumulative needs -Q");
	if (c->rtts && c->count == 0)
		usage_error("--rtts needs -c");
	if (c->up_after && c->down_after == 0)
		usage_error("--up-after needs --down-after");
	if (c->down_after && c->up_after == 0)
		c->up_after = 1;
	/* monitor.c keeps an interval's counts in 16 bits. */
	if (monitor_probes_max(c) > 65535)
		usage_error("-Q %g with -p %g ms and -r %u: more than 65,535 "
		    "probes per target in one interval (use a shorter -Q or a "
		    "longer -p)", (double)monitor_every(c) / 1e9,
		    (double)c->period_ns / 1e6, c->retries);
	/* Names kept fresh by default only in a run that has no end. */
	if (!given(st, OPT_RESOLVE_EVERY) && c->count == 0)
		c->resolve_every_ns = 300 * 1000000000LL;
}

/* Every rule between options, in the order their messages come. */
/* --icmp-timestamp: IPv4 ICMP, and the message's size is fixed. */
static void
timestamp_rules(struct cli *st)
{
	struct conf *c = &st->c;

	if (!c->icmp_ts)
		return;
	if (c->method != PM_ICMP)
		usage_error("--icmp-timestamp is ICMP: not with --udp or --tcp");
	if (c->family == AF_INET6)
		usage_error("--icmp-timestamp: ICMP timestamps are IPv4 only");
	if (given(st, 's'))
		usage_error("--icmp-timestamp: a timestamp request has no "
		    "payload to size (-s)");
	c->family = AF_INET;
	c->size = 12;
}

static void
rules(struct cli *st)
{
	struct conf *c = &st->c;
	int rate = given(st, OPT_RATE), interval = given(st, 'i');
	const char *nc;

	/* auto: a terminal, and no NO_COLOR (https://no-color.org). */
	nc = getenv("NO_COLOR");
	c->color = st->color == -1 ? isatty(STDOUT_FILENO) &&
	    (nc == NULL || *nc == '\0') : st->color;
	if (c->format != FMT_TEXT)
		c->color = 0;
	if (rate && interval)
		usage_error("-i and --rate exclude each other");
	if (rate)
		c->interval_ns = (int64_t)(1e9 / (double)st->rate);
	if (given(st, OPT_PORT) && c->method == PM_ICMP)
		usage_error("--port needs --udp or --tcp");
	if (!given(st, OPT_PORT))
		c->port = c->method == PM_TCP ? TCP_PORT_DEFAULT :
		    c->method == PM_UDP ? UDP_PORT_DEFAULT : 0;
	trace_rules(st);
	timestamp_rules(st);
	/* A UDP source port: the ports below 1024 need a privilege that
	 * mping has dropped by the time it binds. */
	if (c->method != PM_ICMP && c->flow > 0 && c->flow < 1024)
		usage_error("--flow: bad value \"%u\": expected 0, or with --%s "
		    "a source port from 1024 to 65535", (unsigned)c->flow,
		    c->method == PM_TCP ? "tcp" : "udp");
	/*
	 * A trace sends a window of probes per target at once anyway (as
	 * traceroute does), and routers rate-limit their ICMP errors per
	 * source however the probes are spaced: 1 ms between probes would
	 * only make small traces slower than tracing one target at a time.
	 */
	if (c->trace && !rate && !interval) {
		c->interval_ns = 100000;
		if (!c->mda)
			c->trace_auto |= TA_INTERVAL;
	}
	live_rules(st);
	monitor_rules(st);
	/* Text has no label to tell the two lists apart; records do. */
	if (c->alive && c->unreach && c->format == FMT_TEXT)
		usage_error("-a and -u exclude each other in text: one list "
		    "would hold both (use --json or --csv)");
}

/* getopt_long's arrays, from the table. */
static void
getopt_arrays(struct option *lo, char *shorts)
{
	size_t i, n = 0;

	for (i = 0; i < NOPTS; i++) {
		if (opts[i].key < OPT_COLOR) {
			*shorts++ = (char)opts[i].key;
			if (opts[i].arg != A_NONE)
				*shorts++ = ':';
		}
		if (opts[i].name == NULL)
			continue;
		lo[n].name = opts[i].name;
		lo[n].has_arg = opts[i].arg == A_NONE ? no_argument :
		    opts[i].optional ? optional_argument : required_argument;
		lo[n].flag = NULL;
		lo[n++].val = opts[i].key;
	}
	*shorts = '\0';
	memset(&lo[n], 0, sizeof(lo[n]));
}

int
cli_parse(int argc, char **argv, struct conf *c, const char ***files,
    int *nfiles)
{
	struct option lo[NOPTS + 1];
	char shorts[2 * NOPTS + 1];
	struct cli st;
	size_t i;
	int ch;

	memset(&st, 0, sizeof(st));
	st.c.ttl = st.c.tos = -1;	/* the kernel's defaults */
	st.color = st.progress = st.trace_opt = st.ping_opt = -1;
	for (i = 0; i < NOPTS; i++)
		if (opts[i].def)
			store(&st, &opts[i], value(&opts[i], opts[i].def),
			    NULL);
	st.files = calloc((size_t)argc, sizeof(*st.files));
	if (st.files == NULL)
		err(EXIT_SYSTEM, "calloc");
	getopt_arrays(lo, shorts);
	opterr = 0;	/* one message of our own, not getopt's */
	while ((ch = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		for (i = 0; i < NOPTS && opts[i].key != ch; i++)
			;
		if (i == NOPTS)
			unknown(argv);
		take(&st, i, optarg);
	}
	rules(&st);
	/* SIGHUP reads the files again: not stdin, not a trace (main.c). */
	for (i = 0; !st.c.trace && i < (size_t)st.nfiles; i++)
		st.c.reload |= strcmp(st.files[i], "-") != 0;
	*c = st.c;
	*files = st.files;
	*nfiles = st.nfiles;
	return optind;
}
