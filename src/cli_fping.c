/*
 * cli_fping: fping 5.x's command line -> struct conf, for mping called as
 * fping or fping6.  fping's option letters, long names, defaults, value
 * checks, messages and exit statuses, so that the scripts and monitoring
 * systems that run fping and parse its words see no difference.  Where
 * fping's checks are odd (sscanf's partial numbers, a usage text on
 * stderr for a bad value), they are kept: clients depend on them.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "input.h"
#include "tag.h"

#define FPING_VERSION	"5.2"

/* fping's defaults (its options.h) and limits. */
#define DEF_RETRY	3
#define DEF_TIMEOUT_MS	500
#define DEF_INTERVAL_MS	10
#define DEF_PERIOD_MS	1000
#define DEF_BACKOFF	1.5
#define AUTOTUNE_MAX_MS	2000
#define MAX_PING_DATA	(65536 - 40 - 8)
#define FPING_MAX_GENERATE	100000	/* -g start end: fping 5.x's cap */

/* fping's own usage error: exit 1, as fping does (its man page says 3). */
#define FPING_USAGE	1
/* An fping option this front end does not do yet. */
#define FPING_UNSUPPORTED	EXIT_USAGE

/* Long-only options of fping 5.2 and later; past any letter. */
enum { FO_CHECK_SOURCE = 256, FO_PRINT_TOS, FO_PRINT_TTL, FO_ICMP_TS,
	FO_SEQMAP_TIMEOUT, FO_TS_FORMAT };

static const struct option longopts[] = {
	{ "ipv4", no_argument, NULL, '4' },
	{ "ipv6", no_argument, NULL, '6' },
	{ "alive", no_argument, NULL, 'a' },
	{ "addr", no_argument, NULL, 'A' },
	{ "size", required_argument, NULL, 'b' },
	{ "backoff", required_argument, NULL, 'B' },
	{ "count", required_argument, NULL, 'c' },
	{ "vcount", required_argument, NULL, 'C' },
	{ "rdns", no_argument, NULL, 'd' },
	{ "timestamp", no_argument, NULL, 'D' },
	{ "timestamp-format", required_argument, NULL, FO_TS_FORMAT },
	{ "elapsed", no_argument, NULL, 'e' },
	{ "file", required_argument, NULL, 'f' },
	{ "generate", no_argument, NULL, 'g' },
	{ "help", no_argument, NULL, 'h' },
	{ "ttl", required_argument, NULL, 'H' },
	{ "interval", required_argument, NULL, 'i' },
	{ "iface", required_argument, NULL, 'I' },
	{ "json", no_argument, NULL, 'J' },
	{ "fwmark", required_argument, NULL, 'k' },
	{ "loop", no_argument, NULL, 'l' },
	{ "all", no_argument, NULL, 'm' },
	{ "dontfrag", no_argument, NULL, 'M' },
	{ "name", no_argument, NULL, 'n' },
	{ "netdata", no_argument, NULL, 'N' },
	{ "outage", no_argument, NULL, 'o' },
	{ "tos", required_argument, NULL, 'O' },
	{ "period", required_argument, NULL, 'p' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "squiet", required_argument, NULL, 'Q' },
	{ "retry", required_argument, NULL, 'r' },
	{ "random", no_argument, NULL, 'R' },
	{ "stats", no_argument, NULL, 's' },
	{ "src", required_argument, NULL, 'S' },
	{ "timeout", required_argument, NULL, 't' },
	{ "unreach", no_argument, NULL, 'u' },
	{ "version", no_argument, NULL, 'v' },
	{ "reachable", required_argument, NULL, 'x' },
	{ "fast-reachable", required_argument, NULL, 'X' },
	{ "check-source", no_argument, NULL, FO_CHECK_SOURCE },
	{ "print-tos", no_argument, NULL, FO_PRINT_TOS },
	{ "print-ttl", no_argument, NULL, FO_PRINT_TTL },
	{ "icmp-timestamp", no_argument, NULL, FO_ICMP_TS },
	{ "seqmap-timeout", required_argument, NULL, FO_SEQMAP_TIMEOUT },
	{ NULL, 0, NULL, 0 }
};

/* ':' first: a missing value is told from an unknown option. */
#define SHORTS	":46aAb:B:c:C:dDef:ghH:i:I:Jk:lmMnNoO:p:qQ:r:RsS:t:T:uvx:X:"

