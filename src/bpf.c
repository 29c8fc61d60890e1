/*
 * Classic BPF socket filters for the raw sockets (bpf.h).
 *
 * What the kernel hands a filter, where it is:
 * - An IPv4 raw socket's filter sees the packet from its IP header on
 *   (raw_rcv() pushes it back before sock_queue_rcv_skb()), whose length
 *   varies with its options: BPF_MSH loads 4 * (IHL) into X.
 * - An IPv6 raw socket's filter sees the packet from the transport (or
 *   ICMPv6) header on: offset 0, the extension headers already walked.
 * - Both see a reassembled datagram (IP reassembles before raw delivery).
 * - ICMP_FILTER and ICMP6_FILTER (method_icmp.c) run first: the filter
 *   only sees the types they pass.
 * - A load past the end of the packet ends the program with 0: dropped.
 *   A quote cut too short to show an echo id cannot name our probe.
 * - The filter guards the receive queue only: the error queue (IP_RECVERR
 *   of raw TCP and UDP sockets, where errors quoting any process's
 *   segments or datagrams of the protocol land) is not filtered.  What
 *   was queued before the filter was attached passed none (flush()).
 * - "Accept" returns the largest length: returning less would cut the
 *   packet to that length.
 */
#include <sys/socket.h>
#include <linux/filter.h>
#include <errno.h>
#include <string.h>

#include "bpf.h"
#include "conf.h"

#define PROG_MAX	48

/* Jump targets, placed as the program is written. */
enum label { L_ACCEPT, L_DROP, L_ERROR, L_QUOTE, L_FRAG, L_N };

/*
 * A program under construction: each jump names labels (-1: the next
 * instruction), which attach() turns into the forward offsets BPF wants.
 */
struct prog {
	struct sock_filter f[PROG_MAX];
	int	jt[PROG_MAX], jf[PROG_MAX];
	int	at[L_N];
	int	n;
};

static void
op(struct prog *p, uint16_t code, uint32_t k)
{
	if (p->n == PROG_MAX)
		return;
	memset(&p->f[p->n], 0, sizeof(p->f[0]));
	p->f[p->n].code = code;
	p->f[p->n].k = k;
	p->jt[p->n] = p->jf[p->n] = -1;
	p->n++;
}

/* if (A <cond> k) goto t else goto f (labels, -1: on). */
static void
jump(struct prog *p, uint16_t cond, uint32_t k, int t, int f)
{
	op(p, BPF_JMP | cond | BPF_K, k);
	p->jt[p->n - 1] = t;
	p->jf[p->n - 1] = f;
}

static void
label(struct prog *p, enum label l)
{
	p->at[l] = p->n;
}

/*
 * What the socket queued before its filter was attached passed no filter:
 * thrown away unread (no probe has left yet, so none of it is ours; the
 * kernel cannot attach a filter to a socket before it exists).
 */
static void
flush(int fd)
{
	char b;

	while (recv(fd, &b, 1, MSG_DONTWAIT | MSG_TRUNC) >= 0)
		;
}

/* Resolve the jumps (all forward), end with drop and accept, attach. */
static int
attach(int fd, struct prog *p)
{
	struct sock_fprog fp;
	int i, t;

	label(p, L_DROP);
	op(p, BPF_RET | BPF_K, 0);
	label(p, L_ACCEPT);
	op(p, BPF_RET | BPF_K, 0xffffffffu);
	if (p->n == PROG_MAX) {
		errno = E2BIG;
		return -1;
	}
	for (i = 0; i < p->n; i++) {
		if ((t = p->jt[i]) >= 0)
			p->f[i].jt = (uint8_t)(p->at[t] - i - 1);
		if ((t = p->jf[i]) >= 0)
			p->f[i].jf = (uint8_t)(p->at[t] - i - 1);
	}
	fp.len = (unsigned short)p->n;
	fp.filter = p->f;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp,
	    sizeof(fp)) == -1)
		return -1;
	flush(fd);
	return 0;
}

/* An echo (or timestamp) message of type at X with our id: accept,
 * else drop. */
static void
echo_at_x(struct prog *p, uint8_t type, uint16_t id)
{
	op(p, BPF_LD | BPF_B | BPF_IND, 0);
	jump(p, BPF_JEQ, type, -1, L_DROP);
	op(p, BPF_LD | BPF_H | BPF_IND, 4);
	jump(p, BPF_JEQ, id, L_ACCEPT, L_DROP);
}

/*
 * The ICMP type at X: an error type on to L_ERROR; else it must be our
 * reply (echo or timestamp: type reply) with our id.
 */
static void
dispatch(struct prog *p, uint8_t reply, const uint8_t *errors, size_t n,
    uint16_t id)
{
	size_t i;

	op(p, BPF_LD | BPF_B | BPF_IND, 0);
	for (i = 0; i < n; i++)
		jump(p, BPF_JEQ, errors[i], L_ERROR, -1);
	echo_at_x(p, reply, id);
}

