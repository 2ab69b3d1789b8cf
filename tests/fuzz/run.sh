#!/bin/sh
# Fuzz smoke (`make check-fuzz`): build every tests/fuzz/fuzz_*.c with libFuzzer + ASan + UBSan,
# replay its regression seeds (tests/fuzz/regress/<target>/), then fuzz it for FUZZ_SECONDS
# (default 20) from its corpus and those seeds (copied, not modified). See tests/fuzz/README.md.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/fuzz/lib.sh
. tests/fuzz/lib.sh
seconds=${FUZZ_SECONDS:-20}
mkdir -p "$FUZZ_OUT/artifacts"
status=0
found=0
for src in tests/fuzz/fuzz_*.c; do
	[ -e "$src" ] || continue
	found=1
	name=$(basename "$src" .c)
	bin="$FUZZ_OUT/smoke/$name"
	log="$FUZZ_OUT/$name.log"
	echo "fuzz: building $name"
	if ! fuzz_build san "$src" "$bin"; then
		echo "fuzz: $name does not build"
		tests/lib/record.sh "fuzz/$name" 0 1
		status=1
		continue
	fi
	if ! fuzz_replay "$bin" "$name" >"$log" 2>&1; then
		echo "fuzz: $name fails on a regression seed; log $log"
		grep -E 'Running:|ERROR|runtime error|SUMMARY' "$log" | tail -n 5
		tests/lib/record.sh "fuzz/$name" 0 1
		status=1
		continue
	fi
	work=$(mktemp -d)
	fuzz_seeds "$name" "$work"
	echo "fuzz: running $name for ${seconds}s on $(find "$work" -type f | wc -l) seeds"
	if nice "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$FUZZ_OUT/artifacts/$name-" -print_final_stats=1 "$work" \
		>>"$log" 2>&1; then
		echo "fuzz: $name $(fuzz_stat "$log" number_of_executed_units) executions"
		tests/lib/record.sh "fuzz/$name" 1 0
	else
		echo "fuzz: $name FAILED; log $log, artifacts in $FUZZ_OUT/artifacts/"
		grep -E 'ERROR|runtime error|SUMMARY' "$log" | head -n 5
		tests/lib/record.sh "fuzz/$name" 0 1
		status=1
	fi
	rm -rf "$work"
done
[ "$found" -eq 1 ] || { echo "fuzz: no targets"; tests/lib/record.sh fuzz 0 1; exit 1; }
exit $status
