#!/usr/bin/env bats
# Branch fix8's mends, each shown on a lab of its own (namespaces f8-PID-*):
# --up-after's lost against the summary (the engine lab's segment).

bats_require_minimum_version 1.5.0
load engine_lab

# The engine lab (engine_lab.bash) under this file's own name.
f8_eng_up()
{
	eng_is_root || return 0
	export ENG="f8-$$" ENG_DIR
	netns_gc f8
	ENG_DIR=$(netns_mkdir f8) || return 1
	: >"$ENG_DIR/pids"
	_eng_build || { eng_down; return 1; }
	export MPING
}

setup_file()	{ f8_eng_up; }
teardown_file()	{ eng_down; }
setup()		{ eng_require_root; }
teardown()	{ eng_kill_bg; eng_exec h1 nft delete table inet f8 2>/dev/null || true; }

jq_out()
{
	printf '%s\n' "$output" | jq -s "$@"
}


@test "--up-after 1: the up record waits for the outage's probes in flight; its lost is the summary's" {
	local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err t
	# -t 600 -p 100: when h1 answers again, the last ~6 probes of the
	# outage are still in flight; they time out after the first reply.
	emp_bg "$out" "$err" --json --down-after 3 --up-after 1 -p 100 \
	    -t 600 -c 35 198.51.100.2 2001:db8:e0::2
	sleep 0.8
	eng_h1_silent f8
	sleep 1.2
	eng_h1_answers f8
	eng_wait "$EMP_PID" 10
	output=$(cat "$out")
	[ "$EMP_STATUS" -eq 0 ]
	for t in 198.51.100.2 2001:db8:e0::2; do
		jq_out -c --arg t "$t" '[.[] | select(.target == $t and
		    (.type == "down" or .type == "up" or .type == "summary"))] |
		    map({type, lost, outage_s})'
		# One down, one up; the up's lost is all the summary lost,
		# more than the down's 3 by the outage's ~12 (6 of them ended
		# after the first reply).
		jq_out -e --arg t "$t" '[.[] | select(.target == $t and
		    (.type == "down" or .type == "up"))] |
		    length == 2 and .[0].type == "down" and .[1].type == "up" and
		    .[0].lost == 3 and .[1].lost >= 12 and .[1].lost <= 18 and
		    .[1].outage_s > 1.0 and .[1].outage_s < 1.6' >/dev/null
		jq_out -e --arg t "$t" '([.[] | select(.target == $t and
		    .type == "up")][0].lost) as $l |
		    [.[] | select(.target == $t and .type == "summary")][0].lost == $l' >/dev/null
		# After the outage's last timeout, not before it.
		jq_out -e --arg t "$t" '[to_entries[] | select(.value.target == $t)] |
		    (map(select(.value.type == "timeout")) | last.key) <
		    (map(select(.value.type == "up")) | first.key)' >/dev/null
	done
}

@test "--report to h1 spelled three ways (2001:db8:e0:0:0:0:0:2, fe80::...%eth0, 198.51.100.002): each table ends at the target's row" {
	local ll
	ll=$(eng_exec h1 ip -6 addr show dev eth0 scope link |
	    awk '/inet6/ { sub("/.*", "", $2); print $2; exit }')
	[ -n "$ll" ]
	# Round 0 loses its TTL-1 probes (h1 drops them for 0.8 s) and finds
	# h1 at TTL 2; rounds 1 and 2 at TTL 1: the table has that one row.
	eng_exec h1 nft -f - <<-'EOF'
		table inet f8 {
			chain in {
				type filter hook input priority 0;
				ip ttl 1 icmp type echo-request drop
				ip6 hoplimit 1 icmpv6 type echo-request drop
			}
		}
	EOF
	(sleep 0.8; eng_h1_answers f8) &
	run --separate-stderr emp --trace --json -c 3 -p 1000 -t 500 \
	    --max-hops 4 2001:db8:e0:0:0:0:0:2 "$ll%eth0" 198.51.100.002
	wait
	printf '%s\n' "$output" | grep -v '"probe"'
	[ "$status" -eq 0 ]
	for a in 2001:db8:e0::2 "$ll" 198.51.100.2; do
		jq_out -e --arg a "$a" '[.[] | select(.addr == $a)] |
		    ([.[] | select(.type == "trace") | .hops] == [2, 1, 1]) and
		    ([.[] | select(.type == "hop-summary") |
		    [.ttl, .from, .sent, .received]] == [[1, $a, 9, 6]])' >/dev/null
	done
	# The text table too: one row under each target.
	run --separate-stderr emp --trace --report -c 2 -p 300 -t 500 \
	    --max-hops 4 2001:db8:e0:0:0:0:0:2 "$ll%eth0" 198.51.100.002
	echo "$output"
	[ "$(grep -c '^ *[0-9]*\.|--' <<<"$output")" -eq 3 ]
	[ "$(grep -c '^ *1\.|-- ' <<<"$output")" -eq 3 ]
}
