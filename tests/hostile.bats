#!/usr/bin/env bats
# More of a hostile network, for raw sockets (root) and ICMP datagram
# sockets (nobody), IPv4 and IPv6: sends that fail with ENOBUFS or EAGAIN
# (tests/failsend.c, an LD_PRELOAD shim), garbage ICMP, reordered replies,
# and ICMP errors whose quoted header lies.
#
# Each test gives its responder its own addresses: 203.0.113.80-.119 and
# 2001:db8:fd::80-119.

bats_require_minimum_version 1.5.0
load lab

setup_file()
{
	lab_up && lab_nobody_up || return 1
	lab_is_root || return 0
	${CC:-cc} -std=c99 -Wall -Wextra -Werror -shared -fPIC \
	    -o "$LAB_DIR/failsend.so" "$LAB_REPO/tests/failsend.c" -ldl
}
teardown_file()	{ lab_down; }
setup()		{ lab_require_root; }
teardown()	{ responder_stop_all; }

FAST="-p 100 -t 500"

# as MODE [VAR=VALUE...] ARGS...: mping ARGS, with the environment
# variables given, as root on raw sockets (MODE raw) or as nobody on
# datagram sockets (MODE dgram), in the client.
as()
{
	local mode=$1 bin=$MPING
	local -a vars=() who=()
	shift
	while [[ ${1:-} == [A-Z]*=* ]]; do
		vars+=("$1")
		shift
	done
	if [ "$mode" = dgram ]; then
		bin=$LAB_DIR/bin/mping
		who=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	fi
	ip netns exec "$LAB-c" "${who[@]}" env "${vars[@]}" "$bin" "$@" \
	    </dev/null
}

# seqs_of NAME ADDR: the sorted seqs of the requests responder NAME saw
# for ADDR, on one line.
seqs_of()
{
	responder_log "$1" | awk -v a="to=$2" '$4 == a { sub("seq=", "", $6); print $6 }' |
	    sort -n | tr '\n' ' '
}

