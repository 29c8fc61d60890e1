# unit.bash: building the C unit tests (tests/*_test.c) of the bats files
# that drive them, and running one group of checks.
#
# src/'s objects are compiled once per set of flags and per content of
# src/ and tests/*.h (the key: a SHA-256 of them and of the compiler's
# version), as many at a time as there are cores, into tests/.objs/KEY,
# and kept there (git ignores it; "git clean -fdX" removes it).  Five
# files link the whole of src/: each compiling it again took 10 s, 20 s
# under ASan, and CI runs the suite twice.  A key not used for a day is
# removed.

UNIT_REPO="$(cd "${BATS_TEST_DIRNAME:-$(dirname "${BASH_SOURCE[0]}")}/.." && pwd)"
UNIT_CFLAGS="-std=c99 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -g"
# tests/engine_unit.bats' ASan+UBSan build of the engine test.
UNIT_SAN_CFLAGS="-std=c99 -D_GNU_SOURCE -O1 -g -fno-omit-frame-pointer"
UNIT_SAN_CFLAGS="$UNIT_SAN_CFLAGS -fsanitize=address,undefined -fno-sanitize-recover=all"

# _unit_compile FLAGS DIR: compile src/'s objects (all but main.o) with
# FLAGS into DIR, which must not exist yet.
_unit_compile()
{
	local tmp f objs=()

	tmp=$(mktemp -d "${2%/*}/new.XXXXXX") || return 1
	for f in "$UNIT_REPO"/src/*.c; do
		f=${f##*/}
		[ "$f" = main.c ] || objs+=("${f%.c}.o")
	done
	# vpath, not VPATH: the objects in src/ are the build's, not these.
	printf 'vpath %%.c $(SRC)\n%%.o: %%.c ; $(CC) $(UFLAGS) -c -o $@ $<\n' |
	    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -j "$(nproc)" \
	    -C "$tmp" -f - SRC="$UNIT_REPO/src" \
	    UFLAGS="$1 -I$UNIT_REPO/src" "${objs[@]}" >&2 &&
	    mv -T "$tmp" "$2" || { rm -rf "$tmp"; return 1; }
}

# unit_objs FLAGS: the directory of src/'s objects (all but main.o)
# compiled with FLAGS (one word list), compiled now if not yet.  Files
# run side by side wait for the one compiling (flock).
unit_objs()
{
	local top=$UNIT_REPO/tests/.objs key dir

	# A tree we may not write to: the objects for this file only.
	[ -w "$UNIT_REPO/tests" ] || top=${BATS_FILE_TMPDIR:-/tmp}/objs
	key=$( { printf '%s\n' "$1"; cc --version | head -n 1;
	    cat "$UNIT_REPO"/src/*.[ch] "$UNIT_REPO"/tests/*.h; } |
	    sha256sum | cut -c 1-16)
	dir=$top/$key
	mkdir -p "$top" || return 1
	( flock 9 && { [ -d "$dir" ] || _unit_compile "$1" "$dir"; } ) \
	    9>"$top/lock" || return 1
	touch "$dir"
	find "$top" -mindepth 1 -maxdepth 1 -type d -mmin +1440 \
	    -exec rm -rf {} +
	echo "$dir"
}

# unit_cc FLAGS OUT TEST.c [SRC.c...]: link the unit test TEST.c
# (tests/, compiled with FLAGS) as OUT with the objects of the SRC files
# of src/ (their names: icmp4.c), or of all of src/ but main.c.
unit_cc()
{
	local flags=$1 out=$2 test=$3 dir f objs=()
	shift 3

	dir=$(unit_objs "$flags") || return 1
	if [ $# -eq 0 ]; then
		objs=("$dir"/*.o)
	else
		for f in "$@"; do
			objs+=("$dir/${f%.c}.o")
		done
	fi
	cc $flags -I"$UNIT_REPO/src" -I"$UNIT_REPO/tests" -o "$out" \
	    "$UNIT_REPO/tests/$test" "${objs[@]}" -lm
}

# unit_build OUT TEST.c [SRC.c...]: unit_cc with the usual flags.
unit_build()
{
	unit_cc "$UNIT_CFLAGS" "$@"
}

# unit_group BIN NAME: run group NAME of the unit test BIN; it must pass
# and say so ("ok - NAME" first, "N checks, 0 failed" last).
unit_group()
{
	run "$1" "$2"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "ok - $2" ]
	[[ ${lines[-1]} =~ ^[0-9]+\ checks,\ 0\ failed$ ]]
}

# unit_prebuild: compile src/'s objects for both sets of flags now (what
# .ci/run does while the fuzzer runs), so that the first files that link
# them do not wait for it.
unit_prebuild()
{
	unit_objs "$UNIT_CFLAGS" >/dev/null &&
	unit_objs "$UNIT_SAN_CFLAGS" >/dev/null
}
