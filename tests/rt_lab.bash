# rt_lab.bash: a chain of five routers for tests/trace_truth.bats.
#
#   c -- r1 -- r2 -- r3 -- r4 -- r5 -- d
#
# Link i (1: r1-r2, ..., 5: r5-d): 198.18.1.(8i+1)/29 on the left node,
# .(8i+2) on the right one, 2001:db8:a:i::1/64 left, ::2 right; link 0
# (c-r1): r1 198.18.1.1/29 and 2001:db8:a::1/64, c .2 to .6 and ::2 to
# ::6.  Hop k answers from its address towards c (rt_hop4 K, rt_hop6 K).
# d (hop 6) owns 198.19.1.0/24 and 2001:db8:f0::/64, forwards, and has
# unreachable routes for 203.0.113.0/28 and 2001:db8:e0::/64 (its !H).
#
# Sources of the client: .2 / ::2 the default; .3 / ::3 "silent": r1-r5
# drop the time-exceeded they send to it; .4-.6 / ::4-::6 others.  A
# router's ICMP budget is per destination (Linux's inet_peer), so each
# source has its own and tests may run side by side.
# separate budgets.  rt_limits stock|off sets the routers' ICMP limits.

. "${BASH_SOURCE[0]%/*}/netns.bash"

RT_REPO="${RT_REPO:-$(cd "${BATS_TEST_DIRNAME:-$(dirname "${BASH_SOURCE[0]}")}/.." && pwd)}"
MPING="${MPING:-$RT_REPO/mping}"

rt_exec()
{
	local node=$1
	shift
	ip netns exec "$RT-$node" "$@"
}

# rtm ARGS...: mping in the client.
rtm()
{
	ip netns exec "$RT-c" "$MPING" "$@" </dev/null
}

rt_hop4()
{
	if [ "$1" -eq 1 ]; then echo 198.18.1.1; else
		echo "198.18.1.$((8 * ($1 - 1) + 2))"; fi
}

rt_hop6()
{
	if [ "$1" -eq 1 ]; then echo 2001:db8:a::1; else
		echo "2001:db8:a:$(($1 - 1))::2"; fi
}

_rt_nodes()	{ echo c r1 r2 r3 r4 r5 d; }

# rt_limits stock|off|MS: the routers' ICMP limits, set explicitly:
# Linux's defaults, none, or a token every MS ms.
rt_limits()
{
	local n rl=1000 ps=1000 b=50

	case $1 in
	off)	rl=0 ps=1000000 b=1000000 ;;
	stock)	;;
	*)	rl=$1 ;;
	esac
	for n in r1 r2 r3 r4 r5 d; do
		netns_sysctl "$RT-$n" net.ipv4.icmp_ratelimit=$rl \
		    net.ipv4.icmp_ratemask=6168 \
		    net.ipv4.icmp_msgs_per_sec=$ps \
		    net.ipv4.icmp_msgs_burst=$b \
		    net.ipv6.icmp.ratelimit=$rl || return 1
	done
}

_rt_link()
{
	local i=$1 a=$2 b=$3

	netns_veth "$RT-$a" "e$i" "$RT-$b" "w$i" || return 1
	if [ "$i" -eq 0 ]; then
		netns_addrs "$RT-$a" e0 198.18.1.2/29 198.18.1.3/29 \
		    198.18.1.4/29 198.18.1.5/29 198.18.1.6/29 \
		    2001:db8:a::2/64 2001:db8:a::3/64 2001:db8:a::4/64 \
		    2001:db8:a::5/64 2001:db8:a::6/64 &&
		netns_addrs "$RT-$b" w0 198.18.1.1/29 2001:db8:a::1/64
		return
	fi
	netns_addrs "$RT-$a" "e$i" "198.18.1.$((8 * i + 1))/29" \
	    "2001:db8:a:$i::1/64" &&
	netns_addrs "$RT-$b" "w$i" "198.18.1.$((8 * i + 2))/29" \
	    "2001:db8:a:$i::2/64"
}

_rt_build()
{
	local n i prev

	for n in $(_rt_nodes); do
		netns_add "$RT_DIR" "$RT-$n" && netns_defaults "$RT-$n" ||
		    return 1
	done
	i=0 prev=
	for n in $(_rt_nodes); do
		[ -n "$prev" ] && { _rt_link $i "$prev" "$n" || return 1;
		    i=$((i + 1)); }
		prev=$n
	done
	ip -n "$RT-c" route add default via 198.18.1.1 &&
	ip -n "$RT-c" -6 route add default via 2001:db8:a::1 || return 1
	for i in 1 2 3 4 5; do
		n=r$i
		netns_sysctl "$RT-$n" net.ipv4.ip_forward=1 \
		    net.ipv6.conf.all.forwarding=1 || return 1
		ip -n "$RT-$n" route add default via "198.18.1.$((8 * i + 2))" &&
		ip -n "$RT-$n" -6 route add default via "2001:db8:a:$i::2" ||
		    return 1
		if [ $i -gt 1 ]; then
			ip -n "$RT-$n" route add 198.18.1.0/29 via \
			    "198.18.1.$((8 * (i - 1) + 1))" &&
			ip -n "$RT-$n" -6 route add 2001:db8:a::/64 via \
			    "2001:db8:a:$((i - 1))::1" || return 1
		fi
		rt_exec "$n" nft -f - <<-'EOF' || return 1
		table inet rtlab {
			chain out {
				type filter hook output priority 0; policy accept;
				ip daddr 198.18.1.3 icmp type time-exceeded drop
				ip6 daddr 2001:db8:a::3 icmpv6 type time-exceeded drop
			}
		}
		EOF
	done
	netns_sysctl "$RT-d" net.ipv4.ip_forward=1 \
	    net.ipv6.conf.all.forwarding=1 &&
	ip -n "$RT-d" route add default via 198.18.1.41 &&
	ip -n "$RT-d" -6 route add default via 2001:db8:a:5::1 &&
	ip -n "$RT-d" route add local 198.19.1.0/24 dev lo &&
	ip -n "$RT-d" -6 route add local 2001:db8:f0::/64 dev lo &&
	ip -n "$RT-d" route add unreachable 203.0.113.0/28 &&
	ip -n "$RT-d" -6 route add unreachable 2001:db8:e0::/64
}

