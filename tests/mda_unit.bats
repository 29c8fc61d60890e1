#!/usr/bin/env bats
# The all-paths mode (mda.h) driven by the fake method and fake clock of
# tests/engine_test.c in a simulated network of per-flow load balancers:
# tests/mda_test.c does the checking; no root, no socket, no network.

bats_require_minimum_version 1.5.0

load unit

setup_file()
{
	cd "$BATS_TEST_DIRNAME/.." || return 1
	unit_build "$BATS_FILE_TMPDIR/mda_test" mda_test.c
}

# group NAME: run one group of checks; it must pass and say so.
group()	{ unit_group "$BATS_FILE_TMPDIR/mda_test" "$1"; }

@test "the stopping points: the least n that rules out k+1 next hops at 95% and 99%, k up to 32" {
	group mda-table
}

@test "two diamonds, one target: every interface and link, probes between the stopping points and twice them" {
	group mda-diamonds
}

@test "five targets at once at 99%: each whole, more probes than at 95%" {
	group mda-many
}

@test "a silent hop: shown as such, the paths found past it" {
	group mda-silent
}

@test "an error from every interface of a hop ends the paths there" {
	group mda-error
}

@test "a router at Linux's ICMP limit: its silence goes again a second later, the topology whole" {
	group mda-rate-limit
}

@test "-c 3: path records, every flow's probes to the last hop counted" {
	group mda-rounds
}

@test "interrupted: every target's verdict says so" {
	group mda-interrupt
}