/*
 * IPv4: X is the IP header's length; ICMP type at X.  An error's quoted
 * IP header starts at X + 8: its protocol must be ICMP, and after its own
 * header (its IHL, which BPF_MSH cannot read at a variable offset: masked
 * and shifted by hand) our request (echo: 8, timestamp: 13).
 */
static void
icmp4(struct prog *p, uint8_t reply, uint8_t request, uint16_t id)
{
	static const uint8_t errors[] = { 3, 11, 12, 4, 5 };

	op(p, BPF_LDX | BPF_B | BPF_MSH, 0);
	dispatch(p, reply, errors, sizeof(errors), id);
	label(p, L_ERROR);
	op(p, BPF_LD | BPF_B | BPF_IND, 8 + 9);
	jump(p, BPF_JEQ, 1, -1, L_DROP);
	op(p, BPF_LD | BPF_B | BPF_IND, 8);
	op(p, BPF_ALU | BPF_AND | BPF_K, 0x0f);
	op(p, BPF_ALU | BPF_LSH | BPF_K, 2);
	op(p, BPF_ALU | BPF_ADD | BPF_X, 0);
	op(p, BPF_ALU | BPF_ADD | BPF_K, 8);
	op(p, BPF_MISC | BPF_TAX, 0);
	echo_at_x(p, request, id);
}

/*
 * IPv6: ICMPv6 at 0; an error's quoted IPv6 header at 8, its next header
 * at 14.  ICMPv6 right after it (48), or after a first fragment's header
 * (56); other extension headers are left to the codec to walk.
 */
static void
icmp6(struct prog *p, uint16_t id)
{
	static const uint8_t errors[] = { 1, 2, 3, 4 };

	op(p, BPF_LDX | BPF_IMM, 0);
	dispatch(p, 129, errors, sizeof(errors), id);
	label(p, L_ERROR);
	op(p, BPF_LDX | BPF_IMM, 48);
	op(p, BPF_LD | BPF_B | BPF_ABS, 8 + 6);
	jump(p, BPF_JEQ, 58, L_QUOTE, -1);
	jump(p, BPF_JEQ, 44, L_FRAG, -1);
	jump(p, BPF_JEQ, 0, L_ACCEPT, -1);	/* hop-by-hop */
	jump(p, BPF_JEQ, 43, L_ACCEPT, -1);	/* routing */
	jump(p, BPF_JEQ, 60, L_ACCEPT, L_DROP);	/* destination options */
	label(p, L_FRAG);
	/* A later fragment holds no ICMPv6 header: not ours to match. */
	op(p, BPF_LD | BPF_H | BPF_ABS, 48 + 2);
	jump(p, BPF_JSET, 0xfff8, L_DROP, -1);
	op(p, BPF_LD | BPF_B | BPF_ABS, 48);
	jump(p, BPF_JEQ, 58, -1, L_ACCEPT);
	op(p, BPF_LDX | BPF_IMM, 56);
	label(p, L_QUOTE);
	echo_at_x(p, 128, id);
}

int
bpf_icmp_echo(int fd, int family, uint16_t id)
{
	struct prog p;

	memset(&p, 0, sizeof(p));
	if (family == AF_INET)
		icmp4(&p, 0, 8, id);
	else
		icmp6(&p, id);
	return attach(fd, &p);
}

/* A timestamp reply (14) or request (13) has its id where echo has. */
int
bpf_icmp_timestamp(int fd, uint16_t id)
{
	struct prog p;

	memset(&p, 0, sizeof(p));
	icmp4(&p, 14, 13, id);
	return attach(fd, &p);
}

/*
 * Transport header at X (IPv4: after the IP header; IPv6: at 0).  With
 * nports above 1, A is a destination port in the run of nports from
 * dport (1024 after 65535) when (A - dport) mod FLOW_PORTS < nports,
 * computed without going below 0: A + 2 * FLOW_PORTS - dport.
 */
int
bpf_ports(int fd, int family, uint16_t sport, uint16_t dport,
    uint32_t nports, uint8_t flags)
{
	struct prog p;

	memset(&p, 0, sizeof(p));
	if (family == AF_INET)
		op(&p, BPF_LDX | BPF_B | BPF_MSH, 0);
	else
		op(&p, BPF_LDX | BPF_IMM, 0);
	op(&p, BPF_LD | BPF_H | BPF_IND, 0);
	jump(&p, BPF_JEQ, sport, -1, L_DROP);
	op(&p, BPF_LD | BPF_H | BPF_IND, 2);
	if (nports > 1) {
		jump(&p, BPF_JGE, 1024, -1, L_DROP);
		op(&p, BPF_ALU | BPF_ADD | BPF_K, 2 * FLOW_PORTS - dport);
		op(&p, BPF_ALU | BPF_MOD | BPF_K, FLOW_PORTS);
		jump(&p, BPF_JGE, nports, L_DROP, flags ? -1 : L_ACCEPT);
	} else
		jump(&p, BPF_JEQ, dport, flags ? -1 : L_ACCEPT, L_DROP);
	if (flags) {
		op(&p, BPF_LD | BPF_B | BPF_IND, 13);
		jump(&p, BPF_JSET, flags, L_ACCEPT, L_DROP);
	}
	return attach(fd, &p);
}
