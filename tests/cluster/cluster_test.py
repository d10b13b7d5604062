#!/usr/bin/python3
"""Cluster tests: balancing and failover of a local docanalysis cluster under steady load.

Starts N=3 replicas behind HAProxy with deploy/local/cluster.sh and drives them with a real gRPC client (Python
grpcio, stubs generated from protos/ by run.sh) at a steady, bounded rate:

  spread       every replica serves at least 20% of the requests sent through the balancer
  kill9        `kill -9` of one replica mid-run loses no request end to end
  rolling      a rolling SIGTERM restart of every replica loses no request
  client_rr    a client doing round_robin over the replica addresses itself spreads the load and survives a
               replica's `kill -9`
  nginx        the same spread and `kill -9` through nginx instead of HAProxy
  entrypoint   the container image's entry point (deploy/docker/entrypoint.sh) with the real server: it assembles
               the plugin folder from the built-in plugins, and its plugin-sync mode (the Kubernetes sidecar) makes
               a plugin dropped into the extra-plugins folder live without a restart; SIGTERM exits 0

"Lost" means a call that finally failed at the client. The client retries UNAVAILABLE (gRPC retry policy in its
service config), HAProxy retries failed connections on another replica, and draining replicas report NOT_SERVING
before they refuse calls; that together is what must lose nothing.

Per-replica counts come from each replica's own Prometheus counter (docanalysis_requests_total, served on the
replica's --metrics_listen port) and, for HAProxy, from its per-server statistics (which survive a replica's
death). Each test prints its counts. Run through tests/cluster/run.sh, which sets DOCANALYSIS_STUBS.
"""
import argparse
import csv
import io
import itertools
import json
import os
import re
import subprocess
import sys
import threading
import time
import traceback
import urllib.request

sys.path.insert(0, os.environ["DOCANALYSIS_STUBS"])
import grpc  # noqa: E402
from docanalysis.v1 import docanalysis_pb2 as pb  # noqa: E402
from docanalysis.v1 import docanalysis_pb2_grpc as pb_grpc  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLUSTER_SH = os.path.join(ROOT, "deploy", "local", "cluster.sh")

# A document written for this test (several sentences, names, opinions), so every plugin has work to do.
DOCUMENT = (
    "Maria Lopez opened the new library in Porto on Tuesday, and the crowd was delighted. "
    "The mayor, Jonas Berg, said the building was the best thing the city had done in years. "
    "Critics from the Northern Heritage Society called the design ugly and far too expensive. "
    "Construction took three years and cost more than twelve million euros. "
    "Volunteers from Lisbon and Braga carried the first books inside. "
    "Lopez thanked the architects of Studio Verde for a calm and bright reading room. "
    "The library will open every day except Sunday, and entry is free for students."
)

# For the kill tests: 40 copies (22 KB, about 15 ms of analysis), so that calls are in flight when a replica dies.
LONG_DOCUMENT = " ".join([DOCUMENT] * 40)

RETRY_POLICY = {
    "maxAttempts": 5,
    "initialBackoff": "0.05s",
    "maxBackoff": "0.5s",
    "backoffMultiplier": 2,
    "retryableStatusCodes": ["UNAVAILABLE"],
}
METHOD_CONFIG = [{"name": [{"service": "docanalysis.v1.DocumentAnalysis"}], "timeout": "10s",
                  "retryPolicy": RETRY_POLICY}]


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------------------------------------------------------
# The cluster, through deploy/local/cluster.sh.

