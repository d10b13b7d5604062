"""Fixtures: a live docanalysis server for the suite.

DOCANALYSIS_TARGET=host:port uses a running server. Otherwise the suite starts its own:
DOCANALYSIS_SERVER (default <repo>/build/service/docanalysis-server) with DOCANALYSIS_PLUGIN_DIR (default
<repo>/build/plugins) on 127.0.0.1:0, reads the `listening on HOST:PORT` line, and stops it with SIGTERM.
"""
import os
import subprocess
import sys
import threading
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools", "testing"))
from server_process import ServerProcess  # noqa: E402  (the shared server launcher)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

# A document whose code point, UTF-16 and UTF-8 offsets all differ: emoji (2 UTF-16 units, 4 bytes) before
# and between the entities, accented Latin (2 bytes), CJK (3 bytes, 1 unit).
MIXED_TEXT = ("😀 Angela Merkel met Emmanuel Macron in Paris on Tuesday, and both praised the café owners of "
              "Zürich 🎉. Later, Microsoft announced a new office in 東京 near the station. "
              "François Hollande said the meeting was wonderful and productive. "
              "Critics called the plan a terrible, costly mistake 😡.")


def server_binary():
    return os.environ.get("DOCANALYSIS_SERVER", os.path.join(REPO, "build", "service", "docanalysis-server"))


def plugin_dir():
    return os.environ.get("DOCANALYSIS_PLUGIN_DIR", os.path.join(REPO, "build", "plugins"))


@pytest.fixture(scope="session")
def target():
    env_target = os.environ.get("DOCANALYSIS_TARGET")
    if env_target:
        yield env_target
        return
    server = ServerProcess(server_binary(), plugin_dir())
    try:
        yield server.target
    finally:
        server.stop()


@pytest.fixture(scope="session")
def client(target):
    from docanalysis import Client

    with Client(target, timeout=60) as c:
        # Plugins may still be loading right after the port opens: wait (bounded) until entities come back.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if c.analyze("Angela Merkel visited Paris.", features=["entities"]).entities:
                    break
            except Exception:
                pass
            time.sleep(0.3)
        yield c


class Forwarder:
    """A TCP relay on 127.0.0.1:<free port> in front of the real server; counts the connections it relayed.
    Used to see which addresses a channel really talks to, and to take one address away (close()).

    cut_rpcs=N: the first N calls that reach the relay die in flight: when the client's HTTP/2 HEADERS frame of a
    call arrives, the relay drops it and cuts that connection (the client sees UNAVAILABLE after having sent it)."""

    def __init__(self, upstream, cut_rpcs=0):
        import socket

        self.cut_rpcs = cut_rpcs
        self.cut = 0
        self._socket = socket
        host, port = upstream.rsplit(":", 1)
        self.upstream = (host.strip("[]"), int(port))
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.bytes = 0
        self._open = []
        self._closed = False
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self._closed:
            try:
                down, _ = self.listener.accept()
            except OSError:
                return
            try:
                up = self._socket.create_connection(self.upstream, timeout=10)
                up.settimeout(None)
            except OSError:
                down.close()
                continue
            with self._lock:
                if self._closed:
                    down.close(); up.close()
                    return
                self.connections += 1
                self._open += [down, up]
            upward = self._pipe_cutting if self.cut < self.cut_rpcs else self._pipe
            threading.Thread(target=upward, args=(down, up), daemon=True).start()
            threading.Thread(target=self._pipe, args=(up, down), daemon=True).start()

    def _pipe_cutting(self, src, dst):
        """Relays client-to-server HTTP/2 frame by frame and cuts the connection at the first HEADERS frame."""
        preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
        buf, seen_preface = b"", False
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                buf += data
                if not seen_preface:
                    if len(buf) < len(preface):
                        continue
                    dst.sendall(buf[:len(preface)])
                    buf, seen_preface = buf[len(preface):], True
                while len(buf) >= 9:
                    length, frame_type = int.from_bytes(buf[:3], "big"), buf[3]
                    if len(buf) < 9 + length:
                        break
                    if frame_type == 0x1 and self.cut < self.cut_rpcs:  # HEADERS: a call starts
                        with self._lock:
                            self.cut += 1
                        return  # finally: cut both directions
                    dst.sendall(buf[:9 + length])
                    buf = buf[9 + length:]
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(self._socket.SHUT_RDWR)
                except OSError:
                    pass

    def _pipe(self, src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                with self._lock:
                    self.bytes += len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(self._socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        """Stops listening and cuts every relayed connection: the address is now dead."""
        with self._lock:
            self._closed = True
            socks, self._open = self._open, []
        self.listener.close()
        for s in socks:
            try:
                s.shutdown(self._socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


@pytest.fixture
def forwarders(target):
    made = []

    def make(n, cut_rpcs=0):
        for _ in range(n):
            made.append(Forwarder(target, cut_rpcs=cut_rpcs))
        return made[-n:]

    yield make
    for f in made:
        f.close()


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    """A throwaway CA, a server certificate for localhost/127.0.0.1 and a client certificate, made with openssl."""
    import shutil

    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed: cannot make test certificates")
    d = tmp_path_factory.mktemp("tls")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=docanalysis test CA", cwd=d)
    for name, ext in (("server", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth"),
                      ("client", "extendedKeyUsage=clientAuth")):
        (d / f"{name}.ext").write_text(ext + "\n")
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                 "-subj", f"/CN={name}", cwd=d)
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                 "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=d)
    return d


def start_tls_server(tls_files, mutual):
    """A TLS (or mutual TLS) server of our own; skipped when no server binary is at hand (DOCANALYSIS_TARGET only)."""
    binary = server_binary()
    if not os.path.isfile(binary):
        pytest.skip(f"TLS tests start their own TLS server and need the binary (DOCANALYSIS_SERVER; none at {binary})")
    extra = ["--tls_cert", str(tls_files / "server.pem"), "--tls_key", str(tls_files / "server.key")]
    if mutual:
        extra += ["--tls_client_ca", str(tls_files / "ca.pem")]
    return ServerProcess(binary, plugin_dir(), *extra)
