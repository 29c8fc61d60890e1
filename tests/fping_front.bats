#!/usr/bin/env bats
# fping_front.bats: mping called as fping (issue 14), in a lab of its own,
# side by side with Debian's fping (5.1) where it is installed:
#
#   c ---- d ---- e
#
# c   192.0.2.2/24, 2001:db8::2/64; 198.18.0.0/15 is local (a sweep
#     answered by c's own kernel); hosts: alpha 192.0.2.10,
#     longer-name.example 192.0.2.11
# d   192.0.2.1, .10, .11, 2001:db8::1, ::10 (its kernel answers);
#     forwards, drops 198.51.100.0/25 (blackhole: silence) and rejects
#     203.0.113.0/24 with host unreachable (nftables)
# e   198.51.100.130: a responder that answers each request twice;
#     198.51.100.131: answered from 198.51.100.132; e's kernel answers
#     no echo
#
# Our fping is a link named fping (fping6) to mping in a directory of the
# test's own.  Lines are compared byte for byte, stream by stream; only
# numbers with a decimal point (RTTs, times) are normalised.

bats_require_minimum_version 1.5.0

. "${BATS_TEST_DIRNAME}/netns.bash"

MPING="${MPING:-$BATS_TEST_DIRNAME/../mping}"
REAL_FPING=/usr/bin/fping

DUP=198.51.100.130 OTHER=198.51.100.131 OTHER_FROM=198.51.100.132
DEAD=198.51.100.7 UNR=203.0.113.5

mfp_exec()
{
	local node=$1
	shift
	ip netns exec "$MFP-$node" "$@"
}

_mfp_link()
{
	ip -n "$MFP-$1" link add "$2" type veth peer name "$4" \
	    netns "$MFP-$3" &&
	ip -n "$MFP-$1" link set "$2" up &&
	ip -n "$MFP-$3" link set "$4" up
}

_mfp_addrs()
{
	local node=$1 dev=$2 a
	shift 2
	for a in "$@"; do
		case $a in
		*:*)	ip -n "$MFP-$node" addr add "$a" dev "$dev" nodad ;;
		*)	ip -n "$MFP-$node" addr add "$a" dev "$dev" ;;
		esac || return 1
	done
}

_mfp_responder()
{
	local name=$1 pidfile=$MFP_DIR/$1.pid i
	shift
	mfp_exec e "$MFP_DIR/responder" --pidfile "$pidfile" "$@" \
	    >"$MFP_DIR/$name.log" 2>&1 </dev/null 3>&- &
	for i in $(seq 50); do
		[ -s "$pidfile" ] && return 0
		sleep 0.05
	done
	return 1
}

_mfp_build()
{
	local n etc

	for n in c d e; do
		netns_add "$MFP_DIR" "$MFP-$n" && netns_defaults "$MFP-$n" ||
		    return 1
		etc=$(netns_etc "$MFP_DIR" "$MFP-$n") || return 1
		printf 'nameserver 127.0.0.1\n' >"$etc/resolv.conf"
	done
	printf '127.0.0.1 localhost\n192.0.2.10 alpha\n192.0.2.11 longer-name.example\n' \
	    >"/etc/netns/$MFP-c/hosts"
	netns_sysctl "$MFP-d" net.ipv4.ip_forward=1 \
	    net.ipv6.conf.all.forwarding=1
	netns_sysctl "$MFP-e" net.ipv4.icmp_echo_ignore_all=1
	_mfp_link c eth0 d eth0 && _mfp_link d eth1 e eth0 || return 1
	_mfp_addrs c eth0 192.0.2.2/24 2001:db8::2/64 &&
	_mfp_addrs d eth0 192.0.2.1/24 192.0.2.10/24 192.0.2.11/24 \
	    2001:db8::1/64 2001:db8::10/64 &&
	_mfp_addrs d eth1 198.51.100.129/25 &&
	_mfp_addrs e eth0 $DUP/25 $OTHER/25 $OTHER_FROM/25 || return 1
	ip -n "$MFP-c" route add default via 192.0.2.1 &&
	ip -n "$MFP-c" -6 route add default via 2001:db8::1 &&
	ip -n "$MFP-c" route add local 198.18.0.0/15 dev lo &&
	ip -n "$MFP-d" route add blackhole 198.51.100.0/25 &&
	ip -n "$MFP-d" route add 203.0.113.0/24 via 192.0.2.2 &&
	ip -n "$MFP-e" route add default via 198.51.100.129 || return 1
	mfp_exec d nft -f - <<-'NFT' || return 1
	table inet mfp {
		chain filt {
			type filter hook forward priority 0; policy accept;
			ip daddr 203.0.113.0/24 reject with icmp type host-unreachable
		}
	}
	NFT
	cc -std=c99 -D_GNU_SOURCE -O2 -o "$MFP_DIR/responder" \
	    "$BATS_TEST_DIRNAME/responder.c" || return 1
	_mfp_responder dup --addr $DUP --dup 1 &&
	_mfp_responder other --addr $OTHER --from $OTHER_FROM
}

