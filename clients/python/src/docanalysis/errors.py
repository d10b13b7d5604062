"""The one exception type of the client: a failed call, carrying the server's status code and message."""
from __future__ import annotations

import grpc


class DocanalysisError(Exception):
    """A call failed. `code` is the gRPC status (grpc.StatusCode), `message` the server's (or gRPC's) text.

    Example:
        try:
            client.analyze("...", features=["no-such-feature"])
        except DocanalysisError as e:
            print(e.code.name, e.message)   # INVALID_ARGUMENT unknown feature "no-such-feature" ...
    """

    def __init__(self, code: grpc.StatusCode, message: str, method: str = ""):
        self.code = code
        self.message = message
        self.method = method
        where = f" ({method})" if method else ""
        super().__init__(f"{code.name}: {message}{where}")

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError, method: str = "") -> "DocanalysisError":
        code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
        details = error.details() if hasattr(error, "details") else str(error)
        return cls(code or grpc.StatusCode.UNKNOWN, details or "", method)
