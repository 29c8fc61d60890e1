#!/usr/bin/env bats
# fping_clients.bats: mping called as `fping` (issue 14) under the exact
# command lines of the monitoring systems that run fping, its output read
# back by a small reimplementation (in our own words) of each client's
# parser, asserting the values the client would store.  Where real fping
# is installed (Debian's fping, see .ci/run), the same command runs with it
# on the same lab and its output must have the same form, RTT numbers
# aside.
#
# The lab is lab.bash's.  Targets, as seen from the client:
#
#   A   198.18.0.1     answers
#   D   198.18.9.1     its replies are dropped (nftables on r1): dead
#   P   198.18.9.2     every 4th reply dropped: of 4 probes, exactly 1 lost
#   U   198.51.100.1   r2 answers "host unreachable"
#   U3  198.51.100.129 r3 answers "host unreachable" (a rate-limit bucket of
#                      its own: Linux sends 5 such errors at once, then 1
#                      a second, per client source)
#   DUP 203.0.113.20   the responder answers each request twice
#   RED 203.0.113.21   the responder answers from 203.0.113.22
#
# Clients, and what of theirs is reimplemented here:
#   SmokePing  lib/Smokeping/probes/FPing.pm (ping, new)
#   Zabbix     src/libs/zbxicmpping/icmpping.c (hosts_ping, line_process,
#              get_interval_option, get_source_ip_option)
#   LibreNMS   LibreNMS/Data/Source/Icmp/Fping.php, FpingResponse.php
#   Nagios     monitoring-plugins plugins/check_fping.c (textscan)
#   fping-exporter  worker.go, measurement.go

bats_require_minimum_version 1.5.0

load lab

A=198.18.0.1 D=198.18.9.1 P=198.18.9.2 U=198.51.100.1 U3=198.51.100.129
DUP=203.0.113.20 RED=203.0.113.21 RED_FROM=203.0.113.22
FPING_REAL=${FPING_REAL:-/usr/bin/fping}

setup_file()
{
	lab_up || return 1
	[ -n "${LAB_DIR:-}" ] || return 0
	mkdir -p "$LAB_DIR/fp" &&
	ln -sf "$MPING" "$LAB_DIR/fp/fping" &&
	ln -sf "$MPING" "$LAB_DIR/fp/fping6" &&
	responder_start dup --addr "$DUP" --dup 1 &&
	responder_start red --addr "$RED" --from "$RED_FROM"
}

teardown_file()
{
	lab_down
}

setup()
{
	lab_require_root
}

# run_fping WHICH ARGS...: ours or real fping in the client, stdout to
# $BATS_TEST_TMPDIR/WHICH.out, stderr to WHICH.err, exit code to WHICH.rc;
# stdin is inherited (clients feed targets on it).  Every run here has at
# most FPING_TEST_TIMEOUT s (fp_timeout): a binary that is no fping (mping
# before issue 14) pings until stopped.
run_fping()
{
	local which=$1 bin o=$BATS_TEST_TMPDIR/$1 rc=0
	shift
	case $which in
	ours)	bin=$LAB_DIR/fp/fping ;;
	real)	bin=$FPING_REAL ;;
	esac
	fp_timeout ip netns exec "$LAB-c" "$bin" "$@" >"$o.out" \
	    2>"$o.err" || rc=$?
	echo "$rc" >"$o.rc"
}

# have_real: real fping is installed (else the comparisons are skipped:
# .ci/run installs it, so in CI they always run).
have_real()
{
	[ -x "$FPING_REAL" ]
}

# norm_rtt: RTT numbers (not addresses) replaced by R.
norm_rtt()
{
	perl -pe 's{(^|[ (/=])\d+\.\d+(?=[ /)]|$)}{$1R}g'
}

