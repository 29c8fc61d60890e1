# engine_lab.bash: a small, self-contained namespace lab for engine.bats.
#
# It is independent of lab.bash (both use netns.bash): its namespaces are named "mpe-<pid>-<node>"
# so they never collide with lab.bash's "mpt-<pid>-<node>".
#
#   c (eth0) ---+
#   h1 (eth0) --+-- sw: bridge br0, ports p0..p3 (no addresses)
#   h2 (eth0) --+
#   h3 (eth0) --+
#
#   198.51.100.0/24 and 2001:db8:e0::/64 on the bridged segment:
#     c  198.51.100.1, 198.51.100.11 (second address, for -S), 2001:db8:e0::1
#     h1 198.51.100.2, h2 198.51.100.3, h3 198.51.100.4 (and 2001:db8:e0::2..4)
#   hosts answer broadcast echo (net.ipv4.icmp_echo_ignore_broadcasts=0)
#   and multicast echo (net.ipv6.icmp.echo_ignore_multicast=0).
#
# In c only:
#   local 198.18.0.0/16 dev lo	the client answers every address itself
#   198.51.100.250/32 and 203.0.113.0/24 via h1, which drops them (nft), so
#	packets there vanish without an error (a "blackhole" route in c would
#	fail the send with EINVAL instead; the kernel has no dummy links).
#   /etc/netns/<c>/hosts	1000 names eng-0000 .. eng-0999 in 198.18.10.0/22
#   /etc/netns/<c>/resolv.conf	nameserver 198.51.100.250 (dropped by h1),
#	timeout 3 s, 1 attempt: any name not in hosts takes ~3 s to fail.
#   /etc/netns/<c>/nsswitch.conf	hosts: files dns
#   nft table inet mpe: counters of echo requests leaving c to the broadcast
#	address and to ff02::1.
# In h1: nft table inet mpe: a counter of echo requests from 198.51.100.11;
#   drops everything to 198.51.100.250 and 203.0.113.0/24 (forwarding is
#   off anyway, so nothing would answer).

. "${BASH_SOURCE[0]%/*}/netns.bash"

ENG_REPO="${ENG_REPO:-$(cd "${BATS_TEST_DIRNAME:-$(dirname "${BASH_SOURCE[0]}")}/.." && pwd)}"
MPING="${MPING:-$ENG_REPO/mping}"

eng_is_root()
{
	netns_is_root
}

eng_require_root()
{
	eng_is_root || skip "needs root"
	[ -n "${ENG:-}" ] || skip "lab not built"
}

# eng_exec NODE CMD...: run CMD inside node NODE.
eng_exec()
{
	local node=$1
	shift
	ip netns exec "$ENG-$node" "$@"
}

# emp ARGS...: run mping in the client with stdin from /dev/null.
emp()
{
	[ -x "$MPING" ] || { echo "mping is not built: $MPING" >&2; return 127; }
	ip netns exec "$ENG-c" "$MPING" "$@" </dev/null
}

# emp_bg OUT ERR ARGS...: start mping in the client in the background with
# SIGINT and SIGQUIT at their defaults (a non-interactive shell ignores them
# in background jobs); stdout to OUT, stderr to ERR.  Sets EMP_PID (the pid
# of mping itself: ip netns exec and env both exec) and records it so that
# teardown kills it.
emp_bg()
{
	local out=$1 err=$2
	shift 2
	ip netns exec "$ENG-c" env --default-signal=INT,QUIT "$MPING" "$@" \
	    </dev/null >"$out" 2>"$err" 3>&- &
	EMP_PID=$!
	echo "$EMP_PID" >>"$ENG_DIR/pids"
}

