#!/usr/bin/env bats
# --all-paths (--mda): every load-balanced path, in the ECMP lab of
# tests/mda_lab.bash (a 2-wide and a 3-wide diamond).
#
# The MDA is a probabilistic rule: at --confidence 95 (99) it misses one
# of a router's next hops with probability up to 5% (1%) per branching
# router.  Exact topologies are asserted at 99% with one rerun (a false
# failure then needs two misses in a row: about 1 in 2,000 in this lab);
# 50 targets at once are asserted as a whole (the union exact, nothing
# that is not there, and most targets exact on their own).

bats_require_minimum_version 1.5.0

load mda_lab

setup_file()	{ mdl_up; }
teardown_file()	{ mdl_down; }
setup()		{ mdl_require_root; }

# exact TRUTH T ARGS...: mping --json ARGS T finds exactly TRUTH's hops
# and links (one rerun, see above); the run ends with status 0.
exact()
{
	local truth=$1 t=$2 i
	shift 2

	for i in 1 2; do
		run mdp --json "$@" "$t"
		[ "$status" -eq 0 ] || return 1
		[ "$(paths_of "$t")" = "$($truth "$t")" ] && return 0
	done
	diff <(paths_of "$t") <($truth "$t")
	return 1
}

# found TRUTH MIN T...: for many targets in $output, nothing found that
# is not in TRUTH, at least MIN targets exactly TRUTH, and together (the
# routers of the lab are the same for all) every router and link of it.
found()
{
	local truth=$1 min=$2 t exact=0 missed=0 dir=$BATS_TEST_TMPDIR
	shift 2

	: >"$dir/union"
	for t in "$@"; do
		paths_of "$t" >"$dir/got"
		$truth "$t" >"$dir/want"
		if [ -n "$(comm -23 "$dir/got" "$dir/want")" ]; then
			echo "$t: not in the lab:"
			comm -23 "$dir/got" "$dir/want"
			return 1
		fi
		if cmp -s "$dir/got" "$dir/want"; then
			exact=$((exact + 1))
		elif [ "$((missed += 1))" -le 3 ]; then
			echo "$t misses:"
			comm -13 "$dir/got" "$dir/want"
		fi
		grep -v " $t\$" "$dir/got" >>"$dir/union" || true
	done
	echo "exact: $exact of $#"
	[ "$exact" -ge "$min" ]
	[ "$(sort -u "$dir/union")" = "$($truth X | grep -v ' X$')" ]
}

# n50: the 50 IPv4 targets 203.0.113.1 to .50.
n50()
{
	seq -f '203.0.113.%g' 1 50
}

# bounds C: per target, "probes stopping-points" at confidence C: the
# probes the verdict says it spent, and the sum over the vertices found
# (us, and every interface with links onward) of n_k, k its next hops.
bounds()
{
	json_sel -s -r --argjson c "$1" '
	    def nk: if $c == 95 then [0, 6, 11, 16, 21, 27, 33][.]
		else [0, 8, 15, 21, 28, 36, 43][.] end;
	    [.[] | select(.target != null)] | group_by(.target)[] | . as $r |
	    ([$r[] | select(.type == "hop" and .ttl == 1)] | length | nk)
		as $src |
	    ([$r[] | select(.type == "link")] | group_by([.ttl, .from]) |
		map(length | nk) | add) as $links |
	    "\([$r[] | select(.type == "trace")][0].sent) \($src + $links)"'
}

# within_bounds C: every target spent at least the stopping points of
# what it found, and at most twice them (node control: new flows sent to
# reach each interface of a diamond).
within_bounds()
{
	local sent floor

	bounds "$1" | while read -r sent floor; do
		[ "$sent" -ge "$floor" ] && [ "$sent" -le $((2 * floor)) ] ||
		    { echo "sent $sent, stopping points $floor"; return 1; }
	done
}

