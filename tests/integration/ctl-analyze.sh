#!/bin/sh
# `netoopsctl analyze` as a user runs it: real files (corpus, fresh VM dumps, stdin, a syslog
# file), text and --json output, and the errors a user sees for bad arguments.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
CTL=$BUILD/netoopsctl
CORPUS=${NETOOPS_SHARED:-$PWD/tests/data}/corpus/oops-dev
DATA=tests/unit/data/analyse
W=$(mktemp -d /tmp/netoops-analyze.XXXXXX)
trap 'rm -rf "$W"' EXIT INT TERM
. tests/lib/checks.sh
checks_begin ctl-analyze "$W/out"

# Each case runs in a subshell of its own (bodies in parentheses), so fail ends only the case.
fail() { echo "$*"; exit 1; }

# Two reports in one file (a WARN, then a BUG), both from the same module function.
json_two_reports() (
	"$CTL" analyze --json "$CORPUS/kerneloops/i386-bug-on.txt" >"$W/j" || fail "exit $?"
	[ "$(wc -l <"$W/j")" -eq 2 ] || fail "want 2 JSON lines, got $(wc -l <"$W/j")"
	jq -se '.[0].primary and .[0].title == "WARNING in modinit" and .[0].type == "warning"' "$W/j" ||
		fail "primary report wrong: $(head -c 300 "$W/j")"
	jq -se '.[1].title == "kernel BUG in modinit" and .[1].die_counter == 1 and
		(.[1].frames | length) > 3 and (.[1].signature | startswith("v2:"))' "$W/j" ||
		fail "second report wrong"
)

# A 6.1 dump as netoops.ko sent it (an early crash-test build, whose divide error was in
# crash_divide()): the backlog before the oops yields nothing.
text_vm_dump() (
	"$CTL" analyze "$DATA/vm-6.1-divide-dump.txt" >"$W/t" || fail "exit $?"
	grep -q 'report 1 of 1 (primary)' "$W/t" || fail "want exactly one report: $(head -n 3 "$W/t")"
	grep -Eq 'title: +divide error in crash_divide$' "$W/t" || fail "title: $(grep title "$W/t")"
	grep -q 'call trace:' "$W/t" || fail "no call trace section"
)

# The same text on stdin and through a syslog file gives the same signature.
stdin_and_syslog_agree() (
	f="$DATA/vm-6.1-divide-dump.txt"
	a=$("$CTL" analyze --json - <"$f" | jq -r .signature)
	sed 's/^/Nov 28 00:00:00 web-17 kernel: /' "$f" >"$W/syslog"
	b=$("$CTL" analyze --json "$W/syslog" | jq -r .signature)
	[ -n "$a" ] && [ "$a" = "$b" ] || fail "stdin '$a' vs syslog '$b'"
)

no_report_files() (
	for f in "$CORPUS/abrt/no_oops.test" "$CORPUS/abrt/not_oops1.test"; do
		"$CTL" analyze --json "$f" >"$W/n" || fail "$f: exit $?"
		[ ! -s "$W/n" ] || fail "$f: unexpected report: $(head -c 200 "$W/n")"
	done
	"$CTL" analyze "$CORPUS/abrt/no_oops.test" | grep -q 'no crash report found' ||
		fail "text output does not say that nothing was found"
)

errors_are_clear() (
	"$CTL" analyze "$W/missing" 2>"$W/e"; rc=$?
	[ $rc -eq 1 ] && grep -q "cannot read $W/missing: No such file" "$W/e" || fail "missing file: rc $rc, $(cat "$W/e")"
	"$CTL" analyze 2>"$W/e"; rc=$?
	[ $rc -eq 2 ] && grep -q 'at least one FILE' "$W/e" || fail "no file: rc $rc, $(cat "$W/e")"
)

check json-two-reports json_two_reports
check text-vm-dump text_vm_dump
check stdin-and-syslog-agree stdin_and_syslog_agree
check no-report-files no_report_files
check errors-are-clear errors_are_clear
checks_end
