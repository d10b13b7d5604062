"""Texts per second of pip's vaderSentiment 3.3.2 (the Python reference) on VADER's human-rated sets.

Run by compare_vader_speed.sh inside a throwaway venv. Scores every text once to warm up, then
times whole passes over all texts for at least --seconds; prints one JSON line.
"""
import argparse
import json
import os
import time

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

ap = argparse.ArgumentParser()
ap.add_argument("--data", required=True)
ap.add_argument("--seconds", type=float, default=10.0)
args = ap.parse_args()

texts = [x["text"] for x in json.load(open(args.data, encoding="utf-8"))]
analyzer = SentimentIntensityAnalyzer()
for t in texts[:1000]:
    analyzer.polarity_scores(t)
done = 0
start = time.perf_counter()
while time.perf_counter() - start < args.seconds:
    for t in texts:
        analyzer.polarity_scores(t)
    done += len(texts)
elapsed = time.perf_counter() - start
print(json.dumps({"texts": done, "seconds": round(elapsed, 3), "texts_per_second": round(done / elapsed, 1)}))