setup_file()
{
	netns_lab_up MFP mfp _mfp_build || return 1
	netns_is_root || return 0
	mkdir -p "$MFP_DIR/bin" &&
	ln -s "$(cd "$(dirname "$MPING")" && pwd)/mping" "$MFP_DIR/bin/fping" &&
	ln -s "$(cd "$(dirname "$MPING")" && pwd)/mping" "$MFP_DIR/bin/fping6"
}

teardown_file()	{ netns_lab_down MFP; }

setup()
{
	netns_is_root || skip "needs root"
	[ -n "${MFP:-}" ] || skip "lab not built"
}

# fp ARGS...: our fping (argv[0] "fping") in c; $output is stdout, $stderr
# stderr (run --separate-stderr).
fp()
{
	mfp_exec c env PATH="$MFP_DIR/bin:/usr/bin:/bin" fping "$@"
}

fp6()
{
	mfp_exec c env PATH="$MFP_DIR/bin:/usr/bin:/bin" fping6 "$@"
}

# realfp ARGS...: Debian's fping, also as "fping", in c.
realfp()
{
	mfp_exec c env PATH="/usr/bin:/bin" fping "$@"
}

need_real()
{
	[ -x "$REAL_FPING" ] || skip "fping is not installed"
}

# norm: RTTs and times (numbers with a decimal point) as N.
norm()
{
	sed -E 's/[0-9]+\.[0-9]+/N/g'
}

# same ARGS...: our fping and the real one print the same lines (RTTs
# normalised) on the same streams and exit alike.  With SORT=1 stdout is
# compared as a set of lines.  The installed fping is 5.1: its usage is
# taken as 5.2 changed it (h52_of), the front end's version.
same()
{
	local out err rc sort=${SORT:-0}

	need_real
	run --separate-stderr realfp "$@"
	rc=$status out=$(h52_of "$output" | norm) err=$(h52_of "$stderr" | norm)
	[ "$sort" = 1 ] && out=$(sort <<<"$out")
	run --separate-stderr fp "$@"
	echo "real: $rc"; echo "$out"; echo "--"; echo "$err"
	echo "ours: $status"; echo "$output"; echo "--"; echo "$stderr"
	[ "$status" -eq "$rc" ]
	if [ "$sort" = 1 ]; then
		[ "$(norm <<<"$output" | sort)" = "$out" ]
	else
		[ "$(norm <<<"$output")" = "$out" ]
	fi
	[ "$(norm <<<"$stderr")" = "$err" ]
}

