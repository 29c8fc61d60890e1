#!/usr/bin/env bats
# hopsum.c (the hop summaries of -c N traces and --report) fed hop records
# by tests/hopsum_test.c: counts, loss, RTTs, responders most answers
# first, names, the table's width.  No root, no network.

bats_require_minimum_version 1.5.0

load unit

setup_file()
{
	cd "$BATS_TEST_DIRNAME/.." || return 1
	unit_build "$BATS_FILE_TMPDIR/hopsum_test" hopsum_test.c
}

group()	{ unit_group "$BATS_FILE_TMPDIR/hopsum_test" "$1"; }

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
