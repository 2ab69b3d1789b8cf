#!/bin/sh
# `make check-lint`: every shell script shellcheck-clean (warnings and errors) and the module
# checkpatch-clean; one PASS/FAIL line per file, one recorded count per tool.
# The seed's own script (tests/data/seed/, and tests/vm/seed-setup.sh: the same with the guest's
# addresses) is kept as the seed wrote it, since it must work as written: not linted.
set -u
cd "$(dirname "$0")/../.." || exit 1
status=0

# Tracked *.sh files and the extension-less scripts CI runs (git when there, else find).
scripts() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files '*.sh' .ci/run
	else
		find . -name '*.sh' -not -path './build/*' -not -path '*/node_modules/*' |
			sed 's|^\./||'
		echo .ci/run
	fi | grep -v -e '^tests/data/seed/' -e '^tests/vm/seed-setup.sh$' | sort
}

lint_shell() {
	passed=0 failed=0
	for f in $(scripts); do
		if out=$(shellcheck -x -S warning -f gcc "$f" 2>&1); then
			passed=$((passed + 1))
		else
			echo "FAIL lint/shellcheck $f"
			printf '%s\n' "$out" | head -n 5
			failed=$((failed + 1))
			status=1
		fi
	done
	echo "lint/shellcheck: $passed passed, $failed failed"
	tests/lib/record.sh lint/shellcheck "$passed" "$failed"
}

lint_kmod() {
	if out=$(make -s --no-print-directory -C kmod checkpatch 2>&1) && [ -z "$out" ]; then
		echo "PASS lint/checkpatch"
		tests/lib/record.sh lint/checkpatch 1 0
	else
		echo "FAIL lint/checkpatch"
		printf '%s\n' "$out" | head -n 20
		tests/lib/record.sh lint/checkpatch 0 1
		status=1
	fi
}

lint_shell
lint_kmod
exit $status
