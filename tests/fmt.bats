#!/usr/bin/env bats
# Number and address formatting: the same text as printf and inet_ntop,
# only faster.
# No root, no network.

bats_require_minimum_version 1.5.0

load unit

setup_file()
{
	cd "$BATS_TEST_DIRNAME/.." || return 1
	unit_build "$BATS_FILE_TMPDIR/fmt_test" fmt_test.c out.c out_text.c \
	    out_csv.c out_json.c out_live.c progress.c fields.c out_fping.c \
	    out_fping_json.c out_dot.c targets.c
}

@test "fmt_fixed, fmt_ulong, addr16_str agree with printf and inet_ntop on 7 million values; the record buffer keeps every byte in order" {
	run "$BATS_FILE_TMPDIR/fmt_test"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[-1]} =~ ^[0-9]+\ checks,\ 0\ failed$ ]]
}
