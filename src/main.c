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
#include "engine.h"
#include "feed.h"
#include "input.h"
#include "loop.h"
#include "mda.h"
#include "method.h"
#include "ping.h"
#include "priv.h"
#include "reload.h"
#include "report.h"
#include "resolve.h"
#include "scale.h"
#include "trace.h"
#include "watch.h"

static volatile sig_atomic_t sig_stop, sig_quit, sig_winch, sig_hup;

/* The loop's signal events: flags the run acts on. */
static void
on_signal(void *arg, int sig)
{
	(void)arg;
	if (sig == SIGQUIT)
		sig_quit = 1;
	else if (sig == SIGWINCH)
		sig_winch = 1;
	else if (sig == SIGHUP)
		sig_hup = 1;
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
	struct reload		 rl;		/* names again, SIGHUP */
	struct feed		 feed;		/* targets read as the run goes */
	int			 feeding;	/* input left after the first */
	int			 rfd;		/* the resolver's, in the loop */
	long			 name_width;	/* of the names resolving */
	struct loop		*l;
	const char		**files;
	int			 nfiles;
	int			 bad_targets, no_socket;
	int			 unresolved;	/* of bad_targets: names kept
						   in the run to resolve later */
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
	/* fping's formatter says it in fping's words. */
	if (!run->c.fping.on || !run->out.ops)
		fprintf(stderr, "mping: %s: %s\n", shown, reason);
	if (run->out.ops)
		report_bad(&run->rep, shown, reason);
}

static int
queue_name(void *arg, const char *name, uint32_t order)
{
	struct run *run = arg;
	long n = (long)strlen(name);

	if (n > run->name_width)
		run->name_width = n;
	/* SIGHUP's reading: a name in the run already stays as it is. */
	if (reload_reading(&run->rl) && reload_known_name(&run->rl, name))
		return 0;
	if (resolver_add(run->res, name, order) == -1)
		errx(EXIT_SYSTEM, "out of memory");
	return 1;
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

	uint32_t n = run->tg.n;
	int64_t i = 0;

	if (sa == NULL) {
		bad_target(run, name, error);
		/* It stays in the run, its summary says why (not for fping,
		 * which leaves it out; a trace has no verdict for it). */
		if (!run->c.fping.on && !run->c.trace && (i =
		    targets_add_unresolved(&run->tg, name, error)) >= 0)
			i = targets_set_order(&run->tg, (uint32_t)i, order) ?
			    TARGET_NOMEM : i;
		if (i == TARGET_NOMEM)
			run->in.nomem = 1;
		else if (i >= 0 && !run->c.fping.on && !run->c.trace)
			run->unresolved++;
	} else if (has_socket(run, name, sa->sa_family))
		input_address(&run->in, name, order, sa);
	if (run->c.fping.rdns == 1)
		cli_fping_names(&run->tg, n, 1);
	if (run->in.nomem)
		errx(EXIT_SYSTEM, "out of memory");
}

/* A name resolved again (--resolve-every). */
static void
again(void *arg, const char *name, uint32_t target,
    const struct sockaddr *sa, const char *error)
{
	struct run *run = arg;

	reload_resolved(&run->rl, name, target, sa, error);
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

/* A -f file that could not be opened or read (errno): a bad target. */
static void
file_failed(void *arg, const char *file)
{
	struct run *run = arg;

	fprintf(stderr, "mping: %s: %s\n", file, strerror(errno));
	run->bad_targets++;
}

/* A -f file (- is stdin) opened for reading: its fd, or -1 (said). */
static int
open_file(void *arg, const char *file)
{
	struct run *run = arg;
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
		if (run->c.fping.on)
			errx(EXIT_SYSTEM, "fopen : %s", strerror(errno));
		file_failed(run, file);
	}
	return fd;
}

/* One -f file (- is stdin) into targets. */
static void
read_file(struct run *run, const char *file)
{
	int fd;

	if ((fd = open_file(run, file)) == -1)
		return;
	if (input_fd(&run->in, fd) == -1)
		file_failed(run, file);
	if (fd != STDIN_FILENO)
		close(fd);
}

/* SIGHUP: every -f FILE again (not stdin: it was read to its end). */
static void
read_files_again(void *arg)
{
	struct run *run = arg;
	int i;

	for (i = 0; i < run->nfiles && !run->in.stopped; i++)
		if (strcmp(run->files[i], "-") != 0)
			read_file(run, run->files[i]);
}

/* Out of memory, or too many targets, before the run: the end. */
static void
input_checked(const struct run *run)
{
	if (run->in.nomem)
		errx(EXIT_SYSTEM, "out of memory");
	/* Too many targets is refused as a whole: nothing is sent. */
	if (run->in.over_max)
		exit(EXIT_USAGE);
}

