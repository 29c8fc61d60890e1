#!/usr/bin/env bats
# Hard cases of targets (issue 11, items 7-11 and 17): broadcast decided by
# the kernel's broadcast routes, blocks that skip only what they must,
# targets that differ only in scope, form or name, descriptors and memory
# that run out, --max-targets with overlapping blocks, a failing lookup
# under ASan.  A lab of its own, namespaces mht-PID-c and mht-PID-p:
#
#	c0 192.0.2.2/24 (added without brd) ---- p0 192.0.2.3/24, fe80::1
#	c1 198.51.100.1/25 brd + ------------- p1 198.51.100.2/25, fe80::1
#	c2 203.0.113.254/24 ------------------ e0 203.0.113.253/24 (node e)
#
# The peer answers broadcast echo requests; the client answers for
# 198.18.0.0/16 itself (a local route on lo).  In e, tests/responder
# answers 203.0.113.1 with host-unreachable quoting only 8 bytes, and
# 203.0.113.2 with host-unreachable quoting the whole request.  The
# client's /etc/hosts has web1 and www on 198.18.0.1, q1 and q2 on
# 203.0.113.1, f1 and f2 on 203.0.113.2; its resolver points at
# 127.0.0.1, where nothing listens.  Nothing has a route out of the lab.

bats_require_minimum_version 1.5.0
load netns

MHT_REPO="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
MPING="${MPING:-$MHT_REPO/mping}"
RESPONDER="${RESPONDER:-$MHT_REPO/tests/responder}"

mht_exec()
{
	local node=$1
	shift
	ip netns exec "$MHT-$node" "$@"
}

# hmp ARGS...: mping in the client, killed after 20 s (a hang is a failure
# with status 137, whatever mping does with SIGTERM).
hmp()
{
	mht_exec c timeout -s KILL 20 "$MPING" "$@" </dev/null
}

_mht_build()
{
	local n etc

	for n in c p e; do
		netns_add "$MHT_DIR" "$MHT-$n" &&
		netns_defaults "$MHT-$n" || return 1
	done
	etc=$(netns_etc "$MHT_DIR" "$MHT-c") || return 1
	printf '127.0.0.1\tlocalhost\n198.18.0.1\tweb1 www\n' >"$etc/hosts"
	printf '203.0.113.1\tq1 q2\n203.0.113.2\tf1 f2\n' >>"$etc/hosts"
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' \
	    >"$etc/resolv.conf"
	netns_sysctl "$MHT-p" net.ipv4.icmp_echo_ignore_broadcasts=0 ||
	    return 1
	for n in 0 1; do
		ip -n "$MHT-c" link add c$n type veth peer name p$n \
		    netns "$MHT-p" &&
		ip -n "$MHT-p" -6 addr add fe80::1/64 dev p$n nodad || return 1
	done
	# No "brd": glibc's getifaddrs() then reports 192.0.2.2 itself as
	# the broadcast address.
	ip -n "$MHT-c" addr add 192.0.2.2/24 dev c0 &&
	ip -n "$MHT-c" addr add 198.51.100.1/25 brd + dev c1 &&
	ip -n "$MHT-p" addr add 192.0.2.3/24 dev p0 &&
	ip -n "$MHT-p" addr add 198.51.100.2/25 brd + dev p1 &&
	ip -n "$MHT-c" route add local 198.18.0.0/16 dev lo || return 1
	_mht_responders || return 1
	for n in c0 c1; do
		ip -n "$MHT-c" link set $n up || return 1
	done
	for n in p0 p1; do
		ip -n "$MHT-p" link set $n up || return 1
	done
	# Links up and neighbours known (there may be no ping(8) here).
	for n in 1 2 3 4 5 6 7 8 9 10; do
		hmp -q -c 1 -t 1000 192.0.2.3 198.51.100.2 >/dev/null 2>&1 &&
		    return 0
		sleep 0.2
	done
	return 1
}

