#!/bin/sh
# Store cost: HOSTS hosts each send one PAD-byte dump (nxload at RATE datagrams/s) into a fresh
# netoopsd; once all are stored it is stopped, and the script prints the bytes netoopsd wrote
# per dump into the database and its WAL (write and pwrite calls, counted by strace with a
# seccomp filter, until it exited: the last checkpoint included), the fsyncs per dump, the
# database's size (after the daemon closed it) scaled to 10,000 dumps, the dumps' text bytes
# and the ratios.
# Knobs (environment): STORE_HOSTS (10000) STORE_PAD (131072) STORE_WINDOW (100)
# STORE_RATE (50000 datagrams/s) STORE_OUT; STORE_TEXT: one file every host sends as it is
# (no padding), instead of the corpus's oopses padded with nxload's filler lines;
# STORE_NETOOPSD: another netoopsd binary to measure (the build before a change), same load.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
HOSTS=${STORE_HOSTS:-10000}
PAD=${STORE_PAD:-131072}
WINDOW=${STORE_WINDOW:-100}
RATE=${STORE_RATE:-50000}
OUT=${STORE_OUT:-$BUILD/bench-store}
NETOOPSD=${STORE_NETOOPSD:-$BUILD/netoopsd}
SHARED=${NETOOPS_SHARED:-$(pwd)/tests/data}
CORPUS=$SHARED/corpus/oops-dev/satyr

rm -rf "$OUT"; mkdir -p "$OUT"
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_tools "$OUT"
if [ -n "${STORE_TEXT:-}" ]; then
	texts="--text $STORE_TEXT" PAD=0
else
	texts=$(corpus_texts "$CORPUS")
fi
spid=""
# Whatever happens, leave no daemon behind; keep the exit status.
cleanup() { st=$?; [ -z "$spid" ] || kill -KILL "$spid" 2>/dev/null || true; exit "$st"; }
trap cleanup EXIT

p=$(free_port) db=$OUT/reports.db
strace -f --seccomp-bpf -y -s 0 -e trace=fsync,fdatasync,write,pwrite64 -o "$OUT/strace.txt" \
	"$NETOOPSD" --listen "127.0.0.1:$p" --db "$db" --quiet-ms 3000 \
	--stats-interval-ms 1000 --max-memory 512M 2>"$OUT/netoopsd.log" &
spid=$!
for _ in $(seq 200); do grep -q "listening on" "$OUT/netoopsd.log" && break; sleep 0.05; done
dpid=$(pgrep -P "$spid")
# shellcheck disable=SC2086 # texts are separate options
"$OUT/nxload" --to "127.0.0.1:$p" $texts --pad "$PAD" --hosts "$HOSTS" --host store \
	--window "$WINDOW" --rate "$RATE" --copies 1 --seed 11 >"$OUT/load.out"
wait_stored "$OUT/netoopsd.log" "$HOSTS"
last=$wait_n
kill -TERM "$dpid"; wait "$spid" || true
spid=""
# "PID pwrite64(5</path/reports.db-wal>, ""..., 4096, 8192) = 4096": bytes into the database files
written=$(awk -v db="<$(realpath "$db")" 'index($0, db) && / = [0-9]+$/ { s += $NF } END { printf "%.0f", s }' \
	"$OUT/strace.txt")
syncs=$(grep -c -E '^[0-9]+ +f(data)?sync\(' "$OUT/strace.txt" || true)
size=$(cat "$db" "$db-wal" 2>/dev/null | wc -c)
text=$(sqlite3 "$db" "SELECT coalesce(sum(text_len), 0) FROM dumps")
batches=$(sqlite3 "$db" "SELECT value FROM counters WHERE name = 'store_batches'" || true)
{
echo "---- store: $HOSTS hosts x ${STORE_TEXT:-$PAD-byte dumps (corpus oopses padded)}, nxload at $RATE datagrams/s, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $NETOOPSD"
awk -v n="$last" -v w="$written" -v s="$size" -v t="$text" -v f="$syncs" -v b="${batches:-0}" 'BEGIN {
	n = n ? n : 1
	printf "stored:          %d dumps, %.0f text bytes (%.0f per dump), in %d batches\n", n, t, t / n, b
	printf "written:         %.0f bytes = %.0f per dump (%.2f x its text)\n", w, w / n, w / (t ? t : 1)
	printf "fsyncs:          %d = %.3f per dump\n", f, f / n
	printf "database:        %.0f bytes = %.1f MiB per 10,000 dumps (%.2f x the text)\n", s, s * 10000 / n / 1048576, s / (t ? t : 1) }'
} | tee "$OUT/results.txt"
[ "$last" -ge "$HOSTS" ]
