#!/usr/bin/env bats
# Issue 15: names kept fresh (--resolve-every), SIGHUP reads -f FILE
# again, names that never resolve stay in the summaries.  Lab:
# tests/reload_lab.bash (the client's hosts file is rewritten during runs).

load reload_lab

setup_file()	{ rl_up; }
teardown_file()	{ rl_down; }
setup()		{ rl_require_root; }

# rl_bg OUT ERR ARGS...: mping in the client in the background; its pid in
# RL_PID.
rl_bg()
{
	local out=$1 err=$2
	shift 2
	ip netns exec "$RL-c" "$MPING" "$@" </dev/null >"$out" 2>"$err" &
	RL_PID=$!
}

# Wait for the background mping; its exit status in RL_RC.
rl_wait()
{
	RL_RC=0
	wait "$RL_PID" || RL_RC=$?
}

# The records of type $1 (and target $2) in $output, one a line.
recs()
{
	if [ $# -gt 1 ]; then
		json_sel "select(.type == \"$1\" and .target == \"$2\")"
	else
		json_sel "select(.type == \"$1\")"
	fi
}

@test "resolve-every: a renamed address is a resolved record, counts carry over, replies come from the new address" {
	rl_hosts "198.51.100.2 lab-mv"
	rl_bg "$RL_DIR/mv.json" "$RL_DIR/mv.err" --json -p 200 -w 5 \
	    --resolve-every 1 lab-mv
	sleep 2.2
	rl_hosts "198.51.100.3 lab-mv"
	rl_wait
	output=$(cat "$RL_DIR/mv.json")
	[ "$RL_RC" = 0 ]
	# One resolved record: from the old address to the new one.
	[ "$(jcount '.type == "resolved"')" = 1 ]
	jall 'select(.type == "resolved") | .target == "lab-mv" and
	    .from == "198.51.100.2" and .addr == "198.51.100.3" and
	    .reason == null'
	# Replies from both, the old ones before the new ones, each from
	# the address probed then, seqs one run on.
	json_sel -s '[.[] | select(.type == "reply") | .from] |
	    (index("198.51.100.3")) as $k | $k > 3 and
	    (.[:$k] | all(. == "198.51.100.2")) and
	    (.[$k:] | all(. == "198.51.100.3")) and length - $k > 3' |
	    grep -qx true
	json_sel -s '[.[] | select(.type == "reply") | .seq] |
	    . == [range(0; length)]' | grep -qx true
	# One summary, the counts of the whole run, at the new address.
	[ "$(jcount '.type == "summary"')" = 1 ]
	n=$(jcount '.type == "reply"')
	jall "select(.type == \"summary\") | .addr == \"198.51.100.3\" and
	    .received == $n and .sent == $n"
}

@test "resolve-every: a name that stops resolving keeps its address and says why once; 0 turns it off" {
	rl_hosts "198.51.100.2 lab-lost"
	rl_bg "$RL_DIR/lost.json" "$RL_DIR/lost.err" --json -p 200 -w 4 \
	    --resolve-every 1 lab-lost
	sleep 1.5
	rl_hosts
	rl_wait
	output=$(cat "$RL_DIR/lost.json")
	[ "$RL_RC" = 0 ]
	[ "$(jcount '.type == "resolved"')" = 1 ]
	jall 'select(.type == "resolved") | .addr == "198.51.100.2" and
	    .from == null and (.reason | length > 0)'
	jall 'select(.type == "summary") | .addr == "198.51.100.2" and
	    .lost == 0 and (.reason | length > 0)'
	# --resolve-every 0: the same change goes unseen.
	rl_hosts "198.51.100.2 lab-lost"
	rl_bg "$RL_DIR/off.json" "$RL_DIR/off.err" --json -p 200 -w 3 \
	    --resolve-every 0 lab-lost
	sleep 1
	rl_hosts "198.51.100.3 lab-lost"
	rl_wait
	output=$(cat "$RL_DIR/off.json")
	[ "$(jcount '.type == "resolved"')" = 0 ]
	jall 'select(.type == "reply") | .from == "198.51.100.2"'
}

@test "SIGHUP: a target that left has its summary at once, a new one joins, a kept one counts on" {
	rl_hosts "198.51.100.4 lab-keep" "198.51.100.5 lab-new"
	printf '198.51.100.2\nlab-keep\n' >"$RL_DIR/list"
	rl_bg "$RL_DIR/hup.json" "$RL_DIR/hup.err" --json -p 200 -w 4 \
	    -f "$RL_DIR/list"
	sleep 1.5
	printf 'lab-keep\n# gone: 198.51.100.2\nlab-new\n' >"$RL_DIR/list"
	kill -HUP "$RL_PID"
	rl_wait
	output=$(cat "$RL_DIR/hup.json")
	[ "$RL_RC" = 0 ]
	# The one that left: its summary, then the reload record; none of
	# its records after them.
	json_sel -s 'map(select(.type != "reply" or .target ==
	    "198.51.100.2")) | map(.type) | .[1:] ==
	    (.[1:] | map(select(. == "reply"))) + ["summary", "reload"] +
	    (.[1:] | .[index("reload") + 1:])' | grep -qx true
	json_sel -s '(map(.type) | index("reload")) as $k |
	    .[$k + 1:] | map(select(.target == "198.51.100.2")) |
	    map(.type) == []' | grep -qx true
	jall 'select(.type == "reload") | .joined == 1 and .left == 1 and
	    .targets == 2'
	n=$(recs reply 198.51.100.2 | wc -l)
	jall "select(.type == \"summary\" and .target == \"198.51.100.2\") |
	    .sent == $n and .received == $n"
	# The kept one: one summary, its seqs one run across the reload.
	[ "$(jcount '.type == "summary" and .target == "lab-keep"')" = 1 ]
	json_sel -s '[.[] | select(.type == "reply" and .target ==
	    "lab-keep") | .seq] | . == [range(0; length)] and length >= 18' |
	    grep -qx true
	k=$(recs reply lab-keep | wc -l)
	jall "select(.type == \"summary\" and .target == \"lab-keep\") |
	    .sent == $k and .received == $k"
	# The new one: from seq 0, after the reload, at its address.
	json_sel -s '(map(.type) | index("reload")) as $k |
	    (.[:$k] | map(select(.target == "lab-new")) | length == 0) and
	    (.[$k:] | map(select(.type == "reply" and .target == "lab-new"))
	    | length > 5 and .[0].seq == 0 and
	    all(.from == "198.51.100.5"))' | grep -qx true
	jall 'select(.type == "end") | .targets == 2 and .answered == 2 and
	    .exit_status == 0'
}

