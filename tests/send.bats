#!/usr/bin/env bats
# Sending in batches (sendmmsg): local errors in the middle of a batch,
# and a kernel that takes only part of a batch or refuses it (ENOBUFS).

bats_require_minimum_version 1.5.0
load lab

setup_file()
{
	lab_up || return 1
	${CC:-cc} -shared -fPIC -Wall -Wextra -o "$LAB_DIR/short_send.so" \
	    "$LAB_REPO/tests/short_send.c" -ldl
}
teardown_file()	{ lab_down; }
setup()		{ lab_require_root; }

# The shim comes before an ASan runtime (make sanitize): let ASan accept it.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS

# targets FILE: 20 answered (h) and 8 locally rejected addresses per
# family, interleaved, so every batch has errors in its middle.
targets()
{
	local i
	for i in $(seq 1 20); do
		echo "198.18.3.$i"
		echo "2001:db8:ff::3:$i"
		if [ $((i % 5)) -ne 0 ]; then
			continue
		fi
		echo "192.0.2.$((224 + i / 5))"
		echo "192.0.2.$((240 + i / 5))"
		echo "2001:db8:c:1::$((i / 5))"
		echo "2001:db8:c:2::$((i / 5))"
	done >"$1"
}

@test "local errors inside a batch: each reported once per probe, the rest answered (v4, v6)" {
	targets "$LAB_DIR/mixed"
	run --separate-stderr mp -c 3 -i 0 -p 100 -t 500 --json -f "$LAB_DIR/mixed"
	echo "$output" | tail -n 60; echo "$stderr"
	[ "$status" -eq 1 ]
	[ "$(jcount '.type == "summary"')" -eq 56 ]
	[ "$(jcount '.type == "summary" and .sent == 3 and .received == 3 and .errors == 0 and .lost == 0')" -eq 40 ]
	[ "$(jcount '.type == "summary" and .sent == 3 and .received == 0 and .errors == 3')" -eq 16 ]
	# one error per probe of each rejected target, from local, seq 0..2
	[ "$(jcount '.type == "error" and .from == "local"')" -eq 48 ]
	[ "$(json_sel -s '[.[] | select(.type == "error") | [.addr, .seq]] | unique | length')" -eq 48 ]
	[ "$(jcount '.type == "reply" and .dup == false and .late == false')" -eq 120 ]
	[ "$(jcount '.type == "timeout"')" -eq 0 ]
}

@test "short and refused batches (ENOBUFS): every probe sent once, every reply counted" {
	for i in $(seq 1 250); do echo "198.18.4.$i"; echo "2001:db8:ff::4:$i"; done \
	    >"$LAB_DIR/many"
	run --separate-stderr ip netns exec "$LAB-c" env \
	    LD_PRELOAD="$LAB_DIR/short_send.so" "$MPING" -c 2 -i 0 -p 50 \
	    -t 2000 --json -f "$LAB_DIR/many"
	echo "$output" | tail -n 20; echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "summary" and .sent == 2 and .received == 2 and .lost == 0 and .errors == 0 and .dups == 0')" -eq 500 ]
	[ "$(jcount '.type == "reply" and .dup == false and .late == false')" -eq 1000 ]
	[ "$(jcount '.type == "error" or .type == "timeout"')" -eq 0 ]
}

@test "100 probes go out in 7 sendmmsg calls (16 a batch); the shim above cuts them into dozens" {
	command -v strace >/dev/null || skip "strace is not installed"
	for i in $(seq 1 100); do echo "198.18.5.$i"; done >"$LAB_DIR/hundred"
	ip netns exec "$LAB-c" strace -f -c -e trace=sendmmsg,sendto -o "$LAB_DIR/st1" \
	    "$MPING" -c 1 -i 0 -q -f "$LAB_DIR/hundred" </dev/null
	ip netns exec "$LAB-c" env LD_PRELOAD="$LAB_DIR/short_send.so" \
	    strace -f -c -e trace=sendmmsg,sendto -o "$LAB_DIR/st2" \
	    "$MPING" -c 1 -i 0 -q -f "$LAB_DIR/hundred" </dev/null
	cat "$LAB_DIR/st1" "$LAB_DIR/st2"
	n1=$(awk '$NF == "sendmmsg" {print $4}' "$LAB_DIR/st1")
	n2=$(awk '$NF == "sendmmsg" {print $4}' "$LAB_DIR/st2")
	# 100 probes in batches of up to 16: 7 calls; cut short: dozens.
	[ "$n1" -le 10 ]
	[ "$n2" -ge 30 ]
}
