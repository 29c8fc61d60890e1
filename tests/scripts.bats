#!/usr/bin/env bats
# Output for scripts: every JSON line of a varied run checked against the
# documented fields, the CSV of such a run read by a strict RFC 4180
# parser, and text and JSON agreeing on the same targets.
#
# Names with awkward bytes come from the client's /etc/hosts (ip netns exec
# bind-mounts /etc/netns/NAME/hosts).  glibc's files backend takes any
# run of bytes other than blanks, newline and '#' as a name: double
# quotes, backslashes, UTF-8 and invalid UTF-8 all resolve (checked below).

bats_require_minimum_version 1.5.0
load lab

setup_file()
{
	lab_up || return 1
	lab_is_root || return 0
	# lab-q"uote, lab-back\slash, lab-ü (UTF-8), lab-<ff><fe> (invalid).
	printf '198.18.0.21\tlab-q"uote\n198.18.0.22\tlab-back\\slash\n198.18.0.23\tlab-\xc3\xbc\n198.18.0.24\tlab-\xff\xfe\n' \
	    >>"/etc/netns/$LAB-c/hosts"
	printf '%s\n' 198.18.0.1 198.18.9.1 198.51.100.1 192.0.2.225 \
	    203.0.113.40 'lab-q"uote' 'lab-back\slash' $'lab-\xc3\xbc' \
	    $'lab-\xff\xfe' no-such-name.invalid 300.1.2.3 \
	    >"$LAB_DIR/targets"
}
teardown_file()	{ lab_down; }
setup()		{ lab_require_root; }
teardown()	{ responder_stop_all; }

# The documented fields of each record type (man/mping.1), in order.
KEYS_START='["type","time","targets","version","mode","method","count","period_ms","interval_ms","timeout_ms","retries","payload_size","probe_ttl","deadline_s"]'
KEYS_REPLY='["type","time","target","addr","from","seq","size","ttl","rtt_ms","dup","late","foreign","method","tos"]'
KEYS_TIMEOUT='["type","time","target","addr","seq","method"]'
KEYS_ERROR='["type","time","target","addr","seq","from","icmp_type","icmp_code","error","mtu","reason","method"]'
KEYS_BAD='["type","time","target","reason"]'
KEYS_SUMMARY='["type","target","addr","sent","received","lost","inflight","loss_pct","errors","dups","rtt_min_ms","rtt_avg_ms","rtt_max_ms","rtt_stddev_ms","jitter_ms","method"]'
KEYS_END='["type","time","targets","answered","dropped","exit_status"]'

# A run with replies, duplicates, timeouts, router and local errors, bad
# targets and names with awkward bytes.
varied()
{
	responder_start dup --addr 203.0.113.40 --dup 2
	mp -c 4 -p 100 -t 400 -f "$LAB_DIR/targets" "$@"
}

