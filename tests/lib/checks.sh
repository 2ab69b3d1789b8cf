# shellcheck shell=sh
# Named checks for the integration scripts: PASS/FAIL lines and one recorded count per suite.
# usage: . tests/lib/checks.sh; checks_begin SUITE SCRATCH_FILE; check NAME CMD...; checks_end
# A check runs in the calling shell, so it may start processes later checks use.

checks_begin() {
	checks_suite=$1 checks_out=$2 passed=0 failed=0
}

check() {
	checks_name=$1; shift
	if "$@" >"$checks_out" 2>&1; then
		echo "PASS $checks_suite/$checks_name"; passed=$((passed + 1))
	else
		echo "FAIL $checks_suite/$checks_name"; sed 's/^/    /' "$checks_out" | tail -n 15
		failed=$((failed + 1))
	fi
}

# Prints and records the counts; its status is the suite's.
checks_end() {
	echo "$checks_suite: $passed passed, $failed failed"
	tests/lib/record.sh "integration/$checks_suite" "$passed" "$failed"
	[ "$failed" -eq 0 ]
}
