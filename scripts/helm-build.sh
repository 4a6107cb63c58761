#!/usr/bin/env bash
# Builds the helm CLI from the Go module proxy at one pinned version into a cache outside the repo
# (${HELM_HOME:-$HOME/.cache/dce}/bin/helm). Skips the build when the stamped binary is already there.
# The chart tests (helm/chart.test.ts) run this when the binary is missing.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-3.19.0}"
HELM_HOME="${HELM_HOME:-$HOME/.cache/dce}"
BIN="$HELM_HOME/bin"
STAMP="$BIN/.helm-version"
mkdir -p "$BIN"

built() {
  [ -x "$BIN/helm" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$HELM_VERSION" ] &&
    [ "$("$BIN/helm" version --template '{{.Version}}' 2>/dev/null)" = "v$HELM_VERSION" ]
}

if built; then
  echo "helm $HELM_VERSION already built: $BIN/helm"
  exit 0
fi

echo "building helm $HELM_VERSION into $BIN (a cold build takes a few minutes)"
start=$(date +%s)
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false
MODULE="helm.sh/helm/v3@v$HELM_VERSION"

# helm's go.mod has no replace directives, so `go install module@version` builds it as released.
# The release Makefile also stamps the version and the Kubernetes version that `helm template` and
# `helm lint` assume (else 1.20): the minor of the k8s.io/client-go that helm's go.mod requires.
gomod=$(go mod download -json "$MODULE" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
[ -n "$gomod" ] && [ -f "$gomod" ] || { echo "helm-build: cannot download $MODULE" >&2; exit 1; }
client_go=$(awk '$1 == "k8s.io/client-go" { print $2 }' "$gomod")
k8s_minor=$(echo "$client_go" | cut -d. -f2)
[ -n "$k8s_minor" ] || { echo "helm-build: no k8s.io/client-go in $gomod" >&2; exit 1; }

LDFLAGS="-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  LDFLAGS="$LDFLAGS -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$k8s_minor"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
GOBIN="$tmp" go install -trimpath -ldflags "$LDFLAGS" "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION"
mv "$tmp/helm" "$BIN/helm"
echo "$HELM_VERSION" >"$STAMP"
echo "built helm $("$BIN/helm" version --short) in $(($(date +%s) - start))s: $BIN/helm ($(du -h "$BIN/helm" | cut -f1))"
