/*
 * Probe methods: how a probe is built and sent, and how its answers are
 * recognised.  One table of functions per method (ICMP echo is
 * method_icmp.c; UDP and TCP will each be one more file behind this
 * table).  A method knows its protocol's numbers and nothing of runs:
 * it turns packets into struct answer, and the engine and the run modes
 * never see a type number.
 */
#ifndef MPING_METHOD_H
#define MPING_METHOD_H

#include <stddef.h>
#include <stdint.h>

#include "answer.h"
#include "conf.h"
#include "icmp.h"
#include "sock.h"
#include "srcaddr.h"
#include "tag.h"
#include "targets.h"

struct method {
	const char *name;
	/*
	 * The method to use instead when .open fails with EPERM or EACCES
	 * (no cap_net_raw) for a family asked for, or NULL.
	 */
	const struct method *fallback;
	/* Open the family's socket, before privileges are dropped. */
	int	(*open)(struct sock *, int family, const struct conf *,
		    char *err, size_t errlen);
	/* The method's state for a run, or NULL (no memory). */
	void	*(*create)(const struct conf *, const struct targets *);
	void	(*destroy)(void *);
	/* Bytes of one probe, and room for one answer (with a quote). */
	size_t	(*probe_len)(const struct conf *);
	size_t	(*answer_len)(const struct conf *);
	/* Fill a send slot once at start (what every probe has alike). */
	void	(*prepare)(void *, uint8_t *buf, size_t len);
	/*
	 * Build probe h to target t in tx, with its keyed tag.  flow: -1,
	 * or the flow identity every probe of a Paris trace keeps.
	 */
	void	(*build)(void *, const struct sock *, struct tx *,
		    const struct target *, const struct probe_hdr *, int flow);
	/* Send tx[0..n), each with its tx.ttl (0: the run's); as
	 * sock_send_batch.  Without s->ttl_each, tx[0..n) have one TTL. */
	int	(*send)(void *, struct sock *, struct tx *, int n);
	/*
	 * A packet read from s, or a message of its error queue: 1 and a
	 * filled in if it answers one of our probes (or, untagged, may),
	 * else 0.
	 */
	int	(*recognise)(void *, const struct sock *, const struct rx *,
		    struct answer *);
	int	(*recognise_err)(void *, const struct sock *,
		    const struct rx *, struct answer *);
	/* The name of an answer's error, and traceroute's mark of it. */
	const char *(*error_name)(int family, uint8_t type, uint8_t code);
	const char *(*mark)(int family, uint8_t type, uint8_t code, long mtu,
		    char *buf, size_t len);
	/*
	 * NULL, or: the method reads its answers itself.  Its probes each
	 * have a socket of their own (method_tcpconn.c), which the engine's
	 * one socket per family cannot be: the sock .open gave is then an
	 * epoll set of the family's probe sockets, and the engine calls this
	 * when it is readable and before probes expire, instead of its own
	 * reads and recognise.  Each answer goes to answer(ctx, ...); sockets
	 * whose probe is over (answered, or older than the timeout at now)
	 * are closed.  Returns how many sockets were ready.
	 */
	int	(*drain)(void *, struct sock *, int64_t now,
		    void (*answer)(void *ctx, struct answer *,
		    const struct rx *), void *ctx);
};

/* tcpconn: TCP by connect() per probe, without privileges. */
extern const struct method method_icmp, method_udp, method_udp_raw,
	    method_tcp, method_tcpconn, method_tstamp;

/*
 * The state every method has had so far: the tag's key, what the run
 * asked for, the targets the tags name, the payload pattern after the tag
 * and the last ICMP message parsed (an answer points into it for labels).
 */
struct method_state {
	struct tag_key		 key;
	const struct conf	*c;
	const struct targets	*tg;
	uint8_t			*pattern;	/* -s bytes: i & 0xff */
	uint64_t		 corrupt;	/* replies with a bad payload */
	struct icmp_msg		 msg;
	struct srcaddr		 route;		/* raw TCP, UDP: sources */
};

/* method_common.c: what methods share. */
/* .create and .destroy of a struct method_state. */
void	*method_state_create(const struct conf *, const struct targets *);
void	 method_state_destroy(void *);
/*
 * method_raw.c: open s as a raw socket of proto (IPPROTO_TCP, _UDP) with
 * its error queue, the socket holding its source port (local_port) and
 * the one to learn source addresses with.  0, or -1 with errno (EPERM,
 * EACCES: no cap_net_raw) and a message in err, s closed.
 */
int	method_raw_open(struct sock *, int family, int proto,
	    const struct conf *, char *err, size_t errlen);
/*
 * --all-paths: the source port of a flow (the flow identity Linux's
 * multipath hash sees, with fib_multipath_hash_policy 1: addresses,
 * protocol and both ports), counted on from the held port and wrapping
 * within 1024..65535; without --all-paths, the held port.  our_port: a
 * port one of our flows may have.
 */
uint16_t method_flow_port(const struct sock *, const struct conf *, int flow);
int	method_our_port(const struct sock *, const struct conf *, uint16_t);
/* .create of a raw method (and of UDP's, for closed_port()): the common
 * state and its source cache. */
void	*method_raw_create(const struct conf *, const struct targets *);
/* A payload's keyed tag verifies for the target it names: 1 and h. */
int	method_tagged(const struct tag_key *, const struct targets *,
	    int family, const uint8_t *data, size_t len, struct probe_hdr *h);
/* .send: the batch; the TTL on the socket first if it has no TTL per
 * datagram. */
int	method_send(void *, struct sock *, struct tx *, int n);
/* What an ICMP error says of a probe (of any method). */
enum outcome method_icmp_outcome(enum icmp_class);
/* Who an error-queue message is from (the offender, else the probe's
 * destination), or a local verdict on a send (OC_LOCAL: returns 1). */
int	method_errqueue_from(const struct rx *, struct answer *);
/* An error-queue message as the answer about probe a: 1 if local. */
int	method_errqueue_answer(int family, const struct rx *,
	    const struct icmp_msg *, struct answer *);
/* traceroute's mark of a probe too big: "!F-<mtu>", or "!F" unknown. */
const char *method_mtu_mark(long mtu, char *buf, size_t len);
/* .error_name and .mark for ICMP errors, whatever the probe was. */
const char *method_icmp_error_name(int family, uint8_t type, uint8_t code);
const char *method_icmp_mark(int family, uint8_t type, uint8_t code,
	    long mtu, char *buf, size_t len);

#endif
