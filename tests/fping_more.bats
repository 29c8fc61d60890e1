#!/usr/bin/env bats
# fping_more.bats: the fping front end's output options -N, -X, -J,
# --check-source, --seqmap-timeout and its send errors (issue 14), in a
# lab of its own, side by side with Debian's fping (5.1) where it has the
# option:
#
#   c ---- r
#
# c   192.0.2.2/24; 198.18.0.0/15 is local (answered by c's own kernel);
#     198.51.100.0/24 via r; no route to 203.0.113.0/24 (a send fails:
#     ENETUNREACH); 0.0.0.0/8 via r too
# r   192.0.2.1; its kernel answers no echo; a responder answers requests
#     to 192.0.2.9 from 192.0.2.8; 198.51.100.0/24 and 0.0.0.0/8 are
#     dropped in silence (blackhole)
#
# Our fping is a link named fping to mping in a directory of the test's
# own.

bats_require_minimum_version 1.5.0

. "${BATS_TEST_DIRNAME}/netns.bash"

MPING="${MPING:-$BATS_TEST_DIRNAME/../mping}"
REAL_FPING=/usr/bin/fping
ALIVE=198.18.0.1 ALIVE2=198.18.0.2 DEAD=198.51.100.5 NOROUTE=203.0.113.5
OTHER=192.0.2.9 OTHER_FROM=192.0.2.8

_fo_build()
{
	local n etc i

	for n in c r; do
		netns_add "$FO_DIR" "$FO-$n" && netns_defaults "$FO-$n" ||
		    return 1
		etc=$(netns_etc "$FO_DIR" "$FO-$n") || return 1
		printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' \
		    >"$etc/resolv.conf" &&
		printf 'hosts: files\n' >"$etc/nsswitch.conf" &&
		printf '127.0.0.1 localhost\n' >"$etc/hosts" || return 1
	done
	netns_sysctl "$FO-r" net.ipv4.icmp_echo_ignore_all=1 &&
	netns_veth "$FO-c" v0 "$FO-r" v1 &&
	netns_addrs "$FO-c" v0 192.0.2.2/24 &&
	netns_addrs "$FO-r" v1 192.0.2.1/24 $OTHER/24 $OTHER_FROM/24 &&
	ip -n "$FO-c" route add local 198.18.0.0/15 dev lo &&
	ip -n "$FO-c" route add 198.51.100.0/24 via 192.0.2.1 &&
	ip -n "$FO-c" route add 0.0.0.0/8 via 192.0.2.1 &&
	ip -n "$FO-r" route add blackhole 198.51.100.0/24 || return 1
	cc -std=c99 -D_GNU_SOURCE -O2 -o "$FO_DIR/responder" \
	    "$BATS_TEST_DIRNAME/responder.c" || return 1
	ip netns exec "$FO-r" "$FO_DIR/responder" --pidfile "$FO_DIR/r.pid" \
	    --addr $OTHER --from $OTHER_FROM >"$FO_DIR/r.log" 2>&1 \
	    </dev/null 3>&- &
	for i in $(seq 50); do
		[ -s "$FO_DIR/r.pid" ] && return 0
		sleep 0.05
	done
	return 1
}

setup_file()
{
	netns_lab_up FO fo _fo_build || return 1
	netns_is_root || return 0
	mkdir -p "$FO_DIR/bin" &&
	ln -s "$(cd "$(dirname "$MPING")" && pwd)/mping" "$FO_DIR/bin/fping"
}

teardown_file()	{ netns_lab_down FO; }

setup()
{
	netns_is_root || skip "needs root"
	[ -n "${FO:-}" ] || skip "lab not built"
}

# fp ARGS...: our fping (argv[0] "fping") in c; realfp: Debian's.
fp()
{
	ip netns exec "$FO-c" env PATH="$FO_DIR/bin:/usr/bin:/bin" \
	    timeout -k 2 30 fping "$@"
}

realfp()
{
	ip netns exec "$FO-c" env PATH="/usr/bin:/bin" timeout -k 2 30 \
	    fping "$@"
}

