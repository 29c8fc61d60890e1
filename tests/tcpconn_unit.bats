#!/usr/bin/env bats
# The engine with a method that reads its own sockets (method.h drain, as
# src/method_tcpconn.c does): tests/engine_test.c's group engine-drain,
# with the fake method and the fake clock.  No root, no socket.

bats_require_minimum_version 1.5.0

load unit

setup_file()
{
	cd "$BATS_TEST_DIRNAME/.." || return 1
	unit_build "$BATS_FILE_TMPDIR/engine_test" engine_test.c
}

@test "engine: a method's drain is read before probes expire; its answer counts, RTT from its arrival" {
	run "$BATS_FILE_TMPDIR/engine_test" engine-drain
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "ok - engine-drain" ]
	[[ ${lines[-1]} =~ ^[0-9]+\ checks,\ 0\ failed$ ]]
}
