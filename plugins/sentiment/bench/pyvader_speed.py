"""Texts per second of pip's vaderSentiment 3.3.2 (the Python reference) on VADER's human-rated sets.

Run by compare_vader_speed.sh inside a throwaway venv. Scores every text once to warm up, then
times whole passes over all texts for at least --seconds (wall); prints one JSON line with
rates per CPU second (comparable with Google Benchmark's items_per_second) and per wall second.
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
start, cpu_start = time.perf_counter(), time.process_time()
while time.perf_counter() - start < args.seconds:
    for t in texts:
        analyzer.polarity_scores(t)
    done += len(texts)
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
# texts_per_second is per CPU second, as Google Benchmark's items_per_second is.
print(json.dumps({"texts": done, "wall_seconds": round(elapsed, 3), "cpu_seconds": round(cpu, 3),
                  "texts_per_second": round(done / cpu, 1), "texts_per_wall_second": round(done / elapsed, 1)}))