@test "--all-paths, UDP, IPv4: every interface of both diamonds and every link (99%)" {
	exact truth4 203.0.113.7 --all-paths -U --confidence 99
	[ "$(jcount '.type == "trace" and .reached and .hops == 6 and
	    .stop == "reached" and .state == "closed" and .sent > 0')" = 1 ]
	# A link's flows reached both its ends: as many as their hop shows.
	[ "$(json_sel -s '[.[] | select(.type == "link" and .ttl == 5) |
	    .flows] | add')" = "$(json_sel -s '[.[] | select(.type == "hop"
	    and .ttl == 6) | .flows] | add')" ]
}

@test "--mda, UDP, IPv6: every interface and link, one per way in (99%)" {
	exact truth6 2001:db8:d::7 --mda -U -6 --confidence 99
	[ "$(jcount '.type == "trace" and .reached and .hops == 6')" = 1 ]
}

@test "--all-paths, TCP: flows by source port find both diamonds (99%)" {
	exact truth4 203.0.113.9 --all-paths -T --port 7 --confidence 99
	[ "$(jcount '.type == "trace" and .reached and .state == "closed"')" = 1 ]
}

@test "--all-paths, TCP: every flow's reset reaches the reads (socket filter), none asked again" {
	# The raw TCP socket's filter once kept only the first flow's port:
	# the destination answered every SYN, mping saw one reset and asked
	# the other flows again 2 s later, twice (6.5 s against UDP's 0.6 s).
	run mdp --all-paths -T --port 7 --json 203.0.113.9
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "hop" and .addrs == ["203.0.113.9"] and
	    .flows >= 6 and .sent == .flows and .lost == 0')" = 1 ]
	[ "$(jcount '.type == "trace" and .reached and .state == "closed"')" = 1 ]
}

@test "--all-paths, ICMP: Linux routers do not spread ICMP echo flows (one interface per hop)" {
	run mdp --all-paths --json 203.0.113.3
	[ "$status" -eq 0 ]
	# fib_multipath_hash_policy 1 hashes ports; ICMP has none, so every
	# Paris checksum takes the path of the addresses alone.
	[ "$(json_sel -s '[.[] | select(.type == "hop")] | group_by(.ttl) |
	    map(length) | unique')" = "[1]" ]
	[ "$(paths_of 203.0.113.3 | grep -c '^hop')" = 6 ]
	paths_of 203.0.113.3 | grep '^hop' >"$BATS_TEST_TMPDIR/got"
	truth4 203.0.113.3 | grep '^hop' >"$BATS_TEST_TMPDIR/all"
	[ -z "$(comm -23 "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/all")" ]
	[ "$(jcount '.type == "trace" and .reached and .hops == 6')" = 1 ]
}

@test "50 targets at once (95%): the union exact, nothing false, most exact alone, probes within the MDA's bound" {
	run mdp --all-paths -U --json $(n50)
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "trace" and .reached and .hops == 6')" = 50 ]
	# About 7% of targets miss something at 95% here (a 1-in-32 chance
	# at r1, 1-in-29 at r3): 40 is 3 standard deviations below.
	found truth4 40 $(n50)
	within_bounds 95
}

@test "50 IPv6 targets at once (99%): the union exact, nothing false, most exact alone" {
	local t all=()

	for t in $(seq 1 50); do
		all+=("$(printf '2001:db8:d::%x' "$t")")
	done
	run mdp --all-paths -U -6 --confidence 99 --json "${all[@]}"
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "trace" and .reached and .hops == 6')" = 50 ]
	# About 2% miss something at 99% (r1, and r3's two ways in).
	found truth6 45 "${all[@]}"
}

@test "--confidence 99 sends more than 95 for the same 50 targets, within its own bound" {
	run mdp --all-paths -U --json $(n50)
	[ "$status" -eq 0 ]
	local s95 s99
	s95=$(json_sel -s '[.[] | select(.type == "trace") | .sent] | add')
	run mdp --all-paths -U --confidence 99 --json $(n50)
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "trace" and .reached')" = 50 ]
	s99=$(json_sel -s '[.[] | select(.type == "trace") | .sent] | add')
	echo "probes: 95% $s95, 99% $s99"
	[ "$s99" -gt "$s95" ]
	within_bounds 99
}

@test "text: a diamond's interfaces one under the other, the links under their hop, the probes in the verdict" {
	local t=203.0.113.5 n i
	# At 99% with one rerun, as the exact topologies above: at 95% the
	# stopping rule may miss one of hop 4's three (1 run of 80 here).
	for i in 1 2; do
		run mdp --all-paths -U --confidence 99 "$t"
		[ "$status" -eq 0 ]
		[ "$(printf '%s\n' "${lines[@]}" |
		    grep -c "^$t:  *[0-9 ]*198\.18\.[678]\.2  flows=")" = 3 ] &&
		    break
	done
	[[ ${lines[0]} =~ ^$t:\ \ 1\ \ 198\.18\.1\.1\ \ flows=[0-9]+\ \ rtt=[0-9.]+/[0-9.]+/[0-9.]+\ ms$ ]]
	[[ ${lines[1]} =~ ^$t:\ {7}198\.18\.1\.1\ -\>\ 198\.18\.[23]\.2\ \ \(flows=[0-9]+\)$ ]]
	# Hop 4's three interfaces: the first with the hop's number, the
	# others indented under it.
	[ "$(printf '%s\n' "${lines[@]}" | grep -c "^$t:  4  198\.18\.[678]\.2  flows=")" = 1 ]
	[ "$(printf '%s\n' "${lines[@]}" | grep -c "^$t:     198\.18\.[678]\.2  flows=")" = 2 ]
	# The links: 11 when all are found.
	n=$(printf '%s\n' "${lines[@]}" | grep -c " -> ")
	[ "$n" -ge 7 ] && [ "$n" -le 11 ]
	[[ ${lines[-1]} =~ ^$t:\ reached\ in\ 6\ hops\ port=33434\ closed,\ all\ paths:\ probes=[0-9]+$ ]]
}

@test "--format dot: a graph that dot renders, every interface a node, every link an edge" {
	run mdp --all-paths -U --confidence 99 --format dot \
	    203.0.113.11 203.0.113.12 203.0.113.13 203.0.113.14 203.0.113.15
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "strict digraph mping {" ]
	[ "${lines[-1]}" = "}" ]
	printf '%s\n' "$output" | dot -Tsvg >"$BATS_TEST_TMPDIR/paths.svg"
	local svg="$BATS_TEST_TMPDIR/paths.svg" a
	# Us, 8 router interfaces shared by the 5 targets, the 5 targets.
	[ "$(grep -c 'class="node"' "$svg")" = 14 ]
	# Us to r1, the 10 links of the diamonds, r5 to each target.
	[ "$(grep -c 'class="edge"' "$svg")" = 16 ]
	for a in 198.18.1.1 198.18.2.2 198.18.3.2 198.18.4.2 198.18.6.2 \
	    198.18.7.2 198.18.8.2 198.18.9.2 203.0.113.13; do
		grep -q "<title>$a</title>" "$svg"
	done
	grep -q '<title>198.18.4.2&#45;&gt;198.18.8.2</title>' "$svg"
	grep -q '<title>mping&#45;&gt;198.18.1.1</title>' "$svg"
}

@test "-c N: loss and RTT per path: the paths through b3 lose what nftables drops there, the others nothing" {
	mdl_exec b3 nft -f - <<'EOF'
table inet mdloss {
	chain forward {
		type filter hook forward priority 0;
		meta l4proto udp numgen random mod 10 < 3 drop
	}
}
EOF
	run mdp --all-paths -U -c 8 -p 50 -t 500 --json 203.0.113.21
	mdl_exec b3 nft delete table inet mdloss
	[ "$status" -eq 0 ]
	# Every path ends at the target (-c: every flow at every hop).
	[ "$(jcount '.type == "path"')" -ge 2 ]
	[ "$(jcount '.type == "path" and .addrs[5] == "203.0.113.21" and
	    .sent > 0')" = "$(jcount '.type == "path"')" ]
	local b3 other
	b3=$(json_sel -s '[.[] | select(.type == "path" and
	    (.addrs | index("198.18.8.2")))] |
	    ([.[].lost] | add) * 100 / ([.[].sent] | add) | floor')
	other=$(json_sel -s '[.[] | select(.type == "path" and
	    (.addrs | index("198.18.8.2") | not)) | .lost] | add')
	echo "loss through b3: $b3%, elsewhere: $other probes"
	[ "$b3" -ge 10 ] && [ "$b3" -le 60 ]
	[ "$other" = 0 ]
	# The text says the same, path by path.
	run mdp --all-paths -U -c 3 -p 50 203.0.113.21
	[ "$status" -eq 0 ]
	printf '%s\n' "${lines[@]}" | grep -Eq "^203\.0\.113\.21: path 198\.18\.1\.1 > 198\.18\.[23]\.2 > 198\.18\.4\.2 > 198\.18\.[678]\.2 > 198\.18\.9\.2 > 203\.0\.113\.21  flows=[0-9]+  loss=0\.0% \(0/[0-9]+\)  rtt="
}

