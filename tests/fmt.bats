#!/usr/bin/env bats
# Number and address formatting: the same text as printf and inet_ntop,
# only faster.
# No root, no network.

bats_require_minimum_version 1.5.0

setup_file()
{
	cd "$BATS_TEST_DIRNAME/.." || return 1
	cc -O2 -D_GNU_SOURCE -Isrc -o "$BATS_FILE_TMPDIR/fmt_test" \
	    tests/fmt_test.c src/out.c src/out_text.c src/out_csv.c \
	    src/out_json.c src/out_live.c src/progress.c src/fields.c \
	    src/out_fping.c src/out_fping_json.c src/out_dot.c src/targets.c -lm
}

@test "fmt_fixed, fmt_ulong, addr16_str agree with printf and inet_ntop on 7 million values; the record buffer keeps every byte in order" {
	run "$BATS_FILE_TMPDIR/fmt_test"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[-1]} =~ ^[0-9]+\ checks,\ 0\ failed$ ]]
}
