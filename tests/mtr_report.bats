#!/usr/bin/env bats
# The mtr-style report of -c N traces and --report (issue 16, item 5): a
# table per target whose numbers are the hop-summary records', loss where
# the path loses; and --live --trace with the destination on one row
# (item 6).  Namespaces: mr-PID-* (the chain of lab.bash) and mrm-PID-*
# (the ECMP lab of mda_lab.bash).

bats_require_minimum_version 1.5.0
load lab
load mda_lab

setup_file()
{
	lab_up_tag mr || return 1
	mdl_up_as mrm
}

teardown_file()
{
	mdl_down
	lab_down
}

setup()
{
	lab_require_root
	TABLE=$BATS_TEST_TMPDIR/table
	JSON=$BATS_TEST_TMPDIR/json
}

teardown()
{
	responder_stop_all
	lab_exec r3 nft delete table ip mr 2>/dev/null || true
}

PTYRUN="$BATS_TEST_DIRNAME/ptyrun"
SCREEN="$BATS_TEST_DIRNAME/screen.py"

# same_numbers TABLE JSON: every row of the text tables in TABLE is the
# hop-summary record of JSON for that target and TTL, number for number as
# written (JSON's 3 decimals are the table's), in the same order, and
# nothing else is in TABLE.
same_numbers()
{
	python3 - "$1" "$2" <<-'EOF'
	import json, re, sys
	rows, target = [], None
	for line in open(sys.argv[1]).read().splitlines():
	    m = re.match(r'TARGET: (\S+) +Loss%   Snt     Last      Avg     Best     Wrst    StDev$', line)
	    if m:
	        target = m.group(1)
	        continue
	    m = re.match(r' *(\d+)\.\|-- (\S+) +(\S+)% +(\d+) +(\S+) +(\S+) +(\S+) +(\S+) +(\S+)$', line)
	    if m:
	        rows.append([target, int(m[1]), [m[2]], m[3], int(m[4])] + [m[i] for i in range(5, 10)])
	        continue
	    m = re.match(r'    \|  `\|-- (\S+)$', line)
	    if m and rows:
	        rows[-1][2].append(m[1])
	        continue
	    sys.exit('not a table line: ' + repr(line))
	want = []
	for l in open(sys.argv[2]):
	    r = json.loads(l, parse_float=str)
	    if r['type'] != 'hop-summary':
	        continue
	    cell = lambda v: '-' if v is None else v
	    want.append([r['target'], r['ttl'], r['addrs'] or ['???'],
	        '%.1f' % float(r['loss_pct']), r['sent']] +
	        [cell(r[k]) for k in ('rtt_last_ms', 'rtt_avg_ms', 'rtt_min_ms',
	        'rtt_max_ms', 'rtt_stddev_ms')])
	for a, b in zip(rows, want):
	    print('table', a, '\njson ', b)
	if rows != want or not rows:
	    sys.exit('the table is not the JSON')
	EOF
}