@test "SIGHUP three times, text: each a reload line, the run goes on to its end" {
	rl_hosts "198.51.100.4 lab-a"
	printf '198.51.100.2\n' >"$RL_DIR/three"
	rl_bg "$RL_DIR/three.txt" "$RL_DIR/three.err" -q -p 100 -w 4 \
	    -f "$RL_DIR/three"
	sleep 0.8
	printf '198.51.100.3\nlab-a\n' >"$RL_DIR/three"
	kill -HUP "$RL_PID"
	sleep 0.8
	printf '198.51.100.3\nlab-a\n198.51.100.2\n' >"$RL_DIR/three"
	kill -HUP "$RL_PID"
	sleep 0.8
	printf 'lab-a\n' >"$RL_DIR/three"
	kill -HUP "$RL_PID"
	rl_wait
	run cat "$RL_DIR/three.txt"
	[ "$RL_RC" = 0 ]
	[ "${lines[1]}" = "reload: 2 joined, 1 left, 2 targets" ]
	[ "${lines[2]}" = "reload: 1 joined, 0 left, 3 targets" ]
	[ "${lines[5]}" = "reload: 0 joined, 2 left, 1 targets" ]
	[[ "${lines[0]}" == "198.51.100.2: sent="*" loss=0%"* ]]
	[[ "${lines[3]}" == "198.51.100.3: sent="*" loss=0%"* ]]
	[[ "${lines[4]}" == "198.51.100.2: sent="*" loss=0%"* ]]
	[[ "${lines[6]}" == "lab-a (198.51.100.4): sent="*" loss=0%"* ]]
	[ "${#lines[@]}" = 7 ]
	[ ! -s "$RL_DIR/three.err" ]
}

