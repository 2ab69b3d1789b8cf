#!/bin/sh
# Parity (NETOOPSP) on real sockets: 128 KiB dumps through 10 % and 30 % loss, bursts, duplicates
# and reordering arrive complete and byte-identical to the sent text; corrupted parity is
# counted and never gets into a stored dump; the daemon stays up and exits cleanly.
set -u
cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/integration/hostile/lib.sh
. tests/integration/hostile/lib.sh
hostile_begin fec

P=$(free_port) DB=$W/f.db
# Every run sends the same text: the oops padded to 128 KiB with filler made from --seed.
send() {	# send HOST ARGS...: HOSTS dumps of that text from HOST-00000...
	s_host=$1; shift
	"$NXLOAD" --to "127.0.0.1:$P" --text "$FIX/divide-6.1.txt" --pad 131072 --seed 7 \
		--host "$s_host" --copies 1 --window 16 --rate 20000 "$@"
}
# Texts of HOST's stored dumps, one md5 per line; "complete" or "all" of them.
sums() {	# sums HOST complete|all
	"$CTL" --db "$DB" --json list | jq -r --arg h "$1" --arg w "$2" \
		'.[] | select(.host | startswith($h)) | select($w == "all" or .complete) | .id' |
	while read -r id; do
		"$CTL" --db "$DB" --json show "$id" | jq -r .text | md5sum | cut -d' ' -f1
	done
}
# all_exact HOST N: N dumps of HOST stored, all complete, all the reference text.
all_exact() {
	n=$(sums "$1" complete | grep -c "^$REF\$")
	echo "$1: $n of $2 complete and exact"
	[ "$n" -eq "$2" ]
}
stored() {	# stored HOST N: at least N dumps of hosts named HOST... are stored
	[ "$("$CTL" --db "$DB" --json list |
		jq --arg h "$1" '[.[] | select(.host | startswith($h))] | length')" -ge "$2" ]
}
counter() { "$CTL" --db "$DB" --json stats | jq ".counters.$1"; }

check start h_start f --listen "127.0.0.1:$P" --db "$DB" --quiet-ms 1000 --stats-interval-ms 200
check reference send ref
check reference-stored h_wait 10 stored ref 1
REF=$(sums ref complete)
check reference-complete test -n "$REF"

check loss-10 send l10 --hosts 20 --fec 25 --loss 0.10
check loss-10-exact h_wait 15 all_exact l10- 20
check loss-30 send l30 --hosts 20 --fec 90 --loss 0.30
check loss-30-exact h_wait 15 all_exact l30- 20
# Bursts of 10 on average at 10 % overall; duplicates and reordering on top.
check bursts send bur --hosts 20 --fec 50 --loss 0.10 --loss-burst 10 --dup 0.2 --reorder 0.3
check bursts-exact h_wait 15 all_exact bur- 20
check recovered-counted sh -c "[ \$('$CTL' --db '$DB' --json stats | jq .counters.fec_recovered) -gt 500 ]"
# Without parity the same 10 % loss leaves most dumps incomplete: the parity did the work.
check no-parity send nop --hosts 20 --loss 0.10
check no-parity-stored h_wait 15 stored nop- 20
check no-parity-incomplete sh -c "[ \$(sums nop- complete | wc -l) -lt 5 ]"

# Corrupted copies of each dump's parity, sent before the real ones: rejected, counted, and
# no stored dump holds a byte that was not sent (complete ones are exact; a dump whose block
# was poisoned is stored incomplete).
rej0=$(counter fec_rejected)
check hostile-parity send hp --hosts 12 --fec 50 --loss 0.10 --hostile-parity 40
check hostile-stored h_wait 15 stored hp- 12
check hostile-rejected sh -c "[ \$('$CTL' --db '$DB' --json stats | jq .counters.fec_rejected) -gt $rej0 ]"
hp_bad=$(sums hp- complete | grep -vc "^$REF\$")
check hostile-nothing-forged test "$hp_bad" -eq 0
check malformed-counted sh -c "[ \$('$CTL' --db '$DB' --json stats | jq .counters.malformed) -gt 0 ]"
check alive h_alive f
check clean-exit h_stop f
checks_end
