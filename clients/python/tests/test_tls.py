"""TLS and mutual TLS against a server of the suite's own, with a throwaway CA made by openssl."""
import grpc
import pytest

from conftest import start_tls_server
from docanalysis import AsyncClient, Client, DocanalysisError


@pytest.fixture(scope="module")
def tls_server(tls_files):
    server = start_tls_server(tls_files, mutual=False)
    yield server.target
    server.stop()


@pytest.fixture(scope="module")
def mtls_server(tls_files):
    server = start_tls_server(tls_files, mutual=True)
    yield server.target
    server.stop()


@pytest.fixture
def plaintext_target(target):
    return target


def _port(target):
    return target.rsplit(":", 1)[1]


def test_tls_with_private_ca(tls_server, tls_files):
    ca = (tls_files / "ca.pem").read_bytes()
    with Client(f"localhost:{_port(tls_server)}", tls=True, root_certificates=ca, timeout=30) as c:
        r = c.analyze("Angela Merkel visited Paris.", features=["sentiment"])
    assert r.sentences


def test_tls_rejects_an_unknown_server_certificate(tls_server):
    with Client(f"localhost:{_port(tls_server)}", tls=True, timeout=10, max_attempts=1) as c:  # system roots
        with pytest.raises(DocanalysisError) as err:
            c.analyze("Paris.")
    assert err.value.code == grpc.StatusCode.UNAVAILABLE


def test_plaintext_client_cannot_talk_to_tls_server(tls_server):
    with Client(tls_server, timeout=10, max_attempts=1) as c:
        with pytest.raises(DocanalysisError) as err:
            c.analyze("Paris.")
    assert err.value.code == grpc.StatusCode.UNAVAILABLE


def test_mutual_tls(mtls_server, tls_files):
    ca = (tls_files / "ca.pem").read_bytes()
    target = f"localhost:{_port(mtls_server)}"
    with Client(target, tls=True, root_certificates=ca, private_key=(tls_files / "client.key").read_bytes(),
                certificate_chain=(tls_files / "client.pem").read_bytes(), timeout=30) as c:
        assert c.analyze("Paris is lovely.", features=["sentiment"]).sentences
    with Client(target, tls=True, root_certificates=ca, timeout=10, max_attempts=1) as c:  # no client certificate
        with pytest.raises(DocanalysisError) as err:
            c.analyze("Paris.")
    assert err.value.code == grpc.StatusCode.UNAVAILABLE


def test_async_client_tls(tls_server, tls_files):
    import asyncio

    async def go():
        async with AsyncClient(f"localhost:{_port(tls_server)}", tls=True,
                               root_certificates=(tls_files / "ca.pem").read_bytes()) as c:
            return await c.analyze("Zürich is lovely 🎉.", features=["sentiment"])

    assert asyncio.run(go()).sentences


def test_cli_tls(tls_server, tls_files, tmp_path):
    import json
    import subprocess
    import sys

    doc = tmp_path / "d.txt"
    doc.write_text("Angela Merkel visited Paris.", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "docanalysis", "analyze", str(doc), "--target",
                        f"localhost:{_port(tls_server)}", "--ca-cert", str(tls_files / "ca.pem")],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["sentences"]


def test_ca_roots_without_tls_flag_still_mean_tls(tls_server, plaintext_target, tls_files):
    """CA roots given without tls=True used to fall back to plaintext silently: they now imply TLS, so the call
    reaches the TLS server and does not reach a plaintext one."""
    ca = (tls_files / "ca.pem").read_bytes()
    with Client(f"localhost:{_port(tls_server)}", root_certificates=ca, timeout=30) as c:
        assert c.analyze("Angela Merkel visited Paris.", features=["sentiment"]).sentences
    with Client(plaintext_target, root_certificates=ca, timeout=10, max_attempts=1) as c:
        with pytest.raises(DocanalysisError) as err:
            c.analyze("Paris.")
    assert err.value.code == grpc.StatusCode.UNAVAILABLE


def test_cli_mutual_tls_flags(mtls_server, tls_files, tmp_path):
    import json
    import subprocess
    import sys

    doc = tmp_path / "d.txt"
    doc.write_text("Angela Merkel visited Paris.", encoding="utf-8")
    base = [sys.executable, "-m", "docanalysis", "analyze", str(doc), "--target", f"localhost:{_port(mtls_server)}",
            "--json", "--tls-ca", str(tls_files / "ca.pem")]
    r = subprocess.run(base + ["--tls-cert", str(tls_files / "client.pem"), "--tls-key", str(tls_files / "client.key")],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["sentences"]
    r = subprocess.run(base + ["--timeout", "10"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 3 and "UNAVAILABLE" in r.stderr, r.stderr