class Cluster:
    def __init__(self, state_dir):
        self.env = dict(os.environ, DOCANALYSIS_CLUSTER_STATE=state_dir)
        self.state_dir = state_dir
        self.replicas = {}  # index -> {"addr":, "metrics":}
        self.endpoint = None
        self.stats_url = None

    def sh(self, *args, timeout=180):
        # Output to a file, not a pipe: the replicas started by `up` must not hold our pipe open.
        with open(os.path.join(os.path.dirname(self.state_dir), "cluster-sh.out"), "w+") as out:
            r = subprocess.run(["bash", CLUSTER_SH, *args], stdin=subprocess.DEVNULL, stdout=out,
                               stderr=subprocess.STDOUT, env=self.env, timeout=timeout)
            out.seek(0)
            text = out.read()
        if r.returncode != 0:
            raise RuntimeError(f"cluster.sh {' '.join(args)} exited {r.returncode}:\n{text}")
        return text

    def up(self, n, lb="haproxy"):
        text = self.sh("up", str(n), "--lb", lb)
        self.replicas = {}
        for m in re.finditer(r"^replica (\d+) (\S+:\d+) pid \d+(?: metrics (\S+:\d+))?", text, re.M):
            self.replicas[int(m.group(1))] = {"addr": m.group(2), "metrics": m.group(3)}
        m = re.search(r"^endpoint (\S+:\d+)\s*$", text, re.M)
        if not m or len(self.replicas) != n:
            raise RuntimeError(f"unexpected output of cluster.sh up:\n{text}")
        self.endpoint = m.group(1)
        m = re.search(r"stats (http://\S+/stats)", text)
        self.stats_url = m.group(1) if m else None
        log(text.strip())

    def down(self):
        return self.sh("down", timeout=120)

    def kill(self, i):
        self.sh("kill", str(i))

    def restart(self, i):
        self.sh("restart", str(i))

    def start(self, i):
        self.sh("start", str(i))

    def kill_in_flight(self, i, timeout=3.0):
        """SIGKILLs replica i at a moment its own gauge shows calls in flight (or after `timeout`); returns the
        number it showed."""
        pid = int(open(os.path.join(self.state_dir, f"replica-{i}", "pid")).read())
        url = f"http://{self.replicas[i]['metrics']}/metrics"
        deadline, seen = time.time() + timeout, 0
        while time.time() < deadline:
            text = urllib.request.urlopen(url, timeout=2).read().decode()
            m = re.search(r"^docanalysis_requests_in_flight\S* (\S+)$", text, re.M)
            seen = int(float(m.group(1))) if m else 0
            if seen > 0:
                break
        os.kill(pid, 9)
        self.kill(i)  # waits until it is gone and drops its pid file
        return seen

    def ensure_all_up(self):
        """Starts any replica a failed test left stopped, and waits until HAProxy has them all in rotation."""
        for m in re.finditer(r"^replica (\d+) .* stopped$", self.sh("status"), re.M):
            log(f"  (restarting replica {m.group(1)}, left stopped)")
            self.start(int(m.group(1)))
        self.wait_haproxy_up(len(self.replicas))

    # Per-replica counters ----------------------------------------------------------------------------------

    def served(self, i):
        """Analyze calls that replica i answered OK since it started (its own Prometheus counter)."""
        url = f"http://{self.replicas[i]['metrics']}/metrics"
        text = urllib.request.urlopen(url, timeout=5).read().decode()
        total = 0
        for line in text.splitlines():
            if line.startswith("docanalysis_requests_total{") and 'method="Analyze"' in line:
                code = re.search(r'code="([^"]*)"', line)
                if code and code.group(1) in ("0", "OK"):
                    total += int(float(line.rsplit(" ", 1)[1]))
        return total

    def served_all(self, which=None):
        return {i: self.served(i) for i in (which or self.replicas)}

    def haproxy_stats(self):
        """{server name: (status, requests sent to it)} from HAProxy's statistics."""
        text = urllib.request.urlopen(self.stats_url + ";csv", timeout=5).read().decode()
        rows = csv.DictReader(io.StringIO(text.lstrip("# ")))
        return {r["svname"]: (r["status"], int(r["stot"] or 0)) for r in rows
                if r["pxname"] == "docanalysis" and re.fullmatch(r"r\d+", r["svname"])}

    def haproxy_recovery(self):
        """HAProxy's backend totals: retried connections, redispatches to another replica, 5xx answers sent."""
        text = urllib.request.urlopen(self.stats_url + ";csv", timeout=5).read().decode()
        for r in csv.DictReader(io.StringIO(text.lstrip("# "))):
            if r["pxname"] == "docanalysis" and r["svname"] == "BACKEND":
                return {k: int(r[k] or 0) for k in ("wretr", "wredis", "hrsp_5xx", "econ", "eresp")}
        return {}

    def nginx_recovery(self):
        """From nginx's access log: calls it retried on another replica, and calls it answered with an error."""
        retried = errors = 0
        with open(os.path.join(self.state_dir, "nginx-access.log")) as f:
            for line in f:
                m = re.search(r'" (\d{3}) grpc-status=\S* upstream=(.*) upstream_status=', line)
                if m:
                    retried += "," in m.group(2)
                    errors += m.group(1) != "200"
        return {"retried_on_another_replica": retried, "http_errors_to_client": errors}

    def wait_haproxy_up(self, n, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            st = self.haproxy_stats()
            if sum(1 for s, _ in st.values() if s == "UP") == n:
                return
            time.sleep(0.2)
        raise AssertionError(f"HAProxy did not see {n} replicas UP within {timeout}s: {self.haproxy_stats()}")


# ---------------------------------------------------------------------------------------------------------------
# Load: a fixed request rate from a few client threads, for a bounded time.

class Load:
    """Sends Analyze at `rate` calls/s from `threads` threads until stop() (or `max_seconds`)."""

    def __init__(self, stub, rate, threads=6, max_seconds=60, document=DOCUMENT):
        self.stub, self.rate, self.max_seconds = stub, rate, max_seconds
        self.ok = 0
        self.failed = {}  # status code name -> count
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.slots = itertools.count()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]
        self.req = pb.AnalyzeRequest()
        self.req.document.content = document

    def start(self):
        self.t0 = time.time()
        for t in self.threads:
            t.start()
        return self

    def _run(self):
        while not self.stopping.is_set():
            with self.lock:
                k = next(self.slots)
            due = self.t0 + k / self.rate
            if due - self.t0 > self.max_seconds:
                return
            delay = due - time.time()
            if delay > 0 and self.stopping.wait(delay):
                return
            try:
                resp = self.stub.Analyze(self.req, timeout=15)
                # A real analysis: the host's sentences, and at least one plugin that ran OK.
                good = len(resp.sentences) > 0 and any(run.code == 0 for run in resp.plugin_runs)
                with self.lock:
                    if good:
                        self.ok += 1
                    else:
                        self.failed["NO_ANALYSIS"] = self.failed.get("NO_ANALYSIS", 0) + 1
            except grpc.RpcError as e:
                with self.lock:
                    name = e.code().name
                    self.failed[name] = self.failed.get(name, 0) + 1
                    if sum(self.failed.values()) <= 3:
                        log(f"  call failed: {name} {e.details()}")

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=30)
        self.elapsed = time.time() - self.t0
        return self

    @property
    def lost(self):
        return sum(self.failed.values())

    def summary(self):
        return (f"{self.ok} ok, {self.lost} lost {self.failed or ''} in {self.elapsed:.1f}s "
                f"({self.ok / max(self.elapsed, 1e-9):.1f}/s)")


