#!/usr/bin/env bash
# Offline validation of the Kubernetes manifests: renders deploy/k8s/base and every overlay with the kustomize
# library, decodes each object strictly into the k8s.io/api types, checks that the objects agree with each other
# (deploy/k8s/validate), checks deploy/docker/Dockerfile with BuildKit's parser and linter and against the
# manifests, and has HAProxy parse the proxy's configuration. No cluster and no Docker engine are needed.
#   deploy/k8s/test.sh
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v go >/dev/null 2>&1; then
  echo "k8s: Go is needed (the validation is a Go test)" >&2
  exit 1
fi
export GOTOOLCHAIN=local GOFLAGS=-mod=readonly
(cd validate && go mod download && go vet ./... && go test -count=1 -v ./...)

# The proxy's HAProxy configuration, with the environment its Deployment gives it.
if ! command -v haproxy >/dev/null 2>&1 && [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends haproxy >/dev/null
fi
if command -v haproxy >/dev/null 2>&1; then
  POD_NAMESPACE=docanalysis CLUSTER_DOMAIN=cluster.local BACKEND_SERVICE=docanalysis-headless BACKEND_PORT=50051 BACKEND_HTTP_PORT=8080 \
    haproxy -c -q -f base/proxy-haproxy.cfg
  echo "k8s: base/proxy-haproxy.cfg parses (haproxy -c)"
else
  echo "k8s: haproxy not installed; proxy configuration not parsed" >&2
  exit 1
fi
echo "k8s: manifests valid"
