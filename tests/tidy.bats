#!/usr/bin/env bats
# Small faults left by the reviews of issues 13 to 17 (branch tidy): the
# Doubletree scout's tick, --report's rows past the target, CSV reload
# rows, interval_end in later slices, one down/up per outage, the exit
# status of a name that resolves late, IPv6 UDP to a local route, the
# socket filter of --icmp-timestamp.
#
# Lab (namespaces tdy-PID-c, -r, -d):
#   c  c0 192.0.2.2/30 2001:db8:1::2/64 -- r0 r (192.0.2.1, 2001:db8:1::1)
#      local routes 198.18.0.0/16 and 2001:db8:ff::/64 (c answers them);
#      198.19.0.0/16 and 2001:db8:f1::/64 via r; hosts file rewritten
#      by the tests, resolver 127.0.0.1 (nothing listens)
#   r  forwards; r1 192.0.2.5/30 2001:db8:2::1/64 -- d0 d
#   d  local routes 198.19.0.0/16, 2001:db8:f1::/64; its kernel answers
#      no echo: tests/responder does (--delay, or at once)
# A trace to 198.19.x.y: hop 1 r (192.0.2.1), hop 2 the target.

bats_require_minimum_version 1.5.0
load netns
load reload_lab

REPO="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
MPING="${MPING:-$REPO/mping}"

td_build()
{
	netns_add "$TD_DIR" "$TD-c" && netns_defaults "$TD-c" &&
	netns_add "$TD_DIR" "$TD-r" && netns_defaults "$TD-r" &&
	netns_add "$TD_DIR" "$TD-d" && netns_defaults "$TD-d" &&
	netns_sysctl "$TD-r" net.ipv4.ip_forward=1 \
	    net.ipv6.conf.all.forwarding=1 &&
	netns_sysctl "$TD-d" net.ipv4.icmp_echo_ignore_all=1 \
	    net.ipv6.icmp.echo_ignore_all=1 &&
	netns_veth "$TD-c" c0 "$TD-r" r0 &&
	netns_veth "$TD-r" r1 "$TD-d" d0 &&
	netns_addrs "$TD-c" c0 192.0.2.2/30 2001:db8:1::2/64 &&
	netns_addrs "$TD-r" r0 192.0.2.1/30 2001:db8:1::1/64 &&
	netns_addrs "$TD-r" r1 192.0.2.5/30 2001:db8:2::1/64 &&
	netns_addrs "$TD-d" d0 192.0.2.6/30 2001:db8:2::2/64 &&
	ip -n "$TD-c" route add 198.19.0.0/16 via 192.0.2.1 &&
	ip -n "$TD-c" route add 192.0.2.4/30 via 192.0.2.1 &&
	ip -n "$TD-c" -6 route add 2001:db8:f1::/64 via 2001:db8:1::1 &&
	ip -n "$TD-c" -6 route add 2001:db8:2::/64 via 2001:db8:1::1 &&
	ip -n "$TD-r" route add 198.19.0.0/16 via 192.0.2.6 &&
	ip -n "$TD-r" -6 route add 2001:db8:f1::/64 via 2001:db8:2::2 &&
	ip -n "$TD-d" route add default via 192.0.2.5 &&
	ip -n "$TD-d" -6 route add default via 2001:db8:2::1 &&
	ip -n "$TD-d" route add local 198.19.0.0/16 dev lo &&
	ip -n "$TD-d" -6 route add local 2001:db8:f1::/64 dev lo &&
	ip -n "$TD-c" route add local 198.18.0.0/16 dev lo &&
	ip -n "$TD-c" -6 route add local 2001:db8:ff::/64 dev lo || return 1
	TD_ETC=$(netns_etc "$TD_DIR" "$TD-c") || return 1
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' \
	    >"$TD_ETC/resolv.conf" &&
	printf 'hosts: files dns\n' >"$TD_ETC/nsswitch.conf" &&
	td_hosts
	td_responder_bin
}

# The responder, built unless the Makefile did.
td_responder_bin()
{
	TD_RESPONDER=$REPO/tests/responder
	if [ ! -x "$TD_RESPONDER" ] ||
	    [ "$REPO/tests/responder.c" -nt "$TD_RESPONDER" ]; then
		TD_RESPONDER=$TD_DIR/responder
		${CC:-cc} -std=c99 -O2 -Wall -Wextra -o "$TD_RESPONDER" \
		    "$REPO/tests/responder.c" || return 1
	fi
	export TD_RESPONDER
}

