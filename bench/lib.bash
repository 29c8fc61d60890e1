# bench/lib.bash: what bench/run reads off the tools' outputs and runs
# (pure functions of files and numbers: tests/bench.bats tries them on
# crafted outputs).  Sourced by bench/run.

# truth LIST: "target hops" for each target of LIST (in the trace lab)
truth()
{
	awk -F. '{print $0, ($3 >= 192 ? 7 : $3 >= 128 ? 5 : 6)}' "$1"
}

# hops_found TRUTH OUT: "found expected": the (target, hop) pairs of
# traceroute-like OUT (mping's "T:  N  ADDR", or scamper's and
# traceroute's "traceroute ... to T" then " N  ADDR") that name the hop
# the lab has there, and how many TRUTH's targets have in all.
hops_found()
{
	awk 'NR == FNR {k[$1] = $2; want += $2; next}
	    function hop(t, h, a) {
	        if (!(t in k) || h < 1 || h > k[t] || (t, h) in seen) return
	        if (a == (h == k[t] ? t : "198.19." (h - 1) ".1")) {
	            seen[t, h] = 1; n++ } }
	    /^traceroute / {for (i = 1; i < NF; i++) if ($i == "to") t = $(i + 1)
	        next}
	    $1 ~ /^[0-9.]+:$/ && $2 ~ /^[0-9]+$/ {sub(/:$/, "", $1)
	        hop($1, $2 + 0, $3); next}
	    $1 ~ /^[0-9]+$/ {hop(t, $1 + 0, $2)}
	    END {printf "%d %d\n", n, want}' "$1" "$2"
}

# count KIND FILE: replies in a counting run's output
count()
{
	case $1 in
	floor)	cat "$2" ;;
	text)	sed -n 's/.* received=\([0-9]*\).*/\1/p' "$2" |
		    awk '{s += $1} END {print s + 0}' ;;
	json*)	sed -n 's/.*"type":"summary".*"received":\([0-9]*\).*/\1/p' \
		    "$2" | awk '{s += $1} END {print s + 0}' ;;
	fping)	sed -n 's|.*xmt/rcv/%loss = [0-9]*/\([0-9]*\)/.*|\1|p' "$2" |
		    awk '{s += $1} END {print s + 0}' ;;
	ping)	sed -n 's/.*, \([0-9]*\) received.*/\1/p' "$2" ;;
	esac
}

# first_times STRACE: "probe output", milliseconds from the execve of the
# command measured (the last execve in STRACE, after timeout's) to its
# first probe (a send to an IPv4 or IPv6 address: not mping's netlink
# query of the routes) and to its first write on standard output ("-":
# none).
first_times()
{
	awk '$3 ~ /^execve\(/ && $3 !~ /timeout/ && !t0 {t0 = $2}
	    t0 && !p && $3 ~ /^send(to|msg|mmsg)\(/ && /sa_family=AF_INET/ {
	        p = $2}
	    t0 && !o && $3 ~ /^writev?\(1,/ {o = $2}
	    function ms(t) {return t ? sprintf("%.1f", (t - t0) * 1000) : "-"}
	    END {print ms(p), ms(o)}' "$1"
}

# rtts KIND FILE: the RTTs (ms) in an mping --json or a ping output
rtts()
{
	case $1 in
	json)	sed -n 's/.*"type":"reply".*"rtt_ms":\([0-9.]*\).*/\1/p' "$2" ;;
	ping)	sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' "$2" ;;
	esac
}

# f3 NUMBER: with 3 decimals ("-" stays)
f3() { awk -v v="$1" 'BEGIN {if (v == "-" || v == "") print "-"; else printf "%.3f", v}'; }

# med FILE COL: median of column COL
med()
{
	awk -v c="$2" '{print $c}' "$1" | sort -g |
	    awk '{v[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2)
	        print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# cpu: user+sys per run, then the median
medcpu()
{
	awk '{printf "%.3f\n", $2 + $3}' "$1" | sort -g |
	    awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2];
	        else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# pairs A B: CPU of A over B round by round (line k of each .runs file is
# round k, run a few seconds apart), as "median (min-max)": drift of the
# machine's load moves both runs of a round alike, which the ratio of two
# medians of runs taken at different times does not cancel.
pairs()
{
	paste -d ' ' "$1" "$2" | awk '{n = NF / 2; b = $(n + 2) + $(n + 3)
	    if (b > 0) printf "%.3f\n", ($2 + $3) / b}' | sort -g |
	    awk '{v[NR] = $1} END {if (NR == 0) {print "-"; exit}
	        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	        printf "%.2f (%.2f-%.2f)", m, v[1], v[NR]}'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0 && a != "-") printf "%.2f", a / b; else printf "-"}'; }

# per_probe CPU PROBES: microseconds of CPU per probe
per_probe() { awk -v c="$1" -v p="$2" 'BEGIN {printf "%.2f", c * 1e6 / p}'; }
