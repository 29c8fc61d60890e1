#!/usr/bin/env bats
# fping_suite.bats: mping called as `fping` (issue 14) does what fping's
# own test suite (ci/test-*.pl of fping's repository) checks, in our own
# tests.  That suite itself is run by hand, not here: tests/fping_suite
# CI_DIR BINARY (README, Called as fping).
#
# Everything runs in a namespace with loopback and a route to nowhere
# (netns_nowhere in netns.bash): 198.18.0.5 is a host that never answers.
# /etc/hosts there knows localhost only; names are looked up in files only.
#
# FPING_REAL: the real fping to compare with (default /usr/bin/fping).

bats_require_minimum_version 1.5.0

. "${BATS_TEST_DIRNAME}/netns.bash"

MPING="${MPING:-$BATS_TEST_DIRNAME/../mping}"
FPING_REAL=${FPING_REAL:-/usr/bin/fping}
DEAD=198.18.0.5

setup_file()
{
	netns_is_root || return 0
	export FT_LAB="mft-$$" FT_DIR
	netns_gc mft
	FT_DIR=$(netns_mkdir mft) || return 1
	netns_nowhere "$FT_DIR" "$FT_LAB-c" "$FT_LAB-k" || {
		netns_down "$FT_DIR" "$FT_LAB"
		return 1
	}
	mkdir -p "$FT_DIR/bin" &&
	ln -s "$MPING" "$FT_DIR/bin/fping" &&
	ln -s "$MPING" "$FT_DIR/bin/fping6"
}

teardown_file()
{
	[ -n "${FT_DIR:-}" ] || return 0
	netns_down "$FT_DIR" "$FT_LAB"
}

setup()
{
	netns_is_root || skip "needs root"
	[ -n "${FT_DIR:-}" ] || skip "namespace not built"
}

# fp ARGS...: our fping link in the namespace, called as `fping` through
# PATH (fping names itself by argv[0] in its messages), stdin from
# /dev/null.
fp()
{
	fp_in "$@" </dev/null
}

# fp_in ARGS...: the same with stdin inherited.  At most 60 s (a binary
# that is no fping, mping before issue 14, pings until stopped).
fp_in()
{
	fp_timeout ip netns exec "$FT_LAB-c" \
	    env PATH="$FT_DIR/bin:/usr/bin:/bin" fping "$@"
}

# ft CMD ARGS...: run CMD, set status, output and stderr (as bats' run
# --separate-stderr would, but keeping stderr's leading empty line: fping
# starts its -c and -C summaries with one).
ft()
{
	local o=$BATS_TEST_TMPDIR/ft
	status=0
	"$@" >"$o.out" 2>"$o.err" || status=$?
	output=$(cat "$o.out")
	stderr=$(cat "$o.err")
}

# expect STATUS STDOUT STDERR: after ft.
expect()
{
	local ok=0
	[ "$status" = "$1" ] || ok=1
	[ "$output" = "$2" ] || ok=1
	[ "$stderr" = "$3" ] || ok=1
	[ "$ok" = 0 ] && return 0
	printf 'want %s, stdout <%s>, stderr <%s>\n got %s, stdout <%s>, stderr <%s>\n' \
	    "$1" "$2" "$3" "$status" "$output" "$stderr" >&2
	return 1
}

# usage_error: exit 1, nothing on stdout, the usage on stderr.
usage_error()
{
	[ "$status" = 1 ] && [ -z "$output" ] && [[ "$stderr" == *"Usage: fping"* ]]
}

R='[0-9]+\.[0-9]+'

# --- targets answer or not -----------------------------------------------

@test "fping HOST: 'is alive' on stdout, exit 0; IPv6 too" {
	ft fp 127.0.0.1
	expect 0 "127.0.0.1 is alive" ""
	ft fp ::1
	expect 0 "::1 is alive" ""
}

@test "fping DEAD: 'is unreachable' after the retries, exit 1" {
	ft fp -r 1 -t 100 $DEAD
	expect 1 "$DEAD is unreachable" ""
}

@test "-a shows only the alive, -u only the others" {
	ft fp -r 0 -t 100 -a 127.0.0.1 $DEAD 127.0.0.2
	expect 1 $'127.0.0.1\n127.0.0.2' ""
	ft fp -r 0 -t 100 -u 127.0.0.1 $DEAD
	expect 1 "$DEAD" ""
}

