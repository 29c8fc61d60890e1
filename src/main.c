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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "input.h"
#include "loop.h"
#include "ping.h"
#include "priv.h"
#include "resolve.h"

static volatile sig_atomic_t sig_stop, sig_quit, sig_winch;
static int bad_targets, no_socket;
static struct out out;

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
queue_name(void *arg, const char *name, uint32_t order)
{
	(void)arg;
	if (resolver_add(resolver, name, order) == -1)
		errx(EXIT_SYSTEM, "out of memory");
}

/* The ICMP sockets, or why one could not be opened. */
struct sockets {
	struct sock	s4, s6;
	char		e4[512], e6[512];
	int		told4, told6;	/* the error is on stderr already */
};

/*
 * A name that resolved to a family whose socket could not be opened: say
 * why once, and report each such target as not probed (exit 4).
 */
static int
has_socket(struct sockets *so, const char *name, int family)
{
	int v4 = family == AF_INET;
	int *told = v4 ? &so->told4 : &so->told6;

	if ((v4 ? so->s4.fd : so->s6.fd) != -1)
		return 1;
	if (!*told)
		fprintf(stderr, "mping: %s\n", v4 ? so->e4 : so->e6);
	*told = 1;
	no_socket = 1;
	report_bad(NULL, name, v4 ? "not probed: no IPv4 socket" :
	    "not probed: no IPv6 socket");
	return 0;
}

