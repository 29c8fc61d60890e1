#!/usr/bin/env bats
# Faults: bad input from the user, two runs side by side, an interface
# going down, SIGTERM in a busy sweep, a setuid-root copy, a closed pipe.
# A lab of its own (tests/faults_lab.bash): namespaces mpf-PID-c and
# mpf-PID-p; nothing here runs mping outside them.

bats_require_minimum_version 1.5.0
load faults_lab

setup_file()
{
	flab_up
}

teardown_file()
{
	flab_down
}

setup()
{
	flab_require_root
	[ -x "$MPING" ] || { echo "mping is not built: $MPING" >&2; return 1; }
	flab_reset_counters
}

teardown()
{
	[ -n "${FLAB:-}" ] || return 0
	flab_end_test
	rm -rf "$FLAB_DIR/suid"
	flab_exec c ip link set c0 up 2>/dev/null || true
	return 0
}

# bg_started PID: remember a background process for teardown.
bg_started()
{
	echo "$1" >>"$FLAB_DIR/bg"
}

# no_cntrl: stdin holds no control characters other than newline.
no_cntrl()
{
	if LC_ALL=C tr -d '\n' | LC_ALL=C grep -q '[[:cntrl:]]'; then
		echo "control characters on stderr" >&2
		return 1
	fi
	return 0
}

# bad_input STATUS WORD ARGS...: mping ARGS in the client exits with
# STATUS, prints nothing on stdout, exactly one "mping: " line on stderr
# that matches the glob *WORD*, and sends nothing at all.
bad_input()
{
	local want=$1 word=$2
	shift 2
	flab_reset_counters
	run --separate-stderr fmp "$@"
	echo "args: $(printf '%q ' "$@" | cut -c1-200)"
	echo "status: $status (want $want)"
	echo "stdout: $(printf '%s' "$output" | cut -c1-300)"
	echo "stderr (${#stderr_lines[@]} lines): $(printf '%s' "$stderr" | cut -c1-300)"
	[ "$status" -eq "$want" ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == "mping: "* ]]
	[[ ${stderr_lines[0]} == *$word* ]]
	[ "${#stderr}" -lt 1024 ]
	printf '%s' "$stderr" | no_cntrl
	flab_nothing_sent
}

# --- 1. Bad input from the user ---------------------------------------

@test "usage errors name the value, exit 3 and send nothing" {
	bad_input 3 '-s*70000' -s 70000 "$PEER"
	bad_input 3 '--ttl*0' --ttl 0 "$PEER"
	bad_input 3 '--ttl*256' --ttl 256 "$PEER"
	bad_input 3 '-c*-1' -c -1 "$PEER"
	bad_input 3 '-c*1e3' -c 1e3 "$PEER"
	bad_input 3 '-p*abc' -p abc "$PEER"
}

@test "-4 with -6, -i with --rate: exit 3, both named, nothing sent" {
	bad_input 3 -4 -4 -6 "$PEER"
	[[ ${stderr_lines[0]} == *-6* ]]
	bad_input 3 --rate -i 5 --rate 10 "$PEER"
	[[ ${stderr_lines[0]} == *-i* ]]
}

@test "CIDR with a bad prefix: exit 2, one line naming it, nothing sent" {
	bad_input 2 198.51.100.0/33 198.51.100.0/33
	bad_input 2 198.51.100.0/x 198.51.100.0/x
}

@test "-f with an empty file: no targets is an error (exit 2 or 3), nothing sent" {
	f=$FLAB_DIR/empty
	: >"$f"
	flab_reset_counters
	run --separate-stderr fmp -c 1 -f "$f"
	echo "status: $status stdout: $output stderr: $stderr"
	[ "$status" -eq 2 ] || [ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == "mping: "* ]]
	[[ ${stderr_lines[0]} == *"$f"* || ${stderr_lines[0]} == *target* ]]
	flab_nothing_sent
}

@test "-f with a one-line binary file (random bytes, NUL): exit 2, one clean line, nothing sent" {
	f=$FLAB_DIR/binary1
	{
		printf '\033]0;owned\007\033[2J'
		head -c 2000 /dev/urandom | LC_ALL=C tr -d '\n\r'
		printf 'ab\0cd'
		head -c 2000 /dev/urandom | LC_ALL=C tr -d '\n\r'
	} >"$f"
	bad_input 2 "mping: " -c 1 -f "$f"
}

