#!/usr/bin/env python3
"""Soak test (not in CI): a server under 70% of its peak throughput for a long run, with a mix of
ordinary articles (CNN/DailyMail from ../shared/eval) and hostile documents (deep HTML nesting,
runs of one character, URL- and e-mail-like fragments). Reports errors by status code, latency
percentiles and the server's resident memory growth.

    tools/soak/soak.py --minutes 10                 # starts build/service/docanalysis-server itself
    tools/soak/soak.py --target 127.0.0.1:50051 --server-pid 1234 --minutes 10

Measures the peak first (closed loop, 8 concurrent calls, 20 s), then sends at 70% of that rate
(open loop: each call starts at its scheduled time, latency measured from that time)."""
import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "hardening"))
import conftest  # noqa: E402  (stubs and the server launcher of the hardening suite)
import grpc  # noqa: E402

pb, pb_grpc = conftest.pb, conftest.pb_grpc


def corpus(n_articles=200):
    path = os.path.join(ROOT, "..", "shared", "eval", "summary", "cnndm_frank_test.jsonl")
    docs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            text = row.get("article") or row.get("text") or row.get("document")
            if text:
                docs.append((text, False))
            if len(docs) >= n_articles:
                break
    kb = 1 << 10
    hostile = [("<div>" * (64 * kb // 5), True), ("<table><tr><td>" * (64 * kb // 15), True),
               ("a_" * (64 * kb), False), ("http://a.b/" + ")" * (128 * kb), False), ("A. " * (40 * kb), False),
               ("\U0001F600\u200d" * (16 * kb), False), ("&amp" * (32 * kb), True), ("x@y." * (32 * kb), False)]
    return docs, hostile


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def percentile(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100.0 * len(xs)))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target")
    ap.add_argument("--server-pid", type=int)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--load", type=float, default=0.7, help="fraction of the measured peak (default 0.7)")
    ap.add_argument("--hostile", type=float, default=0.1, help="fraction of hostile documents (default 0.1)")
    ap.add_argument("--json", help="write the figures here as JSON")
    args = ap.parse_args()
    server = None
    if not args.target:
        server = conftest.Server(conftest.PLUGINS, "--max_queued=256")
        args.target, args.server_pid = server.target, server.proc.pid
    stub = pb_grpc.DocumentAnalysisStub(grpc.insecure_channel(args.target))
    docs, hostile = corpus()
    rnd = random.Random(7)

    def pick():
        if rnd.random() < args.hostile:
            text, html = rnd.choice(hostile)
        else:
            text, html = rnd.choice(docs)
        return conftest.request(text, ("entities", "sentiment", "summary"), html=html)

    # Peak: closed loop, 8 in flight, 20 s.
    done = [0]
    stop = time.monotonic() + 20
    def closed():
        while time.monotonic() < stop:
            try:
                stub.Analyze(pick(), timeout=30)
            except grpc.RpcError:
                pass
            done[0] += 1
    with ThreadPoolExecutor(8) as ex:
        for _ in range(8):
            ex.submit(closed)
    peak = done[0] / 20.0
    rate = peak * args.load
    print(f"soak: peak {peak:.1f} calls/s; running {args.minutes:g} min at {rate:.1f} calls/s "
          f"({args.load:.0%}), {args.hostile:.0%} hostile", flush=True)

    codes, latencies, lock = {}, [], threading.Lock()
    rss_start = rss_kb(args.server_pid)
    interval = 1.0 / rate
    t0 = time.monotonic()
    end = t0 + args.minutes * 60
    pool = ThreadPoolExecutor(64)

    def one(req, intended):
        try:
            stub.Analyze(req, timeout=30)
            code = "OK"
        except grpc.RpcError as e:
            code = e.code().name
        with lock:
            codes[code] = codes.get(code, 0) + 1
            latencies.append(time.monotonic() - intended)

    n = 0
    next_report = t0 + 60
    while True:
        intended = t0 + n * interval
        if intended >= end:
            break
        delay = intended - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        pool.submit(one, pick(), intended)
        n += 1
        if time.monotonic() >= next_report:
            next_report += 60
            with lock:
                print(f"soak: {n} sent, codes {codes}, p99 {percentile(latencies, 99) * 1e3:.0f} ms, "
                      f"RSS {rss_kb(args.server_pid) / 1024:.0f} MB", flush=True)
    pool.shutdown(wait=True)
    rss_end = rss_kb(args.server_pid)
    errors = sum(v for k, v in codes.items() if k != "OK")
    figures = {"minutes": args.minutes, "peak_calls_per_s": round(peak, 1), "rate_calls_per_s": round(rate, 1),
               "calls": n, "codes": codes, "errors": errors,
               "p50_ms": round(percentile(latencies, 50) * 1e3, 1), "p99_ms": round(percentile(latencies, 99) * 1e3, 1),
               "rss_start_mb": round(rss_start / 1024, 1), "rss_end_mb": round(rss_end / 1024, 1),
               "rss_growth_pct": round(100.0 * (rss_end - rss_start) / max(1, rss_start), 2)}
    print("soak: " + json.dumps(figures))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=2)
    if server:
        server.stop()
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
