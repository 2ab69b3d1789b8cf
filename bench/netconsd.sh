#!/bin/sh
# netoopsd side by side with netconsd (Meta's netconsole receiver), on netconsd's own traffic:
# netconsblaster (raw IPv6 socket, extended-format messages of about 64 bytes from 2^BITS
# simulated hosts fd00::/112) sends BLAST_COUNT messages to [::1], once into each receiver in
# turn, in the same run, all with the kernel's default socket buffer (212,992 bytes; netconsd
# sets none): the null receiver (recvmmsg and discard), netconsd (1 listener, 2 workers, no
# output module) and netoopsd (defaults; receive-threads 1, then 0 = one per CPU, each thread
# with its own socket and so its own default-sized buffer). Per receiver: the share of the messages it took in,
# and its CPU time (user + system, all threads) per message taken in, measured when the
# blaster is done (netoopsd then holds the streams in reassembly; cutting and storing them
# afterwards, which netconsd without an output module does not do, is not counted).
# netconsd and netconsblaster come from Debian sid's netconsd package, fetched once into the
# VM tests' cache (tests/vm/lib.sh: $NETOOPS_CACHE/vm/netconsd) and run from there.
# Knobs: BLAST_COUNT (1000000), BLAST_BITS (16), BLAST_ROUNDS (3), BLAST_OUT.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
COUNT=${BLAST_COUNT:-1000000}
BITS=${BLAST_BITS:-16}
ROUNDS=${BLAST_ROUNDS:-3}
OUT=${BLAST_OUT:-$BUILD/bench-netconsd}
ROOT=${NETOOPS_CACHE:-$(pwd)/.cache}/vm/netconsd
DEFBUF=$(cat /proc/sys/net/core/rmem_default)

rm -rf "$OUT"; mkdir -p "$OUT"

# fetch: the netconsd package's files under $ROOT (idempotent; the sid archive of tests/vm).
fetch() {
	[ -x "$ROOT/usr/bin/netconsd" ] && [ -x "$ROOT/usr/bin/netconsblaster" ] && return 0
	mkdir -p "$ROOT.tmp"
	# shellcheck disable=SC2016
	(cd "$ROOT.tmp" && NETOOPS_CACHE=${NETOOPS_CACHE:-} bash -c '
		[ -n "$NETOOPS_CACHE" ] || unset NETOOPS_CACHE
		. "$0/tests/vm/lib.sh"
		[ -s "$APTDIR/sources.list" ] || apt_setup
		vapt_get -q download netconsd/sid 2>/dev/null ||
			{ vapt_get -q update >/dev/null && vapt_get -q download netconsd/sid; }' "$OLDPWD")
	dpkg-deb -x "$ROOT.tmp"/netconsd_*.deb "$ROOT.tmp/root"
	rm -rf "$ROOT"; mv "$ROOT.tmp/root" "$ROOT"; rm -rf "$ROOT.tmp"
}
fetch
ND=$ROOT/usr/bin/netconsd BLASTER=$ROOT/usr/bin/netconsblaster

# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_tools "$OUT"
rpid=""
# shellcheck disable=SC2154 # rc is set inside the trap
trap 'rc=$?; kill -KILL $rpid 2>/dev/null || true; exit $rc' EXIT
cpu_s() { awk -v t="$(getconf CLK_TCK)" '{ print ($14 + $15) / t }' "/proc/$1/stat"; }
blast() {	# blast PORT TAG
	"$BLASTER" -s fd00:: -d ::1 -p "$1" -n "$COUNT" -o "$BITS" -t 0 >"$OUT/blast-$2.out" 2>&1
}
# row NAME TAKEN CPU: one table row (share of COUNT, microseconds per message sent and taken in).
row() {
	awk -v n="$1" -v t="$2" -v c="$3" -v all="$COUNT" -v la="$(cut -d' ' -f1 /proc/loadavg)" \
	    -v r="$round" 'BEGIN { printf "| %d | %s | %s | %d | %.1f %% | %.2f | %.2f | %.2f |\n",
		r, la, n, t, t * 100 / all, c, c * 1e6 / all, c * 1e6 / (t ? t : 1) }' | tee -a "$OUT/rows.md"
}

null_run() {
	p=$(free_port)
	"$OUT/nullrecv" "$p" 1500 "$((DEFBUF / 2))" ::1 >"$OUT/null.out" &
	rpid=$!
	sleep 0.3
	blast "$p" null
	wait "$rpid"; rpid=""
	row "null receiver" "$(kv received <"$OUT/null.out")" "$(kv cpu <"$OUT/null.out")"
}

netconsd_run() {
	p=$(free_port)
	"$ND" -u "$p" -a ::1 >"$OUT/netconsd.log" 2>&1 &
	rpid=$!
	sleep 0.3
	blast "$p" netconsd
	sleep 1
	c=$(cpu_s "$rpid")
	kill -TERM "$rpid"; wait "$rpid" || true; rpid=""
	t=$(sed -n 's/.*Total messages processed by workers: \([0-9]*\).*/\1/p' "$OUT/netconsd.log")
	row netconsd "${t:-0}" "$c"
}

netoopsd_run() {	# netoopsd_run RECEIVE-THREADS (0: the default, one per CPU)
	p=$(free_port) db=$OUT/netoopsd.db
	rm -f "$db"
	# --rcvbuf N asks for N, which the kernel doubles: half the default is the default's size.
	"$BUILD/netoopsd" --listen "[::1]:$p" --db "$db" --rcvbuf "$((DEFBUF / 2))" \
		--max-memory 1G --max-dumps 1000000 --receive-threads "$1" --stats-interval-ms 200 \
		>"$OUT/netoopsd.log" 2>&1 &
	rpid=$!
	for _ in $(seq 100); do grep -qs "listening on" "$OUT/netoopsd.log" && break; sleep 0.05; done
	blast "$p" netoopsd
	sleep 1
	c=$(cpu_s "$rpid")
	t=$("$BUILD/netoopsctl" --db "$db" --json stats | jq '.counters.datagrams_received')
	# Not SIGTERM: that would store the 2^BITS streams first (minutes), which is not measured.
	{ kill -KILL "$rpid"; wait "$rpid"; } 2>/dev/null || true; rpid=""
	row "netoopsd, receive-threads $1" "$t" "$c"
}

echo "---- netconsblaster: $COUNT messages from 2^$BITS hosts, socket buffer $DEFBUF bytes;" \
	"$(nproc) CPUs"
echo "| round | load avg | receiver | messages taken in | share | CPU s | CPU us per message sent | CPU us per message taken in |"
echo "|---:|---:|---|---:|---:|---:|---:|---:|"
for round in $(seq "$ROUNDS"); do
	null_run
	netconsd_run
	netoopsd_run 1
	netoopsd_run 0
done