# failsend MODE ERRNO MMSG: every 3rd send fails with ERRNO; -c 10 to two
# IPv4 and two IPv6 targets must still give 10 sent, 10 received, 0 lost
# each, no error, no timeout, and the responder must see each seq exactly
# once: a failed send is retried, neither dropped nor sent twice.
failsend()
{
	local mode=$1 err=$2 mmsg=$3 log=$LAB_DIR/failsend.log a
	local targets="203.0.113.80 203.0.113.81 2001:db8:fd::80 2001:db8:fd::81"

	responder_start fs $(printf -- '--addr %s ' $targets)
	: >"$log"
	chmod 666 "$log"
	run --separate-stderr as "$mode" LD_PRELOAD="$LAB_DIR/failsend.so" \
	    FAILSEND_EVERY=3 FAILSEND_ERRNO="$err" FAILSEND_MMSG="$mmsg" \
	    FAILSEND_LOG="$log" \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    -c 10 -p 20 -t 1000 --json $targets
	echo "$mode $err $mmsg: $output"; echo "stderr: $stderr"
	echo "shim: $(cat "$log")"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(jcount '.type == "summary" and .sent == 10 and .received == 10 and
	    .lost == 0 and .errors == 0 and .dups == 0 and .inflight == 0')" -eq 4 ]
	[ "$(jcount '.type == "reply" and .dup == false and .late == false and
	    .foreign == false')" -eq 40 ]
	[ "$(jcount '.type == "error" or .type == "timeout"')" -eq 0 ]
	for a in $targets; do
		[ "$(seqs_of fs "$a")" = "0 1 2 3 4 5 6 7 8 9 " ]
	done
	# The shim really failed sends, and let exactly 40 through.
	grep -Eq '^sent=40 +failed=[1-9][0-9]* ' "$log"
	responder_stop_all
}

@test "ENOBUFS on every 3rd send: retried, exact counts (raw, v4+v6)" {
	failsend raw ENOBUFS whole
	failsend raw ENOBUFS short
}

@test "EAGAIN on every 3rd send: retried, exact counts (raw, v4+v6)" {
	failsend raw EAGAIN whole
	failsend raw EAGAIN short
}

@test "ENOBUFS on every 3rd send: retried, exact counts (dgram, v4+v6)" {
	failsend dgram ENOBUFS whole
	failsend dgram ENOBUFS short
}

@test "EAGAIN on every 3rd send: retried, exact counts (dgram, v4+v6)" {
	failsend dgram EAGAIN whole
	failsend dgram EAGAIN short
}

# Garbage: random ICMP from the target, seeded so that a failure repeats.

# garbage MODE: 20 random packets instead of each answer, then 10 random
# packets around each real answer; -c 5 to an IPv4 and an IPv6 target.
garbage()
{
	local mode=$1 a4=$2 a6=$3 seed=$4 before after

	responder_start g --addr "$a4" --addr "$a6" --garbage 20 \
	    --garbage-only --seed "$seed"
	before=$(icmp_in)
	run --separate-stderr as "$mode" -c 5 $FAST --json "$a4" "$a6"
	after=$(icmp_in)
	echo "$mode garbage only: $output"; echo "stderr: $stderr"
	echo "ICMP in: $before -> $after"
	[ "$status" -eq 1 ]
	[ -z "$stderr" ]
	[ "$(responder_log g | grep -c 'action=garbage')" -eq 10 ]
	# The garbage did reach the client: at least half of the 200.
	[ $((after - before)) -ge 100 ]
	[ "$(jcount '.type == "reply" or .type == "error"')" -eq 0 ]
	[ "$(jcount '.type == "timeout"')" -eq 10 ]
	[ "$(jcount '.type == "summary" and .sent == 5 and .received == 0 and
	    .lost == 5 and .errors == 0 and .dups == 0')" -eq 2 ]
	responder_stop_all

	responder_start g --addr "$a4" --addr "$a6" --garbage 10 --seed "$seed"
	run --separate-stderr as "$mode" -c 5 $FAST --json "$a4" "$a6"
	echo "$mode garbage and answers: $output"; echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(jcount '.type == "reply" and .dup == false and .late == false and
	    .foreign == false')" -eq 10 ]
	[ "$(jcount '.type != "reply" and .type != "summary" and
	    .type != "start" and .type != "end"')" -eq 0 ]
	[ "$(jcount '.type == "summary" and .sent == 5 and .received == 5 and
	    .lost == 0 and .errors == 0 and .dups == 0')" -eq 2 ]
	responder_stop_all
}

# icmp_in: ICMP and ICMPv6 messages the client's kernel has received.
icmp_in()
{
	lab_exec c cat /proc/net/snmp /proc/net/snmp6 | awk '
	    $1 == "Icmp:" && $2 ~ /^[0-9]/ { n += $2 + $3 }
	    $1 == "Icmp6InMsgs" || $1 == "Icmp6InErrors" { n += $2 }
	    END { print n }'
}

@test "garbage ICMP is ignored, answers among it count exactly (raw, v4+v6)" {
	garbage raw 203.0.113.82 2001:db8:fd::82 1
	garbage raw 203.0.113.83 2001:db8:fd::83 2
}

@test "garbage ICMP is ignored, answers among it count exactly (dgram, v4+v6)" {
	garbage dgram 203.0.113.84 2001:db8:fd::84 3
	garbage dgram 203.0.113.85 2001:db8:fd::85 4
}

# Reordering: each responder (one per family, so that the order is exact)
# holds 3 answers and sends them newest first: seq 2 1 0, then 5 4 3.
reorder()
{
	local mode=$1 a4=$2 a6=$3 a

	responder_start r4 --addr "$a4" --reorder 3
	responder_start r6 --addr "$a6" --reorder 3
	run --separate-stderr as "$mode" -c 6 -p 100 -t 1000 --json "$a4" "$a6"
	echo "$mode: $output"; echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	for a in "$a4" "$a6"; do
		[ "$(json_sel -r "select(.type == \"reply\" and .addr == \"$a\") |
		    .seq" | tr '\n' ' ')" = "2 1 0 5 4 3 " ]
	done
	[ "$(jcount '.type == "reply" and .dup == false and .late == false and
	    .foreign == false')" -eq 12 ]
	[ "$(jcount '.type == "reply"')" -eq 12 ]
	[ "$(jcount '.type == "summary" and .sent == 6 and .received == 6 and
	    .lost == 0 and .dups == 0 and .errors == 0')" -eq 2 ]
	responder_stop_all
}

@test "reordered replies: each counted once, none dup or late (raw, v4+v6)" {
	reorder raw 203.0.113.86 2001:db8:fd::86
}

@test "reordered replies: each counted once, none dup or late (dgram, v4+v6)" {
	reorder dgram 203.0.113.87 2001:db8:fd::87
}

# ICMP errors whose quote lies.  The responder answers each of two probes
# with an error quoting it, lied about as told.

# quote_lie MODE ADDR TYPE,CODE ERRORS [RESPONDER ARGS...]: mping reports
# exactly ERRORS errors (0 or 2), the rest are timeouts, nothing else.
quote_lie()
{
	local mode=$1 addr=$2 tc=$3 want=$4
	shift 4
	responder_start q --addr "$addr" --error "$tc" "$@"
	run --separate-stderr as "$mode" -c 2 $FAST --json "$addr"
	echo "$mode $addr $tc $*: $output"; echo "stderr: $stderr"
	[ "$status" -eq 1 ]
	[ -z "$stderr" ]
	[ "$(responder_log q | grep -c 'action=error')" -eq 2 ]
	[ "$(jcount ".type == \"error\" and .addr == \"$addr\" and
	    .from == \"$addr\"")" -eq "$want" ]
	[ "$(jcount '.type == "error"')" -eq "$want" ]
	[ "$(jcount '.type == "timeout"')" -eq $((2 - want)) ]
	[ "$(jcount '.type == "reply"')" -eq 0 ]
	[ "$(jcount ".type == \"summary\" and .sent == 2 and .received == 0 and
	    .errors == $want and .lost == 2")" -eq 1 ]
	responder_stop_all
}

# IPv4.  On a ping socket the kernel drops the errors whose quoted IP
# header is unusable (IHL < 5, IHL beyond the quote, quote shorter than
# that header plus 8 bytes) before the error queue (checked with strace:
# no MSG_ERRQUEUE read succeeds); mping never sees them.  The foreign
# quotes do reach the error queue (the echo id is right), and mping itself
# refuses them.  With a raw socket mping refuses all of them.
quote_lies4()
{
	local mode=$1 a=$2

	quote_lie "$mode" "$a" 3,1 0 --quote-ihl 15	# IHL past the ICMP header
	quote_lie "$mode" "$a" 3,1 0 --quote-ihl 15 --quote-cut 28	# past the quote
	quote_lie "$mode" "$a" 3,1 0 --quote-ihl 2	# IHL < 5
	quote_lie "$mode" "$a" 3,1 0 --quote-cut 24	# half an ICMP header
	quote_lie "$mode" "$a" 3,1 0 --quote-cut 10	# half an IP header
	quote_lie "$mode" "$a" 3,1 0 --quote-foreign	# seq never sent
	quote_lie "$mode" "$a" 3,1 0 --quote-foreign --quote 8
	# A total length beyond the quote is how every router quotes a big
	# probe: with our tag intact, the error is ours.
	quote_lie "$mode" "$a" 3,1 2 --quote-len 65535
	# A total length that keeps only the ICMP header reads as an RFC 792
	# quote: id, destination and seq are those of the latest probe, so
	# it counts, as in errors.bats.
	quote_lie "$mode" "$a" 3,1 2 --quote-len 28
}

@test "lying quotes in IPv4 errors are not counted (raw)" {
	quote_lies4 raw 203.0.113.90
	# A total length shorter than the IP and ICMP headers: refused.
	quote_lie raw 203.0.113.90 3,1 0 --quote-len 24
}

@test "lying quotes in IPv4 errors are not counted (dgram)" {
	quote_lies4 dgram 203.0.113.91
	# A ping socket's error queue holds the quoted ICMP message without
	# its IP header: a lie in the total length cannot be seen, and the
	# quote still carries our tag, so the error is counted.
	quote_lie dgram 203.0.113.91 3,1 2 --quote-len 24
}

# IPv6: the kernel drops truncated quotes and a quoted extension header
# longer than the quote before a ping socket's error queue (strace); the
# foreign quotes reach it and mping refuses them.  The payload length of
# the quoted header is not used by anyone.
quote_lies6()
{
	local mode=$1 a=$2

	quote_lie "$mode" "$a" 1,3 0 --quote-exthdr 255	# header past the quote
	quote_lie "$mode" "$a" 1,3 0 --quote-cut 44	# half an ICMPv6 header
	quote_lie "$mode" "$a" 1,3 0 --quote-cut 20	# half an IPv6 header
	quote_lie "$mode" "$a" 1,3 0 --quote-foreign	# seq never sent
	quote_lie "$mode" "$a" 1,3 0 --quote-foreign --quote 8
	# Controls: a real hop-by-hop header is walked; a payload length
	# beyond the quote is a router's truncation.
	quote_lie "$mode" "$a" 1,3 2 --quote-exthdr 0
	quote_lie "$mode" "$a" 1,3 2 --quote-len 65535
}

@test "lying quotes in IPv6 errors are not counted (raw)" {
	quote_lies6 raw 2001:db8:fd::90
}

@test "lying quotes in IPv6 errors are not counted (dgram)" {
	quote_lies6 dgram 2001:db8:fd::91
}