def balancer_stub(endpoint):
    config = json.dumps({"methodConfig": METHOD_CONFIG})
    ch = grpc.insecure_channel(endpoint, options=[("grpc.service_config", config), ("grpc.enable_retries", 1),
                                                  ("grpc.enable_http_proxy", 0)])
    grpc.channel_ready_future(ch).result(timeout=10)
    return ch, pb_grpc.DocumentAnalysisStub(ch)


def round_robin_stub(addrs):
    """A client that balances itself: round_robin over the replicas, with client-side health checking."""
    config = json.dumps({"loadBalancingConfig": [{"round_robin": {}}], "healthCheckConfig": {"serviceName": ""},
                         "methodConfig": METHOD_CONFIG})
    target = "ipv4:" + ",".join(addrs)
    ch = grpc.insecure_channel(target, options=[("grpc.service_config", config), ("grpc.enable_retries", 1),
                                                ("grpc.enable_http_proxy", 0)])
    grpc.channel_ready_future(ch).result(timeout=10)
    return ch, pb_grpc.DocumentAnalysisStub(ch)


def delta(after, before):
    return {i: after[i] - before.get(i, 0) for i in after}


def shares(counts):
    total = sum(counts.values())
    return {i: (c / total if total else 0.0) for i, c in counts.items()}


def fmt_counts(counts):
    total = sum(counts.values())
    return ", ".join(f"r{i}={c} ({100 * c / total if total else 0:.0f}%)" for i, c in sorted(counts.items()))


# ---------------------------------------------------------------------------------------------------------------
# Tests. Each gets the running HAProxy cluster and leaves it with every replica up.

