#include <math.h>
#include <stdio.h>

#include "fields.h"

/* JSON's key of a field, written in one piece (out_json.c). */
#define KEY(n)		",\"" n "\":", sizeof(",\"" n "\":") - 1
#define FIELD(v, n, k, m, c, o) static const struct field v = \
	{ n, k, offsetof(struct record, m), c, o, KEY(n) }
#define FLD(n, k, m)	FIELD(f_##m, n, k, m, 0, 0)
/* A field only some runs have (-b's responders, a port's state). */
#define OPT(n, k, m)	FIELD(f_##m, n, k, m, 0, 1)
#define LIST(n, k, m, c) FIELD(f_##m, n, k, m, \
	offsetof(struct record, c), 0)

FLD("type", F_TYPE, type);
FLD("time", F_TIME, time);
FLD("target", F_STR, target);
FLD("addr", F_PLAIN, addr);
FLD("from", F_PLAIN, from);
FLD("seq", F_LONG, seq);
FLD("size", F_LONG, size);
FLD("ttl", F_INT, ttl);
FLD("rtt_ms", F_MS, rtt_ms);
FLD("dup", F_BOOL, dup);
FLD("late", F_BOOL, late);
FLD("foreign", F_BOOL, foreign);
FLD("icmp_type", F_INT, icmp_type);
FLD("icmp_code", F_INT, icmp_code);
FLD("error", F_STR, error);
FLD("mtu", F_LONG, mtu);
FLD("reason", F_STR, reason);
FLD("sent", F_LONG, sent);
FLD("received", F_LONG, received);
FLD("lost", F_LONG, lost);
FLD("inflight", F_LONG, inflight);
FLD("loss_pct", F_PCT, loss_pct);
FLD("errors", F_LONG, errors);
FLD("dups", F_LONG, dups);
OPT("responders", F_LONG, responders);
FLD("rtt_min_ms", F_MS, rtt_min);
FLD("rtt_avg_ms", F_MS, rtt_avg);
FLD("rtt_max_ms", F_MS, rtt_max);
FLD("rtt_stddev_ms", F_MS, rtt_stddev);
FLD("targets", F_LONG, targets);
FLD("answered", F_LONG, answered);
FLD("dropped", F_LONG, dropped);
FLD("exit_status", F_INT, exit_status);
FLD("probe", F_LONG, probe);
LIST("addrs", F_STRS, addrs, naddrs);
LIST("names", F_STRS, names, naddrs);
LIST("froms", F_STRS, froms, nprobes);
LIST("rtts_ms", F_MSS, rtts, nprobes);
LIST("marks", F_STRS, marks, nprobes);
LIST("mpls", F_MPLS, mpls, nmpls);
FLD("reached", F_BOOL, reached);
FLD("hops", F_LONG, hops);
FLD("stop", F_STR, stop);
FLD("round", F_LONG, round);
OPT("cause", F_STR, cause);
OPT("last_hop", F_LONG, last_hop);
OPT("last_addr", F_PLAIN, last_addr);
OPT("shared", F_BOOL, shared);
OPT("named_by", F_STR, named_by);
FLD("method", F_PLAIN, method);
OPT("port", F_LONG, port);
FLD("jitter_ms", F_MS, jitter);
FLD("rtt_last_ms", F_MS, rtt_last);
FIELD(f_iv_start, "interval_start", F_TIME, t_start, 0, 0);
FIELD(f_iv_end, "interval_end", F_TIME, t_end, 0, 0);
FIELD(f_out_start, "outage_start", F_TIME, t_start, 0, 0);
FIELD(f_out_end, "outage_end", F_TIME, t_end, 0, 0);
FIELD(f_out_len, "outage_s", F_TIME, duration, 0, 0);
OPT("state", F_STR, state);
OPT("tos", F_INT, tos);
OPT("originate", F_LONG, ts_orig);
OPT("receive", F_LONG, ts_recv);
OPT("transmit", F_LONG, ts_xmit);
OPT("localreceive", F_LONG, ts_local);
FLD("joined", F_LONG, joined);
FLD("left", F_LONG, left);
/* --rtts: a summary's RTT per probe (left out without it). */
FIELD(f_rtts_asked, "rtts_ms", F_MSS, rtts, offsetof(struct record, nprobes),
    1);
