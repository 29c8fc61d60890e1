# netns.bash: what the namespace labs of the test suite share (lab.bash,
# engine_lab.bash, faults_lab.bash): creating namespaces and recording them,
# removing the leftovers of killed runs, tearing a lab down, a copy of
# mping for nobody, and assertions on JSON Lines output.
#
# A lab is named TAG-PID (TAG: mpt, mpe, mpf, ...; PID: the shell that built
# it), its namespaces TAG-PID-NODE, its state directory
# ${TMPDIR:-/tmp}/TAG-PID-XXXXXX with the files "netns" and "etcdirs" (what
# to remove at the end).  Nothing here touches the root namespace's
# settings.

netns_is_root()
{
	[ "$(id -u)" = 0 ]
}

# netns_killns NS: end every process in namespace NS (TERM, then KILL).
netns_killns()
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

# netns_gc TAG: remove the namespaces, /etc/netns directories and state
# directories of TAG labs whose building process no longer exists.
netns_gc()
{
	local tag=$1 ns pid d

	for d in "${TMPDIR:-/tmp}/$tag"-[0-9]*-??????; do
		[ -d "$d" ] || continue
		pid=${d##*/"$tag"-}
		pid=${pid%%-*}
		kill -0 "$pid" 2>/dev/null || rm -rf "$d"
	done
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' |
	    grep "^$tag-[0-9]*-"); do
		pid=${ns#"$tag"-}
		pid=${pid%%-*}
		kill -0 "$pid" 2>/dev/null && continue
		netns_killns "$ns"
		ip netns del "$ns" 2>/dev/null || true
		rm -rf "/etc/netns/$ns"
	done
}

# netns_mkdir TAG: make the state directory of this shell's TAG lab (mode
# 755, so that nobody can reach files in it) and print its path.
netns_mkdir()
{
	local d

	d=$(mktemp -d "${TMPDIR:-/tmp}/$1-$$-XXXXXX") || return 1
	chmod 755 "$d" &&
	: >"$d/netns" &&
	: >"$d/etcdirs" &&
	echo "$d"
}

# netns_add DIR NS: create namespace NS, record it in DIR, loopback up.
netns_add()
{
	ip netns add "$2" || return 1
	echo "$2" >>"$1/netns"
	ip -n "$2" link set lo up
}

# netns_sysctl NS KEY=VALUE...
netns_sysctl()
{
	local ns=$1
	shift
	ip netns exec "$ns" sysctl -qw "$@" >/dev/null
}

# netns_defaults NS: no reverse path filtering, no ICMP rate limits (tests
# count errors exactly), no router advertisements, no duplicate address
# detection.
netns_defaults()
{
	netns_sysctl "$1" \
	    net.ipv4.conf.all.rp_filter=0 \
	    net.ipv4.conf.default.rp_filter=0 \
	    net.ipv4.icmp_ratelimit=0 \
	    net.ipv4.icmp_ratemask=0 \
	    net.ipv4.icmp_msgs_per_sec=1000000 \
	    net.ipv4.icmp_msgs_burst=1000000 \
	    net.ipv6.icmp.ratelimit=0 \
	    net.ipv6.conf.all.accept_ra=0 \
	    net.ipv6.conf.default.accept_ra=0 \
	    net.ipv6.conf.all.accept_dad=0 \
	    net.ipv6.conf.default.accept_dad=0
}

# netns_etc DIR NS: make /etc/netns/NS (ip netns exec bind-mounts its files
# over /etc), record it in DIR and print its path.
netns_etc()
{
	local d=/etc/netns/$2

	mkdir -p "$d" || return 1
	echo "$d" >>"$1/etcdirs"
	echo "$d"
}

# netns_down DIR TAG-PID: remove the lab: every namespace recorded in DIR or
# named TAG-PID-*, its /etc/netns directories, DIR itself.
netns_down()
{
	local dir=$1 lab=$2 tag=${2%%-*} ns d

	[ -n "$dir" ] && [ -d "$dir" ] || return 0
	for ns in $(cat "$dir/netns" 2>/dev/null) \
	    $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$lab-"); do
		netns_killns "$ns"
		ip netns del "$ns" 2>/dev/null || true
	done
	for d in $(cat "$dir/etcdirs" 2>/dev/null); do
		case $d in
		/etc/netns/"$tag"-*)	rm -rf "$d" ;;
		esac
	done
	case $dir in
	*/"$tag"-*)	rm -rf "$dir" ;;
	esac
	return 0
}

