"""Client: the blocking Python client of docanalysis.v1.DocumentAnalysis.

A Client owns one gRPC channel; it is thread-safe and meant to be shared and reused (create one per process
and target, close it when done, or use it as a context manager). Every method takes an optional `timeout`
in seconds (the call's deadline; the client's default applies when omitted, None means no deadline) and
raises DocanalysisError with the server's status code and message when the call fails.

Offsets default to code points (UTF32), so they slice the Python str you sent:

    with Client("localhost:50051") as client:
        r = client.analyze("Tim Cook visited Paris.", features=["entities"])
        for e in r.entities:
            m = e.mentions[0].text
            assert "Tim Cook visited Paris."[m.begin_offset:m.end_offset] == m.content
"""
from __future__ import annotations

from typing import Iterable, Iterator, List, Mapping, Optional, Sequence

import grpc

from docanalysis._channel import ChannelConfig
from docanalysis._requests import DEFAULT_ENCODING, DocumentLike, EncodingLike, make_request
from docanalysis.errors import DocanalysisError
from docanalysis.v1 import docanalysis_pb2 as pb
from docanalysis.v1 import docanalysis_pb2_grpc as pb_grpc

_DEFAULT = object()


class Client:
    """Blocking client. See the module docstring for an example.

    target: "host:port", "dns:///name:port", or "ipv4:127.0.0.1:p1,127.0.0.1:p2" (calls are spread round-robin
      over all addresses; UNAVAILABLE is retried up to `max_attempts` times by gRPC, on the next address).
    timeout: default deadline of unary calls in seconds (None: no deadline). Streams have none by default.
    tls / root_certificates / private_key / certificate_chain / server_name: TLS and mutual TLS (PEM bytes).
    metadata: sent with every call, e.g. [("x-request-id", "...")].
    admin_token: the token of the PluginAdmin calls (reload_plugins, load_plugin, unload_plugin), sent as
      "authorization: Bearer <token>". Admin calls are not retried (only the idempotent analysis calls are).
    """

    def __init__(self, target: str, *, timeout: Optional[float] = 30.0, tls: bool = False,
                 root_certificates: Optional[bytes] = None, private_key: Optional[bytes] = None,
                 certificate_chain: Optional[bytes] = None, server_name: Optional[str] = None,
                 max_attempts: int = 4, round_robin: bool = True,
                 metadata: Sequence[tuple] = (), channel_options: Sequence[tuple] = (),
                 admin_token: Optional[str] = None):
        self._config = ChannelConfig(target=target, tls=tls, root_certificates=root_certificates,
                                     private_key=private_key, certificate_chain=certificate_chain,
                                     server_name=server_name, max_attempts=max_attempts, round_robin=round_robin,
                                     extra_options=tuple(channel_options))
        self._timeout = timeout
        self._metadata = tuple(metadata)
        self._channel = self._config.sync_channel()
        self._stub = pb_grpc.DocumentAnalysisStub(self._channel)
        self._admin = pb_grpc.PluginAdminStub(self._channel)
        self._admin_token = admin_token

    @property
    def target(self) -> str:
        return self._config.target

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _deadline(self, timeout) -> Optional[float]:
        return self._timeout if timeout is _DEFAULT else timeout

    def analyze(self, document: DocumentLike, *, features: Sequence[str] = (),
                encoding: EncodingLike = DEFAULT_ENCODING, document_id: str = "", html: bool = False,
                language: str = "", options: Optional[Mapping[str, str]] = None,
                timeout=_DEFAULT, metadata: Sequence[tuple] = ()) -> pb.AnalyzeResponse:
        """Analyzes one document (str, raw UTF-8 bytes, or a ready AnalyzeRequest).

        features: e.g. ["entities", "sentiment"]; empty runs every default plugin.
        encoding: offsets unit, "utf32" (code points, default), "utf16" or "utf8".
        options: per-plugin options, {"summary.max_sentences": "2"}.
        """
        request = make_request(document, features=features, encoding=encoding, document_id=document_id,
                               html=html, language=language, options=options)
        try:
            return self._stub.Analyze(request, timeout=self._deadline(timeout),
                                      metadata=self._metadata + tuple(metadata))
        except grpc.RpcError as e:
            raise DocanalysisError.from_rpc_error(e, "Analyze") from None

    def analyze_batch(self, documents: Iterable[DocumentLike], *, features: Sequence[str] = (),
                      encoding: EncodingLike = DEFAULT_ENCODING, options: Optional[Mapping[str, str]] = None,
                      timeout=_DEFAULT, metadata: Sequence[tuple] = ()) -> List[pb.AnalyzeResponse]:
        """Analyzes many documents in one call; responses come in input order. Plain documents get the ids
        "0", "1", ... A document that fails alone has `error.code != 0` in its response (no exception)."""
        requests = [make_request(d, features=features, encoding=encoding, document_id=str(i), options=options)
                    for i, d in enumerate(documents)]
        try:
            reply = self._stub.AnalyzeBatch(pb.AnalyzeBatchRequest(requests=requests),
                                            timeout=self._deadline(timeout), metadata=self._metadata + tuple(metadata))
        except grpc.RpcError as e:
            raise DocanalysisError.from_rpc_error(e, "AnalyzeBatch") from None
        return list(reply.responses)

    def analyze_stream(self, documents: Iterable[DocumentLike], *, features: Sequence[str] = (),
                       encoding: EncodingLike = DEFAULT_ENCODING, options: Optional[Mapping[str, str]] = None,
                       timeout: Optional[float] = None, metadata: Sequence[tuple] = ()) -> Iterator[pb.AnalyzeResponse]:
        """Streams documents (any iterable, consumed lazily) and yields one response per document, in order.
        Plain documents get the ids "0", "1", ...; per-document failures are in `error`, not raised."""
        def requests():
            for i, d in enumerate(documents):
                yield make_request(d, features=features, encoding=encoding, document_id=str(i), options=options)

        call = self._stub.AnalyzeStream(requests(), timeout=timeout, metadata=self._metadata + tuple(metadata))
        try:
            for response in call:
                yield response
        except grpc.RpcError as e:
            raise DocanalysisError.from_rpc_error(e, "AnalyzeStream") from None
        finally:
            call.cancel()  # no-op when finished; stops the call when the caller abandons the iterator

    def list_plugins(self, *, timeout=_DEFAULT, metadata: Sequence[tuple] = ()) -> pb.ListPluginsResponse:
        """The installed plugins with their state, version and features."""
        try:
            return self._stub.ListPlugins(pb.ListPluginsRequest(), timeout=self._deadline(timeout),
                                          metadata=self._metadata + tuple(metadata))
        except grpc.RpcError as e:
            raise DocanalysisError.from_rpc_error(e, "ListPlugins") from None

    # PluginAdmin: needs the server's admin token (the server's --admin_token_file).

    def _admin_call(self, method: str, request, token: Optional[str], timeout):
        token = token if token is not None else self._admin_token
        md = self._metadata + ((("authorization", f"Bearer {token}"),) if token else ())
        try:
            return getattr(self._admin, method)(request, timeout=self._deadline(timeout), metadata=md)
        except grpc.RpcError as e:
            raise DocanalysisError.from_rpc_error(e, method) from None

    def reload_plugins(self, *, token: Optional[str] = None, timeout=_DEFAULT) -> pb.ReloadPluginsResponse:
        """Rescans the server's plugin folder; returns the plugins after the rescan."""
        return self._admin_call("ReloadPlugins", pb.ReloadPluginsRequest(), token, timeout)

    def load_plugin(self, name: str, *, token: Optional[str] = None, timeout=_DEFAULT) -> pb.LoadPluginResponse:
        """Loads (or reloads) the plugin in folder `name` of the server's plugin folder."""
        return self._admin_call("LoadPlugin", pb.LoadPluginRequest(name=name), token, timeout)

    def unload_plugin(self, name: str, *, token: Optional[str] = None, timeout=_DEFAULT) -> pb.UnloadPluginResponse:
        """Unloads a plugin; requests already running finish on it."""
        return self._admin_call("UnloadPlugin", pb.UnloadPluginRequest(name=name), token, timeout)
