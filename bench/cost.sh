#!/bin/sh
# CPU per datagram of netoopsd's receive side, by instruction count (callgrind): load-independent,
# so before/after comparisons hold on a shared machine. A fixed storm (COST_HOSTS hosts x
# COST_PAD bytes, 2 copies, COST_FORMAT) is sent slowly into netoopsd under callgrind; the
# instructions of the receive thread(s) (callgrind --separate-threads; kernel work not counted)
# are divided by the datagrams received. Knobs: COST_HOSTS (100), COST_PAD (131072),
# COST_FORMAT (netoops), COST_RATE (4000), COST_ARGS (extra netoopsd options), COST_OUT.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
HOSTS=${COST_HOSTS:-300}
PAD=${COST_PAD:-131072}
FORMAT=${COST_FORMAT:-netoops}
RATE=${COST_RATE:-6000}
OUT=${COST_OUT:-$BUILD/bench-cost}
SHARED=${NETOOPS_SHARED:-$(pwd)/tests/data}

rm -rf "$OUT"; mkdir -p "$OUT"
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_tools "$OUT"
texts=$(corpus_texts "$SHARED/corpus/oops-dev/satyr")

dpid=""
# shellcheck disable=SC2154 # rc is set inside the trap
trap 'rc=$?; kill -KILL $dpid 2>/dev/null || true; exit $rc' EXIT
dp=$(free_port)
# shellcheck disable=SC2086
valgrind --tool=callgrind --separate-threads=yes --toggle-collect=loop_run --toggle-collect=shard_main --callgrind-out-file="$OUT/cg.%p" \
	"$BUILD/netoopsd" --listen "127.0.0.1:$dp" --db "$OUT/cost.db" --quiet-ms 3000 \
	${COST_ARGS:-} 2>"$OUT/netoopsd.log" &
dpid=$!
for _ in $(seq 400); do grep -q "listening on" "$OUT/netoopsd.log" && break; sleep 0.05; done
# shellcheck disable=SC2086
"$OUT/nxload" --to "127.0.0.1:$dp" --rate "$RATE" --format "$FORMAT" $texts --pad "$PAD" \
	--hosts "$HOSTS" --host cost --window 20 --copies 2 --seed 42 >"$OUT/load.out"
for _ in $(seq 600); do
	[ "$(grep -c 'stored dump' "$OUT/netoopsd.log")" -ge "$HOSTS" ] && break; sleep 0.1
done
kill -TERM "$dpid"; wait "$dpid" || true; dpid=""
recv=$(sed -n 's/.*stopped: \([0-9]*\) datagrams.*/\1/p' "$OUT/netoopsd.log")
# Only the receive threads (loop_run, shard_main) are collected: other threads' files count 0.
ir=0
for f in "$OUT"/cg.*-*; do
	ir=$((ir + $(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$f")))
done
echo "cost: format $FORMAT, $HOSTS hosts x $PAD bytes x 2 copies: $recv datagrams received," \
	"receive threads $ir instructions = $((ir / (recv > 0 ? recv : 1))) per datagram"
