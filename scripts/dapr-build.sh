#!/usr/bin/env bash
# Builds daprd, placement and scheduler from the Go module proxy at pinned versions into a cache
# outside the repo. Skips a build when the stamped binaries are already there.
set -euo pipefail

# daprd and scheduler: 1.18.2, the newest 1.18 patch whose whole module graph the Go proxy serves
# (v1.18.3's daprd needs durabletask-go v0.12.4, refused with 403; its scheduler needs go-etcd-cron
# v0.12.7, which the checksum database does not know).
# placement: 1.18.3, which fixes a placement bug that froze every actor call in our chaos tier (seen
# in CI): when placement closed a sidecar's stream for a dissemination timeout, 1.18.2 reported the
# close twice, its per-namespace stream count went below zero and it tore down the disseminator while
# healthy sidecars were still attached, so no table was ever unlocked again. placement imports neither
# of the refused modules, so its binary is exactly upstream 1.18.3 (`go version -m` shows the graph).
DAPR_VERSION="${DAPR_VERSION:-1.18.2}"
DAPR_PLACEMENT_VERSION="${DAPR_PLACEMENT_VERSION:-1.18.3}"
DAPR_HOME="${DAPR_HOME:-$HOME/.dapr}"
BIN="$DAPR_HOME/bin"
mkdir -p "$BIN"
export CGO_ENABLED=0 GOFLAGS=-mod=mod

# placement and scheduler have no --version flag: stamp files written after a whole build say which
# version the binaries are; daprd also reports its own.
STAMP="$BIN/.dapr-runtime-version"
PLACEMENT_STAMP="$BIN/.dapr-placement-version"
runtime_built() {
  [ -x "$BIN/daprd" ] && [ -x "$BIN/scheduler" ] &&
    [ "$(cat "$STAMP" 2>/dev/null)" = "$DAPR_VERSION" ] && [ "$("$BIN/daprd" --version 2>/dev/null)" = "$DAPR_VERSION" ]
}
placement_built() {
  [ -x "$BIN/placement" ] && [ "$(cat "$PLACEMENT_STAMP" 2>/dev/null)" = "$DAPR_PLACEMENT_VERSION" ]
}

# A wrapper module of our own, in a work directory per version: dapr's go.mod has replace directives,
# which only the main module may declare, so we repeat them here (the set dapr 1.18.x declares), plus
# any extra line given. Answers the work directory.
wrapper() {
  local version=$1 extra=${2:-}
  local work="$DAPR_HOME/build/dapr-$version"
  mkdir -p "$work"
  cat >"$work/go.mod" <<MOD
module daprbuild.local/wrapper

go 1.26.6

require github.com/dapr/dapr v$version

replace (
	dubbo.apache.org/dubbo-go/v3 => dubbo.apache.org/dubbo-go/v3 v3.0.3-0.20230118042253-4f159a2b38f3
	gopkg.in/couchbaselabs/gocbconnstr.v1 => github.com/couchbaselabs/gocbconnstr v1.0.5
	github.com/chenzhuoyu/iasm => github.com/chenzhuoyu/iasm v0.9.0
	github.com/chzyer/logex => github.com/chzyer/logex v1.2.1
	github.com/gobwas/pool => github.com/gobwas/pool v0.2.1
	github.com/toolkits/concurrent => github.com/niean/gotools v0.0.0-20151221085310-ff3f51fc5c60
	$extra
)
MOD
  echo 'package wrapper' >"$work/tools.go"
  (cd "$work" && go get "github.com/dapr/dapr@v$version" >&2)
  echo "$work"
}

ldflags() {
  echo "-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$1 -X github.com/dapr/dapr/pkg/buildinfo.gitversion=v$1 -X github.com/dapr/kit/logger.DaprVersion=$1"
}

if runtime_built; then
  echo "daprd and scheduler $DAPR_VERSION already built in $BIN"
else
  echo "building daprd and scheduler $DAPR_VERSION into $BIN; a cold build takes several minutes"
  start=$(date +%s)
  work=$(wrapper "$DAPR_VERSION")
  cd "$work"
  go build -trimpath -tags stablecomponents -ldflags "$(ldflags "$DAPR_VERSION")" -o "$BIN/daprd.tmp" github.com/dapr/dapr/cmd/daprd
  go build -trimpath -ldflags "$(ldflags "$DAPR_VERSION")" -o "$BIN/scheduler.tmp" github.com/dapr/dapr/cmd/scheduler
  for b in daprd scheduler; do mv "$BIN/$b.tmp" "$BIN/$b"; done
  echo "$DAPR_VERSION" >"$STAMP"
  echo "built daprd and scheduler $DAPR_VERSION in $(( $(date +%s) - start ))s"
fi

if placement_built; then
  echo "placement $DAPR_PLACEMENT_VERSION already built in $BIN"
else
  echo "building placement $DAPR_PLACEMENT_VERSION into $BIN"
  start=$(date +%s)
  # The module graph of 1.18.3 names durabletask-go v0.12.4, which the proxy refuses; placement does
  # not import it, so pointing the graph at the version 1.18.2 uses changes nothing in the binary.
  work=$(wrapper "$DAPR_PLACEMENT_VERSION" \
    "github.com/dapr/durabletask-go => github.com/dapr/durabletask-go v0.12.2-0.20260720132056-79042da5fe61")
  cd "$work"
  go build -trimpath -ldflags "$(ldflags "$DAPR_PLACEMENT_VERSION")" -o "$BIN/placement.tmp" github.com/dapr/dapr/cmd/placement
  if go version -m "$BIN/placement.tmp" | grep -q durabletask; then
    echo "placement $DAPR_PLACEMENT_VERSION links durabletask-go: the replace above would change it" >&2
    exit 1
  fi
  mv "$BIN/placement.tmp" "$BIN/placement"
  echo "$DAPR_PLACEMENT_VERSION" >"$PLACEMENT_STAMP"
  echo "built placement $DAPR_PLACEMENT_VERSION in $(( $(date +%s) - start ))s"
fi
ls -la "$BIN"
