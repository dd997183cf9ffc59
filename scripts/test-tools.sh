#!/usr/bin/env bash
# Installs what the client tests need: Chromium for the browser tests and the Node packages of tests/clients
# (only when that folder has a package.json). When tests/clients/setup.sh exists it does that part instead.
# Safe to run again; it installs only what is missing.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOG_PREFIX=test-tools
# shellcheck source=lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"

CLIENTS_DIR=$REPO_ROOT/tests/clients

command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is not on PATH; see global.json for the version"

if [[ ! -x /usr/bin/chromium ]]; then
  ensure_packages chromium
fi

if [[ -f $CLIENTS_DIR/setup.sh ]]; then
  # The client tests know best what they need (Chromium, media packages, npm ci); their own script does it.
  log "running tests/clients/setup.sh"
  bash "$CLIENTS_DIR/setup.sh" >&2
elif [[ -f $CLIENTS_DIR/package.json ]]; then
  command -v npm >/dev/null 2>&1 || ensure_packages nodejs npm
  if [[ -f $CLIENTS_DIR/package-lock.json ]]; then
    log "npm ci in tests/clients"
    npm ci --prefix "$CLIENTS_DIR" --no-audit --no-fund >&2
  else
    # npm ci needs a lock file; without one, install and let the developer commit the lock file it writes.
    log "tests/clients has no package-lock.json; running npm install (commit the lock file it writes)"
    npm install --prefix "$CLIENTS_DIR" --no-audit --no-fund >&2
  fi
else
  log "no tests/clients/package.json; skipping npm packages"
fi

log "tools ready"
