#!/usr/bin/env bash
# The plugin SDK end to end, as a third party lives it: installs the SDK and the server to a temporary prefix
# (cmake --install), builds the three example plugins out of tree against it (examples/plugins/*/build.sh),
# runs docanalysis-plugin-check on them and on every built-in plugin, drops them into a running server's plugin
# folder (no restart) and checks their results from each client's CLI.
#   tests/sdk/run.sh [pytest args]
# Uses DOCANALYSIS_BUILD_DIR (default <repo>/build). SDK_E2E_CLIENTS picks the clients (default: every client
# with a CLI under clients/*/bin); SDK_E2E_CYCLES the checker's load/unload cycles (default 1000).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=${DOCANALYSIS_SDK_TEST_VENV:-/tmp/docanalysis-venvs/sdk}
if [[ ! -x "$venv/bin/python" ]]; then
  mkdir -p "$(dirname "$venv")"
  "${PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check "pytest>=7"
cd "$here"
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$here" "$@"
