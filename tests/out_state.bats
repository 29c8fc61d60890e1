#!/usr/bin/env bats
# Formatters keep their state in their own object (issue 12): a C test of
# the out layer (tests/out_state_test.c), and a check of the source of the
# out layer for file-scope state, long functions, and a view naming
# another formatter.  No network.

bats_require_minimum_version 1.5.0

MOU_SRC="$BATS_TEST_DIRNAME/../src"

setup()		{ cd "$BATS_TEST_DIRNAME/.." || return 1; }

load unit

setup_file()
{
	cd "$BATS_TEST_DIRNAME/.." || return 1
	unit_build "$BATS_FILE_TMPDIR/out_state_test" out_state_test.c \
	    out.c out_text.c out_csv.c out_json.c out_live.c progress.c \
	    fields.c out_fping.c out_dot.c out_fping_json.c
}

# The out layer's files.
mou_files()
{
	echo "$MOU_SRC"/out*.c "$MOU_SRC"/progress.c "$MOU_SRC"/fields.c
}

@test "out layer: two CSV runs in one process, --live's summaries and its terminal on exit" {
	run "$BATS_FILE_TMPDIR/out_state_test"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "3 checks, 0 failed" ]
}

@test "out layer: no mutable static data but the signal-flag kind (volatile sig_atomic_t)" {
	local f sym
	# What the compiler put in .data or .bss: mutable, file or function
	# scope (a function's static is name.N); without -fpic, const tables of
	# pointers are read-only data (r), not .data.rel.ro (d).
	for f in $(mou_files); do
		cc -O1 -fno-pic -D_GNU_SOURCE -std=c99 -Isrc -c \
		    -o "$BATS_TEST_TMPDIR/o.o" "$f"
		for sym in $(nm "$BATS_TEST_TMPDIR/o.o" |
		    awk '$2 ~ /^[bBdD]$/ { sub(/\..*/, "", $3); print $3 }'); do
			grep -q "volatile sig_atomic_t[ \t]*$sym;" "$f" ||
			    echo "$f: $sym" >>"$BATS_TEST_TMPDIR/found"
		done
	done
	touch "$BATS_TEST_TMPDIR/found"
	cat "$BATS_TEST_TMPDIR/found"
	[ ! -s "$BATS_TEST_TMPDIR/found" ]
}

@test "out layer: no function over 80 lines; a view names no other formatter" {
	run awk '
	    /^[a-z_A-Z][a-zA-Z0-9_]*\(/ { name = $0; sub(/\(.*/, "", name) }
	    /^\{/ { start = FNR }
	    /^\}/ && start { if (FNR - start + 1 > 80)
		print FILENAME ": " name " " FNR - start + 1; start = 0 }
	' $(mou_files)
	echo "$output"
	[ -z "$output" ]
	# out.c picks the formatter a view hands records to (o->inner).
	run grep -nE 'out_(text|csv|json)_ops' "$MOU_SRC/out_live.c"
	echo "$output"
	[ "$status" -eq 1 ]
}
