# lab.bash: a private network of namespaces for the mping test suite.
#
# Load it from a .bats file, then build the lab once per file:
#
#	load lab
#	setup_file()	{ lab_up; }
#	teardown_file()	{ lab_down; }
#	setup()		{ lab_require_root; }
#	teardown()	{ responder_stop_all; }
#
# Only loopback and these ranges are used: 192.0.2.0/24, 198.51.100.0/24,
# 203.0.113.0/24, 198.18.0.0/15 and 2001:db8::/32.  Nothing has a route out
# of the lab, so no probe can leave it.
#
#   c ---- r1 ---- r2 ---+---- h   local 198.18.0.0/16, 2001:db8:ff::/64
#                        +---- e   responder: 203.0.113.0/25, 2001:db8:fd::/64
#                        +---- m   MTU 1280: 203.0.113.128/25, 2001:db8:fe::/64
#                        +---- v   nobody answers ARP/ND (198.51.100.64/28)
#                        +---- r3 ---- d   local 198.19.0.0/16, 2001:db8:f1::/64
#
# link    IPv4 (left .1 side, right)      IPv6
# c-r1    192.0.2.1 r1, 192.0.2.2 c       2001:db8:1::1 r1, ::2 c
#         (c also has .3, .4, .5: sources for the reject prefixes, below)
# r1-r2   192.0.2.17 r1, 192.0.2.18 r2    2001:db8:12::1 r1, ::2 r2
# r2-h    192.0.2.33 r2, 192.0.2.34 h     2001:db8:23::1 r2, ::2 h
# r2-e    192.0.2.49 r2, 192.0.2.50 e     2001:db8:24::1 r2, ::2 e
# r2-m    192.0.2.65 r2, 192.0.2.66 m     2001:db8:25::1 r2, ::2 m (mtu 1280)
# r2-v    198.51.100.65/28 r2             2001:db8:e:5::1/64 r2
# r2-r3   192.0.2.81 r2, 192.0.2.82 r3    2001:db8:26::1 r2, ::2 r3
# r3-d    192.0.2.97 r3, 192.0.2.98 d     2001:db8:37::1 r3, ::2 d
#
# So a trace to d (198.19.x.x) crosses three routers: r1 192.0.2.1, r2
# 192.0.2.18, r3 192.0.2.82 (IPv6 2001:db8:1::1, 2001:db8:12::2,
# 2001:db8:26::2).  Reject routes on r3 (errors from 192.0.2.82 and
# 2001:db8:26::2; client sources 192.0.2.6 and .7):
#
#   198.51.100.128/28	2001:db8:e:11::/64	unreachable
#   198.51.100.144/28	2001:db8:e:12::/64	prohibit
#   198.51.100.160/28	2001:db8:e:13::/64	blackhole
#
# Routes on r2 that answer with ICMP errors (r2 reports from 192.0.2.18 and
# 2001:db8:12::2, its address towards the client):
#
#   198.51.100.0/28	2001:db8:e:1::/64	unreachable
#   198.51.100.16/28	2001:db8:e:2::/64	prohibit
#   198.51.100.32/28	2001:db8:e:3::/64	blackhole
#   198.51.100.48/28	2001:db8:e:4::/64	no route at all
#   198.51.100.64/28	2001:db8:e:5::/64	on link r2-v, nobody answers
#
# Local reject routes in the client (errors reported as "local"):
#
#   192.0.2.224/28	2001:db8:c:1::/64	unreachable
#   192.0.2.240/28	2001:db8:c:2::/64	prohibit
#
# nftables on r1 (forward chain), echo replies only:
#
#   from 198.18.9.1, 2001:db8:ff::9:1	all dropped
#   from 198.18.9.2, 2001:db8:ff::9:2	every 4th dropped (numgen inc)
#   from 198.18.9.3, 2001:db8:ff::9:3	half dropped at random
#
# Names (in the client's /etc/hosts): lab-h1 and lab-h1-alias 198.18.0.1,
# lab-h2 198.18.0.2, lab-h6 2001:db8:ff::1, lab-dual 198.18.0.3 and
# 2001:db8:ff::3, lab-r1 192.0.2.1.  The client's resolver points at
# 127.0.0.1 where nothing listens, so unknown names fail fast and never
# leave the namespace.
#
# The client allows ICMP datagram sockets for every group
# (net.ipv4.ping_group_range="0 2147483647"); routers have forwarding on and
# no ICMP rate limits; nobody filters by reverse path.

