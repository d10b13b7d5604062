#!/usr/bin/python3
"""Scores the entity model on an inline-annotated dev set (plugins/entity/devsets/*.txt), per group and per type.

Each non-comment line is one document with entities marked `[TYPE text]`; `# group: NAME` lines start a group.
Every document is tagged on its own by `docanalysis-ner-train --eval MODEL --tag FILE` (the plugin's Model::Tag path,
host segmenter) and scored by exact span and type.

    /usr/bin/python3 tools/eval/entity_devset.py --trainer <build>/plugin-build/entity/docanalysis-ner-train \\
        --model plugins/entity/data/ner-en.model --data plugins/entity/devsets/social_headlines.txt [--errors]
"""
import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile

MARK = re.compile(r"\[(PER|LOC|ORG|MISC) ([^\]]+)\]")


def parse(path):
    group, docs = "default", []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("# group:"):
            group = line[len("# group:"):].strip().split(" (")[0]
            continue
        if not line.strip() or line.startswith("#"):
            continue
        text, spans, pos = b"", set(), 0
        for m in MARK.finditer(line):
            text += line[pos:m.start()].encode()
            begin = len(text)
            text += m.group(2).encode()
            spans.add((begin, len(text), m.group(1)))
            pos = m.end()
        text += line[pos:].encode()
        docs.append((group, text, spans))
    return docs


def tag(trainer, model, text, folder, extra=()):
    path = os.path.join(folder, "doc.txt")
    with open(path, "wb") as f:
        f.write(text + b"\n")
    out = subprocess.run([trainer, "--eval", model, "--tag", path, *extra], capture_output=True, text=True, check=True).stdout
    found = set()
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3:
            found.add((int(parts[0]), int(parts[1]), parts[2]))
    return found


def prf(c):
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
    return 100 * p, 100 * r, (200 * p * r / (p + r) if p + r else 0.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trainer", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--errors", action="store_true", help="print every false positive and false negative")
    ap.add_argument("--trainer_arg", action="append", default=[],
                    help="extra argument for the trainer's --tag run, e.g. --trainer_arg=--title_case=cased")
    args = ap.parse_args()
    counts = collections.defaultdict(lambda: collections.Counter())
    with tempfile.TemporaryDirectory() as folder:
        for group, text, gold in parse(args.data):
            pred = tag(args.trainer, args.model, text, folder, args.trainer_arg)
            for key in ("all", "group " + group):
                counts[key]["tp"] += len(pred & gold)
                counts[key]["fp"] += len(pred - gold)
                counts[key]["fn"] += len(gold - pred)
            for t in ("PER", "LOC", "ORG", "MISC"):
                g = {s for s in gold if s[2] == t}
                p = {s for s in pred if s[2] == t}
                counts["type " + t]["tp"] += len(p & g)
                counts["type " + t]["fp"] += len(p - g)
                counts["type " + t]["fn"] += len(g - p)
            if args.errors:
                for b, e, t in sorted(pred - gold):
                    print(f"FP {t:4} {text[b:e].decode()!r:30} | {text.decode()}")
                for b, e, t in sorted(gold - pred):
                    print(f"FN {t:4} {text[b:e].decode()!r:30} | {text.decode()}")
    print(f"{'':32} {'P':>6} {'R':>6} {'F1':>6} {'gold':>5}")
    for key in sorted(counts, key=lambda k: (k != "all", k)):
        c = counts[key]
        p, r, f = prf(c)
        print(f"{key:32} {p:6.2f} {r:6.2f} {f:6.2f} {c['tp'] + c['fn']:5d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