@test "-f with a binary file of many lines: no control characters reach the terminal" {
	f=$FLAB_DIR/binary2
	{
		head -c 4096 /dev/urandom
		printf '\nx\0y\n\033[2J\033]0;owned\007\n\001\002garbage\n'
	} >"$f"
	flab_reset_counters
	run --separate-stderr fmp -c 1 -f "$f"
	echo "status: $status stdout: $output"
	printf '%s\n' "$stderr" | od -c | head -40
	[ "$status" -eq 2 ]
	[ "${#stderr_lines[@]}" -ge 1 ]
	for l in "${stderr_lines[@]}"; do
		[[ $l == "mping: "* ]]
	done
	printf '%s' "$stderr" | no_cntrl
	# A line that passed for a name (it never resolves) has its summary
	# and its reason, escaped too; nothing else is on stdout.
	for l in "${lines[@]}"; do
		[[ $l == *": sent=0 received=0 loss=- ("*")" ]]
	done
	printf '%s' "$output" | no_cntrl
	flab_nothing_sent
}

@test "-f with a 10 MB single line: exit 2, one short line, nothing sent" {
	f=$FLAB_DIR/long
	head -c 10000000 /dev/zero | tr '\0' a >"$f"
	bad_input 2 aaaaaaaaaa -c 1 -f "$f"
}

@test "-f with a missing file: exit 2, names the file, nothing sent" {
	bad_input 2 "$FLAB_DIR/no-such-file" -c 1 -f "$FLAB_DIR/no-such-file"
	[[ ${stderr_lines[0]} == *"No such file"* ]]
}

@test "-f with a file nobody may read, as nobody: exit 2, names the file, nothing sent" {
	f=$FLAB_DIR/secret
	echo "$PEER" >"$f"
	chmod 600 "$f"
	flab_reset_counters
	run --separate-stderr fnobody -c 1 -f "$f"
	echo "status: $status stdout: $output stderr: $stderr"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == "mping: "*"$f"* ]]
	[[ ${stderr_lines[0]} == *"ermission denied"* ]]
	flab_nothing_sent
}

@test "good targets next to bad ones are still probed: exit 2, every good one answered" {
	f=$FLAB_DIR/mixed
	{
		printf '\001\002garbage\377\376\n'
		printf 'x\0y\n'
		echo "$PEER6"
	} >"$f"
	run --separate-stderr fmp -c 3 -p 50 -t 500 --json \
	    "$PEER" 198.51.100.0/33 198.51.100.0/x -f "$f"
	echo "status: $status"; echo "$output"; echo "stderr: $stderr"
	[ "$status" -eq 2 ]
	[ "$(jcount '.type == "summary"')" -eq 2 ]
	[ "$(jcount '.type == "summary" and .addr == "'"$PEER"'" and .sent == 3 and .received == 3')" -eq 1 ]
	[ "$(jcount '.type == "summary" and .addr == "'"$PEER6"'" and .sent == 3 and .received == 3')" -eq 1 ]
	[ "$(jcount '.type == "bad-target"')" -eq 4 ]
	[ "$(json_sel -s '.[-1].exit_status')" = 2 ]
	# The counters that prove "nothing sent" elsewhere do count.
	[ "$(flab_counter c out)" -eq 6 ]
	[ "$(flab_counter p req)" -eq 6 ]

	# A file that cannot be opened next to a good target on the line.
	run --separate-stderr fmp -c 3 -p 50 -t 500 --json \
	    -f "$FLAB_DIR/no-such-file" "$PEER"
	echo "status: $status"; echo "$output"; echo "stderr: $stderr"
	[ "$status" -eq 2 ]
	[ "$(jcount '.type == "summary" and .addr == "'"$PEER"'" and .sent == 3 and .received == 3')" -eq 1 ]
}

# --- 2. Two runs side by side -------------------------------------------

