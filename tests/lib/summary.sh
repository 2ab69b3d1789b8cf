#!/bin/sh
# Add up the suites' results into the one line CI reads; non-zero exit on any failure.
set -eu
results=${BUILD:-build}/check/results
if [ ! -s "$results" ]; then
	echo "no test results recorded in $results"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "---- results by suite ----"
awk '{ printf "  %-32s %5d passed %5d failed\n", $1, $2, $3 }' "$results"
awk '{ p += $2; f += $3 } END { printf "%d passed, %d failed\n", p, f; exit (f > 0 || p == 0) }' "$results"
