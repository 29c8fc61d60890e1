/*
 * mping: the start-up order that matters: descriptors 0-2 open, root and
 * all capabilities but the sockets' gone, options -> struct conf, open
 * the ICMP sockets, drop every privilege, only then read files, parse
 * targets and run.
 */
#include <sys/socket.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "input.h"
#include "loop.h"
#include "method.h"
#include "ping.h"
#include "priv.h"
#include "report.h"
#include "resolve.h"
#include "trace.h"

#define VERSION		"0.1.0"
#define EXIT_NOREPLY	1
#define EXIT_BADTARGET	2
#define EXIT_USAGE	3
#define EXIT_SYSTEM	4

static volatile sig_atomic_t sig_stop, sig_quit, sig_winch;

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

/* One line per option, grouped as in mping(1); tests/hard_output.bats
 * checks that every long option of longopts is here. */
static void
usage(FILE *fp)
{
	fputs(
"usage: mping [options] [target ...]\n"
"       mping --trace [trace options] [options] [target ...]\n"
"Targets: host names, IPv4/IPv6 addresses, CIDR blocks; from -f FILE\n"
"(- is stdin) or from stdin when no target is given.  Times in ms.\n"
"\n"
"Options:\n"
"  -4                     IPv4 only\n"
"  -6                     IPv6 only\n"
"  -a, --alive            print each target once when it first answers;\n"
"                         without -c, end when every target answered\n"
"  -b, --broadcast        allow broadcast and multicast targets\n"
"  -c, --count=N          N probes per target (--trace: N rounds)\n"
"  -D, --timestamp        prefix text lines with [unix time]\n"
"      --df               set Don't Fragment, never fragment locally\n"
"  -f, --file=FILE        read targets from FILE (- is stdin)\n"
"      --format=FMT       text (default), csv or json\n"
"      --csv              same as --format=csv\n"
"      --json             same as --format=json\n"
"  -h, --help             print this help and exit\n"
"  -I, --interface=IF     send through interface IF\n"
"  -i, --interval=MS      at least MS between any two probes (1)\n"
"      --max-targets=N    refuse more than N targets (1048576)\n"
"  -p, --period=MS        MS between probes to one target (1000)\n"
"  -q, --quiet            only the summary\n"
"  -r, --retries=N        resend a timed-out probe N times (0)\n"
"      --rate=PPS         at most PPS probes per second (sets -i)\n"
"  -S, --source=ADDR      send from ADDR\n"
"  -s, --size=BYTES       ICMP payload size (56)\n"
"  -t, --timeout=MS       wait MS for a reply (1000)\n"
"      --tos=N            type of service / traffic class\n"
"      --ttl=N            time to live / hop limit of probes\n"
"  -u, --unreachable      at the end, print each target that never answered\n"
"  -V, --version          print the version and exit\n"
"  -w, --deadline=S       stop after S seconds\n"
"\n"
"Tracing:\n"
"      --trace            trace the route to each target\n"
"      --first-hop=N      first TTL to probe (1)\n"
"      --flow=N           flow number: another path through ECMP (0)\n"
"      --max-hops=N       last TTL to probe (30)\n"
"      --max-timeouts=N   give up after N silent hops in a row (5)\n"
"      --names            show hop names (reverse DNS)\n"
"      --queries=N        probes per hop (3)\n"
"      --window=N         hops probed at once per target (5)\n"
"\n"
"Display:\n"
"      --color[=WHEN]     colour text: auto (default), always, never\n"
"      --live             full-screen view of every target (a terminal)\n"
"      --progress         progress line on stderr from the start\n"
"      --no-progress      never a progress line\n"
"\n"
"See mping(1).\n", fp);
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
	/* Text has no label to tell the two lists apart; records do. */
	if (c->alive && c->unreach && c->format == FMT_TEXT)
		conflict("-a and -u exclude each other in text: one list "
		    "would hold both (use --json or --csv)");
}

/* The loop's signal events: flags the run acts on. */
static void
on_signal(void *arg, int sig)
{
	(void)arg;
	if (sig == SIGQUIT)
		sig_quit = 1;
	else if (sig == SIGWINCH)
		sig_winch = 1;
	else
		sig_stop = 1;
}

/* The sockets of the probe method, or why one could not be opened. */
struct sockets {
	struct sock	s4, s6;
	char		e4[512], e6[512];
	int		told4, told6;	/* the error is on stderr already */
};