setup_file()
{
	export TD_ETC
	netns_file_lab tdy TD td_build
}

teardown_file()	{ netns_file_lab_down TD; }
setup()
{
	[[ $BATS_TEST_DESCRIPTION == *"(unit, no root)"* ]] && return 0
	netns_file_lab_ready TD
}

teardown()
{
	[ -n "${TD_BG:-}" ] && kill -KILL "$TD_BG" 2>/dev/null
	TD_BG=
	[ -n "${TD_RSP:-}" ] && kill -TERM "$TD_RSP" 2>/dev/null
	TD_RSP=
	ip netns exec "$TD-r" nft delete table inet tdy 2>/dev/null || true
	netns_killns "$TD-c"
	netns_killns "$TD-d"
}

# td_hosts "ADDR NAME"...: c's hosts file, rewritten in place (ip netns
# exec bind-mounts it: a new file would not be seen): reload_lab's.
td_hosts()
{
	RL_ETC=$TD_ETC rl_hosts "$@"
}

# tmp ARGS...: mping in c, stdin from /dev/null.
tmp()
{
	ip netns exec "$TD-c" "$MPING" "$@" </dev/null
}

# td_bg OUT ARGS...: mping in c in the background (SIGINT at its
# default), its pid in TD_BG.
td_bg()
{
	local out=$1
	shift
	ip netns exec "$TD-c" env --default-signal=INT "$MPING" "$@" \
	    </dev/null >"$out" 2>"$out.err" 3>&- &
	TD_BG=$!
}

# td_wait: wait for TD_BG; its status in TD_STATUS.
td_wait()
{
	TD_STATUS=0
	wait "$TD_BG" || TD_STATUS=$?
	TD_BG=
}

# td_responder ARGS...: tests/responder in d, until the test ends.
td_responder()
{
	local pid=$BATS_TEST_TMPDIR/rsp.pid i

	ip netns exec "$TD-d" "$TD_RESPONDER" --pidfile "$pid" "$@" \
	    >"$BATS_TEST_TMPDIR/rsp.log" 2>&1 </dev/null 3>&- &
	for i in $(seq 50); do
		[ -s "$pid" ] && break
		sleep 0.05
	done
	TD_RSP=$(cat "$pid")
}

# r_nft RULE: r drops what it forwards that RULE matches (until the
# test's teardown, or r_mend).
r_nft()
{
	ip netns exec "$TD-r" nft -f - <<-EOF
		table inet tdy {
			chain fw {
				type filter hook forward priority 0;
				$1
			}
		}
	EOF
}

r_mend()
{
	ip netns exec "$TD-r" nft delete table inet tdy
}

# td_waits OUT ARGS...: mping ARGS in c under strace; prints how many
# times its loop waited (epoll_pwait2, or epoll_wait) and the run's
# seconds, mping's output in OUT.
td_waits()
{
	local out=$1 log=$BATS_TEST_TMPDIR/strace t0 t1
	shift
	t0=$(date +%s.%N)
	ip netns exec "$TD-c" strace -f -qq -e trace=epoll_pwait2,epoll_wait \
	    -o "$log" "$MPING" "$@" >"$out" 2>&1 </dev/null
	t1=$(date +%s.%N)
	echo "$(grep -c 'epoll_' "$log")" \
	    "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')"
}

@test "--trace, IPv4 only, a destination 600 ms late: the scout's tick sleeps once no scout waits (no wake-up every 5 ms for IPv6)" {
	local n s out=$BATS_TEST_TMPDIR/out
	td_responder --delay 600
	# -i 0: no pacing between the sends, so the loop waits only for
	# what comes (and its timers).
	read -r n s < <(td_waits "$out" --trace -i 0 --json 198.19.0.1 \
	    198.19.0.2 198.19.0.3 198.19.0.4 198.19.0.5 198.19.0.6)
	cat "$out"
	echo "loop waits: $n in $s s"
	# Every trace complete: r, then the target (the stop set's shared
	# hop below the others' start).
	output=$(cat "$out")
	[ "$(jcount '.type == "trace" and .reached and .hops == 2')" -eq 6 ]
	# The run is the destination's 600 ms and little more (the others
	# start once the scout named r, not after its 600 ms), ...
	awk -v s="$s" 'BEGIN {exit !(s > 0.55 && s < 3)}'
	# ... and the loop wakes for what happens (about 22 times), not
	# every 5 ms: the old tick woke it 200 times a second for the
	# family never traced (about 135 times).
	[ "$n" -lt 60 ]
}

