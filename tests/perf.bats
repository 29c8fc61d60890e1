#!/usr/bin/env bats
# Issue 17, item 4: the socket filters (src/bpf.c).  A small run next to
# another process's full-rate sweep gets its exact counts, its CPU time
# stays near that of the same run alone, and nothing but its own answers
# reaches it: no foreign echo reply, no error quoting another process's
# probe, none of its own looped-back TCP or UDP probes.
#
# Lab (namespaces pf-<pid>-c and pf-<pid>-r):
#   c: 192.0.2.1 and 2001:db8:1::1 on lo (the small runs' targets), local
#      routes for 198.18.0.0/16 and 2001:db8:100::/64 (the sweeps'; the
#      kernel of c answers them all); 198.51.100.0/24 and 2001:db8:2::/64
#      via r
#   r: forwards, and routes those blocks back to c: a probe sent with
#      TTL 1 gets a time exceeded from r (errors quoting the other
#      process's probes, or ours)
# What reaches mping is read off strace: every packet the receive queue
# hands over, by recvmmsg (the error queue, MSG_ERRQUEUE, apart).  The
# filters' programs themselves are run over crafted packets by
# tests/bpf_test.c (a classic BPF interpreter with the kernel's rules).

bats_require_minimum_version 1.5.0
load netns

REPO="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
MPING="${MPING:-$REPO/mping}"

setup_file()
{
	netns_is_root || return 0
	netns_gc pf
	export PF_DIR PF
	PF_DIR=$(netns_mkdir pf)
	PF=pf-$$
	netns_add "$PF_DIR" "$PF-c"
	netns_add "$PF_DIR" "$PF-r"
	netns_defaults "$PF-c"
	netns_defaults "$PF-r"
	netns_sysctl "$PF-r" net.ipv4.ip_forward=1 \
	    net.ipv6.conf.all.forwarding=1
	netns_veth "$PF-c" c0 "$PF-r" r0
	ip -n "$PF-c" addr add 198.19.1.2/30 dev c0
	ip -n "$PF-r" addr add 198.19.1.1/30 dev r0
	ip -n "$PF-c" -6 addr add 2001:db8:f::2/64 dev c0 nodad
	ip -n "$PF-r" -6 addr add 2001:db8:f::1/64 dev r0 nodad
	ip -n "$PF-c" route add 198.51.100.0/24 via 198.19.1.1
	ip -n "$PF-c" -6 route add 2001:db8:2::/64 via 2001:db8:f::1
	# r sends them back to c, which does not forward: with TTL 1 they
	# die at r (time exceeded), without, at c
	ip -n "$PF-r" route add 198.51.100.0/24 via 198.19.1.2
	ip -n "$PF-r" -6 route add 2001:db8:2::/64 via 2001:db8:f::2
	# the small runs' targets: c's own addresses (an IPv6 port
	# unreachable then comes from the target, not from ::1)
	ip -n "$PF-c" addr add 192.0.2.1/32 dev lo
	ip -n "$PF-c" -6 addr add 2001:db8:1::1/128 dev lo
	ip -n "$PF-c" route add local 198.18.0.0/16 dev lo
	ip -n "$PF-c" -6 route add local 2001:db8:100::/64 dev lo
	printf 'nameserver 127.0.0.1\n' >"$(netns_etc "$PF_DIR" "$PF-c")/resolv.conf"
}

teardown_file()
{
	netns_is_root || return 0
	netns_down "$PF_DIR" "$PF"
}

setup()
{
	[[ $BATS_TEST_DESCRIPTION == *"no root"* ]] && return 0
	netns_is_root || skip "needs root"
	[ -x "$MPING" ] || skip "mping is not built"
}

teardown()
{
	pf_noise_stop
}

# pf_noise_start ARGS...: another mping in c, again and again until
# pf_noise_stop, with ARGS (a full-rate sweep).
pf_noise_start()
{
	ip netns exec "$PF-c" bash -c 'while :; do "$@" >/dev/null 2>&1; done' \
	    noise "$MPING" "$@" </dev/null 3>&- &
	PF_NOISE=$!
	sleep 0.3
}

pf_noise_stop()
{
	[ -n "${PF_NOISE:-}" ] || return 0
	kill "$PF_NOISE" 2>/dev/null || true
	wait "$PF_NOISE" 2>/dev/null || true
	PF_NOISE=
	netns_killns "$PF-c"
}

# pf_cpu ARGS...: mping ARGS in c; prints its CPU seconds (user + system,
# the kernel's accounting of the finished process), $output has its output.
pf_cpu()
{
	local t=$BATS_TEST_TMPDIR/cpu

	TIMEFORMAT='%3U %3S'
	{ time ip netns exec "$PF-c" "$MPING" "$@" >"$BATS_TEST_TMPDIR/out" \
	    2>&1 </dev/null; } 2>"$t"
	awk '{printf "%.3f\n", $1 + $2}' "$t"
}

