#!/bin/sh
# The dashboard at fleet size: a store filled with 100,000 reports in 5,000 groups from 10,000
# hosts (bench/web-fill.sql), served by netoopsd --http; every API call the dashboard's pages
# make (and the pages' files) is timed, RUNS times each. Fails when the median answer of any
# is over LIMIT_MS. Knobs: WEB_DUMPS WEB_GROUPS WEB_HOSTS WEB_RUNS WEB_LIMIT_MS WEB_OUT.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DUMPS=${WEB_DUMPS:-100000} NGROUPS=${WEB_GROUPS:-5000} HOSTS=${WEB_HOSTS:-10000}
RUNS=${WEB_RUNS:-5} LIMIT_MS=${WEB_LIMIT_MS:-200}
OUT=${WEB_OUT:-$BUILD/bench-web}
TEXT=$PWD/tests/integration/fixtures/divide-6.1.txt
# shellcheck source=tests/lib/ports.sh
. tests/lib/ports.sh
# shellcheck source=tests/lib/wait.sh
. tests/lib/wait.sh

rm -rf "$OUT"; mkdir -p "$OUT"
P=$(free_port) H=$(free_port)
[ "$H" != "$P" ] || H=$((P + 1))
DB=$OUT/fleet.db
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; true' EXIT INT TERM

# start: netoopsd on DB with the dashboard; ready once it serves.
start() {
	"$BUILD/netoopsd" --listen "127.0.0.1:$P" --db "$DB" --http "127.0.0.1:$H" \
		--web-root "$PWD/web/public" >"$OUT/nxd.log" 2>&1 &
	pid=$!
	wait_log "$OUT/nxd.log" "http: serving" 10 || exit 1
}

start; kill "$pid"; wait "$pid" || true; pid=""	# the schema, made by netoopsd itself
t0=$(date +%s)
sed -e "s/@DUMPS@/$DUMPS/g; s/@GROUPS@/$NGROUPS/g; s/@HOSTS@/$HOSTS/g" \
    -e "s/@NOW@/$(date +%s)000/g; s|@TEXT@|$TEXT|g" bench/web-fill.sql | sqlite3 "$DB"
echo "web: filled $DB in $(( $(date +%s) - t0 )) s: $(sqlite3 "$DB" "SELECT (SELECT count(*)
	FROM reports) || ' reports, ' || (SELECT count(*) FROM groups) || ' groups, ' ||
	(SELECT count(DISTINCT host) FROM dumps) || ' hosts'")"
start

# api PATH: the answer's time in ms; fails unless it is a 200.
api() {
	curl -s -o "$OUT/body" -w '%{http_code} %{time_total}\n' "http://127.0.0.1:$H$1" |
		awk '$1 != 200 { exit 1 } { printf "%d", $2 * 1000 + 0.5 }'
}
big=$(curl -sf "http://127.0.0.1:$H/v1/groups/search?limit=1" | jq '.groups[0].id')
small=$(curl -sf "http://127.0.0.1:$H/v1/groups/search?limit=1&order=asc" | jq '.groups[0].id')
cursor=$(curl -sf "http://127.0.0.1:$H/v1/groups/search?sort=hosts" | jq -r .next)
latest=$(sqlite3 "$DB" "SELECT max(id) FROM dumps")
host="host-00042"

# What each page asks for (web/src/app.js): the overview, groups (sorted, filtered, paged),
# a group, its reports, a report, a host; the files; /metrics and the live poll.
set -- "/" "/assets/app.js" "/assets/app.css" \
	"/v1/overview" "/v1/timeline" "/v1/timeline?since=30d" "/v1/reports?limit=20" \
	"/v1/groups/search" "/v1/groups/search?sort=hosts" "/v1/groups/search?sort=first_seen&order=asc" \
	"/v1/groups/search?sort=last_seen" "/v1/groups/search?sort=hosts&cursor=$cursor" \
	"/v1/groups/search?q=func_4242" "/v1/groups/search?kernel=6.1.0-23-amd64&sort=hosts" \
	"/v1/groups/search?reason=panic" "/v1/groups/search?since=1d&until=1h" \
	"/v1/groups/search?min_hosts=50&sort=last_seen" \
	"/v1/groups/$big" "/v1/groups/$big/reports" "/v1/timeline?group=$big&since=30d" \
	"/v1/groups/$small" "/v1/groups/$small/reports" \
	"/v1/reports/$latest" "/v1/reports/$latest/text" \
	"/v1/host?name=$host" "/v1/host/reports?name=$host" "/v1/timeline?name=$host&since=30d" \
	"/metrics" "/v1/stats"
# Each request RUNS times: its median is held to the limit (the machine is shared: a single
# answer can wait for a core), its slowest is shown beside it.
worst=0 slow=0
for u in "$@"; do
	: >"$OUT/times"
	for _ in $(seq "$RUNS"); do
		api "$u" >>"$OUT/times" || { echo "web: $u failed: $(head -c 300 "$OUT/body")"; exit 1; }
		echo >>"$OUT/times"
	done
	med=$(sort -n "$OUT/times" | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }')
	max=$(sort -n "$OUT/times" | tail -n 1)
	printf 'web: median %4d ms, slowest %4d ms  %s\n' "$med" "$max" "$u"
	[ "$med" -gt "$worst" ] && worst=$med
	[ "$med" -le "$LIMIT_MS" ] || slow=$((slow + 1))
done
echo "web: slowest median $worst ms (limit $LIMIT_MS ms), $slow over the limit"
[ "$slow" -eq 0 ]
