#!/bin/sh
# Prints the Debian packages that provide the shared libraries the given ELF files load (directly or through
# other libraries), one a line; libc6 and other packages every Debian image has are left out. The Dockerfile's
# build stage runs it on the server and the plugins, and the runtime stage installs exactly that list.
#   deploy/docker/runtime-packages.sh /opt/docanalysis/bin/docanalysis-server /opt/docanalysis/plugins/*/*.so
set -eu
[ $# -gt 0 ] || { echo "usage: $0 ELF..." >&2; exit 2; }

libs=$(ldd "$@" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u)
missing=$(ldd "$@" 2>/dev/null | awk '$2 == "=>" && $3 == "not" { print $1 }' | sort -u)
if [ -n "$missing" ]; then
  echo "runtime-packages: libraries not found: $missing" >&2
  exit 1
fi
for lib in $libs; do
  real=$(readlink -f "$lib")
  # With merged /usr a library may be registered under /lib or /usr/lib: try each spelling.
  pkg=""
  for path in "$lib" "$real" "/usr${lib#/usr}" "${lib#/usr}" "/usr${real#/usr}" "${real#/usr}"; do
    pkg=$(dpkg -S "$path" 2>/dev/null | head -n1 | cut -d: -f1) && [ -n "$pkg" ] && break
  done
  if [ -z "$pkg" ]; then
    echo "runtime-packages: no Debian package owns $lib" >&2
    exit 1
  fi
  echo "$pkg"
done | sort -u | grep -vx 'libc6' || true