. "${BASH_SOURCE[0]%/*}/netns.bash"

LAB_REPO="${LAB_REPO:-$(cd "${BATS_TEST_DIRNAME:-$(dirname "${BASH_SOURCE[0]}")}/.." && pwd)}"
MPING="${MPING:-$LAB_REPO/mping}"

# IPv4 and IPv6 addresses the tests use.
R1_4=192.0.2.1
R1_6=2001:db8:1::1
R2_4=192.0.2.18
R2_6=2001:db8:12::2
C_4=192.0.2.2
C_6=2001:db8:1::2

lab_is_root()
{
	netns_is_root
}

lab_require_root()
{
	lab_is_root || skip "needs root"
	[ -n "${LAB:-}" ] || skip "lab not built"
}

# lab_ns NAME: the real namespace name of lab node NAME.
lab_ns()
{
	printf '%s-%s\n' "$LAB" "$1"
}

# lab_exec NODE CMD...: run CMD inside lab node NODE.
lab_exec()
{
	local node=$1
	shift
	ip netns exec "$LAB-$node" "$@"
}

# mp ARGS...: run mping in the client with stdin from /dev/null.
mp()
{
	[ -x "$MPING" ] || { echo "mping is not built: $MPING" >&2; return 127; }
	ip netns exec "$LAB-c" "$MPING" "$@" </dev/null
}

# lab_nobody_up: install a copy of mping that nobody may execute, for
# nobody() below.  Call it from setup_file after lab_up.
lab_nobody_up()
{
	lab_is_root || return 0
	netns_nobody_copy "$LAB_DIR" "$MPING"
}

# nobody ARGS...: run the copy of mping (or $NOBODY_BIN) as nobody in the
# client, with stdin from /dev/null.
nobody()
{
	netns_nobody "$LAB-c" "${NOBODY_BIN:-$LAB_DIR/bin/mping}" "$@"
}

_lab_addns()
{
	netns_add "$LAB_DIR" "$LAB-$1"
}

# _lab_link A IFA B IFB [mtu]: a veth pair between nodes A and B.
_lab_link()
{
	ip -n "$LAB-$1" link add "$2" type veth peer name "$4" \
	    netns "$LAB-$3" || return 1
	if [ -n "${5:-}" ]; then
		ip -n "$LAB-$1" link set "$2" mtu "$5"
		ip -n "$LAB-$3" link set "$4" mtu "$5"
	fi
	ip -n "$LAB-$1" link set "$2" up
	ip -n "$LAB-$3" link set "$4" up
}

# _lab_addr NODE IF ADDR/LEN...: addresses without duplicate detection.
_lab_addr()
{
	local node=$1 ifc=$2 a
	shift 2
	for a in "$@"; do
		case $a in
		*:*)	ip -n "$LAB-$node" -6 addr add "$a" dev "$ifc" nodad ;;
		*)	ip -n "$LAB-$node" addr add "$a" dev "$ifc" ;;
		esac || return 1
	done
}

_lab_sysctl()
{
	local node=$1
	shift
	netns_sysctl "$LAB-$node" "$@"
}

_lab_router()
{
	_lab_sysctl "$1" \
	    net.ipv4.ip_forward=1 \
	    net.ipv6.conf.all.forwarding=1
}

_lab_hosts_file()
{
	local dir

	dir=$(netns_etc "$LAB_DIR" "$LAB-c") || return 1
	cat >"$dir/hosts" <<-EOF
	127.0.0.1	localhost
	::1	localhost ip6-localhost
	198.18.0.1	lab-h1 lab-h1-alias
	198.18.0.2	lab-h2
	2001:db8:ff::1	lab-h6
	198.18.0.3	lab-dual
	2001:db8:ff::3	lab-dual
	192.0.2.1	lab-r1
	EOF
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' \
	    >"$dir/resolv.conf"
}

_lab_nft()
{
	lab_exec r1 nft -f - <<-'EOF'
	table inet lab {
		chain forward {
			type filter hook forward priority 0; policy accept;
			ip saddr 198.18.9.1 icmp type echo-reply drop
			ip saddr 198.18.9.2 icmp type echo-reply numgen inc mod 4 == 3 drop
			ip saddr 198.18.9.3 icmp type echo-reply numgen random mod 2 == 0 drop
			ip6 saddr 2001:db8:ff::9:1 icmpv6 type echo-reply drop
			ip6 saddr 2001:db8:ff::9:2 icmpv6 type echo-reply numgen inc mod 4 == 3 drop
			ip6 saddr 2001:db8:ff::9:3 icmpv6 type echo-reply numgen random mod 2 == 0 drop
		}
	}
	EOF
}

