#!/bin/sh
# Bearer tokens on the HTTP API, on real sockets: without a token, with a wrong, truncated or
# padded one, 401 (with WWW-Authenticate); a read token reads reports but not the counters
# (403); an admin token reads everything; netoopsctl --daemon sends NETOOPS_API_TOKEN; a token
# file open to group or others, or holding a bad line, stops the daemon with what to fix.
set -u
cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/integration/hostile/lib.sh
. tests/integration/hostile/lib.sh
hostile_begin http-auth

P=$(free_port) H=$(free_port) DB=$W/t.db
[ "$H" != "$P" ] || H=$((P + 1))
API=http://127.0.0.1:$H
READ=r3ad0nly-0123456789abcdef ADMIN=adm1n-0123456789abcdef0123
umask 077
printf '# tokens\nread %s\nadmin %s   # the operator\n' "$READ" "$ADMIN" >"$W/tokens"

served() { grep -q "http: serving" "$W/$1.log"; }
# status PATH [CURL ARGS]: the HTTP status of GET PATH.
status() { p=$1; shift; curl -s -o "$W/body" -w '%{http_code}' "$@" "$API$p"; }
is() { want=$1; shift; got=$(status "$@"); [ "$got" = "$want" ] || { echo "got $got"; return 1; }; }
bearer() { echo "Authorization: Bearer $1"; }

cp "$W/tokens" "$W/open-tokens"; chmod 644 "$W/open-tokens"
check open-file-refused sh -c "! '$NXD' --config /dev/null --listen 127.0.0.1:$P --db '$W/o.db' \
	--http 127.0.0.1:$H --http-tokens '$W/open-tokens' >'$W/o.log' 2>&1 &&
	grep -q 'chmod 600' '$W/o.log'"
printf 'read short\n' >"$W/bad-tokens"
check bad-line-refused sh -c "! '$NXD' --config /dev/null --listen 127.0.0.1:$P --db '$W/b.db' \
	--http 127.0.0.1:$H --http-tokens '$W/bad-tokens' >'$W/b.log' 2>&1 &&
	grep -q 'bad-tokens:1: a token is 16 to 128' '$W/b.log'"

check start h_start t --config /dev/null --listen "127.0.0.1:$P" --db "$DB" --http "127.0.0.1:$H" \
	--http-tokens "$W/tokens" --stats-interval-ms 200
check served h_wait 5 served t
check no-token-401 is 401 /v1/reports
check www-authenticate sh -c "curl -s -D - -o /dev/null '$API/v1/reports' | grep -qi '^WWW-Authenticate: Bearer'"
check error-is-json sh -c "curl -s '$API/v1/reports' | jq -e '.error | test(\"bearer token\")'"
check wrong-token-401 is 401 /v1/reports -H "$(bearer wrong-0123456789abcdef01)"
check truncated-token-401 is 401 /v1/reports -H "$(bearer "${READ%?}")"
check padded-token-401 is 401 /v1/reports -H "$(bearer "${READ}x")"
check basic-scheme-401 is 401 /v1/reports -H "Authorization: Basic $READ"
check read-token-reports is 200 /v1/reports -H "$(bearer "$READ")"
check read-token-groups is 200 /v1/groups -H "$(bearer "$READ")"
check read-token-no-stats is 403 /v1/stats -H "$(bearer "$READ")"
check admin-token-stats is 200 /v1/stats -H "$(bearer "$ADMIN")"
check admin-token-reports is 200 /v1/reports -H "$(bearer "$ADMIN")"
check ctl-without-token sh -c "! '$CTL' --daemon 127.0.0.1:$H list >'$W/ctl.out' 2>&1 &&
	grep -q 'bearer token' '$W/ctl.out'"
check ctl-with-token env NETOOPS_API_TOKEN="$READ" "$CTL" --daemon "127.0.0.1:$H" list
check alive h_alive t
check stop h_stop t

# TLS (libmicrohttpd with GnuTLS): the same API over HTTPS with a token; plain HTTP gets nothing.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$W/key.pem" \
	-out "$W/cert.pem" -days 2 -subj /CN=localhost \
	-addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1
chmod 644 "$W/key.pem"
check tls-open-key-refused sh -c "! '$NXD' --config /dev/null --listen 127.0.0.1:$P --db '$W/k.db' \
	--http 127.0.0.1:$H --http-tls-cert '$W/cert.pem' --http-tls-key '$W/key.pem' \
	>'$W/k.log' 2>&1 && grep -q 'chmod 600' '$W/k.log'"
check tls-cert-without-key sh -c "! '$NXD' --config /dev/null --db '$W/k.db' --http 127.0.0.1:$H \
	--http-tls-cert '$W/cert.pem' >'$W/c.log' 2>&1 &&
	grep -q 'needs both http-tls-cert and http-tls-key' '$W/c.log'"
chmod 600 "$W/key.pem"
check tls-start h_start s --config /dev/null --listen "127.0.0.1:$P" --db "$DB" \
	--http "127.0.0.1:$H" --http-tokens "$W/tokens" --http-tls-cert "$W/cert.pem" \
	--http-tls-key "$W/key.pem"
check tls-served h_wait 5 served s
API=https://127.0.0.1:$H
check tls-token-200 is 200 /v1/reports --cacert "$W/cert.pem" -H "$(bearer "$READ")"
check tls-no-token-401 is 401 /v1/reports --cacert "$W/cert.pem"
check tls-untrusted-refused sh -c "! curl -s -m 5 '$API/v1/reports' >/dev/null"
check tls-plain-http-nothing sh -c "! curl -s -m 5 -H '$(bearer "$READ")' \
	'http://127.0.0.1:$H/v1/reports' | grep -q '^\['"
check tls-alive h_alive s
check tls-stop h_stop s
checks_end