@test "SIGHUP without -f FILE, or with -f -: ignored, said on stderr" {
	rl_bg "$RL_DIR/nof.txt" "$RL_DIR/nof.err" -q -p 200 -w 2 198.51.100.2
	sleep 0.7
	kill -HUP "$RL_PID"
	rl_wait
	[ "$RL_RC" = 0 ]
	grep -qx 'mping: SIGHUP ignored: no -f FILE to read again' \
	    "$RL_DIR/nof.err"
	grep -q '^198.51.100.2: sent=' "$RL_DIR/nof.txt"
	echo 198.51.100.2 | ip netns exec "$RL-c" "$MPING" -q -p 200 -w 2 \
	    -f - >"$RL_DIR/stdin.txt" 2>"$RL_DIR/stdin.err" &
	RL_PID=$!
	sleep 0.7
	kill -HUP "$RL_PID"
	rl_wait
	[ "$RL_RC" = 0 ]
	grep -qx 'mping: SIGHUP ignored: no -f FILE to read again' \
	    "$RL_DIR/stdin.err"
}

@test "called as fping: SIGHUP ends it, as fping 5.1 (no handler)" {
	ln -sf "$MPING" "$RL_DIR/fping"
	# SIGHUP as the default even where the suite was started with it
	# ignored (nohup): otherwise it is ignored here too and the run
	# never ends.
	ip netns exec "$RL-c" env --default-signal=HUP "$RL_DIR/fping" \
	    -l -p 200 198.51.100.2 </dev/null >/dev/null 2>&1 &
	RL_PID=$!
	sleep 0.7
	kill -HUP "$RL_PID"
	rl_wait
	[ "$RL_RC" = 129 ]
}

@test "a name that never resolves: in the final summary with its reason, exit 2" {
	status=0
	output=$(rlmp --json -c 2 -p 100 198.51.100.2 lab-nosuch \
	    2>/dev/null) || status=$?
	[ "$status" = 2 ]
	jall 'select(.type == "summary" and .target == "lab-nosuch") |
	    .addr == null and .sent == 0 and .received == 0 and
	    .loss_pct == null and (.reason | length > 0)'
	[ "$(jcount '.type == "summary"')" = 2 ]
	jall 'select(.type == "end") | .targets == 1 and .answered == 1'
	# Text, -q: its line says why.
	run rlmp -q -c 2 -p 100 198.51.100.2 lab-nosuch
	[ "$status" = 2 ]
	[[ "$output" == *"lab-nosuch: sent=0 received=0 loss=- ("*")"* ]]
}

@test "the target table: removals, moves and names with no address keep every address found (unit)" {
	cc -std=c99 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -g -Isrc \
	    -o "$BATS_TEST_TMPDIR/trt" "$BATS_TEST_DIRNAME/targets_reload_test.c" \
	    "$BATS_TEST_DIRNAME/../src/targets.c" \
	    "$BATS_TEST_DIRNAME/../src/stats.c" -lm
	run "$BATS_TEST_TMPDIR/trt"
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
}

@test "--resolve-every: 0 to 86400 seconds, not with --trace (usage errors, exit 3)" {
	run rlmp --resolve-every 86401 198.51.100.2
	[ "$status" = 3 ]
	run rlmp --resolve-every x 198.51.100.2
	[ "$status" = 3 ]
	run rlmp --trace --resolve-every 5 198.51.100.2
	[ "$status" = 3 ]
	[[ "$output" == *"--resolve-every: not an option of --trace"* ]]
}