_lab_build()
{
	local n

	for n in c r1 r2 h e m v r3 d; do
		_lab_addns "$n" || return 1
		netns_defaults "$LAB-$n" || return 1
	done
	_lab_router r1 && _lab_router r2 && _lab_router r3 || return 1
	_lab_hosts_file || return 1

	_lab_link c eth0 r1 eth0 &&
	_lab_link r1 eth1 r2 eth0 &&
	_lab_link r2 eth1 h eth0 &&
	_lab_link r2 eth2 e eth0 &&
	_lab_link r2 eth3 m eth0 1280 &&
	_lab_link r2 eth4 v eth0 &&
	_lab_link r2 eth5 r3 eth0 &&
	_lab_link r3 eth1 d eth0 || return 1

	_lab_addr c eth0 192.0.2.2/28 192.0.2.3/28 192.0.2.4/28 \
	    192.0.2.5/28 192.0.2.6/28 192.0.2.7/28 2001:db8:1::2/64 &&
	_lab_addr r1 eth0 192.0.2.1/28 2001:db8:1::1/64 &&
	_lab_addr r1 eth1 192.0.2.17/28 2001:db8:12::1/64 &&
	_lab_addr r2 eth0 192.0.2.18/28 2001:db8:12::2/64 &&
	_lab_addr r2 eth1 192.0.2.33/28 2001:db8:23::1/64 &&
	_lab_addr r2 eth2 192.0.2.49/28 2001:db8:24::1/64 &&
	_lab_addr r2 eth3 192.0.2.65/28 2001:db8:25::1/64 &&
	_lab_addr r2 eth4 198.51.100.65/28 2001:db8:e:5::1/64 &&
	_lab_addr h eth0 192.0.2.34/28 2001:db8:23::2/64 &&
	_lab_addr e eth0 192.0.2.50/28 2001:db8:24::2/64 &&
	_lab_addr m eth0 192.0.2.66/28 2001:db8:25::2/64 &&
	_lab_addr r2 eth5 192.0.2.81/28 2001:db8:26::1/64 &&
	_lab_addr r3 eth0 192.0.2.82/28 2001:db8:26::2/64 &&
	_lab_addr r3 eth1 192.0.2.97/28 2001:db8:37::1/64 &&
	_lab_addr d eth0 192.0.2.98/28 2001:db8:37::2/64 || return 1

	# Client: everything goes to r1, plus local reject routes.
	ip -n "$LAB-c" route add default via 192.0.2.1 &&
	ip -n "$LAB-c" -6 route add default via 2001:db8:1::1 &&
	# Linux rate-limits the errors of reject routes (ip_error) per source
	# address with a global, not per-namespace, setting: 5 at once, then
	# one a second.  Each v4 reject prefix gets its own client source.
	ip -n "$LAB-c" route add 198.51.100.0/28 via 192.0.2.1 src 192.0.2.3 &&
	ip -n "$LAB-c" route add 198.51.100.16/28 via 192.0.2.1 src 192.0.2.4 &&
	ip -n "$LAB-c" route add 198.51.100.48/28 via 192.0.2.1 src 192.0.2.5 &&
	ip -n "$LAB-c" route add 198.51.100.128/28 via 192.0.2.1 src 192.0.2.6 &&
	ip -n "$LAB-c" route add 198.51.100.144/28 via 192.0.2.1 src 192.0.2.7 &&
	ip -n "$LAB-c" route add unreachable 192.0.2.224/28 &&
	ip -n "$LAB-c" route add prohibit 192.0.2.240/28 &&
	ip -n "$LAB-c" -6 route add unreachable 2001:db8:c:1::/64 &&
	ip -n "$LAB-c" -6 route add prohibit 2001:db8:c:2::/64 || return 1
	_lab_sysctl c "net.ipv4.ping_group_range=0 2147483647" || return 1

	# r1: everything beyond goes to r2.
	ip -n "$LAB-r1" route add default via 192.0.2.18 &&
	ip -n "$LAB-r1" -6 route add default via 2001:db8:12::2 || return 1
	_lab_nft || return 1

	# r2: no default route, so unknown prefixes are net-unreachable.
	ip -n "$LAB-r2" route add 192.0.2.0/28 via 192.0.2.17 &&
	ip -n "$LAB-r2" -6 route add 2001:db8:1::/64 via 2001:db8:12::1 &&
	ip -n "$LAB-r2" route add 198.18.0.0/16 via 192.0.2.34 &&
	ip -n "$LAB-r2" -6 route add 2001:db8:ff::/64 via 2001:db8:23::2 &&
	ip -n "$LAB-r2" route add 203.0.113.0/25 via 192.0.2.50 &&
	ip -n "$LAB-r2" -6 route add 2001:db8:fd::/64 via 2001:db8:24::2 &&
	ip -n "$LAB-r2" route add 203.0.113.128/25 via 192.0.2.66 &&
	ip -n "$LAB-r2" -6 route add 2001:db8:fe::/64 via 2001:db8:25::2 &&
	ip -n "$LAB-r2" route add unreachable 198.51.100.0/28 &&
	ip -n "$LAB-r2" route add prohibit 198.51.100.16/28 &&
	ip -n "$LAB-r2" route add blackhole 198.51.100.32/28 &&
	ip -n "$LAB-r2" -6 route add unreachable 2001:db8:e:1::/64 &&
	ip -n "$LAB-r2" -6 route add prohibit 2001:db8:e:2::/64 &&
	ip -n "$LAB-r2" -6 route add blackhole 2001:db8:e:3::/64 || return 1
	# r2 -> r3 -> d, and r3's reject routes.
	ip -n "$LAB-r2" route add 198.19.0.0/16 via 192.0.2.82 &&
	ip -n "$LAB-r2" route add 198.51.100.128/26 via 192.0.2.82 &&
	ip -n "$LAB-r2" route add 192.0.2.96/28 via 192.0.2.82 &&
	ip -n "$LAB-r2" -6 route add 2001:db8:f1::/64 via 2001:db8:26::2 &&
	ip -n "$LAB-r2" -6 route add 2001:db8:e:10::/60 via 2001:db8:26::2 &&
	ip -n "$LAB-r2" -6 route add 2001:db8:37::/64 via 2001:db8:26::2 &&
	ip -n "$LAB-r3" route add default via 192.0.2.81 &&
	ip -n "$LAB-r3" -6 route add default via 2001:db8:26::1 &&
	ip -n "$LAB-r3" route add 198.19.0.0/16 via 192.0.2.98 &&
	ip -n "$LAB-r3" -6 route add 2001:db8:f1::/64 via 2001:db8:37::2 &&
	ip -n "$LAB-r3" route add unreachable 198.51.100.128/28 &&
	ip -n "$LAB-r3" route add prohibit 198.51.100.144/28 &&
	ip -n "$LAB-r3" route add blackhole 198.51.100.160/28 &&
	ip -n "$LAB-r3" -6 route add unreachable 2001:db8:e:11::/64 &&
	ip -n "$LAB-r3" -6 route add prohibit 2001:db8:e:12::/64 &&
	ip -n "$LAB-r3" -6 route add blackhole 2001:db8:e:13::/64 &&
	ip -n "$LAB-d" route add default via 192.0.2.97 &&
	ip -n "$LAB-d" -6 route add default via 2001:db8:37::1 &&
	ip -n "$LAB-d" route add local 198.19.0.0/16 dev lo &&
	ip -n "$LAB-d" -6 route add local 2001:db8:f1::/64 dev lo || return 1
	# Fail address resolution on the link to v quickly.
	_lab_sysctl r2 \
	    net.ipv4.neigh.eth4.mcast_solicit=1 \
	    net.ipv4.neigh.eth4.ucast_solicit=0 \
	    net.ipv4.neigh.eth4.app_solicit=0 \
	    net.ipv4.neigh.eth4.retrans_time_ms=100 \
	    net.ipv6.neigh.eth4.mcast_solicit=1 \
	    net.ipv6.neigh.eth4.ucast_solicit=0 \
	    net.ipv6.neigh.eth4.app_solicit=0 \
	    net.ipv6.neigh.eth4.retrans_time_ms=100 || return 1

	# Far hosts: default back through r2, a block answered locally.
	for n in h e m; do
		ip -n "$LAB-$n" route add default via \
		    "$(lab_gw4 "$n")" || return 1
		ip -n "$LAB-$n" -6 route add default via \
		    "$(lab_gw6 "$n")" || return 1
	done
	ip -n "$LAB-h" route add local 198.18.0.0/16 dev lo &&
	ip -n "$LAB-h" -6 route add local 2001:db8:ff::/64 dev lo &&
	ip -n "$LAB-e" route add local 203.0.113.0/25 dev lo &&
	ip -n "$LAB-e" -6 route add local 2001:db8:fd::/64 dev lo &&
	ip -n "$LAB-m" route add local 203.0.113.128/25 dev lo &&
	ip -n "$LAB-m" -6 route add local 2001:db8:fe::/64 dev lo || return 1

	# e: the kernel stays silent, the responder answers.
	_lab_sysctl e \
	    net.ipv4.icmp_echo_ignore_all=1 \
	    net.ipv6.icmp.echo_ignore_all=1 \
	    net.ipv4.ip_nonlocal_bind=1 \
	    net.ipv6.ip_nonlocal_bind=1
}

