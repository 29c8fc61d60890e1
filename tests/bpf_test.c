/*
 * bpf_test: the socket filters of src/bpf.c run over crafted packets by a
 * small classic BPF interpreter with the kernel's rules (a load past the
 * end ends the program with 0; the return value is the length kept).
 * setsockopt() and recv() are this file's own: bpf.c's SO_ATTACH_FILTER
 * hands the program here instead of to a socket.  No root, no network.
 *
 * What a filter sees (bpf.c): IPv4 from the IP header on, IPv6 from the
 * ICMPv6 or transport header on.
 */
#define UNIT_NAME "bpf_test.c"

#include <sys/socket.h>
#include <linux/filter.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "bpf.h"
#include "unit.h"

#define ID	0x1234
#define OTHER	0x5a5a

static struct sock_filter prog[64];
static unsigned proglen;

int
setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	const struct sock_fprog *fp = val;

	(void)fd;
	(void)len;
	if (level != SOL_SOCKET || name != SO_ATTACH_FILTER ||
	    fp->len > 64) {
		errno = EINVAL;
		return -1;
	}
	memcpy(prog, fp->filter, fp->len * sizeof(prog[0]));
	proglen = fp->len;
	return 0;
}

ssize_t
recv(int fd, void *buf, size_t len, int flags)
{
	(void)fd;
	(void)buf;
	(void)len;
	(void)flags;
	errno = EAGAIN;
	return -1;
}

/* Load size bytes at off into *v, big-endian; 0 past the end. */
static int
load(const uint8_t *p, size_t len, uint32_t off, int size, uint32_t *v)
{
	int i;

	if (off > len || (size_t)size > len - off)
		return 0;
	for (*v = 0, i = 0; i < size; i++)
		*v = *v << 8 | p[off + i];
	return 1;
}

static int
size_of(uint16_t code)
{
	return BPF_SIZE(code) == BPF_B ? 1 : BPF_SIZE(code) == BPF_H ? 2 : 4;
}

static uint32_t
alu(uint16_t code, uint32_t a, uint32_t v)
{
	switch (BPF_OP(code)) {
	case BPF_ADD:	return a + v;
	case BPF_AND:	return a & v;
	case BPF_LSH:	return a << v;
	case BPF_MOD:	return v ? a % v : 0xdeadbeef;
	}
	return 0xdeadbeef;
}

/* The program over a packet: what the kernel would keep (0: dropped). */
static uint32_t
run(const uint8_t *p, size_t len)
{
	uint32_t a = 0, x = 0, v;
	unsigned pc;

	for (pc = 0; pc < proglen; pc++) {
		const struct sock_filter *f = &prog[pc];

		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (!load(p, len, f->k + (BPF_MODE(f->code) ==
			    BPF_IND ? x : 0), size_of(f->code), &a))
				return 0;
			break;
		case BPF_LDX:
			if (BPF_MODE(f->code) == BPF_IMM)
				x = f->k;
			else if (!load(p, len, f->k, 1, &v))
				return 0;
			else
				x = (v & 0xf) * 4;
			break;
		case BPF_ALU:
			a = alu(f->code, a, BPF_SRC(f->code) == BPF_X ? x :
			    f->k);
			break;
		case BPF_MISC:
			x = a;
			break;
		case BPF_JMP:
			if (BPF_OP(f->code) == BPF_JEQ ? a == f->k :
			    BPF_OP(f->code) == BPF_JGE ? a >= f->k :
			    BPF_OP(f->code) == BPF_JGT ? a > f->k :
			    (a & f->k) != 0)
				pc += f->jt;
			else
				pc += f->jf;
			break;
		case BPF_RET:
			return f->k;
		}
	}
	return 0;
}

