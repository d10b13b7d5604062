"""The blocking Client against a live server."""
import grpc
import pytest

from conftest import MIXED_TEXT
from docanalysis import Client, DocanalysisError, pb


def _cp_offset(text, offset, encoding):
    """Converts an offset in `encoding` over `text` to a code point offset."""
    if encoding == "utf32":
        return offset
    if encoding == "utf16":
        return len(text.encode("utf-16-le")[:2 * offset].decode("utf-16-le"))
    return len(text.encode("utf-8")[:offset].decode("utf-8"))


def test_analyze_returns_entities_sentiment_summary(client):
    r = client.analyze(MIXED_TEXT, document_id="doc-1")
    assert r.document_id == "doc-1"
    assert r.sentences, "every response carries the sentences"
    assert r.entities, "the default features include entities"
    assert -1.0 <= r.document_sentiment.score <= 1.0
    assert r.summary.sentences
    ran = {run.plugin: run.code for run in r.plugin_runs}
    assert ran and all(code == 0 for code in ran.values()), ran


def test_code_point_offsets_slice_python_strings(client):
    r = client.analyze(MIXED_TEXT, features=["entities", "sentiment", "summary"])  # default encoding: code points
    assert r.entities
    names = [e.name for e in r.entities]
    # At least one entity sits after the emoji and accents, where bytes, UTF-16 units and code points differ.
    assert any(MIXED_TEXT.index(n) > MIXED_TEXT.index("Zürich") for n in names if n in MIXED_TEXT), names
    for e in r.entities:
        assert e.mentions
        for m in e.mentions:
            assert MIXED_TEXT[m.text.begin_offset:m.text.end_offset] == m.text.content, (e.name, m)
    for s in r.sentences:
        assert MIXED_TEXT[s.text.begin_offset:s.text.end_offset] == s.text.content
    for s in r.summary.sentences:
        assert MIXED_TEXT[s.text.begin_offset:s.text.end_offset] == s.text.content


@pytest.mark.parametrize("encoding", ["utf8", "utf16"])
def test_other_encodings_agree_with_code_points(client, encoding):
    base = client.analyze(MIXED_TEXT, features=["entities"], encoding="utf32")
    other = client.analyze(MIXED_TEXT, features=["entities"], encoding=encoding)
    raw = MIXED_TEXT.encode("utf-8" if encoding == "utf8" else "utf-16-le")
    unit = 1 if encoding == "utf8" else 2
    spans = lambda r, conv: sorted((e.name, conv(m.text.begin_offset), conv(m.text.end_offset))
                                   for e in r.entities for m in e.mentions)
    assert spans(other, lambda o: _cp_offset(MIXED_TEXT, o, encoding)) == spans(base, lambda o: o)
    for e in other.entities:
        for m in e.mentions:
            sliced = raw[unit * m.text.begin_offset:unit * m.text.end_offset]
            assert sliced.decode("utf-8" if encoding == "utf8" else "utf-16-le") == m.text.content


def test_features_limit_what_runs(client):
    r = client.analyze("Angela Merkel visited Paris. It was lovely.", features=["sentiment"])
    assert not r.entities
    assert not r.summary.sentences
    assert [run.plugin for run in r.plugin_runs if "sentiment" in run.features]


def test_unknown_feature_is_invalid_argument_with_server_message(client):
    with pytest.raises(DocanalysisError) as err:
        client.analyze("Some text.", features=["no-such-feature-xyz"])
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert err.value.message, "the server's message reaches the caller"
    assert "INVALID_ARGUMENT" in str(err.value)


def test_invalid_utf8_names_the_byte_offset(client):
    with pytest.raises(DocanalysisError) as err:
        client.analyze(b"abc\xffdef")
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "3" in err.value.message, err.value.message


def test_deadline_exceeded(client):
    with pytest.raises(DocanalysisError) as err:
        client.analyze(MIXED_TEXT * 20, timeout=1e-6)
    assert err.value.code == grpc.StatusCode.DEADLINE_EXCEEDED


def test_batch_keeps_order_and_reports_bad_documents_per_document(client):
    docs = ["Angela Merkel visited Paris.", b"bad \xc3\x28 bytes", "Microsoft opened an office in 東京 🎉."]
    out = client.analyze_batch(docs, features=["entities"])
    assert [r.document_id for r in out] == ["0", "1", "2"]
    assert out[0].error.code == 0 and out[2].error.code == 0
    assert out[1].error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert out[1].error.message
    for text, r in ((docs[0], out[0]), (docs[2], out[2])):
        for e in r.entities:
            for m in e.mentions:
                assert text[m.text.begin_offset:m.text.end_offset] == m.text.content