# one_per_line: fping writes a redirect's " [<- ADDR]" to stderr with no
# newline (the reply's line follows on stdout), so on stderr alone such
# fragments run into the next line: one a line, then sorted, each
# distinct line once (r2 rate-limits its unreachables: their number
# varies).
one_per_line()
{
	perl -pe 's/( \[<- [^]]*\])/$1\n/g' | grep -v '^$' | sort -u
}

# same_form FILE: ours and real fping's FILE (out, err), RTTs aside, are
# the same text (sorted first when the second argument is "sorted", for
# lines whose interleaving depends on timing; lines matching the
# extended regex ASIDE, if set, left out of both).
same_form()
{
	local f=$1 a b
	have_real || return 0
	a=$(norm_rtt <"$BATS_TEST_TMPDIR/ours.$f")
	b=$(norm_rtt <"$BATS_TEST_TMPDIR/real.$f")
	if [ "${2:-}" = sorted ]; then
		a=$(one_per_line <<<"$a") b=$(one_per_line <<<"$b")
	fi
	if [ -n "${ASIDE:-}" ]; then
		a=$(grep -Ev "$ASIDE" <<<"$a") b=$(grep -Ev "$ASIDE" <<<"$b")
	fi
	[ "$a" = "$b" ] && return 0
	diff <(echo "$b") <(echo "$a") >&2
	echo "ours ($f, +) differs from real fping ($f, -)" >&2
	return 1
}

# both CMD ARGS...: CMD ours ARGS, then CMD real ARGS when real fping is
# installed.
both()
{
	local cmd=$1
	shift
	"$cmd" ours "$@"
	if have_real; then
		"$cmd" real "$@"
	fi
}

# both_at_once CMD ARGS...: the same, at the same time (only for targets
# without P, whose losses follow one counter for all).
both_at_once()
{
	local cmd=$1
	shift
	"$cmd" ours "$@" &
	if have_real; then
		"$cmd" real "$@"
	fi
	wait
}

# --- SmokePing ---------------------------------------------------------
# FPing.pm runs BINARY -C PINGS -q -B1 -r1 -i10 [-bN -tN -pN] HOSTS (-p
# from hostinterval, 0.25 s here), reads
# stderr only and keeps a line when it looks like "HOST : <digit or dot>":
# the first word is the host, the second must be a lone ":", the words
# that begin with a digit are its RTTs, sorted.  SmokePing derives loss as
# PINGS minus the RTTs kept and the median as the kept RTT at index
# int(n/2).  A host with no such line gets nothing stored (all lost).
smokeping_parse()
{
	perl -ne '
		chomp;
		next unless /^\S+\s+:\s+[\d.]/;
		my ($h, $colon, @w) = split /\s+/;
		next unless $colon eq ":";
		my @t = sort { $a <=> $b } grep { /^\d/ } @w;
		my $ok = (grep { $_ <= 0 || $_ > 1000 } @t) ? "bad" : "ok";
		printf "%s kept=%d loss=%d median=%s\n", $h, scalar @t,
		    $ENV{PINGS} - @t, @t ? $ok : "none";
	' "$@"
}

smokeping_run()
{
	run_fping "$1" -C 4 -q -B1 -r1 -i10 -p250 $A $D $P $U $DUP $RED
	PINGS=4 smokeping_parse "$BATS_TEST_TMPDIR/$1.err" \
	    >"$BATS_TEST_TMPDIR/$1.smoke"
}

