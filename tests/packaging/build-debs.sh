#!/bin/bash
# Build the Debian packages from a copy of the working tree: dpkg-buildpackage -us -uc -b.
# usage: tests/packaging/build-debs.sh     output: $PKG_OUT/*.deb and build.log (default build/pkg/run.*)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$PKG_OUT/src/netoops-$VERSION
rm -rf "$PKG_OUT/src" "$PKG_OUT"/*.deb
mkdir -p "$src"
# tracked and new files, never build output or caches (dpkg-buildpackage writes to ..)
(cd "$REPO" && git ls-files -co --exclude-standard -z | grep -zv '^\.cache/' |
	xargs -0 cp --parents -t "$src")
log "dpkg-buildpackage -us -uc -b (log: $PKG_OUT/build.log)"
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$PKG_OUT/build.log" 2>&1 ||
	{ tail -n 30 "$PKG_OUT/build.log"; die "dpkg-buildpackage failed"; }
mv "$PKG_OUT"/src/*.deb "$PKG_OUT"/
ls "$PKG_OUT"/*.deb
