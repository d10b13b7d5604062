"""The plugin SDK end to end: install, build out of tree, check, load into a running server, call from clients.

Everything goes through the installed prefix: the server binary, the checker, the built-in plugins, and the SDK
that the three example plugins (examples/plugins/{quotes,langid,readability}) are built against with their own
build.sh. Nothing here reaches into the source tree's headers.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tools", "testing"))
from server_process import ServerProcess  # noqa: E402

BUILD = os.environ.get("DOCANALYSIS_BUILD_DIR", os.path.join(REPO, "build"))
EXAMPLES = ["quotes", "langid", "readability"]
BUILTINS = ["entity", "sentiment", "summary"]
CYCLES = os.environ.get("SDK_E2E_CYCLES", "1000")
SAMPLE = os.path.join(os.environ.get("DOCANALYSIS_SHARED_DIR", os.path.join(REPO, "..", "shared")), "samples",
                      "000_ac263380b61652b0.txt")


def run(cmd, timeout=1200, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    assert r.returncode == 0, f"{' '.join(cmd)} exited {r.returncode}:\n{(r.stdout + r.stderr)[-3000:]}"
    return r.stdout


@pytest.fixture(scope="session")
def prefix(tmp_path_factory):
    p = str(tmp_path_factory.mktemp("sdk") / "prefix")
    run(["cmake", "--install", BUILD, "--prefix", p])
    return p


@pytest.fixture(scope="session")
def built(prefix, tmp_path_factory):
    """The three examples, each built by its build.sh against the installed SDK: name -> plugin folder."""
    out = tmp_path_factory.mktemp("examples")
    folders = {}
    for name in EXAMPLES:
        folder = str(out / name)
        run(["bash", os.path.join(REPO, "examples", "plugins", name, "build.sh"), prefix, folder])
        folders[name] = folder
    return folders


@pytest.fixture(scope="session")
def all_plugins(prefix, built, tmp_path_factory):
    """One folder with the installed built-ins and the examples, as an operator would lay it out."""
    d = tmp_path_factory.mktemp("all-plugins")
    for name in BUILTINS:
        shutil.copytree(os.path.join(prefix, "lib", "docanalysis", "plugins", name), d / name)
    for name, folder in built.items():
        shutil.copytree(folder, d / name)
    return str(d)


def test_install_layout(prefix):
    for rel in ["bin/docanalysis-server", "bin/docanalysis-plugin-check", "include/docanalysis/plugin_abi.h",
                "include/docanalysis/plugin.h", "share/docanalysis-plugin-sdk/template/CMakeLists.txt",
                "share/doc/docanalysis-plugin-sdk/README.md"]:
        assert os.path.exists(os.path.join(prefix, rel)), rel
    assert glob.glob(os.path.join(prefix, "lib*", "cmake", "docanalysis-plugin-sdk", "docanalysis-plugin-sdkConfig.cmake"))
    for name in BUILTINS:
        assert os.path.exists(os.path.join(prefix, "lib", "docanalysis", "plugins", name, "plugin.json")), name


def test_template_builds_against_the_installed_sdk(prefix, tmp_path):
    src = tmp_path / "my_plugin"
    shutil.copytree(os.path.join(prefix, "share", "docanalysis-plugin-sdk", "template"), src)
    run(["bash", str(src / "build.sh"), prefix, str(tmp_path / "out" / "my_plugin")])
    assert os.path.exists(tmp_path / "out" / "my_plugin" / "libmy_plugin.so")


def test_examples_use_no_path_into_the_source_tree():
    for name in EXAMPLES:
        for f in glob.glob(os.path.join(REPO, "examples", "plugins", name, "**", "*"), recursive=True):
            if os.path.isfile(f) and f.endswith((".txt", ".cmake", ".sh", ".toml", ".rs", ".c", ".cc", ".h")):
                text = open(f, encoding="utf-8", errors="replace").read()
                for bad in ("plugins/sdk", "service/", "../../.."):
                    assert bad not in text, f"{f} refers to {bad}"


@pytest.mark.parametrize("name", BUILTINS + EXAMPLES)
def test_checker_passes(prefix, all_plugins, name):
    checker = os.path.join(prefix, "bin", "docanalysis-plugin-check")
    r = subprocess.run([checker, os.path.join(all_plugins, name), "--cycles", CYCLES], capture_output=True, text=True,
                       timeout=1200)
    print(r.stdout)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-1000:]
    assert "VERDICT: PASS" in r.stdout


def test_checker_fails_a_plugin_with_a_missing_library(prefix, tmp_path):
    bad = tmp_path / "broken"
    bad.mkdir()
    (bad / "plugin.json").write_text(json.dumps({"name": "broken", "version": "1", "abi_version": "1.1",
                                                 "library": "libbroken.so", "provides": ["broken"]}))
    r = subprocess.run([os.path.join(prefix, "bin", "docanalysis-plugin-check"), str(bad)], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 1
    assert "VERDICT: FAIL" in r.stdout


def client_bin(lang):
    return os.path.join(REPO, "clients", lang, "bin", f"docanalysis-{lang}")


def clients():
    wanted = os.environ.get("SDK_E2E_CLIENTS", "python node go java cpp").split()
    return [c for c in wanted if os.access(client_bin(c), os.X_OK)]


def get(d, snake):
    """A field by its proto name or its lowerCamel JSON name (clients print either)."""
    if snake in d:
        return d[snake]
    parts = snake.split("_")
    return d.get(parts[0] + "".join(p.title() for p in parts[1:]))


def plugins(target):
    out = json.loads(run([client_bin("python"), "plugins", "--target", target, "--json"], timeout=600))
    return {p["name"]: p for p in get(out, "plugins") or []}


def wait_for(target, names, timeout=30):
    deadline = time.time() + timeout
    while True:
        listed = plugins(target)
        if all(n in listed for n in names) or time.time() > deadline:
            return listed
        time.sleep(0.5)


@pytest.fixture(scope="module")
def live(prefix, built, tmp_path_factory):
    """The installed server on the installed built-ins; the examples are copied in while it runs."""
    d = tmp_path_factory.mktemp("live-plugins")
    for name in BUILTINS:
        shutil.copytree(os.path.join(prefix, "lib", "docanalysis", "plugins", name), d / name)
    server = ServerProcess(os.path.join(prefix, "bin", "docanalysis-server"), str(d), "--watch_interval_ms=200")
    try:
        before = wait_for(server.target, BUILTINS)
        for name, folder in built.items():  # as a third party installs a plugin: copy aside, then rename
            shutil.copytree(folder, d / f".{name}.tmp")
            os.rename(d / f".{name}.tmp", d / name)
        after = wait_for(server.target, EXAMPLES)
        yield server.target, before, after, server
    finally:
        server.stop()


def test_examples_go_live_without_a_restart(live):
    target, before, after, server = live
    assert not any(n in before for n in EXAMPLES)
    for name in EXAMPLES:
        assert name in after, f"{name} not listed: {sorted(after)}"
        state = get(after[name], "state")
        assert state in ("LOADED", 1), f"{name}: {after[name]}"
    assert server.proc.poll() is None  # the same process all along


@pytest.mark.parametrize("lang", clients())
def test_clients_see_the_example_results(live, lang, tmp_path):
    target = live[0]
    doc = tmp_path / "sample.txt"
    shutil.copy(SAMPLE, doc)
    out = json.loads(run([client_bin(lang), "analyze", str(doc), "--target", target,
                          "--features", "entities,quotes,language,readability", "--json"], timeout=900))
    runs = {get(r, "plugin"): get(r, "code") or 0 for r in get(out, "plugin_runs")}
    assert set(runs) >= {"entity", "quotes", "langid", "readability"}, runs
    assert all(code == 0 for code in runs.values()), runs
    assert get(out, "language") == "en"  # from the langid label: the request left it empty
    labels = {get(l, "name"): get(l, "value") for l in get(out, "labels") or []}
    assert labels.get("language") == "en", labels
    for k in ("flesch_reading_ease", "flesch_kincaid_grade", "sentence_count", "word_count"):
        assert k in labels, labels
    assert 0 < float(labels["flesch_kincaid_grade"]) < 25
    assert int(labels["word_count"]) > 300
    quotes = [a for a in get(out, "annotations") or [] if get(a, "plugin") == "quotes"]
    text = open(SAMPLE, encoding="utf-8").read()
    welcome = [q for q in quotes if "welcomes the CNSP" in get(get(q, "text"), "content")]
    assert len(welcome) == 1, quotes
    attrs = get(welcome[0], "attributes")
    assert attrs.get("speaker") == "a U.S. official", attrs
    assert attrs.get("speaker_type") == "description"
    persons = {get(e, "name") for e in get(out, "entities") or [] if get(e, "type") in ("PERSON", 1)}
    for q in quotes:  # never a wrong person: a person speaker must be one the entity plugin found
        a = get(q, "attributes") or {}
        if a.get("speaker_type") == "person":
            assert a["speaker"] in persons or any(a["speaker"] in p for p in persons), (a, persons)
    assert "illegal" not in [get(get(q, "text"), "content") for q in quotes]  # a scare quote is no quotation
    assert text  # the document the spans index


def test_a_plugin_whose_needs_are_missing_is_refused_with_a_clear_message(prefix, built, tmp_path):
    d = tmp_path / "plugins"
    shutil.copytree(built["quotes"], d / "quotes")
    shutil.copytree(built["langid"], d / "langid")
    log = tmp_path / "server.log"
    with open(log, "w") as err:
        proc = subprocess.Popen([os.path.join(prefix, "bin", "docanalysis-server"), "--listen", "127.0.0.1:0",
                                 "--plugin_dir", str(d)], stdout=subprocess.PIPE, stderr=err, text=True)
    try:
        target = None
        for line in proc.stdout:  # the first lines say where it listens
            m = re.search(r"listening on (\S+:\d+)", line)
            if m:
                target = m.group(1)
                break
        assert target, "the server did not say where it listens"
        listed = wait_for(target, ["quotes", "langid"])
        assert get(listed["quotes"], "state") in ("FAILED", 2), listed["quotes"]  # callers see it is not served
        assert get(listed["langid"], "state") in ("LOADED", 1)
        # The reason, in the server's log (and in ListPlugins for admin callers).
        deadline = time.time() + 10
        refused = re.compile(r'plugin refused.*quotes.*needs feature \\*"entities\\*", which no loaded plugin provides')
        while not refused.search(log.read_text()) and time.time() < deadline:
            time.sleep(0.2)
        assert refused.search(log.read_text()), log.read_text()[-2000:]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