@test "SmokePing FPing probe: -C 4 -q -B1 -r1 -i10 -p250, stderr lines kept, RTTs per host" {
	both smokeping_run
	run cat "$BATS_TEST_TMPDIR/ours.smoke"
	# RED: its replies come from another address; mping never credits
	# them (keyed matching; mping(1), CALLED AS FPING), so its -C line is
	# all '-' and SmokePing stores nothing for it (real fping credits
	# them: kept=4).
	[ "$output" = "$A kept=4 loss=0 median=ok
$P kept=3 loss=1 median=ok
$DUP kept=4 loss=0 median=ok" ]
	# no per-reply line on stdout with -q; exit 1: some host is down
	[ ! -s "$BATS_TEST_TMPDIR/ours.out" ]
	[ "$(cat "$BATS_TEST_TMPDIR/ours.rc")" = 1 ]
	# the -C lines: host padded to the longest, "-" for each lost probe
	grep -qx "$D   : - - - -" "$BATS_TEST_TMPDIR/ours.err"
	grep -qx "$U : - - - -" "$BATS_TEST_TMPDIR/ours.err"
	grep -qx "$RED : - - - -" "$BATS_TEST_TMPDIR/ours.err"
	have_real || return 0
	diff <(grep -v "^$RED " "$BATS_TEST_TMPDIR/real.smoke") \
	    "$BATS_TEST_TMPDIR/ours.smoke"
	# P's lost probe is the 4th reply through r1's counter: any one of 4
	[ "$(grep -Ev "^($P|$RED) " "$BATS_TEST_TMPDIR/ours.err" | norm_rtt)" = \
	    "$(grep -Ev "^($P|$RED) " "$BATS_TEST_TMPDIR/real.err" | norm_rtt)" ]
}

# SmokePing's start-up check: `BINARY -C 1 localhost 2>&1`, then
# /bytes, ([0-9.]+)\sms\s+.*\n.*\n.*:\s+([0-9.]+)/ must find the reply's
# RTT and, two lines on, the -C value; pingfactor = 1000 * second / first
# must be 1000 (milliseconds), or SmokePing rescales every RTT.
smokeping_factor()
{
	fp_timeout ip netns exec "$LAB-c" "$1" -C 1 localhost 2>&1 |
	    perl -0777 -ne '
		if (/bytes, ([0-9.]+)\sms\s+.*\n.*\n.*:\s+([0-9.]+)/ and $1 > 0) {
			printf "factor=%.0f\n", 1000 * $2 / $1;
		} else {
			print "factor=default\n";
		}'
}

@test "SmokePing start-up check: -C 1 localhost 2>&1 gives the millisecond factor" {
	run smokeping_factor "$LAB_DIR/fp/fping"
	[ "$output" = "factor=1000" ]
	have_real || return 0
	run smokeping_factor "$FPING_REAL"
	[ "$output" = "factor=1000" ]
}

# --- Zabbix ------------------------------------------------------------
# icmpping.c: first the minimum interval, `FPING -c1 -t50 -iN 2>&1 <FILE`
# for N in 0, 1, 10 (FILE holds one address, no newline): "You need
# -i >= N" in the output gives N; otherwise output under 1 KiB that starts
# (spaces skipped) with the address means N works.  Then
# `FPING -C COUNT [-pN -bN -tN] -iN 2>&1 <FILE` (FILE: the hosts, one a
# line; -p from the item's interval, 250 ms here), one
# stream.  Per line: a line with " [<-" is dropped (redirected replies
# count as down); the first word must be one of the hosts; " : " must
# follow; "duplicate for" lines are dropped; after " : ", "[i]" marks
# probe i answered unless the line says " timed out "; any other line is
# the -C line, whose i-th value counts only if probe i was marked.
zabbix_interval()
{
	local n f=$BATS_TEST_TMPDIR/zbx1 out
	printf '%s' "$2" >"$f"
	for n in 0 1 10; do
		out=$(fp_timeout ip netns exec "$LAB-c" "$1" -c1 -t50 \
		    -i$n 2>&1 <"$f") || true
		case $out in
		*"You need -i >= "*)
			out=${out#*You need -i >= }
			echo "${out%%[!0-9]*}"
			return ;;
		esac
		if [ "${#out}" -lt 1024 ]; then
			out=$(sed 's/ \[<-[^]]*\]//' <<<"$out")
			out=${out#"${out%%[! ]*}"}
			[ "${out#"$2"}" != "$out" ] && { echo "$n"; return; }
		fi
	done
	echo none
}

zabbix_parse()
{
	COUNT=$1 HOSTS=$2 perl -ne '
		BEGIN { %want = map { $_ => 1 } split / /, $ENV{HOSTS};
			$n = $ENV{COUNT}; }
		chomp;
		next if / \[<-/;
		next unless /^(\S+) / and $want{$1};
		my $h = $1;
		next unless /( : )(.*)$/;
		my $rest = $2;
		next if /duplicate for/;
		if ($rest =~ /^\[(\d+)\]/) {
			$mark{$h}[$1] = 1 if $1 < $n && $rest !~ / timed out /;
			next;
		}
		my @v = split / /, $rest;
		for my $i (0 .. $n - 1) {
			next unless $mark{$h}[$i];
			my $s = $v[$i] / 1000;
			$min{$h} = $s if !$rcv{$h} || $s < $min{$h};
			$max{$h} = $s if !$rcv{$h} || $s > $max{$h};
			$sum{$h} += $s; $rcv{$h}++;
		}
		$cnt{$h} += $n;
		END {
			for my $h (split / /, $ENV{HOSTS}) {
				my $r = $rcv{$h} // 0;
				my $ok = $r && $min{$h} > 0 && $min{$h} <= $max{$h}
				    ? "ok" : "none";
				printf "%s sent=%d rcv=%d loss=%d%% rtt=%s\n", $h,
				    $cnt{$h} // 0, $r,
				    $cnt{$h} ? 100 * ($cnt{$h} - $r) / $cnt{$h} : 100,
				    $ok;
			}
		}'
}

zabbix_run()
{
	local bin=$LAB_DIR/fp/fping i f=$BATS_TEST_TMPDIR/zbxhosts
	[ "$1" = real ] && bin=$FPING_REAL
	i=$(zabbix_interval "$bin" "$A")
	echo "$i" >"$BATS_TEST_TMPDIR/$1.zbxint"
	printf '%s\n' $A $D $P $U $DUP $RED >"$f"
	fp_timeout ip netns exec "$LAB-c" "$bin" -C4 -p250 -i"$i" \
	    >"$BATS_TEST_TMPDIR/$1.out" 2>&1 <"$f" || true
	zabbix_parse 4 "$A $D $P $U $DUP $RED" <"$BATS_TEST_TMPDIR/$1.out" \
	    >"$BATS_TEST_TMPDIR/$1.zbx"
}

@test "Zabbix icmpping: interval probe, -C4 -p250 -iN with targets on stdin, streams merged" {
	both zabbix_run
	run cat "$BATS_TEST_TMPDIR/ours.zbxint"
	[[ "$output" =~ ^(0|1)$ ]]
	run cat "$BATS_TEST_TMPDIR/ours.zbx"
	[ "$output" = "$A sent=4 rcv=4 loss=0% rtt=ok
$D sent=4 rcv=0 loss=100% rtt=none
$P sent=4 rcv=3 loss=25% rtt=ok
$U sent=4 rcv=0 loss=100% rtt=none
$DUP sent=4 rcv=4 loss=0% rtt=ok
$RED sent=4 rcv=0 loss=100% rtt=none" ]
	have_real || return 0
	diff "$BATS_TEST_TMPDIR/real.zbx" "$BATS_TEST_TMPDIR/ours.zbx"
}

# get_source_ip_option: `FPING -h 2>&1`, a line that starts (spaces
# skipped) with "-I" then a space or comma offers -I; with "-S" likewise
# offers -S, which wins.
zabbix_source_option()
{
	fp_timeout ip netns exec "$LAB-c" "$1" -h 2>&1 | perl -ne '
		s/^\s+//;
		$o = "-I" if /^-I[\s,]/;
		if (/^-S[\s,]/) { $o = "-S"; last; }
		END { print $o // "none", "\n" }'
}

@test "Zabbix SourceIP: -h offers -S (and -I)" {
	run zabbix_source_option "$LAB_DIR/fp/fping"
	[ "$output" = "-S" ]
	run fp_timeout ip netns exec "$LAB-c" "$LAB_DIR/fp/fping" -h
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\n   -I, --iface=IFACE '* ]]
	have_real || return 0
	run zabbix_source_option "$FPING_REAL"
	[ "$output" = "-S" ]
}

# --- LibreNMS ----------------------------------------------------------
# Fping::ping runs FPING -e -q -c COUNT -p 500 -t 500 -O 0 HOST and
# matches all of stderr against
#   (\S+)\s*: (xmt/rcv/%loss = (\d+)/(\d+)/(?:(100)%|(\d+)%,
#   min/avg/max = ([\d.]+)/([\d.]+)/([\d.]+))|<resolver errors>)$
# ($ without /m: the summary must end stderr), and counts "duplicate" in
# stderr.  Alive: exit code 0 and loss below 100.
librenms_parse()
{
	perl -0777 -ne '
		if (m{(\S+)\s*: (xmt/rcv/%loss = (\d+)/(\d+)/(?:(100)%|(\d+)%, min/avg/max = ([\d.]+)/([\d.]+)/([\d.]+))|Name or service not known|Temporary failure in name resolution)$}) {
			my ($h, $x, $r, $loss) = ($1, $3, $4, $5 // $6);
			my $rtt = defined $7 ? ($7 <= $8 && $8 <= $9 && $7 > 0 ? "ok" : "bad") : "none";
			my $dup = () = /duplicate/g;
			my $alive = ($ENV{RC} == 0 && $loss < 100) ? "up" : "down";
			print "$h xmt=$x rcv=$r loss=$loss rtt=$rtt dup=$dup $alive\n";
		} else {
			print "unparsable\n";
		}' "$@"
}

# librenms_one WHICH HOST: one poll (LibreNMS runs one fping per device).
librenms_one()
{
	local o=$BATS_TEST_TMPDIR/$1-$2
	mkdir -p "$o"
	BATS_TEST_TMPDIR=$o run_fping "$1" -e -q -c 4 -p 500 -t 500 -O 0 "$2"
	RC=$(cat "$o/$1.rc") librenms_parse "$o/$1.err"
	if [ -s "$o/$1.out" ]; then
		echo "stdout not empty"
	fi
}

librenms_run()
{
	local which=$1 h
	for h in $A $D $P $DUP; do
		librenms_one "$which" "$h" >"$BATS_TEST_TMPDIR/$which-$h.nms" &
	done
	wait
	for h in $A $D $P $DUP; do
		cat "$BATS_TEST_TMPDIR/$which-$h.nms"
	done >"$BATS_TEST_TMPDIR/$which.nms"
}

@test "LibreNMS ping: -e -q -c 4 -p 500 -t 500 -O 0, the xmt/rcv/%loss line ends stderr" {
	both librenms_run
	run cat "$BATS_TEST_TMPDIR/ours.nms"
	# the last duplicate may come after fping has its 4 answers and ends
	[[ "$output" == "$A xmt=4 rcv=4 loss=0 rtt=ok dup=0 up
$D xmt=4 rcv=0 loss=100 rtt=none dup=0 down
$P xmt=4 rcv=3 loss=25 rtt=ok dup=0 up
$DUP xmt=4 rcv=4 loss=0 rtt=ok dup="[34]" up" ]]
	have_real || return 0
	diff <(sed 's/dup=[34]/dup=N/' "$BATS_TEST_TMPDIR/real.nms") \
	    <(sed 's/dup=[34]/dup=N/' "$BATS_TEST_TMPDIR/ours.nms")
}

# Fping::bulkPing: FPING -f - -t 500 -r 2 -O 0, hosts on stdin; every
# line of either stream is matched against "^(\S+) is (alive|unreachable)$"
# or "^(\S+): (Name or service not known|Temporary failure in name
# resolution)$"; other lines are ignored.
librenms_bulk()
{
	printf '%s\n' $A $D $U no-such-host.example |
	    run_fping "$1" -f - -t 500 -r 2 -O 0
	cat "$BATS_TEST_TMPDIR/$1.out" "$BATS_TEST_TMPDIR/$1.err" | perl -ne '
		chomp;
		print "$1 $2\n" if /^(\S+) is (alive|unreachable)$/;
		print "$1 error\n" if /^(\S+): (Name or service not known|Temporary failure in name resolution)$/;
	' | sort >"$BATS_TEST_TMPDIR/$1.bulk"
}

@test "LibreNMS bulk ping: -f - -t 500 -r 2 -O 0, alive/unreachable/resolver lines" {
	both_at_once librenms_bulk
	run cat "$BATS_TEST_TMPDIR/ours.bulk"
	[ "$output" = "$A alive
$D unreachable
$U unreachable
no-such-host.example error" ]
	[ "$(cat "$BATS_TEST_TMPDIR/ours.rc")" = 2 ]
	have_real || return 0
	diff "$BATS_TEST_TMPDIR/real.bulk" "$BATS_TEST_TMPDIR/ours.bulk"
	[ "$(cat "$BATS_TEST_TMPDIR/real.rc")" = 2 ]
}

# --- Nagios / Icinga check_fping ---------------------------------------
# check_fping runs FPING -b 56 -c 1 HOST, reads all of stdout, then
# stderr (anything there is at least WARNING).  Per line, first match
# wins: "not found" -> UNKNOWN; "is unreachable" or "Unreachable" ->
# CRITICAL; "is down" -> CRITICAL; "is alive" -> OK; "xmt/rcv/%loss" with
# "min/avg/max" -> loss (after the second "/" past "=") and rta (after
# the first "/" past "min/avg/max =") decide, then stop; "xmt/rcv/%loss"
# alone: CRITICAL at 100% loss, then stop; other lines -> WARNING.
check_fping_parse()
{
	cat "$1.out" - "$1.err" <<<"--stderr--" | perl -ne '
		BEGIN { $st = 3; $err = 0; %rank = (0 => 0, 1 => 1, 3 => 2, 2 => 3); }
		sub worse { $st = $_[0] if $rank{$_[0]} > $rank{$st} }
		sub done { my @n = qw(OK WARNING CRITICAL UNKNOWN);
			print "$n[$_[0]] $_[1]\n"; exit }
		if ($_ eq "--stderr--\n") { $err = 1; next }
		worse(1) if $err;
		done(3, "not found") if /not found/;
		done(2, "unreachable") if /is unreachable/ || /Unreachable/;
		done(2, "down") if /is down/;
		if (/is alive/) { worse(0); next }
		if (/xmt\/rcv\/%loss/ && /min\/avg\/max/) {
			my ($loss) = m{= \d+/\d+/(\d+)%};
			my ($rta) = m{min/avg/max = [\d.]+/([\d.]+)};
			done(0, "loss=$loss rta=" . ($rta > 0 ? "ok" : "bad"));
		}
		if (/xmt\/rcv\/%loss/) {
			my ($loss) = m{= \d+/\d+/(\d+)%};
			done($loss == 100 ? 2 : 0, "loss=$loss");
		}
		worse(1);
		END { }'
}

# check_fping_one WHICH HOST: one check (one fping per host).
check_fping_one()
{
	local o=$BATS_TEST_TMPDIR/$1-$2
	mkdir -p "$o"
	BATS_TEST_TMPDIR=$o run_fping "$1" -b 56 -c 1 "$2"
	check_fping_parse "$o/$1"
}

check_fping_run()
{
	local which=$1 h
	for h in $A $D $U; do
		check_fping_one "$which" "$h" >"$BATS_TEST_TMPDIR/$which-$h.nag" &
	done
	wait
	for h in $A $D $U; do
		cat "$BATS_TEST_TMPDIR/$which-$h.nag"
	done >"$BATS_TEST_TMPDIR/$which.nag"
}

@test "check_fping: -b 56 -c 1, alive, timed out and ICMP unreachable hosts" {
	both check_fping_run
	run cat "$BATS_TEST_TMPDIR/ours.nag"
	[ "$output" = "OK loss=0 rta=ok
CRITICAL loss=100
CRITICAL unreachable" ]
	have_real || return 0
	diff "$BATS_TEST_TMPDIR/real.nag" "$BATS_TEST_TMPDIR/ours.nag"
}

# --- fping-exporter ----------------------------------------------------
# worker.go runs FPING -q -p PERIOD -C COUNT -i MINWAIT TARGETS, drops the
# results unless the exit code is 0, 1 or 2, splits each stderr line once
# on " : " (host: the left part trimmed), splits the right part on single
# spaces: "-" is a lost probe, anything else must parse as a number (an
# empty word from a doubled or trailing space fails the whole line).
exporter_parse()
{
	perl -ne '
		BEGIN { exit 0 unless $ENV{RC} =~ /^[012]$/ }
		chomp;
		my ($h, $v) = split / : /, $_, 2;
		next unless defined $v;
		$h =~ s/^\s+|\s+$//g;
		my ($sent, $lost, $bad) = (0, 0, 0);
		for my $w (split / /, $v, -1) {
			$sent++;
			if ($w eq "-") { $lost++ }
			elsif ($w !~ /^\d+(\.\d+)?$/) { $bad = 1 }
		}
		next if $bad;
		print "$h sent=$sent lost=$lost\n";'
}

exporter_run()
{
	run_fping "$1" -q -p 250 -C 4 -i 1 $A $D $P $U $DUP
	RC=$(cat "$BATS_TEST_TMPDIR/$1.rc") exporter_parse \
	    <"$BATS_TEST_TMPDIR/$1.err" >"$BATS_TEST_TMPDIR/$1.exp"
}

@test "fping-exporter: -q -p 250 -C 4 -i 1, stderr split on ' : ' and single spaces" {
	both exporter_run
	run cat "$BATS_TEST_TMPDIR/ours.exp"
	[ "$output" = "$A sent=4 lost=0
$D sent=4 lost=4
$P sent=4 lost=1
$U sent=4 lost=4
$DUP sent=4 lost=0" ]
	have_real || return 0
	diff "$BATS_TEST_TMPDIR/real.exp" "$BATS_TEST_TMPDIR/ours.exp"
}

# --- forms shared by all: the same text as real fping, RTTs aside -------

# RED's replies come from another address: fping credits them, mping never
# does (keyed matching, issue 14; mping(1), CALLED AS FPING).  So RED's
# lines are set aside from the comparison and checked against that
# documented form: each reply shown, ' [<- addr]' on stderr, no credit.
@test "same form as fping: -C 2 per-reply lines, errors, summary; a reply from another address shown, not credited" {
	have_real || skip "real fping not installed"
	both run_fping -C 2 -p 250 -i 10 $A $D $U3 $DUP $RED
	ASIDE="^$RED |$RED_FROM" same_form out sorted
	ASIDE="^$RED |$RED_FROM" same_form err sorted
	same_form rc
	local o=$BATS_TEST_TMPDIR/ours
	[ "$(cat "$o.rc")" = 1 ]
	[ "$(grep -c "^$RED  *: \[[01]\], 64 bytes, " "$o.out")" = 2 ]
	[ "$(grep -c "^$RED  *: \[[01]\], timed out (NaN avg, 100% loss)$" \
	    "$o.out")" = 2 ]
	[ "$(grep -o " \[<- $RED_FROM\]" "$o.err" | wc -l)" = 2 ]
	grep -q "^$RED  *: - -$" "$o.err"
}
