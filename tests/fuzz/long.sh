#!/bin/sh
# Long fuzzing (`make fuzz-long`): every target (or FUZZ_TARGETS="fuzz_decode ...") in each
# build (FUZZ_BUILDS, default "plain san"), one process at a time, niced. Each run lasts
# FUZZ_SECONDS (default 300) or FUZZ_RUNS executions when set. Afterwards the corpus found is
# merged into tests/fuzz/corpus/<target>/ (-merge=1: only inputs that reach new coverage), and every
# crash, leak, timeout or OOM input is copied into tests/fuzz/regress/<target>/. One line per
# run goes to $BUILD/fuzz/long-results.txt (target, build, executions, seconds, exec/s, result).
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/fuzz/lib.sh
. tests/fuzz/lib.sh
seconds=${FUZZ_SECONDS:-300}
builds=${FUZZ_BUILDS:-plain san}
targets=${FUZZ_TARGETS:-$(for s in tests/fuzz/fuzz_*.c; do basename "$s" .c; done)}
results=$FUZZ_OUT/long-results.txt
status=0

# keep NAME ARTIFACT_PREFIX: every input libFuzzer saved becomes a regression seed.
keep() {
	for a in "$2"*; do
		[ -f "$a" ] || continue
		mkdir -p "tests/fuzz/regress/$1"
		cp "$a" "tests/fuzz/regress/$1/"
		echo "fuzz-long: $1: kept $(basename "$a") as a regression seed"
	done
}

# merge NAME BIN WORK: add to the corpus the inputs of WORK that reach new coverage.
merge() {
	mkdir -p "tests/fuzz/corpus/$1"
	if nice -n 10 "$2" -merge=1 -timeout=10 -rss_limit_mb=2048 "tests/fuzz/corpus/$1" "$3" \
		>"$FUZZ_OUT/$1-merge.log" 2>&1; then
		echo "fuzz-long: $1: corpus now $(find "tests/fuzz/corpus/$1" -type f | wc -l) inputs"
	else
		echo "fuzz-long: $1: merge failed; log $FUZZ_OUT/$1-merge.log"
	fi
}

# one NAME BUILD: build, fuzz, record, keep what it found, merge.
one() {
	bin=$FUZZ_OUT/$2/$1 log=$FUZZ_OUT/$1-$2-long.log art=$FUZZ_OUT/artifacts/$1-$2-
	fuzz_build "$2" "tests/fuzz/$1.c" "$bin" || { echo "fuzz-long: $1 ($2) does not build"; return 1; }
	rm -f "$art"*
	mkdir -p "$FUZZ_OUT/artifacts"
	work=$(mktemp -d)
	fuzz_seeds "$1" "$work"
	if [ -n "${FUZZ_RUNS:-}" ]; then limit="-runs=$FUZZ_RUNS"; else limit="-max_total_time=$seconds"; fi
	echo "fuzz-long: $1 ($2): $limit"
	t0=$(date +%s)
	nice -n 10 "$bin" "$limit" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$art" \
		-print_final_stats=1 "$work" >"$log" 2>&1
	rc=$?
	t=$(( $(date +%s) - t0 ))
	execs=$(fuzz_stat "$log" number_of_executed_units)
	result=ok
	[ "$rc" -eq 0 ] || result="FAILED(rc=$rc)"
	line="$1 $2 ${execs:-0} $t $(( ${execs:-0} / (t > 0 ? t : 1) )) $result $(date -u +%F)"
	echo "fuzz-long: $line"
	echo "$line" >>"$results"
	[ "$rc" -eq 0 ] || grep -E 'ERROR|runtime error|SUMMARY' "$log" | head -n 5
	keep "$1" "$art"
	merge "$1" "$bin" "$work"
	rm -rf "$work"
	[ "$rc" -eq 0 ]
}

mkdir -p "$FUZZ_OUT"
for name in $targets; do
	for b in $builds; do
		one "$name" "$b" || status=1
	done
done
exit $status
