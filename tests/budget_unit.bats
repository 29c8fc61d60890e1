#!/usr/bin/env bats
# Routers' ICMP budgets (src/budget.c) against a simulated Linux router
# and a fake clock: a stock router (a token a second, 6 saved), one
# without limits, one at 10 per second, one whose savings an earlier run
# spent, and real loss.  tests/budget_test.c does the checking; no root,
# no socket, no network.

bats_require_minimum_version 1.5.0

load unit

setup_file()
{
	cd "$BATS_TEST_DIRNAME/.." || return 1
	unit_build "$BATS_FILE_TMPDIR/budget_test" budget_test.c budget.c
}

# group NAME: run one group of checks; it must pass and say so.
group()
{
	run "$BATS_FILE_TMPDIR/budget_test" "$1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-2]}" = "ok - $1" ]
}

@test "stock router: never faster than a token a second after its 6, no probe shown lost" {
	group stock_router
}

@test "router without limits: known within a few round trips, 2,000 probes in 50 ms" {
	group unlimited_router
}

@test "router at 10/s: learnt though the first trial comes right after its burst" {
	group router_at_10
}

@test "router whose savings an earlier run spent: its silence asked again, not loss" {
	group spent_router
}

@test "real loss still shows: silence the model cannot explain is lost" {
	group real_loss_shows
}
