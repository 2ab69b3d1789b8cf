#!/bin/sh
# Completeness under loss: HOSTS dumps per row through netoopsd on real sockets, nxload dropping
# datagrams independently or in Gilbert-Elliott bursts, with repetition or parity (NETOOPSP).
# Prints one markdown table row per setting: loss, burst, copies, fec, dump size, complete
# dumps, and the datagrams and bytes offered per plain pass (what the sender costs).
# Knobs (environment): LOSS_HOSTS (128 KiB rows, default 1000), LOSS_HOSTS_BIG (1 MiB rows,
# default 200), LOSS_RATE (datagrams/s offered, default 40000), LOSS_RATE_BIG (the same for
# the 1 MiB rows, default 10000: storing 1 MiB dumps must not make the collector fall
# behind), LOSS_ROWS (a file of rows "loss burst copies fec pad" to run instead of the
# built-in table), LOSS_QUICK (a dump size: only the row "10 % loss, one pass, fec 25" with
# dumps of that size; bench/run.sh's small runs), BENCH_OUT.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
OUT=${BENCH_OUT:-$BUILD/bench}/loss
HOSTS=${LOSS_HOSTS:-1000}
HOSTS_BIG=${LOSS_HOSTS_BIG:-200}
RATE=${LOSS_RATE:-40000}
RATE_BIG=${LOSS_RATE_BIG:-10000}
QUIET=10000
[ -z "${LOSS_QUICK:-}" ] || QUIET=2000	# small dumps: encoding pauses are short
mkdir -p "$OUT"
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_tools "$OUT"
TEXT=tests/integration/fixtures/divide-6.1.txt

dpid=""
cleanup() { rc=$?; [ -z "$dpid" ] || kill -KILL "$dpid" 2>/dev/null || true; exit "$rc"; }
trap cleanup EXIT

# The datagrams and bytes nxload offers for one dump with these settings, no loss.
offered() {	# offered COPIES FEC PAD -> "datagrams bytes"
	p=$(free_port)
	"$OUT/nxload" --to "127.0.0.1:$p" --text "$TEXT" --pad "$3" --copies "$1" --fec "$2" \
		--seed 1 >"$OUT/one.out"
	echo "$(kv sent <"$OUT/one.out") $(kv bytes <"$OUT/one.out")"
}

row() {	# row LOSS BURST COPIES FEC PAD
	loss=$1 burst=$2 copies=$3 fec=$4 pad=$5
	hosts=$HOSTS rate=$RATE
	[ "$pad" -le 262144 ] || hosts=$HOSTS_BIG rate=$RATE_BIG
	# nxload encodes a host's whole dump (parity included) when the host starts, which pauses
	# the other hosts for as long (about 0.1 s for 1 MiB here): a long quiet period keeps
	# such pauses from splitting dumps. netoops.ko computes each parity datagram just
	# before sending it.
	port=$(free_port) db=$OUT/loss.db
	rm -f "$db"*
	"$BUILD/netoopsd" --listen "127.0.0.1:$port" --db "$db" --quiet-ms "$QUIET" \
		--max-memory 1G 2>"$OUT/netoopsd.log" &
	dpid=$!
	for _ in $(seq 100); do grep -q "listening on" "$OUT/netoopsd.log" && break; sleep 0.05; done
	"$OUT/nxload" --to "127.0.0.1:$port" --text "$TEXT" --pad "$pad" --hosts "$hosts" \
		--host loss --window 50 --copies "$copies" --fec "$fec" --loss "$loss" \
		--loss-burst "$burst" --rate "$rate" --seed 42 >"$OUT/load.out"
	last=-1; still=0
	while [ "$still" -lt 30 ]; do
		n=$("$BUILD/netoopsctl" --db "$db" --json stats | jq -r '.stored.dumps')
		[ "$n" -ge "$hosts" ] && break
		if [ "$n" != "$last" ]; then last=$n; still=0; else still=$((still + 1)); fi
		sleep 0.5
	done
	kill -TERM "$dpid"; wait "$dpid" || true; dpid=""
	complete=$("$BUILD/netoopsctl" --db "$db" --json list |
		jq '[.[] | select(.host | startswith("loss-")) | select(.complete)] | length')
	ovfl=$("$BUILD/netoopsctl" --db "$db" --json stats | jq '.counters.socket_overflow')
	# shellcheck disable=SC2046 # two numbers
	set -- $(offered "$copies" "$fec" "$pad")
	o_dg=$1 o_by=$2
	# shellcheck disable=SC2046
	set -- $(offered 1 0 "$pad")
	awk -v l="$loss" -v b="$burst" -v k="$copies" -v f="$fec" -v p="$pad" -v c="$complete" \
	    -v h="$hosts" -v d="$o_dg" -v by="$o_by" -v d1="$1" -v by1="$2" -v ov="$ovfl" 'BEGIN {
		burst = b > 0 ? b : "independent"
		printf "| %d %% | %s | %d | %d | %d KiB | %d/%d = %.1f %% | %.2f× | %.2f× | %d |\n", \
		       l * 100 + 0.5, burst, k, f, p / 1024, c, h, 100 * c / h, d / d1, by / by1, ov }'
}

echo "| loss | burst (mean) | copies | fec | dump | complete | datagrams | bytes | socket overflow |"
echo "|---:|---|---:|---:|---|---:|---:|---:|---:|"
if [ -n "${LOSS_QUICK:-}" ]; then
	row 0.10 0 1 25 "$LOSS_QUICK"
	exit 0
fi
if [ -n "${LOSS_ROWS:-}" ]; then
	while read -r a b c d e; do row "$a" "$b" "$c" "$d" "$e"; done <"$LOSS_ROWS"
	exit 0
fi
while read -r a b c d e; do row "$a" "$b" "$c" "$d" "$e"; done <<'EOF'
0.10 0 2 0 131072
0.10 0 1 25 131072
0.30 0 8 0 131072
0.30 0 1 90 131072
0.10 10 1 25 131072
0.10 30 1 25 131072
0.10 50 1 25 131072
0.10 30 1 50 131072
0.10 0 1 25 1048576
0.30 0 1 90 1048576
0.10 10 1 25 1048576
0.10 30 1 25 1048576
0.10 50 1 25 1048576
0.10 30 1 50 1048576
0.10 0 2 0 1048576
EOF