@test "fping link, alive mode: 'is alive' / 'is unreachable' on stdout, exit 1, as fping" {
	run --separate-stderr fp -t 100 -r 1 192.0.2.1 $DEAD
	[ "$status" -eq 1 ]
	[ "$output" = "192.0.2.1 is alive
$DEAD is unreachable" ]
	[ "$stderr" = "" ]
	same -t 100 -r 1 192.0.2.1 $DEAD
	same 192.0.2.1 192.0.2.10
}

@test "fping6 link is fping -6; -4 with it is refused as fping refuses it" {
	run --separate-stderr fp6 2001:db8::1
	[ "$status" -eq 0 ]
	[ "$output" = "2001:db8::1 is alive" ]
	run --separate-stderr fp6 -4 2001:db8::1
	[ "$status" -eq 1 ]
	[ "$stderr" = "fping6: can't specify both -4 and -6" ]
}

@test "-c: per-reply lines on stdout (padded host column), summaries on stderr, as fping" {
	run --separate-stderr fp -c 2 -p 100 alpha longer-name.example $DEAD
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	grep -Ex 'alpha               : \[1\], 64 bytes, [0-9.]+ ms \([0-9.]+ avg, 0% loss\)' <<<"$output"
	grep -Fx "$DEAD        : [1], timed out (NaN avg, 100% loss)" <<<"$output"
	[ "$(grep -c ' : \[' <<<"$output")" -eq 6 ]
	grep -Ex 'longer-name.example : xmt/rcv/%loss = 2/2/0%, min/avg/max = [0-9.]+/[0-9.]+/[0-9.]+' <<<"$stderr"
	grep -Fx "$DEAD        : xmt/rcv/%loss = 2/0/100%" <<<"$stderr"
	SORT=1 same -c 2 -p 100 alpha longer-name.example $DEAD
}

@test "-C N -q (SmokePing, fping-exporter): 'host : v v -' on stderr only" {
	run --separate-stderr fp -C 3 -q -B1 -r1 -i10 -p 100 192.0.2.1 $DEAD
	echo "$stderr"
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	grep -Ex '192.0.2.1    : [0-9.]+ [0-9.]+ [0-9.]+' <<<"$stderr"
	grep -Fx "$DEAD : - - -" <<<"$stderr"
	[ "$(wc -l <<<"$stderr")" -eq 2 ]
	same -C 3 -q -p 100 192.0.2.1 $DEAD
}

@test "-C merged 2>&1 (Zabbix): reply lines, a blank line, then the vectors" {
	run fp -C 2 -p 100 192.0.2.1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(sed -n 3p <<<"$output")" = "" ]
	grep -Ex '192.0.2.1 : \[0\], 64 bytes, .*' <<<"$(sed -n 1p <<<"$output")"
	grep -Ex '192.0.2.1 : [0-9.]+ [0-9.]+' <<<"$(sed -n 4p <<<"$output")"
}

@test "-e -q -c 3 (LibreNMS): only the xmt/rcv/%loss lines, on stderr" {
	run --separate-stderr fp -e -q -c 3 -p 100 -t 100 192.0.2.1 $DEAD
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	grep -Ex '192.0.2.1    : xmt/rcv/%loss = 3/3/0%, min/avg/max = [0-9.]+/[0-9.]+/[0-9.]+' <<<"$stderr"
	grep -Fx "$DEAD : xmt/rcv/%loss = 3/0/100%" <<<"$stderr"
	same -e -q -c 3 -p 100 -t 100 192.0.2.1 $DEAD
}

@test "-a, -u, -e, -A: fping's lists and name forms" {
	same -a -t 100 -r 0 192.0.2.1 $DEAD 192.0.2.10
	same -u -t 100 -r 0 192.0.2.1 $DEAD 192.0.2.10
	same -e 192.0.2.1
	SORT=1 same -A alpha longer-name.example
	run --separate-stderr fp -e 192.0.2.1
	grep -Ex '192.0.2.1 is alive \([0-9.]+ ms\)' <<<"$output"
}

@test "-n, -d: targets by their reverse DNS names; with -A 'name (addr)', as fping" {
	run --separate-stderr fp -n 192.0.2.10 192.0.2.1
	[ "$status" -eq 0 ]
	[ "$output" = "alpha is alive
192.0.2.1 is alive" ]
	same -n 192.0.2.10 192.0.2.1 alpha
	SORT=1 same -d 192.0.2.11 longer-name.example
	same -A -n -c 1 192.0.2.10 192.0.2.1
	SORT=1 same -A -d 192.0.2.11 alpha
	run --separate-stderr fp -n -d 192.0.2.1
	[ "$status" -eq 1 ] && [ "$stderr" = "fping: use either one of -d or -n" ]
}

@test "-x N: 'Enough hosts reachable' or not, exit 0 or 1; -o: the outage in ms" {
	run --separate-stderr fp -x 1 -t 100 -r 0 192.0.2.1 $DEAD
	[ "$status" -eq 0 ]
	[ "$output" = "Enough hosts reachable (required: 1, reachable: 1)" ]
	same -x 1 -t 100 -r 0 192.0.2.1 $DEAD
	same -x 2 -t 100 -r 0 192.0.2.1 $DEAD no-such-name
	run --separate-stderr fp -o -c 3 -p 100 192.0.2.1 $DEAD
	grep -Fx "$DEAD : xmt/rcv/%loss = 3/0/100%, outage(ms) = 300" <<<"$stderr"
	same -o -q -c 3 -p 100 192.0.2.1 $DEAD
}

@test "-Q: '[HH:MM:SS]' and each target's counts since the last one on stderr, then the summaries" {
	local shapes
	run --separate-stderr fp -c 6 -p 200 -Q 0.5 192.0.2.1 $DEAD
	echo "$stderr"
	[ "$status" -eq 1 ] && [ "$output" = "" ]
	[ "$(grep -cEx '\[[0-9]{2}:[0-9]{2}:[0-9]{2}\]' <<<"$stderr")" -ge 2 ]
	grep -Ex '192.0.2.1    : xmt/rcv/%loss = [23]/[23]/0%, min/avg/max = [0-9./]+' <<<"$stderr"
	grep -Ex "$DEAD : xmt/rcv/%loss = [0-9]/0/100%" <<<"$stderr"
	[ "$(tail -2 <<<"$stderr" | sed -n 2p)" = "$DEAD : xmt/rcv/%loss = 6/0/100%" ]
	# The same kinds of lines as fping's (all numbers as N).
	need_real
	shapes=$(sed -E 's/[0-9]+/N/g' <<<"$stderr" | sort -u)
	run --separate-stderr realfp -c 6 -p 200 -Q 0.5 192.0.2.1 $DEAD
	[ "$(sed -E 's/[0-9]+/N/g' <<<"$stderr" | sort -u)" = "$shapes" ]
}

@test "-s: fping's totals block on stderr" {
	run --separate-stderr fp -s -t 100 -r 1 192.0.2.1 $DEAD
	echo "$stderr"
	[ "$status" -eq 1 ]
	grep -Ex ' *2 targets' <<<"$stderr"
	grep -Fx '       1 unreachable' <<<"$stderr"
	grep -Fx '       3 ICMP Echos sent' <<<"$stderr"
	grep -Ex ' +[0-9.]+ sec \(elapsed real time\)' <<<"$stderr"
	same -s -t 100 -r 1 192.0.2.1 $DEAD
}

@test "-D: [unix time] before reply and timeout lines" {
	run --separate-stderr fp -D -c 1 -t 100 192.0.2.1 $DEAD
	echo "$output"
	grep -Ex '\[[0-9]{10}\.[0-9]{5}\] 192.0.2.1    : \[0\], 64 bytes, .*' <<<"$output"
	grep -Ex "\[[0-9]{10}\.[0-9]{5}\] $DEAD : \[0\], timed out \(NaN avg, 100% loss\)" <<<"$output"
}

@test "duplicates: 'duplicate for [i]' on stderr with -q and in alive mode, as fping" {
	run --separate-stderr fp -C 2 -q -p 100 $DUP
	echo "$stderr"
	[ "$status" -eq 0 ]
	grep -Ex "$DUP : duplicate for \[0\], 64 bytes, [0-9.]+ ms" <<<"$stderr"
	grep -Ex "$DUP : duplicate for \[1\], 64 bytes, [0-9.]+ ms" <<<"$stderr"
	# fping may end before the last duplicate comes: compare the first.
	need_real
	run --separate-stderr realfp -C 2 -q -p 100 $DUP
	[ "$(sed -n 1p <<<"$stderr" | norm)" = \
	    "N.N : duplicate for [0], 64 bytes, N ms" ]
	run --separate-stderr fp $DUP
	[ "$output" = "$DUP is alive" ]
	grep -Ex "$DUP : duplicate for \[0\], 64 bytes, [0-9.]+ ms" <<<"$stderr"
	# A line per reply: fping shows no duplicate.
	run --separate-stderr fp -c 2 -p 100 $DUP
	[ "$(grep -c duplicate <<<"$output$stderr")" -eq 0 ]
}

@test "a reply from another address: ' [<- addr]' on stderr; mping does not credit it" {
	run --separate-stderr fp -c 1 -t 200 $OTHER
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	grep -Ex "$OTHER : \[0\], 64 bytes, [0-9.]+ ms .*" <<<"$output"
	grep -F "[<- $OTHER_FROM]" <<<"$stderr"
	grep -Fx "$OTHER : xmt/rcv/%loss = 1/0/100%" <<<"$(sed 1d <<<"$stderr" | sed "s/^ \[<- $OTHER_FROM\]//")"
}

@test "ICMP errors: 'ICMP Host Unreachable from A for ICMP Echo sent to B' per probe, then its timeout" {
	run --separate-stderr fp -c 2 -p 100 $UNR
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	[ "$(grep -cFx "ICMP Host Unreachable from 192.0.2.1 for ICMP Echo sent to $UNR" <<<"$stderr")" -eq 2 ]
	[ "$(grep -cFx "$UNR : [0], timed out (NaN avg, 100% loss)" <<<"$output")" -eq 1 ]
	# Alive mode: each of the 4 tries gets its error, as fping's do.
	run --separate-stderr fp -t 50 $UNR
	[ "$status" -eq 1 ]
	[ "$output" = "$UNR is unreachable" ]
	[ "$(grep -cFx "ICMP Host Unreachable from 192.0.2.1 for ICMP Echo sent to $UNR" <<<"$stderr")" -eq 4 ]
	# -q: none.
	run --separate-stderr fp -q -t 50 -r 0 $UNR
	[ "$stderr" = "" ]
}

@test "-B: a retry waits the previous timeout times B (-t 100 -r 3 -B 2: 1.5 s)" {
	local t0 t1
	t0=$(date +%s%N)
	run --separate-stderr fp -t 100 -r 3 -B 2 $DEAD
	t1=$(date +%s%N)
	echo "$(( (t1 - t0) / 1000000 )) ms"
	[ "$status" -eq 1 ]
	[ "$output" = "$DEAD is unreachable" ]
	# 0.1 + 0.2 + 0.4 + 0.8 (fping's own test allows 1.5 to 1.9 s)
	[ $(( (t1 - t0) / 1000000 )) -ge 1500 ]
	[ $(( (t1 - t0) / 1000000 )) -lt 1900 ]
	t0=$(date +%s%N)
	run --separate-stderr fp -t 100 -r 3 -B 1 $DEAD
	t1=$(date +%s%N)
	[ $(( (t1 - t0) / 1000000 )) -lt 1000 ]
}

@test "-l: a line per reply and timeout until SIGINT, then the summaries, exit 1" {
	local pid
	# Not through a function: $! is then fping itself (ip netns exec and
	# env exec it), and SIGINT, ignored by a background job, is reset.
	ip netns exec "$MFP-c" env PATH="$MFP_DIR/bin:/usr/bin:/bin" fping -l \
	    -p 100 192.0.2.1 $DEAD >"$BATS_TEST_TMPDIR/out" \
	    2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	sleep 0.75
	kill -INT $pid
	wait $pid || status=$?
	cat "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err"
	[ "$status" -eq 1 ]
	grep -Ex '192.0.2.1    : \[5\], 64 bytes, .*' "$BATS_TEST_TMPDIR/out"
	grep -Fx "$DEAD : [3], timed out (NaN avg, 100% loss)" "$BATS_TEST_TMPDIR/out"
	grep -Ex '192.0.2.1    : xmt/rcv/%loss = [78]/[78]/0%, .*' "$BATS_TEST_TMPDIR/err"
}

@test "targets: -f FILE (first word of a line, # comments), -f -, stdin, -g range, -g CIDR" {
	printf 'alpha\n# comment\n192.0.2.1\n\n  192.0.2.11 trailing words\n' \
	    >"$BATS_TEST_TMPDIR/list"
	SORT=1 same -f "$BATS_TEST_TMPDIR/list"
	run --separate-stderr fp -f - <"$BATS_TEST_TMPDIR/list"
	[ "$status" -eq 0 ] && [ "$(wc -l <<<"$output")" -eq 3 ]
	run --separate-stderr fp <"$BATS_TEST_TMPDIR/list"
	[ "$status" -eq 0 ] && [ "$(wc -l <<<"$output")" -eq 3 ]
	SORT=1 same -a -r 0 -t 100 -g 192.0.2.9 192.0.2.12
	SORT=1 same -a -r 0 -t 100 -g 192.0.2.8/30
	run --separate-stderr fp -f /nonexistent
	[ "$status" -eq 4 ]
}

@test "names: an unknown one is 'name: reason' on stderr, exit 2; no target at all, exit 1" {
	run --separate-stderr fp no-such-name 192.0.2.1
	[ "$status" -eq 2 ]
	[ "$output" = "192.0.2.1 is alive" ]
	grep -E '^no-such-name: ' <<<"$stderr"
	run --separate-stderr fp -q no-such-name
	[ "$status" -eq 2 ] && [ "$stderr" = "" ]
	run --separate-stderr fp </dev/null
	[ "$status" -eq 1 ] && [ "$output" = "" ] && [ "$stderr" = "" ]
}

@test "-g start end: fping's 100,000 cap, its message, exit 1; a CIDR block has none: a /15 is 131,070 targets, every one alive" {
	need_real
	same -g 198.18.0.0 198.19.255.255 -i 0
	[ "$status" -eq 1 ]
	[ "$stderr" = "fping: -g parameter generates too many addresses" ]
	run --separate-stderr fp -g 198.18.0.0/15 -i 0 -r 0
	[ "$status" -eq 0 ]
	[ "$(grep -c ' is alive$' <<<"$output")" -eq 131070 ]
	[ "$stderr" = "" ]
}

@test "usage errors: fping's messages, exit 1" {
	local a
	for a in "-Z" "--foo" "-c" "--count" "-c 0 192.0.2.1" "-c x 192.0.2.1" \
	    "-t -5 192.0.2.1" "-4 -6 192.0.2.1" "-a -u 192.0.2.1" \
	    "-c 1 -l 192.0.2.1" "-B 9 192.0.2.1" "-H 300 192.0.2.1" \
	    "-b 70000 192.0.2.1" "-S foo 192.0.2.1" "-g" "-g 192.0.2.1" \
	    "-g 192.0.2.0/33" "-g 2001:db8::/120" "-f x 192.0.2.1"; do
		echo "== $a"
		same $a
		[ "$status" -eq 1 ]
	done
}

# fping 5.1's -h (the installed fping) as fping 5.2 changed it: -c and -C
# reworded, -i moved up among the probing options, -k and -X added.
h52_of()
{
	local ival
	ival=$(grep -- '^   -i, --interval=' <<<"$1")
	awk -v ival="$ival" '
	/^   -c, --count=N/ { print $0 " and report stats"; next }
	/^   -C, --vcount=N/ { sub(/report results in/, "report results (not stats) in") }
	/^   -i, --interval=/ { next }
	/^   -H, --ttl=N/ { print; print ival; next }
	/^   -I, --iface=/ { print; print "   -k, --fwmark=FWMARK set the routing mark"; next }
	/^   -x, --reachable=N/ { print; print "   -X, --fast-reachable=N exits true immediately when N hosts are found"; next }
	{ print }' <<<"$1"
}

@test "-h and -v: fping 5.2's option list on stdout; version 5.2, then mping" {
	need_real
	run --separate-stderr fp -h
	[ "$status" -eq 0 ] && [ "$stderr" = "" ]
	grep -F '   -S, --src=IP       set source address' <<<"$output"
	grep -F '   -I, --iface=IFACE  bind to a particular interface' <<<"$output"
	grep -F '   -O, --tos=N        set the type of service' <<<"$output"
	grep -F '   -k, --fwmark=FWMARK set the routing mark' <<<"$output"
	local ours=$output
	run --separate-stderr realfp -h
	diff <(h52_of "$output") - <<<"$ours"
	run --separate-stderr fp -v
	[ "$status" -eq 0 ]
	[ "$(sed -n 1p <<<"$output")" = "fping: Version 5.2" ]
	grep -q mping <<<"$(sed -n 2p <<<"$output")"
}

# payload_words PCAP: the ICMP payload of each echo request in PCAP past
# the tag (bytes 28 on), as hex, one line per packet.
payload_words()
{
	tcpdump -nn -r "$1" -x 2>/dev/null | awk '
		/^[0-9]/ { if (hex != "") print substr(hex, 113); hex = "" }
		/^\t0x/ { for (i = 2; i <= NF; i++) hex = hex $i }
		END { if (hex != "") print substr(hex, 113) }' | sort -u
}

@test "-R (mping --random-data): the payload past the tag is random, drawn once; counts as without" {
	local cap=$MFP_DIR/rdata.pcap
	netns_capture_start "$MFP-c" lo "$cap" "icmp[icmptype] == icmp-echo"
	run --separate-stderr fp -q -R -c 3 -p 100 198.18.0.9
	netns_capture_stop
	echo "$status $stderr"
	[ "$status" -eq 0 ]
	[[ $stderr == "198.18.0.9 : xmt/rcv/%loss = 3/3/0%"* ]]
	# One payload for all three (drawn once), and not mping's i & 0xff.
	run payload_words "$cap"
	echo "$output"
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} != 1c1d1e1f20212223* ]]
	netns_capture_start "$MFP-c" lo "$cap" "icmp[icmptype] == icmp-echo"
	run mfp_exec c "$MPING" -c 2 -p 100 198.18.0.9
	netns_capture_stop
	run payload_words "$cap"
	[[ ${lines[0]} == 1c1d1e1f20212223* ]]
	netns_capture_start "$MFP-c" lo "$cap" "icmp[icmptype] == icmp-echo"
	run mfp_exec c "$MPING" --random-data -c 2 -p 100 198.18.0.9
	netns_capture_stop
	[[ $output == *"198.18.0.9: sent=2 received=2 loss=0%"* ]]
	run payload_words "$cap"
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} != 1c1d1e1f20212223* ]]
}

