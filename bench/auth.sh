#!/bin/sh
# Authentication's cost (issue 12). 1: the collector's receive loop, the same signed datagrams
# to netoopsd with auth = off and with auth = required, in the same run: datagrams per second of
# the loop's CPU time (its thread's utime + stime), and the ratio (goal >= 0.9). 2: the sender's
# time per 4 MiB dump with and without the MAC (the module's framing code in userspace:
# bench/auth_bench.c). Knobs: BENCH_AUTH_DUMPS (300 dumps of BENCH_AUTH_BYTES, 65536), BENCH_OUT.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
OUT=${BENCH_OUT:-$BUILD/bench}/auth
DUMPS=${BENCH_AUTH_DUMPS:-1500}
BYTES=${BENCH_AUTH_BYTES:-65536}
rm -rf "$OUT"; mkdir -p "$OUT"
FLAGS="-O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -Isrc"
# shellcheck disable=SC2086
${CC:-cc} $FLAGS -o "$OUT/authsend" tests/integration/authsend.c "$BUILD/libnxcore.a" -lcrypto
# shellcheck disable=SC2086
${CC:-cc} $FLAGS -o "$OUT/auth_bench" bench/auth_bench.c "$BUILD/libnxcore.a" -lcrypto
# shellcheck source=bench/lib.sh
. bench/lib.sh

pids=""
# Whatever happens, leave no daemon behind; keep the exit status.
# shellcheck disable=SC2154 # rc and p are the trap's own
trap 'rc=$?; for p in $pids; do kill -KILL "$p" 2>/dev/null; done; exit $rc' EXIT

# A dump of BYTES: the corpus' oopses one after another (whole lines).
for f in $(find "${NETOOPS_SHARED:-$(pwd)/tests/data}/corpus/oops-dev/satyr" -type f | sort); do
	[ "$(wc -c <"$OUT/all" 2>/dev/null || echo 0)" -lt "$BYTES" ] || break
	cat "$f" >>"$OUT/all"
done
head -c "$BYTES" "$OUT/all" >"$OUT/text"
"$BUILD/netoopsctl" key new "$OUT/fleet" >/dev/null
"$BUILD/netoopsctl" key derive "$OUT/fleet" bench "$OUT/bench.key" >/dev/null
# The datagrams, made once (sent to the discard port), replayed to both daemons.
"$OUT/authsend" --to 127.0.0.1:9 --text "$OUT/text" --host bench --key "$OUT/bench.key" \
	--repeat "$DUMPS" --save "$OUT/signed" >/dev/null

# loop_cpu PID: clock ticks of the receive loop (the main thread) so far; all_cpu: all threads.
loop_cpu() { awk '{ print $14 + $15 }' "/proc/$1/task/$1/stat"; }
all_cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# run NAME AUTH-OPTIONS...: one daemon, the replay, until everything is stored;
# "datagrams loop-ticks all-ticks" on stdout.
run() {
	name=$1; shift
	port=$(free_port)
	"$BUILD/netoopsd" --config /dev/null --listen "127.0.0.1:$port" --db "$OUT/$name.db" \
		--stats-interval-ms 200 --quiet-ms 2000 "$@" 2>"$OUT/$name.log" &
	pid=$!; pids="$pids $pid"
	for _ in $(seq 100); do grep -q "listening on" "$OUT/$name.log" && break; sleep 0.05; done
	c0=$(loop_cpu "$pid") a0=$(all_cpu "$pid")
	"$OUT/authsend" --to "127.0.0.1:$port" --replay "$OUT/signed" >"$OUT/$name.send"
	for _ in $(seq 600); do
		[ "$("$BUILD/netoopsctl" --db "$OUT/$name.db" --json stats |
			jq '.stored.dumps')" -ge "$DUMPS" ] && break
		sleep 0.1
	done
	c1=$(loop_cpu "$pid") a1=$(all_cpu "$pid")
	kill -TERM "$pid"; wait "$pid" || true
	n=$("$BUILD/netoopsctl" --db "$OUT/$name.db" --json stats | jq '.counters.datagrams_received')
	echo "$n $((c1 - c0)) $((a1 - a0))"
}

hz=$(getconf CLK_TCK)
read -r off_n off_t off_a <<EOF2
$(run off)
EOF2
read -r on_n on_t on_a <<EOF2
$(run on --auth required --fleet-key "$OUT/fleet")
EOF2
verified=$("$BUILD/netoopsctl" --db "$OUT/on.db" --json stats | jq '.counters.auth_verified')
forged=$("$BUILD/netoopsctl" --db "$OUT/on.db" --json stats | jq '.counters.auth_forged')
lost() { "$BUILD/netoopsctl" --db "$OUT/$1.db" --json stats | jq '.counters.socket_overflow'; }
stored=$("$BUILD/netoopsctl" --db "$OUT/on.db" --json list --limit 100000 |
	jq '[.[] | select(.authenticated and .complete)] | length')
{
echo "---- authentication: $DUMPS dumps x $BYTES bytes, 2 copies, signed; auth off vs required" \
	"(load average $(cut -d' ' -f1 /proc/loadavg); socket overflow $(lost off) / $(lost on))"
awk -v n="$off_n" -v t="$off_t" -v hz="$hz" 'BEGIN {
	printf "auth off:        %d datagrams, receive loop %.2f s CPU = %.0f datagrams/CPU-s\n", n, t / hz, n * hz / (t ? t : 1) }'
awk -v n="$on_n" -v t="$on_t" -v hz="$hz" -v v="$verified" -v s="$stored" -v d="$DUMPS" 'BEGIN {
	printf "auth required:   %d datagrams (%d verified), receive loop %.2f s CPU = %.0f datagrams/CPU-s; %d/%d stored authenticated\n", n, v, t / hz, n * hz / (t ? t : 1), s, d }'
awk -v a="$off_n" -v b="$off_t" -v c="$on_n" -v d="$on_t" 'BEGIN {
	printf "ratio on/off:    %.2f (receive-loop throughput with verification)\n", (c / (d ? d : 1)) / (a / (b ? b : 1)) }'
awk -v a="$off_n" -v b="$off_a" -v c="$on_n" -v d="$on_a" -v hz="$hz" 'BEGIN {
	printf "whole daemon:    %.2f s vs %.2f s CPU (receive, analysis, store): ratio %.2f\n", b / hz, d / hz, (c / (d ? d : 1)) / (a / (b ? b : 1)) }'
"$OUT/auth_bench" 4194304 5
} | tee "$OUT/results.txt"
# A figure, not a test: only a broken run fails (nothing verified, or a good MAC refused).
[ "$verified" -gt 0 ] && [ "$forged" -eq 0 ]
