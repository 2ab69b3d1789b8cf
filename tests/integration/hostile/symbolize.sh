#!/bin/sh
# Hostile input for symbolization: malformed inventory datagrams (NETOOPSI) of every rule, a
# debug tree whose vmlinux is not ELF, and a real dump: the daemon stays up, the bad datagrams
# are counted, the good inventory is kept, the dump is stored with a reason for each frame.
set -u
cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/integration/hostile/lib.sh
. tests/integration/hostile/lib.sh
hostile_begin symbolize

P=$(free_port) H=$(free_port) DB=$W/s.db
mkdir -p "$W/debug"
echo "not an ELF file" >"$W/debug/vmlinux"
check start h_start s --listen "127.0.0.1:$P" --db "$DB" --quiet-ms 500 --stats-interval-ms 200 \
	--debuginfo "$W/debug" --http "127.0.0.1:$H"
boot=0f3c5e0b8e9a4d7cb1f2a9d8c7e6b5a4 id=00112233445566778899aabbccddeeff00112233
hdr="NETOOPSI web-1 $boot 0 inventory 6.1.0-27-amd64 0.000000"
# one datagram per rule broken (printf: \n, \0 and a 1500-byte one)
# shellcheck disable=SC2059 # the datagram is the format: its escapes are wanted
udp() { printf "$1" | nc -u -q0 127.0.0.1 "$P"; }
bad_all() {
	udp "$hdr 0/1\nvmlinux 0011\n"			# build ID too short
	udp "$hdr 0/1\nvmlinux 0011223344556677889XAABBCCDDEEFF00112233\n"	# not hex
	udp "$hdr 0/1\nvm/linux $id\n"			# bad name
	udp "$hdr 1/1\nvmlinux $id\n"			# part not below parts
	udp "$hdr 00/1\nvmlinux $id\n"			# leading zero
	udp "NETOOPSI web-1 $boot 7 inventory 6.1.0-27-amd64 0.000000 0/1\nvmlinux $id\n"
	udp "NETOOPSI web-1 BOOT 0 inventory 6.1.0-27-amd64 0.000000 0/1\nvmlinux $id\n"
	udp "$hdr 0/1\nvmlinux $id\0\n"			# a NUL
	udp "$hdr 0/1\nvmlinux $id"			# no final newline
	udp "NETOOPSI"			# the letter without its space: not this kind (reassembly's)
	udp "$hdr 0/1\n$(awk -v id="$id" 'BEGIN { for (i = 0; i < 70; i++) printf "m%d %s\\n", i, id }')"
	return 0
}
check bad-inventories bad_all
check good-inventory udp "$hdr 0/1 ext=ignored\nvmlinux $id\next4 $id\n"
check inventory-counted h_wait 5 sh -c "'$CTL' --db '$DB' --json stats |
	jq -c '.counters | {inventory_malformed, inventory_stored}' | tee /dev/stderr |
	grep -qx '{\"inventory_malformed\":10,\"inventory_stored\":1}'"
check inventory-kept h_wait 5 sh -c "[ \"\$(sqlite3 '$DB' \"SELECT count(*) FROM inventories
	WHERE host = 'web-1' AND boot = '$boot'\")\" = 2 ]"
check dump "$NXLOAD" --to "127.0.0.1:$P" --text "$FIX/divide-6.1.txt" --host sym-hostile
check symbolized-with-reason h_wait 10 sh -c "'$CTL' --db '$DB' --json show 1 |
	jq -e '.reports[0].symbolized | .state == \"none\" and
	([.frames[].error // \"\" | test(\"not an ELF\")] | any)'"
check http-carries-it sh -c "curl -sf 'http://127.0.0.1:$H/v1/reports/1' | tee '$W/http.json' |
	jq -e '.reports[0].symbolized.frames | length > 0' || jq -c '.reports[0] | del(.frames)' '$W/http.json'"
check alive h_alive s
check clean-exit h_stop s
checks_end
