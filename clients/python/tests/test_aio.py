"""The asyncio AsyncClient against a live server (each test runs its own event loop)."""
import asyncio

import grpc
import pytest

from conftest import MIXED_TEXT
from docanalysis import AsyncClient, DocanalysisError


def run(coro):
    return asyncio.run(coro)


def test_async_analyze_offsets_slice(target, client):
    async def go():
        async with AsyncClient(target) as c:
            return await c.analyze(MIXED_TEXT, features=["entities", "summary"])

    r = run(go())
    assert r.entities
    for e in r.entities:
        for m in e.mentions:
            assert MIXED_TEXT[m.text.begin_offset:m.text.end_offset] == m.text.content


def test_async_concurrent_calls(target, client):
    texts = [f"Call {i}: Angela Merkel met Emmanuel Macron in Paris." for i in range(8)]

    async def go():
        async with AsyncClient(target) as c:
            return await asyncio.gather(*(c.analyze(t, features=["entities"], document_id=str(i))
                                          for i, t in enumerate(texts)))

    out = run(go())
    assert [r.document_id for r in out] == [str(i) for i in range(8)]
    assert all(r.entities for r in out)


def test_async_stream_from_async_iterator(target, client):
    async def documents():
        for i in range(4):
            await asyncio.sleep(0)
            yield f"Document {i}: Zürich and 東京 are far apart 🎉."

    async def go():
        async with AsyncClient(target) as c:
            return [r async for r in c.analyze_stream(documents(), features=["sentiment"])]

    out = run(go())
    assert [r.document_id for r in out] == ["0", "1", "2", "3"]
    assert all(r.sentences for r in out)


def test_async_batch(target, client):
    async def go():
        async with AsyncClient(target) as c:
            return await c.analyze_batch(["Paris is lovely.", "Berlin is grey."], features=["sentiment"])

    out = run(go())
    assert [r.document_id for r in out] == ["0", "1"]


def test_async_error_carries_status(target, client):
    async def go():
        async with AsyncClient(target) as c:
            await c.analyze("text", features=["no-such-feature-xyz"])

    with pytest.raises(DocanalysisError) as err:
        run(go())
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert err.value.message


def test_async_deadline(target, client):
    async def go():
        async with AsyncClient(target) as c:
            await c.analyze(MIXED_TEXT * 20, timeout=1e-6)

    with pytest.raises(DocanalysisError) as err:
        run(go())
    assert err.value.code == grpc.StatusCode.DEADLINE_EXCEEDED
