# lib.sh: what the test scripts share (sourced): the counts, and the ok and
# FAIL lines that tests/run.sh adds up. Each script ends with
# "$pass passed, $fail failed".
pass=0
fail=0

ok() {
	pass=$((pass + 1))
	printf 'ok   %s\n' "$1"
}

# nok NAME [DETAIL...]: a FAIL line, then each DETAIL indented below it.
nok() {
	fail=$((fail + 1))
	printf 'FAIL %s\n' "$1"
	shift
	for detail in "$@"; do
		printf '     %s\n' "$detail"
	done
}
