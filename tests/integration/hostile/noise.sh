#!/bin/sh
# Per-source noise counts where an operator looks: a flood of one-datagram fakes from 24 source
# addresses (127.2.0.x), then a stop; the interval's heaviest sources, bounded (NXD_NOISE_TOP:
# 16), are in `netoopsctl stats` (text and --json) and /v1/stats, as the log line gave them.
set -u
cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/integration/hostile/lib.sh
. tests/integration/hostile/lib.sh
hostile_begin noise

P=$(free_port) H=$(free_port) DB=$W/n.db
[ "$H" != "$P" ] || H=$((P + 1))
check start h_start n --listen "127.0.0.1:$P" --db "$DB" --quiet-ms 300 --stats-interval-ms 200
check flood "$NXLOAD" --to "127.0.0.1:$P" --flood-seconds 1 --rate 4000 --flood-sources 24 \
	--seed 5 --quiet
sleep 1	# the last fakes go quiet (quiet-ms) and are counted
check stop h_stop n
check logged grep -q "noise in the last .* heaviest sources: 127.2.0." "$W/n.log"
stats() { "$CTL" --db "$DB" --json stats; }
check top-16 sh -c "[ \"\$('$CTL' --db '$DB' --json stats | jq '.noise_sources | length')\" = 16 ]"
# Every source as the log named it, with the same count; heaviest first.
same_as_log() {
	line=$(grep "noise in the last" "$W/n.log" | tail -n 1)
	stats | jq -r '.noise_sources[] | "\(.source) \(if .over_estimate > 0 then "~" else "" end)\(.fragments)"' \
		>"$W/sources.txt"
	[ "$(wc -l <"$W/sources.txt")" -eq 16 ] || return 1
	while read -r src n; do
		case $line in *" $src $n"*) ;; *) echo "$src $n not in: $line"; return 1 ;; esac
	done <"$W/sources.txt"
	stats | jq -e '[.noise_sources[].fragments] | . == (sort | reverse) and add > 0'
}
check same-as-log same_as_log
check text-shows sh -c "'$CTL' --db '$DB' stats | grep -A16 '^noise sources, last interval' |
	grep -c '127.2.0.* one-datagram fragments' | grep -qx 16"
# The HTTP API says the same (a second daemon on the database, serving it).
check http-start h_start h --listen "127.0.0.1:$(free_port)" --db "$DB" --http "127.0.0.1:$H"
check http-up h_wait 10 grep -q "http: serving" "$W/h.log"
check http-same sh -c "[ \"\$(curl -s 'http://127.0.0.1:$H/v1/stats' | jq -c .noise_sources)\" = \
	\"\$('$CTL' --db '$DB' --json stats | jq -c .noise_sources)\" ]"
check http-stop h_stop h
checks_end