/* The parse's state: fping's flags, before they become a conf. */
struct fp {
	struct conf	 c;
	const char	*prog;
	int		 count_flag, timeout_flag, name_flag, rdns_flag;
	int		 size_flag;
	unsigned	 count, retry, size;
	double		 timeout_ms, interval_ms, period_ms, backoff;
	unsigned	 ttl;
	const char	*file;
};

static void __attribute__((noreturn))
usage(const char *prog, int is_error)
{
	FILE *out = is_error ? stderr : stdout;

	fprintf(out, "Usage: %s [options] [targets...]\n\n"
	    "Probing options:\n"
	    "   -4, --ipv4         only ping IPv4 addresses\n"
	    "   -6, --ipv6         only ping IPv6 addresses\n"
	    "   -b, --size=BYTES   amount of ping data to send, in bytes "
	    "(default: 56)\n"
	    "   -B, --backoff=N    set exponential backoff factor to N "
	    "(default: 1.5)\n"
	    "   -c, --count=N      count mode: send N pings to each target "
	    "and report stats\n"
	    "   -f, --file=FILE    read list of targets from a file "
	    "( - means stdin)\n"
	    "   -g, --generate     generate target list (only if no -f "
	    "specified)\n"
	    "                      (give start and end IP in the target list, "
	    "or a CIDR address)\n"
	    "                      (ex. %s -g 192.168.1.0 192.168.1.255 or %s "
	    "-g 192.168.1.0/24)\n", prog, prog, prog);
	fprintf(out,
	    "   -H, --ttl=N        set the IP TTL value (Time To Live hops)\n"
	    "   -i, --interval=MSEC  interval between sending ping packets "
	    "(default: %d ms)\n"
	    "   -I, --iface=IFACE  bind to a particular interface\n"
	    "   -k, --fwmark=FWMARK set the routing mark\n"
	    "   -l, --loop         loop mode: send pings forever\n"
	    "   -m, --all          use all IPs of provided hostnames (e.g. IPv4 "
	    "and IPv6), use with -A\n"
	    "   -M, --dontfrag     set the Don't Fragment flag\n"
	    "   -O, --tos=N        set the type of service (tos) flag on the "
	    "ICMP packets\n"
	    "   -p, --period=MSEC  interval between ping packets to one target "
	    "(in ms)\n"
	    "                      (in loop and count modes, default: %d ms)\n"
	    "   -r, --retry=N      number of retries (default: %d)\n"
	    "   -R, --random       random packet data (to foil link data "
	    "compression)\n"
	    "   -S, --src=IP       set source address\n"
	    "   -t, --timeout=MSEC individual target initial timeout "
	    "(default: %d ms,\n"
	    "                      except with -l/-c/-C, where it's the -p "
	    "period up to 2000 ms)\n\n", DEF_INTERVAL_MS, DEF_PERIOD_MS,
	    DEF_RETRY, DEF_TIMEOUT_MS);
	fprintf(out, "Output options:\n"
	    "   -a, --alive        show targets that are alive\n"
	    "   -A, --addr         show targets by address\n"
	    "   -C, --vcount=N     same as -c, report results (not stats) in "
	    "verbose format\n"
	    "   -d, --rdns         show targets by name (force reverse-DNS "
	    "lookup)\n"
	    "   -D, --timestamp    print timestamp before each output line\n"
	    "   -e, --elapsed      show elapsed time on return packets\n"
	    "   -n, --name         show targets by name (reverse-DNS lookup for "
	    "target IPs)\n"
	    "   -N, --netdata      output compatible for netdata (-l -Q are "
	    "required)\n"
	    "   -o, --outage       show the accumulated outage time (lost "
	    "packets * packet interval)\n"
	    "   -q, --quiet        quiet (don't show per-target/per-ping "
	    "results)\n"
	    "   -Q, --squiet=SECS  same as -q, but add interval summary every "
	    "SECS seconds\n"
	    "   -s, --stats        print final stats\n"
	    "   -u, --unreach      show targets that are unreachable\n"
	    "   -v, --version      show version\n"
	    "   -x, --reachable=N  shows if >=N hosts are reachable or not\n"
	    "   -X, --fast-reachable=N exits true immediately when N hosts are "
	    "found\n");
	exit(is_error);
}

static void __attribute__((noreturn, format(printf, 2, 3)))
fail(const struct fp *st, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", st->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(FPING_USAGE);
}