# norm: RTTs (numbers with a decimal point), netdata's RTTs in ns and -Q's
# clock as N; netdata's chart titles as fping 5.2 writes them (the
# installed 5.1 adds "for host H").
norm()
{
	sed -E -e 's/[0-9]+\.[0-9]+/N/g' -e 's/^SET (min|avg|max) = [0-9]+$/SET \1 = N/' \
	    -e 's/^\[[0-9:]{8}\]$/[T]/' \
	    -e "s/^(CHART [^ ]* '' 'FPing [A-Za-z]+) for host [^']*'/\\1'/"
}

# same ARGS...: our fping and the real one print the same lines (after
# norm) on the same streams and exit alike.
same()
{
	local out err rc

	[ -x "$REAL_FPING" ] || skip "fping is not installed"
	run --separate-stderr realfp "$@"
	rc=$status out=$(norm <<<"$output") err=$(norm <<<"$stderr")
	run --separate-stderr fp "$@"
	echo "real: $rc"; echo "$out"; echo "--"; echo "$err"
	echo "ours: $status"; echo "$output"; echo "--"; echo "$stderr"
	[ "$status" -eq "$rc" ]
	[ "$(norm <<<"$output")" = "$out" ]
	[ "$(norm <<<"$stderr")" = "$err" ]
}

