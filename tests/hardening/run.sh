#!/usr/bin/env bash
# The hardening suite (pytest) against the real server binary: flags, honest health, admin surface,
# hostile inputs, cancellation, faults under load, TLS and mTLS with the Python and Go clients, and
# grpcurl. Installs what it needs: a virtual environment with grpcio, grpcio-tools, pytest and the
# Python client; grpcurl from the Go module proxy.
#   tests/hardening/run.sh [pytest args]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${DOCANALYSIS_HARDENING_VENV:-/tmp/docanalysis-venvs/hardening}
tools=${DOCANALYSIS_TOOLS_DIR:-/tmp/docanalysis-tools}
if [[ ! -x "$venv/bin/python" ]]; then
  mkdir -p "$(dirname "$venv")"
  "${PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check "pytest>=7" "grpcio>=1.60" "grpcio-tools>=1.60"
"$venv/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$root/clients/python"
rm -rf "$root/clients/python/build"
if [[ ! -x "$tools/bin/grpcurl" ]]; then
  (cd /tmp && GOBIN="$tools/bin" go install github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.3)
fi
export GRPCURL="$tools/bin/grpcurl"
cd "$here"
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$here" "$@"