static void
resolved(void *arg, const char *name, uint32_t order,
    const struct sockaddr *sa, const char *error)
{
	if (sa == NULL)
		report_bad(NULL, name, error);
	else if (has_socket(arg, name, sa->sa_family))
		input_address(&input, name, order, sa);
	if (input.nomem)
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

static void
read_inputs(int argc, char **argv, const char **files, int nfiles)
{
	int fd, i;

	for (i = 0; i < argc && !input.stopped; i++)
		input_target(&input, argv[i]);
	for (i = 0; i < nfiles && !input.stopped; i++) {
		/*
		 * O_NONBLOCK: open(2) of a FIFO without a writer would wait
		 * for one with the signals blocked.  Opened this way it does
		 * not, and Linux does not report it readable (nor hung up)
		 * before a first writer came, so input_stop() waits for it.
		 */
		if (strcmp(files[i], "-") == 0)
			fd = STDIN_FILENO;
		else if ((fd = open(files[i], O_RDONLY | O_NONBLOCK |
		    O_CLOEXEC)) == -1) {
			fprintf(stderr, "mping: %s: %s\n", files[i],
			    strerror(errno));
			bad_targets++;
			continue;
		}
		if (input_fd(&input, fd) == -1) {
			fprintf(stderr, "mping: %s: %s\n", files[i],
			    strerror(errno));
			bad_targets++;
		}
		if (fd != STDIN_FILENO)
			close(fd);
	}
	if (argc == 0 && nfiles == 0 && !isatty(STDIN_FILENO))
		input_fd(&input, STDIN_FILENO);
}

static int
exit_status(const struct ping *p)
{
	if (no_socket)
		return EXIT_SYSTEM;
	if (bad_targets)
		return EXIT_BADTARGET;
	return p->answered == p->tg->n ? 0 : EXIT_NOREPLY;
}

/* -u: the targets that never answered, in the order given. */
static void
unreachable_list(struct ping *p)
{
	char nbuf[INET6_ADDRSTRLEN + 8], abuf[INET6_ADDRSTRLEN + 8];
	struct record r;
	uint32_t i, k, *order = targets_in_order(p->tg);

	for (k = 0; k < p->tg->n; k++) {
		i = order ? order[k] : k;
		if (p->tg->t[i].flags & T_ALIVE)
			continue;
		record_clear(&r, REC_UNREACHABLE);
		r.time = real_time();
		r.target = target_name(p->tg, &p->tg->t[i], nbuf,
		    sizeof(nbuf));
		r.addr = target_addr(&p->tg->t[i], abuf, sizeof(abuf));
		out_emit(&out, &r);
	}
	free(order);
}

static void
finish(struct ping *p, int status)
{
	struct record r;

	if (p->tr)
		trace_end(p, sig_stop ? "interrupted" : "deadline");
	else
		ping_summaries(p);
	if (p->c->unreach)
		unreachable_list(p);
	record_clear(&r, REC_END);
	r.time = real_time();
	r.targets = p->tg->n;
	r.answered = p->answered;
	/* Replies the kernel dropped, its receive buffer full (sock.c sizes
	 * it): they count as lost, so say so, after any --live view. */
	r.dropped = (long)sock_drops(&p->s4) + (long)sock_drops(&p->s6);
	r.exit_status = status;
	out_emit(&out, &r);
	out_finish(&out);
	if (out_flush(&out) == -1)
		errx(EXIT_SYSTEM, "write error: %s", strerror(errno));
	if (r.dropped > 0)
		fprintf(stderr, "mping: %ld replies dropped by the kernel: the "
		    "receive buffer was full (raise net.core.rmem_max, see "
		    "mping(1))\n", r.dropped);
}

/* Open each family's socket; the other family's failure is not fatal. */
static void
open_sockets(const struct conf *c, struct sockets *so)
{
	memset(so, 0, sizeof(*so));
	so->s4.fd = so->s6.fd = -1;
	if (c->family != AF_INET6 && sock_open(&so->s4, AF_INET, c, so->e4,
	    sizeof(so->e4)))
		so->s4.fd = -1;
	if (c->family != AF_INET && sock_open(&so->s6, AF_INET6, c, so->e6,
	    sizeof(so->e6)))
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

int
main(int argc, char **argv)
{
	struct conf c;
	struct targets tg;
	struct ping p;
	struct loop *l;
	struct sockets so;
	sigset_t block;
	const char **files;
	int nfiles = 0, rfd, has4 = 0, has6 = 0, status;
	unsigned unfinished;
	uint32_t i;
	struct record r;

	/*
	 * 1. descriptors, 2. root and every capability but the sockets'
	 * gone, 3. options (nothing read, nothing resolved), 4. sockets,
	 * 5. every privilege gone, 6. everything else.
	 */
	std_fds();
	if (priv_limit() == -1)
		err(EXIT_SYSTEM, "cannot drop privileges");
	cli_parse(argc, argv, &c, &files, &nfiles);
	argc -= optind;
	argv += optind;

	/*
	 * Blocked from here on, in every thread and process started later:
	 * they wait, pending, until the loop reads them (loop_signals) and
	 * sets a flag.  SIGWINCH: --live redraws at the new size.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGQUIT);
	sigaddset(&block, SIGWINCH);
	sigprocmask(SIG_BLOCK, &block, NULL);

	open_sockets(&c, &so);
	if (priv_drop() == -1)
		err(EXIT_SYSTEM, "cannot drop privileges");

	if ((l = loop_create()) == NULL ||
	    loop_signals(l, &block, on_signal, NULL) == -1)
		err(EXIT_SYSTEM, "event loop");
	targets_init(&tg, c.max_targets);
	if ((resolver = resolver_create(c.family, resolved, &so)) == NULL)
		err(EXIT_SYSTEM, "resolver");
	input.conf = &c;
	input.tg = &tg;
	input.resolve = queue_name;
	input.bad = report_bad;
	input.stop = input_stop;
	input.stop_arg = l;
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
		fprintf(stderr, sig_stop ? "mping: interrupted before any "
		    "target was read\n" : "mping: no targets (give them as "
		    "arguments, with -f FILE, or on stdin)\n");
		exit(EXIT_USAGE);
	}
	for (i = 0; i < tg.n; i++)
		tg.t[i].family == AF_INET ? (has4 = 1) : (has6 = 1);
	/* Names still resolving may need either family: keep both open. */
	if ((rfd = resolver_start(resolver)) == -2)
		err(EXIT_SYSTEM, "cannot start name lookups");
	if (rfd != -1)
		has4 = has6 = 1;
	if (has4 && so.s4.fd == -1 && (rfd == -1 || so.s6.fd == -1))
		errx(EXIT_SYSTEM, "%s", so.e4);
	if (has6 && so.s6.fd == -1 && (rfd == -1 || so.s4.fd == -1))
		errx(EXIT_SYSTEM, "%s", so.e6);
	if (!has4 && so.s4.fd != -1)
		close(so.s4.fd), so.s4.fd = -1;
	if (!has6 && so.s6.fd != -1)
		close(so.s6.fd), so.s6.fd = -1;
	p.s4 = so.s4;
	p.s6 = so.s6;
	p.res = resolver;
	p.sig_stop = &sig_stop;
	p.sig_quit = &sig_quit;

	record_clear(&r, REC_START);
	r.time = real_time();
	r.targets = tg.n;
	r.conf = &c;
	out_emit(&out, &r);

	if (rfd != -1 && ping_add_resolver(&p, l, rfd) == -1)
		err(EXIT_SYSTEM, "event loop");
	if (c.trace && c.names && trace_start_names(&p, l) == -1)
		err(EXIT_SYSTEM, "--names");
	if (ping_run(&p, l) == -1) {
		if (p.nomem)
			errx(EXIT_SYSTEM, "out of memory");
		if (p.write_error)
			errx(EXIT_SYSTEM, "write error: %s",
			    strerror(p.write_error));
		err(EXIT_SYSTEM, "event loop");
	}
	unfinished = resolver_pending(resolver);
	resolver_abandon(resolver);
	status = resolver_no_fds(resolver) ? EXIT_SYSTEM : exit_status(&p);
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
