"""The real docanalysis-server as a child process on 127.0.0.1:0, for Python test suites and tools.

Shared by the Python client's tests, the cross-language conformance test and tools/eval: starts the
binary, reads the bound address from its `listening on HOST:PORT` line (and, with --http_listen, the HTTP
address from its `http on HOST:PORT` line; draining stdout afterwards so the server never blocks on a full
pipe), and stops it with SIGTERM. Standard library only.

    server = ServerProcess("build/service/docanalysis-server", "build/plugins", "--max_queued=8")
    ... grpc.insecure_channel(server.target) ...
    server.stop()
"""
import os
import queue
import re
import signal
import subprocess
import threading
import time


class ServerProcess:
    def __init__(self, binary, plugin_dir, *extra, timeout=60):
        if not os.path.isfile(binary):
            raise RuntimeError(f"no server binary at {binary}: build it, or set DOCANALYSIS_TARGET or "
                               f"DOCANALYSIS_SERVER")
        self.proc = subprocess.Popen([binary, "--listen", "127.0.0.1:0", "--plugin_dir", plugin_dir, *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        lines = queue.Queue()

        def pump():  # keeps draining stdout so the server never blocks on a full pipe
            for line in self.proc.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        self.target = None
        self.http_target = None  # set when the server runs with --http_listen
        deadline = time.monotonic() + timeout
        while self.target is None and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            h = re.match(r"http on (\S+:\d+)", line)
            if h:
                self.http_target = h.group(1)
            m = re.search(r"listening on (\S+:\d+)", line)
            if m:
                self.target = m.group(1)
        if self.target is None:
            self.stop()
            raise RuntimeError(f"{binary} did not print 'listening on HOST:PORT' within {timeout} s")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
