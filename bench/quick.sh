#!/bin/sh
# make bench-quick: every benchmark of make bench at a small scale (well under a minute), so
# that the benchmarks cannot rot: the storm with 1 and 2 receive threads, the flood at one
# rate, the receive cost by instruction count (callgrind) and durability. Checks that each ran
# end to end and printed its figures (dumps stored, table rows); the figures themselves are
# printed, never judged: the machine is shared. Recorded as suite bench-quick.
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
OUT=$BUILD/bench-quick
rm -rf "$OUT"; mkdir -p "$OUT"
# shellcheck source=tests/lib/checks.sh
. tests/lib/checks.sh
checks_begin bench-quick "$OUT/check.out"

# rows FILE N: FILE has N table rows (lines starting "| " and a digit).
rows() { [ "$(grep -c '^| [0-9m]' "$1" 2>/dev/null)" -eq "$2" ]; }
storm() {
	BENCH_HOSTS=400 BENCH_PAD=32768 BENCH_WINDOW=50 BENCH_FRACTION=0.5 BENCH_THREADS="1 2" \
		BENCH_EXTRA=0 BENCH_OUT="$OUT/storm" BUILD=$BUILD bench/run.sh >"$OUT/storm.log" 2>&1
	tail -n 4 "$OUT/storm.log"
	rows "$OUT/storm/rows.md" 2 && [ "$(jq length "$OUT/storm/list-2.json")" -gt 0 ]
}
flood() {
	FLOOD_RATES=20000 FLOOD_SECONDS=3 FLOOD_REAL=10 FLOOD_PAD=8192 FLOOD_OUT="$OUT/flood" \
		BUILD=$BUILD bench/flood.sh >"$OUT/flood.log" 2>&1
	tail -n 3 "$OUT/flood.log"
	rows "$OUT/flood/results.md" 1
}
cost() {
	COST_HOSTS=40 COST_OUT="$OUT/cost" BUILD=$BUILD bench/cost.sh >"$OUT/cost.log" 2>&1
	cat "$OUT/cost.log"
	grep -q "= [1-9][0-9]* per datagram" "$OUT/cost.log"
}
durability() {
	DUR_HOSTS=200 DUR_OUT="$OUT/durability" BUILD=$BUILD bench/durability.sh \
		>"$OUT/durability.log" 2>&1
	tail -n 4 "$OUT/durability.log"
	grep -q "ratio" "$OUT/durability.log"
}
check storm storm
check flood flood
check cost cost
check durability durability
sed 's/^/    /' "$OUT/storm.log" | tail -n 3
echo "bench-quick: $passed passed, $failed failed (load $(cut -d' ' -f1-3 /proc/loadavg))"
tests/lib/record.sh bench-quick "$passed" "$failed"
[ "$failed" -eq 0 ]
