# shellcheck shell=sh
# Shared helpers of the benchmark scripts (sourced): building the tools, corpus texts for nxload, free ports
# (tests/lib/ports.sh), key=value fields, kernel drops.

# corpus_texts DIR: "--text FILE" for up to 16 realistic oopses of DIR (one per host in turn).
corpus_texts() {
	ct=""
	for f in $(find "$1" -type f | sort | head -n 16); do ct="$ct --text $f"; done
	[ -n "$ct" ] || { echo "bench: no corpus at $1" >&2; return 1; }
	echo "$ct"
}

# bench_tools DIR: build nxload and nullrecv into DIR (against $BUILD's core library).
bench_tools() {
	bt_flags="-O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -Isrc"
	# shellcheck disable=SC2086
	${CC:-cc} $bt_flags -o "$1/nxload" bench/nxload.c "${BUILD:-build}/libnxcore.a" -lcrypto -lisal ||
		return 1
	# shellcheck disable=SC2086
	${CC:-cc} $bt_flags -o "$1/nullrecv" bench/nullrecv.c
}

# shellcheck source=tests/lib/ports.sh
. tests/lib/ports.sh

# kv KEY: the value of KEY=value in the line on stdin (nxload's and nullrecv's summaries).
kv() { tr " " "\n" | sed -n "s/^$1=//p" | head -n 1; }

# wait_stored LOG N: until LOG (netoopsd's) has N "stored dump" lines, or 10 s pass without a
# new one; sets wait_n (how many) and wait_t (date +%s.%N of the last one, or of the call).
# shellcheck disable=SC2034 # wait_n and wait_t are the caller's
wait_stored() {
	ws_last=-1 ws_still=0 wait_t=$(date +%s.%N)
	while [ "$ws_still" -lt 100 ]; do
		wait_n=$(grep -c "stored dump" "$1" || true)
		if [ "$wait_n" != "$ws_last" ]; then
			ws_last=$wait_n ws_still=0 wait_t=$(date +%s.%N)
		else
			ws_still=$((ws_still + 1))
		fi
		[ "$wait_n" -ge "$2" ] && break
		sleep 0.1
	done
}

# Datagrams the kernel dropped before any socket: per-CPU backlog full (softnet_stat column 2).
backlog_drops() {
	s=0
	while read -r _ dropped _; do s=$((s + 0x$dropped)); done </proc/net/softnet_stat
	echo "$s"
}