@test "two runs at once each count only their own replies (20/10/0)" {
	for i in 1 2; do
		ip netns exec "$FLAB-c" "$MPING" -c 20 -p 20 --json \
		    "$PEER" "$HALF" "$SILENT" \
		    >"$FLAB_DIR/two.$i" 2>"$FLAB_DIR/two.$i.err" </dev/null 3>&- &
		eval "pid$i=\$!"
		bg_started "$!"
	done
	wait "$pid1" && st1=0 || st1=$?
	wait "$pid2" && st2=0 || st2=$?
	for i in 1 2; do
		echo "run $i:"
		jq -c 'select(.type == "summary") | {addr, sent, received, lost, dups}' "$FLAB_DIR/two.$i"
		cat "$FLAB_DIR/two.$i.err"
	done
	[ "$st1" -eq 1 ] && [ "$st2" -eq 1 ]
	for i in 1 2; do
		output=$(cat "$FLAB_DIR/two.$i")
		[ "$(jcount '.type == "summary"')" -eq 3 ]
		jall 'select(.type == "summary") | .sent == 20'
		jall 'select(.type == "summary" and .addr == "'"$PEER"'") | .received == 20'
		jall 'select(.type == "summary" and .addr == "'"$HALF"'") | .received == 10'
		jall 'select(.type == "summary" and .addr == "'"$SILENT"'") | .received == 0'
		[ "$(jcount '.type == "reply" and .dup == false')" -eq 30 ]
	done
}

# --- 3. The interface goes down in the middle of a run ------------------

@test "interface down for 1 s mid-run: errors or timeouts, then a normal end, exit 0" {
	out=$FLAB_DIR/down.out
	ip netns exec "$FLAB-c" "$MPING" -p 100 -w 3 --json "$PEER" \
	    >"$out" 2>"$FLAB_DIR/down.err" </dev/null 3>&- &
	pid=$!
	bg_started "$pid"
	sleep 1
	flab_exec c ip link set c0 down
	sleep 1
	flab_exec c ip link set c0 up
	wait "$pid" && st=0 || st=$?
	output=$(cat "$out")
	echo "status: $st"
	jq -c 'select(.type != "reply")' "$out" || cat "$out"
	echo "stderr:"; cat "$FLAB_DIR/down.err"
	[ "$st" -eq 0 ]
	jq -e . "$out" >/dev/null
	[ "$(json_sel -s '.[-1].type')" = '"end"' ]
	[ "$(jcount '.type == "summary"')" -eq 1 ]
	# The outage shows as errors or timeouts, and some replies before it.
	[ "$(jcount '(.type == "error" or .type == "timeout")')" -ge 3 ]
	jall 'select(.type == "summary") | .received >= 5 and .received < .sent and .sent >= 25 and .sent == .received + .lost + .inflight'
	# Replies come back after the link is up again.
	last_bad=$(json_sel -s '[.[] | select(.type == "error" or .type == "timeout") | .seq] | max')
	[ "$(jcount ".type == \"reply\" and .seq > $last_bad")" -ge 3 ]
	# The run ended at the deadline, not before.
	t0=$(json_sel -s '.[0].time'); t1=$(json_sel -s '.[-1].time')
	awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 2.9 && b - a < 4.5) }'
}

# --- 4. SIGTERM in a busy sweep ---------------------------------------

# sweep_term DELAY: SIGTERM a 254-host sweep after DELAY seconds; check
# the output it left.
sweep_term()
{
	local out=$FLAB_DIR/term.out pid st
	ip netns exec "$FLAB-c" "$MPING" -c 3 -p 200 --json 198.18.5.0/24 \
	    >"$out" 2>"$FLAB_DIR/term.err" </dev/null 3>&- &
	pid=$!
	bg_started "$pid"
	sleep "$1"
	kill -TERM "$pid"
	wait "$pid" && st=0 || st=$?
	echo "delay $1 s: status $st, $(wc -l <"$out") lines, stderr: $(cat "$FLAB_DIR/term.err")"
	tail -1 "$out"
	[ "$st" -eq 0 ] || [ "$st" -eq 1 ]
	# Every line parses on its own as one JSON object.
	bad=$(jq -R -r '. as $l | try (fromjson | if type == "object" then empty else "not an object: \($l)" end) catch "bad line: \($l)"' "$out")
	[ -z "$bad" ] || { echo "$bad" | head; return 1; }
	[ -z "$(tail -c 1 "$out")" ]	# ends with a newline
	output=$(cat "$out")
	[ "$(jcount '.type == "summary"')" -eq 254 ]
	[ "$(json_sel -s '[.[] | select(.type == "summary") | .addr] | unique | length')" -eq 254 ]
	jall 'select(.type == "summary") | .sent == .received + .lost + .inflight and .received <= .sent and .sent <= 3'
	[ "$(json_sel -s '.[-1].type')" = '"end"' ]
}

@test "SIGTERM during a /24 sweep: every line parses, 254 consistent summaries" {
	sweep_term 0.3
	# And at a random moment.
	sweep_term "0.$(printf '%02d' $((RANDOM % 60 + 5)))"
}

