#!/bin/sh
# The HTTP query API (--http) against hostile clients, on real sockets: a 32 MiB dump of control
# bytes asked for by 31 clients that never read (memory stays bounded, the others get 503, /v1/stats
# still answers at once), the dump read whole by netoopsctl --daemon and raw by /v1/reports/ID/text,
# a slowloris attack from one address (the other clients are answered, the slow connections
# closed by the deadline), every refusal as JSON, and --http on a wildcard address refused unless
# written out.
set -u
cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/integration/hostile/lib.sh
. tests/integration/hostile/lib.sh
hostile_begin http

P=$(free_port) H=$(free_port) DB=$W/h.db
[ "$H" != "$P" ] || H=$((P + 1))
API=http://127.0.0.1:$H
BIG=$W/control.txt
# ASan keeps freed memory in quarantine and pads allocations: its bound is looser.
if [ "$HOSTILE_VARIANT" = san ]; then RSS_MAX_KB=700000; else RSS_MAX_KB=300000; fi

served() { grep -q "http: serving" "$W/$1.log"; }
start_api() {
	h_start h --listen "127.0.0.1:$P" --db "$DB" --http "127.0.0.1:$H" --quiet-ms 800 \
		--stats-interval-ms 200 && h_wait 5 served h
}
check start start_api

stored_big() { [ "$("$CTL" --db "$DB" --json list --host big | jq length)" = 1 ]; }
send_big() {
	head -c 33554432 /dev/zero | tr '\000' '\001' >"$BIG" &&
	"$NXLOAD" --to "127.0.0.1:$P" --text "$BIG" --host big --copies 1 --quiet &&
	"$NXLOAD" --to "127.0.0.1:$P" --text "$FIX/divide-6.1.txt" --host small --quiet &&
	h_wait 60 stored_big &&
	h_wait 10 sh -c "[ \"\$('$CTL' --db '$DB' --json list | jq length)\" = 2 ]"
}
check store-32mib-control-dump send_big
ID=$("$CTL" --db "$DB" --json list --host big | jq '.[0].id')

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$(cat "$W/h.pid")/status"; }
# ms URL [CURL ARGS]: the HTTP status and the time it took in ms ("200 3").
ms() {
	curl -s -o /dev/null --max-time 5 -w '%{http_code} %{time_total}\n' "$@" |
		awk '{ printf "%s %d\n", $1, $2 * 1000 }'
}
# A client from 127.0.0.N that asks for the big dump and never reads the answer.
non_reader() {
	# shellcheck disable=SC2216 # on purpose: nothing reads, so the answer backs up into nc
	{ printf 'GET /v1/reports/%s HTTP/1.0\r\n\r\n' "$ID"; sleep 8; } |
		nc -s "127.0.0.$1" 127.0.0.1 "$H" 2>/dev/null | sleep 8
}
memory_bounded() {
	max=0 slow=0
	kids=""
	for n in $(seq 10 40); do non_reader "$n" & kids="$kids $!"; done
	for _ in $(seq 20); do
		sleep 0.2
		r=$(rss_kb); [ "$r" -gt "$max" ] && max=$r
		r=$(ms "$API/v1/stats")
		[ "${r% *}" = 200 ] && [ "${r#* }" -lt 1000 ] || slow=$((slow + 1))
	done
	curl -s -i --interface 127.0.0.99 "$API/v1/reports/$ID" >"$W/busy.out"
	echo "peak RSS ${max} kB (bound $RSS_MAX_KB); /v1/stats slow or failed: $slow of 20"
	head -n 1 "$W/busy.out"
	# shellcheck disable=SC2086 # a list of pids
	wait $kids	# not the daemon's
	[ "$max" -lt "$RSS_MAX_KB" ] && [ "$slow" = 0 ] &&
	head -n 1 "$W/busy.out" | grep -q " 503 " && grep -qi '^Retry-After: 5' "$W/busy.out" &&
	sed '1,/^\r$/d' "$W/busy.out" | jq -e '.error | test("busy")'
}
check big-answers-bounded-and-api-responsive memory_bounded

big_read_whole() {
	"$CTL" --daemon "127.0.0.1:$H" --json show "$ID" | cksum >"$W/http.sum" &&
	"$CTL" --db "$DB" --json show "$ID" | cksum >"$W/db.sum" &&
	cat "$W/db.sum" && cmp "$W/db.sum" "$W/http.sum" &&
	[ "$(cut -d' ' -f2 "$W/db.sum")" -gt 67108864 ]	# over the client's former 64 MiB
}
check ctl-daemon-reads-200mb-answer big_read_whole
raw_text() {
	curl -s -D "$W/raw.head" "$API/v1/reports/$ID/text" | cmp - "$BIG" &&
	grep -qi '^Content-Type: application/octet-stream' "$W/raw.head" &&
	small=$("$CTL" --db "$DB" --json list --host small | jq '.[0].id') &&
	curl -s "$API/v1/reports/$small/text" | cmp - "$FIX/divide-6.1.txt"
}
check raw-text-endpoint raw_text

