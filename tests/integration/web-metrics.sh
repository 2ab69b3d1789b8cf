#!/bin/sh
# /metrics and the alert rules: a real netoopsd on loopback fed by nxload (good dumps in two
# formats, lossy and hostile traffic); its /metrics must pass `promtool check metrics` and
# agree with what it stored; packaging/prometheus/netoops-alerts.yml must pass `promtool check
# rules` and its own `promtool test rules` (tests/integration/fixtures/alerts-test.yml).
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
CTL=$BUILD/netoopsctl NXD=$BUILD/netoopsd NXLOAD=$PWD/build/tests/nxload	# the plain sender: not under test
FIX=tests/integration/fixtures
W=$(mktemp -d /tmp/netoops-webmetrics.XXXXXX)
pid=""

cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT INT TERM

# shellcheck source=tests/lib/checks.sh
. tests/lib/checks.sh
# shellcheck source=tests/lib/ports.sh
. tests/lib/ports.sh
# shellcheck source=tests/lib/wait.sh
. tests/lib/wait.sh
checks_begin web-metrics "$W/out"

make -s --no-print-directory BUILD="$PWD/build" "$NXLOAD" || exit 1
P=$(free_port) H=$(free_port)
[ "$H" != "$P" ] || H=$((P + 1))
DB=$W/m.db

start() {
	"$NXD" --listen "127.0.0.1:$P" --db "$DB" --http "127.0.0.1:$H" --quiet-ms 300 \
		--stats-interval-ms 200 >"$W/nxd.log" 2>&1 &
	pid=$!
	wait_log "$W/nxd.log" "http: serving"
}
send() { "$NXLOAD" --to "127.0.0.1:$P" "$@" >>"$W/nxload.log" 2>&1; }
stored() { [ "$("$CTL" --db "$DB" --json list | jq length)" -ge "$1" ]; }
# metric NAME{LABELS}: its value in the last scrape
metric() { awk -v k="$1" '$1 == k { print $2 }' "$W/metrics"; }
scrape() { curl -sf -o "$W/metrics" -D "$W/headers" "http://127.0.0.1:$H/metrics"; }

feed() {
	start || return 1
	send --text "$FIX/divide-6.1.txt" --hosts 4 --host web --garbage 3 &&
	send --text "$FIX/divide-6.1.txt" --host legacy-1 --format legacy &&
	send --text "$FIX/test-dump.txt" --host lossy --copies 1 --loss 0.5 --seed 3 --pad 30000 &&
	for _ in $(seq 100); do stored 6 && break; sleep 0.1; done && stored 6 &&
	sleep 0.6	# the counters are saved every 200 ms
}
check feed-daemon feed

exposition() {
	scrape && grep -qi '^content-type: text/plain; version=0.0.4' "$W/headers" &&
	promtool check metrics <"$W/metrics"
}
check promtool-check-metrics exposition

agrees() {
	stats=$("$CTL" --db "$DB" --json stats) || return 1
	want() { echo "$stats" | jq -r "$1"; }
	[ "$(metric netoops_dumps_stored_total)" = "$(want .counters.stored)" ] &&
	[ "$(metric netoops_stored_dumps)" = "$(want .stored.dumps)" ] &&
	[ "$(metric netoops_groups)" = "$(want .stored.groups)" ] &&
	[ "$(metric netoops_groups)" -ge 1 ] &&
	[ "$(metric 'netoops_datagrams_accepted_total{format="netoops"}')" = \
	  "$(want .counters.datagrams_netoops)" ] &&
	[ "$(metric 'netoops_datagrams_accepted_total{format="legacy_v3"}')" -ge 1 ] &&
	[ "$(metric 'netoops_datagrams_dropped_total{reason="malformed"}')" -ge 1 ] &&
	[ "$(metric 'netoops_datagrams_dropped_total{reason="malformed"}')" = \
	  "$(want .counters.malformed)" ] &&
	[ "$(metric 'netoops_dumps_finished_total{outcome="complete"}')" -ge 5 ] &&
	[ "$(metric 'netoops_queue_bytes{queue="store"}')" -ge 0 ] &&
	# the histogram: every stored dump counted, cumulative buckets, +Inf = count
	[ "$(metric netoops_store_latency_seconds_count)" = "$(want .counters.stored)" ] &&
	[ "$(metric 'netoops_store_latency_seconds_bucket{le="+Inf"}')" = "$(want .counters.stored)" ] &&
	[ "$(metric 'netoops_store_latency_seconds_bucket{le="30"}')" = "$(want .counters.stored)" ] &&
	awk '/^netoops_store_latency_seconds_bucket/ { if ($2 < prev) exit 1; prev = $2 }' "$W/metrics" &&
	# one series per group, its count the group's
	g=$("$CTL" --db "$DB" --json groups | jq -r '.[0] | "\(.id) \(.count)"') &&
	[ "$(metric "netoops_group_reports_total{group=\"${g% *}\"}")" = "${g#* }" ]
}
check metrics-agree-with-store agrees

rules() {
	promtool check rules packaging/prometheus/netoops-alerts.yml &&
	(cd "$FIX" && promtool test rules alerts-test.yml)
}
check alert-rules rules

head_request() {
	[ "$(curl -s -o /dev/null -w '%{http_code}' -I "http://127.0.0.1:$H/metrics")" = 200 ] &&
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$H/metrics?x=1")" = 400 ] &&
	kill -0 "$pid"
}
check head-and-parameters head_request

checks_end
