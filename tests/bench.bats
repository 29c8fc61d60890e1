#!/usr/bin/env bats
# The benchmark's own measuring (issue 17, goal 7): bench/rtime.c's times
# and exit status, and bench/lib.bash's readings of the tools' outputs
# (traces checked against the lab's truth, start-up times from strace,
# RTTs, replies), on crafted outputs: no network, no root needed.

bats_require_minimum_version 1.5.0

REPO="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"

setup_file()
{
	cc -std=c99 -O2 -Wall -Wextra -o "$BATS_FILE_TMPDIR/rtime" \
	    "$REPO/bench/rtime.c"
}

setup()
{
	. "$REPO/bench/lib.bash"
	RT=$BATS_FILE_TMPDIR/rtime
	T=$BATS_TEST_TMPDIR
}

@test "rtime: the command's exit status, a signal as 128+N, 127 if it cannot run" {
	run "$RT" "$T/t" sh -c 'exit 3'
	[ "$status" -eq 3 ]
	[ "$(wc -w <"$T/t")" -eq 4 ]
	run "$RT" "$T/t" sh -c 'kill -KILL $$'
	[ "$status" -eq 137 ]
	run -127 "$RT" "$T/t" "$T/no-such-command"
}

@test "rtime: wall, user, sys to the microsecond, peak RSS in KiB" {
	run "$RT" "$T/t" awk 'BEGIN {for (i = 0; i < 3e6; i++) s += i}'
	[ "$status" -eq 0 ]
	cat "$T/t"
	# Some CPU, no more than the wall time (one thread), six decimals,
	# and awk's RSS (more than 100 KiB, less than 1 GiB).
	awk '{exit !($2 + $3 > 0.001 && $1 + 0.005 >= $2 + $3 &&
	    $1 ~ /\.[0-9][0-9][0-9][0-9][0-9][0-9]$/ && $4 > 100 && $4 < 1048576)}' "$T/t"
}

@test "hops_found: mping's, scamper's and traceroute's hops against the lab's truth" {
	printf '198.18.200.1\n198.18.130.1\n' >"$T/list"
	truth "$T/list" >"$T/truth"
	[ "$(cat "$T/truth")" = "$(printf '198.18.200.1 7\n198.18.130.1 5')" ]
	# mping: 198.18.130.1 whole; 198.18.200.1 with hop 3 from a wrong
	# address, hop 5 twice, hop 6 silent and hop 7 missing: 4 of 7.
	cat >"$T/mping" <<-'EOF'
	198.18.130.1:  1  198.19.0.1  0.1 ms  0.1 ms  0.1 ms
	198.18.130.1:  2  198.19.1.1  0.1 ms  0.1 ms  0.1 ms
	198.18.130.1:  3  198.19.2.1  0.1 ms  0.1 ms  0.1 ms
	198.18.130.1:  4  198.19.3.1  0.1 ms  0.1 ms  0.1 ms
	198.18.130.1:  5  198.18.130.1  0.1 ms  0.1 ms  0.1 ms
	198.18.130.1: reached in 5 hops
	198.18.200.1:  1  198.19.0.1  0.1 ms  0.1 ms  0.1 ms
	198.18.200.1:  2  198.19.1.1  0.1 ms  0.1 ms  0.1 ms
	198.18.200.1:  3  198.19.9.1  0.1 ms  0.1 ms  0.1 ms
	198.18.200.1:  4  198.19.3.1  0.1 ms  0.1 ms  0.1 ms
	198.18.200.1:  5  198.19.4.1  0.1 ms  0.1 ms  0.1 ms
	198.18.200.1:  5  198.19.4.1  0.1 ms  0.1 ms  0.1 ms
	198.18.200.1:  6  *  *  *
	EOF
	[ "$(hops_found "$T/truth" "$T/mping")" = "9 12" ]
	# scamper: the same, one hop a line under "traceroute from S to T"
	cat >"$T/scamper" <<-'EOF'
	traceroute from 198.19.0.2 to 198.18.130.1
	 1  198.19.0.1  0.003 ms
	 2  198.19.1.1  0.003 ms
	 3  198.19.2.1  0.004 ms
	 4  198.19.3.1  0.004 ms
	 5  198.18.130.1  0.008 ms
	traceroute from 198.19.0.2 to 198.18.200.1
	 1  198.19.0.1  0.032 ms
	 2  198.19.1.1  0.008 ms
	 7  198.18.200.1  0.011 ms
	 8  198.18.200.1  0.011 ms
	EOF
	[ "$(hops_found "$T/truth" "$T/scamper")" = "8 12" ]
	# traceroute: "traceroute to T (T), ..." and its columns
	cat >"$T/traceroute" <<-'EOF'
	traceroute to 198.18.130.1 (198.18.130.1), 30 hops max, 60 byte packets
	 1  198.19.0.1  0.022 ms  0.003 ms  0.002 ms
	 2  * * *
	 3  198.19.2.1  0.007 ms  0.003 ms  0.004 ms
	 4  198.19.3.1  0.008 ms  0.004 ms  0.004 ms
	 5  198.18.130.1  0.009 ms  0.006 ms  0.005 ms
	EOF
	[ "$(hops_found "$T/truth" "$T/traceroute")" = "4 12" ]
}

