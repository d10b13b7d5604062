"""The client's errors: one base class, DocanalysisError, carrying the gRPC status code, message and details, and
one subclass per kind of failure. Whether a failure is worth retrying is decided in one place, RETRYABLE_CODES.

    try:
        client.analyze("...", features=["no-such-feature"])
    except InvalidRequestError as e:     # a DocanalysisError
        print(e.code.name, e.message)    # INVALID_ARGUMENT unknown feature "no-such-feature" ...
    except DocanalysisError as e:
        if e.retryable: ...

Failures inside a successful call: failed_plugin_runs(response) and failed_documents(responses) return them;
raise_for_plugins(response) and raise_for_documents(responses) raise PluginFailedError / DocumentFailedError.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Type

import grpc

# The one place where "retryable" is decided: the server is (momentarily) unable to take the call, so the same
# call may succeed later or on another replica. DEADLINE_EXCEEDED is not here: the work may have been done.
RETRYABLE_CODES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED,
                             grpc.StatusCode.ABORTED})

_DETAILS_KEY = "grpc-status-details-bin"


def is_retryable(code: grpc.StatusCode) -> bool:
    return code in RETRYABLE_CODES


class DocanalysisError(Exception):
    """A call failed. `code` is the gRPC status (grpc.StatusCode), `message` the server's (or gRPC's) text,
    `details` the serialized google.rpc.Status the server attached (b"" when none), `method` the RPC."""

    def __init__(self, code: grpc.StatusCode, message: str, method: str = "", details: bytes = b""):
        self.code = code
        self.message = message
        self.method = method
        self.details = details
        where = f" ({method})" if method else ""
        super().__init__(f"{code.name}: {message}{where}")

    @property
    def retryable(self) -> bool:
        return is_retryable(self.code)

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError, method: str = "") -> "DocanalysisError":
        code = (error.code() if hasattr(error, "code") else None) or grpc.StatusCode.UNKNOWN
        message = error.details() if hasattr(error, "details") else str(error)
        details = b""
        trailers: Any = error.trailing_metadata() if hasattr(error, "trailing_metadata") else None
        for item in trailers or ():
            key, value = item[0], item[1]
            if key == _DETAILS_KEY and isinstance(value, bytes):
                details = value
        return error_for_code(code)(code, message or "", method, details)


class InvalidRequestError(DocanalysisError):
    """The request is wrong (INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, OUT_OF_RANGE, ALREADY_EXISTS)."""


class AuthError(DocanalysisError):
    """UNAUTHENTICATED or PERMISSION_DENIED (e.g. a missing or wrong admin token)."""


class UnavailableError(DocanalysisError):
    """The server cannot take the call now (UNAVAILABLE, RESOURCE_EXHAUSTED, ABORTED): retryable."""


class DeadlineExceededError(DocanalysisError):
    """The call's deadline passed."""


class CancelledError(DocanalysisError):
    """The call was cancelled (by the caller, or by the server shutting down)."""


class ServerError(DocanalysisError):
    """The server failed (INTERNAL, UNKNOWN, DATA_LOSS, UNIMPLEMENTED)."""


class PluginFailedError(DocanalysisError):
    """The call succeeded but plugin runs failed; `runs` are the failed PluginRun messages, `response` the
    response that holds the rest of the results."""

    def __init__(self, runs: List, response=None):
        self.runs = runs
        self.response = response
        first = runs[0]
        code = _code_of(first.code)
        names = ", ".join(r.plugin for r in runs)
        super().__init__(code, f"plugin(s) {names} failed: {first.message}", "plugin")


class DocumentFailedError(DocanalysisError):
    """Documents of a batch or stream failed; `documents` are their responses (with `error` set)."""

    def __init__(self, documents: List):
        self.documents = documents
        first = documents[0]
        super().__init__(_code_of(first.error.code),
                         f"{len(documents)} document(s) failed, first {first.document_id!r}: {first.error.message}",
                         "document")


_BY_CODE: Dict[grpc.StatusCode, Type[DocanalysisError]] = {
    **{c: InvalidRequestError for c in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND,
                                        grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.OUT_OF_RANGE,
                                        grpc.StatusCode.ALREADY_EXISTS)},
    **{c: AuthError for c in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED)},
    **{c: UnavailableError for c in RETRYABLE_CODES},
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceededError,
    grpc.StatusCode.CANCELLED: CancelledError,
    **{c: ServerError for c in (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.DATA_LOSS,
                                grpc.StatusCode.UNIMPLEMENTED)},
}


def error_for_code(code: grpc.StatusCode) -> Type[DocanalysisError]:
    """The DocanalysisError subclass for a gRPC status code."""
    return _BY_CODE.get(code, DocanalysisError)


def _code_of(number: int) -> grpc.StatusCode:
    for c in grpc.StatusCode:
        value: Any = c.value
        if value[0] == number:
            return c
    return grpc.StatusCode.UNKNOWN


def failed_plugin_runs(response) -> List:
    """The PluginRun messages of a response whose code is not OK."""
    return [r for r in response.plugin_runs if r.code != 0]


def raise_for_plugins(response) -> None:
    """Raises PluginFailedError when a plugin run of the response failed."""
    runs = failed_plugin_runs(response)
    if runs:
        raise PluginFailedError(runs, response)


def failed_documents(responses: Iterable) -> List:
    """The responses of a batch (or stream) whose document failed as a whole (`error.code != 0`)."""
    return [r for r in responses if r.HasField("error") and r.error.code != 0]


def raise_for_documents(responses: Iterable) -> None:
    """Raises DocumentFailedError when documents of a batch failed."""
    failed = failed_documents(responses)
    if failed:
        raise DocumentFailedError(failed)


def document_error(response) -> Optional[DocanalysisError]:
    """The failure of one document of a batch or stream as a DocanalysisError subclass, or None."""
    if not response.HasField("error") or response.error.code == 0:
        return None
    code = _code_of(response.error.code)
    return error_for_code(code)(code, response.error.message, f"document {response.document_id!r}")