# Node e: the responders' addresses are local there, the kernel answers no
# echo request, so only tests/responder answers.
_mht_responders()
{
	[ -x "$RESPONDER" ] || { echo "no $RESPONDER (make tests/responder)" >&2; return 1; }
	netns_sysctl "$MHT-e" net.ipv4.icmp_echo_ignore_all=1 &&
	ip -n "$MHT-c" link add c2 type veth peer name e0 netns "$MHT-e" &&
	ip -n "$MHT-c" addr add 203.0.113.254/24 dev c2 &&
	ip -n "$MHT-e" addr add 203.0.113.253/24 dev e0 &&
	ip -n "$MHT-e" route add local 203.0.113.0/25 dev lo &&
	ip -n "$MHT-c" link set c2 up &&
	ip -n "$MHT-e" link set e0 up || return 1
	# netns_down ends them with the namespace.
	mht_exec e "$RESPONDER" --addr 203.0.113.1 --error 3,1 --quote 8 \
	    </dev/null >/dev/null 2>&1 3>&- &
	mht_exec e "$RESPONDER" --addr 203.0.113.2 --error 3,1 \
	    </dev/null >/dev/null 2>&1 3>&- &
}

setup_file()
{
	netns_lab_up MHT mht _mht_build || return 1
	netns_is_root || return 0
	${CC:-cc} -std=c99 -Wall -Wextra -Werror -shared -fPIC \
	    -o "$MHT_DIR/failmalloc.so" "$MHT_REPO/tests/failmalloc.c" -ldl
}

teardown_file()	{ netns_lab_down MHT; }

setup()
{
	netns_is_root || skip "needs root"
	[ -n "${MHT:-}" ] || skip "lab not built"
	[ -x "$MPING" ] || { echo "mping is not built: $MPING" >&2; return 1; }
}

# summaries: the number of summary records in $output (JSON Lines).
summaries()
{
	jcount '.type == "summary"'
}

# Item 7: broadcast as the kernel sees it.

@test "address without brd: a /24 sweep probes all 254 hosts" {
	run --separate-stderr hmp -q -c 1 -t 300 --json 192.0.2.0/24
	echo "$output" | tail -3; echo "stderr: $stderr"
	[ "$status" -eq 1 ]
	[ -z "$stderr" ]
	[ "$(summaries)" -eq 254 ]
	[ "$(jcount '.type == "summary" and .sent == 1')" -eq 254 ]
	[ "$(jcount '.type == "summary" and .received == 1')" -eq 2 ]
}

@test "address without brd: the host's own address is no broadcast" {
	run --separate-stderr hmp -c 1 -t 1000 192.0.2.2
	echo "$output"; echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	grep -q '^192\.0\.2\.2: sent=1 received=1 loss=0%' <<<"$output"
}

@test "supernet sweep: only the local subnet's broadcast is skipped" {
	# 198.51.100.127 is c1's broadcast: 253 of the /24's 254 hosts.
	run --separate-stderr hmp -q -c 1 -t 300 --json 198.51.100.0/24
	echo "$output" | tail -3; echo "stderr: $stderr"
	[ "$status" -eq 1 ]
	[ "$(summaries)" -eq 253 ]
	[ "$(jcount '.type == "summary" and .addr == "198.51.100.127"')" -eq 0 ]
	[ "$(jcount '.type == "summary" and .addr == "198.51.100.254"')" -eq 1 ]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	grep -q '^mping: 198\.51\.100\.0/24: skipping 198\.51\.100\.127, a broadcast address' <<<"$stderr"
}

@test "directed broadcast without -b: refused before sending, exit 2" {
	run --separate-stderr hmp -c 1 -t 1000 --json 192.0.2.255
	echo "$output"; echo "stderr: $stderr"
	[ "$status" -eq 2 ]
	grep -q '^mping: 192\.0\.2\.255: is a broadcast or multicast address; use -b' <<<"$stderr"
	[ "$(jcount '.type == "error" or .type == "summary"')" -eq 0 ]
}

