/*
 * mping: options -> struct conf, then the start-up order that matters:
 * open the ICMP sockets, drop every privilege, only then read files,
 * parse targets and run.
 */
#include <sys/socket.h>
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"
#include "loop.h"
#include "ping.h"
#include "priv.h"
#include "resolve.h"

#define VERSION		"0.1.0"
#define EXIT_NOREPLY	1
#define EXIT_BADTARGET	2
#define EXIT_USAGE	3
#define EXIT_SYSTEM	4

static volatile sig_atomic_t sig_stop, sig_quit, sig_winch;
static int bad_targets;
static struct out out;

enum { OPT_COLOR = 255, OPT_RATE = 256, OPT_TTL, OPT_TOS, OPT_DF, OPT_MAXT, OPT_FORMAT,
	OPT_CSV, OPT_JSON, OPT_TRACE, OPT_MAXHOPS, OPT_FIRSTHOP, OPT_QUERIES,
	OPT_MAXTIMEOUTS, OPT_WINDOW, OPT_FLOW, OPT_NAMES, OPT_LIVE, OPT_PROGRESS,
	OPT_NO_PROGRESS };

static const struct option longopts[] = {
	{ "count",	 required_argument, NULL, 'c' },
	{ "deadline",	 required_argument, NULL, 'w' },
	{ "period",	 required_argument, NULL, 'p' },
	{ "interval",	 required_argument, NULL, 'i' },
	{ "rate",	 required_argument, NULL, OPT_RATE },
	{ "timeout",	 required_argument, NULL, 't' },
	{ "retries",	 required_argument, NULL, 'r' },
	{ "size",	 required_argument, NULL, 's' },
	{ "ttl",	 required_argument, NULL, OPT_TTL },
	{ "tos",	 required_argument, NULL, OPT_TOS },
	{ "df",		 no_argument,	    NULL, OPT_DF },
	{ "source",	 required_argument, NULL, 'S' },
	{ "interface",	 required_argument, NULL, 'I' },
	{ "file",	 required_argument, NULL, 'f' },
	{ "broadcast",	 no_argument,	    NULL, 'b' },
	{ "max-targets", required_argument, NULL, OPT_MAXT },
	{ "quiet",	 no_argument,	    NULL, 'q' },
	{ "alive",	 no_argument,	    NULL, 'a' },
	{ "unreachable", no_argument,	    NULL, 'u' },
	{ "timestamp",	 no_argument,	    NULL, 'D' },
	{ "format",	 required_argument, NULL, OPT_FORMAT },
	{ "csv",	 no_argument,	    NULL, OPT_CSV },
	{ "json",	 no_argument,	    NULL, OPT_JSON },
	{ "color",	 optional_argument, NULL, OPT_COLOR },
	{ "trace",	 no_argument,	    NULL, OPT_TRACE },
	{ "max-hops",	 required_argument, NULL, OPT_MAXHOPS },
	{ "first-hop",	 required_argument, NULL, OPT_FIRSTHOP },
	{ "queries",	 required_argument, NULL, OPT_QUERIES },
	{ "max-timeouts", required_argument, NULL, OPT_MAXTIMEOUTS },
	{ "window",	 required_argument, NULL, OPT_WINDOW },
	{ "flow",	 required_argument, NULL, OPT_FLOW },
	{ "names",	 no_argument,	    NULL, OPT_NAMES },
	{ "live",	 no_argument,	    NULL, OPT_LIVE },
	{ "progress",	 no_argument,	    NULL, OPT_PROGRESS },
	{ "no-progress", no_argument,	    NULL, OPT_NO_PROGRESS },
	{ "help",	 no_argument,	    NULL, 'h' },
	{ "version",	 no_argument,	    NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: mping [-46abDquV] [-c count] [-w deadline] [-p period_ms]\n"
"             [-i interval_ms | --rate pps] [-t timeout_ms] [-r retries]\n"
"             [-s size] [--ttl n] [--tos n] [--df] [-S source] [-I iface]\n"
"             [-f file] [--max-targets n] [--format text|csv|json]\n"
"             [--csv] [--json] [--color[=when]] [--live]\n"
"             [--progress | --no-progress] [target ...]\n"
"       mping --trace [--max-hops n] [--first-hop n] [--queries n]\n"
"             [--max-timeouts n] [--window n] [--flow n] [--names]\n"
"             [other options as above] [target ...]\n"
"Targets: host names, IPv4/IPv6 addresses, CIDR blocks; from -f FILE\n"
"(- is stdin) or from stdin when no target is given.  See mping(1).\n");
}