@test "-e: the alive line says the elapsed time" {
	ft fp -e 127.0.0.1
	[ "$status" = 0 ] && [ -z "$stderr" ]
	[[ "$output" =~ ^127\.0\.0\.1\ is\ alive\ \($R\ ms\)$ ]]
}

@test "-A -4 localhost: by address; -d: by reverse name; -d and -n together refused" {
	ft fp -4 -A localhost
	expect 0 "127.0.0.1 is alive" ""
	ft fp -d 127.0.0.1
	expect 0 "localhost is alive" ""
	ft fp -d -n 127.0.0.1
	expect 1 "" "fping: use either one of -d or -n"
}

@test "a multicast target: alive, the answer's source marked [<- ADDR] on stderr" {
	ft fp ff02::1
	[ "$status" = 0 ] && [ "$output" = "ff02::1 is alive" ]
	[[ "$stderr" == *" [<- fe80::"*"]"* ]]
}

@test "an unknown name: 'NAME: Name or service not known' on stderr, exit 2" {
	ft fp nosuchname.example
	expect 2 "" "nosuchname.example: Name or service not known"
}

@test "-4 with an IPv6 target, -6 with an IPv4 one: exit 2, the address named" {
	ft fp -4 ::1
	expect 2 "" "::1: Address family for hostname not supported"
	ft fp -6 127.0.0.1
	expect 2 "" "127.0.0.1: Address family for hostname not supported"
	ft fp -6 ::1
	expect 0 "::1 is alive" ""
}

# --- counting modes --------------------------------------------------------

@test "-C 3: a line per reply on stdout, the RTTs per target on stderr" {
	ft fp -p 100 -C 3 127.0.0.1
	[ "$status" = 0 ]
	local i lines
	mapfile -t lines <<<"$output"
	[ "${#lines[@]}" = 3 ]
	for i in 0 1 2; do
		[[ "${lines[$i]}" =~ ^127\.0\.0\.1\ :\ \[$i\],\ 64\ bytes,\ $R\ ms\ \($R\ avg,\ 0%\ loss\)$ ]]
	done
	[[ "$stderr" =~ ^$'\n'127\.0\.0\.1\ :\ $R\ $R\ $R$ ]]
}

@test "-C with -q: only the RTT lines, the host column padded, '-' for a lost probe" {
	ft fp -q -p 100 -t 100 -C 2 ::1 $DEAD
	[ "$status" = 1 ] && [ -z "$output" ]
	[[ "$stderr" =~ ^::1\ {8}:\ $R\ $R$'\n'198\.18\.0\.5\ :\ -\ -$ ]]
}

@test "-c with -q: the xmt/rcv/%loss summaries on stderr, min/avg/max when any came back" {
	ft fp -q -p 100 -t 100 -c 2 127.0.0.1 $DEAD
	[ "$status" = 1 ] && [ -z "$output" ]
	[[ "$stderr" =~ ^127\.0\.0\.1\ \ :\ xmt/rcv/%loss\ =\ 2/2/0%,\ min/avg/max\ =\ $R/$R/$R$'\n'198\.18\.0\.5\ :\ xmt/rcv/%loss\ =\ 2/0/100%$ ]]
}

