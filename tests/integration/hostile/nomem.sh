#!/bin/sh
# Out of memory between reassembly and the store: in the fault-injection build (make fault /
# san-fault) the allocation that queues a finished dump fails for a dump whose text asks for it
# ("NETOOPS-FAULT-INJECT: queue-nomem", analyst_fault.c). That dump is dropped, logged and
# counted in dropped_nomem; the daemon goes on: dumps before and after it are stored and analysed,
# and it stops cleanly (under ASan: without a leak).
set -u
cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/integration/hostile/lib.sh
. tests/integration/hostile/lib.sh
hostile_begin nomem

case $HOSTILE_VARIANT in
san) FB=$PWD/build/san-fault target=san-fault ;;
*) FB=$PWD/build/fault target=fault ;;
esac
check fault-build make -s "$target"

P=$(free_port) DB=$W/n.db
NXD_PROD=$NXD NXD=$FB/netoopsd
check start h_start n --listen "127.0.0.1:$P" --db "$DB" --quiet-ms 500 --stats-interval-ms 200
NXD=$NXD_PROD
send() { "$NXLOAD" --to "127.0.0.1:$P" --text "$2" --host "$1" --quiet; }
{ cat "$FIX/divide-6.1.txt"; echo "NETOOPS-FAULT-INJECT: queue-nomem"; } >"$W/nomem.txt"
nomem_is() { [ "$("$CTL" --db "$DB" --json stats | jq '.counters.dropped_nomem')" = "$1" ]; }
count_is() { [ "$(h_count "$DB" "$1")" = "$2" ]; }
analysed_ok() {
	"$CTL" --db "$DB" --json list | jq -e "[.[] | select(.host == \"$1\" and
		.analysis == \"ok\" and .n_reports == 1)] | length == 1"
}

check before-send send nomem-before "$FIX/divide-6.1.txt"
check before-stored h_wait 10 count_is nomem-before 1
check counter-zero-before h_wait 5 nomem_is 0
check victim-send send nomem-victim "$W/nomem.txt"
check after-send send nomem-after "$FIX/divide-6.1.txt"
check after-stored h_wait 10 count_is nomem-after 1
check counted h_wait 5 nomem_is 1
check victim-not-stored count_is nomem-victim 0
check logged grep -q "out of memory queueing a dump from 127[.0-9]*:[0-9]*; dropped (counted as dropped_nomem)" \
	"$W/n.log"
check after-analysed analysed_ok nomem-after
check alive h_alive n
check stop h_stop n
check final-count nomem_is 1
checks_end
