#!/usr/bin/env bats
# --all-paths against routers at Linux's stock ICMP limits (a burst of 6,
# then one error a second per source, time exceeded and unreachable from
# one budget), silent hops in --format dot, routers quoting 8 bytes, in
# the ECMP lab of tests/mda_lab.bash (namespaces mb-PID-NODE).

bats_require_minimum_version 1.5.0

load mda_lab

setup_file()	{ mdl_up_as mb; }
teardown_file()	{ mdl_down; }
setup()		{ mdl_require_root; }
teardown()
{
	mdl_is_root || return 0
	mb_responder_stop
	mdl_no_limits
	mdl_exec r3 nft delete table inet mbsilent 2>/dev/null || true
	mdl_exec d sysctl -qw net.ipv4.icmp_echo_ignore_all=0 >/dev/null
}

# mb_responder NAME ARGS...: tests/responder in d, until mb_responder_stop.
mb_responder()
{
	local name=$1 i
	shift
	rm -f "$MDL_DIR/$name.pid"
	echo "$MDL_DIR/$name.pid" >>"$MDL_DIR/responders"
	mdl_exec d "$MDL_REPO/tests/responder" --pidfile "$MDL_DIR/$name.pid" \
	    "$@" >"$MDL_DIR/$name.log" 2>&1 </dev/null 3>&- &
	for i in $(seq 50); do
		[ -s "$MDL_DIR/$name.pid" ] && return 0
		sleep 0.05
	done
	cat "$MDL_DIR/$name.log" >&2
	return 1
}

