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

FLAB_REPO="${FLAB_REPO:-$(cd "${BATS_TEST_DIRNAME:-$(dirname "${BASH_SOURCE[0]}")}/.." && pwd)}"
MPING="${MPING:-$FLAB_REPO/mping}"

PEER=198.51.100.2	# answers everything
HALF=198.51.100.3	# replies with an odd ICMP seq are dropped
SILENT=198.51.100.4	# requests dropped, never answers
PEER6=2001:db8:100::2
CLIENT=198.51.100.1

flab_is_root()
{
	[ "$(id -u)" = 0 ]
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
	ip netns exec "$FLAB-c" setpriv --reuid=65534 --regid=65534 \
	    --clear-groups -- "${NOBODY_BIN:-$FLAB_DIR/bin/mping}" "$@" </dev/null
}

_flab_killns()
{
	local pids i

	for i in 1 2 3 4 5 6 7 8 9 10; do
		pids=$(ip netns pids "$1" 2>/dev/null)
		[ -z "$pids" ] && return 0
		if [ "$i" -lt 5 ]; then
			kill -TERM $pids 2>/dev/null || true
		else
			kill -KILL $pids 2>/dev/null || true
		fi
		sleep 0.1
	done
}

# Remove namespaces and directories of earlier runs whose process is gone.
_flab_gc()
{
	local ns pid d

	for d in "${TMPDIR:-/tmp}"/mpf-[0-9]*-??????; do
		[ -d "$d" ] || continue
		pid=${d##*/mpf-}
		pid=${pid%%-*}
		kill -0 "$pid" 2>/dev/null || rm -rf "$d"
	done

	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^mpf-[0-9]*-'); do
		pid=${ns#mpf-}
		pid=${pid%%-*}
		kill -0 "$pid" 2>/dev/null && continue
		_flab_killns "$ns"
		ip netns del "$ns" 2>/dev/null || true
		rm -rf "/etc/netns/$ns"
	done
}

_flab_build()
{
	local n

	for n in c p; do
		ip netns add "$FLAB-$n" || return 1
		echo "$FLAB-$n" >>"$FLAB_DIR/netns"
		ip -n "$FLAB-$n" link set lo up || return 1
		ip netns exec "$FLAB-$n" sysctl -qw \
		    net.ipv4.icmp_ratelimit=0 \
		    net.ipv6.icmp.ratelimit=0 \
		    net.ipv6.conf.all.accept_ra=0 \
		    net.ipv6.conf.default.accept_ra=0 \
		    net.ipv6.conf.all.accept_dad=0 \
		    net.ipv6.conf.default.accept_dad=0 >/dev/null || return 1
	done

	mkdir -p "/etc/netns/$FLAB-c" || return 1
	echo "/etc/netns/$FLAB-c" >>"$FLAB_DIR/etcdirs"
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' \
	    >"/etc/netns/$FLAB-c/hosts"
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' \
	    >"/etc/netns/$FLAB-c/resolv.conf"

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
	_flab_gc
	FLAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mpf-$$-XXXXXX") || return 1
	chmod 755 "$FLAB_DIR"
	: >"$FLAB_DIR/netns"
	: >"$FLAB_DIR/etcdirs"
	# A copy of mping that nobody may execute.
	mkdir -p "$FLAB_DIR/bin" && chmod 755 "$FLAB_DIR/bin" || return 1
	if [ -x "$MPING" ]; then
		install -m 755 "$MPING" "$FLAB_DIR/bin/mping" || return 1
	fi
	if ! _flab_build; then
		echo "flab_up: building the lab failed" >&2
		flab_down
		return 1
	fi
	export MPING PEER HALF SILENT PEER6 CLIENT
}

flab_down()
{
	local ns d

	[ -n "${FLAB:-}" ] || return 0
	for ns in $(cat "$FLAB_DIR/netns" 2>/dev/null) \
	    $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$FLAB-"); do
		_flab_killns "$ns"
		ip netns del "$ns" 2>/dev/null || true
	done
	for d in $(cat "$FLAB_DIR/etcdirs" 2>/dev/null) "/etc/netns/$FLAB-c"; do
		case $d in
		/etc/netns/mpf-*)	rm -rf "$d" ;;
		esac
	done
	case ${FLAB_DIR:-} in
	*/mpf-*)	rm -rf "$FLAB_DIR" ;;
	esac
	return 0
}

# Assertion helpers on $output (JSON Lines).

# json_sel ARGS...: jq -c ARGS over the records in $output.
json_sel()
{
	printf '%s\n' "$output" | jq -c "$@"
}

# jcount FILTER: how many records FILTER selects.
jcount()
{
	json_sel -s "[.[] | select($1)] | length"
}

# jall FILTER: FILTER yields at least one value per run and only true ones.
jall()
{
	local r

	r=$(printf '%s\n' "$output" | jq -s "[.[] | $1] | length > 0 and all")
	[ "$r" = true ] || { echo "jall failed: $1" >&2; return 1; }
}

# nogrep ARGS...: succeed when grep finds nothing.
nogrep()
{
	if grep "$@"; then
		return 1
	fi
	return 0
}