/* Everything a run holds; the argument of main's callbacks. */
struct run {
	struct conf		 c;
	const struct method	*m;
	struct targets		 tg;
	struct out		 out;
	struct report		 rep;
	struct engine		 e;
	struct sockets		 so;
	struct resolver		*res;
	struct input		 in;
	struct loop		*l;
	const char		**files;
	int			 nfiles;
	int			 bad_targets, no_socket;
};

/*
 * A name from a file may hold any bytes: show at most 100 of them, and
 * anything but printable ASCII as \xNN, so no escape sequence reaches the
 * terminal.
 */
static void
shown_name(const char *in, char *buf, size_t len)
{
	char head[101];
	size_t n = strnlen(in, sizeof(head) - 1), o;

	memcpy(head, in, n);
	head[n] = '\0';
	o = shown_text(buf, len, head, 1);
	if (in[n] && o + 4 <= len)
		memcpy(buf + o, "...", 4);
}

/* input.bad: on stderr, and as a record once the output is set up. */
static void
bad_target(void *arg, const char *target, const char *reason)
{
	struct run *run = arg;
	char shown[512];

	run->bad_targets++;
	shown_name(target, shown, sizeof(shown));
	fprintf(stderr, "mping: %s: %s\n", shown, reason);
	if (run->out.ops)
		report_bad(&run->rep, shown, reason);
}

static void
queue_name(void *arg, const char *name, uint32_t order)
{
	struct run *run = arg;

	if (resolver_add(run->res, name, order) == -1)
		errx(EXIT_SYSTEM, "out of memory");
}

/*
 * A name that resolved to a family whose socket could not be opened: say
 * why once, and report each such target as not probed (exit 4).
 */
static int
has_socket(struct run *run, const char *name, int family)
{
	struct sockets *so = &run->so;
	int v4 = family == AF_INET;
	int *told = v4 ? &so->told4 : &so->told6;

	if ((v4 ? so->s4.fd : so->s6.fd) != -1)
		return 1;
	if (!*told)
		fprintf(stderr, "mping: %s\n", v4 ? so->e4 : so->e6);
	*told = 1;
	run->no_socket = 1;
	bad_target(run, name, v4 ? "not probed: no IPv4 socket" :
	    "not probed: no IPv6 socket");
	return 0;
}

static void
resolved(void *arg, const char *name, uint32_t order,
    const struct sockaddr *sa, const char *error)
{
	struct run *run = arg;

	if (sa == NULL)
		bad_target(run, name, error);
	else if (has_socket(run, name, sa->sa_family))
		input_address(&run->in, name, order, sa);
	if (run->in.nomem)
		errx(EXIT_SYSTEM, "out of memory");
}

static void
on_input_ready(void *arg, int fd, unsigned what)
{
	(void)fd;
	(void)what;
	*(int *)arg = 1;
}

/*
 * input.stop: while targets are read, the loop has only the signals (and
 * for a wait, the input): fd -1 only looks at them, an fd is waited for.
 * epoll refuses regular files (EPERM): they are always readable.
 */
static int
input_stop(void *arg, int fd)
{
	struct loop *l = arg;
	int ready = 0;

	if (fd == -1 || loop_add(l, fd, on_input_ready, &ready) == -1) {
		loop_poll(l, 0);
		return sig_stop;
	}
	while (!ready && !sig_stop)
		if (loop_poll(l, -1) == -1 && errno != EINTR)
			break;
	loop_del(l, fd);
	return sig_stop;
}

