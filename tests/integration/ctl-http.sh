#!/bin/bash
# netoopsd --http and netoopsctl --daemon: the real daemon on loopback (IPv4 and IPv6), fed by
# nxload; every query answered over HTTP must print exactly what the same query prints when it
# reads the store with --db (text and JSON). Also the API's refusals (404, 400, 405, 414) seen
# on a raw socket, and `netoopsctl test --collector` waiting on the API (trigger faked as in
# ctl-test-wait.sh: no netoops.ko on this host).
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
CTL=$BUILD/netoopsctl NXD=$BUILD/netoopsd NXLOAD=${NXLOAD:-$BUILD/tests/nxload}	# the sender is not under test
FIX=tests/integration/fixtures
W=$(mktemp -d /tmp/netoops-ctlhttp.XXXXXX)
pids=""

cleanup() { for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$W"; }
trap cleanup EXIT INT TERM

. tests/lib/checks.sh
checks_begin ctl-http "$W/out"
finish() { checks_end; exit; }

make -s --no-print-directory BUILD="$BUILD" "$BUILD/tests/nxload" || { failed=1; finish; }
# shellcheck source=tests/lib/ports.sh
. tests/lib/ports.sh
HOST=$(uname -n | tr -c 'A-Za-z0-9._\n-' _ | cut -c1-64)
P4=$(free_port); H4=$(free_port); P6=$(free_port); H6=$(free_port)
[ "$H4" != "$P4" ] || H4=$((P4 + 1))
DB=$W/v4.db DB6=$W/v6.db
mkdir -p "$W/sysfs"
: >"$W/sysfs/netoops_trigger"
export NETOOPS_SYSFS_DIR=$W/sysfs
unset NETOOPS_DB NETOOPS_DAEMON

# start NAME ARGS...: netoopsd in the background; ready once it logs the HTTP address.
start() {
	local name=$1; shift
	"$NXD" "$@" >"$W/$name.log" 2>&1 &
	pids="$pids $!"
	for _ in $(seq 100); do
		grep -q "http: serving" "$W/$name.log" && return 0
		sleep 0.05
	done
	cat "$W/$name.log"; return 1
}
send() { "$NXLOAD" --to "$1" --text "$2" --host "$3" "${@:4}" >>"$W/nxload.log" 2>&1; }
stored() { [ "$("$CTL" --db "$1" --json list | jq length)" -ge "$2" ]; }
wait_for() { for _ in $(seq 100); do "$@" && return 0; sleep 0.1; done; return 1; }

start_daemons() {
	printf 'listen = [::1]:%s\ndb = %s\nhttp = [::1]:%s\n' "$P6" "$DB6" "$H6" >"$W/v6.conf"
	start v4 --listen "127.0.0.1:$P4" --db "$DB" --http "127.0.0.1:$H4" --quiet-ms 800 \
		--stats-interval-ms 200 && start v6 --config "$W/v6.conf" &&
	send "127.0.0.1:$P4" "$FIX/divide-6.1.txt" it-a --reason oops &&
	send "127.0.0.1:$P4" "$FIX/test-dump.txt" it-b --reason test &&
	send "127.0.0.1:$P4" "$FIX/divide-6.1.txt" it-c --pad 65536 --copies 1 --loss 0.3 --seed 5 &&
	send "[::1]:$P6" "$FIX/divide-6.1.txt" it-six --pad 20000 &&
	wait_for stored "$DB" 3 && wait_for stored "$DB6" 1 && sleep 0.5	# counters saved
}
check daemons-start-and-store start_daemons

# same DB ADDR ARGS...: `--daemon ADDR ARGS` prints what `--db DB ARGS` prints, byte for byte.
same() {
	local db=$1 addr=$2; shift 2
	"$CTL" --db "$db" "$@" >"$W/db.out" 2>&1; local rc1=$?
	"$CTL" --daemon "$addr" "$@" >"$W/http.out" 2>&1; local rc2=$?
	[ "$rc1" = 0 ] && [ "$rc2" = 0 ] && [ -s "$W/db.out" ] && cmp "$W/db.out" "$W/http.out" ||
		{ echo "differ: $* (rc $rc1 / $rc2)"; diff "$W/db.out" "$W/http.out" | head; return 1; }
}
same_everywhere() {
	local db=$1 addr=$2 j id
	for j in "" --json; do
		same "$db" "$addr" $j list && same "$db" "$addr" $j list --host it-a &&
		same "$db" "$addr" $j list --reason test && same "$db" "$addr" $j list --since 1h &&
		same "$db" "$addr" $j list --limit 1 && same "$db" "$addr" $j groups &&
		same "$db" "$addr" list --group 1 $j && same "$db" "$addr" $j stats || return 1
		for id in $("$CTL" --db "$db" --json list | jq '.[].id'); do
			same "$db" "$addr" $j show "$id" || return 1
		done
	done
	# the filters matter: not every query prints everything
	[ "$("$CTL" --daemon "$addr" --json list --host it-a | jq length)" = 1 ] || [ "$db" = "$DB6" ]
}
check ipv4-same-as-db same_everywhere "$DB" "127.0.0.1:$H4"
check ipv6-same-as-db same_everywhere "$DB6" "[::1]:$H6"
env_daemon() {
	NETOOPS_DAEMON=127.0.0.1:$H4 "$CTL" --json list >"$W/env.out" &&
	"$CTL" --db "$DB" --json list | cmp - "$W/env.out" &&
	NETOOPS_DAEMON=127.0.0.1:$H4 "$CTL" --db "$W/nope.db" list 2>&1 | grep -q "no database at"
}
check env-and-precedence env_daemon

# status PATH [METHOD]: the HTTP status netoopsd answers, from a raw request. The request is
# written in one go (cat): the daemon refuses an over-long one before reading all of it.
status() {
	printf '%s %s HTTP/1.0\r\n\r\n' "${2:-GET}" "$1" >"$W/req"
	exec 3<>"/dev/tcp/127.0.0.1/$H4" || return 1
	(trap '' PIPE; cat "$W/req" >&3 2>/dev/null)
	head -n1 <&3 | cut -d' ' -f2; exec 3<&-
}
refusals() {
	[ "$(status /v1/reports/999999)" = 404 ] && [ "$(status /v1/nothing)" = 404 ] &&
	[ "$(status /v1/reports/abc)" = 400 ] && [ "$(status '/v1/reports?limit=abc')" = 400 ] &&
	[ "$(status '/v1/reports?limit=10001')" = 400 ] && [ "$(status '/v1/reports?since=soon')" = 400 ] &&
	[ "$(status '/v1/reports?colour=red')" = 400 ] && [ "$(status '/v1/groups?x=1')" = 400 ] &&
	[ "$(status /v1/reports POST)" = 405 ] && [ "$(status '/v1/reports?limit=2')" = 200 ] &&
	[ "$(status "/v1/reports?host=$(printf 'a%.0s' $(seq 20000))")" = 414 ] &&
	! "$CTL" --daemon "127.0.0.1:$H4" show 999999 2>"$W/err" &&
	grep -qx "netoopsctl: no dump with id 999999 (see netoopsctl list)" "$W/err" &&
	! "$CTL" --daemon "127.0.0.1:$H4" list --host "$(printf 'h%.0s' $(seq 300))" 2>"$W/err" &&
	grep -q "host: missing or longer than 256 bytes" "$W/err" && cat "$W/err" &&
	kill -0 ${pids% *} 2>/dev/null	# the daemon is still there
}
check refusals-404-400-405-414 refusals

no_daemon() {
	local p
	p=$(free_port)
	! "$CTL" --daemon "127.0.0.1:$p" list 2>"$W/err" && grep -q "cannot connect to netoopsd" "$W/err" &&
	! "$CTL" --daemon "127.0.0.1" list 2>"$W/err" && grep -q "give HOST:PORT" "$W/err" &&
	! "$NXD" --db "$W/x.db" --http 127.0.0.1 2>"$W/err" && grep -q "http: '127.0.0.1' is not ADDR:PORT" "$W/err" &&
	! "$NXD" --listen "127.0.0.1:$p" --db "$W/x.db" --http "127.0.0.1:$H4" 2>"$W/err" &&
	grep -q "http: cannot serve on 127.0.0.1:$H4" "$W/err"
}
check no-daemon-and-bad-addresses no_daemon

send_later() {
	(sleep "$1"; send "127.0.0.1:$P4" "$FIX/test-dump.txt" "$2" --reason test --seed "$RANDOM") &
}
test_collector_waits() {
	local out
	send_later 1.5 "$HOST"
	out=$("$CTL" test --collector "127.0.0.1:$H4" --timeout 20) || { echo "$out"; return 1; }
	echo "$out"; grep -qx test "$W/sysfs/netoops_trigger" &&
	[[ $out == *"received: the collector stored test dump "*" from $HOST"* ]] &&
	! "$CTL" test --collector "127.0.0.1:$H4" --timeout 2 2>"$W/err" &&	# the old one does not count
	grep -q "no test dump from $HOST reached the collector within 2 s" "$W/err"
}
check test-collector-waits test_collector_waits
finish