/* Every target before the run (called as fping). */
static void
read_all(struct run *run, int argc, char **argv)
{
	int i;

	if (run->c.fping.generate)
		cli_fping_generate(&run->in, argc, argv);
	for (i = 0; i < argc && !run->in.stopped && !run->c.fping.generate;
	    i++)
		input_target(&run->in, argv[i]);
	for (i = 0; i < run->nfiles && !run->in.stopped; i++)
		read_file(run, run->files[i]);
	if (argc == 0 && run->nfiles == 0 && !isatty(STDIN_FILENO))
		input_fd(&run->in, STDIN_FILENO);
	if (run->c.fping.rdns)
		cli_fping_names(&run->tg, 0, run->c.fping.rdns);
	input_checked(run);
}

/*
 * The targets, the first chunk of them (what comes first in the input),
 * the rest as the run goes (feed.c).  fping resolves every name before
 * its first probe and pads its columns to the widest target: called as
 * fping, everything is read first.
 */
static void
read_inputs(struct run *run, int argc, char **argv)
{
	struct feed *f = &run->feed;

	if (run->c.fping.on) {
		read_all(run, argc, argv);
		return;
	}
	f->in = &run->in;
	f->argv = argv;
	f->argc = argc;
	f->files = run->files;
	f->nfiles = run->nfiles;
	f->std_in = argc == 0 && run->nfiles == 0 && !isatty(STDIN_FILENO);
	f->open = open_file;
	f->failed = file_failed;
	f->arg = run;
	run->feeding = feed_first(f);
	input_checked(run);
}

/*
 * Bad targets at the end: a name kept in the run that resolved since (a
 * later lookup, --resolve-every) is one no more, its replies speak for
 * it; one still without an address stays bad (exit 2, as fping's
 * unresolvable name).  Those a reload removed do not count.
 */
static int
bad_targets(const struct run *run)
{
	uint32_t i, still = 0;

	if (run->unresolved == 0)
		return run->bad_targets;
	for (i = 0; i < run->tg.n; i++)
		still += run->tg.t[i].family == 0 &&
		    !(run->tg.t[i].flags & T_GONE);
	return run->bad_targets - run->unresolved + (int)still;
}

