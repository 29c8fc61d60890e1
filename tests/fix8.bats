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

# h1 drops every echo request until f8_h1_answers.
f8_h1_silent()
{
	eng_exec h1 nft -f - <<-'EOF'
		table inet f8 {
			chain in {
				type filter hook input priority 0;
				icmp type echo-request drop
				icmpv6 type echo-request drop
			}
		}
	EOF
}

f8_h1_answers()
{
	eng_exec h1 nft delete table inet f8
}

@test "--up-after 1: the up record waits for the outage's probes in flight; its lost is the summary's" {
	local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err t
	# -t 600 -p 100: when h1 answers again, the last ~6 probes of the
	# outage are still in flight; they time out after the first reply.
	emp_bg "$out" "$err" --json --down-after 3 --up-after 1 -p 100 \
	    -t 600 -c 35 198.51.100.2 2001:db8:e0::2
	sleep 0.8
	f8_h1_silent
	sleep 1.2
	f8_h1_answers
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
