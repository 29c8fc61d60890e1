/* What the command line asked for; filled once by cli.c, then read-only. */
#ifndef MPING_CONF_H
#define MPING_CONF_H

#include <stddef.h>
#include <stdint.h>

enum out_format { FMT_TEXT, FMT_CSV, FMT_JSON, FMT_FPING, FMT_DOT };

/* The probe method (method.h): what a probe is. */
enum probe_method { PM_ICMP, PM_UDP, PM_TCP };

/* UDP's port when none is given: traceroute's base port. */
#define UDP_PORT_DEFAULT	33434
/* TCP's: the port most hosts that serve anything answer on. */
#define TCP_PORT_DEFAULT	80

/* --all-paths: flows per target at most (mda.h; the methods' ports). */
#define CONF_MDA_FLOWS	4096
/* The ports a flow's port wraps round: 1024 comes after 65535
 * (method_raw.c's flow ports, bpf.c's filter of them). */
#define FLOW_PORTS	(65536 - 1024)

/* --trace's defaults that scale with the run (struct conf.trace_auto). */
#define TA_QUERIES	1
#define TA_INTERVAL	2

/* --queries at most (trace.h: TRACE_MAX_QUERIES, the hop table). */
#define CONF_MAX_QUERIES	10

/* --stop-set, --no-stop-set; by default (0) for traces of one round. */
enum { STOPSET_ON = 1, STOPSET_OFF };

/*
 * What only the fping front end (cli_fping.c, out_fping.c) needs: its
 * output switches, named as fping's own flags are.  on: called as fping.
 */
struct fping_opts {
	int		 on;
	int		 verbose;	/* "is alive" / "is unreachable" */
	int		 per_recv;	/* a line per reply and timeout */
	int		 report_all;	/* -C: every RTT at the end */
	int		 summaries;	/* -c, -C, -l: per-target on stderr */
	int		 alive, unreach, quiet, loop;
	int		 elapsed, timestamp, stats, addr;
	int		 generate;	/* -g: the targets are a range */
	int		 outage;	/* -o: lost probes times -p */
	unsigned	 min_reachable;	/* -x: enough targets answered */
	int		 fast_reachable; /* -X: end once that many answered */
	int		 netdata;	/* -N: -Q's reports as netdata charts */
	int		 json;		/* -J: fping 5.5's JSON lines */
	int		 ts_format;	/* -D's: 0 Unix s, 1 ctime, 2 iso,
					   3 rfc3339 (--timestamp-format) */
	int		 check_source;	/* --check-source: a reply from
					   another address is not shown */
	int64_t		 report_ns;	/* -Q: counts so far, this often */
	int		 rdns;		/* -d: every target by its PTR name,
					   -n (2): the addresses given */
	int		 print_tos, print_ttl;	/* " (TOS n)", " (TTL n)" */
};

struct conf {
	uint32_t	 count;		/* probes per target; 0: no limit */
	int64_t		 deadline_ns;	/* 0: none */
	int64_t		 period_ns;
	int64_t		 interval_ns;	/* minimum gap between two sends */
	int64_t		 timeout_ns;
	unsigned	 retries;
	int		 error_waits;	/* an error leaves its probe to time
					   out (and be retried), as fping */
	double		 backoff;	/* a retry waits the previous timeout
					   times this (fping -B); <= 1: same */
	size_t		 size;		/* ICMP payload bytes */
	int		 random_data;	/* payload after the tag: random bytes */
	int		 rtts;		/* --rtts: RTT per probe in summaries */
	int		 ttl;		/* -1: kernel default */
	int		 tos;		/* -1: kernel default */
	int		 df;
	unsigned	 fwmark;	/* SO_MARK of every socket; 0: none */
	int		 icmp_ts;	/* ICMP timestamp requests, not echo */
	const char	*source;
	const char	*iface;
	int		 family;	/* 0, AF_INET or AF_INET6 */
	enum probe_method method;
	uint16_t	 port;		/* UDP, TCP: destination port */
	int		 broadcast;
	int		 all_addresses;	/* -m: every address of a name */
	/* monitoring: interval reports, up / down (0: off) */
	int64_t		 report_every_ns;
	int		 cumulative;
	uint32_t	 down_after, up_after;
	const char	*prom_file;	/* --prom-file PATH, or NULL */
	int64_t		 resolve_every_ns;	/* names again (0: never) */
	int		 reload;	/* SIGHUP reads a -f FILE again (a
					   ping run with one): reload records */
	uint32_t	 max_targets;
	int		 quiet, alive, unreach, timestamp;
	enum out_format	 format;
	int		 color;		/* ANSI colours in text output */
	/* --trace */
	int		 trace;
	int		 first_hop, max_hops;
	int		 queries;	/* probes per hop */
	int		 max_timeouts;	/* silent hops in a row: give up */
	int		 window;	/* hops in flight per target */
	int		 trace_auto;	/* TA_*: defaults the run's size sets
					   (scale.c), the options not given */
	int		 again;		/* a silent hop's probe asked once
					   more (large runs' default) */
	uint16_t	 flow;		/* Paris flow: the probes' checksum */
	int		 names;		/* reverse DNS for hops */
	int		 trace_down;	/* --trace-down: ping, and trace the
					   targets that go down (watch.c) */
	int		 stop_set;	/* 0, STOPSET_ON, STOPSET_OFF */
	int		 mda;		/* --all-paths: every ECMP path (mda.h) */
	int		 confidence;	/* --confidence: 95 or 99 (%) */
	int		 live;		/* full-screen view (--live) */
	int		 report;	/* --report: mtr-style tables only */
	int		 progress;	/* stderr progress: 0 no, 1 yes, 2 auto */
	struct fping_opts fping;	/* called as fping */
};

/* --trace: a hop-summary per hop at the end (-c rounds, --report; --live
 * has its own rows). */
static inline int
conf_hop_summary(const struct conf *c)
{
	return c->trace && !c->mda && !c->live && (c->count != 1 ||
	    c->report);
}

/* The timeout of a probe's attempt-th retry (0: the first probe). */
static inline int64_t
conf_timeout(const struct conf *c, unsigned attempt)
{
	double t = (double)c->timeout_ns;

	if (c->backoff <= 1.0)
		return c->timeout_ns;
	while (attempt--)
		t *= c->backoff;
	return t < 9e18 ? (int64_t)t : INT64_MAX / 2;
}

#endif
