#!/usr/bin/env bash
# Retrains the shipped English model (data/ner-en.model) exactly as committed.
#
#   plugins/entity/train.sh <build-dir> [out-model]          # final model (uses the epochs below)
#   plugins/entity/train.sh <build-dir> --select              # the selection runs that chose them
#
# Needs the build's docanalysis-ner-train and docanalysis-word-clusters, Debian iso-codes and
# wamerican, npm (for the pinned gazetteer and word-vector packages), and the CoNLL-2003 files under
# $DOCANALYSIS_SHARED_DIR/eval/ner (default: ../shared beside the checkout).
#
# Procedure (eng.testb is never used for a choice; it is only reported):
#  0. word clusters: k-means (2048 / 256 / 32 nested clusters) over the 341,479 words of the pinned
#     GloVe-derived vectors (gazetteers/fetch_vectors.sh), deterministic; embedded in the model.
#     Chosen on eng.testa (cased / caseless stage-2 F1, epochs 17,16 / 14,11): no clusters 93.44 /
#     89.71; 1024 clusters 93.71 / 90.94, with cluster bigrams 93.83 / 91.09; 2048 94.17 / 91.15;
#     4000 94.27 / 91.14 (a tie within noise: the smaller kept).
#  1. --select: train on eng.train, choose each stage's epoch count (at most 25 cased, 15 caseless)
#     and the confidence scale on eng.testa. With the clusters these runs chose cased 8 / 10
#     (eng.testa 94.03), below the previous round's 17 / 16 (94.17, above), so 17 / 16 are kept;
#     caseless 15 / 15 (91.26, over 91.15 for 14 / 11); scales 0.10 and 0.05.
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
"$HERE/gazetteers/fetch_vectors.sh" "$GAZ"
TRAINER=$(find "$BUILD" -name docanalysis-ner-train -type f -perm -u+x | head -1)
[[ -x $TRAINER ]] || { echo "train.sh: no docanalysis-ner-train in $BUILD" >&2; exit 1; }
CLUSTERER=$(find "$BUILD" -name docanalysis-word-clusters -type f -perm -u+x | head -1)
[[ -x $CLUSTERER ]] || { echo "train.sh: no docanalysis-word-clusters in $BUILD" >&2; exit 1; }
if [[ ! -s $GAZ/clusters-2048-256-32.tsv ]]; then
  "$CLUSTERER" --vectors "$GAZ/vectors.txt" --out "$GAZ/clusters-2048-256-32.tsv.tmp" --k 2048,256,32 --iterations 20 \
    --seed 20030531 --drop_components 2
  mv "$GAZ/clusters-2048-256-32.tsv.tmp" "$GAZ/clusters-2048-256-32.tsv"
fi
GAZETTEERS=(
  --gazetteer LOC_COUNTRY="$GAZ/countries.txt"
  --gazetteer LOC_REGION="$GAZ/regions.txt"
  --gazetteer LOC_CITY="$GAZ/cities.txt"
  --gazetteer LANGUAGE="$GAZ/languages.txt"
  --gazetteer PER_FIRST="$GAZ/first_names.txt"
  --gazetteer DICT_LOWER="$GAZ/dict_lower.txt"
  --gazetteer DICT_PROPER="$GAZ/dict_proper.txt"
  --gazetteer NATIONALITY="$GAZ/nationalities.txt"
  --clusters "$GAZ/clusters-2048-256-32.tsv"
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
  "${COMMON[@]}" --epochs 15 --fixed_epochs 15,15 --confidence_scale 0.05 --seeds 4
