#!/bin/sh
# Hostile options and config files: netoopsd and netoopsctl refuse overflowing numbers, values
# out of range, ports over 65535, stray arguments, over-long lines and files that are not
# config files, with exit status 2 and a message saying what to write; nothing hangs. A config
# file with a byte order mark and trailing comments is accepted. docs/netoopsd.md.
set -u
cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/integration/hostile/lib.sh
. tests/integration/hostile/lib.sh
hostile_begin options

# refused WANT CMD...: CMD exits 2 within 10 s, and its stderr holds the text WANT.
refused() {
	r_want=$1; shift
	timeout 10 "$@" >"$W/r.out" 2>"$W/r.err"
	r_rc=$?
	[ "$r_rc" -eq 2 ] || { echo "exit status $r_rc, not 2:"; cat "$W/r.err"; return 1; }
	grep -qF -- "$r_want" "$W/r.err" || { echo "no '$r_want' in:"; cat "$W/r.err"; return 1; }
}

DB=$W/o.db
check d-rcvbuf-overflow refused "--rcvbuf: 18014398509481992K is out of range (4K to 1G bytes)" \
	"$NXD" --db "$DB" --rcvbuf 18014398509481992K
check d-memory-overflow refused "--max-memory: 17179869185G is out of range (1M to 1T bytes)" \
	"$NXD" --db "$DB" --max-memory 17179869185G
check d-batch-negative refused "--batch: '-5' is not a whole number; write e.g. 256 (1 to 1024)" \
	"$NXD" --db "$DB" --batch -5
check d-dumps-huge refused "--max-dumps: 99999999999999999999 is out of range (1 to 10000000)" \
	"$NXD" --db "$DB" --max-dumps 99999999999999999999
check d-listen-port refused "--listen: '127.0.0.1:70000': the port must be 1 to 65535" \
	"$NXD" --db "$DB" --listen 127.0.0.1:70000
check d-http-port refused "--http: '[::1]:65536': the port must be 1 to 65535" \
	"$NXD" --db "$DB" --http '[::1]:65536'
check d-extra-arg refused "unexpected argument 'extra'" "$NXD" --db "$DB" extra

# Config files.
P=$(free_port)
printf '\357\273\277# netoopsd for the options test\ndb = %s   # the database\nlisten = 127.0.0.1:%s\t# here\n\nquiet-ms = 500 #\n' \
	"$DB" "$P" >"$W/good.conf"
check conf-bom-and-comments h_start c --config "$W/good.conf"
check conf-clean-exit h_stop c
{ echo "db = $DB"; printf 'append-file = /tmp/%09000d\n' 0; } >"$W/long.conf"
check conf-long-line refused "long.conf:2: the line is longer than 8192 bytes" \
	"$NXD" --config "$W/long.conf"
printf 'db = %s\nrcvbuf = 1M\000\n' "$DB" >"$W/nul.conf"
check conf-nul refused "nul.conf:2: the line holds a NUL byte" "$NXD" --config "$W/nul.conf"
printf 'db = %s\nrcvbuf = 1M#\n' "$DB" >"$W/hash.conf"
check conf-hash-in-value refused "hash.conf:2: rcvbuf: '1M#' is not a size" \
	"$NXD" --config "$W/hash.conf"
check conf-directory refused "config file $W is not a regular file" "$NXD" --config "$W"
check conf-dev-zero refused "config file /dev/zero is not a regular file" \
	"$NXD" --config /dev/zero
# /dev/null is "no settings" (the VM tests start netoopsd so): accepted, it starts listening.
dev_null_config() {
	timeout 2 "$NXD" --config /dev/null --db "$DB" --listen "127.0.0.1:$(free_port)" \
		>"$W/devnull.out" 2>&1
	grep -q "listening on" "$W/devnull.out" || { cat "$W/devnull.out"; return 1; }
}
check conf-dev-null dev_null_config
mkfifo "$W/fifo.conf"
check conf-fifo refused "is not a regular file" "$NXD" --config "$W/fifo.conf"
head -c 1100000 /dev/zero | tr '\0' '#' >"$W/big.conf"
check conf-too-big refused "is larger than 1048576 bytes" "$NXD" --config "$W/big.conf"

# netoopsctl (the database made by the daemon above).
check c-limit-word refused "--limit: 'abc' is not a whole number; write e.g. 100 (1 to 1000000000)" \
	"$CTL" --db "$DB" list --limit abc
check c-limit-negative refused "--limit: '-5' is not a whole number" "$CTL" --db "$DB" list --limit -5
check c-limit-zero refused "--limit: 0 is out of range (1 to 1000000000)" \
	"$CTL" --db "$DB" list --limit 0
check c-limit-ok "$CTL" --db "$DB" list --limit 1
check c-list-extra refused "netoopsctl list: unexpected argument 'extra'" "$CTL" --db "$DB" list extra
check c-groups-extra refused "netoopsctl groups: unexpected argument 'extra'" \
	"$CTL" --db "$DB" groups extra
check c-stats-extra refused "netoopsctl stats: unexpected argument 'extra'" \
	"$CTL" --db "$DB" stats extra
check c-show-extra refused "netoopsctl show: unexpected argument '2'" "$CTL" --db "$DB" show 1 2
check c-show-id refused "netoopsctl show: '99999999999999999999' is not a dump id" \
	"$CTL" --db "$DB" show 99999999999999999999
check c-daemon-port refused "--daemon '127.0.0.1:70000': 70000 is out of range (1 to 65535)" \
	"$CTL" --daemon 127.0.0.1:70000 list
check c-daemon-port-after refused "--daemon '[::1]:65536': 65536 is out of range" \
	"$CTL" list --daemon '[::1]:65536'
check c-collector-port refused "--collector '127.0.0.1:99999': 99999 is out of range" \
	"$CTL" test --collector 127.0.0.1:99999
check c-test-timeout refused "--timeout: 'abc' is not a number of seconds" \
	"$CTL" test --timeout abc
check c-test-extra refused "netoopsctl test: unexpected argument 'extra'" "$CTL" test extra
check c-target-timeout refused "--timeout: '1e9' is not a number of seconds" \
	"$CTL" target add x --to 127.0.0.1 --timeout 1e9 --dry-run
check c-target-port refused "bad port in '127.0.0.1:99999': a number from 1 to 65535" \
	"$CTL" target add x --to 127.0.0.1:99999 --dry-run
checks_end