@test "json: every line of a varied run has exactly its type's fields, typed" {
	run --separate-stderr varied --json
	echo "$output"
	[ "$status" -eq 2 ]	# bad targets
	# Every line is one JSON object (jq fails on anything else).
	[ "$(jq -c . <<<"$output" | wc -l)" -eq "$(wc -l <<<"$output")" ]
	jall "if .type == \"start\" then keys_unsorted == $KEYS_START
	    elif .type == \"reply\" then keys_unsorted == $KEYS_REPLY
	    elif .type == \"timeout\" then keys_unsorted == $KEYS_TIMEOUT
	    elif .type == \"error\" then keys_unsorted == $KEYS_ERROR
	    elif .type == \"bad-target\" then keys_unsorted == $KEYS_BAD
	    elif .type == \"summary\" and .addr == null then
	    keys_unsorted == $KEYS_SUMMARY + [\"reason\"]
	    elif .type == \"summary\" then keys_unsorted == $KEYS_SUMMARY
	    elif .type == \"end\" then keys_unsorted == $KEYS_END
	    else false end"
	# Each type is there, in the expected numbers.
	[ "$(jcount '.type == "start"')" -eq 1 ]
	[ "$(jcount '.type == "end"')" -eq 1 ]
	# The names that did not resolve have theirs too, with a reason.
	[ "$(jcount '.type == "summary"')" -eq 11 ]
	[ "$(jcount '.type == "summary" and .addr == null and .sent == 0')" -eq 2 ]
	[ "$(jcount '.type == "bad-target"')" -eq 2 ]
	[ "$(jcount '.type == "reply" and .dup')" -eq 8 ]
	[ "$(jcount '.type == "timeout" and .target == "198.18.9.1"')" -eq 4 ]
	[ "$(jcount '.type == "error" and .from == "local"')" -eq 4 ]
	# r2's errors: Linux limits them per source (see lab.bash), so some
	# may come as timeouts when other runs share the budget.
	[ "$(jcount '.type == "error" and .from == "192.0.2.18"')" -ge 1 ]
	[ "$(jcount '.target == "198.51.100.1" and (.type == "error" or .type == "timeout")')" -eq 4 ]
	# Types of values; absent numbers are null, never "" or 0.
	jall 'select(.type != "start") | (.time | type) == "number" or .type == "summary"'
	jall 'select(.type == "reply") | (.seq, .size, .ttl, .rtt_ms | type) == "number"'
	jall 'select(.type == "reply") | (.dup, .late, .foreign | type) == "boolean"'
	jall 'select(.type == "error" and .from == "local") | .icmp_type == null and .icmp_code == null and .mtu == null'
	jall 'select(.type == "error" and .from != "local") | .icmp_type == 3 and .icmp_code == 1 and .error == "host-unreachable" and .reason == null'
	jall 'select(.type == "summary" and .addr == null) | .loss_pct == null and .sent == 0 and (.reason | type) == "string"'
	jall 'select(.type == "summary" and .received == 0 and .addr != null) | .rtt_min_ms == null and .rtt_avg_ms == null and .rtt_max_ms == null and .rtt_stddev_ms == null and .loss_pct == 100'
	jall 'select(.type == "summary" and .received > 0) | ([.rtt_min_ms, .rtt_avg_ms, .rtt_max_ms, .rtt_stddev_ms] | map(type) | unique) == ["number"]'
	jall 'select(.type == "summary" and .addr != null) | ([.sent, .received, .lost, .inflight, .errors, .dups, .loss_pct] | map(type) | unique) == ["number"]'
	jall 'select(.type == "start") | .version == 1 and .mode == "ping" and .count == 4 and .probe_ttl == null and .deadline_s == null'
	jall 'select(.type == "end") | .exit_status == 2 and .targets == 9 and .answered == 6'
	# Names arrive intact; invalid UTF-8 becomes U+FFFD, nothing else.
	names=$(json_sel -r 'select(.type == "summary") | .target')
	grep -qxF 'lab-q"uote' <<<"$names"
	grep -qxF 'lab-back\slash' <<<"$names"
	grep -qxF $'lab-\xc3\xbc' <<<"$names"
	grep -qxF $'lab-\xef\xbf\xbd\xef\xbf\xbd' <<<"$names"
	[ "$(jcount '.type == "summary" and .target == "lab-q\"uote" and .addr == "198.18.0.21" and .received == 4')" -eq 1 ]
	[ "$(jcount '.type == "summary" and .addr == "198.18.0.24" and .received == 4')" -eq 1 ]
	# The raw line escapes the quote and the backslash.
	grep -qF '"target":"lab-q\"uote"' <<<"$output"
	grep -qF '"target":"lab-back\\slash"' <<<"$output"
	json_sel -r 'select(.type == "bad-target") | .target' | sort | grep -qx 'no-such-name.invalid'
}

# csv_check FILE: parse strictly (RFC 4180); print "rows columns".
csv_check()
{
	python3 - "$1" <<-'PY'
	import csv, sys
	raw = open(sys.argv[1], "rb").read()
	# Every record ends with CRLF, and nothing ends with a bare LF.
	assert raw.endswith(b"\r\n"), "no CRLF at the end"
	assert raw.count(b"\n") == raw.count(b"\r\n"), "bare LF"
	text = raw.decode("utf-8", "surrogateescape")
	rows = list(csv.reader(text.splitlines(keepends=True), strict=True))
	width = len(rows[0])
	assert all(len(r) == width for r in rows), "rows of different widths"
	print(len(rows) - 1, width)
	PY
}

@test "csv: a varied run reads back with a strict RFC 4180 parser, one layout" {
	status=0
	varied --csv >"$BATS_TEST_TMPDIR/out.csv" 2>/dev/null || status=$?
	[ "$status" -eq 2 ]
	read -r rows cols < <(csv_check "$BATS_TEST_TMPDIR/out.csv")
	[ "$rows" -gt 40 ]
	# Column names are the JSON field names, type first.
	header=$(head -1 "$BATS_TEST_TMPDIR/out.csv" | tr -d '\r')
	[ "${header%%,*}" = type ]
	varied --json >"$BATS_TEST_TMPDIR/out.json" 2>/dev/null || true
	jsonkeys=$(jq -r 'keys_unsorted[]' "$BATS_TEST_TMPDIR/out.json" | sort -u)
	# (-b's responders; joined and left: the reload record's, a run
	# with -f FILE has their columns, and no SIGHUP came.)
	for k in $(tr , '\n' <<<"$header"); do
		grep -qx "$k" <<<"$jsonkeys" || [ "$k" = responders ] ||
		    [ "$k" = joined ] || [ "$k" = left ]
	done
	[ "$cols" -eq "$(tr , '\n' <<<"$header" | wc -l)" ]
	# The awkward names are quoted where they must be.
	grep -qF '"lab-q""uote"' "$BATS_TEST_TMPDIR/out.csv"
	# With -q: the summary layout only, one row per target.
	varied --csv -q >"$BATS_TEST_TMPDIR/q.csv" 2>/dev/null || true
	read -r rows cols < <(csv_check "$BATS_TEST_TMPDIR/q.csv")
	[ "$rows" -eq 11 ]
	head -1 "$BATS_TEST_TMPDIR/q.csv" | grep -q '^type,target,addr,sent,received,lost,'
}

# Targets whose outcome is the same in every run: always answers, never
# answers, a local error, and every 4th reply lost (nftables counts: 8
# probes per run keep the phase).  Not r2's errors: they are rate-limited.
DET="198.18.0.1 198.18.9.1 192.0.2.225 198.18.9.2"

@test "text and JSON agree: counts per target, RTTs to the printed precision" {
	run --separate-stderr mp -c 8 -p 50 -t 300 $DET
	text=$output
	run --separate-stderr mp -c 8 -p 50 -t 300 --json $DET
	json=$output
	for t in $DET; do
		s=$(grep -E "^$t: sent=" <<<"$text")
		echo "$s"
		want=$(jq -r --arg t "$t" 'select(.type == "summary" and .target == $t) |
		    "sent=\(.sent) received=\(.received) loss=\(.loss_pct | round)%" +
		    (if .errors > 0 then " errors=\(.errors)" else "" end)' <<<"$json")
		[ "${s/ rtt min*ms/}" = "$t: $want" ]
		# Same outcome for each probe.
		diff <(grep -E "^$t: seq=" <<<"$text" |
		    sed -E 's/^[^:]*: seq=([0-9]+) (bytes|timeout|host-unreachable|net-unreachable).*/\1 \2/' | sort) \
		    <(jq -r --arg t "$t" 'select(.target == $t and .seq != null) |
		    "\(.seq) \(if .type == "reply" then "bytes" elif .type == "timeout" then "timeout" else .error end)"' <<<"$json" | sort)
	done
	# Within each run, the summary is the replies' RTTs as printed:
	# 3 decimals in both, and min/max equal to the extreme replies.
	t=198.18.0.1
	rtts=$(sed -nE "s/^$t: seq=[0-9]+ .* rtt=([0-9.]+) ms$/\1/p" <<<"$text")
	[ "$(wc -l <<<"$rtts")" -eq 8 ]
	minmax=$(sort -n <<<"$rtts" | sed -n '1p;$p' | paste -sd/)
	grep -qE "^$t: .* rtt min/avg/max/stddev=${minmax%/*}/[0-9.]+/${minmax#*/}/" <<<"$text"
	jall "select(.type == \"reply\" and .target == \"$t\") | (.rtt_ms * 1000 | floor) == (.rtt_ms * 1000)"
	jmin=$(jq -s --arg t "$t" '[.[] | select(.type == "reply" and .target == $t) | .rtt_ms] | min' <<<"$json")
	jmax=$(jq -s --arg t "$t" '[.[] | select(.type == "reply" and .target == $t) | .rtt_ms] | max' <<<"$json")
	output=$json
	jall "select(.type == \"summary\" and .target == \"$t\") | .rtt_min_ms == $jmin and .rtt_max_ms == $jmax"
}
