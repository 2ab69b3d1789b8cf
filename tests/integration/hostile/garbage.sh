#!/bin/sh
# Hostile datagrams of every kind nxload knows, interleaved with a real dump: the daemon stays
# up, the real dump is stored complete, the garbage is counted, and it exits cleanly.
set -u
cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/integration/hostile/lib.sh
. tests/integration/hostile/lib.sh
hostile_begin garbage

P=$(free_port) DB=$W/g.db
check start h_start g --listen "127.0.0.1:$P" --db "$DB" --quiet-ms 1000 --stats-interval-ms 200
check garbage-then-good "$NXLOAD" --to "127.0.0.1:$P" --text "$FIX/divide-6.1.txt" \
	--host hostile-good --garbage 5000 --fake-senders 500 --dup 0.1 --reorder 0.2
check good-stored h_wait 10 sh -c "[ \"\$('$CTL' --db '$DB' --json list |
	jq '[.[] | select(.host == \"hostile-good\" and .complete)] | length')\" -ge 1 ]"
check malformed-counted h_wait 5 sh -c "'$CTL' --db '$DB' --json stats |
	jq -e '.counters.malformed > 100'"
check alive h_alive g
check clean-exit h_stop g
checks_end
