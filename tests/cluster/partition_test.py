#!/usr/bin/python3
"""Network partition: three replicas, each on a host of its own (a network namespace joined to this
one by a veth link on a private /30), behind HAProxy with the shipped configuration. Under steady
load, one replica's link is cut (the veth goes down: packets vanish, no reset is ever sent). No
request may be lost: HAProxy's health checks take the replica out, and the calls that were in
flight on it time out on the balancer (`timeout server`, lowered here from 300 s to 3 s) and are
replayed on another replica.

Run through tests/cluster/run.sh (it sets DOCANALYSIS_STUBS); needs root for `ip netns`."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cluster_test as ct  # noqa: E402  (stubs, the load generator, the balancer's client)

ROOT = ct.ROOT
TAG = f"da{os.getpid() % 10000}"


def sh(*cmd, check=True):
    return subprocess.run(cmd, check=check, capture_output=True, text=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Hosts:
    def __init__(self, n, server, plugins, work):
        self.n, self.work, self.procs = n, work, []
        self.addrs, self.http_addrs = [], []
        try:
            self._start(server, plugins, work)
        except BaseException:
            self.down()  # leave no namespace or veth behind
            raise

    def _start(self, server, plugins, work):
        for i in range(1, self.n + 1):
            ns, host_if, peer_if = f"{TAG}n{i}", f"{TAG}h{i}", f"{TAG}p{i}"
            subnet = f"10.231.{(os.getpid() % 200) + 1}.{4 * i}"
            base = subnet.rsplit(".", 1)[0]
            host_ip, peer_ip = f"{base}.{4 * i + 1}", f"{base}.{4 * i + 2}"
            sh("ip", "netns", "add", ns)
            sh("ip", "link", "add", host_if, "type", "veth", "peer", "name", peer_if)
            sh("ip", "link", "set", peer_if, "netns", ns)
            sh("ip", "addr", "add", f"{host_ip}/30", "dev", host_if)
            sh("ip", "link", "set", host_if, "up")
            sh("ip", "netns", "exec", ns, "ip", "addr", "add", f"{peer_ip}/30", "dev", peer_if)
            sh("ip", "netns", "exec", ns, "ip", "link", "set", peer_if, "up")
            sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
            log = open(os.path.join(work, f"replica{i}.log"), "w")
            p = subprocess.Popen(["ip", "netns", "exec", ns, server, "--listen", f"{peer_ip}:50051",
                                  "--http_listen", f"{peer_ip}:8080", "--plugin_dir", plugins],
                                 stdout=log, stderr=subprocess.STDOUT)
            self.procs.append(p)
            self.addrs.append(f"{peer_ip}:50051")
            self.http_addrs.append(f"{peer_ip}:8080")
        self.deadline_up(30)

    def deadline_up(self, timeout):
        import grpc
        end = time.time() + timeout
        for addr in self.addrs:
            while True:
                try:
                    grpc.channel_ready_future(grpc.insecure_channel(addr)).result(timeout=1)
                    break
                except Exception:  # noqa: BLE001
                    if time.time() > end:
                        raise RuntimeError(f"replica {addr} did not start")

    def cut(self, i):
        sh("ip", "link", "set", f"{TAG}h{i}", "down")

    def down(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        for i in range(1, self.n + 1):
            sh("ip", "link", "del", f"{TAG}h{i}", check=False)
            sh("ip", "netns", "del", f"{TAG}n{i}", check=False)


def haproxy(hosts, work):
    """The shipped haproxy.cfg, rendered the way deploy/local/cluster.sh does (server lists replace their own line)."""
    bind, stats, http = (f"127.0.0.1:{free_port()}" for _ in range(3))
    cfg = open(os.path.join(ROOT, "deploy", "haproxy", "haproxy.cfg")).read()
    lists = {"@SERVERS@": "\n".join(f"    server r{i + 1} {a}" for i, a in enumerate(hosts.addrs)),
             "@HTTP_SERVERS@": "\n".join(f"    server h{i + 1} {a}" for i, a in enumerate(hosts.http_addrs))}
    cfg = "\n".join(lists.get(line.strip(), line) for line in cfg.split("\n"))
    for k, v in {"@BIND@": bind, "@STATS_BIND@": stats, "@STATS_SOCKET@": os.path.join(work, "haproxy.sock"),
                 "@PIDFILE@": os.path.join(work, "haproxy.pid"), "@HTTP_BIND@": http}.items():
        cfg = cfg.replace(k, v)
    assert "timeout server 300s" in cfg
    cfg = cfg.replace("timeout server 300s", "timeout server 3s")
    path = os.path.join(work, "haproxy.cfg")
    open(path, "w").write(cfg)
    check = sh("haproxy", "-c", "-q", "-f", path, check=False)
    assert check.returncode == 0, f"haproxy rejected {path}: {check.stdout}{check.stderr}"
    p = subprocess.Popen(["haproxy", "-f", path, "-db"], stdout=open(os.path.join(work, "haproxy.log"), "w"),
                         stderr=subprocess.STDOUT)
    return p, bind


def main():
    if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("haproxy"):
        print("partition: needs root, iproute2 and haproxy")
        print("partition: 0 passed, 1 failed")
        return 1
    server = os.environ.get("DOCANALYSIS_SERVER") or os.path.join(ROOT, "build", "service", "docanalysis-server")
    plugins = os.environ.get("DOCANALYSIS_PLUGIN_DIR") or os.path.join(ROOT, "build", "plugins")
    work = tempfile.mkdtemp(prefix="docanalysis-partition-")
    hosts = lb = None
    ok = False
    try:
        hosts = Hosts(3, server, plugins, work)
        lb, bind = haproxy(hosts, work)
        time.sleep(3)  # the balancer's health checks see every replica up
        _, stub = ct.balancer_stub(bind)
        load = ct.Load(stub, rate=30, document=ct.LONG_DOCUMENT, max_seconds=30).start()
        time.sleep(5)
        ct.log("partition: cutting replica 2 off the network")
        hosts.cut(2)
        time.sleep(12)
        load.stop()
        ct.log("partition: " + load.summary())
        assert load.ok > 200, load.summary()
        assert load.lost == 0, f"lost {load.lost} calls: {load.failed}"
        ok = True
    except Exception as e:  # noqa: BLE001  (any failure is this test's failure; the summary line still prints)
        ct.log(f"FAIL partition: {type(e).__name__}: {e}")
    finally:
        if lb is not None:
            lb.terminate()
            lb.wait(timeout=10)
        if hosts is not None:
            hosts.down()
        shutil.rmtree(work, ignore_errors=True)
    print(f"partition: {int(ok)} passed, {int(not ok)} failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
