#!/bin/sh
# Run the kernel's checkpatch.pl (from Debian's linux-source-6.1) on the given kmod sources.
# usage: checkpatch.sh CACHE_DIR FILE...   (make -C kmod checkpatch)
set -eu
dir=$1; shift
tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)
if [ ! -f "$dir/checkpatch.pl" ]; then
	if [ -z "$tarball" ]; then
		echo "checkpatch: install linux-source-6.1 (tests/lib/install-deps.sh)" >&2
		exit 1
	fi
	top=$(basename "$tarball" .tar.xz)
	mkdir -p "$dir"
	tar -xJf "$tarball" -C "$dir" --strip-components=2 \
		"$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" \
		"$top/scripts/const_structs.checkpatch"
fi
perl "$dir/checkpatch.pl" --no-tree --show-types --terse -f "$@"
