#!/usr/bin/env bats
# The engine with a method that reads its own sockets (method.h drain, as
# src/method_tcpconn.c does): tests/engine_test.c's group engine-drain,
# with the fake method and the fake clock.  No root, no socket.

bats_require_minimum_version 1.5.0

setup_file()
{
	local f srcs=()

	cd "$BATS_TEST_DIRNAME/.." || return 1
	for f in src/*.c; do
		[ "$f" = src/main.c ] || srcs+=("$f")
	done
	cc -std=c99 -D_GNU_SOURCE -Wall -Wextra -O1 -g -Isrc \
	    -o "$BATS_FILE_TMPDIR/engine_test" tests/engine_test.c \
	    "${srcs[@]}" -lm
}

@test "engine: a method's drain is read before probes expire; its answer counts, RTT from its arrival" {
	run "$BATS_FILE_TMPDIR/engine_test" engine-drain
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "ok - engine-drain" ]
	[[ ${lines[-1]} =~ ^[0-9]+\ checks,\ 0\ failed$ ]]
}
