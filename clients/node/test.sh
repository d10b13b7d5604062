#!/usr/bin/env bash
# The Node client's suite: npm ci (exact versions from package-lock.json), generate the message types from the
# .proto, compile, and run `node --test` against DOCANALYSIS_TARGET, or against a server the suite starts
# (DOCANALYSIS_SERVER, DOCANALYSIS_PLUGIN_DIR; defaults under <repo>/build).
set -euo pipefail
cd "$(dirname "$0")"
exec 9>.build.lock
flock 9
npm ci --no-audit --no-fund
exec 9>&-
npm test
