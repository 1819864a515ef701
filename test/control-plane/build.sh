#!/usr/bin/env bash
# Builds the local control plane's programs from the Go module proxy, once:
# kube-apiserver, kube-controller-manager, kube-scheduler and kubectl
# (k8s.io/kubernetes), etcd (go.etcd.io/etcd/server/v3) and kwok
# (sigs.k8s.io/kwok), at the versions go.mod and go.sum pin.
#
# The binaries go to a cache outside the repository, one folder per key: the
# hash of go.mod, go.sum, the main packages, this script and `go version`. A
# second run with the same inputs builds nothing (scripts/build-cache.sh: built
# in place behind a lock, marked complete last). Also in the folder: kwok's
# stages and the CRDs of the other APIs the examples use (crds/). The last line
# on stdout is the folder holding the binaries (and kwok's stage configuration).
#
# Needs: go 1.26+, curl, unzip, sha256sum.
#
#   CDK8S_AGENTS_CACHE_DIR  cache root (default: $XDG_CACHE_HOME/cdk8s-agents
#                           or ~/.cache/cdk8s-agents)
#
# Exit status: 0 built or cached; 3 no usable Go toolchain; 1 the build failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

if ! command -v go >/dev/null 2>&1; then
  echo "control-plane build: no Go toolchain on PATH (go 1.26 or newer is needed to build the control plane)" >&2
  exit 3
fi
go_version=$(GOTOOLCHAIN=local go env GOVERSION)
case "$go_version" in
  go1.2[6-9]* | go1.[3-9][0-9]*) ;;
  *)
    echo "control-plane build: $go_version is too old (go.mod needs go 1.26 or newer)" >&2
    exit 3
    ;;
esac

# The versions, read from go.mod: what kubectl version and the logs report.
k8s_version=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ { print $2; exit }' go.mod)
minor=$(echo "$k8s_version" | cut -d. -f2)
pkg=k8s.io/component-base/version
client=k8s.io/client-go/pkg/version
ldflags="-s -w"
for p in "$pkg" "$client"; do
  ldflags="$ldflags -X $p.gitVersion=$k8s_version -X $p.gitMajor=1 -X $p.gitMinor=$minor"
  ldflags="$ldflags -X $p.gitTreeState=clean -X $p.gitCommit=0000000000000000000000000000000000000000"
  ldflags="$ldflags -X $p.buildDate=1970-01-01T00:00:00Z"
done

key=$(
  {
    cat go.mod go.sum build.sh
    find cmd -name '*.go' | LC_ALL=C sort | xargs cat
    echo "$go_version $(go env GOOS GOARCH)"
  } | sha256sum | cut -c1-16
)
. "$here/../../scripts/build-cache.sh"
build_cache_open control-plane "$k8s_version-$key" "control-plane build"
out=$build_cache_out
echo "control-plane build: building Kubernetes $k8s_version, etcd and kwok with $go_version (a cold build takes several minutes) ..." >&2
# -mod=readonly: go.sum must already hold every module (nothing resolved anew);
# GOTOOLCHAIN=local: build with the installed Go, download no toolchain;
# -buildvcs=false: the binaries do not depend on the state of this checkout.
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false"
go build -trimpath -ldflags "$ldflags" -o "$out/" ./cmd/... sigs.k8s.io/kwok/cmd/kwok

# kwok moves pods and nodes through stages it is given: the node and pod
# stages kwok ships (node ready with heartbeat, pod running at once).
kwok_dir=$(go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
for stage in node/fast node/heartbeat pod/fast; do
  for f in "$kwok_dir/kustomize/stage/$stage"/*.yaml; do
    echo "---"
    cat "$f"
  done
done > "$out/kwok-stages.yaml"

# The CRDs of the example objects that are not Kubernetes' own: the
# ServiceMonitor of prometheus-operator, from its module zip on the Go module
# proxy, pinned by version and sha256.
po_module=github.com/prometheus-operator/prometheus-operator
po_version=v0.85.0
po_sha256=0bdb88ed823d0f2e86cf909638439b6ad1da744a228172c7411d9987527dc5d1
proxy=$(go env GOPROXY | tr ',|' '\n\n' | grep -m1 '^https\?://' || echo https://proxy.golang.org)
curl -fsSL --retry 3 --max-time 300 -o "$out/po.zip" "$proxy/$po_module/@v/$po_version.zip"
echo "$po_sha256  $out/po.zip" | sha256sum -c --quiet
mkdir -p "$out/crds"
unzip -p "$out/po.zip" "$po_module@$po_version/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml" \
  > "$out/crds/monitoring.coreos.com_servicemonitors.yaml"
rm "$out/po.zip"

for bin in kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok; do
  test -x "$out/$bin" || { echo "control-plane build: $bin was not built" >&2; exit 1; }
done
build_cache_close "control-plane build" built