@test "--report: a first round that lost its probes at the target's hop has no row past the target (table and hop-summary records alike)" {
	# r drops the first 3 echo requests it forwards to the target: the
	# first round's three probes at hop 2, so that round finds the
	# target at hop 3 too; the later rounds probe up to hop 2.
	td_responder
	r_nft 'ip daddr 198.19.0.7 icmp type echo-request numgen inc mod 1000 < 3 drop
		ip daddr 198.19.0.8 icmp type echo-request numgen inc mod 1000 < 3 drop'
	run --separate-stderr tmp --report -c 4 -p 20 -t 300 --json 198.19.0.7
	echo "$stderr"
	echo "$output"
	[ "$status" -eq 0 ]
	# The first round's verdict and hop line say what happened ...
	json_sel -c 'select(.type == "trace") | [.round, .hops, .stop]'
	[ "$(jcount '.type == "trace" and .round == 0 and .hops == 3')" -eq 1 ]
	# ... the summaries end at the target's hop, its loss there.
	[ "$(json_sel -r 'select(.type == "hop-summary") |
	    "\(.ttl) \(.from) \(.sent) \(.received) \(.lost)"')" = \
	    "1 192.0.2.1 12 12 0
2 198.19.0.7 12 9 3" ]
	# The table (standard error) has those two rows and no other.
	[ "$(grep -c '^ *[0-9]*\.|-- ' <<<"$stderr")" -eq 2 ]
	grep -E '^ +2\.\|-- 198\.19\.0\.7 +25\.0% +12 ' <<<"$stderr"
	# Text: the hop lines as they happened (the first round's hop 3),
	# then the same table.
	run --separate-stderr tmp --trace -c 3 -p 20 -t 300 198.19.0.8
	echo "$output"
	[ "$status" -eq 0 ]
	grep -E '^198\.19\.0\.8: +3 +198\.19\.0\.8 ' <<<"$output"
	[ "$(grep -c '^ *[0-9]*\.|-- ' <<<"$output")" -eq 2 ]
}

# csv_col NAME: the cells of column NAME (by the header) of the rows of
# type TYPE in the CSV file FILE: csv_col FILE TYPE NAME.
csv_col()
{
	python3 - "$@" <<-'PY'
	import csv, sys
	rows = list(csv.reader(open(sys.argv[1], newline='')))
	i = rows[0].index(sys.argv[3])
	for r in rows[1:]:
	    if r[0] == sys.argv[2]:
	        print(r[i])
	PY
}

@test "--csv with -f FILE: the reload row has joined and left (the last columns; with -q time and targets too)" {
	local f=$BATS_TEST_TMPDIR/list out=$BATS_TEST_TMPDIR/out q
	for q in "" -q; do
		printf '198.18.0.1\n198.18.0.2\n' >"$f"
		td_bg "$out" --csv $q -p 100 -w 2 -f "$f"
		sleep 0.6
		printf '198.18.0.2\n198.18.0.3\n198.18.0.4\n' >"$f"
		kill -HUP "$TD_BG"
		td_wait
		cat "$out" "$out.err"
		[ "$TD_STATUS" -eq 0 ]
		if [ -z "$q" ]; then
			head -1 "$out" | grep -q ',method,tos,joined,left'$'\r''$'
		else
			head -1 "$out" | grep -q '^type,target,.*,jitter_ms,method,time,targets,joined,left'$'\r''$'
		fi
		[ "$(csv_col "$out" reload joined)" = 2 ]
		[ "$(csv_col "$out" reload left)" = 1 ]
		[ "$(csv_col "$out" reload targets)" = 3 ]
		[ -n "$(csv_col "$out" reload time)" ]
		# Every row has the header's cells.
		python3 -c 'import csv, sys; r = list(csv.reader(open(sys.argv[1], newline=""))); sys.exit(len({len(x) for x in r}) != 1)' "$out"
	done
	# No -f FILE (no reload): the columns as before.
	run tmp --csv -c 1 198.18.0.1
	[[ ${lines[0]} == *$',method,tos\r' ]]
	run tmp --csv -q -c 1 198.18.0.1
	[[ ${lines[0]} == *$',jitter_ms,method\r' ]]
}

@test "-Q over 16,382 targets: a target written in a later slice of a report has its interval end then, never before a reply it counts; the next starts there" {
	local out=$BATS_TEST_TMPDIR/q.json
	# Rounds leave at 0, 1 and 2 s, as the reports are due: the replies
	# of rounds 2 and 3 come between the slices of the reports.
	tmp --json -Q 1 -c 3 -p 1000 -i 0 198.18.0.0/18 >"$out" 2>/dev/null
	run python3 - "$out" 16382 <<-'PY'
	import json, sys
	n = int(sys.argv[2])
	last, prev, iv = {}, {}, []
	bad = untiled = 0
	for line in open(sys.argv[1]):
	    r = json.loads(line)
	    if r['type'] == 'reply':
	        last[r['target']] = r['time']
	    elif r['type'] == 'interval':
	        iv.append(r)
	        bad += last.get(r['target'], 0) > r['interval_end']
	        p = prev.get(r['target'])
	        untiled += p is not None and p != r['interval_start']
	        prev[r['target']] = r['interval_end']
	# How long after its interval's end a record was written, at most,
	# as a share of its report's length (old: the whole report).
	worst = 0
	for k in range(0, len(iv), n):
	    rep = iv[k:k + n]
	    span = rep[-1]['time'] - rep[0]['time']
	    lag = max(r['time'] - r['interval_end'] for r in rep)
	    worst = max(worst, lag / span if span > 0 else 0)
	print(len(iv), bad, untiled, '%.3f' % worst)
	PY
	echo "intervals, counting a reply after their end, not starting at the last end, worst lag / report: $output"
	read -r iv bad untiled worst <<<"$output"
	[ "$iv" -ge 32764 ]
	[ "$bad" -eq 0 ]
	[ "$untiled" -eq 0 ]
	# A slice's records end when it is written (1,024 targets of 16,382:
	# about 1/16 of the report), not when the report began.
	awk -v w="$worst" 'BEGIN {exit !(w < 0.5)}'
}

@test "--trace-down --down-after 2 with -t 10 periods: one outage gives one down, one trace and one up" {
	local out=$BATS_TEST_TMPDIR/out
	td_responder
	# -t 1000 at -p 100: ten probes in flight, more than --down-after;
	# those sent during the cut time out after the first reply once r
	# forwards again (they went out while the target was cut off).
	td_bg "$out" --json --trace-down --down-after 2 -c 50 -p 100 -t 1000 \
	    --max-hops 3 198.19.0.1
	sleep 1
	r_nft 'ip daddr 198.19.0.0/16 drop'
	sleep 1.6
	r_mend
	td_wait
	output=$(cat "$out")
	echo "$output" | grep -v '"probe"\|"reply"\|"hop"\|"timeout"'
	[ "$TD_STATUS" -eq 0 ]
	# Down first; the trace, whose silent hops wait 1 s, may end after
	# the up record.
	jq_out -e '[.[] | select(.type == "down" or .type == "up" or
	    .type == "trace") | .type] | .[0] == "down" and
	    sort == ["down", "trace", "up"]' >/dev/null
	# The outage: about the cut's 1.6 s.
	jq_out -e '.[] | select(.type == "up") | .outage_s > 1.3 and
	    .outage_s < 2.3' >/dev/null
}

