#!/bin/sh
# Authenticated datagrams on real sockets: under `auth = required`, a wrong key, a flipped bit
# in header or text, a truncated MAC, another host's key, a datagram re-sent under another host
# name, an unsigned dump and a replay after a restart are each dropped and counted, while a good
# (and an encrypted) dump sent at the same time is stored, marked authenticated. Key files open
# to group or others are refused; SIGHUP loads a new fleet key; auth-exempt admits a network.
set -u
cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/integration/hostile/lib.sh
. tests/integration/hostile/lib.sh
hostile_begin auth

SEND=$HP/tests/authsend
if [ ! -x "$SEND" ] || [ -n "$(find tests/integration/authsend.c -newer "$SEND")" ]; then
	${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -Isrc \
		-o "$SEND" tests/integration/authsend.c "$HP/libnxcore.a" -lcrypto || exit 1
fi
TXT=$FIX/divide-6.1.txt
P=$(free_port) DB=$W/a.db
TO=127.0.0.1:$P

# counter NAME: the daemon's last saved value of a counter.
counter() { "$CTL" --db "$DB" --json stats | jq -r ".counters.$1"; }
# counter_is NAME N: counter NAME is N (loopback loses nothing: exact counts).
counter_is() { [ "$(counter "$1")" -eq "$2" ]; }
# stored HOST AUTHENTICATED N: exactly N complete dumps of HOST are stored with that flag.
stored() {
	[ "$("$CTL" --db "$DB" --json list |
		jq "[.[] | select(.host == \"$1\" and .authenticated == $2 and .complete)] | length")" \
		-eq "$3" ]
}
send() { "$SEND" --to "$TO" --text "$TXT" "$@" >/dev/null; }

"$CTL" key new "$W/fleet" >/dev/null && "$CTL" key new "$W/other-fleet" >/dev/null
for h in good enc victim thief; do "$CTL" key derive "$W/fleet" "$h" "$W/$h.key" >/dev/null; done
"$CTL" key derive "$W/other-fleet" victim "$W/wrong.key" >/dev/null
RUN="--listen $TO --db $DB --quiet-ms 800 --stats-interval-ms 200 --auth required"

cp "$W/fleet" "$W/open-fleet" && chmod 640 "$W/open-fleet"
check open-key-refused sh -c "! '$NXD' --config /dev/null $RUN --fleet-key '$W/open-fleet' \
	>'$W/open.log' 2>&1 && grep -q 'chmod 600' '$W/open.log'"
check no-key-refused sh -c "! '$NXD' --config /dev/null $RUN >'$W/nokey.log' 2>&1 &&
	grep -q 'fleet-key = PATH' '$W/nokey.log'"
check ctl-open-key-refused sh -c "! '$SEND' --to '$TO' --text '$TXT' --host victim \
	--key '$W/open-fleet' 2>&1 | grep -q sent"

# shellcheck disable=SC2086 # RUN is a list of options
check start h_start a --config /dev/null $RUN --fleet-key "$W/fleet"
check good-saved send --host good --key "$W/good.key" --dump 1 --save "$W/good-1.saved"
check good-stored h_wait 10 stored good true 1

# The attacks, each a whole dump (2 parts, 2 copies: 4 datagrams), with good dumps at the same time.
send --host good --key "$W/good.key" --dump 2 --repeat 3 &
good_pid=$!
send --host victim --key "$W/wrong.key" --dump 7
send --host victim --key "$W/victim.key" --dump 8 --mutate flip-header
send --host victim --key "$W/victim.key" --dump 9 --mutate flip-text
send --host victim --key "$W/victim.key" --dump 10 --mutate truncate-mac
send --host victim --key "$W/thief.key" --dump 11
send --host thief --key "$W/thief.key" --dump 12 --mutate rename --as victim
send --host victim --dump 13 --mutate unsigned
send --host enc --key "$W/enc.key" --dump 1 --encrypt
wait "$good_pid"
check forged-counted h_wait 10 counter_is auth_forged 24
check unsigned-refused h_wait 5 counter_is auth_refused 4
check good-during-attack h_wait 10 stored good true 4
check encrypted-stored h_wait 10 stored enc true 1
check encrypted-analysed sh -c "'$CTL' --db '$DB' --json list |
	jq -e '[.[] | select(.host == \"enc\")][0].title | test(\"divide error\")'"
check victim-nothing-stored sh -c "[ \"\$('$CTL' --db '$DB' --json list |
	jq '[.[] | select(.host == \"victim\" or .host == \"thief\")] | length')\" -eq 0 ]"
