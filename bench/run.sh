#!/bin/sh
# The crash-storm benchmark: HOSTS hosts each send a PAD-byte dump; first to a null receiver
# (recvmmsg and discard: the ceiling), then to netoopsd at FRACTION of that rate, in the same run.
# Prints datagrams/s, reports/s, the ratio to the null receiver, peak RSS, and how many reports
# ended complete and stored. Knobs (environment): BENCH_HOSTS BENCH_PAD BENCH_WINDOW
# BENCH_FORMAT BENCH_COPIES BENCH_LOSS BENCH_DUP BENCH_REORDER BENCH_FRACTION BENCH_OUT.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
HOSTS=${BENCH_HOSTS:-10000}
PAD=${BENCH_PAD:-131072}
WINDOW=${BENCH_WINDOW:-200}
FORMAT=${BENCH_FORMAT:-netoops}
COPIES=${BENCH_COPIES:-2}
LOSS=${BENCH_LOSS:-0}; DUP=${BENCH_DUP:-0}; REORDER=${BENCH_REORDER:-0}
FRACTION=${BENCH_FRACTION:-0.8}
OUT=${BENCH_OUT:-$BUILD/bench}
SHARED=${NETOOPS_SHARED:-$(pwd)/tests/data}
CORPUS=$SHARED/corpus/oops-dev/satyr

rm -rf "$OUT"; mkdir -p "$OUT"
CC=${CC:-cc}
FLAGS="-O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -Isrc"
# shellcheck disable=SC2086
$CC $FLAGS -o "$OUT/nxload" bench/nxload.c "$BUILD/libnxcore.a" -lcrypto
# shellcheck disable=SC2086
$CC $FLAGS -o "$OUT/nullrecv" bench/nullrecv.c

# shellcheck source=bench/lib.sh
. bench/lib.sh
# Realistic oopses from the corpus (up to 16, one per host in turn).
texts=$(corpus_texts "$CORPUS")

load() {	# load PORT RATE: the storm, as nxload offers it
	# shellcheck disable=SC2086
	"$OUT/nxload" --to "127.0.0.1:$1" --rate "$2" --format "$FORMAT" $texts --pad "$PAD" \
		--hosts "$HOSTS" --host bench --window "$WINDOW" --copies "$COPIES" \
		--loss "$LOSS" --dup "$DUP" --reorder "$REORDER" --seed 42
}

now() { date +%s.%N; }

npid=""; dpid=""
# Whatever happens, leave no receiver behind; keep the exit status.
trap 'rc=$?; kill -KILL $npid $dpid 2>/dev/null || true; exit $rc' EXIT

# ---- 1. the ceiling: null receiver, sender flat out -----------------------------------
np=$(free_port)
"$OUT/nullrecv" "$np" 1500 >"$OUT/null.out" &
npid=$!
sleep 0.3
load "$np" 0 >"$OUT/null-load.out"
wait "$npid"
null_rate=$(kv rate <"$OUT/null.out")
null_recv=$(kv received <"$OUT/null.out")
null_sent=$(kv sent <"$OUT/null-load.out")
echo "null receiver: $(cat "$OUT/null.out")"
echo "  offered:     $(cat "$OUT/null-load.out")"

# ---- 2. netoopsd at FRACTION of the ceiling --------------------------------------------
rate=$(awk -v r="$null_rate" -v f="$FRACTION" 'BEGIN { printf "%d", r * f }')
dp=$(free_port)
db=$OUT/bench.db
"$BUILD/netoopsd" --listen "127.0.0.1:$dp" --db "$db" --quiet-ms 3000 \
	--stats-interval-ms 500 --max-memory "${BENCH_MEMORY:-512M}" 2>"$OUT/netoopsd.log" &
dpid=$!
for _ in $(seq 100); do grep -q "listening on" "$OUT/netoopsd.log" && break; sleep 0.05; done
t0=$(now); b0=$(backlog_drops)
load "$dp" "$rate" >"$OUT/d-load.out"
b1=$(backlog_drops)
t_sent=$(now)
echo "netoopsd:      offered $(cat "$OUT/d-load.out")"

stored() { "$BUILD/netoopsctl" --db "$db" --json stats | jq -r '.stored.dumps'; }
# Wait for the store to catch up: until everything is in, or nothing moves for 10 s.
last=-1; still=0; t_done=$t_sent
while [ "$still" -lt 20 ]; do
	n=$(stored)
	if [ "$n" != "$last" ]; then last=$n; still=0; t_done=$(now); else still=$((still + 1)); fi
	[ "$n" -ge "$HOSTS" ] && break
	sleep 0.5
done
rss_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$dpid/status")
kill -TERM "$dpid"; wait "$dpid" || true

"$BUILD/netoopsctl" --db "$db" --json stats >"$OUT/stats.json"
"$BUILD/netoopsctl" --db "$db" --json list >"$OUT/list.json"
# A fresh database: every dump in it came from this storm (legacy and netconsole dumps
# carry no host name, so they cannot be picked out by name).
complete=$(jq '[.[] | select(.complete)] | length' "$OUT/list.json")
total=$(jq 'length' "$OUT/list.json")
recv=$(jq '.counters.datagrams_received' "$OUT/stats.json")
ovfl=$(jq '.counters.socket_overflow' "$OUT/stats.json")
send_s=$(awk -v a="$t0" -v b="$t_sent" 'BEGIN { print b - a }')
all_s=$(awk -v a="$t0" -v b="$t_done" 'BEGIN { print b - a }')

{
echo "---- crash storm: $HOSTS hosts x $PAD-byte dumps, format $FORMAT, copies $COPIES," \
     "loss $LOSS dup $DUP reorder $REORDER, window $WINDOW"
echo "null receiver:   $null_recv of $null_sent datagrams, $null_rate datagrams/s (ceiling)"
awk -v n="$recv" -v s="$send_s" -v r="$null_rate" -v o="$rate" 'BEGIN {
	printf "netoopsd:        %d datagrams received in %.2f s = %.0f datagrams/s (offered %d/s)\n", n, s, n / s, o
	printf "ratio to null:   %.2f (received rate), offered at %.2f of the ceiling\n", n / s / r, o / r }'
awk -v n="$total" -v s="$all_s" 'BEGIN { printf "reports/s:       %.0f (%d stored in %.2f s from the first datagram)\n", n / s, n, s }'
echo "socket overflow: $ovfl datagrams; kernel backlog drops during the run: $((b1 - b0))"
echo "peak RSS:        $((rss_kb / 1024)) MiB"
echo "stored complete: $complete/$HOSTS (stored in all: $total)"
} | tee "$OUT/results.txt"
BUILD="$BUILD" bench/flood.sh	# the flood figure (issue 7): real dumps among one-datagram fakes
BUILD=$BUILD bench/durability.sh	# FULL vs NORMAL synchronous: dumps/s and fsyncs per dump
BUILD=$BUILD bench/store.sh	# store cost: bytes written per dump, database size per 10,000 dumps
[ "$complete" -eq "$HOSTS" ]
