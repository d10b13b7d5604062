"""Faults under load: plugins replaced the way operators do it (move the old folder out, the new
one in) while 16 clients keep calling; a plugin that hangs; folder permission and symlink rules."""
import os
import shutil
import threading
import time

import grpc
import pytest

from conftest import FIXTURES, PLUGINS, request


def test_a_hundred_replacements_under_load_lose_no_request(plugin_copy, tmp_path, server_factory):
    s = server_factory("--watch_interval_ms=50", "--quiet_period_ms=100", plugin_dir=str(plugin_copy))
    stub = s.stub()
    text = "Kurt M. Campbell met officials in Niamey. The talks went well. Everyone was pleased."
    stop = threading.Event()
    ok, failed, errors = [0], [0], []
    lock = threading.Lock()

    def client():
        ch = s.channel()
        st = __import__("conftest").pb_grpc.DocumentAnalysisStub(ch)
        while not stop.is_set():
            try:
                r = st.Analyze(request(text, ("entities", "sentiment", "summary")), timeout=20)
                good = all(run.code == 0 for run in r.plugin_runs) and len(r.plugin_runs) == 3
                err = None if good else str(r.plugin_runs)
            except grpc.RpcError as e:
                good, err = False, f"{e.code().name}: {e.details()}"
            with lock:
                if good:
                    ok[0] += 1
                else:
                    failed[0] += 1
                    if len(errors) < 5:
                        errors.append(err)
        ch.close()

    threads = [threading.Thread(target=client) for _ in range(16)]
    for t in threads:
        t.start()
    time.sleep(2.0)
    rss_start = s.rss_kb()
    staged = tmp_path / "staged"
    for i in range(100):
        name = ("entity", "sentiment", "summary")[i % 3]
        new = staged / f"{name}-{i}"
        shutil.copytree(os.path.join(PLUGINS, name), new)
        old = tmp_path / f"old-{name}-{i}"
        os.rename(plugin_copy / name, old)  # the old folder out ...
        os.rename(new, plugin_copy / name)  # ... and the new one in
        time.sleep(0.25)
        shutil.rmtree(old)
    time.sleep(2.0)
    rss_end = s.rss_kb()
    stop.set()
    for t in threads:
        t.join()
    assert failed[0] == 0, f"{failed[0]} of {ok[0] + failed[0]} requests failed: {errors}"
    assert ok[0] > 100
    assert rss_end <= rss_start * 1.10, f"resident memory grew from {rss_start} kB to {rss_end} kB"
    print(f"replacements: 100, requests OK: {ok[0]}, failed: {failed[0]}, RSS {rss_start} -> {rss_end} kB")


def test_hanging_plugin_answers_by_the_deadline(tmp_path, server_factory):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    for name in ("hang", "good"):
        shutil.copytree(os.path.join(FIXTURES, name), plugins / name)
    s = server_factory(plugin_dir=str(plugins))
    stub = s.stub()
    results = []

    def call():
        t = time.monotonic()
        r = stub.Analyze(request("Alice met Bob.", ("hang", "good")), timeout=10)
        results.append((time.monotonic() - t, {run.plugin: run.code for run in r.plugin_runs}))

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8
    for elapsed, codes in results:
        assert codes["hang"] == grpc.StatusCode.DEADLINE_EXCEEDED.value[0]
        assert codes["good"] == 0
        assert elapsed < 5


def loaded_names(s):
    from conftest import pb
    return {p.name for p in s.stub().ListPlugins(pb.ListPluginsRequest(), timeout=5).plugins if p.state == 1}


def test_unsafe_plugin_folders_are_refused(tmp_path, server_factory):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    os.chmod(plugins, 0o755)
    shutil.copytree(os.path.join(FIXTURES, "good"), plugins / "good")
    shutil.copytree(os.path.join(FIXTURES, "echo"), plugins / "echo")
    os.chmod(plugins / "echo", 0o777)                    # world-writable folder
    outside = tmp_path / "outside"
    shutil.copytree(os.path.join(FIXTURES, "keywords"), outside)
    os.symlink(outside, plugins / "keywords")           # a symlink that leads outside the plugin folder
    s = server_factory(plugin_dir=str(plugins))
    assert loaded_names(s) == {"good"}
    end = time.monotonic() + 5
    while time.monotonic() < end and "leads outside the plugin folder" not in "".join(s.stderr):
        time.sleep(0.1)
    log = "".join(s.stderr)
    assert "writable by every user" in log and "leads outside the plugin folder" in log
    s.stop()
    relaxed = server_factory("--allow_unsafe_plugins", plugin_dir=str(plugins))
    assert loaded_names(relaxed) == {"good", "echo", "keywords"}


def test_library_copies_live_in_private_directories(tmp_path, server_factory):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    os.chmod(tmpdir, 0o700)
    env_tmp = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(tmpdir)
    try:
        s = server_factory()
    finally:
        if env_tmp is None:
            del os.environ["TMPDIR"]
        else:
            os.environ["TMPDIR"] = env_tmp
    assert s.stub().Analyze(request("Paris."), timeout=10).plugin_runs
    # every copy was opened from a fresh mkdtemp directory and removed at once: nothing is left
    # (an isolated plugin keeps its staged copy for its workers in a 0700 mkdtemp directory)
    for left in os.listdir(tmpdir):
        st = os.stat(tmpdir / left)
        assert left.startswith("docanalysis-worker-") and (st.st_mode & 0o777) == 0o700, left
    maps = open(f"/proc/{s.proc.pid}/maps").read()
    libs = {line.split(None, 5)[5] for line in maps.splitlines() if "docanalysis-plugin-" in line}
    assert libs, "plugin libraries not mapped from private copies"
    for lib in libs:
        parent = os.path.dirname(lib.replace(" (deleted)", ""))
        assert parent.startswith(str(tmpdir) + "/docanalysis-plugin-") and len(os.path.basename(parent)) > 20
