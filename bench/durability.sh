#!/bin/sh
# The cost of durability: the same crash storm (HOSTS hosts, PAD-byte dumps, nxload at RATE
# datagrams/s) into netoopsd with --db-fsync 1 (SQLite synchronous=FULL, the append file fdatasync'ed: what
# it ships with) and --db-fsync 0 (synchronous=NORMAL, no fdatasync), in the same run. Prints
# for each: dumps/s (first datagram to last dump stored), how long the store took to drain after
# the last datagram, fsyncs per dump and netoopsd's CPU per dump; then the ratio of the dumps/s.
# fsync and fdatasync calls are counted by strace with a seccomp filter, so the other system
# calls run at full speed.
# Knobs (environment): DUR_HOSTS (2000) DUR_PAD (32768) DUR_WINDOW (200) DUR_RATE (50000,
# 0 = flat out; beyond what the collector takes, the kernel drops datagrams) DUR_OUT.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
HOSTS=${DUR_HOSTS:-2000}
PAD=${DUR_PAD:-32768}
WINDOW=${DUR_WINDOW:-200}
RATE=${DUR_RATE:-50000}
OUT=${DUR_OUT:-$BUILD/bench-durability}
SHARED=${NETOOPS_SHARED:-$(pwd)/tests/data}
CORPUS=$SHARED/corpus/oops-dev/satyr

rm -rf "$OUT"; mkdir -p "$OUT"
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_tools "$OUT"
texts=$(corpus_texts "$CORPUS")
now() { date +%s.%N; }
spid=""
# Whatever happens, leave no daemon behind; keep the exit status.
cleanup() { st=$?; [ -z "$spid" ] || kill -KILL "$spid" 2>/dev/null || true; exit "$st"; }
trap cleanup EXIT

# cpu_s PID: user + system CPU seconds of PID so far.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }

# run FSYNC: one storm into a fresh netoopsd; prints "dumps seconds syncs drain cpu".
run() {
	p=$(free_port) db=$OUT/db$1/reports.db
	mkdir -p "$OUT/db$1"
	strace -f --seccomp-bpf -c -e trace=fsync,fdatasync -o "$OUT/strace$1.txt" \
		"$BUILD/netoopsd" --listen "127.0.0.1:$p" --db "$db" --db-fsync "$1" \
		--append-file "$OUT/db$1/oops" --quiet-ms 3000 --stats-interval-ms 1000 \
		--max-memory 512M 2>"$OUT/netoopsd$1.log" &
	spid=$!
	for _ in $(seq 200); do grep -q "listening on" "$OUT/netoopsd$1.log" && break; sleep 0.05; done
	dpid=$(pgrep -P "$spid")
	t0=$(now)
	# shellcheck disable=SC2086 # texts are separate options
	"$OUT/nxload" --to "127.0.0.1:$p" $texts --pad "$PAD" --hosts "$HOSTS" --host dur \
		--window "$WINDOW" --rate "$RATE" --seed 7 >"$OUT/load$1.out"
	t_sent=$(now)
	wait_stored "$OUT/netoopsd$1.log" "$HOSTS"
	last=$wait_n t_done=$wait_t
	cpu=$(cpu_s "$dpid")
	kill -TERM "$dpid"; wait "$spid" || true
	spid=""
	syncs=$(awk '$NF == "fsync" || $NF == "fdatasync" { s += $4 } END { print s + 0 }' \
		"$OUT/strace$1.txt")
	echo "$last $(awk -v a="$t0" -v b="$t_done" 'BEGIN { print b - a }') $syncs" \
		"$(awk -v a="$t_sent" -v b="$t_done" 'BEGIN { print (b > a ? b - a : 0) }') $cpu"
}

full=$(run 1)
normal=$(run 0)
{
echo "---- durability: $HOSTS hosts x $PAD-byte dumps, window $WINDOW, nxload at $RATE datagrams/s, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
line() {	# line LABEL "dumps seconds syncs drain cpu"
	echo "$2" | awk -v l="$1" '{ n = $1 ? $1 : 1
		printf "%s: %d dumps in %.2f s = %.0f dumps/s, drained %.2f s after the last datagram; %d fsyncs = %.3f per dump; CPU %.2f ms per dump\n",
		l, $1, $2, $1 / $2, $4, $3, $3 / n, $5 * 1000 / n }'
}
line "FULL   (--db-fsync 1)" "$full"
line "NORMAL (--db-fsync 0)" "$normal"
echo "$full $normal" | awk '{ printf "ratio FULL/NORMAL: %.2f of the dumps/s, %.2f of the CPU per dump\n", ($1 / $2) / ($6 / $7), ($5 / $1) / ($10 / $6) }'
} | tee "$OUT/results.txt"
[ "${full%% *}" -eq "$HOSTS" ] && [ "${normal%% *}" -eq "$HOSTS" ]
