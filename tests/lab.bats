#!/usr/bin/env bats
# The lab itself, checked with the system's ping, so that a failure in the
# other files can be told apart from a broken lab.

bats_require_minimum_version 1.5.0
load lab

setup_file()	{ lab_up; }
teardown_file()	{ lab_down; }
setup()		{ lab_require_root; command -v ping >/dev/null || skip "no ping"; }
teardown()	{ responder_stop_all; }

sping()
{
	lab_exec c ping -n -c 1 -W 1 "$@" 2>&1
}

@test "lab: routers and the local-route block answer (v4, v6)" {
	for a in 192.0.2.1 192.0.2.18 198.18.0.1 198.18.200.7 203.0.113.130 \
	    2001:db8:1::1 2001:db8:12::2 2001:db8:ff::1 2001:db8:fe::5; do
		run sping "$a"
		[[ $output == *"bytes from $a"* ]] || { echo "$a: $output"; false; }
	done
}

@test "lab: r2 answers unreachable, prohibit, no route, blackhole" {
	run sping 198.51.100.1;	[[ $output == *"From 192.0.2.18"*"Host Unreachable"* ]]
	run sping 198.51.100.17; [[ $output == *"From 192.0.2.18"*"filtered"* ]]
	run sping 198.51.100.49; [[ $output == *"From 192.0.2.18"*"Net Unreachable"* ]]
	run sping 198.51.100.33; [[ $output == *"100% packet loss"* ]]
	run sping 2001:db8:e:1::1; [[ $output == *"From 2001:db8:12::2"*"No route"* ]]
	run sping 2001:db8:e:2::1; [[ $output == *"From 2001:db8:12::2"*"prohibited"* ]]
	run sping 2001:db8:e:5::70; [[ $output == *"Address unreachable"* ]]
}

@test "lab: small MTU link reports 1280" {
	run sping -M do -s 1400 203.0.113.140
	[[ $output == *"From 192.0.2.18"*"mtu = 1280"* ]]
	run sping -M do -s 1400 2001:db8:fe::40
	[[ $output == *"From 2001:db8:12::2"*"mtu=1280"* ]]
}

@test "lab: nftables drops all echo replies from 198.18.9.1" {
	run sping 198.18.9.1
	[[ $output == *"100% packet loss"* ]]
}

@test "lab: the kernel in e is silent, the responder answers" {
	run sping 203.0.113.1
	[[ $output == *"100% packet loss"* ]]
	responder_start r1 --addr 203.0.113.1 --addr 2001:db8:fd::1 --delay 100
	run sping 203.0.113.1
	[[ $output == *"bytes from 203.0.113.1"* ]]
	run sping 2001:db8:fd::1
	[[ $output == *"bytes from 2001:db8:fd::1"* ]]
	[ "$(responder_log r1 | grep -c 'action=reply')" -eq 2 ]
}

@test "lab: names come from the client's hosts file" {
	run lab_exec c getent ahostsv4 lab-h1
	[[ $output == *198.18.0.1* ]]
	run lab_exec c getent hosts nosuch.invalid
	[ "$status" -ne 0 ]
}
