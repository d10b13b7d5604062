#!/usr/bin/env bash
# Cross-language conformance: every client's CLI (clients/<lang>/bin/docanalysis-<lang>) analyzes the same
# documents against one server; their canonical results must agree and their offsets must slice the text in each
# client's native encoding. Uses DOCANALYSIS_TARGET, or starts DOCANALYSIS_SERVER (default
# <repo>/build/service/docanalysis-server) with DOCANALYSIS_PLUGIN_DIR (default <repo>/build/plugins).
#   tests/conformance/run.sh [pytest args]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=${DOCANALYSIS_CONFORMANCE_VENV:-/tmp/docanalysis-venvs/conformance}
if [[ ! -x "$venv/bin/python" ]]; then
  mkdir -p "$(dirname "$venv")"
  "${PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check "pytest>=7"
cd "$here"
exec "$venv/bin/python" -m pytest -q -c "$here/pytest.ini" "$here" "$@"
