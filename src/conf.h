/* What the command line asked for; filled once by cli.c, then read-only. */
#ifndef MPING_CONF_H
#define MPING_CONF_H

#include <stddef.h>
#include <stdint.h>

enum out_format { FMT_TEXT, FMT_CSV, FMT_JSON };

/* The probe method (method.h): what a probe is. */
enum probe_method { PM_ICMP, PM_UDP, PM_TCP };

/* UDP's port when none is given: traceroute's base port. */
#define UDP_PORT_DEFAULT	33434
/* TCP's: the port most hosts that serve anything answer on. */
#define TCP_PORT_DEFAULT	80

/* --queries at most (trace.h: TRACE_MAX_QUERIES, the hop table). */
#define CONF_MAX_QUERIES	10

struct conf {
	uint32_t	 count;		/* probes per target; 0: no limit */
	int64_t		 deadline_ns;	/* 0: none */
	int64_t		 period_ns;
	int64_t		 interval_ns;	/* minimum gap between two sends */
	int64_t		 timeout_ns;
	unsigned	 retries;
	size_t		 size;		/* ICMP payload bytes */
	int		 ttl;		/* -1: kernel default */
	int		 tos;		/* -1: kernel default */
	int		 df;
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
	uint16_t	 flow;		/* Paris flow: the probes' checksum */
	int		 names;		/* reverse DNS for hops */
	int		 live;		/* full-screen view (--live) */
	int		 progress;	/* stderr progress: 0 no, 1 yes, 2 auto */
};

#endif
