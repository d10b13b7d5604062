#!/usr/bin/env bash
# Retrains plugins/syntax/data/syntax-en.model from UD English-EWT (../shared/eval/syntax) with the
# flags of the shipped model, then prints the dev and test scores (gold words and end to end).
# Deterministic: the same data and flags give the same model bytes (compare with sha256sum).
#   plugins/syntax/train.sh                  # BUILD_DIR=build, writes the model in place
#   OUT=/tmp/syntax.model plugins/syntax/train.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build}
DATA=${DATA:-$(cd .. && pwd)/shared/eval/syntax}
OUT=${OUT:-plugins/syntax/data/syntax-en.model}
cmake --build "$BUILD_DIR" --target docanalysis-syntax-train -j2
nice "$BUILD_DIR/syntax/docanalysis-syntax-train" \
  --train "$DATA/en_ewt-ud-train.conllu.gz" \
  --dev "$DATA/en_ewt-ud-dev.conllu" \
  --test "$DATA/en_ewt-ud-test.conllu" \
  --out "$OUT" \
  --tagger_epochs 7 --parser_epochs 10 --folds 3 --prune 0.1 --seed 20181231 --feature_hash 2
sha256sum "$OUT"
