#!/bin/sh
# Hostile text for the analyser: every fuzz_analyse regression seed (tests/fuzz/regress/) sent
# to a real netoopsd as extended and basic netconsole and as a netoops dump; the daemon stays
# up, a good dump sent after each is stored, and `netoopsctl analyze` on the seed exits 0.
# Then 32 MiB storms (empty lines, kmsg "\x0a" escapes, escape sequences, warnings), each to
# a fresh netoopsd with --max-memory 64M: stored, and its peak RSS stays under RSS_BOUND_KB.
set -u
cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/integration/hostile/lib.sh
. tests/integration/hostile/lib.sh
hostile_begin analyser

# --max-memory 64M holds at most 12 MiB of one dump's text; analysing it is bounded by
# NX_LINES_MAX and NX_ITEMS_MAX (docs/analysis.md, "Limits"). Bound: the 64 MiB netoopsd
# may hold plus 64 MiB for analysing and storing one such dump. Measured 57-72 MB; before the
# bound 135 MB (kmsg escapes, escape sequences) and 530 MB (empty lines); the warnings storm
# (4096 reports, the most a text has) stays near 75 MB either way.
RSS_BOUND_KB=131072
SEEDS=tests/fuzz/regress/fuzz_analyse
P=$(free_port) DB=$W/a.db

# stored N: the daemon has stored N dumps (its counters, saved every 200 ms).
stored() { "$CTL" --db "$DB" --json stats | jq -e ".counters.stored >= $1"; }

check start h_start a --listen "127.0.0.1:$P" --db "$DB" --quiet-ms 500 \
	--netconsole-quiet-ms 300 --stats-interval-ms 200
n=0
for seed in "$SEEDS"/*; do
	[ -f "$seed" ] || continue
	name=$(basename "$seed")
	for fmt in nc-ext nc-basic netoops; do
		n=$((n + 1))
		check "$name-$fmt-sent" "$NXLOAD" --to "127.0.0.1:$P" --format "$fmt" --text "$seed" \
			--host "hostile-$n"
		check "$name-$fmt-stored" h_wait 15 stored "$n"
		check "$name-$fmt-alive" h_alive a
		n=$((n + 1))
		check "$name-$fmt-good-after" "$NXLOAD" --to "127.0.0.1:$P" \
			--text "$FIX/divide-6.1.txt" --host "good-$n"
		check "$name-$fmt-good-stored" h_wait 15 sh -c \
			"[ \"\$('$CTL' --db '$DB' --json list | jq '[.[] | select(.host == \"good-$n\")] | length')\" -ge 1 ]"
	done
	check "$name-analyze" "$CTL" analyze "$seed"
done
check seeds-found test "$n" -gt 0
check alive-after-seeds h_alive a
check clean-exit h_stop a

# storm NAME PATTERN: $W/NAME, 32 MiB of PATTERN (a printf format: escapes are the point).
storm() {
	# shellcheck disable=SC2059
	printf "$2" >"$W/$1.part"
	while [ "$(wc -c <"$W/$1.part")" -lt $((32 << 20)) ]; do
		cat "$W/$1.part" "$W/$1.part" >"$W/$1.tmp" && mv "$W/$1.tmp" "$W/$1.part"
	done
	head -c $((32 << 20)) "$W/$1.part" >"$W/$1"
	rm -f "$W/$1.part"
}

# vmhwm NAME: peak RSS of netoopsd NAME in kB.
vmhwm() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$(cat "$W/$1.pid")/status"; }

# rss_bounded NAME: peak RSS within the bound (under ASan, whose shadow memory and
# quarantine are not netoopsd's own, unchecked).
rss_bounded() {
	[ "$HOSTILE_VARIANT" = san ] && return 0
	hwm=$(vmhwm "$1")
	echo "VmHWM ${hwm} kB, bound $RSS_BOUND_KB kB"
	[ "$hwm" -le "$RSS_BOUND_KB" ]
}

k=0
for s in 'empty:\n' 'kmsg:6,1,1,-;\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\n' \
	'escapes:\033[\n\033[0m\001\002\n' 'warnings:WARNING: at a\n'; do
	k=$((k + 1)) t=${s%%:*}
	P=$(free_port) DB=$W/m$k.db
	storm "storm-$t" "${s#*:}"
	check "storm-$t-start" h_start "m$k" --listen "127.0.0.1:$P" --db "$DB" --max-memory 64M \
		--quiet-ms 1000 --stats-interval-ms 200
	check "storm-$t-sent" "$NXLOAD" --to "127.0.0.1:$P" --text "$W/storm-$t" \
		--host "storm-$k" --rate 20000
	check "storm-$t-stored" h_wait 60 stored 1
	check "storm-$t-alive" h_alive "m$k"
	check "storm-$t-rss" rss_bounded "m$k"
	echo "    storm-$t: netoopsd VmHWM $(vmhwm "m$k") kB"
	check "storm-$t-clean-exit" h_stop "m$k"
	rm -f "$W/storm-$t"
done
checks_end
