"""The HTTP/JSON edge and the web page of the real server (built-in plugins), on 127.0.0.1 port 0.

- schemathesis generates requests from protos/openapi.yaml and checks every answer against it (status codes,
  content types, headers, JSON schemas, no 5xx, 405 + Allow for other methods);
- headless Chromium (Debian's, through playwright-core) pastes the sample article into the page, presses Analyze
  and checks what a person would see; it saves screenshots into the build folder.
"""
import gzip
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools", "testing"))
from server_process import ServerProcess  # noqa: E402

BUILD = os.environ.get("DOCANALYSIS_BUILD_DIR", os.path.join(ROOT, "build"))
SERVER = os.environ.get("DOCANALYSIS_SERVER", os.path.join(BUILD, "service", "docanalysis-server"))
PLUGINS = os.environ.get("DOCANALYSIS_PLUGIN_DIR", os.path.join(BUILD, "plugins"))
SHARED = os.environ.get("DOCANALYSIS_SHARED_DIR", os.path.join(os.path.dirname(ROOT), "shared"))
SAMPLE = os.path.join(SHARED, "samples", "000_ac263380b61652b0.txt")
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(scope="module")
def base():
    server = ServerProcess(SERVER, PLUGINS, "--http_listen", "127.0.0.1:0", "--watch_interval_ms=0")
    try:
        assert server.http_target, "the server did not print 'http on HOST:PORT'"
        yield "http://" + server.http_target
    finally:
        server.stop()


def call(base, method, path, body=None, headers=None):
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
    try:
        with OPENER.open(req, timeout=60) as r:
            return r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers


def test_gzip_both_ways_and_google_errors(base):
    body = gzip.compress(json.dumps({"document": {"content": "Ada Lovelace met Charles Babbage in London."},
                                     "features": ["entities"]}).encode())
    st, data, hdr = call(base, "POST", "/v1/documents:analyze", body,
                         {"Content-Type": "application/json", "Content-Encoding": "gzip", "Accept-Encoding": "gzip"})
    assert st == 200, data[:200]
    assert hdr.get("Content-Encoding") == "gzip"
    answer = json.loads(gzip.decompress(data))
    assert {e["name"] for e in answer["entities"]} >= {"Ada Lovelace", "Charles Babbage"}
    st, data, _ = call(base, "POST", "/v1/documents:analyze", b'{"document": {"content": "x"}, "features": ["nope"]}',
                       {"Content-Type": "application/json"})
    assert st == 400
    assert json.loads(data)["error"]["status"] == "INVALID_ARGUMENT"


def test_openapi_description_holds_for_the_running_server(base):
    """schemathesis (PyPI) against protos/openapi.yaml, with a fixed seed so a failure reproduces."""
    st = os.environ.get("SCHEMATHESIS_BIN", "st")
    cmd = [st, "--config-file", os.path.join(HERE, "schemathesis.toml"), "run",
           os.path.join(ROOT, "protos", "openapi.yaml"), "--url", base,
           "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                       "response_headers_conformance,response_schema_conformance,unsupported_method,"
                       "allow_header_conformance",
           "--phases", "examples,coverage,fuzzing", "--max-examples", "60", "--seed", "20261201",
           "--workers", "2", "--request-timeout", "60", "--generation-database", "none", "--no-color",
           "--report", "junit", "--report-junit-path", os.path.join(BUILD, "http-schemathesis.xml")]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=BUILD)
    print(r.stdout[-6000:])
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]


def test_page_in_headless_chromium(base):
    os.makedirs(BUILD, exist_ok=True)
    for name in ("http-page.png", "http-page-narrow.png", "http-page-tree.png"):
        if os.path.exists(os.path.join(BUILD, name)):
            os.remove(os.path.join(BUILD, name))
    r = subprocess.run(["node", os.path.join(HERE, "page_test.js"), base, SAMPLE, BUILD],
                       capture_output=True, text=True, timeout=600, cwd=HERE)
    lines = r.stdout.strip().splitlines()
    assert lines, r.stderr[-2000:]
    out = json.loads(lines[-1])
    print(json.dumps(out, indent=1)[:6000])
    assert "fatal" not in out, out.get("fatal")
    assert {"entities", "sentiment", "summary"} <= set(out["features"])
    assert out["error_after_sample"] == ""
    # "Hassoumi Massoudou" is highlighted as a person.
    assert out["person_marks"] and all(m.startswith("PERSON ") and "t-person" in m for m in out["person_marks"])
    # The three summary sentences are marked, and each is in the summary text.
    assert out["summary_marked"] == 3
    assert out["summary_text"]
    assert out["tinted_sentences"] > 0
    assert out["text_preserved"], "the highlighted text is not the document"
    assert [row[0] for row in out["run_statuses"]] and all(row[3] == "OK" for row in out["run_statuses"])
    assert {row[0] for row in out["run_statuses"]} >= {"entity", "sentiment", "summary"}
    assert "PERSON" in out["tooltip"] and "Hassoumi Massoudou" in out["tooltip"] and "salience" in out["tooltip"]
    assert out["salience_default"] == sorted(out["salience_default"], reverse=True)
    assert out["salience_after_click"] == sorted(out["salience_after_click"])
    assert out["salience_sort"] == "ascending"
    assert out["keyboard_jump"], "Enter on an entity in the table did not move focus to its mention"
    # A bad request shows the server's own message.
    assert "no-such-feature" in out["error_from_server"]
    assert out["error_from_server"] in out["error_shown"]
    assert out["narrow_overflow_px"] <= 1, "the page is wider than a 360 px window"
    # 1 MiB: analyzed, rendered in full, and the tab never blocked for long.
    assert out["big_bytes"] > 1_000_000
    assert out["big_error"] == ""
    assert out["big_text_preserved"]
    assert out["big_marks"] > 1000
    assert out["big_longest_task_ms"] < 1500, f"main thread blocked {out['big_longest_task_ms']} ms"
    # Without the syntax feature the page says it was not requested, and draws no tree.
    assert "not requested" in out["syntax_note_without"] and out["tree_shown_without"] == 0
    # With it: "The cat sat on the mat." drawn as 7 words, 6 arcs and one root, UPOS tags and labels under and on
    # them; the second sentence ("She has two dogs.") when picked.
    assert out["tree_error"] == ""
    assert len(out["tree_sentences"]) == 2
    first = out["tree_first"]
    assert first["words"] == ["The", "cat", "sat", "on", "the", "mat", "."]
    assert len(first["tags"]) == 7 and "NOUN" in first["tags"] and "VERB" in first["tags"]
    assert first["roots"] == 1 and first["arcs"] == 6
    assert "nsubj" in first["labels"] and "root" in first["labels"] and len(first["labels"]) == 7
    assert first["box"][0] > 100 and first["box"][1] > 50
    assert out["tree_second"]["words"] == ["She", "has", "two", "dogs", "."]
    assert out["tree_second"]["arcs"] == 4 and out["tree_second"]["roots"] == 1
    assert "nsubj" in out["tree_second"]["labels"]
    assert os.path.getsize(os.path.join(BUILD, "http-page-tree.png")) > 1000
    assert out["external_requests"] == []
    # Chromium logs every non-2xx fetch; the page's own requests that were meant to fail are the only ones allowed.
    assert [e for e in out["console_errors"] if "status of 400" not in e] == []
    assert os.path.getsize(os.path.join(BUILD, "http-page.png")) > 10000
    assert os.path.getsize(os.path.join(BUILD, "http-page-narrow.png")) > 1000
