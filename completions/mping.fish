# fish completion for mping
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The mping authors.

complete -c mping -e

# Targets: host names by default (addresses and CIDR blocks are typed).
complete -c mping -f -a '(__fish_print_hostnames)' -d Target

# Probing
complete -c mping -s c -l count -x -d 'Probes per target (default: until interrupted)'
complete -c mping -s w -l deadline -x -d 'Stop after SECS seconds'
complete -c mping -s p -l period -x -d 'MS between probes to one target (default 1000)'
complete -c mping -s i -l interval -x -d 'Minimum MS between any two sends (default 1)'
complete -c mping -l rate -x -d 'Send at most PPS probes per second'
complete -c mping -s t -l timeout -x -d 'MS to wait for a reply (default 1000)'
complete -c mping -s r -l retries -x -d 'Resend a timed-out probe N times (default 0)'
complete -c mping -s s -l size -x -d 'ICMP (with -U: UDP) payload bytes (default 56)'
complete -c mping -l ttl -x -d 'IPv4 TTL / IPv6 hop limit (1-255)'
complete -c mping -l tos -x -d 'IPv4 TOS / IPv6 traffic class (0-255)'
complete -c mping -l df -d "Set Don't Fragment"
complete -c mping -s S -l source -x -a '(__fish_print_addresses)' -d 'Send from this address'
complete -c mping -s I -l interface -x -a '(__fish_print_interfaces)' -d 'Send through this interface'
complete -c mping -s 4 -d 'Only IPv4 targets'
complete -c mping -s 6 -d 'Only IPv6 targets'
complete -c mping -l method -x -a 'icmp\t"ICMP echo requests (default)" udp\t"UDP datagrams to --port" tcp\t"TCP SYNs to --port"' -d 'Probe method'
complete -c mping -s U -l udp -d 'Probe with UDP datagrams (--method=udp)'
complete -c mping -s T -l tcp -d 'Probe with TCP SYNs (--method=tcp)'
complete -c mping -l port -x -d 'With -U or -T: the port probed (default 33434, TCP 80)'

# Targets
complete -c mping -s f -l file -r -F -d 'Read targets from FILE (- is stdin)'
complete -c mping -s b -l broadcast -d 'Allow broadcast and multicast targets'
complete -c mping -l max-targets -x -d 'Refuse more than N targets (default 1048576)'

# Output
complete -c mping -s q -l quiet -d 'Print only the summary'
complete -c mping -s Q -l report-every -x -d 'Every S seconds, an interval record per target'
complete -c mping -l cumulative -d 'With -Q: count from the start'
complete -c mping -l rtts -d 'With -c: each probe RTT in JSON summaries'
complete -c mping -l down-after -x -d 'A down record after N probes missed in a row'
complete -c mping -l up-after -x -d 'With --down-after: up after N answers in a row (default 1)'
complete -c mping -l prom-file -r -F -d 'Keep a Prometheus textfile of the counts'
complete -c mping -l resolve-every -x -d 'Resolve names again every S seconds (0: never)'
complete -c mping -s m -l all-addresses -d 'Probe every address of a name'
complete -c mping -l random-data -d 'Random payload after the tag'
complete -c mping -l icmp-timestamp -d 'ICMP timestamp requests instead of echo (IPv4)'
complete -c mping -l fwmark -x -d 'Mark every probe N (SO_MARK)'
complete -c mping -s a -l alive -d 'Print each target that answers'
complete -c mping -s u -l unreachable -d 'At the end, print targets that never answered'
complete -c mping -s D -l timestamp -d 'Prefix each line with the Unix time'
complete -c mping -l format -x -a 'text csv json dot' -d 'Output format'
complete -c mping -l csv -d 'CSV output'
complete -c mping -l json -d 'JSON Lines output'
complete -c mping -l color -f -a 'auto always never' -d 'Colour output (--color=WHEN)'
complete -c mping -l live -d 'Full-screen view of every target'
complete -c mping -l progress -d 'Progress line on stderr'
complete -c mping -l no-progress -d 'No progress line on stderr'
complete -c mping -s h -l help -d 'Print help and exit'
complete -c mping -s V -l version -d 'Print version and exit'

# Trace mode
complete -c mping -l trace -d 'Trace the route to each target'
complete -c mping -l trace-down -d 'Trace a target that goes down (--down-after) or never answered (-c)'
complete -c mping -l max-hops -x -d 'Trace: highest TTL probed (default 30)'
complete -c mping -l first-hop -x -d 'Trace: TTL of the first hop (default 1)'
complete -c mping -l queries -x -d 'Trace: probes per hop (default 3)'
complete -c mping -l max-timeouts -x -d 'Trace: give up after N silent hops (default 5)'
complete -c mping -l window -x -d 'Trace: hops in flight per target (default 5)'
complete -c mping -l stop-set -d 'Trace: skip the hops other traces named'
complete -c mping -l no-stop-set -d 'Trace: probe every hop of every trace'
complete -c mping -l flow -x -d 'Trace: flow, the IPv4 checksum of every probe; with -U or -T the source port (default 0)'
complete -c mping -l names -d 'Trace: show hop names'
complete -c mping -l report -d 'Trace: an mtr-style table per target at the end, only that'
complete -c mping -l all-paths -d 'Trace every load-balanced path (MDA)'
complete -c mping -l mda -d 'Same as --all-paths'
complete -c mping -l confidence -x -a '95 99' -d 'All paths: confidence of finding every next hop (default 95)'
