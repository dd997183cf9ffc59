#!/usr/bin/env bash
# Installs what the client tests need on a fresh Debian 12 machine (run as root; safe to run again):
# Chromium for the browser tests, the Debian packages that provide the real test media, and the Node packages
# pinned by package-lock.json.
set -euo pipefail

CLIENTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Chromium (browser tests) and the packages whose files tests upload (lib/media.mjs lists the files):
# sound-theme-freedesktop (Ogg audio), libtasn1-doc (a PDF), tango-icon-theme (PNG and SVG icons).
PACKAGES=(chromium sound-theme-freedesktop libtasn1-doc tango-icon-theme)
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then :; else PACKAGES+=(nodejs npm); fi

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine may have no package lists yet.
  apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" || {
    apt-get -o DPkg::Lock::Timeout=600 update
    apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
  }
fi

echo "setup: npm ci in $CLIENTS_DIR" >&2
npm ci --prefix "$CLIENTS_DIR" --no-audit --no-fund >&2
echo "setup: client test tools ready" >&2
