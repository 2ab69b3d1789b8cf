#!/bin/sh
# The dashboard's resources against hostile requests, on real sockets: paths that try to leave
# the web root, odd cursors, limits, times and buckets, unknown parameters, names with markup.
# Every one gets a JSON 4xx (never a 500 nor a file outside web/public), the daemon stays up,
# and every answer carries the CSP and nosniff headers.
set -u
cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/integration/hostile/lib.sh
. tests/integration/hostile/lib.sh
hostile_begin web

P=$(free_port) H=$(free_port) DB=$W/w.db
[ "$H" != "$P" ] || H=$((P + 1))

served() { grep -q "http: serving" "$W/$1.log"; }
start_api() {
	h_start w --listen "127.0.0.1:$P" --db "$DB" --http "127.0.0.1:$H" --quiet-ms 500 \
		--web-root "$PWD/web/public" && h_wait 5 served w &&
	"$NXLOAD" --to "127.0.0.1:$P" --text "$FIX/divide-6.1.txt" --host web-1 --quiet &&
	h_wait 10 sh -c "[ \"\$('$CTL' --db '$DB' --json list | jq length)\" = 1 ]"
}
check start start_api

# status PATH: the HTTP status of a raw request for PATH (sent as it is, not normalized).
status() {
	printf 'GET %s HTTP/1.0\r\n\r\n' "$1" | nc -q 2 127.0.0.1 "$H" 2>/dev/null >"$W/answer"
	head -n1 "$W/answer" | cut -d' ' -f2
}
# refused PATH STATUS: that status, with a JSON error body and the security headers.
refused() {
	[ "$(status "$1")" = "$2" ] || { echo "$1: $(head -n1 "$W/answer")"; return 1; }
	sed '1,/^\r$/d' "$W/answer" | jq -e '.error | type == "string"' >/dev/null &&
	grep -qi "^content-security-policy: default-src 'none'" "$W/answer" &&
	grep -qi '^x-content-type-options: nosniff' "$W/answer"
}
traversal() {
	for p in /assets/../../../etc/passwd /assets/..%2f..%2fetc%2fpasswd /assets/.htaccess \
		/assets/app.js.bak /assets/sub/app.js '/assets/app%00.js' /assets/ /index.html \
		/assets/app..js /assets/../index.html /etc/passwd; do
		refused "$p" 404 || return 1
	done
	! grep -q "root:" "$W/answer"
}
check no-file-outside-the-web-root traversal
bad_values() {
	for p in '/v1/groups/search?cursor=1_0' '/v1/groups/search?cursor=x' \
		'/v1/groups/search?cursor=99999999999999999999_1' '/v1/groups/search?limit=0' \
		'/v1/groups/search?limit=501' '/v1/groups/search?limit=-1' '/v1/groups/search?sort=id' \
		'/v1/groups/search?order=sideways' '/v1/groups/search?since=soon' \
		'/v1/groups/search?colour=red' '/v1/groups/search?q' '/v1/groups/0' '/v1/groups/1x' \
		'/v1/groups/1/reports?before=0' '/v1/groups/1/reports?before=99999999999999999999' \
		'/v1/groups/1/other' '/v1/host' '/v1/host?name' \
		'/v1/timeline?bucket=1' '/v1/timeline?since=30d&bucket=60' \
		'/v1/timeline?since=1h&until=2h' '/v1/overview?x=1' "/v1/groups/search?q=$(printf 'q%.0s' $(seq 300))" \
		'/metrics?x=1'; do
		refused "$p" 400 || return 1
	done
	refused '/v1/groups/999999' 404 && refused '/v1/host?name=%3Cimg%20src%3Dx%3E' 404 &&
	refused '/v1/hostx' 404
}
check bad-values-are-400 bad_values
good_answers() {
	[ "$(status '/v1/groups/search?q=%3Cscript%3E&kernel=%00&reason=%27%20OR%201%3D1')" = 200 ] &&
	sed '1,/^\r$/d' "$W/answer" | jq -e '.total == 0' >/dev/null &&
	[ "$(status '/v1/groups/search?cursor=9223372036854775807_9223372036854775807&order=asc')" = 200 ] &&
	[ "$(status '/v1/timeline?since=2000-01-01&bucket=2592000')" = 200 ] &&
	[ "$(status /)" = 200 ] && grep -qi '^content-type: text/html' "$W/answer" &&
	[ "$(status /assets/app.js)" = 200 ] && grep -qi '^content-type: text/javascript' "$W/answer"
}
check odd-but-valid-answered good_answers
check alive h_alive w
no_root() {	# a web root without the dashboard: a warning, and / says what to set
	h_start n --listen "127.0.0.1:$(free_port)" --db "$W/n.db" --http "127.0.0.1:$(free_port)" \
		--web-root "$W/nothing" && h_wait 5 served n &&
	grep -q "no dashboard at $W/nothing .*set web-root" "$W/n.log"
}
check missing-web-root-warned no_root
check clean-exit h_stop w
checks_end
