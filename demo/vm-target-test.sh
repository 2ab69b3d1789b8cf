#!/bin/bash
# VM test of `netoopsctl target add` with only the collector's address: in a Debian 6.1 guest,
# the target it makes works (test dump and crash received by netoopsd, with the boot id that
# `netoopsctl boot-id` wrote), and apply/del/IPv6/errors behave (checks run in the guest).
#
# usage: demo/vm-target-test.sh     (run by tests/vm/run.sh; records vm-ctl/* results)
# Port: 27100-27199. Artifacts: build/vm-ctl/.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

OUTD=$BUILD/vm-ctl
rm -rf "$OUTD"; mkdir -p "$OUTD"
PORT=$(free_udp_port 27100 27199)
passed=0 failed=0
cleanup() { [ -z "${COLLECTOR_PID:-}" ] || kill "$COLLECTOR_PID" 2>/dev/null || true; }
trap cleanup EXIT

result() {	# NAME OK? DETAIL
	if [ "$2" = 0 ]; then echo "PASS vm-ctl/$1"; passed=$((passed + 1))
	else echo "FAIL vm-ctl/$1: $3"; failed=$((failed + 1)); fi
}
finish() {
	echo "vm-ctl: $passed passed, $failed failed (artifacts in $OUTD)"
	tests/lib/record.sh vm-ctl "$passed" "$failed"
	[ "$failed" -eq 0 ]; exit
}
cd "$REPO" || exit 1

if ! prepare_guest "$OUTD/initrd.gz" >"$OUTD/prepare.log" 2>&1; then
	tail -n 20 "$OUTD/prepare.log"; result prepare 1 "building the guest failed"; finish
fi
start_collector "$OUTD" "$PORT"
boot_guest "$OUTD" "$OUTD/initrd.gz" "$PORT" check >"$OUTD/guest.out"
cat "$OUTD/guest.out"

# the guest's own checks (target attributes, targets.conf, apply, del, IPv6, errors)
n_ok=$(grep -c 'check ok:' "$OUTD/console.log")
grep 'check FAIL:' "$OUTD/console.log" | sed 's/^/    /'
n_bad=$(grep -c 'check FAIL:' "$OUTD/console.log")
[ "$n_ok" -ge 16 ]; result guest-checks-ran $? "only $n_ok checks reported ok"
[ "$n_bad" -eq 0 ]; result guest-checks-passed $? "$n_bad failed"
grep -q '^target demo enabled: eth0 10.0.2.15 -> 10.0.2.2:'"$PORT"' via direct link to 10.0.2.2 (52:55:0a:00:02:02)' \
	"$OUTD/console.log"; result target-add-resolved $? "unexpected target add output"

boot=$(sed -n 's/^demo: boot id of this guest: \([0-9a-f]*\).*/\1/p' "$OUTD/console.log" | tr -d '\r')
id=$(wait_report "$OUTD" nx-demo test); result test-dump-received $? "no test dump stored"
if [ -n "$id" ]; then
	got=$("$CTL" --db "$OUTD/netoops.db" show "$id" --json | jq -r .boot)
	[ -n "$boot" ] && [ "$got" = "$boot" ]; result test-dump-carries-boot-id $? "boot '$got', guest '$boot'"
fi
v6=$("$CTL" --db "$OUTD/netoops.db" list --json --reason test |
	jq -r '[.[] | select(.host == "nx-demo")] | map(.source) | join(" ")')
[[ $v6 == *"[::1]:"* && $v6 == *"127.0.0.1:"* ]]
result test-dumps-over-ipv4-and-ipv6 $? "sources: '$v6'"
id=$(wait_report "$OUTD" nx-demo oops); result crash-received $? "no oops dump stored"
if [ -n "$id" ]; then
	"$CTL" --db "$OUTD/netoops.db" show "$id" --json >"$OUTD/oops.json"
	jq -e '.complete == true and .reports[0].title == "divide error in netoops_crashtest_init"' \
		"$OUTD/oops.json" >/dev/null; result crash-complete-and-titled $? "$(jq -c '{complete, title}' "$OUTD/oops.json")"
	jq -e '.text | contains("netoops-demo-marker")' "$OUTD/oops.json" >/dev/null
	result crash-has-backlog $? "marker logged at boot missing"
fi
finish