# pf_read ARGS...: mping ARGS in c under strace; prints the packets its
# receive queues handed over (recvmmsg without MSG_ERRQUEUE), $BATS_TEST_TMPDIR/out has
# its output.
pf_read()
{
	local log=$BATS_TEST_TMPDIR/strace

	ip netns exec "$PF-c" strace -f -qq -s 0 -e trace=recvmmsg -o "$log" \
	    "$MPING" "$@" >"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null
	grep -v MSG_ERRQUEUE "$log" | sed -n 's/.*) = \([0-9][0-9]*\)$/\1/p' |
	    awk '{n += $1} END {print n + 0}'
}

# pf_counts SENT RECEIVED: every summary line of the last run says so.
pf_counts()
{
	local out=$BATS_TEST_TMPDIR/out

	cat "$out"
	[ "$(grep -c "sent=$1 received=$2 loss=" "$out")" -eq \
	    "$(grep -c 'sent=' "$out")" ]
	[ "$(grep -c 'sent=' "$out")" -ge 1 ]
}

@test "the filters' programs keep and drop the right crafted packets (tests/bpf_test.c, no root)" {
	cc -std=c99 -D_GNU_SOURCE -Wall -Wextra -O1 -g -I"$REPO/src" \
	    -o "$BATS_TEST_TMPDIR/bpf_test" "$REPO/tests/bpf_test.c" \
	    "$REPO/src/bpf.c"
	run "$BATS_TEST_TMPDIR/bpf_test"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[-1]} =~ ^[0-9]+\ checks,\ 0\ failed$ ]]
}

SWEEP="-c 1 -i 0 -q 198.18.0.0/16 2001:db8:100::/112"
SMALL="-c 100 -p 10 -q 192.0.2.1 2001:db8:1::1"

@test "a small run next to a full-rate sweep: exact counts, CPU near the same run alone" {
	local alone next
	alone=$(pf_cpu $SMALL)
	pf_counts 100 100
	pf_noise_start $SWEEP
	next=$(pf_cpu $SMALL)
	pf_counts 100 100
	pf_noise_stop
	echo "CPU alone $alone s, next to the sweep $next s"
	# Without the filter: ~45x (every reply of the sweep read and
	# rejected).  The floor on "alone" keeps a fast run from making the
	# bound tighter than the clock's noise.
	awk -v a="$alone" -v n="$next" \
	    'BEGIN {if (a < 0.02) a = 0.02; exit !(n < 5 * a)}'
}

@test "foreign echo replies never reach the reads (raw ICMP, v4, v6)" {
	local n
	pf_noise_start $SWEEP
	n=$(pf_read $SMALL)
	pf_counts 100 100
	pf_noise_stop
	echo "packets read: $n (200 are ours)"
	[ "$n" -eq 200 ]
}

@test "errors quoting another process's probes never reach the reads (raw ICMP, v4, v6)" {
	local n
	# The other process's probes die at r (TTL 1).
	pf_noise_start -c 1 -i 0 -q --ttl 1 198.51.100.0/24 2001:db8:2::/120
	n=$(pf_read $SMALL)
	pf_counts 100 100
	pf_noise_stop
	echo "packets read next to errors: $n"
	[ "$n" -eq 200 ]
}

@test "our own errors still reach the reads (raw ICMP, TTL 1, v4, v6)" {
	local n
	n=$(pf_read -c 3 -p 10 --ttl 1 --json 198.51.100.1 2001:db8:2::1)
	cat "$BATS_TEST_TMPDIR/out"
	[ "$n" -eq 6 ]
	[ "$(grep -c '"type":"error".*"error":"ttl-exceeded"' \
	    "$BATS_TEST_TMPDIR/out")" -eq 6 ]
}

@test "raw TCP: only answers to our port reach the reads, not our own looped-back SYNs" {
	local n
	pf_noise_start -T --port 1 -c 1 -i 0 -q 198.18.0.0/18
	n=$(pf_read -T --port 1 -c 100 -p 10 -q 192.0.2.1 2001:db8:1::1)
	pf_counts 100 100
	pf_noise_stop
	echo "packets read: $n (200 resets are ours)"
	[ "$n" -eq 200 ]
}

@test "raw UDP: none of our own looped-back datagrams reach the reads" {
	local n
	n=$(pf_read -U -c 100 -p 10 -q 192.0.2.1 2001:db8:1::1)
	pf_counts 100 100
	# Closed ports answer on the error queue; the receive queue would
	# otherwise hold each of our 200 datagrams, looped back.
	echo "packets read: $n"
	[ "$n" -eq 0 ]
}
