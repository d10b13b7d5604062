#!/usr/bin/env python3
"""Instruction-count regression guard.

Counts the instructions per document of the text pipeline, of each plugin alone and of the whole
in-process service on a fixed set of articles (the first 20 CNN/DailyMail articles of
../shared/eval), with `valgrind --tool=callgrind`, which counts the same whatever else the machine
is doing. Compares each phase with the committed baseline (bench/instr_baseline.json) and fails
when one rose by more than 10%.

    bench/instr_guard.py --build build            # check (CI: scripts/test.sh suite "instr")
    bench/instr_guard.py --build build --update   # after an intended change: rewrite the baseline

A phase that got cheaper by more than 10% passes with a note to update the baseline, so that the
guard keeps guarding the new level.
"""
import argparse, glob, json, os, re, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.realpath(__file__))
ROOT = os.path.dirname(HERE)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.environ.get("DOCANALYSIS_BUILD_DIR", os.path.join(ROOT, "build")))
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(ROOT), "shared"))
    ap.add_argument("--baseline", default=os.path.join(HERE, "instr_baseline.json"))
    ap.add_argument("--tolerance", type=float, default=0.10)
    ap.add_argument("--documents", type=int, default=20)
    ap.add_argument("--update", action="store_true", help="write the measured counts as the new baseline")
    a = ap.parse_args()

    if not shutil.which("valgrind"):
        print("instr-guard: valgrind is not installed (apt-get install valgrind; scripts/setup.sh does)")
        return 1
    binary = os.path.join(a.build, "bench", "docanalysis-instr-count")
    corpus_rel = "eval/summary/cnndm_frank_test.jsonl"
    corpus = os.path.join(a.shared, corpus_rel)
    for path, what in [(binary, "the workload binary (build the bench targets)"), (corpus, "the articles")]:
        if not os.path.exists(path):
            print(f"instr-guard: no {what} at {path}")
            return 1

    out = tempfile.mkdtemp(prefix="instr-guard-")
    try:
        cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--collect-atstart=no",
               f"--callgrind-out-file={out}/cg.out", binary, "--plugin_dir", os.path.join(a.build, "plugins"),
               "--corpus", corpus, "--documents", str(a.documents)]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        if r.returncode != 0:
            print(r.stdout[-2000:] + r.stderr[-2000:])
            print(f"instr-guard: the workload failed (exit {r.returncode})")
            return 1
        docs = int(re.search(r"documents (\d+)", r.stdout).group(1))
        counts = {}
        for f in glob.glob(os.path.join(out, "cg.out*")):
            text = open(f, errors="replace").read()
            m = re.search(r"^desc: Trigger: Client Request: (\S+)", text, re.M)
            t = re.search(r"^(?:totals|summary): (\d+)", text, re.M)
            if m and t:
                counts[m.group(1)] = int(t.group(1)) / docs
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if not counts:
        print("instr-guard: callgrind wrote no phase dumps")
        return 1

    if a.update:
        json.dump({"corpus": corpus_rel, "documents": docs,
                   "note": "instructions per document, valgrind --tool=callgrind, Release build; "
                           "bench/instr_guard.py --update rewrites this file",
                   "instructions_per_document": {k: round(v) for k, v in sorted(counts.items())}},
                  open(a.baseline, "w"), indent=2)
        open(a.baseline, "a").write("\n")
        for k, v in sorted(counts.items()):
            print(f"{k:12s} {v:14,.0f} instructions per document")
        print(f"instr-guard: baseline written to {a.baseline}")
        return 0

    base = json.load(open(a.baseline))
    if base.get("documents") != docs:
        print(f"instr-guard: the baseline is for {base.get('documents')} documents, this run used {docs}")
        return 1
    ref = base["instructions_per_document"]
    passed = failed = 0
    print(f"{'phase':12s} {'baseline':>14s} {'now':>14s} {'change':>8s}")
    for k in sorted(set(ref) | set(counts)):
        if k not in counts:
            print(f"{k:12s} {ref[k]:14,.0f} {'-':>14s}   not run (plugin gone? update the baseline)")
            continue
        if k not in ref:
            print(f"{k:12s} {'-':>14s} {counts[k]:14,.0f}   new phase, no baseline (update the baseline)")
            continue
        change = counts[k] / ref[k] - 1
        verdict = "FAIL" if change > a.tolerance else "ok"
        note = "  (cheaper: update the baseline to keep the gain)" if change < -a.tolerance else ""
        print(f"{k:12s} {ref[k]:14,.0f} {counts[k]:14,.0f} {change:+8.1%}  {verdict}{note}")
        if change > a.tolerance:
            failed += 1
        else:
            passed += 1
    if failed:
        print(f"instr-guard: {failed} phase(s) rose more than {a.tolerance:.0%} over bench/instr_baseline.json; "
              "make them cheaper again, or if the cost is intended run bench/instr_guard.py --update and say why "
              "in the commit")
    print(f"instr-guard: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
