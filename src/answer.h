/*
 * What became of a probe, as a probe method recognised it: the words the
 * engine and the run modes speak.  No ICMP type number is needed to read
 * one; the raw type and code ride along only for the records and for the
 * method's own names of them.
 */
#ifndef MPING_ANSWER_H
#define MPING_ANSWER_H

#include <stdint.h>

#include "icmp.h"
#include "tag.h"

enum outcome {
	OC_REPLY,	/* the destination answered (what that is: the method) */
	OC_EXCEEDED,	/* a router on the way: time to live exceeded */
	OC_ERROR,	/* an error that ends the probe (unreachable, ...) */
	OC_ADVISORY,	/* an error that does not (redirect, source quench) */
	OC_LOCAL,	/* this host refused to send it: err is the errno */
	OC_TIMEOUT	/* no answer within the timeout */
};

/* Most labels of an MPLS stack an answer carries (RFC 4950). */
#define ANSWER_MPLS_MAX	ICMP_MPLS_MAX

struct answer {
	enum outcome	 kind;
	/*
	 * tagged: the keyed tag verified, h holds the probe's header.  Else
	 * (an error quoting too little of the probe) dst and seq16 are all
	 * that is known, and the engine asks the mode which probe it was.
	 */
	int		 tagged;
	int		 latest;	/* untagged: the target's latest probe,
					   whatever its seq (a UDP reply) */
	int		 by_serial;	/* untagged: serial16 holds the low 16
					   bits of the probe's serial (a TCP
					   sequence number, a UDP checksum) */
	uint16_t	 serial16;
	struct probe_hdr h;
	uint8_t		 dst[16];
	uint16_t	 seq16;
	int		 family;
	uint8_t		 from[16];	/* who sent it (v4-mapped for IPv4) */
	int64_t		 rtt_ns;	/* the engine fills it in */
	uint8_t		 type, code;	/* on the wire, for records */
	const char	*error;		/* the error's name, NULL for a reply */
	long		 mtu;		/* too big / fragmentation needed, 0 */
	int		 err;		/* OC_LOCAL: errno */
	int		 ttl;		/* of the answer, -1 if unknown */
	int		 has_tos, tos;	/* its TOS / traffic class */
	/* A timestamp reply's receive and transmit (ms since midnight UTC,
	 * the responder's clock). */
	int		 has_ts;
	uint32_t	 ts_recv, ts_xmit;
	int64_t		 arrived_real;	/* its arrival, Unix ns */
	long		 size;		/* bytes of the answer */
	const char	*state;		/* a port's: "open", "closed", NULL */
	long		 port;		/* with state: the port probed */
	int		 nmpls;		/* RFC 4950 labels of a router's error */
	const struct mpls_label *mpls;
};

#endif