lab_gw4()
{
	case $1 in
	h)	echo 192.0.2.33 ;;
	e)	echo 192.0.2.49 ;;
	m)	echo 192.0.2.65 ;;
	esac
}

lab_gw6()
{
	case $1 in
	h)	echo 2001:db8:23::1 ;;
	e)	echo 2001:db8:24::1 ;;
	m)	echo 2001:db8:25::1 ;;
	esac
}

# Build the responder unless the Makefile already did.
_lab_responder()
{
	local src=$LAB_REPO/tests/responder.c bin=$LAB_REPO/tests/responder

	if [ -x "$bin" ] && [ ! "$src" -nt "$bin" ]; then
		RESPONDER=$bin
		return 0
	fi
	RESPONDER=$LAB_DIR/responder
	${CC:-cc} -std=c99 -O2 -Wall -Wextra -o "$RESPONDER" "$src"
}

lab_up()
{
	lab_is_root || return 0
	export LAB="mpt-$$"
	export LAB_DIR
	netns_gc mpt
	LAB_DIR=$(netns_mkdir mpt) || return 1
	if ! _lab_responder || ! _lab_build; then
		echo "lab_up: building the lab failed" >&2
		lab_down
		return 1
	fi
	export RESPONDER MPING
}

lab_down()
{
	[ -n "${LAB_DIR:-}" ] && [ -d "$LAB_DIR" ] || return 0
	responder_stop_all
	netns_down "$LAB_DIR" "$LAB"
}

