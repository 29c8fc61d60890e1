#!/usr/bin/env bats
# Issue 17 goals 2 and 5: the JSON formatter's bytes unchanged by its
# speed-up (a C test fed records), a trace's probes of every TTL in full
# sendmmsg batches (a control message per datagram), and output to a file
# or a pipe in a few large writes that still reach a reader in time.
# The lab: rt_lab.bash's chain c - r1 - ... - r5 - d, named pf2-PID.

bats_require_minimum_version 1.5.0
load rt_lab
load unit

setup_file()
{
	cd "$BATS_TEST_DIRNAME/.." || return 1
	unit_build "$BATS_FILE_TMPDIR/json_test" json_test.c out.c out_text.c \
	    out_csv.c out_json.c out_live.c progress.c fields.c out_fping.c \
	    out_dot.c out_fping_json.c || return 1
	rt_up_as pf2 && rt_limits off
}

teardown_file()	{ rt_down; }

lab()
{
	netns_is_root || skip "needs root"
	[ -n "${RT:-}" ] || skip "lab not built"
}

# sendmmsg_of LOG: "CALLS DATAGRAMS" of an strace -e trace=sendmmsg log.
sendmmsg_of()
{
	awk '/sendmmsg\(/ && $NF ~ /^[0-9]+$/ { c++; n += $NF }
	    END { print c + 0, n + 0 }' "$1"
}

@test "JSON records: byte for byte what the formatter before wrote, 57,000 records of every type" {
	run "$BATS_FILE_TMPDIR/json_test"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[-1]} =~ ^[0-9]+\ checks,\ 0\ failed$ ]]
}

@test "--trace -i 0 of 20 targets: a sendmmsg carries many TTLs (calls < datagrams/8), every hop right" {
	lab
	local t
	t=$(for i in $(seq 1 20); do echo 198.19.1.$i; done)
	# Every hop of every trace: no stop set (stopset.bats).
	rt_exec c strace -f -qq -e trace=sendmmsg -o "$RT_DIR/st" \
	    "$MPING" --trace -i 0 --no-stop-set --json $t >"$RT_DIR/tr" </dev/null
	read -r calls sent < <(sendmmsg_of "$RT_DIR/st")
	echo "$calls sendmmsg calls, $sent datagrams"
	[ "$sent" -ge 360 ]
	[ "$calls" -lt $((sent / 8)) ]
	# Each of the 20 traces: hops 1-5 the chain's routers, hop 6 the
	# target itself, a hop record each.
	[ "$(jq -s '[.[] | select(.type == "hop")] | length' "$RT_DIR/tr")" -eq 120 ]
	[ "$(jq -sr '[.[] | select(.type == "hop" and .ttl <= 5) | "\(.ttl)=\(.addrs | join(","))"] | unique | join(" ")' "$RT_DIR/tr")" = \
	    "1=$(rt_hop4 1) 2=$(rt_hop4 2) 3=$(rt_hop4 3) 4=$(rt_hop4 4) 5=$(rt_hop4 5)" ]
	[ "$(jq -s '[.[] | select(.type == "hop" and .ttl == 6 and .addrs == [.target])] | length' "$RT_DIR/tr")" -eq 20 ]
	# Every probe answered: no hop lost one.
	[ "$(jq -s '[.[] | select(.type == "hop") | .lost] | add' "$RT_DIR/tr")" -eq 0 ]
}

@test "--json to a file: a sweep's records in a few large writes, not one per 4 KiB" {
	lab
	rt_exec c strace -f -qq -e trace=write -o "$RT_DIR/wr" \
	    "$MPING" -c 1 -i 0 --json 198.19.1.0/24 >"$RT_DIR/sw" </dev/null
	[ "$(jq -s '[.[] | select(.type == "reply")] | length' "$RT_DIR/sw")" -eq 254 ]
	[ "$(jq -s '[.[] | select(.type == "summary")] | length' "$RT_DIR/sw")" -eq 254 ]
	writes=$(grep -c '^[0-9]* *write(1,' "$RT_DIR/wr" || true)
	echo "$(wc -c <"$RT_DIR/sw") bytes in $writes writes"
	# About 120 KB: the stdio buffer of before wrote it 4 KiB at a time.
	[ "$writes" -ge 1 ] && [ "$writes" -le 6 ]
}

