#!/bin/sh
# The flood benchmark (issue 7, defect 7): one-datagram fakes at several rates, up to flat out
# from FLOOD_PROCS nxload processes, with 40 real multi-datagram dumps from established
# senders interleaved. Per rate: the rate achieved, how many real dumps were stored complete,
# and where the fakes went (stored rows, aggregated as counted noise, dropped and where).
# Knobs (environment): FLOOD_RATES ("10000 50000 100000 max"), FLOOD_PROCS (2),
# FLOOD_SECONDS (8), FLOOD_SOURCES (16 source addresses per process), FLOOD_MEMORY (32M),
# FLOOD_REAL (40), FLOOD_PAD (16384), BUILD (build), FLOOD_OUT (build/bench-flood).
# Exit status 0 if at every numeric rate all real dumps were stored complete, once each.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RATES=${FLOOD_RATES:-10000 50000 100000 max}
PROCS=${FLOOD_PROCS:-2}
SECS=${FLOOD_SECONDS:-8}
SOURCES=${FLOOD_SOURCES:-16}
MEM=${FLOOD_MEMORY:-32M}
REAL=${FLOOD_REAL:-40}
PAD=${FLOOD_PAD:-16384}
OUT=${FLOOD_OUT:-$BUILD/bench-flood}
SHARED=${NETOOPS_SHARED:-$(pwd)/tests/data}
TEXT=$SHARED/corpus/oops-dev/abrt/1_oops.test

rm -rf "$OUT"; mkdir -p "$OUT"
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_tools "$OUT"
sql() { sqlite3 "file:$db?mode=ro" "$1"; }
ctr() { jq -r ".counters.$1 // 0" "$OUT/stats.json"; }

dpid=""; fpids=""
# shellcheck disable=SC2154 # rc is set inside the trap
trap 'rc=$?; kill -KILL $dpid $fpids 2>/dev/null || true; exit $rc' EXIT

# flood PORT PER-PROCESS-RATE TAG: the PROCS flood senders, in the background ($fpids).
flood() {
	fpids=""
	for i in $(seq "$PROCS"); do
		"$OUT/nxload" --to "127.0.0.1:$1" --flood-seconds "$SECS" --rate "$2" \
			--flood-sources "$SOURCES" --seed "$i" >"$OUT/flood-$3-$i.out" &
		fpids="$fpids $!"
	done
}
sent_by() {	# sent_by TAG: fakes the senders of TAG got out
	n=0
	for i in $(seq "$PROCS"); do n=$((n + $(kv hostile <"$OUT/flood-$1-$i.out"))); done
	echo "$n"
}

# The ceiling: the flat-out flood into a receiver that only counts (recvmmsg and discard).
ceiling() {
	np=$(free_port)
	"$OUT/nullrecv" "$np" 1500 >"$OUT/null.out" &
	dpid=$!
	sleep 0.3
	flood "$np" 0 null
	# shellcheck disable=SC2086
	wait $fpids; fpids=""
	wait "$dpid"; dpid=""
	echo "ceiling (null receiver, flood flat out): $(sent_by null) fakes sent in $SECS s;" \
		"$(tail -n 1 "$OUT/null.out")"
}

# real DUMP_NO RATE: the REAL hosts' dumps number DUMP_NO, one host at a time, at RATE dgram/s.
real() {
	"$OUT/nxload" --to "127.0.0.1:$dp" --text "$TEXT" --pad "$PAD" --hosts "$REAL" \
		--host real --dump "$1" --window 1 --rate "$2" --seed 7
}

# settle: until the store stops moving for 3 s (at most 120 s).
settle() {
	last=-1; still=0; n=0
	while [ "$still" -lt 6 ] && [ "$n" -lt 240 ]; do
		c=$(sql "select count(*) from dumps")
		if [ "$c" = "$last" ]; then still=$((still + 1)); else still=0; last=$c; fi
		n=$((n + 1)); sleep 0.5
	done
}

one_rate() {	# one_rate RATE|max
	rate=$1; per=0
	[ "$rate" = max ] || per=$((rate / PROCS))
	dp=$(free_port); db=$OUT/flood-$rate.db; log=$OUT/netoopsd-$rate.log
	"$BUILD/netoopsd" --listen "127.0.0.1:$dp" --db "$db" --quiet-ms 2000 \
		--stats-interval-ms 500 --max-memory "$MEM" 2>"$log" &
	dpid=$!
	for _ in $(seq 100); do grep -q "listening on" "$log" 2>/dev/null && break; sleep 0.05; done
	# Establish the real senders: each stores one complete dump first.
	real 1 5000 >"$OUT/real1-$rate.out"
	for _ in $(seq 100); do
		[ "$(sql "select count(*) from dumps where host like 'real-%' and complete")" -ge "$REAL" ] && break
		sleep 0.1
	done
	b0=$(backlog_drops)
	flood "$dp" "$per" "$rate"
	sleep 1
	# The real dumps of number 2 spread over the flood (about SECS - 2 seconds).
	dg=$(awk '/^sent=/' "$OUT/real1-$rate.out" | kv sent)
	spread=$((SECS > 3 ? SECS - 2 : 1))
	real 2 $(( dg / spread + 1 )) >"$OUT/real2-$rate.out"
	# shellcheck disable=SC2086
	wait $fpids; fpids=""; b1=$(backlog_drops)
	settle
	kill -TERM "$dpid"; wait "$dpid" || true; dpid=""
	"$BUILD/netoopsctl" --db "$db" --json stats >"$OUT/stats.json"
	sent=$(sent_by "$rate")
	ok=$(sql "select count(*) from dumps where host like 'real-%' and dump_no = 2 and complete")
	rrows=$(sql "select count(*) from dumps where host like 'real-%' and dump_no = 2")
	rows=$(sql "select count(*) from dumps where host like 'flood-%'")
	printf '| %s | %s | %s | **%s/%s** | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
		"$rate" "$(awk -v s="$sent" -v t="$SECS" 'BEGIN { printf "%d", s / t }')" "$sent" \
		"$ok" "$REAL" "$rrows" "$(ctr datagrams_received)" "$((b1 - b0))" "$(ctr socket_overflow)" \
		"$(ctr shed)" "$(ctr evicted)" "$(ctr over_limit)" "$rows" "$(ctr noise_aggregated)" \
		"$(ctr noise_dropped)" "$(ctr queue_waits)" | tee -a "$OUT/results.md"
	# Flat out is beyond what this machine can receive at all (see the ceiling): reported only.
	[ "$rate" = max ] || { [ "$ok" -eq "$REAL" ] && [ "$rrows" -eq "$REAL" ]; } || status=1
}

status=0
ceiling
echo "---- flood: $PROCS senders x $SOURCES sources, $SECS s per rate, --max-memory $MEM," \
	"$REAL real $PAD-byte dumps from established senders; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| offered/s | achieved/s | fakes sent | real complete | real rows | received | backlog drops | socket overflow | shed | evicted | over_limit | fake rows stored | noise aggregated | noise dropped | queue_waits |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in $RATES; do one_rate "$r"; done
exit $status