# responder_start NAME ARGS...: start a responder in node e (or in the node
# given by RESPONDER_NODE) and wait until its sockets are open.  Its log of
# requests goes to $LAB_DIR/NAME.log.
responder_start()
{
	local name=$1 node=${RESPONDER_NODE:-e} pidfile i
	shift
	pidfile=$LAB_DIR/$name.pid
	rm -f "$pidfile"
	echo "$pidfile" >>"$LAB_DIR/responders"
	ip netns exec "$LAB-$node" "$RESPONDER" --pidfile "$pidfile" "$@" \
	    >"$LAB_DIR/$name.log" 2>&1 </dev/null 3>&- &
	for i in $(seq 50); do
		[ -s "$pidfile" ] && return 0
		sleep 0.05
	done
	echo "responder $name did not start:" >&2
	cat "$LAB_DIR/$name.log" >&2
	return 1
}

# responder_log NAME: the requests responder NAME saw, one per line.
responder_log()
{
	cat "$LAB_DIR/$1.log"
}

responder_stop_all()
{
	local f pid

	[ -f "${LAB_DIR:-/nonexistent}/responders" ] || return 0
	for f in $(cat "$LAB_DIR/responders"); do
		[ -s "$f" ] || continue
		pid=$(cat "$f")
		kill -TERM "$pid" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		kill -KILL "$pid" 2>/dev/null || true
		rm -f "$f"
	done
	: >"$LAB_DIR/responders"
	return 0
}

# Helpers for assertions.

# summary_of TARGET: the text summary line for TARGET from $output.
summary_of()
{
	printf '%s\n' "$output" | grep -E "^$1( \\([^)]*\\))?: sent="
}

# lab_up_tag TAG: lab_up, the lab named TAG-PID instead of mpt-PID (a test
# file whose namespaces must carry its own prefix).
lab_up_tag()
{
	lab_is_root || return 0
	export LAB="$1-$$"
	export LAB_DIR
	netns_gc "$1"
	LAB_DIR=$(netns_mkdir "$1") || return 1
	if ! _lab_responder || ! _lab_build; then
		echo "lab_up_tag: building the lab failed" >&2
		lab_down
		return 1
	fi
	export RESPONDER MPING
}
