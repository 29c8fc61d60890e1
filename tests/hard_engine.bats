#!/usr/bin/env bats
# The engine under stress (issue 11, items 2, 3, 5, 6, 10, 15): counts past
# the 16-bit seq, stalls, pacing, wall-clock steps, memory, out of memory.
#
# A lab of its own, tagged "mhe":
#
#	c (client) c0 ---- e0 e (echo: tests/responder, the kernel is silent)
#
#	c0 198.51.100.1/24, e0 198.51.100.2/24
#	c: local 198.18.0.0/16 dev lo (the client answers itself, fast)
#	   203.0.113.0/24 and 198.19.0.0/16 via e
#	e: local 203.0.113.0/24 dev lo, answered by a responder the test
#	   starts; 198.19.0.0/16 is dropped (e does not forward): a sink
#
# Shims, built here: tests/clockshim.c (a faster monotonic clock, a stepped
# wall clock), tests/failmalloc.c (large allocations fail).

load netns
bats_require_minimum_version 1.5.0

MHE_REPO="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
MPING="${MPING:-$MHE_REPO/mping}"
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS

mhe_exec()
{
	local node=$1
	shift
	ip netns exec "$MHE-$node" "$@"
}

# hmp ARGS...: mping in the client, stdin from /dev/null.
hmp()
{
	mhe_exec c "$MPING" "$@" </dev/null
}

_mhe_build()
{
	local n etc

	for n in c e; do
		netns_add "$MHE_DIR" "$MHE-$n" &&
		netns_defaults "$MHE-$n" || return 1
	done
	etc=$(netns_etc "$MHE_DIR" "$MHE-c") || return 1
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$etc/hosts"
	printf 'nameserver 127.0.0.1\n' >"$etc/resolv.conf"
	ip -n "$MHE-c" link add c0 type veth peer name e0 netns "$MHE-e" &&
	ip -n "$MHE-c" addr add 198.51.100.1/24 dev c0 &&
	ip -n "$MHE-e" addr add 198.51.100.2/24 dev e0 &&
	ip -n "$MHE-c" link set c0 up &&
	ip -n "$MHE-e" link set e0 up &&
	ip -n "$MHE-c" route add local 198.18.0.0/16 dev lo &&
	ip -n "$MHE-c" route add 203.0.113.0/24 via 198.51.100.2 &&
	ip -n "$MHE-c" route add 198.19.0.0/16 via 198.51.100.2 &&
	ip -n "$MHE-e" route add local 203.0.113.0/24 dev lo &&
	netns_sysctl "$MHE-e" net.ipv4.icmp_echo_ignore_all=1 || return 1
	cc -std=c99 -O2 -Wall -Wextra -o "$MHE_DIR/responder" \
	    "$MHE_REPO/tests/responder.c" &&
	cc -shared -fPIC -o "$MHE_DIR/clockshim.so" \
	    "$MHE_REPO/tests/clockshim.c" -ldl &&
	cc -shared -fPIC -o "$MHE_DIR/failmalloc.so" \
	    "$MHE_REPO/tests/failmalloc.c" -ldl || return 1
	# The neighbour entry, before any test counts.
	mhe_exec c ping -c 1 -W 1 198.51.100.2 >/dev/null 2>&1 || true
}

setup_file()	{ netns_lab_up MHE mhe _mhe_build; }
teardown_file()	{ netns_lab_down MHE; }

setup()
{
	netns_is_root || skip "needs root"
	[ -n "${MHE:-}" ] || skip "lab not built"
	: >"$MHE_DIR/pids"
}

teardown()
{
	local pid

	for pid in $(cat "$MHE_DIR/pids" 2>/dev/null); do
		kill -KILL "$pid" 2>/dev/null || true
	done
	return 0
}

