#!/usr/bin/env bats
# Raw sockets as root, ICMP datagram sockets as nobody, file capabilities,
# and the privilege drop after the sockets are open.

bats_require_minimum_version 1.5.0
load lab

setup_file()	{ lab_up && lab_nobody_up; }
teardown_file()	{ lab_down; }
setup()		{ lab_require_root; }

teardown()
{
	[ -n "${LAB:-}" ] || return 0
	lab_exec c sysctl -qw "net.ipv4.ping_group_range=0 2147483647"
	rm -f "$LAB_DIR/bin/mping-cap"
}

# status_of PID FIELD: a field of /proc/PID/status.
status_of()
{
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

# running_mping: pid of the mping running in the client.
running_mping()
{
	local p
	for p in $(ip netns pids "$LAB-c"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "${1:-mping}" ] && { echo "$p"; return 0; }
	done
	return 1
}

@test "nobody with ping_group_range: datagram sockets work (v4, v6)" {
	run --separate-stderr nobody -c 2 -p 100 -t 500 --json 198.18.0.1 2001:db8:ff::1
	echo "$output"; echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "summary" and .received == 2')" -eq 2 ]
}

@test "nobody: router errors are still reported (v4, v6)" {
	run --separate-stderr nobody -c 1 -t 1000 198.51.100.1 2001:db8:e:2::1
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	grep -Fx '198.51.100.1: seq=0 host-unreachable from 192.0.2.18 (type 3, code 1)' <<<"$output"
	grep -Fx '2001:db8:e:2::1: seq=0 admin-prohibited from 2001:db8:12::2 (type 1, code 1)' <<<"$output"
}

@test "nobody: ttl-exceeded through a datagram socket" {
	run --separate-stderr nobody -c 1 -t 1000 --ttl 2 198.18.0.1
	echo "$output"
	grep -Fx '198.18.0.1: seq=0 ttl-exceeded from 192.0.2.18 (type 11, code 0)' <<<"$output"
}

@test "nobody without ping_group_range: system error, exit 4" {
	lab_exec c sysctl -qw "net.ipv4.ping_group_range=1 0"
	run --separate-stderr nobody -c 1 198.18.0.1
	echo "$status $output $stderr"
	[ "$status" -eq 4 ]
	[ "${#stderr_lines[@]}" -ge 1 ]
	[[ ${stderr_lines[0]} == mping:* ]]
	nogrep -q 'seq=' <<<"$output"
}

@test "nobody with cap_net_raw file capability: raw socket, then no caps" {
	command -v setcap >/dev/null || skip "no setcap"
	install -m 755 "$LAB_DIR/bin/mping" "$LAB_DIR/bin/mping-cap"
	setcap cap_net_raw+ep "$LAB_DIR/bin/mping-cap" || skip "no file caps here"
	lab_exec c sysctl -qw "net.ipv4.ping_group_range=1 0"
	NOBODY_BIN=$LAB_DIR/bin/mping-cap nobody -c 30 -p 100 198.18.0.1 \
	    >"$LAB_DIR/cap.out" 2>&1 3>&- &
	sleep 0.5
	pid=$(running_mping mping-cap)
	echo "pid $pid"; cat "/proc/$pid/status"
	[ "$(status_of "$pid" CapEff)" = 0000000000000000 ]
	[ "$(status_of "$pid" CapPrm)" = 0000000000000000 ]
	[ "$(status_of "$pid" NoNewPrivs)" = 1 ]
	kill -INT "$pid"
	wait || true
	cat "$LAB_DIR/cap.out"
	grep -E '^198\.18\.0\.1: seq=0 bytes=64' "$LAB_DIR/cap.out"
}

@test "root: capabilities dropped and no_new_privs set while running" {
	ip netns exec "$LAB-c" "$MPING" -c 30 -p 100 198.18.0.1 2001:db8:ff::1 \
	    >"$LAB_DIR/root.out" 2>&1 </dev/null 3>&- &
	sleep 0.5
	pid=$(running_mping)
	cat "/proc/$pid/status"
	[ "$(status_of "$pid" CapEff)" = 0000000000000000 ]
	[ "$(status_of "$pid" CapPrm)" = 0000000000000000 ]
	[ "$(status_of "$pid" NoNewPrivs)" = 1 ]
	kill -INT "$pid"
	wait || true
}

@test "nobody: no_new_privs set while running" {
	nobody -c 30 -p 100 198.18.0.1 >/dev/null 2>&1 3>&- &
	sleep 0.5
	pid=$(running_mping)
	[ "$(status_of "$pid" NoNewPrivs)" = 1 ]
	[ "$(status_of "$pid" Uid | head -1)" = 65534 ]
	kill -INT "$pid"
	wait || true
}
