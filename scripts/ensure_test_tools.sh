#!/usr/bin/env bash
# What some tests drive, from Debian's packages (never downloaded by the tests themselves):
# Chromium for the browser journeys (crm/tests/browser.py) and nginx for the scale-out test
# (crm/tests/test_scale_out.py), and dovecot, the IMAP server of the incoming-mail tests
# (messaging/tests). Without them those tests are skipped with a message, unless
# BROWSER_TESTS=required / SCALE_TESTS=required (CI), where a tool that cannot be installed
# is an error.
set -uo pipefail
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
[ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd)
[ ${#missing[@]} -eq 0 ] && exit 0

give_up() {
  echo "Not installed: ${missing[*]} ($1); the tests that need them will be skipped." >&2
  echo "Install with: sudo apt-get install ${missing[*]}" >&2
  if [ "${BROWSER_TESTS:-}" = "required" ] || [ "${SCALE_TESTS:-}" = "required" ] || [ "${IMAP_TESTS:-}" = "required" ]; then exit 1; fi
  exit 0
}

command -v apt-get >/dev/null || give_up "no apt-get on this machine"
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else give_up "installing needs root"; fi
fi
echo "Installing Debian's ${missing[*]} for the tests (apt-get install)..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null || true
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null || give_up "apt-get install failed"
[ -x "$CHROMIUM" ] || give_up "apt installed no $CHROMIUM"
