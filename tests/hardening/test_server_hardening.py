"""Hardening of the real server: flags checked at start, honest health, admin surface, hostile
inputs, cancellation that stops CPU, and the standard tools (grpcurl) against it."""
import json
import os
import shutil
import subprocess
import threading
import time

import grpc
import pytest

from conftest import (FIXTURES, PLUGINS, SERVER, Server, health_pb2, health_pb2_grpc, pb, pb_grpc, request,
                      sample_text)

MB = 1 << 20


@pytest.mark.parametrize("flag", [
    "--max_document_bytes=-1", "--max_document_bytes=0", "--max_queued=-5", "--max_queued=0",
    "--worker_threads=-2", "--max_batch_documents=0", "--plugin_timeout_ms=-1", "--watch_interval_ms=-1",
    "--max_message_bytes=0", "--max_concurrent_streams=0", "--max_inflight_bytes=-1", "--shutdown_timeout_ms=0",
    "--max_document_bytes=4294967296", "--log_level=loud", "--tls_cert=/nonexistent",
])
def test_bad_flag_stops_the_server_with_status_2(flag):
    p = subprocess.run([SERVER, "--listen", "127.0.0.1:0", "--plugin_dir", PLUGINS, flag],
                       capture_output=True, text=True, timeout=20)
    assert p.returncode == 2, (flag, p.returncode, p.stderr[-300:])
    assert "docanalysis-server:" in p.stderr
    assert "listening on" not in p.stdout


def health_status(target):
    stub = health_pb2_grpc.HealthStub(grpc.insecure_channel(target))
    try:
        return stub.Check(health_pb2.HealthCheckRequest(), timeout=3).status
    except grpc.RpcError as e:
        return e.code().name


