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
