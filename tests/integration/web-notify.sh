#!/bin/sh
# Webhooks (notify = URL) against a real HTTP receiver on loopback (tests/integration/
# webhookrecv.c): a new group is POSTed as JSON (groups there at start are not), a failed POST is
# retried with back-off, a rate jump is POSTed, the counters say so, a receiver that never
# answers delays neither receiving nor storing, and a bad URL is refused saying what to write.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
CTL=$BUILD/netoopsctl NXD=$BUILD/netoopsd RECV=$BUILD/tests/webhookrecv
NXLOAD=$PWD/build/tests/nxload	# the plain sender: not under test
FIX=tests/integration/fixtures
CORPUS=tests/data/corpus/oops-dev/kerneloops
W=$(mktemp -d /tmp/netoops-notify.XXXXXX)
pids=""

cleanup() { for p in $pids; do kill "$p" 2>/dev/null; done; [ "${KEEP:-0}" = 1 ] || rm -rf "$W"; }
trap cleanup EXIT INT TERM
# shellcheck source=tests/lib/checks.sh
. tests/lib/checks.sh
# shellcheck source=tests/lib/ports.sh
. tests/lib/ports.sh
# shellcheck source=tests/lib/wait.sh
. tests/lib/wait.sh
checks_begin web-notify "$W/out"

mkdir -p "$BUILD/tests" build/tests
${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -o "$RECV" \
	tests/integration/webhookrecv.c || exit 1
make -s --no-print-directory BUILD="$PWD/build" "$NXLOAD" || exit 1
P=$(free_port)
DB=$W/n.db

# receiver NAME STATUSES: a receiver in the background; its port in $W/NAME.port.
receiver() {
	"$RECV" "$W/$1.port" "$W/$1.out" "$2" 120 &
	pids="$pids $!"
	for _ in $(seq 50); do [ -s "$W/$1.port" ] && return 0; sleep 0.05; done
	return 1
}
# start NAME ARGS...: netoopsd; ready once listening.
start() {
	name=$1; shift
	"$NXD" --listen "127.0.0.1:$P" --db "$DB" --quiet-ms 300 --stats-interval-ms 200 \
		-c /dev/null "$@" >"$W/$name.log" 2>&1 &
	echo $! >"$W/$name.pid"
	pids="$pids $!"
	wait_log "$W/$name.log" "listening on"
}
stop() {
	kill "$(cat "$W/$1.pid")"
	for _ in $(seq 200); do kill -0 "$(cat "$W/$1.pid")" 2>/dev/null || return 0; sleep 0.05; done
	return 1
}
send() { "$NXLOAD" --to "127.0.0.1:$P" --quiet "$@" >>"$W/nxload.log" 2>&1; }
count() { [ "$("$CTL" --db "$DB" --json list | jq length)" -ge "$1" ]; }
wait_for() { t=$1; shift; for _ in $(seq $((t * 10))); do "$@" && return 0; sleep 0.1; done; return 1; }
# events NAME JQ: the bodies the receiver NAME got, as one JSON array, filtered by JQ
events() { sed 's/^[0-9]* //' "$W/$1.out" | jq -s "$2"; }
got() { [ -s "$W/$1.out" ] && [ "$(events "$1" "$2")" = true ]; }

bad_url() {
	! "$NXD" --db "$W/bad.db" --notify ftp://example.net/x 2>"$W/bad.err" &&
	grep -q "notify: 'ftp://example.net/x' is not an http:// or https:// URL" "$W/bad.err" &&
	! "$NXD" --db "$W/bad.db" --notify 'http://a b' 2>/dev/null &&
	! "$NXD" --db "$W/bad.db" --notify http:// 2>/dev/null
}
check bad-url-refused bad_url

before() {	# a group that exists before notify is on
	start plain && send --text "$FIX/divide-6.1.txt" --host old-1 && wait_for 10 count 1 &&
	stop plain
}
check existing-group before

new_group() {
	receiver r1 500,200 && start n1 --notify "http://127.0.0.1:$(cat "$W/r1.port")/hook" &&
	grep -q "notify: new groups and rate jumps are posted to http://127.0.0.1:" "$W/n1.log" &&
	send --text "$FIX/divide-6.1.txt" --host old-2 &&	# the old group again: no event
	send --text "$CORPUS/i386-softlockup.txt" --host new-1 &&
	wait_for 10 got r1 'map(select(.event == "new_group")) | length >= 2' &&
	# the first POST failed (500), the same event came again and was taken
	[ "$(sed -n 1p "$W/r1.out" | cut -d' ' -f1)" = 500 ] &&
	[ "$(sed -n 2p "$W/r1.out" | cut -d' ' -f1)" = 200 ] &&
	[ "$(events r1 '.[0] == .[1]')" = true ] &&
	got r1 'all(.[]; .group.title == "BUG: soft lockup in corrupted" and .event == "new_group"
		and (.page | test("^#/groups/[0-9]+$")) and (.collector | length > 0)
		and .group.count == 1 and .group.hosts == 1)'
}
check new-group-posted-after-a-retry new_group

rate_jump() {
	send --text "$CORPUS/power5-with-machinecheck.txt" --hosts 6 --host burst &&
	wait_for 10 got r1 'map(select(.event == "rate_jump" and
		.group.title == "machine check in unix_stream_recvmsg" and .last_hour >= 5 and
		.previous_day == 0)) | length == 1' &&
	# the text holds two reports: two new groups (4 bodies with the retry of the first), both
	# jumping from nothing to 6 dumps
	got r1 'map(select(.event == "new_group")) | length == 4' &&
	got r1 'map(select(.event == "rate_jump")) | length == 2' &&
	sleep 2.5 && got r1 'map(select(.event == "rate_jump")) | length == 2'	# once an hour
}
check rate-jump-posted-once rate_jump

counted() {
	sleep 0.5
	"$CTL" --db "$DB" --json stats | jq -e '.counters.notify_sent == 5 and
		.counters.notify_retries == 1 and .counters.notify_failed == 0 and
		.counters.notify_dropped == 0' && stop n1
}
check counters counted

never_answers() {
	receiver r2 0 && start n2 --notify "http://127.0.0.1:$(cat "$W/r2.port")/hook" &&
	t0=$(date +%s%N) &&
	send --text "$CORPUS/i386-bug-on.txt" --host hang-1 &&
	wait_for 10 got r2 'length >= 1' &&	# the POST hangs now
	send --text "$CORPUS/i386-oops-with-end-marker.txt" --hosts 20 --host during &&
	wait_for 10 count $(( $("$CTL" --db "$DB" --json list | jq length) + 0 )) &&
	wait_for 10 sh -c "[ \"\$('$CTL' --db '$DB' --json list --host during-00019 | jq length)\" = 1 ]" &&
	ms=$(( ($(date +%s%N) - t0) / 1000000 )) && echo "stored 21 dumps in $ms ms" &&
	[ "$ms" -lt 5000 ] && stop n2
}
check hanging-receiver-delays-nothing never_answers

checks_end
