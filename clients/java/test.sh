#!/usr/bin/env bash
# The Java client's suite: Maven resolves the dependencies (into ~/.m2), generates the stubs from
# protos/ and runs the JUnit 5 tests against a live server: DOCANALYSIS_TARGET when set, else the server
# it starts from DOCANALYSIS_SERVER / DOCANALYSIS_PLUGIN_DIR (default <repo>/build/...).
set -euo pipefail
cd "$(dirname "$0")"
# verify: the unit and live tests (surefire), then the packaged jars and the *IT tests against them (failsafe).
exec mvn -B -ntp verify "$@"
