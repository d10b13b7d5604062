#!/usr/bin/env bash
# The HTTP/JSON edge and the web page against the real server (DOCANALYSIS_SERVER, DOCANALYSIS_PLUGIN_DIR;
# defaults under <repo>/build): schemathesis (PyPI) checks protos/openapi.yaml against the running server, and
# Debian's headless Chromium, driven by playwright-core (npm), uses the page. Screenshots go to
# DOCANALYSIS_BUILD_DIR (default <repo>/build): http-page.png, http-page-narrow.png and http-page-tree.png.
#   tests/http/run.sh [pytest args]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=${DOCANALYSIS_HTTP_TEST_VENV:-/tmp/docanalysis-venvs/http}
if [[ ! -x "$venv/bin/python" ]]; then
  mkdir -p "$(dirname "$venv")"
  "${PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check "pytest>=7" "schemathesis==4.32.5"
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null 2>&1; then
  echo "tests/http: no Chromium at ${CHROMIUM:-/usr/bin/chromium} (scripts/setup.sh installs Debian's chromium)" >&2
  exit 1
fi
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
export SCHEMATHESIS_BIN="$venv/bin/st"
cd "$here"
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$here/test_http.py" "$@"