@test "a name that did not resolve at the start but did later: exit status by its replies (0); one that never resolves: 2, as fping" {
	local out=$BATS_TEST_TMPDIR/out
	td_hosts
	td_bg "$out" --json -p 200 -w 3 --resolve-every 1 tdy-late 198.18.0.1
	sleep 0.8
	td_hosts "198.18.0.9 tdy-late"
	td_wait
	output=$(cat "$out")
	cat "$out.err"
	jq_out -c '.[] | select(.type == "summary" or .type == "resolved" or
	    .type == "end")'
	jq_out -e '.[] | select(.type == "summary" and .target == "tdy-late") |
	    .addr == "198.18.0.9" and .received > 0 and .reason == null' \
	    >/dev/null
	[ "$TD_STATUS" -eq 0 ]
	jq_out -e '.[] | select(.type == "end") | .exit_status == 0' >/dev/null
	# Never resolved: 2, as fping says of a name with no address.
	run tmp -q -p 200 -w 2 --resolve-every 1 tdy-never 198.18.0.1
	echo "$output"
	[ "$status" -eq 2 ]
	run ip netns exec "$TD-c" fping -c 1 tdy-never 198.18.0.1
	echo "fping: $output"
	[ "$status" -eq 2 ]
}

# td_read OUT ARGS...: mping ARGS in c under strace; prints the packets
# its receive queues handed over (recvmmsg without MSG_ERRQUEUE).
td_read()
{
	local out=$1 log=$BATS_TEST_TMPDIR/strace
	shift
	ip netns exec "$TD-c" strace -f -qq -s 0 -e trace=recvmmsg -o "$log" \
	    "$MPING" "$@" >"$out" 2>&1 </dev/null
	grep -v MSG_ERRQUEUE "$log" | sed -n 's/.*) = \([0-9][0-9]*\)$/\1/p' |
	    awk '{n += $1} END {print n + 0}'
}

