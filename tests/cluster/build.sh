#!/usr/bin/env bash
# Build the pinned binaries of the local test cluster from Go modules.
#
# Why from source: the build machines reach only the Go module proxy, PyPI and
# Debian apt, so no release tarball or container image can be downloaded.
# Versions are pinned by the go.mod/go.sum files under tests/cluster/tools/.
#
# Output: ${K8S_VOLUME_OPS_CACHE:-$HOME/.cache/k8s-volume-ops}/bin/
# A binary is rebuilt only when its version stamp (<bin>.stamp) changes; the
# stamp covers component version, Go version and the tools module's go.sum.
# GOCACHE/GOMODCACHE stay at their defaults so rebuilds on a machine are warm.
#
# Usage: tests/cluster/build.sh [kubernetes] [etcd] [helm] [kind]   (default: all)
#        FORCE=1 tests/cluster/build.sh ...   rebuilds even if stamps match.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOOLS="$HERE/tools"
CACHE="${K8S_VOLUME_OPS_CACHE:-$HOME/.cache/k8s-volume-ops}"
BIN="$CACHE/bin"
mkdir -p "$BIN"
rm -rf "$BIN"/.build.*  # leftovers of an interrupted build

KUBE_VERSION=v1.36.3
ETCD_VERSION=v3.6.16
HELM_VERSION=v4.3.2
KIND_VERSION=v0.33.0

export CGO_ENABLED=0
GO_VERSION="$(go env GOVERSION)"
START_ALL=$SECONDS

log() { printf '[build %4ds] %s\n' "$((SECONDS - START_ALL))" "$*"; }

# stamp <tools-subdir> <component-version>: text that identifies a build.
stamp() {
  local sum
  sum="$(cat "$TOOLS/$1/go.mod" "$TOOLS/$1/go.sum" | sha256sum | cut -c1-16)"
  printf '%s %s %s\n' "$2" "$GO_VERSION" "$sum"
}

# needs_build <binary> <stamp>: true when the binary is missing or stale.
needs_build() {
  [[ "${FORCE:-0}" == 1 ]] && return 0
  [[ -x "$BIN/$1" && -f "$BIN/$1.stamp" ]] || return 0
  [[ "$(cat "$BIN/$1.stamp")" != "$2" ]]
}

# build_group <tools-subdir> <component-version> <ldflags> <bin=pkg>...
# Builds all stale binaries of one tools module in a single `go build` so
# shared packages compile once.
build_group() {
  local dir="$1" version="$2" ldflags="$3"; shift 3
  local st pkgs=() names=() spec
  st="$(stamp "$dir" "$version")"
  for spec in "$@"; do
    if needs_build "${spec%%=*}" "$st"; then
      names+=("${spec%%=*}"); pkgs+=("${spec#*=}")
    else
      log "${spec%%=*}: up to date ($version)"
    fi
  done
  ((${#pkgs[@]})) || return 0
  local t0=$SECONDS tmp
  tmp="$(mktemp -d "$BIN/.build.XXXXXX")"
  log "building ${names[*]} ($version) ..."
  (cd "$TOOLS/$dir" && go build -p "${GO_BUILD_P:-2}" -trimpath -ldflags "$ldflags" -o "$tmp/" "${pkgs[@]}")
  local i name pkg out
  for i in "${!pkgs[@]}"; do
    name="${names[$i]}"; pkg="${pkgs[$i]}"
    # go names a command after its last path element, skipping a /vN suffix.
    out="${pkg##*/}"
    [[ "$out" =~ ^v[0-9]+$ ]] && { out="${pkg%/*}"; out="${out##*/}"; }
    mv -f "$tmp/$out" "$BIN/$name"
    echo "$st" > "$BIN/$name.stamp"
  done
  rmdir "$tmp"
  log "built ${names[*]} in $((SECONDS - t0))s"
}

build_kubernetes() {
  local minor="${KUBE_VERSION#v1.}"; minor="${minor%%.*}"
  local ld="-s -w" p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    ld+=" -X $p.gitTreeState=clean -X $p.buildDate=2026-01-01T00:00:00Z"
  done
  # The apiserver is on the critical path of everything else: build it alone first.
  build_group kubernetes "$KUBE_VERSION" "$ld" kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver
  build_group kubernetes "$KUBE_VERSION" "$ld" \
    kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager \
    kube-scheduler=k8s.io/kubernetes/cmd/kube-scheduler \
    kubectl=k8s.io/kubernetes/cmd/kubectl
}

build_etcd() {
  build_group etcd "$ETCD_VERSION" "-s -w" \
    etcd=go.etcd.io/etcd/server/v3 etcdctl=go.etcd.io/etcd/etcdctl/v3
}

build_helm() {
  local v="helm.sh/helm/v4/internal/version"
  build_group helm "$HELM_VERSION" "-s -w -X $v.version=$HELM_VERSION -X $v.gitTreeState=clean" \
    helm=helm.sh/helm/v4/cmd/helm
}

build_kind() {
  build_group kind "$KIND_VERSION" "-s -w" kind=sigs.k8s.io/kind
}

components=("$@")
((${#components[@]})) || components=(kubernetes etcd helm kind)
for c in "${components[@]}"; do
  case "$c" in
    kubernetes|etcd|helm|kind) "build_$c" ;;
    *) echo "unknown component: $c" >&2; exit 2 ;;
  esac
done

log "versions:"
for b in kube-apiserver kube-controller-manager kube-scheduler kubectl etcd etcdctl helm kind; do
  [[ -x "$BIN/$b" ]] || { printf '  %-24s (not built)\n' "$b"; continue; }
  case "$b" in
    kubectl) v="$("$BIN/$b" version --client 2>/dev/null | sed -n 1p || true)" ;;
    helm)    v="$("$BIN/$b" version --short 2>/dev/null || true)" ;;
    kind)    v="$("$BIN/$b" version 2>/dev/null || true)" ;;
    etcdctl) v="$("$BIN/$b" version 2>/dev/null | sed -n 1p || true)" ;;
    *)       v="$("$BIN/$b" --version 2>/dev/null | sed -n 1p || true)" ;;
  esac
  printf '  %-24s %s\n' "$b" "$v"
done
log "done in $((SECONDS - START_ALL))s; binaries in $BIN"