/* An option fping has that this front end does not do (yet). */
static void __attribute__((noreturn))
unsupported(const struct fp *st, const char *opt)
{
	fprintf(stderr, "%s: %s: not supported by mping's fping front end "
	    "yet\n", st->prog, opt);
	exit(FPING_UNSUPPORTED);
}

static void __attribute__((noreturn))
opt_name(const struct fp *st, const char *arg)
{
	char name[64];

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg, "="), arg);
	unsupported(st, name);
}

/* getopt_long's complaint in fping's (optparse's) words. */
static void __attribute__((noreturn))
bad_option(const struct fp *st, char **argv, int ch)
{
	const char *what = "invalid option";
	char letter[2] = { (char)optopt, '\0' };
	const char *name = letter;

	if (ch == ':')
		what = "option requires an argument";
	if (optopt == 0 || optopt > 255 || (ch == ':' &&
	    strncmp(argv[optind - 1], "--", 2) == 0)) {
		name = argv[optind - 1] + 2;
		name = strndup(name, strcspn(name, "="));
	}
	fprintf(stderr, "%s: %s -- '%s'\n", st->prog, what, name);
	fprintf(stderr, "see 'fping -h' for usage information\n");
	exit(FPING_USAGE);
}

/*
 * sscanf("%f") as fping reads -t, -i, -p, -Q: a number >= 0, or usage.
 * An empty value (EOF) is refused too, as fping 5.2 on refuses it: 5.1
 * goes on with a float it never set.
 */
static double
ms_value(const struct fp *st, const char *arg)
{
	float f = 0;

	if (sscanf(arg, "%f", &f) != 1 || f < 0)
		usage(st->prog, 1);
	return f;
}

/*
 * sscanf("%u") as fping reads -r, -b into its variable: an empty value is
 * EOF, not 0, so fping 5.1 goes on with the value as it was (old).
 */
static unsigned
uns_value(const struct fp *st, const char *arg, unsigned old)
{
	unsigned u = old;

	if (!sscanf(arg, "%u", &u))
		usage(st->prog, 1);
	return u;
}

/*
 * --seqmap-timeout (fping 5.5's strtod_strict): a whole number of ms, not
 * negative, or usage.  mping has no sequence map to time out: checked,
 * then unused.
 */
static void
seqmap_timeout(const struct fp *st, const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || v < 0)
		usage(st->prog, 1);
}

/* --timestamp-format (fping 5.2): -D's form, one of three, or usage. */
static void
ts_format(struct fp *st, const char *arg)
{
	static const char *const names[] = { "ctime", "iso", "rfc3339" };
	int i;

	for (i = 0; i < 3; i++)
		if (strcmp(arg, names[i]) == 0) {
			st->c.fping.ts_format = i + 1;
			return;
		}
	usage(st->prog, 1);
}

/* atoi as fping reads -c, -C, -H: zero is a usage error. */
static unsigned
nonzero(const struct fp *st, const char *arg)
{
	unsigned u = (unsigned)atoi(arg);

	if (u == 0)
		usage(st->prog, 1);
	return u;
}

static void
family(struct fp *st, int fam)
{
	if (st->c.family && st->c.family != fam)
		fail(st, "can't specify both -4 and -6");
	st->c.family = fam;
}

static void
source(struct fp *st, const char *arg)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, arg, a) != 1 && inet_pton(AF_INET6, arg, a) != 1)
		fail(st, "can't parse source address: %s", arg);
	st->c.source = arg;
}

/* --icmp-timestamp: IPv4 only (fping's words), 12 bytes of data. */
static void
icmp_timestamp(struct fp *st)
{
	if (st->c.family && st->c.family != AF_INET)
		fail(st, "ICMP Timestamp is IPv4 only");
	st->c.family = AF_INET;
	st->c.icmp_ts = 1;
	st->size = 12;
}

/* -k as fping 5.2 reads it (atol): zero is a usage error. */
static void
fwmark(struct fp *st, const char *arg)
{
	if ((st->c.fwmark = (unsigned)atol(arg)) == 0)
		usage(st->prog, 1);
}

static void
tos(struct fp *st, const char *arg)
{
	/* An empty value: EOF, and fping sets the TOS it had (0 at first). */
	int v = st->c.tos >= 0 ? st->c.tos : 0;

	if (!sscanf(arg, "%i", &v))
		usage(st->prog, 1);
	st->c.tos = v & 0xff;
}

