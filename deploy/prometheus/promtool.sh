#!/usr/bin/env bash
# Prints the path of a promtool binary: the one on PATH, or Debian's, unpacked (not installed) into .local/promtool
# from the `prometheus` package, so checking the alert rules starts no Prometheus service.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if command -v promtool >/dev/null; then command -v promtool; exit 0; fi
dest="$repo/.local/promtool"
if [ ! -x "$dest/usr/bin/promtool" ]; then
  mkdir -p "$dest"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  ( cd "$dest" && { apt-get download prometheus >/dev/null 2>&1 \
      || { $sudo_cmd apt-get update -qq >/dev/null && apt-get download prometheus >/dev/null; }; } \
      && dpkg -x prometheus_*.deb . && rm -f prometheus_*.deb ) >&2
fi
echo "$dest/usr/bin/promtool"
