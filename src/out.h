/*
 * Output: the engine fills records and hands them to one formatter (text,
 * CSV or JSON).  Formatters never see packets, and nothing outside out*.c
 * knows how a record is written.
 */
#ifndef MPING_OUT_H
#define MPING_OUT_H

#include <stdint.h>
#include <stdio.h>

#include "conf.h"
#include "icmp.h"

enum rec_type {
	REC_START, REC_REPLY, REC_TIMEOUT, REC_ERROR, REC_BAD_TARGET,
	REC_SUMMARY, REC_END, REC_ALIVE, REC_UNREACHABLE, REC_PROBE, REC_HOP,
	REC_TRACE, REC_NTYPES
};

/* Numbers that may be absent are NaN (double) or -1 (int). */
struct record {
	enum rec_type	 type;
	double		 time;		/* Unix time, seconds */
	const char	*target;	/* as the user wrote it */
	const char	*addr;		/* the target's address */
	const char	*from;		/* responder or reporting router */
	long		 seq;
	long		 size;		/* ICMP bytes */
	int		 ttl;
	double		 rtt_ms;
	int		 dup;
	int		 foreign;	/* reply from another host, not counted */
	int		 late;		/* reply after its probe timed out */
	int		 icmp_type, icmp_code;
	const char	*error;		/* error name */
	long		 mtu;
	const char	*reason;	/* bad-target */
	/* summary */
	long		 sent, received, lost, inflight, errors, dups;
	long		 responders;	/* -b only, else -1 */
	double		 loss_pct;
	double		 rtt_min, rtt_avg, rtt_max, rtt_stddev;
	/* trace: probe (ttl is the probe's), hop, trace */
	long		 probe;		/* probe number within its hop */
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
	/* start / end */
	long		 targets, answered;
	int		 exit_status;
	const struct conf *conf;	/* start only */
};

struct out;

struct out_ops {
	void	(*begin)(struct out *);
	void	(*emit)(struct out *, const struct record *);
	void	(*finish)(struct out *);
};

struct out {
	FILE			*fp;
	const struct out_ops	*ops;
	const struct conf	*conf;
	int			 header_done;
};

extern const struct out_ops out_text_ops, out_csv_ops, out_json_ops;

void	out_init(struct out *, FILE *, const struct conf *);
void	out_emit(struct out *, const struct record *);
void	out_finish(struct out *);
/* Flush; returns -1 (errno set) if the output could not be written. */
int	out_flush(struct out *);
void	record_clear(struct record *, enum rec_type);
const char *rec_type_name(enum rec_type);
/* -q keeps only the one record per target: summary, or trace. */
int	out_quiet_drops(const struct out *, const struct record *);

#endif
