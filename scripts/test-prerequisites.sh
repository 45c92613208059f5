#!/bin/sh
# Installs the real servers the test suites run against, when they are missing: Radicale (CalDAV) and Chromium
# (pages). Debian packages; needs root or passwordless sudo, as on CI machines.
set -e
missing=""
command -v radicale >/dev/null 2>&1 || python3 -c 'import radicale' 2>/dev/null || missing="$missing radicale"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -z "$missing" ] && exit 0
echo "test prerequisites: installing$missing from Debian's packages"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
