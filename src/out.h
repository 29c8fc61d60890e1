/*
 * Output: the engine fills records and hands them to one formatter (text,
 * CSV or JSON).  Formatters never see packets, and nothing outside out*.c
 * knows how a record is written.
 */
#ifndef MPING_OUT_H
#define MPING_OUT_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "counts.h"
#include "icmp.h"

enum rec_type {
	REC_START, REC_REPLY, REC_TIMEOUT, REC_ERROR, REC_BAD_TARGET,
	REC_SUMMARY, REC_END, REC_ALIVE, REC_UNREACHABLE, REC_PROBE, REC_HOP,
	REC_TRACE, REC_INTERVAL, REC_INTERIM, REC_DOWN, REC_UP, REC_RESOLVED,
	REC_RELOAD, REC_LINK, REC_PATH, REC_HOP_SUMMARY, REC_NTYPES
};

/* Numbers that may be absent are NaN (double) or -1 (int). */
struct record {
	enum rec_type	 type;
	double		 time;		/* Unix time, seconds */
	long		 index;		/* the target's place in the table */
	long		 order;		/* its place in what the user gave */
	const char	*target;	/* as the user wrote it */
	const char	*addr;		/* the target's address */
	const char	*from;		/* responder or reporting router;
					   resolved: the address before */
	long		 seq;
	long		 size;		/* ICMP bytes */
	const char	*method;	/* "icmp", "udp", "tcp"; NULL: a record
					   about no probe (start, end, ...) */
	long		 port;		/* udp, tcp: the port probed, else -1 */
	const char	*state;		/* a port's, "open" or "closed", if an
					   answer said */
	int		 ttl;
	int		 tos;		/* a reply's TOS / traffic class */
	/* --icmp-timestamp: ms since midnight UTC; originate (our send) and
	 * local (the arrival) our clock, receive and transmit the
	 * responder's */
	long		 ts_orig, ts_recv, ts_xmit, ts_local;
	double		 rtt_ms;
	int		 dup;
	int		 foreign;	/* reply from another host, not counted */
	int		 late;		/* reply after its probe timed out */
	int		 icmp_type, icmp_code;
	const char	*error;		/* error name */
	long		 mtu;
	const char	*reason;	/* bad-target; a name's lookup that
					   failed (summary, resolved) */
	/* summary; per-probe events carry them too, as counted so far */
	long		 sent, received, lost, inflight, errors, dups;
	long		 responders;	/* -b only, else -1 */
	double		 loss_pct;
	double		 rtt_min, rtt_avg, rtt_max, rtt_stddev;
	double		 rtt_last;	/* hop-summary: the latest RTT */
	double		 jitter;	/* mean |RTT - RTT before|, ms */
	/* interval: its start and end; down, up: the outage's (Unix s) */
	double		 t_start, t_end;
	double		 duration;	/* up: the outage's length, s */
	/* trace: probe (ttl is the probe's), hop, trace */
	long		 probe;		/* probe number within its hop;
					   ping's reply: its attempt */
	const char *const *addrs;	/* hop: distinct responders */
	const char *const *names;	/* hop: their names (--names), or NULL */
	long		 naddrs;
	const char *const *froms;	/* hop: responder of each probe */
	const double	*rtts;		/* hop: RTT of each probe, NaN: none */
	const char *const *marks;	/* hop: "!H"-style mark of each probe */
	long		 nprobes;
	const struct mpls_label *mpls;
	long		 nmpls;
	int		 reached;
	long		 hops;
	const char	*stop;		/* trace: why it ended */
	/* --all-paths: a hop record per interface (from), a link record
	 * from one to the next hop's (to), a path record (-c: addrs, an
	 * interface per hop); the flows that took it */
	const char	*to;
	long		 flows;
	long		 last_hop;	/* trace: last hop heard, -1: none */
	const char	*last_addr;	/* trace: who answered it */
	long		 round;		/* probe, hop, trace: from 0 (-c) */
	int		 shared;	/* hop: --stop-set's, not probed */
	const char	*named_by;	/* shared: the target that named it */
	const char	*cause;		/* probe, hop, trace of --trace-down:
					   "down", "never-answered"; NULL */
	/* start / end */
	long		 targets, answered;
	long		 joined, left;	/* reload: targets that came, went */
	long		 dropped;	/* end: replies the kernel dropped */
	int		 exit_status;
	const struct conf *conf;	/* start only */
	long		 name_width;	/* start: widest target as shown */
};

struct out;

/* tick (optional): redraw; returns ns until it wants the next, or -1. */
struct out_ops {
	void	(*begin)(struct out *);
	void	(*emit)(struct out *, const struct record *);
	void	(*finish)(struct out *);
	int64_t	(*tick)(struct out *, const struct run_counts *, int64_t now);
	/* Whether emit would write records of this type at all. */
	int	(*wants)(const struct out *, enum rec_type);
	/* (optional): write what emit keeps back into the stream, before
	 * out_flush flushes it. */
	void	(*drain)(struct out *);
};

struct progress;

/*
 * A formatter keeps its state in view, never in file-scope variables: it
 * allocates it in begin and frees it in finish.  A view that draws some
 * records itself (--live) hands the others to inner, the formatter out.c
 * chose for them, through an out object of their own (out_init_inner).
 */