/* Options that only set a flag or a string. */
static int
take_flag(struct fp *st, int ch, const char *arg)
{
	struct fping_opts *f = &st->c.fping;

	switch (ch) {
	case '4': family(st, AF_INET); break;
	case '6': family(st, AF_INET6); break;
	case 'a': f->alive = 1; break;
	case 'A': f->addr = 1; break;
	case 'D': f->timestamp = 1; break;
	case 'e': f->elapsed = 1; break;
	case 'f': st->file = arg; break;
	case 'g': f->generate = 1; break;
	case 'I': st->c.iface = arg; break;
	case 'l': f->loop = 1; break;
	case 'M': st->c.df = 1; break;
	case 'q': f->quiet = 1; f->verbose = 0; break;
	case 's': f->stats = 1; break;
	case 'S': source(st, arg); break;
	case 'T': break;	/* fping ignores it: select's timeout */
	case 'u': f->unreach = 1; break;
	case 'O': tos(st, arg); break;
	case 'o': f->outage = 1; break;
	case 'm': st->c.all_addresses = 1; break;
	case 'R': st->c.random_data = 1; break;
	case 'k': fwmark(st, arg); break;
	case FO_ICMP_TS: icmp_timestamp(st); break;
	case FO_PRINT_TOS: f->print_tos = 1; break;
	case FO_PRINT_TTL: f->print_ttl = 1; break;
	case 'N': f->netdata = 1; break;
	case 'J': f->json = 1; break;
	case FO_CHECK_SOURCE: f->check_source = 1; break;
	default: return 0;
	}
	return 1;
}

/* Options with a value fping checks; 0: not one of them. */
static int
take_value(struct fp *st, int ch, const char *arg)
{
	switch (ch) {
	case 't': st->timeout_ms = ms_value(st, arg); st->timeout_flag = 1;
		break;
	case 'i': st->interval_ms = ms_value(st, arg); break;
	case 'p': st->period_ms = ms_value(st, arg); break;
	case 'r': st->retry = uns_value(st, arg, st->retry); break;
	case 'b': st->size = uns_value(st, arg, st->size); st->size_flag = 1;
		break;
	case 'H': st->ttl = nonzero(st, arg); break;
	case 'X': st->c.fping.fast_reachable = 1;
		/* FALLTHROUGH */
	case 'x': st->c.fping.min_reachable = nonzero(st, arg); break;
	case FO_SEQMAP_TIMEOUT: seqmap_timeout(st, arg); break;
	case FO_TS_FORMAT: ts_format(st, arg); break;
	case 'Q': st->c.fping.quiet = 1; st->c.fping.verbose = 0;
		st->c.fping.report_ns = (int64_t)(ms_value(st, arg) * 1e9);
		break;
	case 'C': st->c.fping.report_all = 1;
		/* FALLTHROUGH */
	case 'c': st->count = nonzero(st, arg); st->count_flag = 1; break;
	case 'B':
		if ((st->backoff = atof(arg)) == 0)
			usage(st->prog, 1);
		break;
	default: return 0;
	}
	return 1;
}

static void
take(struct fp *st, int ch, const char *arg, char **argv)
{
	char opt[3] = { '-', (char)ch, '\0' };

	if (take_flag(st, ch, arg) || take_value(st, ch, arg))
		return;
	switch (ch) {
	case 'h': usage(st->prog, 0);
	case 'v':
		printf("%s: Version %s\n", st->prog, FPING_VERSION);
		printf("%s: mping's fping front end: fping's command line and "
		    "output, mping's engine\n", st->prog);
		exit(0);
	case 'n': st->name_flag = 1; st->c.fping.rdns = 2; break;
	case 'd': st->rdns_flag = 1; st->c.fping.rdns = 1; break;
	case '?': case ':': bad_option(st, argv, ch);
	}
	if ((ch == 'n' && st->rdns_flag) || (ch == 'd' && st->name_flag))
		fail(st, "use either one of -d or -n");
	if (ch == 'n' || ch == 'd')
		return;
	/* As typed: a long name (without its value), or the letter. */
	if (strncmp(argv[optind - 1], "--", 2) == 0)
		opt_name(st, argv[optind - 1]);
	unsupported(st, opt);
}

