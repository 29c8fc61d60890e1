# reload_lab.bash: a two-namespace lab for tests/reload.bats (names kept
# fresh, SIGHUP reload).
#
#	c (client) c0 198.51.100.1/24 ---- p0 p (peer)
#	p0: 198.51.100.2, .3, .4, .5 (all answer)
#
# The client's names come from its own hosts file, which the tests
# rewrite during a run (in place: ip netns exec bind-mounts the file, a
# new file would not be seen); its resolver points at 127.0.0.1, where
# nothing listens.  Namespaces rl-PID-c and rl-PID-p.

. "${BASH_SOURCE[0]%/*}/netns.bash"

RL_REPO="${RL_REPO:-$(cd "${BATS_TEST_DIRNAME:-$(dirname "${BASH_SOURCE[0]}")}/.." && pwd)}"
MPING="${MPING:-$RL_REPO/mping}"

rl_up()
{
	netns_is_root || return 0
	netns_gc rl
	RL=rl-$$
	RL_DIR=$(netns_mkdir rl) || return 1
	export RL RL_DIR
	netns_add "$RL_DIR" "$RL-c" && netns_defaults "$RL-c" &&
	netns_add "$RL_DIR" "$RL-p" && netns_defaults "$RL-p" &&
	netns_veth "$RL-c" c0 "$RL-p" p0 &&
	netns_addrs "$RL-c" c0 198.51.100.1/24 &&
	netns_addrs "$RL-p" p0 198.51.100.2/24 198.51.100.3/24 \
	    198.51.100.4/24 198.51.100.5/24 || { rl_down; return 1; }
	RL_ETC=$(netns_etc "$RL_DIR" "$RL-c") || { rl_down; return 1; }
	export RL_ETC
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' \
	    >"$RL_ETC/resolv.conf"
	rl_hosts
}

rl_down()
{
	netns_down "${RL_DIR:-}" "${RL:-rl-$$}"
}

rl_require_root()
{
	netns_is_root || skip "needs root"
	[ -n "${RL:-}" ] || skip "lab not built"
}

# rl_hosts "ADDR NAME"...: the client's hosts file, rewritten in place.
rl_hosts()
{
	{
		printf '127.0.0.1\tlocalhost\n'
		for l in "$@"; do
			printf '%s\n' "$l"
		done
	} >"$RL_ETC/hosts"
}

# rlmp ARGS...: mping in the client, stdin from /dev/null.
rlmp()
{
	ip netns exec "$RL-c" "$MPING" "$@" </dev/null
}