# td_noise ARGS...: another mping in c, again and again until the test
# ends (teardown ends every process of c).
td_noise()
{
	ip netns exec "$TD-c" bash -c 'while :; do "$@" >/dev/null 2>&1; done' \
	    noise "$MPING" "$@" </dev/null 3>&- &
	sleep 0.3
}

@test "--icmp-timestamp next to another process's timestamp sweep and its errors: only its own 50 replies reach the reads (socket filter)" {
	local n out=$BATS_TEST_TMPDIR/out
	td_noise --icmp-timestamp -c 1 -i 0 -q 198.18.0.0/18
	td_noise -c 1 -i 0 -q --ttl 1 198.19.0.0/22
	n=$(td_read "$out" --icmp-timestamp -c 50 -p 10 -q 198.18.200.1)
	cat "$out"
	echo "packets read: $n (50 are ours)"
	grep -q 'sent=50 received=50 loss=0%' "$out"
	[ "$n" -eq 50 ]
}

@test "UDP to an IPv6 address of a local route: the port unreachable of this host's own kernel (from our source, or ::1) is 'closed' from the target, as IPv4 (raw and datagram sockets)" {
	local who pre
	for who in root nobody; do
		pre=()
		[ "$who" = nobody ] && pre=(setpriv --reuid=65534 --regid=65534
		    --clear-groups --)
		run ip netns exec "$TD-c" "${pre[@]}" "$TD_DIR/bin/mping" -U -c 2 \
		    -p 50 --json 2001:db8:ff::5 198.18.0.5 </dev/null
		echo "$who: $output"
		[ "$status" -eq 0 ]
		[ "$(jcount '.type == "reply" and .state == "closed" and
		    .from == .addr')" -eq 4 ]
		[ "$(jcount '.type == "error"')" -eq 0 ]
		# From ::1: the probes leave from it (-S).
		run ip netns exec "$TD-c" "${pre[@]}" "$TD_DIR/bin/mping" -U -S ::1 \
		    -c 2 -p 50 --json 2001:db8:ff::6 </dev/null
		echo "$who -S ::1: $output"
		[ "$status" -eq 0 ]
		[ "$(jcount '.type == "reply" and .state == "closed" and
		    .from == "2001:db8:ff::6"')" -eq 2 ]
	done
}

# unit GROUP TEST SRC...: tests/TEST.c built with SRC, its GROUP run.
unit()
{
	local group=$1 t=$2
	shift 2
	cc -std=c99 -D_GNU_SOURCE -Wall -Wextra -Werror -O0 -I"$REPO/src" \
	    -o "$BATS_TEST_TMPDIR/$t" "$REPO/tests/$t.c" "$@" -lm
	run "$BATS_TEST_TMPDIR/$t" "$group"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "ok - $group" ]
	[[ ${lines[-1]} =~ ^[0-9]+\ checks,\ 0\ failed$ ]]
}

@test "hopsum: no row past the lowest hop where the target answered, nor its width (unit, no root)" {
	local f srcs=()
	for f in "$REPO"/src/*.c; do
		[ "$f" = "$REPO/src/main.c" ] || srcs+=("$f")
	done
	unit past hopsum_test "${srcs[@]}"
}

@test "the --icmp-timestamp filter keeps our timestamp replies and errors quoting our requests, nothing else (unit, no root)" {
	unit timestamp bpf_test "$REPO/src/bpf.c"
}
