#!/bin/sh
# The crash-storm benchmark: HOSTS hosts each send a PAD-byte dump; first to a null receiver
# (recvmmsg and discard: the ceiling), then to netoopsd at FRACTION of that rate, in the same run.
# Prints datagrams/s, reports/s, the ratio to the null receiver, peak RSS, and how many reports
# ended complete and stored. Knobs (environment): BENCH_HOSTS BENCH_PAD BENCH_WINDOW
# BENCH_FORMAT BENCH_COPIES BENCH_LOSS BENCH_DUP BENCH_REORDER BENCH_FRACTION BENCH_OUT,
# BENCH_THREADS (receive-threads values, one netoopsd run each: "1 2"), BENCH_EXTRA (1: then
# the flood and durability benchmarks too; 0: the storm only).
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
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_tools "$OUT"
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
cleanup() { rc=$?; kill -KILL $npid $dpid 2>/dev/null || true; exit "$rc"; }
trap cleanup EXIT

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

# ---- 2. netoopsd at FRACTION of the ceiling, once per receive-threads value ---------------
rate=$(awk -v r="$null_rate" -v f="$FRACTION" 'BEGIN { printf "%d", r * f }')
# cpu_s PID: user + system CPU seconds of every thread of PID so far.
cpu_s() { awk -v t="$(getconf CLK_TCK)" '{ print ($14 + $15) / t }' "/proc/$1/stat"; }
status=0
# storm THREADS: one netoopsd run; a table row into $OUT/rows.md; status 1 unless all stored.
storm() {
	dp=$(free_port)
	db=$OUT/bench-$1.db
	rm -f "$db"
	"$BUILD/netoopsd" --listen "127.0.0.1:$dp" --db "$db" --quiet-ms 3000 \
		--stats-interval-ms 500 --max-memory "${BENCH_MEMORY:-512M}" \
		--receive-threads "$1" 2>"$OUT/netoopsd-$1.log" &
	dpid=$!
	for _ in $(seq 100); do grep -q "listening on" "$OUT/netoopsd-$1.log" && break; sleep 0.05; done
	t0=$(now); b0=$(backlog_drops)
	load "$dp" "$rate" >"$OUT/d-load-$1.out"
	b1=$(backlog_drops)
	t_sent=$(now)
	echo "netoopsd ($1 receive threads): offered $(cat "$OUT/d-load-$1.out")"
	# Wait for the store to catch up: until everything is in, or nothing moves for 10 s.
	last=-1; still=0; t_done=$t_sent
	while [ "$still" -lt 20 ]; do
		n=$("$BUILD/netoopsctl" --db "$db" --json stats | jq -r '.stored.dumps')
		if [ "$n" != "$last" ]; then last=$n; still=0; t_done=$(now); else still=$((still + 1)); fi
		[ "$n" -ge "$HOSTS" ] && break
		sleep 0.5
	done
	rss_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$dpid/status")
	cpu=$(cpu_s "$dpid")
	kill -TERM "$dpid"; wait "$dpid" || true; dpid=""
	"$BUILD/netoopsctl" --db "$db" --json stats >"$OUT/stats-$1.json"
	"$BUILD/netoopsctl" --db "$db" --json list >"$OUT/list-$1.json"
	# A fresh database: every dump in it came from this storm (legacy and netconsole dumps
	# carry no host name, so they cannot be picked out by name).
	complete=$(jq '[.[] | select(.complete)] | length' "$OUT/list-$1.json")
	total=$(jq 'length' "$OUT/list-$1.json")
	recv=$(jq '.counters.datagrams_received' "$OUT/stats-$1.json")
	ovfl=$(jq '.counters.socket_overflow' "$OUT/stats-$1.json")
	waits=$(jq '.counters.queue_waits' "$OUT/stats-$1.json")
	send_s=$(awk -v a="$t0" -v b="$t_sent" 'BEGIN { print b - a }')
	all_s=$(awk -v a="$t0" -v b="$t_done" 'BEGIN { print b - a }')
	{
	awk -v n="$recv" -v s="$send_s" -v r="$null_rate" -v o="$rate" 'BEGIN {
		printf "netoopsd:        %d datagrams received in %.2f s = %.0f datagrams/s (offered %d/s)\n", n, s, n / s, o
		printf "ratio to null:   %.2f (received rate), offered at %.2f of the ceiling\n", n / s / r, o / r }'
	awk -v n="$total" -v s="$all_s" 'BEGIN { printf "reports/s:       %.0f (%d stored in %.2f s from the first datagram)\n", n / s, n, s }'
	awk -v c="$cpu" -v n="$recv" 'BEGIN { printf "CPU:             %.2f s in all threads = %.2f us per datagram received\n", c, c * 1e6 / (n ? n : 1) }'
	echo "socket overflow: $ovfl datagrams; kernel backlog drops during the run: $((b1 - b0)); queue_waits $waits"
	echo "peak RSS:        $((rss_kb / 1024)) MiB"
	echo "stored complete: $complete/$HOSTS (stored in all: $total)"
	} | tee -a "$OUT/results.txt"
	awk -v th="$1" -v la="$(cut -d' ' -f1 /proc/loadavg)" -v f="$FRACTION" -v nr="$null_rate" \
	    -v n="$recv" -v s="$send_s" -v c="$cpu" -v o="$ovfl" -v w="$waits" -v ok="$complete" \
	    -v t="$total" -v h="$HOSTS" 'BEGIN {
		printf "| %d | %s | %.1f | %d | %d | %.2f | %.2f | %d | %d | %d / %d of %d |\n",
			th, la, f, nr, n / s, n / s / nr, c * 1e6 / (n ? n : 1), o, w, ok, t, h }' \
		>>"$OUT/rows.md"
	[ "$complete" -eq "$HOSTS" ] || status=1
}

{
echo "---- crash storm: $HOSTS hosts x $PAD-byte dumps, format $FORMAT, copies $COPIES," \
     "loss $LOSS dup $DUP reorder $REORDER, window $WINDOW"
echo "null receiver:   $null_recv of $null_sent datagrams, $null_rate datagrams/s (ceiling)"
} | tee "$OUT/results.txt"
for th in ${BENCH_THREADS:-1 2}; do storm "$th"; done
echo "| receive threads | load avg | offered | null receiver dgram/s | netoopsd dgram/s | ratio | CPU us/dgram | socket overflow | queue_waits | complete / stored of hosts |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
cat "$OUT/rows.md"
if [ "${BENCH_EXTRA:-1}" = 1 ]; then
	BUILD="$BUILD" bench/flood.sh	# the flood figure (issue 7): real dumps among one-datagram fakes
	BUILD=$BUILD bench/durability.sh	# FULL vs NORMAL synchronous: dumps/s and fsyncs per dump
	BUILD=$BUILD bench/loss.sh	# completeness under loss: repetition vs parity (issue 10)
	BUILD=$BUILD bench/sym.sh	# symbolization on vs off: reports/s, latency per report (issue 13)
	BUILD=$BUILD bench/web.sh	# the dashboard at fleet size: every page's API calls within 200 ms
	BUILD=$BUILD bench/store.sh	# store cost: bytes written per dump, database size per 10,000 dumps
	BUILD=$BUILD bench/auth.sh	# authentication: verification on vs off, sender time per 4 MiB dump
fi
exit $status
