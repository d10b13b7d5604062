"""Fixtures for the conformance test: the server, the clients' CLIs and their outputs."""
import json
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools", "testing"))
from server_process import ServerProcess  # noqa: E402  (the shared server launcher)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# Each client's CLI and the offset encoding native to its language (the CLI's default).
CLIENTS = {
    "python": "utf32",  # str indexes code points
    "node": "utf16",    # JavaScript strings are UTF-16
    "go": "utf8",       # Go strings are bytes
    "java": "utf16",    # Java strings are UTF-16
    "cpp": "utf8",      # std::string is bytes
}


def client_bin(lang):
    return os.path.join(REPO, "clients", lang, "bin", f"docanalysis-{lang}")


def available_clients():
    return [lang for lang in CLIENTS if os.access(client_bin(lang), os.X_OK)]


def missing_clients():
    return [lang for lang in CLIENTS if not os.access(client_bin(lang), os.X_OK)]


def _documents():
    docs = {
        # Emoji (4 bytes, 2 UTF-16 units), accents (2 bytes), CJK (3 bytes) before and between entities.
        "mixed": ("😀 Angela Merkel met Emmanuel Macron in Paris on Tuesday, and both praised the café owners of "
                  "Zürich 🎉. Later, Microsoft announced a new office in 東京 near the station. "
                  "François Hollande said the meeting was wonderful and productive. "
                  "Critics called the plan a terrible, costly mistake 😡."),
        "news": ("Apple reported record revenue on Thursday, and Tim Cook told investors in Cupertino that demand "
                 "for the iPhone stayed strong. Analysts at Goldman Sachs were less upbeat. "
                 "Shares of Apple fell 2 percent in New York after the report. "
                 "The company said it would invest $1 billion in a new campus in Austin, Texas."),
        "multiscript": ("Señor José Álvarez flew from São Paulo to Tōkyō. 北京 and 上海 are large cities; "
                        "Ελλάδα is Greece in Greek. Müller & Søren founded Ærø Labs in København 🚀🇩🇰! "
                        "It was a great success, and everyone was happy."),
    }
    shared = os.environ.get("DOCANALYSIS_SHARED_DIR", os.path.join(REPO, "..", "shared"))
    sample_dir = os.path.join(shared, "samples")
    if os.path.isdir(sample_dir):
        for name in sorted(os.listdir(sample_dir))[:1]:
            if name.endswith(".txt"):
                with open(os.path.join(sample_dir, name), encoding="utf-8") as f:
                    docs["sample-article"] = f.read()
    return docs


DOCUMENTS = _documents()


@pytest.fixture(scope="session")
def target():
    if os.environ.get("DOCANALYSIS_TARGET"):
        yield os.environ["DOCANALYSIS_TARGET"]
        return
    server = ServerProcess(os.environ.get("DOCANALYSIS_SERVER",
                                          os.path.join(REPO, "build", "service", "docanalysis-server")),
                           os.environ.get("DOCANALYSIS_PLUGIN_DIR", os.path.join(REPO, "build", "plugins")))
    try:
        yield server.target
    finally:
        server.stop()


@pytest.fixture(scope="session")
def doc_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("conformance-docs")
    files = {}
    for name, text in DOCUMENTS.items():
        p = d / f"{name}.txt"
        p.write_bytes(text.encode("utf-8"))
        files[name] = str(p)
    return files


class CliRunner:
    """Runs the clients' CLIs, once per (client, document, flags); the first call may build the client."""

    def __init__(self, target, doc_files):
        self.target = target
        self.doc_files = doc_files
        self.cache = {}

    def run(self, lang, doc, *extra):
        key = (lang, doc, extra)
        if key not in self.cache:
            cmd = [client_bin(lang), "analyze", self.doc_files[doc], "--target", self.target, *extra, "--json"]
            try:
                r = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
            except subprocess.TimeoutExpired:
                self.cache[key] = (None, f"{' '.join(cmd)} timed out after 900 s")
                return self.cache[key]
            if r.returncode != 0:
                self.cache[key] = (None, f"{' '.join(cmd)} exited {r.returncode}:\n{r.stderr[-2000:]}")
            else:
                try:
                    self.cache[key] = (json.loads(r.stdout), None)
                except ValueError as e:
                    self.cache[key] = (None, f"{' '.join(cmd)} printed no JSON ({e}):\n{r.stdout[:500]}")
        return self.cache[key]

    def output(self, lang, doc, *extra):
        out, err = self.run(lang, doc, *extra)
        if err:
            pytest.fail(err, pytrace=False)
        return out


@pytest.fixture(scope="session")
def cli(target, doc_files):
    return CliRunner(target, doc_files)
