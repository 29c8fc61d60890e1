# faults_lab.bash: a two-namespace lab for tests/faults.bats.
#
#	c (client) c0 ---- p0 p (peer)
#
#	c0	198.51.100.1/24		2001:db8:100::1/64
#	p0	198.51.100.2/24 (answers)
#		198.51.100.3/24 (answers; nft drops replies with an odd seq)
#		198.51.100.4/24 (silent: nft drops the requests)
#		2001:db8:100::2/64 (answers)
#
# The client also answers for 198.18.0.0/16 itself (a local route on lo)
# for sweeps.  Nothing has a route out of the lab; the client's resolver
# points at 127.0.0.1, where nothing listens.
#
# nftables counters tell whether anything was sent at all:
#	client, output hook: echo requests leaving (named counter "out")
#	peer, input hook: echo requests arriving (named counter "req")
#
# Namespaces are called mpf-PID-c and mpf-PID-p, PID being the process
# that built the lab; leftovers of killed runs are removed on the next run.

. "${BASH_SOURCE[0]%/*}/netns.bash"

FLAB_REPO="${FLAB_REPO:-$(cd "${BATS_TEST_DIRNAME:-$(dirname "${BASH_SOURCE[0]}")}/.." && pwd)}"
MPING="${MPING:-$FLAB_REPO/mping}"

PEER=198.51.100.2	# answers everything
HALF=198.51.100.3	# replies with an odd ICMP seq are dropped
SILENT=198.51.100.4	# requests dropped, never answers
PEER6=2001:db8:100::2
CLIENT=198.51.100.1

flab_is_root()
{
	netns_is_root
}

flab_require_root()
{
	flab_is_root || skip "needs root"
	[ -n "${FLAB:-}" ] || skip "lab not built"
}

flab_exec()
{
	local node=$1
	shift
	ip netns exec "$FLAB-$node" "$@"
}

# fmp ARGS...: mping in the client, stdin from /dev/null.
fmp()
{
	[ -x "$MPING" ] || { echo "mping is not built: $MPING" >&2; return 127; }
	ip netns exec "$FLAB-c" "$MPING" "$@" </dev/null
}

# fnobody ARGS...: the lab's copy of mping, as nobody, in the client.
fnobody()
{
	netns_nobody "$FLAB-c" "${NOBODY_BIN:-$FLAB_DIR/bin/mping}" "$@"
}

_flab_build()
{
	local n etc

	for n in c p; do
		netns_add "$FLAB_DIR" "$FLAB-$n" &&
		netns_defaults "$FLAB-$n" || return 1
	done

	etc=$(netns_etc "$FLAB_DIR" "$FLAB-c") || return 1
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$etc/hosts"
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' \
	    >"$etc/resolv.conf"

	ip -n "$FLAB-c" link add c0 type veth peer name p0 \
	    netns "$FLAB-p" || return 1
	ip -n "$FLAB-c" addr add 198.51.100.1/24 dev c0 &&
	ip -n "$FLAB-c" -6 addr add 2001:db8:100::1/64 dev c0 nodad &&
	ip -n "$FLAB-p" addr add 198.51.100.2/24 dev p0 &&
	ip -n "$FLAB-p" addr add 198.51.100.3/24 dev p0 &&
	ip -n "$FLAB-p" addr add 198.51.100.4/24 dev p0 &&
	ip -n "$FLAB-p" -6 addr add 2001:db8:100::2/64 dev p0 nodad &&
	ip -n "$FLAB-c" link set c0 up &&
	ip -n "$FLAB-p" link set p0 up &&
	ip -n "$FLAB-c" route add local 198.18.0.0/16 dev lo || return 1

	# Nobody may use ICMP datagram sockets in the client (the setuid
	# test turns this off again to be sure the raw socket is used).
	flab_exec c sysctl -qw "net.ipv4.ping_group_range=0 2147483647" \
	    >/dev/null || return 1

	flab_exec c nft -f - <<-'EOF' || return 1
	table inet mpf {
		counter out { }
		chain output {
			type filter hook output priority 0; policy accept;
			icmp type echo-request counter name out
			icmpv6 type echo-request counter name out
		}
	}
	EOF
	flab_exec p nft -f - <<-'EOF' || return 1
	table inet mpf {
		counter req { }
		chain input {
			type filter hook input priority 0; policy accept;
			icmp type echo-request counter name req
			icmpv6 type echo-request counter name req
			ip daddr 198.51.100.4 icmp type echo-request drop
		}
		chain output {
			type filter hook output priority 0; policy accept;
			ip saddr 198.51.100.3 icmp type echo-reply icmp sequence & 1 == 1 drop
		}
	}
	EOF

	# Wait until the peer answers (neighbour resolution, link up).
	for n in 1 2 3 4 5 6 7 8 9 10; do
		flab_exec c ping -c 1 -W 1 "$PEER" >/dev/null 2>&1 &&
		    flab_exec c ping -6 -c 1 -W 1 "$PEER6" >/dev/null 2>&1 &&
		    break
		sleep 0.2
	done
	flab_reset_counters
}

# flab_counter NODE NAME: packets counted by the named nft counter.
flab_counter()
{
	flab_exec "$1" nft list counter inet mpf "$2" |
	    awk '/packets/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

flab_reset_counters()
{
	flab_exec c nft reset counter inet mpf out >/dev/null &&
	flab_exec p nft reset counter inet mpf req >/dev/null
}

# flab_nothing_sent: no echo request left the client or reached the peer
# since the last flab_reset_counters.
flab_nothing_sent()
{
	local out req

	out=$(flab_counter c out)
	req=$(flab_counter p req)
	echo "echo requests: client sent $out, peer received $req"
	[ "$out" = 0 ] && [ "$req" = 0 ]
}

flab_up()
{
	flab_is_root || return 0
	export FLAB="mpf-$$"
	export FLAB_DIR
	netns_gc mpf
	FLAB_DIR=$(netns_mkdir mpf) || return 1
	# A copy of mping that nobody may execute.
	netns_nobody_copy "$FLAB_DIR" "$MPING" || return 1
	if ! _flab_build; then
		echo "flab_up: building the lab failed" >&2
		flab_down
		return 1
	fi
	export MPING PEER HALF SILENT PEER6 CLIENT
}

flab_down()
{
	[ -n "${FLAB:-}" ] || return 0
	netns_down "${FLAB_DIR:-}" "$FLAB"
}

# flab_end_test: what a test of this lab may leave behind: its background
# runs (pids in $FLAB_DIR/bg) and a changed ping_group_range in c.
flab_end_test()
{
	local p

	[ -n "${FLAB:-}" ] || return 0
	for p in $(cat "$FLAB_DIR/bg" 2>/dev/null); do
		kill -KILL "$p" 2>/dev/null || true
	done
	rm -f "$FLAB_DIR/bg"
	flab_exec c sysctl -qw "net.ipv4.ping_group_range=0 2147483647" \
	    >/dev/null 2>&1 || true
}
