"""TLS and mTLS with certificates made here by openssl: a plaintext client is refused by a TLS
server; under mTLS a client without a certificate, or with one from another CA, is refused; the
Python and Go clients connect with the right certificates."""
import os
import subprocess

import grpc
import pytest

from conftest import ROOT, pb_grpc, request


def openssl(cwd, *args):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    (d / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for ca in ("ca", "other"):
        openssl(d, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{ca}.key", "-out", f"{ca}.pem",
                "-days", "2", "-subj", f"/CN={ca}-test-ca")
    def leaf(name, ca, ext):
        openssl(d, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-subj", f"/CN={name}")
        openssl(d, "x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
                "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", *(["-extfile", "ext.cnf"] if ext else []))
    leaf("srv", "ca", True)
    leaf("cli", "ca", False)
    leaf("stranger", "other", False)
    return d


def read(d, name):
    return (d / name).read_bytes()


def call(target, creds=None):
    ch = grpc.secure_channel(target, creds, options=[("grpc.ssl_target_name_override", "localhost")]) \
        if creds else grpc.insecure_channel(target)
    try:
        pb_grpc.DocumentAnalysisStub(ch).Analyze(request("Paris."), timeout=5)
        return "OK"
    except grpc.RpcError as e:
        return e.code().name
    finally:
        ch.close()


def test_tls_server_refuses_plaintext(certs, server_factory):
    s = server_factory("--tls_cert", str(certs / "srv.pem"), "--tls_key", str(certs / "srv.key"))
    assert call(s.target, grpc.ssl_channel_credentials(read(certs, "ca.pem"))) == "OK"
    assert call(s.target) != "OK"


def test_mtls_refuses_clients_without_a_certificate_or_from_another_ca(certs, server_factory):
    s = server_factory("--tls_cert", str(certs / "srv.pem"), "--tls_key", str(certs / "srv.key"),
                       "--tls_client_ca", str(certs / "ca.pem"))
    ca = read(certs, "ca.pem")
    assert call(s.target, grpc.ssl_channel_credentials(ca, read(certs, "cli.key"), read(certs, "cli.pem"))) == "OK"
    assert call(s.target, grpc.ssl_channel_credentials(ca)) != "OK"
    assert call(s.target, grpc.ssl_channel_credentials(ca, read(certs, "stranger.key"),
                                                       read(certs, "stranger.pem"))) != "OK"
    assert call(s.target) != "OK"


def test_python_client_connects_with_mtls(certs, server_factory):
    from docanalysis import Client
    s = server_factory("--tls_cert", str(certs / "srv.pem"), "--tls_key", str(certs / "srv.key"),
                       "--tls_client_ca", str(certs / "ca.pem"))
    with Client(s.target, tls=True, root_certificates=read(certs, "ca.pem"), private_key=read(certs, "cli.key"),
                certificate_chain=read(certs, "cli.pem"), server_name="localhost") as c:
        r = c.analyze("Kurt M. Campbell met officials in Niamey.")
    assert "Kurt M. Campbell" in [e.name for e in r.entities]


def test_go_client_connects_with_mtls(certs, server_factory):
    s = server_factory("--tls_cert", str(certs / "srv.pem"), "--tls_key", str(certs / "srv.key"),
                       "--tls_client_ca", str(certs / "ca.pem"))
    here = os.path.join(ROOT, "tests", "hardening", "tlsgo")
    ok = subprocess.run(["go", "run", ".", "--target", s.target, "--ca", str(certs / "ca.pem"),
                         "--cert", str(certs / "cli.pem"), "--key", str(certs / "cli.key")],
                        cwd=here, capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr[-500:]
    assert "Kurt M. Campbell" in ok.stdout
    refused = subprocess.run(["go", "run", ".", "--target", s.target, "--ca", str(certs / "ca.pem")],
                             cwd=here, capture_output=True, text=True, timeout=300)
    assert refused.returncode == 1, refused.stderr[-500:]
