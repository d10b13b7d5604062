"""The CLI contract (clients/README.md) against a live server, run from a folder that is not the source tree."""
import json
import socket
import subprocess
import sys

from conftest import MIXED_TEXT


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "docanalysis", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_cli_prints_canonical_json(target, client, tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_text(MIXED_TEXT, encoding="utf-8")
    r = cli("analyze", str(doc), "--target", target, "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["entities"] and out["sentences"]
    # protobuf's canonical JSON mapping: lowerCamelCase names, enums by name, int64 as strings
    assert "documentSentiment" in out and "pluginRuns" in out and "document_sentiment" not in out
    assert all(isinstance(e["type"], str) for e in out["entities"])
    assert all(isinstance(p["latencyUs"], str) for p in out["pluginRuns"] if "latencyUs" in p)
    for e in out["entities"]:
        for m in e["mentions"]:
            t = m["text"]
            assert MIXED_TEXT[t.get("beginOffset", 0):t["endOffset"]] == t["content"]


def test_cli_encoding_and_features(target, client, tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_text(MIXED_TEXT, encoding="utf-8")
    r = cli("analyze", str(doc), "--target", target, "--features", "entities", "--encoding", "utf8", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    raw = MIXED_TEXT.encode("utf-8")
    assert "summary" not in out
    for e in out["entities"]:
        for m in e["mentions"]:
            t = m["text"]
            assert raw[t.get("beginOffset", 0):t["endOffset"]].decode("utf-8") == t["content"]


def test_cli_several_files_one_line_each(target, client, tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Angela Merkel visited Paris.", encoding="utf-8")
    b.write_text("Tim Cook lives in California. He likes it.", encoding="utf-8")
    r = cli("analyze", str(a), str(b), "--target", target, "--features", "sentiment", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert [len(json.loads(x)["sentences"]) for x in lines] == [1, 2]


def test_cli_option_reaches_the_plugin(target, client, tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_text(MIXED_TEXT, encoding="utf-8")
    r = cli("analyze", str(doc), "--target", target, "--features", "summary", "--option", "summary.max_sentences=1",
            cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)["summary"]["sentences"]) == 1


def test_cli_failed_call_exits_3_with_the_status(target, client, tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_text("Some text.", encoding="utf-8")
    r = cli("analyze", str(doc), "--target", target, "--features", "no-such-feature-xyz", cwd=tmp_path)
    assert r.returncode == 3
    assert "INVALID_ARGUMENT" in r.stderr


def test_cli_unreachable_server_exits_3(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    doc = tmp_path / "doc.txt"
    doc.write_text("Some text.", encoding="utf-8")
    r = cli("analyze", str(doc), "--target", f"127.0.0.1:{port}", "--timeout", "5", cwd=tmp_path)
    assert r.returncode == 3, r.stderr
    assert "UNAVAILABLE" in r.stderr or "DEADLINE_EXCEEDED" in r.stderr


def test_cli_usage_errors_exit_2_with_one_line(target, tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_text("Some text.", encoding="utf-8")
    for args in (["--timeout", "abc"], ["--timeout", "-1"], ["--option", "novalue"], ["--encoding", "latin1"],
                 ["--no-such-flag"], ["--tls-cert", str(doc)]):
        r = cli("analyze", str(doc), "--target", target, *args, cwd=tmp_path)
        assert r.returncode == 2, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr, (args, r.stderr)
    r = cli("analyze", str(tmp_path / "missing.txt"), "--target", target, cwd=tmp_path)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    r = cli("frobnicate", cwd=tmp_path)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_cli_plugins(target, client, tmp_path):
    r = cli("plugins", "--target", target, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert {p["name"] for p in json.loads(r.stdout)["plugins"]}
