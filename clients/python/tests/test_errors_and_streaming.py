"""The error hierarchy, the failure helpers, and streaming with back-pressure and early stop."""
import resource
import threading
import time

import grpc
import pytest

import docanalysis
from docanalysis import (DocanalysisError, DocumentFailedError, InvalidRequestError, UnavailableError, pb)


def test_errors_are_typed_by_code_and_retryable_is_decided_by_code(client):
    with pytest.raises(InvalidRequestError) as err:
        client.analyze("Some text.", features=["no-such-feature-xyz"])
    assert isinstance(err.value, DocanalysisError)
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT and not err.value.retryable
    assert docanalysis.is_retryable(grpc.StatusCode.UNAVAILABLE)
    assert not docanalysis.is_retryable(grpc.StatusCode.DEADLINE_EXCEEDED)


def test_unreachable_server_is_a_retryable_unavailable_error():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with docanalysis.Client(f"127.0.0.1:{port}", timeout=10, max_attempts=1) as c:
        with pytest.raises(UnavailableError) as err:
            c.analyze("Paris.")
    assert err.value.retryable


def test_failed_documents_of_a_batch_become_errors(client):
    out = client.analyze_batch(["Paris is nice.", b"bad \xff bytes"], features=["sentiment"])
    failed = docanalysis.failed_documents(out)
    assert [r.document_id for r in failed] == ["1"]
    assert docanalysis.document_error(out[0]) is None
    e = docanalysis.document_error(out[1])
    assert isinstance(e, InvalidRequestError) and e.message
    with pytest.raises(DocumentFailedError) as err:
        docanalysis.raise_for_documents(out)
    assert err.value.documents == failed
    docanalysis.raise_for_documents(out[:1])  # nothing failed: no error


def test_failed_plugin_runs_helpers():
    ok = pb.AnalyzeResponse(plugin_runs=[pb.PluginRun(plugin="sentiment", code=0)])
    bad = pb.AnalyzeResponse(plugin_runs=[pb.PluginRun(plugin="sentiment", code=0),
                                          pb.PluginRun(plugin="entity", code=13, message="boom")])
    assert docanalysis.failed_plugin_runs(ok) == []
    docanalysis.raise_for_plugins(ok)
    assert [r.plugin for r in docanalysis.failed_plugin_runs(bad)] == ["entity"]
    with pytest.raises(docanalysis.PluginFailedError) as err:
        docanalysis.raise_for_plugins(bad)
    assert err.value.code == grpc.StatusCode.INTERNAL and "entity" in err.value.message


def test_stream_stops_early_and_stops_reading_the_input(client):
    """Breaking out of the loop cancels the call; the input generator is not read to its end (it is infinite)."""
    produced = [0]

    def endless():
        while True:
            produced[0] += 1
            yield f"Document {produced[0]}: Paris is nice."

    seen = 0
    stream = client.analyze_stream(endless(), features=["sentiment"])
    for r in stream:
        seen += 1
        if seen == 50:
            break
    stream.close()
    time.sleep(0.5)
    n = produced[0]
    time.sleep(0.5)
    assert produced[0] == n, "the input is still being read after the stream was closed"
    # The input is endless: that answers came at all shows it is read lazily (flow control decides how far ahead).


def test_stream_per_call_deadline_only_when_asked(client):
    def slow():
        for i in range(3):
            time.sleep(0.4)
            yield f"Document {i}."
    # no deadline by default, even though the client's unary default (30 s in the fixture) would not matter here
    assert len(list(client.analyze_stream(slow(), features=["sentiment"]))) == 3
    with pytest.raises(docanalysis.DeadlineExceededError):
        list(client.analyze_stream(slow(), features=["sentiment"], timeout=0.5))


def test_stream_100k_documents_with_bounded_memory(client):
    """100,000 short documents through one stream: the client's memory must not grow with the count."""
    n = 100_000
    rss = []

    def documents():
        for i in range(n):
            if i % 20_000 == 0:
                rss.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
            yield f"Doc {i}: Paris is nice."

    count = 0
    for r in client.analyze_stream(documents(), features=["sentiment"]):
        count += 1
    assert count == n
    rss.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    growth_mb = (rss[-1] - rss[1]) / 1024
    print(f"python stream of {n} documents: peak RSS {rss[1] / 1024:.0f} MB after 20k, {rss[-1] / 1024:.0f} MB at end")
    assert growth_mb < 64, rss


def test_per_call_metadata_and_deadline(client):
    r = client.analyze("Paris is nice.", features=["sentiment"], metadata=[("x-request-id", "abc-1")], timeout=30)
    assert len(r.sentences) == 1
    with pytest.raises(docanalysis.DeadlineExceededError):
        client.analyze("Paris is nice. " * 2000, features=["sentiment"], timeout=1e-6)


def test_plugin_admin_calls_with_a_token(tmp_path):
    import os
    from conftest import plugin_dir, server_binary
    from server_process import ServerProcess
    if not os.path.isfile(server_binary()):
        pytest.skip("needs the server binary (DOCANALYSIS_SERVER)")
    token = tmp_path / "token"
    token.write_text("s3cret\n")
    server = ServerProcess(server_binary(), plugin_dir(), "--admin_token_file", str(token))
    try:
        with docanalysis.Client(server.target, timeout=60, admin_token="s3cret") as c:
            names = {p.name for p in c.reload_plugins().plugins}
            assert "sentiment" in names
            c.unload_plugin("sentiment")
            assert "sentiment" not in {p.name for p in c.list_plugins().plugins if p.state == pb.PluginInfo.LOADED}
            assert c.load_plugin("sentiment").plugin.name == "sentiment"
            with pytest.raises(docanalysis.AuthError):
                c.reload_plugins(token="wrong")
        with docanalysis.Client(server.target, timeout=60) as c:  # no token
            with pytest.raises(docanalysis.AuthError):
                c.reload_plugins()
    finally:
        server.stop()
