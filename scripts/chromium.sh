#!/usr/bin/env bash
# Headless Chromium for the HTML page tests (test/unit/report/*.browser.test.ts), from Debian.
#
#   scripts/chromium.sh install   apt-get install chromium when it is missing (a second run costs a
#                                 `command -v`), then print the browser's path on stdout
#   scripts/chromium.sh path      print the path, or fail with one line saying how to install it
#
# The tests find the browser through ALAKAI_CHROMIUM, else /usr/bin/chromium (Debian's path).
# Debian's package, not a browser download: only the package registries are reachable here.
set -euo pipefail

say() { printf 'chromium: %s\n' "$*" >&2; }
die() {
  printf 'chromium: %s\n' "$*" >&2
  exit 1
}

find_chromium() {
  local c
  for c in "${ALAKAI_CHROMIUM:-}" /usr/bin/chromium "$(command -v chromium 2>/dev/null || true)"; do
    if [[ -n "$c" && -x "$c" ]]; then
      echo "$c"
      return 0
    fi
  done
  return 1
}

cmd_install() {
  local path
  if path="$(find_chromium)"; then
    say "present ($path)"
    echo "$path"
    return
  fi
  command -v apt-get >/dev/null || die "chromium is missing and there is no apt-get: install Chromium and set ALAKAI_CHROMIUM to its path"
  [[ "$(id -u)" == 0 ]] || die "chromium is missing: run 'sudo apt-get install -y chromium' (apt needs root)"
  local t0=$SECONDS
  say "apt-get install chromium"
  # Other jobs on the machine may hold the dpkg lock for a while: wait for it rather than fail.
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    chromium fonts-liberation >/dev/null
  path="$(find_chromium)" || die "apt-get finished but no chromium binary was found"
  say "installed in $((SECONDS - t0))s ($("$path" --version 2>/dev/null || echo "version unknown"))"
  echo "$path"
}

cmd_path() {
  find_chromium || die "not installed: run scripts/chromium.sh install"
}

case "${1:-}" in
  install) cmd_install ;;
  path) cmd_path ;;
  *) die "usage: scripts/chromium.sh install|path" ;;
esac
