#!/bin/sh
# Stored texts are compressed (docs/netoopsd.md, "Stored text"): a real daemon gives back the
# bytes it received through show, --json, /v1/reports/ID and its raw /text; a row damaged
# behind its back (another program writing the database) is an error saying so, over HTTP and
# in netoopsctl, never a crash: the daemon goes on, and the other dumps still read back.
set -u
cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/integration/hostile/lib.sh
. tests/integration/hostile/lib.sh
hostile_begin stored

P=$(free_port) H=$(free_port) DB=$W/s.db
[ "$H" != "$P" ] || H=$((P + 1))
API=http://127.0.0.1:$H
check start h_start s --listen "127.0.0.1:$P" --db "$DB" --http "127.0.0.1:$H" --quiet-ms 300
check http-up h_wait 10 grep -q "http: serving" "$W/s.log"
send() { "$NXLOAD" --to "127.0.0.1:$P" --text "$FIX/divide-6.1.txt" --pad 131072 --host "$1" --quiet; }
count_is() { [ "$(h_count "$DB" "$1")" = "$2" ]; }
check send-good send stored-good
check send-bad send stored-bad
check stored h_wait 10 count_is stored-bad 1
id() { "$CTL" --db "$DB" --json list | jq ".[] | select(.host == \"$1\") | .id"; }
G=$(id stored-good) B=$(id stored-bad)
sql() { sqlite3 "$DB" "$1"; }
check compressed test "$(sql "SELECT text_codec FROM dumps WHERE id = $G")" = zstd
check smaller test "$(sql "SELECT length(text) * 4 < text_len FROM dumps WHERE id = $G")" = 1
# The text as sent: the last 128 KiB nxload padded the fixture to, whatever the reader.
check raw-http sh -c "curl -s '$API/v1/reports/$G/text' | tail -c \$(wc -c <'$FIX/divide-6.1.txt') |
	cmp - '$FIX/divide-6.1.txt'"
check raw-length test "$(curl -s "$API/v1/reports/$G/text" | wc -c)" = \
	"$(sql "SELECT text_len FROM dumps WHERE id = $G")"
check show-json-same sh -c "'$CTL' --db '$DB' --json show $G | jq -j .text >'$W/j.txt' &&
	curl -s '$API/v1/reports/$G/text' | cmp - '$W/j.txt'"
check http-json-same sh -c "curl -s '$API/v1/reports/$G' | jq -j .text | cmp - '$W/j.txt'"
# Damage one row as another program could: half its zstd frame.
check damage sql "UPDATE dumps SET text = substr(text, 1, length(text) / 2) WHERE id = $B"
check http-500 sh -c "curl -s -o '$W/e.json' -w '%{http_code}' '$API/v1/reports/$B' | grep -qx 500 &&
	jq -e '.error | contains(\"stored text damaged\")' '$W/e.json'"
check raw-500 sh -c "curl -s -o '$W/r.json' -w '%{http_code}' '$API/v1/reports/$B/text' | grep -qx 500 &&
	jq -e '.error | contains(\"stored text damaged\")' '$W/r.json'"
check ctl-says-why sh -c "! '$CTL' --db '$DB' show $B >'$W/c.out' 2>&1 && grep -q 'stored text damaged' '$W/c.out'"
check alive h_alive s
check good-still-reads sh -c "curl -s '$API/v1/reports/$G/text' | cmp - '$W/j.txt'"
check send-after send stored-after
check after-stored h_wait 10 count_is stored-after 1
check stop h_stop s
checks_end