@test "--report -c 10 --json: the tables (stderr) are the hop-summary records (stdout); loss only past r3, which drops 30%" {
	# r3 drops 3 of every 10 echo requests it forwards to the target:
	# hop 4 (the target) loses, hops 1 to 3 never.
	lab_exec r3 nft -f - <<-'EOF'
	table ip mr {
		chain forward {
			type filter hook forward priority 0; policy accept;
			ip daddr 198.19.0.7 icmp type echo-request numgen inc mod 10 < 3 drop
		}
	}
	EOF
	run --separate-stderr mp --report -c 10 -p 20 -t 200 --json 198.19.0.7
	echo "$stderr"
	[ "$status" -eq 0 ]
	printf '%s\n' "$stderr" >"$TABLE"
	printf '%s\n' "$output" >"$JSON"
	same_numbers "$TABLE" "$JSON"
	# --report: the verdicts and the hop summaries only.
	[ "$(jcount '.type != "trace" and .type != "hop-summary"')" -eq 0 ]
	[ "$(jcount '.type == "trace"')" -eq 10 ]
	# Hops 1 to 3: 30 probes (3 a round), all answered, by one router.
	[ "$(json_sel -r 'select(.type == "hop-summary" and .ttl <= 3) |
	    "\(.ttl) \(.from) \(.addrs | length) \(.sent) \(.received) \(.lost) \(.loss_pct)"')" = \
	    "1 192.0.2.1 1 30 30 0 0
2 192.0.2.18 1 30 30 0 0
3 192.0.2.82 1 30 30 0 0" ]
	# Beyond: the drops, and loss as mtr means it, lost / sent of the hop.
	[ "$(json_sel -s '[.[] | select(.type == "hop-summary" and .ttl >= 4) | .lost] | add')" -ge 3 ]
	jall 'select(.type == "hop-summary") | .lost == .sent - .received and
	    (.loss_pct - 100 * .lost / .sent | fabs) < 0.01'
	[ "$(jcount '.type == "hop-summary" and .ttl == 4 and
	    .from == "198.19.0.7" and .lost > 0 and .lost < .sent')" -eq 1 ]
	# Once the target's hop is known, the rounds probe no further (as
	# mtr): a round that lost its answers there says so ("lost"), not
	# a hop further.  Only the first round, whose three hop-4 probes
	# were r3's first drops, found the target a hop further (3 sent).
	json_sel -c 'select(.type == "trace") | [.round, .hops, .stop]'
	[ "$(jcount '.type == "hop-summary" and .ttl > 4 and .sent > 3')" -eq 0 ]
	[ "$(jcount '.type == "trace" and .round > 0 and .hops == 4 and
	    (.stop == "reached" or .stop == "lost")')" -eq 9 ]
}

@test "-c 3: the table after the hop lines; --csv: a row per hop-summary; --report text: tables only" {
	run --separate-stderr mp --trace -c 3 -p 20 198.19.0.9 2001:db8:f1::9
	[ "$status" -eq 0 ]
	echo "$output"
	# Each target's hop lines and verdicts, then its table, after a
	# blank line.
	[ "$(grep -c ': reached in 4 hops (round [123])$' <<<"$output")" -eq 6 ]
	grep -A5 '^$' <<<"$output" | grep -E '^TARGET: 2001:db8:f1::9 +Loss%'
	for hop in "1.|-- 192.0.2.1" "2.|-- 192.0.2.18" "3.|-- 192.0.2.82" \
	    "4.|-- 198.19.0.9" "1.|-- 2001:db8:1::1" "2.|-- 2001:db8:12::2" \
	    "3.|-- 2001:db8:26::2" "4.|-- 2001:db8:f1::9"; do
		read -r -a w <<<"$(grep -F "  $hop " <<<"$output")"
		[ "${w[2]}" = 0.0% ] && [ "${w[3]}" = 9 ]
	done
	[ "$(grep -c '^ *[0-9]\.|-- ' <<<"$output")" -eq 8 ]
	# CSV: the hop-summary rows with their columns at the end.
	run --separate-stderr mp --trace -c 2 -p 20 --csv 198.19.0.9
	[ "$status" -eq 0 ]
	head -1 <<<"$output" | grep -q ',round,method,sent,received,loss_pct,rtt_last_ms,rtt_min_ms,rtt_avg_ms,rtt_max_ms,rtt_stddev_ms'$'\r''$'
	[ "$(grep -c '^hop-summary,' <<<"$output")" -eq 4 ]
	grep -q '^hop-summary,[0-9.]*,198\.19\.0\.9,198\.19\.0\.9,4,,198\.19\.0\.9,.*,icmp,6,6,0\.00,[0-9.]*,[0-9.]*,[0-9.]*,[0-9.]*,[0-9.]*'$'\r''$' <<<"$output"
	# --report: nothing but the tables (hop lines and verdicts left out).
	run --separate-stderr mp --report -c 2 -p 20 198.19.0.9 198.18.0.1
	echo "$output"
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	[ "$(grep -c '^TARGET: ' <<<"$output")" -eq 2 ]
	[ "$(grep -vc -e '^TARGET: ' -e '^ *[0-9]\.|-- ' <<<"$output")" -eq 0 ]
	[ "$(wc -l <<<"$output")" -eq 9 ]
}

@test "--report: implies --trace; not with --all-paths, --live, --trace-down" {
	run --separate-stderr mp --report --all-paths 198.19.0.9
	[ "$status" -eq 3 ] && [ "$stderr" = "mping: --report: not with --all-paths" ]
	run --separate-stderr mp --report --trace-down -c 1 198.19.0.9
	[ "$status" -eq 3 ] && [ "$stderr" = "mping: --report: not with --trace-down" ]
	run --separate-stderr mp --report --live 198.19.0.9
	[ "$status" -eq 3 ] && [ "$stderr" = "mping: --report: not with --live" ]
	# -c 1 is a table of one round (3 probes a hop).
	run --separate-stderr mp --report 198.18.0.1
	[ "$status" -eq 0 ]
	[ "$(grep -c '^ *[123]\.|-- .*  0\.0%     3 ' <<<"$output")" -eq 3 ]
}

@test "--report: a hop's responders, most answers first (a route that changes mid-run: a1, then a2)" {
	mdl_is_root || skip "needs root"
	# r1 sends the target over a1 for the first rounds, then (once two
	# verdicts are out) over a2.
	local pid i status=0
	mdl_exec r1 ip route replace 203.0.113.0/24 via 198.18.2.2
	mdp --report -c 8 -p 200 -t 300 --json 203.0.113.5 >"$JSON" \
	    2>"$TABLE" &
	pid=$!
	for i in $(seq 200); do
		grep -q '"round":1' "$JSON" && break
		sleep 0.05
	done
	mdl_exec r1 ip route replace 203.0.113.0/24 via 198.18.3.2
	wait "$pid" || status=$?
	mdl_exec r1 ip route replace 203.0.113.0/24 nexthop via 198.18.2.2 \
	    nexthop via 198.18.3.2
	cat "$TABLE"
	[ "$status" -eq 0 ]
	same_numbers "$TABLE" "$JSON"
	output=$(cat "$JSON")
	# Hop 2: both routers, 24 probes between them, every one answered.
	[ "$(jcount '.type == "hop-summary" and .ttl == 2 and
	    (.addrs | sort) == ["198.18.2.2", "198.18.3.2"] and
	    .from == .addrs[0] and .sent == 24 and .received == 24')" -eq 1 ]
	grep -E '^  2\.\|-- 198\.18\.[23]\.2 +0\.0% +24 ' "$TABLE"
	grep -E '^    \|  `\|-- 198\.18\.[23]\.2$' "$TABLE"
	# The other hops: one responder each.
	[ "$(jcount '.type == "hop-summary" and (.addrs | length) == 1')" -eq 5 ]
}

@test "--live --trace: the destination on one row, though the replies of probes past it came first" {
	# e answers in bursts of 6, newest first: the replies of TTL 4 come
	# before those of TTL 3, where the target is.  One round: the next
	# would probe up to TTL 3 only (3 probes, no burst of 6).
	responder_start reorder --reorder 6
	run lab_exec c "$PTYRUN" --env LANG=C "$BATS_TEST_TMPDIR/term" -- \
	    "$MPING" --live --trace -c 1 -p 100 -t 500 203.0.113.5
	[ "$status" -eq 0 ]
	"$SCREEN" "$BATS_TEST_TMPDIR/term" check
	after=$("$SCREEN" "$BATS_TEST_TMPDIR/term" after)
	echo "$after"
	grep -E '^203\.0\.113\.5  3\. 203\.0\.113\.5 +3 +0\.0% ' <<<"$after"
	[ "$(grep -c '^203\.0\.113\.5 ' <<<"$after")" -eq 3 ]
	"$SCREEN" "$BATS_TEST_TMPDIR/term" frame |
	    grep -F '1 targets, 1 traces done, 1 reached'
	nogrep -E '^203\.0\.113\.5  [4-9]\. ' <<<"$after"
}