/* A summary's reason: only a name that did not resolve has one. */
FIELD(f_why, "reason", F_STR, reason, 0, 1);
FLD("to", F_PLAIN, to);
/* --all-paths: an interface's part of a hop record, and the probes a
 * verdict spent (absent, and left out of JSON, in other traces). */
OPT("flows", F_LONG, flows);
#define OPTF(v, n, k, m)	FIELD(v, n, k, m, 0, 1)
OPTF(f_ofrom, "from", F_PLAIN, from);
OPTF(f_osent, "sent", F_LONG, sent);
OPTF(f_orecv, "received", F_LONG, received);
OPTF(f_oloss, "loss_pct", F_PCT, loss_pct);
OPTF(f_omin, "rtt_min_ms", F_MS, rtt_min);
OPTF(f_oavg, "rtt_avg_ms", F_MS, rtt_avg);
OPTF(f_omax, "rtt_max_ms", F_MS, rtt_max);
OPTF(f_oerror, "error", F_STR, error);

/*
 * Every record about probes ends with the method, and with UDP and TCP
 * the port and the state an answer gave (JSON leaves absent ones out).
 * CSV's columns of an ICMP run have method only, so that they are the
 * columns of before with one more at the end.
 */
#define PORT_FIELDS	&f_method, &f_port, &f_state

#define REPLY_FIELDS	&f_type, &f_time, &f_target, &f_addr, &f_from, \
	&f_seq, &f_size, &f_ttl, &f_rtt_ms, &f_dup, &f_late, &f_foreign
#define SUMMARY_FIELDS	&f_type, &f_target, &f_addr, &f_sent, \
	&f_received, &f_lost, &f_inflight, &f_loss_pct, &f_errors, &f_dups, \
	&f_responders, &f_rtt_min, &f_rtt_avg, &f_rtt_max, &f_rtt_stddev
#define TRACE_FIELDS	&f_type, &f_time, &f_target, &f_addr, &f_reached, \
	&f_hops, &f_stop, &f_round

static const struct field *const reply[] = { REPLY_FIELDS, PORT_FIELDS,
	&f_tos, &f_ts_orig, &f_ts_recv, &f_ts_xmit, &f_ts_local, NULL };
static const struct field *const timeout[] = { &f_type, &f_time, &f_target,
	&f_addr, &f_seq, PORT_FIELDS, NULL };
static const struct field *const error[] = { &f_type, &f_time, &f_target,
	&f_addr, &f_seq, &f_from, &f_icmp_type, &f_icmp_code, &f_error,
	&f_mtu, &f_reason, PORT_FIELDS, NULL };
static const struct field *const bad[] = { &f_type, &f_time, &f_target,
	&f_reason, NULL };
static const struct field *const summary[] = { SUMMARY_FIELDS, &f_jitter,
	PORT_FIELDS, NULL };
/* A record's fields: summary's (also CSV's columns with -q) and the
 * reason a name did not resolve, when it has one. */
static const struct field *const summary_why[] = { SUMMARY_FIELDS,
	&f_jitter, PORT_FIELDS, &f_why, &f_rtts_asked, NULL };
/* A name's address changed (from: the one before), or its lookup failed
 * (reason; addr: the one it keeps). */
static const struct field *const resolved[] = { &f_type, &f_time,
	&f_target, &f_from, &f_addr, &f_reason, NULL };
static const struct field *const reload[] = { &f_type, &f_time,
	&f_targets, &f_joined, &f_left, NULL };
static const struct field *const interval[] = { &f_type, &f_time,
	&f_target, &f_addr, &f_iv_start, &f_iv_end, &f_sent, &f_received,
	&f_lost, &f_inflight, &f_loss_pct, &f_errors, &f_dups, &f_rtt_min,
	&f_rtt_avg, &f_rtt_max, &f_rtt_stddev, &f_jitter, PORT_FIELDS, NULL };
static const struct field *const down[] = { &f_type, &f_time, &f_target,
	&f_addr, &f_out_start, &f_lost, PORT_FIELDS, NULL };
static const struct field *const up[] = { &f_type, &f_time, &f_target,
	&f_addr, &f_out_start, &f_out_end, &f_out_len, &f_lost, PORT_FIELDS,
	NULL };