@test "directed broadcast with -b: the peer's answer is credited" {
	run --separate-stderr hmp -b -c 1 -t 1000 --json 192.0.2.255
	echo "$output"; echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "reply" and .from == "192.0.2.3" and .foreign == false')" -eq 1 ]
	[ "$(jcount '.type == "summary" and .received == 1 and .responders == 1')" -eq 1 ]
}

# Item 8: what tells one target from another.

@test "fe80::1%c0 and fe80::1%c1 are two targets, both answered" {
	run --separate-stderr hmp -c 1 -t 1000 --json fe80::1%c0 fe80::1%c1
	echo "$output"; echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "$(summaries)" -eq 2 ]
	[ "$(jcount '.type == "summary" and .target == "fe80::1%c0" and .received == 1')" -eq 1 ]
	[ "$(jcount '.type == "summary" and .target == "fe80::1%c1" and .received == 1')" -eq 1 ]
}

@test "::ffff:198.18.0.1 is the IPv4 target 198.18.0.1" {
	run --separate-stderr hmp -c 1 -t 1000 --json ::ffff:198.18.0.1 198.18.0.1
	echo "$output"; echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "$(summaries)" -eq 1 ]
	[ "$(jcount '.type == "summary" and .addr == "198.18.0.1" and .received == 1')" -eq 1 ]
	run --separate-stderr hmp -c 1 -t 1000 ::ffff:198.18.0.1
	echo "$output"; echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	grep -q '^198\.18\.0\.1: sent=1 received=1' <<<"$output"
}

@test "two names on one address: each is a target in text, JSON and CSV" {
	run --separate-stderr hmp -c 1 -t 1000 web1 www
	echo "$output"; echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	grep -q '^web1 (198\.18\.0\.1): sent=1 received=1' <<<"$output"
	grep -q '^www (198\.18\.0\.1): sent=1 received=1' <<<"$output"
	run --separate-stderr hmp -c 1 -t 1000 --json web1 www
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "summary" and .target == "web1" and .received == 1')" -eq 1 ]
	[ "$(jcount '.type == "summary" and .target == "www" and .received == 1')" -eq 1 ]
	run --separate-stderr hmp -c 1 -t 1000 --csv web1 www web1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^summary,.*,web1,' <<<"$output")" -eq 1 ]
	[ "$(grep -c '^summary,.*,www,' <<<"$output")" -eq 1 ]
}

@test "summaries and -u in the order given, names among addresses" {
	# Names join the table as they resolve, after every address: the
	# summaries still come in the order the targets were given.
	run --separate-stderr hmp -q -c 1 -t 300 www 198.18.0.2 web1 \
	    198.18.0.3 q1
	echo "$output"; echo "stderr: $stderr"
	[ "$status" -eq 1 ]
	diff - <(sed 's/:.*//' <<<"$output") <<-'EOF'
	www (198.18.0.1)
	198.18.0.2
	web1 (198.18.0.1)
	198.18.0.3
	q1 (203.0.113.1)
	EOF
	run --separate-stderr hmp -u -c 1 -t 300 q2 198.18.0.2 q1 f1
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$output" = $'q2\nq1\nf1' ]
}

@test "errors on a shared address: each name its own; short quotes never guessed" {
	# Whole quotes: the tag tells f1's probes from f2's.
	run --separate-stderr hmp -c 2 -p 100 -t 500 --json f1 f2
	echo "$output"; echo "stderr: $stderr"
	[ "$status" -eq 1 ]
	[ "$(jcount '.type == "summary" and .target == "f1" and .errors == 2')" -eq 1 ]
	[ "$(jcount '.type == "summary" and .target == "f2" and .errors == 2')" -eq 1 ]
	# 8 bytes of quote: the address and seq match one target here...
	run --separate-stderr hmp -c 2 -p 100 -t 500 --json 203.0.113.1
	echo "$output"
	[ "$(jcount '.type == "summary" and .errors == 2')" -eq 1 ]
	# ...but q1 and q2 may both wait for the same seq: an error is
	# credited only when one of them does, each probe ends once.
	run --separate-stderr hmp -c 2 -p 100 -t 500 --json q1 q2
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(json_sel -s '[.[] | select(.type == "error" or .type == "timeout") | [.target, .seq]] | (length == 4 and (unique | length) == 4)')" = true ]
	[ "$(jcount '.type == "summary" and .sent == 2 and .lost == 2')" -eq 2 ]
}