@test "a copy named fping.copy is fping too; without privileges, fping's socket message and exit 4" {
	cp "$MPING" "$MFP_DIR/fping.copy"
	chmod 755 "$MFP_DIR" "$MFP_DIR/fping.copy"
	# The namespace's ping_group_range is the kernel's "1 0": no
	# datagram ICMP sockets for nobody either.
	run --separate-stderr mfp_exec c setpriv --reuid=65534 --regid=65534 \
	    --clear-groups "$MFP_DIR/fping.copy" 127.0.0.1
	echo "$status $output $stderr"
	[ "$status" -eq 4 ]
	[ -z "$output" ]
	[[ $stderr == *": can't create socket (must run as root?)"* ]]
	# mping itself keeps its own words.
	run --separate-stderr mfp_exec c setpriv --reuid=65534 --regid=65534 \
	    --clear-groups "$MPING" 127.0.0.1
	[ "$status" -eq 4 ]
	[[ $stderr == *"cannot open an ICMP socket"* ]]
}

# --- fping 5.2 ------------------------------------------------------------------

# The host column of each line of $1, in order, joined by spaces.
hosts_of()
{
	awk '{ print $1 }' <<<"$1" | paste -sd' '
}

@test "5.2: names resolve before the first probe: reply lines in the order the targets were given" {
	run --separate-stderr fp -c 2 -p 100 alpha 192.0.2.1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(hosts_of "$output")" = "alpha 192.0.2.1 alpha 192.0.2.1" ]
	[ "$(hosts_of "$stderr")" = "alpha 192.0.2.1" ]
	run --separate-stderr fp -c 1 192.0.2.1 longer-name.example alpha
	[ "$(hosts_of "$output")" = "192.0.2.1 longer-name.example alpha" ]
}

