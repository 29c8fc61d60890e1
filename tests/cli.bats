#!/usr/bin/env bats
# The command line's checks (src/cli.c): each refused option or
# combination exits 3 with exactly its one line on stderr, nothing on
# stdout, nothing sent.  Pinned byte for byte when the parsing moved
# into one table (issue 12), so a change of the table shows here.

bats_require_minimum_version 1.5.0
load lab

# refused ARGS... MESSAGE: exit 3, no stdout, stderr "mping: MESSAGE".
refused()
{
	local msg=${*: -1}
	set -- "${@:1:$#-1}"
	if lab_is_root; then
		run --separate-stderr unshare -n "$MPING" 127.0.0.1 "$@" </dev/null
	else
		run --separate-stderr "$MPING" 127.0.0.1 "$@" </dev/null
	fi
	[ "$status" -eq 3 ] && [ -z "$output" ] && [ "$stderr" = "mping: $msg" ] ||
	    { echo "args: $* status: $status stdout: $output stderr: $stderr"; return 1; }
}

# each_refused: lines "ARGS<TAB>MESSAGE" on stdin.
each_refused()
{
	local args msg
	while IFS=$'\t' read -r args msg; do
		# shellcheck disable=SC2086
		refused $args "$msg" || return 1
	done
}

@test "a value out of range or of the wrong kind: its option, the value, what was expected" {
	each_refused <<'EOF'
-c 0	-c: bad value "0": expected a whole number from 1 to 4294967295
-c 4294967296	-c: bad value "4294967296": expected a whole number from 1 to 4294967295
-c +1	-c: bad value "+1": expected a whole number from 1 to 4294967295
-i 60000.5	-i: bad value "60000.5": expected milliseconds from 0 to 60000
-i .5	-i: bad value ".5": expected milliseconds from 0 to 60000
-p 0	-p: bad value "0": expected milliseconds from 1 to 8.64e+07
-p 86400001	-p: bad value "86400001": expected milliseconds from 1 to 8.64e+07
-t 3600001	-t: bad value "3600001": expected milliseconds from 1 to 3.6e+06
-w 31536001	-w: bad value "31536001": expected a whole number from 1 to 31536000
-r 101	-r: bad value "101": expected a whole number from 0 to 100
-s 27	-s: bad value "27": expected a whole number from 28 to 65507
-s 65508	-s: bad value "65508": expected a whole number from 28 to 65507
--rate 0	--rate: bad value "0": expected a whole number from 1 to 10000000
--rate=10000001	--rate: bad value "10000001": expected a whole number from 1 to 10000000
--ttl 0	--ttl: bad value "0": expected a whole number from 1 to 255
--tos 256	--tos: bad value "256": expected a whole number from 0 to 255
--max-targets 16777217	--max-targets: bad value "16777217": expected a whole number from 1 to 16777216
--format xml	--format: bad value "xml": expected text, csv, json or dot
--color=sometimes	--color: bad value "sometimes": expected auto, always or never
--max-hops 256	--max-hops: bad value "256": expected a whole number from 1 to 255
--first-hop 0	--first-hop: bad value "0": expected a whole number from 1 to 255
--queries 11	--queries: bad value "11": expected a whole number from 1 to 10
--max-timeouts 0	--max-timeouts: bad value "0": expected a whole number from 1 to 255
--window 256	--window: bad value "256": expected a whole number from 1 to 255
--flow 65536	--flow: bad value "65536": expected a whole number from 0 to 65535
EOF
}

@test "options that exclude each other, need --trace or are refused by it" {
	each_refused <<'EOF'
-4 -6	-4 and -6 exclude each other
-6 -4	-4 and -6 exclude each other
--format=text --csv	conflicting output formats
--csv --json	conflicting output formats
-i 5 --rate 100	-i and --rate exclude each other
--first-hop 9 --trace --max-hops 8	--first-hop 9 is beyond --max-hops 8
--flow 1	--flow needs --trace
--names	--names needs --trace
--trace -a	-a: not an option of --trace
--trace -b	-b: not an option of --trace
--trace -u	-u: not an option of --trace
--trace -r 1	-r: not an option of --trace
--trace --ttl 9	--ttl: not an option of --trace
--trace --progress	--progress: not an option of --trace
--live --json	--live shows text: not with --format, --csv or --json
--live -a	--live shows every target: not with -a or -u
--live --progress	--live and --progress exclude each other
--live	--live needs a terminal on stdout
-a -u	-a and -u exclude each other in text: one list would hold both (use --json or --csv)
EOF
}

@test "unknown options and missing values: the option as given, or its short name" {
	each_refused <<'EOF'
--no-such-option	--no-such-option: unknown option or missing value (see mping --help)
-x	-x: unknown option or missing value (see mping --help)
-W x	-W: unknown option or missing value (see mping --help)
--co 1	--co: unknown option or missing value (see mping --help)
-c	-c: unknown option or missing value (see mping --help)
--count	-c: unknown option or missing value (see mping --help)
-qc	-c: unknown option or missing value (see mping --help)
--help=x	-h: unknown option or missing value (see mping --help)
EOF
}

# A long-only option given a value it takes none of, or missing its value,
# is shown as typed: mping 0.1.0 printed getopt's code for it as a byte
# ("-^C" for --df=1, "-\0" for --rate).
@test "long-only options: a value too many or none is shown as typed" {
	each_refused <<'EOF'
--df=1	--df=1: unknown option or missing value (see mping --help)
--json=x	--json=x: unknown option or missing value (see mping --help)
--trace --names=2	--names=2: unknown option or missing value (see mping --help)
--rate	--rate: unknown option or missing value (see mping --help)
--max-hops	--max-hops: unknown option or missing value (see mping --help)
EOF
}

@test "several faults: the first value in the order given, then the rules in one order" {
	each_refused <<'EOF'
-c 0 -s 1	-c: bad value "0": expected a whole number from 1 to 4294967295
-s 1 -c 0	-s: bad value "1": expected a whole number from 28 to 65507
-4 -6 -c 0	-4 and -6 exclude each other
--names -s 1	-s: bad value "1": expected a whole number from 28 to 65507
--csv --json -c 0	conflicting output formats
-i 5 --rate 100 --names	-i and --rate exclude each other
--names -4 -6	-4 and -6 exclude each other
--trace --names --first-hop 9 --max-hops 8 -a	-a: not an option of --trace
--live --json -a	--live shows text: not with --format, --csv or --json
--live -a --progress	--live shows every target: not with -a or -u
-a -u --live --progress	--live shows every target: not with -a or -u
EOF
}