static const struct field *const end[] = { &f_type, &f_time, &f_targets,
	&f_answered, &f_dropped, &f_exit_status, NULL };
static const struct field *const list[] = { &f_type, &f_time, &f_target,
	&f_addr, PORT_FIELDS, NULL };
static const struct field *const probe[] = { &f_type, &f_time, &f_target,
	&f_addr, &f_ttl, &f_probe, &f_from, &f_rtt_ms, &f_icmp_type,
	&f_icmp_code, &f_error, &f_mtu, &f_mpls, &f_round, &f_cause,
	PORT_FIELDS, NULL };
/* A trace's hop has a list per probe; an --all-paths interface none
 * (its probes are counted in sent, received and the RTTs). */
#define OPTL(v, n, k, m) FIELD(v, n, k, m, \
	offsetof(struct record, nprobes), 1)
OPTL(f_ofroms, "froms", F_STRS, froms);
OPTL(f_ortts, "rtts_ms", F_MSS, rtts);
OPTL(f_omarks, "marks", F_STRS, marks);
static const struct field *const hop[] = { &f_type, &f_time, &f_target,
	&f_addr, &f_ttl, &f_addrs, &f_names, &f_ofroms, &f_ortts, &f_omarks,
	&f_lost, &f_mpls, &f_round, &f_cause, PORT_FIELDS, &f_ofrom, &f_flows,
	&f_osent, &f_orecv, &f_oloss, &f_omin, &f_oavg, &f_omax, &f_oerror,
	&f_shared, &f_named_by, NULL };
static const struct field *const trace[] = { TRACE_FIELDS, PORT_FIELDS,
	NULL };
/* A record's (CSV's columns above stay as they were): --trace-down's
 * cause, the last hop heard, --all-paths' probes spent. */
static const struct field *const trace_rec[] = { TRACE_FIELDS, &f_cause,
	&f_last_hop, &f_last_addr, PORT_FIELDS, &f_osent, NULL };
static const struct field *const links[] = { &f_type, &f_time, &f_target,
	&f_addr, &f_ttl, &f_ofrom, &f_to, &f_flows, &f_round, NULL };
static const struct field *const paths[] = { &f_type, &f_time, &f_target,
	&f_addr, &f_ttl, &f_addrs, &f_flows, &f_osent, &f_orecv, &f_lost,
	&f_oloss, &f_omin, &f_oavg, &f_omax, &f_round, NULL };
/* --all-paths: CSV's columns, then those of -q. */
static const struct field *const csv_paths[] = { &f_type, &f_time,
	&f_target, &f_addr, &f_ttl, &f_ofrom, &f_to, &f_flows, &f_addrs,
	&f_osent, &f_orecv, &f_lost, &f_oloss, &f_omin, &f_oavg, &f_omax,
	&f_oerror, &f_reached, &f_hops, &f_stop, &f_targets, &f_answered,
	&f_dropped, &f_exit_status, &f_round, PORT_FIELDS, NULL };
static const struct field *const csv_paths_quiet[] = { TRACE_FIELDS,
	PORT_FIELDS, &f_osent, NULL };
static const struct field *const start[] = { &f_type, &f_time, &f_targets,
	NULL };
/* -c N traces, --report: a hop over the rounds, as mtr's report has it. */
#define HOPSUM_FIELDS	&f_sent, &f_received, &f_lost, &f_loss_pct, \
	&f_rtt_last, &f_rtt_min, &f_rtt_avg, &f_rtt_max, &f_rtt_stddev
static const struct field *const hop_summary[] = { &f_type, &f_time,
	&f_target, &f_addr, &f_ttl, &f_from, &f_addrs, &f_names,
	HOPSUM_FIELDS, PORT_FIELDS, NULL };

#define CSV_FIELDS	REPLY_FIELDS, &f_icmp_type, &f_icmp_code, &f_error, \
	&f_mtu, &f_reason, &f_sent, &f_received, &f_lost, &f_inflight, \
	&f_loss_pct, &f_errors, &f_dups, &f_responders, &f_rtt_min, \
	&f_rtt_avg, &f_rtt_max, &f_rtt_stddev, &f_targets, &f_answered, \
	&f_dropped, &f_exit_status, &f_jitter