@test "5.2: -a and -u no longer silence -c's per-reply lines" {
	local flag
	for flag in -a -u; do
		run --separate-stderr fp $flag -c 2 -p 100 192.0.2.1
		echo "$flag: $status <$output> <$stderr>"
		[ "$status" -eq 0 ]
		[ "${#lines[@]}" -eq 2 ]
		[[ ${lines[0]} =~ ^192\.0\.2\.1\ :\ \[0\],\ 64\ bytes,\ [0-9.]+\ ms ]]
		[[ ${lines[1]} =~ ^192\.0\.2\.1\ :\ \[1\],\ 64\ bytes, ]]
		[[ $stderr == *"192.0.2.1 : xmt/rcv/%loss = 2/2/0%, min/avg/max = "* ]]
	done
}

@test "SIGQUIT in -l: fping's [HH:MM:SS] block of splits on stderr, each since the last; SIGTERM ends it as fping (143, no summary)" {
	local o=$BATS_TEST_TMPDIR/q pid n
	mfp_exec c env PATH="$MFP_DIR/bin:/usr/bin:/bin" \
	    fping -l -p 100 192.0.2.1 alpha >"$o.out" 2>"$o.err" &
	pid=$!
	sleep 1.05
	pkill -QUIT -P $pid -x fping || kill -QUIT $pid
	sleep 0.5
	pkill -QUIT -P $pid -x fping || kill -QUIT $pid
	sleep 0.3
	pkill -TERM -P $pid -x fping || kill -TERM $pid
	wait $pid || n=$?
	cat "$o.err"
	[ "${n:-0}" -eq 143 ]
	# Two blocks, each: a blank line (-l prints per-reply lines), the
	# time, one split per target in order; nothing after them.
	run grep -cE '^\[[0-9]{2}:[0-9]{2}:[0-9]{2}\]$' "$o.err"
	[ "$output" -eq 2 ]
	run grep -E ' : xmt/rcv/%loss' "$o.err"
	[ "${#lines[@]}" -eq 4 ]
	[[ ${lines[0]} =~ ^192\.0\.2\.1\ :\ xmt/rcv/%loss\ =\ (9|1[0-2])/(9|1[0-2])/0%, ]]
	[[ ${lines[1]} =~ ^alpha\ \ \ \ \ :\ xmt/rcv/%loss\ =\ (9|1[0-2])/(9|1[0-2])/0%, ]]
	# The second block counts only the half second since the first.
	[[ ${lines[2]} =~ ^192\.0\.2\.1\ :\ xmt/rcv/%loss\ =\ [3-7]/[3-7]/0%, ]]
	[[ ${lines[3]} =~ ^alpha\ \ \ \ \ :\ xmt/rcv/%loss\ =\ [3-7]/[3-7]/0%, ]]
	# Nothing else: 2 blank lines, 2 times, 4 splits (no final summary;
	# "ip netns exec" says its child was "Terminated").
	[ "$(sed -n 1p "$o.err")" = "" ]
	[ "$(grep -vcx Terminated "$o.err")" -eq 8 ]
}