# netns_lab_up VAR TAG BUILD: a test file's lab, from its setup_file: VAR
# (exported) names it, TAG-<pid>, and VAR_DIR its directory; the labs of
# TAG that dead runs left are cleared first, then BUILD builds it.  If
# BUILD fails the lab is removed again.  Not root: nothing (tests skip).
netns_lab_up()
{
	local var=$1 tag=$2 build=$3 dir

	netns_is_root || return 0
	netns_gc "$tag"
	dir=$(netns_mkdir "$tag") || return 1
	export "$var=$tag-$$" "${var}_DIR=$dir"
	if ! "$build"; then
		echo "building the $tag lab failed" >&2
		netns_down "$dir" "$tag-$$"
		return 1
	fi
}

# netns_lab_down VAR: remove netns_lab_up's lab (teardown_file).
netns_lab_down()
{
	local dir=${1}_DIR

	[ -n "${!dir:-}" ] || return 0
	netns_down "${!dir}" "${!1}"
}

# netns_nobody_copy DIR MPING: a copy of MPING in DIR/bin that nobody may
# execute (none if MPING is not built yet).
netns_nobody_copy()
{
	mkdir -p "$1/bin" && chmod 755 "$1" "$1/bin" || return 1
	[ -x "$2" ] || return 0
	install -m 755 "$2" "$1/bin/mping"
}

# netns_nobody NS BIN ARGS...: BIN ARGS as nobody in namespace NS, stdin
# from /dev/null.
netns_nobody()
{
	local ns=$1 bin=$2
	shift 2
	ip netns exec "$ns" setpriv --reuid=65534 --regid=65534 \
	    --clear-groups -- "$bin" "$@" </dev/null
}

# Assertions on $output, a stream of JSON records (JSON Lines).

# json_sel ARGS...: jq -c ARGS over the records in $output.
json_sel()
{
	printf '%s\n' "$output" | jq -c "$@"
}

# jq_out ARGS...: jq -s ARGS over $output's records (one array of them).
jq_out()
{
	printf '%s\n' "$output" | jq -s "$@"
}

# jcount FILTER: number of records in $output that FILTER selects.
jcount()
{
	json_sel -s "[.[] | select($1)] | length"
}

# jall FILTER: FILTER, run on each record of $output, yields at least one
# value and only true ones.
jall()
{
	local r

	r=$(printf '%s\n' "$output" | jq -s "[.[] | $1] | length > 0 and all")
	[ "$r" = true ] || { echo "jall failed: $1" >&2; return 1; }
}

# nogrep ARGS...: succeed when grep finds nothing (bats ignores "! cmd").
nogrep()
{
	if grep "$@"; then
		return 1
	fi
	return 0
}

# Helpers for labs of routers in a chain (tcpconn.bats; udp.bats has the
# same in its own words).

# netns_veth NS1 DEV1 NS2 DEV2: a veth pair between two namespaces, both
# ends up.
netns_veth()
{
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3" &&
	ip -n "$1" link set "$2" up &&
	ip -n "$3" link set "$4" up
}

# netns_addrs NS DEV ADDR/LEN...: addresses on DEV (IPv6 without DAD).
netns_addrs()
{
	local ns=$1 dev=$2 a
	shift 2
	for a in "$@"; do
		case $a in
		*:*)	ip -n "$ns" addr add "$a" dev "$dev" nodad ;;
		*)	ip -n "$ns" addr add "$a" dev "$dev" ;;
		esac || return 1
	done
}

# netns_hops_are D ADDR...: the hop records in $output of the trace to D
# list exactly ADDR..., one address each, TTL 1, 2, ...
netns_hops_are()
{
	local d=$1 want got
	shift
	want=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
	got=$(json_sel -s "[.[] | select(.type == \"hop\" and .target == \"$d\" and .lost == 0) | .addrs[0]]")
	echo "hops to $d: $got (want $want)"
	[ "$got" = "$want" ]
	[ "$(jcount ".type == \"hop\" and .target == \"$d\" and .lost == 0 and (.addrs | length) == 1")" -eq "$#" ]
}

# netns_capture_start NS IFACE FILE FILTER: tcpdump in namespace NS writes
# the packets on IFACE that FILTER selects to FILE (pcap); returns once it
# listens (1 if it never does).  Its pid is in NETNS_CAPTURE_PID.
netns_capture_start()
{
	local i

	# A message of an earlier capture to FILE would say it listens.
	rm -f "$3" "$3.err"
	# ip netns exec execs tcpdump: $! is tcpdump itself (a function or
	# a subshell in between would get the INT instead).
	ip netns exec "$1" tcpdump -Z root -i "$2" -nn -U --immediate-mode \
	    -w "$3" "$4" >/dev/null 2>"$3.err" 3>&- &
	NETNS_CAPTURE_PID=$!
	for i in $(seq 50); do
		grep -q 'listening on' "$3.err" && return 0
		sleep 0.1
	done
	return 1
}

