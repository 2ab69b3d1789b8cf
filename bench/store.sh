#!/bin/sh
# Store cost: HOSTS hosts each send one PAD-byte dump (nxload at RATE datagrams/s) into a fresh
# netoopsd; once all are stored, prints the bytes netoopsd wrote per dump (the block layer's
# write_bytes of /proc/PID/io: database, WAL and checkpoints), the fsyncs per dump (counted
# with strace, as bench/durability.sh does), the database's size (after the daemon closed it,
# WAL checkpointed) scaled to 10,000 dumps, the dumps' text bytes and the ratio between the two.
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
${CC:-cc} -O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -Isrc \
	-o "$OUT/nxload" bench/nxload.c "$BUILD/libnxcore.a" -lcrypto
# shellcheck source=bench/lib.sh
. bench/lib.sh
if [ -n "${STORE_TEXT:-}" ]; then
	texts="--text $STORE_TEXT" PAD=0
else
	texts=$(corpus_texts "$CORPUS")
fi
spid=""
# Whatever happens, leave no daemon behind; keep the exit status.
cleanup() { st=$?; [ -z "$spid" ] || kill -KILL "$spid" 2>/dev/null || true; exit "$st"; }
trap cleanup EXIT

# io PID FIELD: one counter of /proc/PID/io.
io() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/io"; }

p=$(free_port) db=$OUT/reports.db
strace -f --seccomp-bpf -c -e trace=fsync,fdatasync -o "$OUT/strace.txt" \
	"$NETOOPSD" --listen "127.0.0.1:$p" --db "$db" --quiet-ms 3000 \
	--stats-interval-ms 1000 --max-memory 512M 2>"$OUT/netoopsd.log" &
spid=$!
for _ in $(seq 200); do grep -q "listening on" "$OUT/netoopsd.log" && break; sleep 0.05; done
dpid=$(pgrep -P "$spid")
w0=$(io "$dpid" write_bytes)
# shellcheck disable=SC2086 # texts are separate options
"$OUT/nxload" --to "127.0.0.1:$p" $texts --pad "$PAD" --hosts "$HOSTS" --host store \
	--window "$WINDOW" --rate "$RATE" --copies 1 --seed 11 >"$OUT/load.out"
wait_stored "$OUT/netoopsd.log" "$HOSTS"
last=$wait_n
sync
w1=$(io "$dpid" write_bytes)
kill -TERM "$dpid"; wait "$spid" || true
spid=""
syncs=$(awk '$NF == "fsync" || $NF == "fdatasync" { s += $4 } END { print s + 0 }' "$OUT/strace.txt")
size=$(cat "$db" "$db-wal" 2>/dev/null | wc -c)
text=$(sqlite3 "$db" "SELECT coalesce(sum(text_len), 0) FROM dumps")
batches=$(sqlite3 "$db" "SELECT value FROM counters WHERE name = 'store_batches'" || true)
{
echo "---- store: $HOSTS hosts x ${STORE_TEXT:-$PAD-byte dumps (corpus oopses padded)}, nxload at $RATE datagrams/s, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $NETOOPSD"
awk -v n="$last" -v w="$((w1 - w0))" -v s="$size" -v t="$text" -v f="$syncs" -v b="${batches:-0}" 'BEGIN {
	n = n ? n : 1
	printf "stored:          %d dumps, %.0f text bytes (%.0f per dump), in %d batches\n", n, t, t / n, b
	printf "written:         %.0f bytes = %.0f per dump (%.2f x its text)\n", w, w / n, w / (t ? t : 1)
	printf "fsyncs:          %d = %.3f per dump\n", f, f / n
	printf "database:        %.0f bytes = %.1f MiB per 10,000 dumps (%.2f x the text)\n", s, s * 10000 / n / 1048576, s / (t ? t : 1) }'
} | tee "$OUT/results.txt"
[ "$last" -ge "$HOSTS" ]
