#!/usr/bin/env bats
#
# Issue 17 goal 3: a million targets in 64 MB.  A lab of its own, tagged
# "mm", two namespaces with nothing but loopback:
#
#	s (sweep): 127.0.0.0/8 is local on lo, the kernel answers every echo
#	e (echo): 203.0.113.0/24 local on lo, the kernel silent, a responder
#	    (tests/responder.c) answers after a random delay
#
# The per-target and per-probe bytes are in the README ("Memory").

load netns
bats_require_minimum_version 1.5.0

MM_REPO="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
MPING="${MPING:-$MM_REPO/mping}"

_mm_build()
{
	netns_add "$MM_DIR" "$MM-s" && netns_add "$MM_DIR" "$MM-e" &&
	netns_defaults "$MM-s" && netns_defaults "$MM-e" &&
	ip -n "$MM-e" route add local 203.0.113.0/24 dev lo &&
	netns_sysctl "$MM-e" net.ipv4.icmp_echo_ignore_all=1 &&
	_mm_hosts &&
	cc -std=c99 -O2 -Wall -Wextra -o "$MM_DIR/responder" \
	    "$MM_REPO/tests/responder.c" &&
	cc -shared -fPIC -o "$MM_DIR/failmalloc.so" \
	    "$MM_REPO/tests/failmalloc.c" -ldl
}

_mm_hosts()
{
	local dir

	dir=$(netns_etc "$MM_DIR" "$MM-s") || return 1
	printf '127.0.0.1\tlocalhost\n127.0.0.7\tmm-seven\n' >"$dir/hosts"
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' \
	    >"$dir/resolv.conf"
}

setup_file()	{ netns_lab_up MM mm _mm_build; }
teardown_file()	{ netns_lab_down MM; }

setup()
{
	netns_is_root || skip "needs root"
	[ -n "${MM:-}" ] || skip "lab not built"
}

teardown()
{
	netns_killns "$MM-e" 2>/dev/null || true
}

# rss_sweep RSSFILE ARGS...: mping in s, its peak RSS (kB) in RSSFILE, the
# number of summary records on stdout.
rss_sweep()
{
	local rss=$1
	shift
	ip netns exec "$MM-s" /usr/bin/time -f %M -o "$rss" "$MPING" "$@" |
	    grep -c '"type":"summary"'
}

# sweep_within KB ARGS...: mping ARGS on 127.0.0.0/12 in s gives every
# summary, and on the plain build peaks under KB kB.  ASan's shadow memory
# and quarantine are what an ASan build's RSS measures, not mping's
# tables: there the run is checked whole and the bound is the plain
# build's (CI runs both).
sweep_within()
{
	local kb=$1
	shift
	run rss_sweep "$BATS_TEST_TMPDIR/rss" "$@" 127.0.0.0/12
	echo "summaries: $output, peak RSS: $(cat "$BATS_TEST_TMPDIR/rss") kB"
	[ "$output" = 1048574 ]
	nm "$MPING" 2>/dev/null | grep -q __asan_init ||
	    [ "$(tail -1 "$BATS_TEST_TMPDIR/rss")" -lt "$kb" ]
}

@test "a 1,048,574-target sweep, -c 1 --json -q: every summary, peak RSS under 64 MB" {
	sweep_within 65536 -c 1 -i 0 --json -q
}

# -c 4: with -i 0 nearly every target waits for its next round, in a run
# of targets due together (sched.h: struct rounds, 8 bytes a run); with a
# 24-byte job each, the peak was 61.4 MiB.
@test "a 1,048,574-target sweep, -c 4 --json -q: every summary, peak RSS under 56 MB" {
	sweep_within 57344 -c 4 -i 0 --json -q
}

@test "stats: min/avg/max/stddev/jitter of each summary equal the JSON replies' own, to the microsecond" {
	ip netns exec "$MM-e" "$MM_DIR/responder" --delay 1 --jitter 400 \
	    >/dev/null 2>&1 </dev/null 3>&- &
	sleep 0.3
	run --separate-stderr ip netns exec "$MM-e" "$MPING" --json -c 12 \
	    -p 50 -t 2000 203.0.113.1 203.0.113.2 203.0.113.3
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "reply"')" = 36 ]
	# Exact in jq: the replies' whole microseconds, summed as integers.
	json_sel -s '
	    def r3: . * 1000 | round;
	    map(select(.type == "reply" or .type == "summary")) |
	    group_by(.target) | .[] |
	    (map(select(.type == "reply") | .rtt_ms | r3)) as $us |
	    (map(select(.type == "summary"))[0]) as $s |
	    ($us | add / length) as $mean |
	    [$s.target,
	     ($s.rtt_min_ms | r3) == ($us | min),
	     ($s.rtt_max_ms | r3) == ($us | max),
	     (($s.rtt_avg_ms * 1000 - $mean) | fabs) <= 0.5000001,
	     (($s.rtt_stddev_ms * 1000 - (($us | map(. * .) | add /
	         length) - $mean * $mean | sqrt)) | fabs) <= 0.5000001,
	     (($s.jitter_ms * 1000 - ([range(1; $us | length) as $i |
	         $us[$i] - $us[$i - 1] | fabs] | add / ($us | length - 1)))
	         | fabs) <= 0.5000001]' >"$BATS_TEST_TMPDIR/check"
	cat "$BATS_TEST_TMPDIR/check"
	[ "$(grep -c '"203.0.113.[123]",true,true,true,true,true' \
	    "$BATS_TEST_TMPDIR/check")" = 3 ]
}

@test "stats: exact against integer arithmetic for RTTs below 10 s (unit)" {
	cc -std=c99 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -g \
	    -I"$MM_REPO/src" -o "$BATS_TEST_TMPDIR/stats_test" \
	    "$MM_REPO/tests/stats_test.c" "$MM_REPO/src/stats.c" -lm
	run "$BATS_TEST_TMPDIR/stats_test"
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
}

@test "a sorted block, then addresses out of order, a name and an overlapping block: each address once, in the order given" {
	run --separate-stderr ip netns exec "$MM-s" "$MPING" -c 1 -q --json \
	    127.0.0.0/30 127.0.0.9 127.0.0.1 mm-seven 127.0.0.0/29 ::1 127.0.0.2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(json_sel -s '[.[] | select(.type == "summary") | .target] |
	    join(" ")')" = '"127.0.0.1 127.0.0.2 127.0.0.9 mm-seven 127.0.0.3 127.0.0.4 127.0.0.5 127.0.0.6 ::1"' ]
	jall 'select(.type == "summary") | .received == 1'
}

@test "a CIDR block needs no address hash: a /16 is swept where every calloc of 64 KiB fails" {
	run --separate-stderr ip netns exec "$MM-s" env \
	    LD_PRELOAD="$MM_DIR/failmalloc.so" FAILMALLOC_MIN=65536 \
	    FAILMALLOC_CALLOC_ONLY=1 \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    "$MPING" -q -c 1 -i 0 --json 127.1.0.0/16
	echo "status $status, stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "summary" and .received == 1')" = 65534 ]
}