# netns_capture_stop: end the capture of netns_capture_start, once the
# last packets had 0.3 s to arrive.
netns_capture_stop()
{
	sleep 0.3
	kill -INT "$NETNS_CAPTURE_PID"
	wait "$NETNS_CAPTURE_PID" || true
}

# netns_nowhere DIR NS SINK: namespace NS with loopback and a veth to
# namespace SINK (up, no address, IPv6 off), default routes (192.0.2.2,
# 2001:db8::2) whose gateway is a permanent neighbour entry: a probe off
# loopback leaves on the veth and the sink drops it, with no error and no
# way out.  /etc/netns/NS: hosts (localhost only), nsswitch.conf (files
# only: an unknown name is "not known" at once) and resolv.conf
# (127.0.0.1, where nothing listens).
netns_nowhere()
{
	local dir=$1 ns=$2 sink=$3 etc

	netns_add "$dir" "$ns" && netns_add "$dir" "$sink" &&
	netns_defaults "$ns" &&
	ip link add v0 netns "$ns" type veth peer name v1 netns "$sink" &&
	netns_sysctl "$sink" net.ipv6.conf.all.disable_ipv6=1 \
	    net.ipv6.conf.default.disable_ipv6=1 &&
	ip -n "$sink" link set v1 up &&
	ip -n "$ns" addr add 192.0.2.1/24 dev v0 &&
	ip -n "$ns" addr add 2001:db8::1/64 dev v0 nodad &&
	ip -n "$ns" link set v0 up &&
	ip -n "$ns" neigh replace 192.0.2.2 lladdr 02:00:00:00:00:02 \
	    nud permanent dev v0 &&
	ip -n "$ns" neigh replace 2001:db8::2 lladdr 02:00:00:00:00:02 \
	    nud permanent dev v0 &&
	ip -n "$ns" route add default via 192.0.2.2 &&
	ip -n "$ns" -6 route add default via 2001:db8::2 || return 1
	etc=$(netns_etc "$dir" "$ns") || return 1
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
	    >"$etc/hosts" &&
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' \
	    >"$etc/resolv.conf" &&
	printf 'hosts: files\n' >"$etc/nsswitch.conf"
}

# fp_timeout CMD...: CMD for at most FPING_TEST_TIMEOUT seconds (default
# 60): the fping tests' guard against a binary that is no fping (mping
# before issue 14 pings until stopped).
fp_timeout()
{
	timeout -k 2 "${FPING_TEST_TIMEOUT:-60}" "$@"
}

# netns_file_lab PREFIX VAR BUILD: the body of a setup_file for a lab of
# its own: namespaces named PREFIX-$$ (exported as $VAR), its directory in
# $VAR_DIR, built by the function BUILD, with a copy of mping for nobody.
# On failure the half-built lab is taken down.
netns_file_lab()
{
	local prefix=$1 var=$2 build=$3 dir

	netns_is_root || return 0
	netns_gc "$prefix"
	export "$var=$prefix-$$"
	dir=$(netns_mkdir "$prefix") || return 1
	export "${var}_DIR=$dir"
	"$build" || { netns_down "$dir" "${!var}"; return 1; }
	netns_nobody_copy "$dir" "$MPING"
}

# netns_file_lab_down VAR: teardown_file's body for netns_file_lab's lab.
netns_file_lab_down()
{
	local var=$1 dir="${1}_DIR"

	netns_is_root || return 0
	netns_down "${!dir:-}" "${!var:-}"
}

# netns_file_lab_ready VAR: setup's body: skip unless root and built.
netns_file_lab_ready()
{
	netns_is_root || skip "needs root"
	[ -n "${!1:-}" ] || skip "lab not built"
}

# netns_replies_are D PORT STATE N: the reply records in $output for
# target D are exactly N, each from D itself, on PORT, in STATE, neither
# duplicate nor late, and D's summary says N sent, N received, no error.
netns_replies_are()
{
	local d=$1 port=$2 state=$3 n=$4

	[ "$(jcount ".type == \"reply\" and .target == \"$d\"")" -eq "$n" ]
	[ "$(jcount ".type == \"reply\" and .target == \"$d\" and .from == \"$d\" and .port == $port and .state == \"$state\" and .dup == false and .late == false")" -eq "$n" ]
	[ "$(jcount ".type == \"summary\" and .target == \"$d\" and .sent == $n and .received == $n and .errors == 0")" -eq 1 ]
}