def test_spread(c, args):
    """(a) Through HAProxy, every replica serves at least 20% of the requests."""
    ch, stub = balancer_stub(c.endpoint)
    before, hb = c.served_all(), c.haproxy_stats()
    load = Load(stub, args.rate).start()
    time.sleep(args.seconds)
    load.stop()
    served, ha = delta(c.served_all(), before), {k: v[1] - hb[k][1] for k, v in c.haproxy_stats().items()}
    ch.close()
    log(f"  client: {load.summary()}")
    log(f"  served per replica (replica metrics): {fmt_counts(served)}")
    log(f"  sent per replica (HAProxy stats): {ha}")
    assert load.lost == 0, f"{load.lost} requests lost"
    assert load.ok >= args.rate * args.seconds * 0.5, f"only {load.ok} requests completed"
    assert sum(served.values()) >= load.ok, f"replicas counted {sum(served.values())} < {load.ok} client successes"
    low = {i: s for i, s in shares(served).items() if s < 0.20}
    assert not low, f"replicas under 20%: {low}"


def test_kill9(c, args):
    """(b) kill -9 of one replica mid-run: no request lost end to end."""
    ch, stub = balancer_stub(c.endpoint)
    victim = 2
    hb, rb = c.haproxy_stats(), c.haproxy_recovery()
    load = Load(stub, args.rate, document=LONG_DOCUMENT).start()
    time.sleep(args.seconds / 2)
    in_flight = c.kill_in_flight(victim)
    t_kill = time.time() - load.t0
    before_survivors = c.served_all([i for i in c.replicas if i != victim])
    time.sleep(args.seconds / 2)
    load.stop()
    after_survivors = c.served_all(before_survivors.keys())
    ha = {k: v[1] - hb[k][1] for k, v in c.haproxy_stats().items()}
    ch.close()
    log(f"  killed r{victim} with SIGKILL at {t_kill:.1f}s, with {in_flight} call(s) in flight on it")
    log(f"  client: {load.summary()}")
    log(f"  sent per replica over the run (HAProxy stats): {ha}")
    log(f"  served by the survivors after the kill (replica metrics): {fmt_counts(delta(after_survivors, before_survivors))}")
    log(f"  HAProxy recovery: {delta(c.haproxy_recovery(), rb)} (wretr: connections retried, wredis: "
        f"redispatched to another replica, hrsp_5xx: errors the client retried)")
    assert load.lost == 0, f"{load.lost} requests lost after kill -9: {load.failed}"
    assert load.ok >= args.rate * args.seconds * 0.5, f"only {load.ok} requests completed"
    c.start(victim)
    c.wait_haproxy_up(len(c.replicas))
    log(f"  r{victim} restarted and back in rotation")


def test_rolling(c, args):
    """(c) A rolling SIGTERM restart of every replica loses nothing."""
    ch, stub = balancer_stub(c.endpoint)
    hb, rb = c.haproxy_stats(), c.haproxy_recovery()
    load = Load(stub, args.rate, max_seconds=120).start()
    time.sleep(1.0)
    for i in sorted(c.replicas):
        t0 = time.time()
        c.restart(i)  # SIGTERM, wait for the drain and exit, start again on the same address
        c.wait_haproxy_up(len(c.replicas))
        log(f"  r{i}: SIGTERM, drained, restarted, back in rotation in {time.time() - t0:.1f}s")
    time.sleep(1.0)
    load.stop()
    ha = {k: v[1] - hb[k][1] for k, v in c.haproxy_stats().items()}
    ch.close()
    log(f"  client: {load.summary()}")
    log(f"  sent per replica over the run (HAProxy stats): {ha}")
    log(f"  HAProxy recovery: {delta(c.haproxy_recovery(), rb)}")
    assert load.lost == 0, f"{load.lost} requests lost during the rolling restart: {load.failed}"
    assert load.ok >= 10, f"only {load.ok} requests completed"