# ---- slowloris ---------------------------------------------------------------------------
# One slow client from 127.0.0.3: a request line, then a header line every second for 20 s.
slow_client() {
	{
		printf 'GET /v1/stats HTTP/1.1\r\nHost: x\r\n'
		for i in $(seq 20); do sleep 1; printf 'X-Slow-%s: y\r\n' "$i"; done
	} 2>/dev/null | nc -s 127.0.0.3 127.0.0.1 "$H" >"$W/slow.$1" 2>&1
}
slow_open() { ss -Htn state established "( dport = :$H and src 127.0.0.3 )" | wc -l; }
slowloris() {
	kids=""
	for n in $(seq 32); do slow_client "$n" & kids="$kids $!"; done
	sleep 1
	worst=0 bad=0
	for _ in $(seq 10); do
		r=$(ms "$API/v1/stats")
		[ "${r% *}" = 200 ] || bad=$((bad + 1))
		[ "${r#* }" -gt "$worst" ] && worst=${r#* }
		sleep 0.3
	done
	open_early=$(slow_open)
	sleep 4		# 5 s after the attack began, 6 s after its first connection
	open_late=$(slow_open)
	# shellcheck disable=SC2086 # a list of pids
	wait $kids	# not the daemon's
	timeouts=$(grep -l '^HTTP/1.1 408 ' "$W"/slow.* | wc -l)
	limited=$(grep -l '^HTTP/1.1 503 ' "$W"/slow.* | wc -l)
	echo "others: $bad of 10 failed, slowest ${worst} ms; slow connections open: $open_early" \
		"then $open_late; answered 408: $timeouts, 503 (per-address limit): $limited"
	[ "$bad" = 0 ] && [ "$worst" -lt 1000 ] &&
	[ "$open_early" -ge 1 ] && [ "$open_late" = 0 ] &&
	[ "$timeouts" = 8 ] && [ "$limited" = 24 ] &&
	grep -q 'did not arrive within 5 s' "$W/slow.1" "$W/slow.2" "$W"/slow.*
}
check slowloris-others-answered-slow-closed slowloris

# ---- every refusal is JSON ---------------------------------------------------------------
# refusal STATUS PRINTF-FORMAT [ARGS]: that request, written in one go, gets STATUS with
# Content-Type application/json and an {"error": "..."} body.
refusal() {
	want=$1; shift
	# shellcheck disable=SC2059 # the format is the request
	printf "$@" >"$W/req"
	timeout 10 nc -N 127.0.0.1 "$H" <"$W/req" >"$W/resp" 2>/dev/null
	if ! head -n 1 "$W/resp" | grep -q "^HTTP/1.[01] $want " ||
	   ! grep -qi '^Content-Type: application/json' "$W/resp" ||
	   ! sed '1,/^\r$/d' "$W/resp" | jq -e '.error | type == "string"' >/dev/null; then
		echo "expected $want:"; head -c 600 "$W/resp"; echo
		return 1
	fi
}
long() { head -c "$1" /dev/zero | tr '\000' "$2"; }
headers() { for i in $(seq "$1"); do printf 'X-Header-%04d: %s\r\n' "$i" "$(long 30 v)"; done; }
refusals() {
	refusal 400 'GARBAGE\r\n\r\n' &&
	refusal 400 'GET /v1/reports?limit=abc HTTP/1.0\r\n\r\n' &&
	refusal 400 'GET /v1/stats HTTP/1.1\r\n\r\n' &&
	refusal 400 'GET /v1/stats HTTP/1.0\r\n folded: header\r\n\r\n' &&
	refusal 404 'GET /v1/nothing HTTP/1.0\r\n\r\n' &&
	refusal 404 'GET /v1/reports/999999/text HTTP/1.0\r\n\r\n' &&
	refusal 405 'DELETE /v1/reports HTTP/1.0\r\n\r\n' &&
	refusal 405 'POST /v1/reports HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello' &&
	refusal 413 'GET /v1/reports HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello' &&
	refusal 413 'GET /v1/reports HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n' &&
	refusal 414 'GET /v1/reports?host=%s HTTP/1.0\r\n\r\n' "$(long 20000 a)" &&
	refusal 431 'GET /v1/stats HTTP/1.0\r\n%s\r\n' "$(headers 300)" &&
	refusal 505 'GET /v1/stats HTTP/2.0\r\n\r\n' &&
	refusal 400 'GET /v1/stats HTTP/1.0\r\nX: a\001b\r\n\r\n'
}
check every-refusal-is-json refusals
# 500: the store fails (a table dropped under the daemon's feet, on a database of its own).
store_error() {
	P2=$(free_port) H2=$(free_port)
	h_start e --listen "127.0.0.1:$P2" --db "$W/e.db" --http "127.0.0.1:$H2" &&
	h_wait 5 served e && sqlite3 "$W/e.db" 'DROP TABLE groups' && H=$H2 &&
	refusal 500 'GET /v1/groups HTTP/1.0\r\n\r\n' && cat "$W/resp" && h_alive e
}
H_MAIN=$H
check store-error-500-json store_error
H=$H_MAIN

# ---- the address -------------------------------------------------------------------------
wildcards() {
	p=$(free_port) q=$(free_port)
	! timeout 5 "$NXD" --listen "127.0.0.1:$p" --db "$W/w.db" --http ":$q" 2>"$W/err" &&
	grep -q "http: ':$q' would serve every interface" "$W/err" &&
	grep -q "write 0.0.0.0:PORT or \[::\]:PORT" "$W/err" && cat "$W/err" &&
	! timeout 5 "$NXD" --listen "127.0.0.1:$p" --db "$W/w.db" --http "*:$q" 2>/dev/null &&
	h_start w --listen "127.0.0.1:$p" --db "$W/w.db" --http "0.0.0.0:$q" && h_wait 5 served w &&
	grep -q "http: the query API on 0.0.0.0:$q is reachable from other hosts" "$W/w.log" &&
	! grep -q "reachable from other hosts" "$W/h.log" && h_stop w
}
check wildcard-refused-unless-explicit wildcards

check alive h_alive h
check clean-exit h_stop h
check clean-exit-store-error h_stop e
checks_end
