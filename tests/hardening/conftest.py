"""Fixtures of the hardening suite: stubs generated from the one .proto (and the standard health
proto) with Debian's protoc and gRPC Python plugin, and the real server binary started on
127.0.0.1:0 with flags of the test's choosing."""
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("DOCANALYSIS_BUILD_DIR", os.path.join(ROOT, "build"))
SERVER = os.environ.get("DOCANALYSIS_SERVER", os.path.join(BUILD, "service", "docanalysis-server"))
PLUGINS = os.environ.get("DOCANALYSIS_PLUGIN_DIR", os.path.join(BUILD, "plugins"))
FIXTURES = os.path.join(BUILD, "test-plugins")
SHARED = os.path.abspath(os.path.join(ROOT, "..", "shared"))


def _protoc(*args):
    try:  # grpcio-tools in the suite's virtual environment (matches its grpcio and protobuf)
        from grpc_tools import protoc
        import grpc_tools
        well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
        if protoc.main(["grpc_tools.protoc", f"-I{well_known}", *args]) != 0:
            raise RuntimeError("grpc_tools.protoc failed: " + " ".join(args))
    except ImportError:  # Debian's protoc and gRPC Python plugin
        subprocess.run(["protoc", "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin", *args], check=True)


def _generate_stubs():
    out = tempfile.mkdtemp(prefix="docanalysis-hardening-stubs-")
    sys.path.insert(0, out)
    try:
        import docanalysis.v1.docanalysis_pb2  # noqa: F401  (the Python client package carries the stubs)
    except ImportError:
        _protoc(f"-I{os.path.join(ROOT, 'protos')}", f"--python_out={out}", f"--grpc_python_out={out}",
                "docanalysis/v1/docanalysis.proto")
        for d in ("docanalysis", "docanalysis/v1"):
            open(os.path.join(out, d, "__init__.py"), "a").close()
    # The standard health proto is generated as module `healthstub` (its proto package stays
    # grpc.health.v1): as `grpc.health.v1` the modules would have to live inside grpcio's package.
    src = os.path.join(out, ".health-src", "healthstub")
    os.makedirs(src)
    shutil.copy("/usr/share/grpc-proto/grpc/health/v1/health.proto", os.path.join(src, "health.proto"))
    _protoc(f"-I{os.path.dirname(src)}", f"--python_out={out}", f"--grpc_python_out={out}", "healthstub/health.proto")
    open(os.path.join(out, "healthstub", "__init__.py"), "a").close()
    return out


_generate_stubs()
from docanalysis.v1 import docanalysis_pb2 as pb  # noqa: E402
from docanalysis.v1 import docanalysis_pb2_grpc as pb_grpc  # noqa: E402
from healthstub import health_pb2, health_pb2_grpc  # noqa: E402


class Server:
    """docanalysis-server as a child process; `target` is HOST:PORT once it listens."""

    def __init__(self, plugin_dir=PLUGINS, *flags, listen="127.0.0.1:0", wait=True):
        self.proc = subprocess.Popen([SERVER, "--listen", listen, "--plugin_dir", plugin_dir, *flags],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        self.stderr = []
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self._pump_err, daemon=True).start()
        self.target = self.admin_target = None
        if wait:
            self._wait()

    @staticmethod
    def _pump(stream, q):
        for line in stream:
            q.put(line)
        q.put(None)

    def _pump_err(self):
        for line in self.proc.stderr:
            self.stderr.append(line)

    def _wait(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is None:
                break
            m = re.search(r"admin on (\S+:\d+)", line)
            if m:
                self.admin_target = m.group(1)
            m = re.search(r"listening on (\S+:\d+)", line)
            if m:
                self.target = m.group(1)
                return
        raise RuntimeError("server did not start: " + "".join(self.stderr[-20:]))

    def channel(self, target=None):
        import grpc
        return grpc.insecure_channel(target or self.target)

    def stub(self):
        return pb_grpc.DocumentAnalysisStub(self.channel())

    def rss_kb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def cpu_seconds(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


@pytest.fixture
def server_factory():
    started = []

    def make(*flags, plugin_dir=PLUGINS, **kw):
        s = Server(plugin_dir, *flags, **kw)
        started.append(s)
        return s

    yield make
    for s in started:
        s.stop()


@pytest.fixture
def plugin_copy(tmp_path):
    """A private copy of the built-in plugin folder (mode 0700, as mkdtemp makes it)."""
    d = tmp_path / "plugins"
    shutil.copytree(PLUGINS, d, symlinks=True)
    os.chmod(tmp_path, 0o700)
    return d


def request(text, features=(), html=False, encoding=None):
    r = pb.AnalyzeRequest()
    r.document.content = text
    if html:
        r.document.type = pb.Document.HTML
    r.features.extend(features)
    if encoding is not None:
        r.encoding_type = encoding
    return r


def sample_text():
    with open(os.path.join(SHARED, "samples", "000_ac263380b61652b0.txt"), encoding="utf-8") as f:
        return f.read()
