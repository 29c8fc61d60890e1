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

enum rec_type {
	REC_START, REC_REPLY, REC_TIMEOUT, REC_ERROR, REC_BAD_TARGET,
	REC_SUMMARY, REC_END, REC_ALIVE, REC_UNREACHABLE, REC_NTYPES
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
	/* Whether emit would write records of this type at all. */
	int	(*wants)(const struct out *, enum rec_type);
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
/* Whether records of this type are written: if not, don't build them. */
int	out_wants(const struct out *, enum rec_type);
/* wants for formats that write every record, or only summaries (-q). */
int	out_wants_all(const struct out *, enum rec_type);
void	out_finish(struct out *);
/* Flush; returns -1 (errno set) if the output could not be written. */
int	out_flush(struct out *);
void	record_clear(struct record *, enum rec_type);
/* d as printf's "%.*f" with prec 0..6 would write it, but faster. */
const char *fmt_fixed(char *buf, size_t len, double d, int prec);
/* v in decimal like "%lu"; NULL if buf is too small. */
const char *fmt_ulong(char *buf, size_t len, unsigned long v);
const char *rec_type_name(enum rec_type);

#endif