# -N: probes at 0, 400, 800 ms are done (-t 30) when the report at 1 s is
# due, the next is at 1200 ms; five in all, one report.
@test "-N -c -Q: netdata's CHART, DIMENSION, BEGIN, SET, END lines on stdout, as fping 5.2" {
	run --separate-stderr fp -N -c 5 -p 400 -t 30 -Q 1 $ALIVE $DEAD
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	[ "$(grep -c '^CHART ' <<<"$output")" -eq 6 ]
	[ "$(grep -c '^DIMENSION ' <<<"$output")" -eq 12 ]
	[ "$(grep -c '^BEGIN ' <<<"$output")" -eq 6 ]
	[ "$(grep -c '^END$' <<<"$output")" -eq 6 ]
	grep -Fx "CHART fping.198_18_0_1_packets '' 'FPing Packets' packets '$ALIVE' fping.packets line 110020 1" <<<"$output"
	[ "$(sed -n '/^BEGIN fping.198_18_0_1_packets$/,/^END$/p' <<<"$output")" = "BEGIN fping.198_18_0_1_packets
SET xmt = 3
SET rcv = 3
END" ]
	[ "$(sed -n '/^BEGIN fping.198_51_100_5_quality$/,/^END$/p' <<<"$output")" = "BEGIN fping.198_51_100_5_quality
SET returned = 0
END" ]
	grep -Ex 'SET (min|avg|max) = [0-9]+' <<<"$output"
	# No reply: the latency block has no values.
	[ "$(sed -n '/^BEGIN fping.198_51_100_5_latency$/,/^END$/p' <<<"$output" | wc -l)" -eq 2 ]
	[ "$(norm <<<"$stderr")" = "$(norm <<-EOF
	$ALIVE   : xmt/rcv/%loss = 5/5/0%, min/avg/max = 0.1/0.1/0.1
	$DEAD : xmt/rcv/%loss = 5/0/100%
	EOF
	)" ]
	same -N -c 5 -p 400 -t 30 -Q 1 $ALIVE $DEAD
}

@test "-N without -Q: fping's usual lines (no chart), as fping 5.1" {
	same -N -c 2 -p 100 -t 50 $ALIVE $DEAD
}

@test "-X N: ends once N targets answered: 'Enough hosts reachable', exit 0; too few: 'Not enough', exit 1" {
	local t0 t1
	t0=$(date +%s%N)
	# Without -X the dead target would take 0.5+0.75+1.125+1.69 s.
	run --separate-stderr fp -X 1 $ALIVE $DEAD
	t1=$(date +%s%N)
	echo "$output"; echo "$stderr"; echo "$(( (t1 - t0) / 1000000 )) ms"
	[ "$status" -eq 0 ]
	[ "$output" = "Enough hosts reachable (required: 1, reachable: 1)" ]
	[ "$stderr" = "" ]
	[ $(( (t1 - t0) / 1000000 )) -lt 2500 ]
	run --separate-stderr fp -X 2 -r 0 -t 50 $ALIVE $DEAD
	[ "$status" -eq 1 ]
	[ "$output" = "Not enough hosts reachable (required: 2, reachable: 1)" ]
	[ "$stderr" = "" ]
	# It ends on the first answer: the other targets are not even sent
	# to (-i 10 between them).
	run --separate-stderr fp -X 1 -g 198.18.0.0/29
	[ "$status" -eq 0 ]
	[ "$output" = "Enough hosts reachable (required: 1, reachable: 1)" ]
	run --separate-stderr fp --fast-reachable=2 -r 0 -t 50 $ALIVE $ALIVE2
	[ "$status" -eq 0 ]
	[ "$output" = "Enough hosts reachable (required: 2, reachable: 2)" ]
}

@test "-X: with -u the targets that had not answered when it ended; -X 0 is a usage error" {
	run --separate-stderr fp -X 1 -u $ALIVE $DEAD
	[ "$status" -eq 0 ]
	[ "$output" = "$DEAD
Enough hosts reachable (required: 1, reachable: 1)" ]
	run --separate-stderr fp -X 0 $ALIVE
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "${stderr%%$'\n'*}" = "Usage: fping [options] [targets...]" ]
}

@test "-J -c: fping 5.5's resp, timeout and summary lines on stdout, nothing on stderr" {
	run --separate-stderr fp -J -c 2 -p 100 -t 50 $ALIVE $DEAD
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	[ "$stderr" = "" ]
	[ "$(sed -E 's/"rtt(Min|Avg|Max)?": [0-9.]+/"rtt\1": N/g' <<<"$output" | sort)" = "$(sort <<-EOF
	{"resp": {"host": "$ALIVE", "seq": 0, "size": 64, "rtt": N}}
	{"resp": {"host": "$ALIVE", "seq": 1, "size": 64, "rtt": N}}
	{"summary": {"host": "$ALIVE", "xmt": 2, "rcv": 2, "loss": 0, "rttMin": N, "rttAvg": N, "rttMax": N}}
	{"summary": {"host": "$DEAD", "xmt": 2, "rcv": 0, "loss": 100}}
	{"timeout": {"host": "$DEAD", "seq": 0}}
	{"timeout": {"host": "$DEAD", "seq": 1}}
	EOF
	)" ]
	# Every line is a JSON document of its own.
	[ "$(jq -c 'keys[0]' <<<"$output" | wc -l)" -eq 6 ]
	# The summaries come last, in the order given.
	[ "$(tail -2 <<<"$output" | jq -r '.summary.host')" = "$ALIVE
$DEAD" ]
}

@test "-J -C, -s, -o, -D, -q: vSum with null, stats, outage(ms), timestamp, summary only" {
	run --separate-stderr fp -J -C 2 -q -s -p 100 -t 50 $ALIVE $DEAD
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	[ "$stderr" = "" ]
	[ "$(jq -c 'select(.vSum) | .vSum | [.host, (.values | map(type))]' <<<"$output")" = "[\"$ALIVE\",[\"number\",\"number\"]]
[\"$DEAD\",[\"null\",\"null\"]]" ]
	[ "$(jq -c 'select(.stats) | .stats | [.targets, .alive, .unreachable, .unknownAddresses, .timeouts, .icmpEchosSent, .icmpEchoRepliesReceived, .otherIcmpReceived]' <<<"$output")" = "[2,1,1,0,2,4,2,0]" ]
	[ "$(jq -r 'keys[0]' <<<"$output" | tr '\n' ' ')" = "vSum vSum stats " ]
	run --separate-stderr fp -J -c 2 -o -D -p 100 -t 50 $DEAD
	echo "$output"
	[ "$(jq -c 'select(.summary) | .summary' <<<"$output")" = "{\"host\":\"$DEAD\",\"xmt\":2,\"rcv\":0,\"loss\":100,\"outage(ms)\":200}" ]
	grep -Ex '\{"timeout": \{"timestamp": "[0-9]+\.[0-9]{5}", "host": "198\.51\.100\.5", "seq": 0\}\}' <<<"$output"
}

@test "-J -Q: an intSum line per target and report; -J needs -c, -C or -l (exit 1)" {
	run --separate-stderr fp -J -c 5 -p 300 -t 50 -Q 1 $ALIVE $DEAD
	echo "$output"
	[ "$(jq -c 'select(.intSum) | .intSum | [.host, .xmt, .rcv, .loss, (.time | type)]' <<<"$output")" = "[\"$ALIVE\",4,4,0,\"number\"]
[\"$DEAD\",4,0,100,\"number\"]" ]
	grep -Ex '\{"intSum": \{"time": [0-9]+,"host": "198\.18\.0\.1", "xmt": 4, "rcv": 4, "loss": 0, "rttMin": [0-9.]+, "rttAvg": [0-9.]+, "rttMax": [0-9.]+\}\}' <<<"$output"
	run --separate-stderr fp -J $ALIVE
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "fping: option -J, --json requires -c, -C, or -l" ]
}

@test "-J: a name without an address is a warning line too, its text on stderr as without -J" {
	run --separate-stderr fp -J -c 1 -t 50 nosuch.invalid $ALIVE
	echo "$output"; echo "$stderr"
	[ "$status" -eq 2 ]
	grep -Fx '{"warning": {"host": "nosuch.invalid", "message": "Name or service not known"}}' <<<"$output"
	[ "$stderr" = "nosuch.invalid: Name or service not known" ]
	# A name fping would write into its JSON as it is: escaped.
	printf 'a"b\\c\n' >"$BATS_TEST_TMPDIR/names"
	chmod a+r "$BATS_TEST_TMPDIR/names"
	run --separate-stderr fp -J -c 1 -f "$BATS_TEST_TMPDIR/names"
	echo "$output"
	[ "$output" = '{"warning": {"host": "a\"b\\c", "message": "Name or service not known"}}' ]
	[ "$(jq -r .warning.host <<<"$output")" = 'a"b\c' ]
}

@test "--check-source: a reply from another address is not shown, counted (-s) as fping counts it" {
	# Without it: mping's documented form, shown with [<- addr], not
	# credited.
	run --separate-stderr fp -c 2 -p 100 $OTHER
	echo "$output"; echo "$stderr"
	grep -F " [<- $OTHER_FROM]" <<<"$stderr"
	run --separate-stderr fp --check-source -c 2 -p 100 -s $OTHER
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	[ "$output" = "$OTHER : [0], timed out (NaN avg, 100% loss)
$OTHER : [1], timed out (NaN avg, 100% loss)" ]
	nogrep -F '[<-' <<<"$stderr"
	grep -Fx "$OTHER : xmt/rcv/%loss = 2/0/100%" <<<"$stderr"
	grep -Fx '       2 ICMP Echo Replies received' <<<"$stderr"
	run --separate-stderr fp --check-source -r 0 -t 100 $OTHER
	[ "$status" -eq 1 ]
	[ "$output" = "$OTHER is unreachable" ]
	[ "$stderr" = "" ]
}

@test "--seqmap-timeout MSEC: accepted with fping's checks (a number >= 0, else usage, exit 1)" {
	run --separate-stderr fp --seqmap-timeout 5000 -c 1 $ALIVE
	[ "$status" -eq 0 ]
	run --separate-stderr fp --seqmap-timeout=0.5 $ALIVE
	[ "$status" -eq 0 ]
	[ "$output" = "$ALIVE is alive" ]
	for v in abc 10x -5 ""; do
		run --separate-stderr fp --seqmap-timeout="$v" $ALIVE
		echo "$v: $status"
		[ "$status" -eq 1 ]
		[ "$output" = "" ]
		[ "${stderr%%$'\n'*}" = "Usage: fping [options] [targets...]" ]
	done
}

@test "a send that fails: 'ADDR: error while sending ping: <strerror>' once per send, as fping 5.1" {
	run --separate-stderr fp -r 2 -t 50 $NOROUTE
	[ "$status" -eq 1 ]
	[ "$output" = "$NOROUTE is unreachable" ]
	[ "$stderr" = "$NOROUTE: error while sending ping: Network is unreachable" ]
	same -r 2 -t 50 $NOROUTE
	same -s -r 1 -t 50 $NOROUTE $ALIVE
	same -c 3 -p 100 $NOROUTE
	same -C 2 -p 100 $NOROUTE $ALIVE
}

@test "a send that fails counts as sent in -Q's reports, as fping 5.1" {
	run --separate-stderr fp -c 5 -p 400 -Q 1 $NOROUTE
	echo "$stderr"
	grep -Fx "$NOROUTE : xmt/rcv/%loss = 3/0/100%" <<<"$stderr"
	same -c 5 -p 400 -Q 1 $NOROUTE
}

@test "0.0.0.1 ('1') routed and dropped: no ICMP line is made up, the same lines as fping 5.1" {
	run --separate-stderr fp -M -r 0 -t 100 1
	[ "$status" -eq 1 ]
	[ "$output" = "1 is unreachable" ]
	[ "$stderr" = "" ]
	same -M -r 0 -t 100 1
	same -M -c 2 -p 100 1
}

@test "--timestamp-format ctime|iso|rfc3339: -D's stamp in that form (local time), in JSON too; another word: usage, exit 1" {
	run --separate-stderr fp -D --timestamp-format=iso -c 1 $ALIVE
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^\[[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{4}\]\ 198\.18\.0\.1\ :\ \[0\],\ 64\ bytes, ]]
	run --separate-stderr fp -D --timestamp-format rfc3339 -c 1 $ALIVE
	[[ "$output" =~ ^\[[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}:[0-9]{2}\]\ 198\.18\.0\.1\ : ]]
	run --separate-stderr fp -D --timestamp-format=ctime -c 1 $ALIVE
	[[ "$output" =~ ^\[[A-Z][a-z]{2}\ [A-Z][a-z]{2}\ [\ 0-9][0-9]\ [0-9:]{8}\ [0-9]{4}\]\ 198\.18\.0\.1\ : ]]
	run --separate-stderr fp -J -D --timestamp-format=rfc3339 -c 1 $ALIVE
	[[ "$output" =~ ^\{\"resp\":\ \{\"timestamp\":\ \"[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9:]{8}\",\ \"host\":\ \"198\.18\.0\.1\", ]]
	for v in bad ""; do
		run --separate-stderr fp -D --timestamp-format="$v" -c 1 $ALIVE
		[ "$status" -eq 1 ]
		[ "${stderr%%$'\n'*}" = "Usage: fping [options] [targets...]" ]
	done
	# As fping's own suite runs it: the value is "-c".
	run --separate-stderr fp -D --timestamp-format -c 2 -p 100 $ALIVE
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
}

# qnorm: norm, and the counts of a report as X.
qnorm()
{
	norm | sed -E 's#= [0-9]+/[0-9]+/#= X/X/#'
}

# sig_run BIN ARGS...: BIN (fping: ours, realfp: Debian's) with ARGS in
# the background; SIGQUIT after 1 s, SIGTERM 0.7 s later.
sig_run()
{
	local bin=$1 pid
	shift
	ip netns exec "$FO-c" env PATH="$([ "$bin" = fping ] &&
	    echo "$FO_DIR/bin:")/usr/bin:/bin" fping "$@" \
	    >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	sleep 1
	kill -QUIT $pid
	sleep 0.7
	kill -TERM $pid
	status=0
	wait $pid || status=$?
	output=$(cat "$BATS_TEST_TMPDIR/out")
	stderr=$(cat "$BATS_TEST_TMPDIR/err")
}

@test "SIGQUIT: fping's report ([HH:MM:SS], each target's counts since the last) on stderr; SIGTERM: the end, no summary, as fping 5.1" {
	sig_run fping -p 300 -l $ALIVE
	echo "$status"; echo "$output"; echo "$stderr"
	[ "$status" -eq 143 ]
	# 4 probes done at 1 s (one every 300 ms): 3 to 5 on a loaded host.
	grep -Eq 'xmt/rcv/%loss = ([345])/\1/0%' <<<"$stderr"
	[ "$(qnorm <<<"$stderr")" = "$(qnorm <<-EOF

	[T]
	$ALIVE : xmt/rcv/%loss = 4/4/0%, min/avg/max = 0.1/0.1/0.1
	EOF
	)" ]
	[ "$(wc -l <<<"$output")" -ge 5 ]
	[ -x "$REAL_FPING" ] || skip "fping is not installed"
	local ours=$stderr
	sig_run realfp -p 300 -l $ALIVE
	[ "$status" -eq 143 ]
	[ "$(qnorm <<<"$stderr")" = "$(qnorm <<<"$ours")" ]
}

@test "-S with an address not on this host: 'cannot bind source address : <strerror>', exit 4, as fping 5.1" {
	run --separate-stderr fp -S 192.0.2.47 $ALIVE
	[ "$status" -eq 4 ]
	[ "$output" = "" ]
	[ "$stderr" = "fping: cannot bind source address : Cannot assign requested address" ]
	same -S 192.0.2.47 $ALIVE
}
