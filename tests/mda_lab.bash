# mda_lab.bash: a lab of per-flow ECMP for --all-paths (tests/mda.bats,
# mda_limits.bats, mtr_report.bats), and what it is, as paths_of prints it.
#
#                 +-- a1 --+             +-- b1 --+
#   c ---- r1 ----+        +---- r3 -----+-- b2 --+---- r5 ---- d
#                 +-- a2 --+             +-- b3 --+
#
# r1 spreads the targets' traffic over a1 and a2, r3 over b1, b2 and b3
# (nexthop groups; r1 with fib_multipath_hash_policy=1: addresses,
# protocol and both ports, IPv4 and IPv6; r3 with destination, protocol
# and ports, see _mdl_build).  d has all of 203.0.113.0/24 and
# 2001:db8:d::1 to ::64 (hex) as local addresses (the targets).  Link N is
# 198.18.N.0/24 and 2001:db8:N::/64, .1/::1 on the left, .2/::2 on the
# right; errors go back on one path (the routes towards c are single).
# IPv4 routers answer from the address towards c, IPv6 ones from the
# address the probe came in on (r3: 4::2 or 5::2; r5: 9::2, 10::2 or
# 11::2):
#
#   hop 1  r1  198.18.1.1                          2001:db8:1::1
#   hop 2  a1  198.18.2.2, a2 198.18.3.2           2001:db8:2::2, 3::2
#   hop 3  r3  198.18.4.2                          2001:db8:4::2
#   hop 4  b1  198.18.6.2, b2 198.18.7.2, b3 8.2   2001:db8:6::2, 7::2, 8::2
#   hop 5  r5  198.18.9.2                          2001:db8:9::2
#   hop 6  the target (UDP: port unreachable)
#
# Routers have no ICMP rate limit unless mdl_stock_limits is called.
# Namespaces: md-PID-NODE; nothing has a route out of the lab.

. "${BASH_SOURCE[0]%/*}/netns.bash"

MDL_REPO="${MDL_REPO:-$(cd "${BATS_TEST_DIRNAME:-$(dirname "${BASH_SOURCE[0]}")}/.." && pwd)}"
MPING="${MPING:-$MDL_REPO/mping}"
MDL_ROUTERS="r1 a1 a2 r3 b1 b2 b3 r5"

mdl_is_root()
{
	netns_is_root
}

mdl_require_root()
{
	mdl_is_root || skip "needs root (network namespaces)"
}

# mdp ARGS...: mping in the client, stdin from /dev/null.
mdp()
{
	ip netns exec "$MDL-c" "$MPING" "$@" </dev/null
}

mdl_exec()
{
	local node=$1
	shift
	ip netns exec "$MDL-$node" "$@"
}

# _mdl_link N A B: link N between nodes A (.1) and B (.2).
_mdl_link()
{
	local n=$1 a=$2 b=$3

	ip -n "$MDL-$a" link add "l$n" type veth peer name "l$n" \
	    netns "$MDL-$b" || return 1
	ip -n "$MDL-$a" link set "l$n" up
	ip -n "$MDL-$b" link set "l$n" up
	ip -n "$MDL-$a" addr add "198.18.$n.1/24" dev "l$n"
	ip -n "$MDL-$b" addr add "198.18.$n.2/24" dev "l$n"
	ip -n "$MDL-$a" -6 addr add "2001:db8:$n::1/64" dev "l$n" nodad
	ip -n "$MDL-$b" -6 addr add "2001:db8:$n::2/64" dev "l$n" nodad
}