# eng_wait PID SECS: wait for PID to exit, at most SECS seconds; its exit
# status in EMP_STATUS (124 when it did not exit in time).
eng_wait()
{
	local pid=$1 secs=$2 i
	for i in $(seq $((secs * 20))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		EMP_STATUS=124
		return 0
	fi
	EMP_STATUS=0
	wait "$pid" || EMP_STATUS=$?
	return 0
}

# eng_nft_count NODE COMMENT: the packet count of the nft counter whose
# rule carries COMMENT, in table inet mpe of NODE.
eng_nft_count()
{
	eng_exec "$1" nft -j list table inet mpe |
	    jq --arg c "$2" '[.nftables[] | .rule? | select(. != null and .comment == $c) | .expr[] | .counter? | select(. != null) | .packets] | add'
}

_eng_addns()
{
	netns_add "$ENG_DIR" "$ENG-$1"
}

_eng_sysctl()
{
	local node=$1
	shift
	netns_sysctl "$ENG-$node" "$@"
}

_eng_etc()
{
	local dir i

	dir=$(netns_etc "$ENG_DIR" "$ENG-c") || return 1
	{
		printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n'
		for i in $(seq 0 999); do
			printf '198.18.%d.%d\teng-%04d\n' \
			    $((10 + i / 200)) $((i % 200 + 1)) "$i"
		done
	} >"$dir/hosts"
	printf 'nameserver 198.51.100.250\noptions timeout:3 attempts:1\n' \
	    >"$dir/resolv.conf"
	printf 'hosts: files dns\n' >"$dir/nsswitch.conf"
	for i in $(seq 0 999); do
		printf 'eng-%04d\n' "$i"
	done >"$ENG_DIR/names.txt"
}

_eng_build()
{
	local n i

	for n in c sw h1 h2 h3; do
		_eng_addns "$n" || return 1
		netns_defaults "$ENG-$n" || return 1
	done

	ip -n "$ENG-sw" link add br0 type bridge mcast_snooping 0 &&
	ip -n "$ENG-sw" link set br0 up || return 1
	i=0
	for n in c h1 h2 h3; do
		ip -n "$ENG-sw" link add "p$i" type veth peer name eth0 \
		    netns "$ENG-$n" &&
		ip -n "$ENG-sw" link set "p$i" master br0 &&
		ip -n "$ENG-sw" link set "p$i" up &&
		ip -n "$ENG-$n" link set eth0 up || return 1
		i=$((i + 1))
	done

	ip -n "$ENG-c" addr add 198.51.100.1/24 brd + dev eth0 &&
	ip -n "$ENG-c" addr add 198.51.100.11/24 brd + dev eth0 &&
	ip -n "$ENG-c" -6 addr add 2001:db8:e0::1/64 dev eth0 nodad || return 1
	i=2
	for n in h1 h2 h3; do
		ip -n "$ENG-$n" addr add "198.51.100.$i/24" brd + dev eth0 &&
		ip -n "$ENG-$n" -6 addr add "2001:db8:e0::$i/64" dev eth0 \
		    nodad &&
		_eng_sysctl "$n" net.ipv4.icmp_echo_ignore_broadcasts=0 \
		    net.ipv6.icmp.echo_ignore_multicast=0 || return 1
		i=$((i + 1))
	done

	ip -n "$ENG-c" route add local 198.18.0.0/16 dev lo &&
	ip -n "$ENG-c" route add 198.51.100.250/32 via 198.51.100.2 &&
	ip -n "$ENG-c" route add 203.0.113.0/24 via 198.51.100.2 || return 1

	eng_exec c nft -f - <<-'EOF' || return 1
	table inet mpe {
		chain out {
			type filter hook output priority 0; policy accept;
			ip daddr 198.51.100.255 icmp type echo-request counter comment "bcast"
			ip6 daddr ff02::1 icmpv6 type echo-request counter comment "mcast"
		}
	}
	EOF
	eng_exec h1 nft -f - <<-'EOF' || return 1
	table inet mpe {
		chain in {
			type filter hook input priority 0; policy accept;
			ip saddr 198.51.100.11 icmp type echo-request counter comment "from11"
		}
		chain pre {
			type filter hook prerouting priority 0; policy accept;
			ip daddr 198.51.100.250 counter drop comment "void"
			ip daddr 203.0.113.0/24 counter drop comment "void"
		}
	}
	EOF
	_eng_etc || return 1

	# Wait until the IPv6 link-local addresses are usable.
	for i in $(seq 40); do
		if ! ip -n "$ENG-c" -6 addr show tentative | grep -q inet6; then
			return 0
		fi
		sleep 0.05
	done
	return 0
}

eng_up()
{
	eng_is_root || return 0
	export ENG="mpe-$$"
	export ENG_DIR
	netns_gc mpe
	ENG_DIR=$(netns_mkdir mpe) || return 1
	: >"$ENG_DIR/pids"
	if ! _eng_build; then
		echo "eng_up: building the lab failed" >&2
		eng_down
		return 1
	fi
	export MPING
}

# eng_kill_bg: kill the background mping processes the tests started.
eng_kill_bg()
{
	local pid

	[ -f "${ENG_DIR:-/nonexistent}/pids" ] || return 0
	for pid in $(cat "$ENG_DIR/pids"); do
		kill -KILL "$pid" 2>/dev/null || true
	done
	: >"$ENG_DIR/pids"
	return 0
}

eng_down()
{
	[ -n "${ENG_DIR:-}" ] && [ -d "$ENG_DIR" ] || return 0
	eng_kill_bg
	netns_down "$ENG_DIR" "$ENG"
}

# eng_h1_silent TABLE: h1 drops every echo request (IPv4 and IPv6) from now
# on, through nftables table TABLE; eng_h1_answers TABLE undoes it.
eng_h1_silent()
{
	eng_exec h1 nft -f - <<-EOF
		table inet $1 {
			chain in {
				type filter hook input priority 0;
				icmp type echo-request drop
				icmpv6 type echo-request drop
			}
		}
	EOF
}

eng_h1_answers()
{
	eng_exec h1 nft delete table inet "$1"
}
