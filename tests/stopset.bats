#!/usr/bin/env bats
# Doubletree stop sets (issue 16, "Speed and politeness"), in rt_lab.bash's
# chain c - r1 - r2 - r3 - r4 - r5 - d: many targets behind the same
# routers are traced exactly, each router's probes counted with and
# without the stop set, IPv4 and IPv6; one target's trace is the same
# with or without.  Runs side by side use their own client source each
# (a router's ICMP budget is per destination).

bats_require_minimum_version 1.5.0
load rt_lab

setup_file()
{
	rt_up_as dt || return 1
	[ -z "${RT:-}" ] || rt_count_expiring
}
teardown_file()	{ rt_down; }
setup()
{
	netns_is_root || skip "needs root"
	[ -n "${RT:-}" ] || skip "lab not built"
}

# targets4 N, targets6 N: N destinations on d (hop 6).
targets4()	{ seq 1 "$1" | sed 's/^/198.19.1./'; }
targets6()	{ local i; for i in $(seq 1 "$1"); do printf '2001:db8:f0::%x\n' "$i"; done; }

# chain4, chain6: "ttl:addr" of hops 1-5, as each trace must show them.
chain4()	{ local k; for k in 1 2 3 4 5; do echo "$k:$(rt_hop4 $k)"; done; }
chain6()	{ local k; for k in 1 2 3 4 5; do echo "$k:$(rt_hop6 $k)"; done; }