/* The checks fping makes after its parse, in its order. */
static void
check(struct fp *st)
{
	struct fping_opts *f = &st->c.fping;

	if (st->ttl > 255)
		fail(st, "ttl %u out of range", st->ttl);
	if (f->unreach && f->alive)
		fail(st, "specify only one of a, u");
	if (st->count_flag && f->loop)
		fail(st, "specify only one of c, l");
	if (f->json && !st->count_flag && !f->loop)
		fail(st, "option -J, --json requires -c, -C, or -l");
	if (st->size > MAX_PING_DATA)
		fail(st, "data size %u not valid, must be lower than %u",
		    st->size, (unsigned)MAX_PING_DATA);
	if (st->backoff > 5.0 || st->backoff < 1.0)
		fail(st, "backoff factor %.1f not valid, must be between 1.0 "
		    "and 5.0", st->backoff);
	if (st->c.icmp_ts && st->size_flag)
		fail(st, "cannot change ICMP Timestamp size");
	/* Our probes carry their keyed tag in the payload (timestamp
	 * requests in their header: method_tstamp.c). */
	if (st->size < PAYLOAD_MIN && !st->c.icmp_ts) {
		fprintf(stderr, "%s: -b %u: mping's probes need at least %d "
		    "bytes of data (its keyed tag)\n", st->prog, st->size,
		    PAYLOAD_MIN);
		exit(FPING_UNSUPPORTED);
	}
}

/* fping's modes: which lines it prints, from its flags (its main()). */
static void
modes(struct fp *st)
{
	struct fping_opts *f = &st->c.fping;

	/* 5.2: -a and -u no longer silence -c's per-reply lines. */
	if (st->count_flag) {
		f->per_recv = f->verbose;
		f->alive = f->unreach = f->verbose = 0;
	}
	if (!st->count_flag && !f->loop)
		f->report_ns = 0;	/* -Q: count and loop modes only */
	if (f->loop) {
		f->per_recv = !f->report_ns;
		f->alive = f->unreach = f->verbose = 0;
	}
	if (f->alive || f->unreach || f->min_reachable)
		f->verbose = 0;
	f->summaries = st->count_flag || f->loop;
}

static int64_t
ms_ns(double ms)
{
	return (int64_t)(ms * 1e6);
}

/* fping's values in mping's terms. */
static void
to_conf(struct fp *st)
{
	struct conf *c = &st->c;
	double tmo = st->timeout_ms;

	/* Count and loop modes: the timeout is -p, up to 2 s (fping #32). */
	if ((st->count_flag || c->fping.loop) && !st->timeout_flag)
		tmo = st->period_ms < AUTOTUNE_MAX_MS ? st->period_ms :
		    AUTOTUNE_MAX_MS;
	c->timeout_ns = tmo > 0 ? ms_ns(tmo) : 1;
	c->interval_ns = ms_ns(st->interval_ms);
	/* -p 0: as fast as -i lets; the engine needs a period above 0. */
	c->period_ns = st->period_ms > 0 ? ms_ns(st->period_ms) : 1000;
	c->size = st->size;
	c->ttl = st->ttl ? (int)st->ttl : -1;
	/* Alive mode: one probe, -r retries; count mode: -c, no retries. */
	c->count = st->count_flag ? st->count : c->fping.loop ? 0 : 1;
	/* mping's limit (fping has none): 100 retries. */
	c->retries = st->count_flag || c->fping.loop ? 0 : st->retry > 100 ?
	    100 : st->retry;
	c->backoff = st->backoff;
	/* fping prints an ICMP error and waits for the timeout anyway. */
	c->error_waits = 1;
	c->max_targets = 16777216;
}

/*
 * One address of -g, read as fping 5.1 reads it (getaddrinfo, numeric
 * only, so "127.1" too): not an address at all is "can't parse address",
 * after "prog" and sep (fping writes ", " for a CIDR block, ": " for a
 * range); an IPv6 one is refused.
 */
static void
check_generate_addr(const struct fp *st, const char *addr, const char *sep)
{
	struct addrinfo hints, *ai;
	int e, family;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST;
	if ((e = getaddrinfo(addr, NULL, &hints, &ai)) != 0) {
		fprintf(stderr, "%s%scan't parse address %s: %s\n", st->prog,
		    sep, addr, gai_strerror(e));
		exit(FPING_USAGE);
	}
	family = ai->ai_family;
	freeaddrinfo(ai);
	if (family != AF_INET)
		fail(st, "-g works only with IPv4 addresses");
}

/* end - start of -g start end, as fping counts it (can be negative). */
static int64_t
generate_span(const char *start, const char *end)
{
	struct in_addr a, b;

	inet_aton(start, &a);
	inet_aton(end, &b);
	return (int64_t)ntohl(b.s_addr) - (int64_t)ntohl(a.s_addr);
}

