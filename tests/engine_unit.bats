#!/usr/bin/env bats
# The engine and both run modes (ping, trace) driven by a fake probe
# method and a fake clock: pacing, retries, expiry order, duplicate, late
# and foreign answers, trace windows, stop rules, rounds, ticks.
# tests/engine_test.c does the checking; no root, no socket, no network.

bats_require_minimum_version 1.5.0

load unit

setup_file()
{
	cd "$BATS_TEST_DIRNAME/.." || return 1
	unit_build "$BATS_FILE_TMPDIR/engine_test" engine_test.c
}

# group NAME: run one group of checks; it must pass and say so.
group()	{ unit_group "$BATS_FILE_TMPDIR/engine_test" "$1"; }

@test "ping -c 3 -p 100, 3 targets: sends at 0, 100, 200; linger; summaries" {
	group ping-pacing
}

@test "ping -i: one probe per send, the next not before -i after the last" {
	group ping-interval
}

@test "ping: a stalled clock skips the missed rounds, no burst, phase kept" {
	group ping-stall
}

@test "ping -r 2: attempts 0, 1, 2 of one seq, one timeout after the last" {
	group ping-retries
}

@test "ping -r 2 -B 2 (fping's backoff): timeouts 100, 200, 400 ms; a reply judged by its own try's" {
	group ping-backoff
}

@test "ping: unanswered probes expire in send order" {
	group ping-expiry
}

@test "ping: a second copy of a reply is a duplicate" {
	group ping-dup
}

@test "ping: a reply after its timeout is late; its probe times out first" {
	group ping-late
}

@test "ping: a reply from another address is foreign, not counted" {
	group ping-foreign
}

@test "ping: the kernel's queue full: nothing lost, the rest sent later" {
	group ping-queue-full
}

@test "ping: a local send error (EHOSTUNREACH) is an error record from local" {
	group ping-send-error
}

@test "ping: a short quote is credited to the target's latest probe only" {
	group ping-short-quote
}

@test "ping: a transport tag names any probe in flight to its target, no other" {
	group ping-by-serial
}

@test "ping: a short quote to an address two targets share credits neither" {
	group ping-short-quote-shared
}

@test "ping: done, then a linger of twice the slowest RTT (5 to 50 ms)" {
	group ping-linger
}

@test "ping -a without -c: ends when every target answered" {
	group ping-alive
}

@test "ping: SIGQUIT's flag gives interim records so far, the run goes on" {
	group ping-interim
}

@test "ping: a redirect is shown and counted as an error, its probe stays" {
	group ping-advisory
}

@test "ping -w 250 without -c: probes at 0, 100, 200; the end at 250" {
	group ping-deadline
}

@test "ping -b: replies from several hosts count, each a responder once" {
	group ping-broadcast
}

@test "trace: window of TTLs 1..5 x 3 with flow 7; hop 1 answered opens TTL 6" {
	group trace-window
}

@test "trace: hop lines in TTL order when answers come out of order" {
	group trace-order
}

@test "trace: a reply at hop 4 ends it reached at 4; later TTLs not sent" {
	group trace-reached
}

@test "trace: five silent hops: max-timeouts" {
	group trace-max-timeouts
}

@test "trace: host unreachable at hop 3 stops it with that name and !H" {
	group trace-unreachable
}

@test "trace --max-hops 3: max-hops, nothing beyond sent" {
	group trace-max-hops
}

@test "trace -c 2 -p 1000: round 1 one period after round 0 began" {
	group trace-rounds
}

@test "trace -c 2 -p 10: round 0 took 22 ms, round 1 starts as it ends" {
	group trace-rounds-long
}

@test "trace: interrupted mid-trace prints the hops heard, then interrupted" {
	group trace-interrupt
}

@test "trace: errors quoting too little are credited by TTL and query" {
	group trace-quotes
}

@test "trace -w 500, no answer: the trace ends with deadline" {
	group trace-deadline
}

@test "trace: two targets, each its own window and its own end" {
	group trace-two
}

@test "trace: the kernel's queue full: the window goes out whole, later" {
	group trace-queue-full
}

@test "trace: a local send error at hop 1 stops the trace there, !H" {
	group trace-local-error
}

@test "engine: a mode's tick is called at the times it asks for" {
	group engine-tick
}

@test "engine: 300 targets due at once: batches of 16, 256 a step" {
	group engine-burst
}

@test "engine: IPv4 and IPv6 in turn: one family a batch, each on its socket" {
	group engine-families
}

@test "ping soak: random answers, refusals, queue full: one outcome a probe" {
	group ping-soak
}

@test "trace soak: random routes: hop lines in order, one verdict a round" {
	group trace-soak
}

# A bug of the trace mode these tests found (it was in mping before the
# engine work too): a destination that answered beyond --max-timeouts silent
# hops was cut off with "max-timeouts" and reported reached one hop short.
@test "trace: the destination answered beyond 5 silent hops: reached in 7, not max-timeouts at 6" {
	group trace-reached-after-silence
}

@test "all groups together: no failure, well under a second" {
	local t0 t1 ms

	t0=$EPOCHREALTIME
	run "$BATS_FILE_TMPDIR/engine_test"
	t1=$EPOCHREALTIME
	echo "$output"
	ms=$(( (${t1//[.,]/} - ${t0//[.,]/}) / 1000 ))
	echo "# wall: $ms ms"
	[ "$status" -eq 0 ]
	[[ $output != *"not ok"* ]]
	[[ $output != *FAIL* ]]
	[ "$(grep -c '^ok - ' <<<"$output")" -eq 42 ]
	[[ ${lines[-1]} =~ ^[0-9]+\ checks,\ 0\ failed$ ]]
	# Generous: it takes a few milliseconds.
	[ "$ms" -lt 2000 ]
}

@test "an unknown group is an error, not a pass" {
	run "$BATS_FILE_TMPDIR/engine_test" no-such-group
	[ "$status" -eq 2 ]
	[[ $output == *"no such group"* ]]
}

@test "all groups under ASan and UBSan: no error" {
	local san="-fsanitize=address,undefined -fno-sanitize-recover=all"

	cd "$BATS_TEST_DIRNAME/.."
	if ! echo 'int main(void){return 0;}' | cc $san -x c -o \
	    "$BATS_FILE_TMPDIR/san_probe" - 2>/dev/null; then
		skip "the compiler has no ASan/UBSan"
	fi
	unit_cc "$UNIT_SAN_CFLAGS" "$BATS_FILE_TMPDIR/engine_test_san" \
	    engine_test.c
	run env ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	    "$BATS_FILE_TMPDIR/engine_test_san"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[-1]} =~ ^[0-9]+\ checks,\ 0\ failed$ ]]
}
