#!/usr/bin/env bash
# Builds daprd, placement and scheduler (and the dapr CLI) from the Go module proxy at one pinned
# version into a cache outside the repo. Skips the build when the stamped binaries are already there.
set -euo pipefail

# 1.18.2 is the newest 1.18 patch whose whole module graph the Go proxy serves: v1.18.3 needs
# durabletask-go v0.12.4 and iskorotkov/avro v2.33.1, both refused (403) by the proxy.
DAPR_VERSION="${DAPR_VERSION:-1.18.2}"
DAPR_CLI_VERSION="${DAPR_CLI_VERSION:-1.18.0}"
DAPR_HOME="${DAPR_HOME:-$HOME/.dapr}"
BIN="$DAPR_HOME/bin"
WORK="$DAPR_HOME/build/dapr-$DAPR_VERSION"
mkdir -p "$BIN" "$WORK"

# placement and scheduler have no --version flag: a stamp file written after a whole build says
# which version the three binaries are; daprd also reports its own.
STAMP="$BIN/.dapr-runtime-version"
built() {
  [ -x "$BIN/daprd" ] && [ -x "$BIN/placement" ] && [ -x "$BIN/scheduler" ] &&
    [ "$(cat "$STAMP" 2>/dev/null)" = "$DAPR_VERSION" ] && [ "$("$BIN/daprd" --version 2>/dev/null)" = "$DAPR_VERSION" ]
}

if built; then
  echo "dapr $DAPR_VERSION already built in $BIN"
else
  echo "building dapr $DAPR_VERSION (daprd, placement, scheduler) into $BIN; a cold build takes several minutes"
  start=$(date +%s)
  # A wrapper module of our own: dapr's go.mod has replace directives, which only the main module
  # may declare, so we repeat them here (the exact set dapr v1.18.2 declares).
  cat >"$WORK/go.mod" <<MOD
module daprbuild.local/wrapper

go 1.26.6

require github.com/dapr/dapr v$DAPR_VERSION

replace (
	dubbo.apache.org/dubbo-go/v3 => dubbo.apache.org/dubbo-go/v3 v3.0.3-0.20230118042253-4f159a2b38f3
	gopkg.in/couchbaselabs/gocbconnstr.v1 => github.com/couchbaselabs/gocbconnstr v1.0.5
	github.com/chenzhuoyu/iasm => github.com/chenzhuoyu/iasm v0.9.0
	github.com/chzyer/logex => github.com/chzyer/logex v1.2.1
	github.com/gobwas/pool => github.com/gobwas/pool v0.2.1
	github.com/toolkits/concurrent => github.com/niean/gotools v0.0.0-20151221085310-ff3f51fc5c60
)
MOD
  cat >"$WORK/tools.go" <<'GO'
package wrapper
GO
  cd "$WORK"
  LDFLAGS="-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$DAPR_VERSION -X github.com/dapr/dapr/pkg/buildinfo.gitversion=v$DAPR_VERSION -X github.com/dapr/kit/logger.DaprVersion=$DAPR_VERSION"
  export CGO_ENABLED=0 GOFLAGS=-mod=mod
  go get "github.com/dapr/dapr@v$DAPR_VERSION"
  go build -trimpath -tags stablecomponents -ldflags "$LDFLAGS" -o "$BIN/daprd.tmp" github.com/dapr/dapr/cmd/daprd
  go build -trimpath -ldflags "$LDFLAGS" -o "$BIN/placement.tmp" github.com/dapr/dapr/cmd/placement
  go build -trimpath -ldflags "$LDFLAGS" -o "$BIN/scheduler.tmp" github.com/dapr/dapr/cmd/scheduler
  for b in daprd placement scheduler; do mv "$BIN/$b.tmp" "$BIN/$b"; done
  echo "$DAPR_VERSION" >"$STAMP"
  echo "built dapr $DAPR_VERSION in $(( $(date +%s) - start ))s"
fi
ls -la "$BIN"
