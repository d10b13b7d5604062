#!/usr/bin/env bash
# Retrains the shipped English model (data/ner-en.model) exactly as committed.
#
#   plugins/entity/train.sh <build-dir> [out-model]          # final model (uses the epochs below)
#   plugins/entity/train.sh <build-dir> --select              # the selection runs that chose them
#
# Needs the build's docanalysis-ner-train (target docanalysis-ner-train), Debian iso-codes and
# wamerican, npm (for the pinned gazetteer packages), and the CoNLL-2003 files under
# $DOCANALYSIS_SHARED_DIR/eval/ner (default: ../shared beside the checkout).
#
# Procedure (eng.testb is never used for a choice; it is only reported):
#  1. --select: train on eng.train, choose each stage's epoch count (at most 25 cased, 15 caseless)
#     and the confidence scale on eng.testa. These runs chose: cased 17 / 16 epochs, scale 0.10;
#     caseless 14 / 11 epochs, scale 0.05.
#  2. final: train on eng.train + eng.testa with those fixed epoch counts (no selection), the cased
#     regime with 8 averaged perceptrons (seeds), then the caseless regime (the same data
#     lower-cased, for text written all in lower case or all in capitals) added to the same file.
# Deterministic: same inputs, same bytes.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:?usage: train.sh <build-dir> [out-model | --select]}
OUT=${2:-$HERE/data/ner-en.model}
SHARED=${DOCANALYSIS_SHARED_DIR:-$HERE/../../../shared}
NER=$SHARED/eval/ner
GAZ=${GAZ_DIR:-/tmp/docanalysis-ner-gazetteers}
"$HERE/gazetteers/fetch.sh" "$GAZ"
TRAINER=$(find "$BUILD" -name docanalysis-ner-train -type f -perm -u+x | head -1)
[[ -x $TRAINER ]] || { echo "train.sh: no docanalysis-ner-train in $BUILD" >&2; exit 1; }
GAZETTEERS=(
  --gazetteer LOC_COUNTRY="$GAZ/countries.txt"
  --gazetteer LOC_REGION="$GAZ/regions.txt"
  --gazetteer LOC_CITY="$GAZ/cities.txt"
  --gazetteer LANGUAGE="$GAZ/languages.txt"
  --gazetteer PER_FIRST="$GAZ/first_names.txt"
  --gazetteer DICT_LOWER="$GAZ/dict_lower.txt"
  --gazetteer DICT_PROPER="$GAZ/dict_proper.txt"
  --gazetteer NATIONALITY="$GAZ/nationalities.txt"
)
COMMON=(--stages 2 --folds 4 --seed 20030531)
CASED=$(mktemp /tmp/ner-cased.XXXXXX.model)
trap 'rm -f "$CASED"' EXIT

if [[ $OUT == --select ]]; then
  echo "== selection, cased regime (train: eng.train, dev: eng.testa)" >&2
  "$TRAINER" --train "$NER/eng.train" --dev "$NER/eng.testa" --test "$NER/eng.testb" --out "$CASED" \
    "${COMMON[@]}" --epochs 25 --seeds 4 "${GAZETTEERS[@]}"
  echo "== selection, caseless regime" >&2
  "$TRAINER" --caseless --base "$CASED" --train "$NER/eng.train" --dev "$NER/eng.testa" --test "$NER/eng.testb" \
    --out /dev/null "${COMMON[@]}" --epochs 15 --seeds 4
  exit 0
fi

echo "== final, cased regime (train: eng.train + eng.testa, fixed epochs)" >&2
"$TRAINER" --train "$NER/eng.train,$NER/eng.testa" --dev "$NER/eng.testa" --test "$NER/eng.testb" --out "$CASED" \
  "${COMMON[@]}" --epochs 25 --fixed_epochs 17,16 --confidence_scale 0.10 --seeds 8 "${GAZETTEERS[@]}"
echo "== final, caseless regime" >&2
"$TRAINER" --caseless --base "$CASED" \
  --train "$NER/eng.train,$NER/eng.testa" --dev "$NER/eng.testa" --test "$NER/eng.testb" --out "$OUT" \
  "${COMMON[@]}" --epochs 15 --fixed_epochs 14,11 --confidence_scale 0.05 --seeds 4
