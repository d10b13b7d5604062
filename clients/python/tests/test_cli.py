"""`python -m docanalysis` against a live server, run from a folder that is not the source tree."""
import json
import subprocess
import sys

from conftest import MIXED_TEXT


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "docanalysis", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_cli_prints_response_json_with_proto_field_names(target, client, tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_text(MIXED_TEXT, encoding="utf-8")
    r = cli("analyze", str(doc), "--target", target, "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["entities"] and out["sentences"]
    assert "document_sentiment" in out and "plugin_runs" in out  # proto field names, not lowerCamelCase
    for e in out["entities"]:
        for m in e["mentions"]:
            t = m["text"]
            assert MIXED_TEXT[t.get("begin_offset", 0):t["end_offset"]] == t["content"]


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
            assert raw[t.get("begin_offset", 0):t["end_offset"]].decode("utf-8") == t["content"]


def test_cli_reports_server_status_and_exits_non_zero(target, client, tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_text("Some text.", encoding="utf-8")
    r = cli("analyze", str(doc), "--target", target, "--features", "no-such-feature-xyz", cwd=tmp_path)
    assert r.returncode == 1
    assert "INVALID_ARGUMENT" in r.stderr


def test_cli_plugins(target, client, tmp_path):
    r = cli("plugins", "--target", target, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert {p["name"] for p in json.loads(r.stdout)["plugins"]}
