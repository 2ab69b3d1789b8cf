#!/bin/bash
# `netoopsctl test --db`: after writing the trigger it waits until the collector has stored a new
# test dump from this host, and fails with a clear message when none comes. The collector is the
# real netoopsd on loopback; the module's part (trigger -> dump on the wire) is replaced by
# nxload sending the same kind of dump, because this host has no netoops.ko — the module's own
# test dump is covered in the QEMU guest (demo/vm-target-test.sh).
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
CTL=$BUILD/netoopsctl NXD=$BUILD/netoopsd NXLOAD=$BUILD/tests/nxload
W=$(mktemp -d /tmp/netoops-ctltest.XXXXXX)
pid=""

cleanup() { [ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT INT TERM

. tests/lib/checks.sh
checks_begin ctl-test-wait "$W/out"
finish() { checks_end; exit; }

make -s --no-print-directory BUILD="$BUILD" "$NXLOAD" || { failed=1; finish; }
HOST=$(uname -n | tr -c 'A-Za-z0-9._\n-' _ | cut -c1-64)
for PORT in $(shuf -i 27200-27299); do ss -Hlun "sport = :$PORT" | grep -q . || break; done
DB=$W/db.sqlite
mkdir -p "$W/sysfs"
: >"$W/sysfs/netoops_trigger"	# sysfs files exist; netoopsctl never creates one
export NETOOPS_SYSFS_DIR=$W/sysfs

"$NXD" --listen "127.0.0.1:$PORT" --db "$DB" --quiet-ms 1000 >"$W/netoopsd.log" 2>&1 &
pid=$!
for _ in $(seq 50); do [ -s "$DB" ] && ss -Hlun "sport = :$PORT" | grep -q . && break; sleep 0.1; done

# send_later SECONDS HOST: a test dump from HOST reaches the collector after SECONDS
send_later() {
	(sleep "$1"; "$NXLOAD" --to "127.0.0.1:$PORT" --text tests/integration/fixtures/test-dump.txt \
		--host "$2" --reason test --seed "$RANDOM" >>"$W/nxload.log" 2>&1) &
}

waits_and_succeeds() {
	local out
	send_later 1.5 "$HOST"
	out=$("$CTL" test --db "$DB" --timeout 20) || { echo "$out"; return 1; }
	echo "$out"
	grep -qx test "$W/sysfs/netoops_trigger" &&
		[[ $out == *"received: the collector stored test dump 1 from $HOST"* ]]
}
check waits-for-the-dump waits_and_succeeds

old_dump_does_not_count() {	# the dump stored above must not satisfy a second test
	! "$CTL" --db "$DB" test --timeout 2 >"$W/out2" 2>&1; cat "$W/out2"
	grep -q "no test dump from $HOST reached the collector within 2 s" "$W/out2"
}
check old-dump-does-not-count old_dump_does_not_count

other_host_does_not_count() {
	send_later 0.5 "not-$HOST"
	! "$CTL" test --db "$DB" --timeout 3 && grep -q "no test dump from $HOST reached" "$W/out" &&
		"$CTL" --db "$DB" list --reason test | grep -q "not-$HOST"	# it did arrive, from elsewhere
}
check other-host-does-not-count other_host_does_not_count

missing_db() {
	! "$CTL" test --db "$W/nonexistent.db" && grep -q "nonexistent.db" "$W/out" &&
		! grep -q "test dump sent" "$W/out"	# refused before triggering anything
}
check missing-db-refused missing_db
no_module() {
	NETOOPS_SYSFS_DIR=$W/absent "$CTL" test 2>&1 | grep -q "netoops module not loaded: run modprobe netoops"
}
check no-module-says-modprobe no_module
finish
