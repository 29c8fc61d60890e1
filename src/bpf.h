/*
 * Socket filters (classic BPF, SO_ATTACH_FILTER) for raw sockets: the
 * kernel drops what cannot answer our probes before it is queued, so a
 * small run next to a sweep of another process does not pay for that
 * sweep's replies.  The methods still check every packet they read (a
 * filter is a saving, never the proof): a socket without one (an old
 * kernel, or packets queued before it was attached) works as before.
 */
#ifndef MPING_BPF_H
#define MPING_BPF_H

#include <stdint.h>

/*
 * A raw ICMP (AF_INET) or ICMPv6 (AF_INET6) socket: only echo replies
 * with echo id id, and errors quoting an echo request with that id.
 * 0, or -1 with errno.
 */
int	bpf_icmp_echo(int fd, int family, uint16_t id);
/*
 * The same for a raw IPv4 ICMP socket of timestamp requests
 * (--icmp-timestamp): timestamp replies with id, errors quoting a
 * timestamp request with id.
 */
int	bpf_icmp_timestamp(int fd, uint16_t id);
/*
 * A raw TCP or UDP socket: only segments or datagrams from port sport to
 * port dport, or with nports above 1 to the run of nports ports from dport
 * (--all-paths' flows: 1024 comes after 65535, as in method_raw.c), and,
 * if flags is not 0, with one of those TCP flag bits set (byte 13 of the
 * TCP header).  0, or -1 with errno.
 */
int	bpf_ports(int fd, int family, uint16_t sport, uint16_t dport,
	    uint32_t nports, uint8_t flags);

#endif
