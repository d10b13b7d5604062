"""Summarises compare_vader_speed.sh rounds (one JSON object per line on stdin): per-round and median
texts per CPU second of Python vaderSentiment and of each C++ benchmark, and their ratios."""
import json
import statistics
import sys

rounds = [json.loads(line) for line in sys.stdin if line.strip()]
names = [b["name"] for b in rounds[0]["cpp"]]
for i, r in enumerate(rounds, 1):
    py = r["py"]["texts_per_second"]
    cells = "  ".join("%s %.0f (%.1fx)" % (b["name"], b["items_per_second"], b["items_per_second"] / py) for b in r["cpp"])
    print("round %d: python %.0f texts/s | %s" % (i, py, cells))
py = statistics.median(r["py"]["texts_per_second"] for r in rounds)
print("median python vaderSentiment 3.3.2: %.0f texts/s" % py)
for name in names:
    rates = [b["items_per_second"] for r in rounds for b in r["cpp"] if b["name"] == name]
    ratios = [b["items_per_second"] / r["py"]["texts_per_second"] for r in rounds for b in r["cpp"] if b["name"] == name]
    print("median C++ %-20s %10.0f texts/s  %5.1fx python (per round: %s)"
          % (name, statistics.median(rates), statistics.median(ratios), ", ".join("%.1f" % x for x in ratios)))
