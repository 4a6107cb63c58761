#!/usr/bin/env bash
# Installs everything the exchange needs on a fresh Debian machine, skipping what is already there:
# Redis and PostgreSQL (Debian packages), npm packages, and the Dapr binaries (built from the Go proxy).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]} from Debian packages"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
# Debian starts nothing without systemd, but be sure no packaged server holds our ports.
echo "setup: redis $(redis-server --version | grep -o 'v=[0-9.]*'), postgres $(ls -d /usr/lib/postgresql/*/ | sort -V | tail -1)"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

bash scripts/dapr-build.sh
