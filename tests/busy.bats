#!/usr/bin/env bats
# A sweep at -i 0 reads its sockets at every turn, and after a few busy
# turns they leave epoll's interest list (loop_quiet in src/loop.h: the
# kernel then skips two locked wake-ups per packet).  What must not change:
# every reply and every ICMP error is taken in, the raw socket's and the
# ping socket's error queue alike, and the sockets go back to epoll before
# the run waits.  The faults lab (tests/faults_lab.bash): the client
# answers 198.18.0.0/16 itself; 203.0.113.0/24 is routed to the peer, whose
# input chain rejects each probe with a host unreachable from the target
# address (nftables).

bats_require_minimum_version 1.5.0
load faults_lab

setup_file()
{
	flab_up || return 1
	flab_is_root || return 0
	# The peer's rejection is nftables' (icmp_send: no rate limit in
	# the lab), not an unreachable route's (ip_error: route.error_cost,
	# a sysctl of the whole machine, lets 5 through and 1 a second).
	flab_exec c ip route add 203.0.113.0/24 via 198.51.100.2 &&
	flab_exec p ip route add local 203.0.113.0/24 dev lo &&
	flab_exec p nft add chain inet mpf busy \
	    '{ type filter hook input priority -10; }' &&
	flab_exec p nft add rule inet mpf busy ip daddr 203.0.113.0/24 \
	    reject with icmp type host-unreachable
}

teardown_file()
{
	flab_down
}

setup()
{
	flab_require_root
	[ -x "$MPING" ] || { echo "mping is not built: $MPING" >&2; return 1; }
}

teardown()
{
	flab_end_test
}

# count FILTER: records of $output that jq's select(FILTER) keeps
count()
{
	jq -c "select($1)" <<<"$output" | wc -l
}

# sweep WHO: 254 unreachable targets first, then 2,046 that answer, at
# -i 0 in JSON; checks every one's outcome (exit 1: some did not answer).
sweep()
{
	local who=$1
	run -1 "$who" -c 1 -i 0 -t 1000 --json 203.0.113.0/24 198.18.0.0/21
	[ "$(count '.type == "reply"')" -eq 2046 ]
	[ "$(count '.type == "summary" and .received == 1')" -eq 2046 ]
	[ "$(count '.type == "error" and .from == .addr and
	    .error == "host-unreachable"')" -eq 254 ]
	[ "$(count '.type == "summary" and .errors == 1 and .received == 0')" -eq 254 ]
}

@test "busy sweep, raw socket: 2,046 replies and 254 host unreachables, each counted once" {
	sweep fmp
}

@test "busy sweep, ping socket (nobody): the error queue is still read, 254 host unreachables" {
	sweep fnobody
}

@test "the sockets leave epoll only while busy, and are back before the last wait" {
	local log=$FLAB_DIR/busy.strace

	flab_exec c strace -f -o "$log" -e trace=epoll_ctl "$MPING" -q \
	    -c 1 -i 0 198.18.0.0/21 </dev/null
	# The raw socket: added, quieted once the sweep is busy, added again
	# to wait for the last replies.
	grep -E 'epoll_ctl\([0-9]+, EPOLL_CTL_DEL' "$log"
	[ "$(grep -cE 'epoll_ctl\([0-9]+, EPOLL_CTL_ADD' "$log")" -ge 3 ]
	# A paced run never leaves it.
	flab_exec c strace -f -o "$log" -e trace=epoll_ctl "$MPING" -q \
	    -c 3 -p 20 198.18.0.1 198.18.0.2 </dev/null
	! grep -E 'EPOLL_CTL_DEL' "$log"
}
