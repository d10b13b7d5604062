"""AsyncClient: the asyncio client of docanalysis.v1.DocumentAnalysis (grpc.aio).

Same methods and arguments as Client, as coroutines; analyze_stream takes a sync or async iterable and is an
async iterator. Create and use it inside one event loop; close it with `await client.close()` or
`async with`.

    async with AsyncClient("localhost:50051") as client:
        r = await client.analyze("Tim Cook visited Paris.")
        async for r in client.analyze_stream(["One.", "Two."]):
            print(r.document_id, r.document_sentiment.score)
"""
from __future__ import annotations

from typing import AsyncIterable, AsyncIterator, Iterable, List, Mapping, Optional, Sequence, Union

import grpc

from docanalysis._channel import ChannelConfig
from docanalysis._requests import DEFAULT_ENCODING, DocumentLike, EncodingLike, make_request
from docanalysis.errors import DocanalysisError
from docanalysis.v1 import docanalysis_pb2 as pb
from docanalysis.v1 import docanalysis_pb2_grpc as pb_grpc

_DEFAULT = object()


class AsyncClient:
    """asyncio client; arguments as for docanalysis.Client."""

    def __init__(self, target: str, *, timeout: Optional[float] = 30.0, tls: bool = False,
                 root_certificates: Optional[bytes] = None, private_key: Optional[bytes] = None,
                 certificate_chain: Optional[bytes] = None, server_name: Optional[str] = None,
                 max_attempts: int = 4, round_robin: bool = True,
                 metadata: Sequence[tuple] = (), channel_options: Sequence[tuple] = ()):
        self._config = ChannelConfig(target=target, tls=tls, root_certificates=root_certificates,
                                     private_key=private_key, certificate_chain=certificate_chain,
                                     server_name=server_name, max_attempts=max_attempts, round_robin=round_robin,
                                     extra_options=tuple(channel_options))
        self._timeout = timeout
        self._metadata = tuple(metadata)
        self._channel = self._config.aio_channel()
        self._stub = pb_grpc.DocumentAnalysisStub(self._channel)

    @property
    def target(self) -> str:
        return self._config.target

    async def close(self) -> None:
        await self._channel.close(None)

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    def _deadline(self, timeout) -> Optional[float]:
        return self._timeout if timeout is _DEFAULT else timeout

    async def analyze(self, document: DocumentLike, *, features: Sequence[str] = (),
                      encoding: EncodingLike = DEFAULT_ENCODING, document_id: str = "", html: bool = False,
                      language: str = "", options: Optional[Mapping[str, str]] = None,
                      timeout=_DEFAULT, metadata: Sequence[tuple] = ()) -> pb.AnalyzeResponse:
        request = make_request(document, features=features, encoding=encoding, document_id=document_id,
                               html=html, language=language, options=options)
        try:
            return await self._stub.Analyze(request, timeout=self._deadline(timeout), metadata=self._metadata + tuple(metadata))
        except grpc.RpcError as e:
            raise DocanalysisError.from_rpc_error(e, "Analyze") from None

    async def analyze_batch(self, documents: Iterable[DocumentLike], *, features: Sequence[str] = (),
                            encoding: EncodingLike = DEFAULT_ENCODING, options: Optional[Mapping[str, str]] = None,
                            timeout=_DEFAULT, metadata: Sequence[tuple] = ()) -> List[pb.AnalyzeResponse]:
        requests = [make_request(d, features=features, encoding=encoding, document_id=str(i), options=options)
                    for i, d in enumerate(documents)]
        try:
            reply = await self._stub.AnalyzeBatch(pb.AnalyzeBatchRequest(requests=requests),
                                                  timeout=self._deadline(timeout), metadata=self._metadata + tuple(metadata))
        except grpc.RpcError as e:
            raise DocanalysisError.from_rpc_error(e, "AnalyzeBatch") from None
        return list(reply.responses)

    async def analyze_stream(self, documents: Union[Iterable[DocumentLike], AsyncIterable[DocumentLike]], *,
                             features: Sequence[str] = (), encoding: EncodingLike = DEFAULT_ENCODING,
                             options: Optional[Mapping[str, str]] = None,
                             timeout: Optional[float] = None, metadata: Sequence[tuple] = ()) -> AsyncIterator[pb.AnalyzeResponse]:
        async def requests():
            i = 0
            if hasattr(documents, "__aiter__"):
                async for d in documents:  # type: ignore[union-attr]
                    yield make_request(d, features=features, encoding=encoding, document_id=str(i), options=options)
                    i += 1
            else:
                for d in documents:  # type: ignore[union-attr]
                    yield make_request(d, features=features, encoding=encoding, document_id=str(i), options=options)
                    i += 1

        call = self._stub.AnalyzeStream(requests(), timeout=timeout, metadata=self._metadata + tuple(metadata))
        try:
            async for response in call:
                yield response
        except grpc.RpcError as e:
            raise DocanalysisError.from_rpc_error(e, "AnalyzeStream") from None
        finally:
            call.cancel()

    async def list_plugins(self, *, timeout=_DEFAULT, metadata: Sequence[tuple] = ()) -> pb.ListPluginsResponse:
        try:
            return await self._stub.ListPlugins(pb.ListPluginsRequest(), timeout=self._deadline(timeout),
                                                metadata=self._metadata + tuple(metadata))
        except grpc.RpcError as e:
            raise DocanalysisError.from_rpc_error(e, "ListPlugins") from None
