#!/usr/bin/env bash
# Debian's Chromium for the browser journeys (crm/tests/browser.py), from apt: the tests
# never download a browser. Without it the journeys are skipped with a message, unless
# BROWSER_TESTS=required (CI), where a browser that cannot be installed is an error.
set -uo pipefail
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] && exit 0

missing() {
  echo "Chromium is not installed ($1): the browser journeys will be skipped." >&2
  echo "Install it with: sudo apt-get install chromium" >&2
  [ "${BROWSER_TESTS:-}" = "required" ] && exit 1
  exit 0
}

command -v apt-get >/dev/null || missing "no apt-get on this machine"
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else missing "installing it needs root"; fi
fi
echo "Installing Debian's Chromium for the browser journeys (apt-get install chromium)..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null || true
$SUDO apt-get install -y -qq chromium >/dev/null || missing "apt-get install chromium failed"
[ -x "$CHROMIUM" ] || missing "apt installed no $CHROMIUM"