check replay-live send --replay "$W/good-1.saved"
check replay-live-counted h_wait 5 counter_is auth_replayed 4
a_started=$(counter started_ms)
check stop h_stop a

# "Yesterday's dump": the same datagrams after a restart; the marks come from the database.
# shellcheck disable=SC2086
check restart h_start b --config /dev/null $RUN --fleet-key "$W/fleet"
# Counters saved by this daemon, not the last one's.
check fresh-counters h_wait 5 sh -c "[ \"\$('$CTL' --db '$DB' --json stats |
	jq -r .counters.started_ms)\" != '$a_started' ]"
check no-replays-yet h_wait 1 sh -c "[ \"\$('$CTL' --db '$DB' --json stats |
	jq -r .counters.auth_replayed)\" -eq 0 ]"
check replay-after-restart send --replay "$W/good-1.saved"
check replay-counted h_wait 5 counter_is auth_replayed 4
check new-dump-accepted send --host good --key "$W/good.key" --dump 9
check still-only-new h_wait 10 stored good true 5

# SIGHUP: a new fleet key; dumps under the old one are now forged.
mv "$W/other-fleet" "$W/fleet"
check reload kill -HUP "$(cat "$W/b.pid")"
sleep 0.3
check old-key-sent send --host good --key "$W/good.key" --dump 20
check old-key-forged-after-reload h_wait 5 counter_is auth_forged 4
check new-key-after-reload send --host victim --key "$W/wrong.key" --dump 21
check new-key-stored h_wait 10 stored victim true 1
check alive h_alive b
check stop-b h_stop b

# Late copies are not replays while the loop waits for a full queue (a defect: the mark's window
# ran on the wall clock, so copies left unread during the wait were refused as replays).
i=0; : >"$W/big.txt"
while [ $i -lt 40 ]; do cat "$TXT" >>"$W/big.txt"; i=$((i + 1)); done
"$CTL" key derive "$W/fleet" stall "$W/stall.key" >/dev/null
# shellcheck disable=SC2086
check stall-start h_start s --config /dev/null --listen "$TO" --db "$W/s.db" --auth required \
	--fleet-key "$W/fleet" --quiet-ms 200 --replay-window-ms 100 --max-memory 1M \
	--stats-interval-ms 200
check stall-send "$SEND" --to "$TO" --text "$W/big.txt" --host stall --key "$W/stall.key" \
	--repeat 150
check stall-happened h_wait 10 sh -c "[ \"\$('$CTL' --db '$W/s.db' --json stats |
	jq '.counters.queue_waits')\" -gt 0 ]"
check stall-stop h_stop s
check late-copies-not-replays sh -c "[ \"\$('$CTL' --db '$W/s.db' --json stats |
	jq '.counters.auth_replayed')\" -eq 0 ]"

# auth-exempt: unsigned dumps from 127.0.0.0/8 are stored, marked not authenticated.
# shellcheck disable=SC2086
check exempt-start h_start c --config /dev/null $RUN --fleet-key "$W/fleet" \
	--auth-exempt 127.0.0.0/8
check exempt-send send --host plain --dump 1 --mutate unsigned
check exempt-stored h_wait 10 stored plain false 1
check stop-c h_stop c
checks_end
