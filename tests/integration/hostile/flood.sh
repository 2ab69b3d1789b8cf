#!/bin/sh
# A flood of one-datagram fakes (two senders, 16 source addresses each) with real multi-datagram
# dumps from established senders interleaved: every real dump is stored complete, the fakes
# are counted as noise (a few stored as samples, none making the receive loop wait); then a
# flat-out flood is shed before reassembly; the daemon exits cleanly. Plain build: 60,000
# fakes/s; ASan build: 20,000/s.
set -u
cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/integration/hostile/lib.sh
. tests/integration/hostile/lib.sh
hostile_begin flood

RATE=${FLOOD_TEST_RATE:-30000}		# per sender
[ "$HOSTILE_VARIANT" = san ] && RATE=${FLOOD_TEST_RATE:-10000}
SECS=6 REAL=20
P=$(free_port) DB=$W/f.db
sql() { sqlite3 "file:$DB?mode=ro" "$1"; }
counter() { "$CTL" --db "$DB" --json stats | jq ".counters.$1 // 0"; }
real() {	# real DUMP-NO RATE: the REAL hosts' dumps, one host at a time
	"$NXLOAD" --to "127.0.0.1:$P" --text "$FIX/divide-6.1.txt" --pad 16384 --hosts "$REAL" \
		--host flood-real --dump "$1" --window 1 --rate "$2" --seed 3 >>"$W/real.out"
}
complete_of() { [ "$(sql "select count(*) from dumps where host like 'flood-real-%'
	and dump_no = $1 and complete")" -eq "$REAL" ]; }

check start h_start f --listen "127.0.0.1:$P" --db "$DB" --max-memory 32M --quiet-ms 1000 \
	--stats-interval-ms 200
check established real 1 5000
check established-stored h_wait 10 complete_of 1
fpids=""
for i in 1 2; do
	"$NXLOAD" --to "127.0.0.1:$P" --flood-seconds "$SECS" --rate "$RATE" --flood-sources 16 \
		--seed "$i" >"$W/flood-$i.out" &
	fpids="$fpids $!"
done
sleep 1
# REAL dumps of about 30 datagrams each (two copies), spread over four seconds of the flood.
check interleaved real 2 $((REAL * 30 / 4))
# shellcheck disable=SC2086
wait $fpids
check real-all-complete h_wait 15 complete_of 2
# Stored once each: the late copies of a finished dump are not a second, incomplete row.
check real-stored-once h_wait 5 test "$(sql "select count(*) from dumps where host like 'flood-real-%'
	and dump_no = 2")" -eq "$REAL"
fakes=$(cat "$W"/flood-*.out | tr ' ' '\n' | sed -n 's/^hostile=//p' | awk '{ s += $1 } END { print s }')
echo "fakes sent: $fakes; counters: $("$CTL" --db "$DB" --json stats | jq -c .counters)"
# Counted as noise after reassembly, or shed before it while the loop was falling behind.
check noise-counted h_wait 10 sh -c "[ \$('$CTL' --db '$DB' --json stats |
	jq '.counters.noise_aggregated + .counters.shed') -gt $((fakes / 2)) ]"
# At most NXD_NOISE_SAMPLES (8) stored fragments per 10 s interval (the run spans two or three).
check few-noise-rows test "$(sql "select count(*) from dumps where host like 'flood-%'
	and host not like 'flood-real-%'")" -le 24
check no-queue-waits test "$(counter queue_waits)" -eq 0
# Flat out for two seconds, more than the loop can take: it sheds fakes before reassembly.
shed0=$(counter shed) fpids=""
for i in 3 4; do
	"$NXLOAD" --to "127.0.0.1:$P" --flood-seconds 2 --flood-sources 16 --seed "$i" \
		>"$W/flood-$i.out" &
	fpids="$fpids $!"
done
# shellcheck disable=SC2086
wait $fpids
check flat-out-shed h_wait 5 sh -c "[ \$('$CTL' --db '$DB' --json stats |
	jq '.counters.shed') -gt $shed0 ]"
check falling-behind-logged grep -q "falling behind" "$W/f.log"
check alive h_alive f
check clean-exit h_stop f
check noise-logged grep -q "noise in the last .* one-datagram fragments" "$W/f.log"
checks_end
