#!/bin/sh
# Build every tests/fuzz/fuzz_*.c as a libFuzzer target and run each for a bounded time.
# FUZZ_SECONDS (default 20) per target; seeds from tests/fuzz/corpus/<target>/ (copied, not modified).
set -u
cd "$(dirname "$0")/../.."
seconds=${FUZZ_SECONDS:-20}
out=${BUILD:-build}/fuzz
mkdir -p "$out/artifacts"
CFLAGS="-g -O1 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -Isrc
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
status=0
found=0
for src in tests/fuzz/fuzz_*.c; do
	[ -e "$src" ] || continue
	found=1
	name=$(basename "$src" .c)
	bin="$out/$name"
	echo "fuzz: building $name"
	# shellcheck disable=SC2086
	if ! clang $CFLAGS -o "$bin" "$src" src/core/*.c -lcrypto; then
		echo "fuzz: $name does not build"
		tests/lib/record.sh "fuzz/$name" 0 1
		status=1
		continue
	fi
	work=$(mktemp -d)
	[ -d "tests/fuzz/corpus/$name" ] && cp -R "tests/fuzz/corpus/$name/." "$work/"
	echo "fuzz: running $name for ${seconds}s on $(find "$work" -type f | wc -l) seeds"
	if nice "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$out/artifacts/$name-" -print_final_stats=1 "$work" \
		>"$out/$name.log" 2>&1; then
		tail -n 12 "$out/$name.log" | grep -E 'stat::number_of_executed_units|Done' || true
		tests/lib/record.sh "fuzz/$name" 1 0
	else
		echo "fuzz: $name FAILED; log $out/$name.log, artifacts in $out/artifacts/"
		grep -E 'ERROR|runtime error|SUMMARY' "$out/$name.log" | head -n 5
		tests/lib/record.sh "fuzz/$name" 0 1
		status=1
	fi
	rm -rf "$work"
done
[ "$found" -eq 1 ] || { echo "fuzz: no targets"; tests/lib/record.sh fuzz 0 1; exit 1; }
exit $status