static void __attribute__((noreturn))
bad_value(const char *opt, const char *val, const char *expect)
{
	fprintf(stderr, "mping: %s: bad value \"%s\": expected %s\n", opt,
	    val, expect);
	exit(EXIT_USAGE);
}

/* Whole numbers only: no sign, no exponent, no trailing junk. */
static unsigned long long
num(const char *opt, const char *s, unsigned long long min,
    unsigned long long max)
{
	unsigned long long v;
	char expect[96], *end;

	snprintf(expect, sizeof(expect), "a whole number from %llu to %llu",
	    min, max);
	if (*s < '0' || *s > '9')
		bad_value(opt, s, expect);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno || v < min || v > max)
		bad_value(opt, s, expect);
	return v;
}

/* Milliseconds, maybe with a fraction ("0.5"); returns nanoseconds. */
static int64_t
ms(const char *opt, const char *s, double min, double max)
{
	char expect[96], *end;
	const char *p;
	double v;

	snprintf(expect, sizeof(expect), "milliseconds from %g to %g", min,
	    max);
	for (p = s; (*p >= '0' && *p <= '9') || *p == '.'; p++)
		;
	if (*s == '\0' || *p || *s == '.')
		bad_value(opt, s, expect);
	v = strtod(s, &end);
	if (*end || v < min || v > max)
		bad_value(opt, s, expect);
	return (int64_t)(v * 1e6 + 0.5);
}

static void
set_format(struct conf *c, enum out_format f, int *seen)
{
	if (*seen && c->format != f) {
		fprintf(stderr, "mping: conflicting output formats\n");
		exit(EXIT_USAGE);
	}
	*seen = 1;
	c->format = f;
}

/*
 * --trace: its own defaults, and the ping options that mean nothing for
 * a trace are refused rather than silently ignored.
 */
static void
trace_options(struct conf *c, const char *trace_opt, const char *ping_opt)
{
	if (!c->trace) {
		if (trace_opt) {
			fprintf(stderr, "mping: %s needs --trace\n", trace_opt);
			exit(EXIT_USAGE);
		}
		return;
	}
	if (ping_opt) {
		fprintf(stderr, "mping: %s: not an option of --trace\n",
		    ping_opt);
		exit(EXIT_USAGE);
	}
	if (c->max_hops == 0)
		c->max_hops = 30;
	if (c->first_hop == 0)
		c->first_hop = 1;
	if (c->queries == 0)
		c->queries = 3;
	if (c->max_timeouts == 0)
		c->max_timeouts = 5;
	if (c->window == 0)
		c->window = 5;
	if (c->first_hop > c->max_hops) {
		fprintf(stderr, "mping: --first-hop %d is beyond --max-hops "
		    "%d\n", c->first_hop, c->max_hops);
		exit(EXIT_USAGE);
	}
	/* -c: rounds of every trace (--live: until interrupted). */
	if (c->count == 0 && !c->live)
		c->count = 1;
	c->retries = 0;
}

static void __attribute__((noreturn))
conflict(const char *what)
{
	fprintf(stderr, "mping: %s\n", what);
	exit(EXIT_USAGE);
}

/*
 * The terminal views: --live takes stdout's terminal for itself; the
 * progress line goes to stderr, by default only when it is a terminal and
 * the run has an end (-c), and never beside --live.
 */
