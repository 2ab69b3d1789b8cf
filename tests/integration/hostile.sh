#!/bin/sh
# The hostile-input suite: every tests/integration/hostile/*.sh, run once against the plain
# build and once against the ASan+UBSan build (build/san, made here if absent).
# Each script records its own counts as integration/hostile-<variant>/<script>.
set -u
cd "$(dirname "$0")/../.." || exit 1
status=0
plain=${BUILD:-build}
[ -x "$plain/netoopsd" ] || make -s userspace || status=1
make -s san >/dev/null || { echo "hostile: the ASan build failed"; status=1; }
for variant in plain san; do
	case $variant in
	plain) b=$plain ;;
	san) b=build/san ;;
	esac
	for t in tests/integration/hostile/*.sh; do
		case $t in */lib.sh) continue ;; esac
		HOSTILE_VARIANT=$variant HOSTILE_BUILD=$b HOSTILE_PLAIN=$plain "$t" || status=1
	done
done
exit $status
