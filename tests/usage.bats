#!/usr/bin/env bats
# Usage and parse errors: exit 3, nothing sent, one clear line on stderr.
# These need no root; as root they run in an empty network namespace.

bats_require_minimum_version 1.5.0
load lab

# mpu ARGS...: run mping where nothing can leave loopback.
mpu()
{
	if lab_is_root; then
		unshare -n "$MPING" "$@" </dev/null
	else
		"$MPING" "$@" </dev/null
	fi
}

# usage_error ARGS...: expect exit 3, no stdout, one stderr line.
usage_error()
{
	run --separate-stderr mpu "$@"
	echo "args: $* status: $status stdout: $output stderr: $stderr"
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == mping:* ]]
}

@test "binary is built" {
	[ -x "$MPING" ]
}

@test "-h prints usage and exits 0" {
	run --separate-stderr mpu -h
	[ "$status" -eq 0 ]
	[[ $output == *[Uu]sage* ]]
}

@test "-V prints a version and exits 0" {
	run --separate-stderr mpu -V
	[ "$status" -eq 0 ]
	[[ $output == *[0-9]* ]]
}

@test "unknown option is a usage error" {
	usage_error --no-such-option 127.0.0.1
}

@test "bad count values are usage errors" {
	usage_error -c abc 127.0.0.1
	usage_error -c 0 127.0.0.1
	usage_error -c -1 127.0.0.1
	usage_error -c 99999999999999999999999 127.0.0.1
}

@test "bad period, timeout, interval are usage errors" {
	usage_error -p abc 127.0.0.1
	usage_error -t -5 127.0.0.1
	usage_error -i x 127.0.0.1
	usage_error -w abc 127.0.0.1
}

@test "size out of range is a usage error" {
	usage_error -s 23 127.0.0.1
	usage_error -s 65528 127.0.0.1
}

@test "ttl and tos out of range are usage errors" {
	usage_error --ttl 0 127.0.0.1
	usage_error --ttl 256 127.0.0.1
	usage_error --tos 256 127.0.0.1
}

@test "unknown format is a usage error" {
	usage_error --format xml 127.0.0.1
}

@test "missing option argument is a usage error" {
	usage_error 127.0.0.1 -c
}

@test "bad --max-targets is a usage error" {
	usage_error --max-targets abc 127.0.0.1
}