@test "routers at stock ICMP limits: the first diamond still whole, its silence retried, not counted" {
	local st i want
	want=$(truth4 203.0.113.31 | grep -E '^(hop [123]|link [12]) ')
	mdl_stock_limits
	# At 99% with one rerun, as the exact topologies above: at 95% the
	# stopping rule misses hop 2's second interface in about 1 run of 32
	# (6 flows all through one), as it may; at 99% it did once in CI.
	# Before the rerun the routers' buckets fill again (a token a
	# second, a burst of 6).
	for i in 1 2; do
		run mdp --all-paths -U --confidence 99 --max-hops 3 -t 500 \
		    --json 203.0.113.31
		st=$status
		[ "$(paths_of 203.0.113.31)" = "$want" ] && break
		[ "$i" = 2 ] || sleep 6
	done
	mdl_no_limits
	# Not reached within 3 hops: exit status 1.
	[ "$st" -eq 1 ]
	[ "$(paths_of 203.0.113.31)" = "$want" ]
	[ "$(jcount '.type == "trace" and .stop == "max-hops" and
	    .hops == 3')" = 1 ]
	# Hop 2 is 2 wide: 11 flows there at least, every one answered; r3
	# (a burst of 6, then one a second) answered the 6 flows wanted
	# through each of a1 and a2: its silences went again.
	[ "$(json_sel -s '[.[] | select(.type == "hop" and .ttl == 2) |
	    .flows] | add')" -ge 11 ]
	[ "$(json_sel -s '[.[] | select(.type == "hop" and .ttl == 3) |
	    .flows] | add')" -ge 12 ]
}

@test "--confidence takes 95 or 99 and needs --all-paths; --format dot needs it too" {
	run "$MPING" --all-paths --confidence 97 127.0.0.1
	[ "$status" -eq 3 ]
	[[ $output == *'--confidence: bad value "97": expected 95 or 99'* ]]
	run "$MPING" --trace --confidence 99 127.0.0.1
	[ "$status" -eq 3 ]
	[[ $output == *"--confidence needs --all-paths"* ]]
	run "$MPING" --trace --format dot 127.0.0.1
	[ "$status" -eq 3 ]
	[[ $output == *"--format dot needs --all-paths"* ]]
	run "$MPING" --all-paths --live 127.0.0.1
	[ "$status" -eq 3 ]
}

@test "CSV: a row per interface and per link, with from, to and flows" {
	run mdp --all-paths -U --csv 203.0.113.6
	[ "$status" -eq 0 ]
	local csv
	csv=$(printf '%s\n' "$output" | tr -d '\r')
	[ "$(head -n 1 <<<"$csv")" = "type,time,target,addr,ttl,from,to,flows,addrs,sent,received,lost,loss_pct,rtt_min_ms,rtt_avg_ms,rtt_max_ms,error,reached,hops,stop,targets,answered,dropped,exit_status,round,method,port,state" ]
	grep -Eq '^link,[0-9.]+,203\.0\.113\.6,203\.0\.113\.6,5,198\.18\.9\.2,203\.0\.113\.6,[0-9]+,' <<<"$csv"
	grep -Eq '^hop,[0-9.]+,203\.0\.113\.6,203\.0\.113\.6,6,203\.0\.113\.6,,[0-9]+,203\.0\.113\.6,' <<<"$csv"
	grep -Eq '^trace,.*,true,6,reached,' <<<"$csv"
}

@test "without cap_net_raw, UDP --all-paths says it can find one path only, and does" {
	netns_nobody_copy "$MDL_DIR" "$MPING"
	run --separate-stderr netns_nobody "$MDL-c" "$MDL_DIR/bin/mping" \
	    --all-paths -U --json 203.0.113.8
	[ "$status" -eq 0 ]
	[ "$stderr" = "mping: --all-paths: no raw socket (cap_net_raw): one source port, so one path per target" ]
	[ "$(json_sel -s '[.[] | select(.type == "hop")] | group_by(.ttl) |
	    map(length) | unique')" = "[1]" ]
	[ "$(jcount '.type == "trace" and .reached and .hops == 6')" = 1 ]
}