# exact FILE N FAMILY: in the JSON of FILE, N traces reached at hop 6, each
# with hops 1-5 the chain's routers (shared or probed) and hop 6 its
# destination, no probe of a hop line lost.
exact()
{
	local f=$1 n=$2 chain bad
	chain=$(chain$3 | tr '\n' ' ')
	[ "$(jq -s '[.[] | select(.type == "trace" and .reached and .hops == 6 and .last_hop == 6 and .last_addr == .target)] | length' "$f")" -eq "$n" ]
	bad=$(jq -sr --arg c "$chain" '[.[] | select(.type == "hop")] |
	    group_by(.target)[] | .[0].target as $t |
	    map("\(.ttl):\(.addrs | join(","))") |
	    select((.[0:5] | join(" ")) + " " != $c or .[5] != "6:\($t)" or
	    length != 6) | $t' "$f") || return 1
	[ -z "$bad" ] || { echo "wrong hops: $bad"; return 1; }
	[ "$(jq -s '[.[] | select(.type == "hop" and .shared != true and .lost != 0)] | length' "$f")" -eq 0 ]
}

# both FILE ARGS...: the traces of b4 and b6 side by side, their JSON in
# FILE.
both()
{
	local f=$1
	shift
	rtm --trace --json "$@" -S 198.18.1.5 -f "$RT_DIR/b4" >"$f.4" &
	rtm --trace --json "$@" -S 2001:db8:a::5 -f "$RT_DIR/b6" >"$f.6" &
	wait
	cat "$f.4" "$f.6" >"$f"
}

# counts: "r1 r2 r3 r4 r5" probes that expired at each router so far.
counts()	{ local k; for k in 1 2 3 4 5; do rt_expired $k; done | tr '\n' ' '; }

@test "stock ICMP limits: 25 + 25 targets behind one chain, every hop exact, none lost, the routers asked once per target at most" {
	rt_limits stock
	targets4 25 >"$RT_DIR/a4"
	targets6 25 >"$RT_DIR/a6"
	local t0=$SECONDS
	rtm --trace --json -S 198.18.1.4 -f "$RT_DIR/a4" >"$RT_DIR/s4" &
	rtm --trace --json -S 2001:db8:a::4 -f "$RT_DIR/a6" >"$RT_DIR/s6" &
	wait
	local took=$((SECONDS - t0))
	echo "took ${took}s; v4 hops shared: $(jq -s '[.[] | select(.shared)] | length' "$RT_DIR/s4")"
	exact "$RT_DIR/s4" 25 4
	exact "$RT_DIR/s6" 25 6
	# The first trace probes hops 1-5; the others share them: 24 x 5.
	[ "$(jq -s '[.[] | select(.type == "hop" and .shared and .named_by == "198.19.1.1")] | length' "$RT_DIR/s4")" -eq 120 ]
	[ "$(jq -s '[.[] | select(.type == "hop" and .shared)] | length' "$RT_DIR/s6")" -eq 120 ]
	# Each trace but the first asks r5 once (at 1/s once its burst is
	# spent: about 20 s); every router answering 3 probes per target
	# would take 70 s.
	[ "$took" -lt 50 ]
}

@test "probes per router: with the stop set r1-r4 get one trace's, r5 one per target; without, 3 per target each (IPv4 + IPv6, 100 each)" {
	rt_limits off
	targets4 100 >"$RT_DIR/b4"
	targets6 100 >"$RT_DIR/b6"
	local without with k
	rt_count_reset
	# Three probes per hop both ways (a large run's default is one).
	both "$RT_DIR/without" --no-stop-set --queries 3
	without=($(counts))
	rt_count_reset
	both "$RT_DIR/with" --queries 3
	with=($(counts))
	echo "without: ${without[*]}; with: ${with[*]}"
	for k in 0 1 2 3 4; do
		[ "${without[$k]}" -eq 600 ]
	done
	# r1-r4: the first trace of each family, 3 probes each.
	for k in 0 1 2 3; do
		[ "${with[$k]}" -eq 6 ]
	done
	# r5: that, and the walk back's one probe per other target.
	[ "${with[4]}" -ge 204 ] && [ "${with[4]}" -le 210 ]
	[ $(( ${with[0]} + ${with[1]} + ${with[2]} + ${with[3]} + ${with[4]} )) -lt $((3000 / 5)) ]
	exact "$RT_DIR/with.4" 100 4
	exact "$RT_DIR/with.6" 100 6
	# The same hops as the traces that probed every one.
	[ "$(jq -sr '[.[] | select(.type == "hop")] | map("\(.target) \(.ttl) \(.addrs)") | sort | .[]' "$RT_DIR/with")" = \
	    "$(jq -sr '[.[] | select(.type == "hop")] | map("\(.target) \(.ttl) \(.addrs)") | sort | .[]' "$RT_DIR/without")" ]
	[ "$(jq -s '[.[] | select(.type == "trace" and .reached and .hops == 6)] | length' "$RT_DIR/with")" -eq 200 ]
}

@test "text: a shared hop names the trace it came from and has no RTT; JSON: shared, named_by, no probes" {
	rt_limits off
	run --separate-stderr rtm --trace -S 198.18.1.6 198.19.1.50 198.19.1.51
	echo "$output"
	[ "$status" -eq 0 ]
	grep -Fx "198.19.1.51:  1  $(rt_hop4 1)  shared with 198.19.1.50" <<<"$output"
	grep -Fx "198.19.1.51:  5  $(rt_hop4 5)  shared with 198.19.1.50" <<<"$output"
	grep -Ex "198\.19\.1\.51:  6  198\.19\.1\.51  [0-9.]+ ms  [0-9.]+ ms  [0-9.]+ ms" <<<"$output"
	grep -Fx "198.19.1.51: reached in 6 hops" <<<"$output"
	[ "$(grep -c shared <<<"$output")" -eq 5 ]
	run --separate-stderr rtm --trace --json -S 2001:db8:a::6 2001:db8:f0::50 2001:db8:f0::51
	[ "$(jcount '.type == "hop" and .shared == true and .named_by == "2001:db8:f0::50" and .target == "2001:db8:f0::51" and .froms == null and .rtts_ms == null and .lost == null and (.addrs | length) == 1')" -eq 5 ]
	[ "$(jcount '.type == "hop" and has("shared") and .target == "2001:db8:f0::50"')" -eq 0 ]
	# Its probes: hop 6's three and the walk back's one at hop 5.
	[ "$(jcount '.type == "probe" and .target == "2001:db8:f0::51"')" -eq 4 ]
}

# same TEXT: TEXT with its RTTs as "x ms".
same()	{ sed -E 's/[0-9]+\.[0-9]+ ms/x ms/g' <<<"$1"; }

@test "one target: the same trace with --stop-set, --no-stop-set or neither; the first of many traces as if alone" {
	rt_limits off
	local t a b c
	for t in 198.19.1.60 2001:db8:f0::60; do
		a=$(rtm --trace "$t")
		b=$(rtm --trace --stop-set "$t")
		c=$(rtm --trace --no-stop-set "$t")
		echo "$a"
		[ "$(same "$a")" = "$(same "$b")" ]
		[ "$(same "$a")" = "$(same "$c")" ]
		[ "$(grep -c ' ms' <<<"$a")" -eq 6 ]
		nogrep shared <<<"$a"
	done
	b=$(rtm --trace 198.19.1.60 198.19.1.61 198.19.1.62 | grep '^198\.19\.1\.60:')
	a=$(rtm --trace 198.19.1.60)
	[ "$(same "$a")" = "$(same "$b")" ]
}

@test "-c 2 of several targets probes every hop of each every round; --stop-set is refused there and with --live, --all-paths, --trace-down" {
	rt_limits off
	run --separate-stderr rtm --trace -c 2 -p 10 --json -S 198.18.1.6 198.19.1.70 198.19.1.71
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "hop" and .shared')" -eq 0 ]
	[ "$(jcount '.type == "probe"')" -eq 72 ]
	run --separate-stderr rtm --trace -c 2 --stop-set 198.19.1.70 198.19.1.71
	[ "$status" -eq 3 ]
	grep -F -- "--stop-set: not with --live, --all-paths, -c or --report" <<<"$stderr"
	run --separate-stderr rtm --all-paths --stop-set 198.19.1.70
	[ "$status" -eq 3 ]
	run --separate-stderr rtm --trace-down -c 1 --stop-set 198.19.1.70
	[ "$status" -eq 3 ]
	grep -F -- "--stop-set: not with --trace-down" <<<"$stderr"
}

