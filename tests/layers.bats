#!/usr/bin/env bats
# tests/layers: the include graph of src/ against its layer table, include
# cycles between modules, function length.  First on the real src/, then
# on small trees in $BATS_TEST_TMPDIR that it must reject or accept.
# No root, no network.

bats_require_minimum_version 1.5.0

setup()
{
	cd "$BATS_TEST_DIRNAME/.." || return 1
	T=$BATS_TEST_TMPDIR/src
	mkdir -p "$T"
}

# put FILE LINE...: write $T/FILE, one argument a line.
put()
{
	local f=$1
	shift
	printf '%s\n' "$@" >"$T/$f"
}

# fn NAME LINES: a style(9) function of NAME that is LINES lines long from
# the line with its name to its closing brace.
fn()
{
	local i
	printf 'static int\n%s(int a)\n{\n' "$1"
	for ((i = 0; i < $2 - 3; i++)); do
		printf '\ta += %d;\n' "$i"
	done
	printf '}\n'
}

# clean: a small tree with one file per layer, each including only below.
clean()
{
	put conf.h 'struct conf { int n; };'
	put sock.h '#include "conf.h"' 'int sock_open(void);'
	put sock.c '#include "sock.h"' 'int' 'sock_open(void)' '{' '	return 0;' '}'
	put icmp.h '#include <stdint.h>' 'int icmp_parse(void);'
	put out.h '#include "conf.h"' '#include "icmp.h"'
	put method.h '#include "icmp.h"' '#include "sock.h"'
	put method_icmp.c '#include "method.h"' '#include "out.h"'
	put engine.h '#include "method.h"'
	put engine.c '#include "engine.h"'
	put ping.h '#include "engine.h"'
	put ping.c '#include "ping.h"' '#include "out.h"'
	put cli.h '#include "conf.h"'
	put main.c '#include "cli.h"' '#include "ping.h"' '#include <stdio.h>'
}

# layers [CHECK...]: run tests/layers on the tree; show its output.
layers()
{
	run tests/layers "$T" "$@"
	echo "$output"
}

@test "real src/: every file placed in the layer table, none includes a higher layer" {
	run tests/layers src layers
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "real src/: no include cycle between modules [fails until issue 12 lands: ping <-> trace, out <-> progress]" {
	run tests/layers src cycles
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "real src/: no function over 80 lines [fails until issue 12 lands: main(), options() in main.c]" {
	run tests/layers src length
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "a clean layered tree is accepted" {
	clean
	fn sock_close 80 >>"$T/sock.c"
	layers
	[ "$status" -eq 0 ]
	[ "$output" = "tests/layers: $T: layers cycles length: ok" ]
}

@test "a cycle a -> b -> a through the .c files (no header includes itself) is rejected" {
	clean
	put tag.h 'int tag(void);'
	put tag.c '#include "tag.h"' '#include "sock.h"'
	put sock.c '#include "sock.h"' '#include "tag.h"'
	layers
	[ "$status" -eq 1 ]
	[ "$output" = "$T/sock.c: include cycle sock -> tag -> sock: $T/sock.c:2 includes tag.h; $T/tag.c:2 includes sock.h" ]
}

@test "a cycle of two headers is rejected" {
	clean
	put tag.h '#include "sock.h"'
	put sock.h '#include "conf.h"' '#include "tag.h"'
	layers
	[ "$status" -eq 1 ]
	[ "$output" = "$T/sock.c: include cycle sock -> tag -> sock: $T/sock.h:2 includes tag.h; $T/tag.h:1 includes sock.h" ]
}

@test "a longer cycle stats -> targets -> resolve -> stats is rejected, once" {
	clean
	put stats.h '#include "targets.h"'
	put targets.h '#include "resolve.h"'
	put resolve.c '#include "resolve.h"' '#include "stats.h"'
	put resolve.h 'int resolve(void);'
	layers
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$output" = "$T/resolve.c: include cycle resolve -> stats -> targets -> resolve: $T/resolve.c:2 includes stats.h; $T/stats.h:1 includes targets.h; $T/targets.h:1 includes resolve.h" ]
}

@test "a file that includes a higher layer is rejected with its path and line" {
	clean
	put tag.h 'int tag(void);'
	put tag.c '#include "tag.h"' '#include "ping.h"'
	layers
	[ "$status" -eq 1 ]
	[ "$output" = "$T/tag.c:2: includes ping.h of layer 5 (modes) from layer 0 (services)" ]
}

@test "a file missing from the layer table is rejected" {
	clean
	put foo.c '#include "sock.h"'
	layers
	[ "$status" -eq 1 ]
	[ "$output" = "$T/foo.c: not in the layer table of tests/layers (place it)" ]
}

@test "a 90-line function is rejected with its name, file and length" {
	clean
	{
		fn short_one 10
		printf '/* { not a brace */\nstatic const char *s = "}{";\n'
		printf 'static const int tab[] = {\n'
		seq 1 100 | sed 's/$/,/'
		printf '};\n'
		fn long_one 90
	} >"$T/engine.c"
	sed -i '1i #include "engine.h"' "$T/engine.c"
	layers
	[ "$status" -eq 1 ]
	[ "$output" = "$T/engine.c:118: long_one() is 90 lines (more than 80)" ]
	layers layers cycles
	[ "$status" -eq 0 ]
}

@test "a function with its type on the same line and braces in comments is measured" {
	clean
	{
		echo 'int f(int a) {'
		for ((i = 0; i < 80; i++)); do echo '	a++; /* } */'; done
		echo '	return a;'
		echo '}'
	} >"$T/cli.c"
	layers length
	[ "$status" -eq 1 ]
	[ "$output" = "$T/cli.c:1: f() is 83 lines (more than 80)" ]
}

@test "usage errors exit 2" {
	run tests/layers "$T/nowhere"
	[ "$status" -eq 2 ]
	run tests/layers "$T"
	[ "$status" -eq 2 ]
	clean
	run tests/layers "$T" sizes
	[ "$status" -eq 2 ]
}

# The engine and the run modes speak outcomes (answer.h), never ICMP: no
# codec function, no ICMP constant, no socket option of a protocol.  Comments
# may say ICMP; a record's icmp_type and icmp_code fields are only copied.
@test "engine and run modes name no ICMP type, constant or codec function" {
	run bash -c "grep -nE '\\bicmp[46]?_[a-z_]+|\\bICMP[A-Z0-9_]*|IPPROTO_' \
	    src/engine.[ch] src/ping.[ch] src/trace.[ch] |
	    grep -vE '^[^:]+:[0-9]+:\\s*(/?\\*|//)' |
	    grep -vE '\\.icmp_(type|code)\\b'"
	echo "$output"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}