static int
kept(const uint8_t *p, size_t len)
{
	return run(p, len) >= len;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* An IPv4 header of words * 4 bytes (options zero), protocol proto. */
static size_t
ip4(uint8_t *p, int words, uint8_t proto)
{
	memset(p, 0, (size_t)words * 4);
	p[0] = (uint8_t)(0x40 | words);
	p[8] = 64;
	p[9] = proto;
	return (size_t)words * 4;
}

/* An 8-byte echo header and 16 bytes of payload. */
static size_t
echo(uint8_t *p, uint8_t type, uint16_t id)
{
	memset(p, 0, 24);
	p[0] = type;
	put16(p + 4, id);
	return 24;
}

/* An IPv4 ICMP error of type quoting an IPv4 datagram of words words
 * whose protocol is proto: an echo request with id, cut to cut bytes. */
static size_t
error4(uint8_t *p, uint8_t type, int words, uint8_t proto, uint16_t id,
    size_t cut)
{
	size_t n = ip4(p, 5, 1);

	memset(p + n, 0, 8);
	p[n] = type;
	n += 8;
	n += ip4(p + n, words, proto);
	n += echo(p + n, 8, id) - 24 + cut;
	return n;
}

static void
v4(void)
{
	uint8_t p[256];
	size_t n;

	CHECK_EQ(bpf_icmp_echo(3, AF_INET, ID), 0);
	n = ip4(p, 5, 1);
	CHECK(kept(p, n + echo(p + n, 0, ID)));
	CHECK(!kept(p, n + echo(p + n, 0, OTHER)));
	n = ip4(p, 8, 1);	/* options: the ICMP header moves */
	CHECK(kept(p, n + echo(p + n, 0, ID)));
	CHECK(!kept(p, n + echo(p + n, 0, OTHER)));
	echo(p + n, 0, ID);
	CHECK(!kept(p, n + 5));	/* cut inside the id */
	CHECK(!kept(p, n + echo(p + n, 13, ID)));	/* timestamp reply */
	/* Errors quoting our echo request, inner header with options too. */
	CHECK(kept(p, error4(p, 11, 5, 1, ID, 8)));
	CHECK(kept(p, error4(p, 3, 5, 1, ID, 24)));
	CHECK(kept(p, error4(p, 3, 7, 1, ID, 8)));
	CHECK(kept(p, error4(p, 12, 5, 1, ID, 8)));
	CHECK(kept(p, error4(p, 4, 5, 1, ID, 8)));
	CHECK(kept(p, error4(p, 5, 5, 1, ID, 8)));
	CHECK(!kept(p, error4(p, 11, 5, 1, OTHER, 8)));
	CHECK(!kept(p, error4(p, 11, 7, 1, OTHER, 8)));
	CHECK(!kept(p, error4(p, 11, 5, 17, ID, 8)));	/* UDP quoted */
	CHECK(!kept(p, error4(p, 11, 5, 1, ID, 4)));	/* no id quoted */
	n = error4(p, 11, 5, 1, ID, 8);
	p[20 + 8 + 20] = 0;	/* a quoted echo reply is not our probe */
	CHECK(!kept(p, n));
}

/* --icmp-timestamp: timestamp replies (14) with our id, errors quoting
 * a timestamp request (13) with our id; echo is not ours. */
static void
timestamp(void)
{
	uint8_t p[256];
	size_t n;

	CHECK_EQ(bpf_icmp_timestamp(3, ID), 0);
	n = ip4(p, 5, 1);
	CHECK(kept(p, n + echo(p + n, 14, ID)));
	CHECK(!kept(p, n + echo(p + n, 14, OTHER)));
	CHECK(!kept(p, n + echo(p + n, 0, ID)));	/* an echo reply */
	n = ip4(p, 6, 1);
	CHECK(kept(p, n + echo(p + n, 14, ID)));
	n = error4(p, 11, 5, 1, ID, 8);
	p[20 + 8 + 20] = 13;
	CHECK(kept(p, n));
	n = error4(p, 3, 7, 1, ID, 20);
	p[20 + 8 + 28] = 13;
	CHECK(kept(p, n));
	n = error4(p, 11, 5, 1, OTHER, 8);
	p[20 + 8 + 20] = 13;
	CHECK(!kept(p, n));
	/* Errors quoting an echo request with our id: another method's. */
	CHECK(!kept(p, error4(p, 11, 5, 1, ID, 8)));
}

/* An ICMPv6 error of type quoting an IPv6 header (next header nh), then
 * what extra holds (extra_len bytes), then our echo request with id. */
static size_t
error6(uint8_t *p, uint8_t type, uint8_t nh, const uint8_t *extra,
    size_t extra_len, uint16_t id)
{
	size_t n = 8;

	memset(p, 0, 48);
	p[0] = type;
	p[8] = 0x60;
	p[8 + 6] = nh;
	n += 40;
	if (extra_len)
		memcpy(p + n, extra, extra_len);
	n += extra_len;
	return n + echo(p + n, 128, id);
}

static void
v6(void)
{
	static const uint8_t frag_first[8] = { 58, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t frag_later[8] = { 58, 0, 0x05, 0xa8, 0, 0, 0,
	    1 };
	static const uint8_t hbh[8] = { 58, 0, 1, 4, 0, 0, 0, 0 };
	uint8_t p[256];

	CHECK_EQ(bpf_icmp_echo(3, AF_INET6, ID), 0);
	CHECK(kept(p, echo(p, 129, ID)));
	CHECK(!kept(p, echo(p, 129, OTHER)));
	CHECK(!kept(p, echo(p, 128, ID)));
	CHECK(kept(p, error6(p, 3, 58, NULL, 0, ID)));
	CHECK(kept(p, error6(p, 1, 58, NULL, 0, ID)));
	CHECK(kept(p, error6(p, 2, 58, NULL, 0, ID)));
	CHECK(kept(p, error6(p, 4, 58, NULL, 0, ID)));
	CHECK(!kept(p, error6(p, 3, 58, NULL, 0, OTHER)));
	CHECK(!kept(p, error6(p, 3, 17, NULL, 0, ID)));
	CHECK(kept(p, error6(p, 3, 44, frag_first, 8, ID)));
	CHECK(!kept(p, error6(p, 3, 44, frag_first, 8, OTHER)));
	CHECK(!kept(p, error6(p, 3, 44, frag_later, 8, ID)));
	/* Other extension headers: the codec walks them. */
	CHECK(kept(p, error6(p, 3, 0, hbh, 8, OTHER)));
	error6(p, 3, 58, NULL, 0, ID);
	CHECK(!kept(p, 8 + 40 + 5));	/* cut inside the quoted id */
}

/* A transport header after h bytes: ports and TCP flags. */
static size_t
l4(uint8_t *p, size_t h, uint16_t sport, uint16_t dport, uint8_t flags)
{
	memset(p + h, 0, 20);
	put16(p + h, sport);
	put16(p + h + 2, dport);
	p[h + 13] = flags;
	return h + 20;
}

static void
ports(void)
{
	uint8_t p[256];
	size_t h;

	CHECK_EQ(bpf_ports(3, AF_INET, 80, 40000, 1, 0x10), 0);
	h = ip4(p, 5, 6);
	CHECK(kept(p, l4(p, h, 80, 40000, 0x12)));	/* SYN-ACK */
	CHECK(kept(p, l4(p, h, 80, 40000, 0x14)));	/* RST-ACK */
	CHECK(!kept(p, l4(p, h, 80, 40000, 0x02)));	/* a SYN */
	CHECK(!kept(p, l4(p, h, 40000, 80, 0x02)));	/* ours, back */
	CHECK(!kept(p, l4(p, h, 80, 40001, 0x12)));
	CHECK(!kept(p, l4(p, h, 81, 40000, 0x12)));
	h = ip4(p, 6, 6);
	CHECK(kept(p, l4(p, h, 80, 40000, 0x12)));
	/* --flow 80 --port 80: only the flags tell our SYN from answers */
	CHECK_EQ(bpf_ports(3, AF_INET6, 80, 80, 1, 0x10), 0);
	CHECK(kept(p, l4(p, 0, 80, 80, 0x14)));
	CHECK(!kept(p, l4(p, 0, 80, 80, 0x02)));
	/* --all-paths: the flows' ports, 4096 from 65000, 1024 after 65535 */
	CHECK_EQ(bpf_ports(3, AF_INET, 7, 65000, 4096, 0x10), 0);
	h = ip4(p, 5, 6);
	CHECK(kept(p, l4(p, h, 7, 65000, 0x14)));
	CHECK(kept(p, l4(p, h, 7, 65535, 0x14)));
	CHECK(kept(p, l4(p, h, 7, 1024, 0x14)));
	CHECK(kept(p, l4(p, h, 7, 1024 + 4095 - 536, 0x14)));
	CHECK(!kept(p, l4(p, h, 7, 1024 + 4096 - 536, 0x14)));
	CHECK(!kept(p, l4(p, h, 7, 64999, 0x14)));
	CHECK(!kept(p, l4(p, h, 7, 1023, 0x14)));
	CHECK(!kept(p, l4(p, h, 7, 80, 0x14)));
	CHECK(!kept(p, l4(p, h, 7, 65001, 0x02)));	/* a SYN */
	CHECK(!kept(p, l4(p, h, 8, 65001, 0x14)));
	CHECK_EQ(bpf_ports(3, AF_INET6, 33434, 40000, 1, 0), 0);
	CHECK(kept(p, l4(p, 0, 33434, 40000, 0)));
	CHECK(!kept(p, l4(p, 0, 40000, 33434, 0)));
	CHECK(!kept(p, 3));
}

int
main(int argc, char **argv)
{
	static const struct unit_group groups[] = {
		{ "v4", v4 },
		{ "v6", v6 },
		{ "ports", ports },
		{ "timestamp", timestamp },
	};

	return unit_main(argc, argv, groups, sizeof(groups) /
	    sizeof(groups[0]));
}