# _mdl_route NODE PREFIX4 PREFIX6 LINK...: to the prefixes via the right
# ends (.2) of the links; several links: one nexthop each (ECMP).
_mdl_route()
{
	local node=$1 p4=$2 p6=$3 n h4="" h6=""
	shift 3
	if [ $# -eq 1 ]; then
		ip -n "$MDL-$node" route add "$p4" via "198.18.$1.2" &&
		ip -n "$MDL-$node" -6 route add "$p6" via "2001:db8:$1::2"
		return
	fi
	for n in "$@"; do
		h4="$h4 nexthop via 198.18.$n.2"
		h6="$h6 nexthop via 2001:db8:$n::2"
	done
	ip -n "$MDL-$node" route add "$p4" $h4 &&
	ip -n "$MDL-$node" -6 route add "$p6" $h6
}

# _mdl_back NODE LINK: the way back to everyone (default) via the left
# end (.1) of a link.
_mdl_back()
{
	ip -n "$MDL-$1" route add default via "198.18.$2.1" &&
	ip -n "$MDL-$1" -6 route add default via "2001:db8:$2::1"
}

_mdl_build()
{
	local n

	for n in c $MDL_ROUTERS d; do
		netns_add "$MDL_DIR" "$MDL-$n" || return 1
		netns_defaults "$MDL-$n"
	done
	for n in $MDL_ROUTERS; do
		netns_sysctl "$MDL-$n" net.ipv4.ip_forward=1 \
		    net.ipv6.conf.all.forwarding=1 \
		    net.ipv4.fib_multipath_hash_policy=1 \
		    net.ipv6.fib_multipath_hash_policy=1
	done
	# r1 and r3 with the same hash would polarise: a flow's hash picks
	# a1 for the lower half and b1 for the lower third, so a1 never
	# leads to b3 (nor a2 to b1).  r3 hashes other fields (policy 3:
	# destination, protocol and ports, 0x36, no source) so that every
	# path of the two diamonds is taken.  Without the destination, a
	# flow number took the same branch at r3 for every target: when the
	# namespace's random hash seed sent the first few flows one way,
	# every one of 50 targets missed b2 and b3 together (seen twice).
	netns_sysctl "$MDL-r3" net.ipv4.fib_multipath_hash_fields=0x36 \
	    net.ipv4.fib_multipath_hash_policy=3 \
	    net.ipv6.fib_multipath_hash_fields=0x36 \
	    net.ipv6.fib_multipath_hash_policy=3
	_mdl_link 1 r1 c && _mdl_link 2 r1 a1 && _mdl_link 3 r1 a2 &&
	_mdl_link 4 a1 r3 && _mdl_link 5 a2 r3 && _mdl_link 6 r3 b1 &&
	_mdl_link 7 r3 b2 && _mdl_link 8 r3 b3 && _mdl_link 9 b1 r5 &&
	_mdl_link 10 b2 r5 && _mdl_link 11 b3 r5 && _mdl_link 12 r5 d ||
	    return 1
	# The client's default points at r1 (link 1: r1 is its left end).
	_mdl_back c 1
	local T4=203.0.113.0/24 T6=2001:db8:d::/64
	_mdl_route r1 $T4 $T6 2 3 && _mdl_route a1 $T4 $T6 4 &&
	_mdl_route a2 $T4 $T6 5 && _mdl_route r3 $T4 $T6 6 7 8 &&
	_mdl_route b1 $T4 $T6 9 && _mdl_route b2 $T4 $T6 10 &&
	_mdl_route b3 $T4 $T6 11 && _mdl_route r5 $T4 $T6 12 || return 1
	_mdl_back a1 2 && _mdl_back a2 3 && _mdl_back r3 4 &&
	_mdl_back b1 6 && _mdl_back b2 7 && _mdl_back b3 8 &&
	_mdl_back r5 9 && _mdl_back d 12 || return 1
	# r1's way back to c is its own link 1.
	# IPv4: any address of the prefix is local (and answers from it).
	# IPv6 answers errors from such an address with another one (no
	# address configured): the targets' addresses, ::1 to ::64, one by
	# one.
	ip -n "$MDL-d" route add local $T4 dev lo || return 1
	for n in $(seq 1 100); do
		printf 'address add 2001:db8:d::%x/128 dev lo nodad\n' "$n"
	done | ip -n "$MDL-d" -batch - 
}

# paths_of T: T's hops (one line per interface, "null" for a silent
# one) and links, sorted, from $output (mping --json).
paths_of()
{
	json_sel -r --arg t "$1" 'select(.target == $t) |
	    if .type == "hop" then "hop \(.ttl) \(.from)"
	    elif .type == "link" then "link \(.ttl) \(.from) \(.to)"
	    else empty end' | sort
}

# truth4 T, truth6 T: the lab's interfaces and links towards T (the
# header of this file), as paths_of prints them.
truth4()
{
	printf '%s\n' "hop 1 198.18.1.1" "hop 2 198.18.2.2" "hop 2 198.18.3.2" \
	    "hop 3 198.18.4.2" "hop 4 198.18.6.2" "hop 4 198.18.7.2" \
	    "hop 4 198.18.8.2" "hop 5 198.18.9.2" "hop 6 $1" \
	    "link 1 198.18.1.1 198.18.2.2" "link 1 198.18.1.1 198.18.3.2" \
	    "link 2 198.18.2.2 198.18.4.2" "link 2 198.18.3.2 198.18.4.2" \
	    "link 3 198.18.4.2 198.18.6.2" "link 3 198.18.4.2 198.18.7.2" \
	    "link 3 198.18.4.2 198.18.8.2" "link 4 198.18.6.2 198.18.9.2" \
	    "link 4 198.18.7.2 198.18.9.2" "link 4 198.18.8.2 198.18.9.2" \
	    "link 5 198.18.9.2 $1" | sort
}

# IPv6 routers answer from the address the probe came in on: r3 and r5
# show one interface per way in, and the links say which.
truth6()
{
	printf '%s\n' "hop 1 2001:db8:1::1" "hop 2 2001:db8:2::2" \
	    "hop 2 2001:db8:3::2" "hop 3 2001:db8:4::2" "hop 3 2001:db8:5::2" \
	    "hop 4 2001:db8:6::2" "hop 4 2001:db8:7::2" "hop 4 2001:db8:8::2" \
	    "hop 5 2001:db8:9::2" "hop 5 2001:db8:10::2" \
	    "hop 5 2001:db8:11::2" "hop 6 $1" \
	    "link 1 2001:db8:1::1 2001:db8:2::2" \
	    "link 1 2001:db8:1::1 2001:db8:3::2" \
	    "link 2 2001:db8:2::2 2001:db8:4::2" \
	    "link 2 2001:db8:3::2 2001:db8:5::2" \
	    "link 4 2001:db8:6::2 2001:db8:9::2" \
	    "link 4 2001:db8:7::2 2001:db8:10::2" \
	    "link 4 2001:db8:8::2 2001:db8:11::2" \
	    "link 5 2001:db8:9::2 $1" "link 5 2001:db8:10::2 $1" \
	    "link 5 2001:db8:11::2 $1" \
	    "link 3 2001:db8:4::2 2001:db8:6::2" \
	    "link 3 2001:db8:4::2 2001:db8:7::2" \
	    "link 3 2001:db8:4::2 2001:db8:8::2" \
	    "link 3 2001:db8:5::2 2001:db8:6::2" \
	    "link 3 2001:db8:5::2 2001:db8:7::2" \
	    "link 3 2001:db8:5::2 2001:db8:8::2" | sort
}

# mdl_stock_limits: every router at Linux's default ICMP rate limits.
mdl_stock_limits()
{
	local n

	for n in $MDL_ROUTERS d; do
		netns_sysctl "$MDL-$n" net.ipv4.icmp_ratelimit=1000 \
		    net.ipv4.icmp_ratemask=6168 \
		    net.ipv4.icmp_msgs_per_sec=1000 \
		    net.ipv4.icmp_msgs_burst=50 \
		    net.ipv6.icmp.ratelimit=1000
	done
}

# mdl_no_limits: back to no ICMP rate limits.
mdl_no_limits()
{
	local n

	for n in $MDL_ROUTERS d; do
		netns_defaults "$MDL-$n"
	done
}

mdl_up()
{
	mdl_is_root || return 0
	netns_gc md
	MDL_DIR=$(netns_mkdir md) || return 1
	MDL="md-$$"
	export MDL MDL_DIR
	_mdl_build || { mdl_down; return 1; }
}

mdl_down()
{
	mdl_is_root || return 0
	netns_down "${MDL_DIR:-}" "${MDL:-md-$$}"
}

# mdl_up_as TAG: mdl_up with namespaces named TAG-PID-NODE (a test file
# of its own prefix); mdl_down removes them the same way.
mdl_up_as()
{
	mdl_is_root || return 0
	netns_gc "$1"
	MDL_DIR=$(netns_mkdir "$1") || return 1
	MDL="$1-$$"
	export MDL MDL_DIR
	_mdl_build || { mdl_down; return 1; }
}
