#!/usr/bin/env bash
# The Node client's suite: npm ci (versions from package-lock.json), generate the message types from the .proto,
# compile, and run `node --test` against DOCANALYSIS_TARGET, or against a server the suite starts
# (DOCANALYSIS_SERVER, DOCANALYSIS_PLUGIN_DIR; defaults under <repo>/build). Then packs the package (npm pack),
# installs the tarball into a scratch project and runs the packed-artefact test against it.
set -euo pipefail
cd "$(dirname "$0")"
exec 9>.build.lock
flock 9
npm ci --no-audit --no-fund
exec 9>&-
npm test
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
tarball=$(npm pack --silent --pack-destination "$scratch" | tail -1)
(cd "$scratch" && npm init -y >/dev/null && npm install --no-audit --no-fund --prefer-offline "./$tarball" >/dev/null)
DOCANALYSIS_PACKED_DIR="$scratch" node --test --test-concurrency=1 dist/test/packed.test.js