mb_responder_stop()
{
	local f

	[ -f "${MDL_DIR:-/nonexistent}/responders" ] || return 0
	for f in $(cat "$MDL_DIR/responders"); do
		[ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
		rm -f "$f"
	done
	: >"$MDL_DIR/responders"
}

@test "stock ICMP limits, 2 targets, 4 hops: none gives up, every hop answered, together every interface and link, probes within the MDA's bound" {
	local t h a=203.0.113.61 b=203.0.113.62 start=$SECONDS
	mdl_stock_limits
	# Four hops (r3 the slowest: 12 probes a target, one a second after
	# its burst): the whole path takes a minute more (r5: 18 a target).
	run mdp --all-paths -U --max-hops 4 --json $a $b
	echo "$output" | grep '"trace"'
	echo "took $((SECONDS - start)) s"
	[ "$status" -eq 1 ]
	[ "$(jcount '.type == "trace" and .hops == 4 and
	    .stop == "max-hops"')" = 2 ]
	for t in $a $b; do
		# No hop silent (before pacing, the second target's first six
		# probes met r1's spent burst: its hop 1 was "*").
		for h in 1 2 3 4; do
			paths_of $t | grep -q "^hop $h [0-9]"
		done
		[ -z "$(paths_of $t | grep ' null$')" ]
		# Nothing that is not there.
		[ -z "$(comm -23 <(paths_of $t) <(truth4 $t))" ]
		[ "$(paths_of $t | grep '^hop 1 ')" = "hop 1 198.18.1.1" ]
	done
	# Together (the same routers): every interface and link.
	[ "$( (paths_of $a; paths_of $b) | sort -u)" = \
	    "$(truth4 X | grep -E '^(hop [1-4]|link [1-3]) ')" ]
	# Each spent at most 1.6 times its stopping points (node control and
	# a few retried silences), where bursts once cost up to twice.
	json_sel -s -r '
	    def nk: [0, 6, 11, 16, 21, 27, 33][.];
	    [.[] | select(.target != null)] | group_by(.target)[] | . as $r |
	    ([$r[] | select(.type == "link")] | group_by([.ttl, .from]) |
		map(length | nk) | add) + 6 as $floor |
	    [$r[] | select(.type == "trace")][0].sent as $sent |
	    "\($sent) \($floor)"' | while read -r sent floor; do
		echo "sent $sent, stopping points $floor"
		[ "$sent" -ge "$floor" ] &&
		    [ $((sent * 10)) -le $((floor * 16)) ] || exit 1
	done
	[ $((SECONDS - start)) -lt 90 ]
}

# mb_silent_r3: r3 sends no time exceeded (IPv4, IPv6): hop 3 silent.
mb_silent_r3()
{
	mdl_exec r3 nft -f - <<'NFT'
table inet mbsilent {
	chain out {
		type filter hook output priority 0;
		icmp type time-exceeded drop
		icmpv6 type time-exceeded drop
	}
}
NFT
}

@test "--format dot: a silent hop is a '*' node between the hops around it, the graph one piece" {
	mb_silent_r3
	run mdp --all-paths -U --confidence 99 --format dot 203.0.113.63 \
	    203.0.113.64
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/g.dot"
	# ccomps -s: exit status 0 if the graph is connected.
	ccomps -s "$BATS_TEST_TMPDIR/g.dot"
	dot -Tsvg "$BATS_TEST_TMPDIR/g.dot" >"$BATS_TEST_TMPDIR/g.svg"
	local t
	for t in 203.0.113.63 203.0.113.64; do
		grep -Fqx "	\"* $t 3\" [label=\"*\", shape=circle];" <<<"$output"
		# From the interfaces of hop 2, to those of hop 4 (both and
		# all three, but for the MDA's 1% chance of a miss).
		[ "$(grep -c "^	\"198\.18\.[23]\.2\" -> \"\* $t 3\";$" <<<"$output")" -ge 1 ]
		[ "$(grep -c "^	\"\* $t 3\" -> \"198\.18\.[678]\.2\";$" <<<"$output")" -ge 1 ]
	done
	# Us, r1, a1, a2, b1, b2, b3, r5, the 2 targets, a "*" per target
	# (together, the two find every interface).
	[ "$(grep -c 'class="node"' "$BATS_TEST_TMPDIR/g.svg")" = 12 ]
}

@test "JSON: --all-paths hop records have no per-probe lists; a silent hop counts its flows lost" {
	mb_silent_r3
	# 99%: at 95% the MDA may stop before hop 2's second interface (its
	# stopping rule allows that in 1 run of 20 a hop); then hop 3 has
	# fewer flows to lose than asserted below.
	run mdp --all-paths -U --confidence 99 --json 203.0.113.65
	echo "$output" | grep '"hop"'
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "hop"')" -ge 8 ]
	[ "$(jcount '.type == "hop" and (has("froms") or has("rtts_ms") or
	    has("marks"))')" = 0 ]
	# Hop 3: silent, as many flows lost as hop 2's interfaces passed on.
	[ "$(jcount '.type == "hop" and .ttl == 3 and .addrs == [] and
	    .flows == 0 and .lost >= 12')" = 1 ]
	[ "$(jcount '.type == "hop" and .ttl != 3 and .lost == 0 and
	    .sent == .flows and .rtt_avg_ms != null')" = \
	    "$(jcount '.type == "hop" and .ttl != 3')" ]
	# A trace's hop records keep them, one per probe.
	run mdp --trace -U --json 203.0.113.65
	[ "$(jcount '.type == "hop" and (.froms | length) == 3 and
	    (.rtts_ms | length) == 3 and (.marks | length) == 3')" = 6 ]
}

@test "a router quoting only 8 bytes (RFC 792): its hop found by the echo's seq, for every flow (ICMP)" {
	local fake=198.51.100.77 t=203.0.113.66
	# The responder in d plays a router one hop in front of it: requests
	# arriving with TTL 1 get a time exceeded from $fake quoting 8 bytes
	# after the IP header (id, seq and the Paris checksum), the others
	# echo replies (also from $fake); the kernel stays silent.
	mdl_exec d sysctl -qw net.ipv4.icmp_echo_ignore_all=1
	mb_responder q8 --addr $t --error 11,0 --error-ttl 1 --quote 8 \
	    --from $fake
	run mdp --all-paths --json $t
	echo "$output" | grep -v '"link"'
	[ "$status" -eq 0 ]
	# Before, hop 6 was silent: the quote named no probe of --all-paths.
	[ "$(jcount ".type == \"hop\" and .ttl == 6 and .from == \"$fake\"
	    and .flows == 6 and .lost == 0")" = 1 ]
	[ "$(jcount '.type == "link" and .ttl == 5 and .to == "'$fake'"')" = 1 ]
	[ "$(jcount '.type == "trace" and .reached and .hops == 7')" = 1 ]
	[ "$(grep -c 'ttl=1 .*action=error$' "$MDL_DIR/q8.log")" = 6 ]
}