static int
exit_status(const struct run *run)
{
	/* fping -x: enough targets answered, or not: nothing else counts. */
	if (run->c.fping.min_reachable)
		return run->rep.answered >= run->c.fping.min_reachable ? 0 :
		    EXIT_NOREPLY;
	/* A file went past --max-targets as the run went (feed.c). */
	if (run->in.over_max)
		return EXIT_USAGE;
	if (resolver_no_fds(run->res) || run->no_socket)
		return EXIT_SYSTEM;
	if (bad_targets(run))
		return EXIT_BADTARGET;
	/* The targets still in the run: not those a reload removed. */
	return run->rep.answered == targets_live(&run->tg) ? 0 :
	    EXIT_NOREPLY;
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

/* No socket for a family the targets need: exit 4, saying why (called as
 * fping, in fping's words, which scripts match). */
static void __attribute__((noreturn))
no_socket(const struct run *run, const char *why)
{
	const char *e = strstr(why, ": ");

	/* sock_bind's "source ADDR: strerror": fping's -S bind error. */
	if (run->c.fping.on && run->c.source && e &&
	    strncmp(why, "source ", 7) == 0 && strstr(why, ": not an ") == NULL)
		errx(EXIT_SYSTEM, "cannot bind source address : %s", e + 2);
	if (run->c.fping.on)
		errx(EXIT_SYSTEM, "can't create socket (must run as root?)");
	errx(EXIT_SYSTEM, "%s", why);
}

static int
no_privilege(int err)
{
	return err == EPERM || err == EACCES;
}

/*
 * Open each family's socket; the other family's failure is not fatal.  A
 * method that needs cap_net_raw gives way to its fallback when a family
 * could not be opened for want of it (one method for the whole run).
 */
static void
open_sockets(struct run *run)
{
	struct sockets *so = &run->so;
	const struct conf *c = &run->c;
	int e4 = 0, e6 = 0;

	memset(so, 0, sizeof(*so));
	so->s4.fd = so->s6.fd = -1;
	if (c->family != AF_INET6 && run->m->open(&so->s4, AF_INET, c, so->e4,
	    sizeof(so->e4)))
		so->s4.fd = -1, e4 = errno;
	if (c->family != AF_INET && run->m->open(&so->s6, AF_INET6, c,
	    so->e6, sizeof(so->e6)))
		so->s6.fd = -1, e6 = errno;
	/* One family raw and the other refused: the fallback works for
	 * both (it needs no privilege), so it is the run's method. */
	if (run->m->fallback && (no_privilege(e4) || no_privilege(e6))) {
		sock_close(&so->s4);
		sock_close(&so->s6);
		/* Its sockets hold one port each: one flow, one path. */
		if (c->mda)
			warnx("--all-paths: no raw socket (cap_net_raw): one "
			    "source port, so one path per target");
		run->m = run->m->fallback;
		open_sockets(run);
	}
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
block_signals(sigset_t *block, int fping, int trace)
{
	/*
	 * An ignored signal is discarded, blocked or not, so signalfd never
	 * sees it: fping installs handlers, and a script that starts it in
	 * the background (SIGINT ignored there) stops it with SIGINT, or
	 * asks for a report with SIGQUIT.  fping has none for SIGTERM: it
	 * ends the process there and then, with no summary.
	 */
	if (fping) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
	}
	sigemptyset(block);
	/* SIGHUP reads -f FILE again (ping runs); fping 5.1 has no handler
	 * for it and dies, and so does mping called as fping. */
	if (!fping && !trace)
		sigaddset(block, SIGHUP);
	sigaddset(block, SIGINT);
	if (!fping)
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
	if ((run->res = resolver_create(run->c.family, resolved, run)) != NULL) {
		resolver_all(run->res, run->c.all_addresses);
		resolver_gai_words(run->res, run->c.fping.on);
	}
	if (run->res == NULL)
		err(EXIT_SYSTEM, "resolver");
	run->in.conf = &run->c;
	run->in.tg = &run->tg;
	run->in.resolve = queue_name;
	run->in.bad = bad_target;
	run->in.arg = run;
	run->in.stop = input_stop;
	run->in.stop_arg = run->l;
	run->in.first_word = run->c.fping.on;
	if (input_init(&run->in) == -1)
		err(EXIT_SYSTEM, "local broadcast addresses");
	run->rep.out = &run->out;
	run->rep.tg = &run->tg;
	run->rep.c = &run->c;
	if (engine_init(&run->e, &run->c, &run->tg, &run->rep, run->m) == -1 ||
	    (run->c.mda ? mda_mode(&run->e) : run->c.trace ?
	    trace_mode(&run->e) : run->c.trace_down ? watch_mode(&run->e) :
	    ping_mode(&run->e)) == -1)
		err(EXIT_SYSTEM, "start-up");
	out_buffer(stdout);
	out_init(&run->out, stdout, &run->c);
	run->out.resized = &sig_winch;
}

static void
on_resolved_first(void *arg, int fd, unsigned what)
{
	(void)fd;
	(void)what;
	resolver_read(arg);
}

/*
 * fping resolves every name before its first probe, so its lines come in
 * the order the targets were given: the fping front end waits for the
 * lookups (still all at once), then puts the table in that order.
 * Returns -1 (no name left), or rfd when a signal cut the wait short.
 */
static int
resolve_first(struct run *run, int rfd)
{
	if (loop_add(run->l, rfd, on_resolved_first, run->res) == -1)
		err(EXIT_SYSTEM, "event loop");
	while (resolver_pending(run->res) && !sig_stop)
		if (loop_poll(run->l, -1) == -1 && errno != EINTR)
			err(EXIT_SYSTEM, "event loop");
	loop_del(run->l, rfd);
	if (targets_reorder(&run->tg) == -1)
		errx(EXIT_SYSTEM, "out of memory");
	return resolver_pending(run->res) ? rfd : -1;
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

	if ((rfd = resolver_start(run->res)) == -2)
		err(EXIT_SYSTEM, "cannot start name lookups");
	if (rfd != -1 && run->c.fping.on)
		rfd = resolve_first(run, rfd);
	for (i = 0; i < run->tg.n; i++)
		run->tg.t[i].family == AF_INET ? (has4 = 1) : (has6 = 1);
	if (rfd != -1)
		has4 = has6 = 1;
	if (has4 && so->s4.fd == -1 && (rfd == -1 || so->s6.fd == -1))
		no_socket(run, so->e4);
	if (has6 && so->s6.fd == -1 && (rfd == -1 || so->s4.fd == -1))
		no_socket(run, so->e6);
	/* Targets still to be read may need either. */
	if (!has4 && !run->feeding && so->s4.fd != -1)
		sock_close(&so->s4);
	if (!has6 && !run->feeding && so->s6.fd != -1)
		sock_close(&so->s6);
	run->e.s4 = so->s4;
	run->e.s6 = so->s6;
	return rfd;
}

/*
 * fping pads its host column to the widest target: names are known as
 * given, addresses as text (only the fping front end pays for that).
 */
static long
name_width(const struct run *run)
{
	char buf[REPORT_ADDRLEN];
	long w = run->c.fping.addr ? 0 : run->name_width, n;
	uint32_t i;

	for (i = 0; run->c.fping.on && i < run->tg.n; i++) {
		const struct target *t = &run->tg.t[i];

		n = (long)strlen(t->flags & T_NAMED && !run->c.fping.addr ?
		    target_name(&run->tg, t, buf, sizeof(buf)) :
		    target_addr(&run->tg, t, buf, sizeof(buf)));
		/* -A with -n or -d: "name (addr)" */
		if (run->c.fping.addr && run->c.fping.rdns)
			n += 3 + (long)strlen(target_name(&run->tg, t, buf,
			    sizeof(buf)));
		if (n > w)
			w = n;
	}
	return w;
}

/* Names again and SIGHUP (ping runs: a trace has its rounds), once every
 * target was read. */
static void
attach_reload(void *arg)
{
	struct run *run = arg;

	if (run->c.trace || run->c.fping.on)
		return;
	run->rl.sig_hup = &sig_hup;
	run->rl.read_files = read_files_again;
	run->rl.arg = run;
	resolver_on_again(run->res, again);
	reload_attach(&run->rl, &run->e, &run->in, run->l,
	    run->c.reload, run->rfd);
}

/* input.usable while the run goes: a socket for the family. */
static int
usable_family(void *arg, const char *what, int family)
{
	return has_socket(arg, what, family);
}

/* The start record, then the engine until the run is over. */
static void
go(struct run *run, int rfd)
{
	struct engine *e = &run->e;

	e->res = run->res;
	e->sig_stop = &sig_stop;
	e->sig_quit = &sig_quit;
	run->rep.name_width = name_width(run);
	report_start(&run->rep);
	if (rfd != -1 && engine_add_resolver(e, run->l, rfd) == -1)
		err(EXIT_SYSTEM, "event loop");
	if (run->c.trace && run->c.names && trace_names(e, run->l) == -1)
		err(EXIT_SYSTEM, "--names");
	run->rfd = rfd;
	if (run->feeding) {
		run->feed.done = attach_reload;
		run->in.usable = usable_family;
		feed_attach(&run->feed, e, run->l, &run->rfd);
	} else
		attach_reload(run);
	sig_hup = 0;	/* one before the run began has nothing to redo */
	if (engine_run(e, run->l) == -1) {
		/* The records so far, into stdio, which exit flushes. */
		out_drain(&run->out);
		if (e->nomem)
			errx(EXIT_SYSTEM, "out of memory");
		if (e->write_error)
			errx(EXIT_SYSTEM, "write error: %s",
			    strerror(e->write_error));
		err(EXIT_SYSTEM, "event loop");
	}
}

/* Invoked as fping or fping6 (a link): fping's command line and output. */
static int
called_as_fping(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	/* fping, fping6, and copies such as fping.copy or fping-5.1. */
	base = base ? base + 1 : argv0;
	return strncmp(base, "fping", 5) == 0;
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
	int first, rfd, status;

	memset(&run, 0, sizeof(run));
	std_fds();
	if (priv_limit() == -1)
		err(EXIT_SYSTEM, "cannot drop privileges");
	first = called_as_fping(argv[0]) ? cli_fping_parse(argc, argv, &run.c,
	    &run.files, &run.nfiles) : cli_parse(argc, argv, &run.c,
	    &run.files, &run.nfiles);
	argc -= first;
	argv += first;
	run.m = run.c.method == PM_UDP ? &method_udp_raw :
	    run.c.method == PM_TCP ? &method_tcp : run.c.icmp_ts ?
	    &method_tstamp : &method_icmp;
	block_signals(&block, run.c.fping.on, run.c.trace);
	open_sockets(&run);
	if (priv_drop() == -1)
		err(EXIT_SYSTEM, "cannot drop privileges");
	set_up(&run, &block);
	read_inputs(&run, argc, argv);
	/* fping: no target is exit 1 (2 if a name had no address). */
	if (run.c.fping.on && run.tg.n == 0 && resolver_count(run.res) == 0)
		exit(run.bad_targets ? EXIT_BADTARGET : EXIT_NOREPLY);
	/* Nothing to do: not an error of a target, so a usage error. */
	if (run.tg.n == 0 && resolver_count(run.res) == 0 &&
	    run.bad_targets == 0) {
		fprintf(stderr, sig_stop ? "mping: interrupted before any "
		    "target was read\n" : "mping: no targets (give them as "
		    "arguments, with -f FILE, or on stdin)\n");
		exit(EXIT_USAGE);
	}
	scale_trace(&run.c, run.tg.n + resolver_count(run.res), run.feeding);
	rfd = keep_sockets(&run);
	go(&run, rfd);
	unfinished = resolver_pending(run.res);
	resolver_abandon(run.res);
	status = exit_status(&run);
	finish(&run, status);
	/* Names glibc may still be resolving keep their requests alive. */
	if (unfinished == 0)
		resolver_free(run.res);
	reload_free(&run.rl);
	engine_free(&run.e);
	loop_free(run.l);
	targets_free(&run.tg);
	input_free(&run.in);
	free(run.files);
	return status;
}