# responder ARGS...: a responder in e, killed after the test.
responder()
{
	local pidfile=$MHE_DIR/responder.pid i

	rm -f "$pidfile"
	ip netns exec "$MHE-e" "$MHE_DIR/responder" --pidfile "$pidfile" "$@" \
	    >"$MHE_DIR/responder.log" 2>&1 </dev/null 3>&- &
	disown
	for i in $(seq 50); do
		if [ -s "$pidfile" ]; then
			cat "$pidfile" >>"$MHE_DIR/pids"
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# bg OUT ARGS...: mping in the background (stdout to OUT); pid in BG_PID.
bg()
{
	local out=$1
	shift
	# ip netns exec execs mping: $! is mping's pid.
	ip netns exec "$MHE-c" "$MPING" "$@" </dev/null >"$out" \
	    2>"$out.err" 3>&- &
	BG_PID=$!
	echo "$BG_PID" >>"$MHE_DIR/pids"
}

# wait_for PID SECS: wait for PID to exit, its status in STATUS (124: it
# did not exit in time).
wait_for()
{
	local pid=$1 i
	for i in $(seq $(($2 * 20))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		STATUS=124
		return 0
	fi
	STATUS=0
	wait "$pid" || STATUS=$?
}

# rss PID: VmRSS of PID in kB.
rss()
{
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

@test "item 15: probe pool unit tests (serials, generations, pending list through growth)" {
	cc -std=c99 -D_GNU_SOURCE -Wall -Wextra -Werror -I"$MHE_REPO/src" \
	    -o "$MHE_DIR/sched_test" "$MHE_REPO/tests/sched_test.c" \
	    "$MHE_REPO/src/sched.c"
	run "$MHE_DIR/sched_test"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
}

@test "item 2: -c 65537 ends with exactly 65537 sent and received (seq wraps on the wire)" {
	# A monotonic clock 10 times faster: -p 1 is 0.1 ms, -w 300 is 30 s.
	run --separate-stderr mhe_exec c env \
	    LD_PRELOAD="$MHE_DIR/clockshim.so" CLOCKSHIM_SPEED=10 \
	    "$MPING" -q --json -c 65537 -p 1 -i 0 -w 300 198.18.0.1 \
	    </dev/null
	echo "$output" | tail -3
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "summary" and .sent == 65537 and .received == 65537 and .lost == 0')" -eq 1 ]
}

@test "item 2: -c past 65536 to two targets: exact per target, no duplicates" {
	# The wire seq of probe 65536 is 0 again: the tag's 32-bit seq
	# must tell them apart, also for the two targets.
	run --separate-stderr mhe_exec c env \
	    LD_PRELOAD="$MHE_DIR/clockshim.so" CLOCKSHIM_SPEED=10 \
	    "$MPING" -q --json -c 65540 -p 1 -i 0 -w 300 198.18.0.1 \
	    198.18.0.2 </dev/null
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "summary" and .sent == 65540 and .received == 65540 and .dups == 0')" -eq 2 ]
}

@test "item 3: replies that came in time during a SIGSTOP are counted, with their RTT" {
	local out=$MHE_DIR/stall.json
	responder --delay 500
	bg "$out" --json -c 1 -t 2000 203.0.113.1 203.0.113.2 203.0.113.3 \
	    203.0.113.4 203.0.113.5 203.0.113.6 203.0.113.7 203.0.113.8
	sleep 0.2
	kill -STOP "$BG_PID"
	sleep 3
	kill -CONT "$BG_PID"
	wait_for "$BG_PID" 10
	output=$(cat "$out")
	echo "$output"
	[ "$STATUS" -eq 0 ]
	[ "$(jcount '.type == "reply" and (.late | not) and .rtt_ms >= 490 and .rtt_ms < 1000')" -eq 8 ]
	[ "$(jcount '.type == "summary" and .received == 1 and .lost == 0')" -eq 8 ]
	[ "$(jcount '.type == "timeout"')" -eq 0 ]
}

@test "item 3: a reply after its timeout is late, not counted, and has its RTT (JSON and text)" {
	local out=$MHE_DIR/late.json
	responder --delay 1500
	run --separate-stderr hmp --json -c 2 -p 1000 -t 1000 203.0.113.1
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(jcount '.type == "reply" and .seq == 0 and .late and .rtt_ms >= 1490 and .rtt_ms < 2000')" -eq 1 ]
	[ "$(jcount '.type == "summary" and .received == 0 and .sent == 2')" -eq 1 ]
	run --separate-stderr hmp -c 2 -p 1000 -t 1000 203.0.113.1
	echo "$output"
	# As in JSON, 1490 ms or more: the responder's timer and the
	# stamp's conversion to the monotonic clock differ by microseconds.
	echo "$output" | grep -E 'seq=0 .*rtt=1(49[0-9]|[5-9][0-9][0-9])\.[0-9]{3} ms.*late, not counted'
}

@test "item 5: the period is kept exactly (rounds in a fixed time)" {
	# 2 s at -p 2 is 1000 rounds; scheduled from when the last probe
	# went out, every round also lost the loop's wake-up delay (about
	# 7% fewer here).  A loaded machine (CI runs two suites at once)
	# delays the start and the odd wake-up: 969 was seen, so 5% slack.
	run --separate-stderr hmp -q --json -i 0 -p 2 -w 2 198.18.0.1
	echo "$output" | grep summary
	[ "$(jcount '.type == "summary" and .sent >= 950 and .sent <= 1002')" -eq 1 ]
}

@test "item 5: -i is a minimum between two probes, also after a stall" {
	local cap=$MHE_DIR/gaps.txt out=$MHE_DIR/gaps.out pid min
	responder
	ip netns exec "$MHE-c" tcpdump -i c0 -n -l -tt --immediate-mode \
	    'icmp[icmptype] == 8' >"$cap" 2>"$cap.err" &
	pid=$!
	echo "$pid" >>"$MHE_DIR/pids"
	for _ in $(seq 40); do
		grep -q listening "$cap.err" && break
		sleep 0.05
	done
	# 200 probes 1 ms apart; the process stops for 0.1 s on the way
	# (as on a loaded machine): after it, no two probes go together.
	bg "$out" -q -c 1 -i 1 -t 300 203.0.113.0/24
	sleep 0.08
	kill -STOP "$BG_PID"
	sleep 0.1
	kill -CONT "$BG_PID"
	wait_for "$BG_PID" 10
	[ "$STATUS" -eq 0 ]
	sleep 0.3
	kill "$pid"
	wait "$pid" || true
	[ "$(grep -c 'echo request' "$cap")" -eq 254 ]
	# The shortest gap between two requests on the wire, in ms.
	min=$(awk '/echo request/ { if (NR > 1) { g = ($1 - t) * 1000; if (m == "" || g < m) m = g } t = $1 } END { printf "%.3f\n", m }' "$cap")
	echo "shortest gap: $min ms"
	awk -v m="$min" 'BEGIN { exit !(m >= 0.98) }'
}

@test "item 6: a wall-clock step between arrival and read: RTTs from the read time, not 0" {
	responder --delay 200
	# The wall clock reads an hour ahead of the kernel's stamps.
	run --separate-stderr mhe_exec c env \
	    LD_PRELOAD="$MHE_DIR/clockshim.so" CLOCKSHIM_STEP=3600 \
	    "$MPING" --json -c 3 -p 100 203.0.113.1 </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "reply" and .rtt_ms >= 195 and .rtt_ms < 500')" -eq 3 ]
}

@test "item 15: memory follows the probes in flight, not rate x timeout" {
	local out=$MHE_DIR/rss.txt a b
	# 1022 answering targets at -p 10: about 100,000 probes a second,
	# each answered within a millisecond, with a 10-minute timeout.
	bg "$out" -q -p 10 -i 0 -t 600000 -w 20 198.18.4.0/22
	sleep 1.5
	a=$(rss "$BG_PID")
	sleep 3
	b=$(rss "$BG_PID")
	kill -INT "$BG_PID"
	wait_for "$BG_PID" 5
	echo "VmRSS $a kB, then $b kB 3 s later"
	[ "$b" -lt $((a + 1024)) ]
}

@test "item 10: a probe pool that cannot grow: out of memory, exit 4, no spinning" {
	# Allocations of 1 MB or more fail: the pool stops at 16,384 probes
	# in flight, reached in well under a second at this rate.
	run --separate-stderr mhe_exec c env \
	    LD_PRELOAD="$MHE_DIR/failmalloc.so" FAILMALLOC_MIN=1048576 \
	    "$MPING" -q -p 10 -i 0 -t 600000 -w 10 198.19.0.0/20 </dev/null
	echo "status $status: $stderr"
	[ "$status" -eq 4 ]
	[ "$stderr" = "mping: out of memory" ]
}