def test_client_rr(c, args):
    """(d) round_robin over the replica addresses: spreads load and survives a replica's kill -9."""
    addrs = [c.replicas[i]["addr"] for i in sorted(c.replicas)]
    ch, stub = round_robin_stub(addrs)
    victim = max(c.replicas)
    before = c.served_all()
    load = Load(stub, args.rate, document=LONG_DOCUMENT).start()
    time.sleep(args.seconds / 2)
    mid = c.served_all()
    in_flight = c.kill_in_flight(victim)
    t_kill = time.time() - load.t0
    time.sleep(args.seconds / 2)
    load.stop()
    survivors = [i for i in c.replicas if i != victim]
    after = c.served_all(survivors)
    ch.close()
    phase1 = delta(mid, before)
    phase2 = delta(after, {i: mid[i] for i in survivors})
    log(f"  client: {load.summary()}; killed r{victim} with SIGKILL at {t_kill:.1f}s, "
        f"with {in_flight} call(s) in flight on it")
    log(f"  served before the kill (replica metrics): {fmt_counts(phase1)}")
    log(f"  served by the survivors after it: {fmt_counts(phase2)}")
    assert load.lost == 0, f"{load.lost} requests lost: {load.failed}"
    low = {i: s for i, s in shares(phase1).items() if s < 0.20}
    assert not low, f"round_robin left replicas under 20% before the kill: {low}"
    assert all(v > 0 for v in phase2.values()), f"a survivor got no traffic after the kill: {phase2}"
    c.start(victim)
    c.wait_haproxy_up(len(c.replicas))


def test_nginx(c, args, state_root):
    """(e) nginx as the balancer: spread, and kill -9 of a replica loses nothing."""
    c.down()
    n = Cluster(os.path.join(state_root, "nginx"))
    n.up(3, lb="nginx")
    try:
        ch, stub = balancer_stub(n.endpoint)
        before = n.served_all()
        load = Load(stub, args.rate, document=LONG_DOCUMENT).start()
        time.sleep(args.seconds / 2)
        mid = n.served_all()
        in_flight = n.kill_in_flight(1)
        time.sleep(args.seconds / 2)
        load.stop()
        after = n.served_all([2, 3])
        ch.close()
        phase1 = delta(mid, before)
        log(f"  client: {load.summary()}; killed r1 with SIGKILL halfway, with {in_flight} call(s) in flight on it")
        log(f"  served before the kill (replica metrics): {fmt_counts(phase1)}")
        log(f"  served by the survivors after it: {fmt_counts(delta(after, {i: mid[i] for i in (2, 3)}))}")
        log(f"  nginx recovery: {n.nginx_recovery()}")
        assert load.lost == 0, f"{load.lost} requests lost through nginx: {load.failed}"
        low = {i: s for i, s in shares(phase1).items() if s < 0.20}
        assert not low, f"nginx left replicas under 20%: {low}"
    finally:
        n.down()


