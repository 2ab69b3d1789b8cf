#!/bin/sh
# The dashboard in a real browser: netoopsd (plain build, or BUILD=build/san) on loopback, its
# store filled by real traffic (nxload: a real 6.1 guest's crash, corpus oopses from many hosts,
# legacy and netconsole formats, garbage, dumps carrying HTML/JS payloads), then
# web/test/dashboard.mjs drives Debian's chromium through Playwright. Screenshots go to
# build/web-shots/. npm packages come from web/package-lock.json (npm ci) through the cache.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
NXD=$BUILD/netoopsd CTL=$BUILD/netoopsctl NXLOAD=$PWD/build/tests/nxload	# the plain sender: not under test
CACHE=${NETOOPS_CACHE:-$PWD/.cache}
SHOTS=$PWD/build/web-shots
FIX=tests/web/fixtures
CORPUS=tests/data/corpus/oops-dev/kerneloops
W=$(mktemp -d /tmp/netoops-web.XXXXXX)
pid=""

cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT INT TERM
# shellcheck source=tests/lib/ports.sh
. tests/lib/ports.sh
# shellcheck source=tests/lib/wait.sh
. tests/lib/wait.sh

fail() { echo "web: $*"; tests/lib/record.sh web 0 1; exit 1; }

[ -x /usr/bin/chromium ] || fail "no /usr/bin/chromium (tests/lib/install-deps.sh installs it)"
command -v npm >/dev/null || fail "no npm"
# npm ci from the lockfile, offline when the cache has the packages already
(cd web && npm ci --cache "$CACHE/npm" --prefer-offline --no-audit --no-fund --loglevel=error) \
	>"$W/npm.log" 2>&1 || { cat "$W/npm.log"; fail "npm ci failed"; }
make -s --no-print-directory BUILD="$PWD/build" "$NXLOAD" || fail "building nxload failed"

P=$(free_port) H=$(free_port)
[ "$H" != "$P" ] || H=$((P + 1))
DB=$W/web.db
"$NXD" --listen "127.0.0.1:$P" --db "$DB" --http "127.0.0.1:$H" --web-root "$PWD/web/public" \
	--quiet-ms 500 --netconsole-quiet-ms 300 --stats-interval-ms 300 -c /dev/null >"$W/nxd.log" 2>&1 &
pid=$!
wait_log "$W/nxd.log" "http: serving" || fail "netoopsd did not start"

send() { "$NXLOAD" --to "127.0.0.1:$P" "$@" >>"$W/nxload.log" 2>&1; }
n=0
# the crash of a real Debian 6.1 guest (tests/web/fixtures/README.md), with its backlog
send --text "$FIX/guest-6.1-null.txt" --host guest61 --release 6.1.0-57-amd64 && n=$((n + 1))
send --text tests/integration/fixtures/divide-6.1.txt --hosts 12 --host web --garbage 2 &&
	n=$((n + 12))
h=1
for t in i386-oops-with-end-marker i386-softlockup power5-with-machinecheck i386-bug-on \
	 powerpc-ps3-oops; do
	send --text "$CORPUS/$t.txt" --hosts "$h" --host "fleet$h" --reason panic && n=$((n + h))
	h=$((h + 1))
done
send --text tests/integration/fixtures/divide-6.1.txt --host legacy-1 --format legacy &&
	n=$((n + 1))
send --text "$FIX/xss-panic.txt" --host xss-host --reason panic && n=$((n + 1))
send --text "$FIX/xss-warning.txt" --host xss-text --format nc-ext && n=$((n + 1))
for _ in $(seq 150); do
	[ "$("$CTL" --db "$DB" --json list | jq length)" -ge "$n" ] && break
	sleep 0.1
done
[ "$("$CTL" --db "$DB" --json list | jq length)" -ge "$n" ] ||
	{ cat "$W/nxd.log"; fail "not all $n dumps were stored"; }
# and nothing more is coming (garbage makes dumps of its own): the same count a second apart
stored=0
for _ in $(seq 10); do
	now=$("$CTL" --db "$DB" --json list | jq length)
	[ "$now" = "$stored" ] && break
	stored=$now
	sleep 1
done
# Host names from the network are sanitized by the decoders: a stored name with markup (an
# older store, another writer) is still only text in the browser.
sqlite3 "$DB" "PRAGMA busy_timeout = 5000;
	UPDATE group_hosts SET host = '<img src=x onerror=window.__xss=3>' WHERE host = 'xss-host';
	UPDATE dumps SET host = '<img src=x onerror=window.__xss=3>' WHERE host = 'xss-host';" \
	>/dev/null ||
	fail "cannot write the hostile host name"
sleep 0.5	# the counters saved

rm -rf "$SHOTS"; mkdir -p "$SHOTS"
ROOT=$PWD
(cd web && BASE="http://127.0.0.1:$H" SHOTS="$SHOTS" LIVE_HOST=live-host-1 \
	LIVE_CMD="'$NXLOAD' --to 127.0.0.1:$P --text '$ROOT/tests/integration/fixtures/divide-6.1.txt' --host live-host-1" \
	GUEST_TITLE="BUG: unable to handle kernel NULL pointer dereference in crash_null" \
	GUEST_HOST=guest61 node test/dashboard.mjs) | tee "$W/out"
passed=$(sed -n 's/^web: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$W/out")
failed=$(sed -n 's/^web: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$W/out")
[ -n "$passed" ] || { passed=0; failed=1; }
kill -0 "$pid" 2>/dev/null || { failed=$((failed + 1)); echo "FAIL web/netoopsd-survived"; }
tests/lib/record.sh web "$passed" "$failed"
echo "web: screenshots in $SHOTS"
[ "$failed" -eq 0 ]