#define CSV_TRACE_FIELDS &f_type, &f_time, &f_target, &f_addr, &f_ttl, \
	&f_probe, &f_from, &f_rtt_ms, &f_icmp_type, &f_icmp_code, &f_error, \
	&f_mtu, &f_addrs, &f_names, &f_froms, &f_rtts, &f_marks, &f_lost, \
	&f_mpls, &f_reached, &f_hops, &f_stop, &f_reason, &f_targets, \
	&f_answered, &f_dropped, &f_exit_status, &f_round

/* [trace][quiet][port]: CSV's columns. */
static const struct field *const csv_ping[] = { CSV_FIELDS, &f_method,
	&f_tos, NULL };
static const struct field *const csv_ping_port[] = { CSV_FIELDS,
	PORT_FIELDS, &f_tos, NULL };
static const struct field *const csv_summary[] = { SUMMARY_FIELDS,
	&f_jitter, &f_method, NULL };
static const struct field *const csv_trace[] = { CSV_TRACE_FIELDS,
	&f_method, NULL };
static const struct field *const csv_trace_port[] = { CSV_TRACE_FIELDS,
	PORT_FIELDS, NULL };
static const struct field *const csv_verdict[] = { TRACE_FIELDS,
	&f_method, NULL };
static const struct field *const *const csv_columns[2][2][2] = {
	{ { csv_ping, csv_ping_port }, { csv_summary, summary } },
	{ { csv_trace, csv_trace_port }, { csv_verdict, trace } },
};

/* With -Q or --down-after (ping only): the intervals' and outages' times
 * at the end. [quiet][port] */
#define MON_FIELDS	&f_iv_start, &f_iv_end, &f_out_start, &f_out_end, \
	&f_out_len
static const struct field *const csv_mon[] = { CSV_FIELDS, &f_method,
	&f_tos, MON_FIELDS, NULL };
static const struct field *const csv_mon_port[] = { CSV_FIELDS,
	PORT_FIELDS, &f_tos, MON_FIELDS, NULL };
static const struct field *const csv_mon_summary[] = { SUMMARY_FIELDS,
	&f_jitter, &f_method, &f_time, MON_FIELDS, NULL };
static const struct field *const csv_mon_summary_port[] = {
	SUMMARY_FIELDS, &f_jitter, PORT_FIELDS, &f_time, MON_FIELDS, NULL };
static const struct field *const *const csv_mon_columns[2][2] = {
	{ csv_mon, csv_mon_port }, { csv_mon_summary, csv_mon_summary_port },
};

/* --trace-down: the ping's columns, then the trace's own. [port] */
#define WATCH_FIELDS	MON_FIELDS, &f_probe, &f_addrs, &f_names, &f_froms, \
	&f_rtts, &f_marks, &f_mpls, &f_reached, &f_hops, &f_stop, &f_round, \
	&f_cause
static const struct field *const csv_watch[] = { CSV_FIELDS, &f_method,
	WATCH_FIELDS, NULL };
static const struct field *const csv_watch_port[] = { CSV_FIELDS,
	PORT_FIELDS, WATCH_FIELDS, NULL };

const struct field *const *
fields_csv_watch(int port)
{
	return port ? csv_watch_port : csv_watch;
}

const struct field *const *
fields_of(enum rec_type t)
{
	switch (t) {
	case REC_START:		return start;
	case REC_REPLY:		return reply;
	case REC_TIMEOUT:	return timeout;
	case REC_ERROR:		return error;
	case REC_BAD_TARGET:	return bad;
	case REC_SUMMARY:
	case REC_INTERIM:	return summary_why;
	case REC_INTERVAL:	return interval;
	case REC_DOWN:		return down;
	case REC_UP:		return up;
	case REC_END:		return end;
	case REC_PROBE:		return probe;
	case REC_HOP:		return hop;
	case REC_TRACE:		return trace_rec;
	case REC_RESOLVED:	return resolved;
	case REC_RELOAD:	return reload;
	case REC_LINK:		return links;
	case REC_PATH:		return paths;
	case REC_HOP_SUMMARY:	return hop_summary;
	default:		return list;
	}
}