rt_up()
{
	netns_is_root || return 0
	export RT="rt-$$" RT_DIR
	netns_gc rt
	RT_DIR=$(netns_mkdir rt) || return 1
	if ! _rt_build; then
		echo "rt_up: building the lab failed" >&2
		rt_down
		return 1
	fi
	export MPING
}

rt_down()
{
	[ -n "${RT_DIR:-}" ] && [ -d "$RT_DIR" ] || return 0
	netns_down "$RT_DIR" "$RT"
}

# rt_drop NODE TENTHS DADDR: NODE drops TENTHS in 10 of the packets to
# DADDR it forwards, at random (numgen).
rt_drop()
{
	local fam=ip share

	case $3 in *:*) fam=ip6 ;; esac
	share="numgen random mod 10 < $2"
	[ "$2" -ge 10 ] && share=""

	rt_exec "$1" nft -f - <<-EOF
	table inet rtloss {
		chain dropping {
			type filter hook forward priority 0; policy accept;
			$fam daddr $3 $share drop
		}
	}
	EOF
}

# rt_up_as TAG: rt_up's lab with namespaces named TAG-PID-* (a test
# file's own prefix).
rt_up_as()
{
	netns_is_root || return 0
	export RT="$1-$$" RT_DIR
	netns_gc "$1"
	RT_DIR=$(netns_mkdir "$1") || return 1
	if ! _rt_build; then
		echo "rt_up_as: building the lab failed" >&2
		rt_down
		return 1
	fi
	export MPING
}

# rt_own CIDR: d (hop 6) answers for every address of CIDR (IPv4 in
# 198.19.0.0/16, so many targets share the chain).
rt_own()
{
	ip -n "$RT-d" route add local "$1" dev lo
}

# rt_slow_dest MS [ARGS...]: d's echo replies come from tests/responder
# (ARGS: more of its options), MS ms late (the kernel's own are off), for
# every address d owns; the rest of the chain answers at once.  Called
# again: the responder started anew.
rt_slow_dest()
{
	local bin=$RT_REPO/tests/responder pid=$RT_DIR/responder.pid ms=$1

	shift
	if [ -s "$pid" ]; then
		kill "$(cat "$pid")" 2>/dev/null
		for _ in $(seq 50); do
			[ -e "$pid" ] || break
			sleep 0.1
		done
		rm -f "$pid"
	fi
	if [ ! -x "$bin" ]; then
		bin=$RT_DIR/responder
		cc -std=c99 -D_GNU_SOURCE -O2 -o "$bin" \
		    "$RT_REPO/tests/responder.c" || return 1
	fi
	netns_sysctl "$RT-d" net.ipv4.icmp_echo_ignore_all=1 \
	    net.ipv6.icmp.echo_ignore_all=1 || return 1
	rt_exec d "$bin" --delay "$ms" --pidfile "$pid" "$@" \
	    >"$RT_DIR/responder.log" 2>&1 &
	for _ in $(seq 50); do
		[ -s "$pid" ] && return 0
		sleep 0.1
	done
	echo "rt_slow_dest: the responder did not start" >&2
	return 1
}

# rt_count_expiring: in each router, a counter of the probes towards d's
# networks that expire there (TTL or hop limit 1 as they arrive from c's
# side); rt_expired K prints router rK's count (IPv4 and IPv6 together).
rt_count_expiring()
{
	local i

	for i in 1 2 3 4 5; do
		rt_exec "r$i" nft -f - <<-EOF || return 1
		table inet rtcount {
			counter probes {}
			chain pre {
				type filter hook prerouting priority -300; policy accept;
				iifname "w$((i - 1))" ip daddr 198.19.1.0/24 ip ttl 1 counter name probes
				iifname "w$((i - 1))" ip6 daddr 2001:db8:f0::/64 ip6 hoplimit 1 counter name probes
			}
		}
		EOF
	done
}

rt_expired()
{
	rt_exec "r$1" nft -j list counter inet rtcount probes |
	    jq '.nftables[] | select(.counter) | .counter.packets'
}

# rt_count_reset: every router's count back to 0.
rt_count_reset()
{
	local i

	for i in 1 2 3 4 5; do
		rt_exec "r$i" nft reset counter inet rtcount probes >/dev/null ||
		    return 1
	done
}