/*
 * -g start end, or -g CIDR: IPv4 only, as fping.  The targets themselves
 * are made by cli_fping_generate once privileges are gone.
 */
static void
check_generate(const struct fp *st, int argc, char **argv)
{
	const char *slash;
	char addr[64];
	int mask;

	if (argc == 1 && (slash = strchr(argv[0], '/')) != NULL) {
		snprintf(addr, sizeof(addr), "%.*s", (int)(slash - argv[0]),
		    argv[0]);
		check_generate_addr(st, addr, ", ");
		mask = atoi(slash + 1);
		if (mask < 1 || mask > 32)
			fail(st, "netmask must be between 1 and 32 (is: %s)",
			    slash + 1);
		return;
	}
	if (argc != 2)
		usage(st->prog, 1);
	check_generate_addr(st, argv[0], ": ");
	check_generate_addr(st, argv[1], ": ");
	if (generate_span(argv[0], argv[1]) > FPING_MAX_GENERATE)
		fail(st, "-g parameter generates too many addresses");
}

/* Where the targets come from: fping's rules and their usage errors. */
static void
targets(struct fp *st, int argc, char **argv, const char ***files,
    int *nfiles)
{
	int gen = st->c.fping.generate;

	if ((argc && st->file) || (st->file && gen) || (gen && !argc))
		usage(st->prog, 1);
	if (gen)
		check_generate(st, argc, argv);
	*nfiles = 0;
	if ((*files = calloc(1, sizeof(**files))) == NULL) {
		perror("calloc");
		exit(EXIT_SYSTEM);
	}
	if (!argc && !st->file)
		st->file = "-";
	if (!argc)
		(*files)[(*nfiles)++] = st->file;
}

int
cli_fping_parse(int argc, char **argv, struct conf *c, const char ***files,
    int *nfiles)
{
	struct fp st;
	const char *base = strrchr(argv[0], '/');
	int ch;

	memset(&st, 0, sizeof(st));
	st.prog = argv[0];
	st.c.ttl = st.c.tos = -1;
	st.c.format = FMT_FPING;
	st.c.fping.on = 1;
	st.c.fping.verbose = 1;
	st.retry = DEF_RETRY;
	st.size = 56;
	st.timeout_ms = DEF_TIMEOUT_MS;
	st.interval_ms = DEF_INTERVAL_MS;
	st.period_ms = DEF_PERIOD_MS;
	st.backoff = DEF_BACKOFF;
	/* Called as fping6: -6, for fping's old users. */
	if (strncmp(base ? base + 1 : argv[0], "fping6", 6) == 0)
		st.c.family = AF_INET6;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, SHORTS, longopts, NULL)) != -1)
		take(&st, ch, optarg, argv);
	check(&st);
	modes(&st);
	to_conf(&st);
	targets(&st, argc - optind, argv + optind, files, nfiles);
	*c = st.c;
	return optind;
}

/*
 * -n, -d: targets from index from on by their reverse DNS names, looked
 * up one by one as fping does (no name: the address); -n only those given
 * as addresses.  After privileges are gone.
 */
void
cli_fping_names(struct targets *tg, uint32_t from, int rdns)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char host[NI_MAXHOST];
	uint32_t i;

	for (i = from; i < tg->n; i++) {
		if (rdns == 2 && (tg->t[i].flags & T_NAMED))
			continue;
		target_sockaddr(tg, &tg->t[i], &ss, &len);
		if (getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host),
		    NULL, 0, 0) == 0 && target_show_as(tg, &tg->t[i], host))
			return;
	}
}

/* -g's targets: a CIDR block as mping's own (fping's rule for the network
 * and broadcast addresses is mping's), with no cap on its size, as fping;
 * or every address from start to end (checked: at most fping's 100,000
 * more than start). */
void
cli_fping_generate(struct input *in, int argc, char **argv)
{
	struct in_addr a;
	uint32_t start, end;
	char buf[INET_ADDRSTRLEN];

	if (argc == 1) {
		input_target(in, argv[0]);
		return;
	}
	/* inet_aton: what getaddrinfo took in check_generate_addr. */
	inet_aton(argv[0], &a);
	start = ntohl(a.s_addr);
	inet_aton(argv[1], &a);
	end = ntohl(a.s_addr);
	for (; start <= end && !in->nomem && !in->stopped; start++) {
		a.s_addr = htonl(start);
		inet_ntop(AF_INET, &a, buf, sizeof(buf));
		input_target(in, buf);
		if (start == UINT32_MAX)
			break;
	}
}
