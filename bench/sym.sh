#!/bin/sh
# Symbolization cost (docs/symbolize.md): reports/s with symbolization on vs off, debug files
# cached, and the latency it adds to one report; then the same end to end in netoopsd: how long
# after being stored a report is symbolized. Uses the 6.1 crash-test dump of the unit tests, the
# crash-test module built here with debug info (kmod/) and, when tests/sym/fetch-dbg.sh has
# fetched it, the real vmlinux debug file of that kernel. Knobs: BENCH_SYM_N (default 2000).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
OUT=${BENCH_OUT:-$BUILD/bench}/sym
N=${BENCH_SYM_N:-2000}
CACHE=${NETOOPS_CACHE:-$(pwd)/.cache}
mkdir -p "$OUT"
# shellcheck source=bench/lib.sh
. bench/lib.sh

make -s -C kmod >/dev/null 2>&1 || true
ko=kmod/crashtest/netoops_crashtest.ko
[ -f "$ko" ] || { echo "sym bench: no $ko (make -C kmod)"; exit 1; }
rel=$(cat "$CACHE/vm/k/6.1/release" 2>/dev/null || echo none)
dbg=$CACHE/vm/dbg/$rel/root/usr/lib/debug
dirs=kmod/crashtest
if [ -f "$dbg/lib/modules/$rel/vmlinux" ]; then dirs="$dirs $dbg"; else
	echo "sym bench: no vmlinux debug file (tests/sym/fetch-dbg.sh): module frames only"; fi
# the unit tests' 6.1 null dump, as if from the kernel whose debug file is here
sed "s/6\.1\.0-[0-9]*-amd64/$rel/g" tests/unit/data/analyse/vm-6.1-null-dump.txt >"$OUT/dump.txt"

cc -O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -Isrc -o "$OUT/sym_bench" \
	bench/sym_bench.c "$BUILD/libnxsym.a" "$BUILD/libnxstore.a" "$BUILD/libnxcore.a" \
	-ldw -lelf -ldebuginfod -ljansson -lsqlite3 -lzstd -lcrypto -lisal
# shellcheck disable=SC2086 # the folders are separate words
nice "$OUT/sym_bench" "$OUT/dump.txt" "$N" $dirs | tee "$OUT/results.txt"

# ---- end to end: 200 dumps into netoopsd with a symbolizer, stored vs symbolized ----
port=$(free_port)
db=$OUT/sym.db
rm -f "$db"*
set --
for d in $dirs; do set -- "$@" --debuginfo "$d"; done
"$BUILD/netoopsd" --listen "127.0.0.1:$port" --db "$db" --quiet-ms 500 "$@" >"$OUT/netoopsd.log" 2>&1 &
dpid=$!
trap 'kill $dpid 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -qs "listening on" "$OUT/netoopsd.log" && break; sleep 0.05; done
bench_tools "$OUT"
t0=$(date +%s.%N)
"$OUT/nxload" --to "127.0.0.1:$port" --text "$OUT/dump.txt" --hosts 200 --host sym --release "$rel" >/dev/null
count() { "$BUILD/netoopsctl" --db "$db" --json stats | jq -r "$1"; }
t_stored=""
for _ in $(seq 600); do
	s=$(count '.stored.dumps'); y=$(count '(.counters.symbolized_ok // 0) + (.counters.symbolized_partial // 0)')
	[ -n "$t_stored" ] || [ "$s" -lt 200 ] || t_stored=$(date +%s.%N)
	[ "$y" -ge 200 ] && break
	sleep 0.1
done
t_sym=$(date +%s.%N)
kill -TERM "$dpid"; wait "$dpid" || true
awk -v a="$t0" -v b="${t_stored:-$t_sym}" -v c="$t_sym" -v y="$y" 'BEGIN {
	printf "netoopsd: 200 dumps stored %.2f s after the first datagram, %d symbolized %.2f s after (%.2f s later)\n", b - a, y, c - a, c - b }' |
	tee -a "$OUT/results.txt"
