#!/usr/bin/env bash
# Installs everything the exchange needs on a fresh Debian machine, skipping what is already there:
# Node.js 24 (the npm registry's binary package, into ~/.cache/dce; scripts/node24.sh), Chromium (the console's browser tests), Redis and
# PostgreSQL (Debian packages), npm packages, and the Dapr binaries (built from the Go proxy).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need_apt+=(postgresql)
python3 -c "import venv, ensurepip" >/dev/null 2>&1 || need_apt+=(python3-venv) # Schemathesis (PyPI)
# The console's browser tests drive Debian's Chromium (Playwright's own browser download is unreachable).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]} from Debian packages"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
# Debian starts nothing without systemd, but be sure no packaged server holds our ports.
echo "setup: redis $(redis-server --version | grep -o 'v=[0-9.]*'), postgres $(ls -d /usr/lib/postgresql/*/ | sort -V | tail -1)"

# Node.js 24 runs everything the project runs (the machine's own Node may be older).
NODE_BIN="$(bash scripts/node24.sh)"
echo "setup: node $("$NODE_BIN/node" --version) ($NODE_BIN)"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  bash scripts/node24.sh npm ci --no-audit --no-fund --loglevel=error
fi

# Schemathesis (the API fuzzing tier of the e2e tests) lives in its own virtualenv.
VENV="${DCE_VENV:-$HOME/.cache/dce/venv}"
if [ ! -x "$VENV/bin/schemathesis" ]; then
  echo "setup: schemathesis from PyPI into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "schemathesis>=4,<5"
fi

bash scripts/dapr-build.sh