/* One -f file (- is stdin) into targets. */
static void
read_file(struct run *run, const char *file)
{
	int fd;

	/*
	 * O_NONBLOCK: open(2) of a FIFO without a writer would wait for
	 * one with the signals blocked.  Opened this way it does not, and
	 * Linux does not report it readable (nor hung up) before a first
	 * writer came, so input_stop() waits for it.
	 */
	if (strcmp(file, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		fprintf(stderr, "mping: %s: %s\n", file, strerror(errno));
		run->bad_targets++;
		return;
	}
	if (input_fd(&run->in, fd) == -1) {
		fprintf(stderr, "mping: %s: %s\n", file, strerror(errno));
		run->bad_targets++;
	}
	if (fd != STDIN_FILENO)
		close(fd);
}

static void
read_inputs(struct run *run, int argc, char **argv)
{
	int i;

	for (i = 0; i < argc && !run->in.stopped; i++)
		input_target(&run->in, argv[i]);
	for (i = 0; i < run->nfiles && !run->in.stopped; i++)
		read_file(run, run->files[i]);
	if (argc == 0 && run->nfiles == 0 && !isatty(STDIN_FILENO))
		input_fd(&run->in, STDIN_FILENO);
	if (run->in.nomem)
		errx(EXIT_SYSTEM, "out of memory");
	/* Too many targets is refused as a whole: nothing is sent. */
	if (run->in.over_max)
		exit(EXIT_USAGE);
}

static int
exit_status(const struct run *run)
{
	if (resolver_no_fds(run->res) || run->no_socket)
		return EXIT_SYSTEM;
	if (run->bad_targets)
		return EXIT_BADTARGET;
	return run->rep.answered == run->tg.n ? 0 : EXIT_NOREPLY;
}

/* The end of the run: the mode's last records, -u's list, the end. */
static void
finish(struct run *run, int status)
{
	long dropped;

	engine_finish(&run->e);
	if (run->c.unreach)
		report_unreachable(&run->rep);
	/* Replies the kernel dropped, its receive buffer full (sock.c sizes
	 * it): they count as lost, so say so, after any --live view. */
	dropped = (long)sock_drops(&run->e.s4) + (long)sock_drops(&run->e.s6);
	report_end(&run->rep, dropped, status);
	out_finish(&run->out);
	if (out_flush(&run->out) == -1)
		errx(EXIT_SYSTEM, "write error: %s", strerror(errno));
	if (dropped > 0)
		fprintf(stderr, "mping: %ld replies dropped by the kernel: the "
		    "receive buffer was full (raise net.core.rmem_max, see "
		    "mping(1))\n", dropped);
}

/* Open each family's socket; the other family's failure is not fatal. */
static void
open_sockets(struct run *run)
{
	struct sockets *so = &run->so;
	const struct conf *c = &run->c;

	memset(so, 0, sizeof(*so));
	so->s4.fd = so->s6.fd = -1;
	if (c->family != AF_INET6 && run->m->open(&so->s4, AF_INET, c, so->e4,
	    sizeof(so->e4)))
		so->s4.fd = -1;
	if (c->family != AF_INET && run->m->open(&so->s6, AF_INET6, c,
	    so->e6, sizeof(so->e6)))
		so->s6.fd = -1;
}

/*
 * Descriptors 0, 1 and 2 must be open before any socket is: started with
 * stdout closed (>&-), the ICMP socket would become descriptor 1 and the
 * output would be written into it.  A closed one gets /dev/null, as
 * OpenBSD's tools do.  A closed stdout is a write error (exit 4) before
 * anything is sent: the output is what a run is for.
 */
static void
std_fds(void)
{
	int fd, out_closed = 0;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			exit(EXIT_SYSTEM);
		out_closed |= fd == STDOUT_FILENO;
	}
	if (out_closed)
		errx(EXIT_SYSTEM, "write error: %s", strerror(EBADF));
}

/*
 * Blocked from here on, in every thread and process started later: they
 * wait, pending, until the loop reads them (loop_signals) and sets a
 * flag.  SIGWINCH: --live redraws at the new size.
 */
static void
block_signals(sigset_t *block)
{
	sigemptyset(block);
	sigaddset(block, SIGINT);
	sigaddset(block, SIGTERM);
	sigaddset(block, SIGQUIT);
	sigaddset(block, SIGWINCH);
	sigprocmask(SIG_BLOCK, block, NULL);
}

/* The loop, the target table, the resolver, the input and the output. */
static void
set_up(struct run *run, const sigset_t *block)
{
	if ((run->l = loop_create()) == NULL ||
	    loop_signals(run->l, block, on_signal, NULL) == -1)
		err(EXIT_SYSTEM, "event loop");
	targets_init(&run->tg, run->c.max_targets);
	if ((run->res = resolver_create(run->c.family, resolved, run)) == NULL)
		err(EXIT_SYSTEM, "resolver");
	run->in.conf = &run->c;
	run->in.tg = &run->tg;
	run->in.resolve = queue_name;
	run->in.bad = bad_target;
	run->in.arg = run;
	run->in.stop = input_stop;
	run->in.stop_arg = run->l;
	if (input_init(&run->in) == -1)
		err(EXIT_SYSTEM, "local broadcast addresses");
	run->rep.out = &run->out;
	run->rep.tg = &run->tg;
	run->rep.c = &run->c;
	if (engine_init(&run->e, &run->c, &run->tg, &run->rep, run->m) == -1 ||
	    (run->c.trace ? trace_mode(&run->e) : ping_mode(&run->e)) == -1)
		err(EXIT_SYSTEM, "start-up");
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	out_init(&run->out, stdout, &run->c);
	run->out.resized = &sig_winch;
}