@test "first_times: from the tool's execve to its first probe (not netlink) and its first line" {
	cat >"$T/strace" <<-'EOF'
	100  1000.000000 execve("/usr/bin/timeout", ["timeout", "-s", "KILL", "2.5", "/x/mping"], 0x1 /* 3 vars */) = 0
	101  1000.001000 execve("/x/mping", ["/x/mping", "-c", "1"], 0x2 /* 3 vars */) = 0
	101  1000.002000 sendto(7, [{nlmsg_len=28, nlmsg_type=0x1a}], 28, 0, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 28
	101  1000.050500 sendmmsg(3, [{msg_hdr={msg_name={sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("127.0.0.1")}}}], 16, 0) = 16
	101  1000.060000 write(2, "x", 1) = 1
	101  1000.070000 write(1, "127.0.0.1: seq=0", 16) = 16
	EOF
	[ "$(first_times "$T/strace")" = "49.5 69.0" ]
	# scamper: sendto a sockaddr_in6; nothing written yet
	cat >"$T/strace" <<-'EOF'
	200  2000.000000 execve("/usr/bin/timeout", ["timeout"], 0x1 /* 3 vars */) = 0
	201  2000.010000 execve("/usr/bin/scamper", ["scamper"], 0x2 /* 3 vars */) = 0
	201  2000.012500 sendto(4, "\x80\x00", 64, 0, {sa_family=AF_INET6, sin6_port=htons(0)}, 28) = 64
	EOF
	[ "$(first_times "$T/strace")" = "2.5 -" ]
}

@test "rtts and count: RTTs and replies of mping, ping and fping outputs" {
	cat >"$T/json" <<-'EOF'
	{"type":"start","time":1.0,"targets":1}
	{"type":"reply","time":1.1,"target":"203.0.113.1","seq":0,"rtt_ms":50.812,"dup":false}
	{"type":"reply","time":1.2,"target":"203.0.113.1","seq":1,"rtt_ms":51.002,"dup":false}
	{"type":"summary","target":"203.0.113.1","sent":2,"received":2,"lost":0}
	EOF
	[ "$(rtts json "$T/json" | tr '\n' ' ')" = "50.812 51.002 " ]
	[ "$(count json "$T/json")" = 2 ]
	cat >"$T/ping" <<-'EOF'
	PING 203.0.113.1 (203.0.113.1) 56(84) bytes of data.
	64 bytes from 203.0.113.1: icmp_seq=1 ttl=64 time=50.1 ms
	64 bytes from 203.0.113.1: icmp_seq=2 ttl=64 time=52.4 ms

	--- 203.0.113.1 ping statistics ---
	2 packets transmitted, 2 received, 0% packet loss, time 51ms
	EOF
	[ "$(rtts ping "$T/ping" | tr '\n' ' ')" = "50.1 52.4 " ]
	[ "$(count ping "$T/ping")" = 2 ]
	printf '%s\n' '127.1.0.1 : xmt/rcv/%loss = 1/1/0%, min/avg/max = 0.1/0.1/0.1' \
	    '127.1.0.2 : xmt/rcv/%loss = 1/0/100%' >"$T/fping"
	[ "$(count fping "$T/fping")" = 1 ]
	printf '%s\n' '127.1.0.1: sent=1 received=1 loss=0%' \
	    '127.1.0.2: sent=1 received=0 loss=100%' >"$T/text"
	[ "$(count text "$T/text")" = 1 ]
}

@test "med, medcpu, ratio: medians of runs and their ratios" {
	printf '%s\n' '0.5 0.1 0.2 100 - 0' '0.3 0.1 0.1 90 - 0' \
	    '0.9 0.3 0.3 80 - 0' >"$T/runs"
	[ "$(med "$T/runs" 1)" = 0.5 ]
	[ "$(med "$T/runs" 4)" = 90 ]
	[ "$(medcpu "$T/runs")" = 0.300 ]
	[ "$(ratio 0.5 0.25)" = 2.00 ]
	[ "$(ratio 0.5 0)" = - ]
	[ "$(per_probe 0.3 100000)" = 3.00 ]
}