def test_entrypoint(c, args, state_root):
    """The image's entry point, outside a container: plugin folder assembly, live plugin-sync, clean SIGTERM."""
    server = open(os.path.join(c.state_dir, "server")).read().strip()
    builtin = open(os.path.join(c.state_dir, "plugin_dir")).read().strip()
    work = os.path.join(state_root, "entrypoint")
    plugin_dir, extra, staging = (os.path.join(work, d) for d in ("plugins", "extra", "staging"))
    for d in (plugin_dir, extra, staging):
        os.makedirs(d, exist_ok=True)
    env = dict(os.environ, DOCANALYSIS_SERVER=server, DOCANALYSIS_BUILTIN_PLUGIN_DIR=builtin,
               DOCANALYSIS_PLUGIN_DIR=plugin_dir, DOCANALYSIS_EXTRA_PLUGIN_DIR=extra,
               DOCANALYSIS_LISTEN="127.0.0.1:0", DOCANALYSIS_PLUGIN_SYNC_SECONDS="1",
               DOCANALYSIS_EXTRA_FLAGS="--drain_grace_ms=200")
    entry = os.path.join(ROOT, "deploy", "docker", "entrypoint.sh")
    out = open(os.path.join(work, "server.out"), "w+")
    srv = subprocess.Popen(["sh", entry, "server"], env=env, stdin=subprocess.DEVNULL, stdout=out,
                           stderr=open(os.path.join(work, "server.err"), "w"))
    sync = subprocess.Popen(["sh", entry, "plugin-sync"], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "sync.err"), "w"))
    try:
        addr = None
        for _ in range(300):
            out.seek(0)
            m = re.search(r"listening on (\S+:\d+)", out.read())
            if m:
                addr = m.group(1)
                break
            assert srv.poll() is None, f"server exited {srv.returncode} (log {work}/server.err)"
            time.sleep(0.1)
        assert addr, "server did not print 'listening on'"
        ch = grpc.insecure_channel(addr, options=[("grpc.enable_http_proxy", 0)])
        stub = pb_grpc.DocumentAnalysisStub(ch)
        loaded = {p.name: p for p in stub.ListPlugins(pb.ListPluginsRequest(), timeout=5).plugins
                  if p.state == pb.PluginInfo.LOADED}
        builtins = sorted(d for d in os.listdir(builtin) if os.path.exists(os.path.join(builtin, d, "plugin.json")))
        log(f"  built-in plugin folders {builtins}; loaded from the assembled folder: {sorted(loaded)}")
        assert loaded, "no plugin loaded from the assembled plugin folder"
        # A new plugin arrives in the extra-plugins folder: a copy of a loaded one under another name, moved in
        # whole (as an operator would after copying it to the shared volume).
        base = sorted(loaded)[0]
        # ListPlugins leaves out paths for callers without the admin token: take the folder from the built-ins.
        src = os.path.join(builtin, base)
        new = base + "-extra"
        os.makedirs(os.path.join(staging, new))
        manifest = json.load(open(os.path.join(src, "plugin.json")))
        for f in os.listdir(src):
            if f != "plugin.json" and os.path.isfile(os.path.join(src, f)):
                with open(os.path.join(src, f), "rb") as a, open(os.path.join(staging, new, f), "wb") as b:
                    b.write(a.read())
        manifest["name"] = new
        json.dump(manifest, open(os.path.join(staging, new, "plugin.json"), "w"))
        t0 = time.time()
        os.rename(os.path.join(staging, new), os.path.join(extra, new))
        state = None
        while time.time() - t0 < 15:
            found = [p for p in stub.ListPlugins(pb.ListPluginsRequest(), timeout=5).plugins if p.name == new]
            state = found[0].state if found else None
            if state == pb.PluginInfo.LOADED:
                break
            time.sleep(0.2)
        log(f"  plugin {new} dropped into the extra-plugins folder: "
            f"{'loaded' if state == pb.PluginInfo.LOADED else 'NOT loaded'} after {time.time() - t0:.1f}s")
        assert state == pb.PluginInfo.LOADED, f"{new} was not loaded within 15s (state {state})"
        ch.close()
    finally:
        for p in (sync, srv):
            if p.poll() is None:
                p.terminate()
        rc = srv.wait(timeout=30)
        sync.wait(timeout=10)
    log(f"  server exit status after SIGTERM: {rc}")
    assert rc == 0, f"server exited {rc} after SIGTERM"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--state", required=True, help="folder for the cluster's state")
    ap.add_argument("--rate", type=float, default=float(os.environ.get("CLUSTER_TEST_RATE", 40)),
                    help="client calls per second")
    ap.add_argument("--seconds", type=float, default=float(os.environ.get("CLUSTER_TEST_SECONDS", 8)),
                    help="length of each load phase")
    ap.add_argument("tests", nargs="*", default=["spread", "kill9", "rolling", "client_rr", "entrypoint", "nginx"])
    args = ap.parse_args()

    c = Cluster(os.path.join(args.state, "haproxy"))
    tests = {"spread": test_spread, "kill9": test_kill9, "rolling": test_rolling, "client_rr": test_client_rr}
    passed = failed = 0
    c.up(3)
    try:
        for name in args.tests:
            log(f"== {name}")
            try:
                if name != "nginx":
                    c.ensure_all_up()
                if name == "nginx":
                    test_nginx(c, args, args.state)
                elif name == "entrypoint":
                    test_entrypoint(c, args, args.state)
                else:
                    tests[name](c, args)
                log(f"PASS {name}")
                passed += 1
            except Exception as e:  # noqa: BLE001  (a test's failure, reported and counted)
                log(f"FAIL {name}: {e}")
                if not isinstance(e, AssertionError):
                    traceback.print_exc()
                failed += 1
    finally:
        try:
            c.down()
        except Exception as e:  # noqa: BLE001
            log(f"cluster.sh down: {e}")
            failed += 1
    print(f"cluster: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