# Item 9: descriptors run out.

@test "ulimit -n 5..12 with a name: answered, or exit 4, never silent" {
	local n lookups=0
	# Wherever the descriptors run out (sockets, loop, name lookups), a
	# run either probes web1 or says why and exits 4.
	for n in 5 6 7 8 9 10 11 12; do
		run --separate-stderr mht_exec c bash -c 'exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
		    ulimit -n "$1"; exec timeout -s KILL 20 "$0" -c 1 web1' \
		    "$MPING" "$n"
		echo "ulimit -n $n: status $status, stderr: $stderr"
		if [ "$status" -eq 0 ]; then
			grep -q '^web1 (198\.18\.0\.1): sent=1 received=1' <<<"$output"
		else
			[ "$status" -eq 4 ]
			grep -q '^mping: .*[Tt]oo many open files' <<<"$stderr"
		fi
		case $stderr in
		*"name lookup"*)	lookups=$((lookups + 1)) ;;
		esac
	done
	# The limit where the lookups' own descriptors run out was met.
	[ "$lookups" -ge 1 ]
}

# Item 10: memory runs out while the target table grows.

# oom ARGS...: mping ARGS where every calloc() of 64 KiB or more fails.
oom()
{
	run --separate-stderr mht_exec c env \
	    LD_PRELOAD="$MHT_DIR/failmalloc.so" FAILMALLOC_MIN=65536 \
	    FAILMALLOC_CALLOC_ONLY=1 \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    timeout -s KILL 20 "$MPING" "$@" </dev/null
	echo "$output" | tail -3; echo "stderr: $stderr"
}

# A block alone needs no hash (its table is sorted): an address after it
# out of that order does.
@test "no memory for a /16's hash: out of memory, exit 4 (no crash)" {
	# Targets are read while the run goes on: the address after the
	# block comes once the block's probes have left (-i 0: at once).
	oom -q -c 1 -i 0 -t 300 198.18.0.0/16 198.18.0.1
	[ "$status" -eq 4 ]
	[ "$stderr" = "mping: out of memory" ]
}

@test "no memory to grow a hash in use: out of memory, exit 4 (no hang)" {
	oom -q -c 1 -t 300 198.18.0.1 198.18.0.0/16
	[ "$status" -eq 4 ]
	[ "$stderr" = "mping: out of memory" ]
}

# Item 11: --max-targets counts targets, not addresses written.

@test "--max-targets 300: /24 and an overlapping /25 are 254 targets" {
	run --separate-stderr hmp -q -c 1 -t 1000 --json --max-targets 300 \
	    198.18.0.0/24 198.18.0.0/25
	echo "$output" | tail -2; echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(summaries)" -eq 254 ]
	run --separate-stderr hmp -q -c 1 -t 1000 --max-targets 300 \
	    198.18.0.0/24 198.18.1.0/25
	[ "$status" -eq 3 ]
	grep -q 'too many targets' <<<"$stderr"
}

# Item 17: the lookup thread and main's freeing race (caught under ASan).

@test "a failing name lookup, 40 times: exit 2 each, no sanitizer report" {
	local i
	for i in $(seq 40); do
		run --separate-stderr hmp -c 1 -t 300 nosuch.invalid
		[ "$status" -eq 2 ] || { echo "run $i: $status $stderr"; false; }
		[ "$(wc -l <<<"$stderr")" -eq 1 ] ||
		    { echo "run $i: $stderr"; false; }
		grep -q '^mping: nosuch\.invalid: ' <<<"$stderr"
	done
}