/* Traces with hop summaries: their columns at the end. [quiet][port] */
static const struct field *const csv_hopsum[] = { CSV_TRACE_FIELDS,
	&f_method, &f_sent, &f_received, &f_loss_pct, &f_rtt_last, &f_rtt_min,
	&f_rtt_avg, &f_rtt_max, &f_rtt_stddev, NULL };
static const struct field *const csv_hopsum_port[] = { CSV_TRACE_FIELDS,
	PORT_FIELDS, &f_sent, &f_received, &f_loss_pct, &f_rtt_last,
	&f_rtt_min, &f_rtt_avg, &f_rtt_max, &f_rtt_stddev, NULL };
static const struct field *const csv_hopsum_quiet[] = { TRACE_FIELDS,
	&f_method, &f_ttl, &f_from, &f_addrs, &f_names, HOPSUM_FIELDS, NULL };
static const struct field *const csv_hopsum_quiet_port[] = { TRACE_FIELDS,
	PORT_FIELDS, &f_ttl, &f_from, &f_addrs, &f_names, HOPSUM_FIELDS,
	NULL };
static const struct field *const *const csv_hopsum_columns[2][2] = {
	{ csv_hopsum, csv_hopsum_port },
	{ csv_hopsum_quiet, csv_hopsum_quiet_port },
};

const struct field *const *
fields_csv_hopsum(int quiet, int port)
{
	return csv_hopsum_columns[!!quiet][!!port];
}

const struct field *const *
fields_csv_paths(int quiet)
{
	return quiet ? csv_paths_quiet : csv_paths;
}

const struct field *const *
fields_csv(int tracing, int quiet, int port, int monitor)
{
	if (monitor && !tracing)
		return csv_mon_columns[!!quiet][!!port];
	return csv_columns[!!tracing][!!quiet][!!port];
}

const char *
field_value(const struct field *f, const struct record *r, char *buf,
    size_t len, int *is_string)
{
	const char *p = (const char *)r + f->off;
	double d;
	long l;
	int i;

	*is_string = 0;
	switch (f->kind) {
	case F_TYPE:
		*is_string = 1;
		return rec_type_name(r->type);
	case F_STR:
	case F_PLAIN:
		*is_string = 1;
		return *(const char *const *)(const void *)p;
	case F_LONG:
		l = *(const long *)(const void *)p;
		return l < 0 ? NULL : fmt_ulong(buf, len, (unsigned long)l);
	case F_INT:
		i = *(const int *)(const void *)p;
		return i < 0 ? NULL : fmt_ulong(buf, len, (unsigned long)i);
	case F_BOOL:
		/* An optional one is there only when true. */
		if (f->optional && *(const int *)(const void *)p == 0)
			return NULL;
		return *(const int *)(const void *)p ? "true" : "false";
	case F_MS:
	case F_TIME:
	case F_PCT:
		d = *(const double *)(const void *)p;
		if (isnan(d))
			return NULL;
		return fmt_fixed(buf, len, d, f->kind == F_MS ? 3 :
		    f->kind == F_TIME ? 6 : 2);
	case F_STRS:
	case F_MSS:
	case F_MPLS:
		break;
	}
	return NULL;
}

long
field_list_len(const struct field *f, const struct record *r)
{
	const char *p = (const char *)r + f->off;

	if (*(const void *const *)(const void *)p == NULL)
		return -1;
	return *(const long *)(const void *)((const char *)r + f->n_off);
}

const char *
field_elem(const struct field *f, const struct record *r, long i, char *buf,
    size_t len, int *is_string)
{
	const void *elems = *(const void *const *)(const void *)
	    ((const char *)r + f->off);
	const struct mpls_label *m;
	double d;

	*is_string = 0;
	switch (f->kind) {
	case F_STRS:
		*is_string = 1;
		return ((const char *const *)elems)[i];
	case F_MSS:
		d = ((const double *)elems)[i];
		if (isnan(d))
			return NULL;
		snprintf(buf, len, "%.3f", d);
		return buf;
	case F_MPLS:
		/* label/tc/s/ttl; JSON writes an object instead */
		m = (const struct mpls_label *)elems + i;
		snprintf(buf, len, "%u/%u/%u/%u", (unsigned)m->label,
		    (unsigned)m->tc, (unsigned)m->s, (unsigned)m->ttl);
		return buf;
	default:
		return NULL;
	}
}