@test "-c: a timed-out probe has its own stdout line; -o adds the outage time" {
	ft fp -t 100 -p 100 -o -c 3 $DEAD
	[ "$status" = 1 ]
	[ "$output" = "$DEAD : [0], timed out (NaN avg, 100% loss)
$DEAD : [1], timed out (NaN avg, 100% loss)
$DEAD : [2], timed out (NaN avg, 100% loss)" ]
	[[ "$stderr" =~ ^$'\n'198\.18\.0\.5\ :\ xmt/rcv/%loss\ =\ 3/0/100%,\ outage\(ms\)\ =\ 3[0-9][0-9]$ ]]
}

@test "-Q 1: interval reports with a [HH:MM:SS] line, then the final summary" {
	ft fp -q -Q 1 -p 400 -c 4 127.0.0.1
	[ "$status" = 0 ] && [ -z "$output" ]
	[[ "$stderr" =~ ^\[[0-9]{2}:[0-9]{2}:[0-9]{2}\]$'\n'127\.0\.0\.1\ :\ xmt/rcv/%loss\ =\ [23]/[23]/0%,\ min/avg/max\ =\ $R/$R/$R$'\n' ]]
	[[ "$stderr" == *$'\n127.0.0.1 : xmt/rcv/%loss = 4/4/0%, min/avg/max = '* ]]
}

@test "-D: each reply line starts with a [seconds.micro] timestamp" {
	ft fp -D -c 2 -p 100 127.0.0.1
	[ "$status" = 0 ]
	[[ "$output" =~ ^\[[0-9]{10}\.[0-9]+\]\ 127\.0\.0\.1\ :\ \[0\],\ 64\ bytes ]]
	[[ "$output" =~ $'\n'\[[0-9]{10}\.[0-9]+\]\ 127\.0\.0\.1\ :\ \[1\], ]]
}

# -N: netdata's lines at each -Q report, in fping 5.2's words (the chart
# titles no longer name the host).
@test "-N -Q: netdata's chart lines on stdout, the summary on stderr" {
	ft fp -c 2 -Q 1 -N 127.0.0.1
	echo "$output"; echo "$stderr"
	[ "$status" = 0 ]
	grep -Fx "CHART fping.127_0_0_1_packets '' 'FPing Packets' packets '127.0.0.1' fping.packets line 110020 1" <<<"$output"
	grep -Fx 'SET returned = 100' <<<"$output"
	grep -Fx 'DIMENSION min minimum absolute 1 1000000' <<<"$output"
	[ "$(grep -c '^BEGIN ' <<<"$output")" = 3 ]
	grep -Eq '^127\.0\.0\.1 : xmt/rcv/%loss = 2/2/0%, min/avg/max = [0-9.]+/[0-9.]+/[0-9.]+$' <<<"$stderr"
}

@test "-s: statistics after the run, on stderr" {
	ft fp -s -r 0 -t 100 127.0.0.1 $DEAD
	[ "$status" = 1 ]
	[ "$output" = $'127.0.0.1 is alive\n'"$DEAD is unreachable" ]
	grep -Eq '^ +2 targets$' <<<"$stderr"
	grep -Eq '^ +1 alive$' <<<"$stderr"
	grep -Eq '^ +1 unreachable$' <<<"$stderr"
}

@test "-x N: 'Enough hosts reachable' once N answered, exit 0" {
	ft fp -r 0 -t 100 -x 1 $DEAD 127.0.0.1
	expect 0 "Enough hosts reachable (required: 1, reachable: 1)" ""
	ft fp -r 0 -t 100 -x 2 $DEAD 127.0.0.1
	expect 1 "Not enough hosts reachable (required: 2, reachable: 1)" ""
}

@test "-b 1000: the reply size (ICMP header and data) in the per-reply line" {
	ft fp -c 1 -b 1000 127.0.0.1
	[ "$status" = 0 ]
	[[ "$output" =~ ^127\.0\.0\.1\ :\ \[0\],\ 1008\ bytes, ]]
}

# fping pings a broadcast address without being asked (its -b is the
# size) on a socket without SO_BROADCAST: the kernel refuses each send.
@test "a broadcast target without -b: pinged, each send refused, as fping" {
	ft fp -t 100 -p 100 -C 3 255.255.255.255
	expect 1 "" $'\n255.255.255.255 : - - -'
	ft fp -r 0 -t 100 192.0.2.255
	expect 1 "192.0.2.255 is unreachable" \
	    "192.0.2.255: error while sending ping: Permission denied"
}

# Called as mping, nothing of the above changes: broadcast and multicast
# need -b, and the messages are mping's own.
@test "mping itself: broadcast and multicast still need -b; its own messages" {
	ft fp_timeout ip netns exec "$FT_LAB-c" "$MPING" -c 1 ff02::1
	expect 2 "" "mping: ff02::1: is a broadcast or multicast address; use -b to allow it"
	ft fp_timeout ip netns exec "$FT_LAB-c" "$MPING" -4 -c 1 ::1
	expect 2 "" "mping: ::1: is an IPv6 address, but -4 was given"
	ft fp_timeout ip netns exec "$FT_LAB-c" "$MPING" -c 1 nosuchname.example
	# mping keeps the name in its summaries, with the reason (issue 15).
	expect 2 "nosuchname.example: sent=0 received=0 loss=- (name does not resolve)" \
	    "mping: nosuchname.example: name does not resolve"
}

# --- generating and reading targets -----------------------------------------

@test "-g START END and -g CIDR (network and broadcast left out; /31 and /32 whole)" {
	ft fp -g 127.0.0.1 127.0.0.3
	expect 0 $'127.0.0.1 is alive\n127.0.0.2 is alive\n127.0.0.3 is alive' ""
	ft fp -g 127.0.0.0/30
	expect 0 $'127.0.0.1 is alive\n127.0.0.2 is alive' ""
	ft fp -g 127.0.0.2/31
	expect 0 $'127.0.0.2 is alive\n127.0.0.3 is alive' ""
	ft fp -g 127.0.0.2/32
	expect 0 "127.0.0.2 is alive" ""
	ft fp -g 127.0.0.3 127.0.0.2
	expect 1 "" ""
}

@test "-g errors: bad prefix length, bad address, IPv6, wrong argument count" {
	ft fp -g 127.0.0.2/33
	expect 1 "" "fping: netmask must be between 1 and 32 (is: 33)"
	ft fp -g 127.0.0.2/0
	expect 1 "" "fping: netmask must be between 1 and 32 (is: 0)"
	# fping 5.1 writes "fping," for a block, "fping:" for a range
	ft fp -g nonsense/32
	expect 1 "" "fping, can't parse address nonsense: Name or service not known"
	ft fp -g 127.0.0.1 nonsense
	expect 1 "" "fping: can't parse address nonsense: Name or service not known"
	ft fp -6 -g ::1/128
	expect 1 "" "fping: -g works only with IPv4 addresses"
	ft fp -g 2001:db8::1/64
	expect 1 "" "fping: -g works only with IPv4 addresses"
	ft fp -g 127.0.0.1
	usage_error
	ft fp -g 127.0.0.1 127.0.0.2 127.0.0.3
	usage_error
}

@test "targets from -f FILE (comments, blank lines), -f -, and stdin without targets" {
	local f=$BATS_TEST_TMPDIR/targets
	printf '# a comment\n127.0.0.1\n\n127.0.0.2\n' >"$f"
	ft fp -f "$f"
	expect 0 $'127.0.0.1 is alive\n127.0.0.2 is alive' ""
	ft fp_in -f - <"$f"
	expect 0 $'127.0.0.1 is alive\n127.0.0.2 is alive' ""
	ft fp_in <"$f"
	expect 0 $'127.0.0.1 is alive\n127.0.0.2 is alive' ""
	ft fp -f "$BATS_TEST_TMPDIR/none"
	[ "$status" = 4 ] && [ -z "$output" ] && [[ "$stderr" == *": fopen :"* ]]
}

# --- the command line -------------------------------------------------------

@test "-h: the usage on stdout, exit 0; -v: 'fping: Version 5.x', then a line naming mping" {
	ft fp -h
	[ "$status" = 0 ] && [ -z "$stderr" ]
	[[ "$output" == "Usage: fping [options] [targets...]"$'\n\nProbing options:\n'* ]]
	[[ "$output" == *$'\n   -v, --version      show version'* ]]
	ft fp -4 -h
	[ "$status" = 0 ] && [[ "$output" == "Usage: fping [options]"* ]]
	ft fp -v
	[ "$status" = 0 ] && [ -z "$stderr" ]
	[[ "$output" =~ ^fping:\ Version\ 5\.[0-9]+ ]]
	# clients match "Version (3.1[6-9]|[4-9])" on the first line; the
	# second says what answers (real fping has no second line)
	[[ "$output" =~ $'\n'fping:\ .*mping ]]
}

@test "an unknown option: fping's message and the pointer to -h, exit 1" {
	ft fp -Z
	[ "$status" = 1 ] && [ -z "$output" ]
	[[ "$stderr" =~ ^fping:\ (invalid|illegal)\ option\ --\ \'?Z\'?$'\n'"see 'fping -h' for usage information"$ ]]
}

@test "values out of range or in conflict: fping's messages, exit 1" {
	ft fp -H 300 127.0.0.1
	expect 1 "" "fping: ttl 300 out of range"
	ft fp -a -u 127.0.0.1
	expect 1 "" "fping: specify only one of a, u"
	ft fp -c3 -l 127.0.0.1
	expect 1 "" "fping: specify only one of c, l"
	ft fp -b 65509 127.0.0.1
	expect 1 "" "fping: data size 65509 not valid, must be lower than 65488"
	ft fp -B 0.9 127.0.0.1
	expect 1 "" "fping: backoff factor 0.9 not valid, must be between 1.0 and 5.0"
	ft fp -B 5.1 127.0.0.1
	expect 1 "" "fping: backoff factor 5.1 not valid, must be between 1.0 and 5.0"
	ft fp -4 -6 127.0.0.1
	expect 1 "" "fping: can't specify both -4 and -6"
	ft fp -S nonsense 127.0.0.1
	expect 1 "" "fping: can't parse source address: nonsense"
}

@test "messages name the program as called (argv[0]), like fping's" {
	ft fp_timeout ip netns exec "$FT_LAB-c" "$FT_DIR/bin/fping" \
	    -H 300 127.0.0.1
	expect 1 "" "$FT_DIR/bin/fping: ttl 300 out of range"
}

# -X (fping 5.2's --fast-reachable) is not done yet (mping(1), CALLED AS
# FPING; the front end is fping 5.1): refused, naming it.
@test "-X N: ends once N answered, 'Enough hosts reachable', exit 0" {
	ft fp -X 1 -g 127.0.0.0/29
	[ "$status" = 0 ]
	[ "$output" = "Enough hosts reachable (required: 1, reachable: 1)" ]
	[ "$stderr" = "" ]
}

@test "numeric options given a word or a negative: the usage, exit 1" {
	local o
	for o in b B c C H i O p Q r t x; do
		ft fp -$o xxx 127.0.0.1
		usage_error || { echo "-$o xxx" >&2; return 1; }
	done
	for o in i p Q t; do
		ft fp -$o -1 127.0.0.1
		usage_error || { echo "-$o -1" >&2; return 1; }
	done
}

# An empty value, as fping 5.1 (the version the front end gives) reads it:
# atoi's 0 is refused (-B -c -C -H -x); sscanf("%u") returns EOF, not 0,
# and leaves -b's variable as it was.  (5.1's -i -p -Q -t '' read a float
# it never set: refused, as 5.2 refuses every empty value.)
@test "an empty value: -B -c -C -H -x -X -i -p -Q -t '' the usage, exit 1; -b '' keeps the size, as fping 5.1" {
	local o
	for o in B c C H x X i p Q t; do
		ft fp -$o '' 127.0.0.1
		usage_error || { echo "-$o ''" >&2; return 1; }
	done
	ft fp -c 1 -b '' 127.0.0.1
	[ "$status" = 0 ]
	[[ "$output" =~ ^127\.0\.0\.1\ :\ \[0\],\ 64\ bytes, ]]
	ft fp -c 1 -b 100 -b '' 127.0.0.1
	[ "$status" = 0 ]
	[[ "$output" =~ ^127\.0\.0\.1\ :\ \[0\],\ 108\ bytes, ]]
}

# --- beyond fping's limits -----------------------------------------------------

# fping keeps at most 65,535 probes in flight; mping has no such limit.
# 127.0.0.0/8 is answered by the namespace's own loopback: 127.0.0.0/12
# is 1,048,574 targets (its network and broadcast addresses left out).
@test "-g 127.0.0.0/12: 1,048,574 targets, every one reported alive once, exit 0" {
	ft fp -a -i 0 -r 0 -g 127.0.0.0/12
	[ "$status" = 0 ] && [ -z "$stderr" ]
	run awk -F. '{ n = $2 * 65536 + $3 * 256 + $4
		if ($1 != 127 || NF != 4 || n < 1 || n > 1048574 || seen[n]++)
			bad++
	} END { print NR, bad + 0 }' "$BATS_TEST_TMPDIR/ft.out"
	[ "$output" = "1048574 0" ]
}

# --- packaging ----------------------------------------------------------------

# pkg_make TARGET DESTDIR: make TARGET into DESTDIR (PREFIX /usr); only
# make's stderr is shown.
pkg_make()
{
	make -s -C "$BATS_TEST_DIRNAME/.." "$1" DESTDIR="$2" PREFIX=/usr \
	    2>&1 >/dev/null
}

@test "make install leaves an fping alone; make install-fping links fping and fping6 to mping" {
	local d=$BATS_TEST_TMPDIR/root
	mkdir -p "$d/usr/bin"
	echo "a real fping" >"$d/usr/bin/fping"
	pkg_make install "$d"
	[ "$(cat "$d/usr/bin/fping")" = "a real fping" ]
	[ ! -e "$d/usr/bin/fping6" ]
	run pkg_make install-fping "$d"
	[ "$status" -ne 0 ]
	[[ "$output" == *"/usr/bin/fping exists and is not mping: left alone"* ]]
	[ "$(cat "$d/usr/bin/fping")" = "a real fping" ]
	rm "$d/usr/bin/fping"
	pkg_make install-fping "$d"
	[ "$(readlink "$d/usr/bin/fping")" = mping ]
	[ "$(readlink "$d/usr/bin/fping6")" = mping ]
	# again: the links are ours, so it succeeds
	pkg_make install-fping "$d"
}