/*
 * The sockets the targets need: a family no target has is closed; names
 * still resolving may need either, so both stay open.  Returns the
 * resolver's descriptor, or -1 when no name is left to resolve.
 */
static int
keep_sockets(struct run *run)
{
	struct sockets *so = &run->so;
	int has4 = 0, has6 = 0, rfd;
	uint32_t i;

	for (i = 0; i < run->tg.n; i++)
		run->tg.t[i].family == AF_INET ? (has4 = 1) : (has6 = 1);
	if ((rfd = resolver_start(run->res)) == -2)
		err(EXIT_SYSTEM, "cannot start name lookups");
	if (rfd != -1)
		has4 = has6 = 1;
	if (has4 && so->s4.fd == -1 && (rfd == -1 || so->s6.fd == -1))
		errx(EXIT_SYSTEM, "%s", so->e4);
	if (has6 && so->s6.fd == -1 && (rfd == -1 || so->s4.fd == -1))
		errx(EXIT_SYSTEM, "%s", so->e6);
	if (!has4 && so->s4.fd != -1)
		close(so->s4.fd), so->s4.fd = -1;
	if (!has6 && so->s6.fd != -1)
		close(so->s6.fd), so->s6.fd = -1;
	run->e.s4 = so->s4;
	run->e.s6 = so->s6;
	return rfd;
}

/* The start record, then the engine until the run is over. */
static void
go(struct run *run, int rfd)
{
	struct engine *e = &run->e;

	e->res = run->res;
	e->sig_stop = &sig_stop;
	e->sig_quit = &sig_quit;
	report_start(&run->rep);
	if (rfd != -1 && engine_add_resolver(e, run->l, rfd) == -1)
		err(EXIT_SYSTEM, "event loop");
	if (run->c.trace && run->c.names && trace_names(e, run->l) == -1)
		err(EXIT_SYSTEM, "--names");
	if (engine_run(e, run->l) == -1) {
		if (e->nomem)
			errx(EXIT_SYSTEM, "out of memory");
		if (e->write_error)
			errx(EXIT_SYSTEM, "write error: %s",
			    strerror(e->write_error));
		err(EXIT_SYSTEM, "event loop");
	}
}

/*
 * 1. descriptors, 2. root and every capability but the sockets' gone,
 * 3. options (nothing read, nothing resolved), 4. sockets, 5. every
 * privilege gone, 6. everything else.
 */
int
main(int argc, char **argv)
{
	struct run run;
	sigset_t block;
	unsigned unfinished;
	int rfd, status;

	memset(&run, 0, sizeof(run));
	std_fds();
	if (priv_limit() == -1)
		err(EXIT_SYSTEM, "cannot drop privileges");
	options(argc, argv, &run.c, &run.files, &run.nfiles);
	argc -= optind;
	argv += optind;
	run.m = &method_icmp;
	block_signals(&block);
	open_sockets(&run);
	if (priv_drop() == -1)
		err(EXIT_SYSTEM, "cannot drop privileges");
	set_up(&run, &block);
	read_inputs(&run, argc, argv);
	/* Nothing to do: not an error of a target, so a usage error. */
	if (run.tg.n == 0 && resolver_count(run.res) == 0 &&
	    run.bad_targets == 0) {
		fprintf(stderr, sig_stop ? "mping: interrupted before any "
		    "target was read\n" : "mping: no targets (give them as "
		    "arguments, with -f FILE, or on stdin)\n");
		exit(EXIT_USAGE);
	}
	rfd = keep_sockets(&run);
	go(&run, rfd);
	unfinished = resolver_pending(run.res);
	resolver_abandon(run.res);
	status = exit_status(&run);
	finish(&run, status);
	/* Names glibc may still be resolving keep their requests alive. */
	if (unfinished == 0)
		resolver_free(run.res);
	engine_free(&run.e);
	loop_free(run.l);
	targets_free(&run.tg);
	input_free(&run.in);
	free(run.files);
	return status;
}