def wait_for(pred, timeout=8.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


def test_health_follows_the_required_plugins(tmp_path, server_factory):
    plugins = tmp_path / "plugins"
    plugins.mkdir(mode=0o755)
    s = server_factory("--require_plugins", "entity", "--watch_interval_ms=100", "--quiet_period_ms=100",
                       "--plugin_removal_grace_ms=0", plugin_dir=str(plugins))
    SERVING = health_pb2.HealthCheckResponse.SERVING
    time.sleep(0.5)
    assert health_status(s.target) != SERVING
    shutil.copytree(os.path.join(PLUGINS, "entity"), plugins / ".entity.tmp")
    os.rename(plugins / ".entity.tmp", plugins / "entity")
    assert wait_for(lambda: health_status(s.target) == SERVING), "not SERVING after the required plugin arrived"
    shutil.rmtree(plugins / "entity")
    assert wait_for(lambda: health_status(s.target) != SERVING), "still SERVING after the required plugin was lost"


def test_builtin_plugins_are_required_by_default(plugin_copy, server_factory):
    s = server_factory("--watch_interval_ms=100", "--plugin_removal_grace_ms=0", plugin_dir=str(plugin_copy))
    SERVING = health_pb2.HealthCheckResponse.SERVING
    assert wait_for(lambda: health_status(s.target) == SERVING)
    shutil.move(str(plugin_copy / "sentiment"), str(plugin_copy.parent / "sentiment-moved-out"))
    assert wait_for(lambda: health_status(s.target) != SERVING), "SERVING without the built-in sentiment plugin"
    shutil.move(str(plugin_copy.parent / "sentiment-moved-out"), str(plugin_copy / "sentiment"))
    assert wait_for(lambda: health_status(s.target) == SERVING)


def test_list_plugins_hides_paths_and_errors_from_callers_without_the_admin_token(plugin_copy, tmp_path,
                                                                                   server_factory):
    bad = plugin_copy / "broken"
    bad.mkdir()
    (bad / "plugin.json").write_text(json.dumps({"name": "broken", "version": "1", "abi_version": "1.0",
                                                 "library": "libmissing.so", "provides": ["broken"]}))
    token = tmp_path / "token"
    token.write_text("s3cret\n")
    os.chmod(token, 0o600)
    s = server_factory("--admin_token_file", str(token), plugin_dir=str(plugin_copy))
    anon = s.stub().ListPlugins(pb.ListPluginsRequest(), timeout=5)
    assert anon.plugins
    for p in anon.plugins:
        assert p.path == ""
        assert str(plugin_copy) not in p.last_error
    broken = [p for p in anon.plugins if p.name == "broken"][0]
    assert broken.last_error and "server log" in broken.last_error
    admin = s.stub().ListPlugins(pb.ListPluginsRequest(), timeout=5, metadata=(("authorization", "Bearer s3cret"),))
    assert any(p.path.startswith(str(plugin_copy)) for p in admin.plugins)
    assert "libmissing.so" in [p for p in admin.plugins if p.name == "broken"][0].last_error


def test_admin_service_listens_on_its_own_address(tmp_path, server_factory):
    token = tmp_path / "token"
    token.write_text("s3cret\n")
    os.chmod(token, 0o600)
    s = server_factory("--admin_token_file", str(token), "--admin_listen", "127.0.0.1:0")
    assert s.admin_target and s.admin_target != s.target
    md = (("authorization", "Bearer s3cret"),)
    reload = "/docanalysis.v1.PluginAdmin/ReloadPlugins"
    on_main = s.channel().unary_unary(reload, request_serializer=None, response_deserializer=None)
    with pytest.raises(grpc.RpcError) as e:
        on_main(b"", timeout=5, metadata=md)
    assert e.value.code() == grpc.StatusCode.UNIMPLEMENTED
    on_admin = s.channel(s.admin_target).unary_unary(reload, request_serializer=None, response_deserializer=None)
    on_admin(b"", timeout=10, metadata=md)  # OK
    with pytest.raises(grpc.RpcError) as e:
        on_admin(b"", timeout=5, metadata=(("authorization", "Bearer wrong"),))
    assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED


HOSTILE = [
    ("a_ run", "a_" * (MB // 2 - 64), False),
    ("url + parens", "http://a.b/" + ")" * (MB - 128), False),
    ("closing quotes", "x\"" + ")\"" * (MB // 2 - 64), False),
    ("table nesting", "<table><tr><td>" * (MB // 15 - 8), True),
    ("b nesting", "<b>" * (MB // 3 - 8), True),
    ("div nesting", "<div>" * (MB // 5 - 8), True),
    ("p b misnesting", "<p><b>x</p>" * (MB // 11 - 8), True),
    ("ampersands", "&amp" * (MB // 4 - 8), True),
]


@pytest.mark.parametrize("name,text,html", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_megabyte_answers_quickly_and_the_server_stays_up(name, text, html, server_factory):
    s = server_factory("--max_document_bytes=2097152")
    t = time.monotonic()
    try:
        s.stub().Analyze(request(text, ("entities", "sentiment", "summary"), html=html), timeout=30)
        code = "OK"
    except grpc.RpcError as e:
        code = e.code().name
    elapsed = time.monotonic() - t
    assert s.proc.poll() is None, f"{name} killed the server"
    assert code in ("OK", "INVALID_ARGUMENT", "RESOURCE_EXHAUSTED"), code
    assert elapsed < 10, f"{name}: {elapsed:.1f} s (quadratic work takes minutes at this size)"


def test_work_past_the_deadline_stops_costing_cpu(server_factory):
    """Requests whose deadline passes mid-pipeline stop using CPU within 100 ms."""
    s = server_factory("--worker_threads=2", "--max_queued=64")
    stub = s.stub()
    prose = sample_text()
    doc = (prose + "\n\n") * (MB // (len(prose.encode()) + 2))
    hostile = "A. " * (MB // 3 - 8)
    threads = []
    deadline_s = 0.15

    def call(text):
        try:
            stub.Analyze(request(text, ("entities", "sentiment", "summary")), timeout=deadline_s)
        except grpc.RpcError:
            pass

    stub.Analyze(request("warm up"), timeout=10)
    start = time.monotonic()
    for i in range(12):
        th = threading.Thread(target=call, args=(doc if i % 2 else hostile,))
        th.start()
        threads.append(th)
    for th in threads:
        th.join()
    # every deadline has passed; allow 100 ms for work to notice, then measure
    time.sleep(max(0.0, start + deadline_s + 0.1 - time.monotonic()))
    time.sleep(0.2)  # requests still being sent when the clock started
    cpu0 = s.cpu_seconds()
    time.sleep(1.0)
    used = s.cpu_seconds() - cpu0
    assert used < 0.1, f"server used {used:.2f} CPU-seconds in the second after every deadline had passed"
    assert s.proc.poll() is None


def test_batch_with_one_invalid_document_answers_the_others(server_factory):
    s = server_factory()
    batch = pb.AnalyzeBatchRequest()
    batch.requests.append(request("Kurt M. Campbell met officials in Niamey."))
    bad = batch.requests.add()
    bad.document.raw_content = b"\xff\xfe not utf-8"
    batch.requests.append(request("The talks went well.", ("sentiment",)))
    batch.requests.append(request("x", ("no-such-feature",)))
    r = s.stub().AnalyzeBatch(batch, timeout=30)
    assert len(r.responses) == 4
    assert r.responses[0].error.code == 0 and r.responses[0].entities
    assert r.responses[1].error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert r.responses[2].error.code == 0 and r.responses[2].HasField("document_sentiment")
    assert r.responses[3].error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]


def test_a_thousand_concurrent_streams(server_factory):
    s = server_factory("--max_queued=2048")
    channels = [s.channel() for _ in range(4)]
    stubs = [pb_grpc.DocumentAnalysisStub(c) for c in channels]
    results, lock = [], threading.Lock()

    def gen(i):
        for k in range(2):
            yield request(f"Stream {i} document {k} mentions Paris.", ("entities",))

    calls = [stubs[i % 4].AnalyzeStream(gen(i), timeout=120) for i in range(1000)]

    def drain(call):
        n = 0
        for resp in call:
            n += resp.error.code == 0
        with lock:
            results.append(n)

    threads = [threading.Thread(target=drain, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert len(results) == 1000
    busy = sum(2 - n for n in results)
    assert busy == 0, f"{busy} of 2000 stream documents failed"
    assert s.proc.poll() is None


def test_clients_that_disconnect_mid_request_leak_nothing(server_factory):
    s = server_factory("--worker_threads=2")
    prose = sample_text()
    doc = (prose + "\n\n") * (MB // (len(prose.encode()) + 2))
    stub = s.stub()
    stub.Analyze(request(doc), timeout=60)  # warm: plugins and allocator at steady state

    def fds():
        return len(os.listdir(f"/proc/{s.proc.pid}/fd"))

    def threads():
        return len(os.listdir(f"/proc/{s.proc.pid}/task"))

    base_fds, base_threads, base_rss = fds(), threads(), s.rss_kb()
    for round_ in range(5):
        ch = s.channel()
        st = pb_grpc.DocumentAnalysisStub(ch)
        futures = [st.Analyze.future(request(doc), timeout=60) for _ in range(8)]
        time.sleep(0.05)
        for f in futures:
            f.cancel()
        ch.close()
    time.sleep(1.5)
    assert stub.Analyze(request("Still here in Paris."), timeout=10).entities
    assert fds() <= base_fds + 4
    assert threads() <= base_threads + 2
    assert s.rss_kb() < base_rss * 1.5 + 50_000


def grpcurl():
    path = os.environ.get("GRPCURL") or shutil.which("grpcurl")
    if not path:
        pytest.fail("grpcurl not found: tests/hardening/run.sh installs it (go install github.com/fullstorydev/grpcurl)")
    return path


def test_grpcurl_lists_describes_checks_health_and_analyzes(server_factory):
    s = server_factory()
    g = grpcurl()
    run = lambda *a, data=None: subprocess.run([g, "-plaintext", *(["-d", data] if data else []), s.target, *a],
                                                capture_output=True, text=True, timeout=30)
    lst = run("list")
    assert lst.returncode == 0, lst.stderr
    assert "docanalysis.v1.DocumentAnalysis" in lst.stdout and "grpc.health.v1.Health" in lst.stdout
    desc = run("describe", "grpc.health.v1.Health")
    assert desc.returncode == 0, desc.stderr
    assert "rpc Check" in desc.stdout
    health = run("grpc.health.v1.Health/Check")
    assert health.returncode == 0, health.stderr
    assert '"status": "SERVING"' in health.stdout
    an = run("docanalysis.v1.DocumentAnalysis/Analyze",
             data=json.dumps({"document": {"content": "Kurt M. Campbell met officials in Niamey."},
                              "features": ["entities"]}))
    assert an.returncode == 0, an.stderr
    names = [e["name"] for e in json.loads(an.stdout)["entities"]]
    assert "Kurt M. Campbell" in names
