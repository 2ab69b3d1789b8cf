#!/bin/sh
# The cost of durability: the same crash storm (HOSTS hosts, PAD-byte dumps, nxload flat out)
# into netoopsd with --db-fsync 1 (SQLite synchronous=FULL, the append file fdatasync'ed: what
# it ships with) and --db-fsync 0 (synchronous=NORMAL, no fdatasync), in the same run. Prints
# dumps/s and fsyncs per dump for each, and the ratio. fsync and fdatasync calls are counted by
# strace with a seccomp filter, so the other system calls run at full speed.
# Knobs (environment): DUR_HOSTS (2000) DUR_PAD (32768) DUR_WINDOW (200) DUR_OUT.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
HOSTS=${DUR_HOSTS:-2000}
PAD=${DUR_PAD:-32768}
WINDOW=${DUR_WINDOW:-200}
OUT=${DUR_OUT:-$BUILD/bench-durability}
SHARED=${NETOOPS_SHARED:-$(pwd)/tests/data}
CORPUS=$SHARED/corpus/oops-dev/satyr

rm -rf "$OUT"; mkdir -p "$OUT"
${CC:-cc} -O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -Isrc \
	-o "$OUT/nxload" bench/nxload.c "$BUILD/libnxcore.a" -lcrypto
# shellcheck source=bench/lib.sh
. bench/lib.sh
texts=$(corpus_texts "$CORPUS")
now() { date +%s.%N; }
spid=""
# Whatever happens, leave no daemon behind; keep the exit status.
cleanup() { st=$?; [ -z "$spid" ] || kill -KILL "$spid" 2>/dev/null || true; exit "$st"; }
trap cleanup EXIT

# run FSYNC: one storm into a fresh netoopsd; prints "dumps seconds syncs".
run() {
	p=$(port) db=$OUT/db$1/reports.db
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
		--window "$WINDOW" --seed 7 >"$OUT/load$1.out"
	last=-1 still=0 t_done=$(now)
	while [ "$still" -lt 20 ]; do
		n=$(grep -c "stored dump" "$OUT/netoopsd$1.log" || true)
		if [ "$n" != "$last" ]; then last=$n still=0 t_done=$(now); else still=$((still + 1)); fi
		[ "$n" -ge "$HOSTS" ] && break
		sleep 0.5
	done
	kill -TERM "$dpid"; wait "$spid" || true
	spid=""
	syncs=$(awk '$NF == "fsync" || $NF == "fdatasync" { s += $4 } END { print s + 0 }' \
		"$OUT/strace$1.txt")
	echo "$last $(awk -v a="$t0" -v b="$t_done" 'BEGIN { print b - a }') $syncs"
}

full=$(run 1)
normal=$(run 0)
{
echo "---- durability: $HOSTS hosts x $PAD-byte dumps, window $WINDOW, nxload flat out, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
line() {	# line LABEL "dumps seconds syncs"
	echo "$2" | awk -v l="$1" '{ printf "%s: %d dumps stored in %.2f s = %.0f dumps/s; %d fsyncs = %.3f per dump\n",
		l, $1, $2, $1 / $2, $3, $3 / ($1 ? $1 : 1) }'
}
line "FULL   (--db-fsync 1)" "$full"
line "NORMAL (--db-fsync 0)" "$normal"
echo "$full $normal" | awk '{ printf "ratio FULL/NORMAL: %.2f of the dumps/s\n", ($1 / $2) / ($4 / $5) }'
} | tee "$OUT/results.txt"
[ "${full%% *}" -eq "$HOSTS" ] && [ "${normal%% *}" -eq "$HOSTS" ]