# --- 5. A setuid-root copy run by nobody --------------------------------

# suid_copy: a setuid-root mping in a directory nobody can reach.
suid_copy()
{
	SUID_DIR=$FLAB_DIR/suid
	mkdir -m 755 "$SUID_DIR" || return 1
	cp "$MPING" "$SUID_DIR/mping"
	chown root "$SUID_DIR/mping"
	chmod 4755 "$SUID_DIR/mping"
	# Nobody may not use ping sockets: only root's raw socket works.
	flab_exec c sysctl -qw "net.ipv4.ping_group_range=1 0"
}

status_of()
{
	awk -v f="$2:" '$1 == f { $1 = ""; sub(/^[ \t]+/, ""); print }' "/proc/$1/status"
}

@test "setuid root, run by nobody: all ids 65534, no capabilities, no_new_privs" {
	suid_copy
	ip netns exec "$FLAB-c" setpriv --reuid=65534 --regid=65534 \
	    --clear-groups -- "$SUID_DIR/mping" -p 100 "$PEER" \
	    >"$FLAB_DIR/suid.out" 2>&1 </dev/null 3>&- &
	pid=$!
	bg_started "$pid"
	sleep 0.5
	grep -E '^(Name|Uid|Gid|Groups|Cap|NoNewPrivs)' "/proc/$pid/status"
	[ "$(cat "/proc/$pid/comm")" = mping ]
	uid=$(status_of "$pid" Uid)
	gid=$(status_of "$pid" Gid)
	cap_eff=$(status_of "$pid" CapEff)
	cap_prm=$(status_of "$pid" CapPrm)
	nnp=$(status_of "$pid" NoNewPrivs)
	kill -TERM "$pid"
	wait "$pid" || true
	cat "$FLAB_DIR/suid.out"
	[ "$(echo $uid)" = "65534 65534 65534 65534" ]
	[ "$(echo $gid)" = "65534 65534 65534 65534" ]
	[ "$cap_eff" = 0000000000000000 ]
	[ "$cap_prm" = 0000000000000000 ]
	[ "$nnp" = 1 ]
	# It did ping (through root's raw socket, ping sockets being off).
	grep -E "^$PEER: seq=0 bytes=64" "$FLAB_DIR/suid.out"
}

@test "setuid root, run by nobody: -f /etc/shadow is read after the drop (denied, exit 2)" {
	suid_copy
	flab_reset_counters
	run --separate-stderr ip netns exec "$FLAB-c" setpriv --reuid=65534 \
	    --regid=65534 --clear-groups -- "$SUID_DIR/mping" -c 1 \
	    -f /etc/shadow </dev/null
	echo "status: $status stdout: $output stderr: $stderr"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == "mping: /etc/shadow: "*"ermission denied"* ]]
	nogrep -q 'root:' <<<"$stderr"
	flab_nothing_sent
}

# --- 6. A closed pipe -------------------------------------------------

@test "mping -p 50 PEER | head -1 returns within 2 s" {
	start=$(date +%s%N)
	run bash -c 'ip netns exec "$FLAB-c" timeout 10 "$MPING" -p 50 "$PEER" </dev/null 3>&- | head -1
	    echo "pipestatus: ${PIPESTATUS[*]}" >&2'
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	echo "$ms ms: $output"
	output=${lines[0]}
	[[ $output == "$PEER: seq=0 bytes=64 "* ]]
	[ "$ms" -lt 2000 ]
}

@test "with SIGPIPE ignored, mping | head -1 returns within 2 s, exit 4" {
	start=$(date +%s%N)
	run bash -c 'trap "" PIPE
	    { ip netns exec "$FLAB-c" timeout 10 "$MPING" -p 50 "$PEER" </dev/null 3>&-
	      echo $? >"$FLAB_DIR/pipe.st"; } 2>"$FLAB_DIR/pipe.err" | head -1'
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	echo "$ms ms: $output; mping: status $(cat "$FLAB_DIR/pipe.st"), stderr $(cat "$FLAB_DIR/pipe.err")"
	[[ $output == "$PEER: seq=0 bytes=64 "* ]]
	[ "$ms" -lt 2000 ]
	[ "$(cat "$FLAB_DIR/pipe.st")" -eq 4 ]
	[ "$(wc -l <"$FLAB_DIR/pipe.err")" -eq 1 ]
}