@test "--json to a pipe: each reply line reaches the reader while the run goes on (-c 3 -p 1000)" {
	lab
	local t0 line n=0 at=()
	t0=$(date +%s%N)
	while IFS= read -r line; do
		at+=("$(( ($(date +%s%N) - t0) / 1000000 )):$(jq -r .type <<<"$line")")
	done < <(rtm --json -c 3 -p 1000 198.19.1.1)
	echo "${at[*]}"
	# start, reply, reply, reply, summary, end; replies about 1 s apart,
	# each read within 1.5 s of the one before (the run takes 2 s and
	# more: held to its end, all would come at once).
	[ "${#at[@]}" -eq 6 ]
	[[ ${at[1]} == *:reply ]] && [[ ${at[3]} == *:reply ]]
	[ "${at[1]%%:*}" -lt 1500 ]
	[ "$(( ${at[2]%%:*} - ${at[1]%%:*} ))" -ge 500 ]
	[ "$(( ${at[3]%%:*} - ${at[2]%%:*} ))" -ge 500 ]
}

@test "ping sockets (nobody): IPv4 a TTL per datagram, IPv6 a hop limit per batch on the socket; every hop right" {
	lab
	local t
	netns_nobody_copy "$RT_DIR" "$MPING"
	netns_sysctl "$RT-c" net.ipv4.ping_group_range="0 2147483647"
	t=$(for i in $(seq 1 10); do echo 198.19.1.$i; done)
	ip netns exec "$RT-c" strace -f -qq -e trace=sendmmsg,setsockopt \
	    -o "$RT_DIR/st4" setpriv --reuid=65534 --regid=65534 \
	    --clear-groups -- "$RT_DIR/bin/mping" --trace -i 0 --json $t \
	    >"$RT_DIR/p4" </dev/null
	# A ping socket's error of one probe (here microseconds after it
	# left) fails the next send once (sock.c): no batches of 16, but
	# every TTL as a control message, none set on the socket.
	echo "$(grep -c 'cmsg_type=IP_TTL' "$RT_DIR/st4" || true) sends with IP_TTL"
	[ "$(grep -c 'setsockopt([0-9]*, SOL_IP, IP_TTL' "$RT_DIR/st4")" -eq 0 ]
	[ "$(grep -c 'cmsg_type=IP_TTL, cmsg_data=\[3\]' "$RT_DIR/st4")" -ge 1 ]
	[ "$(jq -s '[.[] | select(.type == "trace" and .reached and .hops == 6)] | length' "$RT_DIR/p4")" -eq 10 ]
	[ "$(jq -sr '[.[] | select(.type == "hop" and .ttl <= 5) | "\(.ttl)=\(.addrs | join(","))"] | unique | join(" ")' "$RT_DIR/p4")" = \
	    "1=$(rt_hop4 1) 2=$(rt_hop4 2) 3=$(rt_hop4 3) 4=$(rt_hop4 4) 5=$(rt_hop4 5)" ]
	netns_nobody "$RT-c" "$RT_DIR/bin/mping" --trace -i 0 --json \
	    2001:db8:f0::1 2001:db8:f0::2 >"$RT_DIR/p6"
	[ "$(jq -s '[.[] | select(.type == "trace" and .reached and .hops == 6)] | length' "$RT_DIR/p6")" -eq 2 ]
	[ "$(jq -sr '[.[] | select(.type == "hop" and .ttl <= 5) | "\(.ttl)=\(.addrs | join(","))"] | unique | join(" ")' "$RT_DIR/p6")" = \
	    "1=$(rt_hop6 1) 2=$(rt_hop6 2) 3=$(rt_hop6 3) 4=$(rt_hop6 4) 5=$(rt_hop6 5)" ]
}
