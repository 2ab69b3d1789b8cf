#!/bin/sh
# Integration scenarios: build/netoopsd on real loopback sockets (IPv4 and IPv6), fed by
# nxload in every format with loss, duplication, reordering and hostile traffic; checked
# through netoopsctl --json, the append file and a real syslog-ng. Each case is recorded.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

WORK=$(mktemp -d /tmp/netoops-it.XXXXXX)
FIX=tests/integration/fixtures
OOPS=$FIX/divide-6.1.txt
passed=0; failed=0

cleanup() {
	for f in "$WORK"/*.pid; do
		[ -e "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
	done
	[ "${KEEP:-0}" = 1 ] && echo "integration: kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# case NAME FUNCTION: run one scenario, record its outcome.
case_() {
	name=$1; shift
	( "$@" ) >"$WORK/case-$name.out" 2>&1
	if [ $? -eq 0 ]; then
		echo "PASS integration/$name"; passed=$((passed + 1))
		tests/lib/record.sh "integration/$name" 1 0
	else
		echo "FAIL integration/$name"; sed 's/^/    /' "$WORK/case-$name.out" | tail -n 25
		failed=$((failed + 1))
		tests/lib/record.sh "integration/$name" 0 1
	fi
}

# Ends the case (each runs in its own subshell).
fail() { echo "$*"; exit 1; }

build_tools() {
	mkdir -p "$BUILD/tests"
	make -s --no-print-directory BUILD="$BUILD" "$NXLOAD"
	${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
		-o "$BUILD/tests/notifyrecv" tests/integration/notifyrecv.c
}

# ---- the shared daemon: IPv4 + IPv6, append file, syslog forwarding -------------------

start_syslog_ng() {
	mkdir -p "$WORK/syslog-ng"
	cat >"$WORK/syslog-ng/syslog-ng.conf" <<CONF
@version: 3.35
options { keep-hostname(yes); };
source s_netoops { syslog(transport("udp") ip("127.0.0.1") port($SYSLOG_PORT)); };
destination d_file { file("$WORK/syslog-ng/messages"
	template("host=\$HOST app=\$PROGRAM msgid=\$MSGID id=\${.SDATA.netoops@32473.id} complete=\${.SDATA.netoops@32473.complete} msg=\$MSG\n")); };
log { source(s_netoops); destination(d_file); };
CONF
	syslog-ng -F --no-caps -f "$WORK/syslog-ng/syslog-ng.conf" \
		-p "$WORK/syslog-ng/pid" -R "$WORK/syslog-ng/persist" \
		-c "$WORK/syslog-ng/ctl" >"$WORK/syslog-ng/log" 2>&1 &
	echo $! >"$WORK/syslog-ng.pid"
	wait_until 10 sh -c "ss -Hlun 'sport = :$SYSLOG_PORT' | grep -q ." ||
		fail "syslog-ng did not start: $(cat "$WORK/syslog-ng/log")"
}

start_main() {
	start_daemon main --listen "127.0.0.1:$P4" --listen "[::1]:$P6" --db "$DB" \
		--append-file "$WORK/oops.log" --syslog "127.0.0.1:$SYSLOG_PORT" \
		--quiet-ms 1500 --netconsole-quiet-ms 1000 --stats-interval-ms 300
}

# ---- cases -------------------------------------------------------------------------

t_ipv4_dump_stored_and_analysed() {
	send "127.0.0.1:$P4" --text "$OOPS" --host it-v4 --reason oops
	wait_until 10 has_dump "$DB" it-v4 || fail "no dump from it-v4"
	[ "$(field "$DB" it-v4 complete)" = true ] || fail "not complete"
	[ "$(field "$DB" it-v4 reason)" = oops ] || fail "reason"
	title=$(field "$DB" it-v4 title); echo "title: $title"
	[ "$title" = "divide error in init_module" ] || fail "title"
	id=$(field "$DB" it-v4 id)
	"$CTL" --db "$DB" show "$id" --json >"$WORK/show.json"
	jq -e '.type == "divide" and .complete == true and (.text | contains("divide error: 0000"))' \
		"$WORK/show.json" >/dev/null || fail "show: type/text"
	jq -e '.reports[0].comm == "insmod" and .reports[0].pid == 180 and
		(.reports[0].frames | map(.func) | index("do_one_initcall")) != null' \
		"$WORK/show.json" >/dev/null || fail "show: fields and frames"
	"$CTL" --db "$DB" show "$id" | grep -q "call trace" || fail "show (text)"
}

t_ipv6_dump_stored() {
	send "[::1]:$P6" --text "$OOPS" --host it-v6 --pad 20000
	wait_until 10 has_dump "$DB" it-v6 || fail "no dump from it-v6"
	[ "$(field "$DB" it-v6 complete)" = true ] || fail "not complete"
	q "$DB" '.[] | select(.host == "it-v6") | .source' | grep -q '^\[::1\]:' || fail "source"
}

t_test_dump_listed() {
	send "127.0.0.1:$P4" --text "$FIX/test-dump.txt" --host it-lab --reason test
	wait_until 10 has_dump "$DB" it-lab || fail "no test dump"
	[ "$(field "$DB" it-lab title)" = "test dump from it-lab" ] || fail "title: $(field "$DB" it-lab title)"
	"$CTL" --db "$DB" list --reason test | grep -q it-lab || fail "list --reason test"
}

t_duplicated_reordered_complete() {
	send "127.0.0.1:$P4" --text "$OOPS" --pad 65536 --host it-dup --copies 2 \
		--dup 0.3 --reorder 0.5 --seed 7
	wait_until 10 has_dump "$DB" it-dup || fail "no dump"
	[ "$(field "$DB" it-dup complete)" = true ] || fail "not complete"
	[ "$(field "$DB" it-dup title)" = "divide error in init_module" ] || fail "title"
	n=$(q "$DB" '[.[] | select(.host == "it-dup")] | length')
	[ "$n" = 1 ] || fail "stored $n times"
}

t_lossy_redundant_complete() {
	# 5 % loss, three copies: with this seed every part arrives at least once.
	send "127.0.0.1:$P4" --text "$OOPS" --pad 65536 --host it-loss3 --copies 3 \
		--loss 0.05 --reorder 0.1 --seed 3
	grep -q 'dropped=[1-9]' "$WORK/nxload.log" || fail "nothing was dropped"
	wait_until 10 has_dump "$DB" it-loss3 || fail "no dump"
	[ "$(field "$DB" it-loss3 complete)" = true ] || fail "not complete"
}

t_lossy_incomplete_with_ranges() {
	send "127.0.0.1:$P4" --text "$OOPS" --pad 65536 --host it-loss1 --copies 1 \
		--loss 0.3 --seed 5
	wait_until 10 has_dump "$DB" it-loss1 || fail "no dump after the quiet period"
	[ "$(field "$DB" it-loss1 complete)" = false ] || fail "complete?"
	id=$(field "$DB" it-loss1 id)
	"$CTL" --db "$DB" show "$id" --json | jq -e '(.missing | length) > 0 and
		.parts_received < .parts and .parts >= 47 and
		all(.missing[]; .[0] < .[1] and .[1] <= 65536)' >/dev/null || fail "missing ranges"
}

last_id() { q "$DB" '[.[] | .id] | max // 0'; }

# new_titled FORMAT AFTER-ID: a dump of FORMAT newer than AFTER-ID is titled from the oops.
new_titled() {
	q "$DB" "[.[] | select(.format == \"$1\" and .id > $2 and
		.title == \"divide error in init_module\")] | length" | grep -qv '^0$'
}

t_legacy_v3() {
	after=$(last_id)
	# Three passes (the patch's habit), 10 % loss, duplicates and reordering.
	send "127.0.0.1:$P4" --format legacy --text "$OOPS" --pad 8000 \
		--release 2.6.32-279.el6.x86_64 --dump 77 --loss 0.1 --dup 0.2 --reorder 0.3 --seed 4
	wait_until 10 new_titled legacy-v3 "$after" || fail "no analysed legacy dump"
	d=$(q "$DB" "[.[] | select(.format == \"legacy-v3\" and .id > $after)] | first")
	echo "$d" | jq -e '.complete == true and .release == "2.6.32-279.el6.x86_64"' >/dev/null ||
		fail "legacy: $d"
}

t_netconsole() {
	after=$(last_id)
	send "127.0.0.1:$P4" --format "$1" --text "$OOPS" --pad 20000 --dup 0.1 --reorder "$3" --seed 4
	wait_until 10 new_titled "$2" "$after" ||
		fail "no analysed $2 dump: $(q "$DB" "[.[] | select(.id > $after)]")"
}
# Basic netconsole has no sequence numbers: reordering cannot be undone, only duplicates.
t_netconsole_extended() { t_netconsole nc-ext netconsole-extended 0.2; }
t_netconsole_basic() { t_netconsole nc-basic netconsole 0; }

t_grouped_across_hosts() {
	send "127.0.0.1:$P4" --text "$OOPS" --pad 30000 --hosts 3 --host it-grp --window 3
	wait_until 10 sh -c "[ \$('$CTL' --db '$DB' --json list | jq '[.[] | select(.host | startswith(\"it-grp\"))] | length') = 3 ]" ||
		fail "not all 3 stored"
	"$CTL" --db "$DB" --json groups | jq -e '[.[] | select(.title == "divide error in init_module")]
		| length == 1 and .[0].hosts >= 3 and .[0].count >= 3
		and (.[0].kernels | index("6.1.0-27-amd64")) != null' >/dev/null ||
		fail "groups: $("$CTL" --db "$DB" --json groups)"
	g=$("$CTL" --db "$DB" --json groups | jq -r '.[] | select(.title == "divide error in init_module") | .id')
	n=$(q "$DB" 'length' --group "$g" --host it-grp-00001)
	[ "$n" = 1 ] || fail "list --group $g --host: $n"
}

t_hostile_traffic() {
	send "127.0.0.1:$P4" --text "$OOPS" --pad 40000 --host it-brave --garbage 2000 \
		--fake-senders 2000 --dup 0.1 --reorder 0.2
	wait_until 10 has_dump "$DB" it-brave || fail "good dump lost"
	[ "$(field "$DB" it-brave complete)" = true ] || fail "good dump incomplete"
	[ "$(field "$DB" it-brave title)" = "divide error in init_module" ] || fail "title"
	kill -0 "$(cat "$WORK/main.pid")" || fail "daemon died"
	wait_until 5 sh -c "'$CTL' --db '$DB' --json stats | jq -e '.counters.malformed > 100'" ||
		fail "malformed not counted: $("$CTL" --db "$DB" --json stats)"
}

stats_consistent() {
	"$CTL" --db "$DB" stats --json >"$WORK/stats.json"
	jq -e '.counters.datagrams_netoops > 0 and .counters.datagrams_legacy_v3 > 0
		and .counters.duplicates > 0 and .counters.dumps_complete > 0
		and .counters.dumps_incomplete > 0 and .counters.stored > 0
		and .stored.dumps == .counters.stored' "$WORK/stats.json"
}

t_fake_sender_flood_bounded() {
	p=$(free_port); db=$WORK/flood.db
	start_daemon flood --listen "127.0.0.1:$p" --db "$db" --max-memory 8M --max-dumps 500 \
		--quiet-ms 60000 --stats-interval-ms 200 || fail "netoopsd did not start"
	send "127.0.0.1:$p" --text "$OOPS" --pad 60000 --host it-survivor --fake-senders 30000 \
		--window 1 --rate 40000
	wait_until 30 has_dump "$db" it-survivor || fail "good dump lost in the flood"
	[ "$(field "$db" it-survivor complete)" = true ] || fail "good dump incomplete"
	hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$(cat "$WORK/flood.pid")/status")
	echo "peak RSS ${hwm} kB"
	# ASan's shadow memory and quarantine make RSS meaningless there.
	if grep -qa __asan_init "$NXD"; then
		echo "RSS bound not checked under ASan"
	else
		[ "$hwm" -lt 65536 ] || fail "memory not bounded: ${hwm} kB"
	fi
	# evicted at the bound, or shed before reassembly if the loop fell behind
	wait_until 10 sh -c "'$CTL' --db '$db' --json stats |
		jq -e '.counters.evicted + .counters.shed > 25000'" ||
		fail "evictions not counted: $("$CTL" --db "$db" --json stats | jq -c .counters)"
	stop_daemon flood
}

t_stats_counters() {
	# Saved every 300 ms: a dump stored since the last save may not be counted yet.
	wait_until 5 stats_consistent || fail "$(cat "$WORK/stats.json")"
	"$CTL" --db "$DB" stats | grep -q '^malformed' || fail "text stats"
}

t_append_file_and_sighup() {
	grep -q "^==== netoops report .*: divide error in init_module ====" "$WORK/oops.log" ||
		fail "no report header in append file"
	grep -q "divide error: 0000 \[#1\] PREEMPT SMP NOPTI" "$WORK/oops.log" || fail "no text"
	! grep -q "it-loss1" "$WORK/oops.log" || fail "incomplete dump appended"
	mv "$WORK/oops.log" "$WORK/oops.log.1"
	kill -HUP "$(cat "$WORK/main.pid")"
	sleep 0.3
	send "127.0.0.1:$P4" --text "$OOPS" --host it-rotated
	wait_until 10 grep -q "host: it-rotated" "$WORK/oops.log" || fail "not reopened"
	! grep -q it-rotated "$WORK/oops.log.1" || fail "written to the old file"
}

t_syslog_ng_received() {
	f=$WORK/syslog-ng/messages
	wait_until 10 grep -q "host=it-v4 app=netoops msgid=oops" "$f" || fail "$(cat "$f" 2>&1 | head)"
	grep "host=it-v4 " "$f" | grep -q "complete=1 msg=divide error in init_module" || fail "$(grep it-v4 "$f")"
	grep -q "host=it-lab app=netoops msgid=test .*msg=test dump from it-lab" "$f" || fail "test dump"
	grep -q "host=it-loss1 .*complete=0" "$f" || fail "incomplete dump not forwarded"
}

t_sigterm_flushes_partial() {
	p=$(free_port); db=$WORK/term.db
	start_daemon term --listen "127.0.0.1:$p" --db "$db" --quiet-ms 600000 || fail "netoopsd did not start"
	send "127.0.0.1:$p" --text "$OOPS" --pad 65536 --host it-term --copies 1 --loss 0.3 --seed 9
	sleep 0.5
	! has_dump "$db" it-term || fail "emitted before the quiet period"
	stop_daemon term || fail "did not stop on SIGTERM"
	has_dump "$db" it-term || fail "partial dump lost at SIGTERM"
	[ "$(field "$db" it-term complete)" = false ] || fail "marked complete"
}

t_kill9_durable() {
	p=$(free_port); db=$WORK/kill.db
	start_daemon kill --listen "127.0.0.1:$p" --db "$db" || fail "netoopsd did not start"
	send "127.0.0.1:$p" --text "$OOPS" --host it-kill --pad 30000
	wait_until 10 has_dump "$db" it-kill || fail "not stored"
	kill -KILL "$(cat "$WORK/kill.pid")"
	sleep 0.2
	has_dump "$db" it-kill || fail "lost after kill -9"
	start_daemon kill2 --listen "127.0.0.1:$p" --db "$db" || fail "netoopsd did not start"
	send "127.0.0.1:$p" --text "$OOPS" --host it-kill-after --pad 3000
	wait_until 10 has_dump "$db" it-kill-after || fail "restarted daemon does not store"
	[ "$(q "$db" 'length')" = 2 ] || fail "expected 2 dumps"
	stop_daemon kill2
}

t_sd_notify() {
	p=$(free_port); sock=$WORK/notify.sock
	"$BUILD/tests/notifyrecv" "$sock" 3 >"$WORK/notify.out" &
	nr=$!
	sleep 0.2
	NOTIFY_SOCKET=$sock start_daemon notify --listen "127.0.0.1:$p" --db "$WORK/notify.db" ||
		fail "netoopsd did not start"
	wait_until 5 grep -q "READY=1" "$WORK/notify.out" || fail "no READY=1: $(cat "$WORK/notify.out")"
	# Ready means bound: the port is taken by then.
	ss -Hlun "sport = :$p" | grep -q . || fail "READY before the socket was bound"
	stop_daemon notify
	wait "$nr"
	grep -q "STOPPING=1" "$WORK/notify.out" || fail "no STOPPING=1: $(cat "$WORK/notify.out")"
}

t_config_file() {
	p=$(free_port); db=$WORK/conf.db
	cat >"$WORK/netoopsd.conf" <<CONF
# netoopsd test configuration
listen = 127.0.0.1:$p
db = $db
quiet-ms = 2000
CONF
	start_daemon conf --config "$WORK/netoopsd.conf" || fail "netoopsd did not start"
	send "127.0.0.1:$p" --text "$OOPS" --host it-conf
	wait_until 10 has_dump "$db" it-conf || fail "config file not applied"
	stop_daemon conf
	printf 'listen = 127.0.0.1:%s\nqiet-ms = 5\n' "$p" >"$WORK/bad.conf"
	if "$NXD" --config "$WORK/bad.conf" --db "$db" 2>"$WORK/bad.err"; then fail "bad config accepted"; fi
	grep -q "bad.conf:2: unknown setting 'qiet-ms'" "$WORK/bad.err" || fail "$(cat "$WORK/bad.err")"
	if "$NXD" --listen 127.0.0.1:99999 --db "$db" 2>"$WORK/bad.err"; then fail "bad port accepted"; fi
	grep -q "listen: '127.0.0.1:99999'" "$WORK/bad.err" || fail "$(cat "$WORK/bad.err")"
	if "$NXD" --listen "127.0.0.1:$p" 2>"$WORK/bad.err"; then fail "no --db accepted"; fi
	grep -q "give --db PATH" "$WORK/bad.err" || fail "$(cat "$WORK/bad.err")"
}

t_ctl_errors() {
	if "$CTL" --db "$WORK/nope.db" list 2>"$WORK/err"; then fail "missing db accepted"; fi
	grep -q "no database at" "$WORK/err" || fail "$(cat "$WORK/err")"
	if "$CTL" --db "$DB" show 999999 2>"$WORK/err"; then fail "missing id accepted"; fi
	grep -q "no dump with id 999999" "$WORK/err" || fail "$(cat "$WORK/err")"
	if "$CTL" --db "$DB" list --since yesterdayish 2>"$WORK/err"; then fail "bad --since"; fi
	[ "$(q "$DB" 'length' --since 1h)" -ge 1 ] || fail "--since 1h"
	[ "$(q "$DB" 'length' --since 2000-01-01)" -ge 1 ] || fail "--since date"
	[ "$(q "$DB" 'length' --since 2999-01-01)" = 0 ] || fail "--since future"
}

t_bench_smoke() {
	# the storm alone, one receive thread: make bench-quick runs every benchmark small
	BENCH_HOSTS=50 BENCH_PAD=16384 BENCH_WINDOW=10 BENCH_OUT=$WORK/bench BENCH_THREADS=1 \
		BENCH_EXTRA=0 bench/run.sh >"$WORK/bench.out" 2>&1 ||
		{ cat "$WORK/bench.out"; return 1; }
	grep -q "stored complete: 50/50" "$WORK/bench.out" || { cat "$WORK/bench.out"; return 1; }
}

# ---- run ---------------------------------------------------------------------------

for tool in "$NXD" "$CTL" jq syslog-ng ss; do
	command -v "$tool" >/dev/null 2>&1 || [ -x "$tool" ] || {
		echo "integration: missing $tool (make userspace; tests/lib/install-deps.sh)"
		tests/lib/record.sh integration 0 1; exit 1; }
done
SYSLOG_PORT=$(free_port); P4=$(free_port); P6=$(free_port); DB=$WORK/main.db
case_ build-tools build_tools
case_ syslog-ng-start start_syslog_ng
case_ daemon-start start_main
case_ ipv4-dump-stored-and-analysed t_ipv4_dump_stored_and_analysed
case_ ipv6-dump-stored t_ipv6_dump_stored
case_ test-dump-listed t_test_dump_listed
case_ duplicated-reordered-complete t_duplicated_reordered_complete
case_ lossy-redundant-complete t_lossy_redundant_complete
case_ lossy-incomplete-with-ranges t_lossy_incomplete_with_ranges
case_ legacy-v3 t_legacy_v3
case_ netconsole-extended t_netconsole_extended
case_ netconsole-basic t_netconsole_basic
case_ grouped-across-hosts t_grouped_across_hosts
case_ hostile-traffic t_hostile_traffic
case_ fake-sender-flood-bounded t_fake_sender_flood_bounded
case_ stats-counters t_stats_counters
case_ append-file-and-sighup t_append_file_and_sighup
case_ syslog-ng-received t_syslog_ng_received
case_ ctl-errors t_ctl_errors
case_ sigterm-flushes-partial t_sigterm_flushes_partial
case_ kill9-durable t_kill9_durable
case_ sd-notify t_sd_notify
case_ config-file t_config_file
case_ bench-smoke t_bench_smoke
for t in tests/integration/ctl-*.sh tests/integration/web-*.sh tests/integration/hostile.sh; do "$t" || failed=$((failed + 1)); done	# netoopsctl target, web, hostile input (plain and ASan) (record their own counts; packaging: make check-packaging)
stop_daemon main || { echo "FAIL main daemon did not stop"; failed=$((failed + 1)); }
echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
