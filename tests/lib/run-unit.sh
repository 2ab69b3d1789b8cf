#!/bin/sh
# Run cmocka test binaries, echo their output, and record each one's counts.
# usage: run-unit.sh LABEL BINARY...
set -u
label=$1; shift
status=0
[ $# -gt 0 ] || { echo "$label: no test binaries"; tests/lib/record.sh "$label" 0 1; exit 1; }
for bin in "$@"; do
	case "$bin" in *.d|*.o) continue ;; esac
	[ -x "$bin" ] || continue
	name="$label/$(basename "$bin")"
	out=$(mktemp)
	NETOOPS_SHARED=${NETOOPS_SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/tests/data} \
		"$bin" >"$out" 2>&1
	rc=$?
	cat "$out"
	passed=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
	failed=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
	passed=${passed:-0}; failed=${failed:-0}
	# A crash or a non-zero exit without a cmocka failure line still fails.
	if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
		echo "$name: exited with status $rc"
		failed=1
	fi
	[ "$failed" -eq 0 ] || status=1
	tests/lib/record.sh "$name" "$passed" "$failed"
	rm -f "$out"
done
exit $status