static void
live_options(struct conf *c, int fmt_seen, int progress)
{
	if (c->live) {
		if (fmt_seen && c->format != FMT_TEXT)
			conflict("--live shows text: not with --format, --csv "
			    "or --json");
		if (c->alive || c->unreach)
			conflict("--live shows every target: not with -a or "
			    "-u");
		if (progress == 1)
			conflict("--live and --progress exclude each other");
		if (!isatty(STDOUT_FILENO))
			conflict("--live needs a terminal on stdout");
		c->progress = 0;
		return;
	}
	if (progress == -1)
		c->progress = isatty(STDERR_FILENO) && c->count &&
		    !c->trace ? 2 : 0;
	else
		c->progress = progress;
}

static void
options(int argc, char **argv, struct conf *c, const char ***files,
    int *nfiles)
{
	int ch, fmt_seen = 0, rate = 0, interval = 0, color = -1;
	const char *nc, *trace_opt = NULL, *ping_opt = NULL;
	int progress = -1;
	unsigned long long v;

	memset(c, 0, sizeof(*c));
	c->period_ns = 1000 * 1000000LL;
	c->interval_ns = 1000000;
	c->timeout_ns = 1000 * 1000000LL;
	c->size = 56;
	c->ttl = c->tos = -1;
	c->max_targets = 1048576;
	*files = calloc((size_t)argc, sizeof(**files));
	if (*files == NULL)
		err(EXIT_SYSTEM, "calloc");
	opterr = 0;	/* one message of our own, not getopt's */
	while ((ch = getopt_long(argc, argv, "46abc:Df:hI:i:p:qr:S:s:t:uVw:",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case '4':
		case '6':
			if (c->family && c->family != (ch == '4' ? AF_INET :
			    AF_INET6)) {
				fprintf(stderr, "mping: -4 and -6 exclude "
				    "each other\n");
				exit(EXIT_USAGE);
			}
			c->family = ch == '4' ? AF_INET : AF_INET6;
			break;
		case 'a': c->alive = 1; ping_opt = "-a"; break;
		case 'b': c->broadcast = 1; ping_opt = "-b"; break;
		case 'c':
			c->count = (uint32_t)num("-c", optarg, 1, 4294967295u);
			break;
		case 'D': c->timestamp = 1; break;
		case 'f': (*files)[(*nfiles)++] = optarg; break;
		case 'h': usage(stdout); exit(0);
		case 'I': c->iface = optarg; break;
		case 'i':
			c->interval_ns = ms("-i", optarg, 0, 60000);
			interval = 1;
			break;
		case 'p':
			c->period_ns = ms("-p", optarg, 1, 86400000);
			break;
		case 'q': c->quiet = 1; break;
		case 'r': c->retries = (unsigned)num("-r", optarg, 0, 100);
			ping_opt = "-r";
			break;
		case 'S': c->source = optarg; break;
		case 's': c->size = (size_t)num("-s", optarg, PAYLOAD_MIN,
			    65507);
			break;
		case 't': c->timeout_ns = ms("-t", optarg, 1, 3600000); break;
		case 'u': c->unreach = 1; ping_opt = "-u"; break;
		case 'V': printf("mping %s\n", VERSION); exit(0);
		case 'w':
			c->deadline_ns = (int64_t)num("-w", optarg, 1,
			    31536000) * 1000000000LL;
			break;
		case OPT_RATE:
			v = num("--rate", optarg, 1, 10000000);
			c->interval_ns = (int64_t)(1e9 / (double)v);
			rate = 1;
			break;
		case OPT_TTL:
			c->ttl = (int)num("--ttl", optarg, 1, 255);
			ping_opt = "--ttl";
			break;
		case OPT_TOS: c->tos = (int)num("--tos", optarg, 0, 255); break;
		case OPT_DF: c->df = 1; break;
		case OPT_MAXT:
			c->max_targets = (uint32_t)num("--max-targets", optarg,
			    1, 16777216);
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				set_format(c, FMT_TEXT, &fmt_seen);
			else if (strcmp(optarg, "csv") == 0)
				set_format(c, FMT_CSV, &fmt_seen);
			else if (strcmp(optarg, "json") == 0)
				set_format(c, FMT_JSON, &fmt_seen);
			else
				bad_value("--format", optarg,
				    "text, csv or json");
			break;
		case OPT_COLOR:
			/* Like ls(1): a bare --color means always. */
			if (optarg == NULL || strcmp(optarg, "always") == 0)
				color = 1;
			else if (strcmp(optarg, "never") == 0)
				color = 0;
			else if (strcmp(optarg, "auto") == 0)
				color = -1;
			else
				bad_value("--color", optarg,
				    "auto, always or never");
			break;
		case OPT_TRACE: c->trace = 1; break;
		case OPT_MAXHOPS:
			c->max_hops = (int)num("--max-hops", optarg, 1, 255);
			trace_opt = "--max-hops";
			break;
		case OPT_FIRSTHOP:
			c->first_hop = (int)num("--first-hop", optarg, 1, 255);
			trace_opt = "--first-hop";
			break;
		case OPT_QUERIES:
			c->queries = (int)num("--queries", optarg, 1,
			    TRACE_MAX_QUERIES);
			trace_opt = "--queries";
			break;
		case OPT_MAXTIMEOUTS:
			c->max_timeouts = (int)num("--max-timeouts", optarg, 1,
			    255);
			trace_opt = "--max-timeouts";
			break;
		case OPT_WINDOW:
			c->window = (int)num("--window", optarg, 1, 255);
			trace_opt = "--window";
			break;
		case OPT_FLOW:
			c->flow = (uint16_t)num("--flow", optarg, 0, 65535);
			trace_opt = "--flow";
			break;
		case OPT_NAMES: c->names = 1; trace_opt = "--names"; break;
		case OPT_LIVE: c->live = 1; break;
		case OPT_PROGRESS: progress = 1; ping_opt = "--progress"; break;
		case OPT_NO_PROGRESS: progress = 0; break;
		case OPT_CSV: set_format(c, FMT_CSV, &fmt_seen); break;
		case OPT_JSON: set_format(c, FMT_JSON, &fmt_seen); break;
		default:
			if (optopt)
				fprintf(stderr, "mping: -%c: unknown option or "
				    "missing value (see mping --help)\n", optopt);
			else
				fprintf(stderr, "mping: %s: unknown option or "
				    "missing value (see mping --help)\n",
				    argv[optind - 1]);
			exit(EXIT_USAGE);
		}
	}
	/* auto: a terminal, and no NO_COLOR (https://no-color.org). */
	nc = getenv("NO_COLOR");
	c->color = color == -1 ? isatty(STDOUT_FILENO) &&
	    (nc == NULL || *nc == '\0') : color;
	if (c->format != FMT_TEXT)
		c->color = 0;
	if (rate && interval) {
		fprintf(stderr, "mping: -i and --rate exclude each other\n");
		exit(EXIT_USAGE);
	}
	trace_options(c, trace_opt, ping_opt);
	/*
	 * A trace sends a window of probes per target at once anyway (as
	 * traceroute does), and routers rate-limit their ICMP errors per
	 * source however the probes are spaced: 1 ms between probes would
	 * only make small traces slower than tracing one target at a time.
	 */
	if (c->trace && !rate && !interval)
		c->interval_ns = 100000;
	live_options(c, fmt_seen, progress);
}

static void
on_signal(int sig)
{
	if (sig == SIGQUIT)
		sig_quit = 1;
	else if (sig == SIGWINCH)
		sig_winch = 1;
	else
		sig_stop = 1;
}

/*
 * A name from a file may hold any bytes: show at most 100 of them, and
 * anything but printable ASCII as \xNN, so no escape sequence reaches the
 * terminal.
 */
static void
shown_name(const char *in, char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0, n;

	for (n = 0; p[n] && n < 100 && o + 5 < len; n++) {
		if (p[n] >= 0x20 && p[n] < 0x7f)
			buf[o++] = (char)p[n];
		else
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", p[n]);
	}
	if (p[n] && o + 4 < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

static void
report_bad(void *arg, const char *target, const char *reason)
{
	struct record r;
	char shown[512];

	(void)arg;
	bad_targets++;
	shown_name(target, shown, sizeof(shown));
	fprintf(stderr, "mping: %s: %s\n", shown, reason);
	if (out.ops) {
		record_clear(&r, REC_BAD_TARGET);
		r.time = real_time();
		r.target = shown;
		r.reason = reason;
		out_emit(&out, &r);
	}
}

static struct resolver *resolver;
static struct input input;

static void
queue_name(void *arg, const char *name)
{
	(void)arg;
	if (resolver_add(resolver, name) == -1)
		errx(EXIT_SYSTEM, "out of memory");
}

static void
resolved(void *arg, const char *name, const struct sockaddr *sa,
    const char *error)
{
	(void)arg;
	if (sa == NULL)
		report_bad(NULL, name, error);
	else
		input_address(&input, name, sa);
	if (input.nomem)
		errx(EXIT_SYSTEM, "out of memory");
}

static void
read_inputs(int argc, char **argv, const char **files, int nfiles)
{
	FILE *fp;
	int i;

	for (i = 0; i < argc; i++)
		input_target(&input, argv[i]);
	for (i = 0; i < nfiles; i++) {
		if (strcmp(files[i], "-") == 0)
			fp = stdin;
		else if ((fp = fopen(files[i], "r")) == NULL) {
			fprintf(stderr, "mping: %s: %s\n", files[i],
			    strerror(errno));
			bad_targets++;
			continue;
		}
		if (input_file(&input, fp) == -1) {
			fprintf(stderr, "mping: %s: %s\n", files[i],
			    strerror(errno));
			bad_targets++;
		}
		if (fp != stdin)
			fclose(fp);
	}
	if (argc == 0 && nfiles == 0 && !isatty(STDIN_FILENO))
		input_file(&input, stdin);
}

static int
exit_status(const struct ping *p)
{
	if (bad_targets)
		return EXIT_BADTARGET;
	return p->answered == p->tg->n ? 0 : EXIT_NOREPLY;
}

static void
finish(struct ping *p, int status)
{
	char nbuf[INET6_ADDRSTRLEN + 8], abuf[INET6_ADDRSTRLEN + 8];
	struct record r;
	uint32_t i;

	if (p->tr)
		trace_end(p, sig_stop ? "interrupted" : "deadline");
	else
		ping_summaries(p);
	if (p->c->unreach)
		for (i = 0; i < p->tg->n; i++) {
			if (p->tg->t[i].flags & T_ALIVE)
				continue;
			record_clear(&r, REC_UNREACHABLE);
			r.target = target_name(p->tg, &p->tg->t[i], nbuf,
			    sizeof(nbuf));
			r.addr = target_addr(&p->tg->t[i], abuf, sizeof(abuf));
			out_emit(&out, &r);
		}
	record_clear(&r, REC_END);
	r.time = real_time();
	r.targets = p->tg->n;
	r.answered = p->answered;
	r.exit_status = status;
	out_emit(&out, &r);
	out_finish(&out);
	if (out_flush(&out) == -1)
		errx(EXIT_SYSTEM, "write error: %s", strerror(errno));
}

/* Open each family's socket; the other family's failure is not fatal. */
static void
open_sockets(const struct conf *c, struct sock *s4, struct sock *s6,
    char *e4, char *e6, size_t elen)
{
	s4->fd = s6->fd = -1;
	if (c->family != AF_INET6 && sock_open(s4, AF_INET, c, e4, elen))
		s4->fd = -1;
	if (c->family != AF_INET && sock_open(s6, AF_INET6, c, e6, elen))
		s6->fd = -1;
}

int
main(int argc, char **argv)
{
	struct conf c;
	struct targets tg;
	struct ping p;
	struct loop *l;
	struct sigaction sa;
	struct sock s4, s6;
	sigset_t block, waitmask;
	const char **files;
	char e4[512] = "", e6[512] = "";
	int nfiles = 0, rfd, has4 = 0, has6 = 0, status;
	unsigned unfinished;
	uint32_t i;
	struct record r;

	options(argc, argv, &c, &files, &nfiles);
	argc -= optind;
	argv += optind;

	/* Signals only set flags; they are delivered while the loop waits. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGQUIT);
	sigaddset(&block, SIGWINCH);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);	/* --live: redraw at the new size */

	/* 1. sockets, 2. privileges gone, 3. everything else. */
	open_sockets(&c, &s4, &s6, e4, e6, sizeof(e4));
	if (priv_drop() == -1)
		err(EXIT_SYSTEM, "cannot drop privileges");

	targets_init(&tg, c.max_targets);
	if ((resolver = resolver_create(c.family, resolved, NULL)) == NULL)
		err(EXIT_SYSTEM, "resolver");
	input.conf = &c;
	input.tg = &tg;
	input.resolve = queue_name;
	input.bad = report_bad;
	if (input_init(&input) == -1)
		err(EXIT_SYSTEM, "local broadcast addresses");
	if (ping_init(&p, &c, &tg, &out) == -1)
		err(EXIT_SYSTEM, "start-up");
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	out_init(&out, stdout, &c);
	out.resized = &sig_winch;
	read_inputs(argc, argv, files, nfiles);
	if (input.nomem)
		errx(EXIT_SYSTEM, "out of memory");
	/* Too many targets is refused as a whole: nothing is sent. */
	if (input.over_max)
		exit(EXIT_USAGE);
	/* Nothing to do: not an error of a target, so a usage error. */
	if (tg.n == 0 && resolver_count(resolver) == 0 && bad_targets == 0) {
		fprintf(stderr, "mping: no targets (give them as arguments, "
		    "with -f FILE, or on stdin)\n");
		exit(EXIT_USAGE);
	}
	for (i = 0; i < tg.n; i++)
		tg.t[i].family == AF_INET ? (has4 = 1) : (has6 = 1);
	/* Names still resolving may need either family: keep both open. */
	if ((rfd = resolver_start(resolver)) == -2)
		err(EXIT_SYSTEM, "cannot start name lookups");
	if (rfd != -1)
		has4 = has6 = 1;
	if (has4 && s4.fd == -1 && (rfd == -1 || s6.fd == -1))
		errx(EXIT_SYSTEM, "%s", e4);
	if (has6 && s6.fd == -1 && (rfd == -1 || s4.fd == -1))
		errx(EXIT_SYSTEM, "%s", e6);
	if (!has4 && s4.fd != -1)
		close(s4.fd), s4.fd = -1;
	if (!has6 && s6.fd != -1)
		close(s6.fd), s6.fd = -1;
	p.s4 = s4;
	p.s6 = s6;
	p.res = resolver;
	p.sig_stop = &sig_stop;
	p.sig_quit = &sig_quit;

	record_clear(&r, REC_START);
	r.time = real_time();
	r.targets = tg.n;
	r.conf = &c;
	out_emit(&out, &r);

	if ((l = loop_create()) == NULL)
		err(EXIT_SYSTEM, "event loop");
	if (rfd != -1 && ping_add_resolver(&p, l, rfd) == -1)
		err(EXIT_SYSTEM, "event loop");
	if (c.trace && c.names && trace_start_names(&p, l) == -1)
		err(EXIT_SYSTEM, "--names");
	if (ping_run(&p, l, &waitmask) == -1) {
		if (p.write_error)
			errx(EXIT_SYSTEM, "write error: %s",
			    strerror(p.write_error));
		err(EXIT_SYSTEM, "event loop");
	}
	unfinished = resolver_pending(resolver);
	resolver_abandon(resolver);
	status = exit_status(&p);
	finish(&p, status);
	/* Names glibc may still be resolving keep their requests alive. */
	if (unfinished == 0)
		resolver_free(resolver);
	ping_free(&p);
	loop_free(l);
	targets_free(&tg);
	input_free(&input);
	free(files);
	return status;
}
