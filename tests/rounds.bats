#!/usr/bin/env bats
#
# A ping run's next rounds wait in 8 bytes a target (src/sched.h: struct
# rounds) and go exactly when and in the order they did as 24-byte jobs:
# every round of a target one period after the one before was due, the
# rounds in the first one's order, each probe's seq its target's count.
# A lab of its own, tagged "m4": one namespace whose loopback answers
# 127.0.0.0/8.

load netns
bats_require_minimum_version 1.5.0

M4_REPO="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
MPING="${MPING:-$M4_REPO/mping}"
# An ASan build with a preloaded shim (clockshim.so comes first).
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS

setup_file()
{
	netns_is_root || return 0
	export M4="m4-$$"
	export M4_DIR
	netns_gc m4
	M4_DIR=$(netns_mkdir m4) || return 1
	if ! { netns_add "$M4_DIR" "$M4-s" && netns_defaults "$M4-s" &&
	    cc -shared -fPIC -o "$M4_DIR/clockshim.so" \
	    "$M4_REPO/tests/clockshim.c" -ldl; }; then
		echo "building the m4 lab failed" >&2
		netns_down "$M4_DIR" "$M4"
		return 1
	fi
}

teardown_file()
{
	[ -n "${M4_DIR:-}" ] || return 0
	netns_down "$M4_DIR" "$M4"
}

setup()
{
	netns_is_root || skip "needs root"
	[ -n "${M4:-}" ] || skip "lab not built"
}

# rounds_check N GAP: in $output, N targets each replied to seq 0, 1, 2
# in that order, the median time between a target's replies GAP seconds
# (within 10%), every one within half of GAP of it (a loaded machine's
# late wake-up), and each round's replies in the first round's order.
rounds_check()
{
	local n=$1
	[ "$(jcount '.type == "summary" and .sent == 3 and .received == 3')" = "$n" ]
	json_sel -s --argjson gap "$2" '
	    map(select(.type == "reply")) as $r |
	    ($r | group_by(.target) | map(select([.[].seq] == [0, 1, 2]) |
		.[1].time - .[0].time, .[2].time - .[1].time) | sort |
	     [length / 2, (.[length / 2 | floor] - $gap | fabs) <= $gap / 10,
	      .[0] >= $gap / 2, .[-1] <= $gap * 1.5,
	      "gaps: min \(.[0]), median \(.[length / 2 | floor]), max \(.[-1])"]),
	    ([range(3) as $s | [$r[] | select(.seq == $s) | .target]] |
	     .[0] == .[1] and .[1] == .[2])' >"$BATS_TEST_TMPDIR/check"
	cat "$BATS_TEST_TMPDIR/check"
	[ "$(cut -d, -f1-4 "$BATS_TEST_TMPDIR/check" | tr -d '\n')" = "[$n,true,true,truetrue" ]
}

@test "rounds: -c 3 -p 200 of 4,094 targets: each target's probes 200 ms apart, every round in the first one's order" {
	run --separate-stderr ip netns exec "$M4-s" "$MPING" --json -c 3 \
	    -p 200 -i 0 127.1.0.0/20
	[ "$status" -eq 0 ]
	# A round of 4,094 probes takes a few ms to send; the next is due
	# 200 ms after this one was (as the scheduling tests, room for a
	# loaded machine's late wake-up).
	rounds_check 4094 0.2
}

@test "rounds: -c 3 -p 3000 on a 10x clock: due times seconds apart (a new epoch each round) stay exact" {
	# 3 s of the monotonic clock is 0.3 s of the wall clock's reply
	# times; each round is due past the 2^31 ns its epoch has room for.
	run --separate-stderr ip netns exec "$M4-s" env \
	    LD_PRELOAD="$M4_DIR/clockshim.so" CLOCKSHIM_SPEED=10 \
	    "$MPING" --json -c 3 -p 3000 -i 0 127.2.0.0/22
	[ "$status" -eq 0 ]
	rounds_check 1022 0.3
}