def test_stream_is_lazy_iterator_in_iterator_out(client):
    produced = []

    def documents():
        for i in range(6):
            produced.append(i)
            yield f"Document {i}: Angela Merkel met Emmanuel Macron in Paris 😀."

    out = client.analyze_stream(documents(), features=["entities", "sentiment"])
    first = next(out)
    assert first.document_id == "0"
    rest = list(out)
    assert [r.document_id for r in rest] == ["1", "2", "3", "4", "5"]
    assert produced == list(range(6))
    for r in [first] + rest:
        assert r.error.code == 0
        assert r.sentences


def test_stream_carries_per_document_errors_and_goes_on(client):
    requests = [pb.AnalyzeRequest(document=pb.Document(id="good", content="Paris is nice.")),
                pb.AnalyzeRequest(document=pb.Document(id="bad", raw_content=b"\xff")),
                pb.AnalyzeRequest(document=pb.Document(id="after", content="Berlin is big."))]
    out = list(client.analyze_stream(iter(requests)))
    assert [r.document_id for r in out] == ["good", "bad", "after"]
    assert out[1].error.code != 0 and out[0].error.code == 0 and out[2].error.code == 0


def test_list_plugins(client):
    plugins = client.list_plugins().plugins
    features = {f for p in plugins for f in p.features}
    assert {"entities", "sentiment", "summary"} <= features


def test_round_robin_spreads_calls_over_every_address(forwarders):
    a, b = forwarders(2)
    with Client(f"ipv4:127.0.0.1:{a.port},127.0.0.1:{b.port}", timeout=30) as c:
        for _ in range(10):
            assert c.analyze("Angela Merkel visited Paris.", features=["sentiment"]).sentences
    assert a.connections >= 1 and b.connections >= 1, (a.connections, b.connections)
    assert a.bytes > 0 and b.bytes > 0


def test_unavailable_address_is_retried_on_the_other(forwarders):
    a, b = forwarders(2)
    with Client(f"ipv4:127.0.0.1:{a.port},127.0.0.1:{b.port}", timeout=30) as c:
        assert c.analyze("Paris.", features=["sentiment"]).sentences
        a.close()  # replica goes away: in-flight connections cut, port refuses
        for _ in range(10):
            assert c.analyze("Angela Merkel visited Paris.", features=["sentiment"]).sentences


def test_unreachable_target_fails_with_unavailable():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with Client(f"127.0.0.1:{port}", timeout=5, max_attempts=2) as c:
        with pytest.raises(DocanalysisError) as err:
            c.analyze("Paris.")
    assert err.value.code == grpc.StatusCode.UNAVAILABLE
    assert err.value.message


def test_tls_client_does_not_speak_plaintext(target):
    # The client really negotiates TLS: against this plaintext server the handshake fails and the error says so.
    with Client(target, timeout=10, tls=True, max_attempts=1) as c:
        with pytest.raises(DocanalysisError) as err:
            c.analyze("Paris.")
    assert err.value.code == grpc.StatusCode.UNAVAILABLE


def test_unavailable_in_flight_is_retried_by_the_service_config(forwarders):
    (relay,) = forwarders(1, cut_rpcs=2)
    # The relay kills the first two calls after the client sent them; the retry policy (4 attempts) recovers.
    with Client(f"127.0.0.1:{relay.port}", timeout=30, max_attempts=4) as c:
        assert c.analyze("Angela Merkel visited Paris.", features=["sentiment"]).sentences
    assert relay.cut == 2


def test_without_retries_the_cut_call_fails_with_unavailable(forwarders):
    (relay,) = forwarders(1, cut_rpcs=1)
    with Client(f"127.0.0.1:{relay.port}", timeout=30, max_attempts=1) as c:
        with pytest.raises(DocanalysisError) as err:
            c.analyze("Angela Merkel visited Paris.", features=["sentiment"])
        assert err.value.code == grpc.StatusCode.UNAVAILABLE
        assert relay.cut == 1
    # The relay cuts only one call. (gRPC Python shares subchannels between channels to one address, so
    # the next channel may first meet the cut connection: this client retries that, as a real one does.)
    with Client(f"127.0.0.1:{relay.port}", timeout=30) as c:
        assert c.analyze("Paris.", features=["sentiment"]).sentences
    assert relay.cut == 1
