#!/usr/bin/env bats
# hopsum.c (the hop summaries of -c N traces and --report) fed hop records
# by tests/hopsum_test.c: counts, loss, RTTs, responders most answers
# first, names, the table's width.  No root, no network.

bats_require_minimum_version 1.5.0

setup_file()
{
	local f srcs=()

	cd "$BATS_TEST_DIRNAME/.." || return 1
	for f in src/*.c; do
		[ "$f" = src/main.c ] || srcs+=("$f")
	done
	cc -std=c99 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -g -Isrc \
	    -o "$BATS_FILE_TMPDIR/hopsum_test" tests/hopsum_test.c \
	    "${srcs[@]}" -lm
}

group()
{
	run "$BATS_FILE_TMPDIR/hopsum_test" "$1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "ok - $1" ]
	[[ ${lines[-1]} =~ ^[0-9]+\ checks,\ 0\ failed$ ]]
}

@test "hopsum: three rounds: sent, received, loss, last/min/avg/max/stddev per hop; the responder with most answers first; a silent hop" {
	group rounds
}

@test "hopsum: a probe that could not be sent (local) is lost; a table starts at the first TTL fed" {
	group local
}

@test "hopsum: --names: each responder's name; the widest host is 'name (addr)'" {
	group names
}

@test "hopsum: 20 responders at one hop: all counted, 16 listed" {
	group many
}