struct out {
	FILE			*fp;
	const struct out_ops	*ops;
	const struct conf	*conf;
	void			*view;		/* the formatter's own state */
	const struct out_ops	*inner;		/* for what a view does not draw */
	struct out		*tables;	/* --report with --json or --csv:
						   the text tables, on stderr */
	struct progress		*progress;	/* the line on stderr, or NULL */
	volatile sig_atomic_t	*resized;	/* set on SIGWINCH */
	/* For the engine's flushes: the stream is not a terminal (its
	 * writes may wait), records were written since the last flush, one
	 * of them a report a reader waits for (out_emit sets them). */
	int			 hold, pending, urgent;
};

extern const struct out_ops out_text_ops, out_csv_ops, out_json_ops,
	    out_live_ops, out_fping_ops, out_dot_ops;

/*
 * fp's stdio buffer, before anything is written to it: to a file or a
 * pipe 1 MiB, which the engine flushes when a record waited 100 ms (see
 * engine_run), so a sweep's output goes out in a few large writes; to a
 * terminal, stdio's own, flushed after every step of the engine.
 */
void	out_buffer(FILE *);
void	out_init(struct out *, FILE *, const struct conf *);
/* inner as o's inner formatter (o's stream and conf), begun; NULL: none. */
void	out_init_inner(struct out *inner, const struct out *o);
void	out_emit(struct out *, const struct record *);
/* Whether records of this type are written: if not, don't build them. */
int	out_wants(const struct out *, enum rec_type);
/* wants for formats that write every record, or only summaries (-q). */
int	out_wants_all(const struct out *, enum rec_type);
void	out_finish(struct out *);
/*
 * The engine calls this whenever it wakes; views redraw when they are due.
 * Returns ns until the next redraw is due, or -1 when nothing redraws.
 */
int64_t	out_tick(struct out *, const struct run_counts *, int64_t now);
/* Flush; returns -1 (errno set) if the output could not be written. */
int	out_flush(struct out *);
/* What the formatter keeps back, into the stream (out_flush does it). */
void	out_drain(struct out *);
void	record_clear(struct record *, enum rec_type);
/* d as printf's "%.*f" with prec 0..6 would write it, but faster. */
/*
 * A record is built in memory and written with one fwrite: stdio takes a
 * lock and walks its buffers on every call, and a sweep writes a record
 * per probe.  A record longer than the buffer goes out in pieces.
 */
struct obuf {
	FILE	*fp;
	size_t	 n;
	char	 b[2048];
};

void	obuf_init(struct obuf *, FILE *);
void	obuf_flush(struct obuf *);
/*
 * A formatter that keeps its records in one buffer (its view) until the
 * output is flushed: its begin, drain and finish.  obuf_of gives that
 * buffer, or own made ready when there is none; obuf_done after a record
 * writes own out.
 */
void	obuf_view_begin(struct out *);
void	obuf_view_drain(struct out *);
void	obuf_view_finish(struct out *);
struct obuf *obuf_of(struct out *, struct obuf *own);
void	obuf_done(struct obuf *, struct obuf *own);
void	obuf_putn_slow(struct obuf *, const void *, size_t);

/* Inline: a record is many small pieces. */
static inline void
obuf_putn(struct obuf *b, const void *s, size_t k)
{
	if (b->n + k > sizeof(b->b)) {
		obuf_putn_slow(b, s, k);
		return;
	}
	memcpy(b->b + b->n, s, k);
	b->n += k;
}

/* NULL: nothing */
static inline void
obuf_put(struct obuf *b, const char *s)
{
	if (s)
		obuf_putn(b, s, strlen(s));
}

static inline void
obuf_putc(struct obuf *b, char c)
{
	if (b->n == sizeof(b->b))
		obuf_flush(b);
	b->b[b->n++] = c;
}

const char *fmt_fixed(char *buf, size_t len, double d, int prec);
/* Length of a valid UTF-8 sequence (RFC 3629) at s, or 0. */
int	utf8_len(const unsigned char *s);
/*
 * A name as a terminal may be given it: control characters (C0, DEL and
 * C1, the UTF-8 U+0080..U+009F or a lone byte 0x80..0x9f: 0x9b is CSI)
 * and bytes that are not UTF-8 as \xNN; with ascii, every byte that is
 * not printable ASCII (a column whose width is its length).  Into buf,
 * cut short to fit len; returns the length written.
 */
size_t	shown_text(char *buf, size_t len, const char *s, int ascii);
/* s through shown_text (UTF-8 kept), in one piece if it need not change. */
void	obuf_put_shown(struct obuf *, const char *s);
/* v in decimal like "%lu"; NULL if buf is too small. */
const char *fmt_ulong(char *buf, size_t len, unsigned long v);
/* fmt_ulong and fmt_fixed (with a 64-byte buf), written straight into b. */
void	obuf_ulong(struct obuf *, unsigned long v);
void	obuf_fixed(struct obuf *, double d, int prec);
/* The same at p, which has room for PUT_AT_MAX bytes (not NUL-ended);
 * they return the length.  A number under 2^53 takes at most 23 bytes:
 * put_fixed_at writes FIXED_COPY bytes for it, its text and what follows
 * (a caller may copy it so too). */
#define PUT_AT_MAX	64
#define FIXED_COPY	32
size_t	put_ulong_at(char *p, unsigned long v);
size_t	put_fixed_at(char *p, double d, int prec);
const char *rec_type_name(enum rec_type);
/* -q keeps only the one record per target: summary, or trace. */

#endif
